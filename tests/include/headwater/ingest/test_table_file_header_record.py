"""A bank file's record-type header line (``HDR,20260301,ACME BANK``) above the column names is a named
structural line, and the column names are the header (breaker4 #11)."""

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


def _run(tmp_path: Path, text: str) -> tuple[list[dict], list[int], dict, list[str], dict]:
    """(curated value rows, quarantined lines, structural counts, all warnings, accounting) of ``text``."""
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri())
    ref = FileRef("2026-11-22", "bank.csv")
    ingest_file(text.encode(), ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, ref.date)
    curated = [{k: v for k, v in r.items() if not k.startswith("_")} for r in pq.read_table(lay.curated(ref.key)).to_pylist()]
    manifest = read_json(lay.manifest(ref.key))
    warnings = [*manifest.get("read_warnings", []), *manifest.get("clean_warnings", [])]
    counts = {k: manifest[k] for k in ("records", "rows_read", "curated", "quarantined")}
    return curated, sorted(r["line"] for r in read_jsonl(lay.quarantine_rows(ref.key))), manifest["structural"], warnings, counts


@pytest.mark.parametrize("record_type", ["HDR", "H", "HEADER"])
def test_a_record_type_header_line_above_the_column_names(tmp_path: Path, record_type: str) -> None:
    # the breaker's in13/bank_hdr_trl.csv
    text = f"{record_type},20260301,ACME BANK\ntxn_id,payee,amount\nT1,Ann,10.00\nT2,Bob,20.00\nT3,Cy,30.00\nTRL,3,60.00\n"
    curated, quarantined, structural, warnings, counts = _run(tmp_path, text)
    assert curated == [{"txn_id": "T1", "payee": "Ann", "amount": 10.0}, {"txn_id": "T2", "payee": "Bob", "amount": 20.0},
                       {"txn_id": "T3", "payee": "Cy", "amount": 30.0}]
    assert quarantined == [6]  # the trailer
    assert structural == {"file_header_record": 1, "header": 1}
    assert warnings == []
    assert counts == {"records": 6, "rows_read": 4, "curated": 3, "quarantined": 1}


def test_a_title_above_column_names_still_warns(tmp_path: Path) -> None:
    # no record type: the first line stays the header and the warning names the fix (the existing reading)
    text = "REPORT,20260301,ACME BANK\ntxn_id,payee,amount\nT1,Ann,10.00\nT2,Bob,20.00\nT3,Cy,30.00\n"
    curated, _, structural, warnings, _ = _run(tmp_path, text)
    assert "file_header_record" not in structural
    assert len(curated) == 4 and any("reads as column names too" in w for w in warnings)
