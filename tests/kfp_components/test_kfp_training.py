from __future__ import annotations

import json
import shutil
from pathlib import Path

import bitsandbytes as bnb
import torch
from kfp_test_data import run_short_qlora

from kfp_components.lib.config import LoraSettings, QuantizationSettings, TrainingSettings
from kfp_components.lib.sft_data import read_jsonl
from kfp_components.lib.training import (
    TRAINING_SUMMARY,
    attach_lora,
    build_trainer,
    load_4bit_model,
    lora_state,
)

QUANT = QuantizationSettings(compute_dtype="float32")
TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def test_one_real_qlora_step_on_4bit_layers(tiny_model_dir, tiny_tokenizer, sft_files, tmp_path):
    model = load_4bit_model(tiny_model_dir, QUANT)
    four_bit = [name for name, module in model.named_modules() if isinstance(module, bnb.nn.Linear4bit)]
    # 7 projections per decoder layer, 2 layers; lm_head stays unquantized (transformers skips it).
    assert len(four_bit) == 14
    assert {name.rsplit(".", 1)[-1] for name in four_bit} == set(TARGETS)

    model = attach_lora(model, LoraSettings(r=4, alpha=8, target_modules=("q_proj", "v_proj")), True)
    lora_layer = model.base_model.model.model.layers[0].self_attn.q_proj
    assert isinstance(lora_layer.base_layer, bnb.nn.Linear4bit)
    frozen_before = lora_layer.base_layer.weight.detach().clone()

    # No warmup (its first step has LR 0). B starts at zero, so A only gets a gradient from step 2 on.
    training = TrainingSettings(max_steps=2, learning_rate=1e-2, per_device_batch_size=4,
                                gradient_accumulation_steps=1, warmup_ratio=0.0, optimizer="adamw_torch")
    trainer = build_trainer(model, tiny_tokenizer, read_jsonl(sft_files["train"]), read_jsonl(sft_files["eval"]),
                            training, QUANT, 256, "adamw_torch", tmp_path)
    # Snapshot after the trainer is built: it may cast adapter weights (bf16 for quantized bases).
    before = lora_state(model)
    assert len(before) == 2 * 2 * 2  # (A, B) x (q, v) x 2 layers
    assert all(not t.any() for name, t in before.items() if "lora_B" in name)  # B starts at zero
    outcome = trainer.train()

    after = lora_state(model)
    assert outcome.global_step == 2
    changed = [name for name in before if not torch.equal(before[name], after[name])]
    assert changed == list(before)  # every A and B matrix moved
    assert torch.equal(lora_layer.base_layer.weight.detach(), frozen_before)  # the 4-bit base stays frozen


def test_run_qlora_finetune_writes_adapter_and_metrics(trained_adapter):
    adapter_dir = Path(trained_adapter["dir"])
    metrics, info = trained_adapter["metrics"], trained_adapter["info"]
    assert {"adapter_model.safetensors", "adapter_config.json", "tokenizer.json", TRAINING_SUMMARY} <= {
        p.name for p in adapter_dir.iterdir()}
    assert metrics["global_steps"] == 6.0
    assert metrics["train_loss"] > 0 and metrics["eval_loss"] > 0
    assert metrics["trainable_params"] > 0 and metrics["trainable_params"] < metrics["total_params"]
    assert info["quantization"] == "4-bit nf4, double-quant, compute float32"
    assert metrics["quantization_bits"] == 4.0
    assert info["optimizer_requested"] == "paged_adamw_8bit"
    if info["device"] == "cpu":
        assert info["optimizer_used"] == "adamw_torch"
        assert "needs CUDA" in info["optimizer_reason"]
        assert metrics["optimizer_fell_back"] == 1.0
    assert info["model_version"].startswith("headwater-qlora-") and len(info["model_version"]) == 28
    saved = json.loads((adapter_dir / TRAINING_SUMMARY).read_text())
    assert saved["info"]["model_version"] == info["model_version"]
    adapter_config = json.loads((adapter_dir / "adapter_config.json").read_text())
    assert (adapter_config["r"], adapter_config["lora_alpha"]) == (4, 8)
    assert set(adapter_config["target_modules"]) == set(TARGETS)


def test_rerunning_the_same_training_gives_the_same_model_version(trained_adapter, tiny_model_dir, sft_files, tmp_path):
    # Same base model under another path (kfp puts a run timestamp in it): the version must not move.
    moved_base = shutil.copytree(tiny_model_dir, tmp_path / "base-elsewhere")
    metrics, info = run_short_qlora(str(moved_base), sft_files, tmp_path / "again")
    assert info["model_version"] == trained_adapter["info"]["model_version"]
    assert metrics["train_loss"] == trained_adapter["metrics"]["train_loss"]
