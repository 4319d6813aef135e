"""A decimal vote cast by a value its column's declared type refuses adds doubt but never settles a reading (breaker9 #4).

Before: in ``qty: integer``, ``12.5`` (refused: ``not_an_integer``) cast the column's only vote, for '.', and ``1.000`` was
then stored as 1 with no ``__raw``, no reason and no warning (without ``12.5`` it keeps its text). Now, when every vote for
the column's mark comes from values the column refuses, a value that fits both marks keeps its text
(``ambiguous_decimal_mark``, warned), as with no vote at all. The votes still count (a first attempt dropped them, and an
integer column whose refused values write a decimal comma lost the kept text of ``1,204`` and ``5.`` read with the file's
'.': commit 0fef89b): a refused vote may make a column read another mark than the file's (``decimal_mark_differs_from_file``,
every value with a separator keeps its text), and a mark any accepted value voted for is settled as before.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from headwater.clean.frame import build_frame
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.clean.values import accepted_marks, ambiguous_decimal, fits_both_marks
from headwater.config.settings import Settings
from landed_files import clean_landed

DATE = "2026-11-28"
CONFIG = 'files: ["*.csv"]\nschema:\n  name: s\n  columns:\n    sku: string\n    qty: integer\n    price: number\n'


def _landed(tmp_path: Path, text: str) -> tuple[dict, dict]:
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "s.yaml").write_text(CONFIG)
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)
    table, manifest = clean_landed(settings, DATE, "q.csv", text)
    return table.to_pydict(), manifest


def _unsettled(n: int, example: str, refused: str, mark: str, col: str = "qty", kind: str = "integer") -> str:
    return (f"{col}: {n} value(s) like {example} fit both decimal marks, and the only values of the column that voted for its "
            f"mark {mark!r} are values its type refuses (like {refused}: not a valid {kind} under {mark!r}): read with {mark!r} "
            f"unproven — their text kept in {col}__raw (ambiguous_decimal_mark); set schema.columns.{col}.decimal if that is wrong")


def test_breaker9_4_a_refused_point_vote_leaves_1_000_its_text(tmp_path: Path) -> None:
    cols, manifest = _landed(tmp_path, "sku,qty\nA,1.000\nB,12.5\nC,750\n")  # breaker9 in/dec/f_int_decided_by_bad.csv
    assert cols["qty"] == [1, None, 750]
    assert cols["qty__raw"] == ["1.000", "12.5", None]  # was [None, "12.5", None]: 1.000 stored as 1 silently
    assert cols["qty__reason"] == ["ambiguous_decimal_mark", "not_an_integer", None]
    assert _unsettled(1, "1.000", "12.5", ".") in manifest["clean_warnings"]
    assert manifest["value_formats"]["decimal_votes"] == {".": 1, ",": 0}  # the vote still counts


def test_a_refused_comma_vote_leaves_1_000_its_text(tmp_path: Path) -> None:
    """``4,5`` votes ',' and is no integer under it; ``1.000`` read under ',' is 1000 (was stored so, silently)."""
    cols, manifest = _landed(tmp_path, 'sku,qty\nA,1.000\nB,"4,5"\nC,750\nD,"0,125"\n')
    assert cols["qty"] == [1000, None, 750, None]
    assert cols["qty__raw"] == ["1.000", "4,5", None, "0,125"]
    assert cols["qty__reason"] == ["ambiguous_decimal_mark", "not_an_integer", None, "not_an_integer"]
    assert _unsettled(1, "1.000", "4,5", ",") in manifest["clean_warnings"]


def test_a_mark_an_accepted_value_voted_for_is_settled_as_before(tmp_path: Path) -> None:
    """``1,000.00`` is an integer under '.', the mark it votes for: with it, 12.5's refused vote is not alone."""
    cols, manifest = _landed(tmp_path, 'sku,qty\nA,1.000\nB,12.5\nC,"1,000.00"\n')
    assert cols["qty"] == [1, None, 1000]
    assert cols["qty__raw"] == [None, "12.5", None]
    assert not [w for w in manifest["clean_warnings"] if "fit both decimal marks" in w]


def test_a_number_column_refuses_no_value_that_votes(tmp_path: Path) -> None:
    """``12.5`` is a number under '.': the column's vote settles ``1.000`` as 1.0, as before."""
    cols, manifest = _landed(tmp_path, "sku,price\nA,1.000\nB,12.5\nC,750\n")
    assert cols["price"] == [1.0, 12.5, 750.0]
    assert "price__raw" not in cols
    assert not [w for w in manifest["clean_warnings"] if "fit both decimal marks" in w]


