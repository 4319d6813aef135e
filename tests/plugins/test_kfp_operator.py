"""KubeflowPipelineOperator and KubeflowRunTrigger against a local server speaking KFP v2beta1."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowException, AirflowFailException, TaskDeferred
from kfp_api_server import KfpApiServer

from headwater_kfp.operator import KubeflowPipelineOperator, stage_examples
from headwater_kfp.trigger import KubeflowRunTrigger

PIPELINE = str(Path(os.environ["HEADWATER_PROJECT_DIR"]) / "kfp_components" / "headwater_finetune_pipeline.yaml")
ARGUMENTS = {"examples_uri": "/data/finetune/examples/examples-abc.jsonl", "lora_r": 8, "lora_alpha": 16, "epochs": None}


class RecordingTI:
    """Receives the operator's XCom pushes (the run id and URL behind the extra link)."""

    def __init__(self) -> None:
        self.xcom: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcom[key] = value


@pytest.fixture
def kfp():
    with KfpApiServer() as server:
        yield server


@pytest.fixture
def conn_id(kfp, monkeypatch, request) -> str:
    """A connection to the local server, unique per test (connections are cached by id)."""
    conn_id = f"kfp_{request.node.name.replace('[', '_').replace(']', '').replace('-', '_')}"[:60]
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps({
        "conn_type": "http", "host": kfp.url, "password": "secret-token-42", "extra": {"experiment_id": "exp-7"}}))
    return conn_id


def make_operator(conn_id: str, **kwargs: Any) -> KubeflowPipelineOperator:
    options = {"deferrable": False, "poll_interval": 0.01, "run_name": "headwater-finetune test"} | kwargs
    return KubeflowPipelineOperator(task_id="finetune", pipeline_package=PIPELINE, arguments=dict(ARGUMENTS),
                                    kfp_conn_id=conn_id, **options)


def context() -> dict[str, Any]:
    return {"ti": RecordingTI(), "run_id": "manual__2026-11-20"}


def run_trigger(trigger: KubeflowRunTrigger) -> list[Any]:
    async def collect() -> list[Any]:
        return [event async for event in trigger.run()]

    return asyncio.run(collect())


def deferred_event(op: KubeflowPipelineOperator, ctx: dict[str, Any]) -> dict[str, Any]:
    """Execute until the operator defers, then run its trigger as the triggerer would: the one event's payload."""
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(ctx)
    (event,) = run_trigger(deferred.value.trigger)
    return event.payload


def test_submits_inline_spec_with_token_and_waits_for_success(kfp, conn_id) -> None:
    ctx = context()
    result = make_operator(conn_id).execute(ctx)

    create = kfp.state.requests[0]
    assert (create["method"], create["path"]) == ("POST", "/apis/v2beta1/runs")
    assert create["headers"]["Authorization"] == "Bearer secret-token-42"
    body = create["body"]
    assert body["display_name"] == "headwater-finetune test"
    assert body["experiment_id"] == "exp-7"
    assert body["runtime_config"] == {"parameters": {"examples_uri": ARGUMENTS["examples_uri"], "lora_r": 8, "lora_alpha": 16}}
    assert body["pipeline_spec"]["pipeline_spec"]["pipelineInfo"]["name"] == "headwater-finetune"
    assert "platform_spec" in body["pipeline_spec"]
    assert [r["path"] for r in kfp.state.requests[1:]] == ["/apis/v2beta1/runs/run-1"] * 3  # PENDING, RUNNING, SUCCEEDED
    assert all(r["headers"]["Authorization"] == "Bearer secret-token-42" for r in kfp.state.requests)

    url = f"{kfp.url}/#/runs/details/run-1"
    assert ctx["ti"].xcom == {"kfp_run_id": "run-1", "kfp_run_url": url}
    assert result == {"mode": "kfp", "kfp": {"run_id": "run-1", "run_url": url, "state": "SUCCEEDED"},
                      "parameters": {"examples_uri": ARGUMENTS["examples_uri"], "lora_r": 8, "lora_alpha": 16}}


