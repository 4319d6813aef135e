"""Export: the curated data -> the chunk JSONL the Kubeflow pipeline reads.

``export_examples`` writes ``{"id", "text", "source", "column"}`` per line: every chunk of
every date, plus (``fields``) the curated values of the columns that were not chunked, so
short structured fields (names, subjects, dates) teach the model too. The file name is the
content hash, so an unchanged export is never rewritten.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from headwater.clean.steps.base import ROW_ID, SOURCE, is_value_column
from headwater.config.finetune import ExportOptions
from headwater.ids import stable_id
from headwater.layout import Layout
from headwater.storage import write_bytes


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
    path: Path
    count: int
    chunks: int
    fields: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "path": str(self.path)}


def _source_name(source_file: str) -> str:
    """``2026-11-20/SUPPORT_TICKETS.csv`` -> ``SUPPORT_TICKETS.csv``: the date says nothing about the text."""
    return source_file.rsplit("/", 1)[-1]


def _tables(data_dir: Path, area: str, columns: list[str] | None = None) -> Iterator[tuple[Path, Any]]:
    """Each ``<area>/date=*/*.parquet`` table, with ``columns`` only (those present; callers check what is missing)."""
    import pyarrow.parquet as pq

    for path in Layout(Path(data_dir)).tables(area):
        file = pq.ParquetFile(path)
        names = file.schema_arrow.names
        yield path, file.read(columns=None if columns is None else [c for c in columns if c in names])


def chunk_examples(data_dir: Path) -> tuple[list[Example], set[tuple[str, str]]]:
    """Every chunk, and the (source file, column) pairs that were chunked."""
    examples, chunked = [], set()
    wanted = ["id", "source_file", "column", "text"]
    for path, table in _tables(data_dir, "chunks", wanted):
        missing = set(wanted) - set(table.column_names)
        if missing:
            raise ValueError(f"{path}: chunk table lacks {sorted(missing)} — re-run the chunk stage for that date")
        for row in table.to_pylist():
            chunked.add((row["source_file"], row["column"]))
            if row["text"] and row["text"].strip():
                examples.append(Example(row["id"], row["text"], _source_name(row["source_file"]), row["column"]))
    return examples, chunked


def _value_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):  # NA / NaN
        return None
    text = str(value).strip()
    return text or None


def field_examples(data_dir: Path, options: ExportOptions, chunked: set[tuple[str, str]]) -> list[Example]:
    """Curated values of the columns that were not chunked (a chunked column is exported as its chunks)."""
    if options.fields == "none":
        return []
    import pyarrow as pa

    examples = []
    for path, table in _tables(data_dir, "curated"):
        if not {SOURCE, ROW_ID} <= set(table.column_names):
            raise ValueError(f"{path}: curated table lacks _source/_row_id — re-run the clean stage for that date")
        sources, row_ids = table.column(SOURCE).to_pylist(), table.column(ROW_ID).to_pylist()
        for name in filter(is_value_column, table.column_names):
            column = table.column(name)
            if options.fields == "text" and not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
                continue
            for source, row_id, value in zip(sources, row_ids, column.to_pylist()):
                text = _value_text(value)
                if text is None or (source, name) in chunked:
                    continue
                if options.fields == "text" and len(text.split()) < options.min_words:
                    continue
                examples.append(Example(stable_id("finetune-field", source, row_id, name), text, _source_name(source), name))
    return examples


def collect_examples(data_dir: Path, options: ExportOptions = ExportOptions()) -> tuple[list[Example], int, int]:
    """All examples, sorted by id (so the export's bytes depend on the data only); plus the two counts."""
    chunks, chunked = chunk_examples(data_dir)
    fields = field_examples(data_dir, options, chunked)
    unique = {e.id: e for e in [*chunks, *fields]}
    return [unique[k] for k in sorted(unique)], len(chunks), len(fields)


def export_examples(data_dir: Path, options: ExportOptions = ExportOptions()) -> ExportResult:
    """Write ``Layout.finetune_examples/examples-<sha12>.jsonl`` (content-addressed: a rerun rewrites nothing)."""
    examples, n_chunks, n_fields = collect_examples(Path(data_dir), options)
    if not examples:
        raise ValueError(
            f"no curated data under {data_dir} (chunks/ and curated/ are empty): run headwater_ingest first"
        )
    payload = "".join(e.to_json() + "\n" for e in examples).encode("utf-8")
    digest = hashlib.sha256(payload).hexdigest()
    path = Layout(Path(data_dir)).finetune_examples / f"examples-{digest[:12]}.jsonl"
    if not path.exists():
        write_bytes(path, payload)
    return ExportResult(path=path, count=len(examples), chunks=n_chunks, fields=n_fields, sha256=digest)


def read_example_ids(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line)["id"] for line in fh if line.strip()]
