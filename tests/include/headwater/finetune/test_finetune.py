"""The fine-tuning stage without Airflow: export, new-example counts, decision, registry, local runner."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from headwater.config.finetune import ExportOptions
from headwater.config.settings import Settings
from headwater.finetune.export import export_examples, read_example_ids
from headwater.finetune.local_runner import LocalRunError, local_command, pipeline_arguments, run_local
from headwater.finetune.registry import ModelRegistry, NewExamples, count_new_examples, should_finetune
from headwater.finetune.report import format_eval_table
from headwater.ids import stable_id

TICKETS, CUSTOMERS = "2026-11-20/SUPPORT_TICKETS.csv", "2026-11-20/customers.csv"


def field_id(source: str, row_id: str, column: str) -> str:
    return stable_id("finetune-field", source, row_id, column)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    chunks = root / "chunks" / "date=2026-11-20"
    curated = root / "curated" / "date=2026-11-20"
    chunks.mkdir(parents=True)
    curated.mkdir(parents=True)
    pq.write_table(pa.table({
        "id": ["c1", "c2"], "source_file": [TICKETS, TICKETS], "row_id": ["r1", "r2"], "line": [2, 3],
        "column": ["body", "body"], "chunk_index": [0, 0], "char_start": [0, 0], "char_end": [28, 2],
        "text": ["The tent leaked at the seam.", "  "],
    }), chunks / "SUPPORT_TICKETS.csv.parquet")
    pq.write_table(pa.table({
        "_row_id": ["r1", "r2"], "_source": [TICKETS, TICKETS], "_line": [2, 3],
        "ticket_id": ["T-1", "T-2"], "subject": ["Leaking tent seam", None],
        "body": ["The tent leaked at the seam.", "  "],
        "amount": [12.5, float("nan")], "amount__imputed": [False, True], "amount__raw": [None, "unknown"],
    }), curated / "SUPPORT_TICKETS.csv.parquet")
    pq.write_table(pa.table({
        "_row_id": ["k1"], "_source": [CUSTOMERS], "_line": [2],
        "full_name": ["Grace Brewster Hopper"], "signup_date": pa.array([dt.date(2024, 1, 15)], pa.date32()),
    }), curated / "customers.csv.parquet")
    return root


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_export_all_fields(data_dir: Path) -> None:
    result = export_examples(data_dir)
    expected = sorted([
        {"id": "c1", "text": "The tent leaked at the seam.", "source": "SUPPORT_TICKETS.csv", "column": "body"},
        {"id": field_id(TICKETS, "r1", "ticket_id"), "text": "T-1", "source": "SUPPORT_TICKETS.csv", "column": "ticket_id"},
        {"id": field_id(TICKETS, "r2", "ticket_id"), "text": "T-2", "source": "SUPPORT_TICKETS.csv", "column": "ticket_id"},
        {"id": field_id(TICKETS, "r1", "subject"), "text": "Leaking tent seam", "source": "SUPPORT_TICKETS.csv", "column": "subject"},
        {"id": field_id(TICKETS, "r1", "amount"), "text": "12.5", "source": "SUPPORT_TICKETS.csv", "column": "amount"},
        {"id": field_id(CUSTOMERS, "k1", "full_name"), "text": "Grace Brewster Hopper", "source": "customers.csv", "column": "full_name"},
        {"id": field_id(CUSTOMERS, "k1", "signup_date"), "text": "2024-01-15", "source": "customers.csv", "column": "signup_date"},
    ], key=lambda r: r["id"])
    assert lines(result.path) == expected
    assert (result.count, result.chunks, result.fields) == (7, 1, 6)
    assert result.path == data_dir / "finetune" / "examples" / f"examples-{result.sha256[:12]}.jsonl"


def test_export_text_fields_and_chunks_only(data_dir: Path) -> None:
    text = export_examples(data_dir, ExportOptions(fields="text", min_words=3))
    assert [r["text"] for r in lines(text.path)] == sorted(
        ["The tent leaked at the seam.", "Leaking tent seam", "Grace Brewster Hopper"],
        key=lambda t: {"The tent leaked at the seam.": "c1", "Leaking tent seam": field_id(TICKETS, "r1", "subject"),
                       "Grace Brewster Hopper": field_id(CUSTOMERS, "k1", "full_name")}[t])
    none = export_examples(data_dir, ExportOptions(fields="none"))
    assert [r["id"] for r in lines(none.path)] == ["c1"]


def test_a_file_with_row_documents_exports_them_instead_of_loose_fields(data_dir: Path) -> None:
    document = "Full name: Grace Brewster Hopper\nSignup date: 15 January 2024"
    pq.write_table(pa.table({
        "id": ["d1"], "source_file": [CUSTOMERS], "row_id": ["k1"], "line": [2], "column": ["_row"], "chunk_index": [0],
        "char_start": [0], "char_end": [len(document)], "text": [document], "strategy": ["row"],
    }), data_dir / "chunks" / "date=2026-11-20" / "customers.csv.parquet")
    result = export_examples(data_dir)
    customers = [r for r in lines(result.path) if r["source"] == "customers.csv"]
    assert customers == [{"id": "d1", "text": document, "source": "customers.csv", "column": "_row"}]
    assert (result.count, result.chunks, result.fields) == (6, 2, 4)  # the tickets' chunk and 4 fields, unchanged


def test_export_is_content_addressed_and_rerun_safe(data_dir: Path) -> None:
    first, second = export_examples(data_dir), export_examples(data_dir)
    assert first == second
    assert sorted(p.name for p in (data_dir / "finetune" / "examples").iterdir()) == [first.path.name]


def test_export_of_nothing_says_run_ingest_first(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="run headwater_ingest first"):
        export_examples(tmp_path)


def test_export_options_are_validated() -> None:
    with pytest.raises(ValueError, match=r"fields: 'some' is not one of all, text, none"):
        ExportOptions(fields="some")


def test_registry_and_new_example_counts(data_dir: Path) -> None:
    registry = ModelRegistry(data_dir)
    export = export_examples(data_dir, ExportOptions(fields="none"))
    assert count_new_examples(export.path, registry) == NewExamples(total=1, new=1, last_model_version=None)

    summary = {"model_version": "headwater-qlora-aaaa", "adapter_path": "/runs/1/adapter", "eval_report_path": "/runs/1/r.md",
               "eval_rows": [{"model": "base", "precision": "nf4", "status": "ok", "perplexity": 9.0}],
               "metrics": {"dataset": {"train_examples": 1.0}}, "parameters": {"lora_r": 16}, "duration_s": 3.0}
    record = registry.record(summary, export, extra={"airflow_run_id": "manual__1"})
    assert record["mode"] == "local" and record["airflow_run_id"] == "manual__1"
    assert record["examples"] == {"path": str(export.path), "count": 1, "sha256": export.sha256}
    assert registry.latest() == record
    assert registry.example_ids("headwater-qlora-aaaa") == {"c1"}
    assert count_new_examples(export.path, registry) == NewExamples(total=1, new=0, last_model_version="headwater-qlora-aaaa")

    grown = export_examples(data_dir, ExportOptions(fields="text"))
    assert count_new_examples(grown.path, registry) == NewExamples(total=3, new=2, last_model_version="headwater-qlora-aaaa")


def test_registry_records_a_kfp_run_without_model_version(data_dir: Path) -> None:
    export = export_examples(data_dir, ExportOptions(fields="none"))
    result = {"mode": "kfp", "kfp": {"run_id": "abc-123", "run_url": "https://kfp/#/runs/details/abc-123", "state": "SUCCEEDED"}}
    record = ModelRegistry(data_dir).record(result, export.to_dict())
    assert (record["model_version"], record["mode"], record["eval_rows"]) == ("kfp-run-abc-123", "kfp", [])
    assert format_eval_table(record) == (
        "Fine-tune kfp-run-abc-123\n(no eval rows recorded; see the eval_report artifact of https://kfp/#/runs/details/abc-123)")


@pytest.mark.parametrize(
    ("counts", "min_new", "force", "expected"),
    [
        (NewExamples(100, 100, None), 50, False, (True, "100 new of 100 examples (no model yet); min_new_examples=50")),
        (NewExamples(100, 10, "m1"), 50, False, (False, "10 new of 100 examples since m1; min_new_examples=50 — "
                                                        "fine-tune skipped (trigger with force=true to run anyway)")),
        (NewExamples(100, 0, "m1"), 0, False, (False, "0 new of 100 examples since m1; min_new_examples=0 — "
                                                      "fine-tune skipped (trigger with force=true to run anyway)")),
        (NewExamples(100, 0, "m1"), 50, True, (True, "0 new of 100 examples since m1; min_new_examples=50; force=true")),
    ],
)
def test_should_finetune(counts: NewExamples, min_new: int, force: bool, expected: tuple[bool, str]) -> None:
    assert should_finetune(counts, min_new, force) == expected


def test_pipeline_arguments_and_local_command(tmp_path: Path) -> None:
    args = pipeline_arguments(tmp_path / "e.jsonl", base_model=" ", lora_r=8, lora_alpha=16, epochs=2)
    assert args == {"examples_uri": str(tmp_path / "e.jsonl"), "base_model_path": "", "lora_r": 8, "lora_alpha": 16,
                    "epochs": 2.0}
    assert local_command({**args, "epochs": None, "model_cache_pvc": "pvc"}, tmp_path / "out", Path("/venv/bin/python")) == [
        "/venv/bin/python", "-m", "kfp_components.run_local", "--out", str(tmp_path / "out"),
        "--examples", str(tmp_path / "e.jsonl"), "--lora-r", "8", "--lora-alpha", "16",
    ]
    with pytest.raises(ValueError, match=r"\['lora_rank'\] are unknown to run_local"):
        local_command({**args, "lora_rank": 4}, tmp_path, Path("python"))
    with pytest.raises(ValueError, match="epochs=0: must be > 0"):
        pipeline_arguments("e.jsonl", epochs=0)


def _training_env(tmp_path: Path, script: str) -> Path:
    """A stand-in for .venv-kfp/bin/python: exercises the runner's process handling, not training."""
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\n" + script)
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    return python


