"""ids, storage, layout, discovery and config: the small pieces everything else leans on."""

from pathlib import Path

import pytest

from headwater.config.settings import Settings
from headwater.discovery import is_landing_file, list_local, scan
from headwater.ids import stable_id
from headwater.layout import Layout, file_key
from headwater.storage import atomic_path, read_json, write_json


def test_stable_id_is_deterministic_and_separates_parts() -> None:
    assert stable_id("a", "b") == stable_id("a", "b")
    assert stable_id("ab", "") != stable_id("a", "b")
    assert stable_id(None) == stable_id("")
    assert len(stable_id("x")) == 32


def test_atomic_path_leaves_no_partial_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_json(target, {"v": 1})
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash mid-write")
    assert read_json(target) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_temp_files_of_a_killed_writer_are_swept_on_the_next_write(tmp_path: Path) -> None:
    (tmp_path / ".out.json.tmp-deadbeef").write_text("half written by a killed process")
    (tmp_path / ".other.json.tmp-cafe").write_text("another target's temp file")
    write_json(tmp_path / "out.json", {"v": 2})
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.json.tmp-cafe", "out.json"]


def test_layout_paths_are_partitioned_by_date(tmp_path: Path) -> None:
    lay = Layout(tmp_path, "2026-11-20")
    assert lay.curated(file_key("Customers Export.csv")) == tmp_path / "curated/date=2026-11-20/Customers_Export~7438d9e4.csv.parquet"
    assert file_key("../../etc/passwd") == "etc_passwd~3754d6cb"


def test_discovery_ignores_hidden_and_in_flight_files(tmp_path: Path) -> None:
    names = ["b.csv", "A.CSV", ".hidden.csv", "_tmp.csv", "c.csv.part", "notes.md", "d.tsv"]
    assert scan(names).files == ["A.CSV", "b.csv", "d.tsv"]
    assert not is_landing_file("x.csv.tmp")
    (tmp_path / "2026-11-20").mkdir()
    for n in names:
        (tmp_path / "2026-11-20" / n).write_text("a\n")
    assert list_local(tmp_path.as_uri(), "2026-11-20").files == ["A.CSV", "b.csv", "d.tsv"]
    assert list_local(tmp_path.as_uri(), "2026-11-21").files == []


def test_settings_from_env_defaults_and_errors(tmp_path: Path) -> None:
    s = Settings.from_env({"HEADWATER_HOME": str(tmp_path)})
    assert s.data_dir == tmp_path / "data"
    assert s.landing_uri == (tmp_path / "landing").as_uri()
    assert Settings.from_env({"HEADWATER_HOME": str(tmp_path), "HEADWATER_CHUNK_TOKENS": "64"}).chunk_tokens == 64
    with pytest.raises(ValueError, match="HEADWATER_CHUNK_TOKENS='many': expected an integer"):
        Settings.from_env({"HEADWATER_CHUNK_TOKENS": "many"})
    with pytest.raises(ValueError, match="chunk_overlap=200"):
        Settings(home=tmp_path, chunk_overlap=200)


def test_parquet_parts_merge_batches_whose_columns_differ(tmp_path: Path) -> None:
    import pandas as pd

    from headwater.storage import ParquetParts

    parts = ParquetParts(tmp_path / "out.parquet")
    parts.add(pd.DataFrame({"id": ["a"], "value": pd.array([1.0], dtype="Float64"), "note": pd.array(["x"], dtype="string")}))
    parts.add(pd.DataFrame({"id": ["b"], "value": pd.array([None], dtype="Float64"),
                            "value__raw": pd.array(["n/k"], dtype="string"), "note": pd.array([None], dtype="string")}))
    parts.commit()
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert list(out.columns) == ["id", "value", "value__raw", "note"]  # a new column sits by its neighbour
    assert out["value__raw"].tolist()[1] == "n/k" and pd.isna(out["value__raw"].tolist()[0])
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]  # parts are gone


def test_parquet_parts_keep_the_dtype_of_a_column_only_a_narrower_part_has(tmp_path: Path) -> None:
    import pandas as pd

    from headwater.storage import ParquetParts

    parts = ParquetParts(tmp_path / "out.parquet")
    s = pd.array(["x"], dtype="string")
    parts.add(pd.DataFrame({"id": ["a"], "v": s, "v__raw": s}))  # v__raw: only this part has it
    parts.add(pd.DataFrame({"id": ["b"], "v": s, "w": s, "w__raw": s}))  # wider: its pandas metadata lacks v__raw
    parts.commit()
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert {c: str(out[c].dtype) for c in out.columns} == {c: "string" for c in ["id", "v", "v__raw", "w", "w__raw"]} | {"id": "str"}
