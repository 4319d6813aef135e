"""normalize_column runs its steps only on the values some step may change (text._touched), with the same results."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pytest

import headwater.clean.text as text
from headwater.clean.text import normalize_column, normalize_text
from headwater.config.text import TextOptions

PLAIN = ["Ada Lovelace", "London", "C-0114346", "2024-01-15", "12.50", "order 12345 shipped"]
NEEDY = [
    "  Ada  ", "Tom &amp; Jerry", "<b>bold</b> text", "caf\u00c3\u00a9", "x\u200by", "a\r\nb",
    "call 415-555-2671 today", "mail ann@x.org now", "see www.x.com now", "ann@x.org", "(415) 555-2671",
]
OPTIONS = [
    TextOptions(),
    TextOptions(phones="keep"),
    TextOptions(mask_field_values=True, urls="remove", emails="remove"),
    TextOptions(whitespace=False, strip_html=False, repair_unicode=False, urls="keep", emails="keep", phones="keep"),
]


@pytest.mark.parametrize("options", OPTIONS, ids=["default", "phones-kept", "remove-all", "all-off"])
def test_the_subset_run_equals_every_step_on_every_value(options: TextOptions) -> None:
    values = (PLAIN * 4 + NEEDY + [None, ""]) * 3  # the needy values are under half: the subset path runs
    arr = pa.array(values, pa.large_string())
    fast = normalize_column(arr, options)
    full = text._normalize_steps(arr, options)
    assert fast.values.equals(full.values)
    assert fast.values.to_pylist() == [None if v is None else normalize_text(v, options) for v in values]
    assert sorted(fast.changed) == sorted(full.changed) and sorted(fast.masked) == sorted(full.masked)
    for kind in full.changed:
        assert np.array_equal(fast.changed[kind], full.changed[kind]), kind
    for kind in full.masked:
        assert np.array_equal(fast.masked[kind], full.masked[kind]), kind


def test_only_values_some_step_may_change_reach_the_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str | None]] = []
    real = text._normalize_steps
    monkeypatch.setattr(text, "_normalize_steps", lambda arr, options: seen.append(arr.to_pylist()) or real(arr, options))
    values = PLAIN * 3 + ["  Ada  ", "call 415-555-2671 today", "C-0114346 (415) 555-2671", None]
    out = normalize_column(pa.array(values, pa.large_string()))
    assert seen == [["  Ada  ", "call 415-555-2671 today", "C-0114346 (415) 555-2671"]]
    assert out.values.to_pylist() == PLAIN * 3 + ["Ada", "call [PHONE] today", "C-0114346 [PHONE]", None]
    assert np.flatnonzero(out.masked["phones"]).tolist() == [19, 20]
    assert np.flatnonzero(out.changed["trim"]).tolist() == [18]


def test_a_column_no_step_can_change_is_returned_as_it_came(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "_normalize_steps", lambda arr, options: pytest.fail("no value needs a step"))
    arr = pa.array(PLAIN + [None], pa.string())
    out = normalize_column(arr)
    assert out.values.equals(arr) and out.changed == {} and out.masked == {}


def test_a_column_mostly_needing_work_runs_every_step_on_every_value(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    real = text._normalize_steps
    monkeypatch.setattr(text, "_normalize_steps", lambda arr, options: sizes.append(len(arr)) or real(arr, options))
    values = NEEDY + PLAIN[:2]
    out = normalize_column(pa.array(values, pa.large_string()))
    assert sizes == [len(values)]
    assert out.values.to_pylist() == [normalize_text(v) for v in values]


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("phone +33 6 12 34 56 78", "phone [PHONE]"),  # a French mobile: its one-digit group failed the pre-filter (breaker6 #8)
        ("+33 6 12 34 56 78", "+33 6 12 34 56 78"),  # a field that is a phone number is a value, not prose (mask_field_values)
        ("call +44 20 7946 0958 today", "call [PHONE] today"),
        ("tel. +49 30 123456", "tel. [PHONE]"),
        ("appel au +33 1 23 45 67 89.", "appel au [PHONE]."),
    ],
)
def test_the_pre_filter_never_drops_a_number_phone_spans_finds(value: str, masked: str) -> None:
    """Whatever libphonenumber reads as a number (text.phone_spans) must reach it: masking is a privacy promise."""
    assert text.phone_spans(value)
    assert re.search(text.PHONE_RE, value)
    assert normalize_text(value, TextOptions()) == masked
    result = normalize_column(pa.array(["plain"] * 5 + [value], pa.large_string()), TextOptions())
    assert result.values.to_pylist()[-1] == masked
