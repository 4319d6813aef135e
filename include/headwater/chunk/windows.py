"""Split free-text values into token-bounded, overlapping chunks (the ``raw`` strategy).

The other strategies (keyword, heading, query) and their per-column config live in
headwater.chunk.strategies and build on the windows and chunk records defined here.

Token counts come from the embedding model's own tokenizer, so a chunk never
exceeds what the model reads; chunk text is sliced from the original string by
character offsets, so it is exactly the source text.

Scripts written without spaces get windows too. all-MiniLM-L6-v2's WordPiece gives each Han
character a token and a word of its own, but reads a run of kana between kanji as one word and
a whole Thai, Lao, Khmer or Myanmar phrase as one word, which becomes a single ``[UNK]``
token: a window of N tokens could then hold N sentences. So ``load_tokenizer`` isolates each
character of those scripts (and of Han, for tokenizers that do not) before the model's
WordPiece, a word longer than a window is cut between its characters, and a window never
ends between a character and its combining marks (Thai vowel and tone marks, which the
tokenizer drops) or inside a character several tokens share (Hangul, split into jamo).
Every window's text, re-read by the model's own tokenizer, is at most N tokens.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
from tokenizers import Regex, Tokenizer, pre_tokenizers

from headwater.clean.steps.base import LINE, ROW_ID, SOURCE
from headwater.clean.text import detect_text_columns
from headwater.config.chunking import RAW
from headwater.ids import stable_id

CHUNK_COLUMNS = [
    "id", "source_file", "row_id", "line", "column", "chunk_index", "char_start", "char_end", "text",
    "strategy",  # which chunking strategy made the chunk (headwater.chunk.strategies)
    "label",  # what anchored it: the keyword, heading or query; None for raw windows
    "score",  # the keyword's TF-IDF or the query similarity; None where nothing was scored
    "columns",  # the columns the text shows: [column] for a chunk, the shown columns for a row document
    "source_name",  # the source config the file belongs to (headwater.config.source.SourceConfig.name)
]  # fmt: skip


# A character of a script written without spaces, with its combining marks (Oniguruma syntax, tokenizers.Regex).
UNSPACED_CHARACTER = r"[\p{Han}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]\p{M}*"


def load_tokenizer(model_dir: Path) -> Tokenizer:
    """The embedding model's tokenizer (``<model_dir>/tokenizer.json``) for counting windows: no
    truncation or padding, and each character of a script written without spaces
    (``UNSPACED_CHARACTER``) a word of its own after the model's own pre-tokenizer
    (``tokenizers.pre_tokenizers.Split``, behaviour ``isolated``). Raises Exception (tokenizers)
    when the file is missing or not a tokenizer."""
    tok = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    split = pre_tokenizers.Split(Regex(UNSPACED_CHARACTER), "isolated")
    tok.pre_tokenizer = split if tok.pre_tokenizer is None else pre_tokenizers.Sequence([tok.pre_tokenizer, split])
    return tok


def model_max_tokens(model_dir: Path) -> int | None:
    """The longest input, in tokens, the model reads (``max_seq_length`` of sentence-transformers'
    ``<model_dir>/sentence_bert_config.json``: 256 for all-MiniLM-L6-v2); None when the file does not say."""
    import json

    path = Path(model_dir) / "sentence_bert_config.json"
    if not path.exists():
        return None
    value = json.loads(path.read_text(encoding="utf-8")).get("max_seq_length")
    return int(value) if value else None


def same_word(word_ids: list[int | None], i: int) -> bool:
    """True when token ``i`` continues the word of token ``i - 1``: a window must not start or end there."""
    return 0 < i < len(word_ids) and word_ids[i] is not None and word_ids[i] == word_ids[i - 1]


def token_windows(word_ids: list[int | None], size: int, overlap: int, cuts: list[bool] | None = None) -> list[tuple[int, int]]:
    """Token index windows [start, end) of at most ``size`` tokens, overlapping by about ``overlap``.

    Windows start and end on word boundaries (``word_ids`` from the tokenizer), so a chunk
    never begins with half a word such as ``##lays``. A word longer than a window is cut
    inside, before a token ``i`` with ``cuts[i]`` true (one that starts a new character;
    default: any token), into full windows. Only when not even that is possible (one
    character of more than ``size`` tokens) does a window run past ``size``.
    """
    n = len(word_ids)
    if n == 0:
        return []

    def word_start(i: int) -> bool:
        return not same_word(word_ids, i)

    def cut(i: int) -> bool:
        return i == n or word_start(i) or cuts is None or cuts[i]

    windows: list[tuple[int, int]] = []
    start = 0
    while True:
        limit = min(start + size, n)
        end = next((i for i in range(limit, start, -1) if i == n or word_start(i)), None)  # whole words
        if end is None:  # the window is inside one long word: cut it between characters
            end = next((i for i in range(limit, start, -1) if cut(i)), None)
        if end is None:  # a character of more than ``size`` tokens
            end = next(i for i in range(limit + 1, n + 1) if cut(i))
        windows.append((start, end))
        if end == n:
            return windows
        first = max(end - overlap, start + 1)
        # begin the next window on a whole word, else (inside a long word) on a character
        start = next((i for i in range(first, end + 1) if word_start(i)), None) or next(i for i in range(first, end + 1) if cut(i))


def _extends(ch: str) -> bool:
    """True for a character that belongs to the one before it: a combining mark (Unicode categories
    Mn, Mc, Me: Thai vowel and tone marks, accents), a zero-width joiner or an emoji skin tone."""
    return unicodedata.category(ch) in ("Mn", "Mc", "Me") or ch == "\u200d" or "\U0001f3fb" <= ch <= "\U0001f3ff"


def character_start(text: str, pos: int) -> bool:
    """True when offset ``pos`` of ``text`` is between two user-perceived characters (a simplified
    Unicode grapheme cluster boundary, UAX #29 rules GB3, GB9, GB9a, GB11): not before a mark,
    joiner or skin tone, not after a joiner, not inside CR LF."""
    if pos <= 0 or pos >= len(text):
        return True
    return not (_extends(text[pos]) or text[pos - 1] == "\u200d" or text[pos - 1 : pos + 1] == "\r\n")


def character_span(text: str, c0: int, c1: int) -> tuple[int, int]:
    """``[c0, c1)`` widened to whole characters (``character_start``): a Thai consonant with the
    tone mark the tokenizer dropped, an emoji with its modifiers."""
    while not character_start(text, c0):
        c0 -= 1
    while not character_start(text, c1):
        c1 += 1
    return c0, c1


def token_cuts(text: str, offsets: list[tuple[int, int]]) -> list[bool]:
    """For each token, whether a window may start before it inside a word: it begins a new character
    (after the previous token's characters, at a ``character_start``), not a piece of one."""
    return [
        i == 0 or (offsets[i][0] >= offsets[i - 1][1] and character_start(text, offsets[i][0])) for i in range(len(offsets))
    ]


def chunk_text(text: str, tokenizer: Tokenizer, size: int, overlap: int) -> list[tuple[int, int, str]]:
    """(char_start, char_end, chunk) for each window over ``text``: never empty, never cutting a character."""
    enc = tokenizer.encode(text, add_special_tokens=False)
    kept = [i for i, (a, b) in enumerate(enc.offsets) if b > a]  # a token with no characters anchors nothing
    offsets = [enc.offsets[i] for i in kept]
    word_ids = [enc.word_ids[i] for i in kept]
    out = []
    for start, end in token_windows(word_ids, size, overlap, token_cuts(text, offsets)):
        c0, c1 = character_span(text, offsets[start][0], offsets[end - 1][1])
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
    columns: list[str] | None = None,
    source_name: str | None = None,
) -> dict[str, object]:
    """One row of the chunk table (see ``CHUNK_COLUMNS``); ``columns`` defaults to ``[column]``."""
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
        "columns": [column] if columns is None else list(columns),
        "source_name": source_name,
    }


# The dtypes of a chunk table (pandas' default string dtype for text, None for a missing label).
CHUNK_DTYPES = {
    "id": "str", "source_file": "str", "row_id": "str", "line": "int64", "column": "str", "chunk_index": "int64",
    "char_start": "int64", "char_end": "int64", "text": "str", "strategy": "str", "label": "object", "score": "float64", "columns": "object", "source_name": "str",
}  # fmt: skip


def chunk_table_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Chunk records -> DataFrame with stable dtypes (``CHUNK_DTYPES``), also when empty."""
    return pd.DataFrame(rows, columns=CHUNK_COLUMNS).astype(CHUNK_DTYPES)


@lru_cache(maxsize=1)
def chunk_arrow_schema() -> pa.Schema:
    """The Parquet schema of a chunk table, pandas metadata included: every batch of a file is
    written with it, so a file written batch by batch reads back (``pandas.read_parquet``) like
    one written whole, and a file with no chunk still has typed columns."""
    example = chunk_record("d/f.csv", "r", 2, "c", 0, 0, 1, "t", RAW, "label", 1.0, ["c"], "source")
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
