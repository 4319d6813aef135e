"""phone_spans remembers each candidate's verdict across values (text._CachedMatcher): the spans stay libphonenumber's."""

import phonenumbers
import pytest

from headwater.clean import text
from headwater.clean.text import phone_spans


@pytest.fixture(autouse=True)
def _empty_cache():
    text._VERIFIED.clear()
    yield
    text._VERIFIED.clear()


def _library(value: str, region: str = "US") -> list[tuple[int, int]]:
    return [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(value, region, leniency=phonenumbers.Leniency.VALID)]


def test_a_candidate_seen_after_a_space_is_still_rejected_after_a_currency_sign() -> None:
    # the library rejects a number right after '$' or a Latin letter; Headwater's own glue check lets '$' through,
    # so a verdict remembered without the characters around the candidate would mask '$415-555-2671'
    assert phone_spans("call 415-555-2671 now") == [(5, 17)]
    assert phone_spans("$415-555-2671 now") == []
    assert phone_spans("€415-555-2671") == []
    assert phone_spans("call 415-555-2671 now") == [(5, 17)]  # from the cache, same span


def test_a_candidate_seen_first_where_it_is_rejected_is_found_where_it_is_valid() -> None:
    assert phone_spans("é415-555-2671") == []
    assert phone_spans("415-555-2671") == [(0, 12)]
    assert phone_spans("tel 415-555-2671") == [(4, 16)]


def test_region_is_part_of_the_verdict() -> None:
    assert phone_spans("ring 020 7946 0958 today", "US") == []
    assert phone_spans("ring 020 7946 0958 today", "GB") == [(5, 18)]
    assert phone_spans("ring 020 7946 0958 today", "US") == []


@pytest.mark.parametrize(
    ("value", "spans"),
    [
        ("+1 (554) 991-8809 or 20 and +44 20 7946 0958", [(28, 44)]),
        ("15.08.2021", []),
        ("15.08.2021 then 15.08.2021", []),
        ("call 415-555-2671x", []),
        ("+44 20 6662 8102 and +44 20 7946 0958, +1 (415) 555-2671", [(21, 37), (39, 56)]),
        ("order 415 555 2671; serial 212-555-0100; 650 253 0000", [(41, 53)]),
    ],
)
def test_spans_are_the_same_from_the_cache(value: str, spans: list[tuple[int, int]]) -> None:
    assert phone_spans(value) == spans
    assert phone_spans(value) == spans  # every candidate's verdict now from the cache
    assert set(spans) <= set(_library(value))  # a subset of libphonenumber's own matches (labelled, glued ones out)


def test_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "_VERIFIED_MAX", 3)
    for n in range(10):
        phone_spans(f"call 415-555-26{n:02d} or 20")
    assert len(text._VERIFIED) <= 3
    assert phone_spans("call 415-555-2671 now") == [(5, 17)]
