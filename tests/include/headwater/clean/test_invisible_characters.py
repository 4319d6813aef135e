"""Invisible format characters from copy-paste (breaker4 #22): removed with the value as written in ``<col>__raw``
(reason ``normalized: invisible_characters``), before the e-mail and phone masks; ZWJ/ZWNJ kept; an artefact for
exact duplicates, and the cleaned value is what near-duplicate text, record linkage and the vetoes compare."""

from __future__ import annotations

import pandas as pd
import pytest

from headwater.clean.frame import assign_row_ids, build_frame
from headwater.clean.mapping import map_columns
from headwater.clean.pipeline import build_steps, run_steps
from headwater.clean.steps.base import CLUSTER_ID, DEDUP_JOB, DUPLICATE_OF, LINE, ROW_ID
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.text import normalize_text
from headwater.config.schema import ColumnSpec, SchemaSpec
from headwater.config.source import SourceConfig

REASON = "normalized: invisible_characters"


def _frame(header: list[str], rows: list[list[str]]) -> pd.DataFrame:
    return assign_row_ids(build_frame(header, rows, list(range(2, 2 + len(rows))), "2026-11-20/x.csv")[0])


def _clean(header: list[str], rows: list[list[str]], config: dict | None = None):
    return run_steps(_frame(header, rows), build_steps(SourceConfig.from_mapping(config or {})))


def _cells(df: pd.DataFrame, col: str) -> list[tuple]:
    """(value, __raw, __reason) per row, missing as None."""
    def get(name: str) -> list:
        return [None if pd.isna(v) else v for v in df[name]] if name in df.columns else [None] * len(df)

    return list(zip(get(col), get(col + "__raw"), get(col + "__reason")))


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("AB\u200b123", "AB123"),  # ZERO WIDTH SPACE: removed, not a space ('AB 123' would be two words)
        ("AB\u2060123", "AB123"),  # WORD JOINER
        ("AB\ufeff123", "AB123"),  # a byte-order mark inside a value (ftfy removes it; named as invisible, not control)
        ("Donau\u00addampf\u00adschiff", "Donaudampfschiff"),  # SOFT HYPHEN (Word's optional hyphen)
        ("A\u180eB", "AB"),  # MONGOLIAN VOWEL SEPARATOR outside Mongolian text (a space before Unicode 6.3)
        ("\u200eRef 12\u200f", "Ref 12"),  # LRM / RLM
        ("\u061cRef 12", "Ref 12"),  # ARABIC LETTER MARK
        ("\u202aRef 12\u202c", "Ref 12"),  # LRE ... PDF
        ("\u202bRef\u202e 12\u202c", "Ref 12"),  # RLE, RLO (the Trojan Source override)
        ("\u2066Ref 12\u2069", "Ref 12"),  # LRI ... PDI
        ("\u2067Ref\u2068 12\u2069\u2069", "Ref 12"),  # RLI, FSI
    ],
)
def test_each_invisible_character_is_removed_and_the_value_kept_as_written(written: str, value: str) -> None:
    out = NormalizeText().apply(_frame(["code", "n"], [[written, "1"], ["plain", "2"]])).kept
    assert _cells(out, "code") == [(value, written, REASON), ("plain", None, None)]
    assert normalize_text(written) == value


@pytest.mark.parametrize(
    "value",
    [
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # family: man ZWJ woman ZWJ girl (one emoji)
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian 'I want', a ZWNJ after the prefix mi-
        "\u0915\u094d\u200d\u0937",  # Devanagari half form with ZWJ
        "\u2764\ufe0f",  # red heart with VARIATION SELECTOR-16
        "\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f",  # flag of Wales: tag characters
        "\u1828\u1820\u180e\u1821",  # Mongolian: the vowel separator selects the final vowel's form
        "x\u2062y",  # INVISIBLE TIMES (mathematics)
    ],
)
def test_meaningful_joiners_selectors_and_mongolian_are_untouched(value: str) -> None:
    out = NormalizeText().apply(_frame(["note", "n"], [[value, "1"]])).kept
    assert _cells(out, "note") == [(value, None, None)]
    assert normalize_text(value) == value


def test_a_value_of_invisible_characters_only_is_the_blank_missing_value() -> None:
    result = _clean(["id", "v"], [["1", "\u200b"], ["2", "\u200e\u200f"], ["3", " \u2060 "], ["4", "\ufeff"]])
    assert _cells(result.curated, "v") == [
        (None, "\u200b", "blank"),
        (None, "\u200e\u200f", "blank"),
        (None, " \u2060 ", "blank"),
        (None, "\ufeff", "blank"),
    ]


