"""Read one landing file faithfully: detect encoding and delimiter, keep good rows, quarantine bad ones.

Nothing is interpreted here (no renaming, no typing): the staging table holds every
accepted record exactly as parsed, with its physical line number, so later stages
can always point back at the source.

Reading is streaming and reads the file once: ``CsvFile(data_or_binary_file, name).batches(n)``
yields records in batches of at most ``n`` (with the issues met on the way) while the bytes are
hashed and decoded; ``parse_csv`` collects them all.
A broken row never stops the file: the reader quarantines the physical lines of
the broken record and resynchronizes on the next line.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gc
import itertools
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from headwater.config.read import ReadOptions
from headwater.ingest.sniff import (
    HEAD_BYTES,
    SNIFF_BYTES,
    UnreadableFile,
    check_not_binary,
    fallback_encoding,
    head_encoding,
    sniff_delimiter,
)
from headwater.ingest.streams import (
    DecodeFailed,
    LandingStream,
    physical_lines,
    text_chunks,
)

RAW_PREVIEW_CHARS = 2000  # raw text kept per quarantined row

# The csv module's own limit only guards against runaway quotes; the configurable
# ReadOptions.max_field_chars decides, and quarantines the row instead of failing.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


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


TRIM_CHARS = 1 << 20  # lines of finished records are dropped once this much text has been kept
MIN_RECORD_CAP_CHARS = 16 << 20  # see _LineSource: how far one unfinished record may run before it is given up


class RecordTooLong(Exception):
    """An unfinished record (a quote opened and never closed, so far) has grown past the cap."""


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


class ReadAgain(Exception):
    """The file turned out not to be UTF-8 after its head: it must be read again with a fallback encoding.

    Raised by ``CsvFile.batches()`` (at most once per file) when a byte past the head disproves
    the UTF-8 that the head suggested. The batches handed out so far are void: the caller drops
    what it wrote from them (stage.ingest writes through atomic temp files, so a failed attempt
    leaves nothing), calls ``CsvFile.restart()`` (a second pass over the file) and reads the
    batches again from the first. ``encoding`` is the fallback, ``warning`` the line added to
    ``CsvFile.warnings``.
    """

    def __init__(self, encoding: str, warning: str) -> None:
        super().__init__(warning)
        self.encoding, self.warning = encoding, warning


class CsvFile:
    """One landing file opened for reading: encoding, delimiter and header decided, records streamed.

    ``source`` is the bytes, a binary file object (read from its current position) or a
    ``LandingStream``. The file is read once, block by block: ``stream`` (a LandingStream) hashes
    the bytes as they go by, and the text is decoded strictly as csv.reader consumes its physical
    lines, so memory does not grow with the file and no pass is spent on checks alone. The
    encoding is decided from the file's first HEAD_BYTES bytes (sniff.head_encoding); a byte that
    does not decode later quarantines the file (UnreadableFile: "cannot decode as <encoding>:
    <position in the file> ..."), except when UTF-8 was only suggested by the head: then the file
    is read again with the head's fallback encoding (transparently while the header is read,
    through ReadAgain once records were handed out), and ``warnings`` says so.
    After a broken record the reader restarts on the next physical line (or on the line after an
    unclosed quote's first line), so one bad row never costs the rest of the file.
    Raises UnreadableFile when the file as a whole cannot be read.
    """

    def __init__(self, source: bytes | BinaryIO | LandingStream, name: str, options: ReadOptions | None = None) -> None:
        self.name = name
        self.options = options or ReadOptions()
        self.stream = source if isinstance(source, LandingStream) else LandingStream.for_options(source, self.options)
        self._restart_with: tuple[str, str] | None = None
        try:
            self._open(None, None)
        except DecodeFailed as exc:
            self._restart_with = self._decode_failed(exc)
            self.restart()

    def restart(self) -> None:
        """After ReadAgain: read the file again from its first byte with the fallback encoding (a new pass)."""
        if self._restart_with is None:
            raise RuntimeError("restart() without a ReadAgain: nothing to read again")
        encoding, warning = self._restart_with
        self._restart_with = None
        self.stream.rewind()
        try:
            self._open(encoding, warning)
        except DecodeFailed as exc:
            self._decode_failed(exc)  # the fallback is not provisional: raises UnreadableFile

    def _open(self, encoding: str | None, warning: str | None) -> None:
        """Decide the encoding (``encoding`` when given) and the delimiter from the head, then read the header."""
        self.warnings: list[str] = [warning] if warning else []
        self._head = self.stream.peek(HEAD_BYTES)
        check_not_binary(self._head, self.options.max_nul_share)
        self._provisional = False
        if encoding:
            self.encoding = encoding
        elif self.options.encoding:
            self.encoding = self.options.encoding
        else:
            self.encoding, self._provisional = head_encoding(self._head, complete=len(self._head) < HEAD_BYTES)
        if self.encoding.startswith("utf-16-"):
            self.warnings.append(f"UTF-16 without BOM detected ({self.encoding})")
        try:
            codecs.lookup(self.encoding)
        except LookupError as exc:
            raise UnreadableFile(f"cannot decode as {self.encoding}: {exc} — file quarantined; re-export it as UTF-8") from None
        self._chunks = chunks = text_chunks(self.stream, self.encoding, self._count_nuls)
        sample: list[str] = []
        for text in chunks:  # the first SNIFF_BYTES characters decide the delimiter
            sample.append(text)
            if sum(map(len, sample)) >= SNIFF_BYTES:
                break
        self.delimiter = self.options.delimiter or sniff_delimiter("".join(sample)[:SNIFF_BYTES])
        self._src = _LineSource(physical_lines(itertools.chain(sample, chunks)), MIN_RECORD_CAP_CHARS)
        self._reader = csv.reader(self._src.feed(), delimiter=self.delimiter, strict=True)
        self._base = 0  # physical lines before the current reader's first line
        self._consumed = 0  # physical lines read so far
        self._last_error = ""
        self.header = self._read_header()
        # Past this, a record necessarily holds a field over max_field_chars (quotes doubled): quarantined anyway.
        self._src.cap = max(MIN_RECORD_CAP_CHARS, 2 * (len(self.header) + 1) * (self.options.max_field_chars + 1))

    def _decode_failed(self, exc: DecodeFailed) -> tuple[str, str]:
        """After a byte did not decode: (fallback encoding, warning) when UTF-8 came from the head only; else raise UnreadableFile."""
        if not self._provisional:
            raise UnreadableFile(f"cannot decode as {self.encoding}: {exc} — file quarantined; re-export it as UTF-8") from None
        fallback = fallback_encoding(self._head)
        return fallback, (
            f"not UTF-8 after its first {len(self._head):,} bytes ({exc}): read again as {fallback} (a second read of the file)"
        )

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
                for _ in self._chunks:  # a byte that does not decode, later on, is the file's first fault (as it always was)
                    pass
                raise UnreadableFile(f"line {line}: the header row is not valid CSV ({self._last_error}) — file quarantined; fix the header and drop it again")
            if row and not (len(row) == 1 and not row[0].strip()):
                return row

    def batches(self, size: int = 50_000) -> Iterator[Batch]:
        """Records in batches of at most ``size``; each bad row becomes an issue in the batch where it was met.

        Raises ReadAgain when the file must be read again with another encoding (see CsvFile), and
        UnreadableFile when a byte does not decode in the file's encoding.
        """
        while True:
            try:
                with _gc_paused():  # millions of small lists: cyclic GC passes would double the parse time
                    batch = self._fill(size)
            except DecodeFailed as exc:
                self._restart_with = self._decode_failed(exc)
                raise ReadAgain(*self._restart_with) from None
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
    """Open ``data`` and return the opened file (header, encoding, delimiter) with its batch iterator (which may raise ReadAgain)."""
    f = CsvFile(data, name, options)
    return f, f.batches(size)


def parse_csv(data: bytes | BinaryIO, name: str, options: ReadOptions | None = None) -> ParsedFile:
    """Parse ``data`` (the bytes of landing file ``name``) into records, quarantining bad rows.

    Raises UnreadableFile when the file as a whole cannot be read.
    """
    f = CsvFile(data, name, options)
    while True:
        records: list[list[str]] = []
        lines: list[int] = []
        issues: list[RowIssue] = []
        try:
            for batch in f.batches():
                records.extend(batch.records)
                lines.extend(batch.lines)
                issues.extend(batch.issues)
        except ReadAgain:
            f.restart()
            continue
        return ParsedFile(f.header, records, lines, f.encoding, f.delimiter, issues, f.warnings)
