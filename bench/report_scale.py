"""The per-date run report (headwater.report.report) over N finished files of one date, timed on its own.

Writes ``--files`` finished files' outputs straight into a fresh data root (local folder, or ``--s3``
a moto server's bucket with SQLite state): each a manifest with every stage done and its counts
(4 data records + 1 header = 5 records, 4 curated) and a 4-row curated Parquet table, the shapes the
stages leave (no ingest or clean runs: the report only reads what they wrote). Then times
``report()`` twice for the date with every file as the writing run's (``names``, as the `report`
task passes them), and once with none of them (another run's files: the whole-date path). Prints
one JSON object: seconds per call, files, failed files (0 expected).

``PYTHONPATH=include:plugins .venv/bin/python bench/report_scale.py --files 2000 [--s3]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "bench"))
sys.path.insert(0, str(PROJECT / "scripts"))
from link_scale import s3_data_root  # noqa: E402

DATE = "2026-11-25"
ROWS = 4


def _write_file(name: str) -> None:
    """One finished file of DATE: its manifest (every stage done) and its curated table."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from headwater.config.settings import Settings
    from headwater.manifest import STAGES, FileRef, layout
    from headwater.storage import atomic_path, write_json

    lay = layout(Settings.from_env(), DATE)
    ref = FileRef(DATE, name, "bench")
    table = pa.table({"ticket_id": [f"{name}-{r}" for r in range(ROWS)], "_source": [ref.source] * ROWS, "_line": list(range(2, 2 + ROWS))})
    with atomic_path(lay.curated(ref.key)) as tmp:
        pq.write_table(table, tmp)
    write_json(lay.manifest(ref.key), {
        "source": ref.source, "file": name, "date": DATE, "key": ref.key, "status": "ok", "action": "processed",
        "run_id": "bench", "records": ROWS + 1, "structural": {"header": 1}, "rows_read": ROWS, "curated": ROWS,
        "duplicates": 0, "quarantined": 0, "chunks": ROWS, "vectors": ROWS, "embedded": ROWS,
        "stages": {stage: {"seconds": 0.1} for stage in STAGES},
    })


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--s3", action="store_true", help="data root on a moto S3 server (scripts/servers.py)")
    parser.add_argument("--home", default=None, help="keep the data here (default: a temporary folder)")
    args = parser.parse_args(argv)
    home = Path(args.home or tempfile.mkdtemp(prefix="headwater-report-bench-"))
    os.environ.update(HEADWATER_HOME=str(home))
    with s3_data_root(home, args.s3):
        from headwater.config.settings import Settings
        from headwater.report import report

        names = [f"tickets_{f:05d}.csv" for f in range(args.files)]
        started = time.monotonic()
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(_write_file, names))
        prepared = time.monotonic() - started
        settings = Settings.from_env()
        times = {}
        for label, own in (("own_first_s", names), ("own_again_s", names), ("others_s", [])):
            started = time.monotonic()
            result = report(DATE, own, settings, run_id="bench")
            times[label] = round(time.monotonic() - started, 2)
            assert len(result["files"]) == args.files and result["totals"]["curated"] == ROWS * args.files, result["totals"]
        print(json.dumps({"files": args.files, "data_root": str(settings.data_dir), "prepare_s": round(prepared, 1),
                          **times, "failed": len(result["failed"])}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
