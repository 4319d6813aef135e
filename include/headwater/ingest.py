"""Read one landing file faithfully: detect encoding and delimiter, keep good rows, quarantine bad ones.

Nothing is interpreted here (no renaming, no typing): the staging table holds every
accepted record exactly as parsed, with its physical line number, so later stages
can always point back at the source.

Reading is streaming: ``CsvFile(data_or_binary_file, name).batches(n)`` yields records in batches
of at most ``n`` (with the issues met on the way); ``parse_csv`` collects them all.
A broken row never stops the file: the reader quarantines the physical lines of
the broken record and resynchronizes on the next line.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gc
import hashlib
import io
import itertools
import shutil
import sys
import tempfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

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
    """The encoding CsvFile would detect for ``data`` (see _stream_encoding)."""
    return _stream_encoding(io.BytesIO(data), 0, data[: SNIFF_BYTES * 4])[0]


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


READ_BLOCK = 1 << 20  # bytes read (and decoded) at a time
TRIM_CHARS = 1 << 20  # lines of finished records are dropped once this much text has been kept
MIN_RECORD_CAP_CHARS = 16 << 20  # see _LineSource: how far one unfinished record may run before it is given up


class RecordTooLong(Exception):
    """An unfinished record (a quote opened and never closed, so far) has grown past the cap."""


def open_source(source: bytes | BinaryIO) -> BinaryIO:
    """A seekable binary stream over ``source``: bytes are wrapped, a non-seekable stream is spooled to a temp file."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(source)
    if source.seekable():
        return source
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the process or by GC; the caller owns the source
    shutil.copyfileobj(source, spool, READ_BLOCK)
    spool.seek(0)
    return spool


def stream_sha256(source: bytes | BinaryIO) -> tuple[str, int]:
    """(sha256 hex, size in bytes) of ``source`` read block by block; a seekable stream is left where it started."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return hashlib.sha256(source).hexdigest(), len(source)
    origin = source.tell() if source.seekable() else None
    digest, size = hashlib.sha256(), 0
    while block := source.read(READ_BLOCK):
        digest.update(block)
        size += len(block)
    if origin is not None:
        source.seek(origin)
    return digest.hexdigest(), size


class _DecodeFailed(Exception):
    """The stream does not decode; the message is bytes.decode's, with positions counted from the file start."""


def _check_decodes(stream: BinaryIO, origin: int, encoding: str) -> None:
    """Decode the whole stream block by block (the text is dropped); raise _DecodeFailed if it does not decode."""
    stream.seek(origin)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    fed = 0
    while True:
        buffered = decoder.getstate()[0]  # bytes held back from earlier blocks (an unfinished character)
        block = stream.read(READ_BLOCK)
        try:
            decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            shift = fed - (len(buffered) if isinstance(buffered, bytes) else 0)
            start, end = shift + exc.start, shift + exc.end
            where = f"byte 0x{exc.object[exc.start]:02x} in position {start}" if end - start == 1 else f"bytes in position {start}-{end - 1}"
            raise _DecodeFailed(f"'{exc.encoding}' codec can't decode {where}: {exc.reason}") from None
        if not block:
            return
        fed += len(block)


def _stream_encoding(stream: BinaryIO, origin: int, head: bytes) -> tuple[str, bool]:
    """(encoding, already checked to decode the whole file): BOMs first, then BOM-less UTF-16,
    strict UTF-8 (the whole stream, block by block), cp1252 for Western text, then charset-normalizer's guess."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", False
    utf16 = utf16_without_bom(head)
    if utf16:
        return utf16, False
    try:
        _check_decodes(stream, origin, "utf-8")
        return "utf-8", True
    except _DecodeFailed:
        pass
    if _looks_western(head):
        return "cp1252", False
    best = charset_normalizer.from_bytes(head[: SNIFF_BYTES * 4]).best()
    if best is None:
        raise UnreadableFile("no text encoding fits the bytes (binary file?) — file quarantined; re-export it as CSV")
    return best.encoding, False


def _text_chunks(stream: BinaryIO, encoding: str, on_end) -> Iterator[str]:  # noqa: ANN001 - on_end(nuls)
    """Decoded text block by block, leading BOMs stripped and NULs removed (as the whole-text reader did)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    at_start, nuls = True, 0
    while True:
        block = stream.read(READ_BLOCK)
        text = decoder.decode(block, final=not block)
        if at_start and text:
            text = text.lstrip("\ufeff")
            at_start = not text
        if "\x00" in text:
            # NUL padding comes from fixed-width exports and broken copies; it carries no data.
            nuls += text.count("\x00")
            text = text.replace("\x00", "")
        if text:
            yield text
        if not block:
            on_end(nuls)
            return


