"""The run report of one logical date: every file's manifest, the totals, the accounting check, and the skipped files.

Every physical record of a file must be accounted for (see ``accounting_error``): its data records
as ``rows_read = curated + duplicates + quarantined`` and all of them as ``records = rows_read +
structural lines`` (header, header description, preamble, blank, repeated header, sep line). A file that breaks either,
whose output key holds another file's manifest (or whose curated table another file overwrote),
that failed, or that never finished ingest is listed in ``failed`` and fails the run. A file whose
read or clean left warnings (the manifest's ``read_warnings`` and ``clean_warnings``, e.g. a header
taken without evidence, a declared type most values fail) keeps its status but carries them in ``warnings`` and is listed in ``warned_files``. Files of the
landing folder that are not processed (discovery.scan) are listed in ``skipped`` with their reasons, and the config
folder's sources that claimed none of the date's files in ``sources_without_files`` (a note: sources_without_files).

**Whole whichever run writes it.** The report covers every file with a manifest on the date, not only
the ones the writing run processed: two runs of one date (a scheduled run and a backfill, each
holding some files' claims, headwater.claims) each write the date's report, and the last one written
is complete. A file another run is still processing (its stages not all done and its claim live) is
``in_progress`` with that run named, never ``failed``. ``skipped`` stays the writing run's (a file
another run held is listed there with the claim, and reported from its manifest when it has one);
``this_run`` still counts only the writing run's work: ``files_processed``, ``files_relinked`` (a file the run
found unchanged but whose curated rows its link step rewrote, action ``relinked``: another file of its group
changed the cross-file duplicates) and ``files_unchanged``, each file under one of them.

**Cost.** The report lists the date's manifests once and reads each of them once (the writing run's
own files included), and reads the curated tables' Parquet footers (``accounting_error``), all
``headwater.clean.link.READERS`` at a time on threads: on object storage each read is a GET of
tens of ms, and read one after another they made the report of a 2,000-file date take minutes
(``bench/report_scale.py``). The day-order warnings of its files (headwater.day_orders.current_warnings) read the
source configs once and each source's day-order rows once (three SELECTs), not several queries per file (bf11: 300
files of one source, 1,500 statements and 1.1 s before, 6 and 0.15-0.4 s after).
A date whose landing folder held nothing (no file processed, none skipped) is flagged
``no_landing_files: true``; ``written_at`` (UTC, ISO 8601) says when the report was written, so a
freshness check can tell "checked, nothing came" from "not checked yet".
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from headwater.claims import Claims
from headwater.clean.link import READERS
from headwater.config.settings import Settings
from headwater.config.source import load_sources
from headwater.day_orders import current_warnings, refreshed, stored_warnings
from headwater.layout import Layout, file_key
from headwater.manifest import OK, QUARANTINED, RELINKED, STAGES, FileRef, KeyCollision, check_owner, layout, summary
from headwater.storage import each_at_once, parquet_rows, read_json, write_json

ABSENT = "absent"  # the report's action for a file with outputs on the date that is no longer in its landing folder
IN_PROGRESS = "in_progress"  # a file of the date another live run is still processing
# the order a file's stage errors are named in: the stages, with the date's link step (headwater.clean.link) between clean and chunk
ERROR_ORDER = (*STAGES[:2], "link", *STAGES[2:])


def report(
    date: str, names: list[str], settings: Settings, run_id: str = "", skipped: list[dict[str, str]] | None = None,
    whole: bool = True, landing: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Aggregate the manifests of the date's files into a run report; flag any row not accounted for.

    ``names``: the date's files this run went through (a missing manifest among them is ``missing``);
    with ``whole`` (the default) every other file with a manifest on the date is reported too (see the
    module docstring). ``run_id`` separates work done by this run from files it found unchanged: the
    ``this_run`` counters (rows recomputed, embedding calls) only count the former. ``skipped``:
    the date's landing files this run did not process, as ``{"file", "reason"}`` (discovery.Skipped).
    ``landing``: every record in the date's landing folder when this run listed it (processed or
    skipped; None: not listed). A file with outputs on the date that is no longer there (withdrawn,
    or re-delivered under another name) keeps its outputs — nothing is deleted on an absence — but
    is reported with action ``absent`` and a warning naming the run that wrote them, listed in
    ``absent_files``, and never counted as this run's work.
    """
    lay = layout(settings, date)
    by_path = _date_manifests(lay) if whole else {}
    on_date = {str(m["file"]): m for m in by_path.values() if m.get("file")}
    others = set(on_date) - set(names)
    claims = Claims.for_settings(settings) if others else None
    files, refs = [], []
    own = [n for n in names if lay.manifest(FileRef(date, n).key).name not in by_path]  # not listed: read on its own
    read_alone = dict(zip(own, each_at_once(lambda n: read_json(lay.manifest(FileRef(date, n).key)), own, READERS)))
    for name in sorted(set(names) | others):
        ref = FileRef(date, name)
        path = lay.manifest(ref.key)
        found = on_date.get(name) if name in others else (read_alone[name] if name in read_alone else by_path[path.name])
        manifest = dict(found) if found else {
            "source": ref.source,
            "file": name,
            "date": date,
            "status": "missing",
            "error": f"{ref.source}: no manifest — the ingest task never finished for this file",
        }
        try:
            check_owner(manifest, ref, path)
        except KeyCollision as exc:  # never count another file's rows as this one's
            manifest = {"source": ref.source, "file": name, "date": date, "status": "failed", "error": str(exc)}
        done = set(manifest.get("stages", {}))
        if manifest.get("status") == OK and not set(STAGES) <= done:
            manifest["status"] = "failed"
            errors = manifest.get("stage_errors") or {}
            missing = f"stages not completed: {', '.join(s for s in STAGES if s not in done)}"
            causes = [f"{stage} failed: {errors[stage]}" for stage in ERROR_ORDER if stage in errors]
            manifest["error"] = manifest.get("error") or "; ".join([*causes, missing])
        held = claims.holder(date, name) if claims is not None and name in others and manifest.get("status") == "failed" and not manifest.get("stage_errors") else None
        if held is not None and held.expires_at > claims.clock():  # not failed: another run is still at it
            manifest["status"], manifest["error"] = IN_PROGRESS, f"in progress: {held.reason}"
        files.append(manifest)
        refs.append(ref)
    # the curated tables' footers (accounting_error), READERS at a time: one GET or two each on object storage
    problems = each_at_once(lambda item: accounting_error(item[0], item[1], lay.curated(item[1].key)), zip(files, refs), READERS)
    for manifest, problem in zip(files, problems):
        # accounted: every record is known to be curated, a duplicate, quarantined or structural;
        # never true for a file whose clean did not finish (its rows are in no output yet)
        manifest["accounted"] = problem is None and (manifest.get("status") != "failed" or "clean" in manifest.get("stages", {}))
        if problem:
            manifest["error"] = f"{manifest['error']}; {problem}" if manifest.get("error") else problem
        manifest["this_run"] = bool(run_id) and manifest.get("run_id") == run_id
    present = None if landing is None else set(landing)
    sources, histories = None, {}  # the source configs and each source's day-order rows: read once per report (bf11)
    for i, manifest in enumerate(files):
        if _has_day_orders(manifest):  # as the state database gives them now: another file or date may have run since
            sources = sources or load_sources(settings.config_dir)
            now = current_warnings(settings, refs[i].table_name, date, manifest["file"], manifest, sources, histories)
            files[i] = manifest = refreshed(manifest, now)
    for manifest in files:
        if present is not None and manifest["file"] not in present and manifest["file"] in others:
            manifest["action"] = ABSENT
            manifest["landing_warnings"] = [absent_warning(manifest)]
    totals = {k: sum(int(f.get(k) or 0) for f in files) for k in ("records", "rows_read", "curated", "duplicates", "quarantined", "chunks", "vectors")}
    totals["structural"] = sum(structural_total(f) for f in files)
    mine = [f for f in files if f["this_run"]] if run_id else files
    # a file this run did not process but re-linked (its cross-file duplicates changed) is this run's work, counted apart
    relinked = [f for f in mine if f.get("action") == RELINKED]
    processed = [f for f in mine if f.get("action") != RELINKED]
    result = {
        "date": date,
        "run_id": run_id,
        "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "no_landing_files": not names and not skipped,
        "files": [
            summary(f) | {"accounted": f["accounted"], "structural_lines": structural_total(f), "warnings": file_warnings(f)}
            | ({"day_order_warnings": f["day_order_warnings"]} if f.get("day_order_warnings") else {})
            for f in files
        ],
        "totals": totals,
        "this_run": {
            "files_processed": len(processed),
            "files_relinked": len(relinked),
            "files_unchanged": sum(1 for f in files if f.get("action") == "unchanged" and f.get("checked_by") == run_id),
            "rows_recomputed": sum(int(f.get("rows_read") or 0) for f in processed),
            "embedding_calls": sum(int(f.get("embedded") or 0) for f in mine),
        },
        "failed": [f["source"] for f in files if f.get("status") in ("failed", "missing") or not f["accounted"]],
        "quarantined_files": [f["source"] for f in files if f.get("status") == QUARANTINED],
        "warned_files": [f["source"] for f in files if file_warnings(f)],
        "absent_files": [f["source"] for f in files if f.get("action") == ABSENT],
        "skipped": [{"file": s["file"], "reason": s["reason"]} for s in sorted(skipped or [], key=lambda s: s["file"])],
        "sources_without_files": sources_without_files(settings, [f["file"] for f in files if f.get("action") != ABSENT]),
        "outputs": {
            "curated": str(lay.curated_dir),
            "quarantine": str(lay.quarantine_dir),
            "vectors": str(lay.vectors),
            "report": str(lay.report()),
        },
    }
    write_json(lay.report(), result)
    return result


