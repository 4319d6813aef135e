"""Step: every column gets its declared (or inferred) type; a value that fails keeps its text in ``<col>__raw``.

A value that fails coercion is never silently turned into a missing value: it is kept
verbatim in ``<col>__raw`` (``on_error: keep_raw``, the default) or its row is quarantined
with the column and value in the reason (``on_error: quarantine``). A number float64 cannot
hold exactly keeps the nearest double in the column and its text in ``<col>__raw`` (in both
modes: it is not an error). Parsing itself is headwater.clean.values.

Every decision below is taken on the file's decision sample (its first rows, whatever the batch
size: headwater.clean.runner.DECISION_ROWS, ``adopt``) and then holds for the whole file; a value
after the sample that contradicts its column's type keeps its text in ``<col>__raw`` and is counted
in a warning. Run alone (no runner), the step decides on the first batch as described below.

The decimal mark and the day order are the file's, from the votes of every column that may hold
numbers or dates (``value_formats``), unless the source (``types.decimal``, ``types.dayfirst``) or
the column (``schema.columns.<c>.decimal``, ``.dayfirst``) says. The day order is decided by the
first batch holding a date that shows it (``13/04/2025``); until then a date that reads two ways
(``03/04/2025``) is read month first *and* keeps its text in ``<col>__raw``, as does a two-digit
year (``01/02/50``) and a number written in parentheses (``(415)``, read as -415): values read by
an assumption are stored, kept as written, and counted in a warning. The decimal mark is decided by the first batch that holds a deciding value
(``0,125``, ``3.14``, ``1,234,567``); until then it is provisional: the delimiter's convention
(``;`` files write decimal commas, others decimal points), and a value that reads differently under
the two marks (``2,125``) is read with it *and* keeps its text in ``<col>__raw``, so no value is
silently read with a mark the rest of the file contradicts. ``value_formats.decimal_decided_by`` says
how the mark was decided: ``option``, ``votes``, ``delimiter`` (the convention, no value decided) or
``default``. A vote cast by a value the column's declared type refuses read with that mark (``12.5`` in an
integer column) counts, but adds doubt only: when only such values voted for a column's mark, its values
that fit both marks (``1.000``) are read with it *and* keep their text (``ambiguous_decimal_mark``, warned),
as with no vote (breaker9 #4; values.accepted_marks).

Inferred number columns carry one unit or none (headwater.clean.values.number_text_reason); the
unit of a typed column (``%``: ``12%`` is stored as 0.12; a currency: the amount is stored) is in
``value_formats.units``, and why a column of numbers stayed text in ``value_formats.kept_as_text``.
A column declared with a unit (``schema.columns.<c>.unit``, ``units``) holds amounts in it: a value
written in another currency (``€12.50`` under USD; headwater.clean.currency says which marks match)
is stored as missing with its text (CURRENCY_DIFFERS), and one written with a mark of the unit's
currency is read (``US$5`` under USD); in a number column that declares no unit, a value written
with a currency keeps its text (CURRENCY_STORED). A birth date is judged against the run's landing
date (``landing_date``), not the clock's.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd

from headwater.clean.currency import amount_text, currencies_of, currency_differs, written_currency
from headwater.clean.failures import (
    CENSORED, GENERIC, HOUR_24, INVALID_CALENDAR_DATE, LEAP_SECOND, SPECIFIC, START_OF_DAY, TIME_DROPPED, UNCERTAINTY, YEAR_OUT_OF_RANGE,
    ZERO_DATE, ZONE_DROPPED, failure_reasons,
)
from headwater.clean.steps.base import EXCEL_MANGLED, LINE, RAW_SUFFIX, REASON, REASON_SUFFIX, StepOutput, data_columns, is_value_column, keep_original
from headwater.clean.values import (
    BATCHED_KINDS, DATE_CERTAIN_CAUSES, FIRST_PLAUSIBLE_YEAR, STORABLE_YEARS, YEARS_AHEAD, Coerced, accepted_marks, calendar_hint, coerce, coerce_columns, column_unit, date_assumptions, dayfirst_vote, decimal_vote, decimal_votes,
    fits_both_marks, infer_type, infer_types, number_texts, unit_marked, unit_of, votes_by_column,
)
from headwater.config.types import TypeOptions
from headwater.names import looks_like_identifier, looks_like_long_number

NUMBER_TYPES = ("integer", "number")
# A column named like a birth date (birth_date, dob, born, DateOfBirth): none of its dates may be after today.
BIRTH_NAME = re.compile(r"(?i)birth|(?:^|[^a-z])dob(?:[^a-z]|$)|born")
# The reason kept with a value like 1,234 in a column none of whose values decided the decimal mark (the file's mark
# came from other columns): 1.234 or 1234, the column cannot tell.
AMBIGUOUS_DECIMAL_MARK = "ambiguous_decimal_mark"
# The reason kept with each value of a number column (declared, or typed before its own values decided) whose own values
# write the other decimal mark than the one the file's other columns decided (breaker3 #18): read with the file's mark.
MARK_DIFFERS = "decimal_mark_differs_from_file"
# kept_as_text: an undeclared such column (a quoted "10,20" page range in a file of 1.50 prices) stays text.
MARK_DIFFERS_TEXT = "decimal mark differs from the file's"
# The reasons kept in a number column that mixes values written with ``%`` (12.5% is stored as the fraction 0.125) and
# bare numbers (0.5 is stored as 0.5: half a percent or half of one?) (breaker4 #14): two scales the stored numbers cannot
# tell apart, so each value keeps its text and says which scale it was stored on.
PERCENT_SCALED = "percent_stored_as_fraction"
BARE_IN_PERCENT_COLUMN = "no_percent_sign_in_percent_column"
DATE_TYPES = ("date", "datetime")
# the numeric date in a value read by a day order (``03/04/1990``, ``14:30 03-04-90``): first number, separator, second, year
_TWO_WAY = re.compile(r"(?<!\d)(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
FAILED_LINES_SHOWN = 10  # lines of a number column's failed values named in its warning
# The reason kept with a value of a column declared with a unit (schema.columns.<c>.unit) whose written currency is not
# that unit (``€12.50`` under USD, ``US$5`` under CAD; headwater.clean.currency): it is no amount in the column's unit, so
# it is stored as missing, never as a number in the wrong currency (breaker4 #2/#3). A ``%`` value under a unit other than
# ``%`` (``12%`` under USD) likewise, with PERCENT_DIFFERS.
CURRENCY_DIFFERS = "currency_differs_from_unit"
PERCENT_DIFFERS = "percent_differs_from_unit"
# kept_as_text: an undeclared column of numbers and censored values (<0.01, >100: headwater.clean.failures) stays text
CENSORED_TEXT = "censored values among numbers"
# The reason kept with each value written with a currency (``€12.50``, ``12.50 EUR``) in a number column that declares no
# unit: the amount is stored (12.5), the text keeps the currency, which the number alone lost (breaker4 #3); a row
# document shows the text as written.
CURRENCY_STORED = "currency_stored_as_amount"
# An identifier written in Excel's scientific notation (1.23457E+11: breaker5 #5) keeps the reason EXCEL_MANGLED
# (headwater.clean.steps.base) in <col>__reason, and each column holding some is warned about. Excel shows a
# number of more than 11 digits in its General format as mantissa and exponent with at most 6 significant digits and
# saves it so to CSV (Microsoft: "Excel shows long numbers in scientific notation"; its number precision is 15
# digits): the digits after the sixth were lost before the file reached us, so 123456500000 ... 123457499999 all
# read 1.23457E+11. The value is kept as written; record linkage and the near-duplicate vetoes never take two such
# values for one identifier (headwater.clean.dedup.columns.mangled_rows). Checked in identifier columns (declared
# ``identifier: true``, or named like one or like a column of long numbers, ``ean``, ``iban``, ``phone``:
# headwater.names.looks_like_long_number) typed string or text:
# a number in Excel's scientific notation as it writes it: one digit, a decimal mark and up to 14 digits, E+ and an exponent
EXCEL_SCIENTIFIC = re.compile(r"^\s*[+-]?\d[.,]\d{1,14}[eE]\+\d{1,3}\s*$")


class CoerceTypes:
    """Give every column its declared (or inferred) type; a value that fails goes to <col>__raw or quarantine.

    ``formats``: per-column overrides of the file's decimal mark and day order,
    ``{column: {"decimal": ",", "dayfirst": True}}`` (headwater.config.source.SourceConfig.column_formats).
    """

    name = "coerce_types"

    def __init__(
        self,
        declared: dict[str, str] | None = None,
        options: TypeOptions | None = None,
        identifiers: set[str] | None = None,
        formats: dict[str, dict[str, Any]] | None = None,
        delimiter: str | None = None,
        units: dict[str, str] | None = None,
        landing_date: str | None = None,
        earlier: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.declared = declared or {}
        # column -> its declared unit (schema.columns.<c>.unit: USD, $, %, kg): a value written in another currency is not read
        self.declared_units = {c: u.strip() for c, u in (units or {}).items() if u and u.strip()}
        # the run's landing date (YYYY-MM-DD, the logical date of the run): what "today" is for a birth date (a backfill of
        # 2024 data is judged against 2024); None: the clock's date
        self.landing_date = landing_date
        # column -> the day order the same source's same column proved on the latest earlier landing date
        # ({"date", "file", "line", "value", "dayfirst"}: headwater.day_orders.DayOrders.earlier); a column no value of
        # this file decides is read in it (``carried``), before the month-first default (breaker6 #15)
        self.earlier = earlier or {}
        self.carried: dict[str, dict[str, Any]] = {}  # column -> the earlier proof it was read by
        # date column -> {"line", "value", "dayfirst"}: the first value of its own that showed the day order, when its own
        # values show one order only (what later dates of the source carry: headwater.day_orders)
        self.column_proof: dict[str, dict[str, Any]] = {}
        self.options = options or TypeOptions()
        self.identifiers = identifiers or set()
        self.overrides = formats or {}
        self.delimiter = delimiter  # the file's delimiter: its convention is the provisional decimal mark
        # Decisions are sticky: the first batch of a file decides each column's type, decimal mark
        # and day order, and later batches follow, so a file is typed the same however it is batched.
        self.decided: dict[str, str] = {}  # column -> type (also recorded in the manifest)
        self.formats: dict[str, dict[str, Any]] = {}  # column -> its decimal mark and day order
        self.file_formats: dict[str, Any] | None = None  # the file's decimal mark and day order, with the votes
        self.tally: dict[str, Counter[str]] = {}  # column -> values present, failed, inexact (every batch)
        self.provisional: Counter[str] = Counter()  # column -> values read with a provisional decimal mark, text kept
        # column -> the first such value, as written, and the first value of ``ambiguous_marks``: what the warning quotes
        self.provisional_example: dict[str, str] = {}
        self.ambiguous_example: dict[str, str] = {}
        # column -> its own decimal votes (values.decimal_votes): a column decides its own mark when they do
        self.column_votes: dict[str, Counter[str]] = {}
        # declared number column -> the marks of its ``column_votes`` some value its type takes read with them voted for
        # (values.accepted_marks: 12.5 in an integer column votes '.' and is refused), and per other voted mark the
        # first value that voted for it: a mark only refused values voted for adds doubt, never settles a reading
        # (breaker9 #4; ``_formats_of``)
        self.accepted_marks: dict[str, set[str]] = {}
        self.refused_example: dict[str, dict[str, str]] = {}
        # column -> its own day-order votes (True: day first), sticky once it has some; a column whose own values show one
        # order only, the other than the file's, is read in its own (``own_day_order``, warned: breaker5 #23)
        self.column_days: dict[str, Counter[bool]] = {}
        self.own_day_order: dict[str, dict[str, Any]] = {}
        self.ambiguous_marks: Counter[str] = Counter()  # column -> values like 1,234 read with the file's mark only, text kept
        # column -> values like 1.000 read with the mark only values its type refuses voted for (12.5), text kept; the first
        self.unsettled_marks: Counter[str] = Counter()
        self.unsettled_example: dict[str, str] = {}
        self.differing_marks: Counter[str] = Counter()  # number column -> values read with the file's mark, not its own, text kept
        self.units: dict[str, str] = {}  # number column -> the unit all its values carry (%, €, USD)
        self.first_unit: dict[str, str] = {}  # number column -> the first unit written in it (file order)
        self.other_units: dict[str, Counter[str]] = {}  # number column -> units of values written unlike the first (text kept)
        self.odd_years: dict[str, dict[str, Any]] = {}  # date column -> {"years": Counter, "example": text} of implausible years
        self.future_births: dict[str, dict[str, Any]] = {}  # birth-date column -> {"count", "example", "stored"} of dates after today
        # column with a declared unit -> {"count", "lines", "marks": Counter} of values written in another currency (or %)
        self.unit_conflicts: dict[str, dict[str, Any]] = {}
        self.day_order_read: dict[str, bool] = {}  # date column -> the day order its ambiguous values were read in (True: day first)
        # date column -> the first value read by an unproven day order (``day_order``), as written, and the date stored for
        # it: what its warning quotes (breaker8 #10: it quoted a fixed 03/04/2025)
        self.day_order_example: dict[str, tuple[str, Any]] = {}
        self.dotted_example: dict[str, tuple[str, Any]] = {}  # ... and of ``dotted_day_order`` (03.04.1990)
        # date column with an earlier date's proof -> the first value that reads two ways (03/04/1990, not dotted), as
        # written, and the date stored for it: what a DAY ORDER CHANGED warning quotes
        self.two_way_example: dict[str, tuple[str, Any]] = {}
        self.excel_lines: dict[str, list[int]] = {}  # identifier column -> lines of its values in Excel's scientific notation
        self.excel_examples: dict[str, str] = {}  # ... and the first such value
        self.bare_lines: dict[str, list[int]] = {}  # number column with % values -> lines of its bare numbers (text kept)
        self.kept_as_text: dict[str, str] = {}  # column of numbers kept as text -> why (exponent notation, a leading +...)
        self.text_units: dict[str, list[str]] = {}  # column kept as text for differing units -> the units seen (€, $, none)
        self.interpreted: dict[str, Counter[str]] = {}  # column -> assumption (values.Coerced.interpreted) -> values read by it, text kept
        self.zones: dict[str, str] = {}  # date-time column -> "local" or "utc" (headwater.clean.values._local_zone), sticky
        self.unread: dict[str, Counter[str]] = {}  # column -> cause (values.Coerced.unread: a zone abbreviation, a DST gap...) -> values
        self.sample_end: int | None = None  # last line of the decision sample once decisions were adopted (then they hold)
        # "dayfirst"/"decimal" -> {line, column, value}: the first value that decided the file's day order or decimal mark,
        # where a batch after the first (a row read ahead of the decision sample, headwater.clean.runner) decided it
        self.decided_later: dict[str, dict[str, Any]] = {}
        # the first values read ahead of the decision sample that showed what it assumed (``take_evidence``): each one
        # vote in the first batch's decisions
        self.evidence: dict[str, dict[str, Any]] = {}
        self.late_failed: Counter[str] = Counter()  # column -> values after the sample that failed its type
        # number column -> the lines of its first values that failed its type (missing in the column, text kept): every
        # such column is warned about, whatever its share of failures (breaker4 #15)
        self.failed_lines: dict[str, list[int]] = {}
        # column -> specific cause (headwater.clean.failures.SPECIFIC: censored_value, leap_second...) -> {"count", "lines"}
        # of its values not read for it: every such column is warned about, whatever its share of failures (breaker5 #19)
        self.failure_causes: dict[str, dict[str, dict[str, Any]]] = {}
        # undeclared column of numbers and censored values (<0.01) kept as text -> {"count", "lines", "example"} (first batch)
        self.censored_text: dict[str, dict[str, Any]] = {}

    def adopt(self, twin: CoerceTypes, last_line: int) -> None:
        """Take the decisions ``twin`` made on the file's decision sample (headwater.clean.runner), whose last line is
        ``last_line``: column types, decimal mark, day order, units, zones. They hold for every later batch."""
        self.decided = dict(twin.decided)
        self.formats = copy.deepcopy(twin.formats)
        self.zones = dict(twin.zones)
        self.units = dict(twin.units)
        self.kept_as_text = dict(twin.kept_as_text)
        self.censored_text = copy.deepcopy(twin.censored_text)
        self.text_units = dict(twin.text_units)
        self.file_formats = copy.deepcopy(twin.file_formats)
        if self.file_formats is not None:
            self.file_formats.update(units=self.units, kept_as_text=self.kept_as_text)
        self.decided_later = {k: v for k, v in twin.decided_later.items() if v["line"] > last_line}
        self.carried = copy.deepcopy(twin.carried)
        self.column_proof = copy.deepcopy(twin.column_proof)
        self.own_day_order = copy.deepcopy(twin.own_day_order)  # a column read in its own order: warned once the file ends
        if self.decided_later and self.file_formats is not None:
            self.file_formats["decided_after_sample"] = copy.deepcopy(self.decided_later)
        self.sample_end = last_line

    def assumed(self) -> bool:
        """True while the file's day order or decimal mark is a default that no value showed (no option, no vote:
        ``dayfirst_decided``/``decimal_decided_by`` ``delimiter``/``default``) and values seen so far were read by it
        (``03/04/2025`` read month first, ``2,125`` read with the delimiter's mark; their text kept): a later row may show
        the other order or mark. The runner (headwater.clean.runner) then reads ahead of the decision sample until no
        decision is assumed, so that every row of the file is read under one decision."""
        day = self._day_order_open() and any(seen.get("day_order") for seen in self.interpreted.values())
        mark = (self.file_formats or {}).get("decimal_decided_by") in ("delimiter", "default") and self.options.decimal == "auto"
        return day or (mark and any(self.provisional.values()))

    def take_evidence(self, twin: CoerceTypes) -> None:
        """Count the first value that decided the day order or decimal mark after ``twin``'s first batch (rows read ahead of
        the decision sample, headwater.clean.runner; ``decided_later``) as one vote of this step's first batch, so that its
        decisions on the sample (the decimal mark and day order, and the column types inferred under them: ``1,234`` is an
        integer under ``.``, a number under ``,``) rest on that evidence. One vote, the first in file order, so the
        decisions never depend on how many rows the batch read ahead held. Call before the first ``apply``."""
        self.evidence = copy.deepcopy(twin.decided_later)
        self.decided_later = copy.deepcopy(twin.decided_later)

    def may_assume(self, df: pd.DataFrame) -> bool:
        """Whether deciding on ``df`` (a batch as the steps before this one get it) may leave ``assumed`` true: no value of
        the voting columns shows the day order while one reads both ways (``03/04/2025``), or none decides the decimal
        mark while one fits both (``1,234``). Conservative (a True may turn out False once decided), one vote pass."""
        columns = [c for c in data_columns(df) if is_value_column(c)]
        voters, on_decimal, on_day = self._voters(columns)
        day_open = self.options.dayfirst == "auto" and any(on_day)
        mark_open = self.options.decimal == "auto" and any(on_decimal)
        if not (day_open or mark_open):
            return False
        decimal_by, day_by = votes_by_column([df[c] for c in voters], on_decimal if mark_open else [False] * len(voters),
                                             on_day if day_open else [False] * len(voters))
        day_open = day_open and not any(sum(v.values()) for v in day_by)
        mark_open = mark_open and not any(sum(v.values()) for v in decimal_by)
        for col, by_day, by_mark in zip(voters, on_day, on_decimal):
            if not ((day_open and by_day) or (mark_open and by_mark)):
                continue
            distinct = df[col].dropna().astype("string").drop_duplicates()
            marked = distinct[distinct.str.contains(r"\d[./,-]\d", regex=True).fillna(False).to_numpy(dtype=bool)].str.strip()
            if day_open and by_day and date_assumptions(marked, True)["day_order"].any():
                return True
            if mark_open and by_mark and fits_both_marks([marked])[0].any():
                return True
        return False

    def _day_order_open(self) -> bool:
        """True while no value of the file has shown its day order (``13/04/2025``) and no option fixed it."""
        file = self.file_formats or {}
        votes = file.get("dayfirst_votes", {})
        return self.options.dayfirst == "auto" and not (votes.get("day_first") or votes.get("month_first"))

    def column_type(self, name: str, series: pd.Series) -> str:
        if name in self.declared:
            return self.declared[name]
        if name in self.identifiers or not self.options.infer:
            return "string"
        return infer_type(name, series, self.options, self._formats_of(name), self.kept_as_text)

    def apply(self, df: pd.DataFrame) -> StepOutput:
        out = df.copy()
        reasons = pd.Series("", index=df.index, dtype=object)
        columns = [c for c in data_columns(df) if is_value_column(c)]
        voted: set[str] = set()
        open_formats = self.file_formats is None or self.file_formats["decimal_decided_by"] in ("delimiter", "default") or self._day_order_open()
        if open_formats and self.sample_end is None:
            self.file_formats = self._decide_file_formats(df, columns, self.file_formats)
            self.formats = {}
            voted = set(self.column_votes)
        for col in columns:  # a column no value of which has decided its mark yet may decide it in this batch
            votes = self.column_votes.get(col)
            if col not in voted and votes is not None and votes["."] == votes[","] and self.decided.get(col) in NUMBER_TYPES:
                distinct = df[col].dropna().astype("string").str.strip().drop_duplicates()
                found = decimal_votes(distinct)
                votes.update(found)
                self._count_refused(col, distinct, found)
                if votes["."] != votes[","]:
                    self.formats.pop(col, None)
        fresh = [c for c in columns if c not in self.decided]
        # every undeclared column's type in one pass over all columns (values.infer_types: the answer infer_type gives each)
        inferred = infer_types(
            {c: df[c] for c in fresh if c not in self.declared and c not in self.identifiers and self.options.infer},
            self.options, {c: self._formats_of(c) for c in fresh}, self.kept_as_text,
        )
        for col in fresh:
            self.decided[col] = self.declared.get(col) or inferred.get(col) or "string"
            if col not in self.declared and self._formats_of(col).get("decimal_differs"):
                # its own values write the other mark than the file's other columns decided: not read by a per-column guess
                self.decided[col] = "string"
                self.kept_as_text[col] = MARK_DIFFERS_TEXT
        for col in fresh:
            if self.options.infer and col not in self.declared and self.decided[col] == "string" and col not in self.kept_as_text and col not in self.identifiers:
                self._censored_text(col, df)  # numbers and <0.01: stays text, said (breaker5 #19)
        for col in fresh:
            if self.kept_as_text.get(col) == "differing units" and col not in self.text_units:
                # the units its numbers are written with, for the warning (_differing_currencies)
                distinct = df[col].dropna().astype("string").str.strip().drop_duplicates()
                numbers = distinct[number_texts(distinct, str(self._formats_of(col)["decimal"])).notna().to_numpy(dtype=bool)]
                self.text_units[col] = sorted({unit_of(v) or "none" for v in numbers.tolist()})
        typed = [c for c in columns if self.decided[c] not in ("string", "text")]
        numeric = [c for c in typed if self.decided[c] in NUMBER_TYPES]
        # columns no value of which holds a character a unit needs: no unit to find, no other unit to keep
        marked = dict(zip(numeric, unit_marked([df[c] for c in numeric]).tolist()))
        # values written in the column's declared currency (US$5, R$5, ₺5 under USD, BRL, TRY) are read without the mark
        amounts = self._without_unit_marks(df, [c for c in numeric if c in self.declared_units and marked[c]])
        coerced = self._coerce_together(amounts, typed)
        # values like 1,234 in the columns no value of which decided the mark (values.fits_both_marks, all columns at once)
        ambiguous_cols = [c for c in numeric if self._formats_of(c).get("decimal_ambiguous")]
        fits_both = dict(zip(ambiguous_cols, fits_both_marks([df[c] for c in ambiguous_cols])))
        present = dict(zip(typed, df[typed].notna().sum().tolist())) if typed else {}
        for col in typed:
            first = col in fresh
            kind = self.decided[col]
            formats = self._formats_of(col)
            if first and kind in NUMBER_TYPES and marked[col] and not currencies_of(self.declared_units.get(col, "")):
                distinct = df[col].astype("string").drop_duplicates()  # each value once: the unit is that of the distinct numbers
                unit = column_unit(distinct[number_texts(distinct, str(formats["decimal"])).notna().to_numpy(dtype=bool)])
                if unit:
                    self.units[col] = unit
            provisional = bool(formats.get("decimal_provisional")) and kind in NUMBER_TYPES
            ambiguous = bool(formats.get("decimal_ambiguous")) and kind in NUMBER_TYPES
            differs = bool(formats.get("decimal_differs")) and kind in NUMBER_TYPES
            if col in self.zones:
                formats["zone"] = self.zones[col]
            result = coerced[col] if col in coerced else coerce(amounts[col], kind, self.options, formats)
            if "zone" in formats:
                self.zones[col] = str(formats["zone"])  # local date-times or instants: the first batch with one decides, for good
            if self.sample_end is not None and result.failed.any():
                self.late_failed[col] += int((result.failed & (df[LINE] > self.sample_end)).sum())
            # values written in another currency (or %) than the column's declared unit: no amount in that unit
            conflict, conflict_why = (
                self._unit_conflicts(col, df) if kind in NUMBER_TYPES and col in self.declared_units and marked[col] else (None, None)
            )
            # failed for no named reason (a currency other than the unit is warned about on its own)
            unnamed = result.failed.to_numpy(dtype=bool) if conflict is None else result.failed.to_numpy(dtype=bool) & ~conflict
            # why each failed value no cause above names was not read (headwater.clean.failures): a specific cause
            # (censored_value, leap_second...) is warned about on its own, a generic one (not_a_number) as before
            why_failed, unexplained = self._why_failed(col, kind, df, result, unnamed)
            unnamed = unnamed & ~_specific(why_failed, unexplained)
            if result.reasons is not None:  # a cause the parser named (100.00 CR, 1٢3) is warned about on its own (breaker6 #9)
                unnamed = unnamed & result.reasons.isna().to_numpy(dtype=bool)
            if kind in NUMBER_TYPES and self.options.on_error == "keep_raw" and unnamed.any():
                seen = self.failed_lines.setdefault(col, [])
                seen.extend(int(n) for n in df.loc[unnamed, LINE].iloc[:FAILED_LINES_SHOWN - len(seen)].tolist())
            tally = self.tally.setdefault(col, Counter(values=0, failed=0, named=0, inexact=0))
            # named: values not read for a cause warned about on its own (the parser's, a specific one), as
            # coercion_failures counts them (a value in another currency than the declared unit has its own count)
            not_read = result.failed.to_numpy(dtype=bool) if conflict is None else result.failed.to_numpy(dtype=bool) & ~conflict
            tally.update(values=int(present[col]), failed=int(unnamed.sum()), named=int((not_read & ~unnamed).sum()),
                         inexact=int(result.inexact.sum()))
            if provisional:
                # every value whose reasons name the provisional mark, one read by another assumption too (``(1.234)``:
                # parentheses; ambiguous_decimal_mark) included (breaker7 #12: it was counted once, under parentheses)
                assumed = _with_reason(result.reasons, AMBIGUOUS_DECIMAL_MARK)
                self.provisional[col] += int(assumed.sum())
                if assumed.any() and col not in self.provisional_example:
                    self.provisional_example[col] = str(df[col].iloc[int(np.flatnonzero(assumed)[0])]).strip()
            if result.interpreted:
                self.interpreted.setdefault(col, Counter()).update(result.interpreted)
                if result.interpreted.get("day_order"):
                    self.day_order_read.setdefault(col, bool(formats.get("dayfirst")))  # the order they were read in, for the warning
                    if col not in self.day_order_example:
                        self._first_example(self.day_order_example, col, df[col], result.values,
                                            _with_reason(result.reasons, "day_order"))
                if result.interpreted.get("dotted_day_order") and col not in self.dotted_example:
                    self._first_example(self.dotted_example, col, df[col], result.values,
                                        _with_reason(result.reasons, "dotted_day_order"))
            if kind in DATE_TYPES and col in self.earlier and col not in self.two_way_example:
                # each distinct value looked at once (values.date_assumptions), in the order of first appearance
                read = df[col].astype("string").where(result.values.notna().to_numpy(dtype=bool))
                distinct = pd.Series(read.dropna().unique(), dtype="string")
                two_way = distinct[date_assumptions(distinct, True)["day_order"]] if len(distinct) else distinct
                if len(two_way):
                    self._first_example(self.two_way_example, col, df[col], result.values, (read == two_way.iloc[0]).fillna(False).to_numpy(dtype=bool))
            if result.unread:
                self.unread.setdefault(col, Counter()).update(result.unread)
            out[col] = result.values
            if ambiguous:
                # every value of this column so far fits both marks (1,234): the file's mark came from other columns
                both = fits_both[col] & result.values.notna().to_numpy(dtype=bool)
                # ... or only values the column's type refuses voted for its mark (decimal_unsettled: _formats_of)
                counts, examples = (
                    (self.unsettled_marks, self.unsettled_example) if "decimal_unsettled" in formats else (self.ambiguous_marks, self.ambiguous_example)
                )
                counts[col] += int(both.sum())
                if both.any() and col not in examples:
                    examples[col] = str(df[col].iloc[int(np.flatnonzero(both)[0])]).strip()
                keep_original(out, col, both, df[col], AMBIGUOUS_DECIMAL_MARK)
            if differs:
                # a declared number column whose own values write the other mark: read with the file's, the text of every
                # value with a separator kept (22 reads alike under both marks, 1,200 and 5. do not)
                read = (result.values.notna() & df[col].astype("string").str.contains(r"[.,]", regex=True).fillna(False)).to_numpy(dtype=bool)
                self.differing_marks[col] += int(read.sum())
                keep_original(out, col, read, df[col], MARK_DIFFERS)
            keep = result.inexact.to_numpy(dtype=bool) | (result.failed.to_numpy(dtype=bool) if self.options.on_error == "keep_raw" else False)
            parsed = result.values.notna() if conflict is None else result.values.notna() & ~conflict
            if kind in NUMBER_TYPES and not currencies_of(self.declared_units.get(col, "")):
                # A value written in another unit than the column's first (€5 after $3, 12% after $3) would
                # lose what it means once stored as a bare number: its text is kept, and counted. (Under a declared
                # currency unit every currency either is the unit's or is not read: _unit_conflicts.)
                if marked[col] or self.first_unit.get(col) == "%":
                    keep = keep | self._other_unit(col, df[col], parsed).to_numpy(dtype=bool)
            if keep.any():
                # Keep the original text next to the typed column: nothing is silently lost or rounded.
                keep_original(out, col, keep, df[col])
                if col + REASON_SUFFIX in out.columns:
                    # a value an earlier step changed (its reason set) and this one kept: say so too
                    keep_original(out, col, keep & out[col + REASON_SUFFIX].notna().to_numpy(), None, "type")
            if self.options.on_error == "keep_raw":
                keep_original(out, col, unexplained, None, why_failed)  # every value not read says why (breaker5 #19)
            if conflict is not None and conflict.any():
                out[col] = out[col].mask(conflict)  # never a number in the wrong currency
                if self.options.on_error == "quarantine":
                    at = conflict & ~result.failed.to_numpy(dtype=bool)  # a failed value says so already
                    unit = self.declared_units[col]
                    reasons[at] += [f"; {col}={v!r} is not in the column's unit {unit} ({w})" for v, w in zip(df.loc[at, col].astype(str), conflict_why[at])]
                else:
                    keep_original(out, col, conflict, df[col], conflict_why)
            if kind in NUMBER_TYPES and (marked[col] or self.first_unit.get(col) == "%"):
                self._percent_scales(out, col, df, parsed)  # after the keep above: its own reason only
            if kind in NUMBER_TYPES and marked[col] and col not in self.declared_units:
                self._currency_texts(out, col, df, parsed)
            if kind in DATE_TYPES:
                self._odd_dates(col, df[col], result)
            if result.reasons is not None:  # a weekday that is not the date's, a date among date-times: said per value
                keep_original(out, col, result.reasons.notna().to_numpy(dtype=bool), df[col], result.reasons.to_numpy())
            if self.options.on_error == "quarantine" and result.failed.any():
                bad = df.loc[result.failed, col].astype(str)
                why = why_failed[result.failed.to_numpy(dtype=bool)]
                reasons[result.failed] += [f"; {col}={v!r} is not a valid {kind}" + (f" ({w})" if w else "") for v, w in zip(bad, why)]
        for col in columns:
            if self.decided[col] in ("string", "text") and (col in self.identifiers or looks_like_long_number(col)):
                self._excel_mangled(out, col)
        if self.options.on_error == "quarantine" and (reasons != "").any():
            rejected = out[reasons != ""].copy()
            rejected[REASON] = [f"line {n}: {r[2:]} — row quarantined" for n, r in zip(rejected[LINE], reasons[reasons != ""])]
            rejected = df.loc[rejected.index].assign(**{REASON: rejected[REASON]})
            return StepOutput(out[reasons == ""], quarantined=rejected)
        return StepOutput(out)

    def _why_failed(self, col: str, kind: str, df: pd.DataFrame, result: Coerced, unnamed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The reason (headwater.clean.failures.failure_reasons) of each value of ``col`` that failed its ``kind`` for no
        cause the parser named (``result.reasons``) nor a declared unit's conflict (not in ``unnamed``): a specific one
        (``censored_value``, ``invalid_calendar_date``, ``leap_second``...) or the generic ``not_a_<kind>``. Returns (the
        reason per row, None elsewhere; bool per row: has one). Specific causes are tallied in ``failure_causes`` (count,
        first lines) for the warnings."""
        named = result.reasons.notna().to_numpy(dtype=bool) if result.reasons is not None else np.zeros(len(df), dtype=bool)
        at = unnamed & ~named
        why = np.full(len(df), None, dtype=object)
        if not at.any():
            return why, at
        why[at] = failure_reasons(df.loc[at, col], kind, bool(self._formats_of(col).get("dayfirst")))
        lines = df[LINE].to_numpy()
        for cause in SPECIFIC:
            which = at & (why == cause)
            if which.any():
                seen = self.failure_causes.setdefault(col, {}).setdefault(cause, {"count": 0, "lines": []})
                seen["count"] += int(which.sum())
                seen["lines"].extend(int(n) for n in lines[which][: FAILED_LINES_SHOWN - len(seen["lines"])].tolist())
        return why, at

    def _censored_text(self, col: str, df: pd.DataFrame) -> None:
        """When every value of ``col`` (an undeclared column inferred string, in the batch that typed it) is a number or a
        censored value (``<0.01``, ``>100``: headwater.clean.failures.CENSORED) and both kinds occur, record it in
        ``kept_as_text`` (CENSORED_TEXT) and ``censored_text`` (count, first lines, an example) for the warning: the column
        stays text, every value as written, and the user is told that declaring it a number reads the numbers."""
        text = df[col].dropna().astype("string").str.strip()
        distinct = text.drop_duplicates()
        if not len(distinct) or not distinct.str.contains(r"[<>≤≥⩽⩾＜＞]|&[lg]t;", regex=True).fillna(False).any():
            return
        numbers = number_texts(distinct, str(self._formats_of(col).get("decimal", "."))).notna().to_numpy(dtype=bool)
        censored = failure_reasons(distinct, "number") == CENSORED
        if not (numbers.any() and censored.any() and (numbers | censored).all()):
            return
        which = text.isin(distinct[censored].tolist()).to_numpy(dtype=bool)
        self.kept_as_text[col] = CENSORED_TEXT
        self.censored_text[col] = {
            "count": int(which.sum()), "lines": [int(n) for n in df.loc[text.index[which], LINE].iloc[:FAILED_LINES_SHOWN].tolist()],
            "example": str(text[which].iloc[0]),
        }

    def _failure_cause(self, cause: str) -> str:
        """What the values counted under ``cause`` (headwater.clean.failures.SPECIFIC) are, for a warning."""
        return {
            CENSORED: "are censored values, written with a comparison like <0.01, >100, ≤0.05 or <LOD (a bound, not a "
            "measured number; never stored as the number it names)",
            UNCERTAINTY: "are written with an uncertainty, like 12 ± 2: which number to store is not guessed",
            INVALID_CALENDAR_DATE: "are dates their month does not have, like 2025-02-29 (no leap year) or April 31",
            LEAP_SECOND: "are at a leap second (23:59:60), which a date-time value cannot hold",
            HOUR_24: "are at hour 24, like 2025-03-10 24:00: the end of that day in ISO 8601 but its start in Java's 1-24 "
            "hours (kk), a day apart, which is not guessed",
            YEAR_OUT_OF_RANGE: f"are dates with a year no date value holds, like 0000-01-01, -0001-01-01 or 10000-01-01 (Python, "
            f"pandas and pyarrow read years {STORABLE_YEARS[0]}-{STORABLE_YEARS[1]}), or whose UTC instant falls outside them",
            ZERO_DATE: "are MySQL's zero date, 0000-00-00 (a dummy date, not a date); list it in types.na_values to read it as missing",
        }[cause]

    def _coerce_together(self, df: pd.DataFrame, typed: list[str]) -> dict[str, Coerced]:
        """``coerce`` of the columns of ``typed`` that share a kind (values.BATCHED_KINDS) and formats, in one call per
        group (values.coerce_columns); a group with a value read by an assumption is left out (each of its
        columns is coerced alone, which counts them). Returns {column: its Coerced}."""
        groups: dict[tuple[str, tuple[tuple[str, str], ...]], list[str]] = {}
        for col in typed:
            kind, formats = self.decided[col], self._formats_of(col)
            if kind in BATCHED_KINDS and "decimal" in formats and (kind != "date" or "dayfirst" in formats):
                groups.setdefault((kind, tuple(sorted((k, repr(v)) for k, v in formats.items()))), []).append(col)
        out: dict[str, Coerced] = {}
        for (kind, _), cols in groups.items():
            if len(cols) > 1:
                results = coerce_columns([df[c] for c in cols], kind, self.options, self._formats_of(cols[0]))
                out.update(zip(cols, results or []))
        return out

    def _other_unit(self, col: str, written: pd.Series, parsed: pd.Series) -> pd.Series:
        """Which parsed values of ``col`` carry a unit (``unit_of``) other than the first unit written in the column.

        The first unit in file order (not the first batch's), so the answer never depends on the batch
        size; a bare number carries no unit and keeps no text. Tallied in ``other_units``.
        """
        units = self._units_written(written, parsed)
        carried = units[units != ""]
        if col not in self.first_unit and len(carried):
            self.first_unit[col] = carried.iloc[0]
        # a bare number is scaled unlike a % value: it is told apart by _percent_scales, not counted here
        differs = (units != "") & (units != self.first_unit.get(col, ""))
        if differs.any():
            self.other_units.setdefault(col, Counter()).update(units[differs].tolist())
        return differs

    @staticmethod
    def _units_written(written: pd.Series, parsed: pd.Series) -> pd.Series:
        """The unit (``unit_of``) each parsed value of ``written`` is written with, ``""`` for none (same index)."""
        text = written.astype("string").str.strip()
        # only values with a character a bare number never has can carry a unit
        marked = (parsed & text.str.contains(r"[^\d\s.,'+\-()]", regex=True).fillna(False)).to_numpy(dtype=bool)
        units = pd.Series("", index=written.index, dtype=object)
        if marked.any():
            written_units = {v: unit_of(v) for v in text[marked].unique().tolist()}  # each distinct value once
            units[marked] = [written_units[v] for v in text[marked].tolist()]
        return units

    def _without_unit_marks(self, df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        """``df`` with each value of ``columns`` (declared with a currency unit) that is written with a mark of that currency
        (headwater.clean.currency: ``$`` or ``US$`` under USD, ``R$`` under BRL) rewritten as its amount
        (``currency.amount_text``), for the number parser, which knows only a few marks; ``df`` itself when none is.
        What was written stays in ``df`` (a ``__raw`` keeps it where one is kept)."""
        out = df
        for col in columns:
            unit = self.declared_units[col]
            if not currencies_of(unit):
                continue
            text = df[col].astype("string")
            candidate = text.str.contains(r"[^\d\s.,'+\-()]", regex=True).fillna(False).to_numpy(dtype=bool)
            if not candidate.any():
                continue
            amounts = {}
            for v in text[candidate].unique().tolist():  # each distinct value once
                mark = written_currency(v)
                if mark and not currency_differs(mark, unit):
                    amounts[v] = amount_text(v)
            if amounts:
                out = out.copy() if out is df else out
                out[col] = text.where(~text.isin(list(amounts)), text.map(amounts))
        return out

    def _unit_conflicts(self, col: str, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Which values of ``col`` (declared with a unit, ``declared_units``) are written in another currency than the unit
        (headwater.clean.currency.currency_differs: ``€12.50`` under USD, ``US$5`` under CAD, any currency under ``kg``) or
        with ``%`` under a unit other than ``%``, whether they parse or not. Returns (bool per row, the reason per row:
        CURRENCY_DIFFERS or PERCENT_DIFFERS, None elsewhere); tallied in ``unit_conflicts`` (count, first lines, marks)."""
        unit = self.declared_units[col]
        text = df[col].astype("string").str.strip()
        # only values with a character a bare number never has can carry a currency or %
        candidate = text.str.contains(r"[^\d\s.,'+\-()]", regex=True).fillna(False).to_numpy(dtype=bool)
        marks = np.full(len(text), "", dtype=object)
        if candidate.any():
            seen: dict[str, str] = {}
            for v in text[candidate].unique().tolist():  # each distinct value once
                mark = written_currency(v)
                seen[v] = mark if mark and currency_differs(mark, unit) else "%" if not mark and unit != "%" and unit_of(v) == "%" else ""
            marks[candidate] = [seen[v] for v in text[candidate].tolist()]
        conflict = marks != ""
        why = np.where(conflict, np.where(marks == "%", PERCENT_DIFFERS, CURRENCY_DIFFERS), None)
        if conflict.any():
            seen_ = self.unit_conflicts.setdefault(col, {"count": 0, "lines": [], "marks": Counter()})
            seen_["count"] += int(conflict.sum())
            seen_["lines"].extend(int(n) for n in df.loc[conflict, LINE].tolist()[: 10 - len(seen_["lines"])])
            seen_["marks"].update(marks[conflict].tolist())
        return conflict, why

    def _currency_texts(self, out: pd.DataFrame, col: str, df: pd.DataFrame, parsed: pd.Series) -> None:
        """In ``out`` (in place): every value of a number column with no declared unit that is written with a currency
        (``unit_of``: ``€12.50``, ``12.50 EUR``; not ``%``) keeps its text with reason CURRENCY_STORED: the amount stored
        (12.5) lost the currency, so the text keeps it and a row document shows ``€12.50``, not ``12.5``."""
        units = self._units_written(df[col], parsed)
        currency = parsed.to_numpy(dtype=bool) & ~units.isin(["", "%"]).to_numpy(dtype=bool)
        keep_original(out, col, currency, df[col], CURRENCY_STORED)

    def _percent_scales(self, out: pd.DataFrame, col: str, df: pd.DataFrame, parsed: pd.Series) -> None:
        """In ``out`` (in place): every ``%`` value of a number column, stored as a fraction (``10%`` -> 0.1), keeps its
        text with reason ``PERCENT_SCALED``, so a row document shows ``10%``, not ``0.1`` or ``0.1%`` (breaker4 #2, #3).
        In a column whose first unit is ``%``, a bare number (``0.5``, stored as written) keeps its text too, with
        reason ``BARE_IN_PERCENT_COLUMN``: no value's scale is silently one of two (breaker4 #14); their lines are
        collected in ``bare_lines`` for the warning. A bare number in a batch before the column's first ``%`` value
        is not seen (batches are written in order)."""
        units = self._units_written(df[col], parsed)
        present = parsed.to_numpy(dtype=bool)
        keep_original(out, col, present & (units == "%").to_numpy(dtype=bool), df[col], PERCENT_SCALED)
        if self.first_unit.get(col) != "%":
            return
        bare = present & (units == "").to_numpy(dtype=bool)
        if bare.any():
            self.bare_lines.setdefault(col, []).extend(int(n) for n in df.loc[bare, LINE].tolist())
        keep_original(out, col, bare, df[col], BARE_IN_PERCENT_COLUMN)

    def _excel_mangled(self, out: pd.DataFrame, col: str) -> None:
        """Mark, in ``out`` in place, the values of identifier column ``col`` written in Excel's scientific notation
        (``EXCEL_SCIENTIFIC``): kept as written, with the reason ``EXCEL_MANGLED`` in ``<col>__reason``; their lines
        are collected in ``excel_lines`` for the warning."""
        text = out[col].astype("string")
        if not text.str.contains("E+", regex=False, case=False).fillna(False).any():
            return
        mangled = text.str.fullmatch(EXCEL_SCIENTIFIC).fillna(False).to_numpy(dtype=bool)
        if mangled.any():
            self.excel_lines.setdefault(col, []).extend(int(n) for n in out.loc[mangled, LINE].tolist())
            self.excel_examples.setdefault(col, str(text[mangled].iloc[0]).strip())
            keep_original(out, col, mangled, None, EXCEL_MANGLED)

    def _odd_dates(self, col: str, written: pd.Series, result: Coerced) -> None:
        """Tally, for the warnings, the dates of ``col`` read with an implausible year (values.implausible_years: which
        years, one text) and, in a column named like a birth date (BIRTH_NAME), the dates after the run's landing date
        (``landing_date``, the logical date of the run, so a backfill of 2024 data is judged against 2024; the clock's
        date when none was given): a birth date cannot be in the future; a two-digit year read 2045 is the usual cause,
        breaker4 #8."""
        odd_years = bool(result.interpreted.get("implausible_year")) and result.reasons is not None
        birth = BIRTH_NAME.search(col) is not None
        if not (odd_years or birth):
            return  # nothing to tally: the dates are not converted (a column of Arrow dates goes through Python objects)
        stored = pd.to_datetime(result.values, errors="coerce")
        if getattr(stored.dt, "tz", None) is not None:
            stored = stored.dt.tz_localize(None)
        if odd_years:
            odd = np.array([isinstance(r, str) and "implausible_year" in r.split("; ") for r in result.reasons.tolist()], dtype=bool)
            seen = self.odd_years.setdefault(col, {"years": Counter(), "example": str(written[odd].iloc[0])})
            seen["years"].update(int(y) for y in stored[odd].dt.year.tolist())
        if birth:
            today = pd.Timestamp(self.landing_date or datetime.now(timezone.utc).date())
            future = (stored >= today + pd.Timedelta(days=1)).fillna(False).to_numpy(dtype=bool)
            if future.any():
                seen = self.future_births.setdefault(
                    col, {"count": 0, "example": str(written[future].iloc[0]), "stored": str(stored[future].iloc[0].date()), "today": str(today.date())}
                )
                seen["count"] += int(future.sum())

    def _formats_of(self, col: str) -> dict[str, Any]:
        """The column's decimal mark and day order: its override, else the file's (with ``decimal_provisional`` while no value decided the mark)."""
        if col not in self.formats:
            file = self.file_formats or {}
            own = self.overrides.get(col, {})
            provisional = file.get("decimal_decided_by") in ("delimiter", "default") and "decimal" not in own
            votes = self.column_votes.get(col)
            ambiguous = differs = False
            unsettled: str | None = None
            if "decimal" not in own and votes is not None and self.options.decimal == "auto":
                mark = "," if votes[","] > votes["."] else "."
                told = file.get("decimal_votes", {})
                others = told.get(",", 0) - votes[","], told.get(".", 0) - votes["."]  # the other columns' votes
                others_mark = "," if others[0] > others[1] else "." if others[1] > others[0] else None
                if votes["."] != votes[","] and mark != file.get("decimal") and others_mark == file.get("decimal"):
                    # the file's other columns decided the other mark (breaker3 #18: a "10,20" page range among 1.50
                    # prices; on a tie of columns, the delimiter's convention picks which): no mark is guessed per column
                    # when the file tells it; see apply and MARK_DIFFERS
                    differs = True
                elif votes["."] != votes[","]:  # the column's own values decide its mark (breaker2 #17), the file's agree or tie
                    own = own | {"decimal": mark}
                    provisional = False
                    if col in self.accepted_marks and mark not in self.accepted_marks[col]:
                        # only values its type refuses voted for the mark (12.5 in an integer column): they add doubt,
                        # they settle nothing; values that fit both marks (1.000) keep their text (breaker9 #4)
                        ambiguous, unsettled = True, self.refused_example.get(col, {}).get(mark, "")
                else:
                    ambiguous = file.get("decimal_decided_by") == "votes"
            days = self.column_days.get(col)
            if "dayfirst" not in own and self.options.dayfirst == "auto" and days and "dayfirst" in file \
                    and (days[True] > 0) != (days[False] > 0) and (days[True] > 0) != bool(file["dayfirst"]):
                # every value of the column that shows the day order shows the other than the file's (``25/03/2024`` among
                # other columns' ``03/25/2024``): the column is read in its own order, not made text by the file's
                own = own | {"dayfirst": days[True] > 0}
                self.own_day_order[col] = {"dayfirst": days[True] > 0, "votes": days[True] + days[False]}
            carried = self.earlier.get(col)
            if carried is not None and "dayfirst" not in own and self._day_order_open() \
                    and self.declared.get(col) in (None, *DATE_TYPES) and not self.column_days.get(col):
                # no value of the file showed the day order: the order this source's column proved on an earlier date,
                # not the month-first default; each value that reads two ways still keeps its text (dayfirst_provisional)
                own = own | {"dayfirst": bool(carried["dayfirst"])}
                self.carried[col] = carried
            day_order_open = self._day_order_open() and ("dayfirst" not in own or col in self.carried)
            self.formats[col] = (
                {k: file[k] for k in ("decimal", "dayfirst") if k in file} | own
                | ({"decimal_provisional": True} if provisional else {}) | ({"dayfirst_provisional": True} if day_order_open else {})
                | ({"decimal_ambiguous": True} if ambiguous else {}) | ({"decimal_differs": True} if differs else {})
                | ({"decimal_unsettled": unsettled} if unsettled is not None else {})
            )
        return self.formats[col]

    def _own_mark(self, col: str) -> str:
        """The decimal mark the column's own values vote for (``column_votes``): ``','`` or ``'.'``."""
        votes = self.column_votes.get(col, Counter())
        return "," if votes[","] > votes["."] else "."

    def _count_refused(self, col: str, values: pd.Series, votes: Counter[str]) -> None:
        """Add to ``accepted_marks`` the marks of ``votes`` (the decimal votes just counted into ``column_votes`` from
        ``values``, a batch's values of ``col``) that a value ``col``'s declared type takes voted
        for (values.accepted_marks), and to ``refused_example`` the first refused voter of each other one; nothing for
        an undeclared or non-number column, whose type refuses nothing."""
        kind = self.declared.get(col)
        if kind not in NUMBER_TYPES:
            return
        taken = self.accepted_marks.setdefault(col, set())
        wanted = "".join(m for m in ".," if votes[m] and m not in taken)
        if not wanted:
            return
        found, first = accepted_marks(values, kind, wanted)
        taken |= found
        seen = self.refused_example.setdefault(col, {})
        for mark, value in first.items():
            seen.setdefault(mark, value)

    def _decide_file_formats(self, df: pd.DataFrame, columns: list[str], before: dict[str, Any] | None) -> dict[str, Any]:
        """The file's decimal mark and day order from the votes of every column that may hold numbers or dates.

        Columns declared string/text/boolean, identifiers, and (without inference) undeclared columns
        do not vote; a column with its own override does not vote on what it overrides. ``before``:
        the formats of the earlier batches while the decimal mark is provisional (their votes add up;
        their day order stays). A tie of decimal votes leaves the mark provisional: ',' in a ``;``
        file (``decimal_decided_by: delimiter``), else '.' (``default``). No day-order vote (or a
        tie) is month first, as ``types.dayfirst`` defaults.
        """
        old = (before or {}).get("decimal_votes", {})
        decimals: Counter[str] = Counter({".": old.get(".", 0), ",": old.get(",", 0)})
        days: Counter[bool] = Counter({True: 0, False: 0})
        voters, on_decimal, on_day = self._voters(columns)
        # every column's votes in one pass (values.votes_by_column: what decimal_votes/dayfirst_votes give each column)
        decimal_by, day_by = votes_by_column([df[c] for c in voters], on_decimal, on_day)
        ahead = self.evidence if before is None else {}  # the first batch counts the first value read ahead that decided
        for col, votes_on, votes, day_votes in zip(voters, on_decimal, decimal_by, day_by):
            if day_votes and not self.column_days.get(col):
                self.column_days[col] = Counter(day_votes)
                if (day_votes[True] > 0) != (day_votes[False] > 0):  # one order only: the column proved it
                    first = _first_vote(df, [col], dayfirst_vote)
                    self.column_proof[col] = {"line": first["line"], "value": first["value"], "dayfirst": bool(first["decided"])}
            if votes_on:
                if ahead.get("decimal", {}).get("column") == col:
                    votes = votes + Counter({ahead["decimal"]["decided"]: 1})
                own = self.column_votes.setdefault(col, Counter({".": 0, ",": 0}))
                if own["."] == own[","]:  # a column's own decision is sticky, as the file's is
                    own.update(votes)
                    if sum(votes.values()):
                        self._count_refused(col, df[col], votes)
                        if ahead.get("decimal", {}).get("column") == col:
                            self._count_refused(col, pd.Series([ahead["decimal"]["value"]], dtype="string"), votes)
                decimals.update(votes)
            days.update(day_votes)
        if "dayfirst" in ahead:
            days.update({ahead["dayfirst"]["decided"]: 1})
            shown = ahead["dayfirst"]
            if not self.column_days.get(shown["column"]):  # the value read ahead is the column's proof
                self.column_days[shown["column"]] = Counter({shown["decided"]: 1})
                self.column_proof[shown["column"]] = {"line": shown["line"], "value": shown["value"], "dayfirst": bool(shown["decided"])}
        if self.options.decimal != "auto":
            decimal, decided_by = self.options.decimal, "option"
        elif decimals[","] != decimals["."]:
            decimal, decided_by = ("," if decimals[","] > decimals["."] else "."), "votes"
        elif self.delimiter == ";":
            decimal, decided_by = ",", "delimiter"
        else:
            decimal, decided_by = ".", "default"
        dayfirst = bool(self.options.dayfirst) if self.options.dayfirst != "auto" else days[True] > days[False]
        if before is not None:
            decided = dict(before)
            if before["decimal_decided_by"] in ("delimiter", "default"):  # a decided mark stays (only the day order was open)
                decided |= {"decimal": decimal, "decimal_decided_by": decided_by, "decimal_votes": {".": decimals["."], ",": decimals[","]}}
                if decided_by == "votes":
                    shown = [c for c, on, v in zip(voters, on_decimal, decimal_by) if on and sum(v.values())]
                    self.decided_later["decimal"] = _first_vote(df, shown, decimal_vote)
            if self._day_order_open() and (days[True] or days[False]):
                # the first batch that shows the day order decides it; earlier batches kept their ambiguous dates' text
                decided |= {"dayfirst": dayfirst, "dayfirst_votes": {"day_first": days[True], "month_first": days[False]}}
                shown = [c for c, on, v in zip(voters, on_day, day_by) if on and sum(v.values())]
                self.decided_later["dayfirst"] = _first_vote(df, shown, dayfirst_vote)
            return decided
        return {
            "decimal": decimal,
            "decimal_decided_by": decided_by,
            "decimal_votes": {".": decimals["."], ",": decimals[","]},
            "dayfirst": dayfirst,
            "dayfirst_votes": {"day_first": days[True], "month_first": days[False]},
            "columns": {c: dict(v) for c, v in self.overrides.items() if c in columns},
            "units": self.units,
            "kept_as_text": self.kept_as_text,
        }

    def _voters(self, columns: list[str]) -> tuple[list[str], list[bool], list[bool]]:
        """The columns that vote on the file's formats, and for each whether it votes on the decimal mark and on the day order.

        Columns declared string/text/boolean, identifiers, and (without inference) undeclared columns
        do not vote; a column with its own override does not vote on what it overrides.
        """
        voters = [
            c for c in columns
            if not (self.declared.get(c) is None and (c in self.identifiers or looks_like_identifier(c) or not self.options.infer))
        ]
        on_decimal = [self.declared.get(c) in (None, *NUMBER_TYPES) and "decimal" not in self.overrides.get(c, {}) for c in voters]
        on_day = [self.declared.get(c) in (None, *DATE_TYPES) and "dayfirst" not in self.overrides.get(c, {}) for c in voters]
        return voters, on_decimal, on_day

    def _differing_currencies(self) -> dict[str, list[str]]:
        """Columns kept as text for differing units (values.number_text_reason) where a currency is among them, with the
        units seen (``€``, ``$``, none), for the warning: mixed currencies never become one plain number column silently."""
        return {col: units for col, units in self.text_units.items() if self.kept_as_text.get(col) == "differing units"
                and any(u not in ("none", "%") for u in units)}

    def _assumption(self, col: str, why: str) -> str:
        """How the values counted under ``why`` (headwater.clean.values.Coerced.interpreted) were read, for a warning."""
        if why == "parentheses":
            return "written in parentheses, like (415), read as negative numbers (the accounting convention)"
        if why == "leading_zeros":
            return ("written with leading zeros, like 02134 or 007, read as numbers, which keep no leading zeros (leading_zeros); "
                    f"declare {col} a string if it is a code (a zip code, an account number)")
        if why == "exponent":
            return ("written with an exponent, like 1e3 or 1.23457E+11, in an integer column, read as the number they write "
                    "(exponent); a count or an id Excel wrote this way may have lost digits before the file arrived")
        if why == "other_script_digits":
            return "written in another script's digits, like ١٢٣, ١٢٫٥ or ٢٠٢٥-٠٣-٠٤, read as what they write (123, 12.5, 2025-03-04) (other_script_digits)"
        if why == "other_script_separator":
            return "written with another script's separator, like 12٫5 (U+066B) or 1，234 (full width), read as the number they write (other_script_separator)"
        if why == "unicode_minus":
            return "written with a minus sign other than '-', like −12.00 (U+2212) or –12 (en dash), read as negative numbers (unicode_minus)"
        if why == "trailing_minus":
            return "written with a trailing minus, like 100.00- (SAP, mainframe exports), read as negative numbers (trailing_minus)"
        if why == "zone_abbreviation":
            mapping = ", ".join(f"{k}: {v}" for k, v in sorted(self.options.tz_abbreviations.items()))
            return f"with a time zone abbreviation, like 10:00 EST, read in the zone types.tz_abbreviations maps it to ({mapping})"
        if why == "two_digit_year":
            return "with a two-digit year, like 01/02/50, read in the years 1970-2069 (two_digit_year)"
        if why == "implausible_year":
            seen = self.odd_years[col]
            years = sorted(seen["years"])
            span = str(years[0]) if years[0] == years[-1] else f"{years[0]}-{years[-1]}"
            hint = calendar_hint(years)
            likely = f"; their years read like {hint}, not converted" if hint else ""
            return (
                f"with an implausible year ({span}, before {FIRST_PLAUSIBLE_YEAR} or more than {YEARS_AHEAD} years ahead), "
                f"like {seen['example']}, read as Gregorian years as written (implausible_year){likely}"
            )
        if why == "dotted_day_order":  # the file's first such value and its reading (breaker8 #10)
            written, day = (self._example(self.dotted_example, col) or ("03.04.2025", "3 April 2025"))[:2]
            if not self._formats_of(col).get("dayfirst_provisional") and not self._formats_of(col).get("dayfirst"):
                return (f"like {written} read day first ({day}), as dates written with dots always are (the convention of most "
                        "of Europe), although the column's day order is month first (declared, or shown by the file); "
                        "types.dayfirst does not change them (dotted_day_order)")
            return (f"like {written} read day first ({day}), as dates written with dots always are (the convention of "
                    "most of Europe), while no value of the file had shown the day order; types.dayfirst does not change them")
        if why == TIME_DROPPED:
            return (f"holding a time of day, like 2024-03-05 14:30 or 2024-03-05 00:30 +01:00, in a date column: the date "
                    f"written is stored (in the offset written, never converted to UTC), the time is not (time_dropped); "
                    f"declare {col} a datetime to keep it")
        if why in DATE_CERTAIN_CAUSES:  # a date column's value whose time's zone is not read: its date is
            return {
                "zone_name_dst_gap": "whose time the zone they name skips (a daylight-saving change), like 2024-03-31 02:30 "
                "Europe/Berlin",
                "zone_name_dst_fold": "whose time the zone they name repeats (a daylight-saving change), like 2024-10-27 02:30 "
                "Europe/Berlin",
                "zone_name_posix_sign": "whose time names an Etc/GMT zone, like 10:00 Etc/GMT+2, whose sign is POSIX's (UTC-02:00, "
                "the opposite of GMT+2)",
                "zone_offset_mismatch": "whose offset the RFC 9557 zone in brackets does not have then, like "
                "2024-03-05T14:30+02:00[Europe/Berlin] (Berlin is +01:00 in March)",
                "zone_name_unknown": "whose RFC 9557 zone in brackets the tz database does not hold, like "
                "2024-03-05T14:30[Europe/Berln]",
            }[why] + f", in a date column: the date written is stored, not its time or zone (a datetime column could not read it: {why})"
        if why == ZONE_DROPPED:
            return ("written as a date with an RFC 9557 time zone and no time, like 2024-03-05[Europe/Berlin], in a date "
                    "column: the date written is stored, the zone is not (zone_dropped)")
        if why == START_OF_DAY:
            return ("written as a date with an RFC 9557 time zone and no time, like 2024-03-05[Europe/Berlin], among "
                    "date-times: stored at the first instant of that day in that zone (its midnight, or the end of a "
                    "daylight-saving gap at midnight, as JavaScript's Temporal and Java read it), a time not written (start_of_day)")
        if why == "date_only":
            return "written as a date without a time, like 2025-03-01, among date-times: stored at midnight, a time not written (date_only)"
        # the order the values were read in (day_order_read), not the one decided since: the warning says what was stored
        # the file's first such value and its reading (breaker8 #10: a fixed 03/04/2025 was quoted)
        written, day, month, shows = self._example(self.day_order_example, col) or ("03/04/2025", "3 April 2025", "4 March 2025", "13/04/2025")
        if col in self.carried:
            proof = self.carried[col]
            order, example = ("day", day) if proof["dayfirst"] else ("month", month)
            return (f"like {written} read {order} first ({example}) while no value of the file had shown the day order "
                    f"(as {shows} does): the order this source's {col} showed on {proof['date']} ({proof['file']} line "
                    f"{proof['line']}: {proof['value']}), the latest earlier date that showed it; set "
                    f"schema.columns.{col}.dayfirst if that is wrong")
        if self.day_order_read.get(col, bool(self._formats_of(col).get("dayfirst"))):
            return (f"like {written} read day first ({day}) while no value of the file had shown the day order "
                    f"(as {shows} does); set types.dayfirst if that is wrong")
        return (f"like {written} read month first ({month}) while no value of the file had shown the day order "
                f"(as {shows} does); set types.dayfirst if that is wrong")

    @staticmethod
    def _first_example(into: dict[str, tuple[str, Any]], col: str, written: pd.Series, stored: pd.Series, which: np.ndarray) -> None:
        """Keep in ``into[col]`` the first value of ``written`` where ``which`` (bool per row) holds, stripped, with the
        value ``stored`` for it; nothing when none does (or ``which`` is empty: no reasons)."""
        at = np.flatnonzero(which) if len(which) == len(written) else []
        if len(at):
            into[col] = (str(written.iloc[int(at[0])]).strip(), stored.iloc[int(at[0])])

    def _example(self, into: dict[str, tuple[str, Any]], col: str) -> tuple[str, str, str, str] | None:
        """The value ``into`` keeps for ``col`` as ``(written, read day first, read month first, a value like it that
        shows the order)``: ``03/04/1990`` -> ``("03/04/1990", "3 April 1990", "4 March 1990", "13/04/1990")``, the readings
        in words (English month names); None when none was kept."""
        if col not in into:
            return None
        written, stored = into[col]
        found = _TWO_WAY.search(written)
        if found is None:
            return None
        a, b, year = found.group(1), found.group(3), found.group(4)
        # a two-digit year is the century the value was stored in (two_digit_year: 1970-2069)
        full = int(year) if len(year) == 4 else int(pd.Timestamp(stored).year) if pd.notna(stored) else None
        if full is None:
            return None

        def words(day: int, month: int) -> str:
            return f"{day} {_MONTHS[month - 1]} {full}"

        shows = written[:found.start(1)] + "13" + written[found.end(1):]
        return written, words(int(a), int(b)), words(int(b), int(a)), shows

    def _unread(self, col: str, why: str) -> str:
        """Why the values of ``col`` counted under ``why`` (headwater.clean.values.Coerced.unread) were not read, for a warning."""
        zone = self._formats_of(col).get("timezone") or self.options.timezone
        return {
            "zone_abbreviation": "name their time zone by an abbreviation, like EST or CET, which is ambiguous (IST, CST) and "
            "not guessed; write the offset (+02:00) instead",
            "dst_gap": f"are a local time that does not exist in {zone} (skipped by a daylight-saving change)",
            "dst_fold": f"are a local time that happens twice in {zone} (a daylight-saving change): which one is not guessed",
            "no_zone": "have no time zone in a column of values written with an offset; set types.timezone to read them in one",
            "zone_abbreviation_unused": "name their time zone by an abbreviation types.tz_abbreviations maps to a zone that does not "
            "use it at that time (EST in July: New York writes EDT), or the time before it does not parse",
            "weekday_mismatch": "name a weekday that is not their date's, like Tuesday, March 3, 2025 (a Monday): the weekday or the "
            "day is wrong, which is not guessed (weekday_mismatch)",
            "offset": "carry an offset or a time zone name (+02:00, Europe/Berlin) in a column of local date-times (no offset, "
            "no types.timezone); set types.timezone to store the column as instants",
            "credit_debit_suffix": "carry an accounting CR/DR suffix, like 100.00 CR: whether a credit is negative depends on the "
            "ledger (money in on a bank statement), which is not guessed (credit_debit_suffix)",
            "mixed_digit_scripts": "mix digits of two scripts in one number, like 1٢3, which is not guessed (mixed_digit_scripts)",
            "text_after_date": "write a date followed by text that is not just a time of day and its zone, like 2024-03-05 - "
            "2024-03-09 (a range), 2024-01-05 1000 (a bare number) or 2024-03-05 at 14:30 (a word with the time): no date is "
            "taken from them (text_after_date)",
            "zone_name_unknown": "name a time zone the tz database does not hold, like 14:30 Europe/Berln (zone_name_unknown)",
            "zone_name_posix_sign": "name an Etc/GMT zone, like 10:00 Etc/GMT+2, whose sign is POSIX's: Etc/GMT+2 is two hours "
            "behind UTC (-02:00), the opposite of GMT+2, which is not guessed; write the offset instead (zone_name_posix_sign)",
            "zone_name_dst_gap": "are a local time that does not exist in the time zone they name (skipped by a daylight-saving "
            "change), like 2024-03-31 02:30 Europe/Berlin (zone_name_dst_gap)",
            "zone_name_dst_fold": "are a local time that happens twice in the time zone they name (a daylight-saving change), "
            "like 2024-10-27 02:30 Europe/Berlin: which one is not guessed (zone_name_dst_fold)",
            "zone_offset_mismatch": "write an offset the RFC 9557 zone in brackets does not have then, like "
            "2024-03-05T14:30+02:00[Europe/Berlin] (Berlin is +01:00 in March): which of the two is wrong is not guessed "
            "(RFC 9557 §3.4; zone_offset_mismatch)",
            YEAR_OUT_OF_RANGE: f"are dates with a year no date value holds, like 0000-01-01 (Python, pandas and pyarrow read "
            f"years {STORABLE_YEARS[0]}-{STORABLE_YEARS[1]}), or whose UTC instant falls outside them, like 0001-01-01T00:30+01:00 "
            "(year_out_of_range)",
            "critical_suffix_tag": "carry a critical RFC 9557 tag that is not processed, like [!u-ca=hebrew] or [!x-key=v]: "
            "RFC 9557 §3.3 forbids acting on such a value (critical_suffix_tag)",
        }[why]

    def proven(self) -> dict[str, dict[str, Any]]:
        """The day order each date/datetime column's own values showed, one order only: ``{column: {"line", "value",
        "dayfirst"}}`` (the first such value), what headwater.day_orders records for the source's later dates."""
        return {c: dict(p) for c, p in sorted(self.column_proof.items()) if self.decided.get(c) in DATE_TYPES}

    def differing(self) -> dict[str, dict[str, Any]]:
        """The date columns read in the other day order than the one the source's column showed on the latest earlier
        date that showed it: ``{column: {"earlier": that proof, "here": this file's}}``, ``here`` being the column's own
        proof (``proven``) or, for a column with values but no proof of its own read in the order the file's other columns
        decided, the first of their proofs in that order with its ``column``. Such a column is read as the file's values
        say (the file's evidence wins), and warned about: the source changed its export?"""
        here = self.proven()
        out = {c: {"earlier": dict(self.earlier[c]), "here": p} for c, p in here.items()
               if c in self.earlier and bool(self.earlier[c]["dayfirst"]) != bool(p["dayfirst"])}
        file = self.file_formats or {}
        if self._day_order_open() or self.options.dayfirst != "auto":
            return out
        for col, was in self.earlier.items():
            if col in here or col in out or self.decided.get(col) not in DATE_TYPES or not self.tally.get(col, {}).get("values") \
                    or "dayfirst" in self.overrides.get(col, {}) or bool(self._formats_of(col).get("dayfirst")) == bool(was["dayfirst"]):
                continue
            others = sorted((p["line"], c) for c, p in here.items() if bool(p["dayfirst"]) == bool(file.get("dayfirst")))
            if others:
                line, other = others[0]
                out[col] = {"earlier": dict(was), "here": here[other] | {"column": other}}
        return dict(sorted(out.items()))

    def value_formats(self) -> dict[str, Any] | None:
        """The manifest's ``value_formats``: ``file_formats`` plus, when there are any, ``dayfirst_from`` (each date column
        with values read by an unproven day order: the earlier date's proof it was read by, ``{"date", "file", "line",
        "value", "dayfirst"}``, or None for the month-first default), ``dayfirst_proven`` (``proven``) and
        ``dayfirst_differs_from`` (``differing``). When no value of the file voted on the day order and a column carried an
        earlier date's, the file-level ``dayfirst`` is the order its date columns were read in (``dayfirst_decided_by``
        ``carried``), or None when they differ (``per column (dayfirst_from)``). None when the step never ran."""
        if self.file_formats is None:
            return None
        out = dict(self.file_formats)
        assumed = sorted(c for c, seen in self.interpreted.items() if seen.get("day_order") and self.decided.get(c) in DATE_TYPES)
        if assumed:
            out["dayfirst_from"] = {c: (dict(self.carried[c]) if c in self.carried else None) for c in assumed}
            votes = out.get("dayfirst_votes") or {}
            if self.options.dayfirst == "auto" and not votes.get("day_first") and not votes.get("month_first") and self.carried:
                # no value of the file voted: its date columns were read each in its carried order (or the default), so
                # the file-level order is theirs when they agree, else None: per column (breaker7 #11c)
                orders = {bool(self.carried[c]["dayfirst"]) if c in self.carried else False for c in assumed}
                out["dayfirst"] = orders.pop() if len(orders) == 1 else None
                out["dayfirst_decided_by"] = "carried" if out["dayfirst"] is not None else "per column (dayfirst_from)"
        if self.proven():
            out["dayfirst_proven"] = self.proven()
        if self.differing():
            out["dayfirst_differs_from"] = self.differing()
        return out

    def warnings(self) -> list[str]:
        """One line per column where more than ``options.warn_failed_share`` of the values failed the column's type,
        and one per column with values read with a provisional decimal mark.

        E.g. ``born: 3 of 4 values (75%) are not a valid date (declared type) — kept in born__raw``.
        """
        lines = [
            f"{col}: kept as text: {why} — not guessed" for col, why in self.kept_as_text.items()
            if "time zone abbreviation" in why or "time zone name" in why
        ] + [
            f"{col}: kept as text: its numbers are written in differing units ({', '.join(units)}) — not read as one number "
            f"column; declare the column's unit (schema.columns.{col}.unit) to read the values in it"
            for col, units in self._differing_currencies().items()
        ] + [
            f"{col}: kept as text: its values write the decimal mark {self._own_mark(col)!r} "
            f"where the file's other columns decided {(self.file_formats or {}).get('decimal')!r} ({MARK_DIFFERS}) — not read as numbers; "
            f"set schema.columns.{col}.decimal to read them"
            for col, why in self.kept_as_text.items() if why == MARK_DIFFERS_TEXT
        ]
        for col, seen in self.own_day_order.items():
            order, other = ("day", "month") if seen["dayfirst"] else ("month", "day")
            lines.append(
                f"{col}: read {order} first on its own evidence ({seen['votes']} value(s) that only read {order} first, like "
                f"{'25/03/2024' if seen['dayfirst'] else '03/25/2024'}) where the file's day order is {other} first "
                f"(other columns' votes or a tie); set schema.columns.{col}.dayfirst if that is wrong"
            )
        for col, seen in self.differing().items():
            was, now = seen["earlier"], seen["here"]
            order, other = ("day", "month") if now["dayfirst"] else ("month", "day")
            whose = f"{now['column']}'s values" if "column" in now else "values"
            example = self._example(self.two_way_example, col)  # this file's first value that reads two ways (breaker8 #10)
            if example is None:
                reads = f"while that date's values that read two ways were read {other} first"
            else:
                written, day, month = example[:3]
                here, there = (day, month) if now["dayfirst"] else (month, day)
                reads = f"so {written} here is {here}, where that date read such values {other} first ({there})"
            lines.append(
                f"{col}: DAY ORDER CHANGED: this file's {whose} show {order} first (line {now['line']}: {now['value']}) where "
                f"this source's {col} showed {other} first on {was['date']} ({was['file']} line {was['line']}: {was['value']}) — "
                f"did the source change its export? This file is read {order} first, as its values say, {reads}; "
                f"set schema.columns.{col}.dayfirst if one of them is wrong"
            )
        for col, seen in self.censored_text.items():
            shown = ", ".join(map(str, seen["lines"])) + (" ..." if seen["count"] > len(seen["lines"]) else "")
            lines.append(
                f"{col}: kept as text: {seen['count']} value(s) among its numbers are censored values, like {seen['example']} "
                f"(line(s) {shown}): a bound, not a measured number — every value kept as written; declare "
                f"schema.columns.{col}.type: number to read the numbers (each censored value then keeps its text, {CENSORED})"
            )
        for what, first in self.decided_later.items():
            if what == "dayfirst":
                decision = f"the day order ({'day' if first['decided'] else 'month'} first)"
                reads = f"every date of the file is read {'day' if first['decided'] else 'month'} first"
            else:
                decision, reads = f"the decimal mark ({first['decided']!r})", f"every number of the file is read with {first['decided']!r}"
            lines.append(
                f"{first['column']}: {decision} was decided by line {first['line']} ({first['value']}), after the decision sample "
                f"(to line {self.sample_end}), which held values that read two ways and none that showed it: the file was read ahead "
                f"to that line and {reads}"
            )
        for col, lines_ in self.excel_lines.items():
            shown = ", ".join(map(str, lines_[:10])) + (f" and {len(lines_) - 10} more" if len(lines_) > 10 else "")
            lines.append(
                f"{col}: {len(lines_)} identifier(s) written in Excel's scientific notation, like {self.excel_examples[col]} "
                f"(line(s) {shown}): digits were lost before the file reached us (Excel keeps 6 significant digits in "
                f"this form), so two different ids can read alike — kept as written with reason {EXCEL_MANGLED}, never taken "
                "for one id by record linkage or the duplicate vetoes; re-export the column formatted as text"
            )
        for col, tally in self.tally.items():
            if self.provisional[col]:
                file = self.file_formats or {}
                lines.append(
                    f"{col}: {self.provisional[col]} value(s) like {self.provisional_example[col]} read with the decimal mark "
                    f"{self._formats_of(col)['decimal']!r} "
                    f"while no value of the file decided it ({file.get('decimal_decided_by')}) — their text kept in {col}{RAW_SUFFIX}; "
                    "set types.decimal if that is wrong"
                )
            if self.differing_marks[col]:
                lines.append(
                    f"{col}: {self.differing_marks[col]} value(s) read with the file's decimal mark "
                    f"{self._formats_of(col)['decimal']!r}, which other columns decided, while the column's own values write the "
                    f"other mark — their text kept in {col}{RAW_SUFFIX} ({MARK_DIFFERS}); set schema.columns.{col}.decimal if that is wrong"
                )
            if self.ambiguous_marks[col]:
                mark = self._formats_of(col)["decimal"]
                lines.append(
                    f"{col}: {self.ambiguous_marks[col]} value(s) like {self.ambiguous_example[col]} fit both decimal marks and no "
                    "value of the column "
                    f"decided it: read with the file's mark {mark!r}, which other columns decided — their text kept in "
                    f"{col}{RAW_SUFFIX} ({AMBIGUOUS_DECIMAL_MARK}); set schema.columns.{col}.decimal if that is wrong"
                )
            if self.unsettled_marks[col]:
                mark = self._formats_of(col)["decimal"]
                refused = self._formats_of(col).get("decimal_unsettled")
                like = f"like {refused}: " if refused else ""
                lines.append(
                    f"{col}: {self.unsettled_marks[col]} value(s) like {self.unsettled_example[col]} fit both decimal marks, and the "
                    f"only values of the column that voted for its mark {mark!r} are values its type refuses ({like}not a "
                    f"valid {self.decided.get(col)} under {mark!r}): read with {mark!r} unproven — their text kept in {col}{RAW_SUFFIX} "
                    f"({AMBIGUOUS_DECIMAL_MARK}); set schema.columns.{col}.decimal if that is wrong"
                )
            if col in self.other_units:
                seen = ", ".join(f"{u or 'none'}: {n}" for u, n in sorted(self.other_units[col].items()))
                lines.append(
                    f"{col}: {sum(self.other_units[col].values())} value(s) written in another unit than the column's first "
                    f"({self.first_unit[col]}; {seen}) — the number is stored, the text kept in {col}{RAW_SUFFIX}"
                )
            if col in self.unit_conflicts:
                seen = self.unit_conflicts[col]
                marks = ", ".join(f"{m}: {n}" for m, n in sorted(seen["marks"].items()))
                shown = ", ".join(map(str, seen["lines"])) + (" ..." if seen["count"] > len(seen["lines"]) else "")
                unit = self.declared_units[col]
                fate = ("their rows quarantined" if self.options.on_error == "quarantine"
                        else f"stored as missing, the text kept in {col}{RAW_SUFFIX} ({CURRENCY_DIFFERS})")
                lines.append(
                    f"{col}: {seen['count']} value(s) written in another currency than the column's unit {unit} ({marks}; "
                    f"line(s) {shown}) — not read as {unit}: {fate}"
                )
            if col in self.bare_lines:
                lines_ = self.bare_lines[col]
                shown = ", ".join(map(str, lines_[:10])) + (f" and {len(lines_) - 10} more" if len(lines_) > 10 else "")
                lines.append(
                    f"{col}: {len(lines_)} value(s) written without % in a column of % values (line(s) {shown}): stored as "
                    f"written (0.5 stays 0.5) while 12.5% is stored as 0.125 — two scales; the text of both kinds kept in "
                    f"{col}{RAW_SUFFIX} ({BARE_IN_PERCENT_COLUMN}, {PERCENT_SCALED})"
                )
            for why, count in sorted(self.interpreted.get(col, {}).items()):
                lines.append(f"{col}: {count} value(s) {self._assumption(col, why)} — the value is stored, its text kept in {col}{RAW_SUFFIX}")
            if col in self.future_births:
                seen = self.future_births[col]
                lines.append(
                    f"{col}: {seen['count']} date(s) after the run's date ({seen['today']}) in a birth-date column, like "
                    f"{seen['example']} read as {seen['stored']} — a birth date cannot be in the future; check the century "
                    "or set the column's type to string"
                )
            where = f"kept in {col}{RAW_SUFFIX}" if self.options.on_error == "keep_raw" else "their rows quarantined"
            for why, count in sorted(self.unread.get(col, {}).items()):
                lines.append(f"{col}: {count} value(s) {self._unread(col, why)} — not read, {where}")
            for cause, seen in self.failure_causes.get(col, {}).items():
                shown = ", ".join(map(str, seen["lines"])) + (" ..." if seen["count"] > len(seen["lines"]) else "")
                lines.append(f"{col}: {seen['count']} value(s) {self._failure_cause(cause)} (line(s) {shown}) — not read, {where} ({cause})")
            if self.late_failed[col]:
                lines.append(
                    f"{col}: {self.late_failed[col]} value(s) after line {self.sample_end} (the rows that decided the column's type, "
                    f"{self.decided[col]}) are not a valid {self.decided[col]} — {where}"
                )
            values, failed, named = tally["values"], tally["failed"], tally["named"]
            # the values not read for a cause named above too: the count agrees with coercion_failures (breaker6 #12)
            of = (
                f"{failed + named} of {values} values ({(failed + named) / values:.0%}) are not a valid {self.decided[col]} "
                f"({'declared' if col in self.declared else 'inferred'} type): {named} for the causes above, {failed} for none "
                f"named ({GENERIC.get(self.decided[col], 'type')})" if named and failed else ""
            )
            if failed and col in self.failed_lines:
                how = "declared" if col in self.declared else "inferred"
                shown = ", ".join(map(str, self.failed_lines[col])) + (" and more" if failed > len(self.failed_lines[col]) else "")
                lines.append(
                    f"{col}: {of or f'{failed} of {values} values ({failed / values:.0%}) are not a valid {self.decided[col]} ({how} type)'}, "
                    f"line(s) {shown} — missing in the column, their text kept in {col}{RAW_SUFFIX}"
                )
            elif of:
                where = f"kept in {col}{RAW_SUFFIX}" if self.options.on_error == "keep_raw" else "their rows quarantined"
                lines.append(f"{col}: {of} — {where}")
            elif values and failed / values > self.options.warn_failed_share:
                how = "declared" if col in self.declared else "inferred"
                where = f"kept in {col}{RAW_SUFFIX}" if self.options.on_error == "keep_raw" else "their rows quarantined"
                lines.append(
                    f"{col}: {failed} of {values} values ({failed / values:.0%}) are not a valid {self.decided[col]} ({how} type) — {where}"
                )
        return lines


def _specific(why: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Bool per row: ``why`` (a reason per row, None elsewhere: ``CoerceTypes._why_failed``) is a specific cause
    (headwater.clean.failures.SPECIFIC). Only the rows of ``where`` (the rows with a reason) are looked at: ``np.isin``
    over every row's object compared 100,000 Nones a column."""
    out = np.zeros(len(why), dtype=bool)
    at = np.flatnonzero(where)
    out[at] = [w in SPECIFIC for w in why[at].tolist()]
    return out


def _with_reason(reasons: pd.Series | None, code: str) -> np.ndarray:
    """Bool per row: ``code`` is one of the row's reason codes (headwater.clean.values.Coerced.reasons: ``"; "`` between
    two causes of one value, ``parentheses; ambiguous_decimal_mark``); all False when ``reasons`` is None."""
    if reasons is None:
        return np.zeros(0, dtype=bool)
    out = np.zeros(len(reasons), dtype=bool)
    text = reasons.to_numpy(dtype=object)
    at = np.flatnonzero(pd.notna(text))
    out[at] = [code in str(r).split("; ") for r in text[at].tolist()]
    return out


def _first_vote(df: pd.DataFrame, columns: list[str], vote: Any) -> dict[str, Any]:
    """The first row of ``df`` (lowest ``_line``) whose value in one of ``columns`` votes (``vote``: values.dayfirst_vote
    or values.decimal_vote, not None): ``{"line", "column", "value", "decided": its vote}``; each distinct value is voted once.
    Raises ValueError when no value votes (the caller passes the columns whose votes showed one)."""
    best: dict[str, Any] | None = None
    for col in columns:
        written = df[col].dropna().astype("string").str.strip().drop_duplicates()  # first occurrence of each value kept
        for i, v in zip(written.index.tolist(), written.tolist()):
            decided = vote(v)
            if decided is not None:
                line = int(df.at[i, LINE])
                if best is None or line < best["line"]:
                    best = {"line": line, "column": col, "value": v, "decided": decided}
                break  # later distinct values of this column first occur further down
    if best is None:
        raise ValueError("no value of the columns votes")
    return best
