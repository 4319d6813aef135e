"""Duplicate detection: exact row keys, MinHash LSH over record text, rapidfuzz on short fields.

Scoring is separate from deciding. A candidate pair (from an exact key or a shared LSH band)
gets a similarity score — the lowest rapidfuzz ratio over the short fields both records fill in
(names, e-mails, addresses), and, when either record has a long (free-text) value, the MinHash
estimate of the Jaccard similarity of the two records' character shingles too — and
``DedupOptions.threshold`` decides. Duplicates form clusters; the earliest member (earlier
file, then lower line) is the representative and stays curated, the others go to the duplicates
record with ``_duplicate_of`` (the row they matched best), ``_cluster_id`` (the representative's
row id) and ``_similarity``.

Why our own MinHash: datasketch builds one ``MinHash`` object per record and hashes its shingles
once per permutation in a Python loop; ``make bench`` measures it. Here every shingle of a batch is
hashed once with numpy (its k bytes packed into an integer, then a 64-bit mixer), and the
signature uses *one-permutation hashing with optimal densification* (Li, Owen & Zhang 2012;
Shrivastava 2017): the hash picks one of ``num_perm`` bins and the minimum per bin is kept, so the
work is one pass over the shingles instead of ``num_perm`` passes, and empty bins borrow a
deterministic non-empty bin. Banding and bucket lookups are numpy sorts and searches.

State (``DedupState``) spans the batches of a file and, through ``DedupIndex`` shards under
``<data_dir>/dedup_index/``, the files of the same run and earlier runs: a file is compared with the
files ordered before it (earlier dates, then earlier names on the same date), so the outcome does
not depend on which task finished first and a re-run gives the same result.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from headwater.options import check_choice, check_range, check_type
from headwater.schema import looks_like_identifier

Scope = Literal["file", "run", "history"]
SCOPES = ("file", "run", "history")
DUPLICATE_OF = "_duplicate_of"
CLUSTER_ID = "_cluster_id"
SIMILARITY = "_similarity"
INDEX_DIR = "dedup_index"
_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_EMPTY = np.uint32(0xFFFFFFFF)


@dataclass(frozen=True)
class DedupOptions:
    """How duplicates are found (YAML section ``dedup:`` of a source config)."""

    exact: bool = field(default=True, metadata={"help": "Drop rows whose normalized content equals an earlier row's."})
    near: bool = field(default=True, metadata={"help": "Drop near-duplicates: MinHash LSH on the record text, rapidfuzz on short fields."})
    columns: list[str] | None = field(
        default=None,
        metadata={"help": "Columns compared for near-duplicates. Default: every data column except identifiers (a re-registered customer gets a new id)."},
    )
    ignore: list[str] = field(default_factory=list, metadata={"help": "Columns never compared (added to the identifiers)."})
    threshold: float = field(default=0.8, metadata={"help": "Similarity in (0, 1] at or above which two records are duplicates."})
    num_perm: int = field(default=128, metadata={"help": "MinHash signature length."})
    bands: int = field(default=16, metadata={"help": "LSH bands; num_perm / bands rows each. More bands: more candidates, higher recall."})
    shingle_size: int = field(default=5, metadata={"help": "Characters (UTF-8 bytes) per shingle, 1-8."})
    short_field_chars: int = field(
        default=64, metadata={"help": "Fields up to this length are also compared with rapidfuzz (names, addresses, e-mails)."}
    )
    scope: Scope = field(
        default="history",
        metadata={"help": "file: within a file; run: also earlier files of the same date; history: also earlier dates (persistent index)."},
    )
    history_days: int = field(default=30, metadata={"help": "scope=history: how many earlier dates the index reaches back (each file loads those shards)."})
    seed: int = field(default=1, metadata={"help": "Hash seed; changing it invalidates the persistent index."})

    def __post_init__(self) -> None:
        for key in ("exact", "near"):
            check_type(key, getattr(self, key), bool, "true or false")
        for key in ("columns", "ignore"):
            value = getattr(self, key)
            if value is not None and (not isinstance(value, (list, tuple)) or not all(isinstance(c, str) for c in value)):
                raise ValueError(f"{key}: expected a list of column names, got {value!r}")
        check_range("threshold", self.threshold, 0.0, 1.0)
        if self.threshold <= 0:
            raise ValueError(f"threshold: {self.threshold!r} must be in (0, 1]")
        for key in ("num_perm", "bands", "shingle_size", "short_field_chars", "history_days", "seed"):
            check_type(key, getattr(self, key), int, "an integer")
        check_range("num_perm", self.num_perm, 8, 1024)
        check_range("bands", self.bands, 1, self.num_perm)
        if self.num_perm % self.bands:
            raise ValueError(f"bands: {self.bands} must divide num_perm={self.num_perm}")
        check_range("shingle_size", self.shingle_size, 1, 8)
        check_range("short_field_chars", self.short_field_chars, 0)
        check_range("history_days", self.history_days, 0)
        check_choice("scope", self.scope, SCOPES)

    @property
    def rows_per_band(self) -> int:
        return self.num_perm // self.bands

    def index_settings(self) -> dict[str, int]:
        """What must match for signatures stored by another run to be comparable."""
        return {"num_perm": self.num_perm, "bands": self.bands, "shingle_size": self.shingle_size, "seed": self.seed}


# ------------------------------------------------------------------ hashing


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer: a fast, well-spread 64-bit mix (uint64 arithmetic wraps)."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _string_buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets int64 of len n+1, UTF-8 bytes uint8) of a string array, nulls as empty strings."""
    arr = pc.fill_null(arr, "").cast(pa.large_string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = arr.buffers()[2]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    return offsets, data


def _pack_shingles(data: np.ndarray, offsets: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """For every byte position: the k bytes from there packed into an integer (exact for k <= 8),
    and whether the position starts no shingle (the last k-1 bytes of a text). A text shorter
    than k bytes is one shingle, at its first byte."""
    nb = len(data)
    lengths = np.diff(offsets)
    starts, ends = offsets[:-1], offsets[1:]
    padded = np.zeros(nb + 8, dtype=np.uint8)
    padded[:nb] = data
    window = np.ndarray((nb,), dtype="<u8", buffer=padded, strides=(1,))  # 8 bytes from every position
    packed = window & np.uint64((1 << (8 * k)) - 1 if k < 8 else 0xFFFFFFFFFFFFFFFF)
    short = np.nonzero((lengths > 0) & (lengths < k))[0]
    if len(short):
        packed[starts[short]] &= (np.uint64(1) << (lengths[short].astype(np.uint64) * np.uint64(8))) - np.uint64(1)
    mark = np.zeros(nb + 1, dtype=np.int8)  # +1 where a no-shingle run starts, -1 where it ends
    run_start = np.where(lengths >= k, ends - (k - 1), starts + 1)
    has_run = (lengths > 0) & (run_start < ends)
    np.add.at(mark, run_start[has_run], 1)
    np.add.at(mark, ends[has_run], -1)
    return packed, np.cumsum(mark[:-1], dtype=np.int8).astype(bool)


def _hash_shingles(packed: np.ndarray, seed: int) -> np.ndarray:
    """Multiply-shift universal hashing (a seeded odd multiplier), the high half folded into the low."""
    with np.errstate(over="ignore"):
        h = packed * np.uint64(_seed64(seed) | 1)
    return h ^ (h >> np.uint64(32))


def shingle_hashes(texts: pa.Array, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of every k-byte shingle of every text, and the text each belongs to.

    A text shorter than k bytes is one shingle; an empty text has none.
    """
    offsets, data = _string_buffers(texts)
    data, offsets = data[offsets[0] : offsets[-1]], offsets - offsets[0]
    packed, invalid = _pack_shingles(data, offsets, k)
    doc = np.repeat(np.arange(len(offsets) - 1, dtype=np.int64), np.diff(offsets))
    return _hash_shingles(packed, seed)[~invalid], doc[~invalid]


def _seed64(seed: int) -> int:
    return int(_mix64(np.array([seed + 0x9E3779B97F4A7C15 & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0])


def minhash_signatures(texts: pa.Array, num_perm: int, k: int, seed: int, block: int = 4096) -> np.ndarray:
    """One-permutation MinHash signatures (n x num_perm uint32); rows of empty texts are all 0xFFFFFFFF.

    Each shingle is hashed once; its high bits pick one of num_perm bins, its low bits are the value,
    and each bin keeps its minimum. Blocks of a few thousand texts keep the temporaries in cache.
    """
    n = len(texts)
    sig = np.full((n, num_perm), _EMPTY, dtype=np.uint32)
    offsets_all, data_all = _string_buffers(texts)
    bins_k = np.uint64(num_perm)
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        offsets = offsets_all[lo : hi + 1]
        data, offsets = data_all[offsets[0] : offsets[-1]], offsets - offsets[0]
        if not len(data):
            continue
        packed, invalid = _pack_shingles(data, offsets, k)
        h = _hash_shingles(packed, seed)
        bins = (((h >> np.uint64(32)) * bins_k) >> np.uint64(32)).astype(np.int64)
        flat = np.repeat(np.arange(hi - lo, dtype=np.int64) * num_perm, np.diff(offsets)) + bins
        flat[invalid] = (hi - lo) * num_perm  # a spare slot past the end collects the non-shingles
        block_sig = np.full((hi - lo) * num_perm + 1, _EMPTY, dtype=np.uint32)
        np.minimum.at(block_sig, flat, (h & np.uint64(0xFFFFFFFF)).astype(np.uint32))
        sig[lo:hi] = _densify(block_sig[:-1].reshape(hi - lo, num_perm), seed)
    return sig


@functools.lru_cache(maxsize=8)
def _probe_table(num_perm: int, seed: int, attempts: int) -> np.ndarray:
    """The bins an empty bin probes, in order: row = bin, column = attempt (same for every record)."""
    cols = np.arange(num_perm, dtype=np.uint64)[:, None] << np.uint64(16)
    tries = np.arange(1, attempts + 1, dtype=np.uint64)[None, :]
    return (_mix64(cols ^ tries ^ np.uint64(_seed64(seed + 1))) % np.uint64(num_perm)).astype(np.int64)


def _densify(sig: np.ndarray, seed: int, attempts: int = 64) -> np.ndarray:
    """Optimal densification: an empty bin copies the bin a fixed hash sequence (bin, attempt) finds first non-empty.

    The sequence is the same for every record, so equal shingle sets still get equal signatures.
    """
    num_perm = sig.shape[1]
    empty = sig == _EMPTY
    rows, cols = np.nonzero(empty & ~empty.all(axis=1, keepdims=True))
    if not len(rows):
        return sig
    out = sig.copy()
    probes = _probe_table(num_perm, seed, attempts)
    for attempt in range(attempts):
        cand = probes[cols, attempt]
        got = ~empty[rows, cand]
        out[rows[got], cols[got]] = sig[rows[got], cand[got]]
        rows, cols = rows[~got], cols[~got]
        if not len(rows):
            return out
    # Practically unreachable: fall back to the first non-empty bin of the row.
    first = np.argmax(~empty, axis=1)
    out[rows, cols] = sig[rows, first[rows]]
    return out


def band_keys(sig: np.ndarray, bands: int, seed: int) -> np.ndarray:
    """One 64-bit key per (record, band): a multilinear hash of the band's values (odd seeded
    multipliers, wrapping sums), then mixed with the band number so bands never collide."""
    n, num_perm = sig.shape
    rows = num_perm // bands
    if rows % 2 == 0:  # two 32-bit values per 64-bit word: half the passes
        parts = np.ascontiguousarray(sig).view(np.uint64).reshape(n, bands, rows // 2)
    else:
        parts = sig.reshape(n, bands, rows).astype(np.uint64)
    acc = np.zeros((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(parts.shape[2]):
            acc += parts[:, :, j] * np.uint64(_seed64(seed * 1000 + j) | 1)
        acc ^= np.arange(bands, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    return _mix64(acc)


def estimate_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Jaccard estimates from 8-bit (b-bit) signature rows: the share of equal bytes, corrected for chance."""
    equal = (a == b).mean(axis=1)
    return np.clip((equal - 1 / 256) / (1 - 1 / 256), 0.0, 1.0)


# ------------------------------------------------------------------ record text and keys


def record_text(df: pd.DataFrame, columns: list[str]) -> pa.Array:
    """Lower-cased values of ``columns`` joined with a separator: the text a record is shingled on."""
    if not columns:
        return pa.array([""] * len(df), pa.large_string())
    parts = [pc.utf8_lower(_as_string(df[c])) for c in columns]
    return pc.binary_join_element_wise(*parts, pa.scalar("\x1f", pa.large_string()), null_handling="replace", null_replacement="")


def _as_string(series: pd.Series) -> pa.Array:
    arr = pa.Array.from_pandas(series)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.large_string())
    return arr.cast(pa.large_string())


def hash_strings(arr: pa.Array, seed: int = 0, block: int = 4096) -> np.ndarray:
    """A 64-bit hash of each string (null hashes like ""): a polynomial over its bytes, then mixed."""
    offsets_all, data_all = _string_buffers(arr)
    lengths_all = np.diff(offsets_all)
    out = np.zeros(len(lengths_all), dtype=np.uint64)
    if not len(lengths_all) or not lengths_all.max():
        return _mix64(out ^ np.uint64(_seed64(seed)))
    with np.errstate(over="ignore"):
        powers = np.full(int(lengths_all.max()) + 1, 0x100000001B3, dtype=np.uint64)  # FNV prime as the base
        powers[0] = 1
        powers = np.cumprod(powers, dtype=np.uint64)
        for lo in range(0, len(lengths_all), block):
            offsets = offsets_all[lo : lo + block + 1]
            data, offsets = data_all[offsets[0] : offsets[-1]], offsets - offsets[0]
            lengths = np.diff(offsets)
            if not len(data):
                continue
            # byte i weighs base**(bytes after it in its string): equal strings hash equal wherever they sit
            weight = powers[np.repeat(offsets[1:], lengths) - np.arange(len(data), dtype=np.int64) - 1]
            terms = (data.astype(np.uint64) + np.uint64(1)) * weight
            filled = np.nonzero(lengths)[0]
            out[lo + filled] = np.add.reduceat(terms, offsets[:-1][filled])
    return _mix64(out ^ (lengths_all.astype(np.uint64) << np.uint64(48)) ^ np.uint64(_seed64(seed)))


def content_keys(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """A 64-bit key of each row's normalized content over ``columns`` (names included, the source not)."""
    if not columns or not len(df):
        return np.zeros(len(df), dtype=np.uint64)
    parts = [pc.fill_null(_as_string(df[c]), "") for c in columns]
    joined = pc.binary_join_element_wise(*parts, pa.scalar("\x1f", pa.large_string()))
    names = hash_strings(pa.array(["\x1f".join(columns)], pa.large_string()))[0]
    return hash_strings(joined) ^ names


# ------------------------------------------------------------------ state


@dataclass
class _Refs:
    """Rows already kept (earlier batches or earlier files), for the incoming rows to be compared with."""

    # Per batch arrays, not Python objects per row: the state must stay small as a file grows.
    row_id: list[np.ndarray] = field(default_factory=list)  # bytes (ASCII ids)
    cluster_id: list[np.ndarray] = field(default_factory=list)  # bytes
    source: list[np.ndarray] = field(default_factory=list)  # object, one shared str per batch mostly
    line: list[np.ndarray] = field(default_factory=list)  # int64
    sig8: list[np.ndarray] = field(default_factory=list)  # per batch, (n, num_perm) uint8
    bands: list[np.ndarray] = field(default_factory=list)  # per batch, (n, bands) uint64
    fields: list[pa.Table] = field(default_factory=list)  # per batch: short field values (long ones null)
    exact: list[np.ndarray] = field(default_factory=list)  # per batch: content keys
    has_long: list[np.ndarray] = field(default_factory=list)  # per batch: has a value too long for rapidfuzz
    size: int = 0


class DedupState:
    """What the dedup steps remember across batches of one file and, loaded from the index, earlier files."""

    def __init__(self, options: DedupOptions | None = None) -> None:
        self.options = options or DedupOptions()
        self.refs = _Refs()
        self._sorted_bands: np.ndarray | None = None  # flattened band keys, sorted
        self._sorted_pos: np.ndarray | None = None  # ref row of each sorted key
        self._exact_keys = np.zeros(0, dtype=np.uint64)
        self._exact_pos = np.zeros(0, dtype=np.int64)
        self._exact_row: list[np.ndarray] = []  # per batch, bytes
        self._exact_cluster: list[np.ndarray] = []
        self._exact_size = 0
        self.columns: list[str] | None = None  # fixed by the first batch, so every batch compares the same fields
        self.own_from = 0  # refs from here on belong to the file being cleaned (what save_shard writes)
        self.last_keys: tuple[np.ndarray, np.ndarray] | None = None  # (row ids, content keys) the exact step kept

    # -- exact keys ------------------------------------------------------------------
    def find_exact(self, keys: np.ndarray) -> np.ndarray:
        """Index into the exact table of each key, or -1."""
        if not len(self._exact_keys):
            return np.full(len(keys), -1, dtype=np.int64)
        i = np.searchsorted(self._exact_keys, keys)
        i = np.minimum(i, len(self._exact_keys) - 1)
        hit = self._exact_keys[i] == keys
        return np.where(hit, self._exact_pos[i], -1)

    def exact_ref(self, pos: int) -> tuple[str, str]:
        """(row id, cluster id) of an exact-table entry."""
        at = np.array([pos])
        return _texts(self._exact_row, at)[0], _texts(self._exact_cluster, at)[0]

    def add_exact(self, keys: np.ndarray, row_ids: list[str], cluster_ids: list[str]) -> None:
        start = self._exact_size
        self._exact_row.append(_ascii(row_ids))
        self._exact_cluster.append(_ascii(cluster_ids))
        self._exact_size += len(row_ids)
        order = np.argsort(keys)
        keys, pos = keys[order], _earliest_per_run(keys[order], np.arange(start, start + len(keys), dtype=np.int64)[order])
        at = np.searchsorted(self._exact_keys, keys, side="right")  # equal keys keep the earlier entry first
        self._exact_keys = np.insert(self._exact_keys, at, keys)
        self._exact_pos = np.insert(self._exact_pos, at, pos)

    # -- LSH refs --------------------------------------------------------------------
    def add_refs(
        self, row_ids: list[str], cluster_ids: list[str], sources: list[str], lines: list[int],
        sig8: np.ndarray, bands: np.ndarray, fields: pa.Table, exact: np.ndarray, has_long: np.ndarray,
        valid: np.ndarray | None = None,
    ) -> None:
        """Remember kept rows; ``valid`` false = no text to compare (not put in the band table)."""
        r = self.refs
        start = r.size
        r.row_id.append(_ascii(row_ids))
        r.cluster_id.append(_ascii(cluster_ids))
        r.source.append(np.array(sources, dtype=object))
        r.line.append(np.asarray(lines, dtype=np.int64))
        r.sig8.append(sig8)
        r.bands.append(bands)
        r.fields.append(fields)
        r.exact.append(exact)
        r.has_long.append(np.asarray(has_long, dtype=bool))
        r.size += len(row_ids)
        use = np.ones(len(row_ids), dtype=bool) if valid is None else valid
        flat = bands[use].reshape(-1)
        pos = np.repeat(np.arange(start, start + len(row_ids), dtype=np.int32)[use], bands.shape[1])
        order = np.argsort(flat)
        flat, pos = flat[order], _earliest_per_run(flat[order], pos[order])
        if self._sorted_bands is None:
            self._sorted_bands, self._sorted_pos = flat, pos
        else:
            at = np.searchsorted(self._sorted_bands, flat, side="right")  # after equal keys: earlier refs stay first
            self._sorted_bands = np.insert(self._sorted_bands, at, flat)
            self._sorted_pos = np.insert(self._sorted_pos, at, pos)

    def lookup_bands(self, bands: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(incoming row, earliest ref row) for every band key an incoming row shares with a ref."""
        if self._sorted_bands is None or not len(bands):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        flat = bands.reshape(-1)
        order = np.argsort(flat)  # sorted needles: the binary searches walk memory in order
        i = np.empty(len(flat), dtype=np.int64)
        i[order] = np.searchsorted(self._sorted_bands, flat[order])
        i = np.minimum(i, len(self._sorted_bands) - 1)
        hit = self._sorted_bands[i] == flat
        rows = np.repeat(np.arange(len(bands), dtype=np.int64), bands.shape[1])[hit]
        return rows, self._sorted_pos[i[hit]]

    def ref_row_ids(self, pos: np.ndarray) -> list[str]:
        return _texts(self.refs.row_id, pos)

    def ref_cluster_ids(self, pos: np.ndarray) -> list[str]:
        return _texts(self.refs.cluster_id, pos)

    def ref_sig8(self, pos: np.ndarray) -> np.ndarray:
        return _gather(self.refs.sig8, pos, self.options.num_perm)

    def ref_has_long(self, pos: np.ndarray) -> np.ndarray:
        return _gather([h.reshape(-1, 1) for h in self.refs.has_long], pos, 1).reshape(-1)

    def ref_fields(self, pos: np.ndarray, columns: list[str]) -> dict[str, list[str | None]]:
        out: dict[str, list[str | None]] = {c: [None] * len(pos) for c in columns}
        if not len(pos) or not columns:
            return out
        bounds = np.cumsum([0] + [len(t) for t in self.refs.fields])
        chunk = np.searchsorted(bounds, pos, side="right") - 1
        for b in np.unique(chunk):
            sel = np.nonzero(chunk == b)[0]
            table = self.refs.fields[b].take(pa.array(pos[sel] - bounds[b]))
            for c in columns:
                if c in table.column_names:
                    values = table[c].to_pylist()
                    for k, v in zip(sel, values):
                        out[c][k] = v
        return out


def _ascii(ids: list[str]) -> np.ndarray:
    """Row ids (hex strings) as a compact bytes array."""
    return np.array([i.encode("ascii") for i in ids], dtype=bytes) if len(ids) else np.zeros(0, dtype="S1")


def _texts(parts: list[np.ndarray], pos: np.ndarray) -> list[str]:
    """Values at global positions ``pos`` of per-batch bytes arrays, as str."""
    if not len(pos):
        return []
    bounds = np.cumsum([0] + [len(p) for p in parts])
    chunk = np.searchsorted(bounds, pos, side="right") - 1
    out: list[str] = [""] * len(pos)
    for b in np.unique(chunk).tolist():
        sel = np.nonzero(chunk == b)[0]
        for k, v in zip(sel.tolist(), parts[b][pos[sel] - bounds[b]].tolist()):
            out[k] = v.decode("ascii") if isinstance(v, bytes) else str(v)
    return out


def _earliest_per_run(keys: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """For sorted ``keys``: each element's smallest ``pos`` among the elements with its key."""
    if not len(keys):
        return pos
    starts = np.nonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))[0]
    return np.repeat(np.minimum.reduceat(pos, starts), np.diff(np.append(starts, len(keys))))


def _gather(parts: list[np.ndarray], pos: np.ndarray, width: int) -> np.ndarray:
    out = np.zeros((len(pos), width), dtype=parts[0].dtype if parts else np.uint8)
    if not len(pos):
        return out
    bounds = np.cumsum([0] + [len(p) for p in parts])
    chunk = np.searchsorted(bounds, pos, side="right") - 1
    for b in np.unique(chunk):
        sel = chunk == b
        out[sel] = parts[b][pos[sel] - bounds[b]]
    return out


# ------------------------------------------------------------------ the persistent index


class DedupIndex:
    """Shards of kept rows, one Parquet file per landing file, under ``<data_dir>/dedup_index/``.

    A shard holds, for every row a file kept: its source, line, row id, cluster id, content key,
    LSH band keys, 8-bit signature and short field values. Shards written with other MinHash
    settings are skipped (their signatures are not comparable).
    """

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / INDEX_DIR

    def shard_path(self, source: str) -> Path:
        from headwater.layout import file_key

        date, _, name = source.partition("/")
        return self.root / f"date={date}" / f"{file_key(name)}.parquet"

    def predecessors(self, source: str, options: DedupOptions) -> list[Path]:
        """Shards of the files a file is compared with: same date and earlier name (scope run),
        plus earlier dates within history_days (scope history). Sorted oldest first."""
        if options.scope == "file" or not self.root.exists():
            return []
        from datetime import date as _date

        date, _, _ = source.partition("/")
        own = self.shard_path(source)
        found = []
        for part in sorted(self.root.glob("date=*")):
            d = part.name.removeprefix("date=")
            if d > date:
                continue
            if d < date:
                if options.scope != "history":
                    continue
                try:
                    if (_date.fromisoformat(date) - _date.fromisoformat(d)).days > options.history_days:
                        continue
                except ValueError:
                    continue
            for shard in sorted(part.glob("*.parquet")):
                if d == date and shard.name >= own.name:
                    continue
                found.append(shard)
        return found

    def load_into(self, state: DedupState, source: str) -> int:
        """Add the predecessor shards' rows to ``state`` as references; returns how many rows."""
        options = state.options
        wanted = json.dumps(options.index_settings(), sort_keys=True)
        added = 0
        for shard in self.predecessors(source, options):
            meta = pq.read_schema(shard).metadata or {}
            if meta.get(b"headwater.dedup") != wanted.encode():
                continue
            table = pq.read_table(shard)
            if not table.num_rows:
                continue
            n = table.num_rows
            sig8 = np.frombuffer(table["sig8"].combine_chunks().buffers()[1], dtype=np.uint8)[: n * options.num_perm].reshape(n, -1)
            bands = np.frombuffer(table["bands"].combine_chunks().buffers()[1], dtype=np.uint64)[: n * options.bands].reshape(n, -1)
            exact = table["exact_key"].to_numpy().astype(np.uint64)
            row_ids, clusters = table["row_id"].to_pylist(), table["cluster_id"].to_pylist()
            fields = pa.table({c.removeprefix("f:"): table[c] for c in table.column_names if c.startswith("f:")})
            has_long = table["has_long"].to_numpy(zero_copy_only=False)
            state.add_refs(
                row_ids, clusters, table["source"].to_pylist(), table["line"].to_pylist(), sig8, bands, fields, exact,
                has_long, ~np.all(sig8 == 0xFF, axis=1) | has_long,
            )
            state.add_exact(exact, row_ids, clusters)
            added += n
        state.own_from = state.refs.size
        return added

    def save_shard(self, state: DedupState, source: str) -> Path | None:
        """Write the rows this file kept (the refs added after ``load_into``) as its shard; replaces an older one."""
        from headwater.storage import atomic_path

        path = self.shard_path(source)
        if state.options.scope == "file":
            path.unlink(missing_ok=True)
            return None
        r, start, options = state.refs, state.own_from, state.options
        columns = state.columns or []
        metadata = {"headwater.dedup": json.dumps(options.index_settings(), sort_keys=True)}

        def slice_table(pos: np.ndarray) -> pa.Table:
            n = len(pos)
            sig8 = state.ref_sig8(pos)
            bands = _gather(r.bands, pos, options.bands)
            exact = _gather([e.reshape(-1, 1) for e in r.exact], pos, 1).reshape(-1)
            fields = state.ref_fields(pos, columns)
            return pa.table(
                {
                    "source": pa.array(_texts(r.source, pos), pa.string()),
                    "line": pa.array(_gather([x.reshape(-1, 1) for x in r.line], pos, 1).reshape(-1), pa.int64()),
                    "row_id": pa.array(state.ref_row_ids(pos), pa.string()),
                    "cluster_id": pa.array(state.ref_cluster_ids(pos), pa.string()),
                    "exact_key": pa.array(exact.astype(np.uint64)),
                    "has_long": pa.array(state.ref_has_long(pos), pa.bool_()),
                    "bands": pa.FixedSizeBinaryArray.from_buffers(pa.binary(8 * options.bands), n, [None, pa.py_buffer(bands.tobytes())]),
                    "sig8": pa.FixedSizeBinaryArray.from_buffers(pa.binary(options.num_perm), n, [None, pa.py_buffer(sig8.tobytes())]),
                    **{f"f:{c}": pa.array(v, pa.string()) for c, v in fields.items()},
                }
            ).replace_schema_metadata(metadata)

        # Written slice by slice: gathering every kept row at once doubled the state's memory.
        with atomic_path(path) as tmp:
            writer = None
            for lo in range(start, max(r.size, start + 1), SHARD_SLICE_ROWS):
                table = slice_table(np.arange(lo, min(lo + SHARD_SLICE_ROWS, r.size), dtype=np.int64))
                writer = writer or pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table)
            writer.close()
        return path


