"""The columns-at-once helpers of headwater.clean.text: stacking Arrow string columns, cutting them into stacks, counting per column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from headwater.clean.text import STACK_VALUES, column_codes, counts_by_code, stack_groups, stack_strings, string_series


def test_columns_are_stacked_with_their_offsets_and_codes() -> None:
    stack, offsets = stack_strings([pa.array(["a", None]), pa.chunked_array([["b"], ["c", "d"]]), pa.array([1, 2]), pa.array([], pa.string())])
    assert stack.type == pa.large_string() and stack.to_pylist() == ["a", None, "b", "c", "d", "1", "2"]
    assert offsets.tolist() == [0, 2, 5, 7, 7]
    assert column_codes(offsets).tolist() == [0, 0, 1, 1, 1, 2, 2]
    empty, none = stack_strings([])
    assert len(empty) == 0 and none.tolist() == [0]


def test_stacks_hold_at_most_the_limit_and_a_long_column_stands_alone() -> None:
    assert stack_groups([100, 100, 100], 250) == [[0, 1], [2]]
    assert stack_groups([300, 10, 10, 260, 5], 250) == [[0], [1, 2], [3], [4]]
    assert stack_groups([0, 0, 0], 250) == [[0, 1, 2]]
    assert stack_groups([], 250) == []
    assert stack_groups([100] * 700) == [list(range(655)), list(range(655, 700))] and STACK_VALUES == 65_536


def test_a_stack_slice_is_a_pandas_string_column() -> None:
    got = string_series(pa.array(["x", None], pa.large_string()), pd.Index([5, 6]))
    pd.testing.assert_series_equal(got, pd.Series(["x", None], index=[5, 6]).astype("string"))


def test_counts_per_code_equal_value_counts_per_column() -> None:
    values = pa.array(["b", "a", "b", "a", "c", "b"])
    codes = np.array([0, 0, 0, 2, 2, 2])
    got = counts_by_code(values, codes)
    assert got == {0: {"b": 2, "a": 1}, 2: {"a": 1, "c": 1, "b": 1}}
    assert list(got[0]) == ["b", "a"]  # first occurrence within the code
    assert counts_by_code(pa.array([], pa.string()), np.zeros(0, dtype=np.int64)) == {}
