"""Step: decode HTML (markup removed where a value is HTML), repair encoding damage, mask e-mails/phones in prose, tidy whitespace."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from headwater.clean.steps.base import StepOutput, data_columns
from headwater.clean.text import normalize_array
from headwater.config.text import TextOptions


class NormalizeText:
    """Decode HTML, repair encoding damage, mask e-mails/phones in prose, tidy whitespace in every text value.

    Column at a time (headwater.clean.text.normalize_array): Arrow regex kernels, and the HTML parser / ftfy
    only for the values that can change under them.
    """

    name = "normalize_text"

    def __init__(self, options: TextOptions | None = None) -> None:
        self.options = options if isinstance(options, TextOptions) else TextOptions()

    def apply(self, df: pd.DataFrame) -> StepOutput:
        out = df.copy()
        wanted = self.options.columns
        for col in data_columns(out):
            if (wanted is not None and col not in wanted) or not _is_text(out[col]):
                continue
            arr = normalize_array(pa.Array.from_pandas(out[col]), self.options)
            out[col] = pd.Series(pd.arrays.ArrowStringArray(arr.cast(pa.large_string())), index=out.index).astype("string")
        return StepOutput(out)


def _is_text(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series.dtype) or series.dtype == object
