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

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from rapidfuzz import fuzz

from headwater.clean.currency import currencies_of
from headwater.config.schema import MappingOptions, SchemaSpec
from headwater.names import standardize_columns, standardize_name

SCORERS = {
    "ratio": fuzz.ratio,
    "token_sort_ratio": fuzz.token_sort_ratio,
    "token_set_ratio": fuzz.token_set_ratio,
    "partial_ratio": fuzz.partial_ratio,
    "WRatio": fuzz.WRatio,
}


# A unit or zone in parentheses or brackets after a header name (``LTV (USD)``, ``Signup Date (UTC)``, ``Weight [kg]``):
# group 1 the name, group 2 the unit. The name alone matches the schema too (breaker5 #8), ranked below the full name.
_UNIT_SUFFIX = re.compile(r"^(.*?\S)\s*[(\[]\s*([^()\[\]]*?\S)\s*[)\]]\s*$")


# What may stand in the parentheses: a unit of measure (SI and common US units, their usual symbols, per-units like
# km/h, mg/L), a time zone (UTC, GMT, an offset like UTC+2 or +05:30, an IANA name like Europe/Berlin, ``local``), a
# currency (headwater.clean.currency.currencies_of: USD, $, €, euros). Anything else (``Full Name (Kana)``, ``Phone
# (mobile)``) says which of several columns it is, not in what unit: the name with it must match, as before.
_UNIT_WORDS = frozenset(
    "% ‰ pct percent ppm ppb bp bps "
    "mm cm m km in inch inches ft feet yd mi mile miles nm "
    "mg g kg t lb lbs oz ton tons tonnes "
    "ml l cl dl m3 m² m2 m³ ft2 ft² sqft sq ft gal gallons "
    "s sec secs seconds ms us µs ns min mins minutes h hr hrs hours d day days wk weeks yr yrs years "
    "°c °f c f k degc degf celsius fahrenheit kelvin "
    "w kw mw kwh mwh wh j kj cal kcal v mv a ma hz khz mhz ghz pa kpa hpa bar psi atm mmhg "
    "b kb mb gb tb kib mib gib bytes bits "
    "mmol/l mg/dl mg/l µg/l ug/l ng/ml iu iu/l u/l g/l g/dl km/h mph m/s kph rpm "
    "utc gmt z local localtime".split()
)
_ZONE = re.compile(r"(?i)^(?:(?:utc|gmt)\s*)?[+-]\d{1,2}(?::?\d{2})?$|^[A-Z][A-Za-z_]+/[A-Za-z_/+-]+$")


def _is_unit(text: str) -> bool:
    """True for what ``_UNIT_WORDS`` and ``_ZONE`` describe, or a currency (currencies_of)."""
    return text.casefold() in _UNIT_WORDS or bool(_ZONE.match(text)) or bool(currencies_of(text))


def header_unit(header: str) -> tuple[str, str] | None:
    """``"LTV (USD)"`` -> ``("LTV", "USD")``; ``"Weight [kg]"`` -> ``("Weight", "kg")``; ``"Signup Date (UTC)"`` ->
    ``("Signup Date", "UTC")``; None without a unit, zone or currency (``_is_unit``) in parentheses or brackets at the
    end (``"Full Name (Kana)"``, ``"(USD)"`` alone, ``"Amount"``)."""
    m = _UNIT_SUFFIX.match(header)
    return (m[1], m[2]) if m and _is_unit(m[2]) else None


