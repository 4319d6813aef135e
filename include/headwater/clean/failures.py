"""Why a value the type step could not read was not read: the reason kept in ``<col>__reason`` (breaker5 #19).

Every value headwater.clean.steps.coerce_types could not read keeps its text in ``<col>__raw`` and a reason in
``<col>__reason``. A cause the parser names itself (``dst_gap``, ``weekday_mismatch``, ``credit_debit_suffix``...,
headwater.clean.values.REASONED) is that reason; otherwise ``failure_reasons`` gives one of the specific causes below
where the text shows it for certain, else the generic ``not_a_<type>`` (GENERIC).

Specific causes:

- ``censored_value``: a number written with a comparison, ``<0.01``, ``>100``, ``≤0.05``, ``≥5``, ``< 0.5``, ``<LOD``
  (a laboratory result below or above what the method measures). A different fact from a missing value and from the
  number it names: never stored as 0.01; the type step warns about every such column (count, first lines).
- ``uncertainty_not_read``: a number with an uncertainty, ``12 ± 2``, ``12 +/- 2``: which number to store is not guessed.
- ``invalid_calendar_date``: a date no calendar has, ``2025-02-29`` (2025 is no leap year), ``2025-04-31``,
  ``31/04/2025`` (read in the column's day order; dotted dates day first, as headwater.clean.values.parse_date reads them).
- ``leap_second``: a time at ``23:59:60`` (any minute 59 with second 60: a leap second in a local zone), which a
  date-time value cannot hold (Python's datetime, numpy and Arrow have no second 60).
- ``hour_24``: a time at hour 24, ``2025-03-10 24:00``. Not read: ISO 8601 allows ``24:00`` as the end of a day
  (the next day's 00:00), but Java's ``kk`` hour pattern (1-24) writes the midnight that *starts* a day as ``24:00`` of
  that day, so the two readings are a day apart and the text cannot tell which was meant.

- ``year_out_of_range``: a date whose year no date value of Python, pandas' object conversion or pyarrow's ``as_py`` can
  hold (Python's datetime: 1-9999, headwater.clean.values.STORABLE_YEARS): year ``0000`` (``0000-01-01``,
  ``01.01.0000``), a signed or five-digit ISO 8601 expanded year (``-0001-01-01``, ``+10000-01-01``, ``10000-01-01``).
  headwater.clean.values.coerce gives the same reason to a value it read whose date or UTC instant falls outside
  (``0001-01-01T00:30+01:00`` is year 0 in UTC): never stored, since the next stages could not read it (breaker13 F8/F9).
- ``zero_date``: MySQL's "zero" date, ``0000-00-00`` (``0000-00-00 00:00:00``), which MySQL writes for a date it holds
  as a dummy (MySQL 8.4 Reference Manual, "The DATE, DATETIME, and TIMESTAMP Types": "the 'zero' value"; Connector/J's
  ``zeroDateTimeBehavior=CONVERT_TO_NULL`` reads it as NULL). Not read as missing by default: a dump may use it for
  "unknown" or for "never", which is not guessed; list it in ``types.na_values`` (or the column's ``na_values``) to
  make it a missing value (``na_spelling``) instead.

No ``ND`` or ``n.d.`` (not detected, or no data?): those get the generic reason.
"""

from __future__ import annotations

import calendar
import re

import numpy as np
import pandas as pd

# Reasons of values that WERE read, stored otherwise than written (their text kept in ``<col>__raw``;
# headwater.clean.values.coerce): ``nearest_float64``, a number float64 cannot hold (``9007199254740993`` stored as
# the nearest double, 9007199254740992.0; IEEE 754 round-to-nearest, Arrow's cast); ``sub_microsecond_digits``, a
# fraction of a second beyond microseconds (``10:00:00.123456789``: the cell holds 10:00:00.123456, the resolution
# of Python's datetime and Arrow's ``timestamp[us]``).
NEAREST_FLOAT64 = "nearest_float64"
SUB_MICROSECOND = "sub_microsecond_digits"
# ``time_dropped``: a date-time in a ``date`` column (``2024-03-05 14:30``, ``2024-03-05 00:30 +01:00``): the date as
# written is stored (in the offset written, never converted to UTC), the time is not; a naive midnight
# (``2024-03-05 00:00:00``, Excel's way of writing a date) loses nothing and has no reason.
TIME_DROPPED = "time_dropped"
# ``zone_dropped``: an RFC 9557 date with a zone and no time (``2024-03-05[Europe/Berlin]``, Temporal's ``PlainDate`` /
# ``ZonedDateTime`` string) in a ``date`` column: the date written is stored, the zone is not (a date holds none).
ZONE_DROPPED = "zone_dropped"
# ``start_of_day``: the same value in a ``datetime`` column: stored at the first instant of that day in that zone (its
# midnight, or the end of a daylight-saving gap at midnight: Temporal's ``startOfDay``, Java's
# ``LocalDate.atStartOfDay(ZoneId)``), a time nobody wrote.
START_OF_DAY = "start_of_day"

