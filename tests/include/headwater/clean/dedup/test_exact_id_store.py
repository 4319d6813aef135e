"""Exact duplicates remember the row ids of the rows they kept (the partner of a copy in a later batch) in 16 raw bytes
an id while every id is 32 lowercase hex digits (24 bytes a kept row with its key, was 40); any other id keeps the
old fixed-width text store. The partners written are the same either way."""

from __future__ import annotations

import numpy as np
import pandas as pd

from headwater.clean.dedup.exact import ExactDuplicates
from headwater.clean.steps.base import DUPLICATE_OF, LINE, ROW_ID, SOURCE


def _batch(values: list[str], ids: list[str], first_line: int) -> pd.DataFrame:
    return pd.DataFrame({SOURCE: "s", LINE: range(first_line, first_line + len(values)), ROW_ID: ids,
                         "v": pd.Series(values, dtype="string")})


def _partners(batches: list[tuple[list[str], list[str]]]) -> tuple[list[tuple[int, str]], ExactDuplicates]:
    step, out, line = ExactDuplicates(), [], 2
    for values, ids in batches:
        dups = step.apply(_batch(values, ids, line)).duplicates
        out += list(zip(dups[LINE].tolist(), dups[DUPLICATE_OF].tolist())) if len(dups) else []
        line += len(values)
    return out, step


HEX = ["%032x" % (i * 0x9E3779B97F4A7C15) for i in range(1, 8)]


def test_hex_ids_kept_as_16_bytes_and_given_back():
    found, step = _partners([(["a", "b", "c"], HEX[:3]), (["c", "a", "d"], HEX[3:6]), (["d", "b"], HEX[5:7])])
    assert found == [(5, HEX[2]), (6, HEX[0]), (8, HEX[5]), (9, HEX[1])]
    assert step._ids.dtype == np.dtype("V16") and step._ids.nbytes == 16 * 4


def test_other_ids_switch_to_text_and_stay_exact():
    ids = ["r1", "r2", "ROW-3"]
    found, step = _partners([(["a", "b"], HEX[:2]), (["c", "a"], ids[:2]), (["b", "c", "a"], [ids[2], HEX[2], HEX[3]])])
    assert found == [(5, HEX[0]), (6, HEX[1]), (7, "r1"), (8, HEX[0])]
    assert step._ids.dtype.kind == "S"


def test_uppercase_hex_is_not_lowered():
    upper = HEX[0].upper()
    found, _ = _partners([(["a"], [upper]), (["a"], [HEX[1]])])
    assert found == [(3, upper)]


def test_ids_that_only_look_like_hex_switch_to_text_and_stay_exact():
    """The store packs ids only when ``bytes.fromhex(...).hex()`` gives them back: fromhex also reads uppercase digits
    and skips spaces, so those (and 32 characters that are not 32 bytes) must not be packed."""
    import pytest

    from headwater.clean.dedup.exact import _insert_ids, _unpack_ids

    for other in ["0" * 30 + " 1", "0" * 30 + "zz", "é" * 32, "0" * 33, "abc", HEX[0].upper()]:
        store = _insert_ids(np.zeros(0, dtype="V16"), np.zeros(2, dtype=np.int64), np.array(HEX[:2], dtype=object))
        assert store.dtype == np.dtype("V16")
        store = _insert_ids(store, np.array([1]), np.array([other], dtype=object))
        assert store.dtype.kind == "S", other
        assert list(_unpack_ids(store)) == [HEX[0], other, HEX[1]]
    assert _insert_ids(np.zeros(0, dtype="V16"), np.zeros(0, dtype=np.int64), np.array([], dtype=object)).dtype == np.dtype("V16")
    with pytest.raises(ValueError):
        bytes.fromhex("zz")  # what the store catches
