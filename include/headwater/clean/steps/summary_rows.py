"""Step: a "Total" row that sums the rows above it is a summary of the data, not a record.

Spreadsheet exports often end a table (or each group of rows) with a row such as
``Total,,35,6.75``. Curated as data, it double-counts every number in the table. The step
quarantines such a row — it is kept with its values and a reason, never dropped — only on
evidence that leaves no doubt:

* one of its text values is a total label (``Total``, ``Grand total``, ``Subtotal``, ``Sum``,
  ``Totals:``, ``Gesamt``, ``Summe``, ``Insgesamt``, ``Totale``, ``Totaal``, ``Totalt``,
  ``Suma``, ``Somme``, ``Итого``, ``合计``/``合計``; case-insensitive, anything may follow), in a text
  column or in the ``<col>__raw`` text of a number column the label failed to fill; and
* every number it has equals the sum of that column over the rows above it — the rows since the
  previous summary row (a subtotal) or since the start of the file (a grand total) — or that
  column's mean (a table's "average price" next to its total), at the precision the value is
  written in; at least one non-zero number must be a sum, and at least two rows are summed.

A row with a total label whose numbers do not add up (an average, a count, a label that is a
name) stays data. So does one that adds up but has data rows after it with no later summary row
(a brand called ``Total`` in ``Shell,10 / BP,20 / Total,30 / Esso,5``): a total ends its table or
its block, and a later summary row (subtotals, then a grand total) shows the blocks; without one,
the row is kept as data and named in a warning (``warnings``) — when unsure, the data is kept.
Rows after it are only seen within its batch: a total that is the last row of a batch is taken
as ending the table. Summing needs every row above, so the step keeps running sums across batches
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

from headwater.clean.steps.base import LINE, RAW_SUFFIX, REASON, StepOutput, is_value_column

TOTAL_LABEL = re.compile(
    r"\s*(?:grand[\s-]*|sub[\s-]*)?(?:totals?|sum|summe|gesamt|insgesamt|totale|totaal|totalt|suma|somme|итого|合计|合計)(?![^\W\d_])",
    re.IGNORECASE,
)
MIN_ROWS = 2  # a "total" of one row is that row
# Values TOTAL_LABEL may match, found by Arrow's RE2 kernel over a whole column: an ASCII value matches only if it holds
# one of these (every label word holds one, in any case), and any value with a non-ASCII character is a candidate
# (Python's case-insensitive, Unicode-aware match folds ``ſ`` to ``s``, ``İ`` to ``i``). TOTAL_LABEL itself has a
# lookahead RE2 lacks, so it runs in Python, on the candidates only.
_LABEL_CANDIDATE = "(?i)tota|sum|gesamt|somme|[^\x00-\x7f]"


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
        for col in (*ints, *floats):
            self.counts[col] = self.counts.get(col, 0) + int(df[col].notna().sum())
        for col in ints:
            values = df[col].dropna().to_numpy(dtype=np.int64)
            # numpy's int64 sum wraps on overflow: exact only while every partial fits, else Python ints
            bound = float(np.abs(values).max()) * len(values) if len(values) else 0.0
            total = int(values.sum()) if bound < 2.0**62 else sum(int(v) for v in values)
            self.ints[col] = self.ints.get(col, 0) + total
        for col in floats:
            values = df[col].dropna().to_numpy(dtype=np.float64)
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


def _decimals(value: float | int) -> int:
    """Digits after the decimal point in Python's shortest repr of ``value`` (``6.75`` -> 2, ``35`` -> 0)."""
    text = repr(float(value)) if not isinstance(value, (int, np.integer)) else "0"
    return len(text.split(".", 1)[1].rstrip("0")) if "." in text and "e" not in text.lower() else 0


def _labels(column: pd.Series) -> np.ndarray:
    """Bool per value: it starts with a total label (``TOTAL_LABEL.match``); missing values are not labels.

    RE2 finds the candidates (``_LABEL_CANDIDATE``) and Python's ``re`` decides on them alone.
    """
    text = pa.array(column.astype("string").array, pa.large_string()) if len(column) else pa.array([], pa.large_string())
    candidates = pc.fill_null(pc.match_substring_regex(text, _LABEL_CANDIDATE), False)
    out = np.zeros(len(column), dtype=bool)
    at = np.flatnonzero(candidates.to_numpy(zero_copy_only=False))
    if len(at):
        match = TOTAL_LABEL.match
        out[at] = [match(v) is not None for v in pc.filter(text, candidates).to_pylist()]
    return out


def _label_of(row: pd.Series, label_cols: list[str]) -> str | None:
    for col in label_cols:
        value = row[col]
        if isinstance(value, str) and TOTAL_LABEL.match(value):
            return value
    return None


