"""The malformed-file suite: every file through ingest_file + clean_file, every row accounted for.

Each case states (file status, rows_read, curated, duplicates, quarantined) and the
exact quarantine reasons. Files are in files/ (regenerate with make_files.py);
strict_*.csv and huge_*.csv are configured by the YAML files in config/.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest

from headwater.clean.stage import clean as clean_file
from headwater.ingest.stage import ingest as ingest_file
from headwater.manifest import FileRef
from headwater.layout import Layout
from headwater.config.source import load_sources

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
DATE = "2026-01-01"
BINARY = "data with a CSV name — file quarantined; decompress/convert it and drop it again"

EXPECTED: dict[str, tuple[str, int, int, int, int, list[str] | str]] = {
    # file: (status, rows_read, curated, duplicates, quarantined, row reasons | whole-file reason)
    "crlf.csv": ("ok", 2, 2, 0, 0, []),
    "bare_cr.csv": ("ok", 3, 2, 1, 0, []),
    "mixed_line_endings.csv": ("ok", 3, 3, 0, 0, []),
    "no_final_newline.csv": ("ok", 2, 2, 0, 0, []),  # read; the file warned about (no_line_terminator, test_cut_file.py)
    "blank_lines_between_rows.csv": ("ok", 2, 2, 0, 0, []),
    "multiline_quoted.csv": ("ok", 3, 3, 0, 0, []),
    "trailing_delimiters.csv": ("ok", 2, 2, 0, 0, []),
    "utf8_bom_pipe.csv": ("ok", 2, 2, 0, 0, []),
    "utf16_bom.csv": ("ok", 2, 2, 0, 0, []),
    "utf16le_no_bom.csv": ("ok", 2, 2, 0, 0, []),
    "utf16be_no_bom.csv": ("ok", 2, 2, 0, 0, []),
    "latin1_semicolon.csv": ("ok", 2, 2, 0, 0, []),
    "cp1252_euro_sign.csv": ("ok", 2, 2, 0, 0, []),
    "nul_bytes.csv": ("ok", 2, 2, 0, 0, []),
    "ragged_rows.csv": ("ok", 4, 2, 0, 2, [
        "ragged_rows.csv line 3: 2 fields, header has 3 — row quarantined",
        "ragged_rows.csv line 4: 4 fields, header has 3 — row quarantined",
    ]),
    "unclosed_quote.csv": ("ok", 4, 3, 0, 1, ["unclosed_quote.csv line 3: unparseable CSV (unexpected end of data) — row quarantined"]),
    "stray_quote.csv": ("ok", 2, 1, 0, 1, ["stray_quote.csv line 2: unparseable CSV (',' expected after '\"') — row quarantined"]),
    "huge_field.csv": ("ok", 3, 2, 0, 1, [
        "huge_field.csv line 3: field 2 (blob) has 1,500 characters, more than read.max_field_chars=1,000 — row quarantined",
    ]),
    # line 2 (",") holds no value: a structural blank line (struct6); spaces and NA spellings were written
    "all_empty_rows.csv": ("ok", 3, 1, 0, 2, [f"all_empty_rows.csv line {n}: every value is empty — row quarantined" for n in (3, 4)]),
    "duplicates.csv": ("ok", 4, 3, 1, 0, []),  # "  zebra   melon " is not "zebra melon" as written: kept, its text in fruit__raw
    "header_only.csv": ("empty", 0, 0, 0, 0, []),
    "header_and_blank_lines.csv": ("empty", 0, 0, 0, 0, []),
    "duplicate_and_blank_headers.csv": ("ok", 1, 1, 0, 0, []),
    "single_column_commas.csv": ("ok", 2, 2, 0, 0, []),
    "no_header.csv": ("ok", 2, 2, 0, 0, []),
    "preamble_lines.csv": ("ok", 2, 2, 0, 0, []),
    "excel_sep_line.csv": ("ok", 2, 2, 0, 0, []),
    "repeated_header.csv": ("ok", 3, 3, 0, 0, []),
    "bare_cr_in_field.csv": ("ok", 3, 3, 0, 0, []),
    "broken_header_quote.csv": ("quarantined", 0, 0, 0, 0,
        "line 1: the header row is not valid CSV (unexpected end of data) — file quarantined; fix the header and drop it again"),
    "bad_number_kept_raw.csv": ("ok", 10, 10, 0, 0, []),
    "strict_bad_values.csv": ("ok", 4, 2, 0, 2, [
        "strict_bad_values.csv line 3: amount='twelve' is not a valid number (not_a_number) — row quarantined",
        "strict_bad_values.csv line 4: when='soon' is not a valid date (not_a_date) — row quarantined",
    ]),
    "strict_schema_violations.csv": ("ok", 4, 1, 0, 3, [
        "strict_schema_violations.csv line 3: fails schema strict — id='B2' breaks pattern ^[A-Z]-\\d+$|^\\d+$ — row quarantined",
        "strict_schema_violations.csv line 4: fails schema strict — amount=-4.0 breaks min 0 — row quarantined",
        "strict_schema_violations.csv line 5: fails schema strict — id is missing (nullable: false) — row quarantined",
    ]),
    # issue 9 item 10: a file with no content (zero bytes, or blank lines only) is empty, not an error
    "empty.csv": ("empty", 0, 0, 0, 0, []),
    "blank.csv": ("empty", 0, 0, 0, 0, []),
    "gzip_disguised.csv": ("ok", 1, 1, 0, 0, []),
    "zip_disguised.csv": ("ok", 1, 1, 0, 0, []),
    "gzip_truncated.csv": ("quarantined", 0, 0, 0, 0,
        "gzip data is damaged (Compressed file ended before the end-of-stream marker was reached) — file quarantined; drop the file again"),
    "zip_two_tables.csv": ("quarantined", 0, 0, 0, 0,
        "a zip archive with more than one file under a table's name — file quarantined; rename it to .zip: each table in it is then read as its own file"),
    "xlsx_disguised.csv": ("quarantined", 0, 0, 0, 0,
        "an Office document (.xlsx, .docx, .pptx: a zip archive) with a CSV name — file quarantined; export the sheet as CSV"),
    "pdf_disguised.csv": ("quarantined", 0, 0, 0, 0, f"pdf {BINARY}"),
    "sqlite_disguised.csv": ("quarantined", 0, 0, 0, 0, f"SQLite database {BINARY}"),
    "html_error_page.csv": ("quarantined", 0, 0, 0, 0,
        "an HTML page with a CSV name (an error page saved by the exporter?) — file quarantined; export the CSV again"),
    "binary_garbage.csv": ("quarantined", 0, 0, 0, 0, "432 control bytes in the first 4096 bytes: binary, not CSV — file quarantined; if it is text (e.g. fields padded with NUL bytes), set read.max_nul_share to 0.11 or more for its source (now 0.05)"),
}


# file: (physical records, structural lines by kind) where the table is not simply a header and rows
STRUCTURAL: dict[str, tuple[int, dict[str, int]]] = {
    "blank_lines_between_rows.csv": (9, {"blank": 6, "header": 1}),
    "header_and_blank_lines.csv": (4, {"header": 1, "blank": 3}),
    "blank.csv": (3, {"blank": 3}),
    "empty.csv": (0, {}),
    "single_column_commas.csv": (3, {"header": 1}),
    "no_header.csv": (2, {}),
    "preamble_lines.csv": (6, {"preamble": 3, "header": 1}),
    "excel_sep_line.csv": (4, {"sep": 1, "header": 1}),
    "repeated_header.csv": (5, {"header": 1, "repeated_header": 1}),
    "bare_cr_in_field.csv": (4, {"header": 1}),
    "bare_cr.csv": (4, {"header": 1}),
    "mixed_line_endings.csv": (4, {"header": 1}),
}


def _generated() -> dict[str, bytes]:
    spec = importlib.util.spec_from_file_location("malformed_make_files", HERE / "make_files.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.FILES


def test_the_suite_is_complete_and_up_to_date() -> None:
    generated = _generated()
    assert len(EXPECTED) >= 25
    assert sorted(p.name for p in FILES.iterdir()) == sorted(generated) == sorted(EXPECTED)
    assert all((FILES / name).read_bytes() == data for name, data in generated.items())


def _process(name: str, settings, monkeypatch) -> tuple[dict, Layout, FileRef]:
    settings = settings.model_copy(update={"config_dir": HERE / "config"})  # the suite's own source configs
    ref = FileRef(DATE, name)
    info = ingest_file((FILES / name).read_bytes(), ref, settings)
    if info["status"] != "quarantined":  # the DAG skips only quarantined files
        info = clean_file(ref, settings, load_sources(HERE / "config"))
    return info, Layout(settings.data_dir, DATE), ref


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_row_is_accounted_for(name: str, settings, monkeypatch) -> None:
    status, read, curated, duplicates, quarantined, reasons = EXPECTED[name]
    info, lay, ref = _process(name, settings, monkeypatch)
    assert (info["status"], info["rows_read"], info["curated"], info["duplicates"], info["quarantined"]) == (
        status, read, curated, duplicates, quarantined,
    )
    assert info["rows_read"] == info["curated"] + info["duplicates"] + info["quarantined"]
    # every physical record: data, or a structural line named by kind (issue 9 item 22)
    assert info["records"] == info["rows_read"] + sum(info["structural"].values()) == STRUCTURAL.get(name, (info["records"],))[0]
    if name in STRUCTURAL:
        assert info["structural"] == STRUCTURAL[name][1]
    if isinstance(reasons, str):
        assert info["error"] == f"{name}: {reasons}"
        assert lay.quarantine_raw(ref.key).read_bytes() == (FILES / name).read_bytes()
        return
    rows = [json.loads(line) for line in lay.quarantine_rows(ref.key).read_text(encoding="utf-8").splitlines()]
    assert [r["reason"] for r in rows] == reasons
    assert all(r["raw"] for r in rows)  # a quarantined row keeps what was read
    if status == "ok":
        assert len(pd.read_parquet(lay.curated(ref.key))) == curated


@pytest.mark.parametrize(
    ("name", "column", "values"),
    [
        ("bare_cr.csv", "name", ["Ann", "Bob"]),
        ("gzip_disguised.csv", "name", ["Ann"]),
        ("utf16le_no_bom.csv", "name", ["Zoë", "Ann"]),
        ("utf16be_no_bom.csv", "name", ["Zoë", "Ann"]),
        ("latin1_semicolon.csv", "city", ["Köln", "Besançon"]),
        ("cp1252_euro_sign.csv", "quote", ["Café €5", "Œuvre"]),
        ("nul_bytes.csv", "name", ["Ann", "Bob"]),
        ("multiline_quoted.csv", "note", ["line one\nline two", 'a "quoted" word, and a comma', "plain"]),
        ("duplicate_and_blank_headers.csv", None, ["id", "name", "name_2", "column_4", "column_5"]),
        ("single_column_commas.csv", "review", ["Nice fit, runs large", "Colour faded, sent back"]),
        ("no_header.csv", "column_3", ["Quito", "Accra"]),
        ("preamble_lines.csv", "amount", [3.1, 8.0]),
        ("excel_sep_line.csv", "name", ["Ann", "Bob"]),
        ("repeated_header.csv", "amount", [10, 20, 30]),
        ("bad_number_kept_raw.csv", "amount__raw", [None] * 9 + ["twelve"]),
        ("strict_bad_values.csv", "amount", [10.0, 1204.5]),
    ],
)
def test_values_survive_the_damage(name: str, column: str | None, values: list, settings, monkeypatch) -> None:
    _, lay, ref = _process(name, settings, monkeypatch)
    curated = pd.read_parquet(lay.curated(ref.key))
    if column is None:
        assert [c for c in curated.columns if not c.startswith("_")] == values
    else:
        assert [None if pd.isna(v) else v for v in curated[column]] == values


def test_rows_quarantined_while_cleaning_keep_their_values_as_read(settings, monkeypatch) -> None:
    _, lay, ref = _process("all_empty_rows.csv", settings, monkeypatch)
    rows = [json.loads(line) for line in lay.quarantine_rows(ref.key).read_text(encoding="utf-8").splitlines()]
    assert [(r["line"], r["stage"], r["raw"]) for r in rows] == [
        (3, "clean", {"id": " ", "name": " "}),
        (4, "clean", {"id": "NA", "name": "null"}),
    ]
