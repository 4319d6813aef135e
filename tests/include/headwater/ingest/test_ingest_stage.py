"""One landing file, one read per attempt: `check` (headwater.decide) hands its hash to `ingest`, which
hashes, decodes and parses in one pass. A recording landing file counts every byte read and every pass
(a read that starts at the file's first byte), the way the DAG opens it: `check` gets the path,
`ingest` an open stream.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import json
import logging
import lzma
import os
import zipfile

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import zstandard

from headwater.config.settings import Settings
from headwater.decide import decide
from headwater.ingest import streams
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.ledger import Fingerprint, Ledger
from headwater.manifest import FileRef
from headwater.storage import read_json

DAY = "2026-11-20"
SAMPLE = Path(__file__).resolve().parents[4] / "sample_data" / "landing" / DAY
# 300,000 bytes: more than the 262,144-byte head that decides the encoding, so the parse reads on past it.
ROWS = 14_000
DATA = b"id,name,note\n" + b"".join(b"%05d,name %05d,ok\n" % (i, i) for i in range(ROWS))
DATA = DATA + b"x" * (300_000 - len(DATA) - 1) + b"\n"  # the last line is a bad row (1 field)
# 2 MiB of ASCII, then one cp1252 line: UTF-8 as far as the head shows, not UTF-8 at byte 2,097,165.
LATE = b"id,text\n" + b"1,hello\n" * 262_144 + "2,café\n".encode("cp1252")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Recording(io.RawIOBase):
    """One open of a landing file; every read is logged as (offset, bytes returned)."""

    def __init__(self, data: bytes, seekable: bool, log: list[tuple[int, int]]) -> None:
        self._data, self._seekable, self._log = io.BytesIO(data), seekable, log

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._seekable

    def seek(self, pos: int, whence: int = 0) -> int:
        if not self._seekable:
            raise io.UnsupportedOperation("seek")
        return self._data.seek(pos, whence)

    def tell(self) -> int:
        if not self._seekable:
            raise io.UnsupportedOperation("tell")
        return self._data.tell()

    def readinto(self, buffer: bytearray | memoryview) -> int:
        at = self._data.tell()
        n = self._data.readinto(buffer)
        if n:
            self._log.append((at, n))
        return n


class Landing:
    """A landing file as the DAG sees it (an ObjectStoragePath): ``open("rb")`` gives a recorded stream."""

    def __init__(self, data: bytes, seekable: bool = True) -> None:
        self.data, self.seekable = data, seekable
        self.reads: list[tuple[int, int]] = []
        self.opens = 0

    def open(self, mode: str = "rb") -> Recording:
        assert mode == "rb"
        self.opens += 1
        return Recording(self.data, self.seekable, self.reads)

    def stat(self) -> os.stat_result:
        """The file's size, as ``ObjectStoragePath.stat()`` gives it (a HEAD request on S3, no byte of content read)."""
        return os.stat_result((0o100644, 0, 0, 1, 0, 0, len(self.data), 0, 0, 0))

    @property
    def bytes_read(self) -> int:
        return sum(n for _, n in self.reads)

    @property
    def passes(self) -> int:
        """Reads of the file from its first byte (a pass may stop early: see bytes_read)."""
        return sum(1 for at, _ in self.reads if at == 0)


def attempt(landing: Landing, ref: FileRef, settings: Settings, force: bool = False) -> tuple[dict, dict | None]:
    """The DAG's check -> ingest hand-off for one file: the decision, and ingest's summary when it ran."""
    decision = decide(landing, ref, settings, force=force)
    if not decision["process"]:
        return decision, None
    with landing.open("rb") as source:
        return decision, ingest_file(source, ref, settings, expected_sha256=decision["sha256"])


def finish(ref: FileRef, settings: Settings) -> None:
    """What the embed stage does last: record the file's outcome under the manifest's fingerprint."""
    manifest = read_json(Layout(settings.data_dir, ref.date).manifest(ref.key))
    Ledger.for_settings(settings).record(ref.source, Fingerprint(**manifest["fingerprint"]), manifest["status"])


