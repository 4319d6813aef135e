"""The bottom of the cleaning pipeline: the bookkeeping columns, and what a step is.

A step returns the rows it keeps and the rows it rejects *with a reason*; rejected rows go
to quarantine (or to the duplicates record), never to /dev/null, so that
``rows_read == curated + duplicates + quarantined`` holds for every file. Steps import this
module and never the runner (headwater.clean.runner) nor the composer (headwater.clean.pipeline).
Pattern: datatrove's ``PipelineStep``/``BaseFilter`` (https://github.com/huggingface/datatrove).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Bookkeeping columns carried next to the data; they start with "_" so data columns never clash.
LINE = "_line"  # physical line of the record in the landing file (its first line)
ROW_ID = "_row_id"  # hash of schema version, source and normalized content
SOURCE = "_source"  # landing-relative path: <date>/<file name>
REASON = "_reason"  # why a row was quarantined
STRUCTURAL = "_structural"  # the kind of a structural line a step found among the records (StepOutput.structural)
DUPLICATE_OF = "_duplicate_of"  # row id of the record a duplicate matched best
CLUSTER_ID = "_cluster_id"  # row id of the duplicate cluster's representative (the kept record)
SIMILARITY = "_similarity"  # the match's score in [0, 1]: 1.0 exact, Jaccard estimate (near text), match probability (linkage)
DEDUP_JOB = "_dedup_job"  # which job merged the row: exact | near_text | linkage (cross-file: the same, found by the date's link step)
MATCH_WEIGHT = "_match_weight"  # record linkage: the Fellegi-Sunter match weight in bits (missing for the other jobs)
EVIDENCE = "_evidence"  # why: per-field comparison levels and weights (linkage), the Jaccard estimate (near text)
AGREED = "_agreed"  # the columns both rows fill in with the same (or, for linkage fields, a close) value, comma-separated
# A keyed digest (BLAKE2b, headwater.clean.steps.normalize_text) of the values a mask hid in a row, "col=hex; ...": it
# tells two masked rows apart, or together, without keeping the original. Transient: never written to any output.
MASKED_DIGEST = "_masked_digest"
DEDUP_COLUMNS = (DUPLICATE_OF, CLUSTER_ID, SIMILARITY, DEDUP_JOB, MATCH_WEIGHT, EVIDENCE, AGREED)

# Derived columns next to a data column: the text a value was written as when the value differs
# from it (<col>__raw), why it differs when a step says so (<col>__reason: e.g. "normalized:
# whitespace", "masked: emails", "na_spelling"), and whether a missing value was imputed (<col>__imputed).
RAW_SUFFIX = "__raw"
REASON_SUFFIX = "__reason"
IMPUTED_SUFFIX = "__imputed"
DERIVED_SUFFIXES = (RAW_SUFFIX, REASON_SUFFIX, IMPUTED_SUFFIX)
# Changes that alter how a value is encoded or padded, never what it says: NFC recomposition (the
# same characters, canonically equivalent: Unicode UAX #15), the line-ending convention of the
# exporting system (CRLF, CR), padding around a value (fixed-width and CHAR(n) exports, a space
# after the delimiter), and invisible format characters left by copy-paste (zero-width space, BOM,
# soft hyphen, bidi marks: Default_Ignorable_Code_Point, which NFKC_Casefold maps to nothing;
# headwater.invisible). Two rows that differ only by these are still exact duplicates; a change
# inside a value ('AB  12' vs 'AB 12') is not one.
ARTEFACT_KINDS = frozenset({"nfc", "line_breaks", "trim", "invisible_characters"})
_ARTEFACT = "(?:" + "|".join(sorted(ARTEFACT_KINDS)) + ")"
ARTEFACT_ONLY_RE = "^normalized: " + _ARTEFACT + "(?:, " + _ARTEFACT + ")*$"  # a <col>__reason naming artefacts only


def data_columns(df: pd.DataFrame) -> list[str]:
    """Every column but the bookkeeping ones (derived ``<col>__raw``/``__imputed`` columns included)."""
    return [c for c in df.columns if not c.startswith("_")]


def is_value_column(name: str) -> bool:
    """A column of the source's values: not bookkeeping and not derived (``<col>__raw``, ``<col>__imputed``)."""
    return not name.startswith("_") and not name.endswith(DERIVED_SUFFIXES)


