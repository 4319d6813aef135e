"""The text after a date is a time of day, or the value is no date (breaker5 #11, #15, #16, #17, #24).

``parse_date`` used to hand what followed a numeric date to dateutil with the date as its default, which let that
text replace the year, month or day: ``2024/01/01 10.00`` was 10 January, ``2024-03-05 - 2024-03-09`` the 9th,
``2024-01-05 1000`` the year 1000. Now the text after a date is read by a time-only grammar (or the value is not a
date), a worded date holds one day, one month and one year, and a date-time is never labelled ``date_only``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from headwater.clean.values import coerce, date_assumptions, dayfirst_vote, infer_type, parse_date
from headwater.config.settings import Settings
from headwater.config.types import TypeOptions
from landed_files import clean_landed

UTC = timezone.utc
DATE = "2026-11-20"


@pytest.mark.parametrize(
    ("value", "dayfirst", "expected"),
    [
        # breaker5 #11 / #15: dotted and ``h`` times (de/fi/da/it, fr)
        ("2024/01/01 10.00", False, datetime(2024, 1, 1, 10, 0)),  # was 2024-01-10
        ("2024/01/02 11.30", False, datetime(2024, 1, 2, 11, 30)),
        ("05/03/2024 14.30", True, datetime(2024, 3, 5, 14, 30)),  # was 2024-03-14
        ("17/03/2024 23.59", True, datetime(2024, 3, 17, 23, 59)),  # was 2024-03-23
        ("05.03.2024 14.30", False, datetime(2024, 3, 5, 14, 30)),  # dotted: day first whatever the option
        ("2024-01-01 10h00", False, datetime(2024, 1, 1, 10, 0)),
        ("05/03/2024 14h30", True, datetime(2024, 3, 5, 14, 30)),
        ("2024-03-05 14h", False, datetime(2024, 3, 5, 14, 0)),
        ("2024-03-05 14.30.15", False, datetime(2024, 3, 5, 14, 30, 15)),
        ("2024-03-05T14.30", False, datetime(2024, 3, 5, 14, 30)),
        ("05.03.2024, 14:30", False, datetime(2024, 3, 5, 14, 30)),
        ("2024-03-05 14:30 Uhr", False, datetime(2024, 3, 5, 14, 30)),
        ("05.03.2024 14.30 Uhr", False, datetime(2024, 3, 5, 14, 30)),
        ("2024-03-05 9 Uhr", False, datetime(2024, 3, 5, 9, 0)),
        ("2024-03-05 14:30h", False, datetime(2024, 3, 5, 14, 30)),
        # 12-hour clock, noon
        ("2024-03-05 2pm", False, datetime(2024, 3, 5, 14, 0)),
        ("2024-03-05 2 p.m.", False, datetime(2024, 3, 5, 14, 0)),
        ("2024-03-05 12:15 AM", False, datetime(2024, 3, 5, 0, 15)),
        ("05/03/2024 2:30pm", False, datetime(2024, 5, 3, 14, 30)),
        ("2024-03-05 noon", False, datetime(2024, 3, 5, 12, 0)),
        ("2024-03-05 12 noon", False, datetime(2024, 3, 5, 12, 0)),
        # zones: ISO offsets; GMT+2 / UTC+05:30 are ISO offsets too (breaker5 #24: dateutil inverted them)
        ("2024-03-05 14:30 +02:00", False, datetime(2024, 3, 5, 12, 30, tzinfo=UTC)),
        ("2024-03-05 14.30+0200", False, datetime(2024, 3, 5, 12, 30, tzinfo=UTC)),
        ("2024-03-05 14:30Z", False, datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),
        ("2024-03-05 14:30 GMT", False, datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),
        ("2024-03-05 10:00 GMT+2", False, datetime(2024, 3, 5, 8, 0, tzinfo=UTC)),
        ("2024-03-05 10:00 GMT-5", False, datetime(2024, 3, 5, 15, 0, tzinfo=UTC)),
        ("2024-03-05 10:00 UTC+05:30", False, datetime(2024, 3, 5, 4, 30, tzinfo=UTC)),
        ("2024-03-05 10:00 GMT+0200", False, datetime(2024, 3, 5, 8, 0, tzinfo=UTC)),
        ("March 5 2024 10:00 GMT+2", False, datetime(2024, 3, 5, 8, 0, tzinfo=UTC)),
        ("2024-03-05 14:30:15,5", False, datetime(2024, 3, 5, 14, 30, 15, 500000)),
        # time first: the same day order as date first (breaker5 #16 f00)
        ("14:30 05/03/2024", True, datetime(2024, 3, 5, 14, 30)),
        ("14:30 05/03/2024", False, datetime(2024, 5, 3, 14, 30)),
        ("2pm 17/03/2024", True, datetime(2024, 3, 17, 14, 0)),
        ("Tue 05/03/2024", True, datetime(2024, 3, 5)),
        # worded dates
        ("5 Mar 2024 14.30", False, datetime(2024, 3, 5, 14, 30)),
        ("Mar 5, 2024 @ 14:30", False, datetime(2024, 3, 5, 14, 30)),
        ("March 5, 2024 2pm", False, datetime(2024, 3, 5, 14, 0)),
        ("5 March 2024 14h30", False, datetime(2024, 3, 5, 14, 30)),
        ("12:30 March 5 2024", False, datetime(2024, 3, 5, 12, 30)),
        ("Tuesday, March 5, 2024", False, datetime(2024, 3, 5)),
        ("05-Mar-2024 14:30", False, datetime(2024, 3, 5, 14, 30)),
        ("05 Mar 2024 14:30:00 GMT", False, datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),
    ],
)
def test_a_time_after_a_date_is_read_as_a_time(value: str, dayfirst: bool, expected: datetime) -> None:
    assert parse_date(value, dayfirst) == expected


@pytest.mark.parametrize(
    "value",
    [
        # a second date: a range is no date (breaker5 #17)
        "2024-03-05 - 2024-03-09",  # was 2024-03-09
        "2024-03-05/2024-03-09",  # was 2024-03-06 05:24 UTC (the -03-09 read as an offset)
        "05/03/2024 - 09/03/2024",
        "2024-03-05 14:30-2024-03-06",
        "March 5 2024 - March 9 2024",
        "5 Mar 2024 - 9 Mar 2024",
        "Mar 5 - 9, 2024",  # was 2009-03-05 20:24
        "March 5-9, 2024",
        "5-9 March 2024",
        "1 Mar 2024 2 Apr 2024",
        "Mar 5 2024 14:30 - 16:00",  # two times
        # a bare number after a date: an hour? a year? a count? (breaker5 #16)
        "2024-01-05 1000",  # was the year 1000
        "1/2/2024 0900",  # was the year 900
        "2024-01-05 10",  # was 2024-01-10
        "2024-03-05 14",
        "March 5 2024 10",  # was 10:00
        "5 Mar 2024 0900",
        "5 Mar 2024 2024",  # was 20:24
        "2024-03-05 +1",
        "5 Mar 2024 +1",
        # out of range or no time at all
        "2024-03-05 25:00",
        "2024-03-05 14:60",
        "2024-03-05 13pm",
        "2024-03-05 14:30 Tue",
        "2024-03-05 midnight",
        "2024-03-05 14:30 CET",  # an abbreviation is never guessed
        "3 5 2024",  # no month name, no separators: the order is unknown
    ],
)
def test_text_after_a_date_that_is_no_time_makes_no_date(value: str) -> None:
    assert parse_date(value) is None
    assert parse_date(value, True) is None


def test_a_time_first_date_votes_on_the_day_order() -> None:
    assert [dayfirst_vote(v) for v in ["14:30 17/03/2024", "14:30 03/17/2024", "14:30 05/03/2024", "Tue 17/03/2024"]] == [True, False, None, True]
    found = date_assumptions(pd.Series(["14:30 05/03/2024", "05/03/2024 14:30", "05.03.2024 14.30", "14:30 17/03/2024"], dtype="string"), True)
    assert found["day_order"].tolist() == [True, True, False, False]  # a dotted date with a four-digit year is day first, no assumption


def test_a_datetime_column_of_dotted_times_holds_the_times_and_no_date_only_reason() -> None:
    column = pd.Series(["2024/01/01 10.00", "05.03.2024 14.30", "2024-01-01 10h00", "2024-03-05", "2024-03-05 - 2024-03-09"], dtype="string")
    result = coerce(column, "datetime", TypeOptions(), {"dayfirst": False})
    assert result.values.tolist()[:4] == [
        pd.Timestamp("2024-01-01 10:00"), pd.Timestamp("2024-03-05 14:30"), pd.Timestamp("2024-01-01 10:00"), pd.Timestamp("2024-03-05"),
    ]
    assert result.values.isna().tolist() == [False, False, False, False, True]
    assert result.failed.tolist() == [False, False, False, False, True]  # the range: not read, its text kept
    # 05.03.2024 is read day first (dotted) in a month-first column: said (breaker7 #22)
    assert [r if isinstance(r, str) else None for r in result.reasons] == [None, "dotted_day_order", None, "date_only", "text_after_date"]
    assert result.interpreted == {"date_only": 1, "dotted_day_order": 1}  # and the value written without a time
    assert result.unread == {"text_after_date": 1}


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["2024/01/01 10.00", "2024/01/02 11.30", "2024/01/03 12.45"], "datetime"),
        (["05/03/2024 14.30", "06/03/2024 09.15", "17/03/2024 23.59"], "datetime"),
        (["2024-03-05 2pm", "2024-03-06 3pm", "2024-03-07 4pm"], "datetime"),  # was "date": the time dropped
        (["5 Mar 2024 14.30", "6 Mar 2024 09.15", "7 Mar 2024 23.59"], "datetime"),
        (["2024-03-05 - 2024-03-09", "2024-04-01 - 2024-04-03", "2024-05-10 - 2024-05-12"], "string"),
        (["2024-03-05/2024-03-09", "2024-04-01/2024-04-03", "2024-05-10/2024-05-12"], "string"),
        (["2024-01-05 1000", "2024-01-06 1000", "2024-01-07 1000"], "string"),
    ],
)
def test_inferred_type_of_date_time_spellings(values: list[str], kind: str) -> None:
    assert infer_type("seen", pd.Series(values, dtype="string")) == kind


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    config = tmp_path / "config"
    config.mkdir()
    (config / "t.yaml").write_text('files: ["t*.csv"]\nschema:\n  columns:\n    id: string\n    seen: datetime\n', encoding="utf-8")
    return Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)


def _clean(settings: Settings, name: str, text: str) -> tuple[dict, dict]:
    table, manifest = clean_landed(settings, DATE, name, text)
    return table.to_pydict(), manifest


def test_no_config_dotted_date_times_land_as_written(settings: Settings) -> None:
    """breaker5 #15 (in/dottime3/slash.csv, dmy.csv): the hour became the day, silently."""
    cols, manifest = _clean(settings, "slash.csv", "id,seen\n1,2024/01/01 10.00\n2,2024/01/02 11.30\n3,2024/01/03 12.45\n")
    assert manifest["column_types"]["seen"] == "datetime"
    assert cols["seen"] == [datetime(2024, 1, 1, 10, 0), datetime(2024, 1, 2, 11, 30), datetime(2024, 1, 3, 12, 45)]
    cols, manifest = _clean(settings, "dmy.csv", "id,seen\n1,05/03/2024 14.30\n2,06/03/2024 09.15\n3,17/03/2024 23.59\n")
    assert cols["seen"] == [datetime(2024, 3, 5, 14, 30), datetime(2024, 3, 6, 9, 15), datetime(2024, 3, 17, 23, 59)]
    assert "seen__raw" not in cols  # 17/03/2024 showed the file's day order: nothing read by an assumption


