"""Breaker findings 1, 2, 11 and 15 (2026-11-29) end to end: where the table is, through ingest + clean + the report.

Each fault kind with the breaker's file and variants: the curated rows, the structural lines, the
manifest's table fields and warnings, and the report's accounting (records = rows read + structural).
"""

from __future__ import annotations

import datetime as dt

import pytest
from test_table_stage import run, values

from headwater.config.settings import Settings
from headwater.ingest.table import find_table

D = dt.date


def accounting(entry: dict) -> tuple[int, int, int, int, int]:
    return entry["records"], entry["structural_lines"], entry["rows_read"], entry["curated"], entry["quarantined"]


# 1. Data rows absorbed as preamble: a header-less file whose first records are sparse.


def test_a_sparse_first_record_of_a_headerless_file_is_a_record(settings: Settings) -> None:
    data = b"1001,,\n1002,2024-01-06,5.00\n1003,2024-01-07,7.50\n1004,2024-01-08,2.25\n"
    manifest, curated, entry = run(settings, "nohdr_blank_first.csv", data)
    assert values(curated) == [
        {"_line": 1, "column_1": 1001, "column_2": None, "column_3": None},
        {"_line": 2, "column_1": 1002, "column_2": D(2024, 1, 6), "column_3": 5.0},
        {"_line": 3, "column_1": 1003, "column_2": D(2024, 1, 7), "column_3": 7.5},
        {"_line": 4, "column_1": 1004, "column_2": D(2024, 1, 8), "column_3": 2.25},
    ]
    assert (manifest["structural"], manifest["table"]["preamble"], manifest["table"]["header"]) == ({}, [], "none found")
    assert accounting(entry) == (4, 0, 4, 4, 0)


@pytest.mark.parametrize(
    ("data", "lines"),
    [
        (b"1001,,\n1002,,\n1003,2024-01-07,7.50\n1004,2024-01-08,2.25\n1005,2024-01-09,1.25\n", [1, 2, 3, 4, 5]),  # nohdr_two_sparse
        (b"1001,,\n\n1002,2024-01-06,5.00\n1003,2024-01-07,7.50\n", [1, 3, 4]),  # a blank line between
        (b",2024-01-05,\n1002,2024-01-06,5.00\n1003,2024-01-07,7.50\n", [1, 2, 3]),  # only the date filled
        (b"1001,,,\n1002,2024-01-06,5.00,\n1003,2024-01-07,7.50,\n", [1, 2, 3]),  # trailing delimiters
    ],
)
def test_sparse_first_records_of_a_headerless_file_are_records(settings: Settings, data: bytes, lines: list[int]) -> None:
    manifest, curated, entry = run(settings, "sparse.csv", data)
    assert curated["_line"].tolist() == lines
    assert manifest["table"]["preamble"] == [] and "preamble" not in manifest["structural"]
    assert (entry["rows_read"], entry["curated"]) == (len(lines), len(lines))


def test_a_title_and_a_shorter_line_above_headerless_records_stay_preamble(settings: Settings) -> None:
    data = b"Daily export\nExported by ops,\n1001,,\n1002,2024-01-06,5.00\n1003,2024-01-07,7.50\n"
    manifest, curated, entry = run(settings, "titled.csv", data)
    assert curated["_line"].tolist() == [3, 4, 5]
    assert values(curated)[0] == {"_line": 3, "column_1": 1001, "column_2": None, "column_3": None}
    assert manifest["structural_lines"] == {"preamble": [1, 2]}
    assert manifest["read_warnings"] == []
    assert accounting(entry) == (5, 2, 3, 3, 0)


def test_a_text_line_over_number_columns_stays_preamble_without_a_warning(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "note.csv", b"NOTE,,\n1001,,\n1002,2024-01-06,5.00\n1003,2024-01-07,7.50\n")
    assert curated["_line"].tolist() == [2, 3, 4]
    assert (manifest["structural_lines"], manifest["read_warnings"]) == ({"preamble": [1]}, [])
    assert accounting(entry) == (4, 1, 3, 3, 0)


def test_a_preamble_line_that_reads_like_a_record_is_a_manifest_warning(settings: Settings) -> None:
    data = b"1001,,\nid,date,amount\n1002,2024-01-06,5.00\n1003,2024-01-07,7.50\n"
    manifest, curated, entry = run(settings, "above.csv", data)
    assert values(curated) == [
        {"_line": 3, "id": "1002", "date": D(2024, 1, 6), "amount": 5.0},
        {"_line": 4, "id": "1003", "date": D(2024, 1, 7), "amount": 7.5},
    ]
    assert manifest["structural_lines"] == {"preamble": [1], "header": [2]}
    assert manifest["read_warnings"] == [
        "line 1 (['1001', '', '']) has the table's 3 fields and reads like its records, but stands above the header: "
        "taken as preamble — if it is a record, set read.skip_lines for this source"
    ]
    assert accounting(entry) == (4, 2, 2, 2, 0)


