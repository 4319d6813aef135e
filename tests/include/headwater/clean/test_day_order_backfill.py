"""Day-order warnings across a backfill (breaker7 #10, #11, #15): the DAY ORDER CHANGED alarm of a date whose own values
prove the other order than the date before does not depend on the order the dates ran in; the "later dates read dob
otherwise" warning names only dates that read another order, and a run that skips a file computes its day-order
warnings again (headwater.decide.mark_unchanged, headwater.report); a file whose date columns carried an earlier order
says so at file level; two files of one source proving both orders on one date are warned, and the next date says why
nothing was carried."""

from __future__ import annotations

import hashlib
import itertools
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.day_orders import DayOrders
from headwater.decide import decide, mark_unchanged
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.ledger import Ledger, fingerprint
from headwater.manifest import OK, FileRef
from headwater.report import report
from headwater.storage import read_json

CONFIG = """files: ["%s*.csv"]
schema:
  name: %s
  columns:
    patient_id: {type: string, identifier: true}
    dob: {type: date}
types:
  dayfirst: auto
"""
# breaker7's in/landing_bf patients.csv
FILES = {
    "2026-11-25": "patient_id,dob\nP1,25/12/1958\nP2,03/04/1990\n",  # proves day first
    "2026-11-26": "patient_id,dob\nP2,03/04/1990\nP3,05/06/1970\n",  # shows nothing
    "2026-11-27": "patient_id,dob\nP4,12/31/1980\nP2,03/04/1990\n",  # the export changed: month first
}
PROOF_25 = {"date": "2026-11-25", "file": "patients.csv", "line": 2, "value": "25/12/1958", "dayfirst": True}
OWN_27 = {"line": 2, "value": "12/31/1980", "dayfirst": False}
CHANGED_27 = (
    "dob: DAY ORDER CHANGED: this file's values show month first (line 2: 12/31/1980) where this source's dob showed day "
    "first on 2026-11-25 (patients.csv line 2: 25/12/1958) — did the source change its export? This file is read month "
    "first, as its values say, so 03/04/1990 here is 4 March 1990, where that date read such values day first (3 April "
    "1990); set schema.columns.dob.dayfirst if one of them is wrong"
)
CARRIED_26 = (
    "dob: 2 value(s) like 03/04/1990 read day first (3 April 1990) while no value of the file had shown the day order (as "
    "13/04/1990 does): the order this source's dob showed on 2026-11-25 (patients.csv line 2: 25/12/1958), the latest "
    "earlier date that showed it; set schema.columns.dob.dayfirst if that is wrong — the value is stored, its text kept "
    "in dob__raw"
)
DEFAULT_26 = (
    "dob: 2 value(s) like 03/04/1990 read month first (4 March 1990) while no value of the file had shown the day order "
    "(as 13/04/1990 does); set types.dayfirst if that is wrong — the value is stored, its text kept in dob__raw"
)
STALE_26 = (
    "dob: this file shows day first (line 2: 25/12/1958), while later dates of this source that ran before it read dob "
    "otherwise: 2026-11-26 patients.csv (month first by default) — run those dates again (their check reprocesses the "
    "files) to read them as in date order"
)
DUE_27 = (
    "dob: DAY ORDER CHANGED after this date: this file shows day first (line 2: 25/12/1958), while later dates of this "
    "source that ran before it show month first by their own values: 2026-11-27 patients.csv (line 2: 12/31/1980) — did "
    "the source change its export? Their values are read as they say; run those dates again (their check reprocesses "
    "the files) to have it warned in their reports"
)
# what a run in date order leaves: the manifests every run order ends with once the dates ran again in order
IN_ORDER = {
    "2026-11-25": {"warnings": [], "formats": {"dayfirst_proven": {"dob": {"line": 2, "value": "25/12/1958", "dayfirst": True}}},
                   "dob": [date(1958, 12, 25), date(1990, 4, 3)]},
    "2026-11-26": {"warnings": [CARRIED_26], "formats": {"dayfirst_from": {"dob": PROOF_25}, "dayfirst": True,
                                                         "dayfirst_decided_by": "carried"},
                   "dob": [date(1990, 4, 3), date(1970, 6, 5)]},
    "2026-11-27": {"warnings": [CHANGED_27], "formats": {"dayfirst_proven": {"dob": OWN_27},
                                                         "dayfirst_differs_from": {"dob": {"earlier": PROOF_25, "here": OWN_27}}},
                   "dob": [date(1980, 12, 31), date(1990, 3, 4)]},
}
DAY_KEYS = ("dayfirst_from", "dayfirst_proven", "dayfirst_differs_from", "dayfirst_decided_by")


