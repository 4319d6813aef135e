"""SummaryRows' fast detection decides exactly what the per-column code before it decided (summ6, issue 15).

The step used to write every value column out as text four times per batch (page footers, end markers, report footers,
trailers) and run each pattern over every cell; it now writes each column once (``_Cells``), looks at a column only
for the rows every earlier column left in question (``_alone``, ``_trailers``), finds label candidates in all columns
in one RE2 pass with a tighter prefilter (``_LABEL_CANDIDATE``) and decides each distinct candidate once. The code as it
was is kept verbatim in ``summary_rows_reference.py`` (main at 3b208f7: keys6's typed columns and breaker6 #2's one-column rule in); these tests run both on the same generated
batches (long tables with planted totals, subtotals, trailers, markers and footers; noisy frames whose cells are mostly
markers, counts, labels and blanks; 600-column files) and compare every output, warning and reconciled total.
Both read a text column of numbers in another script's digits as tail6's a9256b7 did (breaker6 #5, ported by tail7, with
its rule that a column ASCII-only in an earlier batch is never summed): ledgers with such amounts are compared too.
Both take sum9's label words of other languages, compared after NFKC (breaker7 #6), with the fast prefilter's new words.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import summary_rows_reference as old

import headwater.clean.steps.summary_rows as new
from headwater.clean.steps.base import LINE, RAW_SUFFIX, REASON, is_value_column

BLANKS = [None, "", "  ", "\u00a0", "\u3000", "\t"]
MARKERS = ["TRL", "trl.", "T", "t:", "TRAILER", "EOF", "END", "end of file", "*** END OF REPORT ***", "Page 1 of 2",
           "page 3/7", "- 3 -", "Accrual Basis Monday, April 7, 2025 09:14 AM GMT-04:00", "Cash Basis", "END OF DATA"]
COUNTS = ["3", " 12 ", "0", "7"]
LABELS = ["Total", "Grand total", "Subtotal", "Sub-total", "Totals:", "Total 2024", "Total (EUR)", "Sum", "Summe", "Gesamt",
          "Insgesamt", "Totale", "Totaal", "Totalt", "Suma", "Somme", "Итого", "合计", "合計", "\u00a0Total", "ſum", "İnsgesamt",
          "grand\u00a0total", "\x1ctotal", "\x0bTOTAL", "TOTAL€", "Sum\u2003(EUR)", "Total (Zürich)",
          # sum9 (breaker7 #6): other languages' labels, full-width, tatweel, vowel marks, a bidi mark
          "المجموع", "المجموع الكلي", "الإجمالي:", "جمع کل", "कुल", "योग", "Total general", "Suma total", "Ｔｏｔａｌ", "TOPLAM",
          "합계", "Razem", "I alt", "المجـموع", "المَجموع", "\u200fالإجمالي", "Genel Toplam", "Sous-total", "總計"]
OTHERS = ["Ann", "Bob", "São Paulo", "Zürich", "Kraków", "Total Gym XLS", "Sum Kitchen", "summer", "consumer", "Σum", "ẞumme",
          "totaℓ", "-total", "3.5", "x", "Page one", "Endeavour", "Trailer park", "Tom", "1-2", "合并", "Ünal",
          "جمعية", "कुलदीप", "योगा", "Toplama", "Razem z", "I", "Italia", "Genel", "Total Gym", "Isla"]
POOL = BLANKS + MARKERS + COUNTS + LABELS + OTHERS


def _same(got: new.StepOutput, expected: old.StepOutput) -> None:
    for name in ("kept", "quarantined", "duplicates", "structural"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(expected, name), obj=name)
    assert got.counts == expected.counts


def _state(step: object) -> tuple:
    """What a step tells the runner after a batch: reconciled totals, held lines, warnings."""
    return ([dataclasses.astuple(r) for r in step.reconciled], step.held_lines(), step.warnings())


def _run_both(batches: list[pd.DataFrame]) -> dict[str, int]:
    """Both steps over ``batches``, compared after each batch and at ``finish``; how many rows each found: summary rows
    (quarantined as such), other quarantined rows, structural lines, and warnings."""
    fast, ref = new.SummaryRows(), old.SummaryRows()
    outputs = []
    for df in batches:
        got, expected = fast.apply(df.copy()), ref.apply(df.copy())
        _same(got, expected)
        assert _state(fast) == _state(ref)
        outputs.append(expected)
    got, expected = fast.finish(), ref.finish()
    _same(got, expected)
    assert _state(fast) == _state(ref)
    outputs.append(expected)
    reasons = [r for out in outputs if len(out.quarantined) for r in out.quarantined[REASON]]
    summaries = sum("summary row" in r for r in reasons)
    return {"summary": summaries, "quarantined": len(reasons) - summaries, "warnings": len(ref.warnings()),
            "structural": sum(len(out.structural) for out in outputs)}


def _split(df: pd.DataFrame, rng: random.Random) -> list[pd.DataFrame]:
    cuts = sorted(rng.sample(range(1, len(df)), min(rng.randint(0, 4), len(df) - 1))) if len(df) > 1 else []
    edges = [0, *cuts, len(df)]
    return [df.iloc[a:b].reset_index(drop=True) for a, b in zip(edges, edges[1:])]


def _ledger(rng: random.Random, rows: int) -> pd.DataFrame:
    """A long table with planted summary rows: blocks of data rows, each maybe closed by a subtotal (labelled, unlabelled,
    a trailer with its count, ``T``), then maybe a grand total, a trailer, an end marker, footers, blank rows, data after."""
    records: list[dict] = []
    block: list[dict] = []
    every: list[dict] = []

    def data() -> dict:
        qty = rng.choice([None, *range(1, 9)])
        amount = rng.choice([None, round(rng.uniform(0, 90), 2), float(rng.randint(1, 50))])
        name = rng.choice(OTHERS + ["Ann", "Bob", "Cy"] * 4)
        row = {"name": name, "code": rng.choice(["A1", "B2", "C3", None]), "qty": qty, "amount": amount,
               "day": rng.choice([None, date(2025, 1, rng.randint(1, 28))]), "flag": rng.choice([True, False, None]),
               "misc": rng.choice([None, "x", 3, 2.5, "Total"]), "amount__raw": None, "qty__raw": None}
        if amount is None and rng.random() < 0.2:
            row["amount__raw"] = rng.choice(["n/a", "?", "Total", "T"])
        return row

    def total(rows_: list[dict], label: str | None, code: str | None, with_amount: bool = True, with_qty: bool = True) -> dict:
        qty = sum(r["qty"] for r in rows_ if r["qty"] is not None)
        amount = round(sum(r["amount"] for r in rows_ if r["amount"] is not None), 2)
        return {"name": label, "code": code, "qty": qty if with_qty else None, "amount": amount if with_amount else None,
                "day": None, "flag": None, "misc": None, "amount__raw": None, "qty__raw": None}

    def blank(**cells: object) -> dict:
        return {"name": None, "code": None, "qty": None, "amount": None, "day": None, "flag": None, "misc": None,
                "amount__raw": None, "qty__raw": None, **cells}

    while len(records) < rows:
        for _ in range(rng.randint(1, 6)):
            row = data()
            records.append(row)
            block.append(row)
            every.append(row)
        pick = rng.random()
        if pick < 0.25:
            records.append(total(block, rng.choice(LABELS[:8] + [None, ""]), None, rng.random() < 0.8, rng.random() < 0.7))
            block = []
        elif pick < 0.35:
            records.append(total(block, rng.choice(["TRL", "T", "TRAILER"]), str(len(block)), rng.random() < 0.8, False))
            block = []
        elif pick < 0.45:
            records.append(total(every, rng.choice(["Grand total", "Total", None]), None))
        elif pick < 0.5:
            records.append(blank(name=rng.choice(MARKERS)))
        elif pick < 0.55:
            records.append(blank(amount__raw=rng.choice(["Page 2 of 3", "- 4 -", "EOF"])))
        elif pick < 0.6:
            records.append(blank(name=rng.choice(["T", "TRL"]), code=rng.choice(COUNTS), qty=rng.randint(1, 9)))
        elif pick < 0.65:
            records.append(blank())
    df = pd.DataFrame(records)
    out = pd.DataFrame({
        "_source": pd.Series(["d/ledger.csv"] * len(df), dtype="str"),
        LINE: np.arange(2, 2 + len(df), dtype=np.int64),
        "name": df["name"].astype("string"),
        "code": df["code"].astype("string"),
        "qty": df["qty"].astype("Int64"),
        "qty__raw": df["qty__raw"].astype("string"),
        "amount": df["amount"].astype("Float64"),
        "amount__raw": df["amount__raw"].astype("string"),
        "amount__reason": pd.Series([None] * len(df), dtype="string"),
        "day": pd.Series(df["day"], dtype=pd.ArrowDtype(pa.date32())),
        "flag": df["flag"].astype("boolean"),
        "misc": df["misc"].astype(object),
    })
    return out


@pytest.mark.parametrize("seed", range(40))
def test_a_ledger_is_decided_as_before(seed: int) -> None:
    rng = random.Random(seed)
    df = _ledger(rng, rng.choice([8, 30, 120]))
    _run_both(_split(df, rng))


def test_the_ledgers_take_every_kind_of_row() -> None:
    """The generated ledgers are not all data: the comparison covers summary rows, other quarantined rows (end markers
    with rows after them), structural lines and warnings."""
    found = {"summary": 0, "quarantined": 0, "warnings": 0, "structural": 0}
    for seed in range(40):
        rng = random.Random(seed)
        for key, n in _run_both(_split(_ledger(rng, rng.choice([8, 30, 120])), rng)).items():
            found[key] += n
    print(found)
    assert min(found.values()) >= 10, found


SCRIPTS = {  # ASCII digits and separators -> Arabic-Indic, Persian, full-width (tail7: breaker6 #5 on the fast module)
    "arabic": str.maketrans("0123456789.,", "٠١٢٣٤٥٦٧٨٩٫٬"),
    "persian": str.maketrans("0123456789.,", "۰۱۲۳۴۵۶۷۸۹٫٬"),
    "fullwidth": str.maketrans("0123456789.,", "０１２３４５６７８９．，"),
}


def _scripted(df: pd.DataFrame, rng: random.Random) -> pd.DataFrame:
    """The ledger with its amounts written as text in another script's digits (a column the type step keeps as text when
    no config declares it), some maybe in ASCII, some maybe not numbers (``n/a``) or ambiguous (``1,250``)."""
    table = SCRIPTS[rng.choice(sorted(SCRIPTS))]
    ascii_share, junk = rng.choice([0.0, 0.3]), rng.choice([0.0, 0.0, 0.05])

    def write(value: object) -> str | None:
        if pd.isna(value):
            return rng.choice([None, None, "", " "])
        if rng.random() < junk:
            return rng.choice(["n/a", "1,250", "١,٢٥٠"])
        text = f"{value:,.2f}" if rng.random() < 0.7 else f"{value:.2f}"
        return text if rng.random() < ascii_share else text.translate(table)

    out = df.copy()
    out["amount"] = pd.Series([write(v) for v in df["amount"]], dtype="string")
    return out


@pytest.mark.parametrize("seed", range(30))
def test_a_ledger_in_other_script_digits_is_decided_as_before(seed: int) -> None:
    """The per-row reference reads a text column of other-script numbers as tail6 did (a9256b7); so does the fast module."""
    rng = random.Random(3000 + seed)
    _run_both(_split(_scripted(_ledger(rng, rng.choice([8, 30, 120])), rng), rng))


def test_the_scripted_ledgers_find_summary_rows() -> None:
    """The other-script ledgers are not all data: their totals are found as summary rows, on the text amounts too."""
    found = {"summary": 0, "quarantined": 0, "warnings": 0, "structural": 0}
    amounts = 0
    for seed in range(30):
        rng = random.Random(3000 + seed)
        df = _scripted(_ledger(rng, rng.choice([8, 30, 120])), rng)
        for key, n in _run_both(_split(df, rng)).items():
            found[key] += n
        step = new.SummaryRows()
        step.apply(df.copy())
        step.finish()
        amounts += "amount" in step.number_columns
    assert found["summary"] >= 20 and amounts >= 15, (found, amounts)


def _noisy(rng: random.Random, rows: int, columns: int) -> pd.DataFrame:
    """Cells drawn from blanks, markers, counts, labels and other values; each column mostly blank or mostly one kind,
    so many rows keep every cell empty or a marker for many columns (the rows the fast tests narrow down to)."""
    data: dict[str, object] = {"_source": pd.Series(["d/noisy.csv"] * rows, dtype="str"),
                               LINE: np.arange(2, 2 + rows, dtype=np.int64)}
    for c in range(columns):
        kind = rng.random()
        if kind < 0.08:
            data[f"n{c}"] = pd.Series([rng.choice([None, 1.5, 3.0]) if rng.random() < 0.3 else None for _ in range(rows)],
                                      dtype="Float64")
        elif kind < 0.14:
            data[f"i{c}"] = pd.Series([rng.choice([None, 3, -5]) if rng.random() < 0.3 else None for _ in range(rows)],
                                      dtype="Int64")
            data[f"i{c}{RAW_SUFFIX}"] = pd.Series([rng.choice(POOL) if rng.random() < 0.2 else None for _ in range(rows)],
                                                  dtype="string")
        elif kind < 0.18:
            data[f"d{c}"] = pd.Series([rng.choice([None, pd.Timestamp("2025-01-02")]) for _ in range(rows)],
                                      dtype="datetime64[ns]")
        elif kind < 0.2:
            data[f"o{c}"] = pd.Series([rng.choice([None, 3, "EOF", 2.5, True]) for _ in range(rows)], dtype=object)
        else:
            pool = rng.choice([BLANKS, BLANKS + MARKERS, BLANKS + COUNTS, BLANKS + LABELS, POOL, OTHERS + BLANKS])
            fill = rng.choice([0.05, 0.3, 0.9])
            data[f"s{c}"] = pd.Series([rng.choice(pool) if rng.random() < fill else None for _ in range(rows)], dtype="string")
    return pd.DataFrame(data)


def _compare_tests(df: pd.DataFrame) -> None:
    """Each detection function of the module against its reference, on ``df``."""
    for marker in (new.PAGE_FOOTER, new.END_ALONE, new.REPORT_FOOTER):
        assert new._page_footers(df, marker).tolist() == old._page_footers(df, marker).tolist()
    values = [c for c in df.columns if is_value_column(c)]
    numbers = [c for c in values if pd.api.types.is_integer_dtype(df[c].dtype) or pd.api.types.is_float_dtype(df[c].dtype)]
    labels = [c for c in df.columns if (is_value_column(c) or c.endswith(RAW_SUFFIX)) and c not in numbers]
    labelled = np.zeros(len(df), dtype=bool)
    for col in labels:
        got = new._labels(df[col])
        assert got.tolist() == old._labels(df[col]).tolist(), col
        labelled |= got
    got, expected = new._trailers(df, labels, labelled), old._trailers(df, labels, labelled)
    assert got[0].tolist() == expected[0].tolist()
    assert got[1] == expected[1]


@pytest.mark.parametrize("seed", range(30))
def test_noisy_cells_are_read_as_before(seed: int) -> None:
    rng = random.Random(1000 + seed)
    df = _noisy(rng, rng.choice([1, 5, 40, 300]), rng.choice([1, 3, 8, 20]))
    _compare_tests(df)
    _run_both(_split(df, rng))


def test_the_noisy_frames_hold_footers_trailers_and_labels() -> None:
    """The noisy frames reach every branch: rows found as footers, end markers, trailers and labels."""
    found = {"footer": 0, "end": 0, "trailer": 0, "label": 0}
    for seed in range(30):
        rng = random.Random(1000 + seed)
        df = _noisy(rng, rng.choice([1, 5, 40, 300]), rng.choice([1, 3, 8, 20]))
        found["footer"] += int(new._page_footers(df).sum())
        found["end"] += int(new._page_footers(df, new.END_ALONE).sum())
        cols = [c for c in df.columns if c.startswith("s") or c.endswith(RAW_SUFFIX)]
        found["label"] += sum(int(new._labels(df[c]).sum()) for c in cols)
        found["trailer"] += int(new._trailers(df, cols, np.zeros(len(df), dtype=bool))[0].sum())
    assert min(found.values()) > 5, found


@pytest.mark.parametrize("seed", range(3))
def test_a_wide_file_is_decided_as_before(seed: int) -> None:
    """600 value columns × 100 rows (bench/run.py --part wide --wide-columns 600): the same rows, reasons and lines."""
    rng = random.Random(2000 + seed)
    df = _noisy(rng, 100, 600)
    _compare_tests(df)
    _run_both([df])
    # the same file with a planted trailer and a padded footer: all other cells blank
    extra = df.iloc[:2].copy()
    for col in extra.columns:
        if is_value_column(col) or col.endswith(RAW_SUFFIX):
            extra[col] = pd.Series([None, None], dtype=df[col].dtype, index=extra.index)
    first = next(c for c in df.columns if c.startswith("s"))
    extra[first] = pd.Series(["Page 1 of 2", "EOF"], dtype="string", index=extra.index)
    extra[LINE] = [102, 103]
    both = pd.concat([df, extra], ignore_index=True)
    _compare_tests(both)
    assert _run_both([both])["structural"] == 2
