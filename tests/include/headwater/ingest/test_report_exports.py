"""Accounting report exports (breaker4 #25): title block, the table, its Total row and the report's footer.

QuickBooks (Transaction List, General Ledger, Profit and Loss), Xero, Sage and NetSuite export a
report as CSV with a title block of one-field lines above the table and a footer line below it
(``Accrual Basis Monday, April 7, 2025 09:14 AM GMT-04:00``). The title lines are ``preamble``
(their text in ``table.preamble``), the header is found below them, the footer is a
``report_footer`` structural line (its text in ``table.footer``), and the ``Total`` row that sums the
amounts is a summary row (quarantined with its reason, headwater.clean.steps.summary_rows). Both read
engines are compared on every input (tests/include/headwater/conftest.py).
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_table_stage import run, values

from headwater.config.read import ReadOptions
from headwater.config.settings import Settings
from headwater.ingest.csv_file import CsvFile, parse_csv

TITLES = '"Acme Widgets LLC"\n"Transaction List by Date"\n"January 1 - March 31, 2025"\n'
HEADER = '"","Date","Transaction Type","Num","Name","Memo/Description","Account","Split","Amount"\n'
ROWS = ('"","01/03/2025","Invoice","1001","Blue Co","","Accounts Receivable","Sales","1,250.00"\n'
        '"","01/09/2025","Payment","","Blue Co","","Checking","Accounts Receivable","4,130.00"\n')
TOTAL = '"","Total","","","","","","","5,380.00"\n'
FOOTER = '"Accrual Basis Monday, April 7, 2025 09:14 AM GMT-04:00"\n'
FOOTER_TEXT = "Accrual Basis Monday, April 7, 2025 09:14 AM GMT-04:00"
QB_TITLES = [{"line": 1, "text": '"Acme Widgets LLC"'}, {"line": 2, "text": '"Transaction List by Date"'},
             {"line": 3, "text": '"January 1 - March 31, 2025"'}]
TOTAL_REASON = ("summary row 'Total': amount=5380.0 equal the column sums over the 2 rows above it — kept in quarantine, "
                "not curated as a record")


def _read(data: bytes) -> tuple[list[str], list[tuple[int, list]], list[int], dict, dict]:
    """(header, [(line, record)], quarantined lines, structural lines by kind, table) of ``data``, the same both engines."""
    out = []
    for engine in ("arrow", "python"):
        f = CsvFile(data, "r.csv", ReadOptions(engine=engine))
        batches = list(f.batches())
        records = [(n, r) for b in batches for n, r in zip(b.lines, b.records)]
        issues = [i.line for b in batches for i in b.issues]
        assert f.structure.records == len(records) + len(issues) + f.structure.total
        out.append((f.header, records, issues, f.structure.lines, f.describe()))
    assert out[0] == out[1]
    return out[0]


def test_a_quickbooks_transaction_list_is_titles_header_records_total_and_footer(settings: Settings) -> None:
    data = (TITLES + "\n" + HEADER + ROWS + TOTAL + "\n" + FOOTER).encode()
    manifest, curated, entry = run(settings, "txn.csv", data)
    assert manifest["structural_lines"] == {"preamble": [1, 2, 3], "blank": [4, 9], "header": [5], "report_footer": [10]}
    assert manifest["table"]["preamble"] == QB_TITLES
    assert manifest["table"]["footer"] == [{"line": 10, "kind": "report_footer", "text": FOOTER_TEXT}]
    assert manifest["header"] == ["", "Date", "Transaction Type", "Num", "Name", "Memo/Description", "Account", "Split", "Amount"]
    assert list(curated["_line"]) == [6, 7] and list(curated["amount"]) == [1250.0, 4130.0]
    assert list(curated["transaction_type"]) == ["Invoice", "Payment"]
    assert [(r["line"], r["reason"].split(f"line {r['line']}: ", 1)[1]) for r in _quarantine(settings, "txn.csv")] == [(8, TOTAL_REASON)]
    assert (entry["records"], entry["rows_read"], entry["curated"], entry["quarantined"], entry["structural_lines"]) == (10, 3, 2, 1, 7)
    assert manifest["read_warnings"] == []


def _quarantine(settings: Settings, name: str) -> list[dict]:
    from test_table_stage import DATE

    from headwater.layout import Layout
    from headwater.manifest import FileRef
    from headwater.storage import read_jsonl

    return read_jsonl(Layout(settings.data_dir, DATE).quarantine_rows(FileRef(DATE, name).key))


def test_unquoted_titles_no_leading_column_and_a_footer_split_at_its_commas(settings: Settings) -> None:
    data = ("Acme Widgets LLC\nTransaction List by Date\nJanuary 1 - March 31, 2025\n\n"
            "Date,Transaction Type,Num,Name,Memo/Description,Account,Split,Amount\n"
            '01/03/2025,Invoice,1001,Blue Co,,Accounts Receivable,Sales,"1,250.00"\n'
            '01/09/2025,Payment,,Blue Co,,Checking,Accounts Receivable,"4,130.00"\n'
            'Total,,,,,,,"5,380.00"\n\n' + FOOTER_TEXT + "\n").encode()
    manifest, curated, entry = run(settings, "txn2.csv", data)
    assert manifest["structural_lines"] == {"preamble": [1, 2, 3], "blank": [4, 9], "header": [5], "report_footer": [10]}
    assert manifest["table"]["preamble"] == [{"line": 1, "text": "Acme Widgets LLC"}, {"line": 2, "text": "Transaction List by Date"},
                                             {"line": 3, "text": "January 1 - March 31, 2025"}]
    # before layout6 the footer, split at its commas after a blank line, read as a second table (quarantined)
    assert manifest["table"]["footer"] == [{"line": 10, "kind": "report_footer", "text": FOOTER_TEXT}]
    assert "second_table" not in manifest["table"]
    assert list(curated["_line"]) == [6, 7] and list(curated["date"]) == ["01/03/2025", "01/09/2025"]
    assert [r["line"] for r in _quarantine(settings, "txn2.csv")] == [8]
    assert (entry["records"], entry["rows_read"], entry["curated"], entry["quarantined"], entry["structural_lines"]) == (10, 3, 2, 1, 7)


def test_no_blank_lines_around_the_table() -> None:
    header, records, issues, lines, table = _read((TITLES + HEADER + ROWS + TOTAL + FOOTER).encode())
    assert header[1:3] == ["Date", "Transaction Type"]
    assert [n for n, _ in records] == [5, 6, 7] and issues == []
    assert lines == {"preamble": [1, 2, 3], "header": [4], "report_footer": [8]}
    assert table["footer"] == [{"line": 8, "kind": "report_footer", "text": FOOTER_TEXT}]


def test_a_footer_with_no_line_end_is_no_cut_record() -> None:
    data = (TITLES + "\n" + HEADER + ROWS + "\n" + FOOTER.rstrip("\n")).encode()
    header, records, issues, lines, table = _read(data)
    assert [n for n, _ in records] == [6, 7] and issues == []
    assert lines["report_footer"] == [9]
    for engine in ("arrow", "python"):  # a report's last line often has no line end: no no_line_terminator warning for it
        f = CsvFile(data, "r.csv", ReadOptions(engine=engine))
        list(f.batches())
        assert (f.warnings, f.cut_lines) == ([], [])


PNL = ('"Acme Widgets LLC"\n"Profit and Loss"\n"January - March, 2025"\n\n"","Total"\n"Income",""\n"   Sales","5,380.00"\n'
       '"   Services","1,200.00"\n"Total Income","6,580.00"\n"Gross Profit","6,580.00"\n"Expenses",""\n"   Rent","2,000.00"\n'
       '"Total Expenses","2,000.00"\n"Net Income","4,580.00"\n\n"Cash Basis Monday, April 7, 2025 09:14 AM GMT-04:00"\n')


def test_a_profit_and_loss_report_is_a_table_not_one_column(settings: Settings) -> None:
    # Before layout6 the footer's width made the file one column: the titles became the header and records, and every
    # row of the table was quarantined as unparseable CSV. The header ``"","Total"`` fills one field of two.
    manifest, curated, entry = run(settings, "pnl.csv", PNL.encode())
    assert manifest["header"] == ["", "Total"] and manifest["table"]["single_column"] is False
    assert manifest["structural_lines"] == {"preamble": [1, 2, 3], "blank": [4, 15], "header": [5], "report_footer": [16]}
    assert manifest["table"]["footer"] == [
        {"line": 16, "kind": "report_footer", "text": "Cash Basis Monday, April 7, 2025 09:14 AM GMT-04:00"}]
    assert list(curated["_line"]) == list(range(6, 15))
    assert list(curated["column_1"]) == ["Income", "Sales", "Services", "Total Income", "Gross Profit", "Expenses", "Rent",
                                         "Total Expenses", "Net Income"]
    assert list(curated["column_1__raw"])[1:3] == ["   Sales", "   Services"]  # the indentation as written
    assert [None if pd.isna(v) else v for v in curated["total"]] == [None, 5380.0, 1200.0, 6580.0, 6580.0, None, 2000.0, 2000.0, 4580.0]
    assert (entry["records"], entry["rows_read"], entry["curated"], entry["quarantined"], entry["structural_lines"]) == (16, 9, 9, 0, 7)


def test_a_profit_and_loss_by_month_has_its_months_as_the_header() -> None:
    data = ('"Acme Widgets LLC"\n"Profit and Loss by Month"\n"January - February, 2025"\n\n"","Jan 2025","Feb 2025","Total"\n'
            '"Income","","",""\n"   Sales","2,000.00","3,380.00","5,380.00"\n"Total Income","2,000.00","3,380.00","5,380.00"\n\n'
            '"Accrual Basis Monday, April 7, 2025 09:14 AM GMT-04:00"\n').encode()
    header, records, issues, lines, table = _read(data)
    assert header == ["", "Jan 2025", "Feb 2025", "Total"]
    assert [n for n, _ in records] == [6, 7, 8] and issues == []
    assert lines == {"preamble": [1, 2, 3], "blank": [4, 9], "header": [5], "report_footer": [10]}


def test_a_xero_report_with_an_unquoted_title_block() -> None:
    data = ("Account Transactions\nDemo Company (US)\nFor the period 1 January 2025 to 31 March 2025\n\n"
            "Date,Source,Description,Reference,Debit,Credit\n"
            "2 Jan 2025,Receivable Invoice,Blue Co,INV-0001,250.00,\n3 Jan 2025,Payable Invoice,Office supplies,,,80.00\n"
            "Total,,,,250.00,80.00\n").encode()
    header, records, issues, lines, table = _read(data)
    assert header == ["Date", "Source", "Description", "Reference", "Debit", "Credit"]
    assert [n for n, _ in records] == [6, 7, 8] and issues == []
    assert lines == {"preamble": [1, 2, 3], "blank": [4], "header": [5]}
    assert table["preamble"][2] == {"line": 3, "text": "For the period 1 January 2025 to 31 March 2025"}


@pytest.mark.parametrize(
    ("tail", "kind", "text"),
    [
        ("Page 3 of 7\n", "page_footer", "Page 3 of 7"),
        ("- 3 -\n", "page_footer", "- 3 -"),
        ("Page 3/7\n", "page_footer", "Page 3/7"),
        ("EOF\n", "end_marker", "EOF"),
        ("*** END OF REPORT ***\n", "end_marker", "*** END OF REPORT ***"),
        ("TRL\n", "end_marker", "TRL"),
        ("Generated by ERP on 2025-01-01\n", "report_footer", "Generated by ERP on 2025-01-01"),
    ],
)
def test_a_one_field_footer_after_the_last_record_is_a_named_structural_line(tail: str, kind: str, text: str) -> None:
    header, records, issues, lines, table = _read(("id,name,amount\n1,Ann,10\n2,Bob,20\n" + tail).encode())
    assert [n for n, _ in records] == [2, 3] and issues == []
    assert lines == {"header": [1], kind: [4]}
    assert table["footer"] == [{"line": 4, "kind": kind, "text": text}]


def test_a_page_footer_between_pages_is_structural_an_end_marker_there_is_quarantined() -> None:
    data = b"id,name,amount\n1,Ann,10\nPage 1 of 2\n2,Bob,20\nEOF\n3,Cy,30\nPage 2 of 2\n"
    header, records, issues, lines, table = _read(data)
    assert [n for n, _ in records] == [2, 4, 6]
    assert issues == [5]  # an end marker with a record after it only may be one: quarantined for its width
    assert lines == {"header": [1], "page_footer": [3, 7]}
    assert [f["text"] for f in table["footer"]] == ["Page 1 of 2", "Page 2 of 2"]


@pytest.mark.parametrize("tail", ["1003\n", "Comments\n", "1003,Cy\n"])
def test_a_short_last_line_that_may_be_a_record_stays_quarantined(tail: str) -> None:
    # a number, one word, or two fields filled: a cut record or a one-column table, not a footer
    header, records, issues, lines, table = _read(("id,name,amount\n1,Ann,10\n2,Bob,20\n" + tail).encode())
    assert [n for n, _ in records] == [2, 3] and issues == [4]
    assert lines == {"header": [1]} and "footer" not in table


def test_more_than_five_footer_like_lines_are_quarantined() -> None:
    body = "".join(f"{i},n{i},{i}0\n" for i in range(1, 9))
    tail = "".join(f"note number {i}\n" for i in range(6))
    header, records, issues, lines, table = _read(("id,name,amount\n" + body + tail).encode())
    assert [n for n, _ in records] == list(range(2, 10))
    assert issues == [10, 11, 12, 13, 14, 15] and lines == {"header": [1]}


def test_footers_held_across_batches_are_decided_the_same() -> None:
    data = b"id,name,amount\n1,Ann,10\n2,Bob,20\nnote one here\n3,Cy,30\n\nAccrual Basis Monday\n"
    for engine in ("arrow", "python"):
        for size in (1, 2, 3, 50_000):
            f = CsvFile(data, "r.csv", ReadOptions(engine=engine))
            batches = list(f.batches(size))
            assert [n for b in batches for n in b.lines] == [2, 3, 5], (engine, size)
            assert [i.line for b in batches for i in b.issues] == [4], (engine, size)
            assert f.structure.lines == {"header": [1], "blank": [6], "report_footer": [7]}, (engine, size)


def test_parse_csv_of_a_report_accounts_for_every_line() -> None:
    parsed = parse_csv((TITLES + "\n" + HEADER + ROWS + TOTAL + "\n" + FOOTER).encode(), "r.csv")
    assert parsed.structure.counts == {"preamble": 3, "blank": 2, "header": 1, "report_footer": 1}
    assert parsed.structure.records == 10 == parsed.rows_read + parsed.structure.total
    assert values is not None  # the stage helpers are shared with test_table_stage


NETSUITE = ('Acme Widgets LLC,,,,\nTransaction Detail,,,,\n"Jan 1, 2025 - Mar 31, 2025",,,,\n,,,,\nDate,Type,Num,Name,Amount\n'
            '01/03/2025,Invoice,1001,Blue Co,"1,250.00"\n01/09/2025,Payment,,Blue Co,"4,130.00"\nTotal,,,,"5,380.00"\n,,,,\n'
            f'"{FOOTER_TEXT}",,,,\n')


def test_a_report_padded_to_the_tables_width_title_block_total_and_footer(settings: Settings) -> None:
    # title and footer lines padded with commas (NetSuite, QuickBooks Desktop): the footer reaches the clean stage as a
    # row; it is a report_footer there, so the Total above it is the last summary row, not data followed by a record
    manifest, curated, entry = run(settings, "ns.csv", NETSUITE.encode())
    # line 9 (,,,,) holds no value: a blank line like line 4 (before struct6: a record quarantined as "every value is empty")
    assert manifest["structural_lines"] == {"preamble": [1, 2, 3], "blank": [4, 9], "header": [5], "report_footer": [10]}
    assert manifest["clean_structural"] == [{"line": 10, "kind": "report_footer", "text": FOOTER_TEXT}]
    assert list(curated["_line"]) == [6, 7] and list(curated["amount"]) == [1250.0, 4130.0]
    assert [(r["line"], r["reason"].split(f"line {r['line']}: ", 1)[1]) for r in _quarantine(settings, "ns.csv")] == [(8, TOTAL_REASON)]
    assert manifest["clean_warnings"] == []
    assert (entry["records"], entry["rows_read"], entry["curated"], entry["quarantined"], entry["structural_lines"]) == (10, 3, 2, 1, 7)


def test_a_padded_report_footer_with_a_record_after_it_is_quarantined(settings: Settings) -> None:
    text = NETSUITE + '02/01/2025,Invoice,1002,Red Co,"10.00"\n'
    manifest, curated, entry = run(settings, "ns2.csv", text.encode())
    assert "clean_structural" not in manifest
    got = {r["line"]: r["reason"].split(f"line {r['line']}: ", 1)[1] for r in _quarantine(settings, "ns2.csv")}
    assert got[10] == f"report footer {FOOTER_TEXT!r} alone in its row, but rows follow it: it may be a record — kept in quarantine"
    assert list(curated["_line"])[-1] == 11


# struct6: text alone under the table is a footer only in a report (title lines above, a known footer line below), so a record
# cut short at the end of an incomplete upload (``Jane Doe`` of ``Jane Doe,...``) is never hidden as a structural line.
CUT_WARNING = ("line 4, the last line, has no line terminator while every line above it ends with one (no_line_terminator): "
               "read as a record, but the file may be incomplete (still being written, or cut in transfer) — check that line's "
               "last value, or drop the complete file again")


def _warnings(data: bytes) -> list[str]:
    out = []
    for engine in ("arrow", "python"):
        f = CsvFile(data, "r.csv", ReadOptions(engine=engine))
        list(f.batches())
        out.append(f.warnings)
    assert out[0] == out[1]
    return out[0]


@pytest.mark.parametrize("tail", ["Jane Doe\n", "Jane Doe", "Jane Mary Doe", "note number one\n"])
def test_text_alone_under_a_table_that_is_no_report_stays_quarantined(tail: str) -> None:
    # before struct6: a structural report_footer on line 4, and no no_line_terminator warning without the line end
    data = ("name,city,amount\nAnn Lee,Oslo,10\nBob Ray,Rome,20\n" + tail).encode()
    header, records, issues, lines, table = _read(data)
    assert [n for n, _ in records] == [2, 3] and issues == [4]
    assert lines == {"header": [1]} and "footer" not in table
    assert _warnings(data) == ([] if tail.endswith("\n") else [CUT_WARNING])


@pytest.mark.parametrize(
    ("tail", "text"),
    [
        ("Generated by ERP on 2025-01-01", "Generated by ERP on 2025-01-01"),
        ("Report generated 2025-04-07", "Report generated 2025-04-07"),
        ("Printed on 04/07/2025", "Printed on 04/07/2025"),
        ('"Generated By:  Jane Doe  4/7/2025 9:14 AM"', "Generated By:  Jane Doe  4/7/2025 9:14 AM"),
        ("2025-04-07 09:14 AM", "2025-04-07 09:14 AM"),
        ('"Monday, April 7, 2025 09:14 AM GMT-04:00"', "Monday, April 7, 2025 09:14 AM GMT-04:00"),
        ('"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."',
         "Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."),
        ("Accrual Basis Monday", "Accrual Basis Monday"),
    ],
)
@pytest.mark.parametrize("end", ["\n", ""])
def test_a_known_footer_pattern_is_a_footer_in_any_table_with_or_without_a_line_end(tail: str, text: str, end: str) -> None:
    data = ("id,name,amount\n1,Ann,10\n2,Bob,20\n" + tail + end).encode()
    header, records, issues, lines, table = _read(data)
    assert [n for n, _ in records] == [2, 3] and issues == []
    assert lines == {"header": [1], "report_footer": [4]}
    assert table["footer"] == [{"line": 4, "kind": "report_footer", "text": text}]
    assert _warnings(data) == []


def test_text_alone_in_a_report_with_a_title_block_is_a_footer_and_warned_without_its_line_end() -> None:
    data = b"Customer Report\n\nname,city,amount\nAnn Lee,Oslo,10\nBob Ray,Rome,20\nSee attached notes"
    header, records, issues, lines, table = _read(data)
    assert [n for n, _ in records] == [4, 5] and issues == []
    assert lines == {"preamble": [1], "blank": [2], "header": [3], "report_footer": [6]}
    assert _warnings(data) == [CUT_WARNING.replace("line 4,", "line 6,")]  # text alone: still maybe a cut record


def test_a_name_alone_in_a_report_with_a_title_block_is_a_cut_record() -> None:
    # tab16: ``Jane Doe`` was a report_footer line (text alone in a report, the test above). A name is data: with no line
    # end under a name column it is the first value of a record cut short, quarantined for its width (name_line)
    data = b"Customer Report\n\nname,city,amount\nAnn Lee,Oslo,10\nBob Ray,Rome,20\nJane Doe"
    header, records, issues, lines, table = _read(data)
    assert [n for n, _ in records] == [4, 5] and issues == [6]
    assert lines == {"preamble": [1], "blank": [2], "header": [3]}
    assert _warnings(data) == [CUT_WARNING.replace("line 4,", "line 6,")]


def test_text_alone_next_to_a_known_footer_line_is_a_footer() -> None:
    # Salesforce's footer block: the company's name above the Generated By line; a page footer also shows a report
    for tail, kinds in [("Acme Inc\nGenerated By: Jane Doe 4/7/2025 9:14 AM\n", {"report_footer": [4, 5]}),
                        ("Acme Inc\nPage 1 of 1\n", {"report_footer": [4], "page_footer": [5]})]:
        header, records, issues, lines, table = _read(("id,name,amount\n1,Ann,10\n2,Bob,20\n" + tail).encode())
        assert [n for n, _ in records] == [2, 3] and issues == []
        assert lines == {"header": [1], **kinds}


def test_a_timestamp_under_a_table_of_timestamps_may_be_a_cut_record() -> None:
    data = b"when,name,amount\n2025-01-01 10:00,Ann,10\n2025-01-02 10:00,Bob,20\n2025-01-03 09:14"
    header, records, issues, lines, table = _read(data)
    assert [n for n, _ in records] == [2, 3] and issues == [4]
    assert lines == {"header": [1]}
    assert _warnings(data) == [CUT_WARNING]
