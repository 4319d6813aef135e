"""Run the fine-tuning pipeline locally: kfp.local in the training environment, as a subprocess.

``run_local`` runs ``kfp_components.run_local`` in ``.venv-kfp`` and returns its ``summary.json``.
The Airflow environment never imports kfp: the two cannot share one environment (kfp pins
``kubernetes<31``, the cncf provider ``>=36``). ``pipeline_arguments`` maps the DAG's Params to
the pipeline's parameters, which both modes (KFP REST and local) take.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from headwater.layout import Layout
from headwater.storage import read_json


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
    """A local run's outputs (adapter, eval report, summary.json): ``Layout.finetune_run``.

    The local runner (kfp.local) writes local files, so when the data root is on object storage
    the folder is ``<system temp>/headwater/finetune/runs/<run key>`` on the worker that runs it
    (the adapter path the registry records is then that worker's; a cluster fine-tunes on a KFP
    endpoint, which stores its own artifacts).
    """
    layout = Layout(data_dir)
    if layout.remote:
        import tempfile

        return Layout(Path(tempfile.gettempdir()) / "headwater").finetune_run(run_key)
    return layout.finetune_run(run_key)


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
