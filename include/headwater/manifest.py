"""The per-file manifest: what each stage did to one landing file, and the file's outcome.

Each stage reads the previous stage's output from disk, overwrites its own output atomically
and updates the file's manifest, then returns ``summary(manifest)``: a small dict (paths and
counts) that fits in an XCom. Running a stage twice gives the same result.
"""

from __future__ import annotations

import functools
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from headwater.config.settings import Settings
from headwater.discovery import compression_of, split_member
from headwater.layout import Layout, file_key
from headwater.storage import is_remote, read_json, write_json

StageFn = TypeVar("StageFn", bound=Callable[..., Any])

STAGES = ("ingest", "clean", "chunk", "embed")
# A file's outcome: read and curated (ok), nothing but a header (empty), unreadable as a whole (quarantined).
OK, QUARANTINED, EMPTY = "ok", "quarantined", "empty"
FINISHED = (OK, EMPTY, QUARANTINED)
IN_PROGRESS = "in_progress"  # the ledger's outcome while a file is being processed
# The action of a file this run did not process (its check found it unchanged) but whose curated rows it rewrote:
# the date's cross-file duplicates changed (another file of its group was processed: headwater.clean.link)
RELINKED = "relinked"
RELINKED_REASON = "unchanged, but its cross-file duplicates were decided again: another file of its group changed"

SUMMARY_KEYS = (
    "source", "file", "date", "run_id", "status", "error", "action", "reason",
    "rows_read", "curated", "duplicates", "quarantined", "chunks", "vectors", "embedded", "records", "structural",
)  # fmt: skip


class KeyCollision(RuntimeError):
    """Two landing files of one date would share output paths; the message names both and what to do."""


@dataclass(frozen=True)
class FileRef:
    """One landing record of one logical date: a landing file, or a zip member named ``<archive>/<member path>``."""

    date: str
    name: str
    run_id: str = ""

    @property
    def key(self) -> str:
        """The file key of every output path (layout.file_key: distinct names, distinct keys)."""
        return file_key(self.name)

    @property
    def source(self) -> str:
        """Landing-relative path: the identity of the file in every output."""
        return f"{self.date}/{self.name}"

    @property
    def archive(self) -> str:
        """The landing file that holds the record: the name itself, or the zip archive of a member."""
        return split_member(self.name)[0]

    @property
    def member(self) -> str | None:
        """The member path inside the zip archive (``data/a.csv``), None for a landing file."""
        return split_member(self.name)[1]

    @property
    def table_name(self) -> str:
        """The name of the table the record holds, which source-config globs match: a member's file
        name (``orders.zip/data/a.csv`` -> ``a.csv``), or the name without its compression suffix
        (``orders.csv.gz`` -> ``orders.csv``)."""
        name = self.name.rsplit("/", 1)[-1]
        return name[: name.rfind(".")] if compression_of(name) else name

    @classmethod
    def from_info(cls, info: dict[str, Any], run_id: str = "") -> FileRef:
        return cls(date=info["date"], name=info["file"], run_id=run_id or info.get("run_id", ""))


def layout(settings: Settings, date: str = "") -> Layout:
    """The data root's Layout for ``date`` (every path of a stage comes from here)."""
    assert settings.data_dir is not None
    return Layout(settings.data_dir, date)


def claim_key(settings: Settings, ref: FileRef) -> None:
    """Make ``ref`` the owner of its output key on its date, or raise KeyCollision when another landing file owns it.

    The claim (``Layout.key_claim``, holding the owner's source) is created atomically and never
    overwritten, so of two files racing for one key exactly one wins (on object storage: a PUT with
    ``If-None-Match: *``, s3fs ``pipe_file(mode="create")``,
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html). It lives on the data root's
    filesystem, next to the outputs: names that only that filesystem confuses (``Orders.csv`` and
    ``orders.csv`` on a case-insensitive volume) collide here too, before any output is written.
    """
    path = layout(settings, ref.date).key_claim(ref.key)
    try:
        if is_remote(path):  # one conditional PUT (If-None-Match: *): of two racing creators one gets FileExistsError
            path.fs.pipe_file(path.path, (ref.source + "\n").encode("utf-8"), mode="create")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            _create_once(path, ref.source + "\n")
    except FileExistsError:
        owner = path.read_text(encoding="utf-8").strip()
        if owner != ref.source:
            raise KeyCollision(_collision(ref, owner, path)) from None


