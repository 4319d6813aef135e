"""``make bench-gpu`` (bench/gpu_finetune.py): CPU-safe, and its target verdicts."""

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from gpu_finetune import verdicts  # noqa: E402

GB = 2**30


def test_memory_ratio_passes_at_or_below_035x_and_fails_above() -> None:
    assert verdicts(3.5 * GB, 10 * GB, None, None)["memory_ratio"] == pytest.approx(0.35)
    assert verdicts(3.5 * GB, 10 * GB, None, None)["memory_pass"] is True
    assert verdicts(1.2 * GB, 4 * GB, None, None)["memory_pass"] is True  # 0.30x
    v = verdicts(1.5 * GB, 4 * GB, None, None)  # 0.375x
    assert v["memory_ratio"] == pytest.approx(0.375) and v["memory_pass"] is False


def test_perplexity_gap_is_signed_and_judged_by_its_absolute_value() -> None:
    v = verdicts(None, None, 10.15, 10.0)
    assert v["perplexity_gap"] == pytest.approx(0.015) and v["perplexity_pass"] is True
    v = verdicts(None, None, 9.85, 10.0)  # NF4 better than bf16 by 1.5 %: within 2 % too
    assert v["perplexity_gap"] == pytest.approx(-0.015) and v["perplexity_pass"] is True
    assert verdicts(None, None, 10.2, 10.0)["perplexity_pass"] is True  # exactly 2 %
    v = verdicts(None, None, 10.25, 10.0)
    assert v["perplexity_gap"] == pytest.approx(0.025) and v["perplexity_pass"] is False
    assert verdicts(None, None, 9.7, 10.0)["perplexity_pass"] is False  # -3 %


def test_a_missing_or_broken_measurement_is_not_measured_never_a_pass() -> None:
    nothing = {"memory_ratio": None, "memory_pass": None, "perplexity_gap": None, "perplexity_pass": None}
    assert verdicts(None, None, None, None) == nothing
    assert verdicts(1 * GB, None, 10.0, None) == nothing
    assert verdicts(1 * GB, 0, math.nan, 10.0) == nothing  # a zero peak, a NaN perplexity
    assert verdicts(-1, 4 * GB, math.inf, 10.0) == nothing
    v = verdicts(1 * GB, 4 * GB, None, 10.0)  # one phase failed: the other verdict stands
    assert v["memory_pass"] is True and v["perplexity_pass"] is None


def _kfp_python() -> Path:
    python = ROOT / ".venv-kfp" / "bin" / "python"
    if not python.exists():
        pytest.skip("no training environment (.venv-kfp)")
    return python


def _no_gpu_output(stdout: str) -> dict:
    assert stdout.startswith("no GPU: torch.cuda.is_available() is False"), stdout[:300]
    result = json.loads(stdout[stdout.index("{") :])
    assert result["gpu"] is False and result["errors"] == {}
    assert result["reason"].startswith("torch.cuda.is_available() is False")
    assert set(result["verdicts"].values()) == {None}
    return result


def test_the_script_without_cuda_says_no_gpu_and_why_and_exits_0(tmp_path: Path) -> None:
    python = _kfp_python()
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: the no-GPU path is not taken")
    out = tmp_path / "r.json"
    proc = subprocess.run([str(python), str(ROOT / "bench" / "gpu_finetune.py"), "--json-out", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert _no_gpu_output(proc.stdout) == json.loads(out.read_text())


def test_make_bench_gpu_without_cuda_exits_0() -> None:
    _kfp_python()
    import torch

    if torch.cuda.is_available() or shutil.which("make") is None:
        pytest.skip("CUDA present or no make")
    proc = subprocess.run(["make", "-s", "--no-print-directory", "bench-gpu"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    _no_gpu_output(proc.stdout)
