"""Daily runs, re-runs, backfills and crash recovery are safe to repeat (issue 4's four proofs).

Each test gets its own landing zone and Headwater home; the DAG reads both from the
environment when its tasks run, so ``dag.test()`` in this process uses them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
DAYS = [f"2026-11-{d:02d}" for d in range(2, 9)]  # after the DAG start date (2026-11-01)


TOPICS = [
    "the outsole of my trail shoe separated from the upper after weeks of running",
    "my invoice lists the wrong billing address and needs to be corrected",
    "the checkout page fails with an error whenever I enter my card details",
    "I want to return a jacket that arrived in the wrong colour and size",
    "the tracking number for my parcel has not updated since last Monday",
    "please cancel my subscription renewal before it charges my card again",
    "the zipper on the backpack broke on the second day of the hiking trip",
    "can you recommend waterproof gloves for winter cycling in heavy rain",
    "two items were missing from the box even though the packing slip lists them",
    "the discount code from your newsletter is rejected as expired at checkout",
    "my account is locked after too many password attempts and reset emails never arrive",
    "the tent poles snapped in moderate wind on the first night of camping",
    "I was charged twice for the same order according to my bank statement",
    "is there a store in Lyon where I can try the hiking boots before buying",
    "the headlamp battery drains overnight even when the lamp is switched off",
    "delivery was left at the wrong address and the neighbour never received it",
    "please update my email preferences so I only receive order confirmations",
    "the sleeping bag zipper keeps catching the lining and has now torn it",
    "your size chart for running tights does not match the actual fit at all",
    "I need a VAT invoice with my company name for the climbing harness purchase",
    "the water filter cartridge cracked after freezing during an alpine tour",
]
NAMES = ["Ada", "Grace", "Linus", "Barbara", "Ken", "Margaret", "Edsger", "Frances", "Donald", "Radia"]


def _day_files(day: str) -> dict[str, str]:
    """Three distinct tickets and four customers per day (distinct enough not to be near duplicates)."""
    n = int(day[-2:])
    tickets = [TOPICS[((n - 2) * 3 + i) % len(TOPICS)] for i in range(3)]  # every day its own three
    return {
        "tickets.csv": "TICKET_ID,BODY\n" + "".join(f"T-{n}{i},Ticket {n}.{i}: {t}.\n" for i, t in enumerate(tickets)),
        "customers.csv": "Customer ID,Full Name\n"
        + "".join(f"C-{n}{i},{NAMES[(n + i) % 10]} {NAMES[(n * 3 + i * 7) % 10]}son\n" for i in range(4)),
    }


@pytest.fixture
def zone(landing_zone) -> Path:
    return landing_zone({day: _day_files(day) for day in DAYS})


@pytest.fixture(scope="module")
def dag(ingest_dag):
    return ingest_dag


def _run(dag, day: str, **conf):
    from headwater.config.settings import Settings
    from headwater.layout import Layout
    from headwater.storage import read_json

    # explicit defaults: dag.test() keeps a previous run's conf in the DAG's params
    conf = {"force": False, "dry_run": False, **conf}
    run = dag.test(logical_date=datetime.fromisoformat(day).replace(tzinfo=timezone.utc), run_conf=conf)
    assert run.state == "success", [(ti.task_id, ti.map_index, ti.state) for ti in _task_instances(run)]
    return run, read_json(Layout(Settings.from_env().data_dir, day).report())


def _curated_hashes(day: str) -> dict[str, str]:
    from headwater.config.settings import Settings

    folder = Settings.from_env().data_dir / "curated" / f"date={day}"
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.parquet"))}


def _vector_count() -> int:
    from headwater.config.settings import Settings
    from headwater.embed.store import VectorStore

    return VectorStore(Settings.from_env().data_dir / "vectors").count()


def _task_instances(run) -> list:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        tis = session.scalars(select(TaskInstance).where(TaskInstance.run_id == run.run_id)).all()
        session.expunge_all()
    return tis


def _states(run) -> dict[tuple[str, str], str]:
    tis = _task_instances(run)
    names = {ti.map_index: ti.rendered_map_index for ti in tis if ti.task_id == "process_file.check"}
    # index_file is mapped over the link step's list, not over the files: its map indexes are its own
    return {(ti.task_id.split(".")[-1], names.get(ti.map_index) if ti.task_id.startswith("process_file.") else ti.rendered_map_index): ti.state
            for ti in tis}


def test_a_same_date_three_times_gives_identical_outputs(dag, zone) -> None:
    day = DAYS[0]
    _, first = _run(dag, day)
    hashes, vectors = _curated_hashes(day), _vector_count()
    assert first["this_run"]["files_processed"] == 2 and vectors == 3
    run2, second = _run(dag, day)
    states = _states(run2)  # read now: dag.test of the same date replaces the previous run
    _, third = _run(dag, day, force=True)  # recomputing everything must give the same bytes
    assert _curated_hashes(day) == hashes and _vector_count() == vectors
    assert second["this_run"] == {"files_processed": 0, "files_relinked": 0, "files_unchanged": 2, "rows_recomputed": 0, "embedding_calls": 0}
    assert third["this_run"]["files_processed"] == 2 and third["this_run"]["embedding_calls"] == 0, third  # cache
    assert states[("unchanged", "tickets.csv")] == "success", states
    assert states[("ingest", "tickets.csv")] == "skipped" and ("embed", "tickets.csv") not in states  # nothing to index again


def test_c_backfill_then_rerun_recomputes_nothing(dag, zone) -> None:
    for day in DAYS:
        _, rep = _run(dag, day)
        assert rep["this_run"]["rows_recomputed"] == 7 and rep["this_run"]["embedding_calls"] == 3
    assert _vector_count() == 3 * len(DAYS)
    for day in DAYS:
        _, rep = _run(dag, day)
        assert rep["this_run"] == {"files_processed": 0, "files_relinked": 0, "files_unchanged": 2, "rows_recomputed": 0, "embedding_calls": 0}
    assert _vector_count() == 3 * len(DAYS)


def test_d_one_changed_file_is_the_only_one_reprocessed(dag, zone) -> None:
    day = DAYS[1]
    _run(dag, day)
    before = _curated_hashes(day)
    (zone / day / "tickets.csv").write_text(_day_files(day)["tickets.csv"] + "T-99,A brand new ticket about laces that snap.\n")
    run, rep = _run(dag, day)
    states = _states(run)
    assert states[("ingest", "tickets.csv")] == "success" and states[("unchanged", "tickets.csv")] == "skipped"
    assert states[("ingest", "customers.csv")] == "skipped" and states[("unchanged", "customers.csv")] == "success"
    assert rep["this_run"] == {"files_processed": 1, "files_relinked": 0, "files_unchanged": 1, "rows_recomputed": 4, "embedding_calls": 1}
    after = _curated_hashes(day)
    assert after["customers.csv.parquet"] == before["customers.csv.parquet"]
    assert after["tickets.csv.parquet"] != before["tickets.csv.parquet"]
    assert _vector_count() == 4


def test_e_a_file_re_delivered_under_another_name_is_reported_absent_not_processed(dag, zone) -> None:
    """breaker3 #7: the old name's outputs stay (nothing is deleted on an absence) but the report says so."""
    day = DAYS[2]
    _run(dag, day)
    (zone / day / "tickets.csv").rename(zone / day / "tickets_v2.csv")
    run, rep = _run(dag, day)
    by_file = {f["file"]: f for f in rep["files"]}
    assert [(name, f["action"], f["curated"]) for name, f in sorted(by_file.items())] == [
        ("customers.csv", "unchanged", 0), ("tickets.csv", "absent", 3), ("tickets_v2.csv", "processed", 3),
    ]
    # the new name holds the old one's bytes: both name each other (breaker3 #14), so the re-delivery is warned about too
    # customers.csv holds two of the shipped schema's columns: the four it lacks are schema-drift warnings (breaker4 #6)
    assert rep["absent_files"] == [f"{day}/tickets.csv"]
    assert rep["warned_files"] == [f"{day}/customers.csv", f"{day}/tickets.csv", f"{day}/tickets_v2.csv"]
    assert [w.split(" is not in the file")[0] for w in by_file["customers.csv"]["warnings"] if " is not in the file" in w] == [
        f"column {c!r} of schema 'customer'" for c in ("email", "signup_date", "lifetime_value", "notes")]
    assert by_file["tickets.csv"]["warnings"][0].startswith("no longer in the landing folder: its outputs (3 curated rows, 3 vectors) from run ")
    assert by_file["tickets.csv"]["warnings"][1].startswith(f"same content as {day}/tickets_v2.csv: one delivery under two names? ")
    assert [w.split(": one delivery under two names? ")[0] for w in by_file["tickets_v2.csv"]["warnings"]] == [f"same content as {day}/tickets.csv"]
    # the same texts under the new name: their embeddings are reused, none is sent to the model again
    assert rep["this_run"] == {"files_processed": 1, "files_relinked": 0, "files_unchanged": 1, "rows_recomputed": 3, "embedding_calls": 0}
    assert rep["failed"] == [] and rep["totals"]["curated"] == 6  # the customers' ids (C-40) fail the shipped pattern: quarantined


