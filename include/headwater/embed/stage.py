"""The embed stage: every chunk of one file -> a vector (cached by model + text hash) in the vector store.

The store is made to hold exactly this file's chunks: new ids inserted, changed ones updated,
ids the file no longer produces deleted. The ledger records the file as finished here.

The chunk Parquet file is read batch by batch. First its rows are digested (ids, offsets,
strategy, model: ``headwater.embed.store.rows_digest``); when the store holds exactly those rows
for the file, as on an unchanged re-run, nothing is embedded or written. Otherwise it is read twice:

1. embed (``Settings.batch_rows`` rows at a time): each batch's texts go through the embedding
   cache, so only texts it lacks reach the model; their vectors are stored and dropped, and
   cached vectors are not even read. All model work happens here, outside the vector store's
   write lock, so parallel embed tasks do not wait on each other's model.
2. store (at most ``WRITE_BATCH_ROWS`` rows at a time: a row carries a 1.5 KB vector): the rows
   again, with their vectors from the cache, streamed into the store in one commit
   (``VectorStore.replace_source_batches``): an append for a file the store does not hold yet,
   a ``merge_insert`` for one it does.

No pass holds more than one batch of chunks and vectors, so embedding a new file and re-running
an unchanged one take flat memory however large the file is (the RSS benchmark, bench/run.py,
measures both at 250k and 1M rows). Re-embedding a changed file the store holds is bounded by
Lance's merge instead, whose join grows with the rows in the table (``replace_source_batches``).
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator
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
from headwater.manifest import FileRef, layout, load_manifest, records_failure, save_stage
from headwater.storage import parquet_batches, parquet_schema, write_json

# The chunk-table columns the store keeps (headwater.embed.store.schema, but model and vector).
STORED = ["id", "source_file", "row_id", "line", "column", "chunk_index", "char_start", "char_end", "text", "strategy", "source_name", "columns"]
log = logging.getLogger("headwater.embed")
DEFAULT_DIM = 384  # the width of a new table when a file has no chunk to size it by (all-MiniLM-L6-v2)


@records_failure("embed")
def embed(ref: FileRef, settings: Settings, clock: Callable[[], float] = time.monotonic) -> dict[str, Any]:
    """Embed every chunk (cached by embedder + text hash) and make the store hold exactly this file's chunks.

    While texts are encoded, progress (texts done, texts/s, ETA) goes to the ``headwater.embed``
    log every ``Settings.embed_progress_seconds`` and to ``Layout.embed_progress`` (``headwater run``'s bar);
    ``clock`` (seconds) times the progress.

    Updates the manifest's ``vectors``, ``model``, ``embedded`` (texts sent to the model) and
    ``embedding_cache_hits``, records the file in the ledger and returns the manifest summary.
    Raises FileNotFoundError when the file's chunk stage has not run, ValueError when the
    store's table holds vectors of another width.
    """
    started = time.monotonic()
    lay = layout(settings, ref.date)
    manifest = load_manifest(settings, ref)
    path = lay.chunks(ref.key)
    names = parquet_schema(path).names  # chunk tables from before strategies have no strategy column
    name = embedder_id(settings.embedding_model, settings.embedding_backend)
    digest = rows_digest(parquet_batches(path, [c for c in DIGESTED if c in names], settings.batch_rows), name)
    if VectorStore.for_settings(settings).holds(ref.source, digest):
        counts = {"chunks": digest[0], "embedded": 0}  # an unchanged re-run: the store holds exactly these chunks
        vectors_stored = digest[0]
    else:
        progress = Progress(ref.source, digest[0], _reporter(lay.embed_progress(ref.key)), settings.embed_progress_seconds, clock)
        counts, vectors_stored = _embed_and_store(ref, settings, path, [c for c in STORED if c in names], name, progress)
    manifest.update(vectors=vectors_stored, model=name, embedded=counts["embedded"], embedding_cache_hits=counts["chunks"] - counts["embedded"])
    result = save_stage(settings, ref, manifest, "embed", started)
    Ledger.for_settings(settings).record(
        ref.source, Fingerprint(**manifest["fingerprint"]), manifest["status"], {k: manifest[k] for k in ("rows_read", "curated", "chunks")}
    )
    return result


def _reporter(path: Path):  # noqa: ANN202 - Callable[[dict], None]
    def report(state: dict[str, Any]) -> None:
        log.info(state["line"])
        write_json(path, state)

    return report


def _embed_and_store(
    ref: FileRef, settings: Settings, path: Path, columns: list[str], name: str, progress: Progress
) -> tuple[dict[str, int], int]:
    """The two passes over the chunk file (module docstring): ({"chunks", "embedded"}, rows now stored)."""
    counts = {"chunks": 0, "embedded": 0}
    for batch in parquet_batches(path, ["text"], settings.batch_rows):  # 1. embed through the cache
        counts["chunks"] += batch.num_rows
        counts["embedded"] += cache_texts(settings, batch.column("text").to_pylist(), progress)
    progress.finish()

    def stored() -> Iterator[tuple[pa.RecordBatch, np.ndarray]]:  # 2. the same rows, vectors from the cache
        for batch in parquet_batches(path, columns, min(settings.batch_rows, WRITE_BATCH_ROWS)):
            vectors, calls = embed_cached(settings, batch.column("text").to_pylist())
            counts["embedded"] += calls  # 0 unless the cache lost entries in between
            yield batch, vectors

    batches = stored()
    first = next(batches, None)  # its vectors size a new table
    dim = first[1].shape[1] if first is not None else DEFAULT_DIM
    store = VectorStore.for_settings(settings, dim=dim)
    return counts, store.replace_source_batches(ref.source, itertools.chain([first] if first is not None else [], batches), name)
