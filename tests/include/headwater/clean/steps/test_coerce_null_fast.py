"""CoerceTypes, NullSpellings and the curated tallies after the cost7 speed-ups: every output equals the code they replaced.

What changed (issue 15), none of it a decision:

* ``values.votes_by_column`` stacks only the columns that vote (declared strings and notes were stripped and
  deduplicated for nothing); ``number_spellings`` and the parentheses check run Python's ``re`` only on the values
  an RE2 prefilter finds (``values._contains_where``, ``values._fullmatch_holding``); ``CoerceTypes._odd_dates``
  converts a column's dates only when it has something to tally;
* ``null_spellings._decide`` takes each column's first CODE_SAMPLE distinct values from a prefix of it
  (``DISTINCT_PREFIX``), ``numbers_or_dates`` only for columns no schema type answers; spellings are looked up only
  among masked values (``_isin_where``);
* ``CleanOutputs.add_curated`` tests a ``__reason`` only where a ``__raw`` text is kept.

The code as it was is below (``_old_*``, copied from main at 2361372); each test runs the step both ways on generated
batches (numbers in every spelling, dates of every shape, birth dates, notes, codes, spellings, blanks) and compares
every output frame, decision, count and warning.
"""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pandas as pd
import pytest

import headwater.clean.steps.coerce_types as coerce_types
import headwater.clean.steps.null_spellings as null_spellings
import headwater.clean.values as values
from headwater.clean.frame import build_frame
from headwater.clean.number_spellings import CANDIDATE
from headwater.clean.outputs import FAILED_TYPE
from headwater.clean.steps.base import RAW_SUFFIX, REASON_SUFFIX
from headwater.clean.steps.coerce_types import BIRTH_NAME, CoerceTypes
from headwater.clean.steps.null_spellings import CODE_SAMPLE, NUMBER_OR_DATE_RE, NullSpellings
from headwater.config.schema import ColumnSpec
from headwater.config.types import TypeOptions

# ------------------------------------------------------------------ the code as it was (main, 2361372)


def _old_votes_by_column(columns, decimal, dayfirst):  # type: ignore[no-untyped-def]
    n = len(columns)
    vals, codes = values._distinct_stripped(columns)
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


def _old_contains_where(vals, pattern, prefilter, regex=True):  # type: ignore[no-untyped-def]
    return vals.str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)  # every value through the pattern


def _old_fullmatch_holding(vals, pattern, needed):  # type: ignore[no-untyped-def]
    return vals.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)


def _old_odd_dates(self, col, written, result):  # type: ignore[no-untyped-def]
    from datetime import datetime, timezone

    stored = pd.to_datetime(result.values, errors="coerce")
    if getattr(stored.dt, "tz", None) is not None:
        stored = stored.dt.tz_localize(None)
    if result.interpreted.get("implausible_year") and result.reasons is not None:
        odd = np.array([isinstance(r, str) and "implausible_year" in r.split("; ") for r in result.reasons.tolist()], dtype=bool)  # date7: reasons join
        seen = self.odd_years.setdefault(col, {"years": Counter(), "example": str(written[odd].iloc[0])})
        seen["years"].update(int(y) for y in stored[odd].dt.year.tolist())
    if BIRTH_NAME.search(col):
        today = pd.Timestamp(self.landing_date or datetime.now(timezone.utc).date())
        future = (stored >= today + pd.Timedelta(days=1)).fillna(False).to_numpy(dtype=bool)
        if future.any():
            seen = self.future_births.setdefault(
                col, {"count": 0, "example": str(written[future].iloc[0]), "stored": str(stored[future].iloc[0].date()), "today": str(today.date())}
            )
            seen["count"] += int(future.sum())


def _old_specific(why, where):  # type: ignore[no-untyped-def]
    from headwater.clean.failures import SPECIFIC

    return np.isin(why, SPECIFIC)  # every row's reason or None


