"""Headwater's Prometheus metrics: built from what the stages already wrote, pushed to a Pushgateway.

One place builds every metric; the DAG tasks only call ``push_date``, ``push_finetune_runs`` and
``push_eval``. Batch tasks are short-lived, so nothing is scraped from them: each push **replaces**
one Pushgateway group (``push_to_gateway`` is an HTTP PUT, which replaces every metric of the group
named by ``job`` + grouping key; prometheus_client docs, "Exporting to a Pushgateway"):

* ``job="headwater_ingest", date=<YYYY-MM-DD>``: the date's files, from its run report, manifests and
  ledger rows. Every run (or re-run, forced or not) of a date pushes the whole date again, so a
  re-run replaces the date's numbers instead of adding to them. The date is a grouping label, not a
  run id or a file name: one group per landing date; ``prune_dates`` (run hourly by ``headwater_monitor``)
  deletes those older than ``HEADWATER_PUSHGATEWAY_RETENTION_DAYS``.
* ``job="headwater_finetune_runs"``: ``headwater_finetune_runs{state}``, the fine-tune runs waiting
  for or holding a GPU (the GPU-capacity scaler reads ``sum(headwater_finetune_runs{state=~"pending|running"})``).
* ``job="headwater_finetune_eval"``: the latest model's eval perplexities.
* ``job="headwater_monitor"``: the hourly monitor's landing count for today (``headwater.monitor``).

Labels are bounded: ``source`` is the source config's name (``config/sources/<name>.yaml``;
``default`` for files no config matches), ``outcome``, ``status``, ``stage``, ``reason`` (a class
from ``quarantine_class``), ``model`` and ``precision``. Metric names follow the Prometheus naming
conventions (https://prometheus.io/docs/practices/naming/): ``headwater_`` prefix, base units
(seconds), and no ``_total`` suffix on these gauges, which hold a date's current state, not a count
that only grows.
"""

from __future__ import annotations

import fcntl
import json
import logging
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from datetime import date as date_cls, datetime, timedelta
from pathlib import Path
from typing import Any

from headwater.config.settings import Settings
from headwater.config.source import Sources, load_sources
from headwater.layout import Layout
from headwater.ledger import Ledger
from headwater.manifest import OK, FileRef
from headwater.storage import read_json

log = logging.getLogger("headwater.metrics")

INGEST_JOB, FINETUNE_RUNS_JOB, FINETUNE_EVAL_JOB, MONITOR_JOB = (
    "headwater_ingest", "headwater_finetune_runs", "headwater_finetune_eval", "headwater_monitor",
)  # fmt: skip
# Physical records of a file: curated, a duplicate, quarantined, or a structural line (report.accounting_error).
OUTCOMES = ("curated", "duplicate", "quarantined", "structural")
FINETUNE_STATES = ("pending", "running")
# Stage durations are seconds per file; the buckets span a tiny sample file to a large daily drop.
STAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
# A fine-tune run left "pending" or "running" this long (a worker killed without its callback) is dropped.
FINETUNE_STALE_S = 24 * 3600

# Quarantine reason classes, first match wins (the messages are written in headwater.ingest and
# headwater.clean.steps); a reason none matches is "other".
_REASON_CLASSES = (
    ("field_count", re.compile(r"\d+ fields, header has \d+")),
    ("unparseable_csv", re.compile(r"unparseable CSV|header row is not valid CSV")),
    ("second_table", re.compile(r"part of the second table")),
    ("field_too_long", re.compile(r"max_field_chars")),
    ("empty_row", re.compile(r"every value is empty")),
    ("schema", re.compile(r"fails schema")),
    ("compressed_name", re.compile(r"data with a CSV name")),
    ("html", re.compile(r"HTML page")),
    ("text_format", re.compile(r"content with a CSV name|a quoted text after .* holds line breaks")),  # JSON/XML/Markdown; an unsplittable sample
    ("binary", re.compile(r"binary|control bytes")),
    ("encoding", re.compile(r"cannot decode|no text encoding")),
    ("too_large", re.compile(r"decompression bomb|raise the limit")),
    ("damaged", re.compile(r"is damaged|truncated|corrupt", re.IGNORECASE)),
)
# Clean steps that quarantine rows, by the class their reasons fall in (manifest ``clean_steps``).
_STEP_CLASSES = {"drop_empty_rows": "empty_row", "validate_schema": "schema", "validate_filled": "schema", "coerce_types": "type"}


