"""The persistent dedup index: per landing file, a shard of the rows it kept, for later files to compare with.

A file is compared with the files ordered before it (earlier dates, then earlier names on the
same date), so the outcome does not depend on which task finished first and a re-run gives the
same result. Shards live under ``Layout.dedup_index``.
"""

from __future__ import annotations

import json
from datetime import date as _date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from headwater.clean.dedup.state import DedupState, gather, texts
from headwater.config.dedup import DedupOptions
from headwater.layout import Layout
from headwater.storage import atomic_path

SHARD_SLICE_ROWS = 100_000


class DedupIndex:
    """Shards of kept rows, one Parquet file per landing file, under ``Layout.dedup_index``.

    A shard holds, for every row a file kept: its source, line, row id, cluster id, content key,
    LSH band keys, 8-bit signature and short field values. Shards written with other MinHash
    settings are skipped (their signatures are not comparable).
    """

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.root = layout.dedup_index

    def shard_path(self, source: str) -> Path:
        """The shard of one landing file (``<date>/<name>``)."""
        return self.layout.dedup_shard(source)

    def predecessors(self, source: str, options: DedupOptions) -> list[Path]:
        """Shards of the files a file is compared with: same date and earlier name (scope run),
        plus earlier dates within history_days (scope history). Sorted oldest first."""
        if options.scope == "file" or not self.root.exists():
            return []
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
            bands = gather(r.bands, pos, options.bands)
            exact = gather([e.reshape(-1, 1) for e in r.exact], pos, 1).reshape(-1)
            fields = state.ref_fields(pos, columns)
            return pa.table(
                {
                    "source": pa.array(texts(r.source, pos), pa.string()),
                    "line": pa.array(gather([x.reshape(-1, 1) for x in r.line], pos, 1).reshape(-1), pa.int64()),
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