def _old_decide(written, codes, others, n, codes_are_data, numbers_for=None):  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.compute as pc

    filled = others & (written != "").fillna(False).to_numpy(dtype=bool)
    count = np.bincount(codes[filled], minlength=n)
    hit = np.zeros(len(written), dtype=bool)
    at = np.flatnonzero(filled)
    if len(at):
        hit[at] = written.iloc[at].str.fullmatch(NUMBER_OR_DATE_RE).fillna(False).to_numpy(dtype=bool)
    by_numbers = (count > 0) & (np.bincount(codes[hit], minlength=n) >= null_spellings.CODE_MIN_SHARE * count)
    at = np.flatnonzero(others)
    encoded = pc.dictionary_encode(null_spellings._arrow(written).take(pa.array(at)))
    key = codes[at] * max(len(encoded.dictionary), 1) + encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    at = at[~pd.Series(key).duplicated().to_numpy()]
    starts = np.searchsorted(codes[at], np.arange(n))
    rank = np.arange(len(at)) - starts[codes[at]]
    at = at[rank < CODE_SAMPLE]
    distinct = written.iloc[at].reset_index(drop=True)
    at = at[(distinct != "").fillna(False).to_numpy(dtype=bool)]
    distinct, c = written.iloc[at].reset_index(drop=True), codes[at]
    size = np.bincount(c, minlength=n)
    enough = size >= null_spellings.CODE_MIN_VALUES
    shapes = [None] * n
    if codes_are_data:
        lengths = distinct.str.len().to_numpy(dtype=np.int64, na_value=0)
        best = np.zeros(n, dtype=np.int64)
        for letters in ("[A-Z]", "[a-z]"):
            match = distinct.str.fullmatch(f"{letters}+").fillna(False).to_numpy(dtype=bool)
            if not match.any():
                continue
            pairs, tally = np.unique(np.stack([c[match], lengths[match]]), axis=1, return_counts=True)
            for k, length, m in zip(pairs[0].tolist(), pairs[1].tolist(), tally.tolist()):
                if enough[k] and m >= null_spellings.CODE_MIN_VALUES and m >= null_spellings.CODE_MIN_SHARE * size[k] and m > best[k]:
                    best[k], shapes[k] = m, f"{letters}{{{length}}}"
    words = distinct.str.fullmatch(r"[^\W\d_]+(?:[ '’.-][^\W\d_]+)*").fillna(False).to_numpy(dtype=bool)
    titled = np.fromiter((v.istitle() for v in distinct.tolist()), dtype=bool, count=len(distinct))
    title = enough & (np.bincount(c[words & titled], minlength=n) >= null_spellings.CODE_MIN_SHARE * size)
    return [shapes[k] or (null_spellings.TITLE_WORDS if title[k] else None) for k in range(n)], by_numbers


def _old_isin_where(written, spellings, where):  # type: ignore[no-untyped-def]
    return where & written.isin(spellings).fillna(False).to_numpy(dtype=bool)  # every value looked up


def _old_tallies(df: pd.DataFrame) -> tuple[Counter[str], Counter[str]]:
    failures: Counter[str] = Counter()
    inexact: Counter[str] = Counter()
    for col in df.columns:
        if col.endswith(RAW_SUFFIX):
            raw, typed = df[col].notna(), df[col[: -len(RAW_SUFFIX)]].notna()
            reason = df.get(col[: -len(RAW_SUFFIX)] + REASON_SUFFIX)
            rounded = raw & False
            if reason is not None:  # inexact_numbers: the values read as the nearest double (reason7)
                rounded = raw & typed & reason.astype("string").str.contains("nearest_float64", regex=False).fillna(False)
                raw &= reason.isna() | reason.astype("string").str.contains(FAILED_TYPE, regex=True).fillna(False)
            failures[col] += int((raw & ~typed).sum())
            inexact[col] += int(rounded.sum())
    return failures, inexact


# ------------------------------------------------------------------ generated batches

NUMBERS = ["12", "12.5", "1,234.50", "1.234,50", "(415)", " (12.00) ", "−12.00", "–12", "12-", "100.00-", "100.00 CR", "5 dr",
           "12 Cr.", "١٢٫٥", "۱۲٫۵", "１，２３４．５", "1٢3", "$5", "€12.50", "12%", "007", "02134", "1e3", "12\u00a0", "\u200912",
           "12-\u3000", "12-\x0b", "<0.01", "≥5", "12 ± 2", "abc", "", "  ", "NA", "-", "2,125", "0,125", "3.14", "1,234", "1.5E+11", "(x)", "( )", "cr", "DR"]
