"""Tag-shaped placeholders in prose (html16): ``<dir>``, ``<name>``, ``<time>``, ``a <b> c`` are text, not markup.

Before (main at babbd89): a value whose only element tags were attribute-less start tags was HTML as soon as it held a
complete character reference (``_Markup.is_html``: "an element tag next to a character reference"), so
``Tom &amp; Jerry at <time>`` read ``Tom & Jerry at``, ``ls <dir> &amp;&amp; cd <dir>/x`` read ``ls && cd /x``:
the placeholder was gone from the text (the value as written was in ``__raw`` with ``normalized: html``, which named
only the decoding one reads off the reason). Now such a tag has a placeholder's shape (``_marked``) and only an end tag,
a tag with attributes or an unclosed ``<p>``/``<li>``/... beside a reference is HTML evidence; the references are still
decoded (``Tom & Jerry at <time>``), and that change is kept in ``__raw`` with ``normalized: html``.

Without any reference these values already stayed as written (the break test's ``run ls <dir> then copy
<dir>/config.yaml`` comes out of ``normalize_text``, ``normalize_column`` and the clean step unchanged at babbd89 too):
those cases are pinned here so that no later rule drops them, and a property test checks over a generated corpus that
a value either lands exactly as written or carries a change kind (and its ``__raw`` through the step).
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.text import decode_references, html_text, looks_like_html, normalize_column, normalize_text
from headwater.config.text import TextOptions

# the placeholders of the break test: HTML element names (current and obsolete) and three that name no element
NAMES = [
    "dir", "menu", "data", "time", "code", "file", "name", "path", "b", "address", "label", "output", "var", "template",
    "object", "main", "small", "big",
]  # fmt: skip

# values with no reference and no other markup: exactly as written (kept on main too; pinned)
PLAIN = [
    "run ls <dir> then copy <dir>/config.yaml",
    "run ls <dir>",
    "<dir>/x",
    "ls <DIR>/x <DIR>/y",
    "Dear <name>,\nthank you for your order.",
    "a <b> c",
    "see <menu> then <data>",
    "at <time> on <date>",
    "use <code> here; then <var> = 1",
    "x <address> y",
    "<label>: <output>",
    "<template>",
    "<object>.method()",
    "<main> <small> <big>",
    "Sehr geehrte <name>, Ihr Termin ist am <time>.",  # German form letter
    "Bonjour <name>, votre colis part de <address>.",  # French
    "<name> 様、<time> にお届けします",  # Japanese, the placeholder first
    "scp <file> host:<path>/",
    "mv <dir>\\old <dir>\\new",  # Windows separators
    "Hi <name/>, see <dir/>",  # self-closing
]


@pytest.mark.parametrize("value", PLAIN)
def test_placeholders_without_references_stay_as_written(value: str) -> None:
    assert looks_like_html(value) is False
    assert html_text(value) == (value, False)
    assert normalize_text(value) == value


# values with a complete character reference and attribute-less start tags only: references decoded, tags kept
WITH_REFERENCES = [
    ("Tom &amp; Jerry at <time>", "Tom & Jerry at <time>"),
    ("ls <dir> &amp;&amp; cd <dir>/x", "ls <dir> && cd <dir>/x"),
    ("run ls <dir> then copy <dir>/config.yaml &amp; done", "run ls <dir> then copy <dir>/config.yaml & done"),
    ("a <b> c &amp; d", "a <b> c & d"),
    ("Caf&eacute; <b>menu", "Café <b>menu"),  # was ``Café menu`` (test_text.HTML_VALUES moved: see there)
    ("Dear <name>,\nthanks &amp; regards", "Dear <name>,\nthanks & regards"),
    ("Sehr geehrte <name>, danke f&uuml;r <data>", "Sehr geehrte <name>, danke für <data>"),
    ("<code> &lt;tag&gt;", "<code> <tag>"),
    ("<menu>&nbsp;x", "<menu> x"),  # U+00A0 then tidied to a space
    ("echo <var> &gt; <output>", "echo <var> > <output>"),
    ("<template> &#39;hi&#39; <object>", "<template> 'hi' <object>"),
    ("<main>, <small> &amp; <big>", "<main>, <small> & <big>"),
    ("<address/> &amp; <label/>", "<address/> & <label/>"),
    ("cp <source> <track> &amp;&amp; open <link>", "cp <source> <track> && open <link>"),  # void elements too
    ("<NAME> &amp; <TIME>", "<NAME> & <TIME>"),
]


@pytest.mark.parametrize(("value", "expected"), WITH_REFERENCES)
def test_placeholders_beside_references_stay(value: str, expected: str) -> None:
    assert looks_like_html(value) is False
    assert html_text(value) == (decode_references(value), False)  # the references decoded, every '<' as written
    assert normalize_text(value) == expected


def test_placeholders_beside_references_read_the_same_by_the_parser_and_without_it() -> None:
    """``_simple_html`` (bare tags) and ``_Markup`` agree: both keep the tag and decode the reference."""
    from headwater.clean.text import _Markup, _simple_html

    for value in ("a <b> c &amp; d", "Caf&eacute; <b>menu", "<dir> &amp; <menu>", "x <time>&#39;"):
        assert _Markup(value).is_html() is False
        assert _simple_html(value) == html_text(value)[0]


# real markup is still removed, with a reference beside it or not
MARKUP = [
    ("<p>Hello <b>Tom</b></p>", "Hello Tom"),
    ("a<br>b", "a\nb"),
    ("Great<br/>fit", "Great\nfit"),
    ("<p>Tom &amp; Jerry", "Tom & Jerry"),  # an unclosed paragraph: sloppy HTML
    ("<li>one &amp; two<li>three", "one & two\nthree"),
    ("<td>a &amp; b", "a & b"),
    ('<b class="x">Hi &amp; bye', "Hi & bye"),  # an attribute value
    ("<input disabled> &amp; go", "& go"),  # an attribute (no value) beside a reference
    ("Tom &amp; Jerry</b>", "Tom & Jerry"),  # an end tag: a cut-off fragment
    ("price <small>&euro;5</small>", "price €5"),
    ("<!-- c --> <dir> x", "x"),  # a comment is markup
]


@pytest.mark.parametrize(("value", "expected"), MARKUP)
def test_real_markup_still_goes(value: str, expected: str) -> None:
    assert looks_like_html(value) is True
    assert normalize_text(value) == expected


def test_a_placeholder_inside_html_goes_with_its_original_kept() -> None:
    """Inside a value that is HTML, an unclosed ``<dir>`` is an element (a browser hides it): removed, and the value as
    written kept in ``__raw`` with ``normalized: html, html_unclosed_tag, ...`` (when unsure the text is kept; here the value is HTML)."""
    value = "<p>Run ls <dir> then copy <dir>/config.yaml</p>"
    assert normalize_text(value) == "Run ls then copy /config.yaml"
    out = NormalizeText().apply(pd.DataFrame({"note": pd.Series([value], dtype="string")})).kept
    assert out["note__raw"].tolist() == [value]
    # ``dir`` is a block element: its tags became line breaks, tidied back to single spaces
    assert out["note__reason"].tolist() == ["normalized: html, html_unclosed_tag, trim, whitespace"]


FRAME = [
    "run ls <dir> then copy <dir>/config.yaml",  # as written
    "Dear <name>,\nthanks &amp; regards",  # reference decoded, tag kept
    "<p>Hello <b>Tom</b></p>",  # HTML
    "a <b> c",  # as written
    "ls <dir> &amp;&amp; make",  # reference decoded, tag kept
    "Tom &amp; Jerry at <time>",  # reference decoded, tag kept
    "ls <dir> &amp;&amp; make<br>done",  # a line break: HTML, the tag goes (kept in __raw)
    None,
]
FRAME_VALUES = [
    "run ls <dir> then copy <dir>/config.yaml",
    "Dear <name>,\nthanks & regards",
    "Hello Tom",
    "a <b> c",
    "ls <dir> && make",
    "Tom & Jerry at <time>",
    "ls && make\ndone",
    None,
]
FRAME_RAW = [None, FRAME[1], FRAME[2], None, FRAME[4], FRAME[5], FRAME[6], None]
FRAME_REASON = [
    None, "normalized: html", "normalized: html, trim", None, "normalized: html", "normalized: html",
    "normalized: html, html_unclosed_tag, whitespace", None,
]  # fmt: skip


@pytest.mark.parametrize("by_column", [False, True])
def test_the_step_keeps_placeholders_and_names_every_change(by_column: bool) -> None:
    step = NormalizeText()
    df = pd.DataFrame({"id": pd.Series([str(i) for i in range(len(FRAME))], dtype="string"), "note": pd.Series(FRAME, dtype="string")})
    out = (step.apply_by_column(df) if by_column else step.apply(df)).kept
    assert [None if pd.isna(v) else v for v in out["note"]] == FRAME_VALUES
    assert [None if pd.isna(v) else v for v in out["note__raw"]] == FRAME_RAW
    assert [None if pd.isna(v) else v for v in out["note__reason"]] == FRAME_REASON
    assert step.summary() == {"text_normalized": {"note": {"html": 5, "html_unclosed_tag": 1, "trim": 1, "whitespace": 1}}, "text_masked": {}}
    assert "id__raw" not in out.columns


# --- property: over a corpus of invented prose, a value lands as written or carries a change kind ---

TEMPLATES = [
    "run ls {t} then copy {t}/config.yaml",
    "Dear {t},\nthanks for your order",
    "a {t} c",
    "{t}",
    "{t}/x",
    "cd {t} && make",
    "cp {t} {u}",
    "Hello {t}, your code is {u}.",
    "echo {t} | grep {u} > out.txt",
    "if a<b then {t}",
    "see {t}; value &amp; more",
    "Tom &amp; Jerry at {t}",
    "{t}&nbsp;{u}",
    "{t} &lt;tag&gt; {u}",
    "path: {t}/{u}/file.txt",
    "Set {t}=1 and {u}=2",
    "({t}) [{u}] '{t}'",
    "mail {t} to ann@example.org",
    "call {t} at +1 415 555 2671",
    "see https://example.org/{t}?a=1",
    "line 1\r\n{t}  \t{u}",
    "Sehr geehrte {t}, danke f&uuml;r {u}",
    "{t} 様、{u}",
]
FORMS = ["<{}>", "<{}/>", "<{}>"]


def _corpus() -> list[str]:
    """Every template with every placeholder name (lower and upper case, plain and self-closing), ``u`` the next name."""
    out = set()
    for tpl, (k, name), form in itertools.product(TEMPLATES, enumerate(NAMES), FORMS[:2]):
        other = NAMES[(k + 1) % len(NAMES)]
        for t in (form.format(name), form.format(name).upper()):
            out.add(tpl.format(t=t, u=f"<{other}>"))
    return sorted(out)


CORPUS = _corpus()
OPTIONS = [
    TextOptions(),
    TextOptions(urls="remove", emails="remove", phones="keep"),
    TextOptions(whitespace=False, repair_unicode=False, emails="keep", phones="keep"),
    TextOptions(mask_field_values=True, fold_quotes=True),
]
_TAG = re.compile(r"<[A-Za-z]+/?>")


@pytest.mark.parametrize("options", OPTIONS, ids=["default", "remove", "html-only", "fields"])
def test_every_value_is_as_written_or_has_a_change_kind(options: TextOptions) -> None:
    result = normalize_column(pa.array(CORPUS, type=pa.large_string()), options)
    out = result.values.to_pylist()
    flagged = np.zeros(len(CORPUS), dtype=bool)
    for where in (*result.changed.values(), *result.masked.values()):
        flagged |= where
    silent = [(v, w) for v, w, f in zip(CORPUS, out, flagged) if v != w and not f]
    assert silent == []
    # and no placeholder is lost: every tag of these values (no other markup: no end tag, no attribute, no <p>) stays
    lost = [(v, w) for v, w in zip(CORPUS, out) if _TAG.findall(v.replace("&lt;tag&gt;", "")) != _TAG.findall(w.replace("<tag>", ""))]
    assert lost == []
    assert len(CORPUS) == 1656


def test_every_changed_value_keeps_its_original_through_the_step() -> None:
    step = NormalizeText()
    df = pd.DataFrame({"note": pd.Series(CORPUS, dtype="string")})
    out = step.apply(df).kept
    changed = (out["note"] != df["note"]).to_numpy(dtype=bool)
    reason = out["note__reason"].notna().to_numpy(dtype=bool)
    raw = out["note__raw"].notna().to_numpy(dtype=bool)
    masked = out["note__reason"].fillna("").str.startswith("masked").to_numpy(dtype=bool)
    assert not (changed & ~reason).any()  # a change always names its kind
    assert not (changed & ~masked & ~raw).any()  # and keeps the value as written (a mask keeps none: it would leak)
    assert (out.loc[changed & ~masked, "note__raw"] == df.loc[changed & ~masked, "note"]).all()
    assert not (~changed & reason).any()
    counts = step.summary()["text_normalized"]["note"]
    assert counts["html"] == int((out["note__reason"].fillna("").str.contains("html")).sum())


# beside real markup a placeholder may go (the value is HTML), but never silently
MIXED = [
    "{t} <br> {u}",
    "<p>run ls {t} then {u}</p>",
    "<!-- note -->{t} and {u}",
    "{t} then {u}</b> &amp; more",
    '<a href="https://example.org/x?token=1">{t}</a> {u}',
    "<li>{t}<li>{u} &amp; x",
    "<b>{t}</b>: {u}",
    "<p>Dear {t},</p><p>call 415 555 2671 or mail ann@example.org about {u}</p>",
    "<div>{t}<?php echo 1 ?> {u}</div>",
]


def test_placeholders_beside_markup_are_never_changed_silently() -> None:
    values = sorted({tpl.format(t=f"<{a}>", u=f"<{b}/>") for tpl in MIXED for a, b in zip(NAMES, NAMES[1:] + NAMES[:1])})
    step = NormalizeText()
    df = pd.DataFrame({"note": pd.Series(values, dtype="string")})
    out = step.apply(df).kept
    changed = (out["note"] != df["note"]).to_numpy(dtype=bool)
    reason = out["note__reason"].notna().to_numpy(dtype=bool)
    masked = out["note__reason"].fillna("").str.startswith("masked").to_numpy(dtype=bool)
    raw = out["note__raw"].notna().to_numpy(dtype=bool)
    assert changed.sum() == len(values) == 9 * len(NAMES)  # every one of them is HTML here
    assert reason.all()
    assert (raw | masked).all()
    assert (out.loc[~masked, "note__raw"] == df.loc[~masked, "note"]).all()
    assert int(masked.sum()) == len(NAMES)  # the phone and e-mail template: no __raw (it would keep what the mask hides)


# --- html_unclosed_tag: an HTML value that lost an unclosed tag which may have been a placeholder ---

UNCLOSED_GONE = [
    ("<p>Run ls <dir> then copy <dir>/config.yaml</p>", "Run ls then copy /config.yaml"),
    ("<p>Dear <time>,</p>", "Dear ,"),
    ("Hello <b>Tom</b>, see <code> here", "Hello Tom, see here"),
    ("<i>Note</i> <var>", "Note"),
    ('<a href="https://x.org/">x</a> <label>: y', "x (https://x.org) : y"),
    ("<code>a</code> <code> b", "a b"),  # the second <code> is never closed
]


@pytest.mark.parametrize(("value", "expected"), UNCLOSED_GONE)
def test_an_unclosed_tag_removed_from_html_is_said(value: str, expected: str) -> None:
    from headwater.clean.text import html_text_changes

    assert normalize_text(value) == expected
    assert html_text_changes(value)[2] is True
    assert html_text(value)[1] is False  # no word outside markup was lost: the tag itself was markup


NOT_UNCLOSED = [
    "<p>Note<i>important</p>",  # glued on both sides: sloppy inline markup (breaker12 H1)
    "<p>Hello <b>Tom</b></p>",
    "<ul><li>one<li>two</ul>",  # li's end tag may be omitted
    "a<br>b",
    '<img src="a.png"> <b class="x">Hi',  # tags with attributes
    "<p>a<b>c <b>d</b></p>",  # the glued b is never closed, the spaced one is
    "Tom &amp; Jerry at <time>",  # not HTML: the tag stays
    "<p>x</p><div>y",  # div never closed, but it starts the value's block: spaced (no letter before)
]


@pytest.mark.parametrize("value", NOT_UNCLOSED[:-1])
def test_closed_glued_or_optional_tags_are_not_said(value: str) -> None:
    from headwater.clean.text import html_text_changes

    assert html_text_changes(value)[2] is False


def test_an_unclosed_block_after_markup_is_said() -> None:
    from headwater.clean.text import html_text_changes

    assert html_text_changes(NOT_UNCLOSED[-1]) == ("\nx\n\ny", False, True)


def test_the_unclosed_flag_reads_the_same_by_the_parser_and_without_it() -> None:
    """``_simple_unclosed`` (bare tags, no parser) and ``_Markup._unclosed`` agree on generated tag soup."""
    import random

    from headwater.clean.text import _Markup, _simple_html, _simple_unclosed

    names = ["p", "b", "i", "dir", "code", "time", "li", "td", "br", "div", "span", "var", "html"]
    texts = ["word", " ", "two words", ",", "/x", "&amp;", "\n", "x"]
    rng = random.Random(16)
    agreed = said = 0
    for _ in range(4000):
        parts = []
        for _ in range(rng.randint(1, 8)):
            if rng.random() < 0.5:
                parts.append(f"<{'/' if rng.random() < 0.4 else ''}{rng.choice(names)}>")
            else:
                parts.append(rng.choice(texts))
        value = "".join(parts)
        simple = _simple_html(value)
        if simple is None:
            continue
        markup = _Markup(value)
        if not markup.is_html():
            assert (simple, _simple_unclosed(value, simple)) == (html_text(value)[0], False), value
            continue
        assert (simple, _simple_unclosed(value, simple)) == (markup.text(), markup.unclosed), value
        agreed += 1
        said += markup.unclosed
    assert agreed > 1000 and said > 200


def test_the_step_counts_and_warns_of_unclosed_tags() -> None:
    rows = ["<p>Run ls <dir> then copy <dir>/config.yaml</p>", "<p>Note<i>important</p>", "ls <dir> &amp;&amp; make", "<p>Dear <time>,</p>"]
    step = NormalizeText()
    out = step.apply(pd.DataFrame({"note": pd.Series(rows, dtype="string")})).kept
    assert out["note"].tolist() == ["Run ls then copy /config.yaml", "Noteimportant", "ls <dir> && make", "Dear ,"]
    assert out["note__raw"].tolist() == rows
    assert out["note__reason"].tolist() == [
        "normalized: html, html_unclosed_tag, trim, whitespace",
        "normalized: html, trim",
        "normalized: html",
        "normalized: html, html_unclosed_tag, trim",
    ]
    assert step.summary()["text_normalized"] == {"note": {"html": 4, "html_unclosed_tag": 2, "trim": 3, "whitespace": 1}}
    assert step.warnings() == [
        "note: 2 HTML value(s) lost a tag never closed and written with no attributes (<dir>, <time>, <b> in prose may be "
        "a placeholder, not markup); the value as written is in note__raw, reason html_unclosed_tag"
    ]


def test_through_ingest_and_clean_the_manifest_counts_and_warns(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from landed_files import clean_landed, settings_without_sources

    rows = ["run ls <dir> then copy <dir>/config.yaml", "Dear <name>, thanks", "Tom &amp; Jerry at <time>",
            "<p>Run ls <dir> then copy <dir>/config.yaml</p>"]  # fmt: skip
    text = "id,note\n" + "".join(f'{i},"{r}"\n' for i, r in enumerate(rows))
    table, manifest = clean_landed(settings_without_sources(tmp_path), "2026-12-01", "notes.csv", text)
    got = table.to_pydict()
    assert got["note"] == ["run ls <dir> then copy <dir>/config.yaml", "Dear <name>, thanks", "Tom & Jerry at <time>", "Run ls then copy /config.yaml"]
    assert got["note__raw"] == [None, None, rows[2], rows[3]]
    assert got["note__reason"] == [None, None, "normalized: html", "normalized: html, html_unclosed_tag, trim, whitespace"]
    assert manifest["text_normalized"] == {"note": {"html": 2, "html_unclosed_tag": 1, "trim": 1, "whitespace": 1}}
    assert [w for w in manifest["clean_warnings"] if "html_unclosed_tag" in w] == [
        "note: 1 HTML value(s) lost a tag never closed and written with no attributes (<dir>, <time>, <b> in prose may be "
        "a placeholder, not markup); the value as written is in note__raw, reason html_unclosed_tag"
    ]
