"""The clean stage: a staging table -> the curated table, duplicates and quarantined rows of one file.

Reads the source's config and the staging table (once), lets the runner (headwater.clean.runner)
take the batches through the cleaning pipeline (headwater.clean.pipeline: normalize, type, dedup,
impute, validate) into the file's outputs (headwater.clean.outputs), and records the manifest.
"""

from __future__ import annotations

import time
from typing import Any


from headwater.clean.dedup.exact import ExactDuplicates
from headwater.clean.outputs import CleanOutputs, ingest_quarantine
from headwater.clean.pipeline import build_steps
from headwater.clean.runner import Staging, run_file
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.steps.null_spellings import NullSpellings
from headwater.clean.steps.summary_rows import SummaryRows
from headwater.config.settings import Settings
from headwater.config.source import load_sources
from headwater.manifest import FileRef, layout, load_manifest, records_failure, save_stage
from headwater.storage import parquet_batches


@records_failure("clean")
def clean(ref: FileRef, settings: Settings, sources: Any = None) -> dict[str, Any]:
    """Map columns to the source's canonical schema, normalize, type, dedup, impute, validate -> curated Parquet.

    ``sources`` (headwater.config.source.Sources) defaults to the YAML files of
    ``settings.config_dir``; no config at all works. Outputs: the curated and duplicates Parquet,
    the rows clean quarantines appended to the file's quarantine JSONL, the manifest's clean
    fields. Returns the manifest's summary. Raises FileNotFoundError when ingest never ran.
    """
    started = time.monotonic()
    lay = layout(settings, ref.date)
    manifest = load_manifest(settings, ref)
    config = (sources or load_sources(settings.config_dir)).for_file(ref.table_name)
    steps = build_steps(config, manifest.get("delimiter"))
    batches = parquet_batches(lay.staging(ref.key), None, settings.batch_rows)  # the one read of staging
    outputs = CleanOutputs(lay, ref, ingest_quarantine(manifest, lay.quarantine_rows(ref.key)))
    run = run_file(Staging(batches, manifest["header"], ref.source, config), steps, outputs, lay, spill=lay.staging(ref.key))
    coercer = next((st for st in steps if isinstance(st, CoerceTypes)), None)
    nulls = next((st for st in steps if isinstance(st, NullSpellings)), None)
    totals = next((st for st in steps if isinstance(st, SummaryRows)), None)
    exact = next((st for st in steps if isinstance(st, ExactDuplicates)), None)
    normalizer = next((st for st in steps if isinstance(st, NormalizeText)), None)
    manifest.pop("cross_file", None)  # the date's link step (headwater.clean.link) decides again on this result
    manifest.update(
        run.mapping.to_manifest(),
        source_config=config.describe(),
        column_types=dict(coercer.decided) if coercer else {},
        value_formats=coercer.file_formats if coercer else None,
        **(nulls.summary() if nulls else {"na_spellings": {}, "na_kept_as_data": {}, "na_ambiguous": {}}),
        **(normalizer.summary() if normalizer else {"text_normalized": {}, "text_masked": {}}),
        **outputs.summary(),
        clean_warnings=(run.mapping.warnings() if run.mapping else []) + (coercer.warnings() if coercer else [])
        + (nulls.warnings(coercer.decided if coercer else {}) if nulls else []) + (totals.warnings() if totals else [])
        + (exact.warnings() if exact else []),
        duplicates=run.duplicates,
        quarantined=outputs.quarantined,
        clean_steps=run.steps,
        clean_batches=run.batches,
        duplicate_of=run.duplicate_of,
    )
    return save_stage(settings, ref, manifest, "clean", started)