def quarantine_class(reason: str) -> str:
    """The bounded class of a quarantine reason (a row's or a whole file's), e.g.
    ``"SUPPORT_TICKETS.csv line 4: 3 fields, header has 6 — row quarantined"`` -> ``"field_count"``."""
    for name, pattern in _REASON_CLASSES:
        if pattern.search(reason):
            return name
    return "other"


def source_name(sources: Sources, ref: FileRef) -> str:
    """The ``source`` label of a landing file: the name of the source config its table name matches."""
    return sources.for_file(ref.table_name).name


def _epoch(iso: str | None) -> float | None:
    return datetime.fromisoformat(iso).timestamp() if iso else None


def _quarantine_reasons(manifest: Mapping[str, Any], rows_file: Path) -> dict[str, int]:
    """Quarantined rows of one file by class; they add up to the manifest's ``quarantined``.

    Clean-stage rows are counted per step from ``clean_steps`` (a step's class); ingest-stage rows
    (``ingest_quarantined``) are classed from their reasons in the quarantine rows file, read line
    by line. Rows no reason accounts for (none expected) count as ``other``.
    """
    counts: dict[str, int] = defaultdict(int)
    for step, stats in (manifest.get("clean_steps") or {}).items():
        if int(stats.get("quarantined") or 0):
            counts[_STEP_CLASSES.get(step, step)] += int(stats["quarantined"])
    if int(manifest.get("ingest_quarantined") or 0) and rows_file.exists():
        with open(rows_file, encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                if row.get("stage") == "ingest":
                    counts[quarantine_class(str(row.get("reason", "")))] += 1
    left = int(manifest.get("quarantined") or 0) - sum(counts.values())
    if left > 0:
        counts["other"] += left
    return dict(counts)


def date_registry(report: Mapping[str, Any], settings: Settings):  # noqa: ANN201 - prometheus_client.CollectorRegistry
    """The metrics of one landing date, from its run report (``headwater.report.report``), its
    files' manifests and their ledger rows, in a fresh registry (pushed as the date's group).

    Gauges (labels): ``headwater_rows{source,outcome}`` (physical records by outcome; a whole
    quarantined file counts in ``headwater_files`` only, its rows were never read),
    ``headwater_records{source}`` (physical records), ``headwater_quarantined_rows{source,reason}``,
    ``headwater_files{source,status}`` (landing files by outcome, ``skipped`` for those discovery
    passed over), ``headwater_quarantined_files{source,reason}``, ``headwater_vectors{source}``,
    ``headwater_embedding_texts{source}`` (texts sent to the model), ``headwater_embedding_cache_hits{source}``,
    ``headwater_embedding_texts_per_second{source}`` (texts sent / embed seconds, files that sent any),
    ``headwater_last_success_timestamp_seconds{source}`` (Unix time the ledger recorded the date's
    newest good file; unchanged re-runs do not move it). Histogram:
    ``headwater_stage_duration_seconds{source,stage}`` (each file's last run of each stage).
    """
    from prometheus_client import CollectorRegistry, Gauge, Histogram

    registry = CollectorRegistry()

    def gauge(name: str, doc: str, labels: tuple[str, ...]) -> Gauge:
        return Gauge(name, doc, labels, registry=registry)

    rows = gauge("headwater_rows", "Physical records of the date's landing files by outcome", ("source", "outcome"))
    records = gauge("headwater_records", "Physical records of the date's landing files (rows read + structural lines)", ("source",))
    reasons = gauge("headwater_quarantined_rows", "Quarantined rows of the date by reason class", ("source", "reason"))
    files = gauge("headwater_files", "Landing files of the date by outcome (ok, empty, quarantined, failed, missing, skipped)", ("source", "status"))
    bad_files = gauge("headwater_quarantined_files", "Landing files of the date quarantined whole, by reason class", ("source", "reason"))
    vectors = gauge("headwater_vectors", "Vectors stored for the date's files", ("source",))
    texts = gauge("headwater_embedding_texts", "Texts of the date's files sent to the embedding model (cache misses)", ("source",))
    hits = gauge("headwater_embedding_cache_hits", "Texts of the date's files found in the embedding cache", ("source",))
    speed = gauge("headwater_embedding_texts_per_second", "Texts sent to the model per second of the embed stage", ("source",))
    fresh = gauge("headwater_last_success_timestamp_seconds", "Unix time the newest good file of the date and source was processed", ("source",))
    stages = Histogram(
        "headwater_stage_duration_seconds", "Seconds one file spent in a stage", ("source", "stage"), buckets=STAGE_BUCKETS, registry=registry
    )
    date = str(report["date"])
    lay, sources, ledger = Layout(settings.data_dir, date), load_sources(settings.config_dir), Ledger.for_settings(settings)
    embed_seconds: dict[str, float] = defaultdict(float)
    embedded: dict[str, int] = defaultdict(int)
    newest: dict[str, float] = {}
    for f in report["files"]:
        ref = FileRef(date, f["file"])
        source = source_name(sources, ref)
        manifest = read_json(lay.manifest(ref.key)) or {}
        if manifest.get("source") != ref.source:
            manifest = {}  # another file's manifest under this key: count none of it (the report marks the file failed)
        status = "failed" if not f.get("accounted", True) and f.get("status") == OK else f.get("status") or "missing"
        files.labels(source, status).inc()
        for outcome, key in zip(OUTCOMES, ("curated", "duplicates", "quarantined", "structural_lines")):
            rows.labels(source, outcome).inc(int(f.get(key) or 0))
        records.labels(source).inc(int(f.get("rows_read") or 0) + int(f.get("structural_lines") or 0))
        for reason, n in _quarantine_reasons(manifest, lay.quarantine_rows(ref.key)).items():
            reasons.labels(source, reason).inc(n)
        if status == "quarantined":
            bad_files.labels(source, quarantine_class(str(f.get("error") or ""))).inc()
        vectors.labels(source).inc(int(f.get("vectors") or 0))
        texts.labels(source).inc(int(manifest.get("embedded") or 0))
        hits.labels(source).inc(int(manifest.get("embedding_cache_hits") or 0))
        for stage, done in (manifest.get("stages") or {}).items():
            stages.labels(source, stage).observe(float(done.get("seconds") or 0))
        if int(manifest.get("embedded") or 0):
            embedded[source] += int(manifest["embedded"])
            embed_seconds[source] += float(manifest["stages"].get("embed", {}).get("seconds") or 0)
        entry = ledger.get(ref.source)
        if status == OK and entry is not None and entry.outcome == OK:
            when = _epoch(entry.updated_at)
            if when is not None:
                newest[source] = max(newest.get(source, when), when)
    for source, n in embedded.items():
        if embed_seconds[source] > 0:
            speed.labels(source).set(n / embed_seconds[source])
    for source, when in newest.items():
        fresh.labels(source).set(when)
    for skipped in report.get("skipped") or []:
        files.labels(source_name(sources, FileRef(date, skipped["file"])), "skipped").inc()
    return registry


def _gateway(settings: Settings, url: str | None) -> str:
    return settings.pushgateway_url if url is None else url


def push(registry: Any, job: str, grouping_key: Mapping[str, str] | None = None, url: str = "") -> bool:
    """Replace the Pushgateway group ``job`` + ``grouping_key`` with ``registry``'s metrics (HTTP PUT).

    Returns False, with a warning, when ``url`` is empty or the gateway cannot be reached: metrics
    never fail the task that computed the data.
    """
    if not url:
        return False
    from prometheus_client import push_to_gateway

    try:
        push_to_gateway(url, job=job, registry=registry, grouping_key=dict(grouping_key or {}), timeout=10)
    except OSError as exc:
        log.warning("could not push %s metrics to %s: %s", job, url, exc)
        return False
    return True


def push_date(report: Mapping[str, Any], settings: Settings, url: str | None = None) -> bool:
    """Push one date's metrics (``date_registry``), replacing that date's group; ``url`` None: ``settings.pushgateway_url``."""
    gateway = _gateway(settings, url)
    if not gateway:
        return False
    return push(date_registry(report, settings), INGEST_JOB, {"date": str(report["date"])}, gateway)


def delete_date(date: str, settings: Settings, url: str | None = None) -> None:
    """Remove a date's group from the Pushgateway (its series disappear from the next scrape)."""
    gateway = _gateway(settings, url)
    if gateway:
        from prometheus_client import delete_from_gateway

        delete_from_gateway(gateway, job=INGEST_JOB, grouping_key={"date": date})


def _base_url(gateway: str) -> str:
    """``host:port`` or a URL (as ``push_to_gateway`` accepts) -> ``http(s)://host:port`` without a trailing slash."""
    return (gateway if "://" in gateway else f"http://{gateway}").rstrip("/")


def pushed_groups(gateway: str) -> list[dict[str, str]]:
    """The label sets (``job`` + grouping key) of every group on the Pushgateway, all jobs included.

    Read from ``GET /api/v1/metrics`` (Pushgateway README, "API": one object per group, its
    ``labels`` being the job and grouping labels). Raises OSError (``urllib.error.URLError``) when
    the gateway cannot be reached and ValueError when it answers something other than a success.
    """
    import urllib.request

    with urllib.request.urlopen(f"{_base_url(gateway)}/api/v1/metrics", timeout=10) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise ValueError(f"{gateway}/api/v1/metrics answered {body.get('status')!r}: {body.get('error', '')}")
    return [dict(group.get("labels") or {}) for group in body.get("data") or []]


def expired_dates(groups: Iterable[Mapping[str, str]], today: date_cls, keep_days: int) -> list[str]:
    """The dates (sorted) of the ``headwater_ingest`` date groups among ``groups`` that are more than
    ``keep_days`` days before ``today``: ``today - date > keep_days``, so ``keep_days=35`` keeps
    today and the 35 dates before it (the dashboard's 30-day plots and the alerts' 7-day windows).

    Only groups whose labels are exactly ``job="headwater_ingest"`` and a ``date`` in ISO form
    (YYYY-MM-DD) count; every other group (other jobs, other grouping labels, a date label that is
    not a date, future dates) is left alone.
    """
    oldest = today - timedelta(days=keep_days)
    expired = set()
    for labels in groups:
        if set(labels) != {"job", "date"} or labels["job"] != INGEST_JOB:
            continue
        try:
            day = date_cls.fromisoformat(labels["date"])
        except ValueError:
            continue
        if len(labels["date"]) == 10 and day < oldest:
            expired.add(labels["date"])
    return sorted(expired)


def prune_dates(settings: Settings, today: date_cls, url: str | None = None) -> list[str]:
    """Delete the ``headwater_ingest`` date groups older than ``settings.pushgateway_retention_days``
    days before ``today`` from the Pushgateway (``expired_dates``; ``DELETE
    /metrics/job/headwater_ingest/date/<date>``, through ``prometheus_client.delete_from_gateway``)
    and return the deleted dates. The hourly ``headwater_monitor`` calls it, so the gateway holds
    about ``retention + 1`` date groups instead of one per date ever run.

    ``url`` None: ``settings.pushgateway_url``; unset: nothing to prune (returns []). A gateway that
    cannot be reached is logged as a warning and returns the dates deleted until then (metrics
    never fail a task); the next hour tries again.
    """
    gateway = _gateway(settings, url)
    if not gateway:
        return []
    from prometheus_client import delete_from_gateway

    deleted: list[str] = []
    try:
        for day in expired_dates(pushed_groups(gateway), today, settings.pushgateway_retention_days):
            delete_from_gateway(gateway, job=INGEST_JOB, grouping_key={"date": day}, timeout=10)
            deleted.append(day)
    except OSError as exc:
        log.warning("could not prune the date groups of %s (deleted %s so far): %s", gateway, deleted, exc)
    return deleted


# ------------------------------------------------------------------ fine-tune runs and eval


@contextmanager
def _locked_runs(path: Path):  # noqa: ANN202
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        text = fh.read()
        runs: dict[str, dict[str, Any]] = json.loads(text) if text.strip() else {}
        yield runs
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(runs, sort_keys=True))
        fh.flush()


