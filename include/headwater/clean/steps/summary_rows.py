"""Step: a "Total" row that sums the rows above it is a summary of the data, not a record.

Spreadsheet exports often end a table (or each group of rows) with a row such as
``Total,,35,6.75``. Curated as data, it double-counts every number in the table. The step
quarantines such a row — it is kept with its values and a reason, never dropped — only on
evidence that leaves no doubt:

* one of its text values is a total label (``Total``, ``Grand total``, ``Subtotal``, ``Sum``,
  ``Totals:``, ``Gesamt``, ``Summe``, ``Insgesamt``, ``Totale``, ``Totaal``, ``Totalt``,
  ``Suma``, ``Somme``, ``Итого``, ``合计``/``合計``, ``Total general``, ``المجموع``, ``الإجمالي``, ``جمع کل``,
  ``कुल``, ``합계``, ``Toplam``, ``Razem``...: ``TOTAL_WORDS``, with its sources; case-insensitive, compared after
  Unicode NFKC, so a full-width ``Ｔｏｔａｌ`` is one, and without tatweel, Arabic vowel marks and format characters:
  ``label_text``) standing alone in its cell: only
  digits, punctuation or a note in brackets may follow (``Totals:``, ``Total 2024``, ``Total (EUR)``),
  so a name that starts with a label word (a product ``Total Gym XLS``, a brand ``Sum Kitchen``) is no
  label; in a text column or in the ``<col>__raw`` text of a number column the label failed to fill; not in a name
  column beside another text cell that is filled with a value the row above does not hold there (``_beside``:
  ``Lucia,Sum,30`` under ``first,last,amount`` is a person, kept as a record with a ``possible_summary_row`` warning;
  a total row leaves such cells empty or repeats its group's key: ``,Sum,30``, ``Sales,Total,30``); and
* every number it has equals the sum of that column over the rows above it — the rows since the
  previous summary row (a subtotal) or since the start of the file (a grand total) — or that
  column's mean (a table's "average price" next to its total), at the precision the value is
  written in; at least one non-zero number must be a sum, and at least two rows are summed. A text
  column of numbers in another script's digits (``١٬٢٥٠٫٠٠``, ``１,２５０.００``: kept as text by the type step
  when no config declares it) is summed as a float column (``SummaryRows._number_columns``).

The label may also be missing or be a trailer marker (``TRAILER_MARKER``): a row whose every text
cell is empty, a marker (``TRL``, ``TRAILER``, ``T``, ``EOF``, ``END``, ``Page 1 of 2``) or a whole
number, is a summary row on the same evidence — an unlabelled total under a column (``,,60.00``,
Excel's and Salesforce's report exports), a bank/ACH/SAP trailer record with its record count and
control total (``TRL,3,60.00``: every count must equal the number of rows summed; a marker with a
matching count and no amount, ``TRL,3,``, is one too; a one-letter ``T`` needs a count and a sum, or two
sums: it may be a size or a grade). An end marker alone (``EOF,,``, ``*** END OF REPORT ***``, ``TRL,,``:
END_ALONE) with no row after it is a structural line ``end_marker`` (``StepOutput.structural``: counted
as a structural line of the file, its text in the manifest's ``clean_structural``; headwater.clean.stage);
with a row after it, it only may be one and is quarantined. A padded page footer alone (``"Page 1 of
2",,``, ``"- 3 -",,``) is a structural line ``page_footer`` wherever it stands (outside the sums), and
QuickBooks' footer padded to the table's width (``"Accrual Basis Monday, April 7, 2025 ...",,``) a
``report_footer`` like an end marker (no row after it; else quarantined). A
marked row that does not reconcile stays a record with a ``possible_summary_row`` warning; an
unlabelled row that does not reconcile (``,,61.00``) is a record.

A row with a total label whose numbers do not add up (an average, a count, a label that is a
name) stays data. So does one that adds up but has data rows after it with no later summary row
(a brand called ``Total`` in ``Shell,10 / BP,20 / Total,30 / Esso,5``): a total ends its table or
its block, and a later summary row (subtotals, then a grand total) shows the blocks; without one,
the row is kept as data and named in a warning (``warnings``) — when unsure, the data is kept.
So only the file's *last* summary row can turn out to be data, and that is known only at the end
of the file: the last summary row met so far is held back (``held_lines``; not in the batch's
output) until a later summary row confirms it (it is quarantined with that batch) or the file ends
(``finish``: quarantined if no data row followed it, else data). The decision never depends on
where the batches end (the runner, headwater.clean.runner, calls ``finish`` with the last batch).
Summing needs every row above, so the step keeps running sums across batches
(``state``): integer columns exactly (Python ints), decimal columns with ``math.fsum``
(correctly rounded; the comparison rounds the sum to the total's written decimals, Python's
shortest ``repr`` of the value).
"""

from __future__ import annotations

import copy
import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from headwater.clean.steps.base import LINE, RAW_SUFFIX, REASON, STRUCTURAL, StepOutput, is_value_column
from headwater.clean.values import number_texts, other_script_digits
from headwater.names import looks_like_identifier

