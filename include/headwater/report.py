"""The run report of one logical date: every file's manifest, the totals, the accounting check, and the skipped files.

``read = curated + duplicates + quarantined`` must hold for every file; a file that breaks it,
failed, never finished ingest, or whose output key holds another file's manifest is listed in
``failed`` and fails the run. Files of the landing folder that are not processed (discovery.scan)
are listed in ``skipped`` with their reasons.
"""

from __future__ import annotations

from typing import Any

from headwater.config.settings import Settings
from headwater.manifest import OK, QUARANTINED, STAGES, FileRef, KeyCollision, check_owner, layout, summary
from headwater.storage import read_json, write_json


def report(
    date: str, names: list[str], settings: Settings, run_id: str = "", skipped: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """Aggregate the manifests of the date's files into a run report; flag any row not accounted for.

    ``run_id`` separates work done by this run from files it found unchanged: the
    ``this_run`` counters (rows recomputed, embedding calls) only count the former. ``skipped``:
    the date's landing files that were not processed, as ``{"file", "reason"}`` (discovery.Skipped).
    """
    lay = layout(settings, date)
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
        try:
            check_owner(manifest, ref, lay.manifest(ref.key))
        except KeyCollision as exc:  # never count another file's rows as this one's
            manifest = {"source": ref.source, "file": name, "date": date, "status": "failed", "error": str(exc)}
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
        "skipped": [{"file": s["file"], "reason": s["reason"]} for s in sorted(skipped or [], key=lambda s: s["file"])],
        "outputs": {
            "curated": str(lay.curated_dir),
            "quarantine": str(lay.quarantine_dir),
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
    for s in report.get("skipped", []):
        lines.append(f"skipped: {s['file']} — {s['reason']}")
    lines.append("")
    for name, path in report["outputs"].items():
        lines.append(f"{name + ':':<12} {path}")
    return "\n".join(lines)
