"""The embed stage: every chunk of a task's files -> a vector (cached by model + text hash) in the vector store.

The store is made to hold exactly each file's chunks: new ids inserted, changed ones updated,
ids a file no longer produces deleted, for all the files of one task in one commit
(``embed_files``). The ledger records each file as finished here.

The chunk Parquet file is read batch by batch. First its rows are digested (ids, offsets,
strategy, model: ``headwater.embed.store.rows_digest``); when the store holds exactly those rows
for the file, as on an unchanged re-run, nothing is embedded or written. Otherwise it is read twice:

1. embed (``Settings.batch_rows`` rows at a time): each batch's texts go through the embedding
   cache, so only texts it lacks reach the model; their vectors are stored and dropped, and
   cached vectors are not even read. All model work happens here, outside the vector store's
   write lock, so parallel embed tasks do not wait on each other's model.
2. store (at most ``WRITE_BATCH_ROWS`` rows at a time: a row carries a 1.5 KB vector): the rows
   again, with their vectors from the cache, streamed into the store in one commit
   (``VectorStore.replace_sources_batches``), together with the task's other files: an append
   when the store holds none of them yet, a ``merge_insert`` when it holds any.

No pass holds more than one batch of chunks and vectors, so embedding a new file and re-running
an unchanged one take flat memory however large the file is (the RSS benchmark, bench/run.py,
measures both at 250k and 1M rows). Re-embedding a changed file the store holds is bounded by
Lance's merge instead, whose join grows with the rows in the table (``replace_sources_batches``).
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from headwater.config.settings import Settings
from headwater.embed.cache import cache_texts, embed_cached
from headwater.embed.model import embedder_id
from headwater.embed.progress import Progress
from headwater.embed.store import DIGESTED, WRITE_BATCH_ROWS, VectorStore, rows_digest
from headwater.ledger import Fingerprint, Ledger
from headwater.manifest import FileRef, layout, load_manifest, note_failure, save_stage
from headwater.storage import parquet_batches, parquet_schema, write_json

# The chunk-table columns the store keeps (headwater.embed.store.schema, but model and vector).
STORED = ["id", "source_file", "row_id", "line", "column", "chunk_index", "char_start", "char_end", "text", "strategy", "source_name", "columns"]
log = logging.getLogger("headwater.embed")
DEFAULT_DIM = 384  # the width of a new table when a file has no chunk to size it by (all-MiniLM-L6-v2)


def embed(ref: FileRef, settings: Settings, clock: Callable[[], float] = time.monotonic) -> dict[str, Any]:
    """Embed every chunk of one file (cached by embedder + text hash) and make the store hold exactly its chunks:
    ``embed_files`` for one file. Returns the manifest summary; raises as ``embed_files``."""
    return embed_files([ref], settings, clock)[0]


@dataclass
class _File:
    """One file of an embed task: its manifest, chunk table, columns and digest, and what the stage counted."""

    ref: FileRef
    started: float
    manifest: dict[str, Any]
    path: Path
    names: list[str]
    digest: tuple[int, int]
    counts: dict[str, int] = field(default_factory=lambda: {"chunks": 0, "embedded": 0})


def embed_files(refs: list[FileRef], settings: Settings, clock: Callable[[], float] = time.monotonic) -> list[dict[str, Any]]:
    """Embed every chunk of ``refs`` (cached by embedder + text hash) and make the store hold exactly their chunks, in one commit.

    What one embed task runs for its batch of files (past ``max_map_length`` the day is batched):
    the model loads once (``headwater.embed.model.load_encoder``, once per process), the files'
    digests are checked against the store in one scan (``VectorStore.held``), each file whose
    rows the store lacks is embedded through the cache (first pass, module docstring), and all
    their rows go to the store in one ``VectorStore.replace_sources_batches``: one commit, one
    table version and one hold of the write lock per task, not per file. A retry after a crash
    between embedding and the commit finds the vectors in the cache (0 model calls) and writes the
    same rows by the same ids, so nothing is stored twice.

    While texts are encoded, progress (texts done, texts/s, ETA) goes to the ``headwater.embed``
    log every ``Settings.embed_progress_seconds`` and to ``Layout.embed_progress`` (``headwater run``'s bar);
    ``clock`` (seconds) times the progress.

    Per file, after the commit: updates the manifest's ``vectors``, ``model``, ``embedded`` (texts
    sent to the model) and ``embedding_cache_hits``, records the file in the ledger; returns the
    manifest summaries in ``refs`` order. An exception is written to the manifest of the file it
    concerns (``records_failure``; a failed commit: to every file of the commit) and re-raised:
    FileNotFoundError when a file's chunk stage has not run, ValueError when the store's table
    holds vectors of another width.
    """
    name = embedder_id(settings.embedding_model, settings.embedding_backend)
    files = [_noting(settings, [ref], lambda ref=ref: _prepare(ref, settings, name)) for ref in refs]
    store = VectorStore.for_settings(settings)
    held = store.held({f.ref.source: f.digest for f in files})
    todo = [f for f in files if f.ref.source not in held]
    for f in files:
        if f.ref.source in held:  # an unchanged re-run: the store holds exactly these chunks
            f.counts = {"chunks": f.digest[0], "embedded": 0}
            f.manifest["vectors"] = f.digest[0]
    for f in todo:  # 1. embed through the cache, file by file (progress and counts are per file)
        _noting(settings, [f.ref], lambda f=f: _cache(f, settings, clock))
    if todo:  # 2. one commit for every file the store lacks
        stored = _noting(settings, [f.ref for f in todo], lambda: _store(todo, settings, name))
        for f in todo:
            f.manifest["vectors"] = stored[f.ref.source]
    return [_noting(settings, [f.ref], lambda f=f: _finish(f, settings, name)) for f in files]


def _noting(settings: Settings, refs: list[FileRef], fn: Callable[[], Any]) -> Any:
    """``fn()``; an exception it raises is written to the manifest of every file of ``refs`` (``note_failure``), then re-raised."""
    try:
        return fn()
    except Exception as exc:
        for ref in refs:
            note_failure(settings, ref, "embed", exc)
        raise


def _prepare(ref: FileRef, settings: Settings, name: str) -> _File:
    """The file's manifest, chunk table and digest (``rows_digest``). Raises FileNotFoundError without a manifest or chunk table."""
    started = time.monotonic()
    manifest = load_manifest(settings, ref)
    path = layout(settings, ref.date).chunks(ref.key)
    names = parquet_schema(path).names  # chunk tables from before strategies have no strategy column
    digest = rows_digest(parquet_batches(path, [c for c in DIGESTED if c in names], settings.batch_rows), name)
    return _File(ref, started, manifest, path, names, digest)