def _settings(tmp_path: Path, state_url: str | None = None, names: tuple[str, ...] = ("patients",)) -> Settings:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    for name in names:
        (config / f"{name}.yaml").write_text(CONFIG % (name, name))
    more = {"state_url": state_url} if state_url else {}
    return Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config, **more)


def _run(settings: Settings, day: str, text: str, name: str = "patients.csv") -> dict:
    """A run of ``day`` for one landing file as the DAG does it: ``check`` (decide), then either ingest + clean and the
    ledger's record, or ``unchanged`` (mark_unchanged). Returns the manifest with ``"processed"``."""
    ref = FileRef(day, name)
    decision = decide(text.encode(), ref, settings)
    if decision["process"]:
        ingest_file(text.encode(), ref, settings)
        clean_file(ref, settings)
        Ledger.for_settings(settings).record(ref.source, fingerprint(hashlib.sha256(text.encode()).hexdigest(), settings), OK)
    else:
        mark_unchanged(ref, settings, decision["reason"])
    return read_json(Layout(settings.data_dir, day).manifest(ref.key)) | {"processed": decision["process"], "reason": decision["reason"]}


def _dob(settings: Settings, day: str, name: str = "patients.csv") -> list:
    return pq.read_table(Layout(settings.data_dir, day).curated(FileRef(day, name).key)).to_pydict()["dob"]


def _days(manifest: dict) -> dict:
    formats = manifest["value_formats"]
    return {k: formats[k] for k in DAY_KEYS if k in formats} | ({"dayfirst": formats["dayfirst"]} if "dayfirst_decided_by" in formats else {})


def test_a_later_date_run_first_gets_its_day_order_changed_alarm_once_run_again(tmp_path: Path, state_where: Path | str) -> None:
    """breaker7 #10: 11-27, 11-26, 11-25 run in that order, then a backfill 11-25..11-27."""
    settings = _settings(tmp_path, state_url=state_where if isinstance(state_where, str) else None)
    first = _run(settings, "2026-11-27", FILES["2026-11-27"])
    assert first["clean_warnings"] == [] and "dayfirst_differs_from" not in first["value_formats"]  # nothing earlier yet
    second = _run(settings, "2026-11-26", FILES["2026-11-26"])
    assert second["clean_warnings"] == [DEFAULT_26]
    third = _run(settings, "2026-11-25", FILES["2026-11-25"])
    # before: only STALE_26; 11-27's own proof, which disagrees with 11-25's, went unnamed
    assert third["clean_warnings"] == [STALE_26, DUE_27]
    assert third["day_order_warnings"] == [STALE_26, DUE_27]
    # the report of 11-27 (its own day, before it runs again) says it too
    assert report("2026-11-27", ["patients.csv"], settings)["files"][0]["warnings"] == [
        "dob: DAY ORDER CHANGED since this file ran: its values show month first (line 2: 12/31/1980) where this "
        "source's dob showed day first on 2026-11-25 (patients.csv line 2: 25/12/1958), a date run after it — did the "
        "source change its export? Its values are read as they say; run this date again (its check reprocesses the "
        "file) to record it"
    ]
    ref27 = FileRef("2026-11-27", "patients.csv")
    decision = decide(FILES["2026-11-27"].encode(), ref27, settings)
    # before: process False, "unchanged"
    assert decision["process"] is True
    assert decision["reason"] == (
        "the day order earlier dates showed for dob changed since its last run: none differing then, day first now "
        "(2026-11-25, patients.csv line 2: 25/12/1958), where this file's own values show month first (line 2: "
        "12/31/1980): its DAY ORDER CHANGED warning is due (its values are read as they say)"
    )
    curated27 = Layout(settings.data_dir, "2026-11-27").curated(ref27.key).read_bytes()
    # the backfill, in date order
    again = {day: _run(settings, day, FILES[day]) for day in sorted(FILES)}
    assert [again[d]["processed"] for d in sorted(FILES)] == [False, True, True]
    # 11-25 was skipped before 11-26 and 11-27 ran again: its refreshed warnings still name them, the report of the date
    # computes them again once they did
    assert again["2026-11-25"]["clean_warnings"] == [STALE_26, DUE_27]
    stored = report("2026-11-25", ["patients.csv"], settings)
    assert stored["files"][0]["warnings"] == []
    assert again["2026-11-27"]["clean_warnings"] == [CHANGED_27]
    assert Layout(settings.data_dir, "2026-11-27").curated(ref27.key).read_bytes() == curated27  # its data unchanged
    for day, expected in IN_ORDER.items():
        assert again[day]["clean_warnings"] == expected["warnings"] or day == "2026-11-25"
        assert _days(again[day]) == expected["formats"]
        assert _dob(settings, day) == expected["dob"]
    # one more backfill: every file skipped, and every manifest says what holds
    last = {day: _run(settings, day, FILES[day]) for day in sorted(FILES)}
    assert [last[d]["processed"] for d in sorted(FILES)] == [False, False, False]
    assert {d: last[d]["clean_warnings"] for d in last} == {d: IN_ORDER[d]["warnings"] for d in IN_ORDER}


