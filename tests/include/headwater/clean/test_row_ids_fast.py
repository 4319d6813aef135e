"""Row ids and exact-duplicate keys after sprow16 (float texts through Python floats, the payload suffix hashed apart,
the ids hexed at once into an Arrow-backed column, only present ``__raw`` values hashed): byte-identical to the code
before, spelled out here row by row (``ref_row_id``) on invented frames: 0 rows, 1 row, missing values, non-ASCII,
a 1 MB value, every dtype, derived columns, masked rows with and without a digest, a non-default index."""

from __future__ import annotations

import hashlib
import random
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from headwater import SCHEMA_VERSION
from headwater.clean.dedup.exact import ExactDuplicates, _keys
from headwater.clean.dedup.minhash import hash_strings
from headwater.clean.frame import _blake2b_hex, assign_row_ids, value_texts
from headwater.clean.steps.base import (
    ARTEFACT_ONLY_RE, DERIVED_SUFFIXES, LINE, MASKED_DIGEST, MASKED_REASON, RAW_SUFFIX, REASON_SUFFIX, ROW_ID, SOURCE,
)
from headwater.ids import SEPARATOR, stable_id


# ---------------------------------------------------------------- the behaviour before, row by row (reference)

def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (not isinstance(v, str) and bool(pd.isna(v)))


def _text(v: object) -> str:
    return "" if _missing(v) else str(v)


def ref_row_id(df: pd.DataFrame, i: int) -> str:
    """The payload as assign_row_ids documented it, one row, pure Python: schema version, source, every value column
    (``str`` of the value as the column holds it, "" when missing), then ``SEP name=value`` for each derived value
    present (a ``__raw`` left out when its reason names encoding artefacts only; reasons never), then ``SEP tag`` when
    a reason says masked (the digest, else the line). BLAKE2b, 16 bytes, hex."""
    cols = [c for c in df.columns if not c.startswith("_")]
    derived = [c for c in cols if c.endswith(DERIVED_SUFFIXES)]
    row = {c: list(df[c].iloc[i : i + 1])[0] for c in df.columns}  # each value as iterating its column gives it
    payload = SEPARATOR.join([SCHEMA_VERSION, _text(row[SOURCE]), *(_text(row[c]) for c in cols if c not in derived)])
    for c in derived:
        if c.endswith(REASON_SUFFIX) or _missing(row[c]):
            continue
        if c.endswith(RAW_SUFFIX):
            reason = row.get(c[: -len(RAW_SUFFIX)] + REASON_SUFFIX)
            if isinstance(reason, str) and re.fullmatch(ARTEFACT_ONLY_RE, reason):
                continue
        payload += SEPARATOR + f"{c}={row[c]}"
    reasons = [row[c] for c in df.columns if c.endswith(REASON_SUFFIX)]
    if any(isinstance(r, str) and r.startswith(MASKED_REASON) for r in reasons) and LINE in df.columns:
        d = row.get(MASKED_DIGEST)
        payload += SEPARATOR + (f"{MASKED_DIGEST}={d}" if isinstance(d, str) else f"{LINE}={int(row[LINE])}")
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()


def ref_raw_part(df: pd.DataFrame) -> np.ndarray:
    """The ``__raw`` part of exact_keys before: every cell named and hashed, the missing ones then zeroed."""
    n = len(df)
    out = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in sorted(c for c in df.columns if not c.startswith("_") and c.endswith(RAW_SUFFIX)):
            reason = df.get(c[: -len(RAW_SUFFIX)] + REASON_SUFFIX)
            texts = []
            for i in range(n):
                v = df[c].iloc[i]
                r = None if reason is None else reason.iloc[i]
                hidden = isinstance(r, str) and re.fullmatch(ARTEFACT_ONLY_RE, r)
                texts.append(None if (v is None or v is pd.NA or hidden) else f"{c}={v}")
            h = hash_strings(pa.array([t or "" for t in texts], pa.large_string()))
            out += np.where([t is not None for t in texts], h, np.uint64(0))
    return out


# ---------------------------------------------------------------- invented frames

FLOATS = [0.0, -0.0, 1.0, 1.5, 0.1 + 0.2, 1e16, 1e15, 9999999999999998.0, 1e-4, 1e-5, 123456789.125, 5e-324,
          1.7976931348623157e308, -2.5e-300, float("inf"), float("-inf"), 3.0, 100.0]


