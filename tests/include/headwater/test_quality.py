"""The data-quality view's data (headwater.quality) from the run reports and manifests the stages write."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from headwater import quality
from headwater.config.settings import Settings
from headwater.manifest import layout
from headwater.report import report
from headwater.storage import write_json, write_jsonl


def _manifest(settings: Settings, date: str, name: str, source: str, **counts: object) -> str:
    from headwater.manifest import FileRef

    ref = FileRef(date, name)
    manifest = {
        "source": ref.source, "file": name, "date": date, "key": ref.key, "status": "ok",
        "stages": {s: {"seconds": 0.1} for s in ("ingest", "clean", "chunk", "embed")},
        "source_config": {"name": source}, "schema": "customer",
        "columns": [
            {"original": " Customer ID ", "standardized": "customer_id", "canonical": "customer_id", "matched": "customer_id", "method": "exact", "score": 100.0},
            {"original": "LTV", "standardized": "ltv", "canonical": "lifetime_value", "matched": "ltv", "method": "alias", "score": 100.0},
        ],
        "column_types": {"customer_id": "string", "lifetime_value": "number"},
        "coercion_failures": {"lifetime_value": 2, "customer_id": 0},
        **counts,
    }
    write_json(layout(settings, date).manifest(ref.key), manifest)
    return ref.key


def _day(settings: Settings, date: str = "2026-11-20") -> None:
    """Two files: a.csv (5 read: 3 curated, 1 duplicate, 1 quarantined; 2 values kept raw) and b.csv (2 read, 2 curated)."""
    lay = layout(settings, date)
    a = _manifest(settings, date, "a.csv", "customers", rows_read=5, curated=3, duplicates=1, quarantined=1, records=6, structural={"header": 1})
    b = _manifest(settings, date, "b.csv", "orders", rows_read=2, curated=2, duplicates=0, quarantined=0, records=3, structural={"header": 1},
                  coercion_failures={})
    table = pa.table({"_line": [2, 3, 5], "customer_id": ["1", "2", "3"], "lifetime_value": [1.5, None, None],
                      "lifetime_value__raw": [None, "unknown", "12,5,0"]})
    lay.curated(a).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, lay.curated(a))
    pq.write_table(pa.table({"_line": [2, 3], "customer_id": ["7", "8"]}), lay.curated(b))
    write_jsonl(lay.quarantine_rows(a), [
        {"source": f"{date}/a.csv", "line": 6, "stage": "ingest", "reason": "a.csv line 6: 7 fields, header has 6 — row quarantined", "raw": ["x"] * 7},
    ])
    report(date, ["a.csv", "b.csv"], settings, run_id="r")


def test_the_day_table_has_each_files_counts_status_and_reasons(settings: Settings) -> None:
    _day(settings)
    day = quality.day(settings, "2026-11-20")
    assert [(f["file"], f["source"], f["status"], f["rows_read"], f["curated"], f["duplicates"], f["quarantined"], f["structural_lines"])
            for f in day["files"]] == [("a.csv", "customers", "ok", 5, 3, 1, 1, 1), ("b.csv", "orders", "ok", 2, 2, 0, 0, 1)]
    assert day["files"][0]["reasons"] == ["1 × 7 fields, header has 6 — row quarantined"]
    assert day["totals"] == {"rows_read": 7, "curated": 5, "duplicates": 1, "quarantined": 1}
    assert (day["report"], day["no_landing_files"]) == (True, False)
    assert quality.dates(settings) == ["2026-11-20"]


def test_a_date_without_report_and_a_date_without_landing_files(settings: Settings) -> None:
    assert quality.day(settings, "2026-11-19") == {
        "date": "2026-11-19", "report": False, "no_landing_files": False, "files": [], "totals": {}, "skipped": []
    }
    report("2026-11-21", [], settings, run_id="r")
    empty = quality.day(settings, "2026-11-21")
    assert (empty["report"], empty["no_landing_files"], empty["files"]) == (True, True, [])
    saved = json.loads(layout(settings, "2026-11-21").report().read_text())
    assert saved["no_landing_files"] is True and saved["written_at"].endswith("+00:00")


def test_skipped_landing_files_are_not_a_date_without_files(settings: Settings) -> None:
    report("2026-11-22", [], settings, run_id="r", skipped=[{"file": "x.pdf", "reason": "not a table"}])
    assert quality.day(settings, "2026-11-22")["no_landing_files"] is False


def test_a_files_page_has_the_mapping_coercion_failures_and_quarantined_rows(settings: Settings) -> None:
    _day(settings)
    detail = quality.file_detail(settings, "2026-11-20", "a.csv")
    assert [(c["original"], c["standardized"], c["canonical"]) for c in detail["columns"]] == [
        (" Customer ID ", "customer_id", "customer_id"), ("LTV", "ltv", "lifetime_value")]
    assert detail["coercion"] == [{"column": "lifetime_value", "type": "number", "failures": 2,
                                   "examples": [{"line": 3, "raw": "unknown"}, {"line": 5, "raw": "12,5,0"}]}]
    assert detail["quarantined_rows"] == [{"line": 6, "reason": "a.csv line 6: 7 fields, header has 6 — row quarantined", "raw": ["x"] * 7}]
    assert detail["quarantined_total"] == 1
    assert quality.file_detail(settings, "2026-11-20", "nope.csv") is None


def test_history_sums_each_sources_files_per_date(settings: Settings) -> None:
    _day(settings, "2026-11-20")
    _day(settings, "2026-11-18")
    got = quality.history(settings, "2026-11-20", days=3)
    assert [(h["date"], h["source"], h["curated"], h["quarantined"], h["files"]) for h in got] == [
        ("2026-11-18", "customers", 3, 1, 1), ("2026-11-18", "orders", 2, 0, 1),
        ("2026-11-20", "customers", 3, 1, 1), ("2026-11-20", "orders", 2, 0, 1),
    ]
    assert quality.history(settings, "2026-11-20", days=2)[0]["date"] == "2026-11-20"  # 11-19 has no report


def test_reason_class_drops_file_and_line() -> None:
    assert quality.reason_class("people.csv line 1042: 7 fields, header has 6 — row quarantined") == "7 fields, header has 6 — row quarantined"
    assert quality.reason_class("no line here") == "no line here"


def test_layout_lists_report_dates(tmp_path: Path) -> None:
    from headwater.layout import Layout

    for d in ("2026-11-21", "2026-11-19"):
        write_json(Layout(tmp_path, d).report(), {})
    (tmp_path / "reports" / "date=2026-11-20").mkdir()  # no report in it
    assert Layout(tmp_path).report_dates() == ["2026-11-19", "2026-11-21"]
