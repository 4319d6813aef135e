"""Scaling simulation: one day of N small landing files on the local CeleryExecutor cluster (scripts/cluster.py).

Generates ``--files`` small support-ticket TSV files (4 rows each, distinct text, so nothing is a
duplicate), uploads them to the cluster's S3 landing zone for one date, triggers
``headwater_ingest`` through the REST API and measures:

* wall time of the run (trigger to end) and task instances per second;
* scheduler CPU seconds per task instance: the scheduler process's (and its children's) user +
  system CPU time from ``/proc/<pid>/stat`` (utime, stime, cutime, cstime; proc(5)) over the run,
  divided by the run's task instances; the same for the dag-processor and the api-server;
* queue latency per task instance from the metadata DB's ``task_instance`` table: scheduled ->
  queued (the scheduler) and queued -> started (Celery and the worker), medians;
* metadata DB growth: ``pg_database_size('airflow')`` before and after, per task instance;
* task seconds per file per stage: each task's summed run time (end - start, from
  ``task_instance``) over the files of the day, and each stage's median task run time;
* vector-store write rate: vectors in the LanceDB table over the embed tasks' summed run time,
  and the table versions (one per commit) the day added, which compaction must fold;

then extrapolates linearly to ``--target`` files a day (default 10,000). Prints one JSON object.
The cluster is started under ``--home`` (default ``.headwater/cluster-bench``) and wiped
afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "scripts"))
import cluster as cluster_script  # noqa: E402

DATE = "2026-11-25"  # a past date: the scheduler refuses to start a run whose logical date is in the future
DAG = "headwater_ingest"
WORDS = (
    "trail shoe outsole glue upper mesh invoice refund order parcel tracking checkout card error size fit return "
    "jacket zipper tent pole sleeping bag headlamp battery warranty replacement delivery address account password"
).split()
HEADER = "TICKET_ID\tCUSTOMER_EMAIL\tSUBJECT\tBODY\tCREATED_AT\tPRIORITY\n"
ROWS_PER_FILE = 4


def make_files(n: int, seed: int = 11) -> dict[str, bytes]:
    """``n`` small ticket files (name -> TSV bytes), ``ROWS_PER_FILE`` rows each with distinct ids and text."""
    rng = random.Random(seed)
    files = {}
    for f in range(n):
        lines = [HEADER]
        for r in range(ROWS_PER_FILE):
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 30))) + f" (file {f}, row {r})."
            lines.append(f"T-{f}-{r}\tc{f}.{r}@example.com\tTicket {f}-{r}\t{body}\t2026-11-30T0{r}:00:00Z\tlow\n")
        files[f"tickets_{f:05d}.csv"] = "".join(lines).encode()
    return files


def cpu_seconds(pid: int | None) -> float:
    """utime + stime + cutime + cstime of ``pid`` in seconds (proc(5)), 0.0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    except (OSError, IndexError, TypeError):
        return 0.0
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def metadata(running, run_id: str) -> dict:
    """Database size and the run's task-instance timings from the metadata DB."""
    import psycopg

    with psycopg.connect(running.db_url("airflow", "postgresql")) as db:
        size = db.execute("SELECT pg_database_size('airflow')").fetchone()[0]
        rows = db.execute(
            "SELECT task_id, EXTRACT(EPOCH FROM queued_dttm - scheduled_dttm), EXTRACT(EPOCH FROM start_date - queued_dttm),"
            " EXTRACT(EPOCH FROM end_date - start_date) FROM task_instance WHERE dag_id = %s AND run_id = %s",
            (DAG, run_id),
        ).fetchall()
    return {"db_bytes": size, "tis": rows}


FIXED_TASKS = 3  # discover, link, report: once per run, whatever the number of files


