"""Every value the type step could not read keeps its text and a reason (breaker5 #19); censored lab values (<0.01) are
their own fact, warned about; alias columns for one canonical column and units in parentheses (breaker5 #7, #8)."""

from __future__ import annotations

import pandas as pd
import pytest

from headwater.clean.failures import COUNTED, failure_reason, invalid_calendar_date
from headwater.clean.frame import build_frame
from headwater.clean.mapping import header_unit, map_columns
from headwater.clean.outputs import FAILED_TYPE
from headwater.clean.steps.base import REASON
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.config.schema import ColumnSpec, SchemaSpec
from headwater.config.types import TypeOptions


def _frame(header: list[str], rows: list[list[str | None]]) -> pd.DataFrame:
    return build_frame(header, rows, list(range(2, 2 + len(rows))), "d/x.csv")[0]


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.tolist()]


@pytest.mark.parametrize(
    ("text", "kind", "reason"),
    [
        ("<0.01", "number", "censored_value"), (">100", "number", "censored_value"), ("≤0.05", "number", "censored_value"),
        ("≥5", "number", "censored_value"), ("< 0.5", "number", "censored_value"), ("<LOD", "number", "censored_value"),
        ("<0.01 mg/L", "number", "censored_value"), ("&lt;5", "integer", "censored_value"), (">=10", "integer", "censored_value"),
        ("12 ± 2", "number", "uncertainty_not_read"), ("12+/-2", "number", "uncertainty_not_read"),
        ("ND", "number", "not_a_number"), ("abc", "number", "not_a_number"), ("3-5", "number", "not_a_number"),
        ("<>", "number", "not_a_number"), ("1 < 2", "number", "not_a_number"), ("abc", "integer", "not_an_integer"),
        ("2025-02-29 10:00", "datetime", "invalid_calendar_date"), ("2025-04-31", "date", "invalid_calendar_date"),
        ("2024-02-30", "date", "invalid_calendar_date"), ("Feb 29, 2025", "date", "invalid_calendar_date"),
        ("31 April 2025", "date", "invalid_calendar_date"), ("2025-06-30 23:59:60", "datetime", "leap_second"),
        ("2016-12-31T18:59:60-05:00", "datetime", "leap_second"), ("2025-03-10 24:00", "datetime", "hour_24"),
        ("2025-03-10T24:00:00", "datetime", "hour_24"), ("2025-13-01", "date", "not_a_date"), ("2025-02-32", "date", "not_a_date"),
        ("tomorrow", "datetime", "not_a_datetime"), ("10:24:00", "datetime", "not_a_datetime"), ("maybe", "boolean", "not_a_boolean"),
    ],
)
def test_failure_reason(text: str, kind: str, reason: str) -> None:
    assert failure_reason(text, kind) == reason


def test_invalid_calendar_date_reads_numeric_dates_in_the_columns_day_order() -> None:
    assert invalid_calendar_date("04/31/2025") and not invalid_calendar_date("04/30/2025")
    # a part above 12 is the day in either order: 31/04 is 31 April, 29/02/1900 is 29 February (1900: no leap year; breaker6 #13)
    assert invalid_calendar_date("31/04/2025", dayfirst=True) and invalid_calendar_date("31/04/2025")
    assert invalid_calendar_date("29/02/1900") and invalid_calendar_date("02/29/1900", dayfirst=True)
    assert not invalid_calendar_date("29/02/2000") and not invalid_calendar_date("13/13/2025")
    assert invalid_calendar_date("31.04.2025")  # dotted: day first, as parse_date reads it
    assert not invalid_calendar_date("2024-02-29") and not invalid_calendar_date("2000-02-29") and invalid_calendar_date("1900-02-29")


def test_every_failed_datetime_keeps_a_reason_and_the_specific_ones_are_warned() -> None:
    rows = [["E1", "2025-03-09 02:30"], ["E3", "2025-03-09T07:30:00Z"], ["E5", "2025-06-30 23:59:60"], ["E6", "2025-02-29 10:00"],
            ["E7", "2025-03-10 24:00"], ["E8", "soon"], ["E9", None]]
    step = CoerceTypes({"event_id": "string", "happened_at": "datetime"}, TypeOptions(timezone="America/New_York"))
    out = step.apply(_frame(["event_id", "happened_at"], rows)).kept
    assert _values(out["happened_at__reason"]) == ["dst_gap", None, "leap_second", "invalid_calendar_date", "hour_24", "not_a_datetime", None]
    assert _values(out["happened_at__raw"]) == ["2025-03-09 02:30", None, "2025-06-30 23:59:60", "2025-02-29 10:00", "2025-03-10 24:00", "soon", None]
    assert out["happened_at"].notna().tolist() == [False, True, False, False, False, False, False]
    warnings = step.warnings()
    assert ("happened_at: 1 value(s) are at a leap second (23:59:60), which a date-time value cannot hold (line(s) 4) — not read, "
            "kept in happened_at__raw (leap_second)") in warnings
    assert any(w.startswith("happened_at: 1 value(s) are dates their month does not have") and "(line(s) 5)" in w for w in warnings)
    assert any(w.startswith("happened_at: 1 value(s) are at hour 24") and "(line(s) 6)" in w and w.endswith("(hour_24)") for w in warnings)


