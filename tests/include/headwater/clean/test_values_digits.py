"""Digits of other scripts: type detection and the casts agree (differential against Python's int and Decimal)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from headwater.clean.stage import clean as clean_file
from headwater.clean.values import coerce, infer_type, integers_of, number_texts, other_script_digits
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json

# the zero of each script's ten decimal digits (Unicode category Nd, consecutive code points)
ZEROS = {
    "arabic_indic": "\u0660", "extended_arabic_indic": "\u06f0", "devanagari": "\u0966",
    "bengali": "\u09e6", "thai": "\u0e50", "fullwidth": "\uff10",
}
WRITTEN = ["123", "-45", "7", "1.5", "0.25", "9876543210", "1,234.5"]  # the last: thousands groups, ASCII first digits only


def _script(text: str, zero: str) -> str:
    return "".join(chr(ord(zero) + int(ch)) if ch.isdigit() else ch for ch in text)


@pytest.mark.parametrize("script", sorted(ZEROS))
def test_number_texts_are_ascii_and_equal_pythons_decimal(script: str) -> None:
    values = pd.Series([_script(w, ZEROS[script]) for w in WRITTEN], dtype="string")
    texts = number_texts(values, ".")
    expected = [format(Decimal(v), "f") for v in values[:-1]]  # Decimal reads every Nd digit
    assert texts.tolist()[:-1] == expected == ["123", "-45", "7", "1.5", "0.25", "9876543210"]
    # 1,234.5 in another script: its digits written in ASCII first (headwater.clean.number_spellings.respell), then grouped
    assert texts.tolist()[-1] == "1234.5"
    ints, ok = integers_of(texts)  # the Arrow cast that used to raise on ٧
    assert ok.tolist() == [True, True, True, False, False, True, False]
    assert [int(v) for v, good in zip(ints, ok) if good] == [int(values[i]) for i in (0, 1, 2, 5)] == [123, -45, 7, 9876543210]


@pytest.mark.parametrize("script", sorted(ZEROS))
def test_an_inferred_column_of_other_digits_stays_text_with_a_reason(script: str) -> None:
    values = pd.Series([_script(w, ZEROS[script]) for w in ("123", "45", "7")], dtype="string")
    reasons: dict[str, str] = {}
    assert infer_type("n", values, reasons=reasons) == "string"
    assert reasons == {"n": "digits of another script"}


@pytest.mark.parametrize("script", sorted(ZEROS))
def test_a_declared_integer_of_other_digits_is_the_number_and_keeps_its_text(script: str) -> None:
    values = pd.Series([_script("123", ZEROS[script]), "45", None, _script("7", ZEROS[script])], dtype="string")
    result = coerce(values, "integer", formats={"decimal": "."})
    assert result.values.tolist() == [123, 45, pd.NA, 7]
    assert result.failed.tolist() == [False] * 4
    assert result.inexact.tolist() == [True, False, False, True]  # the text written is kept in __raw
    number = coerce(pd.Series([_script("1.5", ZEROS[script])], dtype="string"), "number", formats={"decimal": "."})
    assert number.values.tolist() == [1.5] and number.inexact.tolist() == [True]


def test_superscripts_and_mixed_scripts() -> None:
    values = pd.Series(["²", "1²", "x²", "1\u0662\u0663", "€5", "5"], dtype="string")
    # ² is no digit (No, not Nd); 1٢3 mixes two scripts' digits: not read (breaker4 #20), its text kept with a reason
    assert number_texts(values, ".").tolist() == [pd.NA, pd.NA, pd.NA, pd.NA, "5", "5"]
    assert other_script_digits(values).tolist() == [False, False, False, True, False, False]
    result = coerce(values, "integer", formats={"decimal": "."})
    assert result.failed.tolist() == [True, True, True, True, False, False]
    assert result.values.tolist()[3:] == [pd.NA, 5, 5]
    assert dict(result.unread) == {"mixed_digit_scripts": 1} and result.reasons.tolist()[3] == "mixed_digit_scripts"
    assert infer_type("n", pd.Series(["²", "³", "¹"], dtype="string")) == "string"


def _settings(tmp_path: Path, config: str | None = None) -> Settings:
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    if config:
        (folder / "digits.yaml").write_text(config, encoding="utf-8")
    return Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=folder)


ARABIC = "item,n\na,١٢٣\nb,٤٥\nc,٧\n"  # the breaker's arabic_digits.csv


def test_the_breakers_file_lands_as_written(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ref = FileRef("2026-11-21", "arabic_digits.csv")
    ingest_file(ARABIC.encode(), ref, settings)
    assert clean_file(ref, settings)["curated"] == 3
    lay = Layout(settings.data_dir, ref.date)
    assert pd.read_parquet(lay.curated(ref.key))["n"].tolist() == ["١٢٣", "٤٥", "٧"]
    manifest = read_json(lay.manifest(ref.key))
    assert manifest["column_types"]["n"] == "string"
    assert manifest["value_formats"]["kept_as_text"] == {"n": "digits of another script"}


def test_the_breakers_file_with_a_declared_integer_keeps_the_text_in_raw(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 'files: ["arabic*.csv"]\nschema:\n  columns:\n    item: string\n    n: integer\n')
    ref = FileRef("2026-11-21", "arabic_digits.csv")
    ingest_file(ARABIC.encode(), ref, settings)
    clean_file(ref, settings)
    curated = pd.read_parquet(Layout(settings.data_dir, ref.date).curated(ref.key))
    assert curated["n"].tolist() == [123, 45, 7]
    assert curated["n__raw"].tolist() == ["١٢٣", "٤٥", "٧"]
