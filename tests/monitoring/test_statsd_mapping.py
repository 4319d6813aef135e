"""The statsd-exporter mapping for Airflow's StatsD metrics (helm/headwater/files/statsd-mapping.yaml).

No statsd_exporter binary is packaged here, so its matching rules are applied as its README states
them (prometheus/statsd_exporter, "Metric Mapping and Configuration"): mappings are tried in file
order and the first match wins; a glob ``*`` matches one dot-separated component; a regex mapping
matches the whole name with RE2 syntax (the patterns used here mean the same in Python's ``re``);
``$n`` in the name or a label is the n-th capture.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

MAPPING = Path(__file__).resolve().parents[2] / "helm" / "headwater" / "files" / "statsd-mapping.yaml"
NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


def _mappings() -> list[dict]:
    return yaml.safe_load(MAPPING.read_text())["mappings"]


def _pattern(mapping: dict) -> re.Pattern:
    if mapping.get("match_type") == "regex":
        return re.compile(mapping["match"])
    return re.compile("^" + r"\.".join("([^.]+)" if part == "*" else re.escape(part) for part in mapping["match"].split(".")) + "$")


def _map(metric: str) -> tuple[str, dict[str, str]] | None:
    for mapping in _mappings():
        found = _pattern(mapping).search(metric)
        if found:
            if mapping.get("action") == "drop":
                return None
            fill = lambda text: re.sub(r"\$(\d+)", lambda m: found.group(int(m.group(1))), text)  # noqa: E731
            return fill(mapping["name"]), {k: fill(v) for k, v in (mapping.get("labels") or {}).items()}
    raise AssertionError(f"{metric}: no mapping (the last one should drop everything else)")


# Airflow 3's StatsD names (prefix airflow) -> the exported series, or None when dropped; tests/monitoring/test_statsd_exporter.py
# sends the same lines to the real statsd_exporter.
AIRFLOW_METRICS = [
    ("airflow.ti.finish.headwater_ingest.process_file.ingest.success",
     ("airflow_ti_finish_total", {"dag_id": "headwater_ingest", "task_id": "process_file.ingest", "state": "success"})),
    ("airflow.ti.finish.headwater_ingest.report.failed", ("airflow_ti_finish_total", {"dag_id": "headwater_ingest", "task_id": "report", "state": "failed"})),
    ("airflow.ti.start.headwater_monitor.freshness", ("airflow_ti_start_total", {"dag_id": "headwater_monitor", "task_id": "freshness"})),
    ("airflow.dag.headwater_ingest.index_file.embed.duration",
     ("airflow_task_duration_seconds", {"dag_id": "headwater_ingest", "task_id": "index_file.embed"})),
    ("airflow.dagrun.duration.success.headwater_ingest", ("airflow_dagrun_duration_seconds", {"state": "success", "dag_id": "headwater_ingest"})),
    ("airflow.dagrun.schedule_delay.headwater_finetune", ("airflow_dagrun_schedule_delay_seconds", {"dag_id": "headwater_finetune"})),
    ("airflow.ti_failures", ("airflow_ti_failures_total", {})),
    ("airflow.scheduler_heartbeat", ("airflow_scheduler_heartbeat_total", {})),
    ("airflow.pool.open_slots.default_pool", ("airflow_pool_slots", {"kind": "open_slots", "pool": "default_pool"})),
    ("airflow.executor.queued_tasks", ("airflow_executor_slots", {"kind": "queued_tasks"})),
    ("airflow.dag_processing.import_errors", ("airflow_dag_processing_import_errors", {})),
    ("airflow.dag_processing.last_duration.headwater_ingest", None),  # not exported: a file name in the name
]  # fmt: skip


@pytest.mark.parametrize(("metric", "expected"), AIRFLOW_METRICS)
def test_airflow_metric_names_map_to_bounded_prometheus_series(metric: str, expected) -> None:
    assert _map(metric) == expected


def test_every_mapping_is_valid() -> None:
    for mapping in _mappings():
        assert set(mapping) <= {"match", "match_type", "name", "labels", "action"}, mapping
        assert mapping.get("match_type", "glob") in ("glob", "regex")
        assert NAME.match(mapping["name"]), mapping["name"]
        assert all(NAME.match(k) for k in mapping.get("labels") or {}), mapping
        _pattern(mapping)  # compiles
    assert _mappings()[-1].get("action") == "drop"
