"""The `check` task's decision: the content is hashed only when the answer depends on it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import BinaryIO

import pytest

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

    def stat(self) -> os.stat_result:  # the size, as ObjectStoragePath.stat() gives it: no byte of content read
        return self.path.stat()


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


def _processed(settings: Settings, data: bytes, run_id: str = "A#0", name: str = REF.name) -> None:
    from headwater.clean.stage import clean
    from headwater.ingest.stage import ingest

    from headwater.manifest import layout
    from headwater.storage import read_json, write_json

    ref = FileRef(REF.date, name, run_id)
    ingest(data, ref, settings)
    clean(ref, settings)
    path = layout(settings, REF.date).manifest(ref.key)  # chunk and embed done, as the index tasks would mark them
    write_json(path, read_json(path) | {"stages": read_json(path)["stages"] | {"chunk": {"seconds": 0.0}, "embed": {"seconds": 0.0}}})


KEPT = ("0-byte re-delivery of a file that had 3 data record(s) (run A#0): not processed, its previous outputs are kept — "
        "deliver the file again (a header-only file for a day without rows), or force the run to empty it")


def test_a_0_byte_re_delivery_keeps_the_previous_outputs_and_says_so(settings: Settings, tmp_path: Path) -> None:
    """breaker3 #16: a crashed export (0 bytes) over a file with records used to empty its curated table silently."""
    from headwater.decide import mark_unchanged
    from headwater.manifest import layout
    from headwater.report import report
    from headwater.storage import parquet_rows

    _processed(settings, b"a,b\n1,2\n3,4\n5,6\n")
    (tmp_path / "people.csv").write_bytes(b"")
    for source in (tmp_path / "people.csv", b""):  # a path (stat) and bytes
        assert decide(source, REF, settings) == {"source": REF.source, "process": False, "reason": KEPT, "sha256": None, "bytes": 0, "warning": KEPT}
    mark_unchanged(FileRef(REF.date, REF.name, "B#0"), settings, KEPT, KEPT)
    result = report(REF.date, [REF.name], settings, run_id="B#0")
    (f,) = result["files"]
    assert (f["status"], f["action"], f["curated"], f["warnings"]) == ("ok", "unchanged", 3, [KEPT])
    assert result["warned_files"] == [REF.source] and result["failed"] == []
    assert parquet_rows(layout(settings, REF.date).curated(REF.key)) == 3
    # the next skip without the warning (the good file back, unchanged) clears it
    mark_unchanged(FileRef(REF.date, REF.name, "C#0"), settings, "unchanged since ...")
    assert report(REF.date, [REF.name], settings, run_id="C#0")["files"][0]["warnings"] == []


def test_a_forced_run_a_header_only_file_or_a_first_delivery_of_0_bytes_is_processed(settings: Settings, tmp_path: Path) -> None:
    assert decide(b"", REF, settings)["reason"] == "new file"  # nothing to keep
    _processed(settings, b"a,b\n1,2\n3,4\n5,6\n")
    assert decide(b"", REF, settings, force=True)["process"] is True
    assert decide(b"a,b\n", REF, settings)["process"] is True  # "no rows today": a header, so a table
    assert "warning" not in decide(b"a,b\n", REF, settings)


GOOD = b"a,b\n1,2\n3,4\n5,6\n"
HTML = b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>\n"
QUARANTINED_WHOLE = {  # a re-delivery the ingest stage quarantines whole, and the reader's reason
    "html": (HTML, "an HTML page with a CSV name (an error page saved by the exporter?) — file quarantined; export the CSV again"),
    "json": (b'[{"a": 1, "b": 2}, {"a": 3, "b": 4}]\n',
             "JSON content with a CSV name, not a CSV table — file quarantined; export it as CSV and drop it again"),
    "xml": (b'<?xml version="1.0"?>\n<rows><row a="1" b="2"/></rows>\n',
            "XML content with a CSV name, not a CSV table — file quarantined; export it as CSV and drop it again"),
    "markdown": (b"| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n",
                 "Markdown table content with a CSV name, not a CSV table — file quarantined; export it as CSV and drop it again"),
    "binary": (bytes(range(256)) * 4, "108 control bytes in the first 1024 bytes: binary, not CSV — file quarantined; if it is text (e.g. fields padded with NUL bytes), set read.max_nul_share to 0.11 or more for its source (now 0.05)"),
}


