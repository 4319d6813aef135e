"""Near-duplicate text: two texts that say the same words in another order, and a statement against a question, are two
records (nd11; breaker8 #5, #6, left open by nd10).

breaker8 #5: ``flight from Paris to Rome``/``flight from Rome to Paris`` and ``Alice paid Bob``/``Bob paid Alice`` were merged:
difflib's alignment matched one of the two swapped words and left the others as words added on one side and removed on the
other, and an added word is no difference. Now a word that one side removes and the other adds elsewhere, with the shared
words in no common order (``_moved``: the longest common subsequence, ``_reordered``), is a ``word_order`` (a ``substitution`` until breaker10 F14). Invented
variants: lower-case words (``from savings to checking``), a swap with a word added, three words rotated, a swap of two
function words (``it is``/``is it``); near copies that keep their order (a typo, case, a repeated phrase, an added
signature or word) still merge.

breaker8 #6: in/nd/a.csv ``Customer asked whether the refund for the cancelled order has been approved.``/``... approved?``
were merged at 0.99. Now, in texts of at most ``QUESTION_MAX_WORDS`` (15) words, a final question mark on one side only
vetoes (``question``, counted as ``vetoed_question``); ``!``/``.`` and ``?!``/``?`` are no difference, nor is a changed mark
in a longer text.
"""

from __future__ import annotations

import pytest
from test_verify import _clean, _dups, _vetoes

from headwater.clean.dedup.verify import QUESTION_MAX_WORDS, REASONS, _moved, _blocks, _question, difference, tokens_of, word_changes

TEXT = {"schema": {"columns": {"id": {"type": "integer"}, "body": {"type": "text"}}}}  # in/nd/config/t.yaml
FLIGHT = "Booking confirmed by the travel desk for the annual sales conference trip next month: flight from {} to {}"
PAID = "According to the shared expense sheet for the long ski weekend in the mountains last winter, {} paid {} back in full"


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [(FLIGHT.format("Paris", "Rome"), FLIGHT.format("Rome", "Paris"), "word_order"),  # breaker8 #5
     (PAID.format("Alice", "Bob"), PAID.format("Bob", "Alice"), "word_order"),
     ("Alice paid Bob", "Bob paid Alice", "word_order"),
     ("Please move the printer from table A to table B", "Please move the printer from table B to table A", "word_order"),
     ("Transfer the balance from savings to checking today", "Transfer the balance from checking to savings today", "word_order"),
     (PAID.format("Alice", "Bob"), PAID.format("Bob", "Alice") + " yesterday", "word_order"),  # a swap and an added word
     ("The route goes from Oslo via Bergen to Tromso", "The route goes from Bergen via Tromso to Oslo", "word_order"),  # rotated
     ("Tell me when it is ready for pickup", "Tell me when is it ready for pickup", "word_order"),  # two function words
     ("Price of the red model is higher than the blue model", "Price of the blue model is higher than the red model", "word_order"),
     # near copies in one order: merged
     (FLIGHT.format("Paris", "Rome"), "booking confirmed by the travel desk for the annual sales conference trip next month - flight from paris to rome!", None),
     (PAID.format("Alice", "Bob"), PAID.format("Alice", "Bob").replace("expense", "expnse"), None),  # a typo
     (PAID.format("Alice", "Bob"), PAID.format("Alice", "Bob") + ". Thanks, Carol", None),  # a signature added
     ("Please call me back about the broken pump", "Please call me back, call me back about the broken pump", None),  # repeated
     ("Please call me back about the broken pump", "Please call me back about the broken pump now", None)],  # a word added
)
def test_swapped_words_veto(a: str, b: str, reason: str | None) -> None:
    assert difference(tokens_of(a), tokens_of(b), REASONS) == reason
    assert difference(tokens_of(b), tokens_of(a), REASONS) == reason


def test_moved_words() -> None:
    x, y = ("alice", "paid", "bob"), ("bob", "paid", "alice")
    blocks = _blocks(x, y)
    assert blocks == [((), ("bob", "paid")), (("paid", "bob"), ())]  # difflib matched alice and left the rest as additions
    assert _moved(blocks, x, y) is True and word_changes(x, y) == {"word_order"}
    x, y = ("call", "me", "back"), ("call", "me", "back", "call", "me")
    assert _moved(_blocks(x, y), x, y) is False and word_changes(x, y) == set()
    x, y = ("the", "red", "car"), ("the", "car", "red", "car")  # red moved past an added car: the shared words in one order
    assert _moved(_blocks(x, y), x, y) is False and word_changes(x, y) == set()
    assert _moved([], ("a",), ("a",)) is False


