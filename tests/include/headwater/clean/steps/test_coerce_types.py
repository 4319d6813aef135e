"""CoerceTypes: exact integers, the file's decimal mark and day order, inexact numbers in __raw, type warnings."""

from __future__ import annotations

from datetime import date

import pandas as pd

from headwater.clean.frame import build_frame
from headwater.clean.steps.base import LINE, REASON
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.config.types import TypeOptions


def _frame(header: list[str], rows: list[list[str | None]]) -> pd.DataFrame:
    return build_frame(header, rows, list(range(2, 2 + len(rows))), "d/x.csv")[0]


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.tolist()]


def test_a_semicolon_file_of_decimal_commas_reads_0_125_and_0_40() -> None:
    step = CoerceTypes()
    out = step.apply(_frame(["a", "b"], [["0,125", "0,40"]])).kept
    assert (out["a"].tolist(), out["b"].tolist()) == ([0.125], [0.40])
    assert step.decided == {"a": "number", "b": "number"}
    assert step.file_formats == {
        "decimal": ",", "decimal_votes": {".": 0, ",": 2}, "dayfirst": False, "dayfirst_votes": {"day_first": 0, "month_first": 0}, "columns": {},
        "decimal_decided_by": "votes", "units": {}, "kept_as_text": {},
    }


def test_an_ambiguous_column_follows_the_file_not_its_own_guess() -> None:
    # alone, "1,204" and "3,500" read as 1204 and 3500 (decimal '.'); the file's other column shows decimal commas
    step = CoerceTypes()
    out = step.apply(_frame(["weight", "price"], [["1,204", "87,00"], ["3,500", "1.234,50"]])).kept
    assert out["weight"].tolist() == [1.204, 3.5] and out["price"].tolist() == [87.0, 1234.5]
    assert step.decided == {"weight": "number", "price": "number"}


def test_european_and_us_files_read_the_same_numbers() -> None:
    eu = CoerceTypes().apply(_frame(["amount", "count"], [["1.234.567,89", "1.204"], ["12,50", "2.500"], ["0,5", "7"]])).kept
    us = CoerceTypes().apply(_frame(["amount", "count"], [["1,234,567.89", "1,204"], ["12.50", "2,500"], ["0.5", "7"]])).kept
    for out in (eu, us):
        assert out["amount"].tolist() == [1234567.89, 12.5, 0.5]
        assert out["count"].tolist() == [1204, 2500, 7] and str(out["count"].dtype) == "Int64"


def test_a_column_override_keeps_its_own_decimal_mark() -> None:
    step = CoerceTypes({"rate": "number", "version": "number"}, formats={"version": {"decimal": "."}})
    out = step.apply(_frame(["rate", "version"], [["0,125", "1.5"], ["0,40", "2.25"]])).kept
    assert out["rate"].tolist() == [0.125, 0.40] and out["version"].tolist() == [1.5, 2.25]
    assert step.file_formats["columns"] == {"version": {"decimal": "."}} and step.file_formats["decimal"] == ","


def test_the_source_option_forces_the_decimal_mark() -> None:
    out = CoerceTypes({"a": "number"}, TypeOptions(decimal=".")).apply(_frame(["a"], [["0,125"], ["1,204"]])).kept
    assert _values(out["a"]) == [None, 1204.0] and _values(out["a__raw"]) == ["0,125", None]


def test_the_day_order_is_the_files() -> None:
    # "03/04/2024" alone is month first; the other date column of the file shows day first
    out = CoerceTypes().apply(_frame(["shipped", "ordered"], [["03/04/2024", "15/02/2024"], ["05/06/2024", "20/05/2024"]])).kept
    assert out["shipped"].tolist() == [date(2024, 4, 3), date(2024, 6, 5)]


def test_big_integer_ids_stay_exact_through_inference() -> None:
    step = CoerceTypes()
    out = step.apply(_frame(
        ["status", "in_reply_to", "huge"],
        [["4611686018427387905", None, "99999999999999999999"], ["-4611686018427387905", "1234567890123456789", "1"], ["9007199254740993", None, "2"]],
    )).kept
    assert step.decided == {"status": "integer", "in_reply_to": "integer", "huge": "string"}
    assert out["status"].tolist() == [4611686018427387905, -4611686018427387905, 9007199254740993]
    assert _values(out["in_reply_to"]) == [None, 1234567890123456789, None]
    assert out["huge"].tolist() == ["99999999999999999999", "1", "2"]
    assert [c for c in out.columns if c.endswith("__raw")] == []


