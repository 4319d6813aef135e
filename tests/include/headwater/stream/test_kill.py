"""SIGKILL a consumer process mid-batch: on restart (same name) or when another consumer claims its messages,
nothing is lost or duplicated in the vector store, and the counts still add up exactly."""

from __future__ import annotations

from typing import Any

import pytest

from headwater.config.settings import Settings
from headwater.stream.consumer import serve
from headwater.stream.source import Counts

# The consumer process: `serve`, with a pause at ``point`` of the first batch (a marker file says it is there)
# so the test kills it at a known place: before the vector store is written, or after it and before the commit.
CHILD = """
import sys, time
from pathlib import Path
from headwater.config.settings import Settings
from headwater.stream import batch, redis_source
from headwater.stream.consumer import serve

marker, point = Path(sys.argv[1]), sys.argv[2]

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


@pytest.mark.parametrize(
    ("point", "restart"),
    [("before_commit", "same name"), ("before_commit", "claimed"), pytest.param("before_store", "claimed", marks=pytest.mark.slow)],
)
def test_sigkill_mid_batch_loses_and_duplicates_nothing(
    point: str, restart: str, client: Any, publish, sixty, vectors, stream_env, kill_at_marker
) -> None:
    import time

    env = stream_env(claim_idle_ms=500)
    sixty(publish)
    _, kill = kill_at_marker(CHILD, env, point)
    assert vectors().count() == (17 if point == "before_commit" else 0)  # the first 20 entries: 17 tickets, 2 copies, an invalid one
    kill()
    assert client.xpending("tickets", "headwater")["pending"] == 20 and client.hgetall("headwater:stream:tickets:counts") == {}

    stream_env.apply(env)
    if restart == "claimed":
        time.sleep(0.6)  # past claim_idle_ms: the dead consumer's messages are claimable
    got = serve(Settings.from_env(), "tickets", "worker-1" if restart == "same name" else "worker-2", idle_exit_s=1.0)
    assert got == Counts(received=60, processed=50, duplicate=5, dead_lettered=5)
    ids = vectors().ids()
    assert len(ids) == len(set(ids)) == 50
    assert client.xlen("tickets:out") == 50 and client.xlen("tickets:dead") == 5
    assert client.xpending("tickets", "headwater")["pending"] == 0
    assert {k: int(v) for k, v in client.hgetall("headwater:stream:tickets:counts").items()} == {
        "received": 60, "processed": 50, "duplicate": 5, "dead_lettered": 5
    }
