"""Memory of the running process, as Linux reports it in /proc/self/status (proc(5)).

A benchmark phase runs in a fresh process (fork + exec from the driver) and reports its own
peak with ``peak_mb``: ``VmHWM``, the high-water mark of the resident set of this address space,
which starts over at exec. ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` does not: "resource
usage metrics are preserved across an execve(2)" (getrusage(2)), and a forked child starts with
its parent's resident pages, so every phase started from a driver that once used a lot of memory
would report at least the driver's size at the fork.
"""

from __future__ import annotations

from pathlib import Path


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])  # "VmHWM:	  123456 kB"
    raise KeyError(f"{field} not in /proc/self/status (Linux only)")


def rss_mb() -> float:
    """Resident set size of this process now, MB (``VmRSS``)."""
    return _status_kb("VmRSS") / 1024


def peak_mb() -> float:
    """Peak resident set size of this process since it started (exec), MB (``VmHWM``)."""
    return _status_kb("VmHWM") / 1024
