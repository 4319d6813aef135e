"""Number spellings (breaker4 #15, #17, #20): other minus signs, trailing minus, CR/DR, parentheses, other scripts'
digits and separators, Excel's ="00123": each read as the number it denotes (or not read), its text and a reason kept."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from headwater.clean.frame import build_frame
from headwater.clean.number_spellings import respell
from headwater.clean.stage import clean as clean_file
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.values import coerce, infer_type, number_texts
from headwater.config.settings import Settings
from headwater.config.types import TypeOptions
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.report import format_report, report as run_report
from headwater.storage import read_json


def _frame(header: list[str], rows: list[list[str | None]]) -> pd.DataFrame:
    return build_frame(header, rows, list(range(2, 2 + len(rows))), "d/x.csv")[0]


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.tolist()]


def _column(values: list[str | None], declared: str | None = "number", **options: object) -> tuple[dict[str, list], CoerceTypes]:
    step = CoerceTypes({"amount": declared} if declared else None, TypeOptions(**options) if options else None)
    out = step.apply(_frame(["amount"], [[v] for v in values])).kept
    return {c: _values(out[c]) for c in out.columns if c.startswith("amount")}, step


@pytest.mark.parametrize(("written", "decimal", "expected"), [
    ("\u221212.00", ".", ("-12.00", ("unicode_minus",))),
    ("\u20123.5", ".", ("-3.5", ("unicode_minus",))),
    ("\u20134", ".", ("-4", ("unicode_minus",))),
    ("\ufe635", ".", ("-5", ("unicode_minus",))),
    ("\uff0d6", ".", ("-6", ("unicode_minus",))),
    ("100.00-", ".", ("-100.00", ("trailing_minus",))),
    ("1.234,56-", ",", ("-1.234,56", ("trailing_minus",))),
    ("$5.00-", ".", ("-$5.00", ("trailing_minus",))),
    ("100.00 CR", ".", (None, ("credit_debit_suffix",))),
    ("100.00DR", ".", (None, ("credit_debit_suffix",))),
    ("1\u06623", ".", (None, ("mixed_digit_scripts",))),
    ("\u0661\u0662\u066b\u0665", ".", ("12.5", ("other_script_digits",))),
    ("\u0661\u0662\u066b\u0665", ",", ("12,5", ("other_script_digits",))),  # U+066B is the decimal mark whatever the file's
    ("\u0661\u066c\u0662\u0663\u0664", ".", ("1,234", ("other_script_digits",))),  # U+066C: thousands
    ("\u06f1\u06f2\u066b\u06f5", ".", ("12.5", ("other_script_digits",))),  # Persian digits
    ("\uff11\uff0c\uff12\uff13\uff14\uff0e\uff15", ".", ("1,234.5", ("other_script_digits",))),
    ("12\u066b5", ".", ("12.5", ("other_script_separator",))),
    ("\u0664\u0665-", ".", ("-45", ("other_script_digits", "trailing_minus"))),
    ("\uff0d\uff11\uff12", ".", ("-12", ("other_script_digits", "unicode_minus"))),
    ("12.00", ".", (None, ())),
    ("-12", ".", (None, ())),
    ("2025-", ".", ("-2025", ("trailing_minus",))),
    ("A-", ".", (None, ())),
    ("-5-", ".", (None, ())),
])
def test_respell_writes_each_spelling_in_ascii_with_its_reason(written: str, decimal: str, expected: tuple) -> None:
    assert respell(written, decimal) == expected


def test_a_declared_number_column_reads_every_minus_and_keeps_the_text() -> None:
    written = ["1.00", "\u221212.00", "\u20123.00", "\u20134.00", "\ufe635.00", "\uff0d6.00", "100.00-", "(12.00)", "7.00"]
    columns, step = _column(written)
    assert columns == {
        "amount": [1.0, -12.0, -3.0, -4.0, -5.0, -6.0, -100.0, -12.0, 7.0],
        "amount__raw": [None, *written[1:8], None],
        "amount__reason": [None] + ["unicode_minus"] * 5 + ["trailing_minus", "parentheses", None],
    }
    assert step.warnings() == [
        "amount: 1 value(s) written in parentheses, like (415), read as negative numbers (the accounting convention) — "
        "the value is stored, its text kept in amount__raw",
        "amount: 1 value(s) written with a trailing minus, like 100.00- (SAP, mainframe exports), read as negative numbers "
        "(trailing_minus) — the value is stored, its text kept in amount__raw",
        "amount: 5 value(s) written with a minus sign other than '-', like −12.00 (U+2212) or –12 (en dash), read as "
        "negative numbers (unicode_minus) — the value is stored, its text kept in amount__raw",
    ]


def test_cr_and_dr_are_not_read_and_are_warned_with_their_lines_even_when_few() -> None:
    written = ["1.00", "2.00", "3.00", "4.00", "100.00 CR", "5.00", "6.00", "50.00 DR"]
    columns, step = _column(written)
    assert columns == {
        "amount": [1.0, 2.0, 3.0, 4.0, None, 5.0, 6.0, None],
        "amount__raw": [None] * 4 + ["100.00 CR", None, None, "50.00 DR"],
        "amount__reason": [None] * 4 + ["credit_debit_suffix", None, None, "credit_debit_suffix"],
    }
    assert step.warnings() == [
        "amount: 2 value(s) carry an accounting CR/DR suffix, like 100.00 CR: whether a credit is negative depends on the "
        "ledger (money in on a bank statement), which is not guessed (credit_debit_suffix) — not read, kept in amount__raw",
    ]  # once: not also as values that "are not a valid number" (breaker6 #9)


def test_any_failed_value_of_a_number_column_is_warned_with_its_first_lines() -> None:
    written = ["x"] + [str(k) for k in range(20)] + ["y"] * 11
    columns, step = _column(written, "integer")
    assert columns["amount"][:3] == [None, 0, 1] and columns["amount__raw"][:2] == ["x", None]
    assert step.warnings() == [
        "amount: 12 of 32 values (38%) are not a valid integer (declared type), line(s) 2, 23, 24, 25, 26, 27, 28, 29, 30, 31 "
        "and more — missing in the column, their text kept in amount__raw",
    ]
    # quarantined rows are not missing values: the share warning as before
    _, strict = _column(["x", "1", "2", "3"], "integer", on_error="quarantine")
    assert strict.warnings() == []


def test_a_comma_decimal_file_reads_trailing_minus_and_arabic_separators_with_its_mark() -> None:
    written = ["1.234,56-", "0,50", "\u0661\u0662\u066b\u0665", "\uff11\uff0e\uff12\uff13\uff14\uff0c\uff15", "\u22121.000,25"]
    columns, step = _column(written)
    assert step.file_formats["decimal"] == ","
    assert columns == {
        "amount": [-1234.56, 0.5, 12.5, 1234.5, -1000.25],
        "amount__raw": ["1.234,56-", None, *written[2:]],
        "amount__reason": ["trailing_minus", None, "other_script_digits", "other_script_digits", "unicode_minus"],
    }


def test_arabic_persian_and_full_width_numbers_are_read_and_mixed_scripts_are_not() -> None:
    written = ["\u0661\u0662\u066b\u0665", "\u06f1\u06f2\u066b\u06f5", "\uff11\uff12\uff0e\uff15", "\uff11\uff0c\uff12\uff13\uff14\uff0e\uff15", "1\u06623", "\u0663"]
    columns, step = _column(written)
    assert columns == {
        "amount": [12.5, 12.5, 12.5, 1234.5, None, 3.0],
        "amount__raw": written,
        "amount__reason": ["other_script_digits"] * 4 + ["mixed_digit_scripts", "other_script_digits"],
    }
    assert step.warnings()[1:] == [
        "amount: 1 value(s) mix digits of two scripts in one number, like 1٢3, which is not guessed (mixed_digit_scripts) — "
        "not read, kept in amount__raw",
    ]  # once: not also as a value that "is not a valid number" (breaker6 #9)


def test_a_sign_inside_parentheses_is_not_read() -> None:
    columns, step = _column(["(12.00)", "(-12.00)", "(\u221212.00)", "(12.00-)", "-(12.00)", "($12.00)"])
    assert columns == {
        "amount": [-12.0, None, None, None, None, -12.0],
        "amount__raw": ["(12.00)", "(-12.00)", "(\u221212.00)", "(12.00-)", "-(12.00)", "($12.00)"],
        "amount__reason": ["parentheses", "not_a_number", "not_a_number", "not_a_number", "not_a_number", "currency_stored_as_amount; parentheses"],
    }
    assert step.warnings()[-1] == (
        "amount: 4 of 6 values (67%) are not a valid number (declared type), line(s) 3, 4, 5, 6 — missing in the column, "
        "their text kept in amount__raw"
    )


def test_big_values_in_other_spellings_stay_exact() -> None:
    columns, _ = _column(["\u22129223372036854775808", "9223372036854775807-", "9223372036854775808-", "\u0669" * 19], "integer")
    assert columns["amount"] == [-(2**63), -(2**63 - 1), -(2**63), None]
    assert columns["amount__raw"][3] == "\u0669" * 19  # 9999999999999999999: beyond Int64, not read, no spelling reason
    assert columns["amount__reason"] == ["unicode_minus", "trailing_minus", "trailing_minus", "not_an_integer"]
    number, _ = _column(["\u22120.12345678901234567890", "0.5"])
    assert number == {"amount": [-0.12345678901234568, 0.5], "amount__raw": ["\u22120.12345678901234567890", None],
                      "amount__reason": ["nearest_float64; unicode_minus", None]}
    assert number_texts(pd.Series(["\u221212345678901234567890.5", "1\u06623"], dtype="string"), ".").tolist() == [
        "-12345678901234567890.5", pd.NA,
    ]


def test_inferred_columns_read_minus_signs_and_keep_other_scripts_and_cr_dr_as_text() -> None:
    columns, step = _column(["1.00", "\u221212.00", "3.50", "\u20134"], declared=None)
    assert step.decided == {"amount": "number"}
    assert columns == {"amount": [1.0, -12.0, 3.5, -4.0], "amount__raw": [None, "\u221212.00", None, "\u20134"],
                       "amount__reason": [None, "unicode_minus", None, "unicode_minus"]}
    # a trailing minus is SAP's negative or a school grade (2-, 3): only a declared number column reads it
    for written in (["1.00", "100.00-", "3.50"], ["2-", "3", "1", "2"]):
        columns, step = _column(written, declared=None)
        assert step.decided == {"amount": "string"} and columns == {"amount": written}
        assert step.kept_as_text == {"amount": "a trailing minus"}
    reasons: dict[str, str] = {}
    assert infer_type("n", pd.Series(["\u0661\u0662\u066b\u0665", "\u0663"], dtype="string"), reasons=reasons) == "string"
    assert reasons == {"n": "digits of another script"}
    texts, step = _column(["1.00 CR", "2.00 DR", "3.00 CR"], declared=None)
    assert step.decided == {"amount": "string"} and texts == {"amount": ["1.00 CR", "2.00 DR", "3.00 CR"]}
    ranges, step = _column(["12\u201315", "3\u20134"], declared=None)  # en-dash ranges are no numbers
    assert step.decided == {"amount": "string"} and ranges == {"amount": ["12\u201315", "3\u20134"]}


def test_dates_in_other_scripts_keep_their_text_and_mixed_ones_are_not_read() -> None:
    written = ["\u0662\u0660\u0662\u0665-\u0660\u0663-\u0660\u0664", "2025-03-05", "2025-\u06603-04"]
    result = coerce(pd.Series(written, dtype="string"), "date", formats={"dayfirst": False})
    assert [None if pd.isna(v) else str(v) for v in result.values.tolist()] == ["2025-03-04", "2025-03-05", None]
    assert result.inexact.tolist() == [True, False, False] and result.failed.tolist() == [False, False, True]
    assert _values(result.reasons) == ["other_script_digits", None, "mixed_digit_scripts"]
    assert (dict(result.interpreted), dict(result.unread)) == ({"other_script_digits": 1}, {"mixed_digit_scripts": 1})


def test_excel_text_formulas_are_unwrapped_and_other_formulas_stay() -> None:
    df = _frame(["code", "note"], [['="00123"', "=SUM(A1:A3)"], ['="a""b"', '="'], ['="00456" ', '=="1"'], ["00789", '="x"y']])
    for apply in ("apply", "apply_by_column"):
        step = NormalizeText()
        out = getattr(step, apply)(df).kept
        assert _values(out["code"]) == ["00123", 'a"b', "00456", "00789"]
        assert _values(out["code__raw"]) == ['="00123"', '="a""b"', '="00456" ', None]
        assert _values(out["code__reason"]) == ["excel_text_formula", "excel_text_formula", "normalized: trim; excel_text_formula", None]
        assert _values(out["note"]) == ["=SUM(A1:A3)", '="', '=="1"', '="x"y'] and "note__raw" not in out.columns
        assert step.summary()["text_normalized"] == {"code": {"excel_text_formula": 3, "trim": 1}}


CONFIG = """\
files: ["ledger*.csv"]
schema:
  columns:
    account: string
    amount: number
    units: integer
