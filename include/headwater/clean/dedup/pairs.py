"""Candidate pairs from blocks, and the leader rule that turns accepted pairs into duplicates.

Rows are numbered in precedence order (earlier dates, then file name, then line). A pair is
always (earlier, later). The **leader rule** walks the rows in that order: a row is a duplicate
when it has an accepted pair with an earlier row that was kept, and it points at the best such
row (highest score, then the earliest). A duplicate never becomes anyone's representative, so
a chain a~b~c with a≁c never merges a and c (the false merges of transitive clustering), and
the outcome depends only on the rows and their order — not on batches, nor on task timing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


def _blocks(codes: np.ndarray, later: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(rows in block order, block start per row's block, block sizes, rank of each row in its block, may-be-later per row)."""
    rows = np.nonzero(codes >= 0)[0]
    order = rows[np.argsort(codes[rows], kind="stable")]  # stable: rows of a block stay in row order
    sorted_codes = codes[order]
    starts = np.nonzero(np.concatenate([[True], sorted_codes[1:] != sorted_codes[:-1]]))[0] if len(order) else np.zeros(0, np.int64)
    sizes = np.diff(np.append(starts, len(order)))
    group_of = np.repeat(np.arange(len(starts)), sizes)
    rank = np.arange(len(order)) - starts[group_of] if len(order) else np.zeros(0, np.int64)
    is_later = np.ones(len(order), dtype=bool) if later is None else later[order]
    return order, group_of, sizes, rank, is_later


def count_pairs(codes: np.ndarray, cap: int, later: np.ndarray | None = None) -> int:
    """How many pairs ``block_pairs(codes, cap, later=later)`` gives (blocks of more than ``cap`` rows skipped), without making them."""
    order, group_of, sizes, rank, is_later = _blocks(codes, later)
    small = (sizes >= 2) & (sizes <= cap)
    return int(np.where(small[group_of] & is_later, rank, 0).sum()) if len(order) else 0


def block_pairs(codes: np.ndarray, cap: int, big: str = "skip", later: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """Pairs (i, j), i < j, of rows with the same block code (codes < 0: in no block).

    ``later`` (bool per row, default all True): only pairs whose later row j is marked are made
    (the date's link step: pairs whose later row belongs to a file of this date, never two rows of
    earlier dates). A block of more than ``cap`` rows is skipped (``big="skip"``) or compared only
    with its first ``cap`` rows (``big="leaders"``). Returns (i, j, number of blocks skipped), int64.
    """
    if int((codes >= 0).sum()) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), 0
    order, group_of, sizes, rank, is_later = _blocks(codes, later)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    small = (sizes >= 2) & (sizes <= cap)
    # every pair of each small block, vectorized: the row at rank r of a block pairs with the r rows before it
    count = np.where(small[group_of] & is_later, rank, 0)
    total = int(count.sum())
    second = np.repeat(np.arange(len(order)), count)
    offset = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    i_parts, j_parts = [order[starts[group_of[second]] + offset]], [order[second]]
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
        if later is not None:
            keep = later[j_parts[-2]], later[j_parts[-1]]
            i_parts[-2], j_parts[-2] = i_parts[-2][keep[0]], j_parts[-2][keep[0]]
            i_parts[-1], j_parts[-1] = i_parts[-1][keep[1]], j_parts[-1][keep[1]]
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
    kept = (np.ones(n, dtype=bool) if kept_before is None else kept_before).tolist()
    order = np.lexsort((a, -score, b))  # by later row, best score first, then the earlier partner
    for k, first, later in zip(order.tolist(), a[order].tolist(), b[order].tolist()):
        if kept[later] and kept[first]:  # a row already decided (or decided elsewhere) never moves again
            partner[later], chosen[later] = first, k
            kept[later] = False
    return Leaders(partner, chosen)


def cluster_roots(links: Mapping[str, str]) -> dict[str, str]:
    """Per duplicate (``links``: row id -> the row it duplicates): the row its chain ends at, the
    cluster's representative (``_cluster_id``). A chain forms when a later job, or the date's link
    step, finds that a row others point at is itself a duplicate. A cycle (never made by the
    leader rule) ends at its smallest row id, so the answer is defined whatever the input.
    """
    roots: dict[str, str] = {}
    for start in links:
        path, node = [], start
        while node in links and node not in roots and node not in path:
            path.append(node)
            node = links[node]
        root = roots.get(node, node) if node not in path else min(path[path.index(node):])
        for visited in path:
            roots[visited] = root
    return roots
