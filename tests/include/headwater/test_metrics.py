"""headwater.metrics: every metric from the stages' own outputs, bounded labels, Pushgateway groups that replace."""

from __future__ import annotations

import json
import urllib.request
from datetime import date, datetime
from pathlib import Path

import pytest
import servers
from prometheus_client.parser import text_string_to_metric_families

from headwater.config.settings import Settings
from headwater.layout import Layout
from headwater.ledger import Ledger
from headwater.manifest import FileRef
from headwater.metrics import (
    date_registry, eval_registry, expired_dates, finetune_runs_registry, prune_dates, push_date, push_eval, pushed_groups,
    quarantine_class, set_finetune_state,
)  # fmt: skip
from headwater.report import report as run_report
from headwater.storage import read_json
from test_stages import DATE, SAMPLE, _run_file

NAMES = ["Customers Export.csv", "SUPPORT_TICKETS.csv", "orders_export.csv"]
SKIPPED = [{"file": ".~lock.orders.csv#", "reason": "hidden file"}]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict]:
    """Three sample files through the four stages (customers source, default source, an HTML page) and their report."""
    settings = Settings(home=tmp_path_factory.mktemp("metrics"), landing_uri=SAMPLE.parent.as_uri())
    for name in NAMES:
        _run_file(name, settings)
    return settings, run_report(DATE, NAMES, settings, run_id="r1", skipped=SKIPPED)


def _gauges(registry, name: str) -> dict[tuple, float]:
    return {
        tuple(sorted(s.labels.items())): s.value
        for family in registry.collect() for s in family.samples if s.name == name
    }


def test_rows_by_outcome_add_up_to_the_physical_records(sample) -> None:
    settings, report = sample
    reg = date_registry(report, settings)
    rows = {(dict(k)["source"], dict(k)["outcome"]): v for k, v in _gauges(reg, "headwater_rows").items()}
    assert rows == {
        ("customers", "curated"): 7, ("customers", "duplicate"): 3, ("customers", "quarantined"): 0, ("customers", "structural"): 2,
        ("default", "curated"): 5, ("default", "duplicate"): 1, ("default", "quarantined"): 2, ("default", "structural"): 1,
    }  # fmt: skip
    records = {dict(k)["source"]: v for k, v in _gauges(reg, "headwater_records").items()}
    assert records == {"customers": 12, "default": 9}
    for source, n in records.items():  # the accounting identity holds in the metrics too
        assert sum(v for (s, _), v in rows.items() if s == source) == n


def test_quarantine_reasons_by_class_match_the_quarantine_file(sample) -> None:
    settings, report = sample
    reg = date_registry(report, settings)
    assert _gauges(reg, "headwater_quarantined_rows") == {  # Customers Export.csv's ,,,,, is a blank line (struct6)
        (("reason", "field_count"), ("source", "default")): 2,
    }
    lay = Layout(settings.data_dir, DATE)
    written = [json.loads(line)["reason"] for name in ("Customers Export.csv", "SUPPORT_TICKETS.csv")
               for line in lay.quarantine_rows(FileRef(DATE, name).key).read_text().splitlines()]
    assert sorted(quarantine_class(r) for r in written) == ["field_count", "field_count"]
    assert _gauges(reg, "headwater_quarantined_files") == {(("reason", "html"), ("source", "default")): 1}


def test_files_by_status_include_the_whole_quarantined_and_the_skipped(sample) -> None:
    settings, report = sample
    assert _gauges(date_registry(report, settings), "headwater_files") == {
        (("source", "customers"), ("status", "ok")): 1,
        (("source", "default"), ("status", "ok")): 1,
        (("source", "default"), ("status", "quarantined")): 1,
        (("source", "default"), ("status", "skipped")): 1,
    }


