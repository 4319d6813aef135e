"""A real Airflow CeleryExecutor cluster on this machine, on loopback: ``make cluster`` / ``cluster-down`` / ``cluster-status``.

Under one home folder (default ``.headwater/cluster/``, ``--home`` or ``CLUSTER_HOME``) it runs:

* PostgreSQL (Debian ``postgresql``, ``scripts/servers.py``): database ``airflow`` (Airflow's
  metadata and the Celery result backend) and database ``headwater`` (Headwater's state:
  ledger and embedding cache, ``HEADWATER_STATE_URL``);
* Redis (Debian ``redis-server``): the Celery broker;
* moto_server (PyPI ``moto[server]``): S3 on loopback, bucket ``headwater``, the landing zone
  ``s3://headwater_s3@headwater/landing/<YYYY-MM-DD>/`` (Airflow connection ``headwater_s3``);
* Airflow 3 with ``CeleryExecutor``: ``scheduler``, ``dag-processor``, ``api-server``,
  ``triggerer`` and two Celery workers, ``worker1`` and ``worker2`` (separate processes; each
  records its own name as the task instances' ``hostname``, see ``worker_hostname``).

The data root (``HEADWATER_DATA_DIR``: curated, quarantine, chunks, manifests, reports, the
LanceDB vector store) is on the same S3 server, ``s3://headwater/data``: every worker reads and
writes it through s3fs/UPath and Lance's object_store, with the endpoint and keys from
``AWS_ENDPOINT_URL``/``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``. The
scheduler creates no scheduled runs (``[scheduler] use_job_schedule = False``): days are
triggered through the REST API or the UI. ``HEADWATER_MAX_ACTIVE_RUNS`` keeps its default (2):
two runs of one landing date run at once, and each file is written by the run that claimed it
first (headwater.claims); the other skips it with the reason.

``up`` is idempotent: a process that runs is left alone, a dead one is started again, on the
ports recorded in ``<home>/cluster.json``. Every process has a PID file and a log under
``<home>/run`` and ``<home>/logs``. ``down`` stops everything (SIGTERM to each process group,
SIGKILL after a grace period; ``pg_ctl stop -m fast``) and keeps the data; ``down --wipe`` also
deletes the home folder. ``<home>/cluster.env`` holds the environment for the ``airflow`` CLI.

Configuration keys: Airflow's config reference (https://airflow.apache.org/docs/apache-airflow/3.3.2/configurations-ref.html)
and the Celery provider's (https://airflow.apache.org/docs/apache-airflow-providers-celery/3.26.0/configurations-ref.html):
``[celery] broker_url``, ``result_backend`` (``db+postgresql+psycopg://`` needs Airflow >= 3.2),
``worker_concurrency``; the REST API's JWT tokens come from ``POST /auth/token`` with the simple
auth manager's user and password.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import servers  # noqa: E402  (scripts/servers.py)

PROJECT = Path(__file__).resolve().parent.parent
BUCKET = "headwater"
S3_CONN_ID = "headwater_s3"
USER = "admin"
WORKERS = ("worker1", "worker2")
WORKER_CONCURRENCY = 2  # task processes per worker: 2 workers x 2 fit 2 cores and ~24 GiB with the embedding model
PARALLELISM = 4  # task instances running at once in the whole cluster ([core] parallelism)
WORKER_NAME_VARIABLE = "CLUSTER_WORKER_NAME"  # what worker_hostname() reports; set per worker process
AIRFLOW_PROCESSES = ("scheduler", "dag-processor", "triggerer", "api-server", *WORKERS)


def worker_hostname() -> str:
    """``[core] hostname_callable`` of the workers: their own name (``worker1``), else the machine's FQDN.

    Both workers run on one machine, so the default FQDN would not tell them apart in the task
    instances' ``hostname`` (https://airflow.apache.org/docs/apache-airflow/3.3.2/configurations-ref.html#hostname-callable).
    """
    return os.environ.get(WORKER_NAME_VARIABLE) or socket.getfqdn()


@dataclass(frozen=True)
class Cluster:
    """A cluster's home folder and its recorded settings (ports, secrets), read from ``<home>/cluster.json``."""

    home: Path
    config: dict

    @classmethod
    def at(cls, home: Path) -> Cluster:
        """The cluster under ``home``; ports and secrets are chosen and recorded the first time."""
        home = home.resolve()
        path = home / "cluster.json"
        if path.exists():
            return cls(home, json.loads(path.read_text()))
        home.mkdir(parents=True, exist_ok=True)
        config = {
            "ports": {name: servers.free_port() for name in ("postgres", "redis", "moto", "api")},
            "password": secrets.token_urlsafe(12),
            "jwt_secret": secrets.token_urlsafe(32),
        }
        path.write_text(json.dumps(config, indent=2))
        return cls(home, config)

    def port(self, name: str) -> int:
        return self.config["ports"][name]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port('api')}"

    @property
    def s3_url(self) -> str:
        return f"http://127.0.0.1:{self.port('moto')}"

    def db_url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://headwater@127.0.0.1:{self.port('postgres')}/{database}"

    @property
    def landing_uri(self) -> str:
        return f"s3://{S3_CONN_ID}@{BUCKET}/landing"

    @property
    def data_dir(self) -> str:
        """The data root: ``s3://headwater/data`` on the cluster's S3 server (``HEADWATER_DATA_DIR``)."""
        return f"s3://{BUCKET}/data"

    def aws_env(self) -> dict[str, str]:
        """The standard AWS variables that point boto3, s3fs and Lance's object_store at the cluster's S3 server."""
        return {"AWS_ENDPOINT_URL": self.s3_url, "AWS_ACCESS_KEY_ID": "cluster", "AWS_SECRET_ACCESS_KEY": "cluster",
                "AWS_DEFAULT_REGION": "us-east-1"}

    def pid_file(self, name: str) -> Path:
        return self.home / "run" / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.home / "logs" / f"{name}.log"

    def env(self) -> dict[str, str]:
        """The environment of every Airflow process (and of the ``airflow`` CLI against this cluster)."""
        airflow_home = self.home / "airflow"
        connection = {
            "conn_type": "aws", "login": "cluster", "password": "cluster",
            "extra": {"endpoint_url": self.s3_url, "region_name": "us-east-1"},
        }
        return {
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": str(PARALLELISM),
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.api_url}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(airflow_home / "passwords.json"),
            "AIRFLOW__API__BASE_URL": self.api_url,
            "AIRFLOW__API__PORT": str(self.port("api")),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API_AUTH__JWT_SECRET": self.config["jwt_secret"],
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.db_url("airflow"),
            # Airflow's default async URL uses asyncpg, which is not installed: psycopg 3 has both
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": self.db_url("airflow", "postgresql+psycopg_async"),
            "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{self.port('redis')}/0",
            "AIRFLOW__CELERY__RESULT_BACKEND": self.db_url("airflow", "db+postgresql+psycopg"),
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(WORKER_CONCURRENCY),
            # a worker killed with SIGKILL stops heartbeating: its task is failed (and retried) after this
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
            # no scheduled (catch-up) runs: days are triggered through the REST API or the UI
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            # messages a killed worker had reserved are never acknowledged (acks_late): fail and retry them after this
            "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "180",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(airflow_home / "logs"),
            f"AIRFLOW_CONN_{S3_CONN_ID.upper()}": json.dumps(connection),
            **self.aws_env(),
            "HEADWATER_PROJECT_DIR": str(PROJECT),
            "HEADWATER_HOME": str(self.home / "headwater"),
            "HEADWATER_LANDING_URI": self.landing_uri,
            "HEADWATER_DATA_DIR": self.data_dir,
            "HEADWATER_STATE_URL": self.db_url("headwater"),
            "HEADWATER_MAX_ACTIVE_TASKS": str(PARALLELISM),
            "HEADWATER_EMBED_CONCURRENCY": "2",
            # the checkout's own code first, and this folder for worker_hostname
            "PYTHONPATH": os.pathsep.join([str(PROJECT / "include"), str(PROJECT / "plugins"), str(PROJECT / "scripts")]),
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
        }

    def headers(self) -> dict[str, str]:
        """``Authorization: Bearer <JWT>`` for the REST API (``POST /auth/token`` with the simple auth manager's credentials)."""
        body = json.dumps({"username": USER, "password": self.config["password"]}).encode()
        request = urllib.request.Request(f"{self.api_url}/auth/token", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            token = json.load(response)["access_token"]
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def api(self, method: str, path: str, body: dict | None = None) -> dict:
        """One REST API v2 call (``path`` after ``/api/v2``); the JSON answer. Raises urllib.error.HTTPError with the body on 4xx/5xx."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.api_url}/api/v2{path}", data=data, method=method, headers=self.headers())
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            exc.msg = f"{exc.msg}: {exc.read().decode(errors='replace')}"
            raise


    def upload(self, folder: Path, date: str) -> list[str]:
        """Copy the files of ``folder`` to the landing zone's ``<date>/`` on S3; the keys written."""
        import boto3

        s3 = boto3.client("s3", endpoint_url=self.s3_url, aws_access_key_id="cluster", aws_secret_access_key="cluster", region_name="us-east-1")
        keys = []
        for path in sorted(p for p in Path(folder).iterdir() if p.is_file()):
            key = f"landing/{date}/{path.name}"
            s3.upload_file(str(path), BUCKET, key)
            keys.append(key)
        return keys

    def trigger(self, dag_id: str, date: str, run_id: str, conf: dict | None = None) -> dict:
        """``POST /api/v2/dags/{dag_id}/dagRuns`` for logical date ``date`` (``YYYY-MM-DD``, midnight UTC) under ``run_id``."""
        body = {"dag_run_id": run_id, "logical_date": f"{date}T00:00:00Z", "conf": conf or {}}
        return self.api("POST", f"/dags/{dag_id}/dagRuns", body)

    def wait_run(self, dag_id: str, run_id: str, timeout_s: float = 900, poll_s: float = 3) -> dict:
        """Poll the run until it ends (success or failed); its JSON. RuntimeError after ``timeout_s`` seconds."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            run = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")
            if run["state"] in ("success", "failed"):
                return run
            time.sleep(poll_s)
        raise RuntimeError(f"{dag_id} run {run_id} did not end within {timeout_s:.0f} s")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        """Every task instance of the run (mapped ones included), paged through ``/taskInstances``."""
        found: list[dict] = []
        while True:
            page = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=100&offset={len(found)}")
            found += page["task_instances"]
            if not page["task_instances"] or len(found) >= page["total_entries"]:
                return found


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ", 1)[-1].startswith("Z"))


def read_pid(cluster: Cluster, name: str) -> int | None:
    """The recorded PID of process ``name`` (``postgres``: the postmaster's), None when none is recorded."""
    path = cluster.home / "postgres" / "data" / "postmaster.pid" if name == "postgres" else cluster.pid_file(name)
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _spawn(cluster: Cluster, name: str, argv: list[str], env: dict[str, str]) -> int:
    """Start ``argv`` in its own session (process group = its PID), output to its log; record and return its PID."""
    cluster.log_file(name).parent.mkdir(parents=True, exist_ok=True)
    cluster.pid_file(name).parent.mkdir(parents=True, exist_ok=True)
    with open(cluster.log_file(name), "ab") as log:
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                   cwd=cluster.home, start_new_session=True)
    cluster.pid_file(name).write_text(f"{process.pid}\n")
    return process.pid


def _airflow_exe() -> str:
    exe = Path(sys.executable).with_name("airflow")
    return str(exe) if exe.exists() else "airflow"


def _ensure_databases(cluster: Cluster) -> None:
    import psycopg

    with psycopg.connect(cluster.db_url("postgres", "postgresql"), autocommit=True) as db:
        have = {row[0] for row in db.execute("SELECT datname FROM pg_database")}
        for name in ("airflow", "headwater"):
            if name not in have:
                db.execute(f"CREATE DATABASE {name}")


def _ensure_bucket(cluster: Cluster) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=cluster.s3_url, aws_access_key_id="cluster", aws_secret_access_key="cluster", region_name="us-east-1")
    if BUCKET not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=BUCKET)


