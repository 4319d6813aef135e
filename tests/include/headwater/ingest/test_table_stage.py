"""Issue 9 items 1-10 and 22 end to end: ingest + clean + the run report, on one landing date.

Each file's curated values and column names, its manifest's table fields and structural lines,
and the report's identity (records = curated + duplicates + quarantined + structural lines).
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from headwater.clean.stage import clean as clean_file
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.report import format_report, report as run_report
from headwater.storage import read_json, write_json

DATE = "2026-03-01"


def run(settings: Settings, name: str, data: bytes) -> tuple[dict, pd.DataFrame, dict]:
    """(manifest, curated values without bookkeeping columns but _line, report entry) of one file through ingest and clean."""
    ref = FileRef(DATE, name)
    ingest_file(data, ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, DATE)
    manifest = read_json(lay.manifest(ref.key))
    curated = pd.read_parquet(lay.curated(ref.key)).drop(columns=["_row_id", "_source"])
    entry = next(f for f in run_report(DATE, [name], settings)["files"] if f["file"] == name)
    assert entry["accounted"] and entry["records"] == entry["curated"] + entry["duplicates"] + entry["quarantined"] + entry["structural_lines"]
    return manifest, curated, entry


def values(df: pd.DataFrame) -> list[dict]:
    return [{k: (None if v is None or (not isinstance(v, str) and pd.isna(v)) else v) for k, v in r.items()} for r in df.to_dict("records")]


def test_single_column_reviews(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "reviews.csv", b"review\nNice fit, runs large\nColour faded, sent back\n")
    assert values(curated) == [{"_line": 2, "review": "Nice fit, runs large"}, {"_line": 3, "review": "Colour faded, sent back"}]
    assert (manifest["delimiter"], manifest["table"]["single_column"], manifest["structural"]) == (None, True, {"header": 1})
    assert (entry["records"], entry["rows_read"], entry["structural_lines"]) == (3, 2, 1)


def test_no_header_keeps_the_first_record_under_generic_names(settings: Settings) -> None:
    manifest, curated, entry = run(settings, "k.csv", b"K-17,2025-03-01,Quito,3.10\nK-18,2025-03-01,Accra,8.00\n")
    assert values(curated) == [
        {"_line": 1, "column_1": "K-17", "column_2": dt.date(2025, 3, 1), "column_3": "Quito", "column_4": 3.1},
        {"_line": 2, "column_1": "K-18", "column_2": dt.date(2025, 3, 1), "column_3": "Accra", "column_4": 8.0},
    ]
    assert (manifest["table"]["header"], manifest["header"], manifest["structural"]) == ("none found", ["column_1", "column_2", "column_3", "column_4"], {})
    assert (entry["records"], entry["curated"]) == (2, 2)


def test_preamble_and_sep_line_are_structural_and_kept_in_the_manifest(settings: Settings) -> None:
    data = b"sep=;\nSales report Q1;;\nPeriod: 2025-01-01 to 2025-03-31;;\n;;\nid;city;amount\n1;Quito;3.5\n2;Accra;8\n"
    manifest, curated, entry = run(settings, "sales.csv", data)
    assert values(curated) == [{"_line": 6, "id": "1", "city": "Quito", "amount": 3.5}, {"_line": 7, "id": "2", "city": "Accra", "amount": 8.0}]
    assert manifest["structural"] == {"sep": 1, "preamble": 2, "blank": 1, "header": 1}
    assert manifest["structural_lines"] == {"sep": [1], "preamble": [2, 3], "blank": [4], "header": [5]}
    assert manifest["table"]["preamble"] == [{"line": 2, "text": "Sales report Q1;;"}, {"line": 3, "text": "Period: 2025-01-01 to 2025-03-31;;"}]
    assert (manifest["table"]["header"], manifest["delimiter"], manifest["records"], manifest["lines"]) == ("line 5", ";", 7, 7)
    assert (entry["records"], entry["structural_lines"], entry["rows_read"]) == (7, 5, 2)


def test_repeated_headers_do_not_stop_a_column_from_being_typed(settings: Settings) -> None:
    rows = b"".join(b"%d,%d.5\n" % (i, i) for i in range(1, 5))
    again = b"".join(b"%d,%d.25\n" % (i + 10, i) for i in range(1, 5))
    data = b"id,amount\n" + rows + b"\xef\xbb\xbfid,amount\n" + again + b"id,amount\n"
    settings = settings.model_copy(update={"batch_rows": 2})
    manifest, curated, _ = run(settings, "concat.csv", data)
    assert curated["amount"].tolist() == [1.5, 2.5, 3.5, 4.5, 1.25, 2.25, 3.25, 4.25]
    assert manifest["column_types"]["amount"] == "number"
    assert "id" not in curated["id"].tolist() and "amount" not in manifest.get("coercion_failures", {})
    assert (manifest["structural"], manifest["structural_lines"]["repeated_header"]) == ({"header": 1, "repeated_header": 2}, [6, 11])


def test_width_fixes_load_the_rows_and_say_so(settings: Settings) -> None:
    manifest, curated, _ = run(settings, "rnames.csv", b"name,score\n1,Ann,3\n2,Bo,4\n3,Cy,5\n")
    assert values(curated) == [
        {"_line": 2, "column_1": 1, "column_2": "Ann", "column_3": 3},
        {"_line": 3, "column_1": 2, "column_2": "Bo", "column_3": 4},
        {"_line": 4, "column_1": 3, "column_2": "Cy", "column_3": 5},
    ]
    assert manifest["table"]["width_note"] == "the header has 2 names, data lines 3 fields: names not matched to fields, loaded as column_1..column_3"
    manifest, curated, entry = run(settings, "trailing.csv", b"id,name\r\n1,Ann,\r\n2,Bob,\r\nx,y,z\r\n")
    assert values(curated) == [{"_line": 2, "id": "1", "name": "Ann"}, {"_line": 3, "id": "2", "name": "Bob"}]
    assert (manifest["table"]["trailing_fields_dropped"], entry["quarantined"]) == (2, 1)
    lay = Layout(settings.data_dir, DATE)
    rows = [json.loads(line) for line in lay.quarantine_rows("trailing.csv").read_text().splitlines()]
    assert [(r["line"], r["reason"]) for r in rows] == [(4, "trailing.csv line 4: 3 fields, header has 2 — row quarantined")]


def test_multi_row_header_and_second_table(settings: Settings) -> None:
    data = b",Sales,,Returns,\nRegion,Q1,Q2,Q1,Q2\nNorth,1,2,3,4\nSouth,5,6,7,8\n\nRegion,Staff,Stores,Vans,Bikes\nNorth,3,1,2,9\n"
    manifest, curated, entry = run(settings, "two.csv", data)
    assert list(curated.columns) == ["_line", "region", "sales_q1", "sales_q2", "returns_q1", "returns_q2"]
    assert curated["sales_q1"].tolist() == [1, 5]
    assert manifest["table"]["second_table"] == {"line": 6, "header": ["Region", "Staff", "Stores", "Vans", "Bikes"]}
    assert (entry["records"], entry["curated"], entry["quarantined"], manifest["structural"]) == (7, 2, 2, {"header": 2, "blank": 1})


def test_bare_cr_in_a_field_keeps_later_line_numbers_true(settings: Settings) -> None:
    data = b"id,text,user\n1,hello\rworld,bob\n2,plain,amy\n3,x\ry\rz,cy\n4,last,di\n"
    manifest, curated, _ = run(settings, "tweets.csv", data)
    assert curated["_line"].tolist() == [2, 3, 4, 5]
    lay = Layout(settings.data_dir, DATE)
    staged = pd.read_parquet(lay.staging("tweets.csv"))
    assert staged["c1"].tolist() == ["hello\rworld", "plain", "x\ry\rz", "last"]  # as read; clean normalizes text after
    assert (manifest["records"], manifest["lines"]) == (5, 5)


@pytest.mark.parametrize(("data", "structural"), [(b"", {}), (b"\n\n", {"blank": 2}), (b"id,name\n", {"header": 1})])
def test_a_file_with_no_rows_is_empty(settings: Settings, data: bytes, structural: dict) -> None:
    ref = FileRef(DATE, "nothing.csv")
    info = ingest_file(data, ref, settings)
    assert (info["status"], info["rows_read"], info["records"], info["structural"]) == ("empty", 0, sum(structural.values()), structural)
    info = clean_file(ref, settings)
    assert (info["status"], info["curated"], info["quarantined"]) == ("empty", 0, 0)


def test_the_report_fails_a_file_whose_records_do_not_add_up(settings: Settings) -> None:
    ref = FileRef(DATE, "pre.csv")
    ingest_file(b"Title\nid,amount\n1,2\n", ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, DATE)
    manifest = read_json(lay.manifest(ref.key))
    assert (manifest["records"], manifest["structural"]) == (3, {"preamble": 1, "header": 1})
    manifest["structural"] = {"header": 1}  # the preamble line lost: a record unaccounted for
    write_json(lay.manifest(ref.key), manifest)
    result = run_report(DATE, ["pre.csv"], settings)
    assert result["failed"] == [f"{DATE}/pre.csv"] and not result["files"][0]["accounted"]
    assert result["files"][0]["error"].endswith(
        f"{DATE}/pre.csv: 3 records in the file, but 1 data records + 1 structural lines = 2: a record is unaccounted for"
    )
    table = format_report(result)
    assert "records struct   read curated" in table and "pre.csv" in table


def test_the_report_fails_a_file_whose_outputs_another_overwrote(settings: Settings) -> None:
    lay = Layout(settings.data_dir, DATE)
    for name in ("a.csv", "b.csv"):
        ref = FileRef(DATE, name)
        ingest_file(b"id,amount\n1,2\n3,4\n" if name == "a.csv" else b"id,amount\n9,9\n", ref, settings)
        clean_file(ref, settings)
    for key in ("a.csv", "b.csv"):  # the chunk and embed stages are not what this checks
        manifest = read_json(lay.manifest(key))
        manifest["stages"] |= {"chunk": {}, "embed": {}}
        write_json(lay.manifest(key), manifest)
    assert run_report(DATE, ["a.csv", "b.csv"], settings)["failed"] == []
    lay.curated("a.csv").write_bytes(lay.curated("b.csv").read_bytes())  # b's curated table written over a's
    write_json(lay.manifest("b.csv"), read_json(lay.manifest("a.csv")))  # and a's manifest over b's
    result = run_report(DATE, ["a.csv", "b.csv"], settings)
    assert result["failed"] == [f"{DATE}/a.csv", f"{DATE}/b.csv"]
    errors = {f["file"]: f["error"] for f in result["files"]}
    assert errors["a.csv"] == f"{DATE}/a.csv: the curated table holds 1 rows, the manifest says 2 — overwritten by another file?"
    # the manifest owner check (headwater.manifest.check_owner) names both files
    assert errors["b.csv"].startswith(f"{DATE}/b.csv: its output key 'b.csv' belongs to {DATE}/a.csv (")