def test_no_config_date_ranges_stay_text(settings: Settings) -> None:
    """breaker5 #17 (in/ranges/a_dash.csv, f_mixed.csv): a range became its end date, silently."""
    cols, manifest = _clean(settings, "a_dash.csv", "booking,stay\nB1,2024-03-05 - 2024-03-09\nB2,2024-04-01 - 2024-04-03\nB3,2024-05-10 - 2024-05-12\n")
    assert manifest["column_types"]["stay"] == "string"
    assert cols["stay"] == ["2024-03-05 - 2024-03-09", "2024-04-01 - 2024-04-03", "2024-05-10 - 2024-05-12"]
    text = "booking,stay\n" + "".join(f"B{i},2024-03-{i:02d}\n" for i in range(1, 10)) + "B10,2024-04-01 - 2024-04-03\n"
    cols, manifest = _clean(settings, "f_mixed.csv", text)
    assert manifest["column_types"]["stay"] == "date"
    assert cols["stay"][-1] is None and cols["stay__raw"][-1] == "2024-04-01 - 2024-04-03"  # not read: never its end date
    assert cols["stay"][0] == date(2024, 3, 1)


def test_declared_datetime_dotted_times(settings: Settings) -> None:
    """breaker5 #11 (in/dottime/t1.csv): wrong dates labelled ``date_only``; and #10: ``2024-03-05 14.30`` masked as a phone."""
    cols, manifest = _clean(
        settings, "t1.csv", "id,seen\n1,2024/01/01 10.00\n2,05.03.2024 14.30\n3,2024-01-01 10h00\n4,2024-03-05 14.30\n5,2024-03-05\n"
    )
    assert cols["seen"] == [
        datetime(2024, 1, 1, 10, 0), datetime(2024, 3, 5, 14, 30), datetime(2024, 1, 1, 10, 0), datetime(2024, 3, 5, 14, 30), datetime(2024, 3, 5),
    ]
    assert cols["seen__reason"] == [None, "dotted_day_order", None, None, "date_only"]  # read day first by the dotted convention: said
    # 05.03.2024 reads day first (the dotted convention) while no value showed the file's order: its text is kept too
    assert cols["seen__raw"] == [None, "05.03.2024 14.30", None, None, "2024-03-05"]
    assert not manifest.get("text_masked")


