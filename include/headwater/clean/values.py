"""Values: numbers, booleans and dates parsed from their many spellings, exactly, column by column.

Columns declared in a canonical schema get their declared type. Other columns
(or every column when there is no config) are inferred: a type is chosen when at
least ``infer_min_share`` of the column's values parse as it. Identifier-like
columns (``*_id``, values with leading zeros) stay strings.

Exactness (the trust rule "a value is loaded exactly as written, or kept in ``<col>__raw``"):

* **Integers never go through float64.** A number written without a fractional part is
  parsed from its digits (Arrow's string -> int64 cast, after a 19-digit magnitude was
  compared with Int64's limits as text) into Int64; ``4611686018427387905`` stays that number.
  A declared integer outside Int64's range fails (its text is kept in ``<col>__raw``); an
  inferred column holding one stays a string.
* **Numbers** (type ``number``) become float64 (Float64) when the double reads back as the
  number written: its shortest repr (``0.1``) or its exact binary value (``2**62``) equals the
  written decimal. Any value with at most 15 significant digits does (IEEE 754 binary64 holds
  15 decimal digits; ``DBL_DIG`` in C's <float.h>). A value float64 cannot hold, e.g.
  ``0.12345678901234567890`` or ``4611686018427387905``, gets the nearest double in the column
  *and* its text in ``<col>__raw``: it is *inexact*, not a failure (``coerce(...).inexact``).
* **Decimal marks and day order are the file's**, not the column's: headwater.clean.steps.coerce_types
  votes over every numeric-looking column of the file (``decimal_vote``, ``dayfirst_vote``; the
  decimal mark stays provisional until a batch holds a deciding value) and passes the decision in
  ``formats``. A value votes for a mark only when it
  reads as a number under that mark and not the other (``87,00``, ``0,125``, ``1.234,50`` vote
  ``,``); a group that starts with ``0`` is never a thousands group.
* **Compact ISO 8601 dates** (basic format, ``19760607``, ``20240115T101500Z``) are dates.
* **Inference never changes what a value means** (``number_text_reason``): exponents, a leading
  ``+``, version numbers and differing units keep a column text; booleans are inferred from one
  word pair only (``boolean_vocabulary``). Date-times keep microseconds; digits beyond are kept
  as text (``inexact``).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
import warnings
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from headwater.clean.failures import NEAREST_FLOAT64, START_OF_DAY, SUB_MICROSECOND, TIME_DROPPED, YEAR_OUT_OF_RANGE, ZONE_DROPPED
from headwater.clean.number_spellings import CANDIDATE, CANDIDATE_PREFILTER, NOT_READ, READ, digit_scripts, respell
from headwater.config.types import TypeOptions
from headwater.names import looks_like_identifier

DATE_DTYPE = pd.ArrowDtype(pa.date32())
DATETIME_DTYPE = "datetime64[us, UTC]"  # instants: values written with an offset, or read in types.timezone
LOCAL_DATETIME_DTYPE = "datetime64[us]"  # local date-times (timestamp without time zone): written without an offset, no types.timezone
PANDAS_DTYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "date": DATE_DTYPE, "datetime": DATETIME_DTYPE}
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

TRUE = frozenset({"true", "t", "yes", "y", "1", "on"})
FALSE = frozenset({"false", "f", "no", "n", "0", "off"})
# The pairs inference reads as booleans: words only. Single letters (y/n, t/f) and 1/0 are booleans only when declared:
# a lone ``y`` or ``t`` is as likely a code, an initial or a size.
BOOLEAN_PAIRS = (frozenset({"true", "false"}), frozenset({"yes", "no"}), frozenset({"on", "off"}))


# ------------------------------------------------------------------ numbers

_CODES = "USD|EUR|GBP|CHF|JPY|CAD|AUD"
_CURRENCY = re.compile(rf"^(?:[$€£¥₹₩₽]|{_CODES})\s*|\s*(?:[$€£¥₹₩₽]|{_CODES})$", re.I)
# Thousands groups: a first group of 1-3 digits that does not start with 0 (``0,125`` is never 125),
# then groups of exactly three, all with one separator; a fractional part uses the decimal mark. Digits of
# any script (``١.٢٣٤`` is 1.234 or 1234 as ``1.234`` is); the first digit's zero test is ``_leading_zero``.
_GROUPED = {
    mark: re.compile(rf"^\d{{1,3}}([,.' \u00a0\u202f])\d{{3}}(?:\1\d{{3}})*(?:{re.escape(mark)}\d+)?$") for mark in ".,"
}


def _leading_zero(s: str) -> bool:
    """True when ``s`` starts with a zero digit of any script (``0``, Arabic-Indic ``٠``, full-width ``０``)."""
    return bool(s) and s[0].isdecimal() and unicodedata.digit(s[0], 1) == 0
_PLAIN = re.compile(r"^(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
MAX_EXPONENT = 1000  # |decimal exponent| beyond which a value is not read as a number (1e5000)


def parse_decimal(value: str, decimal: str = ".") -> Decimal | None:
    """``1,204.50``, ``1.234,50`` (decimal=','), ``$1,200``, ``12%`` (0.12), ``(45.00)`` (-45) -> the exact Decimal; None if not a number.

    ``decimal`` is the decimal mark ('.' or ','); the other mark may only group thousands
    (``1,204`` is 1204 with '.', 1.204 with ','). Exponents (``1e3``) are read; a value whose
    exponent is beyond ±``MAX_EXPONENT`` is not a number.
    """
    s = value.strip()
    if not s.isascii() and len(digit_scripts(s)) > 1:
        return None  # ``1٢3``: digits of two scripts in one number (headwater.clean.number_spellings), not guessed
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
        if s[:1] in "+-" or s[-1:] == "-":
            return None  # ``(-12.00)``: a sign inside an accounting negative is no convention (not read as +12)
    for _ in range(2):  # currency and sign in either order: -$5, $-5
        s = _CURRENCY.sub("", s).strip()
        if s[:1] in "+-" and s:
            negative ^= s[0] == "-"
            s = s[1:].strip()
    percent = s.endswith("%")
    if percent:
        s = s[:-1].strip()
    if not s:
        return None
    thousands = "," if decimal == "." else "."
    grouped = _GROUPED[decimal].match(s)
    if grouped and _leading_zero(s):
        grouped = None
    if grouped and grouped.group(1) != decimal:
        s = s.replace(grouped.group(1), "")
    elif not _PLAIN.match(s) or thousands in s:
        return None  # e.g. 1.234.567 read with decimal '.'
    try:
        number = Decimal(s.replace(decimal, "."))
    except InvalidOperation:
        return None
    if abs(number.adjusted()) > MAX_EXPONENT:
        return None
    if percent:
        number = number.scaleb(-2)
    return -number if negative else number


def parse_number(value: str, decimal: str = ".") -> float | None:
    """``parse_decimal`` as the nearest float64; None if not a number."""
    number = parse_decimal(value, decimal)
    return None if number is None else float(number)


_UNIT_MARK = re.compile(rf"^\(?\s*[+-]?\s*([$€£¥₹₩₽]|(?:{_CODES})\b)|([$€£¥₹₩₽%]|\b(?:{_CODES}))\s*\)?$", re.I)


def unit_of(value: str) -> str:
    """The unit a number is written with: ``%``, a currency symbol (``€``) or code (``USD``, upper-cased), ``""`` for none.

    ``€5.00`` -> ``€``; ``5.00 usd`` -> ``USD``; ``12%`` -> ``%``; ``5`` -> ``""``. A symbol and a code
    are different units (``$`` may be USD, CAD or AUD).
    """
    m = _UNIT_MARK.search(value.strip())
    if not m:
        return ""
    return (m.group(1) or m.group(2)).upper()


def ambiguous_decimal(value: str) -> bool:
    """True when the value is a number under both decimal marks but not the same one: ``2,125`` (2.125 or 2125), ``1.204``."""
    point, comma = parse_decimal(value, "."), parse_decimal(value, ",")
    return point is not None and comma is not None and point != comma


def decimal_vote(value: str) -> str | None:
    """'.' or ',' when the value reads as a number under that decimal mark only (``1.234,50``, ``87,00``, ``0,125``, ``3.14``), else None.

    ``1,204`` and ``12`` read under both (ambiguous); ``01.03.2024`` and ``abc`` under neither.
    """
    point, comma = parse_decimal(value, "."), parse_decimal(value, ",")
    if (point is None) == (comma is None):
        return None
    return "." if comma is None else ","


# ASCII digits only: Python's \d (the engine pandas may pick) matches every Unicode digit, which Arrow's
# casts cannot read (``١٢٣`` failed the whole file); other digits go through ``parse_decimal``.
_SIMPLE_NUMBER = {".": r"[+-]?[0-9]+(?:\.[0-9]+)?", ",": r"[+-]?[0-9]+(?:,[0-9]+)?"}
# Grouped thousands with the other mark as separator (``1,234.50``, ``-12.345.678,9``): what
# ``parse_decimal`` reads through ``_GROUPED`` (first group 1-3 digits not starting with 0, then
# groups of three) with no currency, percent or space; ASCII digits only, as _SIMPLE_NUMBER.
_GROUPED_NUMBER = {".": r"[+-]?[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?", ",": r"[+-]?[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?"}


def other_script_digits(values: pd.Series) -> np.ndarray:
    """Bool mask: the value holds a decimal digit (Unicode category Nd, ``str.isdecimal``) that is not ASCII 0-9.

    ``values``: strings (missing: False). Only values with a non-ASCII character are looked at one by one.
    """
    s = values.astype("string")
    out = s.str.contains(r"[^\x00-\x7f]", regex=True).fillna(False).to_numpy(dtype=bool)
    at = np.flatnonzero(out)
    out[at] = [any(ch.isdecimal() and not ch.isascii() for ch in v) for v in s.iloc[at].tolist()]
    return out


def number_texts(values: pd.Series, decimal: str) -> pd.Series:
    """Each value as plain decimal text (``-1234.50``: optional '-', ASCII digits, optional '.' and digits), <NA> if not a number.

    ``values``: strings (pandas string dtype). Plain numbers (``-12.5``) and numbers grouped in
    thousands by the other mark (``1,234.50`` with decimal '.', ``1.234,50`` with ',') are
    rewritten vectorized, exactly as ``parse_decimal`` reads them (separators dropped, the
    decimal mark made '.', a leading '+' dropped); the rest (currencies, percents, parentheses,
    spaces, apostrophes, exponents) goes through ``parse_decimal`` value by value. The text is
    exact: it is what the integer and float parsers read.
    Digits of other scripts (Arabic-Indic ``١٢٣``, Devanagari ``१२३``, full-width ``１２３``: Unicode
    category Nd) are written as ASCII digits (``123``), so Arrow's casts read every text this returns;
    superscripts (``²``, category No) are no digits and no number.
    """
    s = values.astype("string").str.strip()
    out = pd.Series(pd.NA, index=s.index, dtype="string")
    simple = s.str.fullmatch(_SIMPLE_NUMBER[decimal]).fillna(False).to_numpy(dtype=bool)
    if simple.any():
        plain = s[simple] if decimal == "." else s[simple].str.replace(",", ".", regex=False)
        out[simple] = plain.str.removeprefix("+")
    grouped = ~simple & s.str.fullmatch(_GROUPED_NUMBER[decimal]).fillna(False).to_numpy(dtype=bool)
    if grouped.any():
        digits = s[grouped].str.replace("," if decimal == "." else ".", "", regex=False).str.removeprefix("+")
        out[grouped] = digits if decimal == "." else digits.str.replace(",", ".", regex=False)
        simple = simple | grouped
    rest = np.flatnonzero(~simple & s.notna().to_numpy())
    if len(rest):
        parsed = [parse_decimal(v, decimal) for v in s.iloc[rest]]
        out.iloc[rest] = [pd.NA if d is None else format(d, "f") for d in parsed]
        unread = rest[out.iloc[rest].isna().to_numpy()]  # another spelling (``−12``, ``12-``, ``١٢٫٥``) only among these
        respelled = unread[s.iloc[unread].str.contains(CANDIDATE, regex=True).fillna(False).to_numpy(dtype=bool)]
        if len(respelled):
            out.iloc[respelled] = [_respelled_text(v, decimal) for v in s.iloc[respelled].tolist()]
    return out


def _respelled_text(value: str, decimal: str) -> str | pd.NA:
    """``value`` in another spelling of a number (headwater.clean.number_spellings.respell: ``−12.00``, ``100.00-``,
    ``١٢٫٥``) as ``number_texts`` writes it (``-12.00``), <NA> when it is none or not read."""
    text, _ = respell(value, decimal)
    number = None if text is None else parse_decimal(text, decimal)
    return pd.NA if number is None else format(number, "f")


def _contains_where(values: pd.Series, pattern: str, prefilter: str, regex: bool = True) -> np.ndarray:
    """``values.str.contains(pattern)`` as a bool array (missing: False), ``pattern`` tried only on the values that
    ``prefilter`` matches: a pattern every match of ``pattern`` also matches (a superset) that pandas runs in RE2
    (no ``\\s``, ``$`` or lookaround, which send every value through Python's ``re``), or a plain substring when
    ``regex`` is False. Same answer as ``pattern`` alone, whatever ``prefilter`` lets through."""
    hit = values.str.contains(prefilter, regex=regex).fillna(False).to_numpy(dtype=bool)
    if hit.any():
        hit[hit] = values[hit].str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)
    return hit


def _fullmatch_holding(values: pd.Series, pattern: str, needed: str) -> np.ndarray:
    """``values.str.fullmatch(pattern)`` as a bool array (missing: False), ``pattern`` tried only on the values that hold
    ``needed``, a text every full match of ``pattern`` holds (``(`` for a number in parentheses): a pattern with ``\\s``
    runs in Python's ``re``, one value at a time, so the few values holding it are all it sees."""
    hit = values.str.contains(needed, regex=False).fillna(False).to_numpy(dtype=bool)
    if hit.any():
        hit[hit] = values[hit].str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    return hit


def number_spellings(values: pd.Series, decimal: str) -> np.ndarray:
    """Per value of ``values`` (strings), the reason codes of its spelling (headwater.clean.number_spellings), joined
    with ``"; "`` (``"other_script_digits; unicode_minus"``), None for a plain spelling. A value in a spelling that is read
    (``READ``) has its codes only when ``number_texts`` reads it; one in a spelling that is not (``NOT_READ``:
    ``100.00 CR``, ``1٢3``) has that code."""
    out = np.full(len(values), None, dtype=object)
    s = values.astype("string").str.strip()
    at = np.flatnonzero(_contains_where(s, CANDIDATE, CANDIDATE_PREFILTER))
    for i, v in zip(at.tolist(), s.iloc[at].tolist()):
        text, reasons = respell(v, decimal)
        if reasons and (reasons[0] in NOT_READ or (text is not None and parse_decimal(text, decimal) is not None)):
            out[i] = "; ".join(reasons)
    return out


def integers_of(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(int64 values, mask of values that are whole numbers in Int64's range) for ``number_texts`` output.

    Whole means integer-valued (``4``, ``4.00``). Digits are parsed exactly (Arrow's string -> int64
    cast), never through float64; a 19-digit magnitude is compared with Int64's limits as text first.
    """
    values = np.zeros(len(texts), dtype="int64")
    short = texts.str.fullmatch(r"-?[0-9]{1,18}").fillna(False).to_numpy(dtype=bool)  # cannot overflow: cast as they are
    if short.any():
        values[short] = pc.cast(pa.array(texts[short].to_numpy(dtype=object), pa.string()), pa.int64()).to_numpy(zero_copy_only=False)
    whole = ~short & texts.str.fullmatch(r"-?[0-9]+(?:\.0*)?").fillna(False).to_numpy(dtype=bool)
    if not whole.any():
        return values, short
    candidates = texts[whole].str.replace(r"\.0*$", "", regex=True)
    negative = candidates.str.startswith("-")
    magnitude = candidates.str.lstrip("-").str.lstrip("0").replace("", "0")
    length = magnitude.str.len()
    limit = negative.map({True: str(-INT64_MIN), False: str(INT64_MAX)}).astype("string")
    fits = ((length < 19) | ((length == 19) & (magnitude <= limit))).to_numpy(dtype=bool)  # same length: text order is number order
    ok = np.zeros(len(texts), dtype=bool)
    ok[np.flatnonzero(whole)[fits]] = True
    if fits.any():
        digits = ("-" + magnitude).where(negative, magnitude)[fits]
        values[ok] = pc.cast(pa.array(digits.to_numpy(dtype=object), pa.string()), pa.int64()).to_numpy(zero_copy_only=False)
    return values, ok | short


def _float_holds(text: str, number: float) -> bool:
    """True when the double ``number`` reads back as the decimal ``text``: its shortest repr or its exact value equals it."""
    if not math.isfinite(number):
        return False
    written = Decimal(text)
    return Decimal(repr(number)) == written or Decimal(number) == written


def floats_of(texts: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(float64 values, mask of finite numbers, mask of those float64 cannot hold exactly) for ``number_texts`` output.

    The double is the correctly rounded nearest one (Arrow's string -> float64 cast). Values of at
    most 15 significant digits always read back; longer ones are checked one by one (``_float_holds``).
    """
    values = np.full(len(texts), np.nan)
    present = texts.notna().to_numpy()
    inexact = np.zeros(len(texts), dtype=bool)
    if not present.any():
        return values, present, inexact
    values[present] = pc.cast(pa.array(texts[present].to_numpy(dtype=object), pa.string()), pa.float64()).to_numpy(zero_copy_only=False)
    finite = present & np.isfinite(values)
    long = finite & (texts.str.len() > 15).fillna(False).to_numpy(dtype=bool)  # fewer characters: at most 15 digits
    if long.any():
        # the double's shortest text (Arrow's float64 -> string cast) equal to the text written: it reads back
        shortest = pc.cast(pa.array(values[long]), pa.string()).to_numpy(zero_copy_only=False)
        long[np.flatnonzero(long)[shortest == texts[long].to_numpy(dtype=object)]] = False
    if long.any():
        at = np.flatnonzero(long)
        digits = texts.iloc[at].str.replace(r"[-.]", "", regex=True).str.strip("0").str.len().to_numpy()
        at = at[(digits > 15) | (texts.iloc[at].str.len().to_numpy() > 300)]
        for i, text, number in zip(at, texts.iloc[at].tolist(), values[at].tolist()):
            inexact[i] = not _float_holds(text, number)
    values[~finite] = np.nan
    return values, finite, inexact


# ------------------------------------------------------------------ booleans


def parse_bool(value: str) -> bool | None:
    v = value.strip().lower()
    return True if v in TRUE else False if v in FALSE else None


# ------------------------------------------------------------------ dates

_NUMERIC_DATE = re.compile(r"^(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})(?:(?:,?\s+|T)(.+))?$")
# ISO 8601 basic format: 19760607, 19760607T1015, 19760607T101530.25Z, 19760607T101530+0200
_BASIC_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(?:(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?:\d{2})?)?)?$")
_MONTH = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", re.I)
_YEAR = re.compile(r"(?<![\d:.])\d{4}(?![\d:])")  # a four-digit year in a worded date (not a time or a fraction)
# A time of day as written after (or before) a date: the only text ``parse_date`` reads besides the date itself.
# ``14:30``, ``14:30:15.25`` (ISO 8601 extended); ``14.30``, ``14.30.15`` (the dotted clock of Danish, Finnish, German,
# Italian and Norwegian exports: CLDR's ``HH.mm`` time patterns); ``14h30``, ``14h`` (French); ``2pm``, ``2:30 p.m.``
# (12-hour clock); ``noon``, ``12 noon``; ``Uhr``, ``h`` or ``hrs`` after a 24-hour time (German, French, English;
# ``1430 hrs``, the military clock, too); then an optional zone:
# ``Z``, ``+02:00``, ``+0200``, ``+02``, ``UTC``, ``GMT``, ``UT``, or one of those three with an offset (``GMT+2``,
# ``UTC+05:30``), read as ISO 8601 reads it: UTC+2 is two hours ahead of UTC (as e-mail clients and Outlook's
# ``(GMT+02:00)`` mean it), not POSIX's inverted ``GMT+2`` that dateutil applies; or an IANA time zone name with an area
# (``Europe/Berlin``, ``America/Argentina/Buenos_Aires``: ``zone_named``), the wall time read in that zone. A bare number
# after a date (``14``, ``1000``, ``0900``) is no time (an hour, a year, a count?), nor is a second date (a range), nor a
# word around the time (``at 14:30``, ``12:00 noon``, ``14:30 (local)``): such a value is not a date.
_TIME = re.compile(
    r"(?i:T?(?:"
    r"(?P<h>\d{1,2})(?P<sep>[:.])(?P<m>\d{2})(?:(?P=sep)(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?"
    r"(?:\s*(?P<ampm>[ap])\.?m\.?(?![a-z])|\s*(?:uhr|hrs?\.?|h)(?![a-z]))?"
    r"|(?P<fh>\d{1,2})h(?P<fm>\d{2})?(?:\s*uhr)?"
    r"|(?P<ah>\d{1,2})\s*(?P<aampm>[ap])\.?m\.?(?![a-z])"
    r"|(?P<uh>\d{1,2})\s*uhr"
    r"|(?P<mh>\d{2})(?P<mm>\d{2})\s*hrs\.?"
    r"|(?:12\s*)?(?P<noon>noon)"
    r")(?:\s*(?P<zone>Z|(?P<name>UTC|GMT|UT)?\s*(?P<sign>[+-])(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?|UTC|GMT|UT"
    r"|(?P<iana>[A-Z][A-Z_]*(?:/[A-Z0-9_+-]+)+)))?)"
)
# A time inside a worded date (``5 Mar 2024 14.30``, ``12:30 March 5 2024``): not glued to other digits or words.
_TIME_IN_TEXT = re.compile(r"(?<![\w.:/+-])" + _TIME.pattern + r"(?![\w.:/])")
# A date written after its time (``14:30 05/03/2024``) or its weekday (``Tue 05/03/2024``): read as the date, then the time.
_DATE_LAST = re.compile(r"^(?P<first>.+?)\s*,?\s+(?P<date>\d{1,4}([./-])\d{1,2}\3\d{1,4})$")
_WEEKDAY_NAME = re.compile(r"(?i)(?:mon|tue|wed|thu|fri|sat|sun)(?:day|s|sday|nesday|rs|rsday|r|urday)?\.?")


# ``Etc/GMT+2`` and its kin: POSIX signs (Etc/GMT+2 is two hours *behind* UTC, the opposite of ``GMT+2``)
_POSIX_SIGNED = re.compile(r"(?i)Etc/GMT[+-]0*[1-9]\d*")


@functools.lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """The IANA time zone names of the tz database Python's zoneinfo reads (``zoneinfo.available_timezones``: the
    system's, else the ``tzdata`` package), by their lower-cased spelling -> the name as the database writes it."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def zone_named(name: str) -> zoneinfo.ZoneInfo | None:
    """The IANA time zone ``name`` (an area and a location, ``Europe/Berlin``, ``America/Argentina/Buenos_Aires``; any
    case) names in the tz database (``_zone_names``), or None: a name it does not hold (``Europe/Berln``), one with no
    area (``Japan``, ``EST``: abbreviations are not guessed), or an ``Etc/GMT±N`` zone, whose sign is POSIX's
    (``Etc/GMT+2`` is UTC-02:00: the opposite of ``GMT+2``, which is read as the ISO offset +02:00), so not guessed."""
    if "/" not in name or _POSIX_SIGNED.fullmatch(name):
        return None
    found = _zone_names().get(name.lower())
    return zoneinfo.ZoneInfo(found) if found else None


def _wall_in_zone(wall: datetime, zone: zoneinfo.ZoneInfo) -> datetime | None:
    """The naive ``wall`` time read in ``zone`` -> an aware datetime (in ``zone``), or None when a daylight-saving change skips
    it (a gap: ``2024-03-31 02:30`` in Europe/Berlin) or repeats it (a fold: ``2024-10-27 02:30``): never guessed."""
    early, late = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if early.utcoffset() != late.utcoffset():
        return None
    return early  # parse_date converts it to UTC (unless ``local``)


def _time_of(text: str) -> tuple[int, int, int, int, tzinfo | None] | None:
    """``text`` (what follows a date) read as a time of day and zone (``_TIME``): (hour, minute, second, microsecond,
    the zone or None: a fixed offset, or an IANA zone (``zoneinfo.ZoneInfo``) whose offset depends on the date), or
    None when it is anything else (a number, a second date, words, a zone name ``zone_named`` refuses) or out of range
    (``25:00``)."""
    m = _TIME.fullmatch(text.strip())
    if not m:
        return None
    g = m.groupdict()
    hour_text = g["h"] or g["fh"] or g["ah"] or g["uh"] or g["mh"]
    hour = 12 if g["noon"] else int(hour_text)
    minute = int(g["m"] or g["fm"] or g["mm"] or 0)
    second = int(g["s"] or 0)
    micro = int((g["f"] or "0")[:6].ljust(6, "0"))
    ampm = (g["ampm"] or g["aampm"] or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    zone: tzinfo | None = None
    if g["iana"]:
        zone = zone_named(g["iana"])
        if zone is None:
            return None
    elif g["zone"]:
        if g["sign"]:
            oh, om = int(g["oh"]), int(g["om"] or 0)
            if (not g["name"] and len(g["oh"]) != 2) or oh > 14 or om > 59:
                return None  # ``14:30-2024``: no offset; a bare one is written with two digits (ISO 8601)
            zone = timezone(timedelta(hours=oh, minutes=om) * (1 if g["sign"] == "+" else -1))
        else:
            zone = timezone.utc
    return hour, minute, second, micro, zone


def _date_first(value: str) -> str:
    """``value`` (stripped) with a numeric date written last moved first: ``14:30 05/03/2024`` -> ``05/03/2024 14:30``
    (so it is read, and votes on the day order, as the date it is); a weekday before it is dropped (``Tue 05/03/2024``:
    weekday_mismatches checks it against the value as written). Any other value is returned unchanged."""
    m = _DATE_LAST.match(value)
    if not m:
        return value
    first = m.group("first")
    if _WEEKDAY_NAME.fullmatch(first.rstrip(",")):
        return m.group("date")
    if _time_of(first) is not None:
        return m.group("date") + " " + first
    return value


@functools.lru_cache(maxsize=1 << 16)
def _has_time(value: str) -> bool:
    """Whether ``value``, a date ``parse_date`` reads, writes a time of day (so it is a date-time, not a date)."""
    suffixed = _IXDTF.match(value.strip())
    s = _date_first((suffixed.group("stamp") if suffixed else value).strip())
    m = _NUMERIC_DATE.match(s)
    if m:
        return m.group(5) is not None
    if _BASIC_DATE.match(s):
        return "T" in s
    return _TIME_IN_TEXT.search(s) is not None


# A numeric date with text after it (what ``text_after_dates`` looks at): (the date, the text after it).
_DATE_THEN_TEXT = re.compile(r"^(\d{1,4}([./-])\d{1,2}\2\d{1,4})(?!\d)(.+)$")
# a remainder written as a clock time, even one no clock shows (``24:00``, ``23:59:60``): the value is a date-time that failed
# for that time (headwater.clean.failures names why: hour_24, leap_second), not a date followed by other text
_CLOCK_SHAPE = re.compile(r"\s*[T ]?\s*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?\s*")


def text_after_dates(values: pd.Series, where: np.ndarray, dayfirst: bool) -> np.ndarray:
    """Bool per value of ``values`` (strings), looked at only ``where``: a numeric date (it parses alone) followed by text
    ``parse_date`` does not read as a time, so the value is not a date (``2024-03-05 - 2024-03-09``,
    ``2024-03-05/2024-03-09``, ``2024-01-05 1000``): the reason ``text_after_date`` says why its text was kept."""
    out = np.zeros(len(values), dtype=bool)
    for i in np.flatnonzero(where):
        m = _DATE_THEN_TEXT.match(_date_first(str(values.iloc[i]).strip()))
        out[i] = m is not None and not _CLOCK_SHAPE.fullmatch(m.group(3)) and parse_date(m.group(1), dayfirst) is not None
    return out


# RFC 9557 (IXDTF, "Internet Extended Date/Time Format"; Java's ``ZonedDateTime.toString()``, JavaScript's Temporal): an
# RFC 3339 date-time followed by suffixes in brackets, ``2024-03-05T14:30+01:00[Europe/Berlin][u-ca=gregory]``: at most one
# time zone (an IANA name or an offset), first, then ``key=value`` tags; ``!`` after the bracket marks a suffix critical.
_IXDTF = re.compile(r"^(?P<stamp>[^\[\]]*?\d(?:\s*(?:Z|[+-]\d{2}(?::?\d{2})?))?)(?P<suffix>(?:\[[^\[\]]*\])+)$", re.I)
_IXDTF_SUFFIX = re.compile(r"\[(?P<critical>!?)(?P<body>[^\[\]]*)\]")
_IXDTF_TAG = re.compile(r"(?P<key>[a-z_][a-z0-9_-]*)=(?P<value>[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)")
_IXDTF_OFFSET = re.compile(r"(?P<sign>[+-])(?P<h>\d{2}):?(?P<m>\d{2})")
# an offset that asserts no local time (RFC 9557 §2 updates RFC 3339: ``Z`` says the UTC time is known and the local
# offset is not, as ``-00:00`` does), so it never disagrees with a zone
_NO_LOCAL_OFFSET = re.compile(r"(?i)(?:Z|-00:?00)$")
# the calendars (``u-ca``, RFC 9557 §5; Unicode calendar identifiers, UTS #35) a date is read in here: the Gregorian
_GREGORIAN = ("gregory", "iso8601")
# the names a one-part zone suffix is read by (``[UTC]``); other one-part tz database names (``Japan``, ``EST``) are not
_ONE_PART_ZONES = ("UTC", "GMT", "Etc/UTC")


def _ixdtf(value: str, dayfirst: bool) -> tuple[datetime | None, str | None, datetime | None] | None:
    """``value`` (stripped) read as an RFC 9557 (IXDTF) stamp: a date-time ``parse_date`` reads, then bracketed
    suffixes. None when ``value`` has no such suffixes (or they break RFC 9557 §4.1's grammar: a zone after a tag, an
    empty suffix); else (the datetime read, aware: in the offset or zone written, or None when not read; the cause it
    was not read for, or None; the date-time written before the suffixes, in its offset when it writes one, else naive,
    or None when that is no date-time ``parse_date`` reads).

    Follows RFC 9557 (https://www.rfc-editor.org/rfc/rfc9557): a zone suffix alone (``2024-03-05T14:30[Europe/Berlin]``)
    reads the wall time in that zone, as ``2024-03-05 14:30 Europe/Berlin`` is read (a time a daylight-saving change
    skips or repeats is not guessed: ``zone_name_dst_gap``/``zone_name_dst_fold``; ``Etc/GMT+2`` alone:
    ``zone_name_posix_sign``; a name the tz database does not hold: ``zone_name_unknown``, which §4.1 says to treat as
    any other inconsistency). With an offset, the offset and the zone must agree (``+01:00[Europe/Berlin]`` in March:
    that instant); ``Z`` or ``-00:00`` asserts no local offset and agrees with any zone (§2, §3.4). An offset the zone
    does not have then (``+02:00[Europe/Berlin]`` in March) is ``zone_offset_mismatch``, not read: §3.4 says an
    application "MUST act on the inconsistency" when the zone is critical (``[!Europe/Berlin]``) and "MAY act on" it
    when not; it is acted on (refused) in both cases, as Temporal's ``ZonedDateTime.from`` does by default
    (``offset: "reject"``), since which of the two is wrong is not known (a future time written before its zone's rules
    changed keeps a stale offset). ``key=value`` tags (§3.3): an elective one (``[u-ca=gregory]``) is ignored, as the
    RFC allows; a critical one (``[!u-ca=hebrew]``, ``[!x-key=v]``) is processed only when it is ``u-ca=gregory`` or
    ``u-ca=iso8601`` (the date is read in the Gregorian calendar): any other makes the value not read
    (``critical_suffix_tag``: the recipient "MUST NOT act on the IXDTF string unless it can process the suffix tag").
    ``Z`` (or ``-00:00``) with a zone reads the instant, returned in that zone: §2 says the UTC time is known and the
    bracket gives the local zone, so ``2024-03-05T23:30Z[Asia/Tokyo]`` is 2024-03-06 08:30 in Tokyo (Temporal's reading;
    a ``date`` column stores 2024-03-06); with a zone the tz database does not hold its local date is not known (the
    third item is None then). A date with a zone and no time (``2024-03-05[Europe/Berlin]``: RFC 9557's ABNF wants a
    time, Temporal's ``ZonedDateTime.from`` and ``PlainDate.from`` accept it) is read as the first instant of that day
    in that zone (``_start_of_day``: midnight, or the end of a daylight-saving gap at midnight); the third item is its
    naive midnight. Such a day in an ``Etc/GMT±N`` zone is ``zone_name_posix_sign``, as a time is; a day the zone skips
    whole (``2011-12-30[Pacific/Apia]``, when Samoa crossed the date line) is ``zone_name_dst_gap``."""
    m = _IXDTF.match(value)
    if not m:
        return None
    stamp = m.group("stamp").strip()
    zone_text, cause = None, None
    for k, part in enumerate(_IXDTF_SUFFIX.finditer(m.group("suffix"))):
        body = part.group("body")
        if _IXDTF_TAG.fullmatch(body):
            key, tag = body.split("=", 1)
            if part.group("critical") and not (key == "u-ca" and tag.lower() in _GREGORIAN):
                cause = cause or "critical_suffix_tag"
            continue
        if k > 0 or not body or "=" in body:
            return None  # not RFC 9557's grammar: the zone comes first, a tag is key=value
        zone_text = body
    written = parse_date(stamp, dayfirst, local=True)
    dated = zone_text is not None and written is not None and not _has_time(stamp)  # a date and its zone, no time
    if written is None or (dated and written.tzinfo is not None):
        return None, None, None
    if zone_text is None:
        return (None if cause else written), cause, written
    offset = _IXDTF_OFFSET.fullmatch(zone_text)
    posix = bool(_POSIX_SIGNED.fullmatch(zone_text))
    zone: tzinfo | None
    if offset:
        zone = timezone(timedelta(hours=int(offset["h"]), minutes=int(offset["m"])) * (1 if offset["sign"] == "+" else -1))
    elif "/" in zone_text or zone_text.upper() in _ONE_PART_ZONES:
        found = _zone_names().get(zone_text.lower())
        zone = zoneinfo.ZoneInfo(found) if found else None
    else:
        zone = None
    no_local = written.tzinfo is not None and bool(_NO_LOCAL_OFFSET.search(stamp))
    if zone is None:  # with Z the date written is UTC's, and the local one is not known
        return None, cause or "zone_name_unknown", None if no_local else written
    if no_local:  # the instant, in the bracket's zone: its local date is that zone's (§2)
        return (None if cause else written.astimezone(zone)), cause, written
    if written.tzinfo is not None:
        if written.astimezone(zone).utcoffset() != written.utcoffset():
            cause = cause or "zone_offset_mismatch"
        return (None if cause else written), cause, written
    if posix:
        return None, cause or "zone_name_posix_sign", written
    if dated:
        start = _start_of_day(written, zone)
        if start.date() != written.date():  # a day the zone skips whole (Pacific/Apia, 2011-12-30): no instant is that day's
            cause = cause or "zone_name_dst_gap"
        return (None if cause else start), cause, written
    read = _zoned(written, zone)
    if read is None:
        exists = written.replace(tzinfo=zone).astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) == written
        cause = cause or ("zone_name_dst_fold" if exists else "zone_name_dst_gap")
    return (None if cause else read), cause, written


def _start_of_day(day: datetime, zone: tzinfo) -> datetime:
    """The first instant of the naive date ``day`` (a midnight) in ``zone``, aware (in ``zone``): its midnight, the
    earlier one when a daylight-saving change repeats it, or, when a change skips it (``America/Santiago`` on
    2024-09-08, ``America/Havana`` on 2024-03-10: 00:00 -> 01:00), the end of that gap (01:00). The rule of Temporal's
    ``ZonedDateTime.startOfDay`` and ``PlainDate.toZonedDateTime`` and of Java's ``LocalDate.atStartOfDay(ZoneId)``."""
    early = day.replace(tzinfo=zone, fold=0)
    if early.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) == day:
        return early  # fold=0: the earlier of two (PEP 495)
    ends = sorted(day.replace(tzinfo=zone, fold=f).astimezone(timezone.utc) for f in (0, 1))
    low, high = ends[0], ends[1]  # the gap's transition lies between (local: before the day, then after midnight)
    while high - low > timedelta(seconds=1):  # the tz database's transitions fall on whole seconds
        mid = low + (high - low) / 2
        low, high = (low, mid) if mid.astimezone(zone).replace(tzinfo=None) >= day else (mid, high)
    if low.astimezone(zone).replace(tzinfo=None) >= day:
        high = low
    return high.astimezone(zone)


def zone_dates(values: pd.Series, dayfirst: bool) -> np.ndarray:
    """Bool per value of ``values`` (strings): an RFC 9557 date with a zone and no time (``2024-03-05[Europe/Berlin]``,
    ``2024-03-05[Mars/Olympus][u-ca=gregory]``: ``_ixdtf``), whether or not its zone is read. A ``date`` column stores
    its date (``zone_dropped``), a ``datetime`` column the start of that day in that zone (``start_of_day``)."""
    out = np.zeros(len(values), dtype=bool)
    near = _contains_where(values, r"\d\s*\[", "[", regex=False)  # Python's ``re`` only on the values holding a ``[``
    for i in np.flatnonzero(near):
        v = str(values.iloc[i]).strip()
        m = _IXDTF.match(v)
        if not m or _ixdtf(v, dayfirst) is None or _IXDTF_TAG.fullmatch(_IXDTF_SUFFIX.match(m.group("suffix")).group("body")):
            continue
        written = parse_date(m.group("stamp").strip(), dayfirst, local=True)
        out[i] = written is not None and written.tzinfo is None and not _has_time(m.group("stamp"))
    return out


# a value ending with an IANA-shaped zone name (an area, a slash, a location) right after a time: (the rest, the name)
_ZONE_NAME_LAST = re.compile(r"(?i)^(?P<rest>.*\d(?:\s*(?:[ap]\.?m\.?|uhr|hrs?\.?|h)(?![a-z]))?)\s*(?P<iana>[A-Z][A-Z_]*(?:/[A-Z0-9_+-]+)+)$")
# a value ending like an IANA zone name after a time (``14:30 Europe/Berlin``): those ``zone_name_causes`` may name a cause
# for (a vectorized filter, no groups; ``_ZONE_NAME_LAST`` decides)
# (or ending with RFC 9557 suffixes: ``14:30[Europe/Berlin]``, ``_ixdtf``)
_ZONE_NAME_END = r"(?i)\d\s*(?:[ap]\.?m\.?|uhr|hrs?\.?|h)?\s*[a-z][a-z_]*(?:/[a-z0-9_+\-]+)+$|\d(?:\s*(?:z|[+-]\d{2}(?::?\d{2})?))?(?:\[[^\[\]]*\])+$"
# why a date-time naming its zone (``_ZONE_NAME_LAST``, or an RFC 9557 stamp: ``_ixdtf``) was not read, when the rest of
# it reads as a date-time without one; the last two are RFC 9557's: an offset its zone does not have then, a critical tag
ZONE_NAME_CAUSES = (
    "zone_name_unknown", "zone_name_posix_sign", "zone_name_dst_gap", "zone_name_dst_fold", "zone_offset_mismatch", "critical_suffix_tag",
)
# the causes whose value still writes a certain date: a ``date`` column stores it (``written_before_zone``)
DATE_CERTAIN_CAUSES = ZONE_NAME_CAUSES[:5]


def zone_name_causes(values: pd.Series, where: np.ndarray, dayfirst: bool) -> dict[str, np.ndarray]:
    """Why values (strings) that end with an IANA time zone name after a time were not read, looked at only ``where``
    (those not read): ``{cause: bool per value}`` for ZONE_NAME_CAUSES. ``zone_name_unknown``: the tz database holds no
    such name (``Europe/Berln``; ``zone_named``); ``zone_name_posix_sign``: an ``Etc/GMT±N`` zone (POSIX sign:
    ``Etc/GMT+2`` is UTC-02:00); ``zone_name_dst_gap`` / ``zone_name_dst_fold``: a wall time the named zone skips
    (``2024-03-31 02:30 Europe/Berlin``) or repeats (``2024-10-27 02:30 Europe/Berlin``) at a daylight-saving change.
    A value whose text before the name is no date-time, or already names an offset, has none of these causes."""
    out = {cause: np.zeros(len(values), dtype=bool) for cause in ZONE_NAME_CAUSES}
    for i in np.flatnonzero(where):
        suffixed = _ixdtf(str(values.iloc[i]).strip(), dayfirst)
        if suffixed is not None:  # an RFC 9557 stamp: _ixdtf names its cause
            if suffixed[1]:
                out[suffixed[1]][i] = True
            continue
        m = _ZONE_NAME_LAST.match(str(values.iloc[i]).strip())
        if not m:
            continue
        wall = parse_date(m.group("rest"), dayfirst)
        if wall is None or wall.tzinfo is not None or not _has_time(m.group("rest")):
            continue
        name = m.group("iana")
        if _POSIX_SIGNED.fullmatch(name):
            out["zone_name_posix_sign"][i] = True
        elif (zone := zone_named(name)) is None:
            out["zone_name_unknown"][i] = True
        elif _wall_in_zone(wall, zone) is None:
            exists = wall.replace(tzinfo=zone).astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) == wall
            out["zone_name_dst_fold" if exists else "zone_name_dst_gap"][i] = True
    return out


def written_before_zone(values: pd.Series, where: np.ndarray, dayfirst: bool) -> dict[int, datetime]:
    """The date-time written before the zone of values (strings) not read for a zone cause (``zone_name_causes``),
    looked at only ``where``: ``{position: datetime}`` (in the offset written when it writes one, else naive), for those
    whose date is certain whatever their time's zone problem, what a ``date`` column stores: a zone that skips or
    repeats the time, an ``Etc/GMT±N`` zone, an offset the zone disagrees with (``zone_offset_mismatch``), and a name the
    tz database does not hold in an RFC 9557 bracket (``2024-03-05T14:30[Mars/Olympus]``: the brackets say it is a zone).
    Not: an unknown name after a space (``2024-03-05 14:30 Mars/Olympus``: a trailing word that may be no zone at all,
    so the value may be no single date-time; kept as text), an unknown name in brackets after ``Z``
    (``2024-03-05T23:30Z[Mars/Olympus]``: the date written is UTC's, the local one is not known) or a critical RFC 9557
    tag (``critical_suffix_tag``: the RFC forbids acting on the value). A date with a zone and no time
    (``2024-03-05[Mars/Olympus]``) is its naive midnight."""
    out: dict[int, datetime] = {}
    for i in np.flatnonzero(where):
        v = str(values.iloc[i]).strip()
        suffixed = _ixdtf(v, dayfirst)
        if suffixed is not None:
            if suffixed[1] in DATE_CERTAIN_CAUSES and suffixed[2] is not None:
                out[int(i)] = suffixed[2]
            continue
        m = _ZONE_NAME_LAST.match(v)
        if not m or zone_named(m.group("iana")) is None and not _POSIX_SIGNED.fullmatch(m.group("iana")):
            continue
        wall = parse_date(m.group("rest"), dayfirst)
        if wall is not None and wall.tzinfo is None and _has_time(m.group("rest")):
            out[int(i)] = wall
    return out


# ``_NUMERIC_DATE`` with nothing after the date, in ASCII (RE2 has no backreference: one alternative per separator)
_NUMERIC_DATE_ALONE_ASCII = "^(?:" + "|".join(rf"[0-9]{{1,4}}{sep}[0-9]{{1,2}}{sep}[0-9]{{1,4}}" for sep in (r"\.", "/", "-")) + ")$"


def written_times(values: pd.Series) -> np.ndarray:
    """Bool per value of ``values`` (strings; meant for those ``parse_date`` reads): it writes a time of day
    (``2024-03-05 14.30``, ``5 Mar 2024 2pm``); ISO 8601 values vectorized, the others by ``_has_time``."""
    s = values.str.strip()
    out = s.str.contains(r"^\d{4}-\d{2}-\d{2}[T ]\d|^\d{8}T\d", regex=True).fillna(False).to_numpy(dtype=bool)
    plain = s.str.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{8}").fillna(False).to_numpy(dtype=bool) | s.isna().to_numpy()
    # a numeric date alone in ASCII (``08/03/2020``, ``06.05.21``): ``_has_time`` reads no time in it (``_NUMERIC_DATE``
    # matches it with nothing after the date)
    plain |= _re2(s, "match_substring_regex", _NUMERIC_DATE_ALONE_ASCII)
    other = np.flatnonzero(~out & ~plain)
    out[other] = [_has_time(v) for v in s.iloc[other].tolist()]
    return out


def dayfirst_vote(value: str) -> bool | None:
    """True/False when a numeric date shows its order (``15/02/2024`` / ``02/15/2024``, also after its time:
    ``14:30 15/02/2024``), else None."""
    m = _NUMERIC_DATE.match(_date_first(value.strip()))
    if not m or len(m.group(1)) == 4 or m.group(2) == ".":
        return None
    a, b = int(m.group(1)), int(m.group(3))
    return True if a > 12 >= b else False if b > 12 >= a else None


def _basic_date(m: re.Match[str]) -> datetime:
    """A match of ``_BASIC_DATE`` -> datetime (aware when it names a zone); raises ValueError for 20241345."""
    year, month, day, hour, minute, second, fraction, zone = m.groups()
    out = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), int((fraction or "0")[:6].ljust(6, "0")))
    if zone:
        offset = timedelta(0) if zone == "Z" else timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5] or 0)) * (1 if zone[0] == "+" else -1)
        out = out.replace(tzinfo=timezone(offset))
    return out


