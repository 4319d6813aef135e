"""How values are read as numbers, booleans and dates (YAML section ``types:`` of a source config)."""

from __future__ import annotations

import typing
from typing import Literal

from pydantic import Field

from headwater.config.base import ConfigModel, Strings

# Spellings of a missing value every source gets (case-insensitive, after trimming); types.na_values adds more.
NA_SPELLINGS = frozenset({"", "na", "n/a", "nan", "null", "none", "nil", "-", "--", "?", "#n/a"})
OnError = Literal["keep_raw", "quarantine"]
ON_ERROR: tuple[str, ...] = typing.get_args(OnError)


class TypeOptions(ConfigModel):
    """How values are read as numbers, booleans and dates."""

    on_error: OnError = Field(
        default="keep_raw",
        description="A value that fails coercion: keep_raw (kept in <col>__raw, cell left empty) or quarantine (the row).",
    )
    infer: bool = Field(default=True, description="Infer types of columns the schema does not declare (all columns when there is no schema).")
    infer_min_share: float = Field(default=0.9, ge=0.5, le=1.0, description="Share of non-missing values that must parse for a type to be inferred.")
    dayfirst: Literal["auto", True, False] = Field(
        default="auto",
        description="Numeric dates like 03/04/2024: true (3 April), false (4 March) or auto (decided per column; month first when nothing tells); "
        "dotted dates (01.03.2024) are always day first.",
    )
    decimal: Literal["auto", ".", ","] = Field(
        default="auto", description="Decimal mark: '.', ',' or auto (decided per column from unambiguous values like 1.234,50)."
    )
    na_values: Strings = Field(
        default_factory=list, description="Extra spellings of a missing value (case-insensitive), added to NA, N/A, null, -, ?, none, blank..."
    )