# The words of a total label, by language (regular expressions, matched case-insensitively on the value's
# ``label_text``: NFKC, no tatweel, no Arabic vowel marks, no format characters). Sources: the caption each language
# version of Microsoft Excel gives a PivotTable's grand total (English "Grand Total": es "Total general", pt "Total
# geral", fr "Total général", it "Totale complessivo", de "Gesamtergebnis", nl "Eindtotaal", sv "Totalsumma", da
# "Hovedtotal", nb "Totalsum", fi "Kokonaissumma", pl "Suma końcowa", cs "Celkový součet", hu "Végösszeg", tr "Genel
# Toplam", ru "Общий итог", uk "Загальний підсумок", el "Γενικό σύνολο", ar "الإجمالي الكلي", he "סכום כולל", zh "总计"/"總計",
# ja "総計", ko "총합계") and each language's word for a total or sum line in a ledger or an invoice (de "Summe",
# "Zwischensumme"; ru "Итого", "Всего"; ar "المجموع", "الإجمالي"; fa "جمع کل"; hi "कुल", "कुल योग"; vi "Tổng cộng"; th
# "ยอดรวม"; ko "합계", "소계"; zh/ja "合计"/"合計", "小计"/"小計"). Left out: a ledger's total word that is as often an
# ordinary word or a name alone in a cell (pl "Razem", cs "Celkem", tr "Toplam", it/sv "Summa", fa "جمع", hi "योग" (also
# yoga), th "รวม", id/ms "Jumlah"): a record so named whose amount happened to equal the rows above was quarantined
# (breaker8 #1); their two-word forms (Genel Toplam, جمع کل, कुल योग, ยอดรวม) stay. Every word that starts with an ASCII
# letter starts as ``_LABEL_CANDIDATE``'s first alternative says.
TOTAL_WORDS = (
    # English, German, Italian, Dutch, Nordic, Spanish/Polish, French, Russian, Chinese/Japanese
    r"totals?", "sum", "summe", "gesamt", "insgesamt", "totale", "totaal", "totalt", "suma", "somme", "итого", "合计", "合計",
    # Spanish, Portuguese, French, Italian
    r"totales", r"total\s+general", r"total\s+geral", r"total\s+g[ée]n[ée]ral", r"sous[\s-]*total", r"totale\s+complessivo",
    r"suma\s+total",
    # German, Dutch, Nordic, Finnish
    "gesamtsumme", "gesamtergebnis", "zwischensumme", "eindtotaal", "totalsumma", "totalsum", "hovedtotal",
    r"i\s+alt", "yhteensä", "kokonaissumma",
    # Polish, Czech, Hungarian, Turkish
    r"suma\s+końcowa", r"celkový\s+součet", "összesen", "végösszeg", r"genel\s+toplam",
    # Russian, Ukrainian, Greek
    "всего", r"общий\s+итог", "разом", "усього", "всього", r"загальний\s+підсумок", "σ[υύ]νολο", r"γενικό\s+σ[υύ]νολο",
    # Arabic (with or without the hamza, ي or ى), Persian (ک or the Arabic ك), Hebrew (״ or ")
    r"المجموع(?:\s+الكلي)?", r"ال[إا]جمال[يى](?:\s+الكل[يى])?", r"[إا]جمال[يى]", r"جمع\s+[کك]ل", "مجموع",
    r"סה[\"״]כ", r"סך\s+הכל", r"סכום\s+כולל",
    # Hindi, Indonesian/Malay, Vietnamese, Thai
    r"कुल(?:\s+योग)?", r"tổng(?:\s+cộng)?", "ยอดรวม", "รวมทั้งหมด",
    # Chinese, Japanese, Korean
    "总计", "總計", "小计", "小計", "総計", "합계", "총계", "총합계", "소계",
)
TOTAL_LABEL = re.compile(  # a whole value (fullmatch) as label_text writes it: the label word, then only digits, punctuation or a note in brackets
    r"\s*(?:grand[\s-]*|sub[\s-]*)?(?:" + "|".join(TOTAL_WORDS) + r")(?P<tail>(?:[\W\d_]|\([^)]*\))*)",
    re.IGNORECASE,
)
# Characters a label is compared without (``label_text``): the Arabic tatweel (kashida, U+0640: ``المجـموع``) and the
# Arabic vowel and Quranic marks (harakat U+064B-U+065F, U+0670, U+0610-U+061A, U+06D6-U+06DC, U+06DF-U+06E4, U+06E7-U+06E8,
# U+06EA-U+06ED); format characters (Unicode Cf: bidi marks such as U+200F and U+061C, zero-width joiners and spaces,
# U+FEFF, soft hyphens) too: ``FORMAT_CHARACTERS``, every code point of category Cf in the Unicode database of Python
# 3.11 (``unicodedata.unidata_version`` 14.0.0; a test checks it against the running one), dropped with the rest in
# one ``str.translate`` (a per-character category lookup cost 0.1 CPU s per 100k rows on the bench's notes)
FORMAT_CHARACTERS = (
    0x00AD, *range(0x0600, 0x0606), 0x061C, 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x180E, *range(0x200B, 0x2010),
    *range(0x202A, 0x202F), *range(0x2060, 0x2065), *range(0x2066, 0x2070), 0xFEFF, *range(0xFFF9, 0xFFFC), 0x110BD,
    0x110CD, *range(0x13430, 0x13439), *range(0x1BCA0, 0x1BCA4), *range(0x1D173, 0x1D17B), 0xE0001, *range(0xE0020, 0xE0080),
)
_LABEL_DROP = dict.fromkeys([0x0640, *range(0x064B, 0x0660), 0x0670, *range(0x0610, 0x061B), *range(0x06D6, 0x06DD),
                             *range(0x06DF, 0x06E5), 0x06E7, 0x06E8, *range(0x06EA, 0x06EE), *FORMAT_CHARACTERS])
# the same characters as a set of str: a text holding none of them is its own translation (``isdisjoint``: a third of
# ``str.translate``'s cost, which looks each character up in the dict: 7 us a name on the bench's notes, issue 15)
_LABEL_DROP_CHARS = frozenset(map(chr, _LABEL_DROP))


def label_text(value: str) -> str:
    """``value`` as a total label is compared (``TOTAL_LABEL``): Unicode NFKC (``Ｔｏｔａｌ`` -> ``Total``, ``ſum`` -> ``sum``;
    Unicode Standard Annex #15), less the tatweel and Arabic vowel marks (``_LABEL_DROP``) and the format characters
    (category Cf). A str in, a str out; an ASCII value is its own. The value as written is what a reason quotes."""
    text = unicodedata.normalize("NFKC", value)
    if text.isascii():
        return text
    return text if _LABEL_DROP_CHARS.isdisjoint(text) else text.translate(_LABEL_DROP)


@functools.lru_cache(maxsize=1 << 16)
def is_total_label(value: str) -> bool:
    """Whether ``value`` (a str) is a total label: ``TOTAL_LABEL`` fullmatches its ``label_text`` and no combining mark
    (Unicode M: Mn, Mc, Me, which Python's ``\W`` holds) follows the word: ``योगा`` (yoga) is ``योग`` and the vowel sign
    U+093E, ``कुली`` is ``कुल`` and U+0940, no label. (No label word ends in a mark, so the word never leaves one to the
    tail.)

    A pure function of the text, cached (``functools.lru_cache``, 65,536 texts): the batches of a file repeat their
    non-ASCII names and cities, each decided once (issue 15)."""
    match = TOTAL_LABEL.fullmatch(label_text(value))
    return match is not None and not any(unicodedata.category(ch)[0] == "M" for ch in match.group("tail"))


# A trailer or footer marker standing alone in its cell (fullmatch, case-insensitive): the record type of a bank/ACH/SAP
# trailer record (``TRL,3,60.00``), an end-of-file line (``EOF``, ``END``, ``*** END OF REPORT ***``) or a report's page
# footer (``Page 1 of 2``). Only in a row whose every other text cell is empty or a record count.
TRAILER_MARKER = re.compile(
    r"\s*(?:trl|trailer|t|eof|end|end\s+of\s+(?:file|report|data)|\*+\s*end\s+of\s+(?:file|report|data)\s*\*+|page\s+\d+\s+of\s+\d+)"
    r"\s*[.:]?\s*",
    re.IGNORECASE,
)
END_MARKER = re.compile(r"\s*(?:eof|end|end\s+of\s+(?:file|report|data)|\*+\s*end\s+of\s+(?:file|report|data)\s*\*+)\s*[.:]?\s*", re.IGNORECASE)
# An end marker alone in its row (every other value cell empty): END_MARKER, or a trailer record type with no number
# (``TRL``, ``TRAILER``; not ``T``, a one-letter value as likely: a size, a grade). A structural line when no record follows it.
END_ALONE = re.compile(r"\s*(?:trl|trailer)\s*[.:]?\s*|" + END_MARKER.pattern, re.IGNORECASE)
# QuickBooks' report footer (``Accrual Basis Monday, April 7, 2025 09:14 AM GMT-04:00``), padded to the table's width:
# like an end marker, a structural line when no row follows it (headwater.ingest.csv_file.REPORT_FOOTER when not padded)
REPORT_FOOTER = re.compile(r"\s*(?:accrual|cash|modified\s+cash)\s+basis\b.*", re.IGNORECASE)
PAGE_FOOTER = re.compile(r"\s*(?:page\s+\d+\s*(?:of|/)\s*\d+|-\s*\d+\s*-)\s*", re.IGNORECASE)  # ``Page 3 of 7``, ``Page 3/7``, ``- 3 -``
COUNT = re.compile(r"\s*\d+\s*")  # a record count in a trailer's text cell (``TRL,3,60.00``)
MIN_ROWS = 2  # a "total" of one row is that row
# Values TOTAL_LABEL may match (a superset), found by Arrow's RE2 kernel over whole columns; Python's ``re`` decides on
# them alone (``is_total_label``: its case folding and ``\s`` are Unicode-aware: ``ſ`` matches ``s``, ``İ`` ``i``, U+00A0 is
# a space, which RE2's are not). A label fullmatches from the value's start: ``\s*``, ``grand``/``sub`` and ``[\s-]*``,
# then the label word. An ASCII value is its own ``label_text`` (NFKC leaves ASCII as it is, ``_LABEL_DROP`` holds no ASCII
# character). If every character up to the end of the word is ASCII, the value starts as the first alternative says
# (Python's ASCII whitespace, ``\t\n\v\f\r\x1c-\x1f`` and space, lies in ``\x00-\x20``; every word of TOTAL_WORDS
# written in ASCII starts with ``tota``, ``sum``, ``gesamt``, ``insgesamt``, ``somme``, ``sous``, ``zwischensumme``,
# ``eindtotaal``, ``hovedtotal``, ``kokonaissumma``, ``i`` and a space, ``razem``, ``celkem``, ``toplam``, ``genel`` or
# ``jumlah``); if one of them is not (a letter of another script, a full-width letter, a format character, a combining
# mark), a run of ASCII letters, whitespace and hyphens (the only ASCII characters before the word's end) leads to a
# non-ASCII character: the second alternative (right-to-left text is stored in logical order: its first character is
# the word's first).
_LABEL_CANDIDATE = (
    "(?i)^[\x00-\x20-]*(?:(?:grand|sub)[\x00-\x20-]*)?"
    "(?:tota|sum|gesamt|insgesamt|somme|sous|zwischensumme|eindtotaal|hovedtotal|kokonaissumma|i[\x00-\x20]+alt"
    "|genel)"
    "|^[\x00-\x20A-Za-z-]*[^\x00-\x7f]"
)
# A row that may be a page footer, an end marker or a report footer alone in its row (``SummaryRows.apply``): every
# filled cell matches one of the three; each is then looked for on these rows only.
_ALONE = "(?i)^(?:(?:" + PAGE_FOOTER.pattern + ")|(?:" + END_ALONE.pattern + ")|(?:" + REPORT_FOOTER.pattern + "))$"


