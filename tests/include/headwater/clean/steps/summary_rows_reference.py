"""Step: a "Total" row that sums the rows above it is a summary of the data, not a record.

Spreadsheet exports often end a table (or each group of rows) with a row such as
``Total,,35,6.75``. Curated as data, it double-counts every number in the table. The step
quarantines such a row — it is kept with its values and a reason, never dropped — only on
evidence that leaves no doubt:

* one of its text values is a total label (``Total``, ``Grand total``, ``Subtotal``, ``Sum``,
  ``Totals:``, ``Gesamt``, ``Summe``, ``Insgesamt``, ``Totale``, ``Totaal``, ``Totalt``,
  ``Suma``, ``Somme``, ``Итого``, ``合计``/``合計``; case-insensitive) standing alone in its cell: only
  digits, punctuation or a note in brackets may follow (``Totals:``, ``Total 2024``, ``Total (EUR)``),
  so a name that starts with a label word (a product ``Total Gym XLS``, a brand ``Sum Kitchen``) is no
  label; in a text column or in the ``<col>__raw`` text of a number column the label failed to fill; and
* every number it has equals the sum of that column over the rows above it — the rows since the
  previous summary row (a subtotal) or since the start of the file (a grand total) — or that
  column's mean (a table's "average price" next to its total), at the precision the value is
  written in; at least one non-zero number must be a sum, and at least two rows are summed.

The label may also be missing or be a trailer marker (``TRAILER_MARKER``): a row whose every text
cell is empty, a marker (``TRL``, ``TRAILER``, ``T``, ``EOF``, ``END``, ``Page 1 of 2``) or a whole
number, is a summary row on the same evidence — an unlabelled total under a column (``,,60.00``,
Excel's and Salesforce's report exports), a bank/ACH/SAP trailer record with its record count and
control total (``TRL,3,60.00``: every count must equal the number of rows summed; a marker with a
matching count and no amount, ``TRL,3,``, is one too; a one-letter ``T`` needs a count and a sum, or two
sums: it may be a size or a grade). An end marker alone (``EOF,,``, ``*** END OF REPORT ***``, ``TRL,,``:
END_ALONE) with no row after it is a structural line ``end_marker`` (``StepOutput.structural``: counted
as a structural line of the file, its text in the manifest's ``clean_structural``; headwater.clean.stage);
with a row after it, it only may be one and is quarantined. A padded page footer alone (``"Page 1 of
2",,``, ``"- 3 -",,``) is a structural line ``page_footer`` wherever it stands (outside the sums), and
QuickBooks' footer padded to the table's width (``"Accrual Basis Monday, April 7, 2025 ...",,``) a
``report_footer`` like an end marker (no row after it; else quarantined). A
marked row that does not reconcile stays a record with a ``possible_summary_row`` warning; an
unlabelled row that does not reconcile (``,,61.00``) is a record.

A row with a total label whose numbers do not add up (an average, a count, a label that is a
name) stays data. So does one that adds up but has data rows after it with no later summary row
(a brand called ``Total`` in ``Shell,10 / BP,20 / Total,30 / Esso,5``): a total ends its table or
its block, and a later summary row (subtotals, then a grand total) shows the blocks; without one,
the row is kept as data and named in a warning (``warnings``) — when unsure, the data is kept.
So only the file's *last* summary row can turn out to be data, and that is known only at the end
of the file: the last summary row met so far is held back (``held_lines``; not in the batch's
output) until a later summary row confirms it (it is quarantined with that batch) or the file ends
(``finish``: quarantined if no data row followed it, else data). The decision never depends on
where the batches end (the runner, headwater.clean.runner, calls ``finish`` with the last batch).
Summing needs every row above, so the step keeps running sums across batches
(``state``): integer columns exactly (Python ints), decimal columns with ``math.fsum``
(correctly rounded; the comparison rounds the sum to the total's written decimals, Python's
shortest ``repr`` of the value).
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from headwater.clean.steps.base import LINE, RAW_SUFFIX, REASON, STRUCTURAL, StepOutput, is_value_column
from headwater.clean.values import number_texts, other_script_digits
from headwater.names import looks_like_identifier

# sum9 (breaker7 #6): the label words (TOTAL_WORDS in other languages) and how a label is compared (NFKC, no tatweel,
# vowel marks or format characters) are the library's data, shared here so that the differential test compares the
# algorithm: what the old code did with a label it knew.
from headwater.clean.steps.summary_rows import TOTAL_LABEL, is_total_label, label_text  # noqa: F401 - used below and by the tests
# nd11 (breaker8 #1, a surname Sum): a total label in a name column beside another name is a record; the rule is the
# library's (``_beside``), applied here where the library applies it, the row above a batch's first kept as it keeps it.
from headwater.clean.steps.summary_rows import _beside  # noqa: E402


# A trailer or footer marker standing alone in its cell (fullmatch, case-insensitive): the record type of a bank/ACH/SAP
# trailer record (``TRL,3,60.00``), an end-of-file line (``EOF``, ``END``, ``*** END OF REPORT ***``) or a report's page
# footer (``Page 1 of 2``). Only in a row whose every other text cell is empty or a record count.
TRAILER_MARKER = re.compile(
    r"\s*(?:trl|trailer|t|eof|end|end\s+of\s+(?:file|report|data)|\*+\s*end\s+of\s+(?:file|report|data)\s*\*+|page\s+\d+\s+of\s+\d+)"
    r"\s*[.:]?\s*",
    re.IGNORECASE,
)
END_MARKER = re.compile(r"\s*(?:eof|end|end\s+of\s+(?:file|report|data)|\*+\s*end\s+of\s+(?:file|report|data)\s*\*+)\s*[.:]?\s*", re.IGNORECASE)
# An end marker alone in its row (every other value cell empty): END_MARKER, or a trailer record type with no number
# (``TRL``, ``TRAILER``; not ``T``, a one-letter value as likely: a size, a grade). A structural line when no record follows it.
END_ALONE = re.compile(r"\s*(?:trl|trailer)\s*[.:]?\s*|" + END_MARKER.pattern, re.IGNORECASE)
# QuickBooks' report footer (``Accrual Basis Monday, April 7, 2025 09:14 AM GMT-04:00``), padded to the table's width:
# like an end marker, a structural line when no row follows it (headwater.ingest.csv_file.REPORT_FOOTER when not padded)
REPORT_FOOTER = re.compile(r"\s*(?:accrual|cash|modified\s+cash)\s+basis\b.*", re.IGNORECASE)
PAGE_FOOTER = re.compile(r"\s*(?:page\s+\d+\s*(?:of|/)\s*\d+|-\s*\d+\s*-)\s*", re.IGNORECASE)  # ``Page 3 of 7``, ``Page 3/7``, ``- 3 -``
COUNT = re.compile(r"\s*\d+\s*")  # a record count in a trailer's text cell (``TRL,3,60.00``)
MIN_ROWS = 2  # a "total" of one row is that row
# Values TOTAL_LABEL may match, found by Arrow's RE2 kernel over a whole column: an ASCII value matches only if it holds
# one of these (every label word holds one, in any case), and any value with a non-ASCII character is a candidate
# (Python's case-insensitive, Unicode-aware match folds ``ſ`` to ``s``, ``İ`` to ``i``). TOTAL_LABEL itself has a
# lookahead RE2 lacks, so it runs in Python, on the candidates only.
_LABEL_CANDIDATE = "(?i)tota|sum|gesamt|somme|sous|zwischensumme|eindtotaal|hovedtotal|kokonaissumma|i[\x00-\x20]|razem|celkem|toplam|genel|jumlah|[^\x00-\x7f]"  # sum9: the new ASCII words


@dataclass
class _Sums:
    """Running column sums over a block of rows: exact ints, fsum partials for floats."""

    rows: int = 0
    ints: dict[str, int] = field(default_factory=dict)
    floats: dict[str, list[float]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # non-missing values per column (for means)

    def add(self, df: pd.DataFrame, ints: list[str], floats: list[str]) -> None:
        if len(df) == 0:
            return
        self.rows += len(df)
        for col in ints:
            self.counts[col] = self.counts.get(col, 0) + int(df[col].notna().sum())
        for col in ints:
            values = df[col].dropna().to_numpy(dtype=np.int64)
            # numpy's int64 sum wraps on overflow: exact only while every partial fits, else Python ints
            bound = float(np.abs(values).max()) * len(values) if len(values) else 0.0
            total = int(values.sum()) if bound < 2.0**62 else sum(int(v) for v in values)
            self.ints[col] = self.ints.get(col, 0) + total
        for col in floats:
            values = _floats(df[col])
            self.counts[col] = self.counts.get(col, 0) + len(values)
            self.floats.setdefault(col, []).append(math.fsum(values))

    def total(self, col: str, is_int: bool) -> float | int:
        return self.ints.get(col, 0) if is_int else math.fsum(self.floats.get(col, []))

    def sums(self, col: str, value: float | int, is_int: bool) -> bool:
        """``value`` is the column's sum (exact for ints; at the value's written decimals for floats)."""
        if is_int:
            return self.ints.get(col, 0) == int(value)
        return round(self.total(col, False), _decimals(value)) == float(value)

    def averages(self, col: str, value: float | int, is_int: bool) -> bool:
        """``value`` is the column's mean over its non-missing values, at the value's written decimals."""
        count = self.counts.get(col, 0)
        return count > 0 and round(self.total(col, is_int) / count, _decimals(value)) == float(value)

    def clear(self) -> None:
        self.rows, self.ints, self.floats = 0, {}, {}


@dataclass(frozen=True)
class Reconciled:
    """A summary row of the current batch: what it proves about the rows it sums, in this batch or in earlier ones.

    It sums the rows with ``after < _line < line`` that are not summary rows themselves (``after``: the
    previous summary row's line for a subtotal, 0 for a total over the whole file so far). ``totals``:
    column -> (its value, integer column) for the columns that are sums (means left out); ``sums``:
    column -> the exact sum of those rows as written (Python int, or ``math.fsum``'s float). Read by
    the exact-duplicate step (headwater.clean.dedup.exact): identical rows that the total counts are
    distinct records, whichever batch they were in.
    """

    line: int
    label: str
    after: int
    totals: dict[str, tuple[float | int, bool]]
    sums: dict[str, float | int]

    def covers(self, lines: np.ndarray) -> np.ndarray:
        """Bool per ``_line`` in ``lines``: a row this summary row sums (if it is no summary row itself)."""
        return (lines > self.after) & (lines < self.line)

    def reconciles_without(self, rows: pd.DataFrame) -> bool:
        """Whether the summed rows less ``rows`` (some of them, with the summed columns) still sum to every total,
        compared as ``_Sums.sums`` compares (exact for ints; at the total's written decimals for floats)."""
        for col, (value, is_int) in self.totals.items():
            if is_int:
                taken = sum(int(v) for v in rows[col].dropna().to_numpy(dtype=np.int64))
                if int(self.sums[col]) - taken != int(value):
                    return False
            else:
                left = math.fsum([float(self.sums[col]), *(-_floats(rows[col]))])
                if round(left, _decimals(value)) != float(value):
                    return False
        return True


def _text_numbers(values: pd.Series) -> pd.Series:
    point, comma = number_texts(values, "."), number_texts(values, ",")
    same = point.notna() & (comma.isna() | (point.astype("Float64") == comma.astype("Float64")).fillna(False))
    out = point.where(same, comma.where(point.isna()))
    return out.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)


def _floats(column: pd.Series) -> np.ndarray:
    values = column.dropna().to_numpy(dtype=np.float64) if pd.api.types.is_float_dtype(column.dtype) else _text_numbers(column)
    return values[~np.isnan(values)] if values.dtype.kind == "f" else values


def _number(value: object) -> float | int | None:
    if isinstance(value, str):
        number = _text_numbers(pd.Series([value], dtype="string"))[0]
        return None if np.isnan(number) else float(number)
    return None if pd.isna(value) else value


def _decimals(value: float | int) -> int:
    """Digits after the decimal point in Python's shortest repr of ``value`` (``6.75`` -> 2, ``35`` -> 0)."""
    text = repr(float(value)) if not isinstance(value, (int, np.integer)) else "0"
    return len(text.split(".", 1)[1].rstrip("0")) if "." in text and "e" not in text.lower() else 0


def _labels(column: pd.Series) -> np.ndarray:
    """Bool per value: it is a total label (``TOTAL_LABEL.fullmatch``); missing values are not labels.

    RE2 finds the candidates (``_LABEL_CANDIDATE``) and Python's ``re`` decides on them alone. A date or
    timestamp column (numpy ``datetime64`` or an Arrow date/timestamp type) holds no label: the text of
    such a value (ISO 8601: digits, ``-``, ``:``, ``.``, ``+``, ``T``, spaces) has no letter where
    TOTAL_LABEL needs its label word, so its values are not written out as text at all.
    """
    if _temporal(column.dtype):
        return np.zeros(len(column), dtype=bool)
    text = pa.array(column.astype("string").array, pa.large_string()) if len(column) else pa.array([], pa.large_string())
    candidates = pc.fill_null(pc.match_substring_regex(text, _LABEL_CANDIDATE), False)
    out = np.zeros(len(column), dtype=bool)
    at = np.flatnonzero(candidates.to_numpy(zero_copy_only=False))
    if len(at):
        out[at] = [is_total_label(v) for v in pc.filter(text, candidates).to_pylist()]
    return out


def _temporal(dtype: object) -> bool:
    """True for a numpy ``datetime64`` dtype (tz-aware too) or a ``pd.ArrowDtype`` of an Arrow date or timestamp type."""
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return True
    arrow = getattr(dtype, "pyarrow_dtype", None)
    return isinstance(dtype, pd.ArrowDtype) and arrow is not None and (pa.types.is_date(arrow) or pa.types.is_timestamp(arrow))


def _in_order(held: list[pd.DataFrame], kept: pd.DataFrame) -> pd.DataFrame:
    """Rows held back from earlier output, given up now, with ``kept``: in file order (``_line``), a fresh index."""
    return pd.concat([*held, kept], ignore_index=True).sort_values(LINE, kind="stable").reset_index(drop=True)


def _label_of(row: pd.Series, label_cols: list[str]) -> str | None:
    for col in label_cols:
        value = row[col]
        if isinstance(value, str) and (is_total_label(value) or TRAILER_MARKER.fullmatch(value)):
            return value
    return None


def _trailers(df: pd.DataFrame, label_cols: list[str], labelled: np.ndarray,
              labels_of: dict[str, np.ndarray] | None = None) -> tuple[np.ndarray, dict[int, list[int]]]:
    """Rows that may be an unlabelled total or a trailer record, and the record counts in their text cells.

    A row qualifies when every text cell (``label_cols``) is empty, a total label, a trailer marker
    (``TRAILER_MARKER``) or a whole number (a record count), and at least one is empty or a marker:
    ``,,60.00``, ``TRL,3,60.00``, ``EOF,,``, ``"Page 1 of 2",,``. Returns (bool per row, {position:
    [counts]}); the counts are read for the qualifying rows only. RE2 (Arrow's ``match_substring_regex``)
    matches whole columns; ``labelled`` are the rows with a total label (``_labels``), ``labels_of`` each column's
    ``_labels`` when the caller has them (else computed here).
    """
    n = len(df)
    ok, loose = np.ones(n, dtype=bool), labelled.copy()
    counts_in: dict[str, np.ndarray] = {}
    marker = "(?i)^" + TRAILER_MARKER.pattern + "$"
    for col in label_cols:
        if _typed(df[col].dtype):  # a date or boolean column: no marker, count or label; empty when missing (``_typed``)
            empty = df[col].isna().to_numpy(dtype=bool)
            ok &= empty
            loose |= empty
            counts_in[col] = np.zeros(n, dtype=bool)
            continue
        text = pa.array(df[col].astype("string").array, pa.large_string())
        empty = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(text), ""), True).to_numpy(zero_copy_only=False)
        marked = pc.fill_null(pc.match_substring_regex(text, marker), False).to_numpy(zero_copy_only=False)
        count = pc.fill_null(pc.match_substring_regex(text, "^" + COUNT.pattern + "$"), False).to_numpy(zero_copy_only=False)
        ok &= empty | marked | count | (labels_of[col] if labels_of is not None else _labels(df[col]))
        loose |= empty | marked
        counts_in[col] = count
    qualifies = ok & loose
    counts = {int(i): [int(df[col].iloc[i]) for col in label_cols if counts_in[col][i]] for i in np.flatnonzero(qualifies)}
    return qualifies, counts


