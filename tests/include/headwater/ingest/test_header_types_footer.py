"""Breaker8 #3: a types line met only as the file's last line (``a,b,c`` / ``1,2,3`` / ``string,number,date``: no types
line under the header, no repeat of it) was a structural ``header_description`` on the types-line evidence alone
(commit 74484a5), so a real record of type words (a column of answers, a cast table, a quiz key) left the curated table.
Such a footer now stays a record, warned (possible_header_description: it reads as type names); it is structural only
on stronger evidence: a types line under the header (test_header_types_repeated) or the same types line met again
among the records (two exports, each with its types footer).

Read by the reader (CsvFile, both engines) and, for the values and the accounting, through ingest + clean + the run
report. Input from /work/notes/breaker8/in/hdr2 (k_numeric_then_types.csv) and variants, embedded.
"""

from __future__ import annotations

import pytest

from headwater.config.read import ReadOptions
from headwater.config.settings import Settings
from test_header_descriptions import read
from test_header_types_repeated import again
from test_table_stage import run, values

NUMERIC_THEN_TYPES = b"a,b,c\n1,2,3\nstring,number,date\n"  # breaker8 in/hdr2/k_numeric_then_types.csv


def footer(line: int, row: str, shown: str) -> str:
    """The warning for a types footer kept as a record."""
    return (
        f"line {line} ({row}) may describe the columns rather than be a record (possible_header_description: a line of type "
        f"names ({shown}) as the file's last line, with no types line under the header and no repeat of it): kept as a "
        "record — if it is a types footer, drop it from the export (its values stay in the columns)"
    )


@pytest.mark.parametrize("engine", ["arrow", "python"])
@pytest.mark.parametrize(
    ("data", "header", "records", "shown"),
    [
        (NUMERIC_THEN_TYPES, ["a", "b", "c"], [["1", "2", "3"], ["string", "number", "date"]], "string, number, date"),
        # the footer of 74484a5's own test: now a record too
        (b"id,amount,created\n1,5.5,2024-01-02\n2,6.5,2024-01-03\nstring,number,date\n", ["id", "amount", "created"],
         [["1", "5.5", "2024-01-02"], ["2", "6.5", "2024-01-03"], ["string", "number", "date"]], "string, number, date"),
        # pandas dtypes
        (b"id,qty,seen\n1,5,2024-01-02\n2,6,2024-01-03\nint64,int64,datetime64[ns]\n", ["id", "qty", "seen"],
         [["1", "5", "2024-01-02"], ["2", "6", "2024-01-03"], ["int64", "int64", "datetime64[ns]"]], "int64, int64, datetime64[ns]"),
        # SQL types, a parameter with a quoted comma
        (b'id,name,price\n1,Ann,5.50\n2,Bob,6.25\nINT,VARCHAR(20),"DECIMAL(10,2)"\n', ["id", "name", "price"],
         [["1", "Ann", "5.50"], ["2", "Bob", "6.25"], ["INT", "VARCHAR(20)", "DECIMAL(10,2)"]], "INT, VARCHAR(20), DECIMAL(10,2)"),
        # JSON Schema's names over a quiz's scores: the last record answers with type words
        (b"student,score,rank\n1,5,2\n2,6,1\ninteger,number,boolean\n", ["student", "score", "rank"],
         [["1", "5", "2"], ["2", "6", "1"], ["integer", "number", "boolean"]], "integer, number, boolean"),
    ],
)
def test_a_types_footer_alone_stays_a_record(engine: str, data: bytes, header: list[str], records: list[list[str]], shown: str) -> None:
    f, got, lines = read(data, ReadOptions(engine=engine))
    n = len(data.splitlines())
    assert (f.header, got, lines) == (header, records, list(range(2, n + 1)))
    assert (f.structure.records, f.structure.lines) == (n, {"header": [1]})
    assert f.warnings == [footer(n, repr(records[-1]), shown)]
    assert (f.describe()["header_unconfirmed"], f.describe().get("header_descriptions")) == (False, None)


