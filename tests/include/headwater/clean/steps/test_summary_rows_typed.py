"""Summary rows on wide files: number, boolean and date columns are not written out as text to look for page footers,
trailer markers and record counts (``summary_rows._typed``). The results equal those of the same cells read as text."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from headwater.clean.steps.summary_rows import SummaryRows, _labels, _page_footers, _trailers


def _frame(rng: random.Random, rows: int) -> pd.DataFrame:
    texts = [None, "", "  ", "alpha", "TRL", "EOF", "Page 1 of 2", "3", " 12 ", "Total", "Grand total:", "t", "T."]
    data = {
        "_source": ["s"] * rows, "_line": list(range(2, rows + 2)),
        "label": pd.Series([rng.choice(texts) for _ in range(rows)], dtype="string"),
        "note": pd.Series([rng.choice(texts) for _ in range(rows)], dtype="string"),
        "n": pd.Series([rng.choice([None, 1, 3, 60]) for _ in range(rows)], dtype="Int64"),
        "x": pd.Series([rng.choice([float("nan"), 1.5, float("inf"), 10.0]) for _ in range(rows)], dtype="float64"),
        "when": pd.to_datetime(pd.Series([rng.choice([None, "2026-01-05", "2026-01-05 10:00"]) for _ in range(rows)]), format="ISO8601"),
        "whenz": pd.to_datetime(pd.Series([rng.choice([None, "2026-01-05"]) for _ in range(rows)]), utc=True, format="ISO8601"),
        "ok": pd.Series([rng.choice([None, True, False]) for _ in range(rows)], dtype="boolean"),
        "flag": pd.Series([rng.random() < 0.5 for _ in range(rows)], dtype=bool),
        "x__raw": pd.Series([rng.choice([None, "Page 2 of 2", "n/a"]) for _ in range(rows)], dtype="string"),
    }
    df = pd.DataFrame(data)
    blank = [i for i in range(rows) if rng.random() < 0.4]  # rows whose typed cells are all missing (flag aside)
    for col in ("n", "x", "when", "whenz", "ok"):
        df.loc[blank, col] = None
    df.loc[blank[::3], ["note", "x__raw"]] = None
    return df


def _as_text(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return df.assign(**{c: df[c].astype("string") for c in cols})


@pytest.mark.parametrize("seed", range(6))
def test_typed_columns_read_as_their_text_would(seed):
    rng = random.Random(seed)
    df = _frame(rng, 300)
    typed = ["n", "x", "when", "whenz", "ok", "flag"]
    text = _as_text(df, typed)
    # every row empty but for a page footer in one cell: footers where the typed cells are missing
    assert np.array_equal(_page_footers(df), _page_footers(text))
    labels = ["label", "note", "when", "whenz", "ok", "x__raw"] + (["flag"] if seed % 2 else [])
    labelled = np.zeros(len(df), dtype=bool)
    for col in labels:
        labelled |= _labels(df[col])
    got = _trailers(df, labels, labelled, {c: _labels(df[c]) for c in labels})
    want = _trailers(text, labels, labelled)
    assert np.array_equal(got[0], want[0]) and got[1] == want[1]
    assert got[0].any() == (seed % 2 == 0)  # a boolean column is never empty: with it, no row qualifies
    assert _page_footers(_frame(random.Random(seed), 300).drop(columns=["flag"])).any()


def test_page_footer_alone_with_missing_typed_cells():
    df = pd.DataFrame({"label": pd.Series(["Page 1 of 2", "Page 1 of 2", "a"], dtype="string"),
                       "n": pd.Series([None, 5, None], dtype="Int64"),
                       "when": pd.to_datetime(pd.Series([None, None, "2026-01-05"]))})
    assert _page_footers(df).tolist() == [True, False, False]


def _summary_lines(rows: pd.DataFrame) -> list[int]:
    step = SummaryRows()
    out, done = step.apply(rows), step.finish()
    return sorted([*out.quarantined.get("_line", []), *done.quarantined.get("_line", [])])


def test_trailer_row_with_a_date_column_filled_is_not_one():
    rows = pd.DataFrame({"_line": [2, 3, 4, 5], "payee": pd.Series(["Ann", "Bob", "TRL", "TRL"], dtype="string"),
                         "when": pd.to_datetime(pd.Series(["2026-01-05", "2026-01-06", None, "2026-01-07"])),
                         "amount": [10.0, 20.0, 30.0, 30.0]})
    assert _summary_lines(rows.iloc[:3]) == [4]  # TRL, its date missing, 30.00 = 10.00 + 20.00
    assert _summary_lines(rows.iloc[[0, 1, 3]]) == []  # TRL with a date: a record
    assert _summary_lines(_as_text(rows.iloc[:3], ["when"])) == [4]
