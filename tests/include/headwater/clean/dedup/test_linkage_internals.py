"""The pieces that make record linkage near-linear and order-free: blocking with ``later``, pair
counting, automatic rules, comparisons per distinct value pair, EM on distinct vectors, clusters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from headwater.clean.dedup.columns import codes_of, comparable, factorized
from headwater.clean.dedup.fellegi_sunter import DENSE_CODES, compare, comparison_vectors, prepare
from headwater.clean.dedup.matching import affordable_rules
from headwater.clean.dedup.pairs import block_pairs, cluster_roots, count_pairs
from headwater.clean.stage import clean as clean_file
from headwater.clean.steps.base import CLUSTER_ID, DEDUP_JOB, DUPLICATE_OF, LINE, ROW_ID
from headwater.config.dedup import LinkageOptions
from headwater.config.settings import Settings
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef


def test_block_pairs_makes_every_pair_of_a_block_once_and_later_keeps_those_ending_in_a_marked_row() -> None:
    codes = np.array([0, 1, 0, -1, 0, 1])
    a, b, skipped = block_pairs(codes, cap=10)
    assert sorted(zip(a.tolist(), b.tolist())) == [(0, 2), (0, 4), (1, 5), (2, 4)] and skipped == 0
    later = np.array([False, False, False, False, True, False])  # only row 4 is of the current date
    a, b, _ = block_pairs(codes, cap=10, later=later)
    assert sorted(zip(a.tolist(), b.tolist())) == [(0, 4), (2, 4)]
    assert count_pairs(codes, 10) == 4 and count_pairs(codes, 10, later) == 2
    assert count_pairs(codes, 2) == 1 and len(block_pairs(codes, 2)[0]) == 1  # the block of 3 is skipped


def test_big_blocks_compare_their_leaders_and_later_applies_to_them_too() -> None:
    codes = np.zeros(5, dtype=np.int64)
    a, b, _ = block_pairs(codes, cap=2, big="leaders")
    assert sorted(zip(a.tolist(), b.tolist())) == [(0, 1), (0, 2), (0, 3), (0, 4), (1, 2), (1, 3), (1, 4)]
    a, b, _ = block_pairs(codes, cap=2, big="leaders", later=np.array([False, False, False, True, False]))
    assert sorted(zip(a.tolist(), b.tolist())) == [(0, 3), (1, 3)]


def test_automatic_blocking_leaves_out_a_rule_on_a_too_common_value() -> None:
    n = 300
    values = {"state": np.zeros(n, dtype=np.int64), "surname": np.arange(n) // 2, "dob": np.arange(n) // 3}
    options = LinkageOptions(fields=["state", "surname", "dob"], max_pairs_per_row=0.5)
    # state alone: one block of 300 rows = 44,850 pairs > max(10,000, 150): left out; the others are cheap
    assert affordable_rules(values, ["state", "surname", "dob"], n, options) == [["surname"], ["dob"], ["state", "surname"], ["surname", "dob"]]
    # nothing affordable: the cheapest rule alone
    assert affordable_rules({"state": values["state"]}, ["state"], n, options) == [["state"]]


def test_factorized_codes_equal_the_row_by_row_codes() -> None:
    series = pd.Series(["Smith", " smith", None, "Jones", "", "JONES", "Ng"], dtype="string")
    codes, values = factorized(series, fold_case=True)
    assert codes.tolist() == codes_of(comparable(series, fold_case=True)).tolist() == [0, 0, -1, 1, -1, 1, 2]
    assert values.tolist() == ["smith", "jones", "ng"]
    codes, values = factorized(series)  # as a veto compares: a two-letter value keeps its case (breaker4 #16)
    assert codes.tolist() == codes_of(comparable(series)).tolist() == [0, 0, -1, 1, -1, 1, 2]
    assert values.tolist() == ["smith", "jones", "Ng"]


def test_comparison_levels_are_the_same_through_the_dense_table_and_the_sorted_path() -> None:
    names = [f"name{i:04d}" for i in range(DENSE_CODES + 10)]
    small = prepare(pd.DataFrame({"n": pd.Series(["martha", "marhta", "jones", None, "martha"], dtype="string")}), ["n"])[0]
    a, b = np.array([0, 0, 0, 1, 3]), np.array([1, 2, 4, 4, 0])
    # exact, Jaro-Winkler 0.961 (>= 0.92), else, 0.961 again (same value pair, either way round), missing
    assert compare(small, a, b).tolist() == [1, 3, 0, 1, -1]
    big = prepare(pd.DataFrame({"n": pd.Series(names, dtype="string")}), ["n"])[0]
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, len(names), 5000), rng.integers(0, len(names), 5000)
    levels = compare(big, a, b)
    from rapidfuzz.distance import JaroWinkler

    expected = [0 if x == y else (1 if s >= 0.92 else 2 if s >= 0.80 else 3)
                for x, y, s in ((x, y, JaroWinkler.normalized_similarity(names[x], names[y])) for x, y in zip(a.tolist(), b.tolist()))]
    assert levels.tolist() == expected


def test_comparison_vectors_count_each_distinct_vector_once() -> None:
    gamma = np.array([[0, -1], [3, 1], [0, -1], [0, -1]], dtype=np.int8)
    vectors, counts = comparison_vectors(gamma)
    assert vectors.tolist() == [[0, -1], [3, 1]] and counts.tolist() == [3, 1]


def test_cluster_roots_follow_chains_to_the_kept_row_and_break_cycles_at_the_smallest_id() -> None:
    assert cluster_roots({"c": "b", "b": "a", "d": "a"}) == {"c": "a", "b": "a", "d": "a"}
    assert cluster_roots({"x": "y", "y": "x", "z": "x"}) == {"x": "x", "y": "x", "z": "x"}


def test_a_duplicate_of_a_row_a_later_job_merged_points_its_cluster_at_the_kept_row(tmp_path: Path) -> None:
    """Line 4 copies line 3 exactly (the exact job); linkage then finds line 3 a spelling of line 2.
    Line 4's ``_duplicate_of`` stays line 3 (what the exact job saw); its ``_cluster_id`` is line 2, the kept row."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "people.yaml").write_text('files: ["p*.csv"]\ndedup:\n  linkage: {fields: [full_name, birth_date], threshold: 0.5}\n', encoding="utf-8")
    settings = Settings(home=tmp_path / "home", landing_uri=(tmp_path / "home").as_uri(), config_dir=config)
    ref = FileRef("2026-11-20", "p.csv")
    body = "full_name,birth_date\nAda Lovelace,1815-12-10\nAda Lovelase,1815-12-10\nAda Lovelase,1815-12-10\nAlan Turing,1912-06-23\n"
    ingest_file(body.encode(), ref, settings)
    assert clean_file(ref, settings)["duplicates"] == 2
    lay = Layout(settings.data_dir, ref.date)
    kept = pd.read_parquet(lay.curated(ref.key))
    d = pd.read_parquet(lay.duplicates(ref.key))
    assert kept[LINE].tolist() == [2, 5]
    assert list(zip(d[LINE], d[DEDUP_JOB])) == [(4, "exact"), (3, "linkage")]
    line3 = d[ROW_ID][d[LINE] == 3].iloc[0]
    assert d[DUPLICATE_OF].tolist() == [line3, kept[ROW_ID][0]]
    assert d[CLUSTER_ID].tolist() == [kept[ROW_ID][0], kept[ROW_ID][0]]