CENSORED = "censored_value"
UNCERTAINTY = "uncertainty_not_read"
INVALID_CALENDAR_DATE = "invalid_calendar_date"
LEAP_SECOND = "leap_second"
HOUR_24 = "hour_24"
YEAR_OUT_OF_RANGE = "year_out_of_range"
ZERO_DATE = "zero_date"
# the reason of a failed value no more specific cause explains, by the column's type
GENERIC = {
    "number": "not_a_number", "integer": "not_an_integer", "date": "not_a_date", "datetime": "not_a_datetime", "boolean": "not_a_boolean",
}
# the causes failure_reasons names from the text (each warned about, with its count and first lines, by the type step)
SPECIFIC = (CENSORED, UNCERTAINTY, INVALID_CALENDAR_DATE, LEAP_SECOND, HOUR_24, YEAR_OUT_OF_RANGE, ZERO_DATE)

# the reasons that say a value failed its column's type (headwater.clean.outputs counts those in ``coercion_failures``):
# these, every cause headwater.clean.values names for a value it did not read (the causes of its Coerced.unread, all in
# its REASONED: zones, daylight-saving changes, text after a date, a wrong weekday; headwater.clean.number_spellings'
# NOT_READ: CR/DR suffixes, mixed digit scripts) and a step's ``type``. A value in another currency than the column's
# declared unit (``currency_differs_from_unit``) is counted by its own warning, not here.
COUNTED = (
    *GENERIC.values(), *SPECIFIC, "zone_abbreviation", "zone_abbreviation_unused", "dst_gap", "dst_fold", "no_zone", "offset",
    "text_after_date", "weekday_mismatch", "zone_name_unknown", "zone_name_posix_sign", "zone_name_dst_gap", "zone_name_dst_fold",
    "zone_offset_mismatch", "critical_suffix_tag", "credit_debit_suffix", "mixed_digit_scripts", "type",
)

