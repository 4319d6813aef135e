"""Step: missing-value imputation, per column, with a ``<col>__imputed`` flag next to every imputed column.

Strategies: none, constant, mean, median, mode (pandas), knn (sklearn KNNImputer on
the table's numeric columns, z-scored) and missforest (sklearn IterativeImputer with
a RandomForestRegressor, the MissForest algorithm). Identifiers and free text are
never imputed: asking for it is a config error, because an invented key or
sentence is worse than a missing one.

The step runs after schema validation (headwater.clean.pipeline): mean, median and mode learn from
the rows that passed it, never from rows it quarantined (breaker9 #7: a median pulled to 1000 by
out-of-range scores). A fill that would break a rule of the column's schema (a mean 2 between
``allowed: [1, 3]``, a constant above ``max``) is not written: the cell stays missing, unflagged, and
``warnings`` says so; a value Headwater filled in never quarantines its row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from headwater.clean.steps.base import IMPUTED_SUFFIX, RAW_SUFFIX, StepOutput
from headwater.clean.steps.validate import not_read, rule_broken
from headwater.clean.text import looks_like_free_text
from headwater.config.impute import NUMERIC_ONLY, ImputeConfigError, ImputeSpec, refuse_reason
from headwater.config.schema import ColumnSpec, SchemaSpec
from headwater.names import looks_like_identifier

LEARNED = ("mean", "median", "mode")  # strategies whose fill is learned from the column's values


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


class Impute:
    """Fill missing values per column strategy and flag every filled cell in ``<col>__imputed``.

    Cells whose original text failed type coercion (a value in ``<col>__raw``) are
    not imputed: the data had a value there, just not a readable one. A missing value written
    as an NA spelling or spaces (its text in ``<col>__raw`` too, reason ``na_spelling``/``blank``:
    headwater.clean.steps.base.spelled_missing) is missing, and imputed like an empty cell.
    """

    name = "impute"

    def __init__(
        self, specs: dict[str, ImputeSpec] | None = None, types: dict[str, str] | None = None, identifiers: set[str] | None = None,
        schema: SchemaSpec | None = None,
    ) -> None:
        self.specs = {c: s for c, s in (specs or {}).items() if s.strategy != "none"}
        self.types = types or {}
        self.identifiers = identifiers or set()
        self.fills: dict[str, Any] | None = None  # set by fit(): batches then share one fill per column
        # column -> its schema spec, where it has a rule a fill could break (min/max, pattern, allowed, max_length)
        self.rules: dict[str, ColumnSpec] = {}
        for col in self.specs:
            spec = schema.column(col) if schema is not None else None
            if spec is not None and any(r is not None for r in (spec.min, spec.max, spec.pattern, spec.allowed, spec.max_length)):
                self.rules[col] = spec
        # column -> {"fill": the first fill refused, "rule": the rule it breaks, "cells": cells left missing} (every batch)
        self.refused: dict[str, dict[str, Any]] = {}

    @property
    def needs_whole_table(self) -> bool:
        """KNN and MissForest learn from whole rows: the runner gives the pipeline the file as one batch."""
        return any(s.strategy in ("knn", "missforest") for s in self.specs.values())

    @property
    def needs_fit(self) -> bool:
        """Mean, median and mode learn from one whole column each: the runner calls ``fit`` before the first batch.

        A constant needs nothing from the data, so it alone asks for no fit.
        """
        return any(s.strategy in LEARNED for s in self.specs.values())

    def fit(self, columns: Mapping[str, pd.Series]) -> None:
        """Learn each simple strategy's fill from a column's values over the whole file (all batches).

        ``columns``: {column name: every kept value of the column}; a column it lacks gets no fill.
        """
        self.fills = {
            col: _simple_fill(columns[col], spec)
            for col, spec in self.specs.items()
            if spec.strategy in ("constant", "mean", "median", "mode") and col in columns
        }

    def _check(self, df: pd.DataFrame, col: str, spec: ImputeSpec) -> None:
        kind = self.types.get(col)
        if kind is None and df[col].dtype == "string" and looks_like_free_text(df[col]):
            kind = "text"
        if kind is None and spec.strategy in NUMERIC_ONLY and not _is_numeric(df[col]):
            kind = str(df[col].dtype)
        ident = col in self.identifiers or (col not in self.types and looks_like_identifier(col))
        reason = refuse_reason(col, kind, ident, spec)
        if reason:
            raise ImputeConfigError(f"impute.{col}: {reason}")

    def apply(self, df: pd.DataFrame) -> StepOutput:
        out = df.copy()
        todo = {c: s for c, s in self.specs.items() if c in out.columns}
        for col, spec in todo.items():
            self._check(out, col, spec)
        masks = {}
        for col in todo:  # a value the file wrote and that was not read is no gap (validate.not_read)
            masks[col] = out[col].isna() & ~not_read(out, col)
        for col, spec in todo.items():
            if spec.strategy in ("constant", "mean", "median", "mode"):
                fill = self.fills.get(col) if self.fills is not None else _simple_fill(out[col], spec)
                if fill is not None and self._allowed(col, fill, int(masks[col].sum())):
                    out.loc[masks[col], col] = fill
        model_cols = {c: s for c, s in todo.items() if s.strategy in ("knn", "missforest")}
        for strategy in ("knn", "missforest"):
            targets = [c for c, s in model_cols.items() if s.strategy == strategy]
            if targets:
                filled = _model_fill(out, targets, model_cols[targets[0]], masks)
                for col in targets:
                    at = masks[col] & filled[col].notna()
                    if col in self.rules and at.any():  # each filled value checked once
                        ok = {v: self._allowed(col, v, int((filled[col][at] == v).sum())) for v in filled[col][at].unique().tolist()}
                        at = at & filled[col].map(lambda v, ok=ok: ok.get(v, False)).astype(bool)
                    out.loc[at, col] = filled[col][at]
        for col in todo:
            flag = masks[col] & out[col].notna()
            out.insert(out.columns.get_loc(col) + 1 + int(col + RAW_SUFFIX in out.columns), col + IMPUTED_SUFFIX, flag.astype("boolean"))
        return StepOutput(out)

    def _allowed(self, col: str, fill: Any, cells: int) -> bool:
        """Whether ``fill`` passes the rules of ``col``'s schema spec; a refused fill is counted (``cells`` left missing)."""
        spec = self.rules.get(col)
        broken = rule_broken(spec, fill) if spec is not None else None
        if broken is None:
            return True
        seen = self.refused.setdefault(col, {"fill": fill, "rule": broken, "cells": 0})
        seen["cells"] += cells
        return False

    def warnings(self) -> list[str]:
        """One line per column where a fill was refused because it breaks the column's rule (``refused``)."""
        return [
            f"{col}: {seen['cells']} missing value(s) not imputed — the {self.specs[col].strategy} fill {_shown(seen['fill'])} "
            f"breaks {seen['rule']} of the schema, and a value Headwater fills in must pass the rules its row is validated by; "
            f"left missing (no {col}{IMPUTED_SUFFIX})"
            for col, seen in self.refused.items() if seen["cells"]
        ]


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)


