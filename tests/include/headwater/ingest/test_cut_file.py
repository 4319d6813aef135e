"""A file still being written: its last record cut, with no line end, under lines that all end with one (breaker 3, finding 2).

``O-3,Cy,3`` (the exporter was writing ``30.00``) was curated as 3.0 with no warning. The last line is still read
as a record (complete files without a final line end are common: Google Sheets' download, ``"\n".join``), and
the file is warned about (no_line_terminator) naming the line; a cut that leaves the line short of the table's
width is quarantined by the width rules. A file that gives nothing to compare with (one line, or a header and
one record) and a blank tail get no warning.
"""

from __future__ import annotations

import pytest

from headwater.config.read import ReadOptions
from headwater.ingest.csv_file import CsvFile, iter_batches, parse_csv

CUT = "line {n}, the last line, has no line terminator while every line above it ends with one (no_line_terminator): " \
    "read as a record, but the file may be incomplete (still being written, or cut in transfer) — check that line's last " \
    "value, or drop the complete file again"


@pytest.mark.parametrize(
    ("data", "records"),
    [
        # the report's example
        (b"order_id,customer,amount\nO-1,Ann,10.50\nO-2,Bob,20.00\nO-3,Cy,3", [["O-1", "Ann", "10.50"], ["O-2", "Bob", "20.00"], ["O-3", "Cy", "3"]]),
        # cut between fields, with \r\n line ends, with \r line ends, inside a text value
        (b"id,name,amount\r\n1,Ann,10\r\n2,Bob,", [["1", "Ann", "10"], ["2", "Bob", None]]),  # None: nothing written after the comma
        (b"id,amount\r1,10\r2,20\r3,3", [["1", "10"], ["2", "20"], ["3", "3"]]),
        (b"id,city\n1,Oslo\n2,Lima\n3,Quit", [["1", "Oslo"], ["2", "Lima"], ["3", "Quit"]]),
        # a header and two records: the first record ends with a line end
        (b"a,b\n1,2\n3,4", [["1", "2"], ["3", "4"]]),
    ],
)
def test_a_last_line_without_a_line_end_is_read_and_the_file_warned(data: bytes, records: list[list[str]]) -> None:
    parsed = parse_csv(data, "x.csv")
    n = len(records) + 1
    assert parsed.records == records and parsed.issues == []
    assert CUT.format(n=n) in parsed.warnings
    assert parsed.rows_read == len(records)


def test_a_cut_that_leaves_the_line_short_is_quarantined_by_its_width() -> None:
    parsed = parse_csv(b"id,name,amount\n1,Ann,10\n2,Bob,20\n3,C", "x.csv")
    assert parsed.records == [["1", "Ann", "10"], ["2", "Bob", "20"]]
    assert [(i.line, i.raw) for i in parsed.issues] == [(4, "3,C")]
    assert CUT.format(n=4) in parsed.warnings


@pytest.mark.parametrize("engine", ["arrow", "python"])
def test_a_long_cut_file_in_both_engines_and_across_batches(engine: str) -> None:
    rows = [f"{i},name {i},{i}.50" for i in range(1, 301)]
    data = ("id,name,amount\n" + "\n".join(rows[:-1]) + "\n" + "300,name 300,3").encode()
    parsed = parse_csv(data, "x.csv", ReadOptions(engine=engine))
    assert parsed.records == [r.split(",") for r in rows[:-1]] + [["300", "name 300", "3"]]
    assert parsed.issues == [] and CUT.format(n=301) in parsed.warnings
    # batches of 299 records: the cut line is met in a batch of its own, after the last full one
    reader, batches = iter_batches(data, "x.csv", ReadOptions(engine=engine), size=299)
    got = [(b.table.num_rows, [(i.line, i.raw) for i in b.issues]) for b in batches]
    assert got == [(299, []), (1, [])]
    assert reader.cut_lines == [301]


@pytest.mark.parametrize(
    ("data", "records"),
    [
        (b"a,b\n1,2", [["1", "2"]]),  # a header and one record: no other record to compare with
        (b"a,b\n1,2\n3,4\n", [["1", "2"], ["3", "4"]]),  # complete
        (b"a,b\n1,2\n3,4\r", [["1", "2"], ["3", "4"]]),  # a lone \r ends the last line
        (b"a,b\n1,2\n  ", [["1", "2"]]),  # spaces after the last line end: a blank line, nothing cut
    ],
)
def test_no_evidence_of_a_cut_reads_as_before(data: bytes, records: list[list[str]]) -> None:
    parsed = parse_csv(data, "x.csv")
    assert parsed.records == records
    assert parsed.issues == []
    assert not any("no_line_terminator" in w for w in parsed.warnings)


def test_a_one_line_file_is_its_header() -> None:
    parsed = parse_csv(b"a,b", "x.csv")
    assert parsed.header == ["a", "b"] and parsed.rows_read == 0 and parsed.issues == []


# --- breaker4 #21: DOS's end-of-file marker (Ctrl-Z, 0x1A) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "marker_line"),
    ids=["report-crlf", "marker-with-line-end", "lf-two-markers", "cp850"],
    argvalues=[
        (b"id,name,amount\r\n1,Ann,10\r\n2,Bob,20\r\n\x1a", 4),  # the report's file
        (b"id,name,amount\r\n1,Ann,10\r\n2,Bob,20\r\n\x1a\r\n", 4),
        (b"id,name,amount\n1,Ann,10\n2,Bob,20\n\x1a\x1a", 4),
        ("id,name,amount\r\n1,José,10\r\n2,Bob,20\r\n\x1a".encode("cp850"), 4),
    ],
)
def test_a_ctrl_z_line_at_the_end_is_a_structural_end_of_file_marker(data: bytes, marker_line: int) -> None:
    for engine in ("arrow", "python"):
        f = CsvFile(data, "x.csv", ReadOptions(engine=engine))
        batches = list(f.batches())
        first = "José" if b"\x82" in data else "Ann"
        assert [r for b in batches for r in b.records] == [["1", first, "10"], ["2", "Bob", "20"]]
        assert [i for b in batches for i in b.issues] == [] and f.warnings == []
        assert (f.structure.records, f.structure.counts) == (4, {"header": 1, "end_of_file_marker": 1})
        assert f.structure.lines["end_of_file_marker"] == [marker_line] and f.lines_read == 4


def test_a_ctrl_z_right_after_the_last_value_is_no_part_of_it_and_no_cut() -> None:
    for engine in ("arrow", "python"):
        f = CsvFile(b"id,name,amount\r\n1,Ann,10\r\n2,Bob,20\x1a", "x.csv", ReadOptions(engine=engine))
        batches = list(f.batches())
        assert [r for b in batches for r in b.records] == [["1", "Ann", "10"], ["2", "Bob", "20"]]
        assert [i for b in batches for i in b.issues] == [] and f.warnings == [] and f.cut_lines == []
        # layout6: the marker is a structural piece of its own on line 3 (4 records on 3 lines), not dropped silently
        assert (f.structure.records, f.structure.counts) == (4, {"header": 1, "end_of_file_marker": 1})
        assert f.structure.lines["end_of_file_marker"] == [3] and f.lines_read == 3
        assert f.describe()["end_of_file_marker_removed"] == 3


def test_a_ctrl_z_inside_a_value_stays_in_it() -> None:
    parsed = parse_csv(b"id,note\n1,a\x1ab\n2,c\n", "x.csv")
    assert parsed.records == [["1", "a\x1ab"], ["2", "c"]] and parsed.structure.counts == {"header": 1}
