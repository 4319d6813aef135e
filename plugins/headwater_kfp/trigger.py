"""Waits for a KFP run in the triggerer, so a long GPU run holds no worker slot."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from headwater_kfp.client import KfpApiError, KfpRestClient, RunOutcome, run_outcome
from headwater_kfp.hook import KubeflowPipelinesHook

MAX_TRANSIENT_ERRORS = 5  # network/5xx errors in a row waited out before giving up


def run_event(status: str, run_id: str, run_url: str, state: str = "", message: str = "") -> dict[str, Any]:
    """The payload the operator's ``execute_complete`` reads (also built by its synchronous wait)."""
    return {"status": status, "run_id": run_id, "run_url": run_url, "state": state, "message": message}


def settled_event(outcome: RunOutcome, run_id: str, run_url: str, deadline: float) -> dict[str, Any] | None:
    """The event for a polled run that is over (finished, or past ``deadline``); None while it may still run.
    One classification for the trigger and the operator's synchronous wait."""
    if outcome.finished:
        return run_event("success" if outcome.succeeded else "failed", run_id, run_url, outcome.state, outcome.message)
    if time.time() >= deadline:
        return run_event("timeout", run_id, run_url, outcome.state, "the run did not finish before the operator's run_timeout")
    return None


class KubeflowRunTrigger(BaseTrigger):
    """Poll ``GET /apis/v2beta1/runs/{run_id}`` until the run finishes or ``deadline`` (epoch seconds) passes.

    Fires one event: status ``success``, ``failed`` (with KFP's error message), ``timeout`` or
    ``error`` (the API kept failing). Up to ``max_transient_errors`` network/5xx errors in a row
    are waited out.
    """

    def __init__(self, run_id: str, run_url: str, kfp_conn_id: str, deadline: float,
                 poll_interval: float = 30.0, max_transient_errors: int = MAX_TRANSIENT_ERRORS) -> None:
        super().__init__()
        self.run_id = run_id
        self.run_url = run_url
        self.kfp_conn_id = kfp_conn_id
        self.deadline = deadline
        self.poll_interval = poll_interval
        self.max_transient_errors = max_transient_errors

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            "headwater_kfp.trigger.KubeflowRunTrigger",
            {"run_id": self.run_id, "run_url": self.run_url, "kfp_conn_id": self.kfp_conn_id,
             "deadline": self.deadline, "poll_interval": self.poll_interval,
             "max_transient_errors": self.max_transient_errors},
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        config = await KubeflowPipelinesHook(self.kfp_conn_id).aget_config()
        if config is None:
            yield TriggerEvent(run_event("error", self.run_id, self.run_url,
                                         message=f"connection {self.kfp_conn_id!r} no longer points at a KFP API"))
            return
        client, errors = KfpRestClient(config), 0
        while True:
            try:
                run = await client.aget_run(self.run_id)
                errors = 0
            except KfpApiError as exc:
                errors += 1
                if not exc.transient or errors > self.max_transient_errors:
                    yield TriggerEvent(run_event("error", self.run_id, self.run_url, message=str(exc)))
                    return
                self.log.warning("KFP run %s: %s (try %d of %d)", self.run_id, exc, errors, self.max_transient_errors)
                await asyncio.sleep(self.poll_interval)
                continue
            outcome = run_outcome(run)
            event = settled_event(outcome, self.run_id, self.run_url, self.deadline)
            if event is not None:
                yield TriggerEvent(event)
                return
            self.log.info("KFP run %s is %s", self.run_id, outcome.state)
            await asyncio.sleep(min(self.poll_interval, max(self.deadline - time.time(), 0.0)))
