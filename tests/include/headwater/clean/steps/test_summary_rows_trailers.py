"""Trailer records, unlabelled totals, end markers and page footers are not curated as records (breaker4 #10).

A row whose filled numbers equal the column sums (and whose record count equals the row count) of
the rows above, its text cells empty or a trailer marker (``TRL``, ``EOF``, ``Page 1 of 2``), is
quarantined with its reason; one that does not reconcile stays a record (warned when it carries a
trailer marker). The decision does not depend on where the batches end.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json, read_jsonl

BANK = "txn_id,payee,amount\nT1,Ann,10.00\nT2,Bob,20.00\nT3,Cy,30.00\n"  # the breaker's in13 bank files, less their last line


def _run(tmp_path: Path, text: str, batch_rows: int = 50_000) -> tuple[list[dict], list[tuple[int, str]], list[str], dict]:
    """(curated value rows, [(line, reason)] quarantined, clean warnings, accounting) of ``text`` in batches of ``batch_rows``."""
    settings = Settings(home=tmp_path / f"home{batch_rows}", landing_uri=tmp_path.as_uri(), batch_rows=batch_rows)
    ref = FileRef("2026-11-22", "bank.csv")
    ingest_file(text.encode(), ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, ref.date)
    table = pq.read_table(lay.curated(ref.key))
    curated = [{k: v for k, v in row.items() if not k.startswith("_")} for row in table.to_pylist()]
    quarantined = sorted((r["line"], r["reason"].removeprefix("bank.csv ")) for r in read_jsonl(lay.quarantine_rows(ref.key)))
    manifest = read_json(lay.manifest(ref.key))
    counts = {k: manifest[k] for k in ("records", "rows_read", "curated", "quarantined")}
    return curated, quarantined, manifest["clean_warnings"], counts


TRANSACTIONS = [{"txn_id": "T1", "payee": "Ann", "amount": 10.0}, {"txn_id": "T2", "payee": "Bob", "amount": 20.0},
                {"txn_id": "T3", "payee": "Cy", "amount": 30.0}]
ACCOUNTING = {"records": 5, "rows_read": 4, "curated": 3, "quarantined": 1}


@pytest.mark.parametrize(
    ("last", "reason"),
    [
        ("TRL,3,60.00", "line 5: summary row 'TRL': amount=60.0 equal the column sums; record count 3 over the 3 rows above it "
                        "— kept in quarantine, not curated as a record"),
        (",,60.00", "line 5: summary row (unlabelled): amount=60.0 equal the column sums over the 3 rows above it — kept in "
                    "quarantine, not curated as a record"),
        ("TRAILER,,60.00", "line 5: summary row 'TRAILER': amount=60.0 equal the column sums over the 3 rows above it — kept in "
                           "quarantine, not curated as a record"),
        ("TRL,3,", "line 5: summary row 'TRL': record count 3 equals the 3 rows above it — kept in quarantine, not curated as a record"),
    ],
)
def test_a_bank_trailer_total_is_quarantined(tmp_path: Path, last: str, reason: str) -> None:
    curated, quarantined, warnings, counts = _run(tmp_path, BANK + last + "\n")
    assert curated == TRANSACTIONS
    assert quarantined == [(5, reason)]
    assert (warnings, counts) == ([], ACCOUNTING)


def test_a_total_of_several_columns_with_its_label_cell_empty(tmp_path: Path) -> None:
    curated, quarantined, warnings, counts = _run(tmp_path, "sku,units,revenue\nA,10,1.50\nB,20,2.25\nC,5,3.00\n,35,6.75\n")
    assert curated == [{"sku": "A", "units": 10, "revenue": 1.5}, {"sku": "B", "units": 20, "revenue": 2.25},
                       {"sku": "C", "units": 5, "revenue": 3.0}]
    assert quarantined == [(5, "line 5: summary row (unlabelled): units=35, revenue=6.75 equal the column sums over the 3 rows "
                               "above it — kept in quarantine, not curated as a record")]
    assert (warnings, counts) == ([], ACCOUNTING)


@pytest.mark.parametrize(
    ("last", "warnings"),
    [
        (",,61.00", []),  # an empty id and an amount that is no sum: a record
        ("TRL,4,60.00", ["possible_summary_row: line 5: 'TRL' reads as a trailer or end marker, but its numbers and counts do not "
                         "equal the sums or the count of the rows above it — kept as a record"]),
        ("TRL,3,59.00", ["possible_summary_row: line 5: 'TRL' reads as a trailer or end marker, but its numbers and counts do not "
                         "equal the sums or the count of the rows above it — kept as a record"]),
    ],
)
def test_a_row_that_does_not_reconcile_stays_a_record(tmp_path: Path, last: str, warnings: list[str]) -> None:
    curated, quarantined, warned, counts = _run(tmp_path, BANK + last + "\n")
    assert len(curated) == 4 and curated[:3] == TRANSACTIONS
    assert quarantined == []
    assert warned == warnings
    assert counts == {"records": 5, "rows_read": 4, "curated": 4, "quarantined": 0}


def test_padded_page_footers_are_structural_lines(tmp_path: Path) -> None:
    # the breaker's in36/paged_wide.csv: a report's page footer padded to the table's width after each page; structural
    # lines since layout6 (tests/include/headwater/clean/steps/test_summary_rows_structural.py has their manifest)
    text = 'id,name,amount\n1,Ann,10\n2,Bob,20\n"Page 1 of 2",,\nid,name,amount\n3,Cy,30\n"Page 2 of 2",,\n'
    curated, quarantined, warnings, counts = _run(tmp_path, text)
    assert curated == [{"id": "1", "name": "Ann", "amount": 10}, {"id": "2", "name": "Bob", "amount": 20},
                       {"id": "3", "name": "Cy", "amount": 30}]
    assert quarantined == []
    assert (warnings, counts) == ([], {"records": 7, "rows_read": 3, "curated": 3, "quarantined": 0})


def test_a_salesforce_report_grand_total_is_not_an_opportunity(tmp_path: Path) -> None:
    # the breaker's in34/sf_report.csv ("Export details -> CSV"): the grand total has every cell empty but the amount
    text = ('"Opportunity Name","Account Name","Amount","Close Date","Stage"\n'
            '"Renewal 2025","Acme","5,000.00","1/31/2025","Closed Won"\n"New Biz","Beta","12,500.00","2/15/2025","Prospecting"\n'
            '"Upsell","Gamma","750.00","3/1/2025","Negotiation"\n\n"Grand Totals (3 records)"\n"","","18,250.00","",""\n\n\n'
            '"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."\n"Confidential Information - Do Not Distribute"\n'
            '"Generated By:  Ann Lee  1/5/2025 2:30 PM"\n"Acme Corp"\n')
    curated, quarantined, _, counts = _run(tmp_path, text)
    assert [row["amount"] for row in curated] == [5000.0, 12500.0, 750.0]
    assert (7, "line 7: summary row (unlabelled): amount=18250.0 equal the column sums over the 3 rows above it — kept in quarantine, "
               "not curated as a record") in quarantined
    # line 6 is followed by a record (line 7): quarantined for its width; lines 10-13, the report's footer after the last
    # record, are structural report_footer lines (layout6)
    assert [line for line, _ in quarantined] == [6, 7]
    assert counts == {"records": 13, "rows_read": 5, "curated": 3, "quarantined": 2}


@pytest.mark.parametrize(("last", "lines"), [("TRL,3,60.00", [5]), (",,60.00", [5]), ("EOF,,", []), ("TRL,3,", [5])])
def test_a_trailer_in_a_later_batch(tmp_path: Path, last: str, lines: list[int]) -> None:
    text = BANK + last + "\n"
    results = [_run(tmp_path, text, size) for size in (1, 2, 3, 4, 50_000)]
    assert results[-1][0] == TRANSACTIONS and [line for line, _ in results[-1][1]] == lines
    for size, result in zip((1, 2, 3, 4), results):
        assert result == results[-1], f"batch size {size}"


def test_an_unlabelled_total_followed_by_data_is_data_with_a_warning(tmp_path: Path) -> None:
    curated, quarantined, warnings, counts = _run(tmp_path, BANK + ",,60.00\nT4,Di,5.00\n")
    assert [row["amount"] for row in curated] == [10.0, 20.0, 30.0, 60.0, 5.0]
    assert quarantined == []
    assert warnings == ["line 5: row (unlabelled): amount=60.0 equal the column sums over the 3 rows above it, but data rows follow "
                        "it — kept as data: a row with no label may be a record"]
    assert counts == {"records": 6, "rows_read": 5, "curated": 5, "quarantined": 0}
