"""NullSpellings on a wide file: every column's values, ``__raw`` text, reasons, decisions, warnings and counts are the
ones it gets column by column.

The step stacks all value columns (one pass per set of spellings, headwater.clean.text.stack_strings) and sends only a
column whose code or title shape meets a default word (``NA`` among country codes, ``None`` among surnames) through
``apply_column``; these tests compare it with ``apply_by_column`` and with each column cleaned in a frame of its own.
"""

from __future__ import annotations

import random

import pandas as pd
import pytest

import headwater.clean.steps.null_spellings as null_spellings
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.steps.null_spellings import NullSpellings
from headwater.config.schema import ColumnSpec
from headwater.config.types import TypeOptions
from wide_files import assert_same as _same
from wide_files import each_column_alone, edge_frame
from wide_files import frame as _frame
from wide_files import plain as _plain

# Columns that take every branch: (name, values of rows 1..6).
EDGE = [
    ("continent", ["NA", "EU", "AS", "OC", "NA", "EU"]),  # NA is North America: a code (rare branch)
    ("country", ["na", "fr", "jp", "au", "us", "na"]),  # lower-case codes
    ("surname", ["Goldin", "None", "Austin", "Smith", "None", "Ng"]),  # None is a surname (title words: rare branch)
    ("score", ["1", "-", "3", "?", "4", "5"]),  # numbers: - and ? are missing, their text kept
    ("answer", ["yes", "-", "no", "?", "--", "maybe"]),  # text: - and ? are data
    ("city", ["Paris", "NULL", None, "null", "N/A", "  "]),  # spellings and blanks made missing (None: an empty field)
    ("note", ["NA", "none", "NONE", "nil", "NaN", "#N/A"]),  # nothing but spellings
    ("empty", [None, None, None, None, None, None]),
    ("blank", [None, None, None, None, None, None]),
    ("mixed", ["12", "NA", "alpha", None, "2026-01-02", None]),
    ("padded", [" NA ", "x", " null", "y", "None ", "z"]),
    ("declared", ["1", "2", "-", "3", "x", "NA"]),  # schema type integer: - is missing
    ("named", ["unknown", "a", "n/a", "b", "UNKNOWN", "c"]),  # column na_values: unknown
    ("kept", ["N/A", "a", "NA", "b", "n/a", "c"]),  # column not_na_values: N/A is data
    ("unicode", ["Ünal", "None", "Øre", "Ålborg", "Éa", "null"]),  # title words beyond ASCII (Python's re)
    ("dates", ["2026-01-02", "-", "2026-01-03", "2026-01-04", "2026-01-05", "2026-01-06"]),
]
COLUMNS = {"declared": ColumnSpec(name="declared", type="integer"), "named": ColumnSpec(name="named", na_values=["unknown"]),
           "kept": ColumnSpec(name="kept", not_na_values=["N/A"])}


def _wide(columns: int, seed: int) -> tuple[list[str], list[list[str | None]]]:
    """The EDGE columns, then ``columns`` generated ones drawn from a pool of values and spellings, 6 rows."""
    rng = random.Random(seed)
    pool = ["NA", "na", "N/A", None, "  ", " null ", "None", "Null", "-", "--", "?", "EU", "AS", "OC", "Goldin", "Austin",
            "New York", "12", "3.5", "2026-01-02", "abc", None, "NaN", "nil", "O'Brien", "1,5", "-5", "eu", "x y"]
    header = [name for name, _ in EDGE] + [f"c{i}" for i in range(columns)]
    draws = [rng.sample(pool, rng.randint(1, 6)) for _ in range(columns)]
    rows = []
    for r in range(6):
        rows.append([values[r] for _, values in EDGE] + [rng.choice(d) for d in draws])
    return header, rows


def _run(step: NullSpellings, frames: list[pd.DataFrame], by_column: bool) -> list:
    """Each batch through ``apply`` (or ``apply_by_column``): kept frames, then the step's record."""
    kept = [(step.apply_by_column(f) if by_column else step.apply(f)).kept for f in frames]
    summary = step.summary()
    order = [list(summary[k]) for k in ("na_spellings", "na_kept_as_data", "na_ambiguous")]
    return kept + [summary, order, step.shapes, step.numeric, step.warnings({"score": "integer"})]


