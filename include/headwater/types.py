"""Value types: NA spellings, then numbers, booleans and dates coerced from their many spellings.

A value that fails coercion is never silently turned into a missing value: it is
kept verbatim in ``<col>__raw`` (``on_error: keep_raw``, the default) or its row is
quarantined with the column and value in the reason (``on_error: quarantine``).

Columns declared in a canonical schema get their declared type. Other columns
(or every column when there is no config) are inferred: a type is chosen when at
least ``infer_min_share`` of the column's values parse as it. Identifier-like
columns (``*_id``, values with leading zeros) stay strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pyarrow as pa

from headwater.options import check_choice, check_range, check_type
from headwater.schema import looks_like_identifier
from headwater.text import NA_SPELLINGS as DEFAULT_NA

RAW_SUFFIX = "__raw"
DATE_DTYPE = pd.ArrowDtype(pa.date32())
DATETIME_DTYPE = "datetime64[us, UTC]"
PANDAS_DTYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "date": DATE_DTYPE, "datetime": DATETIME_DTYPE}

TRUE = frozenset({"true", "t", "yes", "y", "1", "on"})
FALSE = frozenset({"false", "f", "no", "n", "0", "off"})
_WORD_BOOLEANS = (TRUE | FALSE) - {"1", "0"}  # inference never reads 1/0 as booleans: they are numbers


@dataclass
class TypeOptions:
    """How values are read as numbers, booleans and dates."""

    on_error: str = field(default="keep_raw", metadata={"help": "A value that fails coercion: keep_raw (kept in <col>__raw, cell left empty) or quarantine (the row)."})
    infer: bool = field(default=True, metadata={"help": "Infer types of columns the schema does not declare (all columns when there is no schema)."})
    infer_min_share: float = field(default=0.9, metadata={"help": "Share of non-missing values that must parse for a type to be inferred."})
    dayfirst: str | bool = field(default="auto", metadata={"help": "Numeric dates like 03/04/2024: true (3 April), false (4 March) or auto (decided per column from values like 15/02/2024; month first when nothing tells). Dotted dates (01.03.2024) are always day first."})
    decimal: str = field(default="auto", metadata={"help": "Decimal mark: '.', ',' or auto (decided per column from unambiguous values like 1.234,50)."})
    na_values: list[str] = field(default_factory=list, metadata={"help": "Extra spellings of a missing value (case-insensitive), added to NA, N/A, null, -, ?, none, blank..."})

    def __post_init__(self) -> None:
        check_choice("on_error", self.on_error, ("keep_raw", "quarantine"))
        check_type("infer", self.infer, bool, "true or false")
        check_range("infer_min_share", self.infer_min_share, 0.5, 1.0)
        check_choice("dayfirst", self.dayfirst, ("auto", True, False))
        check_choice("decimal", self.decimal, ("auto", ".", ","))
        check_type("na_values", self.na_values, list, "a list of strings")


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


# ------------------------------------------------------------------ steps


class NullSpellings:
    """Turn NA spellings (NA, N/A, null, -, ?, none, blank) into real missing values."""

    name = "null_spellings"

    def __init__(self, extra: list[str] | tuple[str, ...] = ()) -> None:
        self.spellings = DEFAULT_NA | {s.strip().lower() for s in extra}

    def apply(self, df: pd.DataFrame):
        from headwater.clean import StepOutput, data_columns

        out = df.copy()
        for col in data_columns(out):
            s = out[col].astype("string")
            # pandas 3 string dtype keeps NA as NA: compare only present values.
            mask = s.str.strip().str.lower().isin(self.spellings).fillna(False).astype(bool)
            out[col] = s.mask(mask)
        return StepOutput(out)


class CoerceTypes:
    """Give every column its declared (or inferred) type; a value that fails goes to <col>__raw or quarantine."""

    name = "coerce_types"

    def __init__(self, declared: dict[str, str] | None = None, options: TypeOptions | None = None, identifiers: set[str] | None = None) -> None:
        self.declared = declared or {}
        self.options = options or TypeOptions()
        self.identifiers = identifiers or set()
        # Decisions are sticky: the first batch of a file decides each column's type, decimal mark
        # and day order, and later batches follow, so a file is typed the same however it is batched.
        self.decided: dict[str, str] = {}  # column -> type (also recorded in the manifest)
        self.formats: dict[str, dict[str, object]] = {}

    def column_type(self, name: str, series: pd.Series) -> str:
        if name in self.declared:
            return self.declared[name]
        if name in self.identifiers or not self.options.infer:
            return "string"
        return infer_type(name, series, self.options)

    def apply(self, df: pd.DataFrame):
        from headwater.clean import LINE, REASON, StepOutput, data_columns

        out = df.copy()
        reasons = pd.Series("", index=df.index, dtype=object)
        for col in [c for c in data_columns(df) if not c.endswith(RAW_SUFFIX)]:
            kind = self.decided.get(col) or self.column_type(col, df[col])
            self.decided[col] = kind
            if kind in ("string", "text"):
                continue
            result = coerce(df[col], kind, self.options, self.formats.setdefault(col, {}))
            out[col] = result.values
            if not result.failed.any():
                continue
            if self.options.on_error == "keep_raw":
                # Keep the original text next to the typed column: nothing is silently lost.
                raw = df[col].astype("string").where(result.failed)
                out.insert(out.columns.get_loc(col) + 1, col + RAW_SUFFIX, raw)
            else:
                bad = df.loc[result.failed, col].astype(str)
                reasons[result.failed] += [f"; {col}={v!r} is not a valid {kind}" for v in bad]
        if self.options.on_error == "quarantine" and (reasons != "").any():
            rejected = out[reasons != ""].copy()
            rejected[REASON] = [f"line {n}: {r[2:]} — row quarantined" for n, r in zip(rejected[LINE], reasons[reasons != ""])]
            rejected = df.loc[rejected.index].assign(**{REASON: rejected[REASON]})
            return StepOutput(out[reasons == ""], quarantined=rejected)
        return StepOutput(out)
