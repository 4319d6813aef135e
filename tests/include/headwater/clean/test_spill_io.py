"""The clean stage's I/O path against its old behaviour, spelled out here: spilled parts read back, the staging strings
spilled between passes, the curated outputs' failure counts and the ``_line`` column of a staging frame.

Each test runs the library's code and a reference (the code it replaced, kept in this file) on invented inputs (empty,
missing, non-ASCII, huge values, every dtype the steps make, 0 rows, 1 row) and wants the same values, dtypes, index
and attrs: speed work never changes an output (issue 15).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import headwater.clean.runner as runner
from headwater.clean.failures import NEAREST_FLOAT64
import headwater.clean.frame as frame_module
from headwater.clean.frame import frame_from_staging
from headwater.clean.outputs import FAILED_TYPE, CleanOutputs
from headwater.clean.runner import Staging, run_file
from headwater.clean.steps.base import LINE, REASON, StepOutput
from headwater.layout import Layout

HUGE = "ß" * 300_000 + "末"  # a value over Arrow's 16-bit length tricks, non-ASCII at both ends


def _frame(rows: int) -> pd.DataFrame:
    """``rows`` rows (0 to 6) of the dtypes the steps make, with missing, empty, non-ASCII and huge values."""
    base = pd.DataFrame({
        "_row_id": pd.Series(["a1", "b2", "c3", "d4", "e5", "f6"], dtype="str"),
        LINE: pd.Series([2, 3, 5, 8, 2**62, 13], dtype="int64"),
        "name": pd.Series(["ann", None, "", "Zoë", HUGE, "日本語"], dtype="string"),
        "n": pd.array([1, None, -(2**63), 2**63 - 1, 0, 7], dtype="Int64"),
        "f": np.array([1.5, np.nan, -0.0, 1e308, np.inf, -np.inf]),
        "amount": pd.array([1.5, None, -0.0, 2, 3e-320, 1e300], dtype="Float64"),
        "ok": pd.array([True, None, False, True, None, False], dtype="boolean"),
        "day": pd.array([None, pd.Timestamp("2024-01-02").date(), None, pd.Timestamp("1999-12-31").date(), None, None],
                        dtype=pd.ArrowDtype(pa.date32())),
        "at": pd.Series(pd.to_datetime(["2024-01-02 03:04:05", None, "1970-01-01 00:00:00", "2200-01-01 00:00:00", None, "2000-02-29 23:59:59"]).as_unit("s")),
        "utc": pd.Series(pd.to_datetime(["2024-01-02 03:04:05", None, "1970-01-01 00:00:00", "2200-01-01 00:00:00", None, "2000-02-29 23:59:59"]).as_unit("us")).dt.tz_localize("UTC"),
        "amount__raw": pd.Series([None, "1,5", None, "１２", "", None], dtype="string"),
    })
    return base.iloc[:rows].reset_index(drop=True)


def _old_read_part(part: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """runner._read_part before this change: ``pd.read_feather`` given the path."""
    if part.suffix == ".parquet":
        return pd.read_parquet(part, columns=columns)
    df = pd.read_feather(part, columns=columns)
    if columns is not None and list(df.columns) != list(columns):
        df = df[list(columns)]
    attrs = (runner._part_schema(part).metadata or {}).get(b"PANDAS_ATTRS")
    if attrs is not None:
        df.attrs = json.loads(attrs)
    return df


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert [str(t) for t in got.dtypes] == [str(t) for t in want.dtypes]
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.attrs == want.attrs


@pytest.mark.parametrize("rows", [0, 1, 6])
def test_a_spilled_part_reads_back_as_pd_read_feather_of_its_path(tmp_path: Path, rows: int) -> None:
    df = _frame(rows)
    if rows == 1:
        df.attrs = {"source": "d/ü.csv"}
    parts = runner._SpillParts(tmp_path / "x.pass1.parquet")
    parts.add(df)
    (part,) = parts.parts
    assert part.suffix == ".arrow"
    names = list(df.columns)
    for columns in (None, names, names[::-1], ["name"], ["amount__raw", LINE], []):
        _same(runner._read_part(part, columns=columns), _old_read_part(part, columns=columns))
    assert runner._read_part(part)["name"].tolist()[:rows] == ["ann", pd.NA, "", "Zoë", HUGE, "日本語"][:rows]
    parts.abort()


def test_a_dictionary_part_is_still_read_as_parquet(tmp_path: Path) -> None:
    df = pd.DataFrame({LINE: pd.Series([2, 3], dtype="int64"), "kind": pd.Categorical(["a", None])})
    parts = runner._SpillParts(tmp_path / "x.pass1.parquet")
    parts.add(df)
    assert parts.parts[0].suffix == ".parquet"
    _same(runner._read_part(parts.parts[0]), _old_read_part(parts.parts[0]))
    parts.abort()


def _old_spill(out, kept: pd.DataFrame, raw) -> None:  # type: ignore[no-untyped-def]
    """runner._spill before this change: only the kept rows' staging strings (``is_in`` on their lines, ``filter``)."""
    before = len(out.parts)
    out.add(kept)
    if len(out.parts) > before:
        rows = raw.filter(pc.is_in(raw[LINE], value_set=pa.array(kept[LINE].to_numpy(), pa.int64())))
        table = rows if isinstance(rows, pa.Table) else pa.Table.from_batches([rows])
        with pa.OSFile(str(runner._staging_part(out.parts[-1])), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)


