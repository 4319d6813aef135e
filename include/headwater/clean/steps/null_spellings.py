"""Step: NA spellings (NA, N/A, NULL, null, None, blank...) become real missing values, unless the column says they are data.

Which spellings mean "missing" (after trimming):

* the defaults (headwater.config.types.NA_SPELLINGS, and ``\\N``, the NULL of MySQL and PostgreSQL text exports:
  ``DATABASE_NULL_SPELLINGS``), matched as written: ``NULL``, ``null``, ``NaN``
  and ``None`` are missing, ``Null``, ``Nan`` and ``Nil`` are names; less ``types.not_na_values``
  (case-insensitive), plus ``types.na_values`` (case-insensitive);
* for one canonical column, also ``schema.columns.<c>.na_values``, less ``.not_na_values``.

A default word spelling is data, not missing, when it has the shape of the column's other values:

* ``NA`` is Namibia in a column of 2-letter uppercase country codes and North America among
  ``EU``, ``AS``, ``OC`` (``types.na_codes_are_data``): ASCII letters of one length and one case;
* ``None`` is a surname among ``Goldin``, ``Austin``: capitalised words (``Title Case``, letters
  only), where a title-case spelling is a word like the others.

The shape is decided on the file's decision sample (its first rows, headwater.clean.runner.DECISION_ROWS,
whatever the batch size; ``adopt``), or on the column's first batch when the step runs alone: at least two distinct other values, and 90% of
them, have it. A spelling named in ``na_values`` is always missing.

The punctuation spellings ``-``, ``--`` and ``?`` (``AMBIGUOUS``) are also a sign, a score, a
"no" or an answer, so they are missing only where the column otherwise holds numbers or dates
(``numbers_or_dates``, decided on the decision sample like the shape, or a schema type integer, number,
date, datetime): there the cell is emptied, ``<col>__raw`` keeps what was written and
``<col>__reason`` says ``na_spelling``; elsewhere the value is kept as text. Every other spelling
made missing keeps what was written in ``<col>__raw`` with the reason ``na_spelling`` too (an
empty cell wrote nothing and keeps none). A quoted empty field (``""``: PostgreSQL ``COPY ... CSV`` writes an empty
string so and NULL as an unquoted empty field; staging keeps them apart, headwater.ingest.csv_file.absent_empties) is
not a spelling: it is an empty string, kept as the value, except in a column of numbers or dates (``numbers_or_dates``
or a schema type), which cannot hold it: there it is missing, ``""`` kept in ``<col>__raw`` with the reason
``empty_string`` and counted in ``nulled`` as ``""``: rows that differ only in how they wrote "missing"
(``NA``, ``null``, blank) are not exact duplicates, since those compare ``__raw``. Either way the manifest
warns (``warnings``) and counts them (``na_ambiguous``: column -> ``nulled``/``kept`` -> spelling -> cells).

Counts for the manifest: ``nulled`` (column -> spelling, lower-cased but for a database NULL ``\\N``, kept as
written -> cells made missing) and
``kept`` (column -> spelling as written -> cells kept as data); ``warnings`` names the word
spellings that emptied cells of a text column, and every ambiguous spelling met.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from headwater.clean.steps.base import RAW_SUFFIX, REASON_SUFFIX, StepOutput, is_value_column, keep_original
from headwater.clean.text import column_codes, counts_by_code, stack_groups, stack_strings, string_series
from headwater.config.schema import DATE_TYPES, NUMERIC_TYPES, ColumnSpec
from headwater.config.types import NA_SPELLINGS, TypeOptions, spelling

# The NULL of database exports: MySQL ``SELECT ... INTO OUTFILE`` and ``LOAD DATA`` write a NULL as ``\N``, as does
# PostgreSQL ``COPY`` in its text format (MySQL 8.4 Reference Manual, "LOAD DATA Statement"; PostgreSQL docs, "COPY").
# Never data in a CSV value (a two-character escape), so missing in every column, its text kept like NULL's.
DATABASE_NULL_SPELLINGS = frozenset({"\\N"})
DEFAULT_SPELLINGS = NA_SPELLINGS | DATABASE_NULL_SPELLINGS  # headwater.config.types.NA_SPELLINGS and the exports' NULL
WORD_SPELLINGS = frozenset(s for s in NA_SPELLINGS if s.isalpha())  # the defaults a code or a word can also be
TITLE_WORDS = "Title"  # the shape of a column of capitalised words (names, places)
CODE_SAMPLE = 5_000  # distinct values looked at to decide a column's code shape
CODE_MIN_VALUES = 2  # distinct other values a column needs before its shape counts as evidence
CODE_MIN_SHARE = 0.9  # share of those values that must have the shape
AMBIGUOUS = frozenset({"-", "--", "?"})  # default spellings that are also data (a sign, a score, an answer)
NA_SPELLING_REASON = "na_spelling"  # <col>__reason of a cell emptied because it was an ambiguous spelling
# <col>__reason of a quoted empty field ("", an empty string: staging keeps it apart from an unquoted empty field, which
# wrote nothing and is null; headwater.ingest.csv_file.absent_empties) made missing in a column of numbers or dates,
# which cannot hold it; its text "" kept in <col>__raw. In any other column it is the value, an empty string.
EMPTY_STRING_REASON = "empty_string"
EMPTY_STRING = '""'  # how a quoted empty field is counted in ``nulled`` (na_spellings)
# A number (sign, digits with grouping and a decimal part, an optional currency/percent/unit sign)
# or a date/time written with digits and separators: what a column of measurements or dates holds.
NUMBER_OR_DATE_RE = r"[-+(]?[$€£¥]?[0-9][0-9 .,'’:/T-]*[%)]?|[-+]?[.,][0-9]+"


def numbers_or_dates(values: pd.Series) -> bool:
    """True when at least one and CODE_MIN_SHARE of the non-empty ``values`` (trimmed) are numbers or dates (``NUMBER_OR_DATE_RE``)."""
    present = values.dropna().str.strip()
    present = present[present != ""]
    if not len(present):
        return False
    return int(present.str.fullmatch(NUMBER_OR_DATE_RE).fillna(False).sum()) >= CODE_MIN_SHARE * len(present)


def code_shape(values: pd.Series) -> str | None:
    """``[A-Z]{2}`` when at least CODE_MIN_VALUES and CODE_MIN_SHARE of the distinct ``values`` are ASCII
    letters of one length and one case (``EU``, ``AS``, ``OC``), else None."""
    distinct = values.dropna().str.strip().drop_duplicates().iloc[:CODE_SAMPLE]
    distinct = distinct[distinct != ""]
    if len(distinct) < CODE_MIN_VALUES:
        return None
    best: tuple[int, str] | None = None
    for letters in ("[A-Z]", "[a-z]"):
        lengths = distinct[distinct.str.fullmatch(f"{letters}+").fillna(False).to_numpy(dtype=bool)].str.len()
        if len(lengths):
            length, count = int(lengths.value_counts().index[0]), int(lengths.value_counts().iloc[0])
            if count >= CODE_MIN_VALUES and count >= CODE_MIN_SHARE * len(distinct) and (best is None or count > best[0]):
                best = (count, f"{letters}{{{length}}}")
    return best[1] if best else None


def title_words(values: pd.Series) -> bool:
    """True when at least CODE_MIN_VALUES and CODE_MIN_SHARE of the distinct ``values`` are capitalised words
    (``Goldin``, ``New York``, ``O'Brien``: letters, each word Title Case)."""
    distinct = values.dropna().str.strip().drop_duplicates().iloc[:CODE_SAMPLE]
    distinct = distinct[distinct != ""]
    if len(distinct) < CODE_MIN_VALUES:
        return False
    words = distinct.str.fullmatch(r"[^\W\d_]+(?:[ '’.-][^\W\d_]+)*").fillna(False).to_numpy(dtype=bool)
    titled = np.fromiter((v.istitle() for v in distinct.tolist()), dtype=bool, count=len(distinct))
    return int((words & titled).sum()) >= CODE_MIN_SHARE * len(distinct)


def _named(na_values: list[str]) -> frozenset[str]:
    """The spellings ``na_values`` names, as compared (``headwater.config.types.spelling``: trimmed, lower-cased), less a
    database NULL (``DATABASE_NULL_SPELLINGS``: ``\\N``): that is a default, matched as written, and lower-cased it
    would make the literal two characters ``\\n`` missing too."""
    return frozenset(spelling(s) for s in na_values if s.strip() not in DATABASE_NULL_SPELLINGS)


def _counted(written: pd.Series) -> pd.Series:
    """How each spelling made missing is counted in ``nulled`` (na_spellings): lower-cased, except a database NULL
    (``DATABASE_NULL_SPELLINGS``: ``\\N``), kept as written, since ``\\n`` reads as a newline escape."""
    return written.where(written.isin(DATABASE_NULL_SPELLINGS), written.str.lower())


def _counted_arrow(texts: pa.Array) -> pa.Array:
    """``_counted`` over Arrow strings."""
    database = pc.is_in(texts, value_set=pa.array(sorted(DATABASE_NULL_SPELLINGS), texts.type))
    return pc.if_else(database, texts, pc.utf8_lower(texts))


def _fullmatch_where(written: pd.Series, pattern: str, where: np.ndarray) -> np.ndarray:
    """Bool per value: ``where`` is true and the value fully matches ``pattern`` (only those values are matched)."""
    out = np.zeros(len(written), dtype=bool)
    at = np.flatnonzero(where)
    if len(at):
        out[at] = written.iloc[at].str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    return out


def _isin_where(written: pd.Series, spellings: frozenset[str] | set[str], where: np.ndarray) -> np.ndarray:
    """Bool per value: ``where`` is true and the value is one of ``spellings`` (only those values are looked up)."""
    out = np.zeros(len(written), dtype=bool)
    at = np.flatnonzero(where)
    if len(at) and spellings:
        out[at] = written.iloc[at].isin(spellings).fillna(False).to_numpy(dtype=bool)
    return out


def _arrow_strings(column: pd.Series) -> bool:
    """True for a column of pandas strings held in Arrow: its Arrow data is what ``astype("string")`` would give."""
    return isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow"


def _arrow(series: pd.Series) -> pa.Array:
    """The Arrow array of a pandas ``string`` Series (chunks combined)."""
    arr = pa.array(series.array)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


# The others of a column looked at first when its distinct values are sampled (``_first_distinct``): a column with
# CODE_SAMPLE distinct values among its first DISTINCT_PREFIX has its sample there (a column of free text, ids, e-mails);
# only a column with fewer is looked at whole.
DISTINCT_PREFIX = 4 * CODE_SAMPLE


def _first_distinct(texts: pa.Array, codes: np.ndarray, at: np.ndarray, n: int, limit: int) -> np.ndarray:
    """Positions (ascending) of the first ``limit`` distinct values of each column among ``texts[at]`` (``at``
    ascending; ``codes``: the column number of every position of ``texts``, in blocks), in order of first occurrence."""
    if not len(at):
        return at
    encoded = pc.dictionary_encode(texts.take(pa.array(at)))
    key = codes[at] * max(len(encoded.dictionary), 1) + encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    at = at[~pd.Series(key).duplicated().to_numpy()]
    starts = np.searchsorted(codes[at], np.arange(n))
    rank = np.arange(len(at)) - starts[codes[at]]
    return at[rank < limit]


def _decide(
    written: pd.Series, codes: np.ndarray, others: np.ndarray, n: int, codes_are_data: bool, numbers_for: np.ndarray | None = None,
) -> tuple[list[str | None], np.ndarray]:
    """``code_shape``, ``title_words`` and ``numbers_or_dates`` of many columns at once.

    ``written``: the stacked, trimmed values (fresh RangeIndex), ``codes`` their column numbers (0..n-1, in
    blocks), ``others``: the values each column decides on (present, not a spelling); ``numbers_for``: bool per
    column, the columns whose ``numbers_or_dates`` is wanted (None: all; the others get False, unlooked at).
    Returns (per column: its code shape, else ``TITLE_WORDS`` when ``title_words``, else None; code shapes only
    when ``codes_are_data``), bool per column: ``numbers_or_dates`` of its others).

    Equal to the per-column functions: a code shape needs ``CODE_MIN_SHARE`` of the distinct values to share
    one letter case and one length, more than half of them, so the most common length is the only one that
    can pass and ties between lengths never decide.
    """
    filled = others & (written != "").fillna(False).to_numpy(dtype=bool)
    if numbers_for is not None and n:
        filled &= np.asarray(numbers_for, dtype=bool)[codes]
    count = np.bincount(codes[filled], minlength=n)
    hit = np.zeros(len(written), dtype=bool)
    at = np.flatnonzero(filled)
    if len(at):
        hit[at] = written.iloc[at].str.fullmatch(NUMBER_OR_DATE_RE).fillna(False).to_numpy(dtype=bool)
    by_numbers = (count > 0) & (np.bincount(codes[hit], minlength=n) >= CODE_MIN_SHARE * count)
    # each column's distinct others in order of first occurrence, the first CODE_SAMPLE of them, blanks left out;
    # looked for among each column's first DISTINCT_PREFIX others, then whole for a column that has fewer there
    # (the first CODE_SAMPLE distinct values of a prefix holding that many are the column's first CODE_SAMPLE)
    texts = _arrow(written)
    at = np.flatnonzero(others)
    rank = np.arange(len(at)) - np.searchsorted(codes[at], np.arange(n))[codes[at]]
    found = _first_distinct(texts, codes, at[rank < DISTINCT_PREFIX], n, CODE_SAMPLE)
    again = (np.bincount(codes[at], minlength=n) > DISTINCT_PREFIX) & (np.bincount(codes[found], minlength=n) < CODE_SAMPLE)
    if again.any():
        found = np.sort(np.concatenate([found[~again[codes[found]]], _first_distinct(texts, codes, at[again[codes[at]]], n, CODE_SAMPLE)]))
    at = found
    distinct = written.iloc[at].reset_index(drop=True)
    at = at[(distinct != "").fillna(False).to_numpy(dtype=bool)]
    distinct, c = written.iloc[at].reset_index(drop=True), codes[at]
    size = np.bincount(c, minlength=n)
    enough = size >= CODE_MIN_VALUES
    shapes: list[str | None] = [None] * n
    if codes_are_data:
        lengths = distinct.str.len().to_numpy(dtype=np.int64, na_value=0)
        best = np.zeros(n, dtype=np.int64)
        for letters in ("[A-Z]", "[a-z]"):
            match = distinct.str.fullmatch(f"{letters}+").fillna(False).to_numpy(dtype=bool)
            if not match.any():
                continue
            pairs, tally = np.unique(np.stack([c[match], lengths[match]]), axis=1, return_counts=True)
            for k, length, m in zip(pairs[0].tolist(), pairs[1].tolist(), tally.tolist()):
                if enough[k] and m >= CODE_MIN_VALUES and m >= CODE_MIN_SHARE * size[k] and m > best[k]:
                    best[k], shapes[k] = m, f"{letters}{{{length}}}"
    words = distinct.str.fullmatch(r"[^\W\d_]+(?:[ '’.-][^\W\d_]+)*").fillna(False).to_numpy(dtype=bool)
    titled = np.fromiter((v.istitle() for v in distinct.tolist()), dtype=bool, count=len(distinct))
    title = enough & (np.bincount(c[words & titled], minlength=n) >= CODE_MIN_SHARE * size)
    return [shapes[k] or (TITLE_WORDS if title[k] else None) for k in range(n)], by_numbers


@dataclass
class _Plan:
    """What the stacked path does to one column (``NullSpellings._stacked``): its new values, ``__raw`` text and
    reasons (None: none kept), its decisions when they were made in this batch, and its counts."""

    values: pd.Series
    raw: pd.Series | None
    reason: pd.Series | None
    decided: tuple[str | None, bool] | None  # (shape, numbers or dates) decided on this batch; None: decided before
    ambiguous: dict[str, int] | None  # ``-``/``--``/``?`` as written -> cells (nulled or kept, by ``numeric``)
    nulled: dict[str, int] | None  # spelling, lower-cased (``\\N`` as written: ``_counted``) -> cells made missing
    words: dict[str, int] | None  # default word spellings as written -> cells made missing
    numeric: bool


def _with_absent(nulled: dict[str, int] | None, absent: int) -> dict[str, int] | None:
    """A column's stacked ``nulled`` counts with its empty unquoted fields counted as the blank spelling ``""``."""
    if not absent:
        return nulled
    out = dict(nulled or {})
    out[""] = out.get("", 0) + absent
    return out


class NullSpellings:
    """Turn NA spellings (NA, N/A, null, none, blank) into real missing values; a spelling that is a column's code stays,
    and ``-``/``--``/``?`` are missing only in a column of numbers or dates (their text kept in ``__raw``)."""

    name = "null_spellings"

    def __init__(self, options: TypeOptions | None = None, columns: Mapping[str, ColumnSpec] | None = None) -> None:
        options = options or TypeOptions()
        self.removed = frozenset(spelling(s) for s in options.not_na_values)
        self.explicit = _named(options.na_values) - self.removed
        self.codes_are_data = options.na_codes_are_data
        self.columns = dict(columns or {})
        self.shapes: dict[str, str | None] = {}  # column -> its code shape or TITLE_WORDS, decided on its first batch
        self.nulled: dict[str, Counter[str]] = {}  # column -> spelling -> cells made missing
        self.kept: dict[str, Counter[str]] = {}  # column -> spelling as written -> cells kept as data
        self.defaulted: dict[str, Counter[str]] = {}  # column -> default word spelling as written -> cells made missing
        self.numeric: dict[str, bool] = {}  # column -> holds numbers or dates (ambiguous spellings are missing there)
        self.ambiguous: dict[str, dict[str, Counter[str]]] = {}  # column -> nulled|kept -> ambiguous spelling -> cells

    def adopt(self, twin: NullSpellings, last_line: int) -> None:
        """Take the column decisions (code shape, numbers or dates) ``twin`` made on the file's decision sample
        (headwater.clean.runner); ``last_line``, the sample's last line, is not needed here: a later ``-`` in a
        column of numbers is emptied with its text kept, elsewhere kept as text, as in the sample."""
        self.shapes = dict(twin.shapes)
        self.numeric = dict(twin.numeric)

    def column_spellings(self, col: str) -> tuple[frozenset[str], frozenset[str]]:
        """(default spellings that are missing in ``col``, matched as written; spellings named in na_values, lower-cased).

        A default is removed when ``not_na_values`` names it in any case.
        """
        spec = self.columns.get(col)
        removed, explicit = self.removed, self.explicit
        if spec is not None:
            removed = removed | {spelling(s) for s in spec.not_na_values}
            explicit = (explicit | _named(spec.na_values)) - removed
        return frozenset(s for s in DEFAULT_SPELLINGS if spelling(s) not in removed), explicit

    def apply(self, df: pd.DataFrame) -> StepOutput:
        """Every value column at once (``_stacked``), one stacked pass per set of spellings (and per
        headwater.clean.text.STACK_VALUES values: a long batch goes column by column through the same code); a column
        whose code or title shape may keep a default word as data goes through the column-by-column path (``apply_column``).

        Values, ``__raw``/``__reason`` columns, decisions and counts equal ``apply_by_column``'s (a test checks it).
        """
        cols = [c for c in df.columns if is_value_column(c)]
        groups: dict[tuple[frozenset[str], frozenset[str]], list[str]] = {}
        for col in cols:
            groups.setdefault(self.column_spellings(col), []).append(col)
        plans: dict[str, _Plan | None] = {}
        for (defaults, explicit), members in groups.items():
            for run in stack_groups([len(df)] * len(members)):
                plans.update(self._stacked(df, [members[i] for i in run], defaults, explicit))
        data: dict[str, pd.Series] = {}
        later: list[str] = []  # columns that keep_original must merge into an earlier step's __raw/__reason
        for name in df.columns:
            plan = plans.get(name)
            if plan is None:
                data[name] = df[name]
                continue
            data[name] = plan.values
            if plan.raw is not None:
                if name + RAW_SUFFIX in df.columns or name + REASON_SUFFIX in df.columns:
                    later.append(name)
                else:
                    data[name + RAW_SUFFIX] = plan.raw
                    data[name + REASON_SUFFIX] = plan.reason
        out = pd.DataFrame(data, index=df.index, copy=False)  # copy-on-write (pandas 3): ``df`` never sees a change
        out.columns = pd.Index(list(data), dtype=df.columns.dtype)
        for name in later:
            plan = plans[name]
            keep_original(out, name, plan.raw.notna().to_numpy(dtype=bool), plan.raw, NA_SPELLING_REASON)
        for col in cols:  # table order: the manifest's columns, as the column-by-column path records them
            plan = plans[col]
            if plan is None:
                self.apply_column(out, col)
            else:
                self._record(col, plan)
        return StepOutput(out)

    def apply_by_column(self, df: pd.DataFrame) -> StepOutput:
        """``apply`` one column at a time (``apply_column``): the reference the stacked path is tested against."""
        out = df.copy()
        for col in [c for c in df.columns if is_value_column(c)]:
            self.apply_column(out, col)
        return StepOutput(out)

    def apply_column(self, out: pd.DataFrame, col: str) -> None:
        """Clean ``col`` of ``out`` in place: its spellings made missing, ``__raw``/``__reason`` kept, decisions and counts recorded."""
        s = out[col].astype("string")
        defaults, explicit = self.column_spellings(col)
        written = s.str.strip()
        # pandas 3 string dtype keeps NA as NA: compare only present values.
        if explicit:
            named = written.str.lower().isin(explicit).fillna(False).to_numpy(dtype=bool, copy=True)
        else:
            named = np.zeros(len(written), dtype=bool)
        # a quoted empty field (exactly "" as read: an unquoted one is null in staging) is an empty string, not a spelling;
        # a value an earlier step emptied (spaces tidied to "", their text in __raw, reason blank) is not one
        quoted_empty = (s == "").fillna(False).to_numpy(dtype=bool)
        absent = int(s.isna().sum())  # empty unquoted fields (nothing written): counted as the blank spelling ""
        if absent:
            self.nulled.setdefault(col, Counter()).update({"": absent})
        if quoted_empty.any() and col + RAW_SUFFIX in out.columns:
            quoted_empty &= out[col + RAW_SUFFIX].isna().to_numpy(dtype=bool)
        mask = (named | written.isin(defaults).fillna(False).to_numpy(dtype=bool)) & ~quoted_empty
        if col not in self.shapes:
            others = written[~mask]
            code = code_shape(others) if self.codes_are_data else None
            self.shapes[col] = code or (TITLE_WORDS if title_words(others) else None)
            self.numeric[col] = self._declared_numeric(col, others)
        shape = self.shapes[col]
        guessed = frozenset(d for d in defaults & WORD_SPELLINGS if spelling(d) not in explicit)
        if shape == TITLE_WORDS:
            guessed = frozenset(d for d in guessed if d.istitle())
            shape = r"[^\W\d_]+"
        if shape and guessed:
            data = mask & ~named & written.isin(guessed).fillna(False).to_numpy(dtype=bool)
            data &= _fullmatch_where(written, shape, data)
            if data.any():
                self.kept.setdefault(col, Counter()).update(written[data].value_counts().to_dict())
                mask &= ~data
        ambiguous = mask & ~named & written.isin(defaults & AMBIGUOUS).fillna(False).to_numpy(dtype=bool)
        if ambiguous.any():
            fate = "nulled" if self.numeric[col] else "kept"
            self.ambiguous.setdefault(col, {}).setdefault(fate, Counter()).update(written[ambiguous].value_counts().to_dict())
            if fate == "kept":
                self.kept.setdefault(col, Counter()).update(written[ambiguous].value_counts().to_dict())
                mask &= ~ambiguous
            else:
                keep_original(out, col, ambiguous, out[col], NA_SPELLING_REASON)
        if quoted_empty.any() and self.numeric[col]:
            # a number or date column cannot hold an empty string: missing, with what was written and why
            keep_original(out, col, quoted_empty, s, EMPTY_STRING_REASON)
            self.nulled.setdefault(col, Counter()).update({EMPTY_STRING: int(quoted_empty.sum())})
            mask |= quoted_empty
            s = s.mask(quoted_empty)
        if mask.any():
            self.nulled.setdefault(col, Counter()).update(_counted(written[mask & ~quoted_empty]).value_counts().to_dict())
            # ``NA``, ``null``, ``N/A`` were written: kept, so that rows differing only in the spelling stay apart
            # (exact duplicates compare __raw texts) and ``NA`` as Namibia can still be read; an empty cell wrote nothing
            spelled = mask & ~ambiguous & ~quoted_empty & (written != "").fillna(False).to_numpy(dtype=bool)
            keep_original(out, col, spelled, s, NA_SPELLING_REASON)
            words = mask & ~named
            words &= _fullmatch_where(written, r"[A-Za-z]+", words)
            if words.any():
                self.defaulted.setdefault(col, Counter()).update(written[words].value_counts().to_dict())
            out[col] = s.mask(mask)
        else:
            out[col] = s

    def _declared_numeric(self, col: str, others: pd.Series | None) -> bool:
        """Whether ``col`` holds numbers or dates: its schema type says so, or (no type) ``numbers_or_dates(others)``;
        ``others`` None: the caller counted that already and the answer for an undeclared column is False."""
        spec = self.columns.get(col)
        declared = spec.type if spec is not None else None
        return declared in NUMERIC_TYPES + DATE_TYPES or (declared is None and others is not None and numbers_or_dates(others))

    def _stacked(self, df: pd.DataFrame, cols: list[str], defaults: frozenset[str], explicit: frozenset[str]) -> dict[str, _Plan | None]:
        """What ``apply_column`` would do to each of ``cols`` (one set of spellings), found in one pass over all their
        values stacked (headwater.clean.text.stack_strings). None for a column the stacked path leaves to
        ``apply_column``: one whose code or title shape (``shapes``) is met by a default word it holds."""
        n = len(cols)
        stack, offsets = stack_strings([pa.array((c if _arrow_strings(c) else c.astype("string")).array) for c in (df[x] for x in cols)])
        codes = column_codes(offsets)
        s = string_series(stack)
        written = s.str.strip()
        present = written.notna().to_numpy(dtype=bool)
        if explicit:
            named = written.str.lower().isin(explicit).fillna(False).to_numpy(dtype=bool, copy=True)
        else:
            named = np.zeros(len(written), dtype=bool)
        mask = named | written.isin(defaults).fillna(False).to_numpy(dtype=bool)
        undecided = np.array([c not in self.shapes for c in cols], dtype=bool)
        shapes: list[str | None] = [self.shapes.get(c) for c in cols]
        numeric = [self.numeric.get(c, False) for c in cols]
        if undecided.any():
            others = ~mask & present & undecided[codes]
            # numbers_or_dates only where no schema type answers (_declared_numeric)
            found, by_numbers = _decide(written, codes, others, n, self.codes_are_data,
                                        np.array([self.columns.get(c) is None for c in cols], dtype=bool))
            for k in np.flatnonzero(undecided).tolist():
                shapes[k] = found[k]
                numeric[k] = self._declared_numeric(cols[k], None) or (self.columns.get(cols[k]) is None and bool(by_numbers[k]))
        guessed = frozenset(d for d in defaults & WORD_SPELLINGS if spelling(d) not in explicit)
        shaped = np.array([sh is not None for sh in shapes], dtype=bool)
        rare = np.zeros(n, dtype=bool)
        # a column holding a quoted empty field ("": an empty string, not a spelling; headwater.ingest.csv_file.absent_empties)
        # goes column by column (``apply_column``), which tells it from a value an earlier step emptied
        rare[codes[(s == "").fillna(False).to_numpy(dtype=bool)]] = True
        absent = np.bincount(codes[~s.notna().to_numpy(dtype=bool)], minlength=n)  # empty unquoted fields: the blank spelling ""
        # (only the few values ``mask`` holds are matched below: every spelling is among them)
        if guessed and shaped.any():
            candidate = mask & ~named & shaped[codes]
            candidate &= _isin_where(written, guessed, candidate)
            rare[codes[candidate]] = True
        ambiguous = mask & ~named
        ambiguous &= _isin_where(written, defaults & AMBIGUOUS, ambiguous)
        kept_ambiguous = ambiguous & ~np.asarray(numeric, dtype=bool)[codes] if n else ambiguous
        mask &= ~kept_ambiguous
        spelled = mask & ~_isin_where(written, {""}, mask)
        words = mask & ~named
        at = np.flatnonzero(words)
        if len(at):
            words[at] = written.iloc[at].str.fullmatch(r"[A-Za-z]+").fillna(False).to_numpy(dtype=bool)
        texts = _arrow(written)
        ambiguous_counts = counts_by_code(texts.filter(pa.array(ambiguous)), codes[ambiguous])
        nulled_counts = counts_by_code(_counted_arrow(texts.filter(pa.array(mask))), codes[mask])
        word_counts = counts_by_code(texts.filter(pa.array(words)), codes[words])
        has_mask = np.bincount(codes[mask], minlength=n) > 0
        has_raw = np.bincount(codes[spelled], minlength=n) > 0
        # the new values, __raw and __reason texts, made only when some column has them
        values = pc.if_else(pa.array(mask), pa.scalar(None, pa.large_string()), stack) if has_mask.any() else stack
        raw = pc.if_else(pa.array(spelled), stack, pa.scalar(None, pa.large_string())) if has_raw.any() else None
        reasons = pc.if_else(pa.array(spelled), pa.scalar(NA_SPELLING_REASON, pa.large_string()), pa.scalar(None, pa.large_string())) \
            if has_raw.any() else None
        plans: dict[str, _Plan | None] = {}
        for k, col in enumerate(cols):
            if rare[k]:
                if undecided[k]:
                    self.shapes[col], self.numeric[col] = shapes[k], numeric[k]
                plans[col] = None
                continue
            lo, hi = int(offsets[k]), int(offsets[k + 1])
            plans[col] = _Plan(
                values=string_series((values if has_mask[k] else stack).slice(lo, hi - lo), df.index),
                raw=string_series(raw.slice(lo, hi - lo), df.index) if has_raw[k] and raw is not None else None,
                reason=string_series(reasons.slice(lo, hi - lo), df.index) if has_raw[k] and reasons is not None else None,
                decided=(shapes[k], numeric[k]) if undecided[k] else None,
                ambiguous=ambiguous_counts.get(k), nulled=_with_absent(nulled_counts.get(k), int(absent[k])), words=word_counts.get(k),
                numeric=numeric[k],
            )
        return plans

    def _record(self, col: str, plan: _Plan) -> None:
        """The decisions and counts of a column the stacked path cleaned, as ``apply_column`` records them."""
        if plan.decided is not None:
            self.shapes[col], self.numeric[col] = plan.decided
        if plan.ambiguous:
            fate = "nulled" if plan.numeric else "kept"
            self.ambiguous.setdefault(col, {}).setdefault(fate, Counter()).update(plan.ambiguous)
            if fate == "kept":
                self.kept.setdefault(col, Counter()).update(plan.ambiguous)
        if plan.nulled:
            self.nulled.setdefault(col, Counter()).update(plan.nulled)
            if plan.words:
                self.defaulted.setdefault(col, Counter()).update(plan.words)

    def warnings(self, types: Mapping[str, str]) -> list[str]:
        """One line per text column (``types``: column -> its type) where default word spellings (``null``, ``None``) emptied cells.

        Spellings named in ``na_values`` are not warned about. E.g. ``last_name: 2 cells written
        None, null made missing (a text column) — list them in types.not_na_values if they are data``.
        """
        lines = []
        for col, fates in self.ambiguous.items():
            for fate, seen in fates.items():
                cells = f"{sum(seen.values())} cell(s) written {', '.join(sorted(seen))}"
                if fate == "nulled":
                    lines.append(
                        f"{col}: {cells} made missing (the column holds numbers or dates; the text kept in {col}__raw, reason "
                        f"{NA_SPELLING_REASON}) — list them in types.not_na_values if they are data"
                    )
                else:
                    lines.append(
                        f"{col}: {cells} kept as text (a sign, score or answer in a column that is not numbers or dates) — "
                        "list them in types.na_values if they mean missing"
                    )
        for col, words in self.defaulted.items():
            if types.get(col, "string") in ("string", "text"):
                lines.append(
                    f"{col}: {sum(words.values())} cells written {', '.join(sorted(words))} made missing (a text column) — "
                    "list them in types.not_na_values if they are data"
                )
        return lines

    def summary(self) -> dict[str, dict[str, dict[str, int]]]:
        """The manifest's ``na_spellings`` (column -> spelling -> cells made missing), ``na_kept_as_data``
        (column -> spelling as written -> cells kept) and ``na_ambiguous`` (column -> ``nulled``/``kept`` ->
        ``-``/``--``/``?`` -> cells), spellings sorted, columns in table order."""
        return {
            "na_spellings": {c: dict(sorted(n.items())) for c, n in self.nulled.items()},
            "na_kept_as_data": {c: dict(sorted(n.items())) for c, n in self.kept.items()},
            "na_ambiguous": {c: {f: dict(sorted(n.items())) for f, n in sorted(fates.items())} for c, fates in self.ambiguous.items()},
        }
