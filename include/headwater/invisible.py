"""Invisible format characters that copy-paste leaves in values and header names, and which of them are removed.

Text copied out of web pages, word processors and chat apps carries characters that draw nothing:
zero-width spaces, word joiners, a byte-order mark inside a value, soft hyphens, direction marks and
bidi embeddings/isolates around a number. Unicode makes them ``Default_Ignorable_Code_Point``
(DerivedCoreProperties.txt; The Unicode Standard, section 5.21 "Ignoring Characters in Processing"),
and its case-folded identifier form NFKC_Casefold (UAX #31, UAX #15) maps every one of them to
nothing: two strings that differ only by them read the same. The bidi marks, embeddings and isolates
(UAX #9, sections 2.1-2.6) only steer how a line is laid out on screen; the characters in logical order,
the text itself, do not change without them.

``REMOVED`` is the part of those characters that carries no meaning in data. Default-ignorable
characters that do carry meaning are never removed:

* U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH JOINER: Persian and Indic orthography
  (``می‌خواهم``), emoji ZWJ sequences (👨‍👩‍👧: one family, three people without them);
* variation selectors (U+FE00-U+FE0F, U+E0100-U+E01EF: ❤️ vs ❤, CJK ideographic variants) and tag
  characters (U+E0020-U+E007F: the flag of Wales), U+034F COMBINING GRAPHEME JOINER (collation), the
  Hangul fillers (U+115F, U+1160, U+3164, U+FFA0: letters of a syllable), the Mongolian free variation
  selectors (U+180B-U+180D, U+180F), the invisible mathematical operators (U+2061-U+2064);
* U+180E MONGOLIAN VOWEL SEPARATOR inside Mongolian text (it selects the form of the vowel after it:
  The Unicode Standard, section 13.5): it is removed only where the character before it is not of the
  Mongolian block (U+1800-U+18AF), as in ``A\\u180eB`` (before Unicode 6.3 it was a space, and some
  tools still insert it as one).

ftfy (``ftfy.fixes.remove_control_chars``) removes the byte-order mark and U+206A-U+206F, and leaves the
joiners and direction marks alone on purpose (it only repairs encodings); the cleaning step removes
those here, keeping what was written (headwater.clean.text, headwater.clean.steps.normalize_text).

The patterns are in the common subset of Python ``re`` and RE2 (literal characters, a capture group,
no lookaround), so Arrow's kernels and Python give the same text.
"""

from __future__ import annotations

import re

# Removed wherever they stand: soft hyphen, Arabic letter mark, zero-width space, left-to-right and right-to-left
# marks, the bidi embeddings/overrides (LRE, RLE, PDF, LRO, RLO), word joiner, the bidi isolates (LRI, RLI, FSI,
# PDI), and a byte-order mark inside a value (ZERO WIDTH NO-BREAK SPACE: the word joiner's deprecated twin).
REMOVED = "\u00ad\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
MONGOLIAN_VOWEL_SEPARATOR = "\u180e"
_MONGOLIAN = "\u1800-\u18af"
# (pattern, replacement) steps, in order: the characters removed everywhere, then a vowel separator not after a
# Mongolian character (group 1 keeps the character before it). Run in this order so that 'ᠠ\u200b\u180e' keeps its separator.
STEPS: tuple[tuple[str, str], ...] = (
    ("[" + REMOVED + "]+", ""),
    ("(^|[^" + _MONGOLIAN + "])" + MONGOLIAN_VOWEL_SEPARATOR + "+", "\\1"),
)
NEEDED = "[" + REMOVED + MONGOLIAN_VOWEL_SEPARATOR + "]"  # a value the steps may change
_COMPILED = tuple((re.compile(p), r) for p, r in STEPS)
_NEEDED = re.compile(NEEDED)


def remove_invisible(text: str) -> str:
    """``text`` without its invisible format characters (``REMOVED``; U+180E outside Mongolian text).

    ``'AB\\u200b123'`` -> ``'AB123'`` (removed, not made a space: ``AB 123`` would be two words),
    ``'\\u200e+1 415 555 2671\\u200f'`` -> ``'+1 415 555 2671'``, ``'\\u200bemail'`` -> ``'email'``;
    ZWJ/ZWNJ, variation selectors and tag characters stay (module docstring).
    """
    if _NEEDED.search(text) is None:
        return text
    for pattern, repl in _COMPILED:
        text = pattern.sub(repl, text)
    return text
