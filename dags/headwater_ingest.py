"""
### headwater_ingest

Daily ingestion of the CSV files that landed for the data interval's date.

* **discover** lists `<landing>/<logical date YYYY-MM-DD>/*.csv` (an `ObjectStoragePath`, local folder by default).
* One mapped **process_file** group per file, with the file name as map index:
  `ingest` (encoding, delimiter, bad rows quarantined) → `clean` (snake_case columns,
  text normalization, exact dedup) → `chunk` (token windows with overlap) → `embed`
  (all-MiniLM-L6-v2, upserted into LanceDB by deterministic id).
  A file that cannot be read is quarantined whole; its later steps show as *skipped*.
* **report** writes the run report, checks `read = curated + duplicates + quarantined`
  for every file and updates the curated asset. It fails the run if a file failed.

Re-running a date replaces that date's outputs; vector ids are deterministic, so no duplicates.
All work lives in `include/headwater`; this file is wiring only.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.sdk import Asset, CronDataIntervalTimetable, dag, get_current_context, task, task_group

CURATED = Asset("headwater-curated", uri=os.environ.get("HEADWATER_CURATED_ASSET_URI", "file:///headwater/curated"))

DEFAULT_ARGS = {
    "owner": "headwater",
    "retries": 3,
    "retry_delay": timedelta(seconds=20),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    "execution_timeout": timedelta(hours=1),
}


def _settings():
    from headwater.config import Settings

    return Settings.from_env()


def _ref(info: dict):
    from headwater.stages import FileRef

    return FileRef.from_info(info)


def _label(name: str) -> None:
    """Show the file name instead of a number as the map index in the UI."""
    get_current_context()["file_name"] = name


def _skip_unless_ok(info: dict) -> None:
    from airflow.sdk.exceptions import AirflowSkipException

    if info["status"] == "quarantined":
        raise AirflowSkipException(f"{info['source']} was quarantined: {info['error']}")


@dag(
    dag_id="headwater_ingest",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=datetime.fromisoformat(os.environ.get("HEADWATER_START_DATE", "2026-11-01")),
    catchup=True,
    max_active_runs=int(os.environ.get("HEADWATER_MAX_ACTIVE_RUNS", "2")),
    default_args=DEFAULT_ARGS,
    tags=["headwater", "ingest"],
    doc_md=__doc__,
)
def headwater_ingest():
    @task
    def discover(ds=None) -> list[dict]:
        from airflow.sdk import ObjectStoragePath

        from headwater.discovery import partition, select

        date = ds
        folder = ObjectStoragePath(_settings().landing_uri) / partition(date)
        names = select(p.name for p in folder.iterdir() if p.is_file()) if folder.exists() else []
        print(f"{len(names)} landing file(s) in {folder}: {names}")
        return [{"date": date, "file": n, "uri": str(folder / n)} for n in names]

    @task(map_index_template="{{ file_name }}")
    def ingest(file: dict) -> dict:
        from airflow.sdk import ObjectStoragePath

        from headwater import stages

        _label(file["file"])
        data = ObjectStoragePath(file["uri"]).read_bytes()
        info = stages.ingest(data, _ref(file), _settings())
        print(info)
        return info

    @task(map_index_template="{{ file_name }}")
    def clean(info: dict) -> dict:
        from headwater import stages

        _label(info["file"])
        _skip_unless_ok(info)
        return stages.clean(_ref(info), _settings())

    @task(map_index_template="{{ file_name }}")
    def chunk(info: dict) -> dict:
        from headwater import stages

        _label(info["file"])
        return stages.chunk(_ref(info), _settings())

    @task(map_index_template="{{ file_name }}")
    def embed(info: dict) -> dict:
        from headwater import stages

        _label(info["file"])
        return stages.embed(_ref(info), _settings())

    @task_group
    def process_file(file: dict):
        return embed(chunk(clean(ingest(file))))

    @task(trigger_rule="all_done", outlets=[CURATED])
    def report(files: list[dict], ds=None) -> dict:
        from headwater import stages

        date = ds
        result = stages.report(date, [f["file"] for f in files], _settings())
        print(stages.format_report(result))
        if result["failed"]:
            raise RuntimeError(f"files failed or not accounted for: {result['failed']} — see {result['outputs']['report']}")
        return result["totals"]

    files = discover()
    process_file.expand(file=files) >> report(files)


headwater_ingest()