@pytest.mark.parametrize("order", list(itertools.permutations(sorted(FILES))), ids="-".join)
def test_three_dates_in_any_run_order_end_as_in_date_order_after_a_backfill(tmp_path: Path, order: tuple[str, ...]) -> None:
    settings = _settings(tmp_path)
    for day in order:
        _run(settings, day, FILES[day])
    backfill = {day: _run(settings, day, FILES[day]) for day in sorted(FILES)}
    assert backfill["2026-11-27"]["clean_warnings"] == [CHANGED_27]
    assert backfill["2026-11-26"]["clean_warnings"] == [CARRIED_26]
    assert report("2026-11-25", ["patients.csv"], settings)["files"][0]["warnings"] == []
    for day, expected in IN_ORDER.items():
        assert _dob(settings, day) == expected["dob"], day
        assert _days(backfill[day]) == expected["formats"], day
    again = {day: _run(settings, day, FILES[day]) for day in sorted(FILES)}
    assert [again[d]["processed"] for d in sorted(FILES)] == [False, False, False]
    assert {d: again[d]["clean_warnings"] for d in again} == {d: IN_ORDER[d]["warnings"] for d in IN_ORDER}


def test_the_stored_report_of_an_earlier_date_shows_what_holds_now(tmp_path: Path) -> None:
    """breaker7 #11b: `headwater report --date 2026-11-25` after the backfill reprocessed 11-26."""
    from headwater.report import current_day_orders  # what `headwater report` shows (imported here: new in bf9)

    settings = _settings(tmp_path)
    _run(settings, "2026-11-26", FILES["2026-11-26"])
    _run(settings, "2026-11-25", FILES["2026-11-25"])
    stored = report("2026-11-25", ["patients.csv"], settings)
    assert stored["files"][0]["warnings"] == [STALE_26] and stored["warned_files"] == ["2026-11-25/patients.csv"]
    assert _run(settings, "2026-11-26", FILES["2026-11-26"])["processed"] is True
    now = current_day_orders(stored, settings)
    assert now["files"][0]["warnings"] == [] and now["warned_files"] == []
    assert stored["files"][0]["warnings"] == [STALE_26]  # the stored one is not changed


def test_a_report_whose_own_lines_differ_from_the_manifests_has_them_replaced(tmp_path: Path) -> None:
    from headwater.report import current_day_orders  # new in bf9

    settings = _settings(tmp_path)
    _run(settings, "2026-11-26", FILES["2026-11-26"])
    _run(settings, "2026-11-27", FILES["2026-11-26"])
    manifest = _run(settings, "2026-11-25", FILES["2026-11-25"])
    assert manifest["day_order_warnings"] == [STALE_26.replace(
        "2026-11-26 patients.csv (month first by default)",
        "2026-11-26 patients.csv (month first by default), 2026-11-27 patients.csv (month first by default)")]
    assert _run(settings, "2026-11-27", FILES["2026-11-26"])["processed"] is True
    written = report("2026-11-25", ["patients.csv"], settings)  # as the date's report task writes it: 11-26 only
    assert written["files"][0]["warnings"] == [STALE_26] and written["files"][0]["day_order_warnings"] == [STALE_26]
    assert _run(settings, "2026-11-26", FILES["2026-11-26"])["processed"] is True
    shown = current_day_orders(written, settings)["files"][0]
    assert shown["warnings"] == [] and shown["day_order_warnings"] == []


