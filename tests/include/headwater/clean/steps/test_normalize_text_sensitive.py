"""NormalizeText and payment card numbers / IBANs (breaker9 #9): by default counted per column and warned of, values
kept as written; ``text.cards``/``text.ibans: mask`` masks them as the e-mail and phone masks do (no ``__raw``, reason
``masked: cards``, the keyed digest of the value as written)."""

from __future__ import annotations

import hashlib

import pandas as pd

from headwater.clean.frame import build_frame
from headwater.clean.steps.base import MASKED_DIGEST
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.config.text import TextOptions

KEY = b"k" * 16
NOTES = [
    "Please refund to IBAN DE89 3704 0044 0532 0130 00 by Friday, thanks.",
    "Card ending 4111 1111 1111 1111 was charged twice for the same order.",
    "Tracking number 1Z 999 AA1 01 2345 6784 shows it is still in transit.",
    "EAN 4006381333931 is out of stock at the main warehouse this week.",
    "Reference 2026 1120 0042 quoted on the invoice, customer waiting.",
    "GB29 NWBK 6016 1331 9268 19 is the account for the UK branch refunds.",
    "Coordinates 52.5200 13.4050 mark the pickup point near the station.",
    "Batch 0151 2345 6789 failed quality control at the second stage.",
    "Serial 415 555 2671 printed on the device label matches the order.",
]
WARNING = (
    "note: 1 value(s) holding a payment card number and 2 value(s) holding an IBAN (check digit valid) kept as written, "
    "unmasked (they go to chunks and vectors); set text.cards: mask / text.ibans: mask to mask them"
)


def _frame(header: list[str], rows: list[list[str | None]]) -> pd.DataFrame:
    return build_frame(header, rows, list(range(2, 2 + len(rows))), "d/x.csv")[0]


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.tolist()]


def _digest(col: str, written: str) -> str:
    return f"{col}={hashlib.blake2b(written.encode('utf-8'), key=KEY, digest_size=16).hexdigest()}"


def test_by_default_cards_and_ibans_are_counted_and_warned_of_never_changed() -> None:
    for by_column in (False, True):
        step = NormalizeText(digest_key=KEY, declared={"id": "string", "note": "text"})
        frame = _frame(["id", "note"], [[str(i), v] for i, v in enumerate(NOTES, 1)])
        out = (step.apply_by_column if by_column else step.apply)(frame).kept
        assert list(out.columns) == ["_source", "_line", "id", "note"]  # no __raw, no __reason, no digest
        assert _values(out["note"]) == NOTES
        assert step.summary() == {"text_normalized": {}, "text_masked": {}}
        assert step.sensitive_numbers() == {"note": {"iban": 2, "payment_card": 1}}
        assert step.warnings() == [WARNING]


def test_masked_when_asked_like_the_other_masks() -> None:
    options = TextOptions(cards="mask", ibans="mask")
    for by_column in (False, True):
        step = NormalizeText(options, digest_key=KEY)
        frame = _frame(["note"], [[v] for v in NOTES] + [["card 5555-5555-5555-4444  and ann@x.org"]])
        out = (step.apply_by_column if by_column else step.apply)(frame).kept
        assert "note__raw" not in out.columns  # what a mask hides never survives next to it
        assert _values(out["note"]) == [
            "Please refund to IBAN [IBAN] by Friday, thanks.",
            "Card ending [CARD] was charged twice for the same order.",
            *NOTES[2:5],
            "[IBAN] is the account for the UK branch refunds.",
            *NOTES[6:],
            "card [CARD] and [EMAIL]",
        ]
        assert _values(out["note__reason"]) == [
            "masked: ibans", "masked: cards", None, None, None, "masked: ibans", None, None, None,
            "masked: cards, emails; normalized: whitespace",
        ]  # fmt: skip
        assert _values(out[MASKED_DIGEST]) == [
            _digest("note", NOTES[0]), _digest("note", NOTES[1]), None, None, None, _digest("note", NOTES[5]), None, None, None,
            _digest("note", "card 5555-5555-5555-4444  and ann@x.org"),
        ]  # fmt: skip
        assert step.summary() == {
            "text_normalized": {"note": {"whitespace": 1}},
            "text_masked": {"note": {"cards": 2, "emails": 1, "ibans": 2}},
        }
        assert step.sensitive_numbers() == {"note": {"iban": 2, "payment_card": 2}}
        assert step.warnings() == []  # masked: nothing to warn of


def test_removed_when_asked() -> None:
    step = NormalizeText(TextOptions(cards="remove", ibans="keep"))
    out = step.apply(_frame(["note"], [[NOTES[0]], [NOTES[1]]])).kept
    assert _values(out["note"]) == [NOTES[0], "Card ending was charged twice for the same order."]
    assert _values(out["note__reason"]) == [None, "masked: cards; normalized: whitespace"]  # the two spaces left tidied
    assert step.sensitive_numbers() == {"note": {"payment_card": 1}}  # ibans: keep, not looked for
    assert step.warnings() == []


