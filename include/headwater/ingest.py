"""Read one landing file faithfully: detect encoding and delimiter, keep good rows, quarantine bad ones.

Nothing is interpreted here (no renaming, no typing): the staging table holds every
accepted record exactly as parsed, with its physical line number, so later stages
can always point back at the source.

Reading is streaming: ``CsvFile(data, name).batches(n)`` yields records in batches
of at most ``n`` (with the issues met on the way); ``parse_csv`` collects them all.
A broken row never stops the file: the reader quarantines the physical lines of
the broken record and resynchronizes on the next line.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gc
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import charset_normalizer

from headwater.options import check_choice, check_range

DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 64 * 1024
RAW_PREVIEW_CHARS = 2000  # raw text kept per quarantined row

# Magic numbers of formats that are sometimes dropped with a .csv name.
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

# The csv module's own limit only guards against runaway quotes; the configurable
# ReadOptions.max_field_chars decides, and quarantines the row instead of failing.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class ReadOptions:
    """How a landing file is read."""

    max_field_chars: int = field(default=1_048_576, metadata={"help": "A row with a longer field is quarantined (the file goes on)."})
    encoding: str | None = field(default=None, metadata={"help": "Force an encoding (e.g. cp1252) instead of detecting it."})
    delimiter: str | None = field(default=None, metadata={"help": "Force a delimiter (, ; tab |) instead of sniffing it."})
    max_nul_share: float = field(default=0.05, metadata={"help": "More NUL/control bytes than this share of the first 64 KiB: the file is binary."})

    def __post_init__(self) -> None:
        check_range("max_field_chars", self.max_field_chars, 1)
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise ValueError(f"encoding: {self.encoding!r} is not a known codec") from None
        if self.delimiter is not None:
            if self.delimiter in ("tab", "\\t"):
                self.delimiter = "\t"
            check_choice("delimiter", self.delimiter, DELIMITERS)
        check_range("max_nul_share", self.max_nul_share, 0, 1)


class UnreadableFile(Exception):
    """The whole file cannot be read as CSV; the message says why and what to do."""


@dataclass
class RowIssue:
    line: int
    reason: str
    raw: str


@dataclass
class Batch:
    records: list[list[str]]
    lines: list[int]
    issues: list[RowIssue]


@dataclass
class ParsedFile:
    header: list[str]
    records: list[list[str]]
    lines: list[int]
    encoding: str
    delimiter: str
    issues: list[RowIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.records) + len(self.issues)


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
    """BOMs first, then BOM-less UTF-16, strict UTF-8, cp1252 for Western text, then charset-normalizer's guess."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = utf16_without_bom(data)
    if utf16:
        return utf16
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


def check_not_binary(data: bytes, max_control_share: float = 0.05) -> None:
    """Reject empty, compressed, binary or HTML payloads before trying to parse them."""
    if not data:
        raise UnreadableFile("empty file (0 bytes) — file quarantined")
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


_NEWLINE = re.compile(r"\r\n|\r|\n")  # what csv.reader over io.StringIO(newline="") treats as a line end


