"""Step: validate typed rows against the canonical schema with pandera; failing rows are quarantined.

The schema's rules (nullable, min/max, pattern, allowed values, max length) become
a pandera ``DataFrameSchema``; ``validate(lazy=True)`` reports every failing cell,
and each failing row is quarantined with the column, the rule and the value.

Validation runs before imputation (headwater.clean.pipeline), so a quarantine reason quotes a value
the file wrote, never one Headwater filled in, and imputation learns from rows that passed (breaker9
#7). A column with an impute strategy is checked for its ``nullable: false`` rule after imputation
instead (``ValidateFilled``): the user asked for its gaps to be filled, and only a gap left unfilled
breaks the rule. A value the file wrote that was not read (``abc`` in an integer column: missing in the
column, its text in ``<col>__raw``) is no gap: imputation never overwrites it, so a ``nullable: false``
column holding one breaks the rule here, before any fit, whether or not the column is imputed, and the
reason quotes it (``score='abc' is not a valid integer (not_an_integer; nullable: false)``), not
``score is missing`` (breaker10 F10, F11).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from headwater.clean.steps.base import LINE, RAW_SUFFIX, REASON, REASON_SUFFIX, StepOutput, spelled_missing
from headwater.config.schema import ColumnSpec, SchemaSpec


def to_pandera(schema: SchemaSpec, present: list[str], filled: frozenset[str] = frozenset()):
    """A pandera DataFrameSchema for the columns of ``schema`` found in ``present``.

    Types are not checked here (CoerceTypes already enforced them); extra columns are allowed.
    ``filled``: columns imputation fills after this check, whose ``nullable: false`` is left to ``ValidateFilled``.
    """
    import pandera.pandas as pa

    columns = {}
    for col in schema.columns:
        if col.name not in present:
            continue
        checks = []
        if col.min is not None:
            checks.append(pa.Check.ge(col.min, error=f"min {col.min:g}"))
        if col.max is not None:
            checks.append(pa.Check.le(col.max, error=f"max {col.max:g}"))
        if col.pattern is not None:
            checks.append(pa.Check.str_matches(col.pattern, error=f"pattern {col.pattern}"))
        if col.allowed is not None:
            checks.append(pa.Check.isin(col.allowed, error=f"allowed {col.allowed}"))
        if col.max_length is not None:
            checks.append(pa.Check.str_length(max_value=col.max_length, error=f"max_length {col.max_length}"))
        columns[col.name] = pa.Column(None, checks=checks, nullable=col.nullable or col.name in filled, required=True)
    return pa.DataFrameSchema(columns, name=schema.name, strict=False, coerce=False)


class ValidateSchema:
    """Quarantine rows whose values break a rule of the canonical schema (reason names column and rule).

    ``filled``: the columns imputation fills after this step (an impute strategy other than none): their
    missing values break no ``nullable: false`` here; ``ValidateFilled`` checks what imputation left missing.
    A value not read (``not_read``) is not missing: in a ``nullable: false`` column it breaks the rule here, filled
    or not, and its reason quotes the text kept in ``<col>__raw`` (``unread_reason``).
    """

    name = "validate_schema"

    def __init__(self, schema: SchemaSpec | None, filled: set[str] | frozenset[str] = frozenset()) -> None:
        self.schema = schema
        self.filled = frozenset(filled)

    def apply(self, df: pd.DataFrame) -> StepOutput:
        if self.schema is None or df.empty:
            return StepOutput(df)
        import pandera.errors as pe

        pandera_schema = to_pandera(self.schema, list(df.columns), self.filled)
        frame = df.reset_index(drop=True)
        cases: pd.DataFrame | None = None
        try:
            pandera_schema.validate(frame, lazy=True)
        except pe.SchemaErrors as exc:
            cases = exc.failure_cases
        # every nullable: false column's values not read, by row position: they break the rule here (filled or not)
        unread = {c.name: not_read(frame, c.name) for c in self.schema.columns if not c.nullable and c.name in frame.columns}
        unread = {c: at for c, at in unread.items() if at.any()}
        order = {c.name: k for k, c in enumerate(self.schema.columns)}
        problems: dict[int, list[tuple[int, str]]] = defaultdict(list)  # row -> (schema position of the column, problem)
        for case in cases.itertuples(index=False) if cases is not None else ():
            if pd.isna(case.index):
                raise ValueError(f"schema {self.schema.name}: {case.check} failed for the whole table") from None
            at = order.get(str(case.column), len(order))
            if str(case.check) == "not_nullable":
                i = int(case.index)
                if case.column in unread and unread[case.column][i]:
                    continue  # said below, with the value the file wrote
                problems[i].append((at, f"{case.column} is missing (nullable: false)"))
            else:
                value = case.failure_case
                shown = repr(value) if isinstance(value, str) else str(value)
                problems[int(case.index)].append((at, f"{case.column}={shown} breaks {case.check}"))
        for col, rows in unread.items():
            for i in np.flatnonzero(rows).tolist():
                problems[i].append((order[col], unread_reason(self.schema.column(col), frame, i)))
        if not problems:
            return StepOutput(df)
        problems = {i: [text for _, text in sorted(found, key=lambda p: p[0])] for i, found in problems.items()}
        bad = sorted(problems)
        rejected = frame.iloc[bad].copy()
        rejected[REASON] = [f"line {frame.at[i, LINE]}: fails schema {self.schema.name} — {'; '.join(problems[i])} — row quarantined" for i in bad]
        kept = frame.drop(index=bad)
        kept.index = df.index[kept.index]
        return StepOutput(kept, quarantined=rejected)


def not_read(df: pd.DataFrame, col: str) -> np.ndarray:
    """Bool per row of ``df``: the file wrote a value in ``col`` that was not read (missing in the column, its text in
    ``<col>__raw``: a value its type refused, ``abc`` in an integer column), as opposed to a missing value (empty, or an
    NA spelling or blank kept in ``<col>__raw``: headwater.clean.steps.base.spelled_missing). Imputation never fills
    such a cell (headwater.clean.steps.impute). All false when ``<col>__raw`` is absent."""
    raw = df.get(col + RAW_SUFFIX)
    if raw is None or col not in df.columns:
        return np.zeros(len(df), dtype=bool)
    return df[col].isna().to_numpy(dtype=bool) & raw.notna().to_numpy(dtype=bool) & ~spelled_missing(df, col)


def unread_reason(column: ColumnSpec, df: pd.DataFrame, i: int) -> str:
    """The quarantine problem of row position ``i`` of ``df``, whose value of the ``nullable: false`` ``column`` was
    not read (``not_read``): the text the file wrote, the column's type and ``<col>__reason``, as CoerceTypes words a
    value it quarantines (``score='abc' is not a valid integer (not_an_integer; nullable: false)``)."""
    col = column.name
    why = df[col + REASON_SUFFIX].iloc[i] if col + REASON_SUFFIX in df.columns else None
    why = None if why is None or pd.isna(why) else str(why)
    return f"{col}={str(df[col + RAW_SUFFIX].iloc[i])!r} is not a valid {column.type} ({why + '; ' if why else ''}nullable: false)"


def rule_broken(column: ColumnSpec, value: Any) -> str | None:
    """The rule of ``column`` that the single value ``value`` breaks, as ``ValidateSchema`` names it (``max 10``,
    ``allowed [1, 3]``, ``pattern ^[A-Z]$``, ``max_length 12``), or None when it breaks none (a missing value breaks none).

    What headwater.clean.steps.impute checks a fill against before writing it: a value Headwater filled in never
    quarantines its row. Numbers are compared with min/max, text with pattern (``re.match``, as pandera's
    ``str_matches``) and max_length, anything with allowed.
    """
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return None
    number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if number and column.min is not None and value < column.min:
        return f"min {column.min:g}"
    if number and column.max is not None and value > column.max:
        return f"max {column.max:g}"
    if isinstance(value, str) and column.pattern is not None and re.match(column.pattern, value) is None:
        return f"pattern {column.pattern}"
    if column.allowed is not None and value not in column.allowed:
        return f"allowed {column.allowed}"
    if isinstance(value, str) and column.max_length is not None and len(value) > column.max_length:
        return f"max_length {column.max_length}"
    return None


class ValidateFilled:
    """After imputation: quarantine rows where a ``nullable: false`` column that imputation fills is still missing.

    ``ValidateSchema`` leaves the null rule of such columns to this step (imputation was asked to fill them),
    for their gaps only: a value not read (``not_read``) cannot be filled, so its row was quarantined there, before
    any fit. A gap imputation could not fill (no value to learn from, or a fill that would break the column's rules:
    headwater.clean.steps.impute) is what the file wrote, a missing value, and the row breaks the rule. Such a row's
    other values may have been learned from (whether it breaks the rule depends on the fit itself).
    """

    name = "validate_filled"

    def __init__(self, schema: SchemaSpec, filled: set[str] | frozenset[str]) -> None:
        self.schema = schema
        self.columns = [c.name for c in schema.columns if not c.nullable and c.name in filled]

    def apply(self, df: pd.DataFrame) -> StepOutput:
        present = [c for c in self.columns if c in df.columns]
        if not present or df.empty:
            return StepOutput(df)
        missing = {c: df[c].isna().to_numpy(dtype=bool) for c in present}
        bad = np.logical_or.reduce(list(missing.values()))
        if not bad.any():
            return StepOutput(df)
        rejected = df[bad].copy()
        rejected[REASON] = [
            f"line {line}: fails schema {self.schema.name} — "
            + "; ".join(f"{c} is missing (nullable: false) and impute.{c} did not fill it" for c in present if missing[c][i])
            + " — row quarantined"
            for i, line in zip(np.flatnonzero(bad), rejected[LINE].tolist())
        ]
        return StepOutput(df[~bad], quarantined=rejected)
