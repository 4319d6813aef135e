"""Phone masking after breaker13 F10 (phone17): valid numbers a reader takes for phone numbers were left unmasked.

``ref +44 20 7946 0000 ok``: the label rule (``ref``, ``order``, ``serial``...) made any number after it another
identifier, even one written with '+' or a bracket, which only a phone number is written with; now a label leaves only
such a number without '+' and bracket as written. ``call +1 212 555 0100/0101``: a number followed by '/' counted as
glued to a path or a code; now alternate endings after the slash (numbers sharing a prefix) are masked with it, a
second number after the slash is masked too, and a number with '+' or a bracket is masked whatever follows the slash.
A mask keeps no ``__raw``, so the negatives (dates, ids, amounts, ISBNs, order numbers, paths) must stay as written.
"""

from __future__ import annotations

import random

import phonenumbers
import pyarrow as pa
import pytest
import test_text_phone_corpus as reference

from headwater.clean.text import normalize_column, normalize_text, phone_spans, replace_pii
from headwater.config.text import TextOptions


def _both(value: str, region: str = "US") -> str:
    """``value`` masked per value (``replace_pii``, ``normalize_text``) and in a column: all must agree."""
    one = replace_pii(value, "phones", "mask", False, region)
    options = TextOptions(whitespace=False, phone_region=region)
    assert normalize_text(value, options) == one
    column = normalize_column(pa.array(["plain words"] * 3 + [value], pa.large_string()), options)
    assert column.values.to_pylist()[-1] == one
    return one


def test_the_breaker13_examples_are_masked() -> None:
    assert phone_spans("ref +44 20 7946 0000 ok") == [(4, 20)]
    assert _both("ref +44 20 7946 0000 ok") == "ref [PHONE] ok"
    assert phone_spans("call +1 212 555 0100/0101") == [(5, 25)]  # both numbers, one span
    assert _both("call +1 212 555 0100/0101") == "call [PHONE]"


NUMBERS = ["+1 212 555 0100", "+44 20 7946 0000", "+33 1 23 45 67 89", "+49 30 1234567", "+81 3 1234 5678", "+81 90-1234-5678"]
AROUND = [  # (text around the number, masked): what follows it, what is before it, two of them
    ("ref {} ok", "ref [PHONE] ok"),
    ("Ref: {}, thanks", "Ref: [PHONE], thanks"),
    ("order #{}", "order #[PHONE]"),
    ("invoice no. {};", "invoice no. [PHONE];"),
    ("serial {}.", "serial [PHONE]."),
    ("call {} ok", "call [PHONE] ok"),
    ("call {}, ok", "call [PHONE], ok"),
    ("call {}; ok", "call [PHONE]; ok"),
    ("(call {})", "(call [PHONE])"),
    ("call me at {}.", "call me at [PHONE]."),
    ("call {} x123", "call [PHONE]"),
    ("call {} ext. 12", "call [PHONE]"),
    ("call ({}) now", "call ([PHONE]) now"),
    ("({})", "([PHONE])"),
    ("call [{}]", "call [[PHONE]]"),
    ("call \uff08{}\uff09", "call \uff08[PHONE]\uff09"),
    ("tel:{}", "tel:[PHONE]"),
    ("call {} or {}", "call [PHONE] or [PHONE]"),
    ("call {}/{}", "call [PHONE]/[PHONE]"),
    ("ref {}/", "ref [PHONE]/"),
    ("call {}/ or email", "call [PHONE]/ or email"),
    ("call {}/XL", "call [PHONE]/XL"),  # a '+': a phone number whatever follows the slash
    ("ref {} / order 5520", "ref [PHONE] / order 5520"),
]


