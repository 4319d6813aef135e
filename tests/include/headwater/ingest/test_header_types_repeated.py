"""Breaker7 #14 and #20: a line of type names is never the header under a line of names, and under a first row it
makes that row the header.

#14: two schema exports concatenated (``id,amount,created`` / ``string,number,date`` / a record, the same two lines,
a record) or a types footer made the types line the header: line 1 was preamble, the header's repeat a curated record,
every column text. Line 1 is the header now, the types line and each of its repeats ``header_description`` lines, the
header's repeat a ``repeated_header``. A types line met only as the file's last line (none under the header, no repeat)
stays a record, warned (breaker8 #3: test_header_types_footer.py).

#20: ``Widget,1,2,3`` over ``string,int,int,int`` over ``Gadget,5,4,1`` kept line 1 and the types line as records
(every column text): a types line under a first row is what a schema export writes under its header, so line 1 is the
header, the types line a ``header_description`` and the columns typed.

Each case is read by the reader (CsvFile, both engines where the path differs) and, for the types and the accounting,
through ingest + clean + the run report. Inputs from /work/notes/breaker7/in/ (desc3, desc4, hdr4), embedded.
"""

from __future__ import annotations

import datetime as dt

import pytest

from headwater.config.read import ReadOptions
from headwater.config.settings import Settings
from header_cases import TYPES_DESCRIBED, accounted, rows, types_reason
from test_header_descriptions import read, single
from test_table_stage import run, values

CONCAT = b"id,amount,created\nstring,number,date\n1,5.5,2024-01-02\nid,amount,created\nstring,number,date\n2,6.5,2024-01-03\n"  # desc4/a
FOOTER = b"id,amount,created\nstring,number,date\n1,5.5,2024-01-02\n2,6.5,2024-01-03\nstring,number,date\n"  # desc4/b
REPEATED = b"id,amount,created\nstring,number,date\n1,5.5,2024-01-02\nstring,number,date\n2,6.5,2024-01-03\n"  # desc3/d
RISING = b"Widget,1,2,3\nstring,int,int,int\nGadget,5,4,1\nGizmo,9,9,0\n"  # hdr4/c, desc3/a
RECORDS = [["1", "5.5", "2024-01-02"], ["2", "6.5", "2024-01-03"]]


def again(line: int, cells: str) -> str:
    """The warning for the first types line met among the records."""
    return (
        f"line {line} is a line of type names among the records ({cells}), the schema's types again: a second export appended "
        "or a types footer — counted as a structural line (header_description), not a record, as is every later one"
    )


SND = "['string', 'number', 'date']"


@pytest.mark.parametrize("engine", ["arrow", "python"])
@pytest.mark.parametrize(
    ("data", "lines", "structure", "repeat"),
    [
        (CONCAT, [3, 6], {"header": [1], "header_description": [2, 5], "repeated_header": [4]}, 5),
        (FOOTER, [3, 4], {"header": [1], "header_description": [2, 5]}, 5),
        (REPEATED, [3, 5], {"header": [1], "header_description": [2, 4]}, 4),
    ],
)
def test_a_types_line_met_again_is_no_header(engine: str, data: bytes, lines: list[int], structure: dict, repeat: int) -> None:
    f, records, got_lines = read(data, ReadOptions(engine=engine))
    assert (f.header, records, got_lines) == (["id", "amount", "created"], RECORDS, lines)
    assert (f.structure.records, f.structure.lines) == (len(data.splitlines()), structure)
    assert f.describe()["header_descriptions"] == TYPES_DESCRIBED
    assert f.warnings == [single(types_reason("string, number, date")), again(repeat, SND)]
    assert f.describe()["header_unconfirmed"] is False


