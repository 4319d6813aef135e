"""contact_column, prose_column and contact_values ask their second and third regex only of the values the first found,
and share the filled-value pass (spnorm16, issue 15): the same answers as the three full passes they made before (kept
here as the reference), on invented columns with every edge (empty, all null, blanks, dates, numbers, addresses,
non-ASCII, huge values, chunked, other dtypes)."""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from headwater.clean import text
from headwater.clean.text import contact_column, contact_values, filled_values, prose_column


def _strings(array):  # type: ignore[no-untyped-def]
    arr = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    return arr if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) else pc.cast(arr, pa.large_string())


def contact_column_reference(name, array):  # type: ignore[no-untyped-def]
    """contact_column as written before spnorm16: every pass over every value."""
    import re

    if re.search(text.CONTACT_NAME_RE, name):
        return True
    arr = _strings(array)
    filled = pc.fill_null(pc.match_substring_regex(arr, "[^" + text._HSPACE + "\n\r]"), False)
    count = pc.sum(filled).as_py() or 0
    if count == 0:
        return None
    whole = pc.fill_null(pc.match_substring_regex(arr, "(?:" + text._PII_WHOLE["phones"] + ")|(?:" + text._PII_WHOLE["emails"] + ")"), False)
    whole = pc.and_(whole, pc.invert(pc.fill_null(pc.match_substring_regex(arr, text._NO_PHONE), False)))
    return (pc.sum(pc.and_(whole, filled)).as_py() or 0) > count * text.CONTACT_SHARE


def prose_column_reference(array):  # type: ignore[no-untyped-def]
    arr = _strings(array)
    filled = pc.fill_null(pc.match_substring_regex(arr, "[^" + text._HSPACE + "\n\r]"), False)
    count = pc.sum(filled).as_py() or 0
    prose = pc.fill_null(pc.match_substring_regex(arr, text._PROSE), False)
    whole = "|".join(f"(?:{p})" for p in text._PII_WHOLE.values())
    prose = pc.and_(prose, pc.invert(pc.fill_null(pc.match_substring_regex(arr, whole), False)))
    return (pc.sum(pc.and_(prose, filled)).as_py() or 0) * 2 >= count


def contact_values_reference(array, kinds):  # type: ignore[no-untyped-def]
    arr = _strings(array)
    patterns = [text.CONTACT_WHOLE[k] for k in kinds if k in text.CONTACT_WHOLE]
    if not patterns or len(arr) == 0:
        return 0
    found = pc.fill_null(pc.match_substring_regex(arr, "|".join(f"(?:{p})" for p in patterns)), False)
    bare = pc.fill_null(pc.match_substring_regex(arr, text._BARE_DIGITS), False)
    dated = pc.fill_null(pc.match_substring_regex(arr, text._NO_PHONE), False)
    return pc.sum(pc.and_(found, pc.invert(pc.or_(bare, dated)))).as_py() or 0


PIECES = [
    None, "", " ", "\t", "\u3000", "ann@x.org", " Ann <ann@x.org> ", "+1 (415) 555-2671", "415-555-2671", "4155552671", "(030) 123456",
    "2024-03-05", "05/03/2024", "2024-03-05 10:00", "-4611686018427387905", "0.125", "12,5", "https://x.org/a", "www.x.com",
    "ZZ-9", "fine", "Loved it, call me", "call me at 415-555-2671", "東京 の ホテル", "نص عربي قصير", "ok 42", "x" * 5000,
    "word " * 2000, "+44 20 7946 0958 ext. 12", "ann@x.org bob@y.org", "Ünïcödé wörds hère",
]  # fmt: skip


def _columns() -> list[tuple[str, pa.Array | pa.ChunkedArray]]:
    rng = random.Random(16)
    cols: list[tuple[str, pa.Array | pa.ChunkedArray]] = [
        ("empty", pa.array([], pa.large_string())), ("nulls", pa.array([None, None], pa.string())), ("one", pa.array(["ann@x.org"])),
        ("blank_one", pa.array(["  "])), ("numbers", pa.array([1, 2, None, 4155552671])),
        ("chunked", pa.chunked_array([pa.array(["ann@x.org", None]), pa.array(["fine", "415-555-2671"])])),
    ]  # fmt: skip
    for k in range(60):
        pool = rng.sample(PIECES, rng.randrange(1, 8))
        values = [rng.choice(pool) for _ in range(rng.randrange(1, 400))]
        cols.append((rng.choice(["note", "account", "ref", "comment", "x"]) + str(k), pa.array(values, rng.choice([pa.string(), pa.large_string()]))))
    return cols


COLUMNS = _columns()


@pytest.mark.parametrize(("name", "array"), COLUMNS, ids=[n for n, _ in COLUMNS])
def test_decisions_equal_the_three_pass_reference(name: str, array: pa.Array | pa.ChunkedArray) -> None:
    assert contact_column(name, array) == contact_column_reference(name, array)
    assert contact_column(name, array, filled_values(array)) == contact_column_reference(name, array)
    assert prose_column(array) == prose_column_reference(array)
    assert prose_column(array, filled_values(array)) == prose_column_reference(array)
    for kinds in (["phones", "emails"], ["phones"], ["emails"], []):
        assert contact_values(array, kinds) == contact_values_reference(array, kinds)


def test_the_generated_columns_reach_every_answer() -> None:
    answers = {(contact_column(n, a), prose_column(a), contact_values(a, ["phones", "emails"]) > 0) for n, a in COLUMNS}
    assert {c for c, _, _ in answers} == {True, False, None} and {p for _, p, _ in answers} == {True, False}
    assert {v for _, _, v in answers} == {True, False}


@pytest.mark.parametrize(
    ("values", "contact", "prose", "unmasked"),
    [
        (["ann@x.org", "2024-03-05", "bob@y.org", "  "], True, False, 2),  # 2 of 3 filled are addresses; a date is none
        (["2024-03-05", "05/03/2024", "-42", "415-555-2671"], False, False, 1),  # dates and a negative number: no phone
        (["4155552671", "4155552672", "fine"], True, False, 0),  # bare digit runs: whole numbers, never counted unmasked
        (["Loved it, call me", "東京 の ホテル", "ann@x.org"], False, True, 1),
        ([None, "", " "], None, True, 0),  # nothing filled: undecided; no value is prose, 0 * 2 >= 0
    ],
)
def test_examples(values: list[str | None], contact: bool | None, prose: bool, unmasked: int) -> None:
    arr = pa.array(values, pa.string())
    assert (contact_column("field", arr), prose_column(arr), contact_values(arr, ["phones", "emails"])) == (contact, prose, unmasked)
