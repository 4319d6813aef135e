"""Before parsing: is this a text file at all, in which encoding, with which delimiter?

Everything here looks at the first bytes (``HEAD_BYTES``; decompressed first when the file is
compressed, see streams.LandingStream), so a binary or HTML payload is quarantined with a reason
before any row is read, and the encoding is decided without a pass over the whole file: the parse
decodes strictly and proves it (see csv_file.CsvFile).
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

import charset_normalizer

from headwater.config.read import DELIMITERS
from headwater.ingest.streams import EBCDIC_NEL, UnreadableFile

SNIFF_BYTES = 64 * 1024  # characters that decide the delimiter; bytes checked for control characters
# below this read.max_nul_share, a quarter of a tiny head in control bytes is binary too (check_not_binary)
TINY_CONTROL_SHARE = 0.25
HEAD_BYTES = SNIFF_BYTES * 4  # the first bytes of a file, which decide its encoding

# Magic numbers of formats that are sometimes dropped with a .csv name. gzip, zip, bzip2, zstd and xz are
# decompressed by LandingStream first: they are seen here only when compressed twice.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip (or xlsx/docx)"),
    (b"PK\x05\x06", "zip (empty)"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\x04\x22\x4d\x18", "lz4"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 (legacy .xls/.doc)"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"PAR1", "parquet"),
    (b"ORC", "ORC"),
    (b"Obj\x01", "Avro"),
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"\x7fELF", "ELF executable"),
)
_HTML_STARTS = (b"<!doctype html", b"<html")
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)  # FF FE 00 00, 00 00 FE FF


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when the bytes look like BOM-less UTF-16 text (every other byte NUL), else None."""
    head = data[: min(len(data), 4096) // 2 * 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zeros_odd > 0.4 and zeros_even < 0.05:
        return "utf-16-le"
    if zeros_even > 0.4 and zeros_odd < 0.05:
        return "utf-16-be"
    return None


def detect_encoding(data: bytes) -> str:
    """The encoding CsvFile ends up reading ``data`` with (head_encoding, then fallback_encoding if UTF-8 fails later, cp949 if euc-kr does)."""
    head = data[:HEAD_BYTES]
    encoding, provisional = head_encoding(head, complete=len(data) <= HEAD_BYTES)
    if provisional and not utf8_line_counts(head)[0]:  # a head with valid non-ASCII UTF-8 keeps UTF-8 (bad lines aside)
        try:
            codecs.decode(data, "utf-8")
        except UnicodeDecodeError:
            return fallback_encoding(head)
    if encoding == "euc-kr" and len(data) > HEAD_BYTES:  # a syllable past the head that only cp949 encodes (CsvFile reads again)
        try:
            codecs.decode(data, "euc-kr")
        except UnicodeDecodeError:
            return "cp949"
    return encoding


def check_not_binary(data: bytes, max_control_share: float = 0.05) -> None:
    """Reject compressed, binary, HTML, JSON, XML or Markdown (other_format) payloads before trying to parse them (an empty file is not one: it has no rows)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise UnreadableFile(f"{kind} data with a CSV name — file quarantined; decompress/convert it and drop it again")
    if data[:512].lstrip().lower().startswith(_HTML_STARTS):
        raise UnreadableFile("an HTML page with a CSV name (an error page saved by the exporter?) — file quarantined; export the CSV again")
    kind = other_format(data)
    if kind:
        raise UnreadableFile(f"{kind} content with a CSV name, not a CSV table — file quarantined; export it as CSV and drop it again")
    head = data[:SNIFF_BYTES]
    if head.startswith((*_UTF32_BOMS, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or utf16_without_bom(head):
        return
    controls = sum(1 for b in head if b < 9 or 13 < b < 32) - (len(data) <= len(head) and head.endswith(b"\x1a"))
    # a few stray NULs are repairable; many mean binary (EBCDIC's line end NL is 0x15: text, see ebcdic). A tiny file never
    # holds 16: there a quarter of its bytes or more decides (16 bytes 0x00-0x0f; DOS's Ctrl-Z ending the file not counted),
    # unless read.max_nul_share was raised to a quarter or more: then that share alone decides
    tiny_rule = max_control_share < TINY_CONTROL_SHARE
    if controls and (controls > max(16, len(head) * max_control_share) or (tiny_rule and 4 * controls >= len(head))) and not ebcdic(head):
        # the share that would let it through (fields padded with NULs by a C or mainframe writer are text)
        needed = max(math.ceil(100 * controls / len(head)) / 100, TINY_CONTROL_SHARE if 4 * controls >= len(head) else 0.0)
        raise UnreadableFile(
            f"{controls} control bytes in the first {len(head)} bytes: binary, not CSV — file quarantined; if it is text "
            f"(e.g. fields padded with NUL bytes), set read.max_nul_share to {needed:g} or more for its source "
            f"(now {max_control_share:g})"
        )


def sniff_delimiter(sample: str) -> str:
    """The candidate delimiter whose split gives the most consistent field count (>1) over the sample.

    When no candidate splits most lines (a table of two records under a longer block of one-value footer lines:
    Salesforce's ``Generated By:`` ... ``Copyright`` lines, breaker9 #1), each block of two lines or more between blank
    lines is scored alone and the best split of one of them decides (the table finding then checks that the other
    blocks are short lines: headwater.ingest.table._core_width).
    """
    all_lines = sample.splitlines()[:200]
    lines = [ln for ln in all_lines if ln.strip()][:50]
    if not lines:
        return ","
    best, best_score = _best_split(lines)
    if best_score[1] >= 2:
        return best
    blocks: list[list[str]] = [[]]
    for ln in all_lines:
        if ln.strip():
            blocks[-1].append(ln)
        elif blocks[-1]:
            blocks.append([])
    for block in blocks:
        if len(block) >= 2:
            cand, score = _best_split(block[:50])
            if score > best_score:
                best, best_score = cand, score
    return best


def _best_split(lines: list[str]) -> tuple[str, tuple[float, int]]:
    """(candidate delimiter, (share of ``lines`` with the commonest field count, that count)) of the most consistent
    split of ``lines`` into two fields or more; (",", (-1.0, 0)) when no candidate splits most of them."""
    best, best_score = ",", (-1.0, 0)
    for cand in DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=cand)]
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = (counts.count(mode) / len(counts), mode)
        if score > best_score:
            best, best_score = cand, score
    return best, best_score


def quoted_break(sample: str, quote: str = '"') -> tuple[int, str] | None:
    """(first line, delimiter) of the first record of ``sample`` with a line break in a quoted field that is not its first field, else None.

    ``sample`` is parsed with csv.reader once per candidate delimiter (config.read.DELIMITERS) that
    it holds, quoted fields in ``quote`` (a field still open at the end of a cut sample counts: the
    reader returns it). Such a quote opens right after a delimiter, so it only balances when the
    file is read as a table of that delimiter: read as one column (one value per line) the quoted
    text would be split into records at its line breaks.
    """
    for delimiter in DELIMITERS:
        if delimiter + quote not in sample:
            continue
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, quotechar=quote)
        line = 1
        try:
            for row in reader:
                if any("\n" in f or "\r" in f for f in row[1:]):
                    return line, delimiter
                line = reader.line_num + 1
        except csv.Error:
            continue
    return None


def sample_end(text: str, cut: int, quote: str = '"') -> int | None:
    """Where a sniffing sample of ``text`` cut at ``cut`` (characters) should end, so that no quoted field is cut open.

    RFC 4180 section 2 (fields in ``quote``, the quote doubled inside one): the quotes of
    ``text[:cut]`` are scanned in order; when the cut falls outside a quoted field the answer is
    ``cut``. When it falls inside one (a multi-line text longer than the sample), the sample goes on
    past the quote that closes the field, through the end of that physical line and the next one
    (the caller drops a cut sample's last line, see table.sample_lines): the index after that line
    break. None when ``text`` ends before that point (read more, or take all of ``text`` at the end
    of the file). A quote inside an unquoted field (``12" pipe``) can only make the sample longer.
    """
    inside, at = False, 0
    while True:
        j = text.find(quote, at)
        if j < 0:
            return None if inside else cut
        if not inside:
            if j >= cut:
                return cut
            inside, at = True, j + 1
        elif text.startswith(quote * 2, j):
            at = j + 2
        else:
            inside, at = False, j + 1
            if j >= cut:
                breaks = [m.end() for m in itertools.islice(_LINE_BREAK.finditer(text, at), 2)]
                return breaks[1] if len(breaks) == 2 else None


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


_MARKDOWN_RULE = re.compile(r"\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?")  # a Markdown table's delimiter row (GFM spec, "Tables")


def other_format(data: bytes) -> str | None:
    """The text format, other than CSV, that the head ``data`` of a file is written in: ``JSON``, ``JSON Lines``, ``XML``, ``Markdown table``, ``RTF``; else None.

    Only positive evidence counts (UTF-8 text, a UTF-8 BOM skipped): an XML declaration (``<?xml``,
    XML 1.0 section 2.8); an RTF header (``{\\rtf``, Microsoft's RTF 1.9.1 specification: every RTF
    document starts with it; Word, WordPad and TextEdit save a table so); a first line that is one whole JSON object or array (RFC 8259; JSON Lines
    when the next non-blank line is one too); a JSON array whose first element is an object
    followed by ``,`` or ``]`` (a long array cut by the head), or a ``[``/``{`` line alone followed
    by a line starting with ``{``, ``[`` or ``"`` (pretty-printed JSON); a first row between pipes
    followed by a Markdown delimiter row (``|----|:---:|``). A CSV line such as ``[1,2],x`` or
    ``{a},b`` is none of these.
    """
    text = data.removeprefix(codecs.BOM_UTF8)[:SNIFF_BYTES].decode("utf-8", errors="replace").lstrip()
    if text[:5].lower() == "<?xml":
        return "XML"
    if text.startswith("{\\rtf"):
        return "RTF"
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:3]
    if not lines:
        return None
    if text[0] in "[{":
        decoder = json.JSONDecoder()
        first = _json_or_none(decoder, lines[0])
        if isinstance(first, (dict, list)):
            return "JSON Lines" if len(lines) > 1 and isinstance(_json_or_none(decoder, lines[1]), (dict, list)) else "JSON"
        if lines[0] in ("[", "{") and len(lines) > 1 and lines[1][:1] in '[{"':
            return "JSON"
        if text[0] == "[":
            try:
                start = len(text) - len(text[1:].lstrip())
                value, end = decoder.raw_decode(text, start)
                if isinstance(value, dict) and text[end:].lstrip()[:1] in (",", "]"):
                    return "JSON"
            except ValueError:
                pass
    if len(lines) > 1 and lines[0].startswith("|") and lines[0].endswith("|") and _MARKDOWN_RULE.fullmatch(lines[1]) and "|" in lines[1]:
        return "Markdown table"
    return None


def _json_or_none(decoder: json.JSONDecoder, line: str) -> object:
    """The JSON value that is the whole of ``line``, else None."""
    try:
        value, end = decoder.raw_decode(line)
    except ValueError:
        return None
    return value if end == len(line) else None


def head_encoding(head: bytes, complete: bool) -> tuple[str, bool]:
    """(encoding, provisional) decided from ``head``, the first HEAD_BYTES bytes of a file.

    In order: a UTF-8, UTF-32 or UTF-16 BOM (UTF-32 first: the UTF-32-LE BOM ``FF FE 00 00`` starts
    with the UTF-16-LE one, Unicode 15 section 23.8), BOM-less UTF-16, strict UTF-8 over the head, then
    fallback_encoding (the most plausible of the encodings real files use, EBCDIC included), unless the head is UTF-8 by
    accident (``accidental_utf8``: a few byte pairs of a legacy encoding that read as odd characters in UTF-8). ``complete``
    says that ``head`` is the whole file. ``provisional`` is True when UTF-8 was chosen from a head
    that is not the whole file: a later byte may still disprove it, and the file is then read with
    ``fallback_encoding(head)``, the encoding a whole-file UTF-8 check would have led to.
    Raises UnreadableFile when the head is not UTF-8 and no encoding fits it.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", False
    if head.startswith(_UTF32_BOMS):
        return "utf-32", False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", False
    utf16 = utf16_without_bom(head)
    if utf16:
        return utf16, False
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=complete)  # a character cut at the end is fine
        accident = accidental_utf8(head, complete)
        if accident is not None and accident.encoding != "utf-8":
            return accident.encoding, False
        return "utf-8", not complete
    except UnicodeDecodeError:
        if mostly_utf8(head, complete):
            return "utf-8", not complete
        return encoding_decision(head, complete).encoding, False


SURROGATES = re.compile("[\udc80-\udcff]+")  # bytes that did not decode, as the surrogateescape handler writes them (PEP 383)


def utf8_line_counts(head: bytes, complete: bool = False) -> tuple[int, int]:
    """(lines holding valid non-ASCII UTF-8 and no invalid byte, lines holding a byte that is not UTF-8) of ``head``.

    A character cut at the end of ``head`` is not counted as invalid unless ``complete``.
    """
    text = codecs.getincrementaldecoder("utf-8")("surrogateescape").decode(head, final=complete)
    good = bad = 0
    for line in text.splitlines():
        if SURROGATES.search(line):
            bad += 1
        elif not line.isascii():
            good += 1
    return good, bad


def mostly_utf8(head: bytes, complete: bool = False) -> bool:
    """Whether ``head`` is UTF-8 with a few lines in another encoding (two systems' exports concatenated).

    True when it holds at least one line of valid non-ASCII UTF-8 and no more lines with bytes
    that are not UTF-8 than such lines. A file in a legacy single-byte encoding practically never
    holds valid multi-byte UTF-8 sequences (``Ã©`` in cp1252 is one, and it is mojibake itself),
    so one valid non-ASCII line is evidence; the bad lines are read on their own (csv_file.CsvFile).
    """
    good, bad = utf8_line_counts(head, complete)
    return good > 0 and bad <= good


# The encodings non-UTF-8 CSV files are written in, most used first (the WHATWG Encoding Standard's legacy
# single-byte and multi-byte encodings, less the rare ones, plus Mac OS Roman, which Excel for Mac still writes as
# "CSV (Macintosh)" and the WHATWG list names ``macintosh``, and the OEM code pages Excel's "CSV (MS-DOS)" writes:
# cp850 (Western Europe), cp437 (US) and cp866 (Cyrillic), Microsoft's "Code Page Identifiers"; other DOS code pages
# like cp775 are never guessed). The OEM pages and Mac Roman decode every byte, so they come last: they win on
# plausibility (``José`` where Mac Roman reads ``JosÇ`` and cp1252 ``Jos‚``), never a tie.
SINGLE_BYTE = (
    "cp1252", "cp1250", "cp1251", "iso-8859-2", "koi8-r", "koi8-u", "iso-8859-15", "cp1253",
    "cp1254", "cp1257", "cp1256", "cp1255", "cp874", "cp850", "cp437", "cp866", "mac_roman",
)
# Korean: euc-kr (KS X 1001's 2,350 Hangul syllables) and, after it, cp949 (Windows' Unified Hangul Code, what Korean Excel
# writes as "ks_c_5601-1987"), which adds the other 8,822 syllables (``똠``, ``쌰``, ``햏``) at lead bytes 0x81-0xC6 with trail
# bytes 0x41-0xFE and decodes every byte pair euc-kr decodes as euc-kr does (checked over all pairs with Python's codecs). A
# head both read alike is named euc-kr (the tie keeps the first); cp949 only when a byte pair needs the extension.
MULTI_BYTE = ("cp932", "euc-jp", "gb18030", "big5", "euc-kr", "cp949")
TOKEN_SAMPLE = 5_000  # words with a non-ASCII character looked at per candidate
_TOKEN = re.compile(r"[^\s,;|\t\"'()\[\]{}<>=:/\\]*[^\x00-\x7f][^\s,;|\t\"'()\[\]{}<>=:/\\]*")


def _script(c: str) -> str:
    """The script of a letter: latin, greek, cyrillic, cjk (Han, kana, Hangul) or other."""
    o = ord(c)
    if o < 0x250 or 0x1E00 <= o < 0x1F00 or 0xFF21 <= o <= 0xFF5A:
        return "latin"
    if 0x370 <= o < 0x400:
        return "greek"
    if 0x400 <= o < 0x530:
        return "cyrillic"
    if 0x3040 <= o < 0x3100 or 0x3400 <= o < 0xA000 or 0xAC00 <= o < 0xD7B0 or 0xF900 <= o < 0xFB00 or 0xFF66 <= o < 0xFFA0:
        return "cjk"
    return "other"


def implausibility(text: str) -> int:
    """How unlike real text the words of ``text`` that hold non-ASCII characters are (0: all plausible).

    Points per word: 5 per control character (C1 controls are what ISO 8859 makes of Windows
    letters); 3 per non-ASCII symbol among letters (``£ukasz``, ``Gy§r``); 4 for letters of
    two scripts (``Јуdџ``), unless ASCII letters next to CJK; 2 for a Latin word of three or more
    letters, more than 80% of them accented (Cyrillic read as Latin-1, ``Ïðèâåò``); 1 per half-width
    katakana; 2 per capital
    after a small letter where one is non-ASCII (KOI8-R read as cp1251 flips case, ``пРИВЕТ``);
    3 for one CJK character between ASCII letters (single-byte text read as a CJK encoding); 2 per
    non-ASCII capital between a letter and a small letter (``JÅrgen``, ``MÅnchen``: DOS ü read as Mac Roman);
    3 per combining mark after a Latin letter that is not a Latin combining mark (``Kِln``: Latin-1
    ö read as cp1256's Arabic kasra); 1 per word of a two-case script (Cyrillic, Greek) when the
    text holds three or more such words and all of them in one case only (Hebrew read as cp1251
    is small letters only, as cp1253 Greek small letters only; real names and places start with a
    capital); 2 per Cyrillic word that starts with ъ, ь or ы, which no Russian, Ukrainian or
    Belarusian word does (Hebrew ש and ר read as koi8-r's Ы and Ь), and 2 per ъ/ь after a vowel or
    ы after one other than ы (``ИЬЕЫЛИМ``); 2 per non-ASCII small letter between capitals (``AòB``);
    3 per Han or Hangul character alone next to a Latin letter (``A稗``: cp1252 ``A•B`` read as cp932,
    a letter eaten); 3 per Hebrew, Arabic or Thai mark on no letter (``ּמסך``, ``๋ษงื``: cp1251 or
    KOI8-U read as cp1255 or cp874); 2 per Hebrew final letter inside a word (``ך`` in ``ּמסךגא``);
    2 per box-drawing character in a word that is not a rule of one character (``╢└╢┼``); 2 per ``ù`` before a letter
    (``Cantùn``: cp850's reading of Mac Roman ``ó``; French writes ``ù`` only in ``où``, Italian at a word's end). Half-width
    katakana cost nothing in a word of them alone when the text also writes two full-width kana,
    Han or Hangul characters in a row (``ｶﾀｶﾅ`` next to ``東京``). Capitals after small letters are
    counted between adjacent characters (``Санкт-Петербург`` costs nothing). Score the text as
    ``typography`` leaves it, so that typographic signs in their places cost nothing.
    """
    points = 0
    cased: dict[str, set[str]] = {}  # two-case script -> the cases its words are written in ("lower", "upper", "mixed")
    words = 0
    japanese = _CJK_WORD.search(text) is not None
    tokens = _TOKEN.findall(text)[:TOKEN_SAMPLE]
    sample = " ".join(tokens)  # signs read within a word, counted over all words at once (a space stands for a word's edge)
    points += 3 * len(_LONE_CJK.findall(sample)) + 3 * len(_BARE_MARK.findall(sample))
    points += 2 * len(_HEBREW_FINAL_INSIDE.findall(sample)) + 2 * len(_SIGN_AFTER_VOWEL.findall(sample))
    points += 2 * len(_GRAVE_U_INSIDE.findall(sample))
    boxes = _BOX.search(sample) is not None
    for token in tokens:
        letters = [c for c in token if c.isalpha()]
        points += 3 * len(_FOREIGN_MARK.findall(token))
        two_case = {_script(c) for c in letters} & {"cyrillic", "greek"}
        if len(two_case) == 1 and all(_script(c) in two_case for c in letters):
            words += 1
            word = "".join(letters)
            cased.setdefault(two_case.pop(), set()).add("lower" if word.islower() else "upper" if word.isupper() else "mixed")
            points += 2 * (word[0] in "ЪЬЫъьы")
        points += 5 * sum(1 for c in token if unicodedata.category(c) in ("Cc", "Cf", "Co", "Cn"))
        if letters:
            points += 3 * sum(1 for c in token if ord(c) > 127 and not c.isalpha() and unicodedata.category(c)[0] in "SPN")
        kana = sum(1 for c in token if 0xFF61 <= ord(c) <= 0xFF9F)  # half-width katakana: what cp932 makes of Cyrillic capitals,
        if not (japanese and kana == sum(1 for c in token if not c.isascii())):  # unless a word of them alone in Japanese text
            points += kana
        scripts = {_script(c) for c in letters}
        if len(scripts) > 1 and not (scripts == {"latin", "cjk"} and all(c.isascii() for c in letters if _script(c) == "latin")):
            points += 4
        if scripts == {"latin"} and len(letters) >= 3 and sum(1 for c in letters if not c.isascii()) * 5 > len(letters) * 4:
            points += 2
        for a, b in zip(token, token[1:]):  # adjacent letters only: ``Санкт-Петербург`` has no capital after a small letter
            if a.islower() and b.isupper() and not (a.isascii() and b.isascii()):
                points += 2
        for a, b, c in zip(token, token[1:], token[2:]):  # ``JÅrgen``, ``MÅnchen``: Mac Roman's reading of DOS ü
            if a.isalpha() and b.isupper() and not b.isascii() and c.islower():
                points += 2
            if a.isupper() and b.islower() and not b.isascii() and c.isupper():  # ``AòB``: cp850's reading of cp1252's A•B
                points += 2
        points += 3 * len(re.findall(r"(?<=[A-Za-z])[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af](?=[A-Za-z])", token))
        if boxes:
            drawn = _BOX.findall(token)
            if drawn and len(set(token)) > 1:  # a rule of one character (``═════``) is a drawing; ``╢└╢┼`` in a word is not
                points += 2 * len(drawn)
    if words >= 3 and all(cases == {"lower"} for cases in cased.values()):
        points += words
    return points


_LONE_CJK = re.compile(r"(?<=[A-Za-z])[\u3400-\u9fff\uac00-\ud7af](?![\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff66-\uff9f])"
                       r"|(?<![\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff66-\uff9f0-9])[\u3400-\u9fff\uac00-\ud7af](?=[A-Za-z])")
# ``ù`` before a letter: French writes it only in ``où``, Italian only at a word's end (``più``); cp850 reads Mac Roman's ``ó``
# (0x97) so (``Cantùn`` for ``Cantón``)
_GRAVE_U_INSIDE = re.compile(r"[ùÙ](?=[^\W\d_])")
_SIGN_AFTER_VOWEL = re.compile(r"(?<=[АЕЁИОУЫЭЮЯаеёиоуыэюя])[ЪЬъь]|(?<=[АЕЁИОУЭЮЯаеёиоуэюя])[Ыы]")  # no Russian word writes them so
_CJK_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]{2}")  # two full-width kana, Han or Hangul characters in a row
_BARE_MARK = re.compile(r"(?<![^\W\d_]|[\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])[\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")  # a mark on no letter
_HEBREW_FINAL_INSIDE = re.compile(r"[\u05da\u05dd\u05df\u05e3\u05e5](?=[\u05d0-\u05ea])")  # ך ם ן ף ץ end a word (Unicode 15, 9.1)
_BOX = re.compile(r"[\u2500-\u259f]")  # box drawing and block elements: cp437/cp850/koi8-r's readings of letters of other code pages
_FOREIGN_MARK = re.compile(r"(?<=[A-Za-z\u00c0-\u024f])[\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")


# The accented small letters of the languages written in Latin script that the single-byte candidates serve.
_ALPHABETS = tuple(
    frozenset(letters)
    for letters in (
        "àâæçéèêëîïôœùûüÿ",  # French
        "äöüß",  # German
        "áéíñóúü",  # Spanish
        "àèéìíîòóù",  # Italian
        "áâãàçéêíóôõú",  # Portuguese
        "ëïéèöü",  # Dutch
        "åäæøöé",  # Danish, Norwegian, Swedish
        "áéíóöúýþðæ",  # Icelandic
        "äöšž",  # Finnish, Estonian
        "ąćęłńóśźż",  # Polish
        "áčďéěíňóřšťúůýž",  # Czech
        "áäčďéíĺľňóôŕšťúýž",  # Slovak
        "áéíóöőúüű",  # Hungarian
        "ăâîșțşţ",  # Romanian
        "čćđšž",  # Croatian, Slovenian, Bosnian
        "çğıöşü",  # Turkish
        "āčēģīķļņšūž",  # Latvian
        "ąčęėįšųūž",  # Lithuanian
        "äõöüšž",  # Estonian
        "çë",  # Albanian
    )
)


def foreign_letters(text: str) -> int:
    """How many distinct accented Latin letters of ``text`` the best-fitting language (_ALPHABETS) does not write.

    Czech read as cp1252 (``Pøíbram``, ``Èeské Budìjovice``) mixes ø (Nordic) with è and ì (French,
    Italian): no language writes them all; read as cp1250 every letter is Czech.
    """
    letters = {c for c in text.lower() if c.isalpha() and not c.isascii() and ord(c) < 0x250}
    return min(len(letters - alphabet) for alphabet in _ALPHABETS) if letters else 0


# Typographic signs in the places typists put them (The Chicago Manual of Style, 17th ed., 6.9-6.11 quotation marks and
# apostrophes, 6.75-6.85 dashes, 13.50 ellipses; ISO 80000-1 for ``20 °C``, ``€5``). Windows code pages put them at
# 0x80-0x9F (``’`` 0x92, ``“”`` 0x93/0x94, ``–—`` 0x96/0x97, ``…`` 0x85, ``€`` 0x80; ``°`` 0xB0 as in Latin-1), Mac Roman
# at 0xD0-0xD5, 0xC9, 0xDB, 0xA1, where the others read letters (``Donít``, ``ìFragileî``, ``20ĄC``): the reading that
# yields them so is evidence for its encoding. A sign counts only where it splits no word that a rival reading keeps whole:
# Mac Roman's ``í`` (0x92) and ``ó`` (0x97) are cp1252's ``’`` and ``—``, so ``Martín``, ``Asunción``, ``día`` read as
# cp1252 are ``Mart’n``, ``Asunci—n``, ``d’a`` (signs inside words, which cost that reading as any symbol among letters
# does). The apostrophe counts in an English contraction after a whole word (``n’t``; ``’s``, ``’d``, ``’m``, ``’ll``,
# ``’re``, ``’ve`` after a word of three letters or more or after ``I``, ``it``, ``he``, ``we``: ``Don’t``, ``she’s``,
# ``we’ll``, ``Customer’s``, not ``pa’s`` for ``país``) and after an elided French/Italian/Irish article before a whole
# word, which starts with a vowel, ``h`` or a capital (the elision's rule) and is more than one ASCII letter (``L’Haÿ``,
# ``d’Artagnan``, ``O’Neil``, ``dell’arte``, ``c’è``; not ``l’mite``, ``d’a`` for ``límite``, ``día``); an em dash
# between small letters counts when both sides are words (two letters or more, with a vowel: ``plan—if``, not
# ``Asunci—n``, ``pr—ximo``). Quotes count in pairs on one line; ``°`` after a digit unless a non-ASCII character other
# than a Cyrillic capital (``20°С``) follows it (``3°³``, ``3°ł`` are cp949's ``3개`` read as cp1252/cp1250); ``™``
# after a letter and before none (not ``Ant™nio``, Mac Roman's ``Antônio``). The apostrophes of other orthographies count
# too (_apostrophe_place): Dutch ``’t``, ``’s`` (alone or in ``’s-Hertogenbosch``), ``’n``, ``z’n``, ``m’n``, ``d’r``,
# ``zo’n`` (Taalunie, Woordenlijst Nederlandse Taal, "Leidraad" 2 and 8: apostrophe for omitted letters); Afrikaans ``’n``
# (Afrikaanse Woordelys en Spelreëls, 12.4); English ``’n’`` (``rock ’n’ roll``), ``y’all``, ``ma’am``, ``o’clock``,
# ``’em``, ``’90s``/``’99`` and a plural possessive ``s’`` after a word of four ASCII letters or more (``students’``,
# ``Joneses’``; Chicago 7.15-7.19, 9.32; not ``as’`` for ``así``); the ʻokina written as ``‘`` inside a word of Hawaiian
# letters before a vowel (``Hawai‘i``, ``O‘ahu``; Hawaiian orthography, Pukui & Elbert, Hawaiian Dictionary, "Guide to
# pronunciation"). A bullet ``•`` starting a line or a field before a space (``• item``) and a footnote mark ``†``
# after a capitalised word of three ASCII letters or more and before no letter or digit (``Price†``), ``‡`` so too in
# text that holds a ``†`` (``Item‡``; Chicago 14.25: the marks' order *, †, ‡) count as well (_footnote_place).
_LETTER = r"[^\W\d_]"
_TYPOGRAPHY = re.compile(
    "|".join((
        r"(?<![^\W_])“[^“”\n]{1,200}?”(?![^\W_])",
        r"(?<![^\W_])‘[^‘’\n]{1,200}?’(?![^\W_])",
        r"(?<![^\W_])«[^«»\n]{1,200}?»(?![^\W_])",
        r"(?<![^\W_])„[^„“\n]{1,200}?“(?![^\W_])",
        r"(?<= )[–—](?= )", r"(?<=\d)–(?=\d)", r"(?<=[a-z])…",
        r"(?<=\d)°(?![^\x00-\x7f\u0410-\u042f])", r"±(?=\d)", r"[€£¥] ?(?=\d)", r"(?<=\d)€", r"(?<=\d )€",
        rf"(?<={_LETTER})™(?!{_LETTER})",
        r"(?<![^\n\r,;\t|\"])•(?= )",
    ))
)
_CONTRACTIONS = frozenset(("s", "d", "m", "ll", "re", "ve", "S", "D", "M", "LL", "RE", "VE"))
_CONTRACTED_SHORT = frozenset(("I", "it", "he", "we", "It", "He", "We", "IT", "HE", "WE"))  # whole words under 3 letters
_ELIDED = frozenset((
    *"ldjmnstcLDJMNSTC", "qu", "Qu", "QU", "jusqu", "lorsqu", "puisqu", "un", "Un", "all", "All", "dell", "Dell", "nell",
    "Nell", "dall", "Dall", "sull", "Sull",
))
_ELISION_START = frozenset("aeiouyhàâäáéèêëíìîïóòôöúùûüÿœæ")  # what an elided article stands before: a vowel or (mute) h
_VOWELS = frozenset("aeiouy")


def _letters_before(text: str, at: int) -> str:
    """The run of letters of ``text`` that ends at index ``at``."""
    start = at
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    return text[start:at]


def _letters_after(text: str, at: int) -> str:
    """The run of letters of ``text`` that starts at index ``at``."""
    end = at
    while end < len(text) and text[end].isalpha():
        end += 1
    return text[at:end]


def _in_word_place(text: str, at: int) -> bool:
    """Whether the ``’`` or ``—`` at ``text[at]`` stands where a typist puts it between letters (see _TYPOGRAPHY)."""
    before, after = _letters_before(text, at), _letters_after(text, at + 1)
    if not before:
        return False
    if text[at] == "—":  # between two words, not inside one
        return (
            before[-1] in "abcdefghijklmnopqrstuvwxyz" and after[:1].islower() and after[0].isascii()
            and min(len(before), len(after)) >= 2 and not _VOWELS.isdisjoint(before) and not _VOWELS.isdisjoint(after)
        )
    if after in _CONTRACTIONS:
        return len(before) >= 3 or before in _CONTRACTED_SHORT
    if after in ("t", "T"):
        return len(before) >= 2 and before[-1] in "nN"
    if not after or not (len(after) >= 2 or not after.isascii()):
        return False
    if before == "O":  # O’Neil
        return after[0].isupper()
    return before in _ELIDED and (after[0].isupper() or after[0].lower() in _ELISION_START)


_WORD_START = frozenset(("t", "s", "n", "em"))  # Dutch ’t, ’s, ’n; Afrikaans ’n; English ’em (lower case; the word after ’)
_CLITIC_WORDS = frozenset((("z", "n"), ("m", "n"), ("d", "r"), ("zo", "n"), ("y", "all"), ("ma", "am"), ("o", "clock")))
_HAWAIIAN = frozenset("aehiklmnopuwAEHIKLMNOPUW")  # the letters of Hawaiian orthography (ʻokina and kahakō aside)
_YEAR = re.compile(r"’\d\d(?:s)?(?![^\W_])")  # ’90s, ’99


def _apostrophe_place(text: str, at: int) -> int:
    """How many characters from ``text[at]`` (a ``’`` or ``‘``) make an apostrophe of Dutch, Afrikaans, English or an
    ʻokina in its orthography's place (0: none; 3 for ``’n’``); see _TYPOGRAPHY."""
    sign = text[at]
    before, after = _letters_before(text, at), _letters_after(text, at + 1)
    edge_before = at == 0 or not text[at - 1].isalnum()
    follows = text[at + 1 + len(after) : at + 2 + len(after)]
    if sign == "‘":  # ʻokina: after a vowel or at a word's start, before a vowel, in a word of Hawaiian letters
        return int(
            after[:1].lower() in set("aeiou") and (not before or before[-1].lower() in "aeiou") and len(before + after) >= 3
            and all(c in _HAWAIIAN for c in before + after) and not follows[:1].isalnum()
        )
    if text[at : at + 3] in ("’n’", "’N’") and (at + 3 == len(text) or not text[at + 3].isalnum()) and not text[at - 1 : at].isalnum():
        return 3  # rock ’n’ roll (the second mark is no plural possessive: it counts here, once)
    if edge_before and not before:
        if after.lower() in _WORD_START and not follows[:1].isalnum():
            return 1
        return 1 if _YEAR.match(text, at) else 0
    if not before or (at > len(before) and text[at - len(before) - 1].isdigit()):
        return 0
    if (before.lower(), after.lower()) in _CLITIC_WORDS and not follows[:1].isalnum():
        return 1
    if not after and not follows[:1].isdigit() and len(before) >= 4 and before[-1] in "sS" and before.isascii():
        return 1  # students’ union, the Joneses’ car
    return 0


def _footnote_place(text: str, at: int) -> bool:
    """Whether the ``†`` or ``‡`` at ``text[at]`` marks a footnote: after a capitalised word of three ASCII letters or more
    (a label: ``Price†``), before no letter or digit (not ``Gr‡nd``), a ``‡`` only where ``text`` holds a ``†`` too (the
    second mark after the first). cp850's ``å`` is cp1252's ``†`` and Mac Roman's ``á`` its ``‡``: Danish ``også`` and
    Spanish ``está`` end small words in them (``ogs†``, ``est‡``); see _TYPOGRAPHY."""
    before = _letters_before(text, at)
    return (
        len(before) >= 3 and before.isascii() and before[0].isupper() and not text[at + 1 : at + 2].isalnum()
        and (text[at] == "†" or "†" in text)
    )


_TYPOGRAPHIC_SIGNS = frozenset("’‘“”«»„–—…°±€£¥™•†‡")
_SIGN = re.compile("[’‘“”«»„–—…°±€£¥™•†‡]")
_NEUTRAL = str.maketrans(dict.fromkeys("’‘“”«»„–—…°±€£¥™•†‡", " "))  # what a sign in its place weighs in implausibility: a space


def _sign_matches(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each typographic sign in its usual place in ``text`` (a pair of quotes: from the first to the second)."""
    at = 0
    for sign in _SIGN.finditer(text):  # every alternative of _TYPOGRAPHY starts at a sign: try it there only (fast on long text)
        start = sign.start()
        if start < at:
            continue
        match = _TYPOGRAPHY.match(text, start)
        if match is not None:
            at = match.end()
            yield start, at
        elif text[start] in "’—" and _in_word_place(text, start):
            at = start + 1
            yield start, at
        elif text[start] in "’‘" and (length := _apostrophe_place(text, start)):
            at = start + length
            yield start, at
        elif text[start] in "†‡" and _footnote_place(text, start):
            at = start + 1
            yield start, at


def typography(text: str) -> tuple[int, str]:
    """(typographic signs in their usual places in ``text`` (_TYPOGRAPHY), ``text`` with those signs made spaces).

    A pair of quotes counts as two signs; the second element is what implausibility scores, so that
    ``Don’t`` costs nothing while ``Gy’r`` (a sign inside a word, not where English puts one) still does.
    """
    if not _SIGN.search(text):
        return 0, text
    signs = 0
    parts = []
    at = 0
    for start, end in _sign_matches(text):
        found = text[start:end]
        signs += sum(1 for c in found if c in _TYPOGRAPHIC_SIGNS and (len(found) < 3 or c in found[0] + found[-1]))
        parts.append(text[at:start])
        parts.append(found[0].translate(_NEUTRAL) + found[1:-1] + found[-1].translate(_NEUTRAL) if len(found) > 2 else found.translate(_NEUTRAL))
        at = end
    parts.append(text[at:])
    return signs, "".join(parts)


# Counters and units that Korean, Japanese and Chinese write right after a number (``3개``, ``5個``, ``10件``, ``2本``,
# ``1200원``, ``120円``, ``12元``; the classifiers of each language's grammar, e.g. Martin, "A Reference Grammar of Japanese"
# 4.2, Sohn, "The Korean Language" 7.3, Li & Thompson, "Mandarin Chinese" 4.2): evidence for a CJK reading as a typographic
# sign is for a Windows one. Read in a single-byte code page the same two bytes are signs and letters (``3°³``), and no
# single-byte reading yields them.
_COUNTER = re.compile(  # no look-behind for the digit: a pattern that starts with a literal is searched fast
    "(?:"
    "개|명|원|번|장|권|대|마리|살|세|시|분|초|년|월|일|주|층|호|회|병|잔|건|곳|점|인|벌|켤레|송이|박스|상자|봉지|위|등|배"  # Korean
    "|個|本|枚|件|人|名|円|回|台|匹|冊|杯|歳|才|年|月|日|時|分|秒|階|号|番|箱|点|週|泊|軒|粒|足|着|頭|羽|通|部|組|缶|袋|錠|倍|位"
    "|割|万|億|つ|ヶ月|か月|カ月|種"  # Japanese
    "|个|张|元|次|只|条|块|瓶|辆|份|套|双|天|岁|小时|公斤|斤|克|亿|家|间|支|根|包|盒|張|隻|條|塊|輛|歲|號|點|間|萬|雙"  # Chinese
    ")"
)


def counters(text: str) -> int:
    """How many CJK counters or units stand right after a number in ``text`` (_COUNTER: ``3개``, ``5個``, ``12元``)."""
    return sum(1 for m in _COUNTER.finditer(text) if m.start() and text[m.start() - 1] in _DIGITS)


_DIGITS = frozenset("0123456789０１２３４５６７８９")


TYPOGRAPHY_WEIGHT = 3  # points one typographic sign in its place takes off a reading (a sign among letters costs 3)


def encoding_candidates(head: bytes) -> list[tuple[int, str, str]]:
    """(points, encoding, text) of every candidate that decodes ``head`` strictly, best (fewest points) first.

    Points are implausibility plus foreign letters, less TYPOGRAPHY_WEIGHT per typographic sign in
    its usual place (``typography``) and, for a CJK candidate, per counter after a number (``counters``), less 1 for Mac Roman when the head's lines end in CR alone
    (Excel for Mac's "CSV (Macintosh)"). Candidates are SINGLE_BYTE and MULTI_BYTE; a character cut
    at the end of ``head`` is fine. Ties keep the order of the lists (the commoner encoding first).
    """
    return [(points, encoding, text) for points, _, _, encoding, text in _scored(head)]


def _scored(head: bytes, complete: bool = False) -> list[tuple[int, int, int, str, str]]:
    """(points, rank, penalty (points before evidence), encoding, text) of each candidate, best first (encoding_candidates)."""
    found = []
    mac_lines = b"\r" in head and b"\n" not in head
    for rank, encoding in enumerate(SINGLE_BYTE + MULTI_BYTE):
        if encoding == "cp949" and found and found[-1][3] == "euc-kr":
            continue  # euc-kr decoded the head: cp949 reads it alike (MULTI_BYTE), and the name stays euc-kr
        try:
            text = codecs.getincrementaldecoder(encoding)("strict").decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        signs, plain = 0, text
        if _SIGN.search(text):
            end = next(itertools.islice(_TOKEN.finditer(text), TOKEN_SAMPLE - 1, None), None)
            signs, plain = typography(text if end is None else text[: end.end()])  # the words implausibility looks at
        if encoding in MULTI_BYTE:
            signs += counters(text)
        penalty = implausibility(plain) + foreign_letters(text)
        if encoding == "cp949":  # euc-kr failed: some pair needs the extension
            penalty += uhc_extension_cost(text)
        found.append((penalty - TYPOGRAPHY_WEIGHT * signs - (mac_lines and encoding == "mac_roman"), rank, penalty, encoding, text))
    found.sort()
    return found


_KS_X_1001_HANGUL: frozenset[str] = frozenset()  # the 2,350 syllables euc-kr encodes (filled on first use)


def uhc_extension_cost(text: str) -> int:
    """Points for a cp949 reading whose words are mostly Hangul syllables KS X 1001 (euc-kr) lacks: 2 per such syllable in
    a run of syllables more than half of which are such.

    KS X 1001's 2,350 syllables were chosen as those in use (KS C 5601-1987): a Korean name writes a rare one beside
    common ones (``김똠``, ``박쌰``), while Shift JIS or Windows punctuation read as cp949 falls in the extension's area
    (lead bytes 0x81-0xC6) syllable after syllable: ``東京`` read so is ``뱦떈``, both outside KS X 1001.
    """
    global _KS_X_1001_HANGUL
    if not _KS_X_1001_HANGUL:
        _KS_X_1001_HANGUL = frozenset(bytes([a, b]).decode("euc-kr") for a in range(0xB0, 0xC9) for b in range(0xA1, 0xFF))
    points = 0
    for run in _HANGUL_RUN.findall(text):
        rare = sum(1 for c in run if c not in _KS_X_1001_HANGUL)
        points += 2 * rare if rare * 2 > len(run) else 0
    return points


_HANGUL_RUN = re.compile("[\uac00-\ud7a3]+")


# IBM EBCDIC code pages of mainframe exports (streams.EBCDIC_NEL): US/Canada (CCSID 37) first, then International
# (CCSID 500). Python's codecs give the EBCDIC line end NL (0x15) as U+0085 (NEL), LF (0x25) as "\n"; streams.text_chunks
# reads NEL as "\n".
EBCDIC = EBCDIC_NEL
EBCDIC_MIN_BYTES = 16  # a shorter head is never taken for EBCDIC
_EBCDIC_SEPARATORS = frozenset(" ,;|\t")
_ASCII_BUT_AT = bytes(b for b in range(0x80) if b != 0x40)  # deleted by bytes.translate: what is left is 0x40 and 0x80-0xFF


def ebcdic(head: bytes) -> bool:
    """Whether ``head`` (the first bytes of a file) is EBCDIC text, e.g. a mainframe export.

    Evidence (IBM CCSID 37 and 500 code charts): read as cp037, at least 95% of the characters of
    the first SNIFF_BYTES bytes are printable ASCII, Latin-1 letters or line ends (letters are
    0x81-0xE9, digits 0xF0-0xF9, space 0x40, comma 0x6B, line ends 0x25/0x15/0x0D), at least 40%
    of the bytes are 0x80 or above or the EBCDIC space 0x40 (ASCII text has few of them; text in a
    Windows or ISO code page keeps its spaces, commas and line ends below 0x80, which cp037 reads as
    C1 controls), and the text holds a letter and a separator (space, comma, semicolon, pipe or tab).
    """
    sample = head[:SNIFF_BYTES]
    if len(sample) < EBCDIC_MIN_BYTES or len(sample.translate(None, _ASCII_BUT_AT)) * 5 < len(sample) * 2:
        return False
    text = sample.decode("cp037")
    plain = sum(1 for c in text if (" " <= c <= "~") or c in "\n\r\t\x85" or (c.isalpha() and c <= "\xff"))
    return plain * 20 >= len(text) * 19 and any(c.isalpha() for c in text) and not _EBCDIC_SEPARATORS.isdisjoint(text)


def ebcdic_choice(head: bytes) -> tuple[str, str | None, list[str]]:
    """(encoding, doubt, runners-up) of an EBCDIC head (``ebcdic(head)`` is True), as encoding_choice gives them.

    Both code pages decode every byte and read letters, digits, space and comma alike: cp037 (the
    commoner), with ``doubt`` naming cp500 and showing the first place the two read differently
    when they do (``|`` in cp037 is ``!`` in cp500, ``!`` is ``]``). Raises UnreadableFile when
    the head holds no line end (0x25, 0x15 or 0x0D): fixed-length mainframe records, which cannot
    be split into rows without their record length.
    """
    sample = head[:SNIFF_BYTES]
    if not any(b in sample for b in (0x25, 0x15, 0x0D)):
        raise UnreadableFile(
            f"EBCDIC text (mainframe code page {EBCDIC[0]}?) with no line end in its first {len(sample):,} bytes: fixed-length "
            "records, which cannot decode into rows — file quarantined; convert it to CSV with line ends (or to UTF-8) and drop it again"
        )
    texts = [sample.decode(e) for e in EBCDIC]
    at = next((i for i, (a, b) in enumerate(zip(*texts)) if a != b), None)
    if at is None:
        return EBCDIC[0], None, []
    mine, theirs = (t[max(0, at - 10) : at + 10] for t in texts)
    return EBCDIC[0], (
        f"encoding uncertain: read as {EBCDIC[0]} (EBCDIC); {EBCDIC[1]} reads the bytes as plausibly ({mine!r} vs {theirs!r}) "
        "— set read.encoding if that is wrong"
    ), [EBCDIC[1]]


class EncodingDecision(NamedTuple):
    """What encoding_decision found: the encoding, the read warning or None, the runners-up (best first) and why."""

    encoding: str
    doubt: str | None
    rivals: list[str]
    reason: str


def encoding_choice(head: bytes) -> tuple[str, str | None, list[str]]:
    """(encoding, doubt, runners-up) of ``encoding_decision(head)``."""
    return encoding_decision(head)[:3]


def encoding_decision(head: bytes, complete: bool = False) -> EncodingDecision:
    """The encoding of a file that is not UTF-8, from its head, with a read warning (``doubt``) or None and the reason.

    As ``legacy_decision``; when ``head`` is valid UTF-8 by accident (``accidental_utf8``), that decision with UTF-8
    named first among the rivals and in the warning.
    """
    accident = accidental_utf8(head, complete)
    return accident if accident is not None and accident.encoding != "utf-8" else legacy_decision(head, complete)


def legacy_decision(head: bytes, complete: bool = False, found: list[tuple[int, int, int, str, str]] | None = None) -> EncodingDecision:
    """The encoding of a file that is not UTF-8, from its head, with a read warning (``doubt``) or None and the reason.

    The encoding is the candidate (``encoding_candidates``) with the fewest points: the most
    plausible text, typographic signs in their places counted for it; on a tie the least chaotic
    by charset-normalizer's measure, then the commoner one. ``doubt`` names every candidate that
    reads the bytes as different text and is not less plausible, on a tie (``encoding uncertain:
    read as cp1251; koi8-r reads the bytes as plausibly (line 2: ПРИВЕТ vs привет) — set
    read.encoding if that is wrong``) or when it lost on typographic signs or counters alone (its own text
    has no implausible word: ``Donít`` for ``Don’t``, ``3°³`` for ``3개``; a CJK one only when it is not more chaotic),
    both kinds named when there are both, and any that reads the bytes as the chosen text but for ``’‘—†‡•`` next to
    letters where the chosen one reads letters (``_differs_in_signs``: ``z’n`` for ``zín``, ``Mart’n`` for ``Martín``;
    ``... reads them alike but for typographic signs next to letters (line 2: Martín vs Mart’n)``), so a choice
    that such signs alone decide is never silent; ``line N`` is the first line of the head
    they read differently, with its first word read differently. ``rivals`` names them, best first
    (the manifest's ``encoding_ambiguous``); ``reason`` says in words why the encoding was chosen
    (the manifest's ``encoding_reason``). EBCDIC text (``ebcdic``) is read as ``ebcdic_choice`` says.
    Raises UnreadableFile when no candidate decodes the bytes, or EBCDIC text has no line end.
    """
    if ebcdic(head):
        encoding, doubt, rivals = ebcdic_choice(head)
        return EncodingDecision(encoding, doubt, rivals, "EBCDIC: letters above 0x80, space 0x40 (mainframe export); cp037 the commoner code page")
    if found is None:  # ``found``: _scored(head, complete) when the caller has it
        found = _scored(head, complete)  # a character cut at the end of a head that is the whole file is no character
    if not found:
        raise UnreadableFile("no text encoding fits the bytes (binary file?) — file quarantined; re-export it as CSV")
    best = found[0][0]
    tied: list[tuple[str, str]] = []
    for p, _, _, e, t in found:  # the most plausible, one per text read (the commoner encoding of those reading it alike)
        if p == best and all(t != other for _, other in tied):
            tied.append((e, t))
    ranked = _by_chaos(head, tied) if len(tied) > 1 else [(0.0, *tied[0])]
    chaos, encoding, text = ranked[0]
    rivals = [(e, t) for c, e, t in ranked[1:] if c == chaos]
    signs = typography(text)[0]
    counted = counters(text) if encoding in MULTI_BYTE else 0
    # a reading that lost on typographic signs alone is still plausible text: say so (``Donít`` where the file says ``Don’t``)
    plausible = []
    for p, _, penalty, e, t in found:
        if p > best and penalty == 0 and t != text and all(t != other for _, other in rivals + plausible):
            plausible.append((e, t))
    if encoding in MULTI_BYTE and any(e in MULTI_BYTE for e, _ in plausible):
        # between two CJK readings the counters decide only where the chaos measure would have too (as on a tie)
        chaos_of = {e: c for c, e, _ in _by_chaos(head, [(encoding, text), *((e, t) for e, t in plausible if e in MULTI_BYTE)])}
        plausible = [(e, t) for e, t in plausible if e not in MULTI_BYTE or chaos_of[e] <= chaos_of[encoding]]
    # a reading that lost only on signs next to letters where the winner reads letters (``z’n`` for ``zín``) is named too
    signed = [
        (e, t) for p, _, penalty, e, t in found
        if p > best and penalty > 0 and t != text and all(t != other for _, other in rivals + plausible) and _differs_in_signs(text, t)
    ]
    signed = [(e, t) for i, (e, t) in enumerate(signed) if all(t != other for _, other in signed[:i])]
    reason = _reason(found, encoding, text, signs, len(tied) > 1, counted)
    if not rivals and not plausible and not signed:
        return EncodingDecision(encoding, None, [], reason)
    doubts = []
    if rivals:
        line, mine, theirs = _first_difference(text, rivals[0][1])
        names = ", ".join(e for e, _ in rivals)
        doubts.append(f"{names} read{'s' if len(rivals) == 1 else ''} the bytes as plausibly (line {line}: {mine} vs {theirs})")
    if plausible:
        # named beside a tie too: cp949 ``3개`` read as cp1252 ``3°³`` ties with cp1250 ``3°ł``, and euc-kr is the rival that matters
        line, mine, theirs = _first_difference(text, plausible[0][1])
        names = ", ".join(e for e, _ in plausible)
        evidence = " and ".join(
            what for what, n in (("typographic signs", signs), ("counters after numbers", counted)) if n
        ) or ("line ends in CR alone" if encoding == "mac_roman" else "typographic signs")
        doubts.append(
            f"{names} read{'s' if len(plausible) == 1 else ''} {'them' if rivals else 'the bytes'} as plausible text too, "
            f"only without its {evidence} (line {line}: {mine} vs {theirs})"
        )
    if signed:
        line, mine, theirs = _first_difference(text, signed[0][1])
        names = ", ".join(e for e, _ in signed)
        doubts.append(
            f"{names} read{'s' if len(signed) == 1 else ''} {'them' if doubts else 'the bytes'} alike but for typographic signs "
            f"next to letters (line {line}: {mine} vs {theirs})"
        )
    return EncodingDecision(
        encoding,
        f"encoding uncertain: read as {encoding}; {'; '.join(doubts)} — set read.encoding if that is wrong",
        [e for e, _ in rivals + plausible + signed],
        reason,
    )


_LETTER_SIGNS = re.compile("[’‘—†‡•]")  # signs another code page reads as letters (Mac Roman í, ë, ó, Ü, á, ï; cp850 Æ, æ, ù, å, ç, ò)


def _differs_in_signs(text: str, other: str) -> bool:
    """Whether ``other`` reads as ``text`` but for some of _LETTER_SIGNS (one character each) where ``text`` reads letters,
    at least one of them next to a letter where a typist may put it (``z’n`` for ``zín``, ``Item‡`` for ``Itemç``,
    ``• item`` for ``ò item``; an em dash at a word's edge or between words of two letters or more, not ``Informaci—n``
    for ``Información``: no style sets off one letter of a word with an em dash, Chicago 6.85)."""
    if len(other) != len(text) or not _LETTER_SIGNS.search(other):
        return False
    parts, at, beside = [], 0, False
    for m in _LETTER_SIGNS.finditer(other):
        i = m.start()
        if text[i] != other[i] and not text[i].isalpha():
            return False
        if text[i] != other[i] and not beside:
            left, right = len(_letters_before(other, i)), len(_letters_after(other, i + 1))
            if other[i] == "—":
                beside = (left > 0) != (right > 0) or min(left, right) >= 2
            else:
                beside = left > 0 or right > 0
        parts.append(other[at:i])
        parts.append(text[i])
        at = i + 1
    parts.append(other[at:])
    return beside and "".join(parts) == text


def _first_difference(text: str, other: str) -> tuple[int, str, str]:
    """(line number, word in ``text``, word in ``other``) of the first line of the head the two read differently."""
    for n, (a, b) in enumerate(zip(_LINE_BREAK.split(text), _LINE_BREAK.split(other)), start=1):
        if a != b:
            mine, theirs = next(((x, y) for x, y in zip(_TOKEN.findall(a), _TOKEN.findall(b)) if x != y), (a[:20], b[:20]))
            return n, mine, theirs
    return 1, text[:20], other[:20]


def _reason(found: list[tuple[int, int, int, str, str]], encoding: str, text: str, signs: int, tie: bool, counted: int = 0) -> str:
    """Why ``encoding`` was chosen, in words (the manifest's ``encoding_reason``)."""
    if all(t == text for *_, t in found):
        return f"every candidate encoding reads the head alike; {encoding}, the commonest"
    points = found[0][0]
    runner = next(((p, e) for p, _, _, e, t in found if t != text), None)
    why = f"most plausible reading of {len(found)} candidate encodings ({points} points"
    if signs:
        head = text[:65536]
        used = sorted(_TYPOGRAPHIC_SIGNS.intersection("".join(head[a] + head[b - 1] for a, b in _sign_matches(head))))
        why += f", {signs} typographic sign{'s' if signs != 1 else ''} ({' '.join(used)}) in their usual places counted for it"
    if counted:
        used = sorted({m.group() for m in _COUNTER.finditer(text[:65536]) if m.start() and text[m.start() - 1] in _DIGITS})
        why += f", {counted} counter{'s' if counted != 1 else ''} after numbers ({' '.join(used)}) counted for it"
    why += ")"
    if runner:
        why += f"; next {runner[1]} ({runner[0]} points)"
    if tie:
        why += "; tie broken by charset-normalizer's chaos measure, then the commoner encoding"
    return why


def fallback_choice(head: bytes) -> tuple[str, str | None]:
    """(encoding, doubt) of ``encoding_choice(head)``. Raises UnreadableFile when no candidate decodes the bytes."""
    return encoding_choice(head)[:2]


def _by_chaos(head: bytes, tied: list[tuple[str, str]]) -> list[tuple[float, str, str]]:
    """``tied`` (encoding, text) as (chaos, encoding, text), least chaotic first: charset-normalizer's mess measure
    (its ``CharsetMatch.chaos``) tells CJK encodings apart (GB18030 read as EUC-JP is a mess); candidates it drops rank last."""
    chaos = {}
    for match in charset_normalizer.from_bytes(head, cp_isolation=[e for e, _ in tied]):
        chaos.setdefault(codecs.lookup(match.encoding).name, match.chaos)
    return sorted(((chaos.get(codecs.lookup(e).name, 1.0), e, t) for e, t in tied), key=lambda c: c[0])


def fallback_encoding(head: bytes) -> str:
    """The encoding of a file that is not UTF-8, from its head (``fallback_choice``). Raises UnreadableFile when none fits."""
    return fallback_choice(head)[0]


# UTF-8 by accident. A byte pair of a legacy CJK encoding whose lead byte is 0xC2-0xDF and trail byte 0x80-0xBF is a valid
# 2-byte UTF-8 sequence (Unicode 15, table 3-7), U+0080-U+07FF: GBK ``元`` (D4 AA) is U+052A ``Ԫ``, ``一`` (D2 BB) ``һ``; a few
# such pairs in an ASCII file make valid UTF-8, and UTF-8 validity, strong evidence over a long text, is weak over a handful.
# What such a pair reads as in UTF-8 is a character no writer puts there: a letter of a block few languages write (below),
# alone among the letters of its word (``12Ԫ``), or a combining mark on no letter (``̧``), a C1 control, a private-use or
# unassigned code point. Genuine UTF-8 writes words of such a block's letters together (``Երևան``) or none at all.
ACCIDENT_MAX_BYTES = 256  # non-ASCII bytes in a head up to which its UTF-8 validity is checked for an accident
ACCIDENT_MAX_CHARACTERS = 16  # or distinct non-ASCII characters (a long price list repeating ``元``); more is proof enough
_RARE_BLOCKS = (  # (first, last, name): blocks of U+0180-U+07FF whose letters real CSV text seldom writes one of alone
    (0x0180, 0x024F, "Latin Extended-B"), (0x0250, 0x02AF, "IPA Extensions"), (0x02B0, 0x02FF, "Spacing Modifier Letters"),
    (0x0370, 0x037F, "Greek (archaic)"), (0x03E2, 0x03EF, "Coptic"), (0x03F3, 0x03FF, "Greek (archaic)"),
    (0x0460, 0x0489, "Cyrillic (historic)"), (0x048A, 0x04FF, "Cyrillic (non-Russian)"), (0x0500, 0x052F, "Cyrillic Supplement"),
    (0x0530, 0x058F, "Armenian"), (0x0591, 0x05C7, "Hebrew points"), (0x0610, 0x061A, "Arabic marks"),
    (0x064B, 0x065F, "Arabic marks"), (0x06D6, 0x06ED, "Arabic marks"), (0x0700, 0x074F, "Syriac"),
    (0x0750, 0x077F, "Arabic Supplement"), (0x0780, 0x07BF, "Thaana"), (0x07C0, 0x07FF, "NKo"),
)  # Hebrew and Arabic letters are not rare: a lone ``א`` (a class) or ``12ب`` (a building) is written
# the scripts those blocks belong to (first, last, script): a letter is alone when its word holds no other letter of its script
_SCRIPTS = (
    (0x0000, 0x024F, "Latin"), (0x0250, 0x02FF, "IPA"), (0x0370, 0x03FF, "Greek"), (0x0400, 0x052F, "Cyrillic"),
    (0x0530, 0x058F, "Armenian"), (0x0590, 0x05FF, "Hebrew"), (0x0600, 0x06FF, "Arabic"), (0x0700, 0x074F, "Syriac"),
    (0x0750, 0x077F, "Arabic"), (0x0780, 0x07BF, "Thaana"), (0x07C0, 0x07FF, "NKo"), (0x1E00, 0x1EFF, "Latin"),
)
# letters of those blocks that living languages write in words of Latin or Greek letters: Romanian ș ț, pinyin's ǎ ǐ ǒ ǔ ǖ ǘ ǚ ǜ,
# Vietnamese ơ ư, Azerbaijani ə, African ɛ ɔ ƒ (the florin), ʻ ʼ (ʻokina, the Ukrainian apostrophe), ˆ ˇ ˘ ˙ ˚ ˛ ˜ ˝ (accents alone),
# and the Greek letters written as symbols (ϐ ϑ ϕ ϖ ϰ ϱ ϵ)
_COMMON_IN_RARE = frozenset(
    "ȘșȚțǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜƠơƯưƏəɛƐɔƆƒʻʼˆˇ˘˙˚˛˜˝ϐϑϕϖϰϱϵ"
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WORD_EDGE = re.compile(r"[\s,;|\t\"'()\[\]{}<>=:/\\]")


def _rare_block(c: str) -> str | None:
    """The name of the _RARE_BLOCKS block ``c`` is in, or None (``c`` outside them or in _COMMON_IN_RARE)."""
    o = ord(c)
    if o < 0x180 or o > 0x7FF or c in _COMMON_IN_RARE:
        return None
    return next((name for first, last, name in _RARE_BLOCKS if first <= o <= last), None)


def _script_of(c: str) -> str | None:
    """The script (_SCRIPTS) of the letter or mark ``c``, None for other characters and scripts."""
    o = ord(c)
    return next((name for first, last, name in _SCRIPTS if first <= o <= last), None) if c.isalpha() or unicodedata.category(c)[0] == "M" else None


def _may_be_odd(c: str) -> bool:
    """Whether ``c`` can score in utf8_oddities: a letter or mark of a rare block, a combining mark of U+0300-U+07FF, a C1
    control, a private-use or unassigned character."""
    category = unicodedata.category(c)
    return (
        category in ("Co", "Cn") or "\x80" <= c <= "\x9f" or (category == "Mn" and 0x300 <= ord(c) <= 0x7FF)
        or (_rare_block(c) is not None and (c.isalpha() or category[0] == "M"))
    )


ODDITY_WORDS = 200  # words around odd-looking characters looked at per head


def utf8_oddities(text: str, chars: set[str] | None = None) -> tuple[int, str]:
    """(points, what) of the characters of a UTF-8 reading that no writer puts where they stand, and the first of them.

    Per word holding such a character (ending at a space or a delimiter; the first ODDITY_WORDS): 3 per letter of a rare
    block (_RARE_BLOCKS) that is the only letter of its script in the word, when no word looked at writes two letters
    of that script (``12Ԫ``, ``Ϊ`` alone; not ``Երևան``, nor ``ґанок``: Ukrainian ґ among Cyrillic letters), 3 per
    combining mark of U+0300-U+07FF after no letter (``1̧``), 5 per C1 control, private-use or unassigned character.
    ``chars``, the distinct non-ASCII characters of ``text`` when known, spares a pass. ``what`` names the first
    (``'Ԫ' (Cyrillic Supplement) alone in 12Ԫ``), "" when points is 0.
    """
    odd = {c for c in (chars if chars is not None else set(_NON_ASCII.findall(text))) if _may_be_odd(c)}
    if not odd:
        return 0, ""
    scripts = {_script_of(c) for c in odd} - {None, "Latin"}
    # the words holding an odd-looking character or a letter of its script (to see whether some word writes two of them)
    near = odd | {c for c in (chars if chars is not None else set(_NON_ASCII.findall(text))) if _script_of(c) in scripts}
    words = []
    seen: set[tuple[int, int]] = set()
    for m in re.finditer("[" + re.escape("".join(sorted(near))) + "]", text):
        start = m.start()
        while start > 0 and not _WORD_EDGE.match(text, start - 1):
            start -= 1
        end = m.end()
        while end < len(text) and not _WORD_EDGE.match(text, end):
            end += 1
        if (start, end) not in seen:
            seen.add((start, end))
            words.append(text[start:end])
            if len(words) >= ODDITY_WORDS:
                break
    written: set[str] = set()  # scripts some word writes two letters of
    for word in words:
        counts: dict[str, int] = {}
        for c in word:
            script = _script_of(c)
            if script and script != "Latin":
                counts[script] = counts.get(script, 0) + 1
        written.update(s for s, n in counts.items() if n > 1)
    points, what = 0, ""
    for word in words:
        for i, c in enumerate(word):
            if c not in odd:
                continue
            found = ""
            category = unicodedata.category(c)
            if category in ("Co", "Cn") or "\x80" <= c <= "\x9f":
                points += 5
                found = f"{c!r} ({'a C1 control' if category == 'Cc' else 'private use' if category == 'Co' else 'unassigned'})"
            elif category == "Mn" and 0x300 <= ord(c) <= 0x7FF and (i == 0 or not word[i - 1].isalpha()):
                points += 3
                found = f"{c!r} (a combining mark on no letter)"
            else:
                block, script = _rare_block(c), _script_of(c)
                if block and script and script not in written and sum(1 for x in word if _script_of(x) == script) == 1:
                    points += 3
                    found = f"{c!r} ({block}) alone"
            if found and not what:
                what = f"{found} in {word}"
    return points, what


@functools.lru_cache(maxsize=8)  # asked by head_encoding, then by CsvFile for the warning: the same head
def accidental_utf8(head: bytes, complete: bool = False) -> EncodingDecision | None:
    """What to make of a head that is valid UTF-8 but reads as odd text so (``12Ԫ``), when another reading is plausible; else None.

    Checked only when ``head`` decodes as UTF-8 and its non-ASCII text is short: ACCIDENT_MAX_BYTES non-ASCII bytes or
    fewer, or ACCIDENT_MAX_CHARACTERS distinct non-ASCII characters or fewer (a price list repeating ``元``); past that,
    UTF-8 validity is proof (the chance that legacy text is valid UTF-8 falls with each different pair). When the UTF-8
    reading scores odd characters (``utf8_oddities``) and the most plausible legacy reading (``legacy_decision``) costs
    nothing before evidence: that reading is taken when it also has evidence of its own (its points below 0: ``12元``,
    a counter after a number), the warning naming UTF-8 and how it reads the bytes; otherwise UTF-8 is kept (the
    decision's encoding is ``utf-8``), the warning naming the legacy readings. A UTF-8 reading without oddities stays
    UTF-8 silently (``Երևան``, ``Москва``, ``א``, emoji), as does one whose legacy readings are implausible too.
    """
    if head.isascii():
        return None
    non_ascii = head.translate(None, _ASCII_BYTES)  # a UTF-8 sequence is all non-ASCII bytes: these decode alone
    chars = set(non_ascii[:4096].decode("utf-8", "ignore"))  # a long head of many characters is told by its first ones
    if len(non_ascii) > ACCIDENT_MAX_BYTES and len(chars) > ACCIDENT_MAX_CHARACTERS:
        return None
    if len(non_ascii) > 4096:  # the characters not among the first ones (str.replace runs in C: cheaper than a set of all)
        rest = non_ascii.decode("utf-8", "ignore")
        for c in chars:
            rest = rest.replace(c, "")
        chars |= set(rest)
    if len(non_ascii) > ACCIDENT_MAX_BYTES and len(chars) > ACCIDENT_MAX_CHARACTERS or not any(map(_may_be_odd, chars)):
        return None
    try:
        text = codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=complete)
    except UnicodeDecodeError:
        return None
    odd, what = utf8_oddities(text, chars)
    if not odd:
        return None
    found = _scored(head, complete)
    if not found:
        return None
    decision = legacy_decision(head, complete, found)
    points, penalty, legacy = next((p, penalty, t) for p, _, penalty, e, t in found if e == decision.encoding)
    if penalty > 0 or legacy == text:
        return None
    line, mine, theirs = _first_difference(legacy, text)
    if points < 0:  # the legacy reading has evidence of its own (a counter after a number, a typographic sign)
        doubt = f"utf-8 reads the bytes too (valid UTF-8 by accident: a few byte pairs), as odd text: {what} (line {line}: {mine} vs {theirs})"
        lead = f"encoding uncertain: read as {decision.encoding}; "
        warning = decision.doubt.replace(lead, f"{lead}{doubt}; ", 1) if decision.doubt else f"{lead}{doubt} — set read.encoding if that is wrong"
        reason = f"valid UTF-8, but odd text so ({what}, {odd} points) and the legacy reading has evidence: {decision.reason}"
        return EncodingDecision(decision.encoding, warning, ["utf-8", *decision.rivals], reason)
    names = [decision.encoding, *decision.rivals]
    return EncodingDecision(
        "utf-8",
        f"encoding uncertain: read as utf-8 (the bytes are valid UTF-8), but as odd text: {what}; {', '.join(names)} "
        f"read{'s' if len(names) == 1 else ''} them as plausible text (line {line}: {theirs} vs {mine}) — set read.encoding "
        "if that is wrong",
        names,
        f"valid UTF-8, kept though odd text so ({what}, {odd} points): no other reading has evidence of its own; next {decision.encoding}",
    )


_ASCII_BYTES = bytes(range(0x80))  # deleted by bytes.translate: what is left is the non-ASCII bytes
