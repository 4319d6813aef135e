"""bench/ingest_profile.py: the ingest stage's CPU time by sub-step, on a small file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import ingest_profile  # noqa: E402


def test_the_sub_steps_add_up_to_the_profiled_ingest_of_every_row(tmp_path: Path) -> None:
    csv = tmp_path / "small.csv"
    csv.write_text("id,name,note\n" + "".join(f'{i},"Ana, {i}",x{i}\n' for i in range(3000)) + "bad,row\n", encoding="utf-8")
    before = dict(os.environ)
    out = ingest_profile.measure(csv, 1000)
    assert dict(os.environ) == before  # the test process's environment is left alone (a leaked HEADWATER_CONFIG_DIR changed later DAG tests)
    cpu = out["cpu_per_100k"]
    assert out["rows"] == 3001 and out["peak_mb"] > 0 and out["wall_seconds"] > 0
    assert set(cpu) == {*ingest_profile.SUBSTEPS, "other", "total"}
    assert cpu["Arrow parse"] > 0 and cpu["staging write"] > 0 and cpu["careful reader"] > 0 and cpu["classify"] > 0
    assert abs(sum(v for k, v in cpu.items() if k != "total") - cpu["total"]) < 1e-9
