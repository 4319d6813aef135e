"""``headwater`` command line: run the ingest and fine-tune DAGs locally, search the vector store, show a report."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from datetime import date as date_cls
from pathlib import Path

from headwater import localenv
from headwater.config.settings import env_name


def _airflow(*args: str, log, env: dict[str, str]) -> int:
    exe = Path(sys.executable).with_name("airflow")
    cmd = [str(exe) if exe.exists() else "airflow", *args]
    return subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env})


def _run_dag(dag_id: str, date: str, conf: str, log, env: dict[str, str], wait: bool = False) -> int:
    """Run ``dag_id`` for ``date`` in a subprocess (plugins/headwater_local/run_date.py): ``airflow dags test``
    with the run the scheduler would create for that date, and each task's output in its task log.

    Returns the subprocess's exit status; ``localenv.RUN_BUSY`` when the date is being run already on
    this Airflow home (``wait``: wait for that run instead), after printing why to stderr.
    """
    plugins = env.get("AIRFLOW__CORE__PLUGINS_FOLDER", "")
    path = os.pathsep.join(p for p in (plugins, os.environ.get("PYTHONPATH", "")) if p)
    cmd = [sys.executable, "-m", "headwater_local.run_date", dag_id, date, "--conf", conf, *(["--wait"] if wait else [])]
    rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env, "PYTHONPATH": path})
    if rc == localenv.RUN_BUSY:
        holder = localenv.run_holder(localenv.run_lock_path(env["AIRFLOW_HOME"], dag_id, date))
        print(localenv.busy_message(dag_id, date, holder) if holder else
              f"{dag_id} {date}: a live run of the date holds this Airflow database; nothing was started (see the log)",
              file=sys.stderr)
    return rc


def _log_path(env: dict[str, str], name: str) -> Path:
    logs = Path(env[env_name("home")]) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    return logs / name


def ensure_airflow_db(env: dict[str, str], log) -> None:
    """Create/upgrade the local SQLite metadata DB (a no-op when it is current); point airflow.cfg at the project."""
    db = Path(env["AIRFLOW_HOME"]) / "airflow.db"
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    marker = Path(env["AIRFLOW_HOME"]) / ".migrated"
    if not (db.exists() and marker.exists()):
        print(f"initializing Airflow metadata DB at {db} ...", flush=True)
        if _airflow("db", "migrate", log=log, env=env) != 0:
            raise SystemExit(f"airflow db migrate failed — see {log.name}")
        marker.touch()
    localenv.write_airflow_cfg(env)  # after migrate, which generates the file with Airflow's defaults


def embedding_progress(folder: Path, since: float) -> tuple[int, int, float]:
    """(texts done, texts in all, texts/s) over the embed stage's progress files in ``folder`` written since ``since``.

    ``folder``: ``Layout.embed_progress_dir()`` of the run's date; each file is one landing
    file's latest ``headwater.embed.progress`` state. The rate sums the files still embedding.
    """
    from headwater.storage import read_json

    done = total = 0
    rate = 0.0
    for path in sorted(folder.glob("*.embed.json")) if folder.exists() else []:
        if path.stat().st_mtime < since:
            continue  # left from an earlier run
        state = read_json(path) or {}
        done += int(state.get("done", 0))
        total += int(state.get("total", 0))
        rate += 0.0 if state.get("finished") else float(state.get("rate") or 0.0)
    return done, total, rate


def _progress(settings, date: str, total_files: int, stop: threading.Event) -> None:
    """Progress bars over file stages (from the manifests the tasks write) and, while files embed, over texts."""
    from tqdm import tqdm

    from headwater.embed.progress import format_duration
    from headwater.manifest import STAGES, layout
    from headwater.storage import read_json

    total = max(total_files, 1) * len(STAGES)
    folder = layout(settings, date).manifests_dir()
    progress_dir = layout(settings, date).embed_progress_dir()
    started = time.time()
    texts = None
    # disable=None: a bar on a terminal, silence in CI logs
    with tqdm(total=total, desc=f"headwater_ingest {date}", unit="stage", file=sys.stderr, disable=None) as bar:
        while not stop.is_set():
            embedded, to_embed, rate = embedding_progress(progress_dir, started)
            if to_embed and texts is None:
                texts = tqdm(total=to_embed, desc="embedding", unit="text", file=sys.stderr, disable=None, position=1, leave=False)
            if texts is not None:
                texts.total, texts.n = to_embed, embedded
                eta = f", ETA {format_duration((to_embed - embedded) / rate)}" if rate else ""
                texts.set_postfix_str(f"{rate:.1f} texts/s{eta}" if rate else "", refresh=False)
                texts.refresh()
            done = 0
            for path in folder.glob("*.json") if folder.exists() else []:
                m = read_json(path) or {}
                if m.get("stages", {}).get("ingest") is None:
                    continue
                stamp = path.stat().st_mtime
                if stamp < started:
                    continue  # left from an earlier run
                done += len(STAGES) if m.get("status") == "quarantined" else len(m.get("stages", {}))
            bar.n = min(done, total)
            bar.refresh()
            stop.wait(0.5)
        bar.n = total if done >= total else bar.n
        bar.refresh()
        if texts is not None:
            texts.close()


def before_start(day: str, start: date_cls) -> str | None:
    """The error for a run of ``day`` (YYYY-MM-DD) before the DAGs' ``start_date`` (``HEADWATER_START_DATE``), else None.

    Airflow creates such a run and marks it successful with no task run, so the CLI says so instead.
    """
    if date_cls.fromisoformat(day) >= start:
        return None
    return (f"{day} is before the DAGs' start date {start.isoformat()} (HEADWATER_START_DATE): Airflow would mark the run "
            f"successful without running a task. Nothing was started; set HEADWATER_START_DATE={day} (or earlier) to run it.")


def _settings_for(day: str):  # type: ignore[no-untyped-def]
    """The environment's Settings (``Settings.from_env``) for a run of ``day``, or None after printing ``before_start``'s
    error to stderr when ``day`` is before the DAGs' start date (the caller exits 2)."""
    from headwater.config.settings import Settings

    settings = Settings.from_env()
    early = before_start(day, settings.start_date)
    if early:
        print(early, file=sys.stderr)
        return None
    return settings


