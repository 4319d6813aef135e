"""The date's run report is whole whichever run writes it last: two runs that each processed files of one date."""

from __future__ import annotations

from pathlib import Path

import pytest

from headwater.claims import Claims
from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.manifest import FileRef, layout
from headwater.report import IN_PROGRESS, format_report, report
from headwater.storage import read_json, write_json

DATE = "2026-11-20"
FILES = {"a.csv": "id,city\n1,Oslo\n2,Rome\n3,Oslo\n", "b.csv": "id,city\n7,Lima\n8,Lima\n"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "config")


def _process(settings: Settings, name: str, run_id: str, finish: bool = True) -> None:
    """Ingest and clean ``name`` under ``run_id``; ``finish``: also mark chunk and embed done, as the index tasks would."""
    ref = FileRef(DATE, name, run_id)
    ingest_file(FILES[name].encode(), ref, settings)
    clean_file(ref, settings)
    if finish:
        path = layout(settings, DATE).manifest(ref.key)
        manifest = read_json(path)
        manifest["stages"].update(chunk={"seconds": 0.0}, embed={"seconds": 0.0})
        write_json(path, manifest)


def _claimed(name: str, run_id: str) -> dict[str, str]:
    return {"file": name, "reason": f"claimed by run {run_id} (process_file.check[0]) until 2026-11-20T00:10:00+00:00"}


@pytest.mark.parametrize("last", ["A", "B"])
def test_the_report_written_last_covers_both_runs_files(settings: Settings, last: str) -> None:
    _process(settings, "a.csv", "A")
    _process(settings, "b.csv", "B")
    runs = {"A": (["a.csv"], [_claimed("b.csv", "B")]), "B": (["b.csv"], [_claimed("a.csv", "A")])}
    first = "B" if last == "A" else "A"
    report(DATE, *runs[first][:1], settings, run_id=first, skipped=runs[first][1])
    result = report(DATE, *runs[last][:1], settings, run_id=last, skipped=runs[last][1])
    assert result == read_json(layout(settings, DATE).report()) | {"written_at": result["written_at"]}
    assert [(f["file"], f["status"], f["rows_read"], f["curated"], f["duplicates"]) for f in result["files"]] == [
        ("a.csv", "ok", 3, 3, 0), ("b.csv", "ok", 2, 2, 0),
    ]
    assert {k: result["totals"][k] for k in ("records", "rows_read", "curated", "duplicates", "quarantined")} == {
        "records": 7, "rows_read": 5, "curated": 5, "duplicates": 0, "quarantined": 0,
    }
    assert result["failed"] == []  # the file the writing run skipped is reported from its manifest, and why it skipped it
    assert result["skipped"] == [runs[last][1][0]]
    assert result["this_run"] == {"files_processed": 1, "files_relinked": 0, "files_unchanged": 0, "rows_recomputed": 3 if last == "A" else 2,
                                  "embedding_calls": 0}


def test_a_file_another_run_is_still_processing_is_in_progress_not_failed(settings: Settings) -> None:
    _process(settings, "a.csv", "A", finish=False)  # run A's index tasks have not run yet
    _process(settings, "b.csv", "B")
    claims = Claims.for_settings(settings)
    assert claims.claim(DATE, "a.csv", "A", "index_file.embed[0]").won
    held = claims.holder(DATE, "a.csv")
    result = report(DATE, ["b.csv"], settings, run_id="B", skipped=[_claimed("a.csv", "A")])
    a = result["files"][0]
    assert (a["file"], a["status"], a["error"]) == ("a.csv", IN_PROGRESS, f"in progress: claimed by run A (index_file.embed[0]) until {held.until}")
    assert result["failed"] == [] and result["totals"]["rows_read"] == 5
    # run A ended without finishing it (its claim released, or expired after it died): the file fails the date's report
    assert claims.release(DATE, "a.csv", "A")
    dead = report(DATE, ["b.csv"], settings, run_id="B")
    assert dead["files"][0]["status"] == "failed" and dead["failed"] == [f"{DATE}/a.csv"]
    assert dead["files"][0]["error"] == "stages not completed: chunk, embed"


def test_a_report_of_the_runs_own_files_only_is_still_possible(settings: Settings) -> None:
    _process(settings, "a.csv", "A")
    _process(settings, "b.csv", "B")
    result = report(DATE, ["b.csv"], settings, run_id="B", skipped=[_claimed("a.csv", "A")], whole=False)
    assert [f["file"] for f in result["files"]] == ["b.csv"] and result["totals"]["rows_read"] == 2


