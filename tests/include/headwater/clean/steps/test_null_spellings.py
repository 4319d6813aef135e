"""NullSpellings: missing-value spellings per source and per column; codes like NA stay data; counts per spelling."""

from __future__ import annotations

import pandas as pd
import pytest

from headwater.clean.frame import build_frame
from headwater.clean.steps.null_spellings import NullSpellings, code_shape
from headwater.config.schema import ColumnSpec
from headwater.config.types import TypeOptions


def _frame(header: list[str], rows: list[list[str]]) -> pd.DataFrame:
    return build_frame(header, rows, list(range(2, 2 + len(rows))), "d/x.csv")[0]


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.tolist()]


CODES = [
    # continent, country, score
    ["NA", "NA", "NA"],
    ["EU", "FR", "3"],
    ["AS", "JP", "n/a"],
    ["OC", "AU", None],  # None: an empty unquoted field as staging holds it
    ["NA", "US", "4"],
]


def test_na_in_a_column_of_codes_is_north_america_and_namibia_not_missing() -> None:
    step = NullSpellings()
    out = step.apply(_frame(["continent", "country", "score"], CODES)).kept
    assert out["continent"].tolist() == ["NA", "EU", "AS", "OC", "NA"]
    assert out["country"].tolist() == ["NA", "FR", "JP", "AU", "US"]
    assert _values(out["score"]) == [None, "3", None, None, "4"]
    assert step.summary() == {
        "na_spellings": {"score": {"": 1, "n/a": 1, "na": 1}},
        "na_kept_as_data": {"continent": {"NA": 2}, "country": {"NA": 1}},
        "na_ambiguous": {},
    }


def test_a_spelling_of_another_shape_is_still_missing_in_a_code_column() -> None:
    out = NullSpellings().apply(_frame(["country"], [["NA"], ["na"], ["N/A"], ["ZA"], ["BW"], ["null"]])).kept
    assert _values(out["country"]) == ["NA", None, None, "ZA", "BW", None]


def test_one_other_code_is_not_evidence_enough() -> None:
    step = NullSpellings()
    out = step.apply(_frame(["continent"], [["NA"], ["EU"], ["NA"]])).kept
    assert _values(out["continent"]) == [None, "EU", None]
    assert step.summary()["na_spellings"] == {"continent": {"na": 2}}


def test_lowercase_codes_keep_lowercase_spellings() -> None:
    # ISO 639-3 "nan" is Min Nan Chinese among three-letter lowercase language codes
    out = NullSpellings().apply(_frame(["language"], [["nan"], ["eng"], ["fra"], ["deu"], ["NaN"]])).kept
    assert _values(out["language"]) == ["nan", "eng", "fra", "deu", None]


def test_explicit_na_values_and_the_switch_override_the_evidence() -> None:
    explicit = NullSpellings(TypeOptions(na_values=["NA"])).apply(_frame(["continent", "country", "score"], CODES)).kept
    assert _values(explicit["continent"]) == [None, "EU", "AS", "OC", None]
    off = NullSpellings(TypeOptions(na_codes_are_data=False)).apply(_frame(["continent", "country", "score"], CODES)).kept
    assert _values(off["country"]) == [None, "FR", "JP", "AU", "US"]
    column = NullSpellings(columns={"continent": ColumnSpec("continent", na_values=["na"])})
    out = column.apply(_frame(["continent", "country", "score"], CODES)).kept
    assert _values(out["continent"]) == [None, "EU", "AS", "OC", None] and out["country"].tolist()[0] == "NA"


def test_the_source_removes_a_default_spelling_everywhere() -> None:
    step = NullSpellings(TypeOptions(not_na_values=["NA"], na_values=["unknown"]))
    out = step.apply(_frame(["region", "score"], [["NA", "NA"], ["Unknown", "-"], ["south", "7"]])).kept
    # '-' among NA (data here) and 7 is not in a column of numbers: kept as text (an ambiguous spelling)
    assert _values(out["region"]) == ["NA", None, "south"] and _values(out["score"]) == ["NA", "-", "7"]
    assert step.summary() == {
        "na_spellings": {"region": {"unknown": 1}},
        "na_kept_as_data": {"score": {"-": 1}},
        "na_ambiguous": {"score": {"kept": {"-": 1}}},
    }


def test_n_a_removed_for_one_column_only() -> None:
    columns = {"answer": ColumnSpec("answer", not_na_values=["N/A"]), "note": ColumnSpec("note", na_values=["tbd"])}
    step = NullSpellings(columns=columns)
    out = step.apply(_frame(["answer", "comment", "note"], [["N/A", "N/A", "TBD"], ["yes", "fine", "ok"], ["n/a", "-", "tbd"]])).kept
    assert _values(out["answer"]) == ["N/A", "yes", "n/a"]
    assert _values(out["comment"]) == [None, "fine", "-"]  # '-' in a text column is kept (ambiguous)
    assert _values(out["note"]) == [None, "ok", None]
    assert step.summary()["na_spellings"] == {"comment": {"n/a": 1}, "note": {"tbd": 2}}


