"""Step: a row with every value missing carries nothing; it is quarantined, so it is still counted."""

from __future__ import annotations

import pandas as pd

from headwater.clean.steps.base import LINE, REASON, StepOutput, data_columns


class DropEmptyRows:
    """A row with every data value missing carries nothing: quarantine it so it is still counted."""

    name = "drop_empty_rows"

    def apply(self, df: pd.DataFrame) -> StepOutput:
        cols = data_columns(df)
        empty = df[cols].isna().all(axis=1) if cols else pd.Series(True, index=df.index)
        rejected = df[empty].copy()
        rejected[REASON] = rejected[LINE].map(lambda n: f"line {n}: every value is empty — row quarantined")
        return StepOutput(df[~empty], quarantined=rejected)
