"""The faster valid-number verdict (headwater.clean.phone_valid) and the matcher built on it (text._CachedMatcher) give
libphonenumber's own answers (issue 15, spt13): the verdict equals ``phonenumbers.is_valid_number`` number by number, and
the matches, the spans ``phone_spans`` keeps and the masked texts equal those of the library's own
``PhoneNumberMatcher._parse_and_verify`` on a corpus of note texts like the bench file's and invented hard cases."""

from __future__ import annotations

import random

import phonenumbers
import pyarrow as pa
import pytest

from headwater.clean import phone_valid, text
from headwater.clean.text import normalize_column, phone_spans, replace_pii
from headwater.config.text import TextOptions

REGIONS = ("US", "GB", "DE", "FR", "JP")


@pytest.fixture(autouse=True)
def _empty_cache():
    text._VERIFIED.clear()
    yield
    text._VERIFIED.clear()


def _number(country_code: int, nsn: str) -> phonenumbers.PhoneNumber:
    number = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(nsn))
    zeros = len(nsn) - len(nsn.lstrip("0"))
    if zeros:
        number.italian_leading_zero = True
        number.number_of_leading_zeros = zeros if zeros < len(nsn) else len(nsn) - 1
    return number


def _national_numbers(seed: int = 5) -> list[tuple[int, str]]:
    """Every region's (and non-geographic code's) example numbers of every type, and six changed copies of each: a
    digit replaced, one added, one dropped, random digits of a random length."""
    rng = random.Random(seed)
    out = []
    for code, regions in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()):
        for region in regions:
            for kind in range(12):
                if region == "001":
                    example = phonenumbers.example_number_for_non_geo_entity(code) if kind == 0 else None
                else:
                    example = phonenumbers.example_number_for_type(region, kind)
                if example is None:
                    continue
                nsn = phonenumbers.national_significant_number(example)
                out.append((code, nsn))
                for _ in range(6):
                    digits = list(nsn)
                    change = rng.randrange(4)
                    if change == 0:
                        digits[rng.randrange(len(digits))] = str(rng.randrange(10))
                    elif change == 1:
                        digits.insert(rng.randrange(len(digits) + 1), str(rng.randrange(10)))
                    elif change == 2 and len(digits) > 2:
                        del digits[rng.randrange(len(digits))]
                    else:
                        digits = [str(rng.randrange(10)) for _ in range(rng.randrange(2, 16))]
                    out.append((code, "".join(digits)))
    # NANP: every area code once, and short pieces (the matcher's inner matches)
    out += [(1, f"{a}{rng.randrange(200, 1000)}{rng.randrange(10000):04d}") for a in range(100, 1000)]
    out += [(1, str(rng.randrange(10 ** (n - 1), 10**n))) for n in range(1, 10) for _ in range(20)]
    return out


def test_valid_number_equals_the_library_number_by_number() -> None:
    numbers = [_number(code, nsn) for code, nsn in _national_numbers()]
    ours = [phone_valid.valid_number(n) for n in numbers]
    library = [phonenumbers.is_valid_number(n) for n in numbers]
    assert ours == library
    assert len(numbers) > 10000 and 2000 < sum(library) < len(numbers) - 2000  # both verdicts, many times


@pytest.mark.parametrize(
    ("code", "nsn", "valid"),
    [
        (1, "4155552671", True),  # US, found by its own type test
        (1, "2684601234", True),  # Antigua: found by its leading digits (268)
        (1, "2682001234", False),  # Antigua's leading digits, no Antigua type: the loop stops there, invalid
        (1, "5545551234", False),  # no region: area code 554
        (1, "5195", False),  # a four-digit piece: no NANP length
        (44, "2079460958", True),
        (44, "2023851234", False),  # London, outside the allocated ranges
        (44, "7624123456", True),  # Isle of Man mobile: IM's leading digits
        (49, "30123456", True),
        (33, "612345678", True),
        (81, "312345678", True),
        (800, "12345678", True),  # non-geographic: International Freephone
        (999, "1234567", False),  # no such calling code
    ],
)
def test_valid_number_examples(code: int, nsn: str, valid: bool) -> None:
    number = _number(code, nsn)
    assert phonenumbers.is_valid_number(number) is valid
    assert phone_valid.valid_number(number) is valid


def _nanp(rng: random.Random) -> str:
    """A number as the bench generator writes one (bench/generate.py ``_phone``): random area and exchange codes."""
    a, b, c = rng.randrange(200, 999), rng.randrange(200, 999), rng.randrange(1000, 9999)
    return [f"+1 ({a}) {b}-{c}", f"{a}-{b}-{c}", f"+44 20 {b}{c % 10} {c}"][rng.randrange(3)]


