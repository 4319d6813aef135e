"""CoerceTypes on a wide file: every column's type, value, ``__raw`` text and reason is the one it gets decided alone.

The step decides and coerces all columns in one pass (headwater.clean.values.infer_types, votes_by_column,
unit_marked, coerce_columns); these tests compare it with the column-by-column path (infer_type,
decimal_votes/dayfirst_votes, coerce, for each column) and with each column cleaned in a frame of its own.
"""

from __future__ import annotations

import random
from collections import Counter

import pandas as pd
import pytest

import headwater.clean.steps.coerce_types as coerce_types
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.clean.values import dayfirst_votes, decimal_votes, infer_type
from headwater.config.types import TypeOptions
from wide_files import assert_same, each_column_alone, edge_frame
from wide_files import frame as _frame

# Columns that take every branch of inference and coercion: (name, values of rows 1..4).
EDGE = [
    ("count", ["1", "2", "3", None]),
    ("ratio", ["0.5", "1.25", "2", "x"]),
    ("measure", ["1", "2", "3.5", "4"]),
    ("tenths", ["1.0", "2.0", "3.0", "4.0"]),
    ("zip", ["01234", "02345", "03456", "04567"]),
    ("active", ["yes", "no", "YES", None]),
    ("power", ["on", "off", "on", "on"]),
    ("price", ["$5", "$6.50", "$7", "$8"]),
    ("mixed_units", ["$5", "€6", "5", "7"]),
    ("amount", ["$5", "€6", "$7", "$8"]),
    ("part", ["1e5", "2", "3", "4"]),
    ("phone", ["+1415", "+1416", "+1417", "+1418"]),
    ("ratio2", ["1.10", "1.2", "1.3", "1.4"]),
    ("release", ["1.2", "1.3", "1.4", "1.5"]),
    ("day", ["2026-01-05", "2026-02-01", "2026-03-01", ""]),
    ("moment", ["2026-01-05 10:00", "2026-02-01 11:00", "2026-02-01", "2026-02-03 12:00"]),
    ("stamp", ["2025-03-01T10:00Z", "2025-03-01T10:00+02:00", "2025-03-02T10:00Z", "2025-03-01 10:00"]),
    ("eu_day", ["13/04/2025", "01/02/2025", "03/04/2025", "05/06/2025"]),
    ("us_day", ["03/04/2025", "01/02/50", "05/06/2025", "07/08/2025"]),
    ("big", ["99999999999999999999", "1", "2", "3"]),
    ("exact", ["4611686018427387905", "-9223372036854775808", "7", "8"]),
    ("inexact", ["0.12345678901234567890", "1.5", "2.5", "3.5"]),
    ("accounting", ["-5", "(4)", "6", "7"]),
    ("words", ["alpha", "beta gamma", "NA", ""]),
    ("east", ["2025-03-01 10:00 EST", "2025-03-02 11:00 EST", "2025-03-03 12:00 EST", None]),
    ("decimals", ["2,125", "1,5", "3,25", "4,75"]),
    ("thousands", ["1,234", "2,345", "3,456", "4,567"]),
    ("arabic", ["١٢٣", "٤", "٥", "٦"]),
    ("spaced", [" 5", "5 ", "6", "7"]),
    ("percent", ["12%", "15%", "20%", "1%"]),
    ("share", ["12%", "15", "20", "1"]),
    ("customer_id", ["1", "2", "3", "4"]),
    ("empty", [None, None, None, None]),
    ("blank", ["", "", "", ""]),
    ("long", ["x" * 50, "y", "z", "w"]),
    ("few", ["1", "a", "b", "c"]),
    ("weekday", ["Tuesday, March 3, 2025", "Monday, March 3, 2025", "March 4 2025", "Wed, March 5, 2025"]),
    ("worded", ["March 12 2024", "Apr 1 2023", "May 2 2022", "Jun 3 2021"]),
]


def _wide(columns: int, seed: int) -> tuple[list[str], list[list[str | None]]]:
    """The EDGE columns, then ``columns`` generated ones drawn from a pool of spellings, 6 rows."""
    rng = random.Random(seed)
    pool = ["1", "2.5", "0,5", "1,234", "abc", "", "NA", "2026-01-03", "03/04/2025", "13/04/2025", "yes", "no", "007",
            "+3", "1e3", "(4)", "€5", "5%", "1.10", "1.2", " 7 ", "٣", "true", "12:00", "2026-01-05 10:00", "99999999999999999999"]
    header = [name for name, _ in EDGE] + [f"c{i}" for i in range(columns)]
    kinds = [rng.choice(["int", "float", "word", "date", "mixed"]) for _ in range(columns)]
    rows = []
    for r in range(6):
        row: list[str | None] = [values[r % 4] for _, values in EDGE]
        for kind in kinds:
            row.append(str(rng.randint(0, 999)) if kind == "int" else f"{rng.random():.3f}" if kind == "float"
                       else rng.choice(["alpha", "NA", "", None]) if kind == "word" else f"2026-01-{rng.randint(1, 28):02d}"
                       if kind == "date" else rng.choice(pool))
        rows.append(row)
    return header, rows