def manifest_of(ref: FileRef, settings: Settings) -> dict:
    return read_json(Layout(settings.data_dir, ref.date).manifest(ref.key))


# ---------------------------------------------------------------- reads per attempt


@pytest.mark.parametrize("seekable", [True, False], ids=["seekable", "pipe"])
def test_a_new_file_is_read_once_by_check_and_ingest_together(settings: Settings, seekable: bool) -> None:
    ref, landing = FileRef(DAY, "people.csv"), Landing(DATA, seekable)
    decision, info = attempt(landing, ref, settings)
    assert decision == {"source": f"{DAY}/people.csv", "process": True, "reason": "new file", "sha256": None, "bytes": None}
    assert (landing.opens, landing.passes, landing.bytes_read) == (1, 1, 300_000)  # check opened nothing
    assert (info["status"], info["rows_read"], info["quarantined"]) == ("ok", ROWS + 1, 1)
    manifest = manifest_of(ref, settings)
    assert (manifest["sha256"], manifest["bytes"], manifest["landing_reads"]) == (sha(DATA), 300_000, 1)
    assert manifest["fingerprint"]["sha256"] == sha(DATA) and "content_changed_after_check" not in manifest
    assert Ledger.for_settings(settings).get(ref.source).fingerprint.sha256 == sha(DATA)  # in progress, with the hash read
    staged = pd.read_parquet(Layout(settings.data_dir, DAY).staging(ref.key))
    assert staged["_line"].tolist() == list(range(2, ROWS + 2)) and staged.iloc[-1].tolist() == [ROWS + 1, "13999", "name 13999", "ok"]


@pytest.mark.parametrize("seekable", [True, False], ids=["seekable", "pipe"])
def test_an_unchanged_file_is_read_once_by_check_and_ingest_is_skipped(settings: Settings, seekable: bool) -> None:
    ref = FileRef(DAY, "people.csv")
    attempt(Landing(DATA), ref, settings)
    finish(ref, settings)
    landing = Landing(DATA, seekable)
    decision, info = attempt(landing, ref, settings)
    assert info is None and decision["process"] is False and decision["reason"].startswith("unchanged since ")
    assert (decision["sha256"], decision["bytes"]) == (sha(DATA), 300_000)
    assert (landing.opens, landing.passes, landing.bytes_read) == (1, 1, 300_000)


@pytest.mark.parametrize("seekable", [True, False], ids=["seekable", "pipe"])
@pytest.mark.parametrize(
    ("change", "check_passes"),
    [((b"name 00007,ok\n", b"name 00007,okay\n"), 1), ((b"name 00007", b"name 0000X"), 2)],
    ids=["new size", "same size"],
)
def test_a_changed_file_is_read_once_by_check_and_once_by_ingest_unless_its_size_is_the_same(
    settings: Settings, seekable: bool, change: tuple[bytes, bytes], check_passes: int
) -> None:
    ref = FileRef(DAY, "people.csv")
    attempt(Landing(DATA), ref, settings)
    finish(ref, settings)
    changed = DATA.replace(*change)
    landing = Landing(changed, seekable)
    decision, info = attempt(landing, ref, settings)
    assert decision["process"] is True and decision["reason"].endswith(": content")
    assert (decision["sha256"], decision["bytes"]) == (sha(changed), len(changed))
    # check reads it whole as ingest would (decide.unreadable_redelivery: a changed re-delivery of a file that had records
    # is kept back if ingest would quarantine it whole, runs4) and hashes it in the same pass when its size says it changed;
    # a change of the same size is found by the hash first, then read as ingest would; then ingest reads it
    assert (landing.opens, landing.passes, landing.bytes_read) == (check_passes + 1, check_passes + 1, (check_passes + 1) * len(changed))
    manifest = manifest_of(ref, settings)
    assert (manifest["sha256"], manifest["landing_reads"], info["rows_read"]) == (sha(changed), 1, ROWS + 1)
    assert "content_changed_after_check" not in manifest


