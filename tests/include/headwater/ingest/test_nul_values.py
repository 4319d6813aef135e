"""NUL characters in values (breaker 3, finding 3): the value as written is kept in ``<col>__raw``, and the lines named.

``B\\x00ob`` was curated as ``Bob`` with no ``name__raw`` (the NULs removed while decoding, one file-level count);
a NUL inside a value can be a separator of a fixed-width or C export (``B\\x00ob`` may be two fields). The reader
now keeps the NUL, the clean stage removes it as a control character with the original in ``__raw``
(``normalized: control``, as a byte-order mark in the middle of a file), and the warning names the lines.
Also the cut last line (finding 2) through the stage: quarantined, the accounting whole.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from headwater.clean.stage import clean as clean_file
from headwater.config.read import ReadOptions
from headwater.config.settings import Settings
from headwater.ingest.csv_file import parse_csv
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json

DATE = "2026-03-01"
KEPT = "kept in the values as read — cleaning removes them (a control character) and keeps each value as written in <col>__raw (normalized: control)"


def _clean(tmp_path: Path, name: str, data: bytes) -> tuple[pa.Table, dict]:
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none")
    ref = FileRef(DATE, name)
    ingest_file(data, ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, DATE)
    return pq.read_table(lay.curated(ref.key)), read_json(lay.manifest(ref.key))


def test_the_reports_example_keeps_each_original_in_raw(tmp_path: Path) -> None:
    table, manifest = _clean(tmp_path, "nul.csv", b"id,name,amount\n1,Ann,10\n2,B\x00ob,20\n3,Cy\x00\x00,30\n")
    rows = table.select(["_line", "name", "name__raw", "name__reason", "amount"]).to_pylist()
    assert rows == [
        {"_line": 2, "name": "Ann", "name__raw": None, "name__reason": None, "amount": 10},
        {"_line": 3, "name": "Bob", "name__raw": "B\x00ob", "name__reason": "normalized: control", "amount": 20},
        {"_line": 4, "name": "Cy", "name__raw": "Cy\x00\x00", "name__reason": "normalized: control", "amount": 30},
    ]
    assert f"3 NUL byte(s) (records on lines 3, 4): {KEPT}" in manifest["read_warnings"]


def test_a_nul_in_a_number_keeps_its_original(tmp_path: Path) -> None:
    table, _ = _clean(tmp_path, "pad.csv", b"id,qty\n1,5\n2,7\x00\n3,9\n")
    assert table.select(["qty", "qty__raw"]).to_pylist() == [
        {"qty": 5, "qty__raw": None}, {"qty": 7, "qty__raw": "7\x00"}, {"qty": 9, "qty__raw": None},
    ]


@pytest.mark.parametrize("engine", ["arrow", "python"])
def test_lines_are_named_in_both_engines(engine: str) -> None:
    body = "".join(f"{i},name {i}\n" if i not in (40, 77) else f"{i},na\x00me {i}\n" for i in range(1, 101))
    parsed = parse_csv(("id,name\n" + body).encode(), "x.csv", ReadOptions(engine=engine))
    assert parsed.records[39] == ["40", "na\x00me 40"] and parsed.records[76] == ["77", "na\x00me 77"]
    assert parsed.warnings == [f"2 NUL byte(s) (records on lines 41, 78): {KEPT}"]


def test_a_nul_in_the_header_is_removed_from_the_name_and_said() -> None:
    parsed = parse_csv(b"id,na\x00me\n1,Ann\n", "x.csv")
    assert parsed.header == ["id", "name"]
    assert parsed.warnings == [f"1 NUL byte(s) (in the header: removed from its names): {KEPT}"]


def test_a_last_line_without_a_line_end_is_curated_and_warned_through_the_stage(tmp_path: Path) -> None:
    table, manifest = _clean(tmp_path, "truncated.csv", b"order_id,customer,amount\nO-1,Ann,10.50\nO-2,Bob,20.00\nO-3,Cy,3")
    assert table.select(["order_id", "amount"]).to_pylist() == [
        {"order_id": "O-1", "amount": 10.5}, {"order_id": "O-2", "amount": 20.0}, {"order_id": "O-3", "amount": 3.0},
    ]
    assert (manifest["records"], manifest["curated"], manifest["quarantined"], manifest["structural"]) == (4, 3, 0, {"header": 1})
    assert [w for w in manifest["read_warnings"] if "no_line_terminator" in w] == [
        "line 4, the last line, has no line terminator while every line above it ends with one (no_line_terminator): read as a "
        "record, but the file may be incomplete (still being written, or cut in transfer) — check that line's last value, "
        "or drop the complete file again"
    ]
