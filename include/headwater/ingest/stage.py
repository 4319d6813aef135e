"""The ingest stage: one landing file -> a staging table of every record as read, bad rows quarantined.

Nothing is interpreted here (no renaming, no typing): the staging table holds every accepted
record exactly as parsed, with its physical line number, so later stages can always point back
at the source. A file that cannot be read as CSV is quarantined whole, with its bytes.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from headwater import SCHEMA_VERSION, __version__
from headwater.config.settings import Settings
from headwater.config.source import load_sources
from headwater.embed.store import VectorStore
from headwater.ingest.csv_file import CsvFile
from headwater.ingest.sniff import UnreadableFile
from headwater.ingest.streams import open_source, stream_sha256
from headwater.ledger import Ledger, fingerprint
from headwater.manifest import EMPTY, IN_PROGRESS, OK, QUARANTINED, FileRef, layout, save_stage
from headwater.storage import atomic_path, write_json


def ingest(source: Any, ref: FileRef, settings: Settings) -> dict[str, Any]:
    """Parse one landing file into a staging table; quarantine bad rows or the whole file.

    ``source`` is the raw bytes or a binary file object: it is hashed, then parsed,
    block by block, so memory does not grow with the file.
    """
    started = time.monotonic()
    lay = layout(settings, ref.date)
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
    for path in lay.outputs(ref.key):
        path.unlink(missing_ok=True)
    try:
        reader = CsvFile(stream, ref.name, load_sources(settings.config_dir).for_file(ref.name).read)
    except UnreadableFile as exc:
        manifest.update(status=QUARANTINED, error=f"{ref.name}: {exc}")
        stream.seek(origin)
        with atomic_path(lay.quarantine_raw(ref.key)) as tmp, open(tmp, "wb") as raw:
            shutil.copyfileobj(stream, raw)
        write_json(lay.quarantine_file(ref.key), {"source": ref.source, "reason": manifest["error"], "sha256": manifest["sha256"]})
        # It was quarantined since it was last embedded: its vectors go too.
        VectorStore(lay.vectors, settings.vector_table).delete_source(ref.source)
        ledger.record(ref.source, fp, QUARANTINED, {"rows_read": 0})
        return save_stage(settings, ref, manifest, "ingest", started)

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
        # where ingest's rows end in the quarantine file: clean appends its own rows after them
        ingest_quarantined=issues,
        ingest_quarantine_bytes=lay.quarantine_rows(ref.key).stat().st_size,
        ingest_batches=batches,
        status=OK if rows_read else EMPTY,
    )
    return save_stage(settings, ref, manifest, "ingest", started)
