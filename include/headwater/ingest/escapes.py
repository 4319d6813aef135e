"""Backslash-escaped quotes (``"He said \\"hi\\""``): a dialect some exporters write instead of doubling quotes.

RFC 4180 and Python's csv module read a quote inside a quoted field as two quotes (``""``). MySQL's
``SELECT ... INTO OUTFILE``, PHP's fputcsv defaults and many hand-written exporters write ``\\"``
instead; read with the doubled-quote rule, such a record breaks (csv.Error: "',' expected after
'\\"'") and is quarantined. ``backslash_escapes`` decides from the table's sample whether the file
is written that way: then csv.reader gets ``escapechar='\\\\'`` (Python csv docs: "a one-character
string used by the reader to remove any special meaning from the following character"), and a
doubled quote still reads as one quote.
"""

from __future__ import annotations

from headwater.ingest.table import is_blank, parse_rows

ESCAPECHAR = "\\"


def _bad(rows: list[tuple[int, list[str] | None]], width: int) -> int:
    """Records that do not parse or do not have ``width`` fields (blank ones aside)."""
    return sum(1 for _, r in rows if r is None or (not is_blank(r) and len(r) != width))


def backslash_escapes(lines: list[str], dialect: dict[str, object], width: int) -> bool:
    """True when ``lines`` (a table's records as physical lines, header first) are written with backslash-escaped quotes.

    That is: some line holds a backslash before the quote character, some records break or have
    a field count other than ``width`` under the doubled-quote rule, and every record has ``width``
    fields with ``escapechar='\\\\'``. ``dialect``: csv.reader keyword arguments (table.Table.dialect).
    """
    quote = str(dialect.get("quotechar") or '"')
    if width < 1 or not any(ESCAPECHAR + quote in line for line in lines):
        return False
    plain = _bad(parse_rows(lines, dialect), width)
    return plain > 0 and _bad(parse_rows(lines, dialect | {"escapechar": ESCAPECHAR}), width) == 0
