"""Every DAG imports cleanly, is tagged, retries, and stays light at parse time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DAGS = Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
HEAVY = [
    "torch", "pandas", "sentence_transformers", "lancedb", "transformers", "pyarrow",
    "headwater.ingest.stage", "headwater.clean.stage", "headwater.chunk.stage", "headwater.embed.stage",
]


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import BundleDagBag  # adds the folder to sys.path, as the dags bundle does

    return BundleDagBag(dag_folder=str(DAGS), bundle_path=DAGS)


def test_no_import_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert "headwater_ingest" in dagbag.dags


def test_every_dag_is_tagged_documented_and_retries(dagbag) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.doc_md, f"{dag_id} has no doc_md"
        for task in dag.tasks:
            assert task.retries >= 2, f"{dag_id}.{task.task_id} retries={task.retries}"


def test_ingest_dag_shape(dagbag) -> None:
    dag = dagbag.dags["headwater_ingest"]
    assert {t.task_id for t in dag.tasks} == {
        "discover", "process_file.check", "process_file.unchanged", "process_file.ingest", "process_file.clean", "link",
        "index_file.chunk", "index_file.embed", "index_file.release", "report",
    }
    assert dag.catchup is True
    assert dag.task_dict["process_file.ingest"].retry_exponential_backoff
    assert dag.task_dict["report"].trigger_rule == "all_done"
    assert [o.name for o in dag.task_dict["report"].outlets] == ["headwater-curated"]
    assert dag.max_active_runs == 2
    assert dag.task_dict["index_file.embed"].max_active_tis_per_dagrun == 2
    assert dag.task_dict["index_file.embed"].queue == "default"  # HEADWATER_EMBED_QUEUE (the chart's GPU worker: "gpu")
    assert dag.task_dict["link"].trigger_rule == "all_done"
    assert dag.task_dict["link"].max_active_tis_per_dag == 1  # link steps of two runs never overlap
    assert set(dag.params) == {"force", "dry_run", "file_glob", "date_from", "date_to"}
    assert all(t.on_failure_callback for t in dag.tasks)
    assert dag.task_dict["index_file.release"].trigger_rule == "all_done"  # a file's claim is released when its group ends, however


def test_link_and_report_wait_for_every_task_of_every_file_group(dagbag) -> None:
    """The cluster re-run flake: `unchanged` had no downstream, so on a re-run (every file unchanged, clean
    skipped at once) link and report ran while some `unchanged` tasks were still queued, and the report
    counted 6 of 7 files unchanged. Now both wait for every task of both groups."""
    dag = dagbag.dags["headwater_ingest"]

    def upstream(task_id: str) -> set[str]:
        return {t.task_id for t in dag.task_dict[task_id].get_flat_relatives(upstream=True)}

    process_file = {t for t in dag.task_dict if t.startswith("process_file.")}
    assert process_file <= upstream("link")
    assert process_file | {t for t in dag.task_dict if t.startswith("index_file.")} | {"discover", "link"} == upstream("report")


def test_monitor_dag_shape(dagbag) -> None:
    """Hourly, no catch-up (a missed hour is not worth re-checking), one run at a time, four independent checks,
    the Pushgateway pruning, and the vector compaction after the retrieval smoke test whatever its outcome."""
    dag = dagbag.dags["headwater_monitor"]
    assert {t.task_id for t in dag.tasks} == {"landing", "freshness", "quarantine_spike", "retrieval_smoke", "prune_metrics", "compact_vectors"}
    assert dag.timetable.expression == "0 * * * *"  # @hourly
    assert dag.catchup is False and dag.max_active_runs == 1
    assert {t.task_id: t.upstream_task_ids for t in dag.tasks if t.upstream_task_ids} == {"compact_vectors": {"retrieval_smoke"}}
    assert dag.task_dict["compact_vectors"].trigger_rule == "all_done"  # a failing check never skips the compaction


def test_finetune_task_counts_its_run_for_the_gpu_scaler(dagbag) -> None:
    task = dagbag.dags["headwater_finetune"].task_dict["finetune"]
    assert task.on_execute_callback and task.on_retry_callback and task.on_success_callback


def test_both_dags_share_the_common_pieces(dagbag) -> None:
    """One failure alert, one curated asset, one start date: headwater_common, imported by both DAG files."""
    import headwater_common  # on sys.path as the dags bundle puts it (BundleDagBag)

    ingest, finetune, monitor = (dagbag.dags[d] for d in ("headwater_ingest", "headwater_finetune", "headwater_monitor"))
    for dag in (ingest, finetune, monitor):
        # the finetune task also ends its run's count in headwater_finetune_runs (after the alert)
        callbacks = {t.task_id: t.on_failure_callback[:1] for t in dag.tasks}
        assert callbacks == {t.task_id: [headwater_common.on_failure] for t in dag.tasks}, dag.dag_id
        assert dag.start_date == headwater_common.START_DATE
    assert {t.task_id: len(t.on_failure_callback) for t in finetune.tasks if len(t.on_failure_callback) > 1} == {"finetune": 2}
    assert ingest.task_dict["report"].outlets == [headwater_common.CURATED]
    assert list(finetune.timetable.asset_condition.objects) == [headwater_common.CURATED]
    assert finetune.task_dict["export_examples"].inlets == [headwater_common.CURATED]


@pytest.mark.parametrize("dag_file", sorted(p.name for p in DAGS.glob("*.py")))
def test_no_heavy_imports_at_parse_time(dag_file: str) -> None:
    """Parsing a DAG file must not pull in pandas, torch or the model libraries."""
    code = (
        "import importlib.util, json, sys\n"
        f"sys.path.append({str(DAGS)!r})\n"  # as the dags bundle does
        f"spec = importlib.util.spec_from_file_location('d', {str(DAGS / dag_file)!r})\n"
        "mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy())
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
