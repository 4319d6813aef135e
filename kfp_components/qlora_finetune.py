"""Component: QLoRA fine-tuning (4-bit NF4 base + LoRA) -> adapter + training metrics."""

from kfp import dsl
from kfp.dsl import Dataset, Input, Metrics, Model, Output

from kfp_components import TRAIN_IMAGE


@dsl.component(base_image=TRAIN_IMAGE, install_kfp_package=False)
def qlora_finetune(
    base_model: Input[Model],
    train_data: Input[Dataset],
    eval_data: Input[Dataset],
    adapter: Output[Model],
    metrics: Output[Metrics],
    lora_r: int = 16,
    lora_alpha: int = 32,
    lora_dropout: float = 0.05,
    lora_target_modules: str = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
    epochs: float = 1.0,
    max_steps: int = -1,
    learning_rate: float = 2e-4,
    per_device_batch_size: int = 4,
    gradient_accumulation_steps: int = 4,
    max_seq_length: int = 256,
    optimizer: str = "paged_adamw_8bit",
    compute_dtype: str = "bfloat16",
    quant_type: str = "nf4",
    double_quant: bool = True,
    gradient_checkpointing: bool = True,
    seed: int = 42,
):
    """Trains LoRA adapters on the 4-bit base with trl's SFTTrainer. The adapter artifact holds
    adapter weights + tokenizer; its metadata names the model version, optimizer and quantization."""
    from kfp_components.lib.base_model import resolve_model_dir
    from kfp_components.lib.config import LoraSettings, QuantizationSettings, TrainingSettings, parse_csv_list
    from kfp_components.lib.training import run_qlora_finetune

    quant = QuantizationSettings(quant_type=quant_type, use_double_quant=double_quant, compute_dtype=compute_dtype)
    lora = LoraSettings(
        r=lora_r, alpha=lora_alpha, dropout=lora_dropout, target_modules=parse_csv_list(lora_target_modules)
    )
    training = TrainingSettings(
        epochs=epochs,
        max_steps=max_steps,
        learning_rate=learning_rate,
        per_device_batch_size=per_device_batch_size,
        gradient_accumulation_steps=gradient_accumulation_steps,
        optimizer=optimizer,
        gradient_checkpointing=gradient_checkpointing,
        seed=seed,
    )
    numbers, info = run_qlora_finetune(
        resolve_model_dir(base_model.path), train_data.path, eval_data.path, adapter.path,
        quant, lora, training, max_seq_length,
    )
    for name, value in numbers.items():
        metrics.log_metric(name, value)
    adapter.metadata.update({k: v for k, v in info.items() if k != "loss_history"})
    print(f"training: {numbers}\n{info['optimizer_used']} ({info['optimizer_reason']}); {info['quantization']}")
