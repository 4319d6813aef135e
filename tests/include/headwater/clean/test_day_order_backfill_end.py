"""bf11 (breaker8 #9, #10 and the review's mend): the day-order lines of every manifest are right once a backfill ends,
whatever order its dates' tasks ran in; the warnings quote the file's own values; a report reads each source's day-order
rows once.

breaker8 #9: after reverse-order runs, ``headwater backfill`` over the range ran 11-25 first: its file was unchanged and
skipped, and the skip computed its day-order lines again (headwater.decide.mark_unchanged) while 11-26 and 11-27 still
held their old reads, so it wrote "run those dates again" for the very dates the backfill reran next; nothing wrote 11-25
afterwards. It is not timing: the CLI runs the dates one after another, oldest first, so it happens on every such
backfill (breaker8's second try, bf2.sh, did not show it because another process wrote the same home meanwhile: its
ledger says 11-27 and 11-28 were processed while the backfill's runs of 11-25 and 11-26 only skipped). Both ends of a
run over several dates now compute the lines again once every date ran (headwater.report.refresh_day_orders_claimed:
the CLI backfill, and the DAG's report task of a run whose files span several dates)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import event

from test_day_order_backfill import CONFIG, DUE_27, STALE_26  # the patients source and the warnings of the day-order tests

from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.decide import decide, mark_unchanged
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.ledger import Ledger, fingerprint
from headwater.manifest import OK, FileRef
from headwater.report import report
from headwater.storage import read_json

# breaker8's in/landing_bf patients.csv
FILES = {
    "2026-11-25": "patient_id,dob\nP1,25/12/1958\nP2,03/04/1990\n",  # proves day first
    "2026-11-26": "patient_id,dob\nP2,03/04/1990\nP3,05/06/1970\n",  # shows nothing
    "2026-11-27": "patient_id,dob\nP4,12/31/1980\nP5,01/02/2000\n",  # proves month first
    "2026-11-28": "patient_id,dob\nP5,01/02/2000\nP6,07/08/1965\n",  # shows nothing
}
DAYS = sorted(FILES)
# what a run in date order writes, each quoting the file's own values (breaker8 #10: 03/04/2025 and 13/04/2025 were fixed)
IN_ORDER = {
    "2026-11-25": [],
    "2026-11-26": [
        "dob: 2 value(s) like 03/04/1990 read day first (3 April 1990) while no value of the file had shown the day order "
        "(as 13/04/1990 does): the order this source's dob showed on 2026-11-25 (patients.csv line 2: 25/12/1958), the "
        "latest earlier date that showed it; set schema.columns.dob.dayfirst if that is wrong — the value is stored, its "
        "text kept in dob__raw"
    ],
    "2026-11-27": [
        "dob: DAY ORDER CHANGED: this file's values show month first (line 2: 12/31/1980) where this source's dob showed day "
        "first on 2026-11-25 (patients.csv line 2: 25/12/1958) — did the source change its export? This file is read month "
        "first, as its values say, so 01/02/2000 here is 2 January 2000, where that date read such values day first (1 "
        "February 2000); set schema.columns.dob.dayfirst if one of them is wrong"
    ],
    "2026-11-28": [
        "dob: 2 value(s) like 01/02/2000 read month first (2 January 2000) while no value of the file had shown the day "
        "order (as 13/02/2000 does): the order this source's dob showed on 2026-11-27 (patients.csv line 2: 12/31/1980), "
        "the latest earlier date that showed it; set schema.columns.dob.dayfirst if that is wrong — the value is stored, "
        "its text kept in dob__raw"
    ],
}


def _settings(tmp_path: Path, state_url: str | None = None, names: tuple[str, ...] = ("patients",), visit: bool = False) -> Settings:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    for name in names:
        text = CONFIG % (name, name)
        (config / f"{name}.yaml").write_text(text.replace("    dob: {type: date}\n", "    dob: {type: date}\n    visit: {type: date}\n") if visit else text)
    more = {"state_url": state_url} if state_url else {}
    return Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config, **more)


def _run(settings: Settings, day: str, text: str, name: str = "patients.csv") -> dict:
    """One file's tasks as the DAG runs them (check, then ingest + clean + the ledger's record, or unchanged), then the
    date's report; returns the manifest with ``"processed"``."""
    ref = FileRef(day, name)
    decision = decide(text.encode(), ref, settings)
    if decision["process"]:
        ingest_file(text.encode(), ref, settings)
        clean_file(ref, settings)
        Ledger.for_settings(settings).record(ref.source, fingerprint(hashlib.sha256(text.encode()).hexdigest(), settings), OK)
    else:
        mark_unchanged(ref, settings, decision["reason"])
    report(day, [name], settings)  # the date's report task, at the end of its run
    return _manifest(settings, day, name) | {"processed": decision["process"]}


