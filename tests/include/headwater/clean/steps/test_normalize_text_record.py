"""NormalizeText keeps what it changed: the written value in <col>__raw, the kinds in <col>__reason, counts per column."""

from __future__ import annotations

import pandas as pd

from headwater.clean.frame import build_frame
from headwater.clean.steps.normalize_text import NormalizeText


def _frame(header: list[str], rows: list[list[str]]) -> pd.DataFrame:
    return build_frame(header, rows, list(range(2, 2 + len(rows))), "d/x.csv")[0]


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.tolist()]


def test_a_changed_value_keeps_what_was_written_and_why() -> None:
    step = NormalizeText()
    out = step.apply(_frame(["code", "desc"], [["AB  12", "<b>bold</b>  move"], ["AB 12", "plain"], ["AB\u200b123", "Jose\u0301"], ["a\r\nb", "\ufb01ne x\u00b2"]])).kept
    assert list(out.columns) == ["_source", "_line", "code", "code__raw", "code__reason", "desc", "desc__raw", "desc__reason"]
    assert _values(out["code"]) == ["AB 12", "AB 12", "AB123", "a\nb"]
    assert _values(out["code__raw"]) == ["AB  12", None, "AB\u200b123", "a\r\nb"]
    assert _values(out["code__reason"]) == ["normalized: whitespace", None, "normalized: invisible_characters", "normalized: line_breaks"]
    assert _values(out["desc"]) == ["bold move", "plain", "Jos\u00e9", "\ufb01ne x\u00b2"]
    assert _values(out["desc__raw"]) == ["<b>bold</b>  move", None, "Jose\u0301", None]
    assert _values(out["desc__reason"]) == ["normalized: html, whitespace", None, "normalized: nfc", None]
    assert step.summary() == {
        "text_normalized": {"code": {"line_breaks": 1, "whitespace": 1, "invisible_characters": 1}, "desc": {"html": 1, "nfc": 1, "whitespace": 1}},
        "text_masked": {},
    }


def test_a_masked_value_keeps_no_raw_but_says_it_was_masked() -> None:
    step = NormalizeText()
    rows = [["Mail ada@example.com  or call (415) 555-2671 please"], ["order 2024-555-0199 shipped"], ["ann@x.org"]]
    out = step.apply(_frame(["note"], rows)).kept
    # 'ann@x.org' alone: masked too, 'note' is no contact column (breaker7 #5: one of its three values is an address)
    assert _values(out["note"]) == ["Mail [EMAIL] or call [PHONE] please", "order 2024-555-0199 shipped", "[EMAIL]"]
    assert "note__raw" not in out.columns  # the address and number must not survive next to their mask
    assert _values(out["note__reason"]) == ["masked: emails, phones; normalized: whitespace", None, "masked: emails"]
    assert step.summary() == {"text_normalized": {"note": {"whitespace": 1}}, "text_masked": {"note": {"emails": 2, "phones": 1}}}


def test_a_blank_value_becomes_empty_keeps_its_raw_and_counts_add_up_over_batches() -> None:
    # breaker2 #15: spaces are what was written; they stay in __raw (reason blank), counted as blank
    step = NormalizeText()
    first = step.apply(_frame(["name"], [["   "], [" Ann"]])).kept
    second = step.apply(_frame(["name"], [["Bo"], ["Cy\t"]])).kept
    assert _values(first["name"]) == ["", "Ann"]
    assert _values(first["name__raw"]) == ["   ", " Ann"]
    assert _values(first["name__reason"]) == ["blank", "normalized: trim"]
    assert _values(second["name__raw"]) == [None, "Cy\t"]
    assert step.summary()["text_normalized"] == {"name": {"blank": 1, "trim": 2}}


def test_unchanged_batches_get_no_derived_columns() -> None:
    out = NormalizeText().apply(_frame(["a", "b"], [["x", "y"], ["caf\u00e9", "\u3001\u3002"]])).kept
    assert list(out.columns) == ["_source", "_line", "a", "b"]
