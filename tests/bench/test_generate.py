"""The benchmark's data generator: reproducible, and its ground truth points at real copies."""

import csv
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from generate import HEADER, generate  # noqa: E402


def _rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_generation_is_reproducible_and_cached(tmp_path: Path) -> None:
    a = generate(400, 7, tmp_path / "a")
    b = generate(400, 7, tmp_path / "b")
    assert a.csv.read_bytes() == b.csv.read_bytes()
    mtime = a.csv.stat().st_mtime_ns
    assert generate(400, 7, tmp_path / "a").csv.stat().st_mtime_ns == mtime  # cached, not rewritten


def test_truth_lists_every_planted_copy_after_its_original(tmp_path: Path) -> None:
    files = generate(400, 7, tmp_path)
    rows = _rows(files.csv)
    assert rows[0] == HEADER and len(rows) == 401
    truth = pd.read_parquet(files.truth)
    assert truth["kind"].value_counts().to_dict() == {"exact": 20, "near": 20}
    assert (truth["original_line"] < truth["line"]).all()
    line = lambda n: rows[n - 1]  # noqa: E731  (line 1 is the header)
    for t in truth.itertuples():
        copy, original = line(t.line), line(t.original_line)
        if t.kind == "exact":  # equal once whitespace is collapsed
            assert [" ".join(v.split()) for v in copy] == [" ".join(v.split()) for v in original]
        else:  # a new id, the rest close
            assert copy[0] != original[0] and copy[3:7] == original[3:7]
