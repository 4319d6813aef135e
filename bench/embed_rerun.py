"""Embed stage: first run vs an unchanged re-run (target: the re-run is >= 20x faster).

Both runs execute the real stage (`headwater.embed.stage.embed`) on the same chunk file in a
fresh data dir. The first run sends every text to all-MiniLM-L6-v2; the re-run finds
every (model, text hash) in the embedding cache and only rewrites the vector store.
The model is loaded before timing, so the ratio is not inflated by model start-up.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import pandas as pd

from headwater.config.settings import Settings
from headwater.embed.stage import embed
from headwater.embed.model import load_model
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import write_json, write_parquet

WORDS = (
    "trail shoe outsole glue upper mesh invoice refund order parcel tracking checkout card error "
    "size fit return jacket zipper tent pole sleeping bag headlamp battery warranty replacement "
    "delivery address account password subscription discount code hiking running climbing rain"
).split()


def make_chunks(n: int, seed: int = 7) -> pd.DataFrame:
    rng = random.Random(seed)
    texts = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40))) + f" (ticket {i})." for i in range(n)]
    return pd.DataFrame(
        {
            "id": [f"bench-{i}" for i in range(n)],
            "source_file": "2026-11-20/chunks.csv",
            "row_id": [f"r{i}" for i in range(n)],
            "line": range(2, n + 2),
            "column": "body",
            "chunk_index": 0,
            "char_start": 0,
            "char_end": [len(t) for t in texts],
            "text": texts,
            "strategy": "raw",
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=2000)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="headwater-bench-embed-"))
    settings = Settings(home=home)
    ref = FileRef("2026-11-20", "chunks.csv", run_id="bench")
    lay = Layout(settings.data_dir, ref.date)
    write_parquet(lay.chunks(ref.key), make_chunks(args.chunks))
    write_json(
        lay.manifest(ref.key),
        {"source": ref.source, "file": ref.name, "date": ref.date, "status": "ok", "stages": {},
         "rows_read": args.chunks, "curated": args.chunks, "chunks": args.chunks,
         "fingerprint": {"sha256": "bench", "config_hash": "bench", "code_version": "bench"}},
    )
    load_model(settings.embedding_model)  # warm: measure embedding work, not model start-up

    t0 = time.perf_counter()
    first = embed(ref, settings)
    t1 = time.perf_counter()
    again = embed(ref, settings)
    t2 = time.perf_counter()
    assert first["vectors"] == again["vectors"] == args.chunks, (first, again)

    cold, warm = t1 - t0, t2 - t1
    print(f"embed stage, {args.chunks} chunks (all-MiniLM-L6-v2, CPU)")
    print(f"  first run       {cold:8.2f} s  {first['embedded']:>6} model calls  {args.chunks / cold:8.0f} chunks/s")
    print(f"  unchanged rerun {warm:8.2f} s  {again['embedded']:>6} model calls  {args.chunks / warm:8.0f} chunks/s")
    print(f"  ratio first/rerun: {cold / warm:.1f}x  (target >= 20x: {'met' if cold / warm >= 20 else 'NOT met'})")


if __name__ == "__main__":
    main()
