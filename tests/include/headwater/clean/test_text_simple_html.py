"""strip_html reads a value of bare tags (text._simple_html) without html.parser: the same text as the parser's
reading (text._Markup), which stays the reference, on generated tag soup and on the bench's HTML notes."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

import headwater.clean.text as text
from headwater.clean.text import normalize_column, strip_html
from headwater.config.text import TextOptions


def _parser_reading(value: str, keep_links: bool = True) -> str:
    """``strip_html`` as it was: every value with an element start read by html.parser."""
    if "<" in value and text._HTML_CANDIDATE.search(value):
        markup = text._Markup(value)
        if markup.is_html():
            return markup.text(keep_links)
    return text.decode_references(value)


NAMES = ["p", "P", "b", "B", "i", "em", "br", "BR", "hr", "wbr", "div", "li", "ul", "span", "a", "h1", "td", "tr", "table",
         "html", "body", "head", "foo", "x1", "script", "style", "title", "textarea", "svg", "plaintext", "font"]  # fmt: skip
TEXTS = [
    "word", "two words", " ", "\n", "\t", "&amp;", "&amp", "&lt;", "&gt;", "&#39;", "&#x41;", "&#0;", "&bogus;", "R&D",
    "&", "&copy 2020", "?a=1&para=2", "&amp;lt;", "a > b", "x<y", "< b", "<", "<!-- c -->", "<!DOCTYPE html>", "<br/>",
    "<p/>", '<a href="https://x.org/?a=1&amp;b=2">', "<b class=x>", "</p >", "<?pi?>", "café", "&nbsp;", "&NotANamedRef",
]  # fmt: skip


def _soup(rng: random.Random) -> str:
    out = []
    for _ in range(rng.randint(1, 9)):
        r = rng.random()
        if r < 0.45:
            name = rng.choice(NAMES)
            out.append(f"<{'/' if rng.random() < 0.45 else ''}{name}>")
        elif r < 0.9:
            out.append(rng.choice(TEXTS[:24] + TEXTS[30:]))  # text and references
        else:
            out.append(rng.choice(TEXTS[19:30]))  # a '<' that is no bare tag
    return "".join(out)


def test_generated_tag_soup_reads_the_same_without_the_parser() -> None:
    rng = random.Random(15)
    values = [_soup(rng) for _ in range(6000)]
    simple = 0
    for v in values:
        simple += text._simple_html(v) is not None
        for keep_links in (True, False):
            assert strip_html(v, keep_links) == _parser_reading(v, keep_links), v
            if text._simple_html(v) is not None:
                assert text._simple_html(v) == _parser_reading(v, keep_links), v
    assert 1500 < simple < 5500  # both readings are exercised


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<p>vekari &amp; <b>nepolufi</b> monomoka</p>", "\nvekari & nepolufi monomoka\n"),
        ("<P>Tom &amp;amp; Jerry</P>", "\nTom &amp; Jerry\n"),  # decoded once
        ("a <b> c", "a <b> c"),  # one tag alone: not HTML, kept as written
        ("see <b>this</b> &copy 2020 R&D", "see this © 2020 R&D"),  # the text rule of html.unescape in HTML
        ("<br>", "\n"),
        ("line<br>next &#39;x&#39;", "line\nnext 'x'"),
        ("<foo>bar</foo>", "<foo>bar</foo>"),  # no HTML element: left to the parser, which keeps it
        ("<script>x</script><p>y</p>", "\ny\n"),  # script: the parser's
    ],
)
def test_examples(value: str, expected: str) -> None:
    assert strip_html(value) == _parser_reading(value) == expected


def test_the_parser_reads_what_the_fast_reading_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    real = text._Markup.__init__

    def spy(self, value: str) -> None:  # type: ignore[no-untyped-def]
        read.append(value)
        real(self, value)

    monkeypatch.setattr(text._Markup, "__init__", spy)
    values = ["<p>a &amp; <b>b</b></p>", '<a href="https://x.org">x</a>', "<p>a</p><!-- c -->", "x <b> y", "<foo>z</foo>"]
    out = normalize_column(pa.array(values, pa.large_string()), TextOptions(whitespace=False))
    assert read == ['<a href="https://x.org">x</a>', "<p>a</p><!-- c -->"]  # '<foo>' opens no element: nobody reads it
    assert out.values.to_pylist() == ["\na & b\n", "x (https://x.org)", "\na\n", "x <b> y", "<foo>z</foo>"]
    assert out.changed["html"].tolist() == [True, True, True, False, False]


def test_an_ampersand_that_starts_no_complete_reference_is_not_handed_to_the_html_step(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = text._html
    monkeypatch.setattr(text, "_html", lambda v, options, dropped=None: seen.append(v) or real(v, options, dropped))
    values = ["R&D", "AT&T rocks", "a & b", "?a=1&b=2", "&copy 2020", "Tom &amp; Jerry", "&#39;x&#39;", "&bogus;", "<b>x</b>"]
    out = normalize_column(pa.array(values, pa.large_string()), TextOptions(whitespace=False))
    assert seen == ["Tom &amp; Jerry", "&#39;x&#39;", "&bogus;", "<b>x</b>"]
    assert out.values.to_pylist() == ["R&D", "AT&T rocks", "a & b", "?a=1&b=2", "&copy 2020", "Tom & Jerry", "'x'", "&bogus;", "x"]


OPTIONS = [TextOptions(), TextOptions(urls="remove"), TextOptions(whitespace=False, repair_unicode=False, phones="keep")]


@pytest.mark.parametrize("options", OPTIONS, ids=["default", "urls-removed", "html-only"])
def test_the_column_path_equals_the_old_one(options: TextOptions, monkeypatch: pytest.MonkeyPatch) -> None:
    # old: every value with '&' or an element start handed to html.parser's reading
    rng = random.Random(3)
    values = [_soup(rng) for _ in range(3000)] + ["R&D <b>x</b>", "a & b", None, ""]
    arr = pa.array(values, pa.large_string())
    new = normalize_column(arr, options)
    with monkeypatch.context() as m:
        m.setattr(text, "HTML_STEP_RE", "&|" + text.HTML_CANDIDATE_RE)
        m.setattr(text, "_simple_html", lambda value: None)
        old = normalize_column(arr, options)
    assert new.values.to_pylist() == old.values.to_pylist()
    assert sorted(new.changed) == sorted(old.changed) and sorted(new.masked) == sorted(old.masked)
    assert new.changed["html"].sum() > 1000
    for kind in old.changed:
        assert (new.changed[kind] == old.changed[kind]).all(), kind
    for kind in old.masked:
        assert (new.masked[kind] == old.masked[kind]).all(), kind
