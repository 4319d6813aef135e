"""Identifiers Excel wrote in scientific notation (``1.23457E+11``): warned, a reason kept, never one id with another.

Reproduction from the fifth break test (notes/breaker5 #5: in/sci/accounts.csv, in/typed/t1.csv with
``acct: {type: string, identifier: true}``) plus invented variants. Excel shows a 12-digit number as
``1.23457E+11`` and saves it so: accounts 123456500000 ... 123457499999 all read alike. Before, the value was
taken as written with no warning, and two rows holding it agreed on their id in the duplicate vetoes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from headwater.clean.dedup.columns import Vetoes, mangled_rows
from headwater.clean.dedup.fellegi_sunter import compare, excel_range, prepare
from headwater.clean.frame import assign_row_ids, build_frame
from headwater.clean.pipeline import build_steps, run_steps
from headwater.clean.steps.base import DEDUP_JOB, LINE
from headwater.clean.steps.coerce_types import EXCEL_SCIENTIFIC, CoerceTypes
from headwater.config.source import SourceConfig

NOTE = "Customer called about the invoice for the quarterly maintenance contract and asked for a copy by post."


def _clean(header: list[str], rows: list[list[str]], config: dict | None = None):
    df, _ = build_frame(header, rows, list(range(2, 2 + len(rows))), "2026-11-21/accounts.csv")
    steps = build_steps(SourceConfig.from_mapping(config or {}))
    return run_steps(assign_row_ids(df), steps), next(s for s in steps if isinstance(s, CoerceTypes))


def test_the_break_tests_account_ids_are_kept_as_written_with_a_reason_and_a_warning() -> None:
    result, coerce = _clean(["account_id", "amount"], [["1.23457E+11", "10"], ["123456789012", "10"], ["1.23457E+11", "12"]])
    curated = result.curated
    assert curated["account_id"].tolist() == ["1.23457E+11", "123456789012", "1.23457E+11"]
    assert curated["account_id__reason"].tolist() == ["excel_scientific_notation", pd.NA, "excel_scientific_notation"]
    assert "account_id__raw" not in curated.columns  # the value is as written: nothing to keep beside it
    assert [w for w in coerce.warnings() if w.startswith("account_id")] == [
        "account_id: 2 identifier(s) written in Excel's scientific notation, like 1.23457E+11 (line(s) 2, 4): digits were "
        "lost before the file reached us (Excel keeps 6 significant digits in this form), so two different ids can read "
        "alike — kept as written with reason excel_scientific_notation, never taken for one id by record linkage or the "
        "duplicate vetoes; re-export the column formatted as text"
    ]


def test_a_declared_identifier_with_another_name_is_checked_too() -> None:
    config = {"schema": {"columns": {"acct": {"type": "string", "identifier": True}, "qty": {"type": "integer"}}}}
    result, coerce = _clean(["acct", "qty"], [["1.23457E+11", "7"], ["123456789012", "7"], ["1.23457e+11", "8"], ["9.87654E+15", "1"]], config)
    assert result.curated["acct__reason"].tolist() == ["excel_scientific_notation", pd.NA, "excel_scientific_notation", "excel_scientific_notation"]
    assert [w.split(" (line(s) ")[0] for w in coerce.warnings() if w.startswith("acct")] == [
        "acct: 3 identifier(s) written in Excel's scientific notation, like 1.23457E+11"]


@pytest.mark.parametrize(
    ("header", "value"),
    [("measurement", "1.23457E+11"),  # not an identifier column: a number written so is a number written so
     ("account_id", "1.23457E-11"),  # a negative exponent: a small number, not a long id
     ("account_id", "123456789012"),
     ("account_id", "1E+11"),  # no decimal mark: not Excel's General format
     ("account_id", "AB1.2E+11X")],
)
def test_other_values_and_columns_are_not_flagged(header: str, value: str) -> None:
    result, coerce = _clean([header, "n"], [[value, "1"], ["x", "2"]], {"schema": {"columns": {header: "string"}}})
    assert f"{header}__reason" not in result.curated.columns
    assert not any("Excel" in w for w in coerce.warnings())


def test_excel_scientific_pattern() -> None:
    assert [bool(EXCEL_SCIENTIFIC.fullmatch(v)) for v in ["1.23457E+11", "1,23457E+11", "9.9E+15", " 1.2E+5 ", "1.23457E-11", "12.3E+4", "1E+11"]] == [
        True, True, True, True, False, False, False]


def test_near_duplicate_texts_of_two_accounts_sharing_a_mangled_id_are_not_merged() -> None:
    rows = [["1.23457E+11", NOTE], ["1.23457E+11", NOTE.replace("copy", "copy!")],  # two accounts Excel made alike
            ["123456789012", NOTE + " "], ["123456789012", NOTE.replace("post.", "post!")]]  # one account written in full
    result, _ = _clean(["account_id", "note"], rows, {"schema": {"columns": {"note": "text"}}})
    dups = result.duplicates
    assert list(zip(dups[LINE].tolist(), dups[DEDUP_JOB].tolist())) == [(5, "near_text")]
    assert result.steps["near_duplicate_text"]["vetoed_columns"] == 5  # the mangled pair and the four pairs across accounts


def test_vetoes_and_linkage_fields_never_take_two_mangled_ids_for_one() -> None:
    frame = {"account_id": pd.Series(["1.23457E+11", "1.23457E+11", "123456789012", "123456789012", None], dtype="string"),
             "account_id__reason": pd.Series(["excel_scientific_notation", "excel_scientific_notation", None, None, None], dtype="string")}
    assert mangled_rows(frame, "account_id").tolist() == [True, True, False, False, False]
    vetoes = Vetoes.build(frame, ["account_id"], set())
    a, b = np.array([0, 2, 0, 0]), np.array([1, 3, 2, 4])
    assert vetoes.check(a, b).tolist() == [True, False, True, False]  # two mangled differ; one vs missing: not both filled
    assert vetoes.agreed(a, b) == [[], ["account_id"], [], []]
    some = Vetoes.build(frame, ["account_id"], set(), rows=np.array([0, 1, 2, 3]))  # built for some rows only: the same
    assert some.check(a[:3], b[:3]).tolist() == [True, False, True]
    (field,) = prepare(frame, ["account_id"])
    # the same mangled text: no evidence either way (-1); a full id inside its range likewise; the two full ids agree
    assert compare(field, a, b).tolist() == [-1, 0, -1, -1]


def test_excel_ranges() -> None:
    assert excel_range("1.23457E+11") == (123456500000, 123457499999)
    assert excel_range("1,23457E+11") == (123456500000, 123457499999)
    assert excel_range("-1.5E+3") == (-1549, -1450)
    assert excel_range("9.9E+15") == (9850000000000000, 9949999999999999)
    assert excel_range("1.23457E+3") is None  # 1234.57: no integer id
    assert excel_range("123456789012") is None


def test_record_linkage_keeps_mangled_ids_that_cannot_be_one_id_apart() -> None:
    """breaker6 #3: 1.23457E+11 and 1.23458E+11 stand for disjoint ranges: certainly two accounts. Compared as missing,
    they let record linkage merge the two rows on name and e-mail alone (match weight 6.03)."""
    ids = ["1.23457E+11", "1.23458E+11", "1.23457E+11", "123456789012", "123999999999"]
    frame = {"sample_id": pd.Series(ids, dtype="string"),
             "sample_id__reason": pd.Series(["excel_scientific_notation"] * 3 + [None, None], dtype="string")}
    (field,) = prepare(frame, ["sample_id"])
    a, b = np.array([0, 0, 0, 0, 3]), np.array([1, 2, 3, 4, 4])
    # disjoint ranges: the field's last level (else); the same text or a full id inside the range: no evidence;
    # a full id outside the range: else; two different full ids: compared as ever (digits: levenshtein<=2 for one digit apart? no: 5 differ)
    assert compare(field, a, b).tolist() == [3, -1, -1, 3, 3]
    rows = [["1.23457E+11", "Dana Fox", "dana@x.com"], ["1.23458E+11", "Dana Fox", "dana@x.com"],
            ["123456789012", "Eli Roe", "eli@x.com"], ["123456789013", "Eli Roe", "eli@x.com"]]
    config = {"schema": {"columns": {"sample_id": {"type": "string", "identifier": True}, "name": "string", "email": "string"}},
              "dedup": {"linkage": {"fields": ["sample_id", "name", "email"], "threshold": 0.9}}}
    result, _ = _clean(["sample_id", "name", "email"], rows, config)
    assert result.curated[LINE].tolist() == [2, 3, 4, 5]
    assert len(result.duplicates) == 0


@pytest.mark.parametrize("header", [
    "ean", "EAN", "EAN-13", "product_ean", "gtin", "GTIN 14", "upc", "isbn", "ISBN-13", "barcode", "Bar Code", "iban",
    "account_number", "Account No", "phone", "Phone Number", "mobile", "telephone", "sku",
])  # fmt: skip
def test_article_bank_and_phone_numbers_written_so_are_warned_like_ids(header: str) -> None:
    # breaker9 #14 (in/sci/b_mangled_ean.csv): an EAN column got no warning where an order_id column did
    result, coerce = _clean([header, "product"], [["4.00638E+12", "Chair"], ["5.90123E+12", "Table"], ["4006381333931", "Lamp"]])
    col = next(c for c in result.curated.columns if not c.startswith("_"))
    assert result.curated[col].tolist() == ["4.00638E+12", "5.90123E+12", "4006381333931"]
    assert result.curated[col + "__reason"].tolist() == ["excel_scientific_notation", "excel_scientific_notation", pd.NA]
    assert [w.split(" (line(s) ")[0] for w in coerce.warnings() if w.startswith(col)] == [
        f"{col}: 2 identifier(s) written in Excel's scientific notation, like 4.00638E+12"]
    assert [w.split("(line(s) ")[1][:5] for w in coerce.warnings() if w.startswith(col)] == ["2, 3)"]


@pytest.mark.parametrize("header", ["measurement", "population", "mean", "phoneme", "upcoming", "clean", "cleaning_cost", "ibans_seen"])
def test_other_names_holding_the_notation_stay_unwarned(header: str) -> None:
    result, coerce = _clean([header, "product"], [["4.00638E+12", "Chair"], ["5.90123E+12", "Table"]])
    col = next(c for c in result.curated.columns if not c.startswith("_"))
    assert result.curated[col].tolist() == ["4.00638E+12", "5.90123E+12"]
    assert col + "__reason" not in result.curated.columns
    assert not [w for w in coerce.warnings() if "Excel" in w]
