"""Structured failure alerts: a JSON log line, a durable event record and two Prometheus series.

Task processes are short-lived, so the source of truth is under the data dir: the append-only
``Layout.alerts`` file (one JSON event per failure) and ``Layout.alert_counts``, the failures per
(dag_id, task_id) with the Unix time of the last one, updated under the same lock as the event is
appended (one small read per failure, not a re-read of every event). On an object-storage data
root (which cannot append or lock) each event is its own object (``Layout.alert_event``) and the
counts are rebuilt from them when needed. ``alert_metrics()`` turns the
counts into ``headwater_task_failures_total{dag_id,task_id}`` and
``headwater_task_last_failure_timestamp_seconds{dag_id,task_id}``. When ``Settings.pushgateway_url``
is set, each alert pushes them at once to the Pushgateway group ``job="headwater_alerts"`` (no other
grouping label): an HTTP PUT that replaces the group with every pair's totals, sent while the lock
is held, so two workers failing at once never push an older state last.
"""

from __future__ import annotations

import fcntl
import json
import logging
import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from headwater.config.settings import Settings
from headwater.layout import Layout
from headwater.storage import write_bytes

log = logging.getLogger("headwater.alerts")
JOB = "headwater_alerts"


def _pair(dag_id: Any, task_id: Any) -> str:
    return f"{dag_id}\t{task_id}"


def _rebuild(event_files: list[Any]) -> dict[str, dict[str, float]]:
    """Counts from event files (an alerts folder written before counts.json existed; the event objects on object storage)."""
    counts: dict[str, dict[str, float]] = {}
    for events_file in (f for f in event_files if f.exists()):
        for line in events_file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                e = json.loads(line)
                entry = counts.setdefault(_pair(e.get("dag_id"), e.get("task_id")), {"count": 0, "last": 0.0})
                entry["count"] += 1
                entry["last"] = max(entry["last"], datetime.fromisoformat(e["ts"]).timestamp())
    return counts


def _read_counts(lay: Layout) -> dict[str, dict[str, float]]:
    if lay.remote:
        return _rebuild([lay.alerts, *lay.alert_events()])
    if lay.alert_counts.exists():
        return json.loads(lay.alert_counts.read_text(encoding="utf-8") or "{}")
    return _rebuild([lay.alerts])


def record_failure(data_dir: Path, *, pushgateway_url: str | None = None, **fields: Any) -> dict[str, Any]:
    """Record one task failure (dag_id, task_id, run_id, map_index, try_number, error, ...).

    ``pushgateway_url`` None: ``Settings().pushgateway_url``; empty: no push. An unreachable
    gateway is logged as a warning, never raised (it must not hide the original failure).
    """
    now = datetime.now(timezone.utc)
    event = {"ts": now.isoformat(timespec="seconds"), "kind": "task_failure", **fields}
    line = json.dumps(event, default=str, sort_keys=True)
    log.error("HEADWATER_ALERT %s", line)
    lay = Layout(data_dir)
    gateway = Settings().pushgateway_url if pushgateway_url is None else pushgateway_url
    if lay.remote:  # object storage cannot append: one object per event, never overwritten
        write_bytes(lay.alert_event(uuid.uuid4().hex), (line + "\n").encode("utf-8"))
        if gateway:
            _push(gateway, _read_counts(lay))
        return event
    lay.alerts.parent.mkdir(parents=True, exist_ok=True)
    with open(lay.alerts, "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # whole lines and one counts update at a time, even from parallel tasks
        try:
            counts = _read_counts(lay)  # before this line is appended: a rebuild must not count it twice
            fh.write(line + "\n")
            fh.flush()
            entry = counts.setdefault(_pair(fields.get("dag_id"), fields.get("task_id")), {"count": 0, "last": 0.0})
            entry["count"] += 1
            entry["last"] = now.timestamp()
            lay.alert_counts.write_text(json.dumps(counts, sort_keys=True), encoding="utf-8")
            if gateway:
                _push(gateway, counts)
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    return event


def _push(gateway: str, counts: dict[str, dict[str, float]]) -> None:
    from prometheus_client import push_to_gateway

    try:
        push_to_gateway(gateway, job=JOB, registry=_registry(counts), timeout=10)
    except OSError as exc:  # an unreachable gateway must not hide the original failure
        log.warning("could not push alert metrics to %s: %s", gateway, exc)


def failure_counts(data_dir: Path) -> Counter[tuple[str, str]]:
    """Failures per (dag_id, task_id) recorded under ``data_dir``."""
    counts: Counter[tuple[str, str]] = Counter()
    for pair, entry in _read_counts(Layout(data_dir)).items():
        dag_id, task_id = pair.split("\t", 1)
        counts[(dag_id, task_id)] = int(entry["count"])
    return counts


def alert_metrics(data_dir: Path):  # noqa: ANN201 - prometheus_client.CollectorRegistry
    """A registry with ``headwater_task_failures_total{dag_id, task_id}`` and
    ``headwater_task_last_failure_timestamp_seconds{dag_id, task_id}`` (Unix time)."""
    return _registry(_read_counts(Layout(data_dir)))


def _registry(counts: dict[str, dict[str, float]]):  # noqa: ANN202
    from prometheus_client import CollectorRegistry
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    class _Collector:
        def collect(self):  # noqa: ANN202
            total = CounterMetricFamily("headwater_task_failures", "Task failures recorded by the on-failure callback", labels=["dag_id", "task_id"])
            last = GaugeMetricFamily(
                "headwater_task_last_failure_timestamp_seconds", "Unix time of the last failure of the task", labels=["dag_id", "task_id"]
            )
            for pair, entry in sorted(counts.items()):
                labels = pair.split("\t", 1)
                total.add_metric(labels, int(entry["count"]))
                last.add_metric(labels, float(entry["last"]))
            yield total
            yield last

    registry = CollectorRegistry()
    registry.register(_Collector())
    return registry