@functools.lru_cache(maxsize=1 << 16)
def parse_date(value: str, dayfirst: bool = False, local: bool = False) -> datetime | None:
    """One date or date-time in ISO 8601 (extended ``2024-01-15`` or basic ``20240115``), numeric (``15/02/2024``,
    ``01.03.2024``) or worded (``March 12 2024``) form.

    Returns a datetime: aware (in UTC; ``local``: in the offset or zone written) when the value names its offset (``Z``, ``+02:00``, ``GMT``),
    naive (the wall time as written) when it does not — never a guessed zone — or None. A value
    must name a year, a month and a day: ``May``, ``2024`` or ``Nov 29 20:31:04`` (no year) is
    not a date; a time zone named by an abbreviation dateutil does not know (``EST``, ``CET``:
    dateutil's ``UnknownTimezoneWarning``) is not guessed, so the value is not a date either.
    Besides the date, a value may write one time of day (``_TIME``: ``14:30``, ``14.30``, ``14h30``,
    ``2pm``, with a zone), after the date or before a numeric one (``14:30 05/03/2024``); anything
    else (a second date ``2024-03-05 - 2024-03-09``, a bare number ``2024-01-05 1000``, ``+1``)
    makes it no date: the text after a date never changes the date read. An RFC 9557 (IXDTF) stamp, a date-time
    followed by bracketed suffixes (``2024-03-05T14:30+01:00[Europe/Berlin]``, Java's ``ZonedDateTime.toString()``),
    is read by ``_ixdtf``.

    A pure function of its arguments, cached (``functools.lru_cache``, 65,536 calls; a datetime is immutable): the
    batches of a file repeat their dates, each read once (issue 15). Call it with a str.
    """
    from dateutil import parser as du

    suffixed = _ixdtf(value.strip(), dayfirst) if "[" in value else None
    if suffixed is not None:  # an RFC 9557 stamp (``2024-03-05T14:30+01:00[Europe/Berlin]``): _ixdtf reads it
        out = suffixed[0]
        return None if out is None else out if out.tzinfo is None or local else out.astimezone(timezone.utc)
    s = _date_first(value.strip())
    m = _NUMERIC_DATE.match(s)
    basic = _BASIC_DATE.match(s)
    try:
        if basic:
            out = _basic_date(basic)
        elif m:
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
                time = _time_of(rest)
                if time is None:
                    return None  # ``2024/01/01 10.00`` is read by _TIME; ``2024-03-05 - 2024-03-09``, ``2024-01-05 1000`` are not dates
                hour, minute, second, micro, zone = time
                out = _zoned(out.replace(hour=hour, minute=minute, second=second, microsecond=micro), zone)
                if out is None:
                    return None  # a wall time its named zone skips or repeats (a daylight-saving change): not guessed
        else:
            out = _worded_date(s, dayfirst)
            if out is None:
                return None
    except (ValueError, OverflowError, du.ParserError, du.UnknownTimezoneWarning):
        return None  # UnknownTimezoneWarning: ``10:00 EST`` would be read as 10:00 UTC
    return out if out.tzinfo is None or local else out.astimezone(timezone.utc)


