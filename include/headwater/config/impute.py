"""How missing values are filled, per column (YAML section ``impute:`` of a source config).

Identifiers and free text are never imputed: asking for it is a config error, because an
invented key or sentence is worse than a missing one (``refuse_reason``).
"""

from __future__ import annotations

import typing
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from headwater.config.base import ConfigModel, strategy_shorthand

Strategy = Literal["none", "constant", "mean", "median", "mode", "knn", "missforest"]
STRATEGIES: tuple[str, ...] = typing.get_args(Strategy)
NUMERIC_ONLY = ("mean", "median", "knn", "missforest")


class ImputeConfigError(ValueError):
    """Imputation was asked for a column where it must not (or cannot) happen."""


class ImputeSpec(ConfigModel):
    """How one column's missing values are filled.

    ``ImputeSpec("median")`` names the strategy by position.
    """

    positional = ("strategy",)

    strategy: Strategy = Field(default="none", description="How missing values are filled; constant needs value, mean/median/knn/missforest a numeric column.")
    value: Any = Field(default=None, description="The fill value for strategy: constant.")
    n_neighbors: int = Field(default=5, ge=1, le=1000, description="knn: neighbours averaged (sklearn KNNImputer).")
    n_estimators: int = Field(default=50, ge=1, le=10_000, description="missforest: trees per random forest.")
    max_iter: int = Field(default=10, ge=1, le=1000, description="missforest: imputation rounds (sklearn IterativeImputer).")

    @model_validator(mode="after")
    def _constant_needs_value(self) -> ImputeSpec:
        if self.strategy == "constant" and self.value is None:
            raise ValueError("value: strategy constant needs a value")
        return self


# An ``impute:`` entry as YAML writes it: a strategy name or a mapping of ImputeSpec fields.
ImputeEntry = Annotated[ImputeSpec, BeforeValidator(strategy_shorthand(ImputeSpec), json_schema_input_type=Strategy | ImputeSpec)]


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
