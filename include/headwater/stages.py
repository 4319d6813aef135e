"""The four per-file stages (ingest -> clean -> chunk -> embed) and the run report.

Each stage reads the previous stage's output from disk, overwrites its own output
atomically and updates the file's manifest, then returns a small dict (paths and
counts) that fits in an XCom. Running a stage twice gives the same result.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from headwater import SCHEMA_VERSION, __version__
from headwater.config import Settings
from headwater.layout import Layout, file_key
from headwater.storage import ParquetParts, atomic_path, read_json, write_json, write_parquet

STAGES = ("ingest", "clean", "chunk", "embed")
OK, QUARANTINED, EMPTY = "ok", "quarantined", "empty"


@dataclass(frozen=True)
class FileRef:
    """One landing file of one logical date."""

    date: str
    name: str
    run_id: str = ""

    @property
    def key(self) -> str:
        return file_key(self.name)

    @property
    def source(self) -> str:
        """Landing-relative path: the identity of the file in every output."""
        return f"{self.date}/{self.name}"

    @classmethod
    def from_info(cls, info: dict[str, Any], run_id: str = "") -> FileRef:
        return cls(date=info["date"], name=info["file"], run_id=run_id or info.get("run_id", ""))


def _layout(settings: Settings, date: str) -> Layout:
    assert settings.data_dir is not None
    return Layout(settings.data_dir, date)


def load_manifest(settings: Settings, ref: FileRef) -> dict[str, Any]:
    manifest = read_json(_layout(settings, ref.date).manifest(ref.key))
    if manifest is None:
        raise FileNotFoundError(f"{ref.source}: no manifest — run the ingest stage for this file first")
    return manifest


def _save(settings: Settings, ref: FileRef, manifest: dict[str, Any], stage: str, started: float) -> dict[str, Any]:
    manifest["stages"][stage] = {"seconds": round(time.monotonic() - started, 3)}
    write_json(_layout(settings, ref.date).manifest(ref.key), manifest)
    return summary(manifest)


def summary(manifest: dict[str, Any]) -> dict[str, Any]:
    """The XCom-sized view of a manifest."""
    keys = (
        "source", "file", "date", "run_id", "status", "error", "action", "reason",
        "rows_read", "curated", "duplicates", "quarantined", "chunks", "vectors", "embedded",
    )
    return {k: manifest.get(k) for k in keys}


def _write_jsonl(target: Path, rows: list[dict[str, Any]]) -> None:
    with atomic_path(target) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _remove(*paths: Path) -> None:
    for p in paths:
        p.unlink(missing_ok=True)


# ---------------------------------------------------------------- decide


def fingerprint(data_sha256: str, settings: Settings):
    from headwater.ledger import Fingerprint, code_version, config_hash

    return Fingerprint(data_sha256, config_hash(settings), code_version())


def decide(source: Any, ref: FileRef, settings: Settings, force: bool = False) -> dict[str, Any]:
    """Process or skip this file (``source``: its bytes or a binary file object, hashed block by block)?

    Skips when (content, config, code) match its last finished run.
    """
    from headwater.ingest import stream_sha256
    from headwater.ledger import Ledger

    decision = Ledger.for_settings(settings).decide(ref.source, fingerprint(stream_sha256(source)[0], settings), force)
    return {"source": ref.source, "process": decision.process, "reason": decision.reason}


def mark_unchanged(ref: FileRef, settings: Settings, reason: str) -> dict[str, Any]:
    """Record on the existing manifest that this run skipped the file; nothing else is touched."""
    lay = _layout(settings, ref.date)
    manifest = read_json(lay.manifest(ref.key)) or {"source": ref.source, "file": ref.name, "date": ref.date, "status": "missing"}
    manifest.update(action="unchanged", reason=reason, checked_by=ref.run_id)
    write_json(lay.manifest(ref.key), manifest)
    return summary(manifest)


# ---------------------------------------------------------------- ingest


def ingest(source: Any, ref: FileRef, settings: Settings) -> dict[str, Any]:
    """Parse one landing file into a staging table; quarantine bad rows or the whole file.

    ``source`` is the raw bytes or a binary file object: it is hashed, then parsed,
    block by block, so memory does not grow with the file.
    """
    import shutil

    import pyarrow as pa
    import pyarrow.parquet as pq

    from headwater.ingest import CsvFile, UnreadableFile, open_source, stream_sha256

    from headwater.ledger import IN_PROGRESS, Ledger

    started = time.monotonic()
    lay = _layout(settings, ref.date)
    stream = open_source(source)
    origin = stream.tell()
    sha256, size = stream_sha256(stream)
    fp = fingerprint(sha256, settings)
    ledger = Ledger.for_settings(settings)
    ledger.record(ref.source, fp, IN_PROGRESS)  # a crash from here on means "reprocess next time"
    manifest: dict[str, Any] = {
        "source": ref.source,
        "file": ref.name,
        "date": ref.date,
        "key": ref.key,
        "run_id": ref.run_id,
        "action": "processed",
        "reason": None,
        "fingerprint": asdict(fp),
        "sha256": sha256,
        "bytes": size,
        "schema_version": SCHEMA_VERSION,
        "code_version": __version__,
        "status": OK,
        "error": None,
        "rows_read": 0,
        "curated": 0,
        "duplicates": 0,
        "quarantined": 0,
        "chunks": 0,
        "vectors": 0,
        "embedded": 0,
        "stages": {},
    }
    # A re-run replaces everything this file produced before.
    _remove(lay.staging(ref.key), lay.curated(ref.key), lay.duplicates(ref.key), lay.chunks(ref.key))
    _remove(lay.quarantine_rows(ref.key), lay.quarantine_file(ref.key), lay.quarantine_raw(ref.key))
    try:
        from headwater.sources import load_sources  # per-source read options (max_field_chars, encoding...)

        reader = CsvFile(stream, ref.name, load_sources().for_file(ref.name).read)
    except UnreadableFile as exc:
        manifest.update(status=QUARANTINED, error=f"{ref.name}: {exc}")
        stream.seek(origin)
        with atomic_path(lay.quarantine_raw(ref.key)) as tmp, open(tmp, "wb") as raw:
            shutil.copyfileobj(stream, raw)
        write_json(lay.quarantine_file(ref.key), {"source": ref.source, "reason": manifest["error"], "sha256": manifest["sha256"]})
        drop_vectors(ref, settings)
        ledger.record(ref.source, fp, QUARANTINED, {"rows_read": 0})
        return _save(settings, ref, manifest, "ingest", started)

    # Batches of settings.batch_rows records go straight to Parquet row groups and the quarantine file.
    width = len(reader.header)
    schema = pa.schema([("_line", pa.int64())] + [(f"c{i}", pa.string()) for i in range(width)])
    rows_read = issues = batches = 0
    with atomic_path(lay.staging(ref.key)) as tmp, atomic_path(lay.quarantine_rows(ref.key)) as qtmp:
        with pq.ParquetWriter(tmp, schema) as writer, open(qtmp, "w", encoding="utf-8") as quarantine:
            for batch in reader.batches(settings.batch_rows):
                columns = list(zip(*batch.records)) if batch.records else [()] * width
                arrays = [pa.array(batch.lines, pa.int64())] + [pa.array(col, pa.string()) for col in columns]
                writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                for i in batch.issues:
                    row = {"source": ref.source, "line": i.line, "stage": "ingest", "reason": i.reason, "raw": i.raw}
                    quarantine.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
                rows_read += len(batch.records) + len(batch.issues)
                issues += len(batch.issues)
                batches += 1
    manifest.update(
        encoding=reader.encoding,
        delimiter=reader.delimiter,
        read_warnings=reader.warnings,
        header=reader.header,
        rows_read=rows_read,
        quarantined=issues,
        ingest_batches=batches,
        status=OK if rows_read else EMPTY,
    )
    return _save(settings, ref, manifest, "ingest", started)


# ---------------------------------------------------------------- clean


def clean(ref: FileRef, settings: Settings, sources: Any = None) -> dict[str, Any]:
    """Map columns to the source's canonical schema, normalize, type, dedup, impute, validate -> curated Parquet.

    ``sources`` (headwater.sources.Sources) defaults to the YAML files of the config
    folder ($HEADWATER_CONFIG_DIR or <project>/config/sources); no config at all works.
    """
    import pyarrow.parquet as pq

    from headwater.clean import DUPLICATE_OF, LINE, REASON, build_steps, frame_from_staging, run_steps
    from headwater.impute import Impute
    from headwater.sources import load_sources
    from headwater.types import RAW_SUFFIX, CoerceTypes

    started = time.monotonic()
    lay = _layout(settings, ref.date)
    manifest = load_manifest(settings, ref)
    config = (sources or load_sources()).for_file(ref.name)
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
    # -- dedup index (headwater.dedup): compare with the rows earlier files kept; record what this file keeps.
    from headwater.dedup import attach_index, save_index

    dedup_state = attach_index(steps, settings.data_dir, ref.source)
    # -- end dedup index
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
            _remove(lay.duplicates(ref.key))
    except BaseException:
        for parts in (curated_out, duplicates_out, kept_out):
            if parts is not None:
                parts.abort()
        raise
    save_index(dedup_state, settings.data_dir, ref.source)

    # Quarantined rows keep their values as read (original header -> text): set aside, not lost.
    issues = [r for r in _read_jsonl(lay.quarantine_rows(ref.key)) if r.get("stage") == "ingest"]
    as_read = _staging_rows(staging_file, {line for line, _ in rejected}, manifest["header"])
    for line, reason in rejected:
        issues.append({"source": ref.source, "line": line, "stage": "clean", "reason": f"{ref.name} {reason}", "raw": as_read.get(line)})
    _write_jsonl(lay.quarantine_rows(ref.key), issues)

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
    return _save(settings, ref, manifest, "clean", started)


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
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from headwater.impute import IMPUTED_SUFFIX
    from headwater.types import RAW_SUFFIX

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


# ---------------------------------------------------------------- chunk


def chunk(ref: FileRef, settings: Settings, sources: Any = None) -> dict[str, Any]:
    """Chunk the text columns of the curated table, each with the strategy its source config picks (default: raw)."""
    from headwater.chunk import load_tokenizer
    from headwater.chunking import chunk_table
    from headwater.embed import resolve_model_dir
    from headwater.sources import load_sources

    started = time.monotonic()
    lay = _layout(settings, ref.date)
    manifest = load_manifest(settings, ref)
    curated = pd.read_parquet(lay.curated(ref.key))
    config = (sources or load_sources()).for_file(ref.name)
    declared_text = [c for c, t in config.declared_types.items() if t == "text"]
    tokenizer = load_tokenizer(resolve_model_dir(settings.embedding_model))
    sent = 0

    def embed(texts: list[str]):  # only the query strategy calls it: the model loads on first use
        nonlocal sent
        # Through the embedding cache, so the embed stage finds the kept chunks' vectors already there.
        vectors, calls = embed_cached(settings, texts)
        sent += calls
        return vectors

    result = chunk_table(
        curated, tokenizer, config.chunking, settings.chunk_tokens, settings.chunk_overlap, embed, declared_text
    )
    write_parquet(lay.chunks(ref.key), result.chunks)
    manifest.update(
        text_columns=list(result.strategies),
        chunks=len(result.chunks),
        chunking={
            "strategies": result.strategies,
            "values_without_chunks": result.values_without_chunks,
            "warnings": result.warnings,
            "embedded": sent,
        },
    )
    return _save(settings, ref, manifest, "chunk", started)


# ---------------------------------------------------------------- embed


def embed_cached(settings: Settings, texts: list[str]):  # noqa: ANN201 - (ndarray, int)
    """Vectors for ``texts`` through the (model, text hash) cache; the model loads only on a miss.

    Returns (vectors, number of texts sent to the model).
    """
    from headwater.embed import embed_texts, load_model, model_id
    from headwater.embedcache import EmbeddingCache, embed_with_cache

    cache = EmbeddingCache(settings.data_dir / "embedding_cache.sqlite")

    def encode(batch: list[str]):  # noqa: ANN202
        return embed_texts(load_model(settings.embedding_model), batch, settings.embed_batch_size)

    return embed_with_cache(cache, model_id(settings.embedding_model), texts, encode)


def embed(ref: FileRef, settings: Settings) -> dict[str, Any]:
    """Embed every chunk (cached by model + text hash) and make the store hold exactly this file's chunks."""
    from headwater.embed import model_id
    from headwater.ledger import Fingerprint, Ledger
    from headwater.vectorstore import VectorStore

    started = time.monotonic()
    lay = _layout(settings, ref.date)
    manifest = load_manifest(settings, ref)
    chunks = pd.read_parquet(lay.chunks(ref.key))
    name = model_id(settings.embedding_model)
    vectors, calls = embed_cached(settings, chunks["text"].tolist())
    # no chunks: nothing to size a new table by, and nothing to add (only old chunks to delete)
    store = VectorStore(lay.vectors, settings.vector_table, dim=vectors.shape[1] if len(vectors) else 384)
    stored = store.replace_source(ref.source, chunks, vectors, name)
    manifest.update(vectors=stored, model=name, embedded=calls, embedding_cache_hits=len(chunks) - calls)
    result = _save(settings, ref, manifest, "embed", started)
    Ledger.for_settings(settings).record(
        ref.source, Fingerprint(**manifest["fingerprint"]), manifest["status"], {k: manifest[k] for k in ("rows_read", "curated", "chunks")}
    )
    return result