@dataclass
class _Sums:
    """Running column sums over a block of rows: exact ints, fsum partials for floats."""

    rows: int = 0
    ints: dict[str, int] = field(default_factory=dict)
    floats: dict[str, list[float]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # non-missing values per column (for means)

    def add(self, df: pd.DataFrame, ints: list[str], floats: list[str]) -> None:
        self.take(_column_sums(df, ints, floats))

    def take(self, sums: tuple[int, dict[str, int], dict[str, int], dict[str, float]]) -> None:
        """Add a block's ``_column_sums`` (the same block may go to several running sums: its columns are summed once)."""
        rows, counts, ints, floats = sums
        if not rows:
            return
        self.rows += rows
        for col, n in counts.items():
            self.counts[col] = self.counts.get(col, 0) + n
        for col, total in ints.items():
            self.ints[col] = self.ints.get(col, 0) + total
        for col, total in floats.items():
            self.floats.setdefault(col, []).append(total)

    def total(self, col: str, is_int: bool) -> float | int:
        return self.ints.get(col, 0) if is_int else math.fsum(self.floats.get(col, []))

    def sums(self, col: str, value: float | int, is_int: bool) -> bool:
        """``value`` is the column's sum (exact for ints; at the value's written decimals for floats)."""
        if is_int:
            return self.ints.get(col, 0) == int(value)
        return round(self.total(col, False), _decimals(value)) == float(value)

    def averages(self, col: str, value: float | int, is_int: bool) -> bool:
        """``value`` is the column's mean over its non-missing values, at the value's written decimals."""
        count = self.counts.get(col, 0)
        return count > 0 and round(self.total(col, is_int) / count, _decimals(value)) == float(value)

    def clear(self) -> None:
        self.rows, self.ints, self.floats = 0, {}, {}


@dataclass(frozen=True)
class Reconciled:
    """A summary row of the current batch: what it proves about the rows it sums, in this batch or in earlier ones.

    It sums the rows with ``after < _line < line`` that are not summary rows themselves (``after``: the
    previous summary row's line for a subtotal, 0 for a total over the whole file so far). ``totals``:
    column -> (its value, integer column) for the columns that are sums (means left out); ``sums``:
    column -> the exact sum of those rows as written (Python int, or ``math.fsum``'s float). Read by
    the exact-duplicate step (headwater.clean.dedup.exact): identical rows that the total counts are
    distinct records, whichever batch they were in.
    """

    line: int
    label: str
    after: int
    totals: dict[str, tuple[float | int, bool]]
    sums: dict[str, float | int]

    def covers(self, lines: np.ndarray) -> np.ndarray:
        """Bool per ``_line`` in ``lines``: a row this summary row sums (if it is no summary row itself)."""
        return (lines > self.after) & (lines < self.line)

    def reconciles_without(self, rows: pd.DataFrame) -> bool:
        """Whether the summed rows less ``rows`` (some of them, with the summed columns) still sum to every total,
        compared as ``_Sums.sums`` compares (exact for ints; at the total's written decimals for floats)."""
        for col, (value, is_int) in self.totals.items():
            if is_int:
                taken = sum(int(v) for v in rows[col].dropna().to_numpy(dtype=np.int64))
                if int(self.sums[col]) - taken != int(value):
                    return False
            else:
                left = math.fsum([float(self.sums[col]), *(-_floats(rows[col]))])
                if round(left, _decimals(value)) != float(value):
                    return False
        return True


def _column_sums(df: pd.DataFrame, ints: list[str], floats: list[str]) -> tuple[int, dict[str, int], dict[str, int], dict[str, float]]:
    """(rows, non-missing values per column, exact sum per integer column, ``math.fsum`` per float column) of ``df``."""
    counts: dict[str, int] = {}
    int_sums: dict[str, int] = {}
    float_sums: dict[str, float] = {}
    if len(df) == 0:
        return 0, counts, int_sums, float_sums
    for col in ints:
        array = df[col].array
        values = array[~np.asarray(array.isna(), dtype=bool)].to_numpy(dtype=np.int64)
        counts[col] = len(values)
        # numpy's int64 sum wraps on overflow: exact only while every partial fits, else Python ints
        bound = float(np.abs(values).max()) * len(values) if len(values) else 0.0
        int_sums[col] = int(values.sum()) if bound < 2.0**62 else sum(int(v) for v in values)
    for col in floats:
        array = df[col].array
        values = array[~np.asarray(array.isna(), dtype=bool)].to_numpy(dtype=np.float64)
        counts[col] = len(values)
        float_sums[col] = math.fsum(values)
    return len(df), counts, int_sums, float_sums


# A value that is not blank as Python's ``str.strip`` sees it (``str.isspace``: Unicode White_Space and the separators
# \x1c-\x1f): one character that is none of them, as an RE2 class (Arrow's regex kernels stop at the first)
_FILLED = "[^" + "".join(f"\\x{{{ord(ch):04x}}}" for ch in map(chr, range(0x3001)) if ch.isspace()) + "]"
# A decimal digit (Unicode Nd, Python's ``str.isdecimal``) that is not ASCII, as an RE2 class (Arrow's regex kernels)
_OTHER_DIGIT = r"[^\P{Nd}0-9]"
_HEAD = 8  # a text column's first non-blank values read before its whole text is searched for such digits


def _first_filled(text: pa.Array, n: int) -> list[str]:
    """The first ``n`` values of ``text`` (Arrow strings) that are not blank (``_FILLED``), in order; fewer if the column
    has fewer. Looks at 1,024 values, then eight times more each round: a column's first values are read, not all of it."""
    out: list[str] = []
    start, size = 0, 1024
    while start < len(text) and len(out) < n:
        part = text.slice(start, size)
        at = np.flatnonzero(pc.fill_null(pc.match_substring_regex(part, _FILLED), False).to_numpy(zero_copy_only=False))
        out += part.take(at[: n - len(out)]).to_pylist()
        start, size = start + size, size * 8
    return out


def _text_numbers(values: pd.Series) -> np.ndarray:
    """Each text value as a float (NaN when empty or not a number): digits of any script, separators of any width
    (``١٬٢٥٠٫٠٠``, ``１,２５０.００``, ``5,380.00`` -> 1250.0, 1250.0, 5380.0), read by headwater.clean.values.number_texts
    (headwater.clean.number_spellings.respell) under each decimal mark: a value read under one mark only, or to the same
    number under both, is that number; one read to two numbers (``1,250``: 1250 or 1.25) is NaN (not guessed)."""
    point, comma = number_texts(values, "."), number_texts(values, ",")
    same = point.notna() & (comma.isna() | (point.astype("Float64") == comma.astype("Float64")).fillna(False))
    out = point.where(same, comma.where(point.isna()))
    return out.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)


