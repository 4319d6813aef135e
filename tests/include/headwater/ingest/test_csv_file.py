import codecs
import gzip
import hashlib
import io
import re

import pandas as pd
import pytest

from headwater.config.read import ReadOptions
from headwater.ingest import csv_file, streams
from headwater.ingest.csv_file import CsvFile, ReadAgain, iter_batches, parse_csv
from headwater.ingest.sniff import HEAD_BYTES, UnreadableFile, detect_encoding, sniff_delimiter, utf16_without_bom
from headwater.ingest.streams import stream_sha256


def test_utf8_comma_file_with_ragged_rows() -> None:
    data = b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12,,\n"
    parsed = parse_csv(data, "x.csv")
    assert parsed.header == ["a", "b", "c"]
    assert parsed.records == [["1", "2", "3"], ["10", "11", "12"]]
    assert parsed.lines == [2, 5]
    assert [(i.line, i.reason, i.raw) for i in parsed.issues] == [
        (3, "x.csv line 3: 2 fields, header has 3 — row quarantined", "4,5\n"),
        (4, "x.csv line 4: 4 fields, header has 3 — row quarantined", "6,7,8,9\n"),
    ]
    assert parsed.rows_read == 4


@pytest.mark.parametrize(("delim"), [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(delim: str) -> None:
    text = delim.join(["id", "name", "note"]) + "\n" + delim.join(["1", "Ann", "hello, world"]) + "\n"
    if delim == ",":
        text = 'id,name,note\n1,Ann,"hello, world"\n'
    assert sniff_delimiter(text) == delim
    assert parse_csv(text.encode(), "x.csv").records == [["1", "Ann", "hello, world"]]


def test_forced_delimiter_and_encoding() -> None:
    data = "a;b\nZoë;1,5\n".encode("cp1252")
    parsed = parse_csv(data, "x.csv", ReadOptions(delimiter=";", encoding="cp1252"))
    assert (parsed.delimiter, parsed.encoding, parsed.records) == (";", "cp1252", [["Zoë", "1,5"]])
    assert ReadOptions(delimiter="tab").delimiter == "\t"
    with pytest.raises(ValueError, match="delimiter: ':' is not one of"):
        ReadOptions(delimiter=":")
    with pytest.raises(ValueError, match="encoding: 'klingon' is not a known codec"):
        ReadOptions(encoding="klingon")


def test_quoted_multiline_field_keeps_its_start_line() -> None:
    data = b'id,text\n1,"first line\nsecond line"\n2,plain\n'
    parsed = parse_csv(data, "x.csv")
    assert parsed.records == [["1", "first line\nsecond line"], ["2", "plain"]]
    assert parsed.lines == [2, 4]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings_including_bare_cr(newline: str) -> None:
    text = newline.join(["a,b", "1,2", '3,"x' + newline + 'y"', "4,5", ""])
    parsed = parse_csv(text.encode(), "x.csv")
    assert parsed.records == [["1", "2"], ["3", "x" + newline + "y"], ["4", "5"]]
    assert parsed.lines == [2, 3, 5]


def test_encodings() -> None:
    assert detect_encoding("é".encode("utf-8")) == "utf-8"
    assert detect_encoding(codecs.BOM_UTF8 + b"a") == "utf-8-sig"
    assert detect_encoding("a,b\n".encode("utf-16")) == "utf-16"
    latin = "name;city\nZoë Müller;Köln\nFrançois;Besançon\n".encode("latin-1")
    parsed = parse_csv(latin, "x.csv")
    assert parsed.records == [["Zoë Müller", "Köln"], ["François", "Besançon"]]
    cyrillic = "город;страна\nМосква;Россия\nКиев;Украина\n".encode("cp1251")
    assert parse_csv(cyrillic, "x.csv").records == [["Москва", "Россия"], ["Киев", "Украина"]]


def test_utf16_with_bom_and_crlf() -> None:
    parsed = parse_csv("a,b\r\n1,2\r\n".encode("utf-16"), "x.csv")
    assert parsed.header == ["a", "b"] and parsed.records == [["1", "2"]]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_detected(codec: str) -> None:
    data = "name,city\nZoë,Köln\n".encode(codec)
    assert utf16_without_bom(data) == codec
    parsed = parse_csv(data, "x.csv")
    assert (parsed.encoding, parsed.records) == (codec, [["Zoë", "Köln"]])
    assert parsed.warnings == [f"UTF-16 without BOM detected ({codec})"]
    assert utf16_without_bom(b"plain,ascii\n1,2\n") is None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (gzip.compress(gzip.compress(b"a,b\n1,2\n")), "gzip data with a CSV name"),  # compressed twice
        (b"PK\x03\x04rest", "zip archive ends inside a local file header (truncated) — file quarantined; drop the file again"),
        (b"\x04\x22\x4d\x18" + bytes(100), "lz4 data with a CSV name"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "OLE2 (legacy .xls/.doc) data"),
        (b"SQLite format 3\x00" + bytes(100), "SQLite database data"),
        (b"  <!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "an HTML page with a CSV name"),
        (bytes(range(256)) * 4, "control bytes"),
        (b'"a,b\n', "the header row is not valid CSV"),
    ],
)
def test_unreadable_files_raise_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableFile, match=re.escape(reason)):
        parse_csv(data, "x.csv")


