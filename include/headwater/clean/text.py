"""Text normalization for free-text values: repair, strip markup, mask contact details, tidy whitespace.

Two entry points give identical results (a test checks it on tricky strings):

* ``normalize_text(value, options)`` — one Python string;
* ``normalize_array(array, options)`` — a whole pyarrow string column, for the clean stage.

The column version is fast because most values need nothing: a value whose characters are all
printable ASCII without ``&`` or ``<`` cannot change under ftfy or the HTML parser, so only the
others are sent to them, and the regex steps run in Arrow's RE2 kernels on the rows that match.
The regexes are written in the common subset of Python ``re`` and RE2 (explicit character
classes, no lookaround, no ``\\s``/``\\d``) so both engines agree.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

import ftfy
import ftfy.badness
import ftfy.chardata
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from headwater.config.text import MASKS, TextColumnRule, TextOptions
from headwater.config.types import NA_SPELLINGS


# Horizontal whitespace: ASCII tab/VT/FF, the C0 separators Python calls whitespace, NEL, NBSP,
# the Unicode space separators, zero-width space and BOM. Line breaks are handled separately.
_HSPACE = "\t\x0b\x0c\x1c-\x1f \x85\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
_NOT_URL = _HSPACE + "\n\r<>\"'\\[\\]"

URL_RE = "(?i)(?:https?://|www\\.)[^" + _NOT_URL + "]*[^" + _NOT_URL + ".,;:!?)}]"
EMAIL_RE = "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}"
_PHONE_CORE = (
    "(?:\\+?1[ .-]?)?(?:\\([0-9]{3}\\)|[0-9]{3})[ .-]?[0-9]{3}[ .-][0-9]{4}"  # North American
    "|\\+[1-9][0-9]{0,2}(?:[ .-]?[0-9]{2,4}){2,5}"  # international, written with a leading +
)
# RE2 has no lookaround, so the boundaries are consumed as groups 1 and 3 and written back.
PHONE_RE = "(^|[^0-9A-Za-z+])(" + _PHONE_CORE + ")([^0-9]|$)"
_PII_PATTERNS = {"urls": URL_RE, "emails": EMAIL_RE, "phones": PHONE_RE}
_PII_WHOLE = {
    "urls": "(?i)^[" + _HSPACE + "\n\r]*(?:" + URL_RE.removeprefix("(?i)") + ")[" + _HSPACE + "\n\r]*$",
    "emails": "^[" + _HSPACE + "\n\r]*(?:" + EMAIL_RE + ")[" + _HSPACE + "\n\r]*$",
    "phones": "^[" + _HSPACE + "\n\r]*(?:" + _PHONE_CORE + ")[" + _HSPACE + "\n\r]*$",
}

# Whitespace normalization, as a sequence of (pattern, replacement) shared by both engines.
_WS_STEPS = (
    ("\r\n|\r", "\n"),
    ("[" + _HSPACE + "]+", " "),
    (" ?\n ?", "\n"),
    ("\n\n+", "\n"),
)
_WS_NEEDED = "[^\x20-\x7e]|  |^ | $"  # anything but single spaces between printable ASCII
_FTFY_NEEDED = "[^\t\n\x20-\x7e]|&"  # ftfy leaves printable ASCII (plus tab/LF) without '&' alone
_HTML_NEEDED = "[<&]"

_TAG_HINT = re.compile(r"<[ \t\n\r\f\v]*/?[ \t\n\r\f\v]*[a-zA-Z][^>]*>|&[a-zA-Z]+;|&#[0-9]+;")
_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article"}


DEFAULT_TEXT_OPTIONS = TextOptions()


class _TextExtractor(HTMLParser):
    """Collects text, turning block elements into line breaks and dropping script/style."""

    def __init__(self, keep_links: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._href: str | None = None
        self._keep_links = keep_links

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "a" and self._keep_links:
            href = dict(attrs).get("href")
            if href and href.startswith(("http://", "https://")):
                self._href = href

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "a" and self._href:
            # Keep link targets: a URL is information, the tag around it is not.
            self.parts.append(f" ({self._href})")
            self._href = None

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


_SIMPLE_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:[ \t\n\r\f]+[^<>\"'=]*(?:=[^<>\"'&]*)?)*[ \t\n\r\f]*/?>")
_SLOW_TAGS = {"a", "script", "style"}


def _strip_simple_html(value: str) -> str | None:
    """The HTML parser's result for markup made only of plain tags (no links, scripts, comments,
    quoted attributes or stray '<'), computed with one regex; None when the markup is not that simple."""
    parts: list[str] = []
    pos = 0
    for m in _SIMPLE_TAG.finditer(value):
        if "<" in value[pos : m.start()] or m.group(2).lower() in _SLOW_TAGS:
            return None
        parts.append(html.unescape(value[pos : m.start()]))
        if m.group(2).lower() in _BLOCK_TAGS:
            # <p/> reaches the parser as a start tag plus an end tag: two breaks.
            parts.append("\n\n" if not m.group(1) and m.group(0).endswith("/>") else "\n")
        pos = m.end()
    if "<" in value[pos:]:
        return None
    parts.append(html.unescape(value[pos:]))
    return html.unescape("".join(parts))


def strip_html(value: str, keep_links: bool = True) -> str:
    """Remove HTML tags (keeping link URLs and paragraph breaks); plain text passes through unchanged."""
    if not _TAG_HINT.search(value):
        return value
    simple = _strip_simple_html(value)
    if simple is not None:
        return simple
    parser = _TextExtractor(keep_links)
    parser.feed(value)
    parser.close()
    return html.unescape("".join(parser.parts))


def normalize_whitespace(value: str) -> str:
    """Collapse runs of spaces, keep single line breaks between paragraphs, trim."""
    for pattern, repl in _WS_COMPILED:
        value = pattern.sub(repl, value)
    return value.strip(" \n")


def replace_pii(value: str, kind: str, action: str, whole_values_too: bool = False) -> str:
    """Remove or mask every ``kind`` (urls, emails, phones) in ``value``.

    A value that is nothing but one address is a contact field, left alone unless ``whole_values_too``.
    """
    if action == "keep" or (not whole_values_too and _PII_WHOLE_COMPILED[kind].search(value)):
        return value
    token = "" if action == "remove" else MASKS[kind]
    pattern = _PII_COMPILED[kind]
    if kind == "phones":
        # Twice: a boundary character consumed by one match cannot start the next one.
        for _ in range(2):
            value = pattern.sub(lambda m: m.group(1) + token + m.group(3), value)
        return value
    return pattern.sub(token, value)


def _ftfy_chars() -> re.Pattern[str]:
    """Characters some ftfy fixer rewrites, read from ftfy's own tables so the check follows ftfy."""
    chars = set(ftfy.chardata.LIGATURES) | set(ftfy.chardata.WIDTH_MAP) | set(ftfy.chardata.CONTROL_CHARS)
    chars = {chr(c) if isinstance(c, int) else c for c in chars}
    chars |= {chr(c) for c in range(0x80, 0xA0)} | {"\x1b", "\r", "\u2028", "\u2029", "\u02bc", "&"}
    chars |= {chr(c) for c in range(0x2018, 0x2020)}
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "\ud800-\udfff]")


