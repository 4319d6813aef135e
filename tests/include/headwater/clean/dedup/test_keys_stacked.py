"""Exact-duplicate keys and row ids computed over all columns at once (``texts_by_dtype``, ``reason_flags``,
``content_raws``, ``spelled_missings``): the same values as the column-by-column code they replaced, on varied
frames (typed columns of every kind, __raw/__reason columns of every reason, masked rows, 1 to 600 columns)."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from headwater import SCHEMA_VERSION
from headwater.clean.dedup.exact import _keys
from headwater.clean.dedup.minhash import as_string, hash_strings
from headwater.clean.frame import assign_row_ids, value_texts
from headwater.clean.steps.base import (
    DERIVED_SUFFIXES, LINE, MASKED_DIGEST, MASKED_REASON, RAW_SUFFIX, REASON_SUFFIX, ROW_ID, SOURCE, content_raw,
    data_columns, is_value_column, masked_rows, spelled_missing,
)
from headwater.ids import SEPARATOR, stable_id


# ---------------------------------------------------------------- the column-by-column code before keys6 (reference)

def ref_masked_rows(df):
    out = np.zeros(len(df), dtype=bool)
    for col in df.columns:
        if col.endswith(REASON_SUFFIX):
            out |= df[col].astype("string").str.startswith(MASKED_REASON).fillna(False).to_numpy(dtype=bool)
    return out


def ref_content_keys(df, columns):
    if not columns or not len(df):
        return np.zeros(len(df), dtype=np.uint64)
    parts = [pc.fill_null(as_string(df[c]), "") for c in columns]
    joined = pc.binary_join_element_wise(*parts, pa.scalar("\x1f", pa.large_string()))
    names = hash_strings(pa.array(["\x1f".join(columns)], pa.large_string()))[0]
    return hash_strings(joined) ^ names


def ref_keys(df):
    keys = ref_content_keys(df, [c for c in df.columns if is_value_column(c)])
    spelled = np.zeros(len(df), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in sorted(c for c in df.columns if not c.startswith("_") and c.endswith(RAW_SUFFIX)):
            arr = as_string(content_raw(df, col))
            present = pc.is_valid(arr).to_numpy(zero_copy_only=False)
            if present.any():
                named = pc.binary_join_element_wise(pa.scalar(col + "=", pa.large_string()), pc.fill_null(arr, ""), pa.scalar("", pa.large_string()))
                part = np.where(present, hash_strings(named), np.uint64(0))
                keys = keys + part
                spelled = spelled + np.where(spelled_missing(df, col[: -len(RAW_SUFFIX)]), part, np.uint64(0))
        masked = ref_masked_rows(df)
        if masked.any() and LINE in df.columns:
            at = np.flatnonzero(masked)
            digest = df[MASKED_DIGEST].iloc[at].astype("string").tolist() if MASKED_DIGEST in df.columns else [None] * len(at)
            sources = df[SOURCE].iloc[at].tolist() if SOURCE in df.columns else [""] * len(at)
            where = pa.array([f"{MASKED_DIGEST}={d}" if isinstance(d, str) else f"{s}\x1f{int(n)}"
                              for s, n, d in zip(sources, df[LINE].iloc[at].tolist(), digest)], pa.large_string())
            keys[at] = keys[at] + hash_strings(where)
    return keys, spelled


def ref_row_ids(df):
    out = df.copy(deep=False)
    parts = [pa.array([SCHEMA_VERSION] * len(out), pa.large_string())]
    derived = [c for c in data_columns(out) if c.endswith(DERIVED_SUFFIXES)]
    for col in [SOURCE, *(c for c in data_columns(out) if c not in derived)]:
        parts.append(pc.fill_null(value_texts(out[col]), ""))
    sep = pa.scalar(SEPARATOR, pa.large_string())
    payloads = pc.binary_join_element_wise(*parts, sep)
    if derived:
        named = [pc.binary_join_element_wise(pa.scalar(f"{c}=", pa.large_string()), value_texts(content_raw(out, c) if c.endswith(RAW_SUFFIX) else out[c]), pa.scalar("", pa.large_string()))
                 for c in derived if not c.endswith(REASON_SUFFIX)]
        empty = pa.array([""] * len(out), pa.large_string())
        extra = pc.binary_join_element_wise(empty, *named, sep, null_handling="skip")
        payloads = pc.binary_join_element_wise(payloads, extra, pa.scalar("", pa.large_string()))
    masked = ref_masked_rows(out)
    if masked.any() and LINE in out.columns:
        at = np.flatnonzero(masked)
        lines = out[LINE].iloc[at].tolist()
        digest = out[MASKED_DIGEST].iloc[at].astype("string").tolist() if MASKED_DIGEST in out.columns else [None] * len(at)
        tags = [f"{MASKED_DIGEST}={d}" if isinstance(d, str) else f"{LINE}={int(n)}" for n, d in zip(lines, digest)]
        tagged = pc.binary_join_element_wise(pc.take(payloads, pa.array(at)), pa.array(tags, pa.large_string()), sep)
        payloads = pc.replace_with_mask(payloads, pa.array(masked), tagged.cast(payloads.type))
    return [hashlib.blake2b(p.encode("utf-8"), digest_size=16).hexdigest() for p in pc.fill_null(payloads, "").to_pylist()]


# ---------------------------------------------------------------- varied frames

REASONS = [None, "na_spelling", "blank", "normalized: trim", "normalized: nfc, trim", "normalized: whitespace",
           "normalized: trim; blank", "masked: emails", "masked: phones; normalized: trim", "two_digit_year", "empty_string"]


def frame(rng: random.Random, columns: int, rows: int, digests: bool) -> pd.DataFrame:
    n = rows
    data: dict[str, object] = {SOURCE: ["2026-11-20/a.csv"] * n, LINE: list(range(2, n + 2))}
    for i in range(columns):
        kind = rng.choice(["int", "Int64", "float", "Float64", "date", "datetz", "bool", "boolean", "object", "text", "text"])
        name = f"c{i}"
        if kind == "int":
            data[name] = pd.Series([rng.randint(-3, 3) for _ in range(n)], dtype="int64")
        elif kind == "Int64":
            data[name] = pd.Series([None if rng.random() < 0.3 else rng.randint(0, 5) for _ in range(n)], dtype="Int64")
        elif kind == "float":
            data[name] = pd.Series([rng.choice([0.0, -0.0, 1.5, 1e20, 0.1 + 0.2, float("nan"), 3.0]) for _ in range(n)], dtype="float64")
        elif kind == "Float64":
            data[name] = pd.Series([rng.choice([None, 0.5, 2.0, -0.0]) for _ in range(n)], dtype="Float64")
        elif kind == "date":
            data[name] = pd.to_datetime(pd.Series([rng.choice([None, "2024-01-15", "2024-01-15 10:15", "1999-12-31"]) for _ in range(n)]), format="ISO8601")
        elif kind == "datetz":
            data[name] = pd.to_datetime(pd.Series([rng.choice([None, "2024-01-15 10:15", "2025-06-01"]) for _ in range(n)]), utc=True, format="ISO8601")
        elif kind == "bool":
            data[name] = pd.Series([rng.random() < 0.5 for _ in range(n)], dtype=bool)
        elif kind == "boolean":
            data[name] = pd.Series([rng.choice([None, True, False]) for _ in range(n)], dtype="boolean")
        elif kind == "object":
            data[name] = pd.Series([rng.choice([None, "1", "1.0", "x", "é"]) for _ in range(n)], dtype=object)
        else:
            data[name] = pd.Series([rng.choice([None, "", "alpha", "NA", "a  b", "mail [EMAIL]", "é"]) for _ in range(n)], dtype="string")
        if kind == "text" and rng.random() < 0.6:
            reasons = [rng.choice(REASONS) for _ in range(n)]
            data[name + RAW_SUFFIX] = pd.Series([None if r is None or r.startswith("masked") else rng.choice(["NA", " alpha ", "null", "  "])
                                                 for r in reasons], dtype="string")
            data[name + REASON_SUFFIX] = pd.Series(reasons, dtype=rng.choice(["string", "object"]))
            values = data[name].copy()
            for j, r in enumerate(reasons):  # a missing-spelling reason goes with a missing value (mostly: not always)
                if r in ("na_spelling", "blank", "normalized: trim; blank") and rng.random() < 0.8:
                    values.iloc[j] = None
            data[name] = values
        elif kind in ("int", "float") and rng.random() < 0.2:
            data[name + "__imputed"] = pd.Series([rng.random() < 0.3 for _ in range(n)], dtype=bool)
    df = pd.DataFrame(data)
    if digests:
        df[MASKED_DIGEST] = pd.Series([rng.choice([None, "c1=ab12", "c2=ff00"]) for _ in range(n)], dtype="string")
    return df


@pytest.mark.parametrize("columns,rows", [(1, 40), (3, 200), (12, 300), (40, 60), (600, 20)])
def test_keys_and_row_ids_equal_the_column_by_column_code(columns, rows):
    rng = random.Random(columns * 1000 + rows)
    for trial in range(3):
        df = frame(rng, columns, rows, digests=trial % 2 == 1)
        keys, spelled = _keys(df)
        want_keys, want_spelled = ref_keys(df)
        assert np.array_equal(keys, want_keys), trial
        assert np.array_equal(spelled, want_spelled), trial
        assert np.array_equal(masked_rows(df), ref_masked_rows(df)), trial
        assert assign_row_ids(df)[ROW_ID].tolist() == ref_row_ids(df), trial


def test_frame_exercises_the_branches():
    """The varied frames hold what the stacked paths must get right: artefact-only __raw, spelled missing values,
    masked rows, several columns of one typed dtype."""
    df = frame(random.Random(5), 600, 20, digests=True)
    assert masked_rows(df).any()
    keys, spelled = _keys(df)
    assert (spelled != 0).any()
    dtypes = pd.Series([str(df[c].dtype) for c in df.columns if is_value_column(c)]).value_counts()
    assert dtypes.get("float64", 0) > 10 and dtypes.get("datetime64[ns, UTC]", dtypes.get("datetime64[us, UTC]", 0)) > 10


def test_row_id_still_stable_id_of_the_values():
    df = pd.DataFrame({SOURCE: ["s", "s"], LINE: [2, 3], "a": pd.Series(["x", None], dtype="string"),
                       "b": pd.Series([1.5, -0.0]), "c": pd.Series([2.5, 0.0])})
    ids = assign_row_ids(df)[ROW_ID].tolist()
    assert ids == [stable_id("s", "x", "1.5", "2.5"), stable_id("s", None, "-0.0", "0.0")]
