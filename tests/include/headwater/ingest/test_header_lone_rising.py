"""Breaker7 #1: a file whose only line is a label and rising numbers (``Gadget,10,20,30``, ``Jane Doe,1,2,3,4,5``) was
taken as the header of an empty file — status ``empty``, no record, no warning, ``header_unconfirmed: false``: a daily
drop of one reading landed as nothing.

The rising numbers are column names (scale points, sizes, weeks) only beside a column word (table.LABEL_WORDS:
``name,1,2,3``, ``size,36,38,40``); beside none they are values, so the line is one record under ``column_1``…, warned
as the other one-line records are. Beside a column word the line stays the header, but unconfirmed and warned with
the ``read.header: none`` that makes it a record. Each file is read by the reader (both engines: conftest) and, for
the accounting and the manifest, through ingest + clean + the run report.
"""

from __future__ import annotations

import pytest

from headwater.config.settings import Settings
from headwater.ingest.csv_file import parse_csv
from test_table_stage import run, values


def as_record(row: list[str], shown: str) -> str:
    """The read warning for a file's only line read as a record."""
    return (
        f"line 1 ({row!r}), the file's only line, read as a record, not as the header: its cells {shown} are written as values, not "
        "column names — if it is the header, set read.header: 1 for this source"
    )


def as_header(row: list[str], how: str, word: str) -> str:
    """The read warning for a file's only line taken as the header because its numbers rise beside a column word."""
    return (
        f"line 1 ({row!r}), the file's only line, was taken as the header: its numbers {how} beside the column word {word!r} "
        "(scale points, sizes or weeks as column names), so the file has no record — if it is a record, set read.header: none "
        "for this source (read.header: 1 confirms it and silences this warning)"
    )


@pytest.mark.parametrize(
    ("data", "record", "shown"),
    [
        (b"Gadget,10,20,30\n", ["Gadget", "10", "20", "30"], "'10', '20', '30'"),  # breaker7 in/hdr1/b_gadget.csv
        (b"Jane Doe,1,2,3,4,5\n", ["Jane Doe", "1", "2", "3", "4", "5"], "'1', '2', '3', '4'"),  # in/hdr1/d_jane.csv
        (b"Widget,1,2,3\n", ["Widget", "1", "2", "3"], "'1', '2', '3'"),  # in/hdr/h_onerow.csv
        (b"C-1001,1,2,3\n", ["C-1001", "1", "2", "3"], "'C-1001', '1', '2', '3'"),  # in/hdr1/c_code.csv: an id and rising numbers
        (b"Widget,5,4,1\n", ["Widget", "5", "4", "1"], "'5', '4', '1'"),  # in/hdr1/a_widget541.csv: a record before, unchanged
        (b"Gadget,10,20,30", ["Gadget", "10", "20", "30"], "'10', '20', '30'"),  # no last end of line
        (b"Gadget;10;20;30\r\n", ["Gadget", "10", "20", "30"], "'10', '20', '30'"),  # semicolons, CRLF
        (b"Gadget,10,20,30\n\n\n", ["Gadget", "10", "20", "30"], "'10', '20', '30'"),  # blank lines below
        (b"widget,1,2,3\n", ["widget", "1", "2", "3"], "'1', '2', '3'"),  # a lower-case word that is no column word
        (b"first_name,1,2,3\n", ["first_name", "1", "2", "3"], "'1', '2', '3'"),  # a name-like identifier, no column word
        (b"Gadget,Blue,36,38,40\n", ["Gadget", "Blue", "36", "38", "40"], "'36', '38', '40'"),  # two labels, sizes
        (b"Widget,5,2024\n", ["Widget", "5", "2024"], "'5'"),  # a number and a year
    ],
)
def test_rising_numbers_beside_no_column_word_are_a_record(data: bytes, record: list[str], shown: str) -> None:
    parsed = parse_csv(data, "x.csv")
    width = len(record)
    assert (parsed.header, parsed.records, parsed.lines) == ([f"column_{i}" for i in range(1, width + 1)], [record], [1])
    assert parsed.structure is not None and parsed.structure.counts == ({"blank": 2} if data.endswith(b"\n\n\n") else {})
    assert parsed.warnings == [as_record(record, shown)]


