"""Breaker8 #12: the header written again right under it in another letter case (``day,night`` / ``Day,Night`` /
``1,2`` / ``3,4``) was counted as a ``repeated_header`` line, while the read warning said line 2 was kept "as a record"
and asked whether line 1 was a title (set read.header: 2). Both readings name the columns alike; line 2 is the header's
repeat, a structural line, and the warning now says so. With a later repeat (``DAY,NIGHT`` under ``day,night``, the
header again further down) the warning said ``possible_header_description ... kept as a record`` for the same line.

Inputs from /work/notes/breaker8/in/hdr (j_daynight.csv) and variants, embedded; read by the reader (both engines) and,
for the accounting, through ingest + clean + the run report.
"""

from __future__ import annotations

import pytest

from headwater.config.read import ReadOptions
from headwater.config.settings import Settings
from test_header_descriptions import read
from test_table_stage import run, values

DAYNIGHT = b"day,night\nDay,Night\n1,2\n3,4\n"  # breaker8 in/hdr/j_daynight.csv


def repeated(line: int, row: str, header: str) -> str:
    """The warning for the header's names repeated right under it in another letter case."""
    return (
        f"line {line} ({row}) right under the header (line {line - 1}, {header}) repeats its names in another letter case: "
        f"counted as a repeated_header line, not a record — the columns are named as line {line - 1} writes them"
    )


@pytest.mark.parametrize("engine", ["arrow", "python"])
@pytest.mark.parametrize(
    ("data", "header", "records", "lines", "structure", "warnings"),
    [
        (DAYNIGHT, ["day", "night"], [["1", "2"], ["3", "4"]], [3, 4], {"header": [1], "repeated_header": [2]},
         [repeated(2, "['Day', 'Night']", "['day', 'night']")]),
        # an exporter that upper-cases names
        (b"id,amount\nID,AMOUNT\n1,2.5\n3,4.5\n", ["id", "amount"], [["1", "2.5"], ["3", "4.5"]], [3, 4],
         {"header": [1], "repeated_header": [2]}, [repeated(2, "['ID', 'AMOUNT']", "['id', 'amount']")]),
        # the header met again further down too: it was a possible_header_description "kept as a record"
        (b"day,night\nDAY,NIGHT\n1,2\n3,4\nday,night\n5,6\n", ["day", "night"], [["1", "2"], ["3", "4"], ["5", "6"]], [3, 4, 6],
         {"header": [1], "repeated_header": [2, 5]}, [repeated(2, "['DAY', 'NIGHT']", "['day', 'night']")]),
        # under a title: the header is line 2, its repeat line 3
        (b"Shift report,\nday,night\nDay,Night\n1,2\n3,4\n", ["day", "night"], [["1", "2"], ["3", "4"]], [4, 5],
         {"header": [2], "preamble": [1], "repeated_header": [3]}, [repeated(3, "['Day', 'Night']", "['day', 'night']")]),
        # the same letter case: a plain repeat, silent as before
        (b"day,night\nday,night\n1,2\n3,4\n", ["day", "night"], [["1", "2"], ["3", "4"]], [3, 4],
         {"header": [1], "repeated_header": [2]}, []),
    ],
)
def test_the_header_repeated_under_it_in_another_case_is_said_to_be_structural(
    engine: str, data: bytes, header: list[str], records: list[list[str]], lines: list[int], structure: dict, warnings: list[str]
) -> None:
    f, got, got_lines = read(data, ReadOptions(engine=engine))
    assert (f.header, got, got_lines) == (header, records, lines)
    assert (f.structure.records, f.structure.lines, f.warnings) == (len(data.splitlines()), structure, warnings)
    assert f.describe()["header_unconfirmed"] is False


def test_a_text_table_keeps_its_own_doubt_beside_the_repeat() -> None:
    # every column text: the header is taken without evidence (its own warning), the repeat is still structural
    data = b"name,city\nName,City\nann,oslo\nbob,rome\n"
    f, records, lines = read(data)
    assert (f.header, records, lines, f.structure.lines) == (
        ["name", "city"], [["ann", "oslo"], ["bob", "rome"]], [3, 4], {"header": [1], "repeated_header": [2]})
    assert f.warnings == [
        repeated(2, "['Name', 'City']", "['name', 'city']"),
        "line 1 taken as the header without evidence: every column holds text and its names are written like the values below "
        "them (['name', 'city']) — if it is a record, set read.header: none for this source (read.header: 1 confirms it and "
        "silences this warning)",
    ]


def test_a_row_of_other_names_under_the_header_keeps_the_title_doubt() -> None:
    # not the header's names: line 2 may be the header under a title line 1 — kept as a record, warned as before
    data = b"sales_report_2025,x\namount,qty\n1,2\n3,4\n"
    f, records, lines = read(data)
    assert (f.header, records[0], lines[0], f.structure.lines) == (["sales_report_2025", "x"], ["amount", "qty"], 2, {"header": [1]})
    assert f.warnings == [
        "line 1 (['sales_report_2025', 'x']) taken as the header and line 2 (['amount', 'qty']) below it as a record, but it "
        "reads as column names too — if line 1 is a title, set read.header: 2 for this source (read.header: 1 confirms this "
        "reading and silences this warning)"
    ]


def test_daynight_through_ingest_and_clean(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "j_daynight.csv", DAYNIGHT)
    assert values(curated) == [{"_line": 3, "day": 1, "night": 2}, {"_line": 4, "day": 3, "night": 4}]
    assert (manifest["table"]["header"], manifest["table"]["header_unconfirmed"]) == ("line 1", False)
    assert manifest["structural_lines"] == {"header": [1], "repeated_header": [2]}
    assert manifest["read_warnings"] == [repeated(2, "['Day', 'Night']", "['day', 'night']")]
    assert (entry["records"], entry["curated"], entry["structural_lines"]) == (4, 2, 2)
