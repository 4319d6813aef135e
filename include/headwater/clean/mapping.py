"""Mapping a file's columns onto its source's canonical schema (headwater.config.schema).

Each file's header is standardized (headwater.names), then
mapped column by column: exact name, then alias, then fuzzy match (rapidfuzz)
above a confidence threshold. A column below the threshold stays *unmapped*: it
keeps its standardized name, is kept in the output and is reported. Files of one
source written in different header conventions so land on one schema.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from rapidfuzz import fuzz

from headwater.config.schema import MappingOptions, SchemaSpec
from headwater.names import standardize_columns, standardize_name

SCORERS = {
    "ratio": fuzz.ratio,
    "token_sort_ratio": fuzz.token_sort_ratio,
    "token_set_ratio": fuzz.token_set_ratio,
    "partial_ratio": fuzz.partial_ratio,
    "WRatio": fuzz.WRatio,
}


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
    standardized = standardize_columns(header, options.transliterate)
    if schema is None:
        matches = [ColumnMatch(o, s, s, 100.0, "no_schema", None) for o, s in zip(header, standardized)]
        return ColumnMapping(None, matches, [], standardized)

    scorer = SCORERS[options.scorer]
    keys: list[tuple[str, str, str]] = []  # (standardized key, canonical, method)
    for col in schema.columns:
        # transliterated headers meet the canonical names and aliases transliterated alike (имя -> imia)
        keys.append((standardize_name(col.name, 0, options.transliterate), col.name, "exact"))
        keys.extend((standardize_name(a, 0, options.transliterate), col.name, "alias") for a in col.aliases)

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
