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
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from headwater.clean.steps.base import RAW_SUFFIX, is_value_column
from headwater.clean.text import SPLIT_SPACE

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
        text = series.astype(str)
        if text.str.fullmatch(r"-?\d{1,18}").all():
            return text.astype(np.int64).to_numpy()
    return None


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
    if any(ch.isdigit() for ch in text):
        return False
    runs = _LETTER_RUNS.findall(text)
    return sum(map(len, runs)) >= CASE_FOLD_MIN_LETTERS and all(r.islower() or r.isupper() or r.istitle() for r in runs)


def _as_compared(text: str, fold_case: bool) -> str:
    text = text.strip()
    return text.lower() if fold_case or folds_case(text) else text


def comparable(series: pd.Series, fold_case: bool = False) -> list[str | None]:
    """Values as the comparisons see them: trimmed text (lower-cased when ``fold_case``, else where
    ``folds_case`` allows it), ISO dates, whole numbers without ".0"; missing -> None.

    ``fold_case``: True for evidence (record linkage's field comparisons, blocking), where a case
    difference is a spelling; False for vetoes, where it may be another value (``folds_case``).
    """
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


def numbers(series: pd.Series) -> np.ndarray:
    """A numeric column as float64 (missing: NaN)."""
    return pd.to_numeric(series, errors="coerce").astype("float64").to_numpy(na_value=np.nan)


@dataclass
class Vetoes:
    """Checks pairs of rows against the vetoing columns: a difference where both rows have a value vetoes.

    ``frame`` keeps the table's columns (as given to ``build``) so that the near-duplicate job can
    read the free text of its candidate pairs for token verification (headwater.clean.dedup.verify).
    """

    columns: list[str]
    codes: dict[str, np.ndarray]  # string/date/boolean columns: integer code per row (-1: missing)
    values: dict[str, np.ndarray]  # numeric columns: float64 per row (NaN: missing)
    tolerance: float = 0.0
    frame: Mapping[str, pd.Series] | None = None  # the table the checks were built from (the texts verification reads)

    @classmethod
    def build(cls, frame: Mapping[str, pd.Series], columns: list[str], numeric: set[str], tolerance: float = 0.0) -> Vetoes:
        codes, values = {}, {}
        for c in columns:
            raw = frame.get(c + RAW_SUFFIX)
            if raw is not None and raw.notna().any():  # a value kept raw (failed its type) is a value too
                codes[c] = _typed_or_raw(frame[c], raw)
            elif c in numeric:
                values[c] = numbers(frame[c])
            else:
                codes[c] = factorized(frame[c])[0]
        return cls(list(columns), codes, values, tolerance, frame)

    def _filled_and_differ(self, c: str, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if c in self.values:
            x, y = self.values[c][a], self.values[c][b]
            both = ~np.isnan(x) & ~np.isnan(y)
            scale = np.maximum(np.abs(x), np.abs(y))
            return both, both & (np.abs(x - y) > self.tolerance * np.where(scale > 0, scale, 1.0))
        x, y = self.codes[c][a], self.codes[c][b]
        both = (x >= 0) & (y >= 0)
        return both, both & (x != y)

    def check(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Vetoed per pair (rows a[k], b[k]): bool array of len(a)."""
        vetoed = np.zeros(len(a), dtype=bool)
        for c in self.columns:
            vetoed |= self._filled_and_differ(c, a, b)[1]
        return vetoed

    def agreed(self, a: np.ndarray, b: np.ndarray) -> list[list[str]]:
        """Per pair: the vetoing columns both rows fill in (so, for a pair that passed the check, with the same value)."""
        out: list[list[str]] = [[] for _ in range(len(a))]
        for c in self.columns:
            both, differ = self._filled_and_differ(c, a, b)
            for k in np.nonzero(both & ~differ)[0].tolist():
                out[k].append(c)
        return out
