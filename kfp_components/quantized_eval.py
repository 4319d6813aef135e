"""Component: base vs adapted perplexity, throughput and memory at full / int8 / nf4."""

from kfp import dsl
from kfp.dsl import Dataset, Input, Markdown, Metrics, Model, Output

from kfp_components import TRAIN_IMAGE


@dsl.component(base_image=TRAIN_IMAGE, install_kfp_package=False)
def quantized_eval(
    base_model: Input[Model],
    adapter: Input[Model],
    eval_data: Input[Dataset],
    metrics: Output[Metrics],
    report: Output[Markdown],
    precisions: str = "full,int8,nf4",
    full_precision_dtype: str = "float32",
    batch_size: int = 8,
    max_examples: int = 256,
):
    """Writes the Markdown comparison table (also printed) and flat numeric metrics;
    the report artifact's metadata carries the rows as JSON, n/a reasons included."""
    from kfp_components.lib.base_model import resolve_model_dir
    from kfp_components.lib.config import EvalSettings, parse_csv_list
    from kfp_components.lib.evaluation import flat_metrics, markdown_report, run_quantized_eval
    from kfp_components.lib.sft_data import read_jsonl

    settings = EvalSettings(
        precisions=parse_csv_list(precisions),
        full_precision_dtype=full_precision_dtype,
        batch_size=batch_size,
        max_examples=max_examples,
    )
    rows, facts = run_quantized_eval(resolve_model_dir(base_model.path), adapter.path, read_jsonl(eval_data.path), settings)
    for name, value in flat_metrics(rows, facts).items():
        metrics.log_metric(name, value)
    table = markdown_report(rows, facts)
    with open(report.path, "w", encoding="utf-8") as handle:
        handle.write(table)
    report.metadata.update({"rows": [row.as_dict() for row in rows], **facts})
    print(table)
