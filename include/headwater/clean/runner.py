"""The clean runner: one file's staging batches through the cleaning steps, staging read once.

What spans batches lives here, not in the stage and not in the steps:

* **Batching.** The steps run on the staging batches as they come; when a step
  ``needs_whole_table`` (KNN, MissForest imputation) they get the whole file as one batch.
* **The two-pass fit.** A step that ``needs_fit`` (mean, median, mode imputation) learns from whole
  columns. The steps before it run over every batch first, and what they keep waits in a spill
  folder (one Arrow IPC file per batch, read back as its Parquet would be, next to an Arrow IPC file of
  the batch's staging strings). The step is fitted on whole columns read from there, one column at a
  time; then it and the steps after it run over the spilled batches.
* **Raw values.** A rejected row goes to quarantine with its values as read ({original header: text})
  in the pass that rejected it: a batch's staging strings are kept until its rejected rows are written.
* **Batch boundaries.** A step may hold rows back until the file ends (SummaryRows: a "Total"
  row that data rows may follow in the next batch); after the last batch ``finish_steps`` gives
  them up and the steps after it take them in, so the decision never depends on the batch size.
  The staging strings of held rows are carried along, and the output of the batch after which
  rows are held waits for the next one (one batch at most), so that a file whose held row is
  in its last batch keeps its curated rows in file order.
* **Decisions on a sample, not on a batch.** Steps that decide something from a column's values
  (which NA spellings are data, the day order, the decimal mark, the column's type: ``adopt``,
  headwater.clean.steps.base.Step) decide on the file's first ``DECISION_ROWS`` rows in file order,
  whatever the batch size: the runner reads batches ahead until it holds that many rows, runs copies
  of the steps up to the last deciding one over them as one table, and hands each step its copy's
  decisions before the first batch. Rows after the sample follow them (a value that contradicts a
  decision keeps its text in ``<col>__raw``, and the step warns).
* **Assumed decisions are not final.** A decision the sample held no evidence for, while values of the
  sample were read by it (a day order no date showed, ``03/04/2025`` read month first; a decimal mark no
  number decided, ``2,125``), is an assumption: a step says so with ``assumed()`` (and ``may_assume(frame)``
  on a first batch, before it runs). The copies then read ahead, batch by batch, until their decisions rest
  on evidence (``13/04/2025``) or the file ends; the batches read ahead wait in a spill folder and every
  batch, the sample's included, goes through the steps under the final decisions: one meaning per column.
* **Bookkeeping**: per-step counts, the duplicate -> kept row map, the batch count, and the
  header-only file (one empty batch, so the outputs still carry the file's columns).

The runner writes no output itself: rows go to an ``Outputs`` (headwater.clean.outputs.CleanOutputs).
Steps never import this module; headwater.clean.steps.base documents what they may declare.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from headwater.clean.frame import frame_from_staging
from headwater.clean.pipeline import CleanResult, finish_steps, merge_results, run_steps
from headwater.clean.steps.base import DUPLICATE_OF, LINE, REASON, STRUCTURAL, Step
from headwater.layout import Layout
from headwater.storage import ParquetParts

if TYPE_CHECKING:
    from headwater.clean.mapping import ColumnMapping
    from headwater.config.source import SourceConfig

Table = pa.Table | pa.RecordBatch
Rejected = tuple[int, str, "dict[str, str | None] | None"]  # line, reason, values as read
# Rows (file order) on which steps decide what a column's values make of it, whatever the batch size: as many as
# headwater.clean.values.INFER_ROWS, the rows a column's type was always inferred from, so one batch of the default
# size (Settings.batch_rows) sees no change and the sample is read ahead at most once.
DECISION_ROWS = 100_000


class Outputs(Protocol):
    """Where the runner puts one file's rows; ``commit`` makes them visible, ``abort`` drops them."""

    def add_curated(self, df: pd.DataFrame) -> None: ...

    def add_duplicates(self, df: pd.DataFrame) -> None: ...

    def add_rejected(self, rows: Iterable[Rejected]) -> None: ...

    def commit(self) -> None: ...

    def abort(self) -> None: ...