def _typed(dtype: object) -> bool:
    """A number, boolean, date or timestamp dtype: a value's text (``1.5``, ``True``, ``2026-01-05``) is never empty, never a
    page footer, trailer marker, record count (a number column is not a label column) or total label, so such a column's
    cells need not be written out as text: a cell is empty exactly when it is missing."""
    return (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype) or _temporal(dtype)) and dtype != object


def _page_footers(df: pd.DataFrame, marker: re.Pattern = PAGE_FOOTER) -> np.ndarray:
    """Bool per row: a page footer (``PAGE_FOOTER``, e.g. ``Page 1 of 2``; or what ``marker`` matches) alone in the row,
    every other value cell empty."""
    cols = [c for c in df.columns if is_value_column(c) or c.endswith(RAW_SUFFIX)]
    if not len(df) or not cols:
        return np.zeros(len(df), dtype=bool)
    alone, footer = np.ones(len(df), dtype=bool), np.zeros(len(df), dtype=bool)
    pattern = "(?i)^(?:" + marker.pattern + ")$"
    # a number column's cell read from the footer is null and its text is in ``<col>__raw``: that value cell counts as empty
    for col in cols:
        if _typed(df[col].dtype):  # a wide file's number and date columns: no text pass (``_typed``)
            alone &= df[col].isna().to_numpy(dtype=bool)
            continue
        text = pa.array(df[col].astype("string").array, pa.large_string())
        empty = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(text), ""), True).to_numpy(zero_copy_only=False)
        page = pc.fill_null(pc.match_substring_regex(text, pattern), False).to_numpy(zero_copy_only=False)
        footer |= page
        alone &= empty | page
    return footer & alone


