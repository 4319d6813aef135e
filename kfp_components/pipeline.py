"""The Headwater fine-tuning pipeline.

    examples (chunk JSONL) -> build_or_load_base_model -> prepare_dataset
        -> qlora_finetune (GPU) -> quantized_eval (GPU)

Compile (the YAML is checked in; a test fails when it is stale):

    .venv-kfp/bin/python -m kfp_components.pipeline

GPU steps request one ``nvidia.com/gpu``, tolerate the GPU node taint, select
GPU nodes, mount the model-cache PVC and get a memory-backed /dev/shm. The
kfp.local runner accepts and ignores all of that, so the same pipeline runs on
a laptop. Edit ``GPU_PLACEMENT`` to match your cluster's labels and taints.
"""

# No `from __future__ import annotations` here: kfp reads the pipeline signature's real types.
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl, kubernetes
from kfp.dsl import Markdown, Metrics, Model

from kfp_components.build_or_load_base_model import build_or_load_base_model
from kfp_components.lib.config import (
    DatasetSettings,
    EvalSettings,
    LoraSettings,
    QuantizationSettings,
    TrainingSettings,
)
from kfp_components.prepare_dataset import prepare_dataset
from kfp_components.qlora_finetune import qlora_finetune
from kfp_components.quantized_eval import quantized_eval

PIPELINE_NAME = "headwater-finetune"
COMPILED_YAML = Path(__file__).with_name("headwater_finetune_pipeline.yaml")


@dataclass(frozen=True)
class GpuPlacement:
    accelerator: str = "nvidia.com/gpu"
    gpus_per_task: int = 1
    # NVIDIA GPU operator's label and the usual taint on dedicated GPU node pools.
    node_selector: tuple[str, str] = ("nvidia.com/gpu.present", "true")
    toleration_key: str = "nvidia.com/gpu"
    toleration_effect: str = "NoSchedule"
    model_cache_mount: str = "/models"
    # PyTorch DataLoader workers and NCCL use /dev/shm; a pod's default is 64 MiB.
    shm_size: str = "8Gi"
    memory_limit: str = "64G"


GPU_PLACEMENT = GpuPlacement()


def mount_model_cache(task: dsl.PipelineTask, pvc_name: str) -> None:
    """Every step that reads the base model sees the cache PVC at the same path."""
    kubernetes.mount_pvc(task, pvc_name=pvc_name, mount_path=GPU_PLACEMENT.model_cache_mount)


def place_on_gpu(task: dsl.PipelineTask) -> None:
    placement = GPU_PLACEMENT
    task.set_accelerator_type(placement.accelerator)
    task.set_accelerator_limit(placement.gpus_per_task)
    task.set_memory_limit(placement.memory_limit)
    kubernetes.add_toleration(
        task, key=placement.toleration_key, operator="Exists", effect=placement.toleration_effect
    )
    kubernetes.add_node_selector(task, label_key=placement.node_selector[0], label_value=placement.node_selector[1])
    kubernetes.empty_dir_mount(
        task, volume_name="dshm", mount_path="/dev/shm", medium="Memory", size_limit=placement.shm_size
    )


class PipelineOutputs(NamedTuple):
    adapter: Model
    training_metrics: Metrics
    dataset_metrics: Metrics
    eval_metrics: Metrics
    eval_report: Markdown


# Parameter defaults come from the config dataclasses. The components repeat them as
# literals: kfp ships only a component's own source to the pod.
@dsl.pipeline(
    name=PIPELINE_NAME,
    description="Headwater: chunk JSONL -> instruction splits -> QLoRA adapter -> quantized eval report.",
)
def headwater_finetune_pipeline(
    examples_uri: str,
    base_model_path: str = "",
    model_cache_pvc: str = "headwater-model-cache",
    eval_fraction: float = DatasetSettings.eval_fraction,
    min_completion_tokens: int = DatasetSettings.min_completion_tokens,
    max_total_tokens: int = DatasetSettings.max_total_tokens,
    lora_r: int = LoraSettings.r,
    lora_alpha: int = LoraSettings.alpha,
    lora_dropout: float = LoraSettings.dropout,
    lora_target_modules: str = ",".join(LoraSettings.target_modules),
    epochs: float = TrainingSettings.epochs,
    max_steps: int = TrainingSettings.max_steps,
    learning_rate: float = TrainingSettings.learning_rate,
    per_device_batch_size: int = TrainingSettings.per_device_batch_size,
    gradient_accumulation_steps: int = TrainingSettings.gradient_accumulation_steps,
    optimizer: str = TrainingSettings.optimizer,
    compute_dtype: str = QuantizationSettings.compute_dtype,
    eval_precisions: str = ",".join(EvalSettings.precisions),
    # GPU default; EvalSettings' own default (float32) suits CPU.
    eval_full_precision_dtype: str = "bfloat16",
    eval_max_examples: int = EvalSettings.max_examples,
    seed: int = TrainingSettings.seed,
) -> PipelineOutputs:
    examples = dsl.importer(artifact_uri=examples_uri, artifact_class=dsl.Dataset, reimport=False)
    examples.set_display_name("chunk-examples")

    base = build_or_load_base_model(examples=examples.output, base_model_path=base_model_path, seed=seed)
    mount_model_cache(base, model_cache_pvc)

    data = prepare_dataset(
        examples=examples.output,
        base_model=base.outputs["base_model"],
        eval_fraction=eval_fraction,
        min_completion_tokens=min_completion_tokens,
        max_total_tokens=max_total_tokens,
    )
    mount_model_cache(data, model_cache_pvc)

    train = qlora_finetune(
        base_model=base.outputs["base_model"],
        train_data=data.outputs["train_data"],
        eval_data=data.outputs["eval_data"],
        lora_r=lora_r,
        lora_alpha=lora_alpha,
        lora_dropout=lora_dropout,
        lora_target_modules=lora_target_modules,
        epochs=epochs,
        max_steps=max_steps,
        learning_rate=learning_rate,
        per_device_batch_size=per_device_batch_size,
        gradient_accumulation_steps=gradient_accumulation_steps,
        max_seq_length=max_total_tokens,
        optimizer=optimizer,
        compute_dtype=compute_dtype,
        seed=seed,
    )
    mount_model_cache(train, model_cache_pvc)
    place_on_gpu(train)

    evaluation = quantized_eval(
        base_model=base.outputs["base_model"],
        adapter=train.outputs["adapter"],
        eval_data=data.outputs["eval_data"],
        precisions=eval_precisions,
        full_precision_dtype=eval_full_precision_dtype,
        max_examples=eval_max_examples,
    )
    mount_model_cache(evaluation, model_cache_pvc)
    place_on_gpu(evaluation)

    return PipelineOutputs(
        adapter=train.outputs["adapter"],
        training_metrics=train.outputs["metrics"],
        dataset_metrics=data.outputs["metrics"],
        eval_metrics=evaluation.outputs["metrics"],
        eval_report=evaluation.outputs["report"],
    )


def compile_pipeline(path: str | Path = COMPILED_YAML) -> Path:
    compiler.Compiler().compile(pipeline_func=headwater_finetune_pipeline, package_path=str(path))
    return Path(path)


if __name__ == "__main__":
    print(f"wrote {compile_pipeline()}")
