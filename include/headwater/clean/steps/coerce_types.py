"""Step: every column gets its declared (or inferred) type; a value that fails keeps its text in ``<col>__raw``.

A value that fails coercion is never silently turned into a missing value: it is kept
verbatim in ``<col>__raw`` (``on_error: keep_raw``, the default) or its row is quarantined
with the column and value in the reason (``on_error: quarantine``). Parsing itself is
headwater.clean.values.
"""

from __future__ import annotations

import pandas as pd

from headwater.clean.steps.base import LINE, RAW_SUFFIX, REASON, StepOutput, data_columns
from headwater.clean.values import coerce, infer_type
from headwater.config.types import TypeOptions

class CoerceTypes:
    """Give every column its declared (or inferred) type; a value that fails goes to <col>__raw or quarantine."""

    name = "coerce_types"

    def __init__(self, declared: dict[str, str] | None = None, options: TypeOptions | None = None, identifiers: set[str] | None = None) -> None:
        self.declared = declared or {}
        self.options = options or TypeOptions()
        self.identifiers = identifiers or set()
        # Decisions are sticky: the first batch of a file decides each column's type, decimal mark
        # and day order, and later batches follow, so a file is typed the same however it is batched.
        self.decided: dict[str, str] = {}  # column -> type (also recorded in the manifest)
        self.formats: dict[str, dict[str, object]] = {}

    def column_type(self, name: str, series: pd.Series) -> str:
        if name in self.declared:
            return self.declared[name]
        if name in self.identifiers or not self.options.infer:
            return "string"
        return infer_type(name, series, self.options)

    def apply(self, df: pd.DataFrame) -> StepOutput:
        out = df.copy()
        reasons = pd.Series("", index=df.index, dtype=object)
        for col in [c for c in data_columns(df) if not c.endswith(RAW_SUFFIX)]:
            kind = self.decided.get(col) or self.column_type(col, df[col])
            self.decided[col] = kind
            if kind in ("string", "text"):
                continue
            result = coerce(df[col], kind, self.options, self.formats.setdefault(col, {}))
            out[col] = result.values
            if not result.failed.any():
                continue
            if self.options.on_error == "keep_raw":
                # Keep the original text next to the typed column: nothing is silently lost.
                raw = df[col].astype("string").where(result.failed)
                out.insert(out.columns.get_loc(col) + 1, col + RAW_SUFFIX, raw)
            else:
                bad = df.loc[result.failed, col].astype(str)
                reasons[result.failed] += [f"; {col}={v!r} is not a valid {kind}" for v in bad]
        if self.options.on_error == "quarantine" and (reasons != "").any():
            rejected = out[reasons != ""].copy()
            rejected[REASON] = [f"line {n}: {r[2:]} — row quarantined" for n, r in zip(rejected[LINE], reasons[reasons != ""])]
            rejected = df.loc[rejected.index].assign(**{REASON: rejected[REASON]})
            return StepOutput(out[reasons == ""], quarantined=rejected)
        return StepOutput(out)
