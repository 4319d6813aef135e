import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pandas as pd
import pytest

from headwater.clean.frame import build_frame
from headwater.clean.pipeline import build_steps, run_steps
from headwater.clean.steps.base import LINE, REASON
from headwater.config.schema import ColumnSpec, SchemaSpec
from headwater.config.source import SourceConfig
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.clean.steps.null_spellings import NullSpellings
from headwater.clean.values import (
    ambiguous_decimal,
    column_unit,
    number_text_reason,
    coerce, dayfirst_vote, decimal_vote, decimal_votes, infer_type, number_texts, parse_bool, parse_date, parse_decimal, parse_number,
)
from headwater.config.types import TypeOptions


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1,204.50", ".", 1204.5),
        ("1.234,50", ",", 1234.5),
        ("87,00", ",", 87.0),
        ("$1,200", ".", 1200.0),
        ("€ 1.234,50", ",", 1234.5),
        ("1 200,00 €", ",", 1200.0),
        ("USD 99", ".", 99.0),
        ("12%", ".", 0.12),
        ("(45.00)", ".", -45.0),
        ("-$5", ".", -5.0),
        ("$-5", ".", -5.0),
        ("+3", ".", 3.0),
        (".5", ".", 0.5),
        ("1e3", ".", 1000.0),
        ("1,2", ".", None),  # a comma that is not a thousands group, with decimal '.'
        ("1.234.567", ".", None),
        ("1.234.567", ",", 1234567.0),
        ("abc", ".", None),
        ("12 apples", ".", None),
        ("$", ".", None),
    ],
)
def test_parse_number(text: str, decimal: str, expected: float | None) -> None:
    assert parse_number(text, decimal) == expected


def test_decimal_and_dayfirst_votes() -> None:
    assert [decimal_vote(v) for v in ["1.234,50", "1,234.50", "87,00", "3.14", "1,204", "1.234.567", "12"]] == [",", ".", ",", ".", None, ",", None]
    assert [dayfirst_vote(v) for v in ["15/02/2024", "02/15/2024", "01/02/2024", "2024-02-15", "01.03.2024"]] == [True, False, None, None, None]


@pytest.mark.parametrize(("text", "expected"), [("Yes", True), ("n", False), ("TRUE", True), ("0", False), ("off", False), ("maybe", None)])
def test_parse_bool(text: str, expected: bool | None) -> None:
    assert parse_bool(text) is expected


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("2024-01-15", False, datetime(2024, 1, 15)),
        ("15/02/2024", True, datetime(2024, 2, 15)),
        ("03/04/2024", False, datetime(2024, 3, 4)),
        ("03/04/2024", True, datetime(2024, 4, 3)),
        ("01.03.2024", False, datetime(2024, 3, 1)),  # dotted dates are day first whatever the option
        ("March 12 2024", False, datetime(2024, 3, 12)),
        ("12 Mar 2024 14:05", False, datetime(2024, 3, 12, 14, 5)),
        ("2026-11-19T04:15:00Z", False, datetime(2026, 11, 19, 4, 15)),
        ("2026-11-19T06:15:00+02:00", False, datetime(2026, 11, 19, 4, 15)),
        ("2024/03/15", False, datetime(2024, 3, 15)),
        ("5/6/24", True, datetime(2024, 6, 5)),
        ("May", False, None),
        ("2024", False, None),
        ("32/13/2024", True, None),
        ("Ticket about order 5520", False, None),
    ],
)
def test_parse_date(text: str, dayfirst: bool, expected: datetime | None) -> None:
    got = parse_date(text, dayfirst)
    zoned = bool(re.search(r"(?:Z|[+-]\d{2}:?\d{2})$", text))  # a value naming its offset is an instant; others stay naive
    assert got == (None if expected is None else expected.replace(tzinfo=timezone.utc) if zoned else expected)


