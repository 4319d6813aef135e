"""``headwater run``'s embedding bar reads the embed stage's progress files."""

import os
from pathlib import Path

from headwater.cli import embedding_progress
from headwater.storage import write_json


def test_the_embedding_bar_sums_this_runs_progress_files(tmp_path: Path) -> None:
    write_json(tmp_path / "a.csv.embed.json", {"done": 512, "total": 2_000, "rate": 80.5, "finished": False})
    write_json(tmp_path / "b.csv.embed.json", {"done": 300, "total": 300, "rate": 60.0, "finished": True})  # finished: no rate
    write_json(tmp_path / "c.csv.embed.json", {"done": 10, "total": 100, "rate": None, "finished": False})  # only cache hits yet
    write_json(tmp_path / "old.csv.embed.json", {"done": 7, "total": 9, "rate": 1.0, "finished": False})
    os.utime(tmp_path / "old.csv.embed.json", (1_000, 1_000))  # from an earlier run
    assert embedding_progress(tmp_path, since=2_000) == (822, 2_400, 80.5)
    assert embedding_progress(tmp_path / "missing", since=0) == (0, 0, 0.0)
