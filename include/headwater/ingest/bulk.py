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
* it has exactly the table's number of fields (delimiters outside quoted fields + 1);
* it does not start with a byte-order mark (Arrow drops one at the start of its input);
* it is at most ``read.max_field_chars`` bytes long (so every field is at most that many characters).

A run of plain lines that starts where the careful reader stands between two records is then a
run of whole records, one per physical line: the line after a plain line starts a record too
(a plain line leaves no quote open). Everything else (quoted newlines, ragged rows, blank lines,
repeated headers, bare carriage returns, broken quotes, over-long fields) is read by the careful
reader, which decides the reasons, line numbers and structural lines as it always did.

Lines are classified per block with NumPy over the UTF-8 bytes (LineBlocks._classify), and a run
is parsed by ``pyarrow.csv.read_csv`` with every column a string, so no value is altered. Engines
measured on the bench file before this choice (bench/run.py's ``read`` phases print them each run):
pyarrow's ``read_csv`` and ``open_csv`` streaming reader, and DuckDB 2.0.1's
``read_csv(all_varchar=true, store_rejects=true)``. Arrow is the one already in the environment,
returns the Arrow arrays the staging Parquet is written from, and parses a block of bytes handed
to it, which the line-exact hand-over needs; DuckDB reads files or its own scans, and its rejects
table reports rejected rows by line but not the careful reader's reasons.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

MIN_RUN = 32  # plain lines in a row before Arrow takes over from the careful reader (a call costs about a millisecond)
BOM = "\ufeff"


class LineBlocks:
    """The lines of ``text`` (decoded chunks, as csv_file reads them), a block of whole lines at a time.

    ``next_line()`` hands out the next line (its ``\\n`` kept) for the careful reader;
    ``plain_run()`` says how many plain lines start at the current line; ``take(n)`` parses up to
    ``n`` of them with pyarrow and moves past them. ``delimiter``/``quote`` are the table's dialect,
    ``width`` its fields per record (set once the header is read; 0 until then: no line is plain),
    ``max_chars`` the longest line Arrow may take. Raises what ``text`` raises (a decode error).
    """

    def __init__(self, text: Iterator[str], delimiter: str, quote: str, max_chars: int) -> None:
        self._text = text
        self._rest = ""  # text after the last \n read so far
        self._done = False  # ``text`` is exhausted
        self.delimiter, self.quote, self.max_chars = delimiter, quote, max_chars
        self.width = 0
        self._block = ""
        self._data = b""
        self._ascii = True
        self._starts = np.zeros(1, np.int64)  # byte offset of each line of the block, and the block's end
        self._n = 0  # lines in the block
        self.at = 0  # index in the block of the next line to hand out
        self._next_odd: np.ndarray | None = None  # per line: index of the first line from it on that is not plain

    # ------------------------------------------------------------------ blocks

    def _load(self, chars: int) -> bool:
        """Replace the (finished) block by the next one, at least ``chars`` characters when the text allows; False at the end.

        Blocks are one decoded chunk (streams.READ_BLOCK bytes) up to its last line end, as newline_lines
        cuts them: the text is decoded no further ahead of the records than the careful reader decodes it,
        so a byte that does not decode stops the same batch in both engines.
        """
        parts, size, newline = [self._rest], len(self._rest), "\n" in self._rest
        while not self._done and (size < chars or not newline):
            chunk = next(self._text, None)
            if chunk is None:
                self._done = True
                break
            parts.append(chunk)
            size += len(chunk)
            newline = newline or "\n" in chunk
        text = "".join(parts)
        cut = len(text) if self._done else text.rfind("\n") + 1
        block, self._rest = text[:cut], text[cut:]
        plain_ok = True
        try:
            data = block.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: no valid UTF-8 for Arrow; the careful reader reads the block
            data, plain_ok = block.encode("utf-8", "surrogatepass"), False
        ends = np.flatnonzero(np.frombuffer(data, np.uint8) == 10) + 1
        tail = [len(data)] if data and data[-1:] != b"\n" else []
        self._block, self._data, self._ascii = block, data, len(data) == len(block)
        self._starts = np.concatenate([[0], ends, tail]).astype(np.int64)
        self._n, self.at = len(self._starts) - 1, 0
        self._next_odd = None if plain_ok else np.arange(self._n + 1)
        return self._n > 0

    def _line(self, i: int) -> str:
        a, b = self._starts[i], self._starts[i + 1]
        return self._block[a:b] if self._ascii else self._data[a:b].decode("utf-8", "surrogatepass")

    def next_line(self) -> str | None:
        """The next line (line end kept); None at the end of the text."""
        if self.at >= self._n and not self._load(1):
            return None
        self.at += 1
        return self._line(self.at - 1)

    # ------------------------------------------------------------------ plain lines

    def _classify(self) -> np.ndarray:
        """Per line of the block, the index of the first line at or after it that is not plain (``_n`` when none).

        Byte-level and vectorized (NumPy over the UTF-8 block: the quote, delimiter, ``\r`` and ``\n``
        are ASCII, never part of a multibyte character). Quotes are numbered within their line: an
        even-numbered one opens a quoted field and must start a field (line start, after a delimiter,
        or right after the quote it doubles); an odd-numbered one closes it and must end the field
        (delimiter, line end, or a second quote: a doubled quote); a line must close every quote it
        opens. Fields are the delimiters outside quotes + 1. A ``\r`` must be part of ``\r\n`` or end the file.
        """
        n, plain = self._n, np.zeros(self._n, bool)
        if self.width >= 2 and n:
            arr = np.frombuffer(self._data, np.uint8)
            size, starts = len(arr), self._starts
            quote, delim = ord(self.quote), ord(self.delimiter)
            lengths = np.diff(starts)
            plain = lengths <= self.max_chars  # bytes bound the characters; a multibyte line near the limit: careful reader

            def line_of(pos: np.ndarray) -> np.ndarray:
                return np.searchsorted(starts, pos, "right") - 1

            def at(pos: np.ndarray) -> np.ndarray:
                return arr[np.minimum(pos, size - 1)]

            head = starts[:-1]
            bom = (lengths >= 3) & (at(head) == 0xEF) & (at(head + 1) == 0xBB) & (at(head + 2) == 0xBF)
            plain &= ~bom
            cr = np.flatnonzero(arr == 13)
            plain[line_of(cr[(cr + 1 < size) & (at(cr + 1) != 10)])] = False
            qp = np.flatnonzero(arr == quote)
            ql = line_of(qp)
            rank = np.arange(len(qp)) - np.searchsorted(ql, ql, "left")  # the quote's number within its line
            opening = rank % 2 == 0
            prev, nxt, ends = at(qp - 1), at(qp + 1), starts[ql + 1]
            opens_field = (qp == starts[ql]) | (prev == delim) | (prev == quote)
            closes_field = (
                (qp + 1 == ends) | (nxt == delim) | (nxt == quote) | (nxt == 10) | ((nxt == 13) & ((qp + 2 == ends) | (at(qp + 2) == 10)))
            )
            plain[ql[np.where(opening, ~opens_field, ~closes_field)]] = False
            plain[np.bincount(ql, minlength=n) % 2 == 1] = False
            dp = np.flatnonzero(arr == delim)
            dl = line_of(dp)
            quotes_before = np.searchsorted(qp, dp) - np.searchsorted(qp, starts[dl])
            fields = np.bincount(dl[quotes_before % 2 == 0], minlength=n) + 1
            plain &= fields == self.width
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

    def not_plain(self, i: int) -> None:
        """Mark line ``at + i`` of the block as not plain (the careful reader reads it)."""
        j = self.at + i
        if self._next_odd is not None and self._next_odd[self.at] > j:
            self._next_odd[self.at : j + 1] = np.minimum(self._next_odd[self.at : j + 1], j)

    def take(self, n: int, firsts: frozenset[str]) -> pa.Table | None:
        """Parse up to ``n`` plain lines from the next one (``plain_run()`` of them at most) and move past them.

        Returns a table of ``width`` string columns ``c0``..., one row per line, every value as
        written; it stops before a line whose first field is in ``firsts`` (a header met again: the
        careful reader decides), and returns None when the next line is such a line or Arrow does
        not read the run as one record per line (then the careful reader reads it).
        """
        n = min(n, self.plain_run())
        if n <= 0:
            return None
        a, b = int(self._starts[self.at]), int(self._starts[self.at + n])
        longest = int(np.diff(self._starts[self.at : self.at + n + 1]).max())
        names = [f"c{i}" for i in range(self.width)]
        # Arrow parses blocks of block_size bytes in parallel: 128 KiB blocks of a 1 MiB run parsed 5-8x faster here than one
        # 1 MiB block (bench file, 2 cores); a block must hold the longest line twice (it is cut at line ends).
        ragged: list[int] = []  # rows Arrow found with another number of fields (none, on plain lines): the run is the careful reader's
        try:
            table = pacsv.read_csv(
                pa.BufferReader(pa.py_buffer(self._data)[a:b]),
                read_options=pacsv.ReadOptions(column_names=names, block_size=max(1 << 17, 2 * longest + 2)),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.delimiter, quote_char=self.quote, double_quote=True, escape_char=False,
                    newlines_in_values=False, ignore_empty_lines=False,
                    invalid_row_handler=lambda row: ragged.append(row.actual_columns) or "skip",
                ),
                convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False),
            )
        except (pa.ArrowInvalid, ValueError):
            table = None
        if table is None or ragged or table.num_rows != n:
            self._next_odd[self.at : self.at + n] = np.arange(self.at, self.at + n)  # type: ignore[index]
            return None
        if firsts:
            hit = pc.is_in(table.column(0), value_set=pa.array(sorted(firsts), pa.string())).to_numpy(zero_copy_only=False)
            if hit.any():
                k = int(hit.argmax())
                self.not_plain(k)
                if k == 0:
                    return None
                table, n = table.slice(0, k), k
        self.at += n
        return table