def test_stage_durations_embedding_and_freshness_come_from_the_manifests_and_ledger(sample) -> None:
    settings, report = sample
    reg = date_registry(report, settings)
    lay = Layout(settings.data_dir, DATE)
    tickets = read_json(lay.manifest(FileRef(DATE, "SUPPORT_TICKETS.csv").key))
    html = read_json(lay.manifest(FileRef(DATE, "orders_export.csv").key))
    # default: SUPPORT_TICKETS' four stages, and the HTML page's ingest
    sums = {dict(k)["stage"]: v for k, v in _gauges(reg, "headwater_stage_duration_seconds_sum").items() if dict(k)["source"] == "default"}
    assert sums == pytest.approx({
        "ingest": tickets["stages"]["ingest"]["seconds"] + html["stages"]["ingest"]["seconds"],
        **{s: tickets["stages"][s]["seconds"] for s in ("clean", "chunk", "embed")},
    })
    counts = {dict(k)["stage"]: v for k, v in _gauges(reg, "headwater_stage_duration_seconds_count").items() if dict(k)["source"] == "default"}
    assert counts == {"ingest": 2, "clean": 1, "chunk": 1, "embed": 1}
    # customers: Customers Export.csv's 5 notes chunks and the row documents of its 2 customers with no notes (breaker9 #15)
    assert _gauges(reg, "headwater_embedding_texts") == {(("source", "customers"),): 7, (("source", "default"),): 5}
    assert _gauges(reg, "headwater_embedding_cache_hits") == {(("source", "customers"),): 0, (("source", "default"),): 0}
    speed = _gauges(reg, "headwater_embedding_texts_per_second")[(("source", "default"),)]
    assert speed == pytest.approx(5 / tickets["stages"]["embed"]["seconds"])
    ledger = Ledger.for_settings(settings).get(f"{DATE}/SUPPORT_TICKETS.csv")
    fresh = _gauges(reg, "headwater_last_success_timestamp_seconds")
    assert fresh[(("source", "default"),)] == datetime.fromisoformat(ledger.updated_at).timestamp()
    assert set(fresh) == {(("source", "customers"),), (("source", "default"),)}


def test_no_label_holds_a_file_name_or_run_id(sample) -> None:
    settings, report = sample
    values = {v for family in date_registry(report, settings).collect() for s in family.samples for k, v in s.labels.items() if k != "le"}
    assert values <= {"customers", "default", "curated", "duplicate", "quarantined", "structural", "ok", "skipped",
                      "empty_row", "field_count", "html", "ingest", "clean", "chunk", "embed"}


@pytest.mark.parametrize(("reason", "expected"), [
    ("SUPPORT_TICKETS.csv line 4: 3 fields, header has 6 — row quarantined", "field_count"),
    ("a.csv line 9: unparseable CSV (unexpected end of data) — row quarantined", "unparseable_csv"),
    ("a.csv line 12: part of the second table that starts at line 10 — row quarantined; split the file", "second_table"),
    ("a.csv line 3: a field of 2,000,000 characters, more than read.max_field_chars=1,000,000 — row quarantined", "field_too_long"),
    ("line 11: every value is empty — row quarantined", "empty_row"),
    ("line 4: fails schema customer — lifetime_value=-45.0 breaks min 0 — row quarantined", "schema"),
    ("orders_export.csv: gzip data with a CSV name — file quarantined; decompress/convert it and drop it again", "compressed_name"),
    ("an HTML page with a CSV name (an error page saved by the exporter?) — file quarantined; export the CSV again", "html"),
    ("12 control bytes in the first 4096 bytes: binary, not CSV — file quarantined", "binary"),
    ("JSON Lines content with a CSV name, not a CSV table — file quarantined; export it as CSV and drop it again", "text_format"),
    ("line 3: a quoted text after ',' holds line breaks, but the first 65,536 characters do not read as a table", "text_format"),
    ("cannot decode as utf-8: invalid start byte — file quarantined; re-export it as UTF-8", "encoding"),
    ("something no one wrote yet", "other"),
])  # fmt: skip
def test_quarantine_reason_classes(reason: str, expected: str) -> None:
    assert quarantine_class(reason) == expected


def _scrape(gateway: str) -> dict[tuple, float]:
    text = urllib.request.urlopen(f"{gateway}/metrics", timeout=5).read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text) for s in family.samples if s.name.startswith("headwater_")
    }


