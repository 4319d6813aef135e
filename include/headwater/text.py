"""Text normalization for free-text values: repair, strip markup, tidy whitespace."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import ftfy

_TAG_HINT = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|&[a-zA-Z]+;|&#\d+;")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article"}

NA_SPELLINGS = frozenset({"", "na", "n/a", "nan", "null", "none", "nil", "-", "--", "?", "#n/a"})


class _TextExtractor(HTMLParser):
    """Collects text, turning block elements into line breaks and dropping script/style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "a":
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


def strip_html(value: str) -> str:
    """Remove HTML tags (keeping link URLs and paragraph breaks); plain text passes through unchanged."""
    if not _TAG_HINT.search(value):
        return value
    parser = _TextExtractor()
    parser.feed(value)
    parser.close()
    return html.unescape("".join(parser.parts))


def normalize_whitespace(value: str) -> str:
    """Collapse runs of spaces, keep single line breaks between paragraphs, trim."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", ln).strip() for ln in value.split("\n")]
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip()


def normalize_text(value: str) -> str:
    """Repair mojibake (ftfy), strip markup, tidy whitespace."""
    return normalize_whitespace(strip_html(ftfy.fix_text(value)))


def is_na(value: str) -> bool:
    """True for the usual spellings of a missing value (case-insensitive, after trimming)."""
    return value.strip().lower() in NA_SPELLINGS
