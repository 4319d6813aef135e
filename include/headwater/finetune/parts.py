"""Per-landing-file export parts, so a fine-tune export reads only the tables that changed.

Each landing file with a chunk or curated table has one *part*: its export lines (sorted by id),
content-addressed under ``Layout.finetune_part``. The parts' index (``Layout.finetune_parts_index``,
one per set of export options) maps every part id (``<date>/<file key>``) to the file's
*fingerprint* and its part. The fingerprint is cheap to compute, nothing is read but the file's
manifest: the manifest's fingerprint (content hash, config hash, code version), run key and status,
plus the size, mtime and inode of the two tables (any rewrite changes them). A part is rebuilt,
reading that file's tables only, when its fingerprint changed; it is removed when the file has no
table any more (it was quarantined, or its outputs were deleted).

``update_parts`` checks either the landing files the asset events name (``changed``) or, with
``changed=None`` (a manual run, the first export), every file that has a table. ``assemble``
merges the parts by id into the export the pipeline reads: the same bytes as a full export of
the same tables (ids carry their landing file, see headwater.finetune.examples).

Order of writes, so a crash at any point leaves a consistent index: new parts first (new names),
then the index (atomic rename), then the parts it no longer names are deleted.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from headwater import SCHEMA_VERSION, __version__
from headwater.config.finetune import ExportOptions
from headwater.finetune.examples import ExportResult, example_id, file_examples, to_jsonl
from headwater.layout import Layout, file_key
from headwater.storage import is_remote, read_json, write_bytes, write_json

# Bumped whenever what a part holds changes (the Example format, the field rules): every part is rebuilt.
PARTS_FORMAT = "1"


def options_key(options: ExportOptions) -> str:
    """The folder of the parts of one set of options: ``fields-all``, ``fields-none``, ``fields-text-min3``."""
    return f"fields-{options.fields}" + (f"-min{options.min_words}" if options.fields == "text" else "")


def part_id(date: str, key: str) -> str:
    """``2026-11-20`` + ``SUPPORT_TICKETS.csv`` -> ``2026-11-20/SUPPORT_TICKETS.csv`` (date, then file key)."""
    return f"{date}/{key}"


def source_part_id(source: str) -> str:
    """The part id of a landing file named as in manifests and asset events (``<date>/<file name>``)."""
    date, _, name = source.partition("/")
    if not date or not name:
        raise ValueError(f"{source!r}: a landing file is named <YYYY-MM-DD>/<file name>")
    return part_id(date, file_key(name))


def _split(pid: str) -> tuple[str, str]:
    date, _, key = pid.partition("/")
    return date, key


def _stat(path: Path) -> list[int | str] | None:
    """(size, mtime_ns, inode) of a local file; (size, ETag) of an object on object storage, whose
    ETag changes with every PUT. None when it does not exist."""
    try:
        if is_remote(path):
            info = path.fs.info(path.path)
            return [int(info["size"]), str(info.get("ETag", ""))]
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def file_state(layout: Layout, key: str) -> dict[str, Any] | None:
    """What a landing file's part depends on, without reading a table: its manifest's fingerprint, run key
    and status, and its chunk and curated tables' (size, mtime_ns, inode). None when it has no table."""
    tables = {"chunks": _stat(layout.chunks(key)), "curated": _stat(layout.curated(key))}
    if tables == {"chunks": None, "curated": None}:
        return None
    manifest = read_json(layout.manifest(key)) or {}
    return {
        "manifest": {k: manifest.get(k) for k in ("fingerprint", "run_id", "status")},
        "tables": tables,
    }


def fingerprint(state: dict[str, Any], okey: str) -> str:
    """sha256 of a file's state, the export options and the part format (any change rebuilds the part)."""
    payload = {"state": state, "options": okey, "format": PARTS_FORMAT, "code": __version__, "schema": SCHEMA_VERSION}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


