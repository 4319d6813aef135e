"""Column names and curated values written for reading: what a row document shows.

The reading formats (the only ways a row document may show a value differently from the
curated table, README "Row documents"):

* a column name becomes words: ``business_name`` -> ``Business name`` (underscores to spaces,
  the first letter capitalized, the rest as written);
* a boolean is ``yes`` or ``no``;
* an integer is its digits, with no grouping (``2024`` stays ``2024``, a zip code stays a zip code);
* a float is the shortest decimal that reads back as the same double, never in exponent form
  (``2.5``, ``0.1``, ``3`` for 3.0: ``numpy.format_float_positional`` with ``unique=True``);
* a number with a unit (``schema.columns.<c>.unit``) is followed by it, after a space
  (``92 points``, ``12.5 kg``), except ``%``, which follows directly (``7.5%``);
* a date is ``12 March 2024`` (English month names, whatever the locale);
* a date and time is ``12 March 2024, 14:05 UTC`` (seconds and microseconds only when not
  zero: ``14:05:09.250000``); the curated table holds UTC;
* text is shown exactly as curated; a value that is missing, or only whitespace, is not shown.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def column_label(name: str) -> str:
    """``business_name`` -> ``Business name``; ``zip_code`` -> ``Zip code``; ``""`` -> ``""``."""
    words = " ".join(part for part in name.split("_") if part)
    return words[:1].upper() + words[1:]


def python_value(value: Any) -> Any:
    """A pandas/numpy scalar of a curated frame as plain Python: NA, NaT and NaN -> None,
    numpy integers/floats/booleans -> int/float/bool, ``pd.Timestamp`` -> ``datetime``; the rest as is."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def format_number(value: int | float, unit: str = "") -> str:
    """An integer or float for reading, with its unit (module docstring): ``format_number(92, "points")`` -> ``92 points``."""
    return with_unit(str(value) if isinstance(value, int) else np.format_float_positional(value, unique=True, trim="-"), unit)


def with_unit(number: str, unit: str = "") -> str:
    """A number's text with its unit: ``with_unit("92", "points")`` -> ``92 points``, ``with_unit("5", "%")`` -> ``5%``."""
    if not unit:
        return number
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


def format_date(value: dt.date) -> str:
    """``date(2024, 3, 12)`` -> ``12 March 2024``."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_datetime(value: dt.datetime) -> str:
    """``datetime(2024, 3, 12, 14, 5, tzinfo=UTC)`` -> ``12 March 2024, 14:05 UTC``; a naive datetime gets no zone."""
    clock = f"{value.hour:02d}:{value.minute:02d}"
    if value.second or value.microsecond:
        clock += f":{value.second:02d}"
    if value.microsecond:
        clock += f".{value.microsecond:06d}"
    zone = "" if value.tzinfo is None else f" {value.tzname()}"
    return f"{format_date(value)}, {clock}{zone}"


def format_value(value: Any, unit: str = "") -> str | None:
    """A curated value for reading (module docstring), or None when it is missing or blank.

    ``value``: what a curated frame holds (pandas/numpy scalars are converted with ``python_value``).
    ``unit`` applies to numbers only. Raises nothing: a value of another type is shown as ``str(value)``.
    """
    value = python_value(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return format_number(value, unit)
    if isinstance(value, dt.datetime):  # before date: a datetime is a date
        return format_datetime(value)
    if isinstance(value, dt.date):
        return format_date(value)
    text = str(value)
    return text if text.strip() else None
