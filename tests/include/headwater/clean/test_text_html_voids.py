"""Void elements written bare inside real HTML are placeholders, kept as text (breaker13 F2, html17); F3 pinned.

Before (main at 070a320): in a value that is HTML, every tag of an element went as markup, and html16's
``html_unclosed_tag`` named only elements whose end tag is required. A void element (``<source>``, ``<input>``,
``<param>``, ``<link>``, ``<base>``, ``<img>`` ...) is never closed, so ``<p>Usage: cp <source> <target></p>`` read
``Usage: cp <target>``, ``<p>Enter your <input> here</p>`` ``Enter your here``, with the reason ``html`` only: the
placeholder was gone from the text and nothing said so. Written bare, with no attributes, such a tag shows nothing in a
browser (an ``<img>`` without ``src``, a ``<link>`` without ``href``), so it is kept as written, unless it stands where
it is markup (``<colgroup><col>``, ``<video><source>``, ``<form>... <input>``, ``<head><meta>``) or its own end tag
closes it later. ``<br>``, ``<hr>`` and ``<wbr>`` are line-break markup, as before.

F3 (``I like <b>bold &amp; brave`` -> ``I like <b>bold & brave``) is html16's rule, kept: an attribute-less start tag
is no HTML evidence beside a reference, so the value is not HTML; its complete references are decoded as in any value
(``decode_references``), its tags stay, and the change is in ``__raw`` with ``normalized: html``.
"""

from __future__ import annotations

import itertools
import random

import pandas as pd
import pytest

from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.text import html_text_changes, looks_like_html, normalize_text

# breaker13 F2: in/h02_placeholders_refs.csv rows 4, 5, 14, 15, 22
BREAKER = [
    ("<p>Usage: cp <source> <target></p>", "Usage: cp <source> <target>"),  # was ``Usage: cp <target>``
    ("<p>Enter your <input> here</p>", "Enter your <input> here"),  # was ``Enter your here``
    ("<p>Set <param> to <value></p>", "Set <param> to <value>"),  # was ``Set to <value>``
    ("<p>see <link> and <base> urls</p>", "see <link> and <base> urls"),  # was ``see and urls``
    ("<p>a <img> b</p>", "a <img> b"),  # was ``a b``
]
VARIANTS = [
    # other languages
    ("<p>Geben Sie <input> ein, dann <source> kopieren</p>", "Geben Sie <input> ein, dann <source> kopieren"),
    ("<p>Entrez <param> puis <meta></p>", "Entrez <param> puis <meta>"),
    ("<p><embed> を開いて <track> を選ぶ</p>", "<embed> を開いて <track> を選ぶ"),
    # positions: first, alone, last, after other markup
    ("<div><img></div>", "<img>"),
    ("<p><col>: the column</p>", "<col>: the column"),
    ("<b>Note</b>: use <input>", "Note: use <input>"),
    ("Dear <name>,<br>see <img> and <embed>", "Dear <name>,\nsee <img> and <embed>"),
    # separators and spellings
    ("<p>cp <source>/a.txt <link>.bak</p>", "cp <source>/a.txt <link>.bak"),
    ("<p>x <SOURCE> y</p>", "x <SOURCE> y"),
    ("<p>x <Img/> y</p>", "x <Img/> y"),  # self-closing: html.parser's path
    ("<td>from <area>,<track>;<embed></td>", "from <area>,<track>;<embed>"),
    # obsolete void elements
    ("<p>set <spacer> and <isindex> and <bgsound></p>", "set <spacer> and <isindex> and <bgsound>"),
    ("<p><keygen> / <basefont> / <image> / <frame></p>", "<keygen> / <basefont> / <image> / <frame>"),
    # after the element it would belong in is closed
    ("<table><tr><td>a</td></tr></table><p>see <col></p>", "a\nsee <col>"),
    ("<p>see <meta> here</p><head><meta></head>", "see <meta> here"),  # the second <meta> is in <head>: markup
    ("<form><input></form> then <input>", "then <input>"),
    ("<p>table</p> <col> x", "table\n<col> x"),  # the word ``table`` opens no table
]


@pytest.mark.parametrize(("value", "expected"), BREAKER + VARIANTS)
def test_a_bare_void_tag_in_prose_stays_as_written(value: str, expected: str) -> None:
    assert looks_like_html(value) is True  # the value is HTML: its other tags go
    assert normalize_text(value) == expected
    text, dropped, unclosed = html_text_changes(value)
    assert (dropped, unclosed) == (False, False)  # nothing lost, so nothing to say beyond ``html``
    assert normalize_text(text) == expected


