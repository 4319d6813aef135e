"""Fixtures for the training half: tiny inline chunk records, a tiny model built from them,
the SFT splits, and one short real QLoRA run shared by the tests that need an adapter.

Runs in the training environment (.venv-kfp); nothing here imports headwater or airflow.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kfp_test_data import chunk_records, run_short_qlora, write_records

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Before torch is imported: one thread is faster for the tiny model and does not thrash a shared machine.
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def examples_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_records(tmp_path_factory.mktemp("examples") / "chunks.jsonl", chunk_records(90))


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory, examples_file: Path) -> str:
    from kfp_components.lib.base_model import materialize_base_model
    from kfp_components.lib.config import TinyModelSettings

    model_dir = tmp_path_factory.mktemp("tiny-model")
    materialize_base_model(examples_file, "", model_dir, TinyModelSettings(vocab_size=512))
    return str(model_dir)


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_model_dir: str):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)


@pytest.fixture(scope="session")
def sft_files(tmp_path_factory: pytest.TempPathFactory, examples_file: Path, tiny_model_dir: str) -> dict:
    from kfp_components.lib.config import DatasetSettings
    from kfp_components.lib.sft_data import prepare_sft_files

    out = tmp_path_factory.mktemp("sft")
    paths = {name: out / f"{name}.jsonl" for name in ("train", "eval", "rejected")}
    counts = prepare_sft_files(
        examples_file, tiny_model_dir, DatasetSettings(eval_fraction=0.2), paths["train"], paths["eval"], paths["rejected"]
    )
    return {**paths, "counts": counts}


@pytest.fixture(scope="session")
def trained_adapter(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: str, sft_files: dict) -> dict:
    """One real (short) QLoRA run through the same function the component calls."""
    adapter_dir = tmp_path_factory.mktemp("adapter")
    metrics, info = run_short_qlora(tiny_model_dir, sft_files, adapter_dir)
    return {"dir": str(adapter_dir), "metrics": metrics, "info": info}
