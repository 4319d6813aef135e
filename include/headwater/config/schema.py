"""The canonical schema of a source (YAML section ``schema:``) and how file columns are matched to it (``mapping:``).

A source's YAML declares one canonical schema: column names (snake_case), types, aliases
and rules. headwater.clean.mapping matches each file's header onto it. In YAML the columns
are a mapping ``name -> spec`` (a spec may be just its type: ``notes: text``); once validated
``SchemaSpec.columns`` is the list of ColumnSpec in declaration order.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)

from headwater.config.base import ConfigModel, Strings
from headwater.config.types import DecimalMark, iana_zone, overlap
from headwater.names import standardize_name

ColumnType = Literal["string", "text", "integer", "number", "boolean", "date", "datetime"]
COLUMN_TYPES: tuple[str, ...] = typing.get_args(ColumnType)
NUMERIC_TYPES = ("integer", "number")
DATE_TYPES = ("date", "datetime")
Scorer = Literal["ratio", "token_sort_ratio", "token_set_ratio", "partial_ratio", "WRatio"]  # rapidfuzz.fuzz scorers
SCORER_NAMES: tuple[str, ...] = typing.get_args(Scorer)


class ColumnSpec(ConfigModel):
    """One canonical column: its type, the names it is known by, and the rules its values obey.

    Built directly (``ColumnSpec("amount", type="number")``), its errors start with the column's
    name: ``amount.min: ...``; from YAML they start with ``schema.columns.amount``.
    """

    positional = ("name",)
    keyed_by = "name"

    name: str = Field(description="Canonical snake_case name (the key under schema.columns).")
    type: ColumnType = Field(default="string", description="The column's type; text is free text: chunked, never imputed.")
    aliases: Strings = Field(default_factory=list, description="Other names of this column, in any convention (standardized before matching).")
    identifier: bool = Field(default=False, description="True for keys (customer_id...): never imputed, never type-inferred.")
    nullable: bool = Field(default=True, description="False: a row with no value here is quarantined by validation.")
    min: float | None = Field(default=None, description="Smallest allowed value (integer/number columns).")
    max: float | None = Field(default=None, description="Largest allowed value (integer/number columns).")
    pattern: str | None = Field(default=None, description="Regular expression every value must match (string columns).")
    allowed: list[Any] | None = Field(default=None, description="The only values allowed (after type coercion).")
    max_length: int | None = Field(default=None, ge=1, description="Longest allowed value in characters (string/text columns).")
    decimal: DecimalMark | None = Field(
        default=None, description="This column's decimal mark (integer/number columns), instead of the file's (types.decimal)."
    )
    dayfirst: bool | None = Field(
        default=None, description="This column's numeric date order (date/datetime columns): true day first, false month first; unset: the file's."
    )
    timezone: str | None = Field(
        default=None,
        description="IANA zone of this column's date-times written without an offset (datetime columns), instead of the file's "
        "(types.timezone): e.g. UTC for a log column next to local times.",
    )
    na_values: Strings = Field(default_factory=list, description="Extra spellings of a missing value in this column only (case-insensitive).")
    not_na_values: Strings = Field(
        default_factory=list, description="Missing-value spellings that are data in this column only (case-insensitive), e.g. N/A as an answer."
    )
    unit: str = Field(
        default="",
        description="Unit of the values (integer/number columns), shown after them in row documents: USD, kg, %. "
        "A value in another currency (€5 under USD) is not read (currency_differs_from_unit).",
    )
    description: str = Field(default="", description="What the column holds (documentation only).")

    @classmethod
    def error_prefix(cls, data: Mapping[str, Any]) -> str:
        return str(data.get("name", ""))

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression ({exc})") from None
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str | None) -> str | None:
        return iana_zone(name)

    @model_validator(mode="after")
    def _rules(self) -> ColumnSpec:
        if standardize_name(self.name, 0) != self.name:
            raise ValueError(f"canonical names must be snake_case; write {standardize_name(self.name, 0)!r}")
        for key in ("min", "max", "decimal", "unit"):
            if getattr(self, key) not in (None, "") and self.type not in NUMERIC_TYPES:
                raise ValueError(f"{key}: only integer/number columns take {key} (type is {self.type})")
        if self.dayfirst is not None and self.type not in DATE_TYPES:
            raise ValueError(f"dayfirst: only date/datetime columns take dayfirst (type is {self.type})")
        if self.timezone is not None and self.type != "datetime":
            raise ValueError(f"timezone: only datetime columns take timezone (type is {self.type})")
        both = overlap(self.na_values, self.not_na_values)
        if both:
            raise ValueError(f"not_na_values: {both} is also in na_values; a spelling is either missing or data")
        return self

    @property
    def never_impute(self) -> bool:
        return self.identifier or self.type == "text"


# A column as YAML writes it under schema.columns.<name> (the name is the key): ColumnSpec's other fields.
ColumnEntry = create_model(
    "ColumnEntry",
    __config__=ConfigDict(extra="forbid", strict=True, title="Column"),
    __doc__="One canonical column (its name is its key under schema.columns); a bare type name is short for {type: <type>}.",
    **{name: (field.annotation, field) for name, field in ColumnSpec.model_fields.items() if name != ColumnSpec.keyed_by},
)


def _named_columns(value: Any) -> Any:
    """``{name: spec | type | null}`` (YAML) -> a list of ColumnSpec fields with ``name`` set; a list of ColumnSpec passes."""
    if isinstance(value, list) and value and all(isinstance(c, ColumnSpec) for c in value):
        return value
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"expected a mapping of column name -> spec (at least one column), got {value!r}")
    columns = []
    for name, spec in value.items():
        if spec is None:
            spec = {}
        elif isinstance(spec, str):
            spec = {"type": spec}
        elif not isinstance(spec, Mapping):
            raise ValueError(f"{name}: expected a type name or a mapping, got {type(spec).__name__}")
        if "name" in spec:
            raise ValueError(f"{name}.name: unknown key (a column's name is its key under columns)")
        columns.append({**spec, "name": str(name)})
    return columns


class SchemaSpec(ConfigModel):
    """A canonical schema: the columns every file of a source lands on, in this order.

    ``SchemaSpec("s", [ColumnSpec("a")])`` gives name and columns by position.
    """

    positional = ("name", "columns")

    name: str = Field(default="", description="Schema name, shown in quarantine reasons.", json_schema_extra={"shown_default": "the source name"})
    columns: Annotated[
        list[ColumnSpec],
        BeforeValidator(_named_columns, json_schema_input_type=dict[str, ColumnEntry | ColumnType | None]),
    ] = Field(description="Canonical columns in order: name -> spec, or name -> type (notes: text).")

    @model_validator(mode="after")
    def _distinct(self) -> SchemaSpec:
        names = [c.name for c in self.columns]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"columns: {', '.join(dup)} declared twice")
        owner: dict[str, str] = {name: name for name in names}  # a column's own name is its first alias
        for col in self.columns:
            for alias in col.aliases:
                key = standardize_name(alias, 0)
                if owner.setdefault(key, col.name) != col.name:
                    raise ValueError(f"columns.{col.name}.aliases: {alias!r} also names column {owner[key]}")
        return self

    def column(self, name: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def known_names(self) -> frozenset[str]:
        """Every column's name and its aliases, standardized as a file's header names are (headwater.names.standardize_name)."""
        return frozenset(c.name for c in self.columns) | {standardize_name(a, 0) for c in self.columns for a in c.aliases}

    @property
    def types(self) -> dict[str, str]:
        return {c.name: c.type for c in self.columns}


class MappingOptions(ConfigModel):
    """How file columns are named (with or without a schema) and matched to the canonical schema."""

    fuzzy_threshold: float = Field(
        default=85.0, ge=0, le=100, description="Minimum rapidfuzz score (0-100) for a fuzzy match; below it the column stays unmapped."
    )
    scorer: Scorer = Field(default="ratio", description="The rapidfuzz.fuzz scorer that compares a header with the canonical names.")
    transliterate: bool = Field(
        default=False,
        description="Header letters of every script become ASCII (Имя -> imia, 名前 -> ming_qian); false keeps them (Имя -> имя).",
    )