@dataclass
class Staging:
    """One file's staging table as ingest wrote it (headwater.ingest.stage), to be read once, in order."""

    batches: Iterable[Table]  # column _line (int64), then one string column per header field
    header: list[str]  # the file's header as read (the manifest's "header"), one name per value column
    source: str  # <date>/<file name>
    config: SourceConfig | None = None  # canonical schema and mapping of the file's source; None: standardized names


@dataclass
class RunResult:
    """What the runner did to one file: the clean fields of its manifest."""

    mapping: ColumnMapping | None = None  # file column -> output column
    steps: dict[str, dict[str, int]] = field(default_factory=dict)  # step -> {in, kept, quarantined, duplicates}, all batches
    duplicate_of: dict[str, str] = field(default_factory=dict)  # line of each duplicate (as text) -> row id it matched
    batches: int = 0  # staging batches the steps ran on (1 for a whole-table run, 0 for a header-only file)
    # rows a step found to be structural lines of the file, not records (a report's page footer or end marker): file order,
    # {"line", "kind", "text"} each; headwater.clean.stage moves them from the file's data records to its structural lines
    structural: list[dict[str, object]] = field(default_factory=list)

    @property
    def duplicates(self) -> int:
        return sum(stats.get("duplicates", 0) for stats in self.steps.values())


def run_file(staging: Staging, steps: list[Step], outputs: Outputs, layout: Layout, spill: Path) -> RunResult:
    """Run ``steps`` over every batch of ``staging`` into ``outputs`` and commit them.

    ``layout``: the data root (kept for callers; duplicates across files are the date's link step,
    headwater.clean.link). ``spill`` names the kept rows
    between passes: ``.<spill stem>.pass<N>.parquet.parts-*`` folders beside it, removed when done.
    Whatever a step raises (e.g. ImputeConfigError) is raised after ``outputs.abort()``.
    """
    run = _Run(staging, outputs)
    with _returning_pool():
        try:
            run.all_passes(steps, spill)
            outputs.commit()
        except BaseException:
            outputs.abort()
            raise
    return run.result


@contextlib.contextmanager
def _returning_pool() -> Iterator[None]:
    """pyarrow's Python-level default pool (``pyarrow.set_memory_pool``) is jemalloc with no decay while the
    runner runs, then the previous one is back; where pyarrow has no jemalloc, nothing changes.

    A batch's frames and tables are freed when the next batch comes; pyarrow's default pool on Linux
    (mimalloc) keeps freed pages for reuse, so the clean stage's resident set held what earlier, bigger
    batches and the fit once needed. jemalloc with ``dirty_decay_ms = muzzy_decay_ms = 0``
    (``pyarrow.jemalloc_set_decay_ms``; jemalloc's "opt.dirty_decay_ms") gives them back to the system
    at once. ``set_memory_pool`` reaches what pyarrow's Python API allocates (arrays, Parquet reads
    through it); Arrow's C++ default (compute kernels) is chosen once per process, by the
    ``ARROW_DEFAULT_MEMORY_POOL`` variable, which a library cannot set. Peak RSS of the clean stage on
    the 250,000-row bench file (bench/clean_profile.py, a fresh process, same CPU seconds within noise):
    656 MB with mimalloc, 602 MB with this pool without the decay setting, 566 MB with it, and 512 MB
    with ``ARROW_DEFAULT_MEMORY_POOL=jemalloc`` for the whole process. Buffers remember the pool they
    came from, so arrays made here and freed later (or the other way round) go back to the right one.
    """
    try:
        pa.jemalloc_set_decay_ms(0)  # before the pool's first use: it applies to arenas made from then on
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # a pyarrow built without jemalloc
        yield
        return
    before = pa.default_memory_pool()
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(before)


def passes(steps: list[Step]) -> list[list[Step]]:
    """The steps of each pass over the file: a new pass starts at each step that ``needs_fit``.

    One pass when a step ``needs_whole_table``: the single batch is the whole file, nothing to fit.
    A first step that needs a fit gets an empty first pass (the mapped rows, spilled to fit on).
    """
    if any(getattr(step, "needs_whole_table", False) for step in steps):
        return [list(steps)]
    split: list[list[Step]] = [[]]
    for step in steps:
        if getattr(step, "needs_fit", False):
            split.append([])
        split[-1].append(step)
    return split