def cmd_run(args: argparse.Namespace) -> int:
    env = localenv.local_env()
    if args.landing:
        env[env_name("landing_uri")] = args.landing
    localenv.apply(env)
    from headwater.discovery import list_local
    from headwater.manifest import layout
    from headwater.report import format_report
    from headwater.storage import read_json

    settings = _settings_for(args.date)
    if settings is None:
        return 2
    # a run of the date already going writes run-<date>.log: this one gets its own file, not a truncated copy of that one
    busy = localenv.run_held(env["AIRFLOW_HOME"], "headwater_ingest", args.date)
    log_path = _log_path(env, f"run-{args.date}.{os.getpid()}.log" if busy else f"run-{args.date}.log")
    with open(log_path, "w") as log:
        ensure_airflow_db(env, log)
        try:
            count = len(list_local(settings.landing_uri, args.date).files)
            print(f"{count} file(s) in {settings.landing_uri}/{args.date}; Airflow log: {log_path}", flush=True)
        except Exception as exc:  # only the progress bar's total: the DAG lists the landing zone itself, through its Airflow connection
            count = 0
            print(f"could not count the files in {settings.landing_uri}/{args.date} here ({type(exc).__name__}: {exc}); "
                  f"the DAG lists them itself; Airflow log: {log_path}", flush=True)
        stop = threading.Event()
        bar = threading.Thread(target=_progress, args=(settings, args.date, count, stop), daemon=True)
        if not args.verbose:
            bar.start()
        conf = json.dumps({"force": bool(getattr(args, "force", False)), "dry_run": bool(getattr(args, "dry_run", False))})
        rc = _run_dag("headwater_ingest", args.date, conf, log=None if args.verbose else log, env=env, wait=bool(getattr(args, "wait", False)))
        stop.set()
        if bar.is_alive():
            bar.join()
    if rc == localenv.RUN_BUSY:
        return rc  # the other run's report is not this one's
    report = read_json(layout(settings, args.date).report())
    if report is None:
        print(f"no run report was written — see {log_path}", file=sys.stderr)
        return rc or 1
    print()
    print(format_report(report))
    print(f"{'log:':<12} {log_path}")
    if rc != 0 or report["failed"]:
        print(f"\nrun FAILED (airflow exit {rc}); failed files: {report['failed']}", file=sys.stderr)
        return rc or 1
    return 0


