"""The canonical schema of a source (YAML section ``schema:``) and how file columns are matched to it (``mapping:``).

A source's YAML declares one canonical schema: column names (snake_case), types, aliases
and rules. headwater.clean.mapping matches each file's header onto it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from headwater.config.checks import check_choice, check_range, check_type
from headwater.names import standardize_name

COLUMN_TYPES = ("string", "text", "integer", "number", "boolean", "date", "datetime")
NUMERIC_TYPES = ("integer", "number")
SCORER_NAMES = ("ratio", "token_sort_ratio", "token_set_ratio", "partial_ratio", "WRatio")  # rapidfuzz.fuzz scorers


@dataclass
class ColumnSpec:
    """One canonical column: its type, the names it is known by, and the rules its values obey."""

    name: str = field(metadata={"help": "Canonical snake_case name (the key under schema.columns)."})
    type: str = field(default="string", metadata={"help": f"One of {', '.join(COLUMN_TYPES)}. 'text' is free text: chunked, never imputed."})
    aliases: list[str] = field(default_factory=list, metadata={"help": "Other names of this column, in any convention (standardized before matching)."})
    identifier: bool = field(default=False, metadata={"help": "True for keys (customer_id...): never imputed, never type-inferred."})
    nullable: bool = field(default=True, metadata={"help": "False: a row with no value here is quarantined by validation."})
    min: float | None = field(default=None, metadata={"help": "Smallest allowed value (integer/number columns)."})
    max: float | None = field(default=None, metadata={"help": "Largest allowed value (integer/number columns)."})
    pattern: str | None = field(default=None, metadata={"help": "Regular expression every value must match (string columns)."})
    allowed: list[Any] | None = field(default=None, metadata={"help": "The only values allowed (after type coercion)."})
    max_length: int | None = field(default=None, metadata={"help": "Longest allowed value in characters (string/text columns)."})
    description: str = field(default="", metadata={"help": "What the column holds (documentation only)."})

    def __post_init__(self) -> None:
        if standardize_name(self.name, 0) != self.name:
            raise ValueError(f"{self.name}: canonical names must be snake_case; write {standardize_name(self.name, 0)!r}")
        check_choice(f"{self.name}.type", self.type, COLUMN_TYPES)
        if isinstance(self.aliases, str):
            self.aliases = [self.aliases]
        check_type(f"{self.name}.aliases", self.aliases, list, "a list of names")
        self.aliases = [str(a) for a in self.aliases]
        for key in ("identifier", "nullable"):
            check_type(f"{self.name}.{key}", getattr(self, key), bool, "true or false")
        for key in ("min", "max"):
            value = getattr(self, key)
            if value is not None:
                if self.type not in NUMERIC_TYPES:
                    raise ValueError(f"{self.name}.{key}: only integer/number columns take {key} (type is {self.type})")
                check_range(f"{self.name}.{key}", value)
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except (re.error, TypeError) as exc:
                raise ValueError(f"{self.name}.pattern: not a valid regular expression ({exc})") from None
        if self.allowed is not None:
            check_type(f"{self.name}.allowed", self.allowed, list, "a list of values")
        if self.max_length is not None:
            check_range(f"{self.name}.max_length", self.max_length, 1)

    @property
    def never_impute(self) -> bool:
        return self.identifier or self.type == "text"


@dataclass
class SchemaSpec:
    """A canonical schema: the columns every file of a source lands on, in this order."""

    name: str
    columns: list[ColumnSpec]

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if not names:
            raise ValueError("columns: a schema needs at least one column")
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"columns: {', '.join(dup)} declared twice")
        owner: dict[str, str] = {}
        for col in self.columns:
            for alias in [col.name, *col.aliases]:
                key = standardize_name(alias, 0)
                if owner.setdefault(key, col.name) != col.name:
                    raise ValueError(f"columns.{col.name}.aliases: {alias!r} also names column {owner[key]}")

    def column(self, name: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def types(self) -> dict[str, str]:
        return {c.name: c.type for c in self.columns}


@dataclass
class MappingOptions:
    """How file columns are matched to the canonical schema."""

    fuzzy_threshold: float = field(default=85.0, metadata={"help": "Minimum rapidfuzz score (0-100) for a fuzzy match; below it the column stays unmapped."})
    scorer: str = field(default="ratio", metadata={"help": f"rapidfuzz scorer: {', '.join(SCORER_NAMES)}."})

    def __post_init__(self) -> None:
        check_range("fuzzy_threshold", self.fuzzy_threshold, 0, 100)
        check_choice("scorer", self.scorer, SCORER_NAMES)
