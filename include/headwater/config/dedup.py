"""How duplicates are found (YAML section ``dedup:`` of a source config)."""

from __future__ import annotations

import typing
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from headwater.config.base import ColumnNames, ConfigModel

Scope = Literal["file", "run", "history"]
SCOPES: tuple[str, ...] = typing.get_args(Scope)


class DedupOptions(ConfigModel):
    """How duplicates are found: exact content, and near-duplicates by MinHash LSH and rapidfuzz."""

    model_config = ConfigDict(frozen=True)

    exact: bool = Field(default=True, description="Drop rows whose normalized content equals an earlier row's.")
    near: bool = Field(default=True, description="Drop near-duplicates: MinHash LSH on the record text, rapidfuzz on short fields.")
    columns: ColumnNames | None = Field(
        default=None, description="Columns compared for near-duplicates.", json_schema_extra={"shown_default": "every data column except identifiers"}
    )
    ignore: ColumnNames = Field(default_factory=list, description="Columns never compared (added to the identifiers).")
    threshold: float = Field(default=0.8, gt=0, le=1, description="Similarity at or above which two records are duplicates.")
    num_perm: int = Field(default=128, ge=8, le=1024, description="MinHash signature length.")
    bands: int = Field(default=16, ge=1, description="LSH bands (must divide num_perm); more bands: more candidates, higher recall.")
    shingle_size: int = Field(default=5, ge=1, le=8, description="Characters (UTF-8 bytes) per shingle.")
    short_field_chars: int = Field(
        default=64, ge=0, description="Fields up to this length are also compared with rapidfuzz (names, addresses, e-mails)."
    )
    scope: Scope = Field(
        default="history", description="file: within a file; run: also earlier files of the date; history: also earlier dates."
    )
    history_days: int = Field(default=30, ge=0, description="scope history: how many earlier dates the persistent index reaches back.")
    seed: int = Field(default=1, description="Hash seed; changing it invalidates the persistent index.")

    @model_validator(mode="after")
    def _bands_divide_num_perm(self) -> DedupOptions:
        if self.bands > self.num_perm:
            raise ValueError(f"bands: {self.bands} must be in [1, {self.num_perm}]")
        if self.num_perm % self.bands:
            raise ValueError(f"bands: {self.bands} must divide num_perm={self.num_perm}")
        return self

    @property
    def rows_per_band(self) -> int:
        return self.num_perm // self.bands

    def index_settings(self) -> dict[str, int]:
        """What must match for signatures stored by another run to be comparable."""
        return {"num_perm": self.num_perm, "bands": self.bands, "shingle_size": self.shingle_size, "seed": self.seed}