class _Run:
    def __init__(self, staging: Staging, outputs: Outputs) -> None:
        self.staging, self.outputs = staging, outputs
        self.result = RunResult()

    def all_passes(self, steps: list[Step], spill: Path) -> None:
        plan = passes(steps)
        whole = any(getattr(step, "needs_whole_table", False) for step in steps)
        feed: Iterable[tuple[pd.DataFrame, Table]] = self._staging_frames(whole)
        spills: list[ParquetParts] = []
        if plan[0]:
            feed = _decide_on_sample(plan[0], feed, spill.with_suffix(".ahead.parquet"), spills)
        try:
            for i, part in enumerate(plan):
                if i:
                    part[0].fit(_Columns(spills[-1].parts))  # type: ignore[attr-defined]  # needs_fit steps have fit
                last = i == len(plan) - 1
                out = None if last else _SpillParts(spill.with_suffix(f".pass{i + 1}.parquet"))
                if out is not None:
                    spills.append(out)
                carried: Table | None = None  # staging strings of rows a step holds back (headwater.clean.steps.base.Step)
                waiting: tuple[CleanResult, Table] | None = None  # the batch before rows held back come out: they join it in order
                empty: Table | None = None  # no staging rows, with the staging columns (for rows held without their lines)
                for frame, raw in feed:
                    raw = _joined(carried, raw)
                    result = run_steps(frame, part, last=False)
                    del frame  # the steps are done with it: not held while the next batch is read
                    if waiting is not None:
                        self._keep(*waiting, out)
                        waiting = None
                    held = [line for step in part for line in getattr(step, "held_lines", list)()]
                    carried = _lines(raw, held) if held else None
                    empty = _lines(raw, [])
                    if held:
                        waiting = (result, raw)
                    else:
                        self._keep(result, raw, out)
                    # the batch's frames and staging strings go before the next batch is read (the clean stage's peak RSS
                    # was one batch's read on top of the one before it; ``waiting`` keeps what must wait)
                    del result, raw
                tail = finish_steps(part)  # the rows steps held back until the end of the file
                if waiting is not None:
                    self._keep(merge_results(waiting[0], tail) if tail is not None else waiting[0], waiting[1], out)
                elif tail is not None:  # a step that holds rows without naming their lines (no staging strings for them)
                    if len(tail.curated):
                        self._keep(tail, empty, out)
                    else:
                        self._collect(tail, empty)
                waiting = carried = empty = None
                if out is not None:
                    feed = _spilled(out)
        finally:
            for parts in spills:
                parts.abort()

    def _keep(self, result: CleanResult, raw: Table, out: ParquetParts | None) -> None:
        """One batch's result: counts, duplicates and rejected rows recorded; kept rows curated (last pass) or spilled."""
        self._collect(result, raw)
        if out is None:
            self.outputs.add_curated(result.curated)
        else:
            _spill(out, result.curated, raw)

    def _staging_frames(self, whole: bool) -> Iterator[tuple[pd.DataFrame, Table]]:
        """(step frame, staging strings) per batch; the whole file as one batch when ``whole``."""
        batches: Iterable[Table] = self.staging.batches
        if whole:
            collected = list(batches)
            batches = [pa.Table.from_batches(collected)] if collected else []
        for batch in batches:
            self.result.batches += 1
            yield self._frame(batch), batch
            del batch  # not held while the next batch is read
        if not self.result.batches:  # a header-only file: one empty batch with the file's columns
            empty = pa.record_batch(
                [pa.array([], pa.int64())] + [pa.array([], pa.string()) for _ in self.staging.header],
                names=[LINE] + [f"c{i}" for i in range(len(self.staging.header))],
            )
            yield self._frame(empty), empty

    def _frame(self, batch: Table) -> pd.DataFrame:
        values = batch.to_pandas()
        frame, self.result.mapping = frame_from_staging(
            values.drop(columns=[LINE]), values[LINE], self.staging.header, self.staging.source, self.staging.config
        )
        return frame

    def _collect(self, result: CleanResult, raw: Table) -> None:
        """Counts, duplicates and rejected rows (with their staging strings) of one batch."""
        if len(result.duplicates):
            self.outputs.add_duplicates(result.duplicates)
            self.result.duplicate_of.update(
                {str(k): v for k, v in zip(result.duplicates.get(LINE, []), result.duplicates.get(DUPLICATE_OF, []))}
            )
        if len(result.structural):
            found = [{"line": int(n), "kind": str(k), "text": str(t)}
                     for n, k, t in zip(result.structural[LINE], result.structural[STRUCTURAL], result.structural[REASON])]
            self.result.structural = sorted([*self.result.structural, *found], key=lambda s: s["line"])
        if len(result.quarantined):
            lines = [int(n) for n in result.quarantined[LINE]]
            as_read = _as_read(raw, lines, self.staging.header)
            self.outputs.add_rejected((n, str(r), as_read.get(n)) for n, r in zip(lines, result.quarantined[REASON]))
        for name, step_stats in result.steps.items():
            total = self.result.steps.setdefault(name, dict.fromkeys(step_stats, 0))
            for k, v in step_stats.items():
                total[k] = total.get(k, 0) + v  # a count a step gives only when not 0 (kept_by_total) may first come in a later batch


