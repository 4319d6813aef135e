"""DropEmptyRows: a row whose values are all missing is empty, whatever its <col>__raw keeps of how it wrote them."""

from __future__ import annotations

import pandas as pd

from headwater.clean.frame import build_frame
from headwater.clean.steps.drop_empty_rows import DropEmptyRows
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.steps.null_spellings import NullSpellings
from headwater.clean.steps.base import LINE, REASON


def _frame(rows: list[list[str]]) -> pd.DataFrame:
    return build_frame(["id", "v"], rows, list(range(2, 2 + len(rows))), "2026-11-20/x.csv")[0]


def test_a_row_whose_values_are_all_missing_is_empty_even_with_raw_spellings() -> None:
    # breaker2 #14/#15: NA, null and spaces keep their text in __raw; the row still carries no value
    df = NullSpellings().apply(NormalizeText().apply(_frame([["NA", "null"], [None, "   "], [None, None], ["1", "NA"], ["N/A", "x"]])).kept).kept
    assert df["v__raw"].tolist()[:2] == ["null", "   "]
    out = DropEmptyRows().apply(df)
    assert out.kept[LINE].tolist() == [5, 6]
    assert out.quarantined[LINE].tolist() == [2, 3, 4]
    assert out.quarantined[REASON].tolist() == [f"line {n}: every value is empty — row quarantined" for n in (2, 3, 4)]
    # the quarantined rows keep what they wrote (the stage's quarantine record has the values as read, too)
    assert out.quarantined["id__raw"].tolist()[0] == "NA" and out.quarantined["v__raw"].tolist()[:2] == ["null", "   "]


def test_an_imputed_flag_or_a_reason_alone_does_not_make_a_row_non_empty() -> None:
    df = pd.DataFrame({
        "_source": "d/x.csv", "_line": [2, 3], "v": pd.array([None, "a"], dtype="string"),
        "v__reason": pd.array(["na_spelling", None], dtype="string"), "v__imputed": pd.array([False, False], dtype="boolean"),
    })
    out = DropEmptyRows().apply(df)
    assert (out.kept[LINE].tolist(), out.quarantined[LINE].tolist()) == ([3], [2])


def test_a_batch_without_an_empty_row_is_kept_whole_and_quarantines_nothing() -> None:
    df = NullSpellings().apply(_frame([["1", "NA"], ["", "x"], ["3", "y"]])).kept
    out = DropEmptyRows().apply(df)
    pd.testing.assert_frame_equal(out.kept, df[pd.Series(True, index=df.index)])
    empty = df[pd.Series(False, index=df.index)].copy()
    empty[REASON] = empty[LINE].map(str)
    pd.testing.assert_frame_equal(out.quarantined, empty)
    assert list(out.quarantined.columns) == [*df.columns, REASON] and len(out.quarantined) == 0