def test_a_declared_integer_beyond_int64_keeps_its_digits_in_raw() -> None:
    out = CoerceTypes({"order_no": "integer"}).apply(_frame(["order_no"], [["9223372036854775808"], ["42"]])).kept
    assert _values(out["order_no"]) == [None, 42] and _values(out["order_no__raw"]) == ["9223372036854775808", None]


def test_inexact_numbers_keep_their_text_next_to_the_nearest_double_in_both_modes() -> None:
    rows = [["0.12345678901234567890", "1"], ["1.5", "2"], ["4611686018427387905", "x"]]
    kept = CoerceTypes({"ratio": "number"}).apply(_frame(["ratio", "n"], rows)).kept
    assert kept["ratio"].tolist() == [0.12345678901234568, 1.5, 4611686018427387904.0]
    assert _values(kept["ratio__raw"]) == ["0.12345678901234567890", None, "4611686018427387905"]
    out = CoerceTypes({"ratio": "number", "n": "integer"}, TypeOptions(on_error="quarantine")).apply(_frame(["ratio", "n"], rows))
    assert out.kept[LINE].tolist() == [2, 3] and _values(out.kept["ratio__raw"]) == ["0.12345678901234567890", None]
    assert out.quarantined[REASON].tolist() == ["line 4: n='x' is not a valid integer (not_an_integer) — row quarantined"]


def test_a_declared_type_that_fails_most_values_is_a_warning() -> None:
    step = CoerceTypes({"born": "date", "visited": "date"})
    step.apply(_frame(["born", "visited"], [["19760607", "soon"], ["2024-13-45", "later"]]))
    step.apply(_frame(["born", "visited"], [["20240230", "2024-01-02"], ["1990-01-02", "never"]]))
    assert step.tally["born"] == {"values": 4, "failed": 2, "named": 0, "inexact": 0}
    assert step.warnings() == ["visited: 3 of 4 values (75%) are not a valid date (declared type) — kept in visited__raw"]
    quarantine = CoerceTypes({"visited": "date"}, TypeOptions(on_error="quarantine", warn_failed_share=0.2))
    quarantine.apply(_frame(["visited"], [["soon"], ["2024-01-02"], ["2024-01-03"]]))
    assert quarantine.warnings() == ["visited: 1 of 3 values (33%) are not a valid date (declared type) — their rows quarantined"]


# breaker2 #17: each column decides its own decimal mark; one all of whose values fit both marks keeps their text.
QTY_WARNING = (
    "qty: 3 value(s) like 1,234 fit both decimal marks and no value of the column decided it: read with the file's mark ',', "
    "which other columns decided — their text kept in qty__raw (ambiguous_decimal_mark); set schema.columns.qty.decimal if that is wrong"
)


def test_a_column_of_thousands_groups_is_not_decided_silently_by_another_columns_decimal_commas() -> None:
    step = CoerceTypes()
    out = step.apply(_frame(["id", "qty", "rate"], [["1", "1,234", "2,5"], ["2", "12,500", "3,75"], ["3", "3,000", "1,25"]])).kept
    assert _values(out["qty"]) == [1.234, 12.5, 3.0] and _values(out["rate"]) == [2.5, 3.75, 1.25]
    assert _values(out["qty__raw"]) == ["1,234", "12,500", "3,000"]
    assert _values(out["qty__reason"]) == ["ambiguous_decimal_mark"] * 3
    assert "rate__raw" not in out.columns and step.warnings() == [QTY_WARNING]


def test_the_same_with_decimal_points_keeps_the_text_of_1_234() -> None:
    step = CoerceTypes()
    out = step.apply(_frame(["qty", "rate"], [["1.234", "2.5"], ["7", "3.75"]])).kept
    assert _values(out["qty"]) == [1.234, 7.0] and _values(out["qty__raw"]) == ["1.234", None]
    assert _values(out["qty__reason"]) == ["ambiguous_decimal_mark", None]


def _differs_warning(col: str, mark: str, file_mark: str) -> str:
    return (
        f"{col}: kept as text: its values write the decimal mark {mark!r} where the file's other columns decided {file_mark!r} "
        f"(decimal_mark_differs_from_file) — not read as numbers; set schema.columns.{col}.decimal to read them"
    )