def cmd_finetune(args: argparse.Namespace) -> int:
    """Run headwater_finetune locally (headwater_local.run_date, like airflow dags test) and print the latest model's eval table."""
    env = localenv.local_env()
    localenv.apply(env)
    from headwater.finetune.registry import ModelRegistry
    from headwater.finetune.report import format_eval_table

    settings = _settings_for(args.date)
    if settings is None:
        return 2
    registry = ModelRegistry(settings.data_dir)
    before = registry.latest()
    conf = {k: v for k, v in {"force": args.force or None, "base_model": args.base_model, "epochs": args.epochs,
                              "lora_r": args.lora_r, "lora_alpha": args.lora_alpha,
                              "min_new_examples": args.min_new_examples}.items() if v is not None}
    log_path = _log_path(env, f"finetune-{args.date}.log")
    with open(log_path, "w") as log:
        ensure_airflow_db(env, log)
        print(f"headwater_finetune {args.date}: export, then QLoRA fine-tune + quantized eval "
              f"(kfp.local in .venv-kfp unless a kfp_default connection exists); Airflow log: {log_path}", flush=True)
        started = time.time()
        rc = _run_dag("headwater_finetune", args.date, json.dumps(conf), log=None if args.verbose else log, env=env)
    if rc == localenv.RUN_BUSY:
        return rc
    after = registry.latest()
    if rc != 0:
        print(f"\nfine-tune FAILED (airflow exit {rc}) — see {log_path}", file=sys.stderr)
        return rc
    if after is None:
        print("no model was fine-tuned: too few examples (see the `decide` task in the log); "
              "`headwater finetune --force` runs anyway", file=sys.stderr)
        return 1
    print()
    if before is not None and (before["model_version"], before["recorded_at"]) == (after["model_version"], after["recorded_at"]):
        print("No fine-tune this time: too few new examples since the last model (`make run FORCE=1` or "
              "`headwater finetune --force` retrains). The current model:")
    else:
        print(f"fine-tuned in {time.time() - started:.0f} s ({after['mode']} mode)")
    print(format_eval_table(after))
    if after.get("eval_report_path"):
        print(f"{'report:':<12} {after['eval_report_path']}")
    if after.get("adapter_path"):
        print(f"{'adapter:':<12} {after['adapter_path']}")
    print(f"{'registry:':<12} {registry.root / after['model_version'] / 'record.json'}")
    print(f"{'log:':<12} {log_path}")
    return 0


def cmd_backfill(args: argparse.Namespace) -> int:
    """Run every date of a range, oldest first, like `airflow backfill create` does on a scheduler."""
    from headwater.discovery import dates_between

    if args.date_to is not None and args.date_to < args.date_from:
        print(f"--to {args.date_to} is before --from {args.date_from}: give the first date with --from", file=sys.stderr)
        return 2
    failed = []
    days = list(dates_between(args.date_from, args.date_to, default=args.date_from))
    for day in days:
        print(f"\n=== {day} ===", flush=True)
        if cmd_run(argparse.Namespace(date=day, landing=args.landing, verbose=args.verbose, force=args.force, dry_run=False, wait=args.wait)):
            failed.append(day)
    refreshed = _refresh_day_orders(days)
    if refreshed:
        print(f"\nday-order warnings computed again once the range ran (a date run before the later dates it named): "
              f"{', '.join(refreshed)}", flush=True)
    if failed:
        print(f"\nbackfill finished with failed dates: {failed}", file=sys.stderr)
        return 1
    return 0


