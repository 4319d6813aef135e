"""The clean stage alone, per step: seconds per 100k rows and the stage's own peak RSS.

    python bench/clean_profile.py --csv FILE.csv [--work DIR] [--batch 100000] [--profile OUT.prof] [--include DIR]

Ingest runs first (once per CSV: its staging table is kept under ``--work``), then the clean stage
(headwater.clean.stage.clean, the production entry point with the bench source config) runs in a
fresh process, so its peak RSS (``VmHWM``, bench/memory.py) is its own. Each step of
``build_steps`` is wrapped to time its ``apply`` (all batches) and its ``fit`` (whole-file dedup),
and the frame building, row ids, the outputs' writes (``curated parts``, ``commit``) and the spill between
passes (``spill write``, ``spill read``) are timed the same way, in wall seconds (``per_100k``) and in
CPU seconds of the process (``cpu_per_100k``: what to compare on a shared, loaded machine); a thread
samples the resident set (``VmRSS``) every 10 ms and keeps the highest sample seen while each step
ran (``peak_mb_by_step``: where the stage's peak comes from). Prints one JSON line. ``--include``: the
library to measure (default: this checkout's ``include``; another checkout's, for a before/after).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from memory import peak_mb, rss_mb  # noqa: E402

DATE = "2026-11-20"


class RssByLabel:
    """Peak resident set (``VmRSS``, MB) per label: a daemon thread samples every ``interval`` seconds and
    credits the sample to the label set last (``label``); samples taken with no label go to ``"other"``.

    A sampled peak can miss a spike shorter than the interval; ``VmHWM`` (``peak_mb``) does not.
    """

    def __init__(self, interval: float = 0.01) -> None:
        import threading

        self.peaks: dict[str, float] = {}
        self.label = "other"
        self._stop = threading.Event()
        self._interval = interval
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.sample()

    def sample(self) -> None:
        label, now = self.label, rss_mb()
        if now > self.peaks.get(label, 0.0):
            self.peaks[label] = now

    def stop(self) -> dict[str, float]:
        """Stop sampling; the peaks, MB rounded to 1, highest first."""
        self._stop.set()
        self._thread.join()
        return {k: round(v, 1) for k, v in sorted(self.peaks.items(), key=lambda kv: -kv[1])}


class _Timed:
    """A step whose ``apply`` and ``fit`` add their wall seconds to ``seconds`` and their CPU seconds
    (``time.process_time``) to ``cpu``, and set ``rss.label`` while they run; everything else is the step's."""

    def __init__(self, step, seconds: dict[str, float], cpu: dict[str, float], rss: RssByLabel | None = None) -> None:  # type: ignore[no-untyped-def]
        self._step, self._seconds, self._cpu, self._rss, self.name = step, seconds, cpu, rss, step.name

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._step, name)

    def _timed(self, key: str, call, *args):  # type: ignore[no-untyped-def]
        t, c = time.perf_counter(), time.process_time()
        if self._rss is not None:
            self._rss.label = key
        try:
            return call(*args)
        finally:
            if self._rss is not None:
                self._rss.sample()
                self._rss.label = "other"
            self._seconds[key] = self._seconds.get(key, 0.0) + time.perf_counter() - t
            self._cpu[key] = self._cpu.get(key, 0.0) + time.process_time() - c

    def apply(self, df):  # type: ignore[no-untyped-def]
        return self._timed(self.name, self._step.apply, df)

    def fit(self, columns):  # type: ignore[no-untyped-def]
        return self._timed(self.name + " (fit)", self._step.fit, columns)


def _settings(work: Path, batch: int):  # type: ignore[no-untyped-def]
    from headwater.config.settings import Settings

    return Settings(home=work / "data", landing_uri=(work / "data").as_uri(), batch_rows=batch,
                    config_dir=ROOT / "bench" / "config" / "sources")


def phase_ingest(csv: Path, work: Path, batch: int) -> dict:
    from headwater.ingest.stage import ingest
    from headwater.manifest import FileRef

    t0 = time.perf_counter()
    with open(csv, "rb") as source:
        info = ingest(source, FileRef(DATE, csv.name), _settings(work, batch))
    return {"seconds": time.perf_counter() - t0, "rows_read": info["rows_read"], "peak_mb": peak_mb()}