def test_a_padded_note_over_a_text_table_is_flagged_not_silent(settings: Settings) -> None:
    data = b"Summary,,\nname,city,country\nAlice,Oslo,Norway\nBob,Bergen,Norway\n"
    manifest, curated, entry = run(settings, "summary.csv", data)
    assert curated["_line"].tolist() == [3, 4]
    assert manifest["read_warnings"] == [
        "line 1 (['Summary', '', '']) has the table's 3 fields and reads like its records, but stands above the header: "
        "taken as preamble — if it is a record, set read.skip_lines for this source"
    ]


# 2. A one-column number file with thousands separators.


@pytest.mark.parametrize(
    ("data", "rows"),
    [
        (  # onecol_thousands: 1,234 could also be a decimal comma, so clean keeps what was written in amount__raw
            b"amount\n1,234\n5,678\n12,500\n",
            [(2, 1234, "1,234"), (3, 5678, "5,678"), (4, 12500, "12,500")],
        ),
        (b"amount\n1,234\n910\n5,678\n", [(2, 1234, "1,234"), (3, 910, None), (4, 5678, "5,678")]),  # onecol_thousands2
        (b"amount\n1,234,567\n-12,500\n7\n", [(2, 1234567, None), (3, -12500, None), (4, 7, None)]),  # millions, a sign
        (b"amount\r\n1,234.50\r\n12,500.25\r\n", [(2, 1234.5, None), (3, 12500.25, None)]),  # decimals, CRLF
    ],
)
def test_one_column_of_comma_grouped_numbers_keeps_its_header_and_whole_values(
    settings: Settings, data: bytes, rows: list[tuple[int, float, str | None]]
) -> None:
    manifest, curated, entry = run(settings, "amounts.csv", data)
    assert [(r["_line"], r["amount"], r.get("amount__raw")) for r in values(curated)] == rows
    assert (manifest["header"], manifest["delimiter"], manifest["table"]["single_column"]) == (["amount"], None, True)
    assert manifest["structural_lines"] == {"header": [1]}
    assert manifest["read_warnings"] == [
        "commas only inside digit groups (1,234) and lines without one: read as one column of numbers with thousands "
        "separators, not split at the commas — set read.delimiter: ',' for this source if they are fields"
    ]
    n = len(rows)
    assert accounting(entry) == (n + 1, 1, n, n, 0)


@pytest.mark.parametrize(
    ("sample", "delimiter", "width"),
    [
        ("1,234\n5,678\n12,500\n", ",", 2),  # no header and every line grouped: no evidence, split as written
        ("id,amount\n1,234\n5,678\n", ",", 2),  # a header with a comma: two columns
        ("amount;n\n1,234;2\n5,678;3\n", ";", 2),  # another delimiter: commas are text anyway
    ],
)
def test_commas_that_are_not_only_digit_groups_still_split(sample: str, delimiter: str, width: int) -> None:
    table = find_table(sample)
    assert (table.delimiter, table.width, table.single_column, table.notes) == (delimiter, width, False, [])


def test_a_one_name_header_over_a_decimal_comma_is_one_column() -> None:
    # 5,67 is no digit group, but a name with no comma over lines of two fields each is one column (breaker2 #20)
    table = find_table("amount\n1,234\n5,67\n")
    assert (table.single_column, table.skip, table.header_rows, table.width) == (True, 0, 1, 1)
    assert table.notes == [
        "line 1 ('amount') has no ',' and every line below splits at ',' into 2 fields: read as one column named by line 1, "
        "the ',' inside its values kept as text — if they are fields, set read.delimiter: ',' for this source"
    ]


def test_a_forced_comma_delimiter_splits_grouped_numbers() -> None:
    from headwater.config.read import ReadOptions

    table = find_table("amount\n1,234\n5,678\n", ReadOptions(delimiter=","))
    assert (table.delimiter, table.single_column, table.notes) == (",", False, [])


# 3. A title line with commas taken for the header.


@pytest.mark.parametrize(
    ("data", "header", "title"),
    [
        (  # title3c
            b"Northwind Traders, Customer list, exported\ncompany,contact,country\nAlfreds,Maria Anders,Germany\n"
            b"Berglunds,Christina Berglund,Sweden\nBlondel,Frederique Citeaux,France\n",
            ["company", "contact", "country"],
            "Northwind Traders, Customer list, exported",
        ),
        (  # title3b
            b"ACME Corp, Inc., monthly export\nname,city,country\nAlice,Oslo,Norway\nBob,Bergen,Norway\n",
            ["name", "city", "country"],
            "ACME Corp, Inc., monthly export",
        ),
        (b"Exported by: Smith, John\nfirst,last\nAlice,Brown\nBob,Green\nCarol,White\n", ["first", "last"], "Exported by: Smith, John"),  # title2
    ],
)
def test_a_title_with_prose_commas_above_a_text_header_is_preamble(settings: Settings, data: bytes, header: list[str], title: str) -> None:
    manifest, curated, entry = run(settings, "titled.csv", data)
    n = data.count(b"\n") - 2
    assert (manifest["header"], manifest["table"]["header"], manifest["table"]["header_unconfirmed"]) == (header, "line 2", False)
    assert manifest["table"]["preamble"] == [{"line": 1, "text": title}]
    assert manifest["structural_lines"] == {"preamble": [1], "header": [2]}
    assert curated["_line"].tolist() == list(range(3, 3 + n)) and manifest["read_warnings"] == []
    assert accounting(entry) == (n + 2, 2, n, n, 0)


