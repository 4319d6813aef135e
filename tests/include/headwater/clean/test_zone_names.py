"""IANA time zone names after a time, and the counts of the date warnings (breaker6 #6, #11, #12).

breaker6 #6: ``2024-03-05 14:30 Europe/Berlin`` was not read (reason ``text_after_date``, a warning calling the time "text
that is not a time of day"), and an undeclared column of such values stayed text without a word. Now an IANA name after a
time is read like an offset: the wall time in that zone, stored as the UTC instant (as ``+02:00`` is). A wall time a
daylight-saving change skips or repeats in that zone, a name the tz database does not hold and ``Etc/GMT+2`` (POSIX's sign:
UTC-02:00) are not read, each with its own reason and warning. ``14:30 hrs`` is a time; ``12:00 noon``, ``at 14:30`` stay
``text_after_date``, whose warning no longer calls a time a non-time.
breaker6 #11: ``inexact_numbers`` counted date columns (a day order assumed: ``{"date": 3}``); it counts numbers float64
cannot hold and date-times beyond microseconds only.
breaker6 #12: ``coercion_failures`` left out the values not read for ``text_after_date`` (15 where 25 were not read); now
it counts every value not read, and the warnings add up to it.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from headwater.clean.failures import COUNTED
from headwater.clean.outputs import FAILED_TYPE
from headwater.clean.values import REASONED, ZONE_NAME_CAUSES, coerce, infer_type, parse_date, zone_name_causes, zone_named
from headwater.config.settings import Settings
from landed_files import clean_landed

UTC = timezone.utc
DATE = "2026-11-21"
POSIX = (
    "name an Etc/GMT zone, like 10:00 Etc/GMT+2, whose sign is POSIX's: Etc/GMT+2 is two hours behind UTC (-02:00), the "
    "opposite of GMT+2, which is not guessed; write the offset instead (zone_name_posix_sign)"
)
TEXT_AFTER = (
    "write a date followed by text that is not just a time of day and its zone, like 2024-03-05 - 2024-03-09 (a range), "
    "2024-01-05 1000 (a bare number) or 2024-03-05 at 14:30 (a word with the time): no date is taken from them (text_after_date)"
)


def test_the_venv_has_the_tz_database() -> None:
    """zoneinfo reads the system's tz database or the tzdata package: the names this reading needs are there."""
    names = zoneinfo.available_timezones()
    assert {"Europe/Berlin", "America/New_York", "Asia/Kolkata", "Etc/GMT+2", "America/Argentina/Buenos_Aires"} <= names