class _Recorder:
    def __init__(self) -> None:
        self.curated: list[pd.DataFrame] = []
        self.duplicates: list[pd.DataFrame] = []
        self.rejected: list[tuple] = []

    def add_curated(self, df: pd.DataFrame) -> None:
        self.curated.append(df)

    def add_duplicates(self, df: pd.DataFrame) -> None:
        self.duplicates.append(df)

    def add_rejected(self, rows) -> None:  # type: ignore[no-untyped-def]
        self.rejected.extend(rows)

    def commit(self) -> None:
        pass

    def abort(self) -> None:
        pass


class _Quarantine:
    """Quarantines the rows at ``lines``."""

    def __init__(self, name: str, lines: set[int]) -> None:
        self.name, self.lines = name, lines

    def apply(self, df: pd.DataFrame) -> StepOutput:
        bad = df[LINE].isin(self.lines)
        return StepOutput(df[~bad], quarantined=df[bad].assign(**{REASON: [f"{self.name} {n}" for n in df.loc[bad, LINE]]}))


class _HoldLast:
    """Holds each batch's last row until the next batch (or the file's end), as SummaryRows holds a "Total" row."""

    def __init__(self, name: str) -> None:
        self.name, self.held = name, None

    def apply(self, df: pd.DataFrame) -> StepOutput:
        rows = df if self.held is None else pd.concat([self.held, df], ignore_index=True)
        self.held = rows.iloc[-1:] if len(rows) else None
        return StepOutput(rows.iloc[:-1] if len(rows) else rows)

    def held_lines(self) -> list[int]:
        return [] if self.held is None else [int(n) for n in self.held[LINE]]

    def finish(self) -> StepOutput:
        held, self.held = self.held, None
        return StepOutput(held if held is not None else pd.DataFrame())


class _Fit:
    needs_fit = True

    def __init__(self, name: str) -> None:
        self.name = name

    def fit(self, columns) -> None:  # type: ignore[no-untyped-def]
        self.seen = columns["name"].tolist()

    def apply(self, df: pd.DataFrame) -> StepOutput:
        return StepOutput(df)


HEADER = ["Name", "Note"]
ROWS = [(2, "ann", "1"), (3, None, "é"), (4, "", None), (5, "Zoë", "x"), (6, HUGE, "y"), (7, "日本", ""), (8, "bo", None),
        (11, "cy", "z"), (12, "di", "w"), (13, "ed", "v")]


def _steps() -> list:
    # pass 1 quarantines and holds rows; pass 2 (after a fit) holds rows and quarantines some held in pass 1 and in
    # pass 2; pass 3 quarantines rows held in both passes and rows next to rows dropped earlier
    return [_Quarantine("q1", {3, 8}), _HoldLast("h1"), _Fit("fit1"), _HoldLast("h2"), _Quarantine("q2", {4, 7, 12}),
            _Fit("fit2"), _Quarantine("q3", {2, 5, 6, 11})]


def _staging(rows: list[tuple], size: int) -> list[pa.RecordBatch]:
    return [pa.record_batch([pa.array([r[0] for r in chunk], pa.int64()), pa.array([r[1] for r in chunk], pa.string()),
                             pa.array([r[2] for r in chunk], pa.string())], names=[LINE, "c0", "c1"])
            for chunk in (rows[i : i + size] for i in range(0, len(rows), size))]


def _run(tmp_path: Path, rows: list[tuple], size: int) -> tuple[_Recorder, runner.RunResult]:
    out = _Recorder()
    result = run_file(Staging(_staging(rows, size), HEADER, "d/x.csv"), _steps(), out, Layout(tmp_path), tmp_path / "x.parquet")
    return out, result


