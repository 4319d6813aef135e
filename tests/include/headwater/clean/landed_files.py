"""What the end-to-end value tests of the clean stage share: one landing file through ingest and clean, read back.

Used by test_stage_values, test_value_assumptions, test_value_zones, test_database_nulls, test_sample_decisions and
test_assumed_decisions (each keeps its own date, so their data roots never meet).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json


def settings_without_sources(tmp_path: Path, **fields: object) -> Settings:
    """Settings under ``tmp_path`` (home ``home/``, landing ``tmp_path`` itself) with no source configuration; ``fields``: more
    Settings fields (``batch_rows``...)."""
    return Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none", **fields)


def clean_landed(settings: Settings, date: str, name: str, text: str) -> tuple[pa.Table, dict]:
    """Ingest ``text`` (UTF-8) as landing file ``<date>/<name>`` and clean it: (the curated table, the file's manifest)."""
    ref = FileRef(date, name)
    ingest_file(text.encode("utf-8"), ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, date)
    return pq.read_table(lay.curated(ref.key)), read_json(lay.manifest(ref.key))
