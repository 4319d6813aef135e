"""QLoRA fine-tuning: 4-bit NF4 base + LoRA adapters, trained with trl's SFTTrainer.

Why trl's SFTTrainer and not a bare transformers Trainer: it trains directly on
prompt/completion records with the loss on the completion only, adds EOS, and
handles the PEFT + gradient-checkpointing details (input grads, bf16 adapter
weights for quantized bases, as in the QLoRA paper). It runs on CPU here.

The steps are separate functions so a test can check the model between them.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kfp_components.lib.config import (
    LoraSettings,
    QuantizationSettings,
    TrainingSettings,
    resolve_optimizer,
    to_bnb_config,
    to_lora_config,
    torch_dtype,
)
from kfp_components.lib.sft_data import read_jsonl

ADAPTER_WEIGHTS = "adapter_model.safetensors"
ADAPTER_CONFIG = "adapter_config.json"
TRAINING_SUMMARY = "headwater_training.json"


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def load_4bit_model(model_dir: str, quant: QuantizationSettings) -> Any:
    """The base model with every linear layer as bitsandbytes ``Linear4bit``."""
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(
        model_dir,
        quantization_config=to_bnb_config(quant),
        dtype=torch_dtype(quant.compute_dtype),
        device_map={"": 0} if cuda_available() else None,
    )


def attach_lora(model: Any, lora: LoraSettings, gradient_checkpointing: bool) -> Any:
    """Freeze the quantized base, upcast norms, enable checkpointing, add LoRA adapters."""
    from peft import get_peft_model, prepare_model_for_kbit_training

    model = prepare_model_for_kbit_training(
        model,
        use_gradient_checkpointing=gradient_checkpointing,
        # Non-reentrant checkpointing works with frozen inputs and is torch's recommended mode.
        gradient_checkpointing_kwargs={"use_reentrant": False},
    )
    return get_peft_model(model, to_lora_config(lora))


def lora_state(model: Any) -> dict[str, Any]:
    """Copies of the trainable LoRA tensors (to compare before/after a step)."""
    return {n: p.detach().float().clone() for n, p in model.named_parameters() if "lora_" in n and p.requires_grad}


def build_trainer(
    model: Any,
    tokenizer: Any,
    train_rows: list[dict[str, Any]],
    eval_rows: list[dict[str, Any]],
    training: TrainingSettings,
    quant: QuantizationSettings,
    max_seq_length: int,
    optimizer: str,
    output_dir: str | Path,
) -> Any:
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    cuda = cuda_available()

    def as_dataset(rows: list[dict[str, Any]]) -> Any:
        # Only prompt/completion: the trainer would pass any other column to the collator.
        return Dataset.from_list([{"prompt": r["prompt"], "completion": r["completion"]} for r in rows])

    args = SFTConfig(
        output_dir=str(output_dir),
        num_train_epochs=training.epochs,
        max_steps=training.max_steps,
        learning_rate=training.learning_rate,
        per_device_train_batch_size=training.per_device_batch_size,
        per_device_eval_batch_size=training.per_device_batch_size,
        gradient_accumulation_steps=training.gradient_accumulation_steps,
        # transformers 5 dropped warmup_ratio; a float < 1 in warmup_steps is the same ratio.
        warmup_steps=training.warmup_ratio,
        lr_scheduler_type="cosine",
        optim=optimizer,
        # transformers 5 renamed gradient_checkpointing to activation_checkpointing (old name deprecated).
        activation_checkpointing=training.gradient_checkpointing,
        activation_checkpointing_kwargs={"use_reentrant": False},
        bf16=cuda and quant.compute_dtype == "bfloat16",
        fp16=cuda and quant.compute_dtype == "float16",
        use_cpu=not cuda,
        max_length=max_seq_length,
        completion_only_loss=True,
        packing=False,
        logging_steps=training.logging_steps,
        save_strategy="no",
        eval_strategy="no",
        report_to="none",
        disable_tqdm=True,
        dataloader_num_workers=0,
        seed=training.seed,
        data_seed=training.seed,
    )
    return SFTTrainer(
        model=model,
        args=args,
        train_dataset=as_dataset(train_rows),
        eval_dataset=as_dataset(eval_rows),
        processing_class=tokenizer,
    )


def adapter_fingerprint(adapter_dir: str | Path) -> str:
    """Content hash of the adapter weights + config: the model version.

    The config is canonicalised first: peft writes the base model's path (which
    holds a run timestamp under kfp) and target_modules in set order, neither of
    which changes the adapter. So retraining on the same inputs gives the same version.
    """
    config = json.loads((Path(adapter_dir) / ADAPTER_CONFIG).read_text(encoding="utf-8"))
    config.pop("base_model_name_or_path", None)
    if isinstance(config.get("target_modules"), list):
        config["target_modules"] = sorted(config["target_modules"])
    digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
    digest.update((Path(adapter_dir) / ADAPTER_WEIGHTS).read_bytes())
    return digest.hexdigest()[:12]


def describe_quantization(quant: QuantizationSettings) -> str:
    double = "double-quant" if quant.use_double_quant else "single-quant"
    return f"4-bit {quant.quant_type}, {double}, compute {quant.compute_dtype}"


def run_qlora_finetune(
    model_dir: str,
    train_path: str | Path,
    eval_path: str | Path,
    adapter_dir: str | Path,
    quant: QuantizationSettings,
    lora: LoraSettings,
    training: TrainingSettings,
    max_seq_length: int,
) -> tuple[dict[str, float], dict[str, Any]]:
    """Train and save the adapter (+ tokenizer) to ``adapter_dir``.

    Returns (numeric metrics, descriptive info); the info is also written next
    to the adapter as ``headwater_training.json``.
    """
    from transformers import AutoTokenizer, set_seed

    # Seed before the adapters exist: LoRA's A matrices are initialised in attach_lora,
    # before the trainer seeds anything. Same inputs + same hardware -> same model_version.
    set_seed(training.seed)
    train_rows, eval_rows = read_jsonl(train_path), read_jsonl(eval_path)
    if not train_rows:
        raise ValueError(f"{train_path}: empty train split; run prepare_dataset on more data")
    optimizer, optimizer_reason = resolve_optimizer(training.optimizer, cuda_available())

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = attach_lora(load_4bit_model(model_dir, quant), lora, training.gradient_checkpointing)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())

    with tempfile.TemporaryDirectory(prefix="headwater-trainer-") as scratch:
        trainer = build_trainer(
            model, tokenizer, train_rows, eval_rows, training, quant, max_seq_length, optimizer, scratch
        )
        outcome = trainer.train()
        eval_loss = trainer.evaluate()["eval_loss"] if eval_rows else float("nan")
        logged_losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]

    adapter_dir = Path(adapter_dir)
    model.save_pretrained(adapter_dir)
    tokenizer.save_pretrained(adapter_dir)
    model_version = f"headwater-qlora-{adapter_fingerprint(adapter_dir)}"

    metrics = {
        "train_loss": float(outcome.training_loss),
        "final_logged_loss": float(logged_losses[-1]) if logged_losses else float(outcome.training_loss),
        "eval_loss": float(eval_loss),
        "global_steps": float(outcome.global_step),
        "train_runtime_s": float(outcome.metrics.get("train_runtime", 0.0)),
        "train_examples": float(len(train_rows)),
        "eval_examples": float(len(eval_rows)),
        "trainable_params": float(trainable),
        "total_params": float(total),  # 4-bit weights count as packed bytes, as torch stores them
        # Numeric mirrors of the strings in `info` (kfp Metrics hold numbers only).
        "quantization_bits": 4.0,
        "optimizer_fell_back": float(optimizer != training.optimizer),
    }
    info = {
        "model_version": model_version,
        "base_model": model_dir,
        "trainer": "trl.SFTTrainer (prompt/completion, completion-only loss)",
        "device": "cuda" if cuda_available() else "cpu",
        "optimizer_requested": training.optimizer,
        "optimizer_used": optimizer,
        "optimizer_reason": optimizer_reason,
        "quantization": describe_quantization(quant),
        "lora": asdict(lora),
        "training": asdict(training),
        "max_seq_length": max_seq_length,
        "loss_history": logged_losses,
    }
    (adapter_dir / TRAINING_SUMMARY).write_text(
        json.dumps({"metrics": metrics, "info": info}, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return metrics, info
