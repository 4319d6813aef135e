"""Which landing files belong to a logical date.

Drops live under ``<landing root>/<YYYY-MM-DD>/``. Hidden files and in-flight
uploads (``.part``, ``.tmp``, names starting with ``_`` or ``.``) are ignored so a
half-copied file is never ingested.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from datetime import date, timedelta

LANDING_SUFFIXES = (".csv", ".tsv", ".txt")
IN_FLIGHT_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial")


def partition(date: str) -> str:
    """The landing sub-folder of a logical date (``YYYY-MM-DD``)."""
    return date[:10]


def is_landing_file(name: str) -> bool:
    lower = name.lower()
    if lower.startswith((".", "_")) or lower.endswith(IN_FLIGHT_SUFFIXES):
        return False
    return lower.endswith(LANDING_SUFFIXES)


def select(names: Iterable[str], glob: str = "*") -> list[str]:
    """Landing files among ``names`` matching ``glob``, sorted so map indexes are stable across runs."""
    return sorted({n for n in names if is_landing_file(n) and fnmatch.fnmatchcase(n, glob or "*")})


def dates_between(date_from: str | None, date_to: str | None, default: str) -> list[str]:
    """Every date from ``date_from`` to ``date_to`` inclusive, or just ``default`` when neither is set."""
    if not date_from and not date_to:
        return [default]
    first = date.fromisoformat(date_from or date_to)  # type: ignore[arg-type]
    last = date.fromisoformat(date_to or date_from)  # type: ignore[arg-type]
    if last < first:
        raise ValueError(f"date_to {last} is before date_from {first}")
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def list_local(landing_uri: str, date: str) -> list[str]:
    """List a date's landing files through fsspec (used by the CLI; the DAG uses ObjectStoragePath)."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(landing_uri)
    folder = f"{root.rstrip('/')}/{partition(date)}"
    if not fs.exists(folder):
        return []
    return select(p.rsplit("/", 1)[-1] for p in fs.ls(folder, detail=False) if fs.isfile(p))