HARD = [
    "+1 415 555 2671 ext. 12", "415-555-2671 x123", "(415) 555-2671 #7", "+1-415-555-2671;ext=55", "212 555 0100 ext 9",
    "+44 20 7946 0958", "+44 (0) 20 7946 0958", "020 7946 0958", "+44 7700 900123", "+44 1624 123456",
    "+49 30 123456", "+49 (0)30 1234 5678", "030 12345678", "+49 151 23456789", "0049 30 123456",
    "+33 6 12 34 56 78", "+33 1 42 68 53 00", "01 42 68 53 00", "0033 1 42 68 53 00",
    "+81 3-1234-5678", "+81 90 1234 5678", "03-1234-5678", "090-1234-5678",
    "+1 (554) 991-8809", "+1 (123) 456-7890", "(911) 555-0100", "555-123-4567", "+44 20 2385 9315",
    "1-800-FLOWERS", "1-800-356-9377", "+1 800 GOT JUNK", "1 (800) MY-APPLE", "call 1-800-SHOP-NOW",
    "+7 495 123-45-67", "+39 06 6988 1234", "+262 269 12 34 56", "+800 1234 5678", "+1 268 460 1234", "+1 876 555 1234",
    "4155552671", "+14155552671", "\uff14\uff11\uff15-\uff15\uff15\uff15-\uff12\uff16\uff17\uff11",
    "\u0664\u0661\u0665-\u0665\u0665\u0665-\u0662\u0666\u0667\u0661", "415\u2010555\u20102671", "415/555-2671",
]  # fmt: skip
CONTEXT = [
    "2024-03-05", "05/03/2024", "15.08.2021", "20240305 14", "2024-03-05 14.30", "$1,234.56", "4,178.86", "12%",
    "415-555-2671.50 USD", "C-0114346", "SKU-800.555.1234", "order 415 555 2671", "ISBN 978-3-16-148410-0", "#42",
    "id=4155552671", "2147483648 bytes", "v2.3.1", "211-227 (2003)", "pp. 12-15 (3)", "10:30", "ann@x.org", "é", "东京",
]  # fmt: skip
WORDS = "ka lo mi ne su ta ri po ve da lu ge mo sa fi no be ra to li call tel mobile phone or and at".split()


def corpus(size: int, seed: int = 11) -> list[str]:
    """``size`` note texts: the bench's (words, one generated number, sometimes markup) and hard cases around dates,
    amounts and ids; each holds a phone-shaped run."""
    rng = random.Random(seed)
    texts = []
    for k in range(size):
        words = [rng.choice(WORDS) for _ in range(rng.randrange(2, 12))]
        numbers = [_nanp(rng) if k % 2 == 0 else rng.choice(HARD)] + [rng.choice(HARD + [_nanp(rng)]) for _ in range(rng.randrange(0, 2))]
        for piece in numbers + [rng.choice(CONTEXT) for _ in range(rng.randrange(0, 3))]:
            words.insert(rng.randrange(len(words) + 1), piece)
        glue = rng.choice([" ", " ", " ", ", ", "; ", "\n", ": ", " - ", "/"])
        texts.append(glue.join(words))
    return texts


def _library_matches(value: str, region: str) -> list[tuple[int, str, phonenumbers.PhoneNumber]]:
    return [(m.start, m.raw_string, m.number) for m in phonenumbers.PhoneNumberMatcher(value, region, leniency=phonenumbers.Leniency.VALID)]


@pytest.mark.parametrize("region", REGIONS)
def test_matches_equal_the_library_matcher(region: str) -> None:
    texts = corpus(6000, seed=len(region) + ord(region[1]))
    ours = [[(m.start, m.raw_string, m.number) for m in text._CachedMatcher(t, region, leniency=phonenumbers.Leniency.VALID)] for t in texts]
    assert ours == [_library_matches(t, region) for t in texts]
    assert sum(map(bool, ours)) > 1500 and sum(not o for o in ours) > 300  # numbers found, and texts without


