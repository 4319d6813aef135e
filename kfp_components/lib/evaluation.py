"""Base vs adapted model, each at full precision, LLM.int8 and 4-bit NF4.

For every (model, precision) pair: perplexity on the eval split, scored on the
completion tokens only (the part the adapter was trained to produce, plus EOS),
forward-pass throughput in tokens/s, peak memory while loading + evaluating, and
the weights' memory footprint. A pair that cannot run here (e.g. a bitsandbytes
kernel missing on this hardware) becomes a row whose status says "n/a (reason)"
instead of failing the whole evaluation.
"""

from __future__ import annotations

import gc
import math
import time
import warnings
from dataclasses import asdict, dataclass
from typing import Any

from kfp_components.lib.config import EvalSettings, QuantizationSettings, to_bnb_config, to_int8_config, torch_dtype
from kfp_components.lib.memory import PeakMemory
from kfp_components.lib.sft_data import tokenize_pairs

MODELS = ("base", "adapted")
IGNORE_INDEX = -100


@dataclass(frozen=True)
class EvalRow:
    model: str
    precision: str
    status: str
    perplexity: float | None = None
    tokens_per_s: float | None = None
    peak_memory_mb: float | None = None
    weights_mb: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class EvalBatch:
    input_ids: Any
    attention_mask: Any
    labels: Any


def build_eval_batches(tokenizer: Any, rows: list[dict[str, Any]], batch_size: int) -> list[EvalBatch]:
    """prompt (+ special tokens) + completion + EOS, right-padded; labels mask the prompt and padding."""
    import torch

    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    prompt_ids, completion_ids = tokenize_pairs(tokenizer, [r["prompt"] for r in rows], [r["completion"] for r in rows])
    sequences = [
        (p + c + [tokenizer.eos_token_id], [IGNORE_INDEX] * len(p) + c + [tokenizer.eos_token_id])
        for p, c in zip(prompt_ids, completion_ids, strict=True)
    ]
    batches = []
    for start in range(0, len(sequences), batch_size):
        chunk = sequences[start : start + batch_size]
        width = max(len(ids) for ids, _ in chunk)
        batches.append(EvalBatch(
            input_ids=torch.tensor([ids + [pad_id] * (width - len(ids)) for ids, _ in chunk]),
            attention_mask=torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids, _ in chunk]),
            labels=torch.tensor([labels + [IGNORE_INDEX] * (width - len(labels)) for _, labels in chunk]),
        ))
    return batches


def load_model(model_dir: str, precision: str, full_dtype: str) -> Any:
    """The base model at one precision, on the GPU when there is one."""
    import torch
    from transformers import AutoModelForCausalLM

    cuda = torch.cuda.is_available()
    quantization = {
        "full": None,
        "int8": to_int8_config(),
        "nf4": to_bnb_config(QuantizationSettings(compute_dtype=full_dtype)),
    }[precision]
    model = AutoModelForCausalLM.from_pretrained(
        model_dir,
        quantization_config=quantization,
        dtype=torch_dtype(full_dtype),
        device_map={"": 0} if cuda else None,
    )
    return model.eval()


def score(model: Any, batches: list[EvalBatch]) -> tuple[float, float]:
    """(perplexity over labelled tokens, tokens/s over all non-pad tokens)."""
    import torch
    import torch.nn.functional as F

    device = next(model.parameters()).device
    total_nll, scored, processed, elapsed = 0.0, 0, 0, 0.0
    with torch.inference_mode():
        if batches:  # untimed warm-up pass: the first call pays for lazy kernel and allocator setup
            model(input_ids=batches[0].input_ids[:1].to(device), attention_mask=batches[0].attention_mask[:1].to(device))
        for batch in batches:
            input_ids, mask, labels = (t.to(device) for t in (batch.input_ids, batch.attention_mask, batch.labels))
            if device.type == "cuda":
                torch.cuda.synchronize()
            started = time.perf_counter()
            logits = model(input_ids=input_ids, attention_mask=mask).logits
            if device.type == "cuda":
                torch.cuda.synchronize()
            elapsed += time.perf_counter() - started
            shifted_logits = logits[:, :-1, :].float().reshape(-1, logits.size(-1))
            shifted_labels = labels[:, 1:].reshape(-1)
            total_nll += F.cross_entropy(shifted_logits, shifted_labels, ignore_index=IGNORE_INDEX, reduction="sum").item()
            scored += int((shifted_labels != IGNORE_INDEX).sum())
            processed += int(mask.sum())
    if scored == 0:
        raise ValueError("no completion tokens to score; the eval split is empty")
    return math.exp(total_nll / scored), processed / max(elapsed, 1e-9)


def _short_reason(exc: BaseException) -> str:
    first_line = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first_line}"[:160]


