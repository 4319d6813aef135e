"""An IBAN written with a space between its country code and check digits (pan16, headwater.clean.sensitive
``iban_spans``, ``card_matches``): ``AT 13 4469 6291 3702 8587``, an Austrian IBAN whose 16-digit BBAN in fours is a
card's layout after a 2-digit group, was masked as a card (``AT 13 [CARD]``) and counted as ``payment_card``; it is an
IBAN (mod-97 valid, its country's length), found as one and masked as ``[IBAN]`` under ``text.ibans: mask``, and no
card under ``text.cards: mask`` with IBANs masked too. Without its country code or with a wrong check it stays what it
was.

pan17 (breaker13 F1, F4, F5): where cards are masked and IBANs are not (``CARDS``), the card number that an IBAN's
account number is (``AT 13 4469 6291 3702 8587``: 4469 6291 3702 8587 is a Luhn-valid Visa number) is masked as a card,
``AT 13 [CARD]``, as before pan16: an IBAN kept as written must not keep a card number (the third column of
``SPACED``); the spaced form is read in small letters too (``at 13 ...``) and with letters in the BBAN (``GB 29 NWBK
...``). Exact spans and masked texts."""

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
    # value, IBAN spans, masked with IBANs and cards, masked with cards only (pan17: the card an Austrian BBAN is)
    ("AT 13 4469 6291 3702 8587", [(0, 25)], "[IBAN]", "AT 13 [CARD]"),
    ("IBAN: AT 38 3804 9837 9864 2798 bitte", [(6, 31)], "IBAN: [IBAN] bitte", "IBAN: AT 38 [CARD] bitte"),
    ("Konto AT 52 3622 5318 8226 9083.", [(6, 31)], "Konto [IBAN].", "Konto AT 52 [CARD]."),
    ("EE 38 2200 2210 2014 5685", [(0, 25)], "[IBAN]", None),  # Estonia, 20 characters
    ("LT 12 1000 0111 0100 1000", [(0, 25)], "[IBAN]", None),  # Lithuania, 20
    ("DE 89 3704 0044 0532 0130 00", [(0, 28)], "[IBAN]", None),  # Germany, 22
    ("PL 61 1090 1014 0000 0712 1981 2874", [(0, 35)], "[IBAN]", None),  # Poland, 28
    ("at 13 4469 6291 3702 8587", [(0, 25)], "[IBAN]", "at 13 [CARD]"),  # pan17 (F5): small letters
]


@pytest.mark.parametrize(("value", "spans", "masked", "cards_only"), SPACED)
def test_an_iban_with_a_space_after_its_country_code_is_an_iban_not_a_card(value: str, spans: list, masked: str, cards_only: str | None) -> None:
    assert iban_spans(value) == spans
    assert card_spans(value) == [] and card_id_spans(value) == []
    assert normalize_text(value, BOTH) == masked
    assert normalize_text(value, CARDS) == (cards_only or value)
    assert normalize_text(value, WARN) == value


def test_a_card_after_a_spaced_iban_is_still_a_card() -> None:
    value = "AT 13 4469 6291 3702 8587 / card 4111 1111 1111 1111"
    assert iban_spans(value) == [(0, 25)] and card_spans(value) == [(33, 52)]
    assert normalize_text(value, BOTH) == "[IBAN] / card [CARD]"
    assert normalize_text(value, CARDS) == "AT 13 [CARD] / card [CARD]"  # pan17: IBANs not masked, its card is


@pytest.mark.parametrize(
    ("value", "cards"),
    [
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


def test_a_spaced_bban_with_letters_is_an_iban() -> None:
    """pan17 (breaker13 F4): a BBAN with letters is read in the spaced form too (``GB 29 NWBK 6016 1331 9268 19``, the
    registry's British example, mod-97 valid: an IBAN left unmasked under ``text.ibans: mask`` before); with a wrong
    check it is none."""
    value = "GB 29 NWBK 6016 1331 9268 19"
    assert iban_spans(value) == [(0, 28)] and card_spans(value) == []
    assert normalize_text(value, BOTH) == "[IBAN]"
    wrong = "GB 29 NWBK 6016 1331 9268 18"
    assert iban_spans(wrong) == [] and normalize_text(wrong, BOTH) == wrong


def test_the_column_version_agrees() -> None:
    values = ["AT 13 4469 6291 3702 8587", "IBAN: AT 38 3804 9837 9864 2798 bitte", "AT 14 4469 6291 3702 8587",
              "AT13 4469 6291 3702 8587", "Room 12 4111 1111 1111 1111", None]  # fmt: skip
    found = find_sensitive(pa.array(values), ("cards", "ibans"))
    assert {k: np.flatnonzero(v).tolist() for k, v in found.items()} == {"cards": [2, 4], "ibans": [0, 1, 3]}
    result = normalize_column(pa.array(values), BOTH)
    assert result.values.to_pylist() == ["[IBAN]", "IBAN: [IBAN] bitte", "AT 14 [CARD]", "[IBAN]", "Room 12 [CARD]", None]
    assert {k: np.flatnonzero(v).tolist() for k, v in result.masked.items()} == {"cards": [2, 4], "ibans": [0, 1, 3]}
    # pan17 (F1): IBANs not masked, the card numbers their account numbers are are masked as cards
    assert normalize_column(pa.array(values), CARDS).values.to_pylist() == [
        "AT 13 [CARD]", "IBAN: AT 38 [CARD] bitte", "AT 14 [CARD]", "AT13 [CARD]", "Room 12 [CARD]", None]  # fmt: skip