def _worded_date(s: str, dayfirst: bool) -> datetime | None:
    """A date written with an English month name (``March 5, 2024``, ``5 Mar 2024 14.30``, ``05-Mar-2024``), read by
    dateutil's parser, or None. The value holds one month name, one day (1-2 digits, ``5th``) and one four-digit
    year, and at most one time of day (``_TIME``, read here, not by dateutil: ``GMT+2`` keeps its ISO sign); any other
    number (``Mar 5 - 9, 2024``, ``March 5 2024 10``) makes it no date. Raises what dateutil's ``parse`` raises."""
    from dateutil import parser as du

    times = list(_TIME_IN_TEXT.finditer(s))
    if len(times) > 1 or len(_MONTH.findall(s)) != 1:
        return None  # ``Mar 5 2024 14:30 - 16:00``; no month name: ``3 5 2024`` (order unknown), ``2024-03-05/2024-03-09``
    time = None
    if times:
        time = _time_of(times[0].group(0))
        if time is None:
            return None
        s = s[: times[0].start()] + " " + s[times[0].end() :]
        s = re.sub(r"\s@(?=\s|$)", " ", " " + s).strip()  # ``Mar 5, 2024 @ 14:30``
    numbers = re.findall(r"\d+", s)
    years = [n for n in numbers if len(n) == 4]
    days = [n for n in numbers if len(n) <= 2]
    if len(numbers) != 2 or len(years) != 1 or len(days) != 1:
        return None  # ``Nov 29 20:31:04`` (syslog): a year would be invented; ``5 Mar 2024 2024``
    with warnings.catch_warnings():
        warnings.simplefilter("error", du.UnknownTimezoneWarning)
        out = du.parse(s, dayfirst=dayfirst, default=datetime(2000, 1, 1))
    if (out.year, out.day) != (int(years[0]), int(days[0])) or out.time() != datetime.min.time() or out.tzinfo is not None:
        return None  # dateutil took a number for something else
    if time is not None:
        hour, minute, second, micro, zone = time
        return _zoned(out.replace(hour=hour, minute=minute, second=second, microsecond=micro), zone)
    return out