def _refresh_day_orders(days: list[str]) -> list[str]:
    """The day-order warnings of the backfilled ``days`` as the state database gives them once every date ran
    (headwater.report.refresh_day_orders_claimed, breaker8 #9): an earlier date skipped before the later dates of the
    range ran again no longer tells to run them again. Returns the sources rewritten."""
    import uuid

    from headwater.config.settings import Settings
    from headwater.report import refresh_day_orders_claimed

    return refresh_day_orders_claimed(days, Settings.from_env(), f"headwater-backfill+{uuid.uuid4().hex}", "backfill.refresh_day_orders")


def cmd_search(args: argparse.Namespace) -> int:
    localenv.apply(localenv.local_env())
    from dataclasses import asdict

    from headwater.config.rows import ROW_COLUMN
    from headwater.config.settings import Settings
    from headwater.embed.cache import encoder_for
    from headwater.embed.search import SearchFilter, search
    from headwater.embed.store import VectorStore

    settings = Settings.from_env()
    store = VectorStore.for_settings(settings)
    if store.count() == 0:
        print("the vector store is empty — run `make run` (or `headwater run --date D`) first", file=sys.stderr)
        return 1
    if args.date and (args.date_from or args.date_to):
        print("give --date, or --from/--to, not both", file=sys.stderr)
        return 2
    date_from, date_to = (args.date, args.date) if args.date else (args.date_from, args.date_to)
    where = SearchFilter(tuple(args.source), tuple(args.file), date_from, date_to, tuple(args.column))
    query = encoder_for(settings).encode([args.query], 1)[0]  # the backend that embedded the table
    hits = search(store, args.query, query, k=args.k, where=where, hybrid=args.hybrid)
    if args.json:
        print(json.dumps([asdict(h) for h in hits], indent=2, ensure_ascii=False))
        return 0
    if not hits:
        print("no match — widen the filters (--source, --file, --date, --column)", file=sys.stderr)
    for rank, h in enumerate(hits, 1):
        what = "row document" if h.column == ROW_COLUMN else h.column
        print(f"{rank}. score {h.score:.3f}  {h.source_file}  line {h.line}  [{what}]")
        text = " | ".join(line.strip() for line in h.text.splitlines() if line.strip()) if h.column == ROW_COLUMN else " ".join(h.text.split())
        print(f"   {text[:200]}{'...' if len(text) > 200 else ''}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    localenv.apply(localenv.local_env())
    from headwater.config.settings import Settings
    from headwater.manifest import layout
    from headwater.report import current_day_orders, format_report
    from headwater.storage import read_json

    settings = Settings.from_env()
    report = read_json(layout(settings, args.date).report())
    if report is None:
        print(f"no report for {args.date}", file=sys.stderr)
        return 1
    print(format_report(current_day_orders(report, settings)))
    return 0


def cmd_stream(args: argparse.Namespace) -> int:
    localenv.apply(localenv.local_env())
    import logging

    from headwater.config.settings import Settings

    settings = Settings.from_env()
    if args.counts:
        from headwater.config.source import load_sources
        from headwater.stream.redis_source import RedisMemory

        options = load_sources(settings.config_dir).for_stream(args.stream).stream
        counts = RedisMemory(settings.stream_redis_url, options).counts()  # Redis or Kafka: the counts live in Redis
        print(json.dumps({**vars(counts), "balanced": counts.balanced}))
        return 0
    from headwater.stream.consumer import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    counts = serve(settings, args.stream, args.consumer, args.idle_exit, args.heartbeat)
    print(json.dumps(vars(counts)))
    return 0


def cmd_stream_alive(args: argparse.Namespace) -> int:
    """Exit 0 when the consumer's heartbeat file is at most ``--max-age`` seconds old, else 1 (a Kubernetes exec probe)."""
    from headwater.stream.health import alive

    ok, why = alive(args.heartbeat, args.max_age)
    print(why, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


SERVICES = ("scheduler", "dag-processor", "triggerer", "api-server")


def cmd_ui(args: argparse.Namespace) -> int:
    """Start the local Airflow (scheduler, dag-processor, triggerer, api-server) until Ctrl-C, then stop it."""
    import signal

    def interrupt(signum, frame) -> None:  # noqa: ANN001 - signal handler: `kill` stops like Ctrl-C
        raise KeyboardInterrupt

    # Set before the services start: a shell that starts a background job (`make airflow &`, a CI runner)
    # hands it SIGINT ignored, and an ignored signal stays ignored across exec (signal(7)); a handler does not.
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    env = localenv.local_env()
    env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = f"http://localhost:{args.port}/execution/"
    localenv.apply(env)
    logs = _log_path(env, "airflow").parent / "airflow"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / "db-migrate.log", "w") as log:
        ensure_airflow_db(env, log)
    exe = Path(sys.executable).with_name("airflow")
    procs: dict[str, subprocess.Popen] = {}
    for service in SERVICES:
        extra = ["--port", str(args.port)] if service == "api-server" else []
        out = open(logs / f"{service}.log", "w")  # noqa: SIM115 - open while the service runs
        procs[service] = subprocess.Popen([str(exe) if exe.exists() else "airflow", service, *extra],
                                          stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env})
    passwords = Path(env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    print(f"Airflow UI:  http://localhost:{args.port}  (scheduler, dag-processor, triggerer, api-server; logs in {logs})")
    print(f"log in as:   admin — the password is in {passwords} (written by the api-server when it starts)")
    print(f"data quality: http://localhost:{args.port}/headwater/quality/  (also a tab on each run and task instance)")
    print("Ctrl-C stops every service.", flush=True)
    try:
        while all(p.poll() is None for p in procs.values()):
            time.sleep(1)
        stopped = [name for name, p in procs.items() if p.poll() is not None]
        print(f"{', '.join(stopped)} stopped (see {logs}); stopping the others", file=sys.stderr)
        rc = 1
    except KeyboardInterrupt:
        rc = 0
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 30
    for p in procs.values():
        try:
            p.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    print("Airflow stopped.")
    return rc


def _date(value: str) -> str:
    try:
        return date_cls.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-20") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="headwater", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the headwater_ingest DAG locally for one logical date (like airflow dags test, as the scheduler's run for it)")
    run.add_argument("--date", type=_date, required=True, help="logical date, YYYY-MM-DD (landing/<date>/ is read)")
    run.add_argument("--landing", help="landing zone URI (default: $HEADWATER_LANDING_URI or the sample data)")
    run.add_argument("-v", "--verbose", action="store_true", help="stream Airflow's output instead of a progress bar")
    run.add_argument("--force", action="store_true", help="reprocess files even if unchanged since their last run")
    run.add_argument("--dry-run", action="store_true", help="only log which files would be processed, and why")
    run.add_argument("--wait", action="store_true", help="when the date is being run already on this Airflow home, wait for that run instead of exiting with status 75")
    run.set_defaults(func=cmd_run)

    back = sub.add_parser("backfill", help="run a date range locally, one logical date after another")
    back.add_argument("--from", dest="date_from", type=_date, required=True, help="first date, YYYY-MM-DD")
    back.add_argument("--to", dest="date_to", type=_date, required=True, help="last date, YYYY-MM-DD")
    back.add_argument("--landing", help="landing zone URI (default: $HEADWATER_LANDING_URI or the sample data)")
    back.add_argument("--force", action="store_true", help="reprocess files even if unchanged")
    back.add_argument("--wait", action="store_true", help="wait for a date being run already instead of failing it")
    back.add_argument("-v", "--verbose", action="store_true")
    back.set_defaults(func=cmd_backfill)

    ft = sub.add_parser("finetune", help="run the headwater_finetune DAG locally (airflow dags test) and print the eval table")
    ft.add_argument("--date", type=_date, required=True, help="logical date of the run, YYYY-MM-DD")
    ft.add_argument("--force", action="store_true", help="fine-tune even without enough new examples")
    ft.add_argument("--base-model", help="save_pretrained directory of a real base model (default: a tiny local model)")
    ft.add_argument("--epochs", type=float, help="training epochs (default: run_local's 4)")
    ft.add_argument("--lora-r", type=int, help="LoRA rank (default 16)")
    ft.add_argument("--lora-alpha", type=int, help="LoRA alpha (default 32)")
    ft.add_argument("--min-new-examples", type=int, help="skip unless this many examples are new (default 50)")
    ft.add_argument("-v", "--verbose", action="store_true", help="stream Airflow's output instead of logging to a file")
    ft.set_defaults(func=cmd_finetune)

    search = sub.add_parser("search", help="top-k chunks and row documents from the vector store for a query")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5, help="number of results (default 5)")
    search.add_argument("--json", action="store_true", help="print JSON")
    search.add_argument("--hybrid", action="store_true", help="fuse vector and full-text (BM25) rankings by rank (RRF)")
    search.add_argument("--source", action="append", default=[], help="only this source (config name; repeatable)")
    search.add_argument("--file", action="append", default=[], help="only this landing file, as named in the run report (repeatable)")
    search.add_argument("--column", action="append", default=[], help="only chunks of this column, or row documents showing it (repeatable)")
    search.add_argument("--date", type=_date, help="only this landing date, YYYY-MM-DD")
    search.add_argument("--from", dest="date_from", type=_date, help="only landing dates from this one on")
    search.add_argument("--to", dest="date_to", type=_date, help="only landing dates up to this one")
    search.set_defaults(func=cmd_search)

    st = sub.add_parser("stream", help="consume an event stream (a source config's stream: section) until SIGTERM; restart-safe")
    st.add_argument("stream", help="the stream's name (stream.name in a source config)")
    st.add_argument("--consumer", help="consumer name in the group (default <host>-<pid>; a fixed name resumes its own pending messages)")
    st.add_argument("--idle-exit", type=float, help="exit after this many seconds without a message (default: run until stopped)")
    st.add_argument("--counts", action="store_true", help="print the stream's committed counts as JSON and exit")
    st.add_argument("--heartbeat", type=Path, help="touch this file after every micro-batch (read by `headwater stream-alive`)")
    st.set_defaults(func=cmd_stream)

    sa = sub.add_parser("stream-alive", help="exit 0 when a stream consumer's heartbeat file is fresh, else 1 (liveness/readiness probe)")
    sa.add_argument("heartbeat", type=Path, help="the file given to `headwater stream --heartbeat`")
    sa.add_argument("--max-age", type=float, required=True, help="seconds; an older heartbeat (or none) fails")
    sa.set_defaults(func=cmd_stream_alive)


    ui = sub.add_parser("ui", help="start the local Airflow (scheduler, dag-processor, triggerer, api-server) until Ctrl-C")
    ui.add_argument("--port", type=int, default=8080, help="the api-server's port (default 8080)")
    ui.set_defaults(func=cmd_ui)

    rep = sub.add_parser("report", help="print the run report of a date")
    rep.add_argument("--date", type=_date, required=True)
    rep.set_defaults(func=cmd_report)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
