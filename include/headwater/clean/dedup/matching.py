"""The two fuzzy jobs over a whole table: near-duplicate text and record linkage.

Both take a table whose rows are in precedence order (row 0 first), find candidate pairs
(MinHash LSH buckets; blocking rules), score them (Jaccard estimate; Fellegi-Sunter match
probability), let a threshold decide, veto pairs that differ where it matters (another column:
headwater.clean.dedup.columns.Vetoes; a negation, number, identifier, addressee, unit or substituted
word inside the compared texts, a substituted name in a name field: headwater.clean.dedup.verify), and apply the leader rule
(headwater.clean.dedup.pairs). They are used by the clean steps on one file (headwater.clean.dedup.text, .linkage) and by the date's link
step across files (headwater.clean.link). ``allow`` restricts which pairs count (cross-file:
only pairs of two different files); ``kept_before`` fixes rows already decided.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from headwater.clean.dedup.columns import Vetoes, factorized, pieces_of, row_count, rows_of
from headwater.clean.dedup.fellegi_sunter import Model, fit, prepare, probability
from headwater.clean.dedup.minhash import EMPTY, band_keys, estimate_similarity, minhash_signatures, record_text, signature_store
from headwater.clean.dedup.pairs import block_pairs, count_pairs, leaders, unique_pairs
from headwater.clean.dedup.verify import NAME_REASONS, REASONS, pair_reasons
from headwater.config.dedup import LinkageOptions, TextDedupOptions

TEXT_BUCKET_CAP = 100  # an LSH bucket with more rows is compared with its first 100 rows only (boilerplate)
BOILERPLATE_SAMPLE = 1_000  # rows of the column, evenly spaced, read besides the candidates' for its boilerplate (footers, disclaimers)
PAIR_FLOOR = 10_000  # an automatic blocking rule making this many pairs or fewer is always affordable (small tables)
Allow = Callable[[np.ndarray, np.ndarray], np.ndarray]
# why a pair above the threshold was vetoed: another column differs; (linkage) most compared fields disagree; a token check
VETO_REASONS = ("columns", "disagreement", *REASONS, *NAME_REASONS)
LINKAGE_REASONS = ("identifier", "number")  # the token checks on record linkage's string and digit fields


@dataclass
class Matches:
    """Per row of the table: the kept row it duplicates (-1: kept), the score, and the evidence."""

    partner: np.ndarray  # int64
    similarity: np.ndarray  # float64: Jaccard estimate or match probability (NaN for kept rows)
    weight: np.ndarray  # float64: match weight in bits (NaN: not record linkage, or kept)
    evidence: list[str | None]
    agreed: list[str | None]
    candidates: int = 0  # candidate pairs scored
    vetoed: int = 0  # pairs above the threshold that a veto stopped
    model: Model | None = None
    vetoed_by: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VETO_REASONS, 0))  # those pairs by reason

    @classmethod
    def none(cls, n: int) -> Matches:
        return cls(np.full(n, -1, np.int64), np.full(n, np.nan), np.full(n, np.nan), [None] * n, [None] * n)

    @property
    def duplicates(self) -> np.ndarray:
        return np.nonzero(self.partner >= 0)[0]


Check = tuple[dict[int, str | None], tuple[str, ...]]  # (text per row, the token checks to run on it)


def _veto(found: Matches, vetoes: Vetoes, a: np.ndarray, b: np.ndarray, checks: list[Check],
          disagreement: np.ndarray | None = None) -> np.ndarray:
    """Vetoed per pair (rows a[k], b[k]), a bool array: a vetoing column differs (``Vetoes.check``), else
    ``disagreement[k]`` (bool per pair, linkage: most compared fields disagree), else one of ``checks`` finds the pair's two texts differ (headwater.clean.dedup.verify.pair_reasons:
    ``texts`` must hold every row of a and b). Counts the vetoed pairs in ``found.vetoed`` and each
    under its first reason (``VETO_REASONS``) in ``found.vetoed_by``.
    """
    vetoed = vetoes.check(a, b)
    found.vetoed_by["columns"] += int(vetoed.sum())
    if disagreement is not None:
        found.vetoed_by["disagreement"] += int((disagreement & ~vetoed).sum())
        vetoed |= disagreement
    for texts, reasons in checks:
        rest = np.nonzero(~vetoed)[0]
        for k, reason in zip(rest.tolist(), pair_reasons(texts, a[rest].tolist(), b[rest].tolist(), reasons)):
            if reason is not None:
                vetoed[k] = True
                found.vetoed_by[reason] += 1
    found.vetoed = int(vetoed.sum())
    return vetoed


def _row_texts(frame: Mapping[str, pd.Series] | None, columns: list[str], rows: np.ndarray) -> dict[int, str | None]:
    """{row: the values of ``columns`` joined by newlines (missing values left out)} for ``rows`` of ``frame`` (positions)."""
    if frame is None or not len(rows):
        return {}
    parts = [rows_of(frame, c, rows).tolist() for c in columns]  # read piece by piece: the column is never whole in memory
    if len(parts) == 1:  # one column: its value as text (the join of one value), no generator a row
        return {row: "" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v) for row, v in zip(rows.tolist(), parts[0])}
    return {row: "\n".join(str(v) for v in values if v is not None and v is not pd.NA and not (isinstance(v, float) and v != v))
            for row, *values in zip(rows.tolist(), *parts)}


def _filter(a: np.ndarray, b: np.ndarray, allow: Allow | None) -> tuple[np.ndarray, np.ndarray]:
    if allow is None or not len(a):
        return a, b
    keep = allow(a, b)
    return a[keep], b[keep]


# ------------------------------------------------------------------ near-duplicate text


SIGNATURE_BLOCK = 65_536  # rows whose full 32-bit signatures exist at once


def text_signatures(frame: Mapping[str, pd.Series], columns: list[str], options: TextDedupOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(8-bit signatures n x num_perm uint8, band keys n x bands uint64, has text: bool n) of the rows' joined free text.

    The text columns are read piece by piece (``columns.pieces_of``: one spilled batch at a time when
    ``frame`` reads from disk), and each piece SIGNATURE_BLOCK rows at a time (record text, 32-bit
    signatures, then their low bytes and band keys), so neither the text columns, nor the joined text,
    nor the n x num_perm uint32 matrix (4 bytes a bin) exist for the whole table: each row's outputs
    depend on that row alone.
    """
    n = row_count(frame, columns[0]) if columns else 0
    sig8, bands = signature_store(n, options.num_perm, options.bands)  # in temporary files above minhash.SPILL_ROWS rows
    valid = np.zeros(n, dtype=bool)
    at = 0
    for piece in zip(*(pieces_of(frame, c) for c in columns)):
        df = pd.DataFrame({c: p.reset_index(drop=True) for c, p in zip(columns, piece)})
        for lo in range(0, len(df), SIGNATURE_BLOCK):
            hi = min(len(df), lo + SIGNATURE_BLOCK)
            sig = minhash_signatures(record_text(df.iloc[lo:hi], columns), options.num_perm, options.shingle_size, options.seed)
            valid[at + lo : at + hi] = sig[:, 0] != EMPTY
            sig8[at + lo : at + hi] = sig.astype(np.uint8)  # the low byte of each bin (an unsigned cast wraps): one pass, no uint32 temporary
            bands[at + lo : at + hi] = band_keys(sig, options.bands, options.seed)
        at += len(df)
        del df, piece
    if at != n:
        raise ValueError(f"text_signatures: the text columns hold {at} rows, the table {n}")
    return sig8, bands, valid


