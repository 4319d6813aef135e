"""Training configuration as validated dataclasses, plus pure translators.

Each field carries its help text (``field(metadata={"help": ...})``, as in trl's
``ModelConfig``) and ``__post_init__`` rejects bad values with a ValueError that
names the field. Components receive flat kfp parameters, build these dataclasses
first (so a bad value fails before any model is loaded), and translate them into
library objects with the small functions at the bottom of this module.

Nothing heavy is imported at module level: torch, transformers and peft are
imported inside the translators.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

COMPUTE_DTYPES = ("float32", "bfloat16", "float16")
QUANT_TYPES = ("nf4", "fp4")
LORA_BIASES = ("none", "all", "lora_only")
OPTIMIZERS = ("paged_adamw_8bit", "paged_adamw_32bit", "adamw_8bit", "adamw_torch")
PRECISIONS = ("full", "int8", "nf4")

# bitsandbytes' paged optimizers page optimizer state through CUDA unified memory.
_PAGED_OPTIMIZERS = ("paged_adamw_8bit", "paged_adamw_32bit")


def _fail(obj: object, name: str, problem: str) -> None:
    raise ValueError(f"{type(obj).__name__}.{name}={getattr(obj, name)!r}: {problem}")


def _check_choice(obj: object, name: str, choices: tuple[str, ...]) -> None:
    if getattr(obj, name) not in choices:
        _fail(obj, name, f"must be one of {', '.join(choices)}")


def _check_positive(obj: object, name: str) -> None:
    if not getattr(obj, name) > 0:
        _fail(obj, name, "must be > 0")


def help_text(cls: type) -> dict[str, str]:
    """Field name -> help text, for CLIs and docs."""
    return {f.name: f.metadata.get("help", "") for f in fields(cls)}


def parse_csv_list(value: str) -> tuple[str, ...]:
    """'a, b,,c' -> ('a', 'b', 'c'): kfp and CLI parameters carry lists as one string."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class DatasetSettings:
    eval_fraction: float = field(
        default=0.1,
        metadata={"help": "Share of records hashed into the eval split (0 < x < 1). "
                          "A record's split depends only on its id, so it never moves as data grows."},
    )
    min_completion_tokens: int = field(
        default=4,
        metadata={"help": "Drop records whose text (the completion) has fewer tokens than this."},
    )
    max_total_tokens: int = field(
        default=256,
        metadata={"help": "Drop records whose prompt + completion + EOS exceeds this many tokens, "
                          "so training never truncates. Also the trainer's max sequence length."},
    )
    split_salt: str = field(
        default="headwater-sft-v1",
        metadata={"help": "Mixed into the id hash that picks the split; change it only to reshuffle on purpose."},
    )

    def __post_init__(self) -> None:
        if not 0.0 < self.eval_fraction < 1.0:
            _fail(self, "eval_fraction", "must be strictly between 0 and 1")
        _check_positive(self, "min_completion_tokens")
        _check_positive(self, "max_total_tokens")
        if self.max_total_tokens <= self.min_completion_tokens:
            _fail(self, "max_total_tokens", f"must be > min_completion_tokens ({self.min_completion_tokens})")


@dataclass(frozen=True)
class TinyModelSettings:
    vocab_size: int = field(default=1024, metadata={"help": "Target BPE vocabulary size (the corpus may yield fewer)."})
    hidden_size: int = field(default=128, metadata={"help": "Transformer width."})
    num_hidden_layers: int = field(default=2, metadata={"help": "Number of decoder layers."})
    num_attention_heads: int = field(default=4, metadata={"help": "Attention heads; must divide hidden_size."})
    intermediate_size: int = field(default=256, metadata={"help": "MLP width."})
    max_position_embeddings: int = field(default=512, metadata={"help": "Longest sequence the model accepts."})
    seed: int = field(default=0, metadata={"help": "Seed for weight initialisation."})

    def __post_init__(self) -> None:
        for name in ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                     "intermediate_size", "max_position_embeddings"):
            _check_positive(self, name)
        if self.vocab_size < 300:
            # 256 byte-level symbols + special tokens must fit.
            _fail(self, "vocab_size", "must be >= 300 (byte-level BPE needs 256 base symbols)")
        if self.hidden_size % self.num_attention_heads:
            _fail(self, "hidden_size", f"must be divisible by num_attention_heads ({self.num_attention_heads})")


@dataclass(frozen=True)
class QuantizationSettings:
    quant_type: str = field(default="nf4", metadata={"help": f"4-bit data type: {', '.join(QUANT_TYPES)}."})
    use_double_quant: bool = field(
        default=True, metadata={"help": "Quantize the quantization constants too (saves ~0.4 bit/param)."}
    )
    compute_dtype: str = field(
        default="bfloat16",
        metadata={"help": f"dtype of the de-quantized matmuls: {', '.join(COMPUTE_DTYPES)}. "
                          "bfloat16 on Ampere+ GPUs; float32 on CPU."},
    )

    def __post_init__(self) -> None:
        _check_choice(self, "quant_type", QUANT_TYPES)
        _check_choice(self, "compute_dtype", COMPUTE_DTYPES)


@dataclass(frozen=True)
class LoraSettings:
    r: int = field(default=16, metadata={"help": "LoRA rank."})
    alpha: int = field(default=32, metadata={"help": "LoRA scaling numerator (scale = alpha / r)."})
    dropout: float = field(default=0.05, metadata={"help": "Dropout on the LoRA input, 0 <= x < 1."})
    target_modules: tuple[str, ...] = field(
        default=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
        metadata={"help": "Module names that get adapters (Llama-style names), or ('all-linear',)."},
    )
    bias: str = field(default="none", metadata={"help": f"Which biases train: {', '.join(LORA_BIASES)}."})

    def __post_init__(self) -> None:
        _check_positive(self, "r")
        _check_positive(self, "alpha")
        if not 0.0 <= self.dropout < 1.0:
            _fail(self, "dropout", "must be >= 0 and < 1")
        if not self.target_modules or any(not m for m in self.target_modules):
            _fail(self, "target_modules", "must name at least one module, e.g. ('q_proj', 'v_proj')")
        _check_choice(self, "bias", LORA_BIASES)


