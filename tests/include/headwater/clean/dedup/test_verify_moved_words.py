"""Near-duplicate vetoes of reordered texts carry the right reason (breaker10 F14): ``word_order``.

Before: ``Meeting moved to Monday, room 4.``/``Meeting moved to room 4, Monday.`` was vetoed as ``negation`` (difflib aligned
``room`` as removed in one block and added in another, and ``unlisted_negation`` read the two as short words added: a
negator of an unlisted language), ``Please call me back tomorrow``/``Tomorrow please call me back`` as ``substitution``, and
so were the swaps (``Alice paid Bob``/``Bob paid Alice``). Both texts are kept apart, as before (no rule here tells a moved
time word that says the same from a swap that does not: a missed duplicate at worst), now counted as ``vetoed_word_order``.
A negator moved among the same words (``is not allergic to penicillin but to aspirin``/``is allergic to penicillin but not
to aspirin``) was no difference at all (negators are left out of the compared words, and their count is equal): now a
``negation``. A word dropped in one place and another added elsewhere (``moved to Monday, room 4.``/``moved to room 4,
Tuesday.``: difflib reads two additions) merged: now a ``substitution``.
"""

from __future__ import annotations

import pytest
from test_verify import _clean, _dups, _vetoes

from headwater.clean.dedup.verify import REASONS, difference, tokens_of, unlisted_negation, word_changes


def reason(a: str, b: str) -> str | None:
    return difference(tokens_of(a), tokens_of(b))


# breaker10 nd.py: every pair differs in meaning or (the two F14 pairs) in order only; each with its reason now
ND = [
    ("The order has been approved.", "The order has been approved?", "question"),
    ("The order has been approved.", "The order has been approved？", "question"),
    ("The order has been approved.", "The order has been approved ?", "question"),
    ("El pedido ha sido aprobado.", "¿El pedido ha sido aprobado?", "question"),
    ("تمت الموافقة على الطلب.", "تمت الموافقة على الطلب؟", "question"),
    ("The order has been approved.", "Has the order been approved.", "word_order"),  # was substitution
    ("It is ready for pickup.", "Is it ready for pickup.", "word_order"),  # was substitution
    ("The order has been approved.", "The order has been approved?!", "question"),
    ("The order has been approved.", "The order has been approved 🤔?", "emoji"),
    ("Alice paid Bob 20 dollars.", "Bob paid Alice 20 dollars.", "word_order"),
    ("Bob was paid by Alice.", "Alice was paid by Bob.", "word_order"),  # difflib: two replacements; the same words
    ("Transfer from savings to checking.", "Transfer from checking to savings.", "word_order"),
    ("Convert EUR to USD at market rate", "Convert USD to EUR at market rate", "word_order"),  # was unit: no unit changed
    ("Ship to Paris, bill to Rome.", "Ship to Rome, bill to Paris.", "word_order"),
    ("Home team Lakers beat away team Celtics.", "Home team Celtics beat away team Lakers.", "word_order"),
    ("Lakers beat Celtics in overtime", "Celtics beat Lakers in overtime", "word_order"),
    ("Anna is Maria's mother", "Maria is Anna's mother", "substitution"),  # maria/marias: the words differ
    ("Replace the red cable with the blue cable", "Replace the blue cable with the red cable", "word_order"),
    ("Dog bites man", "Man bites dog", "word_order"),
    ("Meeting moved to Monday, room 4.", "Meeting moved to room 4, Monday.", "word_order"),  # F14: was negation
    ("Please call me back tomorrow", "Tomorrow please call me back", "word_order"),  # F14: was substitution
    ("Customer asked: can we deliver on Friday", "Customer asked: can we deliver on Friday?", "question"),
    ("Delivered to the left of the gate.", "Delivered to the right of the gate.", "substitution"),
    ("Refund approved", "Refund approved???", "question"),
    ("Refund approved.", "Refund approved?", "question"),
    ("Is the refund approved? Yes.", "Is the refund approved? No.", "negation"),
    ("Patient allergic to penicillin, not to aspirin", "Patient allergic to aspirin, not to penicillin", "word_order"),
    ("Patient allergic to penicillin but not aspirin", "Patient allergic to aspirin but not penicillin", "word_order"),
]


