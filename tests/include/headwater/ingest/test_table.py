"""Finding the table in the head of a file (headwater.ingest.table): dialect, lines above it, header rows or none, shape.

Each case is one of issue 9's examples (items 1-8) or a variant of it; the reader's handling of
the same files is tested in test_table_reading.py.
"""

from __future__ import annotations

import pytest

from headwater.config.read import ReadOptions
from headwater.ingest.table import Table, column_names, find_table, shape, value_kind


def found(text: str, **options) -> tuple:  # noqa: ANN003
    t = find_table(text, ReadOptions(**options))
    return (None if t.single_column else t.delimiter, t.quotechar, t.skipinitialspace, t.sep_line, t.skip, t.header_rows, t.width)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # item 1: one column whose text holds commas (and a variant with rows of 0, 1 and 2 commas)
        ("review\nNice fit, runs large\nColour faded, sent back\n", (None, '"', False, False, 0, 1, 1)),
        ("review\nGreat\nNice fit, runs large\nOK, I guess, fine\n", (None, '"', False, False, 0, 1, 1)),
        # a title line above a two-column text table is preamble, not a one-column file
        ("Staff list\nname,city\nAnn,Quito\nBob,Lima\n", (",", '"', False, False, 1, 1, 2)),
        # item 2: no header (and a variant whose text values say nothing, but its number column does)
        ("K-17,2025-03-01,Quito,3.10\nK-18,2025-03-01,Accra,8.00\n", (",", '"', False, False, 0, 0, 4)),
        ("Ann Lee,Quito,3.10\nBo Chen,Accra,8.00\nCy Diaz,Lima,1.25\n", (",", '"', False, False, 0, 0, 3)),
        ("12\n13\n14\n", (None, '"', False, False, 0, 0, 1)),
        ("1,2.5,2025-01-01\n", (",", '"', False, False, 0, 0, 3)),  # a lone row of numbers and dates is data
        ("id,name,email\n", (",", '"', False, False, 0, 1, 3)),  # a lone row of names is a header
        # item 3: preamble lines above the header (title, period, a padded note), and in a ; file
        (
            "Sales report Q1\nPeriod: 2025-01-01 to 2025-03-31\nNOTE,,,\nid,city,amount,day\n1,Quito,3.10,2025-03-01\n2,Accra,8.00,2025-03-02\n",
            (",", '"', False, False, 3, 1, 4),
        ),
        ("Report;;\n;;\nid;name;amount\n1;Ann;0,5\n2;Bob;1,25\n", (";", '"', False, False, 2, 1, 3)),
        ("Source,Ministry of Roads,,,\nid,road,km,lanes,year\n1,A1,12.5,2,2019\n2,B7,3.25,1,2021\n", (",", '"', False, False, 1, 1, 5)),
        # item 4: Excel's sep= line
        ("sep=;\nid;name\n1;Ann\n2;Bob\n", (";", '"', False, True, 1, 1, 2)),
        ("sep=|\nid|amount\n1|2,5\n", ("|", '"', False, True, 1, 1, 2)),
        # item 5: ", " delimiters with quoted fields after the space
        ('id, name, place\n1, "Ortiz, Ana", "Salta, AR"\n2, "Lee, Bo", "Lima, PE"\n', (",", '"', True, False, 0, 1, 3)),
        # item 8: apostrophe as the quote character (fields holding the delimiter)
        ("id,name,place\n1,'Ortiz, Ana','Salta, AR'\n2,'Lee, Bo','Lima, PE'\n", (",", "'", False, False, 0, 1, 3)),
        ("id;note\n1;'a;b'\n2;'it''s'\n", (";", "'", False, False, 0, 1, 2)),
        # an apostrophe inside words is not a quote character
        ("id,name\n1,O'Brien\n2,D'Arcy\n", (",", '"', False, False, 0, 1, 2)),
        # item 8: multi-row headers
        (",Sales,,Returns,\nRegion,Q1,Q2,Q1,Q2\nNorth,1,2,3,4\nSouth,5,6,7,8\n", (",", '"', False, False, 0, 2, 5)),
        ("Country,Population,Population\n,2020,2021\nFrance,67,68\nSpain,47,48\nItaly,59,58\n", (",", '"', False, False, 0, 2, 3)),
        # years as column names over other numbers are a header
        ("Country,2020,2021\nFrance,67.1,68.2\nSpain,47.3,47.4\n", (",", '"', False, False, 0, 1, 3)),
        # item 7: trailing delimiters do not decide the width
        ("id,name\n1,Ann,,\n2,Bob,\n", (",", '"', False, False, 0, 1, 2)),
        ("id,name,\n1,Ann\n2,Bob\n", (",", '"', False, False, 0, 1, 2)),
        # item 10: nothing at all
        ("", (",", '"', False, False, 0, 0, 0)),
        ("\n \n\t\n", (",", '"', False, False, 0, 0, 0)),
        # a first line that does not parse is met by the reader as a broken header
        ('"id,name\n1,Ann\n', (",", '"', False, False, 0, 1, 0)),
    ],
)
def test_the_table_is_found(text: str, expected: tuple) -> None:
    assert found(text) == expected


