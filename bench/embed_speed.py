"""Embedding speed: the embed stage against raw ``SentenceTransformer.encode``, and the onnx-int8 backend.

One run, the same generated texts (support notes of 5 to 120 words) for every case:

* ``raw encode``: ``SentenceTransformer.encode(texts, batch_size=64, normalize_embeddings=True)``,
  the model on its own (the baseline);
* ``embed stage (torch)``: the real stage (``headwater.embed.stage.embed``) on a chunk file of the
  same texts in a fresh data dir (empty cache and store): hashing, cache, length-sorted steps,
  progress, LanceDB write — target >= 0.9x the baseline;
* ``embed stage (onnx)`` and ``embed stage (onnx-int8)``: the stage with the float32 and the
  int8 ONNX export (``headwater.embed.onnx``) — target >= 2x the torch stage.

Cases alternate, round after round, and each keeps its best round: the machine is shared, so the
load (``os.getloadavg``) is printed before and after. Models are loaded and the export made before
timing. Agreement: top-10 neighbours of ``--queries`` paraphrase queries among the texts, torch
vectors against each ONNX backend's (mean overlap of the two top-10 sets; target >= 0.95), and the
cosine of each text's two vectors.

Run: ``PYTHONPATH=include .venv/bin/python bench/embed_speed.py [--texts 1000 --rounds 3]``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from embed_rerun import make_chunks  # noqa: E402

ONNX_BACKENDS = ("onnx", "onnx-int8")

PRODUCTS = [
    "trail running shoe", "rain jacket", "two-person tent", "sleeping bag", "headlamp", "hiking pole", "climbing harness",
    "water filter", "camp stove", "down vest", "wool socks", "backpack", "gaiters", "bike helmet", "insulated bottle",
]
PROBLEMS = [
    "the sole came apart at the toe", "the zipper jams halfway", "a seam started leaking in light rain",
    "the battery drains overnight", "the buckle cracked on the first climb", "the fabric tore on a branch",
    "it arrived a week late in a crushed box", "I was charged twice for it", "the size runs small in the shoulders",
    "the lid does not seal and it leaks in my bag", "the pole snapped in moderate wind", "the colour is not the one I ordered",
    "the cushioning went flat after a month", "the strap frays where it rubs the frame", "the igniter stopped sparking",
]
DETAILS = [
    "I have used it for about three weeks on mostly dry trails.", "The order number is on the invoice I attached.",
    "Please tell me whether this is covered by the warranty.", "I would like a replacement rather than a refund.",
    "This is the second one with the same fault.", "Customer service has not answered my last two emails.",
    "Otherwise I like it a lot and would buy it again.", "I followed the care instructions exactly.",
    "It happened on a weekend trip in the Alps.", "My partner has the same model and hers is fine.",
    "Shipping to Norway took longer than the page promised.", "Can you send a prepaid return label?",
]
PARAPHRASES = {
    "the sole came apart at the toe": "sole separating from the shoe", "the zipper jams halfway": "zip keeps getting stuck",
    "a seam started leaking in light rain": "water comes through a seam", "the battery drains overnight": "battery empty by morning",
    "the buckle cracked on the first climb": "broken buckle", "the fabric tore on a branch": "ripped material",
    "it arrived a week late in a crushed box": "late delivery, damaged package", "I was charged twice for it": "double payment",
    "the size runs small in the shoulders": "too tight, need a bigger size", "the lid does not seal and it leaks in my bag": "leaky lid",
    "the pole snapped in moderate wind": "tent pole broke", "the colour is not the one I ordered": "wrong colour delivered",
    "the cushioning went flat after a month": "midsole lost its cushioning", "the strap frays where it rubs the frame": "worn strap",
    "the igniter stopped sparking": "stove will not light",
}  # fmt: skip


def make_texts(n: int, seed: int = 11) -> list[str]:
    """``n`` distinct notes: product + problem, then 0 to 9 detail sentences (5 to about 120 words)."""
    rng = random.Random(seed)
    texts = []
    for i in range(n):
        extra = rng.choice([0, 0, 1, 1, 2, 3, 5, 9])
        body = " ".join(rng.choice(DETAILS) for _ in range(extra))
        texts.append(f"My {rng.choice(PRODUCTS)}: {rng.choice(PROBLEMS)}. {body} (ticket {i})".strip())
    return texts


def make_queries(n: int, seed: int = 12) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(PRODUCTS)} {rng.choice(list(PARAPHRASES.values()))}" for _ in range(n)]


def top_k(queries: np.ndarray, corpus: np.ndarray, k: int) -> list[set[int]]:
    scores = queries @ corpus.T
    return [set(np.argsort(-row, kind="stable")[:k].tolist()) for row in scores]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from headwater.config.settings import Settings
    from headwater.embed.cache import encoder_for
    from headwater.embed.model import available_cpus, encode_sorted, load_model
    from headwater.embed.stage import embed
    from headwater.layout import Layout
    from headwater.manifest import FileRef
    from headwater.storage import write_json, write_parquet

    texts, queries = make_texts(args.texts), make_queries(args.queries)
    work = Path(tempfile.mkdtemp(prefix="headwater-bench-embedspeed-"))
    exports = work / "exports"
    ref = FileRef("2026-11-20", "notes.csv", run_id="bench")
    chunks = make_chunks(len(texts)).assign(text=texts, char_end=[len(t) for t in texts], source_file=ref.source)
    round_no = iter(range(1_000_000))

    def stage(backend: str) -> None:
        settings = Settings(home=work / f"run-{next(round_no)}", embedding_backend=backend, embedding_export_dir=exports)
        lay = Layout(settings.data_dir, ref.date)
        write_parquet(lay.chunks(ref.key), chunks)
        write_json(
            lay.manifest(ref.key),
            {"source": ref.source, "file": ref.name, "date": ref.date, "status": "ok", "stages": {}, "rows_read": len(texts),
             "curated": len(texts), "chunks": len(texts), "fingerprint": {"sha256": "b", "config_hash": "b", "code_version": "b"}},
        )  # fmt: skip
        result = embed(ref, settings)
        assert (result["embedded"], result["vectors"]) == (len(texts), len(texts)), result

    settings = Settings(home=work / "warm", embedding_export_dir=exports)
    model = load_model(settings.embedding_model)
    encoders = {"torch": encoder_for(settings)}  # sets torch's threads as the stage will
    export_s = {}
    for backend in ONNX_BACKENDS:
        started = time.perf_counter()
        encoders[backend] = encoder_for(Settings(home=work / "warm", embedding_backend=backend, embedding_export_dir=exports))
        export_s[backend] = time.perf_counter() - started
    batch = settings.embed_batch_size
    cases = {"raw encode (torch)": lambda: model.encode(texts, batch_size=batch, normalize_embeddings=True, convert_to_numpy=True)}
    for backend in ("torch", *ONNX_BACKENDS):
        cases[f"embed stage ({backend})"] = lambda backend=backend: stage(backend)
    import torch

    load_before = os.getloadavg()
    print(f"embedding speed: {len(texts):,} texts ({min(map(len, texts))}-{max(map(len, texts))} chars), batch {batch}, "
          f"{args.rounds} rounds alternating, best kept; {available_cpus()} CPUs available, torch threads {torch.get_num_threads()}; "
          f"export + load (once per model, cached): {', '.join(f'{b} {s:.1f} s' for b, s in export_s.items())}", flush=True)  # fmt: skip
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(args.rounds):
        for name, run in cases.items():
            t0 = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - t0)
    load_after = os.getloadavg()
    rate = {name: len(texts) / seconds for name, seconds in best.items()}
    for name in cases:
        print(f"  {name:<24} {best[name]:7.2f} s  {rate[name]:7.1f} texts/s", flush=True)
    stage_ratio = rate["embed stage (torch)"] / rate["raw encode (torch)"]
    print(f"  embed stage (torch) / raw encode: {stage_ratio:.2f}x  (target >= 0.9x: {'met' if stage_ratio >= 0.9 else 'NOT met'})")

    floats = encoders["torch"].encode(texts, batch)
    float_top = top_k(encoders["torch"].encode(queries, batch), floats, 10)
    for backend in ONNX_BACKENDS:
        speedup = rate[f"embed stage ({backend})"] / rate["embed stage (torch)"]
        vectors = encode_sorted(encoders[backend], texts, batch, len(texts))
        cosine = np.sum(floats * vectors, axis=1)
        tops = top_k(encoders[backend].encode(queries, batch), vectors, 10)
        agreement = float(np.mean([len(a & b) / 10 for a, b in zip(float_top, tops)]))
        print(f"  {backend} vs torch: stage {speedup:.2f}x faster (target >= 2x: {'met' if speedup >= 2 else 'NOT met'}); "
              f"top-10 agreement {agreement:.3f} over {len(queries)} queries (target >= 0.95: {'met' if agreement >= 0.95 else 'NOT met'}); "
              f"cosine per text min {cosine.min():.4f}, mean {cosine.mean():.4f}")  # fmt: skip
    print(f"  load average (1, 5, 15 min): before {', '.join(f'{x:.2f}' for x in load_before)}; "
          f"after {', '.join(f'{x:.2f}' for x in load_after)}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
