"""Card numbers followed by their expiry/CVV, other groupings and scripts, decimals and ids (breaker10 F6-F9,
headwater.clean.sensitive.card_matches): exact spans and masked texts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from headwater.clean.sensitive import card_id_spans, card_spans, find_sensitive, iban_spans, id_column
from headwater.clean.text import normalize_column, normalize_text
from headwater.config.text import TextOptions

MASK = TextOptions(cards="mask", ibans="mask")


@pytest.mark.parametrize(
    ("value", "spans", "masked"),
    [
        # F6: what follows the card number (its expiry, CVV, a year) stays; it never hid the card
        ("Charge 4111 1111 1111 1111 12/26 123 please", [(7, 26)], "Charge [CARD] 12/26 123 please"),
        ("Amex 3782 822463 10005 1234 on file", [(5, 22)], "Amex [CARD] 1234 on file"),  # 4-6-5 then 4 digits
        ("4111 1111 1111 1111 123", [(0, 19)], "[CARD] 123"),  # 4-4-4-4-3 fails Luhn as 19 digits: 16 taken
        ("Card 4111 1111 1111 1111 2026", [(5, 24)], "Card [CARD] 2026"),
        ("4111111111111111 12/26 123", [(0, 16)], "[CARD] 12/26 123"),
        ("5555 5555 5555 4444 0926", [(0, 19)], "[CARD] 0926"),
        ("4111 1111 1111 1111 22", [(0, 19)], "[CARD] 22"),
        ("4111111111111111 7", [(0, 16)], "[CARD] 7"),
        ("visa 4111-1111-1111-1111-1226", [(5, 24)], "visa [CARD]-1226"),
        ("pay 4111 1111 1111 1111 exp 12/26", [(4, 23)], "pay [CARD] exp 12/26"),
        ("5555555555554444 CVV 123", [(0, 16)], "[CARD] CVV 123"),
        ("paid with 5555555555554444", [(10, 26)], "paid with [CARD]"),  # at the end of the text
        ("Visa card 4111 1111 1111 1111 003", [(10, 33)], "Visa card [CARD]"),  # 19 digits, Luhn valid: all taken
        # two in one text: together after each other, in a list, apart
        ("4111 1111 1111 1111 5555 5555 5555 4444", [(0, 19), (20, 39)], "[CARD] [CARD]"),
        ("4111111111111111,5555555555554444", [(0, 16), (17, 33)], "[CARD],[CARD]"),
        ("old 4111111111111111 new 5555-5555-5555-4444.", [(4, 20), (25, 44)], "old [CARD] new [CARD]."),
        ("2026-11-20 4111 1111 1111 1111 declined", [(11, 30)], "2026-11-20 [CARD] declined"),  # a date before it
        # F7: other separators, one kind throughout; digits of other scripts
        ("card 4111.1111.1111.1111 dots", [(5, 24)], "card [CARD] dots"),
        ("4111_1111_1111_1111", [(0, 19)], "[CARD]"),
        ("4111 - 1111 - 1111 - 1111", [(0, 25)], "[CARD]"),
        ("3782 - 822463 - 10005", [(0, 21)], "[CARD]"),
        ("ｃａｒｄ ４１１１１１１１１１１１１１１１", [(5, 21)], "ｃａｒｄ [CARD]"),  # fullwidth
        ("４１１１ １１１１ １１１１ １１１１", [(0, 19)], "[CARD]"),
        ("بطاقة ٤١١١١١١١١١١١١١١١", [(6, 22)], "بطاقة [CARD]"),  # Arabic-Indic digits
        # F8: a decimal's point is no separator; a label's dot is
        ("Card No.4111111111111111", [(8, 24)], "Card No.[CARD]"),
    ],
)
def test_card_numbers_found_and_masked(value: str, spans: list[tuple[int, int]], masked: str) -> None:
    assert card_spans(value) == spans
    assert normalize_text(value, MASK) == masked
    assert normalize_text(value) == value  # by default nothing changes


@pytest.mark.parametrize(
    "value",
    [
        # F8: the fraction of a decimal number (its integer part is a card: pan15, test_sensitive_leaks.py)
        "ratio 0.5555555555554444 computed",
        "1.4111111111111111",
        "x 1,4111111111111111",
        "p = .4111111111111111",
        # a run of 20 digits or more; a card inside a run of 20 digits in fours (after 12, +44 or 12345 one starts:
        # pan14, test_sensitive_leaks.py)
        "41111111111111111111",
        "ref 411111111111111111110000 ok",
        "9934 4111 1111 1111 1111",  # 99 is no month: no expiry MMYY before the card (pan15)
        "Tel 0044 4111 1111 1111 1111",
        # mixed separators, a date and time, thousands separators
        "4111.1111-1111.1111",
        "4111 1111-1111 1111",
        "2024-11-20 12:30:45.123456",
        "Amount 4,111,111,111,111,111",
        # phone numbers, EAN/ISBN/UPC, tracking numbers stay
        "call +1 415 555 2671 or 0151 2345 6789",
        "ISBN 978-0-306-40615-7",
        "ISBN 9780306406157",
        "EAN 4006381333931",
        "EAN: 4000000000006",
        "UPC 036000291452",
        "Tracking 1Z 999 AA1 01 2345 6784",
        "USPS 9400 1118 9922 3197 4284 90",
        "IMEI 490154203237518",
        "4111111111111111exp12/26",  # glued to a word, as before
    ],
)
def test_not_card_numbers(value: str) -> None:
    assert card_spans(value) == [] and card_id_spans(value) == []
    assert normalize_text(value, MASK.model_copy(update={"phones": "keep"})) == value


@pytest.mark.parametrize(
    ("value", "ids", "cards"),
    [
        ("Order SO-4000000000000002 shipped", [(9, 25)], []),  # F9: an id's code glued by a hyphen: reported, kept
        ("INV-4000000000000002", [(4, 20)], []),
        ("PO-5555555555554444", [(3, 19)], []),
        ("po-5555555555554444", [], [(3, 19)]),  # pan14: a code is written in capitals (so-, no- are words)
        ("CC-4111111111111111", [], [(3, 19)]),  # a card word is no id code
        ("visa-4111111111111111", [], [(5, 21)]),
        ("SO-4111 1111 1111 1111", [], [(3, 22)]),  # grouped as a card is printed: a card
        ("Order #4000000000000002", [], [(7, 23)]),  # '#' (Card #4111...) is no id code
        ("ORDERNO-4000000000000002", [], [(8, 24)]),  # a word, no document code (ID_CODES)
    ],
)
def test_a_card_like_number_glued_to_an_id_code_is_an_id(value: str, ids: list, cards: list) -> None:
    assert card_id_spans(value) == ids and card_spans(value) == cards
    expected = value if not cards else value[: cards[0][0]] + "[CARD]" + value[cards[0][1] :]
    assert normalize_text(value, MASK) == expected


@pytest.mark.parametrize(
    ("value", "span"),
    [
        ("de89 3704 0044 0532 0130 00", (0, 27)),  # F7: small letters
        ("iban de89370400440532013000.", (5, 27)),
        ("DE89-3704-0044-0532-0130-00", (0, 27)),  # hyphens
        ("nl91-abna-0417-1643-00", (0, 22)),
        ("fr14 2004 1010 0505 0001 3m02 606", (0, 33)),
    ],
)
def test_ibans_in_small_letters_or_with_hyphens(value: str, span: tuple[int, int]) -> None:
    assert iban_spans(value) == [span]
    assert normalize_text(value, MASK) == value[: span[0]] + "[IBAN]" + value[span[1] :]


@pytest.mark.parametrize(
    "value", ["de88 3704 0044 0532 0130 00", "DE89-3704 0044-0532-0130-00", "DE89--3704-0044-0532-0130-00", "ade89370400440532013000"]
)
def test_not_ibans(value: str) -> None:
    assert iban_spans(value) == []


def test_find_sensitive_and_the_column_version_agree() -> None:
    values = ["Charge 4111 1111 1111 1111 12/26 123 please", "Order SO-4000000000000002 shipped", "ratio 0.5555555555554444",
              "ｃａｒｄ ４１１１１１１１１１１１１１１１", "iban de89 3704 0044 0532 0130 00", None]  # fmt: skip
    found = find_sensitive(pa.array(values), ("cards", "ibans", "card_ids"))
    assert {k: np.flatnonzero(v).tolist() for k, v in found.items()} == {"cards": [0, 3], "ibans": [4], "card_ids": [1]}
    result = normalize_column(pa.array(values), MASK)
    assert result.values.to_pylist() == [
        "Charge [CARD] 12/26 123 please", "Order SO-4000000000000002 shipped", "ratio 0.5555555555554444", "ｃａｒｄ [CARD]",
        "iban [IBAN]", None,
    ]  # fmt: skip
    assert {k: np.flatnonzero(v).tolist() for k, v in result.masked.items()} == {"cards": [0, 3], "ibans": [4]}


@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        ("order_no", ["4000000000000002", "4000000000000010", "4000000000000002", None], True),
        ("invoice_id", ["INV-4000000000000002", "INV-4000000000000010", "INV-4000000000000028"], True),
        ("ref", ["4000000000000002", "4000000000999999"], True),  # 999,997 apart: under 10**6
        ("ref", ["4000000000000002", "4000000001000009"], False),  # 10**6 apart: as cards of one issuer may be
        ("order_no", ["4000000000000002", "4000000000000002"], False),  # one distinct value: nothing says sequential
        ("order_no", ["4111111111111111", "5555555555554444", "4012888888881881"], False),  # not sequential
        ("order_no", ["4000000000000002", "40000000000000010"], False),  # two lengths
        ("order_no", ["4000000000000002", "4000000000000010", "see 4111 1111 1111 1111"], False),  # a text
        ("card_no", ["4000000000000002", "4000000000000010"], False),  # the name says card
        ("payment_ref", ["4000000000000002", "4000000000000010"], False),
        ("account_number", ["4000000000000002", "4000000000000010"], False),
        ("order", ["4000000000000002", "4000000000000010"], False),  # the name says no id
        ("order_no", [None, None], False),
    ],
)
def test_id_column(name: str, values: list, expected: bool) -> None:
    assert id_column(name, pa.array(values, pa.string())) is expected


def test_card_ids_mask_masks_an_id_codes_number_too() -> None:
    options = MASK.model_copy(update={"card_ids": "mask"})
    assert normalize_text("Order SO-4000000000000002 shipped", options) == "Order SO-[CARD] shipped"
    result = normalize_column(pa.array(["INV-4000000000000002", "ratio 0.5555555555554444"]), options)
    assert result.values.to_pylist() == ["INV-[CARD]", "ratio 0.5555555555554444"]
    assert {k: np.flatnonzero(v).tolist() for k, v in result.masked.items()} == {"cards": [0]}
