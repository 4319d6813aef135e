"""What each column is to duplicate detection, decided from whole columns: evidence, veto, or neither.

* **row counters and surrogate keys** (``rownames``, ``index``, ``Unnamed: 0``, or integers that
  rise with the file, one per row) are never evidence either way: two rows differ there by
  construction;
* **free text** is what near-duplicate text compares (schema type ``text``, the configured
  columns, or without a schema a column that reads as prose);
* **every other column** vetoes a near-text or linkage merge when both rows fill it in with
  different values (a category such as sex or status, a key such as a transaction id, a number
  beyond tolerance, a day), unless the source config says it may differ (``dedup.may_differ``)
  or record linkage weighs it as evidence (``dedup.linkage.fields``).

Decided from whole columns (the clean runner's fit pass), never from one batch, so the result does
not depend on the batch size.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timezone

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from headwater.clean.failures import TIME_DROPPED, ZONE_DROPPED
from headwater.clean.steps.base import EXCEL_MANGLED, RAW_SUFFIX, REASON_SUFFIX, is_value_column
from headwater.clean.text import SPLIT_SPACE
from headwater.clean.values import parse_date

_WORD_RE = "[^" + SPLIT_SPACE + "]+"  # a word of str.split(): a run of characters that are not str.isspace()
COUNTER_NAMES = frozenset({"rownames", "row_names", "index", "unnamed_0", "rowid", "row_id", "row_number", "rownum", "row_num", "row"})
_UNNAMED = re.compile(r"^unnamed_\d+$")


@dataclass(frozen=True)
class ColumnRoles:
    """Roles of a table's value columns (in table order): which are counters, free text, numbers, dates."""

    columns: tuple[str, ...]
    counters: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    kinds: dict[str, str] = field(default_factory=dict)  # column -> string | number | date | boolean

    def vetoing(self, exclude: set[str] | frozenset[str]) -> list[str]:
        """Columns whose difference vetoes a merge: not counters, not free text, not in ``exclude``."""
        return [c for c in self.columns if c not in self.counters and c not in self.text and c not in exclude]