def _decide_on_sample(
    steps: list[Step], feed: Iterable[tuple[pd.DataFrame, Table]], ahead_path: Path, spills: list[ParquetParts]
) -> Iterator[tuple[pd.DataFrame, Table]]:
    """``feed`` unchanged, after the steps that ``adopt`` decisions got those of the file's first ``DECISION_ROWS`` rows.

    Batches are read ahead until they hold ``DECISION_ROWS`` rows (or the file ends); deep copies of
    ``steps`` up to the last one with ``adopt`` run over those rows as one table, in order, and each
    step adopts its copy's decisions (``step.adopt(copy, last_line)``, ``last_line``: the sample's
    last ``_line``; rows after it, if any, follow the decisions). When the first batch is the whole
    sample (the default batch size, or a smaller file) no copy runs: the steps decide on that batch
    and adopt their own decisions once it went through, unless the file goes on and a step's
    ``may_assume(frame)`` says the decisions may rest on an assumption.

    While a copy's decisions are ``assumed()`` after the sample, the copies go on over the rest of the
    file, batch by batch (the steps' own rule: the first batch that shows the day order or decimal mark
    decides it), until none is assumed or the file ends; those batches are kept in ``_SpillParts`` at
    ``ahead_path`` (appended to ``spills``, which the caller removes) and fed after the sample's. So a
    date-sorted ``dd/mm/yyyy`` log whose first 100,000 rows fall on days 1-12 is read day first from its
    first row (breaker3 #6). Memory: the sample's frames are held until the steps take them, about one
    default batch (two when a first batch of ``DECISION_ROWS`` rows may assume); batches read ahead are on disk.
    """
    deciding = [i for i, step in enumerate(steps) if hasattr(step, "adopt")]
    if not deciding:
        yield from feed
        return
    feed = iter(feed)
    head: list[tuple[pd.DataFrame, Table]] = []
    rows = 0
    for item in feed:
        head.append(item)
        rows += len(item[0])
        if rows >= DECISION_ROWS:
            break
    if len(head) == 1 and rows == DECISION_ROWS and _may_assume(steps[: deciding[-1] + 1], head[0][0]):
        following = next(feed, None)  # the file goes on: its rows may show what the sample assumed
        if following is not None:
            head.append(following)
    item = following = None  # what the loops above held is in ``head``: each batch is let go once the runner took it
    if len(head) == 1 and rows <= DECISION_ROWS:
        # the first batch is the whole sample: the steps decide on it as their copies would; they then keep those decisions
        frame = head[0][0]
        last_line = int(frame[LINE].max()) if len(frame) else 0
        del frame
        yield head.pop()  # resumed once the runner has taken this batch through the steps
        for step in steps[: deciding[-1] + 1]:
            if hasattr(step, "adopt"):
                step.adopt(step, last_line)
        yield from feed
        return
    ahead: _SpillParts | None = None
    if head:
        sample, rest = _sample_and_rest([frame for frame, _ in head])
        last_line = int(sample[LINE].max()) if len(sample) else 0
        twins = copy.deepcopy(steps[: deciding[-1] + 1])
        _run_copies(twins, sample)
        read_ahead = _assumed(twins)
        if read_ahead and rest is not None:
            _run_copies(twins, rest)
        del rest
        while _assumed(twins):
            item = next(feed, None)
            if item is None:
                break
            if ahead is None:
                ahead = _SpillParts(ahead_path)
                spills.append(ahead)
            _spill(ahead, *item)
            _run_copies(twins, item[0])
        item = None
        if read_ahead and not _assumed(twins):
            # rows after the sample showed what it assumed: fresh copies decide on the sample again, counting that evidence
            # (a type inferred under an assumed decimal mark changes with it)
            fresh = copy.deepcopy(steps[: deciding[-1] + 1])
            for new, twin in zip(fresh, twins):
                if hasattr(new, "take_evidence"):
                    new.take_evidence(twin)
            _run_copies(fresh, sample)
            twins = fresh
        del sample
        for step, twin in zip(steps, twins):
            if hasattr(step, "adopt"):
                step.adopt(twin, last_line)
    while head:
        yield head.pop(0)
    yield from itertools.chain(_spilled(ahead) if ahead is not None else (), feed)


