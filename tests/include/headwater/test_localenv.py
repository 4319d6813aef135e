"""The local Airflow home's airflow.cfg points at the project, whatever Airflow generated first."""

from __future__ import annotations

import configparser
from pathlib import Path

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
