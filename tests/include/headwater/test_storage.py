"""headwater.storage.create_once: atomic create-if-absent on local disk and on object storage (moto's S3 server).

Real servers, no mocks: ``moto_server`` and ``at_once`` from tests/conftest.py.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from headwater.layout import data_root
from headwater.storage import create_once

RACERS = 8


@pytest.fixture
def s3_root(bucket: str) -> str:
    """``s3://<fresh bucket>/root`` on the session's moto server (the ``bucket`` fixture sets the AWS variables)."""
    return f"s3://{bucket}/root"


def test_the_first_create_wins_and_a_second_leaves_the_bytes_alone_on_local_disk(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "key.bin"
    assert create_once(target, b"first") is True
    assert create_once(target, b"second") is False
    assert target.read_bytes() == b"first"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["key.bin"]  # no temporary file left behind


def test_the_first_create_wins_and_a_second_leaves_the_bytes_alone_on_s3(s3_root: str) -> None:
    target = data_root(s3_root) / "key.bin"
    assert create_once(target, b"first") is True
    assert create_once(target, b"second") is False
    assert target.read_bytes() == b"first"


def _race(root: str, out: str, env: dict[str, str], barrier) -> None:
    """One racer: create ``key.bin`` under ``root`` with its own bytes, then record whether it won and what is stored.
    ``env``: the AWS variables (a fork server started before the test set them does not pass them on)."""
    os.environ.update(env)
    target = data_root(root) / "key.bin"
    mine = os.urandom(16)
    barrier.wait()
    won = create_once(target, mine)
    Path(out).write_text(f"{int(won)} {mine.hex()} {target.read_bytes().hex()}", encoding="utf-8")


def _results(folder: Path) -> list[tuple[int, str, str]]:
    rows = [path.read_text(encoding="utf-8").split() for path in sorted(folder.glob("*.txt"))]
    return [(int(won), mine, stored) for won, mine, stored in rows]


@pytest.mark.parametrize("where", ["local", "s3"])
def test_racing_creators_store_one_value_and_all_read_it(where: str, tmp_path: Path, request: pytest.FixtureRequest, at_once) -> None:
    root = str(tmp_path / "root") if where == "local" else request.getfixturevalue("s3_root")
    out = tmp_path / "out"
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    at_once(_race, [(root, str(out / f"{i}.txt"), env) for i in range(RACERS)], start="forkserver", preload=("headwater.storage", "s3fs"), timeout_s=240)
    results = _results(out)
    assert len(results) == RACERS
    winners = [mine for won, mine, _ in results if won]
    assert len(winners) == 1
    assert {stored for _, _, stored in results} == {winners[0]}