def _floats(column: pd.Series) -> np.ndarray:
    """The non-missing numbers of a float column, or of a text column of numbers (``_text_numbers``), as float64."""
    values = column.dropna().to_numpy(dtype=np.float64) if pd.api.types.is_float_dtype(column.dtype) else _text_numbers(column)
    return values[~np.isnan(values)]


def _decimals(value: float | int) -> int:
    """Digits after the decimal point in Python's shortest repr of ``value`` (``6.75`` -> 2, ``35`` -> 0)."""
    text = repr(float(value)) if not isinstance(value, (int, np.integer)) else "0"
    return len(text.split(".", 1)[1].rstrip("0")) if "." in text and "e" not in text.lower() else 0


def _temporal(dtype: object) -> bool:
    """True for a numpy ``datetime64`` dtype (tz-aware too) or a ``pd.ArrowDtype`` of an Arrow date or timestamp type."""
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return True
    arrow = getattr(dtype, "pyarrow_dtype", None)
    return isinstance(dtype, pd.ArrowDtype) and arrow is not None and (pa.types.is_date(arrow) or pa.types.is_timestamp(arrow))


def _in_order(held: list[pd.DataFrame], kept: pd.DataFrame) -> pd.DataFrame:
    """Rows held back from earlier output, given up now, with ``kept``: in file order (``_line``), a fresh index."""
    return pd.concat([*held, kept], ignore_index=True).sort_values(LINE, kind="stable").reset_index(drop=True)


# A person's name column (nd11): its standardized name holds ``name`` (``name``, ``last_name``, ``surname``, ``full_name``,
# ``nachname``: the rule of record linkage's default ``linkage.names``), or is ``first`` or ``last``
NAME_COLUMNS = ("first", "last")


def _name_column(col: str) -> bool:
    """Whether ``col`` (a standardized column name) names a person's name (``NAME_COLUMNS``)."""
    return "name" in col.lower() or col.lower() in NAME_COLUMNS


def _filled_text(value: object) -> str | None:
    """``value`` stripped when it is a str that is not blank, else None."""
    return value.strip() or None if isinstance(value, str) else None


def _beside(row: pd.Series, label_cols: list[str], above: pd.Series | None) -> tuple[str, str, str] | None:
    """(label column, other column, its value) when the row's total label stands in a name column (``_name_column``) and
    another text cell of the row holds a value beside it, so the label is a name (nd11, breaker8 #1: ``Lucia,Sum,30`` under
    ``first,last,amount`` is Lucia Sum, whose amount happened to equal the rows above); else None.

    The other cell is a value column of ``label_cols`` (not a ``<col>__raw`` text) other than the label's, not blank, not
    a total label or trailer marker itself, and not the value that column holds in the row above (``above``: the row
    before it in the file; None for the file's first row): a total row leaves the other text cells empty (``,Sum,30``,
    ``Sum,,30``) or, in a table of groups, repeats the group's key in them (``Fruit,Total,30`` under ``Fruit,Pears,20``).
    """
    at = next((c for c in label_cols if isinstance(row[c], str) and (is_total_label(row[c]) or TRAILER_MARKER.fullmatch(row[c]))), None)
    if at is None or not _name_column(at):
        return None
    for col in label_cols:
        if col == at or not is_value_column(col):
            continue
        value = _filled_text(row[col])
        if value is None or is_total_label(value) or TRAILER_MARKER.fullmatch(value):
            continue
        if above is not None and col in above.index and _filled_text(above[col]) == value:
            continue
        return at, col, row[col]
    return None


def _label_of(row: pd.Series, label_cols: list[str]) -> str | None:
    for col in label_cols:
        value = row[col]
        if isinstance(value, str) and (is_total_label(value) or TRAILER_MARKER.fullmatch(value)):
            return value
    return None


def _text(column: pd.Series) -> pa.Array:
    """The values of ``column`` as Arrow ``large_string``, as ``Series.astype("string")`` writes them (missing: null)."""
    return pa.array(column.astype("string").array, pa.large_string()) if len(column) else pa.array([], pa.large_string())


def _textless(dtype: object) -> bool:
    """True for a dtype whose values no pattern of this module can match written out as text, so they are not written
    out: booleans (``True``), floats (``3.0``, ``1e+16``, ``inf``: never digits alone, never a word) and dates and
    timestamps (``_temporal``). Such a cell is empty (``_Cells.empty``) when missing. Integers are text: a record count."""
    return pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_float_dtype(dtype) or _temporal(dtype)


class _Cells:
    """One batch's value cells as text, each column written out (``_text``) at most once and, while few rows are still
    in question, for those rows only; shared by the tests of one batch (page footers, end markers, labels, trailers).

    The tests that ask "is every cell of the row empty or a marker" (``_alone``, ``_trailers``) look at the columns one
    by one and only at the rows every earlier column left in question: the rows of a data table leave after a column
    or two (a name, an amount), so the regular expressions run on one column, not on every column of every row.
    """

    def __init__(self, df: pd.DataFrame) -> None:
        self.df, self.n = df, len(df)
        self._textless = {col: _textless(dtype) for col, dtype in df.dtypes.items()}
        self._full: dict[str, pa.Array | None] = {}
        self._null: dict[str, np.ndarray] = {}
        self.labels: dict[str, np.ndarray] = {}  # column -> bool per row: a total label (``_label_masks``)

    def textless(self, col: str) -> bool:
        return self._textless[col]

    def text(self, col: str, at: np.ndarray | None = None) -> pa.Array | None:
        """The text of ``col`` at the positions ``at`` (sorted; None: every row); None for a ``_textless`` column."""
        if self.textless(col):
            return None
        if col not in self._full and (at is None or len(at) * 4 >= self.n):
            self._full[col] = _text(self.df[col])
        if col in self._full:
            full = self._full[col]
            return full if at is None or len(at) == self.n else full.take(at)
        return _text(self.df[col].iloc[at])

    def null(self, col: str) -> np.ndarray:
        if col not in self._null:
            self._null[col] = self.df[col].isna().to_numpy(dtype=bool)
        return self._null[col]

    def order(self, cols: list[str]) -> list[str]:
        """``cols``, the ``_textless`` ones first (their test is a missing-value mask, no text)."""
        return sorted(cols, key=lambda c: not self.textless(c))


