"""The date's link step (headwater.clean.link) on N small files of one date, timed on its own.

Generates ``--files`` ticket files the way ``bench/cluster_scale.py`` does (``make_files``: 4 rows
each, distinct text, so no row is a cross-file duplicate), ingests and cleans them into a fresh
data root (local folder, or ``--s3`` a moto server's bucket with SQLite state), then times
``link_date`` twice: the first link of the date, and a second one (a re-run, where nothing
changes). Prints one JSON object: seconds per phase and the files rewritten.

``PYTHONPATH=include:plugins .venv/bin/python bench/link_scale.py --files 2000 [--s3] [--profile]``
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "bench"))
sys.path.insert(0, str(PROJECT / "scripts"))
from cluster_scale import make_files  # noqa: E402

DATE = "2026-11-25"


def _prepare(names: list[str]) -> int:
    """Ingest and clean ``names`` (landing files of DATE) with this process's settings; the files done."""
    from headwater.clean.stage import clean
    from headwater.config.settings import Settings
    from headwater.ingest.stage import ingest
    from headwater.manifest import FileRef

    settings = Settings.from_env()
    landing = Path(os.environ["BENCH_LANDING"])
    for name in names:
        ref = FileRef(DATE, name, "bench")
        with (landing / DATE / name).open("rb") as source:
            info = ingest(source, ref, settings)
        if info["status"] != "quarantined":
            clean(FileRef.from_info(info, run_id="bench"), settings)
    return len(names)


def _clone(real: list[str], names: list[str]) -> None:
    """Give each of ``names`` the cleaned outputs of one of ``real`` (in turn) as if it had been cleaned itself: its
    manifest, key claim and curated table under its own name, with its own row ids and its file name in the
    id and text columns (so no row matches another file's). Ingesting and cleaning 2,000 files takes an hour
    on two shared cores; the link step only reads what cleaning left."""
    import pandas as pd

    from headwater.config.settings import Settings
    from headwater.manifest import FileRef, layout
    from headwater.storage import atomic_path, read_json, read_parquet, write_bytes, write_json

    lay = layout(Settings.from_env(), DATE)
    for k, name in enumerate(names):
        model = FileRef(DATE, real[k % len(real)])
        ref = FileRef(DATE, name)
        manifest = read_json(lay.manifest(model.key))
        manifest.update(file=name, key=ref.key, source=ref.source)
        table = read_parquet(lay.curated(model.key))
        table["_source"] = ref.source
        table["_row_id"] = [f"{name}:{line}" for line in table["_line"]]
        for column in ("ticket_id", "subject", "body"):
            table[column] = pd.Series([f"{v} [{name}]" for v in table[column]], dtype=table[column].dtype)
        write_bytes(lay.key_claim(ref.key), ref.source.encode())
        with atomic_path(lay.curated(ref.key)) as tmp:
            table.to_parquet(tmp, index=False)
        write_json(lay.manifest(ref.key), manifest)


@contextlib.contextmanager
def s3_data_root(home: Path, s3: bool = True) -> Iterator[None]:
    """With ``s3``: a moto S3 server (scripts/servers.py) with bucket ``bench`` while the block runs, this process's
    data root pointed at ``s3://bench/data`` (``AWS_*`` variables) with SQLite state under ``home``; else nothing."""
    if not s3:
        yield
        return
    import boto3
    import servers

    server = servers.start_moto()
    try:
        boto3.client("s3", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="x",
                     aws_secret_access_key="x").create_bucket(Bucket="bench")
        os.environ.update(AWS_ENDPOINT_URL=server.url, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x",
                          AWS_DEFAULT_REGION="us-east-1", HEADWATER_DATA_DIR="s3://bench/data",
                          HEADWATER_STATE_URL=f"sqlite:///{home}/state.sqlite")
        yield
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2, help="processes that ingest and clean (not timed)")
    parser.add_argument("--s3", action="store_true", help="data root on a moto S3 server (scripts/servers.py)")
    parser.add_argument("--profile", action="store_true", help="print the link step's top 25 functions by cumulative time")
    parser.add_argument("--home", default=None, help="keep the data here (default: a temporary folder)")
    parser.add_argument("--prepared", action="store_true", help="--home already holds the cleaned files (a copy of an earlier --home): only link")
    parser.add_argument("--clean", type=int, default=40,
                        help="files really ingested and cleaned; the other cleaned files are copies of them with their own names, ids and text (_clone)")
    parser.add_argument("--scope", choices=("file", "run", "history"), default=None,
                        help="the link step's dedup.scope for the files (a default.yaml in a config folder of --home); default: the project's config")
    parser.add_argument("--no-link", action="store_true", help="only generate, ingest and clean")
    args = parser.parse_args(argv)
    home = Path(args.home or tempfile.mkdtemp(prefix="headwater-link-bench-"))
    landing = home / "landing"
    if not args.prepared:
        (landing / DATE).mkdir(parents=True, exist_ok=True)
        for name, data in make_files(args.files).items():
            (landing / DATE / name).write_bytes(data)
    os.environ.update(HEADWATER_HOME=str(home), BENCH_LANDING=str(landing), HEADWATER_LANDING_URI=landing.as_uri())
    with s3_data_root(home, args.s3):
        names = sorted(p.name for p in (landing / DATE).iterdir())
        started = time.monotonic()
        if not args.prepared:
            real = names[:args.clean]
            chunks = [real[i::args.workers] for i in range(args.workers)]
            with ProcessPoolExecutor(args.workers) as pool:
                assert sum(pool.map(_prepare, chunks)) == len(real)
            _clone(real, names[len(real):])
        prepared = time.monotonic() - started
        if args.no_link:
            print(json.dumps({"files": len(names), "home": str(home), "prepare_s": round(prepared, 1)}))
            return 0

        if args.scope:
            config = home / f"config-{args.scope}"
            config.mkdir(exist_ok=True)
            (config / "default.yaml").write_text(f"dedup: {{scope: {args.scope}}}\n", encoding="utf-8")
            os.environ["HEADWATER_CONFIG_DIR"] = str(config)

        from headwater.clean.link import link_date
        from headwater.config.settings import Settings

        settings = Settings.from_env()
        times = []
        for attempt in range(2):
            profile = cProfile.Profile() if args.profile and attempt == 0 else None
            started = time.monotonic()
            if profile:
                profile.enable()
            moved = link_date(DATE, settings, run_id=f"link-{attempt}")
            if profile:
                profile.disable()
                pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
            times.append(round(time.monotonic() - started, 2))
        print(json.dumps({"files": len(names), "data_root": str(settings.data_dir), "prepare_s": round(prepared, 1),
                          "scope": args.scope, "link_first_s": times[0], "link_again_s": times[1], "cross_file_duplicates": sum(moved.values())}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