def _create_once(path: Path, text: str) -> None:
    """Create ``path`` holding ``text``, complete or not at all; FileExistsError when it exists.

    A hard link of a finished temporary file; on a filesystem without hard links, an exclusive create.
    """
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.write_text(text, encoding="utf-8")
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:
        with open(path, "x", encoding="utf-8") as fh:
            fh.write(text)
    finally:
        tmp.unlink()


def _collision(ref: FileRef, owner: str, path: Path) -> str:
    """The KeyCollision message; for two names differing only in letter case (``Orders.csv``, ``orders.csv``: their keys
    meet only on a filesystem that folds case) it says so (breaker9 #2)."""
    case = (" (the two names differ only in letter case, which the data folder's filesystem does not tell apart: a "
            "case-insensitive disk, as macOS's and Windows' are by default)") if owner != ref.source and owner.casefold() == ref.source.casefold() else ""
    return (
        f"{ref.source}: its output key {ref.key!r} belongs to {owner} ({path}){case} — two landing files would write the "
        "same outputs, so this one is not processed; rename one of them"
    )


def check_owner(manifest: dict[str, Any], ref: FileRef, path: Path) -> dict[str, Any]:
    """``manifest`` (read from ``path``), after checking it is ``ref``'s: raises KeyCollision when another file wrote it."""
    owner = manifest.get("source")
    if owner != ref.source:
        raise KeyCollision(_collision(ref, str(owner), path))
    return manifest


def load_manifest(settings: Settings, ref: FileRef) -> dict[str, Any]:
    """The file's manifest; raises FileNotFoundError when its ingest never ran, KeyCollision when another file's ingest wrote it."""
    path = layout(settings, ref.date).manifest(ref.key)
    manifest = read_json(path)
    if manifest is None:
        raise FileNotFoundError(f"{ref.source}: no manifest — run the ingest stage for this file first")
    return check_owner(manifest, ref, path)


def save_stage(settings: Settings, ref: FileRef, manifest: dict[str, Any], stage: str, started: float) -> dict[str, Any]:
    """Record ``stage`` as done (with its seconds since ``started``, time.monotonic) and write the manifest.

    An error an earlier attempt of ``stage`` left in ``stage_errors`` (records_failure) is removed.
    """
    manifest["stages"][stage] = {"seconds": round(time.monotonic() - started, 3)}
    errors = manifest.get("stage_errors") or {}
    errors.pop(stage, None)
    if errors:
        manifest["stage_errors"] = errors
    else:
        manifest.pop("stage_errors", None)
    write_json(layout(settings, ref.date).manifest(ref.key), manifest)
    return summary(manifest)


def summary(manifest: dict[str, Any]) -> dict[str, Any]:
    """The XCom-sized view of a manifest."""
    return {k: manifest.get(k) for k in SUMMARY_KEYS}


STAGE_ERROR_CHARS = 2000  # an exception message kept in the manifest is cut to this length


def records_failure(stage: str) -> Callable[[StageFn], StageFn]:
    """Decorate a stage function ``fn(ref, settings, ...)`` so that an exception it raises is written to
    the file's manifest before it propagates: ``stage_errors[stage] = "<ExceptionType>: <message>"``
    (cut to STAGE_ERROR_CHARS). The run report then names the cause of a failed file, not only the
    stages it did not complete. Nothing is written when the file has no manifest or another file
    owns it (KeyCollision); the exception is re-raised unchanged either way, so Airflow retries as before.
    """

    def wrap(fn: StageFn) -> StageFn:
        @functools.wraps(fn)
        def run(ref: FileRef, settings: Settings, *args: Any, **kwargs: Any) -> Any:
            try:
                return fn(ref, settings, *args, **kwargs)
            except Exception as exc:
                note_failure(settings, ref, stage, exc)
                raise

        return run  # type: ignore[return-value]

    return wrap


def note_failure(settings: Settings, ref: FileRef, stage: str, exc: BaseException) -> None:
    """Write ``exc`` to the file's manifest as ``stage_errors[stage] = "<ExceptionType>: <message>"`` (cut to
    STAGE_ERROR_CHARS), as ``records_failure`` does; nothing when the file has no manifest or another file owns it."""
    error = f"{type(exc).__name__}: {exc}"[:STAGE_ERROR_CHARS]
    path = layout(settings, ref.date).manifest(ref.key)
    manifest = read_json(path)
    if manifest is None or manifest.get("source") != ref.source:
        return
    manifest.setdefault("stage_errors", {})[stage] = error
    write_json(path, manifest)
