"""Through `headwater run` (the DAG, then the run report it prints and writes): a file no source claims while a source's
glob is close to its name is warned with that glob (breaker9 #5), a source that claimed no file is a note, and two
files of the date with one table name up to compression suffix or letter case are named and warned, with whether
their rows agree (breaker9 #2: orders.csv and orders.csv.gz, B2 40.00 and 41.00, were both curated silently)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

DAY = "2026-11-21"
PLAIN = b"order_id,customer,amount\nB1,Cid,30.00\nB2,Dee,40.00\n"  # breaker9 in/landing_x/2026-11-21/orders.csv
FIXED = b"order_id,customer,amount\nB1,Cid,30.00\nB2,Dee,41.00\n"  # its orders.csv.gz
OTHER = b"order_id,customer,amount\nA1,Ann,10.50\nA2,Bob,20.00\n"  # its Orders.csv
INVOICES = b"invoice_id,total\nI-1,10.00\n"


def _table(other: str, rows: str, disk: bool = False) -> str:
    text = (f"one table, two files: {DAY}/{other} has this file's table name up to compression suffix or letter case, {rows} both "
            "are processed and curated (one record may land twice, with other values) — keep the right delivery in the landing "
            "folder, remove the other and delete its outputs (curated table, manifest, vectors).")
    if disk:
        text += (" On a case-insensitive disk (macOS, Windows) the two cannot both be written: their output keys differ only in "
                 "letter case, so the second is refused (its output key belongs to the first) and the run fails.")
    return text


def _differ(there: int, here: int) -> str:
    return f"with other rows ({there} of its rows not in this file, {here} of this file's not in it):"


UNCLAIMED = ("no source claims this file: its table name invoices.csv matches no files glob of the 3 source(s) of the config "
             "folder, so it is read with the defaults (default.yaml or none): no source's schema, identifiers, units, dedup or "
             "chunking apply; the closest glob is 'invoces*.csv' of source invoices (invoices.yaml) — correct it if the file "
             "belongs to that source")


def test_a_typo_glob_and_one_table_under_three_names(local_home: dict[str, str], tmp_path: Path) -> None:
    env = dict(local_home)
    config = tmp_path / "config"
    config.mkdir()
    (config / "orders.yaml").write_text('files: ["orders*.csv"]\ndedup: {scope: run}\n', encoding="utf-8")
    (config / "invoices.yaml").write_text('files: ["invoces*.csv"]\nschema:\n  columns:\n    invoice_id: {type: string, identifier: true}\n'
                                          '    total: {type: number, unit: EUR}\n', encoding="utf-8")
    (config / "weekly.yaml").write_text('files: ["weekly_report*.csv"]\n', encoding="utf-8")
    env["HEADWATER_CONFIG_DIR"] = str(config)
    folder = Path(env["HEADWATER_HOME"]).parent / "landing" / DAY
    folder.mkdir(parents=True)
    (folder / "Orders.csv").write_bytes(OTHER)
    (folder / "orders.csv").write_bytes(PLAIN)
    (folder / "orders.csv.gz").write_bytes(gzip.compress(FIXED, mtime=0))
    (folder / "invoices.csv").write_bytes(INVOICES)

    done = subprocess.run([sys.executable, "-m", "headwater.cli", "run", "--date", DAY], env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    data = Path(env["HEADWATER_HOME"]) / "data"
    report = json.loads((data / "reports" / f"date={DAY}" / "run_report.json").read_text())
    files = {f["file"]: f for f in report["files"]}
    for f in files.values():  # the chunk stage's own warnings (row documents without their id) are not this test's
        f["warnings"] = [w for w in f["warnings"] if not w.startswith("chunk: ")]
    assert {n: (f["status"], f["curated"], f["duplicates"]) for n, f in files.items()} == {
        "Orders.csv": ("ok", 2, 0), "invoices.csv": ("ok", 1, 0), "orders.csv": ("ok", 2, 0), "orders.csv.gz": ("ok", 1, 1)}
    assert files["invoices.csv"]["warnings"] == [UNCLAIMED]
    assert files["orders.csv"]["warnings"] == [_table("Orders.csv", _differ(2, 2), disk=True), _table("orders.csv.gz", _differ(1, 1))]
    assert files["orders.csv.gz"]["warnings"] == [_table("Orders.csv", _differ(2, 2)), _table("orders.csv", _differ(1, 1))]
    assert files["Orders.csv"]["warnings"] == [_table("orders.csv", _differ(2, 2), disk=True), _table("orders.csv.gz", _differ(2, 2))]
    assert report["warned_files"] == [f"{DAY}/{n}" for n in ("Orders.csv", "invoices.csv", "orders.csv", "orders.csv.gz")]
    assert report["failed"] == []
    assert report["sources_without_files"] == [
        {"source": "invoices", "config": "invoices.yaml", "files": ["invoces*.csv"]},
        {"source": "weekly", "config": "weekly.yaml", "files": ["weekly_report*.csv"]}]
    lines = done.stdout.splitlines()
    assert "note: source invoices (invoices.yaml) claimed no file of this date (files: invoces*.csv)" in lines
    assert "note: source weekly (weekly.yaml) claimed no file of this date (files: weekly_report*.csv)" in lines
    assert f"  ~ {UNCLAIMED}" in lines
    manifest = json.loads((data / "manifests" / f"date={DAY}" / "orders.csv.gz.json").read_text())
    assert manifest["same_table_as"] == [
        {"source": f"{DAY}/Orders.csv", "rows_agree": False, "rows_only_here": 2, "rows_only_there": 2, "why": None},
        {"source": f"{DAY}/orders.csv", "rows_agree": False, "rows_only_here": 1, "rows_only_there": 1, "why": None}]
    invoices = json.loads((data / "manifests" / f"date={DAY}" / "invoices.csv.json").read_text())
    assert (invoices["config_warnings"], invoices["source_config"]["name"]) == ([UNCLAIMED], "default")