def test_phone_spans_and_masks_equal_the_library_path(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = corpus(6000)
    spans = [phone_spans(t) for t in texts]
    masked = [replace_pii(t, "phones", "mask", True) for t in texts]
    column = normalize_column(pa.array(texts), TextOptions(mask_field_values=True))
    monkeypatch.setattr(text, "_FAST_VERIFY", False)  # the library's own _parse_and_verify
    text._VERIFIED.clear()
    assert spans == [phone_spans(t) for t in texts]
    assert masked == [replace_pii(t, "phones", "mask", True) for t in texts]
    text._VERIFIED.clear()
    reference = normalize_column(pa.array(texts), TextOptions(mask_field_values=True))
    assert column.values.equals(reference.values)
    assert column.masked.keys() == reference.masked.keys() and all((column.masked[k] == reference.masked[k]).all() for k in column.masked)
    assert 2500 < sum(map(bool, spans)) < 5800
    assert sum("[PHONE]" in m for m in masked) == sum(map(bool, spans))


@pytest.mark.parametrize(
    ("value", "spans"),
    [
        ("call +1 (554) 991-8809 or +1 (415) 555-2671", [(26, 43)]),  # the invalid area code's pieces are rejected
        ("ref 5195 and 958-8269 then 212-555-0100", [(27, 39)]),  # short pieces: rejected before parse
        ("ring 1-800-FLOWERS today", []),  # a vanity number: the matcher's candidates hold no letters, nothing found
        ("+44 20 2385 9315 / +44 20 7946 0958", [(19, 35)]),
        ("tel 030 12345678", []),  # German national number, read in the US: invalid there
    ],
)
def test_examples(value: str, spans: list[tuple[int, int]], monkeypatch: pytest.MonkeyPatch) -> None:
    assert phone_spans(value) == spans
    monkeypatch.setattr(text, "_FAST_VERIFY", False)
    text._VERIFIED.clear()
    assert phone_spans(value) == spans


def test_the_short_candidate_bound_holds_for_every_region_example() -> None:
    # no valid number written in any of libphonenumber's formats holds fewer digits than phone_min_digits of the region
    # it is read in (the bound the matcher's rejection before parse rests on)
    for region in REGIONS:
        bound = text.phone_min_digits(region)
        for other in sorted(phonenumbers.SUPPORTED_REGIONS):
            for kind in range(12):
                example = phonenumbers.example_number_for_type(other, kind)
                if example is None:
                    continue
                for fmt in (phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.NATIONAL):
                    written = phonenumbers.format_number(example, fmt)
                    for m in phonenumbers.PhoneNumberMatcher(written, region, leniency=phonenumbers.Leniency.VALID):
                        assert len(text._PN_DIGIT.findall(m.raw_string)) >= bound or text._PN_LETTER.search(m.raw_string), (region, written)


def test_decimal_ranges_read_with_one_search_equal_the_code_point_test() -> None:
    # the pre-filter's digit class (text.phone_candidate_re): every non-ASCII str.isdecimal character, built faster
    fast = text._decimal_ranges_searched()
    assert fast == text._decimal_ranges_by_code_point()
    assert "\uff10-\uff19" in fast and "\u0660-\u0669" in fast and "\U0001d7ce-\U0001d7ff" in fast


def _shaped(rng: random.Random) -> str:
    """A candidate in one of text._known_parse's shapes (or near one): random digits and separators."""
    d = lambda n, first="0123456789": rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))  # noqa: E731
    sep = lambda: rng.choice(["", " ", ".", "-", "  ", " - ", ") ", "("])  # noqa: E731
    kind = rng.randrange(5)
    if kind == 0:
        return rng.choice(["(", ""]) + d(3, "0123456789") + rng.choice([")", ""]) + sep() + d(3) + sep() + d(4)
    if kind == 1:
        return d(3, "0123456789") + sep() + d(4)
    if kind == 2:
        return "+1" + rng.choice(["", " ", "   ", " (", "("]) + d(3, "0123456789") + sep() + d(3) + sep() + d(4)
    if kind == 3:
        return "+44" + rng.choice(["", " ", "  ", " (0) "]) + d(2, "0123456789") + sep() + d(4) + sep() + d(4)
    return rng.choice(["+1", "+44", "+4", "+14", "+441"]) + sep() + "".join(rng.choice("0123456789 .-()") for _ in range(rng.randrange(1, 16)))


@pytest.mark.parametrize("region", ["US", "GB", "DE"])
def test_known_parse_is_what_parse_gives(region: str) -> None:
    # the candidates whose parse the matcher does not run when the number is invalid: parse gives exactly that number
    rng = random.Random(ord(region[0]))
    known = 0
    for _ in range(20000):
        candidate = _shaped(rng)
        claim = text._known_parse(candidate, region)
        if claim is None:
            continue
        known += 1
        try:
            number = phonenumbers.parse(candidate, region, keep_raw_input=True)
        except phonenumbers.NumberParseException:
            continue
        assert (number.country_code, phonenumbers.national_significant_number(number)) == claim, candidate
        assert phone_valid.valid_national(*claim) == phonenumbers.is_valid_number(number), candidate
    assert known > 5000


