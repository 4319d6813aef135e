"""The near-duplicate fit over columns read piece by piece (the runner's spilled batches) decides as over whole columns.

What the fit reads piece by piece: the text (signatures), the vetoing columns of the rows of the pairs above
the threshold only (``Vetoes.build(rows=...)``), the texts of candidate pairs, the lines and ids of the duplicates.
"""

from collections.abc import Iterator, Mapping

import numpy as np
import pandas as pd
import pytest

import headwater.clean.dedup.matching as matching
import headwater.clean.dedup.minhash as minhash
from headwater.clean.dedup.columns import Vetoes, pieces_of, row_count, rows_of
from headwater.clean.dedup.fuzzy import NearDuplicateText
from headwater.clean.steps.base import LINE, ROW_ID, SOURCE
from headwater.config.dedup import DedupOptions, TextDedupOptions


class _Pieces(Mapping[str, pd.Series]):
    """Whole columns (``self[name]``) or pieces of ``size`` rows (``pieces``), as the runner's spilled batches give
    them; counts the whole-column reads and the rows read by pieces."""

    def __init__(self, frame: pd.DataFrame, size: int) -> None:
        self.frame, self.size = frame, size
        self.whole = {c: 0 for c in frame.columns}
        self.piece_rows = {c: 0 for c in frame.columns}

    def __getitem__(self, name: str) -> pd.Series:
        series = self.frame[name]
        self.whole[name] += 1
        return series

    def __contains__(self, name: object) -> bool:
        return name in self.frame.columns  # as the runner's columns: asking is no read

    def __iter__(self) -> Iterator[str]:
        return iter(self.frame.columns)

    def __len__(self) -> int:
        return len(self.frame.columns)

    @property
    def num_rows(self) -> int:
        return len(self.frame)

    def pieces(self, name: str) -> Iterator[pd.Series]:
        for lo in range(0, len(self.frame), self.size):
            piece = self.frame[name].iloc[lo : lo + self.size].reset_index(drop=True)
            self.piece_rows[name] += len(piece)
            yield piece


def _table(n: int) -> pd.DataFrame:
    """Notes with planted near copies (last word dropped) and exact copies; a city that vetoes some of them, an
    amount (numeric, with a tolerance) some of whose values failed their type and kept their text in
    ``amount__raw``, a day."""
    rng = np.random.default_rng(11)
    vocab = [f"w{i}" for i in range(300)]
    notes = [" ".join(rng.choice(vocab, 25)) for _ in range(n)]
    for i in range(4, n, 6):
        notes[i] = notes[i - 4].rsplit(" ", 1)[0]
    for i in range(9, n, 17):
        notes[i] = notes[i - 9]
    city = ["Oslo" if i % 23 else "Lima" for i in range(n)]
    amount = pd.Series([float(i % 2) if i % 31 else None for i in range(n)], dtype="Float64")
    raw = pd.Series([None if i % 31 else f"{i % 3},5" for i in range(n)], dtype="string")
    day = pd.Series(pd.to_datetime(["2026-01-0" + str(1 + i % 2) for i in range(n)]))
    return pd.DataFrame({
        LINE: np.arange(2, n + 2, dtype=np.int64), ROW_ID: [f"id{i:06d}" for i in range(n)], SOURCE: "2026-11-20/x.csv",
        "notes": pd.Series(notes, dtype="string"), "city": pd.Series(city, dtype="string"),
        "amount": amount, "amount__raw": raw, "day": day,
    })


DECLARED = {"notes": "text", "city": "string", "amount": "number", "day": "date"}


def _decisions(step: NearDuplicateText) -> dict:
    """The fit's decisions, line -> (partner id, score, weight, evidence, agreed), NaN as None (NaN != NaN)."""
    return {line: tuple(None if isinstance(x, float) and x != x else x for x in d) for line, d in (step.found or {}).items()}


