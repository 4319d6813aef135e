"""The incremental fine-tune export: per-file parts, what each export reads, and that it equals a full read.

The tables come from the real ingest -> clean -> chunk stages over the shipped sample day (no embed),
so manifests, fingerprints and quarantine are the pipeline's own. Table reads are counted at
``pyarrow.parquet.ParquetFile``, the one way the export opens a table.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from headwater.chunk.stage import chunk as chunk_file
from headwater.clean.stage import clean as clean_file
from headwater.config.finetune import ExportOptions
from headwater.finetune.export import EVENTS_MARGIN, ChangeFeed, events_since, export_incremental, full_export_bytes
from headwater.finetune.parts import PartsIndex, options_key, source_part_id
from headwater.finetune.registry import ModelRegistry, NewExamples, count_new_examples
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef

SAMPLE = Path(__file__).resolve().parents[4] / "sample_data" / "landing" / "2026-11-20"
D1, D2 = "2026-11-20", "2026-11-21"
NEW_TICKETS = (
    "TICKET_ID,SUBJECT,BODY\n"
    "T-900,Broken zipper,The zipper on my new backpack split open on the first climb of the day.\n"
    "T-901,Late parcel,My parcel with the rain jacket has been stuck at the depot for nine days now.\n"
).encode()
PARTS_D1 = ["Customers_Export~7438d9e4.csv", "SUPPORT_TICKETS.csv", "customersApac.csv", "customers_eu.csv",
            "product-reviews.csv", "productCatalog.csv"]  # orders_export.csv is quarantined: no table, no part


def process(settings, date: str, name: str, data: bytes) -> None:
    """ingest -> clean -> chunk, as the DAG's mapped group does (embedding plays no part in the export)."""
    ref = FileRef(date, name)
    if ingest_file(data, ref, settings)["status"] != "quarantined":
        clean_file(ref, settings)
        chunk_file(ref, settings)


@pytest.fixture(scope="module")
def processed_day_one(tmp_path_factory) -> Path:
    """The sample day through the stages once per module (about 1.5 s); tests get a copy."""
    from headwater.config.settings import Settings

    home = tmp_path_factory.mktemp("day-one")
    settings = Settings(home=home, landing_uri=SAMPLE.parent.as_uri())
    for path in sorted(SAMPLE.iterdir()):
        process(settings, D1, path.name, path.read_bytes())
    return settings.data_dir


@pytest.fixture
def day_one(settings, processed_day_one) -> Path:
    shutil.copytree(processed_day_one, settings.data_dir)
    return settings.data_dir


@pytest.fixture
def reads(monkeypatch, settings) -> list[str]:
    """Every Parquet table opened, relative to the data root, in order."""
    import pyarrow.parquet as pq

    opened: list[str] = []
    real = pq.ParquetFile

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, source, *args, **kwargs):
            opened.append(str(Path(source).relative_to(settings.data_dir)))
            super().__init__(source, *args, **kwargs)

    monkeypatch.setattr(pq, "ParquetFile", Counting)
    return opened


def tables(date: str, *keys: str) -> list[str]:
    return [f"{area}/date={date}/{key}.parquet" for key in keys for area in ("chunks", "curated")]


def part_files(data_dir: Path, date: str, options: ExportOptions = ExportOptions()) -> list[str]:
    folder = Layout(data_dir).finetune_parts(options_key(options)) / f"date={date}"
    return sorted(p.name.rsplit("-", 1)[0] for p in folder.glob("*.jsonl"))


# breaker9 #15: the 4 customers with no notes (John Smith, Ken Thompson, Raj Patel, François Dubois) are row documents
# (30 -> 34 chunks), whose 21 loose fields they replace (144 -> 123); the customers with notes keep theirs. breaker10 F13:
# the notes "-" (Margaret Hamilton, Customers Export) and "?" (José Álvarez, customers_eu) hold no words: each row's
# chunk is now its row document (34 chunks still), which replaces its 5 loose fields (123 -> 113)
@pytest.mark.parametrize(("fields", "counts"), [("all", (147, 34, 113)), ("text", (41, 34, 7)), ("none", (34, 34, 0))])
def test_first_export_reads_each_table_once_and_equals_a_full_read(day_one, reads, fields, counts) -> None:
    options = ExportOptions(fields=fields)
    export, update = export_incremental(day_one, options)
    expected = tables(D1, *PARTS_D1) if fields != "none" else [f"chunks/date={D1}/{k}.parquet" for k in PARTS_D1]
    assert reads == expected and update.read == [str(day_one / t) for t in reads]
    assert (export.count, export.chunks, export.fields) == counts
    assert export.path.read_bytes() == full_export_bytes(day_one, options)
    assert update.mode == "full" and update.removed == []
    assert update.rebuilt == [f"{D1}/{k}" for k in PARTS_D1]
    assert part_files(day_one, D1, options) == PARTS_D1