@pytest.mark.parametrize(
    ("before", "force", "reason"),
    [
        ("finished", True, "forced by the run's `force` param"),
        ("unfinished", False, "last attempt did not finish (in_progress)"),
        ("config", False, "config"),
    ],
)
def test_check_reads_nothing_when_the_content_cannot_change_its_answer(settings: Settings, before: str, force: bool, reason: str) -> None:
    ref = FileRef(DAY, "people.csv")
    attempt(Landing(DATA), ref, settings)
    if before != "unfinished":
        finish(ref, settings)
    if before == "config":
        settings = settings.model_copy(update={"chunk_tokens": 64})  # an output-shaping setting
    landing = Landing(DATA)
    decision, info = attempt(landing, ref, settings, force=force)
    assert (decision["process"], decision["sha256"], decision["bytes"]) == (True, None, None)
    assert decision["reason"] == reason or decision["reason"].endswith(f": {reason}")
    assert (landing.opens, landing.passes, landing.bytes_read) == (1, 1, 300_000)
    assert (info["rows_read"], manifest_of(ref, settings)["sha256"]) == (ROWS + 1, sha(DATA))


def test_reads_per_attempt_for_a_small_file_too(settings: Settings) -> None:
    """A file smaller than the head: the head read is the whole pass (and the end-of-file read returns nothing)."""
    ref, data = FileRef(DAY, "tiny.csv"), b"a,b\n1,2\n"
    landing = Landing(data)
    attempt(landing, ref, settings)
    assert landing.reads == [(0, 8)]


# ---------------------------------------------------------------- a file that is UTF-8 only in its head