@pytest.mark.parametrize(
    ("value", "dayfirst", "expected"),
    [
        ("2024-03-05 14:30 Europe/Berlin", False, datetime(2024, 3, 5, 13, 30, tzinfo=UTC)),  # CET, +01:00
        ("2024-07-05 14:30 Europe/Berlin", False, datetime(2024, 7, 5, 12, 30, tzinfo=UTC)),  # CEST, +02:00
        ("2024-03-05 14:30 America/New_York", False, datetime(2024, 3, 5, 19, 30, tzinfo=UTC)),  # EST; not "14:30 Am" + "erica"
        ("2024-03-12 14:30 America/New_York", False, datetime(2024, 3, 12, 18, 30, tzinfo=UTC)),  # EDT since 10 March
        ("2024-03-05 2:30 PM America/New_York", False, datetime(2024, 3, 5, 19, 30, tzinfo=UTC)),
        ("2024-03-05 14:30 Asia/Kolkata", False, datetime(2024, 3, 5, 9, 0, tzinfo=UTC)),  # +05:30
        ("2024-03-05 14:30 Pacific/Chatham", False, datetime(2024, 3, 5, 0, 45, tzinfo=UTC)),  # +13:45
        ("2024-03-05 14:30:00.5 America/Argentina/Buenos_Aires", False, datetime(2024, 3, 5, 17, 30, 0, 500000, tzinfo=UTC)),
        ("2024-03-05T14:30Europe/Berlin", False, datetime(2024, 3, 5, 13, 30, tzinfo=UTC)),
        ("2024-03-05 14:30 europe/berlin", False, datetime(2024, 3, 5, 13, 30, tzinfo=UTC)),  # the name in any case
        ("05/03/2024 14:30 Europe/Berlin", True, datetime(2024, 3, 5, 13, 30, tzinfo=UTC)),
        ("March 5, 2024 14:30 Europe/Berlin", False, datetime(2024, 3, 5, 13, 30, tzinfo=UTC)),
        ("14:30 Europe/Berlin 05/03/2024", True, datetime(2024, 3, 5, 13, 30, tzinfo=UTC)),
        ("2024-03-05 10:00 Etc/UTC", False, datetime(2024, 3, 5, 10, 0, tzinfo=UTC)),
        ("2024-03-05 10:00 Etc/GMT+0", False, datetime(2024, 3, 5, 10, 0, tzinfo=UTC)),  # no sign to invert
        # the same instant as the offset it stands for
        ("2024-03-05 14:30 +01:00", False, datetime(2024, 3, 5, 13, 30, tzinfo=UTC)),
        # hrs after a 24-hour time, and the military clock
        ("2024-03-05 14:30 hrs", False, datetime(2024, 3, 5, 14, 30)),
        ("2024-03-05 14:30 hrs.", False, datetime(2024, 3, 5, 14, 30)),
        ("2024-03-05 1430 hrs", False, datetime(2024, 3, 5, 14, 30)),
        ("2024-03-05 14:30 hrs Europe/Berlin", False, datetime(2024, 3, 5, 13, 30, tzinfo=UTC)),
        # not read
        ("2024-03-31 02:30 Europe/Berlin", False, None),  # a gap: clocks jump 02:00 -> 03:00
        ("2024-10-27 02:30 Europe/Berlin", False, None),  # a fold: 02:00-03:00 happens twice
        ("2024-03-05 10:00 Etc/GMT+2", False, None),  # POSIX sign: UTC-02:00
        ("2024-03-05 10:00 Etc/GMT-14", False, None),
        ("2024-03-05 14:30 Europe/Berln", False, None),  # no such zone
        ("2024-03-05 14:30 Japan", False, None),  # no area: not an IANA name this reads
        ("2024-03-05 14:30 Europe/Berlin EST", False, None),
        ("2024-03-05 14:30+01:00 Europe/Berlin", False, None),  # an offset and a name
        ("2024-03-05 1430", False, None),  # a bare number is still no time
        ("2024-03-05 12:00 noon", False, None),
        ("2024-03-05 at 14:30", False, None),
        ("2024-03-05 14:30 hours", False, None),
        ("2024-03-05 Europe/Berlin", False, None),  # a zone without a time
    ],
)
def test_parse_date_reads_a_zone_name_after_a_time(value: str, dayfirst: bool, expected: datetime | None) -> None:
    assert parse_date(value, dayfirst) == expected


def test_zone_named() -> None:
    assert zone_named("Europe/Berlin") == zoneinfo.ZoneInfo("Europe/Berlin")
    assert zone_named("america/new_york") == zoneinfo.ZoneInfo("America/New_York")
    assert [zone_named(n) for n in ("Etc/GMT+2", "Etc/GMT-3", "Europe/Berln", "Japan", "EST", "UTC")] == [None] * 6


