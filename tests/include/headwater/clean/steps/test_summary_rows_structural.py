"""End markers and padded page footers are structural lines, not quarantined records (layout6).

trail5 quarantined them (breaker4 #10): they inflated the quarantine ratio. An end marker alone in
its row (``EOF,,``, ``"*** END OF REPORT ***",,``, ``TRL,,``) with no row after it, and a report's
page footer padded to the table's width (``"Page 3 of 7",,``, ``"- 3 -",,``) wherever it stands, are
now counted as structural lines of their kind (``end_marker``, ``page_footer``) with their text in
the manifest's ``clean_structural``; ``rows_read`` counts the data records only, so both accounting
identities hold. An end marker followed by a row only may be one: quarantined. A one-letter ``T``
marker is a trailer only when its numbers are the column sums.
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
from headwater.report import report as run_report
from headwater.storage import read_json, read_jsonl

DATE = "2026-11-22"
BANK = "txn_id,payee,amount\nT1,Ann,10.00\nT2,Bob,20.00\nT3,Cy,30.00\n"
TRANSACTIONS = [{"txn_id": "T1", "payee": "Ann", "amount": 10.0}, {"txn_id": "T2", "payee": "Bob", "amount": 20.0},
                {"txn_id": "T3", "payee": "Cy", "amount": 30.0}]


def _run(tmp_path: Path, text: str, batch_rows: int = 50_000) -> tuple[list[dict], list[tuple[int, str]], dict, dict]:
    """(curated value rows, [(line, reason)] quarantined, manifest, report entry) of ``text`` in batches of ``batch_rows``."""
    settings = Settings(home=tmp_path / f"home{batch_rows}", landing_uri=tmp_path.as_uri(), batch_rows=batch_rows,
                        config_dir=tmp_path / "none")
    ref = FileRef(DATE, "bank.csv")
    ingest_file(text.encode(), ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, ref.date)
    curated = [{k: v for k, v in row.items() if not k.startswith("_")} for row in pq.read_table(lay.curated(ref.key)).to_pylist()]
    quarantined = sorted((r["line"], r["reason"].removeprefix("bank.csv ")) for r in read_jsonl(lay.quarantine_rows(ref.key)))
    entry = next(f for f in run_report(DATE, [ref.name], settings)["files"] if f["file"] == ref.name)
    assert entry["accounted"], entry
    return curated, quarantined, read_json(lay.manifest(ref.key)), entry


def _counts(entry: dict) -> tuple[int, int, int, int, int]:
    return entry["records"], entry["rows_read"], entry["curated"], entry["quarantined"], entry["structural_lines"]


@pytest.mark.parametrize(
    ("last", "text"),
    [("EOF,,", "EOF"), ("END,,", "END"), ('"*** END OF REPORT ***",,', "*** END OF REPORT ***"), ("TRL,,", "TRL"),
     ('"END OF FILE",,', "END OF FILE")],
)
def test_an_end_marker_alone_at_the_end_is_a_structural_line(tmp_path: Path, last: str, text: str) -> None:
    curated, quarantined, manifest, entry = _run(tmp_path, BANK + last + "\n")
    assert curated == TRANSACTIONS and quarantined == []
    assert manifest["structural"] == {"header": 1, "end_marker": 1}
    assert manifest["structural_lines"] == {"header": [1], "end_marker": [5]}
    assert manifest["clean_structural"] == [{"line": 5, "kind": "end_marker", "text": text}]
    assert manifest["clean_steps"]["summary_rows"]["structural"] == 1
    assert _counts(entry) == (5, 3, 3, 0, 2)
    assert manifest["clean_warnings"] == []


def test_an_end_marker_with_a_record_after_it_may_be_one_and_is_quarantined(tmp_path: Path) -> None:
    curated, quarantined, manifest, entry = _run(tmp_path, BANK + "EOF,,\nT4,Di,5.00\n")
    assert curated == [*TRANSACTIONS, {"txn_id": "T4", "payee": "Di", "amount": 5.0}]
    assert quarantined == [(5, "line 5: end marker 'EOF' alone in its row, but rows follow it: it may be a record — kept in quarantine")]
    assert manifest["structural"] == {"header": 1} and "clean_structural" not in manifest
    assert _counts(entry) == (6, 5, 4, 1, 1)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_end_markers_are_decided_the_same_in_any_batch_size(tmp_path: Path, size: int) -> None:
    text = BANK + "EOF,,\nT4,Di,5.00\n,,\nEND,,\n"
    assert _run(tmp_path, text, size)[:2] == _run(tmp_path, text)[:2]
    curated, quarantined, manifest, entry = _run(tmp_path, text, size)
    assert [line for line, _ in quarantined] == [5, 7]  # the blank record (line 7) is quarantined by drop_empty_rows
    assert manifest["clean_structural"] == [{"line": 8, "kind": "end_marker", "text": "END"}]
    assert _counts(entry) == (8, 6, 4, 2, 2)


def test_padded_page_footers_are_structural_with_their_text(tmp_path: Path) -> None:
    text = 'id,name,amount\n1,Ann,10\n2,Bob,20\n"Page 1 of 3",,\n3,Cy,30\n"- 2 -",,\n4,Di,40\n"Page 3/3",,\n'
    curated, quarantined, manifest, entry = _run(tmp_path, text)
    assert [row["amount"] for row in curated] == [10, 20, 30, 40] and quarantined == []
    assert manifest["structural"] == {"header": 1, "page_footer": 3}
    assert manifest["clean_structural"] == [{"line": 4, "kind": "page_footer", "text": "Page 1 of 3"},
                                            {"line": 6, "kind": "page_footer", "text": "- 2 -"},
                                            {"line": 8, "kind": "page_footer", "text": "Page 3/3"}]
    assert _counts(entry) == (8, 4, 4, 0, 4)
    assert manifest["ingest_counts"] == {"rows_read": 7, "structural": {"header": 1}, "structural_lines": {"header": [1]}}


def test_a_page_footer_then_a_total_then_an_end_marker(tmp_path: Path) -> None:
    text = BANK + '"Page 1 of 1",,\n,,60.00\n"*** END OF REPORT ***",,\n'
    curated, quarantined, manifest, entry = _run(tmp_path, text)
    assert curated == TRANSACTIONS
    assert quarantined == [(6, "line 6: summary row (unlabelled): amount=60.0 equal the column sums over the 3 rows above it — kept in "
                               "quarantine, not curated as a record")]
    assert [(s["line"], s["kind"]) for s in manifest["clean_structural"]] == [(5, "page_footer"), (7, "end_marker")]
    assert _counts(entry) == (7, 4, 3, 1, 3)


def test_clean_run_again_starts_from_ingests_counts(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none")
    ref = FileRef(DATE, "again.csv")
    ingest_file((BANK + "EOF,,\n").encode(), ref, settings)
    clean_file(ref, settings)
    clean_file(ref, settings)  # a retry of the clean task: the marker is not moved twice
    manifest = read_json(Layout(settings.data_dir, DATE).manifest(ref.key))
    assert (manifest["rows_read"], manifest["structural"]) == (3, {"header": 1, "end_marker": 1})
    assert manifest["structural_lines"]["end_marker"] == [5]


@pytest.mark.parametrize(
    ("last", "summary"),
    [("T,3,", False), ("T,,", False), ("T,3,60.00", True), ("T,,60.00", False), ("T,3,59.00", False), ("T,4,60.00", False)],
)
def test_a_lone_t_is_a_trailer_only_when_its_numbers_are_the_sums(tmp_path: Path, last: str, summary: bool) -> None:
    # ``T`` may be a size or a grade: a record count alone (3 = the 3 rows above, by chance) or one sum alone is no
    # evidence; a count and a sum together are
    curated, quarantined, manifest, entry = _run(tmp_path, BANK + last + "\n")
    assert curated[:3] == TRANSACTIONS
    if summary:
        assert len(curated) == 3 and [line for line, _ in quarantined] == [5]
        assert quarantined[0][1].startswith("line 5: summary row 'T': amount=60.0 equal the column sums")
        assert manifest["clean_warnings"] == []
    else:
        assert len(curated) == 4 and curated[3]["txn_id"] == "T" and quarantined == []
        assert manifest["clean_warnings"] == [
            "possible_summary_row: line 5: 'T' reads as a trailer or end marker, but its numbers and counts do not equal the sums "
            "or the count of the rows above it — kept as a record"]
    assert "clean_structural" not in manifest


def test_a_t_value_in_a_column_of_sizes_stays_a_record(tmp_path: Path) -> None:
    # 3 = 1 + 2 by chance: before layout6 the size T was quarantined as a trailer
    curated, quarantined, manifest, entry = _run(tmp_path, "size,qty\nS,1\nM,2\nT,3\n")
    assert [row["size"] for row in curated] == ["S", "M", "T"] and quarantined == []
    assert manifest["clean_warnings"] == [
        "possible_summary_row: line 4: 'T' reads as a trailer or end marker, but its numbers and counts do not equal the sums "
        "or the count of the rows above it — kept as a record"]


def test_a_t_trailer_with_two_sums_is_a_summary_row(tmp_path: Path) -> None:
    curated, quarantined, manifest, entry = _run(tmp_path, "sku,units,revenue\nA,10,1.50\nB,20,2.25\nT,30,3.75\n")
    assert [row["sku"] for row in curated] == ["A", "B"]
    assert quarantined == [(4, "line 4: summary row 'T': units=30, revenue=3.75 equal the column sums over the 2 rows above it — "
                               "kept in quarantine, not curated as a record")]


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("song\nHello\nEOF\n", ["Hello", "EOF"]),  # a song called EOF (breaker6 #2)
        ("word\nalpha\nbeta\nend\n", ["alpha", "beta", "end"]),
        ("step\nstart\nmiddle\nEnd\n", ["start", "middle", "End"]),
        ("status\nactive\npaused\nCash Basis only\n", ["active", "paused", "Cash Basis only"]),
        ("note\nsee index\nPage 1 of 2\n", ["see index", "Page 1 of 2"]),
    ],
)
def test_in_a_one_column_table_no_value_is_an_end_marker_or_a_footer(tmp_path: Path, text: str, values: list[str]) -> None:
    """Every value of a one-column table stands alone in its row, which is then no evidence: all stay records."""
    curated, quarantined, manifest, entry = _run(tmp_path, text)
    assert [next(iter(row.values())) for row in curated] == values and quarantined == []
    assert manifest["structural"] == {"header": 1}
    assert "clean_structural" not in manifest or manifest["clean_structural"] == []
    assert _counts(entry) == (len(values) + 1, len(values), len(values), 0, 1)