def test_mixed_date_formats_in_one_column_decide_dayfirst_from_the_values() -> None:
    s = pd.Series(["2024-01-15", "15/02/2024", "March 12 2024", None, "01/03/2024"], dtype="string")
    got = coerce(s, "date")
    assert got.values.tolist()[:3] == [date(2024, 1, 15), date(2024, 2, 15), date(2024, 3, 12)]
    assert pd.isna(got.values.tolist()[3]) and got.values.tolist()[4] == date(2024, 3, 1)
    assert got.failed.tolist() == [False] * 5
    assert str(got.values.dtype) == "date32[day][pyarrow]"


def test_column_decimal_mark_is_decided_per_column() -> None:
    eu = coerce(pd.Series(["1.234,50", "87,00", "1,5"], dtype="string"), "number")
    us = coerce(pd.Series(["1,204.50", "980.00", "1,204"], dtype="string"), "number")
    assert eu.values.tolist() == [1234.5, 87.0, 1.5]
    assert us.values.tolist() == [1204.5, 980.0, 1204.0]
    assert str(eu.values.dtype) == "Float64"


def test_integer_and_boolean_coercion_report_failures() -> None:
    ints = coerce(pd.Series(["5", "4.0", "3.5", None], dtype="string"), "integer")
    assert ints.values.tolist()[:2] == [5, 4] and ints.failed.tolist() == [False, False, True, False]
    assert str(ints.values.dtype) == "Int64"
    flags = coerce(pd.Series(["yes", "N", "1", "perhaps"], dtype="string"), "boolean")
    assert flags.values.tolist()[:3] == [True, False, True] and flags.failed.tolist() == [False, False, False, True]


@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        ("amount", ["1,204.50", "980.00", "75"], "number"),
        ("rating", ["5", "4", "3"], "integer"),
        ("active", ["true", "false", "TRUE"], "boolean"),
        ("flag", ["1", "0", "1"], "integer"),  # 1/0 are numbers unless the schema says boolean
        ("signup", ["2024-01-15", "15/02/2024", "March 12 2024"], "date"),
        ("created_at", ["2026-11-19T04:15:00Z", "2026-11-19T05:15:00Z"], "datetime"),
        ("customer_id", ["1", "2", "3"], "string"),  # identifiers are never inferred
        ("zip", ["02134", "10001"], "string"),  # leading zeros would be lost
        ("amount", ["1", "2", "3", "4", "5", "6", "7", "8", "9", "oops"], "integer"),  # 90% parse
        ("amount", ["1", "2", "3", "4", "5", "6", "7", "8", "oops", "oops2"], "string"),  # 80% do not
        ("note", ["hello", "world"], "string"),
        ("empty", [None, None], "string"),
    ],
)
def test_infer_type(name: str, values: list, expected: str) -> None:
    assert infer_type(name, pd.Series(values, dtype="string")) == expected


def _frame(header, rows):
    return build_frame(header, rows, list(range(2, 2 + len(rows))), "d/x.csv")[0]


def test_null_spellings_become_missing_with_configured_extras() -> None:
    df = _frame(["a", "b"], [["N/A", "x"], [" null ", "unknown"], ["-", "?"], ["0", "none"]])
    out = NullSpellings(TypeOptions(na_values=["Unknown"])).apply(df).kept
    assert out["a"].tolist()[3] == "0" and out["a"].isna().tolist() == [True, True, True, False]
    assert out["b"].isna().tolist() == [False, True, False, True]  # '?' among text is an answer, kept
    assert out["a__raw"].tolist()[2] == "-"  # '-' among numbers is missing, its text kept


def test_failed_values_are_kept_in_raw_columns_never_silently_lost() -> None:
    df = _frame(["amount", "note"], [["10", "a"], ["twelve", "b"], ["3.5", "c"], [None, "d"]])
    out = CoerceTypes({"amount": "number"}).apply(NullSpellings().apply(df).kept)
    kept = out.kept
    assert list(kept.columns) == ["_source", LINE, "amount", "amount__raw", "amount__reason", "note"]
    assert kept["amount__reason"].tolist()[1] == "not_a_number" and kept["amount__reason"].isna().tolist() == [True, False, True, True]
    assert kept["amount"].tolist()[::2] == [10.0, 3.5]
    assert kept["amount__raw"].tolist()[1] == "twelve" and kept["amount__raw"].isna().tolist() == [True, False, True, True]
    assert len(out.quarantined) == 0


