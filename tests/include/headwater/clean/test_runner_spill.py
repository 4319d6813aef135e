"""The runner's spill between passes (Arrow IPC parts read back as their Parquet would be) and what it lets go.

headwater.clean.runner._SpillParts writes each batch as an Arrow IPC file and reads it with ``pd.read_feather``; the
frames read back must equal ``pd.read_parquet`` of the batch written with ``to_parquet(index=False)`` (what the
runner spilled before), value for value and dtype for dtype, since what the later passes see lands in the outputs.
"""

from __future__ import annotations

import decimal
import gc
import weakref
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import headwater.clean.runner as runner
from headwater.clean.runner import DECISION_ROWS, Staging, run_file
from headwater.clean.steps.base import LINE, StepOutput
from headwater.layout import Layout


def _mixed(lines: list[int]) -> pd.DataFrame:
    """Five rows of every kind of column the steps make (and some they might), with missing values."""
    dates = ["2024-01-02 03:04:05", None, "2024-03-01 00:00:00", "1970-01-01 00:00:00", "2200-01-01 00:00:00"]
    df = pd.DataFrame({
        LINE: pd.Series(lines, dtype="int64"),
        "_source": "2026-11-20/x.csv",
        "name": pd.Series(["ann", None, "", "di", "é"], dtype="string"),
        "code": pd.Series(["a", None, "c", "", "e"], dtype="str"),
        "n": pd.array([1, None, 3, 4, -5], dtype="Int64"),
        "plain": np.arange(5, dtype=np.int64),
        "f": np.array([1.5, np.nan, -0.0, 1e300, 3]),
        "amount": pd.array([1.5, None, -0.0, 2, 3], dtype="Float64"),
        "ok": pd.array([True, None, False, True, None], dtype="boolean"),
        "flag": np.array([True, False, True, False, True]),
        "big": np.array([1, 2, 3, 2**63, 5], dtype=np.uint64),
        "wait": pd.to_timedelta([1, 2, 3, 4, 5], unit="s"),
        "day": pd.array([None, pd.Timestamp("2024-01-02").date(), None, pd.Timestamp("1999-12-31").date(), None],
                        dtype=pd.ArrowDtype(pa.date32())),
        "price": pd.array([decimal.Decimal("1.10"), None, decimal.Decimal("2"), decimal.Decimal("-3.5"), None],
                          dtype=pd.ArrowDtype(pa.decimal128(20, 2))),
        "amount__raw": pd.Series([None, "1,5", None, None, "3.0"], dtype="string"),
    })
    for unit in ("s", "ms", "us", "ns"):
        df[f"at_{unit}"] = pd.Series(pd.to_datetime(dates).as_unit(unit))
        df[f"utc_{unit}"] = df[f"at_{unit}"].dt.tz_localize("UTC")
    return df


