"""RFC 9557 bracketed zones, and zone problems in a ``date`` column (tz9: breaker7 #3, #4).

breaker7 #3: in a column declared ``date``, ``2024-03-31 02:30 Europe/Berlin`` (a wall time the zone skips) and
``2024-03-05 14:30 Etc/GMT+2`` (POSIX's sign) were not read (``zone_name_dst_gap``, ``zone_name_posix_sign``) and counted in
``coercion_failures``, although the date written is certain whatever the time's zone problem. Now the date is stored, the
text kept with both reasons (``time_dropped; zone_name_dst_gap``), warned, not counted as a failure. An unknown name after a
space (``2024-03-05 14:30 Mars/Olympus``: a trailing word that may be no zone at all) is still not read; in RFC 9557
brackets (``[Mars/Olympus]``: the syntax says it is a zone) the date is stored.
breaker7 #4: RFC 9557 / Java ``ZonedDateTime.toString()`` stamps (``2024-03-05T14:30+01:00[Europe/Berlin]``) were "text
after the date". Now read: a zone alone as ``... 14:30 Europe/Berlin`` is, an offset with its zone when they agree; an
offset the zone does not have then is ``zone_offset_mismatch`` (RFC 9557 §3.4), a critical tag not processed
``critical_suffix_tag`` (§3.3); in a ``date`` column the date written.
breaker8 #7 (tz11): a date with a zone and no time (``2024-03-05[Europe/Berlin]``, which Temporal's ``PlainDate.from`` and
``ZonedDateTime.from`` accept) was ``text_after_date`` in both kinds of column. Now a ``date`` column stores the date, its
text kept (``zone_dropped``); a ``datetime`` column the first instant of that day in that zone (``start_of_day``: midnight,
or the end of a daylight-saving gap at midnight), its text kept. An unknown zone is still ``zone_name_unknown``.
breaker8 #8 (tz11): ``2024-03-05T23:30Z[Asia/Tokyo]`` in a ``date`` column stored the UTC date (03-05); RFC 9557 §2 says the
UTC instant is known and the local zone is the bracket's: Tokyo's date, 2024-03-06, is stored.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from headwater.clean.failures import COUNTED
from headwater.clean.frame import build_frame
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.clean.values import REASONED, ZONE_NAME_CAUSES, coerce, infer_type, infer_types, parse_date, zone_name_causes
from headwater.config.settings import Settings
from landed_files import clean_landed

UTC = timezone.utc
DATE = "2026-11-22"
BERLIN_MARCH = datetime(2024, 3, 5, 13, 30, tzinfo=UTC)  # 14:30 CET (+01:00)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05T14:30[Europe/Berlin]", BERLIN_MARCH),  # a zone alone: the wall time read in it
        ("2024-03-05T14:30+01:00[Europe/Berlin]", BERLIN_MARCH),  # Java's ZonedDateTime.toString()
        ("2024-03-05T14:30:00+01:00[Europe/Berlin]", BERLIN_MARCH),
        ("2024-03-05T14:30+01:00[!Europe/Berlin]", BERLIN_MARCH),  # critical, and consistent
        ("2024-03-05T14:30+01:00[Europe/Berlin][u-ca=gregory]", BERLIN_MARCH),  # an elective tag: ignored
        ("2024-03-05T14:30+01:00[Europe/Berlin][!u-ca=gregory]", BERLIN_MARCH),  # a critical tag processed: Gregorian
        ("2024-03-05T14:30+01:00[Europe/Berlin][x-foo=bar]", BERLIN_MARCH),  # an elective unknown tag: ignored (§3.3)
        ("2024-07-05T14:30+02:00[Europe/Berlin]", datetime(2024, 7, 5, 12, 30, tzinfo=UTC)),  # CEST
        ("2024-03-05T14:30:00Z[UTC]", datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),
        ("2024-03-05T14:30:00Z[Etc/UTC]", datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),
        ("2024-03-05T14:30:00Z[Europe/Berlin]", datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),  # Z asserts no local offset (§2)
        ("2024-03-05T14:30-00:00[Europe/Berlin]", datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),  # nor does -00:00
        ("2024-03-05T14:30+01:00[+01:00]", BERLIN_MARCH),  # an offset zone
        ("2024-03-05T14:30[+01:00]", BERLIN_MARCH),
        ("2024-03-05T14:30-02:00[Etc/GMT+2]", datetime(2024, 3, 5, 16, 30, tzinfo=UTC)),  # the offset says which sign is meant
        ("2024-03-05T14:30[europe/berlin]", BERLIN_MARCH),  # the name in any case
        ("2024-03-05T14:30[America/Argentina/Buenos_Aires]", datetime(2024, 3, 5, 17, 30, tzinfo=UTC)),
        ("2024-03-05[u-ca=gregory]", datetime(2024, 3, 5)),  # a date with a tag: the date
        ("2024-03-05[u-ca=hebrew]", datetime(2024, 3, 5)),  # an elective tag, ignored
        # a date and its zone, no time (breaker8 #7): the first instant of that day in that zone (Temporal's startOfDay)
        ("2024-03-05[Europe/Berlin]", datetime(2024, 3, 4, 23, 0, tzinfo=UTC)),
        ("2024-03-05[europe/berlin]", datetime(2024, 3, 4, 23, 0, tzinfo=UTC)),
        ("2024-03-05[!Europe/Berlin]", datetime(2024, 3, 4, 23, 0, tzinfo=UTC)),
        ("2024-03-05[Europe/Berlin][u-ca=hebrew]", datetime(2024, 3, 4, 23, 0, tzinfo=UTC)),
        ("2024-07-05[Europe/Berlin]", datetime(2024, 7, 4, 22, 0, tzinfo=UTC)),  # CEST
        ("2024-03-05[+01:00]", datetime(2024, 3, 4, 23, 0, tzinfo=UTC)),
        ("2024-03-05[UTC]", datetime(2024, 3, 5, tzinfo=UTC)),
        ("05/03/2024[Europe/Berlin]", datetime(2024, 5, 2, 22, 0, tzinfo=UTC)),  # month first (dayfirst=False)
        ("2024-09-08[America/Santiago]", datetime(2024, 9, 8, 4, 0, tzinfo=UTC)),  # 00:00 skipped: the day starts 01:00 -03
        ("2024-03-10[America/Havana]", datetime(2024, 3, 10, 5, 0, tzinfo=UTC)),  # 00:00 skipped: 01:00 CDT (-04)
        ("2024-11-03[America/Havana]", datetime(2024, 11, 3, 4, 0, tzinfo=UTC)),  # 00:00 twice: the first, CDT (-04)
        ("2024-03-31[Europe/Berlin]", datetime(2024, 3, 30, 23, 0, tzinfo=UTC)),  # a gap at 02:00, not at midnight
        ("2011-12-31[Pacific/Apia]", datetime(2011, 12, 30, 10, 0, tzinfo=UTC)),  # +14:00 from that day
        ("2011-12-29[Pacific/Apia]", datetime(2011, 12, 29, 10, 0, tzinfo=UTC)),  # -10:00 until then
        # Z with a zone (breaker8 #8): the instant (a date column stores the zone's date: below)
        ("2024-03-05T23:30Z[Asia/Tokyo]", datetime(2024, 3, 5, 23, 30, tzinfo=UTC)),
        # not read
        ("2024-03-05T14:30+02:00[Europe/Berlin]", None),  # Berlin is +01:00 in March: zone_offset_mismatch
        ("2024-03-05T14:30+02:00[!Europe/Berlin]", None),
        ("2024-03-05T14:30+01:00[UTC]", None),
        ("2024-03-05T14:30+02:00[Etc/GMT+2]", None),  # the POSIX zone is -02:00
        ("2024-03-05T14:30+01:00[+02:00]", None),
        ("2024-03-31T02:30[Europe/Berlin]", None),  # a gap
        ("2024-10-27T02:30[Europe/Berlin]", None),  # a fold
        ("2024-03-05T14:30[Etc/GMT+2]", None),  # POSIX's sign, no offset to say it
        ("2024-03-05T14:30[Mars/Olympus]", None),
        ("2024-03-05T14:30[Japan]", None),  # a one-part name: not guessed (as after a space)
        ("2024-03-05T14:30+01:00[!u-ca=hebrew]", None),  # a critical tag not processed
        ("2024-03-05T14:30+01:00[Europe/Berlin][!x-foo=bar]", None),
        ("2024-03-05T14:30+01:00[u-ca=gregory][Europe/Berlin]", None),  # the zone comes first (§4.1)
        ("2024-03-05[Mars/Olympus]", None),  # zone_name_unknown
        ("2024-03-05[Etc/GMT+2]", None),  # zone_name_posix_sign: which day's start is not guessed
        ("2011-12-30[Pacific/Apia]", None),  # a day Samoa skipped whole (it crossed the date line): zone_name_dst_gap
        ("2024-03-05[Europe/Berlin][!u-ca=hebrew]", None),  # critical_suffix_tag
        ("2024-03-05[u-ca=gregory][Europe/Berlin]", None),  # the zone comes first (§4.1)
        ("2024-03-05Z[Europe/Berlin]", None),
        ("2024-03-05 [Europe/Berlin]", None),  # no space before a suffix (§4.1)
        ("2024-03-05T14:30[Europe/Berlin", None),
        ("2024-03-05T14:30[]", None),
        ("2024-03-05 - 2024-03-09[Europe/Berlin]", None),
    ],
)
def test_parse_date_reads_rfc_9557_stamps(value: str, expected: datetime | None) -> None:
    assert parse_date(value) == expected


def test_parse_date_local_keeps_the_offset_or_zone_written() -> None:
    berlin = parse_date("2024-03-05T14:30[Europe/Berlin]", local=True)
    assert (berlin.replace(tzinfo=None), berlin.utcoffset()) == (datetime(2024, 3, 5, 14, 30), timedelta(hours=1))
    offset = parse_date("2024-03-05T23:30+01:00[Europe/Berlin]", local=True)
    assert (offset.replace(tzinfo=None), offset.utcoffset()) == (datetime(2024, 3, 5, 23, 30), timedelta(hours=1))
    # Z: the instant in the bracket's zone (RFC 9557 §2), the local date-time a date column takes its date from
    tokyo = parse_date("2024-03-05T23:30Z[Asia/Tokyo]", local=True)
    assert (tokyo.replace(tzinfo=None), tokyo.utcoffset()) == (datetime(2024, 3, 6, 8, 30), timedelta(hours=9))
    angeles = parse_date("2024-03-05T03:30-00:00[America/Los_Angeles]", local=True)
    assert (angeles.replace(tzinfo=None), angeles.utcoffset()) == (datetime(2024, 3, 4, 19, 30), timedelta(hours=-8))
    # a date and its zone: the start of that day, in that zone
    santiago = parse_date("2024-09-08[America/Santiago]", local=True)
    assert (santiago.replace(tzinfo=None), santiago.utcoffset()) == (datetime(2024, 9, 8, 1, 0), timedelta(hours=-3))
    berlin_day = parse_date("2024-03-05[Europe/Berlin]", local=True)
    assert (berlin_day.replace(tzinfo=None), berlin_day.utcoffset()) == (datetime(2024, 3, 5), timedelta(hours=1))


def test_zone_name_causes_of_rfc_9557_stamps() -> None:
    values = pd.Series([
        "2024-03-05T14:30+02:00[Europe/Berlin]", "2024-03-05T14:30+02:00[!Europe/Berlin]", "2024-03-31T02:30[Europe/Berlin]",
        "2024-10-27T02:30[Europe/Berlin]", "2024-03-05T14:30[Etc/GMT+2]", "2024-03-05T14:30[Mars/Olympus]",
        "2024-03-05T14:30+01:00[!u-ca=hebrew]", "2024-03-05T14:30+01:00[Europe/Berlin]", "2024-03-05[Europe/Berlin]",
        "2024-03-05[Mars/Olympus]", "2024-03-05[Etc/GMT+2]", "2024-03-05[Europe/Berlin][!u-ca=hebrew]", "2024-09-08[America/Santiago]",
        "2024-03-05T23:30Z[Mars/Olympus]",
    ], dtype="string")
    causes = zone_name_causes(values, np.ones(len(values), dtype=bool), False)
    assert {c: np.flatnonzero(w).tolist() for c, w in causes.items()} == {
        "zone_name_unknown": [5, 9, 13], "zone_name_posix_sign": [4, 10], "zone_name_dst_gap": [2], "zone_name_dst_fold": [3],
        "zone_offset_mismatch": [0, 1], "critical_suffix_tag": [6, 11],
    }
    # every cause is a reason, and a coercion failure where the value is not read
    assert {"zone_offset_mismatch", "critical_suffix_tag"} <= set(ZONE_NAME_CAUSES) & set(REASONED) & set(COUNTED)


DATETIMES = [
    "2024-03-05T14:30[Europe/Berlin]", "2024-03-05T14:30+01:00[Europe/Berlin]", "2024-03-05T14:30:00Z[UTC]",
    "2024-03-05T14:30+01:00[!Europe/Berlin]", "2024-07-05T14:30+02:00[Europe/Berlin][u-ca=gregory]",
    "2024-03-05T14:30+02:00[Europe/Berlin]", "2024-03-05T14:30+02:00[!Europe/Berlin]", "2024-03-31T02:30[Europe/Berlin]",
    "2024-03-05T14:30[Mars/Olympus]", "2024-03-05T14:30+01:00[!u-ca=hebrew]",
]


def test_coerce_a_datetime_column_of_rfc_9557_stamps() -> None:
    out = coerce(pd.Series(DATETIMES, dtype="string"), "datetime")
    assert out.values.tolist()[:5] == [pd.Timestamp(BERLIN_MARCH)] * 2 + [pd.Timestamp("2024-03-05 14:30", tz="UTC"),
                                       pd.Timestamp(BERLIN_MARCH), pd.Timestamp("2024-07-05 12:30", tz="UTC")]
    assert out.values.isna().tolist() == [False] * 5 + [True] * 5
    assert out.failed.tolist() == [False] * 5 + [True] * 5
    assert [None if pd.isna(r) else r for r in out.reasons.tolist()] == [None] * 5 + [
        "zone_offset_mismatch", "zone_offset_mismatch", "zone_name_dst_gap", "zone_name_unknown", "critical_suffix_tag",
    ]
    assert dict(out.unread) == {"zone_offset_mismatch": 2, "zone_name_dst_gap": 1, "zone_name_unknown": 1, "critical_suffix_tag": 1}
    assert dict(out.interpreted) == {}


def _date_column(values: list[str]) -> tuple[list[tuple], list[str]]:
    frame = build_frame(["d"], [[v] for v in values], list(range(2, 2 + len(values))), "d/x.csv")[0]
    step = CoerceTypes({"d": "date"})
    out = step.apply(frame).kept
    rows = [tuple(None if pd.isna(v) else v for v in r) for r in out[["d", "d__raw", "d__reason"]].itertuples(index=False)]
    return rows, step.warnings()


STORED = "in a date column: the date written is stored, not its time or zone (a datetime column could not read it: {}) — the value is stored, its text kept in d__raw"
TIME_DROPPED_WARNING = (
    "d: {} value(s) holding a time of day, like 2024-03-05 14:30 or 2024-03-05 00:30 +01:00, in a date column: the date written is "
    "stored (in the offset written, never converted to UTC), the time is not (time_dropped); declare d a datetime to keep it — "
    "the value is stored, its text kept in d__raw"
)
ZONE_DROPPED_WARNING = (
    "d: 1 value(s) written as a date with an RFC 9557 time zone and no time, like 2024-03-05[Europe/Berlin], in a date column: "
    "the date written is stored, the zone is not (zone_dropped) — the value is stored, its text kept in d__raw"
)
# a date column's warning per cause of a value whose date is stored although a datetime column would not read it
CERTAIN = {
    "zone_name_dst_gap": "whose time the zone they name skips (a daylight-saving change), like 2024-03-31 02:30 Europe/Berlin",
    "zone_name_dst_fold": "whose time the zone they name repeats (a daylight-saving change), like 2024-10-27 02:30 Europe/Berlin",
    "zone_name_posix_sign": "whose time names an Etc/GMT zone, like 10:00 Etc/GMT+2, whose sign is POSIX's (UTC-02:00, the "
    "opposite of GMT+2)",
    "zone_offset_mismatch": "whose offset the RFC 9557 zone in brackets does not have then, like "
    "2024-03-05T14:30+02:00[Europe/Berlin] (Berlin is +01:00 in March)",
    "zone_name_unknown": "whose RFC 9557 zone in brackets the tz database does not hold, like 2024-03-05T14:30[Europe/Berln]",
}


@pytest.mark.parametrize(("written", "stored", "reason"), [
    # a date-time with a zone: the date written, in the offset or zone written (never the UTC date)
    ("2024-03-05T14:30[Europe/Berlin]", date(2024, 3, 5), "time_dropped"),
    ("2024-03-05T23:30+01:00[Europe/Berlin]", date(2024, 3, 5), "time_dropped"),  # the date written (UTC: 22:30, the same day)
    ("2024-03-05T00:30+01:00[Europe/Berlin]", date(2024, 3, 5), "time_dropped"),  # the date written, not the UTC one (03-04)
    ("2024-03-05T14:30:00Z[UTC]", date(2024, 3, 5), "time_dropped"),
    ("2024-03-05T14:30-02:00[Etc/GMT+2]", date(2024, 3, 5), "time_dropped"),
    ("2024-03-05T14:30+01:00[Europe/Berlin][u-ca=gregory]", date(2024, 3, 5), "time_dropped"),
    # Z with a zone (breaker8 #8): the UTC instant is known, the local zone is the bracket's (RFC 9557 §2): its date
    ("2024-03-05T23:30Z[Asia/Tokyo]", date(2024, 3, 6), "time_dropped"),  # 08:30 on 03-06 in Tokyo (was 03-05, UTC's)
    ("2024-03-05T23:30:00-00:00[Asia/Tokyo]", date(2024, 3, 6), "time_dropped"),  # -00:00 says what Z says
    ("2024-03-05T03:30Z[America/Los_Angeles]", date(2024, 3, 4), "time_dropped"),  # 19:30 on 03-04 in Los Angeles
    ("2024-03-05T23:30:00Z[Europe/Berlin]", date(2024, 3, 6), "time_dropped"),  # 00:30 in Berlin
    ("2024-03-05T14:30Z[asia/tokyo]", date(2024, 3, 5), "time_dropped"),  # 23:30 in Tokyo, the same day
    ("2024-03-05T20:00Z[+05:00]", date(2024, 3, 6), "time_dropped"),  # an offset zone: 01:00 on 03-06
    ("2024-03-05T01:00Z[Etc/GMT+2]", date(2024, 3, 4), "time_dropped"),  # the tz database's zone (-02:00): 23:00 on 03-04
    # an offset its zone does not have: the date written, both reasons (+00:00 is an offset, unlike Z: RFC 9557 §2)
    ("2024-03-05T23:30+00:00[Asia/Tokyo]", date(2024, 3, 5), "time_dropped; zone_offset_mismatch"),
    ("2024-03-05T23:30+02:00[Europe/Berlin]", date(2024, 3, 5), "time_dropped; zone_offset_mismatch"),
    ("2024-03-05T00:30+02:00[!Europe/Berlin]", date(2024, 3, 5), "time_dropped; zone_offset_mismatch"),
    # other zone problems (breaker7 #3): the date written, both reasons
    ("2024-03-31 02:30 Europe/Berlin", date(2024, 3, 31), "time_dropped; zone_name_dst_gap"),
    ("2024-10-27 02:30 Europe/Berlin", date(2024, 10, 27), "time_dropped; zone_name_dst_fold"),
    ("2024-03-05 14:30 Etc/GMT+2", date(2024, 3, 5), "time_dropped; zone_name_posix_sign"),
    ("2024-03-05 23:30 Etc/GMT-14", date(2024, 3, 5), "time_dropped; zone_name_posix_sign"),
    ("31/03/2024 02:30 Europe/Berlin", date(2024, 3, 31), "time_dropped; zone_name_dst_gap"),
    ("2024-03-31T02:30[Europe/Berlin]", date(2024, 3, 31), "time_dropped; zone_name_dst_gap"),
    ("2024-03-05T14:30[Mars/Olympus]", date(2024, 3, 5), "time_dropped; zone_name_unknown"),
    # a date and its zone, no time (breaker8 #7): the date, the zone kept in the text
    ("2024-03-05[Europe/Berlin]", date(2024, 3, 5), "zone_dropped"),
    ("2024-03-05[europe/berlin]", date(2024, 3, 5), "zone_dropped"),
    ("2024-03-05[!Europe/Berlin]", date(2024, 3, 5), "zone_dropped"),
    ("2024-03-05[Europe/Berlin][u-ca=hebrew]", date(2024, 3, 5), "zone_dropped"),  # an elective tag: ignored
    ("2024-03-05[Europe/Berlin][!u-ca=gregory]", date(2024, 3, 5), "zone_dropped"),
    ("2024-03-05[Pacific/Kiritimati]", date(2024, 3, 5), "zone_dropped"),  # the date written, whatever the zone's offset (+14)
    ("2024-09-08[America/Santiago]", date(2024, 9, 8), "zone_dropped"),  # its midnight skipped: the date all the same
    ("2024-03-05[+01:00]", date(2024, 3, 5), "zone_dropped"),
    ("2024-03-05[Mars/Olympus]", date(2024, 3, 5), "zone_dropped; zone_name_unknown"),  # the brackets say it is a zone
    ("2024-03-05[Etc/GMT+2]", date(2024, 3, 5), "zone_dropped; zone_name_posix_sign"),
    ("2011-12-30[Pacific/Apia]", date(2011, 12, 30), "zone_dropped; zone_name_dst_gap"),  # a day the zone skipped: as written
])
def test_a_date_column_stores_the_date_written(written: str, stored: date, reason: str) -> None:
    """breaker7 #3, #4, breaker8 #7, #8: the date stored, the text kept; a zone problem a datetime column would not read
    the value for is a second reason and a second warning (the date is certain all the same)."""
    rows, warnings = _date_column([written, "2024-03-06"])
    assert rows == [(stored, written, reason), (date(2024, 3, 6), None, None)]
    dropped, *cause = reason.split("; ")
    expected = [TIME_DROPPED_WARNING.format(1) if dropped == "time_dropped" else ZONE_DROPPED_WARNING]
    assert warnings == expected + [f"d: 1 value(s) {CERTAIN[c]}, {STORED.format(c)}" for c in cause]


@pytest.mark.parametrize(("written", "cause", "warning"), [
    # an unknown word after a space may be no zone at all: the value may be no single date-time, so it is not read
    ("2024-03-05 14:30 Mars/Olympus", "zone_name_unknown",
     "name a time zone the tz database does not hold, like 14:30 Europe/Berln (zone_name_unknown)"),
    ("2024-03-05 14:30 Europe/Berln", "zone_name_unknown",
     "name a time zone the tz database does not hold, like 14:30 Europe/Berln (zone_name_unknown)"),
    # RFC 9557 §3.3: a critical tag not processed forbids acting on the value at all
    ("2024-03-05T14:30+01:00[!u-ca=hebrew]", "critical_suffix_tag",
     "carry a critical RFC 9557 tag that is not processed, like [!u-ca=hebrew] or [!x-key=v]: RFC 9557 §3.3 forbids acting on "
     "such a value (critical_suffix_tag)"),
    ("2024-03-05[Europe/Berlin][!u-ca=hebrew]", "critical_suffix_tag",
     "carry a critical RFC 9557 tag that is not processed, like [!u-ca=hebrew] or [!x-key=v]: RFC 9557 §3.3 forbids acting on "
     "such a value (critical_suffix_tag)"),
    # Z with a zone the tz database does not hold: the date written is UTC's and the local one is not known (RFC 9557 §2)
    ("2024-03-05T23:30Z[Mars/Olympus]", "zone_name_unknown",
     "name a time zone the tz database does not hold, like 14:30 Europe/Berln (zone_name_unknown)"),
])
def test_a_date_column_does_not_read_a_value_whose_date_is_not_certain(written: str, cause: str, warning: str) -> None:
    rows, warnings = _date_column([written, "2024-03-06"])
    assert rows == [(None, written, cause), (date(2024, 3, 6), None, None)]
    assert warnings == [f"d: 1 value(s) {warning} — not read, kept in d__raw"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    config = tmp_path / "config"
    config.mkdir()
    (config / "t.yaml").write_text('files: ["t*.csv"]\nschema:\n  columns:\n    id: string\n    seen: datetime\n', encoding="utf-8")
    (config / "d.yaml").write_text('files: ["d*.csv"]\nschema:\n  columns:\n    id: string\n    day: date\n', encoding="utf-8")
    (config / "b.yaml").write_text(
        'files: ["b*.csv"]\nschema:\n  columns:\n    id: string\n    seen: datetime\n    day: date\n', encoding="utf-8"
    )
    return Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)


def _file(column: str, rows: list[str]) -> str:
    return f"id,{column}\n" + "".join(f"{i},{v}\n" for i, v in enumerate(rows, 1))


def test_declared_datetime_column_of_rfc_9557_stamps(settings: Settings) -> None:
    """breaker7 #4 (in/tz/a_decl.csv lines 21-22, with variants): read, or not read with their own reason, counted."""
    table, manifest = clean_landed(settings, DATE, "t_brackets.csv", _file("seen", DATETIMES))
    cols = table.to_pydict()
    july = datetime(2024, 7, 5, 12, 30, tzinfo=UTC)
    assert cols["seen"] == [BERLIN_MARCH, BERLIN_MARCH, datetime(2024, 3, 5, 14, 30, tzinfo=UTC), BERLIN_MARCH, july] + [None] * 5
    assert cols["seen__raw"] == [None] * 5 + DATETIMES[5:]
    assert cols["seen__reason"] == [None] * 5 + [
        "zone_offset_mismatch", "zone_offset_mismatch", "zone_name_dst_gap", "zone_name_unknown", "critical_suffix_tag",
    ]
    assert manifest["column_types"]["seen"] == "datetime"
    assert manifest["coercion_failures"] == {"seen": 5}
    assert manifest["clean_warnings"] == [
        "seen: 1 value(s) carry a critical RFC 9557 tag that is not processed, like [!u-ca=hebrew] or [!x-key=v]: RFC 9557 §3.3 "
        "forbids acting on such a value (critical_suffix_tag) — not read, kept in seen__raw",
        "seen: 1 value(s) are a local time that does not exist in the time zone they name (skipped by a daylight-saving change), "
        "like 2024-03-31 02:30 Europe/Berlin (zone_name_dst_gap) — not read, kept in seen__raw",
        "seen: 1 value(s) name a time zone the tz database does not hold, like 14:30 Europe/Berln (zone_name_unknown) — not read, "
        "kept in seen__raw",
        "seen: 2 value(s) write an offset the RFC 9557 zone in brackets does not have then, like "
        "2024-03-05T14:30+02:00[Europe/Berlin] (Berlin is +01:00 in March): which of the two is wrong is not guessed (RFC 9557 "
        "§3.4; zone_offset_mismatch) — not read, kept in seen__raw",
    ]