def drop_vectors(ref: FileRef, settings: Settings) -> None:
    """Remove a file's vectors (it was quarantined since it was last embedded)."""
    from headwater.vectorstore import VectorStore

    VectorStore(_layout(settings, ref.date).vectors, settings.vector_table).delete_source(ref.source)


# ---------------------------------------------------------------- report


def report(date: str, names: list[str], settings: Settings, run_id: str = "") -> dict[str, Any]:
    """Aggregate the manifests of the date's files into a run report; flag any row not accounted for.

    ``run_id`` separates work done by this run from files it found unchanged: the
    ``this_run`` counters (rows recomputed, embedding calls) only count the former.
    """
    lay = _layout(settings, date)
    files = []
    for name in sorted(names):
        ref = FileRef(date, name)
        manifest = read_json(lay.manifest(ref.key)) or {
            "source": ref.source,
            "file": name,
            "date": date,
            "status": "missing",
            "error": f"{ref.source}: no manifest — the ingest task never finished for this file",
        }
        done = set(manifest.get("stages", {}))
        if manifest.get("status") == OK and not set(STAGES) <= done:
            manifest["status"] = "failed"
            manifest["error"] = manifest.get("error") or f"stages not completed: {', '.join(s for s in STAGES if s not in done)}"
        accounted = manifest.get("curated", 0) + manifest.get("duplicates", 0) + manifest.get("quarantined", 0)
        manifest["accounted"] = accounted == manifest.get("rows_read", 0)
        manifest["this_run"] = bool(run_id) and manifest.get("run_id") == run_id
        files.append(manifest)
    totals = {k: sum(int(f.get(k) or 0) for f in files) for k in ("rows_read", "curated", "duplicates", "quarantined", "chunks", "vectors")}
    mine = [f for f in files if f["this_run"]] if run_id else files
    result = {
        "date": date,
        "run_id": run_id,
        "files": [summary(f) | {"accounted": f["accounted"]} for f in files],
        "totals": totals,
        "this_run": {
            "files_processed": len(mine),
            "files_unchanged": sum(1 for f in files if f.get("action") == "unchanged" and f.get("checked_by") == run_id),
            "rows_recomputed": sum(int(f.get("rows_read") or 0) for f in mine),
            "embedding_calls": sum(int(f.get("embedded") or 0) for f in mine),
        },
        "failed": [f["source"] for f in files if f.get("status") in ("failed", "missing") or not f["accounted"]],
        "quarantined_files": [f["source"] for f in files if f.get("status") == QUARANTINED],
        "outputs": {
            "curated": str(lay.curated_dir),
            "quarantine": str(lay.curated_dir.parent.parent / "quarantine" / f"date={date}"),
            "vectors": str(lay.vectors),
            "report": str(lay.report()),
        },
    }
    write_json(lay.report(), result)
    return result