def _physical_lines(chunks: Iterator[str]) -> Iterator[str]:
    """Lines ending in \r\n, \r or \n (line ends kept), as csv.reader over io.StringIO(newline="") sees them."""
    rest: list[str] = []  # the unfinished last line, in pieces (a line may span many blocks)
    for text in chunks:
        if "\n" not in text and "\r" not in text and not (rest and rest[-1].endswith("\r")):
            rest.append(text)  # still inside one long line: join once its end comes
            continue
        if rest:
            text = "".join(rest) + text
            rest.clear()
        lines = io.StringIO(text, newline="").readlines()
        last = lines[-1]
        if not last.endswith("\n"):  # no line end yet, or a \r whose \n may come with the next block
            lines.pop()
            rest.append(last)
        yield from lines
    if rest:
        yield "".join(rest)


class _LineSource:
    """Feeds physical lines to csv.reader and keeps the lines of the record being read.

    The kept lines give the raw text of a broken record and let the reader re-read
    the lines after an unclosed quote's first line. Lines of finished records
    (up to ``done``) are dropped as text accumulates, so memory stays bounded by
    the longest record. An unfinished record longer than ``cap`` characters raises
    RecordTooLong: the reader then treats its quote as unclosed (first line
    quarantined, the rest re-read) instead of buffering the rest of the file.
    """

    def __init__(self, lines: Iterator[str], cap: int) -> None:
        self._lines = lines
        self.cap = cap
        self.kept: list[str] = []
        self.first = 1  # line number of kept[0]
        self.done = 0  # lines up to this one belong to finished records
        self._chars = 0
        self._trim_at = TRIM_CHARS
        self._pending: deque[str] = deque()  # lines fetched before, to be read again first

    @property
    def last(self) -> int:
        """Number of the last line handed out (or kept)."""
        return self.first + len(self.kept) - 1

    def feed(self) -> Iterator[str]:
        """A fresh line iterator for a new csv.reader: lines to read again first, then the rest of the file.

        An abandoned iterator loses nothing: pending lines leave the queue only when handed out.
        """
        kept, pending = self.kept, self._pending
        while pending:
            line = pending.popleft()
            kept.append(line)
            self._chars += len(line)
            if self._chars > self._trim_at:
                self._trim()
            yield line
        for line in self._lines:  # the hot path
            kept.append(line)
            self._chars += len(line)
            if self._chars > self._trim_at:
                self._trim()
            yield line

    def _trim(self) -> None:
        drop = self.done - self.first + 1
        if drop > 0:
            del self.kept[:drop]
            self.first += drop
        self._chars = sum(map(len, self.kept))
        self._trim_at = self._chars + TRIM_CHARS
        if self._chars > self.cap:
            raise RecordTooLong(f"a record runs on past {self.cap:,} characters (a quote that never closes?)")

    def span(self, first: int, last: int) -> str:
        """Lines ``first``..``last`` (still kept), line ends included, cut at RAW_PREVIEW_CHARS."""
        out, size = [], 0
        for line in self.kept[first - self.first : last - self.first + 1]:
            out.append(line)
            size += len(line)
            if size >= RAW_PREVIEW_CHARS:
                break
        return "".join(out)[:RAW_PREVIEW_CHARS]

    def restart_after(self, end: int, reread: bool) -> None:
        """Forget lines up to ``end``; queue the kept lines after it to be read again when ``reread``."""
        if reread:
            self._pending.extendleft(reversed(self.kept[end - self.first + 1 :]))
        self.kept.clear()
        self.first = end + 1
        self.done = end
        self._chars = 0
        self._trim_at = TRIM_CHARS


