"""Dialect sniffing that respects quoting (a multi-line text across the sniffing sample) and text formats under a CSV name."""

from __future__ import annotations

import csv
import io
import re

import pytest

from headwater.config.read import ReadOptions
from headwater.ingest.csv_file import parse_csv
from headwater.ingest.sniff import SNIFF_BYTES, check_not_binary, other_format, quoted_break, sample_end
from headwater.ingest.streams import UnreadableFile

WORDS = "the pump at site seven failed again after the repair crew replaced the seal and the valve".split()


def _text(chars: int, seed: int) -> str:
    """``chars`` characters of words in lines of 1-12 words ("." line ends, some lines quoted e-mail style with ``> ``)."""
    out, i = [], seed
    while sum(map(len, out)) < chars:
        i = (i * 1103515245 + 12345) % 2**31
        out.append(" ".join(WORDS[(i >> k) % len(WORDS)] for k in range(1 + i % 12)) + (".\n" if i % 3 else '.\n> "quoted" '))
    return "".join(out)[:chars]


def _csv(rows: list[list[str]], lineterminator: str = "\r\n") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=lineterminator).writerows(rows)
    return buf.getvalue().encode()


# --- #19: a quoted multi-line text covering the sniffing sample ---------------------------------------------------


@pytest.mark.parametrize(("chars", "lineterminator"), [(66_000, "\r\n"), (100_000, "\n"), (300_000, "\r\n")])
def test_multiline_text_longer_than_the_sample_in_the_first_record_stays_one_field(chars: int, lineterminator: str) -> None:
    body = _text(chars, 5)
    data = _csv([["doc_id", "title", "body"], ["D-1", "Pump report", body], ["D-2", "Second", "short text here"]], lineterminator)
    parsed = parse_csv(data, "ml.csv")
    assert (parsed.header, parsed.delimiter) == (["doc_id", "title", "body"], ",")
    assert parsed.records == [["D-1", "Pump report", body], ["D-2", "Second", "short text here"]]
    assert (parsed.lines, parsed.issues, parsed.warnings) == ([2, body.count("\n") + 3], [], [])


def test_long_email_thread_third_from_the_top_crossing_the_sample_stays_one_record() -> None:
    """The helpdesk export of the report: 20 short tickets, a 70,000-character e-mail thread, 20 more: 41 records, not 321."""
    rows = [["ticket_id", "subject", "body"]] + [[f"T-{i}", f"Subject {i}", _text(300, i)] for i in range(20)]
    thread = _text(70_000, 99)
    rows += [["T-20", "Long thread", thread]] + [[f"T-{i}", f"Subject {i}", _text(300, i)] for i in range(21, 41)]
    data = _csv(rows)
    assert len(_csv(rows[:21])) < SNIFF_BYTES < len(_csv(rows[:22]))  # the thread crosses the end of the sample
    parsed = parse_csv(data, "tickets.csv")
    assert parsed.header == ["ticket_id", "subject", "body"]
    assert [r[0] for r in parsed.records] == [f"T-{i}" for i in range(41)]
    assert parsed.records[20] == ["T-20", "Long thread", thread]
    assert (parsed.issues, parsed.warnings) == ([], [])


def test_semicolon_file_with_a_long_multiline_text_keeps_its_delimiter() -> None:
    body = _text(80_000, 3)
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerows([["id", "note"], ["1", body], ["2", "kurz"]])
    parsed = parse_csv(buf.getvalue().encode(), "semi.csv")
    assert (parsed.header, parsed.delimiter, parsed.records) == (["id", "note"], ";", [["1", body], ["2", "kurz"]])


def test_text_longer_than_the_reader_takes_is_quarantined_with_the_file_never_split_into_lines() -> None:
    """Past read.max_field_chars the sample cannot reach the closing quote: unsure, so the file is quarantined, not read as lines."""
    body = _text(300_000, 5)
    data = _csv([["doc_id", "title", "body"], ["D-1", "Pump report", body], ["D-2", "Second", "short text here"]])
    with pytest.raises(UnreadableFile, match=re.escape(
        "line 2: a quoted text after ',' holds line breaks, but the first 65,536 characters do not read as a ','-delimited table: "
        "read as one column, that text would be split into records — file quarantined; set read.delimiter: ',' for this source"
    )):
        parse_csv(data, "ml.csv", ReadOptions(max_field_chars=1000))


def test_a_one_column_file_with_quoted_multiline_values_is_still_one_column() -> None:
    data = b'note\n"first line\nsecond line, with a comma"\nplain value\n'
    parsed = parse_csv(data, "notes.csv")
    assert (parsed.header, parsed.delimiter) == (["note"], None)
    assert parsed.records == [["first line\nsecond line, with a comma"], ["plain value"]]


