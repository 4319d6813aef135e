"""tests/conftest.py's ``environment_left_alone``: a test that leaves a HEADWATER_*/AIRFLOW_* variable changed fails,
and the next test runs with the variables as they were (run on a throwaway test file in a pytest subprocess that
loads tests/conftest.py as a plugin)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
PROBE = '''
import os

def test_1_sets(monkeypatch):
    monkeypatch.setenv("AIRFLOW__CORE__PARALLELISM", "3")  # undone by monkeypatch: fine
    os.environ["HEADWATER_CONFIG_DIR"] = "/nowhere"  # leaked

def test_2_sees_it_restored():
    assert os.environ.get("HEADWATER_CONFIG_DIR") != "/nowhere" and "AIRFLOW__CORE__PARALLELISM" not in os.environ

def test_3_removes():
    del os.environ["HEADWATER_HOME"]

def test_4_sees_it_back():
    assert os.environ["HEADWATER_HOME"]

def test_5_other_variables_are_free():
    os.environ["HEADWATERX"] = "1"

def test_6_airflow_task_context_is_put_back_silently():
    os.environ["AIRFLOW_CTX_DAG_ID"] = "headwater_ingest"  # what Airflow's task runner exports during dag.test()

def test_7_sees_no_task_context():
    assert "AIRFLOW_CTX_DAG_ID" not in os.environ
'''


def test_a_leaked_variable_fails_its_test_and_is_put_back(tmp_path: Path) -> None:
    (tmp_path / "test_probe.py").write_text(PROBE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("HEADWATER_CONFIG_DIR", "AIRFLOW_CTX_DAG_ID")} | {"PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "conftest", "-q", "-p", "no:cacheprovider", "-rA", "--rootdir", str(tmp_path),
                           str(tmp_path / "test_probe.py")], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    out = done.stdout
    assert done.returncode == 1, out
    assert "7 passed, 2 errors" in out, out
    failed = [line.strip("_ ") for line in out.splitlines() if "ERROR at teardown" in line]
    assert failed == ["ERROR at teardown of test_1_sets", "ERROR at teardown of test_3_removes"], out
    assert "the test left environment variables changed (now restored): HEADWATER_CONFIG_DIR; use monkeypatch" in out
    assert "the test left environment variables changed (now restored): HEADWATER_HOME; use monkeypatch" in out