class _LineTable:
    """Physical lines of the text by number (1-based), indexed only when first needed (an issue was met)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            starts = [0, *(m.end() for m in _NEWLINE.finditer(self.text))]
            if starts[-1] == len(self.text):
                starts.pop()  # the text ends with a line end: no empty last line
            self._starts = starts
        return self._starts

    def span(self, first: int, last: int) -> str:
        """The text of lines ``first``..``last``, line ends included."""
        starts = self.starts
        stop = starts[last] if last < len(starts) else len(self.text)
        return self.text[starts[first - 1] : stop]

    def iter_from(self, first: int) -> Iterator[str]:
        starts = self.starts
        for i in range(first - 1, len(starts)):
            yield self.text[starts[i] : starts[i + 1] if i + 1 < len(starts) else len(self.text)]


class CsvFile:
    """One landing file opened for reading: encoding, delimiter and header decided, records streamed.

    Records come from csv.reader over the whole text (fast path). After a broken
    record the reader restarts on the next physical line (or on the line after an
    unclosed quote's first line), so one bad row never costs the rest of the file.
    """

    def __init__(self, data: bytes, name: str, options: ReadOptions | None = None) -> None:
        self.name = name
        self.options = options or ReadOptions()
        self.warnings: list[str] = []
        check_not_binary(data, self.options.max_nul_share)
        self.encoding = self.options.encoding or detect_encoding(data)
        if self.encoding.startswith("utf-16-"):
            self.warnings.append(f"UTF-16 without BOM detected ({self.encoding})")
        try:
            text = data.decode(self.encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise UnreadableFile(f"cannot decode as {self.encoding}: {exc} — file quarantined; re-export it as UTF-8") from None
        text = text.lstrip("\ufeff")
        nuls = text.count("\x00")
        if nuls:
            # NUL padding comes from fixed-width exports and broken copies; it carries no data.
            text = text.replace("\x00", "")
            self.warnings.append(f"{nuls} NUL byte(s) removed")
        self.delimiter = self.options.delimiter or sniff_delimiter(text[:SNIFF_BYTES])
        self._lines = _LineTable(text)
        self._reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter, strict=True)
        self._base = 0  # physical lines before the current reader's first line
        self._consumed = 0  # physical lines read so far
        self._last_error = ""
        self.header = self._read_header()

    def _next(self) -> tuple[int, list[str] | None, int] | None:
        """(first line, row or None when broken, last line) of the next record; None at the end."""
        start = self._consumed + 1
        try:
            row = next(self._reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            return start, None, self._recover(start, exc)
        self._consumed = self._base + self._reader.line_num
        return start, row, self._consumed

    def _recover(self, start: int, exc: csv.Error) -> int:
        """After a broken record starting at ``start``: restart the reader past it; return its last line."""
        end = max(start, self._base + self._reader.line_num)
        if end > start and "unexpected end of data" in str(exc):
            end = start  # a quote opened on this line never closed: only this line is bad; re-read the rest
        self._consumed = self._base = end
        self._reader = csv.reader(self._lines.iter_from(end + 1), delimiter=self.delimiter, strict=True)
        self._last_error = str(exc)
        return end

    def _raw(self, first: int, last: int) -> str:
        return self._lines.span(first, last)[:RAW_PREVIEW_CHARS]

    def _read_header(self) -> list[str]:
        while True:
            item = self._next()
            if item is None:
                raise UnreadableFile("no header row (file is blank) — file quarantined")
            line, row, _ = item
            if row is None:
                raise UnreadableFile(f"line {line}: the header row is not valid CSV ({self._last_error}) — file quarantined; fix the header and drop it again")
            if row and not (len(row) == 1 and not row[0].strip()):
                return row

    def batches(self, size: int = 50_000) -> Iterator[Batch]:
        """Records in batches of at most ``size``; each bad row becomes an issue in the batch where it was met."""
        while True:
            with _gc_paused():  # millions of small lists: cyclic GC passes would double the parse time
                batch = self._fill(size)
            if batch is None:
                return
            yield batch

    def _fill(self, size: int) -> Batch | None:
        """The next batch, or None at the end of the file (the loop is the hot path: kept flat)."""
        width, limit, name = len(self.header), self.options.max_field_chars, self.name
        records: list[list[str]] = []
        lines: list[int] = []
        issues: list[RowIssue] = []
        while len(records) < size:
            if self._read_rows(records, lines, issues, width, limit, name, size) is None:
                break
        if not records and not issues:
            return None
        return Batch(records, lines, issues)

    def _read_rows(self, records, lines, issues, width, limit, name, size) -> bool | None:
        """Read rows into ``records`` until the batch is full or a broken record was set aside (True), or the end (None)."""
        reader, base = self._reader, self._base
        start = self._consumed + 1
        try:
            for row in reader:
                line, last = start, base + reader.line_num
                start = last + 1
                if len(row) == width and max(map(len, row)) <= limit:
                    records.append(row)
                    lines.append(line)
                elif not row or (len(row) == 1 and not row[0].strip()):
                    pass  # blank line: not a record
                else:
                    if len(row) > width and not any(c.strip() for c in row[width:]):
                        row = row[:width]  # trailing delimiters only
                    if len(row) != width:
                        issues.append(RowIssue(line, f"{name} line {line}: {len(row)} fields, header has {width} — row quarantined", self._raw(line, last)))
                    elif max(map(len, row)) > limit:
                        i = max(range(width), key=lambda k: len(row[k]))
                        reason = (
                            f"{name} line {line}: field {i + 1} ({self.header[i].strip() or 'unnamed'}) has {len(row[i]):,} characters, "
                            f"more than read.max_field_chars={limit:,} — row quarantined"
                        )
                        issues.append(RowIssue(line, reason, self._raw(line, last)))
                    else:
                        records.append(row)
                        lines.append(line)
                if len(records) >= size:
                    self._consumed = last
                    return True
            self._consumed = start - 1
            return None
        except csv.Error as exc:
            last = self._recover(start, exc)
        issues.append(RowIssue(start, f"{name} line {start}: unparseable CSV ({self._last_error}) — row quarantined", self._raw(start, last)))
        return True


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def iter_batches(data: bytes, name: str, options: ReadOptions | None = None, size: int = 50_000) -> tuple[CsvFile, Iterator[Batch]]:
    """Open ``data`` and return the opened file (header, encoding, delimiter) with its batch iterator."""
    f = CsvFile(data, name, options)
    return f, f.batches(size)


def parse_csv(data: bytes, name: str, options: ReadOptions | None = None) -> ParsedFile:
    """Parse ``data`` (the bytes of landing file ``name``) into records, quarantining bad rows.

    Raises UnreadableFile when the file as a whole cannot be read.
    """
    f = CsvFile(data, name, options)
    records: list[list[str]] = []
    lines: list[int] = []
    issues: list[RowIssue] = []
    for batch in f.batches():
        records.extend(batch.records)
        lines.extend(batch.lines)
        issues.extend(batch.issues)
    return ParsedFile(f.header, records, lines, f.encoding, f.delimiter, issues, f.warnings)
