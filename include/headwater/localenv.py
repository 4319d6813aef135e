"""The embedded, one-machine setup: a repo-local Airflow home on SQLite and the sample landing zone.

Only environment variables for the Airflow subprocess are built here; nothing imports Airflow.
Settings a user already gave (``HEADWATER_*`` through headwater.config.settings, ``AIRFLOW__*``
in the environment) win, so any of them can point elsewhere.
"""

from __future__ import annotations

import configparser
import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
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


RUN_BUSY = 75  # exit status of a local run refused because the date is being run already (sysexits.h EX_TEMPFAIL)


class RunBusy(RuntimeError):
    """The DAG's logical date is being run by another local process on the same Airflow home (or by its scheduler)."""


def run_lock_path(airflow_home: Path | str, dag_id: str, date: str) -> Path:
    """``$AIRFLOW_HOME/headwater_runs/<dag_id>__<date>.lock``: the lock one local run of ``dag_id`` for ``date`` holds."""
    return Path(airflow_home) / "headwater_runs" / f"{dag_id}__{date}.lock"


def run_holder(path: Path) -> dict:
    """What the process holding lock ``path`` wrote in it (``pid``, ``started`` as UTC epoch seconds); {} when unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


def run_held(airflow_home: Path | str, dag_id: str, date: str) -> bool:
    """Whether a process holds the local run lock of ``dag_id`` for ``date`` now (``holding_run``); a snapshot."""
    path = run_lock_path(airflow_home, dag_id, date)
    if not path.exists():
        return False
    with open(path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False


def busy_message(dag_id: str, date: str, holder: dict) -> str:
    """The sentence a refused local run prints: who holds the date since when, and what to do."""
    since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(holder["started"])) if holder.get("started") else "an unknown time"
    who = f"process {holder['pid']}" if holder.get("pid") else "another process"
    return (
        f"{dag_id} {date} is already being run on this Airflow home by {who} (since {since}); "
        f"nothing was started: wait for it to finish (or pass --wait to queue behind it), then run the date again"
    )


@contextlib.contextmanager
def holding_run(airflow_home: Path | str, dag_id: str, date: str, wait: bool = False) -> Iterator[Path]:
    """Hold the exclusive lock of one local run of ``dag_id`` for ``date`` (``run_lock_path``) while the block runs.

    Two local runs of one logical date on one Airflow metadata database would share one DagRun row
    (Airflow keeps one run per DAG and logical date), the second replacing the first's. The lock is
    ``flock(2)`` on the file (``fcntl.flock``): the kernel drops it when its process ends, however it
    ends, so a killed run never blocks the next one. Holding it, the process writes its ``pid`` and
    ``started`` (UTC epoch seconds) into the file. ``wait``: block until the holder ends instead of
    raising ``RunBusy`` (whose message is ``busy_message``). Local only: flock does not reach other
    machines, as the SQLite database it guards does not either.
    """
    path = run_lock_path(airflow_home, dag_id, date)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise RunBusy(busy_message(dag_id, date, run_holder(path))) from None
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": os.getpid(), "started": time.time()}))
        fh.flush()
        try:
            yield path
        finally:
            fh.seek(0)
            fh.truncate()  # released: the next holder writes its own
            fh.flush()