@dataclass(frozen=True)
class TrainingSettings:
    epochs: float = field(default=1.0, metadata={"help": "Passes over the train split (ignored when max_steps > 0)."})
    max_steps: int = field(default=-1, metadata={"help": "Stop after this many optimizer steps; -1 = use epochs."})
    learning_rate: float = field(default=2e-4, metadata={"help": "Peak learning rate for the LoRA weights."})
    per_device_batch_size: int = field(default=4, metadata={"help": "Examples per device per forward pass."})
    gradient_accumulation_steps: int = field(default=4, metadata={"help": "Forward passes per optimizer step."})
    warmup_ratio: float = field(default=0.03, metadata={"help": "Share of steps spent warming up the LR, 0 <= x < 1."})
    optimizer: str = field(
        default="paged_adamw_8bit",
        metadata={"help": f"One of {', '.join(OPTIMIZERS)}. Paged optimizers need CUDA; on CPU the "
                          "trainer falls back to adamw_torch and records it."},
    )
    gradient_checkpointing: bool = field(
        default=True, metadata={"help": "Recompute activations in backward to save memory."}
    )
    logging_steps: int = field(default=5, metadata={"help": "Log the training loss every N steps."})
    seed: int = field(default=42, metadata={"help": "Seed for data order, dropout and LoRA init."})

    def __post_init__(self) -> None:
        _check_positive(self, "epochs")
        if self.max_steps == 0 or self.max_steps < -1:
            _fail(self, "max_steps", "must be -1 (use epochs) or > 0")
        _check_positive(self, "learning_rate")
        _check_positive(self, "per_device_batch_size")
        _check_positive(self, "gradient_accumulation_steps")
        if not 0.0 <= self.warmup_ratio < 1.0:
            _fail(self, "warmup_ratio", "must be >= 0 and < 1")
        _check_choice(self, "optimizer", OPTIMIZERS)
        _check_positive(self, "logging_steps")


@dataclass(frozen=True)
class EvalSettings:
    precisions: tuple[str, ...] = field(
        default=PRECISIONS,
        metadata={"help": "Precisions to compare: full (unquantized), int8 (LLM.int8), nf4 (4-bit NF4)."},
    )
    full_precision_dtype: str = field(
        default="float32",
        metadata={"help": f"dtype of the 'full' row and of the compute dtype: {', '.join(COMPUTE_DTYPES)}."},
    )
    batch_size: int = field(default=8, metadata={"help": "Eval examples per forward pass."})
    max_examples: int = field(
        default=256, metadata={"help": "Evaluate at most this many eval-split examples (first N, file order)."}
    )

    def __post_init__(self) -> None:
        if not self.precisions:
            _fail(self, "precisions", f"must name at least one of {', '.join(PRECISIONS)}")
        unknown = [p for p in self.precisions if p not in PRECISIONS]
        if unknown:
            _fail(self, "precisions", f"unknown {unknown}; choose from {', '.join(PRECISIONS)}")
        _check_choice(self, "full_precision_dtype", COMPUTE_DTYPES)
        _check_positive(self, "batch_size")
        _check_positive(self, "max_examples")


# --- translators: config -> library objects (pure apart from the imports) ---


def torch_dtype(name: str) -> Any:
    """'bfloat16' -> torch.bfloat16."""
    import torch

    if name not in COMPUTE_DTYPES:
        raise ValueError(f"dtype {name!r}: must be one of {', '.join(COMPUTE_DTYPES)}")
    return getattr(torch, name)


def to_bnb_config(cfg: QuantizationSettings) -> Any:
    """QLoRA's 4-bit loading config (``transformers.BitsAndBytesConfig``)."""
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type=cfg.quant_type,
        bnb_4bit_use_double_quant=cfg.use_double_quant,
        bnb_4bit_compute_dtype=torch_dtype(cfg.compute_dtype),
    )


def to_int8_config() -> Any:
    """LLM.int8() loading config, used by the eval's int8 row."""
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(load_in_8bit=True)


def to_lora_config(cfg: LoraSettings) -> Any:
    """``peft.LoraConfig`` for a causal LM."""
    from peft import LoraConfig

    targets: str | list[str] = "all-linear" if cfg.target_modules == ("all-linear",) else list(cfg.target_modules)
    return LoraConfig(
        r=cfg.r,
        lora_alpha=cfg.alpha,
        lora_dropout=cfg.dropout,
        target_modules=targets,
        bias=cfg.bias,
        task_type="CAUSAL_LM",
    )


def resolve_optimizer(requested: str, cuda_available: bool) -> tuple[str, str]:
    """The optimizer to actually use, and why.

    Paged optimizers move state through CUDA unified memory; without CUDA,
    bitsandbytes silently runs them unpaged, so we pick a plain torch AdamW and
    say so instead of pretending.
    """
    if requested not in OPTIMIZERS:
        raise ValueError(f"optimizer {requested!r}: must be one of {', '.join(OPTIMIZERS)}")
    if cuda_available or requested not in _PAGED_OPTIMIZERS:
        return requested, "as requested"
    return "adamw_torch", f"{requested} needs CUDA (paged state lives in unified memory); no GPU here"
