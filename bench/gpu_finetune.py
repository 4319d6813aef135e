"""``make bench-gpu``: QLoRA against bf16 LoRA on a ~1B-parameter causal LM built locally (issue 15, item 7).

    python bench/gpu_finetune.py [--steps 300] [--batch 2] [--seq-len 512] [--phase-seconds 150] [--json-out FILE]

Runs in the training environment (``.venv-kfp``: torch, transformers, peft, bitsandbytes).
Without CUDA it prints ``no GPU`` and why (``torch.cuda.is_available()`` is False, or torch is
missing), prints its JSON and exits 0: the bench is CPU-safe. With CUDA, in this order:

1. **data**: seeded generated order notes (a small grammar, so there is something to learn), split
   into train and held-out text; a byte-level BPE tokenizer (``tokenizers``) trained on the train part.
2. **build**: a Llama of about 1B parameters from a ``LlamaConfig`` (TinyLlama-1.1B's shape: 22 layers,
   hidden 2048, MLP 5632, 32 heads, 4 KV heads; vocabulary = the BPE's), random weights, built on the
   GPU, saved in bf16 with ``save_pretrained`` and loaded back with the real ``from_pretrained(path)``.
3. **qlora**: the base loaded with ``BitsAndBytesConfig(load_in_4bit, nf4, double quantization,
   bf16 compute)``, ``peft.prepare_model_for_kbit_training`` (activation checkpointing, non-reentrant),
   LoRA on every linear layer, ``bitsandbytes.optim.PagedAdamW8bit`` (Trainer's ``paged_adamw_8bit``).
4. **lora_bf16**: the same base in bf16, activation checkpointing, the same LoRA, ``torch.optim.AdamW``;
   then the adapter is merged (``merge_and_unload``) and the trained model saved.
5. **eval**: held-out perplexity of that trained model loaded in bf16 and loaded in NF4 (same config as 3).

For 3 and 4: peak GPU memory (``torch.cuda.max_memory_allocated``, stats reset after loading, so
the peak is resident weights + training; the memory at rest after loading is printed too) and
tokens/s (batch x sequence tokens per optimizer step, after ``--warmup`` steps, CUDA-synchronised).
Paged optimizer state lives in CUDA unified memory, which the torch allocator does not count; for
LoRA's ~12M trainable parameters it is ~25 MB either way.

Targets (the QLoRA paper's claims, arXiv:2305.14314, scaled to this model), judged by
:func:`verdicts`: QLoRA peak memory <= 0.35x bf16 LoRA's; NF4 perplexity within 2 % of bf16's.
Every phase runs in ``try``/``except``: a failure is printed with its traceback and recorded in the
JSON, and the later phases that do not depend on it still run. The script sizes itself to about
3-5 minutes on one H200 (``--phase-seconds`` caps each training loop).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

MEMORY_TARGET = 0.35  # QLoRA peak / bf16 LoRA peak, at most
PERPLEXITY_TOLERANCE = 0.02  # |NF4 perplexity / bf16 perplexity - 1|, at most

# TinyLlama-1.1B's shape (its config.json on the Hugging Face hub); the vocabulary is the local BPE's.
MODEL_SHAPE = dict(
    hidden_size=2048,
    intermediate_size=5632,
    num_hidden_layers=22,
    num_attention_heads=32,
    num_key_value_heads=4,
    rms_norm_eps=1e-5,
)
DEVICE = "cuda"  # every tensor and model of the GPU phases goes here
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def verdicts(
    qlora_peak_bytes: float | None,
    bf16_peak_bytes: float | None,
    nf4_perplexity: float | None,
    bf16_perplexity: float | None,
) -> dict[str, Any]:
    """The two target ratios and their pass/fail.

    Returns ``{"memory_ratio", "memory_pass", "perplexity_gap", "perplexity_pass"}``:
    ``memory_ratio`` = QLoRA peak / bf16 LoRA peak (pass when <= ``MEMORY_TARGET``);
    ``perplexity_gap`` = NF4 perplexity / bf16 perplexity - 1, signed (pass when its absolute
    value <= ``PERPLEXITY_TOLERANCE``). A ratio whose inputs are missing (a phase failed) or not
    positive and finite is ``None`` and its verdict ``None`` ("not measured"), never a pass.
    """

    def ratio(num: float | None, den: float | None) -> float | None:
        if num is None or den is None:
            return None
        if not (math.isfinite(num) and math.isfinite(den)) or num <= 0 or den <= 0:
            return None
        return num / den

    memory = ratio(qlora_peak_bytes, bf16_peak_bytes)
    ppl = ratio(nf4_perplexity, bf16_perplexity)
    # The verdicts compare products, not the rounded quotients: 10.2 / 10.0 - 1 is 0.02 plus an ulp.
    return {
        "memory_ratio": memory,
        "memory_pass": None if memory is None else qlora_peak_bytes <= MEMORY_TARGET * bf16_peak_bytes,
        "perplexity_gap": None if ppl is None else ppl - 1.0,
        "perplexity_pass": None if ppl is None else abs(nf4_perplexity - bf16_perplexity) <= PERPLEXITY_TOLERANCE * bf16_perplexity,
    }


def verdict_word(passed: bool | None) -> str:
    return "not measured" if passed is None else ("PASS" if passed else "FAIL")


def cuda_status() -> tuple[bool, str]:
    """(CUDA usable, why not / which device). Never raises: a missing torch is a reason, not an error."""
    try:
        import torch
    except Exception as exc:  # noqa: BLE001 - any import failure means "no GPU here"
        return False, f"torch cannot be imported ({type(exc).__name__}: {exc})"
    if not torch.cuda.is_available():
        return False, f"torch.cuda.is_available() is False (torch {torch.__version__}, CUDA build {torch.version.cuda})"
    return True, f"{torch.cuda.get_device_name(0)} (torch {torch.__version__}, CUDA {torch.version.cuda})"


# ------------------------------------------------------------------ data

_NAMES = ["ana", "bo", "chen", "dara", "eli", "farah", "goran", "hana", "ivo", "jun", "kai", "lena", "mo", "nia"]
_CITIES = ["berlin", "lagos", "lima", "oslo", "pune", "quito", "riga", "seoul", "tunis", "utrecht", "vigo"]
_ITEMS = ["lamp", "chair", "kettle", "drill", "tent", "scarf", "printer", "bike", "clock", "teapot"]
_ADJS = ["red", "broken", "spare", "small", "heavy", "used", "new", "blue", "noisy", "cheap"]
_WHEN = ["late", "early", "on time", "damaged", "twice", "after a week", "without a receipt"]


def generate_text(n_lines: int, seed: int) -> list[str]:
    """Seeded order notes from a small grammar: learnable structure, deterministic for a seed."""
    rng = random.Random(seed)
    lines = []
    for _ in range(n_lines):
        name, city, item = rng.choice(_NAMES), rng.choice(_CITIES), rng.choice(_ITEMS)
        n, day = rng.randint(1, 9), rng.randint(1, 28)
        lines.append(
            f"customer {name} from {city} ordered {n} {rng.choice(_ADJS)} {item}s on 2026-{rng.randint(1, 12):02d}-{day:02d}; "
            f"the {item} arrived {rng.choice(_WHEN)} and {name} paid {rng.randint(5, 500)}.{rng.randint(0, 99):02d} eur."
        )
    return lines


def train_tokenizer(texts: list[str], vocab_size: int) -> Any:
    """Byte-level BPE (``tokenizers``) trained on ``texts``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<unk>", "<s>", "</s>", "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    return tok


