"""The date's link step: duplicates across files, the same whatever order the files were cleaned in."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from headwater.clean.link import files_to_index, link_date, report_dates
from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json, write_json

D1, D2 = "2026-11-20", "2026-11-21"
NOTE = "Our trail running shoe is built for long days on rocky ground with sticky rubber lugs that grip wet granite."
CONFIG = """\
files: ["people_*.csv"]
schema:
  name: people
  columns:
    person_id: {identifier: true, aliases: [id, personId]}
    full_name: {aliases: [name, fullName]}
    birth_date: {type: date, aliases: [dob]}
    note: {type: text}
dedup:
  scope: history  # cross-file duplicates are off by default (file): this source opts in
  may_differ: [person_id]
  linkage: {fields: [full_name, birth_date], threshold: 0.5}
"""
FILES = {
    "people_a.csv": "id,name,dob,note\nP-1,Ada Lovelace,1815-12-10,first\nP-2,Grace Hopper,1906-12-09,second\n",
    "people_b.csv": "personId,fullName,dob,note\nQ-7,Ada Lovelace,1815-12-10,first\nQ-8,Grace Hoper,1906-12-09,other\nQ-9,Alan Turing,1912-06-23,\n",
    "coords_1.csv": "x,y\n101,202\n",
    "coords_2.csv": "p,q\n101,202\n",
}


def _settings(home: Path, config: Path) -> Settings:
    return Settings(home=home, landing_uri=home.as_uri(), config_dir=config)


def _config(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    (folder / "people.yaml").write_text(CONFIG, encoding="utf-8")
    return folder


def _day(settings: Settings, order: list[str], date: str = D1, files: dict[str, str] = FILES) -> dict[str, int]:
    for name in order:
        ref = FileRef(date, name)
        ingest_file(files[name].encode(), ref, settings)
        clean_file(ref, settings)
    return link_date(date, settings)


def _bytes(settings: Settings) -> dict[str, str]:
    root = settings.data_dir
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for area in ("curated", "duplicates") for p in sorted((root / area).rglob("*.parquet"))}


def test_two_task_orders_give_byte_identical_outputs(tmp_path: Path) -> None:
    config = _config(tmp_path)
    first, second = _settings(tmp_path / "a", config), _settings(tmp_path / "b", config)
    names = sorted(FILES)
    assert _day(first, names) == _day(second, names[::-1]) == {
        "coords_1.csv": 0, "coords_2.csv": 0, "people_a.csv": 0, "people_b.csv": 2,
    }
    assert _bytes(first) == _bytes(second) and len(_bytes(first)) == 5  # 4 curated, 1 duplicates
    lay = Layout(first.data_dir, D1)
    dups = pd.read_parquet(lay.duplicates("people_b.csv"))
    curated_a = pd.read_parquet(lay.curated("people_a.csv"))
    assert dups["_line"].tolist() == [2, 3]
    # line 2: the same note under a new id (near-duplicate text); line 3: Grace Hoper = Grace Hopper (linkage)
    assert dups["_dedup_job"].tolist() == ["cross_file_near_text", "cross_file_linkage"]
    assert dups["_duplicate_of"].tolist() == curated_a["_row_id"].tolist()
    assert pd.read_parquet(lay.curated("people_b.csv"))["full_name"].tolist() == ["Alan Turing"]
    manifest = read_json(lay.manifest("people_b.csv"))
    assert (manifest["curated"], manifest["duplicates"], manifest["rows_read"]) == (1, 2, 3)
    assert manifest["cross_file"]["jobs"] == {"cross_file_linkage": 1, "cross_file_near_text": 1}
    # x,y = 101,202 and p,q = 101,202 are files of different schemas: never compared
    assert not lay.duplicates("coords_2.csv").exists()


def test_a_forced_rerun_is_byte_identical_and_a_recleaned_file_is_linked_again(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "a", _config(tmp_path))
    _day(settings, sorted(FILES))
    before = _bytes(settings)
    assert _day(settings, sorted(FILES)[::-1]) == {"coords_1.csv": 0, "coords_2.csv": 0, "people_a.csv": 0, "people_b.csv": 2}
    assert link_date(D1, settings)["people_b.csv"] == 2  # the link step alone, again
    assert _bytes(settings) == before


def test_earlier_dates_win_and_history_respects_the_scope(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "a", _config(tmp_path))
    _day(settings, ["people_a.csv"])
    later = {"people_c.csv": "id,name,dob,note\nR-1,Ada Lovelace,1815-12-10,first\n"}
    assert _day(settings, ["people_c.csv"], D2, later) == {"people_c.csv": 1}
    dups = pd.read_parquet(Layout(settings.data_dir, D2).duplicates("people_c.csv"))
    assert dups["_dedup_job"].tolist() == ["cross_file_near_text"]
    assert dups["_duplicate_of"].tolist() == pd.read_parquet(Layout(settings.data_dir, D1).curated("people_a.csv"))["_row_id"].tolist()[:1]
    # the earlier date never sees the later one, whatever ran first
    assert link_date(D1, settings) == {"people_a.csv": 0}


def _run(settings: Settings, date: str, files: dict[str, str], run_id: str) -> list[str]:
    """One DAG run over ``date``: clean its files under ``run_id``, then the link task; the files it hands to chunk/embed."""
    for name in sorted(files):
        ref = FileRef(date, name, run_id)
        ingest_file(files[name].encode(), ref, settings)
        clean_file(ref, settings)
    return [f"{f['date']}/{f['file']}" for f in files_to_index([{"date": date, "file": n} for n in sorted(files)], settings, run_id)]


def test_dates_run_in_either_order_give_byte_identical_outputs(tmp_path: Path) -> None:
    """Date 2 before date 1 ends like date 1 before date 2: the later date is linked again, and re-indexed."""
    config = _config(tmp_path)
    forward, backward = _settings(tmp_path / "f", config), _settings(tmp_path / "b", config)
    day1 = {"people_a.csv": FILES["people_a.csv"]}
    day2 = {"people_c.csv": "id,name,dob,note\nR-1,Ada Lovelace,1815-12-10,first\nR-2,Alan Turing,1912-06-23,\n"}
    assert _run(forward, D1, day1, "run-1") == [f"{D1}/people_a.csv"]
    assert _run(forward, D2, day2, "run-2") == [f"{D2}/people_c.csv"]
    assert _run(backward, D2, day2, "run-1") == [f"{D2}/people_c.csv"]
    assert pd.read_parquet(Layout(backward.data_dir, D2).curated("people_c.csv"))["full_name"].tolist() == ["Ada Lovelace", "Alan Turing"]
    # date 1 arrives late: its link step reaches date 2, which changes and goes to chunk/embed again
    assert _run(backward, D1, day1, "run-2") == [f"{D1}/people_a.csv", f"{D2}/people_c.csv"]
    assert _bytes(forward) == _bytes(backward) and len(_bytes(forward)) == 3  # 2 curated, 1 duplicates
    assert pd.read_parquet(Layout(backward.data_dir, D2).curated("people_c.csv"))["full_name"].tolist() == ["Alan Turing"]
    manifest = read_json(Layout(backward.data_dir, D2).manifest("people_c.csv"))
    assert (manifest["run_id"], manifest["curated"], manifest["duplicates"]) == ("run-2", 1, 1)
    # a forced re-run of date 1 changes nothing downstream: date 2 is not handed on again
    assert _run(backward, D1, day1, "run-3") == [f"{D1}/people_a.csv"]
    assert _bytes(forward) == _bytes(backward)


def test_the_report_covers_the_later_dates_the_link_step_rewrote(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "a", _config(tmp_path))
    day2 = {"people_c.csv": "id,name,dob,note\nR-1,Ada Lovelace,1815-12-10,first\n"}
    _run(settings, D2, day2, "run-1")
    Layout(settings.data_dir, D2).report().parent.mkdir(parents=True, exist_ok=True)
    write_json(Layout(settings.data_dir, D2).report(), {"skipped": [{"file": "notes.md", "reason": "not a table"}]})
    linked = [{"date": D1, "file": "people_a.csv"}, {"date": D2, "file": "people_c.csv"}]
    assert [f"{f['date']}/{f['file']}" for f in linked] == _run(settings, D1, {"people_a.csv": FILES["people_a.csv"]}, "run-2")
    files = [{"date": D1, "file": "people_a.csv"}, {"date": D1, "file": "people_z.csv"}]
    skipped = [{"date": D1, "file": ".part", "reason": "in-flight upload"}]
    assert report_dates(files, linked, skipped, settings) == {
        D1: (["people_a.csv", "people_z.csv"], skipped),
        D2: (["people_c.csv"], [{"date": D2, "file": "notes.md", "reason": "not a table"}]),
    }
    assert report_dates(files, [], [], settings) == {D1: (["people_a.csv", "people_z.csv"], [])}


def test_a_within_file_duplicate_follows_its_partner_into_the_earlier_files_cluster(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "a", _config(tmp_path))
    files = {"people_a.csv": FILES["people_a.csv"], "people_b.csv": "id,name,dob,note\nQ-7,Ada Lovelace,1815-12-10,first\nQ-7,Ada Lovelace,1815-12-10,first\n"}
    assert _day(settings, sorted(files), files=files) == {"people_a.csv": 0, "people_b.csv": 1}
    lay = Layout(settings.data_dir, D1)
    ada = pd.read_parquet(lay.curated("people_a.csv"))["_row_id"].iloc[0]
    dups = pd.read_parquet(lay.duplicates("people_b.csv"))
    assert list(zip(dups["_line"], dups["_dedup_job"])) == [(3, "exact"), (2, "cross_file_near_text")]
    assert dups["_duplicate_of"].tolist() == [dups["_row_id"].iloc[0], ada]  # line 3 copies line 2, which copies people_a's Ada
    assert dups["_cluster_id"].tolist() == [ada, ada]
    assert len(pd.read_parquet(lay.curated("people_b.csv"))) == 0


def test_an_empty_file_cleaned_by_the_run_goes_on_to_chunk_and_embed_but_takes_no_part_in_linking(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "a", _config(tmp_path))
    files = {"people_a.csv": FILES["people_a.csv"], "people_e.csv": "id,name,dob,note\n"}
    assert _run(settings, D1, files, "run-1") == [f"{D1}/people_a.csv", f"{D1}/people_e.csv"]  # embed records both in the ledger
    assert read_json(Layout(settings.data_dir, D1).manifest("people_e.csv"))["status"] == "empty"
    assert link_date(D1, settings) == {"people_a.csv": 0}


CUSTOMERS = """\
files: ["cust_*.csv"]
schema:
  name: customer
  columns:
    customer_id: {identifier: true}
    full_name: {}
    email: {}
    signup_date: {type: date}
