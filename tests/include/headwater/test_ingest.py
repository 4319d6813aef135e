import codecs
import re
import gzip

import pytest

from headwater.ingest import UnreadableFile, detect_encoding, parse_csv, sniff_delimiter


def test_utf8_comma_file_with_ragged_rows() -> None:
    data = b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12,,\n"
    parsed = parse_csv(data, "x.csv")
    assert parsed.header == ["a", "b", "c"]
    assert parsed.records == [["1", "2", "3"], ["10", "11", "12"]]
    assert parsed.lines == [2, 5]
    assert [(i.line, i.reason) for i in parsed.issues] == [
        (3, "x.csv line 3: 2 fields, header has 3 — row quarantined"),
        (4, "x.csv line 4: 4 fields, header has 3 — row quarantined"),
    ]
    assert parsed.rows_read == 4


@pytest.mark.parametrize(("delim"), [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(delim: str) -> None:
    text = delim.join(["id", "name", "note"]) + "\n" + delim.join(["1", "Ann", "hello, world"]) + "\n"
    if delim == ",":
        text = 'id,name,note\n1,Ann,"hello, world"\n'
    assert sniff_delimiter(text) == delim
    assert parse_csv(text.encode(), "x.csv").records == [["1", "Ann", "hello, world"]]


def test_quoted_multiline_field_keeps_its_start_line() -> None:
    data = b'id,text\n1,"first line\nsecond line"\n2,plain\n'
    parsed = parse_csv(data, "x.csv")
    assert parsed.records == [["1", "first line\nsecond line"], ["2", "plain"]]
    assert parsed.lines == [2, 4]


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


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file (0 bytes)"),
        (gzip.compress(b"a,b\n1,2\n"), "gzip data with a CSV name"),
        (b"PK\x03\x04rest", "zip data with a CSV name"),
        (bytes(range(256)) * 4, "control bytes"),
        (b"\n\n  \n", "no header row"),
    ],
)
def test_unreadable_files_raise_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableFile, match=re.escape(reason)):
        parse_csv(data, "x.csv")


def test_header_only_file_has_no_rows() -> None:
    parsed = parse_csv(b"a,b,c\n", "x.csv")
    assert parsed.header == ["a", "b", "c"] and parsed.rows_read == 0


def test_unclosed_quote_quarantines_the_rest_of_the_file() -> None:
    parsed = parse_csv(b'a,b\n1,2\n3,"never closed\n4,5\n', "x.csv")
    assert parsed.records == [["1", "2"]]
    assert len(parsed.issues) == 1 and parsed.issues[0].line == 3
    assert "unparseable CSV" in parsed.issues[0].reason


def test_nul_bytes_are_removed() -> None:
    assert parse_csv(b"a,b\n1,2\x00\n", "x.csv").records == [["1", "2"]]
