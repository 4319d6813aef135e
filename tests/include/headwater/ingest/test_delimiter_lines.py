"""A line of delimiters only (``,,,,``) inside the table holds no value (struct6): it is a structural ``blank`` line, as it is
above the table, in both read engines, whatever its width; before, one of the table's width was read as a record and quarantined
by the clean step as "every value is empty", inflating the quarantine. A quoted empty field (``"",""``) or spaces between the
delimiters were written, and stay a record."""

from __future__ import annotations

import pytest
from test_table_stage import run

from headwater.config.read import ReadOptions
from headwater.config.settings import Settings
from headwater.ingest.csv_file import CsvFile

BODY = "".join(f"{i},n{i},{i}0\n" for i in range(1, 41))  # 40 plain lines: the arrow engine takes runs of them


def _read(data: bytes, size: int = 50_000) -> tuple[list[int], list[int], dict]:
    """(record lines, quarantined lines, structural lines by kind), the same with both engines."""
    out = []
    for engine in ("arrow", "python"):
        f = CsvFile(data, "r.csv", ReadOptions(engine=engine))
        batches = list(f.batches(size))
        records = [n for b in batches for n in b.lines]
        issues = [i.line for b in batches for i in b.issues]
        assert f.structure.records == len(records) + len(issues) + f.structure.total
        out.append((records, issues, f.structure.lines))
    assert out[0] == out[1]
    return out[0]


@pytest.mark.parametrize("end", ["\n", "\r\n"])
@pytest.mark.parametrize("size", [7, 50_000])
def test_a_line_of_delimiters_between_plain_runs_is_blank(end: str, size: int) -> None:
    data = ("id,name,amount" + end + BODY.replace("\n", end) + ",," + end + BODY.replace("\n", end)).encode()
    records, issues, lines = _read(data, size)
    assert records == list(range(2, 42)) + list(range(43, 83)) and issues == []
    assert lines == {"header": [1], "blank": [42]}


def test_delimiter_lines_of_any_width_are_blank_a_quoted_empty_or_spaces_stay_records() -> None:
    data = b'id,name,amount\n1,a,1\n,,\n,\n,,,,\n"","",""\n , , \n2,b,2\n'
    records, issues, lines = _read(data)
    assert records == [2, 6, 7, 8] and issues == []
    assert lines == {"header": [1], "blank": [3, 4, 5]}


def test_other_delimiters() -> None:
    for delimiter in (";", "\t", "|"):
        data = ("id{d}name{d}amount\n1{d}a{d}1\n{d}{d}\n2{d}b{d}2\n".replace("{d}", delimiter)).encode()
        assert _read(data) == ([2, 4], [], {"header": [1], "blank": [3]}), delimiter


def test_a_delimiter_line_is_blank_through_the_stages(settings: Settings) -> None:
    data = ("id,name,amount\n" + BODY + ",,\n" + "41,n41,410\n").encode()
    manifest, curated, entry = run(settings, "d.csv", data)
    assert manifest["structural_lines"] == {"header": [1], "blank": [42]}
    assert list(curated["_line"]) == list(range(2, 42)) + [43]
    assert (entry["records"], entry["rows_read"], entry["curated"], entry["quarantined"], entry["structural_lines"]) == (43, 41, 41, 0, 2)