def test_dry_run_writes_nothing(dag, zone) -> None:
    from headwater.config.settings import Settings

    run, _ = _run_no_report(dag, DAYS[2], dry_run=True)
    assert not (Settings.from_env().data_dir / "curated").exists()
    assert {s for (task, _), s in _states(run).items() if task in ("ingest", "unchanged")} == {"skipped"}


def _run_no_report(dag, day, **conf):
    conf = {"force": False, "dry_run": False, **conf}
    run = dag.test(logical_date=datetime.fromisoformat(day).replace(tzinfo=timezone.utc), run_conf=conf)
    assert run.state == "success"
    return run, None


BIG_ROWS = 120_000


def _write_big_day(landing: Path, day: str) -> None:
    rows = "".join(f"{i},name {i % 977},{i * 7 % 1000}.5,city {i % 31}\n" for i in range(BIG_ROWS))
    (landing / day / "big.csv").write_text("Row ID,Full Name,Amount,City\n" + rows)


def test_b_sigkill_mid_write_leaves_no_partial_file_and_rerun_equals_clean_run(dag, zone, tmp_path, monkeypatch) -> None:
    """Kill `airflow dags test` with SIGKILL while a curated Parquet file is being written."""
    day = DAYS[3]
    _write_big_day(zone, day)
    config = tmp_path / "config"  # the project's sources, and no row documents: this test is about crashes, not
    config.mkdir()  # about embedding 120,000 row documents on CPU (what big.csv, a record table, would get by default)
    for source in (PROJECT / "config" / "sources").glob("*.yaml"):
        shutil.copy(source, config / source.name)
    (config / "default.yaml").write_text("rows: {mode: off}\n")
    monkeypatch.setenv("HEADWATER_CONFIG_DIR", str(config))
    # the killed run keeps its file claims (headwater.claims) until their lease lapses: every dag.test run has
    # its own run id (manual__<now>), so the re-run below takes big.csv over only then; a short lease keeps it quick
    monkeypatch.setenv("HEADWATER_CLAIM_LEASE_SECONDS", "10")
    home = Path(os.environ["HEADWATER_HOME"])
    curated = home / "data" / "curated" / f"date={day}"
    airflow = Path(sys.executable).with_name("airflow")
    proc = subprocess.Popen(
        [str(airflow), "dags", "test", "headwater_ingest", day],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy(), start_new_session=True,
    )
    killed_mid_write = False
    deadline = time.monotonic() + 240
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if curated.exists() and any(p.name.startswith(".big.csv.parquet.tmp-") for p in curated.iterdir()):
                os.killpg(proc.pid, signal.SIGKILL)  # the whole task process tree, no cleanup handlers
                killed_mid_write = True
                break
            time.sleep(0.002)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert killed_mid_write, "never caught the curated file mid-write"
    visible = [p.name for p in curated.iterdir() if not p.name.startswith(".")]
    assert "big.csv.parquet" not in visible  # the half-written file never appeared under its real name
    time.sleep(11)  # the dead run's lease on big.csv lapses (renewed at most until the kill)

    _, rep = _run(dag, day)  # the ledger says "did not finish": big.csv is reprocessed
    by_file = {f["file"]: f for f in rep["files"]}
    assert by_file["big.csv"]["rows_read"] == BIG_ROWS and by_file["big.csv"]["accounted"]
    assert not [p for p in curated.iterdir() if p.name.startswith(".")]  # temp files are gone too
    crashed = _curated_hashes(day)

    monkeypatch.setenv("HEADWATER_HOME", str(tmp_path / "clean-home"))
    _run(dag, day)
    assert _curated_hashes(day) == crashed
