"""The cleaning pipeline: which steps run for a source, in which order, and how they apply to one batch.

Each step owns one job (headwater.clean.steps, headwater.clean.dedup); ``build_steps`` lists
them with one line saying why each is there, and ``run_steps`` applies them to a batch and
collects what each kept, quarantined or recorded as a duplicate. A whole file (batches, the
two-pass fit) is the runner's job: headwater.clean.runner; duplicates across the files of a
date and earlier dates are the date's link step: headwater.clean.link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from headwater.clean.dedup.exact import ExactDuplicates, exact_keys
from headwater.clean.dedup.fuzzy import NearDuplicateText, RecordLinkage
from headwater.clean.frame import assign_row_ids
from headwater.clean.steps.base import LINE, MASKED_DIGEST, ROW_ID, SOURCE, Step, data_columns, masked_rows
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.clean.steps.drop_empty_rows import DropEmptyRows
from headwater.clean.steps.impute import Impute
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.steps.null_spellings import NullSpellings
from headwater.clean.steps.summary_rows import SummaryRows
from headwater.clean.steps.validate import ValidateFilled, ValidateSchema
from headwater.config.source import SourceConfig

# The curated column that lets the date's link step compare masked rows across files (headwater.clean.link): the
# row's exact-duplicate key (headwater.clean.dedup.exact.exact_keys, which hashes in the keyed digest of what a mask
# hid) as 16 hex digits, on the rows with a masked value and a digest; missing elsewhere. The digest itself is never
# written out: this key only tells which rows are exact copies of each other, which the duplicates table says anyway.
MASKED_KEY = "_masked_key"


def build_steps(
    config: SourceConfig | None = None, delimiter: str | None = None, digest_key: bytes | None = None, landing_date: str | None = None,
    earlier_day_orders: dict[str, dict[str, Any]] | None = None,
) -> list[Step]:
    """The cleaning pipeline for one source (``config``: headwater.config.source; None = defaults, no config).

    ``delimiter``: the file's (its convention is the decimal mark until a value decides it; CoerceTypes).
    ``digest_key``: the key of masked values' digests (NormalizeText; the data root's, headwater.clean.stage); None:
    a masked row equals no other row. ``landing_date``: the run's logical date (``YYYY-MM-DD``, FileRef.date), the
    "today" of date checks (a birth date after it; CoerceTypes); None: the clock's date. ``earlier_day_orders``: per
    column, the day order the source's column proved on the latest earlier landing date (headwater.day_orders), which a
    column no value of the file decides is read in (CoerceTypes); None: none.
    """
    config = config or SourceConfig()
    totals = SummaryRows()
    filled = {col for col, spec in config.impute.items() if spec.strategy != "none"}  # the columns imputation fills
    after = [ValidateFilled(config.schema, filled)] if config.schema is not None and any(
        not c.nullable and c.name in filled for c in config.schema.columns) else []
    return [
        NormalizeText(config.text, digest_key, config.declared_types),  # so that values differing only in markup/whitespace compare equal
        NullSpellings(config.types, config.columns),  # so missing values are missing, whatever the exporter wrote (and codes like NA stay)
        CoerceTypes(
            config.declared_types, config.types, config.identifiers, config.column_formats, delimiter,
            {c.name: c.unit for c in config.columns.values() if c.unit}, landing_date, earlier_day_orders,
        ),  # exact numbers/booleans/dates; failures kept in <col>__raw or quarantined
        totals,  # a "Total" row whose numbers sum the rows above is a summary, not a record (quarantined, kept)
        DropEmptyRows(),  # blank records are counted but not curated
        ExactDuplicates(config.dedup, totals),  # same normalized values in every column twice is one record (unless a total counts them)
        NearDuplicateText(config.dedup, config.declared_types),  # a re-exported document with whitespace or a word changed is one document (MinHash LSH)
        RecordLinkage(config.dedup, config.declared_types, config.identifiers),  # one entity under two spellings is one record, on evidence only (Fellegi-Sunter; off until configured)
        ValidateSchema(config.schema, filled),  # a row whose written value breaks a rule of the canonical schema is quarantined with the rule
        Impute(config.impute, config.declared_types, config.identifiers, config.schema),  # fill gaps from validated rows only, flagged in <col>__imputed
        *after,  # a nullable: false column imputation was asked to fill and did not: the row breaks the rule
    ]


def default_steps() -> list[Step]:
    """The pipeline with no source config: standardized columns, inferred types, no imputation or validation."""
    return build_steps(None)


@dataclass
class CleanResult:
    curated: pd.DataFrame
    duplicates: pd.DataFrame
    quarantined: pd.DataFrame
    steps: dict[str, dict[str, int]]
    # rows that are structural lines of the file (StepOutput.structural: LINE, STRUCTURAL, REASON), not records
    structural: pd.DataFrame = field(default_factory=pd.DataFrame)


def run_steps(df: pd.DataFrame, steps: list[Step], last: bool = True) -> CleanResult:
    """Apply ``steps`` to one batch ``df`` in order: what each kept, quarantined or recorded as a duplicate, and its counts.

    ``last``: the batch is the file's last (the default: a table run as one batch); then the rows steps
    held back until the file ended (``finish_steps``) are in the result too, curated rows in file order.
    """
    result = _apply(df, steps)
    tail = finish_steps(steps) if last else None
    return result if tail is None else merge_results(result, tail)


def merge_results(a: CleanResult, b: CleanResult) -> CleanResult:
    """Two results of one file as one: curated, duplicate and quarantined rows each in file order (``_line``), counts added."""
    return CleanResult(_in_order(a.curated, b.curated), _in_order(a.duplicates, b.duplicates), _in_order(a.quarantined, b.quarantined),
                       _add(a.steps, b.steps), _in_order(a.structural, b.structural))


def _in_order(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    if not (len(a) and len(b)):
        return a if len(a) else b
    return pd.concat([a, b], ignore_index=True).sort_values(LINE, kind="stable").reset_index(drop=True)


def finish_steps(steps: list[Step]) -> CleanResult | None:
    """The rows steps held back until the end of the file, now decided: None when no step held any.

    A step that holds rows (``finish``, headwater.clean.steps.base.Step: SummaryRows keeps the last
    summary row until the file ends) gives them up here; its kept rows go through the steps after it,
    as one more small batch. Call once, after the file's last batch.
    """
    out: CleanResult | None = None
    for j, step in enumerate(steps):
        finish = getattr(step, "finish", None)
        if finish is None:
            continue
        done = finish()
        if not (len(done.kept) or len(done.quarantined) or len(done.duplicates) or len(done.structural)):
            continue
        rest = _apply(done.kept, steps[j + 1 :]) if len(done.kept) else CleanResult(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), {})
        counts = {step.name: {"in": 0, "kept": len(done.kept), "quarantined": len(done.quarantined), "duplicates": len(done.duplicates)}}
        if len(done.structural):
            counts[step.name]["structural"] = len(done.structural)
        part = CleanResult(rest.curated, _concat(done.duplicates, rest.duplicates), _concat(done.quarantined, rest.quarantined),
                           _add(counts, rest.steps), _concat(done.structural, rest.structural))
        out = part if out is None else CleanResult(
            _concat(out.curated, part.curated), _concat(out.duplicates, part.duplicates), _concat(out.quarantined, part.quarantined),
            _add(out.steps, part.steps), _concat(out.structural, part.structural),
        )
    return out


def _concat(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([a, b], ignore_index=True) if len(a) and len(b) else (a if len(a) else b)


def _add(a: dict[str, dict[str, int]], b: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Per-step counts of two runs added up."""
    out = {name: dict(stats) for name, stats in a.items()}
    for name, stats in b.items():
        total = out.setdefault(name, dict.fromkeys(stats, 0))
        for k, v in stats.items():
            total[k] = total.get(k, 0) + v
    return out