@pytest.mark.parametrize("engine", ["arrow", "python"])
@pytest.mark.parametrize(
    ("data", "records", "lines", "structure", "warning"),
    [
        # two exports appended, each with its types footer: the same types line met again
        (b"a,b,c\n1,2,3\nstring,number,date\n4,5,6\nstring,number,date\n", [["1", "2", "3"], ["4", "5", "6"]], [2, 4],
         {"header": [1], "header_description": [3, 5]}, again(3, "['string', 'number', 'date']")),
        # the repeat in another letter case, the header repeated between them
        (b"a,b,c\n1,2,3\nSTRING,NUMBER,DATE\na,b,c\n4,5,6\nstring,number,date\n", [["1", "2", "3"], ["4", "5", "6"]], [2, 5],
         {"header": [1], "header_description": [3, 6], "repeated_header": [4]}, again(3, "['STRING', 'NUMBER', 'DATE']")),
        # pandas dtypes met twice
        (b"id,qty\n1,5\nint64,float64\n2,6\nint64,float64\n", [["1", "5"], ["2", "6"]], [2, 4],
         {"header": [1], "header_description": [3, 5]}, again(3, "['int64', 'float64']")),
    ],
)
def test_a_types_footer_met_again_is_structural(engine: str, data: bytes, records: list[list[str]], lines: list[int],
                                                 structure: dict, warning: str) -> None:
    f, got, got_lines = read(data, ReadOptions(engine=engine))
    assert (got, got_lines) == (records, lines)
    assert (f.structure.records, f.structure.lines, f.warnings) == (len(data.splitlines()), structure, [warning])


def cast(row: str, shown: str, columns: str) -> str:
    """The warning (as before) for a types line under the header with type names in the records below."""
    return (
        f"line 2 ({row}) may describe the columns rather than be a record (possible_header_description: a line of type names "
        f"({shown}), but a record below holds a type name too ({columns})): kept as a record — if it is a description line, "
        "drop it from the export (its values stay in the columns)"
    )


@pytest.mark.parametrize(
    ("data", "warnings"),
    [
        (b"from_type,to_type,lossless\nint,float,yes\nfloat,int,no\nstring,date,no\n", []),  # breaker8 hdr2/a_cast_table_footer.csv
        (b"from_type,to_type\nint,float\nfloat,int\nstring,date\n",  # hdr2/b_cast_table_alltypes.csv
         [cast("['int', 'float']", "int, float", "from_type, to_type")]),
        (b"source_type,target_type\nVARCHAR(20),TEXT\nINT,BIGINT\nVARCHAR(20),TEXT\n",  # hdr2/c_sql_migration_repeat.csv
         [cast("['VARCHAR(20)', 'TEXT']", "VARCHAR(20), TEXT", "source_type, target_type")]),
        (b"question_id,answer_type\nq1,text\nq2,date\nq3,number\n", []),  # hdr2/i_answer_types.csv
    ],
)
def test_tables_of_type_words_stay_records_with_no_footer_warning(data: bytes, warnings: list[str]) -> None:
    f, records, lines = read(data)
    rows = [r.split(",") for r in data.decode().splitlines()]
    assert (f.header, records, lines, f.structure.lines) == (rows[0], rows[1:], list(range(2, len(rows) + 1)), {"header": [1]})
    assert f.warnings == warnings


def test_the_types_footer_record_is_curated_through_ingest_and_clean(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "k_numeric_then_types.csv", NUMERIC_THEN_TYPES)
    assert values(curated) == [{"_line": 2, "a": "1", "b": "2", "c": "3"}, {"_line": 3, "a": "string", "b": "number", "c": "date"}]
    assert (manifest["table"]["header"], manifest["table"]["header_unconfirmed"]) == ("line 1", False)
    assert manifest["structural_lines"] == {"header": [1]}
    assert manifest["read_warnings"] == [footer(3, "['string', 'number', 'date']", "string, number, date")]
    assert (entry["records"], entry["curated"], entry["structural_lines"]) == (3, 2, 1)


def test_a_dated_table_keeps_its_types_footer_record_as_written(settings: Settings) -> None:
    # the record of type words keeps every column text: each value as written (the warning says why)
    data = b"id,amount,created\n1,5.5,2024-01-02\n2,6.5,2024-01-03\nstring,number,date\n"
    manifest, curated, entry = run(settings, "b_footer.csv", data)
    assert values(curated) == [
        {"_line": 2, "id": "1", "amount": "5.5", "created": "2024-01-02"},
        {"_line": 3, "id": "2", "amount": "6.5", "created": "2024-01-03"},
        {"_line": 4, "id": "string", "amount": "number", "created": "date"},
    ]
    assert manifest["column_types"] == {"id": "string", "amount": "string", "created": "string"}
    assert manifest["structural_lines"] == {"header": [1]}
    assert manifest["read_warnings"] == [footer(4, "['string', 'number', 'date']", "string, number, date")]
    assert (entry["records"], entry["curated"], entry["structural_lines"]) == (4, 3, 1)