def _manifest(settings: Settings, day: str, name: str = "patients.csv") -> dict:
    return read_json(Layout(settings.data_dir, day).manifest(FileRef(day, name).key))


def _stored_report(settings: Settings, day: str) -> dict:
    return read_json(Layout(settings.data_dir, day).report())


def _backfill_end(settings: Settings, days: list[str]) -> list[str]:
    from headwater.report import refresh_day_orders_claimed  # new in bf11

    return refresh_day_orders_claimed(days, settings, "backfill-test", "backfill.refresh_day_orders")


def test_a_backfill_after_reverse_runs_ends_with_no_stale_line(tmp_path: Path, state_where: Path | str) -> None:
    """breaker8 #9 as bf.sh ran it: 11-28, 11-27, 11-26, 11-25, then a backfill 11-25..11-28 (the order that fails)."""
    settings = _settings(tmp_path, state_url=state_where if isinstance(state_where, str) else None)
    for day in reversed(DAYS):
        _run(settings, day, FILES[day])
    assert _manifest(settings, "2026-11-25")["day_order_warnings"] == [STALE_26, DUE_27]
    backfill = {day: _run(settings, day, FILES[day]) for day in DAYS}
    assert [backfill[d]["processed"] for d in DAYS] == [False, True, True, True]
    # the cause: 11-25 was skipped, and its lines computed, before 11-26 and 11-27 ran again
    assert backfill["2026-11-25"]["day_order_warnings"] == [STALE_26, DUE_27]
    assert _stored_report(settings, "2026-11-25")["files"][0]["day_order_warnings"] == [STALE_26, DUE_27]
    # the backfill's end: before, nothing rewrote them (only a second backfill did)
    assert _backfill_end(settings, DAYS) == ["2026-11-25/patients.csv"]
    first = _manifest(settings, "2026-11-25")
    assert first["day_order_warnings"] == [] and first["clean_warnings"] == []
    stored = _stored_report(settings, "2026-11-25")
    assert stored["files"][0]["warnings"] == [] and stored["warned_files"] == []
    assert {d: _manifest(settings, d)["clean_warnings"] for d in DAYS} == IN_ORDER
    assert {d: _manifest(settings, d)["day_order_warnings"] for d in DAYS} == {d: [] for d in DAYS}
    assert _backfill_end(settings, DAYS) == []  # nothing more to say: a second end rewrites nothing
    # one more backfill: every file skipped, every manifest as in date order
    again = {day: _run(settings, day, FILES[day]) for day in DAYS}
    assert [again[d]["processed"] for d in DAYS] == [False, False, False, False]
    assert {d: again[d]["clean_warnings"] for d in DAYS} == IN_ORDER


@pytest.mark.parametrize("order", [
    ("2026-11-28", "2026-11-27", "2026-11-26", "2026-11-25"),  # a backfill whose tasks ran in reverse
    ("2026-11-26", "2026-11-25", "2026-11-28", "2026-11-27"),
    ("2026-11-25", "2026-11-27", "2026-11-28", "2026-11-26"),
], ids="-".join)
def test_a_backfill_whose_dates_ran_in_any_order_ends_as_in_date_order(tmp_path: Path, order: tuple[str, ...]) -> None:
    """A manual run over 11-25..11-28 (``date_from``/``date_to``): its files' tasks run in parallel, in any order."""
    settings = _settings(tmp_path)
    for day in reversed(DAYS):
        _run(settings, day, FILES[day])
    for day in order:
        _run(settings, day, FILES[day])
    _backfill_end(settings, DAYS)
    assert {d: _manifest(settings, d)["clean_warnings"] for d in DAYS} == IN_ORDER
    assert {d: _stored_report(settings, d)["files"][0]["warnings"] for d in DAYS} == IN_ORDER
    assert _backfill_end(settings, DAYS) == []


