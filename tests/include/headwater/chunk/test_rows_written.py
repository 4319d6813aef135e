"""Row documents show every value the type step did not read as written, and a value read into a form that hides
what was written (a code's leading zeros, a date in a date-time column) as written (breaker9 #8).

Before: only a few reasons (``100.00 CR``, a DST gap, ``type``) reached the document; ``abc``, ``1/2``, ``12%``, ``0x1F``,
a 20-digit code and ``2024-02-30`` (reasons ``not_a_number``, ``not_an_integer``, ``invalid_calendar_date``) were left
out like empty values, and ``007`` read as ``Code: 7``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from headwater.chunk.rows import shown_value
from headwater.chunk.stage import chunk
from headwater.clean.stage import clean
from headwater.config.rows import ROW_COLUMN
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json

DATE = "2026-11-20"
SCHEMA = 'files: ["t*.csv"]\nschema:\n  columns:\n'


@pytest.mark.parametrize(("value", "raw", "reason", "unit", "shown"), [
    # a value not read, whatever its reason: its text as written, never left out
    (None, "abc", "not_a_number", "", "abc (as written, not read)"),
    (None, "1/2", "not_a_number", "kg", "1/2 (as written, not read)"),  # no unit after a text not read
    (None, "0x1F", "not_an_integer", "", "0x1F (as written, not read)"),
    (None, "12345678901234567890", "not_an_integer", "", "12345678901234567890 (as written, not read)"),
    (None, "2024-02-30", "invalid_calendar_date", "", "2024-02-30 (as written, not read)"),
    (None, "maybe", "not_a_boolean", "", "maybe (as written, not read)"),
    (None, "<0.01", "censored_value", "", "<0.01 (as written, not read)"),
    (None, "12 ± 2", "uncertainty_not_read", "", "12 ± 2 (as written, not read)"),
    (None, " 0x1F ", "normalized: trim; not_an_integer", "", "0x1F (as written, not read)"),
    (None, "2025-03-10 24:00", "hour_24", "", "2025-03-10 24:00 (as written, not read)"),
    # a text that means "missing", or that tidying emptied: left out as an empty value
    (None, "N/A", "na_spelling", "", None),
    (None, "-", "na_spelling", "", None),
    (None, '""', "empty_string", "", None),
    (None, "   ", "blank", "", None),
    (None, "<br>", "normalized: html, trim", "", None),
    # ... but not where HTML to text lost words no markup held (breaker11 H1): the text as written
    (None, "<p><?php echo $total ?></p>", "normalized: html, html_text_dropped, trim", "",
     "<p><?php echo $total ?></p> (as written, not read)"),
    # ... nor where it lost a tag never closed that may have been a placeholder (html16)
    (None, "<p><dir></p>", "normalized: html, html_unclosed_tag, trim", "", "<p><dir></p> (as written, not read)"),
    # a value read, stored in a form that hides what was written: as written
    (7, "007", "leading_zeros", "", "007"),
    (12, "+0012", "leading_zeros", "", "+0012"),
    (7, "007", "leading_zeros", "kg", "007 kg"),  # the written number has no unit: the declared one follows
    (dt.datetime(2024, 3, 6), "2024-03-06", "date_only", "", "2024-03-06"),  # never "6 March 2024, 00:00"
    (dt.datetime(2024, 3, 5, 23, tzinfo=dt.timezone.utc), "2024-03-06", "start_of_day", "", "2024-03-06"),  # never the 5th
    # a value read as the same number or text written otherwise: the value read
    (100000, "1e5", "exponent", "", "100000"),
    (-415.0, "(415)", "parentheses", "", "-415"),
    (-5, "−5", "unicode_minus", "", "-5"),
    (3, "٣", "other_script_digits", "", "3"),
    ("00123", '="00123"', "excel_text_formula", "", "00123"),
    (dt.date(2024, 3, 5), "2024-03-05 14:30", "time_dropped", "", "5 March 2024"),
])
def test_a_cell_not_read_or_hidden_by_its_reading_shows_its_written_text(value, raw, reason, unit, shown) -> None:
    assert shown_value(value, raw, reason, unit) == shown


def _documents(tmp_path: Path, text: str, yaml: str | None, name: str = "t.csv") -> tuple[list[str], dict]:
    """ingest -> clean -> chunk of one file: its row documents, in row order, and the manifest's ``chunking.rows``."""
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    if yaml:
        (config / "t.yaml").write_text(yaml, encoding="utf-8")
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)
    ref = FileRef(DATE, name)
    ingest(text.encode("utf-8"), ref, settings)
    clean(ref, settings)
    chunk(ref, settings)
    lay = Layout(settings.data_dir, DATE)
    chunks = pd.read_parquet(lay.chunks(ref.key))
    return chunks.loc[chunks["column"] == ROW_COLUMN, "text"].tolist(), read_json(lay.manifest(ref.key))["chunking"]["rows"]


def test_the_breaker_table_shows_every_value_not_read_and_007_as_written(tmp_path: Path) -> None:
    """breaker9 in/rd2/a.csv: before, Cid read 'Name: Cid\\nCode: 7', Dan 'Name: Dan', Fay had no Code line."""
    yaml = SCHEMA + "    name: string\n    amount: number\n    qty: integer\n    code: integer\n"
    text = "name,amount,qty,code\nAnn,10,1,5\nBob,12,2,6\nCid,1/2,12%,007\nDan,abc,3.5,0x1F\nEve,100.00 CR,4,7\nFay,15,5,12345678901234567890\n"
    documents, rows = _documents(tmp_path, text, yaml)
    assert documents == [
        "Name: Ann\nAmount: 10\nQty: 1\nCode: 5",
        "Name: Bob\nAmount: 12\nQty: 2\nCode: 6",
        "Name: Cid\nAmount: 1/2 (as written, not read)\nQty: 12% (as written, not read)\nCode: 007",
        "Name: Dan\nAmount: abc (as written, not read)\nQty: 3.5 (as written, not read)\nCode: 0x1F (as written, not read)",
        "Name: Eve\nAmount: 100.00 CR (as written, not read)\nQty: 4\nCode: 7",
        "Name: Fay\nAmount: 15\nQty: 5\nCode: 12345678901234567890 (as written, not read)",
    ]
    assert (rows["documents"], rows["blank_rows"], rows["rows_with_text"]) == (6, 0, 0)