def test_run_local_reports_run_locals_own_error(tmp_path: Path) -> None:
    python = _training_env(tmp_path, "echo 'Executing task qlora-finetune'\n"
                                     "echo 'run_local: Task qlora-finetune finished with status FAILURE. The failing task...' >&2\n"
                                     "exit 1\n")
    logged: list[str] = []
    with pytest.raises(LocalRunError) as failure:
        run_local({"examples_uri": "e.jsonl"}, tmp_path / "out", python=python, project=tmp_path, log=logged.append)
    assert str(failure.value) == ("local fine-tune failed (run_local exit 1):\n"
                                  "run_local: Task qlora-finetune finished with status FAILURE. The failing task...")
    assert logged[0].startswith(f"$ {python} -m kfp_components.run_local --out {tmp_path / 'out'} --examples e.jsonl")


def test_run_local_kills_a_run_past_its_timeout(tmp_path: Path) -> None:
    python = _training_env(tmp_path, "echo started\nsleep 30\n")
    with pytest.raises(LocalRunError, match=r"timed out after 0.5 s and was killed"):
        run_local({"examples_uri": "e.jsonl"}, tmp_path / "out", python=python, project=tmp_path, timeout_s=0.5,
                  log=lambda line: None)


def test_run_local_reads_the_fresh_summary_only(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"model_version": "stale"}')
    python = _training_env(tmp_path, "exit 0\n")
    with pytest.raises(LocalRunError, match="exited 0 but wrote no"):
        run_local({"examples_uri": "e.jsonl"}, out, python=python, project=tmp_path, log=lambda line: None)


