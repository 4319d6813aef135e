"""headwater.invisible: which invisible format characters go, in Python and in Arrow's RE2 alike."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from headwater.invisible import NEEDED, STEPS, remove_invisible

CASES = [
    ("AB\u200b123", "AB123"),
    ("\u200e+1 415 555 2671\u200f", "+1 415 555 2671"),
    ("\u00ad\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff", ""),
    ("A\u180e\u180eB", "AB"),  # U+180E outside Mongolian text, repeated
    ("\u180eA", "A"),  # at the start
    ("\u1820\u180e\u1821", "\u1820\u180e\u1821"),  # inside Mongolian text: kept
    ("\u1820\u200b\u180e\u1821", "\u1820\u180e\u1821"),  # the zero-width space goes first, so the separator stays
    ("A\u180e\u200bB", "AB"),
    ("a\u200cb\u200dc", "a\u200cb\u200dc"),  # ZWNJ, ZWJ
    ("\u2764\ufe0f x\u2062y \u034f \u3164", "\u2764\ufe0f x\u2062y \u034f \u3164"),  # VS16, invisible times, CGJ, Hangul filler
    ("plain", "plain"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_remove_invisible(text: str, expected: str) -> None:
    assert remove_invisible(text) == expected


def test_arrow_re2_gives_the_same_text() -> None:
    arr = pa.array([t for t, _ in CASES], pa.large_string())
    assert pc.match_substring_regex(arr, NEEDED).to_pylist() == [t != e or "\u180e" in t for t, e in CASES]
    for pattern, repl in STEPS:
        arr = pc.replace_substring_regex(arr, pattern=pattern, replacement=repl)
    assert arr.to_pylist() == [e for _, e in CASES]
