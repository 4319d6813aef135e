"""normalize_column decides each distinct value of a repeating column once (text._normalize_distinct), leaves a value
that is one whole address to no step unless ``mask_field_values`` (text._touched), and hands the phone step the values
its RE2 pass found without searching them again in Python (replace_pii's ``candidate``): the same values and the same
change flags as every step run on every value (text._normalize_steps) and as the per-value reference
(text.normalize_text), on generated values with every feature."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

import headwater.clean.text as text
from headwater.clean.text import normalize_column, normalize_text, replace_pii
from headwater.config.text import TextOptions

PIECES = [
    "caf\u00c3\u00a9", "na\u00c3\u00afve", "\u00e2\u20ac\u0153quoted\u00e2\u20ac\u009d", "<p>para</p>", "<b>bold</b>", "Tom &amp; Jerry", "R&D",
    "+1 (415) 555-2671", "415-555-2671", "(030) 123456", "+44 20 7946 0958", "+1 (554) 123-4567", "\uff14\uff11\uff15\uff15\uff15\uff15\uff12\uff16\uff17\uff11",
    "call", "tel:", "order #4155552671", "2024-03-05 14.30", "ann@x.org", "Ann <ann@x.org>", "logo@2x.png", "www.x.com",
    "https://x.org/a?b=1", "x\u200by", "\ufeffbom", "\u200e", "  ", "\t", "\r\n", "\u3000", "Ａ１", "北京", "ok", "note", "-", "12.50",
]  # fmt: skip
WHOLE = ["ann@x.org", " bob@example.com ", "Ann <ann@x.org>", "+1 415 555 2671", "(415) 555-2671", "https://x.org/a", "www.x.com"]


def _values(seed: int, n: int, repeat: bool) -> list[str | None]:
    rng = random.Random(seed)
    made: list[str | None] = [None, "", *WHOLE]
    for _ in range(n):
        k = rng.randint(1, 5)
        made.append(rng.choice(["", " ", "  ", "-", "/", ". "]).join(rng.choice(PIECES) for _ in range(k)))
    if not repeat:
        return made
    # a repeating column: few distinct values, many times each (with nulls), so the distinct-value path runs
    pool = made[: max(8, n // 20)]
    return [rng.choice(pool) for _ in range(n)]


OPTIONS = {
    "default": TextOptions(),
    "field-values": TextOptions(mask_field_values=True),
    "urls-too": TextOptions(urls="mask"),
    "remove-all": TextOptions(urls="remove", emails="remove", phones="remove"),
    "urls-only": TextOptions(emails="keep", phones="keep", urls="mask"),
    "width-quotes": TextOptions(fold_width=True, fold_quotes=True, urls="mask"),
    "phones-kept": TextOptions(phones="keep"),
}


def _same(got: text.NormalizedColumn, want: text.NormalizedColumn) -> None:
    assert got.values.to_pylist() == want.values.to_pylist()
    assert sorted(got.changed) == sorted(want.changed) and sorted(got.masked) == sorted(want.masked)
    for kind in want.changed:
        assert np.array_equal(got.changed[kind], want.changed[kind]), kind
    for kind in want.masked:
        assert np.array_equal(got.masked[kind], want.masked[kind]), kind


@pytest.mark.parametrize("repeat", [False, True], ids=["unique", "repeating"])
@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_column_equals_every_step_on_every_value_and_the_per_value_reference(name: str, repeat: bool) -> None:
    options = OPTIONS[name]
    values = _values(seed=len(name), n=3000, repeat=repeat)
    arr = pa.array(values, pa.large_string())
    got = normalize_column(arr, options)
    _same(got, text._normalize_steps(arr, options))
    assert got.values.to_pylist() == [None if v is None else normalize_text(v, options) for v in values]
    assert any(f.any() for f in got.masked.values()) or options.pii_actions() == {}


def test_the_distinct_path_runs_once_per_distinct_value(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = text._normalize_values
    monkeypatch.setattr(text, "_normalize_values", lambda arr, options: seen.append(len(arr)) or real(arr, options))
    values = ["  Lyon ", "Paris", None, "call 415-555-2671 now", "caf\u00c3\u00a9"] * 1000
    out = normalize_column(pa.array(values, pa.large_string()))
    assert seen == [4]  # the four texts, each once (a null is no value: it stays null)
    assert out.values.to_pylist()[:5] == ["Lyon", "Paris", None, "call [PHONE] now", "café"]
    assert np.flatnonzero(out.changed["trim"]).tolist() == list(range(0, 5000, 5))
    assert np.flatnonzero(out.masked["phones"]).tolist() == list(range(3, 5000, 5))
    assert np.flatnonzero(out.changed["mojibake"]).tolist() == list(range(4, 5000, 5))
    assert not any(f[2::5].any() for f in (*out.changed.values(), *out.masked.values()))  # a null changes nothing


def test_a_unique_column_takes_the_plain_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "_normalize_distinct", lambda arr, options: pytest.fail("values are unique"))
    values = [f"note {i} call 415-555-{i % 10000:04d}" for i in range(5000)]
    out = normalize_column(pa.array(values, pa.large_string()))
    assert out.values.to_pylist()[2671] == "note 2671 call [PHONE]"


def test_a_column_of_whole_addresses_reaches_no_step(monkeypatch: pytest.MonkeyPatch) -> None:
    # a contact column: each value one address or one number, left as written unless mask_field_values
    values = [f"user{i}@example.org" for i in range(300)] + ["Ann <ann@x.org>", "(415) 555-2671", None]
    arr = pa.array(values, pa.large_string())
    assert not text._touched(arr, TextOptions()).to_numpy(zero_copy_only=False).any()
    with monkeypatch.context() as m:
        m.setattr(text, "_normalize_steps", lambda arr, options: pytest.fail("no value needs a step"))
        out = normalize_column(arr)
    assert out.values.to_pylist() == values and out.changed == {} and out.masked == {}
    # one that also needs a step is still found: a trailing space, a second address, a zero-width space
    more = pa.array(["ann@x.org ", "ann@x.org, bob@y.org", "ann\u200b@x.org", "ann@x.org"], pa.large_string())
    assert text._touched(more, TextOptions()).to_pylist() == [True, True, True, False]
    assert normalize_column(more).values.to_pylist() == ["ann@x.org", "[EMAIL], [EMAIL]", "ann@x.org", "ann@x.org"]
    # asked to mask field values, every address is found and masked
    masked = normalize_column(arr, TextOptions(mask_field_values=True))
    assert masked.values.to_pylist()[:2] == ["[EMAIL]", "[EMAIL]"] and int(masked.masked["emails"].sum()) == 301
    assert masked.values.to_pylist()[300:] == ["Ann <[EMAIL]>", "[PHONE]", None]


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_touched_is_its_three_pass_reference(name: str) -> None:
    arr = pa.array(_values(seed=7, n=2000, repeat=False), pa.large_string())
    assert np.array_equal(
        text._touched(arr, OPTIONS[name]).to_numpy(zero_copy_only=False),
        text._touched_by_parts(arr, OPTIONS[name]).to_numpy(zero_copy_only=False),
    )


def test_a_phone_candidate_found_by_re2_masks_as_the_python_search_would() -> None:
    for value in _values(seed=3, n=1500, repeat=False)[1:]:
        for whole in (False, True):
            assert replace_pii(value, "phones", "mask", whole, candidate=True) == replace_pii(value, "phones", "mask", whole), value


def _dates(n: int, distinct: int, seed: int = 3) -> list[str | None]:
    """``n`` short values drawn from ``distinct`` dates written three ways (one a US phone shape: ``415-555-2671`` style
    digits would be read as a number, ``05/03/2024`` is not), with nulls, blanks and a few to tidy or mask."""
    rng = random.Random(seed)
    pool: list[str | None] = []
    for k in range(distinct):
        y, m, d = 2000 + k % 25, 1 + k // 25 % 12, 1 + k // 300 % 28
        pool.append(rng.choice([f"{y}-{m:02d}-{d:02d}", f"{d:02d}/{m:02d}/{y}", f" {d:02d}.{m:02d}.{y} ", f"{m}-{d}-{y} call 415-555-{k % 10000:04d}"]))
    pool += [None, "", "  ", "caf\u00c3\u00a9", "Ｎ/Ａ", "\u200e2024-01-05"]
    return [rng.choice(pool) for _ in range(n)]


def test_a_column_of_short_values_repeating_beyond_the_sample_runs_once_per_distinct_value(monkeypatch: pytest.MonkeyPatch) -> None:
    # spnorm16: 3000 distinct dates in 20000 rows: ~70 % of the first 2048 are distinct (more than _DISTINCT_SHARE), the
    # whole column 15 %: the distinct path runs, and gives what every step on every value gives
    values = _dates(20000, 3000)
    arr = pa.array(values, pa.large_string())
    sample = len(set(values[: text._DISTINCT_SAMPLE]))
    assert text._DISTINCT_SAMPLE * text._DISTINCT_SHARE < sample <= text._DISTINCT_SAMPLE * text._REPEAT_SHARE
    seen: list[int] = []
    real = text._normalize_values
    monkeypatch.setattr(text, "_normalize_values", lambda a, options: seen.append(len(a)) or real(a, options))
    got = normalize_column(arr)
    assert seen == [len({v for v in values if v is not None})]
    monkeypatch.setattr(text, "_normalize_values", real)
    _same(got, text._normalize_steps(arr, TextOptions()))
    assert got.values.to_pylist() == [None if v is None else normalize_text(v) for v in values]
    assert got.masked["phones"].sum() > 1000 and got.changed["trim"].sum() > 1000 and got.changed["mojibake"].sum() > 0


def test_a_short_column_mostly_distinct_on_the_whole_takes_the_plain_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # repeats in the sample (its first 2048 drawn from 1500), none after it: the whole column is 90 % distinct, so
    # _normalize_distinct declines and the plain path gives the same result
    head = _dates(2048, 1500, seed=5)
    tail = [f"{i} call 415-555-{i % 10000:04d}" for i in range(18000)]
    arr = pa.array(head + tail, pa.large_string())
    calls: list[int] = []
    real = text._normalize_distinct
    monkeypatch.setattr(text, "_normalize_distinct", lambda a, options: calls.append(len(a)) or real(a, options))
    got = normalize_column(arr)
    assert calls == [20048]
    _same(got, text._normalize_steps(arr, TextOptions()))
    assert got.values.to_pylist()[2048 + 2671] == "2671 call [PHONE]"


@pytest.mark.parametrize(("rows", "pad"), [(2047, 0), (20000, 70)], ids=["shorter-than-the-sample", "long-values"])
def test_long_values_or_a_short_column_are_not_hashed_whole(rows: int, pad: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # values longer than _SHORT_BYTES on average (a note column), or fewer rows than the sample: no dictionary encode
    monkeypatch.setattr(text, "_normalize_distinct", lambda a, options: pytest.fail("not tried"))
    values = [None if v is None else v + "\u00e9" * pad for v in _dates(rows, 3000, seed=9)]
    got = normalize_column(pa.array(values, pa.large_string()))
    assert got.values.to_pylist() == [None if v is None else normalize_text(v) for v in values]
