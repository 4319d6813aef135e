"""A curated table -> its chunk table: which columns are chunked, with which strategy (the plan), and the chunks.

The table is read through a ``TableSource``: column by column, batch by batch, so a curated
Parquet file of any size is chunked in the memory of one batch (``ParquetSource``), and an
in-memory frame goes through the very same code (``FrameSource``). The result does not depend
on the batch size:

* the plan's free-text detection sums lengths and word counts over every batch of the
  candidate columns before deciding (``headwater.clean.text.TextStats``), as the whole-column
  means would;
* a strategy that learns from the whole column (keyword: phrases and IDF) is fitted on every
  value of it first (``Chunker.fit``, streaming), then the column is chunked batch by batch;
* chunks come out column by column, rows in table order within a column: the order of the
  whole-table loop.

A value with nothing to search for (``has_words``: no letter or digit outside the mask placeholders, such as
``.``, ``-``, ``👍`` or ``[EMAIL]``) is not chunked when its row gets a row document, which shows it instead
(``rows_mode``, F13): a chunk of ``.`` alone says nothing a search can find, and the row it belongs to
would otherwise be findable by none of its fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
from tokenizers import Tokenizer

from headwater.chunk.strategies import Chunker, Embedder, build_chunker
from headwater.chunk.windows import chunk_record, chunk_table_frame
from headwater.clean.steps.base import LINE, ROW_ID, SOURCE, is_value_column
from headwater.clean.text import TextStats
from headwater.config.chunking import SECTION, ChunkingOptions, ColumnChunking
from headwater.config.text import MASKS, TextColumnRule
from headwater.storage import parquet_batches, parquet_schema

Record = dict[str, object]  # one chunk row (headwater.chunk.windows.chunk_record)

_ALNUM = re.compile(r"[^\W_]")  # a letter or a digit (``str.isalnum``: Unicode letters and numbers, any script)
_MASK_TOKENS = tuple(MASKS.values())  # what text normalization writes for a masked value (headwater.config.text.MASKS)


def has_words(value: str) -> bool:
    """Whether a free-text value holds something a search can find: a letter or a digit (``str.isalnum``, any script)
    outside the mask placeholders text normalization writes (``[EMAIL]``, ``[PHONE]``, ``[URL]``, ``[CARD]``, ``[IBAN]``:
    headwater.config.text.MASKS). ``.``, ``-``, ``...``, ``👍``, ``:)``, ``#️⃣``, ``[EMAIL]``, ``[EMAIL] [PHONE]`` hold
    none; ``ok``, ``5``, ``1️⃣``, ``👍 ok``, ``Ответ``, ``好`` do."""
    if "[" in value:
        for mask in _MASK_TOKENS:
            value = value.replace(mask, " ")
    return _ALNUM.search(value) is not None


class TableSource(Protocol):
    """A curated table that can be read more than once, a few columns at a time, batch by batch."""

    columns: list[str]  # every column, in table order

    def batches(self, columns: list[str]) -> Iterator[pd.DataFrame]:
        """The rows of ``columns``, in table order, as frames of at most one batch each."""
        ...


@dataclass
class FrameSource:
    """A table already in memory; ``batch_rows`` None reads it as one batch."""

    df: pd.DataFrame
    batch_rows: int | None = None

    @property
    def columns(self) -> list[str]:
        return list(self.df.columns)

    def batches(self, columns: list[str]) -> Iterator[pd.DataFrame]:
        step = self.batch_rows or max(len(self.df), 1)
        for start in range(0, len(self.df), step):
            yield self.df[columns].iloc[start : start + step]


@dataclass
class ParquetSource:
    """A Parquet file (a curated table) read ``batch_rows`` rows at a time, only the columns asked for.

    Frames have the dtypes ``pandas.read_parquet`` gives the whole file (headwater.storage.parquet_batches).
    Raises FileNotFoundError when ``path`` does not exist.
    """

    path: Path
    batch_rows: int = 100_000
    columns: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.columns = list(parquet_schema(self.path).names)

    def batches(self, columns: list[str]) -> Iterator[pd.DataFrame]:
        for batch in parquet_batches(self.path, columns, self.batch_rows):
            yield pa.Table.from_batches([batch]).to_pandas()


@dataclass
class ColumnTexts:
    """The non-empty values of one column as strings, in table order; each iteration reads the source again.

    What a column-wide strategy is fitted on (``Chunker.fit``): the same texts, in the same
    order, as the values that are then chunked.
    """

    source: TableSource
    column: str
    # rows (by position in the table) whose values without words are left out (``has_words``): the rows that get a row
    # document showing them (``chunk_source``); None: none are left out
    to_rows: Callable[[int], bool] | None = None

    def __iter__(self) -> Iterator[str]:
        at = 0
        for batch in self.source.batches([self.column]):
            for v in batch[self.column]:
                if not pd.isna(v) and str(v).strip() and not (self.to_rows is not None and self.to_rows(at) and not has_words(str(v))):
                    yield str(v)
                at += 1


def plan_source(
    options: ChunkingOptions, source: TableSource, declared_text: Iterable[str] = ()
) -> tuple[dict[str, ColumnChunking], list[str]]:
    """(column -> its chunking, in table order; warnings for configured columns the table lacks).

    Chunked: the columns listed in ``columns``, those ``declared_text`` (type ``text`` in the
    canonical schema) and, with ``detect``, those whose values look like free text over the
    whole column (one pass over the columns still undecided, batch by batch).
    """
    text = set(declared_text)
    data = [c for c in source.columns if is_value_column(c)]  # not <col>__raw/__reason/__imputed: what was written is kept, not chunked
    undecided = [c for c in data if c not in options.columns and c not in text] if options.detect else []
    if undecided:
        stats = {c: TextStats() for c in undecided}
        for batch in source.batches(undecided):
            for c in undecided:
                stats[c].add(batch[c])
        rule = TextColumnRule(options.detect_min_chars, options.detect_min_words)
        text |= {c for c in undecided if stats[c].free_text(rule)}
    chosen = {c: options.columns.get(c, options.default) for c in data if c in options.columns or c in text}
    missing = [c for c in options.columns if c not in source.columns]
    warnings = [f"{SECTION}.columns.{c}: no such column in this file — not chunked" for c in missing]
    return chosen, warnings


def plan(options: ChunkingOptions, df: pd.DataFrame, declared_text: Iterable[str] = ()) -> tuple[dict[str, ColumnChunking], list[str]]:
    """``plan_source`` of a table in memory."""
    return plan_source(options, FrameSource(df), declared_text)


# A column whose tokens are this share (or more) unknown to the embedding model gets a warning.
UNKNOWN_TOKEN_WARNING = 0.1


def unknown_token(tokenizer: Tokenizer) -> tuple[str, int] | None:
    """The model's unknown token and its id (WordPiece ``[UNK]``), or None when its model has none."""
    unk = getattr(tokenizer.model, "unk_token", None)
    unk_id = tokenizer.token_to_id(unk) if unk else None
    return (unk, unk_id) if unk_id is not None else None


