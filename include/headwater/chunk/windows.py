"""Split free-text values into token-bounded, overlapping chunks (the ``raw`` strategy).

The other strategies (keyword, heading, query) and their per-column config live in
headwater.chunk.strategies and build on the windows and chunk records defined here.

Token counts come from the embedding model's own tokenizer, so a chunk never
exceeds what the model reads; chunk text is sliced from the original string by
character offsets, so it is exactly the source text.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
from tokenizers import Tokenizer

from headwater.clean.steps.base import LINE, ROW_ID, SOURCE
from headwater.clean.text import detect_text_columns
from headwater.config.chunking import RAW
from headwater.ids import stable_id

CHUNK_COLUMNS = [
    "id", "source_file", "row_id", "line", "column", "chunk_index", "char_start", "char_end", "text",
    "strategy",  # which chunking strategy made the chunk (headwater.chunk.strategies)
    "label",  # what anchored it: the keyword, heading or query; None for raw windows
    "score",  # the keyword's TF-IDF or the query similarity; None where nothing was scored
]  # fmt: skip


def load_tokenizer(model_dir: Path) -> Tokenizer:
    tok = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


def same_word(word_ids: list[int | None], i: int) -> bool:
    """True when token ``i`` continues the word of token ``i - 1``: a window must not start or end there."""
    return 0 < i < len(word_ids) and word_ids[i] is not None and word_ids[i] == word_ids[i - 1]


def token_windows(word_ids: list[int | None], size: int, overlap: int) -> list[tuple[int, int]]:
    """Token index windows [start, end) of at most ``size`` tokens, overlapping by about ``overlap``.

    Windows start and end on word boundaries (``word_ids`` from the tokenizer), so a
    chunk never begins with half a word such as ``##lays``.
    """
    n = len(word_ids)
    if n == 0:
        return []
    windows: list[tuple[int, int]] = []
    start = 0
    while True:
        end = min(start + size, n)
        while end < n and end > start + 1 and same_word(word_ids, end):
            end -= 1  # do not cut the last word in two
        windows.append((start, end))
        if end == n:
            return windows
        nxt = max(end - overlap, start + 1)
        while nxt < end and same_word(word_ids, nxt):
            nxt += 1  # begin the next window on a whole word
        start = nxt


def chunk_text(text: str, tokenizer: Tokenizer, size: int, overlap: int) -> list[tuple[int, int, str]]:
    """(char_start, char_end, chunk) for each window over ``text``."""
    enc = tokenizer.encode(text, add_special_tokens=False)
    offsets = list(enc.offsets)
    out = []
    for start, end in token_windows(list(enc.word_ids), size, overlap):
        c0, c1 = offsets[start][0], offsets[end - 1][1]
        out.append((c0, c1, text[c0:c1]))
    return out


def chunk_id(source: str, row_id: str, column: str, index: int, text: str, strategy: str = RAW) -> str:
    """Deterministic chunk id. Raw chunks keep the original formula, so their ids never change;
    other strategies add their name, so switching a column's strategy replaces its vectors."""
    if strategy == RAW:
        return stable_id(source, row_id, column, index, text)
    return stable_id(source, row_id, column, index, text, strategy)


def chunk_record(
    source: str,
    row_id: str,
    line: int,
    column: str,
    index: int,
    char_start: int,
    char_end: int,
    text: str,
    strategy: str = RAW,
    label: str | None = None,
    score: float | None = None,
) -> dict[str, object]:
    """One row of the chunk table (see ``CHUNK_COLUMNS``)."""
    return {
        "id": chunk_id(source, row_id, column, index, text, strategy),
        "source_file": source,
        "row_id": row_id,
        "line": int(line),
        "column": column,
        "chunk_index": index,
        "char_start": char_start,
        "char_end": char_end,
        "text": text,
        "strategy": strategy,
        "label": label,
        "score": score,
    }


# The dtypes of a chunk table (pandas' default string dtype for text, None for a missing label).
CHUNK_DTYPES = {
    "id": "str", "source_file": "str", "row_id": "str", "line": "int64", "column": "str", "chunk_index": "int64",
    "char_start": "int64", "char_end": "int64", "text": "str", "strategy": "str", "label": "object", "score": "float64",
}  # fmt: skip


def chunk_table_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Chunk records -> DataFrame with stable dtypes (``CHUNK_DTYPES``), also when empty."""
    return pd.DataFrame(rows, columns=CHUNK_COLUMNS).astype(CHUNK_DTYPES)


@lru_cache(maxsize=1)
def chunk_arrow_schema() -> pa.Schema:
    """The Parquet schema of a chunk table, pandas metadata included: every batch of a file is
    written with it, so a file written batch by batch reads back (``pandas.read_parquet``) like
    one written whole, and a file with no chunk still has typed columns."""
    example = chunk_record("d/f.csv", "r", 2, "c", 0, 0, 1, "t", RAW, "label", 1.0)
    return pa.Schema.from_pandas(chunk_table_frame([example]), preserve_index=False)


def chunk_arrow_table(frame: pd.DataFrame) -> pa.Table:
    """A chunk table frame (``chunk_table_frame``) as an Arrow table of ``chunk_arrow_schema``."""
    return pa.Table.from_pandas(frame, schema=chunk_arrow_schema(), preserve_index=False)


def chunk_frame(
    df: pd.DataFrame, tokenizer: Tokenizer, size: int, overlap: int, text_columns: list[str] | None = None
) -> pd.DataFrame:
    """One row per raw token-window chunk of every free-text value in ``df`` (a curated table)."""
    cols = detect_text_columns(df) if text_columns is None else text_columns
    rows = []
    for col in cols:
        for source, row_id, line, value in zip(df[SOURCE], df[ROW_ID], df[LINE], df[col]):
            if pd.isna(value) or not str(value).strip():
                continue
            for i, (c0, c1, piece) in enumerate(chunk_text(str(value), tokenizer, size, overlap)):
                rows.append(chunk_record(source, row_id, line, col, i, c0, c1, piece))
    return chunk_table_frame(rows)
