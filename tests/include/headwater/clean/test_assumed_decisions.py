"""A decision the decision sample held no evidence for is an assumption: rows read ahead decide it (breaker3 #6).

A date-sorted ``dd/mm/yyyy`` log whose first ``DECISION_ROWS`` rows fall on days 1-12 shows no day
order in its sample; the runner (headwater.clean.runner) reads ahead until a row shows it
(``13/01/2025``) and every row of the file, the sample's included, is read under that one order.
The same for a decimal mark no value of the sample decided (``1,234``) and a later ``1,5``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from headwater.clean import runner
from headwater.config.settings import Settings
from landed_files import clean_landed

DATE = "2026-11-22"

# breaker3 in9/dayorder_sorted.csv: lines 2-5 fall on days 1-12, lines 6-7 show the day comes first
SORTED = "ref,visit_date,amount\nR1,01/01/2025,1.5\nR2,02/01/2025,2.5\nR3,05/01/2025,3.5\nR4,12/01/2025,4.5\nR5,13/01/2025,5.5\nR6,25/01/2025,6.5\n"
SORTED_DAYS = [date(2025, 1, d) for d in (1, 2, 5, 12, 13, 25)]


def _clean(home: Path, text: str, batch_rows: int, name: str = "late.csv") -> tuple[list[dict], dict]:
    """(curated rows without _source/_row_id, the manifest) of ``text`` cleaned in batches of ``batch_rows``."""
    settings = Settings(home=home, landing_uri=home.as_uri(), config_dir=home / "none", batch_rows=batch_rows)
    table, manifest = clean_landed(settings, DATE, name, text)
    return [{k: v for k, v in r.items() if k not in ("_source", "_row_id")} for r in table.to_pylist()], manifest


def _spill_left(home: Path) -> list[str]:
    return [p.name for p in home.rglob("*") if ".ahead." in p.name]


@pytest.mark.parametrize("batch_rows", [1, 2, 3, 4, 5, 100])
def test_a_date_sorted_log_is_read_day_first_from_its_first_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_rows: int) -> None:
    monkeypatch.setattr(runner, "DECISION_ROWS", 4)  # the sample (lines 2-5) holds days 1-12 only
    rows, manifest = _clean(tmp_path, SORTED, batch_rows)
    assert [r["visit_date"] for r in rows] == SORTED_DAYS
    assert all("visit_date__raw" not in r for r in rows)
    assert [r["amount"] for r in rows] == [1.5, 2.5, 3.5, 4.5, 5.5, 6.5]
    assert manifest["value_formats"]["dayfirst"] is True
    assert manifest["value_formats"]["dayfirst_votes"] == {"day_first": 1, "month_first": 0}  # the first value read ahead
    assert manifest["value_formats"]["decided_after_sample"] == {
        "dayfirst": {"line": 6, "column": "visit_date", "value": "13/01/2025", "decided": True}
    }
    assert manifest["clean_warnings"] == [
        "visit_date: the day order (day first) was decided by line 6 (13/01/2025), after the decision sample (to line 5), "
        "which held values that read two ways and none that showed it: the file was read ahead to that line and every date "
        "of the file is read day first"
    ]
    assert manifest["curated"] == 6
    assert _spill_left(tmp_path) == []


def test_a_month_first_date_read_ahead_decides_month_first_and_no_text_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "DECISION_ROWS", 2)
    rows, manifest = _clean(tmp_path, "k,d\na,03/04/2025\nb,05/06/2025\nc,04/13/2025\nd,02/01/2025\n", 1)
    assert [r["d"] for r in rows] == [date(2025, 3, 4), date(2025, 5, 6), date(2025, 4, 13), date(2025, 2, 1)]
    assert all("d__raw" not in r for r in rows)
    assert manifest["value_formats"]["decided_after_sample"]["dayfirst"] == {"line": 4, "column": "d", "value": "04/13/2025", "decided": False}


def test_evidence_many_batches_after_the_sample_decides_and_the_batches_between_wait_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "DECISION_ROWS", 2)
    days = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 30]  # line 13 (30/03) is the first to show the order
    text = "k,d\n" + "".join(f"r{i},{d:02d}/03/2025\n" for i, d in enumerate(days))
    rows, manifest = _clean(tmp_path, text, 3)
    assert [r["d"] for r in rows] == [date(2025, 3, d) for d in days]
    assert all("d__raw" not in r for r in rows)
    assert manifest["clean_batches"] == 4 and manifest["curated"] == 12
    assert manifest["value_formats"]["decided_after_sample"]["dayfirst"]["line"] == 13
    assert _spill_left(tmp_path) == []


def test_a_file_that_never_shows_the_day_order_keeps_the_assumption_and_every_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "DECISION_ROWS", 2)
    rows, manifest = _clean(tmp_path, "k,d\na,03/04/2025\nb,05/06/2025\nc,07/08/2025\nd,01/01/2025\n", 1)
    assert [(r["d"], r.get("d__raw")) for r in rows] == [
        (date(2025, 3, 4), "03/04/2025"), (date(2025, 5, 6), "05/06/2025"), (date(2025, 7, 8), "07/08/2025"), (date(2025, 1, 1), None),
    ]
    assert "decided_after_sample" not in manifest["value_formats"]
    assert manifest["clean_warnings"] == [
        "d: 3 value(s) like 03/04/2025 read month first (4 March 2025) while no value of the file had shown the day order (as 13/04/2025 "
        "does); set types.dayfirst if that is wrong — the value is stored, its text kept in d__raw"
    ]


@pytest.mark.parametrize("batch_rows", [1, 2, 10])
def test_a_decimal_mark_shown_after_the_sample_decides_the_mark_and_the_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_rows: int) -> None:
    monkeypatch.setattr(runner, "DECISION_ROWS", 2)  # 1,234 and 2,500 fit both marks: integers under '.', numbers under ','
    rows, manifest = _clean(tmp_path, 'id,amount\n1,"1,234"\n2,"2,500"\n3,"1,5"\n4,7\n', batch_rows)
    assert [r["amount"] for r in rows] == [1.234, 2.5, 1.5, 7.0]
    assert all("amount__raw" not in r for r in rows)
    assert manifest["column_types"]["amount"] == "number"
    assert manifest["value_formats"]["decimal"] == "," and manifest["value_formats"]["decimal_decided_by"] == "votes"
    assert manifest["value_formats"]["decided_after_sample"] == {"decimal": {"line": 4, "column": "amount", "value": "1,5", "decided": ","}}
    assert manifest["clean_warnings"] == [
        "amount: the decimal mark (',') was decided by line 4 (1,5), after the decision sample (to line 3), which held values "
        "that read two ways and none that showed it: the file was read ahead to that line and every number of the file is read with ','"
    ]


def test_a_decimal_point_shown_after_the_sample_of_a_semicolon_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "DECISION_ROWS", 2)  # a ';' file assumes the decimal comma until a value decides
    rows, manifest = _clean(tmp_path, "id;amount\n1;1.234\n2;2.500\n3;1.5\n", 1)
    assert [(r["amount"], r.get("amount__raw")) for r in rows] == [(1.234, None), (2.5, None), (1.5, None)]
    assert manifest["value_formats"]["decimal"] == "."


def test_a_first_batch_of_exactly_the_sample_reads_ahead_when_it_may_assume(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "DECISION_ROWS", 3)  # batch size = DECISION_ROWS: the fast path, where the steps decide themselves
    rows, _ = _clean(tmp_path, "k,d\na,03/04/2025\nb,05/06/2025\nc,07/08/2025\nd,13/04/2025\n", 3)
    assert [(r["d"], r.get("d__raw")) for r in rows] == [
        (date(2025, 4, 3), None), (date(2025, 6, 5), None), (date(2025, 8, 7), None), (date(2025, 4, 13), None),
    ]


def test_a_visit_log_of_100200_rows_sorted_by_date_is_read_day_first_at_the_real_sample_size(tmp_path: Path) -> None:
    assert runner.DECISION_ROWS == 100_000
    # breaker3 in19/gen.py: rows 1..100,000 fall on 1-12 January, the rest on 13-14 January
    lines = ["visit_id,visit_date,amount"]
    for i in range(100_200):
        day = 1 + i * 12 // 100_000 if i < 100_000 else 13 + (i - 100_000) // 100
        lines.append(f"V{i},{day:02d}/01/2025,{i % 97}.5")
    rows, manifest = _clean(tmp_path, "\n".join(lines) + "\n", 100_000)
    dates = [r["visit_date"] for r in rows]
    assert len(dates) == 100_200 and {d.month for d in dates} == {1} and {d.year for d in dates} == {2025}
    assert (dates[0], dates[99_999], dates[100_000], dates[-1]) == (date(2025, 1, 1), date(2025, 1, 12), date(2025, 1, 13), date(2025, 1, 14))
    assert all("visit_date__raw" not in r for r in rows[:10])
    assert manifest["value_formats"]["decided_after_sample"]["dayfirst"] == {
        "line": 100_002, "column": "visit_date", "value": "13/01/2025", "decided": True
    }
