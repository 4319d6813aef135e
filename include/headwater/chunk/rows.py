"""Row documents: each curated row of a table written as one text document (options: headwater.config.rows).

A row document is a row of the chunk table like any chunk (same columns, deterministic id,
source file, row id and line), with column ``ROW_COLUMN`` and strategy ``ROW_STRATEGY``, so the
embed stage, the vector store, ``headwater search`` and the fine-tune export take it as they take
chunks. Its text is, by default, one ``Label: value`` line per shown column that has a value::

    Business name: Golden Wok
    Inspection date: 12 March 2024
    Score: 92 points
    Passed: yes

Labels and values are written for reading (headwater.chunk.readable, the only ways a value may
read differently from the curated table); a value's line breaks are folded (``folded``: each
further line indented), so every unindented line is a field; an imputed value is followed by ``(imputed)``; empty
values are left out, and a row with nothing to show gets no document; a value a type step could not
read shows its text as written, and a float whose written digits a double cannot keep shows them
(``shown_value``). With ``text_chunks: N``
the first N chunks of each free-text column follow, one ``Label: chunk`` line each: the same
chunks the chunk stage made, from the same fitted chunkers. A ``template`` replaces the lines:
Jinja2 in a sandbox (``jinja2.sandbox.SandboxedEnvironment``) with ``StrictUndefined``, so a name
that is neither a column nor a template variable fails on the first row, naming file and line.
Source: https://jinja.palletsprojects.com/en/3.1.x/sandbox/

Shown by default: every value column (not bookkeeping, not ``<col>__raw``/``__imputed``) but the
free-text columns (they are chunked) and the identifiers: a column the schema declares is an
identifier when it says ``identifier: true``; any other column when its name says so
(``customer_id``, ``sku``: headwater.names.looks_like_identifier).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from tokenizers import Tokenizer

from headwater.chunk.readable import column_label, format_value, python_value, with_unit
from headwater.chunk.strategies import Chunker
from headwater.chunk.table import Record, TableSource, has_words
from headwater.chunk.windows import chunk_record
from headwater.clean.steps.base import IMPUTED_SUFFIX, LINE, RAW_SUFFIX, REASON_SUFFIX, ROW_ID, SOURCE, is_value_column
from headwater.config.rows import ROW_COLUMN, ROW_STRATEGY, SECTION, TEMPLATE_VARIABLES, RowDocumentOptions, template_names
from headwater.config.schema import ColumnSpec
from headwater.names import looks_like_identifier

IMPUTED_MARK = " (imputed)"
FEW_FIELDS = 1  # row documents showing this many fields or fewer, because the identifier columns are left out, are warned about


def is_identifier(column: str, declared: dict[str, ColumnSpec]) -> bool:
    """A declared column's ``identifier`` flag; for any other column, whether its name says identifier."""
    spec = declared.get(column)
    return spec.identifier if spec is not None else looks_like_identifier(column)


@dataclass
class RowPlan:
    """What the row documents of one table show."""

    columns: list[str]  # value columns shown as ``Label: value`` lines, in order (a template may read others)
    context: list[str]  # free-text columns whose first ``text_chunks`` chunks are added
    reason: str  # why the table has row documents (for the manifest)
    warnings: list[str] = field(default_factory=list)
    # ``auto`` in a table with free text: only the rows whose free-text columns (these) are all empty or without words
    # (``has_words``) get a document; the others are found through their chunks (empty: every row gets one)
    textless_only: list[str] = field(default_factory=list)
    # the free-text columns whose values without words (``.``, ``👍``, ``[EMAIL]``) a document shows as ``Label: value``
    # lines, since they get no chunk (headwater.chunk.table.chunk_source ``rows_mode``)
    wordless: list[str] = field(default_factory=list)


