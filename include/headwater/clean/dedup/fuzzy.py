"""The two fuzzy dedup steps of one file: near-duplicate text and record linkage.

Both decide on the whole file, never on one batch: they declare ``needs_fit``, so the clean
runner (headwater.clean.runner) runs the steps before them over every batch, then calls ``fit``
with whole columns (file order) of the rows those steps kept; ``fit`` finds every duplicate of
the file (headwater.clean.dedup.matching), and ``apply`` then splits each batch by those
decisions. So the duplicates do not depend on the batch size. Called on a batch without ``fit``
(``run_steps`` on one table), a step decides on that batch alone.

Duplicates carry ``_duplicate_of`` and ``_cluster_id`` (the kept row: the leader rule makes it the
representative), ``_similarity``, ``_dedup_job``, ``_match_weight`` (linkage), ``_evidence`` and
``_agreed`` (headwater.clean.steps.base).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from abc import ABC, abstractmethod

import numpy as np
import pandas as pd
import pyarrow as pa

from headwater.clean.dedup.columns import ColumnRoles, Vetoes, decide_roles, pieces_of, row_count, rows_of
from headwater.clean.dedup.matching import VETO_REASONS, Matches, link, near_text, text_signatures
from headwater.clean.steps.base import (
    AGREED, CLUSTER_ID, DEDUP_JOB, DUPLICATE_OF, EVIDENCE, LINE, MATCH_WEIGHT, ROW_ID, SIMILARITY, StepOutput,
)
from headwater.config.dedup import DedupOptions


class _WholeFileStep(ABC):
    """Decide on whole columns in ``fit``; ``apply`` moves the decided rows of each batch to the duplicates."""

    name = ""
    job = ""

    def __init__(self, options: DedupOptions | None = None, declared: Mapping[str, str] | None = None) -> None:
        self.options = options if isinstance(options, DedupOptions) else DedupOptions()
        self.declared = dict(declared or {})
        self.roles: ColumnRoles | None = None
        self.found: Decisions | None = None  # line -> decision, for ``apply``
        self.stats: dict[str, int] = {}  # the last fit's candidate pairs and vetoed pairs by reason
        self._unreported = False  # the fit's counts are not yet in a batch's StepOutput.counts

    @property
    @abstractmethod
    def enabled(self) -> bool:
        """Whether the source's config turns this job on."""

    @property
    def needs_fit(self) -> bool:
        return self.enabled

    @abstractmethod
    def matches(self, columns: Mapping[str, pd.Series], roles: ColumnRoles) -> Matches:
        """The job's duplicates among the rows of ``columns`` (whole columns, file order)."""

    def fit(self, columns: Mapping[str, pd.Series]) -> None:
        """Find the file's duplicates from whole columns (file order), kept for ``apply``.

        Raises ValueError when a configured column is not in the data.
        """
        t = self.options.text
        columns = _Recent.of(columns)  # whole columns, a few at a time, or pieces of them: memory does not hold the whole file
        self.roles = decide_roles(columns, self.declared, t.columns, t.min_chars, t.min_words)
        found = self.matches(columns, self.roles)
        self.stats = {"candidate_pairs": found.candidates, **{f"vetoed_{reason}": n for reason, n in found.vetoed_by.items()}}
        self._unreported = True
        rows = found.duplicates
        # the line of each duplicate and the id of its partner, read for those rows only (rows_of: piece by piece)
        lines = rows_of(columns, LINE, rows).to_numpy(dtype=np.int64) if len(rows) else np.zeros(0, np.int64)
        partners, at = np.unique(found.partner[rows], return_inverse=True)
        row_ids = rows_of(columns, ROW_ID, partners).astype(str).to_numpy(dtype=object)[at] if len(rows) else []
        self.found = Decisions(lines, row_ids, found.similarity[rows], found.weight[rows],
                               [found.evidence[r] for r in rows.tolist()], [found.agreed[r] for r in rows.tolist()])

    def _counts(self) -> dict[str, int]:
        """The fit's pair counts (``stats``) for the first batch applied after it, zeros for the others:
        summed over batches (headwater.clean.runner), the manifest's ``clean_steps`` entry holds them once."""
        keys = ["candidate_pairs", *(f"vetoed_{reason}" for reason in VETO_REASONS)]
        if not self._unreported:
            return dict.fromkeys(keys, 0)
        self._unreported = False
        return {k: int(self.stats.get(k, 0)) for k in keys}

    def apply(self, df: pd.DataFrame) -> StepOutput:
        if not self.enabled:
            return StepOutput(df)
        if df.empty:
            return StepOutput(df, counts=self._counts())
        if self.found is None or getattr(self, "_per_batch", False):  # not fitted by the runner: this batch is the table
            self._per_batch = True
            self.fit({c: df[c].reset_index(drop=True) for c in df.columns})
        assert self.found is not None
        counts = self._counts()
        at = self.found.positions(df[LINE].to_numpy(dtype=np.int64))
        dup = at >= 0
        if not dup.any():
            return StepOutput(df, counts=counts)
        dups = df[dup].copy()
        decided = self.found.columns(at[dup])
        dups[DUPLICATE_OF] = decided[0]
        dups[CLUSTER_ID] = decided[0]
        dups[SIMILARITY] = decided[1]
        dups[DEDUP_JOB] = self.job
        dups[MATCH_WEIGHT] = decided[2]
        dups[EVIDENCE] = decided[3]
        dups[AGREED] = decided[4]
        return StepOutput(df[~dup], duplicates=dups, counts=counts)