def _sample_and_rest(frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The batches read ahead as (the file's first ``DECISION_ROWS`` rows, the rows after them or None), each one frame
    with a fresh ``RangeIndex``: ``pd.concat`` of all of them, cut at ``DECISION_ROWS``.

    When the first batch is exactly the sample (the default batch size: ``Settings.batch_rows == DECISION_ROWS``) the
    batches are not concatenated: the sample is the first frame and the rest the others, as shallow copies (pandas'
    copy-on-write: what the copies' steps assign never reaches the frames the runner feeds later). The same rows,
    values, dtypes and index as cut from the concatenation, without copying the sample and holding it twice.
    """
    if len(frames[0]) == DECISION_ROWS and all(isinstance(f.index, pd.RangeIndex) and f.index.start == 0 and f.index.step == 1
                                                for f in frames):
        rest = frames[1:]
        if not rest:
            return frames[0].copy(deep=False), None
        return frames[0].copy(deep=False), (rest[0].copy(deep=False) if len(rest) == 1 else pd.concat(rest, ignore_index=True))
    joined = pd.concat(frames, ignore_index=True)
    rest_rows = joined.iloc[DECISION_ROWS:].reset_index(drop=True) if len(joined) > DECISION_ROWS else None
    return joined.iloc[:DECISION_ROWS], rest_rows


def _run_copies(twins: list[Step], df: pd.DataFrame) -> None:
    """The copies of the deciding steps over ``df`` in order, each on what the one before kept (their decisions only)."""
    for twin in twins:
        df = twin.apply(df).kept


def _assumed(twins: list[Step]) -> bool:
    """Whether a copy's decisions rest on an assumption values were read by (``assumed()``, e.g. CoerceTypes)."""
    return any(getattr(twin, "assumed", lambda: False)() for twin in twins)


def _may_assume(steps: list[Step], frame: pd.DataFrame) -> bool:
    """Whether a deciding step says deciding on ``frame`` may leave an assumed decision (``may_assume``); the frame is
    as the runner reads it, before the steps in front of that one (they trim and empty values, never add votes)."""
    return any(getattr(step, "may_assume", lambda _: False)(frame) for step in steps)


def _joined(carried: Table | None, raw: Table) -> Table:
    """``raw`` with the staging rows carried from earlier batches (rows a step held back) in front."""
    if carried is None or carried.num_rows == 0:
        return raw
    tables = [t if isinstance(t, pa.Table) else pa.Table.from_batches([t]) for t in (carried, raw)]
    return pa.concat_tables(tables, promote_options="permissive")


def _lines(raw: Table, lines: list[int]) -> Table:
    """The staging rows of ``raw`` at the physical lines ``lines``."""
    return raw.filter(pc.is_in(raw[LINE], value_set=pa.array(lines, pa.int64())))


def _as_read(raw: Table, lines: list[int], header: list[str]) -> dict[int, dict[str, str | None]]:
    """The staging values of ``lines`` in ``raw``: {line: {original header: text or None}}."""
    found = raw.filter(pc.is_in(raw[LINE], value_set=pa.array(lines, pa.int64())))
    names = found.column_names[1:]
    return {row[LINE]: {h: row[c] for h, c in zip(header, names)} for row in found.to_pylist()}


class _SpillParts(ParquetParts):
    """The kept rows between passes: one file per batch, in Arrow's IPC file format (no encoding), read back as
    ``pd.read_parquet`` would read the batch written with ``to_parquet``: the same values, dtypes and pandas metadata.

    A spilled part is written once and read back once, soon, on the same disk, so any encoding only costs CPU. As
    uncompressed Parquet without dictionaries or statistics (what this class wrote before), a 100,000-row batch of
    the bench file took 0.093 s of CPU to write and 0.110 s to read; as Arrow IPC 0.030 s and 0.027 s (51 MB of
    disk instead of 35 MB; bench/clean_profile.py's batch, second of two runs each, load average 2-9). Reading one
    column of a part (``_Columns``) no longer decodes a Parquet footer.

    What a Parquet round trip changes is kept: the table (``pa.Table.from_pandas(df, preserve_index=False)``, as
    ``DataFrame.to_parquet(index=False)`` makes it, ``df.attrs`` in its metadata as pandas writes them) is cast to
    the schema Parquet reads it back with (``_parquet_schema``: a ``timestamp[s]`` is read back ``timestamp[ms]``),
    and read as ``pd.read_feather`` reads it (pandas' same Arrow-to-pandas conversion as ``read_parquet``; memory-mapped,
    no copy: ``_read_part``). A table with
    a dictionary column (a pandas categorical: Parquet rebuilds its dictionary from the values) is written as
    Parquet, as before; ``_read_part`` reads either by its suffix.
    """

    def __init__(self, target: Path) -> None:
        super().__init__(target)
        self._schemas: dict[tuple, pa.Schema] = {}  # a batch's Arrow schema and metadata -> the one Parquet reads it back with

    def add(self, df: pd.DataFrame) -> None:
        if len(df) == 0 and self.parts:
            return  # an empty batch adds nothing; the first one is kept for its columns
        table = pa.Table.from_pandas(df, preserve_index=False)
        if df.attrs:  # as pandas' to_parquet stores them (read back by _read_part)
            table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"PANDAS_ATTRS": json.dumps(df.attrs).encode()})
        if any(pa.types.is_dictionary(f.type) for f in table.schema):
            part = self._dir / f"part-{len(self.parts):05d}.parquet"
            df.to_parquet(part, index=False, compression=None, use_dictionary=False, write_statistics=False)
        else:
            key = (table.schema, tuple(sorted((table.schema.metadata or {}).items())))  # Schema == ignores metadata
            target = self._schemas.get(key)
            if target is None:
                target = self._schemas[key] = _parquet_schema(table)
            if not table.schema.equals(target, check_metadata=True):
                table = table.cast(target)
            part = self._dir / f"part-{len(self.parts):05d}.arrow"
            with pa.OSFile(str(part), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
        del table
        self.parts.append(part)
        self.rows += len(df)


def _parquet_schema(table: pa.Table) -> pa.Schema:
    """The Arrow schema (metadata included) that ``pq.read_table`` gives for ``table`` written to Parquet: ``table``'s
    columns none of its rows, written to memory and read back (a few hundred microseconds)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table.slice(0, 0), sink)
    return pq.read_schema(pa.BufferReader(sink.getvalue()))


def _read_part(part: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """A spilled part (``_SpillParts``) as a DataFrame, all its columns or ``columns``: as ``pd.read_parquet`` reads
    the batch written with ``to_parquet(index=False)``."""
    if part.suffix == ".parquet":
        return pd.read_parquet(part, columns=columns)
    # The part memory-mapped and read whole (no copy: its Arrow buffers are the file's pages, read when a step touches
    # them), cut to ``columns``, then pandas' own conversion of read_feather (``arrow_table_to_pandas``): the same frame
    # as ``pd.read_feather(path, columns=columns)``, which read the path through a Python file object into freshly
    # allocated (page-faulted) memory, and a column subset through Arrow's field-selecting reader, which copies it.
    # A 100,000-row part of the bench file under the runner's pool: 0.032 s -> 0.003 s of CPU; its ``notes`` column
    # alone 0.015 s -> 0.001 s. The mapping outlives the file (POSIX): the frame stays valid after the spill folder goes.
    with pa.memory_map(str(part)) as source:
        table = pa.ipc.open_file(source).read_all()
    if columns:
        table = table.select(list(columns))
    df = _arrow_to_pandas(table)
    if columns is not None and not columns:
        df = df[[]]  # read_feather reads every column for none asked (pyarrow.feather.read_table), then none are kept
    attrs = (table.schema.metadata or {}).get(b"PANDAS_ATTRS")  # select keeps the schema's metadata
    if attrs is not None:
        df.attrs = json.loads(attrs)
    return df


def _arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """``table`` as ``pd.read_feather`` converts what it read: pandas' ``arrow_table_to_pandas`` (pandas.io._util,
    pandas 2.2-3.1, default dtype backend; its string dtype, its time-zone normalization). Where a pandas release
    no longer has it, the table goes through ``pd.read_feather`` itself from an in-memory IPC file (one copy)."""
    try:
        from pandas.io._util import arrow_table_to_pandas
    except ImportError:  # pragma: no cover - not in the pinned pandas (requirements.txt)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        return pd.read_feather(pa.BufferReader(sink.getvalue()))
    return arrow_table_to_pandas(table)


def _part_schema(part: Path) -> pa.Schema:
    """A spilled part's Arrow schema, its pandas metadata included; nothing but the footer is read."""
    if part.suffix == ".parquet":
        return pq.read_schema(part)
    with pa.memory_map(str(part)) as source:
        return pa.ipc.open_file(source).schema


def _part_rows(part: Path) -> int:
    """Rows of a spilled part (from the Parquet footer, or the IPC file's record batches, memory-mapped: no copy)."""
    if part.suffix == ".parquet":
        return pq.ParquetFile(part).metadata.num_rows
    with pa.memory_map(str(part)) as source:
        reader = pa.ipc.open_file(source)
        return sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))


