"""Fellegi-Sunter record linkage: per-field comparison levels, m/u probabilities, match weights.

Sources: Fellegi & Sunter (1969), "A Theory for Record Linkage", JASA 64(328); Winkler (1990),
"String Comparator Metrics and Enhanced Decision Rules in the Fellegi-Sunter Model of Record
Linkage" (Jaro-Winkler); the splink documentation (comparison levels, term-frequency adjusted u,
u from random pairs, m by expectation maximisation: https://moj-analytical-services.github.io/splink/).

* Each field of a candidate pair falls into one **comparison level**: for names and addresses
  exact / Jaro-Winkler >= 0.92 / >= 0.80 / else; for digit strings (postcodes, social security
  numbers, compact dates) exact / Levenshtein 1 / 2 / else; for dates exact / within the
  tolerance / one character apart / else; for numbers exact / within the tolerance / else;
  booleans exact / else. A missing value on either side is no evidence (weight 0).
* **u** (the chance a level occurs between two different entities) is estimated from the data:
  deterministic random pairs of the table give each level's u, and the exact level's u is the
  share of other rows holding the same value (term-frequency adjustment: agreeing on "smith"
  weighs less than agreeing on "kierkegaard").
* **m** (the chance a level occurs between two records of one entity) starts from priors and is
  estimated by EM over the blocked candidate pairs with u held fixed (maximum a posteriori: the
  priors count as ``PRIOR_PAIRS`` pseudo-pairs, so a small table stays near them).
* A pair's **match weight** is log2(lambda / (1 - lambda)) + sum over fields of log2(m / u) for
  its levels; its match probability is 2^w / (1 + 2^w). A threshold on the probability decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from headwater.clean.dedup.columns import codes_of, comparable, kind_of, numbers

PRIOR_PAIRS = 20.0  # weight of the m priors in EM, in pseudo-pairs
PRIOR_LAMBDA = 0.1  # prior share of matches among blocked pairs
U_SAMPLE_PAIRS = 200_000  # random pairs that estimate u
U_FLOOR = 1e-5  # smallest u: an agreement never weighs more than log2(m / 1e-5) ~ 16.6 bits
U_SEED = 20240601  # random pairs are drawn with a fixed seed: same table, same u

LEVELS = {
    "string": (("exact", 0.85, 0.01), ("jaro_winkler>=0.92", 0.08, 0.02), ("jaro_winkler>=0.80", 0.04, 0.08), ("else", 0.03, 0.89)),
    "digits": (("exact", 0.85, 0.01), ("levenshtein<=1", 0.09, 0.02), ("levenshtein<=2", 0.03, 0.05), ("else", 0.03, 0.92)),
    "date": (("exact", 0.85, 0.01), ("within_tolerance", 0.05, 0.02), ("levenshtein<=1", 0.06, 0.05), ("else", 0.04, 0.92)),
    "number": (("exact", 0.9, 0.01), ("within_tolerance", 0.06, 0.04), ("else", 0.04, 0.95)),
    "boolean": (("exact", 0.95, 0.5), ("else", 0.05, 0.5)),
}  # kind -> levels (name, prior m, prior u), best level first


@dataclass
class Field:
    """One compared field: its kind, values prepared for comparison, and its estimated m and u per level."""

    name: str
    kind: str
    text: list[str | None]
    codes: np.ndarray  # int64 per row, -1: missing
    number: np.ndarray | None  # float64 per row (number and date kinds)
    tf_u: np.ndarray  # per row: share of the other rows with the same value (term-frequency u of the exact level), smoothed
    m: np.ndarray = field(default_factory=lambda: np.zeros(0))
    u: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def levels(self) -> tuple[tuple[str, float, float], ...]:
        return LEVELS[self.kind]


def _field(name: str, series: pd.Series) -> Field:
    kind = kind_of(series)
    text = comparable(series)
    number = None
    if kind == "date":
        stamps = pd.to_datetime(pd.Series(text, dtype=object), errors="coerce", utc=True)
        number = (stamps.astype("int64") // 86_400_000_000_000).astype("float64").where(stamps.notna()).to_numpy(dtype=np.float64, na_value=np.nan)
    elif kind == "number":
        number = numbers(series)
    elif kind == "string":
        filled = [t for t in text if t is not None]
        if filled and sum(t.isdigit() for t in filled) >= 0.9 * len(filled):
            kind = "digits"
    codes = codes_of(text)
    counts = np.bincount(codes[codes >= 0], minlength=int(codes.max()) + 1 if len(codes) and codes.max() >= 0 else 0)
    filled_rows = int((codes >= 0).sum())
    # the share of the other rows with the same value, the exact level's prior u as PRIOR_PAIRS pseudo-rows
    prior = LEVELS[kind][0][2]
    same = counts[np.maximum(codes, 0)] - 1 if len(counts) else np.zeros(len(codes))
    tf = np.where(codes >= 0, (same + PRIOR_PAIRS * prior) / (max(filled_rows - 1, 0) + PRIOR_PAIRS), prior)
    return Field(name, kind, text, codes, number, tf)


def prepare(frame: dict[str, pd.Series] | pd.DataFrame, names: list[str]) -> list[Field]:
    """The fields ``names`` of a table (whole columns), ready to compare. Raises KeyError for a missing column."""
    return [_field(n, frame[n]) for n in names]


def compare(f: Field, a: np.ndarray, b: np.ndarray, date_tolerance: int = 0, numeric_tolerance: float = 0.0) -> np.ndarray:
    """The comparison level of field ``f`` for each pair (rows a[k], b[k]): 0 = best level, -1 = a value missing."""
    from rapidfuzz.distance import JaroWinkler, Levenshtein
    from rapidfuzz.process import cpdist

    n_levels = len(f.levels)
    out = np.full(len(a), n_levels - 1, dtype=np.int8)
    ca, cb = f.codes[a], f.codes[b]
    missing = (ca < 0) | (cb < 0)
    exact = (ca == cb) & ~missing
    out[exact] = 0
    todo = np.nonzero(~missing & ~exact)[0]
    if len(todo):
        ta = [f.text[i] for i in a[todo].tolist()]
        tb = [f.text[i] for i in b[todo].tolist()]
        if f.kind == "string":
            sim = cpdist(ta, tb, scorer=JaroWinkler.normalized_similarity, workers=1)
            out[todo] = np.where(sim >= 0.92, 1, np.where(sim >= 0.80, 2, 3))
        elif f.kind == "digits":
            dist = cpdist(ta, tb, scorer=Levenshtein.distance, workers=1, score_cutoff=3)
            out[todo] = np.where(dist <= 1, 1, np.where(dist <= 2, 2, 3))
        elif f.kind == "date":
            gap = np.abs(f.number[a[todo]] - f.number[b[todo]])
            dist = cpdist(ta, tb, scorer=Levenshtein.distance, workers=1, score_cutoff=2)
            out[todo] = np.where(gap <= date_tolerance, 1, np.where(dist <= 1, 2, 3))
        elif f.kind == "number":
            x, y = f.number[a[todo]], f.number[b[todo]]
            scale = np.maximum(np.abs(x), np.abs(y))
            out[todo] = np.where(np.abs(x - y) <= numeric_tolerance * np.where(scale > 0, scale, 1.0), 1, 2)
    out[missing] = -1
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
    """Set each field's u per level from random pairs of the table, with the prior u as 1/U_FLOOR-limited pseudo-counts."""
    a, b = random_pairs(n, U_SAMPLE_PAIRS)
    for f in fields:
        prior = np.array([lv[2] for lv in f.levels])
        if len(a):
            gamma = compare(f, a, b, date_tolerance, numeric_tolerance)
            counts = np.bincount(gamma[gamma >= 0].astype(np.int64), minlength=len(prior)).astype(np.float64)
        else:
            counts = np.zeros(len(prior))
        f.u = np.maximum((counts + PRIOR_PAIRS * prior) / (counts.sum() + PRIOR_PAIRS), U_FLOOR)