def _zoned(wall: datetime, zone: tzinfo | None) -> datetime | None:
    """The naive ``wall`` time with the zone written after it (``_time_of``): a fixed offset attached, an IANA zone read
    by ``_wall_in_zone`` (None for a wall time a daylight-saving change skips or repeats), None: ``wall`` as it is."""
    if isinstance(zone, zoneinfo.ZoneInfo):
        return _wall_in_zone(wall, zone)
    return wall.replace(tzinfo=zone)


# ------------------------------------------------------------------ column coercion

# a fraction of a second with a non-zero digit beyond microseconds (``10:00:00.123456789``): a date-time column holds the
# microseconds (Arrow's timestamp[us]), so the value is inexact and keeps its text
BEYOND_MICROSECONDS = r"\d[.,]\d{6}\d*[1-9]"


@dataclass
class Coerced:
    values: pd.Series  # typed; failures are missing
    failed: pd.Series  # bool: non-missing input that did not parse
    inexact: pd.Series  # bool: parsed, but the cell is not the value written (nearest float64, microseconds, a provisional decimal mark)
    # why values were read by an assumption (their text is kept: they are in ``inexact`` too) -> how many rows:
    # "parentheses" ``(415)`` read as -415; "other_script_digits" ``١٢٣`` read as 123; "two_digit_year" ``01/02/50``; "day_order" ``03/04/2025`` while no value
    # of the file decided the day order; "unicode_minus" ``−12``, "trailing_minus" ``12-``, "other_script_separator" ``12٫5``
    # (headwater.clean.number_spellings; each value's codes in ``reasons``)
    interpreted: Counter[str] = field(default_factory=Counter)
    # why failed values were not read, for those with a known cause (their text is kept: they are in ``failed``) -> rows:
    # "zone_abbreviation" ``10:00 EST``; "dst_gap"/"dst_fold" a wall time types.timezone skips/repeats; "no_zone" no offset
    # in a column of instants; "offset" an offset in a column of local date-times (see _local_zone); "credit_debit_suffix"
    # ``100.00 CR``, "mixed_digit_scripts" ``1٢3`` (headwater.clean.number_spellings); "text_after_date" a date followed by
    # text that is no time (``2024-03-05 - 2024-03-09``, ``2024-01-05 1000``: text_after_dates)
    unread: Counter[str] = field(default_factory=Counter)
    # the reason kept in ``<col>__reason`` per row (None: none) for the causes in REASONED: "weekday_mismatch" (not read),
    # "date_only" (a date in a date-time column, stored at a midnight nobody wrote)
    reasons: pd.Series | None = None


# causes whose rows keep the cause's name in ``<col>__reason`` too (every cause of ``unread``: a value not read says why,
# breaker5 #19; headwater.clean.failures names the rest)
REASONED = (
    "weekday_mismatch", "date_only", "two_digit_year", "implausible_year", "parentheses", "leading_zeros", "exponent",
    "zone_abbreviation", "zone_abbreviation_unused", "dst_gap", "dst_fold", "no_zone", "offset",
    "text_after_date", *ZONE_NAME_CAUSES, "day_order", "dotted_day_order", TIME_DROPPED, ZONE_DROPPED, START_OF_DAY,
    YEAR_OUT_OF_RANGE,
)
# The reason of a value read with the decimal mark assumed while no value of the file had decided it (``2,125``: 2125
# under ``.``, 2.125 under ``,``); the same code headwater.clean.steps.coerce_types gives a value that fits both marks.
PROVISIONAL_DECIMAL_MARK = "ambiguous_decimal_mark"
# A date whose year is before FIRST_PLAUSIBLE_YEAR or more than YEARS_AHEAD after the current year is read as written
# (proleptic Gregorian) but is more likely another calendar's year (Solar Hijri 1403 is 2024/25, Thai Buddhist-era 2567
# is 2024: breaker4 #24) or a typo: its text is kept with the reason "implausible_year" and counted, never converted.
FIRST_PLAUSIBLE_YEAR = 1600
YEARS_AHEAD = 100
# The years a stored date or date-time may have: those of Python's datetime (datetime.MINYEAR-MAXYEAR, 1-9999), which
# pyarrow's ``as_py``/``to_pylist``, pandas' object conversion and the chunk stage go through (the curated Parquet holds
# ``date32`` days and ``timestamp[us]`` instants, which reach far wider: year 0 is -62167219200000000 us, and reading it
# raises ``year 0 is out of range``, breaker13 F8/F9). A value read with a year outside them (``0000-01-01``, or
# ``0001-01-01T00:30+01:00``, whose UTC instant is in year 0) is not stored: its text is kept with the reason
# YEAR_OUT_OF_RANGE (headwater.clean.failures) and counted as a failure.
STORABLE_YEARS = (datetime.min.year, datetime.max.year)
# Calendars a column's implausible years may be written in, by their year range when read as Gregorian years, with the
# offset to Gregorian (Solar Hijri: year + 621 from Farvardin 1 to Dey 10, + 622 after; Thai solar calendar: year - 543).
CALENDAR_HINTS = (
    (1300, 1500, "the Solar Hijri (Persian) calendar, about 621 years behind the Gregorian"),
    (2400, 2700, "the Thai Buddhist era, 543 years ahead of the Gregorian"),
)


def implausible_years(years: np.ndarray, this_year: int | None = None) -> np.ndarray:
    """Bool per year (float array, NaN for none): before FIRST_PLAUSIBLE_YEAR or after ``this_year`` (default: the
    clock's) + YEARS_AHEAD."""
    this_year = datetime.now(timezone.utc).year if this_year is None else this_year
    with np.errstate(invalid="ignore"):
        return (years < FIRST_PLAUSIBLE_YEAR) | (years > this_year + YEARS_AHEAD)


def _outside_years(stamps: pd.Series, margin: int = 0) -> np.ndarray:
    """Bool per value of ``stamps`` (pandas timestamps, NaT: False): its year is outside STORABLE_YEARS, narrowed by
    ``margin`` years at each end (1: years 1 and 9999 count too, for a UTC instant whose written date may be beyond)."""
    years = stamps.dt.year.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        return (years < STORABLE_YEARS[0] + margin) | (years > STORABLE_YEARS[1] - margin)


def calendar_hint(years: list[int]) -> str | None:
    """The calendar (CALENDAR_HINTS) every one of ``years`` (implausible Gregorian years) falls in the range of, or None."""
    for low, high, name in CALENDAR_HINTS:
        if years and all(low <= y <= high for y in years):
            return name
    return None


VOTE_SAMPLE = 5_000  # distinct values looked at to decide a column's decimal mark, day order or type
INFER_ROWS = 100_000  # rows looked at to infer a column's type


# ASCII digits only: a value in another script's digits is voted by ``decimal_vote`` (``parse_decimal`` reads
# its thousands groups: ``١.٢٣٤`` votes nothing, as ``1.234``).
_ONE_MARK = re.compile(r"^[+-]?([0-9]+)([.,])([0-9]+)$")


def decimal_votes(values: pd.Series) -> Counter[str]:
    """How many of ``values`` (distinct strings) vote '.' and ',' (``decimal_vote``); the first VOTE_SAMPLE looked at.

    Values of one mark between digits (``0,125``, ``3.14``) are voted vectorized: they vote their
    mark unless they could be one thousands group (``1,204``); the rest go through ``decimal_vote``.
    """
    sample = values.dropna().str.strip().iloc[:VOTE_SAMPLE]
    sample = sample[sample.str.contains(r"\d[.,]|[.,]\d", regex=True).fillna(False).to_numpy(dtype=bool)]
    parts = sample.str.extract(_ONE_MARK.pattern)
    simple = parts[1].notna().to_numpy(dtype=bool)
    group = (parts[0].str.fullmatch(r"[1-9]\d{0,2}") & (parts[2].str.len() == 3)).fillna(False).to_numpy(dtype=bool)
    votes = Counter({".": 0, ",": 0}) + Counter(parts[1][simple & ~group].tolist())
    return votes + Counter(v for v in map(decimal_vote, sample[~simple]) if v)


ACCEPTED_CHUNK = 32  # values ``accepted_marks`` looks at one by one first: most columns show a taken voter at once


def accepted_marks(values: pd.Series, kind: str | None, marks: str = ".,") -> tuple[set[str], dict[str, str]]:
    """Which of ``marks`` some value of ``values`` (distinct strings) votes for (as ``decimal_votes`` votes them) and is
    taken by a column of type ``kind`` read with it; and, per mark of ``marks`` none such voted for, the first value
    (stripped) that voted for it and the column refuses.

    An ``integer`` column refuses what is no whole number in Int64's range under the mark (``12.5`` votes '.', and under
    '.' it is no integer; ``12.0`` and ``1,234.00`` are whole), a ``number`` column what is no finite number under it; as
    ``coerce`` reads them (``number_texts``, then ``integers_of``/``floats_of``; a plain ``12.0`` or ``3.14`` is judged
    from its digits). Other kinds (and None: an undeclared column, whose type is inferred under the mark the votes
    decide) refuse nothing: every mark some value votes for is taken. ``values`` may hold repeats and untrimmed text (a
    column as written): the first ACCEPTED_CHUNK values are looked at one by one (``_plainly_taken``: most columns
    settle their marks there), then, for a mark still open, the first VOTE_SAMPLE distinct stripped values in one pass.
    headwater.clean.steps.coerce_types lets a refused value's vote add doubt but never settle a reading: a mark only
    refused values voted for leaves ``1.000`` its text (breaker9 #4)."""
    taken = _plainly_taken(values.iloc[:ACCEPTED_CHUNK].tolist(), kind, marks)
    if all(m in taken for m in marks):
        return taken, {}
    sample = values.dropna().astype("string").str.strip().drop_duplicates().iloc[:VOTE_SAMPLE]
    sample = sample[sample.str.contains(r"\d[.,]|[.,]\d", regex=True).fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)
    if not len(sample):
        return taken, {}
    # as decimal_votes votes: one mark between ASCII digits (_ONE_MARK) votes it unless it could be one thousands group;
    # the rest through decimal_vote, one by one. Regular expressions only (Arrow's), no extract: a column of 5,000
    # refused values is looked at in milliseconds
    simple = sample.str.fullmatch(r"[+-]?[0-9]+[.,][0-9]+").fillna(False).to_numpy(dtype=bool)
    rest = np.flatnonzero(~simple)
    other = np.array([decimal_vote(v) or "" for v in sample.iloc[rest].tolist()], dtype=object)
    first: dict[str, str] = {}
    for mark in marks:
        if mark in taken:
            continue
        m = re.escape(mark)
        group = sample.str.fullmatch(rf"[+-]?[1-9][0-9]{{0,2}}{m}[0-9]{{3}}").fillna(False).to_numpy(dtype=bool)
        plain = simple & ~group & sample.str.fullmatch(rf"[+-]?[0-9]+{m}[0-9]+").fillna(False).to_numpy(dtype=bool)
        others = rest[other == mark]
        if not (plain.any() or len(others)):
            continue
        if kind not in ("integer", "number"):
            taken.add(mark)
            continue
        if kind == "integer":  # digits, the mark, zeros: whole; Int64 holds every 18-digit number
            whole = sample.str.fullmatch(rf"[+-]?0*[0-9]{{1,18}}{m}0+").fillna(False).to_numpy(dtype=bool)
        else:  # digits, the mark, digits: a finite double below 300 digits
            whole = (sample.str.len() < 300).fillna(False).to_numpy(dtype=bool)
        if (plain & whole).any():
            taken.add(mark)
            continue
        # the plain voters are refused; the others (1,234.5, 1.234,00, $1.50) are read as coerce reads them
        ok = np.zeros(len(others), dtype=bool)
        if len(others):
            texts = number_texts(sample.iloc[others].reset_index(drop=True), mark)
            ok = np.asarray(integers_of(texts)[1] if kind == "integer" else floats_of(texts)[1], dtype=bool)
        if ok.any():
            taken.add(mark)
        else:
            first[mark] = str(sample.iloc[int(min(np.flatnonzero(plain).tolist() + others.tolist()))])
    return taken, first


_GROUP_HEAD = re.compile(r"[1-9][0-9]{0,2}")


def _plainly_taken(values: list[object], kind: str | None, marks: str) -> set[str]:
    """The marks of ``marks`` a plain value among ``values`` (the first few of a column, as written: digits, the mark,
    digits, not one thousands group) votes for and a column of ``kind`` (integer or number) takes read with it:
    ``accepted_marks``'s answer for most columns, value by value, without a pass over the column."""
    taken: set[str] = set()
    for v in values:
        found = _ONE_MARK.match(v.strip()) if isinstance(v, str) else None
        if found is None:
            continue
        whole, mark, fraction = found.groups()
        if mark not in marks or mark in taken or (_GROUP_HEAD.fullmatch(whole) and len(fraction) == 3):
            continue
        if kind == "integer" and not fraction.strip("0") and len(whole.lstrip("0")) <= 18:
            taken.add(mark)
        elif kind == "number" and len(whole) + len(fraction) < 300:
            taken.add(mark)
    return taken


def dayfirst_votes(values: pd.Series) -> Counter[bool]:
    """How many of ``values`` (distinct strings) show day first (True) and month first (False); the first VOTE_SAMPLE looked at."""
    return Counter(v for v in map(dayfirst_vote, values.dropna().iloc[:VOTE_SAMPLE]) if v is not None)


def _decide_decimal(values: pd.Series, option: str) -> str:
    if option != "auto":
        return option
    votes = decimal_votes(values)
    return "," if votes[","] > votes["."] else "."


def _decide_dayfirst(values: pd.Series, option: str | bool) -> bool:
    if option != "auto":
        return bool(option)
    votes = dayfirst_votes(values)
    return votes[True] > votes[False]


_ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"


def parse_datetimes(values: pd.Series, dayfirst: bool) -> pd.Series:
    """parse_date over a column of distinct strings -> datetime64[us, UTC] (NaT = not a date); ISO vectorized.

    A value written without an offset holds its wall time as if it were UTC here: ``zoned_datetimes``
    says which values named an offset, and ``coerce`` stores the others as local date-times (or reads
    them in ``types.timezone``).
    """
    return zoned_datetimes(values, dayfirst)[0]