# breaker3 #18: a column whose own values write the other mark than the file's other columns decided is not read by a
# per-column guess ("no locale is guessed per column when the file tells you"): it stays text, with a warning.
def test_a_column_whose_own_values_show_decimal_points_stays_text_in_a_decimal_comma_file() -> None:
    step = CoerceTypes()
    rows = [["1.5", "0,125"], ["2.25", "0,40"], ["3.75", "1,5"], ["4.5", "2,75"], ["5.5", "3,5"], ["6", "4,25"]]
    out = step.apply(_frame(["weight", "rate"], rows)).kept
    assert _values(out["weight"]) == ["1.5", "2.25", "3.75", "4.5", "5.5", "6"] and _values(out["rate"]) == [0.125, 0.4, 1.5, 2.75, 3.5, 4.25]
    assert step.file_formats["decimal"] == "," and "weight__raw" not in out.columns
    assert step.decided == {"weight": "string", "rate": "number"}
    assert step.kept_as_text == {"weight": "decimal mark differs from the file's"}
    assert step.warnings() == [_differs_warning("weight", ".", ",")]


def test_a_column_with_one_value_that_shows_the_other_mark_stays_text() -> None:
    step = CoerceTypes()
    out = step.apply(_frame(["qty", "rate"], [["1,234", "2.5"], ["0,5", "3.75"]])).kept
    assert _values(out["qty"]) == ["1,234", "0,5"] and "qty__raw" not in out.columns
    assert _values(out["rate"]) == [2.5, 3.75] and step.warnings() == [_differs_warning("qty", ",", ".")]


def test_page_ranges_in_a_file_of_decimal_point_prices_stay_text() -> None:
    # the report's in34/dot_and_pairs.csv: one column each way; the delimiter's convention (',' files write '.') and the
    # prices tell the file's mark, so "10,20" is not 10.2
    step = CoerceTypes(delimiter=",")
    rows = [["a", "1.50", "10,20"], ["b", "2.25", "3,7"], ["c", "3.75", "12,13"]]
    out = step.apply(_frame(["item", "price", "pages"], rows)).kept
    assert _values(out["pages"]) == ["10,20", "3,7", "12,13"] and _values(out["price"]) == [1.5, 2.25, 3.75]
    assert [c for c in out.columns if c.startswith("pages")] == ["pages"]
    assert step.warnings() == [_differs_warning("pages", ",", ".")]


def test_pairs_among_more_decimal_points_and_a_decimal_point_column_among_decimal_commas() -> None:
    step = CoerceTypes()
    rows = [["1.50", "0.5", "1,5"], ["2.25", "0.75", "2,5"], ["3.75", "0.25", "3,5"]]
    out = step.apply(_frame(["price", "ratio", "sizes"], rows)).kept
    assert _values(out["sizes"]) == ["1,5", "2,5", "3,5"] and _values(out["ratio"]) == [0.5, 0.75, 0.25]
    # in a ';' file the tie goes the other way: the decimal commas are the file's, the points stay text
    semi = CoerceTypes(delimiter=";")
    out = semi.apply(_frame(["price", "sizes"], [["1.50", "1,5"], ["2.25", "2,5"]])).kept
    assert _values(out["price"]) == ["1.50", "2.25"] and _values(out["sizes"]) == [1.5, 2.5]
    assert semi.kept_as_text == {"price": "decimal mark differs from the file's"}


def test_a_column_that_alone_decides_the_mark_or_ties_with_no_convention_keeps_its_own() -> None:
    # no other column decides the mark: today's rule (the column's own values decide it)
    alone = CoerceTypes()
    out = alone.apply(_frame(["item", "sizes"], [["a", "1,5"], ["b", "2,5"]])).kept
    assert _values(out["sizes"]) == [1.5, 2.5] and alone.warnings() == []
    agree = CoerceTypes()
    out = agree.apply(_frame(["price", "qty"], [["1.50", "7"], ["2.25", "1,500"]])).kept
    assert _values(out["price"]) == [1.5, 2.25] and _values(out["qty"]) == [7.0, 1500.0]


def test_a_declared_number_column_writing_the_other_mark_keeps_every_value_it_reads_in_raw() -> None:
    step = CoerceTypes({"pages": "number"})
    rows = [["1.50", "10,20"], ["2.25", "1,500"], ["3.75", "7"]]
    out = step.apply(_frame(["price", "pages"], rows)).kept
    assert _values(out["pages"]) == [None, 1500.0, 7.0]
    assert _values(out["pages__raw"]) == ["10,20", "1,500", None]  # 7 reads alike under both marks
    assert _values(out["pages__reason"]) == ["not_a_number", "decimal_mark_differs_from_file", None]  # 10,20 not read: says why
    assert step.warnings()[0] == (
        "pages: 1 value(s) read with the file's decimal mark '.', which other columns decided, while the column's own "
        "values write the other mark — their text kept in pages__raw (decimal_mark_differs_from_file); set "
        "schema.columns.pages.decimal if that is wrong"
    )