def format_report(report: dict[str, Any]) -> str:
    """A fixed-width summary table for terminals and task logs."""
    head = (
        f"{'file':<26} {'status':<11} {'action':<9} {'read':>6} {'curated':>7} {'dups':>5} {'quar':>5} "
        f"{'chunks':>6} {'vectors':>7}"
    )
    lines = [f"Headwater run {report['date']}", head, "-" * len(head)]
    for f in report["files"]:
        lines.append(
            f"{f['file'][:26]:<26} {f['status']:<11} {(f.get('action') or '-'):<9} {f['rows_read'] or 0:>6} "
            f"{f['curated'] or 0:>7} {f['duplicates'] or 0:>5} {f['quarantined'] or 0:>5} {f['chunks'] or 0:>6} "
            f"{f['vectors'] or 0:>7}"
        )
        if f.get("error"):
            lines.append(f"  ! {f['error']}")
    t = report["totals"]
    lines.append("-" * len(head))
    lines.append(
        f"{'total':<26} {'':<11} {'':<9} {t['rows_read']:>6} {t['curated']:>7} {t['duplicates']:>5} "
        f"{t['quarantined']:>5} {t['chunks']:>6} {t['vectors']:>7}"
    )
    if report.get("this_run") is not None:
        r = report["this_run"]
        lines.append(
            f"this run: {r['files_processed']} file(s) processed, {r['files_unchanged']} unchanged, "
            f"{r['rows_recomputed']} rows recomputed, {r['embedding_calls']} texts sent to the embedding model"
        )
    lines.append("")
    for name, path in report["outputs"].items():
        lines.append(f"{name + ':':<12} {path}")
    return "\n".join(lines)