def test_header_only_file_has_no_rows() -> None:
    parsed = parse_csv(b"a,b,c\n", "x.csv")
    assert parsed.header == ["a", "b", "c"] and parsed.rows_read == 0


def test_unclosed_quote_quarantines_only_its_line_and_reading_resumes() -> None:
    parsed = parse_csv(b'a,b\n1,2\n3,"never closed\n4,5\n', "x.csv")
    assert parsed.records == [["1", "2"], ["4", "5"]]
    assert parsed.lines == [2, 4]
    assert [(i.line, i.reason, i.raw) for i in parsed.issues] == [
        (3, "x.csv line 3: unparseable CSV (unexpected end of data) — row quarantined", '3,"never closed\n'),
    ]


def test_stray_quote_after_a_quoted_field_quarantines_the_row() -> None:
    parsed = parse_csv(b'a,b\n1,"ab"c\n2,ok\n', "x.csv")
    assert parsed.records == [["2", "ok"]]
    assert [(i.line, i.reason) for i in parsed.issues] == [
        (2, "x.csv line 2: unparseable CSV (',' expected after '\"') — row quarantined"),
    ]


def test_nul_bytes_are_kept_for_cleaning_and_reported() -> None:
    parsed = parse_csv(b"a,b\n1,2\x00\n", "x.csv")
    assert parsed.records == [["1", "2\x00"]]
    assert parsed.warnings == ["1 NUL byte(s) (records on lines 2): kept in the values as read — cleaning removes them (a control character) and keeps each value as written in <col>__raw (normalized: control)"]


def test_a_field_over_the_limit_quarantines_its_row_not_the_file() -> None:
    data = b"id,blob\n1,short\n2," + b"x" * 101 + b"\n3,ok\n"
    parsed = parse_csv(data, "x.csv", ReadOptions(max_field_chars=100))
    assert parsed.records == [["1", "short"], ["3", "ok"]]
    assert [(i.line, i.reason) for i in parsed.issues] == [
        (3, "x.csv line 3: field 2 (blob) has 101 characters, more than read.max_field_chars=100 — row quarantined"),
    ]
    assert parsed.issues[0].raw == "2," + "x" * 101 + "\n"


def test_batches_stream_the_records_with_their_issues() -> None:
    data = b"a,b\n" + b"".join(f"{i},{i}\n".encode() for i in range(5)) + b"bad\n" + b"9,9\n"
    f, batches = iter_batches(data, "x.csv", size=2)
    assert (f.header, f.delimiter, f.encoding) == (["a", "b"], ",", "utf-8")
    got = [(b.records, b.lines, [i.line for i in b.issues]) for b in batches]
    assert got == [
        ([["0", "0"], ["1", "1"]], [2, 3], []),
        ([["2", "2"], ["3", "3"]], [4, 5], []),
        ([["4", "4"], ["9", "9"]], [6, 8], [7]),
    ]
    assert CsvFile(b"a\n", "y.csv").header == ["a"]


