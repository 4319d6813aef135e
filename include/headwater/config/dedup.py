"""How duplicates are found (YAML section ``dedup:`` of a source config): three jobs, each its own step.

* ``exact``: the same normalized values in every data column (on by default);
* ``text``: near-duplicate *text*, MinHash LSH over the free-text columns (the datatrove /
  text-dedup job; on by default for free-text columns only);
* ``linkage``: *record linkage* (entity resolution) over short fields, Fellegi-Sunter match
  weights over per-field comparison levels (off until ``linkage.fields`` names the fields).

Across files (``scope``) nothing is merged unless the source opts in: two files of one source may
hold equal rows that are distinct records (two accounts' identical purchases, a daily snapshot
repeating yesterday's unchanged rows), and a false merge costs more than a missed duplicate.

A merge by ``text`` or ``linkage`` is vetoed by a difference in any other column (a category, a
key, a number, a date) unless ``may_differ`` names it; row counters never count either way.
"""

from __future__ import annotations

import typing
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from headwater.config.base import ColumnNames, ConfigModel

Scope = Literal["file", "run", "history"]
SCOPES: tuple[str, ...] = typing.get_args(Scope)


class TextDedupOptions(ConfigModel):
    """Near-duplicate text: MinHash LSH over free-text columns, the Jaccard estimate decides."""

    model_config = ConfigDict(frozen=True)

    enabled: bool = Field(default=True, description="Drop rows whose free text is a near copy of an earlier row's (and whose other columns agree).")
    columns: ColumnNames | None = Field(
        default=None, description="Free-text columns compared.",
        json_schema_extra={"shown_default": "schema columns of type text; without a schema, columns that read as prose"},
    )
    threshold: float = Field(default=0.8, gt=0, le=1, description="Estimated Jaccard similarity of the texts' shingles at or above which rows are near copies.")
    min_chars: int = Field(default=40, ge=1, description="Without a schema: mean characters per value for a column to read as prose.")
    min_words: float = Field(default=6.0, ge=1, description="Without a schema: mean words per value for a column to read as prose.")
    num_perm: int = Field(default=128, ge=8, le=1024, description="MinHash signature length.")
    bands: int = Field(default=16, ge=1, description="LSH bands (must divide num_perm); more bands: more candidates, higher recall.")
    shingle_size: int = Field(default=5, ge=1, le=8, description="Characters (UTF-8 bytes) per shingle.")
    seed: int = Field(default=1, description="Hash seed; changing it invalidates the persistent index.")
    verify: bool = Field(
        default=True,
        description="Veto a near copy whose texts differ in a negation, an emoji or a street quadrant, or change a number, an identifier, the name after a greeting, a unit or a word (not a one-letter typo in a long word).",
    )

    @model_validator(mode="after")
    def _bands_divide_num_perm(self) -> TextDedupOptions:
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


class LinkageOptions(ConfigModel):
    """Record linkage: per-field comparison levels, Fellegi-Sunter match weights (m by EM, u from the data), blocking."""

    model_config = ConfigDict(frozen=True)

    fields: ColumnNames = Field(
        default_factory=list, description="Columns that identify an entity (names, addresses, birth dates); empty: record linkage is off."
    )
    threshold: float = Field(default=0.95, gt=0, lt=1, description="Match probability at or above which two records are the same entity.")
    blocking: list[ColumnNames] | None = Field(
        default=None, description="Blocking rules: each a list of columns whose values must be equal for a pair to be compared.",
        json_schema_extra={"shown_default": "each field alone, and each two consecutive fields"},
    )
    max_block_size: int = Field(default=1000, ge=2, description="A block with more rows than this is not compared (a too common value); narrower rules cover it.")
    max_pairs_per_row: float = Field(
        default=10.0, gt=0,
        description="Automatic blocking (no `blocking`): a rule that would compare more pairs than this per row (at least 10,000) is left out; the narrower rules cover it.",
    )
    date_tolerance_days: int = Field(default=0, ge=0, description="Dates in fields this many days apart or less still count as close.")
    numeric_tolerance: float = Field(default=0.0, ge=0, description="Numbers in fields (and, for vetoes, other numeric columns) within this relative difference agree.")
    em_iterations: int = Field(default=25, ge=0, le=1000, description="EM rounds that estimate the m probabilities (0: the prior m values).")
    verify: bool = Field(
        default=True,
        description="Veto a match unless most compared fields agree, or when a text or digit field changes a number or an identifier (e-mail, URL), however close.",
    )
    names: ColumnNames | None = Field(
        default=None,
        description="Fields holding person names (verify): a match is vetoed when a name word is replaced by another that is not its spelling variant (Jon/Joan, Maria/Mario).",
        json_schema_extra={"shown_default": "the fields whose column name contains 'name'"},
    )


class DedupOptions(ConfigModel):
    """How duplicates are found: exact content, near-duplicate text, record linkage."""

    model_config = ConfigDict(frozen=True)

    exact: bool = Field(default=True, description="Drop rows whose normalized values equal an earlier row's in every data column.")
    may_differ: ColumnNames = Field(
        default_factory=list, description="Columns whose differences never veto a near-text or linkage merge (e.g. a re-issued customer_id)."
    )
    text: TextDedupOptions = Field(default_factory=TextDedupOptions, description="Near-duplicate text.")
    linkage: LinkageOptions = Field(default_factory=LinkageOptions, description="Record linkage over short fields.")
    scope: Scope = Field(
        default="file",
        description="file: within a file only (equal rows of two files stay: two accounts' payments, a snapshot's unchanged rows); run: also earlier files of the date; history: also earlier dates.",
    )
    history_days: int = Field(default=30, ge=0, description="scope history: how many earlier dates the persistent index reaches back.")