def test_zone_name_causes_say_why_a_named_zone_was_not_read() -> None:
    values = pd.Series([
        "2024-03-31 02:30 Europe/Berlin", "2024-10-27 02:30 Europe/Berlin", "2024-03-05 10:00 Etc/GMT+2", "2024-03-05 14:30 Europe/Berln",
        "2024-03-05 at 14:30 Europe/Berlin", "2024-03-05 14:30 Europe/Berlin", "2024-11-03 1:30 AM America/New_York", "2024-03-05",
    ], dtype="string")
    causes = zone_name_causes(values, np.ones(len(values), dtype=bool), False)
    assert {c: w.tolist() for c, w in causes.items()} == {
        "zone_name_unknown": [False, False, False, True, False, False, False, False],
        "zone_name_posix_sign": [False, False, True, False, False, False, False, False],
        "zone_name_dst_gap": [True, False, False, False, False, False, False, False],
        "zone_name_dst_fold": [False, True, False, False, False, False, True, False],
        # RFC 9557's causes (tz9): no bracketed stamp here
        "zone_offset_mismatch": [False] * 8,
        "critical_suffix_tag": [False] * 8,
    }
    # only where asked
    assert not any(w.any() for w in zone_name_causes(values, np.zeros(len(values), dtype=bool), False).values())


def test_every_cause_of_a_value_not_read_is_a_reason_and_a_coercion_failure() -> None:
    """breaker6 #12: each cause is kept in <col>__reason (REASONED) and counted in coercion_failures (COUNTED)."""
    unread = ("text_after_date", "weekday_mismatch", *ZONE_NAME_CAUSES, "credit_debit_suffix", "mixed_digit_scripts")
    assert set(ZONE_NAME_CAUSES) | {"text_after_date", "weekday_mismatch"} <= set(REASONED)
    assert set(unread) <= set(COUNTED)
    reasons = pd.Series([*unread, "day_order", "two_digit_year", "date_only", "currency_differs_from_unit"])
    assert reasons.str.contains(FAILED_TYPE, regex=True).tolist() == [True] * len(unread) + [False] * 4


def test_coerce_stores_a_named_zone_as_the_instant_an_offset_stores() -> None:
    values = pd.Series(["2024-03-05 14:30 Europe/Berlin", "2024-03-05 14:30 +01:00", "2024-03-05 14:30 Asia/Kolkata",
                        "2024-03-31 02:30 Europe/Berlin", "2024-03-05 10:00 Etc/GMT+2", "2024-03-05 12:00 noon"], dtype="string")
    result = coerce(values, "datetime", formats={"dayfirst": False})
    assert str(result.values.dtype) == "datetime64[us, UTC]"
    assert result.values.tolist()[:3] == [pd.Timestamp("2024-03-05 13:30", tz="UTC")] * 2 + [pd.Timestamp("2024-03-05 09:00", tz="UTC")]
    assert result.values.isna().tolist() == [False, False, False, True, True, True]
    assert result.reasons.where(result.reasons.notna(), None).tolist() == [None, None, None, "zone_name_dst_gap", "zone_name_posix_sign", "text_after_date"]
    assert result.unread == {"zone_name_dst_gap": 1, "zone_name_posix_sign": 1, "text_after_date": 1}
    assert result.failed.tolist() == [False, False, False, True, True, True]


def test_a_named_zone_in_a_column_of_local_date_times_is_an_offset() -> None:
    """Without types.timezone a column of wall times stays local: a value naming its zone is not read there, as +01:00 is not."""
    values = pd.Series(["2024-03-05 10:00", "2024-03-05 11:00", "2024-03-05 14:30 Europe/Berlin"], dtype="string")
    result = coerce(values, "datetime", formats={"dayfirst": False})
    assert str(result.values.dtype) == "datetime64[us]"
    assert result.values.tolist()[:2] == [pd.Timestamp("2024-03-05 10:00"), pd.Timestamp("2024-03-05 11:00")]
    assert result.reasons.where(result.reasons.notna(), None).tolist() == [None, None, "offset"]
    # with types.timezone the named zone wins for its own value
    from headwater.config.types import TypeOptions

    result = coerce(values, "datetime", TypeOptions(timezone="America/New_York"), {"dayfirst": False})
    assert result.values.tolist() == [
        pd.Timestamp("2024-03-05 15:00", tz="UTC"), pd.Timestamp("2024-03-05 16:00", tz="UTC"), pd.Timestamp("2024-03-05 13:30", tz="UTC"),
    ]