def _cache(f: _File, settings: Settings, clock: Callable[[], float]) -> None:
    """First pass: every text of the file through the embedding cache, ``Settings.batch_rows`` at a time."""
    progress = Progress(f.ref.source, f.digest[0], _reporter(layout(settings, f.ref.date).embed_progress(f.ref.key)), settings.embed_progress_seconds, clock)
    for batch in parquet_batches(f.path, ["text"], settings.batch_rows):
        f.counts["chunks"] += batch.num_rows
        f.counts["embedded"] += cache_texts(settings, batch.column("text").to_pylist(), progress)
    progress.finish()


def _store(files: list[_File], settings: Settings, name: str) -> dict[str, int]:
    """Second pass: the files' rows again, vectors from the cache, streamed into the store in one commit. Returns rows stored per file."""

    def stored() -> Iterator[tuple[pa.RecordBatch, np.ndarray]]:
        for f in files:
            columns = [c for c in STORED if c in f.names]
            for batch in parquet_batches(f.path, columns, min(settings.batch_rows, WRITE_BATCH_ROWS)):
                vectors, calls = embed_cached(settings, batch.column("text").to_pylist())
                f.counts["embedded"] += calls  # 0 unless the cache lost entries in between
                yield batch, vectors

    batches = stored()
    first = next(batches, None)  # its vectors size a new table
    dim = first[1].shape[1] if first is not None else DEFAULT_DIM
    store = VectorStore.for_settings(settings, dim=dim)
    return store.replace_sources_batches([f.ref.source for f in files], itertools.chain([first] if first is not None else [], batches), name)


def _finish(f: _File, settings: Settings, name: str) -> dict[str, Any]:
    """The file's manifest and ledger entry, once its rows are stored."""
    f.manifest.update(model=name, embedded=f.counts["embedded"], embedding_cache_hits=f.counts["chunks"] - f.counts["embedded"])
    result = save_stage(settings, f.ref, f.manifest, "embed", f.started)
    Ledger.for_settings(settings).record(
        f.ref.source, Fingerprint(**f.manifest["fingerprint"]), f.manifest["status"], {k: f.manifest[k] for k in ("rows_read", "curated", "chunks")}
    )
    return result


def _reporter(path: Path):  # noqa: ANN202 - Callable[[dict], None]
    def report(state: dict[str, Any]) -> None:
        log.info(state["line"])
        write_json(path, state)

    return report
