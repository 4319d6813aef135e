"""MinHash LSH with numpy: shingle hashes, one-permutation signatures, band keys, content keys.

Why our own MinHash: datasketch builds one ``MinHash`` object per record and hashes its shingles
once per permutation in a Python loop; ``make bench`` measures it (59x slower at equal recall).
Here every shingle of a batch is hashed once with numpy (its k bytes packed into an integer, then a
64-bit mixer), and the signature uses *one-permutation hashing with optimal densification*
(Li, Owen & Zhang 2012, "One Permutation Hashing"; Shrivastava 2017, "Optimal Densification for
Fast and Accurate Minwise Hashing"): the hash picks one of ``num_perm`` bins and the minimum per bin
is kept, so the work is one pass over the shingles instead of ``num_perm`` passes, and empty bins
borrow a deterministic non-empty bin. Banding and bucket lookups are numpy sorts and searches.
"""

from __future__ import annotations

import functools
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
EMPTY = np.uint32(0xFFFFFFFF)  # a signature bin no shingle fell into (an empty text's whole row)


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer: a fast, well-spread 64-bit mix (uint64 arithmetic wraps)."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def string_buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets int64 of len n+1, UTF-8 bytes uint8) of a string array, nulls as empty strings."""
    arr = pc.fill_null(arr, "").cast(pa.large_string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = arr.buffers()[2]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    return offsets, data


def _pack_shingles(data: np.ndarray, offsets: np.ndarray, k: int, padded: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For every byte position: the k bytes from there packed into an integer (exact for k <= 8),
    and whether the position starts no shingle (the last k-1 bytes of a text). A text shorter
    than k bytes is one shingle, at its first byte.

    ``padded``: ``data`` followed by at least 8 more bytes (any values: a window's bytes past the k it keeps
    are masked off), so that ``data`` need not be copied to read the 8-byte windows of its last bytes.
    """
    nb = len(data)
    lengths = np.diff(offsets)
    starts, ends = offsets[:-1], offsets[1:]
    if padded is None or len(padded) < nb + 8:
        padded = np.zeros(nb + 8, dtype=np.uint8)
        padded[:nb] = data
    window = np.ndarray((nb,), dtype="<u8", buffer=padded, strides=(1,))  # 8 bytes from every position
    packed = window & np.uint64((1 << (8 * k)) - 1 if k < 8 else 0xFFFFFFFFFFFFFFFF)
    short = np.nonzero((lengths > 0) & (lengths < k))[0]
    if len(short):
        packed[starts[short]] &= (np.uint64(1) << (lengths[short].astype(np.uint64) * np.uint64(8))) - np.uint64(1)
    # a text's no-shingle positions: from max(start + 1, end - (k - 1)) to its end; at most the k - 1 before its end
    invalid = np.zeros(nb, dtype=bool)
    run_start = np.maximum(starts + 1, ends - (k - 1))
    for back in range(1, k):
        at = ends - back
        invalid[at[at >= run_start]] = True
    return packed, invalid


def _hash_shingles(packed: np.ndarray, seed: int) -> np.ndarray:
    """Multiply-shift universal hashing (a seeded odd multiplier), the high half folded into the low."""
    with np.errstate(over="ignore"):
        h = packed * np.uint64(seed64(seed) | 1)
    return h ^ (h >> np.uint64(32))


def shingle_hashes(texts: pa.Array, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of every k-byte shingle of every text, and the text each belongs to.

    A text shorter than k bytes is one shingle; an empty text has none.
    """
    offsets, data = string_buffers(texts)
    data, offsets = data[offsets[0] : offsets[-1]], offsets - offsets[0]
    packed, invalid = _pack_shingles(data, offsets, k)
    doc = np.repeat(np.arange(len(offsets) - 1, dtype=np.int64), np.diff(offsets))
    return _hash_shingles(packed, seed)[~invalid], doc[~invalid]


def seed64(seed: int) -> int:
    return int(mix64(np.array([seed + 0x9E3779B97F4A7C15 & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0])


def minhash_signatures(texts: pa.Array, num_perm: int, k: int, seed: int, block: int = 1024) -> np.ndarray:
    """One-permutation MinHash signatures (n x num_perm uint32); rows of empty texts are all 0xFFFFFFFF.

    Each shingle is hashed once; its high bits pick one of num_perm bins (``(h >> 32) * num_perm >> 32``,
    which for a power of two is ``h >> (64 - log2 num_perm)``), its low 32 bits are the value, and
    each bin keeps its minimum. Blocks of about a thousand texts keep the temporaries (five 8-byte
    arrays a byte of text) small enough to stay in cache and to be reused by the allocator instead of
    being mapped fresh (page faults) for every block; the hash is computed in place.
    """
    n = len(texts)
    sig = np.full((n, num_perm), EMPTY, dtype=np.uint32)
    offsets_all, data_all = string_buffers(texts)
    padded_all = np.zeros(len(data_all) + 8, dtype=np.uint8)  # one copy with 8 spare bytes: every block's windows read from it
    padded_all[: len(data_all)] = data_all
    multiplier = np.uint64(seed64(seed) | 1)
    power_of_two = num_perm & (num_perm - 1) == 0
    bits = num_perm.bit_length() - 1
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        offsets = offsets_all[lo : hi + 1]
        first = int(offsets[0])
        data, offsets = data_all[first : offsets[-1]], offsets - first
        if not len(data):
            continue
        packed, invalid = _pack_shingles(data, offsets, k, padded_all[first:])
        with np.errstate(over="ignore"):  # _hash_shingles, in place
            h = np.multiply(packed, multiplier, out=packed)
        if power_of_two and sys.byteorder == "little" and (hi - lo) * num_perm < 2**31:
            # the 32-bit halves of h: its folded value ``h ^ h >> 32`` keeps h's high half, so the bin
            # (``(h ^ h >> 32) >> (64 - bits)``) is the high half's top bits and the value (low 32 bits) is low ^ high
            halves = h.view(np.uint32).reshape(-1, 2)  # (low, high)
            value = halves[:, 0] ^ halves[:, 1]
            flat = (halves[:, 1] >> np.uint32(32 - bits)).view(np.int32)
            flat += np.repeat(np.arange(hi - lo, dtype=np.int32) * np.int32(num_perm), np.diff(offsets))
        else:
            h ^= h >> np.uint64(32)
            if power_of_two:
                flat = (h >> np.uint64(64 - bits)).view(np.int64)  # below num_perm: the same values, no copy
            else:
                flat = (((h >> np.uint64(32)) * np.uint64(num_perm)) >> np.uint64(32)).astype(np.int64)
            flat += np.repeat(np.arange(hi - lo, dtype=np.int64) * num_perm, np.diff(offsets))
            value = h.astype(np.uint32)  # the low 32 bits
        flat[invalid] = (hi - lo) * num_perm  # a spare slot past the end collects the non-shingles
        block_sig = np.full((hi - lo) * num_perm + 1, EMPTY, dtype=np.uint32)
        np.minimum.at(block_sig, flat, value)
        sig[lo:hi] = _densify(block_sig[:-1].reshape(hi - lo, num_perm), seed)
    return sig


@functools.lru_cache(maxsize=8)
def _probe_table(num_perm: int, seed: int, attempts: int) -> np.ndarray:
    """The bins an empty bin probes, in order: row = bin, column = attempt (same for every record)."""
    cols = np.arange(num_perm, dtype=np.uint64)[:, None] << np.uint64(16)
    tries = np.arange(1, attempts + 1, dtype=np.uint64)[None, :]
    return (mix64(cols ^ tries ^ np.uint64(seed64(seed + 1))) % np.uint64(num_perm)).astype(np.int64)


@functools.lru_cache(maxsize=8)
def _probe_rows(num_perm: int, seed: int, attempts: int) -> np.ndarray:
    """``_probe_table`` transposed (row = attempt, column = bin), int32, C-contiguous: one attempt's probes are one row."""
    return np.ascontiguousarray(_probe_table(num_perm, seed, attempts).T).astype(np.int32)


@functools.lru_cache(maxsize=8)
def _probe_steps(num_perm: int, seed: int, attempts: int) -> np.ndarray:
    """``_probe_rows`` less each bin's own index (row = attempt, column = bin), int32: a position plus its step is the probed position."""
    return (_probe_rows(num_perm, seed, attempts) - np.arange(num_perm, dtype=np.int32)[None, :]).astype(np.int32)


def _densify(sig: np.ndarray, seed: int, attempts: int = 64) -> np.ndarray:
    """Optimal densification: an empty bin copies the bin a fixed hash sequence (bin, attempt) finds first non-empty.

    The sequence is the same for every record, so equal shingle sets still get equal signatures.
    ``sig`` (n x num_perm, C-contiguous) is filled in place and returned: only bins empty on entry are
    written, and only bins non-empty on entry are read (from a copy of ``sig`` as it came: ``before``).
    Positions are flat indices into ``sig``, int32 when they fit (a block of ``minhash_signatures``: half
    the bytes to move), and one attempt's probes are one row of ``_probe_steps`` (a 1-D ``take``). Each
    attempt writes what it read to every bin still empty: EMPTY where it probed an empty bin, which leaves
    that bin as it was, so no attempt selects the bins it found first.
    """
    n, num_perm = sig.shape
    flat = sig.reshape(-1)
    empty = flat == EMPTY
    blank = empty.reshape(n, num_perm).all(axis=1)  # empty texts: their rows stay all EMPTY
    if blank.any():
        empty.reshape(n, num_perm)[blank] = False  # not a bin to fill (cheaper than dropping them from ``at``)
    at = np.flatnonzero(empty)
    if not len(at):
        return sig
    if len(flat) < 2**31:
        at = at.astype(np.int32)
    before = flat.copy()
    steps = _probe_steps(num_perm, seed, attempts)
    width = at.dtype.type(num_perm)
    mask = at.dtype.type(num_perm - 1) if num_perm & (num_perm - 1) == 0 else None
    for attempt in range(attempts):
        if not len(at):
            return sig
        got = before.take(at + steps[attempt].take(at & mask if mask is not None else at % width))
        flat[at] = got
        at = at[got == EMPTY]
    if len(at):  # practically unreachable: the first non-empty bin of the row
        first = np.argmax(~empty.reshape(n, num_perm), axis=1)
        base = at - at % width
        flat[at] = before[base + first[base // num_perm]]
    return sig


BAND_BLOCK = 2_048  # rows whose band keys are computed at once: the temporaries (16 bytes a row a band) stay in cache


def band_keys(sig: np.ndarray, bands: int, seed: int) -> np.ndarray:
    """One 64-bit key per (record, band): a multilinear hash of the band's values (odd seeded
    multipliers, wrapping sums), then mixed with the band number so bands never collide.

    BAND_BLOCK rows at a time (each row's keys depend on that row alone): 65,536 rows of 128 bins took
    0.024 s of CPU at once, 0.014 s by blocks of 1,024-4,096 rows.
    """
    n, num_perm = sig.shape
    if n > BAND_BLOCK:
        out = np.empty((n, bands), dtype=np.uint64)
        for lo in range(0, n, BAND_BLOCK):
            out[lo : lo + BAND_BLOCK] = band_keys(sig[lo : lo + BAND_BLOCK], bands, seed)
        return out
    rows = num_perm // bands
    if rows % 2 == 0:  # two 32-bit values per 64-bit word: half the passes
        parts = np.ascontiguousarray(sig).view(np.uint64).reshape(n, bands, rows // 2)
    else:
        parts = sig.reshape(n, bands, rows).astype(np.uint64)
    acc = np.zeros((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(parts.shape[2]):
            acc += parts[:, :, j] * np.uint64(seed64(seed * 1000 + j) | 1)
        acc ^= np.arange(bands, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    return mix64(acc)


def estimate_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Jaccard estimates from 8-bit (b-bit) signature rows: the share of equal bytes, corrected for chance."""
    equal = (a == b).mean(axis=1)
    return np.clip((equal - 1 / 256) / (1 - 1 / 256), 0.0, 1.0)


# ------------------------------------------------------------------ record text and keys


def record_text(df: pd.DataFrame, columns: list[str]) -> pa.Array:
    """Lower-cased values of ``columns`` joined with a separator: the text a record is shingled on."""
    if not columns:
        return pa.array([""] * len(df), pa.large_string())
    parts = [pc.utf8_lower(as_string(df[c])) for c in columns]
    return pc.binary_join_element_wise(*parts, pa.scalar("\x1f", pa.large_string()), null_handling="replace", null_replacement="")


def as_string(series: pd.Series) -> pa.Array:
    arr = pa.Array.from_pandas(series)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.large_string())
    return arr.cast(pa.large_string())


_POLY_BASE = 0x100000001B3  # FNV prime: hash_strings' polynomial base (odd, so invertible mod 2**64)
_POLY_BASE_INV = pow(_POLY_BASE, -1, 1 << 64)
HASH_BLOCK_BYTES = 1 << 16  # hash_strings works on runs of whole strings of about this many bytes (a longer string alone; 64 KiB: its 512 KiB of terms stay in cache)
_POWERS: list[np.ndarray] = [np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64)]  # base**k, base**-k (k < len)


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(base**k, base**-k) mod 2**64 for k in [0, n), uint64; kept for n up to HASH_BLOCK_BYTES + 1."""
    if len(_POWERS[0]) >= n:
        return _POWERS[0][:n], _POWERS[1][:n]
    size = max(n, min(2 * len(_POWERS[0]), HASH_BLOCK_BYTES + 1))
    with np.errstate(over="ignore"):
        up, down = np.full(size, _POLY_BASE, dtype=np.uint64), np.full(size, _POLY_BASE_INV, dtype=np.uint64)
        up[0] = down[0] = 1
        up, down = np.cumprod(up, dtype=np.uint64), np.cumprod(down, dtype=np.uint64)
    if size <= HASH_BLOCK_BYTES + 1:
        _POWERS[:] = [up, down]
    return up[:n], down[:n]


def hash_strings(arr: pa.Array, seed: int = 0, block_bytes: int = HASH_BLOCK_BYTES) -> np.ndarray:
    """A 64-bit hash of each string (null hashes like ""): a polynomial over its bytes, then mixed.

    The polynomial of a string of bytes ``b_0 .. b_{L-1}`` is ``sum((b_i + 1) * base**(L-1-i))`` mod 2**64
    (``base`` the 64-bit FNV prime), so equal strings hash equal wherever they sit; the result is
    ``mix64(poly ^ L << 48 ^ seed64(seed))``. These keys are persisted (``_masked_key``) and compared across runs:
    the function must not change. Computed over runs of whole strings of about ``block_bytes``: byte ``p`` of
    the run, in a string ending at ``e``, weighs ``base**(e-1) * base**-p`` (the base is odd, so invertible), so
    one multiply by a contiguous slice of powers and one ``np.add.reduceat`` per run, then one multiply per string.
    Shape: one uint64 per element of ``arr``.
    """
    offsets_all, data_all = string_buffers(arr)
    lengths_all = np.diff(offsets_all)
    n = len(lengths_all)
    out = np.zeros(n, dtype=np.uint64)
    if n and lengths_all.max():
        with np.errstate(over="ignore"):
            lo = 0
            while lo < n:
                base = offsets_all[lo]
                hi = max(int(np.searchsorted(offsets_all, base + block_bytes, side="right")) - 1, lo + 1)
                offsets = offsets_all[lo : hi + 1] - base
                size = int(offsets[-1])
                if size:
                    up, down = _powers(size + 1)
                    terms = np.add(data_all[base : base + size], np.uint64(1), dtype=np.uint64)
                    terms *= down[:size]
                    filled = np.flatnonzero(offsets[1:] != offsets[:-1])
                    out[lo + filled] = np.add.reduceat(terms, offsets[:-1][filled]) * up[offsets[1:][filled] - 1]
                lo = hi
    return mix64(out ^ (lengths_all.astype(np.uint64) << np.uint64(48)) ^ np.uint64(seed64(seed)))


def content_keys(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """A 64-bit key of each row's normalized content over ``columns`` (names included, the source not)."""
    if not columns or not len(df):
        return np.zeros(len(df), dtype=np.uint64)
    from headwater.clean.steps.base import texts_by_dtype  # a 600-column file: one cast per dtype, not per column

    texts = texts_by_dtype(df, columns, as_string)
    # a missing value joins as "" (null_handling="replace": the same texts as filling each column first, without the copies)
    joined = pc.binary_join_element_wise(*(texts[c] for c in columns), pa.scalar("\x1f", pa.large_string()),
                                         null_handling="replace", null_replacement="")
    names = hash_strings(pa.array(["\x1f".join(columns)], pa.large_string()))[0]
    return hash_strings(joined) ^ names


# ------------------------------------------------------------------ signature storage of large tables

SPILL_ROWS = 200_000  # tables with more rows keep signatures and band keys in temporary files (``DiskMatrix``)
READ_WINDOW_BYTES = 8 << 20  # rows read from a DiskMatrix this many bytes at a time


class DiskMatrix:
    """An n x width matrix of one numpy dtype kept in an anonymous temporary file, not in memory.

    The near-duplicate job's per-row state (8-bit signatures, n x num_perm bytes; band keys,
    n x bands uint64: 256 bytes a row at the defaults) would grow the clean stage's memory with the
    file. Written block by block (``m[lo:hi] = block``), read back as ndarrays the two ways the job
    reads it: one column (``m[:, k]``: a band's keys, n values, stored contiguously when
    ``by_column``) or rows by index (``m[rows]``: the signature rows of candidate pairs, read with
    ``os.pread`` window by window, READ_WINDOW_BYTES at a time, so at most one window and the answer
    are in memory). Reads go through the page cache, never a memory map, so they do not count in this
    process's resident set. The file has no name (``tempfile.TemporaryFile``) and goes with the object.
    """

    def __init__(self, n: int, width: int, dtype: np.dtype | type, by_column: bool = False, directory: str | None = None) -> None:
        import tempfile

        self.shape = (n, width)
        self.dtype = np.dtype(dtype)
        self.by_column = by_column
        self._file = tempfile.TemporaryFile(dir=directory)
        self._file.truncate(n * width * self.dtype.itemsize)

    def __len__(self) -> int:
        return self.shape[0]

    def _pwrite(self, data: np.ndarray, offset: int) -> None:
        import os

        buf = memoryview(np.ascontiguousarray(data, dtype=self.dtype)).cast("B")
        while len(buf):
            done = os.pwrite(self._file.fileno(), buf, offset)
            buf, offset = buf[done:], offset + done

    def _pread(self, count: int, offset: int) -> np.ndarray:
        import os

        nbytes = count * self.dtype.itemsize
        chunks, got = [], 0
        while got < nbytes:
            chunk = os.pread(self._file.fileno(), nbytes - got, offset + got)
            if not chunk:
                raise OSError(f"DiskMatrix: short read at byte {offset + got} of {nbytes} (file truncated?)")
            chunks.append(chunk)
            got += len(chunk)
        return np.frombuffer(b"".join(chunks) if len(chunks) > 1 else chunks[0], dtype=self.dtype).copy()

    def __setitem__(self, rows: slice, block: np.ndarray) -> None:
        """``m[lo:hi] = block`` (hi - lo) x width; only contiguous row slices are supported."""
        lo, hi, step = rows.indices(self.shape[0])
        if step != 1 or block.shape != (hi - lo, self.shape[1]):
            raise ValueError(f"DiskMatrix: write rows {lo}:{hi} with a block of shape {block.shape}")
        n, width, size = self.shape[0], self.shape[1], self.dtype.itemsize
        if self.by_column:
            for k in range(width):
                self._pwrite(block[:, k], (k * n + lo) * size)
        else:
            self._pwrite(block, lo * width * size)

    def __getitem__(self, key: tuple[slice, int] | np.ndarray) -> np.ndarray:
        """``m[:, k]`` (a column, n values) or ``m[rows]`` (an integer array: len(rows) x width, in its order)."""
        n, width, size = self.shape[0], self.shape[1], self.dtype.itemsize
        if isinstance(key, tuple):
            rows, k = key
            if rows != slice(None) or not isinstance(k, (int, np.integer)) or not 0 <= k < width:
                raise IndexError(f"DiskMatrix: only m[:, k] or m[rows] (got {key!r})")
            if self.by_column:
                return self._pread(n, int(k) * n * size)
            return self[np.arange(n)][:, k]
        rows = np.asarray(key, dtype=np.int64)
        if self.by_column:
            raise IndexError("DiskMatrix: rows of a column-stored matrix are not read")
        out = np.empty((len(rows), width), dtype=self.dtype)
        if not len(rows):
            return out
        if rows.min() < 0 or rows.max() >= n:
            raise IndexError(f"DiskMatrix: row index out of range 0..{n - 1}")
        order = np.argsort(rows, kind="stable")
        wanted = rows[order]
        window = max(1, READ_WINDOW_BYTES // (width * size))
        bounds = np.searchsorted(wanted, np.arange(0, n + window, window))
        for w in np.nonzero(np.diff(bounds))[0].tolist():
            at = order[bounds[w] : bounds[w + 1]]
            first, last = int(wanted[bounds[w]]), int(wanted[bounds[w + 1] - 1])
            block = self._pread((last - first + 1) * width, first * width * size).reshape(-1, width)
            out[at] = block[rows[at] - first]
        return out


def signature_store(n: int, num_perm: int, bands: int) -> tuple[np.ndarray | DiskMatrix, np.ndarray | DiskMatrix]:
    """Empty storage for a table's 8-bit signatures (n x num_perm uint8) and band keys (n x bands uint64).

    In memory up to SPILL_ROWS rows; above, in temporary files (``DiskMatrix``: signatures by row, band
    keys by band), so the near-duplicate job's memory does not grow with the file.
    """
    if n <= SPILL_ROWS:
        return np.empty((n, num_perm), dtype=np.uint8), np.empty((n, bands), dtype=np.uint64)
    return DiskMatrix(n, num_perm, np.uint8), DiskMatrix(n, bands, np.uint64, by_column=True)
