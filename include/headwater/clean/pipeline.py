"""The cleaning pipeline: which steps run for a source, in which order, and how they apply to one batch.

Each step owns one job (headwater.clean.steps, headwater.clean.dedup); ``build_steps`` lists
them with one line saying why each is there, and ``run_steps`` applies them to a batch and
collects what each kept, quarantined or recorded as a duplicate. A whole file (batches, the
two-pass fit) is the runner's job: headwater.clean.runner; duplicates across the files of a
date and earlier dates are the date's link step: headwater.clean.link.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from headwater.clean.dedup.exact import ExactDuplicates
from headwater.clean.dedup.fuzzy import NearDuplicateText, RecordLinkage
from headwater.clean.frame import assign_row_ids
from headwater.clean.steps.base import LINE, ROW_ID, SOURCE, Step, StepOutput, data_columns
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.clean.steps.drop_empty_rows import DropEmptyRows
from headwater.clean.steps.impute import Impute
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.steps.null_spellings import NullSpellings
from headwater.clean.steps.summary_rows import SummaryRows
from headwater.clean.steps.validate import ValidateSchema
from headwater.config.source import SourceConfig


def build_steps(config: SourceConfig | None = None, delimiter: str | None = None) -> list[Step]:
    """The cleaning pipeline for one source (``config``: headwater.config.source; None = defaults, no config).

    ``delimiter``: the file's (its convention is the decimal mark until a value decides it; CoerceTypes).
    """
    config = config or SourceConfig()
    return [
        NormalizeText(config.text),  # so that values differing only in markup/whitespace compare equal
        NullSpellings(config.types, config.columns),  # so missing values are missing, whatever the exporter wrote (and codes like NA stay)
        CoerceTypes(config.declared_types, config.types, config.identifiers, config.column_formats, delimiter),  # exact numbers/booleans/dates; failures kept in <col>__raw or quarantined
        SummaryRows(),  # a "Total" row whose numbers sum the rows above is a summary, not a record (quarantined, kept)
        DropEmptyRows(),  # blank records are counted but not curated
        ExactDuplicates(config.dedup),  # same normalized values in every column twice is one record
        NearDuplicateText(config.dedup, config.declared_types),  # a re-exported document with whitespace or a word changed is one document (MinHash LSH)
        RecordLinkage(config.dedup, config.declared_types),  # one entity under two spellings is one record, on evidence only (Fellegi-Sunter; off until configured)
        Impute(config.impute, config.declared_types, config.identifiers),  # fill gaps per column strategy, flagged in <col>__imputed
        ValidateSchema(config.schema),  # a row breaking a rule of the canonical schema is quarantined with the rule
    ]


def default_steps() -> list[Step]:
    """The pipeline with no source config: standardized columns, inferred types, no imputation or validation."""
    return build_steps(None)


def _with_finished(out: StepOutput, done: StepOutput) -> StepOutput:
    """``out`` with the rows a step gave up at the end of the file (``done``), kept rows in file order."""
    kept = out.kept
    if len(done.kept):
        kept = pd.concat([out.kept, done.kept], ignore_index=True).sort_values(LINE, kind="stable").reset_index(drop=True)
    quarantined = pd.concat([q for q in (out.quarantined, done.quarantined) if len(q)], ignore_index=True) if len(done.quarantined) else out.quarantined
    duplicates = pd.concat([d for d in (out.duplicates, done.duplicates) if len(d)], ignore_index=True) if len(done.duplicates) else out.duplicates
    return StepOutput(kept, quarantined, duplicates)


@dataclass
class CleanResult:
    curated: pd.DataFrame
    duplicates: pd.DataFrame
    quarantined: pd.DataFrame
    steps: dict[str, dict[str, int]]


def run_steps(df: pd.DataFrame, steps: list[Step], last: bool = True) -> CleanResult:
    """Apply ``steps`` to one batch ``df`` in order: what each kept, quarantined or recorded as a duplicate, and its counts.

    ``last``: the batch is the file's last (the default: a table run as one batch). A step that holds
    rows back until the file ends (``finish``, headwater.clean.steps.base.Step) then gives them up, in
    file order (``_line``) with the batch's rows, and the later steps take them in with this batch.
    """
    quarantined, duplicates, stats = [], [], {}
    for step in steps:
        before = len(df)
        if step.name == "exact_duplicates":
            df = assign_row_ids(df)  # ids depend on normalized content, so assign right before dedup
        out = step.apply(df)
        finish = getattr(step, "finish", None)
        if last and finish is not None:
            out = _with_finished(out, finish())
        df = out.kept
        if len(out.quarantined):
            quarantined.append(out.quarantined)
        if len(out.duplicates):
            duplicates.append(out.duplicates)
        stats[step.name] = {"in": before, "kept": len(df), "quarantined": len(out.quarantined), "duplicates": len(out.duplicates)}
    if ROW_ID not in df.columns:
        df = assign_row_ids(df)
    df = df[[ROW_ID, SOURCE, LINE, *data_columns(df)]]
    return CleanResult(
        curated=df.reset_index(drop=True),
        duplicates=pd.concat(duplicates, ignore_index=True) if duplicates else pd.DataFrame(),
        quarantined=pd.concat(quarantined, ignore_index=True) if quarantined else pd.DataFrame(),
        steps=stats,
    )