def _one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the step decide and coerce column by column, as it did before the columns-at-once functions."""
    def infer_types(named, options=None, formats=None, reasons=None):  # type: ignore[no-untyped-def]
        return {name: infer_type(name, series, options, (formats or {}).get(name), reasons) for name, series in named.items()}

    def votes_by_column(columns, decimal, dayfirst):  # type: ignore[no-untyped-def]
        distinct = [c.dropna().astype("string").str.strip().drop_duplicates() for c in columns]
        return ([decimal_votes(v) if on else Counter() for v, on in zip(distinct, decimal)],
                [dayfirst_votes(v) if on else Counter() for v, on in zip(distinct, dayfirst)])

    monkeypatch.setattr(coerce_types, "infer_types", infer_types)
    monkeypatch.setattr(coerce_types, "votes_by_column", votes_by_column)
    monkeypatch.setattr(coerce_types, "unit_marked", lambda columns: pd.Series(True, index=range(len(columns))).to_numpy())
    monkeypatch.setattr(coerce_types, "coerce_columns", lambda *args, **kwargs: None)


def _run(step: CoerceTypes, header: list[str], rows: list[list[str | None]]) -> list:
    """Two batches (the second continues the first's decisions): kept frames, quarantined frames, and the step's record."""
    outputs = [step.apply(_frame(header, rows[:4])), step.apply(_frame(header, rows[4:], first_line=6))]
    record = (step.decided, step.kept_as_text, step.units, step.file_formats, step.formats, step.zones, dict(step.tally),
              step.warnings())
    return [o.kept for o in outputs] + [o.quarantined for o in outputs] + [record]


@pytest.mark.parametrize("options", [TypeOptions(), TypeOptions(on_error="quarantine"), TypeOptions(infer_min_share=0.5),
                                     TypeOptions(tz_abbreviations={"EST": "America/New_York"}, timezone="UTC")])
def test_a_wide_file_is_typed_exactly_as_column_by_column(monkeypatch: pytest.MonkeyPatch, options: TypeOptions) -> None:
    header, rows = _wide(100, seed=3)
    wide = _run(CoerceTypes(options=options, delimiter=","), header, rows)
    _one_by_one(monkeypatch)
    alone = _run(CoerceTypes(options=options, delimiter=","), header, rows)
    assert_same(wide, alone)
    assert list(wide[4][1]) == list(alone[4][1])  # kept_as_text: same columns, same order


def test_a_wide_file_with_declared_types_and_overrides_matches_column_by_column(monkeypatch: pytest.MonkeyPatch) -> None:
    header, rows = _wide(40, seed=5)
    declared = {"count": "integer", "day": "date", "moment": "datetime", "c1": "number", "c2": "date", "c3": "boolean"}
    make = lambda: CoerceTypes(declared, identifiers={"c4"}, formats={"c5": {"decimal": ","}, "c6": {"dayfirst": True}}, delimiter=";")  # noqa: E731
    wide = _run(make(), header, rows)
    _one_by_one(monkeypatch)
    alone = _run(make(), header, rows)
    assert_same(wide, alone)


def test_each_column_of_a_wide_file_is_what_it_is_in_a_file_of_its_own() -> None:
    # the decimal mark and day order fixed by the source: nothing a column gets depends on the other columns
    options = TypeOptions(decimal=".", dayfirst=True)
    header, rows = _wide(120, seed=11)
    for name, step, wide_step in each_column_alone(lambda: CoerceTypes(options=options), header, rows):
        assert step.decided[name] == wide_step.decided[name], name
        assert wide_step.kept_as_text.get(name) == step.kept_as_text.get(name), name
        assert step.units.get(name) == wide_step.units.get(name), name


def test_the_edge_columns_get_these_types() -> None:
    # what the comparisons above rest on: the wide path takes each branch (exact expected types and reasons); with the
    # decimal mark "." and month first, 2,125 and 13/04/2025 are no numbers or dates, and ratio has 3 numbers of 4 (< 90 %)
    step = CoerceTypes(options=TypeOptions(decimal=".", dayfirst=False))
    step.apply(edge_frame(EDGE))
    assert step.decided == {
        "count": "integer", "ratio": "string", "measure": "number", "tenths": "number", "zip": "string", "active": "boolean", "power": "boolean", "price": "number",
        "mixed_units": "string", "amount": "string", "part": "string", "phone": "string", "ratio2": "string",
        "release": "string", "day": "date", "moment": "datetime", "stamp": "datetime", "eu_day": "string", "us_day": "date",
        "big": "string", "exact": "integer", "inexact": "number", "accounting": "integer", "words": "string", "east": "string",
        "decimals": "string", "thousands": "integer", "arabic": "string", "spaced": "integer", "percent": "number",
        "share": "string", "customer_id": "string", "empty": "string", "blank": "string", "long": "string", "few": "string",
        "weekday": "date", "worded": "date",
    }
    assert step.kept_as_text == {
        "mixed_units": "differing units", "amount": "differing units", "part": "exponent notation", "phone": "a leading +",
        "ratio2": "version numbers", "release": "version numbers",
        "east": "date-times with a time zone abbreviation (like EST or CET), which is ambiguous (IST, CST)",
        "arabic": "digits of another script", "share": "differing units",
    }
    assert step.units == {"price": "$", "percent": "%"}
