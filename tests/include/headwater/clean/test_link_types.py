"""The link step over files whose columns are typed differently: compared as text, never a crash;
a link error is named in the manifest and the run report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import headwater.clean.link as link_module
from headwater.clean.link import comparable, files_to_index, link_date
from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.report import report
from headwater.storage import read_json

D1, D2 = "2026-11-20", "2026-11-21"
TYPEMIX_A = "code,qty\nA,1\nB,2\n"  # the breaker's typemix_a.csv: qty int64
TYPEMIX_B = "code,qty\n1,x\n2,y\n"  # typemix_b.csv: code int64, qty text


def _settings(tmp_path: Path) -> Settings:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "default.yaml").write_text("dedup: {scope: history}\n", encoding="utf-8")  # cross-file duplicates are opt-in
    return Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)


def _clean(settings: Settings, date: str, files: dict[str, str]) -> None:
    for name, text in files.items():
        ref = FileRef(date, name)
        ingest_file(text.encode(), ref, settings)
        clean_file(ref, settings)


def test_the_breakers_two_files_of_one_day_link_without_a_crash(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _clean(settings, D1, {"typemix_a.csv": TYPEMIX_A, "typemix_b.csv": TYPEMIX_B})
    assert link_date(D1, settings) == {"typemix_a.csv": 0, "typemix_b.csv": 0}
    lay = Layout(settings.data_dir, D1)
    a, b = pd.read_parquet(lay.curated("typemix_a.csv")), pd.read_parquet(lay.curated("typemix_b.csv"))
    assert a["qty"].tolist() == [1, 2] and str(a["qty"].dtype) == "Int64"  # each file keeps its own types
    assert b["qty"].tolist() == ["x", "y"] and b["code"].tolist() == ["1", "2"]  # code: an identifier name, text


def test_a_duplicate_across_a_type_change_is_found_and_keeps_its_own_files_types(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    # qty: int64 in a; text in b (x is no number), where A,1 is written exactly as in a
    _clean(settings, D1, {"a.csv": "code,qty\nA,1\nB,2\n", "b.csv": "code,qty\nA,1\nC,x\n"})
    assert link_date(D1, settings) == {"a.csv": 0, "b.csv": 1}
    lay = Layout(settings.data_dir, D1)
    dups = pd.read_parquet(lay.duplicates("b.csv"))
    assert dups["_line"].tolist() == [2] and dups["qty"].tolist() == ["1"] and dups["_dedup_job"].tolist() == ["cross_file_exact"]
    assert pd.read_parquet(lay.curated("b.csv"))["qty"].tolist() == ["x"]
    assert pd.read_parquet(lay.curated("a.csv"))["qty"].tolist() == [1, 2]


def test_a_value_written_differently_from_its_typed_text_is_no_duplicate(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    # 1.50 (number, its text 1.5) against the text 1.50 of a column that is text in b: not the same text, kept
    _clean(settings, D1, {"a.csv": "code,price\nA,1.50\nB,2.25\n", "b.csv": "code,price\nA,1.50\nC,n/a?\n"})
    assert link_date(D1, settings) == {"a.csv": 0, "b.csv": 0}


def test_the_same_file_name_changing_type_on_the_next_day_links_through_history(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _clean(settings, D1, {"typemix.csv": TYPEMIX_A})
    _clean(settings, D2, {"typemix.csv": "code,qty\nA,1\nB,y\n"})
    files = [{"date": D1, "file": "typemix.csv"}, {"date": D2, "file": "typemix.csv"}]
    # cleaned outside the run ("" run id): only the file whose curated rows the link step changed is re-indexed
    assert [f["source"] for f in files_to_index(files, settings, "run-1")] == [f"{D2}/typemix.csv"]
    lay = Layout(settings.data_dir, D2)
    assert pd.read_parquet(lay.duplicates("typemix.csv"))["qty"].tolist() == ["1"]  # A,1 of day 1 wins
    assert pd.read_parquet(lay.curated("typemix.csv"))["qty"].tolist() == ["y"]


def test_comparable_turns_only_the_columns_of_differing_types_into_text() -> None:
    a = pd.DataFrame({"k": ["A", "B"], "n": pd.array([1, None], dtype="Int64"), "f": [1.5, 2.0]})
    b = pd.DataFrame({"k": ["A", "C"], "n": pd.array(["1", "x"], dtype="string"), "f": [1.5, 3.0]})
    out = comparable([a, b])
    assert out[0]["n"].tolist() == ["1", pd.NA] and str(out[0]["n"].dtype) == "string"
    assert out[1]["n"].tolist() == ["1", "x"]
    assert out[0]["k"] is not None and out[0]["f"].dtype == "float64"  # same dtype in both: as it was
    assert comparable([a, a.copy()])[0] is a


def test_a_link_error_is_named_in_the_manifest_and_the_report_and_cleared_once_it_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(tmp_path)
    _clean(settings, D1, {"a.csv": "code,qty\nA,1\n", "b.csv": "code,qty\nB,2\n"})

    def boom(*args: object, **kwargs: object) -> None:
        raise ValueError("comparison failed")

    monkeypatch.setattr(link_module, "cross_file_matches", boom)
    with pytest.raises(ValueError, match="comparison failed"):
        link_date(D1, settings)
    lay = Layout(settings.data_dir, D1)
    assert read_json(lay.manifest(FileRef(D1, "a.csv").key))["stage_errors"] == {"link": "ValueError: comparison failed"}
    result = report(D1, ["a.csv", "b.csv"], settings)
    assert [f["error"] for f in result["files"]] == ["link failed: ValueError: comparison failed; stages not completed: chunk, embed"] * 2
    monkeypatch.undo()
    assert link_date(D1, settings) == {"a.csv": 0, "b.csv": 0}
    assert "stage_errors" not in read_json(lay.manifest(FileRef(D1, "b.csv").key))
    assert [f["error"] for f in report(D1, ["a.csv", "b.csv"], settings)["files"]] == ["stages not completed: chunk, embed"] * 2