@pytest.mark.parametrize("number", NUMBERS)
@pytest.mark.parametrize(("around", "masked"), AROUND)
def test_a_number_written_with_a_plus_is_masked_wherever_it_stands(number: str, around: str, masked: str) -> None:
    assert _both(around.format(number, number)) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [  # a bracket is phone writing too; full-width digits and plus sign
        ("ref (212) 555-0100 ok", "ref [PHONE] ok"),
        ("order (415) 555-2671.", "order [PHONE]."),
        ("account +44 (0)20 7946 0000", "account [PHONE]"),
        ("ticket \uff0b\uff14\uff14 \uff12\uff10 \uff17\uff19\uff14\uff16 \uff10\uff10\uff10\uff10", "ticket [PHONE]"),
        ("call ((212) 555-0100)", "call ([PHONE])"),
    ],
)
def test_a_labelled_number_with_a_bracket_is_masked(value: str, masked: str) -> None:
    assert _both(value) == masked


@pytest.mark.parametrize(
    ("value", "masked", "region"),
    [  # alternate endings after a '/': the same number with its last digits replaced, valid: masked with it
        ("call +1 212 555 0100/0101", "call [PHONE]", "US"),
        ("call +1 212 555 0100/01", "call [PHONE]", "US"),
        ("call 212-555-0100/0101 today", "call [PHONE] today", "US"),
        ("call (212) 555-0100/1", "call [PHONE]", "US"),
        ("call 2125550100/0101", "call [PHONE]", "US"),
        ("call +1 212 555 0100/0101/0102.", "call [PHONE].", "US"),
        ("call +1 212 555 0100/0101, or 212-555-0199", "call [PHONE], or [PHONE]", "US"),
        ("call +44 20 7946 0000/0001, ok", "call [PHONE], ok", "US"),
        ("ring 020 7946 0000/0001 today", "ring [PHONE] today", "GB"),
        ("call +33 1 23 45 67 89/90", "call [PHONE]", "US"),
        ("appelez 01 23 45 67 89/90", "appelez [PHONE]", "FR"),
        ("call +49 30 1234567/8", "call [PHONE]", "US"),
        ("Tel. 030 1234567/68", "Tel. [PHONE]", "DE"),
        ("call +81 3 1234 5678/79", "call [PHONE]", "US"),
        ("call +1 212 555 0100 x12/13", "call [PHONE]", "US"),  # an extension's alternate
        ("call \uff0b\uff11 \uff12\uff11\uff12 \uff15\uff15\uff15 \uff10\uff11\uff10\uff10/\uff10\uff11\uff10\uff11", "call [PHONE]", "US"),
        # a second whole number after the slash: both masked
        ("call +1 212 555 0100/+1 212 555 0199", "call [PHONE]/[PHONE]", "US"),
        ("call 212-555-0100/212-555-0199", "call [PHONE]/[PHONE]", "US"),
        ("call +1 212 555 0100/212 555 0199", "call [PHONE]/[PHONE]", "US"),
        ("tel 212-555-0100/ fax 212-555-0199", "tel [PHONE]/ fax [PHONE]", "US"),
        ("+33 1 23 45 67 89/+49 30 1234567", "[PHONE]/[PHONE]", "US"),
        # no alternate (four digits after a two-digit group, five digits, a letter): the '+' number alone
        ("call +33 1 23 45 67 89/0101", "call [PHONE]/0101", "US"),
        ("call +33 1 23 45 67 89/901", "call [PHONE]/901", "US"),
        ("call +1 212 555 0100/12345", "call [PHONE]/12345", "US"),
        ("call +1 212 555 0100/0101x", "call [PHONE]/0101x", "US"),
    ],
)
def test_a_number_followed_by_a_slash(value: str, masked: str, region: str) -> None:
    assert _both(value, region) == masked


@pytest.mark.parametrize(
    "value",
    [  # labelled numbers without '+' or bracket, dates, ids, amounts, ISBNs, paths and codes: as written
        "serial 415 555 2671",
        "order 212-555-0100",
        "ref 212.555.0100 ok",
        "order no. 2125550100",
        "invoice 212-555-0100/0101",  # labelled: the alternates too
        "order 212-555-0100/212-555-0199",
        "ref 415 555 2671.50",
        "ISBN 978-3-16-148410-0",
        "ISBN 978-0-306-40615-7/8",
        "ref 20240305",
        "ref 2024-03-05/06",
        "shipped 2024/03/05",
        "on 05/03/2024 and 2024-03-05",
        "paid 415-555-2671.50/2 USD",
        "paid 2125550100/0101",  # a bare run with no phone word
        "call 212-555-0100/XL",
        "see example.com/p/212-555-0100/reviews",
        "id_4155552671/2065550123",
        "call 212-555-0100/12345",
        "call 212-555-0100/0101x",
        "call 212-555-0100/01.50",
        "SKU 800-555-1234/0101-XL",
        "v2.3.1/4155552671",
        "total 1,234.56/0101",
    ],
)
def test_what_is_no_phone_number_stays(value: str) -> None:
    assert phone_spans(value) == []
    assert _both(value) == value


