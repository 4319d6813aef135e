"""A small REST client for the Kubeflow Pipelines API (v2beta1), on httpx.

The Airflow environment cannot import kfp (its kubernetes pin conflicts with the cncf
provider's), so this speaks the API directly: create a run from an inline pipeline spec,
get a run, terminate a run. Nothing here imports Airflow, so it is tested on its own.

API shape (kfp_server_api 2.17, ``V2beta1Run``): ``POST /apis/v2beta1/runs`` takes
``{display_name, pipeline_spec, runtime_config: {parameters, pipeline_root}, experiment_id,
service_account}`` and returns the run; ``GET /apis/v2beta1/runs/{run_id}`` returns it with
``state`` (PENDING RUNNING SUCCEEDED SKIPPED FAILED CANCELING CANCELED PAUSED) and, when it
failed, ``error.message``. Errors are grpc-gateway bodies ``{"code", "message", "details"}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

RUNS_PATH = "/apis/v2beta1/runs"
SUCCEEDED = "SUCCEEDED"
FAILED_STATES = frozenset({"FAILED", "CANCELED", "SKIPPED"})  # SKIPPED: the run produced no model either
RUNNING_STATES = frozenset({"RUNTIME_STATE_UNSPECIFIED", "PENDING", "RUNNING", "CANCELING", "PAUSED"})
LOCAL_HOSTS = frozenset({"", "local"})


class KfpApiError(RuntimeError):
    """A KFP API call failed. ``transient`` errors (network, 5xx, 429) are worth retrying."""

    def __init__(self, message: str, *, status: int | None = None, transient: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.transient = transient


def _as_bool_or_path(value: Any) -> bool | str:
    """``verify_ssl``: true/false (also as strings) or a CA bundle path."""
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text.lower() in ("true", "1", "yes"):
        return True
    if text.lower() in ("false", "0", "no"):
        return False
    return text


@dataclass(frozen=True)
class KfpConfig:
    """Where and how to reach the KFP API: built from an Airflow Connection (see ``from_connection``)."""

    host: str  # base URL, e.g. https://kubeflow.example.com/pipeline
    token: str | None = None
    experiment_id: str | None = None
    verify_ssl: bool | str = True
    ui_host: str | None = None  # where the UI lives when it differs from the API host
    service_account: str | None = None
    pipeline_root: str | None = None
    examples_uri_prefix: str | None = None  # where the export is staged for the cluster (s3://…, gs://…)
    request_timeout_s: float = 30.0

    @classmethod
    def from_connection(
        cls, *, host: str | None, conn_type: str | None = None, schema: str | None = None, port: int | None = None,
        password: str | None = None, extra: dict[str, Any] | None = None,
    ) -> KfpConfig | None:
        """None when the connection means "run locally" (host empty or ``local``)."""
        extra = dict(extra or {})
        host = (host or "").strip()
        if host.lower() in LOCAL_HOSTS:
            return None
        if "://" not in host:
            # A URI-style connection (https://host:8888/pipeline) is split into conn_type, host, port
            # and schema (the path); put the URL back together.
            scheme = "https" if "https" in (conn_type, schema) else "http"
            path = f"/{schema.strip('/')}" if schema and schema not in ("http", "https") else ""
            host = f"{scheme}://{host}{path}"
        parts = urlsplit(host)
        if port and parts.port is None:
            host = urlunsplit(parts._replace(netloc=f"{parts.netloc}:{port}"))
        known = {"token", "experiment_id", "verify_ssl", "ui_host", "service_account", "pipeline_root",
                 "examples_uri_prefix", "request_timeout_s"}
        unknown = sorted(set(extra) - known)
        if unknown:
            raise ValueError(f"KFP connection extra has unknown keys {unknown}; known: {sorted(known)}")
        return cls(
            host=host.rstrip("/"),
            token=password or extra.get("token") or None,
            experiment_id=extra.get("experiment_id") or None,
            verify_ssl=_as_bool_or_path(extra.get("verify_ssl", True)),
            ui_host=(extra.get("ui_host") or "").rstrip("/") or None,
            service_account=extra.get("service_account") or None,
            pipeline_root=extra.get("pipeline_root") or None,
            examples_uri_prefix=(extra.get("examples_uri_prefix") or "").rstrip("/") or None,
            request_timeout_s=float(extra.get("request_timeout_s", 30.0)),
        )

    def headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def run_url(self, run_id: str) -> str:
        return f"{self.ui_host or self.host}/#/runs/details/{run_id}"


def load_pipeline_package(path: str | Path) -> dict[str, Any]:
    """The compiled YAML as the API's ``pipeline_spec`` field, the way kfp.Client sends it:
    the pipeline spec alone, or ``{pipeline_spec, platform_spec}`` when the YAML has a second
    (Kubernetes platform) document — PVC mounts, tolerations and node selectors live there."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"compiled pipeline {path} not found — run `make compile-pipeline` or set HEADWATER_KFP_PIPELINE"
        )
    docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    if not docs or "root" not in docs[0]:
        raise ValueError(f"{path}: not a compiled KFP pipeline (no 'root' in the first YAML document)")
    platform: dict[str, Any] = {}
    for doc in docs[1:]:
        platform.update(doc)
    return {"pipeline_spec": docs[0], "platform_spec": platform} if platform else docs[0]