_NUMBER = r"[-+]?(?:\d[\d.,' ]*\d|\d)(?:[eE][-+]?\d+)?"
# a comparison sign (ASCII, mathematical, full width, HTML-escaped), a number or a named limit, an optional unit after it
_CENSORED = re.compile(
    r"\s*(?:<=?|>=?|=<|=>|≤|≥|⩽|⩾|＜|＞|&lt;|&gt;)\s*"
    r"(?:" + _NUMBER + r"|(?i:LOD|LOQ|LLOQ|ULOQ|MDL|MRL|PQL|DL|RL|QL|LOR))"
    r"\s*[^\d\s<>=≤≥]{0,12}\s*"
)
_UNCERTAINTY = re.compile(r"\s*" + _NUMBER + r"\s*(?:±|\+/-|\+/−|\+-|-/\+)\s*" + _NUMBER + r"\s*[^\d\s]{0,12}\s*")
_ISO_DATE = re.compile(r"\s*(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:$|[T\s,])")
_NUMERIC_DATE = re.compile(r"\s*(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?:$|[T\s,])")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_MONTH_DAY = re.compile(r"(?i)\b" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_DAY_MONTH = re.compile(r"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(\d{4})\b")
_LEAP_SECOND = re.compile(r"(?<!\d)\d{1,2}:59:60(?:[.,]\d+)?(?!\d)")
_HOUR_24 = re.compile(r"(?:^|[T\s])24:[0-5]\d(?!\d)")
# MySQL's zero date, alone or with a zero time (``0000-00-00``, ``0000-00-00 00:00:00``, ``0000-00-00T00:00:00.000``)
_ZERO_DATE = re.compile(r"\s*0000-00-00(?:[T ]00:00(?::00(?:\.0+)?)?)?\s*")
# a date with a year Python's datetime cannot hold: ISO (``0000-01-01``; ISO 8601 expanded years ``-0001-01-01``,
# ``+10000-01-01``, ``10000-01-01``) or numeric day/month first (``01.01.0000``, ``01/01/0000``), a time or text after it
_ISO_YEAR = re.compile(r"\s*([-+\u2212]?)(\d{4,})-(\d{1,2})-(\d{1,2})(?:$|[T\s,])")
_NUMERIC_YEAR = re.compile(r"\s*\d{1,2}([-/.])\d{1,2}\1(\d{4,})(?:$|[T\s,])")


def _no_such_day(year: int, month: int, day: int) -> bool:
    """True for a day number 1-31 in a month 1-12 that the month lacks in ``year`` (proleptic Gregorian: ``calendar``)."""
    return 1 <= month <= 12 and 1 <= day <= 31 and year >= 1 and day > calendar.monthrange(year, month)[1]


def invalid_calendar_date(text: str, dayfirst: bool = False) -> bool:
    """True when ``text`` starts with (ISO, numeric) or holds (month name) a date whose day its month lacks:
    ``2025-02-29``, ``2025/04/31 10:00``, ``04/31/2025`` (``dayfirst`` False), ``31.04.2025`` (dotted: day first),
    ``29/02/1900`` (a part above 12 is the day in either order),
    ``Feb 29, 2025``, ``31 April 2025``. A month above 12 or a day above 31 is no calendar date at all: False."""
    m = _ISO_DATE.match(text)
    if m:
        return _no_such_day(int(m[1]), int(m[3]), int(m[4]))
    m = _NUMERIC_DATE.match(text)
    if m:
        first, second = int(m[1]), int(m[3])
        # a part above 12 is the day whatever the column's order (29/02/1900 is 29 February: breaker6 #13)
        day_first = first > 12 >= second or (not second > 12 >= first and (dayfirst or m[2] == "."))
        day, month = (first, second) if day_first else (second, first)
        return _no_such_day(int(m[4]), month, day)
    m = _MONTH_DAY.search(text)
    if m:
        return _no_such_day(int(m[3]), _MONTHS.index(m[1].lower()) + 1, int(m[2]))
    m = _DAY_MONTH.search(text)
    if m:
        return _no_such_day(int(m[3]), _MONTHS.index(m[2].lower()) + 1, int(m[1]))
    return False


def year_out_of_range(text: str) -> bool:
    """True when ``text`` starts with a date (ISO ``year-month-day`` or numeric ``day/month/year``, any order of day and
    month) whose year Python's datetime cannot hold (headwater.clean.values.STORABLE_YEARS, 1-9999): year 0, a negative
    (``-0001``: ISO 8601 expanded, before year 0) or a five-digit year (``10000``, ``+10000``). ``2024-03-05`` and ``0001-01-01``: False."""
    m = _ISO_YEAR.match(text)
    if m:
        return m[1] in ("-", "\u2212") and m[1] != "" or not 1 <= int(m[2]) <= 9999
    m = _NUMERIC_YEAR.match(text)
    return bool(m) and not 1 <= int(m[2]) <= 9999


def failure_reason(text: str, kind: str, dayfirst: bool = False) -> str:
    """The reason for ``text``, a value of a ``kind`` column (``number``, ``integer``, ``date``, ``datetime``,
    ``boolean``) that did not parse: a SPECIFIC cause the text shows, else GENERIC[kind].
    ``dayfirst``: the column's day order (for ``31/04/2025``). Raises KeyError for another kind."""
    generic = GENERIC[kind]
    if kind in ("number", "integer"):
        if _CENSORED.fullmatch(text):
            return CENSORED
        if _UNCERTAINTY.fullmatch(text):
            return UNCERTAINTY
    elif kind in ("date", "datetime"):
        if invalid_calendar_date(text, dayfirst):
            return INVALID_CALENDAR_DATE
        if _LEAP_SECOND.search(text):
            return LEAP_SECOND
        if _HOUR_24.search(text):
            return HOUR_24
        if _ZERO_DATE.fullmatch(text):
            return ZERO_DATE
        if year_out_of_range(text):
            return YEAR_OUT_OF_RANGE
    return generic


def failure_reasons(written: pd.Series, kind: str, dayfirst: bool = False) -> np.ndarray:
    """``failure_reason`` of each value of ``written`` (values that failed a ``kind`` column; missing values get None),
    each distinct value judged once. Returns an object array, one reason per row."""
    text = written.astype("string").str.strip()
    out = np.full(len(text), None, dtype=object)
    present = text.notna().to_numpy(dtype=bool)
    if present.any():
        seen = {v: failure_reason(v, kind, dayfirst) for v in text[present].unique().tolist()}
        out[present] = [seen[v] for v in text[present].tolist()]
    return out
