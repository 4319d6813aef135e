"""HTML to text: a stray ``<`` before an element's name, link targets' paths, the scheme's case (breaker11 H1-H3).

Before (main at 5425607):

* H1: ``<p>a<b and c</p> tail <i>it</i>`` -> ``a tail it``: html.parser reads ``<b and c</p>`` as the start tag ``b`` with
  attributes ``and``, ``c<`` and ``p``, and the tag was dropped with the words in it; ``<p>if a<b && c>d</p>`` ->
  ``if ad``. The re-read covered only a tag that names no element (``x<y``). Now a tag of an element is text when an
  attribute without a value is no HTML attribute (``and``, ``&&``), or an attribute's name holds a '<' (``c</p``), or
  it is an attribute-less start tag of an element whose end tag is required, glued to letters on both sides and never
  closed (``a<b>c``: a comparison, decided text; since breaker12 H1 only in a value with no other markup, and the
  bare-word rule only for a tag never closed: ``test_text_html_unclosed.py``). Words a conversion still drops outside any element's markup (a
  processing instruction, a bogus comment, CDATA) are said in ``__reason`` (``html_text_dropped``) and a warning.
* H2: ``<a href='https://ex.com/reset/tok_ABC123?x=1'>link</a>`` -> ``link (https://ex.com/reset/tok_ABC123)``; now
  ``link (https://ex.com)``: scheme and host only (a path segment carries no mark that it is a secret).
* H3: ``<a href='HTTPS://EX.COM/a'>caps</a>`` -> ``caps``; now ``caps (HTTPS://EX.COM)`` (RFC 3986 3.1: schemes are
  case-insensitive).
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from headwater.clean.frame import build_frame
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.text import html_text, normalize_column, normalize_text, strip_html

STRAY = [
    # breaker11 H1
    ("<p>a<b and c</p> tail <i>it</i>", "a<b and c\ntail it"),
    ("<p>when i<a then ok</p><p>next</p>", "when i<a then ok\nnext"),
    ("<p>ratio<br and more</p>", "ratio<br and more"),
    ("<p>if a<b && c>d</p>", "if a<b && c>d"),
    # variants
    ("<p>if n<p then stop</p>", "if n<p then stop"),
    ("<p>keep x<i or y</p>", "keep x<i or y"),
    ("<div>score<q and r</div>", "score<q and r"),
    ("<p>x <b and y</p>", "x <b and y"),
    ("<p>p<a href</p>", "p<a href"),  # 'href' is an attribute, but it ran into '</p': 'href<'
    ("<ul><li>i<a list of them</li></ul>", "i<a list of them"),  # 'list' is an attribute, 'of' is not
    ("<p>x<y and z</p>", "x<y and z"),  # no element named: read again before too
    ("<td>a<b</td>", "a<b"),
    ("<li>5<10</li>", "5<10"),  # '<' then a digit opens no tag
    ("a<b>c &amp; d", "a<b>c & d"),  # 'b' glued on both sides, never closed, no other markup: text (decided)
    ("x<sup>2 &lt; 3", "x<sup>2 < 3"),
]


@pytest.mark.parametrize(("value", "expected"), STRAY)
def test_a_stray_lt_before_an_element_name_keeps_the_words_after_it(value: str, expected: str) -> None:
    assert normalize_text(value) == expected
    assert html_text(value)[1] is False  # nothing lost, so nothing to report


REAL = [
    ("<b>bold</b>", "bold"),
    ("<p>a<b>c</b></p>", "ac"),  # closed: markup
    ("<p>a<b>c</p>", "ac"),  # glued and never closed, but other markup: an unclosed element (breaker12 H1)
    ("<p>x<sup>2 and</p>", "x2 and"),
    ("<p>1<s>0</p><p>ok</p>", "10\nok"),
    ("<p>Hello <b>world</p>", "Hello world"),  # not glued on both sides: markup
    ("x<sup>2</sup> y", "x2 y"),
    ("x<br/>y", "x\ny"),
    ("<p><img alt=\"pic\" src=x>ok</p>", "ok"),  # an attribute value is markup: dropped as before
    ("<p>x <input disabled> y</p>", "x y"),  # a boolean attribute
    ("<table><tr><td nowrap>a</td></tr></table>", "a"),  # an obsolete one
    ('<div data-id=3 aria-hidden class="k">t</div>', "t"),
    ('<div ng-if="x" v-cloak x-cloak>t</div>', "t"),  # framework attributes: a value, or a '-' in the name
    ('<a href="https://ex.com/x" target=_blank rel=noopener>l</a>', "l (https://ex.com)"),
    ('<svg viewBox="0 0 1 1" fill></svg><p>t</p>', "t"),  # foreign attributes are not checked
    ("<p>Ann <ann@x.com> wrote: x<y</p>", "Ann <[EMAIL]> wrote: x<y"),
    ("<p>a <!-- hidden --> b</p><script>var and = 1</script>", "a b"),  # dropped on purpose: not reported
]


@pytest.mark.parametrize(("value", "expected"), REAL)
def test_real_html_is_read_as_before(value: str, expected: str) -> None:
    assert normalize_text(value) == expected
    assert html_text(value)[1] is False


DROPPED = [
    ("<p>a <?php echo x ?> b</p>", "\na  b\n"),  # a processing instruction: html.parser drops it
    ("<p>a <!x and y> b</p>", "\na  b\n"),  # a bogus comment
    ("<p>a <![CDATA[x y]]> b</p>", "\na  b\n"),
]


@pytest.mark.parametrize(("value", "text"), DROPPED)
def test_words_dropped_outside_markup_are_found(value: str, text: str) -> None:
    assert html_text(value) == (text, True)
    assert strip_html(value) == text


def test_the_clean_step_says_when_html_lost_words() -> None:
    rows = [["1", "<p>a <?php echo x ?> b</p>"], ["2", "<p>a<b and c</p> tail <i>it</i>"], ["3", "<p>if a<b && c>d</p>"],
            ["4", "plain"]]
    step = NormalizeText()
    out = step.apply(build_frame(["id", "body"], rows, [2, 3, 4, 5], "2026-12-01/h.csv")[0]).kept
    assert out["body"].tolist() == ["a b", "a<b and c\ntail it", "if a<b && c>d", "plain"]
    assert out["body__raw"].tolist()[:3] == [rows[0][1], rows[1][1], rows[2][1]] and pd.isna(out["body__raw"].iloc[3])
    assert out["body__reason"].tolist()[:3] == [
        "normalized: html, html_text_dropped, trim, whitespace", "normalized: html, trim, whitespace", "normalized: html, trim"
    ]
    assert pd.isna(out["body__reason"].iloc[3])
    assert step.summary()["text_normalized"] == {"body": {"html": 3, "html_text_dropped": 1, "trim": 3, "whitespace": 2}}
    assert step.warnings() == [
        "body: 1 value(s) lost words outside any HTML element's markup when their HTML was converted to text (a "
        "processing instruction, a bogus comment or CDATA section, or text read as a tag); the value as written is in "
        "body__raw, reason html_text_dropped"
    ]


def test_the_column_path_flags_the_same_values() -> None:
    values = [v for v, _ in STRAY + REAL] + [v for v, _ in DROPPED] + [None, "x"]
    out = normalize_column(pa.array(values, pa.large_string()))
    assert out.values.to_pylist() == [normalize_text(v) if v is not None else None for v in values]
    lost = out.changed["html_text_dropped"].tolist()
    assert lost == [False] * (len(STRAY) + len(REAL)) + [True] * len(DROPPED) + [False, False]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("<a href='https://ex.com/reset/tok_ABC123?x=1'>link</a>", "link (https://ex.com)"),  # breaker11 H2
     ("<a href='https://ex.com/s/x7Ka9pQ2/report.pdf'>doc</a>", "doc (https://ex.com)"),  # a short capability code
     ("<a href='https://ex.com/v/eyJhbGciOi.eyJzdWIiOi.SflKxwRJSM'>jwt</a>", "jwt (https://ex.com)"),
     ("<a href='https://hooks.ex.com/services/T0/B0/abc123def456ghi789'>hook</a>", "hook (https://hooks.ex.com)"),
     # breaker11 H3: the scheme in any case, written as it was
     ("<a href='HTTPS://EX.COM/a'>caps</a>", "caps (HTTPS://EX.COM)"),
     ("<a href='Http://ex.com:8080/a'>mixed</a>", "mixed (Http://ex.com:8080)"),
     ("<a href=' https://ex.com/a '>spaced</a>", "spaced (https://ex.com)"),  # a URL's edges lose ASCII whitespace
     ("<a href='HTTPS:/ex.com'>nohost</a>", "nohost"),
     ("<a href='FTP://ex.com/a'>ftp</a>", "ftp")],
)
def test_link_targets_keep_scheme_and_host_only(value: str, expected: str) -> None:
    assert normalize_text(value) == expected
