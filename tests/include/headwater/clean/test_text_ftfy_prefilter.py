"""The ftfy step asks ftfy (and its ``is_bad`` heuristic) only about the values a vectorized check finds
(text._unicode_candidates, text._is_bad): the values, ``__raw`` flags and kinds stay what the per-value path,
which asked every non-ASCII value, gave."""

from __future__ import annotations

import random
import re._constants as sre_constants
import re._parser as sre_parse
import unicodedata

import ftfy.badness
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import headwater.clean.text as text
from headwater.clean.text import MAY_BE_BAD_RE, NFC_UNSAFE_RE, normalize_column, normalize_text
from headwater.config.text import TextOptions


def _class_chars(op, av) -> set[int] | None:  # type: ignore[no-untyped-def]
    """The code points one parsed regex item matches; None when it is not a plain literal or class of them."""
    if op == sre_constants.LITERAL:
        return {av}
    if op != sre_constants.IN:
        return None
    out: set[int] = set()
    for o, a in av:
        if o == sre_constants.LITERAL:
            out.add(a)
        elif o == sre_constants.RANGE:
            out |= set(range(a[0], a[1] + 1))
        else:
            return None  # a negated class, a category (\s, \w): may match ASCII
    return out


def test_every_alternative_of_ftfys_badness_regex_needs_what_the_filter_looks_for() -> None:
    # each alternative of BADNESS_RE, read item by item: two adjacent items matching only non-ASCII characters (the
    # filter's second half), or an item matching only characters of the filter's first class
    singles = {c for c in range(0x80, 0xA0)} | {0x152, 0x153, 0xC2, 0xC3}
    assert all(text._MAY_BE_BAD.fullmatch(chr(c)) for c in singles)  # what the filter finds alone
    parsed = list(sre_parse.parse(ftfy.badness.BADNESS_RE.pattern, ftfy.badness.BADNESS_RE.flags))
    assert len(parsed) == 1 and parsed[0][0] == sre_constants.BRANCH
    branches = parsed[0][1][1]
    assert len(branches) > 30
    for branch in branches:
        sets = [_class_chars(op, av) for op, av in branch]
        non_ascii = [s is not None and min(s) >= 0x80 for s in sets]
        pair = any(a and b for a, b in zip(non_ascii, non_ascii[1:]))
        single = any(s is not None and s <= singles for s in sets)
        assert pair or single, branch


def _mojibake(rng: random.Random, word: str) -> str:
    encoding = rng.choice(["cp1252", "latin-1", "mac_roman", "cp1251", "cp1253", "cp1257", "cp437"])
    return word.encode("utf-8").decode(encoding, errors="replace")


WORDS = [
    "café", "Müller", "naïve", "façade", "Ångström", "résumé", "Œuvre", "cœur", "“quoted”", "O’Keeffe", "–", "—",
    "€5", "£3", "±2", "½", "Straße", "Łódź", "Ελλάδα", "Москва", "北京市", "カタカナ", "ｶﾀｶﾅ", "ＡＢＣ１", "한국어",
    "\u1100\u1161", "e\u0301", "A\u030a", "\u212b", "ﬁne", "\u0132", "a\x85b", "x\x1by", "a\u2028b", "\x9d", "Ã ", "Â ",
    "Ã©", "â€™", "Ã¼", "naÃ¯ve", "cafÃ©", "ÃƒÂ©", "Ð¼Ð¾", "× ²", "√±", "вЂ", "\ufffd", "¡Hola!", "©2020", "№5", "°C",
    "plain", "text", "42", "a.b", "x--y",
]  # fmt: skip


def _corpus(seed: int = 7, n: int = 1500) -> list[str]:
    rng = random.Random(seed)
    alphabet = sorted({c for w in WORDS for c in w} | set("abcXYZ .,!?-:;'\"0129"))
    out = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.4:
            out.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6))))
        elif kind < 0.7:
            out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))))
        else:
            out.append(" ".join(_mojibake(rng, rng.choice(WORDS[:30])) for _ in range(rng.randint(1, 4))))
    return out


CORPUS = _corpus()


def test_the_filters_hold_on_a_varied_corpus() -> None:
    # every value ftfy calls bad is one the filter finds, in Python and in Arrow's RE2 alike; RE2 and Python agree
    arr = pa.array(CORPUS, pa.large_string())
    re2 = pc.match_substring_regex(arr, MAY_BE_BAD_RE).to_pylist()
    py = [text._MAY_BE_BAD.search(v) is not None for v in CORPUS]
    assert re2 == py
    bad = [ftfy.badness.is_bad(v) for v in CORPUS]
    assert sum(bad) > 200 and sum(py) > sum(bad)  # the corpus has both kinds, and the filter is not exact
    assert all(f for f, b in zip(py, bad) if b)
    assert [text._is_bad(v) for v in CORPUS] == bad
    unsafe = pc.match_substring_regex(arr, NFC_UNSAFE_RE).to_pylist()
    assert all(u for u, v in zip(unsafe, CORPUS) if not unicodedata.is_normalized("NFC", v))