def test_a_reverse_backfill_leaves_nothing_to_rewrite(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    for day in reversed(DAYS):
        _run(settings, day, FILES[day])
    backfill = {day: _run(settings, day, FILES[day]) for day in reversed(DAYS)}
    # 11-28 (month first carried from 11-27 now, not the default), 11-27 (its alarm due) and 11-26 (day first now)
    # reprocessed, 11-25 skipped last, when nothing was stale any more
    assert [backfill[d]["processed"] for d in DAYS] == [False, True, True, True]
    assert backfill["2026-11-25"]["day_order_warnings"] == []
    assert _backfill_end(settings, DAYS) == []


def test_two_sources_are_refreshed_each_by_its_own_dates(tmp_path: Path, state_where: Path | str) -> None:
    """patients as above; staff proves month first on 11-25 and read 11-26 day first (carried from 11-24) before it."""
    settings = _settings(tmp_path, state_url=state_where if isinstance(state_where, str) else None, names=("patients", "staff"))
    staff = {"2026-11-24": "patient_id,dob\nS0,25/12/1950\n", "2026-11-25": "patient_id,dob\nS1,12/25/1960\n",
             "2026-11-26": "patient_id,dob\nS2,03/04/1970\n"}
    _run(settings, "2026-11-24", staff["2026-11-24"], "staff.csv")
    for day in ("2026-11-26", "2026-11-25"):
        _run(settings, day, FILES[day])
        _run(settings, day, staff[day], "staff.csv")
    stale_staff = (
        "dob: this file shows month first (line 2: 12/25/1960), while later dates of this source that ran before it read dob "
        "otherwise: 2026-11-26 staff.csv (day first) — run those dates again (their check reprocesses the files) to read "
        "them as in date order"
    )
    assert _manifest(settings, "2026-11-25", "staff.csv")["day_order_warnings"][-1] == stale_staff
    assert _manifest(settings, "2026-11-25")["day_order_warnings"] == [STALE_26]
    for day in ("2026-11-25", "2026-11-26"):  # the backfill: 11-25 skipped first, then 11-26 reprocessed
        for name, text in (("patients.csv", FILES[day]), ("staff.csv", staff[day])):
            assert _run(settings, day, text, name)["processed"] is (day == "2026-11-26")
    assert _manifest(settings, "2026-11-25", "staff.csv")["day_order_warnings"][-1] == stale_staff
    assert _backfill_end(settings, ["2026-11-25", "2026-11-26"]) == ["2026-11-25/patients.csv", "2026-11-25/staff.csv"]
    staff25 = _manifest(settings, "2026-11-25", "staff.csv")
    assert staff25["day_order_warnings"] == [] and staff25["clean_warnings"] == [
        "dob: DAY ORDER CHANGED: this file's values show month first (line 2: 12/25/1960) where this source's dob showed "
        "day first on 2026-11-24 (staff.csv line 2: 25/12/1950) — did the source change its export? This file is read "
        "month first, as its values say, while that date's values that read two ways were read day first; set "
        "schema.columns.dob.dayfirst if one of them is wrong"
    ]
    assert _manifest(settings, "2026-11-26", "staff.csv")["clean_warnings"] == [
        "dob: 1 value(s) like 03/04/1970 read month first (4 March 1970) while no value of the file had shown the day "
        "order (as 13/04/1970 does): the order this source's dob showed on 2026-11-25 (staff.csv line 2: 12/25/1960), the "
        "latest earlier date that showed it; set schema.columns.dob.dayfirst if that is wrong — the value is stored, its "
        "text kept in dob__raw"
    ]
    assert _stored_report(settings, "2026-11-25")["warned_files"] == ["2026-11-25/staff.csv"]


def test_a_file_another_run_holds_is_left_to_it(tmp_path: Path) -> None:
    from headwater.claims import Claims

    settings = _settings(tmp_path)
    _run(settings, "2026-11-26", FILES["2026-11-26"])
    _run(settings, "2026-11-25", FILES["2026-11-25"])
    _run(settings, "2026-11-25", FILES["2026-11-25"])
    _run(settings, "2026-11-26", FILES["2026-11-26"])
    assert Claims.for_settings(settings).claim("2026-11-25", "patients.csv", "another-run", "process_file.check[0]").won
    assert _backfill_end(settings, DAYS[:2]) == []
    assert _manifest(settings, "2026-11-25")["day_order_warnings"] == [STALE_26]  # that run writes it
    assert Claims.for_settings(settings).holder("2026-11-25", "patients.csv").run_id == "another-run"  # not taken or released
    Claims.for_settings(settings).release("2026-11-25", "patients.csv", "another-run")
    assert _backfill_end(settings, DAYS[:2]) == ["2026-11-25/patients.csv"]
    assert Claims.for_settings(settings).holder("2026-11-25", "patients.csv") is None  # its own claim released


def test_the_cli_backfill_end_refreshes_the_range(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from headwater.cli import _refresh_day_orders  # new in bf11: what `headwater backfill` runs once its dates ran

    settings = _settings(tmp_path)
    for day in ("2026-11-26", "2026-11-25", "2026-11-25", "2026-11-26"):
        _run(settings, day, FILES[day])
    monkeypatch.setenv("HEADWATER_HOME", str(settings.home))
    monkeypatch.setenv("HEADWATER_CONFIG_DIR", str(settings.config_dir))
    monkeypatch.delenv("HEADWATER_STATE_URL", raising=False)
    monkeypatch.delenv("HEADWATER_DATA_DIR", raising=False)
    assert _refresh_day_orders(DAYS[:2]) == ["2026-11-25/patients.csv"]
    assert _manifest(settings, "2026-11-25")["day_order_warnings"] == []


# breaker8 #10 variants: the quoted value is the file's own, per column


def test_a_month_first_default_quotes_the_files_value_and_year(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    manifest = _run(settings, "2026-11-20", "patient_id,dob\nP1,11/12/1985\nP2,02/03/1999\n")
    assert manifest["clean_warnings"] == [
        "dob: 2 value(s) like 11/12/1985 read month first (12 November 1985) while no value of the file had shown the day "
        "order (as 13/12/1985 does); set types.dayfirst if that is wrong — the value is stored, its text kept in dob__raw"
    ]


def test_each_column_quotes_its_own_first_value_the_second_column_first_in_the_file(tmp_path: Path) -> None:
    settings = _settings(tmp_path, visit=True)
    # visit's value is on line 2, dob's first ambiguous value on line 3 (line 2's 1985-12-25 reads one way only)
    manifest = _run(settings, "2026-11-20", "patient_id,dob,visit\nP1,1985-12-25,03/04/2026\nP2,05.06.1970,\nP3,07-08-71,09/10/2026\n")
    assert manifest["clean_warnings"] == [
        "dob: 1 value(s) like 07-08-71 read month first (8 July 1971) while no value of the file had shown the day order "
        "(as 13-08-71 does); set types.dayfirst if that is wrong — the value is stored, its text kept in dob__raw",
        # the dotted one too (it said 03.04.2025, 3 April 2025)
        "dob: 1 value(s) like 05.06.1970 read day first (5 June 1970), as dates written with dots always are (the "
        "convention of most of Europe), while no value of the file had shown the day order; types.dayfirst does not change "
        "them — the value is stored, its text kept in dob__raw",
        "dob: 1 value(s) with a two-digit year, like 01/02/50, read in the years 1970-2069 (two_digit_year) — the value is "
        "stored, its text kept in dob__raw",
        "visit: 2 value(s) like 03/04/2026 read month first (4 March 2026) while no value of the file had shown the day "
        "order (as 13/04/2026 does); set types.dayfirst if that is wrong — the value is stored, its text kept in visit__raw",
    ]


def test_a_report_reads_each_sources_day_order_rows_once(tmp_path: Path) -> None:
    """The review's mend: report() read the state database (five queries and one more per later date) for every file
    with day-order information; now three SELECTs per source, whatever the number of files."""
    settings = _settings(tmp_path, names=("patients", "staff"))
    _run(settings, "2026-11-25", FILES["2026-11-25"])
    _run(settings, "2026-11-25", "patient_id,dob\nS1,12/25/1960\n", "staff.csv")
    names = []
    for i in range(4):
        for source in ("patients", "staff"):
            name = f"{source}_{i}.csv"
            _run(settings, "2026-11-26", FILES["2026-11-26"], name)
            names.append(name)
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001 - SQLAlchemy's event
        statements.append(statement)

    from headwater.day_orders import DayOrders

    engine = DayOrders.for_settings(settings).engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        result = report("2026-11-26", names, settings)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(result["files"]) == 8 and all(len(f["warnings"]) == 1 for f in result["files"])
    day_order_reads = [s for s in statements if "day_order" in s and s.lstrip().upper().startswith("SELECT")]
    assert len(day_order_reads) == 6  # before: 16 (two per file here; five and one per later date for a file with a proof)