def with_caching(pipeline_spec: dict[str, Any], enabled: bool) -> dict[str, Any]:
    """A copy of ``pipeline_spec`` (as ``load_pipeline_package`` returns it) whose every root-DAG task has
    ``cachingOptions.enableCache = enabled``: what ``kfp.Client.create_run_from_pipeline_package(enable_caching=...)``
    does before it submits (kfp 2.17, ``kfp/client/client.py`` ``_override_caching_options``). The compiled
    YAML caches every step; a forced retrain must not be answered from the cache."""
    import copy

    out = copy.deepcopy(pipeline_spec)
    spec = out.get("pipeline_spec", out)
    for task in spec.get("root", {}).get("dag", {}).get("tasks", {}).values():
        task.setdefault("cachingOptions", {})["enableCache"] = enabled
    return out


def declared_parameters(pipeline_spec: dict[str, Any]) -> set[str]:
    spec = pipeline_spec.get("pipeline_spec", pipeline_spec)
    return set(spec.get("root", {}).get("inputDefinitions", {}).get("parameters", {}))


def build_run_body(
    pipeline_spec: dict[str, Any], parameters: dict[str, Any], *, display_name: str, config: KfpConfig,
    experiment_id: str | None = None,
) -> dict[str, Any]:
    """The ``POST /apis/v2beta1/runs`` body. Unknown parameters fail here, not in the cluster;
    None values are left out so the pipeline's defaults apply."""
    parameters = {k: v for k, v in parameters.items() if v is not None}
    unknown = sorted(set(parameters) - declared_parameters(pipeline_spec))
    if unknown:
        raise ValueError(f"parameters {unknown} are not inputs of the pipeline; it takes {sorted(declared_parameters(pipeline_spec))}")
    runtime_config: dict[str, Any] = {"parameters": parameters}
    if config.pipeline_root:
        runtime_config["pipeline_root"] = config.pipeline_root
    body: dict[str, Any] = {"display_name": display_name, "pipeline_spec": pipeline_spec, "runtime_config": runtime_config}
    if experiment_id or config.experiment_id:
        body["experiment_id"] = experiment_id or config.experiment_id
    if config.service_account:
        body["service_account"] = config.service_account
    return body


@dataclass(frozen=True)
class RunOutcome:
    run_id: str
    state: str
    finished: bool
    succeeded: bool
    message: str


def run_outcome(run: dict[str, Any]) -> RunOutcome:
    """Classify a run; for a failed one, KFP's own error message (run-level, else the failed tasks')."""
    state = str(run.get("state") or "RUNTIME_STATE_UNSPECIFIED").upper()
    run_id = str(run.get("run_id", ""))
    if state == SUCCEEDED:
        return RunOutcome(run_id, state, True, True, "")
    if state not in FAILED_STATES:
        if state not in RUNNING_STATES:  # a state newer than this client: keep waiting, say so
            return RunOutcome(run_id, state, False, False, f"unknown run state {state}; still waiting")
        return RunOutcome(run_id, state, False, False, "")
    message = ((run.get("error") or {}).get("message") or "").strip()
    if not message:
        tasks = (run.get("run_details") or {}).get("task_details") or []
        failed = [f"{t.get('display_name', t.get('task_id', '?'))}: {(t.get('error') or {}).get('message', '').strip()}"
                  for t in tasks if (t.get("error") or {}).get("message")]
        message = "; ".join(failed) or f"the run ended {state} without an error message"
    return RunOutcome(run_id, state, True, False, message)


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:500] or response.reason_phrase
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or body)[:2000]
    return str(body)[:2000]


class KfpRestClient:
    """Create, get and terminate runs. Sync methods for the operator, ``aget_run`` for the trigger."""

    def __init__(self, config: KfpConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self._transport = transport

    def _client_kwargs(self) -> dict[str, Any]:
        return {"base_url": self.config.host, "headers": self.config.headers(), "verify": self.config.verify_ssl,
                "timeout": self.config.request_timeout_s}

    def _check(self, method: str, path: str, response: httpx.Response) -> dict[str, Any]:
        if response.is_success:
            return response.json() if response.content else {}
        status = response.status_code
        hint = {401: " — check the token (connection password)", 403: " — the token may lack access to this namespace/experiment",
                404: " — check the host (it should end where /apis/v2beta1 starts)"}.get(status, "")
        raise KfpApiError(
            f"KFP API {method} {self.config.host}{path} returned {status}: {_error_message(response)}{hint}",
            status=status, transient=status >= 500 or status == 429,
        )

    def _request(self, method: str, path: str, json: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            with httpx.Client(transport=self._transport, **self._client_kwargs()) as client:
                response = client.request(method, path, json=json)
        except httpx.TransportError as exc:
            raise KfpApiError(f"KFP API {method} {self.config.host}{path} unreachable: {exc!r}", transient=True) from exc
        return self._check(method, path, response)

    def create_run(self, body: dict[str, Any]) -> dict[str, Any]:
        run = self._request("POST", RUNS_PATH, json=body)
        if not run.get("run_id"):
            raise KfpApiError(f"KFP API POST {self.config.host}{RUNS_PATH} returned no run_id: {str(run)[:500]}")
        return run

    def get_run(self, run_id: str) -> dict[str, Any]:
        return self._request("GET", f"{RUNS_PATH}/{quote(run_id, safe='')}")

    def terminate_run(self, run_id: str) -> None:
        self._request("POST", f"{RUNS_PATH}/{quote(run_id, safe='')}:terminate")

    async def aget_run(self, run_id: str) -> dict[str, Any]:
        path = f"{RUNS_PATH}/{quote(run_id, safe='')}"
        try:
            async with httpx.AsyncClient(**self._client_kwargs()) as client:
                response = await client.get(path)
        except httpx.TransportError as exc:
            raise KfpApiError(f"KFP API GET {self.config.host}{path} unreachable: {exc!r}", transient=True) from exc
        return self._check("GET", path, response)