def kind_of(series: pd.Series) -> str:
    """``number``, ``date``, ``boolean`` or ``string`` from a column's dtype (after type coercion)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if dtype == object and len(series):
        sample = series.dropna()
        if len(sample) and all(hasattr(v, "isoformat") for v in sample.iloc[:50]):
            return "date"
    return "string"


def is_counter(name: str, series: pd.Series) -> bool:
    """A row counter or surrogate key: a counter's name with integer values, or integers that rise
    strictly with the file and sit densely (max - min < 2 x rows), at least three of them."""
    values = _integers(series)
    if values is None:
        return False
    if name in COUNTER_NAMES or _UNNAMED.match(name):
        return len(np.unique(values)) == len(values)
    return _rising(values, len(series))


def _integers(series: pd.Series) -> np.ndarray | None:
    """The column as int64 when every value is an integer (numbers or digit strings), else None."""
    if series.isna().any() or not len(series):
        return None
    if pd.api.types.is_integer_dtype(series.dtype):
        return series.to_numpy(dtype=np.int64)
    if pd.api.types.is_float_dtype(series.dtype):
        arr = series.to_numpy(dtype=np.float64)
        return arr.astype(np.int64) if np.all(np.isfinite(arr)) and np.all(arr == np.floor(arr)) and np.abs(arr).max() < 2**53 else None
    if pd.api.types.is_string_dtype(series.dtype):
        # the first INTEGER_PROBE values first: a column of names or e-mails fails there, before the whole column's
        # cast and match (the answer is the same: every value must match)
        if not series.iloc[:INTEGER_PROBE].astype(str).str.fullmatch(_INTEGER_TEXT).all():
            return None
        text = series.astype(str)
        if text.str.fullmatch(_INTEGER_TEXT).all():
            return text.astype(np.int64).to_numpy()
    return None


INTEGER_PROBE = 1_000  # values ``_integers`` matches before the whole column
_INTEGER_TEXT = r"-?\d{1,18}"


def _rising(values: np.ndarray, n: int) -> bool:
    return n >= 3 and bool(np.all(np.diff(values) > 0)) and int(values[-1]) - int(values[0]) < 2 * n


def reads_as_prose(series: pd.Series, min_chars: int, min_words: float) -> bool:
    """A string column whose filled values average at least ``min_chars`` characters and ``min_words`` words."""
    if kind_of(series) != "string":
        return False
    values = series.dropna().astype(str)
    if not len(values):
        return False
    if float(values.str.len().mean()) < min_chars:
        return False
    # words as str.split() makes them (runs of non-whitespace, str.isspace), counted by Arrow: no list per value
    arr = pa.Array.from_pandas(values)
    words = int(pc.sum(pc.count_substring_regex(arr, _WORD_RE)).as_py() or 0)
    return words / len(values) >= min_words


def decide_roles(
    columns: Mapping[str, pd.Series], declared: Mapping[str, str], text_columns: list[str] | None,
    min_chars: int = 40, min_words: float = 6.0,
) -> ColumnRoles:
    """Roles of the value columns of ``columns`` (whole columns, file order).

    ``declared``: the schema's column types (``text`` marks free text); ``text_columns``: the
    configured free-text columns (None: declared ``text`` columns, or without a schema the columns
    that read as prose). Raises ValueError naming a configured text column that is not in the data.
    """
    names = [c for c in columns if is_value_column(c)]
    if text_columns is not None:
        missing = [c for c in text_columns if c not in names]
        if missing:
            raise ValueError(f"dedup.text.columns: {', '.join(missing)} not in the data (columns: {', '.join(names)})")
    fixed = list(text_columns) if text_columns is not None else [c for c in names if declared.get(c) == "text"] if declared else None
    text: list[str] = []
    kinds: dict[str, str] = {}
    counters: list[str] = []
    for c in names:  # one column at a time, each read once here (``columns`` may load it from disk)
        if fixed is not None and c in fixed:
            kinds[c] = "text"
            continue
        series = columns[c]
        if fixed is None and reads_as_prose(series, min_chars, min_words):
            text.append(c)
            kinds[c] = "text"
            continue
        kinds[c] = kind_of(series)
        if is_counter(c, series):
            counters.append(c)
    if fixed is not None:
        text = fixed  # in the configured order
    return ColumnRoles(
        columns=tuple(names), counters=tuple(counters), text=tuple(text),
        numeric=tuple(c for c in names if kinds[c] == "number"), dates=tuple(c for c in names if kinds[c] == "date"), kinds=kinds,
    )


_LETTER_RUNS = re.compile(r"[^\W\d_]+")
_ASCII_DIGIT = re.compile(r"[0-9]")
CASE_FOLD_MIN_LETTERS = 4  # a value with fewer letters is a code or a symbol, compared as written (mW/MW, Co/CO)


def folds_case(text: str) -> bool:
    """Whether a veto may compare ``text`` without its case: it holds no digit, at least
    ``CASE_FOLD_MIN_LETTERS`` letters, and each run of letters is lower-case, upper-case or capitalized
    (``Active``/``ACTIVE``, ``Ann.Lee@Example.com``/``ann.lee@example.com``).

    Any other value is compared as written (breaker4 #16): case-sensitive ids (Salesforce's 15-character
    ``500xx000001AbCdAAA``/``500xx000001abcdAAA``, base62 keys, YouTube ids), codes and unit symbols
    (``mW``/``MW``: milliwatt and megawatt; ``Co``/``CO``) are different values when only their case
    differs. A value read as written where case did not matter (``McDonald``/``MCDONALD``) is a veto: a
    missed duplicate, never a false merge.
    """
    if _has_digit(text):
        return False
    runs = _LETTER_RUNS.findall(text)
    return sum(map(len, runs)) >= CASE_FOLD_MIN_LETTERS and all(r.islower() or r.isupper() or r.istitle() for r in runs)


def _has_digit(text: str) -> bool:
    """``any(ch.isdigit() for ch in text)``: on an ASCII text a regex scan for ``0-9`` (the only ASCII digits), on
    another each character's ``str.isdigit`` (superscripts and circled digits too, which ``\\d`` does not match)."""
    return _ASCII_DIGIT.search(text) is not None if text.isascii() else any(map(str.isdigit, text))


