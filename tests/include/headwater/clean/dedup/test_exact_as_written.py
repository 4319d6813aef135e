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
    rows = [["AB 12", "first"], ["AB\t12", "first"], ["AB\u00a012", "first"], ["AB\u200b 12", "first"], ["ab 12", "first"]]
    assert _dups(["code", "desc"], rows) == []


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
