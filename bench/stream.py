"""The chunk and embed stages on growing files: their peak RSS should stay flat (bench/run.py phases chunk, embed).

Inputs, per size (rows), under ``<out>/work/stream-<rows>/``, built once and reused:

* a curated table: the first ``rows`` records of the bench CSV with their values as written
  (strings; the bench source config declares ``notes`` as text) plus the bookkeeping columns the
  clean stage adds (``_row_id``, ``_source``, ``_line``), written in row groups of 100k rows like
  the clean stage's; the chunk stage then runs on it for real (free-text detection over every
  column, raw token windows on all-MiniLM-L6-v2's tokenizer);
* a small embedding model built here from a config, with random weights: a 2-layer BERT
  (hidden size 64) with a WordPiece tokenizer trained on the notes (``tokenizers``), mean
  pooling and a dense layer to 384 dimensions (all-MiniLM-L6-v2's width, so the vector store
  holds vectors of the real size), saved with ``SentenceTransformer.save``. The embed stage loads
  it through the real ``SentenceTransformer`` code path; all-MiniLM-L6-v2 itself would take
  hours for 1M chunks on 2 CPU cores. Its vectors mean nothing: this measures memory, not quality.

The embed phase runs three times per size, each in a fresh process: ``embed`` (cold cache, every
chunk through the model, the store appends), ``embed-again`` (an unchanged re-run: the store
already holds exactly these chunks, nothing is written) and ``embed-changed`` (every tenth chunk
dropped from the chunk table, as a corrected drop would: one merge_insert deletes them).
"""

from __future__ import annotations

import time
from pathlib import Path

from memory import peak_mb

TINY_MODEL = "tiny-bert-384"
ROW_GROUP = 100_000


def curated_table(csv_path: Path, rows: int, source: str, target: Path) -> Path:
    """The first ``rows`` records of the bench CSV as the curated Parquet table of landing file ``source``."""
    if target.exists():
        return target
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from headwater.clean.steps.base import LINE, ROW_ID, SOURCE
    from headwater.ids import stable_id

    names = ["customer_id", "full_name", "email", "signup_date", "lifetime_value", "phone", "city", "notes"]
    reader = pacsv.open_csv(
        csv_path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=16 << 20),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    done = 0
    writer = None
    for batch in reader:
        batch = batch.slice(0, rows - done)
        lines = list(range(done + 2, done + 2 + batch.num_rows))  # header is line 1; no field spans lines
        table = pa.table(
            {
                ROW_ID: [stable_id(source, line) for line in lines],
                SOURCE: [source] * batch.num_rows,
                LINE: pa.array(lines, pa.int64()),
                **{n: batch.column(n) for n in names},
            }
        )
        writer = writer or pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table, row_group_size=ROW_GROUP)
        done += batch.num_rows
        if done >= rows:
            break
    assert writer is not None, f"{csv_path} has no records"
    writer.close()
    tmp.replace(target)
    return target


def tiny_model(out: Path, csv_path: Path) -> Path:
    """Build (once) the small random-weight sentence-transformers model described in the module docstring."""
    target = out / TINY_MODEL
    if (target / "modules.json").exists():
        return target
    import itertools

    import pyarrow.csv as pacsv
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers import models as st_models
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, BertTokenizerFast

    reader = pacsv.open_csv(csv_path, read_options=pacsv.ReadOptions(block_size=4 << 20))
    notes = [t for b in itertools.islice(reader, 4) for t in b.column("Notes").to_pylist() if t]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok.train_from_iterator(notes, trainers.WordPieceTrainer(vocab_size=4000, special_tokens=specials))
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    hf = out / f"{TINY_MODEL}-hf"
    BertTokenizerFast(tokenizer_object=tok, **dict(zip(["pad_token", "unk_token", "cls_token", "sep_token", "mask_token"], specials))).save_pretrained(hf)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=128)
    BertModel(config).save_pretrained(hf)
    modules = [
        st_models.Transformer(str(hf), max_seq_length=128),
        st_models.Pooling(64, "mean"),
        st_models.Dense(64, 384, activation_function=torch.nn.Identity()),
        st_models.Normalize(),
    ]
    SentenceTransformer(modules=modules, device="cpu").save(str(target))
    return target


