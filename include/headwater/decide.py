"""The DAG's ``check`` and ``unchanged`` tasks: process a landing file, or skip it because nothing changed.

A file is reprocessed only when its (content hash, config hash, code version) fingerprint
changed, its last attempt did not finish, or the run forces it (headwater.ledger).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from headwater.config.settings import Settings
from headwater.ingest.compression import open_member
from headwater.ingest.streams import stream_sha256
from headwater.ledger import Ledger, fingerprint
from headwater.manifest import FileRef, check_owner, layout, summary
from headwater.storage import read_json, write_json


def decide(source: Any, ref: FileRef, settings: Settings, force: bool = False) -> dict[str, Any]:
    """Process or skip this file? Skips when (content, config, code) match its last finished run.

    ``source`` is the file's bytes, a binary file object (read from its current position and left
    there), or a path with ``open("rb")`` (``pathlib.Path``, Airflow's ``ObjectStoragePath``),
    opened only when needed; for a zip member (``ref.member``) it is the archive, and the hash is
    that of the member's data as stored in it. The content is hashed (sha256, block by block) only
    when the answer depends on it: the ledger holds a finished run of this file under the same
    config and code.
    A forced run, a new file, an unfinished last attempt or a config/code change is processed
    without reading a byte here; ingest then hashes the bytes while it parses them.

    Returns ``{"source", "process", "reason", "sha256", "bytes"}``: ``sha256`` (hex) and ``bytes``
    (size) of the content when it was hashed, else None; ingest takes ``sha256`` as the hash to
    verify (``ingest(..., expected_sha256=decision["sha256"])``).
    """
    ledger = Ledger.for_settings(settings)
    unhashed = fingerprint(None, settings)
    decision = ledger.decide(ref.source, unhashed, force)
    sha256 = size = None
    if decision is None:
        sha256, size = _hash(source, ref.member)
        decision = ledger.decide(ref.source, replace(unhashed, sha256=sha256), force)
        assert decision is not None  # the content was given
    return {"source": ref.source, "process": decision.process, "reason": decision.reason, "sha256": sha256, "bytes": size}


def _hash(source: Any, member: str | None) -> tuple[str, int]:
    """(sha256 hex, size in bytes) of ``source`` (bytes, a binary file object, or a path opened here), or of
    the stored data of zip member ``member`` in it."""
    if hasattr(source, "open") and not hasattr(source, "read"):
        with source.open("rb") as stream:
            return _hash(stream, member)
    if member is None:
        return stream_sha256(source)
    data, _ = open_member(source, member)
    return stream_sha256(data)


def mark_unchanged(ref: FileRef, settings: Settings, reason: str) -> dict[str, Any]:
    """Record on the existing manifest that this run skipped the file; nothing else is touched.

    Raises KeyCollision when the manifest under the file's key was written for another landing file.
    """
    lay = layout(settings, ref.date)
    manifest = read_json(lay.manifest(ref.key)) or {"source": ref.source, "file": ref.name, "date": ref.date, "status": "missing"}
    check_owner(manifest, ref, lay.manifest(ref.key))  # another file's outputs under this key: fail, never report them as this file's
    manifest.update(action="unchanged", reason=reason, checked_by=ref.run_id)
    write_json(lay.manifest(ref.key), manifest)
    return summary(manifest)
