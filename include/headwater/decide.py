"""The DAG's ``check`` and ``unchanged`` tasks: process a landing file, or skip it because nothing changed
or another run holds it.

A file is reprocessed only when its (content hash, config hash, code version) fingerprint
changed, its last attempt did not finish, or the run forces it (headwater.ledger). Before that,
the run claims the file (headwater.claims): a file another live run of the same date holds is
not written at all, and the reason ("claimed by run X until T") goes to the task log and the run
report. ``holding``/``cleaned``/``release`` keep the claim through the file's tasks, and
``link_claimed`` is the link step under claims.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from headwater.claims import CLEANED, Claims
from headwater.clean.link import date_manifests, files_to_index
from headwater.clean.steps.base import ROW_ID, SOURCE
from headwater.config.settings import Settings
from headwater.config.source import load_sources
from headwater.day_orders import DayOrders, current_warnings, refreshed, source_key
from headwater.ingest.compression import open_member
from headwater.ingest.csv_file import CsvFile, ReadAgain
from headwater.ingest.sniff import UnreadableFile
from headwater.ingest.stage import open_landing
from headwater.ingest.streams import stream_sha256
from headwater.ledger import Ledger, fingerprint
from headwater.manifest import EMPTY, OK, FileRef, check_owner, layout, summary
from headwater.storage import read_json, read_parquet, write_json


def decide(source: Any, ref: FileRef, settings: Settings, force: bool = False) -> dict[str, Any]:
    """Process or skip this file? Skips when (content, config, code) match its last finished run.

    ``source`` is the file's bytes, a binary file object (read from its current position and left
    there), or a path with ``open("rb")`` (``pathlib.Path``, Airflow's ``ObjectStoragePath``),
    opened only when needed; for a zip member (``ref.member``) it is the archive, and the hash is
    that of the member's data as stored in it. The content is hashed (sha256, block by block) only
    when the answer depends on it: the ledger holds a finished run of this file under the same
    config and code.
    A forced run, a new file, an unfinished last attempt or a config/code change is processed
    without reading a byte here; ingest then hashes the bytes while it parses them.

    A re-delivery the last run of which had records is not processed unless forced, when it is 0 bytes
    (``empty_redelivery``) or, its content changed, it would be quarantined whole
    (``unreadable_redelivery``: an HTML error page, JSON, XML or Markdown under a ``.csv`` name,
    undecodable bytes): its previous outputs are kept and the decision carries a ``warning`` for the
    run report. Reads: a file whose size (``stat()``, or the length of bytes) differs from its previous
    manifest's ``bytes`` is hashed and read by the ingest stage's reader in one pass; one of unknown or
    equal size is hashed, then, only when the hash shows a change, read by the reader in a second pass.

    A file unchanged since its last finished run is processed anyway when the day order earlier landing dates carry for
    one of its columns changed since that run (``carried_day_order_changed``, headwater.day_orders).

    Returns ``{"source", "process", "reason", "sha256", "bytes"}`` (and ``warning`` when the file is
    kept back that way): ``sha256`` (hex) and ``bytes`` (size) of the content when it was hashed,
    else None; ingest takes ``sha256`` as the hash to verify (``ingest(...,
    expected_sha256=decision["sha256"])``).
    """
    kept = None if force else empty_redelivery(source, ref, settings)
    if kept:
        return {"source": ref.source, "process": False, "reason": kept, "sha256": None, "bytes": 0, "warning": kept}
    ledger = Ledger.for_settings(settings)
    unhashed = fingerprint(None, settings)
    decision = ledger.decide(ref.source, unhashed, force)
    sha256 = size = None
    previous = None
    if decision is None:
        previous = _had_records(ref, settings)
        if previous is not None and _size_changed(source, ref, previous):
            # its size changed, so its content did: hashed and read by the ingest stage's reader in one pass
            problem, (sha256, size) = _read_as_ingest(source, ref, settings, digest=True)
        else:
            problem, (sha256, size) = _NOT_READ, _hash(source, ref.member)
        decision = ledger.decide(ref.source, replace(unhashed, sha256=sha256), force)
        assert decision is not None  # the content was given
        # hashed and to be processed: the content changed under the same config and code (never forced here)
        kept = None
        if decision.process and previous is not None:
            if problem is _NOT_READ:  # the same size: changed after all, so a second pass reads it as ingest would
                problem = unreadable(source, ref, settings)
            kept = _kept_back(previous, problem) if problem else None
        if kept:
            return {"source": ref.source, "process": False, "reason": kept, "sha256": sha256, "bytes": size, "warning": kept}
    if not decision.process and previous is not None:
        carried = carried_day_order_changed(ref, settings, previous)
        if carried:
            return {"source": ref.source, "process": True, "reason": carried, "sha256": sha256, "bytes": size}
    return {"source": ref.source, "process": decision.process, "reason": decision.reason, "sha256": sha256, "bytes": size}


def carried_day_order_changed(ref: FileRef, settings: Settings, manifest: dict[str, Any]) -> str | None:
    """Why a file the ledger finds unchanged must be processed again because of another date (breaker6 #15), or None.

    A column whose file showed no day order was read in the order the source's column proved on the latest earlier
    landing date, or month first when none had (the manifest's ``value_formats.dayfirst_from``, headwater.day_orders).
    When the earlier dates now give another order (an earlier date run since, out of order or in parallel, or
    re-delivered), the file is processed again so it reads as a run in date order would; when they give the same one it
    stays skipped (a rerun is a no-op). A column its own values proved (``dayfirst_proven``) is read as they say, but
    its DAY ORDER CHANGED verdict (``dayfirst_differs_from``) is against the latest earlier proof: when that verdict
    would differ now (an earlier date that proved the other order ran after it), the file is processed again too, its
    data the same, its warning and ``dayfirst_differs_from`` as a run in date order writes them (breaker7 #10).
    ``manifest``: the file's (its last run read records: ``_had_records``); the state
    database and the source config are read only for a file with such columns.
    """
    formats = manifest.get("value_formats") or {}
    carried = formats.get("dayfirst_from") or {}
    proven = formats.get("dayfirst_proven") or {}
    if not carried and not proven:
        return None
    config = load_sources(settings.config_dir).for_file(ref.table_name)
    now = DayOrders.for_settings(settings).earlier(source_key(config, ref.table_name), ref.date)

    def said(order: bool | None) -> str:
        return "month first, the default (no earlier date had shown it)" if order is None else ("day first" if order else "month first")

    def shown(col: str) -> str:
        return f" ({now[col]['date']}, {now[col]['file']} line {now[col]['line']}: {now[col]['value']})" if col in now else ""

    for col, was in sorted(carried.items()):
        before = None if was is None else bool(was["dayfirst"])
        after = now[col]["dayfirst"] if col in now else None
        if before != after:
            return (f"the day order earlier dates showed for {col} changed since its last run: read {said(before)} then, "
                    f"{said(after)} now{shown(col)}")
    differs = formats.get("dayfirst_differs_from") or {}
    for col, own in sorted(proven.items()):
        # its own values decide its data; its DAY ORDER CHANGED verdict depends on the earlier dates (breaker7 #10)
        then = differs.get(col, {}).get("earlier")
        alarm_now = col in now and bool(now[col]["dayfirst"]) != bool(own["dayfirst"])
        same = (then is None and not alarm_now) or (then is not None and alarm_now and then["date"] == now[col]["date"]
                                                     and then["file"] == now[col]["file"])
        if not same:
            mine = "day first" if own["dayfirst"] else "month first"
            verdict = "no longer holds" if then is not None and not alarm_now else "is due"
            before = f"{'day first' if then['dayfirst'] else 'month first'} ({then['date']}, {then['file']})" if then else "none differing"
            return (f"the day order earlier dates showed for {col} changed since its last run: {before} then, "
                    f"{said(now[col]['dayfirst']) if col in now else 'none'} now{shown(col)}, where this file's own values show "
                    f"{mine} (line {own['line']}: {own['value']}): its DAY ORDER CHANGED warning {verdict} (its values are "
                    "read as they say)")
    return None


_NOT_READ = "not read"  # the file was hashed, not read by the ingest stage's reader (decide)


def _size_changed(source: Any, ref: FileRef, previous: dict[str, Any]) -> bool:
    """Whether ``source`` (not a zip member) has a known size other than the ``bytes`` its previous manifest recorded:
    then its content changed, whatever its hash (the manifest's ``bytes`` and ``sha256`` are those of the same read)."""
    size = _size(source) if ref.member is None else None
    return size is not None and previous.get("bytes") is not None and size != int(previous["bytes"])


def empty_redelivery(source: Any, ref: FileRef, settings: Settings) -> str | None:
    """Why a 0-byte landing file is not processed over a previous run that had records, else None.

    A 0-byte file has no header, so it cannot be a table "with no rows today" (a header-only file
    is, and is processed); over a file that had records it is the mark of a failed export (an
    exporter that crashed after opening its output, a shell ``>``). Processing it would empty the
    file's curated table and vectors, so the previous outputs are kept and the reason says so; a
    forced run (``force``) processes it. Zip members and sources whose size is unknown are not checked.
    """
    if ref.member is not None or _size(source) != 0:
        return None
    previous = read_json(layout(settings, ref.date).manifest(ref.key))
    rows = int((previous or {}).get("rows_read") or 0)
    if not rows or previous.get("file") != ref.name:
        return None
    return (f"0-byte re-delivery of a file that had {rows} data record(s) (run {previous.get('run_id') or 'unknown'}): "
            "not processed, its previous outputs are kept — deliver the file again (a header-only file for a day "
            "without rows), or force the run to empty it")


def _had_records(ref: FileRef, settings: Settings) -> dict[str, Any] | None:
    """The file's manifest when its last processing run read data records from it (status ok), else None."""
    previous = read_json(layout(settings, ref.date).manifest(ref.key)) or {}
    if previous.get("file") != ref.name or previous.get("status") != OK or not int(previous.get("rows_read") or 0):
        return None
    return previous


def unreadable_redelivery(source: Any, ref: FileRef, settings: Settings) -> str | None:
    """Why a changed re-delivery that would be quarantined whole is not processed over a previous run that had
    records, else None.

    An error page saved under the table's name, a JSON/XML/Markdown export, bytes no text encoding
    fits: processing it would quarantine the file and delete its curated rows and vectors, and the
    good data of the date would be gone until the exporter runs again. So the previous outputs are
    kept and the reason (with the reader's own, ``UnreadableFile``) says so; a forced run
    (``force``) processes it and quarantines it.

    The check is the ingest stage's own reader run over the whole file (``unreadable``), made only for
    a file whose content changed since a run that had records. ``decide`` makes it in the pass that
    hashes the file when the file's size differs from the ``bytes`` of its previous manifest (the
    content changed, whatever the hash); a change that keeps the size is found by the hash, and the
    file is then read a second time here. ``source`` as for ``decide``.
    """
    previous = _had_records(ref, settings)
    if previous is None:
        return None
    problem = unreadable(source, ref, settings)
    return _kept_back(previous, problem) if problem else None


def _kept_back(previous: dict[str, Any], problem: str) -> str:
    """``unreadable_redelivery``'s reason: the file would be quarantined whole for ``problem`` over ``previous`` (its manifest)."""
    return (f"re-delivery quarantined whole ({problem}) over a file that had {int(previous['rows_read'])} data record(s) "
            f"(run {previous.get('run_id') or 'unknown'}): not processed, its previous outputs are kept — deliver the file "
            "again, or force the run to quarantine it and empty its outputs")


def unreadable(source: Any, ref: FileRef, settings: Settings) -> str | None:
    """The reason the ingest stage would quarantine ``source`` whole (``UnreadableFile``'s message), or None when it reads.

    Reads the file as ``headwater.ingest.stage.ingest`` does (the source's read options, decompression, the CSV
    reader over every batch, starting over when the reader asks to: ``ReadAgain``), writing nothing.
    ``source``: bytes, a binary file object (read from its position) or a path opened here; for a zip member the archive.
    """
    return _read_as_ingest(source, ref, settings)[0]


def _read_as_ingest(source: Any, ref: FileRef, settings: Settings, digest: bool = False) -> tuple[str | None, tuple[str, int] | None]:
    """(``unreadable``'s answer, with ``digest`` the (sha256 hex, size in bytes) of the file as stored, else None).

    With ``digest`` the hash is that of the pass the reader made (``LandingStream.digest``, read on to the end when
    the reader stopped early, e.g. at an HTML page's first line): the file is read once for both, as ingest hashes
    the bytes it parses. ``source`` as for ``unreadable``.
    """
    if hasattr(source, "open") and not hasattr(source, "read"):
        with source.open("rb") as stream:
            return _read_as_ingest(stream, ref, settings, digest)
    landing, options = open_landing(source, ref, settings)
    with landing:
        problem = None
        try:
            reader = CsvFile(landing, ref.name, options)
            while True:
                try:
                    for _ in reader.batches(settings.batch_rows):
                        pass
                    break
                except ReadAgain:
                    reader.restart()
        except UnreadableFile as exc:
            problem = str(exc)
        return problem, landing.digest() if digest else None


def _size(source: Any) -> int | None:
    """The size in bytes of ``source`` (bytes, or a path with ``stat()``), None for a file object or when unknown."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return len(source)
    if hasattr(source, "read") or not hasattr(source, "stat"):
        return None
    try:
        return int(source.stat().st_size)
    except (OSError, AttributeError, TypeError, ValueError):
        return None


def _hash(source: Any, member: str | None) -> tuple[str, int]:
    """(sha256 hex, size in bytes) of ``source`` (bytes, a binary file object, or a path opened here), or of
    the stored data of zip member ``member`` in it."""
    if hasattr(source, "open") and not hasattr(source, "read"):
        with source.open("rb") as stream:
            return _hash(stream, member)
    if member is None:
        return stream_sha256(source)
    data, _ = open_member(source, member)
    return stream_sha256(data)


def mark_unchanged(ref: FileRef, settings: Settings, reason: str, warning: str | None = None) -> dict[str, Any]:
    """Record on the existing manifest that this run skipped the file; nothing else is touched but its day-order
    warnings (``day_order_warnings``), computed again from the state database (headwater.day_orders.current_warnings):
    another date run since may have made one untrue or due.

    ``warning`` (e.g. ``empty_redelivery``'s reason) is kept as the manifest's ``check_warnings`` until the
    next run that processes or skips the file without one; the run report lists it with the file's warnings.

    Raises KeyCollision when the manifest under the file's key was written for another landing file.
    """
    lay = layout(settings, ref.date)
    manifest = read_json(lay.manifest(ref.key)) or {"source": ref.source, "file": ref.name, "date": ref.date, "status": "missing"}
    check_owner(manifest, ref, lay.manifest(ref.key))  # another file's outputs under this key: fail, never report them as this file's
    manifest.update(action="unchanged", reason=reason, checked_by=ref.run_id, check_warnings=[warning] if warning else [])
    if "clean" in manifest.get("stages", {}):  # the day-order warnings as the state database gives them now (breaker7 #11b)
        manifest = refreshed(manifest, current_warnings(settings, ref.table_name, ref.date, ref.name, manifest))
    write_json(lay.manifest(ref.key), manifest)
    return summary(manifest)


LOCAL_RUN = "headwater_local_run"  # the run conf key headwater_local.run_date sets: one token per `headwater run`


def run_owner(run_id: str, conf: dict[str, Any] | None) -> str:
    """The claim owner of a DAG run: its run id, plus ``+<token>`` when its conf carries ``LOCAL_RUN``.

    ``headwater run`` (headwater_local.run_date) creates the run the scheduler would, with the
    scheduler's run id (``scheduled__<date>``), and a second ``headwater run`` of the date replaces it
    under the same id: by run id alone, two of them at once, or one beside the scheduler's run of the
    date in another metadata database, would own each other's claims and both write a file. The token
    (one per invocation, kept when the run is cleared) makes each its own owner; runs the scheduler or
    the REST API create carry none and keep their run id as owner.
    """
    token = (conf or {}).get(LOCAL_RUN)
    return f"{run_id}+{token}" if token else run_id


def claim(ref: FileRef, settings: Settings, owner: str, task: str, dry_run: bool = False) -> str | None:
    """Claim ``ref`` for DAG run ``owner`` (``task``: who asks, e.g. ``process_file.check[3]``) before anything is written.

    None when the run holds the file now (new, taken over from an expired lease, or its own claim
    re-entered); otherwise the reason it must not write it, ``claimed by run X (task) until T``
    (headwater.claims). A dry run writes nothing, so it only looks at the holder.
    """
    claims = Claims.for_settings(settings)
    if dry_run:
        held = claims.holder(ref.date, ref.name)
        live = held is not None and held.run_id != owner and held.expires_at > claims.clock()
        return held.reason if live else None
    outcome = claims.claim(ref.date, ref.name, owner, task)
    return None if outcome.won else outcome.claim.reason


@contextmanager
def holding(refs: list[FileRef], settings: Settings, owner: str, task: str, phase: str | None = None) -> Iterator[None]:
    """Renew ``owner``'s claims on ``refs`` as a task starts (``phase``: None keeps it), and every third of
    the lease while the block runs. Raises ClaimLost before the block when another run took one over."""
    claims = Claims.for_settings(settings)
    for ref in refs:
        claims.renew(ref.date, ref.name, owner, task, phase)
    with claims.renewing([(ref.date, ref.name) for ref in refs], owner):
        yield


def cleaned(refs: list[FileRef], settings: Settings, owner: str, task: str) -> None:
    """Mark ``owner``'s claims on ``refs`` CLEANED: their clean result is final (cleaned, or quarantined whole),
    so another run's link step need not wait for them. Raises ClaimLost as ``holding``."""
    claims = Claims.for_settings(settings)
    for ref in refs:
        claims.renew(ref.date, ref.name, owner, task, CLEANED)


def release(refs: list[FileRef], settings: Settings, owner: str) -> None:
    """Release ``owner``'s claims on ``refs`` (their group ended); another run's claims are left alone."""
    claims = Claims.for_settings(settings)
    for ref in refs:
        claims.release(ref.date, ref.name, owner)


def release_run(settings: Settings, owner: str) -> int:
    """Release every claim DAG run ``owner`` still holds (its run ended); the number released."""
    return Claims.for_settings(settings).release_run(owner)


def link_claimed(files: list[dict[str, Any]], settings: Settings, run_key: str, owner: str, task: str,
                 sleep: Callable[[float], None] = time.sleep) -> list[dict[str, Any]]:
    """The link step of DAG run ``owner`` (``run_key``: this attempt, headwater.events.run_key) under claims.

    1. Waits until no other run's live claim on the dates of ``files`` is still WRITING (its clean
       result not final): the link step compares every cleaned file of a date, so it must see
       theirs (at most one lease when that run died). Those claims are logged.
    2. Links (``headwater.clean.link.files_to_index``), rewriting a changed file only when this run
       holds its claim or can take it (a file another run holds is rewritten by that run's link
       step, to the same outcome: both saw every file cleaned).
    3. Names, in each manifest of those dates, the other files with the same content (``same_content``),
       rewriting only the manifests this run holds or can claim.
    4. Renews this run's claims on the files it hands on to chunk and embed.

    Returns files_to_index's answer.
    """
    claims = Claims.for_settings(settings)
    dates = {f["date"] for f in files}
    for waited in claims.wait_cleaned(dates, owner, sleep=sleep):
        print(f"{waited.date}/{waited.file}: waited for run {waited.run_id} to finish cleaning it (the link step reads it)")

    def may_write(date: str, name: str) -> bool:
        return claims.claim(date, name, owner, task).won

    out = files_to_index(files, settings, run_key, may_write=may_write)
    for source in same_content(dates, settings, may_write):
        print(f"{source}: its copies under other names changed (same_content_as in its manifest)")
    for source in same_table(dates, settings, may_write):
        print(f"{source}: the other files of its table name changed (same_table_as in its manifest)")
    claims.extend([(f["date"], f["file"]) for f in out], owner)
    return out


SAME_CONTENT = "same_content_as"  # the manifest key: the other landing files (sources) holding this file's content


def same_content(dates: Iterable[str], settings: Settings, may_write: Callable[[str, str], bool] = lambda date, name: True) -> list[str]:
    """Name, in each manifest of ``dates``, the other landing files with the same content (``same_content_as``:
    their sources, sorted; the run report warns, headwater.report.same_content_warning). Returns the sources
    whose manifest was rewritten.

    Two files with the same sha256 are almost surely one delivery twice: a browser's re-download
    name (``orders (1).csv``), a copy in another source's folder, or a plain file and its gzip copy.
    Both stay processed (when unsure, keep the data and say so): under ``dedup.scope: file`` (the
    default) their rows are curated twice, under ``run``/``history`` the later copy's rows are
    exact duplicates of the first (headwater.clean.link). Compared: files whose last run read records
    (status ok); on one date, every two of them with the same ``sha256``, and a plain and a compressed
    file (``orders.csv``, ``orders.csv.gz``: the same table name, another compression, the same
    header and counts) whose curated rows are equal but for their ids and source; across dates,
    through the ledger (finished runs, ``Ledger.with_content``), two files with the same ``sha256``
    under different table names (the same name on two dates is a daily snapshot, not a copy).
    A file of another date is named here but its own manifest is rewritten when its date runs.

    ``may_write(date, name)`` is asked before a changed manifest is written (the link step's claim:
    headwater.decide.link_claimed); a manifest whose content changed since it was read is left alone.
    """
    days = sorted(set(dates))
    manifests = {f"{day}/{name}": m for day in days for name, m in date_manifests(layout(settings, day)).items()
                 if m.get("source") == f"{day}/{name}"}
    read = {source: m for source, m in manifests.items() if m.get("status") == OK and int(m.get("rows_read") or 0) and m.get("sha256")}
    same: dict[str, set[str]] = {source: set() for source in manifests}
    by_sha: dict[str, list[str]] = {}
    for source, m in read.items():
        by_sha.setdefault(str(m["sha256"]), []).append(source)
    for entry in Ledger.for_settings(settings).with_content(by_sha) if by_sha else []:
        if entry.source.split("/", 1)[0] not in days and entry.fingerprint.sha256:
            by_sha[entry.fingerprint.sha256].append(entry.source)
    copies = {source: {source} for source in read}  # one date's copies of one content: the same sha256, or decompressed alike
    for a, b in [*((a, b) for group in by_sha.values() for a in group for b in group if a in read and b in read and _day(a) == _day(b)),
                 *_decompressed_pairs(read, settings)]:
        if copies[a] is not copies[b]:
            merged = copies[a] | copies[b]
            for source in merged:
                copies[source] = merged
    for source, group in copies.items():
        same[source] |= group - {source}
    for group in by_sha.values():  # across dates: the same bytes under another table name
        for a in group:
            if a in same:
                same[a] |= {b for b in group if _day(b) != _day(a) and _table(b) != _table(a)}
    written = []
    for source, others in sorted(same.items()):
        day, name = source.split("/", 1)
        if sorted(others) == sorted(manifests[source].get(SAME_CONTENT) or []) or not may_write(day, name):
            continue
        path = layout(settings, day).manifest(FileRef(day, name).key)
        manifest = read_json(path) or {}
        if manifest.get("source") != source or manifest.get("sha256") != manifests[source].get("sha256"):
            continue  # rewritten since it was read: by another run, which names its copies itself
        if others:
            manifest[SAME_CONTENT] = sorted(others)
        else:
            manifest.pop(SAME_CONTENT, None)
        write_json(path, manifest)
        written.append(source)
    return written


def _day(source: str) -> str:
    return source.split("/", 1)[0]


def _table(source: str) -> str:
    day, name = source.split("/", 1)
    return FileRef(day, name).table_name


def _decompressed_pairs(read: dict[str, dict[str, Any]], settings: Settings) -> list[tuple[str, str]]:
    """Pairs of ``read``'s sources of one date, one stored compressed and one not (or compressed otherwise), with the
    same table name, header and counts, whose curated tables are equal but for ``_row_id`` and ``_source`` (read only
    for such pairs)."""
    counts = ("rows_read", "records", "curated", "duplicates", "quarantined")
    groups: dict[tuple[str, str], list[str]] = {}
    for source in sorted(read):
        groups.setdefault((_day(source), _table(source)), []).append(source)
    pairs = [(a, b) for group in groups.values() for i, a in enumerate(group) for b in group[i + 1 :]]
    found = []
    for a, b in pairs:
        ma, mb = read[a], read[b]
        if ma.get("compression") == mb.get("compression") or ma.get("header") != mb.get("header") \
                or any(ma.get(k) != mb.get(k) for k in counts) or "clean" not in ma.get("stages", {}) or "clean" not in mb.get("stages", {}):
            continue
        ta, tb = (_rows(settings, source) for source in (a, b))
        if list(ta.columns) == list(tb.columns) and ta.equals(tb):
            found.append((a, b))
    return found


def _rows(settings: Settings, source: str) -> Any:
    """The curated table of ``source`` without the columns its name goes into (``_row_id``, ``_source``)."""
    day, name = source.split("/", 1)
    table = read_parquet(layout(settings, day).curated(FileRef(day, name).key))
    return table.drop(columns=[c for c in (ROW_ID, SOURCE) if c in table.columns]).reset_index(drop=True)


SAME_TABLE = "same_table_as"  # the manifest key: the date's other landing files of this file's table name, and whether their rows agree


def table_folded(name: str) -> str:
    """A landing record's table name up to letter case (``Orders.csv.gz`` -> ``orders.csv``): two records of one date
    with the same folded name are two versions of one table (breaker9 #2)."""
    return FileRef("", name).table_name.casefold()


def same_table(dates: Iterable[str], settings: Settings, may_write: Callable[[str, str], bool] = lambda date, name: True) -> list[str]:
    """Name, in each manifest of ``dates``, the other landing files of its date with its table name up to compression
    suffix or letter case (``orders.csv``, ``orders.csv.gz``, ``Orders.csv``: ``table_folded``), and whether their rows
    agree (``same_table_as``: a list of ``{"source", "rows_agree", "rows_only_here", "rows_only_there", "why"}`` sorted by
    source; the run report warns, headwater.report.same_table_warnings). Returns the sources whose manifest was rewritten.

    Both files stay processed (when unsure, keep the data and say so): the user must say which is the delivery.
    ``rows_agree`` (``compare_rows``): True when their data rows, curated and duplicates together, are the same multiset
    (ids, source and line numbers aside) and as many rows were quarantined; False with the counts of rows each holds that
    the other does not; None with ``why`` when a file has no rows to compare (not cleaned, quarantined whole, failed).
    ``may_write`` as ``same_content``.
    """
    written = []
    for day in sorted(set(dates)):
        lay = layout(settings, day)
        manifests = {name: m for name, m in date_manifests(lay).items() if m.get("source") == f"{day}/{name}"}
        groups: dict[str, list[str]] = {}
        for name in sorted(manifests):
            groups.setdefault(table_folded(name), []).append(name)
        found: dict[str, list[dict[str, Any]]] = {name: [] for name in manifests}
        for group in groups.values():
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    agree, only_a, only_b, why = compare_rows(settings, day, a, manifests[a], b, manifests[b])
                    found[a].append({"source": f"{day}/{b}", "rows_agree": agree, "rows_only_here": only_a, "rows_only_there": only_b, "why": why})
                    found[b].append({"source": f"{day}/{a}", "rows_agree": agree, "rows_only_here": only_b, "rows_only_there": only_a, "why": why})
        for name, entries in sorted(found.items()):
            entries.sort(key=lambda e: e["source"])
            if entries == (manifests[name].get(SAME_TABLE) or []) or not may_write(day, name):
                continue
            path = lay.manifest(FileRef(day, name).key)
            manifest = read_json(path) or {}
            if manifest.get("source") != f"{day}/{name}" or manifest.get("sha256") != manifests[name].get("sha256"):
                continue  # rewritten since it was read: by another run, which names them itself
            if entries:
                manifest[SAME_TABLE] = entries
            else:
                manifest.pop(SAME_TABLE, None)
            write_json(path, manifest)
            written.append(f"{day}/{name}")
    return written


def compare_rows(settings: Settings, day: str, a: str, ma: dict[str, Any], b: str, mb: dict[str, Any]) -> tuple[bool | None, int, int, str | None]:
    """(rows agree, rows of ``a`` not in ``b``, rows of ``b`` not in ``a``, why not compared) for two cleaned files of ``day``.

    A file's rows: its curated table and its duplicates table (a row the link step made a cross-file duplicate of
    the other is still one of its rows), the columns not starting with ``_`` (data, ``<col>__raw``, ``<col>__reason``),
    every value as text, compared as multisets. Rows agree when those multisets are equal and both files quarantined
    as many rows; other column names make every row differ. A file that is not ``ok`` or ``empty`` with its clean
    stage done is not compared: (None, 0, 0, "<source>: <status>")."""
    rows = []
    for name, m in ((a, ma), (b, mb)):
        if m.get("status") not in (OK, EMPTY) or "clean" not in (m.get("stages") or {}):
            return None, 0, 0, f"{day}/{name}: {m.get('status') or 'missing'}{'' if 'clean' in (m.get('stages') or {}) else ', not cleaned'}"
        rows.append(_data_rows(settings, day, name, m))
    (cols_a, count_a), (cols_b, count_b) = rows
    if cols_a != cols_b:
        return False, sum(count_a.values()), sum(count_b.values()), None
    only_a, only_b = count_a - count_b, count_b - count_a
    agree = not only_a and not only_b and int(ma.get("quarantined") or 0) == int(mb.get("quarantined") or 0)
    return agree, sum(only_a.values()), sum(only_b.values()), None


def _data_rows(settings: Settings, day: str, name: str, manifest: dict[str, Any]) -> tuple[list[str], Any]:
    """(sorted data column names, Counter of rows as tuples of text) of a cleaned file: curated and duplicate rows."""
    lay = layout(settings, day)
    key = FileRef(day, name).key
    if manifest.get("status") != OK:
        return [], Counter()
    frames = [read_parquet(lay.curated(key))]
    if int(manifest.get("duplicates") or 0):
        frames.append(read_parquet(lay.duplicates(key)))
    columns = sorted(c for c in frames[0].columns if not str(c).startswith("_"))
    counts: Counter = Counter()
    for frame in frames:
        part = frame.reindex(columns=columns).astype("string").fillna("\x00missing")
        counts.update(map(tuple, part.itertuples(index=False, name=None)))
    return columns, counts


def held_elsewhere(checked: Any) -> list[dict[str, Any]]:
    """The decisions of the ``check`` tasks that found their file claimed by another run (``"claimed": True``).

    ``checked``: what pulling every ``check`` instance's return value gives: a list of batches
    (each a list of decision dicts), one batch's list alone when there was one instance (Airflow
    returns a single value then), None entries for instances that returned nothing, or None.
    """
    batches = [checked] if checked and isinstance(checked[0], dict) else checked or []
    return [d for batch in batches for d in batch or [] if d.get("claimed")]


def reported_elsewhere(names: list[str], skipped: list[dict[str, Any]], held: set[tuple[str, str]], date: str) -> bool:
    """True when this run has nothing of its own to report for ``date``: no file of the date went through
    this run (``names`` empty) and every skipped file of the date is one another run holds (``held``: the
    (date, file) pairs of ``held_elsewhere``).

    The date's run report and its Pushgateway group are then the holding run's to write: a report of
    claimed-only files written last would replace the counts of the run that processed them.
    """
    return not names and bool(skipped) and all((date, s.get("file")) in held for s in skipped)
