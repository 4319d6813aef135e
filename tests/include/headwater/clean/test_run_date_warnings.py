"""Warnings that say what was decided: the day order ambiguous dates were stored in (breaker4 #9), and birth dates
judged against the run's landing date, not the clock's (a backfill of 2024 data is judged against 2024)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd

from headwater.clean.frame import build_frame
from headwater.clean.steps.coerce_types import CoerceTypes
from landed_files import clean_landed, settings_without_sources


def _clean(tmp_path: Path, name: str, text: str, landing: str = "2026-11-20") -> tuple[dict, dict]:
    table, manifest = clean_landed(settings_without_sources(tmp_path), landing, name, text)
    return table.to_pydict(), manifest


def test_slashed_dates_that_read_two_ways_say_they_were_read_month_first(tmp_path: Path) -> None:
    curated, manifest = _clean(tmp_path, "v.csv", "who,d\nann,03/04/2025\nbob,05/06/2025\n")
    assert curated["d"] == [date(2025, 3, 4), date(2025, 5, 6)]
    assert manifest["clean_warnings"] == [
        "d: 2 value(s) like 03/04/2025 read month first (4 March 2025) while no value of the file had shown the day order "
        "(as 13/04/2025 does); set types.dayfirst if that is wrong — the value is stored, its text kept in d__raw"
    ]


def test_dotted_dates_that_read_two_ways_say_they_were_read_day_first(tmp_path: Path) -> None:
    # breaker4 #9: 03.04.2025 is stored as 3 April (dotted dates are day first), the warning said "read month first"
    curated, manifest = _clean(tmp_path, "v.csv", "who,d\nann,03.04.2025\nbob,05.06.2025\ncid,12.12.2025\n")
    assert curated["d"] == [date(2025, 4, 3), date(2025, 6, 5), date(2025, 12, 12)]
    assert curated["d__raw"] == ["03.04.2025", "05.06.2025", None]
    assert manifest["clean_warnings"] == [
        "d: 2 value(s) like 03.04.2025 read day first (3 April 2025), as dates written with dots always are (the convention "
        "of most of Europe), while no value of the file had shown the day order; types.dayfirst does not change them — the "
        "value is stored, its text kept in d__raw"
    ]


def test_dotted_and_slashed_dates_in_one_column_are_counted_apart(tmp_path: Path) -> None:
    curated, manifest = _clean(tmp_path, "v.csv", "who,d\nann,03.04.2025\nbob,05/06/2025\n")
    assert curated["d"] == [date(2025, 4, 3), date(2025, 5, 6)]
    assert manifest["clean_warnings"] == [
        # the file's own slashed value (bf11, breaker8 #10: a fixed 03/04/2025 was quoted)
        "d: 1 value(s) like 05/06/2025 read month first (6 May 2025) while no value of the file had shown the day order "
        "(as 13/06/2025 does); set types.dayfirst if that is wrong — the value is stored, its text kept in d__raw",
        "d: 1 value(s) like 03.04.2025 read day first (3 April 2025), as dates written with dots always are (the convention "
        "of most of Europe), while no value of the file had shown the day order; types.dayfirst does not change them — the "
        "value is stored, its text kept in d__raw",
    ]


BIRTHS = "who,birth_date\nann,2024-05-31\nbob,2024-06-02\ncid,1999-01-01\ndee,2025-03-04\n"


def test_a_backfill_judges_birth_dates_against_its_landing_date(tmp_path: Path) -> None:
    # landed 2024-06-01: 2024-06-02 and 2025-03-04 were in the future then (the clock's date would find neither)
    curated, manifest = _clean(tmp_path, "b.csv", BIRTHS, landing="2024-06-01")
    assert curated["birth_date"] == [date(2024, 5, 31), date(2024, 6, 2), date(1999, 1, 1), date(2025, 3, 4)]
    assert manifest["clean_warnings"] == [
        "birth_date: 2 date(s) after the run's date (2024-06-01) in a birth-date column, like 2024-06-02 read as 2024-06-02 — "
        "a birth date cannot be in the future; check the century or set the column's type to string"
    ]


def test_the_landing_day_itself_is_no_future_birth(tmp_path: Path) -> None:
    _, manifest = _clean(tmp_path, "b.csv", "who,dob\nann,2024-06-01\nbob,2024-05-01\n", landing="2024-06-01")
    assert manifest["clean_warnings"] == []


def test_a_later_landing_date_finds_no_future_birth(tmp_path: Path) -> None:
    _, manifest = _clean(tmp_path, "b.csv", BIRTHS, landing="2026-11-20")
    assert manifest["clean_warnings"] == []


def test_without_a_landing_date_the_step_uses_the_clock() -> None:
    today = datetime.now(timezone.utc).date()
    tomorrow = (pd.Timestamp(today) + pd.Timedelta(days=1)).date()
    frame = build_frame(["dob"], [["1990-01-01"], [tomorrow.isoformat()]], [2, 3], "d/x.csv")[0]
    alone = CoerceTypes({"dob": "date"})
    alone.apply(frame)
    assert (alone.future_births["dob"]["count"], alone.future_births["dob"]["today"]) == (1, str(today))
    dated = CoerceTypes({"dob": "date"}, landing_date="1980-01-01")
    dated.apply(frame)
    assert (dated.future_births["dob"]["count"], dated.future_births["dob"]["today"]) == (2, "1980-01-01")
