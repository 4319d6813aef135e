"""Near-duplicate text under a shared boilerplate (breaker3 #4): an e-mail footer held by every row makes the
Jaccard estimate high; a content word added or removed outside it is another message (``addition``), while
real copies (case, spacing, punctuation, a typo, a function word) still merge."""

from __future__ import annotations

import pytest

from headwater.clean.dedup.verify import Boilerplate, added_words, pair_reasons, tokens_of
from test_verify import _clean, _dups, _vetoes

FOOTER = (
    "\n\n-- This e-mail and any attachments are confidential and may be privileged. If you are not the intended recipient, "
    "please notify the sender immediately and delete this message. Any unauthorised use, disclosure, copying or distribution "
    "is strictly prohibited. Acme Widgets Ltd is registered in England and Wales under company number 01234567, registered "
    "office: 1 High Street, Anytown, AN1 2BC. Acme Widgets Ltd accepts no liability for viruses transmitted with this e-mail. "
    "Please consider the environment before printing this e-mail."
)  # breaker3 in6/mails_noid.csv, 480 characters
MAILS = [  # in6/mails_noid.csv's bodies, in its order
    "Received, thanks.",
    "Received, thanks. Please cancel the second shipment and refund the deposit.",
    "Approved.",
    "Approved, but only the first invoice; hold the rest until the audit.",
    "Please call me back.",
    "Please call me back about the broken pump at the Leeds site, urgently, people are injured.",
    "Shipment arrived damaged.",
    "Shipment arrived.",
]
HEADER = "CONFIDENTIAL: internal correspondence of Acme Widgets Ltd, do not forward outside the company or its auditors.\n\n"
OTHERS = ["Invoice paid.", "Meeting moved to the large room.", "Please send the updated price list."]  # other mails of the column


def _mails(bodies: list[str], around: str = "footer") -> list[list[str]]:
    return [["ops@acme.example", HEADER + b if around == "header" else b + FOOTER] for b in bodies]


def test_breaker_mailbox_export_keeps_every_message() -> None:
    result = _clean(["sender", "body"], _mails(MAILS))
    assert _dups(result) == [] and len(result.curated) == 8
    assert {k: v for k, v in _vetoes(result).items() if v} == {
        "candidate_pairs": 28, "vetoed_number": 10, "vetoed_substitution": 13, "vetoed_addition": 2}


@pytest.mark.parametrize("around", ["footer", "header"])
@pytest.mark.parametrize(
    ("kept", "later", "vetoed"),
    [
        ("Shipment arrived damaged.", "Shipment arrived.", 1),  # a deleted word (the report's example)
        # an added clause; under the shorter header the pair is below the threshold already
        ("Please call me back.", "Please call me back about the broken pump at the Leeds site, urgently, people are injured.", {"footer": 1, "header": 0}),
        ("Order delivered.", "Order delivered late.", 1),  # an added word
        ("Meeting confirmed.", "Meeting confirmed, bring the signed contract.", 1),
        ("Password reset done for the shared account.", "Password reset done.", 1),  # a removed clause
    ],
)
def test_a_word_added_or_removed_outside_the_boilerplate_is_another_message(kept: str, later: str, vetoed: int | dict, around: str) -> None:
    result = _clean(["sender", "body"], _mails([kept, later, *OTHERS], around))
    assert _dups(result) == [] and len(result.curated) == 5
    assert _vetoes(result)["vetoed_addition"] == (vetoed[around] if isinstance(vetoed, dict) else vetoed)


@pytest.mark.parametrize("around", ["footer", "header"])
@pytest.mark.parametrize(
    "copy",
    [
        "  SHIPMENT   ARRIVED  DAMAGED ",  # case and spacing
        "Shipment arrived damaged!!",  # punctuation
        "Shipment arived damaged.",  # a typo
        "The shipment arrived damaged.",  # a function word
    ],
)
def test_real_copies_under_the_boilerplate_still_merge(copy: str, around: str) -> None:
    result = _clean(["sender", "body"], _mails(["Shipment arrived damaged.", copy, *OTHERS], around))
    assert _dups(result) == [(3, "near_text")] and len(result.curated) == 4
    assert _vetoes(result)["vetoed_addition"] == 0


def test_boilerplate_is_a_run_that_three_different_texts_hold() -> None:
    words = [tokens_of(b + FOOTER).words for b in ["Shipment arrived damaged.", "Shipment arrived.", "Invoice paid."]]
    shared = Boilerplate.of(words)
    footer = len(tokens_of(FOOTER).words)
    assert footer == 77 and shared.heads == {} and shared.tails == {w[::-1]: footer for w in words}
    assert shared.outside(words[0], words[1]) == (("shipment", "arrived", "damaged"), ("shipment", "arrived"))
    assert added_words(*shared.outside(words[0], words[1])) == ["damaged"]
    assert Boilerplate.of(words[:2]) == Boilerplate({}, {})  # two texts: the footer cannot be told from the message


def test_near_copies_of_one_long_text_are_no_boilerplate() -> None:
    # they share a long opening, but what follows it is alike: a signature line added stays a near copy
    base = "Patient reports pain in the left knee after the fall, scheduled for an MRI scan next week at the clinic."
    texts = {0: base, 1: base.replace("scheduled", "schedlued"), 2: base + "\n-- \nDr. Ann Lee, orthopaedics", 3: base.upper()}
    assert Boilerplate.of([tokens_of(t).words for t in texts.values()]) == Boilerplate({}, {})
    assert pair_reasons(texts, [0, 0, 0], [1, 2, 3]) == [None, None, None]


def test_function_words_are_no_addition() -> None:
    assert added_words(("shipment", "arrived", "at", "depot"), ("the", "shipment", "arrived", "at", "the", "depot")) == []
    assert added_words(("call", "me", "back"), ("call", "me", "back", "about", "the", "broken", "pump")) == ["broken", "pump"]