_ISO_ZONE = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")


# A numeric date as ``parse_date`` reads it with nothing around it: day and month (either order), a four-digit year, one
# separator twice (compared after the match: RE2 has no backreferences); ASCII only
_DAY_MONTH_YEAR_ASCII = r"^(?P<a>[0-9]{1,2})(?P<sep>[./-])(?P<b>[0-9]{1,2})(?P<sep2>[./-])(?P<y>[0-9]{4})$"


def _numeric_days(values: pd.Series, dayfirst: bool) -> tuple[np.ndarray, np.ndarray]:
    """(bool per value of ``values`` (stripped strings): read here, a datetime64[D] per value: its date, NaT where it is
    none) for the values ``_DAY_MONTH_YEAR_ASCII`` matches, exactly as ``parse_date`` reads them: day first when written
    with dots or when ``dayfirst``, else month first; a day, month or year the calendar lacks (``31/04/2024``,
    ``29.02.2023``, year 0000) is no date. The other values are False (not read here) and NaT."""
    days = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[D]")
    if not len(values):
        return np.zeros(0, dtype=bool), days
    parts = pc.extract_regex(pa.array(values.array, type=pa.large_string()), _DAY_MONTH_YEAR_ASCII)
    handled = pc.fill_null(pc.and_(pc.is_valid(parts), pc.equal(parts.field("sep"), parts.field("sep2"))), False)
    handled = handled.to_numpy(zero_copy_only=False)
    if not handled.any():
        return handled, days
    mask = pa.array(handled)
    a, b, y = (pc.cast(parts.field(g).filter(mask), pa.int64()).to_numpy(zero_copy_only=False) for g in ("a", "b", "y"))
    day_first = pc.equal(parts.field("sep").filter(mask), ".").to_numpy(zero_copy_only=False) | dayfirst
    day, month = np.where(day_first, a, b), np.where(day_first, b, a)
    ok = (y >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    start = ((y - 1970) * 12 + np.where(ok, month, 1) - 1).astype("datetime64[M]")
    length = ((start + 1).astype("datetime64[D]") - start.astype("datetime64[D]")).astype(np.int64)
    ok &= day <= length
    found = start.astype("datetime64[D]") + np.where(ok, day, 1) - 1
    days[handled] = np.where(ok, found, np.datetime64("NaT"))
    return handled, days


def zoned_datetimes(values: pd.Series, dayfirst: bool) -> tuple[pd.Series, np.ndarray]:
    """(parse_datetimes of ``values``, bool per value: it named its offset, ``Z`` or ``+02:00`` or ``GMT``)."""
    s = values.str.strip()
    iso = s.str.fullmatch(_ISO_DATE).fillna(False).to_numpy(dtype=bool)
    basic = s.str.fullmatch(r"\d{8}").fillna(False).to_numpy(dtype=bool)
    out = pd.Series(pd.NaT, index=s.index, dtype=DATETIME_DTYPE)
    zoned = np.zeros(len(s), dtype=bool)
    if iso.any():
        out[iso] = pd.to_datetime(s[iso], format="ISO8601", errors="coerce", utc=True).astype(DATETIME_DTYPE)
        zoned[iso] = s[iso].str.contains(_ISO_ZONE.pattern, regex=True).fillna(False).to_numpy(dtype=bool)
    if basic.any():
        out[basic] = pd.to_datetime(s[basic], format="%Y%m%d", errors="coerce", utc=True).astype(DATETIME_DTYPE)
    rest = np.flatnonzero((~(iso | basic) | out.isna().to_numpy()) & s.notna().to_numpy())
    if len(rest):
        # day, month and four-digit year in ASCII (``08/03/2020``, ``06.05.2021``): read vectorized, as parse_date reads them
        handled, days = _numeric_days(s.iloc[rest], dayfirst)
        if handled.any():
            quick = pd.Series(days[handled].astype("datetime64[us]")).dt.tz_localize("UTC")  # wall times held as UTC
            out.iloc[rest[handled]] = quick.array
            rest = rest[~handled]
    if len(rest):
        parsed = [parse_date(v, dayfirst) for v in s.iloc[rest]]
        zoned[rest] = [d is not None and d.tzinfo is not None for d in parsed]
        as_utc = [d if d is None or d.tzinfo else d.replace(tzinfo=timezone.utc) for d in parsed]  # wall times held as UTC
        out.iloc[rest] = pd.Series(as_utc, dtype=object).astype(DATETIME_DTYPE).to_numpy()
    return out, zoned & out.notna().to_numpy()


# A time zone named by an abbreviation after a time (``10:00 EST``, ``02:00 CET``, ``(IST)``): ambiguous (IST is India,
# Ireland and Israel; CST is US Central, China and Cuba), so never read; UTC and GMT name one offset and are read.
_ZONE_ABBREVIATION = re.compile(r"\d\s*\(?(?!(?:UTC|GMT|UT|Z|AM|PM)\b)[A-Z]{2,5}\)?$")


def zone_abbreviations(values: pd.Series) -> np.ndarray:
    """Bool per value of ``values`` (strings): it ends with a time zone abbreviation after a time (``2025-03-01 10:00 EST``)."""
    # Python's ``re`` (the lookahead) only on the values holding two capitals in a row, which every match holds
    return _contains_where(values.str.strip(), _ZONE_ABBREVIATION.pattern, "[A-Z][A-Z]")


_ABBREVIATED = re.compile(r"^(.*\d)\s*\(?([A-Z]{2,5})\)?$")  # a time, then its zone's abbreviation: (wall time, abbreviation)


def abbreviated_times(values: pd.Series, dayfirst: bool, mapping: dict[str, str]) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Date-times written with a zone abbreviation the source maps to an IANA zone (``types.tz_abbreviations``).

    ``values``: distinct strings. Returns (instants, datetime64[us, UTC], NaT elsewhere; bool per value:
    read; bool per value: mapped but not read). A wall time is read in the mapped zone only where the
    zone itself uses that abbreviation at that moment (Python's zoneinfo ``tzname``): ``10:00 EST`` in
    July is not read with ``EST: America/New_York`` (New York writes EDT then), and the abbreviation
    picks the side of a daylight-saving fold (``01:30 EDT``/``01:30 EST``); a wall time a gap skips is not read.
    """
    out = pd.Series(pd.NaT, index=values.index, dtype=DATETIME_DTYPE)
    read = np.zeros(len(values), dtype=bool)
    refused = np.zeros(len(values), dtype=bool)
    parts = values.str.strip().str.extract(_ABBREVIATED.pattern)
    mapped = parts[1].isin(list(mapping)).fillna(False).to_numpy(dtype=bool)
    if not mapped.any():
        return out, read, refused
    walls, zoned = zoned_datetimes(parts[0][mapped].astype("string"), dayfirst)
    for k, wall, offset_written, abbreviation in zip(
        np.flatnonzero(mapped), walls.tolist(), zoned.tolist(), parts[1][mapped].tolist()
    ):
        if wall is pd.NaT or wall is None or offset_written:
            refused[k] = True
            continue
        naive = wall.to_pydatetime().replace(tzinfo=None)
        zone = zoneinfo.ZoneInfo(mapping[abbreviation])
        found = None
        for fold in (0, 1):
            local = naive.replace(tzinfo=zone, fold=fold)
            exists = local.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) == naive
            if exists and local.tzname() == abbreviation:
                found = local.astimezone(timezone.utc)
                break
        if found is None:
            refused[k] = True
        else:
            out.iloc[k] = pd.Timestamp(found)
            read[k] = True
    return out, read, refused


def _local_zone(stamps: pd.Series, zoned: np.ndarray, formats: dict[str, object], options: TypeOptions) -> tuple[pd.Series, dict[str, np.ndarray]]:
    """Date-times of one column as stored, and why values were not read: ``stamps`` (parse_datetimes) with
    ``zoned`` saying which named an offset.

    With a zone (``formats["timezone"]``, the column's, else ``types.timezone``) every value is an instant (datetime64[us, UTC]): a wall time is read in
    that zone (pandas ``tz_localize``); one a daylight-saving change skips (``dst_gap``) or repeats
    (``dst_fold``) is not guessed. Without it, the column holds local date-times (datetime64[us], the
    wall time as written) unless most of the values that decide it (``formats["zone"]``, sticky, the
    first batch with a date-time decides) name an offset: then instants, and a value without one
    is not read (``no_zone``); in a local column a value with an offset is not read (``offset``).
    """
    present = stamps.notna().to_numpy()
    why: dict[str, np.ndarray] = {}
    zone_name = formats.get("timezone") or options.timezone  # the column's zone (schema.columns.<c>.timezone), else the file's
    if zone_name:
        wall = stamps.dt.tz_localize(None)
        earlier = wall.dt.tz_localize(zone_name, ambiguous=np.ones(len(wall), dtype=bool), nonexistent="NaT")
        later = wall.dt.tz_localize(zone_name, ambiguous=np.zeros(len(wall), dtype=bool), nonexistent="NaT")
        local = present & ~zoned
        why["dst_gap"] = local & earlier.isna().to_numpy()
        why["dst_fold"] = local & ~why["dst_gap"] & (earlier != later).fillna(False).to_numpy(dtype=bool)
        read = earlier.dt.tz_convert("UTC").astype(DATETIME_DTYPE)
        out = stamps.where(zoned, read).where(~(why["dst_gap"] | why["dst_fold"]))
        return out.astype(DATETIME_DTYPE), why
    if "zone" not in formats and present.any():
        formats["zone"] = "utc" if int(zoned.sum()) * 2 > int(present.sum()) else "local"
    if formats.get("zone") == "utc":
        why["no_zone"] = present & ~zoned
        return stamps.where(~why["no_zone"]).astype(DATETIME_DTYPE), why
    why["offset"] = present & zoned
    return stamps.where(~why["offset"]).dt.tz_localize(None).astype(LOCAL_DATETIME_DTYPE), why


# Python's whitespace (``\s``) among ASCII characters: RE2's ``\s`` lacks ``\v`` and the separators \x1c-\x1f
_ASCII_SPACE = r"[\t\n\v\f\r \x1c-\x1f]"
# ``date_assumptions``' patterns as Python reads an ASCII value without a line break (``\d`` is [0-9] there, ``$`` the end),
# for Arrow's RE2: the numeric date written last, after a space; ``_NUMERIC_DATE`` with its groups named and the second
# separator captured (``sep2``) instead of back-referenced
_LATE_DATE_ASCII = _ASCII_SPACE + r"[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4}$"
_NUMERIC_DATE_ASCII = (
    r"^(?P<a>[0-9]{1,4})(?P<sep>[./-])(?P<b>[0-9]{1,2})(?P<sep2>[./-])(?P<c>[0-9]{1,4})(?:(?:,?" + _ASCII_SPACE + r"+|T).+)?$"
)


def _plain_ascii(values: pd.Series) -> np.ndarray:
    """Bool per value of ``values`` (strings): ASCII without a line break, where Python's ``re`` and RE2 read the patterns
    above alike; missing: False."""
    if not len(values):
        return np.zeros(0, dtype=bool)
    text = pa.array(values.array, type=pa.large_string())
    plain = pc.and_(pc.string_is_ascii(text), pc.invert(pc.match_substring(text, "\n")))
    return pc.fill_null(plain, False).to_numpy(zero_copy_only=False)


def _re2(values: pd.Series, kernel: str, pattern: str) -> np.ndarray:
    """Bool per value of ``values`` (strings): Arrow's ``kernel`` (``match_substring_regex``) with ``pattern``; missing: False."""
    if not len(values):
        return np.zeros(0, dtype=bool)
    hit = getattr(pc, kernel)(pa.array(values.array, type=pa.large_string()), pattern)
    return pc.fill_null(hit, False).to_numpy(zero_copy_only=False)


def date_assumptions(values: pd.Series, dayfirst_provisional: bool, dayfirst: bool = True) -> dict[str, np.ndarray]:
    """Which numeric dates among ``values`` (distinct strings) are read by an assumption rather than as written.

    ``two_digit_year``: ``01/02/50`` names no century (read 1970-2069, as ``parse_date`` pivots);
    ``day_order``: ``03/04/2025`` reads as two different dates, and while
    ``dayfirst_provisional`` (no value of the file showed its order, e.g. ``13/04/2025``) the order
    used is a default, not the file's; ``dotted_day_order``: the same for a date written with dots (``03.04.2025``),
    which ``parse_date`` reads day first whatever the file's order (the dotted convention), so it is counted apart:
    its warning says day first; also when the column's order is month first (``dayfirst`` False: declared, or shown by
    the file), which a dotted date does not follow (breaker7 #22: ``03.04.1990`` under ``dayfirst: false`` was stored as
    3 April with no text kept). Returns ``{assumption: bool array over values}``.
    """
    s = values.str.strip()
    # ASCII values without a line break are matched in Arrow's RE2 (``_LATE_DATE_ASCII``, ``_NUMERIC_DATE_ASCII``: Python's
    # patterns spelled for them), the others (none in most files) by Python's ``re`` as before
    fast = _plain_ascii(s)
    late = np.zeros(len(s), dtype=bool)
    late[fast] = _re2(s[fast], "match_substring_regex", _LATE_DATE_ASCII)
    late[~fast] = s[~fast].str.contains(r"\s\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$", regex=True).fillna(False).to_numpy(dtype=bool)
    if late.any():  # ``14:30 05/03/2024``: its date, first
        s = s.copy()
        s[late] = [_date_first(v) for v in s[late].tolist()]
        fast = _plain_ascii(s)
    numeric, two_digit, both_months, dotted = (np.zeros(len(s), dtype=bool) for _ in range(4))
    if (~fast).any():
        parts = s[~fast].str.extract(_NUMERIC_DATE.pattern)
        slow_numeric = parts[0].notna().to_numpy(dtype=bool) & (parts[0].str.len() != 4).fillna(False).to_numpy(dtype=bool)
        numeric[~fast] = slow_numeric
        two_digit[~fast] = slow_numeric & (parts[3].str.len() == 2).fillna(False).to_numpy(dtype=bool)
        first = pd.to_numeric(parts[0], errors="coerce").to_numpy()
        second = pd.to_numeric(parts[2], errors="coerce").to_numpy()
        with np.errstate(invalid="ignore"):
            both_months[~fast] = slow_numeric & (first <= 12) & (second <= 12) & (first != second)
        dotted[~fast] = (parts[1] == ".").fillna(False).to_numpy(dtype=bool)
    if fast.any():
        parts = pc.extract_regex(pa.array(s[fast].array, type=pa.large_string()), _NUMERIC_DATE_ASCII)
        # Python's ``\2`` (the second separator is the first): RE2 has no backreferences, so both are compared here
        matched = pc.and_(pc.is_valid(parts), pc.equal(parts.field("sep"), parts.field("sep2")))
        matched = pc.fill_null(matched, False).to_numpy(zero_copy_only=False)
        a, b, c = (pc.fill_null(parts.field(g), "") for g in ("a", "b", "c"))
        fast_numeric = matched & (pc.utf8_length(a).to_numpy(zero_copy_only=False) != 4)
        numeric[fast] = fast_numeric
        two_digit[fast] = fast_numeric & (pc.utf8_length(c).to_numpy(zero_copy_only=False) == 2)
        first = np.where(matched, pc.cast(pc.if_else(matched, a, "0"), pa.int64()).to_numpy(zero_copy_only=False), 0)
        second = np.where(matched, pc.cast(pc.if_else(matched, b, "0"), pa.int64()).to_numpy(zero_copy_only=False), 0)
        both_months[fast] = fast_numeric & (first <= 12) & (second <= 12) & (first != second)
        dotted[fast] = matched & pc.fill_null(pc.equal(parts.field("sep"), "."), False).to_numpy(zero_copy_only=False)
    return {
        "two_digit_year": two_digit,
        "day_order": both_months & dayfirst_provisional & ~dotted,
        "dotted_day_order": both_months & (dayfirst_provisional or not dayfirst) & dotted,
    }


def coerce(series: pd.Series, kind: str, options: TypeOptions | None = None, formats: dict[str, object] | None = None) -> Coerced:
    """Coerce a string column to ``kind``; each distinct value is parsed once.

    ``formats`` holds the column's decimal mark (``"decimal"``) and day order (``"dayfirst"``), and
    ``"decimal_provisional": True`` while no value of the file has decided the mark (then a value
    that reads differently under the two marks, ``2,125``, is flagged ``inexact`` so that its text
    is kept); a date-time with digits beyond microseconds is flagged ``inexact`` too.
    what it lacks is decided from the column's own values (``options`` says how) and stored
    in it, so passing the same dict for every batch of a file reads all batches alike.
    Integers are exact (``integers_of``); numbers float64 cannot hold are flagged ``inexact``.
    Raises ValueError for an unknown ``kind``.
    """
    options = options or TypeOptions()
    formats = {} if formats is None else formats
    if kind in ("string", "text"):
        none = pd.Series(False, index=series.index)
        return Coerced(series.astype("string"), none, none.copy())
    codes, uniques = pd.factorize(series.astype("string"), use_na_sentinel=True)
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype="string")
    inexact = np.zeros(len(distinct), dtype=bool)
    interpreted: dict[str, np.ndarray] = {}  # assumption -> which distinct values were read by it
    spelled: np.ndarray | None = None  # per distinct value: the reason codes of its spelling (number_spellings), None
    unread: dict[str, np.ndarray] = {}  # cause -> which distinct values were not read for it
    # inexact values read as written but stored differently, not counted as assumptions: their reason code only
    explained: dict[str, np.ndarray] = {}
    if kind in ("integer", "number"):
        if "decimal" not in formats:
            formats["decimal"] = _decide_decimal(distinct, options.decimal)
        texts = number_texts(distinct, str(formats["decimal"]))
        if kind == "integer":
            ints, ok = integers_of(texts)
            typed = pd.arrays.IntegerArray(ints, ~ok)
        else:
            floats, ok, inexact = floats_of(texts)
            typed = pd.arrays.FloatingArray(floats, ~ok)
            explained[NEAREST_FLOAT64] = inexact & ok  # 9007199254740993 stored as 9007199254740992.0
        # ``02134``, ``007``: leading zeros a zip code or an account number needs, which no number keeps; ``1e3`` in an
        # integer column: an exponent (Excel's spelling of a long id, ``1.23457E+11``); both read, the text kept (breaker5 #20)
        interpreted["leading_zeros"] = distinct.str.contains(r"^[^0-9]*0[0-9]", regex=True).fillna(False).to_numpy(dtype=bool) & ok
        if kind == "integer":
            interpreted["exponent"] = distinct.str.contains(r"\d[eE][+-]?\d", regex=True).fillna(False).to_numpy(dtype=bool) & ok
            inexact = inexact | interpreted["exponent"]
        inexact = inexact | interpreted["leading_zeros"]
        # ``(415)`` is -415 in accounting, an area code or a footnote elsewhere: the number is read, the text kept
        interpreted["parentheses"] = _fullmatch_holding(distinct, r"\s*\(.+\)\s*", "(") & ok
        inexact = inexact | interpreted["parentheses"]
        # another spelling of a number (headwater.clean.number_spellings): ``−12.00``, ``100.00-``, ``١٢٫٥`` read as the number
        # they write, ``100.00 CR`` and ``1٢3`` not read; the text is kept with the spelling's reason code
        spelled = number_spellings(distinct, str(formats["decimal"]))
        named = np.flatnonzero(pd.notna(spelled))
        for i in named[~ok[named]].tolist():  # read spellings only where the value was read (1٢3 and CR/DR name why it was not)
            if spelled[i].split("; ")[0] not in NOT_READ:
                spelled[i] = None
        named = np.flatnonzero(pd.notna(spelled))
        for code in (*READ, *NOT_READ):
            which = np.zeros(len(distinct), dtype=bool)
            which[named] = [code in v.split("; ") for v in spelled[named].tolist()]
            if which.any():
                if code in READ:
                    interpreted[code] = which & ok
                    inexact = inexact | interpreted[code]
                else:
                    unread[code] = which
        if formats.get("decimal_provisional"):
            # read with a mark no value of the file has decided yet: the original text is kept too
            marked = distinct.str.contains(r"\d[.,]\d", regex=True).fillna(False).to_numpy(dtype=bool)
            inexact = inexact.copy()
            two_ways = np.zeros(len(distinct), dtype=bool)
            two_ways[marked] = np.fromiter((ambiguous_decimal(v) for v in distinct[marked]), dtype=bool, count=int(marked.sum()))
            inexact |= two_ways
            explained[PROVISIONAL_DECIMAL_MARK] = two_ways & ok
    elif kind == "boolean":
        typed = pd.array(distinct.map(parse_bool).tolist(), dtype="boolean")
    elif kind in ("date", "datetime"):
        if "dayfirst" not in formats:
            formats["dayfirst"] = _decide_dayfirst(distinct, options.dayfirst)
        stamps, zoned = zoned_datetimes(distinct, bool(formats["dayfirst"]))
        interpreted.update(date_assumptions(distinct, bool(formats.get("dayfirst_provisional")), bool(formats["dayfirst"])))
        foreign = other_script_digits(distinct)
        if foreign.any():
            # ``٢٠٢٥-٠٣-٠٤`` is read (Python's int() reads every Nd digit), its text kept; ``2025-٠3-04`` mixes scripts: not read
            mixed = foreign.copy()
            mixed[foreign] = [len(digit_scripts(v)) > 1 for v in distinct[foreign].tolist()]
            stamps = stamps.where(~mixed)
            unread["mixed_digit_scripts"] = mixed
            interpreted["other_script_digits"] = foreign & ~mixed & stamps.notna().to_numpy()
            spelled = np.full(len(distinct), None, dtype=object)
            spelled[mixed] = "mixed_digit_scripts"
            spelled[interpreted["other_script_digits"]] = "other_script_digits"
        if kind == "datetime" and options.tz_abbreviations:
            # an abbreviation the source maps to a zone (EST: America/New_York): read in that zone, the text kept
            named, read, refused = abbreviated_times(distinct, bool(formats["dayfirst"]), options.tz_abbreviations)
            stamps = stamps.where(~read, named)
            zoned = zoned | read
            interpreted["zone_abbreviation"] = read
            unread["zone_abbreviation_unused"] = refused
        # ``Tuesday, March 3, 2025`` (a Monday): the weekday or the day number is wrong, which is not guessed
        unread["weekday_mismatch"] = weekday_mismatches(distinct, stamps, zoned)
        stamps = stamps.where(~unread["weekday_mismatch"])
        # ``2024-03-05[Europe/Berlin]``: an RFC 9557 date and its zone, no time (read by _ixdtf at the start of that day)
        dated = zone_dates(distinct, bool(formats["dayfirst"]))
        if kind == "datetime":
            # ``2025-03-01`` among date-times: stored at midnight, a time nobody wrote; its text is kept
            interpreted["date_only"] = stamps.notna().to_numpy() & ~written_times(distinct) & ~dated
            # ``2024-03-05[Europe/Berlin]``: stored at the first instant of that day in that zone (_start_of_day)
            interpreted[START_OF_DAY] = stamps.notna().to_numpy() & dated
        unread["zone_abbreviation"] = zone_abbreviations(distinct) & stamps.isna().to_numpy()
        if "zone_abbreviation_unused" in unread:
            unread["zone_abbreviation"] &= ~unread["zone_abbreviation_unused"]
        named = unread["zone_abbreviation"] | unread.get("zone_abbreviation_unused", np.zeros(len(distinct), dtype=bool))
        # an IANA zone name after a time (``14:30 Europe/Berlin``) that was not read says why (ZONE_NAME_CAUSES)
        for cause, which in zone_name_causes(distinct, stamps.isna().to_numpy() & ~named, bool(formats["dayfirst"])).items():
            unread[cause] = which
            named = named | which
        unread["text_after_date"] = text_after_dates(distinct, stamps.isna().to_numpy() & ~named, bool(formats["dayfirst"]))
        if kind == "date":
            wall = stamps.dt.tz_localize(None)
            unwritten = np.zeros(len(distinct), dtype=bool)
            timed = written_times(distinct) & stamps.notna().to_numpy()
            local = np.flatnonzero(timed)
            if len(local):
                # a value with a time and a zone (``2024-03-05 00:30 +01:00``, ``... Europe/Berlin``): the date written,
                # never the UTC one (03-04); ``Z`` with a zone (``2024-03-05T23:30Z[Asia/Tokyo]``): that zone's date
                # (03-06, RFC 9557 §2: _ixdtf)
                written = [parse_date(v, bool(formats["dayfirst"]), local=True) for v in distinct.iloc[local].tolist()]
                keep = [i for i, d in zip(local.tolist(), written) if d is not None]
                wall.iloc[keep] = [pd.Timestamp(d.replace(tzinfo=None)) for d in written if d is not None]
                # a date as written that Python's datetime cannot hold (``0000-12-31T23:30-01:00``: year 0) has no wall
                # date here; its UTC date (0001-01-01) is a date nobody wrote: not stored either (YEAR_OUT_OF_RANGE)
                lost = [i for i, d in zip(local.tolist(), written) if d is None]
                unwritten[lost] = _outside_years(wall.iloc[lost], 1)
            for i in np.flatnonzero(dated & stamps.notna().to_numpy()).tolist():
                # a date and its zone (``2024-03-05[Europe/Berlin]``, read at the start of that day): the date written
                wall.iloc[i] = pd.Timestamp(_ixdtf(str(distinct.iloc[i]).strip(), bool(formats["dayfirst"]))[2])
            # a time of day in a date column is not stored: the text keeps it (a naive midnight, 2024-03-05 00:00, loses nothing)
            midnight = distinct.str.contains(r"[T ]00:00(?::00(?:[.,]0+)?)?$", regex=True).fillna(False).to_numpy(dtype=bool)
            # a value whose time's zone is not read (a daylight-saving gap, Etc/GMT+2, an offset its RFC 9557 zone
            # disagrees with) still writes its date: stored, with both reasons (``time_dropped; zone_name_dst_gap``)
            problem = np.logical_or.reduce([unread[c] for c in DATE_CERTAIN_CAUSES])
            rescued = np.zeros(len(distinct), dtype=bool)
            for i, d in written_before_zone(distinct, problem, bool(formats["dayfirst"])).items():
                wall.iloc[i] = pd.Timestamp(d.replace(tzinfo=None))
                stamps.iloc[i] = pd.Timestamp(d.replace(tzinfo=None), tz="UTC")
                rescued[i] = True
            interpreted[TIME_DROPPED] = (timed & ~(midnight & ~zoned)) | (rescued & ~dated)
            # a date and its zone (``2024-03-05[Europe/Berlin]``): the date stored, the zone kept in the text only
            interpreted[ZONE_DROPPED] = dated & stamps.notna().to_numpy()
            for cause in DATE_CERTAIN_CAUSES:
                if (unread[cause] & rescued).any():
                    interpreted[cause] = unread[cause] & rescued
                    unread[cause] = unread[cause] & ~rescued
            # a date no reader can convert (year 0, 10000: STORABLE_YEARS) is not stored, its text kept
            unread[YEAR_OUT_OF_RANGE] = (_outside_years(wall) | unwritten) & stamps.notna().to_numpy()
            wall = wall.where(~unread[YEAR_OUT_OF_RANGE])
            stamps = stamps.where(~unread[YEAR_OUT_OF_RANGE])
            days = wall.to_numpy(dtype="datetime64[us]").astype("datetime64[D]")
            typed = pd.array(pa.array(days, type=pa.date32(), from_pandas=True), dtype=DATE_DTYPE)
        else:
            stored, why = _local_zone(stamps, zoned, formats, options)
            unread.update(why)
            # an instant no reader can convert (``0000-01-01 10:00``, or ``0001-01-01T00:30+01:00``, in year 0 in UTC:
            # STORABLE_YEARS) is not stored, its text kept
            unread[YEAR_OUT_OF_RANGE] = _outside_years(stored) & stored.notna().to_numpy()
            stamps = stored.where(~unread[YEAR_OUT_OF_RANGE])
            typed = stamps.array
            # a fraction of a second beyond microseconds (``.123456789``): the cell holds the microseconds, the text is kept
            inexact = distinct.str.contains(BEYOND_MICROSECONDS, regex=True).fillna(False).to_numpy(dtype=bool) & stamps.notna().to_numpy()
            explained[SUB_MICROSECOND] = inexact
        # a year no modern record holds (1403, 2567): another calendar's, or a typo; read as written, the text kept
        interpreted["implausible_year"] = implausible_years(stamps.dt.year.to_numpy(dtype=float, na_value=np.nan)) & stamps.notna().to_numpy()
        for assumed in interpreted.values():
            inexact = inexact | (assumed & stamps.notna().to_numpy())
    else:
        raise ValueError(f"unknown column type {kind!r}")
    values = typed.take(codes, allow_fill=True)
    present = codes >= 0
    bad = np.asarray(pd.isna(typed), dtype=bool)
    failed = present & (bad[codes] if len(bad) else np.zeros(len(codes), dtype=bool))
    rounded = present & (inexact[codes] if len(inexact) else np.zeros(len(codes), dtype=bool))
    index = series.index
    notes = Counter({why: int((present & ~failed & which[codes]).sum()) for why, which in interpreted.items() if len(which) and which.any()})
    causes = Counter({why: int((present & which[codes]).sum()) for why, which in unread.items() if len(which) and which.any()})
    reasons = None
    # a cause may be both an assumption some values were read by and the cause others were not read for (a zone a date
    # column's date survives: zone_name_unknown in brackets read, after a space not): each list says its own
    causes_of = [(why, which, True) for why, which in interpreted.items()] + [(why, which, False) for why, which in unread.items()]
    for why, which, assumed in causes_of + [(why, which, why in interpreted) for why, which in explained.items()]:
        if (why in REASONED or why in explained) and len(which) and which.any():
            rows = present & which[codes]
            if assumed:
                rows = rows & ~failed  # an assumption a value was read by: said only of a value read
            reasons = pd.Series(None, index=index, dtype=object) if reasons is None else reasons
            before = reasons[rows].to_numpy(dtype=object)
            reasons[rows] = [why if pd.isna(b) else f"{b}; {why}" for b in before]  # two causes of one value: both said
    if spelled is not None and pd.notna(spelled).any():
        # the spelling's reason codes (``unicode_minus``, ``trailing_minus``...) after the others (``parentheses``)
        rows = present & pd.notna(spelled)[codes]
        reasons = pd.Series(None, index=index, dtype=object) if reasons is None else reasons
        codes_of = spelled[codes[rows]]
        before = reasons[rows].to_numpy(dtype=object)
        reasons[rows] = [c if pd.isna(b) else f"{b}; {c}" for b, c in zip(before, codes_of)]
    return Coerced(pd.Series(values, index=index), pd.Series(failed, index=index), pd.Series(rounded, index=index), +notes, +causes, reasons)


# An English weekday name or abbreviation (dateutil's parser reads them and ignores them: it never checks one).
_WEEKDAY = re.compile(r"(?i)\b(mon|tue|wed|thu|fri|sat|sun)(?:day|s|sday|nesday|rs|rsday|r|urday)?\b\.?")
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def weekday_mismatches(values: pd.Series, stamps: pd.Series, zoned: np.ndarray) -> np.ndarray:
    """Bool per value: it names a weekday (``Tuesday``, ``Tue``) that is not the weekday of its parsed date.

    ``values``: distinct strings; ``stamps``: their parse (``zoned_datetimes``, wall times held as
    UTC); ``zoned``: which named an offset (their weekday is the one of the wall time written, not
    checked here). Only English names are known (dateutil's ``parserinfo.WEEKDAYS``).
    """
    out = np.zeros(len(values), dtype=bool)
    named = values.str.contains(_WEEKDAY.pattern.replace("(mon|", "(?:mon|"), regex=True).fillna(False).to_numpy(dtype=bool) & stamps.notna().to_numpy() & ~zoned
    for i in np.flatnonzero(named):
        m = _WEEKDAY.search(values.iloc[i])  # the first weekday named
        out[i] = m is not None and _WEEKDAYS[m.group(1).lower()] != stamps.iloc[i].weekday()
    return out


def boolean_vocabulary(lowered: pd.Series, need: float) -> bool:
    """Whether the distinct lower-cased ``lowered`` values read as booleans when no type is declared.

    At least ``need`` of them must come from one pair of BOOLEAN_PAIRS: ``true``/``false`` or
    ``yes``/``no`` (one side is enough: a column of ``yes`` is a flag), or ``on``/``off`` (both
    seen: a lone ``on`` is a word). Single letters (``y``, ``n``, ``t``, ``f``) and ``1``/``0`` never are.
    """
    for pair in BOOLEAN_PAIRS:
        hits = lowered.isin(pair)
        if hits.sum() >= need and (pair != BOOLEAN_PAIRS[2] or set(lowered[hits]) == pair):
            return True
    return False


_VERSION_NAME = re.compile(r"(?:^|_)(?:version|ver|release|revision|rev|build|firmware)s?(?:$|_)", re.I)


def number_text_reason(name: str, written: pd.Series) -> str | None:
    """Why a column whose values parse as numbers must stay text when no type is declared, or None.

    ``written``: the column's distinct values that parse as numbers, as written. A number type
    would make values that mean different things equal, or drop what tells them apart:

    * exponent notation (``1e5``: a part number, a code, not 100000);
    * a leading ``+`` (``+14155552671``: a phone number; the ``+`` is lost);
    * a trailing minus (``100.00-`` is SAP's -100, ``2-`` a school grade): read only where a number is declared;
    * version-like values: a version-like column name (``version``, ``release``, ``build``...)
      with dotted values, or a fraction with a trailing zero (``1.10``) next to a shorter one of
      the same whole part (``1.2``): numbers are written with a fixed count of decimals or
      without trailing zeros;
    * differing units: ``12%`` next to ``15`` (a 100x difference), ``€5`` next to ``$5`` or ``5``;
    * every value in parentheses (``(415)``, ``(650)``: area codes, footnote marks); accounting
      negatives ``(45.00)`` stand next to bare positives;
    * digits of another script (``١٢٣``, ``１２３``): the number would not be the text written.
    """
    s = written.astype("string").str.strip()
    if other_script_digits(s).any():
        return "digits of another script"
    if s.str.contains(r"\d[eE][+-]?\d", regex=True).any():
        return "exponent notation"
    if s.str.contains(r"^[^\d]*\+", regex=True).any():
        return "a leading +"
    if s.str.endswith("-").any():
        return "a trailing minus"  # 100.00- is SAP's -100, but 2- is a school grade: read only in a declared number column
    dotted = s.str.extract(r"^(\d+)\.(\d+)$").dropna()
    if _VERSION_NAME.search(name) and len(dotted):
        return "version numbers"
    if len(dotted):  # 1.10 next to 1.2: as numbers 1.1 and 1.2
        # per whole part: a fraction with a trailing zero (longer than one digit) longer than the shortest fraction
        length = dotted[1].str.len()
        zeros = length[(dotted[1].str.endswith("0") & (length > 1)).to_numpy(dtype=bool)].groupby(dotted[0]).max()
        if len(zeros) and (length.groupby(dotted[0]).min().reindex(zeros.index) < zeros).any():
            return "version numbers"
    if len({unit_of(v) for v in s.tolist()}) > 1:
        return "differing units"
    if len(s) and s.str.fullmatch(r"\(.+\)").all():
        return "every value in parentheses"  # (415), (650): codes or footnotes; accounting writes positives bare
    return None


def column_unit(written: pd.Series) -> str | None:
    """The one unit (``unit_of``) every number of ``written`` carries (``%``, ``€``, ``USD``), or None when they carry none."""
    units = {unit_of(v) for v in written.dropna().astype("string").str.strip().unique().tolist() if v}  # each distinct value once
    return units.pop() if len(units) == 1 and "" not in units else None


# the longest value a column inferred as dates may hold, not counting RFC 9557 suffixes (``_date_lengths``)
DATE_LENGTH = 40
_SUFFIXES = r"(?:\[[^\[\]]*\])+$"


def _date_lengths(values: pd.Series) -> np.ndarray:
    """The length of each of ``values`` (strings; 0 for a missing one) as the date length limit (DATE_LENGTH) counts it: an
    RFC 9557 stamp without its bracketed suffixes (``2024-03-05T14:30:00.123456789+01:00[Europe/Berlin]``, Java's
    ``ZonedDateTime.toString()``, is 50 characters), any other value whole."""
    out = values.str.len().fillna(0).to_numpy(dtype=np.int64)
    long = np.flatnonzero(out > DATE_LENGTH)
    if len(long):  # only those ending with a bracket (a column of prose is not searched)
        long = long[values.iloc[long].str.endswith("]").fillna(False).to_numpy(dtype=bool)]
    if len(long):
        out[long] = values.iloc[long].str.replace(_SUFFIXES, "", regex=True).str.len().fillna(0).to_numpy(dtype=np.int64)
    return out


def infer_type(
    name: str,
    series: pd.Series,
    options: TypeOptions | None = None,
    formats: dict[str, object] | None = None,
    reasons: dict[str, str] | None = None,
) -> str:
    """The most specific type that at least ``infer_min_share`` of the column's values parse as.

    ``formats``: the file's decimal mark and day order (``{"decimal": ",", "dayfirst": True}``);
    what it lacks is decided from the column's own values. Whole numbers are ``integer`` when all
    fit Int64 and ``string`` when one does not (the digits stay exact); any fractional, percent
    or decimal-written value makes the column ``number``. Numbers that a number type would change
    in meaning (``number_text_reason``: exponents, a leading ``+``, versions, differing units)
    keep the column ``string``, and ``reasons`` (when given) gets ``{name: why}``, as it does for date-times that name
    their zone by an abbreviation (``10:00 EST``: never guessed, so the column stays text). Compact dates (``19760607``) read as
    integers here: only a declared ``date`` reads them as dates.
    """
    options = options or TypeOptions()
    formats = formats or {}
    head = series.iloc[:INFER_ROWS].dropna()  # the type is decided from the first rows (and then sticks)
    values = pd.Series(np.asarray(head.unique(), dtype=object)[:VOTE_SAMPLE], dtype="string").str.strip()
    values = values[values != ""].reset_index(drop=True)
    if values.empty or looks_like_identifier(name):
        return "string"
    if values.str.match(r"^[+-]?0\d+$").any():
        return "string"  # leading zeros (zip codes, account numbers) would be lost as numbers
    need = options.infer_min_share * len(values)
    lowered = values.str.lower()
    if boolean_vocabulary(lowered, need):
        return "boolean"
    decimal = str(formats["decimal"]) if "decimal" in formats else _decide_decimal(values, options.decimal)
    numbers = number_texts(values, decimal)
    parsed = numbers.notna().to_numpy(dtype=bool)
    numbers = numbers[parsed]
    if len(numbers) >= need:
        reason = number_text_reason(name, values[parsed])
        if reason:
            if reasons is not None:
                reasons[name] = reason
            return "string"
        if numbers.str.fullmatch(r"-?\d+").all():
            _, fits = integers_of(numbers)
            return "integer" if fits.all() else "string"
        return "number"
    if _date_lengths(values).max() <= DATE_LENGTH:
        dayfirst = bool(formats["dayfirst"]) if "dayfirst" in formats else _decide_dayfirst(values, options.dayfirst)
        dates = parse_datetimes(values, dayfirst)
        ok = values[dates.notna().to_numpy()]
        if len(ok) >= need:
            timed = bool(written_times(ok).any())
            return "datetime" if timed else "date"
        named = zone_abbreviations(values) & dates.isna().to_numpy()
        if named.any() and options.tz_abbreviations:
            # abbreviations the source maps to a zone (types.tz_abbreviations) are date-times when their wall time parses
            walls = pd.Series(values[named].str.replace(r"\s*\(?([A-Z]{2,5})\)?\s*$", "", regex=True).tolist(), dtype="string")
            mapped = values[named].str.extract(_ABBREVIATED.pattern)[1].isin(list(options.tz_abbreviations)).to_numpy(dtype=bool)
            readable = mapped & parse_datetimes(walls, dayfirst).notna().to_numpy()
            if len(ok) + int(readable.sum()) >= need:
                return "datetime"
        if named.any() and reasons is not None:
            # date-times whose zone is an abbreviation (10:00 EST): without it they would be a date-time column
            bare = values[named].str.replace(r"\s*\(?[A-Z]{2,5}\)?\s*$", "", regex=True)
            if len(ok) + int(parse_datetimes(bare, dayfirst).notna().sum()) >= need:
                reasons[name] = "date-times with a time zone abbreviation (like EST or CET), which is ambiguous (IST, CST)"
        zone_named_values = values.str.contains(_ZONE_NAME_END, regex=True).fillna(False).to_numpy(dtype=bool) & dates.isna().to_numpy()
        if zone_named_values.any() and reasons is not None and name not in reasons:
            # date-times whose zone name is not read (10:00 Etc/GMT+2, 02:30 Europe/Berlin in a gap): a date-time column without them
            causes = zone_name_causes(values, zone_named_values, dayfirst)
            found = [cause for cause in ZONE_NAME_CAUSES if causes[cause].any()]
            if found and len(ok) + int(np.logical_or.reduce([causes[c] for c in found]).sum()) >= need:
                reasons[name] = "date-times with a time zone name that is not read (" + "; ".join(_ZONE_NAME_TEXT[c] for c in found) + ")"
    return "string"


# why date-times naming their zone are not read (ZONE_NAME_CAUSES), for the reason an undeclared column of them stays text
_ZONE_NAME_TEXT = {
    "zone_name_unknown": "a name the tz database does not hold",
    "zone_name_posix_sign": "an Etc/GMT zone, whose sign is POSIX's: Etc/GMT+2 is UTC-02:00, the opposite of GMT+2",
    "zone_name_dst_gap": "a local time the zone skips at a daylight-saving change",
    "zone_offset_mismatch": "an offset the RFC 9557 zone in brackets does not have then",
    "critical_suffix_tag": "a critical RFC 9557 tag that is not processed",
    "zone_name_dst_fold": "a local time the zone repeats at a daylight-saving change",
}


# ------------------------------------------------------------------ many columns at once
#
# A wide file (thousands of columns of a few rows) made the per-column fixed cost of the functions above
# (~40 pandas string calls per column, ~1 ms each whatever the column's length) the whole cost. The
# functions below run those same pandas calls once, on the concatenation of every column's values with
# a column code beside them, and reduce per column with NumPy (bincount). Each call is elementwise, so a
# value's answer is the one the column-by-column function gives (pandas picks RE2 or Python's ``re`` per
# array, and falls back to ``re`` exactly where the two could differ: ``_needs_python_regex``); a column
# whose values need a rare branch (a unit, an exponent, a zone abbreviation...) is decided by the
# column-by-column function itself, so the answer never depends on the file's width.


def _stack(columns: list[pd.Series]) -> tuple[pd.Series, np.ndarray]:
    """(the values of ``columns`` one after the other as pandas strings, a fresh RangeIndex; the column number of each)."""
    if not columns:
        return pd.Series([], dtype="string"), np.zeros(0, dtype=np.int64)
    # the columns' Arrow data, concatenated once (zero-copy for Arrow-backed strings; ``astype("string")`` of each
    # column and ``pd.concat`` cost ~0.4 ms a column, the whole cost for a file of thousands of short columns)
    arrays = [pa.array((c if _arrow_strings(c) else c.astype("string")).array) for c in columns]
    chunked = pa.chunked_array([a.cast(pa.large_string()) for a in arrays], type=pa.large_string()).combine_chunks()
    values = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([chunked])))
    if values.dtype != pd.StringDtype():  # "string" without pyarrow as its default storage
        values = values.astype("string")
    codes = np.repeat(np.arange(len(columns), dtype=np.int64), [len(c) for c in columns])
    return values, codes


