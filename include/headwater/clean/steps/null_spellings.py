"""Step: NA spellings (NA, N/A, null, -, ?, none, blank) become real missing values, unless the column says they are data.

Which spellings mean "missing" (case-insensitive, after trimming):

* the defaults (headwater.config.types.NA_SPELLINGS), less ``types.not_na_values``, plus ``types.na_values``;
* for one canonical column, also ``schema.columns.<c>.na_values``, less ``.not_na_values``.

A default word spelling (``NA``, ``nan``, ``null``, ``none``, ``nil``) that has the shape of a
column's codes is data, not missing (``types.na_codes_are_data``): ``NA`` is Namibia in a column
of 2-letter uppercase country codes and North America among ``EU``, ``AS``, ``OC``. The shape is
decided on the column's first batch: at least two distinct other values, and 90% of them, are
ASCII letters of one length and one case. A spelling named in ``na_values`` is always missing.

Counts for the manifest: ``nulled`` (column -> spelling -> cells made missing) and ``kept``
(column -> spelling as written -> cells kept as data).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import pandas as pd

from headwater.clean.steps.base import StepOutput, data_columns
from headwater.config.schema import ColumnSpec
from headwater.config.types import NA_SPELLINGS, TypeOptions, spelling

WORD_SPELLINGS = frozenset(s for s in NA_SPELLINGS if s.isalpha())  # the defaults a code can also be
CODE_SAMPLE = 5_000  # distinct values looked at to decide a column's code shape
CODE_MIN_VALUES = 2  # distinct other values a column needs before its shape counts as evidence
CODE_MIN_SHARE = 0.9  # share of those values that must have the shape


def code_shape(values: pd.Series) -> str | None:
    """``[A-Z]{2}`` when at least CODE_MIN_VALUES and CODE_MIN_SHARE of the distinct ``values`` are ASCII
    letters of one length and one case (``EU``, ``AS``, ``OC``), else None."""
    distinct = values.dropna().str.strip().drop_duplicates().iloc[:CODE_SAMPLE]
    distinct = distinct[distinct != ""]
    if len(distinct) < CODE_MIN_VALUES:
        return None
    best: tuple[int, str] | None = None
    for letters in ("[A-Z]", "[a-z]"):
        lengths = distinct[distinct.str.fullmatch(f"{letters}+").fillna(False).to_numpy(dtype=bool)].str.len()
        if len(lengths):
            length, count = int(lengths.value_counts().index[0]), int(lengths.value_counts().iloc[0])
            if count >= CODE_MIN_VALUES and count >= CODE_MIN_SHARE * len(distinct) and (best is None or count > best[0]):
                best = (count, f"{letters}{{{length}}}")
    return best[1] if best else None


class NullSpellings:
    """Turn NA spellings (NA, N/A, null, -, ?, none, blank) into real missing values; a spelling that is a column's code stays."""

    name = "null_spellings"

    def __init__(self, options: TypeOptions | None = None, columns: Mapping[str, ColumnSpec] | None = None) -> None:
        options = options or TypeOptions()
        self.explicit = frozenset(spelling(s) for s in options.na_values)
        self.spellings = (NA_SPELLINGS - {spelling(s) for s in options.not_na_values}) | self.explicit
        self.codes_are_data = options.na_codes_are_data
        self.columns = dict(columns or {})
        self.shapes: dict[str, str | None] = {}  # column -> its code shape, decided on its first batch
        self.nulled: dict[str, Counter[str]] = {}  # column -> spelling -> cells made missing
        self.kept: dict[str, Counter[str]] = {}  # column -> spelling as written -> cells kept as data

    def column_spellings(self, col: str) -> tuple[frozenset[str], frozenset[str]]:
        """(spellings that are missing in ``col``, those of them named explicitly in na_values)."""
        spec = self.columns.get(col)
        if spec is None:
            return self.spellings, self.explicit
        added = frozenset(spelling(s) for s in spec.na_values)
        return (self.spellings | added) - {spelling(s) for s in spec.not_na_values}, self.explicit | added

    def apply(self, df: pd.DataFrame) -> StepOutput:
        out = df.copy()
        for col in data_columns(out):
            s = out[col].astype("string")
            spellings, explicit = self.column_spellings(col)
            written = s.str.strip()
            lowered = written.str.lower()
            # pandas 3 string dtype keeps NA as NA: compare only present values.
            mask = lowered.isin(spellings).fillna(False).to_numpy(dtype=bool, copy=True)
            if self.codes_are_data:
                if col not in self.shapes:
                    self.shapes[col] = code_shape(written[~mask])
                shape = self.shapes[col]
                guessed = (spellings & WORD_SPELLINGS) - explicit
                if shape and guessed:
                    data = mask & lowered.isin(guessed).fillna(False).to_numpy(dtype=bool)
                    data &= written.str.fullmatch(shape).fillna(False).to_numpy(dtype=bool)
                    if data.any():
                        self.kept.setdefault(col, Counter()).update(written[data].value_counts().to_dict())
                        mask &= ~data
            if mask.any():
                self.nulled.setdefault(col, Counter()).update(lowered[mask].value_counts().to_dict())
                out[col] = s.mask(mask)
            else:
                out[col] = s
        return StepOutput(out)

    def summary(self) -> dict[str, dict[str, dict[str, int]]]:
        """The manifest's ``na_spellings`` (column -> spelling -> cells made missing) and ``na_kept_as_data``
        (column -> spelling as written -> cells kept), spellings sorted, columns in table order."""
        return {
            "na_spellings": {c: dict(sorted(n.items())) for c, n in self.nulled.items()},
            "na_kept_as_data": {c: dict(sorted(n.items())) for c, n in self.kept.items()},
        }