MARKUP = [
    # where the element is markup written bare: inside one of its parents
    ("<table><colgroup><col><col></colgroup><tr><td>a</td></tr></table>", "a"),
    ("<table><col><tr><td>a</td></tr></table>", "a"),  # the implied colgroup
    ("<video><source><track></video> x", "x"),
    ("<picture><source><img src=a.png></picture> y", "y"),
    ("<audio><source>no audio</audio>", "no audio"),
    ("<form>Name <input></form>", "Name"),
    ("<label>Name: <input></label>", "Name:"),
    ("<form><p>Name <keygen></p></form>", "Name"),
    ("<map><area></map>z", "z"),
    ("<object><param>fallback</object>", "fallback"),
    ("<head><meta><link><base></head><body>x</body>", "x"),
    ("<frameset><frame></frameset>", ""),
    # its own end tag closes it later: markup, as any tag closed later
    ("<p>Enter your <input>name</input></p>", "Enter your name"),
    ("<img>x</img> and <b>y</b>", "x and y"),
    # attributes: real markup
    ('<p>a <img src="a.png"> b</p>', "a b"),
    ("<p>Enter <input type=text> here</p>", "Enter here"),
    ("<input disabled> &amp; go", "& go"),
    ('<p>x <link rel="stylesheet"> y</p>', "x y"),
    # line-break elements are markup on their own
    ("a<br>b<hr>c<wbr>d", "a\nb\ncd"),
    ("<p>long<wbr>word</p>", "longword"),
]


@pytest.mark.parametrize(("value", "expected"), MARKUP)
def test_void_markup_still_goes(value: str, expected: str) -> None:
    assert normalize_text(value) == expected
    assert html_text_changes(value)[1:] == (False, False)


def test_the_void_elements_are_the_standards() -> None:
    """``_BARE_VOID_PARENTS`` and the line-break elements are the void elements of WHATWG HTML 13.1.2 and section 16
    (obsolete ones the tokenizer reads as void), all of them elements, none with a required end tag."""
    from headwater.clean.text import _BARE_VOID_PARENTS, _END_TAG_REQUIRED, _LINE_BREAK_ELEMENTS, HTML_ELEMENTS

    void = set("area base br col embed hr img input link meta source track wbr".split())
    obsolete = set("basefont bgsound frame image isindex keygen param spacer".split())
    assert set(_BARE_VOID_PARENTS) | _LINE_BREAK_ELEMENTS == void | obsolete
    assert not set(_BARE_VOID_PARENTS) & _LINE_BREAK_ELEMENTS
    assert void | obsolete <= HTML_ELEMENTS
    assert not (void | obsolete) & _END_TAG_REQUIRED
    assert set().union(*_BARE_VOID_PARENTS.values()) <= HTML_ELEMENTS


def test_the_step_keeps_the_placeholder_and_says_html() -> None:
    rows = [v for v, _ in BREAKER] + ["<table><col><tr><td>a</td></tr></table>", "<p>Run ls <dir> then</p>", "a <img> b"]
    step = NormalizeText()
    out = step.apply(pd.DataFrame({"note": pd.Series(rows, dtype="string")})).kept
    assert out["note"].tolist() == [e for _, e in BREAKER] + ["a", "Run ls then", "a <img> b"]
    assert [None if pd.isna(v) else v for v in out["note__raw"]] == rows[:-1] + [None]
    assert [None if pd.isna(v) else v for v in out["note__reason"]] == ["normalized: html, trim"] * 6 + [
        "normalized: html, html_unclosed_tag, trim, whitespace",  # <dir>: its end tag is required (html16); two spaces left
        None,  # no other markup: not HTML, as written
    ]
    assert step.summary()["text_normalized"] == {"note": {"html": 7, "html_unclosed_tag": 1, "trim": 7, "whitespace": 1}}
    assert len(step.warnings()) == 1 and "note: 1 HTML value(s) lost a tag never closed" in step.warnings()[0]


