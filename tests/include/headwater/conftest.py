from __future__ import annotations

from pathlib import Path

import pytest

from headwater.config.settings import Settings

SAMPLE = Path(__file__).resolve().parents[3] / "sample_data" / "landing" / "2026-11-20"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings writing under a fresh temporary home."""
    return Settings(home=tmp_path, landing_uri=(SAMPLE.parent).as_uri())
