"""
### headwater_monitor

Hourly checks of what the ingest produced; a check that finds a problem fails its task, so it
alerts like any task (the on-failure callback: `HEADWATER_ALERT` log line, alerts file,
`headwater_task_failures_total` on the Pushgateway).

* **landing** counts today's landing files per source and pushes `headwater_landing_files_today`
  and the newest date's `headwater_quarantine_ratio{source}` (group `job="headwater_monitor"`); the
  alert rules *no landing files today* and *quarantine spike* read them.
* **freshness** fails when a source's newest good file was processed more than 26 h ago (ledger).
* **quarantine_spike** fails when a source's quarantine share on the newest reported date is above
  twice its mean over the 7 dates before, and 10 points above it.
* **retrieval_smoke** runs known queries against the vector store and fails when a known row is
  not among the top hits.
* **prune_metrics** deletes the Pushgateway's `job="headwater_ingest"` date groups older than
  `HEADWATER_PUSHGATEWAY_RETENTION_DAYS` (35) days, so the gateway does not grow by one group a day
  forever (`headwater.metrics.prune_dates`); other groups are left alone.
* **compact_vectors** folds the vector table's fragments (one per embedded file or stream
  micro-batch) and deletes versions older than an hour (`VectorStore.compact`, LanceDB
  `Table.optimize`), under the same write lock as the embed tasks.

All work lives in `include/headwater/monitor.py`; this file is wiring only.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task
from headwater_common import START_DATE, default_args

DEFAULT_ARGS = default_args(retries=2, retry_delay=timedelta(minutes=1), max_retry_delay=timedelta(minutes=5),
                            execution_timeout=timedelta(minutes=15))


def _settings():
    from headwater.config.settings import Settings

    return Settings.from_env()


def _fail_on(problems: list[str]) -> None:
    if problems:
        raise RuntimeError("\n".join(problems))
    print("ok")


@dag(
    dag_id="headwater_monitor",
    schedule="@hourly",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["headwater", "monitoring"],
    doc_md=__doc__,
)
def headwater_monitor():
    @task
    def landing() -> dict:
        from airflow.sdk import ObjectStoragePath

        from headwater.discovery import partition, scan_folder
        from headwater.monitor import landing_today, now_utc

        today = now_utc().date().isoformat()
        folder = ObjectStoragePath(_settings().landing_uri) / partition(today)
        found = scan_folder(folder)
        counts = landing_today(found.files, today, _settings())
        print(f"{sum(counts.values())} landing file(s) in {folder}: {counts}")
        return counts

    @task
    def freshness() -> None:
        from headwater.monitor import now_utc, stale_sources

        _fail_on(stale_sources(_settings(), now_utc()))

    @task
    def quarantine_spike() -> None:
        from headwater.monitor import now_utc, quarantine_ratios, quarantine_spikes

        ratios = quarantine_ratios(_settings(), now_utc().date())
        print(f"newest reported date {ratios.latest_date}: {ratios.latest}; baseline {ratios.baseline}")
        _fail_on(quarantine_spikes(ratios))

    @task
    def prune_metrics() -> list[str]:
        from headwater.metrics import prune_dates
        from headwater.monitor import now_utc

        settings = _settings()
        deleted = prune_dates(settings, now_utc().date())
        print(f"deleted {len(deleted)} Pushgateway date group(s) older than {settings.pushgateway_retention_days} days: {deleted}")
        return deleted

    @task(trigger_rule="all_done")
    def compact_vectors() -> dict:
        from headwater.embed.store import VectorStore

        stats = VectorStore.for_settings(_settings()).compact(timedelta(hours=1))
        print(f"vector table: {stats}")
        return stats

    @task
    def retrieval_smoke() -> None:
        from headwater.monitor import retrieval_smoke as smoke

        _fail_on(smoke(_settings()))

    landing()
    freshness()
    quarantine_spike()
    retrieval_smoke() >> compact_vectors()  # the smoke test reads first: a compaction never races it
    prune_metrics()


headwater_monitor()