def _filled(df: pd.DataFrame) -> np.ndarray:
    """Bool per row: some value cell (or the ``<col>__raw`` text of one) is filled: the row is not blank."""
    cols = [c for c in df.columns if is_value_column(c) or c.endswith(RAW_SUFFIX)]
    out = np.zeros(len(df), dtype=bool)
    for col in cols:
        text = df[col].astype("string").str.strip()
        out |= (text.notna() & (text != "")).fillna(False).to_numpy(dtype=bool)
    return out


def _alone_text(row: tuple, marker: re.Pattern) -> str:
    """The cell of ``row`` (its values) that ``marker`` matches, stripped."""
    return next(v for v in row if isinstance(v, str) and marker.fullmatch(v)).strip()


_END_KINDS = {"end_marker": END_ALONE, "report_footer": REPORT_FOOTER}


def _end_kind(row: tuple) -> str:
    """``end_marker`` or ``report_footer``: which of them the row held back at the end of the file (``SummaryRows.ends``) is."""
    return "end_marker" if any(isinstance(v, str) and END_ALONE.fullmatch(v) for v in row) else "report_footer"


def _structural(rows: pd.DataFrame, kind: str | None) -> pd.DataFrame:
    """StepOutput.structural for ``rows``: their ``_line``, the ``kind`` (None: each row's ``_end_kind``) and the cell its
    pattern matches (the line's text)."""
    values = list(rows.drop(columns=[LINE]).itertuples(index=False))
    kinds = [kind or _end_kind(row) for row in values]
    patterns = {"page_footer": PAGE_FOOTER, **_END_KINDS}
    texts = [_alone_text(row, patterns[k]) for row, k in zip(values, kinds)]
    return pd.DataFrame({LINE: rows[LINE].to_numpy(), STRUCTURAL: kinds, REASON: texts})


