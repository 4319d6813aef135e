"""A file heartbeat for the stream consumer, read by Kubernetes exec probes (``headwater stream-alive``).

The consumer calls ``beat(path)`` after every micro-batch, including an empty poll, so the file's age
is at most one poll (``block_ms``) plus one batch's processing time while the loop is healthy. It is
first written after the embedding model is loaded and the first Redis read succeeded: a fresh file
means "ready"; a stale one means the loop hangs (Redis unreachable while blocked, a stuck batch) and
the container should be restarted.

The time is the file's modification time (``os.utime``), set to the wall clock; ages are in seconds.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def beat(path: Path, now: float | None = None) -> None:
    """Set ``path``'s modification time to ``now`` (default: ``time.time()``), creating it and its folder when missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(exist_ok=True)
    stamp = time.time() if now is None else now
    os.utime(path, (stamp, stamp))


def age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the last ``beat`` on ``path`` (negative when the clock went back); None when it never beat."""
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return (time.time() if now is None else now) - mtime


def alive(path: Path, max_age_s: float, now: float | None = None) -> tuple[bool, str]:
    """``(ok, why)``: ok when ``path`` beat at most ``max_age_s`` seconds before ``now``."""
    seconds = age(path, now)
    if seconds is None:
        return False, f"no heartbeat at {path}"
    if seconds > max_age_s:
        return False, f"last heartbeat {seconds:.1f} s ago (> {max_age_s:g} s)"
    return True, f"last heartbeat {seconds:.1f} s ago"
