"""bench/run.py's LSH phase runs the library's near-duplicate text job as the clean step does."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import run  # noqa: E402

DOC = "the outsole of my trail shoe separated from the upper after three weeks of running on rocky paths"


def test_headwater_lsh_flags_the_later_near_copy_only() -> None:
    texts = [DOC, "please cancel my subscription renewal before it charges my card again next month", DOC + "!"]
    assert run._headwater(texts) == [2]
