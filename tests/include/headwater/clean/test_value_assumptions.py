"""Values read by an assumption keep their text: parentheses, two-digit years, an undecided day order,
a date without a year, a time zone abbreviation (new-user break test, findings 3 and 4).

Each value is either stored as written, or stored with its text in ``<col>__raw`` and a warning
that names the assumption; a value that would need an invented part (a year, a zone's offset) is
not a date at all.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from headwater.clean.values import coerce, date_assumptions, parse_date
from headwater.config.settings import Settings
from landed_files import clean_landed, settings_without_sources

DATE = "2026-11-20"
UTC = timezone.utc


def _clean(settings: Settings, name: str, text: str) -> tuple[dict, dict]:
    table, manifest = clean_landed(settings, DATE, name, text)
    return table.to_pydict(), manifest


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_without_sources(tmp_path)


def test_a_column_of_parenthesised_numbers_stays_text(settings: Settings) -> None:
    curated, manifest = _clean(settings, "area_codes.csv", "city,area\nSan Francisco,(415)\nNew York,(212)\nPalo Alto,(650)\n")
    assert curated["area"] == ["(415)", "(212)", "(650)"]
    assert manifest["column_types"]["area"] == "string"
    assert manifest["value_formats"]["kept_as_text"] == {"area": "every value in parentheses"}


def test_accounting_negatives_are_read_and_keep_their_text(settings: Settings) -> None:
    curated, manifest = _clean(settings, "ledger.csv", "item,amount\nrent,1200.00\nrefund,(45.50)\nfees,(3.25)\nsales,980.10\n")
    assert curated["amount"] == [1200.0, -45.5, -3.25, 980.1]
    assert curated["amount__raw"] == [None, "(45.50)", "(3.25)", None]
    assert manifest["clean_warnings"] == [
        "amount: 2 value(s) written in parentheses, like (415), read as negative numbers (the accounting convention)"
        " — the value is stored, its text kept in amount__raw"
    ]


def test_a_declared_integer_in_parentheses_keeps_its_text(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "t.yaml").write_text('files: ["t*.csv"]\nschema:\n  columns:\n    n: integer\n', encoding="utf-8")
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)
    curated, _ = _clean(settings, "t.csv", "k,n\na,(7)\nb,7\nc,-7\n")
    assert (curated["n"], curated["n__raw"]) == ([-7, 7, -7], ["(7)", None, None])


def test_ambiguous_day_order_keeps_its_text_until_a_value_decides_it(settings: Settings) -> None:
    curated, manifest = _clean(settings, "visits.csv", "who,d\nann,03/04/2025\nbob,05/06/2025\ncid,12/12/2025\ndee,2025-07-01\n")
    assert curated["d"] == [date(2025, 3, 4), date(2025, 5, 6), date(2025, 12, 12), date(2025, 7, 1)]
    assert curated["d__raw"] == ["03/04/2025", "05/06/2025", None, None]  # 12/12 and ISO read one way only
    assert manifest["clean_warnings"] == [
        "d: 2 value(s) like 03/04/2025 read month first (4 March 2025) while no value of the file had shown the day order (as 13/04/2025 does); "
        "set types.dayfirst if that is wrong — the value is stored, its text kept in d__raw"
    ]


def test_a_deciding_value_in_the_file_leaves_nothing_ambiguous(settings: Settings) -> None:
    curated, manifest = _clean(settings, "eu.csv", "who,d\nann,03/04/2025\nbob,13/04/2025\n")
    assert curated["d"] == [date(2025, 4, 3), date(2025, 4, 13)]
    assert "d__raw" not in curated and manifest["clean_warnings"] == []


def test_the_day_order_shown_in_a_later_batch_decides_the_whole_file(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none", batch_rows=2)
    curated, manifest = _clean(settings, "late.csv", "k,d\na,03/04/2025\nb,05/06/2025\nc,13/04/2025\nd,02/01/2025\n")
    # the decision sample (the file's first rows, whatever the batch size: headwater.clean.runner) holds 13/04/2025:
    # day first for every batch, so 03/04 is 3 April even though batch 1 alone shows no order
    assert curated["d"] == [date(2025, 4, 3), date(2025, 6, 5), date(2025, 4, 13), date(2025, 1, 2)]
    assert "d__raw" not in curated
    assert manifest["value_formats"]["dayfirst"] is True


def test_a_day_order_shown_only_after_the_decision_sample_decides_the_whole_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from headwater.clean import runner

    monkeypatch.setattr(runner, "DECISION_ROWS", 2)  # the first 2 rows decide: they show no order
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none", batch_rows=2)
    curated, manifest = _clean(settings, "late.csv", "k,d\na,03/04/2025\nb,05/06/2025\nc,13/04/2025\nd,02/01/2025\n")
    # the sample's day order was an assumption (no value showed one): the runner read ahead to 13/04 (breaker3 #6),
    # so every date of the file is read day first, none keeps its text
    assert curated["d"] == [date(2025, 4, 3), date(2025, 6, 5), date(2025, 4, 13), date(2025, 1, 2)]
    assert "d__raw" not in curated
    assert manifest["value_formats"]["dayfirst"] is True


@pytest.mark.parametrize(
    ("name", "text", "col", "values", "raw", "future"),
    [
        ("born.csv", "who,born\nann,13/02/50\nbob,25/12/1988\n", "born", [date(2050, 2, 13), date(1988, 12, 25)], ["13/02/50", None],
         "1 date(s) after the run's date ({today}) in a birth-date column, like 13/02/50 read as 2050-02-13"),
        # breaker4 #8: 12/05/45 reads 2045-05-12 (pivot 1970-2069), a birth after the file was delivered
        (
            "dob2y.csv",
            "patient,dob,visit\nP1,12/05/45,03/01/2024\nP2,03/11/62,04/01/2024\nP3,07/08/99,05/01/2024\nP4,25/12/30,06/01/2024\n",
            "dob",
            [date(2045, 5, 12), date(2062, 11, 3), date(1999, 8, 7), date(2030, 12, 25)],
            ["12/05/45", "03/11/62", "07/08/99", "25/12/30"],
            "3 date(s) after the run's date ({today}) in a birth-date column, like 12/05/45 read as 2045-05-12",
        ),
    ],
)
def test_two_digit_years_keep_their_text_and_future_birth_dates_are_warned_about(
    settings: Settings, name: str, text: str, col: str, values: list, raw: list, future: str
) -> None:
    curated, manifest = _clean(settings, name, text)
    assert curated[col] == values
    assert curated[col + "__raw"] == raw
    assert curated[col + "__reason"] == [None if r is None else "two_digit_year" for r in raw]
    assert manifest["clean_warnings"] == [
        f"{col}: {len([r for r in raw if r])} value(s) with a two-digit year, like 01/02/50, read in the years 1970-2069 "
        f"(two_digit_year) — the value is stored, its text kept in {col}__raw",
        f"{col}: {future.format(today=DATE)} — a birth date cannot be in the future; check the century or "
        "set the column's type to string",
    ]


def test_a_date_without_a_year_is_not_a_date(settings: Settings) -> None:
    curated, manifest = _clean(settings, "syslog.csv", "at,msg\nNov 29 20:31:04,boot\nNov 29 20:32:10,login\n")
    assert curated["at"] == ["Nov 29 20:31:04", "Nov 29 20:32:10"]
    assert manifest["column_types"]["at"] == "string"


def test_an_unknown_time_zone_abbreviation_is_not_guessed() -> None:
    assert parse_date("2025-03-01 10:00 EST") is None
    assert parse_date("01/03/2025 02:00 CET", dayfirst=True) is None
    assert parse_date("Sat, 01 Mar 2025 10:00:00 GMT") == datetime(2025, 3, 1, 10, tzinfo=UTC)
    assert parse_date("2025-03-01 10:00 +05:00") == datetime(2025, 3, 1, 5, tzinfo=UTC)
    assert parse_date("March 1 2025") == datetime(2025, 3, 1)  # no zone written: a naive (local) date-time, never UTC
    assert parse_date("Nov 29 20:31:04") is None and parse_date("29 Nov 10:00") is None


def test_time_zone_abbreviations_keep_their_text_in_a_datetime_column(settings: Settings) -> None:
    rows = "".join(f"{k},2025-03-0{k} 10:00:00+00:00\n" for k in range(1, 10))
    curated, manifest = _clean(settings, "tz.csv", f"k,at\n{rows}10,2025-03-01 10:00 EST\n")
    assert manifest["column_types"]["at"] == "datetime"
    assert curated["at"] == [datetime(2025, 3, k, 10, tzinfo=UTC) for k in range(1, 10)] + [None]
    assert curated["at__raw"] == [None] * 9 + ["2025-03-01 10:00 EST"]


def test_date_assumptions_name_each_kind() -> None:
    values = pd.Series(["03/04/2025", "13/04/2025", "01.02.03", "2025-03-04", "12/12/25", "1/1/2025"], dtype="string")
    found = date_assumptions(values, dayfirst_provisional=True)
    assert found["day_order"].tolist() == [True, False, False, False, False, False]
    assert found["dotted_day_order"].tolist() == [False, False, True, False, False, False]  # 01.02.03 is read day first
    assert found["two_digit_year"].tolist() == [False, False, True, False, True, False]
    assert not date_assumptions(values, dayfirst_provisional=False)["day_order"].any()
    assert not date_assumptions(values, dayfirst_provisional=False)["dotted_day_order"].any()


def test_coerce_counts_interpretations_per_row() -> None:
    result = coerce(pd.Series(["(5)", "(5)", "6", None, "x"], dtype="string"), "integer")
    assert result.values.tolist() == [-5, -5, 6, pd.NA, pd.NA]
    assert result.inexact.tolist() == [True, True, False, False, False]
    assert dict(result.interpreted) == {"parentheses": 2}