DATES = ["2025-03-04", "2025-03-04 10:00", "04/03/2025", "13/04/2025", "03.04.2025", "01/02/50", "1403-01-02", "2090-05-06",
         "2567-01-01", "Tuesday, March 3, 2025", "2024-03-05 - 2024-03-09", "20250304", "x", "", "2025-02-29", "14:30 05/03/2024",
         "2025-03-04T10:00:00Z", "2025-03-10 24:00", "2025-06-30 23:59:60", "٢٠٢٥-٠٣-٠٤", "2025-٠3-04", "12/25/2024"]
TEXTS = ["Ana Lopez", "None", "null", "N/A", "Goldin", "EU", "NA", "note (see 12)", "pay 12- now", "CR 5", "café", "x\u00a0y", None]


def _batch(seed: int, rows: int, first_line: int = 2) -> pd.DataFrame:
    rng = random.Random(seed)
    header = ["amount", "price", "signup_date", "birth_date", "customer_id", "notes", "code", "ratio", "when"]
    pools = [NUMBERS, NUMBERS[:8] + ["7.25", "8", "9.5"], DATES, DATES[:8], [f"C-{i:05d}" for i in range(50)] + ["1.23457E+11"],
             TEXTS + [f"note {i} with (415) 555-0100" for i in range(20)], ["EU", "AS", "OC", "NA", "na", "Title", "x"],
             ["0.5", "1,5", "2.25", "3", "-", "?"], DATES + NUMBERS[:5]]
    data = [[rng.choice(pools[c]) if rng.random() > 0.05 else None for c in range(len(header))] for _ in range(rows)]
    return build_frame(header, data, list(range(first_line, first_line + rows)), "d/fast.csv")[0]


def _coerce_step() -> CoerceTypes:
    return CoerceTypes(
        declared={"amount": "number", "price": "number", "signup_date": "date", "customer_id": "string", "notes": "text"},
        options=TypeOptions(), identifiers={"customer_id"}, units={"price": "USD"}, landing_date="2026-11-20",
    )


def _state(step: CoerceTypes) -> dict:
    keep = ["decided", "formats", "file_formats", "tally", "provisional", "column_votes", "column_days", "own_day_order",
            "ambiguous_marks", "differing_marks", "units", "first_unit", "other_units", "odd_years", "future_births",
            "unit_conflicts", "day_order_read", "excel_lines", "excel_examples", "bare_lines", "kept_as_text", "text_units",
            "interpreted", "zones", "unread", "failed_lines", "failure_causes", "censored_text", "late_failed"]
    return {k: getattr(step, k) for k in keep}


