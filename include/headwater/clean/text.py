"""Text normalization for free-text values: decode HTML, repair Unicode, mask contact details, tidy whitespace.

Two entry points give identical results (a test checks it on tricky strings):

* ``normalize_text(value, options)`` — one Python string;
* ``normalize_array(array, options)`` — a whole pyarrow string column, for the clean stage.

HTML is decided per value, on evidence (``looks_like_html``): markup is removed only from a
value that *is* HTML, by Python's ``html.parser``; ``if x<y and y>z``, ``Map<Key, Value>``,
``Ann <ann@x.org>`` and a lone ``<b>`` in a sentence about bold text stay as written.
Character references are decoded exactly once (``&amp;lt;`` -> ``&lt;``): by the HTML
parser's text rule in HTML, by the attribute rule in a link target, and only complete
references (``&name;``, ``&#n;``) in plain text.

The column version is fast because most values need nothing: a value without a complete
character reference and without a ``<`` that opens a known HTML element cannot change under the
HTML step, one without a character ftfy rewrites, at or above U+0300, or needed by its mojibake
check cannot change under ftfy (``_unicode_candidates``), so only the others are sent to them
(bare-tag HTML read without the parser, ``_simple_html``), and the regex steps run in Arrow's
RE2 kernels on the rows that match. The regexes are written in the common subset of Python
``re`` and RE2 (explicit character classes, no lookaround, no ``\\s``/``\\d``) so both engines
agree; the one Python-only addition (a lookbehind on e-mail starts, for speed) changes no match.
Free-text detection (``TextStats``) counts by Unicode script with RE2's ``\\p{Han}`` classes,
in Arrow only.
"""

from __future__ import annotations

import functools
import html
import html.entities
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser, attrfind_tolerant, tagfind_tolerant
from urllib.parse import urlsplit

import ftfy
import ftfy.badness
import ftfy.chardata
import numpy as np
import pandas as pd
import phonenumbers
import phonenumbers.phonenumbermatcher as _pnm
import pyarrow as pa
import pyarrow.compute as pc

from headwater.config.text import MASKS, TextColumnRule, TextOptions
from headwater.clean.sensitive import CANDIDATE_RE as SENSITIVE_CANDIDATE_RE
from headwater.clean.sensitive import mask_sensitive
from headwater.clean.phone_valid import valid_national, valid_number
from headwater.config.types import NA_SPELLINGS
from headwater.invisible import NEEDED as INVISIBLE_NEEDED
from headwater.invisible import STEPS as INVISIBLE_STEPS
from headwater.invisible import remove_invisible


# Horizontal whitespace: ASCII tab/VT/FF, the C0 separators Python calls whitespace, NEL, NBSP,
# the Unicode space separators, zero-width space and BOM. Line breaks are handled separately.
_HSPACE = "\t\x0b\x0c\x1c-\x1f \x85\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
_NOT_URL = _HSPACE + "\n\r<>\"'\\[\\]"

URL_RE = "(?i)(?:https?://|www\\.)[^" + _NOT_URL + "]*[^" + _NOT_URL + ".,;:!?)}]"
# An e-mail address as people write one in prose (RFC 5322 section 3.4.1 dot-atom local part,
# narrowed): dot-separated atoms that start and end with a letter, digit or '_', '@', then
# DNS labels (RFC 5321 section 4.1.2: letters, digits, inner hyphens) and a top-level domain of
# letters. So 'Thanks--@Shop.com', 'user@localhost', '@handle', 'a@b' and 'name@domain.c0m'
# are not addresses. Group 2 is what follows the address (RE2 has no lookahead), written
# back: not a letter, digit, '_', '@', nor a '.'/'-' that continues a label ('ann@x.org.' is
# an address and a full stop).
# (Atoms and labels are written as runs of letters/digits joined by punctuation runs: one way to match
# a string, so Python's backtracking stays linear in the run.)
_LOCAL_ATOM = "[A-Za-z0-9_]+(?:[%+-]+[A-Za-z0-9_]+)*"
_DNS_LABEL = "[A-Za-z0-9]+(?:-+[A-Za-z0-9]+)*"
EMAIL_CORE = _LOCAL_ATOM + "(?:\\." + _LOCAL_ATOM + ")*@(?:" + _DNS_LABEL + "\\.)+[A-Za-z]{2,63}"
EMAIL_RE = "(" + EMAIL_CORE + ")([^A-Za-z0-9_.@-]|[.-][^A-Za-z0-9_]|[.-]$|$)"
_PHONE_CORE = (
    "(?:\\+?1[ .-]?)?(?:\\([0-9]{3}\\)|[0-9]{3})[ .-]?[0-9]{3}[ .-][0-9]{4}"  # North American
    "|\\+[1-9][0-9]{0,2}(?:[ .-]?[0-9]{1,4}){2,6}"  # international, written with a leading + (``+33 6 12 34 56 78``: a 1-digit group)
    "|0[0-9]{1,4}(?:[ .-]?[0-9]{2,4}){2,3}"  # national, with the trunk prefix 0 most numbering plans outside NANP use
)
# The shapes of a value that is one phone number and nothing else (``_PII_WHOLE``: a contact field, left alone unless
# ``mask_field_values``; RE2, before libphonenumber: ``_whole_number`` then catches the other spellings). PHONE_RE
# was the pre-filter of phone masking until phone7 found numbers it missed (``(030) 123456``, ``4155552671``,
# ``+44 (0) 20 7946 0958``, full-width digits): that is ``phone_candidate_re`` now. RE2 has no lookaround, so the
# boundaries are consumed as groups 1 and 3.
PHONE_RE = "(^|[^0-9A-Za-z+])(" + _PHONE_CORE + ")([^0-9]|$)"
# Where a number ``phone_spans`` keeps can start. libphonenumber's matcher (phonenumbers.phonenumbermatcher:
# ``_PATTERN``, ``_INNER_MATCHES``) starts a match at the start of a candidate (an opening bracket, a
# plus sign or a digit) or inside one after '/', '(', a dash, a full stop or whitespace; ``phone_spans``
# drops a match whose previous character is a letter, a digit (``isalnum``) or one of ``-_/.`` (but for a '/' right
# after a number it keeps: '+1 212 555 0100/+1 212 555 0199', which that first number lets through, and for a letter
# or '.' right before a '+': 'Tel.+44 20 7946 0958', breaker14 G2). So a value with no position that is either its
# first character and such a start, any character after one that is not an ASCII letter or digit nor ``-_/.``, or a
# '+' after an ASCII letter or '.', holds no number to mask (``C-0114346``,
# ``SKU-800.555.1234``) and is never handed to libphonenumber. Every non-ASCII character counts as a
# possible start and a possible separator, so the check does not depend on which Unicode version
# RE2's and Python's character tables follow (it only lets more values through).
_PHONE_START = "(?s)^[(\\[\uff08\uff3b+\uff0b0-9\\x{80}-\\x{10ffff}]|[^A-Za-z0-9_/.-].|[A-Za-z.][+\uff0b]"
_PII_PATTERNS = {"urls": URL_RE, "emails": EMAIL_RE, "phones": PHONE_RE}
_EDGE = "[" + _HSPACE + "\n\r]*"
_PII_WHOLE = {
    "urls": "(?i)^" + _EDGE + "(?:" + URL_RE.removeprefix("(?i)") + ")" + _EDGE + "$",
    # one mailbox: an address, or a display name and the address in angle brackets (RFC 5322 3.4 name-addr)
    "emails": "^" + _EDGE + "(?:[^<>@\r\n]*<" + EMAIL_CORE + ">|" + EMAIL_CORE + ")" + _EDGE + "$",
    # one number in a common shape, or ASCII digits joined by single hyphens or full stops, maybe signed (``4155552671``,
    # ``2024-01-15``, ``15.08.2021``, ``-1234567.89``, ``+14155552671``): libphonenumber reads such a run as one
    # candidate, split only at a full stop (``_INNER_MATCHES``), and ``phone_spans`` drops a piece after a '-' or '.'
    # and one before a '.' and a digit, so it finds the run whole (a field: ``_whole_number``) or nothing
    "phones": "^" + _EDGE + "(?:" + _PHONE_CORE + "|[+-]?[0-9]+(?:[.-][0-9]+)*)" + _EDGE + "$",
}

# A column whose values are contact fields (breaker7 #5): its name says so (a word of it: phone, telephone, tel, mobile,
# cell, fax, contact, e-mail, mail, WhatsApp, SMS), or more than half of its filled values are one whole phone number or
# e-mail address (``_PII_WHOLE``). Only there is a value that is one number or address left unmasked as a contact field
# (``contact_column``); in a prose column a commenter who writes only their number is masked like any other.
CONTACT_NAME_RE = "(?i)phone|(?:^|[^a-z])(?:tel|mobile|mob|cell|fax|contacts?|e-?mail|mail|whatsapp|sms)(?:[^a-z]|$)"
CONTACT_SHARE = 0.5
# What a contact column's warning counts as left unmasked, by shape (RE2; libphonenumber is not asked; a numeric date,
# ``_WHOLE_DATE``, is left out): a value that is one e-mail mailbox, or seven or more digits with a '+' or an
# opening bracket before them or a separator (space, brackets, '.', '-', '/') among them, maybe an extension
# (a run of bare digits is no phone number without a phone word: ``_phone_cue``).
_PHONE_WRITTEN = "[+(\uff0b\uff08]?(?:[ ().\\-/]{0,3}[0-9]){7,}(?:[ ]*(?:(?i:ext)\\.?|[xX#])[ ]*[0-9]{1,6})?"
CONTACT_WHOLE = {
    "phones": "^" + _EDGE + "(?:" + _PHONE_WRITTEN + ")" + _EDGE + "$",
    "emails": _PII_WHOLE["emails"],
}
_BARE_DIGITS = "^" + _EDGE + "[0-9]+" + _EDGE + "$"
# A value that is a numeric date, maybe with a time after it (``2024-01-05``, ``05/01/2024``, ``2024-01-05 10:00``): no
# phone number, so it neither makes a column a contact column nor counts as a contact value left unmasked
_WHOLE_DATE = "^" + _EDGE + "(?:[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4})(?:[T ].*)?$"
# ... nor is a negative number or a number with one decimal mark (``-4611686018427387905``, ``0.12345678901234567890``)
_NO_PHONE = "(?:" + _WHOLE_DATE + ")|(?:^" + _EDGE + "(?:-[0-9]+(?:[.,][0-9]+)?|[0-9]+[.,][0-9]+)" + _EDGE + "$)"


def contact_column(name: str, array: pa.Array | pa.ChunkedArray, filled: pa.Array | None = None) -> bool | None:
    """Whether the string column ``name`` holds contact fields (``CONTACT_NAME_RE`` on its name, or more than
    ``CONTACT_SHARE`` of its filled values, non-null and not blank, match ``_PII_WHOLE`` phones or e-mails); None
    when the name does not say and no value is filled (undecided). breaker7 #5. ``filled``: ``filled_values(array)``
    when the caller has it (not computed again)."""
    if re.search(CONTACT_NAME_RE, name):
        return True
    arr = _large_strings(array)
    filled = filled_values(arr) if filled is None else filled
    count = pc.sum(filled).as_py() or 0
    if count == 0:
        return None
    whole = pc.and_(pc.fill_null(pc.match_substring_regex(arr, "(?:" + _PII_WHOLE["phones"] + ")|(?:" + _PII_WHOLE["emails"] + ")"), False), filled)
    found = pc.sum(whole).as_py() or 0
    if found:  # dates, numbers: none (asked of the whole values only)
        found -= pc.sum(pc.fill_null(pc.match_substring_regex(pc.filter(arr, whole), _NO_PHONE), False)).as_py() or 0
    return found > count * CONTACT_SHARE


def filled_values(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Bool per value of the string column ``array`` (never null): it is filled, neither null nor blank (a character
    that is no whitespace or line break)."""
    return pc.fill_null(pc.match_substring_regex(_large_strings(array), "[^" + _HSPACE + "\n\r]"), False)


def _large_strings(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``array`` as one Arrow array of strings (chunks combined; any other type cast to ``large_string``)."""
    arr = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.large_string())
    return arr


# A value written as prose: two words of two letters or more, or one and no digit or '@' (``fine``, ``Loved it, call
# me``), and not one whole phone number, e-mail address or URL; a code (``ZZ-9``), an address, a number is not.
_PROSE = r"(?:\pL{2,}[^\pL]+\pL{2,})|(?:^[^0-9@]*\pL{2,}[^0-9@]*$)"


def prose_column(array: pa.Array | pa.ChunkedArray, filled: pa.Array | None = None) -> bool:
    """Whether at least half the filled values of the string column ``array`` are prose (``_PROSE``): a free-text
    column (a comment, a review, a body), where a commenter who writes only their number or address is masked like
    every other one (breaker7 #5). A column of short values (``account``: ``ann@example.org``, ``ZZ-9``) is none: a
    value there that is one phone number or e-mail address is a field, left as written (and compared by record
    linkage: masked, two different addresses would read the same). ``filled``: ``filled_values(array)`` when the
    caller has it."""
    arr = _large_strings(array)
    filled = filled_values(arr) if filled is None else filled
    count = pc.sum(filled).as_py() or 0
    prose = pc.and_(pc.fill_null(pc.match_substring_regex(arr, _PROSE), False), filled)
    found = pc.sum(prose).as_py() or 0
    if found:  # less the values that are one whole phone number, e-mail address or URL (asked of the prose only)
        whole = "|".join(f"(?:{p})" for p in _PII_WHOLE.values())
        found -= pc.sum(pc.fill_null(pc.match_substring_regex(pc.filter(arr, prose), whole), False)).as_py() or 0
    return found * 2 >= count


def contact_values(array: pa.Array | pa.ChunkedArray, kinds: Iterable[str]) -> int:
    """How many values of ``array`` are one whole phone number or e-mail address (``CONTACT_WHOLE``, for the PII
    ``kinds`` given): the values a contact column leaves unmasked."""
    arr = _large_strings(array)
    patterns = [CONTACT_WHOLE[k] for k in kinds if k in CONTACT_WHOLE]
    if not patterns or len(arr) == 0:
        return 0
    found = pc.fill_null(pc.match_substring_regex(arr, "|".join(f"(?:{p})" for p in patterns)), False)
    count = pc.sum(found).as_py() or 0
    if not count:
        return 0
    # less the bare digit runs and the dates and plain numbers (``_NO_PHONE``), one pass over the values found
    return count - (pc.sum(pc.fill_null(pc.match_substring_regex(pc.filter(arr, found), f"(?:{_BARE_DIGITS})|(?:{_NO_PHONE})"), False)).as_py() or 0)


# Whitespace normalization, as stages of (pattern, replacement) shared by both engines, each stage
# one kind of change (``CHANGE_KINDS``): line breaks written as CRLF, CR, NEL, U+2028/U+2029 become
# "\n"; whitespace and line breaks at either end are trimmed; then runs of horizontal whitespace
# inside (tab, NBSP, the Unicode spaces) become one space, spaces around a line break go, and blank
# lines go. Invisible format characters (zero-width space, BOM, soft hyphen, bidi marks: headwater.invisible)
# are removed before, ahead of the e-mail and phone masks, by the ``invisible_characters`` step.
_EDGE_SPACE = "[" + _HSPACE + "\n]+"
_WS_STAGES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("line_breaks", (("\r\n|[\r\x85\u2028\u2029]", "\n"),)),
    ("trim", (("^" + _EDGE_SPACE + "|" + _EDGE_SPACE + "$", ""),)),
    ("whitespace", (("[" + _HSPACE + "]+", " "), (" ?\n ?", "\n"), ("\n\n+", "\n"))),
)
_WS_NEEDED = {  # the values a stage can change (RE2), so the others are not rewritten
    "line_breaks": "[\r\x85\u2028\u2029]",
    "trim": "^" + _EDGE_SPACE + "|" + _EDGE_SPACE + "$",
    "whitespace": "[^\x20-\x7e]|  ",  # anything but single spaces between printable ASCII
}
# The kinds of change normalization records (``<col>__reason``, the manifest's ``text_normalized``), in reason order.
CHANGE_KINDS = ("html", "html_text_dropped", "html_unclosed_tag", "mojibake", "control", "nfc", "ligatures", "width", "quotes", "line_breaks", "invisible_characters", "trim", "whitespace")
# Which of them are encoding artefacts, not content (exact duplicates, row ids): headwater.clean.steps.base.ARTEFACT_KINDS.
_FTFY_NEEDED = "[^\t\n\x20-\x7e]"  # ftfy leaves printable ASCII (plus tab/LF) alone (its HTML unescaping is off)

