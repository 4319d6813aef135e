from __future__ import annotations

from dataclasses import fields

import pytest
import torch

from kfp_components.lib.config import (
    DatasetSettings,
    EvalSettings,
    LoraSettings,
    QuantizationSettings,
    TinyModelSettings,
    TrainingSettings,
    help_text,
    parse_csv_list,
    resolve_optimizer,
    to_bnb_config,
    to_int8_config,
    to_lora_config,
)

ALL_SETTINGS = (DatasetSettings, TinyModelSettings, QuantizationSettings, LoraSettings, TrainingSettings, EvalSettings)


@pytest.mark.parametrize("cls", ALL_SETTINGS)
def test_defaults_are_valid_and_every_field_has_help(cls):
    cls()
    assert all(text for text in help_text(cls).values()), f"{cls.__name__} has a field without help text"
    assert [f.name for f in fields(cls)] == list(help_text(cls))


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        (DatasetSettings, {"eval_fraction": 1.0}, "DatasetSettings.eval_fraction=1.0: must be strictly between 0 and 1"),
        (DatasetSettings, {"min_completion_tokens": 0}, "DatasetSettings.min_completion_tokens=0: must be > 0"),
        (DatasetSettings, {"min_completion_tokens": 8, "max_total_tokens": 8},
         "DatasetSettings.max_total_tokens=8: must be > min_completion_tokens (8)"),
        (TinyModelSettings, {"hidden_size": 130}, "TinyModelSettings.hidden_size=130: must be divisible by"),
        (TinyModelSettings, {"vocab_size": 100}, "TinyModelSettings.vocab_size=100: must be >= 300"),
        (QuantizationSettings, {"quant_type": "int4"}, "QuantizationSettings.quant_type='int4': must be one of nf4, fp4"),
        (QuantizationSettings, {"compute_dtype": "fp8"}, "QuantizationSettings.compute_dtype='fp8': must be one of"),
        (LoraSettings, {"r": 0}, "LoraSettings.r=0: must be > 0"),
        (LoraSettings, {"dropout": 1.0}, "LoraSettings.dropout=1.0: must be >= 0 and < 1"),
        (LoraSettings, {"target_modules": ()}, "LoraSettings.target_modules=(): must name at least one module"),
        (LoraSettings, {"bias": "some"}, "LoraSettings.bias='some': must be one of none, all, lora_only"),
        (TrainingSettings, {"max_steps": 0}, "TrainingSettings.max_steps=0: must be -1 (use epochs) or > 0"),
        (TrainingSettings, {"learning_rate": 0.0}, "TrainingSettings.learning_rate=0.0: must be > 0"),
        (TrainingSettings, {"optimizer": "sgd"}, "TrainingSettings.optimizer='sgd': must be one of paged_adamw_8bit"),
        (EvalSettings, {"precisions": ("full", "int4")}, "EvalSettings.precisions=('full', 'int4'): unknown ['int4']"),
        (EvalSettings, {"precisions": ()}, "EvalSettings.precisions=(): must name at least one of full, int8, nf4"),
    ],
)
def test_invalid_values_name_the_field(cls, kwargs, message):
    with pytest.raises(ValueError) as excinfo:
        cls(**kwargs)
    assert str(excinfo.value).startswith(message)


def test_to_bnb_config_is_qlora_nf4_double_quant():
    bnb = to_bnb_config(QuantizationSettings(compute_dtype="bfloat16"))
    assert bnb.load_in_4bit is True
    assert bnb.load_in_8bit is False
    assert bnb.bnb_4bit_quant_type == "nf4"
    assert bnb.bnb_4bit_use_double_quant is True
    assert bnb.bnb_4bit_compute_dtype == torch.bfloat16


def test_to_bnb_config_follows_settings():
    bnb = to_bnb_config(QuantizationSettings(quant_type="fp4", use_double_quant=False, compute_dtype="float32"))
    assert (bnb.bnb_4bit_quant_type, bnb.bnb_4bit_use_double_quant, bnb.bnb_4bit_compute_dtype) == (
        "fp4", False, torch.float32)


def test_to_int8_config():
    int8 = to_int8_config()
    assert (int8.load_in_8bit, int8.load_in_4bit) == (True, False)


def test_to_lora_config_exact_values():
    lora = to_lora_config(LoraSettings(r=8, alpha=16, dropout=0.1, target_modules=("q_proj", "v_proj")))
    assert (lora.r, lora.lora_alpha, lora.lora_dropout, lora.bias) == (8, 16, 0.1, "none")
    assert set(lora.target_modules) == {"q_proj", "v_proj"}
    assert lora.task_type == "CAUSAL_LM"


def test_to_lora_config_all_linear_shortcut():
    assert to_lora_config(LoraSettings(target_modules=("all-linear",))).target_modules == "all-linear"


@pytest.mark.parametrize(
    ("requested", "cuda", "expected"),
    [
        ("paged_adamw_8bit", True, "paged_adamw_8bit"),
        ("paged_adamw_8bit", False, "adamw_torch"),
        ("paged_adamw_32bit", False, "adamw_torch"),
        ("adamw_8bit", False, "adamw_8bit"),
        ("adamw_torch", False, "adamw_torch"),
    ],
)
def test_resolve_optimizer(requested, cuda, expected):
    used, reason = resolve_optimizer(requested, cuda)
    assert used == expected
    assert reason == ("as requested" if used == requested else
                      f"{requested} needs CUDA (paged state lives in unified memory); no GPU here")


def test_parse_csv_list():
    assert parse_csv_list(" q_proj, v_proj,,o_proj ") == ("q_proj", "v_proj", "o_proj")
    assert parse_csv_list("") == ()
