"""HTML to text: unclosed inline elements and tags with bare framework attributes (breaker12 H1, H2).

Before (main at 7c32d29):

* H1: ``<p>Note<i>important</p>`` -> ``Note<i>important``: the html14 rule "an attribute-less start tag glued to letters
  on both sides and never closed is text" (meant for ``a<b>c``) fired inside real HTML, where an unclosed ``<i>`` is
  sloppy markup a browser renders (an HTML editor writes a comparison as ``&lt;``). Now the rule holds only in a value
  with no other markup (``a<b>c &amp; d``); beside other markup the tag is an element: ``Noteimportant``.
* H2: ``<div layout flex>Row text</div>`` came out exactly as written, no reason: ``layout`` and ``flex`` are no HTML
  attribute names, so the tag was text and the value not HTML. Now a tag its end tag closes later is markup, whatever
  its attributes; the bare-word rule is for a tag never closed (``<p>a<b and c</p>``). Custom elements
  (``<sl-button outline pill>Save</sl-button>``) opened and closed are elements: ``Save``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from headwater.clean.frame import build_frame
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.text import html_text, looks_like_html, normalize_text

UNCLOSED = [
    # breaker12 H1
    ("<p>Note<i>important</p>", "Noteimportant"),
    ("<p>Hello<b>World</p>", "HelloWorld"),
    ("<div>Total<span>5</div>", "Total5"),
    ("<li>Item<em>new</li>", "Itemnew"),
    ("<td>Ann<font>Lee</td>", "AnnLee"),
    ("<p>a<dl>b</p>", "a\nb"),
    # variants
    ("<p>Price<strong>9.99</p><p>next</p>", "Price9.99\nnext"),
    ("<div>one<u>two</div> three<i>four</i>", "onetwo\nthreefour"),  # the block break; the closed i inline
    ("x<i>y<br>", "xy"),  # a line break element is markup enough (the break at the end is trimmed)
    ("<!-- note -->a<b>c", "ac"),  # a comment is markup
    ("<p>a<b>c <b>d</b></p>", "ac d"),
]


@pytest.mark.parametrize(("value", "expected"), UNCLOSED)
def test_an_unclosed_inline_element_in_html_is_markup(value: str, expected: str) -> None:
    assert normalize_text(value) == expected
    assert html_text(value)[1] is False


STILL_TEXT = [
    # breaker11 H1, kept
    ("<p>a<b and c</p> tail <i>it</i>", "a<b and c\ntail it"),
    ("<p>when i<a then ok</p><p>next</p>", "when i<a then ok\nnext"),
    ("<p>ratio<br and more</p>", "ratio<br and more"),
    ("<p>if a<b && c>d</p>", "if a<b && c>d"),
    # a bare word in a tag never closed, though the name is closed elsewhere for another start tag
    ("<p>a<b and c <b>x</b></p>", "a<b and c x"),
    ("<div layout flex>Row <div>in</div>", "<div layout flex>Row\nin"),  # the outer div is never closed
    # glued, no other markup: the value is not HTML, or only its references are decoded
    ("a<b>c", "a<b>c"),
    ("a<b>c &amp; d", "a<b>c & d"),
    ("a<b>c and x<i>y", "a<b>c and x<i>y"),
    ("a<b>c</i>", "a<b>c</i>"),  # no element both opened and closed: not HTML (``is_html``)
    # a custom element's name never closed: text as written
    ("<p>Use <file-name> here</p>", "Use <file-name> here"),
    ("<p>Run <my-el>x</p>", "Run <my-el>x"),
    ("<file-name>", "<file-name>"),
    ("<font-face>x</font-face>", "<font-face>x</font-face>"),  # a reserved name: no custom element
]


@pytest.mark.parametrize(("value", "expected"), STILL_TEXT)
def test_text_a_writer_meant_stays(value: str, expected: str) -> None:
    assert normalize_text(value) == expected
    assert html_text(value)[1] is False


CLOSED = [
    # breaker12 H2
    ("<div layout flex>Row text</div>", "Row text"),
    ("<sl-button outline pill>Save</sl-button>", "Save"),
    ("<my-widget foo bar>custom</my-widget>", "custom"),
    # variants
    ("<div layout=\"row\" flex>a</div><div fill>b</div>", "a\nb"),
    ("<span hidden-xs foo>x</span> y", "x y"),
    ("<p>see <my-card elevated>card</my-card> now</p>", "see card now"),
    ("<x-foo a b><x-foo c>in</x-foo></x-foo>", "in"),
    ("<md-button raised><b>Go</b></md-button>", "Go"),
    ("<p ng-cloak layout-align center>t</p>", "t"),
]


@pytest.mark.parametrize(("value", "expected"), CLOSED)
def test_a_tag_closed_later_is_markup_whatever_its_bare_attributes(value: str, expected: str) -> None:
    assert looks_like_html(value)
    assert normalize_text(value) == expected
    assert html_text(value)[1] is False


def test_the_clean_step_keeps_the_original_and_says_html() -> None:
    rows = [["1", "<p>Note<i>important</p>"], ["2", "<div layout flex>Row text</div>"],
            ["3", "<sl-button outline pill>Save</sl-button>"], ["4", "a<b>c"], ["5", "<p>a<b and c</p>"]]
    step = NormalizeText()
    out = step.apply(build_frame(["id", "body"], rows, [2, 3, 4, 5, 6], "2026-12-01/h.csv")[0]).kept
    assert out["body"].tolist() == ["Noteimportant", "Row text", "Save", "a<b>c", "a<b and c"]
    assert out["body__raw"].tolist()[:3] == [rows[0][1], rows[1][1], rows[2][1]]
    assert pd.isna(out["body__raw"].iloc[3])
    assert out["body__raw"].iloc[4] == rows[4][1]
    assert out["body__reason"].tolist()[:3] == ["normalized: html, trim", "normalized: html, trim", "normalized: html"]
    assert pd.isna(out["body__reason"].iloc[3])
    assert out["body__reason"].iloc[4] == "normalized: html, trim"
    assert step.summary()["text_normalized"] == {"body": {"html": 4, "trim": 3}}
    assert step.warnings() == []
