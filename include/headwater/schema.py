"""Canonical schemas and the mapping of a file's columns onto them.

A source's YAML declares one canonical schema: column names (snake_case), types,
aliases and rules. Each file's header is standardized (headwater.columns), then
mapped column by column: exact name, then alias, then fuzzy match (rapidfuzz)
above a confidence threshold. A column below the threshold stays *unmapped*: it
keeps its standardized name, is kept in the output and is reported. Files of one
source written in different header conventions so land on one schema.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from rapidfuzz import fuzz

from headwater.columns import standardize_columns, standardize_name
from headwater.options import check_choice, check_range, check_type

COLUMN_TYPES = ("string", "text", "integer", "number", "boolean", "date", "datetime")
NUMERIC_TYPES = ("integer", "number")
SCORERS = {
    "ratio": fuzz.ratio,
    "token_sort_ratio": fuzz.token_sort_ratio,
    "token_set_ratio": fuzz.token_set_ratio,
    "partial_ratio": fuzz.partial_ratio,
    "WRatio": fuzz.WRatio,
}
_ID_NAME = re.compile(r"(^|_)(id|uuid|guid|key|sku|code)$")


def looks_like_identifier(name: str) -> bool:
    """``customer_id``, ``order_uuid``, ``sku``: names that identify rather than describe."""
    return bool(_ID_NAME.search(name))


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
    scorer: str = field(default="ratio", metadata={"help": f"rapidfuzz scorer: {', '.join(SCORERS)}."})

    def __post_init__(self) -> None:
        check_range("fuzzy_threshold", self.fuzzy_threshold, 0, 100)
        check_choice("scorer", self.scorer, SCORERS)


@dataclass(frozen=True)
class ColumnMatch:
    """original -> standardized -> canonical, with how and how confidently it was matched."""

    original: str
    standardized: str
    canonical: str | None  # None: unmapped
    score: float
    method: str  # exact | alias | fuzzy | unmapped | no_schema
    matched: str | None = None  # the canonical name or alias the column matched

    @property
    def output(self) -> str:
        """The column's name in the curated table."""
        return self.canonical or self.standardized


@dataclass
class ColumnMapping:
    schema: str | None
    matches: list[ColumnMatch]
    missing: list[str]  # canonical columns absent from the file (added empty)
    order: list[str]  # output columns: canonical order, then unmapped in file order

    @property
    def rename(self) -> dict[str, str]:
        """standardized -> output name."""
        return {m.standardized: m.output for m in self.matches}

    @property
    def unmapped(self) -> list[str]:
        return [m.original for m in self.matches if m.method == "unmapped"]

    def to_manifest(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "columns": [asdict(m) for m in self.matches],
            "unmapped_columns": self.unmapped,
            "missing_columns": self.missing,
        }


def map_columns(header: list[str], schema: SchemaSpec | None, options: MappingOptions | None = None) -> ColumnMapping:
    """Match each header name to a canonical column (one-to-one) or leave it unmapped."""
    options = options or MappingOptions()
    standardized = standardize_columns(header)
    if schema is None:
        matches = [ColumnMatch(o, s, s, 100.0, "no_schema", None) for o, s in zip(header, standardized)]
        return ColumnMapping(None, matches, [], standardized)

    scorer = SCORERS[options.scorer]
    keys: list[tuple[str, str, str]] = []  # (standardized key, canonical, method)
    for col in schema.columns:
        keys.append((col.name, col.name, "exact"))
        keys.extend((standardize_name(a, 0), col.name, "alias") for a in col.aliases)

    # Every (column, canonical) pair gets its best score; the highest pairs are assigned first,
    # exact before alias before fuzzy, ties broken by header then schema order (deterministic).
    rank = {"exact": 2, "alias": 1, "fuzzy": 0}
    order = {c.name: i for i, c in enumerate(schema.columns)}
    candidates: list[tuple[float, int, int, int, str, str, str]] = []
    for pos, std in enumerate(standardized):
        best: dict[str, tuple[float, int, str, str]] = {}
        for key, canonical, method in keys:
            if std == key:
                score, how = 100.0, method
            else:
                score, how = round(float(scorer(std, key)), 1), "fuzzy"
                if score < options.fuzzy_threshold:
                    continue
            cur = best.get(canonical)
            if cur is None or (score, rank[how]) > (cur[0], cur[1]):
                best[canonical] = (score, rank[how], how, key)
        for canonical, (score, r, how, key) in best.items():
            candidates.append((-score, -r, pos, order[canonical], canonical, how, key))
    candidates.sort()
    taken_cols: dict[int, ColumnMatch] = {}
    taken_canon: set[str] = set()
    for neg_score, _, pos, _, canonical, how, key in candidates:
        if pos in taken_cols or canonical in taken_canon:
            continue
        taken_cols[pos] = ColumnMatch(header[pos], standardized[pos], canonical, -neg_score, how, key)
        taken_canon.add(canonical)
    matches = [taken_cols.get(i) or ColumnMatch(o, s, None, 0.0, "unmapped") for i, (o, s) in enumerate(zip(header, standardized))]
    missing = [c.name for c in schema.columns if c.name not in taken_canon]
    out_order = schema.names + [m.standardized for m in matches if m.canonical is None]
    return ColumnMapping(schema.name, matches, missing, out_order)
