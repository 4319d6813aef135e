"""Where the table is in a file: dialect, lines above it, header rows (or none) and the shape of its records.

``find_table(sample, options)`` looks at the head of a file (the first ``SNIFF_BYTES``
characters, decoded) before any record is read, and returns a ``Table``: the csv dialect
(delimiter, quote character, spaces after the delimiter), how many physical lines come before
the table (an Excel ``sep=;`` line, a report title, ``Period: ...``, ``NOTE,,,,`` padding, blank
lines), how many header rows it has (0: no header; 2-3: a multi-row header), the lines under them
that describe the columns (Qualtrics, SurveyMonkey, data dictionaries) and a profile of
each column's values (what a header or a data row looks like in it). The reader
(csv_file.CsvFile) then skips those lines, reads the header rows and the records, and accounts
for every skipped line by kind.

Libraries evaluated first, on the examples of issue 9 and the variants in
tests/include/headwater/ingest/test_table.py (2026-12):

* clevercsv 0.8.5 (``Sniffer().sniff`` + ``has_header``): right delimiter and quote on most, but
  reads the single-column review file as space-delimited, has no preamble (header found but not
  where), says "no header" for a ``sep=;`` file and for a ``;`` file with a title line, and has no
  skip-initial-space; it is also pure Python and slow on a 64 KiB sample.
* Python's ``csv.Sniffer``: finds no delimiter at all for the preamble and trailing-delimiter
  examples and picks ``e`` for the single-column file.
* DuckDB 2.0 ``sniff_csv``: splits the single-column file at its commas (and skips its header
  as a row), takes ``NOTE,,,`` for the header of the preamble example, ``sep=`` for a column
  name and the title line of a ``;`` file for its header. Dialect only (``, "`` and apostrophe
  quotes) it gets right.

None of them finds the table itself (preamble, header or not, multi-row header, single column),
so that is done here, with rules documented on each function: the delimiter is the project's
field-count consistency rule (sniff.sniff_delimiter), the quote character and skip-initial-space
are chosen by the same consistency over the parsed sample, and header rows are told from data by
the value kinds of the columns below them (the idea of csv.Sniffer.has_header, per column, with
kinds instead of Python types).
"""

from __future__ import annotations

import csv
import functools
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from headwater.config.read import ReadOptions
from headwater.config.types import NA_SPELLINGS
from headwater.ingest.sniff import quoted_break, sniff_delimiter
from headwater.ingest.streams import UnreadableFile, newline_lines, physical_lines
from headwater.names import standardize_name

# A single-column file is parsed with a delimiter its text does not use: the first of these control
# characters absent from the sample (a later line holding it is quarantined for its width, never split silently).
ONE_COLUMN_DELIMITERS = "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
MAX_HEADER_ROWS = 3  # a header spans at most this many rows
PROFILE_ROWS = 200  # data rows of the sample that profile the columns
KIND_SHARE = 0.8  # a column has a kind when this share of its non-empty values have it

# Kinds of a value, as far as telling a header from data goes.
EMPTY, NUMBER, DATE, CODE, TEXT = "empty", "number", "date", "code", "text"
TYPED = (NUMBER, DATE, CODE)
# Spellings of a missing value: neither header- nor data-like. The placeholders of a value still to come
# (``TBD``: to be determined, ``TBA``, ``TBC``) are among them: a record ``B,TBD,TBD`` is not a row of names.
_NULLISH = frozenset({"na", "n/a", "null", "none", "nan", "-", "--", ".", "?", "#n/a", "tbd", "tba", "tbc", "t.b.d.", "t.b.a.", "t.b.c."})
# Float specials as numpy, pandas, Python (``inf``, ``-inf``, ``Infinity``), JavaScript/Java (``Infinity``) and the
# MSVC runtime (``1.#INF``, ``1.#IND``, ``1.#QNAN``) write them: numbers, not names (``nan`` is a missing-value spelling above).
_FLOAT_SPECIAL = re.compile(r"[+-]?(?:inf|infinity|nan|1\.#(?:inf|ind|qnan|snan)0*)", re.IGNORECASE)
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:[,.' \u00a0\u202f]\d{3})+|\d+)?(?:[.,]\d+)?(?:[eE][+-]?\d+)?%?")
_CURRENCY = "$€£¥₹"
_DATE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?: \d{1,2}:\d{2}(?::\d{2})?)?"
    r"|\d{4}/\d{1,2}/\d{1,2}"
    r"|\d{1,2}:\d{2}(?::\d{2})?"
    r"|\d{1,2}[- ][A-Za-z]{3,9}[- ]\d{2,4}"
)
_SEP_LINE = re.compile(r"sep=(.)", re.IGNORECASE)
# A database client's footer that counts the rows it printed: SQL*Plus ``2 rows selected.``, ``no rows selected``, psql
# ``(2 rows)``, MySQL ``2 rows in set (0.00 sec)`` (breaker9 #3). A structural line under the records, not a record.
ROW_COUNT = re.compile(
    r"\s*(?:\(\s*\d[\d,]*\s+rows?\s*\)|\d[\d,]*\s+rows?\s+(?:selected|affected|returned|in\s+set)\b[^\n]*|no\s+rows\s+selected)\s*\.?\s*",
    re.IGNORECASE,
)
RULE_REASON = "a rule of dashes under the header (a database client's underline: SQL*Plus, psql, MySQL)"


def rule_line(row: list[str]) -> bool:
    """Whether ``row`` is a rule line: its fields hold only dashes or equals signs, with ``+``, ``|`` and spaces between them
    (SQL*Plus' ``--- ---------- ------`` under a spool's header, psql's ``----+------``), three dashes at least."""
    text = "".join(row)
    return sum(text.count(c) for c in "-=") >= 3 and not text.strip(" \t-=+|:")


_IDENTIFIER = re.compile(r"[^\W\d]\w*")  # a column name written as an identifier: a letter or _, then letters, digits, _
# A number with comma thousands separators (``1,234``, ``-12,500.75``, ``$1,234,567``): its commas are not delimiters.
_GROUPED = re.compile(r"[+-]?[$€£¥₹]?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?")
# A bare \r kept inside a field travels through csv.reader as this character: a lone surrogate, which no strict
# decoder writes (NULs of the file do reach the reader: streams.text_chunks keeps them, cleaning keeps them in __raw).
CR_IN_FIELD = "\ud800"


KIND_CACHE_CHARS = 64  # values up to this long keep their kind in a cache of KIND_CACHE_SIZE (bounded: 4096 x 64 characters)
KIND_CACHE_SIZE = 4096


def value_kind(value: str) -> str:
    """value_kind_uncached(value), remembered for short values (KIND_CACHE_CHARS; functools.lru_cache, KIND_CACHE_SIZE).

    The sniff profiles the same sample rows several times (each candidate header is judged against the rows
    below it), so a cell's kind is asked again and again; value_kind_uncached is a pure function of its text.
    """
    if len(value) <= KIND_CACHE_CHARS:
        return _value_kind_cached(value)
    return value_kind_uncached(value)


def value_kind_uncached(value: str) -> str:
    """The kind of one value: ``empty`` (blank or a missing-value spelling), ``number``, ``date``, ``code``, ``text``.

    A *code* is one token (no space) mixing letters and digits (``K-17``, ``SKU123``), or an
    e-mail address or URL: identifiers that data rows carry and header names rarely are.
    Numbers allow a sign, thousands groups, a decimal point or comma, an exponent, a percent
    sign, a currency symbol and accounting parentheses; the float specials (_FLOAT_SPECIAL: ``inf``,
    ``-Infinity``, ``1.#INF``) are numbers too (``1e309`` already is: an exponent).
    """
    s = value.replace("\x00", "").strip()  # a NUL is padding as far as the kind goes (cleaning removes it)
    if not s or s.lower() in _NULLISH:
        return EMPTY
    n = s.strip(_CURRENCY).strip()
    if n.startswith("(") and n.endswith(")"):
        n = n[1:-1]
    if n and _NUMBER.fullmatch(n) and any(c.isdigit() for c in n):  # the match first: it stops at a long text's first letter
        return NUMBER
    if _FLOAT_SPECIAL.fullmatch(s):
        return NUMBER
    if _DATE.fullmatch(s):
        return DATE
    if " " not in s and ("@" in s and "." in s or "://" in s):
        return CODE
    if " " not in s and any(c.isdigit() for c in s) and any(c.isalpha() for c in s):
        return CODE
    return TEXT


_value_kind_cached = functools.lru_cache(maxsize=KIND_CACHE_SIZE)(value_kind_uncached)


def _year(value: str) -> bool:
    s = value.strip()
    return len(s) == 4 and s.isdigit() and 1800 <= int(s) <= 2100


@dataclass
class Column:
    """What the data rows of the sample hold in one column."""

    kind: str | None  # the kind of at least KIND_SHARE of its non-empty values; None: no such kind (or no values)
    years: bool  # every number in it is a year (1800-2100)

    @classmethod
    def of(cls, values: list[str]) -> Column:
        """The column of ``values`` (the sample's cells, in row order); the same as ``of_reference``.

        value_kind is a pure function of its text, so each distinct value is classified once (a column of a
        sample repeats its categories and codes) and the kinds are counted in row order, as the reference
        counts them (Counter.most_common keeps first-seen order among equal counts).
        """
        memo: dict[str, str] = {}
        per_value = [memo[v] if v in memo else memo.setdefault(v, value_kind(v)) for v in values]
        kinds = Counter(per_value)
        kinds.pop(EMPTY, None)
        total = sum(kinds.values())
        kind = None
        if total:
            top, count = kinds.most_common(1)[0]
            kind = top if count >= KIND_SHARE * total else None
        numbers = [v for v, k in zip(values, per_value) if k == NUMBER]
        return cls(kind, bool(numbers) and all(map(_year, numbers)))

    @classmethod
    def of_reference(cls, values: list[str]) -> Column:
        """``of`` as written before read7 (value_kind twice per value): kept for the differential test (test_table_column_of)."""
        kinds = Counter(value_kind(v) for v in values)
        kinds.pop(EMPTY, None)
        total = sum(kinds.values())
        kind = None
        if total:
            top, count = kinds.most_common(1)[0]
            kind = top if count >= KIND_SHARE * total else None
        numbers = [v for v in values if value_kind(v) == NUMBER]
        return cls(kind, bool(numbers) and all(map(_year, numbers)))


def vote(cell: str, column: Column) -> int:
    """+1 when ``cell`` reads like a column name above ``column``, -1 when it reads like one of its values, 0 when it says nothing.

    Over a column of numbers or dates: text or a code is a name (+1: ``amount``, ``Q1``); a value of
    the column's kind is data (-1), except a year over a column of other numbers (a period label,
    +1). Over a column of codes: text is a name (+1), a code is data (-1). Over a text column
    nothing is evidence: names and values are both text.
    """
    kind = value_kind(cell)
    if kind == EMPTY or column.kind is None:
        return 0
    if column.kind in TYPED:
        if kind == column.kind:
            return 1 if kind == NUMBER and _year(cell) and not column.years else -1
        return 1 if kind == TEXT or (kind == CODE and column.kind != CODE) else 0
    return 0


def header_key(row: list[str]) -> tuple[str, ...]:
    """A row as compared to find a header repeated: each field without a byte-order mark and surrounding spaces."""
    return tuple(f.lstrip("\ufeff").strip() for f in row)


def folded_key_is(row: list[str], key: tuple[str, ...]) -> bool:
    """Whether ``tuple(f.casefold() for f in header_key(row)) == key``, its first field compared first (read7).

    The same answer as that expression (kept in test_table_column_of as the reference): tuples of another length,
    or whose first names differ, are unequal, so most rows are settled without building their whole key.
    """
    if len(row) != len(key):
        return False
    if key and row[0].lstrip("\ufeff").strip().casefold() != key[0]:
        return False
    return tuple(f.casefold() for f in header_key(row)) == key


def header_votes(row: list[str], columns: list[Column]) -> list[int]:
    """vote() of each cell of ``row`` over the column at its position."""
    return [vote(cell, col) for cell, col in zip(row, columns)]


def names_only(row: list[str], columns: list[Column]) -> bool:
    """Whether ``row`` reads as column names over ``columns`` and not at all as data: some +1 vote, no -1."""
    votes = header_votes(row, columns)
    return any(v > 0 for v in votes) and not any(v < 0 for v in votes)


@dataclass
class Table:
    """Where the table is in a file and how its records are written (see find_table)."""

    delimiter: str  # what csv.reader splits on (a control character for a single-column file)
    quotechar: str = '"'
    skipinitialspace: bool = False  # spaces after a delimiter are not data (``1, "Ortiz, Ana"``)
    sep_line: bool = False  # line 1 is Excel's ``sep=X``
    skip: int = 0  # physical lines above the table: the sep line, preamble and blank lines
    header_rows: int = 1  # 0: no header (generic names); 2-3: a multi-row header
    width: int = 0  # fields of a data record (the commonest count in the sample); 0: no record seen
    columns: list[Column] = field(default_factory=list)  # profile of each data column (width entries)
    how: str = "detected"  # "detected", or the read: option that decided the header
    single_column: bool = False  # one value per line: the delimiter is not the file's, delimiters in the text are text
    rows: list[list[str]] = field(default_factory=list)  # the sample's first data records of ``width`` fields (up to PROFILE_ROWS)
    # a detected one-row header with no evidence: no cell reads as a name over typed values, none is written as a name
    header_unconfirmed: bool = False
    doubt: str | None = None  # why the header is unconfirmed when another row could be it (a title above it); None: no rival
    # reason of each description line right under the header rows (header_descriptions): structural lines, not records
    descriptions: list[str] = field(default_factory=list)
    # the description lines that are types lines (type_row), as read: met again below (two exports concatenated, a types
    # footer), the reader counts them as header_description lines too (breaker7 #14)
    type_lines: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # decisions a reader of the manifest should check (read warnings)
    complete: bool = True  # the sample it was found in is the whole file (else its head: decisions are a sample's)
    file_header_record: int = 0  # physical line (1-based) of a record-type header line above the header (``HDR,...``); 0: none

    def dialect(self) -> dict[str, object]:
        """Keyword arguments for csv.reader."""
        return {"delimiter": self.delimiter, "quotechar": self.quotechar, "skipinitialspace": self.skipinitialspace, "strict": True}


def by_newline(head: str) -> bool:
    """Whether a file whose head is ``head`` ends its lines with \n (a bare \r then may be text: cr_parts), not \r alone."""
    return "\n" in head or "\r" not in head


def has_bare_cr(line: str) -> bool:
    """Whether ``line`` (split at \n) holds a \r that is not its \r\n end (cheap for the usual lines)."""
    return "\r" in line and (line.count("\r") > 1 or not line.endswith("\r\n"))


def cr_parts(line: str, widths: set[int] | None, dialect: dict[str, object]) -> list[str]:
    """A line (split at \n) with a bare \r: one line with each \r kept in a field, or one line per \r.

    Kept (as CR_IN_FIELD) when the line so read is one record of one of ``widths`` fields, trailing
    empty fields aside (a carriage return typed into a text field of a \n file); ``widths`` None
    keeps it always (a first look, to learn the width). Otherwise every bare \r ends a line (mixed
    line endings, or a \r after a closing quote), as csv.reader reads them. A \r that ends the
    last line of the file ends it.
    """
    end = "\r\n" if line.endswith("\r\n") else "\n" if line.endswith("\n") else "\r" if line.endswith("\r") else ""
    core = line[: len(line) - len(end)]
    if "\r" not in core:
        return [line]
    joined = core.replace("\r", CR_IN_FIELD) + end
    if widths is None:
        return [joined]
    try:
        fields = next(csv.reader([joined], **dialect))  # type: ignore[arg-type]
    except (csv.Error, StopIteration):
        fields = None
    if fields is not None and any(len(fields) == w or len(fields) > w > 0 and not any(f.strip() for f in fields[w:]) for w in widths):
        return [joined]
    parts = core.split("\r")
    out = [p + "\r" for p in parts[:-1]]
    if parts[-1] or end:
        out.append(parts[-1] + end)
    return out


def sample_lines(sample: str, complete: bool) -> list[str]:
    """The lines of ``sample`` as the reader splits them before it knows the width: at \n (a bare \r kept), or at \r in a \r file.

    The last line is dropped when the sample is cut.
    """
    if not sample:
        return []
    lines = list(newline_lines(iter([sample])) if by_newline(sample) else physical_lines(iter([sample])))
    if not complete and len(lines) > 1:
        lines.pop()  # cut by the end of the sample
    return lines


def _resplit(lines: list[str], width: int, dialect: dict[str, object]) -> list[str]:
    """``lines`` with each bare \r decided (cr_parts) for records of ``width`` fields, as the reader splits them."""
    out: list[str] = []
    for line in lines:
        out.extend(cr_parts(line, {width}, dialect) if has_bare_cr(line) else [line])
    return out


