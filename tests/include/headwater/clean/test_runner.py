"""The clean runner with stand-in steps: passes, whole-column fits, raw values of rejected rows, header-only files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from headwater.clean.runner import Staging, passes, run_file
from headwater.clean.steps.base import LINE, REASON, StepOutput
from headwater.layout import Layout

HEADER = ["Name", "Score"]


def _batches(rows: list[tuple[int, str, str | None]], size: int) -> list[pa.RecordBatch]:
    """Staging batches as ingest writes them: _line, then one string column per header field."""
    return [
        pa.record_batch(
            [pa.array([r[0] for r in chunk], pa.int64()), pa.array([r[1] for r in chunk]), pa.array([r[2] for r in chunk], pa.string())],
            names=[LINE, "c0", "c1"],
        )
        for chunk in (rows[i : i + size] for i in range(0, len(rows), size))
    ]


class Recorder:
    """An ``Outputs`` that keeps everything in memory and notes what was committed."""

    def __init__(self) -> None:
        self.curated: list[pd.DataFrame] = []
        self.duplicates: list[pd.DataFrame] = []
        self.rejected: list[tuple] = []
        self.events: list[str] = []

    def add_curated(self, df: pd.DataFrame) -> None:
        self.curated.append(df)

    def add_duplicates(self, df: pd.DataFrame) -> None:
        self.duplicates.append(df)

    def add_rejected(self, rows) -> None:
        self.rejected.extend(rows)

    def commit(self) -> None:
        self.events.append("commit")

    def abort(self) -> None:
        self.events.append("abort")


class Log:
    """A step that keeps every row and logs what it saw."""

    def __init__(self, name: str, log: list) -> None:
        self.name, self.log = name, log

    def apply(self, df: pd.DataFrame) -> StepOutput:
        self.log.append((self.name, df[LINE].tolist()))
        return StepOutput(df)


class Mean(Log):
    """Needs whole columns: fills missing scores with the mean of every score of the file."""

    needs_fit = True

    def fit(self, columns) -> None:
        values = columns["score"].astype("float64")
        self.log.append(("fit", values.dropna().tolist(), int(values.isna().sum()), "nope" in columns, sorted(columns)))
        self.fill = values.mean()

    def apply(self, df: pd.DataFrame) -> StepOutput:
        super().apply(df)
        return StepOutput(df.assign(score=df["score"].astype("float64").fillna(self.fill)))


class Over(Log):
    """Quarantines rows whose score is over a limit."""

    def __init__(self, name: str, log: list, limit: float) -> None:
        super().__init__(name, log)
        self.limit = limit

    def apply(self, df: pd.DataFrame) -> StepOutput:
        super().apply(df)
        bad = df["score"].astype("float64") > self.limit
        return StepOutput(df[~bad], quarantined=df[bad].assign(**{REASON: [f"line {n}: over {self.limit:g}" for n in df.loc[bad, LINE]]}))


ROWS = [(2, "ann", "1"), (3, "bob", None), (4, "cy", "9"), (5, "di", "2"), (6, "ed", None)]


def test_passes_start_at_each_step_that_needs_a_fit() -> None:
    log: list = []
    a, b, fit1, c, fit2 = Log("a", log), Log("b", log), Mean("f1", log), Log("c", log), Mean("f2", log)
    assert passes([a, b, fit1, c, fit2]) == [[a, b], [fit1, c], [fit2]]
    assert passes([fit1, c]) == [[], [fit1, c]]  # the fit needs a pass first: an empty one
    assert passes([a, b]) == [[a, b]]

    class Whole(Log):
        needs_whole_table = True

    whole = Whole("w", log)
    assert passes([a, fit1, whole]) == [[a, fit1, whole]]  # one batch is the whole file: nothing to fit


def test_a_step_that_needs_a_fit_sees_whole_columns_before_its_first_batch(tmp_path: Path) -> None:
    log: list = []
    steps = [Log("before", log), Mean("mean", log), Over("over", log, 5)]
    out = Recorder()
    result = run_file(Staging(_batches(ROWS, 2), HEADER, "d/x.csv"), steps, out, Layout(tmp_path), tmp_path / "x.parquet")
    assert log == [
        ("before", [2, 3]), ("before", [4, 5]), ("before", [6]),
        ("fit", [1.0, 9.0, 2.0], 2, False, ["_line", "_row_id", "_source", "name", "score"]),  # every batch, file order
        ("mean", [2, 3]), ("over", [2, 3]), ("mean", [4, 5]), ("over", [4, 5]), ("mean", [6]), ("over", [6]),
    ]
    curated = pd.concat(out.curated)
    assert curated[LINE].tolist() == [2, 3, 5, 6]
    assert curated["score"].tolist() == [1.0, 4.0, 2.0, 4.0]  # (1 + 9 + 2) / 3, not a batch's own mean
    # rejected in the second pass, with the values as read in the first
    assert out.rejected == [(4, "line 4: over 5", {"Name": "cy", "Score": "9"})]
    assert out.events == ["commit"] and result.batches == 3
    assert result.steps["over"] == {"in": 5, "kept": 4, "quarantined": 1, "duplicates": 0}
    assert result.mapping is not None and [m.output for m in result.mapping.matches] == ["name", "score"]
    assert list(tmp_path.iterdir()) == []  # the spilled passes are gone


def test_a_first_step_that_needs_a_fit_is_fitted_on_the_mapped_rows(tmp_path: Path) -> None:
    log: list = []
    out = Recorder()
    run_file(Staging(_batches(ROWS, 3), HEADER, "d/x.csv"), [Mean("mean", log)], out, Layout(tmp_path), tmp_path / "x.parquet")
    assert log == [("fit", [1.0, 9.0, 2.0], 2, False, ["_line", "_row_id", "_source", "name", "score"]), ("mean", [2, 3, 4]), ("mean", [5, 6])]
    assert pd.concat(out.curated)["score"].tolist() == [1.0, 4.0, 9.0, 2.0, 4.0]


def test_rows_rejected_in_the_first_pass_carry_their_values_as_read(tmp_path: Path) -> None:
    out = Recorder()
    rows = [(2, "ann", "1"), (3, "bob", "7"), (5, "cy", None), (9, "di", "8")]
    result = run_file(Staging(_batches(rows, 2), HEADER, "d/x.csv"), [Over("over", [], 5)], out, Layout(tmp_path), tmp_path / "x.parquet")
    assert out.rejected == [
        (3, "line 3: over 5", {"Name": "bob", "Score": "7"}),
        (9, "line 9: over 5", {"Name": "di", "Score": "8"}),
    ]
    assert result.batches == 2 and pd.concat(out.curated)[LINE].tolist() == [2, 5]


def test_a_header_only_file_runs_one_empty_batch_with_the_file_columns(tmp_path: Path) -> None:
    log: list = []
    out = Recorder()
    steps = [Log("before", log), Mean("mean", log)]
    result = run_file(Staging([], HEADER, "d/x.csv"), steps, out, Layout(tmp_path), tmp_path / "x.parquet")
    assert result.batches == 0 and out.events == ["commit"]
    assert [list(df.columns) for df in out.curated] == [["_row_id", "_source", LINE, "name", "score"]]
    assert log == [("before", []), ("fit", [], 0, False, ["_line", "_row_id", "_source", "name", "score"]), ("mean", [])]


def test_a_step_that_raises_aborts_the_outputs(tmp_path: Path) -> None:
    class Boom(Log):
        def apply(self, df: pd.DataFrame) -> StepOutput:
            raise ValueError("impute.score: score is an identifier")

    out = Recorder()
    with pytest.raises(ValueError, match="identifier"):
        run_file(Staging(_batches(ROWS, 2), HEADER, "d/x.csv"), [Mean("m", []), Boom("b", [])], out, Layout(tmp_path), tmp_path / "x.parquet")
    assert out.events == ["abort"]
    assert list(tmp_path.iterdir()) == []


def _spill_parts(tmp_path: Path) -> list[Path]:
    """Two spilled batches of mixed dtypes; only the second has ``amount__raw``."""
    first = pd.DataFrame({
        LINE: pd.Series([2, 3], dtype="int64"), "name": pd.Series(["ann", None], dtype="string"),
        "amount": pd.Series([1.5, None], dtype="Float64"), "n": pd.Series([1, None], dtype="Int64"),
        "ok": pd.Series([True, None], dtype="boolean"),
        "at": pd.Series(pd.to_datetime(["2026-01-02", None], utc=True)),
    })
    second = first.assign(**{LINE: pd.Series([4, 5], dtype="int64"), "amount__raw": pd.Series([None, "1,5"], dtype="string")})
    parts = []
    for k, df in enumerate((first, second)):
        parts.append(tmp_path / f"part-{k}.parquet")
        df.to_parquet(parts[-1], index=False)
    return parts


def test_spilled_columns_read_whole_or_column_by_column_are_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import headwater.clean.runner as runner

    parts = _spill_parts(tmp_path)
    small = runner._Columns(parts)
    monkeypatch.setattr(runner, "SMALL_SPILL_BYTES", 0)
    large = runner._Columns(parts)
    assert small._frames is not None and large._frames is None
    assert list(small) == list(large) == [LINE, "name", "amount", "n", "ok", "at", "amount__raw"]
    for name in small:
        pd.testing.assert_series_equal(small[name], large[name])
    assert small["amount__raw"].tolist() == [pd.NA, pd.NA, pd.NA, "1,5"]
    assert small["n"].dtype == "Int64" and str(small["at"].dtype) == "datetime64[us, UTC]"


def test_spilled_columns_come_batch_by_batch_with_the_whole_columns_dtype(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import headwater.clean.runner as runner

    parts = _spill_parts(tmp_path)
    third = tmp_path / "part-2.parquet"
    pd.DataFrame({LINE: pd.Series([6], dtype="int64"), "name": pd.Series(["bo"], dtype="string"), "amount": [2.0], "n": pd.Series([7], dtype="int64"),
                  "ok": [False], "at": pd.to_datetime(["2026-01-03"], utc=True)}).to_parquet(third, index=False)
    monkeypatch.setattr(runner, "SMALL_SPILL_BYTES", 0)
    for columns in (runner._Columns(parts), runner._Columns([*parts, third])):
        assert columns.num_rows == sum(pq.ParquetFile(p).metadata.num_rows for p in columns._parts)
        for name in columns:
            pieces = list(columns.pieces(name))
            pd.testing.assert_series_equal(pd.concat(pieces), columns[name])
            assert all(p.dtype == columns[name].dtype for p in pieces)  # a piece is never typed unlike its column
    two = runner._Columns(parts)
    assert [len(p) for p in two.pieces("name")] == [2, 2]  # one batch at a time
    assert [len(p) for p in two.pieces("amount__raw")] == [4]  # only the second batch has it: the whole column
    three = runner._Columns([*parts, third])
    assert [len(p) for p in three.pieces("name")] == [2, 2, 1]
    assert [len(p) for p in three.pieces("n")] == [5]  # Int64, Int64, int64: concatenated it is one dtype, so it is one piece
    with pytest.raises(KeyError):
        next(two.pieces("missing"))


def test_a_small_spill_is_read_once_not_once_per_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide file: asking for each of its columns must not re-read (and re-parse the footer of) every part."""
    import headwater.clean.runner as runner

    wide = pd.DataFrame({f"c{i}": pd.Series(["x", "y"], dtype="string") for i in range(300)})
    parts = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    for part in parts:
        wide.to_parquet(part, index=False)
    reads = []
    real = pd.read_parquet
    monkeypatch.setattr(runner.pd, "read_parquet", lambda *a, **k: reads.append(a[0]) or real(*a, **k))
    columns = runner._Columns(parts)
    assert [columns[f"c{i}"].tolist() for i in (0, 299)] == [["x", "y", "x", "y"]] * 2
    for name in columns:
        columns[name]
    assert reads == parts