def phase_clean(csv: Path, work: Path, batch: int, profile: Path | None) -> dict:
    import headwater.clean.pipeline as pipeline
    import headwater.clean.runner as runner
    import headwater.clean.stage as stage
    from headwater.manifest import FileRef

    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def timed(key: str, fn):  # type: ignore[no-untyped-def]
        def call(*args, **kwargs):  # type: ignore[no-untyped-def]
            t, c = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[key] = seconds.get(key, 0.0) + time.perf_counter() - t
                cpu[key] = cpu.get(key, 0.0) + time.process_time() - c
        return call

    rss = RssByLabel()
    build = stage.build_steps
    stage.build_steps = lambda *a, **k: [_Timed(s, seconds, cpu, rss) for s in build(*a, **k)]
    pipeline.assign_row_ids = timed("row ids", pipeline.assign_row_ids)
    runner.frame_from_staging = timed("frame", runner.frame_from_staging)
    import headwater.clean.outputs as outputs

    # the outputs' writes: each batch's part, and the commit that makes the parts one file (curated, duplicates)
    outputs.CleanOutputs.add_curated = timed("curated parts", outputs.CleanOutputs.add_curated)
    outputs.CleanOutputs.commit = timed("commit", outputs.CleanOutputs.commit)
    # the kept rows between passes (a step that needs_fit): written after one pass, read back by the next
    runner._spill = timed("spill write", runner._spill)
    spilled = runner._spilled

    def spilled_timed(out):  # type: ignore[no-untyped-def]
        batches = spilled(out)
        while True:
            item = timed("spill read", next)(batches, None)
            if item is None:
                return
            yield item

    runner._spilled = spilled_timed
    settings = _settings(work, batch)
    t0, c0 = time.perf_counter(), time.process_time()
    if profile:
        import cProfile

        prof = cProfile.Profile(time.process_time)  # CPU seconds: on a shared machine, wall time is mostly waiting
        info = prof.runcall(stage.clean, FileRef(DATE, csv.name), settings)
        prof.dump_stats(profile)
    else:
        info = stage.clean(FileRef(DATE, csv.name), settings)
    total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
    by_step = rss.stop()
    rows = info.get("rows_read") or 1
    return {
        "seconds": total, "cpu_seconds": total_cpu, "peak_mb": peak_mb(), "rows": rows, "status": info.get("status"),
        "peak_mb_by_step": by_step,
        "per_100k": {k: round(v * 100_000 / rows, 3) for k, v in sorted(seconds.items(), key=lambda kv: -kv[1])},
        "total_per_100k": round(total * 100_000 / rows, 3),
        # CPU seconds: on a shared machine the wall clock above is mostly waiting for a core
        "cpu_per_100k": {k: round(v * 100_000 / rows, 3) for k, v in sorted(cpu.items(), key=lambda kv: -kv[1])},
        "cpu_total_per_100k": round(total_cpu * 100_000 / rows, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=ROOT / ".headwater" / "clean_profile")
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--include", type=Path, default=ROOT / "include", help="the headwater library to measure")
    parser.add_argument("--phase", choices=["ingest", "clean"])
    args = parser.parse_args()
    work = args.work / args.csv.stem
    if args.phase == "ingest":
        print(json.dumps(phase_ingest(args.csv, work, args.batch)))
        return
    if args.phase == "clean":
        print(json.dumps(phase_clean(args.csv, work, args.batch, args.profile)))
        return
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(args.include), os.environ.get("PYTHONPATH", "")]))
    if not any((work / "data").glob(f"**/staging/**/{args.csv.name}.parquet")):  # ingest once per CSV
        subprocess.run([sys.executable, __file__, "--phase", "ingest", "--csv", str(args.csv), "--work", str(args.work),
                        "--batch", str(args.batch)], check=True, env=env, stdout=subprocess.DEVNULL)
    extra = ["--profile", str(args.profile)] if args.profile else []
    out = subprocess.run([sys.executable, __file__, "--phase", "clean", "--csv", str(args.csv), "--work", str(args.work),
                          "--batch", str(args.batch), *extra], check=True, env=env, capture_output=True, text=True)
    print(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
