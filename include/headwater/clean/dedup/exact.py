"""Step: exact duplicates, by a 64-bit key of each row's normalized content."""

from __future__ import annotations

import numpy as np
import pandas as pd

from headwater.clean.dedup.minhash import content_keys
from headwater.clean.dedup.state import DedupState
from headwater.clean.steps.base import CLUSTER_ID, DUPLICATE_OF, ROW_ID, SIMILARITY, StepOutput, data_columns
from headwater.config.dedup import DedupOptions


class ExactDuplicates:
    """Keep the first occurrence of each identical normalized row; record the others as duplicates.

    The key is a 64-bit hash of the row's normalized content (not its source), so a row is also
    matched against earlier batches and, when the clean stage attached the dedup index, against
    the rows earlier files kept (headwater.dedup).
    """

    name = "exact_duplicates"

    def __init__(self, options: DedupOptions | None = None) -> None:
        self.options = options if isinstance(options, DedupOptions) else DedupOptions()
        self.state: DedupState | None = None

    def apply(self, df: pd.DataFrame) -> StepOutput:
        if not self.options.exact or df.empty:
            return StepOutput(df)
        if self.state is None:
            self.state = DedupState(self.options)
        df = df.reset_index(drop=True)
        keys = content_keys(df, data_columns(df))
        row_ids = df[ROW_ID].astype(str).to_numpy()
        first_pos = pd.Series(np.arange(len(df))).groupby(keys, sort=False).transform("first").to_numpy()
        earlier = self.state.find_exact(keys)
        dup = (first_pos != np.arange(len(df))) | (earlier >= 0)
        partner = row_ids[first_pos].tolist()
        cluster = list(partner)
        for i in np.nonzero(earlier >= 0)[0].tolist():  # an earlier batch or file kept this content
            partner[i], cluster[i] = self.state.exact_ref(int(earlier[i]))
        kept = ~dup
        self.state.add_exact(keys[kept], row_ids[kept].tolist(), row_ids[kept].tolist())
        self.state.last_keys = (row_ids[kept], keys[kept])  # the near-duplicate step reuses them
        dups = df[dup].copy()
        dups[DUPLICATE_OF] = [partner[i] for i in np.nonzero(dup)[0]]
        dups[CLUSTER_ID] = [cluster[i] for i in np.nonzero(dup)[0]]
        dups[SIMILARITY] = 1.0
        return StepOutput(df[kept], duplicates=dups)
