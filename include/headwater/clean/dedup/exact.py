"""Step: exact duplicates, by a 64-bit key of each row's normalized values in every data column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from headwater.clean.dedup.minhash import as_string, content_keys, hash_strings
from headwater.clean.steps.base import (
    AGREED, CLUSTER_ID, DEDUP_JOB, DUPLICATE_OF, EVIDENCE, MATCH_WEIGHT, RAW_SUFFIX, ROW_ID, SIMILARITY, StepOutput,
    LINE, MASKED_DIGEST, SOURCE, content_raw, is_value_column, masked_rows, spelled_missing,
)
from headwater.clean.steps.summary_rows import SummaryRows
from headwater.config.dedup import DedupOptions

APART_LINES = 10  # lines named in the kept_apart_by_na_spelling warning


def exact_keys(df: pd.DataFrame) -> np.ndarray:
    """A 64-bit key per row: its value columns (names included), plus the ``<col>__raw`` texts it has.

    A ``<col>__raw`` column exists only in the batches that needed one, so it is folded in per
    value present ("col__raw=text", hashed and added), never as a column: the key of a row does
    not depend on its batch. So rows are exact duplicates only as written: ``AB  12`` (kept in
    ``code__raw``, normalized to ``AB 12``) and ``AB 12`` get different keys. The one exception is
    a ``__raw`` whose ``<col>__reason`` names only encoding artefacts (``normalized: nfc``,
    ``normalized: trim``: headwater.clean.steps.base.ARTEFACT_KINDS): the same text, encoded
    differently, so it is left out. ``<col>__reason`` and ``<col>__imputed`` are not content.
    A row with a masked value (``masked_rows``: its original is not kept) also hashes in the keyed
    digest of what was hidden (``MASKED_DIGEST``): two rows that read ``mail [EMAIL]`` are equal only
    when they hid the same address. Without a digest (no key given), its file and line: it equals no other row.
    """
    return _keys(df)[0]


def _keys(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(``exact_keys``, the part of each key that the texts of missing values written as NA spellings or
    whitespace added: ``keys - part`` (mod 2**64) is the key the row would have with those cells written empty)."""
    keys = content_keys(df, [c for c in df.columns if is_value_column(c)])
    spelled = np.zeros(len(df), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in sorted(c for c in df.columns if not c.startswith("_") and c.endswith(RAW_SUFFIX)):
            arr = as_string(content_raw(df, col))
            present = pc.is_valid(arr).to_numpy(zero_copy_only=False)
            if present.any():
                named = pc.binary_join_element_wise(pa.scalar(col + "=", pa.large_string()), pc.fill_null(arr, ""), pa.scalar("", pa.large_string()))
                part = np.where(present, hash_strings(named), np.uint64(0))
                keys = keys + part
                spelled = spelled + np.where(spelled_missing(df, col[: -len(RAW_SUFFIX)]), part, np.uint64(0))
        masked = masked_rows(df)
        if masked.any() and LINE in df.columns:
            digest = df[MASKED_DIGEST].astype("string").tolist() if MASKED_DIGEST in df.columns else [None] * len(df)
            sources = df[SOURCE] if SOURCE in df.columns else [""] * len(df)
            where = pa.array([f"{MASKED_DIGEST}={d}" if isinstance(d, str) else f"{s}\x1f{int(n)}" for s, n, d in zip(sources, df[LINE], digest)],
                             pa.large_string())
            keys = keys + np.where(masked, hash_strings(where), np.uint64(0))
    return keys, spelled


class ExactDuplicates:
    """Keep the first occurrence of each identical normalized row; record the others as duplicates.

    Compared within the file, across its batches (the keys it kept are remembered); other files
    of the same canonical schema are compared by the date's link step (headwater.clean.link).

    ``totals``: the pipeline's summary-row step. Identical rows are no evidence of a duplicate
    delivery when the file's own summary row counts them: a till export with no transaction id
    repeats ``Coffee,1,3.50`` for three sales, and its ``Total,,,4,12.75`` sums all of them. So
    when a summary row of the batch (``SummaryRows.reconciled``: its summed rows all in the batch)
    reconciles with its rows as written but not with the rows this step would keep, the copies in
    its block are kept as curated records, counted (``kept_by_total``, present when not 0) and named in a
    warning (``warnings``: ``duplicates_kept_by_total``). When the rows less the copies still
    reconcile (the total was written over the merged rows), the copies are duplicates as usual.
    A block that began in an earlier batch is not reconsidered (its copies there are already written).

    Rows that differ only in how a missing value was written (``1,NA`` / ``1,`` / ``1,null``, or spaces:
    the text kept in ``<col>__raw``, reason ``na_spelling`` or ``blank``) are not exact duplicates, in
    text and typed columns alike: ``NA`` may be data (Namibia), and two exports that spell "missing"
    differently are not one record copied. They are counted (``kept_apart_by_na_spelling``: a row
    that would have been a copy of an earlier kept row with those cells written empty; present when
    not 0) and named in a warning (``warnings``).
    """

    name = "exact_duplicates"

    def __init__(self, options: DedupOptions | None = None, totals: SummaryRows | None = None) -> None:
        self.options = options if isinstance(options, DedupOptions) else DedupOptions()
        self.totals = totals
        self.kept_by_total: list[str] = []  # one warning per summary row whose counted copies were kept
        self._keys = np.zeros(0, dtype=np.uint64)  # sorted keys of the rows kept so far
        # their row ids in key order, UTF-8 bytes of a fixed width (a 32-hex id: 32 bytes, not a 90-byte str object)
        self._ids: np.ndarray = np.zeros(0, dtype="S1")
        self._spelled = np.zeros(0, dtype=np.uint64)  # sorted keys, missing spellings left out, of kept rows that had some
        self.apart = 0  # rows kept apart from an earlier one only by how a missing value was written
        self.apart_lines: list[int] = []  # the first APART_LINES of them

    def apply(self, df: pd.DataFrame) -> StepOutput:
        if not self.options.exact or df.empty:
            return StepOutput(df)
        df = df.reset_index(drop=True)
        keys, spelled = _keys(df)
        row_ids = df[ROW_ID].astype(str).to_numpy(dtype=object)
        first_pos = pd.Series(np.arange(len(df))).groupby(keys, sort=False).transform("first").to_numpy()
        partner = row_ids[first_pos]
        earlier = np.zeros(len(df), dtype=bool)
        if len(self._keys):
            at = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
            earlier = self._keys[at] == keys
            if earlier.any():
                partner = partner.copy()
                partner[earlier] = np.char.decode(self._ids[at[earlier]], "utf-8").astype(object)
        dup = (first_pos != np.arange(len(df))) | earlier
        apart = self._apart(df, keys, spelled, ~dup)
        kept_by_total = self._counted(df, dup)
        dup &= ~kept_by_total
        kept = ~dup
        order = np.argsort(keys[kept], kind="stable")
        at = np.searchsorted(self._keys, keys[kept][order])
        self._keys = np.insert(self._keys, at, keys[kept][order])
        new_ids = np.char.encode(row_ids[kept][order].astype(str), "utf-8") if kept.any() else np.zeros(0, dtype="S1")
        width = max(self._ids.dtype.itemsize, new_ids.dtype.itemsize)  # never narrower than an id: no id is cut
        self._ids = np.insert(self._ids.astype(f"S{width}"), at, new_ids.astype(f"S{width}"))
        dups = df[dup].copy()
        dups[DUPLICATE_OF] = partner[dup].tolist()
        dups[CLUSTER_ID] = partner[dup].tolist()
        dups[SIMILARITY] = 1.0
        dups[DEDUP_JOB] = "exact"
        dups[MATCH_WEIGHT] = np.nan
        dups[EVIDENCE] = "every data column equal"
        dups[AGREED] = None
        counts = {"kept_by_total": int(kept_by_total.sum())} if kept_by_total.any() else {}
        if apart:
            counts["kept_apart_by_na_spelling"] = apart
        return StepOutput(df[kept], duplicates=dups, counts=counts)

    def _apart(self, df: pd.DataFrame, keys: np.ndarray, spelled: np.ndarray, new: np.ndarray) -> int:
        """Rows among ``new`` (bool per row: no exact copy before them) whose key with missing spellings left out
        (``keys - spelled``) is an earlier new row's, or an earlier batch's kept row's: counted, and their lines noted."""
        with np.errstate(over="ignore"):
            loose = keys - spelled
        at = np.flatnonzero(new)
        first = pd.Series(at).groupby(loose[at], sort=False).transform("first").to_numpy()
        hit = np.zeros(len(df), dtype=bool)
        hit[at] = first != at
        for known in (self._keys, self._spelled):
            if len(known):
                where = np.minimum(np.searchsorted(known, loose), len(known) - 1)
                hit |= new & (known[where] == loose)
        has = new & (spelled != 0)
        if has.any():
            self._spelled = np.sort(np.concatenate([self._spelled, loose[has]]))
        count = int(hit.sum())
        if count:
            self.apart += count
            if LINE in df.columns and len(self.apart_lines) < APART_LINES:
                self.apart_lines += [int(n) for n in df[LINE].to_numpy()[hit][: APART_LINES - len(self.apart_lines)]]
        return count

    def _counted(self, df: pd.DataFrame, dup: np.ndarray) -> np.ndarray:
        """Bool per row: a copy (``dup``) that a summary row of the batch counts (class docstring); warns once per summary row."""
        out = np.zeros(len(df), dtype=bool)
        if self.totals is None or not dup.any() or LINE not in df.columns:
            return out
        lines = df[LINE].to_numpy()
        for found in self.totals.reconciled:
            block = np.isin(lines, np.fromiter(found.lines, dtype=np.int64, count=len(found.lines)))
            copies = block & dup
            if not copies.any() or found.reconciles(df[block & ~dup]):
                continue
            out |= copies
            sums = ", ".join(f"{c}={v}" for c, (v, _) in found.totals.items())
            self.kept_by_total.append(
                f"duplicates_kept_by_total: line {found.line}: summary row {found.label.strip()!r} ({sums}) counts "
                f"{int(copies.sum())} identical row(s) (lines {', '.join(str(int(n)) for n in lines[copies])}) as records: "
                "kept as curated, not merged"
            )
        return out

    def warnings(self) -> list[str]:
        """One line per summary row whose total kept identical rows as records (``duplicates_kept_by_total``), and
        one for the rows kept apart only by how a missing value was written (``kept_apart_by_na_spelling``)."""
        lines = list(self.kept_by_total)
        if self.apart:
            more = " ..." if self.apart > len(self.apart_lines) else ""
            lines.append(
                f"kept_apart_by_na_spelling: {self.apart} row(s) (lines {', '.join(map(str, self.apart_lines))}{more}) equal an "
                "earlier row but for how a missing value was written (NA, null, blank, spaces; the text kept in <col>__raw, "
                "reason na_spelling or blank): kept as curated records, not exact duplicates"
            )
        return lines