def test_read_options_override_what_is_detected() -> None:
    text = "K-17,2025-03-01\nK-18,2025-03-02\n"
    assert found(text, header=1)[4:6] == (0, 1)  # the first line is the header, whatever it looks like
    assert found("Report\nid,name\nAnn,Quito\n", header="none")[4:6] == (1, 0)  # the title still skipped
    assert found("Report\nmore\nid,name\nAnn,Quito\n", skip_lines=2)[4:6] == (2, 1)
    assert found("Report\nmore\nK-17,3\nK-18,4\n", skip_lines=2, header="none")[4:6] == (2, 0)
    assert found("sep=;\nTitle\nid;name\n1;Ann\n", header=3)[3:6] == (True, 2, 1)  # line numbers count the sep line
    assert found("id,name\n1,'Ann'\n", quotechar="'")[1] == "'"
    assert find_table("id,name\n1,Ann\n", ReadOptions(header="none")).how == "read.header: none"


def test_the_table_of_a_cut_sample_ignores_its_last_line() -> None:
    # the sample ends inside a line: that line is not a record of 1 field
    text = "id,name,city\n" + "1,Ann,Quito\n" * 3 + "2,Bo"
    assert find_table(text, complete=False).width == 3 and len(find_table(text, complete=False).rows) == 3


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("", "empty"), ("n/a", "empty"), ("NA", "empty"), ("3.10", "number"), ("-1,204.50", "number"), ("0,125", "number"),
        ("$1,200.00", "number"), ("(45.00)", "number"), ("12%", "number"), ("2025-03-01", "date"), ("01/03/2025", "date"),
        ("2025-03-01T10:00:00Z", "date"), ("10:30", "date"), ("K-17", "code"), ("SKU123", "code"), ("ann@example.com", "code"),
        ("Quito", "text"), ("amount (EUR)", "text"), ("customer_id", "text"), ("Nice fit, runs large", "text"),
    ],
)
def test_value_kinds(value: str, kind: str) -> None:
    assert value_kind(value) == kind


def test_multi_row_header_names_join_down_the_columns() -> None:
    assert column_names([["", "Sales", "", "Returns", ""], ["Region", "Q1", "Q2", "Q1", "Q2"]]) == [
        "Region", "Sales Q1", "Sales Q2", "Returns Q1", "Returns Q2",
    ]
    assert column_names([["Country", "Population", "Population"], ["", "2020", "2021"]]) == ["Country", "Population 2020", "Population 2021"]
    assert column_names([["id", "name"]]) == ["id", "name"]
    assert column_names([]) == []


def _table(width: int, rows: list[list[str]], header_rows: int = 1) -> Table:
    return Table(",", width=width, rows=rows, header_rows=header_rows)


@pytest.mark.parametrize(
    ("names", "width", "rows", "expected"),
    [
        # no header: generic names
        (["a"], 2, [["1", "2"]], (["column_1", "column_2"], 2, False, None)),
        # data lines with a trailing delimiter: the header's width, empty fields dropped row by row
        (["id", "name"], 3, [["1", "Ann", ""], ["2", "Bob", ""]], (["id", "name"], 2, False, "data lines end with 1 more delimiter than the header: the empty field dropped")),
        # one field more or fewer than the header's names (issue #2 of breaker2): no alignment guessed, generic names
        (["name", "city"], 3, [["1", "Ann", "Quito"], ["2", "Bo", "Lima"]],
         (["", "", ""], 3, True, "the header has 2 names, data lines 3 fields: names not matched to fields, loaded as column_1..column_3")),
        (["id", "name"], 3, [["7", "Ann", "x"], ["3", "Bo", "y"]],
         (["", "", ""], 3, True, "the header has 2 names, data lines 3 fields: names not matched to fields, loaded as column_1..column_3")),
        (["order", "amount"], 3, [["101", "1", "200"], ["205", "2", "500"]],
         (["", "", ""], 3, True, "the header has 2 names, data lines 3 fields: names not matched to fields, loaded as column_1..column_3")),
        # a header with one name too many: an empty last name dropped; a real one is a mismatch too
        (["id", "name", ""], 2, [["1", "Ann"]], (["id", "name"], 2, False, "the header ends with an empty name (3 names, 2 fields in data lines): dropped")),
        (["id", "name", "city"], 2, [["1", "Ann"]], (["", ""], 2, True, "the header has 3 names, data lines 2 fields: names not matched to fields, loaded as column_1..column_2")),
        # two or more apart: the header decides, rows of other widths are quarantined
        (["a", "b", "c", "d"], 2, [["1", "2"]], (["a", "b", "c", "d"], 4, False, None)),
    ],
)
def test_header_and_data_widths_are_matched(names: list[str], width: int, rows: list[list[str]], expected: tuple) -> None:
    s = shape(names, _table(width, rows, header_rows=0 if names == ["a"] else 1))
    assert (s.names, s.width, s.mismatch, s.note) == expected
