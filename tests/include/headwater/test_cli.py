"""``headwater run``'s embedding bar reads the embed stage's progress files."""

import os
from datetime import date
from pathlib import Path

import pytest

from headwater.cli import before_start, embedding_progress
from headwater.storage import write_json


def test_the_embedding_bar_sums_this_runs_progress_files(tmp_path: Path) -> None:
    write_json(tmp_path / "a.csv.embed.json", {"done": 512, "total": 2_000, "rate": 80.5, "finished": False})
    write_json(tmp_path / "b.csv.embed.json", {"done": 300, "total": 300, "rate": 60.0, "finished": True})  # finished: no rate
    write_json(tmp_path / "c.csv.embed.json", {"done": 10, "total": 100, "rate": None, "finished": False})  # only cache hits yet
    write_json(tmp_path / "old.csv.embed.json", {"done": 7, "total": 9, "rate": 1.0, "finished": False})
    os.utime(tmp_path / "old.csv.embed.json", (1_000, 1_000))  # from an earlier run
    assert embedding_progress(tmp_path, since=2_000) == (822, 2_400, 80.5)
    assert embedding_progress(tmp_path / "missing", since=0) == (0, 0, 0.0)


@pytest.mark.parametrize("command", ["run", "finetune"])
def test_a_date_before_the_start_date_is_refused_with_the_reason(tmp_path: Path, monkeypatch, capsys, command: str) -> None:  # noqa: ANN001
    """Airflow marks a run before the DAG's start_date successful without running a task: say so, start nothing."""
    from headwater.cli import main

    monkeypatch.setenv("HEADWATER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HEADWATER_START_DATE", "2026-11-01")
    monkeypatch.setattr(os, "environ", dict(os.environ))  # localenv.apply writes the environment: keep the test's own
    assert main([command, "--date", "2026-03-02"]) == 2
    assert capsys.readouterr().err.strip() == (
        "2026-03-02 is before the DAGs' start date 2026-11-01 (HEADWATER_START_DATE): Airflow would mark the run successful "
        "without running a task. Nothing was started; set HEADWATER_START_DATE=2026-03-02 (or earlier) to run it."
    )
    assert not (tmp_path / "home" / "airflow" / "airflow.db").exists()  # nothing was started
    assert before_start("2026-11-01", date(2026, 11, 1)) is None and before_start("2026-10-31", date(2026, 11, 1))


def test_a_backfill_whose_end_is_before_its_start_is_refused_in_one_line(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    """breaker7 #18: ``backfill --from 2026-11-27 --to 2026-11-25`` ended in a traceback from discovery.dates_between."""
    from headwater.cli import main

    monkeypatch.setenv("HEADWATER_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(os, "environ", dict(os.environ))
    assert main(["backfill", "--from", "2026-11-27", "--to", "2026-11-25", "--landing", tmp_path.as_uri()]) == 2
    assert capsys.readouterr().err.strip() == "--to 2026-11-25 is before --from 2026-11-27: give the first date with --from"
    assert not (tmp_path / "home" / "airflow" / "airflow.db").exists()  # nothing was started
