"""The token reading of near-duplicate verification as it was before nd7 (main at 2361372), kept verbatim as the
reference that ``test_verify_fast.py`` compares the module with: ``tokens_of`` (every text read twice by ``_WORD``,
the digit test a Python loop per character), ``_numbers``, ``pair_reasons`` (every text of the dict tokenized in
full) and ``headwater.clean.dedup.columns.folds_case``; nd9 (breaker7 #7, #16) added the emoji and the street
quadrants, read here on every text (no ASCII or hint shortcut) with the module's patterns; nd10 (breaker8 #5) the
numbers and emoji in their order (``Tokens.number_order``, ``Tokens.emoji_order``); nd11 a final question mark
(``Tokens.question``, read by the module's ``_question``). The patterns, word lists and caches are the module's own,
so a change to them changes both sides; what is compared is the order and shortcuts of the reading."""

from __future__ import annotations

from collections import Counter

from headwater.clean.dedup.columns import _LETTER_RUNS, CASE_FOLD_MIN_LETTERS
from headwater.clean.dedup.verify import (
    _COMPASS_NE,
    _EMOJI_CHAR,
    _EMOTICON,
    _GRAPHEME,
    _NOT_LETTER,
    _PRESENTATION,
    _QUADRANT,
    QUADRANTS,
    _NAME_WORD,
    _ORDINAL,
    _compass,
    _ADDRESSEE, _EMAIL, _HANDLE, _LIST_SPACE, _NUMBER, _SIGNED_CODE, _THOUSANDS, _TRAILING, _URL, _WORD, MASKS, REASONS, TITLES,
    Boilerplate, Tokens, _is_negator, _number, _plain, _question, _word, difference,
)


def _number_order(text: str) -> tuple[str, ...]:  # nd10 (breaker8 #5): the numbers in order, as the module reads them
    signed = [t.replace("\u2212", "-") for t in _SIGNED_CODE.findall(text)] if "+" in text or "-" in text or "\u2212" in text else []
    if not any(ch.isdigit() for ch in text):
        return tuple(signed)
    plain = _LIST_SPACE.sub(r"\1", _THOUSANDS.sub("", text.replace("\u2019", "'")))
    return (*map(_number, _NUMBER.findall(plain)), *signed)


def _numbers(text: str) -> Counter[str]:
    return Counter(_number_order(text))


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
    # nd9; nd10: in order; late10 (breaker8 #6): ASCII emoticons (the module's _EMOTICON) among them, by position
    graphemes, at = [], 0
    for g in _GRAPHEME.findall(text or ""):
        if _EMOJI_CHAR.search(g):
            graphemes.append((at, g.translate(_PRESENTATION)))
        at += len(g)
    emoji = tuple(g for _, g in sorted(graphemes + [(m.start(), m.group()) for m in _EMOTICON.finditer(text or "")]))
    quadrants = tuple(sorted(QUADRANTS[_NOT_LETTER.sub("", (m["q"] or m["p"]).lower())] for m in _QUADRANT.finditer(text or "")))  # nd9
    return Tokens(negators, identifiers, numbers, addressees, masks, tuple(w for w in map(_word, found) if w), tuple(map(_plain, names)),
                  frozenset(emoji), quadrants, number_order, emoji, _question(text or ""))  # nd11: the module's reader


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
