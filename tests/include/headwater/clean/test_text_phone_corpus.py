"""phone_spans on a generated corpus: the faster path (libphonenumber's pattern cache, the year check before the date
search) gives the spans of the code it replaced, and what the phone pre-filter lets through (issue 15, phone7).

The corpus: every supported region's example numbers (fixed line, mobile, toll free...) written in libphonenumber's four
formats (E.164, international, national, ``tel:`` RFC 3966) and re-punctuated (dots, slashes, no separators, ``(0)``,
brackets), with extensions, some digits changed (invalid numbers), inside prose next to dates, amounts, ids and URLs.
"""

from __future__ import annotations

import random
import re

import phonenumbers
import pyarrow as pa
import pytest

from headwater.clean import text
from headwater.clean.text import normalize_column, phone_spans
from headwater.config.text import TextOptions

REGIONS = ("US", "GB", "FR", "DE")
TYPES = (
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.VOIP,
)
FORMATS = (
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
    phonenumbers.PhoneNumberFormat.RFC3966,
)
WORDS = "call ring order ref invoice serial on at from to tel fax mobile phone office the and or please".split()
CONTEXT = [
    "2024-03-05", "05/03/2024", "15.08.2021", "20240305 14", "2024-03-05 14.30", "$1,234.56", "4,178.86", "12%",
    "C-0114346", "SKU-800.555.1234", "v2.3.1", "ISBN 978-3-16-148410-0", "https://shop.example.com/p/415555",
    "10:30", "#42", "3/10/2011", "211-227 (2003)", "ann@x.org", "1999", "(2)", "-", "/", "é", "东京",
]  # fmt: skip


def _numbers(rng: random.Random) -> list[str]:
    """Written phone numbers of every supported region, valid ones and ones with a digit changed."""
    out = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in TYPES:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            for fmt in FORMATS:
                written = phonenumbers.format_number(number, fmt)
                out.append(written)
                out.append(_repunctuate(written, rng))
                out.append(re.sub("[0-9]", lambda m: str(rng.randrange(10)), written, count=rng.randrange(1, 4)))
    return out


def _repunctuate(written: str, rng: random.Random) -> str:
    choice = rng.randrange(7)
    if choice == 0:
        return written.replace(" ", ".")
    if choice == 1:
        return written.replace(" ", "")
    if choice == 2:
        return written.replace(" ", "/", 1)
    if choice == 3:
        return re.sub(r"^(\+[0-9]+) ", r"\1 (0) ", written)
    if choice == 4:
        return written + rng.choice([" ext. 12", " x123", " #7", ";ext=55"])
    if choice == 5:
        return re.sub(r"^([0-9]{2,4}) ", r"(\1) ", written)
    return written.replace(" ", "-")


def corpus(size: int, seed: int = 7) -> list[str]:
    """``size`` texts: numbers alone and in prose, with dates, amounts, ids and URLs around them."""
    rng = random.Random(seed)
    numbers = _numbers(rng)
    texts = []
    for _ in range(size):
        parts = [rng.choice(WORDS) for _ in range(rng.randrange(0, 6))]
        for _ in range(rng.randrange(0, 3)):
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(numbers))
        for _ in range(rng.randrange(0, 3)):
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(CONTEXT))
        glue = rng.choice([" ", " ", " ", ", ", "; ", "\n", ": "])
        texts.append(glue.join(parts))
    return texts


def _reference_spans(value: str, region: str) -> list[tuple[int, int]]:
    """phone_spans as it was before phone7 (the date search on every value; libphonenumber without its pattern cache)."""
    spans: list[tuple[int, int]] = []
    dates = [m.span() for m in text._DATE_SHAPE.finditer(value)]
    if dates and text._whole_date(value):
        return spans
    for m in phonenumbers.PhoneNumberMatcher(value, region, leniency=phonenumbers.Leniency.VALID):
        if any(start < m.end and m.start < end for start, end in dates):
            continue
        before, after = value[m.start - 1 : m.start], value[m.end : m.end + 1]
        if (before and (before.isalnum() or before in "-_/.")) or (after and (after.isalnum() or after in "-_/")):
            continue
        if text._PHONE_LABEL.search(value[max(0, m.start - 32) : m.start]):
            continue
        spans.append((m.start, m.end))
    return spans


def test_the_corpus_holds_what_it_should() -> None:
    texts = corpus(3000)
    found = [t for t in texts if phone_spans(t)]
    assert len(set(texts)) > 2800
    assert 1000 < len(found) < 2900  # numbers found, and texts with none
    assert any("tel:+" in t for t in found) and any("(0)" in t for t in found) and any("ext" in t for t in found)
    assert any(text._DATE_SHAPE.search(t) for t in found)


@pytest.mark.parametrize("region", REGIONS)
def test_phone_spans_equal_the_code_they_replaced(region: str, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = corpus(1500, seed=len(region) + ord(region[0]))
    text._VERIFIED.clear()
    new = [phone_spans(t, region) for t in texts]
    monkeypatch.setattr(phonenumbers.re_util, "_COMPILED_PATTERNS", None)  # the library as it runs by default
    old = [_reference_spans(t, region) for t in texts]
    assert new == old
    assert sum(map(bool, new)) > 300


def test_the_year_check_skips_only_values_without_a_date_shape() -> None:
    rng = random.Random(3)
    pieces = ["19", "20", "2024", "1999", "05", "5", "12", ".", "/", "-", " ", "T", "14", "0", "31", "13", "x"]
    values = ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 9))) for _ in range(20000)] + corpus(2000)
    for value in values:
        assert text._date_spans(value) == [m.span() for m in text._DATE_SHAPE.finditer(value)], value
    assert sum(1 for v in values if text._date_spans(v)) > 300


def test_libphonenumber_keeps_its_compiled_patterns() -> None:
    assert phonenumbers.re_util._COMPILED_PATTERNS is not None
    phone_spans("call +44 20 7946 0958 now")
    assert len(phonenumbers.re_util._COMPILED_PATTERNS) > 10


# Numbers phone_spans finds that the pre-filter (PHONE_RE, _PHONE_START) does not let through, so they stay in the
# text unmasked: found by the corpus below while this test file was written, not fixed by phone7 (see its report).
KNOWN_UNMASKED = [
    "call \uff14\uff11\uff15-\uff15\uff15\uff15-\uff12\uff16\uff17\uff11 now",  # full-width digits
    "call \u0664\u0661\u0665-\u0665\u0665\u0665-\u0662\u0666\u0667\u0661 now",  # Arabic-Indic digits
    "call 415\u2010555\u20102671 now",  # U+2010 hyphens
    "call 4155552671 now",
    "call 415/555-2671 now",
    "call 415 5552671 now",
    "ring +44 (0) 20 7946 0958 now",
]


def _masked_by_column(texts: list[str], region: str) -> list[str]:
    options = TextOptions(urls="keep", emails="keep", mask_field_values=True, phone_region=region, whitespace=False)
    return normalize_column(pa.array(texts, pa.large_string()), options).values.to_pylist()


def _masked_by_spans(value: str, region: str) -> str:
    for start, end in reversed(phone_spans(value, region)):
        value = value[:start] + "[PHONE]" + value[end:]
    return value


@pytest.mark.xfail(strict=True, reason="the phone pre-filter misses these numbers (privacy leak, open: phone7 report)")
@pytest.mark.parametrize("value", KNOWN_UNMASKED)
def test_every_number_phone_spans_finds_is_masked(value: str) -> None:
    assert phone_spans(value)
    assert _masked_by_column([value], "US") == [_masked_by_spans(value, "US")]
