"""Run the Headwater fine-tuning pipeline on Kubeflow Pipelines, or locally with kfp.local.

The mode follows the connection (see ``headwater_kfp.hook``): a KFP host submits the compiled
pipeline over REST (v2beta1) and waits in the triggerer (``deferrable=True``) or in the worker;
no connection, or host ``local``, runs ``kfp_components.run_local`` in the training environment
as a subprocess. Either way the Airflow environment never imports kfp.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from headwater_kfp.client import (
    KfpApiError,
    KfpConfig,
    KfpRestClient,
    build_run_body,
    load_pipeline_package,
    run_outcome,
    with_caching,
)
from headwater_kfp.hook import KubeflowPipelinesHook
from headwater_kfp.links import RUN_URL_KEY, KubeflowRunLink
from headwater_kfp.trigger import MAX_TRANSIENT_ERRORS, KubeflowRunTrigger, run_event, settled_event


def _without_conn_id(uri: str) -> str:
    """``s3://aws_default@bucket/p`` (ObjectStoragePath form) -> ``s3://bucket/p`` (what KFP pods read)."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^@/]+@", r"\1", uri)


def stage_examples(local_path: str, prefix: str) -> str:
    """Copy the export to ``prefix`` (any ObjectStoragePath URI) unless it is there already; return the pods' URI.
    Export names are content hashes, so an existing object is the same file."""
    from airflow.sdk import ObjectStoragePath

    source = Path(local_path)
    target = ObjectStoragePath(f"{prefix.rstrip('/')}/{source.name}")
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    return f"{_without_conn_id(prefix.rstrip('/'))}/{source.name}"


