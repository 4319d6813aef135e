"""What the wide-file step tests share (test_coerce_types_wide, test_normalize_text_wide, test_null_spellings_wide).

Each of those steps works on all columns at once and is compared with its column-by-column path and with each column
cleaned in a frame of its own; the frames, the comparisons and the per-column loop are the same for the three.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd

from headwater.clean.frame import build_frame


def frame(header: list[str], rows: list[list[str | None]], first_line: int = 2) -> pd.DataFrame:
    """``rows`` under ``header`` as the staging frame of ``d/wide.csv``, its records on lines ``first_line``, ``first_line + 1``..."""
    return build_frame(header, rows, list(range(first_line, first_line + len(rows))), "d/wide.csv")[0]


def edge_frame(edge: list[tuple[str, list[str | None]]]) -> pd.DataFrame:
    """The frame of ``edge`` columns (name, values of rows 1..n): one column per entry."""
    rows = len(edge[0][1])
    return frame([name for name, _ in edge], [[values[r] for _, values in edge] for r in range(rows)])


def plain(series: pd.Series) -> list:
    """A column's values as Python values, missing as None."""
    return [None if pd.isna(v) else v for v in series]


def assert_same(wide: list, alone: list) -> None:
    """Two runs' outputs equal item by item: frames by ``pd.testing.assert_frame_equal`` (None only where the other is
    None), anything else by ``==``."""
    assert len(wide) == len(alone)
    for got, expected in zip(wide, alone):
        if isinstance(expected, pd.DataFrame) or isinstance(got, pd.DataFrame):
            assert isinstance(got, pd.DataFrame) and isinstance(expected, pd.DataFrame), (type(got), type(expected))
            pd.testing.assert_frame_equal(got, expected)
        else:
            assert got == expected


def each_column_alone(make: Callable[[], Any], header: list[str], rows: list[list[str | None]]) -> Iterator[tuple[str, Any, Any]]:
    """For each column of the wide file: (name, a fresh step ``make()`` applied to that column alone, the step applied to the
    whole file), after checking that the column and its derived columns (``<col>__raw``...) are the same in both, in order."""
    wide_step = make()
    wide = wide_step.apply(frame(header, rows)).kept
    for i, name in enumerate(header):
        step = make()
        own = step.apply(frame([name], [[row[i]] for row in rows])).kept
        derived = [c for c in own.columns if c == name or c.startswith(name + "__")]
        assert derived == [c for c in wide.columns if c == name or c.startswith(name + "__")], name
        pd.testing.assert_frame_equal(own[derived], wide[derived])
        yield name, step, wide_step
