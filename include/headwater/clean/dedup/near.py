"""Near duplicates: MinHash LSH over the record text finds candidates, rapidfuzz on short fields scores them.

Scoring is separate from deciding. A candidate pair (from an exact key or a shared LSH band)
gets a similarity score — the lowest rapidfuzz ratio over the short fields both records fill in
(names, e-mails, addresses), and, when either record has a long (free-text) value, the MinHash
estimate of the Jaccard similarity of the two records' character shingles too — and
``DedupOptions.threshold`` decides. Duplicates form clusters; the earliest member (earlier
file, then lower line) is the representative and stays curated, the others go to the duplicates
record with ``_duplicate_of`` (the row they matched best), ``_cluster_id`` (the representative's
row id) and ``_similarity``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from headwater.clean.dedup.minhash import EMPTY, as_string, band_keys, content_keys, estimate_similarity, minhash_signatures, record_text
from headwater.clean.dedup.state import DedupState, earliest_per_run
from headwater.clean.steps.base import CLUSTER_ID, DUPLICATE_OF, LINE, ROW_ID, SIMILARITY, SOURCE, StepOutput, data_columns, is_value_column
from headwater.config.dedup import DedupOptions
from headwater.names import looks_like_identifier


@dataclass
class Matches:
    """Accepted pairs of one batch: incoming row -> its best match (a batch row or a ref row)."""

    dup_rows: np.ndarray  # batch positions that are duplicates
    partner_row_id: list[str]
    cluster_id: list[str]
    similarity: np.ndarray


def compare_columns(df: pd.DataFrame, options: DedupOptions, identifiers: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The data columns near-duplicate detection compares."""
    data = [c for c in df.columns if is_value_column(c)]
    if options.columns is not None:
        missing = [c for c in options.columns if c not in data]
        if missing:
            raise ValueError(f"dedup.columns: {', '.join(missing)} not in the data (columns: {', '.join(data)})")
        return list(options.columns)
    skip = set(options.ignore) | set(identifiers)
    return [c for c in data if c not in skip and not looks_like_identifier(c)]


def short_fields(df: pd.DataFrame, columns: list[str], max_chars: int) -> tuple[pa.Table, np.ndarray]:
    """Lower-cased values of ``columns`` up to ``max_chars`` long (longer or missing: null), and
    per row whether some value was longer (free text, compared through MinHash instead)."""
    out = {}
    has_long = np.zeros(len(df), dtype=bool)
    for c in columns:
        arr = pc.utf8_lower(as_string(df[c]))
        too_long = pc.fill_null(pc.greater(pc.utf8_length(arr), max_chars), False)
        has_long |= too_long.to_numpy(zero_copy_only=False)
        empty = pc.fill_null(pc.equal(arr, ""), True)
        out[c] = pc.if_else(pc.or_(too_long, empty), pa.scalar(None, pa.large_string()), arr)
    return (pa.table(out) if out else pa.table({"_": pa.nulls(len(df))}).drop(["_"])), has_long