def _as_compared(text: str, fold_case: bool) -> str:
    text = text.strip()
    return text.lower() if fold_case or folds_case(text) else text


def comparable(series: pd.Series, fold_case: bool = False) -> list[str | None]:
    """Values as the comparisons see them: trimmed text (lower-cased when ``fold_case``, else where
    ``folds_case`` allows it), ISO dates, whole numbers without ".0"; missing -> None.

    ``fold_case``: True for evidence (record linkage's field comparisons, blocking), where a case
    difference is a spelling; False for vetoes, where it may be another value (``folds_case``).
    """
    if isinstance(series.dtype, pd.StringDtype) and len(series) >= ARROW_COMPARABLE_MIN:
        return _comparable_strings(series, fold_case)
    out: list[str | None] = []
    for v in series.tolist():
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        elif isinstance(v, str):
            out.append(_as_compared(v, fold_case) or None)  # "" is missing too
        elif hasattr(v, "isoformat"):
            out.append(v.isoformat())
        elif isinstance(v, float) and v == math.floor(v) and abs(v) < 2**53:
            out.append(str(int(v)))
        else:
            out.append(_as_compared(str(v), fold_case) or None)
    return out


ARROW_COMPARABLE_MIN = 64  # a string column of this many values or more: ``_comparable_strings``
_ASCII_SPACE = "".join(chr(i) for i in range(128) if chr(i).isspace())  # what str.strip() strips from an ASCII text
_MIXED_CASE_RUN = "[a-z][A-Z]|[A-Z][A-Z][a-z]"  # in a run of ASCII letters: neither lower, upper nor title case


def _comparable_strings(series: pd.Series, fold_case: bool) -> list[str | None]:
    """``comparable`` of a string column: its ASCII values with Arrow kernels, the others one by one (``_as_compared``).

    On an ASCII text the rules are ASCII ones, so kernels decide them exactly: ``str.strip()`` strips the ASCII
    characters of ``str.isspace`` (``_ASCII_SPACE``, \\x1c-\\x1f among them); the only digits are 0-9; a run of
    letters (``[^\\W\\d_]+``) is a run of A-Z and a-z, which is lower, upper or title case unless it holds a lower
    letter before an upper one or two upper letters before a lower one (``_MIXED_CASE_RUN``); and lower-casing is
    ASCII's. 20,000 e-mail addresses: 0.010 s of CPU one by one, 0.0075 s so; 20,000 customer ids 0.0086 -> 0.0047 s.
    """
    arr = pa.Array.from_pandas(series)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    ascii_ = pc.fill_null(pc.string_is_ascii(arr), False)
    stripped = pc.utf8_trim(arr, _ASCII_SPACE)
    if fold_case:
        compared = pc.ascii_lower(stripped)
    else:
        # no digit, no mixed-case run, and CASE_FOLD_MIN_LETTERS letters: searched for, not counted (a count of every
        # letter cost four times the rest together on e-mail addresses)
        letters = "[A-Za-z]" + "(?:[^A-Za-z]*[A-Za-z])" * (CASE_FOLD_MIN_LETTERS - 1)
        folds = pc.and_(pc.invert(pc.match_substring_regex(stripped, "[0-9]|" + _MIXED_CASE_RUN)), pc.match_substring_regex(stripped, letters))
        compared = pc.if_else(folds, pc.ascii_lower(stripped), stripped)
    out: list[str | None] = []
    for v, fast, text in zip(arr.to_pylist(), ascii_.to_pylist(), compared.to_pylist()):
        if v is None:
            out.append(None)
        elif fast:
            out.append(text or None)
        else:
            out.append(_as_compared(v, fold_case) or None)
    return out


def codes_of(values: list[str | None]) -> np.ndarray:
    """An int64 code per value (equal values, equal codes; None: -1)."""
    return pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)[0].astype(np.int64)


