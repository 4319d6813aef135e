"""Test-wide setup: a private Airflow home and Headwater home per test session.

Environment variables are set at import time, before anything imports Airflow,
so tests never touch the developer's .headwater/ folder. This file must not import
headwater or airflow: the kfp tests load it from the training environment too.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="headwater-test-"))

os.environ.update(
    {
        # subprocesses (the `airflow` CLI, DAG-import checks) import this checkout's library and
        # plugins too, not the editable install the environment may point at another checkout
        "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT / "include"), str(PROJECT / "plugins"), os.environ.get("PYTHONPATH", "")) if p),
        "HEADWATER_PROJECT_DIR": str(PROJECT),
        "HEADWATER_HOME": str(_SESSION_HOME),
        "HEADWATER_LANDING_URI": (PROJECT / "sample_data" / "landing").as_uri(),
        "AIRFLOW_HOME": str(_SESSION_HOME / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_SESSION_HOME / 'airflow' / 'airflow.db'}",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
)
(_SESSION_HOME / "airflow").mkdir(parents=True, exist_ok=True)
