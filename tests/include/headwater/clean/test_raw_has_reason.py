"""Every value whose text is kept in ``<col>__raw`` says why in ``<col>__reason`` (the product's first promise: a value
lands exactly as written, or with its original kept AND a reason). Before, values read by an assumption (``03/04/2025``
read month first, ``03.04.2025`` day first, ``2,125`` under a provisional decimal mark) or stored otherwise than written
(``9007199254740993`` as the nearest double, nanoseconds cut to microseconds) kept their text with no reason."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest

from headwater.clean.frame import build_frame
from headwater.clean.steps.coerce_types import CoerceTypes
from landed_files import clean_landed, settings_without_sources

# a first value, the kind, whether declared, and the values around it
CASES = [
    ("9007199254740993", "number", True, ["1", "2"], 9007199254740992.0, "nearest_float64"),
    ("12345678901234567890", "number", True, ["1", "2"], 1.2345678901234567e19, "nearest_float64"),
    ("2,125", "number", True, ["1", "2"], 2125.0, "ambiguous_decimal_mark"),
    ("2,125", "number", False, ["1", "2"], 2125, "ambiguous_decimal_mark"),
    ("1,234", "integer", True, ["1", "2"], 1234, "ambiguous_decimal_mark"),
    ("03/04/2025", "date", True, ["2025-01-05", "2025-01-06"], "2025-03-04", "day_order"),
    ("03/04/2025", "date", False, ["2025-01-05", "2025-01-06"], "2025-03-04", "day_order"),
    ("03.04.2025", "date", True, ["2025-01-05", "2025-01-06"], "2025-04-03", "dotted_day_order"),
    ("03/04/2025 10:00", "datetime", True, ["2025-01-05T10:00:00Z"], "2025-03-04T10:00:00", "day_order"),
    ("2025-01-02T10:00:00.123456789Z", "datetime", True, ["2025-01-05T10:00:00Z"], "2025-01-02T10:00:00.123456+00:00", "sub_microsecond_digits"),
    ("2025-01-02 10:00:00.1234567", "datetime", False, ["2025-01-05 10:00:00"], "2025-01-02T10:00:00.123456", "sub_microsecond_digits"),
]


def _first(written: str, kind: str, declared: bool, around: list[str]) -> tuple[object, object, object]:
    values = [written, *around]
    frame = build_frame(["c"], [[v] for v in values], list(range(2, 2 + len(values))), "d/x.csv")[0]
    out = CoerceTypes({"c": kind} if declared else {}).apply(frame).kept
    value = out["c"].iloc[0]
    value = value.isoformat() if hasattr(value, "isoformat") else value
    return value, out["c__raw"].iloc[0], out["c__reason"].iloc[0]


@pytest.mark.parametrize(("written", "kind", "declared", "around", "stored", "reason"), CASES)
def test_a_value_kept_raw_says_why(written: str, kind: str, declared: bool, around: list[str], stored: object, reason: str) -> None:
    assert _first(written, kind, declared, around) == (stored, written, reason)


SPELLINGS = {
    "number": ["1,234.50", "1.10", "0.1000", "12345678901234567890", "9007199254740993", "1.5e300", "$5.00", "€5", "12%",
               "(12)", "−12", "12-", "١٢٫٥", "１２", "02134", "+12", "0x1F", "1/3", "2,125", "1 234,5", "-0", "100.00 CR", "<0.01"],
    "integer": ["1,234", "12345678901234567890", "9007199254740993", "007", "1e3", "+12", "12.0", "(12)", "٣", "1 000", "2,125"],
    "date": ["03/04/2025", "03.04.2025", "Jan 3 2025", "01/02/50", "2025-01-02T10:00", "Mon 2025-01-06", "1400-01-01",
             "29/02/2025", "2025-13-01", "٢٠٢٥-٠٣-٠٤"],
    "datetime": ["2025-01-02T10:00:00+02:00", "2025-01-02 10:00", "2025-01-02T10:00:00.123456789Z", "2025-01-02", "1735812000",
                 "03/04/2025 10:00", "2025-01-02 10:00 EST", "2025-01-02 24:00", "2025-06-30 23:59:60"],
    "boolean": ["yes", "Y", "TRUE", "t", "1", "Ja", "oui", "x"],
}
AROUND = {"number": ["1", "2"], "integer": ["1", "2"], "date": ["2025-01-05"], "datetime": ["2025-01-05T10:00:00Z"], "boolean": ["yes", "no"]}


@pytest.mark.parametrize("kind", sorted(SPELLINGS))
@pytest.mark.parametrize("declared", [True, False])
def test_no_value_keeps_its_text_without_a_reason(kind: str, declared: bool) -> None:
    silent = []
    for written in SPELLINGS[kind]:
        values = [written, *AROUND[kind]]
        frame = build_frame(["c"], [[v] for v in values], list(range(2, 2 + len(values))), "d/x.csv")[0]
        out = CoerceTypes({"c": kind} if declared else {}).apply(frame).kept
        if "c__raw" in out.columns:
            reason = out["c__reason"] if "c__reason" in out.columns else pd.Series(None, index=out.index)
            silent += [(written, r) for r, why in zip(out["c__raw"], reason) if pd.notna(r) and pd.isna(why)]
    assert silent == []


def test_a_whole_file_keeps_no_text_without_a_reason_and_counts_only_numbers_as_inexact() -> None:
    text = (
        "amt,big,d,dt,note\n"
        "\"2,125\",9007199254740993,03/04/2025,2025-01-02T10:00:00.123456789Z,café\u200b\n"
        "\"3,500\",1,05/06/2025,2025-01-02T10:00:00Z,a  b\n"
        "12,2.5,07/08/2025,2025-01-02T11:00:00Z,ok\n"
    )
    table, manifest = clean_landed(settings_without_sources(Path(tempfile.mkdtemp())), "2026-11-20", "x.csv", text)
    rows = table.to_pylist()
    kept = sorted((c[:-5], r[c], r.get(c[:-5] + "__reason")) for r in rows for c in r if c.endswith("__raw") and r[c] is not None)
    assert kept == [
        ("amt", "2,125", "ambiguous_decimal_mark"), ("amt", "3,500", "ambiguous_decimal_mark"),
        ("big", "9007199254740993", "nearest_float64"),
        ("d", "03/04/2025", "day_order"), ("d", "05/06/2025", "day_order"), ("d", "07/08/2025", "day_order"),
        ("dt", "2025-01-02T10:00:00.123456789Z", "sub_microsecond_digits"),
        ("note", "a  b", "normalized: whitespace"), ("note", "café\u200b", "normalized: invisible_characters"),
    ]
    assert manifest["inexact_numbers"] == {"big": 1}