def test_a_naive_utc_offset_is_two_hours_ahead() -> None:
    """breaker5 #24: ``GMT+2`` is UTC+02:00 (what exports and Outlook's ``(GMT+02:00)`` mean), never POSIX's inverse."""
    got = parse_date("05.03.2024 10.00 UTC+2")
    assert got == datetime(2024, 3, 5, 10, 0, tzinfo=timezone(timedelta(hours=2))).astimezone(UTC)


def test_day_order_auto_is_per_column_when_the_columns_disagree(settings: Settings) -> None:
    """breaker5 #23 (in/dayorder2/twocols.csv): the file's votes tie (month first); column ``a`` showed day first
    itself and was silently kept as text. Now each column is read on its own evidence, with a warning."""
    cols, manifest = _clean(settings, "orders.csv", "id,a,b\n1,03/04/2024,03/04/2024\n2,25/03/2024,03/25/2024\n")
    assert manifest["column_types"] == {"id": "string", "a": "date", "b": "date"}
    assert cols["a"] == [date(2024, 4, 3), date(2024, 3, 25)]
    assert cols["b"] == [date(2024, 3, 4), date(2024, 3, 25)]
    assert manifest["value_formats"]["dayfirst"] is False
    assert manifest["clean_warnings"] == [
        "a: read day first on its own evidence (1 value(s) that only read day first, like 25/03/2024) where the file's day order "
        "is month first (other columns' votes or a tie); set schema.columns.a.dayfirst if that is wrong"
    ]
    # a column whose own values show both orders is not a date column (nothing is guessed)
    cols, manifest = _clean(settings, "conflict.csv", "id,when\n1,03/04/2024\n2,25/03/2024\n3,03/25/2024\n")
    assert manifest["column_types"]["when"] == "string"
    assert cols["when"] == ["03/04/2024", "25/03/2024", "03/25/2024"]