def test_inference_of_zone_names() -> None:
    berlin = pd.Series(["2024-03-05 14:30 Europe/Berlin", "2024-03-06 14:30 Europe/Berlin", "2024-03-07 14:30 Europe/Berlin"])
    assert infer_type("seen", berlin) == "datetime"
    assert infer_type("seen", pd.Series(["2024-03-05 14:30 hrs", "2024-03-06 09:00 hrs"])) == "datetime"
    reasons: dict[str, str] = {}
    posix = pd.Series(["2024-03-05 10:00 Etc/GMT+2", "2024-03-06 10:00 Etc/GMT+2", "2024-03-07 10:00 Etc/GMT+2"])
    assert infer_type("seen", posix, reasons=reasons) == "string"
    assert reasons == {"seen": "date-times with a time zone name that is not read (an Etc/GMT zone, whose sign is POSIX's: "
                               "Etc/GMT+2 is UTC-02:00, the opposite of GMT+2)"}
    assert infer_type("seen", pd.Series(["2024-03-05 12:00 noon", "2024-03-06 12:00 noon"])) == "string"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    config = tmp_path / "config"
    config.mkdir()
    (config / "t.yaml").write_text('files: ["t*.csv"]\nschema:\n  columns:\n    id: string\n    seen: datetime\n', encoding="utf-8")
    return Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)


def _clean(settings: Settings, name: str, text: str) -> tuple[dict, dict]:
    table, manifest = clean_landed(settings, DATE, name, text)
    return table.to_pydict(), manifest


def test_no_config_a_column_of_zone_names_is_a_datetime_column(settings: Settings) -> None:
    """breaker6 #6 (in/dates2/f07.csv): the column stayed text, silently."""
    cols, manifest = _clean(settings, "f07.csv", (
        "id,seen\n1,2024-03-05 14:30 Europe/Berlin\n2,2024-03-06 14:30 Europe/Berlin\n3,2024-07-07 14:30 Europe/Berlin\n"
    ))
    assert manifest["column_types"]["seen"] == "datetime"
    assert cols["seen"] == [datetime(2024, 3, 5, 13, 30, tzinfo=UTC), datetime(2024, 3, 6, 13, 30, tzinfo=UTC), datetime(2024, 7, 7, 12, 30, tzinfo=UTC)]
    assert "seen__raw" not in cols and manifest["clean_warnings"] == []
    # stored as a column of +01:00 values is: UTC instants
    table, offsets = clean_landed(settings, DATE, "f03.csv", "id,seen\n1,2024-03-05 14:30 +01:00\n2,2024-03-06 14:30 +01:00\n")
    assert table.column("seen").to_pylist() == cols["seen"][:2]
    assert offsets["column_types"]["seen"] == "datetime" and offsets["dtypes"]["seen"] == manifest["dtypes"]["seen"]
    assert table.schema.field("seen").type == pa.timestamp("us", tz="UTC")
    table, _ = clean_landed(settings, DATE, "f07b.csv", "id,seen\n1,2024-03-05 14:30 Europe/Berlin\n")
    assert table.schema.field("seen").type == pa.timestamp("us", tz="UTC")


def test_no_config_etc_gmt_stays_text_and_says_why(settings: Settings) -> None:
    """breaker6 #6 (in/dates2/f16.csv): kept as text (right: POSIX's sign), now with a warning."""
    cols, manifest = _clean(settings, "f16.csv", "id,seen\n1,2024-03-05 10:00 Etc/GMT+2\n2,2024-03-06 10:00 Etc/GMT+2\n")
    assert manifest["column_types"]["seen"] == "string"
    assert cols["seen"] == ["2024-03-05 10:00 Etc/GMT+2", "2024-03-06 10:00 Etc/GMT+2"]
    why = "date-times with a time zone name that is not read (an Etc/GMT zone, whose sign is POSIX's: Etc/GMT+2 is UTC-02:00, the opposite of GMT+2)"
    assert manifest["value_formats"]["kept_as_text"] == {"seen": why}
    assert manifest["clean_warnings"] == [f"seen: kept as text: {why} — not guessed"]


