"""text._touched finds the values some step may change in two full RE2 passes, as the three-pass
``U | (P & S)`` did (text._touched_by_parts, the reference): the same values, so the same results."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

import headwater.clean.text as text
from headwater.clean.text import normalize_column
from headwater.config.text import TextOptions

PIECES = [
    "C-0114346", "SKU-800.555.1234", "415-555-2671", "(415) 555-2671", "+44 20 7946 0958", "020 7946 0958", "call",
    "order", "x", "ann@x.org", "www.x.com", "<b>", "</b>", "&amp;", "R&D", "cafÃ©", "café", "  ", "\t", "\u200b", "\r\n",
    "2024-01-15", "12.50", "/415-555-2671", "_415", ".5551234567", "Ａ１", "北京", "-", "+1", "１２３",
]  # fmt: skip


def _values(seed: int = 11, n: int = 4000) -> list[str | None]:
    rng = random.Random(seed)
    out: list[str | None] = [None, ""]
    for _ in range(n):
        k = rng.randint(1, 4)
        sep = rng.choice(["", " ", "-", "/", "."])
        out.append(sep.join(rng.choice(PIECES) for _ in range(k)))
    return out


OPTIONS = [
    TextOptions(),
    TextOptions(phones="keep"),
    TextOptions(whitespace=False, strip_html=False, repair_unicode=False, urls="keep", emails="keep"),  # phones only
    TextOptions(mask_field_values=True, urls="remove", emails="remove", phones="remove"),
    TextOptions(whitespace=False, strip_html=False, repair_unicode=False, urls="keep", emails="keep", phones="keep"),
]


@pytest.mark.parametrize("options", OPTIONS, ids=["default", "phones-kept", "phones-only", "remove-all", "all-off"])
def test_two_passes_find_the_values_three_did(options: TextOptions) -> None:
    values = _values()
    arr = pa.array(values, pa.large_string())
    fast = text._touched(arr, options).to_numpy(zero_copy_only=False)
    parts = text._touched_by_parts(arr, options).to_numpy(zero_copy_only=False)
    assert np.array_equal(fast, parts)
    if "phones" in options.pii_actions():
        assert 0 < fast.sum() < len(values)  # both kinds of value are there


def test_a_single_word_found_only_by_the_steps_union_is_touched() -> None:
    # U|P finds them, _PHONE_START does not (no position a number can start at): U decides, on those values alone
    values = ["C-0114346", "SKU-800.555.1234", "C-0114346\u200b", "Caf\u00c3\u00a9", "www.x.com", "a.b"]
    got = text._touched(pa.array(values, pa.large_string()), TextOptions()).to_pylist()
    assert got == [False, False, True, True, False, False]  # URLs are kept by default: no step for www.x.com
    assert got == text._touched_by_parts(pa.array(values, pa.large_string()), TextOptions()).to_pylist()


def test_results_are_those_of_the_three_pass_check(monkeypatch: pytest.MonkeyPatch) -> None:
    values = _values(seed=5, n=1500)
    arr = pa.array(values, pa.large_string())
    new = normalize_column(arr)
    with monkeypatch.context() as m:
        m.setattr(text, "_touched", text._touched_by_parts)
        old = normalize_column(arr)
    assert new.values.to_pylist() == old.values.to_pylist()
    assert sorted(new.changed) == sorted(old.changed) and sorted(new.masked) == sorted(old.masked)
    assert new.masked["phones"].sum() > 50
    for kind in old.changed:
        assert np.array_equal(new.changed[kind], old.changed[kind]), kind
    for kind in old.masked:
        assert np.array_equal(new.masked[kind], old.masked[kind]), kind
