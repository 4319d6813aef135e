"""The ledger on both state backends, and under many writer processes at once."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from headwater.ledger import FILES, Fingerprint, Ledger

WRITERS, OPS = 8, 25


def test_record_replaces_a_files_row_and_keeps_the_others(state_where: Path | str) -> None:
    ledger = Ledger(state_where)
    ledger.record("d/a.csv", Fingerprint("1" * 64, "c1", "v1"), "in_progress")
    ledger.record("d/b.csv", Fingerprint(None, "c1", "v1"), "quarantined", {"rows_read": 0})
    ledger.record("d/a.csv", Fingerprint("2" * 64, "c2", "v1"), "ok", {"rows_read": 3})
    entries = sorted(ledger.entries(), key=lambda e: e.source)
    assert [(e.source, e.fingerprint, e.outcome) for e in entries] == [
        ("d/a.csv", Fingerprint("2" * 64, "c2", "v1"), "ok"),
        ("d/b.csv", Fingerprint(None, "c1", "v1"), "quarantined"),
    ]
    assert ledger.get("d/a.csv") == entries[0] and ledger.get("d/c.csv") is None
    with ledger.engine.connect() as db:
        assert db.execute(select(FILES.c.counts).order_by(FILES.c.source)).scalars().all() == ['{"rows_read": 3}', '{"rows_read": 0}']


def _ledger_writer(where: Path | str, writer: int, barrier) -> None:  # noqa: ANN001 - a multiprocessing barrier
    barrier.wait()  # every process opens the ledger (and creates its table) at the same moment
    ledger = Ledger(where)
    for op in range(OPS):
        barrier.wait()  # and every op starts together: 8 processes write the new row shared/<op> at once
        ledger.record(f"shared/{op:02d}", Fingerprint(f"{writer}:{op}", "c", "v"), "ok", {"writer": writer, "op": op})
        ledger.record(f"own/{writer:02d}/{op:02d}", Fingerprint(f"{writer}:{op}", "c", "v"), "ok", {"writer": writer, "op": op})


def test_many_writer_processes_lose_no_row_and_tear_none(state_where: Path | str, at_once) -> None:  # noqa: ANN001
    """8 processes x 25 ops; in each op all of them write one new row they share, then a row of their own.

    Every own row is there exactly once with its writer's values (no lost insert), and each shared
    row holds one write whole (fingerprint and counts from the same writer). A ``record`` that reads
    and then inserts or updates fails here: two processes see no row and both insert.
    """
    at_once(_ledger_writer, [(state_where, writer) for writer in range(WRITERS)], start="forkserver", preload=("headwater.ledger",), timeout_s=300)
    ledger = Ledger(state_where)
    entries = sorted(ledger.entries(), key=lambda e: e.source)
    own = [(e.source, e.fingerprint.sha256) for e in entries if e.source.startswith("own/")]
    assert own == [(f"own/{w:02d}/{op:02d}", f"{w}:{op}") for w in range(WRITERS) for op in range(OPS)]
    with ledger.engine.connect() as db:
        shared = db.execute(select(FILES.c.source, FILES.c.sha256, FILES.c.counts).where(FILES.c.source.like("shared/%"))).all()
    assert sorted(source for source, _, _ in shared) == [f"shared/{op:02d}" for op in range(OPS)]
    for source, sha256, counts in shared:
        written = json.loads(counts)
        assert sha256 == f"{written['writer']}:{written['op']}" and source == f"shared/{written['op']:02d}"
    assert len(entries) == WRITERS * OPS + OPS


def test_a_new_pii_digest_key_changes_the_config_hash_without_holding_the_key(tmp_path: Path) -> None:
    """Masked rows' ids depend on the key (breaker3 #13): a changed key reprocesses files; the hash input is a digest of it."""
    import hashlib

    from headwater.config.settings import Settings
    from headwater.ledger import config_hash, fingerprint, key_digest

    config = tmp_path / "config"
    config.mkdir()

    def settings(key: str | None) -> Settings:
        return Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config, pii_digest_key=key)

    one, two, unset = settings("key-one"), settings("key-two"), settings(None)
    assert config_hash(one) == config_hash(settings("key-one"))
    assert len({config_hash(one), config_hash(two), config_hash(unset)}) == 3
    assert key_digest(one) == hashlib.sha256(hashlib.blake2b(b"key-one", digest_size=32).digest()).hexdigest()
    assert "key-one" not in key_digest(one) and key_digest(unset) == "data root key"
    ledger = Ledger(tmp_path / "ledger.db")
    ledger.record("d/a.csv", fingerprint("1" * 64, one), "ok")
    assert ledger.decide("d/a.csv", fingerprint(None, one)) is None  # only the content can decide: hash it
    changed = ledger.decide("d/a.csv", fingerprint(None, two))
    assert changed is not None and changed.process and changed.reason.endswith(": config")
