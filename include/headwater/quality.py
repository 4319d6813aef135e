"""What the "Data quality" view shows, read from the run reports and manifests the stages write.

Three shapes, all plain dicts/lists of JSON values (the Airflow plugin in plugins/headwater_quality
renders them; nothing here imports Airflow):

* ``day(settings, date)``: the date's files with read/curated/duplicates/quarantined, status and
  reasons (the file's error, its warnings, and its quarantined rows counted by reason);
* ``file_detail(settings, date, key)``: one file's column mapping (original → standardized →
  canonical), its coercion failures (per column: count, declared type, a few kept raw values with
  their line) and a sample of its quarantined rows with their reasons;
* ``history(settings, end, days)``: per source (the source config's name) and date, the counts of
  the ``days`` dates ending at ``end``, for the plot.

Sources: ``headwater.report.report`` (``Layout.report()``), ``headwater.manifest`` (``Layout.manifest``),
the quarantine rows (``Layout.quarantine_rows``: ``{"line", "reason", "raw"}`` per row) and the
curated table's ``<col>__raw`` columns (``headwater.clean.steps.coerce_types``).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date as date_cls
from datetime import timedelta
from pathlib import Path
from typing import Any

from headwater.config.settings import Settings
from headwater.manifest import FileRef, layout
from headwater.storage import read_json, read_jsonl

COUNTS = ("rows_read", "curated", "duplicates", "quarantined")
SAMPLE_ROWS = 20  # quarantined rows shown on a file's page
RAW_EXAMPLES = 5  # kept raw values shown per column with coercion failures
# "people.csv line 1042: 7 fields, header has 6 — row quarantined" -> the reason without file and line
_WHERE = re.compile(r"^.*? line \d+:\s*")


def reason_class(reason: str) -> str:
    """A quarantine reason without the file and line it names (rows with one cause then count together)."""
    return _WHERE.sub("", reason, count=1)


def dates(settings: Settings) -> list[str]:
    """The dates that have a run report, newest first."""
    return sorted(layout(settings).report_dates(), reverse=True)


def day(settings: Settings, date: str) -> dict[str, Any]:
    """The date's file table from its run report, or ``{"date", "report": False, "files": []}`` when there is none.

    Each file: ``file``, ``key``, ``source`` (source config name), ``status``, the ``COUNTS``,
    ``structural_lines`` and ``reasons`` (the error, the warnings, then ``"<n> × <reason>"`` per
    quarantine reason, most frequent first). ``no_landing_files`` is the report's own flag.
    """
    lay = layout(settings, date)
    report = read_json(lay.report())
    if report is None:
        return {"date": date, "report": False, "no_landing_files": False, "files": [], "totals": {}, "skipped": []}
    files = []
    for f in report["files"]:
        key = _key(f)
        manifest = read_json(lay.manifest(key)) or {}
        reasons = [*([f["error"]] if f.get("error") else []), *(f.get("warnings") or [])]
        counted = Counter(reason_class(r.get("reason") or "") for r in read_jsonl(lay.quarantine_rows(key)))
        reasons += [f"{n} × {reason}" for reason, n in counted.most_common()]
        files.append({
            "file": f["file"],
            "key": key,
            "source": (manifest.get("source_config") or {}).get("name") or manifest.get("schema") or "-",
            "status": f["status"],
            **{k: int(f.get(k) or 0) for k in COUNTS},
            "structural_lines": int(f.get("structural_lines") or 0),
            "reasons": reasons,
        })
    return {
        "date": date,
        "report": True,
        "no_landing_files": bool(report.get("no_landing_files")),
        "files": files,
        "totals": {k: int(report["totals"].get(k) or 0) for k in COUNTS},
        "skipped": report.get("skipped") or [],
    }


def _key(report_file: dict[str, Any]) -> str:
    return FileRef(report_file["date"], report_file["file"]).key


def file_detail(settings: Settings, date: str, key: str) -> dict[str, Any] | None:
    """One file's page: mapping, coercion failures, quarantined rows; None when the date has no such manifest.

    ``columns``: the manifest's ``{"original", "standardized", "canonical", "method", "score"}`` entries;
    ``coercion``: ``{"column", "type", "failures", "examples": [{"line", "raw"}]}`` per column with
    failures; ``quarantined``: the first ``SAMPLE_ROWS`` rows ``{"line", "reason", "raw"}`` and
    ``quarantined_total``; ``file_quarantine``: the whole-file quarantine record, if any.
    """
    lay = layout(settings, date)
    manifest = read_json(lay.manifest(key))
    if manifest is None:
        return None
    failures = {c: int(n) for c, n in (manifest.get("coercion_failures") or {}).items() if int(n)}
    examples = _raw_examples(lay.curated(key), list(failures)) if failures else {}
    rows = read_jsonl(lay.quarantine_rows(key))
    return {
        "date": date,
        "key": key,
        "file": manifest.get("file", key),
        "source": (manifest.get("source_config") or {}).get("name") or manifest.get("schema") or "-",
        "status": manifest.get("status"),
        "error": manifest.get("error"),
        **{k: int(manifest.get(k) or 0) for k in COUNTS},
        "columns": [
            {k: c.get(k) for k in ("original", "standardized", "canonical", "method", "score")}
            for c in manifest.get("columns") or []
        ],
        "coercion": [
            {"column": c, "type": (manifest.get("column_types") or {}).get(c, "-"), "failures": n, "examples": examples.get(c, [])}
            for c, n in sorted(failures.items())
        ],
        "quarantined_rows": [{"line": r.get("line"), "reason": r.get("reason"), "raw": r.get("raw")} for r in rows[:SAMPLE_ROWS]],
        "quarantined_total": len(rows),
        "file_quarantine": read_json(lay.quarantine_file(key)),
    }


def _raw_examples(curated: Path, columns: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Up to ``RAW_EXAMPLES`` kept raw values (``<col>__raw``) per column, with their source line."""
    import pyarrow.parquet as pq

    if not curated.exists():
        return {}
    names = set(pq.ParquetFile(curated).schema_arrow.names)
    wanted = [f"{c}__raw" for c in columns if f"{c}__raw" in names]
    if not wanted:
        return {}
    table = pq.read_table(curated, columns=["_line", *wanted]).to_pylist()
    out: dict[str, list[dict[str, Any]]] = {}
    for column in columns:
        raw = f"{column}__raw"
        if raw in names:
            out[column] = [{"line": r["_line"], "raw": r[raw]} for r in table if r[raw] is not None][:RAW_EXAMPLES]
    return out


def history(settings: Settings, end: str, days: int = 30) -> list[dict[str, Any]]:
    """``{"date", "source", "rows_read", "curated", "duplicates", "quarantined", "files"}`` per source and date,
    for the ``days`` dates ending at ``end`` (dates without a report are absent), oldest first."""
    last = date_cls.fromisoformat(end)
    out = []
    for n in range(days - 1, -1, -1):
        d = (last - timedelta(days=n)).isoformat()
        table = day(settings, d)
        per_source: dict[str, dict[str, Any]] = {}
        for f in table["files"]:
            row = per_source.setdefault(f["source"], {"date": d, "source": f["source"], **{k: 0 for k in COUNTS}, "files": 0})
            row["files"] += 1
            for k in COUNTS:
                row[k] += f[k]
        out += [per_source[s] for s in sorted(per_source)]
    return out
