"""Phone masking after breaker7 #9 and #19 (phone8): a run of bare digits is a phone number only after a phone word
(counts, byte sizes, amounts and ids in prose stay as written: a mask keeps no ``__raw``), and the decimal-amount
exception is narrowed to a real fraction (``415-555-2671.5pm`` is a number and a full stop typed without its space)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from headwater.clean.text import normalize_column, normalize_text, phone_spans, replace_pii
from headwater.config.text import TextOptions


def _both(value: str) -> str:
    """``value`` masked per value (``replace_pii``, ``normalize_text``) and in a column: all must agree."""
    one = replace_pii(value, "phones", "mask")
    assert normalize_text(value, TextOptions(whitespace=False)) == one
    column = normalize_column(pa.array(["plain words"] * 3 + [value], pa.large_string()), TextOptions(whitespace=False))
    assert column.values.to_pylist()[-1] == one
    return one


# breaker7 #9: every example of the finding, and more of the kind, left as written
NOT_PHONES = [
    "Upload failed: file is 2147483648 bytes, limit is 2147483647",
    "Paid 4155552671 USD by wire",
    "Imported 2125551234 rows in 3 minutes",
    "Error: value 2147483647 out of range for int32",
    "user_id: 4155552671 cannot log in",
    "id=4155552671",
    "total 8005551234 items",
    "Population of 2025550123",
    "downloaded 3105551234 bytes",
    "duration 4155552671 ms",
    "size 4155552671 bytes",
    "amount 4155552671 EUR",
    "2024-03-05T14:30:00 4155552671",
    "date 20240305 4155552671",
    "my number is 4155552671",  # no phone word: a bare run is kept (the cost of not losing counts and ids)
    "4155552671",
    "hotel 4155552671",  # 'tel' inside a word is no cue
    "during 4155552671",  # nor 'ring'
    "iphone 4155552671 order",
    "call center handled 12 tickets, total 4155552671 bytes",  # the cue is more than three words before
]


@pytest.mark.parametrize("value", NOT_PHONES)
def test_a_bare_digit_run_without_a_phone_word_stays_as_written(value: str) -> None:
    assert phone_spans(value) == []
    assert _both(value) == value


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("call me at 4155552671", "call me at [PHONE]"),
        ("Call 4155552671", "Call [PHONE]"),
        ("phone: 4155552671", "phone: [PHONE]"),
        ("Tel. 4155552671", "Tel. [PHONE]"),
        ("tel 4155552671.", "tel [PHONE]."),
        ("mobile 4155552671", "mobile [PHONE]"),
        ("my cell is 4155552671", "my cell is [PHONE]"),
        ("Fax 4155552671", "Fax [PHONE]"),
        ("WhatsApp 4155552671", "WhatsApp [PHONE]"),
        ("SMS 4155552671", "SMS [PHONE]"),
        ("text me 4155552671", "text me [PHONE]"),
        ("ring 4155552671", "ring [PHONE]"),
        ("contact 4155552671", "contact [PHONE]"),
        ("Tél 4155552671", "Tél [PHONE]"),
        ("Telefon: 4155552671", "Telefon: [PHONE]"),
        ("Handy 4155552671", "Handy [PHONE]"),
        ("móvil 4155552671", "móvil [PHONE]"),
        ("teléfono 4155552671", "teléfono [PHONE]"),
        ("\U0001f4de 4155552671", "\U0001f4de [PHONE]"),
        ("call \uff14\uff11\uff15\uff15\uff15\uff15\uff12\uff16\uff17\uff11", "call [PHONE]"),
        ("call 4155552671 or 2065550123", "call [PHONE] or [PHONE]"),
        ("\u0664\u0661\u0665\u0665\u0665\u0665\u0662\u0666\u0667\u0661 \u0627\u062a\u0635\u0644", "[PHONE] \u0627\u062a\u0635\u0644"),  # 'call' after it
        ("4155552671 is my cell", "[PHONE] is my cell"),
        ("4155552671 (mobile)", "[PHONE] (mobile)"),
    ],
)
def test_a_bare_digit_run_after_a_phone_word_is_masked(value: str, masked: str) -> None:
    assert _both(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [  # punctuated like a phone (a separator, '+' or brackets): masked as before, phone word or not
        ("Paid 415-555-2671 USD", "Paid [PHONE] USD"),
        ("size 415 555 2671 bytes", "size [PHONE] bytes"),
        ("Total € 415 555 2671", "Total € [PHONE]"),
        ("id=+14155552671", "id=[PHONE]"),
        ("reach me on (415) 5552671", "reach me on [PHONE]"),
        ("Sent from my iPhone +14155552671", "Sent from my iPhone [PHONE]"),
        ("ph: 415.555.2671", "ph: [PHONE]"),
    ],
)
def test_a_punctuated_number_is_masked_without_a_phone_word(value: str, masked: str) -> None:
    assert _both(value) == masked


# breaker7 #19: a full stop typed without its space, a parenthesised area code: no amount
@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("Call 415-555-2671.5pm works", "Call [PHONE].5pm works"),
        ("Call me at 415-555-2671.2nd line 212-555-0188", "Call me at [PHONE].2nd line [PHONE]"),
        ("call (415) 555-2671.00", "call [PHONE].00"),
        ("(415) 555-2671.50 ok", "[PHONE].50 ok"),
        ("see +1 415-555-2671.50", "see [PHONE].50"),
        ("see +14155552671.5", "see [PHONE].5"),
        ("415-555-2671.123 next", "[PHONE].123 next"),  # three digits: no cents
        ("415-555-2671.5x", "[PHONE].5x"),
        ("415-555-2671.50é", "[PHONE].50é"),
        ("total 415-555-2671,50 EUR", "total [PHONE],50 EUR"),  # a comma fraction: not known to be an amount (kept masked)
    ],
)
def test_a_phone_followed_by_a_full_stop_and_a_word_is_masked(value: str, masked: str) -> None:
    assert _both(value) == masked


@pytest.mark.parametrize(
    "value",
    [
        "amount 415-555-2671.50",
        "415-555-2671.50",
        "paid 415-555-2671.5.",
        "paid 415-555-2671.50, thanks",
        "paid 415-555-2671.50)",
        "paid 415 555 2671.05 USD",
        "Invoice total 4155552671.50 USD",
        "call 4155552671.50",  # a bare run with a fraction is an amount even after a phone word
    ],
)
def test_an_amount_with_a_one_or_two_digit_fraction_stays(value: str) -> None:
    assert _both(value) == value