@pytest.mark.parametrize(
    ("data", "how", "word"),
    [
        (b"name,1,2,3\n", "count up (1..3)", "name"),  # weeks
        (b"size,36,38,40\n", "rise (36..40)", "size"),  # sizes
        (b"item,1,2,3,4,5\n", "count up (1..5)", "item"),  # scale points
        (b"product,36,38,40\n", "rise (36..40)", "product"),
        (b"Name,1,2,3\n", "count up (1..3)", "Name"),  # in any case
        (b"Product name,36,38,40\r\n", "rise (36..40)", "Product name"),  # words of the list
        (b"SIZES,128,256,512", "rise (128..512)", "SIZES"),  # the plural, upper case, no last end of line
        (b"Gadget,Week,1,2,3\n", "count up (1..3)", "Week"),  # a column word among two labels
    ],
)
def test_rising_numbers_beside_a_column_word_stay_the_header_unconfirmed(data: bytes, how: str, word: str) -> None:
    parsed = parse_csv(data, "x.csv")
    row = [c.strip() for c in data.decode().strip().split(",")]
    assert (parsed.header, parsed.records, parsed.lines) == (row, [], [])
    assert parsed.structure is not None and parsed.structure.counts == {"header": 1}
    assert parsed.warnings == [as_header(row, how, word)]


@pytest.mark.parametrize(
    "data",
    [
        b"Region,2021,2022,2023\n",  # years as column names: no value, no rising run (years are left out of it)
        b"Name,Email,Phone\n",  # a header-only export
        b"customer_id,full_name,email\n",
    ],
)
def test_names_and_years_stay_a_silent_header(data: bytes) -> None:
    parsed = parse_csv(data, "x.csv")
    assert (parsed.header, parsed.records, parsed.warnings) == (data.decode().strip().split(","), [], [])


def test_numbers_only_stay_a_silent_record() -> None:
    parsed = parse_csv(b"1,2,3\n", "x.csv")
    assert (parsed.header, parsed.records, parsed.warnings) == (["column_1", "column_2", "column_3"], [["1", "2", "3"]], [])


def test_the_one_reading_is_curated_not_an_empty_file(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "b_gadget.csv", b"Gadget,10,20,30\n")
    assert values(curated) == [{"_line": 1, "column_1": "Gadget", "column_2": 10, "column_3": 20, "column_4": 30}]
    assert (manifest["status"], manifest["table"]["header"], manifest["table"]["header_unconfirmed"], manifest["structural"]) == (
        "ok", "none found", False, {})
    assert manifest["read_warnings"] == [as_record(["Gadget", "10", "20", "30"], "'10', '20', '30'")]
    assert (entry["records"], entry["rows_read"], entry["curated"], entry["structural_lines"]) == (1, 1, 1, 0)
    assert entry["warnings"] == manifest["read_warnings"]


def test_jane_doe_is_curated(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "d_jane.csv", b"Jane Doe,1,2,3,4,5\n")
    assert values(curated) == [
        {"_line": 1, "column_1": "Jane Doe", "column_2": 1, "column_3": 2, "column_4": 3, "column_5": 4, "column_6": 5}
    ]
    assert (manifest["status"], manifest["table"]["header_unconfirmed"], entry["curated"]) == ("ok", False, 1)


def test_a_column_word_header_lands_empty_unconfirmed_and_warned(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "n.csv", b"name,1,2,3\n")
    assert values(curated) == []
    assert (manifest["status"], manifest["table"]["header_unconfirmed"], manifest["structural"]) == ("empty", True, {"header": 1})
    assert manifest["read_warnings"] == [as_header(["name", "1", "2", "3"], "count up (1..3)", "name")]
    assert (entry["records"], entry["curated"], entry["structural_lines"]) == (1, 0, 1)


def test_a_lone_header_with_a_value_is_unconfirmed_too(settings: Settings) -> None:
    # the same doubt as above (a value among names), now flagged in the manifest as well as warned, once
    manifest, curated, entry = run(settings, "v.csv", b"id,amount,2024-01-05\n")
    assert (manifest["status"], manifest["table"]["header_unconfirmed"], values(curated)) == ("empty", True, [])
    assert manifest["read_warnings"] == [
        "line 1 (['id', 'amount', '2024-01-05']), the file's only line, was taken as the header although its cells '2024-01-05' are "
        "written as values: the file has no record — if it is a record, set read.header: none for this source (read.header: 1 "
        "confirms it and silences this warning)"
    ]