def test_censored_and_uncertain_lab_values_are_not_numbers_and_always_warned() -> None:
    rows = [["S1", "0.5"], ["S2", "<0.01"], ["S3", ">100"], ["S4", "0.25"], ["S5", "12 ± 2"], ["S6", "1.5e-3"], ["S7", "abc"],
            ["S8", "≤0.05"], ["S9", "0.7"], ["S10", "0.8"], ["S11", "0.9"], ["S12", "1.0"]]
    step = CoerceTypes({"sample": "string", "result": "number"})
    out = step.apply(_frame(["sample", "result"], rows)).kept
    assert _values(out["result"]) == [0.5, None, None, 0.25, None, 0.0015, None, None, 0.7, 0.8, 0.9, 1.0]  # never 0.01 for <0.01
    assert _values(out["result__reason"]) == [
        None, "censored_value", "censored_value", None, "uncertainty_not_read", None, "not_a_number", "censored_value", None, None, None, None,
    ]
    assert _values(out["result__raw"]) == [None, "<0.01", ">100", None, "12 ± 2", None, "abc", "≤0.05", None, None, None, None]
    warnings = step.warnings()
    assert ("result: 3 value(s) are censored values, written with a comparison like <0.01, >100, ≤0.05 or <LOD (a bound, not a "
            "measured number; never stored as the number it names) (line(s) 3, 4, 9) — not read, kept in result__raw (censored_value)") in warnings
    assert any(w.startswith("result: 1 value(s) are written with an uncertainty") and "(line(s) 6)" in w for w in warnings)
    # the unreadable value is warned once, with the count of every value not read (as coercion_failures counts them:
    # breaker6 #12): 4 for the causes above (3 censored, 1 uncertainty), 1 for none named
    assert ("result: 5 of 12 values (42%) are not a valid number (declared type): 4 for the causes above, 1 for none named "
            "(not_a_number), line(s) 8 — missing in the column, their text kept in result__raw") in warnings


def test_one_censored_value_among_many_numbers_is_warned() -> None:
    step = CoerceTypes({"result": "integer"})
    out = step.apply(_frame(["result"], [[str(n)] for n in range(40)] + [["<5"]])).kept
    assert _values(out["result__reason"])[-1] == "censored_value" and out["result__reason"].notna().sum() == 1
    assert [w for w in step.warnings() if "censored" in w] == [
        "result: 1 value(s) are censored values, written with a comparison like <0.01, >100, ≤0.05 or <LOD (a bound, not a measured "
        "number; never stored as the number it names) (line(s) 42) — not read, kept in result__raw (censored_value)"
    ]


def test_quarantine_names_the_reason() -> None:
    step = CoerceTypes({"a": "number", "t": "datetime"}, TypeOptions(on_error="quarantine"))
    result = step.apply(_frame(["a", "t"], [["<0.01", "2025-01-01 10:00"], ["1", "2025-06-30 23:59:60"], ["2", "2025-01-01 11:00"]]))
    assert result.quarantined[REASON].tolist() == [
        "line 2: a='<0.01' is not a valid number (censored_value) — row quarantined",
        "line 3: t='2025-06-30 23:59:60' is not a valid datetime (leap_second) — row quarantined",
    ]
    assert "a__reason" not in result.kept.columns and "t__reason" not in result.kept.columns


