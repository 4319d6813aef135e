"""An IBAN written with a space between its country code and check digits (pan16, headwater.clean.sensitive
``iban_spans``, ``card_matches``): ``AT 13 4469 6291 3702 8587``, an Austrian IBAN whose 16-digit BBAN in fours is a
card's layout after a 2-digit group, was masked as a card (``AT 13 [CARD]``) and counted as ``payment_card``; it is an
IBAN (mod-97 valid, its country's length), found as one and masked as ``[IBAN]`` under ``text.ibans: mask``, and no
card under ``text.cards: mask``. Without its country code, in small letters or with a wrong check it stays what it was.
Exact spans and masked texts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from headwater.clean.sensitive import card_id_spans, card_spans, find_sensitive, iban_spans
from headwater.clean.text import normalize_column, normalize_text
from headwater.config.text import TextOptions

BOTH = TextOptions(cards="mask", ibans="mask", phones="keep")
CARDS = TextOptions(cards="mask", phones="keep")  # text.ibans: warn, the default
WARN = TextOptions(phones="keep")

SPACED = [
    ("AT 13 4469 6291 3702 8587", [(0, 25)], "[IBAN]"),
    ("IBAN: AT 38 3804 9837 9864 2798 bitte", [(6, 31)], "IBAN: [IBAN] bitte"),
    ("Konto AT 52 3622 5318 8226 9083.", [(6, 31)], "Konto [IBAN]."),
    ("EE 38 2200 2210 2014 5685", [(0, 25)], "[IBAN]"),  # Estonia, 20 characters
    ("LT 12 1000 0111 0100 1000", [(0, 25)], "[IBAN]"),  # Lithuania, 20
    ("DE 89 3704 0044 0532 0130 00", [(0, 28)], "[IBAN]"),  # Germany, 22
    ("PL 61 1090 1014 0000 0712 1981 2874", [(0, 35)], "[IBAN]"),  # Poland, 28
]


@pytest.mark.parametrize(("value", "spans", "masked"), SPACED)
def test_an_iban_with_a_space_after_its_country_code_is_an_iban_not_a_card(value: str, spans: list, masked: str) -> None:
    assert iban_spans(value) == spans
    assert card_spans(value) == [] and card_id_spans(value) == []
    assert normalize_text(value, BOTH) == masked
    assert normalize_text(value, CARDS) == value
    assert normalize_text(value, WARN) == value


def test_a_card_after_a_spaced_iban_is_still_a_card() -> None:
    value = "AT 13 4469 6291 3702 8587 / card 4111 1111 1111 1111"
    assert iban_spans(value) == [(0, 25)] and card_spans(value) == [(33, 52)]
    assert normalize_text(value, BOTH) == "[IBAN] / card [CARD]"
    assert normalize_text(value, CARDS) == "AT 13 4469 6291 3702 8587 / card [CARD]"


@pytest.mark.parametrize(
    ("value", "cards"),
    [
        ("at 13 4469 6291 3702 8587", [(6, 25)]),  # small letters: a word, not a country code
        ("AT 14 4469 6291 3702 8587", [(6, 25)]),  # a wrong check (mod-97 is not 1)
        ("XAT 13 4469 6291 3702 8587", [(7, 26)]),  # the code glued to a letter
        ("AT 13 4469-6291-3702-8587", [(6, 25)]),  # the spaced form's groups are separated by single spaces
        # no country code: an Austrian IBAN's body reads as a card after a 2-digit group (Room 12 4111 1111 1111 1111),
        # which one 16-digit number in 38 is by chance (a network's prefix and the Luhn digit)
        ("Konto 13 4469 6291 3702 8587", [(9, 28)]),
    ],
)
def test_no_spaced_iban_without_its_capital_code_and_check(value: str, cards: list) -> None:
    assert iban_spans(value) == []
    assert card_spans(value) == cards
    (lo, hi), = cards
    assert normalize_text(value, BOTH) == value[:lo] + "[CARD]" + value[hi:]


def test_a_spaced_bban_with_letters_is_none() -> None:
    """Only a BBAN of digits is read in the spaced form (the IBAN pre-filter's shape, ``IBAN_CANDIDATE_RE``)."""
    value = "GB 29 NWBK 6016 1331 9268 19"
    assert iban_spans(value) == [] and card_spans(value) == []
    assert normalize_text(value, BOTH) == value


def test_the_column_version_agrees() -> None:
    values = ["AT 13 4469 6291 3702 8587", "IBAN: AT 38 3804 9837 9864 2798 bitte", "AT 14 4469 6291 3702 8587",
              "AT13 4469 6291 3702 8587", "Room 12 4111 1111 1111 1111", None]  # fmt: skip
    found = find_sensitive(pa.array(values), ("cards", "ibans"))
    assert {k: np.flatnonzero(v).tolist() for k, v in found.items()} == {"cards": [2, 4], "ibans": [0, 1, 3]}
    result = normalize_column(pa.array(values), BOTH)
    assert result.values.to_pylist() == ["[IBAN]", "IBAN: [IBAN] bitte", "AT 14 [CARD]", "[IBAN]", "Room 12 [CARD]", None]
    assert {k: np.flatnonzero(v).tolist() for k, v in result.masked.items()} == {"cards": [2, 4], "ibans": [0, 1, 3]}
    assert normalize_column(pa.array(values), CARDS).values.to_pylist() == [
        "AT 13 4469 6291 3702 8587", "IBAN: AT 38 3804 9837 9864 2798 bitte", "AT 14 [CARD]", "AT13 4469 6291 3702 8587", "Room 12 [CARD]", None]  # fmt: skip
