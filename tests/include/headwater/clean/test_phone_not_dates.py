"""A date is never part of a phone number, and a date or number column is never searched for one (breaker5 #10, #12).

libphonenumber took ``2024-03-05 14`` of ``2024-03-05 14.30`` for a US number: the value became ``[PHONE].30`` and, a
mask keeping no ``__raw``, the date and hour were in no output.
"""

from __future__ import annotations

import pandas as pd
import pytest

from headwater.clean.frame import build_frame
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.text import normalize_text, phone_spans


@pytest.mark.parametrize(
    ("value", "spans"),
    [
        ("2024-03-05 14.30", []),  # was [(0, 13)]
        ("2024-03-05 14.30.15", []),
        ("2025-11-30 09.15 meeting", []),  # was [(0, 13)]
        ("reading 2024-03-05 14 units", []),
        ("shift 2024-03-05 06 to 14", []),
        ("patient bp 120/80 hr 72 on 2024-03-05 14", []),
        ("20240305 14", []),  # was [(0, 11)]
        ("2024-01-05 10", []),
        ("2024/03/05 14.30 then", []),
        ("on 05-03-2024 14 h", []),
        ("2024-03-05 - 2024-03-09", []),
        # phone numbers next to dates are still found
        ("call 415-555-2671 on 2024-03-05", [(5, 17)]),
        ("05/03/2024 14.30 call 415 555 2671", [(22, 34)]),
        ("Meeting on 2024-03-05 14.30 with +1 415 555 2671", [(33, 48)]),
        ("415-555-2671", [(0, 12)]),
    ],
)
def test_phone_spans_never_take_a_date(value: str, spans: list[tuple[int, int]]) -> None:
    assert phone_spans(value) == spans


def test_prose_keeps_its_date_times() -> None:
    assert normalize_text("Meeting on 2024-03-05 14.30 with Ann") == "Meeting on 2024-03-05 14.30 with Ann"  # was 'Meeting on [PHONE].30 …'
    assert normalize_text("Meeting on 2024-03-05 14.30, call 415-555-2671") == "Meeting on 2024-03-05 14.30, call [PHONE]"


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series]


def test_a_column_of_date_times_is_not_masked() -> None:
    rows = [["2024-03-05 14.30", "2024-03-05 14.30"], ["2024-03-06 09.15", "call 415-555-2671 now"], ["2024-03-07 23.59", "20240307 23"]]
    step = NormalizeText()
    out = step.apply(build_frame(["seen", "note"], rows, [2, 3, 4], "d/x.csv")[0]).kept
    assert _values(out["seen"]) == ["2024-03-05 14.30", "2024-03-06 09.15", "2024-03-07 23.59"]  # was [PHONE].30, [PHONE].15, [PHONE].59
    assert _values(out["note"]) == ["2024-03-05 14.30", "call [PHONE] now", "20240307 23"]
    assert step.summary()["text_masked"] == {"note": {"phones": 1}}


def test_a_declared_date_or_number_column_is_never_searched_for_phones() -> None:
    rows = [["415-555-2671", "415-555-2671", "415-555-2671"], ["tel 415-555-2671", "tel 415-555-2671", "tel 415-555-2671"]]
    frame = build_frame(["seen", "amount", "note"], rows, [2, 3], "d/x.csv")[0]
    step = NormalizeText(None, None, {"seen": "datetime", "amount": "number", "note": "text"})
    out = step.apply(frame).kept
    assert _values(out["seen"]) == ["415-555-2671", "tel 415-555-2671"]  # left for CoerceTypes: fails there, text kept
    assert _values(out["amount"]) == ["415-555-2671", "tel 415-555-2671"]
    assert _values(out["note"]) == ["[PHONE]", "tel [PHONE]"]  # half its values a whole number: no contact column (breaker7 #5)
    assert step.summary()["text_masked"] == {"note": {"phones": 2}}
    by_column = NormalizeText(None, None, {"seen": "datetime", "amount": "number", "note": "text"}).apply_by_column(frame).kept
    assert _values(by_column["seen"]) == _values(out["seen"]) and _values(by_column["note"]) == _values(out["note"])
