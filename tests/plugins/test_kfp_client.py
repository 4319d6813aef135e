"""The KFP REST client's pure parts: connection parsing, the create-run body, run classification."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from headwater_kfp.client import KfpConfig, build_run_body, declared_parameters, load_pipeline_package, run_outcome

PIPELINE = Path(os.environ["HEADWATER_PROJECT_DIR"]) / "kfp_components" / "headwater_finetune_pipeline.yaml"


@pytest.mark.parametrize("host", [None, "", "local", "LOCAL "])
def test_an_empty_or_local_host_means_local_mode(host) -> None:
    assert KfpConfig.from_connection(host=host, password="t") is None


def test_json_style_connection() -> None:
    config = KfpConfig.from_connection(
        host="https://kubeflow.example.com/pipeline/", password="tok-123",
        extra={"experiment_id": "exp-1", "verify_ssl": "false", "ui_host": "https://ui.example.com/"},
    )
    assert config == KfpConfig(host="https://kubeflow.example.com/pipeline", token="tok-123", experiment_id="exp-1",
                               verify_ssl=False, ui_host="https://ui.example.com")
    assert config.headers() == {"Accept": "application/json", "Authorization": "Bearer tok-123"}
    assert config.run_url("r-9") == "https://ui.example.com/#/runs/details/r-9"


def test_uri_style_connection_gets_scheme_and_port_back() -> None:
    # AIRFLOW_CONN_KFP_DEFAULT=http://ml-pipeline.kubeflow:8888 splits into host/port
    config = KfpConfig.from_connection(host="ml-pipeline.kubeflow", schema="", port=8888,
                                       extra={"token": "t0k", "verify_ssl": "/etc/ca.pem"})
    assert config.host == "http://ml-pipeline.kubeflow:8888"
    assert config.token == "t0k" and config.verify_ssl == "/etc/ca.pem"
    assert config.run_url("abc") == "http://ml-pipeline.kubeflow:8888/#/runs/details/abc"


def test_https_uri_connection_keeps_https() -> None:
    # AIRFLOW_CONN_KFP_DEFAULT=https://kubeflow.example.com:8443/pipeline splits into these fields
    config = KfpConfig.from_connection(host="kubeflow.example.com", conn_type="https", schema="pipeline", port=8443)
    assert config.host == "https://kubeflow.example.com:8443/pipeline"


def test_unknown_extra_keys_fail_naming_them() -> None:
    with pytest.raises(ValueError, match=r"unknown keys \['experiment'\]"):
        KfpConfig.from_connection(host="http://kfp", extra={"experiment": "x"})


def test_pipeline_package_keeps_the_kubernetes_platform_spec() -> None:
    spec = load_pipeline_package(PIPELINE)
    assert set(spec) == {"pipeline_spec", "platform_spec"}
    assert spec["pipeline_spec"]["pipelineInfo"]["name"] == "headwater-finetune"
    assert "exec-qlora-finetune" in spec["platform_spec"]["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    assert {"examples_uri", "base_model_path", "lora_r", "lora_alpha", "epochs"} <= declared_parameters(spec)


def test_run_body_drops_none_and_rejects_unknown_parameters() -> None:
    spec = load_pipeline_package(PIPELINE)
    config = KfpConfig(host="http://kfp", experiment_id="exp-1", service_account="pipeline-runner",
                       pipeline_root="s3://bucket/root")
    body = build_run_body(spec, {"examples_uri": "s3://b/e.jsonl", "lora_r": 8, "epochs": None},
                          display_name="headwater-finetune x", config=config)
    assert body == {
        "display_name": "headwater-finetune x",
        "pipeline_spec": spec,
        "runtime_config": {"parameters": {"examples_uri": "s3://b/e.jsonl", "lora_r": 8}, "pipeline_root": "s3://bucket/root"},
        "experiment_id": "exp-1",
        "service_account": "pipeline-runner",
    }
    with pytest.raises(ValueError, match=r"\['lora_rank'\] are not inputs of the pipeline"):
        build_run_body(spec, {"lora_rank": 8}, display_name="x", config=config)


def test_missing_pipeline_package_says_how_to_build_it(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="make compile-pipeline"):
        load_pipeline_package(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ({"run_id": "r", "state": "PENDING"}, ("PENDING", False, False, "")),
        ({"run_id": "r", "state": "RUNNING"}, ("RUNNING", False, False, "")),
        ({"run_id": "r", "state": "CANCELING"}, ("CANCELING", False, False, "")),
        ({"run_id": "r", "state": "SUCCEEDED"}, ("SUCCEEDED", True, True, "")),
        ({"run_id": "r", "state": "FAILED", "error": {"message": "OOMKilled"}}, ("FAILED", True, False, "OOMKilled")),
        ({"run_id": "r", "state": "FAILED", "run_details": {"task_details": [
            {"display_name": "qlora-finetune", "error": {"message": "CUDA error"}}, {"display_name": "ok-task"}]}},
         ("FAILED", True, False, "qlora-finetune: CUDA error")),
        ({"run_id": "r", "state": "CANCELED"}, ("CANCELED", True, False, "the run ended CANCELED without an error message")),
        ({"run_id": "r", "state": "SKIPPED"}, ("SKIPPED", True, False, "the run ended SKIPPED without an error message")),
        ({"run_id": "r", "state": "ARCHIVING"}, ("ARCHIVING", False, False, "unknown run state ARCHIVING; still waiting")),
    ],
)
def test_run_outcome(run, expected) -> None:
    outcome = run_outcome(run)
    assert (outcome.state, outcome.finished, outcome.succeeded, outcome.message) == expected
