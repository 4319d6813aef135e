"""LandingStream: one pass per attempt, hashed as it goes; the head kept for sniffing; rewinds counted."""

from __future__ import annotations

import hashlib
import io

import pytest

from headwater.ingest import streams
from headwater.ingest.streams import DecodeFailed, LandingStream, text_chunks

DATA = b"id,name\n" + b"".join(b"%d,n%d\n" % (i, i) for i in range(100))  # 688 bytes


class _Pipe(io.RawIOBase):
    """A non-seekable source that counts the bytes read from it."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:
        n = self._data.readinto(buffer)
        self.bytes_read += n
        return n


def test_a_pass_hands_out_the_peeked_head_again_and_hashes_each_byte_once() -> None:
    stream = LandingStream(DATA)
    assert stream.peek(10) == DATA[:10] and stream.peek(4) == DATA[:4]
    assert stream.read(3) == DATA[:3] and stream.read(100) == DATA[3:10]  # the kept head, then the source
    assert stream.read() == DATA[10:] and stream.read(5) == b""
    assert stream.digest() == (hashlib.sha256(DATA).hexdigest(), 688)
    assert (stream.passes, stream.source_bytes, stream.complete) == (1, 688, True)


def test_rewinding_within_the_kept_head_is_free_and_past_it_is_a_new_pass() -> None:
    source = io.BytesIO(b"skip" + DATA)
    source.seek(4)
    stream = LandingStream(source)
    stream.peek(100)
    stream.read(50)
    stream.rewind()
    assert (stream.passes, stream.source_bytes) == (1, 100)
    assert stream.read() == DATA and stream.passes == 1
    stream.rewind()  # the source is sought back to where it was handed over
    assert stream.read(8) == b"id,name\n"
    assert (stream.passes, stream.source_bytes) == (2, 696)
    assert stream.digest() == (hashlib.sha256(DATA).hexdigest(), 688)  # a short pass is read on to its end
    assert stream.source_bytes == 2 * 688


def test_a_non_seekable_source_is_read_once_and_replayed_from_the_spool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams, "READ_BLOCK", 7)
    pipe = _Pipe(DATA)
    with LandingStream(pipe) as stream:
        stream.peek(20)
        assert stream.read(500) == DATA[:20] and stream.read(500) == DATA[20:520]
        stream.rewind()  # half of the file spooled, half still in the pipe
        assert stream.read() == DATA
        assert stream.digest() == (hashlib.sha256(DATA).hexdigest(), 688)
    assert (stream.passes, stream.source_bytes, pipe.bytes_read) == (2, 688, 688)


def test_peek_after_reading_past_the_head_is_refused() -> None:
    stream = LandingStream(DATA)
    stream.read(10)
    with pytest.raises(RuntimeError, match="peek"):
        stream.peek(20)


@pytest.mark.parametrize("block", [1, 3, 1 << 20])
def test_a_decode_error_is_placed_in_the_file_whatever_the_blocks(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    monkeypatch.setattr(streams, "READ_BLOCK", block)
    data = "héllo,wörld\n".encode() + b"ab\xc3(\n"  # 0xc3 starts a 2-byte character that never ends
    with pytest.raises(DecodeFailed, match=r"^'utf-8' codec can't decode byte 0xc3 in position 16: invalid continuation byte$") as exc:
        list(text_chunks(LandingStream(data), "utf-8", lambda nuls: None))
    assert exc.value.position == 16
    data = b"ok\n\xe2\x82"  # the file ends inside a 3-byte character
    with pytest.raises(DecodeFailed, match=r"^'utf-8' codec can't decode bytes in position 3-4: unexpected end of data$"):
        list(text_chunks(LandingStream(data), "utf-8", lambda nuls: None))


def _chunks_with_bytes(data: bytes, encoding: str) -> list[tuple[str, bytes | None]]:
    raw: list = [None, None]
    out = []
    for text in text_chunks(LandingStream(data), encoding, lambda nuls: None, raw):
        assert raw[0] is text
        out.append((text, raw[1]))
    return out


@pytest.mark.parametrize("block", [1, 2, 3, 5, 1 << 20])
def test_text_chunks_hands_over_the_utf8_bytes_of_each_chunk_whatever_the_blocks(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    monkeypatch.setattr(streams, "READ_BLOCK", block)
    text = "id,name\n1,Zürich — ok\n2,😀 x\n3,日本\n"  # 2-, 3- and 4-byte characters cut across blocks
    chunks = _chunks_with_bytes(text.encode(), "utf-8")
    assert "".join(t for t, _ in chunks) == text
    assert [b for _, b in chunks] == [t.encode() for t, _ in chunks]


def test_text_chunks_hands_over_no_bytes_for_text_it_changed_or_another_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams, "READ_BLOCK", 4)
    chunks = _chunks_with_bytes("\ufeffid,n\n1,a\x00b\n2,c\n".encode(), "utf-8")  # a BOM stripped, a NUL kept (as read)
    assert chunks == [("i", None), ("d,n\n", b"d,n\n"), ("1,a\x00", b"1,a\x00"), ("b\n2,", b"b\n2,"), ("c\n", b"c\n")]
    assert [b for _, b in _chunks_with_bytes("id,n\n1,é\n".encode("cp1252"), "cp1252")] == [None, None, None]
    assert [b for _, b in _chunks_with_bytes("id,n\n1,é\n".encode("utf-8"), "utf-8-sig")] == [None, None, None]


@pytest.mark.parametrize("block", [1, 2, 3, 5, 7, 1 << 20])
def test_whole_lines_mode_hands_over_the_bytes_of_each_chunk_and_none_for_a_line_that_did_not_decode(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    """With ``on_invalid`` (a UTF-8 file with a few bad lines) the text comes in whole lines: the bytes handed
    over must still be exactly each chunk's text encoded (or None), including after a BOM, a NUL and a bad line."""
    monkeypatch.setattr(streams, "READ_BLOCK", block)
    data = "\ufeffid,name\n1,Zürich — ok\n2,😀 x\n".encode() + b"3,Jos\xe9\n" + "4,日本\n5,a\x00b\n6,ü\n".encode()
    raw: list = [None, None]
    bad_lines: list[int] = []

    def on_invalid(text: str, line: int) -> str:
        bad_lines.append(line)  # each line holding a byte that did not decode, read as cp1252 (the file's fallback)
        return "".join(x.encode("utf-8", "surrogateescape").decode("cp1252") if streams._SURROGATE.search(x) else x
                       for x in text.splitlines(keepends=True))

    out = []
    for text in text_chunks(LandingStream(data), "utf-8", lambda nuls: None, raw, on_invalid):
        assert raw[0] is text
        out.append((text, raw[1]))
    assert "".join(t for t, _ in out) == "id,name\n1,Zürich — ok\n2,😀 x\n3,José\n4,日本\n5,a\x00b\n6,ü\n"
    assert all(b is None or b == t.encode() for t, b in out)
    assert all(t.endswith("\n") for t, _ in out)  # whole lines
    assert [b is None for t, b in out if "José" in t] == [True] and bad_lines and bad_lines[0] <= 4
    assert any(b is not None for t, b in out if "ü\n" in t or "日本" in t) or block == 1 << 20


