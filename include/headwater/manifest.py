"""The per-file manifest: what each stage did to one landing file, and the file's outcome.

Each stage reads the previous stage's output from disk, overwrites its own output atomically
and updates the file's manifest, then returns ``summary(manifest)``: a small dict (paths and
counts) that fits in an XCom. Running a stage twice gives the same result.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from headwater.config.settings import Settings
from headwater.layout import Layout, file_key
from headwater.storage import read_json, write_json

STAGES = ("ingest", "clean", "chunk", "embed")
# A file's outcome: read and curated (ok), nothing but a header (empty), unreadable as a whole (quarantined).
OK, QUARANTINED, EMPTY = "ok", "quarantined", "empty"
FINISHED = (OK, EMPTY, QUARANTINED)
IN_PROGRESS = "in_progress"  # the ledger's outcome while a file is being processed
SUMMARY_KEYS = (
    "source", "file", "date", "run_id", "status", "error", "action", "reason",
    "rows_read", "curated", "duplicates", "quarantined", "chunks", "vectors", "embedded", "records", "structural",
)  # fmt: skip


@dataclass(frozen=True)
class FileRef:
    """One landing file of one logical date."""

    date: str
    name: str
    run_id: str = ""

    @property
    def key(self) -> str:
        return file_key(self.name)

    @property
    def source(self) -> str:
        """Landing-relative path: the identity of the file in every output."""
        return f"{self.date}/{self.name}"

    @classmethod
    def from_info(cls, info: dict[str, Any], run_id: str = "") -> FileRef:
        return cls(date=info["date"], name=info["file"], run_id=run_id or info.get("run_id", ""))


def layout(settings: Settings, date: str = "") -> Layout:
    """The data root's Layout for ``date`` (every path of a stage comes from here)."""
    assert settings.data_dir is not None
    return Layout(settings.data_dir, date)


def load_manifest(settings: Settings, ref: FileRef) -> dict[str, Any]:
    """The file's manifest; raises FileNotFoundError when its ingest never ran."""
    manifest = read_json(layout(settings, ref.date).manifest(ref.key))
    if manifest is None:
        raise FileNotFoundError(f"{ref.source}: no manifest — run the ingest stage for this file first")
    return manifest


def save_stage(settings: Settings, ref: FileRef, manifest: dict[str, Any], stage: str, started: float) -> dict[str, Any]:
    """Record ``stage`` as done (with its seconds since ``started``, time.monotonic) and write the manifest."""
    manifest["stages"][stage] = {"seconds": round(time.monotonic() - started, 3)}
    write_json(layout(settings, ref.date).manifest(ref.key), manifest)
    return summary(manifest)


def summary(manifest: dict[str, Any]) -> dict[str, Any]:
    """The XCom-sized view of a manifest."""
    return {k: manifest.get(k) for k in SUMMARY_KEYS}
