"""Breaker6 #7 and #16: a first row of rising numbers is a header only on evidence; a row of type names under the
header is a description line.

#7: ``Widget,1,2,3`` over ``Gadget,5,4,1`` / ``Gizmo,9,9,0`` (no header) was taken as the header and the Widget record
left the table. The row's labels (a column word such as ``product``, ``name``; or a cell written like the values below
it) and its numbers (outside the range of the numbers below, or among them) are weighed (table._numbered_header); a
record kept that may be a header is warned with the ``read.header`` that makes it one.

#16: ``string,number,date`` under ``id,amount,created`` stayed a record, un-typed every column and the warning said to
set ``read.header: 2``. It is now a ``header_description`` structural line (as a label row is), and the columns type as
they do without it. Each case is read by the reader (parse_csv / CsvFile) and, for types and accounting, through
ingest + clean + the run report.
"""

from __future__ import annotations

import datetime as dt

import pytest

from headwater.config.read import ReadOptions
from headwater.config.settings import Settings
from headwater.ingest.csv_file import parse_csv
from headwater.ingest import table
from header_cases import TYPES_DESCRIBED, accounted, headerless, kept, rows, taken, types_reason
from test_header_descriptions import possible, read, single
from test_table_stage import run, values

# breaker6's inputs (/work/notes/breaker6/in/numrise/, in/desc/b_types.csv), embedded
SENSORS = b"sensor-A,10,20,30\nsensor-B,12,11,9\nsensor-C,7,7,8\n"
WIDGETS = b"Widget,1,2,3\nGadget,5,4,1\nGizmo,9,9,0\n"
RUNS = b"run1,100,200,300,400\nrun2,150,120,90,80\n"
TYPES = b"id,amount,created\nstring,number,date\n1,5.5,2024-01-02\n2,6.5,2024-01-03\n"


# ------------------------------------------------------------------ #7: the breaker's three inputs


@pytest.mark.parametrize(
    ("data", "warnings"),
    [
        (SENSORS, []),  # 10,20,30 rise (not by one) and 'sensor-A' is no one-word label: a record, nothing to say
        (WIDGETS, [kept(
            "['Widget', '1', '2', '3']", "count up (1..3)",
            "'Widget' is written like the values below it ('Gadget', 'Gizmo') and its numbers lie among theirs (0..9)",
        )]),
        (RUNS, []),  # 'run1' is a code, not a label
    ],
)
def test_the_breakers_first_rows_of_rising_numbers_stay_records(data: bytes, warnings: list[str]) -> None:
    parsed = parse_csv(data, "x.csv")
    width = len(rows(data)[0])
    assert parsed.header == [f"column_{i}" for i in range(1, width + 1)]
    assert (parsed.records, parsed.lines, parsed.warnings) == (rows(data), list(range(1, len(rows(data)) + 1)), warnings)


def test_the_widget_record_is_curated_through_ingest_and_clean(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "b_widgets.csv", WIDGETS)
    assert values(curated) == [headerless(1, "Widget", 1, 2, 3), headerless(2, "Gadget", 5, 4, 1), headerless(3, "Gizmo", 9, 9, 0)]
    assert (manifest["table"]["header"], manifest["table"]["header_unconfirmed"], manifest["structural"]) == ("none found", False, {})
    assert manifest["column_types"] == {"column_1": "string", "column_2": "integer", "column_3": "integer", "column_4": "integer"}
    assert manifest["read_warnings"] == [kept(
        "['Widget', '1', '2', '3']", "count up (1..3)",
        "'Widget' is written like the values below it ('Gadget', 'Gizmo') and its numbers lie among theirs (0..9)",
    )]
    assert accounted(entry) == (3, 3, 0)


def test_read_header_1_makes_the_widget_row_the_header_as_the_warning_says() -> None:
    parsed = parse_csv(WIDGETS, "x.csv", ReadOptions(header=1))
    assert (parsed.header, parsed.records, parsed.warnings) == (["Widget", "1", "2", "3"], rows(WIDGETS)[1:], [])


# ------------------------------------------------------------------ #7: variants


