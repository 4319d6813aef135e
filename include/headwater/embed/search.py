"""Searching the vector store: filters a user can steer, and vector-only or hybrid retrieval.

* **Filters** (``SearchFilter``): by source (the source config's name), landing file, landing
  date (a range) and column (a chunk's column, or a column a row document shows). They become
  one LanceDB SQL filter applied before each search, so k results come back whenever k rows
  pass; every hit is checked against the same filter again in Python (``accepts``), because
  filtered full-text search has had bugs that let other rows through (lancedb#1656, #2649).
* **Vector-only**: the k nearest rows by cosine similarity (``VectorStore.search``).
* **Hybrid**: the ``depth`` nearest rows by vector and the ``depth`` best by BM25 over the
  full-text index (``VectorStore.text_search``), fused by Reciprocal Rank Fusion: a row scores
  ``sum over both lists of 1 / (RRF_K + rank)`` (rank from 1; a list it is not in adds nothing).
  Cormack, Clarke & Büttcher, "Reciprocal rank fusion outperforms Condorcet and individual rank
  learning methods", SIGIR 2009, with their k = 60. The fusion is done here rather than with
  LanceDB's hybrid query builder, whose prefilter flag was inverted with a filter (lancedb#3095).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from headwater.embed.store import Hit, VectorStore, date_of

RRF_K = 60  # Cormack, Clarke & Büttcher 2009
DEPTH = 50  # rows taken from each list before fusing (at least 4 k)


def _sql_list(values: Sequence[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


@dataclass(frozen=True)
class SearchFilter:
    """Which rows a search may return; an empty field does not filter. Dates are ``YYYY-MM-DD``, inclusive."""

    sources: tuple[str, ...] = ()  # source config names (SourceConfig.name; "default" for files no source claims)
    files: tuple[str, ...] = ()  # landing file names as in the run report (a zip member: <archive>/<member>)
    date_from: str | None = None
    date_to: str | None = None
    columns: tuple[str, ...] = ()  # a chunk's column, or a column a row document shows

    def where(self) -> str | None:
        """The filter as LanceDB SQL (DataFusion), or None when nothing is filtered.

        ``source_file`` is ``<YYYY-MM-DD>/<file name>``: its first 10 characters are the date, and it
        is the file's when it equals its first 11 characters followed by the file name (Lance's SQL
        has ``left`` and ``concat``, not ``substr``).
        """
        parts = []
        if self.sources:
            parts.append(f"source_name IN ({_sql_list(self.sources)})")
        if self.files:
            parts.append(" OR ".join(f"concat(left(source_file, 11), {_sql_list([f])}) = source_file" for f in self.files))
        if self.date_from:
            parts.append(f"left(source_file, 10) >= {_sql_list([self.date_from])}")
        if self.date_to:
            parts.append(f"left(source_file, 10) <= {_sql_list([self.date_to])}")
        if self.columns:
            parts.append(f"array_has_any(columns, [{_sql_list(self.columns)}])")
        return " AND ".join(f"({p})" for p in parts) or None

    def accepts(self, hit: Hit) -> bool:
        """The same filter, on one hit."""
        date = date_of(hit.source_file)
        return (
            (not self.sources or hit.source_name in self.sources)
            and (not self.files or hit.source_file[len(date) + 1 :] in self.files)
            and (not self.date_from or date >= self.date_from)
            and (not self.date_to or date <= self.date_to)
            and (not self.columns or any(c in self.columns for c in hit.columns))
        )


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Hit]], k: int, rrf_k: int = RRF_K) -> list[Hit]:
    """The ``k`` best hits of several rankings (each best first) by Reciprocal Rank Fusion (module docstring).

    A hit's score becomes its fused score; ties go to the better best rank, then to the id, so the
    order never depends on anything but the rankings. The first ranking a hit appears in gives its fields.
    """
    fused: dict[str, float] = {}
    best: dict[str, int] = {}
    first: dict[str, Hit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, 1):
            fused[hit.id] = fused.get(hit.id, 0.0) + 1.0 / (rrf_k + rank)
            best[hit.id] = min(best.get(hit.id, rank), rank)
            first.setdefault(hit.id, hit)
    order = sorted(fused, key=lambda i: (-fused[i], best[i], i))[:k]
    return [replace(first[i], score=fused[i]) for i in order]


def search(
    store: VectorStore, query: str, vector: np.ndarray, k: int = 5, where: SearchFilter = SearchFilter(), hybrid: bool = False, depth: int = DEPTH
) -> list[Hit]:
    """The ``k`` best hits for ``query`` (``vector``: its embedding, L2-normalized), best first.

    Vector-only: score = cosine similarity. ``hybrid``: vector and full-text rankings of
    ``max(depth, 4 k)`` rows each, fused by rank (score = RRF score). Builds the full-text index
    the first time ``hybrid`` is asked for (``VectorStore.ensure_text_index``).
    """
    sql = where.where()
    if hybrid:
        n = max(depth, 4 * k)
        hits = reciprocal_rank_fusion([store.search(vector, n, sql), store.text_search(query, n, sql)], n)
    else:
        hits = store.search(vector, k, sql)
    return [h for h in hits if where.accepts(h)][:k]
