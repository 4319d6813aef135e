"""The bottom of the cleaning pipeline: the bookkeeping columns, and what a step is.

A step returns the rows it keeps and the rows it rejects *with a reason*; rejected rows go
to quarantine (or to the duplicates record), never to /dev/null, so that
``rows_read == curated + duplicates + quarantined`` holds for every file. Steps import this
module and never the runner (headwater.clean.runner) nor the composer (headwater.clean.pipeline).
Pattern: datatrove's ``PipelineStep``/``BaseFilter`` (https://github.com/huggingface/datatrove).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

# Bookkeeping columns carried next to the data; they start with "_" so data columns never clash.
LINE = "_line"  # physical line of the record in the landing file (its first line)
ROW_ID = "_row_id"  # hash of schema version, source and normalized content
SOURCE = "_source"  # landing-relative path: <date>/<file name>
REASON = "_reason"  # why a row was quarantined
DUPLICATE_OF = "_duplicate_of"  # row id of the record a duplicate matched best
CLUSTER_ID = "_cluster_id"  # row id of the duplicate cluster's representative (the kept record)
SIMILARITY = "_similarity"  # the match's score in [0, 1]: 1.0 exact, Jaccard estimate (near text), match probability (linkage)
DEDUP_JOB = "_dedup_job"  # which job merged the row: exact | near_text | linkage (cross-file: the same, found by the date's link step)
MATCH_WEIGHT = "_match_weight"  # record linkage: the Fellegi-Sunter match weight in bits (missing for the other jobs)
EVIDENCE = "_evidence"  # why: per-field comparison levels and weights (linkage), the Jaccard estimate (near text)
AGREED = "_agreed"  # the columns both rows fill in with the same (or, for linkage fields, a close) value, comma-separated
DEDUP_COLUMNS = (DUPLICATE_OF, CLUSTER_ID, SIMILARITY, DEDUP_JOB, MATCH_WEIGHT, EVIDENCE, AGREED)

# Derived columns next to a data column: the text a value was read from when it failed its
# type (<col>__raw), and whether a missing value was imputed (<col>__imputed).
RAW_SUFFIX = "__raw"
IMPUTED_SUFFIX = "__imputed"
DERIVED_SUFFIXES = (RAW_SUFFIX, IMPUTED_SUFFIX)


def data_columns(df: pd.DataFrame) -> list[str]:
    """Every column but the bookkeeping ones (derived ``<col>__raw``/``__imputed`` columns included)."""
    return [c for c in df.columns if not c.startswith("_")]


def is_value_column(name: str) -> bool:
    """A column of the source's values: not bookkeeping and not derived (``<col>__raw``, ``<col>__imputed``)."""
    return not name.startswith("_") and not name.endswith(DERIVED_SUFFIXES)


@dataclass
class StepOutput:
    """What one step did to a batch: rows kept, rows quarantined (+ ``_reason``), duplicates (+ match columns)."""

    kept: pd.DataFrame
    quarantined: pd.DataFrame = field(default_factory=pd.DataFrame)  # rows + REASON
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)  # rows + DEDUP_COLUMNS


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
    * ``state``: kept across batches by the step itself (types decided on the first batch,
      dedup keys); the runner applies each batch to a step once, in file order;
    * ``finish()`` (-> StepOutput) and ``held_lines()`` (-> list of ``_line``): the step holds rows
      back from a batch's output until later batches decide them (a "Total" row that only the end of
      the file shows to be a summary); after the file's last batch ``pipeline.finish_steps`` calls
      ``finish`` and takes its kept rows through the later steps, and the runner keeps the staging
      strings of the held lines meanwhile.
    """

    name: str

    def apply(self, df: pd.DataFrame) -> StepOutput: ...
