"""Embedding progress: exact lines from a fake clock, throttled, cache hits outside the rate."""

from headwater.embed.progress import Progress, format_duration


class Clock:
    """Returns the given times, one per call (fails when called more often than expected)."""

    def __init__(self, *times: float) -> None:
        self.times = list(times)

    def __call__(self) -> float:
        return self.times.pop(0)


def test_durations_read_as_seconds_minutes_hours() -> None:
    assert [format_duration(s) for s in (0, 42.4, 59.6, 197, 3599, 7384)] == ["0s", "42s", "1m 0s", "3m 17s", "59m 59s", "2h 3m"]


def test_progress_reports_the_first_step_then_every_n_seconds_then_the_end() -> None:
    states: list[dict] = []
    clock = Clock(0, 2, 7, 12, 15, 22, 25)
    progress = Progress("d/a.csv", 20_640, states.append, every=10, clock=clock)
    progress.add(512, 512)  # t=2: the first step reports
    progress.add(512, 512)  # t=7: 5 s after the last report, silent
    progress.add(1_000)  # t=12: cache hits are done but not in the rate; 10 s: reports
    progress.add(512, 512)  # t=15: silent
    progress.add(512, 512)  # t=22: reports
    progress.finish()  # t=25
    assert [s["line"] for s in states] == [
        "embed d/a.csv: 512/20,640 texts (2%), 256.0 texts/s, ETA 1m 19s",
        "embed d/a.csv: 2,024/20,640 texts (10%), 85.3 texts/s, ETA 3m 38s",
        "embed d/a.csv: 3,048/20,640 texts (15%), 93.1 texts/s, ETA 3m 9s",
        "embed d/a.csv: 3,048/20,640 texts (15%), 81.9 texts/s, finished in 25s",
    ]
    assert clock.times == []
    assert {k: states[-1][k] for k in ("done", "total", "encoded", "rate", "elapsed_s", "finished")} == {
        "done": 3048, "total": 20640, "encoded": 2048, "rate": 81.92, "elapsed_s": 25, "finished": True,
    }  # fmt: skip


def test_only_cache_hits_give_no_rate_and_no_eta() -> None:
    states: list[dict] = []
    progress = Progress("d/b.csv", 10, states.append, every=10, clock=Clock(0, 1, 2))
    progress.add(4)
    progress.finish()
    assert [s["line"] for s in states] == [
        "embed d/b.csv: 4/10 texts (40%), no text encoded yet",
        "embed d/b.csv: 4/10 texts (40%), no text encoded yet, finished in 2s",
    ]
    assert (states[0]["rate"], states[0]["eta_s"]) == (None, None)