class Decisions(Mapping[int, tuple]):
    """A fit's duplicates: line -> (partner row id, similarity, match weight, evidence, agreed columns), as arrays.

    Sorted by line: NumPy arrays for the lines and scores, an Arrow string array for the partner ids,
    and the evidence and agreed texts as codes into their distinct values (a few hundred: the scores
    are printed to two decimals). A dict of tuples cost about 300 bytes a duplicate in Python objects,
    which also pin the allocator's arenas; this costs about 40 (at a 32-character id) and no object per row.
    """

    def __init__(self, lines: np.ndarray, row_ids: Iterable[str], similarity: np.ndarray, weight: np.ndarray,
                 evidence: list[str | None], agreed: list[str | None]) -> None:
        """Per duplicate, in any order (``lines`` distinct): its line, its partner's id, its scores and texts."""
        order = np.argsort(np.asarray(lines, dtype=np.int64), kind="stable")
        self._lines = np.asarray(lines, dtype=np.int64)[order]
        self._ids = pa.array(list(row_ids), pa.string()).take(pa.array(order, pa.int64()))
        self._similarity = np.asarray(similarity, dtype=np.float64)[order]
        self._weight = np.asarray(weight, dtype=np.float64)[order]
        self._texts: list[tuple[np.ndarray, list[str | None]]] = []
        for values in (evidence, agreed):
            codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
            self._texts.append((np.asarray(codes, dtype=np.int32)[order], list(uniques)))

    def positions(self, lines: np.ndarray) -> np.ndarray:
        """Per line of ``lines``: its index among the decisions, -1 when it is no duplicate (int64 array)."""
        at = np.searchsorted(self._lines, lines)
        found = at < len(self._lines)
        found[found] = self._lines[at[found]] == lines[found]
        return np.where(found, at, -1)

    def columns(self, at: np.ndarray) -> tuple[list[str], list[float], list[float], list[str | None], list[str | None]]:
        """The decisions at indices ``at`` (``positions``) as lists: partner ids, similarities, weights, evidence, agreed."""
        texts = [[uniques[c] if c >= 0 else None for c in codes[at].tolist()] for codes, uniques in self._texts]
        return (self._ids.take(pa.array(at, pa.int64())).to_pylist(), self._similarity[at].tolist(), self._weight[at].tolist(),
                texts[0], texts[1])

    def __getitem__(self, line: int) -> tuple[str, float, float, str | None, str | None]:
        at = self.positions(np.array([line], dtype=np.int64))
        if at[0] < 0:
            raise KeyError(line)
        return tuple(column[0] for column in self.columns(at))  # type: ignore[return-value]

    def __iter__(self) -> Iterator[int]:
        return iter(self._lines.tolist())

    def __len__(self) -> int:
        return len(self._lines)


class _Recent(Mapping[str, pd.Series]):
    """A read-only view of whole columns that keeps only the last KEEP columns asked for, index reset.

    The runner's columns (headwater.clean.runner) are read from disk on each access; the fit asks
    for a column a few times in a row (roles, then vetoes, then text), so the few last ones are kept,
    and the whole file's columns never sit in memory together.
    """

    KEEP = 3

    def __init__(self, columns: Mapping[str, pd.Series]) -> None:
        self._columns = columns
        self._recent: dict[str, pd.Series] = {}

    @staticmethod
    def of(columns: Mapping[str, pd.Series]) -> _Recent:
        """The view for ``columns``: ``_RecentPieces`` when they can be read piece by piece (a ``pieces`` method)."""
        return _RecentPieces(columns) if hasattr(columns, "pieces") else _Recent(columns)

    def __getitem__(self, name: str) -> pd.Series:
        if name not in self._recent:
            series = pd.Series(self._columns[name]).reset_index(drop=True)
            if len(self._recent) >= self.KEEP:
                self._recent.pop(next(iter(self._recent)))
            self._recent[name] = series
        return self._recent[name]

    def __contains__(self, name: object) -> bool:
        return name in self._columns

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


