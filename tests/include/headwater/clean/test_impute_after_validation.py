"""Imputation learns from the rows schema validation lets through, and a row is never quarantined for a value
Headwater filled in (breaker9 #7).

Before: Impute ran before ValidateSchema, over rows validation then quarantined. A valid record with an empty ``score``
was filled with the median of out-of-range scores (1000) and quarantined for ``score=1000 breaks max 10``, a value the
file never wrote; a median was pulled by rejected rows (4 instead of 5); the manifest said ``imputed {'score': 0}``.
Now ValidateSchema runs first (a column imputation fills is checked for ``nullable: false`` after imputing, by
ValidateFilled), and a fill that breaks the column's rules is not written (warned).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from headwater.clean.pipeline import build_steps, run_steps
from headwater.clean.steps.validate import rule_broken
from headwater.config.schema import ColumnSpec
from headwater.config.settings import Settings
from headwater.config.source import SourceConfig
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.metrics import _quarantine_reasons
from landed_files import clean_landed

DATE = "2026-11-30"
SCHEMA = """files: ["*.csv"]
schema:
  name: s
  columns:
    customer_id: {type: string, identifier: true, nullable: false, pattern: '^[A-Z]-\\d{4}$'}
    country: {type: string, allowed: [DE, FR, "NO"]}
    score: {type: integer, min: 0, max: 10%s}
    email: {type: string, max_length: 12}
impute:
  %s
"""


def _clean(tmp_path: Path, text: str, impute: str = "score: {strategy: median}", score_rule: str = "", **fields: object):
    """(curated columns, quarantined rows {line: (reason, raw)}, manifest) of ``text`` cleaned under SCHEMA."""
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "s.yaml").write_text(SCHEMA % (score_rule, impute))
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config, **fields)
    table, manifest = clean_landed(settings, DATE, "a.csv", text)
    path = Layout(settings.data_dir, DATE).quarantine_rows(FileRef(DATE, "a.csv").key)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    return table.to_pydict(), {r["line"]: (r["reason"], r["raw"]) for r in rows}, manifest


CFG9 = (
    "customer_id,country,score,email\nA-0001,DE,5,a@b.de\nA-0002,DE,5,a@b.de\nA-0003,NO,,c@d.no\n"
    "A-0004,Norway,1000,x@y.fr\nA-0005,Sweden,1000,e@f.no\nA-0006,Spain,1000,e@f.no\n"
)


def test_breaker9_cfg9_a_valid_record_is_imputed_from_valid_rows_and_curated(tmp_path: Path) -> None:
    cols, quarantined, manifest = _clean(tmp_path, CFG9)
    assert cols["customer_id"] == ["A-0001", "A-0002", "A-0003"]  # A-0003 was quarantined: "score=1000 breaks max 10"
    assert cols["score"] == [5, 5, 5]  # median of the valid 5, 5; was 1000 (median of 5, 5, 1000, 1000, 1000)
    assert cols["score__imputed"] == [False, False, True]
    assert manifest["imputed"] == {"score": 1}  # was {"score": 0}
    assert sorted(quarantined) == [5, 6, 7]
    assert quarantined[5] == (
        "a.csv line 5: fails schema s — country='Norway' breaks allowed ['DE', 'FR', 'NO']; score=1000 breaks max 10 — row quarantined",
        {"customer_id": "A-0004", "country": "Norway", "score": "1000", "email": "x@y.fr"},
    )
    assert manifest["quarantined"] == 3 and manifest["curated"] == 3
    assert not [w for w in manifest["clean_warnings"] if "not imputed" in w]


def test_breaker9_cfg8_the_median_is_not_pulled_by_rows_quarantined_for_any_column(tmp_path: Path) -> None:
    text = ("customer_id,country,score,email\nA-0001,DE,5,a@b.de\na-0002,de,11,averyveryverylong@example.com\nA-0003,NO,,c@d.no\n"
            ",FR,3,x@y.fr\nA-0005,Norway,-1,e@f.no\n")
    cols, quarantined, manifest = _clean(tmp_path, text)
    assert cols["customer_id"] == ["A-0001", "A-0003"]
    assert cols["score"] == [5, 5]  # was 4 = median(5, 11, 3, -1): 3 is a row quarantined for a missing id
    assert cols["score__imputed"] == [False, True]
    assert manifest["imputed"] == {"score": 1}
    assert quarantined[5][0] == "a.csv line 5: fails schema s — customer_id is missing (nullable: false) — row quarantined"
    assert sorted(quarantined) == [3, 5, 6]


# valid rows score 1, 2, 3 and one empty; three rows whose id breaks the pattern score 9 (and are quarantined for it)
PATTERN = ("customer_id,country,score,email\nA-0001,DE,1,a@b.de\nbad-1,DE,9,a@b.de\nA-0002,FR,2,a@b.de\nbad-2,DE,9,a@b.de\n"
           "A-0003,NO,,a@b.de\nbad-3,DE,9,a@b.de\nA-0004,DE,3,a@b.de\n")


@pytest.mark.parametrize(("strategy", "fill"), [("median", 2), ("mean", 2), ("mode", 1)])
@pytest.mark.parametrize("batch_rows", [2, 100])
def test_a_pattern_broken_in_another_column_keeps_the_row_out_of_the_fit(tmp_path: Path, strategy: str, fill: int, batch_rows: int) -> None:
    """Before: median/mean/mode over 1, 9, 2, 9, 9, 3 gave 6, 6 (5.5 rounded half to even), 9. batch_rows=2: 4 batches,
    the two-pass fit spills the kept rows and fits on them."""
    cols, quarantined, manifest = _clean(tmp_path, PATTERN, f"score: {{strategy: {strategy}}}", batch_rows=batch_rows)
    assert cols["customer_id"] == ["A-0001", "A-0002", "A-0003", "A-0004"]
    assert cols["score"] == [1, 2, fill, 3]
    assert cols["score__imputed"] == [False, False, True, False]
    assert manifest["imputed"] == {"score": 1}
    assert {n: r for n, (r, _) in quarantined.items()} == {
        n: f"a.csv line {n}: fails schema s — customer_id='bad-{k}' breaks pattern ^[A-Z]-\\d{{4}}$ — row quarantined"
        for k, n in ((1, 3), (2, 5), (3, 7))
    }
    if batch_rows == 2:
        assert manifest["clean_batches"] == 4


def test_a_string_column_s_mode_is_learned_from_valid_rows(tmp_path: Path) -> None:
    """country's mode among all rows is XX (3 rows, which break allowed); among valid rows, FR."""
    text = ("customer_id,country,score,email\nA-0001,FR,1,a@b.de\nA-0002,XX,1,a@b.de\nA-0003,XX,1,a@b.de\nA-0004,,1,a@b.de\n"
            "A-0005,XX,1,a@b.de\nA-0006,FR,1,a@b.de\nA-0007,DE,1,a@b.de\n")
    cols, quarantined, manifest = _clean(tmp_path, text, "country: {strategy: mode}", batch_rows=3)
    assert cols["customer_id"] == ["A-0001", "A-0004", "A-0006", "A-0007"]
    assert cols["country"] == ["FR", "FR", "FR", "DE"]  # the old fill: XX, and A-0004 quarantined for "country='XX' breaks allowed"
    assert cols["country__imputed"] == [False, True, False, False]
    assert manifest["imputed"] == {"country": 1}
    assert sorted(quarantined) == [3, 4, 6]


