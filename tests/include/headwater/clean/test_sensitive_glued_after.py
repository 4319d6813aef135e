"""A card number glued to a card word before it and to letters after it (pan18: breaker14 G1; headwater.clean.sensitive
``card_matches``).

``visa4111111111111111exp0926`` was left unmasked and ``visa4111111111111111visa5500000000000004`` masked only its
second card under ``text.cards: mask``: a card glued to a card word (pan17) still needed no letter after its last digit.
A letter right after it now ends the card when a card word glued before names it; a digit never does (17 digits are no
card), and a run glued to no card word before it stays none (``x4111111111111111x``). Exact spans and masked texts.

``visa4111111111111111x`` was kept as written by pan17's test_sensitive_glued (``glued after it too``); it is masked
now: a card word names the Luhn-valid Visa number right after it, and the letter after it ends the number as ``exp`` does.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from headwater.clean.sensitive import card_matches
from headwater.clean.text import normalize_column, normalize_text
from headwater.config.text import TextOptions

MASK = TextOptions(cards="mask", ibans="mask", phones="keep")
WARN = TextOptions(phones="keep")

GLUED_AFTER = [
    ("visa4111111111111111exp0926", [(4, 20)], "visa[CARD]exp0926"),  # breaker14 G1 row 7
    ("visa4111111111111111visa5500000000000004", [(4, 20), (24, 40)], "visa[CARD]visa[CARD]"),  # row 22
    ("visa4111111111111111x", [(4, 20)], "visa[CARD]x"),
    ("VISA4111 1111 1111 1111exp", [(4, 23)], "VISA[CARD]exp"),
    ("Kreditkarte4111111111111111gültig", [(11, 27)], "Kreditkarte[CARD]gültig"),  # German
    ("tarjeta4111111111111111vence0926", [(7, 23)], "tarjeta[CARD]vence0926"),  # Spanish
    ("mc5555555555554444cvv123", [(2, 18)], "mc[CARD]cvv123"),
    ("amex378282246310005Exp", [(4, 19)], "amex[CARD]Exp"),
    ("paid visa4111111111111111exp0926 ok", [(9, 25)], "paid visa[CARD]exp0926 ok"),
]


@pytest.mark.parametrize(("value", "spans", "masked"), GLUED_AFTER)
def test_a_letter_after_a_card_glued_to_a_card_word_ends_it(value: str, spans: list[tuple[int, int]], masked: str) -> None:
    assert card_matches(value) == [(*s, False) for s in spans]
    assert normalize_text(value, MASK) == masked
    assert normalize_text(value, WARN) == value


@pytest.mark.parametrize(
    "value",
    [
        "visa41111111111111112",  # 17 digits: a digit after does not end it
        "visa41111111111111112exp",
        "visa4111111111111112exp",  # Luhn fails
        "x4111111111111111x",  # no card word before it
        "SKU4111111111111111exp",
        "Cardiff4111111111111111exp",  # a card word inside a word
        "4111111111111111exp",  # nothing glued before, a word after
    ],
)
def test_not_cards_stay(value: str) -> None:
    assert card_matches(value) == []
    assert normalize_text(value, MASK) == value


def test_masked_in_a_column() -> None:
    values = ["plain words", "visa4111111111111111exp0926", "visa4111111111111111visa5500000000000004", "x4111111111111111x"]
    result = normalize_column(pa.array(values), MASK)
    assert result.values.to_pylist() == ["plain words", "visa[CARD]exp0926", "visa[CARD]visa[CARD]", "x4111111111111111x"]
