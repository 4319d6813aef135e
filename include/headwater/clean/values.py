"""Values: numbers, booleans and dates parsed from their many spellings, column by column.

Columns declared in a canonical schema get their declared type. Other columns
(or every column when there is no config) are inferred: a type is chosen when at
least ``infer_min_share`` of the column's values parse as it. Identifier-like
columns (``*_id``, values with leading zeros) stay strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pyarrow as pa

from headwater.config.types import TypeOptions
from headwater.names import looks_like_identifier

DATE_DTYPE = pd.ArrowDtype(pa.date32())
DATETIME_DTYPE = "datetime64[us, UTC]"
PANDAS_DTYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "date": DATE_DTYPE, "datetime": DATETIME_DTYPE}

TRUE = frozenset({"true", "t", "yes", "y", "1", "on"})
FALSE = frozenset({"false", "f", "no", "n", "0", "off"})
_WORD_BOOLEANS = (TRUE | FALSE) - {"1", "0"}  # inference never reads 1/0 as booleans: they are numbers


# ------------------------------------------------------------------ numbers

_CURRENCY = re.compile(r"^(?:[$€£¥₹₩₽]|USD|EUR|GBP|CHF|JPY|CAD|AUD)\s*|\s*(?:[$€£¥₹₩₽]|USD|EUR|GBP|CHF|JPY|CAD|AUD)$", re.I)
_GROUPED = re.compile(r"^\d{1,3}(?:([,.' \u00a0\u202f])\d{3})(?:\1\d{3})*(?:[.,]\d+)?$")
_PLAIN = re.compile(r"^(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")


def decimal_vote(value: str) -> str | None:
    """'.' or ',' when the value itself shows its decimal mark (``1.234,50``, ``87,00``, ``3.14``), else None."""
    s = value.strip().rstrip("%").strip()
    has_c, has_p = "," in s, "." in s
    if has_c and has_p:
        return "," if s.rfind(",") > s.rfind(".") else "."
    for mark in (",", "."):
        if (has_c if mark == "," else has_p):
            parts = s.split(mark)
            if len(parts) > 2:
                return "." if mark == "," else ","  # repeated mark: it groups thousands
            digits = re.sub(r"\D", "", parts[1])
            return mark if len(digits) != 3 else None  # 1,204 is ambiguous
    return None


def parse_number(value: str, decimal: str = ".") -> float | None:
    """``1,204.50``, ``1.234,50`` (decimal=','), ``$1,200``, ``12%`` (0.12), ``(45.00)`` (-45) -> float; None if not a number."""
    s = value.strip()
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    for _ in range(2):  # currency and sign in either order: -$5, $-5
        s = _CURRENCY.sub("", s).strip()
        if s[:1] in "+-" and s:
            negative ^= s[0] == "-"
            s = s[1:].strip()
    scale = 1.0
    if s.endswith("%"):
        scale, s = 0.01, s[:-1].strip()
    if not s:
        return None
    thousands = "," if decimal == "." else "."
    if _GROUPED.match(s):
        sep = _GROUPED.match(s).group(1)  # type: ignore[union-attr]
        if sep == decimal:
            return None  # 1.234.567 read with decimal '.' is not a number
        s = s.replace(sep, "")
    elif not _PLAIN.match(s) or thousands in s:
        return None
    s = s.replace(decimal, ".")
    try:
        number = float(s)
    except ValueError:
        return None
    return (-number if negative else number) * scale


# ------------------------------------------------------------------ booleans


def parse_bool(value: str) -> bool | None:
    v = value.strip().lower()
    return True if v in TRUE else False if v in FALSE else None


# ------------------------------------------------------------------ dates

_NUMERIC_DATE = re.compile(r"^(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})(?:[ T](.+))?$")
_MONTH = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", re.I)
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")


def dayfirst_vote(value: str) -> bool | None:
    """True/False when a numeric date shows its order (``15/02/2024`` / ``02/15/2024``), else None."""
    m = _NUMERIC_DATE.match(value.strip())
    if not m or len(m.group(1)) == 4 or m.group(2) == ".":
        return None
    a, b = int(m.group(1)), int(m.group(3))
    return True if a > 12 >= b else False if b > 12 >= a else None


def parse_date(value: str, dayfirst: bool = False) -> datetime | None:
    """One date or date-time in ISO, numeric (``15/02/2024``, ``01.03.2024``) or worded (``March 12 2024``) form.

    Returns an aware UTC datetime (naive input is taken as UTC), or None. A value
    must name a year, a month and a day: ``May`` or ``2024`` alone is not a date.
    """
    from dateutil import parser as du

    s = value.strip()
    m = _NUMERIC_DATE.match(s)
    try:
        if m:
            first, sep, mid, last, rest = m.groups()
            if len(first) == 4:
                y, mo, d = int(first), int(mid), int(last)
            else:
                if len(last) not in (2, 4):
                    return None
                y = int(last) + (2000 if len(last) == 2 and int(last) < 70 else 1900 if len(last) == 2 else 0)
                day_first = True if sep == "." else dayfirst
                d, mo = (int(first), int(mid)) if day_first else (int(mid), int(first))
            out = datetime(y, mo, d)
            if rest:
                t = du.parse(rest, default=out)
                out = t
        else:
            if len(re.findall(r"\d+", s)) < 2 or (not _MONTH.search(s) and len(re.findall(r"\d+", s)) < 3):
                return None
            out = du.parse(s, dayfirst=dayfirst, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError, du.ParserError):
        return None
    if out.tzinfo is None:
        return out.replace(tzinfo=timezone.utc)
    return out.astimezone(timezone.utc)


# ------------------------------------------------------------------ column coercion


@dataclass
class Coerced:
    values: pd.Series  # typed; failures are missing
    failed: pd.Series  # bool: non-missing input that did not parse


VOTE_SAMPLE = 5_000  # distinct values looked at to decide a column's decimal mark, day order or type
INFER_ROWS = 100_000  # rows looked at to infer a column's type


def _decide_decimal(values: pd.Series, option: str) -> str:
    if option != "auto":
        return option
    votes = [v for v in map(decimal_vote, values[:VOTE_SAMPLE]) if v]
    return "," if votes.count(",") > votes.count(".") else "."


def _decide_dayfirst(values: pd.Series, option: str | bool) -> bool:
    if option != "auto":
        return bool(option)
    votes = [v for v in map(dayfirst_vote, values[:VOTE_SAMPLE]) if v is not None]
    return votes.count(True) > votes.count(False)


_SIMPLE_NUMBER = {".": r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", ",": r"[+-]?\d+(?:,\d+)?"}
_ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"


def parse_numbers(values: pd.Series, decimal: str) -> np.ndarray:
    """parse_number over a column of distinct strings: plain numbers vectorized, the rest one by one. NaN = not a number."""
    s = values.str.strip()
    out = np.full(len(s), np.nan)
    simple = s.str.fullmatch(_SIMPLE_NUMBER[decimal]).fillna(False).to_numpy(dtype=bool)
    if simple.any():
        plain = s[simple] if decimal == "." else s[simple].str.replace(",", ".", regex=False)
        out[simple] = pd.to_numeric(plain).to_numpy(dtype="float64")
    rest = np.flatnonzero(~simple)
    if len(rest):
        parsed = [parse_number(v, decimal) for v in s.iloc[rest]]
        out[rest] = [np.nan if p is None else p for p in parsed]
    return out


def parse_datetimes(values: pd.Series, dayfirst: bool) -> pd.Series:
    """parse_date over a column of distinct strings -> datetime64[us, UTC] (NaT = not a date); ISO vectorized."""
    s = values.str.strip()
    iso = s.str.fullmatch(_ISO_DATE).fillna(False).to_numpy(dtype=bool)
    out = pd.Series(pd.NaT, index=s.index, dtype=DATETIME_DTYPE)
    if iso.any():
        out[iso] = pd.to_datetime(s[iso], format="ISO8601", errors="coerce", utc=True).astype(DATETIME_DTYPE)
    rest = np.flatnonzero(~iso | out.isna().to_numpy())
    if len(rest):
        out.iloc[rest] = pd.Series([parse_date(v, dayfirst) for v in s.iloc[rest]], dtype=object).astype(DATETIME_DTYPE).to_numpy()
    return out


def coerce(series: pd.Series, kind: str, options: TypeOptions | None = None, formats: dict[str, object] | None = None) -> Coerced:
    """Coerce a string column to ``kind``; each distinct value is parsed once.

    ``formats`` holds the column's decimal mark and day order once decided; pass the
    same dict for every batch of a file so all batches read the column alike.
    """
    options = options or TypeOptions()
    formats = {} if formats is None else formats
    if kind in ("string", "text"):
        return Coerced(series.astype("string"), pd.Series(False, index=series.index))
    codes, uniques = pd.factorize(series.astype("string"), use_na_sentinel=True)
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype="string")
    if kind in ("integer", "number"):
        decimal = formats.setdefault("decimal", _decide_decimal(distinct, options.decimal))
        numbers = parse_numbers(distinct, decimal)
        if kind == "integer":
            numbers[~np.isfinite(numbers) | (numbers != np.round(numbers))] = np.nan
            typed = pd.array(numbers, dtype="Float64").astype("Int64")
        else:
            typed = pd.array(numbers, dtype="Float64")
    elif kind == "boolean":
        typed = pd.array(distinct.map(parse_bool).tolist(), dtype="boolean")
    elif kind in ("date", "datetime"):
        dayfirst = formats.setdefault("dayfirst", _decide_dayfirst(distinct, options.dayfirst))
        stamps = parse_datetimes(distinct, dayfirst)
        if kind == "date":
            days = stamps.dt.tz_localize(None).to_numpy(dtype="datetime64[us]").astype("datetime64[D]")
            typed = pd.array(pa.array(days, type=pa.date32(), from_pandas=True), dtype=DATE_DTYPE)
        else:
            typed = stamps.array
    else:
        raise ValueError(f"unknown column type {kind!r}")
    values = typed.take(codes, allow_fill=True)
    bad = np.asarray(pd.isna(typed), dtype=bool)
    failed = (codes >= 0) & (bad[codes] if len(bad) else np.zeros(len(codes), dtype=bool))
    return Coerced(pd.Series(values, index=series.index), pd.Series(failed, index=series.index))


def infer_type(name: str, series: pd.Series, options: TypeOptions | None = None) -> str:
    """The most specific type that at least ``infer_min_share`` of the column's values parse as."""
    options = options or TypeOptions()
    head = series.iloc[:INFER_ROWS].dropna()  # the type is decided from the first rows (and then sticks)
    values = pd.Series(np.asarray(head.unique(), dtype=object)[:VOTE_SAMPLE], dtype="string").str.strip()
    values = values[values != ""].reset_index(drop=True)
    if values.empty or looks_like_identifier(name):
        return "string"
    if values.str.match(r"^[+-]?0\d+$").any():
        return "string"  # leading zeros (zip codes, account numbers) would be lost as numbers
    need = options.infer_min_share * len(values)
    lowered = values.str.lower()
    if lowered.isin(_WORD_BOOLEANS).sum() >= need:
        return "boolean"
    decimal = _decide_decimal(values, options.decimal)
    numbers = parse_numbers(values, decimal)
    parsed = numbers[~np.isnan(numbers)]
    if len(parsed) >= need:
        textual_decimals = values.str.contains(r"\d[.,]\d{1,2}$|\d[.,]\d{4,}$|%", regex=True)
        integral = bool(np.all(parsed == np.round(parsed))) and not textual_decimals.any()
        return "integer" if integral else "number"
    if values.str.len().max() <= 40:
        dayfirst = _decide_dayfirst(values, options.dayfirst)
        dates = parse_datetimes(values, dayfirst)
        ok = values[dates.notna().to_numpy()]
        if len(ok) >= need:
            timed = bool(ok.str.contains(_HAS_TIME.pattern, regex=True).any())
            return "datetime" if timed else "date"
    return "string"


