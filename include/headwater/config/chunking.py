"""How text columns are chunked (YAML section ``chunking:`` of a source config): a strategy per column.

* ``raw``: token windows with overlap on the embedding model's tokenizer.
* ``keyword``: one window around each of the value's top keywords (gensim phrases + TF-IDF).
* ``heading``: one section per heading, long sections cut into raw windows.
* ``query``: raw windows, keeping the ``top_k`` most similar to configured queries.

The strategies themselves are headwater.chunk.strategies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from headwater.config.checks import check_choice, check_type
from headwater.config.text import TextColumnRule

RAW, KEYWORD, HEADING, QUERY = "raw", "keyword", "heading", "query"
STRATEGIES = (RAW, KEYWORD, HEADING, QUERY)
SECTION = "chunking"  # the key of these options in a source's YAML (the loader prefixes it to error keys)
STEMMERS = ("snowball", "porter", "none")
# nltk.stem.SnowballStemmer.languages (nltk 3.10); a test checks they agree.
LANGUAGES = (
    "arabic", "danish", "dutch", "english", "finnish", "french", "german", "hungarian", "italian",
    "norwegian", "porter", "portuguese", "romanian", "russian", "spanish", "swedish",
)


# Parameters that only one strategy reads, with their defaults.
_ONLY_FOR: dict[str, tuple[str, object]] = {
    "keywords": (KEYWORD, 3),
    "language": (KEYWORD, "english"),
    "stemmer": (KEYWORD, "snowball"),
    "phrase_min_count": (KEYWORD, 2),
    "phrase_threshold": (KEYWORD, 0.5),
    "max_heading_chars": (HEADING, 80),
    "queries": (QUERY, None),
    "top_k": (QUERY, 3),
    "min_similarity": (QUERY, 0.0),
}


def _meta(help_text: str) -> dict[str, str]:
    return {"help": help_text}


@dataclass
class ColumnChunking:
    """How one text column is chunked. Unset (None) parameters take their defaults."""

    strategy: str = field(default=RAW, metadata=_meta(f"One of {', '.join(STRATEGIES)}."))
    max_tokens: int | None = field(
        default=None, metadata=_meta("Max embedding-tokenizer tokens per chunk (>= 8). Default: HEADWATER_CHUNK_TOKENS.")
    )
    overlap: int | None = field(
        default=None,
        metadata=_meta(
            "Tokens shared by consecutive windows (raw, heading, query; keyword when a value has no keyword). "
            "Default: HEADWATER_CHUNK_OVERLAP, or max_tokens // 4 when that is not smaller than max_tokens."
        ),
    )
    keywords: int | None = field(default=None, metadata=_meta("keyword: keywords per value, one chunk centred on each (default 3)."))
    language: str | None = field(default=None, metadata=_meta("keyword: stopword and stemmer language (default english)."))
    stemmer: str | None = field(default=None, metadata=_meta(f"keyword: one of {', '.join(STEMMERS)} (default snowball)."))
    phrase_min_count: int | None = field(
        default=None, metadata=_meta("keyword: a word pair seen fewer times in the column is never a phrase (default 2).")
    )
    phrase_threshold: float | None = field(
        default=None, metadata=_meta("keyword: NPMI score in (-1, 1] above which a word pair is a phrase (default 0.5).")
    )
    max_heading_chars: int | None = field(
        default=None, metadata=_meta("heading: longest line that can be a heading without a markdown marker (default 80).")
    )
    queries: list[str] | None = field(default=None, metadata=_meta("query: texts to match chunks against (required)."))
    top_k: int | None = field(default=None, metadata=_meta("query: chunks kept per value, most similar first (default 3)."))
    min_similarity: float | None = field(
        default=None, metadata=_meta("query: drop chunks whose best cosine similarity is below this, in [-1, 1] (default 0).")
    )

    def __post_init__(self) -> None:
        check_choice("strategy", self.strategy, STRATEGIES)
        for name, (owner, default) in _ONLY_FOR.items():
            if getattr(self, name) is None:
                if owner == self.strategy:
                    setattr(self, name, default)
            elif owner != self.strategy:
                raise ValueError(f"{name}: only used by strategy {owner!r}, this column uses {self.strategy!r} — remove it")
        _check_int(self, "max_tokens", 8)
        _check_int(self, "overlap", 0)
        if self.max_tokens is not None and self.overlap is not None and self.overlap >= self.max_tokens:
            raise ValueError(f"overlap: {self.overlap} must be smaller than max_tokens ({self.max_tokens})")
        if self.strategy == KEYWORD:
            _check_int(self, "keywords", 1)
            _check_int(self, "phrase_min_count", 1)
            _check_number(self, "phrase_threshold", -1.0, 1.0, low_open=True)
            check_choice("language", self.language, LANGUAGES)
            check_choice("stemmer", self.stemmer, STEMMERS)
        if self.strategy == HEADING:
            _check_int(self, "max_heading_chars", 10)
        if self.strategy == QUERY:
            if isinstance(self.queries, str):
                self.queries = [self.queries]
            if not self.queries or not all(isinstance(q, str) and q.strip() for q in self.queries):
                raise ValueError("queries: strategy 'query' needs a non-empty list of non-blank query texts")
            _check_int(self, "top_k", 1)
            _check_number(self, "min_similarity", -1.0, 1.0)

    @classmethod
    def parse(cls, value: ColumnChunking | str | Mapping[str, Any]) -> ColumnChunking:
        """A ColumnChunking, a strategy name (``heading``) or a mapping of its fields."""
        if isinstance(value, ColumnChunking):
            return value
        if isinstance(value, str):
            return cls(strategy=value)
        if not isinstance(value, Mapping):
            raise ValueError(f"expected a strategy name or a mapping, got {type(value).__name__}")
        _reject_unknown(cls, value)
        return cls(**value)

    def window(self, default_tokens: int, default_overlap: int) -> tuple[int, int]:
        """(max_tokens, overlap) with unset values taken from the runtime settings."""
        size = self.max_tokens if self.max_tokens is not None else default_tokens
        if self.overlap is not None:
            return size, self.overlap
        return size, default_overlap if default_overlap < size else size // 4


@dataclass
class ChunkingOptions:
    """The ``chunking`` section of a source config: a strategy per text column.

    With no config every detected text column is chunked ``raw``, as before strategies existed.
    Column names are the curated (standardized / canonical) names.
    """

    default: ColumnChunking | str | dict = field(
        default_factory=ColumnChunking,
        metadata=_meta("Strategy (name or mapping) for detected text columns not listed in `columns`."),
    )
    columns: dict[str, ColumnChunking | str | dict] = field(
        default_factory=dict,
        metadata=_meta("Per-column strategy (name or mapping). A listed column is chunked even if not detected as text."),
    )
    detect: bool = field(
        default=True, metadata=_meta("Chunk detected free-text columns with `default`; false: only the listed columns.")
    )
    detect_min_chars: int = field(default=TextColumnRule.min_mean_chars, metadata=_meta("Text detection: mean characters per value."))
    detect_min_words: float = field(default=TextColumnRule.min_mean_words, metadata=_meta("Text detection: mean words per value."))

    def __post_init__(self) -> None:
        self.default = _parse_at("default", self.default)
        if not isinstance(self.columns, Mapping):
            raise ValueError("columns: expected a mapping of column name to strategy")
        self.columns = {str(c): _parse_at(f"columns.{c}", v) for c, v in self.columns.items()}
        check_type("detect", self.detect, bool, "true or false")
        for name in ("detect_min_chars", "detect_min_words"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{name}: expected a number >= 0, got {value!r}")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> ChunkingOptions:
        """Build from a YAML mapping, naming any unknown key (``ChunkingOptions(**m)`` would raise TypeError)."""
        mapping = mapping or {}
        _reject_unknown(cls, mapping)
        return cls(**mapping)


_FIELD_ERROR = re.compile(r"^[a-z_]+: ")


def _parse_at(key: str, value: object) -> ColumnChunking:
    try:
        return ColumnChunking.parse(value)  # type: ignore[arg-type]
    except ValueError as exc:
        # "strategy: ..." from a field check becomes "chunking.columns.body.strategy: ..."
        raise ValueError(f"{key}.{exc}" if _FIELD_ERROR.match(str(exc)) else f"{key}: {exc}") from None


def _reject_unknown(cls: type, mapping: Mapping[str, Any], prefix: str = "") -> None:
    known = [f.name for f in fields(cls)]
    for key in mapping:
        if key not in known:
            raise ValueError(f"{prefix}{key}: unknown key; expected one of {', '.join(known)}")


def _check_int(opts: object, name: str, minimum: int) -> None:
    value = getattr(opts, name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < minimum):
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")


def _check_number(opts: object, name: str, low: float, high: float, low_open: bool = False) -> None:
    value = getattr(opts, name)
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and (low < value if low_open else low <= value) and value <= high
    if not ok:
        raise ValueError(f"{name}: expected a number in {'(' if low_open else '['}{low}, {high}], got {value!r}")