def test_declared_datetimes_with_zone_names_offsets_and_words(settings: Settings) -> None:
    """breaker6 #6, #11, #12 in one declared column: read values, reasons, warnings and counts that agree."""
    rows = [
        "2024-03-05 14:30 Europe/Berlin", "2024-03-05 14:30 +01:00", "2024-03-05 10:00 GMT+2", "2024-03-05 14:30 America/New_York",
        "2024-03-31 02:30 Europe/Berlin", "2024-10-27 02:30 Europe/Berlin", "2024-03-05 10:00 Etc/GMT+2", "2024-03-05 14:30 Europe/Berln",
        "2024-03-05 12:00 noon", "2024-03-05 at 14:30", "2024-03-05 14:30 hrs", "2024-03-05 14:30 CET", "Tue 2024-03-05 14:30",
        "03/05/2024 14:30 UTC",
    ]
    text = "id,seen\n" + "".join(f"{i},{v}\n" for i, v in enumerate(rows, 1))
    cols, manifest = _clean(settings, "t_zones.csv", text)
    at = [datetime(2024, 3, 5, 13, 30, tzinfo=UTC)] * 2 + [datetime(2024, 3, 5, 8, 0, tzinfo=UTC), datetime(2024, 3, 5, 19, 30, tzinfo=UTC)]
    assert cols["seen"] == at + [None] * 9 + [datetime(2024, 3, 5, 14, 30, tzinfo=UTC)]
    assert cols["seen__reason"] == [
        None, None, None, None, "zone_name_dst_gap", "zone_name_dst_fold", "zone_name_posix_sign", "zone_name_unknown",
        "text_after_date", "text_after_date", "no_zone", "zone_abbreviation", "not_a_datetime", "day_order",
    ]
    assert cols["seen__raw"] == [None] * 4 + rows[4:]  # 03/05/2024: read month first, by an assumption: its text kept
    assert manifest["clean_warnings"] == [
        "seen: 1 value(s) like 03/05/2024 14:30 UTC read month first (5 March 2024) while no value of the file had shown the "
        "day order (as 13/05/2024 14:30 UTC does); set types.dayfirst if that is wrong — the value is stored, its text kept "
        "in seen__raw",
        "seen: 1 value(s) have no time zone in a column of values written with an offset; set types.timezone to read them in one "
        "— not read, kept in seen__raw",
        f"seen: 2 value(s) {TEXT_AFTER} — not read, kept in seen__raw",
        "seen: 1 value(s) name their time zone by an abbreviation, like EST or CET, which is ambiguous (IST, CST) and not guessed; "
        "write the offset (+02:00) instead — not read, kept in seen__raw",
        "seen: 1 value(s) are a local time that happens twice in the time zone they name (a daylight-saving change), like "
        "2024-10-27 02:30 Europe/Berlin: which one is not guessed (zone_name_dst_fold) — not read, kept in seen__raw",
        "seen: 1 value(s) are a local time that does not exist in the time zone they name (skipped by a daylight-saving change), "
        "like 2024-03-31 02:30 Europe/Berlin (zone_name_dst_gap) — not read, kept in seen__raw",
        f"seen: 1 value(s) {POSIX} — not read, kept in seen__raw",
        "seen: 1 value(s) name a time zone the tz database does not hold, like 14:30 Europe/Berln (zone_name_unknown) — not read, "
        "kept in seen__raw",
        # breaker6 #12: 9 not read in all, as coercion_failures counts them; 8 in the lines above, 1 for none named
        "seen: 9 of 14 values (64%) are not a valid datetime (declared type): 8 for the causes above, 1 for none named "
        "(not_a_datetime) — kept in seen__raw",
    ]
    assert manifest["coercion_failures"] == {"seen": 9}
    assert manifest["inexact_numbers"] == {}  # breaker6 #11: the day order assumed is no inexact number


