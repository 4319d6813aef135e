"""The ledger: for every landing file, what was processed, with which content, config and code.

A file is reprocessed only when its (content hash, config hash, code version)
fingerprint changed, its last attempt did not finish, or a run forces it. The
ledger is one table (``files``, one row per landing file) in Headwater's state database
(``headwater.state``): a SQLite file next to the data by default, PostgreSQL when
``HEADWATER_STATE_URL`` names one; either way safe for parallel task processes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Column, MetaData, Table, Text, select

from headwater import SCHEMA_VERSION, __version__
from headwater.config.settings import Settings
from headwater.manifest import FINISHED, OK
from headwater.state import Store, upsert

# The ledger's one table; the columns of the SQLite files written before headwater.state existed.
_METADATA = MetaData()
FILES = Table(
    "files", _METADATA,
    Column("source", Text, primary_key=True), Column("sha256", Text), Column("config_hash", Text),
    Column("code_version", Text), Column("outcome", Text), Column("updated_at", Text), Column("counts", Text),
)
_ENTRY = (FILES.c.source, FILES.c.sha256, FILES.c.config_hash, FILES.c.code_version, FILES.c.outcome, FILES.c.updated_at)

# Settings that change what a file's outputs look like; paths do not.
_OUTPUT_SETTINGS = ("embedding_model", "embedding_backend", "chunk_tokens", "chunk_overlap", "vector_table")


def code_version() -> str:
    return f"{__version__}+schema{SCHEMA_VERSION}"


def config_hash(settings: Settings, folder: Path | None = None) -> str:
    """Hash of the output-shaping settings (``_OUTPUT_SETTINGS``, plus ``key_digest`` of the masked-value digest
    key) and every source config file: 16 hex digits of a sha256."""
    h = hashlib.sha256()
    shaping = {k: str(getattr(settings, k)) for k in _OUTPUT_SETTINGS} | {"pii_digest_key": key_digest(settings)}
    h.update(json.dumps(shaping, sort_keys=True).encode())
    if folder is None:
        folder = settings.config_dir  # the folder load_sources() reads
    if folder.is_dir():
        for path in sorted(folder.rglob("*.y*ml")):
            h.update(path.relative_to(folder).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def key_digest(settings: Settings) -> str:
    """What the config hash holds of ``settings.pii_digest_key``: a sha256 of a BLAKE2b digest of the key (hex), never the
    key; ``"data root key"`` when it is unset.

    Masked rows' ids and exact-duplicate keys are keyed digests of what the mask hid (headwater.clean.stage.digest_key),
    so a new key gives them new ids: files must be processed again. Unset, the key is the data root's own
    (``Layout.pii_digest_key``), made once on the first clean and never replaced by Headwater; it is not read here (the
    first run would hash "no key yet" and the next the key, reprocessing every file once), so replacing that file by
    hand is not detected: force a run after doing so.
    """
    if settings.pii_digest_key is None:
        return "data root key"
    key = settings.pii_digest_key.get_secret_value().encode("utf-8")
    return hashlib.sha256(hashlib.blake2b(key, digest_size=32).digest()).hexdigest()


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


class Ledger(Store):
    """Which landing file was processed with which fingerprint, and how it ended.

    ``where``: a SQLite file (``Path``) or a database URL (``str``), see ``headwater.state.engine``;
    ``for_settings`` picks the one the settings name. Every write is one atomic upsert, so parallel
    tasks (processes, or workers on several machines with PostgreSQL) never lose each other's rows.
    """

    METADATA = _METADATA

    def get(self, source: str) -> Entry | None:
        with self.engine.connect() as db:
            row = db.execute(select(*_ENTRY).where(FILES.c.source == source)).first()
        if row is None:
            return None
        return Entry(source, Fingerprint(*row[1:4]), row[4], row[5])

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
        """Set ``source``'s row (fingerprint, outcome, UTC time to the second, ``counts`` as JSON) in one upsert."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        row = {"source": source, **asdict(fingerprint), "outcome": outcome, "updated_at": now, "counts": json.dumps(counts or {})}
        with self.engine.begin() as db:
            db.execute(upsert(self.engine, FILES, ["source"]), [row])

    def with_content(self, sha256s: Iterable[str], outcome: str = OK) -> list[Entry]:
        """The entries whose content hash is one of ``sha256s`` and whose last run ended ``outcome``, by source.

        One query per 500 hashes (an ``IN`` list; the table has no index on ``sha256``, so each is a scan of it).
        """
        wanted = sorted(set(sha256s))
        rows = []
        with self.engine.connect() as db:
            for at in range(0, len(wanted), 500):
                query = select(*_ENTRY).where(FILES.c.sha256.in_(wanted[at : at + 500]), FILES.c.outcome == outcome)
                rows += db.execute(query).all()
        return sorted((Entry(r[0], Fingerprint(*r[1:4]), r[4], r[5]) for r in rows), key=lambda e: e.source)

    def entries(self) -> list[Entry]:
        with self.engine.connect() as db:
            rows = db.execute(select(*_ENTRY)).all()
        return [Entry(r[0], Fingerprint(*r[1:4]), r[4], r[5]) for r in rows]