dedup:
  scope: history
  may_differ: [customer_id]
  linkage: {fields: [full_name, email, signup_date], threshold: 0.9, names: [full_name]}
"""


def test_across_files_two_ids_merge_only_on_an_identifying_field(tmp_path: Path) -> None:
    """breaker3 #10 across files: the same common name and signup day under two ids, no e-mail, stay two;
    the same with one e-mail on both sides is a re-registration and merges."""
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "customers.yaml").write_text(CUSTOMERS, encoding="utf-8")
    settings = _settings(tmp_path / "h", folder)
    first, last = ["Alice", "Bruno", "Chen", "Dana", "Emil", "Farah"], ["Nguyen", "Lopez", "Petrov", "Okafor", "Khan"]
    fillers = "".join(f"C-{i:04d},{first[i % 6]} {last[i // 6]},{first[i % 6].lower()}{i}@mail.example,2025-{i % 9 + 1:02d}-{i % 27 + 1:02d}\n"
                      for i in range(30))
    files = {
        "cust_a.csv": "customer_id,full_name,email,signup_date\n" + fillers + "C-0913,Wei Zhang,,2025-02-03\nC-0915,Maria Garcia,mg@example.com,2025-03-04\n",
        "cust_b.csv": "customer_id,full_name,email,signup_date\nC-0914,Wei Zhang,,2025-02-03\nC-0916,Maria Garcia,mg@example.com,2025-03-04\n",
    }
    assert _day(settings, sorted(files), files=files) == {"cust_a.csv": 0, "cust_b.csv": 1}
    dups = pd.read_parquet(Layout(settings.data_dir, D1).duplicates("cust_b.csv"))
    assert dups["customer_id"].tolist() == ["C-0916"] and dups["_dedup_job"].tolist() == ["cross_file_linkage"]
    assert pd.read_parquet(Layout(settings.data_dir, D1).curated("cust_b.csv"))["customer_id"].tolist() == ["C-0914"]


def test_a_file_found_unchanged_whose_duplicates_came_back_is_reported_relinked(tmp_path: Path) -> None:
    # breaker5 #13: b's rows came back when a was re-delivered header-only, and the report said b was both
    # processed and unchanged ("2 file(s) processed, 1 unchanged" for a date of 2 files)
    from headwater.decide import mark_unchanged
    from headwater.report import format_report, report

    settings = _settings(tmp_path / "a", _config(tmp_path))
    _run(settings, D1, {n: FILES[n] for n in ("people_a.csv", "people_b.csv")}, "run-1")
    first = read_json(Layout(settings.data_dir, D1).manifest(FileRef(D1, "people_b.csv").key))
    assert (first["curated"], first["duplicates"], first["action"]) == (1, 2, "processed")
    mark_unchanged(FileRef(D1, "people_b.csv", "run-2"), settings, "unchanged since run-1")
    _run(settings, D1, {"people_a.csv": "id,name,dob,note\n"}, "run-2")  # a re-delivered with its header only
    b = read_json(Layout(settings.data_dir, D1).manifest(FileRef(D1, "people_b.csv").key))
    assert (b["curated"], b["duplicates"], b["action"], b["run_id"]) == (3, 0, "relinked", "run-2")
    result = report(D1, ["people_a.csv", "people_b.csv"], settings, run_id="run-2")
    assert [(f["file"], f["action"]) for f in result["files"]] == [("people_a.csv", "processed"), ("people_b.csv", "relinked")]
    assert result["this_run"] == {"files_processed": 1, "files_relinked": 1, "files_unchanged": 0, "rows_recomputed": 0, "embedding_calls": 0}
    assert "this run: 1 file(s) processed, 1 relinked, 0 unchanged, 0 rows recomputed" in format_report(result)
    # a later run that finds both unchanged and rewrites nothing: both unchanged again
    for name in ("people_a.csv", "people_b.csv"):
        mark_unchanged(FileRef(D1, name, "run-3"), settings, "unchanged since run-2")
    link_date(D1, settings, run_id="run-3")
    again = report(D1, ["people_a.csv", "people_b.csv"], settings, run_id="run-3")["this_run"]
    assert (again["files_processed"], again["files_relinked"], again["files_unchanged"]) == (0, 0, 2)
