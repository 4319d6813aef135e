from __future__ import annotations

import math

import pytest

from kfp_components.lib.config import EvalSettings
from kfp_components.lib.evaluation import (
    IGNORE_INDEX,
    EvalRow,
    build_eval_batches,
    evaluate_one,
    flat_metrics,
    markdown_report,
    run_quantized_eval,
)
from kfp_components.lib.sft_data import read_jsonl

FACTS = {"eval_examples": 3, "scored_tokens": 42, "device": "cpu",
         "memory_source": "cpu RSS delta (sampled)", "full_precision_dtype": "float32"}


def test_eval_batches_score_only_completion_and_eos(tiny_tokenizer):
    rows = [{"prompt": "### Response:\n", "completion": "A red kettle."},
            {"prompt": "### Response:\n", "completion": "A blue lamp with 3 pockets, model 104."}]
    (batch,) = build_eval_batches(tiny_tokenizer, rows, batch_size=8)
    prompt_len = len(tiny_tokenizer("### Response:\n")["input_ids"])
    short = tiny_tokenizer("A red kettle.", add_special_tokens=False)["input_ids"] + [tiny_tokenizer.eos_token_id]
    long_ = tiny_tokenizer(rows[1]["completion"], add_special_tokens=False)["input_ids"] + [tiny_tokenizer.eos_token_id]
    width = prompt_len + len(long_)
    assert list(batch.input_ids.shape) == [2, width]
    pad = width - prompt_len - len(short)
    assert batch.labels[0].tolist() == [IGNORE_INDEX] * prompt_len + short + [IGNORE_INDEX] * pad
    assert batch.labels[1].tolist() == [IGNORE_INDEX] * prompt_len + long_
    assert batch.attention_mask[0].tolist() == [1] * (prompt_len + len(short)) + [0] * pad
    assert batch.input_ids[0, -1].item() == tiny_tokenizer.pad_token_id


@pytest.fixture(scope="module")
def eval_results(tiny_model_dir, trained_adapter, sft_files):
    return run_quantized_eval(tiny_model_dir, trained_adapter["dir"], read_jsonl(sft_files["eval"]), EvalSettings())


def test_quantized_eval_runs_every_model_and_precision(eval_results, sft_files):
    rows, facts = eval_results
    assert [(r.model, r.precision) for r in rows] == [
        ("base", "full"), ("base", "int8"), ("base", "nf4"),
        ("adapted", "full"), ("adapted", "int8"), ("adapted", "nf4"),
    ]
    # bitsandbytes 0.50.2 runs LLM.int8 and NF4 on CPU too, so nothing is n/a here.
    assert [r.status for r in rows] == ["ok"] * 6
    assert all(math.isfinite(r.perplexity) and r.perplexity > 1 for r in rows)
    assert all(r.tokens_per_s > 0 and r.peak_memory_mb >= 0 for r in rows)
    by_key = {(r.model, r.precision): r for r in rows}
    for model in ("base", "adapted"):
        assert by_key[model, "nf4"].weights_mb < by_key[model, "int8"].weights_mb < by_key[model, "full"].weights_mb
    assert by_key["adapted", "full"].perplexity != by_key["base", "full"].perplexity
    assert facts["eval_examples"] == sft_files["counts"]["eval_examples"]


def test_report_and_metrics_from_a_real_eval(eval_results):
    rows, facts = eval_results
    report = markdown_report(rows, facts)
    assert "| precision | base perplexity | adapted perplexity | change |" in report
    for precision in ("full (float32)", "int8 (LLM.int8)", "nf4 (4-bit)"):
        assert sum(line.startswith(f"| {precision} |") for line in report.splitlines()) == 1
    metrics = flat_metrics(rows, facts)
    assert len(metrics) == 2 + 6 * 4
    assert metrics["adapted_nf4_perplexity"] == rows[5].perplexity


def test_a_precision_that_cannot_run_becomes_an_na_row(tiny_model_dir, tmp_path, sft_files, tiny_tokenizer):
    batches = build_eval_batches(tiny_tokenizer, read_jsonl(sft_files["eval"]), 8)
    row = evaluate_one(tiny_model_dir, str(tmp_path / "no-adapter-here"), "nf4", EvalSettings(), batches)
    assert (row.model, row.precision, row.perplexity, row.ok) == ("adapted", "nf4", None, False)
    assert row.status.startswith("n/a (") and row.status.endswith(")")


def test_markdown_report_exact_table_with_an_na_row():
    rows = [
        EvalRow("base", "full", "ok", 200.0, 1234.4, 10.0, 2.0),
        EvalRow("base", "int8", "n/a (RuntimeError: no int8 kernel)"),
        EvalRow("adapted", "full", "ok", 50.0, 1000.0, 12.5, 2.25),
        EvalRow("adapted", "int8", "ok", 51.0, 900.0, 11.0, 1.5),
    ]
    assert markdown_report(rows, FACTS) == "\n".join([
        "## Headwater eval: base vs QLoRA-adapted",
        "",
        "3 eval examples, 42 completion tokens scored on cpu. Perplexity is over completion tokens (lower is better).",
        "",
        "| precision | base perplexity | adapted perplexity | change |",
        "|---|---:|---:|---:|",
        "| full (float32) | 200.00 | 50.00 | -75.0% |",
        "| int8 (LLM.int8) | n/a (RuntimeError: no int8 kernel) | 51.00 | n/a |",
        "",
        "| model | precision | perplexity | tokens/s | peak memory (MB) | weights (MB) | status |",
        "|---|---|---:|---:|---:|---:|---|",
        "| base | full (float32) | 200.00 | 1,234 | 10.0 | 2.00 | ok |",
        "| base | int8 (LLM.int8) | n/a | n/a | n/a | n/a | n/a (RuntimeError: no int8 kernel) |",
        "| adapted | full (float32) | 50.00 | 1,000 | 12.5 | 2.25 | ok |",
        "| adapted | int8 (LLM.int8) | 51.00 | 900 | 11.0 | 1.50 | ok |",
        "",
        "Peak memory: cpu RSS delta (sampled), while loading and evaluating.",
        "",
    ])
    assert flat_metrics(rows, FACTS) == {
        "eval_examples": 3.0, "scored_tokens": 42.0,
        "base_full_perplexity": 200.0, "base_full_tokens_per_s": 1234.4,
        "base_full_peak_memory_mb": 10.0, "base_full_weights_mb": 2.0,
        "adapted_full_perplexity": 50.0, "adapted_full_tokens_per_s": 1000.0,
        "adapted_full_peak_memory_mb": 12.5, "adapted_full_weights_mb": 2.25,
        "adapted_int8_perplexity": 51.0, "adapted_int8_tokens_per_s": 900.0,
        "adapted_int8_peak_memory_mb": 11.0, "adapted_int8_weights_mb": 1.5,
    }
