"""The reading order of near-duplicate verification as it was before nd7 (main at 2361372), kept as the reference that
``test_verify_fast.py`` (and ``test_fit_fast.py``) compare the module with: ``tokens_of`` reads the words of every text
in full (twice by ``_WORD``: no ASCII pattern, the masks replaced without testing for one first), ``pair_reasons``
tokenizes every text of the dict in full (no ``Tokens`` shared by rows of one text, the boilerplate always built), and
``folds_case`` (``headwater.clean.dedup.columns.folds_case``) tests for a digit with a Python loop per character.

Every other token is the module's own (``verify.tokens_of``, bound at import: the identifiers, the numbers in order, the salutations,
the masks, the emoji and ASCII emoticons, the street quadrants), as are the patterns, the word lists and the caches,
imported as ``summary_rows_reference`` imports the label data: a change to them changes both sides, and what is
compared is the reading of the words, the shortcuts and the decisions built on them. Those readers are checked with
exact values in test_verify.py, test_verify_emoji_quadrant.py, test_verify_emoticons.py, test_verify_order_compare.py
and test_verify_fast.py (the digit test of the numbers)."""

from __future__ import annotations

import dataclasses

from headwater.clean.dedup.columns import _LETTER_RUNS, CASE_FOLD_MIN_LETTERS
from headwater.clean.dedup.verify import (
    _COMPASS_NE, _NAME_WORD, _ORDINAL, _WORD, MASKS, REASONS, Boilerplate, Tokens, _compass, _is_negator, _plain, _word, difference,
)
# bound here: a test that counts the module's calls of ``verify.tokens_of`` (by monkeypatching it) does not count these
from headwater.clean.dedup.verify import tokens_of as module_tokens_of


def tokens_of(text: str | None) -> Tokens:
    tokens = module_tokens_of(text)
    if text and "NE" in text:  # tail7 (breaker6 #14): the compass point, as in the module
        text = _COMPASS_NE.sub(_compass, text)
    low = (text or "").lower().replace("\u2019", "'")
    negators = sum(map(_is_negator, _WORD.findall(low)))
    for mask in MASKS.values():
        low = low.replace(mask.lower(), " ")
    found = _WORD.findall(low)
    names = _NAME_WORD.findall(low) if tokens.numbers and _ORDINAL.search(low) else found  # tail7: ordinals are name words
    return dataclasses.replace(tokens, negators=negators, words=tuple(w for w in map(_word, found) if w), spelled=tuple(map(_plain, names)))


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