@pytest.mark.parametrize("feed", ["events", "manual"])
def test_a_second_date_reads_only_its_own_tables(settings, day_one, reads, feed) -> None:
    first = export_incremental(day_one)[0]
    process(settings, D2, "tickets.csv", NEW_TICKETS)
    reads.clear()
    # events: the asset events name the new file; manual: no events, every file's fingerprint is checked
    changed = ChangeFeed(frozenset({f"{D2}/tickets.csv"}), None) if feed == "events" else ChangeFeed(None, None)
    second, update = export_incremental(day_one, feed=changed)
    assert reads == tables(D2, "tickets.csv")  # before this change the export re-read all 12 tables of D1 too
    assert update.rebuilt == [f"{D2}/tickets.csv"] and update.read == [str(day_one / t) for t in reads]
    assert len(update.checked) == (1 if feed == "events" else 7)
    assert (second.count, second.chunks, second.fields) == (first.count + 6, first.chunks + 2, first.fields + 4)
    reads.clear()
    assert second.path.read_bytes() == full_export_bytes(day_one)
    assert len(reads) == 14  # the reference reads every table: what the export used to do on every run


def test_a_rerun_reads_nothing_and_rewrites_nothing(day_one, reads) -> None:
    first, _ = export_incremental(day_one)
    mtime = first.path.stat().st_mtime_ns
    reads.clear()
    second, update = export_incremental(day_one)
    assert (second, reads, update.rebuilt, update.removed) == (first, [], [], [])
    assert first.path.stat().st_mtime_ns == mtime


def test_a_changed_file_replaces_its_part(settings, day_one, reads) -> None:
    before, _ = export_incremental(day_one)
    old_part = PartsIndex.load(Layout(day_one), "fields-all").parts[f"{D1}/SUPPORT_TICKETS.csv"]
    changed = (SAMPLE / "SUPPORT_TICKETS.csv").read_bytes().replace(b"fits perfectly", b"fits like a glove")
    assert changed != (SAMPLE / "SUPPORT_TICKETS.csv").read_bytes()
    process(settings, D1, "SUPPORT_TICKETS.csv", changed)
    reads.clear()
    after, update = export_incremental(day_one, feed=ChangeFeed(frozenset({f"{D1}/SUPPORT_TICKETS.csv"}), None))
    assert reads == tables(D1, "SUPPORT_TICKETS.csv")
    assert (update.rebuilt, update.removed) == ([f"{D1}/SUPPORT_TICKETS.csv"], [])
    new_part = PartsIndex.load(Layout(day_one), "fields-all").parts[f"{D1}/SUPPORT_TICKETS.csv"]
    assert new_part["sha256"] != old_part["sha256"]
    assert part_files(day_one, D1) == PARTS_D1  # one part per file: the old one is gone
    assert not Layout(day_one).finetune_part("fields-all", D1, "SUPPORT_TICKETS.csv", old_part["sha256"]).exists()
    assert after.sha256 != before.sha256 and after.count == before.count
    assert b"fits like a glove" in after.path.read_bytes() and after.path.read_bytes() == full_export_bytes(day_one)


def test_a_file_that_becomes_quarantined_loses_its_part(settings, day_one) -> None:
    before, _ = export_incremental(day_one)
    process(settings, D1, "customers_eu.csv", b"<html><body>502 Bad Gateway</body></html>")  # the ingest deletes its tables
    after, update = export_incremental(day_one, feed=ChangeFeed(frozenset({f"{D1}/customers_eu.csv"}), None))
    assert (update.rebuilt, update.removed, update.read) == ([], [f"{D1}/customers_eu.csv"], [])
    assert part_files(day_one, D1) == [k for k in PARTS_D1 if k != "customers_eu.csv"]
    assert b'"source": "customers_eu.csv"' in before.path.read_bytes()
    assert b'"source": "customers_eu.csv"' not in after.path.read_bytes()
    assert after.path.read_bytes() == full_export_bytes(day_one)