def test_breaker6_forms_counts_agree(settings: Settings) -> None:
    """breaker6 #12 (in/dates1/forms.csv, shortened): text_after_date values were not in coercion_failures."""
    rows = ["2024-03-05T14:30:00Z", "2024-03-05 midnight", "2024-03-05 - 14:30", "2024-03-05 14:30 (local)", "2024-03-05 14:30:00 PST"]
    cols, manifest = _clean(settings, "t_forms.csv", "id,seen\n" + "".join(f"{i},{v}\n" for i, v in enumerate(rows, 1)))
    assert cols["seen__reason"] == [None, "text_after_date", "text_after_date", "text_after_date", "zone_abbreviation"]
    assert manifest["coercion_failures"] == {"seen": 4}  # was 1: the three text_after_date values were left out
    assert manifest["clean_warnings"][0] == f"seen: 3 value(s) {TEXT_AFTER} — not read, kept in seen__raw"
    assert len(manifest["clean_warnings"]) == 2  # and the abbreviation's: 3 + 1 = 4, no line for none named


# breaker6's in/dates1/forms.csv (declared ``seen: datetime``), embedded: 37 spellings of 2024-03-05 14:30
FORMS = [
    "2024-03-05T14:30:00Z", "2024-03-05 14:30:00.123456", "2024-03-05 14:30:00 +02:00", "2024-03-05 2:30 PM", "2024-03-05 2:30 p.m.",
    "2024-03-05 14:30 CET", "2024-03-05 14:30 Europe/Berlin", "2024-03-05 14:30:00,123", "03/05/2024 14:30:00 UTC", "2024-03-05 14:30Z",
    "2024-03-05 midnight", "2024-03-05, 14:30", "2024-03-05 at 14:30", "2024-03-05 14:30:00.000000000", "2024-03-05T14:30:00-05:00",
    "2024-03-05 10:00 Etc/GMT+2", "2024-03-05 10:00 GMT+2", "2024-03-05 10:00 -0500", "2024-03-05 14h", "2024-03-05 14.30",
    "2024-03-05 14:30 (local)", "2024-03-05 Tue", "Tue 2024-03-05 14:30", "2024-03-05 14:30:00 PST", "2024-03-05 14:30 EST",
    "2024-03-05T14:30+0530", "2024-03-05 14:30 UTC+05:30", "2024-03-05 14:30:00 GMT", "2024-03-05 12:00 noon", "2024-03-05 14:30 hrs",
    "2024-03-05 1430", "2024-03-05 14:30:00.5 +00:00", "5.3.2024 14:30", "2024-03-05 14:30 Uhr", "2024-03-05 T14:30",
    "2024-03-05 14:30:00 Z", "2024-03-05 - 14:30",
]