def band_codes(keys: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """One LSH bucket code per row of one band (``keys``: its uint64 band keys, ``valid``: bool per row, has text):
    rows of ``valid`` sharing their key with another such row get the index of that key among the shared keys
    (int64 >= 0), every other row -1, so ``block_pairs`` sees the band's buckets of two rows or more, each in row order.

    Most keys are held by one row: a count of the valid keys' low bits leaves the few that may be shared, one sort of
    those finds the shared ones, a bit table on their low bits picks the rows that may hold one, and a lookup among the shared keys (a hash table) decides those rows. A bucket of
    one row makes no pair, so the pairs are those of codes that number every bucket (``pd.factorize``).
    """
    codes = np.full(len(keys), -1, dtype=np.int64)
    held = keys[valid]
    # a shared key's rows share its low bits: a count of the low bits (``np.bincount``, a table of about 4 slots a key, at most
    # 4M slots: 32 MB) leaves the keys whose low bits are held twice or more, and only those are sorted (a sort of every key
    # was most of the band's time: 11 of 14 ms at 250k rows; 250k keys in 1M slots leave about 60k to sort)
    low = held.view(np.int64) & np.int64((1 << min(22, max(16, (4 * len(held)).bit_length()))) - 1)
    ordered = np.sort(held[np.bincount(low)[low] > 1])
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return codes
    shared = ordered[1:][same]
    shared = shared[np.concatenate([[True], shared[1:] != shared[:-1]])]  # sorted, distinct
    mask = max(1 << 16, 1 << (4 * len(shared)).bit_length()) - 1  # a table of at least 4 slots a shared key
    table = np.zeros(mask + 1, dtype=bool)
    table[shared.view(np.int64) & mask] = True
    maybe = np.flatnonzero(valid & table[keys.view(np.int64) & mask])
    at = pd.Index(shared).get_indexer(keys[maybe])  # a hash lookup: a binary search of every row cost 3-5x more
    hit = at >= 0
    codes[maybe[hit]] = at[hit]
    return codes


PAIR_BLOCK = 65_536  # candidate pairs whose signature rows are gathered at once


def pair_similarity(sig8: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``estimate_similarity`` of the pairs (rows a[k], b[k]) of ``sig8``, float64 per pair.

    PAIR_BLOCK pairs at a time: the gathered signature rows (2 x num_perm bytes a pair) and their
    comparison never exist for every candidate pair of the table at once.
    """
    out = np.empty(len(a), dtype=np.float64)
    for lo in range(0, len(a), PAIR_BLOCK):
        out[lo : lo + PAIR_BLOCK] = estimate_similarity(sig8[a[lo : lo + PAIR_BLOCK]], sig8[b[lo : lo + PAIR_BLOCK]])
    return out


def near_text(
    sig8: np.ndarray, bands: np.ndarray, valid: np.ndarray, vetoes: Vetoes, options: TextDedupOptions, text_columns: list[str],
    allow: Allow | None = None, kept_before: np.ndarray | None = None, later: np.ndarray | None = None,
) -> Matches:
    """Near copies of free text: rows sharing an LSH band are candidates, the Jaccard estimate of
    their shingles must reach ``options.threshold``, no vetoing column may differ, and (``options.verify``)
    the texts must not differ in a negation, number, identifier or addressee, nor add a content word
    outside a boilerplate of the column (headwater.clean.dedup.verify: the texts of ``text_columns`` are
    read from ``vetoes.frame`` for the candidates' rows and ``BOILERPLATE_SAMPLE`` rows more, evenly
    spaced, that show the column's boilerplate; without it, nothing is verified).
    Vetoed pairs are counted by reason in ``Matches.vetoed_by``.

    ``later`` (bool per row): only pairs whose later row is marked are made (see ``block_pairs``).
    """
    n = len(sig8)
    parts_a, parts_b = [], []
    for k in range(bands.shape[1] if n else 0):
        i, j, _ = block_pairs(band_codes(bands[:, k], valid), TEXT_BUCKET_CAP, big="leaders", later=later)
        parts_a.append(i)
        parts_b.append(j)
    if not parts_a:
        return Matches.none(n)
    a, b = unique_pairs(np.concatenate(parts_a), np.concatenate(parts_b))
    a, b = _filter(a, b, allow)
    found = Matches.none(n)
    found.candidates = len(a)
    if not len(a):
        return found
    jaccard = pair_similarity(sig8, a, b)
    above = jaccard >= options.threshold
    vetoes = vetoes.for_rows(np.unique(np.concatenate([a[above], b[above]])))  # a deferred one: built for these rows only
    checks: list[Check] = []
    if options.verify and vetoes.frame is not None:
        context = np.nonzero(valid)[0]  # rows whose texts show the column's boilerplate (verify.Boilerplate): an even sample
        context = context[np.linspace(0, len(context) - 1, min(len(context), BOILERPLATE_SAMPLE)).astype(np.int64)] if len(context) else context
        checks.append((_row_texts(vetoes.frame, text_columns, np.unique(np.concatenate([a[above], b[above], context]))), REASONS))
    vetoed = _veto(found, vetoes, a[above], b[above], checks)
    ok = np.nonzero(above)[0][~vetoed]
    a, b, jaccard = a[ok], b[ok], jaccard[ok]
    rule = leaders(n, a, b, jaccard, kept_before)
    rows = np.nonzero(rule.partner >= 0)[0]
    ks = rule.pair[rows]
    label = ", ".join(text_columns)
    found.partner[rows] = rule.partner[rows]
    found.similarity[rows] = np.round(jaccard[ks], 4)
    for row, score, agreed in zip(rows.tolist(), jaccard[ks].tolist(), vetoes.agreed(a[ks], b[ks])):
        found.evidence[row] = f"{label}: Jaccard estimate {score:.2f} >= {options.threshold}"
        found.agreed[row] = ", ".join(agreed) or None
    return found


# ------------------------------------------------------------------ record linkage


def default_rules(fields: list[str]) -> list[list[str]]:
    """Each field alone, then each two consecutive fields (a pair rescues a field whose blocks are too big)."""
    return [[f] for f in fields] + [[x, y] for x, y in zip(fields, fields[1:])]


def rule_codes(values: Mapping[str, np.ndarray], rule: list[str]) -> np.ndarray:
    """One block code per row for a rule (rows missing any of its fields: -1)."""
    codes = values[rule[0]].copy()
    for name in rule[1:]:
        other = values[name]
        missing = (codes < 0) | (other < 0)
        codes = pd.factorize(pd.Series(codes * (int(other.max()) + 2) + other))[0].astype(np.int64)
        codes[missing] = -1
    return codes


def affordable_rules(values: Mapping[str, np.ndarray], fields: list[str], n: int, options: LinkageOptions,
                     later: np.ndarray | None = None) -> list[list[str]]:
    """The automatic blocking rules (``default_rules``) that make at most ``options.max_pairs_per_row``
    pairs per row (and never fewer than ``PAIR_FLOOR``): a rule on a too common value (a state, a
    sex) would compare most of the table with itself; the narrower two-field rules cover it. When
    no rule is affordable, the one that makes the fewest pairs. Counted, not made (``count_pairs``).
    """
    budget = max(PAIR_FLOOR, options.max_pairs_per_row * n)
    rules = default_rules(fields)
    counts = [count_pairs(rule_codes(values, r), options.max_block_size, later) for r in rules]
    chosen = [r for r, c in zip(rules, counts) if c <= budget]
    return chosen or [rules[int(np.argmin(counts))]]


def _mostly_disagree(gamma: np.ndarray, else_level: list[int]) -> np.ndarray:
    """Per pair (rows of ``gamma``: comparison levels, -1 missing): at most half of the fields both rows fill
    in agree (a level above ``else``). bool array.

    A guard on the fitted model, not part of Fellegi-Sunter: EM can settle on a "match" class that is one
    field's agreement (pairs blocked on a common signup date), whose m makes every other field's
    disagreement weigh about nothing; a pair that agrees on one field of three then passes the threshold.
    """
    filled = gamma >= 0
    agree = filled & (gamma < np.asarray(else_level, dtype=np.int8)[None, :])
    return 2 * agree.sum(axis=1) <= filled.sum(axis=1)


def _unsupported_new_id(gamma: np.ndarray, else_level: list[int], identifying: list[bool], ids_differ: np.ndarray) -> np.ndarray:
    """Per pair: its declared identifiers differ (``ids_differ``; they may, ``dedup.may_differ``), and no
    ``identifying`` linkage field (one that is neither a name nor a date) agrees. bool array. Called only
    when the linkage has an identifying field: one on names and dates alone says those identify.

    A record re-registered under a new id is the same entity only on evidence that names one entity:
    an e-mail, a phone number, an account. A name and a date are shared by many (a common name, a
    busy signup day) and two different ids are evidence against; a field missing on both sides is no
    evidence either way (Fellegi & Sunter 1969: weight 0), so it cannot make up for them.
    """
    agree = (gamma >= 0) & (gamma < np.asarray(else_level, dtype=np.int8)[None, :])
    return ids_differ & ~agree[:, np.asarray(identifying, dtype=bool)].any(axis=1)


def name_fields(options: LinkageOptions) -> set[str]:
    """The linkage fields compared as person names (headwater.clean.dedup.verify.name_changed): ``options.names``,
    or by default the fields whose column name contains ``name`` (``full_name``, ``first_name``, ``Name``)."""
    if options.names is not None:
        return set(options.names)
    return {f for f in options.fields if "name" in f.lower()}


def link(
    frame: Mapping[str, pd.Series], n: int, options: LinkageOptions, vetoes: Vetoes,
    allow: Allow | None = None, kept_before: np.ndarray | None = None, later: np.ndarray | None = None,
    identifiers: Vetoes | None = None,
) -> Matches:
    """Record linkage over ``options.fields``: blocking rules give candidate pairs, a Fellegi-Sunter
    model fitted on this table (u from random pairs and term frequencies, m by EM) scores them,
    the match probability must reach ``options.threshold``, no vetoing column may differ, and
    (``options.verify``) more than half of the fields both rows fill in must agree (``_mostly_disagree``),
    no string or digit field may change a number or an identifier however close its strings are
    (headwater.clean.dedup.verify: ``AC-1001``/``AC-1002`` is Jaro-Winkler 0.95), and no name field
    (``name_fields``) may replace a name by another that is not its spelling variant (``Jon``/``Joan``,
    ``Maria``/``Mario`` are Jaro-Winkler 0.93 and 0.92 apart).
    Vetoed pairs are counted by reason in ``Matches.vetoed_by``.

    ``identifiers``: the declared identifier columns (``identifier: true``) that ``dedup.may_differ`` lets
    differ; a pair whose identifiers differ must also agree on a field that is neither a name nor a date
    (``_unsupported_new_id``, counted as ``disagreement``) when ``options.fields`` has one: two customers ``Wei Zhang`` signed up the same
    day under two ids, without an e-mail, stay two.
    ``later`` (bool per row): only pairs whose later row is marked are made (see ``block_pairs``).
    Raises ValueError naming fields (or blocking columns) that are not in the table.
    """
    fields = list(options.fields)
    explicit = options.blocking
    missing = sorted({c for c in [*fields, *(c for r in explicit or [] for c in r)] if c not in frame})
    if missing:
        raise ValueError(f"dedup.linkage: {', '.join(missing)} not in the data (columns: {', '.join(frame)})")
    if n < 2:  # a header-only or one-row table has no pair
        return Matches.none(n)
    prepared = prepare(frame, fields)
    codes = {f.name: f.codes for f in prepared}
    codes.update({c: factorized(frame[c], fold_case=True)[0] for r in explicit or [] for c in r if c not in codes})  # blocking: candidates only
    rules = explicit if explicit is not None else affordable_rules(codes, fields, n, options, later)
    parts_a, parts_b = [], []
    for rule in rules:
        i, j, _ = block_pairs(rule_codes(codes, list(rule)), options.max_block_size, later=later)
        parts_a.append(i)
        parts_b.append(j)
    a, b = unique_pairs(np.concatenate(parts_a), np.concatenate(parts_b)) if parts_a else (np.zeros(0, np.int64),) * 2
    a, b = _filter(a, b, allow)
    model, gamma = fit(prepared, n, a, b, options.em_iterations, options.date_tolerance_days, options.numeric_tolerance)
    found = Matches.none(n)
    found.candidates, found.model = len(a), model
    if not len(a):
        return found
    weight = model.weights(gamma, a)
    prob = probability(weight)
    above = np.nonzero(prob >= options.threshold)[0]
    vetoes = vetoes.for_rows(np.unique(np.concatenate([a[above], b[above]])))  # a deferred one: built for these rows only
    checks: list[Check] = []
    disagreement = None
    if options.verify:
        rows = np.unique(np.concatenate([a[above], b[above]]))
        names = name_fields(options)
        for f in prepared:
            if f.kind in ("string", "digits"):
                codes = f.codes[rows]
                reasons = (*LINKAGE_REASONS, *NAME_REASONS) if f.kind == "string" and f.name in names else LINKAGE_REASONS
                checks.append(({r: (f.values[c] if c >= 0 else None) for r, c in zip(rows.tolist(), codes.tolist())}, reasons))
        else_level = [len(f.levels) - 1 for f in prepared]
        disagreement = _mostly_disagree(gamma[above], else_level)
        if identifiers is not None and identifiers.columns:
            identifying = [f.kind != "date" and f.name not in names for f in prepared]
            if any(identifying):  # a linkage on names and dates only says those identify (a birth date, not a signup day)
                disagreement |= _unsupported_new_id(gamma[above], else_level, identifying, identifiers.check(a[above], b[above]))
    vetoed = _veto(found, vetoes, a[above], b[above], checks, disagreement)
    ok = above[~vetoed]
    rule = leaders(n, a[ok], b[ok], prob[ok], kept_before)
    rows = np.nonzero(rule.partner >= 0)[0]
    ks = ok[rule.pair[rows]]
    found.partner[rows] = rule.partner[rows]
    found.similarity[rows] = np.round(prob[ks], 6)
    found.weight[rows] = np.round(weight[ks], 4)
    field_w = model.field_weights(gamma[ks], a[ks])
    names = [[f.name for f in prepared], [[lv[0] for lv in f.levels] for f in prepared]]
    for row, levels, weights, agreed in zip(rows.tolist(), gamma[ks].tolist(), field_w.tolist(), vetoes.agreed(a[ks], b[ks])):
        parts, same = [], []
        for name, level_names, level, w in zip(names[0], names[1], levels, weights):
            if level < 0:
                parts.append(f"{name} missing")
                continue
            parts.append(f"{name} {level_names[level]} {w:+.2f}")
            if level_names[level] != "else":
                same.append(name)
        found.evidence[row] = "; ".join(parts)
        found.agreed[row] = ", ".join(same + agreed) or None
    return found
