"""Card words as whole words (pan16, headwater.clean.sensitive ``_CARD_TERM``, ``NOT_CARD_TERMS``): a word that only
holds a card word (``Discredited``, ``creditor``, ``visage``, ``Amexco``, ``cardinal``, ``Cardiff``, ``Mastercardiology``,
``Kartell``) or a term that names no card (``credit note``, ``credit memo``, ``credit transfer``, ``direct debit``,
``store credit``) no longer lets a card start after a 4-digit code (``_card_word_before``) nor makes an id's number a
card (``_id_code``); a card word with its plural, possessive or compound (``cards``, ``Card's``, ``Kreditkarte``,
``carte bancaire``, ``tarjeta de crédito``, ``cartão``, ``carta di credito``, ``kreditkort``) still does. Exact spans
and masked texts under ``text.cards: mask``; under the default ``warn`` no value changes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from headwater.clean.sensitive import card_id_spans, card_spans, find_sensitive, id_column
from headwater.clean.text import normalize_column, normalize_text
from headwater.config.text import TextOptions

MASK = TextOptions(cards="mask", phones="keep")
WARN = TextOptions(phones="keep")  # text.cards and text.card_ids: warn, the defaults

# A card word right before a run whose first 4-digit group is the card's code (``9934``: no expiry MMYY, no year): the
# card after it is masked, the code stays; a real card after ``credit card`` is masked whatever its layout.
CARD_WORD_RUNS = [
    ('card 9934 4111 1111 1111 1111', [(10, 29)], 'card 9934 [CARD]'),
    ("Card's 9934 4111 1111 1111 1111", [(12, 31)], "Card's 9934 [CARD]"),
    ('cards: 9934 4111 1111 1111 1111', [(12, 31)], 'cards: 9934 [CARD]'),
    ('Kreditkarte 9934 4111 1111 1111 1111', [(17, 36)], 'Kreditkarte 9934 [CARD]'),
    ('EC-Karte: 9934 4111 1111 1111 1111', [(15, 34)], 'EC-Karte: 9934 [CARD]'),
    ('carte bancaire 9934 4111 1111 1111 1111', [(20, 39)], 'carte bancaire 9934 [CARD]'),
    ('Carte de crédit : 9934 5555 5555 5555 4444', [(23, 42)], 'Carte de crédit : 9934 [CARD]'),
    ('tarjeta de crédito: 9934 4111 1111 1111 1111', [(25, 44)], 'tarjeta de crédito: 9934 [CARD]'),
    ('Tarjetas 9934 4111 1111 1111 1111', [(14, 33)], 'Tarjetas 9934 [CARD]'),
    ('cartão de crédito 9934 4111 1111 1111 1111', [(23, 42)], 'cartão de crédito 9934 [CARD]'),
    ('carta di credito 9934 4111 1111 1111 1111', [(22, 41)], 'carta di credito 9934 [CARD]'),
    ('MasterCard 9934 5555 5555 5555 4444', [(16, 35)], 'MasterCard 9934 [CARD]'),
    ('VISA 9934 4111 1111 1111 1111', [(10, 29)], 'VISA 9934 [CARD]'),
    ('kreditkort 9934 4111 1111 1111 1111', [(16, 35)], 'kreditkort 9934 [CARD]'),
    ('CC# 9934 4111 1111 1111 1111', [(9, 28)], 'CC# 9934 [CARD]'),
    ('credit 9934 4111 1111 1111 1111', [(12, 31)], 'credit 9934 [CARD]'),
    ('Paid by credit card 4539 1488 0343 6467', [(20, 39)], 'Paid by credit card [CARD]'),
    ('credit card 4539148803436467', [(12, 28)], 'credit card [CARD]'),
    # grouped as a card is printed, a number glued to a code is a card by its layout alone (test_sensitive_layouts:
    # SO-4111 1111 1111 1111), with or without a card word: the credit note plays no part
    ('Credit note INV-4539 1488 0343 6467', [(16, 35)], 'Credit note INV-[CARD]'),
]


@pytest.mark.parametrize(("value", "spans", "masked"), CARD_WORD_RUNS)
def test_a_whole_card_word_lets_a_card_start_after_its_code(value: str, spans: list[tuple[int, int]], masked: str) -> None:
    assert card_spans(value) == spans and card_id_spans(value) == []
    assert normalize_text(value, MASK) == masked
    assert normalize_text(value, WARN) == value


# A card word within 24 characters before an id's code: the number glued to it is a card, masked.
CARD_WORD_CODES = [
    ('credit card SO-4539148803436467', [(15, 31)], 'credit card SO-[CARD]'),
    ('Credit card, credit note SO-4111111111111111', [(28, 44)], 'Credit card, credit note SO-[CARD]'),
    ("Visa's SO-4111111111111111", [(10, 26)], "Visa's SO-[CARD]"),
    ('Kartennummer SO-4111111111111111', [(16, 32)], 'Kartennummer SO-[CARD]'),
    ('card_no SO-4111111111111111', [(11, 27)], 'card_no SO-[CARD]'),
    ('Zahlungsart: SO-4111111111111111', [(16, 32)], 'Zahlungsart: SO-[CARD]'),
    ('Kartenzahlung SO-4111111111111111', [(17, 33)], 'Kartenzahlung SO-[CARD]'),
    ('Tarjeta INV-4111111111111111', [(12, 28)], 'Tarjeta INV-[CARD]'),
    ('payment ORD-4111111111111111', [(12, 28)], 'payment ORD-[CARD]'),
]


@pytest.mark.parametrize(("value", "spans", "masked"), CARD_WORD_CODES)
def test_a_whole_card_word_before_an_id_code_makes_it_a_card(value: str, spans: list[tuple[int, int]], masked: str) -> None:
    assert card_spans(value) == spans and card_id_spans(value) == []
    assert normalize_text(value, MASK) == masked
    assert normalize_text(value, WARN) == value


# A word that only holds a card word, or a term that names no card, before the code: 20 digits in fours, no card.
NOT_CARD_WORD_RUNS = [
    'Discredited 9934 4111 1111 1111 1111',
    'visage 9934 4111 1111 1111 1111',
    'Amexco 9934 4111 1111 1111 1111',
    'Mastercardiology 9934 4111 1111 1111 1111',
    'cardinal 9934 4111 1111 1111 1111',
    'Cardiff 9934 4111 1111 1111 1111',
    'Direct debit 9934 4111 1111 1111 1111',
    'Kartell 9934 4111 1111 1111 1111',
    'discard 9934 4111 1111 1111 1111',
    'Cartesian 9934 4111 1111 1111 1111',
    'Kreditor 9934 4111 1111 1111 1111',
    'credit note 9934 4111 1111 1111 1111',
]


@pytest.mark.parametrize("value", NOT_CARD_WORD_RUNS)
def test_a_word_holding_a_card_word_lets_no_card_start_after_a_code(value: str) -> None:
    assert card_spans(value) == [] and card_id_spans(value) == []
    assert normalize_text(value, MASK) == value


# The same before an id's code: the number is an id, reported (card_like_id), kept; masked only under card_ids: mask.
NOT_CARD_WORD_CODES = [
    ('Credit note INV-4539148803436467', [(16, 32)]),
    ('credit memo: SO-4111111111111111', [(16, 32)]),
    ('creditor id SO-4111111111111111', [(15, 31)]),
    ('Kreditor SO-4111111111111111', [(12, 28)]),
    ('credit transfer REF-4111111111111111', [(20, 36)]),
    ('store credit id SO-4111111111111111', [(19, 35)]),
    ('visage SO-4111111111111111', [(10, 26)]),
    ('Amexco PO-4111111111111111', [(10, 26)]),
    ('Mastercardiology ORD-4111111111111111', [(21, 37)]),
    ('Discredited INV-4111111111111111', [(16, 32)]),
    ('Placard RMA-4111111111111111', [(12, 28)]),
    ('cardigan SO-4111111111111111', [(12, 28)]),
    ('credited INV-4111111111111111', [(13, 29)]),
    ('Cardiff TKT-4111111111111111', [(12, 28)]),
    ('cardinal CASE-4111111111111111', [(14, 30)]),
    ('SEPA-Lastschrift, direct debit SO-4111111111111111', [(34, 50)]),
    ('Debit note WO-4111111111111111', [(14, 30)]),
    ('Kartell SR-4111111111111111', [(11, 27)]),
    ('Tax credit REF-4111111111111111', [(15, 31)]),
]


@pytest.mark.parametrize(("value", "ids"), NOT_CARD_WORD_CODES)
def test_a_word_holding_a_card_word_leaves_an_id_an_id(value: str, ids: list[tuple[int, int]]) -> None:
    assert card_id_spans(value) == ids and card_spans(value) == []
    assert normalize_text(value, MASK) == value
    (lo, hi), = ids
    assert normalize_text(value, MASK.model_copy(update={"card_ids": "mask"})) == value[:lo] + "[CARD]" + value[hi:]


def test_the_column_version_agrees() -> None:
    values = ["Credit note INV-4539148803436467", "credit card 4539148803436467", "Discredited 9934 4111 1111 1111 1111",
              "Kreditkarte 9934 4111 1111 1111 1111", "Amexco PO-4111111111111111", "carte bancaire PO-5555555555554444", None]  # fmt: skip
    found = find_sensitive(pa.array(values), ("cards", "card_ids"))
    assert {k: np.flatnonzero(v).tolist() for k, v in found.items()} == {"cards": [1, 3, 5], "card_ids": [0, 4]}
    result = normalize_column(pa.array(values), MASK)
    assert result.values.to_pylist() == [
        "Credit note INV-4539148803436467", "credit card [CARD]", "Discredited 9934 4111 1111 1111 1111", "Kreditkarte 9934 [CARD]",
        "Amexco PO-4111111111111111", "carte bancaire PO-[CARD]", None]  # fmt: skip
    assert {k: np.flatnonzero(v).tolist() for k, v in result.masked.items()} == {"cards": [1, 3, 5]}
    assert normalize_column(pa.array(values), WARN).values.to_pylist() == values


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("credit_note_id", True),  # a credit note is an invoice: its sequential numbers are ids
        ("credit_notes_no", True),
        ("credit_memo_ref", True),
        ("debit_note_number", True),
        ("credit_transfer_id", True),
        ("credit_card_id", False),  # the name says card
        ("credit_id", False),
        ("debit_ref", False),
        ("card_no", False),
    ],
)
def test_an_id_column_named_after_a_credit_note_is_an_id_column(name: str, expected: bool) -> None:
    assert id_column(name, pa.array(["4000000000000002", "4000000000000010", "4000000000000028"])) is expected