def plan_rows(
    options: RowDocumentOptions, table_columns: list[str], text_columns: Iterable[str], declared: dict[str, ColumnSpec] | None = None
) -> RowPlan | None:
    """The plan of a table's row documents, or None when it gets none (``mode: off``).

    ``table_columns``: every column of the curated table, in order; ``text_columns``: those the
    chunk stage chunks; ``declared``: the schema's columns by name. Listed columns the table
    lacks are left out with a warning, and so is a default plan left with ``FEW_FIELDS`` field or fewer
    because the identifier columns are left out (the ids are what a search for a row names).

    ``auto`` gives a table with no free-text column a document per row; a table with one, a document per row whose
    free-text columns are all empty or hold no words (``RowPlan.textless_only``; ``has_words``: ``.``, ``-``, ``👍``,
    ``[EMAIL]``): those rows have no chunk, and without a document they would never reach the vector store (breaker9
    #15: ``notes`` filled in 2 of 10 customers hid the other 8; breaker10 F13: a note ``.`` hid its row the same way).
    The rows with text keep their chunks only, as before; a template's ``chunks`` has each text column, with no chunk
    (the rows documented have none). Under ``auto`` and ``on`` a documented row's free-text values without words
    (``RowPlan.wordless``) are not chunked: its document shows them, one ``Label: value`` line each, after its fields.
    """
    text = [c for c in table_columns if c in set(text_columns)]
    if options.mode == "off":
        return None
    textless_only = text if options.mode == "auto" else []
    declared = declared or {}
    values = [c for c in table_columns if is_value_column(c)]
    warnings = []
    if options.columns is None:
        shown = [c for c in values if c not in text and not is_identifier(c, declared)]
    else:
        missing = [c for c in options.columns if c not in values]
        warnings += [f"{SECTION}.columns.{c}: no such column in this file — not shown" for c in missing]
        shown = [c for c in options.columns if c in values]
    shown = [c for c in shown if c not in options.exclude]
    context = text if options.text_chunks else []
    ids = [c for c in values if c not in text and c not in options.exclude and is_identifier(c, declared)]
    if options.columns is None and options.template is None and ids and len(shown) + len(context) <= FEW_FIELDS:
        # breaker5 #18: an orders table's documents read "Status: shipped" only; no search finds order 1001
        what = f"only {', '.join(repr(c) for c in [*shown, *context])}" if shown or context else "no field"
        warnings.append(
            f"{SECTION}: the row documents show {what}: every identifier column ({', '.join(ids)}) is left out of them "
            f"by default — a search for an id cannot find its row; add the columns to show with {SECTION}.columns"
        )
    reason = "mode: on" if options.mode == "on" else AUTO_TEXTLESS if textless_only else "auto: no free-text column"
    return RowPlan(shown, context, reason, warnings, textless_only, text)


# RowPlan.reason of a table with free text under auto ("empty": missing, blank, or holding no words: ``has_words``)
AUTO_TEXTLESS = "auto: rows whose free-text columns are empty"


@dataclass
class RowDocument:
    text: str
    columns: list[str]  # the columns whose values (or chunks) the text shows


