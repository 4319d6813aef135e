"""The committed Grafana dashboard is exactly what monitoring/grafana_dashboard.py generates.

Its queries run against a real Prometheus in tests/dags/test_metrics_e2e.py.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
COMMITTED = PROJECT / "helm" / "headwater" / "files" / "grafana-dashboard.json"


def _generator():
    spec = importlib.util.spec_from_file_location("grafana_dashboard", PROJECT / "monitoring" / "grafana_dashboard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_dashboard_is_the_generators_output() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == _generator().render(), (
        "helm/headwater/files/grafana-dashboard.json is stale: run .venv/bin/python monitoring/grafana_dashboard.py --write"
    )


def test_the_dashboard_covers_the_issue_and_uses_only_headwater_metrics() -> None:
    board = json.loads(COMMITTED.read_text(encoding="utf-8"))
    panels = [p for p in board["panels"] if p["type"] != "row"]
    assert [p["id"] for p in board["panels"]] == list(range(1, len(board["panels"]) + 1))
    assert [p["title"] for p in board["panels"] if p["type"] == "row"] == ["Ingest: rows in and out", "Freshness", "Performance", "Fine-tuning"]
    metrics = {m for p in panels for t in p["targets"] for m in re.findall(r"headwater_[a-z_]+", t["expr"])}
    assert metrics == {
        "headwater_rows", "headwater_files", "headwater_quarantined_rows", "headwater_quarantine_ratio",
        "headwater_last_success_timestamp_seconds", "headwater_landing_files_today", "headwater_stage_duration_seconds_bucket",
        "headwater_embedding_texts", "headwater_embedding_cache_hits", "headwater_embedding_texts_per_second",
        "headwater_finetune_eval_perplexity", "headwater_finetune_runs",
    }
    assert all(p["datasource"] == {"type": "prometheus", "uid": "${datasource}"} for p in panels)
    assert [v["name"] for v in board["templating"]["list"]] == ["datasource", "source"]