def _empty(text: pa.Array) -> np.ndarray:
    """Bool per value: missing, or only whitespace (Arrow's ``utf8_trim_whitespace``)."""
    return pc.fill_null(pc.equal(pc.utf8_trim_whitespace(text), ""), True).to_numpy(zero_copy_only=False)


def _matches(text: pa.Array, pattern: str) -> np.ndarray:
    """Bool per value: RE2 (Arrow's ``match_substring_regex``) finds ``pattern``; missing values do not match."""
    return pc.fill_null(pc.match_substring_regex(text, pattern), False).to_numpy(zero_copy_only=False)


def _whole(marker: re.Pattern) -> str:
    """``marker`` (a case-insensitive ``re`` pattern) as an RE2 pattern that must match a whole value."""
    return "(?i)^(?:" + marker.pattern + ")$"


def _label_masks(cells: _Cells, cols: list[str]) -> dict[str, np.ndarray]:
    """Column -> bool per row: the value is a total label (``TOTAL_LABEL.fullmatch``); missing values are not labels.

    RE2 finds the candidates (``_LABEL_CANDIDATE``) in every column at once (one pass over the columns' text, chunk by
    chunk) and Python's ``re`` decides on them alone. A ``_textless`` column (numbers, booleans, dates, timestamps) holds
    no label: the text of such a value has no letter where TOTAL_LABEL needs its label word. Kept in ``cells.labels``.
    """
    out = {col: np.zeros(cells.n, dtype=bool) for col in cols}
    chunks, where = [], []  # each column's filled values, and (column, their positions)
    for col in cols:
        text = cells.text(col) if cells.n else None
        if text is None:
            continue
        if text.null_count:
            where.append((col, np.flatnonzero(text.is_valid().to_numpy(zero_copy_only=False))))
            text = text.drop_null()
        else:
            where.append((col, None))
        chunks.append(text)
    if not chunks:
        cells.labels.update(out)
        return out
    values = pa.chunked_array(chunks, pa.large_string())
    candidates = pc.match_substring_regex(values, _LABEL_CANDIDATE)
    at = np.flatnonzero(candidates.to_numpy())
    if len(at):
        # decided once per distinct candidate (a column repeats its values: a city, a product)
        some = values.filter(candidates)
        distinct = pc.unique(some)
        labels = distinct.filter(pa.array([is_total_label(v) for v in distinct.to_pylist()], pa.bool_()))
        if len(labels):
            found = at[pc.is_in(some, value_set=labels).to_numpy()]
            start = 0
            for (col, rows), chunk in zip(where, chunks):
                here = found[(found >= start) & (found < start + len(chunk))] - start
                out[col][here if rows is None else rows[here]] = True
                start += len(chunk)
    cells.labels.update(out)
    return out


def _labels(column: pd.Series) -> np.ndarray:
    """Bool per value: it is a total label (``TOTAL_LABEL.fullmatch``); missing values are not labels (``_label_masks``).

    A date or timestamp column (numpy ``datetime64`` or an Arrow date/timestamp type) holds no label: the text of
    such a value (ISO 8601: digits, ``-``, ``:``, ``.``, ``+``, ``T``, spaces) has no letter where
    TOTAL_LABEL needs its label word, so its values are not written out as text at all.
    """
    return _label_masks(_Cells(column.to_frame("value")), ["value"])["value"]


def _trailers(df: pd.DataFrame, label_cols: list[str], labelled: np.ndarray, labels_of: dict[str, np.ndarray] | None = None,
              cells: _Cells | None = None) -> tuple[np.ndarray, dict[int, list[int]]]:
    """Rows that may be an unlabelled total or a trailer record, and the record counts in their text cells.

    A row qualifies when every text cell (``label_cols``) is empty, a total label, a trailer marker
    (``TRAILER_MARKER``) or a whole number (a record count), and at least one is empty or a marker (or a label:
    ``labelled``, the rows with a total label, ``_label_masks``): ``,,60.00``, ``TRL,3,60.00``, ``EOF,,``,
    ``"Page 1 of 2",,``. Returns (bool per row, {position: [counts]}); the counts are read for the qualifying rows only.
    RE2 (Arrow's ``match_substring_regex``) matches the cells; a column is looked at only for the rows every column
    before it left qualifying (``_Cells``). ``labels_of``: each column's ``_labels`` when the caller has them (else
    ``cells.labels``, else computed here).
    """
    cells = cells if cells is not None else _Cells(df)
    cells.labels.update(labels_of or {})
    if any(col not in cells.labels for col in label_cols):
        _label_masks(cells, [col for col in label_cols if col not in cells.labels])
    n = len(df)
    at, loose = np.arange(n), labelled.copy()
    counts_in: dict[str, np.ndarray] = {col: np.zeros(n, dtype=bool) for col in label_cols}
    marker, count = _whole(TRAILER_MARKER), "^" + COUNT.pattern + "$"
    for col in cells.order(label_cols):
        if not len(at):
            break
        text = cells.text(col, at)
        empty = cells.null(col)[at] if text is None else _empty(text)
        marked, counted = np.zeros(len(at), dtype=bool), np.zeros(len(at), dtype=bool)
        filled = np.flatnonzero(~empty)
        if text is not None and len(filled):  # neither a marker nor a count is blank
            some = text.take(filled)
            marked[filled], counted[filled] = _matches(some, marker), _matches(some, count)
        loose[at[empty | marked]] = True
        counts_in[col][at[counted]] = True
        at = at[empty | marked | counted | cells.labels[col][at]]
    qualifies = np.zeros(n, dtype=bool)
    qualifies[at[loose[at]]] = True
    counts = {int(i): [int(df[col].iloc[i]) for col in label_cols if counts_in[col][i]] for i in np.flatnonzero(qualifies)}
    return qualifies, counts


def _alone(cells: _Cells, cols: list[str], pattern: str, at: np.ndarray | None = None) -> np.ndarray:
    """Bool per row: one cell of ``cols`` at least matches ``pattern`` (RE2, ``_whole``) and every other is empty (missing
    or whitespace); only the rows at the positions ``at`` (None: all) are looked at, the others are False. The patterns
    given here (page footers, end markers, report footers) match no blank value."""
    out = np.zeros(cells.n, dtype=bool)
    if not cells.n or not cols:
        return out
    at = np.arange(cells.n) if at is None else at
    hit = np.zeros(cells.n, dtype=bool)
    # a number column's cell read from the footer is null and its text is in ``<col>__raw``: that value cell counts as empty
    for col in cells.order(cols):
        if not len(at):
            break
        text = cells.text(col, at)
        if text is None:
            at = at[cells.null(col)[at]]
            continue
        keep = _empty(text)
        filled = np.flatnonzero(~keep)
        if len(filled):
            match = _matches(text.take(filled), pattern)
            keep[filled] = match
            hit[at[filled[match]]] = True
        at = at[keep]
    out[at[hit[at]]] = True
    return out


def _footer_cols(df: pd.DataFrame) -> list[str]:
    """The value columns and their ``<col>__raw`` texts: the cells a page footer or end marker must have to itself."""
    return [c for c in df.columns if is_value_column(c) or c.endswith(RAW_SUFFIX)]


def _page_footers(df: pd.DataFrame, marker: re.Pattern = PAGE_FOOTER) -> np.ndarray:
    """Bool per row: a page footer (``PAGE_FOOTER``, e.g. ``Page 1 of 2``; or what ``marker`` matches) alone in the row,
    every other value cell empty (``_alone``)."""
    return _alone(_Cells(df), _footer_cols(df), _whole(marker))