def test_a_late_non_utf8_byte_reads_the_file_again_as_cp1252_and_keeps_no_row_of_the_first_try(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings.model_copy(update={"batch_rows": 50_000})
    written: list[int] = []
    write_table = pq.ParquetWriter.write_table
    monkeypatch.setattr(pq.ParquetWriter, "write_table", lambda self, table, *a, **k: written.append(table.num_rows) or write_table(self, table, *a, **k))
    ref, landing = FileRef(DAY, "late.csv"), Landing(LATE)
    _, info = attempt(landing, ref, settings)
    assert written == [50_000] * 3 + [50_000] * 5 + [12_145]  # 3 batches of the UTF-8 try, then the cp1252 read
    assert (info["status"], info["rows_read"], info["quarantined"]) == ("ok", 262_145, 0)
    manifest = manifest_of(ref, settings)
    assert (manifest["encoding"], manifest["landing_reads"], manifest["ingest_batches"]) == ("cp1252", 2, 6)
    assert manifest["read_warnings"] == [
        (
            "not UTF-8 after its first 262,144 bytes ('utf-8' codec can't decode byte 0xe9 in position 2097165: "
            "invalid continuation byte): read again as cp1252 (a second read of the file)"
        )
    ]
    assert (manifest["sha256"], manifest["bytes"]) == (sha(LATE), 2_097_167)
    assert (landing.passes, landing.bytes_read) == (2, 2 * 2_097_167)
    staged = pd.read_parquet(Layout(settings.data_dir, DAY).staging(ref.key))
    assert staged["_line"].tolist() == list(range(2, 262_147))  # each line once: nothing left from the first try
    assert staged.iloc[-1].tolist() == [262_146, "2", "café"] and set(staged["c1"][:-1]) == {"hello"}
    assert not [p.name for p in Layout(settings.data_dir, DAY).staging(ref.key).parent.iterdir() if p.name.startswith(".")]


def test_a_pipe_is_read_once_even_when_the_file_is_read_again(settings: Settings) -> None:
    """The second pass over a non-seekable source replays the local spool the first pass filled."""
    ref, landing = FileRef(DAY, "late.csv"), Landing(LATE, seekable=False)
    _, info = attempt(landing, ref, settings)
    manifest = manifest_of(ref, settings)
    assert (info["rows_read"], manifest["encoding"], manifest["landing_reads"]) == (262_145, "cp1252", 2)
    assert (landing.passes, landing.bytes_read) == (1, 2_097_167)


@pytest.mark.parametrize(("seekable", "source_passes"), [(True, 3), (False, 1)], ids=["seekable", "pipe"])
def test_a_late_byte_that_no_encoding_reads_quarantines_the_whole_file_with_its_bytes(settings: Settings, seekable: bool, source_passes: int) -> None:
    data = LATE[:-7] + b"2,\x81x\n"  # 0x81: not UTF-8, and undefined in cp1252
    ref, landing = FileRef(DAY, "late.csv"), Landing(data, seekable)
    _, info = attempt(landing, ref, settings)
    error = (
        "late.csv: cannot decode as cp1252: 'charmap' codec can't decode byte 0x81 in position 2097162: "
        "character maps to <undefined> — file quarantined; re-export it as UTF-8"
    )
    assert (info["status"], info["error"], info["rows_read"]) == ("quarantined", error, 0)
    lay = Layout(settings.data_dir, DAY)
    assert lay.quarantine_raw(ref.key).read_bytes() == data
    assert read_json(lay.quarantine_file(ref.key)) == {"source": f"{DAY}/late.csv", "reason": error, "sha256": sha(data)}
    assert not lay.staging(ref.key).exists() and not lay.quarantine_rows(ref.key).exists()
    # UTF-8 (stopped at the byte), cp1252 (stopped at the byte), then the copy to quarantine; a pipe's
    # later passes come from the local spool, so the source itself is read once
    assert (manifest_of(ref, settings)["landing_reads"], landing.passes) == (3, source_passes)
    assert landing.bytes_read == (len(data) * 3 if seekable else len(data))
    entry = Ledger.for_settings(settings).get(ref.source)
    assert (entry.outcome, entry.fingerprint.sha256) == ("quarantined", sha(data))


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "bad.csv: OLE2 (legacy .xls/.doc) data with a CSV name — file quarantined; decompress/convert it and drop it again"),
        (
            b"\x1f\x8b\x08\x00" + bytes(500),  # a gzip header, then no valid deflate data
            "bad.csv: gzip data is damaged (Error -3 while decompressing data: invalid stored block lengths) — file quarantined; drop the file again",
        ),
        (
            "a,b\n1,2\n".encode("utf-16") + b"x",  # half a UTF-16 character at the end
            (
                "bad.csv: cannot decode as utf-16: 'utf-16-le' codec can't decode byte 0x78 in position 18: truncated data"
                " — file quarantined; re-export it as UTF-8"
            ),
        ),
    ],
    ids=["binary", "damaged-gzip", "undecodable-in-the-head"],
)
@pytest.mark.parametrize("seekable", [True, False], ids=["seekable", "pipe"])
def test_a_file_quarantined_from_its_head_is_copied_without_a_second_read(settings: Settings, data: bytes, error: str, seekable: bool) -> None:
    ref, landing = FileRef(DAY, "bad.csv"), Landing(data, seekable)
    _, info = attempt(landing, ref, settings)
    assert (info["status"], info["error"]) == ("quarantined", error)
    assert Layout(settings.data_dir, DAY).quarantine_raw(ref.key).read_bytes() == data
    assert (landing.passes, landing.bytes_read, manifest_of(ref, settings)["landing_reads"]) == (1, len(data), 1)


# ---------------------------------------------------------------- the file changed between check and ingest


