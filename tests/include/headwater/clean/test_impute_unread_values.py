"""A value the file wrote and that was not read (``abc`` in an integer column) in a ``nullable: false`` column quarantines
its row before any imputation learns, and the reason quotes it (breaker10 F10, F11).

Before: ValidateSchema left the ``nullable: false`` rule of an imputed column to ValidateFilled, after Impute. Imputation
never fills a value not read, so the row was always quarantined, but only after it had fed the fit of the other columns:
in ``C1,1,10`` / ``C2,2,20`` / ``C3,abc,1000`` / ``C4,3,`` (score integer nullable: false, price mean) C4's price was
imputed 343.333333 (the mean of 10, 20 and quarantined C3's 1000), not 15; and C3's reason read ``score is missing
(nullable: false) and impute.score did not fill it`` although the file wrote ``abc``. Now ValidateSchema quarantines
such a row (imputed column or not), with ``score='abc' is not a valid integer (not_an_integer; nullable: false)``;
only a gap imputation could not fill is left to ValidateFilled.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from headwater.clean.pipeline import build_steps, run_steps
from headwater.config.settings import Settings
from headwater.config.source import SourceConfig
from headwater.layout import Layout
from headwater.manifest import FileRef
from landed_files import clean_landed

DATE = "2026-11-29"


def _clean(tmp_path: Path, config: str, text: str, **fields: object) -> tuple[dict, dict, dict]:
    """(curated columns, quarantined rows {line: (reason, raw)}, manifest) of ``text`` cleaned under source ``config``."""
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    (folder / "s.yaml").write_text(config)
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=folder, **fields)
    table, manifest = clean_landed(settings, DATE, "d.csv", text)
    path = Layout(settings.data_dir, DATE).quarantine_rows(FileRef(DATE, "d.csv").key)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    return table.to_pydict(), {r["line"]: (r["reason"], r["raw"]) for r in rows}, manifest


SCORE_PRICE = """files: ["*.csv"]
schema:
  name: s
  columns:
    id: {type: string, identifier: true}
    score: {type: integer, nullable: %s}
    price: {type: number}
impute:
  %s