@pytest.mark.parametrize("carry", [4, 1 << 20])
@pytest.mark.parametrize("block", [1, 2, 3, 5, 7, 64])
def test_whole_lines_mode_on_random_utf8_bytes_gives_the_file_text_in_whole_lines(monkeypatch: pytest.MonkeyPatch, block: int, carry: int) -> None:
    """Random UTF-8 files with bad bytes, cut characters, byte-order marks (leading and inside), NULs, \r and long lines
    (CARRY_CHARS small): the texts joined are the file's text after its leading BOMs (bytes that do not decode as
    ``on_invalid`` rewrote them), each text but the last is whole lines (or at least CARRY_CHARS characters of one line
    with no end yet), ``on_invalid`` gets the line each text starts on, the bytes handed over are the text's, NULs counted."""
    import random

    monkeypatch.setattr(streams, "READ_BLOCK", block)
    monkeypatch.setattr(streams, "CARRY_CHARS", carry)
    rng = random.Random(block * 31 + carry)
    pieces = [b"a", b",", b"\n", b"\n", b"\r", "é".encode(), "😀".encode(), "日".encode(), b"\xff", b"\xe2\x82", b"\xef\xbb\xbf", b"\x00", b"\xbf"]
    for _ in range(300):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        if rng.random() < 0.3:
            data = b"\xef\xbb\xbf" * rng.randint(1, 2) + data
        calls: list[tuple[int, int]] = []  # (texts handed out before, line)

        def on_invalid(text: str, line: int) -> str:
            calls.append((len(out), line))
            return streams._SURROGATE.sub("?", text)

        raw: list = [None, None]
        ended: list[int] = []
        out = []
        for text in text_chunks(LandingStream(data), "utf-8", ended.append, raw, on_invalid):
            assert raw[0] is text and (raw[1] is None or raw[1] == text.encode())
            out.append(text)
        body = data
        while body.startswith(b"\xef\xbb\xbf"):
            body = body[3:]
        assert "".join(out) == streams._SURROGATE.sub("?", body.decode("utf-8", "surrogateescape")), data
        assert all(t.endswith("\n") or len(t) >= carry for t in out[:-1]), (data, out)
        assert ended == [body.count(b"\x00")]
        for k, line in calls:
            assert line == "".join(out[:k]).count("\n") + 1, (data, k, line)
        assert calls or "?" not in "".join(out)