@pytest.mark.parametrize("options", [TypeOptions(), TypeOptions(na_values=["x y", "alpha"], not_na_values=["None"]),
                                     TypeOptions(na_codes_are_data=False)])
def test_a_wide_file_is_cleaned_exactly_as_column_by_column(options: TypeOptions) -> None:
    header, rows = _wide(60, seed=3)
    frames = [_frame(header, rows[:4]), _frame(header, rows[4:], first_line=6)]
    wide = _run(NullSpellings(options, COLUMNS), frames, by_column=False)
    alone = _run(NullSpellings(options, COLUMNS), frames, by_column=True)
    _same(wide, alone)


def test_decisions_adopted_from_the_sample_give_the_same_batches() -> None:
    header, rows = _wide(40, seed=7)
    sample = _frame(header, rows)
    results = []
    for by_column in (False, True):
        twin = NullSpellings(None, COLUMNS)
        twin.apply_by_column(sample) if by_column else twin.apply(sample)
        step = NullSpellings(None, COLUMNS)
        step.adopt(twin, 7)
        results.append(_run(step, [_frame(header, rows[3:]), _frame(header, rows[:3], first_line=20)], by_column))
    _same(*results)


def test_an_earlier_steps_raw_text_and_reason_are_kept_first() -> None:
    # normalize_text trimmed ' NA ' (its __raw keeps the spaces): the spelling's reason follows the trim's
    header, rows = _wide(30, seed=5)
    frame = NormalizeText().apply(_frame(header, rows)).kept
    assert "padded__raw" in frame.columns
    wide = _run(NullSpellings(None, COLUMNS), [frame], by_column=False)
    alone = _run(NullSpellings(None, COLUMNS), [frame], by_column=True)
    _same(wide, alone)
    out = wide[0]
    assert _plain(out["padded__raw"]) == [" NA ", None, " null", None, "None ", None]
    assert _plain(out["padded__reason"]) == [
        "normalized: trim; na_spelling", None, "normalized: trim; na_spelling", None, "normalized: trim; na_spelling", None]


def test_each_column_of_a_wide_file_is_what_it_is_in_a_file_of_its_own() -> None:
    header, rows = _wide(30, seed=11)
    for name, step, wide_step in each_column_alone(lambda: NullSpellings(None, COLUMNS), header, rows):
        assert (step.shapes[name], step.numeric[name]) == (wide_step.shapes[name], wide_step.numeric[name]), name
        for key, counts in step.summary().items():
            assert counts.get(name) == wide_step.summary()[key].get(name), (name, key)