@pytest.mark.parametrize("size", [1, 2, 3, 4, 9])
@pytest.mark.parametrize("rows", [ROWS, ROWS[:1], ROWS[1:2], [(3, None, None), (8, "b", "c")]], ids=["nine", "one", "one-dropped", "all-dropped"])
def test_spilling_the_whole_batch_keeps_every_output_of_spilling_its_kept_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                              rows: list[tuple], size: int) -> None:
    new, new_result = _run(tmp_path / "new", rows, size)
    monkeypatch.setattr(runner, "_spill", _old_spill)
    old, old_result = _run(tmp_path / "old", rows, size)
    assert new.rejected == old.rejected
    assert len(new.curated) == len(old.curated)
    for a, b in zip(new.curated, old.curated):
        _same(a, b)
    assert new_result.steps == old_result.steps and new_result.duplicate_of == old_result.duplicate_of
    assert list((tmp_path / "new").iterdir()) == []  # the spills are gone


def test_rows_rejected_in_later_passes_carry_their_values_as_read(tmp_path: Path) -> None:
    out, _ = _run(tmp_path, ROWS, 2)
    assert sorted(out.rejected) == [
        (2, "q3 2", {"Name": "ann", "Note": "1"}),
        (3, "q1 3", {"Name": None, "Note": "é"}),
        (4, "q2 4", {"Name": "", "Note": None}),
        (5, "q3 5", {"Name": "Zoë", "Note": "x"}),
        (6, "q3 6", {"Name": HUGE, "Note": "y"}),
        (7, "q2 7", {"Name": "日本", "Note": ""}),
        (8, "q1 8", {"Name": "bo", "Note": None}),
        (11, "q3 11", {"Name": "cy", "Note": "z"}),
        (12, "q2 12", {"Name": "di", "Note": "w"}),
    ]
    assert pd.concat(out.curated)[LINE].tolist() == [13]  # held by both holding steps until the file ended


def _old_counts(df: pd.DataFrame) -> tuple[Counter, Counter]:
    """CleanOutputs.add_curated's counts before this change: pandas' ``str.contains`` on the reasons."""
    failures: Counter[str] = Counter()
    inexact: Counter[str] = Counter()
    for col in df.columns:
        if col.endswith("__raw"):
            raw = df[col].notna().to_numpy(dtype=bool, copy=True)
            typed = df[col[:-5]].notna().to_numpy(dtype=bool)
            reason = df.get(col[:-5] + "__reason")
            rounded = np.zeros(len(raw), dtype=bool)
            if reason is not None:
                at = np.flatnonzero(raw & reason.notna().to_numpy(dtype=bool))
                if len(at):
                    text = reason.iloc[at].astype("string")
                    rounded[at] = typed[at] & text.str.contains(NEAREST_FLOAT64, regex=False).fillna(False).to_numpy(dtype=bool)
                    raw[at] = text.str.contains(FAILED_TYPE, regex=True).fillna(False).to_numpy(dtype=bool)
            failures[col] += int((raw & ~typed).sum())
            inexact[col] += int(rounded.sum())
    return failures, inexact


REASONS = ["not_a_number", "nearest_float64", "not_a_date; nearest_float64", "typed", "type", "x; type", "type;x", "not_a_numbers",
           "nearest_float6", "ünïcode; not_a_date", "not_a_date\n", "NOT_A_NUMBER", "", None, "text_after_date; leap_second"]


@pytest.mark.parametrize("dtype", ["string", "str", object])
@pytest.mark.parametrize("rows", [0, 1, len(REASONS)])
def test_curated_failure_counts_are_pandas_str_contains_counts(tmp_path: Path, dtype: object, rows: int) -> None:
    n = len(REASONS)
    df = pd.DataFrame({
        "v": pd.array([None if i % 3 == 0 else float(i) for i in range(n)], dtype="Float64"),
        "v__raw": pd.Series([None if i % 5 == 4 else f"raw {i} ü" for i in range(n)], dtype="string"),
        "v__reason": pd.Series(REASONS, dtype=dtype),
        "w": pd.Series(["a"] * n, dtype="string"),
        "w__raw": pd.Series(["b"] * n, dtype="string"),  # a __raw without a __reason column
    }).iloc[:rows]
    outputs = object.__new__(CleanOutputs)  # only the counting: no files
    outputs.curated = type("Nowhere", (), {"add": lambda self, df: None})()
    outputs._failures, outputs._inexact, outputs._imputed = Counter(), Counter(), Counter()
    outputs.add_curated(df)
    failures, inexact = _old_counts(df)
    assert outputs._failures == failures and outputs._inexact == inexact
    if rows == n:
        # cells empty at rows 0, 3, 6, 9, 12; row 9 has no __raw; of the others only "not_a_number" (0) and "type;x" (6)
        # name a type failure ("typed", "" do not; nor "not_a_date\n": Arrow's RE2 ``$`` is the end of the text only)
        assert outputs._failures["v__raw"] == failures["v__raw"] == 2
        assert outputs._inexact["v__raw"] == 2  # rows 1 and 2: "nearest_float64" with a value in the cell
        assert outputs._failures["w__raw"] == 0


