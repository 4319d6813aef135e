"""normalize_column runs the whitespace stages on the values one of them may change (text._whitespace_stages)."""

import pyarrow as pa

from headwater.clean import text
from headwater.clean.text import normalize_column, normalize_text

# Every value holds '&' (the HTML step's check), so the steps run over the whole column; only four
# of them hold something a whitespace stage or the invisible-character step (before the masks)
# changes, and the first's line break turns into a run the whitespace stage then collapses.
VALUES = [f"tea &amp; cake {i}" for i in range(12)] + [
    "a \r\n b &amp; c",
    "  padded &amp; d ",
    "zero\u200bwidth &amp; e",
    "non\u00a0breaking &amp; f",
]


def test_values_and_change_flags_are_the_stages_own() -> None:
    out = normalize_column(pa.array(VALUES, pa.large_string()))
    assert out.values.to_pylist() == [normalize_text(v) for v in VALUES]
    assert out.values.to_pylist()[12:] == ["a\nb & c", "padded & d", "zerowidth & e", "non breaking & f"]
    flags = {kind: where.tolist() for kind, where in out.changed.items()}
    none = [False] * 12
    assert flags == {
        "html": [True] * 16,
        "line_breaks": none + [True, False, False, False],
        "invisible_characters": none + [False, False, True, False],
        "trim": none + [False, True, False, False],
        "whitespace": none + [True, False, False, True],
    }


def test_the_stages_see_only_the_values_a_stage_may_change(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sizes = []
    replace = text._replace_where
    monkeypatch.setattr(text, "_replace_where", lambda arr, mask, steps, trim=False: sizes.append(len(arr)) or replace(arr, mask, steps, trim))
    normalize_column(pa.array(VALUES, pa.large_string()))
    # the invisible-character step over the column (its own check picks the one value inside _replace_where), then one
    # call per whitespace stage (_WS_STAGES) on the three values they may change (the zero-width space is gone), not the sixteen
    assert sizes == [16, 3, 3, 3]


def test_a_column_where_most_values_need_a_stage_is_run_whole() -> None:
    values = ["  a  ", " b ", "c  d", "plain"]
    out = normalize_column(pa.array(values, pa.large_string()))
    assert out.values.to_pylist() == ["a", "b", "c d", "plain"]
    assert {k: v.tolist() for k, v in out.changed.items()} == {
        "trim": [True, True, False, False], "whitespace": [False, False, True, False],
    }
