"""The ingest stage: one landing file -> a staging table of every record as read, bad rows quarantined.

Nothing is interpreted here (no renaming, no typing): the staging table holds every accepted
record exactly as parsed, with its physical line number, so later stages can always point back
at the source. A file that cannot be read as CSV is quarantined whole, with its bytes.

The landing file is read once per attempt: hashed, decoded and parsed in the same pass
(csv_file.CsvFile over a streams.LandingStream). Only two rare cases read it again, and the
manifest's ``landing_reads`` counts them: a file whose head looked like UTF-8 but whose later
bytes are not (read again with the fallback encoding; ``read_warnings`` says so), and a file
quarantined whole after its first bytes (its bytes are copied to quarantine from the start).

Compressed files (gzip, bzip2, zstd, xz, a zip archive under a table's name) are decompressed inside
that pass, and a member of a ``.zip`` landing file is read from its archive: the hash and the
quarantined bytes are those of the data as stored, the rows those of the plain table. Before any
output is written the file claims its output key (manifest.claim_key), so two landing files never
write the same paths.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict
from typing import Any

import pyarrow.parquet as pq

from headwater import SCHEMA_VERSION, __version__
from headwater.config.read import ReadOptions
from headwater.config.settings import Settings
from headwater.config.source import Sources, load_sources
from headwater.discovery import compression_of
from headwater.ingest.compression import open_member
from headwater.ingest.csv_file import CsvFile, ReadAgain, staging_schema
from headwater.ingest.sniff import UnreadableFile
from headwater.ingest.streams import LandingStream
from headwater.layout import Layout
from headwater.ledger import Fingerprint, Ledger, fingerprint
from headwater.manifest import EMPTY, IN_PROGRESS, OK, QUARANTINED, FileRef, check_owner, claim_key, layout, save_stage
from headwater.storage import atomic_path, read_json, write_json

log = logging.getLogger("headwater.ingest")


def ingest(source: Any, ref: FileRef, settings: Settings, expected_sha256: str | None = None) -> dict[str, Any]:
    """Parse one landing file into a staging table; quarantine bad rows or the whole file.

    ``source`` is the raw bytes or a binary file object (read from its current position; the
    caller closes it); for a zip member (``ref.member``) it is the archive, seekable and at its
    start. It is read once, block by block, so memory does not grow with the file: the bytes are
    hashed (sha256) as the parser reads them, decompressed (when compressed) and decoded strictly
    as it goes.
    ``expected_sha256`` is the hash the DAG's ``check`` task computed (``decide(...)["sha256"]``),
    or None when check did not need to hash the file (new file, forced run, ...).

    The manifest (``sha256``, ``bytes``, ``fingerprint``) and the ledger always hold the hash of
    the bytes this attempt actually read, which are the bytes its outputs come from. When that
    hash differs from ``expected_sha256`` (the file was replaced between check and ingest), the
    attempt still processes what it read: the manifest gets ``content_changed_after_check``
    (``{"check_sha256": ..., "ingest_sha256": ...}``) and the task log a warning with both hashes.
    That outcome is correct and idempotent: the outputs belong to the recorded hash, so the next
    run's check skips the file if it still has those bytes and reprocesses it if it changed
    again; nothing is ever skipped against a hash whose bytes were not processed, and a retry of
    this task (same ``expected_sha256``) again records what it reads.

    A file no source claims while the config folder has file sources is read with the defaults: the manifest's
    ``config_warnings`` says so when a source's glob is close to its name (a typo), ``config_notes`` otherwise
    (headwater.config.source.Sources.unclaimed).

    Returns ``summary(manifest)``. Raises what reading ``source`` or writing the outputs raises
    (OSError); KeyCollision, before anything is written, when another landing file of the date owns
    this file's output key; FileNotFoundError when the zip archive has no such member any more. A
    file that cannot be read as CSV is not an error but the outcome "quarantined".
    """
    started = time.monotonic()
    lay = layout(settings, ref.date)
    claim_key(settings, ref)
    previous = read_json(lay.manifest(ref.key))
    if previous is not None:  # written before key claims existed, or by a claim-less writer: still this file's?
        check_owner(previous, ref, lay.manifest(ref.key))
    ledger = Ledger.for_settings(settings)
    # A crash from here on means "reprocess next time"; an unfinished entry is reprocessed whatever its
    # hash, so until the file is read it holds check's hash ("" when check did not hash the file).
    ledger.record(ref.source, fingerprint(expected_sha256 or "", settings), IN_PROGRESS)
    manifest: dict[str, Any] = {
        "source": ref.source,
        "file": ref.name,
        "date": ref.date,
        "key": ref.key,
        "run_id": ref.run_id,
        "action": "processed",
        "reason": None,
        "fingerprint": None,
        "sha256": None,
        "bytes": None,
        "compression": None,
        "schema_version": SCHEMA_VERSION,
        "code_version": __version__,
        "status": OK,
        "error": None,
        "rows_read": 0,
        "records": 0,
        "structural": {},
        "curated": 0,
        "duplicates": 0,
        "quarantined": 0,
        "chunks": 0,
        "vectors": 0,
        "embedded": 0,
        "stages": {},
    }
    # A re-run replaces everything this file produced before.
    for path in lay.outputs(ref.key):
        path.unlink(missing_ok=True)
    sources = load_sources(settings.config_dir)
    # read with the defaults while sources exist (breaker9 #5): a warning when a glob is close (a typo), else a note
    unclaimed, close = sources.unclaimed(ref.table_name, ref.name)
    manifest["config_warnings"] = [unclaimed] if unclaimed and close else []
    manifest["config_notes"] = [unclaimed] if unclaimed and not close else []
    landing, options = open_landing(source, ref, settings, sources)
    with landing:
        try:
            reader = CsvFile(landing, ref.name, options)
            rows_read, issues, batches = _stage(reader, ref, lay, settings.batch_rows)
        except UnreadableFile as exc:
            manifest.update(status=QUARANTINED, error=f"{ref.name}: {exc}", compression=landing.compression)
            with atomic_path(lay.quarantine_raw(ref.key)) as tmp, open(tmp, "wb") as raw:
                landing.copy_stored(raw)  # a new pass only when the parse got past the first bytes
            fp = _record_content(manifest, landing, ref, settings, expected_sha256)
            write_json(lay.quarantine_file(ref.key), {"source": ref.source, "reason": manifest["error"], "sha256": manifest["sha256"]})
            # It was quarantined since it was last embedded: its vectors go too. Imported here: the store brings pandas and
            # SQLAlchemy (about 50 MB resident), which a file that reads as CSV never needs in this stage.
            from headwater.embed.store import VectorStore

            VectorStore.for_settings(settings).delete_source(ref.source)
            ledger.record(ref.source, fp, QUARANTINED, {"rows_read": 0})
            return save_stage(settings, ref, manifest, "ingest", started)
        fp = _record_content(manifest, landing, ref, settings, expected_sha256)
    ledger.record(ref.source, fp, IN_PROGRESS)  # the hash of the bytes read; embed records the outcome
    structure = reader.structure
    manifest.update(
        compression=landing.compression,
        encoding=reader.encoding,
        delimiter=reader.delimiter,
        read_warnings=_compression_warnings(ref, landing.compression) + reader.warnings,
        **({"invalid_utf8_lines": reader.invalid_utf8_lines} if reader.invalid_utf8_lines else {}),
        **({"encoding_ambiguous": reader.encoding_ambiguous} if reader.encoding_ambiguous else {}),
        **({"encoding_reason": reader.encoding_reason} if reader.encoding_reason else {}),
        header=reader.header,
        table=reader.describe(),
        rows_read=rows_read,
        records=structure.records,
        lines=reader.lines_read,
        structural=dict(structure.counts),
        structural_lines=structure.lines,
        quarantined=issues,
        # where ingest's rows end in the quarantine file: clean appends its own rows after them
        ingest_quarantined=issues,
        ingest_quarantine_bytes=lay.quarantine_rows(ref.key).stat().st_size,
        ingest_batches=batches,
        status=OK if rows_read else EMPTY,
    )
    return save_stage(settings, ref, manifest, "ingest", started)


def open_landing(source: Any, ref: FileRef, settings: Settings, sources: Sources | None = None) -> tuple[LandingStream, ReadOptions]:
    """(the landing file ``ref`` as the ingest reader reads it, the read options of the source config that claims it):
    ``source`` (bytes or a binary file object; for a zip member the archive) decompressed under those options. The
    options carry the standardized column names and aliases the source's schema declares (ReadOptions.known_names;
    empty without a schema), which CsvFile takes as header evidence. The stream is a context manager the caller
    closes. Raises what ``open_member`` raises for a zip without the member. ``sources``: the config folder's sources
    when the caller loaded them (else loaded here)."""
    config = (sources or load_sources(settings.config_dir)).for_file(ref.table_name)
    member = None
    if ref.member is not None:
        source, member = open_member(source, ref.member)
    options = config.read.declaring(config.schema.known_names if config.schema is not None else ())
    return LandingStream.for_options(source, options, member), options


def _compression_warnings(ref: FileRef, found: str | None) -> list[str]:
    """A line for the manifest when the bytes are not compressed as the name says (they are read as they are)."""
    named = compression_of(ref.name) if ref.member is None else None
    if named and found != named:
        return [f"named as {named} but the bytes are {found or 'not compressed'}: read as they are"]
    if found and ref.member is None and not named:
        return [f"{found} data under an uncompressed name: decompressed"]
    return []


def _stage(reader: CsvFile, ref: FileRef, lay: Layout, batch_rows: int) -> tuple[int, int, int]:
    """Write the records to the staging Parquet file and the bad rows to the quarantine file: (rows read, rows quarantined, batches).

    Batches of ``batch_rows`` records go straight to Parquet row groups and the quarantine file,
    both written through temporary names: when the reader must start over (ReadAgain), the
    abandoned attempt's rows vanish with its temporary files before the file is read again.
    """
    while True:
        try:
            return _write_batches(reader, ref, lay, batch_rows)
        except ReadAgain:
            reader.restart()


# The staging table is a hand-over between two stages, read once by clean: written plain (no dictionary, no compression).
# Writing a 100,000-row batch of the bench file took 0.107 s of CPU with pyarrow's defaults (dictionary + snappy),
# 0.087 s without the dictionary and 0.031 s plain, for a file 2x larger (about the CSV's size).
STAGING_WRITE = {"use_dictionary": False, "compression": "none"}


def _write_batches(reader: CsvFile, ref: FileRef, lay: Layout, batch_rows: int) -> tuple[int, int, int]:
    schema = staging_schema(len(reader.header))
    rows_read = issues = batches = 0
    with atomic_path(lay.staging(ref.key)) as tmp, atomic_path(lay.quarantine_rows(ref.key)) as qtmp:
        with pq.ParquetWriter(tmp, schema, **STAGING_WRITE) as writer, open(qtmp, "w", encoding="utf-8") as quarantine:
            for batch in reader.batches(batch_rows):
                writer.write_table(batch.table)
                for i in batch.issues:
                    row = {"source": ref.source, "line": i.line, "stage": "ingest", "reason": i.reason, "raw": i.raw}
                    quarantine.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
                rows_read += batch.table.num_rows + len(batch.issues)
                issues += len(batch.issues)
                batches += 1
                del batch  # not held while the reader fills the next one
    return rows_read, issues, batches


def _record_content(manifest: dict[str, Any], landing: LandingStream, ref: FileRef, settings: Settings, expected: str | None) -> Fingerprint:
    """Put the hash and size of the bytes read (and how many passes that took) in the manifest; return their fingerprint."""
    sha256, size = landing.digest()
    fp = fingerprint(sha256, settings)
    manifest.update(sha256=sha256, bytes=size, fingerprint=asdict(fp), landing_reads=landing.passes)
    if expected and expected != sha256:
        manifest["content_changed_after_check"] = {"check_sha256": expected, "ingest_sha256": sha256}
        log.warning(
            "%s changed between check and ingest: check hashed sha256 %s, ingest read sha256 %s (%d bytes); "
            "the bytes read by ingest are the ones processed and recorded",
            ref.source, expected, sha256, size,
        )
    return fp