def _run_coerce(batches: list[pd.DataFrame]) -> tuple[list[pd.DataFrame], dict, list[str]]:
    step = _coerce_step()
    outs = [step.apply(b).kept for b in batches]
    return outs, _state(step), step.warnings()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_coerce_types_equals_the_code_it_replaced(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    batches = [_batch(seed, 700), _batch(seed + 100, 500, first_line=702)]
    new = _run_coerce(batches)
    monkeypatch.setattr(coerce_types, "votes_by_column", _old_votes_by_column)
    monkeypatch.setattr(values, "_contains_where", _old_contains_where)
    monkeypatch.setattr(values, "_fullmatch_holding", _old_fullmatch_holding)
    monkeypatch.setattr(CoerceTypes, "_odd_dates", _old_odd_dates)
    monkeypatch.setattr(coerce_types, "_specific", _old_specific)
    old = _run_coerce(batches)
    for got, expected in zip(new[0], old[0]):
        pd.testing.assert_frame_equal(got, expected)
    assert new[1] == old[1]
    assert new[2] == old[2]
    # the batches exercise what changed: spellings read and not read, parentheses, odd and future dates
    assert {"unicode_minus", "trailing_minus", "parentheses"} <= set(old[1]["interpreted"]["amount"])
    assert "credit_debit_suffix" in old[1]["unread"]["amount"]
    assert {"censored_value", "uncertainty_not_read"} <= set(old[1]["failure_causes"]["amount"])
    assert "invalid_calendar_date" in old[1]["failure_causes"]["signup_date"]
    assert old[1]["future_births"]["birth_date"]["count"] > 0 and "signup_date" in old[1]["odd_years"]


def test_votes_by_column_equals_the_old_one_with_any_columns_voting() -> None:
    rng = random.Random(7)
    pools = [NUMBERS, DATES, TEXTS[:-1], ["1,234", "2,5", "3.25"], ["03/04/2025", "13/04/2025", "04/13/2025"]]
    columns = [pd.Series([rng.choice(pools[k % len(pools)]) for _ in range(300)] + [None], dtype="string") for k in range(10)]
    for trial in range(12):
        decimal = [rng.random() < 0.4 for _ in columns]
        dayfirst = [rng.random() < 0.4 for _ in columns]
        if trial == 0:
            decimal, dayfirst = [False] * len(columns), [False] * len(columns)  # nothing votes
        assert values.votes_by_column(columns, decimal, dayfirst) == _old_votes_by_column(columns, decimal, dayfirst)
    assert values.votes_by_column([], [], []) == ([], [])


@pytest.mark.parametrize("text", NUMBERS + TEXTS[:-1] + ["12- ", "12-\t", "5 CR.", "x Dr", "Δ", "12-x", "-12", "1-2-"])
def test_the_prefiltered_checks_match_the_patterns_alone(text: str) -> None:
    s = pd.Series([text, " " + text, text + " ", None], dtype="string")
    assert (values._contains_where(s, CANDIDATE, values.CANDIDATE_PREFILTER)
            == s.str.contains(CANDIDATE, regex=True).fillna(False).to_numpy(dtype=bool)).all()
    assert (values._fullmatch_holding(s, r"\s*\(.+\)\s*", "(")
            == s.str.fullmatch(r"\s*\(.+\)\s*").fillna(False).to_numpy(dtype=bool)).all()


# ------------------------------------------------------------------ null spellings


def _spelling_batch(seed: int, rows: int) -> tuple[list[str], list[list[str | None]]]:
    """Columns whose first DISTINCT_PREFIX values repeat a few codes or names and whose later ones differ (the prefix
    does not hold the column's sample), columns of free text (it does), numbers, dates and spellings."""
    rng = random.Random(seed)
    prefix = null_spellings.DISTINCT_PREFIX
    header = ["continent", "surname", "note", "score", "city", "mixed", "dates"]
    data = []
    for r in range(rows):
        early = r < 2 * prefix  # the column's first DISTINCT_PREFIX others are all early
        data.append([
            rng.choice(["EU", "AS", "OC", "NA"]) if early else rng.choice(["NA", "Europe", "Asia"] + [f"x{r % 7000}"]),
            rng.choice(["Goldin", "Austin", "None", "Smith"]) if early else rng.choice(["None", f"van der {r}", f"Name{r}"]),
            f"note {r} " + rng.choice(["", "NA", "null"]),
            rng.choice(["1", "2.5", "-", "?", "NA", "  ", "12", "N/A"]),
            rng.choice(["Paris", "NULL", None, "null", "N/A", "  ", "Oslo", "none", "\\N"]),
            rng.choice(["12", "NA", "alpha", None, "2026-01-02", "-", "Null", "NaN"]),
            rng.choice(["2026-01-02", "-", "2026-01-03", "--", "?"]),
        ])
    return header, data


def _run_spellings(frame: pd.DataFrame, columns: dict[str, ColumnSpec]) -> tuple[pd.DataFrame, dict, list[str], dict, dict]:
    step = NullSpellings(TypeOptions(), columns)
    out = step.apply(frame).kept
    return out, step.summary(), step.warnings({}), dict(step.shapes), dict(step.numeric)


@pytest.mark.parametrize("seed", [1, 2])
def test_null_spellings_equals_the_code_it_replaced_and_the_column_by_column_path(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    header, rows = _spelling_batch(seed, 2 * null_spellings.DISTINCT_PREFIX + 9_000)
    frame = build_frame(header, rows, list(range(2, 2 + len(rows))), "d/spell.csv")[0]
    columns = {"score": ColumnSpec(name="score", type="number"), "city": ColumnSpec(name="city")}
    new = _run_spellings(frame, columns)
    by_column = NullSpellings(TypeOptions(), columns)
    pd.testing.assert_frame_equal(new[0], by_column.apply_by_column(frame).kept)
    assert new[1:] == (by_column.summary(), by_column.warnings({}), by_column.shapes, by_column.numeric)
    monkeypatch.setattr(null_spellings, "_decide", _old_decide)
    monkeypatch.setattr(null_spellings, "_isin_where", _old_isin_where)
    old = _run_spellings(frame, columns)
    pd.testing.assert_frame_equal(new[0], old[0])
    assert new[1:] == old[1:]
    # the later values decided: NA among Europe/Asia is no code, None among "Name123" no title word
    assert new[3]["continent"] is None and new[3]["surname"] is None and new[4]["score"] and new[4]["mixed"] is False


def test_decide_equals_the_old_one_with_a_prefix_that_holds_the_sample_or_not() -> None:
    rng = random.Random(3)
    prefix = null_spellings.DISTINCT_PREFIX
    cols = [
        [rng.choice(["EU", "AS"]) for _ in range(prefix + 2_000)] + [f"V{i}" for i in range(CODE_SAMPLE + 10)],  # sample beyond the prefix
        [f"word{i}" for i in range(prefix + 500)],  # the prefix holds the sample
        ["Goldin", "Austin"] * 40 + [""] * 10,  # short
        [rng.choice(["12", "3.5", "2026-01-02", "x"]) for _ in range(prefix + 100)],
    ]
    written = pd.Series([v for c in cols for v in c], dtype="string")
    codes = np.repeat(np.arange(len(cols)), [len(c) for c in cols])
    others = np.array([rng.random() > 0.02 for _ in range(len(written))])
    n = len(cols)
    for data in (True, False):
        got = null_spellings._decide(written, codes, others, n, data)
        expected = _old_decide(written, codes, others, n, data)
        assert got[0] == expected[0] and (got[1] == expected[1]).all()
        wanted = np.array([True, False, False, True])
        got = null_spellings._decide(written, codes, others, n, data, wanted)
        assert got[0] == expected[0] and (got[1][wanted] == expected[1][wanted]).all() and not got[1][~wanted].any()
    assert expected[0][0] is None  # V0, V1... after the prefix: no [A-Z]{2} code


# ------------------------------------------------------------------ curated tallies


def test_the_curated_tallies_equal_the_old_ones(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from headwater.clean.outputs import CleanOutputs
    from headwater.storage import ParquetParts

    rng = random.Random(5)
    reasons = [None, "na_spelling", "not_a_number", "parentheses", "normalized: trim; not_a_date", "type; not_a_number",
               "currency_differs_from_unit", "not_a_numbers", "x; censored_value", "nearest_float64", "day_order; nearest_float64"]
    rows = 400
    df = pd.DataFrame({
        "a": pd.array([rng.choice([None, 1.5]) for _ in range(rows)], dtype="Float64"),
        "a__raw": pd.array([rng.choice([None, "1.5", "x"]) for _ in range(rows)], dtype="string"),
        "a__reason": pd.array([rng.choice(reasons) for _ in range(rows)], dtype="string"),
        "b": pd.array([rng.choice([None, "t"]) for _ in range(rows)], dtype="string"),
        "b__raw": pd.array([rng.choice([None, "T "]) for _ in range(rows)], dtype="string"),
        "c": pd.array([rng.choice([None, 2]) for _ in range(rows)], dtype="Int64"),
        "c__raw": pd.array([rng.choice([None, "02"]) for _ in range(rows)], dtype="string"),
        "c__reason": pd.Series([rng.choice(reasons) for _ in range(rows)], dtype=object),
        "c__imputed": [rng.random() < 0.1 for _ in range(rows)],
    })
    out = CleanOutputs.__new__(CleanOutputs)
    out.curated = ParquetParts(tmp_path / "c.parquet")
    out._failures, out._inexact, out._imputed = Counter(), Counter(), Counter()
    out.add_curated(df)
    out.curated.abort()
    failures, inexact = _old_tallies(df)
    assert (out._failures, out._inexact) == (failures, inexact)
    assert failures["a__raw"] > 0 and inexact["c__raw"] > 0
