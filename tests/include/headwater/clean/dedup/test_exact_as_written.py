"""Exact duplicates are exact as written: a whitespace or case variant is not one; an encoding artefact (NFC, CRLF) is."""

from __future__ import annotations


from headwater.clean.frame import build_frame
from headwater.clean.pipeline import build_steps, run_steps
from headwater.clean.steps.base import DEDUP_JOB, LINE
from headwater.config.source import SourceConfig


def _dups(header: list[str], rows: list[list[str]]) -> list[tuple[int, str]]:
    df = build_frame(header, rows, list(range(2, 2 + len(rows))), "2026-11-20/x.csv")[0]
    d = run_steps(df, build_steps(SourceConfig())).duplicates
    return list(zip(d[LINE].tolist(), d[DEDUP_JOB].tolist())) if len(d) else []


def test_two_spaces_and_one_space_are_not_exact_duplicates() -> None:
    assert _dups(["code", "desc"], [["AB  12", "first"], ["AB 12", "first"]]) == []


def test_whitespace_variants_are_not_exact_duplicates() -> None:
    rows = [["AB 12", "first"], ["AB\t12", "first"], ["AB\u00a012", "first"], ["AB\u200b  12", "first"], ["ab 12", "first"]]
    assert _dups(["code", "desc"], rows) == []  # a zero-width space is an artefact, the two spaces after it are not


def test_the_same_writing_twice_is_an_exact_duplicate() -> None:
    assert _dups(["code", "desc"], [["AB  12", "first"], ["AB  12", "first"], ["AB 12", "first"], ["AB 12", "first"]]) == [
        (3, "exact"),
        (5, "exact"),
    ]


def test_encoding_artefacts_alone_still_make_exact_duplicates() -> None:
    # NFD and NFC spell the same characters; CRLF and LF the same line break
    assert _dups(["name", "note"], [["Jos\u00e9", "a\nb"], ["Jose\u0301", "a\r\nb"], ["Jose\u0301", "a\rb"]]) == [(3, "exact"), (4, "exact")]


def test_padding_around_a_value_is_an_artefact() -> None:
    # fixed-width and CHAR(n) exports pad values; the padded row keeps its text in code__raw
    assert _dups(["code", "desc"], [["AB 12", "first"], [" AB 12 ", "first"], ["AB 12\t", "first"]]) == [(3, "exact"), (4, "exact")]


def test_an_artefact_with_a_real_change_is_not_exact() -> None:
    assert _dups(["name", "note"], [["Jos\u00e9", "a b"], ["Jose\u0301", "a  b"]]) == []


def test_two_masked_values_are_never_exact_duplicates() -> None:
    # the address is not kept anywhere, so two notes that read alike after masking may hide two addresses:
    # they stay two records (headwater.clean.steps.base.masked_rows), even when they hid the same one
    rows = [["write to ann@x.org today please", "1"], ["write to bob@y.org today please", "1"]]
    assert _dups(["note", "n"], rows) == []
    assert _dups(["note", "n"], [rows[0], rows[0]]) == []


def test_rows_that_differ_only_in_how_they_wrote_missing_are_not_exact_duplicates() -> None:
    # breaker2 #14: NA may be data (Namibia); the spelling as written is part of the exact key
    assert _dups(["id", "v"], [["1", "NA"], ["1", ""], ["1", "null"]]) == []
    assert _dups(["id", "v"], [["1", "N/A"], ["1", "n/a"], ["1", "NULL"]]) == []
    assert _dups(["id", "v"], [["1", "NA"], ["1", "NA"], ["1", ""], ["1", ""]]) == [(3, "exact"), (5, "exact")]


def test_a_cell_of_spaces_and_an_empty_cell_are_not_exact_duplicates() -> None:
    # breaker2 #15: spaces are what a fixed layout wrote; they stay in v__raw (reason blank)
    assert _dups(["id", "v"], [["1", "   "], ["1", ""], ["1", "\t"]]) == []
    assert _dups(["id", "v"], [["1", "  "], ["1", "  "]]) == [(3, "exact")]


def _run(header: list[str], rows: list[list[str]], batch: int, declared: dict | None = None):
    """Rows through the default pipeline (``declared``: source config columns) in batches of ``batch``: (curated, duplicates,
    exact step counts summed, the exact step's warnings)."""
    config = SourceConfig.model_validate({"schema": {"columns": declared}}) if declared else SourceConfig()
    steps = build_steps(config)
    curated, dups, counts = [], [], {}
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        df = build_frame(header, chunk, list(range(2 + start, 2 + start + len(chunk))), "2026-11-20/x.csv", config)[0]
        result = run_steps(df, steps, last=start + batch >= len(rows))
        curated += result.curated[LINE].tolist()
        dups += result.duplicates[LINE].tolist() if len(result.duplicates) else []
        for k, v in result.steps["exact_duplicates"].items():
            counts[k] = counts.get(k, 0) + v
    exact = next(s for s in steps if s.name == "exact_duplicates")
    return curated, dups, counts, exact.warnings()


def test_rows_kept_apart_only_by_how_they_wrote_missing_are_counted_and_warned_across_batches() -> None:
    # breaker2 #14 (in3/na_spelling_dup.csv): 1,NA / 1, / 1,null -> three records, two of them kept apart by the spelling
    # None: an empty unquoted field, as staging holds it (a quoted "" is an empty string: headwater.ingest.csv_file.absent_empties)
    rows = [["1", "NA"], ["1", None], ["1", "null"], ["2", "x"], ["1", "NA"], ["1", "   "]]
    for batch in (100, 2, 1):
        curated, dups, counts, warnings = _run(["id", "v"], rows, batch)
        assert (curated, dups) == ([2, 3, 4, 5, 7], [6]), batch  # the second 1,NA is a copy of the first as written
        assert counts["kept_apart_by_na_spelling"] == 3, batch  # lines 3, 4, 7 (spaces are a spelling too)
        assert warnings == [
            "kept_apart_by_na_spelling: 3 row(s) (lines 3, 4, 7) equal an earlier row but for how a missing value was written "
            "(NA, null, blank, spaces; the text kept in <col>__raw, reason na_spelling or blank): kept as curated records, "
            "not exact duplicates"
        ], batch


def test_no_spelling_difference_no_count_and_no_warning() -> None:
    curated, dups, counts, warnings = _run(["id", "v"], [["1", "NA"], ["1", "NA"], ["2", ""], ["2", ""], ["3", "a"]], 100)
    assert (curated, dups) == ([2, 4, 6], [3, 5])
    assert "kept_apart_by_na_spelling" not in counts and warnings == []


def test_in_a_number_or_date_column_the_spelling_also_keeps_rows_apart() -> None:
    # NA cannot be a number or a date, but two exports that wrote "missing" differently are not one record copied
    rows = [["1", "NA", "2024-01-02"], ["1", None, "2024-01-02"], ["1", "-", "N/A"], ["1", "-", None], ["1", "5", "2024-01-02"]]
    curated, dups, counts, _ = _run(["id", "amount", "day"], rows, 100, {"amount": {"type": "number"}, "day": {"type": "date"}})
    assert (curated, dups) == ([2, 3, 4, 5, 6], [])
    assert counts["kept_apart_by_na_spelling"] == 2  # line 3 (amount NA vs empty), line 5 (day N/A vs empty)


def test_a_spelling_and_a_real_difference_is_not_counted() -> None:
    curated, dups, counts, warnings = _run(["id", "v", "w"], [["1", "NA", "a"], ["1", "", "b"]], 100)
    assert (curated, dups) == ([2, 3], []) and "kept_apart_by_na_spelling" not in counts and warnings == []
