"""Progress of a long embedding: texts done, texts/s and ETA, reported at most every few seconds.

The embed stage feeds one ``Progress`` per file: a line in the task log
(``embed 2026-11-20/tweets.csv: 1,536/20,640 texts (7%), 97.1 texts/s, ETA 3m 17s``) and a
small JSON file (``Layout.embed_progress``) that ``headwater run`` turns into a progress bar.
The clock is a parameter, so the lines are exact in tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def format_duration(seconds: float) -> str:
    """``42`` -> ``42s``, ``197`` -> ``3m 17s``, ``7384`` -> ``2h 3m`` (rounded to whole seconds)."""
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60}s"
    return f"{s // 3600}h {s % 3600 // 60}m"


@dataclass
class Progress:
    """Texts handled out of ``total``; ``report(state)`` runs on the first step, then at most every ``every`` seconds, and at ``finish``.

    ``done`` counts texts handled (found in the cache or encoded); the rate counts only texts the
    model encoded (``encoded``) per second since the start, so cache hits do not inflate it; the
    ETA is the texts left over that rate (an upper bound when some of them are cached). ``clock``
    returns seconds (``time.monotonic`` by default).
    """

    label: str
    total: int
    report: Callable[[dict[str, Any]], None]
    every: float = 10.0
    clock: Callable[[], float] = time.monotonic
    done: int = 0
    encoded: int = 0
    started: float = field(init=False)
    last: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def add(self, handled: int, encoded: int = 0) -> None:
        """``handled`` more texts are done, ``encoded`` of them by the model; reports when ``every`` seconds passed."""
        self.done += handled
        self.encoded += encoded
        now = self.clock()
        if self.last is None or now - self.last >= self.every:
            self.last = now
            self.report(self.state(now))

    def finish(self) -> None:
        """Report the final state (all texts done) whatever the time since the last report."""
        self.last = self.clock()
        self.report(self.state(self.last, finished=True))

    def state(self, now: float, finished: bool = False) -> dict[str, Any]:
        """{"label", "done", "total", "encoded", "rate" (texts/s or None), "eta_s" (or None), "elapsed_s", "finished", "line"}."""
        elapsed = now - self.started
        rate = self.encoded / elapsed if self.encoded and elapsed > 0 else None
        left = max(self.total - self.done, 0)
        eta = 0.0 if left == 0 else (left / rate if rate else None)
        percent = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        line = f"embed {self.label}: {self.done:,}/{self.total:,} texts{percent}"
        line += f", {rate:.1f} texts/s" if rate else ", no text encoded yet"
        if finished:
            line += f", finished in {format_duration(elapsed)}"
        elif eta is not None:
            line += f", ETA {format_duration(eta)}"
        return {
            "label": self.label, "done": self.done, "total": self.total, "encoded": self.encoded, "rate": rate,
            "eta_s": eta, "elapsed_s": elapsed, "finished": finished, "line": line,
        }  # fmt: skip
