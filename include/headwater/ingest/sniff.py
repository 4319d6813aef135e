"""Before parsing: is this a text file at all, in which encoding, with which delimiter?

Everything here looks at the first bytes (``HEAD_BYTES``; decompressed first when the file is
compressed, see streams.LandingStream), so a binary or HTML payload is quarantined with a reason
before any row is read, and the encoding is decided without a pass over the whole file: the parse
decodes strictly and proves it (see csv_file.CsvFile).
"""

from __future__ import annotations

import codecs
import csv

import charset_normalizer

from headwater.config.read import DELIMITERS
from headwater.ingest.streams import UnreadableFile

SNIFF_BYTES = 64 * 1024  # characters that decide the delimiter; bytes checked for control characters
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
    """The encoding CsvFile ends up reading ``data`` with (head_encoding, then fallback_encoding if UTF-8 fails later)."""
    head = data[:HEAD_BYTES]
    encoding, provisional = head_encoding(head, complete=len(data) <= HEAD_BYTES)
    if provisional:
        try:
            codecs.decode(data, "utf-8")
        except UnicodeDecodeError:
            return fallback_encoding(head)
    return encoding


def _looks_western(data: bytes) -> bool:
    """True when ``data`` reads as cp1252 text with accents sprinkled between ASCII letters.

    charset-normalizer often ranks Baltic or Central-European code pages first for
    short Western-European exports (the commonest non-UTF-8 CSVs). Misdecoded
    Cyrillic or Greek, by contrast, turns whole words into accented letters.
    """
    try:
        text = data[:HEAD_BYTES].decode("cp1252")
    except UnicodeDecodeError:
        return False
    letters = [c for c in text if c.isalpha()]
    accented = sum(1 for c in letters if ord(c) > 127)
    return bool(letters) and accented / len(letters) < 0.15


def check_not_binary(data: bytes, max_control_share: float = 0.05) -> None:
    """Reject compressed, binary or HTML payloads before trying to parse them (an empty file is not one: it has no rows)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise UnreadableFile(f"{kind} data with a CSV name — file quarantined; decompress/convert it and drop it again")
    if data[:512].lstrip().lower().startswith(_HTML_STARTS):
        raise UnreadableFile("an HTML page with a CSV name (an error page saved by the exporter?) — file quarantined; export the CSV again")
    head = data[:SNIFF_BYTES]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or utf16_without_bom(head):
        return
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if controls > max(16, len(head) * max_control_share):  # a few stray NULs are repairable; many mean binary
        raise UnreadableFile(f"{controls} control bytes in the first {len(head)} bytes: binary, not CSV — file quarantined")


def sniff_delimiter(sample: str) -> str:
    """The candidate delimiter whose split gives the most consistent field count (>1) over the sample."""
    lines = [ln for ln in sample.splitlines() if ln.strip()][:50]
    if not lines:
        return ","
    best, best_score = ",", (-1.0, 0)
    for cand in DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=cand)]
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = (counts.count(mode) / len(counts), mode)
        if score > best_score:
            best, best_score = cand, score
    return best


def head_encoding(head: bytes, complete: bool) -> tuple[str, bool]:
    """(encoding, provisional) decided from ``head``, the first HEAD_BYTES bytes of a file.

    In order: a UTF-8 or UTF-16 BOM, BOM-less UTF-16, strict UTF-8 over the head, then
    fallback_encoding (cp1252 for Western text, else charset-normalizer's guess). ``complete``
    says that ``head`` is the whole file. ``provisional`` is True when UTF-8 was chosen from a head
    that is not the whole file: a later byte may still disprove it, and the file is then read with
    ``fallback_encoding(head)``, the encoding a whole-file UTF-8 check would have led to.
    Raises UnreadableFile when the head is not UTF-8 and no encoding fits it.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", False
    utf16 = utf16_without_bom(head)
    if utf16:
        return utf16, False
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=complete)  # a character cut at the end is fine
        return "utf-8", not complete
    except UnicodeDecodeError:
        return fallback_encoding(head), False


def fallback_encoding(head: bytes) -> str:
    """The encoding of a file that is not UTF-8, from its head: cp1252 for Western text, else charset-normalizer's best guess.

    Raises UnreadableFile when no encoding fits the bytes.
    """
    if _looks_western(head):
        return "cp1252"
    best = charset_normalizer.from_bytes(head[:HEAD_BYTES]).best()
    if best is None:
        raise UnreadableFile("no text encoding fits the bytes (binary file?) — file quarantined; re-export it as CSV")
    return best.encoding