def _as_bool(value: bool | str, name: str) -> bool:
    """``value`` as a bool: a bool as is, the strings True/False (any case) as the bool they name; ValueError otherwise."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return text == "true"


class KubeflowPipelineOperator(BaseOperator):
    """Submit a compiled KFP pipeline and wait for it; or run it locally with kfp.local.

    :param pipeline_package: compiled pipeline YAML (``kfp_components/headwater_finetune_pipeline.yaml``).
    :param arguments: pipeline parameters (None values: the pipeline's or run_local's default).
    :param run_name: display name of the KFP run.
    :param kfp_conn_id: the Airflow Connection with the KFP host and token; missing or host ``local``: local mode.
    :param experiment_id: KFP experiment (else the connection's ``experiment_id``, else KFP's default).
    :param local_out_dir: local mode: run_local's ``--out`` (adapter, eval report, summary.json).
    :param local_python: local mode: the training environment's python (default $HEADWATER_KFP_PYTHON or .venv-kfp).
    :param deferrable: wait for the KFP run in the triggerer instead of a worker slot.
    :param poll_interval: seconds between run status checks.
    :param run_timeout: how long the run may take (either mode); on expiry the KFP run is terminated
        (``terminate_on_timeout``) or the local process killed, and the task fails.
    :param enable_caching: KFP mode: let KFP answer steps from its cache (the compiled YAML caches every step).
        False turns caching off for every step of this run. Templated: a string "True"/"False" (e.g.
        ``"{{ not params.force }}"``) is read as the boolean it names; anything else raises ValueError.

    Returns (XCom): local mode, run_local's summary.json plus ``mode``; KFP mode, ``mode``, ``kfp``
    (run id, URL, state) and the submitted ``parameters``.
    """

    template_fields: Sequence[str] = ("pipeline_package", "arguments", "run_name", "experiment_id", "local_out_dir", "enable_caching")
    template_fields_renderers = {"arguments": "json"}
    operator_extra_links = (KubeflowRunLink(),)
    ui_color = "#d9ecff"

    def __init__(
        self,
        *,
        pipeline_package: str,
        arguments: dict[str, Any] | None = None,
        run_name: str | None = None,
        kfp_conn_id: str = KubeflowPipelinesHook.default_conn_name,
        experiment_id: str | None = None,
        local_out_dir: str | None = None,
        local_python: str | None = None,
        deferrable: bool = True,
        poll_interval: float = 30.0,
        run_timeout: timedelta | float = timedelta(hours=12),
        terminate_on_timeout: bool = True,
        enable_caching: bool | str = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.pipeline_package = pipeline_package
        self.arguments = arguments or {}
        self.run_name = run_name
        self.kfp_conn_id = kfp_conn_id
        self.experiment_id = experiment_id
        self.local_out_dir = local_out_dir
        self.local_python = local_python
        self.deferrable = deferrable
        self.poll_interval = poll_interval
        self.run_timeout_s = run_timeout.total_seconds() if isinstance(run_timeout, timedelta) else float(run_timeout)
        self.terminate_on_timeout = terminate_on_timeout
        self.enable_caching = enable_caching
        self._local_process = None
        self._remote_run: tuple[KfpRestClient, str] | None = None

    # ------------------------------------------------------------------ entry points

    def execute(self, context: Any) -> dict[str, Any]:
        try:
            config = KubeflowPipelinesHook(self.kfp_conn_id).get_config()
        except ValueError as exc:  # a malformed connection will not fix itself on retry
            raise AirflowFailException(f"connection {self.kfp_conn_id!r}: {exc}") from None
        if config is None:
            return self._execute_local()
        return self._execute_remote(config, context)

    def execute_complete(self, context: Any, event: dict[str, Any],
                         parameters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Resume after the trigger (or the synchronous wait) with its event; ``parameters`` as submitted."""
        run_id, url = event["run_id"], event["run_url"]
        if event["status"] == "success":
            self.log.info("KFP run %s succeeded: %s", run_id, url)
            return {"mode": "kfp", "kfp": {"run_id": run_id, "run_url": url, "state": event["state"]},
                    "parameters": parameters if parameters is not None else dict(self.arguments)}
        if event["status"] == "timeout":
            terminated = self._terminate(run_id) if self.terminate_on_timeout else False
            raise AirflowException(
                f"KFP run {run_id} still {event['state'] or 'running'} after {self.run_timeout_s:g} s "
                f"({'terminated' if terminated else 'left running'}): {url}"
            )
        state = event.get("state") or "unknown state"
        raise AirflowException(f"KFP run {run_id} {state}: {event['message']} — {url}")

    def on_kill(self) -> None:
        if self._local_process is not None and self._local_process.poll() is None:
            os.killpg(self._local_process.pid, signal.SIGKILL)
        if self._remote_run is not None:
            client, run_id = self._remote_run
            self._terminate(run_id, client)

    # ------------------------------------------------------------------ local (kfp.local)

    def _execute_local(self) -> dict[str, Any]:
        from headwater.config.settings import Settings
        from headwater.finetune.local_runner import LocalRunError, run_local

        if not self.local_out_dir:
            raise AirflowFailException("local mode needs local_out_dir (where run_local writes the adapter and summary)")
        settings = Settings()
        try:
            summary = run_local(
                dict(self.arguments), Path(self.local_out_dir),
                python=Path(self.local_python or settings.kfp_python), project=settings.project_dir,
                timeout_s=self.run_timeout_s, log=self.log.info,
                on_start=lambda proc: setattr(self, "_local_process", proc),
            )
        except ValueError as exc:
            raise AirflowFailException(str(exc)) from None
        except LocalRunError as exc:
            raise AirflowException(str(exc)) from None
        finally:
            self._local_process = None
        self.log.info("local run finished: model %s, adapter %s", summary["model_version"], summary["adapter_path"])
        return {**summary, "mode": "local"}

    # ------------------------------------------------------------------ remote (KFP REST)

    def _execute_remote(self, config: KfpConfig, context: Any) -> dict[str, Any]:
        arguments = dict(self.arguments)
        if config.examples_uri_prefix and arguments.get("examples_uri") and Path(str(arguments["examples_uri"])).is_file():
            arguments["examples_uri"] = stage_examples(str(arguments["examples_uri"]), config.examples_uri_prefix)
            self.log.info("staged the examples for the cluster at %s", arguments["examples_uri"])
        try:
            spec = with_caching(load_pipeline_package(self.pipeline_package), _as_bool(self.enable_caching, "enable_caching"))
            body = build_run_body(spec, arguments, config=config, experiment_id=self.experiment_id,
                                  display_name=self.run_name or f"{self.dag_id} {context['run_id']}")
        except (FileNotFoundError, ValueError) as exc:
            raise AirflowFailException(str(exc)) from None
        client = KfpRestClient(config)
        try:
            run_id = client.create_run(body)["run_id"]
        except KfpApiError as exc:
            raise AirflowException(str(exc)) from None
        url = config.run_url(run_id)
        ti = context["ti"]
        ti.xcom_push(key="kfp_run_id", value=run_id)
        ti.xcom_push(key=RUN_URL_KEY, value=url)
        self.log.info("KFP run %s created: %s", run_id, url)
        deadline = time.time() + self.run_timeout_s
        if self.deferrable:
            self.defer(
                trigger=KubeflowRunTrigger(run_id=run_id, run_url=url, kfp_conn_id=self.kfp_conn_id,
                                           deadline=deadline, poll_interval=self.poll_interval),
                method_name="execute_complete",
                kwargs={"parameters": body["runtime_config"]["parameters"]},
            )
        self._remote_run = (client, run_id)
        try:
            return self.execute_complete(context, self._wait(client, run_id, url, deadline),
                                         parameters=body["runtime_config"]["parameters"])
        finally:
            self._remote_run = None

    def _wait(self, client: KfpRestClient, run_id: str, url: str, deadline: float) -> dict[str, Any]:
        """The synchronous twin of KubeflowRunTrigger.run (deferrable=False)."""
        errors = 0
        while True:
            try:
                outcome = run_outcome(client.get_run(run_id))
                errors = 0
            except KfpApiError as exc:
                errors += 1
                if not exc.transient or errors > MAX_TRANSIENT_ERRORS:
                    return run_event("error", run_id, url, message=str(exc))
                self.log.warning("KFP run %s: %s (try %d of %d)", run_id, exc, errors, MAX_TRANSIENT_ERRORS)
                time.sleep(self.poll_interval)
                continue
            event = settled_event(outcome, run_id, url, deadline)
            if event is not None:
                return event
            self.log.info("KFP run %s is %s", run_id, outcome.state)
            time.sleep(min(self.poll_interval, max(deadline - time.time(), 0.0)))

    def _terminate(self, run_id: str, client: KfpRestClient | None = None) -> bool:
        try:
            client = client or KubeflowPipelinesHook(self.kfp_conn_id).get_conn()
            client.terminate_run(run_id)
        except Exception as exc:  # best effort: the failure being reported matters more
            self.log.warning("could not terminate KFP run %s: %s", run_id, exc)
            return False
        self.log.info("terminated KFP run %s", run_id)
        return True
