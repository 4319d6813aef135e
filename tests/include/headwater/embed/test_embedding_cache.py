"""Filling the embedding cache batch by batch: only misses reach the model, in bounded slices, none twice."""

import zlib
from pathlib import Path

import numpy as np

from headwater.embed.cache import EmbeddingCache, embed_with_cache, fill_cache, text_key


def test_fill_cache_encodes_each_missing_text_once_in_slices(state_where: Path | str) -> None:
    cache = EmbeddingCache(state_where)  # a SQLite file, then a PostgreSQL database
    calls: list[list[str]] = []

    def encode(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    cache.put_many("m", {text_key("cached"): np.array([9.0, 9.0], dtype=np.float32)})
    texts = ["a", "bb", "a", "cached", "ccc", "d  d", "d d", "eeeee"]  # "d  d" and "d d" share a key (whitespace)
    assert fill_cache(cache, "m", texts, encode, slice_texts=2) == 5
    assert calls == [["a", "bb"], ["ccc", "d  d"], ["eeeee"]]  # first text of a key, first-seen order, 2 at a time
    assert cache.missing("m", [text_key(t) for t in texts]) == []
    assert fill_cache(cache, "m", texts, encode) == 0 and len(calls) == 3  # a second batch with the same texts: no call
    vectors, sent = embed_with_cache(cache, "m", texts, encode)
    assert sent == 0 and vectors[:, 0].tolist() == [1, 2, 1, 9, 3, 4, 4, 5]
    assert cache.missing("other model", [text_key("a")]) == [text_key("a")]


WRITERS, OPS, SHARED, OWN = 8, 25, 6, 2


def _vector(text: str) -> np.ndarray:
    """What the model would give: the same vector for the same text, whichever process encodes it."""
    return np.array([len(text), zlib.crc32(text.encode()) % 100_000], dtype=np.float32)


def _cache_writer(where: Path | str, writer: int, barrier) -> None:  # noqa: ANN001 - a multiprocessing barrier
    barrier.wait()  # every process opens the cache (and creates its table) at the same moment
    cache = EmbeddingCache(where)
    for op in range(OPS):
        shared = [f"shared {op} {j}" for j in range(SHARED)]
        shared = shared[writer % SHARED :] + shared[: writer % SHARED]  # each writer in another order
        own = [f"own {writer} {op} {j}" for j in range(OWN)]
        barrier.wait()  # every op starts together: 8 processes fill the same new keys at once
        fill_cache(cache, "m", shared + own, lambda texts: np.stack([_vector(t) for t in texts]))


def test_many_writer_processes_lose_no_vector(state_where: Path | str, at_once) -> None:  # noqa: ANN001
    """8 processes x 25 ops, each filling 6 texts they all share (in different orders) and 2 of their own.

    The cache ends with exactly one row per (model, text) and every text's own vector. A
    ``put_many`` that reads which keys exist and then inserts the others fails here (two processes
    insert one key); on PostgreSQL, so does one that writes shared keys in each caller's order
    (two transactions wait for each other's row locks: a deadlock).
    """
    at_once(_cache_writer, [(state_where, writer) for writer in range(WRITERS)], start="forkserver", preload=("headwater.embed.cache",), timeout_s=300)
    texts = [f"shared {op} {j}" for op in range(OPS) for j in range(SHARED)]
    texts += [f"own {w} {op} {j}" for w in range(WRITERS) for op in range(OPS) for j in range(OWN)]
    cache = EmbeddingCache(state_where)
    assert len(cache) == len(texts) == OPS * SHARED + WRITERS * OPS * OWN
    stored = cache.get_many("m", [text_key(t) for t in texts])
    assert {t: stored[text_key(t)].tolist() for t in texts} == {t: _vector(t).tolist() for t in texts}
