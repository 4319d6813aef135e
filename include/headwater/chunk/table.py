"""A curated table -> its chunk table: which columns are chunked, with which strategy (the plan), and the chunks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from tokenizers import Tokenizer

from headwater.chunk.strategies import Embedder, build_chunker
from headwater.chunk.windows import chunk_record, chunk_table_frame
from headwater.clean.steps.base import LINE, ROW_ID, SOURCE, data_columns
from headwater.clean.text import detect_text_columns
from headwater.config.chunking import SECTION, ChunkingOptions, ColumnChunking
from headwater.config.text import TextColumnRule


def plan(options: ChunkingOptions, df: pd.DataFrame, declared_text: Iterable[str] = ()) -> tuple[dict[str, ColumnChunking], list[str]]:
    """(column -> its chunking, in table order; warnings for configured columns the table lacks).

    Chunked: the columns listed in ``columns``, those ``declared_text`` (type ``text`` in the
    canonical schema) and, with ``detect``, those whose values look like free text.
    """
    text = set(declared_text)
    if options.detect:
        text |= set(detect_text_columns(df, TextColumnRule(options.detect_min_chars, options.detect_min_words)))
    chosen = {c: options.columns.get(c, options.default) for c in data_columns(df) if c in options.columns or c in text}
    missing = [c for c in options.columns if c not in df.columns]
    warnings = [f"{SECTION}.columns.{c}: no such column in this file — not chunked" for c in missing]
    return chosen, warnings


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
) -> ChunkResult:
    """Chunk every planned text column of a curated table with its strategy (see ``plan``)."""
    options = options or ChunkingOptions()
    chosen, warnings = plan(options, df, declared_text)
    rows: list[dict[str, object]] = []
    empty: dict[str, int] = {}
    for col, opts in chosen.items():
        chunker = build_chunker(opts, tokenizer, default_tokens, default_overlap, embed)
        present = [(s, r, ln, str(v)) for s, r, ln, v in zip(df[SOURCE], df[ROW_ID], df[LINE], df[col]) if not pd.isna(v) and str(v).strip()]
        per_value = chunker.chunk_values([v for *_, v in present])
        empty[col] = sum(1 for spans in per_value if not spans)
        for (source, row_id, line, value), spans in zip(present, per_value):
            for i, (c0, c1, label, score) in enumerate(spans):
                rows.append(chunk_record(source, row_id, line, col, i, c0, c1, value[c0:c1], chunker.strategy, label, score))
    return ChunkResult(chunk_table_frame(rows), {c: o.strategy for c, o in chosen.items()}, empty, warnings)