def test_the_edge_columns_get_these_values_and_counts() -> None:
    step = NullSpellings(None, COLUMNS)
    out = step.apply(edge_frame(EDGE)).kept

    def values(col: str) -> list:
        return _plain(out[col])

    assert values("continent") == ["NA", "EU", "AS", "OC", "NA", "EU"]
    assert values("country") == ["na", "fr", "jp", "au", "us", "na"]
    assert values("surname") == ["Goldin", "None", "Austin", "Smith", "None", "Ng"]
    assert values("score") == ["1", None, "3", None, "4", "5"] and values("score__raw") == [None, "-", None, "?", None, None]
    assert values("answer") == ["yes", "-", "no", "?", "--", "maybe"] and "answer__raw" not in out.columns
    assert values("city") == ["Paris", None, None, None, None, None]
    assert values("city__raw") == [None, "NULL", None, "null", "N/A", None]  # an empty or blank cell wrote nothing
    assert values("city__reason") == [None, "na_spelling", None, "na_spelling", "na_spelling", None]
    assert values("declared") == ["1", "2", None, "3", "x", None] and values("declared__raw") == [None, None, "-", None, None, "NA"]
    assert values("named") == [None, "a", None, "b", None, "c"]
    assert values("kept") == ["N/A", "a", None, "b", "n/a", "c"]  # not_na_values compare lower-cased
    assert values("unicode") == ["Ünal", "None", "Øre", "Ålborg", "Éa", None]
    assert values("dates") == ["2026-01-02", None, "2026-01-03", "2026-01-04", "2026-01-05", "2026-01-06"]
    assert step.shapes == {
        "continent": "[A-Z]{2}", "country": "[a-z]{2}", "surname": "Title", "score": None, "answer": None, "city": None, "note": None,
        "empty": None, "blank": None, "mixed": None, "padded": "[a-z]{1}", "declared": None, "named": "[a-z]{1}", "kept": None,
        "unicode": "Title", "dates": None,
    }
    assert [c for c, n in step.numeric.items() if n] == ["score", "declared", "dates"]
    summary = step.summary()
    assert summary["na_kept_as_data"] == {"continent": {"NA": 2}, "country": {"na": 2}, "surname": {"None": 2},
                                          "answer": {"--": 1, "-": 1, "?": 1}, "unicode": {"None": 1}}
    assert summary["na_ambiguous"] == {"score": {"nulled": {"-": 1, "?": 1}}, "answer": {"kept": {"--": 1, "-": 1, "?": 1}},
                                       "declared": {"nulled": {"-": 1}}, "dates": {"nulled": {"-": 1}}}
    assert summary["na_spellings"]["note"] == {"#n/a": 1, "na": 1, "nan": 1, "nil": 1, "none": 2}
    assert summary["na_spellings"]["named"] == {"n/a": 1, "unknown": 2}
    # an empty field (None in staging: nothing written) is counted as the blank spelling "" (values5), "empty" too
    assert list(summary["na_spellings"]) == ["score", "city", "note", "empty", "blank", "mixed", "padded", "declared", "named", "kept",
                                             "unicode", "dates"]


def test_only_columns_whose_shape_meets_a_default_word_go_column_by_column(monkeypatch: pytest.MonkeyPatch) -> None:
    header, rows = _wide(60, seed=3)
    seen: list[str] = []
    stacks: list[int] = []
    apply_column = NullSpellings.apply_column
    stack_strings = null_spellings.stack_strings
    monkeypatch.setattr(NullSpellings, "apply_column", lambda self, out, col: (seen.append(col), apply_column(self, out, col))[1])
    monkeypatch.setattr(null_spellings, "stack_strings", lambda arrays: (stacks.append(len(arrays)), stack_strings(arrays))[1])
    step = NullSpellings(None, COLUMNS)
    step.apply(_frame(header, rows))
    # one stack per set of spellings: the file's, and the two columns that name their own
    assert sorted(stacks) == [1, 1, len(header) - 2]
    assert seen[:5] == ["continent", "country", "surname", "padded", "unicode"]
    # a column with a shape and a default word in it (``padded``: x, y, z and None, null: the words are not its shape)
    words = {i for i, c in enumerate(header) if any(r[i] is not None and r[i].strip() in null_spellings.WORD_SPELLINGS for r in rows)}
    assert seen == [c for i, c in enumerate(header) if step.shapes[c] is not None and i in words]


def test_a_column_holding_a_quoted_empty_field_goes_column_by_column() -> None:
    # values5: a quoted "" is an empty string (an unquoted empty field is None in staging); a column of numbers cannot
    # hold it (missing, "" in __raw, reason empty_string), a text column keeps it
    header, rows = ["score", "note", "city"], [["1", "", "Paris"], ["", "a", None], ["3", "NA", "null"]]
    wide = _run(NullSpellings(None, COLUMNS), [_frame(header, rows)], by_column=False)
    alone = _run(NullSpellings(None, COLUMNS), [_frame(header, rows)], by_column=True)
    _same(wide, alone)
    out = wide[0]
    assert [None if pd.isna(v) else v for v in out["score"]] == ["1", None, "3"]
    assert [None if pd.isna(v) else v for v in out["score__raw"]] == [None, "", None]
    assert [None if pd.isna(v) else v for v in out["score__reason"]] == [None, "empty_string", None]
    assert [None if pd.isna(v) else v for v in out["note"]] == ["", "a", None]
    assert wide[1]["na_spellings"] == {"score": {'""': 1}, "note": {"na": 1}, "city": {"": 1, "null": 1}}
