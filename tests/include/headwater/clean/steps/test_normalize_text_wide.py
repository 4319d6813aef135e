"""NormalizeText on a wide file: every column's values, ``__raw`` text, reasons, masked digests and counts are the ones
it gets column by column.

The step runs ``normalize_column`` once over all text columns stacked (headwater.clean.text.stack_strings) and records
only the columns with a changed or masked value on their own; these tests compare it with ``apply_by_column`` and with
each column cleaned in a frame of its own.
"""

from __future__ import annotations

import random

import pandas as pd
import pytest

import headwater.clean.steps.normalize_text as normalize_text
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.config.text import TextOptions
from wide_files import assert_same as _same
from wide_files import each_column_alone, edge_frame
from wide_files import frame as _frame
from wide_files import plain as _plain

# Columns that take every branch: (name, values of rows 1..4).
EDGE = [
    ("plain", ["alpha", "beta gamma", "NA", ""]),  # nothing changes
    ("padded", ["  a  ", "b", " c", "d "]),  # trim
    ("inner", ["a\tb", "a  b", "a\u00a0b", "ab"]),  # whitespace
    ("blank", ["   ", "\t", "", None]),  # whitespace only: blank, the text kept
    ("markup", ["<b>bold</b> text", "&amp;lt;", "if x<y and y>z", "<p>one</p><p>two</p>"]),  # html (or not)
    ("mojibake", ["caf\u00c3\u00a9", "\u00e2\u20ac\u0153quoted\u00e2\u20ac\u009d", "fine", "na\u00efve"]),
    ("mail", ["mail ann@x.org now", "ann@x.org", "write to bob@y.com or carl@z.net", "no address"]),  # masked in prose only
    ("phone", ["call +1 415 555 1234 today", "(415) 555-1234", "SKU-800.555.1234", "ring 020 7946 0958"]),
    ("breaks", ["line\r\nbreak", "a\rb", "zero\u200bwidth", "\ufeffbom"]),
    ("forms", ["e\u0301", "\ufb01ne", "\uff21\uff22\uff23", "\u201cq\u201d"]),  # nfc, ligatures, width, quotes (options)
    ("url", ["see www.example.com/x now", "https://a.org", "x", "y"]),
]


def _wide(columns: int, seed: int) -> tuple[list[str], list[list[str | None]]]:
    """The EDGE columns, then ``columns`` generated ones drawn from the EDGE values, 4 rows."""
    rng = random.Random(seed)
    pool = [v for _, values in EDGE for v in values]
    header = [name for name, _ in EDGE] + [f"c{i}" for i in range(columns)]
    draws = [rng.sample(pool, rng.randint(1, 5)) for _ in range(columns)]
    return header, [[values[r] for _, values in EDGE] + [rng.choice(d) for d in draws] for r in range(4)]


def _run(step: NormalizeText, frames: list[pd.DataFrame], by_column: bool) -> list:
    kept = [(step.apply_by_column(f) if by_column else step.apply(f)).kept for f in frames]
    summary = step.summary()
    return kept + [summary, [list(summary[k]) for k in ("text_normalized", "text_masked")]]


@pytest.mark.parametrize(("options", "key"), [
    (TextOptions(), None),
    (TextOptions(), b"k" * 16),
    (TextOptions(fold_quotes=True, fold_ligatures=True, fold_width=True, urls="mask", mask_field_values=True), b"k" * 16),
    (TextOptions(columns=["padded", "mail", "c1", "c7"], phones="remove"), None),
])
def test_a_wide_file_is_normalized_exactly_as_column_by_column(options: TextOptions, key: bytes | None) -> None:
    header, rows = _wide(60, seed=3)
    frames = [_frame(header, rows[:3]), _frame(header, rows[3:], first_line=5)]
    _same(_run(NormalizeText(options, key), frames, by_column=False), _run(NormalizeText(options, key), frames, by_column=True))


def test_columns_that_are_not_text_are_left_alone_and_objects_are_text() -> None:
    header, rows = _wide(10, seed=5)
    frame = _frame(header, rows)
    frame["count"] = [1, 2, 3, 4]
    frame["objects"] = pd.Series([" x", None, "y\t", "z"], dtype=object)
    wide = _run(NormalizeText(), [frame], by_column=False)
    _same(wide, _run(NormalizeText(), [frame], by_column=True))
    out = wide[0]
    assert out["count"].tolist() == [1, 2, 3, 4]
    assert [None if pd.isna(v) else v for v in out["objects"]] == ["x", None, "y", "z"]


def test_each_column_of_a_wide_file_is_what_it_is_in_a_file_of_its_own() -> None:
    header, rows = _wide(40, seed=11)
    for name, step, wide_step in each_column_alone(lambda: NormalizeText(digest_key=b"k" * 16), header, rows):
        for kind, counts in step.summary().items():
            assert counts.get(name) == wide_step.summary()[kind].get(name), (name, kind)