def test_rows_that_differ_only_in_invisible_characters_are_exact_duplicates() -> None:
    rows = [
        ["1", "Acme Ltd", "Main St"],
        ["1", "Acme\u200b Ltd", "Main St"],  # a zero-width space pasted from a web page
        ["1", "Acme Ltd", "\u200eMain St\u200f"],  # direction marks
        ["1", "Acme  Ltd", "Main St"],  # two spaces: a change inside the value, not an artefact
        ["2", "Acme\u00ad Ltd", "Main St"],  # another id
    ]
    result = _clean(["id", "name", "street"], rows)
    d = result.duplicates
    first = result.curated[ROW_ID].iloc[0]
    assert list(zip(d[LINE], d[DEDUP_JOB], d[DUPLICATE_OF], d[CLUSTER_ID])) == [(3, "exact", first, first), (4, "exact", first, first)]
    assert _cells(d, "name") == [("Acme Ltd", "Acme\u200b Ltd", REASON), ("Acme Ltd", None, None)]
    assert _cells(d, "street") == [("Main St", None, None), ("Main St", "\u200eMain St\u200f", REASON)]
    assert result.curated[LINE].tolist() == [2, 5, 6]


def test_a_zero_width_space_and_a_real_change_is_not_an_exact_duplicate() -> None:
    result = _clean(["id", "name"], [["1", "Acme Ltd"], ["1", "Acme\u200b  Ltd"]])
    assert len(result.duplicates) == 0
    assert _cells(result.curated, "name")[1] == ("Acme Ltd", "Acme\u200b  Ltd", "normalized: invisible_characters, whitespace")


def test_a_phone_number_wrapped_in_direction_marks_is_one_number() -> None:
    # a contact field stays as the number (not masked with its original lost); in prose the number is found and masked
    rows = [["\u200e+1 415 555 2671\u200f", "call \u200e+1 415 555 2671\u200f after five"], ["+1 415 555 2671", "call +1 415 555 2671 after five"]]
    result = _clean(["phone", "note"], rows)
    assert _cells(result.curated, "phone")[0] == ("+1 415 555 2671", "\u200e+1 415 555 2671\u200f", REASON)
    assert _cells(result.curated, "note") == [
        ("call [PHONE] after five", None, "masked: phones; normalized: invisible_characters"),
        ("call [PHONE] after five", None, "masked: phones"),
    ]


def test_an_address_split_by_a_zero_width_space_in_prose_is_still_masked() -> None:
    assert normalize_text("mail ann\u200b@x.org or bob@y.\u2060org today") == "mail [EMAIL] or [EMAIL] today"
    assert normalize_text("\u200eann@x.org\u200f") == "ann@x.org"  # one address: a contact field, left as is


def test_a_number_column_reads_the_number_behind_the_marks() -> None:
    result = _clean(["id", "amount"], [["1", "\u200e42\u200f"], ["2", "4\u200b2"]], {"schema": {"columns": {"id": "integer", "amount": "integer"}}})
    assert result.curated["amount"].tolist() == [42, 42]
    assert result.curated["amount__raw"].tolist() == ["\u200e42\u200f", "4\u200b2"]
    assert result.curated["amount__reason"].tolist() == [REASON, REASON]


NOTE = "Our trail running shoe is built for long days on rocky ground with sticky rubber lugs that grip wet granite."


def test_near_duplicate_text_compares_the_cleaned_text() -> None:
    # soft hyphens in every word of a re-export would otherwise change every shingle
    hyphenated = " ".join(w[:2] + "\u00ad" + w[2:] if len(w) > 3 else w for w in NOTE.replace("granite", "granit").split())
    result = _clean(["note", "reviewer"], [[NOTE, "r1"], [hyphenated, "r1"]])
    assert list(zip(result.duplicates[LINE], result.duplicates[DEDUP_JOB])) == [(3, "near_text")]


def test_record_linkage_and_its_vetoes_compare_the_cleaned_values() -> None:
    config = {"dedup": {"linkage": {"fields": ["name", "birth_date"], "threshold": 0.5}}}
    rows = [["Sam Taylor", "1990-01-02", "Male"], ["Sam Tayler", "1990-01-02", "Male\u2060"]]  # the veto column: the same category
    assert list(zip(*[_clean(["name", "birth_date", "sex"], rows, config).duplicates[c] for c in (LINE, DEDUP_JOB)])) == [(3, "linkage")]
    config = {"dedup": {"may_differ": ["customer_id"], "linkage": {"fields": ["full_name", "email", "signup_date"], "threshold": 0.9}}}
    rows = [
        ["C-1003", "John Smith", "john.smith@example.net", "2024-03-01"],
        ["C-1004", "Jon Smith", "\u200ejohn.smith@example.net\u200f", "2024-03-01"],  # the address, not a masked one
        ["C-1006", "Ada Lovelace", "ada@example.com", "2024-01-15"],
    ]
    result = _clean(["customer_id", "full_name", "email", "signup_date"], rows, config)
    assert list(zip(result.duplicates[LINE], result.duplicates[DEDUP_JOB])) == [(3, "linkage")]
    assert result.duplicates["email"].tolist() == ["john.smith@example.net"]


@pytest.mark.parametrize("header", ["\u200bemail", "\ufeffemail", "e\u200bmail", "E\u00admail", "\u200eEmail\u200f", "Em\u2060ail"])
def test_a_header_name_with_invisible_characters_maps_exactly(header: str) -> None:
    schema = SchemaSpec("people", [ColumnSpec("id"), ColumnSpec("email")])
    mapping = map_columns(["id", header], schema)
    assert [(m.standardized, m.canonical, m.method) for m in mapping.matches] == [("id", "id", "exact"), ("email", "email", "exact")]
    assert mapping.warnings() == []
