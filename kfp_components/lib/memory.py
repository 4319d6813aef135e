"""Peak memory of a block of work, on GPU or CPU.

GPU: ``torch.cuda.max_memory_allocated`` after a reset (exact, tensors only).
CPU: there is no allocator counter, and tracemalloc does not see torch's
allocations, so a thread samples the process RSS every few milliseconds and the
result is peak RSS minus RSS at entry. That is approximate: memory freed by an
earlier model may be reused without raising RSS.
"""

from __future__ import annotations

import os
import threading
import time
from types import TracebackType

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def current_rss_bytes() -> int:
    """Resident set size from /proc (Linux, which is where the pods run)."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * _PAGE_SIZE


class PeakMemory:
    """``with PeakMemory() as peak: ...`` then ``peak.megabytes`` and ``peak.source``."""

    def __init__(self, interval_s: float = 0.005) -> None:
        import torch

        self._cuda = torch.cuda.is_available()
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._baseline = 0
        self._peak = 0
        self.megabytes = 0.0
        self.source = "cuda max_memory_allocated" if self._cuda else "cpu RSS delta (sampled)"

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._peak = max(self._peak, current_rss_bytes())
            time.sleep(self._interval_s)

    def __enter__(self) -> PeakMemory:
        import torch

        if self._cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self._baseline = torch.cuda.memory_allocated()
        else:
            self._baseline = self._peak = current_rss_bytes()
            self._thread = threading.Thread(target=self._sample, name="peak-rss", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        import torch

        if self._cuda:
            torch.cuda.synchronize()
            peak = torch.cuda.max_memory_allocated()
        else:
            self._stop.set()
            assert self._thread is not None
            self._thread.join()
            peak = max(self._peak, current_rss_bytes())
        self.megabytes = max(peak - self._baseline, 0) / 2**20
