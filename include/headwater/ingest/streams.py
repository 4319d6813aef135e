"""Landing files as binary streams: one seekable stream per attempt, hashed and decoded block by block."""

from __future__ import annotations

import codecs
import hashlib
import io
import shutil
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

READ_BLOCK = 1 << 20  # bytes read (and decoded) at a time

def open_source(source: bytes | BinaryIO) -> BinaryIO:
    """A seekable binary stream over ``source``: bytes are wrapped, a non-seekable stream is spooled to a temp file."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(source)
    if source.seekable():
        return source
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the process or by GC; the caller owns the source
    shutil.copyfileobj(source, spool, READ_BLOCK)
    spool.seek(0)
    return spool


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



def text_chunks(stream: BinaryIO, encoding: str, on_end) -> Iterator[str]:  # noqa: ANN001 - on_end(nuls)
    """Decoded text block by block, leading BOMs stripped and NULs removed (as the whole-text reader did)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    at_start, nuls = True, 0
    while True:
        block = stream.read(READ_BLOCK)
        text = decoder.decode(block, final=not block)
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