def keep_original(
    out: pd.DataFrame, col: str, where: np.ndarray, original: pd.Series | None, reason: np.ndarray | str | None = None
) -> None:
    """Record, in ``out`` in place, that the values of ``col`` at ``where`` (bool per row) differ from what was written.

    ``original`` (the column as this step received it, same index) goes into ``<col>__raw`` at
    ``where``, except where a value is kept there already (an earlier step's: closer to what was
    written); None keeps no text (a masked value must not keep what it masked). ``reason`` (one
    string, or one per row) is appended to ``<col>__reason`` at ``where`` ("; " between steps).
    Each derived column is created after ``col`` (``__raw`` first) the first time it is needed.
    """
    where = np.asarray(where, dtype=bool)
    if not where.any():
        return
    if original is not None:
        name = col + RAW_SUFFIX
        kept = original.astype("string").where(where)
        if name in out.columns:
            out[name] = out[name].astype("string").fillna(kept)
        else:
            out.insert(out.columns.get_loc(col) + 1, name, kept)
    if reason is not None:
        name = col + REASON_SUFFIX
        new = pd.Series(np.where(where, reason, None), index=out.index, dtype="string")
        if name in out.columns:
            old = out[name].astype("string")
            both = old.notna() & new.notna()
            if both.any():  # a reason the row has already (two steps saying the same thing) is not repeated
                said = pd.Series([n in o.split("; ") for o, n in zip(old[both].tolist(), new[both].tolist())], index=old.index[both.to_numpy()], dtype=bool)
                both = both & ~said.reindex(old.index, fill_value=False)
            out[name] = old.fillna(new).mask(both, old + "; " + new)
        else:
            at = out.columns.get_loc(col) + 1 + int(col + RAW_SUFFIX in out.columns)
            out.insert(at, name, new)


# The reason kept with an identifier written in Excel's scientific notation (``1.23457E+11``: digits lost before the
# file reached us; headwater.clean.steps.coerce_types): kept as written, never taken for one id with another.
EXCEL_MANGLED = "excel_scientific_notation"


MASKED_REASON = "masked:"  # how normalize_text's reason starts when it hid a URL, e-mail address or phone number


def masked_rows(df: pd.DataFrame) -> np.ndarray:
    """Bool per row: some ``<col>__reason`` says a value was masked (``masked: emails``...).

    Such a row's original is gone (no ``__raw`` keeps what a mask hides), so two of them that read
    alike may be two records (``mail [EMAIL]`` for two addresses): exact duplicates and row ids tell
    them apart by the keyed digest of what was hidden (``MASKED_DIGEST``) when the step had a key, else
    by file and line (headwater.clean.dedup.exact, headwater.clean.frame); near-duplicate verification
    treats them as unique.
    """
    reasons = [c for c in df.columns if c.endswith(REASON_SUFFIX)]
    if not reasons:
        return np.zeros(len(df), dtype=bool)
    return reason_flags(df, reasons, lambda text: text.startswith(MASKED_REASON)).any(axis=0)


# A <col>__reason saying a missing value was written as something other than the empty string: an NA
# spelling (``NA``, ``null``, ``-`` in a column of numbers: headwater.clean.steps.null_spellings) or
# whitespace only (``blank``: headwater.clean.steps.normalize_text), last in the reason (a trim may come first).
MISSING_SPELLING_RE = r"(?:^|.*; )(?:na_spelling|blank)"