DATES = [
    "2024-03-31 02:30 Europe/Berlin", "2024-03-05 14:30 Etc/GMT+2", "2024-10-27 02:30 Europe/Berlin", "2024-03-05 14:30 Mars/Olympus",
    "2024-03-05T14:30+01:00[Europe/Berlin]", "2024-03-05T14:30+02:00[!Europe/Berlin]", "2024-03-05T14:30[Mars/Olympus]",
    "2024-03-05T14:30+01:00[!u-ca=hebrew]", "2024-03-06",
]


def test_declared_date_column_with_zone_problems(settings: Settings) -> None:
    """breaker7 #3 (in/dcol/a.csv lines 11-12, with variants): a certain date is stored and is no coercion failure."""
    table, manifest = clean_landed(settings, DATE, "d_zones.csv", _file("day", DATES))
    cols = table.to_pydict()
    d5 = date(2024, 3, 5)
    assert cols["day"] == [date(2024, 3, 31), d5, date(2024, 10, 27), None, d5, d5, d5, None, date(2024, 3, 6)]
    assert cols["day__raw"] == DATES[:8] + [None]
    assert cols["day__reason"] == [
        "time_dropped; zone_name_dst_gap", "time_dropped; zone_name_posix_sign", "time_dropped; zone_name_dst_fold",
        "zone_name_unknown", "time_dropped", "time_dropped; zone_offset_mismatch", "time_dropped; zone_name_unknown",
        "critical_suffix_tag", None,
    ]
    assert manifest["coercion_failures"] == {"day": 2}  # was 3 of the first 3 (and the brackets were text_after_date)
    stored = "in a date column: the date written is stored, not its time or zone (a datetime column could not read it: {}) — the value is stored, its text kept in day__raw"
    assert manifest["clean_warnings"] == [
        "day: 6 value(s) holding a time of day, like 2024-03-05 14:30 or 2024-03-05 00:30 +01:00, in a date column: the date "
        "written is stored (in the offset written, never converted to UTC), the time is not (time_dropped); declare day a "
        "datetime to keep it — the value is stored, its text kept in day__raw",
        "day: 1 value(s) whose time the zone they name repeats (a daylight-saving change), like 2024-10-27 02:30 Europe/Berlin, "
        + stored.format("zone_name_dst_fold"),
        "day: 1 value(s) whose time the zone they name skips (a daylight-saving change), like 2024-03-31 02:30 Europe/Berlin, "
        + stored.format("zone_name_dst_gap"),
        "day: 1 value(s) whose time names an Etc/GMT zone, like 10:00 Etc/GMT+2, whose sign is POSIX's (UTC-02:00, the opposite "
        "of GMT+2), " + stored.format("zone_name_posix_sign"),
        "day: 1 value(s) whose RFC 9557 zone in brackets the tz database does not hold, like 2024-03-05T14:30[Europe/Berln], "
        + stored.format("zone_name_unknown"),
        "day: 1 value(s) whose offset the RFC 9557 zone in brackets does not have then, like 2024-03-05T14:30+02:00[Europe/Berlin] "
        "(Berlin is +01:00 in March), " + stored.format("zone_offset_mismatch"),
        "day: 1 value(s) carry a critical RFC 9557 tag that is not processed, like [!u-ca=hebrew] or [!x-key=v]: RFC 9557 §3.3 "
        "forbids acting on such a value (critical_suffix_tag) — not read, kept in day__raw",
        "day: 1 value(s) name a time zone the tz database does not hold, like 14:30 Europe/Berln (zone_name_unknown) — not read, "
        "kept in day__raw",
    ]