@pytest.mark.parametrize(("a", "b", "expected"), ND)
def test_breaker10_nd_pairs_stay_vetoed_with_their_reason(a: str, b: str, expected: str) -> None:
    assert reason(a, b) == expected
    assert reason(b, a) == expected  # either order


def test_word_order_comes_after_substitution_and_before_voice_and_addition() -> None:
    assert REASONS.index("substitution") + 1 == REASONS.index("word_order") == REASONS.index("voice") - 1 == REASONS.index("addition") - 2


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("Delivered Monday, gate 2.", "Delivered gate 2, Monday.", "word_order"),  # invented: a moved phrase
     ("Call me back tomorrow please", "Tomorrow, call me back please", "word_order"),  # a moved time word
     ("Parcel left with the neighbour today", "Today parcel left with the neighbour", "word_order"),
     ("Meeting moved to Monday, room 4.", "Meeting moved to room 5, Monday.", "number"),  # a changed number comes first
     ("Meeting moved to Monday, room 4.", "Meeting moved to Tuesday, room 4.", "substitution"),  # a replaced word, no move
     # moved and replaced: difflib reads "monday" removed and "tuesday" added, two additions (before: merged)
     ("Meeting moved to Monday, room 4.", "Meeting moved to room 4, Tuesday.", "substitution"),
     ("The parcel arrived late yesterday", "Parcel arrived late, thanks", "substitution"),  # a word dropped, another added
     # a negator moved among the same words: what is negated changed (before: no difference at all)
     ("Patient is not allergic to penicillin but to aspirin", "Patient is allergic to penicillin but not to aspirin", "negation"),
     ("Not urgent, call back today", "Urgent, not call back today", "negation"),
     # near copies in one order still merge
     ("Please call me back tomorrow", "please call me back tomorrow!", None),
     ("I don't think so", "I do not think so", None),
     ("Meeting moved to Monday, room 4.", "meeting moved to Monday room 4", None)],
)
def test_moved_words_and_negators(a: str, b: str, expected: str | None) -> None:
    assert reason(a, b) == expected


def test_a_moved_word_is_no_unlisted_negator() -> None:
    x, y = tokens_of("Meeting moved to Monday, room 4.").words, tokens_of("Meeting moved to room 4, Monday.").words
    assert unlisted_negation(x, y) is False and word_changes(x, y) == {"word_order"}
    # an unlisted language's short word only added still counts (Malagasy "tsy": not)
    assert unlisted_negation(tokens_of("Nandeha ny mpiasa").words, tokens_of("Tsy nandeha ny mpiasa").words) is True
    # ... and with a word moved besides, the added word still does
    assert unlisted_negation(tokens_of("Nandeha omaly ny mpiasa").words, tokens_of("Omaly tsy nandeha ny mpiasa").words) is True


TEXT = {"schema": {"columns": {"id": {"type": "integer"}, "body": {"type": "text"}}}}
MEETING = "The quarterly planning meeting with the whole regional sales team and the finance leads has been moved to {}"
ALLERGY = "Patient reported during the admission interview at the clinic yesterday that she is {}allergic to penicillin but {}to aspirin"


def test_the_clean_stage_counts_moved_phrases_as_word_order_and_keeps_a_moved_negator_apart() -> None:
    texts = [MEETING.format("Monday, room 4."), MEETING.format("room 4, Monday."),
             ALLERGY.format("not ", ""), ALLERGY.format("", "not "),
             MEETING.format("Monday, room 4").lower()]  # a real near copy: merged
    result = _clean(["id", "body"], [[str(k), t] for k, t in enumerate(texts, 1)], TEXT)
    assert _dups(result) == [(6, "near_text")] and result.curated["id"].tolist() == [1, 2, 3, 4]
    vetoes = _vetoes(result)
    # 1~2 and 5~2 (5 is 1's near copy, and 2's reordering), 3~4
    assert (vetoes["vetoed_word_order"], vetoes["vetoed_negation"], vetoes["vetoed_substitution"]) == (2, 1, 0)
    assert sum(v for k, v in vetoes.items() if k.startswith("vetoed_")) == 3
