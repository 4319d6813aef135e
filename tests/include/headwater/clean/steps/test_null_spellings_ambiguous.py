"""NullSpellings: '-', '--' and '?' are missing only in a column of numbers or dates, with their text and a warning."""

from __future__ import annotations

import pandas as pd

from headwater.clean.frame import build_frame
from headwater.clean.steps.null_spellings import NullSpellings
from headwater.config.schema import ColumnSpec
from headwater.config.types import TypeOptions


def _frame(header: list[str], rows: list[list[str]]) -> pd.DataFrame:
    return build_frame(header, rows, list(range(2, 2 + len(rows))), "d/x.csv")[0]


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.tolist()]


ROWS = [
    # name, qty, answer, sign, due
    ["John", "5", "yes", "+", "2024-01-02"],
    ["Joe", "-", "?", "-", "--"],
    ["Jim", "7", "no", "+", "2024-01-09"],
    ["-", "--", "?", "-", "2024-02-01"],
]


def test_ambiguous_spellings_are_missing_only_among_numbers_and_dates() -> None:
    step = NullSpellings()
    out = step.apply(_frame(["name", "qty", "answer", "sign", "due"], ROWS)).kept
    assert _values(out["qty"]) == ["5", None, "7", None]
    assert _values(out["qty__raw"]) == [None, "-", None, "--"]
    assert _values(out["qty__reason"]) == [None, "na_spelling", None, "na_spelling"]
    assert _values(out["due"]) == ["2024-01-02", None, "2024-01-09", "2024-02-01"]
    assert _values(out["due__raw"]) == [None, "--", None, None]
    assert _values(out["answer"]) == ["yes", "?", "no", "?"]
    assert _values(out["sign"]) == ["+", "-", "+", "-"]
    assert _values(out["name"]) == ["John", "Joe", "Jim", "-"]
    assert [c for c in out.columns if "__" in c] == ["qty__raw", "qty__reason", "due__raw", "due__reason"]
    summary = step.summary()
    assert summary["na_spellings"] == {"qty": {"-": 1, "--": 1}, "due": {"--": 1}}
    assert summary["na_kept_as_data"] == {"name": {"-": 1}, "answer": {"?": 2}, "sign": {"-": 2}}
    assert summary["na_ambiguous"] == {
        "name": {"kept": {"-": 1}},
        "qty": {"nulled": {"-": 1, "--": 1}},
        "answer": {"kept": {"?": 2}},
        "sign": {"kept": {"-": 2}},
        "due": {"nulled": {"--": 1}},
    }
    assert step.warnings({}) == [
        "name: 1 cell(s) written - kept as text (a sign, score or answer in a column that is not numbers or dates) — list them in types.na_values if they mean missing",
        "qty: 2 cell(s) written -, -- made missing (the column holds numbers or dates; the text kept in qty__raw, reason na_spelling) — list them in types.not_na_values if they are data",
        "answer: 2 cell(s) written ? kept as text (a sign, score or answer in a column that is not numbers or dates) — list them in types.na_values if they mean missing",
        "sign: 2 cell(s) written - kept as text (a sign, score or answer in a column that is not numbers or dates) — list them in types.na_values if they mean missing",
        "due: 1 cell(s) written -- made missing (the column holds numbers or dates; the text kept in due__raw, reason na_spelling) — list them in types.not_na_values if they are data",
    ]


def test_unambiguous_spellings_stay_missing_and_counted_with_their_text_kept() -> None:
    step = NullSpellings()
    out = step.apply(_frame(["a", "b"], [["NA", "x"], ["N/A", "NULL"], [None, "None"], ["1", "nan"]])).kept
    assert _values(out["a"]) == [None, None, None, "1"]
    assert _values(out["b"]) == ["x", None, None, None]
    # breaker2 #14: what was written stays in __raw (an empty cell wrote nothing)
    assert list(out.columns) == ["_source", "_line", "a", "a__raw", "a__reason", "b", "b__raw", "b__reason"]
    assert _values(out["a__raw"]) == ["NA", "N/A", None, None] and _values(out["b__raw"]) == [None, "NULL", "None", "nan"]
    assert _values(out["a__reason"]) == ["na_spelling", "na_spelling", None, None]
    assert step.summary()["na_spellings"] == {"a": {"": 1, "n/a": 1, "na": 1}, "b": {"nan": 1, "none": 1, "null": 1}}
    assert step.summary()["na_ambiguous"] == {}


def test_declared_types_and_na_values_decide_before_the_data() -> None:
    columns = {"score": ColumnSpec("score", type="number"), "label": ColumnSpec("label", type="string")}
    step = NullSpellings(TypeOptions(na_values=["?"]), columns)
    out = step.apply(_frame(["score", "label", "other"], [["-", "5", "?"], ["n", "6", "x"]])).kept
    assert _values(out["score"]) == [None, "n"]  # a declared number column: '-' is missing, its text kept
    assert _values(out["score__raw"]) == ["-", None]
    assert _values(out["other"]) == [None, "x"]  # named in na_values: missing, its text kept, no warning
    assert _values(out["other__raw"]) == ["?", None] and _values(out["other__reason"]) == ["na_spelling", None]
    assert step.summary()["na_ambiguous"] == {"score": {"nulled": {"-": 1}}}


def test_the_decision_is_the_first_batchs_and_holds_for_later_ones() -> None:
    step = NullSpellings()
    step.apply(_frame(["qty"], [["1"], ["2"]]))
    out = step.apply(_frame(["qty"], [["-"], ["?"]])).kept
    assert _values(out["qty"]) == [None, None]
    assert _values(out["qty__raw"]) == ["-", "?"]
    assert step.summary()["na_ambiguous"] == {"qty": {"nulled": {"-": 1, "?": 1}}}