def _parquet_read(df: pd.DataFrame, path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    df.to_parquet(path, index=False, compression=None, use_dictionary=False, write_statistics=False)
    return pd.read_parquet(path, columns=columns)


def _assert_same_frame(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert [str(t) for t in got.dtypes] == [str(t) for t in want.dtypes]
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.attrs == want.attrs


def test_a_spilled_batch_reads_back_as_its_parquet_would(tmp_path: Path) -> None:
    df = _mixed([2, 3, 4, 5, 6])
    parts = runner._SpillParts(tmp_path / "x.pass1.parquet")
    parts.add(df)
    assert [p.suffix for p in parts.parts] == [".arrow"]
    got = runner._read_part(parts.parts[0])
    want = _parquet_read(df, tmp_path / "want.parquet")
    _assert_same_frame(got, want)
    # what Parquet changes is changed alike: seconds are read back as milliseconds (Parquet has no seconds unit)
    assert str(got["at_s"].dtype) == "datetime64[ms]" and str(got["utc_s"].dtype) == "datetime64[ms, UTC]"
    assert str(got["at_us"].dtype) == "datetime64[us]" and got["price"].dtype == object  # as read_parquet reads them
    assert got["price"].tolist()[:2] == [decimal.Decimal("1.10"), None]
    for columns in (["at_s"], ["amount__raw", "n"], [LINE]):
        _assert_same_frame(runner._read_part(parts.parts[0], columns=columns), pd.read_parquet(tmp_path / "want.parquet", columns=columns))
    assert runner._part_rows(parts.parts[0]) == 5 and parts.rows == 5
    stored = pq.read_schema(tmp_path / "want.parquet")  # what _Columns compares batches by: types and pandas metadata
    assert runner._part_schema(parts.parts[0]).equals(stored, check_metadata=True)
    parts.abort()


def test_attrs_and_categoricals_read_back_as_from_parquet(tmp_path: Path) -> None:
    df = _mixed([2, 3, 4, 5, 6])
    df.attrs = {"source": "x.csv"}
    cat = pd.DataFrame({LINE: pd.Series([2, 3, 4], dtype="int64"),
                        "kind": pd.Categorical(["b", None, "b"], categories=["c", "b", "a"], ordered=True)})
    parts = runner._SpillParts(tmp_path / "x.pass1.parquet")
    parts.add(df)
    parts.add(cat)  # a dictionary column: Parquet rebuilds the categories from the values, so this part is Parquet
    assert [p.suffix for p in parts.parts] == [".arrow", ".parquet"]
    _assert_same_frame(runner._read_part(parts.parts[0]), _parquet_read(df, tmp_path / "a.parquet"))
    got = runner._read_part(parts.parts[1])
    _assert_same_frame(got, _parquet_read(cat, tmp_path / "b.parquet"))
    assert got.attrs == {} and runner._read_part(parts.parts[0]).attrs == {"source": "x.csv"}
    parts.abort()


def test_spilled_columns_are_the_same_from_arrow_and_parquet_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = _mixed([2, 3, 4, 5, 6]).drop(columns=["amount__raw"]), _mixed([7, 8, 9, 10, 11])
    second["n"] = second["n"].astype("float64")  # a column typed unlike its batch before: one piece, the whole column
    spilled = runner._SpillParts(tmp_path / "x.pass1.parquet")
    for df in (first, second):
        spilled.add(df)
    parquet = [tmp_path / "p0.parquet", tmp_path / "p1.parquet"]
    for df, path in zip((first, second), parquet):
        df.to_parquet(path, index=False, compression=None, use_dictionary=False, write_statistics=False)
    for small in (1 << 30, 0):  # read whole, or column by column
        monkeypatch.setattr(runner, "SMALL_SPILL_BYTES", small)
        a, b = runner._Columns(spilled.parts), runner._Columns(parquet)
        assert (a._frames is None, b._frames is None) == (small == 0, small == 0)
        assert list(a) == list(b) and a.num_rows == b.num_rows == 10
        for name in b:
            pd.testing.assert_series_equal(a[name], b[name], check_exact=True)
            assert [str(p.dtype) for p in a.pieces(name)] == [str(p.dtype) for p in b.pieces(name)]
            assert [len(p) for p in a.pieces(name)] == [len(p) for p in b.pieces(name)]
        assert [len(p) for p in a.pieces("name")] == [5, 5] and [len(p) for p in a.pieces("n")] == [10]
        assert a["amount__raw"].tolist() == [pd.NA] * 5 + [pd.NA, "1,5", pd.NA, pd.NA, "3.0"]
    spilled.abort()


class _Watch:
    """A step that keeps every row and notes a weak reference to each frame it is given."""

    name = "watch"

    def __init__(self) -> None:
        self.seen: list[weakref.ref] = []

    def apply(self, df: pd.DataFrame) -> StepOutput:
        self.seen.append(weakref.ref(df))
        return StepOutput(df.copy())


class _Fit(_Watch):
    name = "fit"
    needs_fit = True

    def fit(self, columns) -> None:
        self.rows = columns.num_rows


def _staging(n_batches: int, size: int, alive: list[int], steps: list[_Watch]):
    """Staging batches of ``size`` rows; before each batch after the first, counts the frames the steps were given
    that are still alive (the runner holding the batch before while the next is read)."""
    line = 2
    for k in range(n_batches):
        if k:
            gc.collect()
            alive.append(sum(ref() is not None for step in steps for ref in step.seen))
        lines = list(range(line, line + size))
        line += size
        yield pa.record_batch([pa.array(lines, pa.int64()), pa.array([f"v{n}" for n in lines])], names=[LINE, "c0"])


class _Outputs:
    def __init__(self) -> None:
        self.rows = 0

    def add_curated(self, df: pd.DataFrame) -> None:
        self.rows += len(df)

    def add_duplicates(self, df: pd.DataFrame) -> None:
        pass

    def add_rejected(self, rows) -> None:
        pass

    def commit(self) -> None:
        pass

    def abort(self) -> None:
        pass


@pytest.mark.parametrize("fit", [False, True])
def test_the_runner_lets_a_batch_go_before_reading_the_next(tmp_path: Path, fit: bool) -> None:
    steps: list[_Watch] = [_Watch()] + ([_Fit()] if fit else [])
    alive: list[int] = []
    out = _Outputs()
    result = run_file(Staging(_staging(4, 3, alive, steps), ["V"], "d/x.csv"), steps, out, Layout(tmp_path), tmp_path / "x.parquet")
    assert out.rows == 12 and result.batches == 4
    assert alive == [0, 0, 0]  # no frame of the batch before is held while the next one is read
    assert len(steps[0].seen) == 4 and (not fit or len(steps[1].seen) == 4)


class _Deciding(_Watch):
    """A step that decides on the sample (``adopt``): notes the last line it was told the sample ends at."""

    name = "deciding"

    def adopt(self, twin, last_line: int) -> None:
        self.last_line = last_line


def test_the_sample_batch_is_let_go_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the first batch is the whole sample the runner decides on it, then lets it go like any other batch."""
    monkeypatch.setattr(runner, "DECISION_ROWS", 3)
    step = _Deciding()
    alive: list[int] = []
    out = _Outputs()
    run_file(Staging(_staging(3, 3, alive, [step]), ["V"], "d/x.csv"), [step], out, Layout(tmp_path), tmp_path / "x.parquet")
    assert step.last_line == 4 and out.rows == 9  # lines 2-4: the first batch
    assert alive == [0, 0]


def test_the_sample_cut_from_batches_equals_the_cut_of_their_concatenation() -> None:
    def frame(lines: list[int]) -> pd.DataFrame:
        return pd.DataFrame({LINE: pd.Series(lines, dtype="int64"), "v": pd.Series([str(n) for n in lines], dtype="string")})

    for sizes in ([DECISION_ROWS], [DECISION_ROWS, 5], [DECISION_ROWS, 5, 7], [DECISION_ROWS - 1, 6], [DECISION_ROWS + 4, 3]):
        frames, line = [], 2
        for size in sizes:
            frames.append(frame(list(range(line, line + size))))
            line += size
        sample, rest = runner._sample_and_rest(frames)
        joined = pd.concat(frames, ignore_index=True)
        pd.testing.assert_frame_equal(sample, joined.iloc[:DECISION_ROWS])
        if len(joined) > DECISION_ROWS:
            pd.testing.assert_frame_equal(rest, joined.iloc[DECISION_ROWS:].reset_index(drop=True))
        else:
            assert rest is None
        sample["v"] = "changed"  # a copy's step assigning to its frame leaves the runner's batches as they were
        assert frames[0]["v"].iloc[0] == "2"