"""
IMP3 = "id,score,price\nC1,1,10\nC2,2,20\nC3,abc,1000\nC4,3,\n"  # breaker10 in/imp3/d.csv


def test_breaker10_imp3_the_quarantined_row_does_not_feed_the_mean(tmp_path: Path) -> None:
    cols, quarantined, manifest = _clean(tmp_path, SCORE_PRICE % ("false", "score: {strategy: median}\n  price: {strategy: mean}"), IMP3)
    assert cols["id"] == ["C1", "C2", "C4"]
    assert cols["price"] == [10.0, 20.0, 15.0]  # was 343.333333 = mean(10, 20, 1000): C3's 1000
    assert cols["price__imputed"] == [False, False, True]
    assert quarantined == {4: (
        "d.csv line 4: fails schema s — score='abc' is not a valid integer (not_an_integer; nullable: false) — row quarantined",
        {"id": "C3", "score": "abc", "price": "1000"},
    )}  # was "score is missing (nullable: false) and impute.score did not fill it"
    assert manifest["imputed"] == {"score": 0, "price": 1}
    assert (manifest["curated"], manifest["quarantined"]) == (3, 1)
    steps = manifest["clean_steps"]
    assert steps["validate_schema"]["quarantined"] == 1 and steps["validate_filled"]["quarantined"] == 0  # was 0 and 1


# two rows not read (C3, C5) with a price of 1000 each; the valid rows' prices are 10 and 20
TWO_UNREAD = "id,score,price\nC1,1,10\nC2,2,20\nC3,abc,1000\nC4,3,\nC5,x7,1000\n"


@pytest.mark.parametrize(("strategy", "fill"), [("mean", 15.0), ("median", 15.0), ("mode", 10.0)])
@pytest.mark.parametrize("batch_rows", [2, 100])
def test_no_learned_fill_takes_in_a_row_quarantined_for_a_value_not_read(
    tmp_path: Path, strategy: str, fill: float, batch_rows: int
) -> None:
    """Before: mean 507.5, median 510, mode 1000 (over 10, 20, 1000, 1000). batch_rows=2: three batches, the two-pass fit
    spills the kept rows and fits on them."""
    config = SCORE_PRICE % ("false", f"score: {{strategy: median}}\n  price: {{strategy: {strategy}}}")
    cols, quarantined, manifest = _clean(tmp_path, config, TWO_UNREAD, batch_rows=batch_rows)
    assert cols["id"] == ["C1", "C2", "C4"]
    assert cols["price"] == [10.0, 20.0, fill]
    assert cols["price__imputed"] == [False, False, True]
    assert {n: r for n, (r, _) in quarantined.items()} == {
        4: "d.csv line 4: fails schema s — score='abc' is not a valid integer (not_an_integer; nullable: false) — row quarantined",
        6: "d.csv line 6: fails schema s — score='x7' is not a valid integer (not_an_integer; nullable: false) — row quarantined",
    }
    assert (manifest["curated"], manifest["quarantined"], manifest["imputed"]) == (3, 2, {"score": 0, "price": 1})


def test_knn_does_not_take_a_row_quarantined_for_a_value_not_read_as_a_neighbour() -> None:
    """Whole-table imputation (one pass). C3 (x=3, score not read, price 1000) is C4's nearest row on x; it is
    quarantined before KNN sees it. Before: C4's price was 1000.0, C3's, and C3 was quarantined after (validate_filled)."""
    config = SourceConfig.model_validate({
        "name": "s",
        "schema": {"columns": {"x": {"type": "number"}, "score": {"type": "integer", "nullable": False}, "price": {"type": "number"}}},
        "impute": {"score": {"strategy": "knn", "n_neighbors": 1}, "price": {"strategy": "knn", "n_neighbors": 1}},
    })
    df = pd.DataFrame({"_source": "d/d.csv", "_line": [2, 3, 4, 5], "x": ["1", "2", "3", "3"],
                       "score": ["1", "2", "abc", "3"], "price": ["10", "20", "1000", None]})
    result = run_steps(df, build_steps(config))
    assert result.curated["price"].tolist() == [10.0, 20.0, 20.0]  # the nearest valid row is C2 (x=2, score=2)
    assert result.curated["price__imputed"].tolist() == [False, False, True]
    assert result.quarantined["_line"].tolist() == [4]
    assert result.quarantined["_reason"].tolist() == [
        "line 4: fails schema s — score='abc' is not a valid integer (not_an_integer; nullable: false) — row quarantined"
    ]
    assert result.steps["validate_schema"]["quarantined"] == 1 and result.steps["validate_filled"]["quarantined"] == 0


TWO_COLUMNS = """files: ["*.csv"]
schema:
  name: s
  columns:
    id: {type: string, identifier: true}
    score: {type: integer, nullable: false}
    when: {type: date, nullable: false}
impute:
  score: {strategy: median}
  when: {strategy: mode}
