"""spn13: the near-duplicate step's cheaper reads and checks decide as the code they replaced.

``minhash._densify`` leaves the rows of empty texts out before listing the empty bins (not after);
``Vetoes.build`` for some rows reads all the columns it checks in one pass over the runner's spilled batches
(``_RowsRead.read_together``, ``runner._Columns.piece_frames``) instead of one pass a column; ``columns._integers``
matches the first ``INTEGER_PROBE`` values of a string column before the whole column; ``matching._row_texts``
takes one text column's values as they are; ``columns.comparable`` decides a string column's ASCII values with Arrow
kernels; ``matching.band_codes`` looks the rows up in a hash index of the shared keys; ``minhash.band_keys`` works
by blocks of rows. Each is compared with the reference (``minhash_reference``, the whole-column reads, the code as it
was, one value at a time) on a generated corpus of 6,000 texts: unicode, empty, missing, one to four bytes, up to
20,000 characters, with planted near and exact copies (and 20,000 generated values for ``comparable``).
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import headwater.clean.dedup.matching as matching
import headwater.clean.runner as runner
import minhash_reference
from headwater.clean.dedup import columns as dedup_columns
from headwater.clean.dedup import minhash
from headwater.clean.dedup.columns import Vetoes, _integers
from headwater.clean.dedup.fuzzy import NearDuplicateText, _Recent
from headwater.clean.steps.base import LINE, ROW_ID, SOURCE
from headwater.config.dedup import DedupOptions

N = 6_000
WORDS = ["order", "late", "refund", "café", "naïve", "résumé", "東京", "配送", "😀", "👍", "Straße", "ÉCOLE", "no", "not",
         "[EMAIL]", "[PHONE]", "12", "3.5", "AC-1001", "ok", "thanks", "please", "call", "back", "ünïcödé", "x"]


def _corpus(n: int = N, seed: int = 5, long: int = 2_000) -> list[str | None]:
    """Texts of every kind: prose of 3-60 words, planted near copies (a word dropped or changed) and exact copies,
    empty and missing texts, texts of one to four bytes (fewer than a shingle), and very long texts (``long`` words
    or more: about 20,000 characters at 2,000)."""
    rng = random.Random(seed)
    out: list[str | None] = []
    for i in range(n):
        kind = i % 20
        if kind == 0:
            out.append(None)
        elif kind == 1:
            out.append("")
        elif kind == 2:
            out.append(rng.choice(["a", "é", "東", "😀", "ab", "abc", "abcd", " ", "12"]))
        elif kind == 3 and i % 100 == 3:
            out.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(long, long * 7 // 4))))
        elif kind in (4, 5) and i >= 20:
            base = out[i - 12] or "order late"  # a prose row (12 and 13 mod 20)
            words = base.split(" ")
            if kind == 4 and len(words) > 3:
                words.pop(rng.randrange(len(words)))
            out.append(" ".join(words))
        elif kind == 6 and i >= 20:
            out.append(out[i - 13])
        else:
            out.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 60))))
    return out


def _table(n: int = N) -> pd.DataFrame:
    """The corpus as notes, with vetoing columns as the clean stage leaves them: a city in any case, an amount some of
    whose values failed their type (``amount__raw``), a day with dropped times and assumed day orders, an account
    some of whose values Excel mangled. Its long texts have 150 words or more (the token checks of their pairs cost
    seconds each at 2,000)."""
    rng = np.random.default_rng(3)
    notes = pd.Series(_corpus(n, long=150), dtype="string")  # long texts of a 26-word vocabulary are all near copies: verified pairwise
    city = pd.Series([["Oslo", "oslo", "OSLO", "Lima", None, "  Lima "][int(x)] if i % 9 else "Oslo"
                      for i, x in enumerate(rng.integers(0, 6, n))], dtype="string")
    amount = pd.Series([float(i % 2) if i % 31 else None for i in range(n)], dtype="Float64")
    amount_raw = pd.Series([None if i % 31 else f"{i % 3},5" for i in range(n)], dtype="string")
    amount_reason = pd.Series([None if i % 31 else "not_a_number" for i in range(n)], dtype="string")
    day = pd.Series(pd.to_datetime(["2026-01-0" + str(1 + i % 2) for i in range(n)]).date, dtype="date32[pyarrow]")
    day_reason = pd.Series([["time_dropped", "day_order", None, "dotted_day_order; time_dropped"][i % 4] if i % 3 else None
                            for i in range(n)], dtype="string")
    day_raw = pd.Series([f"0{1 + i % 4}/0{1 + i % 3}/2026 {9 + i % 5}:00" if i % 3 else None for i in range(n)], dtype="string")
    account = pd.Series([f"AC-{i % 40}" if i % 5 else None for i in range(n)], dtype="string")
    account_reason = pd.Series(["excel_scientific_notation" if i % 11 == 0 else None for i in range(n)], dtype="string")
    return pd.DataFrame({
        ROW_ID: [f"id{i:06d}" for i in range(n)], SOURCE: "2026-11-20/x.csv", LINE: np.arange(2, n + 2, dtype=np.int64),
        "city": city, "amount": amount, "amount__raw": amount_raw, "amount__reason": amount_reason,
        "day": day, "day__raw": day_raw, "day__reason": day_reason, "account": account, "account__reason": account_reason,
        "notes": notes,
    })


DECLARED = {"city": "string", "amount": "number", "day": "date", "account": "string", "notes": "text"}


def _spill(frame: pd.DataFrame, tmp: Path, bounds: list[int], drop: dict[int, list[str]] | None = None) -> list[Path]:
    """``frame`` written as the runner spills it between passes (``_SpillParts``), one part a slice of ``bounds``;
    ``drop``: columns a part lacks (a ``__raw`` only some batches needed)."""
    parts = []
    for k, (lo, hi) in enumerate(zip(bounds, bounds[1:])):
        part = tmp / f"part-{k:05d}.parquet"
        frame.iloc[lo:hi].drop(columns=(drop or {}).get(k, [])).to_parquet(
            part, index=False, compression=None, use_dictionary=False, write_statistics=False)
        parts.append(part)
    return parts


@pytest.mark.parametrize(("num_perm", "k", "block"), [(128, 5, 1024), (128, 5, 37), (64, 3, 1024), (100, 5, 256)])
def test_signatures_of_the_corpus_equal_the_reference(num_perm: int, k: int, block: int) -> None:
    corpus = _corpus()
    texts = minhash.record_text(pd.DataFrame({"notes": pd.Series(corpus, dtype="string")}), ["notes"])
    got = minhash.minhash_signatures(texts, num_perm, k, 1, block)
    want = minhash_reference.minhash_signatures(texts, num_perm, k, 1, block)
    assert got.shape == (N, num_perm)
    assert np.array_equal(got, want)
    blank = (got == minhash.EMPTY).all(axis=1)
    assert blank.tolist() == [not t for t in corpus]  # the missing and the empty texts, and only they, have no shingle
    assert blank.sum() == 2 * N // 20
    assert not (got[~blank] == minhash.EMPTY).any()  # every other row densified whole


def test_densify_of_blank_rows_among_others_equals_the_reference() -> None:
    rng = np.random.default_rng(0)
    sig = rng.integers(0, 2**32 - 1, (500, 128), dtype=np.uint32)
    sig[rng.random(sig.shape) < 0.6] = minhash.EMPTY
    sig[::7] = minhash.EMPTY  # blank rows: they stay blank
    sig[3] = minhash.EMPTY
    sig[3, 5] = 9  # one bin filled: every other bin copies it
    got = minhash._densify(sig.copy(), 1)
    assert np.array_equal(got, minhash_reference._densify(sig.copy(), 1))
    assert (got[::7] == minhash.EMPTY).all() and (got[3] == 9).all()


@pytest.fixture(params=["in memory", "from disk"])
def spilled(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The table as the runner's spilled batches, read whole into memory (a small spill) or column by column from disk."""
    if request.param == "from disk":
        monkeypatch.setattr(runner, "SMALL_SPILL_BYTES", 0)
    frame = _table()
    return frame, _spill(frame, tmp_path, [0, 2_500, 2_501, 4_000, N])


