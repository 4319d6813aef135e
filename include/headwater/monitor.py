"""The hourly checks of ``headwater_monitor``: landing freshness, quarantine spikes, a retrieval smoke test.

Each check returns what it found (plain data) and the problems, as messages that say what, where
and what to do; the DAG task fails when there is a problem, so its failure alerts like any task's
(the on-failure callback, ``headwater_task_failures_total``). ``landing_today`` and
``quarantine_ratios`` also push gauges to the ``headwater_monitor`` Pushgateway group, which the
"no landing files today" and "quarantine spike" alert rules read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date as Date, datetime, timedelta, timezone
from typing import Any

from headwater.config.settings import Settings
from headwater.config.source import load_sources
from headwater.layout import Layout
from headwater.ledger import Ledger
from headwater.manifest import OK, FileRef
from headwater.metrics import MONITOR_JOB, push, source_name
from headwater.storage import read_json

FRESHNESS_HOURS = 26.0  # a daily source whose newest good file is older than this is stale (one day + 2 h of slack)
SPIKE_DAYS = 7  # the baseline: the mean quarantine share of a source over the dates before the latest
SPIKE_MARGIN = 0.10  # a spike is a share above twice the baseline and at least this much above it


@dataclass(frozen=True)
class SmokeQuery:
    """A query whose top ``k`` hits must include the row at ``file`` line ``line`` (1-based, as the hits report it)."""

    query: str
    file: str
    line: int
    k: int = 5


# Known rows of the shipped sample day (sample_data/landing/2026-11-20); replace them with queries
# over your own data when the sample is not ingested.
SMOKE_QUERIES = (
    SmokeQuery("running shoe sole coming apart at the toe, replacement pair", "SUPPORT_TICKETS.csv", 2),
    SmokeQuery("invoice lists the wrong billing address", "SUPPORT_TICKETS.csv", 3),
    SmokeQuery("great grip on wet rock, never slipped in a muddy race", "product-reviews.csv", 2),
)


def landing_today(names: Iterable[str], date: str, settings: Settings, url: str | None = None) -> dict[str, int]:
    """Landing files per source in today's folder (``names``: what discovery would scan there), pushed
    as ``headwater_landing_files_today`` (all sources, always present, so a day with none reads 0)
    to the ``headwater_monitor`` group. Returns the files per source."""
    from prometheus_client import CollectorRegistry, Gauge

    sources = load_sources(settings.config_dir)
    counts: dict[str, int] = defaultdict(int)
    for name in names:
        counts[source_name(sources, FileRef(date, name))] += 1
    registry = CollectorRegistry()
    Gauge("headwater_landing_files_today", "Files in today's landing folder, seen by the hourly monitor", registry=registry).set(sum(counts.values()))
    ratios = quarantine_ratios(settings, Date.fromisoformat(date))
    ratio = Gauge("headwater_quarantine_ratio", "Quarantined share of the data records of the newest reported date, per source",
                  ("source",), registry=registry)
    for source, share in ratios.latest.items():
        ratio.labels(source).set(share)
    push(registry, MONITOR_JOB, url=settings.pushgateway_url if url is None else url)
    return dict(counts)


def stale_sources(settings: Settings, now: datetime, max_age_h: float = FRESHNESS_HOURS) -> list[str]:
    """Sources whose newest good file (ledger outcome ``ok``) was processed more than ``max_age_h``
    hours before ``now`` (aware), as messages; a source never seen is not listed."""
    sources = load_sources(settings.config_dir)
    newest: dict[str, datetime] = {}
    for entry in Ledger.for_settings(settings).entries():
        if entry.outcome != OK or not entry.updated_at:
            continue
        date, _, name = entry.source.partition("/")
        source = source_name(sources, FileRef(date, name))
        when = datetime.fromisoformat(entry.updated_at)
        newest[source] = max(newest.get(source, when), when)
    problems = []
    for source, when in sorted(newest.items()):
        age_h = (now - when).total_seconds() / 3600
        if age_h > max_age_h:
            problems.append(
                f"source {source}: newest good file processed {age_h:.1f} h ago ({when.isoformat()}), more than {max_age_h:g} h — "
                "check the landing folder and the exporter of this source (README Monitoring, runbook HeadwaterSourceStale)"
            )
    return problems


@dataclass(frozen=True)
class Ratios:
    """Quarantine shares per source: of the newest reported date (``latest_date``) and the mean of the dates before it."""

    latest_date: str | None
    latest: dict[str, float]
    baseline: dict[str, float]


def _shares(report: dict[str, Any], sources: Any) -> dict[str, float]:
    read: dict[str, int] = defaultdict(int)
    quarantined: dict[str, int] = defaultdict(int)
    for f in report.get("files", []):
        source = source_name(sources, FileRef(report["date"], f["file"]))
        read[source] += int(f.get("rows_read") or 0)
        quarantined[source] += int(f.get("quarantined") or 0)
    return {s: quarantined[s] / n for s, n in read.items() if n}


def quarantine_ratios(settings: Settings, today: Date, days: int = SPIKE_DAYS) -> Ratios:
    """The quarantine share (quarantined / data records read) per source, from the run reports of the
    ``days + 1`` dates up to ``today``: the newest date with a report, and the mean over the older ones."""
    sources = load_sources(settings.config_dir)
    reports = []
    for back in range(days + 1):
        day = (today - timedelta(days=back)).isoformat()
        report = read_json(Layout(settings.data_dir, day).report())
        if report:
            reports.append(report)
    if not reports:
        return Ratios(None, {}, {})
    older: dict[str, list[float]] = defaultdict(list)
    for report in reports[1:]:
        for source, share in _shares(report, sources).items():
            older[source].append(share)
    return Ratios(reports[0]["date"], _shares(reports[0], sources), {s: sum(v) / len(v) for s, v in older.items()})


def quarantine_spikes(ratios: Ratios, margin: float = SPIKE_MARGIN) -> list[str]:
    """Sources whose newest share is above twice their baseline and ``margin`` above it, as messages."""
    problems = []
    for source, share in sorted(ratios.latest.items()):
        base = ratios.baseline.get(source)
        if base is not None and share > 2 * base and share > base + margin:
            problems.append(
                f"source {source}: {share:.1%} of the records of {ratios.latest_date} quarantined, against {base:.1%} over the "
                "dates before — read the quarantine reasons in that date's run report (README Monitoring, runbook HeadwaterQuarantineSpike)"
            )
    return problems


def retrieval_smoke(settings: Settings, queries: Sequence[SmokeQuery] = SMOKE_QUERIES) -> list[str]:
    """Run each known query against the vector store (the embedding backend that filled it, vector
    search, headwater.embed.search); a query whose top ``k`` misses its row is a problem message.
    An empty store is one problem."""
    from headwater.embed.cache import encoder_for
    from headwater.embed.search import search
    from headwater.embed.store import VectorStore

    store = VectorStore(Layout(settings.data_dir).vectors, settings.vector_table)
    if store.count() == 0:
        return [f"the vector store {Layout(settings.data_dir).vectors} is empty — has headwater_ingest run?"]
    vectors = encoder_for(settings).encode([q.query for q in queries], len(queries))
    problems = []
    for q, vector in zip(queries, vectors):
        hits = search(store, q.query, vector, k=q.k)
        if not any(h.source_file.endswith(q.file) and h.line == q.line for h in hits):
            got = ", ".join(f"{h.source_file} line {h.line}" for h in hits) or "nothing"
            problems.append(
                f"retrieval smoke test: {q.query!r} should return {q.file} line {q.line} in its top {q.k}, got {got} — "
                "was the store rebuilt with another model, or the data deleted? (README Monitoring, runbook HeadwaterTaskFailed)"
            )
    return problems


def now_utc() -> datetime:
    """The current time, timezone-aware UTC (the landing folders are named by UTC dates)."""
    return datetime.now(timezone.utc)
