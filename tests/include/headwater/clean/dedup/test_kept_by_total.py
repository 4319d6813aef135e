"""Identical rows that the file's own summary row counts are records, not duplicates (headwater.clean.dedup.exact).

Reproduction from the second new-user break test (notes/breaker2 finding 7: in12/pos_sales.csv, a
till export with no transaction id: three identical Coffee lines, a Bagel, ``Total,,,4,12.75``) and
invented variants: subtotal blocks, a grand total, and totals written over the merged rows (the
copies are duplicates as before).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import pyarrow.parquet as pq

from headwater.clean.pipeline import build_steps, run_steps
from headwater.clean.stage import clean as clean_file
from headwater.clean.steps.base import LINE, SOURCE
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json

HEADER = ["date", "store", "item", "qty", "price"]
COFFEE = ["2025-03-01", "S1", "Coffee", "1", "3.50"]
BAGEL = ["2025-03-01", "S1", "Bagel", "1", "2.25"]
POS = [COFFEE, COFFEE, BAGEL, COFFEE, ["Total", "", "", "4", "12.75"]]  # in12/pos_sales.csv


def _clean(rows: list[list[str]]):
    df = pd.DataFrame(rows, columns=HEADER, dtype="string")
    df[LINE] = range(2, 2 + len(df))
    df[SOURCE] = "2026-11-20/pos.csv"
    steps = build_steps()
    result = run_steps(df, steps)
    exact = next(s for s in steps if s.name == "exact_duplicates")
    return result, exact.warnings()


def _lines(frame: pd.DataFrame) -> list[int]:
    return frame[LINE].tolist() if len(frame) else []


def test_breaker_till_lines_counted_by_the_total_stay_curated() -> None:
    result, warnings = _clean(POS)
    assert _lines(result.curated) == [2, 3, 4, 5] and _lines(result.duplicates) == [] and _lines(result.quarantined) == [6]
    assert result.curated["qty"].sum() == 4 and result.curated["price"].sum() == 12.75
    assert result.steps["exact_duplicates"] == {"in": 4, "kept": 4, "quarantined": 0, "duplicates": 0, "kept_by_total": 2}
    assert warnings == ["duplicates_kept_by_total: line 6: summary row 'Total' (qty=4, price=12.75) counts 2 identical row(s) "
                        "(lines 3, 5) as records: kept as curated, not merged"]


def test_a_total_that_reconciles_with_the_merged_rows_leaves_the_copies_duplicates() -> None:
    # the export repeated a line by mistake and its total counts it once (Coffee + Bagel = 2, 5.75): the row
    # does not sum the rows as written, so it is no summary row (data, as before) and the copy is a duplicate
    result, warnings = _clean([COFFEE, COFFEE, BAGEL, ["Total", "", "", "2", "5.75"]])
    assert _lines(result.curated) == [2, 4, 5] and _lines(result.duplicates) == [3] and _lines(result.quarantined) == []
    assert "kept_by_total" not in result.steps["exact_duplicates"] and warnings == []


def test_subtotals_and_a_grand_total_count_the_copies_of_their_blocks() -> None:
    muffin = ["2025-03-01", "S1", "Muffin", "2", "5.00"]
    rows = [COFFEE, COFFEE, ["Subtotal", "", "", "2", "7.00"], BAGEL, muffin, ["Subtotal", "", "", "3", "7.25"],
            ["Grand total", "", "", "5", "14.25"]]
    result, warnings = _clean(rows)
    assert _lines(result.curated) == [2, 3, 5, 6] and _lines(result.duplicates) == [] and _lines(result.quarantined) == [4, 7, 8]
    # the subtotal keeps the Coffee copy; the grand total does not count it a second time (one warning per kept copy,
    # whichever batch the grand total is in)
    assert [w.split(":")[1].strip() for w in warnings] == ["line 4"]
    assert result.steps["exact_duplicates"]["kept_by_total"] == 1


def test_no_summary_row_identical_rows_are_duplicates_as_before() -> None:
    result, warnings = _clean([COFFEE, COFFEE, BAGEL, COFFEE])
    assert _lines(result.curated) == [2, 4] and _lines(result.duplicates) == [3, 5] and warnings == []


def test_the_stage_keeps_the_counted_copies_and_warns_in_the_manifest(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri())
    ref = FileRef("2026-11-20", "pos_sales.csv")
    text = "\n".join(",".join(r) for r in [HEADER, *POS]) + "\n"
    ingest_file(text.encode(), ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, "2026-11-20")
    assert pq.read_table(lay.curated(ref.key)).select(["item", "qty"]).to_pydict() == {
        "item": ["Coffee", "Coffee", "Bagel", "Coffee"], "qty": [1, 1, 1, 1]}
    manifest = read_json(lay.manifest(ref.key))
    assert (manifest["rows_read"], manifest["curated"], manifest["duplicates"], manifest["quarantined"]) == (5, 4, 0, 1)
    assert [w for w in manifest["clean_warnings"] if w.startswith("duplicates_kept_by_total")] == [
        "duplicates_kept_by_total: line 6: summary row 'Total' (qty=4, price=12.75) counts 2 identical row(s) (lines 3, 5) "
        "as records: kept as curated, not merged"]


# ------------------------------------------------------------------ across batches (the stage, small batch_rows)

KEPT_WARNING = ("duplicates_kept_by_total: line 6: summary row 'Total' (qty=4, price=12.75) counts 2 identical row(s) (lines 3, 5) "
                "as records: kept as curated, not merged")


def _stage(tmp_path: Path, rows: list[list[str]], batch_rows: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Ingest and clean ``rows`` (under HEADER) as pos.csv with ``batch_rows``: (curated, duplicates, manifest)."""
    settings = Settings(home=tmp_path / f"home{batch_rows}", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none",
                        batch_rows=batch_rows)
    ref = FileRef("2026-11-20", "pos.csv")
    ingest_file(("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n").encode(), ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, "2026-11-20")
    dups = lay.duplicates(ref.key)
    return (pq.read_table(lay.curated(ref.key)).to_pandas(), pq.read_table(dups).to_pandas() if dups.exists() else pd.DataFrame(),
            read_json(lay.manifest(ref.key)))