@pytest.mark.parametrize(
    ("text", "cut", "end"),
    [
        ('a,b\n1,"xy\nz"\n2,3\n4,5\n', 6, 6),  # the cut is outside a quoted field
        ('a,b\n1,"xy\nz"\n2,3\n4,5\n', 9, 17),  # inside: through the closing quote's line and the next one
        ('a,b\n1,"x""y\nz"""\n2,3\n4,5\n', 10, 21),  # doubled quotes inside the field do not close it
        ('a,b\n1,"x""y\nz"""\n2,3\n4,5\n', 9, 21),  # the cut between the two quotes of a doubled quote
        ('a,b\r\n1,"xy\r\nz"\r\n2,3\r\n4,5\r\n', 10, 21),  # CRLF line ends
        ('a,b\n1,"xy\nz"\n2,3', 9, None),  # the file goes on: read more
        ('a,b\n1,"xy\nz', 9, None),
        ("a,b\n1,'xy\nz'\n2,3\n4,5\n", 9, 9),  # another quote character is not a quote
    ],
)
def test_sample_end(text: str, cut: int, end: int | None) -> None:
    assert sample_end(text, cut) == end


def test_sample_end_with_another_quote_character() -> None:
    assert sample_end("a,b\n1,'xy\nz'\n2,3\n4,5\n", 9, "'") == 17


@pytest.mark.parametrize(
    ("sample", "found"),
    [
        ('doc_id,title,body\nD-1,Pump,"repair\nagain', (2, ",")),  # cut inside the open text
        ('a;b\n1;2\n3;"x\ny"\n', (3, ";")),
        ('note\n"first\nsecond"\n', None),  # a whole quoted value is a one-column file's own
        ('a,b\n1,"x y"\n', None),  # quoted, one line
        ("a,b\n1,x\ny\n", None),
    ],
)
def test_quoted_break(sample: str, found: tuple[int, str] | None) -> None:
    assert quoted_break(sample) == found


# --- #21: JSON, JSON Lines, XML and Markdown tables under a CSV name -------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    ids=["jsonl", "jsonl-bom-crlf", "jsonl-arrays", "json-array", "json-indented", "json-object", "json-array-cut", "json-spaces",
         "xml", "xml-bom", "markdown", "markdown-aligned", "rtf-wordpad", "rtf-bom-textedit", "rtf-spaces"],
    argvalues=[
        (b'{"id": 1, "name": "Ann", "amount": 10.5}\n{"id": 2, "name": "Bob", "amount": 20}\n', "JSON Lines"),
        (b'\xef\xbb\xbf{"id": 1}\r\n{"id": 2}\r\n', "JSON Lines"),  # BOM, CRLF
        (b'[1, "a"]\n[2, "b"]\n', "JSON Lines"),
        (b'[{"id": 1, "name": "Ann"},\n {"id": 2, "name": "Bob"}]', "JSON"),
        (b'[\n  {\n    "id": 1,\n    "name": "Ann"\n  }\n]\n', "JSON"),  # json.dump(indent=2)
        (b'{\n  "orders": [1, 2]\n}\n', "JSON"),
        (b"[" + b", ".join(b'{"id": %d, "text": "%s"}' % (i, b"x" * 100) for i in range(1000)), "JSON"),  # cut by the head
        (b'  {"id": 1}', "JSON"),
        (b'<?xml version="1.0"?>\n<orders>\n<order id="1" amount="10.5"/>\n</orders>\n', "XML"),
        (b'\xef\xbb\xbf<?XML version="1.0" encoding="utf-8"?><a/>', "XML"),
        (b"| id | name | amount |\n|----|------|--------|\n| 1  | Ann  | 10.5   |\n", "Markdown table"),
        (b"|id|name|\n|:--|--:|\n|1|Ann|\n", "Markdown table"),
        # breaker4 #23: a table saved as RTF (curated as columns pard_id, amount_par before)
        (b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Calibri;}}\r\n\\pard id,name,amount\\par\r\n1,Ann,10\\par\r\n2,Bob,20\\par\r\n}\r\n", "RTF"),
        (b"\xef\xbb\xbf{\\rtf1\\ansi\\ansicpg1252\\cocoartf2761\nid;name\\\n1;Ann\\\n}", "RTF"),
        (b"  {\\rtf1 id,name\\par 1,Ann}", "RTF"),
    ],
)
def test_text_formats_under_a_csv_name_are_quarantined_naming_the_format(data: bytes, kind: str) -> None:
    assert other_format(data) == kind
    reason = f"{kind} content with a CSV name, not a CSV table — file quarantined; export it as CSV and drop it again"
    with pytest.raises(UnreadableFile, match=re.escape(reason)):
        check_not_binary(data)
    with pytest.raises(UnreadableFile, match=re.escape(reason)):
        parse_csv(data, "events.csv")


@pytest.mark.parametrize(
    ("data", "records"),
    [
        (b"[1,2],x\n[3,4],y\n", [["[3", "4]", "y"]]),  # brackets in a CSV, not one JSON value per line
        (b"{a},b\n{c},d\n", [["{c}", "d"]]),
        (b'id,payload\n1,"{""a"": 1}"\n', [["1", '{"a": 1}']]),  # JSON inside a CSV field
        (b"|a|b|\n|x|y|\n", [[None, "x", "y"]]),  # None: nothing before the first "|"; pipes without a Markdown delimiter row: a '|' file
        (b"{rtf},b\n{x},y\n", [["{x}", "y"]]),  # braces, no RTF control word
    ],
)
def test_csv_that_only_looks_like_another_format_is_read(data: bytes, records: list[list[str]]) -> None:
    assert other_format(data) is None
    assert parse_csv(data, "x.csv").records == records