def test_the_stored_report_of_a_date_run_first_says_a_proof_came_since(tmp_path: Path) -> None:
    from headwater.report import current_day_orders  # new in bf9

    settings = _settings(tmp_path)
    _run(settings, "2026-11-26", FILES["2026-11-26"])
    stored = report("2026-11-26", ["patients.csv"], settings)
    assert stored["files"][0]["warnings"] == [DEFAULT_26]
    _run(settings, "2026-11-25", FILES["2026-11-25"])
    assert current_day_orders(stored, settings)["files"][0]["warnings"] == [DEFAULT_26, (
        "dob: read month first by default while no value of the file showed the day order, but earlier dates now give "
        "day first (2026-11-25, patients.csv line 2: 25/12/1958), recorded while or since this file ran — run this date "
        "again to read it as in date order")]


def test_a_later_date_that_read_the_same_order_is_not_named(tmp_path: Path) -> None:
    """breaker7 #11a: staff 11-25 proves month first; 11-26 and 11-27 ran before it and read month first by default."""
    settings = _settings(tmp_path, names=("staff",))
    _run(settings, "2026-11-27", "patient_id,dob\nS2,03/04/1970\n", "staff.csv")
    _run(settings, "2026-11-26", "patient_id,dob\nS2,03/04/1970\n", "staff.csv")
    proving = _run(settings, "2026-11-25", "patient_id,dob\nS1,12/25/1960\n", "staff.csv")
    # before: "... read dob otherwise: 2026-11-26 staff.csv (month first by default), 2026-11-27 staff.csv (month first
    # by default) — run those dates again ..."
    assert proving["clean_warnings"] == []
    assert _dob(settings, "2026-11-26", "staff.csv") == [date(1970, 3, 4)]