def _counts(manifest: dict) -> tuple:
    return (manifest["rows_read"], manifest["curated"], manifest["duplicates"], manifest["quarantined"],
            manifest["clean_steps"]["exact_duplicates"].get("kept_by_total", 0))


@pytest.mark.parametrize("batch_rows", [1, 2, 3, 4, 5])
def test_copies_counted_by_a_total_in_a_later_batch_stay_curated(tmp_path: Path, batch_rows: int) -> None:
    # batch_rows 1-4: the Total (line 6) is in another batch than the copies (lines 3, 5) and their partner (line 2)
    curated, dups, manifest = _stage(tmp_path, POS, batch_rows)
    assert sorted(curated["_line"]) == [2, 3, 4, 5] and len(dups) == 0
    assert (curated["qty"].sum(), round(float(curated["price"].sum()), 2)) == (4, 12.75)
    assert _counts(manifest) == (5, 4, 0, 1, 2)
    assert [w for w in manifest["clean_warnings"] if w.startswith("duplicates_")] == [KEPT_WARNING]
    assert len(set(curated["_row_id"])) == 2  # the copies keep their content's id: three Coffee rows, one id


@pytest.mark.parametrize("batch_rows", [1, 2, 3, 4])
def test_copies_a_total_does_not_count_are_duplicates_whatever_the_batch_size(tmp_path: Path, batch_rows: int) -> None:
    # the total was written over the merged rows (Coffee + Bagel = 2, 5.75): it sums no rows as written, so it is data,
    # and the copy is a duplicate; a later Coffee line in another batch too
    rows = [COFFEE, COFFEE, BAGEL, ["Total", "", "", "2", "5.75"], COFFEE]
    curated, dups, manifest = _stage(tmp_path, rows, batch_rows)
    assert sorted(curated["_line"]) == [2, 4, 5] and sorted(dups["_line"]) == [3, 6]
    assert set(dups["_duplicate_of"]) == set(curated.loc[curated["_line"] == 2, "_row_id"])
    assert _counts(manifest) == (5, 3, 2, 0, 0)
    assert [w for w in manifest["clean_warnings"] if w.startswith("duplicates_")] == []


@pytest.mark.parametrize("batch_rows", [1, 2, 3, 7, 50])
def test_subtotals_and_a_grand_total_across_batches(tmp_path: Path, batch_rows: int) -> None:
    # the subtotal (line 4) counts the Coffee copy of its block; the second block's Muffin copy (line 7) is counted
    # by its subtotal (line 8); the grand total (line 9) sums the whole file
    muffin = ["2025-03-01", "S1", "Muffin", "2", "5.00"]
    rows = [COFFEE, COFFEE, ["Subtotal", "", "", "2", "7.00"], muffin, muffin, ["Subtotal", "", "", "4", "10.00"],
            ["Grand total", "", "", "6", "17.00"]]
    curated, dups, manifest = _stage(tmp_path, rows, batch_rows)
    assert sorted(curated["_line"]) == [2, 3, 5, 6] and len(dups) == 0
    assert _counts(manifest) == (7, 4, 0, 3, 2)
    assert [w.split(":")[1].strip() for w in manifest["clean_warnings"] if w.startswith("duplicates_kept_by_total")] == [
        "line 4", "line 7"]


@pytest.mark.parametrize("batch_rows", [1, 2, 4])
def test_copies_before_a_subtotal_that_does_not_count_them_wait_for_the_grand_total(tmp_path: Path, batch_rows: int) -> None:
    # the first block repeats Coffee with qty 0 and price 0 (no number to count: a plain duplicate); the Bagel
    # copies of block two are counted by the grand total only (block two has no subtotal)
    zero = ["2025-03-01", "S1", "Refill", "0", "0.00"]
    rows = [COFFEE, zero, zero, ["Subtotal", "", "", "1", "3.50"], BAGEL, BAGEL, ["Grand total", "", "", "3", "8.00"]]
    curated, dups, manifest = _stage(tmp_path, rows, batch_rows)
    assert sorted(curated["_line"]) == [2, 3, 6, 7] and sorted(dups["_line"]) == [4]
    assert _counts(manifest) == (7, 4, 1, 2, 1)
    assert [w for w in manifest["clean_warnings"] if w.startswith("duplicates_kept_by_total")] == [
        "duplicates_kept_by_total: line 8: summary row 'Grand total' (qty=3, price=8.0) counts 1 identical row(s) (lines 7) "
        "as records: kept as curated, not merged"]


def test_a_file_without_a_total_gives_its_copies_as_duplicates_at_the_end(tmp_path: Path) -> None:
    rows = [COFFEE, COFFEE, BAGEL, COFFEE, BAGEL]
    for batch_rows in (1, 2, 10):
        curated, dups, manifest = _stage(tmp_path, rows, batch_rows)
        assert sorted(curated["_line"]) == [2, 4] and sorted(dups["_line"]) == [3, 5, 6], batch_rows
        assert _counts(manifest) == (5, 2, 3, 0, 0)
