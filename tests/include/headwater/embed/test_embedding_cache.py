"""Filling the embedding cache batch by batch: only misses reach the model, in bounded slices, none twice."""

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
