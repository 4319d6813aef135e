"""Column labels and values written for reading (the reading formats of row documents)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from headwater.chunk.readable import column_label, format_value


@pytest.mark.parametrize(
    ("name", "label"),
    [("business_name", "Business name"), ("zip_code", "Zip code"), ("score", "Score"), ("a__b_", "A b"), ("x2_total", "X2 total"), ("", "")],
)
def test_column_names_become_words(name: str, label: str) -> None:
    assert column_label(name) == label


UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (True, "", "yes"), (np.False_, "", "no"),
        (2024, "", "2024"), (np.int64(-1042), "", "-1042"), (92, "points", "92 points"),
        (2.5, "", "2.5"), (0.1, "", "0.1"), (3.0, "", "3"), (np.float64(12.5), "kg", "12.5 kg"), (7.5, "%", "7.5%"),
        (1e20, "", "100000000000000000000"), (0.12345678901234568, "", "0.12345678901234568"),
        (dt.date(2024, 3, 12), "", "12 March 2024"),
        (dt.datetime(2024, 3, 12, 14, 5, tzinfo=UTC), "", "12 March 2024, 14:05 UTC"),
        (pd.Timestamp("2024-12-01 00:00:09.25", tz="UTC"), "", "1 December 2024, 00:00:09.250000 UTC"),
        (dt.datetime(2024, 1, 2, 3, 4), "", "2 January 2024, 03:04"),
        ("Luigi's  Trattoria ", "", "Luigi's  Trattoria "),  # text exactly as curated
        ("42", "kg", "42"),  # a unit is for numbers: a string that looks like one is text
    ],
)
def test_values_are_written_for_reading(value, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


@pytest.mark.parametrize("value", [None, pd.NA, pd.NaT, float("nan"), np.float64("nan"), "", "   \n"])
def test_missing_and_blank_values_are_not_shown(value) -> None:
    assert format_value(value) is None
