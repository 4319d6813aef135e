"""Summary rows written in other scripts' digits (breaker6 #5): a QuickBooks export in Arabic-Indic, Persian or full-width
digits keeps its amounts as text (no config declares them), and its Total row is still a summary row, as in ASCII."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.clean.stage import clean as clean_file
from headwater.clean.steps.summary_rows import SummaryRows
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json, read_jsonl

HEAD = (
    '"Acme Widgets LLC"\n"Transaction List by Date"\n"January 1 - March 31, 2025"\n\n'
    '"","Date","Transaction Type","Num","Name","Memo/Description","Account","Split","Amount"\n'
)
FOOT = '\n"Accrual Basis Monday, April 7, 2025 09:14 AM GMT-04:00"\n'


def _qb(date1: str, date2: str, num: str, amount1: str, amount2: str, total: str) -> str:
    return (HEAD + f'"","{date1}","Invoice","{num}","Blue Co","","Accounts Receivable","Sales","{amount1}"\n'
            f'"","{date2}","Payment","","Blue Co","","Checking","Accounts Receivable","{amount2}"\n'
            f'"","Total","","","","","","","{total}"\n' + FOOT)


FILES = {  # the breaker's in/qb/a_arabic.csv, c_no_total_fullwidth.csv, and a Persian variant
    "arabic": _qb("٠١/٠٣/٢٠٢٥", "٠١/٠٩/٢٠٢٥", "١٠٠١", "١٬٢٥٠٫٠٠", "٤٬١٣٠٫٠٠", "٥٬٣٨٠٫٠٠"),
    "fullwidth": _qb("01/03/2025", "01/09/2025", "1001", "１,２５０.００", "4,130.00", "5,380.00"),
    "persian": _qb("۰۱/۰۳/۲۰۲۵", "۰۱/۰۹/۲۰۲۵", "۱۰۰۱", "۱٬۲۵۰٫۰۰", "۴٬۱۳۰٫۰۰", "۵٬۳۸۰٫۰۰"),
}
TOTAL = {"arabic": "٥٬٣٨٠٫٠٠", "fullwidth": "5,380.00", "persian": "۵٬۳۸۰٫۰۰"}
AMOUNTS = {"arabic": ["١٬٢٥٠٫٠٠", "٤٬١٣٠٫٠٠"], "fullwidth": ["１,２５０.００", "4,130.00"], "persian": ["۱٬۲۵۰٫۰۰", "۴٬۱۳۰٫۰۰"]}


def _run(tmp_path: Path, text: str, batch_rows: int = 10_000) -> tuple[dict, list[dict], dict]:
    settings = Settings(home=tmp_path / f"home{batch_rows}", landing_uri=tmp_path.as_uri(), batch_rows=batch_rows)
    ref = FileRef("2026-11-20", "qb.csv")
    ingest_file(text.encode(), ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, ref.date)
    curated = pq.read_table(lay.curated(ref.key)).select(["_line", "amount"]).to_pydict()
    return curated, read_jsonl(lay.quarantine_rows(ref.key)), read_json(lay.manifest(ref.key))


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_total_in_other_script_digits_is_a_summary_row(tmp_path: Path, name: str) -> None:
    curated, quarantined, manifest = _run(tmp_path, FILES[name])
    assert curated == {"_line": [6, 7], "amount": AMOUNTS[name]}  # the amounts land as written (a text column)
    [row] = quarantined
    assert row["line"] == 8 and row["raw"]["Date"] == "Total" and row["raw"]["Amount"] == TOTAL[name]
    assert row["reason"] == (f"qb.csv line 8: summary row 'Total': amount={TOTAL[name]} equal the column sums over the 2 rows "
                             "above it — kept in quarantine, not curated as a record")
    assert (manifest["records"], manifest["rows_read"], manifest["curated"], manifest["quarantined"]) == (10, 3, 2, 1)


@pytest.mark.parametrize("size", [1, 2, 3])
def test_batches_do_not_change_it(tmp_path: Path, size: int) -> None:
    curated, quarantined, _ = _run(tmp_path, FILES["arabic"], size)
    assert curated["_line"] == [6, 7] and [r["line"] for r in quarantined] == [8]


def test_a_total_that_does_not_add_up_stays_a_record(tmp_path: Path) -> None:
    curated, quarantined, _ = _run(tmp_path, FILES["arabic"].replace("٥٬٣٨٠٫٠٠", "٥٬٣٨١٫٠٠"))
    assert curated == {"_line": [6, 7, 8], "amount": ["١٬٢٥٠٫٠٠", "٤٬١٣٠٫٠٠", "٥٬٣٨١٫٠٠"]} and quarantined == []


def test_an_ascii_file_is_unchanged(tmp_path: Path) -> None:
    curated, quarantined, _ = _run(tmp_path, _qb("01/03/2025", "01/09/2025", "1001", "1,250.00", "4,130.00", "5,380.00"))
    assert curated == {"_line": [6, 7], "amount": [1250.0, 4130.0]}
    assert [r["reason"] for r in quarantined] == [
        "qb.csv line 8: summary row 'Total': amount=5380.0 equal the column sums over the 2 rows above it — kept in "
        "quarantine, not curated as a record"
    ]


def test_an_ambiguous_grouping_is_not_guessed(tmp_path: Path) -> None:
    # ``1,250`` reads 1250 or 1.25 by the decimal mark, which a text column does not show: not read, the Total stays a record
    curated, quarantined, _ = _run(tmp_path, _qb("01/03/2025", "01/09/2025", "1001", "１,２５０", "4,130", "5,380"))
    assert curated["_line"] == [6, 7, 8] and quarantined == []


def _rows(amounts: list[str], total: str) -> str:
    body = "".join(f'"","01/0{i + 3}/2025","Invoice","","Blue Co","","Accounts Receivable","Sales","{a}"\n'
                   for i, a in enumerate(amounts))
    return HEAD + body + f'"","Total","","","","","","","{total}"\n' + FOOT


@pytest.mark.parametrize("size", [1, 2, 10_000])
def test_a_total_of_some_rows_only_is_no_summary_row_whatever_the_batches(tmp_path: Path, size: int) -> None:
    # (tail7) 5,130.00 is the sum of the two full-width amounts, not of the three rows: with one row per batch the first
    # batch holds only ASCII, so the column is read as numbers from the second batch on, or never: never (its sums would
    # miss line 6 and the Total would claim "the 3 rows above it")
    text = _rows(["1,250.00", "４,１３０.００", "１,０００.００"], "5,130.00")
    curated, quarantined, _ = _run(tmp_path, text, size)
    assert curated == {"_line": [6, 7, 8, 9], "amount": ["1,250.00", "４,１３０.００", "１,０００.００", "5,130.00"]}
    assert quarantined == []


@pytest.mark.parametrize("size", [1, 10_000])
def test_a_total_of_every_row_with_ascii_first_is_found_in_one_batch(tmp_path: Path, size: int) -> None:
    # (tail7) the same rows with the Total of all three: one batch reads the column (a full-width value in it); one row per
    # batch does not (the first batch held only ASCII): kept as a record, the safe side
    curated, quarantined, _ = _run(tmp_path, _rows(["1,250.00", "４,１３０.００", "１,０００.００"], "6,380.00"), size)
    assert curated["_line"] == ([6, 7, 8] if size > 1 else [6, 7, 8, 9])
    assert [r["line"] for r in quarantined] == ([9] if size > 1 else [])


def test_identical_rows_the_total_counts_stay_records(tmp_path: Path) -> None:
    # (tail7) two identical transactions in Arabic-Indic digits and a Total of both: the exact-duplicate step asks the
    # summary row (Reconciled.reconciles_without, on the text amounts read) and keeps both as records
    line = '"","٠١/٠٣/٢٠٢٥","Invoice","١٠٠١","Blue Co","","Accounts Receivable","Sales","١٬٢٥٠٫٠٠"\n'
    text = HEAD + line + line + '"","Total","","","","","","","٢٬٥٠٠٫٠٠"\n' + FOOT
    curated, quarantined, manifest = _run(tmp_path, text)
    assert curated == {"_line": [6, 7], "amount": ["١٬٢٥٠٫٠٠", "١٬٢٥٠٫٠٠"]}
    assert [r["line"] for r in quarantined] == [8]
    assert quarantined[0]["reason"] == ("qb.csv line 8: summary row 'Total': amount=٢٬٥٠٠٫٠٠ equal the column sums over the 2 "
                                        "rows above it — kept in quarantine, not curated as a record")
    assert (manifest["curated"], manifest["quarantined"], manifest.get("duplicates", 0)) == (2, 1, 0)
    assert [w for w in manifest["clean_warnings"] if w.startswith("duplicates_kept_by_total")] == [
        "duplicates_kept_by_total: line 8: summary row 'Total' (amount=2500.0) counts 1 identical row(s) (lines 7) as "
        "records: kept as curated, not merged"
    ]


def _step_rows(column: str) -> pd.DataFrame:
    return pd.DataFrame({"_source": ["d/t.csv"] * 3, "_line": np.arange(2, 5, dtype=np.int64),
                         "name": pd.Series(["Ann", "Bob", "Total"], dtype="string"),
                         column: pd.Series(["١٢", "٣٠", "٤٢"], dtype="string")})


@pytest.mark.parametrize(("column", "summary"), [("amount", True), ("invoice_id", False), ("customer_id", False)])
def test_a_column_named_like_an_identifier_is_not_summed(column: str, summary: bool) -> None:
    # (tail7) as a typed id column is not (breaker6 #10): ids 12 + 30 = 42 is no sum
    step = SummaryRows()
    out = step.apply(_step_rows(column))
    done = step.finish()
    quarantined = [*out.quarantined.get("_line", []), *done.quarantined.get("_line", [])]
    assert quarantined == ([4] if summary else [])
    assert step.number_columns == ({column} if summary else set())