@pytest.mark.parametrize("batch_rows", [100_000, 2])
def test_a_column_read_in_its_own_order_is_warned_however_the_file_is_batched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_rows: int
) -> None:
    """bf7's finding: the batches after the decision sample (CoerceTypes.adopt) did not take the sample's
    ``own_day_order``, so a file of several batches read ``a`` day first on its own evidence without the warning."""
    from headwater.clean import runner

    monkeypatch.setattr(runner, "DECISION_ROWS", 4)
    rows = "1,03/04/2024,03/04/2024\n9,25/03/2024,03/25/2024\n" + "".join(f"{i},03/04/2024,03/04/2024\n" for i in range(10, 16))
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none", batch_rows=batch_rows)
    table, manifest = clean_landed(settings, DATE, "orders.csv", "id,a,b\n" + rows)
    cols = table.to_pydict()
    assert cols["a"] == [date(2024, 4, 3), date(2024, 3, 25)] + [date(2024, 4, 3)] * 6
    assert cols["b"] == [date(2024, 3, 4), date(2024, 3, 25)] + [date(2024, 3, 4)] * 6
    assert manifest["clean_warnings"] == [
        "a: read day first on its own evidence (1 value(s) that only read day first, like 25/03/2024) where the file's day order "
        "is month first (other columns' votes or a tie); set schema.columns.a.dayfirst if that is wrong"
    ]