@dataclass
class ChunkSummary:
    """What chunking one table did, without the chunks (they went to the ``write`` callback)."""

    strategies: dict[str, str]  # column -> strategy, in table order
    values_without_chunks: dict[str, int]  # column -> non-empty values that produced no chunk (query filtering)
    warnings: list[str]
    chunks: int = 0  # rows written
    # column -> non-empty values without words (``has_words``) not chunked: their rows' documents show them (``rows_mode``)
    values_without_words: dict[str, int] = field(default_factory=dict)
    chunkers: dict[str, Chunker] = field(default_factory=dict, repr=False)  # column -> its fitted chunker (row documents reuse them)


def chunk_source(
    source: TableSource,
    write: Callable[[list[Record]], None],
    tokenizer: Tokenizer,
    options: ChunkingOptions | None = None,
    default_tokens: int = 128,
    default_overlap: int = 32,
    embed: Embedder | None = None,
    declared_text: Iterable[str] = (),
    source_name: str | None = None,
    rows_mode: str = "off",
) -> ChunkSummary:
    """Chunk every planned text column of ``source`` with its strategy, handing the chunk rows to ``write``.

    ``write`` gets the rows of one batch of one column at a time (never an empty list), columns
    in table order and rows in table order within a column. Reads the source once per planned
    column, plus once for detection and twice more per keyword column (its fit). Raises
    ValueError for a query column without ``embed``.

    A column of which ``UNKNOWN_TOKEN_WARNING`` or more of the tokens are the model's unknown
    token (all-MiniLM-L6-v2 knows few Han and almost no Thai characters) is chunked all the
    same, with a warning naming the share: its vectors say little, whatever the windows.

    ``rows_mode``, the row documents' mode (headwater.config.rows), decides where a value without words
    (``has_words``: ``.``, ``👍``, ``[EMAIL]``) goes: ``off``, chunked like any value; ``on``, not chunked (every row
    gets a document, which shows it); ``auto``, not chunked when no free-text column of its row has words (the row
    gets a document: ``headwater.chunk.rows.plan_rows``), else chunked (the row has no document). Each one not
    chunked is counted in ``values_without_words``.
    """
    options = options or ChunkingOptions()
    chosen, warnings = plan_source(options, source, declared_text)
    summary = ChunkSummary({c: o.strategy for c, o in chosen.items()}, {}, warnings)
    unknown = unknown_token(tokenizer)
    to_rows = _documented_rows(source, list(chosen), rows_mode)
    for col, opts in chosen.items():
        chunker = build_chunker(opts, tokenizer, default_tokens, default_overlap, embed)
        if chunker.column_wide:
            chunker.fit(ColumnTexts(source, col, to_rows))
        summary.chunkers[col] = chunker
        summary.values_without_chunks[col] = 0
        summary.values_without_words[col] = 0
        tokens = unknown_tokens = 0
        at = 0
        for batch in source.batches([SOURCE, ROW_ID, LINE, col]):
            values = [(s, r, ln, str(v), i) for i, (s, r, ln, v) in enumerate(zip(batch[SOURCE], batch[ROW_ID], batch[LINE], batch[col]), at)
                      if not pd.isna(v) and str(v).strip()]
            present = [(s, r, ln, v) for s, r, ln, v, i in values if to_rows is None or not to_rows(i) or has_words(v)]
            summary.values_without_words[col] += len(values) - len(present)  # shown in their rows' documents instead
            at += len(batch)
            if not present:
                continue
            if unknown is not None:
                for *_, value in present:
                    ids = tokenizer.encode(value, add_special_tokens=False).ids
                    tokens += len(ids)
                    unknown_tokens += ids.count(unknown[1])
            per_value = chunker.chunk_values([v for *_, v in present])
            summary.values_without_chunks[col] += sum(1 for spans in per_value if not spans)
            rows = [
                chunk_record(source_file, row_id, line, col, i, c0, c1, value[c0:c1], chunker.strategy, label, score, source_name=source_name)
                for (source_file, row_id, line, value), spans in zip(present, per_value)
                for i, (c0, c1, label, score) in enumerate(spans)
            ]
            if rows:
                write(rows)
                summary.chunks += len(rows)
        if tokens and unknown is not None and unknown_tokens / tokens >= UNKNOWN_TOKEN_WARNING:
            summary.warnings.append(
                f"{col}: {unknown_tokens / tokens:.0%} of its tokens are unknown to the embedding model ({unknown[0]}) — "
                "its vectors say little about this text; embed it with a model whose vocabulary covers its script"
            )
    return summary


