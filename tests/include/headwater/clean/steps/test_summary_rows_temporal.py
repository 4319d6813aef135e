"""summary_rows._labels: a date or timestamp column holds no total label, and is not written out as text to find one."""

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from headwater.clean.pipeline import build_steps, run_steps
from headwater.clean.steps import summary_rows

DATES = [
    pd.Series([dt.date(2025, 8, 21), None, dt.date(1, 1, 1)], dtype=pd.ArrowDtype(pa.date32())),
    pd.Series(pd.to_datetime(["2024-01-15 10:15", None]).tz_localize("UTC")),
    pd.Series(pd.to_datetime(["2024-01-15", "2024-02-29"])),
    pd.Series([dt.datetime(2024, 1, 15, 10, 15), None], dtype=pd.ArrowDtype(pa.timestamp("us", tz="Europe/Berlin"))),
]


@pytest.mark.parametrize("column", DATES)
def test_a_temporal_column_has_no_labels_and_is_not_made_text(column: pd.Series, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_text(self, dtype, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError(f"{self.dtype} written out as {dtype}")

    monkeypatch.setattr(pd.Series, "astype", no_text)
    assert summary_rows._labels(column).tolist() == [False] * len(column)


def test_text_numbers_and_other_columns_are_still_read() -> None:
    assert summary_rows._labels(pd.Series(["Total", "x", None, "Grand total (EUR)"], dtype="string")).tolist() == [True, False, False, True]
    assert summary_rows._labels(pd.Series([1.5, 2.0])).tolist() == [False, False]
    assert not summary_rows._temporal(pd.ArrowDtype(pa.string()))
    assert not summary_rows._temporal(pd.ArrowDtype(pa.time64("us")))


def test_a_summary_row_next_to_a_date_column_is_still_found() -> None:
    # the default pipeline types "day" as a date (Arrow date32) before the summary-row step reads the labels
    df = pd.DataFrame(
        [["tea", "2025-01-01", "10", "1.50"], ["coffee", "2025-01-02", "20", "2.25"], ["cake", "2025-01-03", "5", "3.00"],
         ["Total", None, "35", "6.75"]],
        columns=["item", "day", "units", "revenue"], dtype="string",
    )
    df["_line"] = range(2, 6)
    df["_source"] = "2026-11-20/t.csv"
    result = run_steps(df, build_steps(None))
    assert str(result.curated["day"].dtype) == "date32[day][pyarrow]"
    assert result.curated["_line"].tolist() == [2, 3, 4]
    assert result.quarantined["_line"].tolist() == [5]