# The elements of HTML: the WHATWG HTML Living Standard's element index (section "Elements" of
# the index) and the obsolete elements it still parses (section 16, "Obsolete features").
HTML_ELEMENTS = frozenset(
    """a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite
    code col colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li link
    main map mark math menu meta meter nav noscript object ol optgroup option output p picture pre progress
    q rp rt ruby s samp script search section select slot small source span strong style sub summary sup
    svg table tbody td template textarea tfoot th thead time title tr track u ul var video wbr
    acronym applet basefont bgsound big blink center dir font frame frameset image isindex keygen listing
    marquee menuitem multicol nextid nobr noembed noframes param plaintext rb rtc spacer strike tt xmp""".split()
)
# The attributes of HTML elements: the WHATWG HTML Living Standard's attribute index (section "Attributes" of the index),
# the obsolete attributes it still lists (section 16, "Obsolete features"), ``role`` (WAI-ARIA) and XML namespaces; with
# the names holding a '-' or ':' (``data-*``, ``aria-*``, ``v-cloak``, ``xlink:href``) they are the names a writer gives
# an attribute without a value on purpose (``_Markup._is_text_tag``).
HTML_ATTRIBUTES = frozenset(
    """abbr accept accept-charset accesskey action allow allowfullscreen alt as async autocapitalize autocomplete
    autofocus autoplay blocking charset checked cite class closedby color cols colspan command commandfor content
    contenteditable controls coords crossorigin data datetime decoding default defer dir dirname disabled download
    draggable enctype enterkeyhint fetchpriority for form formaction formenctype formmethod formnovalidate formtarget
    headers height hidden high href hreflang http-equiv id imagesizes imagesrcset inert inputmode integrity is ismap
    itemid itemprop itemref itemscope itemtype kind label lang list loading loop low max maxlength media method min
    minlength multiple muted name nomodule nonce novalidate open optimum pattern ping placeholder playsinline popover
    popovertarget popovertargetaction poster preload readonly referrerpolicy rel required reversed rows rowspan sandbox
    scope selected shadowrootclonable shadowrootdelegatesfocus shadowrootmode shadowrootserializable shape size sizes
    slot span spellcheck src srcdoc srclang srcset start step style tabindex target title translate type usemap value
    width wrap writingsuggestions
    align alink archive axis background bgcolor border bordercolor cellpadding cellspacing char charoff classid clear
    code codebase codetype compact declare event face frame frameborder framespacing hspace language link longdesc
    lowsrc manifest marginheight marginwidth methods nohref noresize noshade nowrap object profile prompt rev rules
    scheme scrolling standby summary text urn valign valuetype version vlink vspace datafld dataformatas datapagesize
    datasrc topmargin leftmargin rightmargin bottommargin
    role xmlns xml:lang xml:space xml:base""".split()
)
# Elements whose end tag may not be omitted: neither void (WHATWG HTML 13.1.2, "Void elements") nor with an optional end
# tag (13.1.2.4, "Optional tags"); svg and math hold foreign content (13.1.2, "Foreign elements"), script and style raw text.
_END_TAG_REQUIRED = HTML_ELEMENTS - set(
    """area base br col embed hr img input link meta source track wbr basefont bgsound frame image isindex keygen param
    spacer html head body li dt dd p rt rp rb rtc optgroup option colgroup caption thead tbody tfoot tr td th svg math
    script style""".split()
)
_LINE_BREAK_ELEMENTS = {"br", "hr", "wbr"}  # markup on their own: nobody writes <br> for a line break in plain text
# The other void elements (WHATWG HTML 13.1.2, "Void elements", and the obsolete ones of section 16 that the tokenizer
# still reads as void: basefont bgsound frame image isindex keygen param spacer), each with the elements inside which
# it is markup written bare (its content model's parents: 4.4-4.10; ``<col>`` in a table's implied colgroup, an
# ``<input>`` in a form or label). Written bare, with no attributes, none of them shows any text (an ``<img>`` with no
# ``src``, a ``<source>`` with no ``src``, a ``<link>`` with no ``href``), and an element never closes them, so in prose
# one is a placeholder (``<p>Usage: cp <source> <target></p>``, ``<p>Enter your <input> here</p>``): text as written
# unless an element of its list is open there or its own end tag closes it later (``_Markup._bare_voids``; html17).
_BARE_VOID_PARENTS: dict[str, frozenset[str]] = {
    name: frozenset(parents.split())
    for name, parents in {
        "area": "map", "base": "head", "col": "colgroup table", "embed": "", "img": "", "input": "form label",
        "link": "head", "meta": "head", "source": "audio picture video", "track": "audio video",
        "basefont": "", "bgsound": "", "frame": "frameset", "image": "", "isindex": "", "keygen": "form label",
        "param": "applet object", "spacer": "",
    }.items()
}  # fmt: skip
_DOCUMENT_ELEMENTS = {"html", "head", "body"}
_BLOCK_TAGS = {
    "p", "div", "br", "hr", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td", "th", "table", "h1", "h2", "h3", "h4",
    "h5", "h6", "section", "article", "header", "footer", "main", "aside", "nav", "blockquote", "pre", "address",
    "figure", "figcaption", "details", "summary",
}  # fmt: skip
# A custom element's name (WHATWG HTML 4.13.3, "valid custom element name", its ASCII part): a lower-case letter first,
# then letters, digits, '.', '_' and '-', with a '-' (``sl-button``, ``my-widget``); html.parser lower-cases names.
CUSTOM_ELEMENT_RE = "[a-z][-.0-9_a-z]*-[-.0-9_a-z]*"
_CUSTOM_ELEMENT = re.compile(CUSTOM_ELEMENT_RE)
# Names of that shape the standard reserves (SVG and MathML elements), not custom elements.
_RESERVED_CUSTOM = frozenset(
    "annotation-xml color-profile font-face font-face-src font-face-uri font-face-format font-face-name missing-glyph".split()
)
# A '<' that opens an HTML element or a custom element, an end tag of one, or '<!' (comment, doctype): the only values
# the HTML parser is asked about (a tag name ends at whitespace, '/' or '>': WHATWG HTML 13.2.5.8).
HTML_CANDIDATE_RE = (
    "(?i:<(?:!|/?(?:" + "|".join(sorted(HTML_ELEMENTS)) + "|" + CUSTOM_ELEMENT_RE + ")[\t\n\x0c\r />]))"
)
# A complete character reference: a named one with its ';' (checked against the HTML5 table), or a numeric one.
COMPLETE_REFERENCE_RE = "&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"
_COMPLETE_REFERENCE = re.compile(COMPLETE_REFERENCE_RE)
# The values the HTML step (``strip_html``) may change (RE2): one with an HTML element start, or one with a complete
# reference (``decode_references``); the rest (``R&D``, ``a < b``) come out as written.
HTML_STEP_RE = COMPLETE_REFERENCE_RE + "|" + HTML_CANDIDATE_RE
# A reference as the HTML tokenizer reads one (WHATWG HTML 13.2.5.72-13.2.5.75), ';' optional.
_ANY_REFERENCE = re.compile(r"&(?:#[xX][0-9a-fA-F]+;?|#[0-9]+;?|[A-Za-z][A-Za-z0-9]*;?)")
_LEGACY_NAMES = frozenset(k for k in html.entities.html5 if not k.endswith(";"))  # 'amp', 'para', 'copy' ...
_LONGEST_LEGACY = max(map(len, _LEGACY_NAMES))


DEFAULT_TEXT_OPTIONS = TextOptions()


def _complete_reference(m: re.Match[str]) -> str:
    ref = m.group(0)
    return html.unescape(ref) if ref[1] == "#" or ref[1:] in html.entities.html5 else ref


def decode_references(value: str) -> str:
    """Plain text (not HTML): each complete character reference decoded once, the rest as written.

    ``AT&amp;T`` -> ``AT&T`` (a plain-text export that escaped its text once), ``&amp;lt;`` ->
    ``&lt;`` (never a second time), ``&#39;`` -> ``'``; ``R&D``, ``?q=a&para=2``, ``&copy 2020``
    and ``&bogus;`` stay as written: outside HTML only a reference closed by ';' and named in the
    HTML5 table (``html.entities.html5``) is one. Numeric references decode as in HTML
    (WHATWG HTML 13.2.5.80: 0, surrogates and values above U+10FFFF become U+FFFD).
    """
    return _COMPLETE_REFERENCE.sub(_complete_reference, value) if "&" in value else value


def decode_attribute(value: str) -> str:
    """An attribute value's character references decoded once, by the HTML5 attribute rule.

    WHATWG HTML 13.2.5.73 (named character reference state): in an attribute, a reference
    not closed by ';' and followed by '=' or an ASCII letter or digit is not a reference, "for
    historical reasons", so ``?q=a&para=2`` and ``?a=1&copy=2`` stay as written, while
    ``&amp;``, ``&copy;``, ``&#38;`` and ``&copy 2`` decode. Text outside attributes follows
    the text rule instead (``html.unescape``).
    """

    def one(m: re.Match[str]) -> str:
        ref = m.group(0)
        if ref[1] == "#":
            return html.unescape(ref)
        name = ref[1:]
        if name.endswith(";") and name in html.entities.html5:
            return html.entities.html5[name]
        for k in range(min(len(name), _LONGEST_LEGACY), 1, -1):
            if name[:k] in _LEGACY_NAMES:
                after = name[k] if k < len(name) else value[m.end() : m.end() + 1]
                if after == "=" or (after.isascii() and after.isalnum()):
                    return ref
                return html.entities.html5[name[:k]] + name[k:]
        return ref

    return _ANY_REFERENCE.sub(one, value) if "&" in value else value