def parse_rows(lines: list[str], dialect: dict[str, object]) -> list[tuple[int, list[str] | None]]:
    """(index of the first line, fields) of each record in ``lines``; fields None for a record that does not parse.

    A broken record costs its first line, as in the reader (the lines after it are read again).
    """
    out: list[tuple[int, list[str] | None]] = []
    at = 0
    while at < len(lines):
        reader = csv.reader(lines[at:], **dialect)
        done = 0
        try:
            for row in reader:
                out.append((at + done, row))
                done = reader.line_num
        except csv.Error:
            out.append((at + done, None))
            at += done + 1
            continue
        break
    return out


def is_blank(row: list[str] | None) -> bool:
    """A row with nothing in it: no field, or one field of whitespace."""
    return row is not None and (not row or (len(row) == 1 and not row[0].strip()))


def _consistency(rows: Iterable[list[str] | None]) -> tuple[float, int]:
    """(share of the non-blank records that have the commonest field count, that count); broken records count against."""
    counts = [len(r) if r is not None else -1 for r in rows if not is_blank(r)]
    if not counts:
        return 0.0, 0
    mode, n = Counter(c for c in counts if c >= 0).most_common(1)[0] if any(c >= 0 for c in counts) else (0, 0)
    return n / len(counts), mode


def _quote_and_space(lines: list[str], delimiter: str) -> tuple[str, bool]:
    """The quote character and skip-initial-space that read ``lines`` most consistently.

    The apostrophe is tried only when some field starts with one and none with a double quote; skip-initial-space only when a delimiter is followed by spaces and a quote. Each
    is taken when the field counts are at least as consistent with it as without (ties go to it:
    without it the quote characters stay in the values).
    """
    text = "".join(lines)
    d = re.escape(delimiter)
    starts = {q: len(re.findall(rf"(?:^|{d})[ \t]*{q}", text, re.MULTILINE)) for q in "\"'"}
    quote = '"'
    base = {"delimiter": delimiter, "quotechar": '"', "skipinitialspace": False, "strict": True}
    rows = [r for _, r in parse_rows(lines, base)]
    if starts["'"] and not starts['"']:
        alt = [r for _, r in parse_rows(lines, base | {"quotechar": "'"})]
        if _consistency(alt)[0] >= _consistency(rows)[0]:
            quote, rows = "'", alt
    space = False
    if re.search(rf"{d}[ \t]+{re.escape(quote)}", text):
        alt = [r for _, r in parse_rows(lines, base | {"quotechar": quote, "skipinitialspace": True})]
        space = _consistency(alt)[0] >= _consistency(rows)[0]
    return quote, space


def _header_like(row: list[str], width: int) -> bool:
    """Could ``row`` start a table of ``width`` fields: about that wide, and more than a padded note (``NOTE,,,,``, ``Source,X,,,,``).

    About that wide: within one field of ``width``, counting all its fields or up to its last
    filled one; more than a note: at least two filled fields, and at least half of ``width`` unless
    the first is empty (the upper row of a multi-row header: ``,Sales,,Returns,``).
    """
    if width <= 1:
        return True
    filled = sum(1 for f in row if f.strip())
    if len(row) == width and not row[0].strip() and all(f.strip() for f in row[1:]):
        return True  # a report's header over its unnamed row-label column (QuickBooks' P&L: ``"","Total"``)
    wide = abs(_filled_width(row) - width) <= 1 or abs(len(row) - width) <= 1
    return wide and filled >= 2 and (filled >= width / 2 or not row[0].strip())


def _prose_commas(rows: list[list[str]]) -> bool:
    """Every split of these rows follows a space-led fragment: the delimiter is punctuation in text (``Nice fit, runs large``)."""
    inner = [f for r in rows for f in r[1:]]
    return bool(inner) and all(f.startswith(" ") and not f.startswith(' "') for f in inner)


def find_table(sample: str, options: ReadOptions | None = None, complete: bool = True) -> Table:
    """Find the table in ``sample``, the head of a decoded file (all of it when ``complete``).

    In order:

    1. An Excel ``sep=X`` first line sets the delimiter and is skipped.
    2. The delimiter (read.delimiter, else sniff.sniff_delimiter over the lines), then the quote
       character and skip-initial-space (_quote_and_space); read.quotechar forces the quote.
    3. The table's width: the commonest field count of the records (_width).
    4. The table's first row: the first record about that wide with two non-empty fields (a
       title, ``Period: ...`` or ``NOTE,,,,`` above it is preamble). The file is one column
       (every line one value, its delimiters text) when that width is 1, or when the file's
       first line has no delimiter and what follows is not a confirmed header over typed data
       but text split at ``, `` (prose commas) or rows of varying width.
    5. Header or data: each cell of the first row votes (vote()) against the columns below it;
       a negative sum is data (no header: generic names), otherwise it is the header (with no
       evidence either way, a header, the common case). With no row below it, a first row of
       numbers and dates only is data. Up to two more rows that continue it (continues_header():
       names only, under merged cells) are more header rows (a multi-row header).
    6. Up to two lines right under the header that describe its columns (header_descriptions: Qualtrics'
       question texts and ImportId line, SurveyMonkey's option labels, a data dictionary's descriptions)
       are ``descriptions``; a line that only may be one stays a record, and a note says so.

    read.header (``none`` or a line number) and read.skip_lines override steps 4-5. ``options.known_names``: the
    standardized column names the source's schema declares, with their aliases (headwater.config.schema.SchemaSpec.known_names):
    a first row of numbers whose label is one of them is the header (_numbered_header), whatever its shape.
    """
    options = options or ReadOptions()
    lines = sample_lines(sample, complete)
    if by_newline(sample) and any(map(has_bare_cr, lines)):
        # Each bare \r kept, or each one a line end: the width that reads the lines more consistently decides them.
        joined = _find(lines, options, [cr_parts(ln, None, {})[0] for ln in lines], sample, complete)
        split = [p for ln in lines for p in (cr_parts(ln, set(), {}) if has_bare_cr(ln) else [ln])]
        readings = [_resplit(lines, t.width, t.dialect()) for t in (joined, _find(split, options, split, sample, complete))]
        lines = max(readings, key=lambda ls: _consistency(r for _, r in parse_rows(_kept(ls), joined.dialect()))[0])
    table = _find(lines, options, _kept(lines), sample, complete)
    split = quoted_break(sample, table.quotechar) if table.single_column and not options.delimiter else None
    if split:
        line, delimiter = split
        raise UnreadableFile(
            f"line {line}: a quoted text after {delimiter!r} holds line breaks, but the first {len(sample):,} characters do not read "
            f"as a {delimiter!r}-delimited table: read as one column, that text would be split into records — file quarantined; set "
            f"read.delimiter: {delimiter!r} for this source (and read.max_field_chars above the longest text) and drop it again"
        )
    return table


def _kept(lines: list[str]) -> list[str]:
    """``lines`` with every bare \r kept as CR_IN_FIELD (the lines as csv.reader gets them)."""
    return [cr_parts(ln, None, {})[0] for ln in lines]


def _find(raw: list[str], options: ReadOptions, lines: list[str], sample: str, complete: bool = True) -> Table:
    """find_table over ``lines`` (each bare \r kept as CR_IN_FIELD; ``raw``: the same lines as read; ``complete``: all of the file)."""
    sep_line = bool(raw) and options.delimiter is None and bool(_SEP_LINE.fullmatch(raw[0].rstrip("\r\n")))
    body = lines[1:] if sep_line else lines
    if options.delimiter:
        delimiter = options.delimiter
    elif sep_line:
        delimiter = raw[0].rstrip("\r\n")[4]
    else:
        delimiter = sniff_delimiter("".join(body))
    quote, space = _quote_and_space(body, delimiter)
    table = Table(delimiter, options.quotechar or quote, space, sep_line, complete=complete)
    if not options.delimiter and delimiter == "," and _thousands_only(body):
        table = _one_column(sample, options, quote, sep_line)
        table.complete = complete
        _locate(parse_rows(body, table.dialect()), table, options, offset=int(sep_line))
        table.notes.append(
            "commas only inside digit groups (1,234) and lines without one: read as one column of numbers with "
            "thousands separators, not split at the commas — set read.delimiter: ',' for this source if they are fields"
        )
    elif not _locate(parse_rows(body, table.dialect()), table, options, offset=int(sep_line)):
        split = table
        table = _one_column(sample, options, quote, sep_line)
        table.complete = complete
        rows = parse_rows(body, table.dialect())
        _locate(rows, table, options, offset=int(sep_line))
        head = next(((i, r) for i, r in rows if not is_blank(r)), None)
        fields = next((r for i, r in parse_rows(body, split.dialect()) if head is not None and i == head[0]), None)
        if head is not None and head[1] is None and fields is not None and len(fields) >= 2:
            # Read as one column, the first line is no valid CSV (``"id","name"``): the file would be quarantined whole for a
            # header that splits at the sniffed delimiter. It is read as a table of that line's width instead, the lines of
            # other widths quarantined one by one, and a warning says so (breaker9 #1).
            table = Table(split.delimiter, split.quotechar, split.skipinitialspace, sep_line, complete=complete)
            _locate(parse_rows(body, table.dialect()), table, options, offset=int(sep_line), width=len(fields))
            line = head[0] + 1 + int(sep_line)
            table.notes.append(
                f"most lines hold one value, but line {line} ({_shown(fields)}) is no valid CSV as one value and splits at "
                f"{split.delimiter!r} into {len(fields)} fields: read as a table of {len(fields)} fields, its lines of another width "
                f"quarantined — if the file is one column, set read.delimiter for this source to a character it does not hold"
            )
    elif not options.delimiter and not sep_line and options.header == "auto" and options.skip_lines is None and _name_over_split(body, table):
        line = next(i for i, ln in enumerate(body) if ln.strip())
        split = table
        table = _one_column(sample, options, quote, sep_line)
        table.complete = complete
        _locate(parse_rows(body, table.dialect()), table, options, offset=0)
        table.notes.append(
            f"line {line + 1} ({body[line].strip()[:80]!r}) has no {split.delimiter!r} and every line below splits at {split.delimiter!r} "
            f"into {split.width} fields: read as one column named by line {line + 1}, the {split.delimiter!r} inside its values kept as "
            f"text — if they are fields, set read.delimiter: {split.delimiter!r} for this source"
        )
    if sep_line and options.delimiter is None:
        found = sniff_delimiter("".join(body))
        if delimiter not in "".join(body) and found != delimiter and found in "".join(body):
            table.notes.append(
                f"line 1 says sep={delimiter} but no line below holds {delimiter!r}: read as it says (one column per line) although the "
                f"lines split consistently at {found!r} — set read.delimiter: {found!r} for this source if that is the file's delimiter"
            )
    table.skip += int(sep_line)
    return table


def _name_over_split(body: list[str], table: Table) -> bool:
    """Whether ``table`` (a split at a sniffed delimiter) makes a one-column file's header into preamble.

    True when the first non-blank line is one name with no delimiter (an identifier: ``amount``,
    ``tags``), it is the only line above the table (blank lines aside), every record below has the
    table's width, and no confirmed header was found below it (no header, or one taken without
    evidence). Such a file is a column whose values hold the delimiter: decimal commas (``3,5``),
    coordinates (``48.85,2.35``), lists (``red|blue``); split, the name is lost as preamble and a
    value becomes a header or two values.
    """
    if table.single_column or table.width < 2 or not (table.header_rows == 0 or table.header_unconfirmed):
        return False
    rows = parse_rows(body, table.dialect())
    filled = [(i, r) for i, r in rows if r is None or not is_blank(r)]
    if len(filled) < 2 or filled[0][1] is None or len(filled[0][1]) != 1 or not _IDENTIFIER.fullmatch(filled[0][1][0].strip()):
        return False
    if table.skip != filled[1][0]:
        return False
    return all(r is not None and len(_trim(r, table.width)) == table.width for _, r in filled[1:])


def _one_column(sample: str, options: ReadOptions, quote: str, sep_line: bool) -> Table:
    """A single-column Table: its delimiter the first of ONE_COLUMN_DELIMITERS that ``sample`` does not hold."""
    unused = next((c for c in ONE_COLUMN_DELIMITERS if c not in sample), ONE_COLUMN_DELIMITERS[0])
    return Table(unused, options.quotechar or quote, False, sep_line, single_column=True)


def _thousands_only(lines: list[str]) -> bool:
    """Whether the commas of ``lines`` are thousands separators of one column of numbers, not delimiters.

    True when every non-blank line that holds a comma is one number in comma digit groups
    (_GROUPED: ``1,234``, ``12,500.75``), at least one is, and some non-blank line holds no comma
    (a one-word header like ``amount``, or a number under 1,000): split at the commas such a file
    reads as a header taken for preamble and values cut in two (``1`` and ``234``). A file of
    grouped numbers only (``1,234`` on every line) gives no such evidence and stays split.
    """
    filled = [ln.strip() for ln in lines if ln.strip()]
    grouped = [ln for ln in filled if "," in ln]
    return bool(grouped) and len(grouped) < len(filled) and all(_GROUPED.fullmatch(ln) for ln in grouped)


