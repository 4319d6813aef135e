"""headwater_ingest past Airflow's ``[core] max_map_length``: the file list is mapped in batches (headwater.discovery.batches).

The sample day's 7 landing files under a limit of 3: 3 ``process_file`` groups (3, 2 and 2 files)
and 3 ``index_file`` groups (the 6 cleaned files, 2 each), with the same outputs as one group per
file (tests/dags/test_headwater_ingest_e2e.py). Without batching, Airflow refuses to map 7
elements (``UnmappableXComLengthPushed``) and the run fails at ``discover``.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest


@pytest.fixture(scope="module")
def dag(ingest_dag):
    return ingest_dag


def test_a_day_past_max_map_length_is_mapped_in_batches_with_the_same_outputs(dag, monkeypatch, tmp_path) -> None:
    from headwater.config.settings import Settings
    from headwater.embed.store import VectorStore
    from headwater.layout import Layout
    from headwater.storage import read_json

    monkeypatch.setenv("AIRFLOW__CORE__MAX_MAP_LENGTH", "3")
    monkeypatch.setenv("HEADWATER_DATA_DIR", str(tmp_path / "data"))
    run = dag.test(logical_date=datetime(2026, 11, 20, tzinfo=timezone.utc))
    assert run.state == "success"
    tis = run.get_task_instances()
    checks = sorted((ti.map_index, ti.rendered_map_index) for ti in tis if ti.task_id == "process_file.check")
    assert checks == [
        (0, "Customers Export.csv … customersApac.csv (3 files)"),
        (1, "customers_eu.csv … orders_export.csv (2 files)"),
        (2, "product-reviews.csv … productCatalog.csv (2 files)"),
    ]
    embeds = sorted(ti.map_index for ti in tis if ti.task_id == "index_file.embed" and ti.state == "success")
    assert embeds == [0, 1, 2]
    report = read_json(Layout(Settings.from_env().data_dir, "2026-11-20").report())
    assert report["failed"] == [] and all(f["accounted"] for f in report["files"])
    assert report["totals"] == {
        "chunks": 34, "curated": 31, "duplicates": 8, "quarantined": 3, "records": 49, "rows_read": 42, "structural": 7, "vectors": 34,
    }
    assert report["quarantined_files"] == ["2026-11-20/orders_export.csv"]
    assert len(set(VectorStore(Settings.from_env().data_dir / "vectors").ids())) == 34  # 4 customers' row documents (breaker9 #15)
