"""headwater_finetune in real Airflow runs (dag.test): the skip branch, and one real local QLoRA fine-tune."""

from __future__ import annotations

import json
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


def main_section(log_file: Path) -> list[str]:
    """The events of a task log file (JSON lines) that the Airflow UI shows outside any collapsible group.

    The UI (airflow/ui, Airflow 3.3's log viewer) opens a group at an event containing ``::group::``
    and closes the innermost one at ``::endgroup::``; the task runner wraps its own pre- and
    post-execution lines in such groups (``::group::Pre Execute``, ``::group::Post Execute``).
    """
    shown, depth = [], 0
    for line in log_file.read_text(encoding="utf-8").splitlines():
        event = str(json.loads(line).get("event", ""))
        if "::group::" in event:
            depth += 1
        elif "::endgroup::" in event:
            depth = max(depth - 1, 0)
        elif depth == 0:
            shown.append(event)
    return shown


def run_like_the_cli(dag_id: str, date: str, conf: dict) -> str:
    """Run ``dag_id`` for ``date`` as ``headwater finetune`` does (``python -m headwater_local.run_date``, a
    process of its own, so its output reaches the task log files); returns the run id."""
    import re
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "headwater_local.run_date", dag_id, date, "--conf", json.dumps(conf)],
                          capture_output=True, text=True, timeout=900)
    found = re.search(rf"^{dag_id} (\S+): (\w+)$", done.stdout, re.MULTILINE)
    assert done.returncode == 0 and found and found[2] == "success", done.stdout[-3000:] + done.stderr[-3000:]
    return found[1]


def task_instances(dag_id: str, run_id: str) -> dict:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        tis = session.scalars(select(TaskInstance).where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)).all()
        session.expunge_all()
    return {ti.task_id: ti for ti in tis}


def log_of(tis: dict, task_id: str) -> Path:
    from headwater_local.run_date import task_log_path

    return task_log_path(tis[task_id])


def test_local_finetune_end_to_end_then_nothing_new_skips(airflow_db, data_dir, pushgateway, monkeypatch) -> None:
    """A real 4-bit QLoRA fine-tune through the operator's kfp.local mode (about 30 s on 2 cores), run as
    `headwater finetune` runs it (headwater_local.run_date: dag.test with each task's output in its log file)."""
    from headwater.finetune.registry import ModelRegistry
    from headwater.finetune.report import format_eval_table
    from headwater.layout import Layout

    monkeypatch.setenv("HEADWATER_PUSHGATEWAY_URL", pushgateway)
    write_curated(data_dir, 40)  # 80 examples
    run = task_instances("headwater_finetune", run_like_the_cli(
        "headwater_finetune", "2026-11-20", {"epochs": 1, "lora_r": 4, "lora_alpha": 8, "min_new_examples": 60}))
    assert {task_id: ti.state for task_id, ti in run.items()} == {
        "export_examples": "success", "decide": "success", "skip_finetune": "skipped", "finetune": "success", "record": "success"}
    # decide counted the run as pending, the finetune task as running, its success removed it
    assert json.loads(Layout(data_dir).finetune_active_runs.read_text()) == {}
    pushed = _pushed(pushgateway)
    assert (pushed[("headwater_finetune_runs", "pending")], pushed[("headwater_finetune_runs", "running")]) == (0, 0)

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
    # the eval table on the Pushgateway, per model and precision (int8 too: bitsandbytes runs it on CPU here)
    assert {k: v for k, v in pushed.items() if k[0] == "headwater_finetune_eval_perplexity"} == {
        ("headwater_finetune_eval_perplexity", f"{r['model']} {r['precision']}"): r["perplexity"] for r in record["eval_rows"]}

    # the eval table, row by row, in the main section of the `record` task's log file (the file the UI shows)
    table = format_eval_table(record).splitlines()
    assert [row.split()[0] for row in table[3:6]] == ["full", "int8", "nf4"]
    shown = main_section(log_of(run, "record"))
    assert shown[shown.index(table[0]):][: len(table)] == table

    rerun = task_instances("headwater_finetune", run_like_the_cli("headwater_finetune", "2026-11-21", {"min_new_examples": 1}))
    assert rerun["finetune"].state == "skipped" and rerun["skip_finetune"].state == "success"
    assert ModelRegistry(data_dir).latest() == record
    shown = main_section(log_of(rerun, "skip_finetune"))  # the model that stays, with its table
    assert shown[shown.index("the current model stays:"):][: len(table) + 1] == ["the current model stays:", *table]


def _pushed(gateway: str) -> dict[tuple[str, str], float]:
    """Headwater's samples on the Pushgateway as (name, label values joined by a space) -> value."""
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    text = urllib.request.urlopen(f"{gateway}/metrics", timeout=5).read().decode()
    return {
        (s.name, " ".join(s.labels[k] for k in ("state", "model", "precision") if k in s.labels)): s.value
        for family in text_string_to_metric_families(text) for s in family.samples if s.name.startswith("headwater_finetune")
    }


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
