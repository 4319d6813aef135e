"""A date-time in a column declared ``date`` (found by the tz7 helper): ``2024-03-05 00:30 +01:00`` was stored as
2024-03-04 (the UTC date, not the date written) and every time of day was dropped with no text kept. Now the date as
written is stored (in the offset or zone written), the text is kept with the reason ``time_dropped``, and warned; a
naive midnight (``2024-03-05 00:00:00``: Excel's way of writing a date) loses nothing and keeps no text."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from headwater.clean.frame import build_frame
from headwater.clean.steps.coerce_types import CoerceTypes


def _date_column(values: list[str]) -> tuple[list[tuple], list[str]]:
    frame = build_frame(["d"], [[v] for v in values], list(range(2, 2 + len(values))), "d/x.csv")[0]
    step = CoerceTypes({"d": "date"})
    out = step.apply(frame).kept
    for derived in ("d__raw", "d__reason"):
        if derived not in out.columns:
            out[derived] = None
    rows = [tuple(None if pd.isna(v) else v for v in r) for r in out[["d", "d__raw", "d__reason"]].itertuples(index=False)]
    return rows, step.warnings()


@pytest.mark.parametrize(("written", "stored"), [
    ("2024-03-05 00:30 +01:00", date(2024, 3, 5)),  # was 2024-03-04 (UTC)
    ("2024-03-05T00:30:00+01:00", date(2024, 3, 5)),
    ("2024-03-04T23:30:00-05:00", date(2024, 3, 4)),  # was 2024-03-05 (UTC)
    ("2024-03-05 00:30 Europe/Berlin", date(2024, 3, 5)),
    ("2024-03-04 23:30 America/New_York", date(2024, 3, 4)),
    ("March 5, 2024 23:30 -08:00", date(2024, 3, 5)),
    ("2024-03-05T00:00:00Z", date(2024, 3, 5)),
    ("2024-03-05 14:30", date(2024, 3, 5)),
    ("2024-03-05 2pm", date(2024, 3, 5)),
])
def test_the_date_written_is_stored_and_the_time_kept_with_its_reason(written: str, stored: date) -> None:
    rows, warnings = _date_column([written, "2024-03-06"])
    assert rows == [(stored, written, "time_dropped"), (date(2024, 3, 6), None, None)]
    assert warnings == [
        "d: 1 value(s) holding a time of day, like 2024-03-05 14:30 or 2024-03-05 00:30 +01:00, in a date column: the date "
        "written is stored (in the offset written, never converted to UTC), the time is not (time_dropped); declare d a "
        "datetime to keep it — the value is stored, its text kept in d__raw"
    ]


@pytest.mark.parametrize("written", ["2024-03-05 00:00", "2024-03-05 00:00:00", "2024-03-05T00:00:00.000", "2024-03-05"])
def test_a_naive_midnight_loses_nothing(written: str) -> None:
    rows, warnings = _date_column([written, "2024-03-06"])
    assert rows == [(date(2024, 3, 5), None, None), (date(2024, 3, 6), None, None)]
    assert warnings == []


def test_a_value_with_two_causes_says_both() -> None:
    rows, _ = _date_column(["05/03/2024 00:30 GMT+2", "2024-03-06"])  # no value shows the day order: read month first
    assert rows[0] == (date(2024, 5, 3), "05/03/2024 00:30 GMT+2", "day_order; time_dropped")