def test_nullable_false_column_with_an_impute_strategy_is_checked_after_filling(tmp_path: Path) -> None:
    """The user asked to fill score: an empty score that imputation fills passes nullable: false."""
    text = "customer_id,country,score,email\nA-0001,DE,4,a@b.de\nA-0002,DE,,a@b.de\nA-0003,DE,6,a@b.de\n"
    cols, quarantined, manifest = _clean(tmp_path, text, score_rule=", nullable: false")
    assert cols["score"] == [4, 5, 6] and cols["score__imputed"] == [False, True, False]
    assert quarantined == {} and manifest["imputed"] == {"score": 1}


def test_nullable_false_gap_imputation_cannot_fill_is_quarantined_for_what_the_file_wrote(tmp_path: Path) -> None:
    """No valid row has a score to learn from: the empty score stays empty, and the row breaks nullable: false —
    not, as before, ``score=1000 breaks max 10`` (the median of the rejected rows)."""
    text = "customer_id,country,score,email\nA-0001,DE,,a@b.de\nA-0002,Spain,1000,a@b.de\nA-0003,Spain,1000,a@b.de\n"
    cols, quarantined, manifest = _clean(tmp_path, text, score_rule=", nullable: false")
    assert cols["customer_id"] == []
    assert quarantined[2] == (
        "a.csv line 2: fails schema s — score is missing (nullable: false) and impute.score did not fill it — row quarantined",
        {"customer_id": "A-0001", "country": "DE", "score": None, "email": "a@b.de"},
    )
    assert sorted(quarantined) == [2, 3, 4]
    assert manifest["clean_steps"]["validate_filled"]["quarantined"] == 1
    assert manifest["imputed"] == {"score": 0}
    assert _quarantine_reasons(manifest, tmp_path / "none.jsonl") == {"schema": 3}  # the metric's class, not "validate_filled"


