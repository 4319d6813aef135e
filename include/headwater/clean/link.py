"""The date's link step: duplicates across files, once every file of the date is cleaned.

Why a step per date and not per file: a file can only be compared with files that were already
cleaned, and the mapped clean tasks of a date run in any order, so a per-file comparison with
"the files before it" depends on which task finished first. This step runs after all of them
(headwater_ingest's ``link`` task, before chunk and embed) and compares the files in one fixed
order, so the curated rows are the same whatever order the tasks ran in, and a re-run writes the
same bytes.

* **Which files**: only files of the same source mapped to the same canonical schema (without a
  schema: the same column names) are compared: ``x,y`` in one file never matches ``p,q`` in another.
* **Order**: earlier dates win (their curated tables, within ``dedup.history_days``, when
  ``dedup.scope`` is ``history``), then file name, then line. A row is a duplicate when it matches a
  kept row of another file that comes before it (the leader rule, headwater.clean.dedup.pairs).
* **Jobs**: the file's three jobs, in order: exact, near-duplicate text, record linkage, with the
  source's ``dedup`` settings; their duplicates are recorded with ``_dedup_job`` = ``cross_file_<job>``.
* **Idempotent**: the step starts from each file's own clean result (its curated rows plus the
  rows an earlier link run moved away) and rewrites the curated and duplicates Parquet and the
  manifest only when the outcome changed.
"""

from __future__ import annotations

import time
from datetime import date as _date
from typing import Any

import numpy as np
import pandas as pd

from headwater.clean.dedup.columns import Vetoes, decide_roles
from headwater.clean.dedup.exact import exact_keys
from headwater.clean.dedup.matching import Matches, link, near_text, text_signatures
from headwater.clean.dedup.pairs import block_pairs, leaders, unique_pairs
from headwater.clean.steps.base import DEDUP_COLUMNS, DEDUP_JOB, DUPLICATE_OF, LINE, ROW_ID
from headwater.config.settings import Settings
from headwater.config.source import SourceConfig, load_sources
from headwater.layout import Layout, file_key
from headwater.manifest import OK, FileRef, layout
from headwater.storage import atomic_path, read_json, write_json

CROSS = "cross_file_"
EXACT_BLOCK_CAP = 10_000  # rows sharing one content key compared with its first 10,000 only


def group_key(manifest: dict[str, Any]) -> tuple[str, str]:
    """(source name, canonical schema) of a cleaned file: files compare only within one group.

    Without a schema the column names stand for it (``columns:a,b,c``).
    """
    source = (manifest.get("source_config") or {}).get("name") or "default"
    if manifest.get("schema"):
        return source, f"schema:{manifest['schema']}"
    names = [c.get("canonical") or c.get("standardized") for c in manifest.get("columns", [])]
    return source, "columns:" + ",".join(str(n) for n in names)


def _cleaned(lay: Layout, name: str) -> dict[str, Any] | None:
    manifest = read_json(lay.manifest(file_key(name)))
    if not manifest or manifest.get("status") != OK or "clean" not in manifest.get("stages", {}):
        return None
    return manifest