def test_failed_values_quarantine_the_row_when_configured() -> None:
    df = _frame(["amount", "when"], [["10", "2024-01-01"], ["twelve", "2024-01-02"], ["3", "soon"], ["4", "2024-01-04"], ["5", "2024-01-05"]])
    opts = TypeOptions(on_error="quarantine")
    out = CoerceTypes({"amount": "number", "when": "date"}, opts).apply(df)
    assert out.kept[LINE].tolist() == [2, 5, 6]
    assert out.quarantined[REASON].tolist() == [
        "line 3: amount='twelve' is not a valid number (not_a_number) — row quarantined",
        "line 4: when='soon' is not a valid date (not_a_date) — row quarantined",
    ]
    assert out.quarantined["amount"].tolist() == ["twelve", "3"]  # quarantined rows keep the text as read


def test_declared_types_beat_inference_and_parquet_keeps_dtypes(tmp_path) -> None:
    schema = SchemaSpec("s", [ColumnSpec("id", identifier=True), ColumnSpec("active", type="boolean"), ColumnSpec("seen", type="datetime")])
    rows = [["007", "1", "2024-01-02 10:00+00:00", "1,5"], ["008", "0", "2024-01-03T11:30:00+01:00", "2,25"]]
    df, _ = build_frame(["id", "active", "seen", "score"], rows, [2, 3], "d/x.csv", SourceConfig(schema=schema))
    curated = run_steps(df, build_steps(SourceConfig(schema=schema))).curated
    path = tmp_path / "x.parquet"
    curated.to_parquet(path, index=False)
    import pyarrow.parquet as pq

    types = {f.name: str(f.type) for f in pq.read_schema(path)}
    assert types["id"] == "large_string" or types["id"] == "string"
    assert (types["active"], types["seen"], types["score"]) == ("bool", "timestamp[us, tz=UTC]", "double")
    assert curated["seen"].tolist()[1] == pd.Timestamp("2024-01-03 10:30", tz="UTC")
    assert curated["score"].tolist() == [1.5, 2.25] and curated["id"].tolist() == ["007", "008"]


def test_type_options_validate_choices() -> None:
    with pytest.raises(ValueError, match="on_error: 'drop' is not one of keep_raw, quarantine"):
        TypeOptions(on_error="drop")
    with pytest.raises(ValueError, match="dayfirst: 'yes' is not one of auto, True, False"):
        TypeOptions(dayfirst="yes")
    with pytest.raises(ValueError, match=r"infer_min_share: 0.2 must be in \[0.5, 1.0\]"):
        TypeOptions(infer_min_share=0.2)


def test_type_decisions_are_sticky_across_batches() -> None:
    step = CoerceTypes()
    first = step.apply(_frame(["amount", "day"], [["1.234,50", "15/02/2024"], ["2", "01/03/2024"]])).kept
    second = step.apply(_frame(["amount", "day"], [["1,5", "02/03/2024"], ["oops", "03/04/2024"]])).kept
    assert step.decided == {"amount": "number", "day": "date"}
    assert first["amount"].tolist() == [1234.5, 2.0]
    # alone, the second batch shows no day-first evidence (02/03 would be 3 February): it follows the first
    assert second["amount"].tolist()[0] == 1.5 and second["amount__raw"].tolist()[1] == "oops"
    assert second["day"].tolist() == [date(2024, 3, 2), date(2024, 4, 3)]


# ------------------------------------------------------------------ exact integers (issue 9, item 11)


