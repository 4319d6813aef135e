"""The ledger: for every landing file, what was processed, with which content, config and code.

A file is reprocessed only when its (content hash, config hash, code version)
fingerprint changed, its last attempt did not finish, or a run forces it. The
ledger is a SQLite file next to the data, safe for parallel task processes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

from headwater import SCHEMA_VERSION, __version__
from headwater.config.settings import Settings
from headwater.layout import Layout
from headwater.manifest import FINISHED
from headwater.storage import connect_sqlite

# Settings that change what a file's outputs look like; paths do not.
_OUTPUT_SETTINGS = ("embedding_model", "embedding_backend", "chunk_tokens", "chunk_overlap", "vector_table")


def code_version() -> str:
    return f"{__version__}+schema{SCHEMA_VERSION}"


def config_hash(settings: Settings, folder: Path | None = None) -> str:
    """Hash of the output-shaping settings and every source config file."""
    h = hashlib.sha256()
    h.update(json.dumps({k: str(getattr(settings, k)) for k in _OUTPUT_SETTINGS}, sort_keys=True).encode())
    if folder is None:
        folder = settings.config_dir  # the folder load_sources() reads
    if folder.is_dir():
        for path in sorted(folder.rglob("*.y*ml")):
            h.update(path.relative_to(folder).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Fingerprint:
    """What a file's outputs depend on; ``sha256`` is None when the content was not hashed (yet)."""

    sha256: str | None
    config_hash: str
    code_version: str

    def changes_from(self, other: Fingerprint) -> list[str]:
        """Names of the parts that differ from ``other`` ("content", "config", "code version"); an unknown part is not compared."""
        names = {"sha256": "content", "config_hash": "config", "code_version": "code version"}
        return [
            names[f.name] for f in fields(self) if getattr(self, f.name) is not None and getattr(self, f.name) != getattr(other, f.name)
        ]


def fingerprint(data_sha256: str | None, settings: Settings) -> Fingerprint:
    """The fingerprint of a landing file's content (its sha256 hex, None when not hashed) under the current config and code."""
    return Fingerprint(data_sha256, config_hash(settings), code_version())


@dataclass(frozen=True)
class Entry:
    source: str
    fingerprint: Fingerprint
    outcome: str
    updated_at: str


@dataclass(frozen=True)
class Decision:
    process: bool
    reason: str


class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with connect_sqlite(self.path) as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS files (source TEXT PRIMARY KEY, sha256 TEXT, config_hash TEXT,"
                " code_version TEXT, outcome TEXT, updated_at TEXT, counts TEXT)"
            )

    @classmethod
    def for_settings(cls, settings: Settings) -> Ledger:
        assert settings.data_dir is not None
        return cls(Layout(settings.data_dir).ledger)

    def get(self, source: str) -> Entry | None:
        with connect_sqlite(self.path) as db:
            row = db.execute(
                "SELECT sha256, config_hash, code_version, outcome, updated_at FROM files WHERE source = ?", (source,)
            ).fetchone()
        if row is None:
            return None
        return Entry(source, Fingerprint(*row[:3]), row[3], row[4])

    def decide(self, source: str, fingerprint: Fingerprint, force: bool = False) -> Decision | None:
        """Process or skip, with the reason shown in the task log and the run report.

        ``fingerprint.sha256`` may be None (the content not hashed): the answer is then given
        whenever it does not depend on the content (forced, new, last attempt unfinished, config
        or code changed), and is None when only the content can decide: hash it and ask again.
        """
        if force:
            return Decision(True, "forced by the run's `force` param")
        entry = self.get(source)
        if entry is None:
            return Decision(True, "new file")
        if entry.outcome not in FINISHED:
            return Decision(True, f"last attempt did not finish ({entry.outcome})")
        changed = fingerprint.changes_from(entry.fingerprint)
        if changed:
            return Decision(True, f"changed since {entry.updated_at}: {', '.join(changed)}")
        if fingerprint.sha256 is None:
            return None
        return Decision(False, f"unchanged since {entry.updated_at} (outcome {entry.outcome})")

    def record(self, source: str, fingerprint: Fingerprint, outcome: str, counts: dict | None = None) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with connect_sqlite(self.path) as db:
            db.execute(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(source) DO UPDATE SET"
                " sha256=excluded.sha256, config_hash=excluded.config_hash, code_version=excluded.code_version,"
                " outcome=excluded.outcome, updated_at=excluded.updated_at, counts=excluded.counts",
                (source, *asdict(fingerprint).values(), outcome, now, json.dumps(counts or {})),
            )

    def entries(self) -> list[Entry]:
        with connect_sqlite(self.path) as db:
            rows = db.execute("SELECT source, sha256, config_hash, code_version, outcome, updated_at FROM files").fetchall()
        return [Entry(r[0], Fingerprint(*r[1:4]), r[4], r[5]) for r in rows]