def test_no_character_below_u0300_changes_or_composes_under_nfc() -> None:
    for c in range(0x300):
        assert unicodedata.combining(chr(c)) == 0 and unicodedata.is_normalized("NFC", chr(c)), hex(c)
    for c in range(0x110000):
        parts = unicodedata.decomposition(chr(c)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):  # a canonical pair: its second character can compose
            assert int(parts[1], 16) >= 0x300, hex(c)


def _old_style(monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-value path as it was: every value with a non-printable-ASCII character handed to ``_unicode``, and
    ``ftfy.badness.is_bad`` asked of every value ``repair_unicode`` and ``_unicode_kinds`` look at."""
    monkeypatch.setattr(text, "_is_bad", ftfy.badness.is_bad)
    monkeypatch.setattr(text, "_unicode_candidates", lambda arr, options: pc.match_substring_regex(arr, text._FTFY_NEEDED))


OPTIONS = [
    TextOptions(),
    TextOptions(fold_quotes=True),
    TextOptions(fold_ligatures=True, fold_quotes=True),
    TextOptions(fold_width=True),
    TextOptions(strip_html=False, whitespace=False, urls="keep", emails="keep", phones="keep"),
]


@pytest.mark.parametrize("options", OPTIONS, ids=["default", "quotes", "ligatures", "width", "ftfy-only"])
def test_the_column_path_equals_the_old_per_value_path(options: TextOptions, monkeypatch: pytest.MonkeyPatch) -> None:
    values = CORPUS + [None, "", "plain ascii", "tab\there"]
    arr = pa.array(values, pa.large_string())
    new = normalize_column(arr, options)
    new_single = [None if v is None else normalize_text(v, options) for v in values]
    with monkeypatch.context() as m:
        _old_style(m)
        old = normalize_column(arr, options)
        old_single = [None if v is None else normalize_text(v, options) for v in values]
    assert new.values.to_pylist() == old.values.to_pylist() == new_single == old_single
    assert sorted(new.changed) == sorted(old.changed) and sorted(new.masked) == sorted(old.masked)
    assert "mojibake" in new.changed and new.changed["mojibake"].sum() > 200
    for kind in old.changed:
        assert np.array_equal(new.changed[kind], old.changed[kind]), kind
    for kind in old.masked:
        assert np.array_equal(new.masked[kind], old.masked[kind]), kind


def test_accented_text_is_not_handed_to_ftfy(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    asked: list[str] = []
    real, real_bad = text._unicode, ftfy.badness.is_bad
    monkeypatch.setattr(text, "_unicode", lambda v, options: seen.append(v) or real(v, options))
    monkeypatch.setattr(ftfy.badness, "is_bad", lambda v: asked.append(v) or real_bad(v))
    values = ["café crème", "Zürich – Genève", "O’Keeffe", "plain", "cafÃ© crÃ¨me", "Ａ１", "e\u0301", "x\u0085y", "北京"]
    out = normalize_column(pa.array(values, pa.large_string()), TextOptions(whitespace=False))
    # below U+0300 and no ftfy character: not handed over; '–', '’' (U+2013, U+2019) are, but is_bad is not asked
    assert seen == ["Zürich – Genève", "O’Keeffe", "cafÃ© crÃ¨me", "Ａ１", "e\u0301", "x\u0085y", "北京"]
    assert asked[0] == "cafÃ© crÃ¨me" and "北京" in asked and not {"Zürich – Genève", "O’Keeffe", "e\u0301"} & set(asked)
    assert out.values.to_pylist() == ["café crème", "Zürich – Genève", "O’Keeffe", "plain", "café crème", "Ａ１", "é", "x\ny", "北京"]  # a NEL between letters is a line break (breaker13 F12), never ftfy's cp1252 "…"
    assert np.flatnonzero(out.changed["mojibake"]).tolist() == [4]  # the NEL is read before ftfy's is_bad sees it
    assert np.flatnonzero(out.changed["line_breaks"]).tolist() == [7]
    assert np.flatnonzero(out.changed["nfc"]).tolist() == [6]


def test_is_bad_is_asked_only_where_the_filter_finds_its_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    real = ftfy.badness.is_bad
    monkeypatch.setattr(ftfy.badness, "is_bad", lambda v: asked.append(v) or real(v))
    assert text.repair_unicode("café – naïve") == "café – naïve"
    assert asked == []
    assert text.repair_unicode("cafÃ© – naÃ¯ve") == "café – naïve"
    assert asked[:1] == ["cafÃ© – naÃ¯ve"]
    asked.clear()
    text.repair_unicode("Ã x")  # one non-ASCII character, but one is_bad needs ('^[ÃÂ][ ]' and others)
    assert asked == ["Ã x"]