def _locate(rows: list[tuple[int, list[str] | None]], table: Table, options: ReadOptions, offset: int, width: int = 0) -> bool:
    """Fill in ``table``'s skip, header_rows, width and columns from ``rows``; False when the file reads better as one column.

    ``offset``: physical lines above the first of ``rows`` (the sep line), for read.header/skip_lines. ``width``: the
    table's width when known (the header line's, _find), else found (_width).
    """
    filled = [(i, r) for i, r in rows if r is not None and not is_blank(r)]
    forced = isinstance(options.header, int) or options.skip_lines is not None
    first = next(((i, r) for i, r in rows if not is_blank(r)), None)
    if first is not None and first[1] is None and not forced:
        table.skip = first[0]  # the first record does not parse: the reader meets it as a broken header
        return True
    if not filled:
        table.header_rows = 0  # nothing but blank lines: no table at all
        return True
    cut = _section_start(filled)
    if cut is not None:  # the first table only decides the width, the header and the profile; the reader meets the next section
        filled = [(i, r) for i, r in filled if i < cut]
        rows = [(i, r) for i, r in rows if i < cut]
    blocks, blank = {}, 0
    for i, r in rows:
        blank += is_blank(r)
        blocks[i] = blank
    table.width = width or _width(filled, blocks, table.complete)
    # every row a ``Key:,value`` pair: a record written down the page, two columns, no header (pairs_file, tab16 B4); empty
    # fields after the value are trailing delimiters (``Name:,Anna Berg,``)
    pairs = pairs_file(filled) if not forced and options.header == "auto" and table.width >= 2 else None
    table.width = 2 if pairs is not None else table.width
    # the first row past a block of short lines set aside for the width (_core_width): the table starts no higher
    lead = _core_start(filled, blocks, table.width)
    filled = [(i, _trim(r, table.width)) for i, r in filled]
    rows = [(i, _trim(r, table.width) if r is not None else r) for i, r in rows]
    free = options.delimiter is None and not table.single_column
    rival = numbered = kept = None
    typed_by = False  # the header was found by the types line under it (_types_line_under)
    if forced:
        skip = options.header - 1 if isinstance(options.header, int) else options.skip_lines or 0
        skip = max(0, skip - offset)
        table.how = f"read.header: {options.header}" if isinstance(options.header, int) else f"read.skip_lines: {options.skip_lines}"
        filled = [(i, r) for i, r in filled if i >= skip]
        pos = 0
        if not filled:
            table.skip, table.header_rows = skip, int(isinstance(options.header, int))
            return True
    elif pairs is not None:
        pos, skip = pairs, filled[pairs][0]
    else:
        if table.width == 1 and free:
            return False
        pos, rival = _start(filled[lead:], table.width, blocks)
        pos, rival = pos + lead, rival if rival is None else rival + lead
        if pos > 0 and len(filled[0][1]) == 1 and table.width > 1 and free:
            confirmed = sum(header_votes(filled[pos][1], _profile_below(filled, pos, table.width, blocks))) > 0
            # a report's footer below the table (QuickBooks' ``"Accrual Basis Monday, April 7, 2025 ..."``) is no width of it
            end = _footer_start(filled, table.width) if table.complete else len(filled)
            widths_vary = sum(1 for _, r in filled[pos:end] if len(r) != table.width) > 0
            if not confirmed and (widths_vary or _prose_commas([r for _, r in filled[pos:]])):
                return False
        skip = filled[pos][0]
    table.skip = skip
    if isinstance(options.header, int):
        table.header_rows = 1
    elif options.header == "none":
        table.header_rows, table.how = 0, "read.header: none"
    elif pairs is not None:
        table.header_rows = 0
        last = filled[-1][0] + 1 + offset
        shown = ", ".join(f"{r[0].strip()!r}: {r[1].strip() if len(r) > 1 else ''!r}" for _, r in filled[pos : pos + 3])
        table.notes.append(
            f"lines {skip + 1 + offset}-{last}{'' if table.complete else ' of the sample'} are all 'Key:,value' pairs ({shown}"
            f"{', ...' if len(filled) - pos > 3 else ''}): "
            "a record written down the page, not a table with a header — read with no header, every pair a record (column_1 "
            f"the key, column_2 the value); if line {skip + 1 + offset} names the columns, set read.header: {skip + 1 + offset} "
            "for this source"
        )
    else:
        table.header_rows = _header_rows(filled, pos, table.width, blocks)
        if table.header_rows == 1 and pos > 0 and _group_row_above(filled, pos, table.width, blocks):
            # group names over merged cells, too sparse to start the table (``Customer,,Order,,``): the header's upper row
            pos, rival, table.header_rows = pos - 1, None, 2
            table.skip = filled[pos][0]
        elif table.header_rows == 1 and table.complete and len(filled) == pos + 2 and _group_row_above(filled, pos + 1, table.width, blocks):
            # the same two rows with no record below them (an export with no rows): the sub-names are the file's last
            # line, so no vote starts the table there; they are the header's lower row, not a record (breaker6 #4)
            rival, table.header_rows = None, 2
        if table.header_rows == 1 and table.complete and len(filled) == pos + 1:
            values, names = lone_line_cells(filled[pos][1])
            if len(values) > len(names):
                table.header_rows = 0  # the file's only row holds an id, an e-mail address, a date...: a record (breaker5 #1)
        numbered, kept = _numbered_header(filled, pos, table.width, blocks, options.known_names) if table.header_rows == 0 and not forced else (None, None)
        table.header_rows = table.header_rows or int(numbered is not None)
        candidate = numbered is not None or kept is not None
        if (table.header_rows == 0 or numbered is not None) and _described_under(filled, pos, table.width, blocks, not candidate):
            # a types line right under the first row is what a schema export writes under its header: the first row is
            # the header, whatever its cells vote (``Widget,1,2,3`` over ``string,int,int,int``, breaker7 #20); so is
            # any description line under a first row of numbers that may be names (Likert points over their labels)
            table.header_rows, numbered, kept, typed_by = 1, None, None, True
    if table.how == "detected" and table.complete and len(filled) == pos + 1:
        lone = lone_line_note(filled[pos][1], table.header_rows, filled[pos][0] + 1 + offset)
        if lone is not None and table.header_rows:
            table.header_unconfirmed, table.doubt = True, lone  # a header in doubt over no record (breaker7 #1)
        else:
            table.notes.extend(filter(None, [lone]))
    if not forced and table.header_rows == 0:
        # No header: the rows above the first one that could start the table are its records when they fit its
        # columns (``1001,,`` above ``1002,2024-01-06,5.00``), not preamble.
        columns = _profile(_first_block(rows, filled[pos][0], table.width), table.width)
        first = pos
        while pos > 0 and pairs is None and _fits(filled[pos - 1][1], columns, table.width):  # a title over pairs stays one
            pos -= 1
        table.skip = filled[pos][0]
        # a first record that may be a header of numbers (_numbered_header: ``Widget,1,2,3``), unless records stand above it
        doubt = kept if pos == first else None
        doubt = doubt or (_record_doubt(filled, pos, table.width, blocks) if table.how == "detected" else None)
        if doubt is not None:
            line = filled[pos][0] + 1 + offset
            table.notes.append(f"line {line} " + doubt.replace("{line}", str(line)))
    # A row of names under a header found by its votes: a units row or the header under a title (names_below, the
    # doubt below); it stays a record, so is no description line either.
    doubted = rival is None and not forced and table.header_rows == 1 and names_below(filled, pos, table.width, blocks)
    if table.header_rows and not doubted and len(filled[pos + table.header_rows - 1][1]) == table.width:
        names = column_names([r for _, r in filled[pos : pos + table.header_rows]])
        under = pos + table.header_rows
        # a rule of dashes right under the header (a database spool's underline) describes it: a structural line (breaker9 #3)
        rule = under < len(filled) and blocks.get(filled[under][0]) == blocks.get(filled[under - 1][0]) and rule_line(filled[under][1])
        table.descriptions, possible = header_descriptions(filled, under + int(rule), names, table.width, blocks)
        table.descriptions = [RULE_REASON] * int(rule) + table.descriptions
        if possible is not None:
            at, why = possible
            line = filled[at][0] + 1 + offset
            table.notes.append(
                f"line {line} ({_shown(filled[at][1])}) may describe the columns rather than be a record (possible_header_description: "
                f"{why}): kept as a record — if it is a description line, drop it from the export (its values stay in the columns)"
            )
    body = pos + table.header_rows + len(table.descriptions)
    table.rows = _first_block(rows, filled[body][0] if body < len(filled) else None, table.width)
    if table.header_rows and (table.descriptions or table.complete) and len(filled[pos + table.header_rows - 1][1]) == table.width:
        names_row = filled[pos + table.header_rows - 1][1]
        described = [r for _, r in filled[pos + table.header_rows : body]]
        table.type_lines = [r for r in described if type_row(r, names_row)]
        footer = _types_footer(filled, body, names_row, table.width) if table.complete and not table.type_lines else None
        key = [c.strip().casefold() for c in footer] if footer is not None else None
        if footer is not None and any([c.strip().casefold() for c in r] == key for _, r in filled[body:-1]):
            table.type_lines.append(footer)  # the same types line met again among the records: the schema's, each time
        elif footer is not None:
            # a types footer alone (none under the header, no repeat) may be a record of type words (a column of
            # answers, a cast table): a record kept wrongly keeps its values, a structural one loses them (breaker8 #3)
            shown = ", ".join(c.strip() for c in footer if c.strip())
            table.rows = [r for r in table.rows if [c.strip().casefold() for c in r] != key]  # nor does it blur the profile
            table.notes.append(
                f"line {filled[-1][0] + 1 + offset} ({_shown(footer)}) may describe the columns rather than be a record "
                f"(possible_header_description: a line of type names ({shown}) as the file's last line, with no types line "
                "under the header and no repeat of it): kept as a record — if it is a types footer, drop it from the export "
                "(its values stay in the columns)"
            )
        # the types line and the header met again below are no records: they do not blur the columns' profile
        table.rows = [r for r in table.rows if not any(repeats_schema(r, t, names_row) for t in table.type_lines)]
    if table.header_rows and table.width > 1:
        # the header met again (in any letter case) is a repeated_header line, no record: it does not blur the profile
        at, head = filled[pos + table.header_rows - 1]
        head_key = tuple(f.casefold() for f in header_key(head))
        table.rows = [r for r in table.rows if not folded_key_is(r, head_key)]
        again = filled[pos + table.header_rows] if pos + table.header_rows < len(filled) else None
        if again is not None and folded_key_is(again[1], head_key) and header_key(again[1]) != header_key(head):
            # right under it in another letter case (``Day,Night`` under ``day,night``): both name the columns alike, so
            # no title-or-header doubt; the warning says what the reader does with it (breaker8 #12)
            line = at + 1 + offset
            table.notes.append(
                f"line {again[0] + 1 + offset} ({_shown(again[1])}) right under the header (line {line}, {_shown(head)}) "
                f"repeats its names in another letter case: counted as a repeated_header line, not a record — the columns "
                f"are named as line {line} writes them"
            )
    table.columns = _profile(table.rows, table.width)
    if table.how == "detected" and table.header_rows == 1 and table.rows and not typed_by and numbered != DECLARED:
        head = filled[pos][1]
        table.header_unconfirmed = sum(header_votes(head, table.columns)) <= 0 and not any(
            _name_styled(cell, [r[c] for r in table.rows]) for c, cell in enumerate(head[: table.width])
        )
    if doubted and filled[pos][1][0].strip().upper() in RECORD_TYPE_HEADERS:
        # a bank/ACH file's header record (``HDR,20260301,ACME BANK``) above the column names: the names are the header
        table.file_header_record, pos = filled[pos][0] + 1 + offset, pos + 1
        table.skip = filled[pos][0]
        table.rows = _first_block(rows, filled[pos + 1][0] if pos + 1 < len(filled) else None, table.width)
        table.columns = _profile(table.rows, table.width)
        table.header_unconfirmed = False
    elif doubted:
        line, below = filled[pos][0] + 1 + offset, filled[pos + 1][0] + 1 + offset
        table.header_unconfirmed = True
        table.doubt = (
            f"line {line} ({_shown(filled[pos][1])}) taken as the header and line {below} ({_shown(filled[pos + 1][1])}) below it "
            f"as a record, but it reads as column names too — if line {line} is a title, set read.header: {below} for this source "
            f"(read.header: {line} confirms this reading and silences this warning)"
        )
    if rival is not None and table.header_rows:
        line, head = filled[pos][0] + 1 + offset, filled[rival][0] + 1 + offset
        table.header_unconfirmed = True
        table.doubt = (
            f"line {line} ({_shown(filled[pos][1])}) taken as the header and line {head} ({_shown(filled[rival][1])}) above it "
            f"as a title: both could be the header — if line {head} is, set read.header: {head} for this source "
            f"(read.header: {line} confirms this reading and silences this warning)"
        )
    if numbered is not None and numbered != DECLARED:
        line = filled[pos][0] + 1 + offset
        table.header_unconfirmed = True
        table.doubt = (
            f"line {line} ({_shown(filled[pos][1])}) taken as the header: its numbers {numbered} "
            f"(scale points, sizes or weeks as column names) — if it is a record, set read.header: none for this source "
            f"(read.header: {line} confirms it and silences this warning)"
        )
    # the lines of the leading blocks set apart on _named_after_keys' evidence: one note each kind below
    keyed = [i for i, r in filled[:lead] if _key_line(r, table.width)] if not forced else []
    wider = [i for i, r in filled[:lead] if _filled_width(r) > table.width] if not forced else []
    if not forced and pairs is None:  # above pairs (pairs_file) stand titles only: preamble, no record's shape
        # The columns were profiled on the first PROFILE_ROWS records of the head: when the file holds more, a verdict
        # on a preamble line of the table's width is a sample's, and the warning says so.
        sampled = not table.complete or len(table.rows) >= PROFILE_ROWS
        sample = f" (compared with the first {len(table.rows)} records only, a sample of the file)" if sampled else ""
        for i, r in filled:
            if i >= table.skip:
                break
            if (rival is not None and i == filled[rival][0]) or i in keyed or i in wider:
                continue
            if _fits(r, table.columns, table.width):
                table.notes.append(
                    f"line {i + 1 + offset} ({_shown(r)}) has the table's {table.width} fields and reads like its records{sample}, "
                    "but stands above the header: taken as preamble — if it is a record, set read.skip_lines for this source"
                )
            elif sampled and len(r) == table.width > 1 and not _prose_commas([r]):
                table.notes.append(
                    f"line {i + 1 + offset} ({_shown(r)}) has the table's {table.width} fields; taken as preamble because it reads as "
                    f"column names over the first {len(table.rows)} records only, a sample of the file — if it is a record, "
                    "set read.skip_lines for this source"
                )
    if keyed and not forced:
        at = filled[pos][0] + 1 + offset
        table.notes.append(
            f"lines {keyed[0] + 1 + offset}-{keyed[-1] + 1 + offset} ({_shown(dict(filled)[keyed[0]])}, ...) are 'Key:,value' pairs as wide as "
            f"the table, set apart from it by a blank line above line {at}, which reads as column names over the records below "
            f"it: taken as preamble (their text in manifest table.preamble) — if line {keyed[0] + 1 + offset} is the header and "
            f"they are records, set read.header: {keyed[0] + 1 + offset} for this source"
        )
    if wider:
        at, rows = filled[pos][0] + 1 + offset, dict(filled)
        table.notes.append(
            f"lines {wider[0] + 1 + offset}-{wider[-1] + 1 + offset} ({_shown(rows[wider[0]])}, ...) are wider than the table's "
            f"{table.width} fields and set apart from it by a blank line above line {at}, which reads as column names over the "
            f"records below it: taken as preamble (their text in manifest table.preamble) — if they are a table of their own, "
            "split the file"
        )
    if table.how == "detected":
        table.notes.extend(filter(None, [_not_a_table(table, filled, pos, offset, blocks)]))
    return True


def _not_a_table(table: Table, filled: list[tuple[int, list[str]]], pos: int, offset: int, blocks: dict[int, int]) -> str | None:
    """A read warning for a layout that is not a table although it was read as one (breaker5 #21), or None.

    * A one-column file whose every line, two or more, holds a run of two or more spaces, with some character
      position blank on every line between text on both sides (``ID   NAME          AMOUNT`` over
      ``001  Alice Smith   12.50``): fixed-width text, its columns loaded as one value per line. A rule line (a spool's
      ``--- ------`` underline), a row count (ROW_COUNT: ``2 rows selected.``) and lines after a blank line are left out.
    * A two-column file whose first column holds distinct short labels, the header's first cell written like
      them (``Name`` over ``Email``, ``Phone``), whose second column holds values of two kinds or more and
      whose header's second cell is not written as a name (``Jane Doe``): a record written down the page as
      key/value pairs, its first pair taken as the header.
    """
    first = filled[pos][0] + 1 + offset if pos < len(filled) else 0
    if table.single_column:
        # a spool's underline and its row count (``2 rows selected.``), and lines after a blank line, are no columns' text
        block = blocks.get(filled[pos][0]) if pos < len(filled) else None
        kept = [(i, r) for i, r in filled[pos : pos + PROFILE_ROWS] if blocks.get(i) == block and not rule_line(r) and not ROW_COUNT.fullmatch(r[0])]
        lines = [r[0].rstrip() for _, r in kept if r and r[0].strip()]
        if len(lines) < 2 or not all("  " in ln.strip() for ln in lines):
            return None
        short = min(map(len, lines))
        gaps = [p for p in range(short) if all(ln[p] == " " for ln in lines) and all(ln[:p].strip() for ln in lines)]
        if not gaps:
            return None
        at = sorted({g + 2 for g, h in zip(gaps, gaps[1:] + [-1]) if h != g + 1})
        return (
            f"lines {first}-{kept[-1][0] + 1 + offset} read as one column, but every line holds runs of spaces and characters "
            f"{', '.join(map(str, at))} start text on every line after a blank column ({_shown([lines[0]])}): fixed-width text, "
            "not a delimited file — each line is loaded as one value; convert the file to a delimited one for its columns"
        )
    if table.width != 2 or table.header_rows != 1 or table.header_unconfirmed or not table.rows:
        return None
    head = filled[pos][1]
    keys = [head[0].strip()] + [r[0].strip() for r in table.rows]
    if len({k.casefold() for k in keys}) < len(keys) or not all(value_kind(k) == TEXT and len(k.split()) <= 3 for k in keys):
        return None
    if _name_styled(keys[0], keys[1:]) or _IDENTIFIER.fullmatch(head[1].strip()):
        return None
    kinds = {value_kind(v) for v in [head[1]] + [r[1] for r in table.rows]}
    if len(kinds) < 2:
        return None
    pairs = ", ".join(f"{r[0].strip()!r}: {r[1].strip()!r}" for r in [head, *table.rows[:3]])
    return (
        f"lines {first}-{first + len(table.rows)} read as key/value pairs ({pairs}): a record written down the page, not a table — "
        f"line {first} taken as the header, so its pair became the column names; if it is a pair too, set read.header: none for this source"
    )


def section_names(row: list[str]) -> list[str] | None:
    """The names of ``row`` case-folded, when it could be a header: two or more filled cells, all text, distinct; else None."""
    names = [c.strip().casefold() for c in row if c.strip()]
    if len(names) < 2 or len(set(names)) < len(names) or any(value_kind(c) != TEXT for c in names):
        return None
    return names


def another_section(names: list[str], header: list[str]) -> bool:
    """Whether a row of ``names`` (section_names) below a header of ``header`` (case-folded) starts a new section of the file.

    It does when it holds the header's names in another order (two exports concatenated with their
    columns reordered: ``name,id,amount`` under ``id,name,amount``), or all of them and more, or
    only some of them, two at least (a wider or narrower second table: ``id,amount,currency``
    under ``id,amount``). The header met again as written is a repeated header, not a section.
    """
    a, b = set(names), set(header)
    return names != header and (a == b or b < a or (a < b and len(a) >= 2))


def _section_start(filled: list[tuple[int, list[str]]]) -> int | None:
    """The line index where a second section of the file starts (another_section), searched against the first row
    that could be a header (section_names) with a row between them; None when the sample holds one section."""
    first = None
    for k, (i, r) in enumerate(filled):
        names = section_names(r)
        if names is None:
            continue
        if first is None:
            first = (k, names)
        elif k > first[0] + 1 and another_section(names, first[1]):
            return i
    return None


def _shown(row: list[str]) -> str:
    """A row as a warning shows it: its first 8 fields, quoted."""
    return "[" + ", ".join(repr(c) for c in row[:8]) + (", ...]" if len(row) > 8 else "]")


def _name_styled(cell: str, values: list[str]) -> bool:
    """Whether ``cell`` is written as a column name and not as the values under it: with an underscore
    (``first_name``), in lower case over values that are not (``city`` over ``Oslo``), or in capitals
    over values that are not (``CITY``)."""
    name = cell.strip()
    letters = [v.strip() for v in values if any(ch.isalpha() for ch in v)]
    if not name or not any(ch.isalpha() for ch in name):
        return False
    if "_" in name:
        return not any("_" in v for v in letters)
    if name == name.lower():
        return any(v != v.lower() for v in letters)
    if name == name.upper():
        return any(v != v.upper() for v in letters)
    return False


