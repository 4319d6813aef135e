"""Compressed landing data read block by block inside the one pass: gzip, bzip2, zstd, xz, zip (issue 9, item 21).

Every case reads through LandingStream (what ingest does): the plain rows come out, the hash is the
hash of the bytes as stored, and damaged, truncated or exploding data is UnreadableFile with a reason.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import struct
import zipfile
import zlib

import pytest
import zstandard

from headwater.config.read import ReadOptions
from headwater.ingest import compression, streams
from headwater.ingest.compression import ZipMember, detect, open_member, undecided
from headwater.ingest.csv_file import parse_csv
from headwater.ingest.streams import LandingStream, UnreadableFile

TABLE = b"id,name\n1,Ann\n2,Bob\n"
ROWS = [["1", "Ann"], ["2", "Bob"]]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def zip_of(*members: tuple[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buf.getvalue()


class _Sink(io.RawIOBase):
    """A non-seekable file to write to: zipfile then streams each member with a data descriptor (flag bit 3)."""

    def __init__(self) -> None:
        self.data = io.BytesIO()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # noqa: ANN001
        return self.data.write(b)


def streamed_zip(*members: tuple[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", method) as zf:
        for name, data in members:
            with zf.open(name, "w") as fh:
                fh.write(data)
    return sink.data.getvalue()


def handmade_zip(name: str, method: int, payload: bytes, plain: bytes, flags: int = 0) -> bytes:
    """One member written by hand (APPNOTE 4.3.7, 4.3.12, 4.3.16), for methods and flags zipfile does not write."""
    crc, raw_name = zlib.crc32(plain), name.encode()
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, 0, 0x5C21, crc, len(payload), len(plain), len(raw_name), 0)
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, method, 0, 0x5C21, crc, len(payload), len(plain),
        len(raw_name), 0, 0, 0, 0, 0, 0,
    )
    body = local + raw_name + payload
    directory = central + raw_name
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(body), 0)
    return body + directory + end


def read(data: bytes, options: ReadOptions | None = None) -> tuple[list[list[str]], LandingStream]:
    stream = LandingStream.for_options(data, options or ReadOptions())
    return parse_csv(stream, "x.csv", options).records, stream


# ---------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (gzip.compress(b"x")[:10], "gzip"),
        (bz2.compress(b"x")[:10], "bzip2"),
        (bz2.compress(b"")[:10], "bzip2"),  # an empty stream: "BZh9" and the end-of-stream magic
        (zstandard.ZstdCompressor().compress(b"x")[:10], "zstd"),
        (lzma.compress(b"x")[:10], "xz"),
        (zip_of(("a.csv", b"x"))[:10], "zip"),
        (zip_of()[:10], "zip"),  # an empty archive: only its end record
        (b"BZh9,name\n", None),  # a header that starts like bzip2 is text
        (b"id,name\n1,", None),
        (b"\x04\x22\x4d\x18" + bytes(6), None),  # lz4: not read here, the reader quarantines it by name
    ],
)
def test_the_format_is_told_by_its_magic_number(head: bytes, kind: str | None) -> None:
    assert detect(head) == kind


def test_detection_reads_more_only_while_the_first_bytes_could_start_a_magic_number() -> None:
    assert undecided(b"BZh9") and undecided(b"\x1f") and undecided(b"PK") and undecided(b"")
    assert not undecided(b"id,na") and not undecided(b"BZh9,name\n")


# ---------------------------------------------------------------- each format, read in the one pass


@pytest.mark.parametrize(
    ("stored", "kind"),
    [
        (gzip.compress(TABLE, mtime=0), "gzip"),
        (gzip.compress(TABLE[:8], mtime=0) + gzip.compress(TABLE[8:], mtime=0), "gzip"),  # two members (RFC 1952 2.2)
        (gzip.compress(TABLE, mtime=0) + bytes(16), "gzip"),  # zero padding after the member (tape-style)
        (bz2.compress(TABLE), "bzip2"),
        (bz2.compress(TABLE[:8]) + bz2.compress(TABLE[8:]), "bzip2"),  # two streams (pbzip2)
        (zstandard.ZstdCompressor().compress(TABLE), "zstd"),
        (zstandard.ZstdCompressor().compress(TABLE[:8]) + zstandard.ZstdCompressor().compress(TABLE[8:]), "zstd"),  # two frames
        (lzma.compress(TABLE), "xz"),
        (zip_of(("orders.csv", TABLE)), "zip (deflate)"),
        (zip_of(("orders.csv", TABLE), method=zipfile.ZIP_STORED), "zip (stored)"),
        (zip_of(("orders.csv", TABLE), method=zipfile.ZIP_BZIP2), "zip (bzip2)"),
        (zip_of(("data/", b""), ("data/orders.csv", TABLE)), "zip (deflate)"),  # a zip holding a folder
        (streamed_zip(("orders.csv", TABLE)), "zip (deflate)"),  # sizes in a data descriptor after the data
        (streamed_zip(("orders.csv", TABLE), method=zipfile.ZIP_BZIP2), "zip (bzip2)"),
        (handmade_zip("orders.csv", 93, zstandard.ZstdCompressor().compress(TABLE), TABLE), "zip (zstd)"),
    ],
    ids=[
        "gzip", "gzip-members", "gzip-padding", "bzip2", "bzip2-streams", "zstd", "zstd-frames", "xz", "zip-deflate",
        "zip-stored", "zip-bzip2", "zip-folder", "zip-streamed", "zip-streamed-bzip2", "zip-zstd",
    ],
)
@pytest.mark.parametrize("block", [streams.READ_BLOCK, 7], ids=["1MiB", "7B"])
def test_compressed_bytes_under_a_csv_name_are_read_in_one_pass(stored: bytes, kind: str, block: int, monkeypatch) -> None:
    monkeypatch.setattr(streams, "READ_BLOCK", block)
    monkeypatch.setattr(compression, "RAW_BLOCK", min(block, compression.RAW_BLOCK))
    records, stream = read(stored)
    assert records == ROWS
    assert stream.compression == kind
    assert stream.digest() == (sha(stored), len(stored))  # the hash of the bytes as stored
    assert (stream.passes, stream.source_bytes) == (1, len(stored))


def test_a_tsv_gz_keeps_its_tab_delimiter() -> None:
    parsed = parse_csv(gzip.compress(b"id\tname\n1\tAnn, Lee\n"), "x.tsv.gz")
    assert (parsed.delimiter, parsed.records) == ("\t", [["1", "Ann, Lee"]])


@pytest.mark.parametrize(
    ("stored", "records"),
    [(gzip.compress(b"id,name\n"), []), (bz2.compress(b"id,name\n"), []), (zip_of(("a.csv", b"id,name\n")), [])],
    ids=["gzip", "bzip2", "zip"],
)
def test_a_compressed_header_only_file_has_no_record(stored: bytes, records: list) -> None:
    assert read(stored)[0] == records


@pytest.mark.parametrize("stored", [b"", gzip.compress(b""), zstandard.ZstdCompressor().compress(b"")], ids=["0-bytes", "gzip-of-nothing", "zstd-of-nothing"])
def test_an_empty_gz_reads_like_an_empty_file(stored: bytes) -> None:
    """Issue 9 item 10: no content is outcome ``empty`` (no header, no record), compressed or not."""
    assert read(stored)[0] == []


def test_a_file_read_again_with_its_fallback_encoding_is_decompressed_again(monkeypatch) -> None:
    """UTF-8 as far as the head shows, cp1252 later: the second pass decompresses from the first stored byte."""
    table = b"id,text\n" + b"1,hello\n" * 40_000 + "2,café\n".encode("cp1252")
    stored = gzip.compress(table)
    stream = LandingStream(stored)
    parsed = parse_csv(stream, "x.csv")
    assert (parsed.encoding, parsed.records[-1], len(parsed.records)) == ("cp1252", ["2", "café"], 40_001)
    assert (stream.passes, stream.digest()) == (2, (sha(stored), len(stored)))


def test_the_stored_bytes_are_copied_for_quarantine_without_a_second_pass() -> None:
    stored = gzip.compress(b"<!DOCTYPE html><html><body>502</body></html>")
    stream = LandingStream(stored)
    with pytest.raises(UnreadableFile, match="an HTML page with a CSV name"):
        parse_csv(stream, "x.csv")
    out = io.BytesIO()
    stream.copy_stored(out)
    assert (out.getvalue(), stream.passes, stream.digest()) == (stored, 1, (sha(stored), len(stored)))
    assert stream.read() == b""


def test_a_failing_source_is_an_error_not_damaged_data() -> None:
    class Flaky(io.RawIOBase):
        def __init__(self) -> None:
            self._data = io.BytesIO(gzip.compress(b"".join(b"%d,name %d\n" % (i, i * 7919 % 10007) for i in range(20_000))))

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # noqa: ANN001
            if self._data.tell() > 100:
                raise ConnectionResetError("the object store closed the connection")
            return self._data.readinto(memoryview(buffer)[:50])

    with pytest.raises(ConnectionResetError, match="closed the connection"):
        parse_csv(LandingStream(Flaky()), "x.csv")


# ---------------------------------------------------------------- damaged, truncated, unsupported


DAMAGED = "— file quarantined; drop the file again"


@pytest.mark.parametrize(
    ("stored", "reason"),
    [
        (gzip.compress(TABLE * 50)[:-8], f"gzip data is damaged (Compressed file ended before the end-of-stream marker was reached) {DAMAGED}"),
        (gzip.compress(TABLE)[:-4] + b"\0\0\0\0", f"gzip data is damaged (Incorrect length of data produced) {DAMAGED}"),
        (gzip.compress(TABLE) + b"trailing", f"gzip data is damaged (Not a gzipped file (b'tr')) {DAMAGED}"),
        (bz2.compress(TABLE * 50)[:-10], f"bzip2 data is damaged (Compressed file ended before the end-of-stream marker was reached) {DAMAGED}"),
        (lzma.compress(TABLE * 50)[:-10], f"xz data is damaged (Compressed file ended before the end-of-stream marker was reached) {DAMAGED}"),
        (zstandard.ZstdCompressor().compress(TABLE * 50)[:-5], f"zstd data ends inside a frame (truncated) {DAMAGED}"),
        # 60 bytes: the 35-byte local header, then 25 of the member's 31 compressed bytes
        (zip_of(("a.csv", TABLE * 50))[:60], f"zip member 'a.csv': the data ends 6 bytes before the member does (truncated) {DAMAGED}"),
        (streamed_zip(("a.csv", TABLE * 50))[:60], f"zip member 'a.csv': the data ends before the stream's end marker (truncated) {DAMAGED}"),
        (zip_of(("a.csv", TABLE), method=zipfile.ZIP_STORED).replace(b"1,Ann", b"1,Amy", 1),
         f"zip member 'a.csv': CRC-32 {zlib.crc32(TABLE.replace(b'Ann', b'Amy')):08x} and size 20 do not match the archive's "
         f"{zlib.crc32(TABLE):08x} and 20 (a damaged archive) {DAMAGED}"),
        (b"PK\x03\x04" + bytes(10), f"zip archive ends inside a local file header (truncated) {DAMAGED}"),
        (zip_of(("a.csv", TABLE), ("b.csv", TABLE)),
         "a zip archive with more than one file under a table's name — file quarantined; rename it to .zip: each table in it is then read as its own file"),
        (zip_of(), "a zip archive without any file — file quarantined; drop the table itself"),
        (zip_of(("report.pdf", b"%PDF-1.7")),
         "a zip archive whose file 'report.pdf' is not read: zip member that is not a CSV (.pdf) — file quarantined; export the table as CSV"),
        (zip_of(("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")),
         "an Office document (.xlsx, .docx, .pptx: a zip archive) with a CSV name — file quarantined; export the sheet as CSV"),
        (zip_of(("a.csv", TABLE), method=zipfile.ZIP_LZMA),
         "zip member 'a.csv' is compressed with LZMA, which Headwater does not read — file quarantined; zip it again with deflate"),
        (handmade_zip("a.csv", 0, TABLE, TABLE, flags=0x1),
         "zip member 'a.csv' is encrypted — file quarantined; drop it unencrypted: Headwater reads no password-protected archive"),
        (streamed_zip(("a.csv", TABLE), method=zipfile.ZIP_STORED),
         "zip member 'a.csv' is stored uncompressed with its size after its data, which cannot be read as a stream — file quarantined; "
         "drop the archive under a .zip name (its central directory gives the size), or zip it again"),
        (gzip.compress(gzip.compress(TABLE)), "gzip data with a CSV name — file quarantined; decompress/convert it and drop it again"),
    ],
    ids=[
        "gzip-truncated", "gzip-wrong-size", "gzip-trailing-garbage", "bzip2-truncated", "xz-truncated", "zstd-truncated",
        "zip-truncated", "zip-streamed-truncated", "zip-crc", "zip-header-cut", "zip-two-files", "zip-empty", "zip-pdf", "xlsx", "zip-lzma",
        "zip-encrypted", "zip-streamed-stored", "compressed-twice",
    ],
)
def test_damaged_truncated_or_unsupported_data_is_unreadable_with_a_reason(stored: bytes, reason: str) -> None:
    with pytest.raises(UnreadableFile) as caught:
        read(stored)
    assert str(caught.value) == reason


# ---------------------------------------------------------------- decompression bombs


# 2 MiB of 1,000-character rows in about 2 KiB: a ratio near 1,000
BOMB_TABLE = b"a\n" + (b"0" * 999 + b"\n") * 2048


@pytest.fixture
def grace(monkeypatch) -> int:
    """The ratio is checked past 1 MiB here (16 MiB in production), so the bombs stay small."""
    monkeypatch.setattr(streams, "RATIO_GRACE", 1 << 20)
    return 1 << 20


def test_a_decompression_bomb_is_stopped_by_the_ratio_cap_with_bounded_memory(grace, monkeypatch) -> None:
    bomb = gzip.compress(BOMB_TABLE)
    reads: list[int] = []
    real = LandingStream._decode

    def spy(self, n):  # noqa: ANN001
        block = real(self, n)
        reads.append(len(block))
        return block

    monkeypatch.setattr(LandingStream, "_decode", spy)
    with pytest.raises(UnreadableFile) as caught:
        read(bomb)
    # checked once past the grace: the 256 KiB head and one block of 1 MiB were decompressed, from the whole file
    assert str(caught.value) == (
        f"gzip data expands more than read.max_compression_ratio=200 times ({(256 << 10) + (1 << 20):,} bytes from {len(bomb):,}: "
        "a decompression bomb?) — file quarantined; raise the limit in its source config if the file is genuine"
    )
    assert max(reads) <= streams.READ_BLOCK  # never more than a block of plain bytes at a time
    # the same file is read with a higher cap (a genuine, very repetitive table)
    records, stream = read(bomb, ReadOptions(max_compression_ratio=5000))
    assert (len(records), stream.compression) == (2048, "gzip")


@pytest.mark.parametrize(
    ("stored", "kind"),
    [(zip_of(("bomb.csv", BOMB_TABLE)), "zip \\(deflate\\)"), (zstandard.ZstdCompressor().compress(BOMB_TABLE), "zstd"),
     (bz2.compress(BOMB_TABLE), "bzip2"), (lzma.compress(BOMB_TABLE), "xz")],
    ids=["zip", "zstd", "bzip2", "xz"],
)
def test_every_format_stops_at_the_ratio_cap(grace, stored: bytes, kind: str) -> None:
    with pytest.raises(UnreadableFile, match=f"^{kind} data expands more than read.max_compression_ratio=200 times"):
        read(stored)


def test_the_size_cap() -> None:
    table = b"id,name\n" + b"1,Ann\n2,Bob\n" * 100  # 1,208 bytes
    with pytest.raises(UnreadableFile) as caught:
        read(gzip.compress(table), ReadOptions(max_decompressed_bytes=1207))
    assert str(caught.value) == (
        "gzip data decompresses to more than read.max_decompressed_bytes=1,207 bytes — file quarantined; "
        "split the file, or raise the limit in its source config"
    )
    assert read(gzip.compress(table), ReadOptions(max_decompressed_bytes=1208))[0] == ROWS * 100


def test_a_zstd_call_never_yields_more_than_its_feed_allows() -> None:
    """1 KiB of zstd run-length blocks (the largest expansion) is at most 32 MiB of output: the feed bounds one call's memory."""
    zeros = zstandard.ZstdCompressor(level=1).compress(bytes(256 << 20))
    d = zstandard.ZstdDecompressor().decompressobj()
    assert max(len(d.decompress(zeros[i : i + compression.ZSTD_FEED])) for i in range(0, len(zeros), compression.ZSTD_FEED)) == 32 << 20


