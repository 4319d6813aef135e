"""Step: NA spellings (NA, N/A, NULL, null, None, blank...) become real missing values, unless the column says they are data.

Which spellings mean "missing" (after trimming):

* the defaults (headwater.config.types.NA_SPELLINGS, and ``\\N``, the NULL of MySQL and PostgreSQL text exports:
  ``DATABASE_NULL_SPELLINGS``), matched as written: ``NULL``, ``null``, ``NaN``
  and ``None`` are missing, ``Null``, ``Nan`` and ``Nil`` are names; less ``types.not_na_values``
  (case-insensitive), plus ``types.na_values`` (case-insensitive);
* for one canonical column, also ``schema.columns.<c>.na_values``, less ``.not_na_values``.

A default word spelling is data, not missing, when it has the shape of the column's other values:

* ``NA`` is Namibia in a column of 2-letter uppercase country codes and North America among
  ``EU``, ``AS``, ``OC`` (``types.na_codes_are_data``): ASCII letters of one length and one case;
* ``None`` is a surname among ``Goldin``, ``Austin``: capitalised words (``Title Case``, letters
  only), where a title-case spelling is a word like the others.

The shape is decided on the file's decision sample (its first rows, headwater.clean.runner.DECISION_ROWS,
whatever the batch size; ``adopt``), or on the column's first batch when the step runs alone: at least two distinct other values, and 90% of
them, have it. A spelling named in ``na_values`` is always missing.

The punctuation spellings ``-``, ``--`` and ``?`` (``AMBIGUOUS``) are also a sign, a score, a
"no" or an answer, so they are missing only where the column otherwise holds numbers or dates
(``numbers_or_dates``, decided on the decision sample like the shape, or a schema type integer, number,
date, datetime): there the cell is emptied, ``<col>__raw`` keeps what was written and
``<col>__reason`` says ``na_spelling``; elsewhere the value is kept as text. Every other spelling
made missing keeps what was written in ``<col>__raw`` with the reason ``na_spelling`` too (an
empty cell wrote nothing and keeps none). A quoted empty field (``""``: PostgreSQL ``COPY ... CSV`` writes an empty
string so and NULL as an unquoted empty field; staging keeps them apart, headwater.ingest.csv_file.absent_empties) is
not a spelling: it is an empty string, kept as the value, except in a column of numbers or dates (``numbers_or_dates``
or a schema type), which cannot hold it: there it is missing, ``""`` kept in ``<col>__raw`` with the reason
``empty_string`` and counted in ``nulled`` as ``""``: rows that differ only in how they wrote "missing"
(``NA``, ``null``, blank) are not exact duplicates, since those compare ``__raw``. Either way the manifest
warns (``warnings``) and counts them (``na_ambiguous``: column -> ``nulled``/``kept`` -> spelling -> cells).

Counts for the manifest: ``nulled`` (column -> spelling, lower-cased -> cells made missing) and
``kept`` (column -> spelling as written -> cells kept as data); ``warnings`` names the word
spellings that emptied cells of a text column, and every ambiguous spelling met.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import numpy as np
import pandas as pd

from headwater.clean.steps.base import RAW_SUFFIX, StepOutput, is_value_column, keep_original
from headwater.config.schema import DATE_TYPES, NUMERIC_TYPES, ColumnSpec
from headwater.config.types import NA_SPELLINGS, TypeOptions, spelling

# The NULL of database exports: MySQL ``SELECT ... INTO OUTFILE`` and ``LOAD DATA`` write a NULL as ``\N``, as does
# PostgreSQL ``COPY`` in its text format (MySQL 8.4 Reference Manual, "LOAD DATA Statement"; PostgreSQL docs, "COPY").
# Never data in a CSV value (a two-character escape), so missing in every column, its text kept like NULL's.
DATABASE_NULL_SPELLINGS = frozenset({"\\N"})
DEFAULT_SPELLINGS = NA_SPELLINGS | DATABASE_NULL_SPELLINGS  # headwater.config.types.NA_SPELLINGS and the exports' NULL
WORD_SPELLINGS = frozenset(s for s in NA_SPELLINGS if s.isalpha())  # the defaults a code or a word can also be
TITLE_WORDS = "Title"  # the shape of a column of capitalised words (names, places)
CODE_SAMPLE = 5_000  # distinct values looked at to decide a column's code shape
CODE_MIN_VALUES = 2  # distinct other values a column needs before its shape counts as evidence
CODE_MIN_SHARE = 0.9  # share of those values that must have the shape
AMBIGUOUS = frozenset({"-", "--", "?"})  # default spellings that are also data (a sign, a score, an answer)
NA_SPELLING_REASON = "na_spelling"  # <col>__reason of a cell emptied because it was an ambiguous spelling
# <col>__reason of a quoted empty field ("", an empty string: staging keeps it apart from an unquoted empty field, which
# wrote nothing and is null; headwater.ingest.csv_file.absent_empties) made missing in a column of numbers or dates,
# which cannot hold it; its text "" kept in <col>__raw. In any other column it is the value, an empty string.
EMPTY_STRING_REASON = "empty_string"
EMPTY_STRING = '""'  # how a quoted empty field is counted in ``nulled`` (na_spellings)
# A number (sign, digits with grouping and a decimal part, an optional currency/percent/unit sign)
# or a date/time written with digits and separators: what a column of measurements or dates holds.
NUMBER_OR_DATE_RE = r"[-+(]?[$€£¥]?[0-9][0-9 .,'’:/T-]*[%)]?|[-+]?[.,][0-9]+"


def numbers_or_dates(values: pd.Series) -> bool:
    """True when at least one and CODE_MIN_SHARE of the non-empty ``values`` (trimmed) are numbers or dates (``NUMBER_OR_DATE_RE``)."""
    present = values.dropna().str.strip()
    present = present[present != ""]
    if not len(present):
        return False
    return int(present.str.fullmatch(NUMBER_OR_DATE_RE).fillna(False).sum()) >= CODE_MIN_SHARE * len(present)


def code_shape(values: pd.Series) -> str | None:
    """``[A-Z]{2}`` when at least CODE_MIN_VALUES and CODE_MIN_SHARE of the distinct ``values`` are ASCII
    letters of one length and one case (``EU``, ``AS``, ``OC``), else None."""
    distinct = values.dropna().str.strip().drop_duplicates().iloc[:CODE_SAMPLE]
    distinct = distinct[distinct != ""]
    if len(distinct) < CODE_MIN_VALUES:
        return None
    best: tuple[int, str] | None = None
    for letters in ("[A-Z]", "[a-z]"):
        lengths = distinct[distinct.str.fullmatch(f"{letters}+").fillna(False).to_numpy(dtype=bool)].str.len()
        if len(lengths):
            length, count = int(lengths.value_counts().index[0]), int(lengths.value_counts().iloc[0])
            if count >= CODE_MIN_VALUES and count >= CODE_MIN_SHARE * len(distinct) and (best is None or count > best[0]):
                best = (count, f"{letters}{{{length}}}")
    return best[1] if best else None


def title_words(values: pd.Series) -> bool:
    """True when at least CODE_MIN_VALUES and CODE_MIN_SHARE of the distinct ``values`` are capitalised words
    (``Goldin``, ``New York``, ``O'Brien``: letters, each word Title Case)."""
    distinct = values.dropna().str.strip().drop_duplicates().iloc[:CODE_SAMPLE]
    distinct = distinct[distinct != ""]
    if len(distinct) < CODE_MIN_VALUES:
        return False
    words = distinct.str.fullmatch(r"[^\W\d_]+(?:[ '’.-][^\W\d_]+)*").fillna(False).to_numpy(dtype=bool)
    titled = np.fromiter((v.istitle() for v in distinct.tolist()), dtype=bool, count=len(distinct))
    return int((words & titled).sum()) >= CODE_MIN_SHARE * len(distinct)


def _fullmatch_where(written: pd.Series, pattern: str, where: np.ndarray) -> np.ndarray:
    """Bool per value: ``where`` is true and the value fully matches ``pattern`` (only those values are matched)."""
    out = np.zeros(len(written), dtype=bool)
    at = np.flatnonzero(where)
    if len(at):
        out[at] = written.iloc[at].str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    return out


class NullSpellings:
    """Turn NA spellings (NA, N/A, null, none, blank) into real missing values; a spelling that is a column's code stays,
    and ``-``/``--``/``?`` are missing only in a column of numbers or dates (their text kept in ``__raw``)."""

    name = "null_spellings"

    def __init__(self, options: TypeOptions | None = None, columns: Mapping[str, ColumnSpec] | None = None) -> None:
        options = options or TypeOptions()
        self.removed = frozenset(spelling(s) for s in options.not_na_values)
        self.explicit = frozenset(spelling(s) for s in options.na_values) - self.removed
        self.codes_are_data = options.na_codes_are_data
        self.columns = dict(columns or {})
        self.shapes: dict[str, str | None] = {}  # column -> its code shape or TITLE_WORDS, decided on its first batch
        self.nulled: dict[str, Counter[str]] = {}  # column -> spelling -> cells made missing
        self.kept: dict[str, Counter[str]] = {}  # column -> spelling as written -> cells kept as data
        self.defaulted: dict[str, Counter[str]] = {}  # column -> default word spelling as written -> cells made missing
        self.numeric: dict[str, bool] = {}  # column -> holds numbers or dates (ambiguous spellings are missing there)
        self.ambiguous: dict[str, dict[str, Counter[str]]] = {}  # column -> nulled|kept -> ambiguous spelling -> cells

    def adopt(self, twin: NullSpellings, last_line: int) -> None:
        """Take the column decisions (code shape, numbers or dates) ``twin`` made on the file's decision sample
        (headwater.clean.runner); ``last_line``, the sample's last line, is not needed here: a later ``-`` in a
        column of numbers is emptied with its text kept, elsewhere kept as text, as in the sample."""
        self.shapes = dict(twin.shapes)
        self.numeric = dict(twin.numeric)

    def column_spellings(self, col: str) -> tuple[frozenset[str], frozenset[str]]:
        """(default spellings that are missing in ``col``, matched as written; spellings named in na_values, lower-cased).

        A default is removed when ``not_na_values`` names it in any case.
        """
        spec = self.columns.get(col)
        removed, explicit = self.removed, self.explicit
        if spec is not None:
            removed = removed | {spelling(s) for s in spec.not_na_values}
            explicit = (explicit | {spelling(s) for s in spec.na_values}) - removed
        return frozenset(s for s in DEFAULT_SPELLINGS if spelling(s) not in removed), explicit

    def apply(self, df: pd.DataFrame) -> StepOutput:
        out = df.copy()
        for col in [c for c in df.columns if is_value_column(c)]:
            s = out[col].astype("string")
            defaults, explicit = self.column_spellings(col)
            written = s.str.strip()
            # pandas 3 string dtype keeps NA as NA: compare only present values.
            if explicit:
                named = written.str.lower().isin(explicit).fillna(False).to_numpy(dtype=bool, copy=True)
            else:
                named = np.zeros(len(written), dtype=bool)
            # a quoted empty field (exactly "" as read: an unquoted one is null in staging) is an empty string, not a spelling;
            # a value an earlier step emptied (spaces tidied to "", their text in __raw, reason blank) is not one
            quoted_empty = (s == "").fillna(False).to_numpy(dtype=bool)
            absent = int(s.isna().sum())  # empty unquoted fields (nothing written): counted as the blank spelling ""
            if absent:
                self.nulled.setdefault(col, Counter()).update({"": absent})
            if quoted_empty.any() and col + RAW_SUFFIX in out.columns:
                quoted_empty &= out[col + RAW_SUFFIX].isna().to_numpy(dtype=bool)
            mask = (named | written.isin(defaults).fillna(False).to_numpy(dtype=bool)) & ~quoted_empty
            if col not in self.shapes:
                others = written[~mask]
                code = code_shape(others) if self.codes_are_data else None
                self.shapes[col] = code or (TITLE_WORDS if title_words(others) else None)
                spec = self.columns.get(col)
                declared = spec.type if spec is not None else None
                self.numeric[col] = declared in NUMERIC_TYPES + DATE_TYPES or (declared is None and numbers_or_dates(others))
            shape = self.shapes[col]
            guessed = frozenset(d for d in defaults & WORD_SPELLINGS if spelling(d) not in explicit)
            if shape == TITLE_WORDS:
                guessed = frozenset(d for d in guessed if d.istitle())
                shape = r"[^\W\d_]+"
            if shape and guessed:
                data = mask & ~named & written.isin(guessed).fillna(False).to_numpy(dtype=bool)
                data &= _fullmatch_where(written, shape, data)
                if data.any():
                    self.kept.setdefault(col, Counter()).update(written[data].value_counts().to_dict())
                    mask &= ~data
            ambiguous = mask & ~named & written.isin(defaults & AMBIGUOUS).fillna(False).to_numpy(dtype=bool)
            if ambiguous.any():
                fate = "nulled" if self.numeric[col] else "kept"
                self.ambiguous.setdefault(col, {}).setdefault(fate, Counter()).update(written[ambiguous].value_counts().to_dict())
                if fate == "kept":
                    self.kept.setdefault(col, Counter()).update(written[ambiguous].value_counts().to_dict())
                    mask &= ~ambiguous
                else:
                    keep_original(out, col, ambiguous, out[col], NA_SPELLING_REASON)
            if quoted_empty.any() and self.numeric[col]:
                # a number or date column cannot hold an empty string: missing, with what was written and why
                keep_original(out, col, quoted_empty, s, EMPTY_STRING_REASON)
                self.nulled.setdefault(col, Counter()).update({EMPTY_STRING: int(quoted_empty.sum())})
                mask |= quoted_empty
                s = s.mask(quoted_empty)
            if mask.any():
                self.nulled.setdefault(col, Counter()).update(written[mask & ~quoted_empty].str.lower().value_counts().to_dict())
                # ``NA``, ``null``, ``N/A`` were written: kept, so that rows differing only in the spelling stay apart
                # (exact duplicates compare __raw texts) and ``NA`` as Namibia can still be read; an empty cell wrote nothing
                spelled = mask & ~ambiguous & ~quoted_empty & (written != "").fillna(False).to_numpy(dtype=bool)
                keep_original(out, col, spelled, s, NA_SPELLING_REASON)
                words = mask & ~named
                words &= _fullmatch_where(written, r"[A-Za-z]+", words)
                if words.any():
                    self.defaulted.setdefault(col, Counter()).update(written[words].value_counts().to_dict())
                out[col] = s.mask(mask)
            else:
                out[col] = s
        return StepOutput(out)

    def warnings(self, types: Mapping[str, str]) -> list[str]:
        """One line per text column (``types``: column -> its type) where default word spellings (``null``, ``None``) emptied cells.

        Spellings named in ``na_values`` are not warned about. E.g. ``last_name: 2 cells written
        None, null made missing (a text column) — list them in types.not_na_values if they are data``.
        """
        lines = []
        for col, fates in self.ambiguous.items():
            for fate, seen in fates.items():
                cells = f"{sum(seen.values())} cell(s) written {', '.join(sorted(seen))}"
                if fate == "nulled":
                    lines.append(
                        f"{col}: {cells} made missing (the column holds numbers or dates; the text kept in {col}__raw, reason "
                        f"{NA_SPELLING_REASON}) — list them in types.not_na_values if they are data"
                    )
                else:
                    lines.append(
                        f"{col}: {cells} kept as text (a sign, score or answer in a column that is not numbers or dates) — "
                        "list them in types.na_values if they mean missing"
                    )
        for col, words in self.defaulted.items():
            if types.get(col, "string") in ("string", "text"):
                lines.append(
                    f"{col}: {sum(words.values())} cells written {', '.join(sorted(words))} made missing (a text column) — "
                    "list them in types.not_na_values if they are data"
                )
        return lines

    def summary(self) -> dict[str, dict[str, dict[str, int]]]:
        """The manifest's ``na_spellings`` (column -> spelling -> cells made missing), ``na_kept_as_data``
        (column -> spelling as written -> cells kept) and ``na_ambiguous`` (column -> ``nulled``/``kept`` ->
        ``-``/``--``/``?`` -> cells), spellings sorted, columns in table order."""
        return {
            "na_spellings": {c: dict(sorted(n.items())) for c, n in self.nulled.items()},
            "na_kept_as_data": {c: dict(sorted(n.items())) for c, n in self.kept.items()},
            "na_ambiguous": {c: {f: dict(sorted(n.items())) for f, n in sorted(fates.items())} for c, fates in self.ambiguous.items()},
        }