def _footer_start(filled: list[tuple[int, list[str]]], width: int) -> int:
    """Index in ``filled`` of the first of the narrower rows (fewer than ``width`` fields, one filled) that end the
    sample after its last row of ``width`` fields: a report's footer lines (``len(filled)`` when there are none).
    Called on a whole file only (find_table's ``complete``): in a head, the rows after it are not known."""
    end = len(filled)
    while end > 0 and len(filled[end - 1][1]) < width and sum(1 for f in filled[end - 1][1] if f.strip()) == 1:
        end -= 1
    return end if end > 0 else len(filled)


def _first_block(rows: list[tuple[int, list[str] | None]], start: int | None, width: int) -> list[list[str]]:
    """The records of ``width`` fields from line index ``start`` to the first blank line (the table itself, not one after it)."""
    out: list[list[str]] = []
    if start is None:
        return out
    for i, r in rows:
        if i < start or r is None:
            continue
        if is_blank(r):
            if out:
                break
            continue
        if len(r) == width:
            out.append(r)
            if len(out) == PROFILE_ROWS:
                break
    return out


def _start(filled: list[tuple[int, list[str]]], width: int, blocks: dict[int, int]) -> tuple[int, int | None]:
    """(index of the table's first row, index of a rival first row or None).

    The first row is the first row that could start the table (_header_like), or a later such row
    that reads as names (votes sum > 0) when the first ones give no evidence (a ``Source,Ministry``
    line above the header); the search stops at the first row that reads as data (negative votes,
    or no text at all). A row whose later fields all start with a space, over rows whose fields do
    not, is a title with a comma in its text (``Quarterly report, 2024``), never the header.

    With no evidence from the votes, a row written as column names (_names_row: ``company,contact,country``
    over ``Alfreds,Maria Anders,Germany``) right below a first candidate (``Customer list,exported,2024``, or one
    written as names too that fills fewer fields: a one-column ``sales_report_2025``, ``report,,``) is the header and
    that candidate a title: the rival index is then the title's, and the header is flagged unconfirmed
    (find_table). The title stays a named structural line (preamble, its text in the manifest). A first
    candidate written as names is no title when it is met again below (a repeated header, ``TAG`` under
    ``tag``) or when the row below continues a multi-row header (continues_header).

    A later row that reads as names is not taken when a row between it and the first candidate has the table's
    width, every field filled, and reads like its records (_records_above): ``mode,fast`` under ``setting,value`` /
    ``timeout,30`` is a record of a key/value file whose value column mixes words and numbers, and taking it
    would turn the header and ``timeout,30`` into preamble. The first candidate stays the header (when unsure,
    the first line is the header: a record never becomes preamble).
    """
    candidates = [k for k, (_, r) in enumerate(filled) if _header_like(r, width)]
    if not candidates:
        return 0, None
    untitled = []
    for k in candidates[: MAX_HEADER_ROWS + 2]:
        if k + 1 < len(filled) and _prose_commas([filled[k][1]]) and not _prose_commas([r for _, r in filled[k + 1 : k + 4]]):
            continue  # a title split at its prose comma (``Quarterly report, 2024``): preamble
        if untitled and k == untitled[-1] + 1 and _types_under_names(filled[k - 1][1], filled[k][1], width):
            continue  # a types line under a line of names describes them, it is never the header (breaker7 #14)
        untitled.append(k)
        votes = sum(header_votes(filled[k][1], _profile_below(filled, k, width, blocks)))
        same = blocks.get(filled[k][0]) == blocks.get(filled[untitled[0]][0])
        if votes > 0 and k > untitled[0] and ((same and _last_of_block(filled, k, blocks)) or (not same and label_pair(filled[k][1]))):
            # the last row of the first candidate's block, judged against the lines after a blank line only (a footer's
            # ``Total rows:,2`` under ``name,city`` / ``Bob Ray,Rome``), or a ``Key:,value`` pair after a blank line below
            # the first candidate (``Owner:,jdoe``): no evidence that it is the header (tab13)
            votes = 0
        if votes > 0:
            if k > untitled[0] and _records_above(filled, untitled[0], k, width, blocks):
                break  # rows between the first candidate and this one read as its records: no evidence it is the header
            return k, None
        if votes < 0 or not any(value_kind(c) == TEXT for c in filled[k][1]):
            break  # a row of data: the table has started
    if not untitled:
        return candidates[0], None
    first = untitled[0]
    nxt = first + 1
    if nxt < len(filled) and _header_like(filled[nxt][1], width) and _names_row(filled, nxt, width):
        if not _names_row(filled, first, width):
            return nxt, first
        again = {tuple(f.casefold() for f in header_key(r)) for _, r in filled[nxt + 1 :]}
        narrower = sum(1 for c in filled[first][1] if c.strip()) < sum(1 for c in filled[nxt][1] if c.strip())
        if narrower and tuple(f.casefold() for f in header_key(filled[first][1])) not in again and not continues_header(
            [filled[first][1]], filled[nxt][1], _profile_below(filled, first, width, blocks), width
        ):
            # both written as names, the first never met again (a repeated header) and filling fewer fields: a title.
            # Two full rows of names stay header + record (``name,city`` over ``ann,oslo``): taking the second as the
            # header would lose a record if the first is the header, taking the first keeps every line as data.
            return nxt, first
    return first, None


def _last_of_block(filled: list[tuple[int, list[str]]], k: int, blocks: dict[int, int]) -> bool:
    """Whether row ``k`` is the last row of its block: the file ends or a blank line comes right after it."""
    return k + 1 >= len(filled) or blocks.get(filled[k + 1][0]) != blocks.get(filled[k][0])


def _types_under_names(above: list[str], row: list[str], width: int) -> bool:
    """Whether ``row`` is a types line (type_row: ``string,number,date``) right under ``above``, a line of names: ``width``
    fields, every one filled with text (value_kind) and not all of them type names. Such a line describes the names
    above it (a schema export's second line), so it is no header, however often it is met again below (two exports
    concatenated, a types footer: the repeats are its header_description lines, breaker7 #14)."""
    cells = [c.strip() for c in above]
    return (
        len(above) == width == len(row)
        and all(c and value_kind(c) == TEXT for c in cells)
        and not type_row(above)
        and type_row(row, above)
    )


def _described_under(filled: list[tuple[int, list[str]]], pos: int, width: int, blocks: dict[int, int], types_only: bool) -> bool:
    """Whether row ``pos`` (``width`` fields, all filled but a label column's, not a types line itself) has a line right
    under it that header_descriptions takes for its description line: a types line (type_row, with records below it that
    hold no type name), or with ``types_only`` False any description line (``,Strongly disagree,Disagree,...``)."""
    row = filled[pos][1]
    if pos + 1 >= len(filled) or len(row) != width or sum(1 for c in row if c.strip()) < 2 or type_row(row):
        return False
    if types_only and not type_row(filled[pos + 1][1], row):
        return False
    found, _ = header_descriptions(filled, pos + 1, row, width, blocks)
    return bool(found) and (not types_only or found[0].startswith("type names"))


def _records_above(filled: list[tuple[int, list[str]]], first: int, k: int, width: int, blocks: dict[int, int]) -> bool:
    """Whether a row strictly between rows ``first`` and ``k`` has ``width`` fields, all filled, and could be a record
    (_fits) of the columns below row ``k``: then row ``k`` is one of the table's records, not a header below preamble."""
    columns = _profile_below(filled, k, width, blocks)
    return any(
        len(r) == width and all(c.strip() for c in r) and _fits(r, columns, width) for _, r in filled[first + 1 : k]
    )


RECORD_TYPE_HEADERS = frozenset({"HDR", "H", "HEADER"})  # the record type of a fixed-layout file's header record (bank, ACH, SAP)


def names_below(filled: list[tuple[int, list[str]]], pos: int, width: int, blocks: dict[int, int]) -> bool:
    """Whether the row right below a header found by its votes (row ``pos``) reads as column names too.

    It does when it has ``width`` fields, each an identifier-like word (``_IDENTIFIER``) met nowhere
    below it (case-folded), that reads as a name over its column (vote() +1: ``amount`` over numbers)
    or is written as one (_name_styled), and it does not continue a multi-row header, and the header
    row is not met again below (case-folded: a repeated header confirms it). Then the
    header may be a title (``sales_report_2025`` over ``amount`` over numbers) or the row a units
    row (``kg,cm`` under ``Weight,Height``): the row stays a record, and find_table says so.
    """
    k = pos + 1
    if k >= len(filled) or len(filled[k][1]) != width:
        return False
    row = filled[k][1]
    below = [r for _, r in filled[k + 1 : k + 1 + PROFILE_ROWS] if len(r) == width]
    if not below or type_row(row, filled[pos][1]):
        return False  # a types line (``string,number,date``) is a description line or a record: header_descriptions says
    header = tuple(f.casefold() for f in header_key(filled[pos][1]))
    if any(folded_key_is(r, header) for _, r in filled[k:]):
        # the header met again below, also right under it in another letter case (``Day,Night`` under ``day,night``:
        # a repeated_header line, breaker8 #12): it is the header
        return False
    columns = _profile_below(filled, k, width, blocks)
    for c, (cell, v) in enumerate(zip(row, header_votes(row, columns))):
        name, values = cell.strip(), [r[c] for r in below]
        if not _IDENTIFIER.fullmatch(name) or any(x.strip().casefold() == name.casefold() for x in values):
            return False
        if v <= 0 and not _name_styled(name, values):
            return False
    return not continues_header([filled[pos][1]], row, _profile_below(filled, pos, width, blocks), width)


def _names_row(filled: list[tuple[int, list[str]]], k: int, width: int) -> bool:
    """Whether row ``k`` is written exactly like a header over the rows below it: ``width`` filled cells, each
    one identifier-like word (letters, digits, ``_``, starting with a letter or ``_``) written as a name
    (_name_styled: ``company`` over ``Alfreds``), none of them met again in its column below."""
    row = filled[k][1]
    below = [r for _, r in filled[k + 1 : k + 1 + PROFILE_ROWS] if len(r) == width]
    if len(row) != width or not below:
        return False
    for c, cell in enumerate(row):
        values = [r[c] for r in below]
        name = cell.strip()
        if not _IDENTIFIER.fullmatch(name) or not _name_styled(name, values) or any(v.strip() == name for v in values):
            return False
    return True


def _fits(row: list[str], columns: list[Column], width: int) -> bool:
    """Whether ``row`` could be a record of a table of ``width`` fields over ``columns``: that many fields, some filled,
    none reading as a name over its column (vote() +1: text over numbers), not a title split at prose commas."""
    return (
        len(row) == width > 1
        and any(c.strip() for c in row)
        and not any(v > 0 for v in header_votes(row, columns))
        and not _prose_commas([row])
    )


