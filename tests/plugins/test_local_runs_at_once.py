"""Two `headwater run` on one Airflow home at once (plugins/headwater_local/run_date.py, headwater.localenv.holding_run).

Airflow keeps one DagRun per DAG and logical date, and `dag.test()` deletes the date's run before
creating its own. Before, a second `headwater run` of a date started while the first ran deleted the
first's run record: the first failed, and its files stayed claimed until their lease ended (600 s).
Now the second is refused at once (exit 75, naming the first's process), or queues behind it with
`--wait`; a run of another date runs beside it; a run whose process was killed leaves no claim for
the next run of its date to wait out.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
DAY, NEXT_DAY = "2026-11-20", "2026-11-21"
FILE = "customers_eu.csv"
# the file's 6 data records read again; its texts may come from the embedding cache the other date's run filled
PROCESSED = "this run: 1 file(s) processed, 0 unchanged, 6 rows recomputed, "


@pytest.fixture
def landed(local_home: dict[str, str]) -> dict[str, str]:
    """``local_home`` (tests/plugins/conftest.py) with one file landed on DAY and on NEXT_DAY."""
    landing = Path(local_home["HEADWATER_HOME"]).parent / "landing"
    for day in (DAY, NEXT_DAY):
        (landing / day).mkdir(parents=True)
        (landing / day / FILE).write_bytes((PROJECT / "sample_data" / "landing" / DAY / FILE).read_bytes())
    return local_home


def _cli(env: dict[str, str], *args: str, **kw) -> subprocess.Popen:  # noqa: ANN003 - Popen's keywords
    return subprocess.Popen([sys.executable, "-m", "headwater.cli", "run", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def _runs(env: dict[str, str]) -> list[tuple[str, str, str]]:
    """(logical date, state, conf) of every headwater_ingest DagRun, by logical date."""
    db = Path(env["AIRFLOW_HOME"]) / "airflow.db"
    if not db.exists():
        return []
    try:
        with sqlite3.connect(db, timeout=30) as con:
            rows = con.execute("SELECT logical_date, state, conf FROM dag_run WHERE dag_id = 'headwater_ingest' ORDER BY logical_date").fetchall()
    except sqlite3.OperationalError:  # not migrated yet
        return []
    return [(str(r[0])[:10], r[1], r[2] if isinstance(r[2], str) else bytes(r[2] or b"").decode("utf-8", "replace")) for r in rows]


def _wait_for(what, timeout_s: float, proc: subprocess.Popen) -> None:  # noqa: ANN001 - a callable returning a truth value
    deadline = time.monotonic() + timeout_s
    while not what():
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"the first run ended early ({proc.returncode}):\n{out[-3000:]}\n{err[-3000:]}")
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def _claims(env: dict[str, str]) -> list[tuple[str, str, str]]:
    """(date, file, owner) of every claim in the local state database."""
    db = Path(env["HEADWATER_HOME"]) / "data" / "ledger.sqlite"
    if not db.exists():
        return []
    try:
        with sqlite3.connect(db, timeout=30) as con:
            return con.execute("SELECT date, file, run_id FROM claims ORDER BY date, file").fetchall()
    except sqlite3.OperationalError:  # the table is not there yet
        return []


def _this_run(stdout: str) -> str:
    found = re.search(r"^this run: .*$", stdout, re.M)
    return found.group(0) if found else stdout[-3000:]


def test_a_second_run_of_the_date_is_refused_or_waits_and_another_date_runs_beside_it(landed: dict[str, str]) -> None:
    env = landed
    first = _cli(env, "--date", DAY)
    try:
        _wait_for(lambda: [r[:2] for r in _runs(env)] == [(DAY, "running")], 600, first)
        lock = Path(env["AIRFLOW_HOME"]) / "headwater_runs" / f"headwater_ingest__{DAY}.lock"
        holder = int(re.search(r'"pid": (\d+)', lock.read_text()).group(1))

        refused = _cli(env, "--date", DAY)
        other_day = _cli(env, "--date", NEXT_DAY)  # at the same time, on the same Airflow home
        out, err = refused.communicate(timeout=300)
        assert refused.returncode == 75, out + err
        assert f"headwater_ingest {DAY} is already being run on this Airflow home by process {holder} (since " in err
        assert "nothing was started" in err and "run FAILED" not in err
        assert [r[:2] for r in _runs(env) if r[0] == DAY] == [(DAY, "running")]  # the first's run record is untouched

        queued = _cli(env, "--date", DAY, "--wait")
        first_out, first_err = first.communicate(timeout=900)
        assert first.returncode == 0, first_out[-3000:] + first_err[-3000:]
        assert _this_run(first_out).startswith(PROCESSED), first_out[-3000:]
        other_out, other_err = other_day.communicate(timeout=900)
        assert other_day.returncode == 0, other_out[-3000:] + other_err[-3000:]
        assert f"Headwater run {NEXT_DAY}" in other_out and _this_run(other_out).startswith(PROCESSED)
        queued_out, queued_err = queued.communicate(timeout=900)
        assert queued.returncode == 0, queued_out[-3000:] + queued_err[-3000:]
        # it found the file unchanged (its `processed` also counts the first's work: both carry the scheduler's run id)
        assert ", 1 unchanged, " in _this_run(queued_out) and "run FAILED" not in queued_err, queued_out[-3000:]
    finally:
        for proc in (first,):
            if proc.poll() is None:
                proc.kill()
    # one record per date (the queued run replaced the first's finished one), both green; no claim left
    assert [r[:2] for r in _runs(env)] == [(DAY, "success"), (NEXT_DAY, "success")]
    assert _claims(env) == []


def test_the_run_after_a_killed_run_takes_its_files_at_once(landed: dict[str, str]) -> None:
    env = landed
    first = _cli(env, "--date", DAY, start_new_session=True)  # its own process group: killed whole below
    try:
        _wait_for(lambda: [c[:2] for c in _claims(env)] == [(DAY, FILE)], 600, first)
        owner = _claims(env)[0][2]
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=60)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert [r[:2] for r in _runs(env)] == [(DAY, "running")]  # the killed run's record, left running
    assert [c[:2] for c in _claims(env)] == [(DAY, FILE)] and _claims(env)[0][2] == owner

    second = _cli(env, "--date", DAY)
    out, err = second.communicate(timeout=900)
    assert second.returncode == 0, out[-3000:] + err[-3000:]
    # the killed run's claim was released with its record, not waited out (else: skipped, "claimed by run ...")
    assert "claimed by run" not in out
    assert _this_run(out).startswith(PROCESSED), out[-3000:]
    assert [r[:2] for r in _runs(env)] == [(DAY, "success")]
    assert _claims(env) == []
