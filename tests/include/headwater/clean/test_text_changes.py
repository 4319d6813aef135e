"""What text normalization changes, kind by kind, and what it leaves as written by default."""

from __future__ import annotations

import pyarrow as pa
import pytest

from headwater.clean.text import normalize_column, normalize_text, phone_spans
from headwater.config.text import TextOptions


def _kinds(values: list[str | None], options: TextOptions = TextOptions()) -> tuple[list, dict, dict]:
    r = normalize_column(pa.array(values, pa.large_string()), options)
    return r.values.to_pylist(), {k: v.tolist() for k, v in r.changed.items()}, {k: v.tolist() for k, v in r.masked.items()}


@pytest.mark.parametrize(
    ("value", "expected", "kinds"),
    [
        ("AB  12", "AB 12", ["whitespace"]),
        ("a\tb", "a b", ["whitespace"]),
        ("10\u00a0kg", "10 kg", ["whitespace"]),
        (" padded ", "padded", ["trim"]),
        (" a  b\t", "a b", ["trim", "whitespace"]),
        ("AB\u200b123", "AB123", ["invisible_characters"]),  # removed, not a space: 'AB 123' would be two words
        ("a\r\nb", "a\nb", ["line_breaks"]),
        ("c\rd", "c\nd", ["line_breaks"]),
        ("1\u20282", "1\n2", ["line_breaks"]),
        ("a\x00b", "ab", ["control"]),
        ("a\x1b[31mb", "ab", ["control"]),
        ("Jose\u0301", "Jos\u00e9", ["nfc"]),
        ("caf\u00c3\u00a9", "caf\u00e9", ["mojibake"]),
        ("<b>bold</b> move", "bold move", ["html"]),
        ("AT&amp;T rocks", "AT&T rocks", ["html"]),
        ("Price &lt; 5", "Price < 5", ["html"]),
        ("caf\u00c3\u00a9  bar", "caf\u00e9 bar", ["mojibake", "whitespace"]),
    ],
)
def test_each_change_is_named_by_its_kind(value: str, expected: str, kinds: list[str]) -> None:
    values, changed, masked = _kinds([value, "plain", None])
    assert values == [expected, "plain", None]
    assert changed == {k: [True, False, False] for k in kinds}
    assert masked == {}


@pytest.mark.parametrize(
    "value",
    ["x\u00b2 + y\u00b2", "H\u2082O", "\ufb01nance", "\uff21\uff22\uff23\uff11", "\uff76\uff80\uff76\uff85", "Henry \u2163", "\u00bd cup", "Acme\u2122"],
)
def test_compatibility_folds_are_off_by_default(value: str) -> None:
    assert _kinds([value]) == ([value], {}, {})


def test_a_source_can_ask_for_ligature_and_width_folding_and_it_is_recorded() -> None:
    options = TextOptions(fold_ligatures=True, fold_width=True)
    assert _kinds(["\ufb01nance", "\uff21\uff22\uff23\uff11", "x\u00b2"], options) == (
        ["finance", "ABC1", "x\u00b2"],
        {"ligatures": [True, False, False], "width": [False, True, False]},
        {},
    )


def test_masks_are_reported_apart_from_changes() -> None:
    values, changed, masked = _kinds(["mail ada@example.com  now", "call +1 (415) 555-2671 today", "ok"])
    assert values == ["mail [EMAIL] now", "call [PHONE] today", "ok"]
    assert changed == {"whitespace": [True, False, False]}
    assert masked == {"emails": [True, False, False], "phones": [False, True, False]}


@pytest.mark.parametrize(
    "value",
    [
        "order 2024-555-0199 shipped",
        "order no. 555-123-4567 shipped",
        "serial 415 555 2671 on the box",
        "invoice #212-555-0147 paid",
        "ISBN 0-306-40615-2 and 978-0-306-40615-7",
        "version 10.123.456.7890 released",
        "ref +1 2024 11 29",
        "on 12/11/2024 10:30 and 2024-11-29",
        "SKU 800-555-1234-XL in stock",
        "call 555-123-4567 now",  # no area code 555
    ],
)
def test_numbers_that_are_not_phone_numbers_stay(value: str) -> None:
    assert normalize_text(value) == value
    assert _kinds([value]) == ([value], {}, {})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("call (415) 555-2671 today", "call [PHONE] today"),
        ("phone: 206-342-8631, thanks", "phone: [PHONE], thanks"),
        ("ring +44 20 7946 0958 now", "ring [PHONE] now"),
        ("tel. +49 30 901820 or 415.555.2671", "tel. [PHONE] or [PHONE]"),
    ],
)
def test_phone_numbers_in_prose_are_masked(value: str, expected: str) -> None:
    assert normalize_text(value) == expected
    assert _kinds([value])[0] == [expected]


def test_phone_region_reads_national_numbers() -> None:
    assert phone_spans("ring 020 7946 0958 today", "GB") == [(5, 18)]
    assert phone_spans("ring 020 7946 0958 today", "US") == []
    assert normalize_text("ring 020 7946 0958 today", TextOptions(phone_region="GB")) == "ring [PHONE] today"


# Values the column path's start check (text._PHONE_START) must still hand to libphonenumber: a number
# at the very start, after an opening bracket, after a plus sign, after a wide dash or a tab, after
# non-Latin text; and values it may skip: every digit run glued to a letter, digit or -_/. before it.
_PHONE_EDGES = [
    ("(415) 555-2671", "(415) 555-2671"),  # the whole value is one number: a contact field, kept
    ("415-555-2671 call me", "[PHONE] call me"),
    ("x (415) 555-2671", "x [PHONE]"),
    ("call:(415) 555-2671", "call:[PHONE]"),
    ("tel\t206-342-8631", "tel [PHONE]"),
    ("tel\u2014206-342-8631 ok", "tel\u2014[PHONE] ok"),
    ("\u96fb\u8a71 +1 415 555 2671", "\u96fb\u8a71 [PHONE]"),
    ("C-0114346", "C-0114346"),
    ("C-4155552671", "C-4155552671"),
    ("SKU-800.555.1234", "SKU-800.555.1234"),
    ("id_4155552671/2065550123", "id_4155552671/2065550123"),
]


@pytest.mark.parametrize(("value", "expected"), _PHONE_EDGES)
def test_phone_start_check_agrees_with_the_per_value_path(value: str, expected: str) -> None:
    assert normalize_text(value) == expected
    assert _kinds([value])[0] == [expected]


def test_values_with_no_possible_number_start_are_not_handed_to_libphonenumber(monkeypatch: pytest.MonkeyPatch) -> None:
    import headwater.clean.text as text

    asked: list[str] = []
    spans = text.phone_spans
    monkeypatch.setattr(text, "phone_spans", lambda value, region="US": asked.append(value) or spans(value, region))
    values = ["C-0114346", "C-0046261", "SKU-800.555.1234", "x (415) 555-2671", "415-555-2671 call me"]
    assert normalize_column(pa.array(values)).values.to_pylist() == [
        "C-0114346", "C-0046261", "SKU-800.555.1234", "x [PHONE]", "[PHONE] call me"]
    assert asked == ["x (415) 555-2671", "415-555-2671 call me"]
