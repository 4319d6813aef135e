"""Component: chunk JSONL -> deduplicated, length-filtered instruction train/eval splits."""

from kfp import dsl
from kfp.dsl import Dataset, Input, Metrics, Model, Output

from kfp_components import TRAIN_IMAGE


@dsl.component(base_image=TRAIN_IMAGE, install_kfp_package=False)
def prepare_dataset(
    examples: Input[Dataset],
    base_model: Input[Model],
    train_data: Output[Dataset],
    eval_data: Output[Dataset],
    rejected: Output[Dataset],
    metrics: Output[Metrics],
    eval_fraction: float = 0.1,
    min_completion_tokens: int = 4,
    max_total_tokens: int = 256,
    split_salt: str = "headwater-sft-v1",
):
    """Input lines: {"id", "text", "source", "column"}. Outputs prompt/completion JSONL
    (format in kfp_components/lib/sft_data.py), rejected records with reasons, and counts."""
    from kfp_components.lib.base_model import resolve_model_dir
    from kfp_components.lib.config import DatasetSettings
    from kfp_components.lib.sft_data import prepare_sft_files

    settings = DatasetSettings(
        eval_fraction=eval_fraction,
        min_completion_tokens=min_completion_tokens,
        max_total_tokens=max_total_tokens,
        split_salt=split_salt,
    )
    counts = prepare_sft_files(
        examples.path, resolve_model_dir(base_model.path), settings, train_data.path, eval_data.path, rejected.path
    )
    for name, value in counts.items():
        metrics.log_metric(name, float(value))
    train_data.metadata.update({"examples": counts["train_examples"], "format": "prompt/completion jsonl"})
    eval_data.metadata.update({"examples": counts["eval_examples"], "format": "prompt/completion jsonl"})
    print(f"dataset counts: {counts}")
