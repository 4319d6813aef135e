"""The clean stage: a staging table -> the curated table, duplicates and quarantined rows of one file.

Maps columns to the source's canonical schema, then runs the cleaning pipeline
(headwater.clean.pipeline) batch by batch: normalize, type, dedup, impute, validate.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from headwater.clean.frame import frame_from_staging
from headwater.clean.pipeline import attach_index, build_steps, run_steps, save_index
from headwater.clean.steps.base import DUPLICATE_OF, IMPUTED_SUFFIX, LINE, RAW_SUFFIX, REASON
from headwater.clean.steps.coerce_types import CoerceTypes
from headwater.clean.steps.impute import Impute
from headwater.config.settings import Settings
from headwater.config.source import load_sources
from headwater.manifest import FileRef, layout, load_manifest, save_stage
from headwater.storage import ParquetParts, read_jsonl, write_jsonl


def clean(ref: FileRef, settings: Settings, sources: Any = None) -> dict[str, Any]:
    """Map columns to the source's canonical schema, normalize, type, dedup, impute, validate -> curated Parquet.

    ``sources`` (headwater.config.source.Sources) defaults to the YAML files of
    ``settings.config_dir``; no config at all works.
    """
    started = time.monotonic()
    lay = layout(settings, ref.date)
    manifest = load_manifest(settings, ref)
    config = (sources or load_sources(settings.config_dir)).for_file(ref.name)
    steps = build_steps(config)
    staging_file = pq.ParquetFile(lay.staging(ref.key))
    # Batches keep memory at one batch; the stateful steps (types decided on the first batch, exact
    # and near dedup) carry their state across batches. Imputation is fitted on the whole file:
    # mean/median/mode/constant in a second pass over the batches, KNN/MissForest on one batch.
    impute_at = next((i for i, st in enumerate(steps) if isinstance(st, Impute) and st.specs), None)
    impute = steps[impute_at] if impute_at is not None else None
    one_batch = impute is not None and impute.needs_whole_table
    first_steps, later_steps = (steps, []) if impute is None or one_batch else (steps[:impute_at], steps[impute_at:])
    batch_rows = max(staging_file.metadata.num_rows, 1) if one_batch else settings.batch_rows
    # The dedup index: compare with the rows earlier files kept; record what this file keeps.
    dedup_state = attach_index(steps, lay, ref.source)
    curated_out, duplicates_out = ParquetParts(lay.curated(ref.key)), ParquetParts(lay.duplicates(ref.key))
    kept_out = ParquetParts(lay.staging(ref.key).with_suffix(".kept.parquet")) if later_steps else None
    rejected: list[tuple[int, str]] = []  # (line, reason) of rows quarantined while cleaning
    stats: dict[str, dict[str, int]] = {}
    duplicate_of: dict[str, str] = {}
    mapping = None

    def collect(result) -> None:  # noqa: ANN001 - CleanResult
        if len(result.duplicates):
            duplicates_out.add(result.duplicates)
            duplicate_of.update(
                {str(k): v for k, v in zip(result.duplicates.get(LINE, []), result.duplicates.get(DUPLICATE_OF, []))}
            )
        rejected.extend((int(n), str(r)) for n, r in zip(result.quarantined.get(LINE, []), result.quarantined.get(REASON, [])))
        for name, step_stats in result.steps.items():
            total = stats.setdefault(name, dict.fromkeys(step_stats, 0))
            for k, v in step_stats.items():
                total[k] += v

    try:
        batches = staging_file.iter_batches(batch_size=batch_rows)
        first = True
        for record_batch in batches:
            staging = record_batch.to_pandas()
            frame, mapping = frame_from_staging(
                staging.drop(columns=["_line"]), staging["_line"], manifest["header"], ref.source, config
            )
            result = run_steps(frame, first_steps)
            collect(result)
            (kept_out or curated_out).add(result.curated)
            first = False
        if first:  # a header-only file: an empty table with the file's columns
            frame, mapping = frame_from_staging(
                staging_file.read().to_pandas().drop(columns=["_line"]), [], manifest["header"], ref.source, config
            )
            empty = run_steps(frame, first_steps)
            (kept_out or curated_out).add(empty.curated)
            stats = empty.steps
        if kept_out is not None:
            # Second pass: fit the fills on whole columns, then impute and validate batch by batch.
            present = set(pq.read_schema(kept_out.parts[0]).names)
            impute.fit({c: pd.concat([pd.read_parquet(part, columns=[c])[c] for part in kept_out.parts])
                        for c in impute.specs if c in present})
            for part in kept_out.parts:
                result = run_steps(pd.read_parquet(part), later_steps)
                collect(result)
                curated_out.add(result.curated)
            kept_out.abort()
        curated_out.commit()
        if duplicates_out.parts:
            duplicates_out.commit()
        else:
            duplicates_out.abort()
            lay.duplicates(ref.key).unlink(missing_ok=True)
    except BaseException:
        for parts in (curated_out, duplicates_out, kept_out):
            if parts is not None:
                parts.abort()
        raise
    save_index(dedup_state, lay, ref.source)

    # Quarantined rows keep their values as read (original header -> text): set aside, not lost.
    issues = [r for r in read_jsonl(lay.quarantine_rows(ref.key)) if r.get("stage") == "ingest"]
    as_read = _staging_rows(staging_file, {line for line, _ in rejected}, manifest["header"])
    for line, reason in rejected:
        issues.append({"source": ref.source, "line": line, "stage": "clean", "reason": f"{ref.name} {reason}", "raw": as_read.get(line)})
    write_jsonl(lay.quarantine_rows(ref.key), issues)

    summary_ = _curated_summary(lay.curated(ref.key))
    coercer = next((st for st in steps if isinstance(st, CoerceTypes)), None)
    manifest.update(
        mapping.to_manifest(),
        source_config=config.describe(),
        column_types=dict(coercer.decided) if coercer else {},
        **summary_,
        duplicates=sum(stats.get(name, {}).get("duplicates", 0) for name in stats),
        quarantined=len(issues),
        clean_steps=stats,
        clean_batches=staging_file.metadata.num_row_groups if not one_batch else 1,
        duplicate_of=duplicate_of,
    )
    return save_stage(settings, ref, manifest, "clean", started)


def _staging_rows(staging_file, lines: set[int], header: list[str]) -> dict[int, dict[str, Any]]:  # noqa: ANN001
    """The staging values of ``lines`` as {original header: text}, found in one pass over the batches."""
    found: dict[int, dict[str, Any]] = {}
    if not lines:
        return found
    for record_batch in staging_file.iter_batches():
        staging = record_batch.to_pandas()
        for row in staging[staging["_line"].isin(lines)].itertuples(index=False):
            values = list(row)[1:]
            found[int(row[0])] = {h: (None if pd.isna(v) else v) for h, v in zip(header, values)}
    return found


def _curated_summary(path: Path) -> dict[str, Any]:
    """Counts and per-column facts of the committed curated file, read column by column."""
    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    raw = {c[: -len(RAW_SUFFIX)]: c for c in names if c.endswith(RAW_SUFFIX)}
    flags = {c[: -len(IMPUTED_SUFFIX)]: c for c in names if c.endswith(IMPUTED_SUFFIX)}
    table = pf.read(columns=[*raw.values(), *flags.values()]) if raw or flags else None
    dtypes = {f.name: str(f.type) for f in pf.schema_arrow}
    meta = pf.schema_arrow.pandas_metadata or {}
    for col in meta.get("columns", []):  # the pandas dtypes when the file carries them (the usual case)
        if col.get("name") in dtypes:
            dtypes[col["name"]] = col.get("numpy_type") if col.get("pandas_type") != "unicode" else "string"
    return {
        "curated": pf.metadata.num_rows,
        "dtypes": dtypes,
        "coercion_failures": {k: int(pc.count(table[c]).as_py()) for k, c in raw.items()} if table is not None else {},
        "imputed": {k: int(pc.sum(table[c]).as_py() or 0) for k, c in flags.items()} if table is not None else {},
    }
