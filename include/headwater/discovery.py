"""Which landing files belong to a logical date, which records they hold, and why the others are skipped.

Drops live under ``<landing root>/<YYYY-MM-DD>/``. A *landing record* is what one mapped task
group processes:

* a table file: ``.csv``, ``.tsv`` or ``.txt``, optionally compressed (``.gz``, ``.bz2``, ``.zst``,
  ``.xz``): ``orders.csv.gz`` is read through its decompressor;
* a member of a ``.zip`` archive holding tables: ``orders.zip/part-1.csv`` (``<archive>/<member
  path>``; a landing file name never contains ``/``, so the name says which it is). Each member has
  its own outputs and accounting.

Every other name in the folder is *skipped*, with a reason the run report lists: hidden names and
in-flight uploads (``.part``, ``.tmp``, names starting with ``_`` or ``.``, so a half-copied file is
never ingested; Office lock files ``~$name.csv``), files in a sub-folder of the date's folder (never
read: one name per landing file keeps outputs distinct), unknown extensions, zip members that are not tables, names that the run's
``file_glob`` leaves out, and archives that cannot be listed (an upload still in progress, or a
damaged archive: listed again on the next run).
"""

from __future__ import annotations

import fnmatch
import zipfile
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, BinaryIO, TypeVar

T = TypeVar("T")

TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
# Compression suffix -> the format LandingStream reads (it decides by the bytes' magic number, the name only says what to expect).
COMPRESSION_SUFFIXES = {".gz": "gzip", ".bz2": "bzip2", ".zst": "zstd", ".xz": "xz"}
ARCHIVE_SUFFIXES = (".zip",)
IN_FLIGHT_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial")
MEMBER_SEPARATOR = "/"  # between an archive's name and a member path in a landing record name


def partition(date: str) -> str:
    """The landing sub-folder of a logical date (``YYYY-MM-DD``)."""
    return date[:10]


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def compression_of(name: str) -> str | None:
    """The compression a name announces (``orders.csv.gz`` -> ``gzip``), None for a plain or unknown name."""
    return COMPRESSION_SUFFIXES.get(_suffix(name))


def is_table_name(name: str) -> bool:
    """``.csv``, ``.tsv`` or ``.txt``, optionally followed by a compression suffix (case-insensitive)."""
    lower = name.lower()
    if compression_of(lower):
        lower = lower[: lower.rfind(".")]
    return lower.endswith(TABLE_SUFFIXES)