"""


def test_the_clean_stage_reads_every_spelling_and_the_accounting_adds_up(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "ledger.yaml").write_text(CONFIG, encoding="utf-8")
    settings = Settings(home=tmp_path / "home", landing_uri=tmp_path.as_uri(), config_dir=tmp_path / "config")
    text = (
        "account,amount,units\n"
        '="00123",\u221212.00,\u0664\u0665\n'
        '="00456",100.00-,7\n'
        "789,100.00 CR,\uff18\n"
        "790,(5.50),1\u06623\n"
        '791,"=""7.25""",2\n'
        "792,\u0661\u0662\u066b\u0665,3\n"
    )
    ref = FileRef("2026-11-30", "ledger.csv")
    ingest_file(text.encode("utf-8"), ref, settings)
    clean_file(ref, settings)
    lay = Layout(settings.data_dir, ref.date)
    curated = pq.read_table(lay.curated(ref.key)).to_pydict()
    manifest = read_json(lay.manifest(ref.key))
    assert (manifest["rows_read"], manifest["curated"], manifest["duplicates"], manifest["quarantined"]) == (6, 6, 0, 0)
    assert curated["account"] == ["00123", "00456", "789", "790", "791", "792"]
    assert curated["account__raw"] == ['="00123"', '="00456"', None, None, None, None]
    assert curated["amount"] == [-12.0, -100.0, None, -5.5, 7.25, 12.5]
    assert curated["amount__raw"] == ["\u221212.00", "100.00-", "100.00 CR", "(5.50)", '="7.25"', "\u0661\u0662\u066b\u0665"]
    assert curated["amount__reason"] == [
        "unicode_minus", "trailing_minus", "credit_debit_suffix", "parentheses", "excel_text_formula", "other_script_digits",
    ]
    assert curated["units"] == [45, 7, 8, None, 2, 3]
    assert curated["units__reason"] == ["other_script_digits", None, "other_script_digits", "mixed_digit_scripts", None, None]
    # each value not read is warned once, by its named cause (CR/DR, mixed scripts), with its column (breaker6 #9)
    assert not [w for w in manifest["clean_warnings"] if "not a valid" in w]
    warnings = [w for w in manifest["clean_warnings"] if "credit_debit_suffix" in w or "mixed_digit_scripts" in w]
    assert [w.split(":")[0] for w in warnings] == ["amount", "units"]
    # the run report carries them: the file is listed as warned, each line as written in the manifest
    report = run_report("2026-11-30", ["ledger.csv"], settings)
    assert report["warned_files"] == ["2026-11-30/ledger.csv"]
    text = format_report(report)
    assert all(w in text for w in warnings)