def _apply(df: pd.DataFrame, steps: list[Step]) -> CleanResult:
    quarantined, duplicates, structural, stats = [], [], [], {}
    for step in steps:
        before = len(df)
        if step.name == "exact_duplicates":
            df = assign_row_ids(df)  # ids depend on normalized content, so assign right before dedup
        out = step.apply(df)
        df = out.kept
        if len(out.quarantined):
            quarantined.append(out.quarantined)
        if len(out.duplicates):
            duplicates.append(out.duplicates.drop(columns=[MASKED_DIGEST], errors="ignore"))  # the digest is never written out
        stats[step.name] = {"in": before, "kept": len(df), "quarantined": len(out.quarantined), "duplicates": len(out.duplicates), **out.counts}
        if len(out.structural):
            structural.append(out.structural)
            stats[step.name]["structural"] = len(out.structural)  # only when some: the manifest's clean_steps as they were
    if ROW_ID not in df.columns:
        df = assign_row_ids(df)
    keep = [ROW_ID, SOURCE, LINE, *data_columns(df)]
    if MASKED_DIGEST in df.columns and len(df):
        df = df.assign(**{MASKED_KEY: masked_keys(df)})
    if MASKED_KEY in df.columns:  # made now, or by an earlier pass of the file (headwater.clean.runner)
        keep.append(MASKED_KEY)
    df = df[keep]
    return CleanResult(
        curated=df.reset_index(drop=True),
        duplicates=pd.concat(duplicates, ignore_index=True) if duplicates else pd.DataFrame(),
        quarantined=pd.concat(quarantined, ignore_index=True) if quarantined else pd.DataFrame(),
        steps=stats,
        structural=pd.concat(structural, ignore_index=True) if structural else pd.DataFrame(),
    )


def masked_keys(df: pd.DataFrame) -> pd.Series:
    """``MASKED_KEY`` of each row of ``df`` (a batch holding ``MASKED_DIGEST``): its ``exact_keys`` as 16 hex
    digits where a value was masked and a digest was made (pandas ``string``), missing elsewhere.

    The key of a row does not depend on its batch (exact_keys), so the masked rows alone are hashed.
    """
    at = np.flatnonzero(masked_rows(df) & df[MASKED_DIGEST].notna().to_numpy(dtype=bool))
    out = pd.Series(pd.NA, index=df.index, dtype="string")
    if len(at):
        out.iloc[at] = [f"{int(k):016x}" for k in exact_keys(df.iloc[at])]
    return out