def _migrate(cluster: Cluster, env: dict[str, str]) -> None:
    marker = cluster.home / "airflow" / ".migrated"
    if marker.exists():
        return
    print("airflow db migrate (PostgreSQL) ...", flush=True)
    with open(cluster.log_file("db-migrate"), "ab") as log:
        done = subprocess.run([_airflow_exe(), "db", "migrate"], stdout=log, stderr=subprocess.STDOUT, env=env, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed ({done.returncode}): see {cluster.log_file('db-migrate')}")
    marker.touch()


def _api_ready(cluster: Cluster) -> bool:
    return servers.http_ok(f"{cluster.api_url}/api/v2/monitor/health")


def _workers_ready(cluster: Cluster, env: dict[str, str]) -> bool:
    """Both Celery workers answer a ping (``celery inspect ping`` through the broker)."""
    ping = ("import json; from airflow.providers.celery.executors.celery_executor_utils import app; "
            "print(json.dumps([name for reply in app.control.ping(timeout=2.0) for name in reply]))")
    done = subprocess.run([sys.executable, "-c", ping], capture_output=True, text=True, env=env, timeout=120)
    if done.returncode != 0:
        return False
    names = json.loads(done.stdout.strip().splitlines()[-1] or "[]")
    return all(any(n.startswith(f"{w}@") for n in names) for w in WORKERS)


def up(home: Path, timeout_s: float = 600) -> Cluster:
    """Start whatever is not running (idempotent) and wait until the API answers and both workers ping back."""
    cluster = Cluster.at(home)
    (cluster.home / "logs").mkdir(parents=True, exist_ok=True)
    if not _alive(read_pid(cluster, "postgres")):
        servers.start_postgres(root=cluster.home / "postgres", port=cluster.port("postgres"))
    _ensure_databases(cluster)
    if not _alive(read_pid(cluster, "redis")):
        server = servers.start_redis(root=cluster.home / "redis", port=cluster.port("redis"))
        cluster.pid_file("redis").parent.mkdir(parents=True, exist_ok=True)
        cluster.pid_file("redis").write_text(f"{server.process.pid}\n")
    if not _alive(read_pid(cluster, "moto")):
        server = servers.start_moto(root=cluster.home / "moto", port=cluster.port("moto"))
        cluster.pid_file("moto").write_text(f"{server.process.pid}\n")
    _ensure_bucket(cluster)

    env = {**os.environ, **cluster.env()}
    airflow_home = cluster.home / "airflow"
    airflow_home.mkdir(parents=True, exist_ok=True)
    (airflow_home / "passwords.json").write_text(json.dumps({USER: cluster.config["password"]}))
    (cluster.home / "cluster.env").write_text("".join(f"export {k}={_quote(v)}\n" for k, v in cluster.env().items()))
    _migrate(cluster, env)
    airflow = _airflow_exe()
    commands = {
        "scheduler": [airflow, "scheduler"],
        "dag-processor": [airflow, "dag-processor"],
        "triggerer": [airflow, "triggerer"],
        "api-server": [airflow, "api-server", "--host", "127.0.0.1", "--port", str(cluster.port("api")), "--workers", "1"],
    }
    for worker in WORKERS:
        commands[worker] = [airflow, "celery", "worker", "--celery-hostname", f"{worker}@%h",
                            "--concurrency", str(WORKER_CONCURRENCY), "--skip-serve-logs"]
    for name in AIRFLOW_PROCESSES:
        if not _alive(read_pid(cluster, name)):
            extra = {"AIRFLOW__CORE__HOSTNAME_CALLABLE": "cluster.worker_hostname", WORKER_NAME_VARIABLE: name} if name in WORKERS else {}
            _spawn(cluster, name, commands[name], {**env, **extra})
    deadline = time.monotonic() + timeout_s
    servers.wait_until(lambda: _api_ready(cluster), max(1.0, deadline - time.monotonic()), "airflow api-server")
    servers.wait_until(lambda: _workers_ready(cluster, env), max(1.0, deadline - time.monotonic()), "both celery workers")
    return cluster


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def _stop_group(pid: int, grace_s: float = 30) -> None:
    """SIGTERM the process group ``pid`` leads; SIGKILL it after ``grace_s`` seconds."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace_s
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def down(home: Path, wipe: bool = False) -> None:
    """Stop every process of the cluster under ``home`` (Airflow first, PostgreSQL last); ``wipe`` deletes the home folder."""
    cluster = Cluster.at(home) if (home / "cluster.json").exists() else None
    if cluster is not None:
        for name in (*reversed(AIRFLOW_PROCESSES), "moto", "redis"):
            pid = read_pid(cluster, name)
            if pid and _alive(pid):
                _stop_group(pid)
            cluster.pid_file(name).unlink(missing_ok=True)
        data = cluster.home / "postgres" / "data"
        if _alive(read_pid(cluster, "postgres")):
            as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
            subprocess.run([*as_user, str(servers.postgres_bin() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                           capture_output=True, timeout=120)
    if wipe:
        shutil.rmtree(home, ignore_errors=True)


def status(home: Path) -> dict[str, bool]:
    """Whether each process of the cluster under ``home`` runs (``api`` and ``workers``: whether they answer)."""
    if not (home / "cluster.json").exists():
        return {}
    cluster = Cluster.at(home)
    found = {name: _alive(read_pid(cluster, name)) for name in ("postgres", "redis", "moto", *AIRFLOW_PROCESSES)}
    try:
        found["api answers"] = _api_ready(cluster)
    except OSError:
        found["api answers"] = False
    return found


def describe(cluster: Cluster) -> str:
    return (
        f"Airflow API and UI: {cluster.api_url}  (user {USER}, password {cluster.config['password']}; "
        f"REST token: POST {cluster.api_url}/auth/token)\n"
        f"landing zone: {cluster.landing_uri}  (S3 endpoint {cluster.s3_url}, any key)\n"
        f"data root: {cluster.data_dir}\nHeadwater state: {cluster.db_url('headwater')}\n"
        f"airflow CLI against it: source {cluster.home / 'cluster.env'}\nlogs: {cluster.home / 'logs'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--home", type=Path, default=Path(os.environ.get("CLUSTER_HOME") or PROJECT / ".headwater" / "cluster"))
    parser.add_argument("--wipe", action="store_true", help="down: also delete the home folder (databases, data, logs)")
    args = parser.parse_args(argv)
    if args.command == "up":
        started = time.monotonic()
        cluster = up(args.home)
        print(f"cluster up in {time.monotonic() - started:.0f} s\n{describe(cluster)}")
    elif args.command == "down":
        down(args.home, wipe=args.wipe)
        print(f"cluster under {args.home} stopped" + (" and deleted" if args.wipe else ""))
    else:
        found = status(args.home)
        if not found:
            print(f"no cluster under {args.home}")
            return 1
        for name, ok in found.items():
            print(f"  {name:14} {'running' if ok else 'DOWN'}")
        print(describe(Cluster.at(args.home)))
        return 0 if all(found.values()) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