def _arrow_strings(column: pd.Series) -> bool:
    """True for a column of pandas strings held in Arrow (``str`` or ``string[pyarrow]``): its Arrow data is its values."""
    return isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow"


def _first_per_code(codes: np.ndarray, limit: int) -> np.ndarray:
    """Bool mask: the value is among the first ``limit`` of its code (codes run in blocks, in order)."""
    if not len(codes):
        return np.zeros(0, dtype=bool)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    rank = np.arange(len(codes)) - np.repeat(starts, np.diff(np.r_[starts, len(codes)]))
    return rank < limit


def _distinct_stripped(columns: list[pd.Series]) -> tuple[pd.Series, np.ndarray]:
    """Per column, as the file-level votes see it: ``column.dropna().astype("string").str.strip().drop_duplicates()``,
    stacked (fresh RangeIndex) with each value's column number."""
    values, codes = _stack(columns)
    present = values.notna().to_numpy()
    values, codes = values[present].str.strip().reset_index(drop=True), codes[present]
    keep = ~pd.DataFrame({"c": codes, "v": values}).duplicated().to_numpy()
    return values[keep].reset_index(drop=True), codes[keep]


# Two marks between ASCII digits that parse_decimal reads under one mark only (decimal_vote's vote): thousands groups of
# the other mark and a fraction (``4,178.86``, ``-1.234,5``), or two groups or more (``1,234,567``: under ``,`` its second
# ``,`` is no decimal mark). A first group of 1-3 digits not starting with 0 (``_GROUPED``); at most 300 groups, so the
# number stays far within MAX_EXPONENT. Anything else (a currency, a space, other digits) goes through decimal_vote.
_TWO_MARK_VOTE = {
    ".": r"[+-]?[1-9][0-9]{0,2}(?:(?:,[0-9]{3}){1,300}\.[0-9]+|(?:,[0-9]{3}){2,300})",
    ",": r"[+-]?[1-9][0-9]{0,2}(?:(?:\.[0-9]{3}){1,300},[0-9]+|(?:\.[0-9]{3}){2,300})",
}


