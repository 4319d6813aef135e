"""The chunk stage: the text columns of a curated table -> the chunk table, each column with its strategy."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

from headwater.chunk.table import chunk_table
from headwater.chunk.windows import load_tokenizer
from headwater.config.settings import Settings
from headwater.config.source import load_sources
from headwater.embed.cache import embed_cached
from headwater.embed.model import resolve_model_dir
from headwater.manifest import FileRef, layout, load_manifest, save_stage
from headwater.storage import write_parquet


def chunk(ref: FileRef, settings: Settings, sources: Any = None) -> dict[str, Any]:
    """Chunk the text columns of the curated table, each with the strategy its source config picks (default: raw)."""
    started = time.monotonic()
    lay = layout(settings, ref.date)
    manifest = load_manifest(settings, ref)
    curated = pd.read_parquet(lay.curated(ref.key))
    config = (sources or load_sources(settings.config_dir)).for_file(ref.table_name)
    declared_text = [c for c, t in config.declared_types.items() if t == "text"]
    tokenizer = load_tokenizer(resolve_model_dir(settings.embedding_model))
    sent = 0

    def embed(texts: list[str]):  # only the query strategy calls it: the model loads on first use
        nonlocal sent
        # Through the embedding cache, so the embed stage finds the kept chunks' vectors already there.
        vectors, calls = embed_cached(settings, texts)
        sent += calls
        return vectors

    result = chunk_table(
        curated, tokenizer, config.chunking, settings.chunk_tokens, settings.chunk_overlap, embed, declared_text
    )
    write_parquet(lay.chunks(ref.key), result.chunks)
    manifest.update(
        text_columns=list(result.strategies),
        chunks=len(result.chunks),
        chunking={
            "strategies": result.strategies,
            "values_without_chunks": result.values_without_chunks,
            "warnings": result.warnings,
            "embedded": sent,
        },
    )
    return save_stage(settings, ref, manifest, "chunk", started)
