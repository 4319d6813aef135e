"""A column no value of which shows the day order reads it as the same source's column proved on an earlier landing date
(breaker6 #15): ``P2,03/04/1990`` is one birth date on 2026-11-25 (proved day first by ``25/12/1958``) and on 2026-11-26
(nothing in the file shows the order), not 3 April one day and 4 March the next. headwater.day_orders keeps the proofs in
the state database (SQLite or PostgreSQL), the clean stage reads by them, and ``check`` (headwater.decide) reprocesses a
date whose carried order changed since its last run."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.day_orders import DayOrders, order_warnings
from headwater.decide import decide
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.ledger import Ledger, fingerprint
from headwater.manifest import OK, FileRef
from headwater.storage import read_json

CONFIG = """files: ["patients*.csv"]
schema:
  name: patient
  columns:
    patient_id: {type: string, identifier: true}
    dob: {type: date}
types:
  dayfirst: %s
"""
PROVES_DAY_FIRST = "patient_id,dob\nP1,25/12/1958\nP2,03/04/1990\n"  # breaker6's 2026-11-25
SHOWS_NOTHING = "patient_id,dob\nP2,03/04/1990\nP3,05/06/1970\n"  # breaker6's 2026-11-26
PROVES_MONTH_FIRST = "patient_id,dob\nP4,12/25/1960\nP2,03/04/1990\n"

CARRIED = {"date": "2026-11-25", "file": "patients.csv", "line": 2, "value": "25/12/1958", "dayfirst": True}


def _settings(tmp_path: Path, dayfirst: str = "auto", state_url: str | None = None, visit: bool = False) -> Settings:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    text = CONFIG % dayfirst
    (config / "patients.yaml").write_text(text.replace("    dob: {type: date}\n", "    dob: {type: date}\n    visit: {type: date}\n") if visit else text)
    more = {"state_url": state_url} if state_url else {}
    return Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config, **more)


def _clean(settings: Settings, day: str, text: str, name: str = "patients.csv") -> tuple[dict, dict]:
    """Ingest and clean ``text`` as landing file ``<day>/<name>``, record it in the ledger as a finished run (as the DAG
    does), and return (the curated columns, the manifest)."""
    ref = FileRef(day, name)
    ingest_file(text.encode(), ref, settings)
    clean_file(ref, settings)
    Ledger.for_settings(settings).record(ref.source, fingerprint(hashlib.sha256(text.encode()).hexdigest(), settings), OK)
    lay = Layout(settings.data_dir, day)
    curated = pq.read_table(lay.curated(ref.key)).to_pydict()
    return {k: v for k, v in curated.items() if not k.startswith("_")}, read_json(lay.manifest(ref.key))


def _curated_bytes(settings: Settings, day: str, name: str = "patients.csv") -> bytes:
    return Layout(settings.data_dir, day).curated(FileRef(day, name).key).read_bytes()


def _carried_warning(n: int, order: str = "day", example: str = "3 April 1990", proof: dict = CARRIED) -> str:
    # the file's first such value and its reading (bf11, breaker8 #10: a fixed 03/04/2025 was quoted)
    return (
        f"dob: {n} value(s) like 03/04/1990 read {order} first ({example}) while no value of the file had shown the day order "
        f"(as 13/04/1990 does): the order this source's dob showed on {proof['date']} ({proof['file']} line {proof['line']}: "
        f"{proof['value']}), the latest earlier date that showed it; set schema.columns.dob.dayfirst if that is wrong — "
        "the value is stored, its text kept in dob__raw"
    )


MONTH_FIRST_DEFAULT = (
    "dob: 2 value(s) like 03/04/1990 read month first (4 March 1990) while no value of the file had shown the day order "
    "(as 13/04/1990 does); set types.dayfirst if that is wrong — the value is stored, its text kept in dob__raw"
)


def test_the_next_date_reads_a_birth_date_as_the_source_proved_the_day_before(tmp_path: Path, state_where: Path | str) -> None:
    settings = _settings(tmp_path, state_url=state_where if isinstance(state_where, str) else None)
    first, manifest = _clean(settings, "2026-11-25", PROVES_DAY_FIRST)
    assert first == {"patient_id": ["P1", "P2"], "dob": [date(1958, 12, 25), date(1990, 4, 3)]}
    assert manifest["value_formats"]["dayfirst_proven"] == {"dob": {"line": 2, "value": "25/12/1958", "dayfirst": True}}
    assert "dayfirst_from" not in manifest["value_formats"]

    second, manifest = _clean(settings, "2026-11-26", SHOWS_NOTHING)
    # before: 1990-03-04 and 1970-05-06 (month first, the default)
    assert second == {
        "patient_id": ["P2", "P3"], "dob": [date(1990, 4, 3), date(1970, 6, 5)], "dob__raw": ["03/04/1990", "05/06/1970"],
        "dob__reason": ["day_order", "day_order"],  # read by an order this file did not show (carried from 2026-11-25)
    }
    assert manifest["value_formats"]["dayfirst_from"] == {"dob": CARRIED}
    # nothing voted: the file-level order is the one its date column carried (breaker7 #11c: it said false)
    assert manifest["value_formats"]["dayfirst"] is True
    assert manifest["value_formats"]["dayfirst_decided_by"] == "carried"
    assert "dayfirst_proven" not in manifest["value_formats"]
    assert manifest["clean_warnings"] == [_carried_warning(2)]


def test_a_rerun_of_the_date_writes_the_same_bytes_and_the_same_state(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _clean(settings, "2026-11-25", PROVES_DAY_FIRST)
    _, before = _clean(settings, "2026-11-26", SHOWS_NOTHING)
    curated = _curated_bytes(settings, "2026-11-26")
    assert decide(SHOWS_NOTHING.encode(), FileRef("2026-11-26", "patients.csv"), settings)["process"] is False
    _, after = _clean(settings, "2026-11-26", SHOWS_NOTHING)  # forced: the same answer
    assert _curated_bytes(settings, "2026-11-26") == curated
    assert after["value_formats"] == before["value_formats"]
    _clean(settings, "2026-11-25", PROVES_DAY_FIRST)  # the proving date again: its proof replaced by itself
    assert DayOrders.for_settings(settings).earlier("patients", "2026-11-26") == {"dob": CARRIED}
    assert decide(SHOWS_NOTHING.encode(), FileRef("2026-11-26", "patients.csv"), settings)["process"] is False


def test_a_date_run_before_its_proof_is_reprocessed_by_its_next_run(tmp_path: Path, state_where: Path | str) -> None:
    settings = _settings(tmp_path, state_url=state_where if isinstance(state_where, str) else None)
    ref = FileRef("2026-11-26", "patients.csv")
    early, manifest = _clean(settings, "2026-11-26", SHOWS_NOTHING)  # out of order: 11-26 first
    assert early["dob"] == [date(1990, 3, 4), date(1970, 5, 6)]
    assert manifest["value_formats"]["dayfirst_from"] == {"dob": None}
    assert manifest["clean_warnings"] == [MONTH_FIRST_DEFAULT]
    assert decide(SHOWS_NOTHING.encode(), ref, settings)["process"] is False  # nothing changed yet: a no-op
    _, proving = _clean(settings, "2026-11-25", PROVES_DAY_FIRST)
    assert proving["clean_warnings"] == [
        "dob: this file shows day first (line 2: 25/12/1958), while later dates of this source that ran before it read dob "
        "otherwise: 2026-11-26 patients.csv (month first by default) — run those dates again (their check reprocesses the "
        "files) to read them as in date order"
    ]
    decision = decide(SHOWS_NOTHING.encode(), ref, settings)
    assert decision["process"] is True
    assert decision["reason"] == (
        "the day order earlier dates showed for dob changed since its last run: read month first, the default (no earlier "
        "date had shown it) then, day first now (2026-11-25, patients.csv line 2: 25/12/1958)"
    )
    again, manifest = _clean(settings, "2026-11-26", SHOWS_NOTHING)
    assert again["dob"] == [date(1990, 4, 3), date(1970, 6, 5)]  # as in date order
    assert manifest["value_formats"]["dayfirst_from"] == {"dob": CARRIED}
    assert decide(SHOWS_NOTHING.encode(), ref, settings)["process"] is False  # and now a no-op again
    _, proving = _clean(settings, "2026-11-25", PROVES_DAY_FIRST)  # the later date agrees now: nothing to say
    assert proving["clean_warnings"] == []


def test_of_two_dates_run_at_once_the_one_whose_proof_came_while_it_ran_says_so(state_where: Path | str) -> None:
    store = DayOrders(state_where)
    # 2026-11-26 started with no earlier proof (reads dob month first); 2026-11-25 recorded its proof meanwhile
    assert store.earlier("patients", "2026-11-26") == {}
    store.record("patients", "2026-11-25", "patients.csv", {"dob": {"line": 2, "value": "25/12/1958", "dayfirst": True}})
    store.record("patients", "2026-11-26", "patients.csv", {}, {"dob": None})
    assert order_warnings(store, "patients", "2026-11-26", {}, {"dob": None}) == [
        "dob: read month first by default while no value of the file showed the day order, but earlier dates now give "
        "day first (2026-11-25, patients.csv line 2: 25/12/1958), recorded while or since this file ran — run this date "
        "again to read it as in date order"
    ]
    # and the other order of commits: 2026-11-25 sees the read 2026-11-26 recorded first
    assert store.stale_later("patients", "2026-11-25", ["dob"]) == [
        {"date": "2026-11-26", "file": "patients.csv", "column": "dob", "read": None, "now": True}
    ]
    store.record("patients", "2026-11-26", "patients.csv", {}, {"dob": True})  # its rerun read day first
    assert store.stale_later("patients", "2026-11-25", ["dob"]) == []
    assert order_warnings(store, "patients", "2026-11-26", {}, {"dob": True}) == []


def test_of_three_dates_the_latest_earlier_proof_is_carried(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _, manifest = _clean(settings, "2026-11-24", "patient_id,dob\nP9,12/25/1960\n")  # the old export: month first
    assert manifest["value_formats"]["dayfirst_proven"] == {"dob": {"line": 2, "value": "12/25/1960", "dayfirst": False}}
    _, manifest = _clean(settings, "2026-11-25", PROVES_DAY_FIRST)  # the export changed: said loudly
    assert manifest["value_formats"]["dayfirst_differs_from"] == {"dob": {
        "earlier": {"date": "2026-11-24", "file": "patients.csv", "line": 2, "value": "12/25/1960", "dayfirst": False},
        "here": {"line": 2, "value": "25/12/1958", "dayfirst": True},
    }}
    third, manifest = _clean(settings, "2026-11-26", SHOWS_NOTHING)
    assert third["dob"] == [date(1990, 4, 3), date(1970, 6, 5)]
    assert manifest["value_formats"]["dayfirst_from"] == {"dob": CARRIED}
    # 11-25 itself carries 11-24's order for nothing: its own value proved it
    assert DayOrders.for_settings(settings).earlier("patients", "2026-11-25") == {
        "dob": {"date": "2026-11-24", "file": "patients.csv", "line": 2, "value": "12/25/1960", "dayfirst": False}
    }


def test_a_file_that_proves_the_other_order_is_read_as_its_values_say_and_warned_loudly(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _clean(settings, "2026-11-25", PROVES_DAY_FIRST)
    second, manifest = _clean(settings, "2026-11-26", PROVES_MONTH_FIRST)
    assert second == {"patient_id": ["P4", "P2"], "dob": [date(1960, 12, 25), date(1990, 3, 4)]}  # its own order, no text kept
    assert manifest["clean_warnings"] == [
        "dob: DAY ORDER CHANGED: this file's values show month first (line 2: 12/25/1960) where this source's dob showed "
        "day first on 2026-11-25 (patients.csv line 2: 25/12/1958) — did the source change its export? This file is read "
        "month first, as its values say, so 03/04/1990 here is 4 March 1990, where that date read such values day first "
        "(3 April 1990); set schema.columns.dob.dayfirst if one of them is wrong"
    ]
    assert manifest["value_formats"]["dayfirst_differs_from"] == {"dob": {
        "earlier": CARRIED, "here": {"line": 2, "value": "12/25/1960", "dayfirst": False},
    }}
    third, manifest = _clean(settings, "2026-11-27", SHOWS_NOTHING)  # the latest proof is now month first
    assert third["dob"] == [date(1990, 3, 4), date(1970, 5, 6)]
    proof = {"date": "2026-11-26", "file": "patients.csv", "line": 2, "value": "12/25/1960", "dayfirst": False}
    assert manifest["value_formats"]["dayfirst_from"] == {"dob": proof}
    assert manifest["clean_warnings"] == [_carried_warning(2, "month", "4 March 1990", proof)]


def test_the_decision_is_per_column_a_column_no_earlier_date_had_reads_month_first(tmp_path: Path) -> None:
    settings = _settings(tmp_path, visit=True)
    _clean(settings, "2026-11-25", PROVES_DAY_FIRST)  # visit missing: empty
    curated, manifest = _clean(settings, "2026-11-26", "patient_id,dob,visit\nP2,03/04/1990,07/08/2026\n")
    assert curated["dob"] == [date(1990, 4, 3)]  # carried: day first
    assert curated["visit"] == [date(2026, 7, 8)]  # no earlier date had visit: the month-first default
    assert manifest["value_formats"]["dayfirst_from"] == {"dob": CARRIED, "visit": None}


def test_another_file_of_the_same_date_never_counts(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _clean(settings, "2026-11-26", PROVES_DAY_FIRST, name="patients_a.csv")
    curated, manifest = _clean(settings, "2026-11-26", SHOWS_NOTHING, name="patients_b.csv")
    assert curated["dob"] == [date(1990, 3, 4), date(1970, 5, 6)]  # same in any task order
    assert manifest["value_formats"]["dayfirst_from"] == {"dob": None}
    # a later date carries the order of the dated file of another name of the same source
    curated, manifest = _clean(settings, "2026-11-27", SHOWS_NOTHING, name="patients_20261127.csv")
    assert curated["dob"] == [date(1990, 4, 3), date(1970, 6, 5)]
    assert manifest["value_formats"]["dayfirst_from"]["dob"]["file"] == "patients_a.csv"


def test_an_earlier_date_whose_files_disagree_carries_nothing(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _clean(settings, "2026-11-25", PROVES_DAY_FIRST, name="patients_a.csv")
    _clean(settings, "2026-11-25", PROVES_MONTH_FIRST, name="patients_b.csv")
    curated, manifest = _clean(settings, "2026-11-26", SHOWS_NOTHING)
    assert curated["dob"] == [date(1990, 3, 4), date(1970, 5, 6)]
    assert manifest["value_formats"]["dayfirst_from"] == {"dob": None}


@pytest.mark.parametrize(("declared", "extra"), [("false", ""), ("auto", "    dob: {type: date, dayfirst: false}\n")])
def test_a_declared_order_always_wins(tmp_path: Path, declared: str, extra: str) -> None:
    settings = _settings(tmp_path, "auto")
    _clean(settings, "2026-11-25", PROVES_DAY_FIRST)
    config = CONFIG % declared
    if extra:
        config = config.replace("    dob: {type: date}\n", extra)
    (tmp_path / "config" / "patients.yaml").write_text(config)
    curated, manifest = _clean(settings, "2026-11-26", SHOWS_NOTHING)
    assert curated == {"patient_id": ["P2", "P3"], "dob": [date(1990, 3, 4), date(1970, 5, 6)]}
    assert "dayfirst_from" not in manifest["value_formats"]
    assert manifest["clean_warnings"] == []


def test_a_file_no_source_claims_shares_day_orders_with_its_table_name_only(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none")
    _clean(settings, "2026-11-25", "who,born\nann,25/12/1958\n", name="people.csv")
    curated, _ = _clean(settings, "2026-11-26", "who,born\nbob,03/04/1990\n", name="people.csv")
    assert curated["born"] == [date(1990, 4, 3)]
    curated, manifest = _clean(settings, "2026-11-26", "who,born\nbob,03/04/1990\n", name="others.csv")
    assert curated["born"] == [date(1990, 3, 4)]
    assert manifest["value_formats"]["dayfirst_from"] == {"born": None}


def test_a_column_read_in_the_order_other_columns_decided_against_its_earlier_proof_is_warned(tmp_path: Path) -> None:
    settings = _settings(tmp_path, visit=True)
    _clean(settings, "2026-11-25", PROVES_DAY_FIRST)
    # visit proves month first for the file; dob shows nothing of its own and follows the file (as before), warned
    curated, manifest = _clean(settings, "2026-11-26", "patient_id,dob,visit\nP2,03/04/1990,12/25/2026\n")
    assert curated["dob"] == [date(1990, 3, 4)]
    assert curated["visit"] == [date(2026, 12, 25)]
    assert manifest["value_formats"]["dayfirst_differs_from"] == {"dob": {
        "earlier": CARRIED, "here": {"line": 2, "value": "12/25/2026", "dayfirst": False, "column": "visit"},
    }}
    assert manifest["clean_warnings"] == [
        "dob: DAY ORDER CHANGED: this file's visit's values show month first (line 2: 12/25/2026) where this source's dob "
        "showed day first on 2026-11-25 (patients.csv line 2: 25/12/1958) — did the source change its export? This file is "
        "read month first, as its values say, so 03/04/1990 here is 4 March 1990, where that date read such values day "
        "first (3 April 1990); set schema.columns.dob.dayfirst if one of them is wrong"
    ]
