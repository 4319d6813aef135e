from __future__ import annotations

import multiprocessing
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from headwater.config.settings import Settings

SAMPLE = Path(__file__).resolve().parents[3] / "sample_data" / "landing" / "2026-11-20"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings writing under a fresh temporary home."""
    return Settings(home=tmp_path, landing_uri=(SAMPLE.parent).as_uri())


# ------------------------------------------------------------------ Headwater's state on both backends


def _postgres_bin() -> Path:
    """The newest PostgreSQL server's bin folder (Debian's ``postgresql`` package: /usr/lib/postgresql/<major>/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise RuntimeError("no PostgreSQL server under /usr/lib/postgresql — run scripts/install_debs.sh (Debian package postgresql)")
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server on a free loopback port for this test session; yields the URL of its ``postgres`` database.

    initdb into a temporary folder (trust authentication, loopback only, no fsync); as root the
    server runs as the ``postgres`` user (it refuses to run as root). Raises when it cannot start:
    nothing is skipped.
    """
    bindir = _postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="headwater-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*as_user, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    run(str(bindir / "initdb"), "-D", str(data), "-U", "headwater", "--auth=trust", "-E", "UTF8", "--no-sync")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    try:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-o", options, "-w", "-t", "60", "start")
    except RuntimeError as exc:
        log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"{exc}\nserver log:\n{log}") from None
    try:
        yield f"postgresql+psycopg://headwater@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(root, ignore_errors=True)


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
def at_once() -> Callable[..., None]:
    """Run ``target(*args, barrier)`` in one process per ``args`` tuple, all released together; fail unless every one exits 0.

    ``start``: the multiprocessing start method: "fork", as Airflow's LocalExecutor and Celery's
    prefork pool start task processes, or "forkserver" for code with runtime threads that a fork
    would not carry (LanceDB's), with ``preload`` the modules the fork server imports once.
    ``timeout_s``: how long they may run together before the stragglers are killed and the test fails.
    """

    def run(target: Callable[..., None], args: list[tuple], start: str = "fork", preload: tuple[str, ...] = (), timeout_s: float = 120) -> None:
        context = multiprocessing.get_context(start)
        if start == "forkserver":
            context.set_forkserver_preload(list(preload))
        barrier = context.Barrier(len(args))
        processes = [context.Process(target=target, args=(*a, barrier)) for a in args]
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
        assert stuck == [] and [p.exitcode for p in processes] == [0] * len(processes)

    return run
