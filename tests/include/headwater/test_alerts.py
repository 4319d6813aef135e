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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_alert_counter_is_pushed_to_a_real_pushgateway(tmp_path: Path, pushgateway: str, monkeypatch) -> None:
    monkeypatch.setenv("HEADWATER_PUSHGATEWAY_URL", pushgateway)
    record_failure(tmp_path, dag_id="headwater_ingest", task_id="process_file.clean", run_id="r1", error="x")
    record_failure(tmp_path, dag_id="headwater_ingest", task_id="process_file.clean", run_id="r1", error="y")
    scraped = urllib.request.urlopen(f"{pushgateway}/metrics", timeout=5).read().decode()
    line = next(ln for ln in scraped.splitlines() if ln.startswith("headwater_task_failures_total{"))
    assert 'task_id="process_file.clean"' in line and 'job="headwater_alerts"' in line
    assert line.endswith(" 2")


def test_an_unreachable_pushgateway_does_not_hide_the_failure(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HEADWATER_PUSHGATEWAY_URL", f"http://127.0.0.1:{_free_port()}")
    event = record_failure(tmp_path, dag_id="d", task_id="t", error="boom")
    assert event["task_id"] == "t" and failure_counts(tmp_path) == {("d", "t"): 1}
