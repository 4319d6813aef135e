"""The `check` task's decision: the content is hashed only when the answer depends on it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO

from headwater.config.settings import Settings
from headwater.decide import decide
from headwater.ledger import Fingerprint, Ledger, fingerprint
from headwater.manifest import FileRef

REF = FileRef("2026-11-20", "people.csv")
DATA = b"a,b\n1,2\n"
SHA = hashlib.sha256(DATA).hexdigest()


class _Path:
    """A landing path that counts how often it is opened."""

    def __init__(self, path: Path) -> None:
        self.path, self.opens = path, 0

    def open(self, mode: str) -> BinaryIO:
        self.opens += 1
        return self.path.open(mode)


def _landing(tmp_path: Path, data: bytes = DATA) -> _Path:
    (tmp_path / "people.csv").write_bytes(data)
    return _Path(tmp_path / "people.csv")


def test_a_new_file_is_not_opened(settings: Settings, tmp_path: Path) -> None:
    path = _landing(tmp_path)
    assert decide(path, REF, settings) == {"source": "2026-11-20/people.csv", "process": True, "reason": "new file", "sha256": None, "bytes": None}
    assert decide(path, REF, settings, force=True)["reason"] == "forced by the run's `force` param"
    assert path.opens == 0


def test_a_finished_file_under_the_same_config_is_hashed(settings: Settings, tmp_path: Path) -> None:
    ledger = Ledger.for_settings(settings)
    ledger.record(REF.source, fingerprint(SHA, settings), "ok")
    path = _landing(tmp_path)
    decision = decide(path, REF, settings)
    assert (decision["process"], decision["sha256"], decision["bytes"], path.opens) == (False, SHA, 8, 1)
    assert decision["reason"].startswith("unchanged since ") and decision["reason"].endswith(" (outcome ok)")
    assert decide(DATA, REF, settings) == decision  # bytes work like a path
    changed = decide(_landing(tmp_path, b"a,b\n1,3\n"), REF, settings)
    assert (changed["process"], changed["sha256"], changed["bytes"]) == (True, hashlib.sha256(b"a,b\n1,3\n").hexdigest(), 8)
    assert changed["reason"].endswith(": content")


def test_a_config_or_code_change_decides_without_the_content(settings: Settings, tmp_path: Path) -> None:
    ledger = Ledger.for_settings(settings)
    ledger.record(REF.source, Fingerprint("0" * 64, "old-config", "0.0+schema0"), "ok")
    path = _landing(tmp_path)
    decision = decide(path, REF, settings)
    assert (decision["process"], decision["sha256"], path.opens) == (True, None, 0)
    assert decision["reason"].endswith(": config, code version")  # content: not compared, ingest hashes it


def test_the_ledger_asks_for_the_content_only_when_it_decides(state_where: Path | str) -> None:
    ledger = Ledger(state_where)  # a SQLite file, then a PostgreSQL database
    unhashed = Fingerprint(None, "c", "v")
    assert ledger.decide("f", unhashed).reason == "new file"
    ledger.record("f", Fingerprint(SHA, "c", "v"), "in_progress")
    assert ledger.decide("f", unhashed).reason == "last attempt did not finish (in_progress)"
    ledger.record("f", Fingerprint(SHA, "c", "v"), "ok")
    assert ledger.decide("f", unhashed) is None  # only the content can decide: hash it and ask again
    assert ledger.decide("f", Fingerprint(SHA, "c", "v")).process is False
    assert ledger.decide("f", Fingerprint(None, "d", "v")).reason.endswith(": config")


def test_held_elsewhere_reads_every_shape_of_the_pulled_check_decisions() -> None:
    from headwater.decide import held_elsewhere

    mine = {"date": "d", "file": "a.csv", "process": True, "reason": "new file"}
    held = {"date": "d", "file": "b.csv", "process": False, "reason": "claimed by run r (process_file.check[1]) until T", "claimed": True}
    assert held_elsewhere([[mine], [held], None]) == [held]  # one batch per mapped instance
    assert held_elsewhere([mine, held]) == [held]  # a single instance: Airflow hands its value alone
    assert held_elsewhere(None) == [] and held_elsewhere([]) == []


def test_a_date_whose_files_another_run_holds_is_reported_by_that_run() -> None:
    from headwater.decide import reported_elsewhere

    held = {("2026-11-20", "a.csv"), ("2026-11-20", "b.csv")}
    claimed = [{"file": "a.csv", "reason": "claimed by run x"}, {"file": "b.csv", "reason": "claimed by run x"}]
    assert reported_elsewhere([], claimed, held, "2026-11-20") is True
    assert reported_elsewhere(["c.csv"], claimed, held, "2026-11-20") is False  # this run processed a file of the date
    assert reported_elsewhere([], claimed + [{"file": "z.gif", "reason": "not a table"}], held, "2026-11-20") is False
    assert reported_elsewhere([], claimed, held, "2026-11-21") is False  # another date's claims
    assert reported_elsewhere([], [], held, "2026-11-20") is False  # no landing files: reported as such


def test_a_headwater_run_beside_the_scheduled_run_of_its_date_never_shares_its_claims(tmp_path: Path) -> None:
    """`headwater run` reuses the scheduler's run id (headwater_local.run_date): the token in its conf keeps its claims apart."""
    from headwater.decide import LOCAL_RUN, claim, release_run, run_owner

    settings = Settings(home=tmp_path, landing_uri=tmp_path.as_uri())
    run_id = "scheduled__2026-11-20T00:00:00+00:00"
    scheduled = run_owner(run_id, {"force": False})
    first, second = run_owner(run_id, {LOCAL_RUN: "a1"}), run_owner(run_id, {LOCAL_RUN: "b2"})
    assert (scheduled, first, second) == (run_id, f"{run_id}+a1", f"{run_id}+b2")
    assert run_owner(run_id, None) == run_id
    assert claim(REF, settings, first, "process_file.check[0]") is None  # the first `headwater run` writes the file
    held = claim(REF, settings, second, "process_file.check[0]")  # a second one at the same time: skips it
    assert held is not None and held.startswith(f"claimed by run {run_id}+a1 (process_file.check[0]) until ")
    assert claim(REF, settings, scheduled, "process_file.check[3]") == held  # the scheduler's run of the date too
    assert claim(REF, settings, first, "process_file.ingest[0]") is None  # its own tasks re-enter it
    assert release_run(settings, scheduled) == 0 and release_run(settings, first) == 1
