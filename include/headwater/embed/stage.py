"""The embed stage: every chunk of one file -> a vector (cached by model + text hash) in the vector store.

The store is made to hold exactly this file's chunks: new ids inserted, changed ones updated,
ids the file no longer produces deleted. The ledger records the file as finished here.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

from headwater.config.settings import Settings
from headwater.embed.cache import embed_cached
from headwater.embed.model import model_id
from headwater.embed.store import VectorStore
from headwater.ledger import Fingerprint, Ledger
from headwater.manifest import FileRef, layout, load_manifest, save_stage


def embed(ref: FileRef, settings: Settings) -> dict[str, Any]:
    """Embed every chunk (cached by model + text hash) and make the store hold exactly this file's chunks."""
    started = time.monotonic()
    lay = layout(settings, ref.date)
    manifest = load_manifest(settings, ref)
    chunks = pd.read_parquet(lay.chunks(ref.key))
    name = model_id(settings.embedding_model)
    vectors, calls = embed_cached(settings, chunks["text"].tolist())
    # no chunks: nothing to size a new table by, and nothing to add (only old chunks to delete)
    store = VectorStore(lay.vectors, settings.vector_table, dim=vectors.shape[1] if len(vectors) else 384)
    stored = store.replace_source(ref.source, chunks, vectors, name)
    manifest.update(vectors=stored, model=name, embedded=calls, embedding_cache_hits=len(chunks) - calls)
    result = save_stage(settings, ref, manifest, "embed", started)
    Ledger.for_settings(settings).record(
        ref.source, Fingerprint(**manifest["fingerprint"]), manifest["status"], {k: manifest[k] for k in ("rows_read", "curated", "chunks")}
    )
    return result
