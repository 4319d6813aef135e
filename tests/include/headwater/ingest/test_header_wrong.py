"""Breaker5 #1, #2, #22, #6: headers found wrong. A wrong header costs more than a missed one: when unsure the line
stays a record and a warning says so.

* #2: a real first record (``Widget,call us,unknown``) was moved out of the table as a ``header_description`` line;
* #1: a header-less file's only line (``C-1001,Jane Doe,jane@example.com,2024-01-05``) became the header (status empty);
* #22: a header whose names are numbers that rise by other steps than one (sizes ``36,38,40``) became a record;
* #6: a header-less file of a schema source got one warning per schema column instead of "the header is missing".

Each file is read by the reader (both engines: conftest) and, for the accounting, through ingest + clean.
"""

from __future__ import annotations

import datetime as dt

import pytest

from headwater.clean.mapping import map_columns
from headwater.config.read import ReadOptions
from headwater.config.settings import Settings
from headwater.config.schema import SchemaSpec
from headwater.ingest.csv_file import parse_csv
from test_header_descriptions import possible, read, single
from test_table_stage import run, values


def kept(data: bytes) -> tuple[list[list[str]], list[int], dict[str, int], list[str]]:
    """(records, their lines, structural counts, warnings) of ``data``."""
    f, records, lines = read(data)
    return records, lines, f.structure.counts, f.warnings


# ------------------------------------------------------------------ #2: a first record taken for a description line


@pytest.mark.parametrize(
    ("data", "first", "why"),
    [
        (  # the report's example: the first cell an sku name over sku names
            b"sku,price,in_stock\nWidget,call us,unknown\nGadget,9.99,true\nGizmo,4.50,false\n",
            ["Widget", "call us", "unknown"],
            "text over columns of numbers, dates, codes or booleans (price, in_stock), but its first cell 'Widget' reads as one more "
            "value of the text column below it ('sku': 'Gadget', 'Gizmo')",
        ),
        (  # a number in a cell: a value, never a description (its column mixes numbers and text)
            b"amount,amount__raw,amount__reason\n1.5,keep me,why\n(3),raw2,r2\nunknown,raw3,r3\n",
            ["1.5", "keep me", "why"],
            "text over columns of numbers, dates, codes or booleans (amount__raw, amount__reason), but it holds the number '1.5' "
            "(under 'amount'), a value rather than a description",
        ),
        (  # a respondent who declined two questions, in a long file
            b"name,age,income\nAlex,Prefer not to say,Prefer not to say\nBea,34,52000\nCal,29,48000\nDan,41,61000\nEve,38,57000\n",
            ["Alex", "Prefer not to say", "Prefer not to say"],
            "text over columns of numbers, dates, codes or booleans (age, income), but its first cell 'Alex' reads as one more value "
            "of the text column below it ('name': 'Cal', 'Dan', 'Eve')",
        ),
        (  # a first column of codes (so the first cell says nothing), the same placeholder in two typed columns
            b"id,start,salary\nE-1,pending,pending\nE-2,2024-01-02,50000\nE-3,2023-05-06,60000\nE-4,2022-01-01,1\n",
            ["E-1", "pending", "pending"],
            None,
        ),
        (  # a first cell that repeats its column's name, then the same placeholder in two typed columns
            b"employee,start,salary\nNew employee,to come,to come\nAnn Lee,2024-01-02,50000\nBo Kim,2023-05-06,60000\nCy,2022-01-01,1\n",
            ["New employee", "to come", "to come"],
            "text over columns of numbers, dates, codes or booleans (start, salary), but the same text 'to come' stands in start, "
            "salary: a placeholder value repeated, where descriptions of two columns differ",
        ),
        (  # a date in a cell
            b"city,temp_c,seen\nOslo,missing,2024-01-05\nBergen,4.5,2024-01-06\nTromso,-3.0,2024-01-07\n",
            ["Oslo", "missing", "2024-01-05"],
            None,
        ),
    ],
)
def test_a_first_record_of_text_over_typed_columns_stays_a_record(data: bytes, first: list[str], why: str | None) -> None:
    records, lines, counts, warnings = kept(data)
    assert records[0] == [c if c else None for c in first]
    assert (lines, counts) == (list(range(2, data.count(b"\n") + 1)), {"header": 1})
    row = "[" + ", ".join(map(repr, first)) + "]"
    assert warnings == ([possible(row, why)] if why else [])


