"""Two runs of one landing date: a file another run holds is skipped with the reason and not written (dag.test).

The other run is stood in for by its claim row (headwater.claims), as a run in progress on another
worker leaves it; each test gets its own landing zone and Headwater home.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

DAY = "2026-11-12"
FILES = {
    "tickets.csv": "TICKET_ID,BODY\nT-1,The outsole of my trail shoe separated after two weeks.\nT-2,My invoice lists the wrong billing address.\n",
    "customers.csv": "Customer ID,Full Name\nC-1,Ada Lovelace\nC-2,Grace Hopper\nC-3,Linus Torvalds\n",
}
OTHER = "scheduled__2026-11-12T00:00:00+00:00"  # the run holding tickets.csv


@pytest.fixture
def zone(landing_zone) -> Path:
    return landing_zone({DAY: FILES})


@pytest.fixture(scope="module")
def dag(ingest_dag):
    return ingest_dag


def _run(dag, **conf):
    from headwater.config.settings import Settings
    from headwater.layout import Layout
    from headwater.storage import read_json

    run = dag.test(logical_date=datetime(2026, 11, 12, tzinfo=timezone.utc), run_conf={"force": False, "dry_run": False, **conf})
    assert run.state == "success", [(ti.task_id, ti.map_index, ti.state) for ti in run.get_task_instances()]
    states = {}
    tis = run.get_task_instances()
    names = {ti.map_index: ti.rendered_map_index for ti in tis if ti.task_id == "process_file.check"}
    for ti in tis:
        if ti.task_id.startswith("process_file."):
            states[(ti.task_id.split(".")[-1], names.get(ti.map_index))] = ti.state
    return run, states, read_json(Layout(Settings.from_env().data_dir, DAY).report())


def _outputs() -> dict[str, str]:
    """sha256 of every file under the data root's curated, manifests and chunks folders, by relative path."""
    from headwater.config.settings import Settings

    root = Settings.from_env().data_dir
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for area in ("curated", "manifests", "chunks") if (root / area).exists()
        for p in sorted((root / area).rglob("*")) if p.is_file()
    }


def _claims(lease_s: float = 600, clock=time.time):  # noqa: ANN001, ANN202 - a clock callable; headwater.claims.Claims
    from headwater.claims import Claims
    from headwater.config.settings import Settings
    from headwater.layout import Layout

    return Claims(Layout(Settings.from_env().data_dir).ledger, lease_s, clock)


def _ledger() -> dict[str, tuple]:
    from headwater.config.settings import Settings
    from headwater.ledger import Ledger

    return {e.source: (e.fingerprint, e.outcome, e.updated_at) for e in Ledger.for_settings(Settings.from_env()).entries()}


def test_a_second_run_skips_the_file_another_run_holds_writes_nothing_of_it_and_accounts_for_the_rest(dag, zone) -> None:
    from headwater.claims import CLEANED

    _, _, first = _run(dag)
    assert first["this_run"]["files_processed"] == 2 and first["failed"] == []
    before, ledger = _outputs(), _ledger()
    # another run of the date (a backfill naming it) is indexing tickets.csv right now
    held = _claims().claim(DAY, "tickets.csv", OTHER, "index_file.embed[0]", phase=CLEANED).claim

    run, states, second = _run(dag, force=True)
    reason = f"claimed by run {OTHER} (index_file.embed[0]) until {held.until}"
    assert states[("check", "tickets.csv")] == "success"
    assert states[("ingest", "tickets.csv")] == states[("unchanged", "tickets.csv")] == "skipped"
    assert states[("ingest", "customers.csv")] == "success"
    # tickets.csv: not one byte written, nor a ledger row; customers.csv: rewritten by the forced run
    after = _outputs()
    assert {k: v for k, v in after.items() if "tickets" in k} == {k: v for k, v in before.items() if "tickets" in k}
    assert _ledger()["2026-11-12/tickets.csv"] == ledger["2026-11-12/tickets.csv"]
    # the run accounts for what it processed and says why it left the other file alone
    # the date's report is whole: tickets.csv as its manifest stands (the other run's), customers.csv this run's
    assert [f["file"] for f in second["files"]] == ["customers.csv", "tickets.csv"]
    assert second["skipped"] == [{"file": "tickets.csv", "reason": reason}]
    assert second["failed"] == [] and all(f["accounted"] for f in second["files"])
    assert second["this_run"] == {"files_processed": 1, "files_relinked": 0, "files_unchanged": 0, "rows_recomputed": 3, "embedding_calls": 0}
    assert second["totals"]["rows_read"] == 5 and second["totals"]["curated"] + second["totals"]["duplicates"] + second["totals"]["quarantined"] == 5
    # the other run's claim is untouched; this run released its own
    claims = _claims()
    assert claims.holder(DAY, "tickets.csv") == held
    assert claims.holder(DAY, "customers.csv") is None

    # the other run ended (released): the next run takes the file again, and the date adds up whole
    claims.release(DAY, "tickets.csv", OTHER)
    _, states, third = _run(dag, force=True)
    assert states[("ingest", "tickets.csv")] == "success" and third["skipped"] == []
    assert third["this_run"]["files_processed"] == 2 and third["failed"] == [] and all(f["accounted"] for f in third["files"])
    assert third["totals"]["rows_read"] == first["totals"]["rows_read"] == 5
    tables = {k: v for k, v in before.items() if not k.startswith("manifests")}  # manifests carry run ids and timings
    assert {k: v for k, v in _outputs().items() if not k.startswith("manifests")} == tables  # forced re-runs: the same bytes


def test_an_expired_claim_of_a_dead_run_is_taken_over(dag, zone) -> None:
    # a run whose worker was SIGKILLed an hour ago while it ingested tickets.csv: its lease has lapsed
    _claims(lease_s=600, clock=lambda: time.time() - 3600).claim(DAY, "tickets.csv", OTHER, "process_file.ingest[1]")
    _, states, report = _run(dag)
    assert states[("ingest", "tickets.csv")] == "success" and report["skipped"] == []
    assert report["this_run"]["files_processed"] == 2 and report["failed"] == []
    assert _claims().holder(DAY, "tickets.csv") is None  # taken over, then released when the run ended


def test_a_dry_run_reports_a_held_file_and_claims_nothing(dag, zone) -> None:
    from headwater.claims import CLEANED

    held = _claims().claim(DAY, "tickets.csv", OTHER, "process_file.clean[1]", phase=CLEANED).claim
    run = dag.test(logical_date=datetime(2026, 11, 12, tzinfo=timezone.utc), run_conf={"force": False, "dry_run": True})
    assert run.state == "success"
    check = {ti.rendered_map_index: ti for ti in run.get_task_instances() if ti.task_id == "process_file.check"}
    assert set(check) == set(FILES)
    claims = _claims()
    assert claims.holder(DAY, "tickets.csv") == held and claims.holder(DAY, "customers.csv") is None
