"""Landing files as binary streams: one pass per attempt, hashed as it is read, decompressed and decoded block by block.

``LandingStream`` is the one reader of a landing file during an ingest attempt: every byte read
from the source goes through hashlib as it goes by, so the parse itself yields the file's sha256
and size, and ``passes`` says how many times the attempt read the file from its first byte (1,
unless the file had to be read again: see ``LandingStream.rewind``). A compressed file (gzip,
bzip2, zstd, xz, a zip archive: see headwater.ingest.compression) is decompressed inside that same
pass: the reader gets the plain bytes, the hash is the hash of the bytes as stored.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import tempfile
from collections.abc import Callable, Iterator
from typing import BinaryIO, Self

import numpy as np

from headwater.config.read import ReadOptions
from headwater.ingest.compression import (
    DECODE_ERRORS,
    DETECT_BYTES,
    DecompressError,
    ZipMember,
    detect,
    open_member_data,
    open_stream,
    undecided,
)

READ_BLOCK = 1 << 20  # bytes read (and decoded) at a time
RAW_KEEP = 256 * 1024  # stored bytes of a pass kept for a copy without a second read (the reader's head, sniff.HEAD_BYTES)
RATIO_GRACE = 16 << 20  # plain bytes a compressed file may expand to before its compression ratio is checked


class UnreadableFile(Exception):
    """The whole file cannot be read as CSV; the message says why and what to do."""


class DecodeFailed(Exception):
    """The stream does not decode; the message is bytes.decode's, with positions counted from the file start.

    ``position`` is the offset (bytes from the file start) of the first byte that does not decode.
    """

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


class _SourceFailed(Exception):
    """An OSError of the source, carried through a decompressor (which would take it for damaged data)."""


class LandingStream:
    """One ingest attempt's reader over a landing file: every byte read from the source is hashed and counted.

    ``source`` is the file's bytes or a binary file object, read from its current position (the
    caller keeps owning and closing it). A *pass* reads the file from that position to its end;
    ``digest()`` gives the (sha256 hex, size in bytes) of the current pass once it reached the end:
    the bytes as stored, compressed or not.

    ``read``/``peek`` give the file's *plain* bytes. A compressed file is recognised by its magic
    number (compression.detect: gzip, bzip2, zstd, xz, zip; the name plays no part) and decompressed
    block by block as it is read; ``compression`` then names the format (None for a plain file).
    ``member`` (compression.open_member's description of a zip member, whose data is ``source``)
    decodes that member's data instead. A decompressed stream longer than ``max_bytes``, or expanding
    more than ``max_ratio`` times once past RATIO_GRACE plain bytes (a decompression bomb), and
    damaged or truncated compressed data raise UnreadableFile from ``read``/``peek``.

    * ``peek(n)`` reads the first ``n`` plain bytes and keeps them: ``read()`` hands them out again,
      so sniffing the head costs no second read.
    * ``rewind()`` goes back to the first byte: free while only the kept head was read, otherwise a
      new pass (``passes`` + 1): a seekable source is sought back to its start (one more download
      from an object store); a non-seekable one (a pipe) is replayed from a local spool that the
      first pass filled as it read, so the source itself is still read once.
    * ``copy_stored(out)`` writes the bytes as stored from the first byte (for quarantine): free
      while the pass has read at most RAW_KEEP bytes, otherwise a new pass.

    ``source_bytes`` counts the bytes read from the source over all passes (spool replays excluded).
    """

    def __init__(
        self,
        source: bytes | bytearray | memoryview | BinaryIO,
        member: ZipMember | None = None,
        max_bytes: int | None = None,
        max_ratio: float | None = None,
    ) -> None:
        if isinstance(source, (bytes, bytearray, memoryview)):
            source = io.BytesIO(source)
        self._src = source
        self.member, self.max_bytes, self.max_ratio = member, max_bytes, max_ratio
        seekable = source.seekable()
        self._origin = source.tell() if seekable else 0
        self._spool = None if seekable else tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._spooled = 0  # bytes of the source copied into the spool so far
        self.passes = 0
        self.source_bytes = 0
        self.compression: str | None = None
        self._source_error: OSError | None = None
        self._new_pass()

    @classmethod
    def for_options(cls, source: bytes | BinaryIO, options: ReadOptions, member: ZipMember | None = None) -> LandingStream:
        """A stream with the decompression limits of ``options`` (``read.max_decompressed_bytes``, ``read.max_compression_ratio``)."""
        return cls(source, member, options.max_decompressed_bytes, options.max_compression_ratio)

    def _new_pass(self) -> None:
        self.passes += 1
        self._digest = hashlib.sha256()
        self._read = 0  # stored bytes of this pass fetched (from the source, or replayed from the spool)
        self._eof = False
        self._kept = bytearray()  # this pass's stored bytes while it has read at most RAW_KEEP of them
        self._kept_all = True
        self._back = b""  # stored bytes fetched to detect the compression, not handed out yet
        self._decoder = None  # the decompressor, once the first stored bytes decided there is one
        self._opened = False
        self._plain = 0  # plain bytes of this pass produced (decompressed, or as stored)
        self._plain_eof = False
        self._at = 0  # plain bytes of this pass handed out by read()
        self._head = b""  # the first plain bytes of this pass, kept by peek()

    def _fetch_stored(self, n: int) -> bytes:
        """The next at most ``n`` stored bytes of this pass (b"" at the end), hashed and counted."""
        if self._eof:
            return b""
        if self._spool is not None and self._read < self._spooled:  # a later pass over a non-seekable source
            self._spool.seek(self._read)
            block = self._spool.read(min(n, self._spooled - self._read))
        else:
            block = self._src.read(n) or b""
            self.source_bytes += len(block)
            if self._spool is not None and block:
                self._spool.seek(self._spooled)
                self._spool.write(block)
                self._spooled += len(block)
        if block:
            self._digest.update(block)
            self._read += len(block)
            if self._kept_all and self._read <= RAW_KEEP:
                self._kept += block
            else:
                self._kept_all, self._kept = False, bytearray()
        else:
            self._eof = True
        return block

    def _stored(self, n: int) -> bytes:
        """Stored bytes for the decoder (or a plain file): those fetched to detect the compression first."""
        if self._back:
            out, self._back = self._back[:n], self._back[n:]
            return out
        return self._fetch_stored(n)

    def _for_decoder(self, n: int) -> bytes:
        try:
            return self._stored(n)
        except OSError as exc:  # the source failed: not damaged data
            self._source_error = exc
            raise _SourceFailed from exc

    def _open(self, n: int) -> None:
        """Decide from the first stored bytes whether the file is compressed, and how (its magic number)."""
        self._opened = True
        if self.member is not None:
            self._decoder = open_member_data(self.member, self._for_decoder)
            self.compression = f"zip member ({self.member.compression})"
            return
        head = self._fetch_stored(n)
        while undecided(head) and (block := self._fetch_stored(DETECT_BYTES - len(head))):
            head += block
        self._back = head
        kind = detect(head[:DETECT_BYTES])
        if kind:
            self._decoder = open_stream(kind, self._for_decoder)
            self.compression = kind

    def _fetch(self, n: int) -> bytes:
        """The next at most ``n`` plain bytes of this pass (b"" at the end)."""
        if not self._opened:
            try:
                self._open(n)
            except DecompressError as exc:  # a zip member Headwater cannot decode (encrypted, unsupported method)
                raise UnreadableFile(f"{exc} — file quarantined; {exc.advice}") from None
        if self._plain_eof:
            return b""
        if self._decoder is None:
            block = self._stored(n)
        else:
            block = self._decode(n)
        if not block:
            self._plain_eof = True
            return b""
        self._plain += len(block)
        if self._decoder is not None:
            self._check_expansion()
        return block

    def _decode(self, n: int) -> bytes:
        try:
            block = self._decoder.read(n)
        except _SourceFailed:
            raise self._source_error from None  # type: ignore[misc]
        except DecompressError as exc:
            raise UnreadableFile(f"{exc} — file quarantined; {exc.advice}") from None
        except DECODE_ERRORS as exc:  # the decompression library's own errors
            raise UnreadableFile(f"{self.compression} data is damaged ({exc}) — file quarantined; drop the file again") from None
        compression = getattr(self._decoder, "compression", None)
        if compression:
            self.compression = compression
        return block

    def _check_expansion(self) -> None:
        if self.max_bytes is not None and self._plain > self.max_bytes:
            raise UnreadableFile(
                f"{self.compression} data decompresses to more than read.max_decompressed_bytes={self.max_bytes:,} bytes "
                "— file quarantined; split the file, or raise the limit in its source config"
            )
        if self.max_ratio is not None and self._plain > RATIO_GRACE and self._plain > self.max_ratio * self._read:
            raise UnreadableFile(
                f"{self.compression} data expands more than read.max_compression_ratio={self.max_ratio:g} times "
                f"({self._plain:,} bytes from {self._read:,}: a decompression bomb?) — file quarantined; "
                "raise the limit in its source config if the file is genuine"
            )

    def peek(self, n: int) -> bytes:
        """The first ``n`` plain bytes of this pass (fewer when the file is shorter), kept for read() to hand out again.

        Call it before reading past the kept head; raises RuntimeError otherwise.
        """
        if self._plain > len(self._head):
            raise RuntimeError("peek() after the pass read past its kept head")
        while len(self._head) < n:
            block = self._fetch(n - len(self._head))
            if not block:
                break
            self._head += block
        return self._head[:n]

    def read(self, n: int = -1) -> bytes:
        """Up to ``n`` plain bytes (all the rest when ``n`` < 0) from where this pass is; b"" only at the end."""
        if n < 0:
            return b"".join(iter(lambda: self.read(READ_BLOCK), b""))
        if self._at < len(self._head):
            out = self._head[self._at : self._at + n]
            self._at += len(out)
            return out
        block = self._fetch(n)
        self._at += len(block)
        return block

    def _restart(self) -> None:
        if self._spool is None:
            self._src.seek(self._origin)
        self._new_pass()

    def rewind(self) -> None:
        """Read from the first byte again: free while only the kept head was read, else a new pass."""
        if self._plain <= len(self._head):
            self._at = 0
            return
        self._restart()

    def copy_stored(self, out: BinaryIO) -> None:
        """Write the file's bytes as stored (compressed or not), from the first byte, to ``out``; then the pass is at its end.

        Free while this pass has read at most RAW_KEEP bytes (they were kept), else a new pass.
        ``read`` returns nothing more afterwards; ``digest()`` gives the hash of the bytes copied.
        """
        if not self._kept_all:
            self._restart()
        out.write(self._kept)
        while block := self._fetch_stored(READ_BLOCK):
            out.write(block)
        self._opened, self._plain_eof, self._head, self._at = True, True, b"", 0

    @property
    def complete(self) -> bool:
        """Whether the current pass has read the file to its end (``digest()`` then reads nothing more)."""
        return self._eof

    def digest(self) -> tuple[str, int]:
        """(sha256 hex, size in bytes) of the file as stored, as this pass read it.

        A pass that stopped short is read on to the end first (only the bytes it has not read yet).
        """
        while self._fetch_stored(READ_BLOCK):
            pass
        return self._digest.hexdigest(), self._read

    def close(self) -> None:
        """Drop the spool of a non-seekable source; the source itself stays open (its caller owns it)."""
        if self._spool is not None:
            self._spool.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def stream_sha256(source: bytes | BinaryIO) -> tuple[str, int]:
    """(sha256 hex, size in bytes) of ``source`` read block by block; a seekable stream is left where it started."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return hashlib.sha256(source).hexdigest(), len(source)
    origin = source.tell() if source.seekable() else None
    digest, size = hashlib.sha256(), 0
    while block := source.read(READ_BLOCK):
        digest.update(block)
        size += len(block)
    if origin is not None:
        source.seek(origin)
    return digest.hexdigest(), size


def _decode_error(exc: UnicodeDecodeError, shift: int) -> DecodeFailed:
    """bytes.decode's message for ``exc``, its positions moved by ``shift`` bytes (to count from the file start)."""
    start, end = shift + exc.start, shift + exc.end
    where = f"byte 0x{exc.object[exc.start]:02x} in position {start}" if end - start == 1 else f"bytes in position {start}-{end - 1}"
    return DecodeFailed(f"'{exc.encoding}' codec can't decode {where}: {exc.reason}", start)


EBCDIC_NEL = ("cp037", "cp500")  # EBCDIC codecs whose NL (0x15) is U+0085 (NEL): a line end in that file (IBM CCSID 37/500 charts)
CARRY_CHARS = 1 << 20  # with on_invalid: the longest unfinished line held back to be handed over whole


def text_chunks(
    stream: BinaryIO | LandingStream, encoding: str, on_end, raw: list | None = None, on_invalid=None  # noqa: ANN001 - on_end(nuls), on_invalid(text, line)
) -> Iterator[str]:
    """Decoded text block by block, leading BOMs stripped; NUL characters are kept and counted (``on_end(nuls)``).

    NULs stay in the text so that the values holding them keep their original: the clean stage removes them
    (a control character) with the value as written in ``<col>__raw`` (reason ``normalized: control``).

    In an EBCDIC file (``EBCDIC_NEL``) the line end NL (0x15, decoded as U+0085) is read as ``\n``.

    Decoding is strict: the first byte that does not decode raises DecodeFailed, with its position
    counted from the first byte read from ``stream``.

    ``raw`` (a list, when given) is set to ``[text, data]`` before each ``text`` is yielded: ``data``
    is ``text.encode("utf-8")`` without the encoding work when the file is UTF-8 and the text is its
    bytes as read (the bytes decoded into ``text``: the bytes held back from the block before, plus
    this block, less those held back for the next one; codecs' incremental decoder ``getstate()``),
    None when the text was changed (a BOM removed, a line that did not decode) or the encoding
    is not UTF-8. The fast engine (bulk.LineBlocks) parses those bytes instead of encoding the text again.

    With ``on_invalid`` (a UTF-8 file with a few bad lines, see csv_file.CsvFile), a block holding
    bytes that do not decode is decoded again with the ``surrogateescape`` handler (PEP 383: each
    such byte becomes U+DC80+byte); the text is then handed out in whole lines (an unfinished last
    line waits for the next block, up to CARRY_CHARS, its bytes with it), and text holding such bytes
    goes through ``on_invalid(text, line)`` first, ``line`` being the physical line (counted by
    ``\n``) it starts on; what that returns (no surrogates) is yielded. In a UTF-8 file the bytes are
    cut at their last line end before they are decoded (``_utf8_whole_lines``: the same text, one
    copy of each block fewer).
    """
    if on_invalid is not None and codecs.lookup(encoding).name == "utf-8":
        yield from _utf8_whole_lines(stream, on_end, raw, on_invalid)
        return
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    utf8 = raw is not None and codecs.lookup(encoding).name == "utf-8"
    nel = codecs.lookup(encoding).name in EBCDIC_NEL
    at_start, nuls, fed, newlines = True, 0, 0, 0
    carry, carry_bad = "", False
    carry_data: bytes | None = b""  # the bytes of ``carry`` (None: not its bytes as read)
    while True:
        buffered = decoder.getstate()[0]  # bytes held back from earlier blocks (an unfinished character)
        block = stream.read(READ_BLOCK)
        bad = False
        try:
            text = decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            if on_invalid is None:
                raise _decode_error(exc, fed - (len(buffered) if isinstance(buffered, bytes) else 0)) from None
            lenient = codecs.getincrementaldecoder(encoding)("surrogateescape")
            lenient.setstate(decoder.getstate())
            text = lenient.decode(block, final=not block)
            decoder.setstate(lenient.getstate())
            bad = True
        fed += len(block)
        data = None
        if utf8:
            held = len(decoder.getstate()[0])
            data = buffered + block if buffered else block
            data = data[: len(data) - held] if held else data
        if at_start and text:
            stripped = text.lstrip("\ufeff")
            data = data if len(stripped) == len(text) else None
            text, at_start = stripped, not stripped
        if nel and "\x85" in text:
            text = text.replace("\x85", "\n")
        if "\x00" in text:
            nuls += text.count("\x00")
        if on_invalid is not None:
            text, bad = carry + text, bad or carry_bad
            whole = not bad and data is not None and carry_data is not None  # the bytes of carry + text are at hand
            cut = text.rfind("\n") + 1
            if block and (cut or len(text) < CARRY_CHARS):
                text, carry = text[:cut], text[cut:]
                if whole:  # "\n" is one byte in UTF-8: the bytes are cut at the same line end (the carry holds none)
                    bcut = data.rfind(b"\n") + 1  # type: ignore[union-attr]
                    if bcut:  # one copy: the carry's bytes and the block's up to its last line end
                        data, carry_data = b"".join((carry_data, memoryview(data)[:bcut])), data[bcut:]  # type: ignore[arg-type,index]
                    else:
                        data, carry_data = b"", carry_data + data  # type: ignore[operator]
                else:  # the carry is at most a line: its bytes are its text encoded (None: it holds bytes that did not decode)
                    data = None
                    carry_data = carry.encode("utf-8") if utf8 and not (bad and _SURROGATE.search(carry)) else None
            else:
                carry = ""
                data, carry_data = (carry_data + data if whole else None), b""  # type: ignore[operator]
            carry_bad = bad and bool(carry) and _SURROGATE.search(carry) is not None
            if bad and _SURROGATE.search(text):
                text = on_invalid(text, newlines + 1)
                data = None
            # counted on the bytes when they are the text's (UTF-8 writes \n as the byte 0x0a alone): 7x faster than str.count
            newlines += text.count("\n") if data is None else int(np.count_nonzero(np.frombuffer(data, np.uint8) == 10))
        if text:
            if raw is not None:
                raw[:] = [text, data]
            yield text
        if not block:
            on_end(nuls)
            return


_SURROGATE = re.compile("[\udc80-\udcff]")  # a byte that did not decode, as surrogateescape writes it (PEP 383)
_BOM_UTF8 = codecs.BOM_UTF8


def _utf8_whole_lines(stream: BinaryIO | LandingStream, on_end, raw: list | None, on_invalid) -> Iterator[str]:  # noqa: ANN001
    """text_chunks with ``on_invalid`` for a UTF-8 file: the same texts, cut at line ends on the bytes, then decoded.

    UTF-8 writes ``\n`` as the byte 0x0a alone and never inside another character, so the bytes up to a block's
    last 0x0a decode to the text up to its last ``\n``: each block's whole lines are decoded once (strictly;
    with ``surrogateescape`` when a byte does not decode), and the bytes after them wait for the next block.
    Leading byte-order marks are dropped as bytes (EF BB BF). A line with no end yet is handed out once its
    complete characters reach CARRY_CHARS, as text_chunks does. ``raw`` gets ``[text, the bytes decoded]``
    (None when ``on_invalid`` rewrote the text). NULs are counted on the bytes (U+0000 is the byte 0x00 alone).
    """
    nuls = newlines = 0
    at_start, rest = True, b""  # ``rest``: bytes after the last line end handed out, not decoded yet
    while True:
        block = stream.read(READ_BLOCK)
        eof = not block
        if at_start:
            data = rest + block if rest else block
            while data.startswith(_BOM_UTF8):
                data = data[3:]
            if not eof and (not data or _BOM_UTF8.startswith(data)):  # nothing but (the start of) a byte-order mark yet
                rest = data
                continue
            at_start, rest, block = False, b"", data
        cut = len(block) if eof else block.rfind(b"\n") + 1  # ``rest`` holds no line end
        if cut or eof:  # one copy: the bytes held and the block's up to its last line end
            if rest:
                piece = b"".join((rest, memoryview(block)[:cut]))
            else:
                piece = block if cut == len(block) else block[:cut]
            rest = block[cut:]
            try:
                text, bad = piece.decode("utf-8"), False
            except UnicodeDecodeError:
                text, bad = piece.decode("utf-8", "surrogateescape"), True
        else:  # no line end in the bytes held: its complete characters, handed out only past CARRY_CHARS
            data = rest + block
            try:
                text, used = codecs.utf_8_decode(data, "strict", False)
                bad = False
            except UnicodeDecodeError:
                text, used = codecs.utf_8_decode(data, "surrogateescape", False)
                bad = True
            if len(text) < CARRY_CHARS:
                rest = data
                continue
            piece, rest = data[:used], data[used:]
        if b"\x00" in piece:
            nuls += piece.count(b"\x00")
        if bad and _SURROGATE.search(text):
            text, piece = on_invalid(text, newlines + 1), None
        # counted on the bytes when they are the text's: 7x faster than str.count
        newlines += text.count("\n") if piece is None else int(np.count_nonzero(np.frombuffer(piece, np.uint8) == 10))
        if text:
            if raw is not None:
                raw[:] = [text, piece]
            yield text
        if eof:
            on_end(nuls)
            return


def newline_lines(chunks: Iterator[str], bare_cr: Callable[[str], list[str]] | None = None) -> Iterator[str]:
    """Lines ending in \n (line ends kept): a \r not followed by \n does not end a line here.

    ``bare_cr(line)`` gives the lines to yield instead of a line holding such a \r (csv_file decides
    whether it is text or a line end); it is asked only in blocks that hold one, so \n and \r\n text
    costs no check per line.
    """
    rest: list[str] = []  # the unfinished last line, in pieces
    for text in chunks:
        if "\n" not in text:
            rest.append(text)
            continue
        if rest:
            text = "".join(rest) + text
            rest.clear()
        lines = io.StringIO(text, newline="\n").readlines()
        if not lines[-1].endswith("\n"):
            rest.append(lines.pop())
        if bare_cr is None or text.count("\r") == text.count("\r\n"):
            yield from lines
        else:
            for line in lines:
                if "\r" in line and (line.count("\r") > 1 or not line.endswith("\r\n")):
                    yield from bare_cr(line)
                else:
                    yield line
    if rest:
        last = "".join(rest)
        yield from bare_cr(last) if bare_cr is not None and "\r" in last else [last]


def physical_lines(chunks: Iterator[str]) -> Iterator[str]:
    """Lines ending in \r\n, \r or \n (line ends kept), as csv.reader over io.StringIO(newline="") sees them."""
    rest: list[str] = []  # the unfinished last line, in pieces (a line may span many blocks)
    for text in chunks:
        if "\n" not in text and "\r" not in text and not (rest and rest[-1].endswith("\r")):
            rest.append(text)  # still inside one long line: join once its end comes
            continue
        if rest:
            text = "".join(rest) + text
            rest.clear()
        lines = io.StringIO(text, newline="").readlines()
        last = lines[-1]
        if not last.endswith("\n"):  # no line end yet, or a \r whose \n may come with the next block
            lines.pop()
            rest.append(last)
        yield from lines
    if rest:
        yield "".join(rest)
