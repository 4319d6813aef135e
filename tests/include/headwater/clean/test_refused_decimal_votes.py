"""A value its column's declared type refuses casts no decimal vote (breaker9 #4).

Before: in ``qty: integer``, ``12.5`` (refused: ``not_an_integer``) cast the file's only vote for '.', and ``1.000`` was then
stored as 1 with no ``__raw`` and no reason. Now ``12.5`` votes nothing: with no other vote ``1.000`` keeps its text
(``ambiguous_decimal_mark``, warned), as it does in a file without ``12.5``. A ``number`` column refuses no value that
votes (a value votes a mark only when it reads as a number under that mark alone); an undeclared column's type is inferred
under the mark the votes decide, so its values vote as before.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from headwater.clean.values import decimal_votes, refused_by, refused_votes
from headwater.config.settings import Settings
from landed_files import clean_landed

DATE = "2026-11-29"
CONFIG = 'files: ["*.csv"]\nschema:\n  name: s\n  columns:\n    sku: string\n    qty: integer\n    price: number\n'


def _clean(tmp_path: Path, name: str, text: str, config: str = CONFIG, **fields: object) -> tuple[dict, dict]:
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    (folder / "s.yaml").write_text(config)
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=folder, **fields)
    table, manifest = clean_landed(settings, DATE, name, text)
    return table.to_pydict(), manifest


DEFAULT_WARNING = ("qty: 1 value(s) like 1.000 read with the decimal mark '.' while no value of the file decided it (default) — "
                   "their text kept in qty__raw; set types.decimal if that is wrong")


@pytest.mark.parametrize("batch_rows", [1, 2, 100])
def test_breaker9_a_refused_integer_decides_no_mark(tmp_path: Path, batch_rows: int) -> None:
    cols, manifest = _clean(tmp_path, "f.csv", "sku,qty\nA,1.000\nB,12.5\nC,750\n", batch_rows=batch_rows)
    assert cols["qty"] == [1, None, 750]
    assert cols["qty__raw"] == ["1.000", "12.5", None]  # 1.000 had no __raw
    assert cols["qty__reason"] == ["ambiguous_decimal_mark", "not_an_integer", None]
    formats = manifest["value_formats"]
    assert (formats["decimal"], formats["decimal_decided_by"], formats["decimal_votes"]) == (".", "default", {".": 0, ",": 0})  # was votes, {".": 1}
    assert DEFAULT_WARNING in manifest["clean_warnings"]


def test_a_refused_decimal_comma_decides_no_mark_either(tmp_path: Path) -> None:
    """``12,5`` in an integer column voted ',' and made ``1.000`` 1000, silently; now '.' by default, text kept."""
    cols, manifest = _clean(tmp_path, "g.csv", 'sku,qty\nA,1.000\nB,"12,5"\nC,750\n')
    assert cols["qty"] == [1, None, 750]  # was [1000, None, 750]
    assert cols["qty__raw"] == ["1.000", "12,5", None]
    assert cols["qty__reason"] == ["ambiguous_decimal_mark", "not_an_integer", None]
    assert manifest["value_formats"]["decimal_votes"] == {".": 0, ",": 0}  # was {",": 1}
    assert DEFAULT_WARNING in manifest["clean_warnings"]


def test_a_refused_value_does_not_decide_its_own_columns_mark(tmp_path: Path) -> None:
    """price decides '.' for the file; qty's own only vote was 12.5, which decided the column: 1.000 -> 1 silently. Now
    the column's own values decide nothing and 1.000 keeps its text, as in a file without 12.5."""
    cols, manifest = _clean(tmp_path, "h.csv", "sku,qty,price\nA,1.000,3.99\nB,12.5,1.25\nC,750,2.50\n")
    assert cols["qty"] == [1, None, 750]
    assert cols["qty__raw"] == ["1.000", "12.5", None]
    assert cols["qty__reason"] == ["ambiguous_decimal_mark", "not_an_integer", None]
    assert cols["price"] == [3.99, 1.25, 2.5]
    assert manifest["value_formats"]["decimal_votes"] == {".": 3, ",": 0}  # price's three; was 4 with 12.5
    assert ("qty: 1 value(s) like 1.000 fit both decimal marks and no value of the column decided it: read with the file's mark '.', "
            "which other columns decided — their text kept in qty__raw (ambiguous_decimal_mark); set schema.columns.qty.decimal if "
            "that is wrong") in manifest["clean_warnings"]


def test_a_whole_number_written_with_a_mark_still_votes(tmp_path: Path) -> None:
    """``12.0`` is an integer the column takes (12): its '.' is evidence, and 1.000 is read as 1 under it."""
    cols, manifest = _clean(tmp_path, "i.csv", "sku,qty\nA,1.000\nB,12.0\nC,750\n")
    assert cols["qty"] == [1, 12, 750]
    assert "qty__raw" not in cols
    assert manifest["value_formats"]["decimal_votes"] == {".": 1, ",": 0}
    assert manifest["value_formats"]["decimal_decided_by"] == "votes"


def test_a_number_column_refuses_no_vote(tmp_path: Path) -> None:
    """In ``price: number``, 12.5 is a number under '.': it votes, and 1.000 is 1.0 (unchanged)."""
    cols, manifest = _clean(tmp_path, "j.csv", "sku,price\nA,1.000\nB,12.5\nC,750\n")
    assert cols["price"] == [1.0, 12.5, 750.0]
    assert "price__raw" not in cols
    assert manifest["value_formats"]["decimal_votes"] == {".": 1, ",": 0}


def test_an_undeclared_column_votes_as_before(tmp_path: Path) -> None:
    """No declared type refuses anything in an undeclared column: its type (number) is inferred under the voted mark."""
    cols, manifest = _clean(tmp_path, "k.csv", "sku,count\nA,1.000\nB,12.5\nC,750\n")
    assert cols["count"] == [1.0, 12.5, 750.0]
    assert manifest["column_types"]["count"] == "number"
    assert manifest["value_formats"]["decimal_votes"] == {".": 1, ",": 0}


def test_refused_votes_of_each_type() -> None:
    values = pd.Series(["1.000", "12.5", "750", "12.0", "1,234.00", "0,125", "x"], dtype="string")
    assert decimal_votes(values) == {".": 3, ",": 1}
    assert refused_votes(values, "integer") == {".": 1, ",": 1}  # 12.5 and 0,125
    assert refused_votes(values, "number") == {".": 0, ",": 0}
    assert refused_votes(values, None) == {".": 0, ",": 0}
    assert refused_votes(values, "string") == {".": 0, ",": 0}
    assert refused_by("integer", pd.Series(["12.5", "12.0", "12,5"], dtype="string"), ".").tolist() == [True, False, True]
