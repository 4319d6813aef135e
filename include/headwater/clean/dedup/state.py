"""What the dedup steps remember across batches of one file and, loaded from the index, earlier files."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from headwater.config.dedup import DedupOptions


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
        return texts(self._exact_row, at)[0], texts(self._exact_cluster, at)[0]

    def add_exact(self, keys: np.ndarray, row_ids: list[str], cluster_ids: list[str]) -> None:
        start = self._exact_size
        self._exact_row.append(_ascii(row_ids))
        self._exact_cluster.append(_ascii(cluster_ids))
        self._exact_size += len(row_ids)
        order = np.argsort(keys)
        keys, pos = keys[order], earliest_per_run(keys[order], np.arange(start, start + len(keys), dtype=np.int64)[order])
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
        flat, pos = flat[order], earliest_per_run(flat[order], pos[order])
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
        return texts(self.refs.row_id, pos)

    def ref_cluster_ids(self, pos: np.ndarray) -> list[str]:
        return texts(self.refs.cluster_id, pos)

    def ref_sig8(self, pos: np.ndarray) -> np.ndarray:
        return gather(self.refs.sig8, pos, self.options.num_perm)

    def ref_has_long(self, pos: np.ndarray) -> np.ndarray:
        return gather([h.reshape(-1, 1) for h in self.refs.has_long], pos, 1).reshape(-1)

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


def texts(parts: list[np.ndarray], pos: np.ndarray) -> list[str]:
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


def earliest_per_run(keys: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """For sorted ``keys``: each element's smallest ``pos`` among the elements with its key."""
    if not len(keys):
        return pos
    starts = np.nonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))[0]
    return np.repeat(np.minimum.reduceat(pos, starts), np.diff(np.append(starts, len(keys))))


def gather(parts: list[np.ndarray], pos: np.ndarray, width: int) -> np.ndarray:
    out = np.zeros((len(pos), width), dtype=parts[0].dtype if parts else np.uint8)
    if not len(pos):
        return out
    bounds = np.cumsum([0] + [len(p) for p in parts])
    chunk = np.searchsorted(bounds, pos, side="right") - 1
    for b in np.unique(chunk):
        sel = chunk == b
        out[sel] = parts[b][pos[sel] - bounds[b]]
    return out