def test_integers_beyond_2_53_are_exact_in_int64_never_rounded() -> None:
    s = pd.Series(
        ["4611686018427387905", "-4611686018427387905", "9007199254740993", "9223372036854775807", "-9223372036854775808",
         "0009223372036854775807", "1,234,567", "(12)", "12.000", None],
        dtype="string",
    )
    got = coerce(s, "integer")
    assert str(got.values.dtype) == "Int64"
    assert got.values.tolist()[:9] == [
        4611686018427387905, -4611686018427387905, 9007199254740993, 9223372036854775807, -9223372036854775808,
        9223372036854775807, 1234567, -12, 12,
    ]
    assert pd.isna(got.values.tolist()[9]) and got.failed.tolist() == [False] * 10


def test_integers_beyond_int64_fail_and_are_not_rounded_into_range() -> None:
    s = pd.Series(["9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "1.5", "7"], dtype="string")
    got = coerce(s, "integer")
    assert got.failed.tolist() == [True, True, True, True, False]
    assert got.values.isna().tolist() == [True, True, True, True, False] and got.values.tolist()[4] == 7


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["4611686018427387905", None, "1234567890123456789"], "integer"),  # 19-digit ids with a blank: Int64
        (["-4611686018427387905", "-1", "3"], "integer"),  # negative big integers
        (["9223372036854775808", "1", "2"], "string"),  # beyond Int64: the digits stay exact as text
        (["4.0", "5", "6"], "number"),  # a decimal written is a number
        (["12%", "5", "6"], "string"),  # percent next to bare numbers: 100x apart, the text stays
        (["12%", "5%", "6.5%"], "number"),  # all percent: one scale
        (["19760607", "20240115"], "integer"),  # undeclared compact dates stay (exact) integers
    ],
)
def test_infer_type_never_tests_integrality_on_floats(values: list, expected: str) -> None:
    assert infer_type("status", pd.Series(values, dtype="string")) == expected


def test_numbers_float64_cannot_hold_are_flagged_inexact_with_the_nearest_double() -> None:
    s = pd.Series(
        ["0.1", "0.12345678901234567890", "4611686018427387905", "4611686018427387904", "123.45678901234567", "9007199254740993", "2.5"],
        dtype="string",
    )
    got = coerce(s, "number")
    assert got.inexact.tolist() == [False, True, True, False, False, True, False]
    assert got.failed.tolist() == [False] * 7
    assert got.values.tolist() == [0.1, 0.12345678901234568, 4611686018427387904.0, 4611686018427387904.0, 123.45678901234567, 9007199254740992.0, 2.5]


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1.234.567,89", ",", Decimal("1234567.89")),
        ("1,234,567.89", ".", Decimal("1234567.89")),
        ("1,234,567,89", ".", None),  # the fractional part uses the decimal mark, not the group separator
        ("1.234.567.89", ",", None),
        ("0,125", ",", Decimal("0.125")),
        ("0,125", ".", None),  # a leading 0 group is never a thousands group
        ("1,234", ",", Decimal("1.234")),
        ("4611686018427387905", ".", Decimal("4611686018427387905")),
        ("12%", ".", Decimal("0.12")),
        ("1e5000", ".", None),
    ],
)
def test_parse_decimal_is_exact(text: str, decimal: str, expected: Decimal | None) -> None:
    assert parse_decimal(text, decimal) == expected


def test_decimal_votes_read_a_leading_zero_group_as_a_decimal_part() -> None:
    assert [decimal_vote(v) for v in ["0,125", "0,40", "0.125", "-0,5", "1,204", "01.03.2024", "1 234,5", "$0,125"]] == [
        ",", ",", ".", ",", None, None, ",", ",",
    ]
    assert decimal_votes(pd.Series(["0,125", "0,40", "1,204", "3.5", "x"], dtype="string")) == {",": 2, ".": 1}


def test_number_texts_are_plain_exact_decimals() -> None:
    s = pd.Series(["+5", "1.234,50", "(45)", "1e3", "12%", "oops", None], dtype="string")
    assert number_texts(s, ",").tolist() == ["5", "1234.50", "-45", "1000", "0.12", pd.NA, pd.NA]