def test_the_first_record_is_curated_and_its_text_kept_raw(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "p.csv", b"sku,price,in_stock\nWidget,call us,unknown\nGadget,9.99,true\nGizmo,4.50,false\n")
    # the record's text keeps the columns text: every value as written
    assert [(r["_line"], r["sku"], r["price"], r["in_stock"]) for r in values(curated)] == [
        (2, "Widget", "call us", "unknown"), (3, "Gadget", "9.99", "true"), (4, "Gizmo", "4.50", "false"),
    ]
    assert (manifest["structural"], manifest["column_descriptions"]) == ({"header": 1}, {})
    assert "possible_header_description" in manifest["read_warnings"][0]
    assert (entry["records"], entry["curated"], entry["structural_lines"]) == (4, 3, 1)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        # a description whose first cell repeats its column's name over a column of text
        (b"name,age,income\nRespondent name,Age in years,Annual income\nBea,34,52000\nCal,29,48000\nDan,41,61000\n",
         "text over columns of numbers, dates, codes or booleans below it (age, income)"),
        # a question over a column of text
        (b"name,age,income\nWhat is your name?,How old are you?,What do you earn?\nBea,34,52000\nCal,29,48000\nDan,41,61000\n",
         "text over columns of numbers, dates, codes or booleans below it (age, income)"),
        # text over a column of codes: the kind of a column's description, not its values
        (b"customer_id,full_name,email,signup_date\nID,Name,E-mail,Signup\nC-1,Jane Doe,j@x.com,2024-02-05\nC-2,Ann Lee,a@x.com,2024-03-05\n",
         "text over columns of numbers, dates, codes or booleans below it (customer_id, email, signup_date)"),
    ],
)
def test_descriptive_lines_are_still_description_lines(data: bytes, reason: str) -> None:
    records, lines, counts, warnings = kept(data)
    assert (lines, counts, warnings) == (list(range(3, data.count(b"\n") + 1)), {"header": 1, "header_description": 1}, [single(reason)])


# ------------------------------------------------------------------ #1: a header-less file of one line


@pytest.mark.parametrize(
    ("data", "record", "shown"),
    [
        (b"C-1001,Jane Doe,jane@example.com,2024-01-05\n", ["C-1001", "Jane Doe", "jane@example.com", "2024-01-05"],
         "'C-1001', 'jane@example.com', '2024-01-05'"),
        (b"2024-01-05,Deposit,100.00\n", ["2024-01-05", "Deposit", "100.00"], "'2024-01-05', '100.00'"),
        (b"jane@example.com\n", ["jane@example.com"], "'jane@example.com'"),
        (b"INV-2024-001,Acme Ltd,https://acme.example/inv/1", ["INV-2024-001", "Acme Ltd", "https://acme.example/inv/1"],
         "'INV-2024-001', 'https://acme.example/inv/1'"),
        (b"2024-01-05;Deposit;100,00\r\n", ["2024-01-05", "Deposit", "100,00"], "'2024-01-05', '100,00'"),
    ],
)
def test_a_lone_line_of_values_is_a_record_and_said(data: bytes, record: list[str], shown: str) -> None:
    parsed = parse_csv(data, "x.csv")
    width = len(record)
    assert (parsed.header, parsed.records, parsed.lines) == ([f"column_{i}" for i in range(1, width + 1)], [record], [1])
    assert parsed.structure is not None and parsed.structure.counts == {}
    row = "[" + ", ".join(map(repr, record)) + "]"
    assert parsed.warnings == [
        f"line 1 ({row}), the file's only line, read as a record, not as the header: its cells {shown} are written as values, not "
        "column names — if it is the header, set read.header: 1 for this source"
    ]