def pack(tok: Any, texts: list[str], seq_len: int) -> Any:
    """Token ids of ``texts`` joined by ``</s>`` and cut into ``[n, seq_len]`` rows (the tail dropped)."""
    import torch

    eos = tok.token_to_id("</s>")
    ids: list[int] = []
    for enc in tok.encode_batch(texts):
        ids.extend(enc.ids)
        ids.append(eos)
    n = len(ids) // seq_len
    return torch.tensor(ids[: n * seq_len], dtype=torch.long).view(n, seq_len)


# ------------------------------------------------------------------ phases


def free_cuda() -> None:
    import torch

    gc.collect()
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()


def build_model(vocab_size: int, out_dir: Path, seed: int) -> dict[str, Any]:
    """A random-weight Llama of ``MODEL_SHAPE`` saved in bf16 to ``out_dir``; returns its size."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=vocab_size,
        max_position_embeddings=2048,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=3,
        tie_word_embeddings=False,
        **MODEL_SHAPE,
    )
    torch.manual_seed(seed)
    with torch.device(DEVICE):
        model = LlamaForCausalLM(config)
    model.to(torch.bfloat16)
    params = sum(p.numel() for p in model.parameters())
    model.save_pretrained(out_dir)
    del model
    free_cuda()
    return {"parameters": params, "vocab_size": vocab_size, **MODEL_SHAPE}


def nf4_config() -> Any:
    import torch
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
    )


def load(model_dir: Path, quantized: bool) -> Any:
    import torch
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(
        model_dir,
        dtype=torch.bfloat16,
        device_map={"": DEVICE},
        quantization_config=nf4_config() if quantized else None,
    )


def lora_config(r: int) -> Any:
    from peft import LoraConfig

    return LoraConfig(r=r, lora_alpha=2 * r, lora_dropout=0.0, target_modules=LORA_TARGETS, task_type="CAUSAL_LM")


def train(model: Any, optimizer: Any, data: Any, args: argparse.Namespace) -> dict[str, Any]:
    """``args.steps`` optimizer steps (or fewer when ``args.phase_seconds`` runs out) over ``data`` rows."""
    import torch

    model.train()
    n_rows = data.shape[0]
    losses: list[float] = []
    tokens = 0
    t_start = time.perf_counter()
    t_measured = None
    steps = 0
    for step in range(args.steps):
        idx = [(step * args.batch + i) % n_rows for i in range(args.batch)]
        x = data[idx].to(DEVICE, non_blocking=True)
        with torch.autocast(DEVICE, dtype=torch.bfloat16):
            loss = model(input_ids=x, labels=x).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        steps = step + 1
        if step % 20 == 0 or step == args.steps - 1:
            losses.append(round(float(loss.detach()), 4))
        if steps == args.warmup:
            torch.cuda.synchronize()
            t_measured, tokens = time.perf_counter(), 0
        elif steps > args.warmup:
            tokens += x.numel()
        if time.perf_counter() - t_start > args.phase_seconds:
            break
    torch.cuda.synchronize()
    elapsed = time.perf_counter() - (t_measured or t_start)
    return {
        "steps": steps,
        "tokens_per_s": round(tokens / elapsed, 1) if t_measured and tokens else None,
        "loss_every_20_steps": losses,
        "seconds": round(time.perf_counter() - t_start, 1),
    }


def measured_training(model: Any, optimizer: Any, data: Any, args: argparse.Namespace) -> dict[str, Any]:
    """``train`` with the GPU memory it took: peak bytes over the run (``torch.cuda.max_memory_allocated``,
    reset first), bytes at rest before it (weights, adapters, optimizer), and the trainable parameters."""
    import torch

    at_rest = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    result = train(model, optimizer, data, args)
    result["peak_bytes"] = torch.cuda.max_memory_allocated()
    result["at_rest_bytes"] = at_rest
    result["trainable_parameters"] = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return result


def phase_qlora(base_dir: Path, data: Any, args: argparse.Namespace) -> dict[str, Any]:
    import bitsandbytes as bnb
    from peft import get_peft_model, prepare_model_for_kbit_training

    free_cuda()
    model = load(base_dir, quantized=True)
    model = prepare_model_for_kbit_training(
        model, use_gradient_checkpointing=True, gradient_checkpointing_kwargs={"use_reentrant": False}
    )
    model = get_peft_model(model, lora_config(args.lora_r))
    optimizer = bnb.optim.PagedAdamW8bit([p for p in model.parameters() if p.requires_grad], lr=args.lr)
    result = measured_training(model, optimizer, data, args)
    del model, optimizer
    free_cuda()
    return result


def phase_lora_bf16(base_dir: Path, trained_dir: Path, data: Any, args: argparse.Namespace) -> dict[str, Any]:
    import torch
    from peft import get_peft_model

    free_cuda()
    model = load(base_dir, quantized=False)
    model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})  # transformers 5 name
    model = get_peft_model(model, lora_config(args.lora_r))
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr)
    result = measured_training(model, optimizer, data, args)
    del optimizer
    merged = model.merge_and_unload()
    merged.to(torch.bfloat16).save_pretrained(trained_dir)
    del model, merged
    free_cuda()
    return result


def perplexity(model_dir: Path, quantized: bool, data: Any, batch: int) -> dict[str, Any]:
    """exp(mean next-token NLL) of ``model_dir`` on the held-out rows (every row the same length)."""
    import torch

    free_cuda()
    model = load(model_dir, quantized)
    model.eval()
    nll, n = 0.0, 0
    with torch.no_grad():
        for i in range(0, data.shape[0], batch):
            x = data[i : i + batch].to(DEVICE)
            loss = model(input_ids=x, labels=x).loss  # mean over x.shape[0] * (seq_len - 1) predictions
            count = x.shape[0] * (x.shape[1] - 1)
            nll += float(loss) * count
            n += count
    resident = torch.cuda.memory_allocated()
    del model
    free_cuda()
    return {"perplexity": math.exp(nll / n), "tokens": n, "resident_bytes": resident}


def run_phase(name: str, results: dict[str, Any], fn: Any, *fn_args: Any) -> Any:
    """Run one phase; on any error print it with its traceback, record it, and return None."""
    print(f"== {name}", flush=True)
    t0 = time.perf_counter()
    try:
        out = fn(*fn_args)
    except Exception as exc:  # noqa: BLE001 - the bench reports every failure and goes on
        traceback.print_exc()
        results["errors"][name] = f"{type(exc).__name__}: {exc}"
        print(f"   {name} FAILED: {type(exc).__name__}: {exc}", flush=True)
        try:
            free_cuda()
        except Exception:  # noqa: BLE001 - freeing after a CUDA error may fail too; the next phase will say so
            pass
        return None
    print(f"   {name}: {time.perf_counter() - t0:.1f} s", flush=True)
    return out


def gb(n: float | None) -> str:
    return "-" if n is None else f"{n / 2**30:.2f} GB"


def report(results: dict[str, Any]) -> None:
    q, b, ev = results.get("qlora") or {}, results.get("lora_bf16") or {}, results.get("eval") or {}
    print()
    print("| | peak GPU memory | at rest after load | tokens/s | steps | loss first -> last |")
    print("|---|---|---|---|---|---|")
    for label, r in (("QLoRA (NF4, double quant, paged AdamW 8-bit)", q), ("LoRA, bf16 base, AdamW", b)):
        losses = r.get("loss_every_20_steps") or []
        loss = f"{losses[0]} -> {losses[-1]}" if losses else "-"
        print(f"| {label} | {gb(r.get('peak_bytes'))} | {gb(r.get('at_rest_bytes'))} | {r.get('tokens_per_s', '-')} | {r.get('steps', '-')} | {loss} |")
    bf, nf = ev.get("bf16") or {}, ev.get("nf4") or {}
    ppl = lambda r: "-" if r.get("perplexity") is None else f"{r['perplexity']:.3f}"  # noqa: E731
    print(f"held-out perplexity ({ev.get('model', '-')}): bf16 {ppl(bf)}, NF4 {ppl(nf)}")
    v = results["verdicts"]
    mem = "-" if v["memory_ratio"] is None else f"{v['memory_ratio']:.3f}x"
    gap = "-" if v["perplexity_gap"] is None else f"{100 * v['perplexity_gap']:+.2f} %"
    print(f"QLoRA peak / bf16 LoRA peak: {mem} (target <= {MEMORY_TARGET}x): {verdict_word(v['memory_pass'])}")
    print(f"NF4 perplexity vs bf16: {gap} (target within {100 * PERPLEXITY_TOLERANCE:.0f} %): {verdict_word(v['perplexity_pass'])}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=300, help="optimizer steps per fine-tuning run")
    p.add_argument("--warmup", type=int, default=5, help="steps not counted in tokens/s")
    p.add_argument("--batch", type=int, default=2, help="sequences per step (training and eval)")
    p.add_argument("--seq-len", type=int, default=512, help="tokens per sequence")
    p.add_argument("--lora-r", type=int, default=16, help="LoRA rank (alpha = 2r)")
    p.add_argument("--lr", type=float, default=1e-3, help="learning rate of both runs")
    p.add_argument("--vocab", type=int, default=8192, help="BPE vocabulary size (at most)")
    p.add_argument("--lines", type=int, default=40000, help="generated lines of text (train + held out)")
    p.add_argument("--eval-rows", type=int, default=64, help="held-out sequences for perplexity")
    p.add_argument("--phase-seconds", type=float, default=150.0, help="cap on each training loop's wall time")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json-out", type=Path, help="also write the JSON result here")
    args = p.parse_args(argv)

    ok, why = cuda_status()
    results: dict[str, Any] = {"gpu": ok, "device": why if ok else None, "errors": {}, "args": {k: str(v) for k, v in vars(args).items()}}
    if not ok:
        print(f"no GPU: {why}; nothing to measure (run `make bench-gpu` on a machine with CUDA)")
        results["reason"] = why
        results["verdicts"] = verdicts(None, None, None, None)
    else:
        print(f"GPU: {why}", flush=True)
        with tempfile.TemporaryDirectory(prefix="headwater-bench-gpu-") as tmp:
            base_dir, trained_dir = Path(tmp) / "base", Path(tmp) / "trained"

            def data_phase() -> tuple[Any, Any]:
                lines = generate_text(args.lines, args.seed)
                held = max(1, len(lines) // 20)
                tok = train_tokenizer(lines[held:], args.vocab)
                train_rows, eval_rows = pack(tok, lines[held:], args.seq_len), pack(tok, lines[:held], args.seq_len)
                results["data"] = {"vocab_size": tok.get_vocab_size(), "train_rows": int(train_rows.shape[0]), "eval_rows": int(eval_rows.shape[0])}
                return tok, (train_rows, eval_rows[: args.eval_rows])

            data = run_phase("data", results, data_phase)
            if data is not None:
                tok, (train_rows, eval_rows) = data
                results["model"] = run_phase("build", results, build_model, tok.get_vocab_size(), base_dir, args.seed)
                if results["model"] is not None:
                    results["qlora"] = run_phase("qlora", results, phase_qlora, base_dir, train_rows, args)
                    results["lora_bf16"] = run_phase("lora_bf16", results, phase_lora_bf16, base_dir, trained_dir, train_rows, args)
                    # Without a trained model, the untrained base still gives the NF4-vs-bf16 comparison.
                    evaluated = trained_dir if results["lora_bf16"] is not None else base_dir
                    results["eval"] = {
                        "model": "trained (bf16 LoRA merged)" if evaluated == trained_dir else "untrained base",
                        "bf16": run_phase("eval_bf16", results, perplexity, evaluated, False, eval_rows, args.batch),
                        "nf4": run_phase("eval_nf4", results, perplexity, evaluated, True, eval_rows, args.batch),
                    }
        q, b = results.get("qlora") or {}, results.get("lora_bf16") or {}
        ev = results.get("eval") or {}
        results["verdicts"] = verdicts(
            q.get("peak_bytes"),
            b.get("peak_bytes"),
            (ev.get("nf4") or {}).get("perplexity"),
            (ev.get("bf16") or {}).get("perplexity"),
        )
        report(results)
    text = json.dumps(results, indent=1, default=str)
    print(text)
    if args.json_out:
        args.json_out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
