"""Step: validate typed rows against the canonical schema with pandera; failing rows are quarantined.

The schema's rules (nullable, min/max, pattern, allowed values, max length) become
a pandera ``DataFrameSchema``; ``validate(lazy=True)`` reports every failing cell,
and each failing row is quarantined with the column, the rule and the value.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from headwater.clean.steps.base import LINE, REASON, StepOutput
from headwater.config.schema import SchemaSpec


def to_pandera(schema: SchemaSpec, present: list[str]):
    """A pandera DataFrameSchema for the columns of ``schema`` found in ``present``.

    Types are not checked here (CoerceTypes already enforced them); extra columns are allowed.
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
        columns[col.name] = pa.Column(None, checks=checks, nullable=col.nullable, required=True)
    return pa.DataFrameSchema(columns, name=schema.name, strict=False, coerce=False)


class ValidateSchema:
    """Quarantine rows whose values break a rule of the canonical schema (reason names column and rule)."""

    name = "validate_schema"

    def __init__(self, schema: SchemaSpec | None) -> None:
        self.schema = schema

    def apply(self, df: pd.DataFrame) -> StepOutput:
        if self.schema is None or df.empty:
            return StepOutput(df)
        import pandera.errors as pe

        pandera_schema = to_pandera(self.schema, list(df.columns))
        frame = df.reset_index(drop=True)
        try:
            pandera_schema.validate(frame, lazy=True)
            return StepOutput(df)
        except pe.SchemaErrors as exc:
            cases = exc.failure_cases
        problems: dict[int, list[str]] = defaultdict(list)
        for case in cases.itertuples(index=False):
            if pd.isna(case.index):
                raise ValueError(f"schema {self.schema.name}: {case.check} failed for the whole table") from None
            if str(case.check) == "not_nullable":
                problems[int(case.index)].append(f"{case.column} is missing (nullable: false)")
            else:
                value = case.failure_case
                shown = repr(value) if isinstance(value, str) else str(value)
                problems[int(case.index)].append(f"{case.column}={shown} breaks {case.check}")
        bad = sorted(problems)
        rejected = frame.iloc[bad].copy()
        rejected[REASON] = [f"line {frame.at[i, LINE]}: fails schema {self.schema.name} — {'; '.join(problems[i])} — row quarantined" for i in bad]
        kept = frame.drop(index=bad)
        kept.index = df.index[kept.index]
        return StepOutput(kept, quarantined=rejected)