def test_each_manifest_of_the_date_is_read_once_and_the_tables_footers_at_once(settings: Settings, monkeypatch) -> None:
    """The report's cost at thousands of files a date: before, the writing run's own manifests were read twice
    (the whole date's listing, then each again) and every curated table's footer one after another."""
    import threading
    import time

    import headwater.clean.link
    import headwater.report

    names = [f"f{i:02d}.csv" for i in range(12)]
    for name in names:
        FILES[name] = f"id,city\n{name},Oslo\n"
    try:
        for name in names:
            _process(settings, name, "A")
    finally:
        for name in names:
            del FILES[name]
    reads: dict[str, int] = {}
    lock = threading.Lock()
    now = {"footers": 0, "most": 0}

    def counted(path):  # noqa: ANN001, ANN202 - storage.read_json's path
        with lock:
            reads[Path(str(path)).name] = reads.get(Path(str(path)).name, 0) + 1
        return read_json(path)

    def slow_footer(path):  # noqa: ANN001, ANN202 - storage.parquet_rows's path
        with lock:
            now["footers"] += 1
            now["most"] = max(now["most"], now["footers"])
        time.sleep(0.05)  # an object store's GET
        with lock:
            now["footers"] -= 1
        from headwater.storage import parquet_rows

        return parquet_rows(path)

    for module in (headwater.report, headwater.clean.link):
        monkeypatch.setattr(module, "read_json", counted)
    monkeypatch.setattr(headwater.report, "parquet_rows", slow_footer)
    # the writing run's own files, then a run that processed none of them (the whole-date path)
    for own in (names, names[:1]):
        reads.clear()
        now["most"] = 0
        result = report(DATE, own, settings, run_id="A")
        assert len(result["files"]) == 12 and result["failed"] == [] and result["totals"]["curated"] == 12
        assert reads == {f"{FileRef(DATE, n).key}.json": 1 for n in names}
        assert now["most"] > 1


@pytest.mark.parametrize("landing", [["b.csv"], ["b.csv", "notes.txt"], ["b.csv", "a.csv.bak"]])
def test_a_file_no_longer_in_landing_keeps_its_outputs_and_is_reported_absent(settings: Settings, landing: list[str]) -> None:
    """breaker3 #7: a.csv was withdrawn (or re-delivered under another name) after run A: run B lists only
    b.csv. a.csv's outputs stay, flagged, and are never counted as run B's work."""
    _process(settings, "a.csv", "A")
    _process(settings, "b.csv", "B")
    result = report(DATE, ["b.csv"], settings, run_id="B", landing=landing)
    a, b = result["files"]
    assert (a["file"], a["status"], a["action"], a["curated"]) == ("a.csv", "ok", "absent", 3)
    assert a["warnings"] == [
        "no longer in the landing folder: its outputs (3 curated rows, 0 vectors) from run A are kept and counted in the "
        "totals; if it was withdrawn or re-delivered under another name, delete its outputs (curated table, manifest, "
        "vectors) or put the file back"
    ]
    assert (b["file"], b["action"], b["warnings"]) == ("b.csv", "processed", [])
    assert result["absent_files"] == [f"{DATE}/a.csv"] and result["warned_files"] == [f"{DATE}/a.csv"]
    assert result["failed"] == [] and result["totals"]["curated"] == 5
    assert result["this_run"]["files_processed"] == 1 and result["this_run"]["rows_recomputed"] == 2
    assert "  ~ no longer in the landing folder: its outputs (3 curated rows" in format_report(result)


@pytest.mark.parametrize("landing", [None, ["a.csv", "b.csv"], ["b.csv", "a.csv"]])
def test_a_file_still_in_landing_or_an_unlisted_folder_is_not_absent(settings: Settings, landing: list[str] | None) -> None:
    _process(settings, "a.csv", "A")
    _process(settings, "b.csv", "B")
    result = report(DATE, ["b.csv"], settings, run_id="B", skipped=[_claimed("a.csv", "A")], landing=landing)
    assert [f["action"] for f in result["files"]] == ["processed", "processed"]
    assert result["absent_files"] == [] and result["warned_files"] == []


def test_the_chunk_stages_warnings_reach_the_run_report(settings: Settings) -> None:
    """breaker4 #7: a text the model barely knows, or row documents longer than it reads, were in the manifest only."""
    _process(settings, "a.csv", "A")
    path = layout(settings, DATE).manifest(FileRef(DATE, "a.csv", "A").key)
    manifest = read_json(path)
    manifest["chunking"] = {"warnings": ["body: 22% of its tokens are unknown to the embedding model ([UNK])"]}
    write_json(path, manifest)
    _process(settings, "b.csv", "A")
    result = report(DATE, ["a.csv", "b.csv"], settings, run_id="A")
    assert result["warned_files"] == [f"{DATE}/a.csv"]
    by_file = {f["file"]: f for f in result["files"]}
    assert by_file["a.csv"]["warnings"] == ["chunk: body: 22% of its tokens are unknown to the embedding model ([UNK])"]
    assert "  ~ chunk: body: 22% of its tokens" in format_report(result)
