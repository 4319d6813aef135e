"""NormalizeText on a batch: prose keeps its '<', HTML loses its tags, references decode once, CJK stays."""

from __future__ import annotations

import pandas as pd

from headwater.clean.frame import build_frame
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.config.text import TextOptions

ROWS = [
    # note, body, contact, review
    ["if x<y and y>z", "<p>Great shoes!<br />Fit well.</p>", "Ann <ann@x.org>", "這款鞋子的鞋底在三週後開始脫落了，客服也不回覆。"],
    ["Map<Key, Value>", '<a href="https://x.org/s?q=a&para=2">Sizes</a> &amp;lt;', "Thanks--@Shop.com", "この靴は三週間で底が剥がれました。"],
    ["a <b> c", "AT&amp;T said “fine”", " ann@x.org ", "ｶﾀｶﾅ ＡＢＣ"],
    ["x < 3, mail bo@y.org.", "O’Keeffe &amp;amp; co", "Bo <bo@y.org>, Cy <cy@z.org>", "รองเท้าคู่นี้พื้นหลุด"],
]


def _frame() -> pd.DataFrame:
    return build_frame(["note", "body", "contact", "review"], ROWS, [2, 3, 4, 5], "d/x.csv")[0]


def test_each_kind_of_value_lands_as_a_careful_analyst_expects() -> None:
    out = NormalizeText().apply(_frame()).kept
    assert out["note"].tolist() == ["if x<y and y>z", "Map<Key, Value>", "a <b> c", "x < 3, mail [EMAIL]."]
    assert out["body"].tolist() == [
        "Great shoes!\nFit well.",
        "Sizes (https://x.org) &lt;",  # a link's path and query string are left out (breaker9 #12, breaker11 H2)
        "AT&T said “fine”",
        "O’Keeffe &amp; co",
    ]
    assert out["contact"].tolist() == ["Ann <ann@x.org>", "Thanks--@Shop.com", "ann@x.org", "Bo <[EMAIL]>, Cy <[EMAIL]>"]
    assert out["review"].tolist() == [
        "這款鞋子的鞋底在三週後開始脫落了，客服也不回覆。",
        "この靴は三週間で底が剥がれました。",
        "ｶﾀｶﾅ ＡＢＣ",  # width folding is off unless a source asks (text.fold_width)
        "รองเท้าคู่นี้พื้นหลุด",
    ]


def test_a_source_can_fold_quotes() -> None:
    out = NormalizeText(TextOptions(fold_quotes=True)).apply(_frame()).kept
    assert out["body"].tolist()[2:] == ['AT&T said "fine"', "O'Keeffe &amp; co"]


# breaker2 #15: a value written as whitespace only is the blank missing value, and what was written is kept.
def test_a_whitespace_only_value_becomes_empty_and_keeps_its_text_with_reason_blank() -> None:
    df = build_frame(["id", "note"], [["1", "   "], ["2", ""], ["3", "\t"], ["4", " x "], ["5", "\u00a0\u200b"]], [2, 3, 4, 5, 6], "d/x.csv")[0]
    out = NormalizeText().apply(df).kept
    assert out["note"].tolist() == ["", "", "", "x", ""]
    assert out["note__raw"].astype(object).where(out["note__raw"].notna(), None).tolist() == ["   ", None, "\t", " x ", "\u00a0\u200b"]
    assert out["note__reason"].astype(object).where(out["note__reason"].notna(), None).tolist() == [
        "blank", None, "blank", "normalized: trim", "blank",
    ]
