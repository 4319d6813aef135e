"""headwater_ingest on a real CeleryExecutor cluster (scripts/cluster.py), triggered through the REST API as a user would.

One cluster for the module (PostgreSQL, Redis, moto S3, scheduler, dag-processor, api-server,
triggerer, two Celery workers), brought up by the code ``make cluster`` runs, under a fresh
home folder, and wiped afterwards. The sample landing zone is uploaded to S3; the reference is
the embedded single-machine run (``headwater run``: SQLite, local landing folder, local data
root) of the same input; the cluster's data root is on S3 (``s3://headwater/data``), read here
through UPath with the cluster's AWS variables. The tests run in file order and build on each other (one day, several runs of it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import pytest

import cluster as cluster_script  # scripts/cluster.py (scripts/ is on sys.path: tests/conftest.py)

pytestmark = pytest.mark.cluster

PROJECT = Path(__file__).resolve().parents[2]
DATE = "2026-11-20"
DAG = "headwater_ingest"
SAMPLE = PROJECT / "sample_data" / "landing" / DATE
FILES = 7  # landing files in SAMPLE


@pytest.fixture(scope="module")
def digest_key() -> Iterator[str]:
    """One HEADWATER_PII_DIGEST_KEY for the single-machine run and every cluster process: a masked row's id hashes the
    keyed digest of what its mask hid, and each data root would otherwise make its own key (README: set it wherever
    several data roots must give the same row ids)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HEADWATER_PII_DIGEST_KEY", "cluster-test-digest-key")
        yield "cluster-test-digest-key"


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, digest_key: str) -> Path:
    """The data root of the embedded single-machine run of the sample day (``headwater run``: SQLite, local landing)."""
    home = tmp_path_factory.mktemp("reference")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "HEADWATER_STATE_URL", "HEADWATER_DATA_DIR"))}
    env.update(HEADWATER_HOME=str(home), HEADWATER_LANDING_URI=(PROJECT / "sample_data" / "landing").as_uri())
    done = subprocess.run([sys.executable, "-c", "from headwater.cli import main; raise SystemExit(main(['run', '--date', '2026-11-20']))"],
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return home / "data"


@pytest.fixture(scope="module")
def cluster(reference: Path):
    """The running cluster (``scripts/cluster.py up``) with the sample day on S3 and the DAG unpaused; wiped afterwards."""
    # not under pytest's tmp folders (mode 0700): PostgreSQL runs as user postgres when tests run as root
    home = Path(tempfile.mkdtemp(prefix="headwater-cluster-"))
    home.chmod(0o755)
    try:
        running = cluster_script.up(home)
        os.environ.update(running.aws_env())  # this process reads the cluster's S3 data root (UPath, LanceDB)
        running.upload(SAMPLE, DATE)
        running.api("PATCH", f"/dags/{DAG}", {"is_paused": False})
        yield running
    finally:
        cluster_script.down(home, wipe=True)


def _files(root: Path | str, kind: str, suffix: str) -> dict[str, bytes]:
    """The bytes of every ``*suffix`` file under ``<root>/<kind>/`` (a local folder or an s3:// URI), by
    path relative to it: the data roots differ only in their prefix."""
    import fsspec

    fs, base = fsspec.core.url_to_fs(f"{root}/{kind}" if isinstance(root, str) else str(root / kind))
    found = sorted(p for p in fs.find(base) if p.endswith(suffix))
    return {p[len(base.rstrip("/")) + 1:]: fs.cat_file(p) for p in found}


def _tables(root: Path | str, kind: str) -> dict[str, object]:
    import io

    import pyarrow.parquet as pq

    return {name: pq.read_table(io.BytesIO(data)) for name, data in _files(root, kind, ".parquet").items()}


def _vector_ids(root: Path | str) -> list[str]:
    from headwater.embed.store import VectorStore

    return sorted(VectorStore(f"{root}/vectors" if isinstance(root, str) else root / "vectors").ids())


def _ledger(where: Path | str) -> dict[str, tuple]:
    from headwater.ledger import Ledger

    return {e.source: (e.fingerprint, e.outcome) for e in Ledger(where).entries() if e.source.startswith(DATE)}


def _report(root: Path | str) -> dict:
    from headwater.layout import Layout
    from headwater.storage import read_json

    return read_json(Layout(root, DATE).report())


def assert_same_outputs(running, reference: Path) -> None:
    """Curated tables, quarantine rows, chunks and vector ids equal the single-machine run's; no duplicate vector; the same ledger."""
    data = running.data_dir
    for kind in ("curated", "chunks"):
        got, want = _tables(data, kind), _tables(reference, kind)
        assert sorted(got) == sorted(want)
        for name in want:
            assert got[name].equals(want[name]), f"{kind}/{name} differs from the single-machine run"
    assert _files(data, "quarantine", ".jsonl") == _files(reference, "quarantine", ".jsonl")
    ids = _vector_ids(data)
    assert len(ids) == len(set(ids)), "duplicate vector ids"
    assert ids == _vector_ids(reference)
    assert len(ids) == 34  # the sample day: 34 chunks and row documents (the 4 customers with no note are row documents, rd12)
    from headwater.layout import Layout

    cluster_ledger = _ledger(running.db_url("headwater"))
    assert len(cluster_ledger) == FILES
    assert cluster_ledger == _ledger(Layout(reference).ledger)


def _kill_worker_during(running, run_id: str, task_id: str, timeout_s: float = 600) -> tuple[int, str]:
    """Wait for a running ``task_id`` instance of the run, SIGKILL its worker's whole process group; (map index, worker name)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for ti in running.task_instances(DAG, run_id):
            if ti["task_id"] == task_id and ti["state"] == "running" and ti["hostname"] in cluster_script.WORKERS:
                pid = cluster_script.read_pid(running, ti["hostname"])
                os.killpg(pid, signal.SIGKILL)  # the worker, its pool processes and the task process, with no goodbye
                return ti["map_index"], ti["hostname"]
        time.sleep(0.5)
    raise AssertionError(f"no {task_id} instance was seen running within {timeout_s:.0f} s")


_STATE: dict[str, object] = {}


def test_a_worker_killed_mid_embed_the_task_is_retried_on_the_other_and_outputs_match_one_machine(cluster, reference) -> None:
    started = time.monotonic()
    cluster.trigger(DAG, DATE, "first")
    map_index, killed = _kill_worker_during(cluster, "first", "index_file.embed")
    run = cluster.wait_run(DAG, "first")
    _STATE["first_s"] = time.monotonic() - started
    assert run["state"] == "success"
    tis = cluster.task_instances(DAG, "first")
    retried = next(t for t in tis if t["task_id"] == "index_file.embed" and t["map_index"] == map_index)
    assert retried["state"] == "success" and retried["try_number"] >= 2
    assert retried["hostname"] != killed and retried["hostname"] in cluster_script.WORKERS
    # tasks ran on both workers
    assert {t["hostname"] for t in tis if t["state"] == "success"} == set(cluster_script.WORKERS)
    report = _report(cluster.data_dir)
    assert report["failed"] == [] and report["this_run"]["files_processed"] == FILES
    assert_same_outputs(cluster, reference)
    cluster_script.up(cluster.home)  # idempotent: only the killed worker starts again
    assert all(cluster_script.status(cluster.home).values())


def test_two_runs_of_one_date_at_once_never_both_write(cluster, reference) -> None:
    # Airflow refuses a second run with the same logical date (409, unique constraint) ...
    with pytest.raises(urllib.error.HTTPError) as refused:
        cluster.trigger(DAG, DATE, "same-logical-date")
    assert refused.value.code == 409
    # ... so two runs of one landing date are two logical dates whose date_from/date_to name it, as a
    # backfill of a range does. Both forced (every file must be written), triggered at the same moment,
    # HEADWATER_MAX_ACTIVE_RUNS at its default (2): they run together, and each file is claimed by one.
    day = {"date_from": DATE, "date_to": DATE, "force": True}
    runs = {"left": "2026-11-21", "right": "2026-11-22"}
    at_once = threading.Barrier(len(runs))

    def trigger(run_id: str) -> None:
        at_once.wait()
        cluster.trigger(DAG, runs[run_id], run_id, day)

    threads = [threading.Thread(target=trigger, args=(run_id,)) for run_id in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ended = {run_id: cluster.wait_run(DAG, run_id) for run_id in runs}
    assert {run["state"] for run in ended.values()} == {"success"}
    first, second = sorted(ended.values(), key=lambda r: r["start_date"])
    assert second["start_date"] < first["end_date"], "the two runs did not run at once"

    def states(run_id: str) -> tuple[dict[tuple[str, str], str], dict[str, int]]:
        """({(task, file name): state} of the run's process_file tasks, {file name: map index})."""
        tis = cluster.task_instances(DAG, run_id)
        names = {t["map_index"]: t["rendered_map_index"] for t in tis if t["task_id"] == "process_file.check"}
        got = {(t["task_id"].split(".")[-1], names[t["map_index"]]): t["state"] for t in tis if t["task_id"].startswith("process_file.")}
        return got, {name: index for index, name in names.items()}

    def decision(run_id: str, map_index: int) -> dict:
        """What the run's `check` of one file decided (its XCom: a batch of one)."""
        path = f"/dags/{DAG}/dagRuns/{run_id}/taskInstances/process_file.check/xcomEntries/return_value?map_index={map_index}"
        (only,) = cluster.api("GET", path)["value"]
        return only

    seen = {run_id: states(run_id) for run_id in runs}
    names = sorted(seen["left"][1])
    assert len(names) == FILES and sorted(seen["right"][1]) == names
    writer = {}
    for name in names:
        ingested = [run_id for run_id in runs if seen[run_id][0][("ingest", name)] == "success"]
        assert len(ingested) == 1, f"{name}: ingested by {ingested}"  # one run wrote it ...
        other = next(run_id for run_id in runs if run_id not in ingested)
        assert seen[other][0][("ingest", name)] == seen[other][0][("unchanged", name)] == "skipped"  # ... the other left it alone,
        held = decision(other, seen[other][1][name])  # ... because the first had claimed it
        assert held["claimed"] is True and held["process"] is False, held
        assert held["reason"].startswith(f"claimed by run {ingested[0]} (process_file.check["), held
        writer[name] = ingested[0]
    from headwater.events import dag_run_of

    # the date's report is the last run's: it accounts for its own files and names the other run's as claimed
    report = _report(cluster.data_dir)
    last = dag_run_of(report["run_id"])  # the run key is "<run id>#<clear number>"
    assert report["failed"] == [] and all(f["accounted"] for f in report["files"])
    assert sorted(f["file"] for f in report["files"]) == sorted(n for n, w in writer.items() if w == last)
    skipped = {s["file"]: s["reason"] for s in report["skipped"]}
    assert sorted(skipped) == sorted(n for n, w in writer.items() if w != last)
    assert all(reason.startswith("claimed by run ") for reason in skipped.values()), skipped
    _STATE["split"] = {run_id: sum(1 for w in writer.values() if w == run_id) for run_id in runs}
    assert_same_outputs(cluster, reference)


def test_a_rerun_is_a_noop(cluster, reference) -> None:
    # a re-run of the date: the first run cleared, as the UI's "Clear" does (same run id, next clear number)
    cluster.api("POST", f"/dags/{DAG}/dagRuns/first/clear", {"dry_run": False})
    assert cluster.wait_run(DAG, "first")["state"] == "success"
    report = _report(cluster.data_dir)
    assert report["run_id"] == "first#1"
    assert report["this_run"] == {"embedding_calls": 0, "files_processed": 0, "files_relinked": 0, "files_unchanged": FILES, "rows_recomputed": 0}
    assert_same_outputs(cluster, reference)
    print(json.dumps({"first_run_s": round(_STATE.get("first_s", 0.0)), "files_per_run_at_once": _STATE.get("split")}))