def test_luhn_invalid_numbers_order_ids_and_codes_are_neither_counted_nor_changed() -> None:
    rows = [
        ["Order 4111111111111112 shipped"],  # Luhn fails
        ["Order 1234567812345670 shipped"],  # Luhn-valid, no network's prefix
        ["USPS 9400 1118 9922 3197 4284 90 in transit"],
        ["UPS 1Z999AA10123456784 in transit"],
        ["EAN 4000000000006 restocked"],  # EAN-13 passing Luhn with a 4: labelled a product code
        ["call 0151 2345 6789 after 5"],
        ["IBAN GB29 NWBK 6016 1331 9268 18 (a wrong check)"],
    ]
    for options in (TextOptions(), TextOptions(cards="mask", ibans="mask", phones="keep")):
        step = NormalizeText(options)
        out = step.apply(_frame(["note"], rows)).kept
        assert _values(out["note"]) == [r[0] for r in rows]
        assert step.sensitive_numbers() == {} and step.warnings() == []


def test_a_string_id_column_is_counted_and_masked_a_declared_number_only_counted() -> None:
    """A card number in a declared ``string`` column (a card-number or account id column) is a PAN all the same (PCI
    DSS: unreadable wherever stored): counted and warned of by default, masked when asked, the digest keeping two
    masked ids apart. A declared integer/number column is never masked (a mask keeps no ``__raw``): counted, warned of."""
    rows = [["4111111111111111", "5555555555554444", "a"], ["4012888888881881", "12", "b"], ["77", "3", "c"]]
    header = ["card_id", "amount", "note"]
    declared = {"card_id": "string", "amount": "integer", "note": "text"}
    step = NormalizeText(digest_key=KEY, declared=declared)
    out = step.apply(_frame(header, rows)).kept
    assert _values(out["card_id"]) == ["4111111111111111", "4012888888881881", "77"]
    assert step.sensitive_numbers() == {"amount": {"payment_card": 1}, "card_id": {"payment_card": 2}}
    assert [w.split(":")[0] for w in step.warnings()] == ["amount", "card_id"]
    step = NormalizeText(TextOptions(cards="mask"), digest_key=KEY, declared=declared)
    out = step.apply(_frame(header, rows)).kept
    assert _values(out["card_id"]) == ["[CARD]", "[CARD]", "77"]
    assert _values(out["card_id__reason"]) == ["masked: cards", "masked: cards", None]
    assert _values(out["amount"]) == ["5555555555554444", "12", "3"] and "amount__reason" not in out.columns
    assert _values(out[MASKED_DIGEST]) == [_digest("card_id", "4111111111111111"), _digest("card_id", "4012888888881881"), None]
    assert step.summary()["text_masked"] == {"card_id": {"cards": 2}}
    assert step.sensitive_numbers() == {"amount": {"payment_card": 1}, "card_id": {"payment_card": 2}}
    assert step.warnings() == [
        "amount: 1 value(s) holding a payment card number (check digit valid) kept as written, unmasked (they go to chunks "
        "and vectors); set text.cards: mask to mask them"
    ]


def test_counts_add_up_over_batches() -> None:
    step = NormalizeText()
    step.apply(_frame(["note"], [[NOTES[0]], [NOTES[2]]]))
    step.apply(_frame(["note"], [[NOTES[5]], [NOTES[1]], [None]]))
    assert step.sensitive_numbers() == {"note": {"iban": 2, "payment_card": 1}}
    assert step.warnings() == [WARNING]


def test_counted_once_when_an_earlier_step_kept_texts() -> None:
    """A frame with a ``<col>__raw`` already (an earlier step kept texts) goes column by column: counted once, not twice."""
    frame = _frame(["note"], [[v] for v in NOTES])
    frame.insert(frame.columns.get_loc("note") + 1, "note__raw", pd.Series([None] * len(NOTES), dtype="string", index=frame.index))
    step = NormalizeText()
    step.apply(frame)
    assert step.sensitive_numbers() == {"note": {"iban": 2, "payment_card": 1}}


IDS = ["4000000000000002", "4000000000000010", "4000000000000002", "4000000000000028"]  # sequential, Luhn valid, Visa's 4