def _documented_rows(source: TableSource, text: list[str], rows_mode: str) -> Callable[[int], bool] | None:
    """Which rows (by position) get a row document whatever their values without words (``chunk_source``): None under
    ``off`` (none); under ``on`` every row; under ``auto`` each row none of whose ``text`` columns has words
    (``has_words``), read in one pass over those columns when there are two or more (with one, a value without words
    is itself the row's only text)."""
    if rows_mode == "off" or not text:
        return None
    if rows_mode == "on" or len(text) == 1:
        return lambda at: True
    worded = [
        np.array([any(not pd.isna(v) and has_words(str(v)) for v in values) for values in zip(*(batch[c] for c in text))], dtype=bool)
        for batch in source.batches(text)
    ]
    textless = ~np.concatenate(worded) if worded else np.zeros(0, dtype=bool)
    return lambda at: bool(textless[at])


@dataclass
class ChunkResult:
    chunks: pd.DataFrame  # headwater.chunk.windows.CHUNK_COLUMNS
    strategies: dict[str, str]  # column -> strategy, in table order
    values_without_chunks: dict[str, int]  # column -> non-empty values that produced no chunk (query filtering)
    warnings: list[str]


def chunk_table(
    df: pd.DataFrame,
    tokenizer: Tokenizer,
    options: ChunkingOptions | None = None,
    default_tokens: int = 128,
    default_overlap: int = 32,
    embed: Embedder | None = None,
    declared_text: Iterable[str] = (),
    batch_rows: int | None = None,
    source_name: str | None = None,
    rows_mode: str = "off",
) -> ChunkResult:
    """Chunk every planned text column of a table in memory (see ``chunk_source``); ``batch_rows`` None: one batch."""
    rows: list[Record] = []
    summary = chunk_source(
        FrameSource(df, batch_rows), rows.extend, tokenizer, options, default_tokens, default_overlap, embed, declared_text, source_name,
        rows_mode,
    )
    return ChunkResult(chunk_table_frame(rows), summary.strategies, summary.values_without_chunks, summary.warnings)
