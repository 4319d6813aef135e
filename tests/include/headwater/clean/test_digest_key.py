"""The data root's masked-value digest key (headwater.clean.stage.digest_key): one key per root, even when
workers start together on a fresh root, locally and on object storage (moto's S3 server).

Real servers, no mocks: ``moto_server`` and ``at_once`` from tests/conftest.py.
"""

from __future__ import annotations

import os

from pathlib import Path

import pytest

from headwater.clean.stage import digest_key
from headwater.config.settings import Settings
from headwater.layout import Layout

WORKERS = 8
STATE_URL = "postgresql+psycopg://headwater@127.0.0.1:9/unused"


@pytest.fixture
def s3_data_dir(bucket: str) -> str:
    """``s3://<fresh bucket>/headwater`` on the session's moto server (the ``bucket`` fixture sets the AWS variables)."""
    return f"s3://{bucket}/headwater"


def _worker(home: str, data_dir: str, out: str, env: dict[str, str], barrier) -> None:
    """One cleaning worker starting on the root: its digest key, written as hex to ``out``. ``env``: the test's
    ``AWS_*``/``HEADWATER_*`` variables (a fork server started before the test set them does not pass them on)."""
    for name in [n for n in os.environ if n.startswith(("AWS_", "HEADWATER_"))]:
        del os.environ[name]
    os.environ.update(env)
    # an object-storage root needs a server state URL to validate; digest_key never connects to it
    remote = {"state_url": STATE_URL} if data_dir.startswith("s3://") else {}
    settings = Settings(home=home, data_dir=data_dir, landing_uri=Path(home).as_uri(), config_dir=Path(home) / "none", **remote)
    barrier.wait()
    key = digest_key(settings, Layout(settings.data_dir))
    Path(out).write_text(key.hex(), encoding="utf-8")


@pytest.mark.parametrize("where", ["local", "s3"])
def test_workers_starting_together_on_a_fresh_root_use_one_stored_key(
    where: str, tmp_path: Path, request: pytest.FixtureRequest, at_once
) -> None:
    data_dir = str(tmp_path / "data") if where == "local" else request.getfixturevalue("s3_data_dir")
    out = tmp_path / "out"
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if k.startswith(("AWS_", "HEADWATER_"))}
    at_once(_worker, [(str(tmp_path / f"home{i}"), data_dir, str(out / f"{i}.txt"), env) for i in range(WORKERS)],
            start="forkserver", preload=("headwater.clean.stage", "s3fs"), timeout_s=240)
    keys = {path.read_text(encoding="utf-8") for path in out.glob("*.txt")}
    stored = Layout(data_dir).pii_digest_key.read_bytes()
    assert len(list(out.glob("*.txt"))) == WORKERS
    assert keys == {stored.hex()} and len(stored) == 32


def test_the_setting_wins_over_the_stored_key_and_creates_no_file(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, data_dir=str(tmp_path / "data"), landing_uri=tmp_path.as_uri(), pii_digest_key="k" * 70)
    import hashlib

    assert digest_key(settings, Layout(settings.data_dir)) == hashlib.blake2b(b"k" * 70).digest()
    settings = Settings(home=tmp_path, data_dir=str(tmp_path / "data"), landing_uri=tmp_path.as_uri(), pii_digest_key="short")
    assert digest_key(settings, Layout(settings.data_dir)) == b"short"
    assert not Layout(settings.data_dir).pii_digest_key.exists()
