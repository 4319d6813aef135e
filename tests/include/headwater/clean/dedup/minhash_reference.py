"""MinHash signatures as computed before nd7 (main at 2361372), kept verbatim as the reference that
``test_verify_fast.py`` compares ``headwater.clean.dedup.minhash.minhash_signatures`` with: ``_pack_shingles``,
``_densify`` (int64 positions, a 2-D gather per attempt) and the block loop. Hashing helpers and the probe
table are the module's own."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from headwater.clean.dedup.minhash import EMPTY, _probe_table, seed64, string_buffers


def _pack_shingles(data: np.ndarray, offsets: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    nb = len(data)
    lengths = np.diff(offsets)
    starts, ends = offsets[:-1], offsets[1:]
    padded = np.zeros(nb + 8, dtype=np.uint8)
    padded[:nb] = data
    window = np.ndarray((nb,), dtype="<u8", buffer=padded, strides=(1,))
    packed = window & np.uint64((1 << (8 * k)) - 1 if k < 8 else 0xFFFFFFFFFFFFFFFF)
    short = np.nonzero((lengths > 0) & (lengths < k))[0]
    if len(short):
        packed[starts[short]] &= (np.uint64(1) << (lengths[short].astype(np.uint64) * np.uint64(8))) - np.uint64(1)
    mark = np.zeros(nb + 1, dtype=np.int8)
    run_start = np.where(lengths >= k, ends - (k - 1), starts + 1)
    has_run = (lengths > 0) & (run_start < ends)
    np.add.at(mark, run_start[has_run], 1)
    np.add.at(mark, ends[has_run], -1)
    return packed, np.cumsum(mark[:-1], dtype=np.int8).astype(bool)


def minhash_signatures(texts: pa.Array, num_perm: int, k: int, seed: int, block: int = 1024) -> np.ndarray:
    n = len(texts)
    sig = np.full((n, num_perm), EMPTY, dtype=np.uint32)
    offsets_all, data_all = string_buffers(texts)
    multiplier = np.uint64(seed64(seed) | 1)
    power_of_two = num_perm & (num_perm - 1) == 0
    shift = np.uint64(64 - (num_perm.bit_length() - 1))
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        offsets = offsets_all[lo : hi + 1]
        data, offsets = data_all[offsets[0] : offsets[-1]], offsets - offsets[0]
        if not len(data):
            continue
        packed, invalid = _pack_shingles(data, offsets, k)
        with np.errstate(over="ignore"):
            h = np.multiply(packed, multiplier, out=packed)
        h ^= h >> np.uint64(32)
        if power_of_two:
            flat = (h >> shift).astype(np.int64)
        else:
            flat = (((h >> np.uint64(32)) * np.uint64(num_perm)) >> np.uint64(32)).astype(np.int64)
        flat += np.repeat(np.arange(hi - lo, dtype=np.int64) * num_perm, np.diff(offsets))
        flat[invalid] = (hi - lo) * num_perm
        block_sig = np.full((hi - lo) * num_perm + 1, EMPTY, dtype=np.uint32)
        np.minimum.at(block_sig, flat, h.astype(np.uint32))
        sig[lo:hi] = _densify(block_sig[:-1].reshape(hi - lo, num_perm), seed)
    return sig


def _densify(sig: np.ndarray, seed: int, attempts: int = 64) -> np.ndarray:
    n, num_perm = sig.shape
    flat = sig.reshape(-1)
    empty = flat == EMPTY
    at = np.flatnonzero(empty)
    if not len(at):
        return sig
    rows = at // num_perm
    blank = np.flatnonzero(np.bincount(rows, minlength=n) == num_perm)
    if len(blank):
        at = at[~np.isin(rows, blank)]
        rows = at // num_perm
    base = rows * num_perm
    cols = at - base
    probes = _probe_table(num_perm, seed, attempts)
    for attempt in range(attempts):
        if not len(at):
            return sig
        src = base + probes[cols, attempt]
        got = ~empty[src]
        flat[at[got]] = flat[src[got]]
        keep = ~got
        at, base, cols = at[keep], base[keep], cols[keep]
    if len(at):
        first = np.argmax(~empty.reshape(n, num_perm), axis=1)
        flat[at] = flat[base + first[base // num_perm]]
    return sig
