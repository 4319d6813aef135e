"""headwater_finetune in real Airflow runs (dag.test): the skip branch, and one real local QLoRA fine-tune."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

SOURCE = "2026-11-20/SUPPORT_TICKETS.csv"
ITEMS = ["tent", "stove", "headlamp", "backpack", "sleeping bag", "trail shoe", "rain jacket", "water filter"]
PROBLEMS = ["leaked at the seam", "stopped working", "arrived scratched", "broke on the first trip", "smelled of glue"]
ACTIONS = ["shipped a replacement", "issued a refund", "sent a repair kit", "asked for photos"]


def write_curated(data_dir: Path, n: int) -> None:
    """``n`` support tickets: a chunked ``body`` column plus a ``subject`` field, as the ingest DAG writes them."""
    bodies = [f"Ticket {i}: the {ITEMS[i % 8]} {PROBLEMS[i % 5]} after {i % 7 + 2} weeks, so we {ACTIONS[i % 4]}."
              for i in range(n)]
    row_ids = [f"row{i:04d}" for i in range(n)]
    chunks, curated = data_dir / "chunks" / "date=2026-11-20", data_dir / "curated" / "date=2026-11-20"
    chunks.mkdir(parents=True, exist_ok=True)
    curated.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({
        "id": [f"chunk{i:04d}" for i in range(n)], "source_file": [SOURCE] * n, "row_id": row_ids,
        "line": list(range(2, n + 2)), "column": ["body"] * n, "chunk_index": [0] * n,
        "char_start": [0] * n, "char_end": [len(b) for b in bodies], "text": bodies,
    }), chunks / "SUPPORT_TICKETS.csv.parquet")
    pq.write_table(pa.table({
        "_row_id": row_ids, "_source": [SOURCE] * n, "_line": list(range(2, n + 2)),
        "subject": [f"Complaint about the {ITEMS[i % 8]} from order {5500 + i}" for i in range(n)], "body": bodies,
    }), curated / "SUPPORT_TICKETS.csv.parquet")


@pytest.fixture(scope="module")
def dag(airflow_db):
    from airflow.dag_processing.dagbag import BundleDagBag  # adds the folder to sys.path, as the dags bundle does

    return BundleDagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"], bundle_path=Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])).dags["headwater_finetune"]


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("HEADWATER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AIRFLOW_CONN_KFP_DEFAULT", raising=False)  # no connection: the embedded kfp.local mode
    return tmp_path / "data"


def states(run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def test_dag_shape(dag) -> None:
    assert {t.task_id for t in dag.tasks} == {"export_examples", "decide", "skip_finetune", "finetune", "record"}
    assert dag.task_dict["decide"].downstream_task_ids == {"finetune", "skip_finetune"}
    assert type(dag.task_dict["finetune"]).__name__ == "KubeflowPipelineOperator"
    assert dag.task_dict["finetune"].kfp_conn_id == "kfp_default"
    assert [(a.name, a.uri) for a in dag.timetable.asset_condition.objects] == [
        ("headwater-curated", os.environ.get("HEADWATER_CURATED_ASSET_URI", "file:///headwater/curated"))]
    assert set(dag.params) == {"base_model", "lora_r", "lora_alpha", "epochs", "min_new_examples", "force", "fields"}
    assert dag.max_active_runs == 1


def test_too_few_new_examples_skip_the_finetune(dag, data_dir) -> None:
    from headwater.finetune.registry import ModelRegistry

    write_curated(data_dir, 10)  # 20 examples (10 chunks + 10 subjects) < min_new_examples=50
    run = dag.test()
    assert run.state == "success"
    assert states(run) == {"export_examples": "success", "decide": "success", "skip_finetune": "success",
                           "finetune": "skipped", "record": "skipped"}
    assert ModelRegistry(data_dir).latest() is None


def test_local_finetune_end_to_end_then_nothing_new_skips(dag, data_dir) -> None:
    """A real 4-bit QLoRA fine-tune through the operator's kfp.local mode (about 30 s on 2 cores)."""
    from headwater.finetune.registry import ModelRegistry

    write_curated(data_dir, 40)  # 80 examples
    run = dag.test(run_conf={"epochs": 1, "lora_r": 4, "lora_alpha": 8, "min_new_examples": 60})
    assert run.state == "success"
    assert states(run) == {"export_examples": "success", "decide": "success", "skip_finetune": "skipped",
                           "finetune": "success", "record": "success"}

    record = ModelRegistry(data_dir).latest()
    assert record["mode"] == "local"
    assert record["model_version"].startswith("headwater-qlora-")
    assert record["examples"]["count"] == 80
    assert record["parameters"]["lora_r"] == 4 and record["parameters"]["epochs"] == 1.0
    assert Path(record["adapter_path"], "adapter_config.json").is_file()
    assert [(r["model"], r["precision"], r["status"]) for r in record["eval_rows"]] == [
        (m, p, "ok") for m in ("base", "adapted") for p in ("full", "int8", "nf4")]
    assert ModelRegistry(data_dir).example_ids(record["model_version"]) == {
        *(f"chunk{i:04d}" for i in range(40)), *(_subject_ids(40))}

    rerun = dag.test(run_conf={"min_new_examples": 1})
    assert states(rerun)["finetune"] == "skipped" and states(rerun)["skip_finetune"] == "success"
    assert ModelRegistry(data_dir).latest() == record


def _subject_ids(n: int) -> set[str]:
    from headwater.ids import stable_id

    return {stable_id("finetune-field", SOURCE, f"row{i:04d}", "subject") for i in range(n)}