@pytest.mark.parametrize(
    ("data", "warnings"),
    [
        (b"customer_id,full_name,email,signup_date\n", []),  # a header-only export: names, nothing written as a value
        (b"Name,Email,Phone\n", []),
        (b"id,Q1,Q2,FY2024\n", []),  # codes of a header (not ids: too few digits)
        (  # scale points as names beside a column word: the header, but unconfirmed and said (breaker7 #1)
            b"item,1,2,3,4,5\n",
            ["line 1 (['item', '1', '2', '3', '4', '5']), the file's only line, was taken as the header: its numbers count up (1..5) "
             "beside the column word 'item' (scale points, sizes or weeks as column names), so the file has no record — if it is a "
             "record, set read.header: none for this source (read.header: 1 confirms it and silences this warning)"],
        ),
        (  # sizes as names beside a column word
            b"product,36,38,40\n",
            ["line 1 (['product', '36', '38', '40']), the file's only line, was taken as the header: its numbers rise (36..40) "
             "beside the column word 'product' (scale points, sizes or weeks as column names), so the file has no record — if it is "
             "a record, set read.header: none for this source (read.header: 1 confirms it and silences this warning)"],
        ),
        (b"42,17,99\n", None),  # numbers only: a record beyond doubt, as before (no warning)
        (  # a name and two values: the names do not win — the header, said
            b"id,amount,2024-01-05\n",
            ["line 1 (['id', 'amount', '2024-01-05']), the file's only line, was taken as the header although its cells '2024-01-05' "
             "are written as values: the file has no record — if it is a record, set read.header: none for this source "
             "(read.header: 1 confirms it and silences this warning)"],
        ),
    ],
)
def test_a_lone_line_of_names_stays_the_header(data: bytes, warnings: list[str] | None) -> None:
    parsed = parse_csv(data, "x.csv")
    if warnings is None:
        assert (parsed.header, parsed.records, parsed.warnings) == (["column_1", "column_2", "column_3"], [["42", "17", "99"]], [])
        return
    assert (parsed.header, parsed.records, parsed.warnings) == (data.decode().strip().split(","), [], warnings)


def test_a_lone_record_is_curated_not_an_empty_file(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "single.csv", b"C-1001,Jane Doe,jane@example.com,2024-01-05\n")
    assert values(curated) == [{"_line": 1, "column_1": "C-1001", "column_2": "Jane Doe", "column_3": "jane@example.com", "column_4": dt.date(2024, 1, 5)}]
    assert (manifest["table"]["header"], manifest["structural"], len(manifest["read_warnings"])) == ("none found", {}, 1)
    assert (entry["records"], entry["rows_read"], entry["curated"], entry["structural_lines"]) == (1, 1, 1, 0)
    # and the e-mail column, judged a contact column by its value, says it left the address unmasked (phone8)
    assert entry["warnings"] == manifest["read_warnings"] + [
        "column_3: 1 value(s) that are one whole phone number or e-mail address were left unmasked as contact fields "
        "(most of column_3's values are one); set text.mask_field_values to mask them"
    ]


# ------------------------------------------------------------------ #22: a header of numbers that rise


@pytest.mark.parametrize(
    ("data", "run_"),
    [
        (b"product,36,38,40,42\nShirt,3,4,5,1\nPants,6,7,8,2\nSocks,1,1,1,1\n", "36..42"),  # EU sizes
        (b"model,128,256,512\nPhone X,799,899,1099\nPhone Y,699,799,999\n", "128..512"),  # storage tiers (the rows rise too)
        (b"code,10,20,50\nA-1,3,4,5\nB-2,6,7,8\n", "10..50"),  # denominations over codes
        (b"sku,12,14,16\nA-1,3,4,5\nB-2,6,7,8\n", "12..16"),
        # written like its values (not a column word), a row rises: a record, silently (rising numbers are common in data)
        (b"Boot;36;38;40\nShirt;3;4;5\nPants;6;2;1\nSocks;1;1;1\n", None),
        # ``Product`` is a column word (breaker6 #7): the header, though it is capitalised like its values and a row rises
        (b"Product;36;38;40\nShirt;3;4;5\nPants;6;2;1\nSocks;1;1;1\n", "36..40"),
        (b"Product,36,38,40\nShirt,3,4,1\nPants,6,2,1\nSocks,1,1,1\n", "36..40"),
    ],
)
def test_a_header_of_rising_numbers(data: bytes, run_: str | None) -> None:
    parsed = parse_csv(data, "x.csv")
    delimiter = ";" if b";" in data else ","
    first = data.decode().splitlines()[0].split(delimiter)
    if run_ is None:
        assert (parsed.header[0], parsed.records[0], parsed.lines[0], parsed.warnings) == ("column_1", first, 1, [])
        return
    assert (parsed.header, parsed.lines[0], parsed.records[0][0]) == (first, 2, data.decode().splitlines()[1].split(delimiter)[0])
    assert parsed.warnings == [
        f"line 1 ([{', '.join(map(repr, first))}]) taken as the header: its numbers rise ({run_}) over numbers that do not (scale points, "
        "sizes or weeks as column names) — if it is a record, set read.header: none for this source (read.header: 1 confirms it and "
        "silences this warning)"
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"A,1,3,5\nB,4,5,6\nC,7,8,9\n",  # a record that merely rises
        b"Widget,1,3,5\nGadget,4,2,1\n",  # one row below: no evidence
        b"Widget,10,20,30\nGadget,11,2,1\nGizmo,5,25,5\n",  # its numbers within the values below
        b"10,20,30\n3,2,1\n5,4,1\n",  # no label
    ],
)
def test_rising_records_stay_records(data: bytes) -> None:
    parsed = parse_csv(data, "x.csv")
    assert (parsed.header[0], parsed.lines[0], parsed.warnings) == ("column_1", 1, [])