def test_new_examples_are_counted_from_the_changed_parts_only(settings, day_one, monkeypatch) -> None:
    import headwater.finetune.registry as registry_module

    registry = ModelRegistry(day_one)
    first, _ = export_incremental(day_one)
    assert count_new_examples(first, registry) == NewExamples(total=147, new=147, last_model_version=None)
    registry.record({"model_version": "m1"}, first)
    process(settings, D2, "tickets.csv", NEW_TICKETS)
    second, _ = export_incremental(day_one, feed=ChangeFeed(frozenset({f"{D2}/tickets.csv"}), None))

    opened: list[Path] = []
    real = registry_module.read_example_ids
    monkeypatch.setattr(registry_module, "read_example_ids", lambda p: opened.append(Path(p)) or real(p))
    counts = count_new_examples(second, registry)
    assert counts == NewExamples(total=153, new=6, last_model_version="m1")
    index = PartsIndex.load(Layout(day_one), "fields-all")
    assert opened == [index.part_path(Layout(day_one), f"{D2}/tickets.csv")]  # not the 162-line export
    assert count_new_examples(second.path, registry) == counts  # the full comparison agrees


def test_events_since_follows_the_newest_event_applied(day_one) -> None:
    assert events_since(day_one) is None  # no export yet: the first one checks every file
    export_incremental(day_one, feed=ChangeFeed.everything([("2026-11-20T01:00:00+00:00", {})]))
    from datetime import datetime

    assert events_since(day_one) == datetime.fromisoformat("2026-11-20T01:00:00+00:00") - EVENTS_MARGIN
    assert events_since(day_one, ExportOptions(fields="none")) is None  # each set of options has its own parts
    export_incremental(day_one, feed=ChangeFeed(frozenset(), None))  # no event: the watermark stays
    assert events_since(day_one) == datetime.fromisoformat("2026-11-20T01:00:00+00:00") - EVENTS_MARGIN


def test_change_feed_from_events() -> None:
    extra = {"files_changed": 1, "dates": {D2: {"changed": [f"{D2}/tickets.csv"]}}}
    older = {"files_changed": 1, "dates": {D1: {"changed": [f"{D1}/a.csv"]}, D2: {"changed": []}}}
    feed = ChangeFeed.from_events([("2026-11-21T02:00:00+00:00", extra), ("2026-11-21T01:00:00+00:00", older)])
    assert feed == ChangeFeed(frozenset({f"{D2}/tickets.csv", f"{D1}/a.csv"}), "2026-11-21T02:00:00+00:00")
    # an event created by hand (UI, REST API) does not say what changed: every file is checked
    assert ChangeFeed.from_events([("2026-11-21T03:00:00+00:00", {"note": "manual"}), ("2026-11-21T02:00:00+00:00", extra)]) == (
        ChangeFeed(None, "2026-11-21T03:00:00+00:00"))
    assert ChangeFeed.from_events([]) == ChangeFeed(frozenset(), None)
    assert ChangeFeed.everything() == ChangeFeed(None, None)


def test_update_describe_lists_a_few_names() -> None:
    from headwater.finetune.parts import PartsUpdate

    update = PartsUpdate("full", ["a/1", "a/2", "a/3"], ["a/1", "a/2", "a/3"], [], ["t1", "t2"])
    assert update.describe(names=2) == "full: 3 file(s) checked, 3 part(s) rebuilt (2 table(s) read), 0 removed; rebuilt a/1, a/2 and 1 more"
    assert update.summary() == {"mode": "full", "checked": 3, "rebuilt": 3, "removed": 0, "tables_read": 2}


def test_source_part_id() -> None:
    assert source_part_id("2026-11-20/Customers Export.csv") == "2026-11-20/Customers_Export~7438d9e4.csv"
    with pytest.raises(ValueError, match="<YYYY-MM-DD>/<file name>"):
        source_part_id("Customers Export.csv")
