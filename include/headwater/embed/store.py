"""Embedded vector store (LanceDB): one row per chunk, keyed by its deterministic id.

Writes replace a source file's chunks as a whole: new ids are inserted, existing
ids updated, and ids of that file that are no longer produced are deleted, so the
store always equals the latest curated data and re-runs create no duplicates.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

VECTOR = "vector"


def schema(dim: int) -> pa.Schema:
    return pa.schema(
        [
            pa.field("id", pa.string()),
            pa.field("source_file", pa.string()),
            pa.field("row_id", pa.string()),
            pa.field("line", pa.int64()),
            pa.field("column", pa.string()),
            pa.field("chunk_index", pa.int64()),
            pa.field("char_start", pa.int64()),
            pa.field("char_end", pa.int64()),
            pa.field("text", pa.string()),
            pa.field("strategy", pa.string()),  # chunking strategy that made the chunk (headwater.chunking)
            pa.field("model", pa.string()),
            pa.field(VECTOR, pa.list_(pa.float32(), dim)),
        ]
    )


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass
class Hit:
    score: float
    source_file: str
    line: int
    column: str
    text: str
    id: str


class VectorStore:
    def __init__(self, path: Path, table: str = "chunks", dim: int = 384) -> None:
        self.path = Path(path)
        self.table_name = table
        self.dim = dim

    @contextmanager
    def _lock(self) -> Iterator[None]:
        # Lance commits are optimistic; parallel merge_inserts from mapped tasks on one
        # machine would conflict, so serialize writers with a file lock.
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".write.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _db(self):  # noqa: ANN202 - lancedb has no public type for the connection
        import lancedb

        return lancedb.connect(str(self.path))

    def _table(self, create: bool = False):  # noqa: ANN202
        db = self._db()
        if self.table_name in db.list_tables().tables:
            return db.open_table(self.table_name)
        if not create:
            return None
        return db.create_table(self.table_name, schema=schema(self.dim))

    def replace_source(self, source_file: str, chunks: pd.DataFrame, vectors: np.ndarray, model: str) -> int:
        """Make the store hold exactly ``chunks`` for ``source_file``. Returns the rows now stored for it."""
        if len(chunks) != len(vectors):
            raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors for {source_file}")
        data = chunks.copy()
        data["model"] = model
        if "strategy" not in data:
            data["strategy"] = "raw"  # chunks from before chunking strategies existed were raw windows
        with self._lock():
            table = self._table(create=len(chunks) > 0)
            if table is None:
                return 0  # nothing stored yet and nothing to store
            dim = table.schema.field(VECTOR).type.list_size  # the table's width wins (empty batches)
            if len(vectors) and np.asarray(vectors).shape[1] != dim:
                raise ValueError(
                    f"table {self.table_name!r} at {self.path} holds {dim}-d vectors but the model gives "
                    f"{np.asarray(vectors).shape[1]}-d ones — set HEADWATER_VECTOR_TABLE to a new table for the new model"
                )
            cols = [f.name for f in schema(dim) if f.name != VECTOR]
            arrays = [pa.array(data[c].tolist(), type=schema(dim).field(c).type) for c in cols]
            flat = pa.array(np.asarray(vectors, dtype=np.float32).reshape(-1), type=pa.float32())
            arrays.append(pa.FixedSizeListArray.from_arrays(flat, dim))
            batch = pa.Table.from_arrays(arrays, schema=schema(dim))
            if "strategy" not in table.schema.names:  # a store written before chunking strategies existed
                table.add_columns(pa.field("strategy", pa.string()))
            (
                table.merge_insert("id")
                .when_matched_update_all()
                .when_not_matched_insert_all()
                .when_not_matched_by_source_delete(f"source_file = {_sql_str(source_file)}")
                .execute(batch)
            )
            return table.count_rows(f"source_file = {_sql_str(source_file)}")

    def delete_source(self, source_file: str) -> None:
        """Remove every chunk of ``source_file`` (it was quarantined since it was last embedded)."""
        with self._lock():
            table = self._table()
            if table is not None:
                table.delete(f"source_file = {_sql_str(source_file)}")

    def count(self, source_file: str | None = None) -> int:
        table = self._table()
        if table is None:
            return 0
        return table.count_rows(None if source_file is None else f"source_file = {_sql_str(source_file)}")

    def ids(self) -> list[str]:
        table = self._table()
        return [] if table is None else table.to_arrow().column("id").to_pylist()

    def search(self, vector: np.ndarray, k: int = 5) -> list[Hit]:
        table = self._table()
        if table is None:
            return []
        rows = table.search(np.asarray(vector, dtype=np.float32)).distance_type("cosine").limit(k).to_list()
        return [
            Hit(
                score=1.0 - float(r["_distance"]),
                source_file=r["source_file"],
                line=int(r["line"]),
                column=r["column"],
                text=r["text"],
                id=r["id"],
            )
            for r in rows
        ]