def _decisions(step: NearDuplicateText) -> dict:
    return {line: tuple(None if isinstance(x, float) and x != x else x for x in d) for line, d in (step.found or {}).items()}


def test_the_fit_over_spilled_batches_decides_as_over_whole_columns(spilled, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    frame, parts = spilled
    options = DedupOptions(linkage={"numeric_tolerance": 0.1})
    pairs: list[tuple[np.ndarray, np.ndarray]] = []
    unique = matching.unique_pairs
    monkeypatch.setattr(matching, "unique_pairs", lambda a, b: pairs.append(unique(a, b)) or pairs[-1])
    whole = NearDuplicateText(options, DECLARED)
    whole.fit({c: frame[c] for c in frame.columns})
    read_together = []
    frames_of = runner._Columns._frames_of
    monkeypatch.setattr(runner._Columns, "_frames_of", lambda self, names: read_together.append(list(names)) or frames_of(self, names))
    spilled_step = NearDuplicateText(options, DECLARED)
    spilled_step.fit(runner._Columns(parts))
    assert len(pairs) == 2 and np.array_equal(pairs[0][0], pairs[1][0]) and np.array_equal(pairs[0][1], pairs[1][1])  # candidate pairs
    assert len(pairs[0][0]) > 500
    assert _decisions(spilled_step) == _decisions(whole)
    assert spilled_step.stats == whole.stats
    assert len(whole.found) > 200 and whole.stats["vetoed_columns"] > 50 and whole.stats["vetoed_identifier"] > 0
    # the vetoes' columns in one read a batch: each checked column, its __raw and __reason where the table has them
    assert read_together == [["city", "amount", "amount__raw", "amount__reason", "day", "day__raw", "day__reason",
                              "account", "account__reason"]]


@pytest.mark.parametrize("drop", [None, {1: ["amount__raw"]}, {0: ["city"]}])
def test_vetoes_read_together_equal_those_read_column_by_column(drop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(runner, "SMALL_SPILL_BYTES", 0)
    frame = _table(1_500)
    parts = _spill(frame, tmp_path, [0, 400, 1_100, 1_500], drop)
    spilled = _Recent.of(runner._Columns(parts))
    read_whole = {c: runner._Columns(parts)[c].reset_index(drop=True) for c in frame.columns}  # missing values where a part lacks it
    checked = ["city", "amount", "day", "account"]
    rows = np.unique(np.random.default_rng(1).integers(0, 1_500, 600))
    got = Vetoes.build(spilled, checked, {"amount"}, 0.1, rows=rows)
    monkeypatch.setattr(runner._Columns, "piece_frames", lambda self, names: None)  # column by column, as before
    by_column = Vetoes.build(_Recent.of(runner._Columns(parts)), checked, {"amount"}, 0.1, rows=rows)
    full = Vetoes.build(read_whole, checked, {"amount"}, 0.1)
    for built in (by_column, full):
        a, b = np.random.default_rng(2).choice(rows, (2, 4_000))
        assert got.check(a, b).tolist() == built.check(a, b).tolist()
        assert got.agreed(a, b) == built.agreed(a, b)
    assert got.codes.keys() == by_column.codes.keys() and got.values.keys() == by_column.values.keys()
    assert all(np.array_equal(got.codes[c], by_column.codes[c]) for c in got.codes)
    assert all(np.array_equal(got.values[c], by_column.values[c], equal_nan=True) for c in got.values)
    assert {c: [w.tolist() for w in ws] for c, ws in got.times.items()} == {c: [w.tolist() for w in ws] for c, ws in by_column.times.items()}
    assert got.check(*np.random.default_rng(2).choice(rows, (2, 4_000))).any()


def _integers_as_it_was(series: pd.Series) -> np.ndarray | None:
    if series.isna().any() or not len(series):
        return None
    text = series.astype(str)
    if text.str.fullmatch(r"-?\d{1,18}").all():
        return text.astype(np.int64).to_numpy()
    return None


@pytest.mark.parametrize("case", ["digits", "late letter", "early letter", "short", "too long", "minus", "unicode digits", "empty"])
def test_integers_of_a_string_column_as_before(case: str) -> None:
    values = [str(i * 7 - 50) for i in range(3_000)]
    if case == "late letter":
        values[2_500] = "12a"  # after the probe: the whole column decides
    elif case == "early letter":
        values[10] = "x"
    elif case == "short":
        values = ["1", "2", "3"]
    elif case == "too long":
        values[1_999] = "1" * 19
    elif case == "minus":
        values[1_500] = "--3"
    elif case == "unicode digits":
        values[1_200] = "١٢"  # Arabic-Indic digits: \d matches them, and so did the code before
    elif case == "empty":
        values = []
    series = pd.Series(values, dtype="string")
    got, want = _integers(series), _integers_as_it_was(series)
    assert (got is None) == (want is None)
    if want is not None:
        assert np.array_equal(got, want)
    assert (want is None) == (case not in ("digits", "short", "unicode digits"))  # the cases say what they test (\\d reads ١٢ as 12)
    assert dedup_columns.INTEGER_PROBE < 2_500


def _row_texts_as_it_was(frame, columns, rows):  # type: ignore[no-untyped-def]
    parts = [dedup_columns.rows_of(frame, c, rows).tolist() for c in columns]
    return {row: "\n".join(str(v) for v in values if v is not None and v is not pd.NA and not (isinstance(v, float) and v != v))
            for row, *values in zip(rows.tolist(), *parts)}


@pytest.mark.parametrize("column", ["notes", "amount", "object", "float"])
def test_the_texts_of_one_column_as_the_join_made_them(column: str) -> None:
    frame = _table(800)
    frame["object"] = pd.Series([None, "a", 3, pd.NA, "東京 😀", 2.5, float("nan"), ""] * 100, dtype=object)
    frame["float"] = pd.Series([1.0, float("nan"), 2.5, None] * 200, dtype="float64")
    rows = np.arange(0, 800, 3)
    columns = {c: frame[c] for c in frame.columns}
    got = matching._row_texts(columns, [column], rows)
    assert got == _row_texts_as_it_was(columns, [column], rows)
    assert matching._row_texts(columns, ["notes", column], rows) == _row_texts_as_it_was(columns, ["notes", column], rows)
    assert "" in got.values()


def _values(seed: int, n: int = 20_000) -> list[str | None]:
    """Values of every shape for the comparisons: ASCII letters in every case pattern, digits, the ASCII
    whitespace str.strip() strips (\\x1c-\\x1f too) and control characters it keeps, underscores, punctuation;
    non-ASCII letters, digits and spaces (``É``, ``ß``, ``²``, ``١``, no-break and ideographic spaces); missing values."""
    rng = random.Random(seed)
    pieces = ["a", "b", "z", "A", "B", "Z", "Mc", "Donald", "mW", "MW", "Co", "CO", "ID", "Id", "iD", "ab", "AB", "Ab", "aB", "ABc",
              "0", "7", "_", "-", ".", "@", " ", "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1f", "\x00", "\x7f", "\x1b",
              "É", "é", "ß", "ǅ", "²", "١", "\xa0", "\u3000", "\x85", "東", "😀", "ﬁ", "İ", "Σ"]
    out: list[str | None] = []
    for _ in range(n):
        if rng.random() < 0.05:
            out.append(None)
            continue
        count = rng.randint(0, 6)
        ascii_only = rng.random() < 0.7
        choice = [p for p in pieces if p.isascii()] if ascii_only else pieces
        out.append("".join(rng.choice(choice) for _ in range(count)))
    return out


@pytest.mark.parametrize("fold_case", [False, True])
@pytest.mark.parametrize("dtype", ["string", "str"])
@pytest.mark.parametrize("seed", range(3))
def test_comparable_strings_equal_the_values_compared_one_by_one(fold_case: bool, dtype: str, seed: int) -> None:
    values = _values(seed)
    series = pd.Series(values, dtype=dtype)
    got = dedup_columns.comparable(series, fold_case)
    want = dedup_columns.comparable(pd.Series(values, dtype=object), fold_case)  # one value at a time, as before
    assert got == want
    assert len(got) == len(values) and None in got
    if not fold_case:
        assert "ab" in got and "AB" in got and "MW" in got and "mW" in got  # folded and kept as written, both seen
    small = pd.Series(values[: dedup_columns.ARROW_COMPARABLE_MIN - 1], dtype=dtype)  # too few for the kernels
    assert dedup_columns.comparable(small, fold_case) == want[: len(small)]


def _band_keys_as_they_were(sig: np.ndarray, bands: int, seed: int) -> np.ndarray:
    n, num_perm = sig.shape
    rows = num_perm // bands
    if rows % 2 == 0:
        parts = np.ascontiguousarray(sig).view(np.uint64).reshape(n, bands, rows // 2)
    else:
        parts = sig.reshape(n, bands, rows).astype(np.uint64)
    acc = np.zeros((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(parts.shape[2]):
            acc += parts[:, :, j] * np.uint64(minhash.seed64(seed * 1000 + j) | 1)
        acc ^= np.arange(bands, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    return minhash.mix64(acc)


def _band_codes_as_they_were(keys: np.ndarray, valid: np.ndarray) -> np.ndarray:
    codes = np.full(len(keys), -1, dtype=np.int64)
    ordered = np.sort(keys[valid])
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return codes
    shared = ordered[1:][same]
    shared = shared[np.concatenate([[True], shared[1:] != shared[:-1]])]
    mask = max(1 << 16, 1 << (4 * len(shared)).bit_length()) - 1
    table = np.zeros(mask + 1, dtype=bool)
    table[shared.view(np.int64) & mask] = True
    maybe = np.flatnonzero(valid & table[keys.view(np.int64) & mask])
    at = np.minimum(np.searchsorted(shared, keys[maybe]), len(shared) - 1)
    hit = shared[at] == keys[maybe]
    codes[maybe[hit]] = at[hit]
    return codes


@pytest.mark.parametrize(("num_perm", "bands"), [(128, 16), (128, 32), (96, 32), (64, 8)])
def test_band_keys_and_codes_of_the_corpus_equal_the_code_before(num_perm: int, bands: int) -> None:
    texts = minhash.record_text(pd.DataFrame({"notes": pd.Series(_corpus(), dtype="string")}), ["notes"])
    sig = minhash.minhash_signatures(texts, num_perm, 5, 1)
    keys = minhash.band_keys(sig, bands, 1)
    assert len(sig) > minhash.BAND_BLOCK  # computed by blocks
    assert np.array_equal(keys, _band_keys_as_they_were(sig, bands, 1))
    valid = sig[:, 0] != minhash.EMPTY
    pairs_now, pairs_before = [], []
    for k in range(bands):
        now, before = matching.band_codes(keys[:, k], valid), _band_codes_as_they_were(keys[:, k], valid)
        assert np.array_equal(now, before)
        for codes, out in ((now, pairs_now), (before, pairs_before)):
            out.append(matching.block_pairs(codes, matching.TEXT_BUCKET_CAP, big="leaders")[:2])
    a, b = matching.unique_pairs(*(np.concatenate([p[i] for p in pairs_now]) for i in (0, 1)))
    assert len(a) > 1_000  # the planted copies (and the empty texts have no key that counts)
    assert valid[a].all() and valid[b].all()  # pairs of rows with text only


def test_band_codes_with_low_bits_shared_by_keys_held_once() -> None:
    """Keys whose low 16 bits equal a shared key's (the bit table lets their rows through) get no code."""
    rng = np.random.default_rng(4)
    base = rng.integers(0, 2**47, 5_000, dtype=np.uint64) << np.uint64(16)
    keys = np.concatenate([base | np.uint64(7), base[:300] | np.uint64(7), base[300:600] | np.uint64(9)])
    rng.shuffle(keys)
    valid = rng.random(len(keys)) > 0.05
    got = matching.band_codes(keys, valid)
    assert np.array_equal(got, _band_codes_as_they_were(keys, valid))
    assert 0 < (got >= 0).sum() < 700


def test_piece_frames_of_the_runners_own_spill_equal_its_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over parts the runner's own spill writes (``_SpillParts``, in whatever format it writes them), read from disk,
    ``piece_frames`` gives every column as ``pieces`` does: a change of the spill's format must change both reads."""
    monkeypatch.setattr(runner, "SMALL_SPILL_BYTES", 0)
    frame = _table(3_000)
    out = runner._SpillParts(tmp_path / "spill.parquet")
    for lo in range(0, 3_000, 1_000):
        out.add(frame.iloc[lo : lo + 1_000].reset_index(drop=True))
    columns = runner._Columns(out.parts)
    names = list(frame.columns)
    frames = columns.piece_frames(names)
    assert frames is not None
    frames = list(frames)
    assert len(frames) == 3
    for name in names:
        pieces = list(columns.pieces(name))
        assert len(pieces) == 3
        for got, want in zip(frames, pieces):
            pd.testing.assert_series_equal(got[name], want)
    assert columns.piece_frames([*names, "not_a_column"]) is None


@pytest.mark.parametrize("case", ["empty", "one", "none_valid", "one_shared", "all_low_bits_equal", "high_bits", "no_sharing",
                                  "over_4m_slots", "all_equal"])
def test_band_codes_after_the_low_bit_count_equal_the_code_before(case: str) -> None:
    """The keys counted by their low bits before the sort (only keys whose low bits are held twice are sorted) give the
    codes the sort of every valid key gave: edge sizes, keys alike in their low bits, keys with the top bit set, and a
    table at its 22-bit cap (over a million keys)."""
    rng = np.random.default_rng(len(case))
    n = {"empty": 0, "one": 1, "over_4m_slots": 1_100_000}.get(case, 20_000)
    keys = rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64)
    valid = rng.random(n) > 0.1
    if case == "none_valid":
        valid[:] = False
    if case == "one_shared" and n:
        keys[5], valid[[3, 5]] = keys[3], True
    if case == "all_low_bits_equal":  # every key passes the count; the sort decides
        keys = (keys << np.uint64(24)) | np.uint64(0xABCDEF)
        keys[rng.integers(0, n, 500)] = keys[rng.integers(0, n, 500)]
    if case in ("high_bits", "over_4m_slots"):
        keys |= np.uint64(1 << 63)
        keys[rng.integers(0, n, 3_000)] = keys[rng.integers(0, n, 3_000)]
    if case == "all_equal":
        keys[:] = np.uint64(0xFFFFFFFFFFFFFFFF)
    got = matching.band_codes(keys, valid)
    assert np.array_equal(got, _band_codes_as_they_were(keys, valid))
    if case in ("one_shared",):
        assert got.tolist().count(0) == 2 and (got >= 0).sum() == 2
    if case in ("all_low_bits_equal", "high_bits", "over_4m_slots"):
        assert (got >= 0).sum() > 100
    if case == "all_equal":
        assert np.array_equal(got >= 0, valid) and set(got[valid].tolist()) == {0}