def test_a_word_over_codes_read_as_a_record_is_warned() -> None:
    parsed = parse_csv(b"code,10,20,5\nA-1,3,4,5\nB-2,6,7,8\n", "x.csv")
    assert (parsed.header[0], parsed.records[0]) == ("column_1", ["code", "10", "20", "5"])
    assert parsed.warnings == [
        "line 1 (['code', '10', '20', '5']) read as the first record of a file with no header, but its first cell 'code' is a word "
        "over a column of codes ('A-1', 'B-2'), like a column name — if it is the header, set read.header: 1 for this source"
    ]


# ------------------------------------------------------------------ #6: a header-less file under a schema


SCHEMA = SchemaSpec.model_validate({"name": "customer", "columns": {"customer_id": {"type": "string"}, "full_name": {}, "email": {}}})


def test_a_headerless_file_under_a_schema_gets_one_warning_saying_the_header_is_missing() -> None:
    mapping = map_columns(["column_1", "column_2", "column_3"], SCHEMA)
    assert mapping.warnings() == [
        "the file has no header row (read as column_1..column_3, 3 fields, as many as the schema's columns): schema 'customer' "
        "matches columns by name, so none of its columns (customer_id, full_name, email) is filled: each stays empty, and a row "
        "missing a required one is quarantined — add the header row to the export, or, if the file has one that was not found, "
        "set read.header to its line for this source"
    ]
    assert map_columns(["column_1", "column_2"], SCHEMA).warnings()[0].startswith(
        "the file has no header row (read as column_1..column_2, 2 fields for the schema's 3 columns)"
    )
    # one column found by name: the usual per-column warnings
    assert len(map_columns(["column_1", "email"], SCHEMA).warnings()) == 2


# ------------------------------------------------------------------ #3: a two-row header of merged group cells


@pytest.mark.parametrize(
    ("data", "header", "lines"),
    [
        (b"Customer,,Order,\nName,Email,Id,Total\nAnn,a@x.com,1,5\nBob,b@x.com,2,6\n",
         ["Customer Name", "Customer Email", "Order Id", "Order Total"], [1, 2]),
        # a group of three: the upper row too sparse to start the table on its own
        (b"Customer,,Order,,\nName,Email,Id,Total,Note\nAnn,a@x.com,1,5,x\nBob,b@x.com,2,6,y\n",
         ["Customer Name", "Customer Email", "Order Id", "Order Total", "Order Note"], [1, 2]),
        # under a title line
        (b"Orders export\nCustomer,,Order,,\nName,Email,Id,Total,Note\nAnn,a@x.com,1,5,x\nBob,b@x.com,2,6,y\n",
         ["Customer Name", "Customer Email", "Order Id", "Order Total", "Order Note"], [2, 3]),
    ],
)
def test_group_names_over_merged_cells_and_their_sub_names_are_one_header(data: bytes, header: list[str], lines: list[int]) -> None:
    parsed = parse_csv(data, "x.csv")
    width = len(header)
    assert (parsed.header, parsed.records[0][:2], parsed.lines) == (header, ["Ann", "a@x.com"], [lines[-1] + 1, lines[-1] + 2])
    assert parsed.structure is not None and parsed.structure.lines["header"] == lines
    assert len(parsed.records[1]) == width


