"""SIGKILL a consumer process mid-batch: on restart (same name) or when another consumer claims its messages,
nothing is lost or duplicated in the vector store, and the counts still add up exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from headwater.config.settings import Settings
from headwater.embed.store import VectorStore
from headwater.layout import Layout
from headwater.stream.consumer import serve
from headwater.stream.source import Counts

INCLUDE = Path(__file__).resolve().parents[4] / "include"

# The consumer process: `serve`, with a pause at ``point`` of the first batch (a marker file says it is there)
# so the test kills it at a known place: before the vector store is written, or after it and before the commit.
CHILD = """
import sys, time
from pathlib import Path
from headwater.config.settings import Settings
from headwater.stream import batch, redis_source
from headwater.stream.consumer import serve

point, marker = sys.argv[1], Path(sys.argv[2])

def pausing(real):
    def wrapped(*args, **kwargs):
        marker.write_text(point)
        time.sleep(600)
    return wrapped

if point == "before_store":
    batch.Processor._store = pausing(batch.Processor._store)
else:
    real_commit = redis_source.RedisStreamSource.commit
    def commit(self, outcomes):
        if any(o.kind == "processed" for o in outcomes):
            marker.write_text(point)
            time.sleep(600)
        return real_commit(self, outcomes)
    redis_source.RedisStreamSource.commit = commit
serve(Settings.from_env(), "tickets", "worker-1")
"""

TICKETS = {
    "type": "object",
    "required": ["ticket_id", "body"],
    "properties": {"ticket_id": {"type": "string"}, "body": {"type": "string"}},
}


def _publish(client: Any) -> None:
    """60 messages: 50 distinct tickets, 5 re-published copies, 5 invalid."""
    for i in range(50):
        client.xadd("tickets", {"data": json.dumps({"ticket_id": f"T-{i}", "body": f"Ticket {i}: the printer on floor {i} jams"})})
        if i % 10 == 3:
            client.xadd("tickets", {"data": json.dumps({"ticket_id": f"T-{i}", "body": f"Ticket {i}: the printer on floor {i} jams"})})
        if i % 10 == 7:
            client.xadd("tickets", {"data": "{not json" if i % 20 == 7 else json.dumps({"ticket_id": f"T-{i}"})})


@pytest.mark.parametrize(
    ("point", "restart"),
    [("before_commit", "same name"), ("before_commit", "claimed"), pytest.param("before_store", "claimed", marks=pytest.mark.slow)],
)
def test_sigkill_mid_batch_loses_and_duplicates_nothing(
    point: str, restart: str, redis_server: str, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis

    config_dir = tmp_path / "sources"
    config_dir.mkdir()
    stream = {"name": "tickets", "schema": TICKETS, "text_fields": ["body"], "id_field": "ticket_id", "batch_messages": 20, "claim_idle_ms": 500}
    (config_dir / "tickets.yaml").write_text(yaml.safe_dump({"stream": stream}))
    env = {"HEADWATER_HOME": str(settings.home), "HEADWATER_CONFIG_DIR": str(config_dir), "HEADWATER_STREAM_REDIS_URL": redis_server}
    client = redis.Redis.from_url(redis_server, decode_responses=True)
    _publish(client)
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, point, str(marker)],
        env={**os.environ, **env, "PYTHONPATH": str(INCLUDE), "HF_HUB_OFFLINE": "1"},
    )
    try:
        deadline = time.monotonic() + 240
        while not marker.exists():
            assert child.poll() is None, f"the consumer exited with {child.returncode}"
            assert time.monotonic() < deadline, "the consumer never reached its first batch"
            time.sleep(0.1)
        store = VectorStore(Layout(settings.data_dir).vectors, settings.vector_table)
        written = store.count()
        assert written == (17 if point == "before_commit" else 0)  # the first 20 entries: 17 tickets, 2 copies, an invalid one
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    assert client.xpending("tickets", "headwater")["pending"] == 20 and client.hgetall("headwater:stream:tickets:counts") == {}

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if restart == "claimed":
        time.sleep(0.6)  # past claim_idle_ms: the dead consumer's messages are claimable
    got = serve(Settings.from_env(), "tickets", "worker-1" if restart == "same name" else "worker-2", idle_exit_s=1.0)
    assert got == Counts(received=60, processed=50, duplicate=5, dead_lettered=5)
    stored = VectorStore(Layout(settings.data_dir).vectors, settings.vector_table)
    ids = stored.ids()
    assert len(ids) == len(set(ids)) == 50
    assert client.xlen("tickets:out") == 50 and client.xlen("tickets:dead") == 5
    assert client.xpending("tickets", "headwater")["pending"] == 0
    assert {k: int(v) for k, v in client.hgetall("headwater:stream:tickets:counts").items()} == {
        "received": 60, "processed": 50, "duplicate": 5, "dead_lettered": 5
    }