def test_a_rerun_of_a_date_replaces_its_group_on_a_real_pushgateway(sample, pushgateway: str) -> None:
    settings, report = sample
    key = ("headwater_rows", (("date", DATE), ("instance", ""), ("job", "headwater_ingest"), ("outcome", "curated"), ("source", "customers")))
    assert push_date(report, settings, url=pushgateway)
    assert _scrape(pushgateway)[key] == 7
    assert push_date(report, settings, url=pushgateway)  # the same date again: replaced, not added
    first = _scrape(pushgateway)
    assert first[key] == 7
    other = {**report, "date": "2026-11-21", "files": report["files"][:1], "skipped": []}
    assert push_date(other, settings, url=pushgateway)  # another date: its own group, the first one stays
    both = _scrape(pushgateway)
    assert both[key] == 7 and both[(key[0], (("date", "2026-11-21"),) + key[1][1:])] == 7
    # a re-run after which the default source has no file left drops its series (PUT, not pushadd)
    assert push_date({**report, "files": report["files"][:1], "skipped": []}, settings, url=pushgateway)
    after = _scrape(pushgateway)
    assert not [k for k in after if k[0] == "headwater_rows" and ("source", "default") in k[1] and ("date", DATE) in k[1]]
    # ... and a metric the re-run no longer has at all (no whole file quarantined): gone too (POST would keep it)
    assert [k for k in first if k[0] == "headwater_quarantined_files"]
    assert not [k for k in after if k[0] == "headwater_quarantined_files" and ("date", DATE) in k[1]]
    assert sum(v for k, v in first.items() if k[0] == "headwater_rows" and ("date", DATE) in k[1]) == 21


def test_no_pushgateway_means_no_push(sample) -> None:
    settings, report = sample
    assert push_date(report, settings, url="") is False


def test_finetune_runs_by_state(tmp_path: Path, pushgateway: str) -> None:
    settings = Settings(home=tmp_path, pushgateway_url=pushgateway)
    key = lambda state: ("headwater_finetune_runs", (("instance", ""), ("job", "headwater_finetune_runs"), ("state", state)))  # noqa: E731
    assert set_finetune_state(settings, "run-a", "pending", now=1000) == {"pending": 1, "running": 0}
    assert set_finetune_state(settings, "run-b", "pending", now=1001) == {"pending": 2, "running": 0}
    assert set_finetune_state(settings, "run-a", "running", now=1002) == {"pending": 1, "running": 1}
    scraped = _scrape(pushgateway)
    assert (scraped[key("pending")], scraped[key("running")]) == (1, 1)
    assert set_finetune_state(settings, "run-a", None, now=1003) == {"pending": 1, "running": 0}
    # run-b's worker died without its callback: a day later it no longer holds a GPU warm
    assert set_finetune_state(settings, "run-c", "pending", now=1001 + 24 * 3600 + 1) == {"pending": 1, "running": 0}
    assert json.loads(Layout(tmp_path / "data").finetune_active_runs.read_text()) == {"run-c": {"since": 1001 + 24 * 3600 + 1, "state": "pending"}}
    scraped = _scrape(pushgateway)
    assert (scraped[key("pending")], scraped[key("running")]) == (1, 0)
    with pytest.raises(ValueError, match="'queued'"):
        set_finetune_state(settings, "run-d", "queued")


def test_finetune_runs_gauge_always_has_both_states() -> None:
    assert _gauges(finetune_runs_registry({}), "headwater_finetune_runs") == {(("state", "pending"),): 0, (("state", "running"),): 0}


def test_eval_perplexity_per_model_and_precision(pushgateway: str, tmp_path: Path) -> None:
    entry = {"eval_rows": [
        {"model": "base", "precision": "nf4", "status": "ok", "perplexity": 9.5},
        {"model": "adapted", "precision": "nf4", "status": "ok", "perplexity": 7.25},
        {"model": "base", "precision": "int8", "status": "n/a (no CUDA)"},
    ]}  # fmt: skip
    assert _gauges(eval_registry(entry), "headwater_finetune_eval_perplexity") == {
        (("model", "adapted"), ("precision", "nf4")): 7.25, (("model", "base"), ("precision", "nf4")): 9.5,
    }
    assert push_eval(entry, Settings(home=tmp_path), url=pushgateway)
    scraped = _scrape(pushgateway)
    assert scraped[("headwater_finetune_eval_perplexity", (("instance", ""), ("job", "headwater_finetune_eval"), ("model", "base"), ("precision", "nf4")))] == 9.5


# ------------------------------------------------------------------ Pushgateway retention (prune_dates)

TODAY = date(2026, 11, 29)


