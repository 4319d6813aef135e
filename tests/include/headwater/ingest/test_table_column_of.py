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


def _folded_key_reference(row: list[str], key: tuple[str, ...]) -> bool:
    """The expression folded_key_is replaced (table._names_row before read7)."""
    from headwater.ingest.table import header_key

    return tuple(f.casefold() for f in header_key(row)) == key


def test_folded_key_is_matches_reference() -> None:
    from headwater.ingest.table import folded_key_is

    cells = ["", " ", "Name", "name", "NAME ", "\ufeffname", "\ufeff Name", "city", "Straße", "STRASSE", "ǅ", "dž", "a,b", "\ufeff"]
    rng = random.Random(11)
    for _ in range(5000):
        row = [rng.choice(cells) for _ in range(rng.randint(0, 3))]
        other = [rng.choice(cells) for _ in range(rng.randint(0, 3))]
        key = tuple(f.lstrip("\ufeff").strip().casefold() for f in other)
        assert folded_key_is(row, key) == _folded_key_reference(row, key), (row, key)
    assert folded_key_is(["\ufeff Name", "CITY"], ("name", "city")) is True
    assert folded_key_is(["Straße", "x"], ("strasse", "x")) is True  # casefold: ß is ss
    assert folded_key_is(["name"], ("name", "city")) is False
    assert folded_key_is([], ()) is True


def test_value_kind_cache_matches_uncached() -> None:
    """value_kind (cached for short values) answers as value_kind_uncached, asked twice, short and long, in any order."""
    from headwater.ingest.table import KIND_CACHE_CHARS, value_kind_uncached

    pool = ["", "NA", "1", "1,234", "(5)", "$3", "inf", "2024-01-02", "12:30", "K-17", "a@b.c", "http://x", "text", "a b", " 7 ", "\x00", "1e309"]
    pool += ["x" * KIND_CACHE_CHARS, "1" * KIND_CACHE_CHARS, "1" * (KIND_CACHE_CHARS + 1), "word " * 40]
    rng = random.Random(3)
    for _ in range(3000):
        v = rng.choice(pool) + rng.choice(["", "", "1", "a", " "])
        assert value_kind(v) == value_kind_uncached(v), v
    assert value_kind("1" * (KIND_CACHE_CHARS + 1)) == "number"
    assert value_kind("K-17") == value_kind("K-17") == "code"
