"""Decisions a column's values make (ambiguous NA spellings, day order, decimal mark, type) never depend on the batch size.

The runner (headwater.clean.runner) decides them on the file's first ``DECISION_ROWS`` rows in file
order, whatever the batch size; rows after that sample that contradict a decision keep their text in
``<col>__raw`` with a reason, and the manifest says so (fidelity gap 1 of the new-user break test).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from headwater.clean import runner
from headwater.config.settings import Settings
from landed_files import clean_landed

DATE = "2026-11-21"


def _clean(tmp_path: Path, text: str, batch_rows: int) -> tuple[list[dict], dict]:
    """(curated rows without bookkeeping columns, the manifest's decision fields) of ``text`` cleaned in batches of ``batch_rows``."""
    settings = Settings(home=tmp_path / f"home{batch_rows}", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "none",
                        batch_rows=batch_rows)
    table, manifest = clean_landed(settings, DATE, "late.csv", text)
    rows = [{k: v for k, v in row.items() if k != "_source"} for row in table.to_pylist()]
    keys = ("column_types", "value_formats", "na_spellings", "na_kept_as_data", "na_ambiguous", "clean_warnings", "curated")
    return rows, {k: manifest[k] for k in keys}


FILES = {
    # "-" first, numbers after: "-" alone in a first batch looked like text
    "dash_then_numbers": "id,score\n1,-\n2,12\n3,15\n4,?\n5,20\n",
    # 03/04/2025 reads two ways; 13/04/2025 (line 3) shows the day comes first
    "day_order_late": "id,day\n1,03/04/2025\n2,13/04/2025\n3,05/06/2025\n",
    # integers first, words after: the type taken on the first rows vs. on the column
    "type_changes": "id,n\n1,1\n2,2\n3,abc\n4,xyz\n5,qrs\n",
    # 2,125 reads two ways; 0,5 (line 4) shows the decimal comma
    "decimal_late": "id;amount\n1;2,125\n2;7\n3;0,5\n",
    # NA in a column of codes: one code first, then more codes
    "na_code_late": "id,region\n1,NA\n2,EU\n3,AS\n4,OC\n",
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_same_file_in_any_batch_size_gives_the_same_outputs(tmp_path: Path, name: str) -> None:
    text = FILES[name]
    n = text.count("\n") - 1
    results = [_clean(tmp_path, text, size) for size in range(1, n + 2)]
    for size, result in enumerate(results, start=1):
        assert result == results[-1], f"batch size {size}"


def test_a_dash_before_the_numbers_is_missing_with_its_text_kept(tmp_path: Path) -> None:
    rows, manifest = _clean(tmp_path, FILES["dash_then_numbers"], 1)
    assert [(r["score"], r.get("score__raw"), r.get("score__reason")) for r in rows] == [
        (None, "-", "na_spelling"), (12, None, None), (15, None, None), (None, "?", "na_spelling"), (20, None, None),
    ]
    assert manifest["column_types"] == {"id": "string", "score": "integer"}  # id: an identifier stays text
    assert manifest["na_ambiguous"] == {"score": {"nulled": {"-": 1, "?": 1}}}


def test_a_date_that_reads_two_ways_takes_the_day_order_a_later_row_shows(tmp_path: Path) -> None:
    import datetime as dt

    rows, manifest = _clean(tmp_path, FILES["day_order_late"], 1)
    assert [r["day"] for r in rows] == [dt.date(2025, 4, 3), dt.date(2025, 4, 13), dt.date(2025, 6, 5)]
    assert [r.get("day__raw") for r in rows] == [None, None, None]
    assert manifest["value_formats"]["dayfirst"] is True


def test_a_column_whose_later_rows_are_words_stays_text(tmp_path: Path) -> None:
    rows, manifest = _clean(tmp_path, FILES["type_changes"], 2)
    assert [r["n"] for r in rows] == ["1", "2", "abc", "xyz", "qrs"]
    assert manifest["column_types"]["n"] == "string"


def test_rows_after_the_decision_sample_that_contradict_it_keep_their_text_and_are_warned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "DECISION_ROWS", 3)  # the first 3 rows decide; lines 5-6 come after them
    text = "id,n\n1,1\n2,2\n3,3\n4,four\n5,5\n"
    for size in (1, 2, 6):
        rows, manifest = _clean(tmp_path / f"s{size}", text, size)
        assert [(r["n"], r.get("n__raw")) for r in rows] == [(1, None), (2, None), (3, None), (None, "four"), (5, None)]
        assert manifest["column_types"]["n"] == "integer"
        assert [w for w in manifest["clean_warnings"] if w.startswith("n:")] == [
            "n: 1 value(s) after line 4 (the rows that decided the column's type, integer) are not a valid integer — kept in n__raw",
            "n: 1 of 5 values (20%) are not a valid integer (inferred type), line(s) 5 — missing in the column, their text kept in n__raw",
        ]