def _finished(settings: Settings, data: bytes, name: str = REF.name) -> FileRef:
    """``data`` processed as ``name`` by run A#0 (``_processed``), and its ledger entry finished (as the embed stage records it)."""
    from headwater.manifest import layout
    from headwater.storage import read_json

    ref = FileRef(REF.date, name)
    _processed(settings, data, name=name)
    manifest = read_json(layout(settings, REF.date).manifest(ref.key))
    Ledger.for_settings(settings).record(ref.source, Fingerprint(**manifest["fingerprint"]), "ok")
    return ref


def _kept(problem: str) -> str:
    return (f"re-delivery quarantined whole ({problem}) over a file that had 3 data record(s) (run A#0): not processed, "
            "its previous outputs are kept — deliver the file again, or force the run to quarantine it and empty its outputs")


@pytest.mark.parametrize("kind", sorted(QUARANTINED_WHOLE))
def test_a_re_delivery_quarantined_whole_keeps_the_previous_outputs_and_says_so(kind: str, settings: Settings, tmp_path: Path) -> None:
    """breaker3 #16 (rest): an error page (or JSON/XML/Markdown/binary) over a good file used to delete its curated rows."""
    from headwater.decide import mark_unchanged
    from headwater.manifest import layout
    from headwater.report import report
    from headwater.storage import parquet_rows

    data, problem = QUARANTINED_WHOLE[kind]
    _finished(settings, GOOD)
    landing = _landing(tmp_path, data)
    expected = {"source": REF.source, "process": False, "reason": _kept(problem), "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data), "warning": _kept(problem)}
    assert decide(landing, REF, settings) == expected
    assert landing.opens == 1  # hashed and read by the ingest stage's reader in one pass: its size changed since a run with records
    mark_unchanged(FileRef(REF.date, REF.name, "B#0"), settings, expected["reason"], expected["warning"])
    result = report(REF.date, [REF.name], settings, run_id="B#0")
    (f,) = result["files"]
    assert (f["status"], f["action"], f["curated"], f["warnings"]) == ("ok", "unchanged", 3, [_kept(problem)])
    assert result["warned_files"] == [REF.source] and result["failed"] == [] and result["quarantined_files"] == []
    assert parquet_rows(layout(settings, REF.date).curated(REF.key)) == 3


def test_a_re_delivery_of_the_same_size_is_hashed_then_read_as_ingest_would(settings: Settings, tmp_path: Path) -> None:
    """Same size as the file that had records: only the hash shows the change, so the ingest stage's reader reads it in a
    second pass; kept back all the same. A new size reads it once (hash and reader together); an unchanged file once."""
    page = b"<html>502</html>"  # 16 bytes, as GOOD
    assert len(page) == len(GOOD)
    _finished(settings, GOOD)
    landing = _landing(tmp_path, page)
    problem = "an HTML page with a CSV name (an error page saved by the exporter?) — file quarantined; export the CSV again"
    assert decide(landing, REF, settings) == {"source": REF.source, "process": False, "reason": _kept(problem),
                                              "sha256": hashlib.sha256(page).hexdigest(), "bytes": 16, "warning": _kept(problem)}
    assert landing.opens == 2
    longer = _landing(tmp_path, page + b"\n")
    assert decide(longer, REF, settings)["reason"] == _kept(problem) and longer.opens == 1
    same = _landing(tmp_path, GOOD)
    assert decide(same, REF, settings)["process"] is False and "warning" not in decide(same, REF, settings) and same.opens == 2
    changed = _landing(tmp_path, b"a,b\n1,2\n3,4\n5,7\n")  # readable, same size: hashed, read as ingest would, processed
    decision = decide(changed, REF, settings)
    assert (decision["process"], "warning" in decision, changed.opens) == (True, False, 2)
    assert decide(changed, REF, settings, force=True)["sha256"] is None and changed.opens == 2  # forced: not read


def test_a_truncated_gzip_re_delivery_is_kept_back_too(settings: Settings, tmp_path: Path) -> None:
    """A compressed export cut short (the upload died) reads as damaged gzip data: quarantined whole, so kept back."""
    import gzip

    ref = _finished(settings, gzip.compress(GOOD, mtime=0), "people.csv.gz")
    cut = gzip.compress(b"a,b\n" + b"7,8\n" * 5000, mtime=0)[:-12]
    decision = decide(cut, ref, settings)
    assert decision["process"] is False and decision["sha256"] == hashlib.sha256(cut).hexdigest()
    assert decision["reason"].startswith("re-delivery quarantined whole (gzip data is damaged (") and decision["warning"] == decision["reason"]


def test_a_readable_change_a_forced_run_or_a_first_error_page_is_processed(settings: Settings, tmp_path: Path) -> None:
    assert decide(HTML, REF, settings)["process"] is True  # new file: no earlier outputs to keep
    _finished(settings, GOOD)
    changed = decide(b"a,b\n1,2\n3,4\n5,7\n", REF, settings)
    assert changed["process"] is True and changed["reason"].endswith(": content") and "warning" not in changed
    assert decide(HTML, REF, settings, force=True) == {"source": REF.source, "process": True, "reason": "forced by the run's `force` param",
                                                       "sha256": None, "bytes": None}
    assert decide(GOOD, REF, settings)["process"] is False  # the good file back: unchanged, no warning
    assert "warning" not in decide(GOOD, REF, settings)


ORDERS = b"order_id,customer,amount\nO-1,Ann,10.50\nO-2,Bob,7.25\nO-3,Cy,3.00\n"  # breaker3 in4: 3 records
D1, D2 = "2026-03-01", "2026-03-02"


def _landed(settings: Settings, date: str, files: dict[str, bytes], finished: bool = True) -> None:
    """``files`` ingested and cleaned on ``date`` by run A#0, chunk and embed marked done; with ``finished``, the ledger
    entries ended ok as the embed stage records them."""
    from headwater.clean.stage import clean
    from headwater.ingest.stage import ingest
    from headwater.manifest import layout
    from headwater.storage import read_json, write_json

    for name, data in files.items():
        ref = FileRef(date, name, "A#0")
        ingest(data, ref, settings)
        clean(ref, settings)
        path = layout(settings, date).manifest(ref.key)
        manifest = read_json(path)
        write_json(path, manifest | {"stages": manifest["stages"] | {"chunk": {"seconds": 0.0}, "embed": {"seconds": 0.0}}})
        if finished:
            Ledger.for_settings(settings).record(ref.source, Fingerprint(**manifest["fingerprint"]), "ok")


def _same(settings: Settings, date: str) -> dict[str, list[str]]:
    from headwater.clean.link import date_manifests
    from headwater.manifest import layout

    return {name: m.get("same_content_as", []) for name, m in sorted(date_manifests(layout(settings, date)).items())}


def _same_warning(*others: str) -> str:
    return (f"same content as {', '.join(others)}: one delivery under two names? Both are processed, so their rows are curated "
            "twice unless dedup.scope (run, history) makes the later copy's rows duplicates — if it is a copy, remove it from "
            "the landing folder and delete its outputs (curated table, manifest, vectors)")


def test_the_same_file_under_two_names_is_named_in_both_manifests_and_the_run_report(settings: Settings) -> None:
    """breaker3 #14: ``orders.csv`` and its browser re-download ``orders (1).csv`` were curated twice with 0 warnings."""
    from headwater.decide import same_content
    from headwater.report import report

    _landed(settings, D1, {"orders.csv": ORDERS, "orders (1).csv": ORDERS, "other.csv": b"a,b\n1,2\n"}, finished=False)
    assert same_content([D1], settings) == [f"{D1}/orders (1).csv", f"{D1}/orders.csv"]
    assert _same(settings, D1) == {"orders (1).csv": [f"{D1}/orders.csv"], "orders.csv": [f"{D1}/orders (1).csv"], "other.csv": []}
    assert same_content([D1], settings) == []  # nothing changed: nothing rewritten
    result = report(D1, ["orders (1).csv", "orders.csv", "other.csv"], settings, run_id="A#0")
    assert result["warned_files"] == [f"{D1}/orders (1).csv", f"{D1}/orders.csv"] and result["failed"] == []
    assert [f["warnings"] for f in result["files"]] == [[_same_warning(f"{D1}/orders.csv")], [_same_warning(f"{D1}/orders (1).csv")], []]
    assert result["totals"]["curated"] == 7  # both copies stay curated (when unsure, keep the data and say so)


def test_a_gzip_copy_of_a_plain_file_is_the_same_content_a_changed_one_is_not(settings: Settings) -> None:
    import gzip

    from headwater.decide import same_content

    other = ORDERS.replace(b"7.25", b"7.26")
    _landed(settings, D1, {"orders.csv": ORDERS, "orders.csv.gz": gzip.compress(ORDERS, mtime=0),
                           "items.csv": other, "items.csv.gz": gzip.compress(ORDERS, mtime=1)}, finished=False)
    assert same_content([D1], settings) == [f"{D1}/orders.csv", f"{D1}/orders.csv.gz"]
    assert _same(settings, D1) == {"items.csv": [], "items.csv.gz": [], "orders.csv": [f"{D1}/orders.csv.gz"],
                                   "orders.csv.gz": [f"{D1}/orders.csv"]}


def test_the_same_bytes_under_a_new_name_on_a_later_date_name_the_earlier_file_a_daily_snapshot_does_not(settings: Settings) -> None:
    from headwater.decide import same_content

    _landed(settings, D1, {"orders.csv": ORDERS})
    _landed(settings, D2, {"orders_resend.csv": ORDERS, "orders.csv": ORDERS}, finished=False)
    assert same_content([D2], settings) == [f"{D2}/orders.csv", f"{D2}/orders_resend.csv"]
    # the re-send names the earlier date's file too; the same name on the next day (a snapshot) names only the same date's copy
    assert _same(settings, D2) == {"orders.csv": [f"{D2}/orders_resend.csv"], "orders_resend.csv": [f"{D1}/orders.csv", f"{D2}/orders.csv"]}
    assert _same(settings, D1) == {"orders.csv": []}  # another date's manifest is named, not rewritten (its date's run does that)


def test_identical_files_of_two_sources_are_named_and_a_changed_copy_is_cleared(settings: Settings, tmp_path: Path) -> None:
    """Two sources' files (eu, us) with the same bytes; the us file re-delivered with other content clears both names."""
    from headwater.decide import same_content

    config = tmp_path / "config"
    config.mkdir()
    (config / "eu.yaml").write_text('files: ["*_eu.csv"]\n', encoding="utf-8")
    (config / "us.yaml").write_text('files: ["*_us.csv"]\n', encoding="utf-8")
    settings = Settings(home=settings.home, landing_uri=settings.landing_uri, config_dir=config)
    _landed(settings, D1, {"orders_eu.csv": ORDERS, "orders_us.csv": ORDERS}, finished=False)
    assert same_content([D1], settings) == [f"{D1}/orders_eu.csv", f"{D1}/orders_us.csv"]
    _landed(settings, D1, {"orders_us.csv": ORDERS.replace(b"Cy", b"Di")}, finished=False)
    assert same_content([D1], settings, may_write=lambda date, name: name != "orders_eu.csv") == []  # eu held by another run
    assert same_content([D1], settings) == [f"{D1}/orders_eu.csv"]
    assert _same(settings, D1) == {"orders_eu.csv": [], "orders_us.csv": []}