def _part_bytes(part: Path) -> int:
    """Uncompressed bytes of a spilled part's data: from the Parquet footer, or the IPC file's size (no encoding)."""
    if part.suffix == ".parquet":
        meta = pq.ParquetFile(part).metadata
        return sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    return part.stat().st_size


def _spill(out: ParquetParts, kept: pd.DataFrame, raw: Table) -> None:
    """Keep a batch's kept rows for the next pass, and the batch's staging strings beside them.

    The staging strings are the batch's as the pass had them (``raw``), not only the kept rows' of them: the next pass
    looks staging rows up by their line (``_as_read``, ``_lines``), never by position, and a line's staging strings are
    the same wherever they are kept, so the rows the pass dropped (duplicates, quarantined rows) only wait on disk.
    What the next pass finds for each of its rows is what it found when they were cut out (``pc.is_in`` on the kept
    rows' lines, then ``filter``), without that cut: 0.028 s of CPU per 100,000-row batch of the bench file, a fifth of
    the spill's write. Disk holds at most the batch (and the rows carried into it) instead of its kept rows.
    """
    before = len(out.parts)
    out.add(kept)
    if len(out.parts) > before:
        table = raw if isinstance(raw, pa.Table) else pa.Table.from_batches([raw])
        with pa.OSFile(str(_staging_part(out.parts[-1])), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)


