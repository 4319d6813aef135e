"""A tiny causal LM built locally, so the whole pipeline runs with no model hub.

The model is a randomly initialised Llama (same module names as real Llama
checkpoints, so LoRA target_modules carry over) and its tokenizer is a
byte-level BPE trained on the examples themselves. It is saved with
``save_pretrained`` and loaded everywhere with the real ``from_pretrained(path)``;
in production that path points at a real base model instead.

Its perplexities measure the plumbing, not language quality: the base is
untrained, so fine-tuning mostly teaches it the data's token statistics.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kfp_components.lib.config import TinyModelSettings

SPECIAL_TOKENS = {"unk_token": "<unk>", "bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>"}


def train_bpe_tokenizer(texts: Iterable[str], vocab_size: int, model_max_length: int) -> Any:
    """Byte-level BPE (any UTF-8 text round-trips) as a transformers fast tokenizer."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE(unk_token=SPECIAL_TOKENS["unk_token"]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS.values()),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, model_max_length=model_max_length, padding_side="right", **SPECIAL_TOKENS
    )


def build_tiny_causal_lm(texts: Iterable[str], settings: TinyModelSettings, output_dir: str | Path) -> dict[str, Any]:
    """Train the tokenizer on ``texts``, build the model, save both; returns a description."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tokenizer = train_bpe_tokenizer(texts, settings.vocab_size, settings.max_position_embeddings)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=settings.hidden_size,
        num_hidden_layers=settings.num_hidden_layers,
        num_attention_heads=settings.num_attention_heads,
        num_key_value_heads=settings.num_attention_heads,
        intermediate_size=settings.intermediate_size,
        max_position_embeddings=settings.max_position_embeddings,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    torch.manual_seed(settings.seed)
    model = LlamaForCausalLM(config)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(output_dir)
    tokenizer.save_pretrained(output_dir)
    return {
        "kind": "tiny-llama",
        "vocab_size": len(tokenizer),
        "parameters": sum(p.numel() for p in model.parameters()),
        "hidden_size": settings.hidden_size,
        "num_hidden_layers": settings.num_hidden_layers,
    }
