"""Structured failure alerts: a JSON log line, a durable event record and a Prometheus counter.

Task processes are short-lived, so the counter's source of truth is the append-only
``Layout.alerts`` file under the data dir; ``alert_metrics()`` turns it into
``headwater_task_failures_total`` for any exporter, and when ``Settings.pushgateway_url`` is set
each alert is also pushed to a Prometheus Pushgateway at once.
"""

from __future__ import annotations

import fcntl
import json
import logging
import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from headwater.config.settings import Settings
from headwater.layout import Layout
from headwater.storage import write_bytes

log = logging.getLogger("headwater.alerts")


def _alerts_file(data_dir: Path) -> Path:
    return Layout(data_dir).alerts


def record_failure(data_dir: Path, *, pushgateway_url: str | None = None, **fields: Any) -> dict[str, Any]:
    """Record one task failure (dag_id, task_id, run_id, map_index, try_number, error, ...).

    ``pushgateway_url`` None: ``Settings().pushgateway_url``; empty: no push.
    """
    event = {"ts": datetime.now(timezone.utc).isoformat(timespec="seconds"), "kind": "task_failure", **fields}
    line = json.dumps(event, default=str, sort_keys=True)
    log.error("HEADWATER_ALERT %s", line)
    if Layout(data_dir).remote:  # object storage cannot append: one object per event, never overwritten
        write_bytes(Layout(data_dir).alert_event(uuid.uuid4().hex), (line + "\n").encode("utf-8"))
    else:
        path = _alerts_file(data_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)  # whole lines only, even from parallel tasks
            fh.write(line + "\n")
            fcntl.flock(fh, fcntl.LOCK_UN)
    gateway = Settings().pushgateway_url if pushgateway_url is None else pushgateway_url
    if gateway:
        try:
            from prometheus_client import push_to_gateway

            push_to_gateway(gateway, job="headwater_alerts", registry=alert_metrics(data_dir))
        except OSError as exc:  # an unreachable gateway must not hide the original failure
            log.warning("could not push alert metrics to %s: %s", gateway, exc)
    return event


def failure_counts(data_dir: Path) -> Counter[tuple[str, str]]:
    path = _alerts_file(data_dir)
    counts: Counter[tuple[str, str]] = Counter()
    files = [path] + Layout(data_dir).alert_events() if Layout(data_dir).remote else [path]
    for file in (f for f in files if f.exists()):
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                e = json.loads(line)
                counts[(str(e.get("dag_id")), str(e.get("task_id")))] += 1
    return counts


def alert_metrics(data_dir: Path):  # noqa: ANN201 - prometheus_client.CollectorRegistry
    """A registry with ``headwater_task_failures_total{dag_id, task_id}``."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.core import CounterMetricFamily

    counts = failure_counts(data_dir)

    class _Collector:
        def collect(self):  # noqa: ANN202
            family = CounterMetricFamily(
                "headwater_task_failures", "Task failures recorded by the on-failure callback", labels=["dag_id", "task_id"]
            )
            for (dag_id, task_id), n in sorted(counts.items()):
                family.add_metric([dag_id, task_id], n)
            yield family

    registry = CollectorRegistry()
    registry.register(_Collector())
    return registry
