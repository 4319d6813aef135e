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
import pytest

from headwater.chunk.readable import format_value
from headwater.clean.values import coerce, parse_date
from headwater.config.base import ConfigError
from headwater.config.settings import Settings
from headwater.config.source import SourceConfig
from headwater.config.types import TypeOptions
from landed_files import clean_landed

DATE = "2026-11-21"
UTC = timezone.utc


def _clean(tmp_path: Path, name: str, text: str, zone: str | None = None, batch_rows: int = 100_000) -> tuple[pa.Table, dict]:
    """Clean ``text`` as ``name``, under ``types.timezone: zone`` when given (else with no source config)."""
    return _clean_with(tmp_path, name, text, f"types: {{timezone: {zone}}}\n" if zone else None, batch_rows)


def test_a_naive_date_time_stays_local_not_utc(tmp_path: Path) -> None:
    table, manifest = _clean(tmp_path, "naive.csv", "ev,at\nopen,2025-03-04 10:00\nclose,2025-03-04 18:30:15\n")
    assert table.schema.field("at").type == pa.timestamp("us")  # timestamp without time zone
    assert table.column("at").to_pylist() == [datetime(2025, 3, 4, 10, 0), datetime(2025, 3, 4, 18, 30, 15)]
    assert "at__raw" not in table.column_names
    assert manifest["column_types"]["at"] == "datetime"
    assert manifest["clean_warnings"] == []


def test_a_source_time_zone_reads_naive_date_times_as_instants(tmp_path: Path) -> None:
    table, manifest = _clean(tmp_path, "ny.csv", "ev,at\nopen,2025-03-04 10:00\nclose,2025-07-04 10:00\n", zone="America/New_York")
    assert table.schema.field("at").type == pa.timestamp("us", tz="UTC")
    # 10:00 EST is 15:00 UTC in March; 10:00 EDT is 14:00 UTC in July
    assert table.column("at").to_pylist() == [datetime(2025, 3, 4, 15, tzinfo=UTC), datetime(2025, 7, 4, 14, tzinfo=UTC)]
    assert manifest["clean_warnings"] == []


def test_offsets_written_in_values_keep_working_with_and_without_a_zone(tmp_path: Path) -> None:
    text = "ev,at\na,2025-03-01T23:30:00-05:00\nb,2025-03-01 10:00:00+01:00\nc,2025-03-01T10:00:00Z\n"
    expected = [datetime(2025, 3, 2, 4, 30, tzinfo=UTC), datetime(2025, 3, 1, 9, tzinfo=UTC), datetime(2025, 3, 1, 10, tzinfo=UTC)]
    for zone in (None, "Asia/Tokyo"):
        table, _ = _clean(tmp_path / (zone or "none").replace("/", "_"), "offsets.csv", text, zone=zone)
        assert table.schema.field("at").type == pa.timestamp("us", tz="UTC")
        assert table.column("at").to_pylist() == expected


def test_a_naive_value_among_offsets_is_not_taken_as_utc(tmp_path: Path) -> None:
    # the breaker's times.csv: two values carry offsets, one does not: the column holds instants, the naive one is kept as text
    table, manifest = _clean(tmp_path, "times.csv", "ev,at\na,2025-03-01 10:00\nb,2025-03-01T23:30:00-05:00\nc,2025-03-01 10:00:00+01:00\n")
    assert table.column("at").to_pylist() == [None, datetime(2025, 3, 2, 4, 30, tzinfo=UTC), datetime(2025, 3, 1, 9, tzinfo=UTC)]
    assert table.column("at__raw").to_pylist() == ["2025-03-01 10:00", None, None]
    assert "at: 1 value(s) have no time zone in a column of values written with an offset; set types.timezone to read them in one " \
        "— not read, kept in at__raw" in manifest["clean_warnings"]
    # with the zone, the naive value is read in it
    table, _ = _clean(tmp_path / "z", "times.csv", "ev,at\na,2025-03-01 10:00\nb,2025-03-01T23:30:00-05:00\n", zone="Europe/Paris")
    assert table.column("at").to_pylist() == [datetime(2025, 3, 1, 9, tzinfo=UTC), datetime(2025, 3, 2, 4, 30, tzinfo=UTC)]


def test_an_offset_in_a_column_of_local_date_times_keeps_its_text(tmp_path: Path) -> None:
    text = "ev,at\na,2025-03-01 10:00\nb,2025-03-01 11:00\nc,2025-03-01 12:00+01:00\n"
    table, manifest = _clean(tmp_path, "local.csv", text)
    assert table.schema.field("at").type == pa.timestamp("us")
    assert table.column("at").to_pylist() == [datetime(2025, 3, 1, 10), datetime(2025, 3, 1, 11), None]
    assert table.column("at__raw").to_pylist() == [None, None, "2025-03-01 12:00+01:00"]
    assert "at: 1 value(s) carry an offset or a time zone name (+02:00, Europe/Berlin) in a column of local date-times (no " \
        "offset, no types.timezone); set types.timezone to store the column as instants — not read, kept in at__raw" in manifest["clean_warnings"]


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("2025-03-09 02:30", "are a local time that does not exist in America/New_York (skipped by a daylight-saving change)"),
        ("2025-11-02 01:30", "are a local time that happens twice in America/New_York (a daylight-saving change): which one is not guessed"),
    ],
)
def test_a_wall_time_a_dst_change_skips_or_repeats_is_not_guessed(tmp_path: Path, value: str, why: str) -> None:
    table, manifest = _clean(tmp_path, "dst.csv", f"ev,at\na,2025-03-08 02:30\nb,{value}\nc,2025-11-03 01:30\n", zone="America/New_York")
    assert table.column("at").to_pylist() == [datetime(2025, 3, 8, 7, 30, tzinfo=UTC), None, datetime(2025, 11, 3, 6, 30, tzinfo=UTC)]
    assert table.column("at__raw").to_pylist() == [None, value, None]
    assert manifest["clean_warnings"] == [f"at: 1 value(s) {why} — not read, kept in at__raw"]