def test_no_config_a_column_of_rfc_9557_stamps_is_a_datetime_column(settings: Settings) -> None:
    rows = ["2024-03-05T14:30+01:00[Europe/Berlin]", "2024-07-05T14:30+02:00[Europe/Berlin]", "2024-03-06T09:00:00Z[UTC]",
            "2024-03-07T09:00[Europe/Berlin][u-ca=gregory]", "2024-03-08T09:00:00.123456+01:00[Europe/Berlin]"]
    table, manifest = clean_landed(settings, DATE, "x_brackets.csv", _file("seen", rows))
    assert manifest["column_types"]["seen"] == "datetime"
    assert table.to_pydict()["seen"] == [BERLIN_MARCH, datetime(2024, 7, 5, 12, 30, tzinfo=UTC), datetime(2024, 3, 6, 9, 0, tzinfo=UTC),
                                         datetime(2024, 3, 7, 8, 0, tzinfo=UTC), datetime(2024, 3, 8, 8, 0, 0, 123456, tzinfo=UTC)]
    assert "seen__raw" not in table.column_names and manifest["clean_warnings"] == [] and manifest.get("coercion_failures", {}) == {}


def test_inferred_columns_of_rfc_9557_stamps() -> None:
    stamps = pd.Series(["2024-03-05T14:30+01:00[Europe/Berlin]", "2024-03-06T14:30[Europe/Berlin]", "2024-03-07T14:30:00Z[UTC]"])
    assert infer_type("seen", stamps) == "datetime"
    java = pd.Series(["2024-03-05T14:30:00.123456789+01:00[Europe/Berlin]", "2024-03-06T14:30:00.5+01:00[Europe/Berlin]"])
    assert infer_type("seen", java) == "datetime"  # 50 characters: the suffix is not counted in the length limit
    assert infer_type("seen", pd.Series(["2024-03-05T14:30:00 Europe/Berlin and some more words", "2024-03-06"])) == "string"
    dates = pd.Series(["2024-03-05[u-ca=gregory]", "2024-03-06[u-ca=gregory]"])
    assert infer_type("day", dates) == "date"
    formats = {"decimal": ".", "dayfirst": False}
    assert infer_types({"seen": stamps.astype("string"), "day": dates.astype("string")}, formats={"seen": formats, "day": formats}) == {
        "seen": "datetime", "day": "date",
    }
    # stamps not read: the column stays text, and says why
    reasons: dict[str, str] = {}
    mismatched = pd.Series(["2024-03-05T14:30+02:00[Europe/Berlin]", "2024-03-06T14:30+02:00[Europe/Berlin]"], dtype="string")
    assert infer_types({"seen": mismatched}, formats={"seen": formats}, reasons=reasons) == {"seen": "string"}
    assert reasons == {"seen": "date-times with a time zone name that is not read (an offset the RFC 9557 zone in brackets does "
                               "not have then)"}