class RowWriter:
    """Writes one row's document from its values (see the module docstring for the format).

    Raises ValueError when the options' template does not parse (it was checked when the config
    loaded) and, from ``document``, when rendering fails: ``<where>: rows.template: <problem>``.
    """

    def __init__(self, plan: RowPlan, options: RowDocumentOptions, units: dict[str, str], table: str, value_columns: list[str]) -> None:
        self.plan = plan
        self.options = options
        self.units = units
        self.table = table
        self.value_columns = value_columns
        self.template = None
        self.template_columns: list[str] = []
        if options.template is not None:
            from jinja2 import StrictUndefined
            from jinja2.sandbox import SandboxedEnvironment

            env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
            self.template = env.from_string(options.template)
            names = template_names(options.template)
            self.template_columns = [c for c in value_columns if c in names]

    def label(self, column: str) -> str:
        return self.options.labels.get(column) or column_label(column)

    def document(
        self, values: dict[str, Any], chunks: dict[str, list[str]], source_file: str, line: int, wordless: dict[str, str] | None = None
    ) -> RowDocument | None:
        """The document of one row: ``values`` column -> curated value (value columns and their
        ``__imputed`` flags), ``chunks`` context column -> its first chunk texts, ``wordless`` free-text column -> its
        value without words (``has_words``: not chunked, shown here). None when it would be blank."""
        shown = {}
        for column in self.value_columns:
            text = shown_value(values.get(column), values.get(column + RAW_SUFFIX), values.get(column + REASON_SUFFIX), self.units.get(column, ""))
            if text is not None:
                shown[column] = text
        fields = []
        for column in self.plan.columns:
            if column in shown:
                imputed = python_value(values.get(column + IMPUTED_SUFFIX)) is True
                fields.append((column, self.label(column), shown[column] + (IMPUTED_MARK if imputed else "")))
        wordless = wordless or {}
        context = [
            (column, self.label(column), text)
            for column in dict.fromkeys([*self.plan.wordless, *self.plan.context])
            for text in ([wordless[column]] if column in wordless else chunks.get(column, []))
        ]
        if self.template is None:
            text = "\n".join(f"{label}: {folded(value)}" for _, label, value in [*fields, *context])
            columns = list(dict.fromkeys(c for c, _, _ in [*fields, *context]))
        else:
            text = self._render(shown, fields, chunks, source_file, line)
            columns = [*(c for c in self.template_columns if c in shown), *(c for c in self.plan.context if chunks.get(c))]
        return RowDocument(text, columns) if text.strip() else None

    def _render(self, shown: dict[str, str], fields: list[tuple[str, str, str]], chunks: dict[str, list[str]], source_file: str, line: int) -> str:
        from jinja2 import TemplateError

        variables = {c: shown.get(c, "") for c in self.value_columns if c not in TEMPLATE_VARIABLES}
        variables.update(
            fields=[{"column": c, "label": label, "value": value} for c, label, value in fields],
            chunks={c: chunks.get(c, []) for c in self.plan.context},
            table=self.table, source_file=source_file, line=line,
        )
        try:
            return self.template.render(**variables)  # type: ignore[union-attr]
        except TemplateError as exc:
            raise ValueError(f"{source_file} line {line}: {SECTION}.template: {exc.message or exc} — fix the template in the source config") from None


FOLD_INDENT = "  "  # what starts every continuation line of a value in a row document


def folded(value: str) -> str:
    """``value`` for one ``Label: value`` field of a row document: each line break in it (``str.splitlines``:
    ``\\n``, ``\\r\\n``, ``\\r``, U+2028, ...) is a ``\\n`` followed by ``FOLD_INDENT``, so the document's
    only unindented lines are its fields, and a value holding ``\\nFee: 0`` cannot pass for a field of its
    own (breaker4 #4). The folding of long header fields in RFC 5322 §2.2.3 (a line break followed by
    whitespace continues the field above); the words and their order are unchanged."""
    lines = value.splitlines()
    return value if len(lines) <= 1 and not value.endswith(("\n", "\r")) else ("\n" + FOLD_INDENT).join(lines)