def set_finetune_state(settings: Settings, run_id: str, state: str | None, now: float | None = None) -> dict[str, int]:
    """Record that fine-tune run ``run_id`` is ``"pending"`` (decided, waiting for the KFP step),
    ``"running"`` (the KFP step executing or waiting on KFP) or finished (``None``: removed), then
    push ``headwater_finetune_runs{state}`` (both states, 0 included) replacing the
    ``headwater_finetune_runs`` group. The runs live in ``Layout.finetune_active_runs`` (JSON, locked
    while updated, so parallel task processes never lose each other's changes); a run older than
    FINETUNE_STALE_S is dropped. Returns the counts by state. Raises ValueError for another state.
    """
    if state is not None and state not in FINETUNE_STATES:
        raise ValueError(f"fine-tune run state {state!r}: expected one of {FINETUNE_STATES} or None (finished)")
    now = time.time() if now is None else now
    with _locked_runs(Layout(settings.data_dir).finetune_active_runs) as runs:
        if state is None:
            runs.pop(run_id, None)
        else:
            before = runs.get(run_id) or {}
            runs[run_id] = {"state": state, "since": before["since"] if before.get("state") == state else now}
        for key in [k for k, v in runs.items() if now - float(v["since"]) > FINETUNE_STALE_S]:
            log.warning("fine-tune run %s %s since %s: dropped as stale", key, runs[key]["state"], runs[key]["since"])
            del runs[key]
        counts = {s: sum(1 for v in runs.values() if v["state"] == s) for s in FINETUNE_STATES}
    push(finetune_runs_registry(counts), FINETUNE_RUNS_JOB, url=settings.pushgateway_url)
    return counts


