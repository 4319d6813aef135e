"""Read one landing file faithfully: detect encoding and delimiter, keep good rows, quarantine bad ones.

Nothing is interpreted here (no renaming, no typing): the staging table holds every
accepted record exactly as parsed, with its physical line number, so later stages
can always point back at the source.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

import charset_normalizer

DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 64 * 1024
MAX_FIELD_CHARS = 10 * 1024 * 1024

# Magic numbers of formats that are sometimes dropped with a .csv name.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"PAR1", "parquet"),
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
)

csv.field_size_limit(MAX_FIELD_CHARS)


class UnreadableFile(Exception):
    """The whole file cannot be read as CSV; the message says why and what to do."""


@dataclass
class RowIssue:
    line: int
    reason: str
    raw: str


@dataclass
class ParsedFile:
    header: list[str]
    records: list[list[str]]
    lines: list[int]
    encoding: str
    delimiter: str
    issues: list[RowIssue] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.records) + len(self.issues)


def detect_encoding(data: bytes) -> str:
    """BOMs first, then strict UTF-8, then charset-normalizer's best guess."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_western(data):
        return "cp1252"
    best = charset_normalizer.from_bytes(data[: SNIFF_BYTES * 4]).best()
    if best is None:
        raise UnreadableFile("no text encoding fits the bytes (binary file?) — file quarantined; re-export it as CSV")
    return best.encoding


def _looks_western(data: bytes) -> bool:
    """True when ``data`` reads as cp1252 text with accents sprinkled between ASCII letters.

    charset-normalizer often ranks Baltic or Central-European code pages first for
    short Western-European exports (the commonest non-UTF-8 CSVs). Misdecoded
    Cyrillic or Greek, by contrast, turns whole words into accented letters.
    """
    try:
        text = data[: SNIFF_BYTES * 4].decode("cp1252")
    except UnicodeDecodeError:
        return False
    letters = [c for c in text if c.isalpha()]
    accented = sum(1 for c in letters if ord(c) > 127)
    return bool(letters) and accented / len(letters) < 0.15


def check_not_binary(data: bytes) -> None:
    """Reject compressed or binary payloads before trying to parse them."""
    if not data:
        raise UnreadableFile("empty file (0 bytes) — file quarantined")
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise UnreadableFile(f"{kind} data with a CSV name — file quarantined; decompress/convert it and drop it again")
    head = data[:SNIFF_BYTES]
    if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        controls = sum(1 for b in head if b < 9 or 13 < b < 32)
        if controls > max(16, len(head) * 0.05):  # a few stray NULs are repairable; many mean binary
            raise UnreadableFile(
                f"{controls} control bytes in the first {len(head)} bytes: binary, not CSV — file quarantined"
            )


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


def parse_csv(data: bytes, name: str) -> ParsedFile:
    """Parse ``data`` (the bytes of landing file ``name``) into records, quarantining bad rows.

    Raises UnreadableFile when the file as a whole cannot be read.
    """
    check_not_binary(data)
    encoding = detect_encoding(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnreadableFile(f"cannot decode as {encoding}: {exc} — file quarantined") from None
    text = text.lstrip("\ufeff")
    nuls = text.count("\x00")
    if nuls:
        text = text.replace("\x00", "")
    delimiter = sniff_delimiter(text[:SNIFF_BYTES])

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    records: list[list[str]] = []
    lines: list[int] = []
    issues: list[RowIssue] = []
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The reader cannot resync after a broken quote: everything from here is one bad row.
            rest = text.splitlines()[start - 1 :]
            issues.append(RowIssue(start, f"{name} line {start}: unparseable CSV ({exc}) — rest of file quarantined", "\n".join(rest)[:2000]))
            break
        line, start = start, reader.line_num + 1
        if not row or all(not c.strip() for c in row) and len(row) <= 1:
            continue  # blank line: not a record
        if header is None:
            header = row
            continue
        if len(row) > len(header) and not any(c.strip() for c in row[len(header) :]):
            row = row[: len(header)]  # trailing delimiters only
        if len(row) != len(header):
            issues.append(
                RowIssue(
                    line,
                    f"{name} line {line}: {len(row)} fields, header has {len(header)} — row quarantined",
                    delimiter.join(row)[:2000],
                )
            )
            continue
        records.append(row)
        lines.append(line)
    if header is None:
        raise UnreadableFile("no header row (file is blank) — file quarantined")
    return ParsedFile(header=header, records=records, lines=lines, encoding=encoding, delimiter=delimiter, issues=issues)
