"""What both Headwater DAGs share: the curated asset, the start date, default args and the failure alert.

Wiring only, light at parse time: the settings read here are environment variables
(headwater.config.settings), and the library is imported inside the callables.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from airflow.sdk import Asset

from headwater.config.settings import Settings

SETTINGS = Settings()  # HEADWATER_* scheduling settings (start date, concurrency, pool, asset URI)

# headwater_ingest's report updates it; headwater_finetune is scheduled on it (name and URI must match).
CURATED = Asset("headwater-curated", uri=SETTINGS.curated_asset_uri)
START_DATE = datetime.combine(SETTINGS.start_date, datetime.min.time(), tzinfo=timezone.utc)


def on_failure(context) -> None:  # noqa: ANN001 - Airflow's task context
    """Structured alert for every failed task try: a log line, the alerts file and the Pushgateway counter."""
    from headwater.alerts import record_failure

    settings = Settings()
    ti = context["ti"]
    record_failure(
        settings.data_dir,
        pushgateway_url=settings.pushgateway_url,
        dag_id=ti.dag_id,
        task_id=ti.task_id,
        map_index=ti.map_index,
        run_id=ti.run_id,
        try_number=ti.try_number,
        error=repr(context.get("exception")),
    )


def default_args(retries: int, retry_delay: timedelta, max_retry_delay: timedelta, **extra: object) -> dict[str, object]:
    """Default task arguments of a Headwater DAG: retries with exponential backoff, and the failure alert."""
    return {
        "owner": "headwater",
        "retries": retries,
        "retry_delay": retry_delay,
        "retry_exponential_backoff": True,
        "max_retry_delay": max_retry_delay,
        "on_failure_callback": on_failure,
        **extra,
    }
