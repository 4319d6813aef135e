"""Database-export NULL conventions (breaker3 #20).

PostgreSQL ``COPY ... CSV`` writes NULL as an empty unquoted field and an empty string as ``""``;
MySQL ``SELECT ... INTO OUTFILE`` writes NULL as ``\\N``. The reader keeps a quoted empty field
(``""``) apart from an unquoted one (null in staging; headwater.ingest.csv_file.absent_empties and
Arrow's ``quoted_strings_can_be_null=False``), so an empty string lands as an empty string, and
``\\N`` is a missing-value spelling with its text kept.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from headwater.clean.frame import build_frame
from headwater.clean.steps.null_spellings import NullSpellings
from headwater.config.schema import ColumnSpec
from headwater.config.types import TypeOptions
from landed_files import clean_landed, settings_without_sources

DATE = "2026-11-23"
# breaker3 in39/pg_export.csv
PG_EXPORT = (
    'id,nickname,note\n1,"",quoted empty string (postgres: empty text)\n2,,unquoted empty (postgres: NULL)\n'
    '3,\\N,mysql NULL\n4,"NULL",quoted NULL string\n5,Bob,plain\n'
)


def _clean(tmp_path: Path, text: str, name: str = "export.csv") -> tuple[list[dict], dict]:
    """(curated rows, manifest); the fast and the careful reader both read ``text`` (tests/include/headwater/conftest.py)."""
    table, manifest = clean_landed(settings_without_sources(tmp_path), DATE, name, text)
    return [{k: v for k, v in r.items() if k not in ("_source", "_row_id", "_line")} for r in table.to_pylist()], manifest


def test_a_postgres_export_keeps_its_empty_string_and_its_nulls_apart(tmp_path: Path) -> None:
    rows, manifest = _clean(tmp_path, PG_EXPORT)
    assert [(r["nickname"], r["nickname__raw"], r["nickname__reason"]) for r in rows] == [
        ("", None, None),  # "": an empty string, as written
        (None, None, None),  # nothing written: missing
        (None, "\\N", "na_spelling"),  # MySQL's NULL
        (None, "NULL", "na_spelling"),
        ("Bob", None, None),
    ]
    assert manifest["na_spellings"] == {"nickname": {"": 1, "\\N": 1, "null": 1}}  # "": the empty unquoted field
    assert manifest["column_types"]["nickname"] == "string"


def test_a_quoted_empty_field_in_a_number_or_date_column_is_missing_with_its_text_and_reason(tmp_path: Path) -> None:
    text = 'id,qty,seen,name\n1,"",2025-01-02,""\n2,,"",Bo\n3,5,,\n4,7,2025-01-03,Al\n'
    rows, manifest = _clean(tmp_path, text)
    assert [(r["qty"], r["qty__raw"], r["qty__reason"]) for r in rows] == [(None, "", "empty_string"), (None, None, None), (5, None, None), (7, None, None)]
    assert [(r["seen"] and r["seen"].isoformat(), r["seen__raw"], r["seen__reason"]) for r in rows] == [
        ("2025-01-02", None, None), (None, "", "empty_string"), (None, None, None), ("2025-01-03", None, None),
    ]
    assert [r["name"] for r in rows] == ["", "Bo", None, "Al"]
    assert manifest["column_types"] == {"id": "string", "qty": "integer", "seen": "date", "name": "string"}
    assert manifest["na_spellings"] == {"qty": {"": 1, '""': 1}, "seen": {"": 1, '""': 1}, "name": {"": 1}}


def test_a_mysql_export_whose_only_missing_spelling_is_backslash_n(tmp_path: Path) -> None:
    text = "id,qty,city\n1,3,Oslo\n2,\\N,\\N\n3,4,Rome\n4,\\N,Lima\n"
    rows, manifest = _clean(tmp_path, text)
    assert [(r["qty"], r.get("qty__raw"), r.get("qty__reason")) for r in rows] == [
        (3, None, None), (None, "\\N", "na_spelling"), (4, None, None), (None, "\\N", "na_spelling"),
    ]
    assert [(r["city"], r.get("city__raw")) for r in rows] == [("Oslo", None), (None, "\\N"), ("Rome", None), ("Lima", None)]
    assert manifest["column_types"]["qty"] == "integer"
    assert manifest["na_spellings"] == {"qty": {"\\N": 2}, "city": {"\\N": 1}}  # as written: "\\n" reads as a newline escape


def test_a_quoted_empty_field_with_quotes_and_delimiters_around_it(tmp_path: Path) -> None:
    # a quoted field holding a doubled quote and the delimiter, then "", then an unquoted empty last field
    text = 'a,b,c,d\n"x ""y"", z","",q,\n"",,"",""\n'
    rows, _ = _clean(tmp_path, text)
    assert rows == [
        {"a": 'x "y", z', "b": "", "c": "q", "d": None},
        {"a": "", "b": None, "c": "", "d": ""},
    ]


def test_a_quoted_empty_field_after_a_value_that_spans_lines(tmp_path: Path) -> None:
    # the careful reader reads the record from its kept lines (a quoted line break: no plain line for Arrow)
    rows, _ = _clean(tmp_path, 'id,text,note\n1,"one\ntwo",""\n2,three,""\n3,four,x\n')
    assert rows == [{"id": "1", "text": "one\ntwo", "note": ""}, {"id": "2", "text": "three", "note": ""}, {"id": "3", "text": "four", "note": "x"}]
    rows, _ = _clean(tmp_path / "b", 'id,text,note\n1,"one\ntwo",\n2,three,""\n3,four,x\n')
    assert [r["note"] for r in rows] == [None, "", "x"]


def _frame(header: list[str], rows: list[list[str | None]]) -> pd.DataFrame:
    return build_frame(header, rows, list(range(2, 2 + len(rows))), "d/x.csv")[0]


def test_backslash_n_is_a_default_spelling_and_not_na_values_keeps_it() -> None:
    frame = _frame(["v"], [["\\N"], ["a"], ["\\n"]])
    out = NullSpellings().apply(frame).kept
    assert [None if pd.isna(v) else v for v in out["v"]] == [None, "a", "\\n"]  # matched as written: \n is no NULL
    kept = NullSpellings(TypeOptions(not_na_values=["\\N"])).apply(frame).kept
    assert kept["v"].tolist() == ["\\N", "a", "\\n"]


def test_backslash_n_is_counted_as_written_in_every_column_and_path() -> None:
    # breaker9 #13: the manifest listed MySQL's NULL as "\\n"; the other spellings are still counted lower-cased
    frame = _frame(["a", "b", "c"], [["\\N", "NULL", "x"], ["\\N", "\\N", "N/A"], ["1", "null", "\\n"]])
    for by_column in (False, True):  # the stacked path and the column-by-column one
        step = NullSpellings()
        out = (step.apply_by_column(frame) if by_column else step.apply(frame)).kept
        assert [None if pd.isna(v) else v for v in out["c"]] == ["x", None, "\\n"]
        assert step.summary()["na_spellings"] == {"a": {"\\N": 2}, "b": {"\\N": 1, "null": 2}, "c": {"n/a": 1}}


@pytest.mark.parametrize("where", ["types", "column"])
@pytest.mark.parametrize("listed", ["\\N", " \\N "])
def test_listing_the_database_null_in_na_values_does_not_empty_a_literal_backslash_n(where: str, listed: str) -> None:
    """``\\N`` listed in na_values (types or the column) is MySQL's NULL, matched as written like the default; the
    case-blind comparison of na_values must not make the two characters ``\\n`` (a literal text) missing too."""
    rows = [["1", "\\N"], ["2", "\\n"], ["3", "a\\nb"], ["4", "n/a"], ["5", "x"]]
    df = build_frame(["id", "note"], rows, list(range(2, 7)), "d/x.csv")[0]
    if where == "types":
        step = NullSpellings(TypeOptions(na_values=[listed]))
    else:
        step = NullSpellings(columns={"note": ColumnSpec(name="note", na_values=[listed])})
    out = step.apply(df).kept
    assert [None if pd.isna(v) else v for v in out["note"].tolist()] == [None, "\\n", "a\\nb", None, "x"]
    assert step.summary()["na_spellings"] == {"note": {"\\N": 1, "n/a": 1}}