@pytest.mark.parametrize(
    ("data", "run_"),
    [
        # sizes over counts 0-6: a column word and numbers outside the values below
        (b"product,36,38,40,42\nShirt,3,4,5,1\nPants,6,0,2,2\nSocks,1,1,1,1\n", "rise (36..42)"),
        (b"Product,36,38,40\nShirt,3,4,1\nPants,6,2,1\n", "rise (36..40)"),  # capitalised: still the column word
        (b"sizes,36,38,40\nShirt,3,4,1\nPants,6,2,1\n", "rise (36..40)"),  # in the plural
        (b"product,36,38,40\nShirt,3,4,1\n", "rise (36..40)"),  # one data row: the word is enough
        # weeks with a name column: the numbers lie among the values below, the word decides
        (b"name,1,2,3\nAnn,5,4,1\nBob,9,9,0\n", "count up (1..3) and its label 'name' is a column word, though they lie among the values below (0..9)"),
        (b"Name,1,2,3\nann,5,4,1\nbob,9,9,0\n", "count up (1..3) and its label 'Name' is a column word, though they lie among the values below (0..9)"),
        (b"Product Name,1,2,3\nGadget,5,4,1\nGizmo,9,9,0\n", "count up (1..3) and its label 'Product Name' is a column word, though they lie among the values below (0..9)"),  # every word a column word
        (b"question,1,2,3,4,5\nEase of use,3,5,10,20,12\nSupport,1,2,8,25,14\n", "count up (1..5) and its label 'question' is a column word, though they lie among the values below (1..25)"),  # Likert
        # no label, the numbers below all larger: nothing says record
        (b"1,2,3\n10,20,30\n40,50,70\n", "count up (1..3)"),
    ],
)
def test_a_header_of_numbers_with_evidence_stays_the_header(data: bytes, run_: str) -> None:
    parsed = parse_csv(data, "x.csv")
    first, *below = rows(data)
    assert (parsed.header, parsed.records, parsed.lines) == (first, below, list(range(2, len(below) + 2)))
    assert parsed.warnings == [taken(repr(first).replace('"', "'"), run_)]


@pytest.mark.parametrize(
    ("data", "how", "why"),
    [
        # lower-case product names over lower-case product names
        (b"widget,1,2,3\ngadget,5,4,1\ngizmo,9,9,0\n", "count up (1..3)",
         "'widget' is written like the values below it ('gadget', 'gizmo') and its numbers lie among theirs (0..9)"),
        # a single data row below
        (b"Widget,1,2,3\nGadget,5,4,1\n", "count up (1..3)",
         "'Widget' is written like the values below it ('Gadget') and its numbers lie among theirs (1..5)"),
        # split evidence: the label is written like the values, the numbers lie outside theirs — the record is kept
        (b"Widget,1,2,3\nGadget,15,14,11\nGizmo,19,19,10\n", "count up (1..3)",
         "'Widget' is written like the values below it ('Gadget', 'Gizmo'), though its numbers lie outside theirs (10..19)"),
        (b"Shoe,36,38,40\nBoot,3,4,1\nSandal,6,2,1\n", "rise (36..40)",
         "'Shoe' is written like the values below it ('Boot', 'Sandal'), though its numbers lie outside theirs (1..6)"),
        # no label, the numbers among the values below
        (b"1,2,3\n2,5,1\n3,1,4\n", "count up (1..3)", "its numbers lie among the values below them (1..5)"),
        # a label of the row's kind ('sensor-A' over 'sensor-B'), counting numbers among theirs
        (b"sensor-A,1,2,3\nsensor-B,5,4,1\nsensor-C,9,9,0\n", "count up (1..3)",
         "'sensor-A' is written like the values below it ('sensor-B', 'sensor-C') and its numbers lie among theirs (0..9)"),
    ],
)
def test_a_record_that_may_be_a_header_of_numbers_is_kept_and_warned(data: bytes, how: str, why: str) -> None:
    parsed = parse_csv(data, "x.csv")
    first = rows(data)[0]
    assert parsed.header == [f"column_{i}" for i in range(1, len(first) + 1)]
    assert (parsed.records, parsed.lines[0]) == (rows(data), 1)
    assert parsed.warnings == [kept(repr(first).replace('"', "'"), how, why)]


