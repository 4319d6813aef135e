"""Card numbers and the runs of digit groups around them (breaker12 C1-C3, headwater.clean.sensitive.card_matches):
a card whose integer part is followed by a 1-2 digit field after a comma or dot is a card, not an amount (C1); a card
that starts after another group must end the run's groups, or it is part of a longer grouped number, an account
number (C2); a card after its CVV/PIN (after a card word) or its expiry MMYY, or grouped by slashes or en dashes, is
masked (C3). Exact spans and masked texts, through ``card_spans`` and ``normalize_text`` under ``text.cards: mask``."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from headwater.clean.sensitive import card_id_spans, card_spans, find_sensitive
from headwater.clean.text import normalize_column, normalize_text
from headwater.config.text import TextOptions

MASK = TextOptions(cards="mask", phones="keep")
EN = "\u2013"  # en dash


def _check(value: str, spans: list[tuple[int, int]], masked: str) -> None:
    assert card_spans(value) == spans
    assert card_id_spans(value) == []
    assert normalize_text(value, MASK) == masked


# C1: a 13-19 digit integer part is no amount (10^12 of a currency); a card and a field after a comma is a CSV line
C1 = [
    ("Visa,4111111111111111,12", [(5, 21)], "Visa,[CARD],12"),
    ("card 5555555555554444,99", [(5, 21)], "card [CARD],99"),
    ("PAN 4111111111111111.99", [(4, 20)], "PAN [CARD].99"),
    ("4111111111111111,12|123", [(0, 16)], "[CARD],12|123"),
    ("Kreditkarte 5555555555554444,00", [(12, 28)], "Kreditkarte [CARD],00"),
    ("cc 4111111111111111,1", [(3, 19)], "cc [CARD],1"),
    ("4111111111111111.50", [(0, 16)], "[CARD].50"),  # pan14 kept it as money: no one writes a 16-digit amount
    ("total 4111111111111111.5 EUR", [(6, 22)], "total [CARD].5 EUR"),
    ("4111111111111111,50 EUR", [(0, 16)], "[CARD],50 EUR"),
    ("378282246310005,7", [(0, 15)], "[CARD],7"),  # Amex, 15 digits
]


@pytest.mark.parametrize(("value", "spans", "masked"), C1)
def test_a_card_before_a_short_field_is_masked(value: str, spans: list[tuple[int, int]], masked: str) -> None:
    _check(value, spans, masked)


# C3: the card's code or PIN after a card word, an expiry MMYY before the card; slashes and en dashes as separators
C3 = [
    ("cvv 1234 4111 1111 1111 1111", [(9, 28)], "cvv 1234 [CARD]"),
    ("CID 1234 3782 822463 10005", [(9, 26)], "CID 1234 [CARD]"),  # Amex's 4-digit CID, 4-6-5
    ("CID 1234 4111 1111 1111 1111", [(9, 28)], "CID 1234 [CARD]"),
    ("PIN 0000 4111 1111 1111 1111", [(9, 28)], "PIN 0000 [CARD]"),
    ("Visa: 9999 5555 5555 5555 4444", [(11, 30)], "Visa: 9999 [CARD]"),
    ("0926 4111 1111 1111 1111", [(5, 24)], "0926 [CARD]"),
    ("exp 1230 5555-5555-5555-4444", [(9, 28)], "exp 1230 [CARD]"),  # the separator changes: a start anyway
    ("1234 4111 1111 1111 1111", [(5, 24)], "1234 [CARD]"),  # 12/34 is an expiry MMYY
    ("4111/1111/1111/1111", [(0, 19)], "[CARD]"),
    ("card 5555/5555/5555/4444 exp 12/26", [(5, 24)], "card [CARD] exp 12/26"),
    ("exp 12/26 4111/1111/1111/1111", [(10, 29)], "exp 12/26 [CARD]"),
    (f"4111{EN}1111{EN}1111{EN}1111", [(0, 19)], "[CARD]"),
    (f"4111 {EN} 1111 {EN} 1111 {EN} 1111", [(0, 25)], "[CARD]"),
    (f"Karte 3782{EN}822463{EN}10005", [(6, 23)], "Karte [CARD]"),
]


@pytest.mark.parametrize(("value", "spans", "masked"), C3)
def test_a_card_after_its_code_or_expiry_or_in_slashes_is_masked(value: str, spans: list[tuple[int, int]], masked: str) -> None:
    _check(value, spans, masked)


# C2: a card that starts after another group is masked when it ends the run (pan14's cases stay masked)
MID_RUN_CARDS = [
    ("Room 12 4111 1111 1111 1111", [(8, 27)], "Room 12 [CARD]"),
    ("Paid 2026 4111 1111 1111 1111", [(10, 29)], "Paid 2026 [CARD]"),
    ("+49 151 4111 1111 1111 1111", [(8, 27)], "+49 151 [CARD]"),
    ("12 4111 1111 1111 1111 123", [(3, 22)], "12 [CARD] 123"),  # its CVV after it
    ("Room 12 4111 1111 1111 1111 12/26 123", [(8, 27)], "Room 12 [CARD] 12/26 123"),  # its expiry after it
    ("5555 5555 5555 4444 0926", [(0, 19)], "[CARD] 0926"),  # at the run's start the groups may go on
    ("cvv 1234 4111 1111 1111 1111 5555 5555 5555 4444", [(9, 28), (29, 48)], "cvv 1234 [CARD] [CARD]"),
    ("Room 12 4111 1111 1111 1111 5555 5555 5555 4444", [(8, 27), (28, 47)], "Room 12 [CARD] [CARD]"),  # two cards
]


@pytest.mark.parametrize(("value", "spans", "masked"), MID_RUN_CARDS)
def test_a_card_that_ends_its_run_is_masked(value: str, spans: list[tuple[int, int]], masked: str) -> None:
    _check(value, spans, masked)


@pytest.mark.parametrize(
    "value",
    [
        # C2: a Polish account number (NRB, 2 + 6x4): pan14 masked 6281 5472 3801 1933 (UnionPay 62, Luhn valid)
        "Konto 44 6281 5472 3801 1933 1351 2131",
        "44 6281 5472 3801 1933 1351 2131",
        "NRB: 44-6281-5472-3801-1933-1351-2131",
        # IBAN bodies without their country code: 27 characters (FR 2+5x4+3), 22 (DE 2+4x4+2)
        "IBAN body 76 3000 6000 0112 3456 7890 189",
        "Konto 89 3704 0044 0532 0130 00",
        "0000 1111 2222 3333 4444 5555",
        # a card word before a run that goes on after the card: a longer grouped number
        "card 1234 4111 1111 1111 1111 5555",
        # 20 digits in fours, the first no MMYY nor after a card word; an ICCID (89 is no month)
        "9934 4111 1111 1111 1111",
        "ICCID 8944 1100 0000 0000 0002",
        # the fraction of a decimal stays
        "ratio 0.5555555555554444 computed",
        "x 1,4111111111111111",
        # dates and slashes that are no card
        "2024/11/20 12:30",
        "12/26/2026",
    ],
)
def test_longer_grouped_numbers_and_fractions_stay(value: str) -> None:
    assert card_spans(value) == [] and card_id_spans(value) == []
    assert normalize_text(value, MASK) == value


def test_the_column_version_agrees_with_the_value_version() -> None:
    """The RE2 pre-filter (``CARD_CANDIDATE_RE``) lets slash- and en-dash-grouped values through to the Python reader."""
    values = ["4111/1111/1111/1111", f"4111{EN}1111{EN}1111{EN}1111", "Visa,4111111111111111,12", "Konto 44 6281 5472 3801 1933 1351 2131",
              "0926 4111 1111 1111 1111", None]  # fmt: skip
    found = find_sensitive(pa.array(values), ("cards",))
    assert {k: np.flatnonzero(v).tolist() for k, v in found.items()} == {"cards": [0, 1, 2, 4]}
    result = normalize_column(pa.array(values), MASK)
    assert result.values.to_pylist() == ["[CARD]", "[CARD]", "Visa,[CARD],12", "Konto 44 6281 5472 3801 1933 1351 2131", "0926 [CARD]", None]
    assert {k: np.flatnonzero(v).tolist() for k, v in result.masked.items()} == {"cards": [0, 1, 2, 4]}
