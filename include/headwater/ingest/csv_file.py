"""Read one landing file faithfully: detect encoding and table, keep good rows, quarantine bad ones, account for every record.

Nothing is interpreted here (no renaming, no typing): the staging table holds every
accepted record exactly as parsed, with its physical line number, so later stages
can always point back at the source.

Reading is streaming and reads the file once: ``CsvFile(data_or_binary_file, name).batches(n)``
yields records in batches of at most ``n`` (an Arrow table, with the issues met on the way) while
the bytes are hashed and decoded; ``parse_csv`` collects them all.

The bulk of a file is parsed at C speed (``read.engine: arrow``, the default): runs of lines that
provably read the same through pyarrow's CSV reader and csv.reader (headwater.ingest.bulk) go to
pyarrow, everything else to the careful reader below, which keeps its reasons, line numbers and
structural lines; ``read.engine: python`` reads every line carefully. Both give the same batches
(tests/include/headwater/ingest/test_bulk.py compares them, on every input of the ingest tests too).
A broken row never stops the file: the reader quarantines the physical lines of
the broken record and resynchronizes on the next line.

Where the table is (dialect, lines above it, header rows or none, widths) is decided from the
head by headwater.ingest.table before any record is read; the lines that are not data (sep line,
preamble, blank lines, header rows, header description lines, repeated headers) are counted by kind in ``Structure``, so
that every physical record is data, quarantined, or a named structural line.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import csv
import gc
import itertools
import re
import sys
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from headwater.config.read import ReadOptions
from headwater.ingest import bulk
from headwater.ingest.escapes import ESCAPECHAR, backslash_escapes
from headwater.ingest.sniff import (
    HEAD_BYTES,
    SNIFF_BYTES,
    UnreadableFile,
    check_not_binary,
    SURROGATES,
    accidental_utf8,
    encoding_decision,
    fallback_choice,
    head_encoding,
    sample_end,
    utf8_line_counts,
)
from headwater.ingest.streams import (
    DecodeFailed,
    LandingStream,
    newline_lines,
    physical_lines,
    text_chunks,
)
from headwater.ingest.table import (
    CR_IN_FIELD,
    another_pair,
    names_over_pairs,
    PROFILE_ROWS,
    parse_rows,
    DATE,
    TEXT,
    TYPED,
    Shape,
    by_newline,
    column_names,
    has_bare_cr,
    cr_parts,
    find_table,
    header_key,
    header_votes,
    is_blank,
    colon_label,
    label_pair,
    RULE_REASON,
    ROW_COUNT,
    rule_line,
    names_only,
    another_section,
    section_names,
    shape,
    value_kind,
)

RAW_PREVIEW_CHARS = 2000  # raw text kept per quarantined row
KEPT_LINES = 100  # line numbers kept per kind of structural line (the count is always whole)
KEPT_TEXTS = 50  # preamble lines kept with their text
TEXT_CHARS = 500  # characters kept of each such line

# The csv module's own limit only guards against runaway quotes; the configurable
# ReadOptions.max_field_chars decides, and quarantines the row instead of failing.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class RowIssue:
    line: int
    reason: str
    raw: str


def absent_empties(row: list[str], text: str, dialect: dict[str, object], exact: bool = True) -> list[str | None]:
    """``row`` (csv.reader's fields of the record written as ``text``) with each empty field that was not quoted as None.

    An empty unquoted field wrote nothing (a missing value: PostgreSQL ``COPY ... CSV`` writes NULL so), a quoted one
    (``""``) an empty string; csv.reader returns ``""`` for both (Python 3.11; ``csv.QUOTE_NOTNULL`` reading came in
    3.12), so the fields of ``text`` are scanned again (``dialect``: csv.reader's keywords) for which ones opened with the
    quote character. When the scan does not find ``len(row)`` fields, or ``exact`` is False (the row was cut or reordered
    from the fields as written), every empty field is None, as an unquoted one. Arrow reads the plain lines the same way
    (headwater.ingest.bulk: ``quoted_strings_can_be_null=False``).
    """
    if "" not in row:
        return list(row)
    quote = str(dialect.get("quotechar") or '"')
    if not exact or quote not in text:
        return [None if v == "" else v for v in row]
    quoted = _quoted_fields(text, str(dialect.get("delimiter", ",")), quote, dialect.get("escapechar"), bool(dialect.get("skipinitialspace")))
    if len(quoted) != len(row):
        return [None if v == "" else v for v in row]
    return [None if v == "" and not q else v for v, q in zip(row, quoted)]


def _quoted_fields(text: str, delimiter: str, quote: str, escape: object, skip_space: bool) -> list[bool]:
    """For each field of the record ``text`` (line ends included), whether it opened with ``quote`` (csv.reader's rules:
    a doubled quote inside a quoted field, ``escape`` escaping the next character, spaces skipped after a delimiter)."""
    flags: list[bool] = []
    i, n = 0, len(text.rstrip("\r\n"))
    while True:
        if skip_space:
            while i < n and text[i] == " ":
                i += 1
        opened = i < n and text[i] == quote
        flags.append(opened)
        if opened:
            i += 1
            while i < n:
                c = text[i]
                if escape and c == escape:
                    i += 2
                    continue
                if c == quote:
                    if i + 1 < len(text) and text[i + 1] == quote:
                        i += 2
                        continue
                    i += 1
                    break
                i += 1
        while i < n and text[i] != delimiter:  # the rest of the field (after a closing quote: nothing, in a strict read)
            if escape and text[i] == escape:
                i += 1
            i += 1
        if i >= n:
            return flags
        i += 1  # the delimiter


def staging_schema(width: int) -> pa.Schema:
    """The staging table's columns: ``_line`` (int64, the record's first physical line) and ``c0``..``c{width-1}`` (string)."""
    return pa.schema([("_line", pa.int64())] + [(f"c{i}", pa.string()) for i in range(width)])


def _records_table(records: list[list[str | None]], lines: list[int], width: int) -> pa.Table:
    """Records read by the careful reader as a staging table (staging_schema)."""
    columns = list(zip(*records)) if records else [()] * width
    arrays = [pa.array(lines, pa.int64())] + [pa.array(col, pa.string()) for col in columns]
    return pa.Table.from_arrays(arrays, schema=staging_schema(width))


@dataclass
class Batch:
    """Records in file order as a staging table (staging_schema: ``_line`` and ``c0``...), with the bad rows met among them."""

    table: pa.Table
    issues: list[RowIssue]

    @property
    def lines(self) -> list[int]:
        """The first physical line of each record."""
        return self.table.column("_line").to_pylist()

    @property
    def records(self) -> list[list[str]]:
        """The records as lists of values (Python objects: for small files and tests)."""
        columns = [c.to_pylist() for c in self.table.columns[1:]]
        return [list(r) for r in zip(*columns)] if columns else [[] for _ in range(self.table.num_rows)]


@dataclass
class ParsedFile:
    header: list[str]
    records: list[list[str]]
    lines: list[int]
    encoding: str
    delimiter: str | None
    issues: list[RowIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    structure: Structure | None = None

    @property
    def rows_read(self) -> int:
        return len(self.records) + len(self.issues)


EOF_MARKER = "\x1a"  # Ctrl-Z (SUB): the end-of-file marker DOS/CP/M text tools append (Microsoft's "copy /a" docs)

# Lines narrower than the table below its last record (CsvFile._footer): a report's page footer (``Page 3 of 7``, ``Page 3/7``,
# ``- 3 -``), wherever it stands; an end marker (``EOF``, ``END``, ``END OF REPORT``, ``*** END OF REPORT ***``, a trailer
# record type with no numbers, ``TRL``) and a report's footer (QuickBooks' ``Accrual Basis Monday, April 7, 2025 09:14 AM
# GMT-04:00``, a known phrase or a timestamp: FOOTER_PHRASE, FOOTER_STAMP) only after the last record, held until the end of
# the file shows it is; any other one-field text of two words or more only there and in a report (title lines above the
# table, or a known footer line among the last ones): elsewhere it may be a record cut short (``Jane Doe`` of
# ``Jane Doe,...``) and stays quarantined.
PAGE_FOOTER = re.compile(r"\s*(?:page\s+\d+\s*(?:of|/)\s*\d+|-\s*\d+\s*-)\s*", re.IGNORECASE)
END_MARKER = re.compile(
    r"\s*(?:eof|end|trl|trailer|end\s+of\s+(?:file|report|data)|\*+\s*end\s+of\s+(?:file|report|data)\s*\*+)\s*[.:]?\s*", re.IGNORECASE
)
REPORT_FOOTER = re.compile(r"\s*(?:accrual|cash|modified\s+cash)\s+basis\b.*", re.IGNORECASE | re.DOTALL)
# What report writers put under a report: ``Generated by ERP on 2025-01-01``, ``Report generated 2025-04-07``, ``Printed on
# 04/07/2025``, Salesforce's ``Generated By: Jane Doe 4/7/2025 9:14 AM``, ``Copyright (c) 2000-2025 salesforce.com, inc. All
# rights reserved.`` and ``Confidential Information - Do Not Distribute``.
FOOTER_PHRASE = re.compile(
    r"\s*(?:(?:report\s+|file\s+|data\s+)?(?:generated|created|exported|printed|produced|prepared|run)(?:\s+(?:by|on|at|from|with|using)\b|\s*:)"
    r"|report\s+(?:generated|printed|created|exported|run|date)\b|copyright\b|©|\(c\)\s*\d{4}|all\s+rights\s+reserved\b"
    r"|confidential\s+information\b).*",
    re.IGNORECASE | re.DOTALL,
)
# A timestamp: a time of day (09:14, 9:14:05) and a date (2025-04-07, 4/7/2025, 07.04.2025, a month's name) on one line.
FOOTER_STAMP = re.compile(
    r"(?=.*\b\d{1,2}:\d{2}\b)(?=.*(?:\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d)).*",
    re.IGNORECASE | re.DOTALL,
)
_FOOTER_TEXT = re.compile(r"\s*\S*[^\W\d_]\S*(?:\s+\S+)+\s*")  # two words or more, one with a letter: a footer in a report only
# A footer line after a blank line that no record cut short reads like (_clear_footer, tab13): a label (``Filtered By:``,
# ``Total rows:,2``, ``Compte :``), a total (``Total 30``, ``Grand total: 1,200``), a count (``Rows: 2``, ``Number of records``).
_LABEL_TEXT = re.compile(r"\s*[^\W\d_][^:\uff1a\n]{0,40}?\s?(?::(?:\s|$)|\uff1a)")  # full-width ``合計：`` too
_TOTAL_TEXT = re.compile(r"\s*(?:(?:grand|sub)[\s-]?)?totals?\b|\s*(?:number\s+of\s+|count\s+of\s+)?(?:rows|records|lines|entries)\b"
                         r"|\s*(?:row|record|line)\s+count\b|\s*count\s*:", re.IGNORECASE)
_SENTENCE_WORDS = 4  # words of a footer's sentence at least (``Scores are from 1 to 10``); fewer with . ! or ? at the end: 3
MAX_FOOTER_LINES = 5  # more trailing lines than this are no footer: each is quarantined (a one-column table after the records?)
# A line of text alone that reads as a person's name (name_line, tab16): a record cut short or a one-column record, never a
# footer of its own. Lower-case particles of names (``Maria de la Cruz``, ``Ludwig van Beethoven``, ``Ahmad bin Ali``,
# ``João dos Santos``), words a name does not hold (a sentence's or a footer's: ``Prepared For Internal Use Only``, ``See
# Notes``), and the legal forms of an organisation (``Acme Corp``: a report writer's company line, Salesforce's footer).
_NAME_PARTICLES = frozenset({
    "de", "del", "della", "dei", "degli", "der", "den", "des", "di", "da", "das", "do", "dos", "du", "la", "le", "lo", "las",
    "los", "van", "von", "vom", "zu", "zum", "zur", "ter", "te", "ten", "y", "e", "i", "bin", "binti", "ibn", "bint", "al",
    "el", "ben", "bat", "af", "av", "st.", "mc", "mac",
})
_NOT_NAME_WORDS = frozenset({
    "a", "an", "the", "of", "for", "and", "or", "in", "on", "at", "by", "to", "from", "with", "without", "only", "all", "no",
    "not", "per", "is", "are", "was", "were", "be", "been", "this", "that", "these", "those", "as", "see", "use", "end", "total",
    "totals", "sum", "subtotal", "page", "report", "data", "source", "sources", "note", "notes", "internal", "confidential",
    "draft", "summary", "count", "rows", "records", "none", "n/a", "und", "oder", "für", "et", "ou", "pour", "sur",
})
_ORGANISATION_FORMS = frozenset({
    "inc", "inc.", "corp", "corp.", "corporation", "co", "co.", "company", "ltd", "ltd.", "limited", "llc", "l.l.c.", "llp", "lp",
    "plc", "gmbh", "ag", "kg", "ohg", "se", "sa", "s.a.", "sas", "sarl", "s.a.r.l.", "spa", "s.p.a.", "srl", "s.r.l.", "bv",
    "b.v.", "nv", "n.v.", "oy", "ab", "as", "a/s", "aps", "kk", "pty", "group", "holdings", "&",
})
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['\u2019.-][^\W\d_]+)*\.?")  # ``Anna``, ``O'Brien``, ``Jean-Luc``, ``J.``, ``J.R.``
_NAME_WORDS = (2, 7)  # words of a name line, particles included (``Maria Fernanda de los Santos Rodríguez``: 6)


def name_line(text: str) -> bool:
    """Whether ``text``, a line of text alone under a table, reads as a person's name (``Maria de la Cruz``, ``Jan van der
    Berg``, ``ANNA BERG``, ``山田 太郎``): _NAME_WORDS words, letters only (an apostrophe, hyphen or period inside), each
    capitalised, of a script without case, or a particle (_NAME_PARTICLES), two or more of them no particle, none a word
    of a sentence or a footer (_NOT_NAME_WORDS) or an organisation's legal form (_ORGANISATION_FORMS: ``Acme Corp``).
    Such a line is data — a record cut short, or the value of a one-column record — and never a footer by its shape
    alone: it counts as no clear footer line (CsvFile._clear_footer) and stays a quarantined row of the wrong width
    (CsvFile._settle_footers; tab16: ``Maria de la Cruz`` / ``Jan van der Berg``, four words each, were a footer block
    as two sentences)."""
    words = text.split()
    if not _NAME_WORDS[0] <= len(words) <= _NAME_WORDS[1]:
        return False
    named = 0
    for word in words:
        folded = word.casefold()
        if not _NAME_WORD.fullmatch(word) or folded in _NOT_NAME_WORDS or folded in _ORGANISATION_FORMS:
            return False
        if folded in _NAME_PARTICLES:
            continue
        if word[0].islower():
            return False
        named += 1
    return named >= 2


FOOTER_KINDS = ("page_footer", "end_marker", "report_footer")


@dataclass
class Structure:
    """The physical records of a file that are not data, by kind, and the count of all its records.

    Kinds: ``sep`` (Excel's ``sep=X`` line), ``preamble`` (lines above the table), ``blank``,
    ``header`` (each header row), ``repeated_header`` (a header row met again among the records, as
    written or with its names in another order: the records below such a one are read by name),
    ``header_description`` (a line right under the header that describes its columns: table.header_descriptions),
    ``end_of_file_marker`` (a line holding only DOS's Ctrl-Z, EOF_MARKER, or the Ctrl-Z right after the last value:
    CsvFile._cut_line), ``page_footer``, ``end_marker`` and ``report_footer`` (a line narrower than the table below
    its records: CsvFile._footer; their text in ``footers``).
    ``records`` counts every physical record the reader met, whatever became of it, so that
    ``records == data records + quarantined records + sum(counts)`` checks that none was dropped
    unaccounted.
    """

    records: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    lines: dict[str, list[int]] = field(default_factory=dict)  # the first KEPT_LINES line numbers of each kind
    texts: list[dict[str, object]] = field(default_factory=list)  # preamble lines: {"line", "text"} (first KEPT_TEXTS)
    footers: list[dict[str, object]] = field(default_factory=list)  # footer lines: {"line", "kind", "text"} (first KEPT_TEXTS)

    def add(self, kind: str, line: int, text: str | None = None) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        kept = self.lines.setdefault(kind, [])
        if len(kept) < KEPT_LINES:
            kept.append(line)
        if text is None:
            return
        if kind in FOOTER_KINDS:
            if len(self.footers) < KEPT_TEXTS:
                self.footers.append({"line": line, "kind": kind, "text": text[:TEXT_CHARS]})
        elif len(self.texts) < KEPT_TEXTS:
            self.texts.append({"line": line, "text": text[:TEXT_CHARS]})

    @property
    def total(self) -> int:
        return sum(self.counts.values())


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

    def __init__(self, text: Iterator[str], cap: int, dialect: dict[str, object] | None = None, blocks: bulk.LineBlocks | None = None) -> None:
        # With a dialect the text's lines end at \n and a bare \r is decided by table.cr_parts (split_cr);
        # without one (a file of \r line ends) every \r, \n and \r\n ends a line. With ``blocks`` (the fast
        # engine) the \n lines come from there: the reader reads the lines Arrow does not take.
        self._parts: deque[str] = deque()  # lines split from one \n line at bare \r's, not handed out yet
        if blocks is not None:
            self._lines = self._block_lines(blocks)
        else:
            self._lines = newline_lines(text, self.split_cr) if dialect is not None else physical_lines(text)
        self.cap = cap
        self.dialect = dialect
        self.widths: set[int] = set()  # a bare \r is kept in a field when the line is then a record of one of these widths
        self.joins = 0  # lines that kept a bare \r as CR_IN_FIELD
        self.kept: list[str] = []
        self.first = 1  # line number of kept[0]
        self.done = 0  # lines up to this one belong to finished records
        self._chars = 0
        self._trim_at = TRIM_CHARS
        self._pending: deque[str] = deque()  # lines fetched before, to be read again first
        self.cut: str | None = None  # the file's last line when it has no line end and lines before it do (held back)

    def _block_lines(self, blocks: bulk.LineBlocks) -> Iterator[str]:
        """The lines of ``blocks`` from where they are, each bare \r decided as newline_lines does (split_cr)."""
        parts = self._parts
        while True:
            if parts:
                yield parts.popleft()
                continue
            line = blocks.next_line()
            if line is None:
                return
            if has_bare_cr(line):
                parts.extend(self.split_cr(line))
                continue
            yield line

    @property
    def between_lines(self) -> bool:
        """Whether the next line handed out is the next line of the blocks (nothing to read again, no part of a split line left)."""
        return not self._pending and not self._parts

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
            if CR_IN_FIELD in line:  # read again by a new csv.reader: its records must be told to restore the \r (CsvFile._read_rows)
                self.joins += 1
            kept.append(line)
            self._chars += len(line)
            if self._chars > self._trim_at:
                self._trim()
            yield line
        for line in self._lines:  # the hot path
            if line[-1:] not in ("\n", "\r") and self.last >= 1:
                self.cut = line  # only the file's last line can lack a line end: CsvFile._cut_line decides
                return
            kept.append(line)
            self._chars += len(line)
            if self._chars > self._trim_at:
                self._trim()
            yield line

    def split_cr(self, line: str) -> list[str]:
        """The lines read from ``line``, which holds a bare \r (table.cr_parts); counts the lines that keep it in a field."""
        parts = cr_parts(line, self.widths, self.dialect or {})
        if len(parts) == 1 and parts[0] != line:
            self.joins += 1
        return parts

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
        return "".join(out)[:RAW_PREVIEW_CHARS].replace(CR_IN_FIELD, "\r")

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
    """One landing file opened for reading: encoding and table (table.find_table) decided, header read, records streamed.

    ``source`` is the bytes, a binary file object (read from its current position) or a
    ``LandingStream``. The file is read once, block by block: ``stream`` (a LandingStream) hashes
    the bytes as they go by, and the text is decoded strictly as csv.reader consumes its physical
    lines, so memory does not grow with the file and no pass is spent on checks alone. The
    encoding is decided from the file's first HEAD_BYTES bytes (sniff.head_encoding); a byte that
    does not decode later quarantines the file (UnreadableFile: "cannot decode as <encoding>:
    <position in the file> ..."), except when UTF-8 was only suggested by the head: then the file
    is read again with the head's fallback encoding (and a head in euc-kr is read again as cp949, its superset) (transparently while the header is read,
    through ReadAgain once records were handed out), and ``warnings`` says so.
    After a broken record the reader restarts on the next physical line (or on the line after an
    unclosed quote's first line), so one bad row never costs the rest of the file.
    ``header`` is one name per staging column (table.shape: generic ``column_N`` without a header,
    joined names for a multi-row header, ``""`` for an unnamed column), ``delimiter`` None for a
    single-column file, ``structure`` the structural lines so far, ``describe()`` the manifest's
    ``table``. An empty file (zero bytes, or blank lines only) has no header and no records.
    Raises UnreadableFile when the file as a whole cannot be read.
    """

    def __init__(self, source: bytes | BinaryIO | LandingStream, name: str, options: ReadOptions | None = None) -> None:
        self.name = name
        self.options = options or ReadOptions()
        self.stream = source if isinstance(source, LandingStream) else LandingStream.for_options(source, self.options)
        self._restart_with: tuple[str, str] | None = None
        self.encoding_ambiguous: list[str] = []  # the encodings that read the head as plausibly as the one chosen (manifest)
        self.encoding_reason = ""  # why the encoding was chosen, in words (manifest)
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
        """Decide the encoding (``encoding`` when given) and the table (table.find_table) from the head, then read the header."""
        self.warnings: list[str] = [warning] if warning else []
        self._head = self.stream.peek(HEAD_BYTES)
        check_not_binary(self._head, self.options.max_nul_share)
        self._provisional = False
        if encoding:
            self.encoding = encoding
        elif self.options.encoding:
            self.encoding = self.options.encoding
            self.encoding_reason = "read.encoding"
        else:
            self.encoding, self._provisional = head_encoding(self._head, complete=len(self._head) < HEAD_BYTES)
            if not self.encoding.startswith("utf-"):
                _, doubt, self.encoding_ambiguous, self.encoding_reason = encoding_decision(self._head, len(self._head) < HEAD_BYTES)
                self.warnings.extend(filter(None, [doubt]))
                # a head in euc-kr may be followed by a syllable only cp949 (its superset) encodes: read again so (_decode_failed)
                self._provisional = self.encoding == "euc-kr" and len(self._head) >= HEAD_BYTES
            else:
                self.encoding_reason = "byte-order mark" if self._head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) else (
                    "UTF-16 without a byte-order mark (every other byte NUL)" if self.encoding.startswith("utf-16-") else "valid UTF-8"
                )
                # valid UTF-8 read as odd text while another reading is plausible: kept, and said (sniff.accidental_utf8)
                odd = accidental_utf8(self._head, len(self._head) < HEAD_BYTES) if self.encoding == "utf-8" else None
                if odd is not None:
                    self.warnings.append(odd.doubt)
                    self.encoding_ambiguous, self.encoding_reason = odd.rivals, odd.reason
        if self.encoding.startswith("utf-16-"):
            self.warnings.append(f"UTF-16 without BOM detected ({self.encoding})")
        try:
            codecs.lookup(self.encoding)
        except LookupError as exc:
            raise UnreadableFile(f"cannot decode as {self.encoding}: {exc} — file quarantined; re-export it as UTF-8") from None
        # A UTF-8 file whose head proves UTF-8 (valid non-ASCII lines) keeps UTF-8 through a few lines that are not:
        # those lines are quarantined as invalid_utf8 (see _invalid_line), not the whole file read again as a guess.
        self._invalid: dict[int, tuple[str, str, str]] = {}  # physical line -> (bytes as written, encoding, text read so)
        self.invalid_utf8_lines: list[int] = []
        self.cut_lines: list[int] = []  # the last line, read but warned about for having no line end (_cut_line)
        lenient = self.encoding == "utf-8" and not self.options.encoding and utf8_line_counts(self._head)[0] > 0
        raw: list = [None, None]  # each chunk's UTF-8 bytes as read, for the fast engine (text_chunks)
        self._nul_lines: list[int] = []  # lines of the records holding a NUL (first KEPT_LINES), see _nul_records
        self._nul_seen = False
        self._nuls = 0  # NUL characters in the file (known once its text is all read)
        self._nul_header = False  # a header row held one (removed from the names)
        chunks = text_chunks(self.stream, self.encoding, self._count_nuls, raw, self._invalid_text if lenient else None)
        self._chunks = chunks = self._watch_nuls(chunks)
        sample: list[str] = []
        complete, end = True, None
        # The first SNIFF_BYTES characters decide the table, and the rest of a quoted field open there (sniff.sample_end),
        # up to the longest record the reader takes (a multi-line text in the first records is not read as lines).
        for text in chunks:
            sample.append(text)
            if sum(map(len, sample)) >= SNIFF_BYTES:
                joined = "".join(sample)
                end = sample_end(joined, SNIFF_BYTES, self.options.quotechar or '"')
                if end is None and len(joined) > SNIFF_BYTES + 2 * (self.options.max_field_chars + 1):
                    end = SNIFF_BYTES
                if end is not None:
                    complete = False
                    break
        head = "".join(sample)[:end]
        self.table = table = find_table(head, self.options, complete)
        self._sample, self._sample_complete = head, complete  # the rows after a blank line (_rows_below: a pair or a second table?)
        self._sample_rows: dict[int, list[str] | None] | None = None
        self.delimiter = None if table.single_column else table.delimiter
        dialect = table.dialect()
        records = head.splitlines(keepends=True)[table.skip :]
        self.escapechar = None
        if not table.single_column and backslash_escapes(records if complete else records[:-1], dialect, table.width):
            self.escapechar = ESCAPECHAR
            dialect |= {"escapechar": ESCAPECHAR}
            self.warnings.append('quotes escaped with a backslash (\\"), not doubled: read with escapechar \\')
        text = itertools.chain(sample, chunks)
        # The fast engine takes runs of plain lines (headwater.ingest.bulk) in a dialect both parsers share.
        fast = (
            self.options.engine == "arrow" and by_newline(head) and not table.single_column and self.escapechar is None
            and not table.skipinitialspace and table.width >= 2
        )
        self._blocks = bulk.LineBlocks(text, table.delimiter, table.quotechar, self.options.max_field_chars, raw) if fast else None
        # A \n file: a bare \r may be a character of a field (table.cr_parts); a file of \r line ends only: every \r ends a line.
        self._src = _LineSource(text, MIN_RECORD_CAP_CHARS, dialect if by_newline(head) else None, self._blocks)
        self._src.widths = {table.width} - {0}  # the lines above the first record are split as find_table split them
        self._dialect = dialect
        self.structure = Structure()
        self._consumed = 0  # physical lines read so far
        feed = self._src.feed()
        for line in itertools.islice(feed, table.skip):  # the lines above the table, as they are
            self._skipped(line)
        self._src.done = self._consumed
        self._base = self._consumed  # physical lines before the current reader's first line
        self._reader = csv.reader(feed, **dialect)  # type: ignore[arg-type]
        self._last_error = ""
        rows = self._read_header(table.header_rows)
        self.header_rows = rows
        self.warnings.extend(table.notes)
        self.descriptions = self._read_descriptions(table.descriptions, column_names(rows))
        if table.header_unconfirmed and rows:
            self.warnings.append(
                table.doubt or f"line {self.structure.lines['header'][0]} taken as the header without evidence: every column holds text and "
                f"its names are written like the values below them ({_cells(rows[0])}) — if it is a record, set "
                "read.header: none for this source (read.header: 1 confirms it and silences this warning)"
            )
        self.shape: Shape = shape(column_names(rows), table)
        self.header = self.shape.names
        if self.shape.mismatch:
            table.header_unconfirmed = True
            self.warnings.append(
                f"line {self.structure.lines['header'][-1]}: the header has {len(rows[-1])} names ({_cells(rows[-1])}) but data lines have "
                f"{table.width} fields: which name belongs to which field cannot be told (a name left out, a delimiter inside a value "
                f"such as an unquoted 1,200, an empty value left out) — every field loaded under column_1..column_{table.width}, the "
                "names kept in the manifest (header_as_read); fix the export, or set read.header: none for this source"
            )
        self._src.widths |= {self.shape.width} - {0}
        # Rows met again among the records that are header rows (first field compared first: the hot path).
        # A header met again in another letter case (an exporter that upper-cases names) is the header too:
        # compared case-folded, and its first field's usual case variants go off the hot path.
        self._header_keys = {header_key(r) for r in rows}
        self._folded_keys = {tuple(f.casefold() for f in key) for key in self._header_keys}
        self._firsts = {f for r in rows if r for v in _case_variants(r[0]) for f in (v, "\ufeff" + v)}
        # A types line under the header met again below (two exports concatenated, a types footer): a header_description
        # line, not a record (breaker7 #14); compared case-folded, its first field's case variants off the hot path.
        self._type_keys = {tuple(f.strip().casefold() for f in r) for r in table.type_lines}
        self._repeated_types: list[int] = []
        self._firsts |= {v for r in table.type_lines if r and r[0] for v in _case_variants(r[0])}
        # The header's names, case-folded, to know a later header line that starts another section (table.another_section):
        # every name's case variants go off the hot path too (its names in another order start with any of them).
        named = bool(rows) and not table.single_column and not self.shape.mismatch and len(rows[-1]) == self.shape.width
        self._names = section_names(rows[-1]) if named else None
        if self._names is not None:
            self._firsts |= {v for name in header_key(rows[-1]) for v in _case_variants(name)}
        self._remap: list[int] | None = None  # field positions of the header's columns while a reordered header is in force
        self._sections: list[dict[str, object]] = []  # reordered header lines met: {"line", "header"}
        self._reorders_kept = 0  # lines of the header's names in another order kept as records (header unconfirmed)
        self._brk = False  # the last record was a blank line: a second table may start
        self._second: tuple[int, list[str]] | None = None  # (line, header) of a second table in the file
        self.fixed = {"trailing_fields_dropped": 0, "header_like_values_kept": 0}
        # footer lines met after the records so far (_footer): (line, kind, text, the issue it is if a record follows, known:
        # a known footer pattern, not just text, weak: one word after a blank line, a footer only among others, sep:
        # a blank line stands between it and the last record, full: a ``Key:,value`` pair as wide as the table, _pair_footer)
        self._held: list[tuple[int, str, str, RowIssue, bool, bool, bool, bool]] = []
        # Past this, a record necessarily holds a field over max_field_chars (quotes doubled): quarantined anyway.
        self._src.cap = max(MIN_RECORD_CAP_CHARS, 2 * (len(self.header) + 1) * (self.options.max_field_chars + 1))
        if self._blocks is not None:
            self._blocks.width = self.shape.width
            self._blocks.set_firsts(self._firsts)

    def _skipped(self, line: str) -> None:
        """Account for one physical line above the table: the sep line, a blank line or preamble."""
        self._consumed += 1
        self.structure.records += 1
        n, text = self._consumed, line.rstrip("\r\n").replace(CR_IN_FIELD, "\r").replace("\x00", "")
        if n == 1 and self.table.sep_line:
            self.structure.add("sep", n)
        elif not text.strip(" \t" + self.table.delimiter):
            self.structure.add("blank", n)
        elif n == self.table.file_header_record:
            self.structure.add("file_header_record", n, text)
        else:
            self.structure.add("preamble", n, text)

    def _decode_failed(self, exc: DecodeFailed) -> tuple[str, str]:
        """After a byte did not decode: (fallback encoding, warning) when UTF-8 came from the head only; else raise UnreadableFile."""
        if not self._provisional:
            raise UnreadableFile(f"cannot decode as {self.encoding}: {exc} — file quarantined; re-export it as UTF-8") from None
        if self.encoding == "euc-kr":  # cp949 decodes every euc-kr byte pair alike (sniff.MULTI_BYTE) and 8,822 syllables more
            self.encoding_reason = f"not euc-kr after the head: cp949, its superset (Windows' Unified Hangul Code); {self.encoding_reason}"
            return "cp949", (
                f"not euc-kr after its first {len(self._head):,} bytes ({exc}): read again as cp949, which adds the Hangul "
                "syllables euc-kr lacks (a second read of the file)"
            )
        fallback, doubt, self.encoding_ambiguous, reason = encoding_decision(self._head)
        self.encoding_reason = f"not UTF-8 after the head: {reason}"
        return fallback, (
            f"not UTF-8 after its first {len(self._head):,} bytes ({exc}): read again as {fallback} (a second read of the file)"
            + (f"; {doubt}" if doubt else "")
        )

    def _invalid_text(self, text: str, first_line: int) -> str:
        """``text`` (decoded with surrogateescape, starting on physical line ``first_line``) with each line that is not UTF-8 read on its own.

        Such a line is read with the most plausible single- or multi-byte encoding for its bytes
        alone (sniff.fallback_choice; U+FFFD where none fits) so that the table still parses, and
        remembered with its bytes as written (``backslashreplace``: ``Ren\\xe9e``) for the
        record that holds it to be quarantined as invalid_utf8 (``_set_aside_invalid``).
        """
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if not SURROGATES.search(line):
                continue
            data = line.encode("utf-8", "surrogateescape")
            try:
                encoding = fallback_choice(data)[0]
                read = data.decode(encoding)
            except (UnreadableFile, UnicodeDecodeError):
                encoding, read = "utf-8", data.decode("utf-8", "replace")
            self._invalid[first_line + i] = (data.decode("utf-8", "backslashreplace").rstrip("\r"), encoding, read.rstrip("\r"))
            lines[i] = read
        return "\n".join(lines)

    def _set_aside_invalid(self, batch: Batch) -> Batch:
        """``batch`` with each record holding a line that is not UTF-8 moved to its issues (reason invalid_utf8).

        A line above the table or counted as a structural line (header, blank, preamble) stays
        where it is, named in a warning. Lines past the batch's last record wait for the next batch.
        """
        lines = batch.lines
        last = lines[-1] if lines else max((i.line for i in batch.issues), default=0)
        structural = {n for found in self.structure.lines.values() for n in found if isinstance(n, int)}
        drop: dict[int, int] = {}  # row index -> bad line
        for bad in sorted(n for n in self._invalid if n <= last):
            raw, encoding, read = self._invalid.pop(bad)
            self.invalid_utf8_lines.append(bad)
            at = bisect.bisect_right(lines, bad) - 1
            if bad in structural or at < 0 or at in drop or any(i.line == bad for i in batch.issues):
                self.warnings.append(f"line {bad} is not UTF-8 (invalid_utf8: {raw}); read as {encoding}: {read}")
                continue
            drop[at] = bad
            batch.issues.append(RowIssue(
                lines[at],
                f"{self.name} line {bad}: not UTF-8 (invalid_utf8) in a UTF-8 file — row quarantined with its bytes as written; "
                f"read as {encoding} it would be: {read} (fix the line, or set read.encoding if the whole file is {encoding})",
                raw,
            ))
        if drop:
            keep = [i for i in range(len(lines)) if i not in drop]
            batch = Batch(batch.table.take(pa.array(keep, pa.int64())), sorted(batch.issues, key=lambda i: i.line))  # typed: [] too
            self.warnings.append(
                f"{len(drop)} line(s) not UTF-8 in a UTF-8 file (lines {', '.join(map(str, sorted(drop.values())))}): "
                "quarantined as invalid_utf8 with their bytes as written"
            )
        return batch

    def _watch_nuls(self, chunks: Iterator[str]) -> Iterator[str]:
        """``chunks`` as they are (the same objects: bulk knows their bytes by identity), noting that a NUL was met."""
        for text in chunks:
            if not self._nul_seen and "\x00" in text:
                self._nul_seen = True
            yield text

    def _nul_records(self, table: pa.Table) -> pa.Table:
        """``table`` (a staging batch) as it is, the lines of its records that hold a NUL noted (``_nul_lines``).

        A NUL is kept in the value (streams.text_chunks): the clean stage removes it as a control character and keeps
        the value as written in ``<col>__raw`` (``normalized: control``); the file's warning names these lines.
        """
        mask = None
        for name in table.column_names[1:]:
            hit = pc.fill_null(pc.match_substring(table[name], "\x00"), False)
            mask = hit if mask is None else pc.or_(mask, hit)
        if mask is not None:
            room = KEPT_LINES - len(self._nul_lines)
            if room > 0:
                self._nul_lines.extend(table["_line"].filter(mask).to_pylist()[:room])
        return table

    def _count_nuls(self, nuls: int) -> None:
        self._nuls = nuls  # the text is all read; the last batch is still to be built: _warn_nuls once it is

    def _warn_nuls(self) -> None:
        """The file's NUL warning (after the last batch: it names the lines of the records holding one)."""
        nuls = self._nuls
        if nuls:
            where = f" (records on lines {', '.join(map(str, self._nul_lines))})" if self._nul_lines else ""
            where += " (in the header: removed from its names)" if self._nul_header else ""
            self.warnings.append(
                f"{nuls} NUL byte(s){where}: kept in the values as read — cleaning removes them (a control character) "
                "and keeps each value as written in <col>__raw (normalized: control)"
            )

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
        self._reader = csv.reader(self._src.feed(), **self._dialect)  # type: ignore[arg-type]
        self._last_error = str(exc)
        return end

    def _read_header(self, count: int) -> list[list[str]]:
        """The ``count`` header rows (blank lines between them are skipped); fewer when the file ends first.

        A header row that is the file's last line with no line end (``Region,,Rep,\\nName,Email,Id,Total``) is read as one
        (``_cut_line``: no record above it to compare with, so no warning)."""
        rows: list[list[str]] = []
        while len(rows) < count:
            item = self._next()
            if item is None and self._src.cut is not None and self._cut_line([]):
                item = self._next()  # a header's last row as the file's last line, with no line end (no record below it)
            if item is None:
                break
            self.structure.records += 1
            line, row, _ = item
            if row is None:
                for _ in self._chunks:  # a byte that does not decode, later on, is the file's first fault (as it always was)
                    pass
                raise UnreadableFile(f"line {line}: the header row is not valid CSV ({self._last_error}) — file quarantined; fix the header and drop it again")
            if is_blank(row):
                self.structure.add("blank", line)
                continue
            self.structure.add("header", line)
            if any("\x00" in f for f in row):
                self._nul_header = True
                row = [f.replace("\x00", "") for f in row]  # a name holds no NUL (the file's NUL warning says it was there)
            rows.append(row)
        return rows

    def _read_descriptions(self, reasons: list[str], names: list[str]) -> list[dict[str, object]]:
        """Read the description lines right under the header (table.header_descriptions), one per reason in ``reasons``.

        Each becomes a ``header_description`` structural line, kept in the manifest as
        ``{"line", "reason", "columns": [{"column" (1-based), "name" (the header's), "description"}]}`` (its
        filled cells), and the file's warning names them. A row that does not read as the sample read it
        (a blank line, a broken record) is put back to be read as a record, and the lines after it too.
        """
        out: list[dict[str, object]] = []
        for reason in reasons:
            start = self._consumed
            item = self._next()
            if item is None:
                break
            line, row, _ = item
            if row is None or is_blank(row) or (len(row) != self.table.width and not (reason == RULE_REASON and rule_line(row))):
                self._src.restart_after(start, True)
                self._consumed = self._base = start
                self._reader = csv.reader(self._src.feed(), **self._dialect)  # type: ignore[arg-type]
                break
            self.structure.records += 1
            self.structure.add("header_description", line)
            columns = [
                {"column": c + 1, "name": names[c] if c < len(names) else "", "description": cell.strip()[:TEXT_CHARS]}
                for c, cell in enumerate(row) if cell.strip()
            ]
            out.append({"line": line, "reason": reason, "columns": columns})
        if out:
            where = f"line {out[0]['line']}" if len(out) == 1 else "lines " + ", ".join(str(d["line"]) for d in out)
            why = "; ".join(f"line {d['line']}: {d['reason']}" for d in out)
            self.warnings.append(
                f"{where} under the header describe{'s' * (len(out) == 1)} its columns, not records (header_description — {why}): "
                "counted as structural lines, their text kept per column in the manifest (table.header_descriptions, column_descriptions)"
            )
        return out

    @property
    def lines_read(self) -> int:
        """Physical lines read so far (all of the file's once the batches are done)."""
        return self._consumed

    def describe(self) -> dict[str, object]:
        """What the manifest says about the file's table: dialect, header, lines above it, width fixes, a second table."""
        t, st = self.table, self.structure
        header_lines = st.lines.get("header", [])[: len(self.header_rows)]
        if not self.header_rows:
            header = "none found" if t.how == "detected" else f"none ({t.how})"
        elif len(header_lines) == 1:
            header = f"line {header_lines[0]}"
        else:
            header = f"lines {header_lines[0]}-{header_lines[-1]} ({len(header_lines)} header rows, names joined)"
        out: dict[str, object] = {
            "header": header,
            "found_by": t.how,
            "header_lines": header_lines,
            "header_as_read": self.header_rows,
            "header_unconfirmed": t.header_unconfirmed,
            "delimiter": self.delimiter,
            "single_column": t.single_column,
            "quotechar": t.quotechar,
            "skip_initial_space": t.skipinitialspace,
            **({"escapechar": self.escapechar} if self.escapechar else {}),
            "sep_line": t.sep_line,
            "preamble": st.texts,
            **({"footer": st.footers} if st.footers else {}),
            "width": {"header": len(self.header_rows[-1]) if self.header_rows else None, "data": t.width, "loaded": self.shape.width},
            "width_note": self.shape.note,
            **{k: v for k, v in self.fixed.items() if v},
        }
        if self.descriptions:
            out["header_descriptions"] = self.descriptions
        if self._second:
            out["second_table"] = {"line": self._second[0], "header": self._second[1]}
        if self._sections:
            out["reordered_headers"] = self._sections
        return out

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
                self._warn_nuls()
                return
            yield self._set_aside_invalid(batch) if self._invalid else batch
            del batch  # not held while the next one is read: one batch in memory, not two

    def _fill(self, size: int) -> Batch | None:
        """The next batch, or None at the end of the file (the loop is the hot path: kept flat)."""
        if self._blocks is not None:
            return self._fill_fast(size)
        records: list[list[str]] = []
        lines: list[int] = []
        issues: list[RowIssue] = []
        end = False
        while len(records) < size:
            if self._read_rows(records, lines, issues, size) is None:
                if not self._cut_line(issues):
                    end = True
                    break
        self._settle_footers(max(lines[-1] if lines else 0, max((i.line for i in issues), default=0)), issues, end)
        if not records and not issues:
            return None
        table = _records_table(records, lines, self.shape.width)
        return Batch(self._nul_records(table) if self._nul_seen else table, issues)

    def _fill_fast(self, size: int) -> Batch | None:
        """The next batch, runs of plain lines parsed by Arrow and the lines between them by the careful reader."""
        width = self.shape.width
        parts: list[pa.Table] = []
        records: list[list[str]] = []
        lines: list[int] = []
        issues: list[RowIssue] = []
        done = 0  # records in ``parts``
        end = False
        while done + len(records) < size:
            table = self._take_plain(size - done - len(records)) if self._at_plain_run() else None
            if table is not None:
                if records:
                    parts.append(_records_table(records, lines, width))
                    done += len(records)
                    records, lines = [], []
                parts.append(table)
                done += table.num_rows
                continue
            if self._read_rows(records, lines, issues, size - done, self._at_plain_run) is None:
                if not self._cut_line(issues):
                    end = True
                    break
        if records:
            parts.append(_records_table(records, lines, width))
        last = parts[-1].column("_line")[-1].as_py() if parts and parts[-1].num_rows else 0
        self._settle_footers(max(last, max((i.line for i in issues), default=0)), issues, end)
        if not parts and not issues:
            return None
        table = pa.concat_tables(parts) if parts else _records_table([], [], width)
        return Batch(self._nul_records(table) if self._nul_seen else table, issues)

    def _at_plain_run(self) -> bool:
        """Whether the reader stands between records where a run of plain lines starts (the fast engine may take it)."""
        return (
            not self._brk and self._second is None and self._remap is None and self._src.between_lines
            and self._blocks.plain_run() >= bulk.MIN_RUN  # type: ignore[union-attr]
        )

    def _take_plain(self, limit: int) -> pa.Table | None:
        """Up to ``limit`` records of the plain lines from the next one, parsed by Arrow (None when the careful reader must read it)."""
        table = self._blocks.take(limit)  # type: ignore[union-attr]
        if table is None:
            return None
        first, n = self._consumed + 1, table.num_rows
        self._consumed += n
        self.structure.records += n
        self._src.restart_after(self._consumed, False)
        self._base = self._consumed
        self._reader = csv.reader(self._src.feed(), **self._dialect)  # type: ignore[arg-type]
        # From the NumPy buffer: pa.array() would import pandas to check for pandas objects (about 50 MB resident in this stage).
        line_numbers = pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(np.arange(first, first + n, dtype=np.int64))])
        return pa.Table.from_arrays([line_numbers, *table.columns], schema=staging_schema(self.shape.width))

    def _read_rows(
        self, records: list[list[str]], lines: list[int], issues: list[RowIssue], size: int, stop: Callable[[], bool] | None = None
    ) -> bool | None:
        """Read rows into ``records`` until the batch is full, ``stop()`` says so after a row, or a broken record was set aside (True), or the end (None)."""
        reader, base, src = self._reader, self._base, self._src
        width, limit, firsts, brk, joins = self.shape.width or -1, self.options.max_field_chars, self._firsts, self._brk, src.joins
        remap = self._remap
        start = self._consumed + 1
        n = 0
        try:
            for row in reader:
                n += 1
                line, last = start, base + reader.line_num
                start = last + 1
                src.done = last  # the kept lines up to ``last`` may go once this row is handled (no read in between)
                if src.joins != joins:  # a line of this record kept a bare \r in a field
                    joins = src.joins
                    row = [f.replace(CR_IN_FIELD, "\r") for f in row]
                if len(row) == width and not brk and remap is None and row[0] not in firsts and max(map(len, row)) <= limit and (
                    row[0] or any(row)  # a row of empty fields only: _odd_row (a line of delimiters only is blank)
                ):
                    records.append(self._absent_empties(row, line, last) if "" in row else row)
                    lines.append(line)
                else:
                    self._odd_row(row, line, last, records, lines, issues)
                    brk, remap = self._brk, self._remap
                if len(records) >= size or (stop is not None and stop()):
                    self._consumed = last
                    self.structure.records += n
                    return True
            self._consumed = start - 1
            self.structure.records += n
            return None
        except (csv.Error, RecordTooLong) as exc:
            self.structure.records += n
            self._recover(start, exc)
        self.structure.records += 1
        issues.append(RowIssue(start, f"{self.name} line {start}: unparseable CSV ({self._last_error}) — row quarantined", self._last_raw))
        return True

    def _cut_line(self, issues: list[RowIssue]) -> bool:
        """At the end of the file: decide the last line held back for having no line end (_LineSource.cut); True to read on.

        A last line with no line end (``\n``, ``\r\n`` or ``\r``) below data lines that all have one is what a file
        still being written (or cut in transfer) looks like: ``O-3,Cy,3`` where the exporter was writing
        ``O-3,Cy,30.00``. It is also what many writers leave on a complete file (Google Sheets' CSV download,
        ``"\n".join(lines)``), so the line is read as a record as usual (a cut that leaves it short of the table's
        width is quarantined by the width rules), its line number kept in ``cut_lines``, and the file warned
        about (``no_line_terminator``): when unsure, keep the data and say so. No such warning when no data
        line stands between the header and it (a header and one record: nothing to compare with), or when it
        is blank (spaces after the last line end). A file of one line has no line end to compare with: never held back.
        A last line ending in DOS's end-of-file marker (Ctrl-Z, 0x1A, EOF_MARKER) is complete: a marker alone is the
        structural line ``end_of_file_marker``; after values (``2,Bob,20<Ctrl-Z>``) the marker is taken off the line, which
        is read as a record, and counted as a structural ``end_of_file_marker`` piece of its own on that line (one more
        physical record than lines: the Ctrl-Z is DOS's end of the text, no character of the last value, which is read
        as written before it; the line's number also in the table's ``end_of_file_marker_removed``). Nothing written
        is dropped unaccounted: the marker is in the manifest's ``structural``/``structural_lines``.
        ``issues`` is unused (the signature of the reader's other end-of-file decisions).
        """
        line = self._src.cut
        if line is None:
            return False
        self._src.cut = None
        number = self._consumed + 1
        if line.endswith(EOF_MARKER):  # DOS's end-of-file marker ends the file: not a cut, and no character of a value
            line = line.rstrip(EOF_MARKER)
            if not line:
                self._consumed = number
                self.structure.records += 1
                self.structure.add("end_of_file_marker", number)
                return False
            self.fixed["end_of_file_marker_removed"] = number
            self.structure.records += 1  # the marker, a structural piece of its own on the record's line
            self.structure.add("end_of_file_marker", number)
            self._src.restart_after(self._consumed, False)
            self._src._pending.append(line)
            self._base = self._consumed
            self._reader = csv.reader(self._src.feed(), **self._dialect)  # type: ignore[arg-type]
            return True
        headers = self.structure.lines.get("header", []) + self.structure.lines.get("header_description", [])
        above = max(headers) if headers else self.table.skip
        if line.strip() and self._consumed > above and not self._footer_text(line):
            self.cut_lines.append(number)
            self.warnings.append(
                f"line {number}, the last line, has no line terminator while every line above it ends with one "
                "(no_line_terminator): read as a record, but the file may be incomplete (still being written, or cut in "
                "transfer) — check that line's last value, or drop the complete file again"
            )
        self._src.restart_after(self._consumed, False)
        self._src._pending.append(line)
        self._base = self._consumed
        self._reader = csv.reader(self._src.feed(), **self._dialect)  # type: ignore[arg-type]
        return True

    def _odd_row(self, row: list[str], line: int, last: int, records: list[list[str]], lines: list[int], issues: list[RowIssue]) -> None:
        """Every record the hot path does not simply keep: blank, repeated header, second table, width fixes, too long."""
        width, limit, name = self.shape.width, self.options.max_field_chars, self.name
        if is_blank(row) or (not any(row) and self._delimiters_only(line, last)):
            self.structure.add("blank", line)
            self._brk = True
            return
        if len(row) == 1 and row[0] and not row[0].strip(EOF_MARKER):  # DOS's Ctrl-Z on a line of its own (with a line end)
            self.structure.add("end_of_file_marker", line)
            return
        pair = self._pair_footer(row) if self._brk and self._second is None and width == 2 and len(row) == 2 else None
        if pair is not None:
            # A ``Key:,value`` footer pair as wide as a two-column table (``Total rows:,2`` / ``Exported by:,jdoe``): held like
            # a narrower footer line; records after it make it a quarantined row (not a record: it may be either), and the
            # next line is still read as part of the block after the blank line (tab13, breaker10 F5).
            text = str(self._dialect.get("delimiter", ",")).join(c for c in row if c.strip()).replace(CR_IN_FIELD, "\r")
            reason = (f"{name} line {line}: a 'Key:,value' line after a blank line that reads as a report's footer ({text!r}), "
                      "but records follow it — row quarantined")
            self._held.append((line, "report_footer", text.strip(), RowIssue(line, reason, self._src.span(line, last)),
                               pair, False, True, True))
            return
        count = self.table.single_column and len(row) == 1 and bool(ROW_COUNT.fullmatch(row[0]))  # a spool's ``2 rows selected.``
        footer = self._footer(row, self._brk) if self._second is None and (len(row) < width or count) else None
        if footer is not None:
            kind, text, known, weak = footer
            if kind == "page_footer":
                self.structure.add(kind, line, text)
            else:
                has = f"{len(self.header_rows[-1])} names and data lines {width} fields" if self.shape.mismatch else str(width)
                why = f"a row count ({text!r}) among the records" if count else f"{len(row)} fields, header has {has}"
                self._held.append((line, kind, text, RowIssue(line, f"{name} line {line}: {why} — row quarantined", self._src.span(line, last)),
                                   known, weak, self._brk, False))
            return
        if self._type_keys and self._second is None and tuple(f.strip().casefold() for f in row) in self._type_keys:
            self.structure.add("header_description", line)
            self._repeated_types.append(line)
            if len(self._repeated_types) == 1:
                self.warnings.append(
                    f"line {line} is a line of type names among the records ({_cells(row)}), the schema's types again: a second "
                    "export appended or a types footer — counted as a structural line (header_description), not a record, as is "
                    "every later one"
                )
            return
        key = header_key(row)
        if key in self._header_keys or (len(row) > 1 and tuple(f.casefold() for f in key) in self._folded_keys):
            if len(row) > 1 or row[0].startswith("\ufeff"):
                self.structure.add("repeated_header", line)
                self._remap = None  # the header as written: its order again
                return
            # One field equal to a one-name header: a value as likely as a repeated header (``tag`` under ``tag``),
            # so it is kept as a record, and counted; with a byte-order mark it starts a concatenated export.
            self.fixed["header_like_values_kept"] += 1
        if self._second is None and self._brk and self._starts_table(row, line):
            self._second = (line, row)
        names = section_names(row) if self._second is None and self._names is not None else None
        if names is not None and another_section(names, self._names):  # type: ignore[arg-type]
            if len(row) == width and sorted(names) == sorted(self._names) and self.table.header_unconfirmed:  # type: ignore[type-var]
                # The header's names in another order under a header taken without evidence (a headerless file of
                # names: int,float / float,int): the header may be a record itself, so its names read back in another
                # order prove no second export; loaded by name, the records below would be swapped (breaker8 #4).
                # Kept as a record as written, warned once.
                self._reorders_kept += 1
                if self._reorders_kept == 1:
                    at = self.structure.lines["header"][0]
                    self.warnings.append(
                        f"line {line} holds the header's names in another order ({_cells(row)}), but the header (line {at}) was "
                        "taken without evidence: no proof of a second export — kept as a record as written, and the records below "
                        f"it by position, not by name; if line {at} is the header and line {line} starts a second export, set "
                        f"read.header: {at} for this source (the records below it are then loaded by name)"
                    )
            elif len(row) == width and sorted(names) == sorted(self._names):  # type: ignore[type-var]
                # The header's names in another order (a second export appended): the records below are read by name.
                self._remap = [names.index(n) for n in self._names]  # type: ignore[union-attr]
                self.structure.add("repeated_header", line)
                if len(self._sections) < KEPT_LINES:
                    self._sections.append({"line": line, "header": row})
                if len(self._sections) == 1:
                    self.warnings.append(
                        f"line {line} repeats the header's names in another order ({_cells(row)}): a second export appended — "
                        "the records below it are loaded by name into the header's columns (manifest table.reordered_headers)"
                    )
                return
            else:
                self._second = (line, row)  # the header's names with more or fewer: another table
        if self._second is not None:
            self._brk = True  # every record from here on takes this path
            at, head = self._second
            reason = (
                f"{name} line {line}: a second table starts here (header {_cells(head)}) — its lines are quarantined; split the file"
                if line == at else f"{name} line {line}: part of the second table that starts at line {at} — row quarantined; split the file"
            )
            issues.append(RowIssue(line, reason, self._src.span(line, last)))
            return
        self._brk = False
        as_written = True  # the row's fields are the record's fields as written, in order (absent_empties)
        if len(row) > width and not any(c.strip() for c in row[width:]):
            row = row[:width]  # trailing delimiters only
            self.fixed["trailing_fields_dropped"] += 1
            as_written = False
        if self._remap is not None and len(row) == width:
            as_written = False
            mapped = [row[k] for k in self._remap]
            if self._misfits(mapped) > self._misfits(row):
                at = self._sections[-1]["line"] if self._sections else "?"
                reason = (
                    f"{name} line {line}: part of the second table that starts at line {at} (the header's names in another order), "
                    "but its values fit the header's columns as written and not by name — row quarantined; split the file"
                )
                issues.append(RowIssue(line, reason, self._src.span(line, last)))
                return
            row = mapped
        if len(row) != width:
            has = f"{len(self.header_rows[-1])} names and data lines {width} fields" if self.shape.mismatch else str(width)
            issues.append(RowIssue(line, f"{name} line {line}: {len(row)} fields, header has {has} — row quarantined", self._src.span(line, last)))
        elif max(map(len, row)) > limit:
            i = max(range(width), key=lambda k: len(row[k]))
            reason = (
                f"{name} line {line}: field {i + 1} ({self.header[i].strip() or 'unnamed'}) has {len(row[i]):,} characters, "
                f"more than read.max_field_chars={limit:,} — row quarantined"
            )
            issues.append(RowIssue(line, reason, self._src.span(line, last)))
        else:
            records.append(self._absent_empties(row, line, last, as_written))
            lines.append(line)

    def _delimiters_only(self, line: int, last: int) -> bool:
        """Whether the record on lines ``line``..``last`` is one physical line of delimiters only (``,,,,``): it holds no
        value, whatever its width, and is a ``blank`` line as it is above the table (``_skipped``). A quoted empty field
        (``"",""``) is written: such a line stays a record (empty strings, then quarantined by the clean step
        drop_empty_rows with what it wrote); so does a line of spaces between the delimiters (``  ,  ``: its spaces kept)."""
        src = self._src
        if line != last or not src.first <= line <= src.last:
            return False
        text = src.kept[line - src.first].rstrip("\r\n")
        delimiter = str(self._dialect.get("delimiter", ","))
        return bool(text) and not text.replace(delimiter, "")

    def _footer(self, row: list[str], after_blank: bool = False) -> tuple[str, str, bool, bool] | None:
        """(kind, text, known, weak) when ``row``, narrower than the table, may be a footer line of a report; else None.

        Its text is its one filled field, or the row joined at the delimiter when every field after the first
        starts with a space (a footer split at its prose commas: ``Accrual Basis Monday, April 7, 2025 ...``). A page
        footer (PAGE_FOOTER) is one wherever it stands; an end marker (END_MARKER), a QuickBooks basis line
        (REPORT_FOOTER), a report writer's phrase (FOOTER_PHRASE: ``Generated by ...``, ``Printed on ...``) or a
        timestamp (FOOTER_STAMP; not when the table's first column holds dates: a record cut after its first value) —
        ``known`` footers — and one filled field of two words or more (_FOOTER_TEXT, not known) only after the last
        record (``_held`` until ``_settle_footers`` knows; the text alone only in a report). A number or one word
        (``1003``, ``Comments``) is no footer: it may be a cut record or a one-column table, and stays quarantined for its
        width — except ``after_blank`` (a blank line between it and the last record): there a ``Key:,value`` pair
        (``Total rows:,2``) is held like text alone, and one word with a letter (``Notes``, ``Filtered:``) is a ``weak``
        footer line, a footer only in a block with other footer lines (``_settle_footers``, breaker9 #1).
        """
        cells = [c for c in row if c.strip()]
        delimiter = str(self._dialect.get("delimiter", ","))
        pair = False
        if len(cells) == 1:
            text, split = cells[0], False
        elif len(row) > 1 and all(c.startswith(" ") for c in row[1:]) and row[0].strip():
            text, split = delimiter.join(row), True
        elif after_blank and label_pair(row):
            text, split, pair = delimiter.join(cells), True, True
        else:
            return None
        text = text.replace(CR_IN_FIELD, "\r")
        if PAGE_FOOTER.fullmatch(text):
            return "page_footer", text.strip(), True, False
        if END_MARKER.fullmatch(text):
            return "end_marker", text.strip(), True, False
        if REPORT_FOOTER.fullmatch(text) or FOOTER_PHRASE.fullmatch(text) or ROW_COUNT.fullmatch(text) or self._stamp(text):
            return "report_footer", text.strip(), True, False
        if "\n" in text:
            return None
        if pair or (not split and _FOOTER_TEXT.fullmatch(text)):
            return "report_footer", text.strip(), False, False
        if after_blank and not split and any(ch.isalpha() for ch in text):
            return "report_footer", text.strip(), False, True
        return None

    def _pair_footer(self, row: list[str]) -> bool | None:
        """Whether ``row``, two fields after a blank line in a two-column table, is a ``Key:,value`` footer pair (label_pair):
        True when its label is a known footer's (FOOTER_PHRASE: ``Exported by:``; a total or count, _TOTAL_TEXT:
        ``Total rows:``), None when it is not, or when the table's own first column holds ``Key:`` labels (``Spain:,Madrid``
        after a blank line under ``France:,Paris`` is a record). A pair under a footer pair (``Margin:,60%`` under
        ``Total:,140``) is no footer for following one: it is a record, and the footer pair above it is quarantined
        (tab15, breaker12 B1)."""
        if not label_pair(row) or any(r and colon_label(r[0]) for r in self.table.rows):
            return None
        label = row[0].strip()
        return True if FOOTER_PHRASE.fullmatch(label) or _TOTAL_TEXT.match(label) else None

    def _clear_footer(self, text: str) -> bool:
        """Whether ``text``, a held footer line's, reads as a report's footer and not as a record cut short: a label
        (_LABEL_TEXT: ``Filtered By:``, ``Total rows:,2``, ``Compte :``), a total or count (_TOTAL_TEXT), or a sentence
        (_SENTENCE_WORDS words or more, or three ending in ``.``, ``!`` or ``?``, that are no name: name_line). ``Ann Lee``,
        ``Maria de la Cruz`` or ``Notes`` is none."""
        head = text.split(str(self._dialect.get("delimiter", ",")), 1)[0]  # a pair's text is its cells joined at the delimiter
        if _LABEL_TEXT.match(head) or _TOTAL_TEXT.match(text):
            return True
        words = text.split()
        sentence = len(words) >= _SENTENCE_WORDS or (len(words) >= 3 and text.rstrip()[-1:] in ".!?")
        return sentence and not name_line(text)  # ``Maria de la Cruz``: four words, but a name (tab16)

    def _stamp(self, text: str) -> bool:
        """Whether ``text`` is a timestamp footer (FOOTER_STAMP) in a table whose first column does not hold dates."""
        if "\n" in text or not FOOTER_STAMP.fullmatch(text):
            return False
        return not (self.table.columns and self.table.columns[0].kind == DATE)

    def _footer_text(self, line: str) -> bool:
        """Whether ``line`` (one physical line) reads as a known footer line narrower than the table (``_footer``): a report's
        last line often has no line end, and is no cut record for that (``_cut_line`` gives it no ``no_line_terminator``
        warning). Text alone (``Jane Doe``) is not known: it may be a record cut short, and keeps the warning."""
        try:
            row = next(csv.reader([line], **self._dialect), [])  # type: ignore[arg-type]
        except csv.Error:
            return False
        footer = self._footer(row) if 0 < len(row) < self.shape.width else None
        return footer is not None and footer[2]

    def _settle_footers(self, last: int, issues: list[RowIssue], end: bool) -> None:
        """Decide the held footer lines (``_held``): those above ``last`` (the batch's last record or quarantined row) were no
        footer, and go to ``issues`` as the rows of the wrong width they are; at the ``end`` of the file the rest are
        structural lines of their kind (``end_marker``, ``report_footer``), their text kept (manifest ``table.footer``), unless
        more than MAX_FOOTER_LINES are left right under the records: then every one is quarantined. A line of text alone (not
        ``known``) is a footer only in a report: title lines above the table (``preamble``), a page footer met, or a known
        footer line among the last ones; else it is quarantined for its width (a record cut short, ``Jane Doe`` of
        ``Jane Doe,...``). Lines set apart from the records by a blank line are a footer block whatever its length
        (Salesforce's six lines, breaker9 #1, #11); two of them or more, half of them at least clear footer lines
        (_clear_footer: known, a label, a total or count, a sentence), are a footer on that evidence alone, and a warning
        says so when no line is a known footer line; names or single words alone (``Ann Lee``, ``Notes``) may be records
        cut short, and stay quarantined (tab13). A ``Key:,value`` pair as wide as a two-column table (_pair_footer) held
        above a later record is quarantined with its own reason; a block holding one is the footer only when every line
        of it is a clear footer line, and is then always named in a warning (tab15, breaker12 B1). A line that reads as a
        person's name (name_line: ``Maria de la Cruz``, four words but no sentence) is never a footer unless it is a known
        footer line: it is quarantined for its width whatever stands around it (a title block, a known footer line, a
        footer block); in a block it is no clear line and none of the two lines a block needs, but counts against the
        half (tab16)."""
        held = self._held
        if not held:
            return
        if last > held[0][0]:
            issues.extend(h[3] for h in held if h[0] < last)
            issues.sort(key=lambda i: i.line)
            self._held = held = [h for h in held if h[0] > last]
        if end and held:
            counts = self.structure.counts
            known_any = any(h[4] for h in held)
            report = bool(counts.get("preamble") or counts.get("page_footer")) or known_any
            separated = held[0][6]
            # Set apart by a blank line, two lines or more are a footer block when at least half of them are clear footer
            # lines (_clear_footer: known, a label, a total or count, a sentence): names (``Ann Lee``) or single words may
            # be records cut short, and stay quarantined for their width (tab13, breaker10 F4). A name (name_line) is data:
            # never clear, and no line of the two a block needs; it still counts against the half (tab16)
            named = [not h[4] and name_line(h[2]) for h in held]
            clear = sum(1 for h in held if h[4] or self._clear_footer(h[2]))
            block = separated and len(held) - sum(named) >= 2 and clear > 0 and 2 * clear >= len(held)
            pairs = any(h[7] for h in held)
            if len(held) > MAX_FOOTER_LINES and not separated:
                issues.extend(h[3] for h in held)
            elif pairs:
                # A block holding a ``Key:,value`` pair as wide as a two-column table (_pair_footer) is the footer only when
                # every line of it is a clear footer line (a known footer's label, a total or count, _clear_footer); else each
                # is quarantined with its reason. Either way never silent: the footer lines are named in a warning (tab15, B1).
                if all(h[4] or (not h[7] and self._clear_footer(h[2])) for h in held):
                    for line, kind, text, *_ in held:
                        self.structure.add(kind, line, text)
                    shown = ", ".join(repr(h[2][:60]) for h in held[:4]) + (", ..." if len(held) > 4 else "")
                    self.warnings.append(
                        (f"lines {held[0][0]}-{held[-1][0]} ({len(held)} lines" if len(held) > 1 else f"line {held[0][0]} (1 line")
                        + " after a blank line below the last record of a two-column "
                        f"table: {shown}) read as the report's footer (report_footer structural lines, their text in manifest "
                        "table.footer), not as records: each is a footer's label, a total or a count — if they hold data, remove "
                        "the blank line above them"
                    )
                else:
                    issues.extend(h[3] for h in held)
            else:
                guessed = []
                for (line, kind, text, issue, known, weak, _, _), name in zip(held, named):
                    # a name (name_line) is data, no footer whatever stands around it: a row of the wrong width (tab16)
                    if known or (not name and ((not weak and report) or block or (weak and known_any))):
                        self.structure.add(kind, line, text)
                        if not (known or report):
                            guessed.append((line, text))
                    else:
                        issues.append(issue)
                if guessed:
                    shown = ", ".join(repr(t[:60]) for _, t in guessed[:4]) + (", ..." if len(guessed) > 4 else "")
                    self.warnings.append(
                        f"lines {guessed[0][0]}-{guessed[-1][0]} ({len(guessed)} lines narrower than the table after a blank line "
                        f"below its last record: {shown}) read as the report's footer (report_footer structural lines, their text "
                        "in manifest table.footer), not as records, although none is a known footer line — if they hold data, "
                        "move them into a file of their own"
                    )
            issues.sort(key=lambda i: i.line)
            self._held = []

    def _absent_empties(self, row: list[str], line: int, last: int, exact: bool = True) -> list[str | None]:
        """``row``, read from lines ``line``..``last`` (still kept by the line source), with its unquoted empty fields None
        (``absent_empties``)."""
        src = self._src
        text = "".join(src.kept[line - src.first : last - src.first + 1]) if exact else ""
        return absent_empties(row, text, self._dialect, exact and bool(text))

    def _misfits(self, row: list[str]) -> int:
        """How many values of ``row`` are not of their column's kind where the column has a typed kind (number, date, code)."""
        return sum(
            1 for cell, col in zip(row, self.table.columns)
            if col.kind in TYPED and value_kind(cell) not in (col.kind, "empty")
        )

    def _rows_below(self, row: list[str], line: int) -> list[list[str]] | None:
        """The rows right under ``row`` (physical line ``line``) in its block, up to the next blank line, as the sniffed
        sample holds them (at most PROFILE_ROWS; a cut sample's last line left out); None when the sample does not hold
        ``row`` at that line (past the sample, or a multi-line record above it)."""
        if self._sample_rows is None:
            lines = self._sample.splitlines(keepends=True)
            parsed = parse_rows(lines if self._sample_complete else lines[:-1], self._dialect)
            self._sample_rows = {i + 1: r for i, r in parsed}
        rows = self._sample_rows
        if [c.strip() for c in rows.get(line) or []] != [c.strip() for c in row]:
            return None
        below: list[list[str]] = []
        at = line + 1
        while at in rows and rows[at] and any(c.strip() for c in rows[at]) and len(below) < PROFILE_ROWS:  # type: ignore[union-attr]
            below.append(rows[at])  # type: ignore[arg-type]
            at += 1
        return below

    def _starts_table(self, row: list[str], line: int) -> bool:
        """After a blank line, does ``row`` (physical line ``line``) read as the header of another table?

        It does when it is names only (table.names_only) over at least half of this table's typed
        columns, or, of another width, text only. A table of text columns only gives no evidence:
        its second table is found only when its width differs (its rows are then quarantined for it).
        A row holding one value twice (``B,soon,soon``) is a record: a header's names are distinct.
        One more key/value pair (table.another_pair) is a record unless the rows under it in the sample read
        as its records (table.names_over_pairs: ``id,name`` over ``1,Ann``); kept as records, the lines are named
        in a warning: they could start a second table (tab15, breaker12 B2).
        """
        filled = [c.strip() for c in row if c.strip()]
        if len(filled) < 2 or len(set(filled)) < len(filled) or not self.header_rows:
            return False
        if len(row) == self.shape.width:
            if another_pair(row, self.header_rows[-1], self.table.rows):
                below = self._rows_below(row, line)
                if below is not None and names_over_pairs(row, below):
                    return True  # a second table's header over its records (``id,name`` over ``1,Ann``)
                # one more key/value pair after a blank line (a config export's sections), not a second header: warned
                last = line + len(below or [])
                self.warnings.append(
                    f"line{'s' if last > line else ''} {line}{f'-{last}' if last > line else ''} ({_cells(row)}"
                    f"{', ...' if last > line else ''}) after a blank line read as more key/value pairs of the table (the "
                    "keys written like those above it): kept as records — they could start a second table with the header "
                    f"{_cells(row)}; if so, split the file"
                )
                return False
            typed = sum(1 for c in self.table.columns if c.kind in TYPED)
            names = sum(1 for v in header_votes(row, self.table.columns) if v > 0)
            return names_only(row, self.table.columns) and names * 2 >= typed
        return all(value_kind(c) == TEXT for c in filled)


def _case_variants(text: str) -> set[str]:
    """``text`` as written, upper-cased, lower-cased, title-cased and capitalized (how exporters re-case a header)."""
    return {text, text.upper(), text.lower(), text.title(), text.capitalize()}


def _cells(row: list[str]) -> str:
    text = ", ".join(repr(c) for c in row[:8])
    return f"[{text}{', ...' if len(row) > 8 else ''}]"


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
        return ParsedFile(f.header, records, lines, f.encoding, f.delimiter, issues, f.warnings, f.structure)
