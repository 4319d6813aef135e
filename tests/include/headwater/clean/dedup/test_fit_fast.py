"""fit9: the near-duplicate fit's cheaper machinery decides as the code it replaced.

``verify.pair_reasons`` tokenizes each distinct text once and builds the boilerplate only when a checked pair's
words differ; ``matching.band_codes`` numbers a band's shared keys instead of
``pd.factorize`` of every key; ``minhash.minhash_signatures`` and ``_densify`` (positions alone, every attempt written)
against ``minhash_reference``; ``Vetoes.build`` for some rows reads each column once. Each is compared with the
reference (``verify_reference``, ``minhash_reference``, ``pd.factorize``, the whole-table build) on generated inputs.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import minhash_reference
import verify_reference as old
from headwater.clean.dedup import minhash, verify
from headwater.clean.dedup.columns import Vetoes
from headwater.clean.dedup.matching import LINKAGE_REASONS, band_codes
from headwater.clean.dedup.pairs import block_pairs, unique_pairs
from headwater.clean.dedup.verify import NAME_REASONS, REASONS
from test_verify_fast import FOOTERS, WORDS, _pairs, _texts

REASON_TUPLES = [REASONS, REASONS[:-1], LINKAGE_REASONS, (*LINKAGE_REASONS, *NAME_REASONS), ("addition",)]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("reasons", REASON_TUPLES)
def test_pair_reasons_build_the_boilerplate_once_when_words_differ(seed: int, reasons: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    texts, a, b = _pairs(seed)
    want = old.pair_reasons(texts, a, b, reasons)  # before the count: the reference builds its boilerplate with verify's
    built = []
    of = verify.Boilerplate.of
    monkeypatch.setattr(verify.Boilerplate, "of", classmethod(lambda cls, words: built.append(len(words)) or of(words)))
    assert verify.pair_reasons(texts, a, b, reasons) == want
    # some pair's words differ: with "addition" the boilerplate is built, from every row, once
    assert built == ([len(texts)] if "addition" in reasons else [])


def _equal_word_pairs(seed: int) -> tuple[dict[int, str | None], list[int], list[int]]:
    """Pairs whose two texts say the same words: one text twice, a case or spacing variant, a row with itself,
    masked texts (an identifier veto), numbers, negators, empty and missing texts; context rows under a footer."""
    rng = random.Random(seed)
    texts: dict[int, str | None] = {}
    a, b = [], []
    for k, text in enumerate(_texts(seed + 500, 120)):
        variant = text if rng.random() < 0.5 else (text or "").upper().replace(" ", "  ")
        if text is None and rng.random() < 0.5:
            variant = None
        if verify.tokens_of(variant).words != verify.tokens_of(text).words:  # upper case that spells other words (``ß``: ``SS``)
            variant = text
        texts[2 * k], texts[2 * k + 1] = text, variant
        a.append(2 * k)
        b.append(2 * k + 1 if rng.random() < 0.8 else 2 * k)
    masked = "Call me at [PHONE] or write to [EMAIL] about order 12"
    texts[1000], texts[1001] = masked, masked.upper()
    a.append(1000)
    b.append(1001)
    for k in range(30):
        texts[5000 + k] = "Note " + rng.choice(WORDS["latin"]) + rng.choice(FOOTERS)
        if k % 3 == 0:  # a context row holding a pair's text: one text, tokenized once
            texts[5000 + k] = texts[2 * k]
    return texts, a, b


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("reasons", REASON_TUPLES)
def test_pairs_of_equal_words_need_no_boilerplate(seed: int, reasons: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    texts, a, b = _equal_word_pairs(seed)
    want = old.pair_reasons(texts, a, b, reasons)

    def unread(*args: object) -> None:
        raise AssertionError("the boilerplate was built")

    monkeypatch.setattr(verify, "words_of", unread)
    monkeypatch.setattr(verify.Boilerplate, "of", classmethod(unread))
    got = verify.pair_reasons(texts, a, b, reasons)
    assert got == want
    if "identifier" in reasons:  # two masked texts: an identifier veto, even with equal words
        assert got[-1] == "identifier"
    assert all(verify.tokens_of(texts[i]).words == verify.tokens_of(texts[j]).words for i, j in zip(a, b))


def test_rows_holding_one_text_share_its_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str | None] = []
    tokens_of = verify.tokens_of
    monkeypatch.setattr(verify, "tokens_of", lambda text: seen.append(text) or tokens_of(text))
    texts = {0: "Refund 12 EUR please", 1: "Refund 12 EUR please", 2: "refund 13 eur please", 3: "Refund 12 EUR please", 4: None, 5: None}
    got = verify.pair_reasons(texts, [0, 0, 1, 4], [1, 2, 3, 5], REASONS)
    assert got == old.pair_reasons(texts, [0, 0, 1, 4], [1, 2, 3, 5], REASONS) == [None, "number", None, None]
    # each distinct text once at most, and only those of a pair of two texts (spnd16): None is only in the pair (4, 5) of
    # one text, decided without its tokens (verify._same_text_reason)
    assert len(seen) == 2 and set(seen) == {"Refund 12 EUR please", "refund 13 eur please"}


def _factorize_codes(keys: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """The bucket codes as they were: ``pd.factorize`` of every key, rows without text -1."""
    codes = pd.factorize(pd.Series(keys))[0].astype(np.int64)
    codes[~valid] = -1
    return codes


def _band_cases() -> Iterator[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(5)
    yield np.zeros(0, np.uint64), np.zeros(0, bool)
    yield np.array([7], np.uint64), np.array([True])
    yield np.full(300, 9, np.uint64), rng.random(300) < 0.7  # one bucket: beyond the cap, compared with its first rows
    yield rng.integers(0, 2**63, 500, dtype=np.int64).astype(np.uint64), np.ones(500, bool)  # no shared key
    for n, pool in [(50, 10), (2000, 1500), (5000, 40), (20_000, 19_000)]:
        keys = rng.integers(0, pool, n).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)  # spread over 64 bits
        yield keys, rng.random(n) < 0.85
    # keys alike in their low bits (the bit table's false hits), some shared, the high half used
    low = np.uint64(0xABCD)
    keys = (rng.integers(0, 64, 3000).astype(np.uint64) << np.uint64(40)) | low
    yield keys, rng.random(3000) < 0.9
    keys = np.array([2**64 - 1, 2**63, 2**63, 0, 0, 2**64 - 1, 1], dtype=np.uint64)  # the extremes, signed views negative
    yield keys, np.array([True, True, True, True, False, True, True])


@pytest.mark.parametrize("case", range(10))
@pytest.mark.parametrize("cap", [2, 5, 100])
def test_band_codes_give_the_pairs_of_factorized_buckets(case: int, cap: int) -> None:
    keys, valid = list(_band_cases())[case]
    got = band_codes(keys, valid)
    want = _factorize_codes(keys, valid)
    # in a bucket of two rows or more, two rows share a code exactly when they share a factorized code
    held = want >= 0
    size = np.bincount(want[held], minlength=int(want.max(initial=-1)) + 1) if held.any() else np.zeros(0, np.int64)
    shared = held & (size[np.maximum(want, 0)] >= 2) if len(size) else held
    assert np.array_equal(got >= 0, shared)
    assert pd.factorize(got[shared])[0].tolist() == pd.factorize(want[shared])[0].tolist()
    for later in (None, np.random.default_rng(case).random(len(keys)) < 0.5):
        new = unique_pairs(*block_pairs(got, cap, big="leaders", later=later)[:2])
        was = unique_pairs(*block_pairs(want, cap, big="leaders", later=later)[:2])
        assert np.array_equal(new[0], was[0]) and np.array_equal(new[1], was[1])


def test_band_codes_of_a_strided_column() -> None:
    rng = np.random.default_rng(8)
    matrix = rng.integers(0, 30, (400, 16)).astype(np.uint64) * np.uint64(0x100000001B3)
    valid = rng.random(400) < 0.9
    for k in range(16):
        assert np.array_equal(band_codes(matrix[:, k], valid), band_codes(np.ascontiguousarray(matrix[:, k]), valid))
        want = unique_pairs(*block_pairs(_factorize_codes(matrix[:, k], valid), 100, big="leaders")[:2])
        got = unique_pairs(*block_pairs(band_codes(matrix[:, k], valid), 100, big="leaders")[:2])
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1]) and len(got[0]) > 100


def _signature_texts(seed: int, n: int) -> pa.Array:
    """Texts of every length from none to a few hundred bytes: empty, missing, shorter than a shingle, multi-byte."""
    rng = random.Random(seed)
    alphabet = "abcdefgh  ,.0123456789éß€😀ж"
    out: list[str | None] = []
    for k in range(n):
        roll = rng.random()
        if roll < 0.05:
            out.append(None)
        elif roll < 0.1:
            out.append("")
        elif roll < 0.4:
            out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))))
        else:
            out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(10, 400))))
    return pa.array(out, pa.string())


@pytest.mark.parametrize("num_perm", [128, 64, 100, 7, 256])
@pytest.mark.parametrize("k", [1, 2, 5, 8])
@pytest.mark.parametrize("block", [1, 13, 1024])
def test_minhash_signatures_equal_the_reference_on_texts_of_every_length(num_perm: int, k: int, block: int) -> None:
    texts = _signature_texts(num_perm * 10 + k, 600)
    got = minhash.minhash_signatures(texts, num_perm, k, 42, block)
    want = minhash_reference.minhash_signatures(texts, num_perm, k, 42, block)
    assert got.dtype == want.dtype and np.array_equal(got, want)
    assert (got == minhash.EMPTY).all(axis=1).sum() == sum(1 for t in texts.to_pylist() if not t)  # empty texts alone stay empty


@pytest.mark.parametrize("num_perm", [128, 100])
@pytest.mark.parametrize("attempts", [1, 2, 64])
@pytest.mark.parametrize("empty_share", [0.0, 0.3, 0.9, 0.999, 1.0])
def test_densify_equals_the_reference_with_few_attempts_and_any_share_empty(num_perm: int, attempts: int, empty_share: float) -> None:
    rng = np.random.default_rng(int(empty_share * 1000) + attempts)
    sig = rng.integers(0, 2**32 - 1, (300, num_perm), dtype=np.uint64).astype(np.uint32)
    sig[rng.random(sig.shape) < empty_share] = minhash.EMPTY
    sig[::17] = minhash.EMPTY  # rows of empty texts
    got = minhash._densify(sig.copy(), 3, attempts)
    assert np.array_equal(got, minhash_reference._densify(sig.copy(), 3, attempts))
    held = ~(sig == minhash.EMPTY).all(axis=1)
    assert not (got[held] == minhash.EMPTY).any()  # every row with a bin is filled, the fallback included


def test_no_shingle_marks_equal_the_reference() -> None:
    texts = _signature_texts(3, 400)
    offsets, data = minhash.string_buffers(texts)
    for k in range(1, 9):
        packed, invalid = minhash._pack_shingles(data, offsets, k)
        want_packed, want_invalid = minhash_reference._pack_shingles(data, offsets, k)
        assert np.array_equal(invalid, want_invalid)
        assert np.array_equal(packed[~invalid], want_packed[~want_invalid])  # the shingles; the other positions are never read
        padded = np.concatenate([data, np.full(8, 0xFF, np.uint8)])  # whatever follows the data is masked off
        again, _ = minhash._pack_shingles(data, offsets, k, padded)
        assert np.array_equal(again[~invalid], want_packed[~want_invalid])


class _Pieces(Mapping[str, pd.Series]):
    """Columns read in pieces of ``size`` rows (the runner's spilled batches); counts the rows each column gave."""

    def __init__(self, frame: pd.DataFrame, size: int) -> None:
        self.frame, self.size = frame, size
        self.read = {c: 0 for c in frame.columns}

    def __getitem__(self, name: str) -> pd.Series:
        self.read[name] += len(self.frame)
        return self.frame[name]

    def __contains__(self, name: object) -> bool:
        return name in self.frame.columns

    def __iter__(self) -> Iterator[str]:
        return iter(self.frame.columns)

    def __len__(self) -> int:
        return len(self.frame.columns)

    def pieces(self, name: str) -> Iterator[pd.Series]:
        for lo in range(0, len(self.frame), self.size):
            piece = self.frame[name].iloc[lo : lo + self.size].reset_index(drop=True)
            self.read[name] += len(piece)
            yield piece


def _veto_table(n: int) -> pd.DataFrame:
    """Columns with each kind of check: a string with raw texts kept, an id Excel mangled, a date that dropped
    written times and assumed day orders, a number with raw texts, a plain string."""
    rng = np.random.default_rng(17)
    day = pd.Series(pd.to_datetime([f"2026-0{1 + i % 3}-0{1 + i % 4}" for i in range(n)]))
    day_reason = pd.Series([["time_dropped", "day_order", None, "dotted_day_order; time_dropped"][i % 4] if i % 3 else None
                            for i in range(n)], dtype="string")
    day_raw = pd.Series([f"0{1 + i % 4}/0{1 + i % 3}/2026 {9 + i % 5}:00" if i % 3 else None for i in range(n)], dtype="string")
    account = pd.Series([f"AC-{i % 40}" for i in range(n)], dtype="string")
    account_reason = pd.Series(["excel_scientific_notation" if i % 11 == 0 else None for i in range(n)], dtype="string")
    amount = pd.Series([float(i % 3) if i % 7 else None for i in range(n)], dtype="Float64")
    amount_raw = pd.Series([None if i % 7 else f"{i % 2},5" for i in range(n)], dtype="string")
    city = pd.Series([["Oslo", "oslo", "OSLO", "Lima", None, "  Lima "][int(x)] for x in rng.integers(0, 6, n)], dtype="string")
    return pd.DataFrame({"day": day, "day__reason": day_reason, "day__raw": day_raw, "account": account,
                         "account__reason": account_reason, "amount": amount, "amount__raw": amount_raw, "city": city})


@pytest.mark.parametrize("size", [1, 29, 1000])
def test_vetoes_for_some_rows_read_each_column_once_and_check_as_the_whole_table(size: int) -> None:
    frame = _veto_table(600)
    columns = ["day", "account", "amount", "city"]
    full = Vetoes.build({c: frame[c] for c in frame.columns}, columns, {"amount"}, 0.1)
    rng = np.random.default_rng(size)
    rows = np.unique(rng.integers(0, 600, 200))
    source = _Pieces(frame, size)
    some = Vetoes.build(source, columns, {"amount"}, 0.1, rows=rows)
    a, b = rng.choice(rows, 2000), rng.choice(rows, 2000)
    assert some.check(a, b).tolist() == full.check(a, b).tolist()
    assert some.agreed(a, b) == full.agreed(a, b)
    assert full.check(a, b).any() and not full.check(a, b).all()
    assert set(some.times) == {"day"} and len(some.times["day"]) == 2  # written times and day orders both checked
    # every column once, piece by piece, whole columns never (``__reason`` served three checks, ``__raw`` two)
    assert source.read == dict.fromkeys(frame.columns, 600)