def test_a_column_override_reads_the_other_mark_without_a_warning() -> None:
    step = CoerceTypes(formats={"pages": {"decimal": ","}})
    out = step.apply(_frame(["price", "pages"], [["1.50", "10,20"], ["2.25", "3,7"]])).kept
    assert _values(out["pages"]) == [10.2, 3.7] and step.warnings() == []


def test_a_later_batch_can_decide_a_columns_mark_and_earlier_ambiguous_values_kept_their_text() -> None:
    step = CoerceTypes()
    first = step.apply(_frame(["qty", "rate"], [["1,234", "2,5"]])).kept
    second = step.apply(_frame(["qty", "rate"], [["1,5", "3,75"], ["2,250", "1,25"]])).kept
    assert (_values(first["qty"]), _values(first["qty__raw"]), _values(first["qty__reason"])) == ([1.234], ["1,234"], ["ambiguous_decimal_mark"])
    assert _values(second["qty"]) == [1.5, 2.25] and "qty__raw" not in second.columns


# breaker2 #3: a weekday that contradicts its date is not read (either may be wrong); the text stays with a reason.
def test_a_weekday_that_contradicts_the_date_keeps_the_text_with_reason_weekday_mismatch() -> None:
    step = CoerceTypes()
    rows = [["1", "Tuesday, March 3, 2025"], ["2", "Sat 5 Mar 2025"], ["3", "Friday, 7 March 2025"], ["4", "Mon 03/03/2025"]]
    out = step.apply(_frame(["id", "when"], rows)).kept
    assert step.decided["when"] == "date"
    assert _values(out["when"]) == [None, None, date(2025, 3, 7), date(2025, 3, 3)]
    assert _values(out["when__raw"]) == ["Tuesday, March 3, 2025", "Sat 5 Mar 2025", None, None]
    assert _values(out["when__reason"]) == ["weekday_mismatch", "weekday_mismatch", None, None]
    assert step.warnings()[0] == (
        "when: 2 value(s) name a weekday that is not their date's, like Tuesday, March 3, 2025 (a Monday): the weekday or the "
        "day is wrong, which is not guessed (weekday_mismatch) — not read, kept in when__raw"
    )


def test_a_wrong_weekday_abbreviation_in_a_date_time_column_is_not_read_either() -> None:
    step = CoerceTypes({"at": "datetime"})
    out = step.apply(_frame(["at"], [["Thu, 06 Mar 2025 10:00:00"], ["Wed, 06 Mar 2025 11:30:00"]])).kept
    assert [None if pd.isna(v) else str(v) for v in out["at"]] == ["2025-03-06 10:00:00", None]
    assert _values(out["at__reason"]) == [None, "weekday_mismatch"]


# breaker2 #23: a plain date among date-times is stored at midnight, which nobody wrote: its text and a reason are kept.
def test_dates_in_a_column_of_date_times_keep_their_text_with_reason_date_only() -> None:
    step = CoerceTypes()
    rows = [["2025-03-01"], ["2025-03-02"], ["2025-03-04 10:00"], ["2025-03-05"], ["2025-03-06T23:59:00"], ["March 7, 2025"]]
    out = step.apply(_frame(["d"], rows)).kept
    assert step.decided["d"] == "datetime"
    assert [str(v) for v in out["d"]] == [
        "2025-03-01 00:00:00", "2025-03-02 00:00:00", "2025-03-04 10:00:00", "2025-03-05 00:00:00", "2025-03-06 23:59:00", "2025-03-07 00:00:00",
    ]
    assert _values(out["d__raw"]) == ["2025-03-01", "2025-03-02", None, "2025-03-05", None, "March 7, 2025"]
    assert _values(out["d__reason"]) == ["date_only", "date_only", None, "date_only", None, "date_only"]
    # a written midnight is a time: kept as written
    out = CoerceTypes().apply(_frame(["d"], [["2025-03-01 00:00"], ["2025-03-02 10:00"], ["2025-03-03 9 pm"]])).kept
    assert "d__raw" not in out.columns
