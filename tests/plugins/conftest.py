"""Airflow puts the plugins folder on sys.path when it is imported; the plugin tests need that first. A fresh local Airflow home (`local_home`)."""

from __future__ import annotations

import os
from pathlib import Path

import airflow.settings  # noqa: F401  (adds $AIRFLOW__CORE__PLUGINS_FOLDER to sys.path)
import pytest


@pytest.fixture
def local_home(tmp_path: Path) -> dict[str, str]:
    """Environment of a fresh local setup: its own Airflow home and SQLite DB, an empty landing zone."""
    landing = tmp_path / "landing"
    landing.mkdir()
    airflow_home = tmp_path / "home" / "airflow"
    return {
        **os.environ,
        "HEADWATER_HOME": str(tmp_path / "home"),
        "HEADWATER_LANDING_URI": landing.as_uri(),
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(airflow_home / "logs"),
    }