_FTFY_CHARS = _ftfy_chars()
_ASCII_CONTROL = re.compile("[^\t\n\x20-\x7e]")


def repair_unicode(value: str) -> str:
    """``ftfy.fix_text(value)``, skipping the (slow) call when no ftfy fixer can apply.

    ftfy changes a string only through a character one of its fixers rewrites (entities,
    ligatures, full-width forms, curly quotes, controls, odd line breaks), a non-NFC form,
    or mojibake, which it looks for only where its ``is_bad`` heuristic fires.
    """
    if value.isascii() and _ASCII_CONTROL.search(value) is None:
        # Printable ASCII: only HTML unescaping could apply, and ftfy skips it on a line holding a '<'.
        if all("<" in line for line in value.split("\n") if "&" in line):
            return value
        return ftfy.fix_text(value)
    if (
        _FTFY_CHARS.search(value) is None
        and unicodedata.is_normalized("NFC", value)
        and not ftfy.badness.is_bad(value)
    ):
        return value
    return ftfy.fix_text(value)


def _repair(value: str, options: TextOptions) -> str:
    """The per-value Python steps: ftfy, then HTML (ftfy may unescape entities into tags)."""
    if options.repair_unicode and _FTFY_COMPILED.search(value):
        value = repair_unicode(value)
    if options.strip_html and _HTML_COMPILED.search(value):
        value = strip_html(value, keep_links=options.urls == "keep" or options.urls == "mask")
    return value


