"""Failure alerts: JSON log line, durable event file, Prometheus counter, real Pushgateway."""

from __future__ import annotations

import json
import socket
import urllib.request
from pathlib import Path

from prometheus_client import generate_latest

from headwater.alerts import alert_metrics, failure_counts, record_failure


def test_failures_are_logged_recorded_and_counted(tmp_path: Path, caplog) -> None:
    for task in ("process_file.embed", "process_file.embed", "report"):
        record_failure(tmp_path, dag_id="headwater_ingest", task_id=task, run_id="r1", error="RuntimeError('boom')")
    events = [json.loads(line) for line in (tmp_path / "alerts" / "alerts.jsonl").read_text().splitlines()]
    assert [e["task_id"] for e in events] == ["process_file.embed", "process_file.embed", "report"]
    assert all(e["kind"] == "task_failure" and e["error"] == "RuntimeError('boom')" for e in events)
    assert sum("HEADWATER_ALERT" in r.getMessage() for r in caplog.records) == 3
    assert failure_counts(tmp_path) == {("headwater_ingest", "process_file.embed"): 2, ("headwater_ingest", "report"): 1}
    text = generate_latest(alert_metrics(tmp_path)).decode()
    assert 'headwater_task_failures_total{dag_id="headwater_ingest",task_id="process_file.embed"} 2.0' in text


def test_alert_counter_is_pushed_to_a_real_pushgateway(tmp_path: Path, pushgateway: str, monkeypatch) -> None:
    monkeypatch.setenv("HEADWATER_PUSHGATEWAY_URL", pushgateway)
    record_failure(tmp_path, dag_id="headwater_ingest", task_id="process_file.clean", run_id="r1", error="x")
    record_failure(tmp_path, dag_id="headwater_ingest", task_id="process_file.clean", run_id="r1", error="y")
    scraped = urllib.request.urlopen(f"{pushgateway}/metrics", timeout=5).read().decode()
    line = next(ln for ln in scraped.splitlines() if ln.startswith("headwater_task_failures_total{"))
    assert 'task_id="process_file.clean"' in line and 'job="headwater_alerts"' in line
    assert line.endswith(" 2")


def test_an_unreachable_pushgateway_does_not_hide_the_failure(tmp_path: Path, monkeypatch) -> None:
    with socket.socket() as held:  # bound, never listening: refused, and no other test's server can take the port meanwhile
        held.bind(("127.0.0.1", 0))
        monkeypatch.setenv("HEADWATER_PUSHGATEWAY_URL", f"http://127.0.0.1:{held.getsockname()[1]}")
        event = record_failure(tmp_path, dag_id="d", task_id="t", error="boom")
    assert event["task_id"] == "t" and failure_counts(tmp_path) == {("d", "t"): 1}


def test_the_last_failure_time_is_kept_per_task(tmp_path: Path) -> None:
    """The alert rule reads when a task last failed, so a (dag, task) pair's first failure alerts too."""
    from datetime import datetime

    first = record_failure(tmp_path, dag_id="headwater_ingest", task_id="report", error="x")
    second = record_failure(tmp_path, dag_id="headwater_ingest", task_id="link", error="y")
    registry = alert_metrics(tmp_path)
    last = {
        s.labels["task_id"]: s.value for family in registry.collect() for s in family.samples
        if s.name == "headwater_task_last_failure_timestamp_seconds"
    }
    assert last["report"] >= datetime.fromisoformat(first["ts"]).timestamp()
    assert last["link"] >= datetime.fromisoformat(second["ts"]).timestamp() >= last["report"] - 1
    assert json.loads((tmp_path / "alerts" / "counts.json").read_text())["headwater_ingest\treport"]["count"] == 1


def test_an_alerts_folder_from_before_the_counts_file_is_counted_once(tmp_path: Path) -> None:
    """Older deployments have only alerts.jsonl: the first failure rebuilds the counts from it, then adds itself."""
    (tmp_path / "alerts").mkdir()
    old = [{"ts": "2026-11-20T01:00:00+00:00", "kind": "task_failure", "dag_id": "d", "task_id": "t"}] * 2
    (tmp_path / "alerts" / "alerts.jsonl").write_text("".join(json.dumps(e) + "\n" for e in old))
    assert failure_counts(tmp_path) == {("d", "t"): 2}
    record_failure(tmp_path, dag_id="d", task_id="t", error="third")
    assert failure_counts(tmp_path) == {("d", "t"): 3}
    assert len((tmp_path / "alerts" / "alerts.jsonl").read_text().splitlines()) == 3
