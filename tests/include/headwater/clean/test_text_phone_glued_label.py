"""A phone number written with a '+' glued to its label (pan18: breaker14 G2; headwater.clean.text ``phone_spans``,
``_PHONE_START``).

``Tel.+44 20 7946 0958``, ``mobile+49 151 23456789``, ``tél.+33 1 42 68 53 00``, ``WhatsApp+44 20 7946 0958`` were left
unmasked under the default ``phones: mask``: a match with a letter or '.' right before it was dropped as glued to a code.
A letter or '.' before its '+' now glues nothing; libphonenumber still decides (``ABC+12345`` is no valid number), and a
digit, '-', '_' or '/' before the '+' still glues it. Exact spans and masked texts, per value and in a column.
"""

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


GLUED = [
    ("Tel.+44 20 7946 0958", (4, 20), "Tel.[PHONE]"),  # breaker14 G2 row 1
    ("mobile+49 151 23456789", (6, 22), "mobile[PHONE]"),  # row 3
    ("tél.+33 1 42 68 53 00", (4, 21), "tél.[PHONE]"),  # row 14
    ("WhatsApp+44 20 7946 0958", (8, 24), "WhatsApp[PHONE]"),  # row 15
    ("WhatsApp+447946095800", (8, 21), "WhatsApp[PHONE]"),  # no space anywhere: the pre-filter lets it through
    ("Fax.+1 212 555 0100 (office)", (4, 19), "Fax.[PHONE] (office)"),
    ("call me at mob+41 44 668 18 00 today", (14, 30), "call me at mob[PHONE] today"),
    ("Tel＋44 20 7946 0958", (3, 19), "Tel[PHONE]"),  # fullwidth plus
    ("Телефон+7 495 123-45-67", (7, 23), "Телефон[PHONE]"),  # Cyrillic label
]


@pytest.mark.parametrize(("value", "span", "masked"), GLUED)
def test_a_plus_number_glued_to_a_label_is_masked(value: str, span: tuple[int, int], masked: str) -> None:
    assert phone_spans(value) == [span]
    assert _both(value) == masked


@pytest.mark.parametrize(
    "value",
    [
        "ABC+12345",  # no valid number
        "x+1",
        "SKU+999",
        "ref-+44 20 7946 0958",  # '-' before the '+': glued to a code
        "id_+44 20 7946 0958",
        "a/+44 20 7946 0958",
        "12+44 20 7946 0958",  # a digit before it
        "SKU800.555.1234",  # no '+': still glued
        "Tel.4155552671",  # no '+': a '.' still glues a bare run
    ],
)
def test_still_no_phone(value: str) -> None:
    assert phone_spans(value) == []
    assert _both(value) == value
