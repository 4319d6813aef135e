"""Landing files as binary streams: one pass per attempt, hashed as it is read, decoded block by block.

``LandingStream`` is the one reader of a landing file during an ingest attempt: every byte read
from the source goes through hashlib as it goes by, so the parse itself yields the file's sha256
and size, and ``passes`` says how many times the attempt read the file from its first byte (1,
unless the file had to be read again: see ``LandingStream.rewind``).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import tempfile
from collections.abc import Callable, Iterator
from typing import BinaryIO, Self

READ_BLOCK = 1 << 20  # bytes read (and decoded) at a time


class DecodeFailed(Exception):
    """The stream does not decode; the message is bytes.decode's, with positions counted from the file start.

    ``position`` is the offset (bytes from the file start) of the first byte that does not decode.
    """

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


class LandingStream:
    """One ingest attempt's reader over a landing file: every byte read from the source is hashed and counted.

    ``source`` is the file's bytes or a binary file object, read from its current position (the
    caller keeps owning and closing it). A *pass* reads the file from that position to its end;
    ``digest()`` gives the (sha256 hex, size in bytes) of the current pass once it reached the end.

    * ``peek(n)`` reads the first ``n`` bytes and keeps them: ``read()`` hands them out again, so
      sniffing the head costs no second read.
    * ``rewind()`` goes back to the first byte: free while only the kept head was read, otherwise a
      new pass (``passes`` + 1): a seekable source is sought back to its start (one more download
      from an object store); a non-seekable one (a pipe) is replayed from a local spool that the
      first pass filled as it read, so the source itself is still read once.

    ``source_bytes`` counts the bytes read from the source over all passes (spool replays excluded).
    """

    def __init__(self, source: bytes | bytearray | memoryview | BinaryIO) -> None:
        if isinstance(source, (bytes, bytearray, memoryview)):
            source = io.BytesIO(source)
        self._src = source
        seekable = source.seekable()
        self._origin = source.tell() if seekable else 0
        self._spool = None if seekable else tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._spooled = 0  # bytes of the source copied into the spool so far
        self.passes = 0
        self.source_bytes = 0
        self._new_pass()

    def _new_pass(self) -> None:
        self.passes += 1
        self._digest = hashlib.sha256()
        self._read = 0  # bytes of this pass fetched (from the source, or replayed from the spool)
        self._at = 0  # bytes of this pass handed out by read()
        self._eof = False
        self._head = b""  # the first bytes of this pass, kept by peek()

    def _fetch(self, n: int) -> bytes:
        """The next at most ``n`` bytes of this pass (b"" at the end), hashed."""
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
        else:
            self._eof = True
        return block

    def peek(self, n: int) -> bytes:
        """The first ``n`` bytes of this pass (fewer when the file is shorter), kept for read() to hand out again.

        Call it before reading past the kept head; raises RuntimeError otherwise.
        """
        if self._read > len(self._head):
            raise RuntimeError("peek() after the pass read past its kept head")
        while len(self._head) < n:
            block = self._fetch(n - len(self._head))
            if not block:
                break
            self._head += block
        return self._head[:n]

    def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes (all the rest when ``n`` < 0) from where this pass is; b"" only at the end."""
        if n < 0:
            return b"".join(iter(lambda: self.read(READ_BLOCK), b""))
        if self._at < len(self._head):
            out = self._head[self._at : self._at + n]
            self._at += len(out)
            return out
        block = self._fetch(n)
        self._at += len(block)
        return block

    def rewind(self) -> None:
        """Read from the first byte again: free while only the kept head was read, else a new pass."""
        if self._read <= len(self._head):
            self._at = 0
            return
        if self._spool is None:
            self._src.seek(self._origin)
        self._new_pass()

    @property
    def complete(self) -> bool:
        """Whether the current pass has read the file to its end (``digest()`` then reads nothing more)."""
        return self._eof

    def digest(self) -> tuple[str, int]:
        """(sha256 hex, size in bytes) of the file as this pass read it.

        A pass that stopped short is read on to the end first (only the bytes it has not read yet).
        """
        while self._fetch(READ_BLOCK):
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


def text_chunks(stream: BinaryIO | LandingStream, encoding: str, on_end) -> Iterator[str]:  # noqa: ANN001 - on_end(nuls)
    """Decoded text block by block, leading BOMs stripped and NULs removed (as the whole-text reader did).

    Decoding is strict: the first byte that does not decode raises DecodeFailed, with its position
    counted from the first byte read from ``stream``.
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    at_start, nuls, fed = True, 0, 0
    while True:
        buffered = decoder.getstate()[0]  # bytes held back from earlier blocks (an unfinished character)
        block = stream.read(READ_BLOCK)
        try:
            text = decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            raise _decode_error(exc, fed - (len(buffered) if isinstance(buffered, bytes) else 0)) from None
        fed += len(block)
        if at_start and text:
            text = text.lstrip("\ufeff")
            at_start = not text
        if "\x00" in text:
            # NUL padding comes from fixed-width exports and broken copies; it carries no data.
            nuls += text.count("\x00")
            text = text.replace("\x00", "")
        if text:
            yield text
        if not block:
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
