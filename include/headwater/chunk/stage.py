"""The chunk stage: the text columns of a curated table -> the chunk table, each column with its strategy,
then the table's row documents (headwater.chunk.rows) when it gets them.

The curated Parquet file is read ``Settings.batch_rows`` rows at a time, only the columns a pass
needs, and the chunk Parquet file is written batch by batch, published atomically at the end:
peak memory is about one batch whatever the file's size (the RSS benchmark, bench/run.py,
checks it at 250k and 1M rows). The chunks are the same, in the same order, for any batch size
(headwater.chunk.table).
"""

from __future__ import annotations

import time
from typing import Any

from headwater.chunk.rows import RowWriter, plan_rows, write_row_documents
from headwater.chunk.table import ParquetSource, Record, chunk_source
from headwater.chunk.windows import chunk_arrow_schema, chunk_arrow_table, chunk_table_frame, load_tokenizer, model_max_tokens
from headwater.clean.steps.base import is_value_column
from headwater.config.settings import Settings
from headwater.config.source import load_sources
from headwater.embed.cache import embed_cached
from headwater.embed.model import resolve_model_dir
from headwater.manifest import FileRef, layout, load_manifest, records_failure, save_stage
from headwater.storage import parquet_stream


@records_failure("chunk")
def chunk(ref: FileRef, settings: Settings, sources: Any = None) -> dict[str, Any]:
    """Chunk the text columns of the curated table, each with the strategy its source config picks (default: raw),
    then write its row documents (source config ``rows``; default: for every row when it has no text column, else for
    the rows whose text columns are all empty).

    Writes ``Layout.chunks`` (columns ``headwater.chunk.windows.CHUNK_COLUMNS``: chunks, then row
    documents) and the manifest's ``text_columns``, ``chunks`` (every row of the chunk table),
    ``row_documents`` and ``chunking`` (with ``rows``: why, which columns, how many documents, ``blank_rows``
    with nothing to show, ``rows_with_text`` left to their chunks: the three add up to the curated rows; None under
    ``mode: off``, or ``auto`` where every row has text with words; ``values_without_words``: per text column, the
    values without words, ``.``, ``👍``, ``[EMAIL]``, shown in their rows' documents instead of chunked:
    headwater.chunk.table.chunk_source); returns the manifest summary. Raises FileNotFoundError when the file's ingest
    or clean stage has not run, ValueError when the rows template fails on a row.
    """
    started = time.monotonic()
    lay = layout(settings, ref.date)
    manifest = load_manifest(settings, ref)
    source = ParquetSource(lay.curated(ref.key), settings.batch_rows)
    config = (sources or load_sources(settings.config_dir)).for_file(ref.table_name)
    declared_text = [c for c, t in config.declared_types.items() if t == "text"]
    model_dir = resolve_model_dir(settings.embedding_model)
    tokenizer = load_tokenizer(model_dir)
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
            source, write, tokenizer, config.chunking, settings.chunk_tokens, settings.chunk_overlap, embed, declared_text, config.name,
            config.rows.mode,
        )
        plan = plan_rows(config.rows, source.columns, result.strategies, config.columns)
        rows_info = None
        documents = 0
        if plan is not None:
            values = [c for c in source.columns if is_value_column(c)]
            units = {c.name: c.unit for c in config.columns.values() if c.unit}
            limit = model_max_tokens(model_dir)
            row_writer = RowWriter(plan, config.rows, units, ref.table_name, values)
            made = write_row_documents(source, write, row_writer, result.chunkers, tokenizer, limit, config.name)
            documents = made.documents
            if plan.textless_only and made.with_text == made.rows:
                plan = None  # auto, and every row has text: no row documents, as ever (its chunks are its rows')
        if plan is not None:
            result.warnings.extend(plan.warnings)
            if made.over_limit:
                result.warnings.append(
                    f"{made.over_limit} row documents are longer than the model's {limit} tokens: it reads only their start — "
                    "show fewer columns (rows.columns, rows.exclude) or fewer chunks (rows.text_chunks)"
                )
            rows_info = {
                "reason": plan.reason, "columns": plan.columns, "context": plan.context, "template": config.rows.template is not None,
                "documents": documents, "blank_rows": made.blank, "rows_with_text": made.with_text,
                "over_token_limit": made.over_limit,
            }
    manifest.update(
        text_columns=list(result.strategies),
        chunks=result.chunks + documents,
        row_documents=documents,
        chunking={
            "strategies": result.strategies,
            "values_without_chunks": result.values_without_chunks,
            "values_without_words": result.values_without_words,
            "warnings": result.warnings,
            "embedded": sent,
            "rows": rows_info,
        },
    )
    return save_stage(settings, ref, manifest, "chunk", started)
