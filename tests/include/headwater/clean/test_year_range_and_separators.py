"""Dates no reader can convert and controls that separate words (breaker13 F8, F9, F11, F12).

A year outside Python's datetime (1-9999: year 0, -0001, 10000), or a date-time whose UTC instant falls outside, is never
stored: pyarrow's ``to_pylist``, pandas' object conversion and the chunk stage would raise on it (``year 0 is out of
range``), and ``0000-01-01`` among ISO dates crashed the clean stage. Its text is kept with ``year_out_of_range``.
MySQL's zero date ``0000-00-00`` is kept with ``zero_date`` (not read as missing unless listed in na_values).
VT and the information separators become a space, NEL a line break, never removed (``vt\\x0bhere`` was ``vthere``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from headwater.chunk.stage import chunk as chunk_file

from headwater.clean.failures import failure_reason
from headwater.clean.frame import build_frame
from headwater.clean.steps.base import REASON
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.clean.text import normalize_column, normalize_text
from headwater.clean.values import coerce
from headwater.config.settings import Settings
from headwater.config.types import TypeOptions
from headwater.layout import Layout
from headwater.manifest import FileRef
from landed_files import clean_landed, settings_without_sources

DATE = "2026-11-27"
ISO_DATES = [f"2024-03-{d:02d}" for d in range(1, 25)]


def _rows(tmp_path: Path, text: str, name: str = "f.csv") -> tuple[list[dict], dict]:
    table, manifest = clean_landed(settings_without_sources(tmp_path), DATE, name, text)
    return table.to_pylist(), manifest  # to_pylist: every stored value converts to Python (raised on year 0 before)


def test_year_zero_among_iso_dates_is_kept_as_text_and_the_file_is_cleaned(tmp_path: Path) -> None:
    text = "id,d\n" + "".join(f"{i},{d}\n" for i, d in enumerate(ISO_DATES, 1)) + "25,0000-01-01\n"
    rows, manifest = _rows(tmp_path, text)
    assert manifest["column_types"]["d"] == "date"
    assert [(r["d"], r["d__raw"], r["d__reason"]) for r in rows[-2:]] == [
        (pd.Timestamp("2024-03-24").date(), None, None), (None, "0000-01-01", "year_out_of_range"),
    ]
    assert manifest["coercion_failures"] == {"d": 1}
    assert any(w.startswith("d: 1 value(s) are dates with a year no date value holds, like 0000-01-01") for w in manifest["clean_warnings"])


def test_year_zero_among_date_times_is_not_stored_as_an_unreadable_timestamp(tmp_path: Path) -> None:
    text = "id,d\n" + "".join(f"{i},{d} 10:00:00\n" for i, d in enumerate(ISO_DATES, 1)) + "25,0000-01-01 10:00:00\n26,9999-12-31 23:59:59\n"
    rows, manifest = _rows(tmp_path, text)
    assert manifest["column_types"]["d"] == "datetime"
    assert [(r["d"], r["d__raw"], r["d__reason"]) for r in rows[-3:]] == [
        (pd.Timestamp("2024-03-24 10:00").to_pydatetime(), None, None),
        (None, "0000-01-01 10:00:00", "year_out_of_range"),
        (pd.Timestamp("9999-12-31 23:59:59").to_pydatetime(), "9999-12-31 23:59:59", "implausible_year"),  # the last storable second
    ]
    assert manifest["coercion_failures"] == {"d": 1}


def test_every_out_of_range_spelling_in_an_inferred_date_column(tmp_path: Path) -> None:
    odd = ["0000-01-01", "-0001-01-01", "10000-01-01", "0000-00-00", "0001-01-01", "9999-12-31"]
    text = "id,d\n" + "".join(f"{i},{d}\n" for i, d in enumerate(ISO_DATES + odd, 1))
    rows, manifest = _rows(tmp_path, text)
    assert manifest["column_types"]["d"] == "date"
    assert [(r["d"], r["d__raw"], r["d__reason"]) for r in rows[-6:]] == [
        (None, "0000-01-01", "year_out_of_range"),
        (None, "-0001-01-01", "year_out_of_range"),
        (None, "10000-01-01", "year_out_of_range"),
        (None, "0000-00-00", "zero_date"),
        (pd.Timestamp("0001-01-01").date(), "0001-01-01", "implausible_year"),
        (pd.Timestamp("9999-12-31").date(), "9999-12-31", "implausible_year"),
    ]
    assert manifest["coercion_failures"] == {"d": 4}


def test_day_first_dates_with_year_zero(tmp_path: Path) -> None:
    dm = [f"{d:02d}.{m:02d}.2024" for m in (3, 4, 5) for d in range(13, 29)]
    rows, manifest = _rows(tmp_path, "id,d\n" + "".join(f"{i},{d}\n" for i, d in enumerate(dm + ["01.01.0000", "31/12/0000"], 1)))
    assert manifest["column_types"]["d"] == "date"
    assert [(r["d"], r["d__raw"], r["d__reason"]) for r in rows[-3:]] == [
        (pd.Timestamp("2024-05-28").date(), None, None), (None, "01.01.0000", "year_out_of_range"), (None, "31/12/0000", "year_out_of_range"),
    ]


@pytest.mark.parametrize(
    ("kind", "value", "stored", "reason"),
    [
        # an instant: its UTC year decides (0001-01-01T00:30+01:00 is 0000-12-31T23:30Z)
        ("datetime", "0001-01-01T00:30+01:00", None, "year_out_of_range"),
        ("datetime", "9999-12-31T23:59:59-05:00", None, "year_out_of_range"),  # 10000-01-01T04:59:59Z
        ("datetime", "0000-01-01T10:00:00Z", None, "year_out_of_range"),
        ("datetime", "0000-12-31T23:30-01:00", pd.Timestamp("0001-01-01 00:30", tz="UTC"), "implausible_year"),  # that instant is year 1
        ("datetime", "9999-12-31T23:59:59Z", pd.Timestamp("9999-12-31 23:59:59", tz="UTC"), "implausible_year"),
        # a date: the date as written decides, never its UTC date (0000-12-31T23:30-01:00 was stored 0001-01-01)
        ("date", "0000-12-31T23:30-01:00", None, "year_out_of_range"),
        ("date", "0001-01-01T00:30+01:00", pd.Timestamp("0001-01-01").date(), "time_dropped; implausible_year"),
        ("date", "0000-01-01T10:00:00Z", None, "year_out_of_range"),
        ("date", "0000-01-01 10:00+02:00", None, "year_out_of_range"),
        ("date", "9999-12-31T23:59:59-05:00", pd.Timestamp("9999-12-31").date(), "time_dropped; implausible_year"),
    ],
)
def test_zoned_values_at_the_ends_of_the_storable_years(kind: str, value: str, stored: object, reason: str) -> None:
    series = pd.Series(["2024-03-01T10:00Z", "2024-03-02T10:00+01:00", value], dtype="string")
    result = coerce(series, kind, formats={"dayfirst": False, "decimal": "."})
    got = result.values.iloc[-1]
    assert (None if pd.isna(got) else got) == stored
    assert bool(result.failed.iloc[-1]) is (stored is None)
    assert result.reasons.iloc[-1] == reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0000-01-01", "year_out_of_range"), ("-0001-01-01", "year_out_of_range"), ("\u22120001-01-01", "year_out_of_range"),
        ("10000-01-01", "year_out_of_range"), ("+10000-01-01", "year_out_of_range"), ("0000-06-15T10:00", "year_out_of_range"),
        ("01.01.0000", "year_out_of_range"), ("12/31/0000 10:00", "year_out_of_range"), ("0000-00-00", "zero_date"),
        ("0000-00-00 00:00:00", "zero_date"), ("0000-00-00T00:00:00.000", "zero_date"), ("+2024-03-05", "not_a_date"),
        ("2024-13-01", "not_a_date"),
    ],
)
def test_failure_reason_of_years_no_date_holds(text: str, reason: str) -> None:
    assert failure_reason(text, "date") == reason


def test_a_declared_date_column_under_quarantine_quarantines_the_row_with_the_reason() -> None:
    step = CoerceTypes({"d": "date", "t": "datetime"}, TypeOptions(on_error="quarantine"))
    rows = [["2024-03-01", "2024-03-01 10:00"], ["0000-01-01", "2024-03-01 11:00"], ["2024-03-02", "0000-01-01 10:00"],
            ["0000-00-00", "2024-03-01 12:00"], ["2024-03-03", "2024-03-01 13:00"]]
    frame = build_frame(["d", "t"], rows, list(range(2, 2 + len(rows))), "d/x.csv")[0]
    result = step.apply(frame)
    # a cause the parser names is not repeated in the line (as weekday_mismatch); a cause read off the text is
    assert result.quarantined[REASON].tolist() == [
        "line 3: d='0000-01-01' is not a valid date — row quarantined",
        "line 4: t='0000-01-01 10:00' is not a valid datetime — row quarantined",
        "line 5: d='0000-00-00' is not a valid date (zero_date) — row quarantined",
    ]
    assert [str(d) for d in result.kept["d"].tolist()] == ["2024-03-01", "2024-03-03"]


@pytest.mark.parametrize(
    ("value", "expected", "kinds"),
    [
        ("vt\x0bhere", "vt here", ["whitespace"]),
        ("ff\x0chere", "ff here", ["whitespace"]),
        ("nel\x85here", "nel\nhere", ["line_breaks"]),
        ("fs\x1cgs\x1drs\x1eus\x1fend", "fs gs rs us end", ["whitespace"]),
        ("ls\u2028here", "ls\nhere", ["line_breaks"]),
        ("ps\u2029here", "ps\nhere", ["line_breaks"]),
        ("a \x0b b", "a b", ["whitespace"]),
        ("Straße\x0bNr. 5", "Straße Nr. 5", ["whitespace"]),
        ("Ã\x85ngstr\xc3\xb6m", "Ångström", ["line_breaks", "mojibake"]),  # a mis-decoded Å: still repaired, as before
    ],
)
def test_word_separating_controls_become_a_space_or_a_line_break(value: str, expected: str, kinds: list[str]) -> None:
    assert normalize_text(value) == expected
    column = normalize_column(pa.array(["plain", value]))
    assert column.values.to_pylist() == ["plain", expected]
    assert sorted(k for k, v in column.changed.items() if v[1]) == kinds


def test_a_crlf_file_with_controls_between_words(tmp_path: Path) -> None:
    text = 'id,notes\r\n1,vt\x0bhere\r\n2,ff\x0chere\r\n3,nel\x85here\r\n4,ls\u2028here\r\n5,rs\x1ehere\r\n'
    rows, manifest = _rows(tmp_path, text)
    assert [(r["notes"], r["notes__raw"], r["notes__reason"]) for r in rows] == [
        ("vt here", "vt\x0bhere", "normalized: whitespace"), ("ff here", "ff\x0chere", "normalized: whitespace"),
        ("nel\nhere", "nel\x85here", "normalized: line_breaks"),
        ("ls\nhere", "ls\u2028here", "normalized: line_breaks"), ("rs here", "rs\x1ehere", "normalized: whitespace"),
    ]


def test_the_chunk_stage_reads_every_stored_value(tmp_path: Path) -> None:
    # the chunk stage formats each date of a row document: year 0 stored raised "year 0 is out of range" there
    settings = settings_without_sources(tmp_path)
    text = ("id,d,t\n" + "".join(f"{i},{d},{d} 10:00:00\n" for i, d in enumerate(ISO_DATES, 1))
            + "25,0000-01-01,0000-01-01 10:00:00\n26,9999-12-31,9999-12-31 23:59:59\n")
    clean_landed(settings, DATE, "rows.csv", text)
    summary = chunk_file(FileRef(DATE, "rows.csv"), settings)
    documents = pq.read_table(Layout(settings.data_dir, DATE).chunks("rows.csv")).column("text").to_pylist()
    assert summary["status"] == "ok" and summary["chunks"] == len(documents) == 26
    assert documents[-2:] == [
        "D: 0000-01-01 (as written, not read)\nT: 0000-01-01 10:00:00 (as written, not read)",
        "D: 31 December 9999\nT: 31 December 9999, 23:59:59",
    ]


def test_the_zero_date_listed_in_na_values_is_missing(tmp_path: Path) -> None:
    # the fix the zero_date warning names: a source that means "no date" by 0000-00-00 says so
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "mysql.yaml").write_text('name: mysql\nfiles: ["dump.csv"]\ntypes:\n  na_values: ["0000-00-00"]\n')
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "cfg")
    text = "id,d\n" + "".join(f"{i},{d}\n" for i, d in enumerate(ISO_DATES + ["0000-00-00"], 1))
    table, manifest = clean_landed(settings, DATE, "dump.csv", text)
    last = table.to_pylist()[-1]
    assert (last["d"], last["d__raw"], last["d__reason"]) == (None, "0000-00-00", "na_spelling")
    assert manifest["na_spellings"] == {"d": {"0000-00-00": 1}} and manifest["coercion_failures"] == {}
    assert manifest["clean_warnings"] == []
