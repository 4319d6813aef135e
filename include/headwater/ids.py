"""Deterministic ids: the same content always gets the same id, across runs and machines."""

from __future__ import annotations

import hashlib

from headwater import SCHEMA_VERSION

SEPARATOR = "\x1f"  # unit separator: cannot appear in normalized CSV text, so parts never run together


def stable_id(*parts: object) -> str:
    """A 32-hex-char id from the schema version and ``parts`` (None hashes as empty)."""
    payload = SEPARATOR.join([SCHEMA_VERSION, *("" if p is None else str(p) for p in parts)])
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()
