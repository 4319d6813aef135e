"""The clean stage: a staging table -> the curated table, duplicates and quarantined rows of one file.

Reads the source's config and the staging table (once), lets the runner (headwater.clean.runner)
take the batches through the cleaning pipeline (headwater.clean.pipeline: normalize, type, dedup,
validate, impute) into the file's outputs (headwater.clean.outputs), and records the manifest and the day order
each column proved (headwater.day_orders), which later dates of the source read by when their files show none.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from headwater.clean.dedup.exact import ExactDuplicates
from headwater.clean.outputs import CleanOutputs, ingest_quarantine
from headwater.clean.pipeline import build_steps
from headwater.clean.runner import Staging, run_file
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.clean.steps.impute import Impute
from headwater.clean.steps.normalize_text import NormalizeText
from headwater.clean.steps.null_spellings import NullSpellings
from headwater.clean.steps.summary_rows import SummaryRows
from headwater.config.settings import Settings
from headwater.config.source import load_sources
from headwater.day_orders import DayOrders, order_warnings, source_key
from headwater.manifest import FileRef, layout, load_manifest, records_failure, save_stage
from headwater.layout import Layout
from headwater.storage import create_once, parquet_batches


@records_failure("clean")
def clean(ref: FileRef, settings: Settings, sources: Any = None) -> dict[str, Any]:
    """Map columns to the source's canonical schema, normalize, type, dedup, validate, impute -> curated Parquet.

    ``sources`` (headwater.config.source.Sources) defaults to the YAML files of
    ``settings.config_dir``; no config at all works. Outputs: the curated and duplicates Parquet,
    the rows clean quarantines appended to the file's quarantine JSONL, the manifest's clean
    fields. Returns the manifest's summary. Raises FileNotFoundError when ingest never ran.
    """
    started = time.monotonic()
    lay = layout(settings, ref.date)
    manifest = load_manifest(settings, ref)
    config = (sources or load_sources(settings.config_dir)).for_file(ref.table_name)
    # the day order each column of the source proved on earlier landing dates (breaker6 #15): read in it when this file shows none
    day_orders = DayOrders.for_settings(settings)
    source = source_key(config, ref.table_name)
    earlier = day_orders.earlier(source, ref.date)
    steps = build_steps(config, manifest.get("delimiter"), digest_key(settings, lay), ref.date, earlier)
    batches = parquet_batches(lay.staging(ref.key), None, settings.batch_rows)  # the one read of staging
    outputs = CleanOutputs(lay, ref, ingest_quarantine(manifest, lay.quarantine_rows(ref.key)))
    run = run_file(Staging(batches, manifest["header"], ref.source, config), steps, outputs, lay, spill=lay.staging(ref.key))
    coercer = next((st for st in steps if isinstance(st, CoerceTypes)), None)
    nulls = next((st for st in steps if isinstance(st, NullSpellings)), None)
    totals = next((st for st in steps if isinstance(st, SummaryRows)), None)
    exact = next((st for st in steps if isinstance(st, ExactDuplicates)), None)
    normalizer = next((st for st in steps if isinstance(st, NormalizeText)), None)
    imputer = next((st for st in steps if isinstance(st, Impute)), None)
    formats = coercer.value_formats() if coercer else None
    proven = coercer.proven() if coercer else {}
    reads = {c: (p["dayfirst"] if p else None) for c, p in ((formats or {}).get("dayfirst_from") or {}).items()}
    compared = {c: (bool(earlier[c]["dayfirst"]) if c in earlier else None) for c in proven}  # its DAY ORDER CHANGED verdict
    day_orders.record(source, ref.date, ref.name, proven, reads, compared)  # what later dates carry, and what this file read by
    ordering = order_warnings(day_orders, source, ref.date, proven, reads, ref.name)
    manifest.pop("cross_file", None)  # the date's link step (headwater.clean.link) decides again on this result
    manifest.update(structural_found(manifest, run.structural))
    manifest.update(
        run.mapping.to_manifest(),
        source_config=config.describe(),
        column_descriptions=column_descriptions(manifest, [m.output for m in run.mapping.matches] if run.mapping else []),
        column_types=dict(coercer.decided) if coercer else {},
        value_formats=formats,
        **(nulls.summary() if nulls else {"na_spellings": {}, "na_kept_as_data": {}, "na_ambiguous": {}}),
        **(normalizer.summary() if normalizer else {"text_normalized": {}, "text_masked": {}}),
        sensitive_numbers=normalizer.sensitive_numbers() if normalizer else {},
        **outputs.summary(),
        clean_warnings=(run.mapping.warnings() if run.mapping else []) + (coercer.warnings() if coercer else [])
        + (nulls.warnings(coercer.decided if coercer else {}) if nulls else []) + (totals.warnings() if totals else [])
        + (exact.warnings() if exact else []) + (normalizer.warnings() if normalizer else []) + (imputer.warnings() if imputer else [])
        + ordering,
        day_order_warnings=ordering,  # recomputed by a run that skips the file (headwater.day_orders.current_warnings)
        duplicates=run.duplicates,
        quarantined=outputs.quarantined,
        clean_steps=run.steps,
        clean_batches=run.batches,
        duplicate_of=run.duplicate_of,
    )
    return save_stage(settings, ref, manifest, "clean", started)


KEPT_LINES = 100  # line numbers kept per kind of structural line (ingest's: headwater.ingest.csv_file.KEPT_LINES)
KEPT_TEXTS = 50  # structural lines kept with their text


def structural_found(manifest: dict[str, Any], found: list[dict[str, object]]) -> dict[str, Any]:
    """The manifest's counts once the lines the clean steps found to be structural (``found``: {"line", "kind", "text"}
    each, file order; a report's page footer or end marker padded to the table's width: headwater.clean.steps.summary_rows)
    move from the file's data records to its structural lines: ``rows_read`` less them, ``structural`` and
    ``structural_lines`` with them (by kind), ``clean_structural`` the first KEPT_TEXTS with their text. So
    ``records = rows_read + structural`` and ``rows_read = curated + duplicates + quarantined`` still hold
    (headwater.report.accounting_error). Ingest's counts are kept in ``ingest_counts`` the first time, so a clean
    run again on the same staging starts from them. ``{}`` when no line was found and none ever was.
    """
    base = manifest.get("ingest_counts")
    if base is None and not found:
        return {}
    if base is None:
        base = {k: manifest.get(k) for k in ("rows_read", "structural", "structural_lines")}
    counts = {k: int(v) for k, v in (base.get("structural") or {}).items()}
    lines = {k: list(v) for k, v in (base.get("structural_lines") or {}).items()}
    for item in found:
        kind = str(item["kind"])
        counts[kind] = counts.get(kind, 0) + 1
        kept = lines.setdefault(kind, [])
        if len(kept) < KEPT_LINES:
            kept.append(int(item["line"]))  # type: ignore[arg-type]
    return {
        "ingest_counts": base,
        "rows_read": int(base.get("rows_read") or 0) - len(found),
        "structural": counts,
        "structural_lines": lines,
        "clean_structural": found[:KEPT_TEXTS],
    }


def column_descriptions(manifest: dict[str, Any], names: list[str]) -> dict[str, list[str]]:
    """Each curated column's texts from the description lines under the header (ingest's ``table.header_descriptions``).

    ``names``: the curated column names in header order. Returns ``{name: [text of each description
    line that fills the column, top down]}`` (``{"q1": ["How satisfied are you?", '{"ImportId":"QID1"}']}``);
    ``{}`` when the file has no such line.
    """
    out: dict[str, list[str]] = {}
    for line in (manifest.get("table") or {}).get("header_descriptions") or []:
        for cell in line["columns"]:
            at = int(cell["column"]) - 1
            if at < len(names):
                out.setdefault(names[at], []).append(cell["description"])
    return out


def digest_key(settings: Settings, lay: Layout) -> bytes:
    """The key of masked values' digests: ``settings.pii_digest_key`` (UTF-8, BLAKE2b takes at most 64 bytes, so a longer
    one is hashed to 64), else the data root's (``Layout.pii_digest_key``), made once: 32 bytes from ``secrets``.

    The same key for every run and worker on the root keeps masked rows' ids stable across reruns;
    two data roots have two keys unless the setting names one. The file is made with
    ``headwater.storage.create_once`` (a hard link on local disk, a conditional PUT ``If-None-Match: *``
    on object storage): of workers starting together on a fresh root exactly one key is stored, and
    every worker uses the stored one, never the bytes it drew itself.
    """
    if settings.pii_digest_key is not None:
        key = settings.pii_digest_key.get_secret_value().encode("utf-8")
        return key if len(key) <= 64 else hashlib.blake2b(key).digest()
    path = lay.pii_digest_key
    if not path.exists():
        create_once(path, secrets.token_bytes(32))
    return path.read_bytes()