def test_batch_size_never_changes_what_is_read() -> None:
    data = b'a,b\n1,2\n\n3,"x\ny"\n4\n5,"open\n6,7\n8,"q"z\n9,' + b"w" * 30 + b'\n10,11\r12,13\r\n14,"never\n15,16\n'
    options = ReadOptions(max_field_chars=20)

    def read(size: int):
        f, batches = iter_batches(data, "x.csv", options, size=size)
        out = [(b.records, b.lines, [(i.line, i.reason, i.raw) for i in b.issues]) for b in batches]
        return [r for b in out for r in b[0]], [n for b in out for n in b[1]], [i for b in out for i in b[2]]

    records, lines, issues = read(50_000)
    assert records == [["1", "2"], ["3", "x\ny"], ["10", "11"], ["12", "13"], ["15", "16"]]
    assert lines == [2, 4, 11, 12, 14]
    # a stray quote ends the record it broke (lines 7-9: the quote opened on line 7 closed on line 9);
    # a quote still open at the end of the file costs only its own line (13)
    assert [(line, reason.split(": ", 1)[1], raw) for line, reason, raw in issues] == [
        (6, "1 fields, header has 2 — row quarantined", "4\n"),
        (7, "unparseable CSV (',' expected after '\"') — row quarantined", '5,"open\n6,7\n8,"q"z\n'),
        (10, "field 2 (b) has 30 characters, more than read.max_field_chars=20 — row quarantined", "9," + "w" * 30 + "\n"),
        (13, "unparseable CSV (unexpected end of data) — row quarantined", '14,"never\n'),
    ]
    for size in (1, 2, 3):
        assert read(size) == (records, lines, issues)


# ---------------------------------------------------------------- streaming (file objects, blocks, kept lines)


