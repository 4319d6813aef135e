"""The whole pipeline through kfp.local, as the Airflow side runs it (about a minute on 2 cores)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kfp_test_data import chunk_records, write_records

from kfp_components.lib.training import adapter_fingerprint

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    # Started from an unrelated cwd with no PYTHONPATH: the component subprocesses can only
    # import kfp_components because run_local sets PYTHONPATH for them.
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from kfp_components.run_local import main; "
            "sys.exit(main(sys.argv[2:]))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-c", code, str(REPO_ROOT), *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_run_local_end_to_end(tmp_path):
    examples = write_records(tmp_path / "chunks.jsonl", chunk_records(60))
    out = tmp_path / "run"
    result = run_cli(["--examples", str(examples), "--out", str(out), "--epochs", "1", "--eval-fraction", "0.2",
                      "--lora-r", "4", "--lora-alpha", "8"], cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]

    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) == {
        "schema_version", "model_version", "adapter_path", "eval_report_path", "base_model", "examples_path",
        "pipeline_root", "parameters", "training", "metrics", "eval_rows", "started_at", "finished_at", "duration_s",
    }
    assert summary["schema_version"] == 1
    assert summary["adapter_path"] == str(out / "adapter")
    assert summary["model_version"] == f"headwater-qlora-{adapter_fingerprint(out / 'adapter')}"
    assert summary["base_model"]["kind"] == "tiny-llama" and summary["base_model"]["model_path"] is None
    assert (Path(summary["base_model"]["resolved_path"]) / "config.json").is_file()
    assert summary["examples_path"] == str(examples)
    assert summary["parameters"]["lora_r"] == 4 and summary["parameters"]["compute_dtype"] == "float32"

    dataset, training, evaluation = (summary["metrics"][k] for k in ("dataset", "training", "eval"))
    assert dataset["input_records"] == 60
    assert dataset["train_examples"] + dataset["eval_examples"] == 60  # distinct texts, all within length limits
    assert training["train_examples"] == dataset["train_examples"]
    assert training["global_steps"] == -(-dataset["train_examples"] // 8)  # one epoch, batch 8
    assert evaluation["eval_examples"] == dataset["eval_examples"]
    assert summary["training"]["quantization"] == "4-bit nf4, double-quant, compute float32"

    assert [(r["model"], r["precision"], r["status"]) for r in summary["eval_rows"]] == [
        (m, p, "ok") for m in ("base", "adapted") for p in ("full", "int8", "nf4")]
    for row in summary["eval_rows"]:
        assert evaluation[f"{row['model']}_{row['precision']}_perplexity"] == row["perplexity"]

    report = (out / "eval_report.md").read_text()
    assert report in result.stdout  # the table is printed too
    assert "| nf4 (4-bit) |" in report
    assert (out / "adapter" / "adapter_model.safetensors").is_file()


def test_run_local_rejects_bad_parameters_before_running(tmp_path):
    examples = write_records(tmp_path / "chunks.jsonl", chunk_records(3))
    result = run_cli(["--examples", str(examples), "--out", str(tmp_path / "o"), "--lora-dropout", "1.5"], tmp_path)
    assert result.returncode == 2
    assert "LoraSettings.dropout=1.5: must be >= 0 and < 1" in result.stderr
    assert not (tmp_path / "o").exists()

    missing = run_cli(["--examples", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o")], tmp_path)
    assert missing.returncode == 2
    assert "nope.jsonl: no such file" in missing.stderr


def test_run_local_rejects_a_malformed_export_before_running(tmp_path):
    examples = tmp_path / "chunks.jsonl"
    examples.write_text('{"id": "a", "text": "t"}\n')
    result = run_cli(["--examples", str(examples), "--out", str(tmp_path / "o")], tmp_path)
    assert result.returncode == 2
    assert "chunks.jsonl line 1: field(s) source, column missing or not a string" in result.stderr


def test_a_failing_task_fails_the_run_without_a_summary(tmp_path):
    # One record: the eval split is empty, so prepare_dataset refuses inside the pipeline.
    examples = write_records(tmp_path / "chunks.jsonl", chunk_records(1))
    result = run_cli(["--examples", str(examples), "--out", str(tmp_path / "o"), "--eval-fraction", "0.01"], tmp_path)
    assert result.returncode == 1
    assert "the eval split is empty" in result.stdout
    assert "Inner task failed:" in result.stderr and "prepare-dataset" in result.stderr
    assert not (tmp_path / "o" / "summary.json").exists()
