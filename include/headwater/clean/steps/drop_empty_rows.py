"""Step: a row with every value missing carries nothing; it is quarantined, so it is still counted.

Only the value columns decide (headwater.clean.steps.base.is_value_column): a row whose values are all
missing is empty even when ``<col>__raw`` keeps how it wrote them (``NA``, ``null``, spaces: reasons
``na_spelling``, ``blank``). What such a row wrote is not lost: its quarantine record carries the
values as read (headwater.clean.runner), spellings included.
"""

from __future__ import annotations

import pandas as pd

from headwater.clean.steps.base import LINE, REASON, StepOutput, is_value_column


class DropEmptyRows:
    """A row with every value missing (``<col>__raw``/``__reason``/``__imputed`` not looked at) carries nothing:
    quarantine it so it is still counted."""

    name = "drop_empty_rows"

    def apply(self, df: pd.DataFrame) -> StepOutput:
        cols = [c for c in df.columns if is_value_column(c)]
        empty = df[cols].isna().all(axis=1) if cols else pd.Series(True, index=df.index)
        if not empty.any():
            # the usual batch: nothing to take out, so no row selection over every column (on a wide file, thousands)
            rejected = df.iloc[:0].copy()
            rejected[REASON] = rejected[LINE].map(lambda n: f"line {n}: every value is empty — row quarantined")
            return StepOutput(df, quarantined=rejected)
        rejected = df[empty].copy()
        rejected[REASON] = rejected[LINE].map(lambda n: f"line {n}: every value is empty — row quarantined")
        return StepOutput(df[~empty], quarantined=rejected)
