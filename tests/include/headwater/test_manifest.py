"""Two landing files never share outputs: the key claim and the manifest owner check (issue 9, item 20).

Real keys are distinct (tests/include/headwater/test_layout.py); here a crafted key function gives
two files the same key, and every stage must fail loudly instead of mixing or overwriting them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from headwater.chunk.stage import chunk as chunk_file
from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.decide import mark_unchanged
from headwater.embed.stage import embed as embed_file
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.ledger import Ledger
from headwater.manifest import FileRef, KeyCollision, claim_key
from headwater.report import format_report, report as run_report
from headwater.storage import read_json

DATE = "2026-11-20"
A = b"id,review\n1,The soles came apart after two weeks of trail running in the rain.\n"
B = b"id,review\n7,Great jacket: warm and dry on a windy ridge in November.\n"
C = b"id,review\n9,The parcel arrived a week late and the box was crushed.\n"


def collision(first: str, second: str, key: str = "same.csv") -> str:
    return (
        f"{DATE}/{second}: its output key {key!r} belongs to {DATE}/{first} ({{path}}) — two landing files would write the "
        "same outputs, so this one is not processed; rename one of them"
    )


def test_a_key_is_claimed_once_for_one_landing_file(settings: Settings) -> None:
    lay = Layout(settings.data_dir, DATE)
    claim_key(settings, FileRef(DATE, "q3 sales.csv"))
    claim_key(settings, FileRef(DATE, "q3 sales.csv"))  # the same file again (a rerun): fine
    assert lay.key_claim("q3_sales~1b6e64e2.csv").read_text() == f"{DATE}/q3 sales.csv\n"
    assert sorted(p.name for p in lay.key_claim("x").parent.iterdir()) == ["q3_sales~1b6e64e2.csv"]  # no temporary left


@pytest.fixture
def same_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """A crafted key function: every landing file gets the key ``same.csv``."""
    monkeypatch.setattr(FileRef, "key", property(lambda self: "same.csv"))
    return "same.csv"


def _run(ref: FileRef, data: bytes, settings: Settings) -> dict:
    ingest_file(data, ref, settings)
    for step in (clean_file, chunk_file, embed_file):
        info = step(ref, settings)
    return info


def test_a_forced_collision_fails_the_second_file_before_it_writes_anything(settings: Settings, same_key: str) -> None:
    lay = Layout(settings.data_dir, DATE)
    first, second = FileRef(DATE, "q3 sales.csv"), FileRef(DATE, "q3&sales.csv")
    assert _run(first, A, settings)["status"] == "ok"
    before = {p: p.read_bytes() for p in lay.root.rglob("*") if p.is_file() and "date=" in str(p)}
    with pytest.raises(KeyCollision) as caught:
        ingest_file(B, second, settings)
    assert str(caught.value) == collision("q3 sales.csv", "q3&sales.csv").format(path=lay.key_claim(same_key))
    after = {p: p.read_bytes() for p in lay.root.rglob("*") if p.is_file() and "date=" in str(p)}
    assert after == before  # not one byte of the first file's outputs changed
    ledger = Ledger.for_settings(settings)
    assert ledger.get(first.source).outcome == "ok" and ledger.get(second.source) is None
    # the run fails loudly: the second file is failed in the report, never counted with the first one's rows
    report = run_report(DATE, ["q3 sales.csv", "q3&sales.csv"], settings)
    by_file = {f["file"]: f for f in report["files"]}
    assert (by_file["q3 sales.csv"]["status"], by_file["q3 sales.csv"]["rows_read"]) == ("ok", 1)
    assert by_file["q3&sales.csv"]["status"] == "failed" and by_file["q3&sales.csv"]["rows_read"] is None
    assert by_file["q3&sales.csv"]["error"] == collision("q3 sales.csv", "q3&sales.csv").format(path=lay.manifest(same_key))
    assert report["failed"] == [f"{DATE}/q3&sales.csv"]
    assert "its output key 'same.csv' belongs to 2026-11-20/q3 sales.csv" in format_report(report)


def test_outputs_written_without_a_claim_are_caught_by_every_stage(settings: Settings, same_key: str) -> None:
    """A data root from before key claims, or a second writer that skipped the claim: the manifest names its owner."""
    lay = Layout(settings.data_dir, DATE)
    first, second = FileRef(DATE, "q3 sales.csv"), FileRef(DATE, "q3&sales.csv")
    ingest_file(A, first, settings)
    shutil.rmtree(lay.key_claim(same_key).parent)
    with pytest.raises(KeyCollision, match="belongs to 2026-11-20/q3 sales.csv"):  # ingest reads the manifest it would replace
        ingest_file(B, second, settings)
    # the second file's ingest got through anyway (both guards gone): the first file's stages refuse its outputs
    shutil.rmtree(lay.key_claim(same_key).parent)
    lay.manifest(same_key).unlink()
    ingest_file(B, second, settings)
    message = collision("q3&sales.csv", "q3 sales.csv").format(path=lay.manifest(same_key))
    for step in (clean_file, chunk_file, embed_file):
        with pytest.raises(KeyCollision) as caught:
            step(first, settings)
        assert str(caught.value) == message
    with pytest.raises(KeyCollision):
        mark_unchanged(first, settings, "unchanged since yesterday")
    assert Ledger.for_settings(settings).get(first.source).outcome == "in_progress"  # never "ok" on another file's outputs
    report = run_report(DATE, ["q3 sales.csv", "q3&sales.csv"], settings)
    assert {f["file"]: (f["status"], f["error"]) for f in report["files"]} == {
        "q3 sales.csv": ("failed", message), "q3&sales.csv": ("failed", "stages not completed: clean, chunk, embed"),
    }
    assert report["failed"] == [f"{DATE}/q3 sales.csv", f"{DATE}/q3&sales.csv"]
    assert read_json(lay.manifest(same_key))["source"] == f"{DATE}/q3&sales.csv"


def test_real_keys_keep_sanitize_alike_files_apart_through_every_stage(settings: Settings) -> None:
    names = {"q3 sales.csv": A, "q3_sales.csv": B, "q3&sales.csv": C}
    for name, data in names.items():
        assert _run(FileRef(DATE, name), data, settings)["status"] == "ok"
    report = run_report(DATE, list(names), settings)
    assert [(f["file"], f["status"], f["rows_read"], f["curated"], f["vectors"]) for f in report["files"]] == [
        ("q3 sales.csv", "ok", 1, 1, 1), ("q3&sales.csv", "ok", 1, 1, 1), ("q3_sales.csv", "ok", 1, 1, 1),
    ]
    lay = Layout(settings.data_dir, DATE)
    assert sorted(p.name for p in lay.curated_dir.iterdir()) == [
        "q3_sales.csv.parquet", "q3_sales~1b6e64e2.csv.parquet", "q3_sales~7f8ee286.csv.parquet",
    ]
    assert sorted(p.name for p in lay.key_claim("x").parent.iterdir()) == ["q3_sales.csv", "q3_sales~1b6e64e2.csv", "q3_sales~7f8ee286.csv"]


def test_a_zip_member_keeps_its_archive_in_its_identity() -> None:
    ref = FileRef(DATE, "orders.zip/data/part-1.csv.gz")
    assert (ref.archive, ref.member, ref.table_name, ref.source) == ("orders.zip", "data/part-1.csv.gz", "part-1.csv", f"{DATE}/orders.zip/data/part-1.csv.gz")
    plain = FileRef(DATE, "orders.csv.bz2")
    assert (plain.archive, plain.member, plain.table_name, plain.key) == ("orders.csv.bz2", None, "orders.csv", "orders.csv.bz2")


def test_keys_are_claimed_per_date(settings: Settings, tmp_path: Path) -> None:
    claim_key(settings, FileRef("2026-11-20", "a b.csv"))
    claim_key(settings, FileRef("2026-11-21", "a b.csv"))
    assert [p.relative_to(settings.data_dir).as_posix() for p in sorted(settings.data_dir.rglob("a_b*"))] == [
        "keys/date=2026-11-20/a_b~0c591648.csv", "keys/date=2026-11-21/a_b~0c591648.csv",
    ]
