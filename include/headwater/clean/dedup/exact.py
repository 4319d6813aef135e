"""Step: exact duplicates, by a 64-bit key of each row's normalized values in every data column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from headwater.clean.dedup.minhash import content_keys, hash_strings
from headwater.clean.steps.base import (
    AGREED, CLUSTER_ID, DEDUP_JOB, DUPLICATE_OF, EVIDENCE, MATCH_WEIGHT, RAW_SUFFIX, ROW_ID, SIMILARITY, StepOutput,
    LINE, MASKED_DIGEST, SOURCE, content_raws, is_value_column, masked_rows, spelled_missings,
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
    n = len(df)
    raws = sorted(c for c in df.columns if not c.startswith("_") and c.endswith(RAW_SUFFIX))
    with np.errstate(over="ignore"):
        if raws and n:
            # every __raw column at once: "col__raw=text" stacked column after column, hashed in one call; a row's
            # key adds the parts of the values it has (addition mod 2**64: the order of the columns does not matter)
            texts = content_raws(df, raws)
            stacked = pa.concat_arrays([texts[c] for c in raws])
            present = pc.is_valid(stacked).to_numpy(zero_copy_only=False)
            # only the values present are named and hashed (a missing one adds 0): most cells of a __raw are empty
            at = np.flatnonzero(present)
            names = pa.array([c + "=" for c in raws], pa.large_string()).take(pa.array(at // n))
            named = pc.binary_join_element_wise(names, stacked.take(pa.array(at)), pa.scalar("", pa.large_string()))
            part = np.zeros(len(raws) * n, dtype=np.uint64)
            part[at] = hash_strings(named)
            part = part.reshape(len(raws), n)
            keys = keys + part.sum(axis=0, dtype=np.uint64)
            spelled = spelled + np.where(spelled_missings(df, [c[: -len(RAW_SUFFIX)] for c in raws]), part, np.uint64(0)).sum(axis=0, dtype=np.uint64)
        masked = masked_rows(df)
        if masked.any() and LINE in df.columns:
            at = np.flatnonzero(masked)  # only the masked rows' keys change: their tags alone are built and hashed
            digest = df[MASKED_DIGEST].iloc[at].astype("string").tolist() if MASKED_DIGEST in df.columns else [None] * len(at)
            sources = df[SOURCE].iloc[at].tolist() if SOURCE in df.columns else [""] * len(at)
            where = pa.array([f"{MASKED_DIGEST}={d}" if isinstance(d, str) else f"{s}\x1f{int(n)}"
                              for s, n, d in zip(sources, df[LINE].iloc[at].tolist(), digest)], pa.large_string())
            keys[at] = keys[at] + hash_strings(where)
    return keys, spelled


HELD_COPIES_MAX = 100_000  # copies a later summary row may still count, held at most (the oldest beyond it: duplicates)


class ExactDuplicates:
    """Keep the first occurrence of each identical normalized row; record the others as duplicates.

    Compared within the file, across its batches (the keys it kept are remembered); other files
    of the same canonical schema are compared by the date's link step (headwater.clean.link).

    ``totals``: the pipeline's summary-row step. Identical rows are no evidence of a duplicate
    delivery when the file's own summary row counts them: a till export with no transaction id
    repeats ``Coffee,1,3.50`` for three sales, and its ``Total,,,4,12.75`` sums all of them. So
    when a summary row (``SummaryRows.reconciled``) reconciles with its rows as written but not
    with the rows this step would keep, the copies in its block (those with a non-zero number, not
    kept already by an earlier summary row of the file) are kept as curated records,
    counted (``kept_by_total``, present when not 0) and named in a warning (``warnings``:
    ``duplicates_kept_by_total``). When the rows less the copies still reconcile (the total was
    written over the merged rows), the copies are duplicates as usual.

    The summary row may come batches after the copies it counts (a small ``batch_rows``, a
    grand total at the end of the file), so with ``totals`` a copy that has a non-zero number
    is not written as a duplicate at once: it is held (``held_lines``) until a summary row counts
    it (then it is curated with that summary row's batch) or the file ends (``finish``: then it
    is a duplicate). The decisions and counts do not depend on the batch size; a copy a later
    batch keeps comes after that batch's other curated rows. At most ``HELD_COPIES_MAX`` copies
    are held: beyond it the oldest are given up as duplicates, and a warning
    (``duplicates_not_held``) says so.

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
        self.not_held = 0  # copies given up as duplicates beyond HELD_COPIES_MAX
        self._keys = np.zeros(0, dtype=np.uint64)  # sorted keys of the rows kept so far
        # their row ids in key order: 16 raw bytes each while every id is 32 lowercase hex digits (as assign_row_ids
        # makes them: 24 bytes a kept row with its key, not 40), else UTF-8 bytes of a fixed width (``_pack_ids``)
        self._ids: np.ndarray = np.zeros(0, dtype="V16")
        # copies held for a later summary row: the rows and their partners' row ids, in file order
        self._held = pd.DataFrame()
        self._held_partners: list[str] = []
        self._spelled = np.zeros(0, dtype=np.uint64)  # sorted keys, missing spellings left out, of kept rows that had some
        self.apart = 0  # rows kept apart from an earlier one only by how a missing value was written
        self.apart_lines: list[int] = []  # the first APART_LINES of them

    def held_lines(self) -> list[int]:
        """Physical lines (``_line``) of the copies held back for a summary row that may count them."""
        return [int(n) for n in self._held[LINE]] if len(self._held) else []

    def apply(self, df: pd.DataFrame) -> StepOutput:
        if not self.options.exact:
            return StepOutput(df)
        if df.empty:  # a batch whose rows a summary-row step holds back may still hold the summary row that counts held copies
            _, released = self._counted(df, np.zeros(0, dtype=bool))
            counts = {"kept_by_total": len(released)} if len(released) else {}
            return StepOutput(released if len(released) else df, counts=counts)
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
                partner[earlier] = _unpack_ids(self._ids[at[earlier]])
        dup = (first_pos != np.arange(len(df))) | earlier
        apart = self._apart(df, keys, spelled, ~dup)
        kept_by_total, released = self._counted(df, dup)
        dup &= ~kept_by_total
        hold = dup & self._countable(df)
        dup &= ~hold
        kept = ~dup & ~hold
        order = np.argsort(keys[kept], kind="stable")
        at = np.searchsorted(self._keys, keys[kept][order])
        self._keys = np.insert(self._keys, at, keys[kept][order])
        self._ids = _insert_ids(self._ids, at, row_ids[kept][order])
        given_up = self._hold(df[hold], partner[hold].tolist())
        dups = _as_duplicates(pd.concat([df[dup], given_up[0]], ignore_index=True) if len(given_up[0]) else df[dup],
                              partner[dup].tolist() + given_up[1])
        n_kept = int(kept_by_total.sum()) + len(released)
        counts = {"kept_by_total": n_kept} if n_kept else {}
        if apart:
            counts["kept_apart_by_na_spelling"] = apart
        curated = df[kept]
        if len(released):
            curated = pd.concat([curated, released], ignore_index=True).sort_values(LINE, kind="stable").reset_index(drop=True)
        return StepOutput(curated, duplicates=dups, counts=counts)

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

    def finish(self) -> StepOutput:
        """The copies still held when the file ends: no summary row counted them, so they are duplicates."""
        held, partners = self._held, self._held_partners
        self._held, self._held_partners = pd.DataFrame(), []
        if not len(held):
            return StepOutput(pd.DataFrame())
        return StepOutput(held.iloc[:0], duplicates=_as_duplicates(held, partners).drop(columns=[MASKED_DIGEST], errors="ignore"))

    def _countable(self, df: pd.DataFrame) -> np.ndarray:
        """Bool per row: a summary row may count it (a summary-row step runs, and the row has a non-zero number: in a
        number column, or in a text column of other-script numbers it sums, SummaryRows.text_numbers)."""
        if self.totals is None or LINE not in df.columns:
            return np.zeros(len(df), dtype=bool)
        out = np.zeros(len(df), dtype=bool)
        for col in df.columns:
            if is_value_column(col) and (pd.api.types.is_integer_dtype(df[col].dtype) or pd.api.types.is_float_dtype(df[col].dtype)):
                out |= (df[col].fillna(0) != 0).to_numpy(dtype=bool)
        return out | self.totals.text_numbers(df)  # a text column of other-script numbers the step sums (breaker6 #5)

    def _hold(self, rows: pd.DataFrame, partners: list[str]) -> tuple[pd.DataFrame, list[str]]:
        """Add ``rows`` to the held copies; the oldest beyond ``HELD_COPIES_MAX`` come back (rows, partners) to be duplicates."""
        if len(rows):
            self._held = pd.concat([self._held, rows], ignore_index=True) if len(self._held) else rows.reset_index(drop=True)
            self._held_partners += partners
        over = len(self._held) - HELD_COPIES_MAX
        if over <= 0:
            return pd.DataFrame(), []
        self.not_held += over
        out = (self._held.iloc[:over], self._held_partners[:over])
        self._held, self._held_partners = self._held.iloc[over:].reset_index(drop=True), self._held_partners[over:]
        return out

    def _counted(self, df: pd.DataFrame, dup: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
        """The copies the batch's summary rows count (class docstring): a bool per row of ``df``, and the held copies of
        earlier batches they count (taken out of the held ones); warns once per summary row."""
        out = np.zeros(len(df), dtype=bool)
        released = np.zeros(len(self._held), dtype=bool)
        if self.totals is None or not (dup.any() or len(self._held)):
            return out, self._held.iloc[:0]
        lines = df[LINE].to_numpy() if LINE in df.columns else np.zeros(len(df), dtype=np.int64)
        countable = self._countable(df)
        held_lines = self._held[LINE].to_numpy() if len(self._held) else np.zeros(0, dtype=np.int64)
        for found in self.totals.reconciled:
            block, held_block = found.covers(lines), found.covers(held_lines)
            # each copy is counted by the first summary row that keeps it (a grand total after the subtotal that kept it
            # does not count it again), and only a copy with a number can be counted at all (as held ones are chosen)
            copies, held_copies = block & dup & countable & ~out, held_block & ~released
            if not (copies.any() or held_copies.any()):
                continue
            taken = pd.concat([self._held[held_copies], df[copies]], ignore_index=True) if held_copies.any() else df[copies]
            if found.reconciles_without(taken):
                continue
            out |= copies
            released |= held_copies
            counted = sorted(int(n) for n in taken[LINE])
            sums = ", ".join(f"{c}={v}" for c, (v, _) in found.totals.items())
            self.kept_by_total.append(
                f"duplicates_kept_by_total: line {found.line}: summary row {found.label.strip()!r} ({sums}) counts "
                f"{len(counted)} identical row(s) (lines {', '.join(str(n) for n in counted)}) as records: "
                "kept as curated, not merged"
            )
        taken_rows = self._held[released].reset_index(drop=True)
        if released.any():
            keep = ~released
            self._held_partners = [p for p, k in zip(self._held_partners, keep) if k]
            self._held = self._held[keep].reset_index(drop=True)
        return out, taken_rows

    def warnings(self) -> list[str]:
        """One line per summary row whose total kept identical rows as records (``duplicates_kept_by_total``), and
        one when copies beyond ``HELD_COPIES_MAX`` were given up as duplicates (``duplicates_not_held``), and one for the
        rows kept apart only by how a missing value was written (``kept_apart_by_na_spelling``)."""
        given_up = [f"duplicates_not_held: {self.not_held} identical row(s) with numbers became duplicates before the file "
                    f"ended: at most {HELD_COPIES_MAX} are held for a summary row that may count them"] if self.not_held else []
        apart = []
        if self.apart:
            more = " ..." if self.apart > len(self.apart_lines) else ""
            apart.append(
                f"kept_apart_by_na_spelling: {self.apart} row(s) (lines {', '.join(map(str, self.apart_lines))}{more}) equal an "
                "earlier row but for how a missing value was written (NA, null, blank, spaces; the text kept in <col>__raw, "
                "reason na_spelling or blank): kept as curated records, not exact duplicates"
            )
        return list(self.kept_by_total) + given_up + apart


def _insert_ids(store: np.ndarray, at: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """``ids`` (str objects) inserted into ``store`` before positions ``at`` (``np.insert``). The store holds 16 raw bytes
    an id (dtype ``V16``) while every id is 32 lowercase hex digits; the first other id turns it, and it stays, into
    UTF-8 bytes of a fixed width (``S<n>``, never narrower than an id: no id is cut). Either way ``_unpack_ids``
    gives back the ids as written."""
    if store.dtype == np.dtype("V16"):
        if not len(ids):
            return store.copy()
        listed = ids.tolist()
        joined = "".join(listed)
        if len(joined) == 32 * len(listed) and set(map(len, listed)) == {32}:
            try:
                packed = bytes.fromhex(joined)
            except ValueError:  # not hex digits
                packed = None
            # lowercase hex digits only: what .hex() gives back (fromhex also takes uppercase and skips spaces)
            if packed is not None and packed.hex() == joined:
                return np.insert(store, at, np.frombuffer(packed, dtype="V16"))
        store = np.array([v.tobytes().hex() for v in store], dtype=object)
        store = np.char.encode(store.astype(str), "utf-8") if len(store) else np.zeros(0, dtype="S1")
    new_ids = np.char.encode(ids.astype(str), "utf-8") if len(ids) else np.zeros(0, dtype="S1")
    width = max(store.dtype.itemsize, new_ids.dtype.itemsize)
    return np.insert(store.astype(f"S{width}"), at, new_ids.astype(f"S{width}"))


def _unpack_ids(packed: np.ndarray) -> np.ndarray:
    """The row ids (str objects) of entries of an ``_insert_ids`` store."""
    if packed.dtype == np.dtype("V16"):
        return np.array([v.tobytes().hex() for v in packed], dtype=object)
    return np.char.decode(packed, "utf-8").astype(object)


def _as_duplicates(rows: pd.DataFrame, partners: list[str]) -> pd.DataFrame:
    """``rows`` as exact duplicates of the rows whose ids are ``partners`` (the dedup columns added)."""
    dups = rows.copy()
    dups[DUPLICATE_OF] = partners
    dups[CLUSTER_ID] = partners
    dups[SIMILARITY] = 1.0
    dups[DEDUP_JOB] = "exact"
    dups[MATCH_WEIGHT] = np.nan
    dups[EVIDENCE] = "every data column equal"
    dups[AGREED] = None
    return dups