class _Pipe(io.RawIOBase):
    """A non-seekable binary stream (a socket or pipe stand-in)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _read_all(source, options: ReadOptions | None = None):  # noqa: ANN001, ANN202
    parsed = parse_csv(source, "x.csv", options)
    return parsed.header, parsed.records, parsed.lines, [(i.line, i.reason, i.raw) for i in parsed.issues], parsed.warnings


MESSY = (
    'a,b\n1,"Zoë\nÜber"\r\n\n3,"x\r\ny"\r4\n5,"open\n6,7\n8,"q"z\n9,' + "é" * 30 + '\n10,11\r12,13\r\n'
    + "".join(f"{i},\"multi\nline €\"\n" for i in range(20, 40)) + '14,"never\n15,16\n'
).encode("utf-8")


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64])
def test_small_read_blocks_give_the_same_result_as_one_block(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    options = ReadOptions(max_field_chars=20)
    whole = _read_all(MESSY, options)
    assert whole[1][:3] == [["1", "Zoë\nÜber"], ["3", "x\r\ny"], ["10", "11"]]
    assert [line for line, _, _ in whole[3]] == [7, 8, 11, 54]
    assert whole[3][1][2] == '5,"open\n6,7\n8,"q"z\n'  # the broken record straddles blocks, its raw text is whole
    monkeypatch.setattr(streams, "READ_BLOCK", block)  # multi-byte characters and \r\n cut between blocks
    monkeypatch.setattr(csv_file, "TRIM_CHARS", 5)  # finished lines are dropped all the time
    assert _read_all(io.BytesIO(MESSY), options) == whole
    assert _read_all(_Pipe(MESSY), options) == whole


def test_a_file_object_is_read_from_its_position_and_a_bytes_like_source_works() -> None:
    stream = io.BytesIO(b"junk" + MESSY)
    stream.seek(4)
    assert _read_all(stream) == _read_all(MESSY) == _read_all(bytearray(MESSY))


def test_utf8_decided_over_the_whole_stream_not_the_first_block(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"name;city\n" + b"Ann;Paris\n" * 40 + "Zoë;Köln\n".encode("cp1252")
    monkeypatch.setattr(streams, "READ_BLOCK", 16)
    parsed = parse_csv(io.BytesIO(data), "x.csv")
    assert (parsed.encoding, parsed.records[-1]) == ("cp1252", ["Zoë", "Köln"])


def test_a_decode_error_names_its_position_in_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"a,b\n" + b"1,2\n" * 1000 + b"3,\xff\n"
    monkeypatch.setattr(streams, "READ_BLOCK", 7)
    with pytest.raises(UnreadableFile, match=re.escape("cannot decode as utf-8: 'utf-8' codec can't decode byte 0xff in position 4006: invalid start byte")):
        parse_csv(io.BytesIO(data), "x.csv", ReadOptions(encoding="utf-8"))


def test_nul_and_bom_cleanup_spans_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    data = codecs.BOM_UTF8 + b"a,b\n1,\x002\n\x00\x003,4\n"
    monkeypatch.setattr(streams, "READ_BLOCK", 1)
    parsed = parse_csv(io.BytesIO(data), "x.csv")
    assert (parsed.header, parsed.records, parsed.warnings) == (
        ["a", "b"], [["1", "\x002"], ["\x00\x003", "4"]], ["3 NUL byte(s) (records on lines 2, 3): kept in the values as read — cleaning removes them (a control character) and keeps each value as written in <col>__raw (normalized: control)"]
    )


def test_a_record_past_the_cap_counts_as_an_unclosed_quote(monkeypatch: pytest.MonkeyPatch) -> None:
    # The quote on line 3 closes on line 14: within the cap the whole span is one bad record;
    # past the cap only line 3 is quarantined and lines 4.. are read again.
    data = b'a,b\n1,2\n3,"open\n' + b"x,y\n" * 10 + b'z",w\n5,6\n'
    options = ReadOptions(max_field_chars=5)
    _, records, _, issues, _ = _read_all(data, options)
    assert records == [["1", "2"], ["5", "6"]]
    assert [(line, reason.split(": ", 1)[1]) for line, reason, _ in issues] == [(3, "3 fields, header has 2 — row quarantined")]
    monkeypatch.setattr(csv_file, "TRIM_CHARS", 4)
    monkeypatch.setattr(csv_file, "MIN_RECORD_CAP_CHARS", 20)  # the cap is max(this, 2 x (2 + 1) x (5 + 1)) = 36 characters
    _, records, lines, issues, _ = _read_all(data, options)
    assert records == [["1", "2"], *[["x", "y"]] * 10, ['z"', "w"], ["5", "6"]]
    assert lines == [2, *range(4, 16)]
    assert issues == [(3, "x.csv line 3: unparseable CSV (a record runs on past 36 characters (a quote that never closes?)) — row quarantined", '3,"open\n')]


def test_stream_sha256_reads_in_blocks_and_rewinds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams, "READ_BLOCK", 3)
    stream = io.BytesIO(b"xxa,b\n1,2\n")
    stream.seek(2)
    assert stream_sha256(stream) == (hashlib.sha256(b"a,b\n1,2\n").hexdigest(), 8) == stream_sha256(b"a,b\n1,2\n")
    assert stream.tell() == 2


def test_ingest_stage_reads_a_file_object_like_its_bytes(settings, tmp_path) -> None:  # noqa: ANN001
    from headwater.decide import decide
    from headwater.ingest.stage import ingest as ingest_file
    from headwater.manifest import FileRef
    from headwater.layout import Layout
    from headwater.storage import read_json

    good = tmp_path / "people.csv"
    good.write_bytes(MESSY)
    from_bytes = ingest_file(MESSY, FileRef("2026-11-20", "people.csv"), settings)
    staged = pd.read_parquet(Layout(settings.data_dir, "2026-11-20").staging("people.csv"))
    with open(good, "rb") as fh:
        from_file = ingest_file(fh, FileRef("2026-11-20", "people.csv"), settings)
        fh.seek(0)
        ref = FileRef("2026-11-20", "people.csv")
        assert decide(fh, ref, settings) == decide(MESSY, ref, settings)
    assert from_file == from_bytes and from_file["rows_read"] == 29
    assert pd.read_parquet(Layout(settings.data_dir, "2026-11-20").staging("people.csv")).equals(staged)

    packed = gzip.compress(MESSY)  # gzip bytes under a .csv name: read through the decompressor, hashed as stored
    with open(tmp_path / "packed.csv", "wb") as fh:
        fh.write(packed)
    with open(tmp_path / "packed.csv", "rb") as fh:
        info = ingest_file(fh, FileRef("2026-11-20", "packed.csv"), settings)
    assert (info["status"], info["rows_read"]) == ("ok", 29)
    assert pd.read_parquet(Layout(settings.data_dir, "2026-11-20").staging("packed.csv")).equals(staged)
    manifest = read_json(Layout(settings.data_dir, "2026-11-20").manifest("packed.csv"))
    assert (manifest["sha256"], manifest["compression"]) == (hashlib.sha256(packed).hexdigest(), "gzip")


def test_lines_read_again_after_an_unclosed_quote_survive_a_second_broken_record() -> None:
    # line 2's quote runs to the end of the file; lines 3.. are read again, and line 4 breaks again
    parsed = parse_csv(b'a,b\n"\n1,2\n3,""x\n4,5\n', "x.csv")
    assert (parsed.records, parsed.lines) == ([["1", "2"], ["4", "5"]], [3, 5])
    assert [(i.line, i.raw) for i in parsed.issues] == [(2, '"\n'), (4, '3,""x\n')]


def test_a_line_longer_than_many_blocks_and_a_pipe_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams, "READ_BLOCK", 4)
    data = b"id,blob\n1," + b"x" * 50 + b"\r\n2,y\n"
    assert _read_all(_Pipe(data)) == (["id", "blob"], [["1", "x" * 50], ["2", "y"]], [2, 3], [], [])
    assert stream_sha256(_Pipe(data)) == (hashlib.sha256(data).hexdigest(), len(data))
    # a bare \r at a block end, then a last line without line end (read, and warned: no_line_terminator, see test_cut_file.py)
    assert _read_all(io.BytesIO(b"a,b\n1,2\r3,44"))[1:3] == ([["1", "2"], ["3", "44"]], [2, 3])
    assert _read_all(io.BytesIO(b"a,b\n1,2\r3,44\n"))[1:3] == ([["1", "2"], ["3", "44"]], [2, 3])


# ---------------------------------------------------------------- the encoding is proved by the parse, not by a pass of its own

# 2 MiB of ASCII, then one cp1252 line: UTF-8 as far as the head shows.
LATE = b"id,text\n" + b"1,hello\n" * 262_144 + "2,café\n".encode("cp1252")
READ_AGAIN = (
    "not UTF-8 after its first 262,144 bytes ('utf-8' codec can't decode byte 0xe9 in position 2097165: "
    "invalid continuation byte): read again as cp1252 (a second read of the file)"
)


def test_a_file_utf8_only_in_its_head_gets_the_same_encoding_and_records_as_a_whole_file_check() -> None:
    parsed = parse_csv(io.BytesIO(LATE), "x.csv")
    assert (parsed.encoding, parsed.header, len(parsed.records), parsed.records[-1], parsed.lines[-1]) == (
        "cp1252", ["id", "text"], 262_145, ["2", "café"], 262_146,
    )
    assert parsed.records[:-1] == [["1", "hello"]] * 262_144 and parsed.warnings == [READ_AGAIN]
    assert detect_encoding(LATE) == "cp1252"


def test_batches_raise_read_again_and_restart_reads_from_the_first_record() -> None:
    f = CsvFile(LATE, "x.csv")
    assert (f.encoding, f.stream.passes) == ("utf-8", 1)
    seen = []
    with pytest.raises(ReadAgain) as again:
        for batch in f.batches(100_000):
            seen.append(len(batch.records))
    # the bad byte sits in the block decoded while the second batch is filled (blocks are read ahead of the rows)
    assert seen == [100_000] and (again.value.encoding, again.value.warning) == ("cp1252", READ_AGAIN)
    f.restart()
    assert (f.encoding, f.warnings, f.stream.passes) == ("cp1252", [READ_AGAIN], 2)
    assert [len(b.records) for b in f.batches(100_000)] == [100_000, 100_000, 62_145]
    assert f.stream.digest() == (hashlib.sha256(LATE).hexdigest(), len(LATE))
    with pytest.raises(RuntimeError, match="restart"):
        f.restart()


def test_a_late_byte_met_while_the_header_is_read_restarts_before_any_record() -> None:
    header = b",".join(b"c%d" % i for i in range(40_000))  # a header longer than the head
    data = header + "é\n".encode("cp1252") + b"1" + b",x" * 39_999 + b"\n"
    f = CsvFile(data, "x.csv")
    assert (f.encoding, f.header[-1], f.stream.passes) == ("cp1252", "c39999é", 2)
    assert f.warnings == [
        (
            f"not UTF-8 after its first {HEAD_BYTES:,} bytes ('utf-8' codec can't decode byte 0xe9 in position {len(header)}: "
            "invalid continuation byte): read again as cp1252 (a second read of the file)"
        )
    ]
    assert [b.records for b in f.batches()] == [[["1"] + ["x"] * 39_999]]


def test_a_character_cut_by_the_end_of_the_head_is_still_utf8() -> None:
    data = b"id,t\n1," + b"x" * (HEAD_BYTES - 8) + "é".encode() + b"\n2,y\n"  # é's two bytes straddle the head's end
    assert data[HEAD_BYTES - 1 : HEAD_BYTES + 1] == "é".encode()
    f = CsvFile(data, "x.csv", ReadOptions(max_field_chars=HEAD_BYTES))
    assert [r for b in f.batches() for r in b.records] == [["1", "x" * (HEAD_BYTES - 8) + "é"], ["2", "y"]]
    assert (f.encoding, f.warnings, f.stream.passes) == ("utf-8", [], 1)


def test_a_file_that_decodes_in_no_encoding_keeps_the_reason_a_whole_file_check_gave() -> None:
    late = LATE[:-7] + b"2,\x81x\n"
    with pytest.raises(UnreadableFile, match=re.escape(
        "cannot decode as cp1252: 'charmap' codec can't decode byte 0x81 in position 2097162: character maps to <undefined>"
    )):
        parse_csv(late, "x.csv")
    # a broken header used to be found after the whole-file decode check: the decode error still comes first
    bad_header = b'"a,b\n' + b"1,2\n" * 100_000 + b"\x81\xff\n"
    with pytest.raises(UnreadableFile, match=re.escape("cannot decode as cp1252: 'charmap' codec can't decode byte 0x81 in position 400005")):
        parse_csv(bad_header, "x.csv")
    with pytest.raises(UnreadableFile, match=re.escape("line 1: the header row is not valid CSV (unexpected end of data)")):
        parse_csv(bad_header[:-3] + "é\n".encode("cp1252"), "x.csv")


# A UTF-8 export with one line from a cp1252 system (breaker2 #5): UTF-8 stays, the line is quarantined as written.
MIXED = "id,name,city\n1,José,Málaga\n2,Ana,León\n3,Zoë,Köln\n".encode() + "4,José,Málaga\n".encode("cp1252")
INVALID_4 = (
    "x.csv line 5: not UTF-8 (invalid_utf8) in a UTF-8 file — row quarantined with its bytes as written; "
    "read as cp1252 it would be: 4,José,Málaga (fix the line, or set read.encoding if the whole file is cp1252)"
)


@pytest.mark.parametrize("block", [7, 1 << 20])
def test_a_utf8_file_with_one_cp1252_line_stays_utf8_and_quarantines_that_line(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    monkeypatch.setattr(streams, "READ_BLOCK", block)
    header, records, lines, issues, warnings = _read_all(io.BytesIO(MIXED))
    assert parse_csv(MIXED, "x.csv").encoding == "utf-8" and detect_encoding(MIXED) == "utf-8"
    assert (header, records, lines) == (["id", "name", "city"], [["1", "José", "Málaga"], ["2", "Ana", "León"], ["3", "Zoë", "Köln"]], [2, 3, 4])
    assert issues == [(5, INVALID_4, "4,Jos\\xe9,M\\xe1laga")]
    assert warnings == ["1 line(s) not UTF-8 in a UTF-8 file (lines 5): quarantined as invalid_utf8 with their bytes as written"]


def test_a_bad_line_past_the_head_of_a_utf8_file_is_quarantined_without_a_second_read() -> None:
    data = b"id,name\n" + b"".join(f"{i},Jos\u00e9 {i}\n".encode() for i in range(60_000)) + "60000,Renée\n".encode("cp1252")
    f = CsvFile(data, "x.csv")
    batches = list(f.batches(50_000))
    assert (f.encoding, f.stream.passes, [len(b.records) for b in batches]) == ("utf-8", 1, [50_000, 10_000])
    assert (batches[0].records[0], batches[1].records[-1]) == (["0", "José 0"], ["59999", "José 59999"])
    assert [(i.line, i.raw) for b in batches for i in b.issues] == [(60_002, "60000,Ren\\xe9e")]
    assert "read as cp1252 it would be: 60000,Renée" in batches[1].issues[0].reason
    assert f.invalid_utf8_lines == [60_002]


def test_a_bad_line_inside_a_quoted_multiline_record_quarantines_the_record_at_its_first_line() -> None:
    data = 'id,note\n1,"Zoë said\n'.encode() + 'très bien"\n'.encode("cp1252") + "2,Köln\n".encode()
    _, records, lines, issues, _ = _read_all(data)
    assert (records, lines) == ([["2", "Köln"]], [4])
    assert [(line, raw) for line, _, raw in issues] == [(2, "tr\\xe8s bien\"")]
    assert issues[0][1].startswith("x.csv line 3: not UTF-8 (invalid_utf8)")


def test_a_file_mostly_in_cp1252_with_one_utf8_looking_line_is_still_read_as_cp1252() -> None:
    data = "id,name,city\n1,Renée Dupont,Besançon\n2,François Müller,Köln\n".encode("cp1252") + "3,Zoë,Malmö\n".encode()
    parsed = parse_csv(data, "x.csv")
    assert parsed.encoding != "utf-8"  # two lines not UTF-8 against one that is: the file is not UTF-8 with a bad line
    assert (parsed.records[:2], parsed.issues) == ([["1", "Renée Dupont", "Besançon"], ["2", "François Müller", "Köln"]], [])
