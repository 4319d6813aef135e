"""Column.of (one value_kind per distinct value, read7) decides exactly as Column.of_reference (the code before it)."""

from __future__ import annotations

import random

import pytest

from headwater.ingest.table import Column, value_kind

CASES = [
    [],
    [""],
    ["", "NA", "n/a", "-"],
    ["1", "2", "3"],
    ["1999", "2001", "2024"],
    ["1999", "2001", "12"],
    ["1999", "1999", "abc", "abc", "abc"],
    ["2024-01-02", "03/04/2024", "12:30", "text here", "5"],
    ["K-17", "SKU123", "a@b.com", "http://x.y", "plain"],
    ["text", "42", "text", "42"],  # a tie between kinds: first seen wins in both
    ["42", "text", "42", "text"],
    ["$1,234", "(12.5)", "inf", "-Infinity", "1.#INF", "1e309", "7%"],
    ["a\x00", "\x00", " 12 ", "12\x00"],
    ["x", "x", "x", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"],
]


@pytest.mark.parametrize("values", CASES)
def test_of_matches_reference(values: list[str]) -> None:
    assert Column.of(values) == Column.of_reference(values)


def test_of_matches_reference_random() -> None:
    pool = ["", "NA", "1", "22", "1999", "2100", "1800", "1799", "3.5", "abc", "K-17", "2024-01-02", "a b", "$5", "x@y.z", "nan", "TBD"]
    rng = random.Random(7)
    for _ in range(2000):
        values = [rng.choice(pool) for _ in range(rng.randint(0, 30))]
        assert Column.of(values) == Column.of_reference(values), values


def test_of_exact_values() -> None:
    assert Column.of(["1999", "2001", "2024", ""]) == Column(kind="number", years=True)
    assert Column.of(["1999", "12", "13", "14", "x"]) == Column(kind="number", years=False)
    assert Column.of(["1999", "12", "x"]) == Column(kind=None, years=False)  # 2 of 3 numbers: under KIND_SHARE (0.8)
    assert Column.of(["text", "42", "text", "42"]) == Column(kind=None, years=False)
    assert Column.of(["", "NA"]) == Column(kind=None, years=False)
    assert Column.of(["K-17", "K-18", "K-17", "K-19", "free text"]) == Column(kind="code", years=False)
    assert [value_kind(v) for v in ["K-17", "free text", "1999"]] == ["code", "text", "number"]