def _simple_fill(s: pd.Series, spec: ImputeSpec) -> Any:
    present = s.dropna()
    if spec.strategy == "constant":
        return spec.value
    if present.empty:
        return None  # nothing to learn from: leave missing (flags stay false)
    if spec.strategy == "mode":
        return present.mode().sort_values().iloc[0]  # ties: smallest value, deterministic
    value = present.astype("float64").mean() if spec.strategy == "mean" else present.astype("float64").median()
    return round(value) if str(s.dtype) == "Int64" else value


def _model_fill(df: pd.DataFrame, targets: list[str], spec: ImputeSpec, masks: dict[str, pd.Series]) -> pd.DataFrame:
    """Fill ``targets`` from every numeric column of the table (targets included), via sklearn."""
    features = [c for c in df.columns if not c.startswith("_") and not c.endswith((RAW_SUFFIX, IMPUTED_SUFFIX)) and _is_numeric(df[c])]
    features = [c for c in features if df[c].notna().any()]
    usable = [c for c in targets if c in features]
    result = {c: df[c].copy() for c in targets}
    if not usable or len(df) < 2:
        return pd.DataFrame(result)
    x = df[features].astype("float64").to_numpy(na_value=np.nan)
    mean, std = np.nanmean(x, axis=0), np.nanstd(x, axis=0)
    std[std == 0] = 1.0
    z = (x - mean) / std  # KNN distances and forests both behave better on comparable scales
    if spec.strategy == "knn":
        from sklearn.impute import KNNImputer

        imputer = KNNImputer(n_neighbors=min(spec.n_neighbors, len(df) - 1))
    else:
        from sklearn.ensemble import RandomForestRegressor
        from sklearn.experimental import enable_iterative_imputer  # noqa: F401  (registers IterativeImputer)
        from sklearn.impute import IterativeImputer

        imputer = IterativeImputer(
            estimator=RandomForestRegressor(n_estimators=spec.n_estimators, random_state=0, n_jobs=1),
            max_iter=spec.max_iter,
            random_state=0,
            initial_strategy="median",
        )
    filled = imputer.fit_transform(z) * std + mean
    for col in usable:
        values = filled[:, features.index(col)]
        if str(df[col].dtype) == "Int64":
            values = np.round(values)
        result[col] = pd.Series(values, index=df.index).astype(df[col].dtype)
    return pd.DataFrame(result)