def typed_frame(n: int, seed: int = 0, index: list[int] | None = None) -> pd.DataFrame:
    rng = random.Random(seed)
    pick = lambda xs: [rng.choice(xs) for _ in range(n)]  # noqa: E731
    df = pd.DataFrame({
        SOURCE: ["2026-11-20/a.csv"] * n,
        LINE: list(range(2, n + 2)),
        "text": pd.Series(pick([None, "", "alpha", "Zürich", "東京", "ا ب", "mail [EMAIL]", "x" * 1_000_000, "e\u0301"]), dtype="string"),
        "Float64": pd.Series(pick([None, *FLOATS]), dtype="Float64"),
        "float64": pd.Series(pick([float("nan"), *FLOATS]), dtype="float64"),
        "Int64": pd.Series(pick([None, 0, -7, 2**62]), dtype="Int64"),
        "int64": pd.Series(pick([0, -1, 2**63 - 1]), dtype="int64"),
        "bool": pd.Series(pick([True, False]), dtype=bool),
        "boolean": pd.Series(pick([None, True, False]), dtype="boolean"),
        "object": pd.Series(pick([None, "1", 1, 1.0, True, "é"]), dtype=object),
        "date32": pd.Series(pa.array(pick([None, 19000, 0, -365]), pa.int32()).cast(pa.date32()), dtype=pd.ArrowDtype(pa.date32())),
        "datetz": pd.to_datetime(pd.Series(pick([None, "2024-01-15 10:15", "2025-06-01"])), utc=True, format="ISO8601"),
        "float32": pd.Series(pick([0.1, 2.5, 1e20]), dtype="float32"),
    })
    reasons = pick([None, "na_spelling", "normalized: trim", "normalized: nfc, trim", "masked: emails", "two_digit_year"])
    df.insert(df.columns.get_loc("text") + 1, "text__raw",
              pd.Series([None if r is None or r.startswith("masked") else rng.choice(["NA", " alpha ", "ü", ""]) for r in reasons], dtype="string"))
    df.insert(df.columns.get_loc("text") + 2, "text__reason", pd.Series(reasons, dtype="string"))
    df.insert(df.columns.get_loc("float64") + 1, "float64__imputed", pd.Series(pick([True, False]), dtype=bool))
    df[MASKED_DIGEST] = pd.Series(pick([None, "text=ab12", "text=ff00"]), dtype="string")
    if index is not None:
        df.index = index
    return df


# ---------------------------------------------------------------- tests

def test_float_texts_are_numpy_scalar_str():
    """Python floats format as numpy float64 scalars (the old texts): random bit patterns and edge values."""
    bits = np.random.default_rng(16).integers(0, 2**64, size=300_000, dtype=np.uint64)
    values = np.concatenate([bits.view(np.float64), np.array(FLOATS)])
    values = values[~np.isnan(values)]
    for dtype in ("Float64", "float64"):
        series = pd.Series(values, dtype=dtype)
        assert value_texts(series).to_pylist() == [str(np.float64(v)) for v in values], dtype


def test_float_texts_missing_and_nan():
    masked = pd.Series([None, 1.5, -0.0, 1.5], dtype="Float64")
    assert value_texts(masked).to_pylist() == [None, "1.5", "-0.0", "1.5"]
    plain = pd.Series([float("nan"), 1e16, -0.0, 0.0])
    assert value_texts(plain).to_pylist() == [None, "1e+16", "-0.0", "0.0"]
    assert value_texts(pd.Series([None, None], dtype="Float64")).to_pylist() == [None, None]


@pytest.mark.parametrize("n,seed", [(1, 0), (1, 3), (2, 1), (40, 2), (300, 7)])
def test_row_ids_equal_the_row_by_row_payload(n, seed):
    df = typed_frame(n, seed)
    got = assign_row_ids(df)[ROW_ID].tolist()
    assert got == [ref_row_id(df, i) for i in range(n)]


def test_row_ids_of_a_frame_without_derived_or_masked_columns():
    df = typed_frame(50, 4).drop(columns=["text__raw", "text__reason", "float64__imputed", MASKED_DIGEST])
    assert assign_row_ids(df)[ROW_ID].tolist() == [ref_row_id(df, i) for i in range(50)]


