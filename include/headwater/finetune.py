"""The fine-tuning stage, without Airflow: export, decide, run locally, record.

* ``export_examples`` turns the curated data under ``<data_dir>`` into the chunk JSONL the
  Kubeflow pipeline reads (``{"id", "text", "source", "column"}`` per line): every chunk of
  ``chunks/date=*/*.parquet``, plus (``fields``) the curated values of the columns that were not
  chunked, so short structured fields (names, subjects, dates) teach the model too.
* ``count_new_examples`` compares an export with the examples of the last fine-tune;
  ``should_finetune`` decides (scoring and deciding are separate).
* ``run_local`` runs ``kfp_components.run_local`` (kfp.local) in the training environment
  (``.venv-kfp``) as a subprocess and returns its ``summary.json``. The Airflow environment
  never imports kfp: the two cannot share one environment (kubernetes client pins).
* ``ModelRegistry`` keeps one record per model version under ``<data_dir>/models/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from headwater.ids import stable_id
from headwater.layout import file_key
from headwater.localenv import project_dir
from headwater.storage import read_json, write_bytes, write_json

FIELDS_CHOICES = ("all", "text", "none")
PIPELINE_YAML = Path("kfp_components") / "headwater_finetune_pipeline.yaml"

# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class ExportOptions:
    """What goes into the fine-tuning export besides the chunks."""

    fields: str = field(
        default="all",
        metadata={
            "help": "Curated values of columns that were not chunked: 'all' (every non-empty value), "
            "'text' (string values of at least min_words words) or 'none' (chunks only)."
        },
    )
    min_words: int = field(default=3, metadata={"help": "With fields='text': the fewest words a value needs."})

    def __post_init__(self) -> None:
        if self.fields not in FIELDS_CHOICES:
            raise ValueError(f"ExportOptions.fields={self.fields!r}: must be one of {', '.join(FIELDS_CHOICES)}")
        if self.min_words < 1:
            raise ValueError(f"ExportOptions.min_words={self.min_words}: must be >= 1")


@dataclass(frozen=True)
class FinetuneSettings:
    """Where the fine-tuning stage finds the compiled pipeline and the training environment."""

    pipeline_package: Path = field(
        metadata={"env": "HEADWATER_KFP_PIPELINE", "help": "Compiled pipeline YAML submitted to KFP."}
    )
    kfp_python: Path = field(
        metadata={"env": "HEADWATER_KFP_PYTHON", "help": "Python of the training environment (.venv-kfp) for local runs."}
    )
    project: Path = field(metadata={"env": "HEADWATER_PROJECT_DIR", "help": "Repository root (holds kfp_components/)."})

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> FinetuneSettings:
        env = os.environ if environ is None else environ
        project = Path(env["HEADWATER_PROJECT_DIR"]).resolve() if env.get("HEADWATER_PROJECT_DIR") else project_dir()
        return cls(
            pipeline_package=Path(env.get("HEADWATER_KFP_PIPELINE") or project / PIPELINE_YAML),
            kfp_python=Path(env.get("HEADWATER_KFP_PYTHON") or project / ".venv-kfp" / "bin" / "python"),
            project=project,
        )


# --------------------------------------------------------------------------- export


@dataclass(frozen=True)
class Example:
    """One line of the export: what ``kfp_components.lib.sft_data.read_chunk_records`` reads."""

    id: str
    text: str
    source: str  # landing file name, e.g. SUPPORT_TICKETS.csv (the prompt says "a {source} record")
    column: str

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "text": self.text, "source": self.source, "column": self.column},
                          ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    count: int
    chunks: int
    fields: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "path": str(self.path)}


def _source_name(source_file: str) -> str:
    """``2026-11-20/SUPPORT_TICKETS.csv`` -> ``SUPPORT_TICKETS.csv``: the date says nothing about the text."""
    return source_file.rsplit("/", 1)[-1]


def _tables(data_dir: Path, area: str, columns: list[str] | None = None) -> Iterator[tuple[Path, Any]]:
    """Each ``<area>/date=*/*.parquet`` table, with ``columns`` only (those present; callers check what is missing)."""
    import pyarrow.parquet as pq

    for path in sorted((data_dir / area).glob("date=*/*.parquet")):
        file = pq.ParquetFile(path)
        names = file.schema_arrow.names
        yield path, file.read(columns=None if columns is None else [c for c in columns if c in names])


