"""Exact-token verification of near-duplicate candidates: the check after MinHash LSH found a pair.

A Jaccard estimate counts shared shingles; it cannot tell ``I would recommend this`` from ``I would
not recommend this`` (0.91), nor two auto-replies that differ only in their ticket number (0.98).
A few tokens carry a record's meaning, so a candidate pair whose texts differ in one of them is two
records, whatever its similarity.

Sources: a candidate from one similarity heuristic confirmed by a second, independent check cuts
false merges (Henzinger 2006, "Finding near-duplicate web pages: a large-scale evaluation of
algorithms", SIGIR '06: shingling candidates confirmed by a second signal). The second check here
compares exact tokens of classes that change a record's meaning: negation cues (the trigger lists
of NegEx, Chapman et al. 2001, J. Biomed. Inform. 34(5); Wiegand et al. 2010, "A Survey on the Role
of Negation in Sentiment Analysis": *not*, *no*, *never*, *n't*, *without*), and the numbers,
addresses and names that templated messages substitute.

Each text is read once into a few token classes (``tokens_of``); a pair is vetoed (``difference``)
for the first class, in ``REASONS`` order, where the texts differ:

* ``negation``: the texts hold different numbers of negators (``NEGATORS``, or a word ending in
  ``n't``); ``don't`` and ``do not`` count alike, so a contraction is no difference;
* ``identifier``: each text has an e-mail address, URL or @handle the other lacks, or both hold a
  mask (``[EMAIL]``, ``[PHONE]``, ``[URL]``: headwater.config.text.MASKS) whose hidden values
  cannot be compared (two auto-replies to two masked addresses read alike);
* ``number``: each text has a token with a digit the other lacks (a ticket or order number, an
  amount, a date, a version, a dose: ``TCK-10443``/``TCK-10444``, ``$10``/``$100``, ``2.3.1``/``2.3.2``,
  ``2 tablets``/``20 tablets``). Tokens are the letter-and-digit runs (``[^\\W_]+``), so a
  whitespace or punctuation variant (``Ref:TCK-1``/``Ref: TCK-1``) is no difference, and
  thousands separators (``1,000``/``1 000``/``1000``) are removed first;
* ``addressee``: each text greets a different name (``Dear Anna``/``Dear Omar``; the word after
  *dear*, *hi*, *hello*, *hey* or *attn*, past a title such as *Mr.*).

``identifier``, ``number`` and ``addressee`` veto a *change* only (a token on each side that the
other lacks, counted as multisets): a text that only adds some (a re-sent message with a signature
line and a phone number) stays a near copy. A negator added or removed always vetoes.

Limits: English negators only; antonyms (*recommend* / *discourage*, un-/in- prefixes) are not
checked; an identifier without a digit that is not an address (``TCK-A``/``TCK-B``) is not seen; a
typo inside a number or an address is a different value (a missed duplicate, never a false merge).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from headwater.config.text import MASKS

REASONS = ("negation", "identifier", "number", "addressee")  # the order the checks run in; a pair counts under its first
# English negators (Wiegand et al. 2010's lexical negation cues), plus common spellings without the apostrophe.
NEGATORS = frozenset(
    "not no never none nobody nothing nowhere neither nor without cannot nope "
    "dont doesnt didnt isnt arent wasnt werent cant couldnt wont wouldnt shouldnt havent hasnt hadnt aint mustnt neednt".split()
)
SALUTATIONS = ("dear", "hi", "hello", "hey", "attn", "attention")
TITLES = ("mr", "mrs", "ms", "mx", "miss", "dr", "prof", "sir", "madam")

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")  # letters, with inner apostrophes (don't, o'neil)
_ALNUM = re.compile(r"[^\W_]+")  # letter-and-digit runs
_THOUSANDS = re.compile(r"(?<=\d)[,'\u00a0\u202f ](?=\d{3}(?!\d))")  # 1,000 / 1'000 / 1 000 -> 1000
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>\"']+")
_HANDLE = re.compile(r"(?<![\w.@])@\w+")
_ADDRESSEE = re.compile(
    r"\b(?:" + "|".join(SALUTATIONS) + r")\b[\s,:]+(?:(?:" + "|".join(TITLES) + r")\b\.?\s+)?([^\W\d_]+)"
)
_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Tokens:
    """The tokens of one text that verification compares (lower-cased)."""

    negators: int
    identifiers: Counter[str]
    numbers: Counter[str]
    addressees: Counter[str]
    masks: int = 0  # mask placeholders ([EMAIL], [PHONE], [URL]) in the text


def tokens_of(text: str | None) -> Tokens:
    """The verification tokens of ``text`` (None or "" has none). Case, whitespace and punctuation
    between tokens do not matter; ``\u2019`` counts as an apostrophe."""
    low = (text or "").lower().replace("\u2019", "'")
    negators = sum(1 for w in _WORD.findall(low) if w in NEGATORS or w.endswith("n't"))
    # the address patterns are only run on a text holding their literal part ('@'; '://' or 'www.'):
    # scanning a text without one costs a backtracking attempt at every word
    at = "@" in low
    urls = _URL.findall(low) if "://" in low or "www." in low else []
    identifiers = Counter(m.rstrip(_TRAILING) for m in [*(_EMAIL.findall(low) if at else []), *urls, *(_HANDLE.findall(low) if at else [])])
    # a run of letters only (isalpha: most tokens) holds no digit; the others are read character by character
    numbers = Counter(t for t in _ALNUM.findall(_THOUSANDS.sub("", low)) if not t.isalpha() and any(ch.isdigit() for ch in t))
    addressees = Counter(m for m in _ADDRESSEE.findall(low) if m not in TITLES)
    masks = sum((text or "").count(m) for m in MASKS.values())
    return Tokens(negators, identifiers, numbers, addressees, masks)


def _changed(x: Counter[str], y: Counter[str]) -> bool:
    """Each side holds a token (with multiplicity) the other lacks: a substitution, not an addition."""
    return bool(x - y) and bool(y - x)


def difference(x: Tokens, y: Tokens, reasons: tuple[str, ...] = REASONS) -> str | None:
    """The first reason of ``reasons`` (names from ``REASONS``) on which two texts differ, or None."""
    for reason in reasons:
        if reason == "negation" and x.negators != y.negators:
            return reason
        if reason == "identifier" and (_changed(x.identifiers, y.identifiers) or (x.masks and y.masks)):
            return reason
        if reason == "number" and _changed(x.numbers, y.numbers):
            return reason
        if reason == "addressee" and _changed(x.addressees, y.addressees):
            return reason
    return None


def pair_reasons(texts: dict[int, str | None], a: list[int], b: list[int], reasons: tuple[str, ...] = REASONS) -> list[str | None]:
    """Per pair (rows a[k], b[k]; ``texts`` holds every row named): the veto reason, or None when the pair stands.

    Each row's text is tokenized once.
    """
    tokens = {row: tokens_of(text) for row, text in texts.items()}
    return [difference(tokens[i], tokens[j], reasons) for i, j in zip(a, b)]