@pytest.mark.parametrize(
    ("data", "header"),
    [
        # one name over empty cells is a title: the names below are the header
        (b"Sales report,,,,\nName,Email,Id,Total,Note\nAnn,a@x.com,1,5,x\nBob,b@x.com,2,6,y\n", ["Name", "Email", "Id", "Total", "Note"]),
        # a placeholder record under the group names stays a record
        (b"Product,,Price,\nWidget,TBD,TBD,TBD\nGadget,A-1,3,5\nGizmo,B-2,4,6\n", ["Product", "", "Price", ""]),
        # a row of names that repeat one another is no row of sub-names
        (b"Customer,,Order,\nName,Name,Id,Id\nAnn,a@x.com,1,5\nBob,b@x.com,2,6\n", ["Customer", "", "Order", ""]),
    ],
)
def test_rows_that_are_not_sub_names_under_groups(data: bytes, header: list[str]) -> None:
    assert parse_csv(data, "x.csv").header == header


def test_a_two_row_header_names_the_curated_columns(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "m.csv", b"Customer,,Order,\nName,Email,Id,Total\nAnn,a@x.com,1,5\nBob,b@x.com,2,6\n")
    assert values(curated) == [
        {"_line": 3, "customer_name": "Ann", "customer_email": "a@x.com", "order_id": "1", "order_total": 5},
        {"_line": 4, "customer_name": "Bob", "customer_email": "b@x.com", "order_id": "2", "order_total": 6},
    ]
    assert (manifest["table"]["header"], manifest["structural"], entry["structural_lines"]) == ("lines 1-2 (2 header rows, names joined)", {"header": 2}, 2)


@pytest.mark.parametrize(
    ("data", "header", "lines"),
    [
        (b"Region,,Rep,\nName,Email,Id,Total\n", ["Region Name", "Region Email", "Rep Id", "Rep Total"], [1, 2]),  # breaker6 #4
        (b"Region,,Rep,\r\nName,Email,Id,Total", ["Region Name", "Region Email", "Rep Id", "Rep Total"], [1, 2]),  # CRLF, no last EOL
        (b"Orders export\nCustomer,,Order,,\nName,Email,Id,Total,Note\n",
         ["Customer Name", "Customer Email", "Order Id", "Order Total", "Order Note"], [2, 3]),  # under a title, a group of three
    ],
)
def test_a_two_row_header_with_no_record_below_it(data: bytes, header: list[str], lines: list[int]) -> None:
    parsed = parse_csv(data, "x.csv")
    assert (parsed.header, parsed.records, parsed.lines) == (header, [], [])
    assert parsed.structure is not None and parsed.structure.lines["header"] == lines


def test_a_two_row_header_alone_lands_empty(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "m.csv", b"Region,,Rep,\nName,Email,Id,Total\n")
    assert values(curated) == []
    assert list(curated.columns) == ["_line", "region_name", "region_email", "rep_id", "rep_total"]
    assert (manifest["status"], manifest["table"]["header"], manifest["structural"], entry["structural_lines"]) == (
        "empty", "lines 1-2 (2 header rows, names joined)", {"header": 2}, 2)
    assert manifest["read_warnings"] == []


@pytest.mark.parametrize(
    ("data", "header", "records"),
    [
        # one name over empty cells is a title: the names below it are the header, with no record
        (b"Sales report,,,\nName,Email,Id,Total\n", ["Name", "Email", "Id", "Total"], []),
        # a placeholder record under group names as the last line stays a record
        (b"Product,,Price,\nWidget,TBD,TBD,TBD\n", ["Product", "", "Price", ""], [["Widget", "TBD", "TBD", "TBD"]]),
        # names that repeat one another are no sub-names
        (b"Customer,,Order,\nName,Name,Id,Id\n", ["Customer", "", "Order", ""], [["Name", "Name", "Id", "Id"]]),
    ],
)
def test_a_last_row_under_group_names_that_is_no_row_of_sub_names(data: bytes, header: list[str], records: list[list[str]]) -> None:
    parsed = parse_csv(data, "x.csv")
    assert (parsed.header, [list(r) for r in parsed.records]) == (header, records)


# ------------------------------------------------------------------ #21: layouts that are not a table


FIXED = b"ID   NAME          AMOUNT\n001  Alice Smith   12.50\n002  Bob Jones     7.00\n003  Carol King    100.25\n"


