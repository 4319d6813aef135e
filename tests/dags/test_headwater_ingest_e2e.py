"""A real Airflow run of headwater_ingest (dag.test) over the shipped sample landing zone."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

EXPECTED = {
    # file: (status, rows_read, curated, duplicates, quarantined, chunks, vectors)
    # customers: `notes` is declared `type: text` in config/sources/customers.yaml, so it is chunked
    # notes `-` is kept as text (an ambiguous missing-value spelling in a text column): one more chunk
    # its line of commas only (,,,,,) holds no value: a structural blank line (struct6; before: quarantined as an empty row)
    # rows: auto: the customers whose notes are empty get row documents (breaker9 #15): 2 here, 1 in eu and apac
    "Customers Export.csv": ("ok", 10, 7, 3, 0, 7, 7),  # Jon Smith = John Smith (record linkage, customers.yaml)
    # T-501 twice: its body's e-mail address is masked (no original kept), so the copies are not merged on the mask
    "SUPPORT_TICKETS.csv": ("ok", 8, 5, 1, 2, 5, 5),  # T-501 twice: one record (its masked e-mail hid the same address)
    "customers_eu.csv": ("ok", 6, 5, 1, 0, 5, 5),  # notes `?` kept as text: one more chunk
    # camelCase third convention of the customers source: 1 exact dup, 1 refund breaking the schema's min 0
    "customersApac.csv": ("ok", 5, 3, 1, 1, 3, 3),
    "orders_export.csv": ("quarantined", 0, 0, 0, 0, 0, 0),
    # R-706 re-exports R-701's review under a new review_id: a key, so the conservative default keeps it
    "product-reviews.csv": ("ok", 7, 6, 1, 0, 6, 6),
    "productCatalog.csv": ("ok", 6, 5, 1, 0, 8, 8),
}
COUNTS = ("status", "rows_read", "curated", "duplicates", "quarantined", "chunks", "vectors")


@pytest.fixture(scope="module")
def dag(ingest_dag):
    return ingest_dag


def _run(dag):
    from headwater.config.settings import Settings
    from headwater.layout import Layout
    from headwater.storage import read_json

    run = dag.test(logical_date=datetime(2026, 11, 20, tzinfo=timezone.utc))
    report = read_json(Layout(Settings.from_env().data_dir, "2026-11-20").report())
    return run, report


def test_sample_day_end_to_end_then_rerun_is_a_noop(dag, curated_events) -> None:
    from headwater.config.settings import Settings
    from headwater.embed.store import VectorStore

    before = curated_events()
    run, report = _run(dag)
    assert run.state == "success"
    got = {f["file"]: tuple(f[k] for k in COUNTS) for f in report["files"]}
    assert got == EXPECTED
    assert all(f["accounted"] for f in report["files"])
    assert report["failed"] == []
    assert report["quarantined_files"] == ["2026-11-20/orders_export.csv"]

    tis = run.get_task_instances()
    # skipped instances never render their template, so name map indexes from the ingest tasks
    names = {ti.map_index: ti.rendered_map_index for ti in tis if ti.task_id == "process_file.ingest"}
    assert sorted(names.values()) == sorted(EXPECTED)
    states = {(ti.task_id, names.get(ti.map_index)): ti.state for ti in tis}
    assert states[("process_file.ingest", "orders_export.csv")] == "success"
    assert states[("process_file.clean", "orders_export.csv")] == "skipped"
    indexed = {(ti.task_id, ti.rendered_map_index): ti.state for ti in tis if ti.task_id.startswith("index_file.")}
    assert ("index_file.embed", "orders_export.csv") not in indexed  # quarantined: never cleaned, nothing to index
    assert indexed[("index_file.embed", "productCatalog.csv")] == "success"
    assert {ti.task_id: ti.state for ti in tis}["link"] == "success"

    store = VectorStore(Settings.from_env().data_dir / "vectors")
    first_ids = sorted(store.ids())
    assert len(first_ids) == sum(counts[-1] for counts in EXPECTED.values())

    # the run's totals and changed files are on the headwater-curated asset event (the Asset view shows them)
    events = curated_events()
    assert [(dag_id, run_id) for _, dag_id, run_id, _ in events[len(before):]] == [("headwater_ingest", run.run_id)]
    assert events[-1][3] == {
        "files_changed": 7,
        "dates": {"2026-11-20": {
            "files_processed": 7, "files_unchanged": 0, "rows_read": 42, "curated": 31, "duplicates": 8,
            "quarantined": 3, "chunks": 34, "vectors": 34, "failed": [],
            "changed": sorted(f"2026-11-20/{name}" for name in EXPECTED),
        }},
    }

    run2, report2 = _run(dag)
    assert run2.state == "success"
    assert report2["totals"] == report["totals"]
    assert sorted(store.ids()) == first_ids
    # nothing changed: the report is skipped and no event claims new data (the fine-tune is not triggered)
    assert {ti.task_id: ti.state for ti in run2.get_task_instances()}["report"] == "skipped"
    assert curated_events() == events


def test_a_day_without_landing_files_emits_no_asset_event(dag, curated_events) -> None:
    """No file, no change: the report is skipped, so no event claims new curated data."""
    before = curated_events()
    run = dag.test(logical_date=datetime(2026, 11, 19, tzinfo=timezone.utc), run_conf={"force": False, "dry_run": False})
    assert run.state == "success"
    assert {ti.task_id: ti.state for ti in run.get_task_instances()}["report"] == "skipped"
    assert curated_events() == before
