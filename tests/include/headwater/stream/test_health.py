"""headwater.stream.health: the consumer's file heartbeat and ``headwater stream-alive`` (the Kubernetes probes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from headwater.stream import health

INCLUDE = Path(__file__).resolve().parents[4] / "include"


def test_no_file_is_not_alive(tmp_path: Path) -> None:
    path = tmp_path / "hb"
    assert health.age(path) is None
    assert health.alive(path, 60) == (False, f"no heartbeat at {path}")


def test_age_is_seconds_since_the_last_beat_and_max_age_is_inclusive(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "hb"  # the folder is created
    health.beat(path, now=1_000.0)
    assert health.age(path, now=1_030.0) == 30.0
    assert health.alive(path, 30, now=1_030.0) == (True, "last heartbeat 30.0 s ago")
    assert health.alive(path, 30, now=1_030.5) == (False, "last heartbeat 30.5 s ago (> 30 s)")
    health.beat(path, now=1_100.0)  # a new beat moves the time forward
    assert health.age(path, now=1_100.0) == 0.0


def test_the_consumer_beats_after_every_batch_even_an_empty_one(client: Any, publish, consumer) -> None:
    beats: list[int] = []
    c = consumer()
    c.heartbeat = lambda: beats.append(c.counts.received)
    publish({"ticket_id": "T-1", "body": "Printer on fire"})
    publish({"ticket_id": 7})  # invalid: dead-lettered, still one batch
    counts = c.run(lambda: len(beats) >= 3)
    # batch 1 takes both messages; the two polls after it find nothing and still beat
    assert beats == [2, 2, 2] and counts.received == 2


def test_stream_alive_exits_0_when_fresh_and_1_when_stale_or_missing(tmp_path: Path) -> None:
    path = tmp_path / "hb"

    def probe(max_age: str) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "headwater.cli", "stream-alive", str(path), "--max-age", max_age]
        return subprocess.run(cmd, env={"PYTHONPATH": str(INCLUDE), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)

    missing = probe("60")
    assert (missing.returncode, missing.stderr.strip()) == (1, f"no heartbeat at {path}")
    health.beat(path)
    assert probe("60").returncode == 0
    health.beat(path, now=path.stat().st_mtime - 120)
    stale = probe("60")
    assert stale.returncode == 1 and stale.stderr.startswith("last heartbeat 12")