def test_breaker6_forms_file(settings: Settings) -> None:
    """breaker6 #6, #11, #12 on the whole file: Europe/Berlin read (was text_after_date), Etc/GMT+2 with its reason; the
    warnings add up to coercion_failures (was 25 of 37 warned against 15 counted); no inexact number (was {"seen": 1})."""
    cols, manifest = _clean(settings, "t_forms_all.csv", "id,seen\n" + "".join(f'{i},"{v}"\n' for i, v in enumerate(FORMS, 1)))
    reasons = cols["seen__reason"]
    assert cols["seen"][6] == datetime(2024, 3, 5, 13, 30, tzinfo=UTC) and reasons[6] is None  # Europe/Berlin: CET
    assert reasons[15] == "zone_name_posix_sign" and reasons[29] == "no_zone"  # 14:30 hrs: a time without a zone among instants
    counts = {r: reasons.count(r) for r in sorted(set(reasons) - {None})}
    assert counts == {
        "day_order": 1, "no_zone": 12, "not_a_datetime": 1, "text_after_date": 7, "zone_abbreviation": 3, "zone_name_posix_sign": 1,
    }
    assert sum(v is None for v in cols["seen"]) == 24
    assert manifest["coercion_failures"] == {"seen": 24}
    assert manifest["inexact_numbers"] == {}
    warned = [w for w in manifest["clean_warnings"] if "not read" in w]
    assert [int(w.split(": ", 1)[1].split(" ", 1)[0]) for w in warned] == [12, 7, 3, 1]
    assert manifest["clean_warnings"][-1] == (
        "seen: 24 of 37 values (65%) are not a valid datetime (declared type): 23 for the causes above, 1 for none named "
        "(not_a_datetime) — kept in seen__raw"
    )


def test_inexact_numbers_never_count_dates(tmp_path: Path) -> None:
    """breaker6 #11 (in/qb/b_memo_last_noeol.csv: ``inexact_numbers {"date": 3}``): a date read by an assumed day order, a
    two-digit year or leading zeros keeps its text, but it is no number float64 cannot hold."""
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none")
    cols, manifest = clean_landed(settings, DATE, "qb.csv", (
        "date,num,amount,seen\n01/03/2025,1001,1250.00,2024-01-15T10:00:00.123456789Z\n01/09/2025,1002,4130.00,2024-01-15T10:00:00Z\n"
        "01/10/2025,1003,0.12345678901234567890,2024-01-16T10:00:00Z\n"
    ))
    cols = cols.to_pydict()
    assert manifest["column_types"] == {"date": "date", "num": "integer", "amount": "number", "seen": "datetime"}
    assert cols["date__raw"] == ["01/03/2025", "01/09/2025", "01/10/2025"]  # month first assumed: text kept
    assert cols["amount__raw"] == [None, None, "0.12345678901234567890"]
    assert cols["seen__raw"] == ["2024-01-15T10:00:00.123456789Z", None, None]
    assert (cols["date__reason"], cols["amount__reason"], cols["seen__reason"]) == (
        ["day_order"] * 3, [None, None, "nearest_float64"], ["sub_microsecond_digits", None, None],
    )
    assert manifest["inexact_numbers"] == {"amount": 1}  # was {"date": 3, "amount": 1, "seen": 1}: numbers only
    assert manifest["coercion_failures"] == {}  # breaker7 #12: a column with none is not listed (was {"date": 0, "amount": 0, "seen": 0})


def test_inexact_numbers_leave_out_a_number_read_with_a_provisional_mark(tmp_path: Path) -> None:
    """``2,125`` read with the delimiter's mark (no value decided it) keeps its text: an assumption, warned on its own,
    not a number float64 cannot hold (it was counted in inexact_numbers too)."""
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none")
    cols, manifest = clean_landed(settings, DATE, "p2.csv", "item;price\na;2,125\nb;3\n")
    cols = cols.to_pydict()
    assert (cols["price"], cols["price__raw"]) == ([2.125, 3.0], ["2,125", None])
    assert manifest["inexact_numbers"] == {}  # was {"price": 1}
    assert manifest["clean_warnings"] == [
        "price: 1 value(s) like 2,125 read with the decimal mark ',' while no value of the file decided it (delimiter) — their "
        "text kept in price__raw; set types.decimal if that is wrong"
    ]


def test_old_offset_reading_is_unchanged() -> None:
    """What +02:00 and GMT+2 stored before is what they store now."""
    assert parse_date("2024-03-05 14:30:00 +02:00") == datetime(2024, 3, 5, 12, 30, tzinfo=UTC)
    assert parse_date("2024-03-05 10:00 GMT+2") == datetime(2024, 3, 5, 10, 0, tzinfo=timezone(timedelta(hours=2))).astimezone(UTC)