class SummaryRows:
    """Quarantine a row labelled as a total (or unlabelled, or a trailer) whose every number is the sum of the rows above it;
    an end marker or page footer alone in its row is a structural line (module docstring)."""

    name = "summary_rows"

    def __init__(self) -> None:
        # since the previous summary row (and that row's line); since the start
        self.state = {"block": _Sums(), "file": _Sums(), "summaries": 0, "block_after": 0}
        self.kept_as_data: list[str] = []  # rows that summed under a total label but had data rows after them (warnings)
        # The last summary row met so far (one row, its reason, its label), held until a later summary row or the end of
        # the file, and whether a data row followed it.
        self.pending: tuple[pd.DataFrame, str, str] | None = None
        self.data_after_pending = False
        # The running sums were the held row data (its numbers summed, no block cleared), and the rows after it that would
        # then sum their block (one row each, its reason): held too, summaries if the held row turns out to be data.
        self.alt: dict | None = None
        self.doubtful: list[tuple[pd.DataFrame, str]] = []
        # the summary rows found in the batch just applied (confirmed or held), their summed rows in it or in earlier batches
        self.reconciled: list[Reconciled] = []
        self._match: tuple[_Sums, list[str]] | None = None  # the sums and the columns the last row ``_summary`` accepted matched
        self.possible: list[str] = []  # trailer-marked rows that did not reconcile, kept as records (``possible_summary_row`` warnings)
        self._above: pd.Series | None = None  # nd11: the last row of the batch before
        # the batch's rows that may be an unlabelled total or a trailer (``_trailers``) and the record counts in their text cells
        self._trailer: np.ndarray = np.zeros(0, dtype=bool)
        self._counts: dict[int, list[int]] = {}
        # end markers alone in their row (END_ALONE) with no row after them so far: structural lines if the file ends so
        self.ends: list[pd.DataFrame] = []
        self.number_columns: set[str] = set()
        self.text_columns: set[str] = set()

    def held_lines(self) -> list[int]:
        """Physical lines (``_line``) of the rows held back from the output so far: the last summary row, the doubtful
        rows and the end markers no row has followed yet."""
        rows = ([self.pending[0]] if self.pending is not None else []) + [row for row, _ in self.doubtful]
        return [int(row[LINE].iloc[0]) for row in rows] + [int(n) for row in self.ends for n in row[LINE]]

    def finish(self) -> StepOutput:
        """The held rows, now that the file has ended.

        With no data row after it the last summary row is quarantined (the doubtful rows are then data);
        with data rows after it, it is kept as data (a warning) and the rows that sum their block with
        it counted as data are the summary rows (quarantined), as if the file had been one batch.
        """
        self.reconciled = []
        ends, self.ends = self.ends, []
        structural = _structural(pd.concat(ends, ignore_index=True), None) if ends else pd.DataFrame()
        if self.pending is None:
            return StepOutput(pd.DataFrame(), structural=structural)
        (row, reason, label), doubtful = self.pending, self.doubtful
        self.pending, self.alt, self.doubtful = None, None, []
        if self.data_after_pending:
            why = f"a name like {label.strip()!r} may be a record" if label.strip() else "a row with no label may be a record"
            self.kept_as_data.append(f"{reason.split(' — ')[0].replace('summary row', 'row')}, but data rows follow it — kept as data: {why}")
            quarantined = [r.assign(**{REASON: why}) for r, why in doubtful]
            return StepOutput(row, quarantined=pd.concat(quarantined, ignore_index=True) if quarantined else pd.DataFrame(),
                              structural=structural)
        return StepOutput(_in_order([r for r, _ in doubtful], row.iloc[:0]), quarantined=row.assign(**{REASON: reason}),
                          structural=structural)

    def apply(self, df: pd.DataFrame) -> StepOutput:
        """The batch's rows less its summary rows (quarantined with a reason) and less the rows held back (``finish``).

        A row held from an earlier batch comes out with the batch that decides it: the last summary
        row quarantined when this batch holds a later one (the doubtful rows held with it then come out as data).
        In a table of one value column nothing is a footer or an end marker (every value is alone in its row). A report's
        page footer padded to the table's width (``"Page 1 of 2",,``, ``"- 3 -",,``: the footer alone,
        every other cell empty) is a structural line ``page_footer`` wherever it stands (StepOutput.structural: not a
        record, outside the sums). An end marker alone (END_ALONE: ``EOF,,``, ``"*** END OF REPORT ***",,``, ``TRL,,``)
        is held until the file ends (a structural line ``end_marker``, ``finish``) or a row that is not blank follows
        it: then it may be a record, and it is quarantined with its reason.
        """
        if sum(1 for c in df.columns if is_value_column(c)) < 2:
            # a one-column table: every value stands "alone in its row", which is then no evidence of a footer or an end
            # marker (a song called EOF, a word list ending in ``end``, a status ``Cash Basis only``: breaker6 #2)
            return self._apply(df)
        footers = _page_footers(df)
        ends = (_page_footers(df, END_ALONE) | _page_footers(df, REPORT_FOOTER)) & ~footers
        if not (footers.any() or ends.any() or self.ends):
            return self._apply(df)
        out = self._apply(df[~(footers | ends)])
        rest = ~(footers | ends) & _filled(df)  # the rows after which an end marker was no end
        after = np.flatnonzero(rest)
        last = int(after[-1]) if len(after) else -1
        doubtful = [*self.ends] if len(after) else []
        if len(after):
            self.ends = []
        at = np.flatnonzero(ends)
        doubtful += [df.iloc[at[at < last]]] if (at < last).any() else []
        if (at > last).any():
            self.ends.append(df.iloc[at[at > last]])
        quarantined = [out.quarantined] if len(out.quarantined) else []
        if doubtful:
            rows = pd.concat(doubtful, ignore_index=True)
            rows[REASON] = [
                f"line {int(line)}: {_end_kind(row).replace('_', ' ')} {_alone_text(row, _END_KINDS[_end_kind(row)])!r} alone in "
                "its row, but rows follow it: it may be a record — kept in quarantine"
                for line, row in zip(rows[LINE], rows.drop(columns=[LINE]).itertuples(index=False))
            ]
            quarantined.append(rows)
        structural = _structural(df[footers], "page_footer") if footers.any() else pd.DataFrame()
        return StepOutput(out.kept, quarantined=pd.concat(quarantined) if len(quarantined) > 1 else (quarantined or [pd.DataFrame()])[0],
                          duplicates=out.duplicates, counts=out.counts, structural=structural)

    def _apply(self, df: pd.DataFrame) -> StepOutput:
        out = self._apply_batch(df)  # nd11: the batch's last row is the row above the next batch's first
        if len(df):
            self._above = df.iloc[-1]
        return out

    def _apply_batch(self, df: pd.DataFrame) -> StepOutput:
        self.reconciled = []
        values = [c for c in df.columns if is_value_column(c)]
        ids = {c for c in values if looks_like_identifier(c) and pd.api.types.is_numeric_dtype(df[c].dtype)}  # breaker6 #10
        ints = [c for c in values if pd.api.types.is_integer_dtype(df[c].dtype) and c not in ids]
        floats = [c for c in values if pd.api.types.is_float_dtype(df[c].dtype) and c not in ids]
        floats += self._number_columns(df, [c for c in values if c not in ints and c not in floats and c not in ids])
        labels = [c for c in df.columns if (is_value_column(c) or c.endswith(RAW_SUFFIX)) and not (c in ints or c in floats or c in ids)]
        data = ~df[values].isna().all(axis=1).to_numpy(dtype=bool) if len(df) else np.zeros(0, dtype=bool)  # blank rows are not data
        if not (ints or floats) or not labels or len(df) == 0:
            for state in filter(None, (self.state, self.alt)):
                state["block"].add(df, ints, floats)
                state["file"].add(df, ints, floats)
            self.data_after_pending |= self.pending is not None and bool(data.any())
            return StepOutput(df)
        labelled = np.zeros(len(df), dtype=bool)
        labels_of = {col: _labels(df[col]) for col in labels}
        for col in labels:
            labelled |= labels_of[col]
        self._trailer, self._counts = _trailers(df, labels, labelled, labels_of)
        labelled |= self._trailer
        before = copy.deepcopy(self.state)
        summary, reasons = self._scan(df, labels, labelled, ints, floats, self.state)
        found = np.flatnonzero(summary)
        held = np.zeros(len(df), dtype=bool)
        confirmed, released = [], []
        if self.pending is not None and len(found):
            row, reason, _ = self.pending  # a later summary row shows the blocks: the held one was a summary
            confirmed.append(row.assign(**{REASON: reason}))
            released = [r for r, _ in self.doubtful]
            self.pending, self.alt, self.doubtful = None, None, []
        elif self.pending is not None and self.alt is not None:
            self.data_after_pending |= bool(data.any())
            doubtful, why = self._scan(df, labels, labelled, ints, floats, self.alt)
            held |= doubtful
            self.doubtful += [(df.iloc[[i]], why[i]) for i in np.flatnonzero(doubtful)]
        if len(found):
            last = int(found[-1])
            held[last] = True
            self.pending = (df.iloc[[last]], reasons[last], _label_of(df.iloc[last], labels) or "")
            self.data_after_pending = bool((data[last + 1 :] & ~summary[last + 1 :]).any())
            # the other reading: the row is data; the rows after it that then sum their block are held as doubtful
            self.alt = before
            doubtful, why = self._scan(df, labels, labelled, ints, floats, self.alt, as_data=last)
            after = np.arange(len(df)) > last
            held |= doubtful & after
            self.doubtful = [(df.iloc[[i]], why[i]) for i in np.flatnonzero(doubtful & after)]
        rejected = df[summary & ~held].copy()
        rejected[REASON] = [reasons[i] for i in np.flatnonzero(summary & ~held)]
        quarantined = pd.concat([*confirmed, rejected]) if confirmed else rejected
        kept = df[~summary & ~held]
        return StepOutput(_in_order(released, kept) if released else kept, quarantined=quarantined)

    def _scan(self, df: pd.DataFrame, labels: list[str], labelled: np.ndarray, ints: list[str], floats: list[str],
              state: dict, as_data: int | None = None) -> tuple[np.ndarray, dict[int, str]]:
        """One pass over the batch: (mask of summary rows, their reasons by position); the running sums of ``state``
        take in every other row. The row at position ``as_data`` is data whatever it sums."""
        block, whole = state["block"], state["file"]
        summary = np.zeros(len(df), dtype=bool)
        reasons: dict[int, str] = {}
        start = 0
        record = state is self.state and as_data is None  # the batch's own reading: what it finds is reconciled
        for i in np.flatnonzero(labelled):
            above = df.iloc[start:i]
            block.add(above, ints, floats)
            whole.add(above, ints, floats)
            start = i + 1
            row = df.iloc[i]
            label = _label_of(row, labels) or ""
            counts = self._counts.get(int(i), []) if self._trailer[i] else []
            reason = None if i == as_data else self._summary(row, label, ints, floats, state, counts, bool(self._trailer[i]))
            beside = _beside(row, labels, df.iloc[i - 1] if i else self._above) if reason is not None else None  # nd11
            if beside is not None:
                if record:
                    col, other, value = beside
                    self.possible.append(
                        f"possible_summary_row: {reason.split(' — ')[0]}, but its {col!r} is a name column and {other!r} holds "
                        f"{value!r} beside it, which a total row leaves empty — kept as a record"
                    )
                reason = None
            if reason is None and record and self._trailer[i] and TRAILER_MARKER.fullmatch(label):
                self.possible.append(
                    f"possible_summary_row: line {int(row[LINE])}: {label.strip()!r} reads as a trailer or end marker, but its "
                    "numbers and counts do not equal the sums or the count of the rows above it — kept as a record"
                )
            if reason is None:
                block.add(df.iloc[i : i + 1], ints, floats)
                whole.add(df.iloc[i : i + 1], ints, floats)
                continue
            summary[i] = True
            reasons[int(i)] = reason
            if record and self._match is not None:
                sums, summed = self._match
                after = state.get("block_after", 0) if sums is block else 0
                self.reconciled.append(Reconciled(int(row[LINE]), _label_of(row, labels) or "", after,
                                                  {c: (_number(row[c]), c in ints) for c in summed},
                                                  {c: sums.total(c, c in ints) for c in summed}))
            state["block_after"] = int(row[LINE])
            block.clear()
            state["summaries"] += 1
        rest = df.iloc[start:]
        block.add(rest, ints, floats)
        whole.add(rest, ints, floats)
        return summary, reasons

    def _number_columns(self, df: pd.DataFrame, texts: list[str]) -> list[str]:
        # tail6's per-column reading (a9256b7), with the rule that a column that held a value in an earlier batch
        # without being one never becomes one
        out = []
        for col in texts:
            if col in self.number_columns:
                out.append(col)
                continue
            if col in self.text_columns:
                continue
            if looks_like_identifier(col):
                self.text_columns.add(col)
                continue
            if len(df) == 0 or pd.api.types.is_bool_dtype(df[col].dtype) or pd.api.types.is_float_dtype(df[col].dtype) \
                    or _temporal(df[col].dtype):
                continue
            text = df[col].astype("string")
            filled = (text.str.strip().fillna("") != "").to_numpy(dtype=bool)
            if not filled.any():
                continue
            if other_script_digits(text[filled]).any() and not np.isnan(_text_numbers(text[filled])).any():
                self.number_columns.add(col)
                out.append(col)
            else:
                self.text_columns.add(col)
        return out

    def warnings(self) -> list[str]:
        """One line per row that summed the rows above it but was kept as data, because data rows follow it, then one per
        trailer-marked row that did not reconcile (``possible_summary_row: line N: ...``)."""
        return [*self.kept_as_data, *self.possible]

    def _summary(self, row: pd.Series, label: str, ints: list[str], floats: list[str], state: dict,
                 counts: list[int] = (), trailer: bool = False) -> str | None:
        """The quarantine reason when ``row`` sums its block or the whole file so far (the sums of ``state``), else None.

        ``trailer``: the row qualified by ``_trailers`` (its text cells empty, markers or ``counts``); every
        count must then equal the number of rows summed. A trailer with no number: an end marker alone
        (``EOF``) is a structural line (taken out before, ``apply``); a marker with counts only (``TRL,3,``) is a
        summary row if they match, unless the marker is one letter: ``T`` may be a value (a size, a grade), so a
        ``T`` row is a trailer only when its numbers are the column sums and they are two pieces of evidence, a
        matching record count and a sum (``T,3,60.00``) or two column sums; one alone (``T,3,``, ``T,,60.00``, a size
        ``T`` whose quantity 3 happens to be 1 + 2) stays a record with a ``possible_summary_row`` warning.
        """
        self._match = None
        filled = [(c, _number(row[c]), c in ints) for c in (*ints, *floats) if _number(row[c]) is not None]
        name = repr(label.strip()) if label.strip() else "(unlabelled)"
        if not filled and not counts:
            if trailer and END_MARKER.fullmatch(label):
                return (f"line {int(row[LINE])}: end marker {label.strip()!r}: a structural line that ends the file, not a record "
                        "— kept in quarantine")
            return None
        if not filled and not (trailer and TRAILER_MARKER.fullmatch(label)):
            return None  # a bare count with no marker and no amount is no evidence
        letter = len(label.strip().rstrip(".:")) == 1  # ``T``: may be a value (a size, a grade), see the docstring
        if not filled and letter:
            return None
        since = "since the previous summary row" if state["summaries"] else "above it"
        for sums, what in ((state["block"], since), (state["file"], "above it")):
            if sums.rows < MIN_ROWS or any(n != sums.rows for n in counts):
                continue
            if not filled:
                return (f"line {int(row[LINE])}: summary row {name}: record count {counts[0]} equals the {sums.rows} rows {what} "
                        "— kept in quarantine, not curated as a record")
            summed = [c for c, v, is_int in filled if v != 0 and sums.sums(c, v, is_int)]
            averaged = [c for c, v, is_int in filled if c not in summed and sums.averages(c, v, is_int)]
            if letter and len(summed) + bool(counts) < 2:
                continue  # ``S,1 / M,2 / T,3``: one sum can be chance; a ``T`` trailer shows two (a count and a sum, two sums)
            if summed and len(summed) + len(averaged) == len(filled):
                self._match = (sums, summed)
                named = ", ".join(f"{c}={row[c]}" for c in summed)
                means = f"; {', '.join(f'{c}={row[c]}' for c in averaged)} their mean" if averaged else ""
                counted = f"; record count {counts[0]}" if counts else ""
                return (
                    f"line {int(row[LINE])}: summary row {name}: {named} equal the column sums{means}{counted} "
                    f"over the {sums.rows} rows {what} — kept in quarantine, not curated as a record"
                )
        return None
