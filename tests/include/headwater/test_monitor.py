"""headwater.monitor: the hourly checks of headwater_monitor, each with a case that finds a problem and one that does not."""

from __future__ import annotations

import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from headwater.config.settings import Settings
from headwater.layout import Layout
from headwater.ledger import Ledger, fingerprint
from headwater.monitor import SMOKE_QUERIES, SmokeQuery, landing_today, quarantine_ratios, quarantine_spikes, retrieval_smoke, stale_sources
from headwater.storage import write_json
from test_stages import DATE, SAMPLE, _run_file


def _settings(tmp_path: Path, **extra) -> Settings:
    return Settings(home=tmp_path, landing_uri=SAMPLE.parent.as_uri(), **extra)


def test_a_source_without_a_good_file_for_26_hours_is_stale(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ledger = Ledger.for_settings(settings)
    ledger.record("2026-11-20/SUPPORT_TICKETS.csv", fingerprint("a", settings), "ok")  # default source
    ledger.record("2026-11-20/customers_eu.csv", fingerprint("b", settings), "ok")  # customers source
    ledger.record("2026-11-21/customers_eu.csv", fingerprint("c", settings), "quarantined")  # not a good file
    recorded = datetime.fromisoformat(ledger.get("2026-11-20/customers_eu.csv").updated_at)
    assert stale_sources(settings, recorded + timedelta(hours=25)) == []
    problems = stale_sources(settings, recorded + timedelta(hours=27, seconds=5))
    assert [p.split(":")[0] for p in problems] == ["source customers", "source default"]
    assert "more than 26 h" in problems[0] and "runbook HeadwaterSourceStale" in problems[0]


def _report(day: str, files: list[tuple[str, int, int]]) -> dict:
    return {"date": day, "files": [{"file": f, "rows_read": read, "quarantined": q} for f, read, q in files]}


def test_a_quarantine_share_far_above_the_weeks_level_is_a_spike(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    today = date(2026, 11, 28)
    for back in range(1, 8):  # a week at 1 in 20 for customers, 1 in 10 for the default source
        day = (today - timedelta(days=back)).isoformat()
        write_json(Layout(settings.data_dir, day).report(), _report(day, [("customers_eu.csv", 20, 1), ("SUPPORT_TICKETS.csv", 10, 1)]))
    write_json(Layout(settings.data_dir, today.isoformat()).report(),
               _report(today.isoformat(), [("customers_eu.csv", 10, 3), ("customersApac.csv", 10, 1), ("SUPPORT_TICKETS.csv", 10, 1)]))
    ratios = quarantine_ratios(settings, today)
    assert (ratios.latest_date, ratios.latest, ratios.baseline) == ("2026-11-28", {"customers": 0.2, "default": 0.1}, pytest.approx({"customers": 0.05, "default": 0.1}))
    problems = quarantine_spikes(ratios)
    assert len(problems) == 1 and problems[0].startswith("source customers: 20.0% of the records of 2026-11-28 quarantined, against 5.0%")
    # twice the level but not 10 points above it: no spike
    assert quarantine_spikes(ratios, margin=0.2) == []


def test_no_report_no_ratio(tmp_path: Path) -> None:
    ratios = quarantine_ratios(_settings(tmp_path), date(2026, 11, 28))
    assert (ratios.latest_date, ratios.latest, quarantine_spikes(ratios)) == (None, {}, [])


def _scrape(gateway: str) -> dict[tuple, float]:
    text = urllib.request.urlopen(f"{gateway}/metrics", timeout=5).read().decode()
    return {
        (s.name, tuple(sorted((k, v) for k, v in s.labels.items() if k not in ("instance", "job")))): s.value
        for family in text_string_to_metric_families(text) for s in family.samples if s.name.startswith("headwater_")
    }


def test_todays_landing_files_and_the_quarantine_ratio_are_pushed(tmp_path: Path, pushgateway: str) -> None:
    settings = _settings(tmp_path, pushgateway_url=pushgateway)
    write_json(Layout(settings.data_dir, "2026-11-20").report(), _report("2026-11-20", [("customers_eu.csv", 8, 2)]))
    assert landing_today(["customers_eu.csv", "customersApac.csv", "SUPPORT_TICKETS.csv"], "2026-11-20", settings) == {"customers": 2, "default": 1}
    scraped = _scrape(pushgateway)
    assert scraped[("headwater_landing_files_today", ())] == 3
    assert scraped[("headwater_quarantine_ratio", (("source", "customers"),))] == 0.25
    assert landing_today([], "2026-11-21", settings) == {}  # an empty day reads 0, not "no data"
    assert _scrape(pushgateway)[("headwater_landing_files_today", ())] == 0


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = _settings(tmp_path_factory.mktemp("smoke"))
    for name in ("SUPPORT_TICKETS.csv", "product-reviews.csv"):
        _run_file(name, settings)
    return settings


def test_the_known_queries_find_their_rows(embedded: Settings) -> None:
    assert retrieval_smoke(embedded) == []


def test_a_query_that_misses_its_row_is_a_problem(embedded: Settings) -> None:
    wrong = SmokeQuery(SMOKE_QUERIES[0].query, "SUPPORT_TICKETS.csv", 4, k=1)
    problems = retrieval_smoke(embedded, [SMOKE_QUERIES[1], wrong])
    assert len(problems) == 1 and problems[0].startswith(f"retrieval smoke test: {wrong.query!r} should return SUPPORT_TICKETS.csv line 4 in its top 1, got {DATE}/SUPPORT_TICKETS.csv line 2")


def test_an_empty_store_is_a_problem(tmp_path: Path) -> None:
    problems = retrieval_smoke(_settings(tmp_path))
    assert len(problems) == 1 and "is empty" in problems[0]