# ------------------------------------------------------------------ near-duplicate scoring


@dataclass
class Matches:
    """Accepted pairs of one batch: incoming row -> its best match (a batch row or a ref row)."""

    dup_rows: np.ndarray  # batch positions that are duplicates
    partner_row_id: list[str]
    cluster_id: list[str]
    similarity: np.ndarray


def compare_columns(df: pd.DataFrame, options: DedupOptions, identifiers: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The data columns near-duplicate detection compares."""
    data = [c for c in df.columns if not c.startswith("_") and not c.endswith(("__raw", "__imputed"))]
    if options.columns is not None:
        missing = [c for c in options.columns if c not in data]
        if missing:
            raise ValueError(f"dedup.columns: {', '.join(missing)} not in the data (columns: {', '.join(data)})")
        return list(options.columns)
    skip = set(options.ignore) | set(identifiers)
    return [c for c in data if c not in skip and not looks_like_identifier(c)]


def short_fields(df: pd.DataFrame, columns: list[str], max_chars: int) -> tuple[pa.Table, np.ndarray]:
    """Lower-cased values of ``columns`` up to ``max_chars`` long (longer or missing: null), and
    per row whether some value was longer (free text, compared through MinHash instead)."""
    out = {}
    has_long = np.zeros(len(df), dtype=bool)
    for c in columns:
        arr = pc.utf8_lower(_as_string(df[c]))
        too_long = pc.fill_null(pc.greater(pc.utf8_length(arr), max_chars), False)
        has_long |= too_long.to_numpy(zero_copy_only=False)
        empty = pc.fill_null(pc.equal(arr, ""), True)
        out[c] = pc.if_else(pc.or_(too_long, empty), pa.scalar(None, pa.large_string()), arr)
    return (pa.table(out) if out else pa.table({"_": pa.nulls(len(df))}).drop(["_"])), has_long


def field_similarity(a: dict[str, list[str | None]], b: dict[str, list[str | None]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, the lowest rapidfuzz ratio (0-1) over the short fields both records fill in (1.0 when
    none), and how many fields were compared."""
    from rapidfuzz import fuzz
    from rapidfuzz.process import cpdist

    lowest = np.ones(n)
    compared = np.zeros(n, dtype=np.int64)
    for c in a:
        va, vb = a[c], b.get(c, [None] * n)
        both = np.array([x is not None and y is not None for x, y in zip(va, vb)], dtype=bool)
        if not both.any():
            continue
        idx = np.nonzero(both)[0]
        scores = cpdist([va[i] for i in idx], [vb[i] for i in idx], scorer=fuzz.ratio, workers=1) / 100.0
        lowest[idx] = np.minimum(lowest[idx], scores)
        compared[idx] += 1
    return lowest, compared


def _within_batch_pairs(bands: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (earliest row of a bucket, other row of it) for every band bucket with several rows."""
    n, b = bands.shape
    rows = np.repeat(np.arange(n, dtype=np.int64), b)[np.repeat(valid, b)]
    flat = bands.reshape(-1)[np.repeat(valid, b)]
    order = np.argsort(flat)
    flat, rows = flat[order], rows[order]
    head = _earliest_per_run(flat, rows)
    keep = head != rows
    pairs = np.unique(np.stack([head[keep], rows[keep]], axis=1), axis=0) if keep.any() else np.zeros((0, 2), dtype=np.int64)
    return pairs[:, 0], pairs[:, 1]


def _score(
    sig_a: np.ndarray, sig_b: np.ndarray, has_long: np.ndarray,
    fields: Callable[[np.ndarray], tuple[dict[str, list[str | None]], dict[str, list[str | None]]]], options: DedupOptions,
) -> np.ndarray:
    """Similarity of candidate pairs: min(field ratios, MinHash estimate if a long value is involved).

    With no long value and at least one short field compared, the MinHash estimate only served to
    find the pair: on short records a one-letter typo moves it more than it should. ``fields(idx)``
    returns both sides' short fields for the pairs ``idx``, fetched only for pairs still in the running.
    """
    n = len(sig_a)
    if not n:
        return np.zeros(0)
    jaccard = estimate_similarity(sig_a, sig_b)
    sim = np.where(has_long, jaccard, 1.0)
    todo = np.nonzero(sim >= options.threshold)[0]  # the field comparison is the costly part
    if len(todo):
        a, b = fields(todo)
        lowest, compared = field_similarity(a, b, len(todo))
        sim[todo] = np.where(compared > 0, np.minimum(sim[todo], lowest), jaccard[todo])
    return sim


def _rows_of(table: pa.Table, rows: np.ndarray) -> dict[str, list[str | None]]:
    taken = table.take(pa.array(rows, pa.int64())) if table.num_columns else table
    return {c: taken[c].to_pylist() for c in table.column_names}


def find_near_duplicates(
    batch_sig8: np.ndarray, batch_bands: np.ndarray, batch_fields: pa.Table, batch_row_ids: list[str],
    valid: np.ndarray, state: DedupState, options: DedupOptions, batch_has_long: np.ndarray | None = None,
) -> Matches:
    """Score candidate pairs within the batch and against the refs; cluster the accepted ones."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(batch_row_ids)
    batch_has_long = np.zeros(n, dtype=bool) if batch_has_long is None else batch_has_long
    columns = batch_fields.column_names
    # Candidates inside the batch.
    a, b = _within_batch_pairs(batch_bands, valid)
    # Candidates against rows kept earlier (earlier batches, earlier files).
    rows, refs = state.lookup_bands(batch_bands)
    keep = valid[rows]
    rows, refs = rows[keep], refs[keep]
    if len(rows):
        uniq = np.unique(np.stack([rows, refs], axis=1), axis=0)
        rows, refs = uniq[:, 0], uniq[:, 1]

    # Score: short-field ratios, and the MinHash estimate when free text is involved.
    long_in = batch_has_long[a] | batch_has_long[b]
    long_ref = batch_has_long[rows] | state.ref_has_long(refs)
    sim_in = _score(
        batch_sig8[a], batch_sig8[b], long_in, lambda idx: (_rows_of(batch_fields, a[idx]), _rows_of(batch_fields, b[idx])), options
    )
    sim_ref = _score(
        batch_sig8[rows], state.ref_sig8(refs), long_ref,
        lambda idx: (_rows_of(batch_fields, rows[idx]), state.ref_fields(refs[idx], columns)), options,
    )
    # Decide.
    ok_in, ok_ref = sim_in >= options.threshold, sim_ref >= options.threshold
    a, b, sim_in = a[ok_in], b[ok_in], sim_in[ok_in]
    rows, refs, sim_ref = rows[ok_ref], refs[ok_ref], sim_ref[ok_ref]
    if not len(a) and not len(rows):
        return Matches(np.zeros(0, dtype=np.int64), [], [], np.zeros(0))

    # Cluster: nodes 0..n-1 are batch rows, n.. are the refs involved.
    ref_nodes, ref_local = np.unique(refs, return_inverse=True)
    src = np.concatenate([a, rows])
    dst = np.concatenate([b, n + ref_local])
    sims = np.concatenate([sim_in, sim_ref])
    size = n + len(ref_nodes)
    graph = coo_matrix((np.ones(len(src)), (src, dst)), shape=(size, size))
    _, label = connected_components(graph, directed=False)
    # Representative: a ref if the cluster has one (the earliest: refs are numbered in order), else its first batch row.
    rank = np.concatenate([np.arange(n, dtype=np.int64) + size, ref_nodes.astype(np.int64) - size - state.refs.size])
    rep = np.full(label.max() + 1, -1, dtype=np.int64)
    touched = np.unique(np.concatenate([src, dst]))
    for node in touched[np.argsort(rank[touched], kind="stable")].tolist():
        if rep[label[node]] == -1:
            rep[label[node]] = node
    dup_rows = np.array(sorted(int(x) for x in touched if x < n and rep[label[x]] != x), dtype=np.int64)

    ref_ids, ref_clusters = state.ref_row_ids(ref_nodes), state.ref_cluster_ids(ref_nodes)

    def node_id(node: int) -> str:
        return batch_row_ids[node] if node < n else ref_ids[node - n]

    def node_cluster(node: int) -> str:
        return batch_row_ids[node] if node < n else ref_clusters[node - n]

    # Each duplicate's partner: the accepted pair with the highest score (ties: the earlier partner).
    best: dict[int, tuple[float, int]] = {}
    for s, d, sim in zip(src.tolist(), dst.tolist(), sims.tolist()):
        for me, other in ((s, d), (d, s)):
            if me < n:
                cur = best.get(me)
                if cur is None or sim > cur[0] or (sim == cur[0] and rank[other] < rank[cur[1]]):
                    best[me] = (sim, other)
    partner = [node_id(best[int(r)][1]) for r in dup_rows]
    cluster = [node_cluster(int(rep[label[r]])) for r in dup_rows]
    similarity = np.array([round(best[int(r)][0], 4) for r in dup_rows])
    return Matches(dup_rows, partner, cluster, similarity)


# ------------------------------------------------------------------ the pipeline step


class NearDuplicates:
    """Records that say the same thing with small differences (a typo, a re-registration with a new id).

    Scores candidate pairs from MinHash LSH (record text) and rapidfuzz (short fields); the
    threshold decides. Compares within the batch, with earlier batches and, when the clean stage
    attached the persistent index, with earlier files (see ``attach_index``).
    """

    name = "near_duplicates"

    def __init__(self, options: DedupOptions | None = None, identifiers: set[str] | frozenset[str] = frozenset()) -> None:
        self.options = options if isinstance(options, DedupOptions) else DedupOptions()
        self.identifiers = set(identifiers)
        self.state: DedupState | None = None

    def apply(self, df: pd.DataFrame):  # type: ignore[no-untyped-def]
        from headwater.clean import LINE, ROW_ID, SOURCE, StepOutput, data_columns

        opts = self.options
        if not opts.near or df.empty:
            return StepOutput(df)
        if self.state is None:
            self.state = DedupState(opts)
        state = self.state
        if state.columns is None:
            state.columns = compare_columns(df, opts, self.identifiers)
        df = df.reset_index(drop=True)
        frame = df.reindex(columns=list(dict.fromkeys([*df.columns, *state.columns])))  # a batch may lack a column
        sig = minhash_signatures(record_text(frame, state.columns), opts.num_perm, opts.shingle_size, opts.seed)
        valid = sig[:, 0] != _EMPTY
        sig8 = (sig & np.uint32(0xFF)).astype(np.uint8)
        bands = band_keys(sig, opts.bands, opts.seed)
        fields, has_long = short_fields(frame, state.columns, opts.short_field_chars)
        row_ids = df[ROW_ID].astype(str).tolist()
        found = find_near_duplicates(sig8, bands, fields, row_ids, valid, state, opts, has_long)

        is_dup = np.zeros(len(df), dtype=bool)
        is_dup[found.dup_rows] = True
        kept = np.nonzero(~is_dup)[0]
        last = state.last_keys
        if last is not None and len(last[0]) == len(df) and np.array_equal(last[0], np.asarray(row_ids, dtype=object)):
            keys = last[1][kept]  # the exact step just hashed these very rows
        else:
            keys = content_keys(df.iloc[kept], data_columns(df))
        state.add_refs(
            [row_ids[i] for i in kept], [row_ids[i] for i in kept], df[SOURCE].iloc[kept].astype(str).tolist(),
            df[LINE].iloc[kept].astype(int).tolist(), sig8[kept], bands[kept], fields.take(pa.array(kept)),
            keys, has_long[kept], valid[kept],
        )
        dups = df.iloc[found.dup_rows].copy()
        dups[DUPLICATE_OF] = found.partner_row_id
        dups[CLUSTER_ID] = found.cluster_id
        dups[SIMILARITY] = found.similarity
        return StepOutput(df.iloc[kept], duplicates=dups)


def attach_index(steps: list, data_dir: Path, source: str) -> DedupState | None:  # type: ignore[type-arg]
    """Give the pipeline's dedup steps one shared state, preloaded with the predecessor files' shards."""
    dedup_steps = [s for s in steps if hasattr(s, "state") and hasattr(s, "options") and isinstance(s.options, DedupOptions)]
    if not dedup_steps:
        return None
    near = next((s for s in dedup_steps if isinstance(s, NearDuplicates)), dedup_steps[0])
    state = DedupState(near.options)
    DedupIndex(data_dir).load_into(state, source)
    for step in dedup_steps:
        step.state = state
    return state


SHARD_SLICE_ROWS = 100_000


def save_index(state: DedupState | None, data_dir: Path, source: str) -> None:
    """Write this file's shard (what it kept), so later files and runs compare against it."""
    if state is not None:
        DedupIndex(data_dir).save_shard(state, source)


def describe(options: DedupOptions) -> dict[str, object]:
    return asdict(options)