def is_archive_name(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def skip_reason(name: str) -> str | None:
    """Why the landing file ``name`` is not processed, or None when it is (a table file or a zip archive)."""
    lower = name.lower()
    if lower.startswith((".", "_")):
        return "hidden or temporary name (starts with '.' or '_')"
    if lower.startswith("~"):
        return "lock or temporary file of an editor (starts with '~', as Excel's ~$name.csv)"
    if lower.endswith(IN_FLIGHT_SUFFIXES):
        return f"upload in progress ({_suffix(lower)})"
    if is_table_name(name) or is_archive_name(name):
        return None
    suffix = _suffix(name)
    return (
        f"unknown extension ({suffix or 'none'}): Headwater reads .csv, .tsv and .txt files, plain or compressed "
        "(.gz, .bz2, .zst, .xz), and .zip archives of them"
    )


def is_landing_file(name: str) -> bool:
    """Whether the landing file ``name`` is processed (see ``skip_reason``)."""
    return skip_reason(name) is None


def member_skip_reason(path: str) -> str | None:
    """Why zip member ``path`` (``folder/file.csv``) is not processed, or None when it is a table."""
    parts = path.split("/")
    if any(p.startswith((".", "_")) for p in parts):  # __MACOSX/ resource forks, .DS_Store, ...
        return "hidden or temporary name inside the archive (a path part starts with '.' or '_')"
    if compression_of(parts[-1]) or is_archive_name(parts[-1]):
        return "compressed file inside a zip archive: not read (put the table in the archive uncompressed)"
    if not is_table_name(parts[-1]):
        return f"zip member that is not a CSV ({_suffix(parts[-1]) or 'no extension'})"
    return None


def split_member(record: str) -> tuple[str, str | None]:
    """``orders.zip/data/a.csv`` -> (``orders.zip``, ``data/a.csv``); a plain file name -> (name, None)."""
    archive, sep, member = record.partition(MEMBER_SEPARATOR)
    return (archive, member) if sep else (record, None)


@dataclass(frozen=True)
class Skipped:
    """A landing file (or zip member, as ``<archive>/<member>``) that is not processed, and why."""

    file: str
    reason: str


@dataclass
class Scan:
    """One landing folder: the records to process (sorted, so map indexes are stable) and what is skipped."""

    files: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def zip_members(archive: str, source: BinaryIO) -> Scan:
    """The table members of zip archive ``archive`` (its central directory, read from ``source``).

    ``source`` must be seekable (the central directory is at the end of the file; on an object
    store that is a ranged read, not a download). Directory entries are not files and are not
    listed; a second member with the name of an earlier one is skipped. Raises zipfile.BadZipFile
    (or OSError) when the archive cannot be listed.
    """
    found = Scan()
    seen: set[str] = set()
    with zipfile.ZipFile(source) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            record = f"{archive}{MEMBER_SEPARATOR}{info.filename}"
            reason = member_skip_reason(info.filename)
            if reason is None and info.filename in seen:
                reason = "a second member with the same name in the archive: only the first is read"
            seen.add(info.filename)
            if reason:
                found.skipped.append(Skipped(record, reason))
            else:
                found.files.append(record)
    if not found.files and not found.skipped:
        found.skipped.append(Skipped(archive, "zip archive without any file"))
    return found


NESTED_REASON = (
    "in a sub-folder of the date's landing folder: not read (only files directly in <date>/ are landing files) — "
    "move it up with a name of its own, or zip the folders (zip members keep their paths)"
)


def scan(
    names: Iterable[str],
    glob: str = "*",
    open_file: Callable[[str], AbstractContextManager[BinaryIO]] | None = None,
    nested: Iterable[str] = (),
) -> Scan:
    """The landing records among the file names ``names`` of one folder, and the skipped files with reasons.

    ``nested``: the paths, relative to the folder (``eu/orders.csv``), of the files in its
    sub-folders: each is listed as skipped (NESTED_REASON), never read.

    ``glob`` (the run's ``file_glob``) keeps a record when it matches the record's name or its
    landing file's name (``orders.zip`` keeps every member). ``open_file(name)`` opens a landing
    file for reading (binary, seekable); it is called for zip archives only, to list their members.
    Without it, archives are skipped.
    """
    found = Scan()
    glob = glob or "*"
    for name in sorted(set(names)):
        reason = skip_reason(name)
        if reason is None and is_archive_name(name):
            if open_file is None:
                reason = "zip archive: not listed here"
            else:
                try:
                    with open_file(name) as source:
                        inner = zip_members(name, source)
                except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                    reason = f"zip archive that cannot be listed ({type(exc).__name__}: {exc}): still uploading or damaged; listed again on the next run"
                else:
                    kept = [r for r in inner.files if fnmatch.fnmatchcase(name, glob) or fnmatch.fnmatchcase(r, glob)]
                    found.files += kept
                    found.skipped += [Skipped(r, f"not matched by file_glob {glob!r}") for r in inner.files if r not in kept]
                    found.skipped += inner.skipped
                    continue
        if reason is None and not fnmatch.fnmatchcase(name, glob):
            reason = f"not matched by file_glob {glob!r}"
        if reason:
            found.skipped.append(Skipped(name, reason))
        else:
            found.files.append(name)
    found.skipped += [Skipped(path, NESTED_REASON) for path in sorted(set(nested))]
    found.files.sort()
    return found


def scan_folder(folder: Any, glob: str = "*") -> Scan:
    """scan() of a landing folder given as a path object (``pathlib.Path``, Airflow's ``ObjectStoragePath``): its files,
    and those of its sub-folders (any depth) as ``nested``; an empty Scan when the folder does not exist."""
    if not folder.exists():
        return Scan()
    names, nested, todo = [], [], [(p, p.name) for p in folder.iterdir()]
    while todo:
        path, rel = todo.pop()
        if path.is_file():
            (nested if "/" in rel else names).append(rel)
        elif path.is_dir():
            todo += [(p, f"{rel}/{p.name}") for p in path.iterdir()]
    return scan(names, glob, open_file=lambda name: (folder / name).open("rb"), nested=nested)


def batches(records: list[T], limit: int) -> list[list[T]]:
    """``records`` cut into at most ``limit`` consecutive batches, in order, sizes differing by at most one.

    Airflow refuses to map a task over more than ``[core] max_map_length`` elements (1,024 by
    default; https://airflow.apache.org/docs/apache-airflow/3.3.2/configurations-ref.html#max-map-length):
    a day with more landing files than that maps one task group per batch instead of per file.
    Up to ``limit`` records, every batch holds one record (one mapped task group per file).
    ``[]`` for no records; ValueError when ``limit`` < 1.
    """
    if limit < 1:
        raise ValueError(f"limit {limit}: max_map_length must be >= 1")
    count = min(len(records), limit)
    if count == 0:
        return []
    size, extra = divmod(len(records), count)
    out, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        out.append(records[start:end])
        start = end
    return out


def dates_between(date_from: str | None, date_to: str | None, default: str) -> list[str]:
    """Every date from ``date_from`` to ``date_to`` inclusive, or just ``default`` when neither is set."""
    if not date_from and not date_to:
        return [default]
    first = date.fromisoformat(date_from or date_to)  # type: ignore[arg-type]
    last = date.fromisoformat(date_to or date_from)  # type: ignore[arg-type]
    if last < first:
        raise ValueError(f"date_to {last} is before date_from {first}")
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def without_conn_id(uri: str) -> str:
    """``s3://conn_id@bucket/prefix`` -> ``s3://bucket/prefix`` (Airflow's ObjectStoragePath form); other URIs unchanged."""
    scheme, sep, rest = uri.partition("://")
    if not sep or scheme in ("file", "local"):
        return uri
    authority, slash, path = rest.partition("/")
    if "@" in authority and ":" not in authority.partition("@")[0]:
        authority = authority.partition("@")[2]
    return f"{scheme}://{authority}{slash}{path}"


def list_local(landing_uri: str, date: str) -> Scan:
    """Scan a date's landing folder through fsspec (used by the CLI; the DAG uses ObjectStoragePath).

    ``landing_uri`` may name an Airflow connection the way ``ObjectStoragePath`` does
    (``s3://conn_id@bucket/prefix``): fsspec does not know that form, so the connection id is dropped
    and the bucket is listed with the environment's credentials (``AWS_*``). Raises what fsspec raises
    when the folder cannot be listed.
    """
    import fsspec

    fs, root = fsspec.core.url_to_fs(without_conn_id(landing_uri))
    folder = f"{root.rstrip('/')}/{partition(date)}"
    if not fs.exists(folder):
        return Scan()
    paths = [p[len(folder.rstrip("/")) + 1 :] for p in fs.find(folder.rstrip("/"))]
    names = [p for p in paths if "/" not in p]
    return scan(names, open_file=lambda name: fs.open(f"{folder}/{name}", "rb"), nested=[p for p in paths if "/" in p])
