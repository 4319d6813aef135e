"""Which landing files belong to a logical date.

Drops live under ``<landing root>/<YYYY-MM-DD>/``. Hidden files and in-flight
uploads (``.part``, ``.tmp``, names starting with ``_`` or ``.``) are ignored so a
half-copied file is never ingested.
"""

from __future__ import annotations

from collections.abc import Iterable

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


def select(names: Iterable[str]) -> list[str]:
    """Landing files among ``names``, sorted so map indexes are stable across runs."""
    return sorted({n for n in names if is_landing_file(n)})


def list_local(landing_uri: str, date: str) -> list[str]:
    """List a date's landing files through fsspec (used by the CLI; the DAG uses ObjectStoragePath)."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(landing_uri)
    folder = f"{root.rstrip('/')}/{partition(date)}"
    if not fs.exists(folder):
        return []
    return select(p.rsplit("/", 1)[-1] for p in fs.ls(folder, detail=False) if fs.isfile(p))
