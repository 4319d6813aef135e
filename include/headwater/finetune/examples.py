"""Fine-tuning examples read from the curated and chunk tables: per landing file, or all of them at once.

An example is one line of the export, ``{"id", "text", "source", "column"}``: every chunk and
every row document (column ``_row``: a whole record written for reading, headwater.chunk.rows),
plus (``fields``) the curated values of the columns that were not chunked, so short structured
fields (names, subjects, dates) teach the model too. A file with row documents exports no loose
field values: its records are already there, whole; except, under ``rows: {mode: auto}`` in a table with free text,
the rows that have chunks and no document (their records are not there whole: the rows whose text is empty got the
documents), which export their fields as a file without row documents does. Ids carry their landing file (chunk ids hash the
source, field ids are ``stable_id("finetune-field", source, row_id, column)``), so two landing
files never share an id and one file's examples never depend on another file's tables: that is
what lets the export be assembled from per-file parts (headwater.finetune.parts).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from headwater.clean.steps.base import ROW_ID, SOURCE, is_value_column
from headwater.config.finetune import ExportOptions
from headwater.config.rows import ROW_COLUMN
from headwater.ids import stable_id
from headwater.layout import Layout, data_root
from headwater.storage import readable

CHUNK_COLUMNS = ["id", "source_file", "row_id", "column", "text"]
TEXT_CHUNK = ""  # (source file, TEXT_CHUNK, row id) in the chunked set: the row has a chunk of a text column


@dataclass(frozen=True)
class Example:
    """One line of the export: what ``kfp_components.lib.sft_data.read_chunk_records`` reads."""

    id: str
    text: str
    source: str  # landing file name, e.g. SUPPORT_TICKETS.csv (the prompt says "a {source} record")
    column: str

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "text": self.text, "source": self.source, "column": self.column},
                          ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class ExportResult:
    """An export file: its path, ``count`` examples (``chunks`` chunk and ``fields`` field values before
    removing repeated ids) and the sha256 of its bytes."""

    path: Path
    count: int
    chunks: int
    fields: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "path": str(self.path)}


@dataclass(frozen=True)
class FileExamples:
    """The examples of one landing file (sorted by id, one per id), with the counts and the tables read."""

    examples: list[Example]
    chunks: int
    fields: int
    read: list[Path] = field(default_factory=list)


def source_name(source_file: str) -> str:
    """``2026-11-20/SUPPORT_TICKETS.csv`` -> ``SUPPORT_TICKETS.csv``: the date says nothing about the text.

    A zip member keeps its archive and folder (``2026-11-20/orders.zip/data/a.csv`` -> ``orders.zip/data/a.csv``),
    so two members named alike stay apart.
    """
    _, sep, name = source_file.partition("/")
    return name if sep else source_file


def _read(path: Path, columns: list[str] | None = None) -> Any:
    """One Parquet table, with ``columns`` only (those present; callers check what is missing)."""
    import pyarrow.parquet as pq

    with readable(path) as source:
        file = pq.ParquetFile(source)
        names = file.schema_arrow.names
        return file.read(columns=None if columns is None else [c for c in columns if c in names])


def _chunk_rows(path: Path, table: Any) -> tuple[list[Example], set[tuple[str, ...]]]:
    """A chunk table's examples and its chunked set: (source file, column) pairs, and (source file, ``ROW_COLUMN``,
    row id) for each row document, (source file, ``TEXT_CHUNK``, row id) for each row with a text chunk; ValueError
    if it lacks a needed column."""
    missing = set(CHUNK_COLUMNS) - set(table.column_names)
    if missing:
        raise ValueError(f"{path}: chunk table lacks {sorted(missing)} — re-run the chunk stage for that date")
    examples, chunked = [], set()
    for row in table.to_pylist():
        chunked.add((row["source_file"], row["column"]))
        chunked.add((row["source_file"], ROW_COLUMN if row["column"] == ROW_COLUMN else TEXT_CHUNK, row["row_id"]))
        if row["text"] and row["text"].strip():
            examples.append(Example(row["id"], row["text"], source_name(row["source_file"]), row["column"]))
    return examples, chunked


def _value_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):  # NA / NaN
        return None
    text = str(value).strip()
    return text or None


def _field_rows(path: Path, table: Any, options: ExportOptions, chunked: set[tuple[str, ...]]) -> list[Example]:
    """A curated table's values of the columns that were not chunked, in a file with row documents only those of the
    rows with a text chunk and no document (module docstring); ValueError if it lacks _source/_row_id."""
    import pyarrow as pa

    if not {SOURCE, ROW_ID} <= set(table.column_names):
        raise ValueError(f"{path}: curated table lacks _source/_row_id — re-run the clean stage for that date")
    examples = []
    sources, row_ids = table.column(SOURCE).to_pylist(), table.column(ROW_ID).to_pylist()
    for name in filter(is_value_column, table.column_names):
        column = table.column(name)
        if options.fields == "text" and not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        for source, row_id, value in zip(sources, row_ids, column.to_pylist()):
            text = _value_text(value)
            if text is None or (source, name) in chunked:
                continue
            if (source, ROW_COLUMN) in chunked and ((source, ROW_COLUMN, row_id) in chunked or (source, TEXT_CHUNK, row_id) not in chunked):
                continue
            if options.fields == "text" and len(text.split()) < options.min_words:
                continue
            examples.append(Example(stable_id("finetune-field", source, row_id, name), text, source_name(source), name))
    return examples


def unique_by_id(chunks: Iterable[Example], fields: Iterable[Example]) -> list[Example]:
    """One example per id (a field value wins over a chunk, a later one over an earlier one), sorted by id."""
    unique = {e.id: e for e in [*chunks, *fields]}
    return [unique[k] for k in sorted(unique)]


def chunk_examples(data_dir: Path) -> tuple[list[Example], set[tuple[str, ...]]]:
    """Every chunk of every date, and the (source file, column) pairs that were chunked (reads every chunk table)."""
    examples, chunked = [], set()
    for path in Layout(data_dir).tables("chunks"):
        rows, pairs = _chunk_rows(path, _read(path, CHUNK_COLUMNS))
        examples += rows
        chunked |= pairs
    return examples, chunked


def field_examples(data_dir: Path, options: ExportOptions, chunked: set[tuple[str, ...]]) -> list[Example]:
    """Curated values of the columns that were not chunked (a chunked column is exported as its chunks)."""
    if options.fields == "none":
        return []
    examples = []
    for path in Layout(data_dir).tables("curated"):
        examples += _field_rows(path, _read(path), options, chunked)
    return examples


def collect_examples(data_dir: Path, options: ExportOptions = ExportOptions()) -> tuple[list[Example], int, int]:
    """All examples of every table, sorted by id (so the bytes depend on the data only), and the two counts.

    The reference the incremental export is checked against: it reads every table of every date.
    """
    chunks, chunked = chunk_examples(data_dir)
    fields = field_examples(data_dir, options, chunked)
    return unique_by_id(chunks, fields), len(chunks), len(fields)


def file_examples(layout: Layout, key: str, options: ExportOptions) -> FileExamples:
    """The examples of one landing file (``layout`` on its date, ``key`` its file key): its chunk table,
    and its curated table unless ``fields`` is ``none``. A missing table contributes nothing."""
    chunks: list[Example] = []
    chunked: set[tuple[str, ...]] = set()
    fields: list[Example] = []
    read = []
    path = layout.chunks(key)
    if path.exists():
        chunks, chunked = _chunk_rows(path, _read(path, CHUNK_COLUMNS))
        read.append(path)
    path = layout.curated(key)
    if options.fields != "none" and path.exists():
        fields = _field_rows(path, _read(path), options, chunked)
        read.append(path)
    return FileExamples(unique_by_id(chunks, fields), len(chunks), len(fields), read)


def to_jsonl(examples: Iterable[Example]) -> bytes:
    """The export's bytes: one ``Example.to_json()`` line each, UTF-8."""
    return "".join(e.to_json() + "\n" for e in examples).encode("utf-8")


def example_id(line: str | bytes) -> str:
    """The id of one export line."""
    return json.loads(line)["id"]


def read_example_ids(path: Path) -> list[str]:
    """The ids of an export (or part) file, in file order; blank lines are skipped."""
    with data_root(path).open("r", encoding="utf-8") as fh:  # a local path, or a URI / UPath on object storage
        return [example_id(line) for line in fh if line.strip()]
