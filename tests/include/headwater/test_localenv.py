"""The local Airflow home's airflow.cfg points at the project, whatever Airflow generated first; one local run per DAG and date."""

from __future__ import annotations

import configparser
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from headwater import localenv


def test_airflow_cfg_gets_the_projects_folders_and_keeps_other_keys(tmp_path: Path) -> None:
    home = tmp_path / "airflow"
    home.mkdir()
    # what `airflow db migrate` generates: folders inside AIRFLOW_HOME, a secret, a % in a format
    (home / "airflow.cfg").write_text(
        "[core]\n# a comment\ndags_folder = /elsewhere/dags\nplugins_folder = /elsewhere/plugins\n"
        "[api_auth]\njwt_secret = s3cret\n[logging]\nlog_format = [%%(asctime)s] %(message)s\n"
    )
    env = {"AIRFLOW_HOME": str(home), "AIRFLOW__CORE__DAGS_FOLDER": "/project/dags", "AIRFLOW__CORE__PLUGINS_FOLDER": "/project/plugins",
           "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "sqlite:////x/airflow.db", "HEADWATER_HOME": "/h", "AIRFLOW__BAD": "x"}
    path = localenv.write_airflow_cfg(env)
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(path)
    assert (cfg["core"]["dags_folder"], cfg["core"]["plugins_folder"]) == ("/project/dags", "/project/plugins")
    assert cfg["database"]["sql_alchemy_conn"] == "sqlite:////x/airflow.db"
    assert cfg["api_auth"]["jwt_secret"] == "s3cret"
    assert cfg["logging"]["log_format"] == "[%%(asctime)s] %(message)s"
    assert set(cfg.sections()) == {"core", "api_auth", "logging", "database"}


def test_airflow_cfg_is_created_when_missing(tmp_path: Path) -> None:
    env = {"AIRFLOW_HOME": str(tmp_path / "new"), "AIRFLOW__LOGGING__BASE_LOG_FOLDER": "/logs"}
    assert "base_log_folder = /logs" in localenv.write_airflow_cfg(env).read_text()


# ------------------------------------------------------------------ one local run per date (holding_run)


def test_a_second_holder_of_the_same_date_is_refused_with_who_holds_it(tmp_path: Path) -> None:
    with localenv.holding_run(tmp_path, "headwater_ingest", "2026-11-20") as path:
        assert path == tmp_path / "headwater_runs" / "headwater_ingest__2026-11-20.lock"
        holder = localenv.run_holder(path)
        assert holder["pid"] == os.getpid() and holder["started"] > 0
        with pytest.raises(localenv.RunBusy) as refused:
            with localenv.holding_run(tmp_path, "headwater_ingest", "2026-11-20"):
                raise AssertionError("a second holder of the date got in")
        message = str(refused.value)
        assert message.startswith(f"headwater_ingest 2026-11-20 is already being run on this Airflow home by process {os.getpid()} (since 20")
        assert message.endswith("nothing was started: wait for it to finish (or pass --wait to queue behind it), then run the date again")
        # another date, or another DAG of the same date, is not held
        with localenv.holding_run(tmp_path, "headwater_ingest", "2026-11-21"), localenv.holding_run(tmp_path, "headwater_finetune", "2026-11-20"):
            pass
    assert localenv.run_holder(path) == {}  # released: emptied for the next holder
    with localenv.holding_run(tmp_path, "headwater_ingest", "2026-11-20"):
        pass


def test_a_waiting_holder_gets_the_date_when_the_first_ends(tmp_path: Path) -> None:
    order: list[str] = []
    first = localenv.holding_run(tmp_path, "headwater_ingest", "2026-11-20")
    first.__enter__()

    def second() -> None:
        with localenv.holding_run(tmp_path, "headwater_ingest", "2026-11-20", wait=True):
            order.append("second in")

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)
    order.append("first out")
    first.__exit__(None, None, None)
    thread.join(timeout=10)
    assert order == ["first out", "second in"]


def test_a_killed_holder_frees_the_date(tmp_path: Path) -> None:
    code = ("import sys, time; from headwater import localenv\n"
            "with localenv.holding_run(sys.argv[1], 'headwater_ingest', '2026-11-20'):\n"
            "    print('held', flush=True); time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        path = localenv.run_lock_path(tmp_path, "headwater_ingest", "2026-11-20")
        assert localenv.run_holder(path)["pid"] == proc.pid
        with pytest.raises(localenv.RunBusy):
            with localenv.holding_run(tmp_path, "headwater_ingest", "2026-11-20"):
                pass
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        with localenv.holding_run(tmp_path, "headwater_ingest", "2026-11-20") as held:  # the kernel dropped the lock
            assert localenv.run_holder(held)["pid"] != proc.pid and time.monotonic() < deadline
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()



def test_run_held_tells_whether_the_date_is_held_now(tmp_path: Path) -> None:
    assert localenv.run_held(tmp_path, "headwater_ingest", "2026-11-20") is False
    with localenv.holding_run(tmp_path, "headwater_ingest", "2026-11-20"):
        assert localenv.run_held(tmp_path, "headwater_ingest", "2026-11-20") is True
        assert localenv.run_held(tmp_path, "headwater_ingest", "2026-11-21") is False
    assert localenv.run_held(tmp_path, "headwater_ingest", "2026-11-20") is False
