"""Run the whole fine-tuning pipeline on this machine with kfp.local.

    .venv-kfp/bin/python -m kfp_components.run_local --examples chunks.jsonl --out runs/today [--epochs 2 ...]

Each component runs as a subprocess of this interpreter (SubprocessRunner,
use_venv=False), so the training venv must be the one running this module.
GPU settings in the pipeline are accepted and ignored locally.

Writes, under --out:
    pipeline_root/     every kfp artifact of the run
    adapter/           the LoRA adapter + tokenizer (copied from the run)
    eval_report.md     the Markdown comparison table (also printed)
    summary.json       what the Airflow side reads (schema in SUMMARY_SCHEMA_VERSION's docstring below)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import warnings
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kfp_components.lib.config import (
    COMPUTE_DTYPES,
    OPTIMIZERS,
    DatasetSettings,
    EvalSettings,
    LoraSettings,
    QuantizationSettings,
    TrainingSettings,
    help_text,
    parse_csv_list,
)
from kfp_components.lib.sft_data import read_chunk_records

REPO_ROOT = Path(__file__).resolve().parent.parent

SUMMARY_SCHEMA_VERSION = 1
"""summary.json, version 1:
{
  "schema_version": 1,
  "model_version": "headwater-qlora-<12 hex>",   # content hash of the adapter weights + config
  "adapter_path": "<abs>/adapter",                # load with PeftModel.from_pretrained(base, adapter_path)
  "eval_report_path": "<abs>/eval_report.md",
  "base_model": {"kind": "tiny-llama" | "external",
                 "model_path": str | null,           # absolute --base-model (null: tiny model built)
                 "resolved_path": str},              # the directory from_pretrained loaded
  "examples_path": str, "pipeline_root": str,
  "parameters": {pipeline parameter: value},
  "training": {"trainer", "device", "optimizer_requested", "optimizer_used", "optimizer_reason", "quantization"},
  "metrics": {"dataset": {name: number}, "training": {name: number}, "eval": {name: number}},
  "eval_rows": [{"model", "precision", "status", "perplexity", "tokens_per_s", "peak_memory_mb", "weights_mb"}],
  "started_at": ISO-8601 UTC, "finished_at": ISO-8601 UTC, "duration_s": float
}
"""

# CPU-friendly defaults for a laptop run; the pipeline's own defaults target a GPU.
LOCAL_DEFAULTS: dict[str, Any] = {
    "compute_dtype": "float32",
    "per_device_batch_size": 8,
    "gradient_accumulation_steps": 1,
    # The tiny local base is random: a higher LR and a few epochs show a clear before/after in ~1 min.
    "learning_rate": 2e-3,
    "epochs": 4.0,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kfp_components.run_local",
        description="Run the Headwater fine-tuning pipeline locally (kfp.local) and write DIR/summary.json.",
    )
    parser.add_argument("--examples", required=True, type=Path,
                        help='chunk JSONL, one {"id", "text", "source", "column"} object per line')
    parser.add_argument("--out", required=True, type=Path, help="output directory (created if missing)")
    parser.add_argument("--base-model", default="",
                        help="save_pretrained directory of a real base model; empty builds the tiny local model")
    data, lora, train = help_text(DatasetSettings), help_text(LoraSettings), help_text(TrainingSettings)
    parser.add_argument("--epochs", type=float, default=LOCAL_DEFAULTS["epochs"], help=train["epochs"])
    parser.add_argument("--max-steps", type=int, default=TrainingSettings.max_steps, help=train["max_steps"])
    parser.add_argument("--learning-rate", type=float, default=LOCAL_DEFAULTS["learning_rate"],
                        help=train["learning_rate"])
    parser.add_argument("--batch-size", type=int, default=LOCAL_DEFAULTS["per_device_batch_size"],
                        help=train["per_device_batch_size"])
    parser.add_argument("--grad-accum", type=int, default=LOCAL_DEFAULTS["gradient_accumulation_steps"],
                        help=train["gradient_accumulation_steps"])
    parser.add_argument("--lora-r", type=int, default=LoraSettings.r, help=lora["r"])
    parser.add_argument("--lora-alpha", type=int, default=LoraSettings.alpha, help=lora["alpha"])
    parser.add_argument("--lora-dropout", type=float, default=LoraSettings.dropout, help=lora["dropout"])
    parser.add_argument("--lora-target-modules", default=",".join(LoraSettings.target_modules),
                        help="comma-separated; " + lora["target_modules"])
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default=TrainingSettings.optimizer, help=train["optimizer"])
    parser.add_argument("--compute-dtype", choices=COMPUTE_DTYPES, default=LOCAL_DEFAULTS["compute_dtype"],
                        help=help_text(QuantizationSettings)["compute_dtype"] + " Also the eval's full precision.")
    parser.add_argument("--eval-fraction", type=float, default=DatasetSettings.eval_fraction,
                        help=data["eval_fraction"])
    parser.add_argument("--min-completion-tokens", type=int, default=DatasetSettings.min_completion_tokens,
                        help=data["min_completion_tokens"])
    parser.add_argument("--max-total-tokens", type=int, default=DatasetSettings.max_total_tokens,
                        help=data["max_total_tokens"])
    parser.add_argument("--precisions", default=",".join(EvalSettings.precisions),
                        help="comma-separated; " + help_text(EvalSettings)["precisions"])
    parser.add_argument("--eval-max-examples", type=int, default=EvalSettings.max_examples,
                        help=help_text(EvalSettings)["max_examples"])
    parser.add_argument("--seed", type=int, default=TrainingSettings.seed, help=train["seed"])
    parser.add_argument("--cpu-threads", type=int, default=1,
                        help="torch CPU threads per component (OMP_NUM_THREADS). 1 by default: the tiny model's "
                             "matmuls gain nothing from threads, and on a small shared machine OpenMP threads "
                             "thrash (30 training steps took 2-3 s with 1 thread, 15-55 s with 2, on 2 busy cores)")
    return parser


def pipeline_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """CLI -> pipeline parameters, validated through the config dataclasses first."""
    DatasetSettings(eval_fraction=args.eval_fraction, min_completion_tokens=args.min_completion_tokens,
                    max_total_tokens=args.max_total_tokens)
    LoraSettings(r=args.lora_r, alpha=args.lora_alpha, dropout=args.lora_dropout,
                 target_modules=parse_csv_list(args.lora_target_modules))
    TrainingSettings(epochs=args.epochs, max_steps=args.max_steps, learning_rate=args.learning_rate,
                     per_device_batch_size=args.batch_size, gradient_accumulation_steps=args.grad_accum,
                     optimizer=args.optimizer, seed=args.seed)
    QuantizationSettings(compute_dtype=args.compute_dtype)
    EvalSettings(precisions=parse_csv_list(args.precisions), full_precision_dtype=args.compute_dtype,
                 max_examples=args.eval_max_examples)
    return {
        "examples_uri": str(args.examples.resolve()),
        "base_model_path": str(Path(args.base_model).resolve()) if args.base_model else "",
        "eval_fraction": args.eval_fraction,
        "min_completion_tokens": args.min_completion_tokens,
        "max_total_tokens": args.max_total_tokens,
        "lora_r": args.lora_r,
        "lora_alpha": args.lora_alpha,
        "lora_dropout": args.lora_dropout,
        "lora_target_modules": args.lora_target_modules,
        "epochs": args.epochs,
        "max_steps": args.max_steps,
        "learning_rate": args.learning_rate,
        "per_device_batch_size": args.batch_size,
        "gradient_accumulation_steps": args.grad_accum,
        "optimizer": args.optimizer,
        "compute_dtype": args.compute_dtype,
        "eval_precisions": args.precisions,
        "eval_full_precision_dtype": args.compute_dtype,
        "eval_max_examples": args.eval_max_examples,
        "seed": args.seed,
    }


def prepare_subprocess_environment(cpu_threads: int) -> None:
    """Component subprocesses inherit os.environ: make ``kfp_components`` importable, stay offline,
    and cap CPU threads."""
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(cpu_threads)
    paths = [str(REPO_ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def run_pipeline(arguments: dict[str, Any], pipeline_root: Path, cpu_threads: int = 1) -> dict[str, Any]:
    """Run the pipeline with kfp.local; returns its outputs (artifacts with .path and .metadata)."""
    from kfp import local

    from kfp_components.pipeline import headwater_finetune_pipeline

    prepare_subprocess_environment(cpu_threads)
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(pipeline_root), raise_on_error=True)
    with warnings.catch_warnings():
        # The components name the GPU training image; locally they run in this interpreter on purpose.
        warnings.filterwarnings("ignore", message=".*non-Python base image.*", category=RuntimeWarning)
        task = headwater_finetune_pipeline(**arguments)
    return dict(task.outputs)


def _replace_path(source: Path, destination: Path) -> None:
    """Copy to a temporary sibling, then rename: a reader never sees half an adapter."""
    staging = destination.with_name(f".{destination.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    if source.is_dir():
        shutil.copytree(source, staging)
    else:
        shutil.copy2(source, staging)
    if destination.is_dir():
        shutil.rmtree(destination)
    os.replace(staging, destination)


def _numbers(artifact: Any) -> dict[str, float]:
    return {k: v for k, v in artifact.metadata.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def write_summary(outputs: dict[str, Any], arguments: dict[str, Any], out_dir: Path, pipeline_root: Path,
                  started: float) -> dict[str, Any]:
    adapter_dir, report_path = out_dir / "adapter", out_dir / "eval_report.md"
    _replace_path(Path(outputs["adapter"].path), adapter_dir)
    _replace_path(Path(outputs["eval_report"].path), report_path)
    adapter_meta, report_meta = outputs["adapter"].metadata, outputs["eval_report"].metadata
    base_model_dir = adapter_meta.get("base_model")
    summary = {
        "schema_version": SUMMARY_SCHEMA_VERSION,
        "model_version": adapter_meta["model_version"],
        "adapter_path": str(adapter_dir.resolve()),
        "eval_report_path": str(report_path.resolve()),
        "base_model": {
            "kind": "external" if arguments["base_model_path"] else "tiny-llama",
            "model_path": arguments["base_model_path"] or None,
            "resolved_path": base_model_dir,
        },
        "examples_path": arguments["examples_uri"],
        "pipeline_root": str(pipeline_root.resolve()),
        "parameters": arguments,
        "training": {k: adapter_meta.get(k) for k in (
            "trainer", "device", "optimizer_requested", "optimizer_used", "optimizer_reason", "quantization")},
        "metrics": {
            "dataset": _numbers(outputs["dataset_metrics"]),
            "training": _numbers(outputs["training_metrics"]),
            "eval": _numbers(outputs["eval_metrics"]),
        },
        "eval_rows": report_meta.get("rows", []),
        "started_at": datetime.fromtimestamp(started, timezone.utc).isoformat(),
        "finished_at": datetime.now(timezone.utc).isoformat(),
        "duration_s": round(time.time() - started, 1),
    }
    staging = out_dir / ".summary.json.tmp"
    staging.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(staging, out_dir / "summary.json")
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.examples.is_file():
        parser.error(f"--examples {args.examples}: no such file; export the chunk JSONL first")
    if args.cpu_threads < 1:
        parser.error(f"--cpu-threads {args.cpu_threads}: must be >= 1")
    try:
        arguments = pipeline_arguments(args)
        read_chunk_records(args.examples)  # a malformed export fails here, before any subprocess starts
    except ValueError as exc:
        parser.error(str(exc))
    started = time.time()
    out_dir = args.out.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    pipeline_root = out_dir / "pipeline_root"
    try:
        outputs = run_pipeline(arguments, pipeline_root, args.cpu_threads)
    except RuntimeError as exc:  # kfp.local raises when a task fails; the task's own log is printed above
        print(f"run_local: {str(exc).rstrip('.')}. The failing task's traceback is in the log above; its artifacts are under "
              f"{pipeline_root}. Nothing was written to {out_dir / 'summary.json'}.", file=sys.stderr)
        return 1
    summary = write_summary(outputs, arguments, out_dir, pipeline_root, started)
    print(Path(summary["eval_report_path"]).read_text(encoding="utf-8"))
    print(f"model version {summary['model_version']}; adapter {summary['adapter_path']}; "
          f"summary {out_dir / 'summary.json'} ({summary['duration_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
