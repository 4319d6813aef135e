"""Date-times and time zones (breaker findings 4c and 4g): a naive date-time is never silently UTC.

Without ``types.timezone`` a date-time written without an offset stays a local date-time (a Parquet
timestamp without time zone); with it, it is read in that zone, and a wall time a daylight-saving
change skips or repeats keeps its text in ``<col>__raw`` with a reason. Offsets written in a value
are kept; abbreviations (EST, CET) are never guessed.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from headwater.chunk.readable import format_value
from headwater.clean.stage import clean as clean_file
from headwater.clean.values import coerce, parse_date
from headwater.config.base import ConfigError
from headwater.config.settings import Settings
from headwater.config.source import SourceConfig
from headwater.config.types import TypeOptions
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json

DATE = "2026-11-21"
UTC = timezone.utc


def _clean(tmp_path: Path, name: str, text: str, zone: str | None = None, batch_rows: int = 100_000) -> tuple[pa.Table, dict]:
    """Clean ``text`` as ``name``, under ``types.timezone: zone`` when given (else with no source config)."""
    return _clean_with(tmp_path, name, text, f"types: {{timezone: {zone}}}\n" if zone else None, batch_rows)


def _clean_with(tmp_path: Path, name: str, text: str, yaml: str | None, batch_rows: int = 100_000) -> tuple[pa.Table, dict]:
    """Clean ``text`` as ``name`` with the source config ``yaml`` (its ``files`` line added; None: no source config)."""
    config = tmp_path / "config"
    config.mkdir(parents=True, exist_ok=True)
    if yaml is not None:
        (config / "src.yaml").write_text(f'files: ["{name}"]\n{yaml}', encoding="utf-8")
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config, batch_rows=batch_rows)
    ref = FileRef(DATE, name)
    ingest_file(text.encode("utf-8"), ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, DATE)
    return pq.read_table(lay.curated(ref.key)), read_json(lay.manifest(ref.key))


TWO_ZONES = "ev,local_at,logged_at\nopen,2025-03-04 10:00,2025-03-04 15:00\nclose,2025-07-04 10:00,2025-07-04 14:00\n"


def test_a_column_names_its_own_zone_next_to_the_files(tmp_path: Path) -> None:
    # local_at is New York wall time (the file's zone), logged_at is written in UTC (the column's own zone)
    yaml = ("types: {timezone: America/New_York}\n"
            "schema: {columns: {ev: string, local_at: datetime, logged_at: {type: datetime, timezone: UTC}}}\n")
    table, manifest = _clean_with(tmp_path, "two.csv", TWO_ZONES, yaml)
    assert table.column("local_at").to_pylist() == [datetime(2025, 3, 4, 15, 0, tzinfo=UTC), datetime(2025, 7, 4, 14, 0, tzinfo=UTC)]
    assert table.column("logged_at").to_pylist() == [datetime(2025, 3, 4, 15, 0, tzinfo=UTC), datetime(2025, 7, 4, 14, 0, tzinfo=UTC)]
    assert manifest["value_formats"]["columns"] == {"logged_at": {"timezone": "UTC"}}
    assert manifest["clean_warnings"] == []


def test_a_column_zone_without_a_file_zone_leaves_the_other_column_local(tmp_path: Path) -> None:
    yaml = "schema: {columns: {ev: string, local_at: datetime, logged_at: {type: datetime, timezone: Europe/Paris}}}\n"
    table, _ = _clean_with(tmp_path, "two.csv", TWO_ZONES, yaml)
    assert table.schema.field("local_at").type == pa.timestamp("us")  # no zone named: a local date-time
    assert table.column("local_at").to_pylist() == [datetime(2025, 3, 4, 10, 0), datetime(2025, 7, 4, 10, 0)]
    # 15:00 in Paris is 14:00 UTC in March (CET) and 13:00 UTC in July (CEST)
    assert table.column("logged_at").to_pylist() == [datetime(2025, 3, 4, 14, 0, tzinfo=UTC), datetime(2025, 7, 4, 12, 0, tzinfo=UTC)]


def test_a_daylight_saving_gap_in_a_column_zone_is_named_with_that_zone(tmp_path: Path) -> None:
    yaml = "schema: {columns: {ev: string, at: {type: datetime, timezone: Europe/Paris}}}\n"
    table, manifest = _clean_with(tmp_path, "gap.csv", "ev,at\na,2025-03-30 02:30\nb,2025-03-30 03:30\n", yaml)
    assert table.column("at").to_pylist() == [None, datetime(2025, 3, 30, 1, 30, tzinfo=UTC)]
    assert table.column("at__raw").to_pylist() == ["2025-03-30 02:30", None]
    assert manifest["clean_warnings"] == [
        "at: 1 value(s) are a local time that does not exist in Europe/Paris (skipped by a daylight-saving change) — not read, kept in at__raw"
    ]


TZ_ABBREV = "event,at\nopen,2025-03-01 10:00 EST\nclose,2025-03-01 18:00 EST\nbackup,2025-03-02 02:00 CET\n"  # the breaker's tz_abbrev.csv


def test_zone_abbreviations_stay_text_unless_the_source_maps_them(tmp_path: Path) -> None:
    table, manifest = _clean_with(tmp_path / "plain", "tz.csv", TZ_ABBREV, "")
    assert table.column("at").to_pylist() == ["2025-03-01 10:00 EST", "2025-03-01 18:00 EST", "2025-03-02 02:00 CET"]
    assert manifest["column_types"]["at"] == "string"


def test_mapped_zone_abbreviations_are_read_in_their_zone_with_the_text_kept(tmp_path: Path) -> None:
    yaml = "types: {tz_abbreviations: {EST: America/New_York, CET: Europe/Paris}}\n"
    table, manifest = _clean_with(tmp_path, "tz.csv", TZ_ABBREV, yaml)
    assert manifest["column_types"]["at"] == "datetime"
    assert table.schema.field("at").type == pa.timestamp("us", tz="UTC")
    assert table.column("at").to_pylist() == [
        datetime(2025, 3, 1, 15, 0, tzinfo=UTC), datetime(2025, 3, 1, 23, 0, tzinfo=UTC), datetime(2025, 3, 2, 1, 0, tzinfo=UTC),
    ]
    assert table.column("at__raw").to_pylist() == ["2025-03-01 10:00 EST", "2025-03-01 18:00 EST", "2025-03-02 02:00 CET"]
    assert manifest["clean_warnings"] == [
        "at: 3 value(s) with a time zone abbreviation, like 10:00 EST, read in the zone types.tz_abbreviations maps it to "
        "(CET: Europe/Paris, EST: America/New_York) — the value is stored, its text kept in at__raw"
    ]


def test_an_abbreviation_the_zone_does_not_use_then_is_not_read_and_unmapped_ones_stay_unread(tmp_path: Path) -> None:
    # EST in July (New York writes EDT then), IST unmapped (India, Ireland or Israel), EDT unmapped
    text = ("ev,at\na,2025-03-01 10:00 EST\nb,2025-03-02 10:00 EST\nc,2025-03-03 10:00 EST\nd,2025-03-04 10:00 EST\n"
            "e,2025-03-05 10:00 EST\nf,2025-03-06 10:00 EST\ng,2025-03-07 10:00 EST\nh,2025-03-08 10:00 EST\n"
            "i,2025-03-09 10:00 EDT\nj,2025-07-01 10:00 EST\nk,2025-03-01 10:00 IST\n")
    yaml = "types: {tz_abbreviations: {EST: America/New_York}}\nschema: {columns: {ev: string, at: datetime}}\n"
    table, manifest = _clean_with(tmp_path, "tz.csv", text, yaml)
    at = table.column("at").to_pylist()
    assert at[:8] == [datetime(2025, 3, d, 15, 0, tzinfo=UTC) for d in range(1, 9)]
    assert at[8:] == [None, None, None]
    assert table.column("at__raw").to_pylist()[8:] == ["2025-03-09 10:00 EDT", "2025-07-01 10:00 EST", "2025-03-01 10:00 IST"]
    warnings = [w for w in manifest["clean_warnings"] if "not read" in w]
    assert warnings == [
        "at: 2 value(s) name their time zone by an abbreviation, like EST or CET, which is ambiguous (IST, CST) and not guessed; "
        "write the offset (+02:00) instead — not read, kept in at__raw",
        "at: 1 value(s) name their time zone by an abbreviation types.tz_abbreviations maps to a zone that does not use it at "
        "that time (EST in July: New York writes EDT), or the time before it does not parse — not read, kept in at__raw",
    ]


def test_the_abbreviation_picks_the_side_of_a_daylight_saving_fold(tmp_path: Path) -> None:
    # 2025-11-02 01:30 happens twice in New York: first as EDT (05:30 UTC), then as EST (06:30 UTC)
    yaml = "types: {tz_abbreviations: {EST: America/New_York, EDT: America/New_York}}\nschema: {columns: {ev: string, at: datetime}}\n"
    table, _ = _clean_with(tmp_path, "fold.csv", "ev,at\na,2025-11-02 01:30 EDT\nb,2025-11-02 01:30 EST\n", yaml)
    assert table.column("at").to_pylist() == [datetime(2025, 11, 2, 5, 30, tzinfo=UTC), datetime(2025, 11, 2, 6, 30, tzinfo=UTC)]