"""


def test_two_nullable_false_columns_each_value_not_read_is_quoted_and_kept_out_of_the_mode(tmp_path: Path) -> None:
    """C3-C5 (score not read) write 2025-09-09 three times: before, the mode of when took it for C6's empty date (valid rows:
    2025-01-01 twice). C7's date is not read, C8's score and date neither: each is named, in schema order."""
    text = ("id,score,when\nC1,1,2025-01-01\nC2,2,2025-01-01\nC3,abc,2025-09-09\nC4,x,2025-09-09\nC5,y,2025-09-09\n"
            "C6,3,\nC7,4,2025-02-30\nC8,zz,2025-13-01\nC9,,2025-01-05\n")
    cols, quarantined, manifest = _clean(tmp_path, TWO_COLUMNS, text)
    assert cols["id"] == ["C1", "C2", "C6", "C9"]
    assert [str(d) for d in cols["when"]] == ["2025-01-01", "2025-01-01", "2025-01-01", "2025-01-05"]  # C6: was 2025-09-09
    assert cols["when__imputed"] == [False, False, True, False]
    assert cols["score"] == [1, 2, 3, 2] and cols["score__imputed"] == [False, False, False, True]  # median of 1, 2, 3
    assert {n: r for n, (r, _) in quarantined.items()} == {
        4: "d.csv line 4: fails schema s — score='abc' is not a valid integer (not_an_integer; nullable: false) — row quarantined",
        5: "d.csv line 5: fails schema s — score='x' is not a valid integer (not_an_integer; nullable: false) — row quarantined",
        6: "d.csv line 6: fails schema s — score='y' is not a valid integer (not_an_integer; nullable: false) — row quarantined",
        8: "d.csv line 8: fails schema s — when='2025-02-30' is not a valid date (invalid_calendar_date; nullable: false) — row quarantined",
        9: "d.csv line 9: fails schema s — score='zz' is not a valid integer (not_an_integer; nullable: false); "
           "when='2025-13-01' is not a valid date (not_a_date; nullable: false) — row quarantined",
    }
    assert (manifest["curated"], manifest["quarantined"]) == (4, 5)
    assert manifest["imputed"] == {"score": 1, "when": 1}


def test_a_gap_imputation_cannot_fill_still_says_so_after_imputing(tmp_path: Path) -> None:
    """Only the check that depends on a fill stays after Impute: every valid score is missing, so the median has nothing
    to learn from; C1's empty score breaks nullable: false there, C2's unread one before (both quoted as written)."""
    cols, quarantined, manifest = _clean(tmp_path, SCORE_PRICE % ("false", "score: {strategy: median}"), "id,score,price\nC1,,1\nC2,abc,2\n")
    assert cols["id"] == []
    assert {n: r for n, (r, _) in quarantined.items()} == {
        2: "d.csv line 2: fails schema s — score is missing (nullable: false) and impute.score did not fill it — row quarantined",
        3: "d.csv line 3: fails schema s — score='abc' is not a valid integer (not_an_integer; nullable: false) — row quarantined",
    }
    assert manifest["clean_steps"]["validate_schema"]["quarantined"] == 1
    assert manifest["clean_steps"]["validate_filled"]["quarantined"] == 1
    assert (manifest["curated"], manifest["quarantined"]) == (0, 2)


def test_a_nullable_false_column_without_imputation_quotes_the_value_not_read(tmp_path: Path) -> None:
    """No impute strategy: the row was quarantined before too, as ``score is missing (nullable: false)``; an empty score
    still reads so, and an NA spelling (``n/a``, kept in score__raw) is missing, not a value not read."""
    text = "id,score,price\nC1,1,10\nC2,abc,20\nC3,,30\nC4,n/a,40\n"
    cols, quarantined, manifest = _clean(tmp_path, SCORE_PRICE % ("false", "price: {strategy: none}"), text)
    assert cols["id"] == ["C1"]
    assert {n: r for n, (r, _) in quarantined.items()} == {
        3: "d.csv line 3: fails schema s — score='abc' is not a valid integer (not_an_integer; nullable: false) — row quarantined",
        4: "d.csv line 4: fails schema s — score is missing (nullable: false) — row quarantined",
        5: "d.csv line 5: fails schema s — score is missing (nullable: false) — row quarantined",
    }
    assert manifest["clean_steps"]["validate_schema"]["quarantined"] == 3


def test_a_value_not_read_in_a_nullable_column_is_kept_curated_and_not_imputed(tmp_path: Path) -> None:
    """nullable (the default): C3 breaks no rule, so it is curated, its text kept in score__raw, its score not imputed (a
    value not read is no gap), and its price is a valid value the mean takes in."""
    cols, quarantined, manifest = _clean(tmp_path, SCORE_PRICE % ("true", "score: {strategy: median}\n  price: {strategy: mean}"), IMP3)
    assert cols["id"] == ["C1", "C2", "C3", "C4"]
    assert cols["score"] == [1, 2, None, 3]
    assert cols["score__raw"] == [None, None, "abc", None] and cols["score__reason"] == [None, None, "not_an_integer", None]
    assert cols["score__imputed"] == [False, False, False, False]
    assert cols["price"][3] == pytest.approx(1030 / 3) and cols["price__imputed"] == [False, False, False, True]
    assert quarantined == {} and manifest["imputed"] == {"score": 0, "price": 1}