def field_similarity(a: dict[str, list[str | None]], b: dict[str, list[str | None]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per pair, the lowest rapidfuzz ratio (0-1) over the short fields both records fill in (1.0 when
    none), and how many fields were compared."""
    from rapidfuzz import fuzz
    from rapidfuzz.process import cpdist

    lowest = np.ones(n)
    compared = np.zeros(n, dtype=np.int64)
    for c in a:
        va, vb = a[c], b.get(c, [None] * n)
        both = np.array([x is not None and y is not None for x, y in zip(va, vb)], dtype=bool)
        if not both.any():
            continue
        idx = np.nonzero(both)[0]
        scores = cpdist([va[i] for i in idx], [vb[i] for i in idx], scorer=fuzz.ratio, workers=1) / 100.0
        lowest[idx] = np.minimum(lowest[idx], scores)
        compared[idx] += 1
    return lowest, compared


def _within_batch_pairs(bands: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (earliest row of a bucket, other row of it) for every band bucket with several rows."""
    n, b = bands.shape
    rows = np.repeat(np.arange(n, dtype=np.int64), b)[np.repeat(valid, b)]
    flat = bands.reshape(-1)[np.repeat(valid, b)]
    order = np.argsort(flat)
    flat, rows = flat[order], rows[order]
    head = earliest_per_run(flat, rows)
    keep = head != rows
    pairs = np.unique(np.stack([head[keep], rows[keep]], axis=1), axis=0) if keep.any() else np.zeros((0, 2), dtype=np.int64)
    return pairs[:, 0], pairs[:, 1]


def _score(
    sig_a: np.ndarray, sig_b: np.ndarray, has_long: np.ndarray,
    fields: Callable[[np.ndarray], tuple[dict[str, list[str | None]], dict[str, list[str | None]]]], options: DedupOptions,
) -> np.ndarray:
    """Similarity of candidate pairs: min(field ratios, MinHash estimate if a long value is involved).

    With no long value and at least one short field compared, the MinHash estimate only served to
    find the pair: on short records a one-letter typo moves it more than it should. ``fields(idx)``
    returns both sides' short fields for the pairs ``idx``, fetched only for pairs still in the running.
    """
    n = len(sig_a)
    if not n:
        return np.zeros(0)
    jaccard = estimate_similarity(sig_a, sig_b)
    sim = np.where(has_long, jaccard, 1.0)
    todo = np.nonzero(sim >= options.threshold)[0]  # the field comparison is the costly part
    if len(todo):
        a, b = fields(todo)
        lowest, compared = field_similarity(a, b, len(todo))
        sim[todo] = np.where(compared > 0, np.minimum(sim[todo], lowest), jaccard[todo])
    return sim


def _rows_of(table: pa.Table, rows: np.ndarray) -> dict[str, list[str | None]]:
    taken = table.take(pa.array(rows, pa.int64())) if table.num_columns else table
    return {c: taken[c].to_pylist() for c in table.column_names}


def find_near_duplicates(
    batch_sig8: np.ndarray, batch_bands: np.ndarray, batch_fields: pa.Table, batch_row_ids: list[str],
    valid: np.ndarray, state: DedupState, options: DedupOptions, batch_has_long: np.ndarray | None = None,
) -> Matches:
    """Score candidate pairs within the batch and against the refs; cluster the accepted ones."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(batch_row_ids)
    batch_has_long = np.zeros(n, dtype=bool) if batch_has_long is None else batch_has_long
    columns = batch_fields.column_names
    # Candidates inside the batch.
    a, b = _within_batch_pairs(batch_bands, valid)
    # Candidates against rows kept earlier (earlier batches, earlier files).
    rows, refs = state.lookup_bands(batch_bands)
    keep = valid[rows]
    rows, refs = rows[keep], refs[keep]
    if len(rows):
        uniq = np.unique(np.stack([rows, refs], axis=1), axis=0)
        rows, refs = uniq[:, 0], uniq[:, 1]

    # Score: short-field ratios, and the MinHash estimate when free text is involved.
    long_in = batch_has_long[a] | batch_has_long[b]
    long_ref = batch_has_long[rows] | state.ref_has_long(refs)
    sim_in = _score(
        batch_sig8[a], batch_sig8[b], long_in, lambda idx: (_rows_of(batch_fields, a[idx]), _rows_of(batch_fields, b[idx])), options
    )
    sim_ref = _score(
        batch_sig8[rows], state.ref_sig8(refs), long_ref,
        lambda idx: (_rows_of(batch_fields, rows[idx]), state.ref_fields(refs[idx], columns)), options,
    )
    # Decide.
    ok_in, ok_ref = sim_in >= options.threshold, sim_ref >= options.threshold
    a, b, sim_in = a[ok_in], b[ok_in], sim_in[ok_in]
    rows, refs, sim_ref = rows[ok_ref], refs[ok_ref], sim_ref[ok_ref]
    if not len(a) and not len(rows):
        return Matches(np.zeros(0, dtype=np.int64), [], [], np.zeros(0))

    # Cluster: nodes 0..n-1 are batch rows, n.. are the refs involved.
    ref_nodes, ref_local = np.unique(refs, return_inverse=True)
    src = np.concatenate([a, rows])
    dst = np.concatenate([b, n + ref_local])
    sims = np.concatenate([sim_in, sim_ref])
    size = n + len(ref_nodes)
    graph = coo_matrix((np.ones(len(src)), (src, dst)), shape=(size, size))
    _, label = connected_components(graph, directed=False)
    # Representative: a ref if the cluster has one (the earliest: refs are numbered in order), else its first batch row.
    rank = np.concatenate([np.arange(n, dtype=np.int64) + size, ref_nodes.astype(np.int64) - size - state.refs.size])
    rep = np.full(label.max() + 1, -1, dtype=np.int64)
    touched = np.unique(np.concatenate([src, dst]))
    for node in touched[np.argsort(rank[touched], kind="stable")].tolist():
        if rep[label[node]] == -1:
            rep[label[node]] = node
    dup_rows = np.array(sorted(int(x) for x in touched if x < n and rep[label[x]] != x), dtype=np.int64)

    ref_ids, ref_clusters = state.ref_row_ids(ref_nodes), state.ref_cluster_ids(ref_nodes)

    def node_id(node: int) -> str:
        return batch_row_ids[node] if node < n else ref_ids[node - n]

    def node_cluster(node: int) -> str:
        return batch_row_ids[node] if node < n else ref_clusters[node - n]

    # Each duplicate's partner: the accepted pair with the highest score (ties: the earlier partner).
    best: dict[int, tuple[float, int]] = {}
    for s, d, sim in zip(src.tolist(), dst.tolist(), sims.tolist()):
        for me, other in ((s, d), (d, s)):
            if me < n:
                cur = best.get(me)
                if cur is None or sim > cur[0] or (sim == cur[0] and rank[other] < rank[cur[1]]):
                    best[me] = (sim, other)
    partner = [node_id(best[int(r)][1]) for r in dup_rows]
    cluster = [node_cluster(int(rep[label[r]])) for r in dup_rows]
    similarity = np.array([round(best[int(r)][0], 4) for r in dup_rows])
    return Matches(dup_rows, partner, cluster, similarity)


# ------------------------------------------------------------------ the pipeline step


class NearDuplicates:
    """Records that say the same thing with small differences (a typo, a re-registration with a new id).

    Scores candidate pairs from MinHash LSH (record text) and rapidfuzz (short fields); the
    threshold decides. Compares within the batch, with earlier batches and, when the clean stage
    attached the persistent index, with earlier files (see ``attach_index``).
    """

    name = "near_duplicates"

    def __init__(self, options: DedupOptions | None = None, identifiers: set[str] | frozenset[str] = frozenset()) -> None:
        self.options = options if isinstance(options, DedupOptions) else DedupOptions()
        self.identifiers = set(identifiers)
        self.state: DedupState | None = None

    def apply(self, df: pd.DataFrame) -> StepOutput:
        opts = self.options
        if not opts.near or df.empty:
            return StepOutput(df)
        if self.state is None:
            self.state = DedupState(opts)
        state = self.state
        if state.columns is None:
            state.columns = compare_columns(df, opts, self.identifiers)
        df = df.reset_index(drop=True)
        frame = df.reindex(columns=list(dict.fromkeys([*df.columns, *state.columns])))  # a batch may lack a column
        sig = minhash_signatures(record_text(frame, state.columns), opts.num_perm, opts.shingle_size, opts.seed)
        valid = sig[:, 0] != EMPTY
        sig8 = (sig & np.uint32(0xFF)).astype(np.uint8)
        bands = band_keys(sig, opts.bands, opts.seed)
        fields, has_long = short_fields(frame, state.columns, opts.short_field_chars)
        row_ids = df[ROW_ID].astype(str).tolist()
        found = find_near_duplicates(sig8, bands, fields, row_ids, valid, state, opts, has_long)

        is_dup = np.zeros(len(df), dtype=bool)
        is_dup[found.dup_rows] = True
        kept = np.nonzero(~is_dup)[0]
        last = state.last_keys
        if last is not None and len(last[0]) == len(df) and np.array_equal(last[0], np.asarray(row_ids, dtype=object)):
            keys = last[1][kept]  # the exact step just hashed these very rows
        else:
            keys = content_keys(df.iloc[kept], data_columns(df))
        state.add_refs(
            [row_ids[i] for i in kept], [row_ids[i] for i in kept], df[SOURCE].iloc[kept].astype(str).tolist(),
            df[LINE].iloc[kept].astype(int).tolist(), sig8[kept], bands[kept], fields.take(pa.array(kept)),
            keys, has_long[kept], valid[kept],
        )
        dups = df.iloc[found.dup_rows].copy()
        dups[DUPLICATE_OF] = found.partner_row_id
        dups[CLUSTER_ID] = found.cluster_id
        dups[SIMILARITY] = found.similarity
        return StepOutput(df.iloc[kept], duplicates=dups)