def test_fixed_width_text_read_as_one_column_is_warned() -> None:
    parsed = parse_csv(FIXED, "x.csv")
    assert (parsed.header, parsed.records[0], parsed.lines) == (["ID   NAME          AMOUNT"], ["001  Alice Smith   12.50"], [2, 3, 4])
    assert parsed.warnings == [
        "lines 1-4 read as one column, but every line holds runs of spaces and characters 6, 20 start text on every line after a "
        "blank column (['ID   NAME          AMOUNT']): fixed-width text, not a delimited file — each line is loaded as one value; "
        "convert the file to a delimited one for its columns"
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"review\nNice fit, runs large\nColour faded, sent back\n",  # prose
        b"note\nTwo  spaces here\nand  there  too\n",  # runs of spaces, no blank column shared by every line
        b"note\nTwo  spaces\nno runs\n",  # a line without a run of spaces
    ],
)
def test_one_column_text_is_not_called_fixed_width(data: bytes) -> None:
    assert parse_csv(data, "x.csv").warnings == []


def test_key_value_pairs_read_as_a_table_are_warned() -> None:
    parsed = parse_csv(b"Name,Jane Doe\nEmail,jane@example.com\nPhone,n/a\n", "x.csv")
    assert (parsed.header, parsed.records) == (["Name", "Jane Doe"], [["Email", "jane@example.com"], ["Phone", "n/a"]])
    assert parsed.warnings == [
        "lines 1-3 read as key/value pairs ('Name': 'Jane Doe', 'Email': 'jane@example.com', 'Phone': 'n/a'): a record written "
        "down the page, not a table — line 1 taken as the header, so its pair became the column names; if it is a pair too, set "
        "read.header: none for this source"
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"setting,value\ntimeout,30\nmode,fast\n",  # a key/value table with its header (a name over the values)
        b"name,city\nAnn Lee,Oslo\nBo Kim,Rome\n",  # a two-column table: one kind of value
        b"Key,Value\nName,Jane Doe\nEmail,jane@example.com\n",  # headed pairs
    ],
)
def test_two_column_tables_are_not_called_key_value(data: bytes) -> None:
    assert not any("key/value" in w for w in parse_csv(data, "x.csv").warnings)


@pytest.mark.parametrize(
    "data", [b"C-1001,Jane Doe,jane@example.com,2024-01-05\n", b"code,10,20,5\nA-1,3,4,5\nB-2,6,7,8\n"]
)
def test_read_header_none_reads_records_without_a_warning(data: bytes) -> None:
    parsed = parse_csv(data, "x.csv", ReadOptions(header="none"))
    assert (parsed.header[0], parsed.lines[0], parsed.warnings) == ("column_1", 1, [])


def test_read_header_1_keeps_a_lone_line_of_values_as_the_header() -> None:
    parsed = parse_csv(b"C-1001,Jane Doe,jane@example.com,2024-01-05\n", "x.csv", ReadOptions(header=1))
    assert (parsed.header, parsed.records, parsed.warnings) == (["C-1001", "Jane Doe", "jane@example.com", "2024-01-05"], [], [])


@pytest.mark.parametrize(
    "data",
    [
        b"ref,start,salary\n,pending,pending\n,2024-01-02,50000\n,2023-05-06,60000\n",
        b"ref,start,salary,bonus\n,to come,to come,5\n,2024-01-02,50000,6\n,2023-05-06,60000,7\n",
    ],
)
def test_a_record_of_a_repeated_placeholder_under_an_empty_cell_is_no_header_row(data: bytes) -> None:
    parsed = parse_csv(data, "x.csv")
    assert (len(parsed.header), parsed.header[:2], parsed.lines[0]) == (data.count(b",", 0, data.index(b"\n")) + 1, ["ref", "start"], 2)
    assert parsed.records[0][1] in ("pending", "to come")


@pytest.mark.parametrize(
    ("data", "header"),
    [
        (b"name,weight,height\n,kg,cm\nAnn,60,170\nBob,82,181\n", ["name", "weight kg", "height cm"]),
        (b"name,before,after\n,kg,kg\nAnn,60,70\nBob,82,81\n", ["name", "before kg", "after kg"]),  # a short unit repeated
        (b",Sales,,Returns,\nRegion,Q1,Q2,Q1,Q2\nEU,1,2,3,4\nUS,5,6,7,8\n", ["Region", "Sales Q1", "Sales Q2", "Returns Q1", "Returns Q2"]),
    ],
)
def test_units_rows_and_sub_names_under_groups_stay_header_rows(data: bytes, header: list[str]) -> None:
    parsed = parse_csv(data, "x.csv")
    assert (parsed.header, parsed.lines[0], parsed.warnings) == (header, 3, [])
