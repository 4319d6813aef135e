"""The retrieval benchmark's queries, ground truth and metrics (the search itself: tests/include/headwater/embed)."""

import csv
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from retrieval import CUISINES, generate, recall_at, reciprocal_rank  # noqa: E402


def test_generation_is_reproducible_and_every_query_points_at_rows_with_its_two_values() -> None:
    files, queries = generate(30, 5, 3)
    assert generate(30, 5, 3) == (files, queries)
    assert sorted(files) == ["pet_licences.csv", "restaurant_inspections.csv", "small_business_loans.csv", "support_tickets.csv"]
    assert [len(list(csv.reader(io.StringIO(text)))) for text in files.values()] == [31] * 4  # header + 30 rows
    assert sorted({q.kind for q in queries}) == ["names", "rows", "text names", "texts"] and len(queries) == 40
    inspections = list(csv.DictReader(io.StringIO(files["restaurant_inspections.csv"])))
    for query in (q for q in queries[:5]):  # the inspections' paraphrased queries
        (target,) = {(r["cuisine"], r["neighbourhood"]) for line, r in enumerate(inspections, 2) if ("restaurant_inspections.csv", line) in query.relevant}
        assert query.text == f"{CUISINES[target[0]]} restaurant in {target[1]}"
        assert query.relevant == {("restaurant_inspections.csv", line) for line, r in enumerate(inspections, 2)
                                  if (r["cuisine"], r["neighbourhood"]) == target}


def test_recall_at_5_and_reciprocal_rank() -> None:
    found = [("a", 2), ("a", 3), ("b", 2), ("a", 4), ("a", 5), ("a", 6)]
    assert recall_at(found, frozenset({("a", 6), ("b", 2)})) == 0.5  # ("a", 6) is 6th
    assert reciprocal_rank(found, frozenset({("b", 2)})) == 1 / 3
    assert reciprocal_rank(found, frozenset({("z", 1)})) == 0.0
    assert reciprocal_rank([("x", i) for i in range(20)], frozenset({("x", 10)})) == 0.0  # 11th: beyond the depth of 10
