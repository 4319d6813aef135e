from __future__ import annotations

import json

import pytest
from transformers import AutoConfig

from kfp_components.lib.base_model import POINTER_FILE, materialize_base_model, resolve_model_dir
from kfp_components.lib.config import TinyModelSettings


def test_tiny_model_is_a_real_save_pretrained_directory(tiny_model_dir, tiny_tokenizer):
    config = AutoConfig.from_pretrained(tiny_model_dir)
    assert (config.model_type, config.hidden_size, config.num_hidden_layers, config.num_attention_heads) == (
        "llama", 128, 2, 4)
    assert config.vocab_size == len(tiny_tokenizer) <= 512
    assert (tiny_tokenizer.eos_token, tiny_tokenizer.pad_token) == ("</s>", "<pad>")
    text = "Order 5003: the tent was scratched; a refund was issued."
    assert tiny_tokenizer.decode(tiny_tokenizer(text)["input_ids"]) == text  # byte-level BPE round-trips
    assert resolve_model_dir(tiny_model_dir) == tiny_model_dir


def test_external_base_model_is_referenced_not_copied(tmp_path, tiny_model_dir, examples_file):
    artifact = tmp_path / "artifact"
    info = materialize_base_model(examples_file, tiny_model_dir, artifact, TinyModelSettings())
    assert info == {"kind": "external", "model_path": tiny_model_dir}
    assert [p.name for p in artifact.iterdir()] == [POINTER_FILE]
    assert json.loads((artifact / POINTER_FILE).read_text()) == {"model_path": tiny_model_dir}
    assert resolve_model_dir(artifact) == tiny_model_dir


def test_a_local_base_model_path_without_config_fails_early(tmp_path, examples_file):
    with pytest.raises(FileNotFoundError, match="no config.json there") as excinfo:
        materialize_base_model(examples_file, str(tmp_path / "missing"), tmp_path / "artifact", TinyModelSettings())
    assert "missing" in str(excinfo.value)
    assert not (tmp_path / "artifact").exists()


def test_a_hub_id_is_passed_through(tmp_path, examples_file):
    info = materialize_base_model(examples_file, "org/some-model", tmp_path / "artifact", TinyModelSettings())
    assert info["model_path"] == "org/some-model"
    assert resolve_model_dir(tmp_path / "artifact") == "org/some-model"
