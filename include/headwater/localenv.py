"""The embedded, one-machine setup: a repo-local Airflow home on SQLite and the sample landing zone.

Only environment variables for the Airflow subprocess are built here; nothing imports Airflow.
Settings a user already gave (``HEADWATER_*`` through headwater.config.settings, ``AIRFLOW__*``
in the environment) win, so any of them can point elsewhere.
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path

from headwater.config.settings import Settings, env_name


def local_env(project: Path | None = None, home: Path | None = None) -> dict[str, str]:
    """Environment for running the DAGs locally with ``airflow dags test`` / ``dag.test()``."""
    settings = Settings()
    given = settings.model_fields_set  # set by the user (environment), not defaulted
    project = (project or settings.project_dir).resolve()
    home = (home or (settings.home if "home" in given else project / ".headwater")).resolve()
    airflow_home = home / "airflow"
    headwater = {
        env_name("project_dir"): str(project),
        env_name("home"): str(home),
        env_name("landing_uri"): settings.landing_uri if "landing_uri" in given else (project / "sample_data" / "landing").as_uri(),
    }
    airflow = {
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
    return {**headwater, **{k: os.environ.get(k) or v for k, v in airflow.items()}}


def apply(env: dict[str, str]) -> None:
    os.environ.update(env)


def write_airflow_cfg(env: dict[str, str]) -> Path:
    """Write the ``AIRFLOW__<SECTION>__<KEY>`` values of ``env`` into ``$AIRFLOW_HOME/airflow.cfg`` and return its path.

    Airflow generates that file with defaults under its home (dags and plugins folders inside
    ``AIRFLOW_HOME``), which is wrong for this project; with the values written there, an
    ``airflow`` command started with only ``AIRFLOW_HOME`` set finds the project's DAGs, plugins,
    database and logs. Other keys of an existing file (e.g. the generated ``jwt_secret``) are kept;
    its comments are not (``configparser`` drops them).
    """
    path = Path(env["AIRFLOW_HOME"]) / "airflow.cfg"
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.optionxform = str  # keep keys as written
    if path.exists():
        cfg.read(path, encoding="utf-8")
    for name, value in sorted(env.items()):
        parts = name.split("__")
        if len(parts) == 3 and parts[0] == "AIRFLOW" and parts[1] and parts[2]:
            section, key = parts[1].lower(), parts[2].lower()
            if not cfg.has_section(section):
                cfg.add_section(section)
            cfg.set(section, key, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        cfg.write(fh)
    return path