def _width(filled: list[tuple[int, list[str]]], blocks: dict[int, int] | None = None, complete: bool = True) -> int:
    """The table's field count: the commonest count of the records, or of their filled fields when more records agree on that.

    Counting filled fields (up to the last non-empty one) lets trailing delimiters not decide the
    width (``1,Ann,,`` under ``id,name``). Ties go to the wider. When the answer is 1, the
    commonest count of the second half is taken if wider (preamble lines above a short table).

    A block of short lines set apart from the table by a blank line does not vote (_core_width, breaker9 #1): a report's
    footer (Salesforce's ``Generated By:`` ... ``Copyright`` lines) or a statement's ``Account Name:,John Smith`` lines
    outnumbering a table of one or two records would else decide its width. ``blocks``: line index -> blank lines above it;
    ``complete``: the lines are the whole file (a trailing block of a head is not known to end it).
    """
    width = _commonest(filled)
    core = _core_width(filled, blocks, complete) if blocks else 0
    if core > width:
        return core
    if width == 1:
        tail = Counter(len(r) for _, r in filled[len(filled) // 2 :])
        width = _mode(tail)[0]
    return width


def _core_start(filled: list[tuple[int, list[str]]], blocks: dict[int, int], width: int) -> int:
    """Index in ``filled`` of the first row after the leading blocks of short lines (_short_line) of a table ``width``
    fields wide, each set apart by a blank line, when a row of that width stands after them; else 0. A ``Key:,value``
    line over a table of three columns looks like its header (two fields of three filled): it is preamble here. A block
    of ``Key:,value`` lines as wide as a two-column table (_key_line), or of lines wider than the table (``Report,Acme,2024``
    / ``From,Jan,Mar`` over ``name,city``), is preamble too when the row after it reads as names over its records
    (_named_after_keys, tab13)."""
    k = 0
    while k < len(filled):
        block = blocks.get(filled[k][0])
        end = k
        while end < len(filled) and blocks.get(filled[end][0]) == block:
            end += 1
        if end == len(filled) or not all(_short_line(r, width, True) or _key_line(r, width) or _filled_width(r) > width for _, r in filled[k:end]):
            break
        if not all(_short_line(r, width, True) for _, r in filled[k:end]) and (
            not _named_after_keys(filled, k, end, width, blocks)
            or (not all(_key_line(r, width) for _, r in filled[k:end]) and _table_shaped([r for _, r in filled[k:end]]))
        ):
            break
        k = end
    return k if any(len(r) == width or _filled_width(r) == width for _, r in filled[k:]) else 0


def _table_shaped(rows: list[list[str]]) -> bool:
    """Whether ``rows`` (a block above the table) read as a small table of their own: a later row as wide as the first
    holds a number, date or code under a text cell of it (``1,2,3`` under ``a,b,c``). Such lines may be records, and
    stay out of the preamble (they are quarantined for their width as before, tab13)."""
    head = [value_kind(c) for c in rows[0]]
    return any(
        len(r) == len(rows[0]) and any(h == TEXT and value_kind(c) in TYPED for h, c in zip(head, r)) for r in rows[1:]
    )


def _key_line(row: list[str], width: int) -> bool:
    """Whether ``row`` is a ``Key:,value`` pair (label_pair) as wide as a two-column table (``Account:,12345`` over
    ``name,city``): _short_line's shape, but of the table's own width, so it needs the evidence of _named_after_keys."""
    return width == 2 and _filled_width(row) == 2 and label_pair(row)


def _named_after_keys(filled: list[tuple[int, list[str]]], k: int, end: int, width: int, blocks: dict[int, int]) -> bool:
    """Whether the block ``filled[k:end]`` of ``Key:,value`` lines (_key_line) is a preamble above a two-column table that
    starts at ``end``, after a blank line (tab13, breaker10 F2: ``Account:,12345`` / ``Owner:,Ann Lee`` / blank / ``name,city``).

    Evidence, all of it: the row at ``end`` has the table's width, every cell filled with text and none a label
    (no trailing colon), and reads as names over the rows of its block below it (header_votes sum > 0, or a cell
    written as a name, _name_styled: ``name`` over ``Bob Ray``); those rows are two fields wide, at least one, none a
    ``Key:`` label (the table is no key/value file itself), and no key of the block is met again in the first column
    below (``Owner:`` over an ``Owner`` column's values). Without it the block stays in the table (when unsure, the
    first line is the header and every line a record)."""
    head = filled[end][1]
    block = blocks.get(filled[end][0])
    below = [r for i, r in filled[end + 1 : end + 1 + PROFILE_ROWS] if blocks.get(i) == block]
    cells = [c.strip() for c in head]
    if len(head) != width or not all(c and value_kind(c) == TEXT and not colon_label(c) for c in cells):
        return False
    if not below or not all(_filled_width(r) == width for r in below) or any(label_pair(r) for r in below):
        return False
    keys = {label_key(r[0]) for _, r in filled[k:end]}
    if any(label_key(r[0]) in keys for r in below):
        return False
    columns = _profile(below, width)
    styled = any(_name_styled(cell, [r[c] for r in below]) for c, cell in enumerate(cells))
    return sum(header_votes(head, columns)) > 0 or styled


def _commonest(filled: list[tuple[int, list[str]]]) -> int:
    """The commonest field count of ``filled``, or of their filled fields when more rows agree on that (ties: the wider)."""
    raw = Counter(len(r) for _, r in filled)
    trimmed = Counter(_filled_width(r) for _, r in filled)
    width, support = _mode(raw)
    width_t, support_t = _mode(trimmed)
    return width_t if support_t > support else width


# The second name of a key/value table's header (``key,value``, ``setting,value``, ``Parameter,Wert``): its records are pairs.
VALUE_NAMES = frozenset({"value", "values", "val", "setting", "wert", "valeur", "valor", "valore", "waarde", "verdi", "värde", "arvo"})
_NAME_CELL = re.compile(r"[^\W\d_][\w \-]*")  # a value written as a name could be: a letter, then letters, digits, _, - or spaces


def another_pair(row: list[str], header: list[str], rows: list[list[str]]) -> bool:
    """Whether ``row``, after a blank line in a two-column table of header ``header`` and first records ``rows``, is one more
    key/value pair of it rather than the header of a second table (tab13, breaker10 F3: ``host,db.example.com`` under
    ``key,value`` / ``timeout,30`` / ``retries,5``): its first cell is text written like the keys above it (not as a
    name over them, _name_styled: ``region`` over ``A``), names no column of the header, and either the header names
    a key/value table (its second name in VALUE_NAMES) or its second cell could not be a column name (``db.example.com``,
    ``30 s``). The block then has the shape of the one above it: records. A row whose names differ in style from the
    keys (``Region,Returns`` under ``Region,Sales``, ``country,capital`` over ``Ann Lee``) still starts a second table."""
    if len(row) != 2 or len(header) != 2 or not rows:
        return False
    first, names = row[0].strip(), {h.strip().casefold() for h in header}
    keys = [r[0] for r in rows if len(r) == 2]
    if not keys or value_kind(first) != TEXT or first.casefold() in names or row[1].strip().casefold() in names:
        return False
    if any(value_kind(k) != TEXT for k in keys) or _name_styled(first, keys) or first.casefold() in {k.strip().casefold() for k in keys}:
        return False
    return header[1].strip().casefold() in VALUE_NAMES or not _NAME_CELL.fullmatch(row[1].strip())


def names_over_pairs(row: list[str], below: list[list[str]]) -> bool:
    """Whether ``row``, one more key/value pair after a blank line by another_pair's reading, rather reads as the header of a
    second table over ``below``, the two-field rows right under it in its block (tab15, breaker12 B2): a first cell below
    is no text (``1,Ann`` under ``id,name``: keys above are words), or its first cell is a generic column name
    (label_word: ``user``, ``id``, ``name``) while none of the first cells below is (``ann``, ``bob``). The second cells are not asked: a key/value table's values mix kinds (``mode,read
    only`` over ``port,5432``). With no row below there is no evidence: a pair (``host,db.example.com``)."""
    rows = [r for r in below if len(r) == 2]
    if not rows:
        return False
    if any(value_kind(r[0]) != TEXT for r in rows):
        return True
    return label_word(row[0].strip()) and not any(label_word(r[0].strip()) for r in rows)


# The colons a label ends in: ASCII's and the full-width one of CJK text (U+FF1A, ``名前：``).
LABEL_COLONS = ":\uff1a"


def colon_label(cell: str) -> bool:
    """Whether ``cell`` ends in a label's colon (LABEL_COLONS), spaces around it allowed (``Name:``, ``E-mail :``, ``名前：``)."""
    return cell.strip().endswith(tuple(LABEL_COLONS))


def label_key(cell: str) -> str:
    """The key of a ``Key:`` label, its colon and spaces removed, case-folded (``E-mail :`` -> ``e-mail``)."""
    return cell.strip().rstrip(LABEL_COLONS).strip().casefold()


def label_pair(row: list[str]) -> bool:
    """``Key:,value`` (or ``Key:`` alone): two fields at most filled, the first a label ending in a colon (colon_label: a bank
    statement's ``"Account Name:","John Smith"``, an export's ``Total rows:,2``, ``名前：,山田``)."""
    cells = row[: _filled_width(row)]
    return 1 <= len(cells) <= 2 and colon_label(cells[0]) and any(ch.isalpha() for ch in cells[0])


def pairs_file(filled: list[tuple[int, list[str]]]) -> int | None:
    """Where in ``filled`` (the sample's filled rows) a record written down the page starts, or None when it is none: from
    there two or more rows, every one a ``Key:,value`` pair (label_pair; its value may be empty, empty fields after it are
    trailing delimiters), the first with its value filled, not a label itself (``Field:,Value:`` names two columns) and
    not a key/value table's second name (VALUE_NAMES: ``Key:,Value`` is a header over pairs); above them only titles
    (one filled field, no label: ``Customer card``), which are preamble. Such a file has no header: its first pair is
    one of its records (tab16, break test B4: ``Name:,Anna Berg`` / ``Email:,anna@example.org`` took the first pair as
    the header). Rows of another shape below (a table under the pairs, ``id,name`` / ``1,Ann``) leave the file to the
    table rules: the pairs are then a preamble (_named_after_keys) or records of a two-column table."""
    start = next((k for k, (_, r) in enumerate(filled) if label_pair(r)), None)
    if start is None or len(filled) - start < 2 or not all(label_pair(r) for _, r in filled[start:]):
        return None
    if any(_filled_width(r) != 1 for _, r in filled[:start]):
        return None
    first = filled[start][1]
    if _filled_width(first) != 2 or colon_label(first[1]) or first[1].strip().casefold() in VALUE_NAMES:
        return None
    return start


def _short_line(row: list[str], width: int, lead: bool) -> bool:
    """Whether ``row`` is a line of a preamble (``lead``) or footer block of a table ``width`` fields wide: narrower than it
    and one filled field (a title, a note, ``Generated By: ...``; in a footer one with a letter), a ``Key:,value`` pair, or
    a line of text split at its commas (``Copyright ... salesforce.com, inc. All rights reserved.``)."""
    if _filled_width(row) >= width:
        return False
    cells = [c for c in row if c.strip()]
    if len(cells) == 1:
        return lead or any(ch.isalpha() for ch in cells[0])
    return label_pair(row) or (bool(row[0].strip()) and _prose_commas([row]))  # or text split at its commas (``..., inc.``)


MAX_SET_APART = 8  # blocks of short lines left out at each end of the file at most (_core_width: Salesforce's footer has 3)


def _core_width(filled: list[tuple[int, list[str]]], blocks: dict[int, int], complete: bool) -> int:
    """The width of the table when blocks of short lines (_short_line) above or below it, each set apart by a blank line,
    are left out; 0 when no such reading is wider than one column (breaker9 #1).

    The rows are cut into blocks at blank lines. Every way of leaving out the first ``a`` and the last ``b`` blocks is
    tried (``a + b`` at least 1, each at most MAX_SET_APART, the last ones only when ``complete``): the rest, the core,
    must hold two rows or more of its commonest count (a header and a record), and every left-out line must be a short
    line narrower than that count. The widest such core wins. A table whose records are one or two values wide has no
    wider core, so its blocks stay its records; nor does a table of two-value records under a wider title block (its
    records are no ``Key:`` pairs).
    """
    groups: list[list[list[str]]] = []
    last = None
    for i, r in filled:
        b = blocks.get(i)
        if not groups or b != last:
            groups.append([])
            last = b
        groups[-1].append(r)
    n = len(groups)
    if n < 2:
        return 0
    wide = len(max((r for _, r in filled), key=len)) + 1  # wider than any line: _short_line's shape alone
    heads = next((k for k, g in enumerate(groups) if not all(_short_line(r, wide, True) for r in g)), n)
    tails = next((k for k, g in enumerate(reversed(groups)) if not all(_short_line(r, wide, False) for r in g)), n) if complete else 0
    best = 0
    for a in range(min(heads, MAX_SET_APART) + 1):
        for b in range(min(tails, MAX_SET_APART) + 1):
            if a + b == 0 or a + b >= n:
                continue
            core = [(0, r) for g in groups[a : n - b] for r in g]
            w = _commonest(core)
            if w < 2 or w <= best or sum(1 for _, r in core if len(r) == w or _filled_width(r) == w) < 2:
                continue
            lead = all(_short_line(r, w, True) for g in groups[:a] for r in g)
            tail = all(_short_line(r, w, False) for g in groups[n - b :] for r in g)
            if lead and tail:
                best = w
    return best


def _mode(counts: Counter[int]) -> tuple[int, int]:
    value = max(counts, key=lambda w: (counts[w], w))
    return value, counts[value]


def _filled_width(row: list[str]) -> int:
    """Fields up to the last non-empty one (at least 1)."""
    n = len(row)
    while n > 1 and not row[n - 1].strip():
        n -= 1
    return n


def _trim(row: list[str], width: int) -> list[str]:
    """``row`` without the empty fields past ``width`` (trailing delimiters), as the reader reads it."""
    return row[:width] if len(row) > width and not any(f.strip() for f in row[width:]) else row


def _profile(rows: list[list[str]], width: int) -> list[Column]:
    return [Column.of([r[c] for r in rows]) for c in range(width)]


def _profile_below(filled: list[tuple[int, list[str]]], pos: int, width: int, blocks: dict[int, int]) -> list[Column]:
    """The columns of the records of ``width`` fields below row ``pos``, past the rows that may still be header rows.

    A line of JSON objects among the MAX_HEADER_ROWS rows right below (_json_row: Qualtrics' ImportId line) is left
    out: it describes the columns (header_descriptions). Up to MAX_HEADER_ROWS - 1 rows right below ``pos`` are left out while at least one row remains,
    so that a second header row does not blur the profile the header rows are judged against; and
    only rows of the block right below (up to a blank line: a second table does not blur it either).
    ``blocks``: line index -> number of blank lines above it.
    """
    key = header_key(filled[pos][1])
    nxt = filled[pos + 1 : pos + 2]
    block = blocks.get(nxt[0][0]) if nxt else None
    below = [
        r for k, (i, r) in enumerate(filled[pos + 1 : pos + 1 + MAX_HEADER_ROWS + PROFILE_ROWS])
        if len(r) == width and header_key(r) != key and blocks.get(i) == block
        and not (k < MAX_HEADER_ROWS and _json_row(r))  # Qualtrics' ImportId line under the header describes the columns
    ]
    return _profile(below[min(MAX_HEADER_ROWS - 1, max(0, len(below) - 1)) :][:PROFILE_ROWS], width)


def _header_rows(filled: list[tuple[int, list[str]]], pos: int, width: int, blocks: dict[int, int]) -> int:
    """How many rows from ``pos`` on are header rows (see find_table, step 5)."""
    row = filled[pos][1]
    columns = _profile_below(filled, pos, width, blocks)
    if sum(header_votes(row, columns)) < 0:
        return 0
    if len(filled) == pos + 1 and any(c.strip() for c in row):
        if all(value_kind(c) in (NUMBER, DATE, EMPTY) and not _year(c) for c in row):
            return 0  # a lone row of numbers and dates is a record, not names
    n = 1
    while n < MAX_HEADER_ROWS and pos + n < len(filled) - 1:
        nxt = filled[pos + n][1]
        if abs(len(nxt) - width) > 1 or not continues_header([r for _, r in filled[pos : pos + n]], nxt, columns, width):
            break
        n += 1
    return n


_ID_VALUE = re.compile(r"[^\W\d_]+[-/#.]\d{3,}(?:[-/#.]\w+)*|[^\W\d_]*\d{5,}")  # ``C-1001``, ``INV-2024-001``, ``AB12345``


def _lone_run(cells: list[str]) -> tuple[list[str], str | None]:
    """(the cells of a file's only line that are integers rising left to right, not years — ``1,2,3``, ``36,38,40`` —
    when two or more rise, else []; the first of its other cells that is a column word (label_word: ``name``,
    ``Size``), or None). ``cells``: the line's filled cells, stripped."""
    ints = [c for c in cells if c.isdigit()]
    if len(ints) < 2 or not all(int(a) < int(b) for a, b in zip(ints, ints[1:])):
        return [], None
    return [c for c in ints if not _year(c)], next((c for c in cells if c not in ints and label_word(c)), None)


def lone_line_cells(row: list[str]) -> tuple[list[str], list[str]]:
    """(cells of ``row`` written as values, cells written as column names), to read a file's only line (breaker5 #1).

    A value: an e-mail address or URL, a date or a number (not a year, and not one of two or more integers
    rising left to right beside a column word, _lone_run: sizes or scale points as column names, ``size,36,38,40``,
    ``name,1,2,3``; beside no column word they are values, ``Gadget,10,20,30``, breaker7 #1), an id (_ID_VALUE:
    letters, a separator and three or more digits, ``C-1001``; or five or more digits after letters, ``AB12345``;
    not ``Q1``, ``FY2024``). A name: an identifier (letters, digits, ``_``) with an underscore, or a lower-case
    word (``id``, ``email``). Other cells (``Jane Doe``, ``Deposit``) say nothing.
    """
    cells = [c.strip() for c in row if c.strip()]
    run, word = _lone_run(cells)
    names_run = set(run) if word is not None else set()
    values, names = [], []
    for c in cells:
        kind = value_kind(c)
        if kind in (NUMBER, DATE):
            if not _year(c) and c not in names_run:
                values.append(c)
        elif kind == CODE and (("@" in c and "." in c) or "://" in c or _ID_VALUE.fullmatch(c)):
            values.append(c)
        elif _IDENTIFIER.fullmatch(c) and ("_" in c or c == c.lower()):
            names.append(c)
    return values, names


def lone_line_note(row: list[str], header_rows: int, line: int) -> str | None:
    """The read warning for a file whose only line is ``row`` (physical ``line``), read as a record (``header_rows``
    0) or as the header, when some of its cells are written as values (lone_line_cells), or when, read as the header,
    its numbers rise beside a column word (_lone_run: ``name,1,2,3``); None when neither."""
    values, names = lone_line_cells(row)
    if header_rows and not values:
        run, word = _lone_run([c.strip() for c in row if c.strip()])
        if len(run) < 2 or word is None:
            return None  # names only: a header-only export
        how = "count up" if _counting(run) else "rise"
        return (
            f"line {line} ({_shown(row)}), the file's only line, was taken as the header: its numbers {how} ({run[0]}..{run[-1]}) "
            f"beside the column word {word!r} (scale points, sizes or weeks as column names), so the file has no record — if it is "
            f"a record, set read.header: none for this source (read.header: {line} confirms it and silences this warning)"
        )
    if not values or header_rows == 0 and all(value_kind(c) in (NUMBER, DATE, EMPTY) and not _year(c) for c in row):
        return None  # nothing written as a value, or numbers and dates only (a record beyond doubt)
    shown = ", ".join(map(repr, values[:4]))
    if header_rows == 0:
        return (
            f"line {line} ({_shown(row)}), the file's only line, read as a record, not as the header: its cells {shown} are written as "
            f"values, not column names — if it is the header, set read.header: {line} for this source"
        )
    return (
        f"line {line} ({_shown(row)}), the file's only line, was taken as the header although its cells {shown} are written as "
        f"values: the file has no record — if it is a record, set read.header: none for this source (read.header: {line} "
        "confirms it and silences this warning)"
    )


def _record_doubt(filled: list[tuple[int, list[str]]], pos: int, width: int, blocks: dict[int, int]) -> str | None:
    """Why row ``pos``, read as the first record of a file with no header, may be its header after all, or None.

    Its first cell is a word (an identifier: ``code``, ``sku``) over a column of codes, numbers or dates below it
    (``A-1``, ``B-2``): the first column's name, while the other cells voted the row into the data (column names
    that are numbers, breaker5 #22). The row stays a record (a header taken as a record keeps every value); the
    warning (after the line number) says how to read it as the header.
    """
    row = filled[pos][1]
    if pos + 1 >= len(filled) or not row or len(row) != width or width < 2:
        return None
    cell = row[0].strip()
    column = _profile_below(filled, pos, width, blocks)[0]
    if not _IDENTIFIER.fullmatch(cell) or value_kind(cell) != TEXT or column.kind not in TYPED:
        return None
    below = [r[0].strip() for _, r in filled[pos + 1 : pos + 4] if r and r[0].strip()]
    return (
        f"({_shown(row)}) read as the first record of a file with no header, but its first cell {cell!r} is a word over a column of "
        f"{column.kind}s ({', '.join(map(repr, below))}), like a column name — if it is the header, set read.header: {{line}} for this source"
    )


def _counting(cells: list[str]) -> bool:
    """Whether ``cells`` (two or more) are distinct integers written as digits that count up by one (``1,2,3``, ``38,39,40``)."""
    s = [c.strip() for c in cells]
    if len(s) < 2 or not all(c.isdigit() and len(c) < 7 for c in s):
        return False
    nums = list(map(int, s))
    return all(b == a + 1 for a, b in zip(nums, nums[1:]))


# Words that name a column of row labels (the first column of a pivoted table: a row per product, question, person,
# week...), in any case and in the plural: evidence that a first row of numbers is a header (``product,36,38,40``,
# ``name,1,2,3``), not a record (``Widget,1,2,3``). Chosen from the row-label columns of the exports this module
# reads (survey scale tables, size runs, weekly rosters, sensor and test-run tables); a column name of a source's
# schema is not known here (ingest reads before the schema maps the columns). Besides English, the same row-label
# words in the languages whose summary labels the clean step knows (headwater.clean.steps.summary_rows.TOTAL_LABEL:
# German, French, Italian, Dutch, Swedish/Norwegian/Danish, Spanish, Polish, Russian, Chinese; breaker7 #17), as the
# column headings of those languages' spreadsheet templates write them (the CLDR display names of the calendar fields
# for ``day``/``week``/``month``/``year``), case-folded; their plurals are listed where they are not the English ``s``.
# Kept by language: a word of another language than English only, written like the values below it, counts only
# where the file's other words show that language (_label_says, breaker8 #11: ``Nome``, Alaska, is no Italian heading).
LABEL_WORDS_BY_LANGUAGE: dict[str, frozenset[str]] = {  # case-folded as label_word folds a cell (``Größe`` -> ``grösse``)
    "English": frozenset(map(str.casefold, {
        "id", "number", "name", "item", "product", "article", "model", "size", "sku", "code", "ref", "reference",
        "question", "statement", "label", "description", "title", "category", "type", "kind", "class", "group", "team",
        "region", "country", "city", "store", "location", "site", "week", "month", "year", "day", "date", "period", "quarter",
        "metric", "measure", "variable", "key", "field", "attribute", "grade", "level", "subject", "course", "student",
        "player", "employee", "customer", "department", "brand", "color", "colour", "style", "variant", "part", "sample",
        "respondent", "participant", "rating", "option", "answer", "series", "segment", "channel", "source", "account",
        "project", "task", "user", "person", "member",
    })),
    "German": frozenset(map(str.casefold, {
        "artikel", "artikelnummer", "produkt", "produkte", "bezeichnung", "beschreibung", "mitarbeiter", "mitarbeiterin",
        "kunde", "kunden", "frage", "fragen", "kategorie", "kategorien", "gruppe", "größe", "groesse", "filiale", "standort",
        "stadt", "land", "woche", "monat", "jahr", "datum", "nummer", "schüler", "teilnehmer", "abteilung", "marke", "farbe",
        "typ", "bereich", "kennzahl", "merkmal", "projekt", "aufgabe", "benutzer", "person",
    })),
    "French": frozenset(map(str.casefold, {
        "nom", "prénom", "article", "produit", "désignation", "libellé", "employé", "employée", "salarié", "client",
        "cliente", "élève", "étudiant", "catégorie", "groupe", "équipe", "taille", "magasin", "ville", "pays", "semaine",
        "mois", "année", "jour", "numéro", "référence", "département", "marque", "couleur", "modèle", "projet", "tâche",
        "utilisateur", "personne", "participant", "répondant",
    })),
    "Italian": frozenset(map(str.casefold, {
        "nome", "articolo", "articoli", "prodotto", "prodotti", "dipendente", "dipendenti", "cliente", "clienti",
        "domanda", "domande", "categoria", "categorie", "gruppo", "squadra", "taglia", "negozio", "città", "paese",
        "settimana", "mese", "anno", "giorno", "numero", "codice", "marca", "colore", "modello", "progetto", "utente",
    })),
    "Dutch": frozenset(map(str.casefold, {
        "naam", "artikel", "product", "producten", "medewerker", "medewerkers", "klant", "klanten", "vraag", "vragen",
        "categorie", "groep", "maat", "winkel", "stad", "week", "maand", "jaar", "dag", "datum", "nummer", "merk", "kleur",
    })),
    "Scandinavian": frozenset(map(str.casefold, {  # Swedish, Norwegian, Danish
        "namn", "navn", "artikel", "artikkel", "produkt", "anställd", "ansatt", "ansat", "medarbetare", "medarbeider",
        "kund", "kunde", "fråga", "spørsmål", "kategori", "grupp", "gruppe", "storlek", "størrelse", "butik", "butikk",
        "stad", "vecka", "uke", "uge", "månad", "måned", "år", "dag", "datum", "dato", "nummer",
    })),
    "Spanish": frozenset(map(str.casefold, {
        "nombre", "artículo", "articulo", "producto", "empleado", "empleada", "cliente", "alumno", "estudiante",
        "pregunta", "categoría", "grupo", "equipo", "talla", "tienda", "ciudad", "país", "semana", "mes", "año", "día",
        "fecha", "número", "código", "marca", "modelo", "proyecto", "usuario", "persona", "participante",
    })),
    "Polish": frozenset(map(str.casefold, {
        "nazwa", "imię", "nazwisko", "artykuł", "produkt", "pracownik", "pracownicy", "klient", "pytanie", "kategoria",
        "grupa", "rozmiar", "sklep", "miasto", "tydzień", "miesiąc", "rok", "dzień", "numer", "kod",
    })),
    "Russian": frozenset(map(str.casefold, {
        "имя", "фио", "название", "наименование", "товар", "товары", "артикул", "продукт", "сотрудник", "сотрудники",
        "клиент", "клиенты", "вопрос", "категория", "группа", "размер", "магазин", "город", "страна", "неделя", "месяц",
        "год", "день", "дата", "номер", "код",
    })),
    "Chinese": frozenset(map(str.casefold, {
        "名称", "名稱", "姓名", "产品", "產品", "商品", "物品", "员工", "員工", "客户", "客戶", "问题", "問題", "类别", "類別",
        "组", "組", "尺码", "尺碼", "门店", "門市", "城市", "周", "週", "月份", "年份", "日期", "编号", "編號", "代码", "代碼",
    })),
}
LABEL_WORDS = frozenset().union(*LABEL_WORDS_BY_LANGUAGE.values())
# the languages of each label word (``marca``: Italian and Spanish)
_WORD_LANGUAGES: dict[str, frozenset[str]] = {
    w: frozenset(lang for lang, words in LABEL_WORDS_BY_LANGUAGE.items() if w in words) for w in LABEL_WORDS
}
_LABEL_TOKEN = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+|[^\W\d_]+")  # ``ProductName`` -> Product, Name; ``sensor-A`` -> sensor, A
_LABEL_PART = re.compile(r"[^\W_]+")  # the parts of a cell between spaces, punctuation and ``_`` (``Größe``, ``product_id`` -> product, id)
HEADER, RECORD = "header", "record"  # what a piece of evidence says about a first row
WEAK = "weak"  # a label that reads as a column name only by a sign a record's label can share (_label_says)
# a label word of another language written like the values below it in a file with no other word of that language
# (``Nome`` over ``Juneau``, ``Sitka``: a city): no evidence, written like the values as a record's label (_label_says)
FOREIGN = "foreign"


def _label_base(word: str) -> tuple[str, str] | None:
    """(the LABEL_WORDS entry ``word`` (case-folded) is, ``singular``), or (the entry, ``plural``) when it is one with an
    English plural ending (``products``, ``sizes``, ``categories``, ``articles``); None when it is none."""
    if word in LABEL_WORDS:
        return word, "singular"
    for base in (word[:-1] if word.endswith("s") else None, word[:-2] if word.endswith("es") else None,
                 word[:-3] + "y" if word.endswith("ies") else None):
        if base in LABEL_WORDS:
            return base, "plural"
    return None


def _label_form(word: str) -> str | None:
    """``singular`` when ``word`` (case-folded) is one of LABEL_WORDS, ``plural`` when it is one with an English plural
    ending (``products``, ``sizes``, ``categories``, ``articles``), else None."""
    base = _label_base(word)
    return base[1] if base is not None else None


def _label_bases(cell: str) -> list[tuple[str, str] | None]:
    """_label_base of each word of ``cell``: each part between spaces, punctuation and ``_`` that is a label word as a
    whole (``Größe``, ``名称``), else each of its camel-case words (``ProductName`` -> Product, Name). Empty when no word."""
    bases: list[tuple[str, str] | None] = []
    for part in _LABEL_PART.findall(cell):
        base = _label_base(part.casefold())
        bases.extend([base] if base is not None else [_label_base(w.casefold()) for w in _LABEL_TOKEN.findall(part)])
    return bases


def _label_forms(cell: str) -> list[str | None]:
    """_label_form of each word of ``cell`` (the words of _label_bases). Empty when no word."""
    return [b[1] if b is not None else None for b in _label_bases(cell)]


def _foreign_languages(cell: str) -> frozenset[str]:
    """The languages (LABEL_WORDS_BY_LANGUAGE's keys) of the words of ``cell`` that are label words of other languages
    only, not English ones (``Nome``: Italian; ``Marca``: Italian, Spanish; ``Name``, ``Person``: none)."""
    words = [b[0] for b in _label_bases(cell) if b is not None and "English" not in _WORD_LANGUAGES[b[0]]]
    return frozenset().union(*(_WORD_LANGUAGES[w] for w in words))


# Letters that only some of LABEL_WORDS_BY_LANGUAGE's languages write, lower case: a word holding one is evidence
# that the file is written in one of them (from those languages' alphabets); Russian and Chinese are told by their
# scripts (Cyrillic, the CJK ideographs). English writes none.
_LANGUAGE_LETTERS = {
    "German": "äöüß",
    "French": "àâæçéèêëîïôœùûüÿ",
    "Italian": "àèéìíîòóù",
    "Dutch": "áéèëíïóöúü",
    "Scandinavian": "åäöæøé",
    "Spanish": "áéíñóúü",
    "Polish": "ąćęłńóśźż",
}


def _file_languages(texts: Iterable[str]) -> frozenset[str]:
    """The languages of LABEL_WORDS_BY_LANGUAGE that ``texts`` (a file's words) show: by a letter only some of them
    write (_LANGUAGE_LETTERS: ``Città``, ``Pantalón``), by their script (Cyrillic: Russian; CJK ideographs: Chinese),
    or by a label word of that language among them (_foreign_languages: ``Cliente`` beside ``Nome``). Empty when none does."""
    found: set[str] = set()
    for text in texts:
        for ch in set(text.casefold()):
            if "\u0400" <= ch <= "\u04ff":
                found.add("Russian")
            elif "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
                found.add("Chinese")
            elif ch.isalpha() and not ch.isascii():
                found.update(lang for lang, letters in _LANGUAGE_LETTERS.items() if ch in letters)
        if label_word(text):
            found.update(_foreign_languages(text))
    return frozenset(found)


def label_word(cell: str) -> bool:
    """Whether ``cell`` is a generic row-label column name: every one of its words (``Product name``, ``product_id``,
    ``ProductName``, ``Größe``), letters and digits alike (``sensor-A`` is not: ``a``), is one of LABEL_WORDS, in the
    singular or the plural (``products``, ``sizes``, ``categories``)."""
    forms = _label_forms(cell)
    return bool(forms) and all(forms)


def _plural_label(cell: str) -> bool:
    """Whether ``cell`` is a row-label word (label_word) with a word in the plural (``Products``, ``Days``): a name for
    the rows as a set, which one row's label is not."""
    forms = _label_forms(cell)
    return bool(forms) and all(forms) and "plural" in forms


def _case_form(text: str) -> str | None:
    """How ``text``'s letters are written: ``upper``, ``lower``, ``capitalised`` (the first upper, not all), ``mixed``;
    None when it has no cased letter (digits only, or a script without case)."""
    letters = [c for c in text if c.isalpha() and (c.isupper() or c.islower())]
    if not letters:
        return None
    if all(c.isupper() for c in letters):
        return "upper" if len(letters) > 1 else "capitalised"
    if all(c.islower() for c in letters):
        return "lower"
    return "capitalised" if letters[0].isupper() else "mixed"


def _written_like(cell: str, values: list[str]) -> bool:
    """Whether ``cell`` is written like the values under it: one of them (case-folded), or in the same case form
    (_case_form) as every one of them that has letters (``Widget`` over ``Gadget``, ``Gizmo``; ``red`` over ``blue``)."""
    name = cell.strip()
    texts = [v.strip() for v in values if _case_form(v.strip()) is not None]
    if not name or not texts:
        return False
    if name.casefold() in {v.casefold() for v in texts}:
        return True
    form = _case_form(name)
    return form is not None and all(_case_form(v) == form for v in texts)


def _label_says(cell: str, values: list[str], languages: frozenset[str] | None = None) -> str | None:
    """What a text cell of a first row of numbers says about the row over the ``values`` of its column below.

    HEADER when it is a column name: a generic row-label word (label_word: ``product``, ``Name``, ``sizes``) not written
    like the values (_written_like, in as many words as each: ``Product Name`` over ``Gadget`` is not), or in lower case (the
    style schemas and code write column names in: ``team`` over ``red``, ``blue``), or in the plural (``Products``: the
    rows as a set), or an identifier with an underscore over values without one (``first_name``), or
    over a column of codes, numbers or dates (``code`` over ``A-1``). WEAK when it reads as a name only by a sign a
    record's label shares: a row-label word written like the values below it (``Day`` over ``Night``, ``Swing``: a shift
    is a day; ``Sample`` over ``Control``), or an identifier written as a name by its case alone (``widget`` over
    ``Gadget``, ``Gizmo``: exports mix cases; breaker7 #13, #17). RECORD when it is written like those values
    (``Widget`` over ``Gadget``, ``Gizmo``). None when it says neither.

    FOREIGN (no evidence: written like the values, as RECORD) for a label word of another language than English only
    (_foreign_languages: ``Nome``, ``Marca``, ``Rok``) written like the values below it, when ``languages`` (those the
    file's other words show, _file_languages; None: not known, every one) holds none of its languages: a city or a
    given name that is a column word somewhere (``Nome`` over ``Juneau``, ``Sitka``: Nome, Alaska; ``Rok`` over ``Anna``),
    not a column name of a file in English (breaker8 #11).
    """
    name = cell.strip()
    like = _written_like(name, values) and _as_many_words(name, values) and _case_form(name) != "lower"
    if label_word(name):
        if not like or _plural_label(name):
            return HEADER
        foreign = _foreign_languages(name)
        return FOREIGN if foreign and languages is not None and not foreign & languages else WEAK
    if _IDENTIFIER.fullmatch(name) and Column.of(values).kind in TYPED:
        return HEADER
    if _IDENTIFIER.fullmatch(name) and _name_styled(name, values):
        return HEADER if "_" in name else WEAK
    return RECORD if _written_like(name, values) else None


def _as_many_words(cell: str, values: list[str]) -> bool:
    """Whether ``cell`` has as many words (split at spaces) as every value of ``values`` that has letters (``Question``
    over ``Ease of use``, ``Price`` has not: question texts, not one more question)."""
    n = len(cell.split())
    return all(len(v.split()) == n for v in values if _case_form(v.strip()) is not None)


def _span(numbers: list[float]) -> str:
    """``min..max`` of ``numbers`` as written short (``0..9``, ``1.5..12``)."""
    return f"{min(numbers):g}..{max(numbers):g}"


# _numbered_header's verdict on a row whose label is a column the source's schema declares: the header, confirmed by the
# schema as ``read.header: 1`` would confirm it (no doubt, no warning)
DECLARED = "declared by the source's schema"


def _numbered_header(
    filled: list[tuple[int, list[str]]], pos: int, width: int, blocks: dict[int, int], names: frozenset[str] = frozenset()
) -> tuple[str | None, str | None]:
    """(how the numbers of row ``pos`` run when it is a header whose names are numbers, why it may be one when it is kept
    as a record) — the first is the taken-header warning's evidence (``count up (1..5) over numbers that do not``,
    ``rise (36..42) over numbers that do not``, or ``count up (1..5) and its label 'name' is a column word, though they
    lie among the values below (1..5)``), or DECLARED when a label is a column the source's schema declares (the header,
    confirmed: no warning); the second the read warning's text after ``line N ``; (None, None) when the row does not read
    as such a header at all.

    Such a header (Likert points ``question,1,2,3,4,5``, shoe sizes ``product,36,38,40``, weeks ``name,1,2,3``) votes as
    data over columns of numbers, so _header_rows finds no header. A record can hold the same pattern (``Widget,1,2,3``
    over ``Gadget,5,4,1``, breaker6 #7), and taking it for the header drops it from the table, so the row is a header
    only on evidence. It is a candidate when all its ``width`` cells are filled and distinct, the cells over the number
    columns are integers that count up by one (_counting) or rise by other steps (_rising), and every other cell (its
    labels) is text. Two pieces of evidence are weighed:

    * its labels (_label_says): HEADER when one is a column name (``product``, ``name``, ``question`` over
      ``Ease of use``), RECORD when each is written like the values below it (``Widget`` over ``Gadget``, ``Gizmo``) —
      always when it is one of them (``Item`` over ``Item``, ``Gizmo``: no column word outweighs that);
    * its numbers: HEADER when each lies outside the range of every plain number below in those columns, pooled
      (``36,38,40`` over counts 0-6; ``1,2,3`` over ``10..70``), RECORD when one lies within it (``1,2,3`` over
      ``5,4,1`` / ``9,9,0``: the same small counts). For numbers that rise by other steps than one, a row below that
      rises too, or a single row below, gives no HEADER evidence either.

    The row is the header when its labels say HEADER, or when its numbers do and its labels say nothing (no label, or
    one written neither way): flagged unconfirmed and warned by find_table (a header taken as a record keeps every value,
    but puts its names into a record). Otherwise it stays a record: with a warning when its numbers count up by one
    or the evidence is split (labels RECORD, numbers HEADER), silently when numbers that merely rise have no HEADER
    evidence (``A,1,3,5`` over ``B,4,5,6``: three rising numbers are common in data). Numbers that rise by other steps
    need a one-word label (_IDENTIFIER), as before.

    A label word of another language than English only, written like the values below it, is a weak sign only when
    the file's other words (the row's other labels, the rows below) show that language (_file_languages); else it
    says nothing for the header (FOREIGN, as RECORD: ``Nome,10,20,30`` over ``Juneau``, ``Sitka``), and where a weak
    sign would have made the row the header it stays a record, warned (breaker8 #11).
    """
    row = filled[pos][1]
    cells = [c.strip() for c in row]
    if len(row) != width or width < 2 or not all(cells) or len(set(cells)) < width:
        return None, None
    columns = _profile_below(filled, pos, width, blocks)
    at = [c for c, col in enumerate(columns) if col.kind == NUMBER]
    rest = [c for c in range(width) if c not in at]
    if len(at) < 2 or not all(value_kind(cells[c]) == TEXT for c in rest):
        return None, None
    below = [r for _, r in filled[pos + 1 : pos + 1 + PROFILE_ROWS] if len(r) == width]
    if not below:
        return None, None
    nums = [cells[c] for c in at]
    counting = _counting(nums)
    if not counting and not (_rising(nums) and rest and _IDENTIFIER.fullmatch(cells[rest[0]])):
        return None, None
    run = f"count up ({nums[0]}..{nums[-1]})" if counting else f"rise ({nums[0]}..{nums[-1]})"
    if names and any(standardize_name(cells[c], c) in names for c in rest):
        return DECLARED, None  # a label the source's schema declares (``Name`` for a ``name`` column): its header, confirmed (breaker8 #2)
    # a label that is one of the values below it (``Item`` over ``Item``, ``Gizmo``; a row repeating the whole line aside:
    # a header met again) is written like them, whatever word it is (breaker7 #2)
    again = [r for r in below if [x.strip() for x in r] != cells]
    # the languages the file's other words show, for a label word of another language than English (_label_says)
    shown_below = _file_languages(v for r in below for v in r)
    says = {
        c: RECORD if cells[c].casefold() in {r[c].strip().casefold() for r in again} else _label_says(
            cells[c], [r[c] for r in again or below], shown_below | _file_languages(cells[k] for k in rest if k != c))
        for c in rest
    }
    values = set(says.values())
    label = HEADER if HEADER in values else WEAK if WEAK in values else RECORD if says and values <= {RECORD, FOREIGN} else None
    pooled = [float(v) for v in (r[c].strip() for r in below for c in at) if _PLAIN_NUMBER.fullmatch(v)]
    among = bool(pooled) and any(min(pooled) <= int(n) <= max(pooled) for n in nums)
    if label == HEADER:
        if not among:
            return f"{run} over numbers that do not", None
        word = next(cells[c] for c, v in says.items() if v == HEADER)
        return f"{run} and its label {word!r} is a column word, though they lie among the values below ({_span(pooled)})", None
    if label == WEAK and not among:
        return f"{run} over numbers that do not", None  # nothing below says record: the label's sign is enough, as a column word's
    outside = bool(pooled) and all(not min(pooled) <= int(n) <= max(pooled) for n in nums)
    if not counting and (len(below) < 2 or any(_rising([r[c] for c in at]) for r in below)):
        outside = False
    if outside and label is None:
        return f"{run} over numbers that do not", None
    # a label word of another language that is no evidence here (FOREIGN) where a weak sign would have made the row
    # the header: the row stays a record, warned (breaker8 #11)
    foreign = label == RECORD and FOREIGN in values and not among
    if not counting and not outside and label != WEAK and not foreign:
        return None, None
    if label == WEAK:
        # split evidence: the label reads as a name only by a sign a record's label shares, the numbers as a record's
        c = next(c for c, v in says.items() if v == WEAK)
        shown = ", ".join(repr(r[c].strip()) for r in below[:3])
        sign = (
            f"{cells[c]!r} is a column word but is written like the values below it ({shown})" if label_word(cells[c])
            else f"{cells[c]!r} differs from the values below it ({shown}) only in its letter case"
        )
        why = f"{sign} and its numbers lie among theirs ({_span(pooled)})"
    elif label == RECORD:
        c = next((c for c, v in says.items() if v == FOREIGN), next(iter(says)))
        shown = ", ".join(repr(r[c].strip()) for r in below[:3])
        if says[c] == FOREIGN and not among:
            # the label word would have been the header's evidence, as an English one is: say why it is none
            names_ = sorted(_foreign_languages(cells[c]))
            languages = " or ".join([", ".join(names_[:-1]), names_[-1]] if len(names_) > 1 else names_)
            why = (
                f"{cells[c]!r} is a column word only in {languages}, but is written like the values below it ({shown}) and no "
                f"other word of the file is in {languages}, though its numbers lie outside theirs ({_span(pooled)})"
            )
        elif says[c] == FOREIGN:
            why = f"{cells[c]!r} is a column word but is written like the values below it ({shown}) and its numbers lie among theirs ({_span(pooled)})"
        else:
            why = f"{cells[c]!r} is written like the values below it ({shown})"
            why += f", though its numbers lie outside theirs ({_span(pooled)})" if outside else f" and its numbers lie among theirs ({_span(pooled)})"
    else:
        why = f"its numbers lie among the values below them ({_span(pooled)})" if pooled else "no value below tells"
    how = "count up" if counting else "rise"
    return None, (
        f"({_shown(row)}) read as the first record of a file with no header, although its numbers {how} ({nums[0]}..{nums[-1]}) "
        f"as column names can (scale points, sizes or weeks): {why} — if it is the header, set read.header: {{line}} for this source"
    )


_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def _rising(cells: list[str]) -> bool:
    """Whether ``cells`` (two or more) are integers written as digits that rise left to right (``36,38,40``, ``128,256,512``)."""
    s = [c.strip() for c in cells]
    if len(s) < 2 or not all(c.isdigit() and len(c) < 7 for c in s):
        return False
    nums = list(map(int, s))
    return all(a < b for a, b in zip(nums, nums[1:]))


# Lines under a header that describe its columns (header_descriptions): at most this many, directly below it.
MAX_DESCRIPTION_ROWS = 2
# Spellings of a boolean value: a column of them is typed, and a description over it is text that is none of them.
_BOOLEAN = frozenset({"true", "false", "yes", "no", "y", "n", "t", "f"})
# The labels SurveyMonkey's CSV export writes on its second header line under single-answer questions, open
# questions and an "other" option (the sub-header row of its expanded export).
_SURVEY_OPTIONS = frozenset({"response", "open-ended response", "other (please specify)"})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")  # the words of a name: ``StartDate`` -> Start, Date; ``order_id`` -> order, id


def _json_object(cell: str) -> bool:
    """Whether ``cell`` is one JSON object (Qualtrics' ``{"ImportId":"QID1"}``)."""
    s = cell.strip()
    if not (s.startswith("{") and s.endswith("}")):
        return False
    try:
        return isinstance(json.loads(s), dict)
    except ValueError:
        return False


def _json_row(row: list[str]) -> bool:
    """Whether every filled cell of ``row`` is a JSON object, at least two are (or the row's one cell), all with the same keys.

    Qualtrics' third header line (``{"ImportId":"QID1"}``, ``{"ImportId":"startDate","timeZone":"America/Denver"}`` in one
    export: the same keys in each column); objects with other keys per column are values (a table of JSON payloads).
    """
    first = next((c for c in row if c.strip()), "")
    if not first.lstrip().startswith("{"):
        return False  # the common case, told by one cell
    filled = [c for c in row if c.strip()]
    if len(filled) < min(2, len(row)) or not all(map(_json_object, filled)):
        return False
    return len({tuple(sorted(json.loads(c))) for c in filled}) == 1


# The type names of common schemas (ANSI SQL, PostgreSQL, MySQL, SQL Server, Oracle, SQLite, BigQuery, Snowflake,
# Arrow/pandas/numpy dtypes, JSON Schema, Avro), case-folded: a row of them under the header is a types line of a
# schema export, not a record (breaker6 #16). Parameters (``varchar(20)``, ``decimal(10,2)``, ``datetime64[ns]``) and
# MySQL's ``unsigned`` are allowed after the name (_TYPE_NAME).
TYPE_NAMES = frozenset({
    "string", "str", "text", "varchar", "varchar2", "nvarchar", "nvarchar2", "char", "nchar", "character",
    "character varying", "clob", "number", "numeric", "decimal", "dec", "int", "integer", "bigint", "smallint", "tinyint",
    "mediumint", "int2", "int4", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "long", "float",
    "float4", "float8", "float16", "float32", "float64", "double", "double precision", "real", "bool", "boolean", "bit",
    "date", "datetime", "datetime2", "datetime64", "smalldatetime", "datetimeoffset", "timestamp", "timestamptz",
    "timestamp with time zone", "timestamp without time zone", "timestamp_ntz", "timestamp_tz", "timestamp_ltz", "time",
    "timetz", "interval", "uuid", "uniqueidentifier", "json", "jsonb", "blob", "binary", "varbinary", "bytea", "bytes",
    "money", "serial", "bigserial", "object", "category", "enum",
})
# Type names that are also everyday words (``date``, ``time``, ``text``): a row of only these over columns of text may
# be a record (a glossary's ``date,time``); one over a typed column, or beside a name only a schema writes, is not.
_WORD_TYPES = frozenset({
    "text", "number", "date", "time", "real", "long", "double", "money", "object", "category", "character", "bit", "char",
    "binary", "interval", "float", "enum", "serial", "dec",
})
_TYPE_NAME = re.compile(r"([a-z][a-z0-9_]*(?: [a-z][a-z0-9_]*)*?)\s*(?:\(\s*\d+\s*(?:,\s*\d+\s*)?\)|\[\s*\w*\s*\])?(?:\s+unsigned)?")


# Type names of numbers: a column so named that holds no number under the
# line (``number`` over ``no``) is no column of that type, and the line no types line (tab13, breaker10 F15).
_NUMERIC_TYPES = frozenset({
    "number", "numeric", "decimal", "dec", "int", "integer", "bigint", "smallint", "tinyint", "mediumint", "int2", "int4",
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float", "float4", "float8", "float16",
    "float32", "float64", "double", "double precision", "real", "money", "serial", "bigserial",
})


# A unit or currency written before or after a number (``12 kg``, ``USD 12.00``, ``3,5 m²``, ``20 °C``): the number reader
# takes the number (tab15, breaker12 B3).
_UNIT_AROUND = re.compile(r"\s*(?:[^\W\d_]{1,4}\.?\s*)?(?P<n>\S+?)\s*(?:°\s?[CFK]|[^\W\d_]{1,8}[²³]?\.?(?:/[^\W\d_]{1,4})?)?\s*")


def _number_written(value: str) -> bool:
    """Whether ``value`` is a number as the number reader takes it (value_kind: a sign, groups, an exponent ``1e6``, a
    currency symbol, ``%``), or one written with a unit or currency code around it (``12 kg``, ``USD 12.00``, ``20 °C``)."""
    if value_kind(value) == NUMBER:
        return True
    m = _UNIT_AROUND.fullmatch(value)
    return bool(m) and value_kind(m.group("n")) == NUMBER


def types_contradicted(types: list[str], records: list[list[str]], names: list[str]) -> list[str]:
    """The columns (their names, or ``column N``) whose type in the types line ``types`` is a number's (_NUMERIC_TYPES)
    while none of the filled values of ``records`` in that column is a number (value_kind): ``answer2`` for
    ``text,number`` over ``yes,no``. Such a line names no column's type: it is a record of type words (a survey's
    answers), not a schema's types line. One number is enough (_number_written: ``1e6``, ``12 kg``, ``USD 12.00``); an
    NA spelling (NA_SPELLINGS, value_kind's empty: ``N/A``, ``-``) or an empty cell counts neither way (tab15, breaker12 B3).
    Dates are not asked: an export may write them as numbers (epoch seconds, ``20250101``) under ``date``."""
    out = []
    for i, cell in enumerate(types):
        m = _TYPE_NAME.fullmatch(" ".join(cell.strip().casefold().split()))
        values = [r[i] for r in records if i < len(r) and value_kind(r[i]) != EMPTY and r[i].strip() not in NA_SPELLINGS]
        if m and m.group(1) in _NUMERIC_TYPES and values and not any(_number_written(v) for v in values):
            out.append(names[i] if i < len(names) and names[i].strip() else f"column {i + 1}")
    return out


def type_name(cell: str) -> bool:
    """Whether ``cell`` is a schema's type name (TYPE_NAMES), in any case, with its parameters (``VARCHAR(20)``)."""
    m = _TYPE_NAME.fullmatch(" ".join(cell.strip().casefold().split()))
    return m is not None and m.group(1) in TYPE_NAMES


def type_row(row: list[str], names: list[str] | None = None) -> bool:
    """Whether ``row`` is a types line under a header of ``names``: two or more filled cells, each a type name (type_name:
    ``string,number,date``, ``INT,VARCHAR(20),DECIMAL(10,2)``), an empty cell only under an unnamed column (when ``names``
    is given), and not the header itself written again."""
    cells = [c.strip() for c in row]
    filled = [c for c in cells if c]
    if len(filled) < 2 or not all(map(type_name, filled)):
        return False
    if names is None:
        return True
    named = [n.strip() for n in names] + [""] * max(0, len(cells) - len(names))
    if any(not c and named[i] for i, c in enumerate(cells)):
        return False
    return [c.casefold() for c in cells] != [n.casefold() for n in named[: len(cells)]]


def _types_footer(filled: list[tuple[int, list[str]]], body: int, names: list[str], width: int) -> list[str] | None:
    """The file's last row when it is a types line (type_row) under records that hold no type name in its columns
    (the same line met again aside), with one of its type names over a typed column or written only as a type (as
    header_descriptions asks of a types line under the header): a schema export's types footer (breaker7 #14), else
    None. ``filled`` is the whole file, ``body`` the index of its first record, ``names`` the header's last row.

    Alone, it is a candidate only: a record of type words reads the same (a column of answers, a cast table;
    breaker8 #3), so find_table makes it structural only when the same line is met again among the records, and
    otherwise keeps it a record, warned (possible_header_description)."""
    last = filled[-1][1]
    if len(filled) - 1 <= body or len(last) != width or not type_row(last, names):
        return None
    records = [r for _, r in filled[body:-1] if len(r) == width and not repeats_schema(r, last, names)]
    cells = [c.strip() for c in last]
    kinds = _Kinds(records)
    if not records or any(type_name(r[i]) for r in records for i, c in enumerate(cells) if c) or types_contradicted(cells, records, names):
        return None
    return last if any(c.casefold() not in _WORD_TYPES or kinds.typed(i) for i, c in enumerate(cells) if c) else None


def repeats_schema(row: list[str], types: list[str], names: list[str]) -> bool:
    """Whether ``row`` is the types line ``types`` or the header ``names`` written again (case-folded, spaces around
    the fields aside): a line of a second export appended, or a types footer, not a record."""
    key = [c.strip().casefold() for c in row]
    return key in ([c.strip().casefold() for c in types], [n.strip().casefold() for n in names])


def _words(text: str) -> set[str]:
    """The words of ``text`` of two or more characters, case-folded, digits alone left out (``StartDate`` -> {start, date})."""
    return {w.casefold() for w in _WORD.findall(text) if len(w) > 1 and not w.isdigit()}


def _repeats_name(cell: str, name: str) -> bool:
    """Whether ``cell`` repeats a word of the column name ``name``: the same word, or one the name's word starts (``id`` ->
    ``Identifier``); a cell equal to the name is not a description of it (a repeated header is found elsewhere)."""
    if header_key([cell]) == header_key([name]):
        return False
    cells, names = _words(cell), _words(name)
    return any(c == n or c.startswith(n) for c in cells for n in names)


class _Kinds:
    """The kinds of a description line's columns, profiled on the records below it, each column when first asked
    (a data row is told by its first value of its column's kind, without profiling a wide table's every column)."""

    def __init__(self, rows: list[list[str]]) -> None:
        self.rows = rows
        self._columns: dict[int, tuple[Column, bool]] = {}

    def column(self, c: int) -> tuple[Column, bool]:
        """(the column's profile, whether every non-empty value of it is a boolean spelling: _BOOLEAN)."""
        if c not in self._columns:
            values = [r[c] for r in self.rows]
            spelled = [v.strip().casefold() for v in values if v.strip()]
            self._columns[c] = (Column.of(values), bool(spelled) and all(v in _BOOLEAN for v in spelled))
        return self._columns[c]

    def typed(self, c: int) -> bool:
        column, boolean = self.column(c)
        return column.kind in TYPED or boolean

    def text_over(self, cell: str, c: int) -> int:
        """+1: ``cell`` is text over a typed column, -1: it is a value of its kind (data), 0: it says nothing."""
        kind = value_kind(cell)
        if kind == EMPTY:
            return 0
        column, boolean = self.column(c)
        if boolean:
            return -1 if cell.strip().casefold() in _BOOLEAN else 1 if kind == TEXT else 0
        if column.kind in TYPED:
            return 1 if kind == TEXT else -1 if kind == column.kind else 0
        return 0


def _reads_as_record(cells: list[str], names: list[str], kinds: _Kinds, text_cols: list[int]) -> str | None:
    """Why a line of text over typed columns reads as a record after all (kept, with a warning), or None.

    A description line describes every column in words; a record whose typed values are missing or
    placeholders (``Widget,call us,unknown``, ``Alex,Prefer not to say,Prefer not to say``, breaker5 #2) is
    text over typed columns too, and taken for a description it is lost from the table. It reads as a
    record when:

    * a cell is a number or a date (not a year): a value, never the description of a column (``1.5,keep me,why``);
    * its first cell is text over a column of text that it does not describe: it neither repeats a word of
      the column's name (_repeats_name: ``Full name`` under ``name`` describes it) nor asks a question
      (``What is your name?``) — ``Widget`` over ``Gadget``, ``Gizmo`` is one more value of that column;
    * two of its text cells over typed columns are the same text (``pending,pending``): a placeholder
      repeated, where descriptions of two columns differ.
    """
    for i, c in enumerate(cells):
        if value_kind(c) in (NUMBER, DATE) and not _year(c):
            name = names[i] if i < len(names) and names[i].strip() else f"column {i + 1}"
            return f"it holds the {value_kind(c)} {c!r} (under {name!r}), a value rather than a description"
    if cells and cells[0] and value_kind(cells[0]) == TEXT and kinds.column(0)[0].kind == TEXT:
        name = names[0] if names else ""
        if not _repeats_name(cells[0], name) and not cells[0].endswith("?"):
            shown = ", ".join(repr(r[0].strip()) for r in kinds.rows[:3] if r[0].strip())
            return f"its first cell {cells[0]!r} reads as one more value of the text column below it ({name!r}: {shown})"
    texts = [cells[i].casefold() for i in text_cols if cells[i]]
    repeated = next((t for t in texts if texts.count(t) > 1), None)
    if repeated is not None:
        cols = ", ".join(names[i] if i < len(names) and names[i].strip() else f"column {i + 1}" for i in text_cols if cells[i].casefold() == repeated)
        return f"the same text {repeated!r} stands in {cols}: a placeholder value repeated, where descriptions of two columns differ"
    return None


def header_descriptions(
    filled: list[tuple[int, list[str]]], first: int, names: list[str], width: int, blocks: dict[int, int]
) -> tuple[list[str], tuple[int, str] | None]:
    """(reason for each description line from row ``first`` on, the row index and reason of a possible one kept as a record).

    Row ``first`` is the row right under the header (whose column names are ``names``). Exports put
    lines there that describe the columns: Qualtrics the question texts and a line of
    ``{"ImportId":...}`` objects, a data dictionary ``Identifier,Amount in USD,Order date`` under
    ``id,amount,placed``, SurveyMonkey ``Response``/``Open-Ended Response`` under each question. Read
    as records they put text into every typed column (which then stays text). Up to
    MAX_DESCRIPTION_ROWS rows, each in the header's block and of ``width`` fields, are description
    lines while one of these holds:

    * every filled cell is a JSON object (_json_row: Qualtrics' ImportId line);
    * it is a types line (type_row: ``string,number,date``, ``INT,VARCHAR(20)`` — a schema export's second line,
      breaker6 #16), one of its type names over a typed column below or written only as a type (not one of
      _WORD_TYPES: ``string``, ``int``, ``varchar(20)``), and no record below holds a type name in a column
      it fills (else, or with no record below, a possible description);
    * the row right below is such a line and every filled cell of this one is text (the question texts);
    * no cell reads as a value over its column, at least one is SurveyMonkey's ``Response``, ``Open-Ended
      Response`` or ``Other (please specify)`` and every filled cell is text;
    * over the columns of the records below (profiled without the next candidate row while two records
      remain), the columns of numbers, dates, codes or booleans the row fills hold text and none a value of
      their kind, those are at least half of the typed columns, the text cells plus the cells repeating a
      word of their column's name (_repeats_name: ``Amount in USD`` under ``amount``) are two or more, and
      no record below holds text in those same columns (else the text is one of the records' kinds of value).

    The first row that fails ends them. It is a *possible* description, kept as a record (a wrong
    structural line loses a record; DESIGN.md, trust rules) and named in a warning, when it fails
    only the last condition, or when no column is typed (a table of text, or no record below) and two
    or more of its cells, at least half of those filled, repeat their column's name.
    """
    out: list[str] = []
    block = blocks.get(filled[first - 1][0]) if first > 0 else None
    rows = [r for i, r in filled[first : first + MAX_DESCRIPTION_ROWS + PROFILE_ROWS] if len(r) == width and blocks.get(i) == block]
    for k in range(MAX_DESCRIPTION_ROWS):
        if first + k >= len(filled) or len(filled[first + k][1]) != width or blocks.get(filled[first + k][0]) != block:
            return out, None
        row = rows[k]
        cells = [c.strip() for c in row]
        filled_cells = [c for c in cells if c]
        if not filled_cells or [c.casefold() for c in cells] == [n.strip().casefold() for n in names]:
            return out, None  # the header written again (``Day,Night`` under ``day,night``): a repeated_header line, no description
        # the records below, without the types line and the header met again (two exports concatenated, a types
        # footer: breaker7 #14) — those repeat the schema, they hold no value
        later = [r for r in rows[k + 1 :] if not repeats_schema(r, row, names)]
        typed_below = _Kinds(later)
        if type_row(row, names) and any(
            c.casefold() not in _WORD_TYPES or typed_below.typed(i) for i, c in enumerate(cells) if c
        ):
            shown = ", ".join(c for c in cells if c)
            held = [
                names[i] if i < len(names) and names[i].strip() else f"column {i + 1}"
                for i, c in enumerate(cells) if c and any(type_name(r[i]) for r in later)
            ]
            if not later:
                return out, (first + k, f"a line of type names ({shown}), but no record below to compare it with")
            if held:
                return out, (first + k, f"a line of type names ({shown}), but a record below holds a type name too ({', '.join(held)})")
            wrong = types_contradicted(cells, later, names)
            if wrong:
                return out, (first + k, f"a line of type names ({shown}), but no record below holds a value of the type it names in "
                                        f"{', '.join(wrong)}")
            out.append(f"type names ({shown}): each column's type as a schema writes it, not a record")
            continue
        if _json_row(row):
            below = [r for r in rows[k + 1 :] if any(_json_object(r[i]) for i, c in enumerate(cells) if c)]
            if below:
                return out, None  # JSON objects are values of these columns
            out.append("a JSON object with the same keys in every filled cell (Qualtrics' ImportId line)")
            continue
        cell_kinds = [value_kind(c) for c in filled_cells]
        if TEXT not in cell_kinds:
            return out, None  # numbers, dates and codes only: a record
        texts = all(kind == TEXT for kind in cell_kinds)
        if texts and k + 1 < len(rows) and _json_row(rows[k + 1]):
            out.append("column texts above a line of JSON objects (Qualtrics' question-text line)")
            continue
        after = [r for r in rows[k + 1 :] if not _json_row(r)]
        window = after[1:] if len(after) > 2 and k + 1 < MAX_DESCRIPTION_ROWS else after
        kinds = _Kinds(window)
        # Values first: a data row is told by its first number or date over a column of them.
        order = sorted(range(width), key=lambda i: value_kind(cells[i]) in (TEXT, EMPTY))
        votes = [0] * width
        for i in order:
            votes[i] = kinds.text_over(cells[i], i)
            if votes[i] < 0:
                return out, None
        repeats = [i for i, c in enumerate(cells) if c and _repeats_name(c, names[i] if i < len(names) else "")]
        if texts and any(c.casefold() in _SURVEY_OPTIONS for c in filled_cells):
            out.append("answer-option labels under the questions (SurveyMonkey's Response / Open-Ended Response line)")
            continue
        typed = [i for i in range(width) if kinds.typed(i)]
        text_cols = [i for i in typed if votes[i] > 0]
        strong = len(text_cols) + sum(1 for i in repeats if i not in text_cols)
        if typed and text_cols and 2 * len(text_cols) >= len(typed) and strong >= 2:
            alike = any(all(value_kind(r[i]) == TEXT and kinds.text_over(r[i], i) > 0 for i in text_cols) for r in window)
            shown = ", ".join(names[i] if i < len(names) and names[i].strip() else f"column {i + 1}" for i in text_cols)
            record = _reads_as_record(cells, names, kinds, text_cols)
            if not alike and record is None:
                out.append(f"text over columns of numbers, dates, codes or booleans below it ({shown})")
                continue
            why = "a record below holds text there too" if alike else record
            return out, (first + k, f"text over columns of numbers, dates, codes or booleans ({shown}), but {why}")
        if not any(kinds.typed(i) for i in range(width)) and len(repeats) >= 2 and 2 * len(repeats) >= len(filled_cells):
            shown = ", ".join(f"{cells[i]!r} under {names[i]!r}" for i in repeats[:4])
            return out, (first + k, f"its cells repeat their column names' words ({shown}) in a table with no typed column to tell")
        return out, None
    return out, None


def continues_header(above: list[list[str]], row: list[str], columns: list[Column], width: int) -> bool:
    """Whether ``row`` is one more header row under the header rows ``above`` (a multi-row header), not a record.

    A record whose first values are placeholders (``A,TBD,TBD`` over numbers and dates) reads as
    names as well as a header row does, and taking it for one loses it silently; so a row joins the
    header only with the marks of a spreadsheet's merged header cells, and otherwise stays a record
    (a text value in a typed column then lands in ``__raw`` with a reason):

    * it reads as names only (names_only: some cell reads as a name, none as a value);
    * each of its cells that says nothing (over a text column) sits under a column that has no name
      yet (``Region`` under the empty cell of ``,Sales,,Returns,``): a value under a named text
      column is data (``A`` under ``ref``) — unless the row is a full row of sub-names under merged
      group names (_sub_names: ``Name,Email,Id,Total`` under ``Customer,,Order,``, breaker5 #3);
    * the rows show a merged cell: an empty cell (``,Sales,,Returns,``; a units row ``,kg,cm``) or
      a name repeated along a row above (``Population,Population``).
    """
    if not names_only(row, columns) or type_row(row):
        return False  # a types line (``string,number,date``) describes the columns, it names none (header_descriptions)
    named = [any(c < len(r) and r[c].strip() for r in above) for c in range(width)]
    grouped = _sub_names(above, row, width)
    for c, (cell, v) in enumerate(zip(row, header_votes(row, columns))):
        if cell.strip() and v <= 0 and c < width and named[c] and not grouped:
            return False
    if _placeholder_repeated(above, row, width):
        return False
    empty = any(not cell.strip() for r in [*above, row] for cell in r[:width])
    repeated = any(a.strip() and a.strip() == b.strip() for r in above for a, b in zip(r, r[1:]))
    return empty or repeated


def _placeholder_repeated(above: list[list[str]], row: list[str], width: int) -> bool:
    """Whether ``row`` holds the same word (four characters or more) under two columns that each have a name of their own above.

    ``,pending,pending`` under ``ref,start,salary`` is a record whose values are still to come, not a units row: a
    merged header repeats sub-names only under different groups (``Q1,Q2,Q1,Q2`` under ``Sales,,Returns,``), and a
    units row repeats short units (``kg``, ``USD``). Taken as a header row, the record would be lost (breaker5 #2).
    """
    if not above:
        return False
    upper = [c.strip() for c in above[-1][:width]] + [""] * max(0, width - len(above[-1]))
    single = [bool(upper[c]) and (c + 1 == width or bool(upper[c + 1])) for c in range(width)]
    seen: dict[str, int] = {}
    for c, cell in enumerate(row[:width]):
        text = cell.strip().casefold()
        if len(text) < 4 or not single[c]:
            continue
        if text in seen:
            return True
        seen[text] = c
    return False


def _group_row_above(filled: list[tuple[int, list[str]]], pos: int, width: int, blocks: dict[int, int]) -> bool:
    """Whether the row right above the header row ``pos`` (no blank line between) holds group names over merged
    cells whose sub-names the header row writes (_sub_names): the upper row of a two-row header (breaker5 #3)."""
    i, r = filled[pos - 1]
    return blocks.get(i) == blocks.get(filled[pos][0]) and i + 1 == filled[pos][0] and _sub_names([r], filled[pos][1], width)


def _sub_names(above: list[list[str]], row: list[str], width: int) -> bool:
    """Whether ``row`` is a full row of sub-names under group names that span merged cells in the rows ``above``.

    A spreadsheet exports a merged header cell as its name followed by empty cells (``Customer,,Order,``);
    the row below names each column of a group (``Name,Email,Id,Total``). It is one when the last row above
    has two group names or more, each spanning two columns or more (empty cells right of it), the first
    over the first column, and ``row`` fills all ``width`` cells with distinct short names (text of at most three
    words, no digits alone). A record under such a row has values (a number, an e-mail address) that
    names_only refuses first; a placeholder record (``A,TBD,TBD,TBD``) is neither distinct nor text.
    """
    if not above or len(row) != width or width < 2:
        return False
    upper = [c.strip() for c in above[-1][:width]] + [""] * max(0, width - len(above[-1]))
    if not upper[0]:
        return False
    starts = [c for c in range(width) if upper[c]]
    spans = [(b - a) for a, b in zip(starts, starts[1:] + [width])]
    if len(starts) < 2 or any(n < 2 for n in spans):
        return False  # one name over empty cells is a title (``Sales report,,,``), not groups
    cells = [c.strip() for c in row]
    if not all(cells) or len({c.casefold() for c in cells}) < width:
        return False
    return all(value_kind(c) == TEXT and len(c.split()) <= 3 for c in cells)


def column_names(header_rows: list[list[str]]) -> list[str]:
    """One name per column from one or more header rows.

    A multi-row header is read as a spreadsheet export writes merged cells: a name in an upper
    row spans the empty cells to its right, and each column's name joins its rows' names top
    down with a space (``Sales`` over ``Q1`` -> ``Sales Q1``), leaving out repeats and blanks.
    """
    if not header_rows:
        return []
    if len(header_rows) == 1:
        return list(header_rows[0])
    width = max(map(len, header_rows))
    filled: list[list[str]] = []
    for r, row in enumerate(header_rows):
        cells = [c.strip() for c in row] + [""] * (width - len(row))
        if r < len(header_rows) - 1:
            last = ""
            for c in range(width):
                if cells[c]:
                    last = cells[c]
                elif c > 0 and last:
                    cells[c] = last
        filled.append(cells)
    names = []
    for c in range(width):
        parts: list[str] = []
        for cells in filled:
            if cells[c] and (not parts or parts[-1] != cells[c]):
                parts.append(cells[c])
        names.append(" ".join(parts))
    return names


@dataclass
class Shape:
    """How the names of a file's header meet its records (see shape())."""

    names: list[str]  # one per staging column ("" for an unnamed one: clean names it column_<position>)
    width: int  # fields a record must have (after dropping trailing empty fields)
    note: str | None = None  # what was done, for the manifest
    # the header's names cannot be matched to the records' fields (one name more or fewer than every data line):
    # the records keep generic names, the header line is kept as written (manifest ``header_as_read``)
    mismatch: bool = False


def shape(names: list[str], table: Table) -> Shape:
    """Match header names to the records' width, as a careful reader of the file would.

    * No header: ``column_1``... one per field of the commonest record.
    * Records wider than the header, most of them only by empty fields (a delimiter at the end of
      each data line): the header's width; the reader drops the empty fields row by row and
      quarantines a record with a value past the header (it would not fit any name).
    * Every line ending with a delimiter, the header's too (a trailing tab): the empty last field
      dropped (the reader drops it row by row; a record with a value there is quarantined).
    * A header whose last name is empty, one name longer than the records (a delimiter at the end
      of the header line): that name dropped.
    * Records one field wider than the header, that field holding values, or a header one real
      name longer than the records: which name belongs to which field cannot be told (a name
      left out first, as R's write.table does for row names, or last; an unquoted delimiter in a
      value, ``1,200``; an empty value the exporter left out). No alignment is guessed: the
      records keep every field under generic names (``column_1``...), ``mismatch`` is set, and
      the reader warns and marks the header unconfirmed (a wrong header costs more than a
      missing name; DESIGN.md, trust rules). Records of another width are quarantined.
    * Any other difference: the header's width; records of another width are quarantined.
    """
    if table.header_rows == 0:
        return Shape([f"column_{i}" for i in range(1, table.width + 1)], table.width)
    wh, wd = len(names), table.width
    rows = table.rows
    if wd > wh and rows and sum(1 for r in rows if not any(f.strip() for f in r[wh:])) * 2 > len(rows):
        extra = wd - wh
        return Shape(names, wh, note=f"data lines end with {extra} more delimiter{'s' * (extra > 1)} than the header: the empty field{'s' * (extra > 1)} dropped")
    if wh == wd and wh > 1 and not names[-1].strip() and rows and not any(r[-1].strip() for r in rows):
        return Shape(names[:-1], wh - 1, note="every line, the header's too, ends with a delimiter: the empty last field dropped")
    if wh == wd + 1 and wd and not names[-1].strip():
        return Shape(names[:-1], wd, note=f"the header ends with an empty name ({wh} names, {wd} fields in data lines): dropped")
    if wh and wd and abs(wh - wd) == 1:
        return Shape(
            [""] * wd, wd, mismatch=True,
            note=f"the header has {wh} names, data lines {wd} fields: names not matched to fields, loaded as column_1..column_{wd}",
        )
    return Shape(names, wh)
