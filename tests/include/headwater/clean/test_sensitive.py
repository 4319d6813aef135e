"""Payment card numbers and IBANs inside text (headwater.clean.sensitive): found on their check digits only, never a
tracking number, an EAN, a phone number or an order id (breaker9 #9)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from headwater.clean.sensitive import card_spans, find_sensitive, iban_spans, iban_valid, luhn_valid, mask_sensitive
from headwater.clean.text import normalize_column, normalize_text
from headwater.config.text import TextOptions

MASK = TextOptions(cards="mask", ibans="mask")

# breaker9 in/mask2/a.csv's notes, and what masking (text.cards/ibans: mask) makes of them
MASK2 = [
    ("Please refund to IBAN DE89 3704 0044 0532 0130 00 by Friday, thanks.", "Please refund to IBAN [IBAN] by Friday, thanks."),
    ("Card ending 4111 1111 1111 1111 was charged twice for the same order.", "Card ending [CARD] was charged twice for the same order."),
    ("Tracking number 1Z 999 AA1 01 2345 6784 shows it is still in transit.", None),
    ("EAN 4006381333931 is out of stock at the main warehouse this week.", None),
    ("Reference 2026 1120 0042 quoted on the invoice, customer waiting.", None),
    ("GB29 NWBK 6016 1331 9268 19 is the account for the UK branch refunds.", "[IBAN] is the account for the UK branch refunds."),
    ("Coordinates 52.5200 13.4050 mark the pickup point near the station.", None),
    ("Batch 0151 2345 6789 failed quality control at the second stage.", None),
    ("Serial 415 555 2671 printed on the device label matches the order.", None),
]


@pytest.mark.parametrize(("value", "expected"), MASK2)
def test_the_breakers_notes_mask_only_the_card_and_the_ibans(value: str, expected: str | None) -> None:
    assert normalize_text(value, MASK) == (expected or value)
    assert normalize_text(value) == value  # by default (warn) nothing changes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4111111111111111", "[CARD]"),  # Visa, together
        ("pay 4111-1111-1111-1111 now", "pay [CARD] now"),  # hyphens
        ("Amex 3782 822463 10005.", "Amex [CARD]."),  # 4-6-5
        ("amex 378282246310005", "amex [CARD]"),
        ("MC 5555 5555 5555 4444 and 2223 0031 2200 3222", "MC [CARD] and [CARD]"),  # 51-55 and 2221-2720
        ("Discover 6011 1111 1111 1117", "Discover [CARD]"),
        ("JCB 3530 1113 3330 0000", "JCB [CARD]"),
        ("UnionPay 6200000000000005", "UnionPay [CARD]"),
        ("Visa card 4111 1111 1111 1111 003", "Visa card [CARD]"),  # 4-4-4-4-3, Luhn-valid
        ("4111  1111\u00a01111 1111", "[CARD]"),  # spaces tidied to single ones: masked as it lands
        ("(4111111111111111)", "([CARD])"),
        # pan17 (breaker13 F6): a card word glued to the run no longer hides the card after its first group, as with
        # a space (``Visa 19 4111 ...``); this value stood among the non-cards while a glued run held none
        ("Visa19 4111 1111 1111 1111 003", "Visa19 [CARD]"),
    ],
)
def test_card_numbers_are_masked_whole(value: str, expected: str) -> None:
    assert normalize_text(value, MASK) == expected
    assert normalize_text(value, TextOptions(cards="remove")) == " ".join(expected.replace("[CARD]", "").split())


@pytest.mark.parametrize(
    "value",
    [
        "4111 1111 1111 1112",  # Luhn fails
        "Order 4111111111111112 shipped",  # a 16-digit order id failing Luhn
        "Order 1234567812345670 shipped",  # Luhn-valid, no network prefix (1...)
        "Order 9999999999999995 shipped",  # Luhn-valid, no network prefix (9...)
        "Order 5655555555554443",  # 56: no Mastercard range (Luhn-valid)
        "Tracking 1Z 999 AA1 01 2345 6784",  # UPS
        "USPS 9400 1118 9922 3197 4284 90",  # 22 digits
        "USPS 9400111899223197428490",
        "EAN 4006381333931",  # EAN-13, prefix 4 (fails Luhn anyway)
        "EAN 4000000000006",  # EAN-13 that passes Luhn and starts with 4: labelled a product code
        "call +1 415 555 2671 or 0151 2345 6789",
        "x4111111111111111",  # inside a word
        "4111111111111111x",
        "9934 4111 1111 1111 1111",  # inside a run of 20 digits in fours (pan14: after 12, a card starts; 9934 is no MMYY)
        "41111111111111113",  # 17 digits: no Visa length
        "4111 1111-1111 1111",  # two separators
        "41 1111 1111 1111 11",  # no card layout
        "2024-11-20 12:30:45.123456",
    ],
)
def test_things_that_are_not_card_numbers_stay(value: str) -> None:
    assert card_spans(value) == []
    assert normalize_text(value, MASK.model_copy(update={"phones": "keep"})) == value


@pytest.mark.parametrize(
    ("value", "span"),
    [
        ("DE89 3704 0044 0532 0130 00", (0, 27)),
        ("DE89370400440532013000", (0, 22)),
        ("to GB29NWBK60161331926819.", (3, 25)),
        ("FR14 2004 1010 0505 0001 3M02 606", (0, 33)),  # letters in the BBAN, last group of 3
        ("NL91 ABNA 0417 1643 00", (0, 22)),
        ("BE68 5390 0754 7034", (0, 19)),
        ("CH93 0076 2011 6238 5295 7", (0, 26)),
        ("NO9386011117947", (0, 15)),
        ("ES91 2100 0418 4502 0005 1332", (0, 29)),
        ("IT60 X054 2811 1010 0000 0123 456", (0, 33)),
        ("HN88 CABF 0000 0000 0002 5000 5469", (0, 34)),  # Honduras, the registry's example (missing from the first table)
    ],
)
def test_ibans_of_several_countries(value: str, span: tuple[int, int]) -> None:
    assert iban_spans(value) == [span]


@pytest.mark.parametrize(
    "value",
    [
        "GB29 NWBK 6016 1331 9268 18",  # wrong check
        "DE88 3704 0044 0532 0130 00",  # wrong check digits
        "DE89 3704 0044 0532 0130 0",  # one character short
        "DE89 3704 0044 0532 0130 001",  # one too many
        "XX89 3704 0044 0532 0130 00",  # no such country
        "ADE89370400440532013000",  # inside a word
        "DE89 3704 0044 0532 0130 00X",
        "DE89 37040044 0532 0130 00",  # not in groups of four
        "AB12 is a code",
        "Model GB29 v2",
    ],
)
def test_things_that_are_not_ibans_stay(value: str) -> None:
    assert iban_spans(value) == []
    assert normalize_text(value, MASK) == value


def test_check_digits() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112") and luhn_valid("79927398713")
    assert iban_valid("GB29NWBK60161331926819") and not iban_valid("GB29NWBK60161331926818")
    assert mask_sensitive("a DE89370400440532013000 b", "ibans", "[IBAN]") == "a [IBAN] b"


def test_find_sensitive_flags_each_value() -> None:
    arr = pa.array([v for v, _ in MASK2] + [None, "4111111111111111", "plain"])
    found = find_sensitive(arr, ("cards", "ibans"))
    assert np.flatnonzero(found["cards"]).tolist() == [1, 10]
    assert np.flatnonzero(found["ibans"]).tolist() == [0, 5]
    assert find_sensitive(arr, ("cards",)).keys() == {"cards"}
    assert find_sensitive(pa.array(["plain", None]), ("cards", "ibans")) == {}


def test_the_column_version_masks_and_flags_like_the_value_version() -> None:
    values = [v for v, _ in MASK2] + ["Mail ada@example.com, card 5555-5555-5555-4444", None, "  GB29NWBK60161331926819  "]
    result = normalize_column(pa.array(values), MASK)
    assert result.values.to_pylist() == [None if v is None else normalize_text(v, MASK) for v in values]
    assert result.values.to_pylist()[9:] == ["Mail [EMAIL], card [CARD]", None, "[IBAN]"]
    assert np.flatnonzero(result.masked["cards"]).tolist() == [1, 9]
    assert np.flatnonzero(result.masked["ibans"]).tolist() == [0, 5, 11]
    assert np.flatnonzero(result.masked["emails"]).tolist() == [9]
    # by default nothing is masked: the values are as written
    assert normalize_column(pa.array(values)).masked.keys() == {"emails"}


def test_the_shortest_values_that_can_hold_one_are_read() -> None:
    # 4222222222222: Visa's 13-digit test number (Luhn-valid); NO9386011117947: the shortest IBAN (15); a value shorter
    # than 13 bytes is skipped by the length check
    arr = pa.array(["4222222222222", "422222222222", "NO9386011117947", "x", None, ""])
    found = find_sensitive(arr, ("cards", "ibans"))
    assert np.flatnonzero(found["cards"]).tolist() == [0] and np.flatnonzero(found["ibans"]).tolist() == [2]
