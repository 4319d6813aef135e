"""A date run from the command line, then the DAG unpaused: a real `airflow scheduler` catches up past that date.

The stall this guards against (issue 14): `airflow dags test` created a *manual* run for logical date D
with the data interval D-1 → D; the scheduler, catching up, found "its" run for D already there, took
that run's interval as the last one, computed D again and logged "run already exists; skipping dagrun
creation" forever, never creating D+1. `headwater run` now creates the run the scheduler would
(plugins/headwater_local/run_date.py). The landing zone is empty so the CLI run is short, which also
shows what a date without landing files leaves.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path


PROJECT = Path(__file__).resolve().parents[2]


def _runs(db: Path) -> dict[str, tuple[str, str, str]]:
    """logical date (YYYY-MM-DD) → (run_type, data_interval_start, data_interval_end) of headwater_ingest."""
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT logical_date, run_type, data_interval_start, data_interval_end FROM dag_run WHERE dag_id = 'headwater_ingest'"
        ).fetchall()
    return {str(r[0])[:10]: (r[1], str(r[2])[:10], str(r[3])[:10]) for r in rows}


def test_scheduler_catches_up_past_a_date_run_from_the_cli(local_home: dict[str, str], tmp_path: Path) -> None:
    day = date.today() - timedelta(days=3)
    env = {**local_home, "HEADWATER_START_DATE": (day - timedelta(days=2)).isoformat(), "HEADWATER_MAX_ACTIVE_RUNS": "16"}
    cli = subprocess.run(
        [sys.executable, "-m", "headwater.cli", "run", "--date", day.isoformat()],
        env=env, capture_output=True, text=True, timeout=300,
    )
    db = Path(env["AIRFLOW_HOME"]) / "airflow.db"
    runs = _runs(db)
    assert day.isoformat() in runs, cli.stdout + cli.stderr
    # the run is the scheduler's own for that date: its interval starts at the logical date
    assert runs[day.isoformat()] == ("scheduled", day.isoformat(), (day + timedelta(days=1)).isoformat())

    # a date with no landing files: `report` skipped with the reason, no curated-asset event, a record in the run report
    with sqlite3.connect(db) as con:
        report_state = con.execute("SELECT state FROM task_instance WHERE dag_id = 'headwater_ingest' AND task_id = 'report'").fetchall()
        events = con.execute("SELECT count(*) FROM asset_event").fetchone()[0]
    assert (report_state, events) == ([("skipped",)], 0)
    record = json.loads((Path(env["HEADWATER_HOME"]) / "data" / "reports" / f"date={day.isoformat()}" / "run_report.json").read_text())
    assert (record["no_landing_files"], record["files"], record["date"]) == (True, [], day.isoformat())
    logs = list((Path(env["AIRFLOW_HOME"]) / "logs").glob("dag_id=headwater_ingest/run_id=*/task_id=report/attempt=1.log"))
    assert any(f"no landing files for {day.isoformat()}" in p.read_text() for p in logs)

    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "dags", "unpause", "headwater_ingest"], env=env, check=True, capture_output=True, timeout=120)
    log = tmp_path / "scheduler.log"
    next_day = (day + timedelta(days=1)).isoformat()
    with open(log, "w") as out:
        scheduler = subprocess.Popen([airflow, "scheduler"], env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and next_day not in _runs(db):
                time.sleep(2)
        finally:
            scheduler.terminate()
            scheduler.wait(timeout=60)
    text = log.read_text()
    runs = _runs(db)
    assert next_day in runs, f"no run after the CLI's date; scheduler log tail:\n{text[-3000:]}"
    # catch-up created the days before and the day after; the CLI's run was met once, not in a loop
    assert {(day - timedelta(days=n)).isoformat() for n in (2, 1)} <= set(runs)
    assert runs[next_day][0] == "scheduled"
    assert text.count("run already exists") <= 1