def _is_data_column(name: str) -> bool:
    # _row_id/_source/_line are bookkeeping; __raw keeps values that failed coercion, __imputed is a flag
    return not name.startswith("_") and not name.endswith(("__raw", "__imputed"))


def chunk_examples(data_dir: Path) -> tuple[list[Example], set[tuple[str, str]]]:
    """Every chunk, and the (source file, column) pairs that were chunked."""
    examples, chunked = [], set()
    wanted = ["id", "source_file", "column", "text"]
    for path, table in _tables(data_dir, "chunks", wanted):
        missing = set(wanted) - set(table.column_names)
        if missing:
            raise ValueError(f"{path}: chunk table lacks {sorted(missing)} — re-run the chunk stage for that date")
        for row in table.to_pylist():
            chunked.add((row["source_file"], row["column"]))
            if row["text"] and row["text"].strip():
                examples.append(Example(row["id"], row["text"], _source_name(row["source_file"]), row["column"]))
    return examples, chunked


def _value_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):  # NA / NaN
        return None
    text = str(value).strip()
    return text or None


def field_examples(data_dir: Path, options: ExportOptions, chunked: set[tuple[str, str]]) -> list[Example]:
    """Curated values of the columns that were not chunked (a chunked column is exported as its chunks)."""
    if options.fields == "none":
        return []
    import pyarrow as pa

    examples = []
    for path, table in _tables(data_dir, "curated"):
        if not {"_source", "_row_id"} <= set(table.column_names):
            raise ValueError(f"{path}: curated table lacks _source/_row_id — re-run the clean stage for that date")
        sources, row_ids = table.column("_source").to_pylist(), table.column("_row_id").to_pylist()
        for name in filter(_is_data_column, table.column_names):
            column = table.column(name)
            if options.fields == "text" and not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
                continue
            for source, row_id, value in zip(sources, row_ids, column.to_pylist()):
                text = _value_text(value)
                if text is None or (source, name) in chunked:
                    continue
                if options.fields == "text" and len(text.split()) < options.min_words:
                    continue
                examples.append(Example(stable_id("finetune-field", source, row_id, name), text, _source_name(source), name))
    return examples


def collect_examples(data_dir: Path, options: ExportOptions = ExportOptions()) -> tuple[list[Example], int, int]:
    """All examples, sorted by id (so the export's bytes depend on the data only); plus the two counts."""
    chunks, chunked = chunk_examples(data_dir)
    fields = field_examples(data_dir, options, chunked)
    unique = {e.id: e for e in [*chunks, *fields]}
    return [unique[k] for k in sorted(unique)], len(chunks), len(fields)


def export_examples(data_dir: Path, options: ExportOptions = ExportOptions()) -> ExportResult:
    """Write ``<data_dir>/finetune/examples/examples-<sha12>.jsonl`` (content-addressed: a rerun rewrites nothing)."""
    examples, n_chunks, n_fields = collect_examples(Path(data_dir), options)
    if not examples:
        raise ValueError(
            f"no curated data under {data_dir} (chunks/ and curated/ are empty): run headwater_ingest first"
        )
    payload = "".join(e.to_json() + "\n" for e in examples).encode("utf-8")
    digest = hashlib.sha256(payload).hexdigest()
    path = Path(data_dir) / "finetune" / "examples" / f"examples-{digest[:12]}.jsonl"
    if not path.exists():
        write_bytes(path, payload)
    return ExportResult(path=path, count=len(examples), chunks=n_chunks, fields=n_fields, sha256=digest)


def read_example_ids(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line)["id"] for line in fh if line.strip()]