def normalize_text(value: str, options: TextOptions = DEFAULT_TEXT_OPTIONS) -> str:
    """Repair mojibake (ftfy), strip markup, remove/mask URLs, e-mails and phones, tidy whitespace."""
    value = _repair(value, options)
    for kind, action in options.pii_actions().items():
        value = replace_pii(value, kind, action, options.mask_field_values)
    if options.whitespace:
        value = normalize_whitespace(value)
    return value


def normalize_array(array: pa.Array | pa.ChunkedArray, options: TextOptions = DEFAULT_TEXT_OPTIONS) -> pa.Array:
    """``normalize_text`` over a string column (nulls stay null), with the per-value Python work kept to the values that need it."""
    arr = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.large_string())
    if len(arr) == 0:
        return arr
    if options.repair_unicode or options.strip_html:
        needs = _FTFY_NEEDED if options.repair_unicode else _HTML_NEEDED
        if options.strip_html:
            needs = f"{needs}|<"
        arr = _map_where(arr, pc.match_substring_regex(arr, needs), lambda v: _repair(v, options))
    for kind, action in options.pii_actions().items():
        hits = pc.fill_null(pc.match_substring_regex(arr, _PII_PATTERNS[kind]), False)
        if not options.mask_field_values:
            hits = pc.and_(hits, pc.invert(pc.fill_null(pc.match_substring_regex(arr, _PII_WHOLE[kind]), False)))
        token = "" if action == "remove" else MASKS[kind]
        if kind == "phones":
            repl = "\\1" + token + "\\3"
            arr = _replace_where(arr, hits, [(PHONE_RE, repl), (PHONE_RE, repl)])
        else:
            arr = _replace_where(arr, hits, [(_PII_PATTERNS[kind], token.replace("\\", "\\\\"))])
    if options.whitespace:
        hits = pc.fill_null(pc.match_substring_regex(arr, _WS_NEEDED), False)
        arr = _replace_where(arr, hits, list(_WS_STEPS), trim=True)
    return arr


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
    """True for the usual spellings of a missing value (case-insensitive, after trimming)."""
    return value.strip().lower() in NA_SPELLINGS


_WS_COMPILED = tuple((re.compile(p), r) for p, r in _WS_STEPS)
_PII_COMPILED = {k: re.compile(p) for k, p in _PII_PATTERNS.items()}
_PII_WHOLE_COMPILED = {k: re.compile(p) for k, p in _PII_WHOLE.items()}
_FTFY_COMPILED = re.compile(_FTFY_NEEDED)
_HTML_COMPILED = re.compile(_HTML_NEEDED)


@dataclass
class TextStats:
    """Running totals of one column's non-missing values, for the free-text rule over a column read in batches.

    ``add`` each batch of the column in turn; ``free_text(rule)`` then decides exactly as
    ``looks_like_free_text`` on the whole column would: the means are integer totals divided
    by the count (exact below 2**53 characters, as pandas' float64 mean of the lengths is).
    """

    values: int = 0  # non-missing values seen
    chars: int = 0  # their characters (str.len), summed
    words: int = 0  # their whitespace-separated words (str.split), summed

    def add(self, series: pd.Series) -> TextStats:
        """Add a batch of the column (any dtype: values are compared as their ``str``)."""
        values = series.dropna().astype(str)
        if not values.empty:
            self.values += len(values)
            self.chars += int(values.str.len().sum())
            self.words += int(values.str.split().str.len().sum())
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
    """The data columns of ``df`` that look like free text, in table order."""
    return [col for col in df.columns if not col.startswith("_") and looks_like_free_text(df[col], rule)]
