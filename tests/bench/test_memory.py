"""The bench's peak memory is each phase process's own (VmHWM), not the driver's carried over."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def child_peak(mb: int) -> float:
    """Peak RSS a fresh Python process reports with bench/memory.py after allocating ``mb`` MB."""
    code = f"import sys; sys.path.insert(0, {str(BENCH)!r}); from memory import peak_mb; x = b'x' * ({mb} << 20); print(peak_mb())"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def test_a_phase_reports_its_own_peak_not_the_drivers() -> None:
    ballast = b"x" * (400 << 20)  # the driver is big while it starts the phases (ru_maxrss would carry this over)
    big, small = child_peak(300), child_peak(0)
    assert len(ballast) == 400 << 20
    assert big >= 300
    assert small < 100  # a bare interpreter: tens of MB, far below the driver's 400 MB and the earlier child's 300 MB
    assert big - small >= 290
