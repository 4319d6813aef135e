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
def dag(load_dag):
    return load_dag("headwater_finetune")


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("HEADWATER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AIRFLOW_CONN_KFP_DEFAULT", raising=False)  # no connection: the embedded kfp.local mode
    return tmp_path / "data"


def states(run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def test_dag_shape(dag) -> None:
    assert {t.task_id for t in dag.tasks} == {"export_examples", "decide", "skip_finetune", "finetune", "record"}
    assert [a.name for a in dag.task_dict["export_examples"].inlets] == ["headwater-curated"]  # for inlet_events
    assert dag.task_dict["decide"].downstream_task_ids == {"finetune", "skip_finetune"}
    assert type(dag.task_dict["finetune"]).__name__ == "KubeflowPipelineOperator"
    assert dag.task_dict["finetune"].kfp_conn_id == "kfp_default"
    assert [(a.name, a.uri) for a in dag.timetable.asset_condition.objects] == [
        ("headwater-curated", os.environ.get("HEADWATER_CURATED_ASSET_URI", "file:///headwater/curated"))]
    assert set(dag.params) == {"base_model", "lora_r", "lora_alpha", "epochs", "min_new_examples", "force", "fields"}
    assert dag.max_active_runs == 1


@pytest.mark.parametrize(("force", "caching"), [(True, "False"), (False, "True")])
def test_a_forced_finetune_turns_kfp_caching_off(dag, force, caching) -> None:
    finetune = dag.task_dict["finetune"]
    assert "enable_caching" in finetune.template_fields
    assert dag.get_template_env().from_string(finetune.enable_caching).render(params={"force": force}) == caching


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


# ------------------------------------------------------------------ the export follows the asset events

D1, D2 = "2026-11-20", "2026-11-21"
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "landing" / D1
NEW_TICKETS = (
    "TICKET_ID,SUBJECT,BODY\n"
    "T-900,Broken zipper,The zipper on my new backpack split open on the first climb of the day.\n"
    "T-901,Late parcel,My parcel with the rain jacket has been stuck at the depot for nine days now.\n"
)
NO_TRAINING = {"min_new_examples": 1_000_000, "force": False, "fields": "all", "epochs": None}


@pytest.fixture
def zone(tmp_path, monkeypatch) -> Path:
    """Two sample files on D1 and a new ticket file on D2, with a Headwater home of their own."""
    import shutil

    for day, names in ((D1, ["SUPPORT_TICKETS.csv", "customers_eu.csv"]), (D2, [])):
        (tmp_path / "landing" / day).mkdir(parents=True)
        for name in names:
            shutil.copy(SAMPLE / name, tmp_path / "landing" / day / name)
    (tmp_path / "landing" / D2 / "tickets.csv").write_text(NEW_TICKETS)
    monkeypatch.setenv("HEADWATER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HEADWATER_LANDING_URI", (tmp_path / "landing").as_uri())
    monkeypatch.delenv("HEADWATER_DATA_DIR", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_KFP_DEFAULT", raising=False)
    return tmp_path / "home" / "data"


@pytest.fixture(scope="module")
def ingest_dag(load_dag):
    return load_dag("headwater_ingest")


def _ingest(ingest_dag, day: str):
    from datetime import datetime, timezone

    run = ingest_dag.test(logical_date=datetime.fromisoformat(day).replace(tzinfo=timezone.utc),
                          run_conf={"force": False, "dry_run": False})
    assert run.state == "success"
    return run


def _xcoms(run, task_id: str) -> dict:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(XComModel).filter_by(dag_id=run.dag_id, run_id=run.run_id, task_id=task_id).all()
        return {x.key: x.value for x in rows}


@pytest.fixture
def triggered_by(monkeypatch):
    """Make the next dag.test() run consume these asset events, as the scheduler's asset-triggered run does
    (dag.test itself always creates a manual run with none)."""
    import airflow.models.dagrun as dagrun_module

    real = dagrun_module.get_or_create_dagrun

    def use(event_ids: list[int]) -> None:
        def create(**kwargs):
            from airflow.models.asset import AssetEvent
            from sqlalchemy import select

            run = real(**kwargs)
            session = kwargs["session"]
            run.consumed_asset_events.extend(session.scalars(select(AssetEvent).where(AssetEvent.id.in_(event_ids))))
            session.commit()
            return run

        monkeypatch.setattr(dagrun_module, "get_or_create_dagrun", create)

    return use


def test_the_export_reads_only_the_files_the_asset_events_name(dag, ingest_dag, zone, curated_events, triggered_by,
                                                                  monkeypatch) -> None:
    """Ingest D1, fine-tune by hand (every file checked), ingest D2, fine-tune from D2's event: D2's tables only."""
    import pyarrow.parquet as pq

    from headwater.finetune.export import full_export_bytes

    run1 = _ingest(ingest_dag, D1)
    event1 = curated_events()[-1]
    assert event1[1:3] == ("headwater_ingest", run1.run_id)
    assert event1[3]["dates"][D1]["changed"] == [f"{D1}/SUPPORT_TICKETS.csv", f"{D1}/customers_eu.csv"]

    manual = dag.test(run_conf=NO_TRAINING)
    assert states(manual)["skip_finetune"] == "success"
    first = _xcoms(manual, "export_examples")
    assert first["update"] == {"mode": "full", "checked": 2, "rebuilt": 2, "removed": 0, "tables_read": 4}

    _ingest(ingest_dag, D2)
    event2 = curated_events()[-1]
    assert event2[3]["dates"] == {D2: {
        "files_processed": 1, "files_unchanged": 0, "rows_read": 2, "curated": 2, "duplicates": 0, "quarantined": 0,
        "chunks": 2, "vectors": 2, "failed": [], "changed": [f"{D2}/tickets.csv"]}}

    opened: list[str] = []

    class Counting(pq.ParquetFile):
        def __init__(self, source, *args, **kwargs):
            opened.append(str(Path(source).relative_to(zone)))
            super().__init__(source, *args, **kwargs)

    monkeypatch.setattr(pq, "ParquetFile", Counting)
    triggered_by([event2[0]])
    triggered = dag.test(run_conf=NO_TRAINING)
    assert states(triggered)["skip_finetune"] == "success"
    second = _xcoms(triggered, "export_examples")
    # events since the last export (D1's is re-read within the margin: its fingerprints match, nothing is read)
    assert second["update"] == {"mode": "events", "checked": 3, "rebuilt": 1, "removed": 0, "tables_read": 2}
    assert opened == [f"chunks/date={D2}/tickets.csv.parquet", f"curated/date={D2}/tickets.csv.parquet"]

    assert second["export"]["count"] == first["export"]["count"] + 6
    assert second["counts"] == {"total": second["export"]["count"], "new": second["export"]["count"],
                                "last_model_version": None}
    assert Path(second["export"]["path"]).read_bytes() == full_export_bytes(zone)
