"""Metrics end to end on real servers: the sample day through the real DAG (dag.test) pushes to a real
Pushgateway, a real Prometheus scrapes it, PromQL reads the exact row counts per outcome; every
Grafana panel query and every alert rule runs on that Prometheus; a forced re-run of the day
replaces the day's numbers instead of doubling them.

One DAG run and one re-run (minutes). The headwater_monitor and fine-tune metrics come from the
library calls their tasks make (``landing_today``, ``set_finetune_state``, ``push_eval``), not from
runs of those DAGs.
"""

from __future__ import annotations

import importlib.util
import json
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest

import servers

PROJECT = Path(__file__).resolve().parents[2]
DATE = "2026-11-20"
RULES = PROJECT / "helm" / "headwater" / "files" / "prometheus-rules.yaml"


def _query(prometheus: str, expr: str) -> list[dict]:
    url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=10) as response:
        body = json.load(response)
    assert body["status"] == "success", (expr, body)
    return body["data"]["result"]


def _by(prometheus: str, expr: str, label: str) -> dict[str, float]:
    return {r["metric"].get(label, ""): float(r["value"][1]) for r in _query(prometheus, expr)}


def _scraped_after(prometheus: str, pushed_after: float, timeout_s: float = 60) -> None:
    """Wait until Prometheus holds the date's group as pushed after ``pushed_after`` (Unix time)."""
    expr = f'push_time_seconds{{job="headwater_ingest",date="{DATE}"}}'
    servers.wait_until(lambda: any(float(r["value"][1]) >= pushed_after for r in _query(prometheus, expr)), timeout_s, "a scrape of the new push")


@pytest.fixture(scope="module")
def stack(load_dag, tmp_path_factory: pytest.TempPathFactory):
    """Pushgateway + Prometheus (1 s scrapes, the alert rules loaded), a fresh Headwater home, the sample day run once."""
    gateway = servers.start_pushgateway()
    target = gateway.url.removeprefix("http://")
    config = (
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "rule_files: [rules.yaml]\n"
        "scrape_configs:\n"
        "  - job_name: pushgateway\n"
        "    honor_labels: true  # keep the job and grouping labels Headwater pushed\n"
        f"    static_configs: [{{targets: ['{target}']}}]\n"
    )
    prometheus = servers.start_prometheus(config, {"rules.yaml": RULES.read_text()})
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HEADWATER_PUSHGATEWAY_URL", gateway.url)
        env.setenv("HEADWATER_HOME", str(tmp_path_factory.mktemp("metrics-e2e")))
        dag = load_dag("headwater_ingest")
        started = time.time()
        run = dag.test(logical_date=datetime(2026, 11, 20, tzinfo=timezone.utc))
        assert run.state == "success"
        _scraped_after(prometheus.url, started)
        yield {"dag": dag, "prometheus": prometheus.url, "gateway": gateway.url}
    prometheus.stop()
    gateway.stop()


def _report() -> dict:
    from headwater.config.settings import Settings
    from headwater.layout import Layout
    from headwater.storage import read_json

    return read_json(Layout(Settings.from_env().data_dir, DATE).report())


def _counts(prometheus: str) -> dict[str, float]:
    counts = _by(prometheus, f'sum by (outcome) (headwater_rows{{date="{DATE}"}})', "outcome")
    counts["records"] = _by(prometheus, f'sum(headwater_records{{date="{DATE}"}})', "")[""]
    counts["series"] = _by(prometheus, f'count(headwater_rows{{date="{DATE}"}})', "")[""]
    return counts


SAMPLE_DAY = {"curated": 31, "duplicate": 8, "quarantined": 3, "structural": 7, "records": 49}


def test_promql_reads_the_exact_row_counts_per_outcome(stack) -> None:
    counts = _counts(stack["prometheus"])
    # the sample day: 49 physical records = 42 data records (31 curated + 8 duplicates + 3 quarantined) + 7 structural lines
    assert {k: counts[k] for k in SAMPLE_DAY} == SAMPLE_DAY
    totals = _report()["totals"]  # ... and the same numbers as the run report the manifests add up to
    assert SAMPLE_DAY == {
        "curated": totals["curated"], "duplicate": totals["duplicates"], "quarantined": totals["quarantined"],
        "structural": totals["structural"], "records": totals["records"],
    }  # fmt: skip
    prom = stack["prometheus"]
    assert _by(prom, f'sum by (reason) (headwater_quarantined_rows{{date="{DATE}"}})', "reason") == {"field_count": 2, "schema": 1}
    assert _by(prom, f'sum by (status) (headwater_files{{date="{DATE}"}})', "status") == {"ok": 6, "quarantined": 1}
    assert _by(prom, f'sum by (source) (headwater_rows{{date="{DATE}",outcome="curated"}})', "source") == {"customers": 15, "default": 16}
    # every file's four stages were timed (the whole-file quarantine only ingested)
    assert _by(prom, f'sum by (stage) (headwater_stage_duration_seconds_count{{date="{DATE}"}})', "stage") == {
        "ingest": 7, "clean": 6, "chunk": 6, "embed": 6,
    }
    # a fresh cache: 29 texts sent to the model (the run report's count), 5 repeated texts found in the cache (34 vectors:
    # the 4 customers with no note are row documents, rd12; two catalog texts that differed only by their link's product
    # path, https://shop.example.com/p/10N, now repeat another: link targets keep scheme and host only, html14)
    assert _report()["this_run"]["embedding_calls"] == 29
    assert _by(prom, f'sum(headwater_embedding_texts{{date="{DATE}"}})', "") == {"": 29}
    assert _by(prom, f'sum(headwater_embedding_cache_hits{{date="{DATE}"}})', "") == {"": 5}
    assert set(_by(prom, "headwater_last_success_timestamp_seconds", "source")) == {"customers", "default"}


