"""Issue 15 speed: label_text's translate skipped when no dropped character is present, and the per-text caches of
is_total_label, parse_date and _has_time, each checked against the uncached reference (differential)."""

from __future__ import annotations

import random
import unicodedata

import pytest

from headwater.clean.steps.summary_rows import _LABEL_DROP, is_total_label, label_text
from headwater.clean.values import _has_time, parse_date


def _reference_label_text(value: str) -> str:
    text = unicodedata.normalize("NFKC", value)
    return text if text.isascii() else text.translate(_LABEL_DROP)


def _random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pool = [*_LABEL_DROP, *map(ord, "abcTotal SUMé合计итого ـ０１Ｔｏｔａｌ"), *range(0x0600, 0x0700), 0x1F600, 0x10000, 0xE0041, 0x093E]
    return ["".join(chr(rng.choice(pool)) for _ in range(rng.randint(0, 12))) for _ in range(count)]


def test_label_text_equals_translate_on_random_unicode():
    texts = _random_texts(20_000, 7)
    assert [label_text(t) for t in texts] == [_reference_label_text(t) for t in texts]


@pytest.mark.parametrize("value, expected", [
    ("المجـموع", "المجموع"),  # the tatweel dropped
    ("Total\u200f", "Total"),  # a bidi mark (format character) dropped
    ("Ｔｏｔａｌ", "Total"),  # NFKC: ASCII, nothing to drop
    ("José", "José"),  # non-ASCII, no dropped character: the text itself
    ("", ""),
])
def test_label_text_examples(value, expected):
    assert label_text(value) == expected == _reference_label_text(value)


def test_is_total_label_cached_equals_uncached_and_repeats():
    texts = _random_texts(5_000, 11) + ["Total", "Ｔｏｔａｌ:", "Grand total (EUR)", "итого", "合计", "योगा", "Total\u200f", "José"]
    first = [is_total_label(t) for t in texts]
    again = [is_total_label(t) for t in texts]  # cached answers
    assert first == again == [is_total_label.__wrapped__(t) for t in texts]
    assert is_total_label("Total") and is_total_label("Ｔｏｔａｌ:") and not is_total_label("योगा") and not is_total_label("José")


DATES = ["2024-03-05", "05/03/2024", "03/05/2024", "5 Mar 2024 14.30", "2024-03-05T14:30+01:00[Europe/Berlin]",
         "10:00 EST 5 Mar 2024", "2024-01-05 1000", "March 12 2024", "31/02/2024", "", "abc", "14:30 05/03/2024",
         "2024-03-05T14:30:00Z", "20240115", "01.03.2024", "Mar 5 - 9, 2024"]


@pytest.mark.parametrize("dayfirst", [False, True])
@pytest.mark.parametrize("local", [False, True])
def test_parse_date_cached_equals_uncached(dayfirst, local):
    for _ in range(2):  # the second pass answers from the cache
        for v in DATES:
            got, ref = parse_date(v, dayfirst, local=local), parse_date.__wrapped__(v, dayfirst, local=local)
            assert got == ref and (got is None or got.tzinfo == ref.tzinfo), v
    assert parse_date("05/03/2024", True).month == 3 and parse_date("05/03/2024", False).month == 5


def test_has_time_cached_equals_uncached():
    for _ in range(2):
        for v in DATES:
            if parse_date(v) is not None or parse_date(v, True) is not None:
                assert _has_time(v) == _has_time.__wrapped__(v), v
    assert _has_time("5 Mar 2024 14.30") and not _has_time("2024-03-05")
