"""Through `headwater run` (the DAG, then the run report it prints and writes): one delivery under two names is
named in both manifests and warned about (breaker3 #14), and an HTML error page re-delivered over a good file is
kept back with its previous outputs (breaker3 #16)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from headwater.layout import Layout
from headwater.manifest import FileRef

DAY = "2026-11-20"
ORDERS = b"order_id,customer,amount\nO-1,Ann,10.50\nO-2,Bob,7.25\nO-3,Cy,3.00\n"  # breaker3 in4/2026-03-01/orders.csv
HTML = b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>\n"
A, B = f"{DAY}/orders (1).csv", f"{DAY}/orders.csv"


def _run(env: dict[str, str]) -> tuple[subprocess.CompletedProcess, dict]:
    done = subprocess.run([sys.executable, "-m", "headwater.cli", "run", "--date", DAY], env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    home = Path(env["HEADWATER_HOME"]) / "data"
    return done, json.loads((home / "reports" / f"date={DAY}" / "run_report.json").read_text())


def _same(other: str) -> str:
    return (f"same content as {other}: one delivery under two names? Both are processed, so their rows are curated twice unless "
            "dedup.scope (run, history) makes the later copy's rows duplicates — if it is a copy, remove it from the landing "
            "folder and delete its outputs (curated table, manifest, vectors)")


def test_a_copy_under_two_names_and_an_error_page_over_a_good_file(local_home: dict[str, str]) -> None:
    env = local_home
    folder = Path(env["HEADWATER_HOME"]).parent / "landing" / DAY
    folder.mkdir(parents=True)
    (folder / "orders.csv").write_bytes(ORDERS)
    (folder / "orders (1).csv").write_bytes(ORDERS)

    done, report = _run(env)
    files = {f["file"]: f for f in report["files"]}
    assert [(n, f["action"], f["curated"], f["warnings"]) for n, f in sorted(files.items())] == [
        ("orders (1).csv", "processed", 3, [_same(B)]), ("orders.csv", "processed", 3, [_same(A)]),
    ]
    assert report["warned_files"] == [A, B] and report["failed"] == []
    manifests = Path(env["HEADWATER_HOME"]) / "data" / "manifests" / f"date={DAY}"
    named = {m["file"]: m.get("same_content_as") for m in (json.loads(p.read_text()) for p in sorted(manifests.glob("*.json")))}
    assert named == {"orders (1).csv": [B], "orders.csv": [A]}
    assert f"  ~ {_same(A)}" in done.stdout

    (folder / "orders.csv").write_bytes(HTML)  # the exporter's error page over the good file
    done, report = _run(env)
    files = {f["file"]: f for f in report["files"]}
    kept = ("re-delivery quarantined whole (an HTML page with a CSV name (an error page saved by the exporter?) — file "
            "quarantined; export the CSV again) over a file that had 3 data record(s) (run ")
    warnings = files["orders.csv"]["warnings"]
    assert (files["orders.csv"]["status"], files["orders.csv"]["action"], files["orders.csv"]["curated"]) == ("ok", "unchanged", 3)
    assert len(warnings) == 2 and warnings[0].startswith(kept) and warnings[1] == _same(A)
    assert warnings[0].endswith("not processed, its previous outputs are kept — deliver the file again, or force the run to "
                                "quarantine it and empty its outputs")
    assert report["warned_files"] == [A, B] and report["failed"] == [] and report["quarantined_files"] == []
    lay = Layout(Path(env["HEADWATER_HOME"]) / "data", DAY)
    assert [pq.read_metadata(lay.curated(FileRef(DAY, n).key)).num_rows for n in ("orders (1).csv", "orders.csv")] == [3, 3]