def _load_dashboard():
    spec = importlib.util.spec_from_file_location("grafana_dashboard", PROJECT / "monitoring" / "grafana_dashboard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _push_the_other_jobs(gateway: str) -> None:
    """What headwater_monitor's landing task and headwater_finetune's callbacks and record task push."""
    from headwater.config.settings import Settings
    from headwater.metrics import push_eval, set_finetune_state
    from headwater.monitor import landing_today

    settings = Settings.from_env()
    landing_today(["customers_eu.csv", "SUPPORT_TICKETS.csv"], DATE, settings, url=gateway)
    set_finetune_state(settings, "manual__e2e", "pending")
    push_eval({"eval_rows": [{"model": "base", "precision": "nf4", "status": "ok", "perplexity": 41.5},
                             {"model": "adapted", "precision": "nf4", "status": "ok", "perplexity": 12.25}]}, settings, url=gateway)


def test_every_dashboard_panel_query_returns_data(stack) -> None:
    prom = stack["prometheus"]
    _push_the_other_jobs(stack["gateway"])
    servers.wait_until(lambda: _query(prom, "headwater_finetune_eval_perplexity") and _query(prom, "headwater_landing_files_today"), 30, "a scrape")
    board = json.loads(_load_dashboard().render())
    queries = [(p["title"], t["expr"]) for p in board["panels"] for t in p.get("targets", [])]
    assert len(queries) == 12
    empty = []
    for title, expr in queries:
        resolved = expr.replace("$source", ".*")  # the source picker's "All"
        assert "$" not in resolved, (title, expr)
        if not _query(prom, resolved):
            empty.append((title, expr))
    assert empty == []
    assert _by(prom, "headwater_quarantine_ratio", "source") == {"customers": pytest.approx(1 / 21), "default": pytest.approx(2 / 21)}  # struct6: a line of commas is blank, not quarantined


def test_the_alert_rules_load_and_evaluate_on_the_real_server(stack) -> None:
    prom = stack["prometheus"]
    evaluated = lambda: [r for r in _rules(prom) if not r.get("lastEvaluation", "0001").startswith("0001")]  # noqa: E731
    servers.wait_until(lambda: len(evaluated()) == 6, 30, "rule evaluation")
    rules = _rules(prom)
    assert {r["name"]: r["health"] for r in rules} == {name: "ok" for name in (
        "HeadwaterSourceStale", "HeadwaterQuarantineSpike", "HeadwaterTaskFailed",
        "HeadwaterNoLandingFilesToday", "HeadwaterFinetuneWorseThanBase", "HeadwaterGpuBacklog",
    )}  # fmt: skip
    # a healthy day: nothing stale, no failure, adapted better than base
    states = {r["name"]: r["state"] for r in rules}
    assert states["HeadwaterSourceStale"] == states["HeadwaterTaskFailed"] == states["HeadwaterFinetuneWorseThanBase"] == "inactive"


def _rules(prometheus: str) -> list[dict]:
    with urllib.request.urlopen(f"{prometheus}/api/v1/rules", timeout=10) as response:
        return [r for g in json.load(response)["data"]["groups"] for r in g["rules"]]


def test_a_forced_rerun_of_the_day_replaces_its_numbers(stack) -> None:
    prom, dag = stack["prometheus"], stack["dag"]
    before = _counts(prom)
    started = time.time()
    run = dag.test(logical_date=datetime(2026, 11, 20, tzinfo=timezone.utc), run_conf={"force": True})
    assert run.state == "success"
    assert {ti.task_id: ti.state for ti in run.get_task_instances()}["report"] == "success"  # every file recomputed
    _scraped_after(prom, started)
    after = _counts(prom)
    assert after == before and {k: after[k] for k in SAMPLE_DAY} == SAMPLE_DAY
    # the re-run's embeddings all came from the cache: the date's numbers were replaced, not added to
    assert _by(prom, f'sum(headwater_embedding_texts{{date="{DATE}"}})', "") == {"": 0}
    assert _by(prom, f'sum(headwater_embedding_cache_hits{{date="{DATE}"}})', "") == {"": 34}
    assert _by(prom, f'sum by (stage) (headwater_stage_duration_seconds_count{{date="{DATE}"}})', "stage")["embed"] == 6
    # bounded labels only: never a run id or a file name
    labels = {k for r in _query(prom, '{__name__=~"headwater_.+"}') for k in r["metric"]}
    assert labels <= {"__name__", "job", "instance", "date", "source", "outcome", "status", "reason", "stage", "le", "model", "precision", "state"}
