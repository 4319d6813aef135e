"""How text columns are chunked (YAML section ``chunking:`` of a source config): a strategy per column.

* ``raw``: token windows with overlap on the embedding model's tokenizer.
* ``keyword``: one window around each of the value's top keywords (gensim phrases + TF-IDF).
* ``heading``: one section per heading, long sections cut into raw windows.
* ``query``: raw windows, keeping the ``top_k`` most similar to configured queries.

A column's chunking is a strategy name (``body: heading``) or a mapping of ColumnChunking
fields. A parameter only one strategy reads says so in its field (``only_for``) with the
default it takes for that strategy; given to another strategy it is an error.
The strategies themselves are headwater.chunk.strategies.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from headwater.config.base import ConfigModel, Strings, strategy_shorthand
from headwater.config.settings import env_name
from headwater.config.text import TextColumnRule

Strategy = Literal["raw", "keyword", "heading", "query"]
RAW, KEYWORD, HEADING, QUERY = typing.get_args(Strategy)
STRATEGIES: tuple[str, ...] = typing.get_args(Strategy)
SECTION = "chunking"  # the key of these options in a source's YAML (the loader prefixes it to error keys)
Stemmer = Literal["snowball", "porter", "none"]
STEMMERS: tuple[str, ...] = typing.get_args(Stemmer)
# nltk.stem.SnowballStemmer.languages (nltk 3.10); a test checks they agree.
Language = Literal[
    "arabic", "danish", "dutch", "english", "finnish", "french", "german", "hungarian", "italian",
    "norwegian", "porter", "portuguese", "romanian", "russian", "spanish", "swedish",
]
LANGUAGES: tuple[str, ...] = typing.get_args(Language)


def _only_for(strategy: str, default: Any) -> dict[str, Any]:
    """Field metadata of a parameter only ``strategy`` reads, and the default it takes there."""
    return {"only_for": strategy, "strategy_default": default}


class ColumnChunking(ConfigModel):
    """How one text column is chunked. Parameters of the column's strategy left unset take their defaults."""

    strategy: Strategy = Field(default=RAW, description="raw windows, keyword-centred windows, heading sections or query-filtered windows.")
    max_tokens: int | None = Field(
        default=None, ge=8, description="Max embedding-tokenizer tokens per chunk.", json_schema_extra={"shown_default": env_name("chunk_tokens")}
    )
    overlap: int | None = Field(
        default=None, ge=0, description="Tokens shared by consecutive windows.",
        json_schema_extra={"shown_default": f"{env_name('chunk_overlap')}, or max_tokens // 4 when that is not smaller"},
    )
    keywords: int | None = Field(default=None, ge=1, description="Keywords per value, one chunk centred on each.", json_schema_extra=_only_for(KEYWORD, 3))
    language: Language | None = Field(default=None, description="Stopword and stemmer language.", json_schema_extra=_only_for(KEYWORD, "english"))
    stemmer: Stemmer | None = Field(default=None, description="Stemmer that folds word forms.", json_schema_extra=_only_for(KEYWORD, "snowball"))
    phrase_min_count: int | None = Field(
        default=None, ge=1, description="A word pair seen fewer times in the column is never a phrase.", json_schema_extra=_only_for(KEYWORD, 2)
    )
    phrase_threshold: float | None = Field(
        default=None, gt=-1, le=1, description="NPMI score above which a word pair is a phrase.", json_schema_extra=_only_for(KEYWORD, 0.5)
    )
    max_heading_chars: int | None = Field(
        default=None, ge=10, description="Longest line that can be a heading without a markdown marker.", json_schema_extra=_only_for(HEADING, 80)
    )
    queries: Strings | None = Field(
        default=None, description="Texts to match chunks against (one string is a list of one).", json_schema_extra=_only_for(QUERY, None)
    )
    top_k: int | None = Field(default=None, ge=1, description="Chunks kept per value, most similar first.", json_schema_extra=_only_for(QUERY, 3))
    min_similarity: float | None = Field(
        default=None, ge=-1, le=1, description="Chunks whose best cosine similarity is below this are dropped.", json_schema_extra=_only_for(QUERY, 0.0)
    )

    @model_validator(mode="after")
    def _strategy_parameters(self) -> ColumnChunking:
        for name, (owner, default) in only_for().items():
            if getattr(self, name) is None:
                if owner == self.strategy:
                    setattr(self, name, default)
            elif owner != self.strategy:
                raise ValueError(f"{name}: only used by strategy {owner!r}, this column uses {self.strategy!r} — remove it")
        if self.max_tokens is not None and self.overlap is not None and self.overlap >= self.max_tokens:
            raise ValueError(f"overlap: {self.overlap} must be smaller than max_tokens ({self.max_tokens})")
        if self.strategy == QUERY and (not self.queries or not all(q.strip() for q in self.queries)):
            raise ValueError("queries: strategy 'query' needs a non-empty list of non-blank query texts")
        return self

    def window(self, default_tokens: int, default_overlap: int) -> tuple[int, int]:
        """(max_tokens, overlap) with unset values taken from the runtime settings."""
        size = self.max_tokens if self.max_tokens is not None else default_tokens
        if self.overlap is not None:
            return size, self.overlap
        return size, default_overlap if default_overlap < size else size // 4


def only_for() -> dict[str, tuple[str, Any]]:
    """Parameters that only one strategy reads: name -> (strategy, its default there), from the fields' metadata."""
    return {
        name: (extra["only_for"], extra["strategy_default"])
        for name, field in ColumnChunking.model_fields.items()
        if isinstance(extra := field.json_schema_extra, dict) and "only_for" in extra
    }


# A column's chunking as YAML writes it: a strategy name or a mapping of ColumnChunking fields.
ChunkingEntry = Annotated[ColumnChunking, BeforeValidator(strategy_shorthand(ColumnChunking), json_schema_input_type=Strategy | ColumnChunking)]


def _column_mapping(value: Any) -> Any:
    if not isinstance(value, Mapping):
        raise ValueError(f"expected a mapping of column name to strategy, got {value!r}")  # noqa: TRY004 - pydantic reports ValueError only
    return {str(k): v for k, v in value.items()}


class ChunkingOptions(ConfigModel):
    """Which text columns are chunked, and with which strategy.

    With no config every detected text column is chunked ``raw``, as before strategies existed.
    Column names are the curated (standardized / canonical) names.
    """

    default: ChunkingEntry = Field(default_factory=ColumnChunking, description="Chunking of detected text columns not listed in columns.")
    columns: Annotated[dict[str, ChunkingEntry], BeforeValidator(_column_mapping, json_schema_input_type=dict[str, ChunkingEntry])] = Field(
        default_factory=dict, description="Per-column chunking (strategy name or mapping); a listed column is chunked even if not detected as text."
    )
    detect: bool = Field(default=True, description="Chunk detected free-text columns with default; false: only the listed columns.")
    detect_min_chars: float = Field(default=TextColumnRule().min_mean_chars, ge=0, description="Text detection: mean characters per value.")
    detect_min_words: float = Field(default=TextColumnRule().min_mean_words, ge=0, description="Text detection: mean words per value.")
