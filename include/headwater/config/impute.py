"""How missing values are filled, per column (YAML section ``impute:`` of a source config).

Identifiers and free text are never imputed: asking for it is a config error, because an
invented key or sentence is worse than a missing one (``refuse_reason``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from headwater.config.checks import check_choice, check_range

STRATEGIES = ("none", "constant", "mean", "median", "mode", "knn", "missforest")
NUMERIC_ONLY = ("mean", "median", "knn", "missforest")


class ImputeConfigError(ValueError):
    """Imputation was asked for a column where it must not (or cannot) happen."""


@dataclass
class ImputeSpec:
    """How one column's missing values are filled."""

    strategy: str = field(default="none", metadata={"help": f"One of {', '.join(STRATEGIES)}."})
    value: Any = field(default=None, metadata={"help": "The fill value for strategy: constant."})
    n_neighbors: int = field(default=5, metadata={"help": "knn: neighbours averaged (sklearn KNNImputer)."})
    n_estimators: int = field(default=50, metadata={"help": "missforest: trees per random forest."})
    max_iter: int = field(default=10, metadata={"help": "missforest: imputation rounds (sklearn IterativeImputer)."})

    def __post_init__(self) -> None:
        check_choice("strategy", self.strategy, STRATEGIES)
        if self.strategy == "constant" and self.value is None:
            raise ValueError("value: strategy constant needs a value")
        check_range("n_neighbors", self.n_neighbors, 1, 1000)
        check_range("n_estimators", self.n_estimators, 1, 10_000)
        check_range("max_iter", self.max_iter, 1, 1000)


def refuse_reason(column: str, kind: str | None, identifier: bool, spec: ImputeSpec) -> str | None:
    """Why ``spec`` must not be applied to this column, or None when it may."""
    if spec.strategy == "none":
        return None
    if identifier:
        return f"{column} is an identifier — imputing it would invent keys; remove impute.{column}"
    if kind == "text":
        return f"{column} is free text — imputing it would invent content; remove impute.{column}"
    if spec.strategy in NUMERIC_ONLY and kind is not None and kind not in ("integer", "number"):
        return f"strategy {spec.strategy} needs a numeric column, {column} is {kind}; use mode or constant"
    return None
