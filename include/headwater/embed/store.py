"""Embedded vector store (LanceDB): one row per chunk or row document, keyed by its deterministic id.

Writes replace a source file's chunks as a whole: new ids are inserted, existing
ids updated, and ids of that file that are no longer produced are deleted, so the
store always equals the latest curated data and re-runs create no duplicates. The
chunks and vectors stream in batches (``replace_sources_batches``), in one commit for all the
files of one embed task.
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Union

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sqlalchemy.engine import make_url

from headwater.config.chunking import RAW
from headwater.config.settings import Settings
from headwater.layout import Layout, data_root
from headwater.storage import is_remote

VECTOR = "vector"
# Rows per batch handed to Lance: DataFusion's default batch size (datafusion.execution.batch_size).
# Measured here: 100k-row batches of 384-d vectors doubled merge_insert's peak memory over 8192-row ones.
WRITE_BATCH_ROWS = 8192
ArrowRows = Union[pa.Table, pa.RecordBatch]  # chunk rows, Arrow-typed
# A matched row is rewritten only when a column its id does not cover differs: the id hashes
# source file, row id, column, chunk index, text and strategy (headwater.chunk.windows.chunk_id),
# and the vector follows from text and model (the embedding cache). Rows of a store written
# before strategies existed have no strategy (NULL). Lance's SQL has no IS DISTINCT FROM.
# Rows of a store written before ``columns`` existed have none (NULL); every new row has a list.
CHANGED = " OR ".join(
    [f"target.{c} != source.{c}" for c in ("line", "char_start", "char_end", "model", "source_name", "columns")]
    + ["target.strategy IS NULL", "target.columns IS NULL"]
)
# Columns added since the first stores were written: a store without them gets them (NULL) on its next write.
ADDED = ("strategy", "source_name", "columns")
# The columns a search returns (not the vector).
RESULT = ("id", "source_file", "row_id", "line", "column", "text", "strategy", "source_name", "columns")


# What a stored row is, beyond its vector (which follows from text and model; the text is in the id).
DIGESTED = ("id", "line", "column", "char_start", "char_end", "strategy", "model", "source_name", "columns")


def rows_digest(batches: Iterable[ArrowRows], model: str | None = None) -> tuple[int, int]:
    """(rows, order-independent digest) of chunk rows: the sum, modulo 2**128, of a BLAKE2b hash of each row's ``DIGESTED`` values.

    ``model`` fills the ``model`` column of rows that have none (a chunk table); a missing
    ``strategy`` column counts as raw, a missing ``source_name`` as None and a missing ``columns``
    as ``[column]`` (what ``VectorStore`` stores for such rows). Two sets of rows with equal digests hold the same rows,
    but for a hash collision. Reads one batch at a time.
    """
    rows, total = 0, 0
    for batch in batches:
        n = batch.num_rows
        columns = []
        for name in DIGESTED:
            if name in batch.schema.names:
                columns.append(batch.column(name).to_pylist())
            elif name == "columns" and "column" in batch.schema.names:
                columns.append([[c] for c in batch.column("column").to_pylist()])
            else:
                columns.append([model if name == "model" else RAW if name == "strategy" else None] * n)
        for values in zip(*columns):
            payload = "\x1f".join("" if v is None else str(v) for v in values).encode("utf-8")
            total = (total + int.from_bytes(hashlib.blake2b(payload, digest_size=16).digest(), "big")) % (1 << 128)
        rows += n
    return rows, total


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
            pa.field("strategy", pa.string()),  # chunking strategy that made the chunk; "row" for a row document
            pa.field("model", pa.string()),
            pa.field("source_name", pa.string()),  # the source config of the file (headwater.config.source)
            pa.field("columns", pa.list_(pa.string())),  # the columns the text shows: [column], or a row document's
            pa.field(VECTOR, pa.list_(pa.float32(), dim)),
        ]
    )


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in_sources(source_files: Iterable[str]) -> str:
    """``source_file IN ('a', 'b')``: LanceDB SQL (DataFusion) for rows of any of ``source_files``."""
    return f"source_file IN ({', '.join(_sql_str(s) for s in source_files)})"


def date_of(source_file: str) -> str:
    """``2026-11-20/orders.csv`` -> ``2026-11-20``: a landing-relative path starts with its date."""
    return source_file.partition("/")[0]


def storage_options(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """LanceDB ``storage_options`` for a store on ``s3://``: ``{"allow_http": "true"}`` when the endpoint
    (``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL``) is plain http (a test server, an in-cluster MinIO), else none.

    Lance's object_store reads the endpoint, keys and region from the standard AWS variables itself,
    but refuses an http endpoint unless told (``allow_http``, or ``AWS_ALLOW_HTTP=true``), checked
    here: without it the connect fails with ``BadScheme``. Source: object_store ``AmazonS3Builder::from_env``
    and ``AmazonS3ConfigKey``, https://docs.rs/object_store/latest/object_store/aws/enum.AmazonS3ConfigKey.html
    """
    env = os.environ if environ is None else environ
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or ""
    return {"allow_http": "true"} if endpoint.startswith("http://") else {}


class VectorStore:
    """The LanceDB table ``table`` at ``path`` (a local folder, or an ``s3://`` URI or UPath such as ``Layout.vectors``).

    Writers (``replace_source*``, ``delete_source``, ``ensure_text_index``'s build) hold one write lock:
    with ``lock_url`` (the PostgreSQL state URL, ``Settings.state_url``) a PostgreSQL advisory lock
    keyed by store URI and table, which serializes writers on every machine that shares the database;
    without it an ``fcntl`` lock on a local file, which serializes the processes of one machine only.
    """

    def __init__(self, path: Any, table: str = "chunks", dim: int = 384, lock_url: str = "") -> None:
        self.path = data_root(path)
        self.table_name = table
        self.dim = dim
        self.lock_url = lock_url
        self._unmixed: tuple[str, str, int] | None = None  # (model, source file, table version) after this store's last upsert

    @classmethod
    def for_settings(cls, settings: Settings, dim: int = 384) -> VectorStore:
        """The store of ``settings``: ``Layout.vectors`` of the data root, ``settings.vector_table``, and the
        cross-machine write lock when the state database is PostgreSQL."""
        postgres = settings.state_url and make_url(settings.state_url).get_backend_name() == "postgresql"
        return cls(Layout(settings.data_dir).vectors, settings.vector_table or "chunks", dim, settings.state_url if postgres else "")

    @property
    def uri(self) -> str:
        """Where LanceDB finds the store: a local folder or ``s3://bucket/prefix/vectors``."""
        return str(self.path)

    @contextmanager
    def _lock(self) -> Iterator[None]:
        # Lance commits are optimistic, and two concurrent merge_inserts of the same new id both
        # commit (lancedb#2463, lance#4585): serialize writers, across machines when the state is PostgreSQL.
        if self.lock_url:
            from headwater.state import advisory_lock

            with advisory_lock(self.lock_url, f"headwater.vectors:{self.uri}#{self.table_name}"):
                yield
            return
        if is_remote(self.path):  # one machine writing to object storage: the lock file is local
            import tempfile

            folder = Path(tempfile.gettempdir()) / "headwater-locks"
            lock_file = folder / (hashlib.sha256(self.uri.encode()).hexdigest()[:16] + ".lock")
        else:
            folder = self.path
            lock_file = folder / ".write.lock"
        folder.mkdir(parents=True, exist_ok=True)
        with open(lock_file, "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _db(self):  # noqa: ANN202 - lancedb has no public type for the connection
        import lancedb

        if is_remote(self.path):
            return lancedb.connect(self.uri, storage_options=storage_options())
        return lancedb.connect(self.uri)

    def _table(self, create: bool = False):  # noqa: ANN202
        db = self._db()
        if self.table_name in db.list_tables().tables:
            return db.open_table(self.table_name)
        if not create:
            return None
        return db.create_table(self.table_name, schema=schema(self.dim))

    def holds(self, source_file: str, digest: tuple[int, int]) -> bool:
        """True when the rows stored for ``source_file`` are exactly those of ``digest`` (``rows_digest``).

        Reads only the ``DIGESTED`` columns of that file's rows, one batch at a time: an unchanged
        re-run finds out it has nothing to write in flat memory, without Lance's merge.
        """
        return source_file in self.held({source_file: digest})

    def held(self, digests: Mapping[str, tuple[int, int]]) -> set[str]:
        """The files of ``digests`` (source file -> ``rows_digest``) whose stored rows are exactly those of their digest.

        One scan of the ``DIGESTED`` columns of those files' rows (``source_file IN (...)``), one
        batch at a time, each row's hash added to its file's digest: what ``holds`` answers for
        every file of an embed task at once, in flat memory. A file with no row stored is held when
        its digest counts no row.
        """
        if not digests:
            return set()
        table = self._table()
        if table is None:
            return {source for source, (rows, _) in digests.items() if rows == 0}
        if any(name not in table.schema.names for name in ADDED):
            return set()  # written before these columns existed: the merge adds them
        found: dict[str, tuple[int, int]] = {}
        stored = table.search().where(_in_sources(digests)).select(["source_file", *DIGESTED]).limit(None).to_batches(WRITE_BATCH_ROWS)
        for batch in stored:
            sources = batch.column("source_file")
            for source in pc.unique(sources).to_pylist():
                rows, total = rows_digest([batch.filter(pc.equal(sources, source))])
                before = found.get(source, (0, 0))
                found[source] = (before[0] + rows, (before[1] + total) % (1 << 128))
        return {source for source, digest in digests.items() if found.get(source, (0, 0)) == digest}

    def replace_source(self, source_file: str, chunks: pd.DataFrame, vectors: np.ndarray, model: str) -> int:
        """Make the store hold exactly ``chunks`` for ``source_file``. Returns the rows now stored for it.

        ``chunks``: rows of a chunk table (at least the store's columns but ``model`` and ``vector``;
        ``strategy`` defaults to raw); ``vectors``: one row of floats per chunk. Raises ValueError
        when the counts differ or the vectors' width is not the table's.
        """
        if len(chunks) != len(vectors):
            raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors for {source_file}")
        batches = [(pa.Table.from_pandas(chunks, preserve_index=False), np.asarray(vectors))] if len(chunks) else []
        return self.replace_source_batches(source_file, batches, model)

    def replace_source_batches(self, source_file: str, batches: Iterable[tuple[ArrowRows, np.ndarray]], model: str) -> int:
        """Make the store hold exactly the chunks of ``batches`` for ``source_file``, one batch in memory at a time:
        ``replace_sources_batches`` for one file. Returns the rows now stored for it. Raises ValueError as ``replace_source``."""
        return self.replace_sources_batches([source_file], batches, model)[source_file]

    def replace_sources_batches(self, source_files: list[str], batches: Iterable[tuple[ArrowRows, np.ndarray]], model: str) -> dict[str, int]:
        """Make the store hold exactly the chunks of ``batches`` for every file of ``source_files``, in one commit.

        ``batches``: (chunk rows as a pyarrow Table or RecordBatch, their vectors as an (n, dim)
        float array) pairs, read once, in order, and handed to LanceDB as a
        ``pyarrow.RecordBatchReader`` in slices of ``WRITE_BATCH_ROWS``; with several files, every
        row's ``source_file`` is one of them (ValueError otherwise), and a file with no row in them ends with
        none stored. One commit (one table version, one hold of the write lock) for all the files,
        so an embed task writing a batch of files costs one commit, not one per file; readers see
        the files' old rows or their new ones, never a mix, and a failure (raised by ``batches``
        too, re-raised as is) leaves the store as it was:

        * no row of any of ``source_files`` stored yet (new files): ``Table.add``, an append that never
          reads the table, so memory stays flat however large the files and the table are;
        * otherwise one ``merge_insert`` on ``id``: new ids inserted, matched rows rewritten only
          when ``CHANGED``, and rows of ``source_files`` whose id no batch holds deleted
          (``when_not_matched_by_source_delete``).

        Lance reads the source as a stream: with commit retries on (the default) it keeps it for
        replay in at most 100 MB of memory and spills the rest to a temporary file (lance
        ``MergeInsertJob::stream_source_to_provider``, rust/lance/src/dataset/write/merge_insert.rs;
        ``new_source_iter``, rust/lance/src/dataset/write.rs, https://github.com/lance-format/lance).
        But a merge joins the source with the whole table: measured here (lancedb 0.40, lance 13)
        its peak grows by about 2 KB per row already in the table, whichever file the row belongs
        to, as if the by-source delete read whole target rows (vectors included); without that
        clause it is about 0.4 KB a row. Rewriting a file the store holds therefore costs memory in
        proportion to the table, not to the batch (the embed stage skips the write when the rows
        are unchanged: ``holds``). Returns the rows now stored per file of ``source_files``.
        Raises ValueError as ``replace_source``.
        """
        sources = list(dict.fromkeys(source_files))
        if not sources:
            return {}
        where = _in_sources(sources)
        label = sources[0] if len(sources) == 1 else f"{sources[0]} … {sources[-1]} ({len(sources)} files)"
        with self._lock():
            pending = iter(batches)
            first = next(pending, None)
            table = self._table(create=first is not None)
            if table is None:
                return dict.fromkeys(sources, 0)  # nothing stored yet and nothing to store
            dim = table.schema.field(VECTOR).type.list_size  # the table's width wins (empty batches)
            missing = [schema(dim).field(name) for name in ADDED if name not in table.schema.names]
            if missing:  # a store written before these columns existed
                table.add_columns(missing)
            allowed = pa.array(sources, type=pa.string()) if len(sources) > 1 else None  # one file: its rows as given, as before
            head = [self._store_batch(label, *first, model, dim, allowed)] if first is not None else []  # checked before any write
            self._refuse_another_embedder(table, sources, model)
            failure: list[BaseException] = []
            written: dict[str, int] = dict.fromkeys(sources, 0)

            def rows() -> Iterator[pa.RecordBatch]:
                try:
                    converted = (self._store_batch(label, chunks, vectors, model, dim, allowed) for chunks, vectors in pending)
                    for batch in itertools.chain(head, converted):
                        for counted in pc.value_counts(batch.column("source_file")).to_pylist():
                            written[counted["values"]] = written.get(counted["values"], 0) + counted["counts"]
                        for start in range(0, batch.num_rows, WRITE_BATCH_ROWS):
                            yield batch.slice(start, WRITE_BATCH_ROWS)
                except BaseException as exc:  # raised inside Lance's reader thread: re-raised as is below
                    failure.append(exc)
                    raise

            reader = pa.RecordBatchReader.from_batches(schema(dim), rows())
            try:
                if table.count_rows(where) == 0:  # nothing of these files stored: append, with no join against the table
                    if first is not None:
                        table.add(reader)
                else:
                    (
                        table.merge_insert("id")
                        .when_matched_update_all(where=CHANGED)
                        .when_not_matched_insert_all()
                        .when_not_matched_by_source_delete(where)
                        .execute(reader)
                    )
            except Exception:
                if failure:
                    raise failure[0] from None
                raise
            return {source: written[source] for source in sources}

    def upsert(self, chunks: ArrowRows, vectors: np.ndarray, model: str) -> int:
        """Insert the rows of ``chunks`` whose id the store lacks, rewrite matched ones only when ``CHANGED``; delete nothing.

        What a stream's micro-batch writes (headwater.stream.batch): its records are added to
        what its source holds, not a replacement of it, so a record written twice (a redelivered
        message) is one row. One ``merge_insert`` on ``id``, one commit, under the write lock.
        ``chunks`` and ``vectors`` as one pair of ``replace_source_batches``' batches, all of one
        ``source_file``. Returns the number of rows given. Raises ValueError as ``replace_source``.

        The check that the table holds no other embedder's vectors (``_refuse_another_embedder``, a
        scan of the table) is skipped when the table is still at the version this store's own last
        upsert of the same model and file left (``Table.version``, read under the write lock): no
        writer committed since, and that upsert checked. Any other commit (another process, a
        compaction) makes the next upsert check again.
        """
        if not chunks.num_rows:
            return 0
        with self._lock():
            table = self._table(create=True)
            dim = table.schema.field(VECTOR).type.list_size
            missing = [schema(dim).field(name) for name in ADDED if name not in table.schema.names]
            if missing:
                table.add_columns(missing)
            source_file = chunks.column("source_file")[0].as_py()
            batch = self._store_batch(source_file, chunks, vectors, model, dim)
            if self._unmixed != (model, source_file, table.version):
                self._refuse_another_embedder(table, [source_file], model)
            table.merge_insert("id").when_matched_update_all(where=CHANGED).when_not_matched_insert_all().execute(pa.Table.from_batches([batch]))
            self._unmixed = (model, source_file, table.version)
            return batch.num_rows

    def _refuse_another_embedder(self, table, source_files: list[str], model: str) -> None:  # noqa: ANN001 - a lancedb Table
        """Raise ValueError when rows of files other than ``source_files`` hold vectors of another embedder (model and backend):
        one table never mixes them, since their similarities are not comparable. The files' own rows are replaced."""
        other = f"NOT ({_in_sources(source_files)}) AND model != {_sql_str(model)}"
        found = table.search().where(other).select(["model"]).limit(1).to_list()
        if found:
            raise ValueError(
                f"table {self.table_name!r} at {self.path} holds vectors of {found[0]['model']!r}, not {model!r}: "
                "one table never mixes embedding models or backends — set HEADWATER_VECTOR_TABLE to another table "
                "(left unset, each backend has its own)"
            )

    def _store_batch(
        self, source_file: str, chunks: ArrowRows, vectors: np.ndarray, model: str, dim: int, allowed: pa.Array | None = None
    ) -> pa.RecordBatch:
        """Chunk rows + their vectors -> one batch of the table's schema (``schema(dim)``).

        ``source_file`` names the rows in error messages; ``allowed``: the source files the rows may
        belong to (ValueError for a row of another file), None to check nothing.
        """
        vectors = np.asarray(vectors, dtype=np.float32)
        if chunks.num_rows != len(vectors):
            raise ValueError(f"{chunks.num_rows} chunks but {len(vectors)} vectors for {source_file}")
        if allowed is not None and not pc.all(pc.is_in(chunks.column("source_file"), value_set=allowed)).as_py() and chunks.num_rows:
            strays = sorted(set(chunks.column("source_file").to_pylist()) - set(allowed.to_pylist()))
            raise ValueError(f"chunk rows of {strays} in a write of {source_file}: each row must belong to a file being written")
        if len(vectors) and (vectors.ndim != 2 or vectors.shape[1] != dim):
            raise ValueError(
                f"table {self.table_name!r} at {self.path} holds {dim}-d vectors but the model gives "
                f"{vectors.shape[-1]}-d ones — set HEADWATER_VECTOR_TABLE to a new table for the new model"
            )
        target = schema(dim)
        arrays = []
        for f in target:
            if f.name == VECTOR:
                arrays.append(pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1), type=pa.float32()), dim))
            elif f.name == "model":
                arrays.append(pa.array([model] * chunks.num_rows, type=f.type))
            elif f.name == "strategy" and f.name not in chunks.schema.names:
                arrays.append(pa.array([RAW] * chunks.num_rows, type=f.type))  # chunks from before strategies were raw windows
            elif f.name == "source_name" and f.name not in chunks.schema.names:
                arrays.append(pa.nulls(chunks.num_rows, type=f.type))
            elif f.name == "columns" and f.name not in chunks.schema.names:  # a chunk shows its own column
                arrays.append(pa.array([[c] for c in chunks.column("column").to_pylist()], type=f.type))
            else:
                arrays.append(pc.cast(chunks.column(f.name), f.type))
        return pa.RecordBatch.from_arrays([a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a for a in arrays], schema=target)

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

    def search(self, vector: np.ndarray, k: int = 5, where: str | None = None) -> list[Hit]:
        """The ``k`` rows nearest ``vector`` by cosine (score = cosine similarity), best first.

        ``where``: a LanceDB SQL filter applied before the search (``prefilter``), so k rows come
        back whenever k rows pass it. Exhaustive search (no vector index): exact neighbours.
        """
        table = self._table()
        if table is None:
            return []
        query = table.search(np.asarray(vector, dtype=np.float32)).distance_type("cosine").select([*self._result(table), "_distance"])
        if where:
            query = query.where(where, prefilter=True)
        return [Hit.of(r, 1.0 - float(r["_distance"])) for r in query.limit(k).to_list()]

    def text_search(self, text: str, k: int = 5, where: str | None = None) -> list[Hit]:
        """The ``k`` best rows for ``text`` by BM25 over the ``text`` column (score = BM25), best first.

        Uses Lance's native full-text index (``ensure_text_index``); the query is one match query
        over the words of ``text`` (any word may match, none is an operator). ``where`` as in
        ``search``. Source: https://lancedb.github.io/lancedb/fts/ (native FTS, lancedb 0.40).
        """
        from lancedb.query import MatchQuery

        table = self.ensure_text_index()
        if table is None or not text.strip():
            return []
        query = table.search(MatchQuery(text, "text"), query_type="fts").select([*self._result(table), "_score"])
        if where:
            query = query.where(where, prefilter=True)
        return [Hit.of(r, float(r["_score"])) for r in query.limit(k).to_list()]

    @staticmethod
    def _result(table) -> list[str]:  # noqa: ANN001 - a LanceDB table
        return [c for c in RESULT if c in table.schema.names]

    def ensure_text_index(self):  # noqa: ANN201 - the LanceDB table, or None when there is none
        """Give the table its full-text index on ``text`` when it has none, and fold unindexed rows in.

        Rows written after the index was built are searched exhaustively next to it (LanceDB
        "Reindexing": https://docs.lancedb.com/indexing/reindexing), so results are complete either
        way; once they outnumber the indexed rows, ``Table.optimize`` adds them to the index
        (incremental indexing), which keeps that extra work at most as large as the index.
        Takes the write lock when it writes. Returns the table (None: nothing stored yet).
        """
        table = self._table()
        if table is None:
            return None
        index = next((i for i in table.list_indices() if i.columns == ["text"] and i.index_type == "FTS"), None)
        if index is not None and index.num_unindexed_rows <= index.num_indexed_rows:
            return table
        with self._lock():
            table = self._table()
            if index is None:
                table.create_fts_index("text", use_tantivy=False, replace=True)
            else:
                table.optimize()
        return self._table()

    def compact(self, keep: timedelta = timedelta(hours=1)) -> dict[str, int]:
        """Fold the table's small fragments into large ones and delete the files of versions older than ``keep``.

        Every commit (one per embedded file, per stream micro-batch) adds a version and a fragment,
        and ``merge_insert`` joins new ids against every fragment: after a few hundred micro-batches
        an upsert took 2.5x as long (0.26 s vs 0.10 s at 30,000 rows). This gives ``id`` a BTREE
        scalar index when it has none (``create_scalar_index``), then ``Table.optimize`` compacts
        the fragments, updates the indices and prunes old versions (LanceDB "Optimize": "run optimize
        if you have added or modified 100,000 or more records or run more than 20 data modification
        operations", https://lancedb.github.io/lancedb/python/python/#lancedb.table.Table.optimize).
        Versions newer than ``keep`` stay, so a reader that opened one before the compaction can
        finish (``keep`` of zero would break it). Rows, ids and vectors are unchanged. Runs under the
        write lock, so no Headwater writer commits at the same time.

        Returns ``{"rows", "versions_before", "versions_after", "fragments_before", "fragments_after"}``
        (all zero when nothing is stored yet).
        """
        table = self._table()
        if table is None:
            return dict.fromkeys(("rows", "versions_before", "versions_after", "fragments_before", "fragments_after"), 0)
        with self._lock():
            table = self._table()
            before = (len(table.list_versions()), table.stats()["fragment_stats"]["num_fragments"])
            if not any(i.columns == ["id"] for i in table.list_indices()):
                table.create_scalar_index("id")
            table.optimize(cleanup_older_than=keep)
            table = self._table()
            stats = table.stats()
            return {"rows": stats["num_rows"], "versions_before": before[0], "versions_after": len(table.list_versions()),
                    "fragments_before": before[1], "fragments_after": stats["fragment_stats"]["num_fragments"]}


@dataclass
class Hit:
    """One search result: a chunk or a row document (``strategy`` "row"), where it came from, and its score."""

    score: float  # cosine similarity, BM25 or a fused rank score (headwater.embed.search)
    source_file: str  # <date>/<landing file name>
    line: int  # the line the record started on
    column: str  # the chunk's column; "_row" for a row document
    text: str
    id: str
    row_id: str = ""
    strategy: str = RAW
    date: str = ""  # the landing date (the start of source_file)
    source_name: str | None = None
    columns: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, row: dict, score: float) -> Hit:
        """A store row (any of its columns may be missing in a store written before them) -> a Hit."""
        return cls(
            score=score, source_file=row["source_file"], line=int(row["line"]), column=row["column"], text=row["text"], id=row["id"],
            row_id=row.get("row_id") or "", strategy=row.get("strategy") or RAW, date=date_of(row["source_file"]),
            source_name=row.get("source_name"), columns=list(row.get("columns") or [row["column"]]),
        )