def evaluate_one(
    model_dir: str, adapter_dir: str | None, precision: str, settings: EvalSettings, batches: list[EvalBatch]
) -> EvalRow:
    """One (model, precision) row; any failure becomes an "n/a (reason)" row."""
    import torch

    label = "adapted" if adapter_dir else "base"
    model = None
    try:
        with warnings.catch_warnings():
            # LLM.int8 on CPU warns on every matmul that it casts inputs to fp16.
            warnings.filterwarnings("ignore", message=".*MatMul8bitLt.*")
            with PeakMemory() as peak:
                model = load_model(model_dir, precision, settings.full_precision_dtype)
                if adapter_dir:
                    from peft import PeftModel

                    model = PeftModel.from_pretrained(model, adapter_dir).eval()
                perplexity, tokens_per_s = score(model, batches)
            weights_mb = model.get_memory_footprint() / 2**20
        return EvalRow(label, precision, "ok", perplexity, tokens_per_s, peak.megabytes, weights_mb)
    except Exception as exc:  # noqa: BLE001 - one precision failing must not hide the others
        return EvalRow(label, precision, f"n/a ({_short_reason(exc)})")
    finally:
        del model
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


def run_quantized_eval(
    model_dir: str, adapter_dir: str, eval_rows: list[dict[str, Any]], settings: EvalSettings
) -> tuple[list[EvalRow], dict[str, Any]]:
    """All rows, base first, in the order of ``settings.precisions``; plus run facts."""
    import torch
    from transformers import AutoTokenizer

    rows_used = eval_rows[: settings.max_examples]
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    batches = build_eval_batches(tokenizer, rows_used, settings.batch_size)
    results = [
        evaluate_one(model_dir, adapter_dir if label == "adapted" else None, precision, settings, batches)
        for label in MODELS
        for precision in settings.precisions
    ]
    facts = {
        "eval_examples": len(rows_used),
        "scored_tokens": sum(int((b.labels[:, 1:] != IGNORE_INDEX).sum()) for b in batches),
        "device": "cuda" if torch.cuda.is_available() else "cpu",
        "memory_source": PeakMemory().source,
        "full_precision_dtype": settings.full_precision_dtype,
    }
    return results, facts


def flat_metrics(rows: list[EvalRow], facts: dict[str, Any]) -> dict[str, float]:
    """Numbers only (kfp Metrics): '<model>_<precision>_<measure>'; n/a rows are left out."""
    metrics: dict[str, float] = {
        "eval_examples": float(facts["eval_examples"]),
        "scored_tokens": float(facts["scored_tokens"]),
    }
    for row in rows:
        if not row.ok:
            continue
        for measure in ("perplexity", "tokens_per_s", "peak_memory_mb", "weights_mb"):
            metrics[f"{row.model}_{row.precision}_{measure}"] = float(getattr(row, measure))
    return metrics


def _fmt(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _precision_label(precision: str, full_dtype: str) -> str:
    return {"full": f"full ({full_dtype})", "int8": "int8 (LLM.int8)", "nf4": "nf4 (4-bit)"}[precision]


def markdown_report(rows: list[EvalRow], facts: dict[str, Any]) -> str:
    """The human-readable comparison: perplexity before/after, then cost per row."""
    full_dtype = facts["full_precision_dtype"]
    by_key = {(r.model, r.precision): r for r in rows}
    precisions = list(dict.fromkeys(r.precision for r in rows))
    lines = [
        "## Headwater eval: base vs QLoRA-adapted",
        "",
        f"{facts['eval_examples']} eval examples, {facts['scored_tokens']} completion tokens scored "
        f"on {facts['device']}. Perplexity is over completion tokens (lower is better).",
        "",
        "| precision | base perplexity | adapted perplexity | change |",
        "|---|---:|---:|---:|",
    ]
    for precision in precisions:
        base, adapted = by_key.get(("base", precision)), by_key.get(("adapted", precision))
        cells = []
        for row in (base, adapted):
            cells.append(_fmt(row.perplexity, 2) if row and row.ok else (row.status if row else "not run"))
        if base and adapted and base.ok and adapted.ok:
            change = f"{(adapted.perplexity - base.perplexity) / base.perplexity:+.1%}"
        else:
            change = "n/a"
        lines.append(f"| {_precision_label(precision, full_dtype)} | {cells[0]} | {cells[1]} | {change} |")
    lines += [
        "",
        "| model | precision | perplexity | tokens/s | peak memory (MB) | weights (MB) | status |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.model} | {_precision_label(row.precision, full_dtype)} | {_fmt(row.perplexity, 2)} | "
            f"{_fmt(row.tokens_per_s, 0)} | {_fmt(row.peak_memory_mb, 1)} | {_fmt(row.weights_mb, 2)} | {row.status} |"
        )
    lines += ["", f"Peak memory: {facts['memory_source']}, while loading and evaluating.", ""]
    return "\n".join(lines)