def _date_manifests(lay: Layout) -> dict[str, dict[str, Any]]:
    """Every manifest of ``lay``'s date, read once and ``READERS`` at a time: {its file name in the folder: manifest}."""
    folder = lay.manifests_dir()
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    return {p.name: m for p, m in zip(paths, each_at_once(read_json, paths, READERS)) if m}


def _has_day_orders(manifest: dict[str, Any]) -> bool:
    formats = manifest.get("value_formats") or {}
    return "clean" in (manifest.get("stages") or {}) and bool(formats.get("dayfirst_proven") or formats.get("dayfirst_from"))


def current_day_orders(report: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """A stored run ``report`` whose files' day-order warnings are computed again from their manifests and the state
    database (headwater.day_orders.current_warnings): a date run after it (a backfill reprocessing later dates) may have
    made one untrue or due, and ``headwater report`` shows what holds now (breaker7 #11b): the lines the manifest or the
    report held as day-order warnings (each file's ``day_order_warnings``) are replaced. ``warned_files`` follows."""
    lay = layout(settings, report["date"])
    sources, histories = None, {}  # read once per report, each source's day-order rows once (bf11)
    out = dict(report, files=[])
    for entry in report.get("files") or []:
        ref = FileRef(report["date"], entry["file"]) if entry.get("file") else None
        manifest = read_json(lay.manifest(ref.key)) if ref is not None else None
        if manifest and _has_day_orders(manifest):
            sources = sources or load_sources(settings.config_dir)
            now = current_warnings(settings, ref.table_name, report["date"], ref.name, manifest, sources, histories)
            old = set(stored_warnings(manifest)) | set(entry.get("day_order_warnings") or [])  # the manifest's, the report's
            entry = dict(entry, warnings=[w for w in entry.get("warnings") or [] if w not in old] + now, day_order_warnings=now)
        out["files"].append(entry)
    out["warned_files"] = [f["source"] for f in out["files"] if f.get("warnings")]
    return out


def refresh_day_orders(dates: Iterable[str], settings: Settings,
                       may_write: Callable[[str, str], bool] = lambda date, name: True) -> list[str]:
    """Rewrite the day-order warnings (``day_order_warnings``, also in ``clean_warnings``) of every manifest of ``dates``
    whose file has date columns read by a day order, as the state database gives them now
    (headwater.day_orders.current_warnings), and the stored run report of each date where one changed
    (``current_day_orders``). What ``headwater backfill`` does at its end (breaker8 #9): a date whose file was skipped
    before the later dates of the same backfill ran again kept "run those dates again" for dates the backfill had just
    rerun; now every date's manifest says what holds once the backfill ends, whatever order its dates ran in.

    ``may_write(date, name)`` is asked before a changed manifest is written (a caller under claims passes
    ``Claims.claim``'s answer; False leaves it as it is). Each source's day-order rows and the source configs are read
    once. Returns the sources (``<date>/<file>``) whose manifest was rewritten, in date and file order.
    """
    sources, histories = None, {}
    out = []
    for date in sorted(set(dates)):
        lay = layout(settings, date)
        changed = False
        for path_name, manifest in sorted(_date_manifests(lay).items()):
            if not manifest.get("file") or not _has_day_orders(manifest):
                continue
            ref = FileRef(date, str(manifest["file"]))
            if lay.manifest(ref.key).name != path_name:  # another file's manifest under this key: not rewritten here
                continue
            sources = sources or load_sources(settings.config_dir)
            now = current_warnings(settings, ref.table_name, date, ref.name, manifest, sources, histories)
            if "day_order_warnings" in manifest and stored_warnings(manifest) == now:
                continue
            if not may_write(date, ref.name):
                continue
            write_json(lay.manifest(ref.key), refreshed(manifest, now))
            out.append(ref.source)
            changed = True
        stored = read_json(lay.report()) if changed else None
        if stored:
            write_json(lay.report(), current_day_orders(stored, settings))
    return out


def refresh_day_orders_claimed(dates: Iterable[str], settings: Settings, owner: str, task: str) -> list[str]:
    """headwater.report.refresh_day_orders over ``dates`` under claims: a manifest is rewritten only when run ``owner``
    holds its file or can claim it (``task``: who asks), and the claims this takes are released at the end (a claim
    the run held before is released too: call it when the run's files are done, as its report task does). A file
    another live run holds is left to that run. Returns the sources rewritten.

    The end of a run over several dates (a manual run's ``date_from``..``date_to``, ``headwater backfill``): the check
    of one date may skip its file and compute its day-order warnings before a later date of the same run is processed
    again, so the lines it wrote ("run those dates again") may no longer hold once the run ends (breaker8 #9).
    """
    claims = Claims.for_settings(settings)

    def may_write(date: str, name: str) -> bool:
        return claims.claim(date, name, owner, task).won

    try:
        return refresh_day_orders(dates, settings, may_write)
    finally:
        claims.release_run(owner)


def file_warnings(manifest: dict[str, Any]) -> list[str]:
    """What a file's run left to look at: the ingest's config warning (``config_warnings``: no source claims the
    file while the config folder has sources, headwater.config.source.Sources.unclaimed_warning), the read's warnings (``read_warnings``: an encoding read again,
    a header taken without evidence, NUL bytes), the clean stage's (``clean_warnings``), the check's
    (``check_warnings``: a 0-byte or unreadable re-delivery kept back, headwater.decide.empty_redelivery and
    unreadable_redelivery), the report's own (``landing_warnings``: the file is no longer in the landing folder),
    then the other landing files with its content (``same_content_as``, headwater.decide.same_content) and the other
    files of the date with its table name (``same_table_as``, headwater.decide.same_table; same_table_warnings), then the chunk
    stage's (``chunking.warnings``: a text column the embedding model barely knows, row documents longer than the model
    reads, a rows option naming no column; breaker4 #7: they were in the manifest only)."""
    same = [same_content_warning(manifest)] if manifest.get("same_content_as") else []
    chunking = (manifest.get("chunking") or {}).get("warnings") or []
    keys = ("config_warnings", "read_warnings", "clean_warnings", "check_warnings", "landing_warnings")
    return [w for k in keys for w in manifest.get(k) or []] + same + same_table_warnings(manifest) + [
        f"chunk: {w}" for w in chunking]


def same_content_warning(manifest: dict[str, Any]) -> str:
    """The warning of a file whose content other landing files hold too (its manifest's ``same_content_as``)."""
    return (
        f"same content as {', '.join(manifest['same_content_as'])}: one delivery under two names? Both are processed, so "
        "their rows are curated twice unless dedup.scope (run, history) makes the later copy's rows duplicates — if it is "
        "a copy, remove it from the landing folder and delete its outputs (curated table, manifest, vectors)"
    )


def same_table_warnings(manifest: dict[str, Any]) -> list[str]:
    """One warning per other landing file of the date with this file's table name up to compression suffix or letter
    case (the manifest's ``same_table_as``, headwater.decide.same_table), saying whether their rows agree; none for a
    file already named in ``same_content_as`` (same_content_warning says it). Two names whose output keys differ only in
    letter case (``Orders.csv``, ``orders.csv``) are told they cannot both be written on a case-insensitive disk."""
    out = []
    copies = set(manifest.get("same_content_as") or [])
    for entry in manifest.get("same_table_as") or []:
        other = entry["source"]
        if other in copies:
            continue
        if entry.get("rows_agree") is True:
            rows = "with the same rows: one delivery twice?"
        elif entry.get("rows_agree") is False:
            rows = (f"with other rows ({entry['rows_only_there']} of its rows not in this file, "
                    f"{entry['rows_only_here']} of this file's not in it):")
        else:
            rows = f"rows not compared ({entry.get('why')}):"
        folded = file_key(other.split("/", 1)[1]).casefold() == file_key(str(manifest.get("file"))).casefold()
        disk = (" On a case-insensitive disk (macOS, Windows) the two cannot both be written: their output keys differ only in "
                "letter case, so the second is refused (its output key belongs to the first) and the run fails.") if folded else ""
        out.append(
            f"one table, two files: {other} has this file's table name up to compression suffix or letter case, {rows} "
            "both are processed and curated (one record may land twice, with other values) — keep the right delivery in the "
            f"landing folder, remove the other and delete its outputs (curated table, manifest, vectors).{disk}"
        )
    return out


def sources_without_files(settings: Settings, names: Iterable[str]) -> list[dict[str, Any]]:
    """The config folder's file sources that claim none of ``names`` (the date's landing records), as
    ``{"source", "config", "files"}`` (name, YAML file name, globs), in source order; [] without sources or when the
    config folder cannot be loaded (its error fails the files' tasks, and the report still gets written).

    A note, not a warning (it names no file and marks no file warned): Headwater does not know a source's
    cadence, and a weekly or monthly source claims nothing on most dates. A daily source listed here, or a
    file warned that no source claims it (``config_warnings``), is the sign of a glob that does not match."""
    from headwater.config.base import ConfigError

    try:
        sources = load_sources(settings.config_dir).file_sources
    except ConfigError:
        return []
    tables = [FileRef("", n).table_name for n in names]
    return [
        {"source": c.name, "config": c.path.name if c.path else None, "files": list(c.files)}
        for c in sources if not any(c.matches(t) for t in tables)
    ]


def absent_warning(manifest: dict[str, Any]) -> str:
    """The warning of a file with outputs on its date that is no longer in the date's landing folder."""
    return (
        f"no longer in the landing folder: its outputs ({int(manifest.get('curated') or 0)} curated rows, "
        f"{int(manifest.get('vectors') or 0)} vectors) from run {manifest.get('run_id') or 'unknown'} are kept and counted "
        "in the totals; if it was withdrawn or re-delivered under another name, delete its outputs "
        "(curated table, manifest, vectors) or put the file back"
    )


def structural_total(manifest: dict[str, Any]) -> int:
    """The file's structural lines (header, header description, preamble, blank, repeated header, sep line), all kinds."""
    return sum(int(n) for n in (manifest.get("structural") or {}).values())


def accounting_error(manifest: dict[str, Any], ref: FileRef, curated: Path) -> str | None:
    """What does not add up in one file's manifest, or None when every record is accounted for.

    Counts are final once the clean stage ran (or the file was quarantined whole, or had no
    record): a file whose clean never finished is not checked, its first error is the cause and it
    fails the run anyway. Whether the manifest is this file's at all is checked before
    (``manifest.check_owner``). Checks, in order: its data records are curated, duplicates or
    quarantined; its physical records are those data records plus its structural lines (manifests
    written before ``records`` existed skip this one); and the curated table holds the rows the
    manifest says (it was not overwritten by another file's).
    """
    rows_read = int(manifest.get("rows_read") or 0)
    final = manifest.get("status") == QUARANTINED or "clean" in (manifest.get("stages") or {}) or not rows_read
    if manifest.get("status") == "missing" or not final:
        return None
    outcome = int(manifest.get("curated") or 0) + int(manifest.get("duplicates") or 0) + int(manifest.get("quarantined") or 0)
    if outcome != rows_read:
        return f"{ref.source}: {rows_read} data records read, but curated + duplicates + quarantined = {outcome}"
    if "records" in manifest:
        structural = structural_total(manifest)
        if int(manifest["records"] or 0) != rows_read + structural:
            return (
                f"{ref.source}: {manifest['records']} records in the file, but {rows_read} data records + "
                f"{structural} structural lines = {rows_read + structural}: a record is unaccounted for"
            )
    if manifest.get("status") == OK:
        try:
            held = parquet_rows(curated)  # no existence check first: one request less per file on object storage
        except FileNotFoundError:
            return None
        if held != int(manifest.get("curated") or 0):
            return f"{ref.source}: the curated table holds {held} rows, the manifest says {manifest.get('curated')} — overwritten by another file?"
    return None


NAME_WIDTH = 26  # terminal columns of the file-name column of format_report


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: 0 for a combining mark or a format character (``unicodedata.combining``, category
    Mn/Me/Cf: the accent of an NFD ``é``, a zero-width joiner), 2 for a wide or full-width character
    (``unicodedata.east_asian_width`` W/F: CJK), 1 for any other (Unicode Standard Annex #11)."""
    return sum(
        0 if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf")
        else 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
        for c in text
    )


def fit(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` terminal columns (display_width; a combining mark stays with its letter) and padded
    with spaces to exactly ``width``."""
    out, used = [], 0
    for c in text:
        w = display_width(c)
        if used + w > width:
            break
        out.append(c)
        used += w
    return "".join(out) + " " * (width - used)


def escaped(name: str) -> str:
    """``name`` with every character that is not printable ASCII written as a Python escape: ``cafe\\u0301.csv`` (NFD),
    ``caf\\u00e9.csv`` (NFC)."""
    return "".join(
        c if c.isascii() and c.isprintable() else f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}" for c in name
    )


def shown_names(names: list[str]) -> list[str]:
    """How format_report names each of ``names``: as written, or escaped (``escaped``) when another name of the run looks
    alike — the same once NFKC-normalized and case-folded (NFC and NFD ``café.csv``; ``Orders.csv`` and ``orders.csv``
    differ in their case, and a name escaped changes nothing there) — so two rows never read the same (breaker5 #26)."""
    keys = [unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", n).casefold()) for n in names]
    seen: dict[str, int] = {}
    for k in keys:
        seen[k] = seen.get(k, 0) + 1
    return [escaped(n) if seen[k] > 1 else n for n, k in zip(names, keys)]


def format_report(report: dict[str, Any]) -> str:
    """A fixed-width summary table for terminals and task logs; each file's error (``!``) and warnings (``~``) below its row.

    File names are cut and padded by the columns they take on a terminal (display_width: an NFD name's accents take none, CJK
    two), and a name with a look-alike in the run (NFC and NFD ``café.csv``) is shown escaped (shown_names)."""
    head = (
        f"{'file':<26} {'status':<11} {'action':<9} {'records':>7} {'struct':>6} {'read':>6} {'curated':>7} {'dups':>5} "
        f"{'quar':>5} {'chunks':>6} {'vectors':>7} {'warn':>4}"
    )
    lines = [f"Headwater run {report['date']}", head, "-" * len(head)]
    if report.get("no_landing_files"):
        lines.insert(1, f"NO LANDING FILES for {report['date']}: nothing was ingested")
    for f, name in zip(report["files"], shown_names([str(f["file"]) for f in report["files"]])):
        lines.append(
            f"{fit(name, NAME_WIDTH)} {f['status']:<11} {(f.get('action') or '-'):<9} {f.get('records') or 0:>7} "
            f"{f.get('structural_lines') or 0:>6} {f['rows_read'] or 0:>6} {f['curated'] or 0:>7} {f['duplicates'] or 0:>5} "
            f"{f['quarantined'] or 0:>5} {f['chunks'] or 0:>6} {f['vectors'] or 0:>7} {len(f.get('warnings') or []):>4}"
        )
        if f.get("error"):
            lines.append(f"  ! {f['error']}")
        lines.extend(f"  ~ {w}" for w in f.get("warnings") or [])
    t = report["totals"]
    lines.append("-" * len(head))
    lines.append(
        f"{'total':<26} {'':<11} {'':<9} {t.get('records', 0):>7} {t.get('structural', 0):>6} {t['rows_read']:>6} "
        f"{t['curated']:>7} {t['duplicates']:>5} {t['quarantined']:>5} {t['chunks']:>6} {t['vectors']:>7} "
        f"{sum(len(f.get('warnings') or []) for f in report['files']):>4}"
    )
    if report.get("this_run") is not None:
        r = report["this_run"]
        lines.append(
            f"this run: {r['files_processed']} file(s) processed, "
            + (f"{r['files_relinked']} relinked, " if r.get("files_relinked") else "")
            + f"{r['files_unchanged']} unchanged, "
            f"{r['rows_recomputed']} rows recomputed, {r['embedding_calls']} texts sent to the embedding model"
        )
    for s in report.get("skipped", []):
        lines.append(f"skipped: {s['file']} — {s['reason']}")
    for s in report.get("sources_without_files") or []:
        lines.append(f"note: source {s['source']} ({s['config']}) claimed no file of this date (files: {', '.join(s['files'])})")
    lines.append("")
    for name, path in report["outputs"].items():
        lines.append(f"{name + ':':<12} {path}")
    return "\n".join(lines)