@pytest.mark.parametrize("lines", [
    pd.Series([2, 3, 5], dtype="int64"),
    pd.Series([7, 2**63 - 1, -(2**63)], dtype="int64", index=[5, 6, 7]),  # a frame's slice: the index is not kept
    pd.Series([], dtype="int64"),
    pd.Series([9], dtype="int64", name=LINE),
    [4, 5],
    [],
    pd.Series([1, 2], dtype="Int64"),
])
def test_the_line_column_is_series_of_list_of_lines(lines: list[int] | pd.Series) -> None:
    got = frame_module._line_column(lines)
    pd.testing.assert_series_equal(got, pd.Series(list(lines), dtype="int64"), check_exact=True)
    assert isinstance(got.index, pd.RangeIndex)


def test_a_staging_frame_lines_come_from_the_batch(tmp_path: Path) -> None:
    batch = pa.record_batch([pa.array([4, 9, 2**40], pa.int64()), pa.array(["a", None, "é"]), pa.array(["", "x", None])], names=[LINE, "c0", "c1"])
    values = batch.to_pandas()
    values.index = pd.RangeIndex(10, 13)
    frame, _ = frame_from_staging(values.drop(columns=[LINE]), values[LINE], HEADER, "d/x.csv")
    assert frame[LINE].tolist() == [4, 9, 2**40] and str(frame[LINE].dtype) == "int64"
    assert isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0
    assert frame["name"].tolist() == ["a", pd.NA, "é"] and frame["note"].tolist() == ["", "x", pd.NA]


def test_a_part_read_back_stays_whole_after_the_spill_folder_is_removed(tmp_path: Path) -> None:
    df = _frame(6)
    parts = runner._SpillParts(tmp_path / "x.pass1.parquet")
    parts.add(df)
    (part,) = parts.parts
    want = _old_read_part(part)
    got, column = runner._read_part(part), runner._read_part(part, columns=["name"])
    parts.abort()  # the runner removes its spills when the passes are done; frames read from them may still be in use
    assert not part.exists()
    _same(got, want)
    _same(column, want[["name"]])
    assert got["name"].str.len().tolist() == [3, pd.NA, 0, 3, len(HUGE), 3]


def test_a_spilled_part_and_its_staging_strings_are_read_without_a_copy(tmp_path: Path) -> None:
    # 200,000 texts of 40 bytes (8 MB): read back, mapped, they take no memory from Arrow's pool (the old reads copied
    # every byte into it: pd.read_feather of the path, the staging file through an OSFile, a column's subset reader)
    texts = pa.array([f"{i:08d} ünïcödé text of forty bytes." for i in range(200_000)], pa.large_string())
    df = pd.DataFrame({LINE: pd.Series(np.arange(200_000), dtype="int64"), "notes": pd.Series(pd.arrays.ArrowStringArray(texts))})
    staging = pa.record_batch([pa.array(np.arange(200_000), pa.int64()), texts.cast(pa.string())], names=[LINE, "c0"])
    out = runner._SpillParts(tmp_path / "x.pass1.parquet")
    runner._spill(out, df, staging)
    before = pa.total_allocated_bytes()
    whole, column = runner._read_part(out.parts[0]), runner._read_part(out.parts[0], columns=["notes"])
    ((frame, strings),) = list(runner._spilled(out))
    # what is allocated is the int64 ``_line`` blocks pandas gets (1.6 MB a frame, twice), not the texts (8.8 MB a copy,
    # 4 copies before: whole, column, frame, staging)
    assert pa.total_allocated_bytes() - before < 2 * 1_600_000 + 500_000 < texts.nbytes
    assert whole["notes"].tolist() == column["notes"].tolist() == frame["notes"].tolist() == texts.to_pylist()
    assert strings.equals(pa.Table.from_batches([staging]))
    out.abort()
