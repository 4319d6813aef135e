"""OpenLineage datasets of an ingest run (headwater.lineage): landing files in, curated/chunks/vectors out, with row counts."""

from __future__ import annotations

from pathlib import Path

from headwater.config.settings import Settings
from headwater.layout import Layout, file_key
from headwater.lineage import dataset_name, ingest_lineage
from headwater.storage import write_json


def _report(settings: Settings, date: str, files: list[dict]) -> None:
    write_json(Layout(settings.data_dir, date).report(), {"date": date, "files": files})


def _file(date: str, name: str, status: str = "ok", **counts: int) -> dict:
    return {"source": f"{date}/{name}", "file": name, "date": date, "status": status, **counts}


def _rows(datasets: list, facet: str) -> list[tuple[str, str, int]]:
    facets = "inputFacets" if facet == "inputStatistics" else "outputFacets"
    return [(d.namespace, d.name, getattr(d, facets)[facet].rowCount) for d in datasets]


def test_the_run_names_its_files_in_and_its_outputs_with_row_counts(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, landing_uri=(tmp_path / "landing zone").as_uri())
    _report(settings, "2026-11-20", [
        _file("2026-11-20", "a.csv", rows_read=11, curated=7, chunks=4, vectors=4),
        _file("2026-11-20", "bad.csv", status="quarantined", rows_read=0),
        _file("2026-11-20", "orders.zip/data/b.csv", rows_read=5, curated=5, chunks=2, vectors=2),
        _file("2026-11-20", "old.csv", rows_read=3, curated=3, chunks=1, vectors=1),  # unchanged: not this run's
    ])  # fmt: skip
    _report(settings, "2026-11-21", [_file("2026-11-21", "c.csv", rows_read=2, curated=1, chunks=1, vectors=1)])
    changed = {"2026-11-20": {"changed": ["2026-11-20/a.csv", "2026-11-20/bad.csv", "2026-11-20/orders.zip/data/b.csv"]},
               "2026-11-21": {"changed": ["2026-11-21/c.csv"]}}  # fmt: skip
    got = ingest_lineage({"files_changed": 4, "dates": changed}, settings)
    landing = str(tmp_path / "landing zone")
    assert _rows(got.inputs, "inputStatistics") == [
        ("file", f"{landing}/2026-11-20/a.csv", 11),
        ("file", f"{landing}/2026-11-20/bad.csv", 0),
        ("file", f"{landing}/2026-11-20/orders.zip/data/b.csv", 5),
        ("file", f"{landing}/2026-11-21/c.csv", 2),
    ]
    day, next_day = Layout(settings.data_dir, "2026-11-20"), Layout(settings.data_dir, "2026-11-21")
    assert _rows(got.outputs, "outputStatistics") == [
        ("file", str(day.curated(file_key("a.csv"))), 7),
        ("file", str(day.chunks(file_key("a.csv"))), 4),
        ("file", str(day.curated(file_key("orders.zip/data/b.csv"))), 5),
        ("file", str(day.chunks(file_key("orders.zip/data/b.csv"))), 2),
        ("file", str(next_day.curated(file_key("c.csv"))), 1),
        ("file", str(next_day.chunks(file_key("c.csv"))), 1),
        ("file", f"{settings.data_dir}/vectors/chunks", 7),
    ]


def test_a_run_that_changed_nothing_has_no_lineage(settings: Settings) -> None:
    assert ingest_lineage(None, settings) is None
    assert ingest_lineage({"files_changed": 0, "dates": {}}, settings) is None


def test_dataset_names_follow_the_openlineage_naming_spec() -> None:
    assert dataset_name("/data/x") == ("file", "/data/x")
    assert dataset_name("file:///data/landing%20zone") == ("file", "/data/landing zone")
    assert dataset_name("s3://bucket/prefix/landing") == ("s3://bucket", "prefix/landing")