def test_an_undeclared_column_of_numbers_and_censored_values_stays_text_and_is_warned() -> None:
    rows = [["S1", "0.5"], ["S2", "<0.01"], ["S3", "0.25"], ["S4", "0.7"], ["S5", ">100"]]
    step = CoerceTypes()
    out = step.apply(_frame(["sample", "result"], rows)).kept
    assert step.decided["result"] == "string" and out["result"].tolist() == ["0.5", "<0.01", "0.25", "0.7", ">100"]
    assert step.kept_as_text == {"result": "censored values among numbers"}
    assert ("result: kept as text: 2 value(s) among its numbers are censored values, like <0.01 (line(s) 3, 6): a bound, not a "
            "measured number — every value kept as written; declare schema.columns.result.type: number to read the numbers "
            "(each censored value then keeps its text, censored_value)") in step.warnings()
    plain = CoerceTypes()
    plain.apply(_frame(["sample", "result"], [["S1", "0.5"], ["S2", "<0.01"], ["S3", "abc"]]))
    assert plain.kept_as_text == {} and not any("censored" in w for w in plain.warnings())


def test_failure_reasons_are_counted_as_coercion_failures_and_other_reasons_are_not() -> None:
    reasons = pd.Series(["not_a_number", "censored_value", "na_spelling", "dst_gap", "trimmed; type", "trimmed; type; not_a_date",
                         "currency_differs_from_unit", "weekday_mismatch"])
    # weekday_mismatch: a value not read (breaker6 #12); a value in another currency has its own count
    assert reasons.str.contains(FAILED_TYPE, regex=True).tolist() == [True, True, False, True, True, True, False, True]
    assert "not_a_boolean" in COUNTED


CUSTOMER = SchemaSpec(
    "customer",
    [
        ColumnSpec("customer_id", aliases=["cust_id", "client_id"]),
        ColumnSpec("full_name", aliases=["name", "customer_name"]),
        ColumnSpec("email", aliases=["e_mail"]),
        ColumnSpec("signup_date", type="date"),
        ColumnSpec("lifetime_value", type="number", aliases=["ltv"]),
        ColumnSpec("weight", type="number", unit="kg"),
        ColumnSpec("notes", aliases=["comments", "remarks"]),
    ],
)


def test_a_second_alias_column_is_said_to_be_one_and_no_fuzzy_refusal_is_said() -> None:
    mapping = map_columns(["cust_id", "client_id", "name", "customer_name", "email", "e_mail"], CUSTOMER)
    assert [m.canonical for m in mapping.matches] == ["customer_id", None, "full_name", None, "email", None]
    lines = [w for w in mapping.warnings() if "already fills" in w or "fuzzy" in w]
    assert lines == [
        "column 'client_id' matches 'customer_id' (by its alias 'client_id'), which column 'cust_id' already fills — kept under its own name",
        "column 'customer_name' matches 'full_name' (by its alias 'customer_name'), which column 'name' already fills — kept under its own name",
        "column 'e_mail' matches 'email' (by its alias 'e_mail'), which column 'email' already fills — kept under its own name",
    ]
    same = map_columns(["Email", "email "], CUSTOMER)
    assert [w for w in same.warnings() if "already fills" in w] == [
        "column 'email ' matches 'email', which column 'Email' already fills — kept under its own name"
    ]


@pytest.mark.parametrize(
    ("header", "found"),
    [("LTV (USD)", ("LTV", "USD")), ("Signup Date (UTC)", ("Signup Date", "UTC")), ("Weight [kg]", ("Weight", "kg")),
     ("Amount ($)", ("Amount", "$")), ("Start (Europe/Berlin)", ("Start", "Europe/Berlin")), ("At (UTC+02:00)", ("At", "UTC+02:00")),
     ("Full Name (Kana)", None), ("Phone (mobile)", None), ("(USD)", None), ("LTV", None)],
)
def test_header_unit(header: str, found: tuple[str, str] | None) -> None:
    assert header_unit(header) == found


def test_a_unit_or_zone_in_parentheses_does_not_stop_the_match() -> None:
    mapping = map_columns(["Customer ID", "Signup Date (UTC)", "LTV (USD)", "Weight (lb)", "Full Name (Kana)"], CUSTOMER)
    assert [(m.canonical, m.method, m.matched) for m in mapping.matches] == [
        ("customer_id", "exact", "customer_id"), ("signup_date", "exact", "signup_date"), ("lifetime_value", "alias", "ltv"),
        ("weight", "exact", "weight"), (None, "unmapped", None),
    ]
    assert ("column 'Weight (lb)' mapped to 'weight' by its name without the unit (lb), but the schema declares the unit 'kg' — "
            "its values are not converted; check the unit") in mapping.warnings()
    assert not any("Weight [kg]" in w or "unit" in w for w in map_columns(["Weight [kg]", "LTV (USD)"], CUSTOMER).warnings()
                   if "not converted" in w)
    # the full name still wins over the name without its unit
    both = map_columns(["weight (kg)", "weight"], CUSTOMER)
    assert [m.canonical for m in both.matches] == [None, "weight"]