def test_a_file_replaced_after_check_is_recorded_with_the_hash_ingest_read(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    ref = FileRef(DAY, "people.csv")
    attempt(Landing(DATA), ref, settings)
    finish(ref, settings)
    checked = DATA.replace(b"name 00007", b"name 0000X")
    decision = decide(Landing(checked), ref, settings)
    assert decision["sha256"] == sha(checked)
    replaced = DATA.replace(b"name 00008", b"name 0000Y")  # what the landing zone holds when ingest runs
    with caplog.at_level(logging.WARNING, logger="headwater.ingest"):
        info = ingest_file(Landing(replaced).open("rb"), ref, settings, expected_sha256=decision["sha256"])
    manifest = manifest_of(ref, settings)
    assert (info["status"], manifest["sha256"], manifest["fingerprint"]["sha256"]) == ("ok", sha(replaced), sha(replaced))
    assert manifest["content_changed_after_check"] == {"check_sha256": sha(checked), "ingest_sha256": sha(replaced)}
    assert [r.getMessage() for r in caplog.records] == [
        (
            f"{DAY}/people.csv changed between check and ingest: check hashed sha256 {sha(checked)}, ingest read sha256 "
            f"{sha(replaced)} (300000 bytes); the bytes read by ingest are the ones processed and recorded"
        )
    ]
    staged = pd.read_parquet(Layout(settings.data_dir, DAY).staging(ref.key))
    assert staged.loc[staged["_line"] == 10, "c1"].tolist() == ["name 0000Y"]  # the outputs are those bytes
    entry = Ledger.for_settings(settings).get(ref.source)
    assert (entry.outcome, entry.fingerprint.sha256) == ("in_progress", sha(replaced))
    finish(ref, settings)
    # the next run: the bytes that were processed are unchanged; the ones check saw are a change
    assert decide(Landing(replaced), ref, settings)["process"] is False
    assert decide(Landing(checked), ref, settings)["reason"].endswith(": content")


def test_a_retried_ingest_of_a_replaced_file_records_the_same_outcome(settings: Settings) -> None:
    ref = FileRef(DAY, "people.csv")
    replaced = DATA.replace(b"name 00008", b"name 0000Y")
    first = ingest_file(replaced, ref, settings, expected_sha256=sha(DATA))
    once = manifest_of(ref, settings)
    assert ingest_file(replaced, ref, settings, expected_sha256=sha(DATA)) == first
    again = manifest_of(ref, settings)
    assert {k: v for k, v in again.items() if k != "stages"} == {k: v for k, v in once.items() if k != "stages"}
    assert again["content_changed_after_check"] == {"check_sha256": sha(DATA), "ingest_sha256": sha(replaced)}


def test_a_file_replaced_after_check_by_an_unreadable_one_is_quarantined_under_its_own_hash(settings: Settings) -> None:
    ref = FileRef(DAY, "people.csv")
    gz = b"\x1f\x8b\x08\x00" + bytes(100)
    info = ingest_file(gz, ref, settings, expected_sha256=sha(DATA))
    assert info["status"] == "quarantined"
    manifest = manifest_of(ref, settings)
    assert manifest["content_changed_after_check"] == {"check_sha256": sha(DATA), "ingest_sha256": sha(gz)}
    assert json.loads(Layout(settings.data_dir, DAY).quarantine_file(ref.key).read_text())["sha256"] == sha(gz)
    assert Ledger.for_settings(settings).get(ref.source).fingerprint.sha256 == sha(gz)


def test_the_hash_check_handed_over_is_verified_not_trusted(settings: Settings) -> None:
    """A matching hash leaves no mark; the manifest hash is always computed from the bytes read."""
    ref = FileRef(DAY, "people.csv")
    ingest_file(DATA, ref, settings, expected_sha256=sha(DATA))
    manifest = manifest_of(ref, settings)
    assert manifest["sha256"] == sha(DATA) and "content_changed_after_check" not in manifest


# ---------------------------------------------------------------- compressed drops and zip members (issue 9, item 21)


def _zip(*members: tuple[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "pack", "compression"),
    [
        ("people.csv.gz", lambda d: gzip.compress(d, mtime=0), "gzip"),
        ("people.csv.bz2", bz2.compress, "bzip2"),
        ("people.csv.zst", lambda d: zstandard.ZstdCompressor().compress(d), "zstd"),
        ("people.csv.xz", lzma.compress, "xz"),
    ],
    ids=["gz", "bz2", "zst", "xz"],
)
@pytest.mark.parametrize("seekable", [True, False], ids=["seekable", "pipe"])
def test_a_compressed_file_is_read_once_and_recorded_under_the_hash_of_its_stored_bytes(
    settings: Settings, name: str, pack, compression: str, seekable: bool  # noqa: ANN001
) -> None:
    stored = pack(DATA)
    ref, landing = FileRef(DAY, name), Landing(stored, seekable)
    decision, info = attempt(landing, ref, settings)
    assert (decision["reason"], landing.opens, landing.passes, landing.bytes_read) == ("new file", 1, 1, len(stored))
    assert (info["status"], info["rows_read"], info["quarantined"]) == ("ok", ROWS + 1, 1)  # as the plain file
    manifest = manifest_of(ref, settings)
    assert (manifest["sha256"], manifest["bytes"], manifest["compression"], manifest["landing_reads"]) == (sha(stored), len(stored), compression, 1)
    assert manifest["read_warnings"] == []
    plain = FileRef(DAY, "people.csv")
    ingest_file(DATA, plain, settings)
    lay = Layout(settings.data_dir, DAY)
    assert pd.read_parquet(lay.staging(ref.key)).equals(pd.read_parquet(lay.staging(plain.key)))
    # the ledger's "unchanged" compares the stored bytes: the next run hashes them in check and skips
    finish(ref, settings)
    again = Landing(stored, seekable)
    decision, info = attempt(again, ref, settings)
    assert (decision["process"], decision["sha256"], info, again.passes) == (False, sha(stored), None, 1)


def test_names_and_bytes_that_disagree_are_read_as_the_bytes_are_with_a_warning(settings: Settings) -> None:
    ingest_file(b"id\n1\n", FileRef(DAY, "plain.csv.gz"), settings)
    ingest_file(gzip.compress(b"id\n1\n"), FileRef(DAY, "packed.csv"), settings)
    named = manifest_of(FileRef(DAY, "plain.csv.gz"), settings)
    packed = manifest_of(FileRef(DAY, "packed.csv"), settings)
    assert (named["status"], named["compression"], named["read_warnings"]) == ("ok", None, ["named as gzip but the bytes are not compressed: read as they are"])
    assert (packed["status"], packed["compression"], packed["read_warnings"]) == ("ok", "gzip", ["gzip data under an uncompressed name: decompressed"])


def test_a_decompression_bomb_is_quarantined_with_its_stored_bytes(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams, "RATIO_GRACE", 1 << 20)
    bomb = gzip.compress(b"a\n" + (b"0" * 999 + b"\n") * 2048)
    ref, landing = FileRef(DAY, "bomb.csv.gz"), Landing(bomb)
    _, info = attempt(landing, ref, settings)
    assert (info["status"], info["rows_read"]) == ("quarantined", 0)
    assert info["error"] == (
        f"bomb.csv.gz: gzip data expands more than read.max_compression_ratio=200 times ({(256 << 10) + (1 << 20):,} bytes from "
        f"{len(bomb):,}: a decompression bomb?) — file quarantined; raise the limit in its source config if the file is genuine"
    )
    lay = Layout(settings.data_dir, DAY)
    assert lay.quarantine_raw(ref.key).read_bytes() == bomb and not lay.staging(ref.key).exists()
    assert (landing.passes, manifest_of(ref, settings)["compression"]) == (1, "gzip")
    entry = Ledger.for_settings(settings).get(ref.source)
    assert (entry.outcome, entry.fingerprint.sha256) == ("quarantined", sha(bomb))


def test_each_zip_member_is_its_own_record_hashed_as_stored(settings: Settings) -> None:
    part_1, part_2 = b"id,name\n1,Ann\n2,Bob\n", b"id,name\n3,Cy\n"
    archive = _zip(("part-1.csv", part_1), ("data/part-2.csv", part_2), ("readme.pdf", b"%PDF-1.7"))
    lay = Layout(settings.data_dir, DAY)
    infos = {}
    for member in ("part-1.csv", "data/part-2.csv"):
        ref = FileRef(DAY, f"orders.zip/{member}")
        decision, infos[member] = attempt(Landing(archive), ref, settings)
        assert decision["reason"] == "new file"
        finish(ref, settings)
    assert [(i["source"], i["rows_read"]) for i in infos.values()] == [(f"{DAY}/orders.zip/part-1.csv", 2), (f"{DAY}/orders.zip/data/part-2.csv", 1)]
    one, two = FileRef(DAY, "orders.zip/part-1.csv"), FileRef(DAY, "orders.zip/data/part-2.csv")
    assert (one.key, two.key) == ("orders.zip_part-1~6fbdab7b.csv", "orders.zip_data_part-2~a8ffda4a.csv")
    assert pd.read_parquet(lay.staging(two.key))["c1"].tolist() == ["Cy"]
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        info = zf.getinfo("data/part-2.csv")
    stored = archive[info.header_offset + 30 + len(info.filename) :][: info.compress_size]
    assert (manifest_of(two, settings)["sha256"], manifest_of(two, settings)["compression"]) == (sha(stored), "zip member (deflate)")
    # the archive is dropped again with part-2 changed: part-1 is unchanged (its stored bytes are), part-2 is processed
    changed = _zip(("part-1.csv", part_1), ("data/part-2.csv", b"id,name\n3,Cyd\n"), ("readme.pdf", b"%PDF-1.7"))
    assert attempt(Landing(changed), one, settings)[0]["process"] is False
    decision, info = attempt(Landing(changed), two, settings)
    assert (decision["reason"].endswith(": content"), info["rows_read"]) == (True, 1)
    with pytest.raises(FileNotFoundError, match="the zip archive has no member 'gone.csv'"):
        ingest_file(archive, FileRef(DAY, "orders.zip/gone.csv"), settings)


def test_a_compressed_drop_gets_the_source_config_of_its_table(tmp_path: Path) -> None:
    """customers*.csv matches customers_eu.csv.gz and a customers_eu.csv zip member: the same curated rows as the plain file."""
    from headwater.clean.stage import clean as clean_file

    plain = (SAMPLE / "customers_eu.csv").read_bytes()
    results = {}
    for i, (name, data) in enumerate([
        ("customers_eu.csv", plain), ("customers_eu.csv.gz", gzip.compress(plain)),
        ("eu.zip/customers_eu.csv", _zip(("customers_eu.csv", plain))),
    ]):
        settings = Settings(home=tmp_path / str(i), landing_uri=SAMPLE.parent.as_uri())  # a home each: no cross-file duplicates
        ref = FileRef(DAY, name)
        ingest_file(data, ref, settings)
        info = clean_file(ref, settings)
        results[name] = (info["rows_read"], info["curated"], info["duplicates"], manifest_of(ref, settings)["source_config"]["name"])
    assert set(results.values()) == {(6, 5, 1, "customers")}


@pytest.mark.parametrize(
    ("method", "flags", "error"),
    [
        (zipfile.ZIP_LZMA, 0, "orders.zip/a.csv: zip member 'a.csv' is compressed with LZMA, which Headwater does not read — file quarantined; zip it again with deflate"),
        (zipfile.ZIP_STORED, 0x1, "orders.zip/a.csv: zip member 'a.csv' is encrypted — file quarantined; drop it unencrypted: Headwater reads no password-protected archive"),
    ],
    ids=["lzma", "encrypted"],
)
def test_a_member_that_cannot_be_decoded_is_quarantined_with_its_stored_bytes(settings: Settings, method: int, flags: int, error: str) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        zf.writestr(zipfile.ZipInfo("a.csv", date_time=(2026, 1, 1, 0, 0, 0)), b"id\n1\n", compress_type=method)
    archive = bytearray(buf.getvalue())
    if flags:  # the encryption bit, in the local header (offset 6) and the central directory entry (offset 8)
        archive[6] |= flags
        central = archive.index(b"PK\x01\x02")
        archive[central + 8] |= flags
    archive = bytes(archive)
    ref, landing = FileRef(DAY, "orders.zip/a.csv"), Landing(archive)
    _, info = attempt(landing, ref, settings)
    assert (info["status"], info["error"]) == ("quarantined", error)
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        member = zf.getinfo("a.csv")
    stored = archive[member.header_offset + 30 + len("a.csv") :][: member.compress_size]
    assert Layout(settings.data_dir, DAY).quarantine_raw(ref.key).read_bytes() == stored
    assert Ledger.for_settings(settings).get(ref.source).fingerprint.sha256 == sha(stored)