def test_an_id_column_of_card_like_ids_is_kept_and_warned_of_never_masked() -> None:
    """breaker10 F9: an ``order_no`` column whose values are sequential 16-digit ids with Visa's prefix and a valid Luhn
    digit is an id column (headwater.clean.sensitive.id_column): its ids land as written, counted as ``card_like_id``
    and warned of, under ``mask`` too; a card number in a note next to them is masked."""
    header = ["order_no", "note"]
    rows = [[i, n] for i, n in zip(IDS, ["Charge 4111 1111 1111 1111 12/26 123 please", "Order SO-4000000000000002 shipped", "ok", None])]
    warning_ids = (
        "order_no: 4 value(s) holding a card-like number (a card network's prefix, Luhn valid) read as an id (the column's "
        "name says id and its values are sequential ids of one length), kept as written, unmasked; set text.card_ids: mask if "
        "they may be card numbers"
    )
    warning_note = (
        "note: 1 value(s) holding a card-like number (a card network's prefix, Luhn valid) read as an id (an id's letter "
        "code and a hyphen glued to each, as in SO-4000000000000002), kept as written, unmasked; set text.card_ids: mask if "
        "they may be card numbers"
    )
    for by_column in (False, True):
        step = NormalizeText(TextOptions(cards="mask"), digest_key=KEY)
        out = (step.apply_by_column if by_column else step.apply)(_frame(header, rows)).kept
        assert _values(out["order_no"]) == IDS and "order_no__reason" not in out.columns
        assert _values(out["note"]) == ["Charge [CARD] 12/26 123 please", "Order SO-4000000000000002 shipped", "ok", None]
        assert _values(out["note__reason"]) == ["masked: cards", None, None, None]
        assert _values(out[MASKED_DIGEST]) == [_digest("note", rows[0][1]), None, None, None]
        assert step.summary()["text_masked"] == {"note": {"cards": 1}}
        assert step.sensitive_numbers() == {"note": {"card_like_id": 1, "payment_card": 1}, "order_no": {"card_like_id": 4}}
        assert step.warnings() == [warning_note, warning_ids]
        # by default (warn) the same count, and the note's card is warned of as a card
        step = NormalizeText()
        out = (step.apply_by_column if by_column else step.apply)(_frame(header, rows)).kept
        assert _values(out["order_no"]) == IDS and _values(out["note"]) == [r[1] for r in rows]
        assert step.sensitive_numbers() == {"note": {"card_like_id": 1, "payment_card": 1}, "order_no": {"card_like_id": 4}}
        assert step.warnings()[1:] == [
            "note: 1 value(s) holding a payment card number (check digit valid) kept as written, unmasked (they go to chunks "
            "and vectors); set text.cards: mask to mask them",
            warning_ids,
        ]


def test_an_id_column_is_decided_once_and_a_text_in_it_is_still_masked() -> None:
    """Decided on the column's first filled batch; a later value that is not one id (a note typed into the column) is
    masked as anywhere else."""
    step = NormalizeText(TextOptions(cards="mask"))
    step.apply(_frame(["order_no"], [[None]]))
    assert step.id_columns == {}  # nothing filled: not decided yet
    step.apply(_frame(["order_no"], [[v] for v in IDS[:2]]))
    out = step.apply(_frame(["order_no"], [["4000000000000036"], ["card 4111 1111 1111 1111"], ["5555555555554444"]])).kept
    assert step.id_columns == {"order_no": True}
    # one id of the column's shape is an id even when it is far from the first batch's: the column is decided
    assert _values(out["order_no"]) == ["4000000000000036", "card [CARD]", "5555555555554444"]
    assert _values(out["order_no__reason"]) == [None, "masked: cards", None]
    assert step.sensitive_numbers() == {"order_no": {"card_like_id": 4, "payment_card": 1}}


def test_columns_that_are_not_id_columns_are_masked() -> None:
    """A card-named column, ids that are not sequential, a single id repeated, or a column of mixed values: masked."""
    cases = {
        "card_no": IDS,
        "order_no": ["4111111111111111", "5555555555554444", "4012888888881881", "4111111111111111"],
        "invoice_id": ["4000000000000002"] * 4,
        "ref": [*IDS[:3], "paid 4000000000000028"],
    }
    step = NormalizeText(TextOptions(cards="mask"))
    out = step.apply(_frame(list(cases), [list(r) for r in zip(*cases.values())])).kept
    for col, values in cases.items():
        assert _values(out[col]) == [v.replace("4000000000000028", "[CARD]") if " " in v else "[CARD]" for v in values]
    assert step.id_columns == {"card_no": False, "order_no": False, "invoice_id": False, "ref": False}
    assert step.sensitive_numbers() == {c: {"payment_card": 4} for c in sorted(cases)}


def test_card_ids_mask_takes_the_ids_for_card_numbers() -> None:
    """``text.card_ids: mask``: an id column's card-like ids and an id code's number are masked (or counted as card
    numbers under ``warn``) like any card number."""
    header = ["order_no", "note"]
    rows = [[i, n] for i, n in zip(IDS, ["Order SO-4000000000000002 shipped", "ok", None, "Charge 4111 1111 1111 1111 12/26"])]
    step = NormalizeText(TextOptions(cards="mask", card_ids="mask"))
    out = step.apply(_frame(header, rows)).kept
    assert _values(out["order_no"]) == ["[CARD]"] * 4
    assert _values(out["note"]) == ["Order SO-[CARD] shipped", "ok", None, "Charge [CARD] 12/26"]
    assert step.id_columns == {} and step.warnings() == []
    assert step.sensitive_numbers() == {"note": {"payment_card": 2}, "order_no": {"payment_card": 4}}
    step = NormalizeText(TextOptions(card_ids="mask"))  # cards: warn
    out = step.apply(_frame(header, rows)).kept
    assert _values(out["order_no"]) == IDS
    assert step.sensitive_numbers() == {"note": {"payment_card": 2}, "order_no": {"payment_card": 4}}
    assert [w.split(":")[0] for w in step.warnings()] == ["note", "order_no"]
