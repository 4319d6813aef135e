"""Card numbers that ``text.cards: mask`` left unmasked (breaker11 C1-C3, headwater.clean.sensitive.card_matches):
a number glued to a code that is no document code, a card followed by its CVV or expiry after a comma or dot, a card
after another number with the same separator. Exact spans and masked texts; the ids, decimals and other numbers that
stay."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from headwater.clean.frame import build_frame
from headwater.clean.sensitive import card_id_spans, card_spans, find_sensitive
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.text import normalize_column, normalize_text
from headwater.config.text import TextOptions

MASK = TextOptions(cards="mask", ibans="mask")


def _masked(value: str, spans: list[tuple[int, int]]) -> str:
    for lo, hi in reversed(spans):
        value = value[:lo] + "[CARD]" + value[hi:]
    return value


# C1: a 1-6 letter code and a hyphen glued to the number made it an id, kept unmasked; only a document code
# (ID_CODES, in capitals) with no card word in the 24 characters before it does now
C1 = [
    ("Karte-4111111111111111 abgelehnt", [(6, 22)]),
    ("CCN-5555555555554444 declined", [(4, 20)]),
    ("card: SO-4111111111111111", [(9, 25)]),  # a document code after a card word
    ("cardno-4111111111111111", [(7, 23)]),
    ("pay-4111111111111111 exp 12/26", [(4, 20)]),
    ("AB-4111111111111111", [(3, 19)]),
    ("X-4111111111111111", [(2, 18)]),
    ("so-4111111111111111", [(3, 19)]),  # small letters: a word, not a code
    ("No-4111111111111111", [(3, 19)]),
    ("Order-4111111111111111", [(6, 22)]),  # a spelled word, not a code
    ("Nr-4111111111111111", [(3, 19)]),
    ("ID-4111111111111111", [(3, 19)]),
    ("KK-4111111111111111", [(3, 19)]),  # Kreditkarte
    ("Kreditkarte Nr. SO-4111111111111111", [(19, 35)]),
    ("Visa payment for order SO-4000000000000002", [(26, 42)]),  # a card word within 24 characters
    ("tarjeta: INV-4111111111111111", [(13, 29)]),
    ("carte bancaire PO-5555555555554444", [(18, 34)]),
    ("ACCT-4111111111111111", [(5, 21)]),
    ("Inv-4111111111111111", [(4, 20)]),  # not in capitals
]


@pytest.mark.parametrize(("value", "spans"), C1)
def test_a_number_glued_to_a_code_that_is_no_document_code_is_masked(value: str, spans: list[tuple[int, int]]) -> None:
    assert card_spans(value) == spans and card_id_spans(value) == []
    assert normalize_text(value, MASK) == _masked(value, spans)


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        ("Order SO-4000000000000002 shipped", [(9, 25)]),
        ("INV-4000000000000002", [(4, 20)]),
        ("PO-5555555555554444 received", [(3, 19)]),
        ("ORD-4111111111111111", [(4, 20)]),
        ("REF-4000000000000002", [(4, 20)]),
        ("RMA-4000000000000002 opened", [(4, 20)]),
        ("TKT-4000000000000002", [(4, 20)]),
        ("CASE-4000000000000002", [(5, 21)]),
        ("SR-4000000000000002", [(3, 19)]),
        ("WO-4000000000000002", [(3, 19)]),
        ("Bestellung SO-4000000000000002", [(14, 30)]),
        ("SO-4000000000000002 card", [(3, 19)]),  # a card word after it says nothing of it
        ("a card was used for an older order; SO-4000000000000002", [(39, 55)]),  # the card word 25+ characters before the code
    ],
)
def test_a_document_codes_number_is_still_an_id(value: str, ids: list[tuple[int, int]]) -> None:
    assert card_id_spans(value) == ids and card_spans(value) == []
    assert normalize_text(value, MASK) == value
    assert normalize_text(value, MASK.model_copy(update={"card_ids": "mask"})) == _masked(value, ids)


# C3: a card followed by a comma or dot and its CVV or expiry was read as a decimal's integer part
C3 = [
    ("4111111111111111,123", [(0, 16)]),
    ("4111111111111111,1226", [(0, 16)]),
    ("4111111111111111.123", [(0, 16)]),
    ("4111111111111111.1226", [(0, 16)]),
    ("5555555555554444,12/26", [(0, 16)]),
    ("card 4111111111111111,737", [(5, 21)]),
    ("amex 378282246310005,1234", [(5, 20)]),
    ("4111111111111111,12,26,123", [(0, 16)]),
    ("4111111111111111.12.26", [(0, 16)]),  # two digits that do not end the number: an expiry
    ("4111111111111111,12 26", [(0, 16)]),
    ("visa 4012888888881881,0926,123 ok", [(5, 21)]),
    ("4111111111111111,5555555555554444", [(0, 16), (17, 33)]),
    # after a date or time and a comma, a card is no fraction
    ("exp 12/26,4111111111111111", [(10, 26)]),
    ("2026-11-20,4111111111111111", [(11, 27)]),
]


@pytest.mark.parametrize(("value", "spans"), C3)
def test_a_card_then_a_comma_or_dot_and_its_cvv_or_expiry_is_masked(value: str, spans: list[tuple[int, int]]) -> None:
    assert card_spans(value) == spans
    assert normalize_text(value, MASK) == _masked(value, spans)


# C2: a card after another number with the same separator was never found
C2 = [
    ("Paid 2026 4111 1111 1111 1111", [(10, 29)]),  # after a year
    ("Paid 2026 4111 1111 1111 1111 12/26", [(10, 29)]),
    ("Room 12 4111 1111 1111 1111", [(8, 27)]),
    ("12 26 4111 1111 1111 1111", [(6, 25)]),
    ("cvv 123 4111 1111 1111 1111", [(8, 27)]),
    ("Qty 2 4111 1111 1111 1111", [(6, 25)]),
    ("+44 4111 1111 1111 1111", [(4, 23)]),
    ("Tel +44 4111 1111 1111 1111", [(8, 27)]),
    ("12 4111 1111 1111 1111", [(3, 22)]),
    ("12345 4111111111111111 6", [(6, 22)]),  # a single 13-19 digit group: a card on its own
    ("12345 4111 1111 1111 1111", [(6, 25)]),
    ("Ref 123456 4111 1111 1111 1111", [(11, 30)]),  # 6 digits not after 4: no 4-6-4 layout
    ("12-4111-1111-1111-1111", [(3, 22)]),
    ("7 3782 822463 10005", [(2, 19)]),  # Amex 4-6-5
    ("INV-2026-4111111111111111", [(9, 25)]),
    ("4111 1111 1111 1111 123 5555 5555 5555 4444", [(0, 19), (24, 43)]),
]


@pytest.mark.parametrize(("value", "spans"), C2)
def test_a_card_after_another_number_is_masked(value: str, spans: list[tuple[int, int]]) -> None:
    assert card_spans(value) == spans
    assert normalize_text(value, MASK) == _masked(value, spans)


@pytest.mark.parametrize(
    "value",
    [
        # decimals: the card-length group after a decimal mark (before one, it is a card: pan15, C1 below)
        "ratio 0.5555555555554444 computed",
        "1.4111111111111111",
        "x 1,4111111111111111",
        "Qty 2 0.5555555555554444",
        "1,234.5555555555554444",
        # 20 digits or more in fours, not after a year; a 4-digit group after 4-6 (a 4-6-4 layout's last group)
        "9934 4111 1111 1111 1111",  # 99 is no month: no expiry MMYY before the card (pan15)
        "Tel 0044 4111 1111 1111 1111",
        "ICCID 8944 1100 0000 0000 0002",
        "USPS 9400 1118 9922 3197 4284 90",
        "1234 123456 4111 1111 1111 1111",
        # legit numbers after other numbers
        "call +1 415 555 2671 or 0151 2345 6789",
        "2024-11-20 12:30:45.123456",
        "IMEI 35 209900 176148 1",
        "IMEI 490154203237518",
        "ISBN 978-0-306-40615-7",
        "EAN 4000000000006",
        "Tracking 1Z 999 AA1 01 2345 6784",
        "Coordinates 52.5200 13.4050",
        "Amount 4,111,111,111,111,111",
        "IBAN DE89 3704 0044 0532 0130 00",
    ],
)
def test_decimals_and_other_numbers_stay(value: str) -> None:
    assert card_spans(value) == [] and card_id_spans(value) == []
    assert normalize_text(value, TextOptions(cards="mask", phones="keep")) == value


def test_the_column_version_and_find_sensitive_agree() -> None:
    values = ["Karte-4111111111111111 abgelehnt", "4111111111111111,123", "Room 12 4111 1111 1111 1111", "Order SO-4000000000000002",
              "ratio 0.5555555555554444", None]  # fmt: skip
    found = find_sensitive(pa.array(values), ("cards", "card_ids"))
    assert {k: np.flatnonzero(v).tolist() for k, v in found.items()} == {"cards": [0, 1, 2], "card_ids": [3]}
    result = normalize_column(pa.array(values), MASK)
    assert result.values.to_pylist() == ["Karte-[CARD] abgelehnt", "[CARD],123", "Room 12 [CARD]", "Order SO-4000000000000002",
                                         "ratio 0.5555555555554444", None]  # fmt: skip
    assert {k: np.flatnonzero(v).tolist() for k, v in result.masked.items()} == {"cards": [0, 1, 2]}


def test_the_text_step_masks_them_in_a_note_and_keeps_an_id_column() -> None:
    """breaker11's harness: a note column under ``text.cards: mask``, next to an ``order_no`` column of sequential
    card-like ids (the id-column rule, unchanged)."""
    ids = ["4000000000000002", "4000000000000010", "4000000000000028"]
    notes = ["Karte-4111111111111111 abgelehnt", "card: SO-4111111111111111", "Paid 2026 4111 1111 1111 1111"]
    frame = build_frame(["order_no", "note"], [list(r) for r in zip(ids, notes)], [2, 3, 4], "d/x.csv")[0]
    for by_column in (False, True):
        step = NormalizeText(TextOptions(cards="mask"), digest_key=b"k" * 16)
        out = (step.apply_by_column if by_column else step.apply)(frame.copy()).kept
        assert [None if pd.isna(v) else v for v in out["order_no"]] == ids
        assert out["note"].tolist() == ["Karte-[CARD] abgelehnt", "card: SO-[CARD]", "Paid 2026 [CARD]"]
        assert out["note__reason"].tolist() == ["masked: cards"] * 3
        assert step.sensitive_numbers() == {"note": {"payment_card": 3}, "order_no": {"card_like_id": 3}}