@pytest.mark.parametrize(
    ("data", "header", "records", "lines", "structure", "warnings"),
    [
        # SQL types with a parameter and a quoted comma, two exports concatenated
        (b'id,name,price\nINT,VARCHAR(20),"DECIMAL(10,2)"\n1,Ann,5.50\nid,name,price\nINT,VARCHAR(20),"DECIMAL(10,2)"\n2,Bob,6.25\n',
         ["id", "name", "price"], [["1", "Ann", "5.50"], ["2", "Bob", "6.25"]], [3, 6],
         {"header": [1], "header_description": [2, 5], "repeated_header": [4]},
         [single(types_reason("INT, VARCHAR(20), DECIMAL(10,2)")), again(5, "['INT', 'VARCHAR(20)', 'DECIMAL(10,2)']")]),
        # pandas dtypes as a footer
        (b"id,qty,seen\nint64,int64,datetime64[ns]\n1,5,2024-01-02\n2,6,2024-01-03\nint64,int64,datetime64[ns]\n",
         ["id", "qty", "seen"], [["1", "5", "2024-01-02"], ["2", "6", "2024-01-03"]], [3, 4],
         {"header": [1], "header_description": [2, 5]},
         [single(types_reason("int64, int64, datetime64[ns]")), again(5, "['int64', 'int64', 'datetime64[ns]']")]),
        # SQLite's TEXT/REAL, three exports concatenated: warned once
        (b"id,amount,created\nTEXT,REAL,TEXT\n1,5.5,2024-01-02\nid,amount,created\nTEXT,REAL,TEXT\n2,6.5,2024-01-03\n"
         b"id,amount,created\nTEXT,REAL,TEXT\n3,7.5,2024-01-04\n",
         ["id", "amount", "created"], [*RECORDS, ["3", "7.5", "2024-01-04"]], [3, 6, 9],
         {"header": [1], "header_description": [2, 5, 8], "repeated_header": [4, 7]},
         [single(types_reason("TEXT, REAL, TEXT")), again(5, "['TEXT', 'REAL', 'TEXT']")]),
        # the repeat in another letter case
        (b"id,amount,created\nstring,number,date\n1,5.5,2024-01-02\nSTRING,NUMBER,DATE\n2,6.5,2024-01-03\n",
         ["id", "amount", "created"], RECORDS, [3, 5], {"header": [1], "header_description": [2, 4]},
         [single(types_reason("string, number, date")), again(4, "['STRING', 'NUMBER', 'DATE']")]),
        # (a types footer alone, none under the header and no repeat, stays a record since breaker8 #3:
        # test_header_types_footer.py)
    ],
)
def test_types_line_variants(data: bytes, header: list[str], records: list[list[str]], lines: list[int], structure: dict,
                             warnings: list[str]) -> None:
    f, got, got_lines = read(data)
    assert (f.header, got, got_lines) == (header, records, lines)
    assert (f.structure.records, f.structure.lines, f.warnings) == (len(data.splitlines()), structure, warnings)


def test_a_types_footer_over_a_table_of_types_stays_a_record() -> None:
    # a table listing columns and their types: its last record is all type names, but records above hold them too
    data = b"field,kind\nsku,string\nqty,integer\nstring,text\n"
    f, records, lines = read(data)
    assert (f.header, records, lines, f.structure.lines) == (["field", "kind"], rows(data)[1:], [2, 3, 4], {"header": [1]})


def test_a_record_of_type_names_is_no_repeat_of_another_types_line() -> None:
    # two different types lines: the second is no repeat of the first, which stays in doubt as before (desc3/c)
    data = b"id,amount,created\nstring,number,date\nINT,FLOAT,DATE\n1,5.5,2024-01-02\n"
    f, records, lines = read(data)
    assert (f.header, records[:2], lines, f.structure.lines) == (
        ["id", "amount", "created"], [["string", "number", "date"], ["INT", "FLOAT", "DATE"]], [2, 3, 4], {"header": [1]})