def test_of_two_later_dates_only_the_one_that_read_otherwise_is_named(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _run(settings, "2026-11-24", "patient_id,dob\nP9,25/12/1950\n")  # day first
    _run(settings, "2026-11-27", FILES["2026-11-26"])  # carries day first from 11-24
    _run(settings, "2026-11-26", FILES["2026-11-26"])  # carries day first too
    proving = _run(settings, "2026-11-25", "patient_id,dob\nP8,12/25/1950\n")  # month first: both now read otherwise
    assert proving["clean_warnings"] == [
        "dob: DAY ORDER CHANGED: this file's values show month first (line 2: 12/25/1950) where this source's dob showed "
        "day first on 2026-11-24 (patients.csv line 2: 25/12/1950) — did the source change its export? This file is read "
        "month first, as its values say, while that date's values that read two ways were read day first; set "
        "schema.columns.dob.dayfirst if one of them is wrong",
        "dob: this file shows month first (line 2: 12/25/1950), while later dates of this source that ran before it read "
        "dob otherwise: 2026-11-26 patients.csv (day first), 2026-11-27 patients.csv (day first) — run those dates again "
        "(their check reprocesses the files) to read them as in date order",
    ]
    assert _run(settings, "2026-11-26", FILES["2026-11-26"])["processed"] is True
    # 11-26 now reads month first (from 11-25); 11-27 read day first still: only it is named
    assert report("2026-11-25", ["patients.csv"], settings)["files"][0]["warnings"][1:] == [
        "dob: this file shows month first (line 2: 12/25/1950), while later dates of this source that ran before it read "
        "dob otherwise: 2026-11-27 patients.csv (day first) — run those dates again (their check reprocesses the files) to "
        "read them as in date order",
    ]


def test_a_source_whose_order_flips_back_keeps_each_alarm_where_it_belongs(tmp_path: Path) -> None:
    """Day first on 11-25, month first on 11-26, day first again on 11-27; run 11-27, 11-26, 11-25, then in order."""
    settings = _settings(tmp_path)
    texts = {"2026-11-25": FILES["2026-11-25"], "2026-11-26": FILES["2026-11-27"], "2026-11-27": "patient_id,dob\nP5,13/01/1985\n"}
    for day in sorted(texts, reverse=True):
        _run(settings, day, texts[day])
    backfill = {day: _run(settings, day, texts[day]) for day in sorted(texts)}
    assert [backfill[d]["processed"] for d in sorted(texts)] == [False, True, True]
    own26 = {"line": 2, "value": "12/31/1980", "dayfirst": False}
    own27 = {"line": 2, "value": "13/01/1985", "dayfirst": True}
    assert backfill["2026-11-26"]["value_formats"]["dayfirst_differs_from"] == {"dob": {"earlier": PROOF_25, "here": own26}}
    assert backfill["2026-11-27"]["value_formats"]["dayfirst_differs_from"] == {"dob": {
        "earlier": {"date": "2026-11-26", "file": "patients.csv", "line": 2, "value": "12/31/1980", "dayfirst": False},
        "here": own27}}
    assert backfill["2026-11-27"]["clean_warnings"] == [
        "dob: DAY ORDER CHANGED: this file's values show day first (line 2: 13/01/1985) where this source's dob showed "
        "month first on 2026-11-26 (patients.csv line 2: 12/31/1980) — did the source change its export? This file is read "
        "day first, as its values say, while that date's values that read two ways were read month first; set "
        "schema.columns.dob.dayfirst if one of them is wrong"
    ]
    assert report("2026-11-25", ["patients.csv"], settings)["files"][0]["warnings"] == []
    assert report("2026-11-26", ["patients.csv"], settings)["files"][0]["warnings"] == [CHANGED_27]


def test_an_alarm_that_no_longer_holds_is_dropped_by_the_next_run(tmp_path: Path) -> None:
    """11-24 proves day first, 11-26 proves month first (alarm against 11-24); then 11-25 proves month first: 11-26's
    alarm is now against a date that agrees, so 11-25 says so and 11-26's next run drops it."""
    settings = _settings(tmp_path)
    _run(settings, "2026-11-24", FILES["2026-11-25"])
    alarmed = _run(settings, "2026-11-26", FILES["2026-11-27"])
    assert alarmed["clean_warnings"] == [CHANGED_27.replace("on 2026-11-25", "on 2026-11-24")]
    between = _run(settings, "2026-11-25", "patient_id,dob\nP7,12/30/1975\n")
    assert between["clean_warnings"][1:] == [
        "dob: this file shows month first (line 2: 12/30/1975), as later dates of this source that ran before it do by "
        "their own values: 2026-11-26 patients.csv (line 2: 12/31/1980), whose DAY ORDER CHANGED warning no longer holds "
        "— run those dates again (their check reprocesses the files) to drop it"
    ]
    assert report("2026-11-26", ["patients.csv"], settings)["files"][0]["warnings"] == [
        CHANGED_27.replace("on 2026-11-25", "on 2026-11-24"),
        "dob: the DAY ORDER CHANGED warning of this file no longer holds: earlier dates now give month first for dob "
        "(2026-11-25, patients.csv line 2: 12/30/1975), recorded since this file ran — run this date again (its check "
        "reprocesses the file) to drop it",
    ]
    rerun = _run(settings, "2026-11-26", FILES["2026-11-27"])
    assert rerun["processed"] is True
    assert rerun["reason"] == (
        "the day order earlier dates showed for dob changed since its last run: day first (2026-11-24, patients.csv) then, "
        "month first now (2026-11-25, patients.csv line 2: 12/30/1975), where this file's own values show month first "
        "(line 2: 12/31/1980): its DAY ORDER CHANGED warning no longer holds (its values are read as they say)"
    )
    assert rerun["clean_warnings"] == [] and "dayfirst_differs_from" not in rerun["value_formats"]
    assert _dob(settings, "2026-11-26") == [date(1980, 12, 31), date(1990, 3, 4)]


def test_two_columns_with_different_orders_carry_each_their_own(tmp_path: Path) -> None:
    """breaker7 #11c: a file whose date columns carried different orders says so at file level."""
    settings = _settings(tmp_path)
    (tmp_path / "config" / "patients.yaml").write_text((CONFIG % ("patients", "patients")).replace(
        "    dob: {type: date}\n", "    dob: {type: date}\n    visit: {type: date}\n"))
    _run(settings, "2026-11-25", "patient_id,dob,visit\nP1,25/12/1958,\nP2,,12/30/2026\n")
    proof = _run(settings, "2026-11-25", "patient_id,dob,visit\nP1,25/12/1958,\nP2,,12/30/2026\n")
    assert proof["processed"] is False and proof["clean_warnings"] == [
        "dob: read day first on its own evidence (1 value(s) that only read day first, like 25/03/2024) where the file's "
        "day order is month first (other columns' votes or a tie); set schema.columns.dob.dayfirst if that is wrong"
    ]
    assert proof["value_formats"]["dayfirst_proven"] == {"dob": {"line": 2, "value": "25/12/1958", "dayfirst": True},
                                                         "visit": {"line": 3, "value": "12/30/2026", "dayfirst": False}}
    later = _run(settings, "2026-11-26", "patient_id,dob,visit\nP2,03/04/1990,05/06/2026\n")
    assert _dob(settings, "2026-11-26") == [date(1990, 4, 3)]
    visit = pq.read_table(Layout(settings.data_dir, "2026-11-26").curated(FileRef("2026-11-26", "patients.csv").key)).to_pydict()["visit"]
    assert visit == [date(2026, 5, 6)]
    formats = later["value_formats"]
    assert formats["dayfirst"] is None and formats["dayfirst_decided_by"] == "per column (dayfirst_from)"
    assert {c: p["dayfirst"] for c, p in formats["dayfirst_from"].items()} == {"dob": True, "visit": False}
    one = _run(settings, "2026-11-27", "patient_id,dob\nP2,03/04/1990\n")
    assert (one["value_formats"]["dayfirst"], one["value_formats"]["dayfirst_decided_by"]) == (True, "carried")


def test_one_date_whose_files_prove_both_orders_is_warned_and_the_next_date_says_why_nothing_was_carried(
        tmp_path: Path, state_where: Path | str) -> None:
    """breaker7 #15: in/bfA (patients_a.csv day first, patients_b.csv month first on 11-25), in/bfB (11-26)."""
    settings = _settings(tmp_path, state_url=state_where if isinstance(state_where, str) else None)
    a = _run(settings, "2026-11-25", "patient_id,dob\nP1,25/12/1958\nP2,03/04/1990\n", "patients_a.csv")
    assert a["clean_warnings"] == []  # nothing else of the date yet
    b = _run(settings, "2026-11-25", "patient_id,dob\nP5,12/25/1960\n", "patients_b.csv")
    both = (
        "dob: this source's files of 2026-11-25 show both day orders (patients_a.csv day first (line 2: 25/12/1958), "
        "patients_b.csv month first (line 2: 12/25/1960)): each is read as its own values say, so one written date like "
        "03/04/2025 is two dates across them, and later dates carry neither order (the month-first default) — set "
        "schema.columns.dob.dayfirst if one of them is wrong"
    )
    assert b["clean_warnings"] == [both]  # before: []
    # the date's report names it on both files
    dated = report("2026-11-25", ["patients_a.csv", "patients_b.csv"], settings)
    assert [f["warnings"] for f in dated["files"]] == [[both], [both]]
    nxt = _run(settings, "2026-11-26", "patient_id,dob\nP2,03/04/1990\nP6,03/04/1991\n")
    assert _dob(settings, "2026-11-26") == [date(1990, 3, 4), date(1991, 3, 4)]
    assert nxt["value_formats"]["dayfirst_from"] == {"dob": None}
    assert nxt["clean_warnings"] == [
        DEFAULT_26,
        "dob: this source's files of 2026-11-25 showed both orders (patients_a.csv day first, patients_b.csv month first): "
        "the month-first default applied — set schema.columns.dob.dayfirst if that is wrong",
    ]
    assert DayOrders.for_settings(settings).both_orders("patients", "2026-11-26") == {"dob": {"date": "2026-11-25", "files": [
        {"file": "patients_a.csv", "line": 2, "value": "25/12/1958", "dayfirst": True},
        {"file": "patients_b.csv", "line": 2, "value": "12/25/1960", "dayfirst": False},
    ]}}


def test_a_manifest_written_before_day_order_warnings_existed_is_refreshed_too(tmp_path: Path) -> None:
    from headwater.storage import write_json

    settings = _settings(tmp_path)
    _run(settings, "2026-11-26", FILES["2026-11-26"])
    _run(settings, "2026-11-25", FILES["2026-11-25"])
    path = Layout(settings.data_dir, "2026-11-25").manifest(FileRef("2026-11-25", "patients.csv").key)
    old = read_json(path)
    del old["day_order_warnings"]  # as main's clean stage wrote it
    assert old["clean_warnings"] == [STALE_26]
    write_json(path, old)
    assert _run(settings, "2026-11-26", FILES["2026-11-26"])["processed"] is True
    skipped = _run(settings, "2026-11-25", FILES["2026-11-25"])
    assert skipped["processed"] is False
    assert skipped["clean_warnings"] == [] and skipped["day_order_warnings"] == []
