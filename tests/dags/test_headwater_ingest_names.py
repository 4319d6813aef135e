"""A real Airflow run (dag.test) over a landing day of awkward names and compressed drops (issue 9, items 20 and 21).

Names that sanitize alike get their own outputs, `.gz`/`.bz2`/`.zst` files and each table in a
`.zip` are mapped and processed like plain files, every other file is listed as skipped with its
reason, and a forced key collision fails the run instead of mixing two files.
"""

from __future__ import annotations

import bz2
import gzip
import io
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
import zstandard

DAY = "2026-11-20"
REVIEWS = [
    "The outsole of my trail shoe separated from the upper after weeks of running.",
    "My invoice lists the wrong billing address and needs to be corrected.",
    "The checkout page fails with an error whenever I enter my card details.",
    "I want to return a jacket that arrived in the wrong colour and size.",
    "The tracking number for my parcel has not updated since last Monday.",
    "Please cancel my subscription renewal before it charges my card again.",
    "The zipper on the backpack broke on the second day of the hiking trip.",
    "Can you recommend waterproof gloves for winter cycling in heavy rain?",
    "Two items were missing from the box even though the packing slip lists them.",
    "The discount code from your newsletter is rejected as expired at checkout.",
    "The tent poles snapped in moderate wind on the first night of camping.",
    "I was charged twice for the same order according to my bank statement.",
    "Is there a store in Lyon where I can try the hiking boots before buying?",
]


def _table(*reviews: int) -> bytes:
    return ("id,review\n" + "".join(f"R-{i},{REVIEWS[i]}\n" for i in reviews)).encode()


