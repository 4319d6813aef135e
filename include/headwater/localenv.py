"""The embedded, one-machine setup: a repo-local Airflow home on SQLite and the sample landing zone.

Only environment variables are set here; nothing imports Airflow. Values already
set in the environment win, so a user can point any of them elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_dir() -> Path:
    """The repository root (where dags/ lives): $HEADWATER_PROJECT_DIR, else next to this package, else cwd."""
    if os.environ.get("HEADWATER_PROJECT_DIR"):
        return Path(os.environ["HEADWATER_PROJECT_DIR"]).resolve()
    here = Path(__file__).resolve().parents[2]
    return here if (here / "dags").is_dir() else Path.cwd()


def local_env(project: Path | None = None, home: Path | None = None) -> dict[str, str]:
    """Environment for running the DAGs locally with ``airflow dags test`` / ``dag.test()``."""
    project = project or project_dir()
    home = (home or Path(os.environ.get("HEADWATER_HOME", project / ".headwater"))).resolve()
    airflow_home = home / "airflow"
    defaults = {
        "HEADWATER_PROJECT_DIR": str(project),
        "HEADWATER_HOME": str(home),
        "HEADWATER_LANDING_URI": (project / "sample_data" / "landing").as_uri(),
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(project / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(project / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(airflow_home / "logs"),
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    return {k: os.environ.get(k) or v for k, v in defaults.items()}


def apply(env: dict[str, str]) -> None:
    os.environ.update(env)
