"""The reading order of near-duplicate verification as it was before nd7 (main at 2361372), kept as the reference that
``test_verify_fast.py`` (and ``test_fit_fast.py``) compare the module with: ``tokens_of`` reads every text in full (its
words twice by ``_WORD``: no ASCII pattern, no test for a mask before reading them again), ``pair_reasons`` tokenizes
every text of the dict in full (no ``Tokens`` shared by rows of one text, the boilerplate always built), and
``folds_case`` (``headwater.clean.dedup.columns.folds_case``) tests for a digit with a Python loop per character.

The token readers that later vetoes added (the numbers in order ``_number_order``, the emoji and ASCII emoticons in
order ``_emoji_order``, the street quadrants ``_quadrants``, the compass point ``NE`` ``_compass``), the patterns, the
word lists and the caches are the module's own, imported as ``summary_rows_reference`` imports the label data: a change
to them changes both sides, and what is compared is the reading order, the shortcuts and the decisions built on them.
The readers themselves are checked with exact values in test_verify_emoji_quadrant.py, test_verify_emoticons.py,
test_verify_order_compare.py and test_verify_fast.py (their digit test)."""

from __future__ import annotations

from collections import Counter

from headwater.clean.dedup.columns import _LETTER_RUNS, CASE_FOLD_MIN_LETTERS
from headwater.clean.dedup.verify import (
    _ADDRESSEE, _COMPASS_NE, _EMAIL, _HANDLE, _NAME_WORD, _ORDINAL, _TRAILING, _URL, _WORD, MASKS, REASONS, TITLES,
    Boilerplate, Tokens, _compass, _emoji_order, _is_negator, _number_order, _plain, _quadrants, _word, difference,
)


def tokens_of(text: str | None) -> Tokens:
    if text and "NE" in text:  # tail7 (breaker6 #14): the compass point, as in the module
        text = _COMPASS_NE.sub(_compass, text)
    low = (text or "").lower().replace("\u2019", "'")
    found = _WORD.findall(low)
    negators = sum(map(_is_negator, found))
    at = "@" in low
    urls = _URL.findall(low) if "://" in low or "www." in low else []
    identifiers = Counter(m.rstrip(_TRAILING) for m in [*(_EMAIL.findall(low) if at else []), *urls, *(_HANDLE.findall(low) if at else [])])
    number_order = _number_order(text or "")
    numbers = Counter(number_order)
    addressees = Counter(m for m in _ADDRESSEE.findall(low) if m not in TITLES)
    masks = sum((text or "").count(m) for m in MASKS.values())
    for mask in MASKS.values():
        low = low.replace(mask.lower(), " ")
    found = _WORD.findall(low)
    names = _NAME_WORD.findall(low) if numbers and _ORDINAL.search(low) else found  # tail7: ordinals are name words
    emoji = _emoji_order(text or "")
    return Tokens(negators, identifiers, numbers, addressees, masks, tuple(w for w in map(_word, found) if w), tuple(map(_plain, names)),
                  frozenset(emoji), _quadrants(text or ""), number_order, emoji)


def pair_reasons(texts: dict[int, str | None], a: list[int], b: list[int], reasons: tuple[str, ...] = REASONS) -> list[str | None]:
    tokens = {row: tokens_of(text) for row, text in texts.items()}
    if "addition" not in reasons:
        return [difference(tokens[i], tokens[j], reasons) for i, j in zip(a, b)]
    shared = Boilerplate.of([t.words for t in tokens.values()])
    return [difference(tokens[i], tokens[j], reasons, shared.outside(tokens[i].words, tokens[j].words)) for i, j in zip(a, b)]


def folds_case(text: str) -> bool:
    if any(ch.isdigit() for ch in text):
        return False
    runs = _LETTER_RUNS.findall(text)
    return sum(map(len, runs)) >= CASE_FOLD_MIN_LETTERS and all(r.islower() or r.isupper() or r.istitle() for r in runs)