def test_a_value_that_is_one_number_and_its_alternates_is_a_contact_field() -> None:
    options = TextOptions(whitespace=False)
    assert normalize_text("+1 212 555 0100/0101", options) == "+1 212 555 0100/0101"
    assert normalize_text(" (212) 555-0100/01 ", options) == " (212) 555-0100/01 "
    masked = TextOptions(whitespace=False, mask_field_values=True)
    assert normalize_text("+1 212 555 0100/0101", masked) == "[PHONE]"
    assert normalize_text(" (212) 555-0100/01 ", masked) == " [PHONE] "
    column = normalize_column(pa.array(["plain"] * 3 + ["+1 212 555 0100/0101", "212-555-0100/212-555-0199"], pa.large_string()), options)
    assert column.values.to_pylist()[-2:] == ["+1 212 555 0100/0101", "[PHONE]/[PHONE]"]  # two numbers: no contact field


def _slash_and_label_texts(size: int, seed: int) -> list[str]:
    """Written numbers of every region (valid, or with a digit changed) with a label or a phone word before them,
    brackets around them, and a '/' and digits, letters, another number or nothing after them."""
    rng = random.Random(seed)
    numbers = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        number = phonenumbers.example_number(region)
        if number is None:
            continue
        for fmt in (phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.NATIONAL, phonenumbers.PhoneNumberFormat.E164):
            numbers.append(phonenumbers.format_number(number, fmt))
    tails = ["/0101", "/01", "/1", "/9", "/12345", "/XL", "/", "/ ", "/0101/0102", "/0101x", "/01.50", "/2024-05", " x12/13", ",", ".", ""]
    texts = []
    for _ in range(size):
        number = rng.choice(numbers)
        if rng.random() < 0.2:
            number = number[:-1] + str(rng.randrange(10))
        tail = rng.choice(tails + ["/" + rng.choice(numbers)])
        lead = rng.choice(["", "call ", "ref ", "order #", "Tel. ", "serial no. ", "see "])
        written = rng.choice(["{}", "({})", "[{}]", "{}"]).format(number + tail)
        texts.append(lead + written + rng.choice(["", " ok", " now.", ")"]))
    return texts


@pytest.mark.parametrize("region", ("US", "GB", "DE"))
def test_phone_spans_equal_the_reference_on_generated_slashes_and_labels(region: str) -> None:
    """phone_spans against the corpus test's reference (libphonenumber's own matcher and ``is_valid_number``, the rules
    written again) on texts made to reach every new branch; the branches are counted, so none goes untested."""
    texts = _slash_and_label_texts(3000, seed=len(region) * 17)
    new = [phone_spans(t, region) for t in texts]
    assert new == [reference._reference_spans(t, region) for t in texts]
    ends = [(t, s) for t, spans in zip(texts, new) for s in spans]
    assert sum(t[s[0] : s[1]].endswith(("/0101", "/0102", "/01", "/1", "/9", "x12/13")) for t, s in ends) > 100  # alternates
    assert sum(t[s[0] - 1 : s[0]] == "/" for t, s in ends) > 30  # a second number after a slash
    assert sum(t[s[0] - 1 : s[0]] in "([" and t[s[0]] == "+" for t, s in ends) > 100  # an unclosed bracket left out
    assert sum(t[s[1] : s[1] + 1] == "/" for t, s in ends) > 100  # a number before a slash, alone
    assert sum(t.startswith(("ref ", "order #", "serial no. ")) for t, spans in zip(texts, new) if spans) > 300
