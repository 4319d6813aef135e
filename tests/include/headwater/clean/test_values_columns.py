"""The columns-at-once functions of headwater.clean.values give each column what the column-by-column ones give it."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from headwater.clean.values import (
    coerce, coerce_columns, dayfirst_votes, decimal_votes, fits_both_marks, infer_type, infer_types, unit_marked, votes_by_column,
)
from headwater.config.types import TypeOptions

POOL = ["1", "2.5", "0,5", "1,234", "1.234,5", "abc", "", "NA", "2026-01-03", "03/04/2025", "13/04/2025", "04-13-2025", "yes",
        "no", "on", "off", "007", "+3", "1e3", "(4)", "€5", "5%", "5 USD", "1.10", "1.2", " 7 ", "٣", "true", "12:00",
        "2026-01-05 10:00", "2026-01-05 10:00 EST", "99999999999999999999", "-12", "4,50", "1 234"]


def _columns(count: int, seed: int) -> dict[str, pd.Series]:
    rng = random.Random(seed)
    out = {}
    for i in range(count):
        pool = rng.sample(POOL, rng.randint(1, 5))
        name = rng.choice([f"c{i}", f"c{i}_id", f"version_{i}", f"amount_{i}"])
        out[name] = pd.Series([rng.choice(pool) if rng.random() > 0.1 else None for _ in range(rng.randint(1, 9))], dtype="str")
    return out


@pytest.mark.parametrize("decimal", [".", ","])
@pytest.mark.parametrize("dayfirst", [False, True])
@pytest.mark.parametrize("options", [TypeOptions(), TypeOptions(infer_min_share=0.5), TypeOptions(tz_abbreviations={"EST": "America/New_York"})])
def test_infer_types_is_infer_type_of_each_column(decimal: str, dayfirst: bool, options: TypeOptions) -> None:
    columns = _columns(150, seed=17)
    formats = {name: {"decimal": decimal, "dayfirst": dayfirst} for name in columns}
    one_reasons: dict[str, str] = {}
    many_reasons: dict[str, str] = {}
    one = {name: infer_type(name, s, options, dict(formats[name]), one_reasons) for name, s in columns.items()}
    assert infer_types(columns, options, formats, many_reasons) == one
    assert list(many_reasons.items()) == list(one_reasons.items())
    assert set(one.values()) == {"string", "integer", "number", "boolean", "date", "datetime"}  # every branch was taken


def test_infer_types_without_a_decimal_mark_decides_each_column_alone() -> None:
    columns = {"a": pd.Series(["0,125", "1,5"], dtype="str"), "b": pd.Series(["3.5", "1.25"], dtype="str")}
    assert infer_types(columns, TypeOptions(), {}) == {"a": "number", "b": "number"}
    assert infer_types(columns, TypeOptions(), {"a": {"decimal": ".", "dayfirst": False}, "b": {"decimal": ".", "dayfirst": False}}) == {
        "a": "string", "b": "number"}


def test_votes_by_column_are_each_columns_votes() -> None:
    columns = list(_columns(300, seed=23).values())
    decimal = [i % 3 != 0 for i in range(len(columns))]
    dayfirst = [i % 4 != 1 for i in range(len(columns))]
    decimals, days = votes_by_column(columns, decimal, dayfirst)
    for column, on_decimal, on_day, got_decimal, got_day in zip(columns, decimal, dayfirst, decimals, days):
        values = column.dropna().astype("string").str.strip().drop_duplicates()
        assert got_decimal == (decimal_votes(values) if on_decimal else {})
        assert got_day == (dayfirst_votes(values) if on_day else {})
    assert sum(d["."] for d in decimals) > 0 and sum(d[","] for d in decimals) > 0
    assert sum(d[True] for d in days) > 0 and sum(d[False] for d in days) > 0


def test_unit_marked_says_which_columns_may_carry_a_unit() -> None:
    columns = [pd.Series(v, dtype="str") for v in (["1", "2.5"], ["$5", "6"], [" 1 234 ", "(5)", "+3", None], ["5 usd"], ["12%"], [None])]
    assert unit_marked(columns).tolist() == [False, True, False, True, True, False]


@pytest.mark.parametrize(("kind", "formats", "values"), [
    ("integer", {"decimal": "."}, [["1", "2", "x", None, "99999999999999999999"], ["-3", "1,234", "4.0"]]),
    ("number", {"decimal": ","}, [["1,5", "2", "x", None], ["0,12345678901234567890", "1.234,5", "3.5"]]),
    ("number", {"decimal": ".", "decimal_provisional": True}, [["2,125", "2.5"], ["1,5", "7"]]),
    ("boolean", {"decimal": "."}, [["yes", "NO", "maybe"], ["t", None, "0"]]),
    ("date", {"decimal": ".", "dayfirst": True}, [["13/04/2025", "2026-01-05", "x"], ["20240115", "March 3 2025", None]]),
])
def test_coerce_columns_is_coerce_of_each_column(kind: str, formats: dict, values: list[list[str | None]]) -> None:
    columns = [pd.Series(v, index=range(10, 10 + len(v)), dtype="str") for v in values]
    results = coerce_columns(columns, kind, TypeOptions(), formats)
    assert results is not None
    for column, got in zip(columns, results):
        expected = coerce(column, kind, TypeOptions(), dict(formats))
        pd.testing.assert_series_equal(got.values, expected.values)
        pd.testing.assert_series_equal(got.failed, expected.failed)
        pd.testing.assert_series_equal(got.inexact, expected.inexact)
        assert not expected.interpreted and not expected.unread
        if expected.reasons is None:
            assert got.reasons is None
        else:  # reasons with no count (nearest_float64, ambiguous_decimal_mark) come per column
            assert [None if pd.isna(v) else v for v in got.reasons] == [None if pd.isna(v) else v for v in expected.reasons]


def test_coerce_columns_splits_the_per_value_reasons_by_column() -> None:
    columns = [pd.Series(["1,5", "0,12345678901234567890"], dtype="str"), pd.Series(["2", "3,5"], dtype="str")]
    first, second = coerce_columns(columns, "number", TypeOptions(), {"decimal": ","})
    assert [None if pd.isna(v) else v for v in first.reasons.tolist()] == [None, "nearest_float64"]
    assert second.reasons is None


def test_coerce_columns_leaves_a_value_read_by_an_assumption_to_its_column() -> None:
    # (4) is read as -4 by the accounting convention, counted per column: the caller coerces each column alone
    columns = [pd.Series(["1", "(4)"], dtype="str"), pd.Series(["2"], dtype="str")]
    assert coerce_columns(columns, "integer", TypeOptions(), {"decimal": "."}) is None
    assert coerce_columns([pd.Series(["01/02/50"], dtype="str")], "date", TypeOptions(), {"decimal": ".", "dayfirst": False}) is None


def test_coerce_columns_refuses_what_it_would_decide_from_the_values() -> None:
    with pytest.raises(ValueError, match="coerce each column"):
        coerce_columns([pd.Series(["1"], dtype="str")], "number", TypeOptions(), {})
    with pytest.raises(ValueError, match="coerce each column"):
        coerce_columns([pd.Series(["2026-01-05 10:00"], dtype="str")], "datetime", TypeOptions(), {"decimal": ".", "dayfirst": False})


def test_fits_both_marks_finds_values_that_read_two_ways_per_column() -> None:
    columns = [pd.Series(["1,234", "2.5", " 2,125 ", None], dtype="str"), pd.Series(["7", "1.204"], dtype="str"), pd.Series([], dtype="str")]
    assert [m.tolist() for m in fits_both_marks(columns)] == [[True, False, True, False], [False, True], []]
