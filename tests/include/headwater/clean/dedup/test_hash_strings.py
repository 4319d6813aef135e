"""hash_strings (the exact-duplicate key's hash) computed run by run with inverse powers: the same values as the
byte-weight reference it replaced, since the keys are persisted (``_masked_key``) and compared across runs."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from headwater.clean.dedup.minhash import mix64, seed64, string_buffers, hash_strings


def reference_hash_strings(arr: pa.Array, seed: int = 0, block: int = 4096) -> np.ndarray:
    """The implementation before keys6 (each byte's weight gathered from a power table), kept as the reference."""
    offsets_all, data_all = string_buffers(arr)
    lengths_all = np.diff(offsets_all)
    out = np.zeros(len(lengths_all), dtype=np.uint64)
    if not len(lengths_all) or not lengths_all.max():
        return mix64(out ^ np.uint64(seed64(seed)))
    with np.errstate(over="ignore"):
        powers = np.full(int(lengths_all.max()) + 1, 0x100000001B3, dtype=np.uint64)
        powers[0] = 1
        powers = np.cumprod(powers, dtype=np.uint64)
        for lo in range(0, len(lengths_all), block):
            offsets = offsets_all[lo : lo + block + 1]
            data, offsets = data_all[offsets[0] : offsets[-1]], offsets - offsets[0]
            lengths = np.diff(offsets)
            if not len(data):
                continue
            weight = powers[np.repeat(offsets[1:], lengths) - np.arange(len(data), dtype=np.int64) - 1]
            terms = (data.astype(np.uint64) + np.uint64(1)) * weight
            filled = np.nonzero(lengths)[0]
            out[lo + filled] = np.add.reduceat(terms, offsets[:-1][filled])
    return mix64(out ^ (lengths_all.astype(np.uint64) << np.uint64(48)) ^ np.uint64(seed64(seed)))


def test_pinned_values():
    """Values computed by the code before keys6: a changed hash would change persisted _masked_key values."""
    arr = pa.array(["", "a", "ab", None, "naïve\x1fcafé", "x" * 70000], pa.large_string())
    assert [int(x) for x in hash_strings(arr)] == [
        5197578548964807871, 9455737662616763713, 3342171201721803529, 5197578548964807871, 17234267460006861026,
        756506763944883485,
    ]
    assert [int(x) for x in hash_strings(pa.array(["a", "ab"], pa.string()), seed=7)] == [3928875932332743895, 3033544488712595263]


@pytest.mark.parametrize("block_bytes", [1, 7, 1000, 1 << 16])
def test_equals_reference_on_random_strings(block_bytes):
    rng = random.Random(block_bytes)
    alphabet = "abc \x1féø€😀\n"
    for trial in range(60):
        n = rng.choice([0, 1, 2, 5, 100, 2000])
        vals = [None if rng.random() < 0.1 else "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 3, 50, 700])))
                for _ in range(n)]
        arr = pa.array(vals, pa.large_string() if trial % 2 else pa.string())
        if trial % 3 == 0 and n > 2:
            arr = arr.slice(1, n - 2)  # an array with an offset: its buffers start before its first value
        seed = rng.choice([0, 7])
        assert np.array_equal(hash_strings(arr, seed, block_bytes=block_bytes), reference_hash_strings(arr, seed)), trial


def test_strings_longer_than_a_block_and_chunked():
    arr = pa.array(["x" * 200_000, "y", "", None, "z" * 70_000, "é" * 40_000], pa.large_string())
    assert np.array_equal(hash_strings(arr), reference_hash_strings(arr))
    chunked = pa.chunked_array([arr.slice(0, 2), arr.slice(2)])
    assert np.array_equal(hash_strings(pc.cast(chunked, pa.large_string())), reference_hash_strings(arr))


def test_null_hashes_like_empty_and_position_does_not_matter():
    h = hash_strings(pa.array(["abc", None, "", "zz", "abc"], pa.large_string()))
    assert h[1] == h[2] and h[0] == h[4] and h[0] != h[3]