def test_a_refused_vote_for_another_mark_than_the_files_still_adds_doubt(tmp_path: Path) -> None:
    """The case that made the first attempt revert: qty's refused values (``0,125``, ``4,5``) write a decimal comma while
    price decided '.'; qty is read with the file's '.', and every value with a separator keeps its text (not settled)."""
    text = 'sku,qty,price\nA,"0,125",3.99\nB,"4,5",12.50\nC,"1,204",1.25\nD,5.,2.75\nE,7,0.5\n'
    cols, manifest = _landed(tmp_path, text)
    assert cols["qty"] == [None, None, 1204, 5, 7]
    assert cols["qty__raw"] == ["0,125", "4,5", "1,204", "5.", None]
    assert cols["qty__reason"] == ["not_an_integer", "not_an_integer", "decimal_mark_differs_from_file",
                                   "decimal_mark_differs_from_file", None]


def test_an_undeclared_column_s_votes_refuse_nothing(tmp_path: Path) -> None:
    """No declared type, nothing refuses: ``12.5`` decides '.', the column is a number column, 1.000 is 1.0."""
    cols, manifest = _landed(tmp_path, "sku,n\nA,1.000\nB,12.5\nC,750\n")
    assert cols["n"] == [1.0, 12.5, 750.0]
    assert "n__raw" not in cols


def test_a_later_batch_whose_only_vote_is_refused_settles_nothing() -> None:
    """Run alone, batch by batch: price decides '.' in the first batch, where qty has no vote. In the second, qty's only
    vote is 12.5's (refused): 1.000 keeps its text, as it does in a second batch with no vote at all."""
    step = CoerceTypes({"sku": "string", "qty": "integer", "price": "number"})
    first, _ = build_frame(["sku", "qty", "price"], [["A", "750", "3.99"]], [2], "d/b.csv")
    step.apply(first)
    second, _ = build_frame(["sku", "qty", "price"], [["B", "12.5", "1"], ["C", "1.000", "2"]], [3, 4], "d/b.csv")
    out = step.apply(second).kept
    cells = {c: [None if pd.isna(v) else v for v in out[c].tolist()] for c in ("qty", "qty__raw", "qty__reason")}
    assert cells == {
        "qty": [None, 1],
        "qty__raw": ["12.5", "1.000"],  # was ["12.5", None]: 1.000 stored as 1 silently
        "qty__reason": ["not_an_integer", "ambiguous_decimal_mark"],
    }
    assert _unsettled(1, "1.000", "12.5", ".") in step.warnings()


def test_accepted_marks_names_the_marks_a_taken_value_voted_for() -> None:
    values = pd.Series(["1.000", "12.5", "750", "0,125", "4,5", "1,000.00", "12.0", "5."], dtype="string")
    assert accepted_marks(values, "integer") == ({"."}, {",": "0,125"})  # 1,000.00, 12.0 and 5. are integers under '.'
    assert accepted_marks(values.iloc[:5], "integer") == (set(), {".": "12.5", ",": "0,125"})
    assert accepted_marks(values, "number") == ({".", ","}, {})
    assert accepted_marks(values.iloc[:5], None, ",") == ({","}, {})


def test_accepted_marks_looks_past_the_first_chunk() -> None:
    """300 refused voters (x.5) before the one integer that votes '.' (7.0): the mark is taken, found in the second chunk."""
    values = pd.Series([f"{i}.5" for i in range(300)] + ["7.0"], dtype="string")
    assert accepted_marks(values, "integer", ".") == ({"."}, {})
    assert accepted_marks(values.iloc[:300], "integer", ".") == (set(), {".": "0.5"})


def test_fits_both_marks_gives_the_per_value_answer_for_every_shape() -> None:
    """fits_both_marks answers one mark between digits that cannot be a thousands group (12.5, 0,125) without parsing it
    (the values a column whose mark is unsettled now looks at); every shape gets ambiguous_decimal's answer."""
    shapes = {f"{pad}{a}{m}{b}{pad}" for a in ("0", "1", "12", "123", "1234", "01", "+1", "-12", "+123", "-0")
              for m in ".," for b in ("0", "5", "00", "12", "125", "000", "1234", "12345") for pad in ("", " ")}
    shapes |= {"1,234.5", "1.234,5", "1,234,567", "$1,234", "1 234", "(1,234)", "1,234%", "\u0661\u066c\u0662\u0663\u0664", "1.2.3"}
    values = sorted(shapes)
    got = fits_both_marks([pd.Series(values, dtype="string")])[0].tolist()
    assert got == [bool(re.search(r"\d[.,]\d", v)) and ambiguous_decimal(v.strip()) for v in values]
    assert sum(got) > 20  # 1,234, -1.000, +123,000 ... are among them
