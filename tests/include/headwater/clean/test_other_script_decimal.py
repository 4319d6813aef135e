"""Digits of another script decide the decimal mark no more than ASCII digits do: ``١.٢٣٤`` (Arabic-Indic) is 1.234 or
1234 exactly as ``1.234`` is. Before, ``parse_decimal``'s thousands groups and the vectorized vote took ASCII digits
only, so ``١.٢٣٤`` read as 1.234 with no ``ambiguous_decimal_mark`` and voted '.' for the whole file: an ASCII ``2.125``
in another column was then read as 2.125, "decided by votes", with no text kept (found after sum9).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from headwater.clean.values import ambiguous_decimal, decimal_vote, decimal_votes, parse_decimal, votes_by_column
from headwater.config.settings import Settings
from landed_files import clean_landed

DATE = "2026-11-20"


@pytest.mark.parametrize(
    ("value", "point", "comma", "vote"),
    [
        ("١.٢٣٤", "1.234", "1234", None),  # Arabic-Indic: a thousands group or a fraction
        ("١,٢٣٤", "1234", "1.234", None),
        ("１.２３４", "1.234", "1234", None),  # full-width
        ("१.२३४", "1.234", "1234", None),  # Devanagari
        ("۱.۲۳۴", "1.234", "1234", None),  # Extended Arabic-Indic (Persian)
        ("١٢.٣٤٥.٦٧٨", None, "12345678", ","),  # two thousands groups: only ',' reads it
        ("٠.١٢٣", "0.123", None, "."),  # a leading zero is never a thousands group, in any script
        ("０,１２５", None, "0.125", ","),
        ("١٢.٥", "12.5", None, "."),
        ("1.234", "1.234", "1234", None),  # ASCII, as before
        ("0,125", None, "0.125", ","),
    ],
)
def test_thousands_groups_in_any_script(value: str, point: str | None, comma: str | None, vote: str | None) -> None:
    got = parse_decimal(value, "."), parse_decimal(value, ",")
    assert tuple(None if g is None else str(g) for g in got) == (point, comma)
    assert decimal_vote(value) == vote
    assert ambiguous_decimal(value) == (point is not None and comma is not None and point != comma)


def test_the_vectorized_votes_agree_with_decimal_vote() -> None:
    values = pd.Series(["١.٢٣٤", "１.２３４", "١٢.٥", "٠.١٢٣", "1.234", "2.5", "０,１２５"], dtype="string")
    assert decimal_votes(values) == {".": 3, ",": 1}  # ١٢.٥, ٠.١٢٣, 2.5 vote '.'; ０,１２５ ','; the three groups none
    decimals, _ = votes_by_column([values], [True], [False])
    assert decimals == [{".": 3, ",": 1}]


def _landed(tmp_path: Path, text: str, config: str) -> tuple[dict, dict]:
    cfg = tmp_path / "config"
    cfg.mkdir(exist_ok=True)
    (cfg / "n.yaml").write_text(config)
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=cfg)
    table, manifest = clean_landed(settings, DATE, "a.csv", text)
    return table.to_pydict(), manifest


def test_an_arabic_indic_column_does_not_decide_an_ascii_one(tmp_path: Path) -> None:
    cols, manifest = _landed(
        tmp_path, "item,amount,qty\npen,١.٢٣٤,2.125\nbook,٥.٦٧٨,3.250\n",
        'files: ["*.csv"]\nschema:\n  name: n\n  columns:\n    amount: {type: number}\n    qty: {type: number}\n',
    )
    assert manifest["value_formats"]["decimal_decided_by"] == "default"  # was "votes" ('.': 2)
    assert manifest["value_formats"]["decimal_votes"] == {".": 0, ",": 0}
    assert cols["amount"] == [1.234, 5.678]
    assert cols["amount__raw"] == ["١.٢٣٤", "٥.٦٧٨"]
    assert cols["amount__reason"] == ["ambiguous_decimal_mark; other_script_digits"] * 2  # was other_script_digits only
    assert cols["qty"] == [2.125, 3.25]
    assert cols["qty__raw"] == ["2.125", "3.250"]  # was no column: read by the Arabic-Indic votes, text not kept
    assert cols["qty__reason"] == ["ambiguous_decimal_mark"] * 2


def test_a_deciding_value_in_another_script_still_decides(tmp_path: Path) -> None:
    cols, manifest = _landed(
        tmp_path, "item,amount\npen,١.٢٣٤\nbook,١٢.٥\n",
        'files: ["*.csv"]\nschema:\n  name: n\n  columns:\n    amount: {type: number}\n',
    )
    assert manifest["value_formats"]["decimal_decided_by"] == "votes"
    assert manifest["value_formats"]["decimal_votes"] == {".": 1, ",": 0}
    assert cols["amount"] == [1.234, 12.5]
    assert cols["amount__reason"] == ["other_script_digits"] * 2
