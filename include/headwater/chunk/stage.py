"""The chunk stage: the text columns of a curated table -> the chunk table, each column with its strategy.

The curated Parquet file is read ``Settings.batch_rows`` rows at a time, only the columns a pass
needs, and the chunk Parquet file is written batch by batch, published atomically at the end:
peak memory is about one batch whatever the file's size (the RSS benchmark, bench/run.py,
checks it at 250k and 1M rows). The chunks are the same, in the same order, for any batch size
(headwater.chunk.table).
"""

from __future__ import annotations

import time
from typing import Any

from headwater.chunk.table import ParquetSource, Record, chunk_source
from headwater.chunk.windows import chunk_arrow_schema, chunk_arrow_table, chunk_table_frame, load_tokenizer
from headwater.config.settings import Settings
from headwater.config.source import load_sources
from headwater.embed.cache import embed_cached
from headwater.embed.model import resolve_model_dir
from headwater.manifest import FileRef, layout, load_manifest, records_failure, save_stage
from headwater.storage import parquet_stream


@records_failure("chunk")
def chunk(ref: FileRef, settings: Settings, sources: Any = None) -> dict[str, Any]:
    """Chunk the text columns of the curated table, each with the strategy its source config picks (default: raw).

    Writes ``Layout.chunks`` (columns ``headwater.chunk.windows.CHUNK_COLUMNS``) and the manifest's
    ``text_columns``, ``chunks`` and ``chunking``; returns the manifest summary. Raises
    FileNotFoundError when the file's ingest or clean stage has not run.
    """
    started = time.monotonic()
    lay = layout(settings, ref.date)
    manifest = load_manifest(settings, ref)
    source = ParquetSource(lay.curated(ref.key), settings.batch_rows)
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

    with parquet_stream(lay.chunks(ref.key), chunk_arrow_schema()) as writer:

        def write(rows: list[Record]) -> None:
            writer.write_table(chunk_arrow_table(chunk_table_frame(rows)))

        result = chunk_source(
            source, write, tokenizer, config.chunking, settings.chunk_tokens, settings.chunk_overlap, embed, declared_text
        )
    manifest.update(
        text_columns=list(result.strategies),
        chunks=result.chunks,
        chunking={
            "strategies": result.strategies,
            "values_without_chunks": result.values_without_chunks,
            "warnings": result.warnings,
            "embedded": sent,
        },
    )
    return save_stage(settings, ref, manifest, "chunk", started)