def _spilled(out: ParquetParts) -> Iterator[tuple[pd.DataFrame, Table]]:
    for part in out.parts:
        with pa.memory_map(str(_staging_part(part))) as source:  # no copy: the file's pages (0.015 s -> 0.0002 s a batch)
            staging = pa.ipc.open_file(source).read_all()
        yield _read_part(part), staging
        del staging  # not held while the next part is read


def _staging_part(part: Path) -> Path:
    """Where the staging strings of a spilled part wait: an Arrow IPC file, no encoding at all.

    They are Arrow data written and read back once by this process, so Arrow's own format holds them
    exactly as they were (Parquet would encode and decode every string): a 100,000-row batch of the
    bench file's staging table (28 MB) took 0.010 s of CPU to write and 0.013 s to read this way,
    0.033 s and 0.023 s as uncompressed Parquet without dictionary (best of 5, load average 8).
    """
    return part.with_suffix(".staging.arrow")  # part-00000.arrow: part-00000.staging.arrow


SMALL_SPILL_BYTES = 64 << 20  # spilled batches of at most this much uncompressed Parquet data are read once, whole


class _Columns(Mapping[str, pd.Series]):
    """Whole columns of the spilled batches, each read from disk when asked for.

    A column only some batches have (a ``<col>__raw`` that only one batch needed) is missing
    (<NA>) in the rows of the others. When the parts hold at most ``SMALL_SPILL_BYTES`` of data
    (uncompressed, from the Parquet footers), they are read once, whole, and columns are served
    from memory: reading one column of a Parquet file parses the footer and the pandas metadata of
    all its columns, so a wide file (thousands of columns) asked for each column would cost
    columns x columns. Memory stays bounded by that constant; larger spills are read column by column.
    """

    def __init__(self, parts: list[Path]) -> None:
        self._parts = list(parts)
        self._schemas = [_part_schema(part) for part in self._parts]
        self._names = list(dict.fromkeys(name for schema in self._schemas for name in schema.names))
        size = sum(_part_bytes(part) for part in self._parts)
        self._frames = [_read_part(part) for part in self._parts] if size <= SMALL_SPILL_BYTES else None

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __getitem__(self, name: str) -> pd.Series:
        if name not in self._names:
            raise KeyError(name)
        return pd.concat(list(self._batches(name)))

    @property
    def num_rows(self) -> int:
        """Rows of the spilled batches together (from the Parquet footers; nothing is read)."""
        return sum(_part_rows(part) for part in self._parts)

    def pieces(self, name: str) -> Iterator[pd.Series]:
        """The column ``name`` one spilled batch at a time, in file order: ``pd.concat`` of them is ``self[name]``,
        and each has its dtype.

        Only one batch's values are read at a time, so what reads a column this way holds one batch of it,
        not the whole file's. That needs every batch to hold the column with one Arrow type and one pandas
        dtype entry (Parquet's pandas metadata), not dictionary-encoded (categories could differ); otherwise
        concatenating could change the dtype (``int64`` with ``float64`` is ``float64``), so the whole column
        is the one piece. Raises KeyError when no batch has the column.
        """
        if name not in self._names:
            raise KeyError(name)
        if self._uniform(name):
            yield from self._batches(name)
        else:
            yield self[name]

    def piece_frames(self, names: list[str]) -> Iterator[pd.DataFrame] | None:
        """The columns ``names`` one spilled batch at a time, as one frame a batch (its columns equal to ``pieces``
        of each name, piece by piece): one Parquet read of each batch for all of them, where reading them name by
        name parses each batch's footer and pandas metadata once a name (17 columns of a 100,000-row batch of the
        bench file: 0.21 s -> 0.08 s of CPU). None when a name is not in every batch with one type (``_uniform``:
        its ``pieces`` would be the whole column, one piece); the caller then reads them by ``pieces``."""
        if not names or not all(name in self._names and self._uniform(name) for name in names):
            return None
        return self._frames_of(list(names))

    def _frames_of(self, names: list[str]) -> Iterator[pd.DataFrame]:
        for k, part in enumerate(self._parts):
            yield self._frames[k][names] if self._frames is not None else _read_part(part, columns=names)

    def _batches(self, name: str) -> Iterator[pd.Series]:
        """The column ``name`` of each spilled batch as read (``<NA>`` strings for a batch without it)."""
        for k, (part, schema) in enumerate(zip(self._parts, self._schemas)):
            if name in schema.names:
                yield self._frames[k][name] if self._frames is not None else _read_part(part, columns=[name])[name]
            else:
                rows = _part_rows(part)
                index = self._frames[k].index if self._frames is not None else _read_part(part, columns=[schema.names[0]]).index
                yield pd.Series(pd.NA, index=index, dtype="string", name=name) if rows else pd.Series([], dtype="string", name=name)

    def _uniform(self, name: str) -> bool:
        """Every batch holds ``name`` with the same Arrow type (not a dictionary) and the same pandas metadata entry."""
        kinds = set()
        for schema in self._schemas:
            if name not in schema.names:
                return False
            kind = schema.field(name).type
            if pa.types.is_dictionary(kind):
                return False
            meta = next((c for c in (schema.pandas_metadata or {}).get("columns", []) if c.get("name") == name), None)
            kinds.add((str(kind), repr(meta)))
        return len(kinds) <= 1

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