@dataclass
class PartsIndex:
    """The parts of one set of export options (``Layout.finetune_parts_index``).

    ``parts``: part id -> ``{"fingerprint", "sha256", "count", "chunks", "fields"}``; ``events_until``:
    the newest ``headwater-curated`` event already applied (ISO time; None before any); ``export``: the
    last assembled export (``{"sha256", "count", "chunks", "fields", "parts_digest"}``).
    """

    options: str
    parts: dict[str, dict[str, Any]] = field(default_factory=dict)
    events_until: str | None = None
    export: dict[str, Any] | None = None
    format: str = PARTS_FORMAT

    @classmethod
    def load(cls, layout: Layout, okey: str) -> PartsIndex | None:
        """The index, or None when there is none (or it was written by another parts format)."""
        data = read_json(layout.finetune_parts_index(okey))
        if not data or data.get("format") != PARTS_FORMAT:
            return None
        return cls(**data)

    def save(self, layout: Layout) -> None:
        write_json(layout.finetune_parts_index(self.options), asdict(self))

    def part_path(self, layout: Layout, pid: str) -> Path:
        date, key = _split(pid)
        return layout.finetune_part(self.options, date, key, self.parts[pid]["sha256"])

    def parts_digest(self) -> str:
        """sha256 over the (part id, part sha256) pairs: equal digests, equal exports."""
        pairs = sorted((pid, p["sha256"]) for pid, p in self.parts.items())
        return hashlib.sha256(json.dumps(pairs).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PartsUpdate:
    """What ``update_parts`` did: ``mode`` ``events`` (only the files the events named) or ``full`` (every
    file), the part ids ``checked``, ``rebuilt`` and ``removed``, and the table paths ``read``."""

    mode: str
    checked: list[str]
    rebuilt: list[str]
    removed: list[str]
    read: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> dict[str, Any]:
        """The XCom-sized view: the mode and the counts (``checked``, ``rebuilt``, ``removed``, ``tables_read``)."""
        return {"mode": self.mode, "checked": len(self.checked), "rebuilt": len(self.rebuilt),
                "removed": len(self.removed), "tables_read": len(self.read)}

    def describe(self, names: int = 20) -> str:
        """One log line, e.g. ``events: 3 file(s) checked, 1 part(s) rebuilt (2 table(s) read), 0 removed;
        rebuilt 2026-11-21/tickets.csv`` (at most ``names`` part ids per list)."""

        def listed(verb: str, ids: list[str]) -> str:
            more = f" and {len(ids) - names} more" if len(ids) > names else ""
            return f"; {verb} {', '.join(ids[:names])}{more}" if ids else ""

        return (f"{self.mode}: {len(self.checked)} file(s) checked, {len(self.rebuilt)} part(s) rebuilt "
                f"({len(self.read)} table(s) read), {len(self.removed)} removed"
                + listed("rebuilt", self.rebuilt) + listed("removed", self.removed))


def _every_file(layout: Layout, index: PartsIndex | None) -> set[str]:
    """Every file with a chunk or curated table (two directory listings), and every file already in the index."""
    found = {part_id(d, k) for area in ("chunks", "curated") for d, k in layout.table_keys(area)}
    return found | set(index.parts if index else ())


def update_parts(data_dir: Path, options: ExportOptions = ExportOptions(), changed: Iterable[str] | None = None,
                 events_until: str | None = None) -> tuple[PartsIndex, PartsUpdate]:
    """Bring the parts up to date and return the new index and what was done.

    ``changed``: the landing files (``<date>/<file name>``) the asset events since the last export
    name; None checks every file. The first export of a set of options always checks every file.
    ``events_until`` (ISO time) is recorded as the newest event applied; None keeps the previous one.
    Raises ValueError for a malformed source name or a table that lacks the export's columns.
    """
    layout = Layout(data_dir)
    okey = options_key(options)
    before = PartsIndex.load(layout, okey)
    full = changed is None or before is None
    ids = _every_file(layout, before) if full else {source_part_id(s) for s in changed}
    index = PartsIndex(okey, dict(before.parts) if before else {}, before.events_until if before else None,
                       before.export if before else None)
    rebuilt, removed, read, stale = [], [], [], []
    for pid in sorted(ids):
        date, key = _split(pid)
        lay = layout.on(date)
        state = file_state(lay, key)
        old = index.parts.get(pid)
        if state is None:
            if old:
                stale.append(index.part_path(layout, pid))
                del index.parts[pid]
                removed.append(pid)
            continue
        fp = fingerprint(state, okey)
        if old and old["fingerprint"] == fp and index.part_path(layout, pid).exists():
            continue
        found = file_examples(lay, key, options)
        payload = to_jsonl(found.examples)
        sha = hashlib.sha256(payload).hexdigest()
        path = layout.finetune_part(okey, date, key, sha)
        if not path.exists():
            write_bytes(path, payload)
        if old and old["sha256"] != sha:
            stale.append(index.part_path(layout, pid))
        index.parts[pid] = {"fingerprint": fp, "sha256": sha, "count": len(found.examples),
                            "chunks": found.chunks, "fields": found.fields}
        rebuilt.append(pid)
        read += [str(p) for p in found.read]
    if events_until is not None:
        index.events_until = events_until
    if index.parts or before is not None:  # no data and no index yet: leave the data root untouched
        index.save(layout)
    for path in stale:
        path.unlink(missing_ok=True)
    if full:  # parts left by a writer that crashed before its index was saved
        named = {index.part_path(layout, pid) for pid in index.parts}
        for path in layout.finetune_parts(okey).glob("date=*/*.jsonl"):
            if path not in named:
                path.unlink()
    return index, PartsUpdate("full" if full else "events", sorted(ids), rebuilt, removed, read)


def _lines(path: Path) -> Iterator[tuple[str, bytes]]:
    with path.open("rb") as fh:  # local or on object storage
        for line in fh:
            if line.strip():
                yield example_id(line), line


def assemble(data_dir: Path, index: PartsIndex) -> ExportResult:
    """The export the pipeline reads, merged from the index's parts by id (``Layout.finetune_export``).

    Reads the parts only (never a table), and nothing at all when the parts are those of the last
    assembled export and its file exists. Writes ``Layout.finetune_export_parts`` beside it (which
    part each landing file contributed) for ``changed_parts``. Raises ValueError when there is no part.
    """
    layout = Layout(data_dir)
    if not index.parts:
        raise ValueError(f"no curated data under {data_dir} (chunks/ and curated/ are empty): run headwater_ingest first")
    digest = index.parts_digest()
    last = index.export
    if last and last["parts_digest"] == digest and layout.finetune_export(last["sha256"]).exists():
        return ExportResult(layout.finetune_export(last["sha256"]), last["count"], last["chunks"], last["fields"], last["sha256"])

    if layout.remote:  # assembled locally, then published in one PUT
        scratch = None
    else:
        scratch = layout.finetune_examples
        scratch.mkdir(parents=True, exist_ok=True)
        for stale in scratch.glob(".assembling-*"):  # left by a killed writer (one run at a time)
            stale.unlink(missing_ok=True)
    sha, count, previous = hashlib.sha256(), 0, None
    fd, tmp = tempfile.mkstemp(dir=scratch, prefix=".assembling-", suffix=".jsonl")
    try:
        with os.fdopen(fd, "wb") as out:
            merged = heapq.merge(*(_lines(index.part_path(layout, pid)) for pid in sorted(index.parts)), key=lambda x: x[0])
            for eid, line in merged:
                if eid == previous:  # ids carry their landing file: two parts never share one
                    raise ValueError(f"example id {eid} is in two parts of {layout.finetune_parts(index.options)}")
                previous = eid
                out.write(line)
                sha.update(line)
                count += 1
            out.flush()
            os.fsync(out.fileno())
        target = layout.finetune_export(sha.hexdigest())
        if target.exists():
            os.unlink(tmp)
        elif layout.remote:
            target.fs.put_file(tmp, target.path)
            os.unlink(tmp)
        else:
            os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    chunks = sum(p["chunks"] for p in index.parts.values())
    fields = sum(p["fields"] for p in index.parts.values())
    result = ExportResult(target, count, chunks, fields, sha.hexdigest())
    write_json(layout.finetune_export_parts(result.sha256),
               {"options": index.options, "parts": {pid: p["sha256"] for pid, p in sorted(index.parts.items())}})
    index.export = {"sha256": result.sha256, "count": count, "chunks": chunks, "fields": fields, "parts_digest": digest}
    index.save(layout)
    return result


def changed_parts(data_dir: Path, export_sha256: str, since_sha256: str) -> list[Path] | None:
    """The parts of export ``export_sha256`` that export ``since_sha256`` did not have (new or changed
    landing files): a file whose part is unchanged adds no example. None when either export was not
    assembled from parts (no ``Layout.finetune_export_parts``)."""
    layout = Layout(data_dir)
    now = read_json(layout.finetune_export_parts(export_sha256))
    then = read_json(layout.finetune_export_parts(since_sha256))
    if now is None or then is None:
        return None
    # equal part hashes, equal bytes: whatever the options, a part the last export had adds nothing new
    return [layout.finetune_part(now["options"], *_split(pid), sha)
            for pid, sha in sorted(now["parts"].items()) if then["parts"].get(pid) != sha]