def shown_value(value: Any, raw: Any = None, reason: Any = None, unit: str = "") -> str | None:
    """A row document's text for one cell: the curated value for reading (``format_value``), except where
    reading it would hide or change what was written, and the text as written (``<col>__raw``) is shown:

    * the value is missing while ``<col>__raw`` holds text, whatever the reason (``not_a_number``: ``abc``, ``1/2``;
      ``not_an_integer``: ``12%``, ``0x1F``, a 20-digit number; ``invalid_calendar_date``: ``2024-02-30``;
      ``not_a_boolean``: ``maybe``; a time in a DST gap, ``100.00 CR``, ``1٢3``, a weekday that is not the date's;
      a currency or ``%`` that is not the column's declared unit; none kept): ``2024-02-30 (as written, not read)``
      — never left out like an empty value (breaker9 #8). Left out only where the text was read as "missing"
      (``READ_AS_MISSING``: an NA spelling, ``""``, whitespace) or where only text tidying emptied it (``TIDIED``:
      ``normalized: html`` of a value that was markup only, ``<br>``; not where HTML to text lost words no markup
      held, ``html_text_dropped``: breaker11 H1, or a tag never closed, ``html_unclosed_tag``: html16);
    * a float whose written number has more than 15 significant digits (``DBL_DIG``, IEEE 754
      binary64: past it a double does not keep every digit): ``123456789012345678``, not the double's
      ``123456789012345680``;
    * a value read, but stored in a form that hides what was written (``SHOWN_AS_WRITTEN``): a ``%`` value stored as
      a fraction (``percent_stored_as_fraction``): ``10%``, not ``0.1`` (or, with a declared unit ``%``, ``0.1%``);
      an amount whose currency the column's schema does not declare (``currency_stored_as_amount``): ``€12.50``
      (or ``12.50 EUR``) as written, not ``12.5``; a number written with leading zeros (``leading_zeros``): ``007``,
      not ``7`` (a code's zeros are part of it); a date in a date-time column (``date_only``, ``start_of_day``):
      ``2024-03-05``, not a midnight nobody wrote (in UTC, possibly the day before).

    Returns None when nothing is to be shown (missing, no text kept).
    """
    written = python_value(raw)
    written = str(written) if written is not None and str(written).strip() else None
    current = python_value(value)
    why = python_value(reason)
    parts = [] if why is None else str(why).split("; ")
    if current is None and written is not None:
        if set(parts) & READ_AS_MISSING or (parts and all(p.startswith(TIDIED) and not any(k in p for k in HTML_LOST) for p in parts)):
            return None  # the text says "missing" (NA, ""), or tidying left nothing (markup only)
        return f"{written.strip()} (as written, not read)"  # the text, less the spaces around it
    if isinstance(current, float) and written is not None and significant_digits(written) > DBL_DIG:
        return with_unit(written.strip(), unit)
    if current is not None and written is not None and set(parts) & SHOWN_AS_WRITTEN:
        # 10% stored as 0.1, €12.50 stored as 12.5 (breaker4 #2, #3), 007 stored as 7 (breaker9 #8): the text as written
        return written.strip() if set(parts) & {PERCENT_SCALED, CURRENCY_STORED} else with_unit(written.strip(), unit)
    return format_value(value, unit)


PERCENT_SCALED = "percent_stored_as_fraction"  # a % value stored as a fraction (headwater.clean.steps.coerce_types)
CURRENCY_STORED = "currency_stored_as_amount"  # an amount stored without the currency it was written with (coerce_types)
# reasons of a value read and stored, whose reading would hide what was written: shown as written (a % or a currency
# sign, a code's leading zeros, a date shown as a midnight; headwater.clean.values.REASONED, headwater.clean.failures).
# Every other reason of a value read shows the value read: the same number or date written otherwise (parentheses,
# trailing_minus, unicode_minus, exponent, other_script_digits, other_script_separator, decimal marks, day_order,
# two_digit_year, time_dropped, zone_dropped, sub_microsecond_digits, excel_text_formula: the text inside =\"...\").
SHOWN_AS_WRITTEN = frozenset({PERCENT_SCALED, CURRENCY_STORED, "leading_zeros", "date_only", "start_of_day"})
# reasons of a missing value whose text means "missing": an NA spelling, a quoted empty string, whitespace only
# (headwater.clean.steps.null_spellings NA_SPELLING_REASON, EMPTY_STRING_REASON; normalize_text BLANK_REASON)
READ_AS_MISSING = frozenset({"na_spelling", "empty_string", "blank"})
# the reasons of text tidying (headwater.clean.steps.normalize_text): a value they alone emptied held no text to read
TIDIED = ("normalized: ", "masked: ")
# the kinds of a tidying that lost words outside any element's markup (headwater.clean.text.html_text), or a tag never
# closed that may have been a placeholder (``<p><dir></p>``: html_text_changes; html16): not "nothing to read"
HTML_LOST = ("html_text_dropped", "html_unclosed_tag")
DBL_DIG = 15  # decimal digits a binary64 double always keeps (C's DBL_DIG, IEEE 754)


