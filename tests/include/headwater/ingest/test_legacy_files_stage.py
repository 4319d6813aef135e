"""Files of old systems end to end (breaker 4, findings 12, 13, 5, 21, 23): ingest + clean + the run report's accounting."""

from __future__ import annotations

import pandas as pd

from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.report import report as run_report
from headwater.storage import read_json

DATE = "2026-03-01"


def run(settings: Settings, name: str, data: bytes) -> tuple[dict, list[dict], dict]:
    """(manifest, curated rows without bookkeeping columns, report entry) of one file through ingest and clean."""
    ref = FileRef(DATE, name)
    info = ingest_file(data, ref, settings)
    lay = Layout(settings.data_dir, DATE)
    entry_of = lambda: next(f for f in run_report(DATE, [name], settings)["files"] if f["file"] == name)  # noqa: E731
    if info["status"] == "quarantined":
        return read_json(lay.manifest(ref.key)), [], entry_of()
    clean_file(ref, settings)
    curated = pd.read_parquet(lay.curated(ref.key)).drop(columns=["_row_id", "_source", "_line"])
    entry = entry_of()
    assert entry["accounted"] and entry["records"] == entry["curated"] + entry["duplicates"] + entry["quarantined"] + entry["structural_lines"]
    return read_json(lay.manifest(ref.key)), curated.to_dict("records"), entry


def test_a_dos_file_with_its_ctrl_z_is_curated_with_the_marker_a_structural_line(settings: Settings) -> None:
    data = "id,name,amount\r\n1,José,10\r\n2,Bob,20\r\n\x1a".encode("cp850")
    manifest, rows, entry = run(settings, "ctrlz.csv", data)
    assert rows == [{"id": "1", "name": "José", "amount": 10}, {"id": "2", "name": "Bob", "amount": 20}]  # ids stay text
    assert (manifest["encoding"], manifest["records"], manifest["quarantined"], manifest["structural"]) == (
        "cp850", 4, 0, {"header": 1, "end_of_file_marker": 1}
    )
    assert manifest["structural_lines"]["end_of_file_marker"] == [4] and manifest["read_warnings"] == []
    assert (entry["curated"], entry["quarantined"], entry["structural_lines"]) == (2, 0, 2)


def test_a_ctrl_z_after_the_last_value_is_a_structural_piece_and_the_value_is_as_written(settings: Settings) -> None:
    # layout6 (breaker4 #21's remaining case): the Ctrl-Z glued to 60.00 is no character of the value; it is counted as a
    # structural end_of_file_marker on line 4, so nothing written is dropped unaccounted
    data = b"id,name,amount\r\n1,Ann,10.00\r\n2,Bob,20.00\r\n3,Cy,60.00\x1a"
    manifest, rows, entry = run(settings, "glued.csv", data)
    assert [r["amount"] for r in rows] == [10.0, 20.0, 60.0] and "amount__raw" not in rows[0]
    assert (manifest["records"], manifest["lines"], manifest["rows_read"], manifest["structural"]) == (
        5, 4, 3, {"header": 1, "end_of_file_marker": 1}
    )
    assert manifest["structural_lines"]["end_of_file_marker"] == [4] and manifest["table"]["end_of_file_marker_removed"] == 4
    assert manifest["read_warnings"] == []
    assert (entry["records"], entry["curated"], entry["quarantined"], entry["structural_lines"]) == (5, 3, 0, 2)


def test_an_ebcdic_export_is_curated_not_empty(settings: Settings) -> None:
    data = "ID,NAME,CITY,AMOUNT\nC1,SMITH,LONDON,100\nC2,JONES,LEEDS,200\n".encode("cp037")
    manifest, rows, entry = run(settings, "ebcdic_cp037.csv", data)
    assert manifest["status"] == "ok" and manifest["encoding"] == "cp037"
    assert [(r["id"], r["name"], r["city"]) for r in rows] == [("C1", "SMITH", "LONDON"), ("C2", "JONES", "LEEDS")]
    assert (entry["records"], entry["curated"]) == (3, 2)


def test_an_rtf_table_is_quarantined_whole(settings: Settings) -> None:
    data = b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Calibri;}}\r\n\\pard id,name,amount\\par\r\n1,Ann,10\\par\r\n}\r\n"
    manifest, rows, _ = run(settings, "orders_rtf.csv", data)
    assert manifest["status"] == "quarantined" and rows == []
    assert "RTF content with a CSV name, not a CSV table — file quarantined" in manifest["error"]