@dataclass
class Model:
    """A fitted Fellegi-Sunter model: fields with m and u, and lambda (prior share of matches among blocked pairs)."""

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

    def field_weights(self, gamma: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """log2(m/u) per pair and field (0 where a value is missing); the exact level uses term-frequency u."""
        out = np.zeros(gamma.shape, dtype=np.float64)
        for k, f in enumerate(self.fields):
            g = gamma[:, k]
            ok = g >= 0
            gi = np.maximum(g, 0).astype(np.int64)
            u = f.u[gi]
            exact = g == 0
            if f.kind in ("string", "digits", "date"):
                u = np.where(exact, np.maximum(np.maximum(f.tf_u[a], f.tf_u[b]), U_FLOOR), u)
            out[:, k] = np.where(ok, np.log2(f.m[gi] / u), 0.0)
        return out

    def weights(self, gamma: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Match weight per pair (bits): log2 prior odds plus the field weights."""
        return np.log2(self.lam / (1 - self.lam)) + self.field_weights(gamma, a, b).sum(axis=1)


def probability(weight: np.ndarray) -> np.ndarray:
    """Match probability from a match weight in bits."""
    return 1.0 / (1.0 + np.exp2(-np.clip(weight, -60, 60)))


def fit(fields: list[Field], n: int, a: np.ndarray, b: np.ndarray, iterations: int = 25,
        date_tolerance: int = 0, numeric_tolerance: float = 0.0) -> tuple[Model, np.ndarray]:
    """Estimate u from the table and m, lambda by EM over the candidate pairs (a, b).

    Returns the model and the candidate pairs' comparison levels (pairs x fields), which the
    caller scores with the fitted model. Deterministic: fixed seed, fixed number of rounds
    (stops early only when nothing moves by more than 1e-6).
    """
    estimate_u(fields, n, date_tolerance, numeric_tolerance)
    for f in fields:
        f.m = np.array([lv[1] for lv in f.levels])
    model = Model(fields, PRIOR_LAMBDA, date_tolerance, numeric_tolerance)
    gamma = model.gammas(a, b)
    if not len(a):
        return model, gamma
    for it in range(iterations):
        p = probability(model.weights(gamma, a, b))
        moved = 0.0
        for k, f in enumerate(fields):
            g = gamma[:, k]
            prior = np.array([lv[1] for lv in f.levels])
            counts = np.bincount(np.maximum(g, 0).astype(np.int64), weights=np.where(g >= 0, p, 0.0), minlength=len(prior))
            new = (counts + PRIOR_PAIRS * prior) / (counts.sum() + PRIOR_PAIRS)
            moved = max(moved, float(np.abs(new - f.m).max()))
            f.m = new
        lam = float((p.sum() + PRIOR_PAIRS * PRIOR_LAMBDA) / (len(p) + PRIOR_PAIRS))
        moved = max(moved, abs(lam - model.lam))
        model.lam = min(max(lam, 1e-6), 1 - 1e-6)
        model.iterations = it + 1
        if moved < 1e-6:
            break
    return model, gamma