class SummaryRows:
    """Quarantine a row labelled as a total whose every number is the sum of the rows above it (module docstring)."""

    name = "summary_rows"

    def __init__(self) -> None:
        self.state = {"block": _Sums(), "file": _Sums(), "summaries": 0}  # since the previous summary row; since the start
        self.kept_as_data: list[str] = []  # rows that summed under a total label but had data rows after them (warnings)

    def apply(self, df: pd.DataFrame) -> StepOutput:
        values = [c for c in df.columns if is_value_column(c)]
        ints = [c for c in values if pd.api.types.is_integer_dtype(df[c].dtype)]
        floats = [c for c in values if pd.api.types.is_float_dtype(df[c].dtype)]
        labels = [c for c in df.columns if (is_value_column(c) or c.endswith(RAW_SUFFIX)) and not (c in ints or c in floats)]
        block, whole = self.state["block"], self.state["file"]
        if not (ints or floats) or not labels or len(df) == 0:
            block.add(df, ints, floats)
            whole.add(df, ints, floats)
            return StepOutput(df)
        labelled = np.zeros(len(df), dtype=bool)
        for col in labels:
            labelled |= _labels(df[col])
        data = ~df[values].isna().all(axis=1).to_numpy(dtype=bool)  # a blank row follows a total as well as nothing does
        before = copy.deepcopy(self.state)
        kept_as_data: dict[int, str] = {}
        summary, reasons = self._scan(df, labels, labelled, ints, floats, set())
        last = np.flatnonzero(summary)
        # the last summary row with a data row after it (no later summary row shows blocks): a name, not a total;
        # the summary rows before it stay summaries, each shown by a later one
        if len(last) and (data[last[-1] + 1 :] & ~summary[last[-1] + 1 :]).any():
            kept_as_data[int(last[-1])] = reasons[int(last[-1])]
            self.state = before
            summary, reasons = self._scan(df, labels, labelled, ints, floats, set(kept_as_data))
        self.kept_as_data += [
            f"{reason.split(' — ')[0].replace('summary row', 'row')}, but data rows follow it — kept as data: a name like "
            f"{str(_label_of(df.iloc[i], labels) or '').strip()!r} may be a record"
            for i, reason in sorted(kept_as_data.items())
        ]
        rejected = df[summary].copy()
        rejected[REASON] = [reasons[i] for i in np.flatnonzero(summary)]
        return StepOutput(df[~summary], quarantined=rejected)

    def _scan(self, df: pd.DataFrame, labels: list[str], labelled: np.ndarray, ints: list[str], floats: list[str],
              as_data: set[int]) -> tuple[np.ndarray, dict[int, str]]:
        """One pass over the batch: (mask of summary rows, their reasons by position); the running sums (``state``)
        take in every other row. Rows at the positions ``as_data`` are data whatever they sum."""
        block, whole = self.state["block"], self.state["file"]
        summary = np.zeros(len(df), dtype=bool)
        reasons: dict[int, str] = {}
        start = 0
        for i in np.flatnonzero(labelled):
            above = df.iloc[start:i]
            block.add(above, ints, floats)
            whole.add(above, ints, floats)
            start = i + 1
            row = df.iloc[i]
            reason = None if int(i) in as_data else self._summary(row, _label_of(row, labels) or "", ints, floats)
            if reason is None:
                block.add(df.iloc[i : i + 1], ints, floats)
                whole.add(df.iloc[i : i + 1], ints, floats)
                continue
            summary[i] = True
            reasons[int(i)] = reason
            block.clear()
            self.state["summaries"] += 1
        rest = df.iloc[start:]
        block.add(rest, ints, floats)
        whole.add(rest, ints, floats)
        return summary, reasons

    def warnings(self) -> list[str]:
        """One line per row that summed the rows above it under a total label but was kept as data, because data rows follow it."""
        return list(self.kept_as_data)

    def _summary(self, row: pd.Series, label: str, ints: list[str], floats: list[str]) -> str | None:
        """The quarantine reason when ``row`` sums its block or the whole file so far, else None."""
        filled = [(c, row[c], c in ints) for c in (*ints, *floats) if not pd.isna(row[c])]
        if not filled:
            return None
        since = "since the previous summary row" if self.state["summaries"] else "above it"
        for sums, what in ((self.state["block"], since), (self.state["file"], "above it")):
            if sums.rows < MIN_ROWS:
                continue
            summed = [c for c, v, is_int in filled if v != 0 and sums.sums(c, v, is_int)]
            averaged = [c for c, v, is_int in filled if c not in summed and sums.averages(c, v, is_int)]
            if summed and len(summed) + len(averaged) == len(filled):
                named = ", ".join(f"{c}={row[c]}" for c in summed)
                means = f"; {', '.join(f'{c}={row[c]}' for c in averaged)} their mean" if averaged else ""
                return (
                    f"line {int(row[LINE])}: summary row {label.strip()!r}: {named} equal the column sums{means} "
                    f"over the {sums.rows} rows {what} — kept in quarantine, not curated as a record"
                )
        return None