def spelled_missing(df: pd.DataFrame, col: str) -> np.ndarray:
    """Bool per row: the value of ``col`` is missing and ``<col>__reason`` says how it was written
    (``MISSING_SPELLING_RE``; the text is in ``<col>__raw``). All false when the reason column is absent."""
    reason = df.get(col + REASON_SUFFIX)
    if reason is None or col not in df.columns:
        return np.zeros(len(df), dtype=bool)
    written = reason.astype("string").str.fullmatch(MISSING_SPELLING_RE).fillna(False).to_numpy(dtype=bool)
    return df[col].isna().to_numpy(dtype=bool) & written


def content_raw(df: pd.DataFrame, raw_col: str) -> pd.Series:
    """The values of ``raw_col`` (a ``<col>__raw``) that are content: null where ``<col>__reason`` names
    encoding artefacts only (``ARTEFACT_ONLY_RE``). What exact duplicates and row ids are built from."""
    raw = df[raw_col].astype("string")
    reason = df.get(raw_col[: -len(RAW_SUFFIX)] + REASON_SUFFIX)
    if reason is None:
        return raw
    return raw.mask(reason.astype("string").str.fullmatch(ARTEFACT_ONLY_RE).fillna(False).to_numpy(dtype=bool))


def _text_array(series: pd.Series) -> pa.Array:
    """``series`` as one Arrow large-string array, as ``series.astype("string")`` reads it (null where missing)."""
    if not (pd.api.types.is_string_dtype(series.dtype) and series.dtype != object):
        series = series.astype("string")
    arr = pa.Array.from_pandas(series)
    return (arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr).cast(pa.large_string())


def reason_flags(df: pd.DataFrame, reasons: list[str], test: Callable[[str], bool]) -> np.ndarray:
    """Bool (len(reasons), len(df)): ``test(text)`` of each value of each column named in ``reasons`` (``<col>__reason``
    columns; a name not in ``df`` is all false), false where the value is missing.

    Every column at once: the columns are stacked into one Arrow array and dictionary-encoded, so ``test`` runs
    once per distinct text, not once per cell and column (a 600-column file pays no per-column string pass).
    """
    n = len(df)
    out = np.zeros((len(reasons), n), dtype=bool)
    present = [i for i, c in enumerate(reasons) if c in df.columns]
    if not present or not n:
        return out
    stacked = pa.concat_arrays([_text_array(df[reasons[i]]) for i in present]).dictionary_encode()
    verdict = np.array([test(t) for t in stacked.dictionary.to_pylist()] + [False], dtype=bool)
    codes = stacked.indices.fill_null(len(stacked.dictionary)).to_numpy(zero_copy_only=False)
    out[present] = verdict[codes].reshape(len(present), n)
    return out


def content_raws(df: pd.DataFrame, raw_cols: list[str]) -> dict[str, pa.Array]:
    """``content_raw`` of each of ``raw_cols`` as Arrow large strings (null where missing or encoding artefacts only),
    the reasons of all of them tested at once (``reason_flags``). Same values as ``content_raw`` column by column."""
    import re

    artefact = re.compile(ARTEFACT_ONLY_RE)
    flags = reason_flags(df, [c[: -len(RAW_SUFFIX)] + REASON_SUFFIX for c in raw_cols], lambda t: artefact.fullmatch(t) is not None)
    out = {}
    for col, hidden in zip(raw_cols, flags):
        arr = _text_array(df[col])
        out[col] = pc.if_else(pa.array(hidden), pa.nulls(len(arr), pa.large_string()), arr) if hidden.any() else arr
    return out