def _caching(body: dict[str, Any]) -> dict[str, bool]:
    tasks = body["pipeline_spec"]["pipeline_spec"]["root"]["dag"]["tasks"]
    return {name: task["cachingOptions"]["enableCache"] for name, task in tasks.items()}


STEPS = ["build-or-load-base-model", "importer", "prepare-dataset", "qlora-finetune", "quantized-eval"]


@pytest.mark.parametrize(("enable_caching", "expected"), [(True, True), (False, False), ("False", False), ("true", True)])
def test_caching_of_every_step_follows_enable_caching(kfp, conn_id, enable_caching, expected) -> None:
    make_operator(conn_id, enable_caching=enable_caching).execute(context())
    assert _caching(kfp.state.requests[0]["body"]) == dict.fromkeys(STEPS, expected)


def test_caching_default_keeps_the_compiled_cache_settings(kfp, conn_id) -> None:
    make_operator(conn_id).execute(context())
    assert _caching(kfp.state.requests[0]["body"]) == dict.fromkeys(STEPS, True)


def test_an_unreadable_enable_caching_fails_without_submitting(kfp, conn_id) -> None:
    with pytest.raises(AirflowFailException, match=r"enable_caching must be True or False, got 'maybe'"):
        make_operator(conn_id, enable_caching="maybe").execute(context())
    assert kfp.state.requests == []


def test_failed_run_fails_the_task_with_kfps_message(kfp, conn_id) -> None:
    kfp.state.states = ["RUNNING", "FAILED"]
    kfp.state.error_message = "task 'qlora-finetune' failed: CUDA out of memory"
    with pytest.raises(AirflowException) as failure:
        make_operator(conn_id).execute(context())
    assert str(failure.value) == (f"KFP run run-1 FAILED: task 'qlora-finetune' failed: CUDA out of memory — "
                                  f"{kfp.url}/#/runs/details/run-1")


def test_rejected_create_fails_with_the_api_message(kfp, conn_id) -> None:
    kfp.state.create_error = (400, "Invalid input error: experiment exp-7 not found")
    with pytest.raises(AirflowException, match="returned 400: Invalid input error: experiment exp-7 not found"):
        make_operator(conn_id).execute(context())
    assert len(kfp.state.runs) == 0


def test_unauthorized_says_check_the_token(kfp, conn_id) -> None:
    kfp.state.create_error = (401, "Unauthenticated: token expired")
    with pytest.raises(AirflowException, match="returned 401: Unauthenticated: token expired — check the token"):
        make_operator(conn_id).execute(context())


def test_timeout_terminates_the_run_and_fails(kfp, conn_id) -> None:
    kfp.state.states = ["RUNNING"]
    with pytest.raises(AirflowException) as failure:
        make_operator(conn_id, run_timeout=0.2).execute(context())
    assert str(failure.value) == f"KFP run run-1 still RUNNING after 0.2 s (terminated): {kfp.url}/#/runs/details/run-1"
    assert kfp.state.terminated == ["run-1"]


def test_transient_api_errors_are_waited_out(kfp, conn_id) -> None:
    kfp.state.get_failures = [503, 502]
    result = make_operator(conn_id).execute(context())
    assert result["kfp"]["state"] == "SUCCEEDED"


def test_unknown_parameter_fails_without_retry(kfp, conn_id) -> None:
    op = make_operator(conn_id)
    op.arguments = {**ARGUMENTS, "lora_rank": 4}
    with pytest.raises(AirflowFailException, match="lora_rank"):
        op.execute(context())
    assert kfp.state.requests == []