class CsvFile:
    """One landing file opened for reading: encoding, delimiter and header decided, records streamed.

    ``source`` is the bytes or a binary file object (read from its current position;
    a non-seekable one is spooled to a temp file). The file is read block by block:
    one pass checks that it decodes (and decides UTF-8), the next parses it with
    csv.reader over its physical lines, so memory does not grow with the file.
    After a broken record the reader restarts on the next physical line (or on
    the line after an unclosed quote's first line), so one bad row never costs the
    rest of the file.
    """

    def __init__(self, source: bytes | BinaryIO, name: str, options: ReadOptions | None = None) -> None:
        self.name = name
        self.options = options or ReadOptions()
        self.warnings: list[str] = []
        stream = open_source(source)
        origin = stream.tell()
        head = stream.read(SNIFF_BYTES * 4)
        check_not_binary(head, self.options.max_nul_share)
        checked = False
        if self.options.encoding:
            self.encoding = self.options.encoding
        else:
            self.encoding, checked = _stream_encoding(stream, origin, head)
        if self.encoding.startswith("utf-16-"):
            self.warnings.append(f"UTF-16 without BOM detected ({self.encoding})")
        try:
            if not checked:
                _check_decodes(stream, origin, self.encoding)
        except (_DecodeFailed, LookupError) as exc:
            raise UnreadableFile(f"cannot decode as {self.encoding}: {exc} — file quarantined; re-export it as UTF-8") from None
        stream.seek(origin)
        chunks = _text_chunks(stream, self.encoding, self._count_nuls)
        sample: list[str] = []
        for text in chunks:  # the first SNIFF_BYTES characters decide the delimiter
            sample.append(text)
            if sum(map(len, sample)) >= SNIFF_BYTES:
                break
        self.delimiter = self.options.delimiter or sniff_delimiter("".join(sample)[:SNIFF_BYTES])
        self._src = _LineSource(_physical_lines(itertools.chain(sample, chunks)), MIN_RECORD_CAP_CHARS)
        self._reader = csv.reader(self._src.feed(), delimiter=self.delimiter, strict=True)
        self._base = 0  # physical lines before the current reader's first line
        self._consumed = 0  # physical lines read so far
        self._last_error = ""
        self.header = self._read_header()
        # Past this, a record necessarily holds a field over max_field_chars (quotes doubled): quarantined anyway.
        self._src.cap = max(MIN_RECORD_CAP_CHARS, 2 * (len(self.header) + 1) * (self.options.max_field_chars + 1))

    def _count_nuls(self, nuls: int) -> None:
        if nuls:
            self.warnings.append(f"{nuls} NUL byte(s) removed")

    def _next(self) -> tuple[int, list[str] | None, int] | None:
        """(first line, row or None when broken, last line) of the next record; None at the end."""
        start = self._consumed + 1
        try:
            row = next(self._reader)
        except StopIteration:
            return None
        except (csv.Error, RecordTooLong) as exc:
            return start, None, self._recover(start, exc)
        self._consumed = self._src.done = self._base + self._reader.line_num
        return start, row, self._consumed

    def _recover(self, start: int, exc: Exception) -> int:
        """After a broken record starting at ``start``: restart the reader past it; return its last line.

        Its raw preview is taken before the kept lines are forgotten (``self._last_raw``).
        """
        end = max(start, self._src.last)
        reread = end > start and (isinstance(exc, RecordTooLong) or "unexpected end of data" in str(exc))
        if reread:
            end = start  # a quote opened on this line never closed: only this line is bad; re-read the rest
        self._last_raw = self._src.span(start, end)
        self._src.restart_after(end, reread)
        self._consumed = self._base = end
        self._reader = csv.reader(self._src.feed(), delimiter=self.delimiter, strict=True)
        self._last_error = str(exc)
        return end

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
        reader, base, src = self._reader, self._base, self._src
        start = self._consumed + 1
        try:
            for row in reader:
                line, last = start, base + reader.line_num
                start = last + 1
                src.done = last  # the kept lines up to ``last`` may go once this row is handled (no read in between)
                if len(row) == width and max(map(len, row)) <= limit:
                    records.append(row)
                    lines.append(line)
                elif not row or (len(row) == 1 and not row[0].strip()):
                    pass  # blank line: not a record
                else:
                    if len(row) > width and not any(c.strip() for c in row[width:]):
                        row = row[:width]  # trailing delimiters only
                    if len(row) != width:
                        issues.append(RowIssue(line, f"{name} line {line}: {len(row)} fields, header has {width} — row quarantined", src.span(line, last)))
                    elif max(map(len, row)) > limit:
                        i = max(range(width), key=lambda k: len(row[k]))
                        reason = (
                            f"{name} line {line}: field {i + 1} ({self.header[i].strip() or 'unnamed'}) has {len(row[i]):,} characters, "
                            f"more than read.max_field_chars={limit:,} — row quarantined"
                        )
                        issues.append(RowIssue(line, reason, src.span(line, last)))
                    else:
                        records.append(row)
                        lines.append(line)
                if len(records) >= size:
                    self._consumed = last
                    return True
            self._consumed = start - 1
            return None
        except (csv.Error, RecordTooLong) as exc:
            self._recover(start, exc)
        issues.append(RowIssue(start, f"{name} line {start}: unparseable CSV ({self._last_error}) — row quarantined", self._last_raw))
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


def iter_batches(data: bytes | BinaryIO, name: str, options: ReadOptions | None = None, size: int = 50_000) -> tuple[CsvFile, Iterator[Batch]]:
    """Open ``data`` and return the opened file (header, encoding, delimiter) with its batch iterator."""
    f = CsvFile(data, name, options)
    return f, f.batches(size)


def parse_csv(data: bytes | BinaryIO, name: str, options: ReadOptions | None = None) -> ParsedFile:
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