def spelled_missings(df: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """``spelled_missing`` of each of ``cols``: bool (len(cols), len(df)), the reasons of all of them tested at once."""
    import re

    spelling = re.compile(MISSING_SPELLING_RE)
    written = reason_flags(df, [c + REASON_SUFFIX if c in df.columns else "" for c in cols],
                           lambda t: spelling.fullmatch(t) is not None)
    for i, col in enumerate(cols):
        if written[i].any():
            written[i] &= df[col].isna().to_numpy(dtype=bool)
    return written


def texts_by_dtype(df: pd.DataFrame, columns: list[str], convert: Callable[[pd.Series], pa.Array]) -> dict[str, pa.Array]:
    """``convert(df[c])`` for each of ``columns``, where ``convert`` works value by value (a value's text depends on
    the value and its dtype only): columns of one non-string dtype are converted once, stacked (``pd.concat``), and
    sliced back (zero-copy), so a 600-column file pays one conversion per dtype, not per column. String columns
    (already Arrow text) are converted one by one."""
    n = len(df)
    out: dict[str, pa.Array] = {}
    groups: dict[object, list[str]] = {}
    for c in columns:
        dtype = df[c].dtype
        if n and dtype != object and not pd.api.types.is_string_dtype(dtype):
            groups.setdefault(dtype, []).append(c)
        else:
            out[c] = convert(df[c])
    for cols in groups.values():
        if len(cols) == 1:
            out[cols[0]] = convert(df[cols[0]])
            continue
        arr = convert(pd.concat([df[c] for c in cols], ignore_index=True))
        for i, c in enumerate(cols):
            out[c] = arr.slice(i * n, n)
    return {c: out[c] for c in columns}


@dataclass
class StepOutput:
    """What one step did to a batch: rows kept, rows quarantined (+ ``_reason``), duplicates (+ match columns), and
    rows that are structural lines of the file, not records (``LINE``, ``STRUCTURAL``: the kind, ``REASON``: the
    line's text; e.g. a report's page footer padded to the table's width: headwater.clean.steps.summary_rows)."""

    kept: pd.DataFrame
    quarantined: pd.DataFrame = field(default_factory=pd.DataFrame)  # rows + REASON
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)  # rows + DEDUP_COLUMNS
    counts: dict[str, int] = field(default_factory=dict)  # added to the step's manifest entry (summed over batches; same keys each batch)
    structural: pd.DataFrame = field(default_factory=pd.DataFrame)  # LINE, STRUCTURAL (kind), REASON (text)


class Step(Protocol):
    """One cleaning job: ``apply`` a batch, return what it keeps and what it sets aside, with reasons.

    Optional capabilities the runner (headwater.clean.runner) honours, read with ``getattr`` and a
    default of "no":

    * ``needs_fit`` (bool) and ``fit(columns)``: the step learns from whole columns of the file
      (e.g. a median), so the runner runs the steps before it over every batch first, then calls
      ``fit`` with a read-only mapping {column name: pd.Series over every row those steps kept,
      file order}, loaded on access, then applies this step and the rest batch by batch;
    * ``needs_whole_table`` (bool): the step learns from whole rows (KNN, MissForest), so the
      runner gives the pipeline the whole file as one batch (and calls no ``fit``);
    * ``state``: kept across batches by the step itself (dedup keys, counts); the runner applies
      each batch to a step once, in file order;
    * ``adopt(twin, last_line)``: the step decides from a column's values (types, NA spellings that
      are data, the day order): the runner runs a copy of it (``twin``) over the file's first rows
      (headwater.clean.runner.DECISION_ROWS, file order, last line ``last_line``) before the first
      batch, and the step takes the copy's decisions, so that they never depend on the batch size;
    * ``finish()`` (-> StepOutput) and ``held_lines()`` (-> list of ``_line``): the step holds rows
      back from a batch's output until later batches decide them (a "Total" row that only the end of
      the file shows to be a summary); after the file's last batch ``pipeline.finish_steps`` calls
      ``finish`` and takes its kept rows through the later steps, and the runner keeps the staging
      strings of the held lines meanwhile.
    """

    name: str

    def apply(self, df: pd.DataFrame) -> StepOutput: ...
