"""The operator inside a real Airflow run (dag.test): deferral through the trigger, result XCom, extra link."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from kfp_api_server import KfpApiServer

PIPELINE = str(Path(os.environ["HEADWATER_PROJECT_DIR"]) / "kfp_components" / "headwater_finetune_pipeline.yaml")

# dag.test() runs DAGs from a DAG bundle, so the test DAG gets a bundle of its own.
TEST_DAG = f'''
from datetime import datetime, timezone
from airflow.sdk import DAG
from headwater_kfp.operator import KubeflowPipelineOperator

with DAG("kfp_operator_dagrun", schedule=None, start_date=datetime(2026, 11, 1, tzinfo=timezone.utc),
         default_args={{"retries": 0}}):
    KubeflowPipelineOperator(task_id="finetune", pipeline_package={PIPELINE!r}, kfp_conn_id="kfp_dagrun",
                             arguments={{"examples_uri": "s3://bucket/examples.jsonl"}}, run_name="{{{{ run_id }}}}",
                             deferrable=True, poll_interval=0.05)
'''


@pytest.fixture
def test_dag(tmp_path, monkeypatch):
    subprocess.run([str(Path(sys.executable).with_name("airflow")), "db", "migrate"], check=True,
                   capture_output=True, env=os.environ.copy())
    (tmp_path / "kfp_operator_dagrun.py").write_text(TEST_DAG)
    monkeypatch.setenv("AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST", json.dumps([
        {"name": "dags-folder", "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle", "kwargs": {}},
        {"name": "kfp-operator-test", "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
         "kwargs": {"path": str(tmp_path), "refresh_interval": 0}}]))
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(tmp_path)).dags["kfp_operator_dagrun"]


def test_deferred_run_in_airflow_records_result_and_link(test_dag, monkeypatch) -> None:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with KfpApiServer() as kfp:
        monkeypatch.setenv("AIRFLOW_CONN_KFP_DAGRUN", json.dumps({"conn_type": "http", "host": kfp.url, "password": "tok-dagrun"}))
        run = test_dag.test(logical_date=datetime(2026, 11, 20, tzinfo=timezone.utc))

    assert run.state == "success"
    assert kfp.state.requests[0]["body"]["display_name"] == run.run_id  # templated
    assert kfp.state.requests[0]["headers"]["Authorization"] == "Bearer tok-dagrun"
    url = f"{kfp.url}/#/runs/details/run-1"
    with create_session() as session:
        rows = session.query(XComModel).filter_by(dag_id="kfp_operator_dagrun", run_id=run.run_id).all()
        xcoms = {x.key: x.value for x in rows}
    assert xcoms["_link_KubeflowRunLink"] == url
    assert xcoms["kfp_run_url"] == url
    assert xcoms["return_value"]["kfp"] == {"run_id": "run-1", "run_url": url, "state": "SUCCEEDED"}
