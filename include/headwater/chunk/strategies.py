"""Chunking strategies, selectable per text column: raw, keyword, heading, query.

* ``raw``: token windows with overlap on the embedding model's tokenizer (headwater.chunk.windows).
* ``keyword``: one window around each of the value's top keywords (gensim phrases +
  TF-IDF fitted on the column, headwater.chunk.nlp), centred on it or starting at the sentence
  that holds it; keywords that fall in one window share it.
* ``heading``: one section per heading (markdown ``#``/setext, numbered, ALL CAPS or a
  short title line), long sections cut into raw windows.
* ``query``: raw windows, of which the ``top_k`` most similar to the configured queries
  (embedding model, loaded only when a column uses this strategy) are kept.

Every chunk is an exact slice ``value[char_start:char_end]`` of the *cleaned* value, and
keeps source file, row id, line, column, strategy and what anchored it (``label``).

Headings are found on the cleaned text, not on the raw staging value: the offsets must
point into the cleaned value anyway, and NormalizeText's HTML stripper puts every block
element (``<h1>``..``<h6>``, ``<p>``, ``<li>``) on its own line, so an HTML heading
survives as a short standalone line that the heading-line rules pick up. Reading the
staging value instead would mean aligning raw and cleaned text through ftfy, entity
decoding and tag removal, and coupling this stage to the staging layout.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from tokenizers import Tokenizer

from headwater.chunk.nlp import KeywordExtractor, sentence_spans
from headwater.chunk.windows import character_span, chunk_text, same_word
from headwater.config.chunking import HEADING, KEYWORD, QUERY, RAW, ColumnChunking

Embedder = Callable[[list[str]], np.ndarray]  # texts -> L2-normalized vectors, one row per text
Span = tuple[int, int, str | None, float | None]  # char_start, char_end, label, score


class Chunker(Protocol):
    strategy: str
    column_wide: bool  # True: ``fit`` must see the whole column before ``chunk_values`` is called batch by batch

    def fit(self, texts: Iterable[str]) -> None:
        """Learn column-wide statistics from every value of the column (read twice at most, in order).

        Only strategies with ``column_wide`` need it (keyword: phrases and IDF); for the others it does nothing.
        """
        ...

    def chunk_values(self, texts: list[str]) -> list[list[Span]]:
        """Spans of each text. Called once per batch of the column; a value's spans depend only
        on the value and what ``fit`` learned, so any split of the column into batches gives the same spans."""
        ...


class PerValue:
    """Mixin of the strategies that look at one value at a time: nothing to fit."""

    column_wide = False

    def fit(self, texts: Iterable[str]) -> None:
        """Nothing to learn from the column."""


def _windows(text: str, tokenizer: Tokenizer, size: int, overlap: int, base: int = 0, label: str | None = None) -> list[Span]:
    return [(base + c0, base + c1, label, None) for c0, c1, _ in chunk_text(text, tokenizer, size, overlap)]


@dataclass
class RawChunker(PerValue):
    """Overlapping token windows over the whole value (the behaviour before strategies existed)."""

    tokenizer: Tokenizer
    size: int
    overlap: int
    strategy: str = RAW

    def chunk_values(self, texts: list[str]) -> list[list[Span]]:
        return [_windows(t, self.tokenizer, self.size, self.overlap) for t in texts]


def centred_window(
    word_ids: list[int | None], tok_first: int, tok_last: int, size: int, sentence_starts: list[int] = ()
) -> tuple[int, int]:
    """Token window [start, end) of at most ``size`` tokens around tokens ``tok_first..tok_last``.

    Centred, shifted inside the text near its ends, moved forward to the first sentence start
    (token index) before the keyword if one falls in the window, and never cutting a word in two.
    """
    n = len(word_ids)
    centre = (tok_first + tok_last) // 2
    start = max(0, min(centre - size // 2, n - size))
    start = next((s for s in sorted(sentence_starts) if start <= s <= tok_first), start)
    while start < tok_first and same_word(word_ids, start):
        start += 1
    end = min(start + size, n)
    while end > tok_last + 1 and same_word(word_ids, end):
        end -= 1
    return start, end


@dataclass
class KeywordChunker:
    """A window centred on the first occurrence of each of a value's top keywords.

    Keywords are fitted on the whole column (phrases and IDF), so a term common to every
    value ranks below one that sets this value apart. A value with no keyword (only
    stopwords or numbers) falls back to raw windows, with no label, so nothing goes unembedded.
    Call ``fit`` with the whole column (it may stream) before chunking it batch by batch;
    without it, ``chunk_values`` fits on the texts it is given (one call = the whole column).
    """

    tokenizer: Tokenizer
    size: int
    overlap: int
    keywords: int = 3
    language: str = "english"
    stemmer: str = "snowball"
    phrase_min_count: int = 2
    phrase_threshold: float = 0.5
    strategy: str = KEYWORD
    column_wide = True
    extractor: KeywordExtractor | None = field(default=None, repr=False, compare=False)  # set by ``fit``

    def fit(self, texts: Iterable[str]) -> None:
        """Fit phrases and IDF on every value of the column (see ``KeywordExtractor.fit``)."""
        self.extractor = KeywordExtractor(self.language, self.stemmer, self.phrase_min_count, self.phrase_threshold).fit(texts)

    def chunk_values(self, texts: list[str]) -> list[list[Span]]:
        extractor = self.extractor or KeywordExtractor(self.language, self.stemmer, self.phrase_min_count, self.phrase_threshold).fit(texts)
        return [self._chunk(t, extractor) for t in texts]

    def _chunk(self, text: str, extractor: KeywordExtractor) -> list[Span]:
        top = extractor.top(text, self.keywords)
        if not top:
            return _windows(text, self.tokenizer, self.size, self.overlap)
        enc = self.tokenizer.encode(text, add_special_tokens=False)
        offsets, word_ids = list(enc.offsets), list(enc.word_ids)
        starts, ends = [a for a, _ in offsets], [b for _, b in offsets]  # both ascending
        sentence_chars = {a for a, _ in sentence_spans(text)}
        sentence_starts = [i for i, (a, _) in enumerate(offsets) if a in sentence_chars]
        chosen: list[tuple[int, int, list[str], float]] = []  # char_start, char_end, keywords, best score
        for kw in top:
            k0, k1 = kw.spans[0]
            home = next((c for c in chosen if c[0] <= k0 and k1 <= c[1]), None)
            if home is not None:  # already inside a chosen window: share it
                home[2].append(kw.term)
                continue
            first, last = bisect_right(ends, k0), bisect_left(starts, k1) - 1  # tokens overlapping the keyword
            if first > last:  # the tokenizer dropped these characters: nothing to centre on
                continue
            t0, t1 = centred_window(word_ids, first, last, self.size, sentence_starts)
            chosen.append((*character_span(text, offsets[t0][0], offsets[t1 - 1][1]), [kw.term], kw.score))
        return [(c0, c1, ", ".join(terms), round(score, 6)) for c0, c1, terms, score in sorted(chosen)]


_ATX = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_UNDERLINE = re.compile(r"^(=+|-+)[ \t]*$")
_NUMBERED = re.compile(r"^(\d+(\.\d+)*[.)]?|[IVXLC]+\.)[ \t]+\S")
_BULLET = re.compile(r"^([-*+\u2022\u2013]|\d+[.)])[ \t]")
_SENTENCE_END = (".", ",", ";", "!", "?")


@dataclass(frozen=True)
class Heading:
    start: int  # offset of the heading line
    end: int  # end of the heading line (of the underline for setext headings)
    title: str


def find_headings(text: str, max_chars: int = 80) -> list[Heading]:
    """Headings of a cleaned value, line by line.

    Markdown ``#`` lines and setext underlines always count. Otherwise a line is a heading
    when it is short (``max_chars``, 12 words), starts with a capital or a section number,
    does not end like a sentence (``.,;!?``), is not a bullet, and neither the line before
    nor the line after is such a short line — so address blocks and lists of names are not headings.
    """
    lines: list[tuple[int, int, str]] = []  # start, end, stripped content
    pos = 0
    for raw in text.split("\n"):
        lines.append((pos, pos + len(raw), raw.strip()))
        pos += len(raw) + 1
    nonblank = [ln for ln in lines if ln[2]]

    def title_like(s: str) -> bool:
        if not s or len(s) > max_chars or len(s.split()) > 12 or s.endswith(_SENTENCE_END) or _BULLET.match(s):
            return False
        if _UNDERLINE.match(s) or not any(ch.isalpha() for ch in s):
            return False
        return s[0].isupper() or bool(_NUMBERED.match(s))

    out: list[Heading] = []
    skip_next = False
    for k, (start, end, s) in enumerate(nonblank):
        if skip_next:
            skip_next = False
            continue
        nxt = nonblank[k + 1][2] if k + 1 < len(nonblank) else None
        prev = nonblank[k - 1][2] if k else ""
        if m := _ATX.match(s):
            out.append(Heading(start, end, m.group(2).strip()))
        elif nxt is not None and _UNDERLINE.match(nxt) and len(nxt) >= 3 and not _BULLET.match(s):
            out.append(Heading(start, nonblank[k + 1][1], s))
            skip_next = True
        elif nxt is not None and title_like(s) and not title_like(nxt) and not _ATX.match(nxt) and not title_like(prev):
            out.append(Heading(start, end, s.rstrip(":").strip()))
    return out


def sections(text: str, max_heading_chars: int = 80) -> list[tuple[int, int, str | None]]:
    """(start, end, heading path) per section; a heading with no body joins the next one ("A > B")."""
    heads = find_headings(text, max_heading_chars)
    out: list[tuple[int, int, str | None]] = []
    if not heads or text[: heads[0].start].strip():
        out.append((0, heads[0].start if heads else len(text), None))
    pending: list[Heading] = []
    for k, h in enumerate(heads):
        stop = heads[k + 1].start if k + 1 < len(heads) else len(text)
        pending.append(h)
        if text[h.end : stop].strip() or k + 1 == len(heads):
            out.append((pending[0].start, stop, " > ".join(p.title for p in pending)))
            pending = []
    return [(a, a + len(text[a:b].rstrip()), label) for a, b, label in out if text[a:b].strip()]


@dataclass
class HeadingChunker(PerValue):
    """One chunk per section starting at its heading line; sections longer than the window are cut into raw windows."""

    tokenizer: Tokenizer
    size: int
    overlap: int
    max_heading_chars: int = 80
    strategy: str = HEADING

    def chunk_values(self, texts: list[str]) -> list[list[Span]]:
        return [self._chunk(t) for t in texts]

    def _chunk(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for a, b, label in sections(text, self.max_heading_chars):
            spans.extend(_windows(text[a:b], self.tokenizer, self.size, self.overlap, base=a, label=label))
        return spans


@dataclass
class QueryChunker(PerValue):
    """Raw windows, keeping per value the ``top_k`` most similar to any query (cosine, embedding model).

    Values with no window at ``min_similarity`` or above get no chunk: this strategy filters
    on purpose (the row itself stays in the curated table).
    """

    tokenizer: Tokenizer
    size: int
    overlap: int
    queries: list[str]
    embed: Embedder
    top_k: int = 3
    min_similarity: float = 0.0
    strategy: str = QUERY

    def chunk_values(self, texts: list[str]) -> list[list[Span]]:
        candidates = [_windows(t, self.tokenizer, self.size, self.overlap) for t in texts]
        flat = [t[a:b] for t, spans in zip(texts, candidates) for a, b, _, _ in spans]
        if not flat:
            return [[] for _ in texts]
        sims = self.embed(flat) @ self.embed(list(self.queries)).T  # normalized vectors: dot = cosine
        best, which = sims.max(axis=1), sims.argmax(axis=1)
        out: list[list[Span]] = []
        first = 0  # row of this value's first window in ``sims``
        for spans in candidates:
            rows = range(first, first + len(spans))
            first += len(spans)
            passing = [r for r in rows if best[r] >= self.min_similarity]
            kept = sorted(sorted(passing, key=lambda r: (-best[r], r))[: self.top_k])  # top_k, then text order
            out.append([(*spans[r - rows.start][:2], self.queries[int(which[r])], round(float(best[r]), 6)) for r in kept])
        return out


def build_chunker(
    opts: ColumnChunking, tokenizer: Tokenizer, default_tokens: int, default_overlap: int, embed: Embedder | None = None
) -> Chunker:
    """Config -> the strategy object that applies it."""
    size, overlap = opts.window(default_tokens, default_overlap)
    if opts.strategy == RAW:
        return RawChunker(tokenizer, size, overlap)
    if opts.strategy == KEYWORD:
        return KeywordChunker(
            tokenizer, size, overlap, opts.keywords, opts.language, opts.stemmer, opts.phrase_min_count, opts.phrase_threshold
        )  # type: ignore[arg-type]
    if opts.strategy == HEADING:
        return HeadingChunker(tokenizer, size, overlap, opts.max_heading_chars)  # type: ignore[arg-type]
    if embed is None:
        raise ValueError("strategy 'query' needs an embedding function (embed=...)")
    return QueryChunker(tokenizer, size, overlap, list(opts.queries or []), embed, opts.top_k, opts.min_similarity)  # type: ignore[arg-type]
