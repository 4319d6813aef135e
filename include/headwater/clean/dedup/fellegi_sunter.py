"""Fellegi-Sunter record linkage: per-field comparison levels, m/u probabilities, match weights.

Sources: Fellegi & Sunter (1969), "A Theory for Record Linkage", JASA 64(328); Winkler (1990),
"String Comparator Metrics and Enhanced Decision Rules in the Fellegi-Sunter Model of Record
Linkage" (Jaro-Winkler); the splink documentation (comparison levels, term-frequency adjusted u,
u from random pairs, m by expectation maximisation on comparison vectors:
https://moj-analytical-services.github.io/splink/).

* Each field of a candidate pair falls into one **comparison level**: for names and addresses
  exact / Jaro-Winkler >= 0.92 / >= 0.80 / else; for digit strings (postcodes, social security
  numbers, compact dates) exact / Levenshtein 1 / 2 / else; for dates exact / within the
  tolerance / one character apart / else; for numbers exact / within the tolerance / else;
  booleans exact / else. A missing value on either side is no evidence (weight 0).
* **u** (the chance a level occurs between two different entities) is estimated from the data:
  deterministic random pairs of the table give each level's u, and at scoring time the exact
  level's u is the share of other rows holding the same value (term-frequency adjustment:
  agreeing on "smith" weighs less than agreeing on "kierkegaard").
* **m** (the chance a level occurs between two records of one entity) starts from priors and is
  estimated by EM over the candidate pairs with u held fixed (maximum a posteriori: the priors
  count as ``PRIOR_PAIRS`` pseudo-pairs, so a small table stays near them). EM runs on the
  distinct comparison vectors with their counts, without the term-frequency adjustment (splink's
  ``estimate_without_term_frequencies``): a few hundred vectors instead of millions of pairs.
* A pair's **match weight** is log2(lambda / (1 - lambda)) + sum over fields of log2(m / u) for
  its levels; its match probability is 2^w / (1 + 2^w). A threshold on the probability decides.

Speed: every string comparison is made once per distinct pair of values (rapidfuzz ``cpdist``,
one worker), not once per candidate pair; the rest is numpy over arrays of pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import re

import numpy as np
import pandas as pd

from headwater.clean.dedup.columns import factorized, kind_of, mangled_rows

PRIOR_PAIRS = 20.0  # weight of the m priors in EM, in pseudo-pairs
PRIOR_LAMBDA = 0.1  # prior share of matches among blocked pairs
U_SAMPLE_PAIRS = 200_000  # random pairs that estimate u
U_FLOOR = 1e-5  # smallest u: an agreement never weighs more than log2(m / 1e-5) ~ 16.6 bits
U_SEED = 20240601  # random pairs are drawn with a fixed seed: same table, same u
DENSE_CODES = 1024  # fields with at most this many distinct values dedupe their value pairs in a dense table (8 MB)

LEVELS = {
    "string": (("exact", 0.85, 0.01), ("jaro_winkler>=0.92", 0.08, 0.02), ("jaro_winkler>=0.80", 0.04, 0.08), ("else", 0.03, 0.89)),
    "digits": (("exact", 0.85, 0.01), ("levenshtein<=1", 0.09, 0.02), ("levenshtein<=2", 0.03, 0.05), ("else", 0.03, 0.92)),
    "date": (("exact", 0.85, 0.01), ("within_tolerance", 0.05, 0.02), ("levenshtein<=1", 0.06, 0.05), ("else", 0.04, 0.92)),
    "number": (("exact", 0.9, 0.01), ("within_tolerance", 0.06, 0.04), ("else", 0.04, 0.95)),
    "boolean": (("exact", 0.95, 0.5), ("else", 0.05, 0.5)),
}  # kind -> levels (name, prior m, prior u), best level first
TF_KINDS = frozenset({"string", "digits", "date"})  # kinds whose exact level uses the term-frequency u


@dataclass
class Field:
    """One compared field: its kind, its distinct values, and its estimated m and u per level.

    ``codes`` (int64 per row, -1: missing) index ``values`` (the distinct comparable texts),
    ``number`` (float64 per distinct value: days for dates, the value for numbers, NaN when it
    does not parse) and ``tf_u`` (per distinct value: the share of the other rows holding it,
    smoothed by the exact level's prior u).
    """

    name: str
    kind: str
    values: np.ndarray
    codes: np.ndarray
    number: np.ndarray | None
    tf_u: np.ndarray
    m: np.ndarray = field(default_factory=lambda: np.zeros(0))
    u: np.ndarray = field(default_factory=lambda: np.zeros(0))
    mangled: np.ndarray | None = None  # bool per row: an id Excel wrote in scientific notation (compare: _mangled_levels)

    @property
    def levels(self) -> tuple[tuple[str, float, float], ...]:
        return LEVELS[self.kind]


def _field(name: str, series: pd.Series, mangled: np.ndarray | None = None) -> Field:
    """``mangled`` (bool per row, or None): ids Excel wrote in scientific notation (headwater.clean.dedup.columns.mangled_rows),
    compared by the ranges they stand for (``_mangled_levels``), never as equal values."""
    kind = kind_of(series)
    codes, values = factorized(series, fold_case=True)  # evidence: a case difference is a spelling
    counts = np.bincount(codes[codes >= 0], minlength=len(values)).astype(np.int64)
    number = None
    if kind == "date":
        stamps = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce", utc=True, format="ISO8601")
        # whole days since the epoch, whatever the resolution pandas parsed to (pandas 3 picks seconds or
        # microseconds for these strings: dividing their int64 by nanoseconds a day made every date of a
        # few years the same day, so any two such dates counted as "within tolerance")
        days = np.floor((stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(days=1))
        number = days.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)
    elif kind == "number":
        number = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    elif kind == "string" and counts.sum():
        digits = np.fromiter((v.isdigit() for v in values), dtype=bool, count=len(values))
        if counts[digits].sum() >= 0.9 * counts.sum():
            kind = "digits"
    filled_rows = int(counts.sum())
    prior = LEVELS[kind][0][2]
    tf = (counts - 1 + PRIOR_PAIRS * prior) / (max(filled_rows - 1, 0) + PRIOR_PAIRS)
    return Field(name, kind, values, codes, number, tf.astype(np.float64), mangled=mangled)


# ``1.23457E+11``: the mantissa's digits and the exponent of an id Excel wrote in scientific notation
_SCIENTIFIC = re.compile(r"^\s*([+-]?)(\d)[.,](\d+)[eE]\+(\d+)\s*$")


def excel_range(text: str) -> tuple[int, int] | None:
    """The integers an id Excel wrote in scientific notation may stand for: ``1.23457E+11`` -> (123456500000, 123457499999),
    the values that round to its six significant digits (Excel's General format keeps a mantissa and drops the rest:
    Microsoft, "Display numbers in scientific (exponential) notation"). None when ``text`` is not such a number."""
    m = _SCIENTIFIC.match(text)
    if not m or int(m[4]) < len(m[3]):
        return None
    digits, exponent = m[2] + m[3], int(m[4]) - len(m[3])
    unit = 10**exponent
    middle = int(digits) * unit
    low, high = middle - unit // 2, middle + (unit - 1) // 2 if unit > 1 else middle
    return (-high, -low) if m[1] == "-" else (low, high)


def _mangled_levels(f: Field, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """In ``out`` (levels per pair, in place), the pairs where a side is an Excel-mangled id (``f.mangled``): two ids
    whose ranges cannot meet (``1.23457E+11`` and ``1.23458E+11``, or ``123999999999`` beside ``1.23457E+11``) disagree
    (the field's last level, ``else``); ids that may be one (the same mangled text, or a full id inside its range) are no
    evidence (-1): the lost digits are not guessed, and a merge never rests on them (breaker6 #3)."""
    if f.mangled is None:
        return
    either = np.flatnonzero((f.mangled[a] | f.mangled[b]) & (f.codes[a] >= 0) & (f.codes[b] >= 0))
    last = len(f.levels) - 1
    for k in either.tolist():
        x, y = str(f.values[f.codes[a[k]]]), str(f.values[f.codes[b[k]]])
        rx, ry = excel_range(x), excel_range(y)
        if rx is None and x.strip().isdigit():
            rx = (int(x), int(x))
        if ry is None and y.strip().isdigit():
            ry = (int(y), int(y))
        if rx is None or ry is None:
            out[k] = -1  # a side that is no number: nothing to compare the lost digits with
        else:
            out[k] = -1 if rx[0] <= ry[1] and ry[0] <= rx[1] else last


def prepare(frame: dict[str, pd.Series] | pd.DataFrame, names: list[str]) -> list[Field]:
    """The fields ``names`` of a table (whole columns), ready to compare; an id Excel wrote in scientific notation
    (``<col>__reason`` ``excel_scientific_notation``) is compared by the range it stands for (``_mangled_levels``).
    Raises KeyError for a missing column."""
    return [_field(n, frame[n], mangled_rows(frame, n)) for n in names]


def _levels_of_values(f: Field, x: np.ndarray, y: np.ndarray, date_tolerance: int, numeric_tolerance: float) -> np.ndarray:
    """Comparison levels (int8) for pairs of distinct, non-missing value codes ``x[k] != y[k]`` of field ``f``."""
    from rapidfuzz.distance import JaroWinkler, Levenshtein
    from rapidfuzz.process import cpdist

    if f.kind == "string":
        sim = cpdist(f.values[x], f.values[y], scorer=JaroWinkler.normalized_similarity, workers=1)
        return np.where(sim >= 0.92, 1, np.where(sim >= 0.80, 2, 3)).astype(np.int8)
    if f.kind == "digits":
        dist = cpdist(f.values[x], f.values[y], scorer=Levenshtein.distance, workers=1, score_cutoff=3)
        return np.where(dist <= 1, 1, np.where(dist <= 2, 2, 3)).astype(np.int8)
    if f.kind == "date":
        assert f.number is not None
        gap = np.abs(f.number[x] - f.number[y])
        dist = cpdist(f.values[x], f.values[y], scorer=Levenshtein.distance, workers=1, score_cutoff=2)
        return np.where(gap <= date_tolerance, 1, np.where(dist <= 1, 2, 3)).astype(np.int8)
    if f.kind == "number":
        assert f.number is not None
        a, b = f.number[x], f.number[y]
        scale = np.maximum(np.abs(a), np.abs(b))
        return np.where(np.abs(a - b) <= numeric_tolerance * np.where(scale > 0, scale, 1.0), 1, 2).astype(np.int8)
    return np.full(len(x), len(f.levels) - 1, dtype=np.int8)


def compare(f: Field, a: np.ndarray, b: np.ndarray, date_tolerance: int = 0, numeric_tolerance: float = 0.0) -> np.ndarray:
    """The comparison level of field ``f`` for each pair (rows a[k], b[k]): 0 = best level, -1 = a value missing.

    int8 array of len(a). Each distinct pair of values is compared once: pairs of a field with
    few distinct values (names, suburbs) cost a table lookup, not a string comparison.
    """
    ca, cb = f.codes[a], f.codes[b]
    out = np.zeros(len(a), dtype=np.int8)
    missing = (ca < 0) | (cb < 0)
    todo = np.nonzero(~missing & (ca != cb))[0]
    if len(todo):
        lo, hi = np.minimum(ca[todo], cb[todo]), np.maximum(ca[todo], cb[todo])  # every scorer here is symmetric
        k = np.int64(len(f.values))
        key = lo * k + hi
        if len(f.values) <= DENSE_CODES:
            seen = np.zeros(int(k * k), dtype=bool)
            seen[key] = True
            distinct = np.flatnonzero(seen)
            slot = np.zeros(int(k * k), dtype=np.int64)
            slot[distinct] = np.arange(len(distinct))
            inverse = slot[key]
        elif len(todo) > 4 * len(f.values):
            distinct, inverse = np.unique(key, return_inverse=True)
        else:  # mostly distinct value pairs anyway: compare them as they come
            distinct, inverse = key, np.arange(len(key))
        out[todo] = _levels_of_values(f, distinct // k, distinct % k, date_tolerance, numeric_tolerance)[inverse]
    out[missing] = -1
    _mangled_levels(f, a, b, out)
    return out


def random_pairs(n: int, count: int, seed: int = U_SEED) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random pairs of distinct rows of an n-row table (every pair when there are fewer), deterministic."""
    total = n * (n - 1) // 2
    if total <= count:
        i, j = np.triu_indices(n, k=1)
        return i.astype(np.int64), j.astype(np.int64)
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, size=count)
    j = rng.integers(0, n - 1, size=count)
    j = np.where(j >= i, j + 1, j)
    return np.minimum(i, j).astype(np.int64), np.maximum(i, j).astype(np.int64)


def estimate_u(fields: list[Field], n: int, date_tolerance: int = 0, numeric_tolerance: float = 0.0) -> None:
    """Set each field's u per level from ``U_SAMPLE_PAIRS`` random pairs of the table, with the prior u as ``PRIOR_PAIRS`` pseudo-pairs."""
    a, b = random_pairs(n, U_SAMPLE_PAIRS)
    for f in fields:
        prior = np.array([lv[2] for lv in f.levels])
        counts = np.zeros(len(prior))
        if len(a):
            gamma = compare(f, a, b, date_tolerance, numeric_tolerance)
            counts = np.bincount(gamma[gamma >= 0].astype(np.int64), minlength=len(prior)).astype(np.float64)
        f.u = np.maximum((counts + PRIOR_PAIRS * prior) / (counts.sum() + PRIOR_PAIRS), U_FLOOR)


@dataclass
class Model:
    """A fitted Fellegi-Sunter model: fields with m and u, and lambda (prior share of matches among candidate pairs)."""

    fields: list[Field]
    lam: float = PRIOR_LAMBDA
    date_tolerance: int = 0
    numeric_tolerance: float = 0.0
    iterations: int = 0

    def gammas(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Comparison levels, (pairs x fields) int8, -1 where a value is missing."""
        if not len(self.fields):
            return np.zeros((len(a), 0), dtype=np.int8)
        return np.stack([compare(f, a, b, self.date_tolerance, self.numeric_tolerance) for f in self.fields], axis=1)

    def _field_weight(self, k: int, g: np.ndarray, a: np.ndarray) -> np.ndarray:
        f = self.fields[k]
        w = np.log2(f.m / f.u)
        out = np.where(g >= 0, w[np.maximum(g, 0)], 0.0)
        if f.kind in TF_KINDS:
            exact = np.nonzero(g == 0)[0]
            out[exact] = np.log2(f.m[0] / np.maximum(f.tf_u[f.codes[a[exact]]], U_FLOOR))
        return out

    def field_weights(self, gamma: np.ndarray, a: np.ndarray) -> np.ndarray:
        """log2(m/u) per pair and field, float64 (pairs x fields), 0 where a value is missing; the
        exact level of names, digit strings and dates uses the term-frequency u of the value (row ``a[k]``'s)."""
        out = np.zeros(gamma.shape, dtype=np.float64)
        for k in range(len(self.fields)):
            out[:, k] = self._field_weight(k, gamma[:, k], a)
        return out

    def weights(self, gamma: np.ndarray, a: np.ndarray) -> np.ndarray:
        """Match weight per pair (bits): log2 prior odds plus the field weights (term-frequency adjusted).

        Summed field by field: memory stays at two float64 arrays of len(a).
        """
        total = np.full(len(a), np.log2(self.lam / (1 - self.lam)), dtype=np.float64)
        for k in range(len(self.fields)):
            total += self._field_weight(k, gamma[:, k], a)
        return total


def probability(weight: np.ndarray) -> np.ndarray:
    """Match probability from a match weight in bits."""
    return 1.0 / (1.0 + np.exp2(-np.clip(weight, -60, 60)))


def comparison_vectors(gamma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct rows of ``gamma`` (vectors x fields, int8), how many pairs share each), in a fixed order."""
    if not len(gamma):
        return gamma, np.zeros(0, dtype=np.int64)
    if gamma.shape[1] == 0:
        return gamma[:1], np.array([len(gamma)], dtype=np.int64)
    if gamma.shape[1] <= 27:  # 5 ** 27 < 2 ** 63: one int64 key per vector (levels -1..3 shifted to 0..4)
        key = np.zeros(len(gamma), dtype=np.int64)
        for k in range(gamma.shape[1]):
            key = key * 5 + (gamma[:, k].astype(np.int64) + 1)
        distinct, first, counts = np.unique(key, return_index=True, return_counts=True)
        return gamma[first], counts.astype(np.int64)
    vectors, counts = np.unique(gamma, axis=0, return_counts=True)
    return vectors, counts.astype(np.int64)


def fit(fields: list[Field], n: int, a: np.ndarray, b: np.ndarray, iterations: int = 25,
        date_tolerance: int = 0, numeric_tolerance: float = 0.0) -> tuple[Model, np.ndarray]:
    """Estimate u from the table and m, lambda by EM over the candidate pairs (a, b).

    Returns the model and the candidate pairs' comparison levels (pairs x fields), which the
    caller scores with the fitted model. Deterministic: fixed seed, fixed number of rounds
    (stops early only when nothing moves by more than 1e-6), vectors in sorted order.
    """
    estimate_u(fields, n, date_tolerance, numeric_tolerance)
    for f in fields:
        f.m = np.array([lv[1] for lv in f.levels])
    model = Model(fields, PRIOR_LAMBDA, date_tolerance, numeric_tolerance)
    gamma = model.gammas(a, b)
    if not len(a):
        return model, gamma
    vectors, counts = comparison_vectors(gamma)
    total = float(counts.sum())
    for it in range(iterations):
        w = np.full(len(vectors), np.log2(model.lam / (1 - model.lam)))
        for k, f in enumerate(fields):  # without the term-frequency adjustment
            w += np.where(vectors[:, k] >= 0, np.log2(f.m / f.u)[np.maximum(vectors[:, k], 0)], 0.0)
        expected = probability(w) * counts  # expected matches per vector
        moved = 0.0
        for k, f in enumerate(fields):
            g = vectors[:, k]
            prior = np.array([lv[1] for lv in f.levels])
            got = np.bincount(np.maximum(g, 0).astype(np.int64), weights=np.where(g >= 0, expected, 0.0), minlength=len(prior))
            new = (got + PRIOR_PAIRS * prior) / (got.sum() + PRIOR_PAIRS)
            moved = max(moved, float(np.abs(new - f.m).max()))
            f.m = new
        lam = float((expected.sum() + PRIOR_PAIRS * PRIOR_LAMBDA) / (total + PRIOR_PAIRS))
        moved = max(moved, abs(lam - model.lam))
        model.lam = min(max(lam, 1e-6), 1 - 1e-6)
        model.iterations = it + 1
        if moved < 1e-6:
            break
    return model, gamma