def test_records_above_the_row_silence_its_doubt() -> None:
    # the row's doubt is about being the file's header: a record of the table's width above it settles that
    data = b"Gadget,5,4,1\nWidget,1,2,3\nGizmo,9,9,0\n"
    parsed = parse_csv(data, "x.csv")
    assert (parsed.header[0], parsed.records, parsed.warnings) == ("column_1", rows(data), [])


def test_the_sizes_table_is_curated_under_its_header(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "sizes.csv", b"product,36,38,40\nShirt,3,4,1\nPants,6,2,1\n")
    assert list(curated.columns) == ["_line", "product", "col_36", "col_38", "col_40"]
    assert values(curated) == [
        {"_line": 2, "product": "Shirt", "col_36": 3, "col_38": 4, "col_40": 1},
        {"_line": 3, "product": "Pants", "col_36": 6, "col_38": 2, "col_40": 1},
    ]
    assert (manifest["table"]["header"], manifest["table"]["header_unconfirmed"], manifest["structural"]) == ("line 1", True, {"header": 1})
    assert accounted(entry) == (3, 2, 1)


@pytest.mark.parametrize(
    ("cell", "word"),
    [("product", True), ("Products", True), ("categories", True), ("Product name", True), ("product_id", True),
     ("ProductName", True), ("SKU", True), ("Widget", False), ("sensor-A", False), ("name2", False), ("Ann", False)],
)
def test_label_word(cell: str, word: bool) -> None:
    assert table.label_word(cell) is word


# ------------------------------------------------------------------ #16: a row of type names under the header


@pytest.mark.parametrize("engine", ["arrow", "python"])
def test_a_types_line_is_a_header_description(engine: str) -> None:
    f, records, lines = read(TYPES, ReadOptions(engine=engine))
    assert (f.header, records, lines) == (["id", "amount", "created"], [["1", "5.5", "2024-01-02"], ["2", "6.5", "2024-01-03"]], [3, 4])
    assert (f.structure.records, f.structure.lines) == (4, {"header": [1], "header_description": [2]})
    assert f.describe()["header_descriptions"] == TYPES_DESCRIBED
    assert f.warnings == [single(types_reason("string, number, date"))]
    assert "read.header: 2" not in " ".join(f.warnings)


@pytest.mark.parametrize(
    ("data", "shown", "records", "lines"),
    [
        # SQL types with parameters, upper case (a quoted comma inside DECIMAL(10,2))
        (b'id,name,price\nINT,VARCHAR(20),"DECIMAL(10,2)"\n1,Ann,5.50\n2,Bob,6.25\n', "INT, VARCHAR(20), DECIMAL(10,2)",
         [["1", "Ann", "5.50"], ["2", "Bob", "6.25"]], [3, 4]),
        # a table of text: 'string' is written only as a type
        (b"name,city\nstring,string\nAnn,Oslo\nBob,Rome\n", "string, string", [["Ann", "Oslo"], ["Bob", "Rome"]], [3, 4]),
        # under a label line: two description lines
        (b"id,amount,created\nRecord ID,Amount (USD),Created Date\nstring,number,date\n1,5.5,2024-01-02\n2,6.5,2024-01-03\n",
         "string, number, date", [["1", "5.5", "2024-01-02"], ["2", "6.5", "2024-01-03"]], [4, 5]),
        # an unnamed index column left empty in both lines
        (b",amount,created\n,float64,datetime64[ns]\n1,5.5,2024-01-02\n2,6.5,2024-01-03\n", "float64, datetime64[ns]",
         [["1", "5.5", "2024-01-02"], ["2", "6.5", "2024-01-03"]], [3, 4]),
    ],
)
def test_type_line_variants(data: bytes, shown: str, records: list[list[str]], lines: list[int]) -> None:
    f, got, got_lines = read(data)
    assert (got, got_lines) == (records, lines)
    assert f.describe()["header_descriptions"][-1]["reason"] == types_reason(shown)
    assert f.structure.counts == {"header": 1, "header_description": lines[0] - 2}


