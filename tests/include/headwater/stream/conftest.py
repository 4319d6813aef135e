"""A tickets stream on the real Redis of the ``redis_server`` fixture, and consumers of it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from headwater.config.settings import Settings
from headwater.config.source import SourceConfig
from headwater.embed.store import VectorStore
from headwater.layout import Layout
from headwater.stream.batch import Processor, cleaning_config
from headwater.stream.consumer import Consumer
from headwater.stream.redis_source import RedisStreamSource

INCLUDE = Path(__file__).resolve().parents[4] / "include"

TICKETS = {
    "type": "object",
    "required": ["ticket_id", "body"],
    "properties": {
        "ticket_id": {"type": "string"},
        "body": {"type": "string", "minLength": 1},
        "priority": {"type": ["integer", "null"]},
    },
}


def tickets_config(**stream: Any) -> SourceConfig:
    """The tickets source (no canonical schema: derived from the JSON Schema)."""
    return SourceConfig.from_mapping(
        {"name": "tickets", "stream": {"name": "tickets", "schema": TICKETS, "text_fields": ["body"], "id_field": "ticket_id", **stream}}
    )


@pytest.fixture
def tickets() -> Callable[..., SourceConfig]:
    """``tickets(**stream options)``: the tickets source config (``tickets_config``)."""
    return tickets_config


@pytest.fixture
def client(redis_server: str) -> Iterator[Any]:
    import redis

    r = redis.Redis.from_url(redis_server, decode_responses=True)
    yield r
    r.close()


@pytest.fixture
def publish(client: Any) -> Callable[..., str]:
    """``publish(obj_or_text, stream="tickets", field="data")`` -> the entry id."""

    def add(payload: Any, stream: str = "tickets", field: str = "data") -> str:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        return client.xadd(stream, {field: text})

    return add


@pytest.fixture
def consumer(client: Any, settings: Settings) -> Callable[..., Consumer]:
    """``consumer(name="c1", config=None)``: a consumer of the tickets stream writing under ``settings``."""

    def make(name: str = "c1", config: SourceConfig | None = None) -> Consumer:
        config = config or tickets_config()
        return Consumer(RedisStreamSource(client, config.stream, name), Processor(cleaning_config(config), settings))

    return make


# The mixed batch both sources' tests start from, in order: 2 distinct tickets, 2 copies of T-1 (one the
# same only after text normalization), 3 invalid ones (bad JSON, body missing, an undeclared field).
MIXED = [
    {"ticket_id": "T-1", "body": "The printer is on fire", "priority": 2},
    {"ticket_id": "T-2", "body": "Password reset, please"},
    {"ticket_id": "T-1", "body": "The printer is on fire", "priority": 2},
    {"ticket_id": "T-1", "body": "The  printer is on fire ", "priority": 2},
    "{bad",
    {"ticket_id": "T-3"},
    {"ticket_id": "T-4", "body": "VPN drops every hour", "owner": "ann"},
]


@pytest.fixture
def mixed() -> list[Any]:
    """The payloads of ``MIXED`` (a fresh list)."""
    return list(MIXED)


# 7 payloads: 5 distinct tickets T-0..T-4, a copy of T-0, bad JSON (the redelivery tests' batch).
SEVEN = [*({"ticket_id": f"T-{i}", "body": f"Ticket number {i} about the printer"} for i in range(5)),
         {"ticket_id": "T-0", "body": "Ticket number 0 about the printer"}, "{bad"]


@pytest.fixture
def seven() -> list[Any]:
    """The payloads of ``SEVEN`` (a fresh list)."""
    return list(SEVEN)


def sixty_tickets(send: Callable[[Any], Any]) -> None:
    """``send`` 60 payloads: 50 distinct tickets T-0..T-49, 5 re-published copies (T-3, T-13, ..), 5 invalid
    (bad JSON for T-7, T-27, T-47; body missing for T-17, T-37)."""
    for i in range(50):
        send({"ticket_id": f"T-{i}", "body": f"Ticket {i}: the printer on floor {i} jams"})
        if i % 10 == 3:
            send({"ticket_id": f"T-{i}", "body": f"Ticket {i}: the printer on floor {i} jams"})
        if i % 10 == 7:
            send("{not json" if i % 20 == 7 else {"ticket_id": f"T-{i}"})


@pytest.fixture
def sixty() -> Callable[[Callable[[Any], Any]], None]:
    """``sixty(send)``: the 60 payloads of ``sixty_tickets``."""
    return sixty_tickets


@pytest.fixture
def vectors(settings: Settings) -> Callable[[], VectorStore]:
    """``vectors()``: the vector store ``settings`` writes, opened afresh (what is on disk now)."""
    return lambda: VectorStore(Layout(settings.data_dir).vectors, settings.vector_table)


@pytest.fixture
def stream_env(settings: Settings, redis_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, str]]:
    """``stream_env(**stream options)``: writes a tickets source config (``TICKETS``, ``batch_messages`` 20) to a
    config dir and returns the ``HEADWATER_*`` variables of a consumer process of it (``settings``' home, the
    ``redis_server``; ``broker: kafka`` also needs ``HEADWATER_STREAM_KAFKA_BOOTSTRAP``, passed as ``kafka=``).
    ``stream_env.apply(env)`` sets them in this process too (for ``serve(Settings.from_env(), ..)``)."""
    config_dir = tmp_path / "sources"

    def make(kafka: str | None = None, **options: Any) -> dict[str, str]:
        config_dir.mkdir(exist_ok=True)
        stream = {"name": "tickets", "schema": TICKETS, "text_fields": ["body"], "id_field": "ticket_id", "batch_messages": 20, **options}
        # sort_keys=False: the columns keep TICKETS' order, as in ``tickets_config`` (a row id hashes the columns in order)
        (config_dir / "tickets.yaml").write_text(yaml.safe_dump({"stream": stream}, sort_keys=False))
        env = {"HEADWATER_HOME": str(settings.home), "HEADWATER_CONFIG_DIR": str(config_dir), "HEADWATER_STREAM_REDIS_URL": redis_server}
        if kafka is not None:
            env["HEADWATER_STREAM_KAFKA_BOOTSTRAP"] = kafka
        return env

    def apply(env: dict[str, str]) -> None:
        for name, value in env.items():
            monkeypatch.setenv(name, value)

    make.apply = apply  # type: ignore[attr-defined]
    return make


@pytest.fixture
def kill_at_marker(tmp_path: Path) -> Iterator[Callable[..., tuple[subprocess.Popen[bytes], Callable[[], None]]]]:
    """``kill_at_marker(code, env, *args, wait_s=240, tick=None)``: runs ``python -c code <marker> *args`` with
    ``env`` (and the library on the path, the model offline) until it writes the file ``<marker>``, calling
    ``tick()`` while it waits (else sleeping 0.1 s); returns ``(child, kill)`` where ``kill()`` SIGKILLs it
    and checks it died of that. Fails when the child exits first or the marker never comes."""
    children: list[subprocess.Popen[bytes]] = []

    def start(
        code: str, env: dict[str, str], *args: str, wait_s: float = 240.0, tick: Callable[[], object] | None = None
    ) -> tuple[subprocess.Popen[bytes], Callable[[], None]]:
        marker = tmp_path / f"marker-{len(children)}"
        child = subprocess.Popen(
            [sys.executable, "-c", code, str(marker), *args], env={**os.environ, **env, "PYTHONPATH": str(INCLUDE), "HF_HUB_OFFLINE": "1"}
        )
        children.append(child)
        deadline = time.monotonic() + wait_s
        while not marker.exists():
            assert child.poll() is None, f"the consumer exited with {child.returncode}"
            assert time.monotonic() < deadline, "the consumer never reached the marked point"
            if tick is None:
                time.sleep(0.1)
            else:
                tick()

        def kill() -> None:
            child.send_signal(signal.SIGKILL)
            child.wait(30)
            assert child.returncode == -signal.SIGKILL

        return child, kill

    yield start
    for child in children:
        if child.poll() is None:
            child.kill()
            child.wait(30)