def significant_digits(text: str) -> int:
    """Significant digits of a written number (``"00123.4500"`` -> 6, ``"1.2e5"`` -> 2); 0 for text that is not one."""
    mantissa = text.strip().lstrip("+-").split("e")[0].split("E")[0].replace("_", "").replace(",", "").replace(".", "")
    return len(mantissa.lstrip("0")) if mantissa.isdigit() else 0


@dataclass
class RowSummary:
    documents: int = 0  # row documents written
    blank: int = 0  # rows with nothing to show: no document
    with_text: int = 0  # rows left to their chunks (``RowPlan.textless_only``: a free-text value with words): no document

    @property
    def rows(self) -> int:
        """Every row read: ``documents + blank + with_text``."""
        return self.documents + self.blank + self.with_text
    over_limit: int = 0  # documents longer than ``max_tokens``


def write_row_documents(
    source: TableSource,
    write: Callable[[list[Record]], None],
    writer: RowWriter,
    chunkers: dict[str, Chunker],
    tokenizer: Tokenizer | None = None,
    max_tokens: int | None = None,
    source_name: str | None = None,
) -> RowSummary:
    """Hand the row documents of ``source`` to ``write``, one batch at a time, rows in table order.

    ``chunkers``: the fitted chunker of each context column (``ChunkSummary.chunkers``), so a
    document's chunks are the chunk table's. ``tokenizer`` and ``max_tokens`` (the model's window)
    count the documents the model would truncate; every row carries ``source_name``. Rows are documents, ``blank``
    (nothing to show) or ``with_text`` (``plan.textless_only``), so their counts add up to the table's rows. Reads the
    source once. Raises ValueError as ``RowWriter.document``.
    """
    summary = RowSummary()
    plan = writer.plan
    values = list(dict.fromkeys([*writer.value_columns, *plan.context, *plan.textless_only, *plan.wordless]))
    flags = [c + suffix for c in plan.columns for suffix in (IMPUTED_SUFFIX, RAW_SUFFIX, REASON_SUFFIX) if c + suffix in source.columns]
    for batch in source.batches([SOURCE, ROW_ID, LINE, *values, *flags]):
        contexts: dict[str, list[list[str]]] = {}
        for column in plan.context:
            texts = ["" if pd.isna(v) else str(v) for v in batch[column]]
            # under textless_only the rows with text get no document: nothing of theirs to chunk; a value without words is
            # shown as it is (``wordless``), not chunked
            present = [i for i, t in enumerate(texts) if t.strip() and has_words(t)] if not plan.textless_only else []
            spans = chunkers[column].chunk_values([texts[i] for i in present]) if present else []
            per_row: list[list[str]] = [[] for _ in texts]
            for i, value_spans in zip(present, spans):
                per_row[i] = [texts[i][a:b] for a, b, _, _ in value_spans[: writer.options.text_chunks]]
            contexts[column] = per_row
        rows = []
        for i, record in enumerate(batch[[SOURCE, ROW_ID, LINE, *values, *flags]].to_dict("records")):
            source_file, row_id, line = record[SOURCE], record[ROW_ID], int(record[LINE])
            if any(not pd.isna(record[c]) and has_words(str(record[c])) for c in plan.textless_only):
                summary.with_text += 1  # found through its chunks (or counted in values_without_chunks)
                continue
            chunks = {c: contexts[c][i] for c in plan.context}
            wordless = {c: str(record[c]) for c in plan.wordless if not pd.isna(record[c]) and str(record[c]).strip() and not has_words(str(record[c]))}
            doc = writer.document(record, chunks, source_file, line, wordless)
            if doc is None:
                summary.blank += 1
                continue
            if tokenizer is not None and max_tokens is not None and len(tokenizer.encode(doc.text).ids) > max_tokens:
                summary.over_limit += 1
            rows.append(chunk_record(source_file, row_id, line, ROW_COLUMN, 0, 0, len(doc.text), doc.text, ROW_STRATEGY, columns=doc.columns, source_name=source_name))
        if rows:
            write(rows)
            summary.documents += len(rows)
    return summary
