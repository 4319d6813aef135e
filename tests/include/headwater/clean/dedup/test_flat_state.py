"""The whole-file dedup state stays small: signatures in blocks, columns read one at a time, compact exact-dedup ids."""

from collections.abc import Iterator, Mapping

import numpy as np
import pandas as pd
import pytest

import headwater.clean.dedup.matching as matching
from headwater.clean.dedup.columns import _typed_or_raw, codes_of, comparable, decide_roles, reads_as_prose
from headwater.clean.dedup.exact import ExactDuplicates
from headwater.clean.dedup.fuzzy import NearDuplicateText
from headwater.clean.dedup.minhash import EMPTY, band_keys, estimate_similarity, minhash_signatures, record_text
from headwater.clean.frame import assign_row_ids, build_frame
from headwater.clean.steps.base import DUPLICATE_OF, LINE
from headwater.config.dedup import TextDedupOptions


class _Counting(Mapping[str, pd.Series]):
    """Whole columns that count each read, as the runner's columns (read from disk on each access) would cost."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame, self.reads = frame, {c: 0 for c in frame.columns}

    def __getitem__(self, name: str) -> pd.Series:
        series = self.frame[name]
        self.reads[name] += 1
        return series

    def __iter__(self) -> Iterator[str]:
        return iter(self.frame.columns)

    def __len__(self) -> int:
        return len(self.frame.columns)


def _texts(n: int) -> pd.DataFrame:
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    notes = [" ".join(words[(i + k) % 8] for k in range(9)) + f" {i % 5}" if i % 11 else None for i in range(n)]
    return pd.DataFrame({"notes": pd.Series(notes, dtype="string"), "city": pd.Series(["Oslo", "Lima"] * (n // 2), dtype="string")})


def test_signatures_in_blocks_equal_the_whole_table_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    opts = TextDedupOptions()
    df = _texts(50)
    sig = minhash_signatures(record_text(df, ["notes", "city"]), opts.num_perm, opts.shingle_size, opts.seed)
    monkeypatch.setattr(matching, "SIGNATURE_BLOCK", 7)  # 50 rows: 8 blocks, the last one short
    sig8, bands, valid = matching.text_signatures({c: df[c] for c in df.columns}, ["notes", "city"], opts)
    assert np.array_equal(sig8, (sig & 0xFF).astype(np.uint8))
    assert np.array_equal(bands, band_keys(sig, opts.bands, opts.seed))
    assert valid.tolist() == (sig[:, 0] != EMPTY).tolist()
    assert sig8.dtype == np.uint8 and bands.dtype == np.uint64 and sig8.shape == (50, opts.num_perm)


def test_roles_read_each_column_once() -> None:
    frame = pd.DataFrame({
        "notes": _texts(12)["notes"], "n": pd.Series(range(12), dtype="Int64"), "city": _texts(12)["city"],
        "amount": pd.Series([1.5] * 12, dtype="Float64"),
    })
    columns = _Counting(frame)
    roles = decide_roles(columns, {}, None, min_chars=20, min_words=3)
    assert roles.text == ("notes",) and roles.counters == ("n",) and roles.numeric == ("n", "amount")
    assert columns.reads == {"notes": 1, "n": 1, "city": 1, "amount": 1}


def test_roles_of_configured_text_columns_skip_reading_them() -> None:
    columns = _Counting(pd.DataFrame({"notes": _texts(4)["notes"], "city": _texts(4)["city"]}))
    roles = decide_roles(columns, {}, ["notes"])
    assert roles.text == ("notes",) and roles.kinds == {"notes": "text", "city": "string"}
    assert columns.reads == {"notes": 0, "city": 1}


def test_near_text_fit_holds_a_few_columns_at_a_time() -> None:
    rows = [[f"{i}", "Oslo", "the quick brown fox jumps over the lazy dog again and again" + (" !" if i % 2 else "")] for i in range(6)]
    df, _ = build_frame(["code", "city", "notes"], rows, list(range(2, 8)), "2026-11-20/x.csv")
    df = assign_row_ids(df)
    step = NearDuplicateText(declared={"code": "string", "city": "string", "notes": "text"})
    columns = _Counting(df)
    step.fit(columns)
    assert columns.reads["_source"] == 0  # what the fit does not need is never read
    assert all(n == 1 for c, n in columns.reads.items() if c != "_source")  # the rest once each (a few kept at a time)
    assert sorted(step.found) == [3, 4, 5, 6, 7]  # rows 1-5 near-copy row 0 (line 2)


def test_exact_ids_are_kept_as_bytes_and_come_back_as_text() -> None:
    step = ExactDuplicates()
    first, _ = build_frame(["a", "b"], [["x", "1"], ["y", "2"]], [2, 3], "2026-11-20/x.csv")
    second, _ = build_frame(["a", "b"], [["y", "2"], ["z", "3"]], [4, 5], "2026-11-20/x.csv")
    step.apply(assign_row_ids(first))
    out = step.apply(assign_row_ids(second))
    assert step._ids.dtype == np.dtype("V16") and len(step._ids) == 3  # 16 raw bytes an id (keys6; was S32 text)
    assert out.duplicates[LINE].tolist() == [4]
    assert out.duplicates[DUPLICATE_OF].tolist() == assign_row_ids(first)["_row_id"].tolist()[1:]
    assert isinstance(out.duplicates[DUPLICATE_OF].iloc[0], str)


def test_pair_similarity_in_blocks_equals_all_pairs_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    sig8 = rng.integers(0, 4, size=(40, 128), dtype=np.uint8)  # few values: many equal bytes, varied estimates
    a, b = rng.integers(0, 40, size=101), rng.integers(0, 40, size=101)
    whole = estimate_similarity(sig8[a], sig8[b])
    monkeypatch.setattr(matching, "PAIR_BLOCK", 16)  # 101 pairs: 7 blocks, the last one short
    assert np.array_equal(matching.pair_similarity(sig8, a, b), whole)
    assert matching.pair_similarity(sig8, a[:0], b[:0]).shape == (0,)


@pytest.mark.parametrize(
    "typed, raw",
    [
        (pd.Series([1.5, None, 2.0, None, 1.5, None, None, 3.0], dtype="Float64"),
         pd.Series([None, "Abc", None, " abc", None, None, "x", None], dtype="string")),
        (pd.Series([1, None, 3, None], dtype="Int64"), pd.Series([None, None, None, ""], dtype="string")),
        (pd.Series([None, None], dtype="Float64"), pd.Series(["raw:1", "1"], dtype="string")),
    ],
)
def test_vetoes_of_a_typed_column_with_raw_text_code_it_as_the_per_value_comparison(typed: pd.Series, raw: pd.Series) -> None:
    per_value = codes_of([t if t is not None else (None if r is None else "raw:" + r) for t, r in zip(comparable(typed), comparable(raw))])
    assert _typed_or_raw(typed, raw).tolist() == per_value.tolist()


@pytest.mark.parametrize(
    "values, prose",
    [
        (["one two", "x\u00a0y\u2003z", None, "   "], True),  # 2, 3, 0 words: mean 5/3 >= 1.5 (NBSP and em space split words)
        (["a\x1cb", "c\u200bd"], True),  # \x1c is whitespace to str.split, U+200B is not: 2 and 1 words, mean 1.5
        (["one", "two"], False),
    ],
)
def test_prose_words_count_as_str_split_does(values: list, prose: bool) -> None:
    series = pd.Series(values, dtype="string")
    split_mean = float(series.dropna().str.split().str.len().mean())
    assert (split_mean >= 1.5) == prose
    assert reads_as_prose(series, 1, 1.5) == prose
