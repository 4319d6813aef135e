"""Near-duplicate vetoes on numbers as written and on case (breaker4 #1 and #16).

#1: near-text dedup merged notes differing in a swapped date, ``0.5 mg``/``5 mg``, a minus sign, a version's
order, a currency symbol: the number check compared digit runs (``0``, ``5``) as a multiset, so a reordered
or extended number read as no change. Numbers are now compared as written (``verify._NUMBER``).

#16: the veto columns compared values lower-cased, so case-sensitive ids (Salesforce's 15-character ids) and
unit symbols (``mW``/``MW``) agreed; the text check lower-cased codes (``Xy7Kp2Qa``/``xY7kP2qA``). A value is
compared without its case only when case cannot make it another value (``columns.folds_case``).
"""

from __future__ import annotations

import pytest

from headwater.clean.dedup.columns import comparable, folds_case
from headwater.clean.dedup.verify import difference, tokens_of
from test_verify import _clean, _dups, _vetoes

TAIL = "after the maintenance window, values logged in the asset system for the quarterly review by the operations team."
FILLER = [
    "Printer on floor three jams every morning when printing double sided reports for the finance team.",
    "Laptop battery drains within an hour after the latest update was installed by the IT department.",
    "The customer asked about delivery times for the standard parcel service to the northern region.",
    "Invoice copy requested again because the previous email bounced from the finance mailbox.",
]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Meeting with the supplier scheduled for 2025-03-04 at the Leeds office", "Meeting with the supplier scheduled for 2025-04-03 at the Leeds office"),
        ("Dosage changed to 0.5 mg twice a day", "Dosage changed to 5 mg twice a day"),  # a tenfold dose
        ("Account balance is 1,250.00 after the transfer", "Account balance is -1,250.00 after the transfer"),  # a sign
        ("Cold room at +2°C this morning", "Cold room at -2°C this morning"),
        ("Cold room at 2°C this morning", "Cold room at \u22122°C this morning"),  # U+2212 MINUS SIGN
        ("Firmware v1.2.3 is installed", "Firmware v1.3.2 is installed"),  # a version's parts reordered
        ("Fine of $100 was paid", "Fine of £100 was paid"),  # another currency
        ("Meet at 10:30 on 3/4/2025", "Meet at 10:30 on 4/3/2025"),  # day and month swapped
        ("Voucher Xy7Kp2Qa sent by SMS", "Voucher xY7kP2qA sent by SMS"),  # case-sensitive codes
        ("Lot 1.5 shipped", "Lot 15 shipped"),
        ("Blood type A+ confirmed by the lab", "Blood type A- confirmed by the lab"),  # a sign is a letter code's meaning
        ("Grade B+ awarded for the essay", "Grade B- awarded for the essay"),
        ("Rating AA- affirmed", "Rating AA+ affirmed"),
    ],
)
def test_a_number_written_otherwise_is_another_number(a: str, b: str) -> None:
    assert difference(tokens_of(a), tokens_of(b)) == "number"
    assert difference(tokens_of(b), tokens_of(a)) == "number"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Cold room at +2°C", "Cold room at 2°C"),  # a plus sign says nothing
        ("items 1, 2, 3 shipped", "items 1,2,3 shipped"),  # spacing in a list
        ("Fine of $100 was paid", "Fine of $ 100 was paid"),
        ("Ticket TCK-10443 closed", "Ticket TCK-10443, closed"),  # punctuation after it
        ("refund of 1,250.00 EUR", "refund of 1250.00 EUR"),  # thousands separator
        ("ORDER AB12 SHIPPED", "order AB12 shipped"),  # case of the words around a code
        ("Pre- and post-op care as agreed", "pre- and post-op care, as agreed"),  # a hyphen left hanging is no sign
    ],
)
def test_spelling_variants_of_one_number_are_no_difference(a: str, b: str) -> None:
    assert difference(tokens_of(a), tokens_of(b)) is None


