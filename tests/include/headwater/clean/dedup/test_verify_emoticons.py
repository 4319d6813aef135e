"""An ASCII emoticon is an emoji to the near-duplicate veto (breaker8 #6): ``…, rating :)`` and ``…, rating :(`` were
merged (Jaccard 0.98) while ``☺``/``☹`` were kept apart (nd9's emoji veto). A changed, added or removed emoticon now
vetoes the pair like an emoji; colons of times, drive letters, URLs and labels are no emoticon.
"""

from __future__ import annotations

import pytest

from headwater.clean.dedup.verify import REASONS, _emoji_order, difference, tokens_of
from test_verify import _clean, _dups

REVIEW = "The support agent answered within the hour and solved the login problem for good, rating {}"


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        (REVIEW.format(":)"), REVIEW.format(":("), "emoji"),  # breaker8 #6, in/nd/a.csv
        (REVIEW.format(":-)"), REVIEW.format(":-("), "emoji"),
        (REVIEW.format(";)"), REVIEW.format(":)"), "emoji"),
        (REVIEW.format(":D"), REVIEW.format(":/"), "emoji"),
        (REVIEW.format("=)"), REVIEW.format("=("), "emoji"),
        (REVIEW.format(":)"), REVIEW.format("\u2639"), "emoji"),  # ASCII smile vs the frowning face emoji
        (REVIEW.format(":) :("), REVIEW.format(":( :)"), "emoji"),  # swapped (nd10's order rule)
        (REVIEW.format(":)"), REVIEW.format(""), "emoji"),  # removed: vetoed, as an emoji removed is
        (REVIEW.format(":)"), REVIEW.format(":)!"), None),  # punctuation only
        (REVIEW.format(":)"), REVIEW.format(":)").upper(), None),  # case only (``:)`` has none)
        (REVIEW.format("at 10:30"), REVIEW.format("at 10:30."), None),  # a time is no emoticon
    ],
)
def test_emoticon_veto(a: str, b: str, reason: str | None) -> None:
    assert difference(tokens_of(a), tokens_of(b), REASONS) == reason
    assert difference(tokens_of(b), tokens_of(a), REASONS) == reason


@pytest.mark.parametrize(
    ("text", "emoji"),
    [
        ("rating :)", (":)",)),
        ("ok ;-) and :D", (";-)", ":D")),
        ("smile :) \U0001f44d :(", (":)", "\U0001f44d", ":(")),  # in the text's order, emoji and emoticons together
        ("at 10:30 (room 3)", ()),  # a time, then a bracket
        ("C:\\Users\\ann", ()),  # a drive letter
        ("see http://example.org/a", ()),  # a URL's colon and slashes
        ("Note:Please call", ()),  # a label's colon before a word
        ("x=(a+b)", ()),  # code
        ("Items: (a) apples", ()),  # a colon, a space, a bracket
        ("ratio 2:1 (approx.)", ()),
    ],
)
def test_emoticons_read(text: str, emoji: tuple[str, ...]) -> None:
    assert _emoji_order(text) == emoji


def test_the_breaker_file_keeps_both_ratings() -> None:
    """The clean stage: the two reviews stay two records (was one, the second a ``near_text`` duplicate)."""
    rows = [["1", REVIEW.format(":)")], ["2", REVIEW.format(":(")], ["3", REVIEW.format(":)") + "!"]]
    result = _clean(["id", "comment"], rows, {"schema": {"columns": {"id": "integer", "comment": "text"}}})
    assert _dups(result) == [(4, "near_text")]  # only the copy with an exclamation mark