def _ingest(day: str) -> dict[str, str]:
    return {"job": "headwater_ingest", "date": day}


@pytest.mark.parametrize(
    ("keep_days", "expected"),
    [
        (35, ["2026-10-01", "2026-10-24"]),  # today - 35 = 2026-10-25 is kept; one day older goes
        (1, ["2026-10-01", "2026-10-24", "2026-10-25", "2026-11-27"]),  # today and yesterday stay
        (60, []),
    ],
)
def test_expired_dates_are_the_ingest_date_groups_older_than_the_retention(keep_days: int, expected: list[str]) -> None:
    groups = [
        _ingest("2026-10-01"), _ingest("2026-10-24"), _ingest("2026-10-25"), _ingest("2026-11-27"),
        _ingest("2026-11-28"), _ingest("2026-11-29"), _ingest("2026-12-03"),  # yesterday, today, a future date
        _ingest("20261001"),  # a date label not in YYYY-MM-DD form: not Headwater's
        {"job": "headwater_ingest", "date": "latest"},
        {"job": "headwater_ingest", "date": "2026-10-01", "instance": "w1"},  # another grouping key
        {"job": "nightly_backup", "date": "2026-10-01"},  # another job with a date label
        {"job": "headwater_monitor"},
    ]  # fmt: skip
    assert expired_dates(groups, TODAY, keep_days) == expected


def _push_group(gateway: str, labels: dict[str, str]) -> None:
    from prometheus_client import CollectorRegistry, Gauge, push_to_gateway

    registry = CollectorRegistry()
    Gauge("headwater_test_value", "a value", registry=registry).set(1)
    grouping = {k: v for k, v in labels.items() if k != "job"}
    push_to_gateway(gateway, job=labels["job"], registry=registry, grouping_key=grouping)


def test_prune_dates_deletes_old_date_groups_on_a_real_pushgateway(pushgateway: str, tmp_path: Path) -> None:
    """Old ingest dates go; recent and future dates, other Headwater jobs and other jobs' groups stay."""
    groups = [
        _ingest("2026-09-30"), _ingest("2026-10-24"), _ingest("2026-10-25"), _ingest("2026-11-28"), _ingest("2026-11-29"),
        _ingest("2026-12-01"),
        {"job": "headwater_ingest", "date": "2026-09-30", "instance": "w1"},
        {"job": "nightly_backup", "date": "2026-09-30"},
        {"job": "headwater_monitor"}, {"job": "headwater_finetune_eval"}, {"job": "headwater_alerts"},
    ]  # fmt: skip
    for labels in groups:
        _push_group(pushgateway, labels)
    assert len(pushed_groups(pushgateway)) == len(groups)

    settings = Settings(home=tmp_path, pushgateway_url=pushgateway)  # pushgateway_retention_days: the default, 35
    assert prune_dates(settings, TODAY) == ["2026-09-30", "2026-10-24"]
    remaining = {tuple(sorted(g.items())) for g in pushed_groups(pushgateway)}
    assert remaining == {tuple(sorted(g.items())) for g in groups} - {tuple(sorted(_ingest(d).items())) for d in ("2026-09-30", "2026-10-24")}
    # ... and their series are gone from what Prometheus scrapes
    assert {dict(labels).get("date") for name, labels in _scrape(pushgateway) if name == "headwater_test_value"} == {
        None, "2026-09-30", "2026-10-25", "2026-11-28", "2026-11-29", "2026-12-01",
    }  # None: the jobs without a date; 2026-09-30: the other job's and the extra-label group's
    assert prune_dates(settings, TODAY) == []  # nothing left to prune

    shorter = Settings(home=tmp_path, pushgateway_url=pushgateway, pushgateway_retention_days=1)
    assert prune_dates(shorter, TODAY) == ["2026-10-25"]


def test_prune_dates_without_a_reachable_gateway_deletes_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert prune_dates(Settings(home=tmp_path), TODAY) == []  # no HEADWATER_PUSHGATEWAY_URL: nothing pushed, nothing to prune
    with caplog.at_level("WARNING", logger="headwater.metrics"):
        assert prune_dates(Settings(home=tmp_path), TODAY, url=f"http://127.0.0.1:{servers.free_port()}") == []
    assert "could not prune the date groups" in caplog.text