def test_the_edge_columns_get_these_values_and_reasons() -> None:
    step = NormalizeText()
    out = step.apply(edge_frame(EDGE)).kept

    def values(col: str) -> list:
        return _plain(out[col])

    assert "plain__raw" not in out.columns and values("plain") == ["alpha", "beta gamma", "NA", ""]
    assert values("padded") == ["a", "b", "c", "d"] and values("padded__raw") == ["  a  ", None, " c", "d "]
    assert values("blank") == ["", "", "", None] and values("blank__reason") == ["blank", "blank", None, None]
    assert values("markup") == ["bold text", "&lt;", "if x<y and y>z", "one\ntwo"]
    assert values("mail") == ["mail [EMAIL] now", "ann@x.org", "write to [EMAIL] or [EMAIL]", "no address"]
    assert "mail__raw" not in out.columns and values("mail__reason") == ["masked: emails", None, "masked: emails", None]
    assert values("breaks") == ["line\nbreak", "a\nb", "zerowidth", "bom"]
    assert step.summary()["text_masked"] == {"mail": {"emails": 2}, "phone": {"phones": 1}}  # a whole value is a contact field; 020... is no US number
    assert step.summary()["text_normalized"]["padded"] == {"trim": 3}
    assert step.summary()["text_normalized"]["blank"] == {"blank": 2}


def test_one_normalize_column_runs_over_all_text_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    header, rows = _wide(100, seed=3)
    sizes: list[int] = []
    normalize_column = normalize_text.normalize_column
    monkeypatch.setattr(normalize_text, "normalize_column", lambda array, options: (sizes.append(len(array)), normalize_column(array, options))[1])
    step = NormalizeText()
    step.apply(_frame(header, rows))
    # two stacks since breaker7 #5: the contact columns (a value that is one number or address stays), then the others
    contact = sorted(c for c, yes in step.contact.items() if yes)
    assert contact == ["mail", "phone"]
    exempt = len(contact) + len(step.short)  # and the columns of short values (codes, numbers: no free text)
    assert sizes == [exempt * 4, (len(header) - exempt) * 4]


def test_a_long_batch_goes_column_by_column(monkeypatch: pytest.MonkeyPatch) -> None:
    # a column of STACK_VALUES values or more is normalized alone: its own subset-or-all choice, no stacked copy
    rows = [[" a ", "b"] for _ in range(70_000)]
    frame = _frame(["x", "y"], rows)
    sizes: list[int] = []
    normalize_column = normalize_text.normalize_column
    monkeypatch.setattr(normalize_text, "normalize_column", lambda array, options: (sizes.append(len(array)), normalize_column(array, options))[1])
    step = NormalizeText()
    out = step.apply(frame).kept
    assert sizes == [70_000, 70_000]
    assert out["x"].iloc[0] == "a" and step.summary()["text_normalized"] == {"x": {"trim": 70_000}}


def test_a_wide_file_where_every_column_changes_and_digests_pile_up() -> None:
    # a space after each delimiter: every column trimmed; e-mails in many columns: one digest column, "a; b" in column order
    rng = random.Random(13)
    header = [f"c{i}" for i in range(80)]
    rows = [[" " + rng.choice(["x", "mail ann@x.org now", "write to bob@y.com", "  ", "y"]) for _ in header] for _ in range(5)]
    frame = _frame(header, rows)
    for key in (None, b"k" * 16):
        wide = _run(NormalizeText(digest_key=key), [frame], by_column=False)
        _same(wide, _run(NormalizeText(digest_key=key), [frame], by_column=True))
        assert ("_masked_digest" in wide[0].columns) == (key is not None)
    assert list(wide[0].columns[-1:]) == ["_masked_digest"] and "; " in "".join(wide[0]["_masked_digest"].dropna())


def test_a_frame_with_texts_kept_already_or_a_digest_column_matches_column_by_column() -> None:
    header, rows = _wide(20, seed=17)
    frame = _frame(header, rows)
    frame.insert(frame.columns.get_loc("padded") + 1, "padded__raw", pd.Series(["p", None, None, None], dtype="string"))
    frame["_masked_digest"] = pd.Series(["mail=00", None, None, None], dtype="string")
    key = b"k" * 16
    _same(_run(NormalizeText(digest_key=key), [frame], by_column=False), _run(NormalizeText(digest_key=key), [frame], by_column=True))
    plain = _frame(header, rows)
    plain["_masked_digest"] = pd.Series(["mail=00", None, None, None], dtype="string")
    _same(_run(NormalizeText(digest_key=key), [plain], by_column=False), _run(NormalizeText(digest_key=key), [plain], by_column=True))