def _settings(work: Path, rows: int, batch: int, model: str | None = None):  # noqa: ANN202 - (Settings, FileRef)
    from headwater.config.settings import Settings
    from headwater.manifest import FileRef

    root = Path(__file__).resolve().parent
    extra = {"embedding_model": model, "embed_batch_size": 512} if model else {}
    settings = Settings(home=work / f"stream-{rows}", config_dir=root / "config" / "sources", batch_rows=batch, **extra)
    return settings, FileRef("2026-11-20", "customers_stream_s0_v0.csv", run_id="bench")  # the bench source config applies


def prepare(work: Path, csv_path: Path, rows: int, out: Path) -> None:
    """Curated table and manifest for ``rows`` (the chunk phase's input); the tiny model (the embed phase's)."""
    from headwater.layout import Layout
    from headwater.storage import write_json

    settings, ref = _settings(work, rows, ROW_GROUP)
    lay = Layout(settings.data_dir, ref.date)
    curated_table(csv_path, rows, ref.source, lay.curated(ref.key))
    write_json(
        lay.manifest(ref.key),
        {"source": ref.source, "file": ref.name, "date": ref.date, "status": "ok", "stages": {},
         "rows_read": rows, "curated": rows, "chunks": 0,
         "fingerprint": {"sha256": "bench", "config_hash": "bench", "code_version": "bench"}},
    )  # fmt: skip
    tiny_model(out, csv_path)


def phase_chunk(work: Path, rows: int, batch: int) -> dict:
    from headwater.chunk.stage import chunk

    settings, ref = _settings(work, rows, batch)
    t0 = time.perf_counter()
    info = chunk(ref, settings)
    return {"seconds": time.perf_counter() - t0, "peak_mb": peak_mb(), "rows": rows, "chunks": info["chunks"]}


def phase_embed(work: Path, rows: int, batch: int, out: Path) -> dict:
    from headwater.embed.stage import embed

    settings, ref = _settings(work, rows, batch, str(out / TINY_MODEL))
    t0 = time.perf_counter()
    info = embed(ref, settings)
    return {"seconds": time.perf_counter() - t0, "peak_mb": peak_mb(), "rows": rows, "chunks": info["chunks"],
            "vectors": info["vectors"], "embedded": info["embedded"]}  # fmt: skip


def correct_chunks(work: Path, rows: int, every: int = 10) -> int:
    """Drop every ``every``-th chunk from the chunk table of ``rows`` (a corrected drop, as the embed stage sees it).

    Returns the chunks left. Streams the file; published atomically.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from headwater.layout import Layout
    from headwater.storage import parquet_batches, parquet_stream

    settings, ref = _settings(work, rows, ROW_GROUP)
    path = Layout(settings.data_dir, ref.date).chunks(ref.key)
    seen = kept = 0
    with parquet_stream(path, pq.read_schema(path)) as writer:
        for batch in parquet_batches(path, None, ROW_GROUP):
            index = pa.array(range(seen, seen + batch.num_rows))
            table = pa.Table.from_batches([batch]).filter(pc.not_equal(pc.remainder(index, every), 0))
            writer.write_table(table)
            seen, kept = seen + batch.num_rows, kept + table.num_rows
    return kept


def reset_store(work: Path, rows: int) -> None:
    """Remove the vector store and the embedding cache of ``rows``, so the first embed starts cold."""
    import shutil

    from headwater.layout import Layout

    settings, _ = _settings(work, rows, ROW_GROUP)
    lay = Layout(settings.data_dir)
    shutil.rmtree(lay.vectors, ignore_errors=True)
    for path in lay.embedding_cache.parent.glob(lay.embedding_cache.name + "*"):  # the database and its WAL files
        path.unlink()
