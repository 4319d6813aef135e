"""values' vectorized readings of plain ASCII numbers and dates (issue 15, spcoerce16): every answer equals the
per-value code they skip.

What changed, none of it a decision:

* ``votes_by_column`` votes two-mark numbers (``4,178.86``, ``1.234.567``: ``_grouped_votes``) and plain numeric dates
  (``08/03/2020``, ``2025-08-21``: ``_plain_day_votes``) with Arrow kernels instead of ``decimal_vote``/``dayfirst_vote``
  per value;
* ``date_assumptions`` matches its two patterns in RE2 for ASCII values without a line break (``_plain_ascii``), Python's
  ``re`` for the rest;
* ``zoned_datetimes`` reads day-month-year dates in ASCII (``_numeric_days``) with NumPy instead of ``parse_date``;
* ``written_times`` skips ``_has_time`` for a numeric date alone in ASCII; ``zone_dates`` and ``zone_abbreviations`` run
  Python's ``re`` only on the values an RE2 prefilter finds (``_contains_where``: a ``[``, two capitals in a row).

The code as it was is below (``_old_*``, copied from main at babbd89); each test runs both on invented values (every
separator, both orders, two- and four-digit years, impossible days, other scripts' digits, line breaks and the
whitespace RE2 and Python's ``re`` disagree on, huge numbers, signs, currencies, empty, missing, 0 and 1 values).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timezone

import numpy as np
import pandas as pd
import pytest

import headwater.clean.steps.coerce_types as coerce_types
import headwater.clean.values as values
from headwater.clean.frame import build_frame
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.config.types import TypeOptions

# ------------------------------------------------------------------ the code as it was (main, babbd89)


def _old_votes_by_column(columns, decimal, dayfirst):  # type: ignore[no-untyped-def]
    n = len(columns)
    on = [k for k in range(n) if decimal[k] or dayfirst[k]]
    vals, codes = values._distinct_stripped([columns[k] for k in on])
    codes = np.asarray(on, dtype=np.int64)[codes] if len(on) else codes
    sample = values._first_per_code(codes, values.VOTE_SAMPLE)
    point, comma = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    voting = sample & np.asarray(decimal, dtype=bool)[codes] if n else sample
    if voting.any():
        s, c = vals[voting].reset_index(drop=True), codes[voting]
        marked = s.str.contains(r"\d[.,]|[.,]\d", regex=True).fillna(False).to_numpy(dtype=bool)
        s, c = s[marked].reset_index(drop=True), c[marked]
        parts = s.str.extract(values._ONE_MARK.pattern)
        simple = parts[1].notna().to_numpy(dtype=bool)
        group = (parts[0].str.fullmatch(r"[1-9]\d{0,2}") & (parts[2].str.len() == 3)).fillna(False).to_numpy(dtype=bool)
        mark = parts[1].fillna("").to_numpy(dtype=object)
        counted = simple & ~group
        point += np.bincount(c[counted & (mark == ".")], minlength=n)
        comma += np.bincount(c[counted & (mark == ",")], minlength=n)
        for k, v in zip(c[~simple].tolist(), s[~simple].tolist()):
            vote = values.decimal_vote(v)
            if vote == ".":
                point[k] += 1
            elif vote == ",":
                comma[k] += 1
    day, month = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    voting = sample & np.asarray(dayfirst, dtype=bool)[codes] if n else sample
    if voting.any():
        s, c = vals[voting], codes[voting]
        dated = (s.str.contains("/", regex=False) | s.str.contains("-", regex=False)).fillna(False).to_numpy(dtype=bool)
        for k, v in zip(c[dated].tolist(), s[dated].tolist()):
            vote = values.dayfirst_vote(v)
            if vote is True:
                day[k] += 1
            elif vote is False:
                month[k] += 1
    decimals = [Counter({".": int(point[k]), ",": int(comma[k])}) if decimal[k] else Counter() for k in range(n)]
    days = [+Counter({True: int(day[k]), False: int(month[k])}) if dayfirst[k] else Counter() for k in range(n)]
    return decimals, days


def _old_date_assumptions(vals, dayfirst_provisional, dayfirst=True):  # type: ignore[no-untyped-def]
    s = vals.str.strip()
    late = s.str.contains(r"\s\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$", regex=True).fillna(False).to_numpy(dtype=bool)
    if late.any():
        s = s.copy()
        s[late] = [values._date_first(v) for v in s[late].tolist()]
    parts = s.str.extract(values._NUMERIC_DATE.pattern)
    numeric = parts[0].notna().to_numpy(dtype=bool) & (parts[0].str.len() != 4).fillna(False).to_numpy(dtype=bool)
    two_digit = numeric & (parts[3].str.len() == 2).fillna(False).to_numpy(dtype=bool)
    first = pd.to_numeric(parts[0], errors="coerce").to_numpy()
    second = pd.to_numeric(parts[2], errors="coerce").to_numpy()
    with np.errstate(invalid="ignore"):
        both_months = numeric & (first <= 12) & (second <= 12) & (first != second)
    dotted = (parts[1] == ".").fillna(False).to_numpy(dtype=bool)
    return {
        "two_digit_year": two_digit,
        "day_order": both_months & dayfirst_provisional & ~dotted,
        "dotted_day_order": both_months & (dayfirst_provisional or not dayfirst) & dotted,
    }


def _old_zoned_datetimes(vals, dayfirst):  # type: ignore[no-untyped-def]
    s = vals.str.strip()
    iso = s.str.fullmatch(values._ISO_DATE).fillna(False).to_numpy(dtype=bool)
    basic = s.str.fullmatch(r"\d{8}").fillna(False).to_numpy(dtype=bool)
    out = pd.Series(pd.NaT, index=s.index, dtype=values.DATETIME_DTYPE)
    zoned = np.zeros(len(s), dtype=bool)
    if iso.any():
        out[iso] = pd.to_datetime(s[iso], format="ISO8601", errors="coerce", utc=True).astype(values.DATETIME_DTYPE)
        zoned[iso] = s[iso].str.contains(values._ISO_ZONE.pattern, regex=True).fillna(False).to_numpy(dtype=bool)
    if basic.any():
        out[basic] = pd.to_datetime(s[basic], format="%Y%m%d", errors="coerce", utc=True).astype(values.DATETIME_DTYPE)
    rest = np.flatnonzero((~(iso | basic) | out.isna().to_numpy()) & s.notna().to_numpy())
    if len(rest):
        parsed = [values.parse_date(v, dayfirst) for v in s.iloc[rest]]
        zoned[rest] = [d is not None and d.tzinfo is not None for d in parsed]
        as_utc = [d if d is None or d.tzinfo else d.replace(tzinfo=timezone.utc) for d in parsed]
        out.iloc[rest] = pd.Series(as_utc, dtype=object).astype(values.DATETIME_DTYPE).to_numpy()
    return out, zoned & out.notna().to_numpy()


def _old_written_times(vals):  # type: ignore[no-untyped-def]
    s = vals.str.strip()
    out = s.str.contains(r"^\d{4}-\d{2}-\d{2}[T ]\d|^\d{8}T\d", regex=True).fillna(False).to_numpy(dtype=bool)
    plain = s.str.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{8}").fillna(False).to_numpy(dtype=bool) | s.isna().to_numpy()
    other = np.flatnonzero(~out & ~plain)
    out[other] = [values._has_time(v) for v in s.iloc[other].tolist()]
    return out


def _old_zone_abbreviations(vals):  # type: ignore[no-untyped-def]
    return vals.str.strip().str.contains(values._ZONE_ABBREVIATION.pattern, regex=True).fillna(False).to_numpy(dtype=bool)


def _old_zone_dates(vals, dayfirst):  # type: ignore[no-untyped-def]
    out = np.zeros(len(vals), dtype=bool)
    near = vals.str.contains(r"\d\s*\[", regex=True).fillna(False).to_numpy(dtype=bool)
    for i in np.flatnonzero(near):
        v = str(vals.iloc[i]).strip()
        m = values._IXDTF.match(v)
        if not m or values._ixdtf(v, dayfirst) is None or values._IXDTF_TAG.fullmatch(
                values._IXDTF_SUFFIX.match(m.group("suffix")).group("body")):
            continue
        written = values.parse_date(m.group("stamp").strip(), dayfirst, local=True)
        out[i] = written is not None and written.tzinfo is None and not values._has_time(m.group("stamp"))
    return out


# ------------------------------------------------------------------ invented values

# whitespace Python's \s holds and RE2's \s lacks (\v, \x1c-\x1f), a line break (Python's $ before it), no-break space
SPACES = [" ", "  ", "\t", "\v", "\x1c", "\x1f", "\u00a0", "\u3000", ", ", ",\v"]
DIGITS = ["0", "1", "2", "9", "١", "٣", "０", "৩"]  # ASCII, Arabic-Indic, full-width, Bengali


def _dates(rng: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        a, b = rng.choice([rng.randint(0, 40), rng.randint(1, 12)]), rng.choice([rng.randint(0, 40), rng.randint(1, 12)])
        year = rng.choice(["2024", "2023", "1999", "0000", "0001", "9999", "24", "69", "70", "5", "123", "20245"])
        first = rng.choice([str(a), f"{a:02d}", year if len(year) == 4 else str(a), str(a) * 3])
        sep, sep2 = rng.choice("./-"), rng.choice("./-" if rng.random() < 0.1 else "x")
        text = f"{first}{sep}{b if rng.random() < 0.5 else f'{b:02d}'}{sep if sep2 == 'x' else sep2}{year}"
        roll = rng.random()
        if roll < 0.1:
            text = text + rng.choice(SPACES) + rng.choice(["14:30", "2pm", "10:00 +02:00", "x", "14:30Z"])
        elif roll < 0.15:
            text = text + "T" + rng.choice(["10:00", "", "1"])
        elif roll < 0.25:
            text = rng.choice(["14:30", "Tue", "Tuesday,", "x", "2pm"]) + rng.choice(SPACES) + text
        elif roll < 0.3:
            text = "".join(rng.choice(DIGITS) if ch.isdigit() and rng.random() < 0.3 else ch for ch in text)
        elif roll < 0.33:
            text = text + "\n" if rng.random() < 0.5 else text.replace(sep, "\n", 1)
        elif roll < 0.45:
            text = rng.choice(["2024-03-05[Europe/Berlin]", "2024-03-05 [Europe/Berlin]", "2024-03-05\v[Asia/Tokyo]",
                               "2024-03-05T10:00[Europe/Berlin]", "2024-03-05[u-ca=gregory]", "05/03/2024[Europe/Paris]", "[x]",
                               "2024-03-05 10:00 EST", "10:00 (IST)", "2024-03-05 10:00 UTC", "10:00 PM", "5 Mar 2024 2pm",
                               "2024-03-05 10:00 Cet", "2024-03-05 10:00 ÉST", "10:00 ESTX", "1 EST ", "ABC", "10:00 Z"])
        elif roll < 0.5:
            text = rng.choice(["", " ", "2024-03-05", "20240305", "2024-02-30", "March 5, 2024", "5 Mar 2024", "N/A", "é/1/2024"])
        out.append(rng.choice(["", " "]) + text + rng.choice(["", " ", "\t"]))
    return out


def _numbers(rng: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        mark, other = rng.choice([(".", ","), (",", ".")])
        lead = rng.choice(["1", "12", "123", "0", "01", "1234", "9"])
        groups = "".join(other + rng.choice(["000", "234", "56", "5678"]) for _ in range(rng.choice([0, 1, 2, 3])))
        frac = rng.choice(["", mark + "5", mark + "86", mark + "125", mark, other + "5"])
        text = lead + groups + frac
        roll = rng.random()
        if roll < 0.1:
            text = rng.choice(["-", "+", "$", "-$", "(", "+-"]) + text + rng.choice(["", ")", "%", " EUR"])
        elif roll < 0.15:
            text = "".join(rng.choice(DIGITS) if ch.isdigit() and rng.random() < 0.3 else ch for ch in text)
        elif roll < 0.2:
            text = text.replace(other, rng.choice([" ", "'", "\u00a0"]), 1)
        elif roll < 0.25:
            text = rng.choice(["1,234" + ",567" * k + rng.choice(["", ".5"]) for k in (298, 299, 300, 334)])
        elif roll < 0.3:
            text = rng.choice(["1e5", "1,5e3", "x", "", "1.2.3", "12/03/2024", "1,2,3", "1..5", "1,,234"])
        out.append(text)
    return out


def _series(texts: list[str]) -> pd.Series:
    return pd.Series(texts + [None], dtype="string")


def _same_stamps(got, expected) -> None:  # type: ignore[no-untyped-def]
    pd.testing.assert_series_equal(got[0], expected[0])
    assert got[1].tolist() == expected[1].tolist()


# ------------------------------------------------------------------ the tests


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_date_assumptions_equal_the_old_ones(seed: int) -> None:
    s = _series(_dates(random.Random(seed), 3000))
    for provisional in (True, False):
        for dayfirst in (True, False):
            got, expected = values.date_assumptions(s, provisional, dayfirst), _old_date_assumptions(s, provisional, dayfirst)
            assert got.keys() == expected.keys()
            for key in expected:
                assert got[key].tolist() == expected[key].tolist(), key


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_zoned_datetimes_equal_the_old_ones(seed: int) -> None:
    s = _series(_dates(random.Random(seed), 3000))
    for dayfirst in (True, False):
        values.parse_date.cache_clear()
        got = values.zoned_datetimes(s, dayfirst)
        values.parse_date.cache_clear()
        _same_stamps(got, _old_zoned_datetimes(s, dayfirst))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_written_times_zone_dates_and_abbreviations_equal_the_old_ones(seed: int) -> None:
    s = _series(_dates(random.Random(seed), 3000))
    assert values.written_times(s).tolist() == _old_written_times(s).tolist()
    assert values.zone_abbreviations(s).tolist() == _old_zone_abbreviations(s).tolist()
    for dayfirst in (True, False):
        assert values.zone_dates(s, dayfirst).tolist() == _old_zone_dates(s, dayfirst).tolist()
    assert values.zone_abbreviations(s).any() and values.zone_dates(s, True).any() and values.written_times(s).any()
    for empty in (pd.Series([], dtype="string"), pd.Series([None], dtype="string")):
        assert values.written_times(empty).tolist() == _old_written_times(empty).tolist()
        assert values.zone_abbreviations(empty).tolist() == _old_zone_abbreviations(empty).tolist() == [False] * len(empty)


def test_numeric_days_read_as_parse_date_reads_each() -> None:
    texts = ["03/04/2025", "13/04/2025", "04/13/2025", "05.03.1990", "5.3.1990", "31/04/2024", "29.02.2023", "29.02.2024",
             "29-02-1900", "29/02/2000", "00/01/2020", "01/00/2020", "1/1/0000", "12/31/9999", "31.12.9999", "1.2.0001",
             "3/4-2025", "3/4/25", "١/٣/2024", "3/4/2025 10:00", "2024-03-05", "", "99/99/9999"]
    s = pd.Series(texts, dtype="string")
    for dayfirst in (True, False):
        handled, days = values._numeric_days(s, dayfirst)
        assert handled.tolist() == [True] * 16 + [False] * 6 + [True]
        for text, ok, day in zip(texts, handled.tolist(), days.tolist()):
            if ok:
                parsed = values.parse_date(text, dayfirst)
                assert day == (None if parsed is None else parsed.date()), text
    assert values._numeric_days(pd.Series([], dtype="string"), True)[0].tolist() == []
    # one value; a missing one
    assert values._numeric_days(pd.Series(["13.04.2025", None], dtype="string"), False)[1].astype(str).tolist() == ["2025-04-13", "NaT"]


def test_the_vectorized_votes_equal_decimal_vote_and_dayfirst_vote_per_value() -> None:
    rng = random.Random(11)
    texts = _numbers(rng, 4000) + [d.strip() for d in _dates(rng, 4000)]
    s = pd.Series(texts, dtype="string")
    where = np.ones(len(s), dtype=bool)
    point, comma = values._grouped_votes(s, where)
    plain, day, month = values._plain_day_votes(s, where)
    assert point.any() and comma.any() and day.any() and month.any()
    for k, text in enumerate(texts):
        if point[k] or comma[k]:
            assert values.decimal_vote(text) == ("." if point[k] else ","), text
        if plain[k]:
            assert values.dayfirst_vote(text) == (True if day[k] else False if month[k] else None), text
        else:
            assert not (day[k] or month[k])
    # looked at only where asked
    assert not values._grouped_votes(s, ~where)[0].any() and not values._plain_day_votes(s, ~where)[0].any()


def test_votes_by_column_equals_the_old_one() -> None:
    rng = random.Random(5)
    columns = [_series(_numbers(rng, 600)), _series([d.strip() for d in _dates(rng, 600)]), _series(_numbers(rng, 7)),
               _series([]), _series(["4,178.86"]), _series(["08/03/2020"]), _series(_numbers(rng, 300) + _dates(rng, 300))]
    for trial in range(10):
        decimal = [trial == 1 or rng.random() < 0.6 for _ in columns]
        dayfirst = [trial == 1 or rng.random() < 0.6 for _ in columns]
        assert values.votes_by_column(columns, decimal, dayfirst) == _old_votes_by_column(columns, decimal, dayfirst)
    assert values.votes_by_column([], [], []) == ([], [])


def _batch(seed: int, rows: int, first_line: int = 2) -> pd.DataFrame:
    rng = random.Random(seed)
    header = ["amount", "signup_date", "when", "ratio", "birth_date"]
    dates, numbers = _dates(rng, 400), _numbers(rng, 400)
    pools = [numbers, dates, dates, numbers[:50] + ["0,5", "1,5"], [d for d in dates if "/" in d][:80]]
    data = [[rng.choice(pools[c]) if rng.random() > 0.05 else None for c in range(len(header))] for _ in range(rows)]
    return build_frame(header, data, list(range(first_line, first_line + rows)), "d/ascii.csv")[0]


def _run(batches: list[pd.DataFrame]) -> tuple[list[pd.DataFrame], dict, list[str]]:
    step = CoerceTypes(declared={"amount": "number", "signup_date": "date", "when": "datetime"}, options=TypeOptions(),
                       landing_date="2026-11-20")
    outs = [step.apply(b).kept for b in batches]
    keep = ["decided", "formats", "file_formats", "tally", "provisional", "column_votes", "column_days", "own_day_order",
            "ambiguous_marks", "differing_marks", "interpreted", "unread", "failed_lines", "failure_causes", "day_order_read",
            "day_order_example", "dotted_example", "odd_years", "future_births", "kept_as_text"]
    return outs, {k: getattr(step, k) for k in keep}, step.warnings()


@pytest.mark.parametrize("seed", [1, 2])
def test_coerce_types_equals_the_code_it_replaced(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    batches = [_batch(seed, 600), _batch(seed + 50, 400, first_line=602), _batch(seed + 90, 1, first_line=1002)]
    values.parse_date.cache_clear()
    new = _run(batches)
    monkeypatch.setattr(coerce_types, "votes_by_column", _old_votes_by_column)
    monkeypatch.setattr(values, "votes_by_column", _old_votes_by_column)
    monkeypatch.setattr(coerce_types, "date_assumptions", _old_date_assumptions)
    monkeypatch.setattr(values, "date_assumptions", _old_date_assumptions)
    monkeypatch.setattr(values, "zoned_datetimes", _old_zoned_datetimes)
    monkeypatch.setattr(values, "written_times", _old_written_times)
    monkeypatch.setattr(values, "zone_abbreviations", _old_zone_abbreviations)
    monkeypatch.setattr(values, "zone_dates", _old_zone_dates)
    values.parse_date.cache_clear()
    old = _run(batches)
    for got, expected in zip(new[0], old[0]):
        pd.testing.assert_frame_equal(got, expected)
    assert new[1] == old[1]
    assert new[2] == old[2]
    assert old[1]["interpreted"]["signup_date"]  # the batches read dates by assumptions, which both ways count alike