def test_title3c_values_land_under_the_real_header(settings: Settings) -> None:
    data = b"Northwind Traders, Customer list, exported\ncompany,contact,country\nAlfreds,Maria Anders,Germany\n"
    _, curated, _ = run(settings, "title3c.csv", data)
    assert values(curated) == [{"_line": 3, "company": "Alfreds", "contact": "Maria Anders", "country": "Germany"}]


def test_a_title_without_prose_commas_competing_with_a_header_is_flagged(settings: Settings) -> None:
    data = b"Customer list,exported,2024\ncompany,contact,country\nAlfreds,Maria Anders,Germany\nBerglunds,Christina Berglund,Sweden\n"
    manifest, curated, entry = run(settings, "competing.csv", data)
    assert values(curated) == [
        {"_line": 3, "company": "Alfreds", "contact": "Maria Anders", "country": "Germany"},
        {"_line": 4, "company": "Berglunds", "contact": "Christina Berglund", "country": "Sweden"},
    ]
    assert (manifest["table"]["header"], manifest["table"]["header_unconfirmed"]) == ("line 2", True)
    assert manifest["structural_lines"] == {"preamble": [1], "header": [2]}
    assert manifest["read_warnings"] == [
        "line 2 (['company', 'contact', 'country']) taken as the header and line 1 (['Customer list', 'exported', '2024']) "
        "above it as a title: both could be the header — if line 1 is, set read.header: 1 for this source "
        "(read.header: 2 confirms this reading and silences this warning)"
    ]
    assert accounting(entry) == (4, 2, 2, 2, 0)


@pytest.mark.parametrize(
    "sample",
    [
        "Alfreds,Maria Anders,Germany\nBerglunds,Christina,Sweden\nBlondel,Frederique,France\n",  # title-case data, no rival
        "name,city,country\nalice,oslo,norway\nbob,bergen,norway\n",  # lower-case data: the second row is no header
    ],
)
def test_a_data_row_is_not_taken_for_a_header_below_a_title(sample: str) -> None:
    table = find_table(sample)
    assert (table.skip, table.doubt) == (0, None)


# 4. A blank line, then a placeholder record.


def test_a_placeholder_record_after_a_blank_line_is_a_record_of_the_table(settings: Settings) -> None:
    data = b"sku,qty,price\nA,1,2.50\nD,4,1.25\n\nB,TBD,TBD\nC,3,4.50\nE,5,6.00\n"
    manifest, curated, entry = run(settings, "blank_then_tbd.csv", data)
    assert [(r["_line"], r["sku"], r["qty"], r["price"]) for r in values(curated)] == [
        (2, "A", "1", "2.50"), (3, "D", "4", "1.25"), (5, "B", "TBD", "TBD"), (6, "C", "3", "4.50"), (7, "E", "5", "6.00"),
    ]
    assert "second_table" not in manifest["table"] and manifest["structural_lines"] == {"header": [1], "blank": [4]}
    assert accounting(entry) == (7, 2, 5, 5, 0)


@pytest.mark.parametrize(
    "row",
    [b"B,tbc,", b"B,T.B.D.,TBA", b"B,soon,soon", b"B,,TBD"],
)
def test_placeholder_variants_after_a_blank_line_are_records(settings: Settings, row: bytes) -> None:
    rows = b"".join(b"R%d,%d,%d.50\n" % (i, i, i) for i in range(1, 7))
    data = b"sku,qty,price\n" + rows + b"\n" + row + b"\nC,3,4.50\n"
    manifest, curated, entry = run(settings, "tbd.csv", data)
    assert curated["_line"].tolist() == [2, 3, 4, 5, 6, 7, 9, 10]
    assert curated["sku"].tolist()[6:] == ["B", "C"]
    assert "second_table" not in manifest["table"]
    assert accounting(entry) == (10, 2, 8, 8, 0)


def test_a_real_second_table_after_a_blank_line_is_still_quarantined(settings: Settings) -> None:
    data = b"sku,qty,price\nA,1,2.50\nD,4,1.25\n\nregion,staff,stores\nNorth,3,4\n"
    manifest, curated, entry = run(settings, "two.csv", data)
    assert curated["_line"].tolist() == [2, 3]
    assert manifest["table"]["second_table"] == {"line": 5, "header": ["region", "staff", "stores"]}
    assert accounting(entry) == (6, 2, 4, 2, 2)
