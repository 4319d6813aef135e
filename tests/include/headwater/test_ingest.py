import codecs
import gzip
import re

import pytest

from headwater.ingest import (
    CsvFile,
    ReadOptions,
    UnreadableFile,
    detect_encoding,
    iter_batches,
    parse_csv,
    sniff_delimiter,
    utf16_without_bom,
)


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
        (b"", "empty file (0 bytes)"),
        (gzip.compress(b"a,b\n1,2\n"), "gzip data with a CSV name"),
        (b"PK\x03\x04rest", "zip (or xlsx/docx) data with a CSV name"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "OLE2 (legacy .xls/.doc) data"),
        (b"SQLite format 3\x00" + bytes(100), "SQLite database data"),
        (b"  <!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "an HTML page with a CSV name"),
        (bytes(range(256)) * 4, "control bytes"),
        (b"\n\n  \n", "no header row"),
        (codecs.BOM_UTF8, "no header row"),
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


def test_nul_bytes_are_removed_and_reported() -> None:
    parsed = parse_csv(b"a,b\n1,2\x00\n", "x.csv")
    assert parsed.records == [["1", "2"]]
    assert parsed.warnings == ["1 NUL byte(s) removed"]


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