def _filled(df: pd.DataFrame) -> np.ndarray:
    """Bool per row: some value cell (or the ``<col>__raw`` text of one) is filled: the row is not blank."""
    cols = [c for c in df.columns if is_value_column(c) or c.endswith(RAW_SUFFIX)]
    out = np.zeros(len(df), dtype=bool)
    for col in cols:
        text = df[col].astype("string").str.strip()
        out |= (text.notna() & (text != "")).fillna(False).to_numpy(dtype=bool)
    return out


def _alone_text(row: tuple, marker: re.Pattern) -> str:
    """The cell of ``row`` (its values) that ``marker`` matches, stripped."""
    return next(v for v in row if isinstance(v, str) and marker.fullmatch(v)).strip()


_END_KINDS = {"end_marker": END_ALONE, "report_footer": REPORT_FOOTER}


def _end_kind(row: tuple) -> str:
    """``end_marker`` or ``report_footer``: which of them the row held back at the end of the file (``SummaryRows.ends``) is."""
    return "end_marker" if any(isinstance(v, str) and END_ALONE.fullmatch(v) for v in row) else "report_footer"


def _structural(rows: pd.DataFrame, kind: str | None) -> pd.DataFrame:
    """StepOutput.structural for ``rows``: their ``_line``, the ``kind`` (None: each row's ``_end_kind``) and the cell its
    pattern matches (the line's text)."""
    values = list(rows.drop(columns=[LINE]).itertuples(index=False))
    kinds = [kind or _end_kind(row) for row in values]
    patterns = {"page_footer": PAGE_FOOTER, **_END_KINDS}
    texts = [_alone_text(row, patterns[k]) for row, k in zip(values, kinds)]
    return pd.DataFrame({LINE: rows[LINE].to_numpy(), STRUCTURAL: kinds, REASON: texts})