def test_a_cause_both_read_and_not_read_in_one_column_says_each() -> None:
    """coerce's reasons took a cause that is both an assumption (values read by it) and a cause of values not read from
    one merged dict: neither kind said it. ``zone_abbreviation``: EST read by types.tz_abbreviations and PST (not mapped)
    not read had no reason; ``zone_name_unknown`` in a date column (brackets read, after a space not) needs both."""
    from headwater.config.types import TypeOptions

    values = pd.Series(["2025-03-01 10:00 EST", "2025-03-01 10:00 PST", "2025-07-01 10:00 EST", "2025-03-01 10:00 -05:00"], dtype="string")
    out = coerce(values, "datetime", TypeOptions(tz_abbreviations={"EST": "America/New_York"}))
    assert out.values.isna().tolist() == [False, True, True, False]
    assert [None if pd.isna(r) else r for r in out.reasons.tolist()] == [
        "zone_abbreviation", "zone_abbreviation", "zone_abbreviation_unused", None,
    ]
    days = coerce(pd.Series(["2024-03-05T14:30[Mars/Olympus]", "2024-03-05 14:30 Mars/Olympus"], dtype="string"), "date")
    assert days.values.isna().tolist() == [False, True]
    assert days.reasons.tolist() == ["time_dropped; zone_name_unknown", "zone_name_unknown"]
    assert (dict(days.interpreted), dict(days.unread)) == ({"time_dropped": 1, "zone_name_unknown": 1}, {"zone_name_unknown": 1})