def test_time_zone_abbreviations_stay_text_with_a_reason(tmp_path: Path) -> None:
    # the breaker's tz_abbrev.csv: every value names its zone by an abbreviation: the column stays text, and says why
    text = "event,at\nopen,2025-03-01 10:00 EST\nclose,2025-03-01 18:00 EST\nbackup,2025-03-02 02:00 CET\n"
    table, manifest = _clean(tmp_path, "tz_abbrev.csv", text, zone="America/New_York")
    assert table.column("at").to_pylist() == ["2025-03-01 10:00 EST", "2025-03-01 18:00 EST", "2025-03-02 02:00 CET"]
    assert manifest["column_types"]["at"] == "string"
    assert manifest["clean_warnings"] == [
        "at: kept as text: date-times with a time zone abbreviation (like EST or CET), which is ambiguous (IST, CST) — not guessed"
    ]


def test_an_abbreviation_in_a_date_time_column_is_kept_with_its_reason(tmp_path: Path) -> None:
    rows = "".join(f"{k},2025-03-0{k} 10:00\n" for k in range(1, 10))
    table, manifest = _clean(tmp_path, "tz.csv", f"k,at\n{rows}10,2025-03-01 10:00 IST\n")
    assert table.column("at").to_pylist() == [datetime(2025, 3, k, 10) for k in range(1, 10)] + [None]
    assert table.column("at__raw").to_pylist() == [None] * 9 + ["2025-03-01 10:00 IST"]
    assert manifest["clean_warnings"] == [
        "at: 1 value(s) name their time zone by an abbreviation, like EST or CET, which is ambiguous (IST, CST) and not guessed; "
        "write the offset (+02:00) instead — not read, kept in at__raw"
    ]


def test_the_column_kind_does_not_depend_on_the_batch_size(tmp_path: Path) -> None:
    text = "ev,at\na,2025-03-01 10:00\nb,2025-03-01 11:00\nc,2025-03-01T12:00:00+01:00\nd,2025-03-01T13:00:00Z\n"
    one, _ = _clean(tmp_path / "one", "b.csv", text)
    assert one.column("at").to_pylist() == [datetime(2025, 3, 1, 10), datetime(2025, 3, 1, 11), None, None]
    for size in (1, 2, 3):
        got, _ = _clean(tmp_path / f"b{size}", "b.csv", text, batch_rows=size)
        assert got.column("at").to_pylist()[:2] == one.column("at").to_pylist()[:2]


def test_parse_date_returns_naive_for_naive_values() -> None:
    assert parse_date("2025-03-04 10:00") == datetime(2025, 3, 4, 10)
    assert parse_date("March 4 2025 10:00").tzinfo is None
    assert parse_date("2025-03-04 10:00 +02:00") == datetime(2025, 3, 4, 8, tzinfo=UTC)
    assert parse_date("2025-03-04 10:00 EST") is None


def test_coerce_reads_naive_values_in_the_zone_given() -> None:
    values = pd.Series(["2025-03-04 10:00", "2025-03-09 02:30", "2025-11-02 01:30", "2025-03-04T10:00:00+02:00", None], dtype="string")
    got = coerce(values, "datetime", TypeOptions(timezone="America/New_York"), {})
    assert str(got.values.dtype) == "datetime64[us, UTC]"
    assert got.values.tolist()[0] == pd.Timestamp("2025-03-04 15:00", tz="UTC")
    assert got.failed.tolist() == [False, True, True, False, False]
    assert got.unread == {"dst_gap": 1, "dst_fold": 1}
    local = coerce(values, "datetime", TypeOptions(), {})
    assert str(local.values.dtype) == "datetime64[us]" and local.unread == {"offset": 1}


def test_the_time_zone_option_must_be_an_iana_name() -> None:
    assert SourceConfig.from_mapping({"types": {"timezone": "Europe/Paris"}}).types.timezone == "Europe/Paris"
    with pytest.raises((ConfigError, ValueError), match="not an IANA time zone name"):
        SourceConfig.from_mapping({"types": {"timezone": "Mars/Olympus"}})


def test_chunk_text_of_a_local_date_time_names_no_zone() -> None:
    assert format_value(datetime(2025, 3, 4, 10, 0)) == "4 March 2025, 10:00"
    assert format_value(datetime(2025, 3, 4, 15, 0, tzinfo=UTC)) == "4 March 2025, 15:00 UTC"


def _clean_with(tmp_path: Path, name: str, text: str, yaml: str | None, batch_rows: int = 100_000) -> tuple[pa.Table, dict]:
    """Clean ``text`` as ``name`` with the source config ``yaml`` (its ``files`` line added; None: no source config)."""
    config = tmp_path / "config"
    config.mkdir(parents=True, exist_ok=True)
    if yaml is not None:
        (config / "src.yaml").write_text(f'files: ["{name}"]\n{yaml}', encoding="utf-8")
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config, batch_rows=batch_rows)
    return clean_landed(settings, DATE, name, text)


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