@pytest.mark.parametrize(
    ("data", "row", "why"),
    [
        # type names are values of the table (a schema's column list): kept
        (b"field,kind,note\nstring,text,int\nsku,string,x\nqty,integer,y\n", "['string', 'text', 'int']",
         "a line of type names (string, text, int), but a record below holds a type name too (kind)"),
        # nothing below to compare it with
        (b"id,amount\nstring,number\n", "['string', 'number']", "a line of type names (string, number), but no record below to compare it with"),
    ],
)
def test_a_types_line_that_may_be_a_record_is_kept_and_warned(data: bytes, row: str, why: str) -> None:
    f, records, lines = read(data)
    assert (records[0], lines[0], f.structure.counts) == (rows(data)[1], 2, {"header": 1})
    assert f.warnings[0] == possible(row, why)


def test_everyday_words_over_text_are_a_record() -> None:
    # 'date' and 'time' are words as well as types: over columns of text they are a glossary's record
    data = b"word,kind\ndate,time\napple,fruit\npear,fruit\n"
    f, records, lines = read(data)
    assert (records, lines, f.structure.counts) == (rows(data)[1:], [2, 3, 4], {"header": 1})
    assert not any("header_description" in w for w in f.warnings)


@pytest.mark.parametrize(
    ("cell", "is_type"),
    [("string", True), ("VARCHAR(20)", True), ("decimal(10, 2)", True), ("Double Precision", True), ("int unsigned", True),
     ("timestamp with time zone", True), ("datetime64[ns]", True), ("Amount", False), ("strings", False), ("5", False), ("", False)],
)
def test_type_name(cell: str, is_type: bool) -> None:
    assert table.type_name(cell) is is_type


def test_the_types_line_no_longer_untypes_the_columns(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "b_types.csv", TYPES)
    plain, plain_curated, _ = run(settings, "plain.csv", TYPES.replace(b"string,number,date\n", b""))
    assert manifest["column_types"] == plain["column_types"] == {"id": "string", "amount": "number", "created": "date"}
    assert values(curated) == [
        {"_line": 3, "id": "1", "amount": 5.5, "created": dt.date(2024, 1, 2)},
        {"_line": 4, "id": "2", "amount": 6.5, "created": dt.date(2024, 1, 3)},
    ]
    assert [r["_line"] for r in values(plain_curated)] == [2, 3]
    assert (manifest["structural"], manifest["structural_lines"]) == ({"header": 1, "header_description": 1}, {"header": [1], "header_description": [2]})
    assert manifest["column_descriptions"] == {"id": ["string"], "amount": ["number"], "created": ["date"]}
    assert manifest["read_warnings"] == [single(types_reason("string, number, date"))]
    assert accounted(entry) == (4, 2, 2)


# ------------------------------------------------------------------ breaker7 #2: a label that is one of the values below


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"Item,1,2,3\nItem,5,4,1\nGizmo,9,9,0\n",  # breaker7 in/hdr/d_item_record.csv: the column word is a value below
         "'Item' is written like the values below it ('Item', 'Gizmo') and its numbers lie among theirs (0..9)"),
        (b"Name,1,2,3\nname,5,4,1\n", "'Name' is written like the values below it ('name') and its numbers lie among theirs (1..5)"),
        (b"size,1,2,3\nsmall,5,4,1\nSIZE,9,9,0\n",  # in another case, lower in the column
         "'size' is written like the values below it ('small', 'SIZE') and its numbers lie among theirs (0..9)"),
    ],
)
def test_a_column_word_that_is_a_value_below_is_a_record(data: bytes, why: str) -> None:
    parsed = parse_csv(data, "x.csv")
    records = rows(data)
    assert (parsed.header, parsed.records, parsed.lines) == (["column_1", "column_2", "column_3", "column_4"], records, [1, 2, 3][: len(records)])
    assert parsed.warnings == [kept(repr(records[0]), "count up (1..3)", why)]


def test_a_header_met_again_below_is_no_value_of_its_column() -> None:
    # the whole line repeated below (concatenated exports) is the header met again, not a record that names the label
    parsed = parse_csv(b"item,1,2,3\nitem,1,2,3\nWidget,5,4,1\nGizmo,9,9,0\n", "x.csv")
    assert (parsed.header, parsed.records, parsed.lines) == (["item", "1", "2", "3"], [["Widget", "5", "4", "1"], ["Gizmo", "9", "9", "0"]], [3, 4])
    assert parsed.structure is not None and parsed.structure.counts == {"header": 1, "repeated_header": 1}
