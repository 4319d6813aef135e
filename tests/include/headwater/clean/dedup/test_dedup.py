from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from headwater.clean.dedup.exact import ExactDuplicates
from headwater.clean.frame import assign_row_ids, build_frame
from headwater.clean.steps.base import DUPLICATE_OF, LINE, ROW_ID, SIMILARITY
from headwater.clean.dedup.index import DedupIndex
from headwater.clean.dedup.minhash import estimate_similarity, minhash_signatures, shingle_hashes
from headwater.clean.dedup.near import NearDuplicates
from headwater.clean.pipeline import attach_index, save_index
from headwater.layout import Layout
from headwater.clean.steps.base import CLUSTER_ID
from headwater.config.dedup import DedupOptions

NOTE = "Our trail running shoe is built for long days on rocky ground with sticky rubber lugs that grip wet granite."


def _frame(header: list[str], rows: list[list[str]], source: str = "2026-11-20/x.csv") -> pd.DataFrame:
    df, _ = build_frame(header, rows, list(range(2, 2 + len(rows))), source)
    return assign_row_ids(df)


def _steps(options: DedupOptions | None = None) -> list:
    return [ExactDuplicates(options), NearDuplicates(options)]


def _run(steps: list, df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    dups = []
    for step in steps:
        out = step.apply(df)
        df = out.kept
        dups.append(out.duplicates)
    return df, pd.concat([d for d in dups if len(d)], ignore_index=True) if any(len(d) for d in dups) else pd.DataFrame()


def test_shingles_cover_each_text_and_short_texts_are_one_shingle() -> None:
    _, doc = shingle_hashes(pa.array(["abcdef", "ab", "", None], pa.string()), 5, seed=1)
    assert np.bincount(doc, minlength=4).tolist() == [2, 1, 0, 0]


def test_equal_texts_share_a_signature_and_estimates_follow_jaccard() -> None:
    a = "the quick brown fox jumps over the lazy dog near the river bank"
    texts = pa.array([a, a, a.replace("lazy", "sleepy"), "completely unrelated words about invoices", ""], pa.string())
    sig = minhash_signatures(texts, num_perm=128, k=5, seed=1)
    sig8 = (sig & 0xFF).astype(np.uint8)
    same, edited, other = estimate_similarity(sig8[[0, 0, 0]], sig8[[1, 2, 3]])
    assert same == 1.0
    assert 0.6 < edited < 0.95 and other < 0.1
    assert (sig[4] == 0xFFFFFFFF).all()  # no text, no signature
    assert (minhash_signatures(texts, 128, 5, seed=1) == sig).all()  # deterministic


def test_a_typo_in_the_name_is_a_near_duplicate_scored_by_rapidfuzz() -> None:
    df = _frame(
        ["customer_id", "full_name", "email", "signup_date"],
        [
            ["C-1003", "John Smith", "john.smith@example.net", "2024-03-01"],
            ["C-1004", "Jon Smith", "john.smith@example.net", "2024-03-01"],
            ["C-1005", "Joan Smythe", "joan@example.org", "2023-01-09"],
        ],
    )
    kept, dups = _run(_steps(), df)
    assert kept["customer_id"].tolist() == ["C-1003", "C-1005"]
    assert dups[LINE].tolist() == [3]
    assert dups[DUPLICATE_OF].tolist() == [df[ROW_ID][0]] == dups[CLUSTER_ID].tolist()
    assert dups[SIMILARITY].tolist() == [0.9474]  # fuzz.ratio("jon smith", "john smith"): customer_id is an identifier


def test_shared_boilerplate_text_with_different_names_is_not_a_duplicate() -> None:
    df = _frame(
        ["product_id", "product_name", "description"],
        [["P-100", "Ridge Runner 2", NOTE + " More at /p/100"], ["P-103", "Summit Lite", NOTE + " More at /p/103"]],
    )
    kept, dups = _run(_steps(), df)
    assert len(kept) == 2 and dups.empty


def test_the_same_review_reexported_with_a_missing_rating_is_a_duplicate() -> None:
    df = _frame(["review_id", "rating", "text", "reviewer"], [["R-701", "4", NOTE, "reviewer_1"], ["R-706", None, "  " + NOTE, "reviewer_1"]])
    kept, dups = _run(_steps(), df)
    assert kept["review_id"].tolist() == ["R-701"]
    assert dups[DUPLICATE_OF].tolist() == [df[ROW_ID][0]]
    assert dups[SIMILARITY].iloc[0] >= 0.8


def test_batches_of_one_file_are_compared_with_each_other() -> None:
    steps = _steps()
    first = _frame(["name", "note"], [["Ada Lovelace", NOTE], ["Grace Hopper", "asked about the enterprise plan"]])
    second = _frame(["name", "note"], [["Ada Lovelace", NOTE], ["Ada Lovelace", NOTE.replace("wet", "dry")]])
    second[LINE] = [10, 11]
    _run(steps, first)
    kept, dups = _run(steps, second)
    assert kept.empty
    assert dups[LINE].tolist() == [10, 11]
    assert dups[SIMILARITY].tolist()[0] == 1.0  # exact, found in the first batch
    assert set(dups[CLUSTER_ID]) == {first[ROW_ID][0]}


def test_the_index_links_files_of_a_run_and_runs_in_order(tmp_path: Path) -> None:
    rows = [["Ada Lovelace", NOTE]]

    def clean(source: str, data: list[list[str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
        steps = _steps()
        state = attach_index(steps, Layout(tmp_path), source)
        kept, dups = _run(steps, _frame(["name", "note"], data, source))
        save_index(state, Layout(tmp_path), source)
        return kept, dups

    a_kept, _ = clean("2026-11-20/a.csv", rows)
    _, b_dups = clean("2026-11-20/b.csv", [["Ada Lovelase", NOTE]])  # a later file of the same run
    _, c_dups = clean("2026-11-21/c.csv", rows)  # a later run: exact match of a's row
    _, rerun = clean("2026-11-20/a.csv", rows)  # a file never sees its own previous shard
    _, early = clean("2026-11-19/z.csv", rows)  # an earlier date (a backfill) never sees later files
    assert b_dups[DUPLICATE_OF].tolist() == a_kept[ROW_ID].tolist() == c_dups[DUPLICATE_OF].tolist()
    assert c_dups[SIMILARITY].tolist() == [1.0]
    assert rerun.empty and early.empty
    # Order, not timing, decides: once the earlier date exists, re-running a.csv defers to it.
    _, after_backfill = clean("2026-11-20/a.csv", rows)
    assert after_backfill[CLUSTER_ID].tolist() == [_frame(["name", "note"], rows, "2026-11-19/z.csv")[ROW_ID][0]]
    assert DedupIndex(Layout(tmp_path)).shard_path("2026-11-20/a.csv") == tmp_path / "dedup_index" / "date=2026-11-20" / "a.csv.parquet"


def test_scope_file_keeps_files_apart(tmp_path: Path) -> None:
    opts = DedupOptions(scope="file")
    for source in ("2026-11-20/a.csv", "2026-11-20/b.csv"):
        steps = _steps(opts)
        state = attach_index(steps, Layout(tmp_path), source)
        kept, dups = _run(steps, _frame(["name", "note"], [["Ada", NOTE]], source))
        save_index(state, Layout(tmp_path), source)
        assert len(kept) == 1 and dups.empty


def test_every_row_is_kept_or_recorded_once() -> None:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(300)]
    rows = [[f"name {i % 50}", " ".join(rng.choice(words, 12))] for i in range(400)]
    df = _frame(["name", "note"], rows)
    kept, dups = _run(_steps(), df)
    assert len(kept) + len(dups) == len(df)
    assert set(kept[LINE]).isdisjoint(dups[LINE]) if len(dups) else True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 0}, "threshold: 0 must be in \\(0, 1\\]"),
        ({"threshold": 1.5}, "threshold: 1.5 must be in \\(0, 1\\]"),
        ({"bands": 7}, "bands: 7 must divide num_perm=128"),
        ({"scope": "galaxy"}, "scope: 'galaxy' is not one of file, run, history"),
        ({"shingle_size": 9}, "shingle_size: 9 must be in \\[1, 8\\]"),
        ({"columns": "notes"}, "columns: expected a list of column names"),
    ],
)
def test_options_are_validated_naming_the_key(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DedupOptions(**kwargs)


def test_unknown_compare_columns_fail_naming_them() -> None:
    with pytest.raises(ValueError, match="dedup.columns: nope not in the data"):
        NearDuplicates(DedupOptions(columns=["nope"])).apply(_frame(["name"], [["Ada"]]))