def test_the_code_shape_is_decided_on_the_first_batch() -> None:
    step = NullSpellings()
    first = step.apply(_frame(["continent"], [["EU"], ["AS"]])).kept
    second = step.apply(_frame(["continent"], [["NA"], ["Europe"]])).kept
    assert first["continent"].tolist() == ["EU", "AS"] and second["continent"].tolist() == ["NA", "Europe"]
    assert step.shapes == {"continent": "[A-Z]{2}"}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["EU", "AS", "OC"], "[A-Z]{2}"),
        (["eng", "fra", "deu", "x"], None),  # 3 of 4 is under 90%
        (["USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "SEK", "Euro"], "[A-Z]{3}"),  # 9 of 10
        (["1", "2", "3"], None),
        (["Namibia", "Kenya"], None),
        (["EU"], None),
    ],
)
def test_code_shape(values: list[str], expected: str | None) -> None:
    assert code_shape(pd.Series(values, dtype="string")) == expected


def test_defaults_match_their_written_case_only() -> None:
    step = NullSpellings()
    cells = ["NULL", "null", "Null", "NaN", "nan", "Nan", "NA", "na", "Na", "None", "none", "NIL", "nil", "Nil", "N/A", "#N/A", "-", "x"]
    out = step.apply(_frame(["score"], [[c] for c in cells])).kept
    assert _values(out["score"]) == [
        None, None, "Null", None, None, "Nan", None, None, "Na", None, None, None, None, "Nil", None, None, "-", "x",
    ]


def test_names_that_are_spellings_are_data_in_a_column_of_names() -> None:
    step = NullSpellings()
    frame = _frame(["first_name", "last_name", "city"], [["Nan", "Goldin", "Boston"], ["Jennifer", "Null", "Denver"], ["Ann", "None", "Austin"]])
    out = step.apply(frame).kept
    assert (out["first_name"].tolist(), out["last_name"].tolist()) == (["Nan", "Jennifer", "Ann"], ["Goldin", "Null", "None"])
    assert step.summary() == {"na_spellings": {}, "na_kept_as_data": {"last_name": {"None": 1}}, "na_ambiguous": {}}
    assert step.shapes == {"first_name": "Title", "last_name": "Title", "city": "Title"}


def test_none_is_missing_where_the_column_is_not_capitalised_words() -> None:
    step = NullSpellings()
    out = step.apply(_frame(["note", "owner"], [["None", "Ann Lee"], ["call back", "None"], ["left a message", "none"], ["x1", "O'Brien"]])).kept
    assert _values(out["note"]) == [None, "call back", "left a message", "x1"]
    assert _values(out["owner"]) == ["Ann Lee", "None", None, "O'Brien"]  # lower-case none is still missing
    assert step.warnings({"note": "string", "owner": "string"}) == [
        "note: 1 cells written None made missing (a text column) — list them in types.not_na_values if they are data",
        "owner: 1 cells written none made missing (a text column) — list them in types.not_na_values if they are data",
    ]


def test_na_values_name_a_spelling_in_any_case_and_are_not_warned_about() -> None:
    step = NullSpellings(TypeOptions(na_values=["null", "None"]))
    out = step.apply(_frame(["last_name"], [["Goldin"], ["Null"], ["None"], ["Austin"]])).kept
    assert _values(out["last_name"]) == ["Goldin", None, None, "Austin"]
    assert step.warnings({"last_name": "string"}) == []
    removed = NullSpellings(TypeOptions(not_na_values=["null"])).apply(_frame(["v"], [["NULL"], ["null"], ["NA"]])).kept
    assert _values(removed["v"]) == ["NULL", "null", None]


# breaker2 #14: a spelling made missing keeps what was written (an empty cell wrote nothing and keeps nothing).
def test_a_spelling_made_missing_keeps_its_text_with_reason_na_spelling() -> None:
    out = NullSpellings().apply(_frame(["id", "v"], [["1", "NA"], ["2", None], ["3", "null"], ["4", "N/A"], ["5", "x"]])).kept
    assert _values(out["v"]) == [None, None, None, None, "x"]
    assert _values(out["v__raw"]) == ["NA", None, "null", "N/A", None]
    assert _values(out["v__reason"]) == ["na_spelling", None, "na_spelling", "na_spelling", None]
    out = NullSpellings(TypeOptions(na_values=["missing"])).apply(_frame(["v"], [["Missing"], ["y"]])).kept
    assert (_values(out["v"]), _values(out["v__raw"])) == ([None, "y"], ["Missing", None])