def test_format_eval_table() -> None:
    rows = [
        {"model": m, "precision": p, "status": "ok", "perplexity": ppl, "tokens_per_s": 1000.0, "weights_mb": 1.5}
        for m, p, ppl in [("base", "full", 200.0), ("adapted", "full", 50.0), ("base", "nf4", 210.0), ("adapted", "nf4", 52.5)]
    ] + [{"model": "base", "precision": "int8", "status": "n/a (no CUDA)"}, {"model": "adapted", "precision": "int8", "status": "n/a (no CUDA)"}]
    table = format_eval_table({"model_version": "m1", "eval_rows": rows,
                               "metrics": {"dataset": {"train_examples": 90.0, "eval_examples": 10.0}}})
    assert table.splitlines() == [
        "Fine-tune m1",
        "precision    base ppl  adapted ppl   change  tok/s adapted  weights MB",
        "----------------------------------------------------------------------",
        "full           200.00        50.00   -75.0%          1,000        1.50",
        "nf4            210.00        52.50   -75.0%          1,000        1.50",
        "int8       n/a (no CUDA) n/a (no CUDA)        -              -           -",
        "train examples 90, eval examples 10",
    ]


def test_read_example_ids(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text('{"id": "b", "text": "x", "source": "s", "column": "c"}\n\n{"id": "a", "text": "y", "source": "s", "column": "c"}\n')
    assert read_example_ids(path) == ["b", "a"]


def test_settings_from_env(tmp_path: Path) -> None:
    settings = Settings.from_env({"HEADWATER_PROJECT_DIR": str(tmp_path)})
    assert settings.kfp_pipeline == tmp_path / "kfp_components" / "headwater_finetune_pipeline.yaml"
    assert settings.kfp_python == tmp_path / ".venv-kfp" / "bin" / "python"
    custom = Settings.from_env({"HEADWATER_PROJECT_DIR": str(tmp_path), "HEADWATER_KFP_PYTHON": "/opt/train/bin/python"})
    assert custom.kfp_python == Path("/opt/train/bin/python")


def test_an_example_names_its_landing_file_without_the_date() -> None:
    from headwater.finetune.examples import source_name

    assert source_name("2026-11-20/SUPPORT_TICKETS.csv") == "SUPPORT_TICKETS.csv"
    assert source_name("2026-11-20/orders.zip/data/a.csv") == "orders.zip/data/a.csv"  # not "a.csv": another archive may hold one
    assert source_name("2026-11-20/q3 sales.csv") == "q3 sales.csv"
