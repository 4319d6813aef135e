"""A currency that contradicts a column's declared unit is never a number in that unit; an inferred currency keeps its
text (breaker4 #2/#3): headwater.clean.currency and headwater.clean.steps.coerce_types."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from headwater.clean.currency import currencies_of, currency_differs, written_currency
from headwater.clean.frame import build_frame
from headwater.clean.stage import clean as clean_file
from headwater.clean.steps.base import REASON
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.config.settings import Settings
from headwater.config.types import TypeOptions
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json

DATE = "2026-11-20"


def _clean(tmp_path: Path, name: str, text: str, columns: str | None = None, **settings: object) -> tuple[dict, dict]:
    config = tmp_path / "config"
    config.mkdir(parents=True, exist_ok=True)
    if columns is not None:
        (config / "t.yaml").write_text(f'files: ["t*.csv"]\nschema:\n  columns:\n{columns}', encoding="utf-8")
    s = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=config, **settings)
    ref = FileRef(DATE, name)
    ingest_file(text.encode("utf-8"), ref, s)
    clean_file(ref, s)
    lay = Layout(s.data_dir, DATE)
    return pq.read_table(lay.curated(ref.key)).to_pydict(), read_json(lay.manifest(ref.key))


def _frame(header: list[str], rows: list[list[str | None]]) -> pd.DataFrame:
    return build_frame(header, rows, list(range(2, 2 + len(rows))), "d/x.csv")[0]


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.tolist()]


@pytest.mark.parametrize(("value", "mark"), [
    ("€12.50", "€"), ("12.50 GBP", "GBP"), ("EUR 12.50", "EUR"), ("12,50 €", "€"), ("-US$5", "US$"), ("$-5", "$"),
    ("(R$ 1.234,50)", "R$"), ("₺12", "₺"), ("₪ 40", "₪"), ("CHF 1'234.50", "CHF"), ("5.00 usd", "USD"), ("¥500", "¥"),
    ("12 TRY", "TRY"),
    ("12 try", ""),  # a code other than the seven parse_decimal reads in any case counts in capitals only
    ("12.50", ""), ("12%", ""), ("12 kg", ""), ("12 KGS", ""), ("abc", ""), ("", ""),
])
def test_the_written_currency_of_a_number(value: str, mark: str) -> None:
    assert written_currency(value) == mark


@pytest.mark.parametrize(("mark", "unit", "differs"), [
    ("€", "USD", True), ("EUR", "usd", True), ("GBP", "USD", True), ("€", "EUR", False), ("EUR", "eur", False),
    ("$", "USD", False), ("$", "CAD", False), ("$", "AUD", False),  # a $ matches any dollar
    ("US$", "CAD", True), ("US$", "USD", False), ("C$", "CAD", False), ("$", "EUR", True),
    ("¥", "JPY", False), ("¥", "CNY", False), ("¥", "KRW", True), ("£", "GBP", False), ("£", "EGP", False),
    ("USD", "$", False), ("€", "$", True),  # a symbol declared as the unit
    ("$", "dollars", False), ("US$", "Dollars", False), ("€", "dollars", True), ("€", "euros", False), ("£", "pounds", False),
    ("€", "kg", True), ("€", "%", True),  # a currency in a column of another unit
    ("", "USD", False),  # a bare number is in the declared unit
])
def test_a_currency_differs_from_a_unit_when_no_currency_it_may_name_is_the_unit(mark: str, unit: str, differs: bool) -> None:
    assert currency_differs(mark, unit) is differs


def test_the_currencies_a_mark_may_name() -> None:
    assert currencies_of("$") >= {"USD", "CAD", "AUD", "MXN"} and "EUR" not in currencies_of("$")
    assert (currencies_of("¥"), currencies_of("usd"), currencies_of("kg"), currencies_of("%")) == (
        frozenset({"JPY", "CNY"}), frozenset({"USD"}), frozenset(), frozenset()
    )


USD = "    amount: {type: number, unit: USD}\n"


def test_a_currency_other_than_the_declared_unit_is_not_read_as_the_unit(tmp_path: Path) -> None:
    text = "k,amount\na,€12.50\nb,$3.00\nc,12.50 GBP\nd,EUR 4\ne,7\nf,12.50 USD\ng,R$5\nh,₺5\ni,2 usd\n"
    curated, manifest = _clean(tmp_path, "t.csv", text, USD)
    assert curated["amount"] == [None, 3.0, None, None, 7.0, 12.5, None, None, 2.0]
    assert curated["amount__raw"] == ["€12.50", None, "12.50 GBP", "EUR 4", None, None, "R$5", "₺5", None]
    assert curated["amount__reason"] == ["currency_differs_from_unit", None, "currency_differs_from_unit", "currency_differs_from_unit",
                                         None, None, "currency_differs_from_unit", "currency_differs_from_unit", None]
    assert manifest["clean_warnings"] == [
        "amount: 5 value(s) written in another currency than the column's unit USD (EUR: 1, GBP: 1, R$: 1, €: 1, ₺: 1; "
        "line(s) 2, 4, 5, 8, 9) — not read as USD: stored as missing, the text kept in amount__raw (currency_differs_from_unit)"
    ]
    assert manifest["value_formats"]["units"] == {}  # the declared unit stands; no unit inferred from the values


def test_values_matching_the_declared_unit_stay_as_they_were(tmp_path: Path) -> None:
    curated, manifest = _clean(tmp_path, "t.csv", "k,amount\na,$12.50\nb,12.50 USD\nc,7\n", USD)
    assert curated["amount"] == [12.5, 12.5, 7.0]
    assert "amount__raw" not in curated and manifest["clean_warnings"] == []


def test_a_dollar_sign_matches_any_dollar_unit_but_us_dollars_do_not_match_cad(tmp_path: Path) -> None:
    curated, manifest = _clean(tmp_path, "t.csv", "k,amount\na,$12.50\nb,US$12.50\nc,12.50 CAD\nd,12.50 USD\n",
                               "    amount: {type: number, unit: CAD}\n")
    assert curated["amount"] == [12.5, None, 12.5, None]
    assert curated["amount__raw"] == [None, "US$12.50", None, "12.50 USD"]
    assert curated["amount__reason"] == [None, "currency_differs_from_unit", None, "currency_differs_from_unit"]
    assert manifest["clean_warnings"] == [
        "amount: 2 value(s) written in another currency than the column's unit CAD (US$: 1, USD: 1; line(s) 3, 5) — "
        "not read as CAD: stored as missing, the text kept in amount__raw (currency_differs_from_unit)"
    ]


@pytest.mark.parametrize(("unit", "values", "amounts"), [
    ("USD", ["US$5", "-US$ 2.50", "(US$1,200.00)"], [5.0, -2.5, -1200.0]),
    ("BRL", ["R$5", "R$ 12.50", "12.50 BRL"], [5.0, 12.5, 12.5]),
    ("TRY", ["₺5", "12.50 TRY", "₺ 3"], [5.0, 12.5, 3.0]),
    ("CAD", ["C$5", "CA$2", "$3"], [5.0, 2.0, 3.0]),
    ("SEK", ["12.50 SEK", "3 kr", "kr 4"], [12.5, 3.0, 4.0]),
])
def test_a_mark_of_the_declared_currency_the_number_parser_does_not_know_is_read(
    tmp_path: Path, unit: str, values: list[str], amounts: list[float]
) -> None:
    text = "k,amount\n" + "".join(f'r{i},"{v}"\n' for i, v in enumerate(values))
    curated, manifest = _clean(tmp_path, "t.csv", text, f"    amount: {{type: number, unit: {unit}}}\n")
    assert curated["amount"] == amounts
    # the parentheses are read by the accounting convention, which keeps the text as before; nothing else keeps any
    assert curated.get("amount__raw", [None] * 3) == [None, None, "(US$1,200.00)" if unit == "USD" else None]
    assert [w for w in manifest["clean_warnings"] if "currency" in w] == []


def test_the_yen_sign_matches_yen_and_yuan(tmp_path: Path) -> None:
    for unit in ("JPY", "CNY"):
        curated, _ = _clean(tmp_path / unit, "t.csv", "k,amount\na,¥500\nb,₩500\n", f"    amount: {{type: integer, unit: {unit}}}\n")
        assert (curated["amount"], curated["amount__raw"], curated["amount__reason"]) == (
            [500, None], [None, "₩500"], [None, "currency_differs_from_unit"]
        )


def test_a_currency_or_percent_under_a_unit_that_is_no_currency(tmp_path: Path) -> None:
    curated, manifest = _clean(tmp_path, "t.csv", "k,weight,share\na,€5,12%\nb,4,$3\nc,3,7%\n",
                               "    weight: {type: number, unit: kg}\n    share: {type: number, unit: USD}\n")
    assert (curated["weight"], curated["weight__raw"], curated["weight__reason"]) == (
        [None, 4.0, 3.0], ["€5", None, None], ["currency_differs_from_unit", None, None]
    )
    # 12% under USD is not 0.12 dollars
    assert (curated["share"], curated["share__raw"], curated["share__reason"]) == (
        [None, 3.0, None], ["12%", None, "7%"], ["percent_differs_from_unit", None, "percent_differs_from_unit"]
    )


def test_conflicts_after_the_first_batch_are_counted_with_their_lines(tmp_path: Path) -> None:
    rows = "".join(f"r{i},{'€' if i in (3, 8) else '$'}{i}.00\n" for i in range(10))
    curated, manifest = _clean(tmp_path, "t.csv", "k,amount\n" + rows, USD, batch_rows=3)
    assert curated["amount"] == [0.0, 1.0, 2.0, None, 4.0, 5.0, 6.0, 7.0, None, 9.0]
    assert curated["amount__raw"] == [None, None, None, "€3.00", None, None, None, None, "€8.00", None]
    assert manifest["clean_warnings"] == [
        "amount: 2 value(s) written in another currency than the column's unit USD (€: 2; line(s) 5, 10) — "
        "not read as USD: stored as missing, the text kept in amount__raw (currency_differs_from_unit)"
    ]


def test_quarantine_mode_quarantines_a_row_whose_currency_differs() -> None:
    step = CoerceTypes({"amount": "number"}, TypeOptions(on_error="quarantine"), units={"amount": "USD"})
    out = step.apply(_frame(["amount"], [["$1"], ["€2"], ["3"]]))
    assert _values(out.kept["amount"]) == [1.0, 3.0]
    assert out.quarantined[REASON].tolist() == [
        "line 3: amount='€2' is not in the column's unit USD (currency_differs_from_unit) — row quarantined"
    ]
    assert step.warnings() == [
        "amount: 1 value(s) written in another currency than the column's unit USD (€: 1; line(s) 3) — not read as USD: "
        "their rows quarantined"
    ]


def test_an_inferred_currency_keeps_its_text_so_the_amount_does_not_lose_it(tmp_path: Path) -> None:
    curated, manifest = _clean(tmp_path, "x.csv", "k,price\na,€12.50\nb,€3.00\nc,€1\n")
    assert curated["price"] == [12.5, 3.0, 1.0]
    assert curated["price__raw"] == ["€12.50", "€3.00", "€1"]
    assert curated["price__reason"] == ["currency_stored_as_amount"] * 3
    assert manifest["value_formats"]["units"] == {"price": "€"}
    assert manifest["clean_warnings"] == []


def test_a_declared_number_without_a_unit_keeps_each_currency_written(tmp_path: Path) -> None:
    curated, manifest = _clean(tmp_path, "t.csv", "k,amount\na,12.50 EUR\nb,$3\nc,4\n", "    amount: number\n")
    assert curated["amount"] == [12.5, 3.0, 4.0]
    assert curated["amount__raw"] == ["12.50 EUR", "$3", None]
    assert curated["amount__reason"] == ["currency_stored_as_amount", "currency_stored_as_amount", None]
    assert manifest["clean_warnings"] == [
        "amount: 1 value(s) written in another unit than the column's first (EUR; $: 1) — the number is stored, the text kept in amount__raw"
    ]


@pytest.mark.parametrize(("values", "units"), [
    (["€12.50", "$3.00", "€1"], "$, €"),
    (["€12.50", "3.00", "€1"], "none, €"),
    (["12.50 GBP", "12.50 EUR"], "EUR, GBP"),
])
def test_mixed_currencies_in_an_undeclared_column_stay_text_and_say_so(tmp_path: Path, values: list[str], units: str) -> None:
    curated, manifest = _clean(tmp_path, "x.csv", "k,price\n" + "".join(f"r{i},{v}\n" for i, v in enumerate(values)))
    assert curated["price"] == values
    assert manifest["value_formats"]["kept_as_text"] == {"price": "differing units"}
    assert manifest["clean_warnings"] == [
        f"price: kept as text: its numbers are written in differing units ({units}) — not read as one number column; "
        "declare the column's unit (schema.columns.price.unit) to read the values in it"
    ]


def test_percent_and_bare_numbers_mixed_stay_text_without_a_currency_warning(tmp_path: Path) -> None:
    curated, manifest = _clean(tmp_path, "x.csv", "k,share\na,12%\nb,15\n")
    assert curated["share"] == ["12%", "15"]
    assert manifest["value_formats"]["kept_as_text"] == {"share": "differing units"}
    assert manifest["clean_warnings"] == []
