"""The ingest stage alone, per sub-step: CPU seconds per 100k rows and the stage's own peak RSS.

    python bench/ingest_profile.py --csv FILE.csv [--batch 100000] [--include DIR] [--repeat 1]

Runs headwater.ingest.stage.ingest (the production entry point) on ``FILE.csv`` in a fresh process
under cProfile with the CPU clock (``time.process_time``: every thread of the process, so Arrow's
parsing threads count, and a loaded machine moves the figures less than wall time would). Sub-steps
are the cumulative CPU time of the functions that do them (a function missing from the library
measured, e.g. before a change, reports 0):

* sniff: encoding, dialect and table detection on the head (table.find_table, sniff.head_encoding);
* read + hash + decode: streams.text_chunks (LandingStream reads and sha256, strict decoding);
* line blocks: bulk.LineBlocks._load less the decoding it pulls (cutting blocks at line ends, UTF-8 bytes);
* classify: bulk.LineBlocks._classify (plain lines, NumPy);
* Arrow parse: bulk.LineBlocks.take (``pyarrow.csv.read_csv`` on runs of plain lines);
* careful reader: csv_file.CsvFile._read_rows (lines the fast path leaves, csv.reader);
* staging write: ``ParquetWriter.write_table``;
* total: the whole call, and what the listed ones leave (batch assembly, line numbers, bookkeeping).

Prints one JSON line: ``cpu_per_100k`` by sub-step, ``wall_seconds``, ``peak_mb`` (``VmHWM``, bench/memory.py:
the profiler's own memory included, a few MB). ``--include``: the library to measure (default: this checkout's;
another checkout's ``include`` for a before/after).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from memory import peak_mb  # noqa: E402

# sub-step -> (file name ending, function name) of the functions whose cumulative CPU time it is
SUBSTEPS = {
    "sniff": [("ingest/table.py", "find_table"), ("ingest/sniff.py", "head_encoding")],
    "read + hash + decode": [("ingest/streams.py", "text_chunks")],
    "line blocks": [("ingest/bulk.py", "_load")],
    "classify": [("ingest/bulk.py", "_classify")],
    "Arrow parse": [("ingest/bulk.py", "take")],
    "careful reader": [("ingest/csv_file.py", "_read_rows")],
    "staging write": [("parquet/core.py", "write_table")],
}


def _cumulative(stats: pstats.Stats, wanted: list[tuple[str, str]]) -> float:
    return sum(v[3] for (file, _, name), v in stats.stats.items() if any(file.endswith(f) and name == n for f, n in wanted))  # type: ignore[attr-defined]


def measure(csv: Path, batch: int) -> dict:
    """Ingest ``csv`` once under the CPU-clock profiler; the sub-steps' CPU seconds per 100k rows, wall seconds and peak RSS."""
    from headwater.config.settings import Settings
    from headwater.ingest.stage import ingest
    from headwater.manifest import FileRef

    home = Path(tempfile.mkdtemp(prefix="ingest_profile_"))
    try:
        # the bench's source config unless one is set; passed, not put in os.environ (a caller's process keeps its own)
        config_dir = os.environ.get("HEADWATER_CONFIG_DIR") or str(ROOT / "bench" / "config" / "sources")
        settings = Settings(home=home, landing_uri=home.as_uri(), batch_rows=batch, config_dir=config_dir)
        profile = cProfile.Profile(time.process_time)
        wall = time.perf_counter()
        with open(csv, "rb") as source:
            info = profile.runcall(ingest, source, FileRef("2026-11-20", csv.name), settings)
        wall = time.perf_counter() - wall
    finally:
        shutil.rmtree(home, ignore_errors=True)
    stats = pstats.Stats(profile)
    total = max(v[3] for v in stats.stats.values())  # type: ignore[attr-defined]
    cpu = {k: _cumulative(stats, v) for k, v in SUBSTEPS.items()}
    cpu["line blocks"] -= cpu["read + hash + decode"] if cpu["line blocks"] else 0.0  # _load pulls the decoded chunks
    cpu["other"] = total - sum(cpu.values())
    cpu["total"] = total
    rows = info["rows_read"]
    return {"rows": rows, "cpu_per_100k": {k: v * 100_000 / rows for k, v in cpu.items()}, "wall_seconds": wall, "peak_mb": peak_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, required=True)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--include", type=Path, default=ROOT / "include", help="the library measured")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)  # the measuring process itself
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(measure(args.csv, args.batch)))
        return
    env = {**os.environ, "PYTHONPATH": str(args.include.resolve())}
    proc = subprocess.run([sys.executable, __file__, "--inner", "--csv", str(args.csv), "--batch", str(args.batch)],
                          capture_output=True, text=True, env=env, check=False)
    if proc.returncode:
        raise SystemExit(proc.stdout + proc.stderr)
    print(proc.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
