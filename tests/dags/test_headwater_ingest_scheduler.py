"""headwater_ingest run by a real scheduler (`headwater ui`: scheduler, dag-processor, triggerer,
api-server on SQLite and the LocalExecutor): every per-file task instance is named by its file, the
ones skipped before they could start included.

A task instance the scheduler skips (its trigger rule, an upstream skipped) never runs, so Airflow
never renders its ``map_index_template``: the UI showed ``0…6`` for `clean` after `ingest` skipped
(issue 14). `clean` now runs when `ingest` skipped (``trigger_rule="none_failed"``), names itself
from `check`'s decisions and skips itself. A dry run shows it: `check` decides for each of the
sample day's 7 files, then `unchanged`, `ingest` and `clean` all skip.

One real run (a few minutes on 2 cores).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

import servers

PROJECT = Path(__file__).resolve().parents[2]
DATE = "2026-11-20"
SAMPLE = PROJECT / "sample_data" / "landing" / DATE


def _db_rows(db: Path, query: str, *args: object) -> list[tuple]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(db, timeout=30) as con:
            return con.execute(query, args).fetchall()
    except sqlite3.OperationalError:  # the schema is not migrated yet, or the DB is locked for longer than the timeout
        return []


@pytest.fixture(scope="module")
def scheduler_run(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int], tuple[str, str | None]]:
    """A dry run of the sample day, triggered on a `headwater ui` and run by its scheduler to the end;
    returns ``(task_id, map_index) -> (state, rendered_map_index)`` of its mapped task instances."""
    root = tmp_path_factory.mktemp("scheduler")
    airflow_home = root / "home" / "airflow"
    env = {
        **os.environ,
        "HEADWATER_HOME": str(root / "home"),
        "HEADWATER_LANDING_URI": SAMPLE.parent.as_uri(),
        # no scheduled run comes due during the test: the first interval (today -> tomorrow) ends tomorrow
        "HEADWATER_START_DATE": date.today().isoformat(),
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(airflow_home / "logs"),
    }
    db = airflow_home / "airflow.db"
    airflow = str(Path(sys.executable).with_name("airflow"))
    port = servers.free_port()
    log = open(root / "ui.log", "w")  # noqa: SIM115 - open while the services run
    ui = subprocess.Popen([sys.executable, "-m", "headwater.cli", "ui", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        servers.wait_until(lambda: _db_rows(db, "SELECT 1 FROM serialized_dag WHERE dag_id = 'headwater_ingest'"), 240, "the DAG parsed")
        subprocess.run([airflow, "dags", "unpause", "headwater_ingest"], env=env, check=True, capture_output=True, timeout=120)
        conf = json.dumps({"dry_run": True, "date_from": DATE, "date_to": DATE})
        trigger = subprocess.run([airflow, "dags", "trigger", "headwater_ingest", "--conf", conf], env=env, capture_output=True, text=True, timeout=120)
        assert trigger.returncode == 0, trigger.stdout + trigger.stderr
        finished = "SELECT state FROM dag_run WHERE dag_id = 'headwater_ingest' AND run_type = 'manual' AND state IN ('success', 'failed')"
        deadline = time.monotonic() + 480
        while time.monotonic() < deadline and not _db_rows(db, finished):
            assert ui.poll() is None, (root / "ui.log").read_text()[-3000:]
            time.sleep(3)
        assert _db_rows(db, finished) == [("success",)], (root / "ui.log").read_text()[-3000:]
        rows = _db_rows(
            db,
            "SELECT task_id, map_index, state, rendered_map_index FROM task_instance WHERE dag_id = 'headwater_ingest' AND map_index >= 0",
        )
        return {(task_id, index): (state, name) for task_id, index, state, name in rows}
    finally:
        if ui.poll() is None:
            ui.send_signal(signal.SIGINT)
            ui.wait(timeout=90)
        log.close()


def test_every_mapped_task_instance_shows_its_file_name(scheduler_run) -> None:
    names = sorted(p.name for p in SAMPLE.iterdir())
    tasks = ("process_file.check", "process_file.unchanged", "process_file.ingest", "process_file.clean")
    assert sorted(scheduler_run) == sorted((task, i) for task in tasks for i in range(len(names)))
    by_index = {i: scheduler_run[("process_file.check", i)][1] for i in range(len(names))}
    assert sorted(by_index.values()) == names  # check names each file once
    # every task instance of a file's group, skipped ones included, carries that file's name
    assert {key: name for key, (_, name) in scheduler_run.items()} == {(task, i): by_index[i] for task, i in scheduler_run}


def test_in_a_dry_run_every_stage_after_check_skips_itself(scheduler_run) -> None:
    states = {}
    for (task, _), (state, _) in scheduler_run.items():
        states.setdefault(task, set()).add(state)
    assert states == {
        "process_file.check": {"success"},
        "process_file.unchanged": {"skipped"},
        "process_file.ingest": {"skipped"},
        "process_file.clean": {"skipped"},
    }
