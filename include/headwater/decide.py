"""The DAG's ``check`` and ``unchanged`` tasks: process a landing file, or skip it because nothing changed.

A file is reprocessed only when its (content hash, config hash, code version) fingerprint
changed, its last attempt did not finish, or the run forces it (headwater.ledger).
"""

from __future__ import annotations

from typing import Any

from headwater.config.settings import Settings
from headwater.ingest.streams import stream_sha256
from headwater.ledger import Ledger, fingerprint
from headwater.manifest import FileRef, layout, summary
from headwater.storage import read_json, write_json


def decide(source: Any, ref: FileRef, settings: Settings, force: bool = False) -> dict[str, Any]:
    """Process or skip this file (``source``: its bytes or a binary file object, hashed block by block)?

    Skips when (content, config, code) match its last finished run.
    """
    decision = Ledger.for_settings(settings).decide(ref.source, fingerprint(stream_sha256(source)[0], settings), force)
    return {"source": ref.source, "process": decision.process, "reason": decision.reason}


def mark_unchanged(ref: FileRef, settings: Settings, reason: str) -> dict[str, Any]:
    """Record on the existing manifest that this run skipped the file; nothing else is touched."""
    lay = layout(settings, ref.date)
    manifest = read_json(lay.manifest(ref.key)) or {"source": ref.source, "file": ref.name, "date": ref.date, "status": "missing"}
    manifest.update(action="unchanged", reason=reason, checked_by=ref.run_id)
    write_json(lay.manifest(ref.key), manifest)
    return summary(manifest)