def test_a_fill_that_breaks_the_columns_rule_is_not_written_and_is_warned(tmp_path: Path) -> None:
    """allowed [1, 3]: the mean of 1 and 3 is 2, which the column does not allow. The cell stays missing, the row is
    curated (it was quarantined for ``score=2 breaks allowed [1, 3]``, a value Headwater wrote)."""
    text = "customer_id,country,score,email\nA-0001,DE,1,a@b.de\nA-0002,DE,,a@b.de\nA-0003,DE,3,a@b.de\n"
    cols, quarantined, manifest = _clean(tmp_path, text, "score: {strategy: mean}", score_rule=", allowed: [1, 3]")
    assert cols["customer_id"] == ["A-0001", "A-0002", "A-0003"]
    assert cols["score"] == [1, None, 3] and cols["score__imputed"] == [False, False, False]
    assert quarantined == {} and manifest["imputed"] == {"score": 0}
    assert ("score: 1 missing value(s) not imputed — the mean fill 2 breaks allowed [1, 3] of the schema, and a value Headwater "
            "fills in must pass the rules its row is validated by; left missing (no score__imputed)") in manifest["clean_warnings"]


def test_a_constant_that_breaks_max_is_not_written(tmp_path: Path) -> None:
    text = "customer_id,country,score,email\nA-0001,DE,1,a@b.de\nA-0002,DE,,a@b.de\n"
    cols, quarantined, manifest = _clean(tmp_path, text, "score: {strategy: constant, value: 99}")
    assert cols["score"] == [1, None] and cols["score__imputed"] == [False, False]
    assert quarantined == {}
    assert [w for w in manifest["clean_warnings"] if "not imputed" in w] == [
        "score: 1 missing value(s) not imputed — the constant fill 99 breaks max 10 of the schema, and a value Headwater fills "
        "in must pass the rules its row is validated by; left missing (no score__imputed)"
    ]


def test_steps_validate_before_imputing() -> None:
    config = SourceConfig.model_validate({
        "name": "s", "schema": {"columns": {"a": {"type": "number", "nullable": False}, "b": {"type": "number", "nullable": False}}},
        "impute": {"a": "median"},
    })
    names = [s.name for s in build_steps(config)]
    assert names[-3:] == ["validate_schema", "impute", "validate_filled"]
    plain = SourceConfig.model_validate({"name": "s", "schema": {"columns": {"a": {"type": "number"}}}, "impute": {"a": "median"}})
    assert [s.name for s in build_steps(plain)][-2:] == ["validate_schema", "impute"]  # no nullable: false column filled


def test_knn_learns_from_validated_rows_only() -> None:
    """Whole-table imputation (one pass): the row nearest the gap (x=10.4, y=7) breaks a pattern in another column and
    is quarantined before KNN sees it; before, it was the one neighbour and the gap got 7."""
    config = SourceConfig.model_validate({
        "name": "s",
        "schema": {"columns": {"code": {"type": "string", "pattern": "^[A-Z]+$"}, "x": {"type": "number"}, "y": {"type": "number"}}},
        "impute": {"y": {"strategy": "knn", "n_neighbors": 1}},
    })
    df = pd.DataFrame({"_source": "d/a.csv", "_line": [2, 3, 4, 5], "code": ["A", "B", "C", "bad"],
                       "x": ["1", "10", "10.5", "10.4"], "y": ["5", "100", None, "7"]})
    result = run_steps(df, build_steps(config))
    assert result.curated["y"].tolist() == [5.0, 100.0, 100.0]  # the nearest valid row is x=10; was 7.0 (x=10.4, quarantined)
    assert result.curated["y__imputed"].tolist() == [False, False, True]
    assert result.quarantined["_line"].tolist() == [5]


@pytest.mark.parametrize(
    ("spec", "value", "broken"),
    [
        (ColumnSpec("s", type="integer", min=0, max=10), 11, "max 10"),
        (ColumnSpec("s", type="integer", min=0, max=10), -1, "min 0"),
        (ColumnSpec("s", type="integer", min=0, max=10), 10, None),
        (ColumnSpec("s", type="number", allowed=[1, 3]), 2.0, "allowed [1, 3]"),
        (ColumnSpec("s", type="number", allowed=[1, 3]), 3.0, None),
        (ColumnSpec("s", pattern=r"^[A-Z]-\d{4}$"), "a-1", "pattern ^[A-Z]-\\d{4}$"),
        (ColumnSpec("s", max_length=3), "abcd", "max_length 3"),
        (ColumnSpec("s", max_length=3), None, None),
    ],
)
def test_rule_broken_names_the_rule_as_validation_does(spec: ColumnSpec, value: object, broken: str | None) -> None:
    assert rule_broken(spec, value) == broken