class _Markup(HTMLParser):
    """One value read by ``html.parser``: its events, each with its offsets in the value.

    Events are ``(kind, name_or_text, attrs, start, end)``; kind is ``start``, ``startend``,
    ``end``, ``data`` (text, character references decoded by the text rule), ``comment``,
    ``decl`` or ``other``. ``start``/``end`` locate a tag in the value (-1 for the rest), so a
    tag that turns out not to be HTML can be kept exactly as written.
    """

    def __init__(self, value: str) -> None:
        super().__init__(convert_charrefs=True)
        self.value = value
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", value))]
        self.events: list[tuple[str, str, list[tuple[str, str | None]], int, int]] = []
        self.feed(value)
        self.close()
        self._custom = self._closed_custom()
        self._read_again()
        self._custom = self._closed_custom()
        self._text_voids = self._bare_voids()

    def _bare_voids(self) -> set[int]:
        """The events that are a void element's tag written bare in prose, text as written (``_BARE_VOID_PARENTS``;
        breaker13 F2, html17): a start tag (``<source>``) or self-closing one (``<img/>``) without attributes of a void
        element other than ``br``/``hr``/``wbr``, with no element of its parents' list open before it (a start tag of
        the name not yet closed by an end tag of it: ``<colgroup><col>`` is markup) and not closed later by its own
        end tag (``_closed_later``: ``<input>x</input>`` is markup, as any tag closed later). Its end tags are markup
        (a browser ignores them)."""
        events = self.events
        found = [i for i, (k, n, a, _, _) in enumerate(events) if n in _BARE_VOID_PARENTS and not a and k in ("start", "startend")]
        if not found:
            return set()
        return {i for i in found if not _parents_open(events[i][1], [(k, n) for k, n, _, _, _ in events[:i]])
                and not self._closed_later(i)}  # fmt: skip

    def _closed_custom(self) -> set[str]:
        """The custom elements' names (``CUSTOM_ELEMENT_RE``) the value both opens and closes (``<sl-button outline>
        Save</sl-button>``): elements, as the HTML elements are (breaker12 H2); one never closed (``<file-name>`` in a
        sentence) stays text as written."""
        opened = {n for k, n, _, _, _ in self.events if k == "start"}
        closed = {n for k, n, _, _, _ in self.events if k == "end"}
        return {n for n in opened & closed if _CUSTOM_ELEMENT.fullmatch(n) and n not in _RESERVED_CUSTOM}

    def _element(self, name: str) -> bool:
        """True when ``name`` names an element: an HTML element (``HTML_ELEMENTS``) or a custom one opened and closed."""
        return name in HTML_ELEMENTS or name in self._custom

    def _read_again(self) -> None:
        """Read the text after a '<' again where html.parser took for a tag what is text (``_is_text_tag``): such a '<'
        becomes a data event, and what follows it is read as if it stood alone, so ``</code>`` closes the ``code`` it
        closes and the words a browser would hide inside the false tag stay (breaker9 #12, breaker11 H1). A tag inside
        an attribute's quoted value (``<y a="</b>">``) is the value's, and stays. The events after the '<' are a new
        parser's, their offsets moved to this value's. Iterative: one parse per such tag."""
        at = 0  # the first event not yet checked
        while True:
            for i in range(at, len(self.events)):
                if self._is_text_tag(i):
                    break
            else:
                return
            start = self.events[i][3]
            rest = _Markup.__new__(_Markup)
            HTMLParser.__init__(rest, convert_charrefs=True)
            rest.value = self.value[start + 1 :]
            rest._line_starts = [0, *(m.end() for m in re.finditer("\n", rest.value))]
            rest.events = []
            rest._custom = set()
            rest.feed(rest.value)
            rest.close()
            shift = start + 1
            moved = [(k, n, a, s + shift if s >= 0 else s, e + shift if e >= 0 else e) for k, n, a, s, e in rest.events]
            self.events[i:] = [("data", "<", [], start, -1), *moved]
            at = i + 1

    def _is_text_tag(self, i: int) -> bool:
        """True when event ``i``, a tag to html.parser, is text a writer meant as written: html.parser reads ``<`` and a
        letter as a tag up to the next ``>`` (WHATWG HTML 13.2.5.6-13.2.5.8), so ``a<b and c</p>`` is the tag ``b``
        with attributes ``and``, ``c<`` and ``p``, and ``x<y</code>`` the tag ``y<``. Text when

        * it names no element and holds the start of one in its name or an attribute's name (``x<y</code>``;
          ``x<y </code>``: the tag ``y`` with attributes ``<`` and ``code``);
        * it is a start tag of an HTML element (not ``svg``/``math``, whose attributes are foreign) and one of its
          attributes holds a '<' in its name (it ran into the next tag: ``c</p``);
        * it is such a start tag, never closed after it (``_closed_later``), and one of its attributes has no value
          and a name that is no HTML attribute (``HTML_ATTRIBUTES``) and holds no '-' or ':' (``data-*``, ``aria-*``,
          ``v-cloak``, ``xml:lang``): ``and``, ``then``, ``&&`` are words, not markup. A tag its end tag closes later
          (``<div layout flex>Row</div>``, framework attributes) is markup, whatever its attributes (breaker12 H2),
          and so is an attribute with a value (``ng-if="x"``), known or not;
        * it is a start tag without attributes of an element whose end tag is required (``_END_TAG_REQUIRED``), glued
          to a letter or digit on both sides, never closed after it, in a value with no other markup
          (``_other_markup``): ``a<b>c &amp; d``, a comparison. Where other markup is there the value is HTML and the
          tag an unclosed element (``<p>Note<i>important</p>``: sloppy HTML a browser renders; breaker12 H1).

        A custom element opened and closed (``_closed_custom``) is markup.
        """
        kind, name, attrs, start, end = self.events[i]
        if kind not in ("start", "startend", "end") or name in self._custom:
            return False
        if name not in HTML_ELEMENTS:
            return ("<" in name or any("<" in a for a, _ in attrs)) and _HTML_CANDIDATE.search(self.value, start + 1, end) is not None
        if kind == "end" or name in ("svg", "math"):
            return False
        if any("<" in a for a, _ in attrs):
            return True
        if _bare_words(attrs):
            return not self._closed_later(i)
        if attrs or kind != "start" or name not in _END_TAG_REQUIRED or not self._glued(i):
            return False
        return not self._closed_later(i) and not self._other_markup(i)

    def _glued(self, i: int) -> bool:
        """True when the tag of event ``i`` has a letter or digit right before it and right after it (``a<b>c``)."""
        start, end = self.events[i][3], self.events[i][4]
        return self.value[start - 1 : start].isalnum() and self.value[end : end + 1].isalnum()

    def _closed_later(self, i: int) -> bool:
        """True when an end tag after start tag ``i`` closes it: the first end tag of its name that no start tag of the
        name after ``i`` takes first (``<b and c <b>x</b>``: the ``</b>`` is the second ``b``'s)."""
        name, depth = self.events[i][1], 1
        if self.events[i][0] != "start":
            return False
        for k, n, _, _, _ in self.events[i + 1 :]:
            if n == name and k == "start":
                depth += 1
            elif n == name and k == "end":
                depth -= 1
                if depth == 0:
                    return True
        return False

    def _other_markup(self, i: int) -> bool:
        """True when the value holds markup besides event ``i``: a comment or doctype, an end tag of an element, or a
        start tag of one that is neither glued without attributes (``_glued``) nor with a '<' or a bare word among
        its attribute names (those may be text: not counted)."""
        for j, (k, n, attrs, _, _) in enumerate(self.events):
            if j == i or k in ("data", "other"):
                continue
            if k in ("comment", "decl") or (k == "end" and self._element(n)):
                return True
            if k == "end" or not self._element(n) or any("<" in a for a, _ in attrs) or _bare_words(attrs):
                continue
            if attrs or k != "start" or n not in _END_TAG_REQUIRED or not self._glued(j):
                return True
        return False

    def _at(self) -> int:
        line, column = self.getpos()  # the start of the construct being handled
        return self._line_starts[line - 1] + column

    def _tag(self, kind: str, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._at()
        self.events.append((kind, tag, attrs, start, start + len(self.get_starttag_text() or "")))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag("start", tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag("startend", tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        start = self._at()
        self.events.append(("end", tag, [], start, self.value.index(">", start) + 1))

    def handle_data(self, data: str) -> None:
        self.events.append(("data", data, [], self._at(), -1))  # where the text starts; used decoded

    def handle_comment(self, data: str) -> None:
        start = self._at()
        kind = "comment" if self.value.startswith("<!--", start) else "other"  # '<!x>' is a bogus comment
        self.events.append((kind, data, [], start, -1))

    def handle_decl(self, decl: str) -> None:
        self.events.append(("decl" if decl.lower().startswith("doctype") else "other", decl, [], self._at(), -1))

    def handle_pi(self, data: str) -> None:
        self.events.append(("other", data, [], self._at(), -1))

    def unknown_decl(self, data: str) -> None:
        self.events.append(("other", data, [], self._at(), -1))

    def is_html(self) -> bool:
        """True when the markup is evidence of HTML, not prose that happens to hold a '<'.

        Only tags of HTML elements (``HTML_ELEMENTS``) count, and one of them alone is not
        enough (``a <b> c``, ``<title> of the book``): the value needs an element opened and
        closed (``<b>x</b>``, in either order for a cut-off fragment), an element with an
        attribute value (``<a href="...">``), a line-break element (``<br>``, ``<hr>``, ``<wbr>``),
        a document element (``<html>``, ``<body>``), a doctype or comment, or a complete character reference
        (``&amp;``, ``&#39;``: the text was HTML-escaped) next to an element tag that is more than a placeholder's
        shape (``_marked``: an end tag, a tag with attributes, a start tag of ``_UNCLOSED_BLOCKS``). A value whose
        element tags are all attribute-less start tags (``Dear <name>,``, ``ls <dir>/x``, ``a <b> c &amp; d``) is
        prose with placeholders: its tags stay as written (html16).
        """
        opened, closed, valued, marked = set(), set(), False, False
        for kind, name, attrs, _, _ in self.events:
            if kind in ("comment", "decl"):
                return True
            if not self._element(name):
                continue
            if kind == "end":
                closed.add(name)
            elif kind in ("start", "startend"):
                opened.add(name)
                valued = valued or any(v is not None for _, v in attrs)
            marked = marked or _marked(kind, name, bool(attrs))
        tags = opened | closed
        return bool(
            (opened & closed)
            or valued
            or tags & (_LINE_BREAK_ELEMENTS | _DOCUMENT_ELEMENTS)
            or (marked and _COMPLETE_REFERENCE.search(self.value))
        )

    def text(self, keep_links: bool = True) -> str:
        """The text of an HTML value: block elements become line breaks, scripts and styles go,
        ``http(s)`` link targets follow their link text as `` (url)`` (``link_target``: scheme and host only), and a
        tag that names no HTML element (``<ann@x.org>``, ``<y and y>``) stays as written, since a browser would hide
        it but the writer meant it as text, and so does a void element's tag written bare in prose (``_bare_voids``:
        ``<p>Enter your <input> here</p>`` reads ``Enter your <input> here``; html17). Sets ``dropped``: the letters
        and digits of the value outside markup (``_dropped``) that the text lacks; and ``unclosed``: a tag never closed
        went that may have been a placeholder (``_unclosed``)."""
        parts: list[str] = []
        kept: list[str] = []  # the parts that are the value's text (not the link targets added)
        skip = 0
        href: str | None = None
        markup: list[tuple[int, int]] = []  # the spans of the value that are markup: tags, comments, doctypes, scripts
        for i, (kind, name, _, start, end) in enumerate(self.events):
            if kind == "data":
                if not skip:
                    parts.append(name)
                    kept.append(name)
                else:
                    markup.append((start, self._next_start(i)))
            elif kind in ("start", "startend", "end") and (not self._element(name) or i in self._text_voids):
                if not skip:
                    parts.append(html.unescape(self.value[start:end]))
                    kept.append(parts[-1])
                else:
                    markup.append((start, end))
            elif kind in ("comment", "decl"):
                markup.append((start, self._next_start(i)))
            elif kind == "other":
                continue  # a bogus comment, processing instruction or CDATA: not markup of an element (``_dropped``)
            else:
                markup.append((start, end))
            if kind not in ("start", "startend", "end") or not self._element(name) or i in self._text_voids:
                continue
            if kind == "start" and name in ("script", "style"):
                skip += 1
            elif kind == "end" and name in ("script", "style"):
                skip = max(skip - 1, 0)
            else:
                if name in _BLOCK_TAGS:
                    # <p/> reaches html.parser's default handler as a start and an end tag: two breaks
                    parts.append("\n\n" if kind == "startend" else "\n")
                if name == "a" and kind == "start" and keep_links:
                    target = _raw_attributes(self.value[start:end]).get("href")
                    href = link_target(decode_attribute(target)) if target else None
                elif name == "a" and kind == "end" and href:
                    # Keep link targets: a URL is information, the tag around it is not.
                    parts.append(f" ({href})")
                    href = None
        self.dropped = _dropped(self.value, markup, "".join(kept))
        self.unclosed = self._unclosed()
        return "".join(parts)

    def _unclosed(self) -> bool:
        """True when the value holds a start tag with no attributes of an element whose end tag is required
        (``_END_TAG_REQUIRED``) that no end tag closes (stack order per name, as ``_closed_later``) and that is not
        glued to a letter or digit on both sides (``_glued``: ``<p>Note<i>important</p>`` is sloppy inline markup):
        ``<p>Run ls <dir> then</p>``. ``text`` removes it as markup (the value is HTML), but in prose it may have been a
        placeholder, so the clean step says so (``html_unclosed_tag``; html16)."""
        open_: dict[str, list[int]] = {}
        for i, (kind, name, attrs, _, _) in enumerate(self.events):
            if kind == "start" and self._element(name):
                open_.setdefault(name, []).append(i if not attrs and name in _END_TAG_REQUIRED else -1)
            elif kind == "end" and open_.get(name):
                open_[name].pop()
        return any(i >= 0 and not self._glued(i) for left in open_.values() for i in left)

    def _next_start(self, i: int) -> int:
        """Where the construct after event ``i`` starts in the value (its end when none follows)."""
        for _, _, _, start, _ in self.events[i + 1 :]:
            if start >= 0:
                return start
        return len(self.value)


_WORD_CHAR = re.compile(r"\w")


def _parents_open(void: str, before: list[tuple[str, str]]) -> bool:
    """True when an element of ``_BARE_VOID_PARENTS[void]`` is open after the tags ``before`` (``(kind, name)`` pairs,
    kind ``start``, ``startend``, ``end``, ``data``...): a start tag of its name that no end tag of it closed yet (an end
    tag with none open is ignored, as a browser does)."""
    parents = _BARE_VOID_PARENTS[void]
    open_ = dict.fromkeys(parents, 0)
    for kind, name in before:
        if name in open_:
            if kind == "start":
                open_[name] += 1
            elif kind == "end" and open_[name] > 0:
                open_[name] -= 1
    return any(open_.values())


# Block elements whose end tag may be omitted (WHATWG HTML 13.1.2.4, "Optional tags"): sloppy HTML leaves them open
# (``<p>Tom &amp; Jerry``, ``<li>one<li>two``), and nobody writes them as a placeholder in prose.
_UNCLOSED_BLOCKS = frozenset({"p", "li", "dt", "dd", "tr", "td", "th"})


def _marked(kind: str, name: str, attributes: bool) -> bool:
    """True when an element's tag (``kind`` start, startend or end; ``name`` lower-cased) is markup beside a character
    reference: an end tag, a tag with attributes, or a start tag of ``_UNCLOSED_BLOCKS``. An attribute-less start tag of
    any other element (``<dir>``, ``<name/>``, ``<code>``, ``<b>``, ``<source>``) has a placeholder's shape: in a value
    with no other markup it is text as written (``Run ls <dir> &amp;&amp; cd <dir>/x``: html16), whatever the value's
    references."""
    return kind == "end" or attributes or name in _UNCLOSED_BLOCKS


def _dropped(value: str, markup: list[tuple[int, int]], text: str) -> bool:
    """True when ``text`` lacks a letter or digit (``\\w``, counted with repeats) of ``value`` outside the ``markup``
    spans, its character references decoded: words an HTML conversion lost that no element's markup held (a
    processing instruction ``<?php x ?>``, a bogus comment ``<!x and y>``, a tag that swallowed text and was not found
    to be text). Tags, attribute values, comments and script and style bodies are dropped on purpose."""
    pieces, pos = [], 0
    for start, end in sorted(markup):
        if start > pos:
            pieces.append(value[pos:start])
        pos = max(pos, end)
    pieces.append(value[pos:])
    wanted = Counter(_WORD_CHAR.findall(html.unescape("\x00".join(pieces))))
    return bool(wanted - Counter(_WORD_CHAR.findall(text)))


def _bare_words(attrs: list[tuple[str, str | None]]) -> bool:
    """True when an attribute has no value and a name that is no HTML attribute (``HTML_ATTRIBUTES``) and holds no '-'
    or ':' (``and``, ``then``, ``&&``, or a framework's ``layout``, ``flex``): words, unless the tag is closed later."""
    return any(v is None and a not in HTML_ATTRIBUTES and "-" not in a and ":" not in a for a, v in attrs)


def link_target(url: str) -> str | None:
    """The part of a link's target that ``strip_html`` writes after the link text: scheme and host (port kept), as
    written; None for a target whose scheme is not ``http``/``https`` (in any case: RFC 3986 section 3.1, schemes are
    case-insensitive, so ``HTTPS://EX.COM/a`` is one), that does not parse (``ValueError``: a bad IPv6 host or port) or
    has no host (``urllib.parse.urlsplit``, RFC 3986 section 3).

    The target was markup, never shown to a reader, and a link carries what is not the page's address in every part
    after its host: session and access tokens, signatures (``X-Amz-Signature``), one-time codes and tracking ids in the
    query (breaker9 #12: ``<a href='https://evil.example/?token=SECRET'>click</a>`` gave ``click
    (https://evil.example/?token=SECRET)``), and in the path the secret of a capability URL: password resets
    (``/reset/tok_ABC123``: breaker11 H2), shared documents (``/s/<id>``, ``/d/<id>``), webhooks
    (``/services/T0/B0/<key>``), invitations. A path segment carries no mark that it is a secret: a test for
    random-looking ones misses short codes and keys (``/s/x7Ka9pQ2``) and drops real names, so no path moves from markup
    into searchable text; the user name and password, query and fragment go with it. The value as written stays in
    ``<col>__raw``.
    """
    try:
        parts = urlsplit(url.strip(" \t\n\x0c\r"))  # a URL's edges lose ASCII whitespace (WHATWG URL, basic parser)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):  # urlsplit lower-cases the scheme
        return None
    host = parts.netloc.rpartition("@")[2]
    if not host:
        return None
    written = url.strip(" \t\n\x0c\r")[: len(parts.scheme)]
    return f"{written}://{host}"


def _raw_attributes(tag_text: str) -> dict[str, str | None]:
    """A start tag's attributes as written (references not decoded), first of a name wins (WHATWG
    HTML 13.2.5.33). Split with ``html.parser``'s own patterns, so they are the attributes it saw."""
    found = tagfind_tolerant.match(tag_text, 1)
    pos = found.end() if found else len(tag_text)
    out: dict[str, str | None] = {}
    while pos < len(tag_text):
        m = attrfind_tolerant.match(tag_text, pos)
        if not m or m.end() == pos:
            break
        name, rest, value = m.group(1, 2, 3)
        if not rest:
            value = None
        elif value[:1] == "'" == value[-1:] or value[:1] == '"' == value[-1:]:
            value = value[1:-1]
        out.setdefault(name.lower(), value)
        pos = m.end()
    return out


def looks_like_html(value: str) -> bool:
    """True when ``value`` is HTML by the evidence ``_Markup.is_html`` weighs (a '<' opening a known element first)."""
    return "<" in value and _HTML_CANDIDATE.search(value) is not None and _Markup(value).is_html()


def strip_html(value: str, keep_links: bool = True) -> str:
    """The text of an HTML value (``html.parser``: tags removed, link targets and paragraph breaks
    kept, references decoded once); any other value with only its complete references decoded
    (``decode_references``), every '<' as written."""
    return html_text(value, keep_links)[0]


def html_text(value: str, keep_links: bool = True) -> tuple[str, bool]:
    """``strip_html(value, keep_links)``, and whether it dropped words: letters or digits of the value that no
    element's markup held (``_dropped``; breaker11 H1), which the clean step reports (``html_text_dropped``)."""
    return html_text_changes(value, keep_links)[:2]


def html_text_changes(value: str, keep_links: bool = True) -> tuple[str, bool, bool]:
    """``(text, dropped, unclosed)``: ``html_text(value, keep_links)`` and whether an HTML value lost a start tag never
    closed that may have been a placeholder (``_Markup._unclosed``, ``_simple_unclosed``: ``<p>Run ls <dir> then</p>``),
    which the clean step reports (``html_unclosed_tag``; html16). Never raises for a ``str``."""
    if "<" in value and _HTML_CANDIDATE.search(value):
        simple = _simple_html(value)
        if simple is not None:  # bare tags only: every letter outside them is kept
            return simple, False, _simple_unclosed(value, simple)
        markup = _Markup(value)
        if markup.is_html():
            text = markup.text(keep_links)
            return text, markup.dropped, markup.unclosed
    return decode_references(value), False, False


# A tag written with nothing but its name (``<p>``, ``</B>``): no attribute, space or '/'.
_SIMPLE_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)>")
# The elements whose bare tags ``_simple_html`` reads itself: those html.parser treats as any other tag, in every
# Python version (script and style hold raw text; textarea, title and the rest are raw or escapable raw text in
# WHATWG HTML 13.1.2 and may be read so by a later html.parser; svg and math hold foreign content).
_SIMPLE_ELEMENTS = HTML_ELEMENTS - {
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext", "listing",
    "svg", "math", "template",
}  # fmt: skip


def _simple_html(value: str) -> str | None:
    """``strip_html(value)`` for a value whose every '<' opens a bare tag (``_SIMPLE_TAG``) of an element in
    ``_SIMPLE_ELEMENTS`` (``<p>a &amp; <b>b</b></p>``), read without ``html.parser``; None for any other value.

    What ``_Markup`` makes of such a value: html.parser (convert_charrefs) hands each run of text between two tags
    to ``handle_data`` decoded by ``html.unescape``, and the tags, their names lower-cased, as start and end tags
    with no attributes; ``_Markup.is_html`` then holds when an element is both opened and closed, a line-break or
    document element is there, or a complete character reference and a tag that ``_marked`` calls markup (an end tag,
    a start tag of ``_UNCLOSED_BLOCKS``) are; ``_Markup.text`` writes a line
    break for each tag of a block element, nothing for the other tags (an ``a`` without ``href`` names no link)
    but a void element's start tag in prose (``_Markup._bare_voids``: none of its parents open, not closed later by
    its own end tag), which it keeps as written, and the decoded text. A test compares the two on generated tag soup.
    """
    parts: list[str] = []
    opened: set[str] = set()
    closed: set[str] = set()
    glued: set[str] = set()  # glued start tags of elements whose end tag is required, not closed yet
    seen: list[tuple[str, str]] = []  # the tags so far: ("start" or "end", name)
    voids: dict[str, list[int]] = {}  # a void element's start tags not closed yet: the part holding it as text, or -1
    pos = 0
    for m in _SIMPLE_TAG.finditer(value):
        data = value[pos : m.start()]
        name = m.group(2).lower()
        if "<" in data or name not in _SIMPLE_ELEMENTS:
            return None
        if data:
            parts.append(html.unescape(data))
        if m.group(1):
            glued.discard(name)
            seen.append(("end", name))
            if voids.get(name) and (at := voids[name].pop()) >= 0:
                parts[at] = ""  # closed later by its own end tag: markup
        else:
            seen.append(("start", name))
            if name in _END_TAG_REQUIRED and value[m.start() - 1 : m.start()].isalnum() and value[m.end() : m.end() + 1].isalnum():
                glued.add(name)  # ``a<b>c``: text unless closed after (``_Markup._is_text_tag``), the parser's to read
            elif name in _BARE_VOID_PARENTS:
                bare = not _parents_open(name, seen)
                voids.setdefault(name, []).append(len(parts) if bare else -1)
                if bare:
                    parts.append(m.group(0))  # a placeholder in prose (``<source>``): text as written
        (closed if m.group(1) else opened).add(name)
        if name in _BLOCK_TAGS:
            parts.append("\n")
        pos = m.end()
    data = value[pos:]
    if "<" in data or glued:
        return None
    parts.append(html.unescape(data))
    tags = opened | closed
    marked = bool(closed) or bool(opened & _UNCLOSED_BLOCKS)  # ``_marked``: bare tags have no attributes
    if (opened & closed) or tags & (_LINE_BREAK_ELEMENTS | _DOCUMENT_ELEMENTS) or (marked and _COMPLETE_REFERENCE.search(value)):
        return "".join(parts)
    return decode_references(value)


def _simple_unclosed(value: str, text: str) -> bool:
    """``_Markup._unclosed`` for a value ``_simple_html`` read as ``text``: False where it was not HTML (``text`` is
    ``decode_references(value)``: an HTML reading drops each bare tag, 3 or more characters, for at most one line
    break, so the two differ whenever a tag went); else whether a start tag of an element whose end tag is required
    is never closed (stack order per name) and not glued to a letter or digit on both sides."""
    left: Counter[str] = Counter()  # a first pass without positions: most HTML closes what it opens
    for slash, name in _SIMPLE_TAG.findall(value):
        name = name.lower()
        if slash:
            if left[name] > 0:
                left[name] -= 1
        elif name in _END_TAG_REQUIRED:
            left[name] += 1
    if not +left or text == decode_references(value):
        return False
    open_: dict[str, list[bool]] = {}  # name -> its start tags not closed yet: spaced (True) or glued
    for m in _SIMPLE_TAG.finditer(value):
        name = m.group(2).lower()
        if m.group(1):
            if open_.get(name):
                open_[name].pop()
        else:
            both = value[m.start() - 1 : m.start()].isalnum() and value[m.end() : m.end() + 1].isalnum()
            open_.setdefault(name, []).append(name in _END_TAG_REQUIRED and not both)
    return any(any(left) for left in open_.values())


def normalize_whitespace(value: str) -> str:
    """Line breaks as ``\\n``, trimmed, runs of spaces collapsed, single line breaks between paragraphs (invisible format
    characters are removed before, by ``remove_invisible``)."""
    for _, steps in _WS_COMPILED:
        for pattern, repl in steps:
            value = pattern.sub(repl, value)
    return value


# libphonenumber compiles its metadata's patterns through ``re_util.re_compile``, which by default calls
# ``re.compile`` each time: a lookup in ``re``'s own cache of 512 patterns, shared with every other caller in the
# process (and a recompile once that cache has cycled). ``phonenumbers.enable_pattern_cache`` (public: in the
# package's ``__all__``, 9.0.43; the Java library's RegexCache) keeps each compiled pattern instead: the same
# patterns, so the same verdicts, and phone_spans costs ~12 % less CPU on the bench's note texts. A process-wide
# setting of the library; it only caches (one compiled pattern per metadata pattern used).
phonenumbers.enable_pattern_cache()

# Candidates verified so far: (region, leniency, candidate, character before it, character after it) -> the parsed
# number, or None when it is not one. Bounded: cleared when it reaches _VERIFIED_MAX entries.
_VERIFIED: dict[tuple[str, int, str, str, str], phonenumbers.PhoneNumber | None] = {}
_VERIFIED_MAX = 200_000


class _CachedMatcher(phonenumbers.PhoneNumberMatcher):
    """``phonenumbers.PhoneNumberMatcher`` with each candidate's verdict remembered across values, and reached
    with fewer regex calls.

    The matcher parses and verifies every candidate run it finds (``_parse_and_verify``; for a
    ``+1`` number with an invalid area code, ``is_valid_number`` tries every NANP region's
    metadata), and the same runs come back value after value (``+1``, ``20``, a date written
    ``15.08.2021``). In phonenumbers 9.0.x (``phonenumbermatcher.py``) that verdict depends
    only on the candidate text, the region, the leniency, and the characters right before and
    after the candidate in the text (a Latin letter or an invalid punctuation symbol there rejects
    it; none at the start or end of the text): that is the key, so the matches are the library's own.

    A verdict not remembered is the library's ``_parse_and_verify`` as phonenumbers 9.0.43 writes it
    (``_verify_valid``), with two changes that give the same answer (issue 15): a candidate without letters
    (``x`` aside) that holds fewer digits than ``phone_min_digits`` is rejected before ``parse`` (no number
    that short is valid: the bound the phone pre-filter rests on), and ``is_valid_number`` is
    headwater.clean.phone_valid.valid_number. Under any other phonenumbers release, or another leniency,
    the library's own method answers.
    """

    def _parse_and_verify(self, candidate, offset):  # type: ignore[no-untyped-def]
        end = offset + len(candidate)
        key = (self.preferred_region, int(self.leniency), candidate,
               self.text[offset - 1] if offset > 0 else "", self.text[end] if end < len(self.text) else "")
        if key in _VERIFIED:
            number = _VERIFIED[key]
            return None if number is None else phonenumbers.PhoneNumberMatch(offset, candidate, number)
        if _FAST_VERIFY and self.leniency == phonenumbers.Leniency.VALID:
            match = self._verify_valid(candidate, offset)
        else:
            match = super()._parse_and_verify(candidate, offset)
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[key] = None if match is None else match.number
        return match

    def _verify_valid(self, candidate, offset):  # type: ignore[no-untyped-def]
        """``PhoneNumberMatcher._parse_and_verify(candidate, offset)`` under ``Leniency.VALID``, phonenumbers 9.0.43
        (its lines, in its order), with the short-candidate rejection and ``valid_number`` (class docstring)."""
        if len(_PN_DIGIT.findall(candidate)) < phone_min_digits(self.preferred_region) and not _PN_LETTER.search(candidate):
            return None
        known = _known_parse(candidate, self.preferred_region)
        verdict = valid_national(*known) if known is not None else None
        if verdict is False:
            return None  # parse would give this number (or raise), and it is not valid: rejected either way
        try:
            if not _pnm.fullmatch(_pnm._MATCHING_BRACKETS, candidate) or _pnm._PUB_PAGES.search(candidate):
                return None
            if offset > 0 and not _pnm._LEAD_PATTERN.match(candidate):
                previous_char = self.text[offset - 1]
                if self._is_invalid_punctuation_symbol(previous_char) or self._is_latin_letter(previous_char):
                    return None
            last_char_index = offset + len(candidate)
            if last_char_index < len(self.text):
                next_char = self.text[last_char_index]
                if self._is_invalid_punctuation_symbol(next_char) or self._is_latin_letter(next_char):
                    return None
            # a known shape whose number is valid: parse's number built without running it (``_known_number``)
            numobj = _known_number(candidate, known) if verdict else phonenumbers.parse(candidate, self.preferred_region, keep_raw_input=True)
            if (
                (verdict or valid_number(numobj))
                and _pnm._contains_only_valid_x_chars(numobj, candidate)
                and _pnm._is_national_prefix_present_if_required(numobj)
            ):
                numobj.country_code_source = phonenumbers.CountryCodeSource.UNSPECIFIED
                numobj.raw_input = None
                numobj.preferred_domestic_carrier_code = None
                return phonenumbers.PhoneNumberMatch(offset, candidate, numobj)
        except phonenumbers.NumberParseException:
            pass
        return None


# Candidates whose parse is known without running it (phonenumbers 9.0.43 ``parse``: ``_build_national_number_for_parsing``
# starts at the first digit or '+'; no letter, '#', ';', ',' or '~', so no extension is stripped; ``_normalize`` keeps the
# digits): a number written nationally in the US shape (``(415) 555-2671``, ``415.555.2671``, ``555-2671``), read in
# ``US``, has no IDD (``011``) and does not start with the country code 1 nor the national prefix 1 (its first digit is
# 2-9), so it is country code 1 and its digits; one written ``+1`` or ``+44`` and ASCII digits, spaces, dots, dashes and
# brackets, its first digit after the code 2-9, is that country code and the digits after it (no national prefix of the
# US, ``1``, or of Great Britain, ``0|180020``, is stripped), whatever the region it is read in. So when that number is
# not valid (``valid_national``), ``parse`` need not run: the candidate is rejected whether parse raises or not.
_US_NATIONAL = re.compile(r"\(?[2-9][0-9]{2}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}|[2-9][0-9]{2}[ .-]?[0-9]{4}")
_PLUS_1_44 = re.compile(r"\+(1|44)[ ().-]*[2-9][0-9 ().-]*[0-9]")
_ASCII_DIGIT = re.compile("[0-9]")


def _known_parse(candidate: str, region: str) -> tuple[int, str] | None:
    """(country code, national significant number) that ``phonenumbers.parse(candidate, region)`` gives when it does not
    raise, for the shapes above; None for any other candidate (``parse`` decides)."""
    if region == "US" and _US_NATIONAL.fullmatch(candidate):
        return 1, "".join(_ASCII_DIGIT.findall(candidate))
    m = _PLUS_1_44.fullmatch(candidate)
    if m is not None:
        return int(m.group(1)), "".join(_ASCII_DIGIT.findall(candidate, m.end(1)))
    return None


def _known_number(candidate: str, known: tuple[int, str]) -> phonenumbers.PhoneNumber:
    """The number ``phonenumbers.parse(candidate, region, keep_raw_input=True)`` returns for a candidate of a shape
    ``_known_parse`` reads as ``known`` (country code, national significant number) whose number is valid
    (``valid_national``), built without running ``parse`` (phonenumbers 9.0.43): the code and the digits (the first
    2-9, so no Italian leading zero), the candidate as its raw input, and where the code came from (a '+' before it,
    or the default region: the US shape); no extension and no carrier code (no letter, no national prefix). parse
    does not raise for such a candidate: it is viable (digits and the punctuation libphonenumber allows), its
    national number's length is one a valid number has (2-17 digits), and its code is a known one. A test compares
    the two on generated candidates."""
    source = phonenumbers.CountryCodeSource.FROM_NUMBER_WITH_PLUS_SIGN if candidate.startswith("+") else phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY
    return phonenumbers.PhoneNumber(country_code=known[0], national_number=int(known[1]), raw_input=candidate, country_code_source=source)


# ``_CachedMatcher._verify_valid`` is read from this release's matcher; under another the library's method answers.
_FAST_VERIFY = phonenumbers.__version__ == "9.0.43"
_PN_DIGIT = re.compile("[0-9xX\\d]")  # what phone_min_digits counts: a decimal digit (``\\d``, any script) or an x
_PN_LETTER = re.compile("[^\\W\\dxX_]")  # a letter but x (an extension word, a vanity number: parse may read it as a digit)


# A date in a shape no phone number is written in: ISO 8601 ``2024-03-05`` (also ``2024/03/05``, ``2024.03.05``), a
# day-month-year or month-day-year with a four-digit year (``05/03/2024``, ``05.03.2024``, ``05-03-2024``), and a basic
# ISO 8601 date followed by a time (``20240305 14``, ``20240305T1430``); years 1900-2099. libphonenumber takes
# ``2024-03-05 14`` of ``2024-03-05 14.30`` for a US number (breaker5 #10): a match touching such a date is no phone number.
_DATE_SHAPE = re.compile(
    r"(?<![0-9])(?:(?:19|20)[0-9]{2}([./-])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12][0-9]|3[01])"
    r"|[0-9]{1,2}([./-])[0-9]{1,2}\2(?:19|20)[0-9]{2}"
    r"|(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?=[ T][0-9]))(?![0-9])"
)


# Every ``_DATE_SHAPE`` match holds a four-digit year 1900-2099 (its first, second and third alternatives begin, end and
# begin with one), so a value without this run has no date shape and the (slower, lookbehind) search is not run.
_DATE_YEAR = re.compile("(?:19|20)[0-9][0-9]")


def _date_spans(value: str) -> list[tuple[int, int]]:
    """The (start, end) of each ``_DATE_SHAPE`` match in ``value`` (``[]`` at once when it holds no ``_DATE_YEAR``)."""
    return [m.span() for m in _DATE_SHAPE.finditer(value)] if _DATE_YEAR.search(value) else []


def _whole_date(value: str) -> bool:
    """Whether ``value`` is nothing but a date or date-time (headwater.clean.values.parse_date, either day order)."""
    from headwater.clean.values import parse_date

    return parse_date(value) is not None or parse_date(value, True) is not None


def phone_spans(value: str, region: str = "US") -> list[tuple[int, int]]:
    """The (start, end) offsets of the phone numbers in ``value`` (UTF-16-free Python offsets).

    A number is one libphonenumber (``phonenumbers.PhoneNumberMatcher``, ``Leniency.VALID``:
    a number valid for its region's numbering plan, https://github.com/daviddrysdale/python-phonenumbers)
    finds, read in ``region`` when written without ``+``, that is not glued to a code
    (``SKU 800-555-1234-XL``: a letter, digit, ``-``, ``_``, ``/`` or ``.`` touching it; but see the slash below), not an
    amount (a number with no bracket and no ``+`` followed by a fraction of one or two digits that
    no letter or digit follows, ``_AMOUNT_FRACTION``: ``415-555-2671.50 USD``; but ``415-555-2671.5pm``
    and ``(415) 555-2671.00`` are numbers), not labelled as another identifier when it has no ``+`` and no
    bracket (``order``, ``serial``, ``invoice``, ``ISBN``, ``ref``, ``#``...: ``_PHONE_LABEL``: ``serial 415 555 2671``
    stays, ``ref +44 20 7946 0000`` is a phone number: breaker13 F10), and, when it is a run of bare digits
    (no separator, ``+`` or bracket: ``4155552671``), with a phone word at most three words before it or two
    after it (``call``, ``tel``, ``mobile``...: ``_phone_cue``; ``2147483648 bytes``, ``id=4155552671`` are no
    phone numbers). So ``555-123-4567`` (no area code 555), dates, ISBNs, version
    strings and ``serial 415 555 2671`` are not phone numbers; nor is a match that touches a date
    (``_DATE_SHAPE``: ``2024-03-05 14`` in ``2024-03-05 14.30``), and a value that is a whole date or date-time holds none.

    A '/' after a number (breaker13 F10, ``_slash_alternates``): alternate endings after it are part of its span
    (``+1 212 555 0100/0101`` is one span, both numbers masked); a number right after it and a kept number is one
    (``212-555-0100/212-555-0199``: two spans); the slash at the end of the text or before whitespace glues nothing;
    anything else after it glues the number to a path or a code (``415-555-2671/XL``), unless the number has a ``+``
    or a bracket (``+33 1 23 45 67 89/0101``: the number alone). An opening bracket before a plus sign that the number
    does not close (libphonenumber's match of ``(+1 212 555 0100)`` starts at the '(') is left out of its span.

    A number written with a ``+`` may be glued to a letter or a ``.`` before that ``+``: a label written without a space
    (``Tel.+44 20 7946 0958``, ``mobile+49 151 23456789``, ``WhatsApp+447700900123``: breaker14 G2) is a phone number
    when libphonenumber finds a valid one there (``ABC+12345`` is none); a digit, ``-``, ``_`` or ``/`` before it
    still glues it to a code.
    """
    spans: list[tuple[int, int]] = []
    dates = _date_spans(value)
    if dates and _whole_date(value):
        return spans
    matches = list(_CachedMatcher(value, region, leniency=phonenumbers.Leniency.VALID))
    for i, m in enumerate(matches):
        if any(start < m.end and m.start < end for start, end in dates):
            continue
        before, after = value[m.start - 1 : m.start], value[m.end : m.end + 1]
        plus_label = m.raw_string[:1] in "+\uff0b" and (before.isalpha() or before == ".")
        if before and (before.isalnum() or before in "-_/.") and not (before == "/" and spans and spans[-1][1] == m.start - 1) and not plus_label:
            continue  # glued to a code; but '+1 212 555 0100/+1 212 555 0199': a second number after a kept one
        written_as_phone = any(c in m.raw_string for c in "(\uff08+\uff0b")  # a '+' or a bracket: only a phone is written so
        end = m.end
        if after == "/":
            end = _slash_alternates(value, m, matches[i + 1].start if i + 1 < len(matches) else -1)
            if end is None and not written_as_phone:
                continue  # '415-555-2671/XL', '.../4155552671/reviews': a path or a code; never '+33 1 23 45 67 89/0101'
            end = m.end if end is None else end
        elif after and (after.isalnum() or after in "-_"):
            continue
        if not written_as_phone and _AMOUNT_FRACTION.match(value, end):
            continue  # '415-555-2671.50': an amount; never '415-555-2671.5pm', '(415) 555-2671.00'
        if not written_as_phone and _PHONE_LABEL.search(value[max(0, m.start - 32) : m.start]):
            continue  # 'serial 415 555 2671', 'order 212-555-0100'; never 'ref +44 20 7946 0000' (breaker13 F10)
        if m.raw_string.isdecimal() and not _phone_cue(value, m.start, m.end):
            continue  # '2147483648 bytes', 'id=4155552671': a bare digit run is a phone only after a phone word
        spans.append((m.start + _unopened_lead(m.raw_string), end))
    return spans


# After a number and a '/' (``_slash_alternates``): one to four digits (``\d``: any script, as libphonenumber reads them),
# maybe another '/' and more, each an alternate ending of the number ('+1 212 555 0100/0101/0102'); after the last one
# nothing glued (``_GLUED_AFTER``: a letter or digit, '_', '-', '/', or a decimal fraction).
_ALTERNATE_END = re.compile(r"/(\d{1,4})(?!\d)")
_GLUED_AFTER = re.compile(r"[\w/-]|\.\d")
_LAST_DIGITS = re.compile(r"\d+$")


def _slash_alternates(value: str, m: phonenumbers.PhoneNumberMatch, next_start: int) -> int | None:
    """Where the number ``m`` found in ``value``, followed by '/', ends with the alternate endings written after it
    ('+1 212 555 0100/0101/0102': numbers sharing a prefix, breaker13 F10), or ``m.end`` when the slash ends the text,
    whitespace follows it, or the next number libphonenumber found (at ``next_start``) starts right after it
    ('+1 212 555 0100/+1 212 555 0199': ``phone_spans`` keeps that one too unless it drops it on its own); None when
    something else follows the slash ('415-555-2671/XL', '.../4155552671/reviews': a number glued to a code or a path,
    which ``phone_spans`` drops).

    An alternate ending is one to four decimal digits (``_ALTERNATE_END``), no more than the number's last digit group as
    written, that make a valid number (``headwater.clean.phone_valid.valid_number``: libphonenumber's verdict) when they
    replace as many of its last digits ('0100/0101'), or of its extension's ('x12/13': any digits are an extension);
    nothing glued (``_GLUED_AFTER``) may follow the last one."""
    after = value[m.end + 1 : m.end + 2]
    if not after or after.isspace() or next_start == m.end + 1:
        return m.end
    number = m.number
    last = _LAST_DIGITS.search(m.raw_string)
    if last is None:
        return None
    nsn = phonenumbers.national_significant_number(number)
    end = m.end
    while (alt := _ALTERNATE_END.match(value, end)) is not None:
        digits = alt.group(1)
        if len(digits) > len(last.group()):
            break
        if not number.extension:
            if len(digits) >= len(nsn):
                break
            other = phonenumbers.PhoneNumber(
                country_code=number.country_code, national_number=int(nsn[: -len(digits)] + str(int(digits)).zfill(len(digits))),
                italian_leading_zero=number.italian_leading_zero, number_of_leading_zeros=number.number_of_leading_zeros,
            )
            if not valid_number(other):
                break
        end = alt.end()
    return None if end == m.end or _GLUED_AFTER.match(value, end) else end


def _unopened_lead(raw: str) -> int:
    """1 when ``raw`` (a number libphonenumber found) starts with an opening bracket and a plus sign and no bracket in it
    closes that one, else 0: the matcher keeps the '(' of '(+1 212 555 0100)' and leaves its ')'; the span starts after
    it, so the mask keeps both. A bracket before digits may open an area code ('(415 555-2671)'): left in the span."""
    if len(raw) < 2 or raw[0] not in _CLOSES or raw[1] not in "+\uff0b":
        return 0
    return 1 if raw.count(_CLOSES[raw[0]]) < raw.count(raw[0]) else 0


# The brackets of libphonenumber's matcher (phonenumbermatcher._OPENING_PARENS, _CLOSING_PARENS, written there for a
# character class: the backslash is not one of them): ASCII round and square, full-width round and square.
_CLOSES = dict(zip("([\uff08\uff3b", ")]\uff09\uff3d"))


def _phone_cue(value: str, start: int, end: int) -> bool:
    """Whether a phone word (``_CUE_WORDS``) is at most three words before ``value[start:end]`` or two after it."""
    return bool(_PHONE_CUE.search(value[max(0, start - 40) : start]) or _PHONE_CUE_AFTER.search(value[end : end + 40]))


# What a number ``phone_spans`` keeps looks like in the text, read off libphonenumber's matcher (phonenumbers 9.0.43,
# ``phonenumbermatcher._PATTERN``, compiled ``re.UNICODE | re.IGNORECASE``): a span starts with up to two opening
# brackets or plus signs and punctuation (``_LEAD_CLASS``, ``_VALID_PUNCTUATION``), then digit blocks (``\d``: any
# Unicode decimal digit) separated by at most four punctuation characters (dashes, spaces, dots, slashes, brackets,
# ``x``...), then maybe an extension; an inner match (``_INNER_MATCHES``) is a piece of such a run. ``parse`` reads the
# national number from those digit blocks (after the country code, IDD or national prefix, before the extension), and
# ``is_valid_number`` needs its length to be one the numbering plan allows. ``phone_spans`` then drops a span whose
# previous character is a letter, a digit or one of ``-_/.``. The characters are taken from the library's own
# constants, the digits from this interpreter's Unicode tables (the ones the matcher's ``\d`` uses), written out, so
# RE2 and Python read the pattern alike whatever Unicode version either follows.
_PN_PUNCTUATION = phonenumbers.phonenumberutil._VALID_PUNCTUATION + "X"  # 'x' is punctuation, matched ignoring case
_PN_LEAD = phonenumbers.phonenumbermatcher._OPENING_PARENS + phonenumbers.phonenumberutil._PLUS_CHARS


# ``_decimal_ranges_searched()`` under the Unicode version it was read from (``unicodedata.unidata_version``: the tables
# ``str.isdecimal`` and ``re``'s ``\d`` use), so a process of that version does not read them again (0.022 CPU s once per
# process); any other version reads them. A test compares the two.
_DECIMAL_RANGES = {
    "14.0.0": (
        "\u0660-\u0669\u06f0-\u06f9\u07c0-\u07c9\u0966-\u096f\u09e6-\u09ef\u0a66-\u0a6f\u0ae6-\u0aef"
        "\u0b66-\u0b6f\u0be6-\u0bef\u0c66-\u0c6f\u0ce6-\u0cef\u0d66-\u0d6f\u0de6-\u0def\u0e50-\u0e59"
        "\u0ed0-\u0ed9\u0f20-\u0f29\u1040-\u1049\u1090-\u1099\u17e0-\u17e9\u1810-\u1819\u1946-\u194f"
        "\u19d0-\u19d9\u1a80-\u1a89\u1a90-\u1a99\u1b50-\u1b59\u1bb0-\u1bb9\u1c40-\u1c49\u1c50-\u1c59"
        "\ua620-\ua629\ua8d0-\ua8d9\ua900-\ua909\ua9d0-\ua9d9\ua9f0-\ua9f9\uaa50-\uaa59\uabf0-\uabf9"
        "\uff10-\uff19\U000104a0-\U000104a9\U00010d30-\U00010d39\U00011066-\U0001106f\U000110f0-\U000110f9"
        "\U00011136-\U0001113f\U000111d0-\U000111d9\U000112f0-\U000112f9\U00011450-\U00011459"
        "\U000114d0-\U000114d9\U00011650-\U00011659\U000116c0-\U000116c9\U00011730-\U00011739"
        "\U000118e0-\U000118e9\U00011950-\U00011959\U00011c50-\U00011c59\U00011d50-\U00011d59"
        "\U00011da0-\U00011da9\U00016a60-\U00016a69\U00016ac0-\U00016ac9\U00016b50-\U00016b59"
        "\U0001d7ce-\U0001d7ff\U0001e140-\U0001e149\U0001e2f0-\U0001e2f9\U0001e950-\U0001e959"
        "\U0001fbf0-\U0001fbf9"
    ),
}


@functools.lru_cache(maxsize=1)
def _decimal_ranges() -> str:
    """Every non-ASCII Unicode decimal digit (category Nd) as literal ``a-b`` ranges of a character class:
    ``_DECIMAL_RANGES`` for this interpreter's Unicode version, ``_decimal_ranges_searched()`` for any other."""
    known = _DECIMAL_RANGES.get(unicodedata.unidata_version)
    return known if known is not None else _decimal_ranges_searched()


def _decimal_ranges_searched() -> str:
    """Every non-ASCII Unicode decimal digit (``str.isdecimal``, category Nd: what ``re``'s ``\\d`` matches) as
    literal ``a-b`` ranges of a character class.

    Read with one ``re`` search over every code point from U+0080 (``re``'s ``\\d`` on a str pattern is
    ``Py_UNICODE_ISDECIMAL``, the test ``str.isdecimal`` makes; the surrogates, none of them a digit, left out so the
    text can be built by decoding UTF-32): 0.03 CPU s once per process, where testing each code point took 0.065.
    ``_decimal_ranges_by_code_point`` is that reference (a test compares them).
    """
    points = np.arange(0x80, 0x110000, dtype="<u4")
    points = points[(points < 0xD800) | (points > 0xDFFF)]
    runs = [(ord(m.group()[0]), ord(m.group()[-1])) for m in re.finditer(r"\d+", points.tobytes().decode("utf-32-le"))]
    ranges: list[list[int]] = []
    for a, b in runs:  # a run cut by the surrogate gap would be joined again (there is none: no digit borders it)
        if ranges and ranges[-1][1] == a - 1:
            ranges[-1][1] = b
        else:
            ranges.append([a, b])
    return "".join(f"{chr(a)}-{chr(b)}" if b > a else chr(a) for a, b in ranges)


def _decimal_ranges_by_code_point() -> str:
    """``_decimal_ranges_searched`` as it was written first: ``str.isdecimal`` of each code point (the reference of a test)."""
    digits = [c for c in range(0x80, 0x110000) if chr(c).isdecimal()]
    ranges: list[list[int]] = []
    for c in digits:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    return "".join(f"{chr(a)}-{chr(b)}" if b > a else chr(a) for a, b in ranges)


_TYPE_DESCS = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail", "fixed_line", "mobile")


def _shortest_valid(metadata) -> int:  # type: ignore[no-untyped-def]
    """The fewest digits a national significant number valid under ``metadata`` has (``_number_type_helper``: the
    general description's lengths, then a number type's; 2, libphonenumber's ``_MIN_LENGTH_FOR_NSN``, when no length
    is listed)."""
    general = set(metadata.general_desc.possible_length) if metadata.general_desc is not None else set()
    best: int | None = None
    for name in _TYPE_DESCS:
        desc = getattr(metadata, name)
        if desc is None or not desc.national_number_pattern:
            continue
        lengths = set(desc.possible_length) or general
        if not lengths:
            return phonenumbers.phonenumberutil._MIN_LENGTH_FOR_NSN
        lengths = lengths & general if general else lengths
        if lengths:
            best = min(lengths) if best is None else min(best, min(lengths))
    return best if best is not None else 10**6  # no number is valid there


def _digits_added(metadata) -> int:  # type: ignore[no-untyped-def]
    """Digits ``parse`` may write into a national number that were not in the text: the literal digits of the
    region's ``national_prefix_transform_rule`` (``1481\\1`` for Guernsey, ``0549\\1`` for San Marino)."""
    rule = metadata.national_prefix_transform_rule if metadata is not None else None
    return len(re.findall("[0-9]", re.sub(r"\\[0-9]", "", rule))) if rule else 0


def _shortest_for_code(code: int) -> int:
    """The fewest digits of a valid national number of any region sharing the calling code ``code``."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code
    return min(_shortest_valid(meta(code, region)) for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[code])


@functools.lru_cache(maxsize=None)
def phone_min_digits(region: str) -> int:
    """The fewest digits (``\\d`` or ``x``) any span ``phone_spans(value, region)`` returns holds: at least 1.

    A number written with ``+`` or an international prefix holds its country code and a national number valid
    in a region of that code, less what the code's main region's transform rule adds (``_digits_added``); one
    written nationally holds a national number valid in a region sharing ``region``'s code, less what
    ``region``'s rule adds. From libphonenumber's metadata: 6 for ``US``, ``GB`` or ``FR`` (``+43``/``+49``
    numbers can be that short), 4 for ``DE``, 3 for ``GG``.
    """
    international = _international_min_digits()
    own = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
    national = _shortest_for_code(own.country_code) - _digits_added(own) if own is not None else international
    return max(1, min(international, national))


# ``_international_min_digits_read()`` under the phonenumbers release it was read from (its metadata), so that a process
# of that release does not walk every calling code's metadata again (0.035 CPU s once per process); any other release
# reads it. A test compares the two.
_INTERNATIONAL_MIN_DIGITS = {"9.0.43": 6}


def _international_min_digits() -> int:
    """The fewest digits of a number written with ``+`` or an international prefix (``phone_min_digits``):
    ``_INTERNATIONAL_MIN_DIGITS`` for this phonenumbers release, ``_international_min_digits_read()`` for any other."""
    known = _INTERNATIONAL_MIN_DIGITS.get(phonenumbers.__version__)
    return known if known is not None else _international_min_digits_read()


def _international_min_digits_read() -> int:
    """Its country code and a national number valid in a region of that code, less what the code's main region's
    transform rule adds (``_digits_added``), fewest over every calling code of libphonenumber's metadata."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code
    main = phonenumbers.region_code_for_country_code
    return min(
        len(str(code)) + _shortest_for_code(code) - _digits_added(meta(code, main(code)))
        for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE
    )


@functools.lru_cache(maxsize=None)
def phone_candidate_re(region: str) -> str:
    """The pre-filter of phone masking (RE2 and Python ``re`` alike): a value it does not match holds no number
    ``phone_spans(value, region)`` returns, so only the others are handed to libphonenumber.

    A start that ``phone_spans`` accepts (the value's start, or a character that is not an ASCII letter or digit
    nor ``-_/.``), leading brackets, plus signs or punctuation, then ``phone_min_digits(region)`` digits each at
    most four punctuation characters after the one before (libphonenumber's ``_PATTERN``; see ``_PN_PUNCTUATION``).
    """
    punct = "[" + _PN_PUNCTUATION + "]"
    digit = "[0-9xX" + _decimal_ranges() + "]"  # x too: in a number with three letters 'x' is read as 9 (``_normalize``)
    return (
        "(?:^|[^A-Za-z0-9_/.-])[" + _PN_PUNCTUATION + _PN_LEAD + "]*" + digit
        + "(?:" + punct + "{0,4}" + digit + "){" + str(phone_min_digits(region) - 1) + "}"
    )  # fmt: skip


@functools.lru_cache(maxsize=None)
def _phone_candidate(region: str) -> re.Pattern[str]:
    return re.compile(phone_candidate_re(region))


_EDGE_ONLY = re.compile(_EDGE)


def _whole_number(value: str, spans: list[tuple[int, int]]) -> bool:
    """Whether ``spans`` (``phone_spans(value)``) is one number that is all of ``value`` but whitespace at its ends."""
    if len(spans) != 1:
        return False
    start, end = spans[0]
    return _EDGE_ONLY.fullmatch(value, 0, start) is not None and _EDGE_ONLY.fullmatch(value, end) is not None


def replace_pii(value: str, kind: str, action: str, whole_values_too: bool = False, region: str = "US", candidate: bool = False) -> str:
    """Remove or mask every ``kind`` (urls, emails, phones) in ``value``.

    A value that is nothing but one address (for e-mails also ``Ann <ann@x.org>``, one RFC 5322
    mailbox) is a contact field, left alone unless ``whole_values_too``. Phone numbers: only a
    value the ``phone_candidate_re(region)`` pre-filter matches is read, and only
    ``phone_spans(value, region)`` are replaced; a value whose one number is all of it (``_whole_number``:
    ``(030) 123456``, ``+44 (0) 20 7946 0958``) is a contact field too. ``candidate``: the caller's RE2
    pass already found the pre-filter's match in ``value`` (``normalize_column``), so the same search
    in Python is not run again (12 % of the phone step's CPU on the bench's note texts); either way
    the result is the same, as the pre-filter is sound (a value it does not match holds no span).
    """
    if action == "keep" or (not whole_values_too and _PII_WHOLE_COMPILED[kind].search(value)):
        return value
    token = "" if action == "remove" else MASKS[kind]
    pattern = _PII_COMPILED[kind]
    if kind == "phones":
        if not candidate and not _phone_candidate(region).search(value):
            return value
        spans = phone_spans(value, region)
        if not whole_values_too and _whole_number(value, spans):
            return value
        for start, end in reversed(spans):
            value = value[:start] + token + value[end:]
        return value
    if kind == "emails":
        return pattern.sub(lambda m: m.group(0) if not is_address(m) else token + m.group(2), value)
    return pattern.sub(token, value)


# File-name extensions that are not top-level domains (none is in the IANA Root Zone Database,
# https://www.iana.org/domains/root/db): ``logo@2x.png``, ``icon@3x.webp``, ``report@v2.pdf`` are
# file names (the Apple/Android density suffix), not addresses. Extensions that are TLDs too
# (``.zip``, ``.mov``, ``.py``, ``.md``, ``.sh``) are not listed: an address there stays masked.
FILE_EXTENSIONS = frozenset(
    "png jpg jpeg gif svg webp bmp tif tiff ico heic avif psd pdf eps txt csv tsv json jsonl xml yml yaml toml ini cfg conf "
    "html htm css scss less js mjs cjs jsx tsx ts vue git lock log bak tmp swp exe dll msi dmg apk ipa deb rpm jar war whl "
    "egg tar tgz rar iso img mp3 mp4 m4a wav ogg flac avi mkv webm doc docx xls xlsx ppt pptx odt ods rtf parquet sql "
    "sqlite db rb java kt scala swift cpp hpp cc cs php pyc ipynb woff woff2 ttf otf eot map".split()
)


def is_address(match: re.Match[str]) -> bool:
    """Whether an ``EMAIL_RE`` match (group 1 the address, group 2 what follows) is an e-mail address.

    It is not when its top-level domain is a file extension that is no TLD (``FILE_EXTENSIONS``:
    ``logo@2x.png``), nor when a ``:`` and a path follow it with no space (an SCP-style git remote,
    ``git@github.com:acme/billing.git``; ``ann@x.org: call her`` is an address and a colon).
    """
    if match.group(1).rsplit(".", 1)[-1].lower() in FILE_EXTENSIONS:
        return False
    after = match.string[match.end(2) : match.end(2) + 1]
    return not (match.group(2) == ":" and after and not after.isspace())


# ftfy's fix_character_width folds every fullwidth form; only letters and digits (ＡＢＣ１ -> ABC1,
# typed with an East Asian input method) and halfwidth katakana/Hangul are folded here, and only
# when a source asks (``text.fold_width``). Fullwidth punctuation (，。！（）：) is how Chinese and
# Japanese are written, so it always stays, like curly quotes.
_WIDTH_FOLD = {k: v for k, v in ftfy.chardata.WIDTH_MAP.items() if v.isalnum() or 0xFF61 <= k <= 0xFFDC}


def _ftfy_config(fold_quotes: bool, fold_ligatures: bool = False) -> ftfy.TextFixerConfig:
    """ftfy's fixers as Headwater runs them (``ftfy.TextFixerConfig``, https://ftfy.readthedocs.io/en/latest/config.html):
    no HTML unescaping (the HTML step decodes references, once), no width folding (``_WIDTH_FOLD``
    instead), NFC (never NFKC), curly quotes folded only when a source asks (``text.fold_quotes``),
    Latin ligatures (ﬁ) only when it asks (``text.fold_ligatures``)."""
    return ftfy.TextFixerConfig(
        unescape_html=False, fix_character_width=False, uncurl_quotes=fold_quotes, fix_latin_ligatures=fold_ligatures, explain=False
    )


def _ftfy_char_set(fold_quotes: bool) -> set[str]:
    """Characters some enabled ftfy fixer rewrites, read from ftfy's own tables so the check follows ftfy."""
    chars = set(ftfy.chardata.LIGATURES) | set(ftfy.chardata.CONTROL_CHARS)
    chars = {chr(c) if isinstance(c, int) else c for c in chars}
    chars |= {chr(c) for c in range(0x80, 0xA0)} | {"\x1b", "\r", "\u2028", "\u2029"}
    if fold_quotes:  # ftfy.chardata.SINGLE_QUOTE_RE and DOUBLE_QUOTE_RE
        chars |= _QUOTES
    return chars


def _ftfy_chars(fold_quotes: bool) -> re.Pattern[str]:
    """``_ftfy_char_set`` (and lone surrogates) as a Python character class."""
    return re.compile("[" + "".join(re.escape(c) for c in sorted(_ftfy_char_set(fold_quotes))) + "\ud800-\udfff]")


def _re2_class(chars: set[str]) -> str:
    """``chars`` as an RE2 character class (each code point written ``\\x{hex}``)."""
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(chars)) + "]"


_QUOTES = {"\u02bc"} | {chr(c) for c in range(0x2018, 0x2020)}
_FTFY_CONFIGS = {(q, lig): _ftfy_config(q, lig) for q in (False, True) for lig in (False, True)}
_FTFY_CHARS = {fold: _ftfy_chars(fold) for fold in (False, True)}
_FTFY_CHARS_RE2 = {fold: _re2_class(_ftfy_char_set(fold)) for fold in (False, True)}  # the same, for Arrow (no surrogates there)
# A value ftfy's mojibake heuristic (``ftfy.badness.is_bad``: a search of ``ftfy.badness.BADNESS_RE``) can fire on holds
# two non-ASCII characters in a row, or one of: a C1 control (U+0080-U+009F), Œ/œ, Â/Ã. Read off BADNESS_RE (ftfy
# 6.3.1): each of its alternatives needs two adjacent characters from classes of non-ASCII characters only, except
# ``[c1]``, ``[Œœ][^A-Za-z]``, ``[a-z]\s?[ÃÂ][ ]``, ``^[ÃÂ][ ]`` and ``[a-z.,?!...]Â[ ...]``, whose one non-ASCII
# character is listed. So a value this does not match is not bad, and ``is_bad`` is asked only of the others
# (``café``, ``naïve``, ``O’Keeffe`` are not asked; ``cafÃ©`` is). A test checks the reading against BADNESS_RE.
MAY_BE_BAD_RE = "[\\x{80}-\\x{9f}\\x{152}\\x{153}\\x{c2}\\x{c3}]|[^\\x{0}-\\x{7f}][^\\x{0}-\\x{7f}]"
_MAY_BE_BAD = re.compile("[\x80-\x9f\u0152\u0153\xc2\xc3]|[^\x00-\x7f][^\x00-\x7f]")
# A value of characters below U+0300 only is in NFC: none of them has a non-zero canonical combining class, none is
# changed by NFC alone, and none is the second character of a canonical composition (all of those are U+0300 or above),
# so nothing in such a value reorders or composes. A test checks it against Python's Unicode tables.
NFC_UNSAFE_RE = "[^\\x{0}-\\x{2ff}]"
_ASCII_CONTROL = re.compile("[^\t\n\x20-\x7e]")
# What each enabled ftfy fixer rewrites, to name the kind of a change (``_unicode_kinds``).
_LIGATURE_CHARS = re.compile("[" + "".join(re.escape(chr(c) if isinstance(c, int) else c) for c in ftfy.chardata.LIGATURES) + "]")
# The byte-order mark ftfy removes with the controls is named ``invisible_characters``, as the step after ftfy names
# it when ftfy is off (headwater.invisible): two values that differ by one read the same.
_CONTROL_CHARS = re.compile(
    "[" + "".join(re.escape(chr(c) if isinstance(c, int) else c) for c in ftfy.chardata.CONTROL_CHARS if c not in (0xFEFF, "\ufeff")) + "\x1b]"
)
_QUOTE_CHARS = re.compile("[" + "".join(sorted(_QUOTES)) + "]")
_BREAK_CHARS = re.compile("[\r\x85\u2028\u2029]")


def repair_unicode(value: str, fold_quotes: bool = False, fold_ligatures: bool = False, fold_width: bool = False) -> str:
    """``ftfy.fix_text`` with ``_ftfy_config(fold_quotes, fold_ligatures)`` (fullwidth letters and
    digits folded first when ``fold_width``), skipping the (slow) call when no ftfy fixer can apply.

    ftfy changes a string only through a character one of its enabled fixers rewrites
    (controls, odd line breaks, ligatures and curly quotes when folded), a non-NFC form, or
    mojibake, which it looks for only where its ``is_bad`` heuristic fires. Typographic quotes
    (``O’Keeffe``, ``“quoted”``) and character references are left as they are.
    """
    if value.isascii() and _ASCII_CONTROL.search(value) is None:
        return value  # printable ASCII: no enabled fixer applies
    if fold_width:
        value = value.translate(_WIDTH_FOLD)
    if (
        _FTFY_CHARS[fold_quotes].search(value) is None
        and unicodedata.is_normalized("NFC", value)
        and not _is_bad(value)
    ):
        return value
    return ftfy.fix_text(value, _FTFY_CONFIGS[fold_quotes, fold_ligatures])


def _is_bad(value: str) -> bool:
    """``ftfy.badness.is_bad(value)``, asked only where ``_MAY_BE_BAD`` finds the characters it needs."""
    return _MAY_BE_BAD.search(value) is not None and ftfy.badness.is_bad(value)


def _html(value: str, options: TextOptions, found: dict[str, set[str]] | None = None) -> str:
    """The per-value HTML step: markup stripped where the value is HTML, references decoded once; when ``found`` is
    given, a value whose conversion dropped words (``html_text_changes``) is added to its ``html_text_dropped`` set,
    one that lost a tag never closed to its ``html_unclosed_tag`` set."""
    if _HTML_COMPILED.search(value):
        text, lost, gone = html_text_changes(value, keep_links=options.urls == "keep" or options.urls == "mask")
        if found is not None:
            for kind, yes in (("html_text_dropped", lost), ("html_unclosed_tag", gone)):
                if yes:
                    found.setdefault(kind, set()).add(value)
        return text
    return value


# Controls that separate words (breaker13 F11/F12), which ftfy would remove (``vt\x0bhere`` -> ``vthere``: two words
# glued) or read as cp1252 (U+0085 NEL -> ``…``): turned, before ftfy, into what the whitespace stages make of them when
# ftfy is off (``_WS_STAGES``), so the two settings agree. VT (U+000B) and the information separators FS, GS, RS, US
# (U+001C-U+001F; Python's ``str.isspace``) become a space (reason ``whitespace``; runs of spaces are then tidied); NEL
# becomes a line break (``line_breaks``: Unicode's NEL, ISO 6429's next line; U+2028/U+2029 ftfy already makes "\n"),
# unless it follows a character that is a UTF-8 lead or continuation byte read as Latin-1 (U+0080-U+00BF,
# U+00C2-U+00F4): ``Ã\x85`` is ``Å`` mis-decoded, which ftfy repairs. FF (U+000C) is no ftfy control and never reaches
# it removed: the whitespace stage makes it a space.
_SEPARATOR_CONTROLS = str.maketrans({"\x0b": " ", "\x1c": " ", "\x1d": " ", "\x1e": " ", "\x1f": " "})
_NEL_BREAK = re.compile("(?<![\x80-\xbf\xc2-\xf4])\x85")


def _separators(value: str) -> str:
    """``value`` with its word-separating controls made a space or a line break (``_SEPARATOR_CONTROLS``, ``_NEL_BREAK``)."""
    value = value.translate(_SEPARATOR_CONTROLS)
    return _NEL_BREAK.sub("\n", value) if "\x85" in value else value


def _unicode(value: str, options: TextOptions) -> str:
    """The per-value ftfy step (word-separating controls made a space or a line break first: ``_separators``)."""
    if _FTFY_COMPILED.search(value):
        value = repair_unicode(_separators(value), options.fold_quotes, options.fold_ligatures, options.fold_width)
    return value


def _unicode_kinds(before: str, options: TextOptions) -> tuple[str, ...]:
    """What the ftfy step changed in ``before`` (a value it changed), as ``CHANGE_KINDS`` names.

    Read off the characters each enabled fixer rewrites; a change none of them explains, or a
    value ftfy's ``is_bad`` heuristic fires on, is ``mojibake`` (ftfy's ``fix_encoding``).
    """
    kinds = []
    if _NEL_BREAK.search(before):
        kinds.append("line_breaks")  # a NEL made "\n" (``_separators``)
    if before.translate(_SEPARATOR_CONTROLS) != before:
        kinds.append("whitespace")  # a VT or an information separator made a space
    before = _separators(before)
    if options.fold_width and before.translate(_WIDTH_FOLD) != before:
        kinds.append("width")
    if options.fold_ligatures and _LIGATURE_CHARS.search(before):
        kinds.append("ligatures")
    if options.fold_quotes and _QUOTE_CHARS.search(before):
        kinds.append("quotes")
    if _CONTROL_CHARS.search(before):
        kinds.append("control")
    if "\ufeff" in before:
        kinds.append("invisible_characters")
    if _BREAK_CHARS.search(before):
        kinds.append("line_breaks")
    if not unicodedata.is_normalized("NFC", before):
        kinds.append("nfc")
    if not kinds or _is_bad(before):
        kinds.append("mojibake")
    return tuple(kinds)


def normalize_text(value: str, options: TextOptions = DEFAULT_TEXT_OPTIONS) -> str:
    """Decode HTML (strip markup where the value is HTML), repair Unicode (ftfy), remove invisible format characters
    (headwater.invisible: before the masks, so ``ann\\u200b@x.org`` is an address), remove/mask URLs, e-mails and
    phones, tidy whitespace."""
    if options.strip_html:
        value = _html(value, options)
    if options.repair_unicode:
        value = _unicode(value, options)
    if options.whitespace:
        value = remove_invisible(value)
    for kind, action in options.sensitive_masks().items():
        value = mask_sensitive(value, kind, "" if action == "remove" else MASKS[kind], options.card_ids == "mask", "ibans" in options.sensitive_masks())
    for kind, action in options.pii_actions().items():
        value = replace_pii(value, kind, action, options.mask_field_values, options.phone_region)
    if options.whitespace:
        value = normalize_whitespace(value)
        for kind, action in options.sensitive_masks().items():  # as tidied (``_mask_sensitive``)
            value = mask_sensitive(value, kind, "" if action == "remove" else MASKS[kind], options.card_ids == "mask", "ibans" in options.sensitive_masks())
    return value


@dataclass
class NormalizedColumn:
    """A string column after ``normalize_column``: its values, and which of them changed and how.

    ``changed``: kind (``CHANGE_KINDS``) -> bool array, one per value, true where that kind of
    change altered the value; ``masked``: PII kind (urls, emails, phones) -> bool array, true
    where one was masked or removed. Only kinds that changed some value are present.
    """

    values: pa.Array
    changed: dict[str, np.ndarray]
    masked: dict[str, np.ndarray]


def _differs(before: pa.Array, after: pa.Array) -> np.ndarray:
    return pc.fill_null(pc.not_equal(before, after), False).to_numpy(zero_copy_only=False)


# Run the steps on the values some step may change only when they are at most this share of the column (else the
# filter and the scatter back cost more than they save).
_SUBSET_SHARE = 0.5


def _any_step_pattern(options: TextOptions) -> str | None:
    """One RE2 pattern that a value matches when a step of ``normalize_column`` under ``options``, phone masking
    aside (``_touched``), may change it; None when no such step is on.

    The union (each alternative in its own non-capturing group, so an inline ``(?i)`` stays inside
    it: RE2's ``(?flags)`` sets flags within the current group) of every step's own check: the HTML
    step's ``&`` or element start, ftfy's non-printable-ASCII check, the invisible characters
    (headwater.invisible.NEEDED), the URL and e-mail shapes, each whitespace stage's ``_WS_NEEDED``.
    """
    checks = []
    if options.strip_html:
        checks.append(HTML_STEP_RE)
    if options.repair_unicode:
        checks.append(_FTFY_NEEDED)
    checks += [_PII_PATTERNS[kind] for kind in options.pii_actions() if kind != "phones"]
    if options.whitespace:
        checks += [INVISIBLE_NEEDED] + [_WS_NEEDED[kind] for kind, _ in _WS_STAGES]
    return "|".join(f"(?:{check})" for check in checks) if checks else None


def _touched(arr: pa.Array, options: TextOptions) -> pa.Array:
    """Bool per value (never null): some step of ``normalize_column`` may change it.

    A value that no step's own check matches (``_any_step_pattern``; phone masking: ``phone_candidate_re`` and
    ``_PHONE_START`` both, as the step asks) is left alone by every step, since each step rewrites
    only the values its check matches, and so it matches none of the checks after them either.

    With phone masking on that is ``U | (P & S)`` (U the steps' union, P ``phone_candidate_re``, S ``_PHONE_START``),
    computed as ``(U | P) & (S | U)``, the same set: one RE2 pass of ``U|P`` and one of the cheap ``S``
    over every value, and ``U`` alone only over the few values ``U|P`` finds that ``S`` does not (a single
    word such as ``C-0114346``), not three full passes. ``_touched_by_parts`` is the three-pass reference.
    Unless ``mask_field_values``, a value that is one phone number (``_PII_WHOLE``: W) is no phone step's either,
    so the set is ``U | (P & S & ~W)``: of the values found, those W matches are touched only if U matches.
    """
    fields = [] if options.mask_field_values else [k for k in options.pii_actions() if k != "phones"]
    if not fields:
        return _touched_by_step_checks(arr, options)
    # Unless ``mask_field_values``, the URL and e-mail steps (K, in turn) change only a value their pattern E_K finds
    # that is not one whole address (``_PII_WHOLE``: W_K), so the set is ``U' | OR_K (E_K & ~W_K) | phones`` (U' the
    # other steps' checks). Every such value matches ``U|P`` (one pass); of those, a value no W_K matches is decided
    # by the checks above (there ``E_K & ~W_K`` is E_K), one that a W_K matches without K's own check and with
    # ``E_K & ~W_K``: so a column of addresses (a contact column) is found by no step, not run through them all.
    pattern = _any_step_pattern(options)
    phones = "phones" in options.pii_actions()
    either = f"(?:{pattern})|(?:{phone_candidate_re(options.phone_region)})" if phones else pattern
    found = pc.fill_null(pc.match_substring_regex(arr, either), False)
    if not pc.any(found).as_py():
        return found
    values = pc.filter(arr, found)
    whole = pc.fill_null(pc.match_substring_regex(values, "|".join(f"(?:{_PII_WHOLE[k]})" for k in fields)), False)
    if not pc.any(whole).as_py():
        return pc.replace_with_mask(found, found, _touched_by_step_checks(values, options, found_all=True))
    part = np.zeros(len(values), dtype=bool)
    rest = pc.invert(whole)
    if pc.any(rest).as_py():
        part[np.flatnonzero(rest.to_numpy(zero_copy_only=False))] = _touched_by_step_checks(pc.filter(values, rest), options, found_all=True).to_numpy(zero_copy_only=False)
    fielded = pc.filter(values, whole)
    again = _touched_by_step_checks(fielded, options.model_copy(update=dict.fromkeys(fields, "keep")))
    if len(fields) > 1:  # one field: W_K matched every value here, so E_K & ~W_K is false
        for k in fields:
            own = pc.and_(pc.match_substring_regex(fielded, _PII_PATTERNS[k]), pc.invert(pc.match_substring_regex(fielded, _PII_WHOLE[k])))
            again = pc.or_(again, pc.fill_null(own, False))
    part[np.flatnonzero(whole.to_numpy(zero_copy_only=False))] = again.to_numpy(zero_copy_only=False)
    return pc.replace_with_mask(found, found, pa.array(part))


def _touched_by_step_checks(arr: pa.Array, options: TextOptions, found_all: bool = False) -> pa.Array:
    """``_touched`` with each URL or e-mail step's whole pattern as its check (a whole address counted as touched);
    ``found_all``: every value of ``arr`` is known to match ``U|P`` (that pass is not run again)."""
    pattern = _any_step_pattern(options)
    if "phones" not in options.pii_actions():
        if found_all:
            return pa.array(np.ones(len(arr), dtype=bool))
        return pc.fill_null(pc.match_substring_regex(arr, pattern), False) if pattern else pa.array(np.zeros(len(arr), dtype=bool))
    phones = phone_candidate_re(options.phone_region)
    either = f"(?:{pattern})|(?:{phones})" if pattern else phones
    found = pa.array(np.ones(len(arr), dtype=bool)) if found_all else pc.fill_null(pc.match_substring_regex(arr, either), False)
    start = pc.fill_null(pc.match_substring_regex(arr, _PHONE_START), False)
    touched = pc.and_(found, start)
    if pattern:
        rest = pc.and_(found, pc.invert(start))  # found, but no number can start there: touched only if U matches
        if pc.any(rest).as_py():
            steps = pc.fill_null(pc.match_substring_regex(pc.filter(arr, rest), pattern), False)
            touched = pc.replace_with_mask(touched, rest, steps)
    if not options.mask_field_values and pc.any(touched).as_py():
        field = pc.fill_null(pc.match_substring_regex(pc.filter(arr, touched), _PII_WHOLE["phones"]), False)
        if pc.any(field).as_py():
            where = pc.replace_with_mask(touched, touched, field)  # touched and one whole number
            steps = pc.fill_null(pc.match_substring_regex(pc.filter(arr, where), pattern), False) if pattern else None
            touched = pc.replace_with_mask(touched, where, steps if steps is not None else pa.array(np.zeros(pc.sum(where).as_py(), dtype=bool)))
    return touched


def _touched_by_parts(arr: pa.Array, options: TextOptions) -> pa.Array:
    """``_touched`` as ``U | (P & S)``, each part a pass over every value (the reference a test compares with); unless
    ``mask_field_values``, ``U' | OR_K (E_K & ~W_K) | (P & S & ~W)`` (K: the URL and e-mail steps on)."""
    fields = [] if options.mask_field_values else [k for k in options.pii_actions() if k != "phones"]
    pattern = _any_step_pattern(options.model_copy(update=dict.fromkeys(fields, "keep")))
    touched = pc.fill_null(pc.match_substring_regex(arr, pattern), False) if pattern else pa.array(np.zeros(len(arr), dtype=bool))
    for k in fields:
        own = pc.and_(pc.match_substring_regex(arr, _PII_PATTERNS[k]), pc.invert(pc.match_substring_regex(arr, _PII_WHOLE[k])))
        touched = pc.or_(touched, pc.fill_null(own, False))
    if "phones" in options.pii_actions():
        phones = pc.and_(pc.match_substring_regex(arr, phone_candidate_re(options.phone_region)), pc.match_substring_regex(arr, _PHONE_START))
        if not options.mask_field_values:
            phones = pc.and_(phones, pc.invert(pc.match_substring_regex(arr, _PII_WHOLE["phones"])))
        touched = pc.or_(touched, pc.fill_null(phones, False))
    return touched


def normalize_column(array: pa.Array | pa.ChunkedArray, options: TextOptions = DEFAULT_TEXT_OPTIONS) -> NormalizedColumn:
    """``normalize_text`` over a string column (nulls stay null), with what changed per value and kind.

    A few RE2 passes (``_touched``) first find the values some step may change; when they are
    at most ``_SUBSET_SHARE`` of the column, the steps run on those values alone and the results
    are scattered back (the others come out as they went in, with no change recorded). Then each
    step's output is compared with its input as whole arrays (``pc.not_equal``), so finding
    the changed values costs one comparison per step; the per-value Python work is kept to the
    values a fast RE2 check flags (HTML, ftfy, phone numbers), and naming the kinds of an ftfy
    change (``_unicode_kinds``) to the values ftfy changed.

    A column that repeats its values (a city, a status, a name: at most ``_DISTINCT_SHARE`` of a sample of its first
    ``_DISTINCT_SAMPLE`` values distinct) is normalized once per distinct value (``_normalize_distinct``): every step
    is a function of the value alone, so the result is the same. So is a column of short values (at most
    ``_SHORT_BYTES`` bytes a value in the sample, on average) whose sample repeats some (at most ``_REPEAT_SHARE``
    distinct: dates over a few years, amounts), when the whole column is at most ``_DISTINCT_SHARE`` distinct: a
    sample of 2048 says little of a column of 100k values with 6k distinct ones (about 80 % of the sample is
    distinct), and hashing short values costs less than one regex pass over them.
    """
    arr = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.large_string())
    if len(arr) == 0:
        return NormalizedColumn(arr, {}, {})
    if len(arr) >= _DISTINCT_SAMPLE:
        sample = arr.slice(0, _DISTINCT_SAMPLE)
        seen = len(pc.unique(sample))
        if seen <= _DISTINCT_SAMPLE * _DISTINCT_SHARE or (
            seen <= _DISTINCT_SAMPLE * _REPEAT_SHARE and (pc.sum(pc.binary_length(sample)).as_py() or 0) <= _DISTINCT_SAMPLE * _SHORT_BYTES
        ):
            done = _normalize_distinct(arr, options)
            if done is not None:
                return done
    return _normalize_values(arr, options)


