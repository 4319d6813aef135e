"""A number that is both an IBAN and, in its account number, a payment card number (pan17: breaker13 F1;
headwater.clean.sensitive ``card_matches``' ``iban_wins``, ``cards_in_ibans``).

``card: AT 70 4111 1111 1111 1111``: AT70 4111 1111 1111 1111 is mod-97 valid (an Austrian IBAN's 16-digit BBAN in
fours) and 4111 1111 1111 1111 a Visa number. pan16 dropped the card whatever text.ibans said, so with ``cards: mask``
and IBANs at their default (``warn``) the card digits were kept as written. The safe reading: IBANs not masked, or a
card word naming the number, mask it as a card (``AT 70 [CARD]``) and say so in a warning; IBANs masked and no card
word, mask it whole as the IBAN. Where only IBANs are masked, it is masked as an IBAN (never left). Exact texts, spans,
counts and the warning's text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from headwater.clean.frame import build_frame
from headwater.clean.sensitive import card_matches, card_spans, find_sensitive, iban_spans
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.text import normalize_column, normalize_text
from headwater.config.text import TextOptions

BOTH = TextOptions(cards="mask", ibans="mask", phones="keep")
CARDS = TextOptions(cards="mask", phones="keep")  # text.ibans: warn, the default
IBANS = TextOptions(ibans="mask", phones="keep")
WARN = TextOptions(phones="keep")
REMOVE = TextOptions(cards="remove", phones="keep")

CASES = [
    # value, masked with cards only, with both, with IBANs only
    ("card: AT 70 4111 1111 1111 1111", "card: AT 70 [CARD]", "card: AT 70 [CARD]", "card: [IBAN]"),
    ("card AT70 4111 1111 1111 1111", "card AT70 [CARD]", "card AT70 [CARD]", "card [IBAN]"),
    ("Kreditkarte: LT 68 4111 1111 1111 1111 danke", "Kreditkarte: LT 68 [CARD] danke", "Kreditkarte: LT 68 [CARD] danke",
     "Kreditkarte: [IBAN] danke"),
    ("LT 68 4111 1111 1111 1111", "LT 68 [CARD]", "[IBAN]", "[IBAN]"),
    ("EE79 4111 1111 1111 1111", "EE79 [CARD]", "[IBAN]", "[IBAN]"),
    ("ee-79-4111-1111-1111-1111", "ee-79-[CARD]", "[IBAN]", "[IBAN]"),
    ("AT 13 4469 6291 3702 8587", "AT 13 [CARD]", "[IBAN]", "[IBAN]"),
    # a payment's word is no card's: an IBAN is paid to as well
    ("Payment: AT70 4111 1111 1111 1111", "Payment: AT70 [CARD]", "Payment: [IBAN]", "Payment: [IBAN]"),
    ("IBAN AT70 4111 1111 1111 1111", "IBAN AT70 [CARD]", "IBAN [IBAN]", "IBAN [IBAN]"),
    ("Visa 4111 1111 1111 1111 / IBAN AT 70 4111 1111 1111 1111", "Visa [CARD] / IBAN AT 70 [CARD]", "Visa [CARD] / IBAN [IBAN]",
     "Visa 4111 1111 1111 1111 / IBAN [IBAN]"),
]  # fmt: skip


@pytest.mark.parametrize(("value", "cards_only", "both", "ibans_only"), CASES)
def test_a_card_inside_an_iban_is_never_left_unmasked(value: str, cards_only: str, both: str, ibans_only: str) -> None:
    assert normalize_text(value, CARDS) == cards_only
    assert normalize_text(value, BOTH) == both
    assert normalize_text(value, IBANS) == ibans_only
    assert normalize_text(value, WARN) == value  # the default changes no value
    assert normalize_text(value, REMOVE) == " ".join(cards_only.replace("[CARD]", "").split())


def test_the_spans_under_each_reading() -> None:
    value = "card: AT 70 4111 1111 1111 1111"
    assert iban_spans(value) == [(6, 31)]
    assert card_matches(value) == [(12, 31, False)]  # a card word names it
    assert card_matches(value, iban_wins=False) == [(12, 31, False)]
    plain = "LT 68 4111 1111 1111 1111"
    assert iban_spans(plain) == [(0, 25)]
    assert card_matches(plain) == [] and card_spans(plain) == []  # the IBAN's where IBANs are masked or counted
    assert card_matches(plain, iban_wins=False) == [(6, 25, False)]


def test_counted_under_the_default() -> None:
    """Under ``warn``: a card word names it, so it is counted as a card and an IBAN; no card word, as an IBAN."""
    values = ["card: AT 70 4111 1111 1111 1111", "LT 68 4111 1111 1111 1111", "Room 12 4111 1111 1111 1111", None]
    found = find_sensitive(pa.array(values), ("cards", "ibans"))
    assert {k: np.flatnonzero(v).tolist() for k, v in found.items()} == {"cards": [0, 2], "ibans": [0, 1]}
    result = normalize_column(pa.array(values), CARDS)
    assert result.values.to_pylist() == ["card: AT 70 [CARD]", "LT 68 [CARD]", "Room 12 [CARD]", None]
    assert {k: np.flatnonzero(v).tolist() for k, v in result.masked.items()} == {"cards": [0, 1, 2]}


def _step(options: TextOptions, notes: list[str]) -> tuple[NormalizeText, pd.DataFrame]:
    """The text step over a frame of one ``note`` column, stacked and column by column (equal), the first returned."""
    frame = build_frame(["note"], [[n] for n in notes], list(range(2, 2 + len(notes))), "d/x.csv")[0]
    step, by_column = NormalizeText(options, digest_key=b"k" * 16), NormalizeText(options, digest_key=b"k" * 16)
    out = step.apply(frame.copy()).kept
    assert by_column.apply_by_column(frame.copy()).kept.equals(out) and by_column.warnings() == step.warnings()
    return step, out


NOTES = ["card: AT 70 4111 1111 1111 1111", "LT 68 4111 1111 1111 1111", "Visa 4111 1111 1111 1111", "AT13 4469 6291 3702 8588"]
WARNING = (
    "note: {n} value(s) holding an IBAN (check digits valid) whose account number is also a payment card number (a card "
    "network's prefix, Luhn valid) had that number masked as a card, [CARD], the country code and check digits kept: a card "
    "word names it, or text.ibans does not mask IBANs (set text.ibans: mask to mask such a number whole as [IBAN] where no "
    "card word names it)"
)


def test_the_step_masks_it_as_a_card_and_says_so() -> None:
    step, out = _step(CARDS, NOTES)
    assert out["note"].tolist() == ["card: AT 70 [CARD]", "LT 68 [CARD]", "Visa [CARD]", "AT13 4469 6291 3702 8588"]
    assert out["note__reason"].fillna("-").tolist() == ["masked: cards", "masked: cards", "masked: cards", "-"]
    assert step.sensitive_numbers() == {"note": {"payment_card": 3}}
    assert step.warnings() == [WARNING.format(n=2)]


def test_with_ibans_masked_only_the_card_word_reads_it_as_a_card() -> None:
    step, out = _step(BOTH, NOTES)
    assert out["note"].tolist() == ["card: AT 70 [CARD]", "[IBAN]", "Visa [CARD]", "AT13 4469 6291 3702 8588"]
    assert step.sensitive_numbers() == {"note": {"iban": 1, "payment_card": 2}}
    assert step.warnings() == [WARNING.format(n=1)]


def test_no_warning_where_no_card_lies_in_an_iban() -> None:
    step, out = _step(CARDS, ["Visa 4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00"])
    assert out["note"].tolist() == ["Visa [CARD]", "DE89 3704 0044 0532 0130 00"]
    assert not [w for w in step.warnings() if "account number" in w]