class SummaryRows:
    """Quarantine a row labelled as a total (or unlabelled, or a trailer) whose every number is the sum of the rows above it;
    an end marker or page footer alone in its row is a structural line (module docstring)."""

    name = "summary_rows"

    def __init__(self) -> None:
        # since the previous summary row (and that row's line); since the start
        self.state = {"block": _Sums(), "file": _Sums(), "summaries": 0, "block_after": 0}
        self.kept_as_data: list[str] = []  # rows that summed under a total label but had data rows after them (warnings)
        # The last summary row met so far (one row, its reason, its label), held until a later summary row or the end of
        # the file, and whether a data row followed it.
        self.pending: tuple[pd.DataFrame, str, str] | None = None
        self.data_after_pending = False
        # The running sums were the held row data (its numbers summed, no block cleared), and the rows after it that would
        # then sum their block (one row each, its reason): held too, summaries if the held row turns out to be data.
        self.alt: dict | None = None
        self.doubtful: list[tuple[pd.DataFrame, str]] = []
        # the summary rows found in the batch just applied (confirmed or held), their summed rows in it or in earlier batches
        self.reconciled: list[Reconciled] = []
        self._match: tuple[_Sums, list[str]] | None = None  # the sums and the columns the last row ``_summary`` accepted matched
        # trailer-marked rows that did not reconcile and labels beside a name (``_beside``), kept as records (``possible_summary_row`` warnings)
        self.possible: list[str] = []
        self._above: pd.Series | None = None  # the last row of the batch before (``_apply``): the row above the next batch's first
        # the batch's rows that may be an unlabelled total or a trailer (``_trailers``) and the record counts in their text cells
        self._trailer: np.ndarray = np.zeros(0, dtype=bool)
        self._counts: dict[int, list[int]] = {}
        # end markers alone in their row (END_ALONE) with no row after them so far: structural lines if the file ends so
        self.ends: list[pd.DataFrame] = []
        # text columns of numbers in other scripts' digits, summed as float columns, and the text columns found to be
        # none in an earlier batch, which never become one (``_number_columns``)
        self.number_columns: set[str] = set()
        self.text_columns: set[str] = set()

    def held_lines(self) -> list[int]:
        """Physical lines (``_line``) of the rows held back from the output so far: the last summary row, the doubtful
        rows and the end markers no row has followed yet."""
        rows = ([self.pending[0]] if self.pending is not None else []) + [row for row, _ in self.doubtful]
        return [int(row[LINE].iloc[0]) for row in rows] + [int(n) for row in self.ends for n in row[LINE]]

    def finish(self) -> StepOutput:
        """The held rows, now that the file has ended.

        With no data row after it the last summary row is quarantined (the doubtful rows are then data);
        with data rows after it, it is kept as data (a warning) and the rows that sum their block with
        it counted as data are the summary rows (quarantined), as if the file had been one batch.
        """
        self.reconciled = []
        ends, self.ends = self.ends, []
        structural = _structural(pd.concat(ends, ignore_index=True), None) if ends else pd.DataFrame()
        if self.pending is None:
            return StepOutput(pd.DataFrame(), structural=structural)
        (row, reason, label), doubtful = self.pending, self.doubtful
        self.pending, self.alt, self.doubtful = None, None, []
        if self.data_after_pending:
            why = f"a name like {label.strip()!r} may be a record" if label.strip() else "a row with no label may be a record"
            self.kept_as_data.append(f"{reason.split(' — ')[0].replace('summary row', 'row')}, but data rows follow it — kept as data: {why}")
            quarantined = [r.assign(**{REASON: why}) for r, why in doubtful]
            return StepOutput(row, quarantined=pd.concat(quarantined, ignore_index=True) if quarantined else pd.DataFrame(),
                              structural=structural)
        return StepOutput(_in_order([r for r, _ in doubtful], row.iloc[:0]), quarantined=row.assign(**{REASON: reason}),
                          structural=structural)

    def apply(self, df: pd.DataFrame) -> StepOutput:
        """The batch's rows less its summary rows (quarantined with a reason) and less the rows held back (``finish``).

        A row held from an earlier batch comes out with the batch that decides it: the last summary
        row quarantined when this batch holds a later one (the doubtful rows held with it then come out as data).
        A report's page footer padded to the table's width (``"Page 1 of 2",,``, ``"- 3 -",,``: the footer alone,
        every other cell empty) is a structural line ``page_footer`` wherever it stands (StepOutput.structural: not a
        record, outside the sums). An end marker alone (END_ALONE: ``EOF,,``, ``"*** END OF REPORT ***",,``, ``TRL,,``)
        is held until the file ends (a structural line ``end_marker``, ``finish``) or a row that is not blank follows
        it: then it may be a record, and it is quarantined with its reason. In a table of one value column nothing is a
        footer or an end marker (every value is alone in its row).
        """
        if sum(1 for c in df.columns if is_value_column(c)) < 2:
            # a one-column table: every value stands "alone in its row", which is then no evidence of a footer or an end
            # marker (a song called EOF, a word list ending in ``end``, a status ``Cash Basis only``: breaker6 #2)
            return self._apply(df)
        cells, cols = _Cells(df), _footer_cols(df)
        maybe = np.flatnonzero(_alone(cells, cols, _ALONE))  # the rows any of the three below may be
        footers = _alone(cells, cols, _whole(PAGE_FOOTER), maybe)
        ends = (_alone(cells, cols, _whole(END_ALONE), maybe) | _alone(cells, cols, _whole(REPORT_FOOTER), maybe)) & ~footers
        if not (footers.any() or ends.any() or self.ends):
            return self._apply(df, cells)
        out = self._apply(df[~(footers | ends)])
        rest = ~(footers | ends) & _filled(df)  # the rows after which an end marker was no end
        after = np.flatnonzero(rest)
        last = int(after[-1]) if len(after) else -1
        doubtful = [*self.ends] if len(after) else []
        if len(after):
            self.ends = []
        at = np.flatnonzero(ends)
        doubtful += [df.iloc[at[at < last]]] if (at < last).any() else []
        if (at > last).any():
            self.ends.append(df.iloc[at[at > last]])
        quarantined = [out.quarantined] if len(out.quarantined) else []
        if doubtful:
            rows = pd.concat(doubtful, ignore_index=True)
            rows[REASON] = [
                f"line {int(line)}: {_end_kind(row).replace('_', ' ')} {_alone_text(row, _END_KINDS[_end_kind(row)])!r} alone in "
                "its row, but rows follow it: it may be a record — kept in quarantine"
                for line, row in zip(rows[LINE], rows.drop(columns=[LINE]).itertuples(index=False))
            ]
            quarantined.append(rows)
        structural = _structural(df[footers], "page_footer") if footers.any() else pd.DataFrame()
        return StepOutput(out.kept, quarantined=pd.concat(quarantined) if len(quarantined) > 1 else (quarantined or [pd.DataFrame()])[0],
                          duplicates=out.duplicates, counts=out.counts, structural=structural)

    def _apply(self, df: pd.DataFrame, cells: _Cells | None = None) -> StepOutput:
        """``_apply_batch``; then the batch's last row is the row above the next batch's first (``_beside``)."""
        out = self._apply_batch(df, cells)
        if len(df):
            self._above = df.iloc[-1]
        return out

    def _apply_batch(self, df: pd.DataFrame, cells: _Cells | None = None) -> StepOutput:
        self.reconciled = []
        values = [c for c in df.columns if is_value_column(c)]
        dtypes = dict(df.dtypes.items())
        # a number column named like an identifier (``id``, ``customer_id``: names.looks_like_identifier) is no amount: ids
        # 1 + 2 = 3 is no sum (breaker6 #10)
        ids = {c for c in values if looks_like_identifier(c) and pd.api.types.is_numeric_dtype(dtypes[c])}
        ints = [c for c in values if pd.api.types.is_integer_dtype(dtypes[c]) and c not in ids]
        floats = [c for c in values if pd.api.types.is_float_dtype(dtypes[c]) and c not in ids]
        cells = cells if cells is not None else _Cells(df)
        number = self._number_columns(cells, [c for c in values if c not in ints and c not in floats and c not in ids])
        floats += number
        read = df  # the frame the numbers are summed from: each text column of numbers read once (``_text_numbers``)
        if number:
            read = df.copy(deep=False)
            for col in number:
                read[col] = pd.array(_text_numbers(df[col]), dtype="Float64")
        labels = [c for c in df.columns if (is_value_column(c) or c.endswith(RAW_SUFFIX)) and not (c in ints or c in floats or c in ids)]
        data = ~df[values].isna().all(axis=1).to_numpy(dtype=bool) if len(df) else np.zeros(0, dtype=bool)  # blank rows are not data
        if not (ints or floats) or not labels or len(df) == 0:
            sums = _column_sums(read, ints, floats)
            for state in filter(None, (self.state, self.alt)):
                state["block"].take(sums)
                state["file"].take(sums)
            self.data_after_pending |= self.pending is not None and bool(data.any())
            return StepOutput(df)
        labelled = np.zeros(len(df), dtype=bool)
        for mask in _label_masks(cells, labels).values():
            labelled |= mask
        self._trailer, self._counts = _trailers(df, labels, labelled, cells=cells)
        labelled |= self._trailer
        before = copy.deepcopy(self.state)
        summary, reasons = self._scan(df, read, labels, labelled, ints, floats, self.state)
        found = np.flatnonzero(summary)
        held = np.zeros(len(df), dtype=bool)
        confirmed, released = [], []
        if self.pending is not None and len(found):
            row, reason, _ = self.pending  # a later summary row shows the blocks: the held one was a summary
            confirmed.append(row.assign(**{REASON: reason}))
            released = [r for r, _ in self.doubtful]
            self.pending, self.alt, self.doubtful = None, None, []
        elif self.pending is not None and self.alt is not None:
            self.data_after_pending |= bool(data.any())
            doubtful, why = self._scan(df, read, labels, labelled, ints, floats, self.alt)
            held |= doubtful
            self.doubtful += [(df.iloc[[i]], why[i]) for i in np.flatnonzero(doubtful)]
        if len(found):
            last = int(found[-1])
            held[last] = True
            self.pending = (df.iloc[[last]], reasons[last], _label_of(df.iloc[last], labels) or "")
            self.data_after_pending = bool((data[last + 1 :] & ~summary[last + 1 :]).any())
            # the other reading: the row is data; the rows after it that then sum their block are held as doubtful
            self.alt = before
            doubtful, why = self._scan(df, read, labels, labelled, ints, floats, self.alt, as_data=last)
            after = np.arange(len(df)) > last
            held |= doubtful & after
            self.doubtful = [(df.iloc[[i]], why[i]) for i in np.flatnonzero(doubtful & after)]
        rejected = df[summary & ~held].copy()
        rejected[REASON] = [reasons[i] for i in np.flatnonzero(summary & ~held)]
        quarantined = pd.concat([*confirmed, rejected]) if confirmed else rejected
        kept = df[~summary & ~held]
        return StepOutput(_in_order(released, kept) if released else kept, quarantined=quarantined)

    def _scan(self, df: pd.DataFrame, read: pd.DataFrame, labels: list[str], labelled: np.ndarray, ints: list[str],
              floats: list[str], state: dict, as_data: int | None = None) -> tuple[np.ndarray, dict[int, str]]:
        """One pass over the batch: (mask of summary rows, their reasons by position); the running sums of ``state``
        take in every other row. The row at position ``as_data`` is data whatever it sums. ``read``: ``df`` with its text
        columns of numbers read as floats (``_apply``), the frame summed."""
        block, whole = state["block"], state["file"]
        summary = np.zeros(len(df), dtype=bool)
        reasons: dict[int, str] = {}
        start = 0
        record = state is self.state and as_data is None  # the batch's own reading: what it finds is reconciled
        for i in np.flatnonzero(labelled):
            above = _column_sums(read.iloc[start:i], ints, floats)
            block.take(above)
            whole.take(above)
            start = i + 1
            row = df.iloc[i]
            label = _label_of(row, labels) or ""
            counts = self._counts.get(int(i), []) if self._trailer[i] else []
            numbers = row if read is df else read.iloc[i]
            reason = None if i == as_data else self._summary(row, label, ints, floats, state, counts, bool(self._trailer[i]), numbers)
            beside = _beside(row, labels, df.iloc[i - 1] if i else self._above) if reason is not None else None
            if beside is not None:  # a name beside the label: a record (nd11), named in a warning when this is the batch's reading
                if record:
                    col, other, value = beside
                    self.possible.append(
                        f"possible_summary_row: {reason.split(' — ')[0]}, but its {col!r} is a name column and {other!r} holds "
                        f"{value!r} beside it, which a total row leaves empty — kept as a record"
                    )
                reason = None
            if reason is None and record and self._trailer[i] and TRAILER_MARKER.fullmatch(label):
                self.possible.append(
                    f"possible_summary_row: line {int(row[LINE])}: {label.strip()!r} reads as a trailer or end marker, but its "
                    "numbers and counts do not equal the sums or the count of the rows above it — kept as a record"
                )
            if reason is None:
                this = _column_sums(read.iloc[i : i + 1], ints, floats)
                block.take(this)
                whole.take(this)
                continue
            summary[i] = True
            reasons[int(i)] = reason
            if record and self._match is not None:
                sums, summed = self._match
                after = state.get("block_after", 0) if sums is block else 0
                self.reconciled.append(Reconciled(int(row[LINE]), _label_of(row, labels) or "", after,
                                                  {c: (numbers[c], c in ints) for c in summed},
                                                  {c: sums.total(c, c in ints) for c in summed}))
            state["block_after"] = int(row[LINE])
            block.clear()
            state["summaries"] += 1
        rest = _column_sums(read.iloc[start:], ints, floats)
        block.take(rest)
        whole.take(rest)
        return summary, reasons

    def _number_columns(self, cells: _Cells, texts: list[str]) -> list[str]:
        """The text columns of ``texts`` whose values are numbers written in another script's digits (``١٬٢٥٠٫٠٠``,
        ``１,２５０.００``: the type step keeps such a column as text when no config declares it), summed as float columns.

        A column is one when, in the first batch in which it holds a value that is not blank, some value has digits of
        another script (headwater.clean.values.other_script_digits) and every non-blank value reads as a number
        (``_text_numbers``); it then stays one for the rest of the file (its sums run across batches; a later value that
        is no number is left out of them). A column that held a value in an earlier batch without being one never
        becomes one: its sums would miss the rows before. A column named like an identifier (``invoice_id``:
        headwater.names.looks_like_identifier) is none (its numbers are no amounts). Cheap on a table without such
        digits: a column whose text is all ASCII (Arrow's ``string_is_ascii``, on the text ``_Cells`` writes once for the
        label tests too), or whose first non-blank values (``_HEAD``) are not all numbers, or that holds no such digit
        (``_OTHER_DIGIT``, RE2) is decided by that alone, once per file.
        """
        out = []
        for col in texts:
            if col in self.number_columns:
                out.append(col)
                continue
            if col in self.text_columns:
                continue
            if looks_like_identifier(col):
                self.text_columns.add(col)
                continue
            text = cells.text(col) if cells.n else None
            if text is None or text.null_count == len(text):
                continue
            head = _first_filled(text, _HEAD)
            if not head:
                continue  # blank so far
            # ASCII only; or its first values are no numbers (free text, names: decided on a few values); or no digit of
            # another script (RE2 over the column)
            if (pc.all(pc.string_is_ascii(text)).as_py() or np.isnan(_text_numbers(pd.Series(head, dtype="string"))).any()
                    or not pc.any(pc.match_substring_regex(text, _OTHER_DIGIT)).as_py()):
                self.text_columns.add(col)
                continue
            values = pd.Series(text.to_pandas(), dtype="string")  # rare: a column with another script's digits
            values = values[(values.str.strip().fillna("") != "").to_numpy(dtype=bool)]
            if other_script_digits(values).any() and not np.isnan(_text_numbers(values)).any():
                self.number_columns.add(col)
                out.append(col)
            else:
                self.text_columns.add(col)
        return out

    def text_numbers(self, df: pd.DataFrame) -> np.ndarray:
        """Bool per row of ``df``: a non-zero number in one of the text columns of numbers this step sums so far
        (``_number_columns``), read as ``_text_numbers`` reads it; all False in a file with none. For
        headwater.clean.dedup.exact: such a row is one a summary row may count, as a row with a typed number is."""
        out = np.zeros(len(df), dtype=bool)
        for col in sorted(self.number_columns):
            if col in df.columns:
                read = _text_numbers(df[col])
                out |= ~np.isnan(read) & (read != 0)
        return out

    def warnings(self) -> list[str]:
        """One line per row that summed the rows above it but was kept as data, because data rows follow it, then one per
        trailer-marked row that did not reconcile, or labelled row that did but whose label is a name (``_beside``), in
        the order met (``possible_summary_row: line N: ...``)."""
        return [*self.kept_as_data, *self.possible]

    def _summary(self, row: pd.Series, label: str, ints: list[str], floats: list[str], state: dict,
                 counts: list[int] = (), trailer: bool = False, numbers: pd.Series | None = None) -> str | None:
        """The quarantine reason when ``row`` sums its block or the whole file so far (the sums of ``state``), else None.

        ``trailer``: the row qualified by ``_trailers`` (its text cells empty, markers or ``counts``); every
        count must then equal the number of rows summed. A trailer with no number: an end marker alone
        (``EOF``) is a structural line (taken out before, ``apply``); a marker with counts only (``TRL,3,``) is a
        summary row if they match, unless the marker is one letter: ``T`` may be a value (a size, a grade), so a
        ``T`` row is a trailer only when its numbers are the column sums and they are two pieces of evidence, a
        matching record count and a sum (``T,3,60.00``) or two column sums; one alone (``T,3,``, ``T,,60.00``, a size
        ``T`` whose quantity 3 happens to be 1 + 2) stays a record with a ``possible_summary_row`` warning.
        ``numbers``: the row's numbers, its text columns of numbers read (``_scan``; default ``row``); the reason quotes
        the values as written (``amount=٥٬٣٨٠٫٠٠``).
        """
        self._match = None
        numbers = row if numbers is None else numbers  # the row's numbers: a text column of numbers read (``_scan``)
        filled = [(c, numbers[c], c in ints) for c in (*ints, *floats) if not pd.isna(numbers[c])]
        name = repr(label.strip()) if label.strip() else "(unlabelled)"
        if not filled and not counts:
            if trailer and END_MARKER.fullmatch(label):
                return (f"line {int(row[LINE])}: end marker {label.strip()!r}: a structural line that ends the file, not a record "
                        "— kept in quarantine")
            return None
        if not filled and not (trailer and TRAILER_MARKER.fullmatch(label)):
            return None  # a bare count with no marker and no amount is no evidence
        letter = len(label.strip().rstrip(".:")) == 1  # ``T``: may be a value (a size, a grade), see the docstring
        if not filled and letter:
            return None
        since = "since the previous summary row" if state["summaries"] else "above it"
        for sums, what in ((state["block"], since), (state["file"], "above it")):
            if sums.rows < MIN_ROWS or any(n != sums.rows for n in counts):
                continue
            if not filled:
                return (f"line {int(row[LINE])}: summary row {name}: record count {counts[0]} equals the {sums.rows} rows {what} "
                        "— kept in quarantine, not curated as a record")
            summed = [c for c, v, is_int in filled if v != 0 and sums.sums(c, v, is_int)]
            averaged = [c for c, v, is_int in filled if c not in summed and sums.averages(c, v, is_int)]
            if letter and len(summed) + bool(counts) < 2:
                continue  # ``S,1 / M,2 / T,3``: one sum can be chance; a ``T`` trailer shows two (a count and a sum, two sums)
            if summed and len(summed) + len(averaged) == len(filled):
                self._match = (sums, summed)
                named = ", ".join(f"{c}={row[c]}" for c in summed)
                means = f"; {', '.join(f'{c}={row[c]}' for c in averaged)} their mean" if averaged else ""
                counted = f"; record count {counts[0]}" if counts else ""
                return (
                    f"line {int(row[LINE])}: summary row {name}: {named} equal the column sums{means}{counted} "
                    f"over the {sums.rows} rows {what} — kept in quarantine, not curated as a record"
                )
        return None
