"""Tiny inline chunk records shared by the kfp tests (importable, unlike conftest)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_COLOURS = ["red", "green", "blue", "black", "white", "grey"]
_ITEMS = ["kettle", "backpack", "lamp", "jacket", "bottle", "chair", "tent"]
_ISSUES = ["arrived late", "was scratched", "stopped working", "had the wrong size"]


def chunk_records(count: int) -> list[dict[str, str]]:
    """``count`` distinct, deterministic chunk records across two sources."""
    records = []
    for i in range(count):
        if i % 3:
            text = f"A {_COLOURS[i % 6]} {_ITEMS[i % 7]} with {i % 5 + 1} pockets, model {100 + i}."
            source, column = "products.csv", "description"
        else:
            text = f"Order {5000 + i}: the {_ITEMS[i % 7]} {_ISSUES[i % 4]}; a refund was issued."
            source, column = "support_tickets.csv", "resolution_note"
        records.append({"id": f"chunk-{i:04d}", "text": text, "source": source, "column": column})
    return records


def write_records(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def run_short_qlora(model_dir: str, sft_files: dict, adapter_dir: Path) -> tuple[dict[str, float], dict[str, Any]]:
    """Six real QLoRA steps with a small adapter: what the trained_adapter fixture runs."""
    from kfp_components.lib.config import LoraSettings, QuantizationSettings, TrainingSettings
    from kfp_components.lib.training import run_qlora_finetune

    return run_qlora_finetune(
        model_dir,
        sft_files["train"],
        sft_files["eval"],
        adapter_dir,
        QuantizationSettings(compute_dtype="float32"),
        LoraSettings(r=4, alpha=8),
        TrainingSettings(max_steps=6, learning_rate=2e-3, per_device_batch_size=8, gradient_accumulation_steps=1,
                         logging_steps=2),
        max_seq_length=256,
    )