def test_swapped_names_in_record_linkage_stay_order_free() -> None:
    """The name check (record linkage) pairs name words in any order: ``Smith John``/``John Smith`` is one name."""
    assert difference(tokens_of("John Smith"), tokens_of("Smith John"), ("name",)) is None
    assert difference(tokens_of("John Smith"), tokens_of("Smith John"), ("identifier", "number", "name")) is None


APPROVED = "Customer asked whether the refund for the cancelled order has been approved"  # in/nd/a.csv lines 20-21 (12 words)


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [(APPROVED + ".", APPROVED + "?", "question"),  # breaker8 #6
     (APPROVED, APPROVED + "?", "question"),  # no mark: a statement
     (APPROVED + "!", APPROVED + "?!", "question"),
     ("Your refund has been approved.", "Your refund has been approved\uff1f", "question"),  # full-width
     ("Your refund has been approved.", 'Your refund has been "approved?"', "question"),  # a closing quote after it
     ("Your refund has been approved. \U0001f642", "Your refund has been approved? \U0001f642", "question"),  # an emoji after it
     ("Is the refund approved. Yes", "Is the refund approved? Yes", None),  # not the final mark
     (APPROVED + ".", APPROVED + "!", None),  # an exclamation is a statement
     (APPROVED + "?", APPROVED + "?!", None),
     (APPROVED + "?", APPROVED + " ?", None),
     (APPROVED + "?", APPROVED.lower() + "??", None)],
)
def test_question_veto(a: str, b: str, reason: str | None) -> None:
    assert difference(tokens_of(a), tokens_of(b), REASONS) == reason
    assert difference(tokens_of(b), tokens_of(a), REASONS) == reason


def test_question_veto_only_in_short_texts() -> None:
    words = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen".split()
    short, long = " ".join(words[:QUESTION_MAX_WORDS]), " ".join(words[: QUESTION_MAX_WORDS + 1])
    assert QUESTION_MAX_WORDS == 15
    assert difference(tokens_of(short + "."), tokens_of(short + "?"), REASONS) == "question"
    assert difference(tokens_of(long + "."), tokens_of(long + "?"), REASONS) is None
    assert difference(tokens_of(short + "."), tokens_of(long + "?"), ("question",)) is None  # one of them longer


@pytest.mark.parametrize(
    ("text", "expected"),
    [("approved?", True), ("approved?!", True), ("approved!?", True), ("approved?)", True), ("approved? :)", True),
     ("approved\u061f", True), ("approved\u203d", True), ("approved.", False), ("approved", False), ("approved? yes", False),
     ("what? approved.", False), ("version 2?", True), ("", False), ("?", True)],
)
def test_question(text: str, expected: bool) -> None:
    assert _question(text) is expected
    assert tokens_of(text).question is expected


def test_the_clean_stage_keeps_breaker8_nd_question_and_swaps_apart() -> None:
    """in/nd/a.csv lines 20-21 and the swaps of breaker8 #5: before, each second text was a near_text duplicate of the first."""
    texts = [APPROVED + ".", APPROVED + "?",
             FLIGHT.format("Paris", "Rome"), FLIGHT.format("Rome", "Paris"),
             PAID.format("Alice", "Bob"), PAID.format("Bob", "Alice"),
             "Please move the office printer, the scanner and the two monitors from the storage room table A to table B",
             "Please move the office printer, the scanner and the two monitors from the storage room table B to table A",
             # real near copies: case and punctuation, still merged
             FLIGHT.format("Paris", "Rome").lower() + "."]
    result = _clean(["id", "body"], [[str(k), t] for k, t in enumerate(texts, 1)], TEXT)
    assert _dups(result) == [(10, "near_text")] and len(result.curated) == 8
    assert result.curated["id"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    vetoes = _vetoes(result)
    assert (vetoes["vetoed_question"], vetoes["vetoed_word_order"]) == (1, 3)
    assert sum(v for k, v in vetoes.items() if k.startswith("vetoed_")) == 4
