"""breaker5 #20: a declared integer or number column read ``02134`` as 2134 and ``1.23457E+11`` as 123457000000 with no
``__raw``: the leading zeros a zip code or an account number needs, and the notation that says an id lost digits, were gone.
Now both are read, their text kept in ``<col>__raw`` with the reason ``leading_zeros`` / ``exponent``, and warned about."""

from __future__ import annotations

import pandas as pd
import pytest

from headwater.clean.frame import build_frame
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.clean.values import coerce


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.tolist()]


def _column(values: list[str | None], declared: str) -> tuple[dict[str, list], list[str]]:
    frame = build_frame(["zip"], [[v] for v in values], list(range(2, 2 + len(values))), "d/x.csv")[0]
    step = CoerceTypes({"zip": declared})
    output = step.apply(frame)
    return {c: _values(output.kept[c]) for c in output.kept.columns if c.startswith("zip")}, step.warnings()


def test_a_declared_integer_column_keeps_the_text_of_leading_zeros_and_exponents() -> None:
    got, warnings = _column(["02134", "00501", "+1234", "1e3", "007", "1.5e2", "7.0", "42", None, "-007", "0"], "integer")
    assert got == {
        "zip": [2134, 501, 1234, 1000, 7, 150, 7, 42, None, -7, 0],
        "zip__raw": ["02134", "00501", None, "1e3", "007", "1.5e2", None, None, None, "-007", None],
        "zip__reason": ["leading_zeros", "leading_zeros", None, "exponent", "leading_zeros", "exponent", None, None, None, "leading_zeros", None],
    }
    assert [w for w in warnings if w.startswith("zip:")] == [
        "zip: 2 value(s) written with an exponent, like 1e3 or 1.23457E+11, in an integer column, read as the number they write "
        "(exponent); a count or an id Excel wrote this way may have lost digits before the file arrived — the value is stored, "
        "its text kept in zip__raw",
        "zip: 4 value(s) written with leading zeros, like 02134 or 007, read as numbers, which keep no leading zeros "
        "(leading_zeros); declare zip a string if it is a code (a zip code, an account number) — the value is stored, its text "
        "kept in zip__raw",
    ]


def test_a_declared_number_column_keeps_leading_zeros_but_reads_an_exponent_as_the_number_it_is() -> None:
    got, _ = _column(["02134", "0.5", "00.5", "1.5E+3", "3.25", "-0.25"], "number")
    assert got == {
        "zip": [2134.0, 0.5, 0.5, 1500.0, 3.25, -0.25],
        "zip__raw": ["02134", None, "00.5", None, None, None],
        "zip__reason": ["leading_zeros", None, "leading_zeros", None, None, None],
    }


@pytest.mark.parametrize(
    ("written", "kind", "reason"),
    [
        ("0012", "integer", "leading_zeros"),
        ("1,002", "integer", None),  # thousands grouping: the zeros are inside the number
        ("0", "integer", None),
        ("-0", "integer", None),
        ("1.23457E+11", "integer", "exponent"),
        ("1.23457E+11", "number", None),
        ("$012.50", "number", "leading_zeros"),
    ],
)
def test_which_spellings_are_flagged(written: str, kind: str, reason: str | None) -> None:
    result = coerce(pd.Series([written], dtype="string"), kind)
    assert not result.failed.iloc[0]
    assert (None if result.reasons is None or pd.isna(result.reasons.iloc[0]) else result.reasons.iloc[0]) == reason
    assert bool(result.inexact.iloc[0]) == (reason is not None)