@pytest.mark.parametrize("size", [1, 7, 250, 5000])
def test_a_fit_over_pieces_finds_the_whole_columns_duplicates(size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = _table(1200)
    options = DedupOptions(linkage={"numeric_tolerance": 0.1})
    whole = NearDuplicateText(options, DECLARED)
    whole.fit({c: frame[c] for c in frame.columns})
    monkeypatch.setattr(matching, "SIGNATURE_BLOCK", 97)  # blocks that cross the pieces' bounds
    pieces = NearDuplicateText(options, DECLARED)
    columns = _Pieces(frame, size)
    pieces.fit(columns)
    assert len(whole.found) > 100 and whole.stats["vetoed_columns"] > 100  # copies found, and some vetoed by another column
    assert _decisions(pieces) == _decisions(whole)  # every duplicate, partner id, score, weight, evidence and agreed column
    assert pieces.stats == whole.stats
    assert columns.whole == {LINE: 0, ROW_ID: 0, SOURCE: 0, "notes": 0, "city": 1, "amount": 1, "amount__raw": 0, "day": 1}  # the roles' reads
    assert columns.piece_rows["notes"] == 1200 * 2  # signatures, then the texts of candidate pairs (and the boilerplate sample)


def test_the_fit_over_pieces_spills_its_state_with_the_same_decisions(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = _table(900)
    whole = NearDuplicateText(DedupOptions(), DECLARED)
    whole.fit({c: frame[c] for c in frame.columns})
    monkeypatch.setattr(minhash, "SPILL_ROWS", 100)  # signatures and band keys in temporary files
    pieces = NearDuplicateText(DedupOptions(), DECLARED)
    pieces.fit(_Pieces(frame, 64))
    assert len(whole.found) > 100 and _decisions(pieces) == _decisions(whole) and pieces.stats == whole.stats


def test_vetoes_built_for_some_rows_check_them_as_the_whole_table_does() -> None:
    frame = _table(400)
    columns = ["city", "amount", "day"]
    full = Vetoes.build({c: frame[c] for c in frame.columns}, columns, {"amount"}, 0.1)
    rng = np.random.default_rng(3)
    rows = np.unique(rng.integers(0, 400, 120))
    some = Vetoes.deferred(_Pieces(frame, 33), columns, {"amount"}, 0.1).for_rows(rows)
    assert len(some.codes["amount"]) == len(rows) and len(some.codes["city"]) == len(rows)  # the rows asked for, no more
    a, b = rng.choice(rows, 500), rng.choice(rows, 500)
    assert some.check(a, b).tolist() == full.check(a, b).tolist()
    assert some.agreed(a, b) == full.agreed(a, b)
    assert full.check(a, b).any() and not full.check(a, b).all()
    outside = np.setdiff1d(np.arange(400), rows)[:1]
    with pytest.raises(IndexError, match="outside those it was built for"):
        some.check(outside, rows[:1])
    with pytest.raises(IndexError, match="for_rows first"):
        Vetoes.deferred(frame, columns, {"amount"}).check(rows[:1], rows[:1])


def test_a_deferred_vetoes_is_built_only_for_the_rows_given() -> None:
    frame = _table(50)
    columns = _Pieces(frame, 10)
    deferred = Vetoes.deferred(columns, ["city"], set())
    assert columns.piece_rows["city"] == 0 and columns.whole["city"] == 0  # nothing read until for_rows
    built = deferred.for_rows(np.array([3, 9, 40]))
    assert built.rows.tolist() == [3, 9, 40] and built.codes["city"].tolist() == [0, 0, 0]
    assert built.for_rows(np.array([1])) is built  # a built one is its own


def test_rows_of_a_column_read_in_pieces_are_its_rows() -> None:
    frame = _table(100)
    rows = np.array([0, 6, 7, 8, 49, 50, 99])
    for name in ["notes", "amount", "day", LINE]:
        expected = frame[name].iloc[rows].reset_index(drop=True)
        pd.testing.assert_series_equal(rows_of(_Pieces(frame, 7), name, rows), expected)
        pd.testing.assert_series_equal(rows_of({name: frame[name]}, name, rows), expected)
    assert rows_of(_Pieces(frame, 7), "amount", np.array([], dtype=np.int64)).dtype == frame["amount"].dtype
    assert [len(p) for p in pieces_of(_Pieces(frame, 30), "city")] == [30, 30, 30, 10]
    assert row_count(_Pieces(frame, 30), LINE) == 100 and row_count({LINE: frame[LINE]}, LINE) == 100


def test_signatures_read_in_pieces_equal_those_of_whole_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = _table(300)
    options = TextDedupOptions()
    sig8, bands, valid = matching.text_signatures({c: frame[c] for c in frame.columns}, ["notes", "city"], options)
    monkeypatch.setattr(matching, "SIGNATURE_BLOCK", 13)
    columns = _Pieces(frame, 40)
    sig8_p, bands_p, valid_p = matching.text_signatures(columns, ["notes", "city"], options)
    assert np.array_equal(sig8_p, sig8) and np.array_equal(bands_p, bands) and np.array_equal(valid_p, valid)
    assert columns.whole["notes"] == columns.whole["city"] == 0


def test_decisions_are_found_by_line_in_any_order() -> None:
    from headwater.clean.dedup.fuzzy import Decisions

    found = Decisions(np.array([40, 7, 19]), ["c", "a", "b"], np.array([0.9, 0.8, 0.85]), np.array([np.nan, 2.5, np.nan]),
                      ["notes: x", "notes: y", "notes: x"], [None, "city", "city"])
    assert list(found) == [7, 19, 40] and len(found) == 3
    last = found[40]
    assert last[:2] == ("c", 0.9) and np.isnan(last[2]) and last[3:] == ("notes: x", None)
    assert found[7] == ("a", 0.8, 2.5, "notes: y", "city")
    at = found.positions(np.array([19, 8, 40, 7, 100, 0]))
    assert at.tolist() == [1, -1, 2, 0, -1, -1]
    ids, similarity, weight, evidence, agreed = found.columns(at[at >= 0])
    assert (ids, similarity, evidence, agreed) == (["b", "c", "a"], [0.85, 0.9, 0.8], ["notes: x", "notes: x", "notes: y"], ["city", None, "city"])
    assert np.isnan(weight[:2]).all() and weight[2] == 2.5
    with pytest.raises(KeyError):
        found[8]
    empty = Decisions(np.zeros(0, np.int64), [], np.zeros(0), np.zeros(0), [], [])
    assert len(empty) == 0 and empty.positions(np.array([1, 2])).tolist() == [-1, -1]
