"""Candidate pairs from blocks, and the leader rule that turns accepted pairs into duplicates.

Rows are numbered in precedence order (earlier dates, then file name, then line). A pair is
always (earlier, later). The **leader rule** walks the rows in that order: a row is a duplicate
when it has an accepted pair with an earlier row that was kept, and it points at the best such
row (highest score, then the earliest). A duplicate never becomes anyone's representative, so
a chain a~b~c with a≁c never merges a and c (the false merges of transitive clustering), and
the outcome depends only on the rows and their order — not on batches, nor on task timing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def block_pairs(codes: np.ndarray, cap: int, big: str = "skip") -> tuple[np.ndarray, np.ndarray, int]:
    """Pairs (i, j), i < j, of rows with the same block code (codes < 0: in no block).

    A block of more than ``cap`` rows is skipped (``big="skip"``) or compared only with its first
    ``cap`` rows (``big="leaders"``). Returns (i, j, number of blocks skipped). Arrays are int64.
    """
    rows = np.nonzero(codes >= 0)[0]
    if len(rows) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), 0
    order = rows[np.argsort(codes[rows], kind="stable")]  # stable: rows of a block stay in row order
    sorted_codes = codes[order]
    starts = np.nonzero(np.concatenate([[True], sorted_codes[1:] != sorted_codes[:-1]]))[0]
    sizes = np.diff(np.append(starts, len(order)))
    small = (sizes >= 2) & (sizes <= cap)
    # every pair of each small block, vectorized: the element at rank k of a block of size s pairs with the s-1-k after it
    group_of = np.repeat(np.arange(len(starts)), sizes)
    rank = np.arange(len(order)) - starts[group_of]
    count = np.where(small[group_of], sizes[group_of] - 1 - rank, 0)
    total = int(count.sum())
    first = np.repeat(np.arange(len(order)), count)
    offset = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    i_parts, j_parts = [order[first]], [order[first + 1 + offset]]
    skipped = 0
    for g in np.nonzero(sizes > cap)[0].tolist():
        if big != "leaders":
            skipped += 1
            continue
        members = order[starts[g] : starts[g] + sizes[g]]
        lead = members[:cap]
        li, lj = np.triu_indices(len(lead), k=1)
        i_parts += [lead[li], np.repeat(lead, len(members) - cap)]
        j_parts += [lead[lj], np.tile(members[cap:], len(lead))]
    return np.concatenate(i_parts).astype(np.int64), np.concatenate(j_parts).astype(np.int64), skipped


def unique_pairs(i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct pairs, as (min, max), sorted by later row then earlier row."""
    if not len(i):
        return i, j
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    keep = lo != hi
    packed = np.unique(hi[keep].astype(np.int64) * (1 << 32) + lo[keep])
    return packed & ((1 << 32) - 1), packed >> 32


@dataclass
class Leaders:
    """The leader rule's outcome: per row, the kept row it duplicates (-1: kept) and the pair's index."""

    partner: np.ndarray  # int64 per row
    pair: np.ndarray  # int64 per row: index into the accepted pairs (-1: kept)


def leaders(n: int, a: np.ndarray, b: np.ndarray, score: np.ndarray, kept_before: np.ndarray | None = None) -> Leaders:
    """Apply the leader rule to accepted pairs (a[k] < b[k] in precedence order, with their scores).

    ``kept_before``: rows whose fate is already decided (True: kept; rows given as False are
    duplicates decided elsewhere and never represent anyone). Rows not covered start as kept.
    """
    partner = np.full(n, -1, dtype=np.int64)
    chosen = np.full(n, -1, dtype=np.int64)
    if not len(a):
        return Leaders(partner, chosen)
    kept = np.ones(n, dtype=bool) if kept_before is None else kept_before.copy()
    order = np.lexsort((a, -score, b))  # by later row, best score first, then the earlier partner
    b_sorted = b[order]
    starts = np.nonzero(np.concatenate([[True], b_sorted[1:] != b_sorted[:-1]]))[0]
    ends = np.append(starts[1:], len(order))
    for s, e in zip(starts.tolist(), ends.tolist()):
        row = int(b_sorted[s])
        if not kept[row]:  # decided elsewhere (a duplicate already)
            continue
        for k in order[s:e].tolist():
            if kept[a[k]]:
                partner[row], chosen[row] = a[k], k
                kept[row] = False
                break
    return Leaders(partner, chosen)
