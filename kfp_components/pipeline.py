"""The Headwater fine-tuning pipeline.

    examples (chunk JSONL) -> build_or_load_base_model -> prepare_dataset
        -> qlora_finetune (GPU) -> quantized_eval (GPU)

Compile (the YAML is checked in; a test fails when it is stale):

    .venv-kfp/bin/python -m kfp_components.pipeline

GPU steps request GPUs, tolerate the GPU node taint, select GPU nodes, mount
the model-cache PVC, get a memory-backed /dev/shm and are retried with backoff
(preemptible nodes), all from the values in ``gpu_placement.yaml``
(``HEADWATER_GPU_PLACEMENT`` names another file). The kfp.local runner accepts
and ignores all of that, so the same pipeline runs on a laptop. The image name
is ``kfp_components.TRAIN_IMAGE`` (``HEADWATER_TRAIN_IMAGE`` at compile time).
"""

# No `from __future__ import annotations` here: kfp reads the pipeline signature's real types.
import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import yaml

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


PLACEMENT_FILE = Path(__file__).with_name("gpu_placement.yaml")


@dataclass(frozen=True)
class GpuPlacement:
    """The GPU steps' resources, placement and retries: the values of ``gpu_placement.yaml``."""

    resource: str
    gpus_per_task: int
    node_selector: dict[str, str]
    tolerations: tuple[dict[str, str], ...]
    memory_limit: str
    shm_size: str
    retries: int
    retry_backoff: str
    retry_max_duration: str
    model_cache_mount: str

    @classmethod
    def load(cls, path: str | Path | None = None) -> "GpuPlacement":
        """Read ``path`` (default: $HEADWATER_GPU_PLACEMENT, else kfp_components/gpu_placement.yaml).

        Raises ValueError naming the file when a key is missing or unknown.
        """
        path = Path(path or os.environ.get("HEADWATER_GPU_PLACEMENT") or PLACEMENT_FILE)
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        keys = {"resource": "resource", "gpusPerTask": "gpus_per_task", "nodeSelector": "node_selector",
                "tolerations": "tolerations", "memoryLimit": "memory_limit", "shmSize": "shm_size",
                "retries": "retries", "retryBackoff": "retry_backoff", "retryMaxDuration": "retry_max_duration",
                "modelCacheMount": "model_cache_mount"}
        if set(data) != set(keys):
            raise ValueError(f"{path}: keys must be {sorted(keys)}; missing {sorted(set(keys) - set(data))}, unknown {sorted(set(data) - set(keys))}")
        fields = {keys[k]: v for k, v in data.items()}
        fields["node_selector"] = {str(k): str(v) for k, v in fields["node_selector"].items()}
        fields["tolerations"] = tuple(dict(t) for t in fields["tolerations"])
        return cls(**fields)


GPU_PLACEMENT = GpuPlacement.load()


def mount_model_cache(task: dsl.PipelineTask, pvc_name: str) -> None:
    """Every step that reads the base model sees the cache PVC at the same path."""
    kubernetes.mount_pvc(task, pvc_name=pvc_name, mount_path=GPU_PLACEMENT.model_cache_mount)


def place_on_gpu(task: dsl.PipelineTask) -> None:
    """GPU request and limit, the GPU pool's node selector and tolerations, /dev/shm, and retries:
    a preempted spot node fails the step, and KFP retries it (``set_retry``) instead of failing the run."""
    placement = GPU_PLACEMENT
    task.set_accelerator_type(placement.resource)
    task.set_accelerator_limit(placement.gpus_per_task)
    task.set_memory_limit(placement.memory_limit)
    for toleration in placement.tolerations:
        kubernetes.add_toleration(task, key=toleration.get("key"), operator=toleration.get("operator", "Equal"),
                                  value=toleration.get("value"), effect=toleration.get("effect"))
    for label, value in placement.node_selector.items():
        kubernetes.add_node_selector(task, label_key=label, label_value=value)
    kubernetes.empty_dir_mount(
        task, volume_name="dshm", mount_path="/dev/shm", medium="Memory", size_limit=placement.shm_size
    )
    task.set_retry(num_retries=placement.retries, backoff_duration=placement.retry_backoff, backoff_factor=2.0,
                   backoff_max_duration=placement.retry_max_duration)


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