class _RecentPieces(_Recent):
    """``_Recent`` over columns that are read piece by piece (the runner's spilled batches), keeping none:
    the roles read each value column whole once (headwater.clean.dedup.columns.decide_roles), and
    everything after them reads pieces (``pieces``: the signatures, the vetoes of the pairs above the
    threshold, the texts of candidate pairs, the fit's lines and ids; headwater.clean.dedup.columns.pieces_of),
    so at most one whole column is held, while the roles look at it."""

    def __getitem__(self, name: str) -> pd.Series:
        """The whole column, index reset, not kept: after the roles nothing asks for it again."""
        return pd.Series(self._columns[name]).reset_index(drop=True)

    @property
    def num_rows(self) -> int:
        """Rows of the table (headwater.clean.dedup.columns.row_count: from the source, nothing read)."""
        return row_count(self._columns, next(iter(self._columns)))

    def pieces(self, name: str) -> Iterator[pd.Series]:
        """Column ``name`` piece by piece, in row order, each indexed by its rows' positions in the table."""
        at = 0
        for piece in pieces_of(self._columns, name):
            piece = pd.Series(piece)
            piece.index = pd.RangeIndex(at, at + len(piece))
            at += len(piece)
            yield piece

    def piece_frames(self, names: list[str]) -> Iterator[pd.DataFrame] | None:
        """Columns ``names`` piece by piece as frames (headwater.clean.runner: one read a piece for all of them),
        indexed like ``pieces``; None when the columns cannot be read so (then read them by ``pieces``)."""
        frames = getattr(self._columns, "piece_frames", None)
        got = frames(names) if frames is not None else None
        return None if got is None else self._indexed(got)

    @staticmethod
    def _indexed(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        at = 0
        for frame in frames:
            frame.index = pd.RangeIndex(at, at + len(frame))
            at += len(frame)
            yield frame


class NearDuplicateText(_WholeFileStep):
    """Near-duplicate text: rows whose free text is a near copy (MinHash LSH, Jaccard estimate) of
    an earlier kept row's, and whose other columns agree (vetoes; ``dedup.may_differ`` excepted).

    The datatrove / text-dedup job (Broder 1997, "On the resemblance and containment of
    documents"; MinHash LSH as in Leskovec, Rajaraman & Ullman, "Mining of Massive Datasets", ch. 3).
    On by default; compares the schema's ``text`` columns, or without a schema the columns that
    read as prose, or ``dedup.text.columns``. A file without free text has nothing to compare.
    """

    name = "near_duplicate_text"
    job = "near_text"

    @property
    def enabled(self) -> bool:
        t = self.options.text
        if not t.enabled:
            return False
        if t.columns is not None:
            return bool(t.columns)
        return not self.declared or "text" in self.declared.values()

    def matches(self, columns: Mapping[str, pd.Series], roles: ColumnRoles) -> Matches:
        n = row_count(columns, LINE)
        text = list(roles.text)
        if not text:
            return Matches.none(n)
        exclude = set(self.options.may_differ)
        # read piece by piece: built in near_text for the rows of the pairs above the threshold only; else from the held columns
        make = Vetoes.deferred if hasattr(columns, "pieces") else Vetoes.build
        vetoes = make(columns, roles.vetoing(exclude), set(roles.numeric), self.options.linkage.numeric_tolerance)
        sig8, bands, valid = text_signatures(columns, text, self.options.text)
        return near_text(sig8, bands, valid, vetoes, self.options.text, text)


class RecordLinkage(_WholeFileStep):
    """Record linkage (entity resolution) over ``dedup.linkage.fields``: Fellegi-Sunter match
    weights from per-field comparison levels, blocking rules for candidate pairs, vetoes on every
    other column but free text and ``dedup.may_differ``. Off until ``dedup.linkage.fields`` is set.

    Sources: Fellegi & Sunter (1969); splink's comparison levels and EM training
    (https://moj-analytical-services.github.io/splink/); headwater.clean.dedup.fellegi_sunter.
    """

    name = "record_linkage"
    job = "linkage"

    def __init__(self, options: DedupOptions | None = None, declared: Mapping[str, str] | None = None,
                 identifiers: Iterable[str] = ()) -> None:
        """``identifiers``: the declared identifier columns (``identifier: true``); those in ``dedup.may_differ``
        may differ between two records of one entity only with an identifying field agreeing (matching.link)."""
        super().__init__(options, declared)
        self.identifiers = sorted(set(identifiers) & set(self.options.may_differ))

    @property
    def enabled(self) -> bool:
        return bool(self.options.linkage.fields)

    def matches(self, columns: Mapping[str, pd.Series], roles: ColumnRoles) -> Matches:
        n = len(columns[LINE])
        lk = self.options.linkage
        exclude = set(self.options.may_differ) | set(lk.fields)
        vetoes = Vetoes.build(columns, roles.vetoing(exclude), set(roles.numeric), lk.numeric_tolerance)
        ids = [c for c in self.identifiers if c in columns and c not in lk.fields]
        return link(columns, n, lk, vetoes, identifiers=Vetoes.build(columns, ids, set(roles.numeric)))
