"""helm/headwater/files/statsd-mapping.yaml loaded by the real prometheus/statsd_exporter, fed the StatsD lines
Airflow 3 sends, scraped by a real Prometheus.

The lines and expected series are test_statsd_mapping.py's table (names from Airflow's metrics page,
"Metrics Configuration": counters ``|c``, gauges ``|g``, timers ``|ms``). statsd_exporter exports a
counter as a counter, a gauge as a gauge and a timer as a summary in seconds (``_sum``/``_count``
and quantiles; its README, "Metric Mapping and Configuration"). Skipped where the binary is missing
(the ``statsd_exporter`` fixture: Debian 12 has no prometheus-statsd-exporter).
"""

from __future__ import annotations

import json
import re
import socket
import urllib.parse
import urllib.request
from pathlib import Path

import yaml
from prometheus_client.parser import text_string_to_metric_families
from test_statsd_mapping import AIRFLOW_METRICS

import servers

PROJECT = Path(__file__).resolve().parents[2]
# How Airflow sends each metric of the table (airflow/metrics: Stats.incr / Stats.gauge / Stats.timing).
KIND = {
    "airflow.ti.finish.": "c", "airflow.ti.start.": "c", "airflow.ti_failures": "c", "airflow.scheduler_heartbeat": "c",
    "airflow.dag.": "ms", "airflow.dagrun.duration.": "ms", "airflow.dagrun.schedule_delay.": "ms", "airflow.dag_processing.last_duration.": "ms",
    "airflow.pool.": "g", "airflow.executor.": "g", "airflow.dag_processing.import_errors": "g",
}
VALUE = {"c": "1", "g": "7", "ms": "1500"}


def _line(metric: str) -> str:
    kind = next(k for prefix, k in KIND.items() if metric.startswith(prefix))
    return f"{metric}:{VALUE[kind]}|{kind}"


def _samples(url: str) -> dict[tuple[str, frozenset], float]:
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {(s.name, frozenset(s.labels.items())): s.value for f in text_string_to_metric_families(text) for s in f.samples}


def _send(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for metric, _ in AIRFLOW_METRICS:
            sock.sendto(_line(metric).encode(), ("127.0.0.1", port))


def _expected(metric: str, name: str, labels: dict[str, str]) -> tuple[str, frozenset, float]:
    """The sample that proves ``metric`` was mapped: the counter or gauge itself, a timer's summary count."""
    kind = _line(metric).rsplit("|", 1)[1]
    if kind == "ms":
        return f"{name}_count", frozenset(labels.items()), 1.0
    return name, frozenset(labels.items()), float(VALUE[kind])


def test_the_real_exporter_maps_airflows_lines_to_the_exact_series(statsd_exporter) -> None:
    _send(statsd_exporter.port)
    wanted = [_expected(metric, *expected) for metric, expected in AIRFLOW_METRICS if expected is not None]
    servers.wait_until(lambda: all((n, lab) in _samples(statsd_exporter.url) for n, lab, _ in wanted), 30, "the mapped series")
    samples = _samples(statsd_exporter.url)
    assert {(n, lab): samples[(n, lab)] for n, lab, _ in wanted} == {(n, lab): v for n, lab, v in wanted}
    # timers are seconds: 1500 ms
    durations = [(n, lab) for n, lab, _ in wanted if n == "airflow_task_duration_seconds_count"]
    assert durations and samples[(durations[0][0].replace("_count", "_sum"), durations[0][1])] == 1.5
    # dropped lines leave no series, and nothing keeps an unmapped airflow_* name with ids in it
    airflow = {n for n, _ in samples if n.startswith("airflow")}
    assert not any("last_duration" in n or "headwater_ingest" in n for n in airflow)


def _mapped_names() -> set[str]:
    return {m["name"] for m in yaml.safe_load((PROJECT / "helm" / "headwater" / "files" / "statsd-mapping.yaml").read_text())["mappings"] if m.get("action") != "drop"}


def _rule_and_panel_exprs() -> list[str]:
    """The PromQL of every alert rule (files/prometheus-rules.yaml) and dashboard panel target (files/grafana-dashboard.json)."""
    rules = yaml.safe_load((PROJECT / "helm" / "headwater" / "files" / "prometheus-rules.yaml").read_text())
    dashboard = json.loads((PROJECT / "helm" / "headwater" / "files" / "grafana-dashboard.json").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    return exprs + [t["expr"] for p in dashboard.get("panels", []) for t in p.get("targets", []) if "expr" in t]


def _using(exprs: list[str], names: set[str]) -> list[str]:
    """The expressions of ``exprs`` that read one of the metrics ``names`` (a summary's _sum/_count too)."""
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")(_sum|_count|_bucket)?\b")
    return [e for e in exprs if pattern.search(e)]


def _query(prometheus: str, expr: str) -> list[dict]:
    url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=10) as response:
        body = json.load(response)
    assert body["status"] == "success", body
    return body["data"]["result"]


def test_prometheus_scraping_the_exporter_answers_every_query_on_airflows_metrics(statsd_exporter) -> None:
    """Each mapped series, and every rule/panel expression that reads Airflow's metrics, returns data."""
    config = (
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "scrape_configs:\n"
        "  - job_name: statsd-exporter\n"
        f"    static_configs: [{{targets: ['{statsd_exporter.url.removeprefix('http://')}']}}]\n"
    )
    prometheus = servers.start_prometheus(config)
    try:
        _send(statsd_exporter.port)
        selectors = []
        for metric, expected in AIRFLOW_METRICS:
            if expected is None:
                continue
            name, labels, _ = _expected(metric, *expected)
            selectors.append(name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels)) + "}")
        servers.wait_until(lambda: all(_query(prometheus.url, s) for s in selectors), 60, "Prometheus scraping the exporter")
        empty = [e for e in _using(_rule_and_panel_exprs(), _mapped_names()) if not _query(prometheus.url, e)]
        assert empty == []
    finally:
        prometheus.stop()


def test_the_scan_picks_the_expressions_on_airflows_mapped_metrics() -> None:
    exprs = [
        'sum(rate(airflow_ti_finish_total{state="failed"}[5m])) > 0',
        "airflow_task_duration_seconds_sum / airflow_task_duration_seconds_count",
        "headwater_rows_total",
        "airflow_ti_finish_totally_other",
    ]
    assert _using(exprs, _mapped_names()) == exprs[:2]


def test_every_line_of_the_table_has_airflows_statsd_type() -> None:
    lines = [_line(metric) for metric, _ in AIRFLOW_METRICS]
    assert lines[0] == "airflow.ti.finish.headwater_ingest.process_file.ingest.success:1|c"
    assert "airflow.dagrun.duration.success.headwater_ingest:1500|ms" in lines and "airflow.pool.open_slots.default_pool:7|g" in lines
    assert len(lines) == len(AIRFLOW_METRICS) == 12
