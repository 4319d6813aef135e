"""Mapping a file's columns onto its source's canonical schema (headwater.config.schema).

Each file's header is standardized (headwater.names), then
mapped column by column: exact name, then alias, then fuzzy match (rapidfuzz)
above a confidence threshold. A column below the threshold stays *unmapped*: it
keeps its standardized name, is kept in the output and is reported. Files of one
source written in different header conventions so land on one schema.

A fuzzy score measures characters, not meaning: ``customer_ip`` scores 90.9 against
``customer_id``. So a fuzzy match is also compared token by token (``token_conflict``): when
the names differ in a token that is neither an abbreviation nor a typo of its counterpart
(``ip``/``id``, ``to``/``from``, ``min``/``max``, ``start``/``end``, ``billing``/``shipping``, ``1``/``2``),
or one name has a token the other lacks (``phone_2``/``phone``), the column is not mapped there.
Every fuzzy mapping, and every fuzzy match refused so, is a warning (``ColumnMapping.warnings``)
naming the original header, the canonical column and the score.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
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


TYPO_RATIO = 80.0  # rapidfuzz.fuzz.ratio from which two tokens with the same first letter are one word misspelt (custmer, customer)


def _abbreviates(short: str, long: str) -> bool:
    """``short`` abbreviates ``long``: same first letter, and its letters appear in ``long`` in order (addr, dt, qty, val)."""
    if not short or short[0] != long[0] or len(short) >= len(long):
        return False
    rest = iter(long)
    return all(ch in rest for ch in short)


def token_conflict(name: str, other: str) -> str | None:
    """Why two standardized names (snake case) that score as a fuzzy match mean different columns, or None.

    The tokens (split on ``_``) that only one name has are paired in order. A pair is the same word
    when one abbreviates the other (``_abbreviates``) or both start alike and score at least
    TYPO_RATIO with rapidfuzz.fuzz.ratio (a typo); tokens holding digits must be equal. Names equal
    without their separators (``e_mail``, ``email``) never conflict. Returns e.g. ``"ip vs id"`` or
    ``"2 vs nothing"``.
    """
    if name.replace("_", "") == other.replace("_", ""):
        return None
    mine, theirs = [t for t in name.split("_") if t], [t for t in other.split("_") if t]
    only_mine, only_theirs = [t for t in mine if t not in theirs], [t for t in theirs if t not in mine]
    if len(only_mine) != len(only_theirs):
        return f"{'_'.join(only_mine) or 'nothing'} vs {'_'.join(only_theirs) or 'nothing'}"
    for a, b in zip(only_mine, only_theirs):
        if any(ch.isdigit() for ch in a + b):
            return f"{a} vs {b}"
        short, long = sorted((a, b), key=len)
        if not (_abbreviates(short, long) or (a[0] == b[0] and fuzz.ratio(a, b) >= TYPO_RATIO)):
            return f"{a} vs {b}"
    return None


@dataclass(frozen=True)
class Refused:
    """A fuzzy match above the threshold that ``token_conflict`` refused."""

    original: str
    canonical: str
    score: float
    conflict: str  # token_conflict's answer


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
    refused: list[Refused] = field(default_factory=list)  # fuzzy matches a differing token refused

    @property
    def rename(self) -> dict[str, str]:
        """standardized -> output name."""
        return {m.standardized: m.output for m in self.matches}

    @property
    def unmapped(self) -> list[str]:
        return [m.original for m in self.matches if m.method == "unmapped"]

    def warnings(self) -> list[str]:
        """One line per column renamed beyond standardizing (renamed()), per fuzzy mapping (original -> canonical, the
        score, the name it resembled) and per fuzzy match refused for a differing token, in header order; then one per
        schema column the file lacks (``missing``, in schema order), naming the columns left unmapped."""
        lines = self.renamed() + [
            f"column {m.original!r} mapped to {m.canonical!r} by a fuzzy match (score {m.score}, resembles {m.matched!r}) "
            "— check it, or add the header as an alias"
            for m in self.matches if m.method == "fuzzy"
        ]
        lines += [
            f"column {r.original!r} not mapped to {r.canonical!r} although its fuzzy score is {r.score}: the names differ in "
            f"{r.conflict} — kept under its own name"
            for r in self.refused
        ]
        unmapped = ", ".join(repr(c) for c in self.unmapped)
        headerless = self.headerless()
        if headerless:
            return lines + [headerless]
        lines += [
            f"column {c!r} of schema {self.schema!r} is not in the file: no column maps to it, so it is empty in every row"
            + (f" (columns left unmapped: {unmapped}; add the one that holds it as an alias)" if unmapped else "")
            for c in self.missing
        ]  # schema drift (breaker4 #6): a renamed export column leaves the declared one all null
        return lines

    def headerless(self) -> str | None:
        """The one warning for a file read without a header (every name generic: ``column_1``, ``column_2``... in order)
        under a schema none of whose columns it could fill by name (breaker5 #6), or None. Columns are matched by name
        only, so such a file needs its header row; the warning says so instead of one warning per schema column."""
        if not self.missing or not self.matches or any(m.canonical for m in self.matches):
            return None
        if [m.original for m in self.matches] != [f"column_{i}" for i in range(1, len(self.matches) + 1)]:
            return None
        n, wanted = len(self.matches), len(self.missing)
        same = ", as many as the schema's columns" if n == wanted else f" for the schema's {wanted} columns"
        return (
            f"the file has no header row (read as column_1..column_{n}, {n} field{'s' * (n > 1)}{same}): schema {self.schema!r} "
            f"matches columns by name, so none of its columns ({', '.join(self.missing)}) is filled: each stays empty, and a row missing a required one is quarantined — "
            "add the header row to the export, or, if the file has one that was not found, set read.header to its line for this source"
        )

    def renamed(self) -> list[str]:
        """One line per column whose name the curated table does not keep recognisably, in header order.

        * A name that repeats an earlier one once standardized (``Name``, ``name ``, ``NAME``; ``name,name``):
          told apart by position only, ``_2``, ``_3``... (standardize_columns) — a later file with them in
          another order puts other values under each name.
        * A blank name (``column_<position>``), when the header names other columns.
        * A name written like Headwater's own columns (``_line``, ``_source``; ``price__raw``, ``note__reason``):
          its leading or doubled underscores dropped so it cannot be taken for one.
        """
        lines: list[str] = []
        seen: dict[str, str] = {}
        named = any(m.original.strip() for m in self.matches)
        for pos, m in enumerate(self.matches, start=1):
            original = m.original.strip()
            base = standardize_name(m.original, pos)
            if not original:
                if named:
                    lines.append(f"column {pos} has no name: loaded as {m.standardized!r}")
            elif base != m.standardized and base in seen:
                lines.append(
                    f"column {pos} ({m.original!r}) loaded as {m.standardized!r}: its name standardized is {base!r}, as column "
                    f"{seen[base]}'s — the two are told apart by position only; rename one in the export"
                )
            elif original.startswith("_") or "__" in original:
                lines.append(f"column {pos} ({m.original!r}) loaded as {m.standardized!r}: '_' first or '__' inside are Headwater's own column names (_line, <col>__raw)")
            seen.setdefault(base, f"{pos} ({m.original!r})")
        return lines

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
    refused: dict[tuple[int, str], Refused] = {}  # (header position, canonical) -> the first fuzzy match refused
    for pos, std in enumerate(standardized):
        best: dict[str, tuple[float, float, str, str]] = {}
        # the name without its currency spelled (Amount ($) -> amount): a schema or alias written before currency signs
        # were spelled (breaker3 #11) still matches, ranked below a match of the full name (amount_dollar)
        bare = standardize_name(header[pos], pos + 1, options.transliterate, currency=False)
        for key, canonical, method in keys:
            if std == key:
                score, how = 100.0, method
            elif bare == key:
                score, how = 100.0, method
            else:
                score, how = round(float(scorer(std, key)), 1), "fuzzy"
                if score < options.fuzzy_threshold:
                    continue
                conflict = token_conflict(std, key)
                if conflict:
                    refused.setdefault((pos, canonical), Refused(header[pos], canonical, score, conflict))
                    continue
            cur = best.get(canonical)
            ranked = rank[how] - (0.5 if std != key and bare == key else 0.0)
            if cur is None or (score, ranked) > (cur[0], cur[1]):
                best[canonical] = (score, ranked, how, key)
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
    # a refusal matters only where the column did not land on that canonical column some other way
    said = [r for (pos, canonical), r in sorted(refused.items()) if matches[pos].canonical != canonical]
    return ColumnMapping(schema.name, matches, missing, out_order, said)
