"""A card number glued to a card word (pan17: breaker13 F6; headwater.clean.sensitive ``card_matches``,
``_glued_card_word``).

``visa4111111111111111``, ``VISA4111 1111 1111 1111``, ``visa４１１１...`` (fullwidth digits) were left unmasked under
``text.cards: mask``: a run of digits glued to a letter held no card at all. A card word glued to it (whole: no letter
before it) says what follows, as ``card#``, ``card:``, ``card=`` already did; any other word glued to it (``x``,
``SKU``, ``Japan``, ``Cardiff``) still starts none at its first group, and a later group of the run may start one as
after a space (``PO12 4111 1111 1111 1111``, like ``Room 12 4111 ...``). Exact spans and masked texts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from headwater.clean.sensitive import card_matches, find_sensitive
from headwater.clean.text import normalize_column, normalize_text
from headwater.config.text import TextOptions

MASK = TextOptions(cards="mask", ibans="mask", phones="keep")
WARN = TextOptions(phones="keep")

GLUED = [
    ("visa4111111111111111", (4, 20), "visa[CARD]"),
    ("VISA4111 1111 1111 1111", (4, 23), "VISA[CARD]"),
    ("visa４１１１１１１１１１１１１１１１", (4, 20), "visa[CARD]"),  # fullwidth digits, masked as written
    ("visa٤١١١١١١١١١١١١١١١", (4, 20), "visa[CARD]"),  # Arabic-Indic digits
    ("MC5555555555554444", (2, 18), "MC[CARD]"),
    ("amex378282246310005", (4, 19), "amex[CARD]"),
    ("Amex3782 822463 10005", (4, 21), "Amex[CARD]"),  # 4-6-5
    ("Visa4111-1111-1111-1111", (4, 23), "Visa[CARD]"),
    ("Kreditkarte4111 1111 1111 1111", (11, 30), "Kreditkarte[CARD]"),  # German
    ("tarjeta4111111111111111", (7, 23), "tarjeta[CARD]"),  # Spanish
    ("cc_4111111111111111", (3, 19), "cc_[CARD]"),  # a field's name
    ("paid by visa4111111111111111 exp 12/26", (12, 28), "paid by visa[CARD] exp 12/26"),  # its expiry stays
    ("Mastercard5555555555554444.", (10, 26), "Mastercard[CARD]."),
    ("Visa19 4111 1111 1111 1111 003", (7, 30), "Visa19 [CARD]"),  # after a 2-digit group, as Visa 19 4111 ...
    # another word glued to the run's first group: a card starts at a later group, as after a space
    ("PO12 4111 1111 1111 1111", (5, 24), "PO12 [CARD]"),
    ("x12 4111 1111 1111 1111 123", (4, 23), "x12 [CARD] 123"),
    ("AB0926 4111 1111 1111 1111", (7, 26), "AB0926 [CARD]"),  # after an expiry MMYY
]


@pytest.mark.parametrize(("value", "span", "masked"), GLUED)
def test_a_card_glued_to_a_card_word_is_masked(value: str, span: tuple[int, int], masked: str) -> None:
    assert card_matches(value) == [(*span, False)]
    assert normalize_text(value, MASK) == masked
    assert normalize_text(value, WARN) == value  # the default (warn) changes no value


@pytest.mark.parametrize(
    "value",
    [
        "card#4111111111111111",
        "CARD#4111 1111 1111 1111",
        "card:4111111111111111",
        "card=4111111111111111",
        "ｖｉｓａ4111111111111111",  # fullwidth letters: no ASCII letter glued
    ],
)
def test_a_card_word_then_a_mark_stays_a_card(value: str) -> None:
    """These were masked before pan17 too (controls): ``#``, ``:``, ``=`` glue nothing."""
    lo = len(value) - len(value.lstrip("cardCARD#:=ｖｉｓａ"))
    assert [m[0] for m in card_matches(value)] == [lo]
    assert normalize_text(value, MASK) == value[:lo] + "[CARD]"


@pytest.mark.parametrize(
    "value",
    [
        "visa4111111111111112",  # Luhn fails
        "x4111111111111111x",  # glued after it too, no card word (visa4111111111111111x: pan18, test_sensitive_glued_after)
        "x4111111111111111",  # no card word
        "SKU4111111111111111",
        "Japan4111111111111111",  # 'pan' inside a word
        "Cardiff4111111111111111",  # 'card' inside a word
        "visage4111111111111111",
        "creditnote4111111111111111",
        "id_4111111111111111",
        "EAN4000000000006",  # a product code
        "ABC4111 1111 1111 1111",  # a code glued to the card's first group
        "INV2026 4111 1111 1111 1111",  # a year glued to a code, then four groups: a longer number
        "ORD1234 4111 1111 1111 1111 5678",
        "visa 12345678901234567890",  # 20 digits
        "visa4000000000000002000",  # 19 digits, Luhn fails
        "Total 1 234 567,89 EUR",
    ],
)
def test_not_cards_stay(value: str) -> None:
    assert card_matches(value) == []
    assert normalize_text(value, MASK) == value


def test_counted_and_masked_in_a_column() -> None:
    values = ["visa4111111111111111", "VISA4111 1111 1111 1111", "x4111111111111111", "visa４１１１１１１１１１１１１１１１", None]
    found = find_sensitive(pa.array(values), ("cards", "ibans"))
    assert {k: np.flatnonzero(v).tolist() for k, v in found.items()} == {"cards": [0, 1, 3]}
    result = normalize_column(pa.array(values), MASK)
    assert result.values.to_pylist() == ["visa[CARD]", "VISA[CARD]", "x4111111111111111", "visa[CARD]", None]
    assert {k: np.flatnonzero(v).tolist() for k, v in result.masked.items()} == {"cards": [0, 1, 3]}