def test_a_date_followed_by_other_text_fails_with_a_reason_and_a_warning(settings: Settings) -> None:
    """A declared datetime: the range, the bare number and the interval are not read, their text kept with the reason."""
    cols, manifest = _clean(
        settings, "t3.csv",
        "id,seen\n1,2024-03-05 14:30\n2,2024-03-05 - 2024-03-09\n3,2024-01-05 1000\n4,2024-03-05/2024-03-09\n5,2024-03-06 09.15\n6,2024-03-05 10:00 EST\n",
    )
    assert cols["seen"] == [datetime(2024, 3, 5, 14, 30), None, None, None, datetime(2024, 3, 6, 9, 15), None]
    assert cols["seen__raw"] == [None, "2024-03-05 - 2024-03-09", "2024-01-05 1000", "2024-03-05/2024-03-09", None, "2024-03-05 10:00 EST"]
    assert cols["seen__reason"] == [None, "text_after_date", "text_after_date", "text_after_date", None, "zone_abbreviation"]
    assert (
        "seen: 3 value(s) write a date followed by text that is not just a time of day and its zone, like 2024-03-05 - "
        "2024-03-09 (a range), 2024-01-05 1000 (a bare number) or 2024-03-05 at 14:30 (a word with the time): no date is "
        "taken from them (text_after_date) — not read, kept in seen__raw"
    ) in manifest["clean_warnings"]


def test_a_dotted_date_under_a_declared_month_first_order_keeps_its_text_and_says_why() -> None:
    """breaker7 #22: with ``dayfirst: false`` declared, ``03.04.1990`` was stored as 3 April (dotted dates are always read
    day first) with no text kept, no reason and no warning. Now its text and the reason ``dotted_day_order`` are kept and
    warned; under ``dayfirst: true`` nothing is assumed."""
    from headwater.clean.frame import build_frame
    from headwater.clean.steps.coerce_types import CoerceTypes

    def run(dayfirst: bool) -> tuple[list, list[str]]:
        values = ["03.04.1990", "04/05/1990", "25.12.1960"]
        frame = build_frame(["d"], [[v] for v in values], [2, 3, 4], "d/x.csv")[0]
        step = CoerceTypes({"d": "date"}, TypeOptions(dayfirst=dayfirst))
        out = step.apply(frame).kept
        cols = [c for c in ("d", "d__raw", "d__reason") if c in out.columns]
        return [tuple(None if pd.isna(v) else v for v in row) for row in out[cols].itertuples(index=False)], step.warnings()

    rows, warnings = run(False)
    assert rows == [(date(1990, 4, 3), "03.04.1990", "dotted_day_order"), (date(1990, 4, 5), None, None), (date(1960, 12, 25), None, None)]
    assert warnings == [
        "d: 1 value(s) like 03.04.1990 read day first (3 April 1990), as dates written with dots always are (the convention of "
        "most of Europe), although the column's day order is month first (declared, or shown by the file); types.dayfirst does "
        "not change them (dotted_day_order) — the value is stored, its text kept in d__raw"
    ]
    rows, warnings = run(True)
    assert rows == [(date(1990, 4, 3),), (date(1990, 5, 4),), (date(1960, 12, 25),)]
    assert warnings == []
