"""Embedding cache keyed by (embedder id, hash of the normalized text).

The embedder id names the model and the backend that ran it (``headwater.embed.model.embedder_id``),
so a vector of one backend is never served for another.

Reprocessing unchanged text makes no model calls: only texts whose key is missing
are sent to the model. Vectors are stored as float32 bytes in one table (``vectors``)
of Headwater's state database (``headwater.state``): a SQLite file by default, which
serves parallel task processes on one machine, PostgreSQL when ``HEADWATER_STATE_URL``
names one (workers on several machines).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from sqlalchemy import Column, LargeBinary, MetaData, Table, Text, func, select

from headwater.config.settings import Settings
from headwater.embed.model import Encoder, available_cpus, embedder_id, encode_sorted, load_encoder
from headwater.embed.progress import Progress
from headwater.layout import Layout
from headwater.state import create_tables, engine, location, upsert

# The cache's one table; the columns of the SQLite files written before headwater.state existed.
_METADATA = MetaData()
VECTORS = Table(
    "vectors", _METADATA,
    Column("model", Text, primary_key=True), Column("key", Text, primary_key=True), Column("vector", LargeBinary),
)
_IN_BATCH = 500  # keys per IN (...) query: under SQLite's bound-parameter limit

STEP_BATCHES = 16  # model batches per sorted step: progress is reported between steps


def text_key(text: str) -> str:
    """Hash of the text after whitespace normalization (what the model would see)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors by (model id, ``text_key``), as float32 arrays.

    ``where``: a SQLite file (``Path``) or a database URL (``str``), see ``headwater.state.engine``.
    """

    def __init__(self, where: Path | str) -> None:
        self.engine = engine(where)
        create_tables(self.engine, _METADATA)

    def get_many(self, model: str, keys: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of ``keys`` for ``model`` (key -> 1-d float32 array); keys with none are absent."""
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        with self.engine.connect() as db:
            for i in range(0, len(unique), _IN_BATCH):
                query = select(VECTORS.c.key, VECTORS.c.vector).where(VECTORS.c.model == model, VECTORS.c.key.in_(unique[i : i + _IN_BATCH]))
                for key, blob in db.execute(query):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def missing(self, model: str, keys: list[str]) -> list[str]:
        """The distinct ``keys`` with no vector for ``model``, in first-seen order (no vector is read)."""
        unique = list(dict.fromkeys(keys))
        found: set[str] = set()
        with self.engine.connect() as db:
            for i in range(0, len(unique), _IN_BATCH):
                query = select(VECTORS.c.key).where(VECTORS.c.model == model, VECTORS.c.key.in_(unique[i : i + _IN_BATCH]))
                found.update(db.execute(query).scalars())
        return [k for k in unique if k not in found]

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        """Store (or replace) the vectors of ``items`` for ``model``, in one transaction.

        Rows go in key order, so that concurrent writers of overlapping keys take PostgreSQL's row
        locks in the same order and never deadlock.
        """
        if not items:
            return
        rows = [{"model": model, "key": k, "vector": np.asarray(items[k], dtype=np.float32).tobytes()} for k in sorted(items)]
        with self.engine.begin() as db:
            db.execute(upsert(self.engine, VECTORS, ["model", "key"]), rows)

    def __len__(self) -> int:
        with self.engine.connect() as db:
            return db.execute(select(func.count()).select_from(VECTORS)).scalar_one()


def embed_with_cache(cache: EmbeddingCache, model_name: str, texts: list[str], encode) -> tuple[np.ndarray, int]:
    """Vectors for ``texts``, calling ``encode(list_of_texts) -> ndarray`` only for cache misses.

    Returns (vectors, number of texts sent to the model).
    """
    keys = [text_key(t) for t in texts]
    cached = cache.get_many(model_name, keys)
    missing: dict[str, str] = {}
    for key, text in zip(keys, texts):
        if key not in cached and key not in missing:
            missing[key] = text
    if missing:
        fresh = encode(list(missing.values()))
        new = dict(zip(missing.keys(), fresh))
        cache.put_many(model_name, new)
        cached.update(new)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32), 0
    return np.stack([cached[k] for k in keys]).astype(np.float32), len(missing)


def fill_cache(cache: EmbeddingCache, model_name: str, texts: list[str], encode, slice_texts: int = 8192) -> int:
    """Put the vectors of ``texts`` the cache lacks into it, calling ``encode(list_of_texts) -> ndarray`` for them.

    Like ``embed_with_cache`` without returning the vectors: cached vectors are never read, and
    the misses are encoded and stored ``slice_texts`` at a time, so at most that many vectors are
    in memory. Returns the number of texts sent to the model (distinct cache misses).
    """
    by_key: dict[str, str] = {}
    for text in texts:
        by_key.setdefault(text_key(text), text)  # the first text of a key is the one encoded, as in embed_with_cache
    missing = cache.missing(model_name, list(by_key))
    for start in range(0, len(missing), slice_texts):
        keys = missing[start : start + slice_texts]
        cache.put_many(model_name, dict(zip(keys, encode([by_key[k] for k in keys]))))
    return len(missing)


def encoder_for(settings: Settings) -> Encoder:
    """The embedding model as ``settings`` run it (backend, threads, export folder), loaded once per process."""
    threads = settings.embed_threads or available_cpus()
    exports = settings.embedding_export_dir or Layout(settings.data_dir).embedding_exports
    return load_encoder(settings.embedding_model, settings.embedding_backend, threads, exports, settings.embedding_device)


def _model_cache(settings: Settings, progress: Progress | None = None):  # noqa: ANN202 - (EmbeddingCache, embedder id, encode)
    cache = EmbeddingCache(location(settings, Layout(settings.data_dir).embedding_cache))

    def encode(batch: list[str]):  # noqa: ANN202
        step = settings.embed_batch_size * STEP_BATCHES
        done = (lambda n: progress.add(n, n)) if progress is not None else None
        return encode_sorted(encoder_for(settings), batch, settings.embed_batch_size, step, done)

    return cache, embedder_id(settings.embedding_model, settings.embedding_backend), encode


def cache_texts(settings: Settings, texts: list[str], progress: Progress | None = None) -> int:
    """Make sure the (embedder, text hash) cache holds a vector for every text; the model loads only on a miss.

    Returns the number of texts sent to the model. What the embed stage's first pass runs, one
    batch of chunks at a time, so that no batch's vectors are held once they are cached.
    ``progress`` gets every encoded step (``STEP_BATCHES`` model batches) and then the batch's
    cache hits.
    """
    cache, name, encode = _model_cache(settings, progress)
    sent = fill_cache(cache, name, texts, encode)
    if progress is not None:
        progress.add(len(texts) - sent)
    return sent


def embed_cached(settings: Settings, texts: list[str]):  # noqa: ANN201 - (ndarray, int)
    """Vectors for ``texts`` through the (embedder, text hash) cache; the model loads only on a miss.

    Returns (vectors, number of texts sent to the model).
    """
    cache, name, encode = _model_cache(settings)
    return embed_with_cache(cache, name, texts, encode)