def factorized(series: pd.Series, fold_case: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(int64 code per row, -1 where missing; the distinct comparable values as an object array, index = code).

    The same codes as ``codes_of(comparable(series, fold_case))`` (numbered by first appearance), but only the
    distinct raw values go through ``comparable``: a column of 100k rows and 300 names normalizes 300.
    """
    raw_codes, uniques = pd.factorize(series.reset_index(drop=True), use_na_sentinel=True)
    texts = comparable(pd.Series(uniques, dtype=series.dtype if len(uniques) else object), fold_case)
    text_codes, values = pd.factorize(pd.Series(texts, dtype=object), use_na_sentinel=True)
    raw_codes = np.asarray(raw_codes, dtype=np.int64)
    codes = np.where(raw_codes >= 0, np.asarray(text_codes, dtype=np.int64)[np.maximum(raw_codes, 0)] if len(text_codes) else -1, -1)
    return codes.astype(np.int64), np.asarray(values, dtype=object)


def _typed_or_raw(typed: pd.Series, raw: pd.Series) -> np.ndarray:
    """Codes of a typed column whose failed values kept their text in ``raw``: the typed value where there is
    one, else the raw text (``"raw:" + text`` in ``codes_of`` terms: never equal to a typed value), else -1.

    The codes of ``codes_of`` over those values (numbered by first appearance), from the distinct values of
    each column only (``factorized``): no Python object per row.
    """
    typed_codes, typed_values = factorized(typed)
    raw_codes, _ = factorized(raw)
    key = np.where(typed_codes >= 0, typed_codes, np.where(raw_codes >= 0, len(typed_values) + raw_codes, -1))
    codes = np.full(len(key), -1, dtype=np.int64)
    present = key >= 0
    codes[present] = pd.factorize(key[present])[0]
    return codes


def pieces_of(frame: Mapping[str, pd.Series], name: str) -> Iterator[pd.Series]:
    """The column ``name`` of ``frame`` in consecutive pieces, in row order, each with the whole column's dtype.

    A frame that reads its columns from disk batch by batch (the clean runner's spilled batches,
    headwater.clean.runner) gives them through its ``pieces`` method, one batch in memory at a time;
    any other mapping gives the whole column as one piece. Raises KeyError when ``name`` is not in ``frame``.
    """
    pieces = getattr(frame, "pieces", None)
    if pieces is None:
        yield pd.Series(frame[name]).reset_index(drop=True)
        return
    yield from pieces(name)


def row_count(frame: Mapping[str, pd.Series], name: str) -> int:
    """Rows of ``frame``: its ``num_rows`` when it has one (nothing read), else the length of its column ``name``."""
    rows = getattr(frame, "num_rows", None)
    return int(rows) if rows is not None else len(frame[name])


def rows_of(frame: Mapping[str, pd.Series], name: str, rows: np.ndarray) -> pd.Series:
    """The values of column ``name`` at the positions ``rows`` (sorted, no repeats), index 0..len(rows)-1.

    Read piece by piece (``pieces_of``): only one piece of the column and the values asked for are in
    memory at once. The dtype is the whole column's: every piece contributes its (possibly empty) slice
    to the concatenation, so the result equals ``frame[name].iloc[rows]`` values and dtype alike.
    """
    rows = np.asarray(rows, dtype=np.int64)
    taken, lo = [], 0
    for piece in pieces_of(frame, name):
        hi = lo + len(piece)
        first, last = np.searchsorted(rows, [lo, hi])
        taken.append(piece.iloc[rows[first:last] - lo])
        lo = hi
    return _concatenated(taken, name)


class _RowsRead(Mapping[str, pd.Series]):
    """The values of some rows (``rows``: positions, sorted, no repeats) of ``frame``'s columns, index 0..len(rows)-1:
    ``rows_of``, read once per column when first asked for and kept (``Vetoes.build`` for some rows reads a
    column's ``__reason`` for three checks, and its ``__raw`` for the check that any row holds one and for its codes)."""

    def __init__(self, frame: Mapping[str, pd.Series], rows: np.ndarray) -> None:
        self._frame, self._rows, self._read = frame, rows, {}
        self._filled: dict[str, bool] = {}  # whole columns read by ``read_together``: whether any row holds a value

    def read_together(self, names: list[str]) -> None:
        """Read ``names`` (those of ``frame`` not read yet) at ``rows`` in one pass over the pieces, several columns
        of a piece at once, when ``frame`` can give them so (a ``piece_frames`` method: headwater.clean.runner reads
        each spilled batch once for all of them instead of once a column); otherwise nothing is read here, and each
        column is read by ``rows_of`` when asked for. The values kept are ``rows_of``'s, and ``filled``'s answer too.
        Holds one piece of those columns at a time (not one piece of one column)."""
        frames = getattr(self._frame, "piece_frames", None)
        wanted = [n for n in dict.fromkeys(names) if n not in self._read and n in self._frame]
        pieces = frames(wanted) if frames is not None and len(wanted) > 1 else None
        if pieces is None:
            return
        taken: dict[str, list[pd.Series]] = {n: [] for n in wanted}
        filled = dict.fromkeys(wanted, False)
        lo = 0
        for piece in pieces:
            hi = lo + len(piece)
            first, last = np.searchsorted(self._rows, [lo, hi])
            at = self._rows[first:last] - lo
            for n in wanted:
                column = piece[n]
                filled[n] = filled[n] or bool(column.notna().any())
                taken[n].append(column.iloc[at])
            lo = hi
        for n in wanted:
            self._read[n] = _concatenated(taken[n], n)
            self._filled[n] = filled[n]

    def __getitem__(self, name: str) -> pd.Series:
        if name not in self._read:
            self._read[name] = rows_of(self._frame, name, self._rows)
        return self._read[name]

    def __contains__(self, name: object) -> bool:
        return name in self._frame

    def __iter__(self) -> Iterator[str]:
        return iter(self._frame)

    def __len__(self) -> int:
        return len(self._frame)

    def filled(self, name: str) -> bool:
        """Whether any row of the whole column ``name`` holds a value; its values at ``rows`` are kept on the way
        (one pass over its pieces: ``rows_of``'s, and ``any(piece.notna().any())`` over the same pieces), or as
        ``read_together`` found it."""
        if name in self._filled:
            return self._filled[name]
        taken, lo, filled = [], 0, False
        for piece in pieces_of(self._frame, name):
            hi = lo + len(piece)
            filled = filled or bool(piece.notna().any())
            first, last = np.searchsorted(self._rows, [lo, hi])
            taken.append(piece.iloc[self._rows[first:last] - lo])
            lo = hi
        self._read[name] = _concatenated(taken, name)
        return filled


def _concatenated(taken: list[pd.Series], name: str) -> pd.Series:
    """``rows_of``'s answer from the values it took of each piece."""
    if not taken:
        return pd.Series([], dtype=object, name=name)
    return pd.concat(taken, ignore_index=True) if len(taken) > 1 else taken[0].reset_index(drop=True)


def mangled_rows(frame: Mapping[str, pd.Series], col: str, rows: np.ndarray | None = None) -> np.ndarray | None:
    """Bool per row (or per position of ``rows``, read piece by piece: ``rows_of``): ``<col>__reason`` says the
    value of ``col`` is an identifier Excel wrote in scientific notation (``EXCEL_MANGLED``: ``1.23457E+11``, its
    digits after the sixth lost; headwater.clean.steps.coerce_types). None when no row says so."""
    name = col + REASON_SUFFIX
    if name not in frame:
        return None
    reason = pd.Series(frame[name]) if rows is None else rows_of(frame, name, rows)
    out = reason.astype("string").str.contains(EXCEL_MANGLED, regex=False).fillna(False).to_numpy(dtype=bool)
    return out if out.any() else None


def _apart(codes: np.ndarray, mangled: np.ndarray | None) -> np.ndarray:
    """``codes`` with each ``mangled`` row given a code of its own: two such values never compare equal."""
    if mangled is None:
        return codes
    codes = codes.copy()
    codes[mangled] = int(codes.max(initial=-1)) + 1 + np.arange(int(mangled.sum()))
    return codes


def _written_time(raw: str, day: object) -> str:
    """The time a ``time_dropped`` value writes, as a comparable text: ``instant:`` and the UTC instant for a value that
    names its offset or zone (``2024-03-05 09:00 Europe/Berlin`` and ``2024-03-05 08:00 +00:00`` are one instant),
    ``wall:`` and the wall time for one that does not (``2024-03-05 09:00``), ``text:`` and the text as written for one
    ``parse_date`` does not read. The date is the stored one (``day``: the date written, read in the file's day order),
    so only the time and its zone decide; ``raw`` is read month first, else day first, for its time alone."""
    text = raw.strip()
    written = parse_date(text, False, local=True) or parse_date(text, True, local=True)
    if written is None or not hasattr(day, "year"):
        return "text:" + text
    at = written.replace(year=day.year, month=day.month, day=day.day)  # type: ignore[attr-defined]
    if at.tzinfo is None:
        return "wall:" + at.isoformat()
    return "instant:" + at.astimezone(timezone.utc).isoformat()


def written_times_of(frame: Mapping[str, pd.Series], col: str, rows: np.ndarray | None = None) -> np.ndarray | None:
    """An int64 code per row (or per position of ``rows``, read piece by piece: ``rows_of``) for the time of day a value
    of the date column ``col`` wrote and did not store (``<col>__reason`` names ``time_dropped``, the text kept in
    ``<col>__raw``; headwater.clean.values.coerce): equal codes, one written time (``_written_time``: one instant, or
    one wall time); -1 where no time was dropped. None when no row dropped one (breaker7 #21: ``2024-03-05 09:00`` and
    ``2024-03-05 17:00`` store one date and are two visits). A date whose RFC 9557 zone was dropped (``zone_dropped``:
    ``2024-03-05[Europe/Berlin]``) compares as the first instant of that day in that zone: Berlin's 5 March and Tokyo's
    are two days; Berlin's and Paris's one."""
    reason_name, raw_name = col + REASON_SUFFIX, col + RAW_SUFFIX
    if reason_name not in frame or raw_name not in frame:
        return None
    reason = pd.Series(frame[reason_name]) if rows is None else rows_of(frame, reason_name, rows)
    dropped = reason.astype("string").str.contains(f"{TIME_DROPPED}|{ZONE_DROPPED}", regex=True).fillna(False).to_numpy(dtype=bool)
    if not dropped.any():
        return None
    raw = pd.Series(frame[raw_name]) if rows is None else rows_of(frame, raw_name, rows)
    day = pd.Series(frame[col]) if rows is None else rows_of(frame, col, rows)
    at = np.flatnonzero(dropped & raw.notna().to_numpy(dtype=bool))
    texts: list[str | None] = [None] * len(dropped)
    seen: dict[tuple[str, object], str] = {}  # each distinct (text, date) read once
    for k, r, d in zip(at.tolist(), raw.iloc[at].tolist(), day.iloc[at].tolist()):
        key = (str(r), d)
        if key not in seen:
            seen[key] = _written_time(key[0], d)
        texts[k] = seen[key]
    return codes_of(texts)


# reasons of a date read in a day order no value of the file had shown (headwater.clean.values: ``03/04/2025`` read
# day first, or month first; ``03.04.2025`` read day first as dotted dates are): the other order was possible
ASSUMED_DAY_ORDER = ("day_order", "dotted_day_order")


def day_orders_of(frame: Mapping[str, pd.Series], col: str, rows: np.ndarray | None = None) -> np.ndarray | None:
    """An int64 code per row (or per position of ``rows``, read piece by piece: ``rows_of``) of the dates a value of the
    date column ``col`` may be: both readings (the stored date and its day and month swapped) where ``<col>__reason``
    says the day order was assumed (``ASSUMED_DAY_ORDER``), the stored date alone elsewhere; -1 where none is stored.
    None when no row assumed the order. ``03/04/2025`` (stored 3 April, perhaps 4 March) and ``2025-04-03`` differ;
    ``03/04/2025`` and ``3/4/2025`` do not, in either order."""
    reason_name = col + REASON_SUFFIX
    if reason_name not in frame:
        return None
    reason = pd.Series(frame[reason_name]) if rows is None else rows_of(frame, reason_name, rows)
    text = reason.astype("string")
    assumed = np.zeros(len(text), dtype=bool)
    for why in ASSUMED_DAY_ORDER:
        assumed |= text.str.contains(rf"(?:^|; ){why}(?:;|$)", regex=True).fillna(False).to_numpy(dtype=bool)
    if not assumed.any():
        return None
    day = pd.Series(frame[col]) if rows is None else rows_of(frame, col, rows)
    keys: list[str | None] = []
    for d, guessed in zip(day.tolist(), assumed.tolist()):
        if d is None or d is pd.NaT or d is pd.NA or not hasattr(d, "year"):
            keys.append(None)
            continue
        other = d
        if guessed and d.day <= 12:
            try:
                other = d.replace(month=d.day, day=d.month)
            except ValueError:
                other = d
        keys.append(" | ".join(sorted({d.isoformat()[:10], other.isoformat()[:10]})))
    return codes_of(keys)


def numbers(series: pd.Series) -> np.ndarray:
    """A numeric column as float64 (missing: NaN)."""
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy(na_value=np.nan)


@dataclass
class Vetoes:
    """Checks pairs of rows against the vetoing columns: a difference where both rows have a value vetoes.

    ``frame`` keeps the table's columns (as given to ``build``) so that the near-duplicate job can
    read the free text of its candidate pairs for token verification (headwater.clean.dedup.verify).

    Built for every row (``build``), or for some rows only (``build(..., rows=...)``; ``deferred`` then
    ``for_rows``): the near-duplicate job checks only the rows of its pairs above the threshold, so it
    holds their codes (a few percent of the table) instead of 8 bytes a row a column. A value's code is
    only ever compared with another code of the same build, so the checks and the agreed columns of any
    pair are the same either way.
    """

    columns: list[str]
    codes: dict[str, np.ndarray]  # string/date/boolean columns: integer code per row (-1: missing)
    values: dict[str, np.ndarray]  # numeric columns: float64 per row (NaN: missing)
    tolerance: float = 0.0
    frame: Mapping[str, pd.Series] | None = None  # the table the checks were built from (the texts verification reads)
    rows: np.ndarray | None = None  # the table positions ``codes``/``values`` hold (sorted int64); None: every row
    numeric: frozenset[str] = frozenset()  # numeric columns, kept for ``for_rows``
    pending: bool = False  # made by ``deferred``: nothing built until ``for_rows``
    # date columns whose values dropped a written time (``written_times_of``) or assumed a day order (``day_orders_of``):
    # code arrays per row, -1 where none; two rows with a code each that differ there differ in the column, though their
    # stored dates are equal
    times: dict[str, list[np.ndarray]] = field(default_factory=dict)

    @classmethod
    def build(cls, frame: Mapping[str, pd.Series], columns: list[str], numeric: set[str], tolerance: float = 0.0,
              rows: np.ndarray | None = None) -> Vetoes:
        """The checks of ``columns`` over ``frame``; ``rows`` (sorted positions, no repeats): for those rows only,
        read piece by piece (``rows_of``). Raises KeyError for a column not in ``frame``."""
        codes, values, times = {}, {}, {}
        # for some rows: each column's values at those rows, read once however many checks read them (``_RowsRead``)
        source = frame if rows is None else _RowsRead(frame, np.asarray(rows, dtype=np.int64))
        if isinstance(source, _RowsRead):  # every column the checks below may read, in one pass over the pieces
            source.read_together([name for c in columns for name in (c, c + RAW_SUFFIX, c + REASON_SUFFIX)])
        for c in columns:
            raw_name = c + RAW_SUFFIX
            # a value kept raw (failed its type) is a value too; decided on the whole column, whichever rows are built
            if raw_name in frame and (source.filled(raw_name) if isinstance(source, _RowsRead)
                                      else any(bool(piece.notna().any()) for piece in pieces_of(frame, raw_name))):
                codes[c] = _typed_or_raw(source[c], source[raw_name])
            elif c in numeric:
                values[c] = numbers(source[c])
            else:
                codes[c] = factorized(source[c])[0]
            if c in codes:  # an id Excel wrote in scientific notation lost digits: equal to no other value
                codes[c] = _apart(codes[c], mangled_rows(source, c))
            if c not in numeric:  # a date column: the time it dropped, the day order it assumed
                times[c] = [w for w in (written_times_of(source, c), day_orders_of(source, c)) if w is not None]
                if not times[c]:
                    del times[c]
        kept = None if rows is None else np.asarray(rows, dtype=np.int64)
        return cls(list(columns), codes, values, tolerance, frame, kept, frozenset(numeric), times=times)

    @classmethod
    def deferred(cls, frame: Mapping[str, pd.Series], columns: list[str], numeric: set[str], tolerance: float = 0.0) -> Vetoes:
        """The checks of ``columns`` over ``frame``, built later by ``for_rows`` for the rows that need them."""
        return cls(list(columns), {}, {}, tolerance, frame, None, frozenset(numeric), pending=True)

    def for_rows(self, rows: np.ndarray) -> Vetoes:
        """Checks able to compare any two of ``rows`` (positions, sorted, no repeats): ``self`` unless deferred."""
        if not self.pending:
            return self
        assert self.frame is not None
        return Vetoes.build(self.frame, self.columns, set(self.numeric), self.tolerance, rows=rows)

    def _at(self, rows: np.ndarray) -> np.ndarray:
        """Positions of table rows ``rows`` in the built arrays. Raises IndexError for a row not built."""
        if self.pending:
            raise IndexError("Vetoes.deferred: call for_rows first")
        if self.rows is None:
            return rows
        at = np.searchsorted(self.rows, rows)
        if len(rows) and (int(at.max()) >= len(self.rows) or not np.array_equal(self.rows[at], rows)):
            raise IndexError("Vetoes: a row outside those it was built for")
        return at

    def _filled_and_differ(self, c: str, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per pair: whether both rows fill ``c`` in, and whether they differ there (``a``, ``b``: positions already ``_at``)."""
        if c in self.values:
            x, y = self.values[c][a], self.values[c][b]
            both = ~np.isnan(x) & ~np.isnan(y)
            scale = np.maximum(np.abs(x), np.abs(y))
            return both, both & (np.abs(x - y) > self.tolerance * np.where(scale > 0, scale, 1.0))
        x, y = self.codes[c][a], self.codes[c][b]
        both = (x >= 0) & (y >= 0)
        differ = both & (x != y)
        for written in self.times.get(c, ()):  # one stored date, two times written or two possible days: two values
            tx, ty = written[a], written[b]
            differ |= both & (tx >= 0) & (ty >= 0) & (tx != ty)
        return both, differ

    def check(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Vetoed per pair (rows a[k], b[k]): bool array of len(a)."""
        vetoed = np.zeros(len(a), dtype=bool)
        if self.columns:
            a, b = self._at(np.asarray(a, dtype=np.int64)), self._at(np.asarray(b, dtype=np.int64))
        for c in self.columns:
            vetoed |= self._filled_and_differ(c, a, b)[1]
        return vetoed

    def agreed(self, a: np.ndarray, b: np.ndarray) -> list[list[str]]:
        """Per pair: the vetoing columns both rows fill in (so, for a pair that passed the check, with the same value)."""
        out: list[list[str]] = [[] for _ in range(len(a))]
        if self.columns:
            a, b = self._at(np.asarray(a, dtype=np.int64)), self._at(np.asarray(b, dtype=np.int64))
        for c in self.columns:
            both, differ = self._filled_and_differ(c, a, b)
            for k in np.nonzero(both & ~differ)[0].tolist():
                out[k].append(c)
        return out
