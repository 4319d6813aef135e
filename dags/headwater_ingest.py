"""
### headwater_ingest

Daily ingestion of the CSV files that landed for the run's logical date.

* **discover** lists `<landing>/<YYYY-MM-DD>/` (an `ObjectStoragePath`, local folder by default)
  for the logical date, or for every date of a manual run's `date_from`..`date_to`: `.csv`, `.tsv`
  and `.txt` files, plain or compressed (`.gz`, `.bz2`, `.zst`, `.xz`), and each table inside a
  `.zip` archive as its own record (`orders.zip/part-1.csv`). Every other file (hidden, in-flight
  upload, unknown extension, a zip member that is not a table) is logged and listed in the run
  report as skipped, with the reason.
* One mapped **process_file** group per record, with its name as map index (past Airflow's
  `[core] max_map_length`, 1,024 by default, one group per *batch* of consecutive records instead,
  at most that many groups; `headwater.discovery.batches`; each task then handles its batch's
  records in turn and shows the first and last name):
  * `check` first claims the file for this run (headwater.claims, a lease in Headwater's state
    database): a file another live run of the same date holds is not written at all, both sides
    show as *skipped* and the run report lists it as `claimed by run X (task) until T`. Every task
    of the file renews the claim; the `release` task ends it when the file's `index_file` group
    ends, and `report` releases what is left (quarantined or failed files). Then
  * `check` compares the file's content hash, config hash and code version with the ledger:
    an unchanged file runs `unchanged` and its stages show as *skipped*; a new or changed one
    runs the stages and `unchanged` shows as *skipped*. It reads the file only when the answer
    depends on the content, and hands the hash to `ingest`, which reads the file once (hashing,
    decoding and parsing in one pass) and records the hash of the bytes it actually read;
  * `ingest` (encoding, delimiter, bad rows quarantined) → `clean` (snake_case columns, text
    normalization, duplicates within the file).
  * A file that cannot be read is quarantined whole; its later stages show as *skipped*.
* **link** (once, after every file is cleaned): duplicates across the files of each date and
  earlier dates, in one fixed order (headwater.clean.link), so the curated rows do not depend on
  which task finished first. When a date of the run changed, the later dates within
  `dedup.history_days` are linked again (earlier dates win, whatever order the dates ran in); one
  link task runs at a time. It waits until the files other runs claimed on its dates are cleaned,
  and rewrites only files this run holds or can claim. It hands on the files to index: the ones cleaned by this run, and
  the ones whose curated rows it changed. A dry run skips it.
* One mapped **index_file** group per such file (batched the same way past `max_map_length`): `chunk` (token windows with overlap) → `embed`
  (all-MiniLM-L6-v2, cached by text hash, upserted into LanceDB by deterministic id) → `release`
  (the file's claim, whether embed succeeded or not).
* **report** writes one run report per date (the run's dates and the later dates the link step
  rewrote); a run over several dates first computes the day-order warnings of its dates' manifests again, once
  every date ran (headwater.report.refresh_day_orders_claimed: a date skipped before a later one was reprocessed
  named it still). Each report is whole: every file with a manifest on the date, so when two runs processed files of one
  date the report written last covers both (headwater.report); it pushes each date's metrics to the Pushgateway (`HEADWATER_PUSHGATEWAY_URL`; the
  date's group is replaced, see `headwater.metrics`), checks `read = curated + duplicates + quarantined`
  for every file and fails the run if a file of this run failed. Otherwise it updates the **`headwater-curated`**
  asset with the run's totals on the event (`extra`: per date the files processed/unchanged, rows
  read/curated/duplicates/quarantined, chunks, vectors, failed files and the files that changed;
  see `headwater.events`), which `headwater_finetune` reads to re-export only those files. When no
  file changed (no landing file, every file unchanged, a dry run) it is *skipped*: no event, no fine-tune.
  A date with no landing file at all says so in the `report` log and its run report
  (`no_landing_files: true`).

**Params** (manual runs): `force` reprocesses unchanged files, `dry_run` only logs what would
be processed, `file_glob` narrows the files, `date_from`/`date_to` replace the logical date.

Re-running a date is a no-op for unchanged files and replaces the outputs of changed ones.
All work lives in `include/headwater`; this file is wiring only.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task, task_group
from headwater_common import CURATED, SETTINGS, START_DATE, default_args

DEFAULT_ARGS = default_args(
    retries=3, retry_delay=timedelta(seconds=20), max_retry_delay=timedelta(minutes=10),
    execution_timeout=timedelta(hours=1), pool=SETTINGS.pool,
)


def _settings():
    from headwater.config.settings import Settings

    return Settings.from_env()


def _run_key(context) -> str:
    """This attempt of this run: a cleared run (e.g. backfill --reprocess-behavior) keeps its run_id; each `headwater run` has its own token."""
    from headwater.decide import LOCAL_RUN
    from headwater.events import run_key

    run = context["dag_run"]
    return run_key(context["run_id"], getattr(run, "clear_number", 0), (run.conf or {}).get(LOCAL_RUN))


def _ref(info: dict):
    from headwater.manifest import FileRef

    return FileRef.from_info(info, run_id=_run_key(get_current_context()))


def _skip(reason: str) -> None:
    """Mark this task instance skipped (shown as such in the UI); its downstream tasks skip too."""
    from airflow.sdk.exceptions import AirflowSkipException

    raise AirflowSkipException(reason)


def _owner() -> tuple[str, str]:
    """(the claim owner: this DAG run's id, kept by a cleared run, with a `headwater run`'s token
    (headwater.decide.run_owner); this task instance, as `task_id[map index]`)."""
    from headwater.decide import run_owner

    context = get_current_context()
    ti = context["ti"]
    return run_owner(context["run_id"], context["dag_run"].conf), f"{ti.task_id}[{ti.map_index}]"


def _holding(infos: list[dict]):  # noqa: ANN202 - a context manager
    """Renew this run's claims on the batch's files as the task starts and while it works (headwater.claims)."""
    from headwater.decide import holding

    return holding([_ref(info) for info in infos], _settings(), *_owner())


def _chosen(decisions: list[dict], side: str) -> list[dict]:
    """The records of this batch for which `check` chose `side` ("ingest" or "unchanged"); skip the
    task when there is none (a dry run and a file another run holds choose neither)."""
    chosen = [d for d in decisions if not d["dry_run"] and not d.get("claimed") and d["process"] == (side == "ingest")]
    if not chosen:
        _skip("; ".join(f"{d['source']}: {'dry run' if d['dry_run'] else d['reason']}" for d in decisions))
    return chosen


def _label(batch: list[dict]) -> None:
    """Show the file name (a batch's first and last, past max_map_length) instead of a number as the map index in the UI."""
    names = [record["file"] for record in batch]
    get_current_context()["file_name"] = names[0] if len(names) == 1 else f"{names[0]} … {names[-1]} ({len(names)} files)"


def _batches(records: list[dict]) -> list[list[dict]]:
    """``records`` as the mapped elements of a task group: one per record, batched past ``[core] max_map_length``."""
    from airflow.sdk.configuration import conf

    from headwater.discovery import batches

    return batches(records, conf.getint("core", "max_map_length", fallback=1024))


def _flat(batches: list[list[dict]] | None) -> list[dict]:
    return [record for batch in batches or [] if batch for record in batch]


def _lineage(task_instance):
    """OpenLineage of the run, called by the provider after `report` succeeded: landing files in;
    curated, chunks and vectors out, with row counts (headwater.lineage). The provider may call it in
    a forked process, where an XCom read can hang: `report` leaves its result on the task instead."""
    from headwater.lineage import ingest_lineage

    return ingest_lineage(getattr(task_instance.task, "curated_extra", None), _settings())


@dag(
    dag_id="headwater_ingest",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=START_DATE,
    catchup=True,
    max_active_runs=SETTINGS.max_active_runs,
    max_active_tasks=SETTINGS.max_active_tasks,
    default_args=DEFAULT_ARGS,
    params={
        "force": Param(False, type="boolean", description="Reprocess files even if unchanged since their last run."),
        "dry_run": Param(False, type="boolean", description="Only log which files would be processed, and why."),
        "file_glob": Param("*", type="string", description="Only files whose name matches this glob."),
        "date_from": Param(None, type=["null", "string"], format="date", description="First landing date (manual runs)."),
        "date_to": Param(None, type=["null", "string"], format="date", description="Last landing date (manual runs)."),
    },
    tags=["headwater", "ingest"],
    doc_md=__doc__,
)
def headwater_ingest():
    @task
    def discover(ds=None, params=None, ti=None) -> list[list[dict]]:
        from airflow.sdk import ObjectStoragePath

        from headwater.discovery import dates_between, partition, scan_folder, split_member

        root = ObjectStoragePath(_settings().landing_uri)
        files, skipped, landing = [], [], {}
        for date in dates_between(params.get("date_from"), params.get("date_to"), default=ds):
            folder = root / partition(date)
            found = scan_folder(folder, params["file_glob"])
            print(f"{len(found.files)} landing record(s) in {folder}: {found.files}")
            for s in found.skipped:
                print(f"skipped {s.file}: {s.reason}")
            # a zip member is read from its archive: the record's uri is the archive's
            files += [{"date": date, "file": n, "uri": str(folder / split_member(n)[0])} for n in found.files]
            skipped += [{"date": date, "file": s.file, "reason": s.reason} for s in found.skipped]
            landing[date] = [*found.files, *(s.file for s in found.skipped)]
        ti.xcom_push(key="skipped", value=skipped)  # for the report (mapping needs the records as the return value)
        ti.xcom_push(key="landing", value=landing)  # every record in each date's folder: outputs of files no longer there are flagged
        return _batches(files)

    # Not @task.branch: branching inside a mapped task group does not skip the other branch in
    # Airflow 3.2/3.3 (apache/airflow issue #67265), so each side skips itself on the decision.
    @task(map_index_template="{{ file_name }}")
    def check(batch: list[dict], params=None) -> list[dict]:
        from airflow.sdk import ObjectStoragePath

        from headwater.decide import claim, decide

        _label(batch)
        decisions = []
        for file in batch:
            # claimed before anything is written: a file another run of its date holds is not touched
            held = claim(_ref(file), _settings(), *_owner(), dry_run=params["dry_run"])
            if held:
                print(f"{file['date']}/{file['file']}: skip — {held} (nothing is written)")
                decisions.append({**file, "source": f"{file['date']}/{file['file']}", "process": False, "reason": held,
                                  "claimed": True, "sha256": None, "bytes": None, "dry_run": params["dry_run"]})
                continue
            # opened and hashed (block by block) only when the answer depends on the content
            decision = decide(ObjectStoragePath(file["uri"]), _ref(file), _settings(), force=params["force"])
            verb = "process" if decision["process"] else "skip"
            hashed = f"sha256 {decision['sha256']}" if decision["sha256"] else "not read here: ingest hashes the bytes it parses"
            print(f"{file['date']}/{file['file']}: {verb} — {decision['reason']} ({hashed})" + (" (dry run: nothing is written)" if params["dry_run"] else ""))
            decisions.append({**file, **decision, "dry_run": params["dry_run"]})
        return decisions

    @task(map_index_template="{{ file_name }}")
    def unchanged(decisions: list[dict]) -> list[dict]:
        from headwater.decide import mark_unchanged, release

        _label(decisions)
        chosen = _chosen(decisions, "unchanged")
        with _holding(chosen):
            done = [mark_unchanged(_ref(d), _settings(), d["reason"], d.get("warning")) for d in chosen]
        release([_ref(d) for d in chosen], _settings(), _owner()[0])  # the file's last write in this run
        return done

    @task(map_index_template="{{ file_name }}")
    def ingest(decisions: list[dict]) -> list[dict]:
        from airflow.sdk import ObjectStoragePath

        from headwater.decide import cleaned
        from headwater.ingest.stage import ingest as ingest_file

        _label(decisions)
        infos = []
        chosen = _chosen(decisions, "ingest")
        with _holding(chosen):
            for decision in chosen:
                with ObjectStoragePath(decision["uri"]).open("rb") as source:  # read once: hashed and parsed in one pass
                    info = ingest_file(source, _ref(decision), _settings(), expected_sha256=decision["sha256"])
                print(info)
                infos.append(info)
        # a file quarantined whole is final here: another run's link step need not wait for it
        cleaned([_ref(i) for i in infos if i["status"] == "quarantined"], _settings(), *_owner())
        return infos

    # none_failed: it also runs when `ingest` skipped, so that it renders its file name before it
    # skips itself (a task the scheduler skips never renders its map_index_template)
    @task(map_index_template="{{ file_name }}", trigger_rule="none_failed")
    def clean(infos: list[dict] | None, decisions: list[dict]) -> list[dict]:
        from headwater.clean.stage import clean as clean_file

        from headwater.decide import cleaned

        _label(decisions)
        _chosen(decisions, "ingest")  # `ingest` skipped (unchanged, claimed, dry run): skip with check's reasons
        readable = [info for info in infos if info["status"] != "quarantined"]
        if not readable:
            _skip("; ".join(f"{info['source']} was quarantined: {info['error']}" for info in infos))
        with _holding(readable):
            done = [clean_file(_ref(info), _settings()) for info in readable]
        cleaned([_ref(info) for info in readable], _settings(), *_owner())  # final until this run's link step
        return done

    @task(map_index_template="{{ file_name }}")
    def chunk(infos: list[dict]) -> list[dict]:
        from headwater.chunk.stage import chunk as chunk_file

        _label(infos)
        with _holding(infos):
            return [chunk_file(_ref(info), _settings()) for info in infos]

    @task(
        map_index_template="{{ file_name }}",
        # the model is the memory-hungry part: bound it per run, whatever the executor's parallelism
        max_active_tis_per_dagrun=SETTINGS.embed_concurrency,
        queue=SETTINGS.embed_queue,  # CeleryExecutor: "gpu" sends them to the GPU worker (helm/headwater)
    )
    def embed(infos: list[dict]) -> list[dict]:
        from headwater.embed.stage import embed_files

        _label(infos)
        with _holding(infos):  # the batch's files in one vector-store commit, the model loaded once
            return embed_files([_ref(info) for info in infos], _settings())

    @task(map_index_template="{{ file_name }}", trigger_rule="all_done")
    def release(batch: list[dict]) -> None:
        """The file's index group ended (success or failure): its claim is released."""
        from headwater.decide import release as release_claims

        _label(batch)
        release_claims([_ref(record) for record in batch], _settings(), _owner()[0])

    # Returns nothing, so `process_file.expand(...) >> link` waits for every task of the group,
    # `unchanged` included (a returned task would be the only one waited for).
    @task_group
    def process_file(batch: list[dict]) -> None:
        decision = check(batch)
        unchanged(decision)
        clean(ingest(decision), decision)

    # one link step at a time across runs: a date's step reads and rewrites later dates within reach
    @task(trigger_rule="all_done", max_active_tis_per_dag=1)
    def link(files: list[list[dict]], params=None) -> list[list[dict]]:
        """Duplicates across files, per date; the files whose curated rows chunk and embed must (re)index, batched for mapping."""
        from headwater.decide import link_claimed

        if params["dry_run"]:
            print("dry run: no link step, nothing is written")
            return []
        return _batches(link_claimed(_flat(files), _settings(), _run_key(get_current_context()), *_owner()))

    @task_group
    def index_file(batch: list[dict]) -> None:  # returns nothing: report waits for the whole group
        embed(chunk(batch)) >> release(batch)

    @task(trigger_rule="all_done", outlets=[CURATED])
    def report(files: list[list[dict]], linked: list[list[dict]] | None, ds=None, params=None, run_id=None, ti=None, outlet_events=None) -> dict:
        """Run report per date (with the skipped files, and the later dates the link step rewrote);
        the totals and changed files go on the `headwater-curated` event."""
        from headwater.clean.link import report_dates
        from headwater.decide import held_elsewhere, release_run, reported_elsewhere
        from headwater.events import curated_extra, run_of
        from headwater.metrics import push_date
        from headwater.report import format_report, refresh_day_orders_claimed, report as run_report

        files = _flat(files)
        skipped = ti.xcom_pull(task_ids="discover", key="skipped") or []
        landing = ti.xcom_pull(task_ids="discover", key="landing") or {}
        if params["dry_run"]:
            _skip(f"dry run: {len(files)} file(s) checked, see the `check` task logs; no asset event")
        # files another run held when `check` asked: not this run's to account for, listed as skipped with the reason
        claimed = held_elsewhere(ti.xcom_pull(task_ids="process_file.check"))
        held = {(d["date"], d["file"]) for d in claimed}
        files = [f for f in files if (f["date"], f["file"]) not in held]
        skipped = skipped + [{"date": d["date"], "file": d["file"], "reason": d["reason"]} for d in claimed]
        print(f"released {release_run(_settings(), _owner()[0])} claim(s) this run still held")
        run_dates = sorted({f["date"] for f in files})
        if len(run_dates) > 1:  # a date skipped before a later date of the run was processed again (breaker8 #9)
            for source in refresh_day_orders_claimed(run_dates, _settings(), *_owner()):
                print(f"{source}: day-order warnings computed again once the run's dates ran")
        by_date = report_dates(files, _flat(linked), skipped, _settings())
        failed, reports = [], []
        for date in sorted(by_date) or [ds]:
            names, skipped_here = by_date.get(date, ([], []))
            if reported_elsewhere(names, skipped_here, held, date):
                print(f"{date}: every file of the date is held by another run, which writes its report and metrics")
                continue
            result = run_report(date, names, _settings(), run_id=_run_key(get_current_context()), skipped=skipped_here,
                                landing=landing.get(date))
            print(format_report(result))
            push_date(result, _settings())  # replaces the date's Pushgateway group: a re-run never adds up
            # the report is the whole date (other runs' files too); this run fails for its own files only
            failed += [source for source in result["failed"] if source.split("/", 1)[1] in names]
            reports.append(result)
        if failed:
            raise RuntimeError(f"files failed or not accounted for: {failed} — see the run reports")
        extra = curated_extra(reports, run_of(_run_key(get_current_context())))  # a `headwater run`'s own files only
        empty = [r["date"] for r in reports if r["no_landing_files"]]
        if extra is None and empty:  # shown as skipped, with the record in each date's run report
            _skip(f"no landing files for {', '.join(empty)}: nothing ingested, no asset event (see the run report)")
        if extra is None:  # a task that skips emits no asset event, so the fine-tune is not triggered
            _skip("no landing file changed in this run: the curated data is as it was, no asset event")
        outlet_events[CURATED].extra = extra
        ti.task.curated_extra = extra  # for _lineage (OpenLineage), after the task succeeded
        return extra

    files = discover()
    linked = link(files)
    process_file.expand(batch=files) >> linked
    reported = report(files, linked)
    reported.operator.get_openlineage_facets_on_complete = _lineage  # a TaskFlow task's only way to report datasets with facets
    index_file.expand(batch=linked) >> reported


headwater_ingest()