def finetune_runs_registry(counts: Mapping[str, int]):  # noqa: ANN201 - prometheus_client.CollectorRegistry
    """``headwater_finetune_runs{state="pending"|"running"}``: fine-tune runs by state, both always present."""
    from prometheus_client import CollectorRegistry, Gauge

    registry = CollectorRegistry()
    gauge = Gauge("headwater_finetune_runs", "Fine-tune runs waiting for (pending) or holding (running) a GPU", ("state",), registry=registry)
    for state in FINETUNE_STATES:
        gauge.labels(state).set(int(counts.get(state, 0)))
    return registry


def eval_registry(entry: Mapping[str, Any]):  # noqa: ANN201 - prometheus_client.CollectorRegistry
    """``headwater_finetune_eval_perplexity{model="base"|"adapted",precision}`` from a model record's
    ``eval_rows`` (headwater.finetune.registry); rows not evaluated (``status`` other than ``ok``,
    e.g. int8 without CUDA) are left out."""
    from prometheus_client import CollectorRegistry, Gauge

    registry = CollectorRegistry()
    gauge = Gauge("headwater_finetune_eval_perplexity", "Eval perplexity of the latest fine-tune, per model and precision",
                  ("model", "precision"), registry=registry)
    for row in _ok_rows(entry.get("eval_rows") or []):
        gauge.labels(str(row["model"]), str(row["precision"])).set(float(row["perplexity"]))
    return registry


def _ok_rows(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [r for r in rows if r.get("status") == "ok" and r.get("perplexity") is not None]


def push_eval(entry: Mapping[str, Any], settings: Settings, url: str | None = None) -> bool:
    """Push the eval perplexities of a model record, replacing the ``headwater_finetune_eval`` group."""
    return push(eval_registry(entry), FINETUNE_EVAL_JOB, url=_gateway(settings, url))
