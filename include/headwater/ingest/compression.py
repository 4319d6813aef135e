"""Compressed landing data, decoded block by block: gzip, bzip2, zstd, xz, and members of zip archives.

A decoder pulls compressed bytes from a ``raw(n)`` function (``streams.LandingStream`` hands out
the landing file's bytes as stored, hashing them as they go by) and gives at most ``n`` plain bytes
per ``read(n)``, so memory stays bounded whatever the compression ratio. Formats and their specs:

* gzip, RFC 1952 (every member of a multi-member file): ``gzip.GzipFile``, which checks each
  member's CRC-32 and size;
* bzip2 (every stream): ``bz2.BZ2File``; xz: ``lzma.LZMAFile``;
* zstd, RFC 8878 (every frame): the ``zstandard`` package's ``decompressobj``, fed 1 KiB at a time
  (one call then yields at most 32 MiB, the largest expansion of 1 KiB of zstd blocks); a file that
  ends inside a frame is an error (the package's stream reader would return the truncated data);
* zip, PKWARE APPNOTE.TXT 4.3 (local file header 4.3.7, data descriptor 4.3.9, zip64 4.5.3): a
  member's data stored, deflated (RFC 1951, ``zlib``), bzip2 or zstd compressed, checked against
  its CRC-32 and size. ``open_member`` finds a member of a ``.zip`` landing file through the central
  directory (``zipfile``); ``detect`` -> ``"zip"`` reads a zip archive dropped under a table's name
  from its local headers, in one sequential pass: it must hold exactly one file.

Damaged, truncated or unsupported data raises DecompressError; an error of the source itself
(a network read) is not caught here.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, Protocol

import zstandard

from headwater.discovery import member_skip_reason

DETECT_BYTES = 10  # the longest magic number checked (bzip2: "BZh" + level + block magic)
RAW_BLOCK = 64 << 10  # compressed bytes pulled from the source at a time by the zstd and zip decoders
ZSTD_FEED = 1 << 10  # compressed bytes per zstd decompress call (bounds one call's output, see the module docstring)

_LOCAL_HEADER = b"PK\x03\x04"
_CENTRAL_HEADER = b"PK\x01\x02"
_END_OF_DIRECTORY = b"PK\x05\x06"
_DESCRIPTOR = b"PK\x07\x08"
_ZIP64_EXTRA = 0x0001
_FLAG_ENCRYPTED, _FLAG_DESCRIPTOR, _FLAG_UTF8 = 0x1, 0x8, 0x800
ZIP_METHODS = {0: "stored", 8: "deflate", 12: "bzip2", 93: "zstd"}
_UNSUPPORTED_METHODS = {9: "deflate64", 14: "LZMA", 95: "xz", 96: "JPEG", 97: "WavPack", 98: "PPMd", 99: "AES-encrypted"}


class DecompressError(Exception):
    """The compressed data is damaged, truncated, encrypted or in a form Headwater does not read.

    The message says which; ``advice`` what to do about it (``drop the file again`` by default).
    """

    def __init__(self, message: str, advice: str = "drop the file again") -> None:
        super().__init__(message)
        self.advice = advice


class Reader(Protocol):
    def read(self, n: int = -1) -> bytes: ...


_MAGIC_PREFIXES = (b"\x1f\x8b", b"BZh", b"\x28\xb5\x2f\xfd", b"\xfd7zXZ\x00", _LOCAL_HEADER, _END_OF_DIRECTORY)


def undecided(head: bytes) -> bool:
    """Whether ``detect`` needs more bytes than ``head`` (the file's first bytes) to decide: it may still be a magic number."""
    return len(head) < DETECT_BYTES and any(m.startswith(head) or head.startswith(m) for m in _MAGIC_PREFIXES)


def detect(head: bytes) -> str | None:
    """The compressed format ``head`` (the first DETECT_BYTES bytes of a file) starts with, by magic number.

    ``gzip`` (1f 8b, RFC 1952), ``bzip2`` (``BZh`` + level 1-9 + a block or end-of-stream magic),
    ``zstd`` (28 b5 2f fd, RFC 8878), ``xz`` (fd ``7zXZ`` 00), ``zip`` (a local file header or an
    empty archive's end record); None for anything else (text, or a binary format the reader rejects).
    """
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head[:3] == b"BZh" and head[3:4] in b"123456789" and len(head) >= 4 and head[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):
        return "bzip2"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith((_LOCAL_HEADER, _END_OF_DIRECTORY)):
        return "zip"
    return None


class Source:
    """The compressed bytes as a decoder pulls them: ``raw(n)`` with read-back of what a stream did not use."""

    def __init__(self, raw: Callable[[int], bytes]) -> None:
        self._raw = raw
        self._back = b""

    def read(self, n: int = -1) -> bytes:
        if n < 0:
            n = RAW_BLOCK
        if self._back:
            out, self._back = self._back[:n], self._back[n:]
            return out
        return self._raw(n)

    def exact(self, n: int) -> bytes:
        """``n`` bytes, or fewer only at the end of the data."""
        out = b""
        while len(out) < n:
            block = self.read(n - len(out))
            if not block:
                break
            out += block
        return out

    def unread(self, data: bytes) -> None:
        """Hand back bytes read past the end of a compressed stream: the next read returns them first."""
        self._back = data + self._back


class _Limited:
    """The next ``size`` bytes of ``src`` (a zip member's data); the data ending sooner is truncation."""

    def __init__(self, src: Source, size: int, what: str) -> None:
        self._src, self._left, self._what = src, size, what

    def read(self, n: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        out = self._src.read(self._left if n < 0 else min(n, self._left))
        if not out:
            raise DecompressError(f"{self._what}: the data ends {self._left:,} bytes before the member does (truncated)")
        self._left -= len(out)
        return out

    def unread(self, data: bytes) -> None:
        self._src.unread(data)
        self._left += len(data)


class _Single:
    """One compressed stream that marks its own end (raw deflate, bzip2): what follows it is handed back to ``src``.

    ``decompressor`` is a ``zlib.decompressobj``/``bz2.BZ2Decompressor``: ``decompress(data, max_length)``,
    ``eof`` and ``unused_data`` (zlib keeps the input it did not consume in ``unconsumed_tail``, bz2 inside).
    """

    def __init__(self, src: Source | _Limited, decompressor, what: str) -> None:  # noqa: ANN001 - zlib and bz2 objects share no type
        self._src, self._d, self._what = src, decompressor, what
        self._tail = b""
        self._ended = False

    def read(self, n: int = -1) -> bytes:
        n = RAW_BLOCK if n < 0 else n
        while not self._ended:
            if self._d.eof:
                self._src.unread(self._d.unused_data + self._tail)
                self._ended = True
                break
            if self._tail:
                data, self._tail = self._tail, b""
            elif getattr(self._d, "needs_input", True):
                data = self._src.read(RAW_BLOCK)
                if not data:
                    raise DecompressError(f"{self._what}: the data ends before the stream's end marker (truncated)")
            else:
                data = b""
            out = self._d.decompress(data, n)
            self._tail = getattr(self._d, "unconsumed_tail", b"")
            if out:
                return out
        return b""


class _Zstd:
    """Zstandard frames (RFC 8878), every frame to the end of the data, or only the first (``one_frame``: a zip member)."""

    def __init__(self, src: Source | _Limited, one_frame: bool = False) -> None:
        self._src, self._one = src, one_frame
        self._d = None
        self._in = b""
        self._out = bytearray()
        self._done = False

    def read(self, n: int = -1) -> bytes:
        n = RAW_BLOCK if n < 0 else n
        while not self._out and not self._done:
            self._step()
        out = bytes(self._out[:n])
        del self._out[:n]
        return out

    def _step(self) -> None:
        if not self._in:
            self._in = self._src.read(RAW_BLOCK)
            if not self._in:
                if self._d is not None:
                    raise DecompressError("zstd data ends inside a frame (truncated)")
                self._done = True
                return
        if self._d is None:
            self._d = zstandard.ZstdDecompressor().decompressobj()
        piece, self._in = self._in[:ZSTD_FEED], self._in[ZSTD_FEED:]
        self._out += self._d.decompress(piece)
        if self._d.eof:
            self._in = self._d.unused_data + self._in
            self._d = None
            if self._one:
                self._src.unread(self._in)
                self._in = b""
                self._done = True


@dataclass(frozen=True)
class ZipMember:
    """What a zip archive says about one member (APPNOTE 4.3.7/4.3.12); sizes and CRC None when the
    local header defers them to a data descriptor after the data (general purpose flag bit 3)."""

    name: str
    method: int
    flags: int
    compressed_size: int | None
    size: int | None
    crc: int | None
    zip64: bool = False

    @property
    def compression(self) -> str:
        return ZIP_METHODS.get(self.method, _UNSUPPORTED_METHODS.get(self.method, f"method {self.method}"))


class _Member:
    """One zip member's plain bytes: decoded by its method, CRC-32 and size checked once its data ends.

    ``src`` starts at the member's data. ``descriptor``: a data descriptor (APPNOTE 4.3.9) follows the
    data and carries the CRC and sizes (a streamed archive read from its local headers).
    """

    def __init__(self, src: Source, member: ZipMember, descriptor: bool) -> None:
        self.member, self._src, self._descriptor = member, src, descriptor
        what = f"zip member {member.name!r}"
        if member.flags & _FLAG_ENCRYPTED:
            raise DecompressError(f"{what} is encrypted", "drop it unencrypted: Headwater reads no password-protected archive")
        if member.method not in ZIP_METHODS:
            raise DecompressError(f"{what} is compressed with {member.compression}, which Headwater does not read", "zip it again with deflate")
        data: Source | _Limited = src
        if member.compressed_size is not None:
            data = _Limited(src, member.compressed_size, what)
        elif member.method == 0:
            raise DecompressError(
                f"{what} is stored uncompressed with its size after its data, which cannot be read as a stream",
                "drop the archive under a .zip name (its central directory gives the size), or zip it again",
            )
        if member.method == 0:
            self._decoder: Reader = data
        elif member.method == 8:
            self._decoder = _Single(data, zlib.decompressobj(-zlib.MAX_WBITS), what)
        elif member.method == 12:
            self._decoder = _Single(data, bz2.BZ2Decompressor(), what)
        else:
            self._decoder = _Zstd(data, one_frame=member.compressed_size is None)
        self._what = what
        self._crc = self._size = 0
        self._checked = False

    def read(self, n: int = -1) -> bytes:
        out = self._decoder.read(n)
        if out:
            self._crc = zlib.crc32(out, self._crc)
            self._size += len(out)
            return out
        if not self._checked:
            self._checked = True
            crc, size = self._expected()
            if crc != self._crc or size != self._size:
                raise DecompressError(
                    f"{self._what}: CRC-32 {self._crc:08x} and size {self._size:,} do not match the archive's "
                    f"{crc:08x} and {size:,} (a damaged archive)"
                )
        return b""

    def _expected(self) -> tuple[int, int]:
        if not self._descriptor:
            assert self.member.crc is not None and self.member.size is not None
            return self.member.crc, self.member.size
        return _data_descriptor(self._src, self.member.zip64, self._what)


def _data_descriptor(src: Source, zip64: bool, what: str) -> tuple[int, int]:
    """(CRC-32, uncompressed size) of the data descriptor next in ``src`` (APPNOTE 4.3.9; its signature is optional)."""
    head = src.exact(4)
    crc_bytes = src.exact(4) if head == _DESCRIPTOR else head
    sizes = src.exact(16 if zip64 else 8)
    if len(crc_bytes) < 4 or len(sizes) < (16 if zip64 else 8):
        raise DecompressError(f"{what}: the archive ends inside the member's data descriptor (truncated)")
    size = struct.unpack("<Q", sizes[8:])[0] if zip64 else struct.unpack("<I", sizes[4:])[0]
    return struct.unpack("<I", crc_bytes)[0], size


def _local_header(src: Source) -> ZipMember:
    """The local file header after its signature (APPNOTE 4.3.7; zip64 sizes, 4.5.3): name and extra field consumed."""
    fixed = src.exact(26)
    if len(fixed) < 26:
        raise DecompressError("zip archive ends inside a local file header (truncated)")
    _, flags, method, _, _, crc, csize, size, name_len, extra_len = struct.unpack("<HHHHHIIIHH", fixed)
    raw_name, extra = src.exact(name_len), src.exact(extra_len)
    if len(raw_name) < name_len or len(extra) < extra_len:
        raise DecompressError("zip archive ends inside a local file header (truncated)")
    name = raw_name.decode("utf-8" if flags & _FLAG_UTF8 else "cp437", errors="replace")
    zip64 = False
    at = 0
    while at + 4 <= len(extra):
        tag, length = struct.unpack("<HH", extra[at : at + 4])
        if tag == _ZIP64_EXTRA and length >= 16:
            size, csize = struct.unpack("<QQ", extra[at + 4 : at + 20])
            zip64 = True
        at += 4 + length
    if flags & _FLAG_DESCRIPTOR:
        return ZipMember(name, method, flags, None, None, None, zip64)
    return ZipMember(name, method, flags, csize, size, crc, zip64)


class _ZipStream:
    """A zip archive read from its local headers, front to back (under a table's name, so it was never listed).

    Directory entries are passed over; the first file must be a table and the only one: a second
    file, or none, raises DecompressError (a ``.zip`` name would have read each table on its own).
    """

    def __init__(self, src: Source) -> None:
        self._src = src
        self._member: _Member | None = None
        self._done = False
        self.compression = "zip"

    def read(self, n: int = -1) -> bytes:
        if self._done:
            return b""
        if self._member is None:
            self._member = self._first_file()
            self.compression = f"zip ({self._member.member.compression})"
        out = self._member.read(n)
        if out:
            return out
        if self._src.exact(4) == _LOCAL_HEADER:
            raise DecompressError(
                "a zip archive with more than one file under a table's name",
                "rename it to .zip: each table in it is then read as its own file",
            )
        self._done = True
        return b""

    def _first_file(self) -> _Member:
        while True:
            signature = self._src.exact(4)
            if signature in (_CENTRAL_HEADER, _END_OF_DIRECTORY):
                raise DecompressError("a zip archive without any file", "drop the table itself")
            if signature != _LOCAL_HEADER:
                raise DecompressError("zip archive damaged: no local file header where one should start")
            member = _local_header(self._src)
            if member.name.endswith("/"):  # a directory entry: no file data (an empty compressed stream at most)
                if member.method == 0 and member.compressed_size is None:
                    _data_descriptor(self._src, member.zip64, f"zip directory entry {member.name!r}")
                elif _Member(self._src, member, descriptor=bool(member.flags & _FLAG_DESCRIPTOR)).read(RAW_BLOCK):
                    raise DecompressError(f"zip directory entry {member.name!r} holds data (a damaged archive)")
                continue
            reason = member_skip_reason(member.name)
            if reason:
                if member.name == "[Content_Types].xml" or member.name.startswith(("xl/", "word/", "ppt/")):
                    raise DecompressError("an Office document (.xlsx, .docx, .pptx: a zip archive) with a CSV name", "export the sheet as CSV")
                raise DecompressError(f"a zip archive whose file {member.name!r} is not read: {reason}", "export the table as CSV")
            return _Member(self._src, member, descriptor=bool(member.flags & _FLAG_DESCRIPTOR))


def open_stream(kind: str, raw: Callable[[int], bytes]) -> Reader:
    """A decoder of format ``kind`` (as ``detect`` names it) reading compressed bytes from ``raw``.

    Its ``compression`` attribute, where it has one, names what it found once the first bytes are
    decoded (a zip archive: ``zip (deflate)``); otherwise the compression is ``kind``.
    """
    src = Source(raw)
    if kind == "gzip":
        return gzip.GzipFile(fileobj=src, mode="rb")  # type: ignore[arg-type]
    if kind == "bzip2":
        return bz2.BZ2File(src, mode="rb")  # type: ignore[arg-type]
    if kind == "xz":
        return lzma.LZMAFile(src, mode="rb")  # type: ignore[arg-type]
    if kind == "zstd":
        return _Zstd(src)
    if kind == "zip":
        return _ZipStream(src)
    raise ValueError(f"unknown compression {kind!r}")


def open_member_data(member: ZipMember, raw: Callable[[int], bytes]) -> Reader:
    """A decoder of one member's data (its compressed bytes from ``raw``, as ``open_member`` delimits them)."""
    return _Member(Source(raw), member, descriptor=False)


# Errors the decoders raise on damaged data (gzip.BadGzipFile and bz2's "Invalid data stream" are OSErrors).
DECODE_ERRORS = (DecompressError, EOFError, OSError, zlib.error, lzma.LZMAError, zstandard.ZstdError)


class _Slice(io.RawIOBase):
    """``size`` bytes of ``source`` from offset ``start``: a zip member's data, seekable like its archive."""

    def __init__(self, source: BinaryIO, start: int, size: int) -> None:
        self._src, self._start, self._size, self._pos = source, start, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, min(self._size, base + pos))
        return self._pos

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        n = min(len(buffer), self._size - self._pos)
        if n <= 0:
            return 0
        self._src.seek(self._start + self._pos)
        data = self._src.read(n)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


def open_member(source: bytes | BinaryIO, name: str) -> tuple[BinaryIO, ZipMember]:
    """Member ``name`` of the zip archive ``source``: its data as stored (a seekable view) and what the archive says of it.

    ``source`` is the archive: its bytes, or a binary file object, seekable and at its first byte
    (the central directory is at the end: on an object store these are ranged reads). The first member of that name is used, as
    ``discovery.zip_members`` lists it. Raises FileNotFoundError when the archive has no such member
    (it changed since discovery), zipfile.BadZipFile when the archive or the member's local header is damaged.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = io.BytesIO(source)
    with zipfile.ZipFile(source) as zf:
        info = next((i for i in zf.infolist() if i.filename == name), None)
        if info is None:
            raise FileNotFoundError(f"the zip archive has no member {name!r} (it was replaced after discovery?)")
    source.seek(info.header_offset)
    header = source.read(30)
    if len(header) < 30 or header[:4] != _LOCAL_HEADER:
        raise zipfile.BadZipFile(f"member {name!r}: no local file header at offset {info.header_offset} (a damaged archive)")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = info.header_offset + 30 + name_len + extra_len
    member = ZipMember(info.filename, info.compress_type, info.flag_bits, info.compress_size, info.file_size, info.CRC)
    return _Slice(source, start, info.compress_size), member  # type: ignore[return-value]
