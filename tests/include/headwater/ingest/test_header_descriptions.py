"""Breaker3 finding 9: lines under the header that describe its columns (Qualtrics, SurveyMonkey, data dictionaries).

Such a line is a named structural line (``header_description``) when the evidence is sure, its text kept per
column in the manifest; when unsure it stays a record and a warning says ``possible_header_description``.
Each case is read by the reader (parse_csv) and, for the typed columns and the report's accounting, through
ingest + clean + the run report.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from headwater.config.read import ReadOptions
from headwater.config.settings import Settings
from headwater.ingest.csv_file import CsvFile, parse_csv
from test_table_stage import run  # ingest + clean of one file, its manifest, curated values and report entry


QUALTRICS = (
    b"StartDate,EndDate,Q1,Q2\n"
    b"Start Date,End Date,How satisfied are you?,Any comments?\n"
    b'"{""ImportId"":""startDate""}","{""ImportId"":""endDate""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2_TEXT""}"\n'
    b"2025-01-02 10:00:00,2025-01-02 10:05:00,4,Great service\n"
    b"2025-01-03 11:00:00,2025-01-03 11:02:00,2,Slow delivery\n"
    b"2025-01-04 09:00:00,2025-01-04 09:09:00,5,\n"
)
QUALTRICS_2LINE = (
    b"StartDate,EndDate,Finished,Q1,Q2\n"
    b"Start Date,End Date,Finished,How satisfied are you?,Any comments?\n"
    b"2025-01-02 10:00:00,2025-01-02 10:05:00,True,4,Great service\n"
    b"2025-01-03 11:00:00,2025-01-03 11:02:00,False,2,Slow delivery\n"
    b"2025-01-04 09:00:00,2025-01-04 09:09:00,True,5,\n"
)
SURVEYMONKEY = (
    b"Respondent ID,Start Date,End Date,How satisfied are you?,Any comments?\n"
    b",,,Response,Open-Ended Response\n"
    b"114001,01/02/2025 10:00:00,01/02/2025 10:05:00,4,Great service\n"
    b"114002,01/03/2025 11:00:00,01/03/2025 11:02:00,2,Slow delivery\n"
    b"114003,01/04/2025 09:00:00,01/04/2025 09:09:00,5,\n"
)
DICTIONARY = b"id,amount,placed\nIdentifier,Amount in USD,Order date\nO-1,10.5,2025-01-02\nO-2,20.25,2025-01-03\nO-3,7.0,2025-01-04\n"
UNITS_AND_DESCRIPTIONS = b"name,weight,height\n,kg,cm\nFull name,Body weight,Body height\nAnn,60,170\nBob,82,181\nCy,75,176\n"
ALL_TEXT = b"question,answer\nWhich question is it?,The answer to it\nWhere is Oslo?,In Norway\nWho wrote Hamlet?,Shakespeare\n"


def described(names: list[str], texts: list[str], first: int = 1) -> list[dict]:
    """A description line's ``columns`` in the file's description (``CsvFile.describe``): column numbers from ``first``."""
    return [{"column": i, "name": n, "description": t} for i, (n, t) in enumerate(zip(names, texts), start=first)]


QUALTRICS_NAMES = ["StartDate", "EndDate", "Q1", "Q2"]
QUALTRICS_DESCRIPTIONS = [
    {
        "line": 2,
        "reason": "column texts above a line of JSON objects (Qualtrics' question-text line)",
        "columns": described(QUALTRICS_NAMES, ["Start Date", "End Date", "How satisfied are you?", "Any comments?"]),
    },
    {
        "line": 3,
        "reason": "a JSON object with the same keys in every filled cell (Qualtrics' ImportId line)",
        "columns": described(QUALTRICS_NAMES, [f'{{"ImportId":"{i}"}}' for i in ("startDate", "endDate", "QID1", "QID2_TEXT")]),
    },
]
QUALTRICS_WARNING = (
    "lines 2, 3 under the header describe its columns, not records (header_description — line 2: column texts above a line "
    "of JSON objects (Qualtrics' question-text line); line 3: a JSON object with the same keys in every filled cell (Qualtrics' "
    "ImportId line)): counted as structural lines, their text kept per column in the manifest (table.header_descriptions, "
    "column_descriptions)"
)


def read(data: bytes, options: ReadOptions | None = None) -> tuple[CsvFile, list[list[str]], list[int]]:
    """(the opened file after reading, its records, their lines)."""
    f = CsvFile(data, "f.csv", options)
    records: list[list[str]] = []
    lines: list[int] = []
    for batch in f.batches():
        records += batch.records
        lines += batch.lines
    return f, records, lines


def single(reason: str) -> str:
    """The warning for one description line on line 2."""
    return (
        f"line 2 under the header describes its columns, not records (header_description — line 2: {reason}): counted as "
        "structural lines, their text kept per column in the manifest (table.header_descriptions, column_descriptions)"
    )


def possible(row: str, why: str) -> str:
    return (
        f"line 2 ({row}) may describe the columns rather than be a record (possible_header_description: {why}): kept as a "
        "record — if it is a description line, drop it from the export (its values stay in the columns)"
    )


@pytest.mark.parametrize("engine", ["arrow", "python"])
def test_qualtrics_three_line_header(engine: str) -> None:
    f, records, lines = read(QUALTRICS, ReadOptions(engine=engine))
    assert f.header == ["StartDate", "EndDate", "Q1", "Q2"]
    assert records == [
        ["2025-01-02 10:00:00", "2025-01-02 10:05:00", "4", "Great service"],
        ["2025-01-03 11:00:00", "2025-01-03 11:02:00", "2", "Slow delivery"],
        ["2025-01-04 09:00:00", "2025-01-04 09:09:00", "5", None],  # an empty unquoted field: nothing written (values5)
    ]
    assert lines == [4, 5, 6]
    assert (f.structure.records, f.structure.counts) == (6, {"header": 1, "header_description": 2})
    assert f.structure.lines == {"header": [1], "header_description": [2, 3]}
    assert f.describe()["header_descriptions"] == QUALTRICS_DESCRIPTIONS
    assert f.warnings == [QUALTRICS_WARNING]


def test_qualtrics_two_line_header_with_a_boolean_column() -> None:
    f, records, lines = read(QUALTRICS_2LINE)
    assert (lines, records[0]) == ([3, 4, 5], ["2025-01-02 10:00:00", "2025-01-02 10:05:00", "True", "4", "Great service"])
    assert f.structure.lines == {"header": [1], "header_description": [2]}
    assert f.warnings == [single("text over columns of numbers, dates, codes or booleans below it (StartDate, EndDate, Finished, Q1)")]
    assert [c["description"] for c in f.describe()["header_descriptions"][0]["columns"]] == [
        "Start Date", "End Date", "Finished", "How satisfied are you?", "Any comments?",
    ]


def test_surveymonkey_answer_option_line() -> None:
    f, records, lines = read(SURVEYMONKEY)
    assert f.header == ["Respondent ID", "Start Date", "End Date", "How satisfied are you?", "Any comments?"]
    assert (lines, records[2]) == ([3, 4, 5], ["114003", "01/04/2025 09:00:00", "01/04/2025 09:09:00", "5", None])
    assert (f.structure.records, f.structure.counts) == (5, {"header": 1, "header_description": 1})
    assert f.describe()["header_descriptions"] == [{
        "line": 2,
        "reason": "answer-option labels under the questions (SurveyMonkey's Response / Open-Ended Response line)",
        "columns": described(["How satisfied are you?", "Any comments?"], ["Response", "Open-Ended Response"], first=4),
    }]
    assert f.warnings == [single("answer-option labels under the questions (SurveyMonkey's Response / Open-Ended Response line)")]


def test_data_dictionary_descriptions_line() -> None:
    f, records, lines = read(DICTIONARY)
    assert (records, lines) == ([["O-1", "10.5", "2025-01-02"], ["O-2", "20.25", "2025-01-03"], ["O-3", "7.0", "2025-01-04"]], [3, 4, 5])
    assert f.structure.lines == {"header": [1], "header_description": [2]}
    assert f.describe()["header_descriptions"][0]["columns"] == described(["id", "amount", "placed"], ["Identifier", "Amount in USD", "Order date"])
    assert f.warnings == [single("text over columns of numbers, dates, codes or booleans below it (id, amount, placed)")]


def test_units_line_then_descriptions_line() -> None:
    f, records, lines = read(UNITS_AND_DESCRIPTIONS)
    assert f.header == ["name", "weight kg", "height cm"]
    assert (records, lines) == ([["Ann", "60", "170"], ["Bob", "82", "181"], ["Cy", "75", "176"]], [4, 5, 6])
    assert f.structure.lines == {"header": [1, 2], "header_description": [3]}
    assert [(c["name"], c["description"]) for c in f.describe()["header_descriptions"][0]["columns"]] == [
        ("name", "Full name"), ("weight kg", "Body weight"), ("height cm", "Body height"),
    ]
    assert f.warnings == [
        single("text over columns of numbers, dates, codes or booleans below it (weight kg, height cm)").replace("line 2", "line 3")
    ]


def test_descriptions_line_then_units_line() -> None:
    # Under a descriptions line the units line is one more description (its units stay out of the names).
    f, records, lines = read(b"name,weight,height\nFull name,Body weight,Body height\n,kg,cm\nAnn,60,170\nBob,82,181\nCy,75,176\n")
    assert (f.header, lines) == (["name", "weight", "height"], [4, 5, 6])
    assert f.structure.lines == {"header": [1], "header_description": [2, 3]}
    assert [[(c["name"], c["description"]) for c in d["columns"]] for d in f.describe()["header_descriptions"]] == [
        [("name", "Full name"), ("weight", "Body weight"), ("height", "Body height")], [("weight", "kg"), ("height", "cm")],
    ]


def test_a_last_record_without_a_line_end_right_under_a_description_is_not_warned() -> None:
    f, records, lines = read(b"id,amount,placed\nIdentifier,Amount in USD,Order date\nO-1,10.5,2025-01-02")
    assert (records, lines) == ([["O-1", "10.5", "2025-01-02"]], [3])
    assert f.warnings == [single("text over columns of numbers, dates, codes or booleans below it (id, amount, placed)")]


def test_all_text_table_keeps_a_description_like_first_record_and_warns() -> None:
    f, records, lines = read(ALL_TEXT)
    assert (records[0], lines) == (["Which question is it?", "The answer to it"], [2, 3, 4])
    assert f.structure.counts == {"header": 1}
    assert "header_descriptions" not in f.describe()
    assert f.warnings == [possible(
        "['Which question is it?', 'The answer to it']",
        "its cells repeat their column names' words ('Which question is it?' under 'question', 'The answer to it' under 'answer') "
        "in a table with no typed column to tell",
    )]


def test_header_and_description_lines_only() -> None:
    f, records, _ = read(b"".join(QUALTRICS.splitlines(keepends=True)[:3]))
    assert (f.header, records) == (["StartDate", "EndDate", "Q1", "Q2"], [])
    assert (f.structure.records, f.structure.lines) == (3, {"header": [1], "header_description": [2, 3]})
    assert f.describe()["header_descriptions"] == QUALTRICS_DESCRIPTIONS
    # A descriptions line with no record below: nothing to compare it with — kept, and said.
    f, records, lines = read(b"id,amount,placed\nIdentifier,Amount in USD,Order date\n")
    assert (records, lines, f.structure.counts) == ([["Identifier", "Amount in USD", "Order date"]], [2], {"header": 1})
    assert f.warnings == [possible(
        "['Identifier', 'Amount in USD', 'Order date']",
        "its cells repeat their column names' words ('Identifier' under 'id', 'Amount in USD' under 'amount') in a table with "
        "no typed column to tell",
    )]


def test_a_record_below_with_text_in_the_same_columns_leaves_it_a_record() -> None:
    rows = b"".join(b"O-%d,%d.5,2025-01-0%d\n" % (i, i, i) for i in range(1, 7))
    f, records, lines = read(b"id,amount,placed\nIdentifier,Amount in USD,Order date\n" + rows + b"Refund,pending,later\n")
    assert (records[0], lines) == (["Identifier", "Amount in USD", "Order date"], [2, 3, 4, 5, 6, 7, 8, 9])
    assert f.warnings == [possible(
        "['Identifier', 'Amount in USD', 'Order date']",
        "text over columns of numbers, dates, codes or booleans (id, amount, placed), but a record below holds text there too",
    )]


@pytest.mark.parametrize(
    "data",
    [
        b"name,age\nBob,unknown\nAnn,30\nCy,41\nDi,52\n",  # one placeholder in one typed column: a record, nothing to say
        b'id,payload,meta\n1,{"a":1},{"b":2}\n2,{"a":3},{"b":4}\n',  # JSON values with keys of their own
        b'payload,meta\n{"k":1},{"k":2}\n{"k":3},{"k":4}\n',  # JSON objects with one key set, met again below: values
        b"id,amount\nA-1,TBD\nA-2,3.5\nA-3,4\n",  # a placeholder is no text
    ],
)
def test_records_that_merely_hold_text_or_json_stay_records_without_a_warning(data: bytes) -> None:
    expected = parse_csv(data, "f.csv")
    f, records, lines = read(data)
    assert lines == list(range(2, data.count(b"\n") + 1))
    assert records == expected.records and f.warnings == [] and f.structure.counts == {"header": 1}


def test_qualtrics_columns_are_typed_and_the_report_counts_the_lines(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "survey.csv", QUALTRICS)
    assert manifest["column_types"] == {"start_date": "datetime", "end_date": "datetime", "q1": "integer", "q2": "string"}
    assert curated["start_date"].tolist() == [pd.Timestamp("2025-01-02 10:00:00"), pd.Timestamp("2025-01-03 11:00:00"), pd.Timestamp("2025-01-04 09:00:00")]
    assert (curated["_line"].tolist(), curated["q1"].tolist()) == ([4, 5, 6], [4, 2, 5])
    assert manifest["column_descriptions"] == {
        "start_date": ["Start Date", '{"ImportId":"startDate"}'],
        "end_date": ["End Date", '{"ImportId":"endDate"}'],
        "q1": ["How satisfied are you?", '{"ImportId":"QID1"}'],
        "q2": ["Any comments?", '{"ImportId":"QID2_TEXT"}'],
    }
    assert (manifest["structural"], manifest["structural_lines"]) == ({"header": 1, "header_description": 2}, {"header": [1], "header_description": [2, 3]})
    assert manifest["read_warnings"] == [QUALTRICS_WARNING]
    assert (entry["records"], entry["curated"], entry["structural_lines"], entry["warnings"][0]) == (6, 3, 3, QUALTRICS_WARNING)


@pytest.mark.parametrize(
    ("data", "types", "first", "structural"),
    [
        (DICTIONARY, {"id": "string", "amount": "number", "placed": "date"}, {"_line": 3, "id": "O-1", "amount": 10.5, "placed": dt.date(2025, 1, 2)}, 2),
        (
            QUALTRICS_2LINE,
            {"start_date": "datetime", "end_date": "datetime", "finished": "boolean", "q1": "integer", "q2": "string"},
            {"_line": 3, "start_date": pd.Timestamp("2025-01-02 10:00:00"), "end_date": pd.Timestamp("2025-01-02 10:05:00"), "finished": True, "q1": 4, "q2": "Great service"},
            2,
        ),
        (
            UNITS_AND_DESCRIPTIONS,
            {"name": "string", "weight_kg": "integer", "height_cm": "integer"},
            {"_line": 4, "name": "Ann", "weight_kg": 60, "height_cm": 170},
            3,
        ),
    ],
)
def test_description_lines_no_longer_untype_the_columns(settings: Settings, data: bytes, types: dict, first: dict, structural: int) -> None:
    manifest, curated, entry = run(settings, "f.csv", data)
    assert manifest["column_types"] == types
    assert {k: v for k, v in curated.iloc[0].to_dict().items() if not k.endswith("__raw")} == first
    assert (entry["records"], entry["curated"], entry["structural_lines"]) == (data.count(b"\n"), 3, structural)


def test_possible_description_stays_a_curated_record(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "qa.csv", ALL_TEXT)
    assert curated.to_dict("records")[0] == {"_line": 2, "question": "Which question is it?", "answer": "The answer to it"}
    assert (manifest["structural"], manifest["column_descriptions"], entry["records"], entry["curated"]) == ({"header": 1}, {}, 4, 3)
    assert "possible_header_description" in manifest["read_warnings"][0]
    assert json.dumps(manifest["table"]).count("header_descriptions") == 0