def _own_rows(lay: Layout, key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the file's clean result: curated rows plus rows a link run moved away, by line; its within-file duplicates)."""
    curated = pd.read_parquet(lay.curated(key))
    path = lay.duplicates(key)
    dups = pd.read_parquet(path) if path.exists() else pd.DataFrame()
    if len(dups) and DEDUP_JOB in dups.columns:
        moved = dups[DEDUP_JOB].astype(str).str.startswith(CROSS)
        back = dups[moved].drop(columns=[c for c in DEDUP_COLUMNS if c in dups.columns])
        dups = dups[~moved]
        if len(back):
            curated = pd.concat([curated, back[[c for c in curated.columns if c in back.columns]]], ignore_index=True)
            curated = curated.sort_values(LINE, kind="stable").reset_index(drop=True)
    return curated, dups.reset_index(drop=True)


def _history(settings: Settings, date: str, group: tuple[str, str], days: int) -> list[pd.DataFrame]:
    """Curated tables of earlier dates (within ``days``) in ``group``: oldest date first, then file name."""
    root = layout(settings)
    found = []
    current = _date.fromisoformat(date)
    for day, key in root.table_keys("curated"):
        try:
            age = (current - _date.fromisoformat(day)).days
        except ValueError:
            continue
        if not 0 < age <= days:
            continue
        lay = root.on(day)
        manifest = read_json(lay.manifest(key))
        if manifest and manifest.get("status") == OK and group_key(manifest) == group:
            found.append((day, manifest.get("file", key), lay.curated(key)))
    return [pd.read_parquet(path) for _, _, path in sorted(found)]


def cross_file_matches(tables: list[pd.DataFrame], current: list[bool], config: SourceConfig) -> tuple[pd.DataFrame, list[Matches | None]]:
    """Run the three jobs over ``tables`` (precedence order) allowing only pairs of two different
    tables whose later row belongs to a ``current`` table. Returns the combined table and, per job
    (exact, near_text, linkage; None when off), the matches over its rows."""
    combined = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    n = len(combined)
    owner = np.repeat(np.arange(len(tables)), [len(t) for t in tables])
    is_current = np.repeat(np.array(current, dtype=bool), [len(t) for t in tables])

    def allow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (owner[a] != owner[b]) & is_current[b]

    opts = config.dedup
    columns = {c: combined[c] for c in combined.columns}
    roles = decide_roles(columns, config.declared_types, opts.text.columns, opts.text.min_chars, opts.text.min_words)
    counters = set(roles.counters)
    for t in tables:  # a counter rises within each file, not across them
        per_file = decide_roles({c: t[c].reset_index(drop=True) for c in t.columns}, config.declared_types, opts.text.columns,
                                opts.text.min_chars, opts.text.min_words)
        counters |= set(per_file.counters)
    kept = np.ones(n, dtype=bool)
    results: list[Matches | None] = []
    # exact: the same content key
    if opts.exact and n:
        codes = pd.factorize(pd.Series(exact_keys(combined)))[0].astype(np.int64)
        a, b, _ = block_pairs(codes, EXACT_BLOCK_CAP, big="leaders")
        a, b = unique_pairs(a, b)
        ok = allow(a, b)
        rule = leaders(n, a[ok], b[ok], np.ones(int(ok.sum())), kept)
        exact = Matches.none(n)
        dup = rule.partner >= 0
        exact.partner[dup], exact.similarity[dup] = rule.partner[dup], 1.0
        for row in np.nonzero(dup)[0].tolist():
            exact.evidence[row] = "every data column equal"
        kept &= ~dup
        results.append(exact)
    else:
        results.append(None)
    vetoing = [c for c in roles.vetoing(set(opts.may_differ)) if c not in counters]
    text = list(roles.text)
    if opts.text.enabled and text and n:
        vetoes = Vetoes.build(columns, vetoing, set(roles.numeric), opts.linkage.numeric_tolerance)
        sig8, bands, valid = text_signatures(columns, text, opts.text)
        found = near_text(sig8, bands, valid, vetoes, opts.text, text, allow, kept)
        kept &= found.partner < 0
        results.append(found)
    else:
        results.append(None)
    if opts.linkage.fields and n:
        fields = set(opts.linkage.fields)
        vetoes = Vetoes.build(columns, [c for c in vetoing if c not in fields], set(roles.numeric), opts.linkage.numeric_tolerance)
        found = link(columns, n, opts.linkage, vetoes, allow, kept)
        results.append(found)
    else:
        results.append(None)
    return combined, results


def files_to_index(files: list[dict[str, Any]], settings: Settings, run_id: str) -> list[dict[str, Any]]:
    """Run ``link_date`` for each date of ``files`` (discovery's {date, file}); return the summaries
    ({date, file, ...}) of the cleaned files that chunk and embed must process: those cleaned by
    ``run_id`` and those whose curated rows the link step changed in this call."""
    by_date: dict[str, list[str]] = {}
    for f in files:
        by_date.setdefault(f["date"], []).append(f["file"])
    out = []
    for date in sorted(by_date):
        lay = layout(settings, date)
        before = {n: (read_json(lay.manifest(file_key(n))) or {}).get("cross_file") for n in by_date[date]}
        link_date(date, by_date[date], settings)
        for name in sorted(by_date[date]):
            manifest = _cleaned(lay, name)
            if manifest is None:
                continue
            if manifest.get("run_id") == run_id or manifest.get("cross_file") != before[name]:
                out.append({"date": date, "file": name, "source": f"{date}/{name}"})
    return out


def link_date(date: str, names: list[str], settings: Settings, sources: Any = None) -> dict[str, int]:
    """Find the duplicates across the cleaned files ``names`` of ``date`` (and earlier dates); move
    them from each file's curated table to its duplicates; returns {file name: cross-file duplicates}.

    ``sources`` (headwater.config.source.Sources) defaults to the YAML files of ``settings.config_dir``.
    Files that were not cleaned (quarantined, empty, failed) are left out.
    """
    lay = layout(settings, date)
    sources = sources or load_sources(settings.config_dir)
    groups: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for name in sorted(set(names)):
        manifest = _cleaned(lay, name)
        if manifest is not None:
            groups.setdefault(group_key(manifest), []).append((name, manifest))
    moved: dict[str, int] = {}
    for group, members in sorted(groups.items()):
        config = sources.for_file(members[0][0])
        opts = config.dedup
        own = {name: _own_rows(lay, file_key(name)) for name, _ in members}
        history = _history(settings, date, group, opts.history_days) if opts.scope == "history" else []
        tables = history + [own[name][0] for name, _ in members]
        current = [False] * len(history) + [True] * len(members)
        decided: dict[str, pd.DataFrame] = {name: pd.DataFrame() for name, _ in members}
        if opts.scope != "file" and len(members) + len(history) > 1:
            combined, results = cross_file_matches(tables, current, config)
            decided = _decisions(combined, results, [name for name, _ in members], len(history), [len(t) for t in tables])
        for name, manifest in members:
            moved[name] = _write(lay, FileRef(date, name), manifest, own[name], decided[name])
    return moved


def _decisions(combined: pd.DataFrame, results: list[Matches | None], names: list[str], skip: int, sizes: list[int]) -> dict[str, pd.DataFrame]:
    """Per current file: its rows that are cross-file duplicates, with the bookkeeping columns."""
    row_ids = combined[ROW_ID].astype(str).to_numpy(dtype=object)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    out = {}
    for k, name in enumerate(names):
        lo, hi = int(starts[skip + k]), int(starts[skip + k + 1])
        rows, cols = [], {c: [] for c in DEDUP_COLUMNS}
        for job, found in zip(("exact", "near_text", "linkage"), results):
            if found is None:
                continue
            for row in found.duplicates[(found.duplicates >= lo) & (found.duplicates < hi)].tolist():
                partner = row_ids[int(found.partner[row])]
                rows.append(row)
                for c, v in zip(DEDUP_COLUMNS, (partner, partner, float(found.similarity[row]), CROSS + job,
                                                 float(found.weight[row]), found.evidence[row], found.agreed[row])):
                    cols[c].append(v)
        if not rows:
            out[name] = pd.DataFrame()
            continue
        order = np.argsort(rows, kind="stable")
        picked = combined.iloc[[rows[i] for i in order]].reset_index(drop=True)
        for c in DEDUP_COLUMNS:
            picked[c] = [cols[c][i] for i in order]
        out[name] = picked
    return out


def _write(lay: Layout, ref: FileRef, manifest: dict[str, Any], own: tuple[pd.DataFrame, pd.DataFrame], cross: pd.DataFrame) -> int:
    """Rewrite the file's curated/duplicates/manifest when its cross-file duplicates changed; returns their count."""
    curated, within = own
    lines = set(cross[LINE].astype(int).tolist()) if len(cross) else set()
    before = manifest.get("cross_file", {}).get("lines", [])
    new_curated = curated[~curated[LINE].astype(int).isin(lines)].reset_index(drop=True)
    if len(cross):
        cross = cross[[*[c for c in curated.columns if c in cross.columns], *DEDUP_COLUMNS]]
    if sorted(lines) == before and manifest.get("cross_file", {}).get("decisions", []) == _fingerprint(cross):
        return len(lines)
    started = time.monotonic()
    with atomic_path(lay.curated(ref.key)) as tmp:
        new_curated.to_parquet(tmp, index=False)
    dups = pd.concat([d for d in (within, cross) if len(d)], ignore_index=True) if (len(within) or len(cross)) else pd.DataFrame()
    if len(dups):
        with atomic_path(lay.duplicates(ref.key)) as tmp:
            dups.to_parquet(tmp, index=False)
    else:
        lay.duplicates(ref.key).unlink(missing_ok=True)
    duplicate_of = {k: v for k, v in (manifest.get("duplicate_of") or {}).items() if int(k) not in set(before)}
    duplicate_of.update({str(int(line)): str(p) for line, p in zip(cross.get(LINE, []), cross.get(DUPLICATE_OF, []))})
    jobs = cross[DEDUP_JOB].value_counts().sort_index().to_dict() if len(cross) else {}
    manifest.update(
        curated=len(new_curated),
        duplicates=len(dups),
        duplicate_of=dict(sorted(duplicate_of.items(), key=lambda kv: int(kv[0]))),
        cross_file={"lines": sorted(lines), "jobs": {str(k): int(v) for k, v in jobs.items()}, "decisions": _fingerprint(cross),
                    "seconds": round(time.monotonic() - started, 3)},
    )
    write_json(lay.manifest(ref.key), manifest)
    return len(lines)


def _fingerprint(cross: pd.DataFrame) -> list[list[Any]]:
    """What decides a rewrite: each cross-file duplicate's line, partner and job."""
    if not len(cross):
        return []
    return [[int(line), str(p), str(j)] for line, p, j in zip(cross[LINE], cross[DUPLICATE_OF], cross[DEDUP_JOB])]