def test_an_invalid_date_reads_as_written_as_the_readme_says(tmp_path: Path) -> None:
    documents, _ = _documents(tmp_path, "name,day\nAnn,2024-03-05\nBob,2024-02-30\nCid,2024-03-06\n", SCHEMA + "    name: string\n    day: date\n")
    assert documents == ["Name: Ann\nDay: 5 March 2024", "Name: Bob\nDay: 2024-02-30 (as written, not read)", "Name: Cid\nDay: 6 March 2024"]


def test_a_boolean_not_read_shows_while_an_na_spelling_stays_out(tmp_path: Path) -> None:
    documents, _ = _documents(tmp_path, "name,ok\nAnn,yes\nBob,maybe\nCid,no\nDan,N/A\n", SCHEMA + "    name: string\n    ok: boolean\n")
    assert documents == ["Name: Ann\nOk: yes", "Name: Bob\nOk: maybe (as written, not read)", "Name: Cid\nOk: no", "Name: Dan"]


def test_leading_zeros_show_as_written_and_missing_spellings_stay_out(tmp_path: Path) -> None:
    text = 'name,code\nAnn,0012\nBob,+0012\nCid,N/A\nDan,-\nEve,12\nFay,""\n'
    documents, _ = _documents(tmp_path, text, SCHEMA + "    name: string\n    code: integer\n")
    assert documents == ["Name: Ann\nCode: 0012", "Name: Bob\nCode: +0012", "Name: Cid", "Name: Dan", "Name: Eve\nCode: 12", "Name: Fay"]


def test_a_date_in_a_date_time_column_shows_as_written_not_at_a_midnight(tmp_path: Path) -> None:
    text = "name,at\nAnn,2024-03-05 10:00\nBob,2024-03-06\nCid,2024-03-07 11:30\n"
    documents, _ = _documents(tmp_path, text, SCHEMA + "    name: string\n    at: datetime\n")
    assert documents == ["Name: Ann\nAt: 5 March 2024, 10:00", "Name: Bob\nAt: 2024-03-06", "Name: Cid\nAt: 7 March 2024, 11:30"]


def test_markup_that_held_no_text_stays_out(tmp_path: Path) -> None:
    documents, _ = _documents(tmp_path, "name,title\nAnn,<b>Boss</b>\nBob,<br>\nCid,Clerk\n", None)
    assert documents == ["Name: Ann\nTitle: Boss", "Name: Bob", "Name: Cid\nTitle: Clerk"]


def test_every_spelling_of_the_number_breaker_file_reaches_its_document(tmp_path: Path) -> None:
    """breaker9 in/num2/b_declared.csv: before, r3 and r4 read 'Id: r3' and 'Id: r4', r2 'Code: 7', r12 'Code: 12'."""
    text = (
        "id,amount,qty,code\nr1,1234-,1e5,0x1F\nr2,\"(1,234)\",1E5,007\nr3,1/2,12%,12345678901234567890\n"
        "r4,1:30:00,\"1,5\",9223372036854775808\nr5,12 %,2.0,IV\nr6,\"1 234,56\",3.5,0012\nr7,\"$1,234.56-\",−5,1_000\n"
        "r8,\"1.234,56 €\",+7,٣\nr9,\"12,5 %\",1.000,9007199254740993\nr10,-(5),\"1,000\",1.0e3\nr11,5-,10.,-0\nr12,1.5e-3,0x10,+0012\n"
    )
    yaml = SCHEMA + "    id: {type: string}\n    amount: {type: number}\n    qty: {type: integer}\n    code: {type: integer}\n"
    documents, _ = _documents(tmp_path, text, yaml)
    assert documents == [
        "Id: r1\nAmount: -1234\nQty: 100000\nCode: 0x1F (as written, not read)",
        "Id: r2\nAmount: -1234\nQty: 100000\nCode: 007",
        "Id: r3\nAmount: 1/2 (as written, not read)\nQty: 12% (as written, not read)\nCode: 12345678901234567890 (as written, not read)",
        "Id: r4\nAmount: 1:30:00 (as written, not read)\nQty: 1,5 (as written, not read)\nCode: 9223372036854775808 (as written, not read)",
        "Id: r5\nAmount: 12 %\nQty: 2\nCode: IV (as written, not read)",
        "Id: r6\nAmount: 1 234,56 (as written, not read)\nQty: 3.5 (as written, not read)\nCode: 0012",
        "Id: r7\nAmount: $1,234.56-\nQty: -5\nCode: 1_000 (as written, not read)",
        "Id: r8\nAmount: 1.234,56 € (as written, not read)\nQty: 7\nCode: 3",
        "Id: r9\nAmount: 12,5 % (as written, not read)\nQty: 1\nCode: 9007199254740993",
        "Id: r10\nAmount: -(5) (as written, not read)\nQty: 1000\nCode: 1000",
        "Id: r11\nAmount: -5\nQty: 10\nCode: 0",
        "Id: r12\nAmount: 0.0015\nQty: 0x10 (as written, not read)\nCode: +0012",
    ]