# A column is normalized once per distinct value when at most this share of a sample of its first values is distinct
# (and of the whole column: ``_normalize_distinct``); the sample's size. Either way the result is the same; this only
# chooses the cheaper path (a column of unique values, a note or an id, pays one hash of its sample, not of it all).
_DISTINCT_SHARE = 0.5
_DISTINCT_SAMPLE = 2048
# ... and the whole column is tried (a dictionary encode of it) when its sample's values are short (bytes, mean) and at
# most this share of them distinct (spnorm16: the bench's signup dates, 6k distinct in 100k rows, 80 % of the sample;
# a column of ids, e-mails or phone numbers has 93-100 % and is not hashed twice)
_REPEAT_SHARE = 0.9
_SHORT_BYTES = 64


def _normalize_distinct(arr: pa.Array, options: TextOptions) -> NormalizedColumn | None:
    """``_normalize_values`` over the distinct values of the non-empty string array ``arr`` (Arrow's
    ``dictionary_encode``: nulls stay null), taken back to every row; None when more than ``_DISTINCT_SHARE``
    of the values are distinct (the caller runs the plain path)."""
    encoded = pc.dictionary_encode(arr)
    if len(encoded.dictionary) > len(arr) * _DISTINCT_SHARE:
        return None
    distinct = encoded.dictionary.cast(arr.type)
    part = _normalize_values(distinct, options)
    if not part.changed and not part.masked and part.values.equals(distinct):
        return NormalizedColumn(arr, {}, {})
    indices = encoded.indices
    at = indices.fill_null(0).to_numpy(zero_copy_only=False)
    filled = indices.is_valid().to_numpy(zero_copy_only=False)

    def spread(flags: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {kind: where[at] & filled for kind, where in flags.items()}

    return NormalizedColumn(pc.take(part.values, indices), spread(part.changed), spread(part.masked))


def _normalize_values(arr: pa.Array, options: TextOptions) -> NormalizedColumn:
    """``normalize_column`` over the non-empty string array ``arr``, value by value (no distinct-value pass)."""
    touched = _touched(arr, options)
    if options.sensitive_masks():  # card numbers / IBANs: their pre-filters (headwater.clean.sensitive)
        either = "|".join(f"(?:{SENSITIVE_CANDIDATE_RE[k]})" for k in options.sensitive_masks())
        touched = pc.or_(touched, pc.fill_null(pc.match_substring_regex(arr, either), False))
    count = pc.sum(touched).as_py() or 0
    if count == 0:
        return NormalizedColumn(arr, {}, {})
    if count > len(arr) * _SUBSET_SHARE:
        return _normalize_steps(arr, options)
    part = _normalize_steps(pc.filter(arr, touched), options)
    at = np.flatnonzero(touched.to_numpy(zero_copy_only=False))

    def spread(flags: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        out = {}
        for kind, where in flags.items():
            out[kind] = np.zeros(len(arr), dtype=bool)
            out[kind][at] = where
        return out

    return NormalizedColumn(pc.replace_with_mask(arr, touched, part.values.cast(arr.type)), spread(part.changed), spread(part.masked))


def _unicode_candidates(arr: pa.Array, options: TextOptions) -> pa.Array:
    """Bool per value (null for null): the values the ftfy step (``_unicode``) may change, in one RE2 pass.

    ``repair_unicode`` leaves a value unchanged (without calling ftfy) when it holds no character an
    enabled fixer rewrites (``_FTFY_CHARS``), is in NFC and is not ``is_bad``; so without width folding
    a value that holds none of those characters (``_FTFY_CHARS_RE2``), no character at or above U+0300
    (``NFC_UNSAFE_RE``: below it a value is in NFC) and none of the characters ``is_bad`` needs
    (``MAY_BE_BAD_RE``) is left as it is, and only the others are handed to Python (``café``: no;
    ``cafÃ©``, ``“quoted”``, ``Ａ``: yes). With ``fold_width`` every value ``_FTFY_NEEDED`` finds is.
    """
    if options.fold_width:
        return pc.match_substring_regex(arr, _FTFY_NEEDED)
    checks = (_FTFY_CHARS_RE2[options.fold_quotes], NFC_UNSAFE_RE, MAY_BE_BAD_RE)
    return pc.match_substring_regex(arr, "|".join(f"(?:{check})" for check in checks))


def _normalize_steps(arr: pa.Array, options: TextOptions) -> NormalizedColumn:
    """Every step of ``normalize_column`` over every value of the non-empty string array ``arr``."""
    changed: dict[str, np.ndarray] = {}
    masked: dict[str, np.ndarray] = {}

    def note(into: dict[str, np.ndarray], kind: str, where: np.ndarray) -> None:
        if where.any():
            into[kind] = into[kind] | where if kind in into else where

    if options.strip_html:
        # a '&' or a '<' that opens an HTML element; other values come out of strip_html unchanged
        found: dict[str, set[str]] = {}
        after = _map_where(arr, pc.match_substring_regex(arr, HTML_STEP_RE), lambda v: _html(v, options, found))
        note(changed, "html", _differs(arr, after))
        # the values whose text lost words no markup held, or a tag never closed that may have been a placeholder
        for kind in ("html_text_dropped", "html_unclosed_tag"):
            if found.get(kind):
                lost = pc.is_in(arr, value_set=pa.array(sorted(found[kind]), type=arr.type))
                note(changed, kind, pc.fill_null(lost, False).to_numpy(zero_copy_only=False))
        arr = after
    if options.repair_unicode:
        after = _map_where(arr, _unicode_candidates(arr, options), lambda v: _unicode(v, options))
        where = _differs(arr, after)
        if where.any():
            at = np.flatnonzero(where)
            for i, before in zip(at, pc.take(arr, pa.array(at)).to_pylist()):
                for kind in _unicode_kinds(before, options):
                    changed.setdefault(kind, np.zeros(len(arr), dtype=bool))[i] = True
        arr = after
    if options.whitespace:
        # before the masks: 'ann\u200b@x.org' is an address, '\u200e+1 415 555 2671\u200f' one phone number (a field)
        after = _replace_where(arr, pc.fill_null(pc.match_substring_regex(arr, INVISIBLE_NEEDED), False), list(INVISIBLE_STEPS))
        note(changed, "invisible_characters", _differs(arr, after))
        arr = after
    arr = _mask_sensitive(arr, options, lambda kind, where: note(masked, kind, where))
    for kind, action in options.pii_actions().items():
        hits = pc.fill_null(pc.match_substring_regex(arr, phone_candidate_re(options.phone_region) if kind == "phones" else _PII_PATTERNS[kind]), False)
        if kind == "phones" and pc.any(hits).as_py():
            hits = pc.and_(hits, pc.match_substring_regex(arr, _PHONE_START))  # _PHONE_START: the rest hold no number
        if not options.mask_field_values and pc.any(hits).as_py():
            # a whole value that is one address is a contact field: asked of the values with a match only
            whole = pc.fill_null(pc.match_substring_regex(pc.filter(arr, hits), _PII_WHOLE[kind]), False)
            hits = pc.replace_with_mask(hits, hits, pc.invert(whole))
        token = "" if action == "remove" else MASKS[kind]
        if kind == "phones":
            # a value whose one number is all of it stays a contact field (``_whole_number``), as in ``replace_pii``
            after = _map_where(arr, hits, lambda v: replace_pii(v, "phones", action, options.mask_field_values, options.phone_region, candidate=True))
        elif kind == "emails":
            # RE2 finds the candidates; ``is_address`` (a file name, a git remote?) decides each match
            after = _map_where(arr, hits, lambda v: replace_pii(v, "emails", action, True))
        else:
            after = _replace_where(arr, hits, [(_PII_PATTERNS[kind], token.replace("\\", "\\\\"))])
        note(masked, kind, _differs(arr, after))
        arr = after
    if options.whitespace:
        arr = _whitespace_stages(arr, lambda kind, where: note(changed, kind, where))
        arr = _mask_sensitive(arr, options, lambda kind, where: note(masked, kind, where))  # '4111  1111 ...' tidied
    return NormalizedColumn(arr, changed, masked)


def _mask_sensitive(arr: pa.Array, options: TextOptions, note) -> pa.Array:  # type: ignore[no-untyped-def]
    """Card numbers and IBANs masked or removed as ``options`` asks (headwater.clean.sensitive.mask_sensitive) in the
    values their RE2 pre-filter finds; ``note(kind, where)`` gets the values changed. Run before the phone mask (a card
    number or IBAN is masked whole, never in part as a phone number) and again after the whitespace stages (a number
    written with two spaces between groups is one once tidied: what lands never holds one unmasked). A card number's
    layout inside an IBAN is masked as a card unless IBANs are masked too (``card_matches``' ``iban_wins``: breaker13
    F1, an IBAN kept as written must not keep a card number that lies in it)."""
    ibans = "ibans" in options.sensitive_masks()
    for kind, action in options.sensitive_masks().items():
        token = "" if action == "remove" else MASKS[kind]
        hits = pc.fill_null(pc.match_substring_regex(arr, SENSITIVE_CANDIDATE_RE[kind]), False)
        ids = options.card_ids == "mask"
        after = _map_where(arr, hits, lambda v, kind=kind, token=token, ids=ids: mask_sensitive(v, kind, token, ids, ibans))
        note(kind, _differs(arr, after))
        arr = after
    return arr


_WS_ANY = "|".join(f"(?:{_WS_NEEDED[kind]})" for kind, _ in _WS_STAGES)  # a value some whitespace stage may change


def _whitespace_stages(arr: pa.Array, note) -> pa.Array:  # type: ignore[no-untyped-def]
    """The whitespace stages (``_WS_STAGES``, in order) over the non-empty string array ``arr``; ``note(kind, where)``
    gets each stage's bool array (one per value of ``arr``: that stage changed it).

    A value that no stage's check (``_WS_NEEDED``) matches is changed by none of them (each stage
    rewrites only the values its check matches, so the next stage sees it unchanged), so when one
    RE2 pass (``_WS_ANY``) finds at most ``_SUBSET_SHARE`` of the values, the stages run on those
    alone and the results are scattered back: a long text column pays one pass, not one per stage.
    """
    hits = pc.fill_null(pc.match_substring_regex(arr, _WS_ANY), False)
    count = pc.sum(hits).as_py() or 0
    if count == 0:
        return arr
    subset = count <= len(arr) * _SUBSET_SHARE
    part = pc.filter(arr, hits) if subset else arr
    at = np.flatnonzero(hits.to_numpy(zero_copy_only=False)) if subset else None
    for kind, steps in _WS_STAGES:
        stage = pc.fill_null(pc.match_substring_regex(part, _WS_NEEDED[kind]), False)
        after = _replace_where(part, stage, list(steps))
        where = _differs(part, after)
        if at is not None:
            where, short = np.zeros(len(arr), dtype=bool), where
            where[at] = short
        note(kind, where)
        part = after
    return pc.replace_with_mask(arr, hits, part.cast(arr.type)) if subset else part


def normalize_array(array: pa.Array | pa.ChunkedArray, options: TextOptions = DEFAULT_TEXT_OPTIONS) -> pa.Array:
    """``normalize_text`` over a string column (nulls stay null): ``normalize_column(...).values``."""
    return normalize_column(array, options).values


def _map_where(arr: pa.Array, mask: pa.Array, fn) -> pa.Array:  # type: ignore[no-untyped-def]
    """Apply the Python function ``fn`` to the values where ``mask`` is true."""
    mask = pc.fill_null(mask, False)
    if not pc.any(mask).as_py():
        return arr
    values = pc.filter(arr, mask).to_pylist()
    done: dict[str, str] = {}  # columns such as city repeat a few values many times
    fixed = pa.array([done[v] if v in done else done.setdefault(v, fn(v)) for v in values], type=arr.type)
    return pc.replace_with_mask(arr, mask, fixed)


def _replace_where(arr: pa.Array, mask: pa.Array, steps: list[tuple[str, str]], trim: bool = False) -> pa.Array:
    """Run RE2 substitutions (and an optional trim) on the values where ``mask`` is true."""
    if not pc.any(mask).as_py():
        return arr
    subset = pc.filter(arr, mask)
    for pattern, repl in steps:
        subset = pc.replace_substring_regex(subset, pattern=pattern, replacement=repl)
    if trim:
        subset = pc.utf8_trim(subset, characters=" \n")
    return pc.replace_with_mask(arr, mask, subset.cast(arr.type))


def is_na(value: str) -> bool:
    """True for the usual spellings of a missing value (headwater.config.types.NA_SPELLINGS: as written, after trimming)."""
    return value.strip() in NA_SPELLINGS


_WS_COMPILED = tuple((kind, tuple((re.compile(p), r) for p, r in steps)) for kind, steps in _WS_STAGES)
_PII_COMPILED = {k: re.compile(p) for k, p in _PII_PATTERNS.items()}
# Python only: an address never starts right after a letter, digit or '_', nor after one and a '.'
# (a local part starting at that letter would be valid too, so RE2's leftmost match starts there
# already), so saying so changes no match and spares Python's backtracking one attempt per
# character of a long word ('aaaa...@', 'a.a.a...@': quadratic without it).
_PII_COMPILED["emails"] = re.compile("(?<![A-Za-z0-9_])(?<![A-Za-z0-9_][.])" + EMAIL_RE)
# A label that makes the number after it another identifier, not a phone number.
_PHONE_LABEL = re.compile(
    r"(?i)(?:\b(?:order|invoice|serial|sku|isbn|issn|ean|upc|ref|reference|account|acct|tracking|ticket|case|part|model"
    r"|version|build|batch|lot|po|id)\b|#)[\s:#.-]*(?:no\.?|nr\.?|number|#)?[\s:#.-]*$"
)
# A decimal fraction right after a number (breaker7 #19): '.' and one or two digits, then the end of the value, a space or
# punctuation, never a letter or a third digit ('2671.50 USD', '2671.5.' are amounts; '2671.5pm', '2671.2nd' a full stop
# typed without its space). Only a number with no brackets and no '+' can be an amount (``phone_spans``).
_AMOUNT_FRACTION = re.compile(r"\.[0-9]{1,2}(?![^\W_])(?![0-9])")
# Words that say a phone number is meant (breaker7 #9): a run of bare digits (no separator, no '+', no brackets:
# '2147483648 bytes', 'Paid 4155552671 USD', 'user_id: 4155552671') is a phone number only with one of these at most
# three words before it, or two words after it. English (call, phone, ph, tel, mobile, cell, fax, SMS, text me, ring,
# contact), WhatsApp, French (tél, téléphone, portable), German (Telefon, Handy), Spanish (teléfono, móvil, celular),
# Arabic (اتصل call, هاتف phone, جوال mobile), and the telephone signs U+260E, U+260F, U+1F4DE, U+1F4F1.
_CUE_WORDS = (
    r"(?:\b(?:call(?:ed|ing)?|phone|ph|t[ée]l|mobile?|mob|cell|fax|whatsapp|sms|text\s+me|ring|contact|t[ée]l[ée]phone"
    r"|portable|telefon|handy|tel[ée]fono|m[óo]vil|celular|اتصل|هاتف|جوال)\b|[\u260e\u260f\U0001f4de\U0001f4f1])"
)
_PHONE_CUE = re.compile(r"(?i)" + _CUE_WORDS + r"[^\w\n]*(?:\w+[^\w\n]+){0,3}$")
_PHONE_CUE_AFTER = re.compile(r"(?i)^[^\w\n]*(?:\w+[^\w\n]+){0,2}" + _CUE_WORDS)
_PII_WHOLE_COMPILED = {k: re.compile(p) for k, p in _PII_WHOLE.items()}
_FTFY_COMPILED = re.compile(_FTFY_NEEDED)
_HTML_COMPILED = re.compile("[<&]")
_HTML_CANDIDATE = re.compile(HTML_CANDIDATE_RE)


# Free-text length and words, by script (RE2 patterns, run by Arrow over a whole batch).
# Whitespace as Python's str.split() sees it (str.isspace), so plain text counts as before.
SPLIT_SPACE = "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Scripts written without spaces between words. Han and kana: a character is about a word (a
# Chinese word averages under two characters; the embedding model's WordPiece gives each Han
# character a token of its own). Thai, Lao, Khmer, Myanmar: alphabets, about four code points a word.
_CHARACTER_WORDS = "\\p{Han}\\p{Hiragana}\\p{Katakana}\u30fc"
_SYLLABIC = "\\p{Thai}\\p{Lao}\\p{Khmer}\\p{Myanmar}"
_CJK_PUNCTUATION = "\u3000-\u3004\u3006-\u303f\u30fb\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_SPACED_WORD_RE = "[^" + SPLIT_SPACE + _CHARACTER_WORDS + _SYLLABIC + _CJK_PUNCTUATION + "]+"
_CHARACTER_WORD_RE = "[" + _CHARACTER_WORDS + "]"
_SYLLABIC_WORD_RE = "[" + _SYLLABIC + "]{1,4}"  # non-overlapping: ceil(run / 4) matches per run
# East Asian Wide letters (UAX #11): one such character holds what two or three Latin letters do.
_WIDE_RE = "[\\p{Han}\\p{Hiragana}\\p{Katakana}\\p{Hangul}\u30fc]"


def _count(arr: pa.Array, pattern: str) -> int:
    return int(pc.sum(pc.count_substring_regex(arr, pattern)).as_py() or 0)


@dataclass
class TextStats:
    """Running totals of one column's non-missing values, for the free-text rule over a column read in batches.

    ``add`` each batch of the column in turn; ``free_text(rule)`` then decides exactly as
    ``looks_like_free_text`` on the whole column would: the means are integer totals divided
    by the count (exact below 2**53 characters, as pandas' float64 mean of the lengths is).

    Counted by script, so Chinese, Japanese and Thai prose is free text like English:

    * characters: code points, with Han, kana and Hangul (East Asian Wide, UAX #11) counting two;
    * words: whitespace-separated words (``str.split``) of text in spaced scripts, plus one word
      per Han or kana character and one per (started) four Thai, Lao, Khmer or Myanmar code
      points; CJK punctuation (``，。「」``) separates words like a space.

    Plain ASCII text counts exactly as ``len`` and ``str.split`` do.
    """

    values: int = 0  # non-missing values seen
    chars: int = 0  # their characters, wide ones twice, summed
    words: int = 0  # their words, summed

    def add(self, series: pd.Series) -> TextStats:
        """Add a batch of the column (any dtype: values are compared as their ``str``)."""
        values = series.dropna().astype(str)
        if not values.empty:
            arr = pa.array(values.tolist(), pa.large_string())
            self.values += len(arr)
            self.chars += int(pc.sum(pc.utf8_length(arr)).as_py()) + _count(arr, _WIDE_RE)
            self.words += _count(arr, _SPACED_WORD_RE) + _count(arr, _CHARACTER_WORD_RE) + _count(arr, _SYLLABIC_WORD_RE)
        return self

    def free_text(self, rule: TextColumnRule = TextColumnRule()) -> bool:
        """True when the values seen are long and wordy on average (``rule``); False when there were none."""
        if not self.values:
            return False
        return self.chars / self.values >= rule.min_mean_chars and self.words / self.values >= rule.min_mean_words


def looks_like_free_text(series: pd.Series, rule: TextColumnRule = TextColumnRule()) -> bool:
    """True when a column's values are long and wordy on average (``rule``): free text, not a field.

    Free text is chunked and embedded (headwater.chunk) and never imputed (headwater.clean.steps.impute).
    A column read in batches is judged the same way with ``TextStats``.
    """
    return TextStats().add(series).free_text(rule)


def detect_text_columns(df: pd.DataFrame, rule: TextColumnRule = TextColumnRule()) -> list[str]:
    """The value columns of ``df`` that look like free text, in table order (bookkeeping ``_`` columns and the
    derived ``<col>__raw``/``__reason``/``__imputed`` of headwater.clean.steps.base left out)."""
    return [col for col in df.columns if not col.startswith("_") and not col.endswith(_DERIVED) and looks_like_free_text(df[col], rule)]


_DERIVED = ("__raw", "__reason", "__imputed")  # headwater.clean.steps.base.DERIVED_SUFFIXES (a layer above this module)


# ------------------------------------------------------------------ columns at once (wide files)
#
# A step that does a few string operations per column costs ~0.1 ms of pandas/Arrow call overhead per operation
# and column, whatever the column's length: on a file of thousands of short columns that overhead is the whole
# cost. These helpers put every column's values in one Arrow array (each value's column number kept apart), so
# that each operation runs once over all columns and the per-column answers are counted with NumPy
# (headwater.clean.steps.null_spellings, headwater.clean.steps.normalize_text).


# Most values one stack holds: a column at least this long goes alone (its own calls cost it < 1 %), shorter ones
# are stacked up to it. It bounds the extra memory of a stack (a copy of its values and the step's arrays over
# them) and keeps a long column's own decisions (normalize_column's subset-or-all choice) its own.
STACK_VALUES = 65_536


def stack_groups(lengths: list[int], limit: int = STACK_VALUES) -> list[list[int]]:
    """The positions ``0..len(lengths)-1`` cut, in order, into runs whose ``lengths`` add up to at most ``limit``
    (a length of ``limit`` or more makes a run of its own): the columns ``stack_strings`` stacks together."""
    groups: list[list[int]] = []
    total = limit + 1
    for i, n in enumerate(lengths):
        if total + n > limit:
            groups.append([])
            total = 0
        groups[-1].append(i)
        total += n
    return groups


def stack_strings(arrays: list[pa.Array | pa.ChunkedArray]) -> tuple[pa.Array, np.ndarray]:
    """(``arrays``' values one after the other as one ``large_string`` Arrow array; ``offsets``: int64, one more than
    ``arrays``, array k's values at ``[offsets[k], offsets[k + 1])``).

    Each array is cast to ``large_string`` (``pyarrow.compute.cast``: a string array as is, numbers as Arrow spells
    them); nulls stay null. An empty list gives an empty array and ``offsets == [0]``.
    """
    chunks: list[pa.Array] = []
    for a in arrays:
        parts = a.chunks if isinstance(a, pa.ChunkedArray) else [a]
        chunks += [p if pa.types.is_large_string(p.type) else pc.cast(p, pa.large_string()) for p in parts]
    offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
    np.cumsum([len(a) for a in arrays], out=offsets[1:])
    if not chunks:
        return pa.array([], type=pa.large_string()), offsets
    if len(chunks) == 1:
        return chunks[0], offsets  # one column in one chunk (a long column goes alone): no copy
    return pa.chunked_array(chunks, type=pa.large_string()).combine_chunks(), offsets


def column_codes(offsets: np.ndarray) -> np.ndarray:
    """The column number (int64) of each value of a ``stack_strings`` stack, from its ``offsets``."""
    return np.repeat(np.arange(len(offsets) - 1, dtype=np.int64), np.diff(offsets))


def string_series(array: pa.Array, index: pd.Index | None = None) -> pd.Series:
    """``array`` (Arrow strings) as a pandas ``string`` Series (Arrow-backed, ``pd.NA`` for nulls), as
    ``Series.astype("string")`` gives one; ``index``: the Series' index (default: a fresh RangeIndex)."""
    out = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([array.cast(pa.large_string())])), index=index)
    return out if out.dtype == pd.StringDtype() else out.astype("string")


def counts_by_code(values: pa.Array, codes: np.ndarray) -> dict[int, dict[str, int]]:
    """How often each value of ``values`` (Arrow strings, no nulls) occurs per code (``codes``: int64, one per value):
    code -> value -> count, codes ascending, values in order of first occurrence within the code.

    Equal to ``pd.Series(values[codes == k]).value_counts().to_dict()`` for each code k, up to the order of the
    keys (a Counter updated from either holds the same counts).
    """
    if not len(values):
        return {}
    encoded = pc.dictionary_encode(values)  # Arrow's hash kernel: the dictionary in order of first occurrence
    uniques = encoded.dictionary.to_pylist()
    key = codes.astype(np.int64) * len(uniques) + encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    pairs, first, counts = np.unique(key, return_index=True, return_counts=True)
    order = np.lexsort((first, pairs // len(uniques)))
    out: dict[int, dict[str, int]] = {}
    for pair, count in zip(pairs[order].tolist(), counts[order].tolist()):
        out.setdefault(pair // len(uniques), {})[uniques[pair % len(uniques)]] = count
    return out