def _grouped_votes(values: pd.Series, where: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bool per value of ``values`` (stripped strings), looked at only ``where``: it votes '.' / ',' by ``_TWO_MARK_VOTE``,
    as ``decimal_vote`` does (Arrow's RE2 ``match_substring_regex``, anchored; the rest is False: not decided here)."""
    point, comma = np.zeros(len(values), dtype=bool), np.zeros(len(values), dtype=bool)
    if where.any():
        text = pa.array(values[where].array, type=pa.large_string())
        point[where] = pc.fill_null(pc.match_substring_regex(text, "^(?:" + _TWO_MARK_VOTE["."] + ")$"), False).to_numpy(zero_copy_only=False)
        comma[where] = pc.fill_null(pc.match_substring_regex(text, "^(?:" + _TWO_MARK_VOTE[","] + ")$"), False).to_numpy(zero_copy_only=False)
    return point, comma


# A numeric date in ASCII with no space (so ``_date_first`` leaves it as it is): day and month first, separated by ``/``
# or ``-`` (``08/03/2020``); or a four-digit first number (``2025-08-21``, ``2025-08-21T10:00Z``), which votes nothing
_DAY_MONTH = r"^(?P<a>[0-9]{1,2})(?:/[0-9]{1,2}/|-[0-9]{1,2}-)[0-9]{1,4}$"
_YEAR_FIRST = r"^[0-9]{4}[./-][!-~]*$"


def _plain_day_votes(values: pd.Series, where: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bool per value of ``values`` (stripped strings), looked at only ``where``: voted here; it votes day first; it
    votes month first), as ``dayfirst_vote`` votes each (``_DAY_MONTH``: True when the first number is above 12 and the
    second is not, False the other way round, no vote otherwise; ``_YEAR_FIRST``: no vote)."""
    plain, day, month = (np.zeros(len(values), dtype=bool) for _ in range(3))
    if where.any():
        text = pa.array(values[where].array, type=pa.large_string())
        dm = pc.fill_null(pc.match_substring_regex(text, _DAY_MONTH), False).to_numpy(zero_copy_only=False)
        year = pc.fill_null(pc.match_substring_regex(text, _YEAR_FIRST), False).to_numpy(zero_copy_only=False)
        parts = pc.extract_regex(text.filter(pa.array(dm)), r"^(?P<a>[0-9]{1,2})[/-](?P<b>[0-9]{1,2})[/-]")
        a = pc.cast(parts.field("a"), pa.int64()).to_numpy(zero_copy_only=False)
        b = pc.cast(parts.field("b"), pa.int64()).to_numpy(zero_copy_only=False)
        idx = np.flatnonzero(where)
        plain[idx[dm | year]] = True
        day[idx[dm][(a > 12) & (b <= 12)]] = True
        month[idx[dm][(b > 12) & (a <= 12)]] = True
    return plain, day, month


def votes_by_column(columns: list[pd.Series], decimal: list[bool], dayfirst: list[bool]) -> tuple[list[Counter[str]], list[Counter[bool]]]:
    """``decimal_votes`` and ``dayfirst_votes`` of many columns at once: each column's distinct stripped values as
    headwater.clean.steps.coerce_types votes them; ``decimal``/``dayfirst``: which columns vote on each.

    Returns one Counter per column for each (an empty one where the column does not vote), equal to
    ``decimal_votes(values)`` / ``dayfirst_votes(values)`` of the column alone.
    """
    n = len(columns)
    # only the columns that vote on something are looked at: a column's votes are its own values' (codes run in
    # blocks, one per column), so leaving the others out (declared strings, notes) changes no column's Counter
    on = [k for k in range(n) if decimal[k] or dayfirst[k]]
    values, codes = _distinct_stripped([columns[k] for k in on])
    codes = np.asarray(on, dtype=np.int64)[codes] if len(on) else codes
    sample = _first_per_code(codes, VOTE_SAMPLE)
    point, comma = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    voting = sample & np.asarray(decimal, dtype=bool)[codes] if n else sample
    if voting.any():
        s, c = values[voting].reset_index(drop=True), codes[voting]
        marked = s.str.contains(r"\d[.,]|[.,]\d", regex=True).fillna(False).to_numpy(dtype=bool)
        s, c = s[marked].reset_index(drop=True), c[marked]
        parts = s.str.extract(_ONE_MARK.pattern)
        simple = parts[1].notna().to_numpy(dtype=bool)
        group = (parts[0].str.fullmatch(r"[1-9]\d{0,2}") & (parts[2].str.len() == 3)).fillna(False).to_numpy(dtype=bool)
        mark = parts[1].fillna("").to_numpy(dtype=object)
        counted = simple & ~group
        point += np.bincount(c[counted & (mark == ".")], minlength=n)
        comma += np.bincount(c[counted & (mark == ",")], minlength=n)
        # two marks, both read one way only (``4,178.86``, ``1.234.567``): voted vectorized, as decimal_vote votes them
        by_point, by_comma = _grouped_votes(s, ~simple)
        point += np.bincount(c[by_point], minlength=n)
        comma += np.bincount(c[by_comma], minlength=n)
        rest = ~simple & ~by_point & ~by_comma
        for k, v in zip(c[rest].tolist(), s[rest].tolist()):
            vote = decimal_vote(v)
            if vote == ".":
                point[k] += 1
            elif vote == ",":
                comma[k] += 1
    day, month = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    voting = sample & np.asarray(dayfirst, dtype=bool)[codes] if n else sample
    if voting.any():
        s, c = values[voting], codes[voting]
        # a numeric date (``_NUMERIC_DATE``) that is not ``.``-separated holds a ``/`` or a ``-``
        dated = (s.str.contains("/", regex=False) | s.str.contains("-", regex=False)).fillna(False).to_numpy(dtype=bool)
        # plain ASCII numeric dates (``08/03/2020``, ``2025-08-21``): voted vectorized, as dayfirst_vote votes them
        plain, by_day, by_month = _plain_day_votes(s, dated)
        day += np.bincount(c[by_day], minlength=n)
        month += np.bincount(c[by_month], minlength=n)
        dated &= ~plain
        for k, v in zip(c[dated].tolist(), s[dated].tolist()):
            vote = dayfirst_vote(v)
            if vote is True:
                day[k] += 1
            elif vote is False:
                month[k] += 1
    decimals = [Counter({".": int(point[k]), ",": int(comma[k])}) if decimal[k] else Counter() for k in range(n)]
    days = [+Counter({True: int(day[k]), False: int(month[k])}) if dayfirst[k] else Counter() for k in range(n)]
    return decimals, days


_BARE_NUMBER = r"[0-9.,\-]+"  # what a number with no unit, sign, exponent, parentheses or other script is written with
# A character other than ASCII digits, a space and . , ' + - ( ): a value without one carries no unit (unit_of needs
# a currency sign, a code or %). No \d or \s, so pandas runs it in RE2 on non-ASCII data too (a wider class than
# the step's own check, which only makes more columns take that exact check).
_UNIT_CHARACTER = r"[^0-9 .,'+\-()]"


def unit_marked(columns: list[pd.Series]) -> np.ndarray:
    """Bool per column: one of its values holds a character a bare number never has (``_UNIT_CHARACTER``), so
    ``column_unit`` or the step's other-unit check may find a unit in it; False: every value's unit is ``""``."""
    values, codes = _stack(columns)
    hit = values.str.contains(_UNIT_CHARACTER, regex=True).fillna(False).to_numpy(dtype=bool)
    return np.bincount(codes[hit], minlength=len(columns)) > 0


def _dates_until_settled(values: pd.Series, codes: np.ndarray, dayfirst: bool, need: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``values`` (distinct strings, column ``codes``, in column order) are dates (``parse_datetimes``), and
    which columns were settled early: as many of their values failed as leave fewer than ``need`` dates possible.

    ISO 8601 values are parsed vectorized; the others one by one (``parse_date``, dateutil for worded dates),
    in order, until the column is settled: a column of phone numbers or sentences stops after its first
    failures instead of parsing its whole sample. Returns (bool per value: a date, False where not parsed;
    bool per column: settled, not a date column).
    """
    ok = np.zeros(len(values), dtype=bool)
    fast = (values.str.fullmatch(_ISO_DATE) | values.str.fullmatch(r"\d{8}")).fillna(False).to_numpy(dtype=bool)
    if fast.any():
        ok[fast] = zoned_datetimes(values[fast], dayfirst)[0].notna().to_numpy()
    count = np.bincount(codes, minlength=n)
    failed = np.bincount(codes[fast & ~ok], minlength=n)
    settled = failed > count - need  # fewer than need dates left possible
    for i, k, v in zip(np.flatnonzero(~fast).tolist(), codes[~fast].tolist(), values[~fast].tolist()):
        if settled[k]:
            continue
        if parse_date(v, dayfirst) is None:
            failed[k] += 1
            settled[k] = failed[k] > count[k] - need[k]
        else:
            ok[i] = True
    return ok, settled


def fits_both_marks(columns: list[pd.Series]) -> list[np.ndarray]:
    """Per column, bool per row: the value (trimmed) is a number under both decimal marks but not the same one
    (``ambiguous_decimal``: ``1,234``, ``2,125``); looked at only where a mark stands between digits. Missing: False."""
    values, codes = _stack(columns)
    text = values.str.strip()
    both = text.str.contains(r"\d[.,]\d", regex=True).fillna(False).to_numpy(dtype=bool)
    # one mark between ASCII digits that cannot be one thousands group (12.5, 0,125, 1234.56) reads under that mark only,
    # as decimal_votes votes it: no value by value look for those (a column of 5,000 such values is common)
    one = both & text.str.fullmatch(r"[+-]?[0-9]+[.,][0-9]+").fillna(False).to_numpy(dtype=bool)
    both &= ~one | text.str.fullmatch(r"[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}").fillna(False).to_numpy(dtype=bool)
    both[both] = [ambiguous_decimal(v) for v in text[both].tolist()]
    return np.split(both, np.cumsum([len(c) for c in columns])[:-1]) if columns else []


def infer_types(
    named: dict[str, pd.Series],
    options: TypeOptions | None = None,
    formats: dict[str, dict[str, object]] | None = None,
    reasons: dict[str, str] | None = None,
) -> dict[str, str]:
    """``infer_type`` of many columns at once: ``{name: column}`` -> ``{name: type}``, the same answer for each.

    ``formats``: per column, as ``infer_type``'s; ``reasons`` gets ``{name: why}`` in column order as
    ``infer_type`` gives it. The steps common to wide files (blank and identifier columns, leading
    zeros, booleans, plain numbers, integers, ISO and numeric dates) run once over every column's
    sampled distinct values; a column that needs a rarer branch (a number with a unit, sign,
    exponent, parentheses, another script's digits or a version-like name; a date with a zone
    abbreviation; no decimal mark or day order given; values that are not strings) is passed to
    ``infer_type`` itself.
    """
    options = options or TypeOptions()
    formats = formats or {}
    names = list(named)
    out: dict[str, str] = {}
    alone: set[str] = set()  # decided by infer_type, one by one
    batch: list[str] = []
    for name in names:
        own = formats.get(name) or {}
        if looks_like_identifier(name):
            out[name] = "string"
        elif "decimal" not in own or "dayfirst" not in own or not pd.api.types.is_string_dtype(named[name].dtype) \
                or named[name].dtype == object:
            alone.add(name)
        else:
            batch.append(name)
    n = len(batch)
    # each column's values as infer_type samples them: the first rows' distinct values, stripped, no blanks
    raw, codes = _stack([named[name].iloc[:INFER_ROWS] for name in batch])
    present = raw.notna().to_numpy()
    raw, codes = raw[present].reset_index(drop=True), codes[present]
    first = ~pd.DataFrame({"c": codes, "v": raw}).duplicated().to_numpy()
    raw, codes = raw[first].reset_index(drop=True), codes[first]
    sampled = _first_per_code(codes, VOTE_SAMPLE)
    values = raw[sampled].str.strip()
    codes = codes[sampled]
    filled = (values != "").fillna(True).to_numpy(dtype=bool)
    values, codes = values[filled].reset_index(drop=True), codes[filled]
    count = np.bincount(codes, minlength=n)
    need = options.infer_min_share * count
    undecided = count > 0
    kinds = np.array(["string"] * n, dtype=object)

    def per_column(mask: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], minlength=n)

    undecided &= per_column(values.str.match(r"^[+-]?0\d+$").fillna(False).to_numpy(dtype=bool)) == 0
    lowered = values.str.lower()
    boolean = np.zeros(n, dtype=bool)
    for pair in BOOLEAN_PAIRS:
        hits = lowered.isin(pair).to_numpy(dtype=bool)
        enough = per_column(hits) >= need
        if pair == BOOLEAN_PAIRS[2]:
            for word in pair:  # on/off: both words seen (a lone ``on`` is a word)
                enough &= per_column(hits & (lowered == word).fillna(False).to_numpy(dtype=bool)) > 0
        boolean |= enough
    kinds[undecided & boolean] = "boolean"
    undecided &= ~boolean

    decimals = np.array([str(formats[name]["decimal"]) for name in batch], dtype=object)
    numbers = pd.Series(pd.NA, index=values.index, dtype="string")
    for mark in ".,":
        at = (decimals[codes] == mark) & undecided[codes] if n else np.zeros(0, dtype=bool)
        if at.any():
            numbers[at] = number_texts(values[at], mark).to_numpy()
    parsed = numbers.notna().to_numpy(dtype=bool)
    numeric = undecided & (per_column(parsed) >= need)
    # a parsed value written with more than digits, marks and '-' may carry a unit, a '+', an exponent...: number_text_reason decides
    unusual = parsed & ~values.str.fullmatch(_BARE_NUMBER).fillna(False).to_numpy(dtype=bool)
    unusual |= parsed & values.str.endswith("-").fillna(False).to_numpy(dtype=bool)  # a trailing minus (``2-``)
    rare = numeric & (per_column(unusual) > 0)
    rare |= numeric & np.array([bool(_VERSION_NAME.search(name)) for name in batch], dtype=bool)
    for k in np.flatnonzero(rare):
        alone.add(batch[k])
    numeric &= ~rare
    undecided &= ~rare
    # 1.10 next to 1.2 (number_text_reason): per column and whole part, a fraction with a trailing zero longer than the shortest
    on = parsed & numeric[codes] if n else parsed
    dotted = values[on].str.extract(r"^(\d+)\.(\d+)$")
    dotted["c"] = codes[on]
    dotted = dotted.dropna()
    versions = np.zeros(n, dtype=bool)
    if len(dotted):
        length = dotted[1].str.len()
        zero = (dotted[1].str.endswith("0") & (length > 1)).to_numpy(dtype=bool)
        keys = [dotted["c"].to_numpy(), dotted[0].to_numpy(dtype=object)]
        zeros = length[zero].groupby([keys[0][zero], keys[1][zero]]).max()
        if len(zeros):
            shortest = length.groupby(keys).min().reindex(zeros.index)
            longer = (shortest < zeros).to_numpy(dtype=bool)
            versions[np.unique(zeros.index.get_level_values(0)[longer]).astype(np.int64)] = True
    found = {batch[k]: "version numbers" for k in np.flatnonzero(numeric & versions)}  # into ``reasons`` in column order below
    numeric &= ~versions
    undecided &= ~versions
    whole = numbers.str.fullmatch(r"-?\d+").fillna(False).to_numpy(dtype=bool)
    fits = np.zeros(len(values), dtype=bool)
    if whole.any():
        fits[whole] = integers_of(numbers[whole].reset_index(drop=True))[1]
    integer = per_column(parsed & ~whole) == 0
    overflow = per_column(whole & ~fits) > 0
    kinds[numeric & integer & ~overflow] = "integer"
    kinds[numeric & ~integer] = "number"
    undecided &= ~numeric

    # dates: columns whose values are at most 40 characters long
    longest = np.zeros(n, dtype=np.int64)
    np.maximum.at(longest, codes, _date_lengths(values))
    dating = undecided & (longest <= DATE_LENGTH)
    for day_first in (False, True):
        group = dating & np.array([bool(formats[name]["dayfirst"]) == day_first for name in batch], dtype=bool)
        at = group[codes] if n else np.zeros(0, dtype=bool)
        if not at.any():
            continue
        s, c = values[at].reset_index(drop=True), codes[at]
        ok, settled = _dates_until_settled(s, c, day_first, need, n)
        hits = np.bincount(c[ok], minlength=n)
        dated = group & ~settled & (hits >= need)
        written = np.zeros(len(s), dtype=bool)
        written[ok] = written_times(s[ok])
        timed = np.bincount(c[written], minlength=n) > 0
        kinds[dated & timed] = "datetime"
        kinds[dated & ~timed] = "date"
        # a zone abbreviation among the values that are no dates (among all values, where parsing stopped early)
        # or an IANA zone name: why it was not read is said by infer_type
        zone_written = zone_abbreviations(s) | s.str.contains(_ZONE_NAME_END, regex=True).fillna(False).to_numpy(dtype=bool)
        named_zone = np.bincount(c[zone_written & (~ok | settled[c])], minlength=n) > 0
        for k in np.flatnonzero(group & ~dated & named_zone):
            alone.add(batch[k])
    decided = dict(zip(batch, kinds.tolist()))
    for name in names:
        if name in alone:
            out[name] = infer_type(name, named[name], options, formats.get(name), reasons)
        elif name in decided:
            out[name] = decided[name]
            if reasons is not None and name in found:
                reasons[name] = found[name]
    return {name: out[name] for name in names}


NUMBER_KINDS = ("integer", "number")
BATCHED_KINDS = ("integer", "number", "boolean", "date")  # kinds whose coercion reads each value alone (a date-time column decides its zone)


def coerce_columns(columns: list[pd.Series], kind: str, options: TypeOptions | None = None, formats: dict[str, object] | None = None) -> list[Coerced] | None:
    """``coerce`` of several columns of one ``kind`` (BATCHED_KINDS) and the same ``formats`` (holding the decimal mark,
    and the day order for dates, so nothing is decided from the values) in one call on their concatenation.

    Returns one Coerced per column, each equal to ``coerce(column, kind, options, formats)`` (every
    value is parsed alone), or None when a value was read by an assumption or not read for a known
    cause (``interpreted``, ``unread``: counted per column, so the caller coerces those columns one
    by one); the per-value reasons of the rest (``nearest_float64``...) are split per column. Raises ValueError for another kind or formats that leave a decision open.
    """
    formats = dict(formats or {})
    if kind not in BATCHED_KINDS or (kind in NUMBER_KINDS and "decimal" not in formats) or (kind == "date" and "dayfirst" not in formats):
        raise ValueError(f"coerce_columns: {kind!r} with formats {formats!r} decides from the values; coerce each column")
    values, _ = _stack(columns)
    result = coerce(values, kind, options, formats)
    if result.interpreted or result.unread:
        return None
    typed, failed, inexact = result.values.array, result.failed.to_numpy(dtype=bool), result.inexact.to_numpy(dtype=bool)
    # reasons with no count (nearest_float64, ambiguous_decimal_mark...) are per value: each column gets its slice
    why = None if result.reasons is None else result.reasons.to_numpy(dtype=object)
    out, start = [], 0
    for column in columns:
        end, index = start + len(column), column.index
        reasons = None if why is None or pd.isna(why[start:end]).all() else pd.Series(why[start:end], index=index, dtype=object)
        out.append(Coerced(pd.Series(typed[start:end], index=index), pd.Series(failed[start:end], index=index),
                           pd.Series(inexact[start:end], index=index), reasons=reasons))
        start = end
    return out