# --------------------------------------------------------------------------- registry


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ModelRegistry:
    """One record per fine-tuned model version, plus the ids of the examples it was trained on.

    ``<data_dir>/models/<model_version>/record.json``, ``.../example_ids.txt``, and
    ``<data_dir>/models/latest.json`` (the last record, which new-example counts compare against).
    """

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "models"

    def latest(self) -> dict[str, Any] | None:
        return read_json(self.root / "latest.json")

    def records(self) -> list[dict[str, Any]]:
        """Every record, oldest first."""
        found = [read_json(p) for p in self.root.glob("*/record.json")]
        return sorted((r for r in found if r), key=lambda r: r["recorded_at"])

    def example_ids(self, model_version: str) -> set[str]:
        path = self.root / model_version / "example_ids.txt"
        return set(path.read_text(encoding="utf-8").split()) if path.exists() else set()

    def record(self, result: dict[str, Any], examples: ExportResult | dict[str, Any],
               extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """Record a finished fine-tune: ``result`` is run_local's summary or the KFP operator's result."""
        examples = examples.to_dict() if isinstance(examples, ExportResult) else dict(examples)
        kfp = result.get("kfp")
        version = result.get("model_version") or (f"kfp-run-{kfp['run_id']}" if kfp else None)
        if not version or not re.fullmatch(r"[A-Za-z0-9._-]+", version):
            raise ValueError(f"fine-tune result has no usable model_version ({version!r}); keys: {sorted(result)}")
        record = {
            "model_version": version,
            "recorded_at": _now(),
            "mode": "kfp" if kfp else "local",
            "examples": {k: examples[k] for k in ("path", "count", "sha256") if k in examples},
            "adapter_path": result.get("adapter_path"),
            "eval_report_path": result.get("eval_report_path"),
            "eval_rows": result.get("eval_rows", []),
            "metrics": result.get("metrics", {}),
            "parameters": result.get("parameters", {}),
            "base_model": result.get("base_model"),
            "training": result.get("training"),
            "kfp": kfp,
            "duration_s": result.get("duration_s"),
            **(extra or {}),
        }
        folder = self.root / version
        ids = read_example_ids(Path(examples["path"]))
        write_bytes(folder / "example_ids.txt", "".join(i + "\n" for i in sorted(set(ids))).encode("utf-8"))
        write_json(folder / "record.json", record)
        write_json(self.root / "latest.json", record)
        return record


@dataclass(frozen=True)
class NewExamples:
    total: int
    new: int
    last_model_version: str | None


def count_new_examples(export_path: Path, registry: ModelRegistry) -> NewExamples:
    """How many exported examples the last fine-tuned model has not seen (all of them if there is none)."""
    current = set(read_example_ids(export_path))
    last = registry.latest()
    seen = registry.example_ids(last["model_version"]) if last else set()
    return NewExamples(total=len(current), new=len(current - seen), last_model_version=last and last["model_version"])


def should_finetune(counts: NewExamples, min_new_examples: int, force: bool = False) -> tuple[bool, str]:
    """The decision, with the sentence the DAG logs."""
    if min_new_examples < 0:
        raise ValueError(f"min_new_examples={min_new_examples}: must be >= 0")
    since = f"since {counts.last_model_version}" if counts.last_model_version else "(no model yet)"
    summary = f"{counts.new} new of {counts.total} examples {since}; min_new_examples={min_new_examples}"
    if force:
        return True, f"{summary}; force=true"
    if counts.new >= min_new_examples and counts.new > 0:
        return True, summary
    return False, f"{summary} — fine-tune skipped (trigger with force=true to run anyway)"


# --------------------------------------------------------------------------- pipeline arguments


def pipeline_arguments(examples_path: Path | str, *, base_model: str = "", lora_r: int = 16, lora_alpha: int = 32,
                       epochs: float | None = None) -> dict[str, Any]:
    """The DAG's Params as pipeline parameters (the names of ``headwater_finetune_pipeline``'s inputs).

    ``epochs`` None leaves the runner's default (run_local: 4 on CPU; the KFP pipeline: 1).
    """
    if lora_r < 1 or lora_alpha < 1:
        raise ValueError(f"lora_r={lora_r}, lora_alpha={lora_alpha}: both must be >= 1")
    if epochs is not None and epochs <= 0:
        raise ValueError(f"epochs={epochs}: must be > 0 (or null for the runner's default)")
    return {
        "examples_uri": str(examples_path),
        "base_model_path": base_model.strip(),
        "lora_r": int(lora_r),
        "lora_alpha": int(lora_alpha),
        "epochs": None if epochs is None else float(epochs),
    }


def run_dir(data_dir: Path, run_key: str) -> Path:
    """``<data_dir>/finetune/runs/<run key>``: a local run's outputs (adapter, eval report, summary.json)."""
    return Path(data_dir) / "finetune" / "runs" / file_key(run_key)


# --------------------------------------------------------------------------- local runner

# Pipeline parameter -> run_local flag. The pipeline's parameter names are what the operator
# submits to KFP, so the same ``arguments`` dict drives both modes.
LOCAL_FLAGS = {
    "examples_uri": "--examples",
    "base_model_path": "--base-model",
    "eval_fraction": "--eval-fraction",
    "min_completion_tokens": "--min-completion-tokens",
    "max_total_tokens": "--max-total-tokens",
    "lora_r": "--lora-r",
    "lora_alpha": "--lora-alpha",
    "lora_dropout": "--lora-dropout",
    "lora_target_modules": "--lora-target-modules",
    "epochs": "--epochs",
    "max_steps": "--max-steps",
    "learning_rate": "--learning-rate",
    "per_device_batch_size": "--batch-size",
    "gradient_accumulation_steps": "--grad-accum",
    "optimizer": "--optimizer",
    "compute_dtype": "--compute-dtype",
    "eval_precisions": "--precisions",
    "eval_max_examples": "--eval-max-examples",
    "seed": "--seed",
}
# Accepted for parity with KFP but meaningless locally: no PVC, and run_local evaluates the
# full-precision row in --compute-dtype.
LOCAL_IGNORED = ("model_cache_pvc", "eval_full_precision_dtype")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class LocalRunError(RuntimeError):
    """The local pipeline run failed; the message carries run_local's own error lines."""


def local_command(arguments: dict[str, Any], out_dir: Path, python: Path) -> list[str]:
    """The run_local command line for pipeline ``arguments`` (None values: run_local's default)."""
    unknown = sorted(set(arguments) - set(LOCAL_FLAGS) - set(LOCAL_IGNORED))
    if unknown:
        raise ValueError(f"pipeline parameters {unknown} are unknown to run_local; known: {sorted(LOCAL_FLAGS)}")
    if not arguments.get("examples_uri"):
        raise ValueError("pipeline parameter examples_uri is required (the exported chunk JSONL)")
    cmd = [str(python), "-m", "kfp_components.run_local", "--out", str(out_dir)]
    for name, flag in LOCAL_FLAGS.items():
        value = arguments.get(name)
        if value is None or (name == "base_model_path" and value == ""):
            continue
        cmd += [flag, str(value)]
    return cmd


def _error_lines(tail: Iterable[str]) -> str:
    """run_local's own failure lines (``run_local: ...``, argparse's ``error: ...``), else the last lines."""
    lines = [line.rstrip() for line in tail if line.strip()]
    own = [line for line in lines if line.startswith("run_local:") or ": error: " in line or line.startswith("RuntimeError")]
    return "\n".join(own[-3:] or lines[-15:])


def run_local(
    arguments: dict[str, Any],
    out_dir: Path,
    *,
    python: Path,
    project: Path,
    timeout_s: float | None = None,
    log: Callable[[str], None] = print,
    on_start: Callable[[subprocess.Popen], None] | None = None,
) -> dict[str, Any]:
    """Run the pipeline with kfp.local in the training environment; return its summary.json.

    Output is streamed line by line to ``log`` (the Airflow task log). ``timeout_s`` kills the
    whole process group (run_local's component subprocesses included); ``on_start`` receives the
    process (the Airflow operator kills its group in ``on_kill``).
    """
    python = Path(python)
    if not python.exists():
        raise LocalRunError(
            f"training environment not found: {python} does not exist — run `make install` "
            "(creates .venv-kfp) or set HEADWATER_KFP_PYTHON"
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "summary.json").unlink(missing_ok=True)  # never read a previous run's summary
    cmd = local_command(arguments, out_dir, python)
    ignored = [k for k in LOCAL_IGNORED if arguments.get(k) is not None]
    if ignored:
        log(f"ignored locally: {ignored}")
    log("$ " + " ".join(cmd))
    # PYTHONPATH is the project only: paths of the Airflow environment must not leak into the training one.
    env = {**os.environ, "PYTHONPATH": str(project), "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    tail: deque[str] = deque(maxlen=200)
    timed_out = threading.Event()
    proc = subprocess.Popen(cmd, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace", start_new_session=True)
    if on_start:
        on_start(proc)

    def kill() -> None:
        timed_out.set()
        os.killpg(proc.pid, signal.SIGKILL)

    timer = threading.Timer(timeout_s, kill) if timeout_s else None
    if timer:
        timer.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = _ANSI.sub("", line)  # kfp.local colours its task names
            tail.append(line)
            log(line.rstrip("\n"))
        rc = proc.wait()
    finally:
        if timer:
            timer.cancel()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if timed_out.is_set():
        raise LocalRunError(f"local fine-tune timed out after {timeout_s:g} s and was killed; partial outputs in {out_dir}")
    if rc != 0:
        raise LocalRunError(f"local fine-tune failed (run_local exit {rc}):\n{_error_lines(tail)}")
    summary = read_json(out_dir / "summary.json")
    if summary is None:
        raise LocalRunError(f"run_local exited 0 but wrote no {out_dir / 'summary.json'}")
    return summary


# --------------------------------------------------------------------------- report


def _fmt(value: Any, digits: int) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def format_eval_table(record: dict[str, Any]) -> str:
    """Perplexity before (base) and after (adapted) per precision, plus speed and size."""
    rows = record.get("eval_rows") or []
    title = f"Fine-tune {record.get('model_version', '?')}"
    if not rows:
        where = (record.get("kfp") or {}).get("run_url")
        return f"{title}\n(no eval rows recorded{'; see the eval_report artifact of ' + where if where else ''})"
    by_key = {(r["model"], r["precision"]): r for r in rows}
    precisions = list(dict.fromkeys(r["precision"] for r in rows))
    header = f"{'precision':<10} {'base ppl':>10} {'adapted ppl':>12} {'change':>8} {'tok/s adapted':>14} {'weights MB':>11}"
    lines = [title, header, "-" * len(header)]
    for precision in precisions:
        base, adapted = by_key.get(("base", precision)), by_key.get(("adapted", precision))

        def cell(row: dict[str, Any] | None) -> str:
            if row is None:
                return "not run"
            return _fmt(row.get("perplexity"), 2) if row.get("status") == "ok" else str(row.get("status"))

        change = "-"
        if base and adapted and base.get("status") == adapted.get("status") == "ok" and base.get("perplexity"):
            change = f"{100 * (adapted['perplexity'] / base['perplexity'] - 1):+.1f}%"
        speed = _fmt(adapted.get("tokens_per_s"), 0) if adapted and adapted.get("status") == "ok" else "-"
        weights = _fmt(adapted.get("weights_mb"), 2) if adapted and adapted.get("status") == "ok" else "-"
        lines.append(f"{precision:<10} {cell(base):>10} {cell(adapted):>12} {change:>8} {speed:>14} {weights:>11}")
    dataset = (record.get("metrics") or {}).get("dataset", {})
    if dataset:
        n = {k: int(dataset[k]) if isinstance(dataset.get(k), (int, float)) else "?" for k in ("train_examples", "eval_examples")}
        lines.append(f"train examples {n['train_examples']}, eval examples {n['eval_examples']}")
    return "\n".join(lines)