def _zip(*members: tuple[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


LANDING = {
    "q3 sales.csv": _table(0),
    "q3_sales.csv": _table(1),
    "q3&sales.csv": _table(2),
    "売上.csv": _table(3),
    "在庫.csv": _table(4),
    "orders.csv.gz": gzip.compress(_table(5, 6), mtime=0),
    "returns.tsv.bz2": bz2.compress(_table(7).replace(b",", b"\t")),
    "tickets.csv.zst": zstandard.ZstdCompressor().compress(_table(8)),
    "exports.zip": _zip(("part-1.csv", _table(9)), ("data/", b""), ("data/part-2.csv", _table(10, 11)), ("readme.pdf", b"%PDF-1.7")),
    "empty.csv.gz": gzip.compress(b""),
    ".DS_Store": b"\0\0\0\1Bud1",
    "_SUCCESS": b"",
    "late.csv.part": _table(12),
    "notes.md": b"# notes\n",
}
# record: (status, rows_read, curated, duplicates, quarantined, chunks, vectors)
EXPECTED = {
    "empty.csv.gz": ("empty", 0, 0, 0, 0, 0, 0),  # no content, compressed or not: outcome empty (issue 9 item 10)
    "exports.zip/data/part-2.csv": ("ok", 2, 2, 0, 0, 2, 2),
    "exports.zip/part-1.csv": ("ok", 1, 1, 0, 0, 1, 1),
    "orders.csv.gz": ("ok", 2, 2, 0, 0, 2, 2),
    "q3 sales.csv": ("ok", 1, 1, 0, 0, 1, 1),
    "q3&sales.csv": ("ok", 1, 1, 0, 0, 1, 1),
    "q3_sales.csv": ("ok", 1, 1, 0, 0, 1, 1),
    "returns.tsv.bz2": ("ok", 1, 1, 0, 0, 1, 1),
    "tickets.csv.zst": ("ok", 1, 1, 0, 0, 1, 1),
    "在庫.csv": ("ok", 1, 1, 0, 0, 1, 1),
    "売上.csv": ("ok", 1, 1, 0, 0, 1, 1),
}
SKIPPED = [
    {"file": ".DS_Store", "reason": "hidden or temporary name (starts with '.' or '_')"},
    {"file": "_SUCCESS", "reason": "hidden or temporary name (starts with '.' or '_')"},
    {"file": "exports.zip/readme.pdf", "reason": "zip member that is not a CSV (.pdf)"},
    {"file": "late.csv.part", "reason": "upload in progress (.part)"},
    {
        "file": "notes.md",
        "reason": "unknown extension (.md): Headwater reads .csv, .tsv and .txt files, plain or compressed (.gz, .bz2, .zst, .xz), "
        "and .zip archives of them",
    },
]
COUNTS = ("status", "rows_read", "curated", "duplicates", "quarantined", "chunks", "vectors")


@pytest.fixture
def zone(landing_zone) -> Path:
    return landing_zone({DAY: LANDING})


@pytest.fixture(scope="module")
def dag(ingest_dag):
    return ingest_dag


def _run(dag):
    from headwater.config.settings import Settings
    from headwater.layout import Layout
    from headwater.storage import read_json

    run = dag.test(logical_date=datetime(2026, 11, 20, tzinfo=timezone.utc), run_conf={"force": False, "dry_run": False})
    return run, read_json(Layout(Settings.from_env().data_dir, DAY).report())


def test_awkward_names_and_compressed_drops_end_to_end(dag, zone, capsys) -> None:
    from headwater.config.settings import Settings
    from headwater.embed.store import VectorStore
    from headwater.layout import Layout

    run, report = _run(dag)
    assert run.state == "success"
    assert {f["file"]: tuple(f[k] for k in COUNTS) for f in report["files"]} == EXPECTED
    assert all(f["accounted"] for f in report["files"]) and report["failed"] == []
    assert report["quarantined_files"] == []
    assert report["skipped"] == SKIPPED
    names = {ti.map_index: ti.rendered_map_index for ti in run.get_task_instances() if ti.task_id == "process_file.ingest"}
    assert sorted(names.values()) == sorted(EXPECTED)  # one mapped group per record, named by it
    lay = Layout(Settings.from_env().data_dir, DAY)
    assert sorted(p.name for p in lay.manifests_dir().iterdir()) == sorted([
        "empty.csv.gz.json", "exports.zip_data_part-2~97003d8b.csv.json",
        "exports.zip_part-1~f2e435d1.csv.json", "orders.csv.gz.json", "q3_sales~1b6e64e2.csv.json", "q3_sales~7f8ee286.csv.json",
        "q3_sales.csv.json", "returns.tsv.bz2.json", "tickets.csv.zst.json", "file~b7d03de7.csv.json", "file~811579bc.csv.json",
    ])
    store = VectorStore(Settings.from_env().data_dir / "vectors")
    assert store.count() == sum(c[-1] for c in EXPECTED.values())
    assert {s: store.count(f"{DAY}/{s}") for s in ("q3 sales.csv", "q3_sales.csv", "q3&sales.csv")} == {
        "q3 sales.csv": 1, "q3_sales.csv": 1, "q3&sales.csv": 1,
    }

    run2, report2 = _run(dag)  # nothing changed: every record is unchanged, compressed and zipped ones included
    assert run2.state == "success"
    assert report2["this_run"] == {"files_processed": 0, "files_relinked": 0, "files_unchanged": len(EXPECTED), "rows_recomputed": 0, "embedding_calls": 0}
    assert report2["skipped"] == SKIPPED
    assert {ti.task_id: ti.state for ti in run2.get_task_instances()}["report"] == "skipped"


def test_a_forced_key_collision_fails_the_run_and_never_marks_the_loser_ok(dag, zone, monkeypatch) -> None:
    from headwater.config.settings import Settings
    from headwater.ledger import Ledger
    from headwater.manifest import FileRef

    for name in list(LANDING):
        if name not in ("q3 sales.csv", "q3_sales.csv"):
            (zone / DAY / name).unlink()
    monkeypatch.setattr(FileRef, "key", property(lambda self: "same.csv"))  # a crafted key function: one key for every file
    for task_id in ("process_file.ingest", "report"):
        monkeypatch.setattr(dag.get_task(task_id), "retries", 0)  # fail at once, no retry delay
    run, report = _run(dag)
    assert run.state == "failed"
    # whichever ingest claims the key first wins (the order of mapped tasks is not fixed); the other fails
    ingests = {ti.rendered_map_index: ti.state for ti in run.get_task_instances() if ti.task_id == "process_file.ingest"}
    assert sorted(ingests) == ["q3 sales.csv", "q3_sales.csv"] and sorted(ingests.values()) == ["failed", "success"]
    (winner,) = [name for name, state in ingests.items() if state == "success"]
    (loser,) = [name for name, state in ingests.items() if state == "failed"]
    assert {ti.task_id: ti.state for ti in run.get_task_instances() if ti.task_id == "report"} == {"report": "failed"}
    assert report["failed"] == [f"{DAY}/{loser}"]
    by_file = {f["file"]: f for f in report["files"]}
    assert (by_file[winner]["status"], by_file[winner]["rows_read"]) == ("ok", 1)
    assert by_file[loser]["status"] == "failed"
    assert by_file[loser]["error"].startswith(f"{DAY}/{loser}: its output key 'same.csv' belongs to {DAY}/{winner}")
    ledger = Ledger(Settings.from_env().data_dir / "ledger.sqlite")
    assert ledger.get(f"{DAY}/{winner}").outcome == "ok" and ledger.get(f"{DAY}/{loser}") is None