def units_differ(written: str, declared: str) -> bool:
    """True when a header's unit (``USD``) is not a schema column's declared unit (``EUR``, ``kg``): equal ignoring case,
    or currencies one of which the other may name (``$`` and ``USD``, headwater.clean.currency.currencies_of), are the same."""
    if written.strip().casefold() == declared.strip().casefold():
        return False
    return not (currencies_of(written) & currencies_of(declared))


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
    # (original, canonical, the alias or name it matched, the original of the column that took the canonical first):
    # a column whose name or alias is a canonical column another column of the file already fills (breaker5 #7)
    shadowed: list[tuple[str, str, str, str]] = field(default_factory=list)
    # (original, canonical, unit in the header, unit the schema declares): mapped by its name without the unit
    unit_conflicts: list[tuple[str, str, str, str]] = field(default_factory=list)

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
            f"column {original!r} matches {canonical!r}" + (f" (by its alias {key!r})" if key != canonical else "")
            + f", which column {by!r} already fills — kept under its own name"
            for original, canonical, key, by in self.shadowed
        ]
        lines += [
            f"column {original!r} mapped to {canonical!r} by its name without the unit ({written}), but the schema declares "
            f"the unit {declared!r} — its values are not converted; check the unit"
            for original, canonical, written, declared in self.unit_conflicts
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
        * A blank name (``column_<position>``), when the header names other columns; a name of signs or emoji only
          (``+``, ``👍``), which standardizes to ``column_<position>`` too, always, quoting it.
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
            elif not any(ch.isalnum() for ch in original) and base == f"column_{pos}":
                # a name of signs or emoji only (``+``, ``👍``: breaker9 #10) standardizes to nothing, like a blank one
                lines.append(
                    f"column {pos} ({m.original!r}) has no letter or digit in its name: loaded as {m.standardized!r} (the name as "
                    "written kept in the manifest's columns); rename it in the export"
                )
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
        # the name without a unit or zone in parentheses (LTV (USD) -> ltv, Signup Date (UTC) -> signup_date), ranked so too
        unit = header_unit(header[pos])
        stem = standardize_name(unit[0], pos + 1, options.transliterate) if unit else None
        for key, canonical, method in keys:
            if std == key:
                score, how = 100.0, method
            elif bare == key or stem == key:
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
            ranked = rank[how] - (0.5 if std != key and (bare == key or stem == key) else 0.0)
            if cur is None or (score, ranked) > (cur[0], cur[1]):
                best[canonical] = (score, ranked, how, key)
        for canonical, (score, r, how, key) in best.items():
            candidates.append((-score, -r, pos, order[canonical], canonical, how, key))
    candidates.sort()
    taken_cols: dict[int, ColumnMatch] = {}
    taken_canon: dict[str, int] = {}  # canonical -> the header position that took it
    named: dict[int, tuple[str, str]] = {}  # header position -> its first name or alias match (canonical, key) not taken
    for neg_score, rank_, pos, _, canonical, how, key in candidates:
        if pos in taken_cols or canonical in taken_canon:
            if pos not in taken_cols and how in ("exact", "alias") and canonical in taken_canon:
                named.setdefault(pos, (canonical, key))
            continue
        taken_cols[pos] = ColumnMatch(header[pos], standardized[pos], canonical, -neg_score, how, key)
        taken_canon[canonical] = pos
    matches = [taken_cols.get(i) or ColumnMatch(o, s, None, 0.0, "unmapped") for i, (o, s) in enumerate(zip(header, standardized))]
    missing = [c.name for c in schema.columns if c.name not in taken_canon]
    out_order = schema.names + [m.standardized for m in matches if m.canonical is None]
    # a refusal matters only where the column did not land on that canonical column some other way
    # a column left unmapped whose name or alias names a canonical column another column took: said so (breaker5 #7),
    # and no fuzzy refusal of it is said (customer_name, an alias of full_name, is no fuzzy miss of customer_id)
    shadowed = [
        (header[pos], canonical, key, header[taken_canon[canonical]])
        for pos, (canonical, key) in sorted(named.items()) if pos not in taken_cols
    ]
    said = [r for (pos, canonical), r in sorted(refused.items()) if matches[pos].canonical != canonical and pos not in named]
    declared = {c.name: c.unit for c in schema.columns if getattr(c, "unit", "")}
    conflicts = []
    for pos, m in sorted(taken_cols.items()):
        unit = header_unit(header[pos])
        if unit and m.canonical in declared and standardize_name(unit[0], pos + 1, options.transliterate) in (m.matched,) \
                and m.standardized != m.matched and units_differ(unit[1], declared[m.canonical]):
            conflicts.append((header[pos], m.canonical, unit[1], declared[m.canonical]))
    return ColumnMapping(schema.name, matches, missing, out_order, said, shadowed, conflicts)
