"""A date column's dropped time of day vetoes a near-duplicate merge (breaker7 #21).

A date-time in a declared ``date`` column stores the date written and keeps its text in ``<col>__raw`` with reason
``time_dropped`` (headwater.clean.values.coerce). Two rows of one day at different times are two records (two visits,
two shifts): the vetoes compare the time written (headwater.clean.dedup.columns.written_times_of), as one instant when
it names its offset or zone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from headwater.clean.dedup.columns import Vetoes, written_times_of
from headwater.clean.frame import build_frame
from headwater.clean.pipeline import build_steps, run_steps
from headwater.clean.steps.base import AGREED, DEDUP_JOB, DUPLICATE_OF, LINE, ROW_ID
from headwater.config.source import SourceConfig

NOTE = "Patient came in for the routine check of her blood pressure and reported no new symptoms today"
DECLARED = {"day": {"type": "date"}, "note": {"type": "text"}}


def _run(rows: list[list[str]], declared: dict | None = None, header: tuple[str, ...] = ("name", "day", "note")):
    """(curated lines, [(duplicate line, job, line of the row it duplicates, agreed columns)]) of one batch."""
    config = SourceConfig.model_validate({"schema": {"columns": declared or DECLARED}})
    df = build_frame(list(header), rows, list(range(2, 2 + len(rows))), "2026-11-20/a.csv", config)[0]
    result = run_steps(df, build_steps(config))
    cur, dups = result.curated, result.duplicates
    line_of = dict(zip(cur[ROW_ID].tolist(), cur[LINE].tolist())) if len(cur) else {}
    merged = (
        [(int(r[LINE]), r[DEDUP_JOB], line_of[r[DUPLICATE_OF]], r[AGREED]) for _, r in dups.iterrows()] if len(dups) else []
    )
    return cur[LINE].tolist(), merged


def test_the_breakers_input_merges_only_the_one_instant_written_twice() -> None:
    # breaker7 in/tdup/a.csv: before, curated [2, 4, 6] and duplicates 3->2, 5->4, 7->6 (near_text, _agreed "day, name")
    rows = [
        ["Ann", "2024-03-05 09:00", NOTE],
        ["Ann", "2024-03-05 17:00", NOTE],
        ["Bob", "2024-03-05 09:00 +01:00", "x"],
        ["Bob", "2024-03-05 09:00 +05:00", "x"],
        ["Cy", "2024-03-05 09:00 Europe/Berlin", "y"],
        ["Cy", "2024-03-05 08:00 +00:00", "y"],
    ]
    assert _run(rows) == ([2, 3, 4, 5, 6], [(7, "near_text", 6, "day, name")])


def test_the_same_time_written_twice_still_merges() -> None:
    rows = [["Ann", "2024-03-05 09:00", NOTE], ["Ann", "2024-03-05 09:00", NOTE], ["Ann", "2024-03-05T09:00", NOTE]]
    assert _run(rows) == ([2], [(3, "exact", 2, None), (4, "near_text", 2, "day, name")])


def test_offsets_and_zones_of_one_instant_merge() -> None:
    rows = [
        ["Ann", "2024-03-05 09:00 +01:00", NOTE],
        ["Ann", "2024-03-05 08:00 Z", NOTE],
        ["Ann", "2024-03-05 10:00 +02:00", NOTE],
        ["Ann", "2024-03-05 09:00 Europe/Berlin", NOTE],
        ["Ann", "2024-03-05 09:00 Europe/London", NOTE],  # 09:00 UTC: another instant
    ]
    assert _run(rows) == ([2, 6], [(3, "near_text", 2, "day, name"), (4, "near_text", 2, "day, name"), (5, "near_text", 2, "day, name")])


def test_a_wall_time_and_the_same_wall_time_with_an_offset_are_kept_apart() -> None:
    # 09:00 with no zone may be any instant: not known to be 09:00 +01:00's (a missed duplicate, never a false merge)
    assert _run([["Ann", "2024-03-05 09:00", NOTE], ["Ann", "2024-03-05 09:00 +01:00", NOTE]]) == ([2, 3], [])


def test_a_date_column_without_times_is_unchanged() -> None:
    rows = [["Ann", "2024-03-05", NOTE], ["Ann", "2024-03-05", NOTE + "."], ["Ann", "2024-03-06", NOTE]]
    assert _run(rows) == ([2, 4], [(3, "near_text", 2, "day, name")])


def test_times_in_a_day_first_file_are_compared_on_the_stored_date() -> None:
    # 13/03 shows the day order; 05/03/2024 is 5 March at two times (vetoed); 13/03/2024 09:00 and 2024-03-13 09:00 one wall time
    rows = [
        ["Ann", "05/03/2024 09:00", NOTE],
        ["Ann", "05/03/2024 17:00", NOTE],
        ["Bob", "13/03/2024 09:00", NOTE],
        ["Bob", "2024-03-13 09:00", NOTE],
    ]
    assert _run(rows) == ([2, 3, 4], [(5, "near_text", 4, "day, name")])


def test_written_times_of_codes_each_time_and_leaves_rows_without_one_out() -> None:
    frame = {
        "day": pd.Series(pd.to_datetime(["2024-03-05"] * 5).date, dtype=object),
        "day__raw": pd.Series(["2024-03-05 09:00 +01:00", None, "2024-03-05 08:00 +00:00", "2024-03-05 17:00", "2024-03-05 9.00"]),
        "day__reason": pd.Series(["time_dropped", None, "time_dropped", "day_order; time_dropped", "time_dropped"]),
    }
    codes = written_times_of(frame, "day")
    assert codes is not None and codes.tolist() == [0, -1, 0, 1, 2]
    assert written_times_of({**frame, "day__reason": pd.Series([None] * 5, dtype=object)}, "day") is None
    vetoes = Vetoes.build(frame, ["day"], set())
    a, b = np.array([0, 0, 0, 1]), np.array([2, 3, 1, 3])
    # row 3 also assumed the day order (05/03 or 03/05): it differs from row 1's plain 5 March
    assert vetoes.check(a, b).tolist() == [False, True, False, True]
    assert Vetoes.deferred(frame, ["day"], set()).for_rows(np.array([0, 3])).check(np.array([0]), np.array([3])).tolist() == [True]


def test_a_date_read_in_an_assumed_day_order_differs_from_the_other_reading_written_plainly() -> None:
    # no value shows the day order: 03/04/2025 is stored month first (4 March; its text kept, reason day_order) and may be
    # 3 April; 2025-03-04 and 2025-04-03 are one date each, and each differs from it. 3/4/2025 is 03/04/2025 in either
    # order; 04/04/2025 reads the same in both (no reason) and is an exact duplicate of 2025-04-04
    rows = [
        ["Ann", "03/04/2025", NOTE],
        ["Ann", "2025-04-03", NOTE],
        ["Ann", "2025-03-04", NOTE],
        ["Ann", "3/4/2025", NOTE],
        ["Bob", "04/04/2025", NOTE],
        ["Bob", "2025-04-04", NOTE],
    ]
    assert _run(rows) == ([2, 3, 4, 6], [(7, "exact", 6, None), (5, "near_text", 2, "day, name")])


def test_a_dotted_date_read_day_first_differs_from_the_month_first_reading_written_plainly() -> None:
    rows = [["Ann", "03.04.2025", NOTE], ["Ann", "2025-04-03", NOTE], ["Ann", "03.04.2025 ", NOTE + "."]]
    assert _run(rows) == ([2, 3], [(4, "near_text", 2, "day, name")])


def test_dates_of_two_zones_are_two_days() -> None:
    """tz11: a date and its RFC 9557 zone (``zone_dropped``) stores the date; the day it names is that zone's. Berlin's
    5 March and Tokyo's are two days (kept apart); Berlin's and Paris's start at one instant (merged). A row without a
    zone is not told apart by the zone alone (as a row without a time)."""
    rows = [
        ["Ann", "2024-03-05[Europe/Berlin]", NOTE],
        ["Ann", "2024-03-05[Asia/Tokyo]", NOTE],
        ["Ann", "2024-03-05[Europe/Paris]", NOTE],
        ["Bob", "2024-03-05[Europe/Berlin]", "x"],
        ["Bob", "2024-03-05", "x"],
    ]
    assert _run(rows) == ([2, 3, 5], [(4, "near_text", 2, "day, name"), (6, "near_text", 5, "day, name")])