DAYS = [
    "2024-03-05[Europe/Berlin]", "2024-03-05[europe/berlin]", "2024-03-05[!Europe/Berlin][u-ca=hebrew]", "2024-07-05[Europe/Berlin]",
    "2024-09-08[America/Santiago]", "2024-03-10[America/Havana]", "2024-11-03[America/Havana]", "2024-03-05[+05:30]",
    "2024-03-05[Mars/Olympus]", "2024-03-05[Etc/GMT+2]", "2024-03-05[Europe/Berlin][!u-ca=hebrew]", "2024-03-05T10:00Z",
]


def test_a_datetime_column_reads_a_date_and_its_zone_at_the_start_of_that_day() -> None:
    """breaker8 #7: ``2024-03-05[Europe/Berlin]`` (Temporal's ``ZonedDateTime.from`` reads it, start of day) was
    text_after_date; now the first instant of that day in that zone, its text kept with ``start_of_day`` (a time nobody
    wrote, as ``date_only`` says of a date without a zone). A day whose midnight a daylight-saving change skips starts at
    the end of the gap (01:00), one whose midnight is repeated at the first (Temporal's ``startOfDay``, Java's
    ``atStartOfDay``)."""
    out = coerce(pd.Series(DAYS, dtype="string"), "datetime")
    ts = [None if pd.isna(v) else v for v in out.values.tolist()]
    assert ts == [
        pd.Timestamp("2024-03-04 23:00", tz="UTC"), pd.Timestamp("2024-03-04 23:00", tz="UTC"), pd.Timestamp("2024-03-04 23:00", tz="UTC"),
        pd.Timestamp("2024-07-04 22:00", tz="UTC"),  # CEST
        pd.Timestamp("2024-09-08 04:00", tz="UTC"),  # Santiago: 00:00 -04 skipped to 01:00 -03
        pd.Timestamp("2024-03-10 05:00", tz="UTC"),  # Havana: 00:00 CST skipped to 01:00 CDT
        pd.Timestamp("2024-11-03 04:00", tz="UTC"),  # Havana: 00:00 twice (01:00 CDT back to 00:00 CST): the first
        pd.Timestamp("2024-03-04 18:30", tz="UTC"), None, None, None, pd.Timestamp("2024-03-05 10:00", tz="UTC"),
    ]
    assert [None if pd.isna(r) else r for r in out.reasons.tolist()] == ["start_of_day"] * 8 + [
        "zone_name_unknown", "zone_name_posix_sign", "critical_suffix_tag", None,
    ]
    assert out.failed.tolist() == [False] * 8 + [True] * 3 + [False]
    assert out.inexact.tolist() == [True] * 8 + [False] * 4  # the text kept
    assert dict(out.interpreted) == {"start_of_day": 8}
    assert dict(out.unread) == {"zone_name_unknown": 1, "zone_name_posix_sign": 1, "critical_suffix_tag": 1}