def test_concatenated_exports_are_typed_through_ingest_and_clean(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "a_concat.csv", CONCAT)
    assert manifest["header"] == ["id", "amount", "created"]
    assert values(curated) == [
        {"_line": 3, "id": "1", "amount": 5.5, "created": dt.date(2024, 1, 2)},
        {"_line": 6, "id": "2", "amount": 6.5, "created": dt.date(2024, 1, 3)},
    ]
    assert manifest["column_types"] == {"id": "string", "amount": "number", "created": "date"}
    assert (manifest["table"]["header"], manifest["table"]["header_unconfirmed"], manifest["table"]["preamble"]) == ("line 1", False, [])
    assert manifest["structural_lines"] == {"header": [1], "header_description": [2, 5], "repeated_header": [4]}
    assert manifest["read_warnings"] == [single(types_reason("string, number, date")), again(5, SND)]
    assert accounted(entry) == (6, 2, 4)


# ------------------------------------------------------------------ #20: a types line under a first row of numbers


@pytest.mark.parametrize("engine", ["arrow", "python"])
def test_a_types_line_under_a_rising_first_row_makes_it_the_header(engine: str) -> None:
    f, records, lines = read(RISING, ReadOptions(engine=engine))
    assert (f.header, records, lines) == (["Widget", "1", "2", "3"], [["Gadget", "5", "4", "1"], ["Gizmo", "9", "9", "0"]], [3, 4])
    assert f.structure.lines == {"header": [1], "header_description": [2]}
    assert f.warnings == [single(types_reason("string, int, int, int"))]
    assert f.describe()["header_unconfirmed"] is False


@pytest.mark.parametrize(
    ("data", "header", "shown"),
    [
        # a German label, the type names capitalised
        (b"Mitarbeiter,1,2,3\nString,int,int,int\nAnna,5,4,1\nBen,9,9,0\n", ["Mitarbeiter", "1", "2", "3"], "String, int, int, int"),
        # numbers that rise by other steps, SQL types
        (b"Shoe,36,38,40\nVARCHAR(20),INTEGER,INTEGER,INTEGER\nBoot,3,4,1\nSandal,6,2,1\n", ["Shoe", "36", "38", "40"],
         "VARCHAR(20), INTEGER, INTEGER, INTEGER"),
        # a first row voted into the data by its dates (not a row of rising numbers)
        (b"Ann,2024-01-02,5\nstring,date,int64\nBob,2024-01-03,6\nCy,2024-01-04,7\n", ["Ann", "2024-01-02", "5"], "string, date, int64"),
    ],
)
def test_types_line_under_a_first_row_variants(data: bytes, header: list[str], shown: str) -> None:
    f, records, lines = read(data)
    assert (f.header, records, lines) == (header, rows(data)[2:], [3, 4])
    assert (f.structure.lines, f.warnings) == ({"header": [1], "header_description": [2]}, [single(types_reason(shown))])


def test_a_types_line_that_a_record_below_shares_leaves_the_first_row_a_record() -> None:
    # a type name below in a column the line fills: the line may be a record, so it is no evidence either
    data = b"Widget,1,2,3\nstring,int,int,int\nGadget,5,4,1\nint,9,9,0\n"
    f, records, lines = read(data)
    assert (f.header[0], records, lines) == ("column_1", rows(data), [1, 2, 3, 4])


def test_the_rising_types_file_is_typed_through_ingest_and_clean(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "c_rising_types.csv", RISING)
    assert values(curated) == [
        {"_line": 3, "widget": "Gadget", "col_1": 5, "col_2": 4, "col_3": 1},
        {"_line": 4, "widget": "Gizmo", "col_1": 9, "col_2": 9, "col_3": 0},
    ]
    assert manifest["column_types"] == {"widget": "string", "col_1": "integer", "col_2": "integer", "col_3": "integer"}
    assert (manifest["table"]["header"], manifest["table"]["header_unconfirmed"]) == ("line 1", False)
    assert manifest["structural_lines"] == {"header": [1], "header_description": [2]}
    assert manifest["read_warnings"] == [single(types_reason("string, int, int, int"))]
    assert accounted(entry) == (4, 2, 2)