def test_tokens_read_numbers_as_written() -> None:
    t = tokens_of("Dear Dr. Ada, order A-12 (1,200 units at $3.50) ships 2025-03-04, -2°C, v1.2.3, code Xy7Kp2Qa.")
    assert dict(t.numbers) == {"12": 1, "1200": 1, "$3.50": 1, "2025-03-04": 1, "-2": 1, "v1.2.3": 1, "Xy7Kp2Qa": 1}


def test_breaker_notes_differing_in_a_number_stay_two_records() -> None:
    pairs = [
        ("Meeting with the supplier scheduled for 2025-03-04 at the Leeds office to review the spring catalogue and prices.",
         "Meeting with the supplier scheduled for 2025-04-03 at the Leeds office to review the spring catalogue and prices."),
        ("Dosage changed to 0.5 mg twice a day after the review with the consultant, monitor blood pressure daily.",
         "Dosage changed to 5 mg twice a day after the review with the consultant, monitor blood pressure daily."),
        ("Account balance is 1,250.00 after the quarterly fee was charged and the standing order was paid out.",
         "Account balance is -1,250.00 after the quarterly fee was charged and the standing order was paid out."),
    ]
    rows = [["ops", t] for pair in pairs for t in pair] + [["ops", f] for f in FILLER]
    result = _clean(["team", "note"], rows)
    assert _dups(result) == [] and len(result.curated) == 10
    assert _vetoes(result)["vetoed_number"] == 3
    copy = _clean(["team", "note"], [["ops", pairs[1][0]], ["ops", "  " + pairs[1][0].upper()], *(["ops", f] for f in FILLER)])
    assert _dups(copy) == [(3, "near_text")]  # a case and spacing copy still merges


@pytest.mark.parametrize(
    ("value", "folds"),
    [
        ("Active", True), ("ACTIVE", True), ("active", True), ("ann.lee@example.com", True), ("Ann.Lee@Example.COM", True),
        ("New York", True), ("500xx000001AbCdAAA", False), ("T-ab1", False), ("mW", False), ("MW", False), ("Co", False),
        ("AbCdEfGh", False), ("McDonald", False), ("ann2@example.com", False), ("", False),
    ],
)
def test_folds_case(value: str, folds: bool) -> None:
    assert folds_case(value) is folds


def test_veto_values_keep_their_case_where_it_can_tell_two_values_apart() -> None:
    import pandas as pd

    values = pd.Series(["500xx000001AbCdAAA", "500xx000001abcdAAA", "mW", "MW", " ACTIVE ", "Active", None], dtype="string")
    assert comparable(values) == ["500xx000001AbCdAAA", "500xx000001abcdAAA", "mW", "MW", "active", "active", None]
    assert comparable(values, fold_case=True) == ["500xx000001abcdaaa", "500xx000001abcdaaa", "mw", "mw", "active", "active", None]


def test_breaker_ids_and_units_differing_in_case_veto_the_merge() -> None:
    reply = ("Thank you for contacting support. Your request has been received and an agent will reply within two business days. "
             "Please do not reply to this automated message. Customer reports the invoice total is wrong.")
    cases = _clean(["case_id", "account", "body"],
                   [["500xx000001AbCdAAA", "Acme", reply], ["500xx000001abcdAAA", "Acme", reply], *(["500xx00000%dAAA" % i, "Beta", f] for i, f in enumerate(FILLER))])
    assert _dups(cases) == [] and len(cases.curated) == 6 and _vetoes(cases)["vetoed_columns"] == 1
    units = _clean(["site", "unit", "note"], [["Leeds", "mW", "Scheduled reading " + TAIL], ["Leeds", "MW", "Scheduled reading " + TAIL],
                                               *(["York", "kW", f] for f in FILLER)])
    assert _dups(units) == [] and len(units.curated) == 6
    status = _clean(["status", "note"], [["Active", "Scheduled reading " + TAIL], ["ACTIVE", "Scheduled reading " + TAIL], *(["Closed", f] for f in FILLER)])
    assert _dups(status) == [(3, "near_text")]  # a status written in capitals is the same status