def test_through_ingest_and_clean(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from landed_files import clean_landed, settings_without_sources

    rows = ["<p>Usage: cp <source> <target></p>", "<p>Enter your <input> here</p>", "I like <b>bold &amp; brave",
            "Price &lt; 5 &amp; <b>cheap"]  # fmt: skip
    text = "id,note\n" + "".join(f'{i},"{r}"\n' for i, r in enumerate(rows))
    table, manifest = clean_landed(settings_without_sources(tmp_path), "2026-12-01", "notes.csv", text)
    got = table.to_pydict()
    assert got["note"] == ["Usage: cp <source> <target>", "Enter your <input> here", "I like <b>bold & brave", "Price < 5 & <b>cheap"]
    assert got["note__raw"] == rows
    assert got["note__reason"] == ["normalized: html, trim", "normalized: html, trim", "normalized: html", "normalized: html"]
    assert manifest["text_normalized"] == {"note": {"html": 4, "trim": 2}}
    assert [w for w in manifest["clean_warnings"] if "html" in w] == []


# breaker13 F3: html16's rule, pinned (the same on main at 070a320)
HALF_ESCAPED = [
    ("I like <b>bold &amp; brave", "I like <b>bold & brave"),
    ("Price &lt; 5 &amp; <b>cheap", "Price < 5 & <b>cheap"),
    ("Ich mag <i>fett &amp; mutig", "Ich mag <i>fett & mutig"),
    ("<em>caf&eacute; &amp; bar", "<em>café & bar"),
    ("&quot;quoted&quot; <u>text", '"quoted" <u>text'),
]


@pytest.mark.parametrize(("value", "expected"), HALF_ESCAPED)
def test_an_attribute_less_start_tag_beside_references_stays_and_the_references_are_decoded(value: str, expected: str) -> None:
    assert looks_like_html(value) is False
    assert html_text_changes(value) == (expected, False, False)
    assert normalize_text(value) == expected


def test_the_same_with_an_end_tag_is_html() -> None:
    """An end tag is HTML evidence (``_marked``): the tags go, the references are decoded."""
    assert normalize_text("I like <b>bold</b> &amp; brave") == "I like bold & brave"
    assert normalize_text("Price &lt; 5 &amp; <b>cheap</b>") == "Price < 5 & cheap"


# --- properties over generated values ---

VOIDS = ["area", "base", "col", "embed", "img", "input", "link", "meta", "source", "track", "basefont", "bgsound",
         "frame", "image", "isindex", "keygen", "param", "spacer"]  # fmt: skip
WRAPPED = [
    "<p>cp {t} {u}</p>",
    "<div>Hello {t}, see {u}.</div>",
    "<td>{t}</td><td>{u}</td>",
    "Dear {t},<br>thanks for {u}",
    "<b>Note</b>: {t} then {u} &amp; more",
    "<li>{t}<li>{u}",
    "<p>Sehr geehrte {t}, danke f&uuml;r {u}</p>",
    "<p>{t} 様、{u}</p>",
    "<!-- c -->{t}/{u}",
]


def test_every_bare_void_tag_in_html_prose_is_kept() -> None:
    values = [tpl.format(t=f"<{a}>", u=f"<{b.upper()}/>") for tpl in WRAPPED for a, b in zip(VOIDS, VOIDS[1:] + VOIDS[:1])]
    step = NormalizeText()
    out = step.apply(pd.DataFrame({"note": pd.Series(values, dtype="string")})).kept
    for value, got, a, b in zip(values, out["note"], itertools.cycle(VOIDS), itertools.cycle(VOIDS[1:] + VOIDS[:1])):
        assert got.count(f"<{a}>") == value.count(f"<{a}>") and f"<{b.upper()}/>" in got, (value, got)
    assert (out["note__raw"] == pd.Series(values, dtype="string")).all()  # every one is HTML: changed, kept
    assert "html_unclosed_tag" not in step.summary()["text_normalized"]["note"]


PARENTS = ["table", "colgroup", "video", "audio", "picture", "form", "label", "map", "object", "head", "frameset"]
SOUP_NAMES = [*VOIDS, "IMG", "Input", "br", "p", "b", "div", "dir", "td", *PARENTS]
SOUP_TEXTS = ["word", " ", "two words", ",", "/x", "&amp;", "\n", "x", "&lt;", "table", "img"]


def test_the_bare_reading_equals_the_parsers_on_generated_tag_soup() -> None:
    """``_simple_html`` (bare tags, no parser) and ``_Markup`` agree on voids, their parents and end tags."""
    from headwater.clean.text import _Markup, _simple_html, _simple_unclosed, decode_references

    rng = random.Random(17)
    agreed = kept = 0
    for _ in range(5000):
        parts = []
        for _ in range(rng.randint(1, 9)):
            if rng.random() < 0.55:
                parts.append(f"<{'/' if rng.random() < 0.3 else ''}{rng.choice(SOUP_NAMES)}>")
            else:
                parts.append(rng.choice(SOUP_TEXTS))
        value = "".join(parts)
        simple = _simple_html(value)
        if simple is None:
            continue
        markup = _Markup(value)
        if not markup.is_html():
            assert simple == decode_references(value), value
            continue
        assert (simple, _simple_unclosed(value, simple)) == (markup.text(), markup.unclosed), value
        agreed += 1
        kept += bool(markup._text_voids)
    assert agreed > 1500 and kept > 500