def test_a_date_and_its_zone_in_a_date_column_is_no_time_dropped() -> None:
    out = coerce(pd.Series(DAYS, dtype="string"), "date")
    assert [None if pd.isna(v) else v for v in out.values.tolist()] == [
        date(2024, 3, 5), date(2024, 3, 5), date(2024, 3, 5), date(2024, 7, 5), date(2024, 9, 8), date(2024, 3, 10),
        date(2024, 11, 3), date(2024, 3, 5), date(2024, 3, 5), date(2024, 3, 5), None, date(2024, 3, 5),
    ]
    assert [None if pd.isna(r) else r for r in out.reasons.tolist()] == ["zone_dropped"] * 8 + [
        "zone_dropped; zone_name_unknown", "zone_dropped; zone_name_posix_sign", "critical_suffix_tag", "time_dropped",
    ]
    assert dict(out.interpreted) == {"time_dropped": 1, "zone_dropped": 10, "zone_name_unknown": 1, "zone_name_posix_sign": 1}
    assert dict(out.unread) == {"critical_suffix_tag": 1}


def test_breaker8_date_only_stamp_and_z_with_a_zone(settings: Settings) -> None:
    """breaker8 #7 and #8 (in/tz/a.csv rows 4, 5, 18 with variants), through ingest and clean: a datetime column and a date
    column side by side. Before: row 18 was NaT/<NA> with text_after_date in both; row 4's day 2024-03-05 (UTC's date)."""
    rows = [
        "2024-03-05T23:30Z[Asia/Tokyo]", "2024-03-05T23:30+00:00[Asia/Tokyo]", "2024-03-05[Europe/Berlin]",
        "2024-03-05T03:30Z[America/Los_Angeles]", "2024-09-08[America/Santiago]", "2024-03-05[Mars/Olympus]",
        "2024-03-05T23:30Z[Mars/Olympus]",
    ]
    text = "id,seen,day\n" + "".join(f"{i},{v},{v}\n" for i, v in enumerate(rows, 1))
    table, manifest = clean_landed(settings, DATE, "b_tz.csv", text)
    cols = table.to_pydict()
    assert cols["seen"] == [
        datetime(2024, 3, 5, 23, 30, tzinfo=UTC), None, datetime(2024, 3, 4, 23, 0, tzinfo=UTC), datetime(2024, 3, 5, 3, 30, tzinfo=UTC),
        datetime(2024, 9, 8, 4, 0, tzinfo=UTC), None, None,
    ]
    assert cols["seen__raw"] == [None, rows[1], rows[2], None, rows[4], rows[5], rows[6]]
    assert cols["seen__reason"] == [
        None, "zone_offset_mismatch", "start_of_day", None, "start_of_day", "zone_name_unknown", "zone_name_unknown",
    ]
    assert cols["day"] == [date(2024, 3, 6), date(2024, 3, 5), date(2024, 3, 5), date(2024, 3, 4), date(2024, 9, 8), date(2024, 3, 5), None]
    assert cols["day__raw"] == rows
    assert cols["day__reason"] == [
        "time_dropped", "time_dropped; zone_offset_mismatch", "zone_dropped", "time_dropped", "zone_dropped",
        "zone_dropped; zone_name_unknown", "zone_name_unknown",
    ]
    assert manifest["coercion_failures"] == {"seen": 3, "day": 1}
    warnings = [w for w in manifest["clean_warnings"] if "start_of_day" in w or "zone_dropped" in w]
    assert warnings == [
        "seen: 2 value(s) written as a date with an RFC 9557 time zone and no time, like 2024-03-05[Europe/Berlin], among "
        "date-times: stored at the first instant of that day in that zone (its midnight, or the end of a daylight-saving gap "
        "at midnight, as JavaScript's Temporal and Java read it), a time not written (start_of_day) — the value is stored, its "
        "text kept in seen__raw",
        "day: 3 value(s) written as a date with an RFC 9557 time zone and no time, like 2024-03-05[Europe/Berlin], in a date "
        "column: the date written is stored, the zone is not (zone_dropped) — the value is stored, its text kept in day__raw",
    ]


def test_inferred_column_of_dates_and_their_zones_is_a_date_column() -> None:
    """A date and its zone writes no time: undeclared, such a column is a date column (its dates stored, zone_dropped)."""
    days = pd.Series(["2024-03-05[Europe/Berlin]", "2024-03-06[Europe/Berlin]", "2024-03-07[Europe/Berlin]"])
    assert infer_type("day", days) == "date"
    assert infer_type("seen", pd.Series(["2024-03-05[Europe/Berlin]", "2024-03-06T10:00[Europe/Berlin]"])) == "datetime"