def test_deferrable_path_trigger_then_execute_complete(kfp, conn_id) -> None:
    op, ctx = make_operator(conn_id, deferrable=True), context()
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(ctx)
    assert deferred.value.method_name == "execute_complete"
    assert ctx["ti"].xcom["kfp_run_id"] == "run-1"

    # what the triggerer does: rebuild the trigger from its serialized form, then run it
    classpath, kwargs = deferred.value.trigger.serialize()
    assert classpath == "headwater_kfp.trigger.KubeflowRunTrigger"
    events = run_trigger(KubeflowRunTrigger(**kwargs))
    assert [e.payload for e in events] == [{
        "status": "success", "run_id": "run-1", "run_url": f"{kfp.url}/#/runs/details/run-1",
        "state": "SUCCEEDED", "message": ""}]
    result = op.execute_complete(ctx, events[0].payload, **deferred.value.kwargs)
    assert result["kfp"]["state"] == "SUCCEEDED"
    assert result["parameters"] == {"examples_uri": ARGUMENTS["examples_uri"], "lora_r": 8, "lora_alpha": 16}


def test_deferrable_failure_carries_the_message(kfp, conn_id) -> None:
    kfp.state.states = ["PENDING", "FAILED"]
    kfp.state.error_message = "pod evicted: node preempted"
    op, ctx = make_operator(conn_id, deferrable=True), context()
    event = deferred_event(op, ctx)
    assert (event["status"], event["message"]) == ("failed", "pod evicted: node preempted")
    with pytest.raises(AirflowException, match="KFP run run-1 FAILED: pod evicted: node preempted"):
        op.execute_complete(ctx, event)


def test_deferrable_timeout_terminates(kfp, conn_id) -> None:
    kfp.state.states = ["RUNNING"]
    op, ctx = make_operator(conn_id, deferrable=True, run_timeout=0.2), context()
    event = deferred_event(op, ctx)
    assert (event["status"], event["state"]) == ("timeout", "RUNNING")
    with pytest.raises(AirflowException, match="still RUNNING after 0.2 s \\(terminated\\)"):
        op.execute_complete(ctx, event)
    assert kfp.state.terminated == ["run-1"]


def test_trigger_gives_up_on_a_persistent_client_error(kfp, conn_id) -> None:
    trigger = KubeflowRunTrigger(run_id="missing", run_url="u", kfp_conn_id=conn_id, deadline=1e12, poll_interval=0.01)
    (event,) = run_trigger(trigger)
    assert event.payload["status"] == "error"
    assert "returned 404: run missing not found" in event.payload["message"]


def test_examples_are_staged_for_the_cluster(tmp_path) -> None:
    export = tmp_path / "examples-abc.jsonl"
    export.write_text('{"id": "1"}\n')
    bucket = tmp_path / "bucket"
    uri = stage_examples(str(export), bucket.as_uri() + "/finetune/")
    assert uri == bucket.as_uri() + "/finetune/examples-abc.jsonl"
    assert (bucket / "finetune" / "examples-abc.jsonl").read_text() == '{"id": "1"}\n'


def test_local_mode_fails_with_run_locals_own_error(tmp_path, monkeypatch) -> None:
    """No connection: run_local in .venv-kfp as a subprocess; a malformed export fails before any training."""
    bad = tmp_path / "examples.jsonl"
    bad.write_text('{"id": "a", "text": "no source"}\n')
    op = KubeflowPipelineOperator(task_id="finetune", pipeline_package=PIPELINE, arguments={"examples_uri": str(bad)},
                                  kfp_conn_id="kfp_not_defined_anywhere", local_out_dir=str(tmp_path / "out"))
    with pytest.raises(AirflowException) as failure:
        op.execute(context())
    assert str(failure.value) == (
        "local fine-tune failed (run_local exit 2):\n"
        f"python -m kfp_components.run_local: error: {bad} line 1: field(s) source, column missing or not a string; "
        "each line needs string fields id, text, source, column"
    )


def test_local_host_means_local_mode(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_KFP_LOCAL_HOST", json.dumps({"conn_type": "http", "host": "local"}))
    monkeypatch.setenv("HEADWATER_KFP_PYTHON", str(tmp_path / "no-venv" / "bin" / "python"))
    op = KubeflowPipelineOperator(task_id="finetune", pipeline_package=PIPELINE, arguments=dict(ARGUMENTS),
                                  kfp_conn_id="kfp_local_host", local_out_dir=str(tmp_path / "out"))
    with pytest.raises(AirflowException, match="training environment not found: .*no-venv/bin/python does not exist"):
        op.execute(context())