def test_row_ids_masked_without_digest_tag_the_line():
    df = pd.DataFrame({SOURCE: ["s"] * 3, LINE: [7, 8, 9], "a": pd.Series(["mail [EMAIL]"] * 3, dtype="string"),
                       "a__reason": pd.Series(["masked: emails", None, "masked: emails"], dtype="string")})
    ids = assign_row_ids(df)[ROW_ID].tolist()
    base = SEPARATOR.join([SCHEMA_VERSION, "s", "mail [EMAIL]"])
    h = lambda p: hashlib.blake2b(p.encode("utf-8"), digest_size=16).hexdigest()  # noqa: E731
    assert ids == [h(base + SEPARATOR + f"{LINE}=7"), h(base), h(base + SEPARATOR + f"{LINE}=9")]
    assert ids[1] == stable_id("s", "mail [EMAIL]")


def test_row_ids_column_dtype_index_and_zero_rows():
    df = typed_frame(5, 9, index=[50, 3, 9, 0, 12])
    out = assign_row_ids(df)
    assert list(out.index) == [50, 3, 9, 0, 12]
    assert out[ROW_ID].tolist() == [ref_row_id(df, i) for i in range(5)]
    assert out[ROW_ID].dtype == pd.Series(["0" * 32]).dtype  # what a list of the hex ids became before
    assert ROW_ID not in df.columns
    repeated = typed_frame(4, 9, index=[1, 1, 0, 1])  # labels repeat: the ids go in by position
    assert assign_row_ids(repeated)[ROW_ID].tolist() == [ref_row_id(repeated, i) for i in range(4)]
    empty = assign_row_ids(typed_frame(0))
    assert len(empty) == 0 and str(empty[ROW_ID].dtype) == "string"


def test_blake2b_hex_with_and_without_suffix():
    payloads = pa.array(["", None, "abc", "é" * 3, "x" * 100_000, "tail"], pa.large_string())
    def want(suffixes):
        return [hashlib.blake2b(((p or "") + (s or "")).encode("utf-8"), digest_size=16).hexdigest()
                for p, s in zip(payloads.to_pylist(), suffixes)]
    assert _blake2b_hex(payloads).to_pylist() == want([""] * 6)
    assert _blake2b_hex(payloads.slice(2, 3)).to_pylist() == want([""] * 6)[2:5]
    for suffixes in (["", "", "", "", "", ""], ["\x1fa=1"] * 6, ["", "\x1fb=ü", "", "", "\x1f_line=3", ""]):
        assert _blake2b_hex(payloads, pa.array(suffixes, pa.large_string())).to_pylist() == want(suffixes), suffixes
    assert _blake2b_hex(pa.array([], pa.large_string())).to_pylist() == []


@pytest.mark.parametrize("n,seed", [(0, 0), (1, 0), (1, 5), (30, 1), (200, 2)])
def test_exact_keys_raw_part_equals_every_cell_hashed(n, seed):
    df = typed_frame(n, seed).drop(columns=["object"])  # Arrow reads no object column of mixed types (exact keys, before too)
    base, _ = _keys(df.drop(columns=["text__raw"]))
    keys, _ = _keys(df)
    with np.errstate(over="ignore"):
        assert np.array_equal(keys - base, ref_raw_part(df))


def test_exact_keys_raw_column_all_missing_or_all_present():
    df = typed_frame(20, 3).drop(columns=["object"])
    for fill in (None, "NA"):
        other = df.assign(**{"text__raw": pd.Series([fill] * 20, dtype="string"), "text__reason": pd.Series(["na_spelling"] * 20, dtype="string")})
        base, _ = _keys(other.drop(columns=["text__raw"]))
        keys, _ = _keys(other)
        with np.errstate(over="ignore"):
            assert np.array_equal(keys - base, ref_raw_part(other)), fill
        if fill is None:
            assert np.array_equal(keys, base)


def test_exact_duplicates_of_copied_rows():
    df = typed_frame(30, 11).drop(columns=["text__reason", "object"])  # no masked row: a copy is a duplicate wherever it sits
    both = assign_row_ids(pd.concat([df, df.iloc[[0, 4]].assign(**{LINE: [100, 101]})], ignore_index=True))
    out = ExactDuplicates().apply(both)
    dups = out.duplicates.set_index(LINE)
    assert {100, 101} <= set(dups.index)
    ids = both.set_index(LINE)[ROW_ID]
    assert ids[100] == ids[2] and ids[101] == ids[6]  # a row's id does not depend on its line
    assert dups.loc[100, "_duplicate_of"] == ids[2] and dups.loc[101, "_duplicate_of"] == ids[6]
    assert len(out.kept) + len(out.duplicates) == 32