# ---------------------------------------------------------------- members of a .zip landing file


def test_a_member_is_found_through_the_central_directory_and_hashed_as_stored() -> None:
    archive = zip_of(("part-1.csv", TABLE), ("data/part-2.csv", b"id\n9\n"), ("readme.pdf", b"%PDF"))
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        info = zf.getinfo("data/part-2.csv")
    source = io.BytesIO(archive)
    data, member = open_member(source, "data/part-2.csv")
    assert member == ZipMember("data/part-2.csv", 8, 0, info.compress_size, 5, zlib.crc32(b"id\n9\n"))
    stored = data.read()
    assert stored == archive[info.header_offset + 30 + len("data/part-2.csv") :][: info.compress_size]
    data.seek(0)
    stream = LandingStream(data, member=member)
    assert parse_csv(stream, "orders.zip/data/part-2.csv").records == [["9"]]
    assert (stream.compression, stream.digest(), stream.passes) == ("zip member (deflate)", (sha(stored), len(stored)), 1)
    with pytest.raises(FileNotFoundError, match="the zip archive has no member 'gone.csv'"):
        open_member(io.BytesIO(archive), "gone.csv")


def test_a_streamed_archive_member_uses_the_central_directory_sizes() -> None:
    archive = streamed_zip(("a.csv", TABLE), ("b.csv", b"id\n2\n"), method=zipfile.ZIP_STORED)
    data, member = open_member(io.BytesIO(archive), "b.csv")
    assert (member.flags & 0x8, member.compressed_size) == (0x8, 5)
    assert parse_csv(LandingStream(data, member=member), "b.csv").records == [["2"]]
