"""The warning for numbers read with a decimal mark no value of the file decided counts every value that keeps the reason
``ambiguous_decimal_mark`` and quotes the file's own first one (breaker7 #12: ``1.234``, ``5.678``, ``(1.234)`` under
``amount: number`` all kept the reason, the warning said "2 value(s) like 2,125"); and ``coercion_failures`` lists only the
columns with a value not read (it wrote ``{"amount": 0}``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from headwater.clean.frame import build_frame
from headwater.clean.steps.base import REASON_SUFFIX
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.config.settings import Settings
from landed_files import clean_landed

DATE = "2026-11-20"
CONFIG = 'files: ["*.csv"]\nschema:\n  name: n\n  columns:\n    id: {type: integer}\n    amount: {type: number}\n'


def _warning(n: int, example: str, mark: str = ".", by: str = "default", col: str = "amount") -> str:
    return (f"{col}: {n} value(s) like {example} read with the decimal mark {mark!r} while no value of the file decided it ({by}) — "
            f"their text kept in {col}__raw; set types.decimal if that is wrong")


def _landed(tmp_path: Path, name: str, text: str) -> tuple[dict, dict]:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "n.yaml").write_text(CONFIG)
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)
    table, manifest = clean_landed(settings, DATE, name, text)
    return table.to_pydict(), manifest


def test_breaker7_every_value_with_the_reason_is_counted_and_the_files_own_value_quoted(tmp_path: Path) -> None:
    cols, manifest = _landed(tmp_path, "b_allamb.csv", "id,amount\n1,1.234\n2,5.678\n3,(1.234)\n")
    assert cols["amount"] == [1.234, 5.678, -1.234]
    assert cols["amount__raw"] == ["1.234", "5.678", "(1.234)"]
    assert cols["amount__reason"] == ["ambiguous_decimal_mark", "ambiguous_decimal_mark", "parentheses; ambiguous_decimal_mark"]
    assert _warning(3, "1.234") in manifest["clean_warnings"]  # was "2 value(s) like 2,125"
    assert manifest["coercion_failures"] == {}  # was {"amount": 0}


def test_a_file_whose_first_such_value_is_in_parentheses_quotes_it(tmp_path: Path) -> None:
    cols, manifest = _landed(tmp_path, "p.csv", "id,amount\n1,(7.250)\n2,10\n3,8.125\n")
    assert cols["amount__reason"] == ["parentheses; ambiguous_decimal_mark", None, "ambiguous_decimal_mark"]
    assert [w for w in manifest["clean_warnings"] if "decimal mark" in w] == [_warning(2, "(7.250)")]


def test_a_value_the_mark_decides_leaves_no_warning_and_no_zero_count(tmp_path: Path) -> None:
    """breaker7's a_amb.csv: 2.5 decides the mark; (1.234) keeps its text for its parentheses only."""
    cols, manifest = _landed(tmp_path, "a_amb.csv", "id,amount\n1,1.234\n2,2.5\n3,(1.234)\n")
    assert cols["amount__reason"] == [None, None, "parentheses"]
    assert not [w for w in manifest["clean_warnings"] if "decided it" in w]
    assert manifest["coercion_failures"] == {}  # was {"amount": 0}


def test_a_column_with_values_not_read_is_still_listed(tmp_path: Path) -> None:
    cols, manifest = _landed(tmp_path, "f.csv", "id,amount\n1,abc\n2,2.5\n3,(1.5)\n")
    assert cols["amount"] == [None, 2.5, -1.5] and cols["amount__raw"] == ["abc", None, "(1.5)"]
    assert manifest["coercion_failures"] == {"amount": 1}


def _frame(rows: list[list[str]]) -> pd.DataFrame:
    return build_frame(["id", "amount"], rows, list(range(2, 2 + len(rows))), "d/x.csv")[0]


def test_batches_add_up_and_the_first_batchs_value_is_quoted() -> None:
    """Three batches: every value with the reason counted (1 + 1 + 1, the second's in parentheses), the first quoted."""
    step = CoerceTypes({"id": "integer", "amount": "number"})
    reasons = []
    for rows in ([["1", "3.125"], ["2", "4"]], [["3", "(6.250)"]], [["4", "7.375"], ["5", "8"]]):
        out = step.apply(_frame(rows)).kept
        reasons += out[f"amount{REASON_SUFFIX}"].astype(object).where(out[f"amount{REASON_SUFFIX}"].notna(), None).tolist()
    assert reasons == ["ambiguous_decimal_mark", None, "parentheses; ambiguous_decimal_mark", "ambiguous_decimal_mark", None]
    assert step.provisional["amount"] == 3
    assert [w for w in step.warnings() if "decided it" in w] == [_warning(3, "3.125")]


def test_a_thousands_group_column_quotes_its_own_value() -> None:
    """The other warning of the reason (a column whose every value fits both marks, the file's mark decided by others)
    quotes the column's first such value too (it said "like 1,234" whatever the file wrote)."""
    step = CoerceTypes()
    step.apply(build_frame(["qty", "price"], [["5,678", "0,50"], ["9,012", "1,25"]], [2, 3], "d/x.csv")[0])
    [line] = [w for w in step.warnings() if w.startswith("qty:")]
    assert line.startswith("qty: 2 value(s) like 5,678 fit both decimal marks")
