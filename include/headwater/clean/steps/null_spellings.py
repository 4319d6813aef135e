"""Step: NA spellings (NA, N/A, null, -, ?, none, blank) become real missing values."""

from __future__ import annotations

import pandas as pd

from headwater.clean.steps.base import StepOutput, data_columns
from headwater.config.types import NA_SPELLINGS


class NullSpellings:
    """Turn NA spellings (NA, N/A, null, -, ?, none, blank) into real missing values."""

    name = "null_spellings"

    def __init__(self, extra: list[str] | tuple[str, ...] = ()) -> None:
        self.spellings = NA_SPELLINGS | {s.strip().lower() for s in extra}

    def apply(self, df: pd.DataFrame) -> StepOutput:
        out = df.copy()
        for col in data_columns(out):
            s = out[col].astype("string")
            # pandas 3 string dtype keeps NA as NA: compare only present values.
            mask = s.str.strip().str.lower().isin(self.spellings).fillna(False).astype(bool)
            out[col] = s.mask(mask)
        return StepOutput(out)