def extrapolate(files: int, tis: int, wall_s: float, scheduler_cpu_s: float, db_growth: int, versions: int, target: int,
                max_map_length: int = 1024) -> dict:
    """Linear extrapolation of one measured run of ``files`` files to ``target`` files a day.

    Task instances, scheduler CPU, metadata-DB growth and LanceDB versions scale with the mapped
    task groups, which are ``min(target, max_map_length)`` (the file list is batched past it,
    headwater.discovery.batches); the wall time on this cluster is given for both the task-bound
    estimate (same seconds per task instance) and the per-file mapping without the limit.
    """
    measured_groups = min(files, max_map_length)
    per_group = (tis - FIXED_TASKS) / measured_groups
    groups = min(target, max_map_length)
    batched_tis = per_group * groups + FIXED_TASKS
    unbatched_tis = per_group * target + FIXED_TASKS
    return {
        "files": target, "max_map_length": max_map_length, "mapped_groups": groups, "task_instances": round(batched_tis),
        "task_instances_one_group_per_file": round(unbatched_tis),
        # the measured run's wall time scaled by files (work grows with files, not with groups)
        "wall_h_on_this_cluster": round(wall_s * target / files / 3600, 1),
        "scheduler_cpu_h": round(scheduler_cpu_s / tis * batched_tis / 3600, 2),
        "metadata_db_growth_mb_per_day": round(db_growth / tis * batched_tis / 2**20),
        "lance_versions_per_day": round(versions / measured_groups * groups),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--target", type=int, default=10_000, help="files a day to extrapolate to")
    parser.add_argument("--home", type=Path, default=PROJECT / ".headwater" / "cluster-bench")
    parser.add_argument("--keep", action="store_true", help="leave the cluster running afterwards")
    parser.add_argument("--timeout", type=float, default=6 * 3600)
    parser.add_argument("--max-map-length", type=int, default=1024,
                        help="[core] max_map_length of the cluster: the day's files are batched into at most this many mapped groups")
    args = parser.parse_args(argv)
    os.environ["AIRFLOW__CORE__MAX_MAP_LENGTH"] = str(args.max_map_length)  # inherited by every cluster process

    running = cluster_script.up(args.home)
    try:
        import boto3

        s3 = boto3.client("s3", endpoint_url=running.s3_url, aws_access_key_id="b", aws_secret_access_key="b", region_name="us-east-1")
        for name, data in make_files(args.files).items():
            s3.put_object(Bucket=cluster_script.BUCKET, Key=f"landing/{DATE}/{name}", Body=data)
        running.api("PATCH", f"/dags/{DAG}", {"is_paused": False})
        time.sleep(10)  # let the unpause's catch-up settle: this measures one run of DATE
        pids = {name: cluster_script.read_pid(running, name) for name in ("scheduler", "dag-processor", "api-server")}
        cpu0 = {name: cpu_seconds(pid) for name, pid in pids.items()}
        db0 = metadata(running, "none")["db_bytes"]
        run_id = f"scale_{args.files}"
        started = time.monotonic()
        running.trigger(DAG, DATE, run_id)
        run = running.wait_run(DAG, run_id, timeout_s=args.timeout, poll_s=10)
        wall = time.monotonic() - started
        cpu = {name: cpu_seconds(pid) - cpu0[name] for name, pid in pids.items()}
        meta = metadata(running, run_id)
        tis = [t for t in meta["tis"] if t[3] is not None]
        n_tis = len(meta["tis"])
        embeds = [float(t[3]) for t in tis if t[0] == "index_file.embed"]
        stages: dict[str, list[float]] = {}
        for t in tis:
            stages.setdefault(t[0].rpartition(".")[2], []).append(float(t[3]))

        from headwater.embed.store import VectorStore

        import fsspec

        os.environ.update(running.aws_env())  # the data root is on the cluster's S3 server
        vectors = VectorStore(f"{running.data_dir}/vectors").count()
        fs, base = fsspec.core.url_to_fs(f"{running.data_dir}/vectors/chunks.lance/_versions")
        versions = len(fs.glob(f"{base}/*.manifest"))
        per_ti = {name: seconds / n_tis for name, seconds in cpu.items()}
        result = {
            "files": args.files, "max_map_length": args.max_map_length, "mapped_groups": min(args.files, args.max_map_length),
            "load_average_1m_at_end": round(os.getloadavg()[0], 1), "run_state": run["state"], "wall_s": round(wall, 1), "task_instances": n_tis,
            "task_instances_per_s": round(n_tis / wall, 3),
            "cpu_s_per_task_instance": {k: round(v, 3) for k, v in per_ti.items()},
            "median_scheduled_to_queued_s": round(statistics.median(float(t[1]) for t in tis if t[1] is not None), 2),
            "median_queued_to_started_s": round(statistics.median(float(t[2]) for t in tis if t[2] is not None), 2),
            "median_task_run_s": round(statistics.median(float(t[3]) for t in tis), 2),
            "task_s_per_file": {stage: round(sum(runs) / args.files, 3) for stage, runs in sorted(stages.items())},
            "median_task_run_s_by_stage": {stage: round(statistics.median(runs), 2) for stage, runs in sorted(stages.items())},
            "metadata_db_bytes": meta["db_bytes"], "metadata_db_growth_bytes": meta["db_bytes"] - db0,
            "metadata_db_bytes_per_task_instance": round((meta["db_bytes"] - db0) / n_tis),
            "vectors": vectors, "embed_tasks": len(embeds),
            "vectors_per_embed_task_s": round(vectors / sum(embeds), 2) if embeds else None,
            "lance_versions": versions,
            "extrapolated": extrapolate(args.files, n_tis, wall, cpu["scheduler"], meta["db_bytes"] - db0, versions, args.target,
                                        args.max_map_length),
        }
        print(json.dumps(result, indent=2))
    finally:
        if not args.keep:
            cluster_script.down(args.home, wipe=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