# ------------------------------------------------------------------ compact dates (issue 9, item 14)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19760607", datetime(1976, 6, 7)),
        ("20240229", datetime(2024, 2, 29)),
        ("20240115T1015", datetime(2024, 1, 15, 10, 15)),
        ("20240115T101530Z", datetime(2024, 1, 15, 10, 15, 30)),
        ("20240115T101530.25+0200", datetime(2024, 1, 15, 8, 15, 30, 250000)),
        ("20230229", None),
        ("20241345", None),
        ("2024-13-45", None),
    ],
)
def test_parse_date_reads_iso_8601_basic_format(text: str, expected: datetime | None) -> None:
    zoned = bool(re.search(r"(?:Z|[+-]\d{4})$", text))
    assert parse_date(text) == (None if expected is None else expected.replace(tzinfo=timezone.utc) if zoned else expected)


def test_declared_date_column_reads_compact_dates_and_fails_impossible_ones() -> None:
    s = pd.Series(["19760607", "2024-13-45", "20240230", "1990-01-02", None], dtype="string")
    got = coerce(s, "date")
    assert got.values.tolist()[0] == date(1976, 6, 7) and got.values.tolist()[3] == date(1990, 1, 2)
    assert got.failed.tolist() == [False, True, True, False, False]
    stamps = coerce(pd.Series(["20240115T101530Z", "2024-01-15T10:15:30Z"], dtype="string"), "datetime")
    assert stamps.values.tolist() == [pd.Timestamp("2024-01-15 10:15:30", tz="UTC")] * 2


@pytest.mark.parametrize(
    ("name", "values", "reason"),
    [
        ("part", ["1e5", "2E3", "3e2"], "exponent notation"),
        ("code", ["12", "1e-3"], "exponent notation"),
        ("mobile", ["+14155552671", "14155552672"], "a leading +"),
        ("delta", ["$+5", "3"], "a leading +"),
        ("version", ["1.10", "1.2", "2.0"], "version numbers"),
        ("sdk_ver", ["3.1", "3.2"], "version numbers"),  # a version-like name
        ("level", ["4.10", "4.9", "5"], "version numbers"),  # 4.10 next to 4.9
        ("share", ["12%", "7.5%", "15"], "differing units"),
        ("price", ["€5.00", "$5.00"], "differing units"),
        ("price", ["5.00 USD", "5.00"], "differing units"),
        ("price", ["$5.00", "5.00 USD"], "differing units"),  # $ is not only USD
        ("amount", ["1.50", "2.25", "3.00"], None),
        ("amount", ["12.50", "0.5"], None),  # different whole parts: not a version
        ("rate", ["12%", "7.5%"], None),
        ("fee", ["€5", "€7.50", "(€2)"], None),
        ("delta", ["-5", "3"], None),
    ],
)
def test_number_text_reason(name: str, values: list, reason: str | None) -> None:
    assert number_text_reason(name, pd.Series(values, dtype="string")) == reason
    expected = "string" if reason else "number" if any("." in v or "%" in v for v in values) else "integer"
    assert infer_type(name, pd.Series(values, dtype="string")) == expected


def _version_like_by_group_loop(values: list[str]) -> bool:
    """The trailing-zero rule of ``number_text_reason`` as it was written first: one whole part at a time."""
    dotted = pd.Series(values, dtype="string").str.extract(r"^(\d+)\.(\d+)$").dropna()
    dotted["length"], dotted["zero"] = dotted[1].str.len(), dotted[1].str.endswith("0")
    for _, same in dotted.groupby(0):
        zeros = same.loc[same["zero"] & (same["length"] > 1), "length"]
        if len(zeros) and (same["length"] < zeros.max()).any():
            return True
    return False


