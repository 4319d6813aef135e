"""Row documents show an amount with the currency it was written in (breaker4 #3), and a value not read because its
currency is not the column's declared unit as written (breaker4 #2)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from headwater.chunk.rows import shown_value
from headwater.chunk.stage import chunk
from headwater.clean.stage import clean
from headwater.config.rows import ROW_COLUMN
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest
from headwater.layout import Layout
from headwater.manifest import FileRef

DATE = "2026-11-20"


@pytest.mark.parametrize(("value", "raw", "reason", "unit", "shown"), [
    (12.5, "€12.50", "currency_stored_as_amount", "", "€12.50"),  # never the bare 12.5
    (12.5, "12.50 EUR", "currency_stored_as_amount", "", "12.50 EUR"),
    (1200.0, " $1,200.00 ", "normalize; currency_stored_as_amount", "", "$1,200.00"),
    (None, "€12.50", "currency_differs_from_unit", "USD", "€12.50 (as written, not read)"),  # never left out, never 12.5 USD
    (None, "12%", "percent_differs_from_unit", "USD", "12% (as written, not read)"),
    (12.5, None, None, "USD", "12.5 USD"),  # the declared unit follows the number, as before
])
def test_a_currency_value_shows_as_written(value, raw, reason, unit, shown) -> None:
    assert shown_value(value, raw, reason, unit) == shown


def _documents(tmp_path: Path, text: str, yaml: str | None) -> list[str]:
    config = tmp_path / "config"
    config.mkdir()
    if yaml:
        (config / "t.yaml").write_text(yaml, encoding="utf-8")
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config)
    ref = FileRef(DATE, "t.csv")
    ingest(text.encode("utf-8"), ref, settings)
    clean(ref, settings)
    chunk(ref, settings)
    chunks = pd.read_parquet(Layout(settings.data_dir, DATE).chunks(ref.key))
    return chunks.loc[chunks["column"] == ROW_COLUMN, "text"].tolist()


def test_an_inferred_currency_column_shows_its_amounts_with_their_currency(tmp_path: Path) -> None:
    documents = _documents(tmp_path, "item,price\nsoap,€12.50\ntowel,€3.00\n", None)
    assert documents == ["Item: soap\nPrice: €12.50", "Item: towel\nPrice: €3.00"]


def test_a_declared_unit_shows_after_the_number_and_another_currency_as_written(tmp_path: Path) -> None:
    yaml = 'files: ["t*.csv"]\nschema:\n  columns:\n    item: string\n    price: {type: number, unit: USD}\n'
    documents = _documents(tmp_path, "item,price\nsoap,$12.50\ntowel,€3.00\n", yaml)
    assert documents == ["Item: soap\nPrice: 12.5 USD", "Item: towel\nPrice: €3.00 (as written, not read)"]