def _valid_known(rng: random.Random) -> str:
    """A candidate of a text._known_parse shape that is likelier valid: an area or London code people use, random rest."""
    area, b, c = rng.randrange(200, 1000), rng.randrange(200, 1000), rng.randrange(10000)
    sep = lambda: rng.choice(["", " ", ".", "-", " - ", "  "])  # noqa: E731
    return rng.choice([
        f"({area}) {b}-{c:04d}", f"{area}{sep()}{b}{sep()}{c:04d}", f"+1 ({area}) {b}-{c:04d}", f"+1{sep()}{area}{sep()}{b}{sep()}{c:04d}",
        f"+1({area}){b}{c:04d}", f"+44 20 {b}{c % 10} {c:04d}", f"+44{sep()}20{sep()}{rng.randrange(3, 9)}{b % 1000:03d}{sep()}{c:04d}",
        f"+44 ({rng.choice(['1', '2', '7'])}{b}) {c:04d}{rng.randrange(10)}{rng.randrange(10)}", f"+44 7{b}{sep()}{c:04d}{rng.randrange(10)}{rng.randrange(10)}",
    ])  # fmt: skip


@pytest.mark.parametrize("region", ["US", "GB", "DE", "JP"])
def test_known_number_is_what_parse_gives_for_a_valid_number(region: str) -> None:
    # spnorm16: for a known shape whose number is valid the matcher builds parse's number itself (text._known_number);
    # it equals parse's, field by field (raw input, where the code came from), and parse raises for none of them
    rng = random.Random(7 + ord(region[1]))
    valid = 0
    for k in range(20000):
        candidate = _valid_known(rng) if k % 2 else _shaped(rng)
        claim = text._known_parse(candidate, region)
        if claim is None or not phone_valid.valid_national(*claim):
            continue
        valid += 1
        number = phonenumbers.parse(candidate, region, keep_raw_input=True)  # raises for none
        assert text._known_number(candidate, claim) == number, candidate
        assert phonenumbers.is_valid_number(number), candidate
    assert valid > 3000


@pytest.mark.parametrize(
    ("value", "spans"),
    [
        ("call (415) 555-2671 now", [(5, 19)]),  # the US shape, valid: parse not run, the same span
        ("+1 (415) 555-2671, +44 20 7946 0958", [(0, 17), (19, 35)]),
        ("tel:+1.415.555.2671.", [(4, 19)]),  # a full stop after: kept (no amount, no glued code)
        ("x(415) 555-2671", []),  # a Latin letter before it: rejected before the number is built
        ("(415 555-2671)", [(0, 13)]),  # the closing bracket is left out of the candidate: one opened, allowed
        ("+1 (415) 555-2671x", []),  # a letter after it: rejected before the number is built
        ("(415) 555-2671) and (212 555-0100", [(0, 14), (20, 33)]),
        ("", []),
        ("\u0664\u0661\u0665-\u0665\u0665\u0665-\u0662\u0666\u0667\u0661 \u0627\u062a\u0635\u0644", [(0, 12)]),  # Arabic-Indic digits: parse runs
    ],
)
def test_known_valid_shapes_give_the_library_spans(value: str, spans: list[tuple[int, int]], monkeypatch: pytest.MonkeyPatch) -> None:
    ours = [(m.start, m.raw_string, m.number) for m in text._CachedMatcher(value, "US", leniency=phonenumbers.Leniency.VALID)]
    assert phone_spans(value) == spans
    assert ours == _library_matches(value, "US")
    monkeypatch.setattr(text, "_FAST_VERIFY", False)
    text._VERIFIED.clear()
    assert phone_spans(value) == spans


def test_the_stored_setup_tables_are_what_is_read() -> None:
    # spnorm16: the digit class and the international bound are stored for the Unicode version and phonenumbers release
    # they were read from; under those they equal a fresh reading, and the stored entry is the one used
    import unicodedata

    assert unicodedata.unidata_version in text._DECIMAL_RANGES and phonenumbers.__version__ in text._INTERNATIONAL_MIN_DIGITS
    assert text._DECIMAL_RANGES[unicodedata.unidata_version] == text._decimal_ranges_searched() == text._decimal_ranges()
    assert text._INTERNATIONAL_MIN_DIGITS[phonenumbers.__version__] == text._international_min_digits_read() == text._international_min_digits()
    assert [text.phone_min_digits(r) for r in ("US", "GB", "FR", "DE", "GG")] == [6, 6, 6, 4, 3]


def test_another_release_reads_the_tables_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "_DECIMAL_RANGES", {})
    monkeypatch.setattr(text, "_INTERNATIONAL_MIN_DIGITS", {"0.0.1": 1})
    text._decimal_ranges.cache_clear()
    try:
        assert text._decimal_ranges() == text._decimal_ranges_by_code_point()
        assert text._international_min_digits() == 6
    finally:
        text._decimal_ranges.cache_clear()