def test_the_trailing_zero_version_rule_decides_as_the_per_group_loop_did() -> None:
    """Many whole parts (prices, measures): the rule is grouped in one pass, with the loop's answers."""
    import random

    rng = random.Random(3)
    for _ in range(300):
        values = [f"{rng.randint(0, 4)}.{rng.choice(['0', '5', '10', '25', '50', '125', '2', '9', '100'])}" for _ in range(rng.randint(1, 8))]
        values = list(dict.fromkeys(values))  # distinct, as infer_type passes them
        expected = "version numbers" if _version_like_by_group_loop(values) else None
        assert number_text_reason("amount", pd.Series(values, dtype="string")) == expected, values
    assert number_text_reason("amount", pd.Series(["1.10", "2.5", "1.25"], dtype="string")) is None  # 1.10 vs 1.25: same length
    assert number_text_reason("amount", pd.Series(["1.10", "2.5", "1.2"], dtype="string")) == "version numbers"


@pytest.mark.parametrize(
    ("values", "unit"),
    [(["12%", "7.5%"], "%"), (["€5", "€7.50"], "€"), (["5 usd", "7 USD"], "USD"), (["5", "7"], None), (["€5", "7"], None)],
)
def test_column_unit(values: list, unit: str | None) -> None:
    assert column_unit(pd.Series(values, dtype="string")) == unit


def test_a_datetime_beyond_microseconds_is_inexact_not_failed() -> None:
    out = coerce(pd.Series(["2024-01-15T10:00:00.123456789Z", "2024-01-15T10:00:00.123456000Z", "20240115T101500.1234567Z"], dtype="string"), "datetime")
    assert out.failed.tolist() == [False, False, False] and out.inexact.tolist() == [True, False, True]
    assert [v.isoformat() for v in out.values] == ["2024-01-15T10:00:00.123456+00:00", "2024-01-15T10:00:00.123456+00:00", "2024-01-15T10:15:00.123456+00:00"]


@pytest.mark.parametrize(("value", "ambiguous"), [("2,125", True), ("1.204", True), ("7,5", False), ("12", False), ("1,234,567", False), ("0,125", False)])
def test_ambiguous_decimal(value: str, ambiguous: bool) -> None:
    assert ambiguous_decimal(value) is ambiguous


def test_a_provisional_decimal_mark_keeps_the_text_of_ambiguous_values() -> None:
    out = coerce(pd.Series(["10", "2,125", "7"], dtype="string"), "number", formats={"decimal": ",", "decimal_provisional": True})
    assert out.values.tolist() == [10.0, 2.125, 7.0] and out.inexact.tolist() == [False, True, False]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["y"], "string"),
        (["y", "n"], "string"),
        (["t", "f", "t"], "string"),
        (["Yes", "no"], "boolean"),
        (["TRUE"], "boolean"),
        (["on", "off"], "boolean"),
        (["on"], "string"),
        (["true", "no", "yes", "false"], "string"),  # two vocabularies: not one flag
    ],
)
def test_boolean_inference_needs_one_word_pair(values: list, expected: str) -> None:
    assert infer_type("flag", pd.Series(values, dtype="string")) == expected


def test_a_declared_boolean_still_reads_single_letters() -> None:
    assert coerce(pd.Series(["y", "N", "t", "F"], dtype="string"), "boolean").values.tolist() == [True, False, True, False]


@pytest.mark.parametrize("kind, expected", [("number", [1.5, 123.0, None]), ("integer", [1, 123, None])])
def test_digits_of_another_script_are_read_by_the_careful_parser_not_the_arrow_cast(kind: str, expected: list) -> None:
    """Arabic-Indic digits (U+0661..U+0663) made Arrow's string cast raise and failed the whole file."""
    from headwater.clean.values import coerce

    out = coerce(pd.Series(["1" if kind == "integer" else "1.5", "\u0661\u0662\u0663", "x"], dtype="string"), kind)
    assert [None if pd.isna(v) else v for v in out.values] == expected
    assert out.failed.tolist() == [False, False, True]
