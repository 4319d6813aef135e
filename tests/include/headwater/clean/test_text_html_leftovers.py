"""HTML to text (breaker9 #12): no end tag left in the text, inline elements as a browser shows them, and a link's query
string never moved from markup into searchable text.

Before (in/html/a.csv, ``body: text``):

* ``Use <code>x<y</code> and <b>bold</b>text`` -> ``Use x<y</code> and boldtext``: html.parser reads ``<y</code>`` as one
  tag named ``y<`` (WHATWG HTML 13.2.5.8: a tag name runs to whitespace, ``/`` or ``>``), and a tag that names no element
  is kept as written, ``</code>`` with it. Now the ``<`` that opens no element is text and what follows is read again:
  ``Use x<y and boldtext``;
* ``<a href='https://evil.example/?token=SECRET'>click</a>`` -> ``click (https://evil.example/?token=SECRET)``; now
  ``click (https://evil.example)``: the target's scheme and host, no path (breaker11 H2), query, fragment or user name.

Decided and kept: ``<b>bold</b>text`` -> ``boldtext`` and ``<span>Mr</span><span>Smith</span>`` -> ``MrSmith``: inline
elements add no space, and a browser shows ``boldtext`` and ``MrSmith``; a space there would be a character nobody saw (a
table cell, a list item, a paragraph or a line break, block elements, do separate their text). The value as written stays
in ``<col>__raw`` in every case, with reason ``normalized: html``.
"""

from __future__ import annotations

import pytest

from headwater.clean.frame import build_frame
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.text import link_target, normalize_text, strip_html
from headwater.config.text import TextOptions


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Use <code>x<y</code> and <b>bold</b>text", "Use x<y and boldtext"),  # breaker9 #12
     ("Use <code>x<y </code> and <b>bold</b>text", "Use x<y and boldtext"),  # '<' then a space: '<' an attribute name
     ("<p>x<y</p>", "x<y"),  # before: '<p>x<y</p>' as written (the </p> was swallowed, so no element closed)
     ("<p>if x<y then</p><p>go</p>", "if x<y then\ngo"),
     ("a<b<i>c</i>", "a<bc"),  # the tag 'b<i': '<' text, then <i>c</i>
     ("<b>a</b> x<y<z</i>", "a x<y<z"),
     ("<p>a<b<c</p>d<e</p>", "a<b<c\nd<e"),
     # kept as before
     ('<p>a <y a="</b>"> b</p>', 'a <y a="</b>"> b'),  # a tag inside an attribute's quoted value is the value's
     ("x<y</b>", "x<y</b>"),  # not HTML (an end tag alone): as written
     ("if x<y and y>z", "if x<y and y>z"),
     ("Ann <ann@x.org> <b>hi</b>", "Ann <[EMAIL]> hi"),
     ("<b>bold</b>text", "boldtext"),  # inline: as a browser shows it
     ("<span>Mr</span><span>Smith</span>", "MrSmith"),
     ("<td>Mr</td><td>Smith</td>", "Mr\nSmith"),  # block (table cells): separated
     ("<span>Mr</span> <span>Smith</span>", "Mr Smith")],
)
def test_html_text_has_no_tag_left_and_inline_elements_join_as_shown(value: str, expected: str) -> None:
    assert normalize_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("<a href='https://evil.example/?token=SECRET'>click</a>", "click (https://evil.example)"),  # breaker9 #12
     ('<a href="https://shop.example/p/12?id=3&amp;utm_source=mail#reviews">item</a>', "item (https://shop.example)"),
     ('<a href="https://user:hunter2@shop.example:8443/p/12">item</a>', "item (https://shop.example:8443)"),
     ('<a href="https://b.example/f.pdf?X-Amz-Signature=abc&X-Amz-Credential=k">report</a>', "report (https://b.example)"),
     ('<a href="https://example.com/ada">profile</a>', "profile (https://example.com)"),  # breaker11 H2: no path
     ('<a href="https://example.com">home</a>', "home (https://example.com)"),
     ('<a href="https://x.org/a&amp;b/c">s</a>', "s (https://x.org)"),
     ('<a href="https://[::1/x">bad</a>', "bad"),  # does not parse: no target
     ('<a href="https://shop.example:port/x">bad</a>', "bad"),
     ('<a href="mailto:a@b.org?subject=x">mail</a>', "mail"),  # not http(s): no target, as before
     ('<a href="/local?token=1">rel</a>', "rel")],
)
def test_a_link_target_keeps_scheme_and_host_only(value: str, expected: str) -> None:
    assert normalize_text(value) == expected


def test_link_target_directly() -> None:
    assert link_target("https://evil.example/?token=SECRET") == "https://evil.example"
    assert link_target("http://a.example/b/c?d=e#f") == "http://a.example"
    assert link_target("https://u@a.example") == "https://a.example"
    assert link_target("https:///path") is None  # no host
    assert link_target("https://[::1") is None


def test_masked_or_removed_urls_hide_the_target_as_before() -> None:
    value = "<a href='https://evil.example/?token=SECRET'>click</a>"
    assert normalize_text(value, TextOptions(urls="mask")) == "click ([URL])"
    assert normalize_text(value, TextOptions(urls="remove")) == "click"
    assert strip_html(value, keep_links=False) == "click"


def test_breaker9_html_rows_through_the_clean_step_keep_their_text_as_written() -> None:
    rows = [["5", "Use <code>x<y</code> and <b>bold</b>text"], ["7", "<span>Mr</span><span>Smith</span>"],
            ["12", "<a href='https://evil.example/?token=SECRET'>click</a>"]]
    frame = build_frame(["id", "body"], rows, [6, 8, 13], "2026-11-20/a.csv")[0]
    out = NormalizeText().apply(frame).kept
    assert out["body"].tolist() == ["Use x<y and boldtext", "MrSmith", "click (https://evil.example)"]
    assert out["body__raw"].tolist() == [r[1] for r in rows]
    assert out["body__reason"].tolist() == ["normalized: html"] * 3
