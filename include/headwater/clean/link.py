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
  manifest only when the outcome changed (a file with no cross-file duplicate, before or now, is
  never rewritten).
* **Scope**: a source with ``dedup.scope: file`` (the default) takes no part: its files are not read
  at all, except one an earlier link run changed under another scope, which is put back.
* **Cost**: every manifest and table is read once per step, ``READERS`` at a time (threads: Arrow
  and the object-storage client release the GIL), the per-file counter test is one vectorized pass
  per column, and only changed files are written; 2,000 four-row files link in seconds
  (``bench/link_scale.py``).
* **Date order**: ``files_to_index`` links the later dates within ``dedup.history_days`` of a
  date that changed again, so dates run in any order end in the same bytes.
* **Clusters**: ``_cluster_id`` is the kept row at the end of each duplicate's chain, also when
  the row a within-file duplicate points at became a cross-file duplicate.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from datetime import date as _date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from headwater.clean.dedup.columns import Vetoes, decide_roles, is_counter, is_value_column, reads_as_prose
from headwater.clean.dedup.exact import exact_keys
from headwater.clean.dedup.matching import Matches, link, near_text, text_signatures
from headwater.clean.dedup.minhash import as_string
from headwater.clean.dedup.pairs import block_pairs, cluster_roots, leaders, unique_pairs
from headwater.clean.pipeline import MASKED_KEY
from headwater.clean.steps.base import (
    AGREED, CLUSTER_ID, DEDUP_COLUMNS, DEDUP_JOB, DUPLICATE_OF, EVIDENCE, LINE, MASKED_DIGEST, MATCH_WEIGHT, ROW_ID, SIMILARITY,
)
from headwater.config.settings import Settings
from headwater.config.source import SourceConfig, load_sources
from headwater.layout import Layout
from headwater.manifest import EMPTY, OK, RELINKED, RELINKED_REASON, STAGE_ERROR_CHARS, FileRef, check_owner, layout
from headwater.storage import atomic_path, each_at_once, read_json, read_parquet, write_json

CROSS = "cross_file_"
LINK = "link"  # the key of this step's error in a manifest's ``stage_errors``
EXACT_BLOCK_CAP = 10_000  # rows sharing one content key compared with its first 10,000 only
READERS = 16  # manifests and tables read at once (threads); object storage answers each GET in tens of ms


def _each(fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
    """``[fn(item) for item in items]``, ``READERS`` at a time on threads, in the order of ``items``."""
    return each_at_once(fn, items, READERS)


def date_manifests(lay: Layout) -> dict[str, dict[str, Any]]:
    """Every manifest of ``lay``'s date that names its landing file: {file name: manifest}, each read once (``_each``)."""
    folder = lay.manifests_dir()
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    found = {}
    for manifest in _each(read_json, paths):
        if manifest and manifest.get("file"):
            found[str(manifest["file"])] = manifest
    return found


def group_key(manifest: dict[str, Any]) -> tuple[str, str]:
    """(source name, canonical schema) of a cleaned file: files compare only within one group.

    Without a schema the column names stand for it (``columns:a,b,c``).
    """
    source = (manifest.get("source_config") or {}).get("name") or "default"
    if manifest.get("schema"):
        return source, f"schema:{manifest['schema']}"
    names = [c.get("canonical") or c.get("standardized") for c in manifest.get("columns", [])]
    return source, "columns:" + ",".join(str(n) for n in names)


def _cleaned(lay: Layout, name: str, manifest: dict[str, Any] | None) -> dict[str, Any] | None:
    """``manifest`` (that of ``name``, a landing record of ``lay``'s date) when its clean stage finished, else None.

    Raises KeyCollision (headwater.manifest.check_owner) when another landing file's manifest sits at its key.
    """
    if not manifest or manifest.get("status") != OK or "clean" not in manifest.get("stages", {}):
        return None
    return check_owner(manifest, FileRef(str(lay.date), name), lay.manifest(FileRef(str(lay.date), name).key))


def _own_rows(lay: Layout, key: str, manifest: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the file's clean result: curated rows plus rows a link run moved away, by line; its within-file duplicates).

    The duplicates table is read only when ``manifest`` counts duplicates (no existence check).
    """
    curated = read_parquet(lay.curated(key))
    dups = read_parquet(lay.duplicates(key)) if int(manifest.get("duplicates") or 0) else pd.DataFrame()
    if len(dups) and DEDUP_JOB in dups.columns:
        moved = dups[DEDUP_JOB].astype(str).str.startswith(CROSS)
        back = dups[moved].drop(columns=[c for c in DEDUP_COLUMNS if c in dups.columns])
        dups = dups[~moved]
        if len(back):
            curated = pd.concat([curated, back[[c for c in curated.columns if c in back.columns]]], ignore_index=True)
            curated = curated.sort_values(LINE, kind="stable").reset_index(drop=True)
    return curated, dups.reset_index(drop=True)


class _History:
    """The curated tables of the dates before one date, found once per link step: each earlier
    date's manifests (within the longest reach asked for) are read once, whatever the number of groups."""

    def __init__(self, settings: Settings, date: str, days: int) -> None:
        root = layout(settings)
        current = _date.fromisoformat(date)
        wanted = []
        for day, key in root.table_keys("curated"):
            try:
                age = (current - _date.fromisoformat(day)).days
            except ValueError:
                continue
            if 0 < age <= days:
                wanted.append((age, day, key, root.on(day)))
        manifests = _each(lambda item: read_json(item[3].manifest(item[2])), wanted)
        self.found = [(age, day, m.get("file", key), lay.curated(key), group_key(m))
                      for (age, day, key, lay), m in zip(wanted, manifests) if m and m.get("status") == OK]

    def tables(self, group: tuple[str, str], days: int) -> list[pd.DataFrame]:
        """Curated tables of earlier dates (within ``days``) in ``group``: oldest date first, then file name."""
        found = sorted((day, name, str(path), path) for age, day, name, path, g in self.found if g == group and age <= days)
        return _each(read_parquet, [path for *_, path in found])


def cross_file_matches(tables: list[pd.DataFrame], current: list[bool], config: SourceConfig) -> tuple[pd.DataFrame, list[Matches | None]]:
    """Run the three jobs over ``tables`` (precedence order) allowing only pairs of two different
    tables whose later row belongs to a ``current`` table. Returns the combined table and, per job
    (exact, near_text, linkage; None when off), the matches over its rows.

    A column typed differently in two tables (``qty`` int64 in one file, text in the next) is
    compared as text in every table (``comparable``), so a type change never stops the step.
    """
    tables = comparable(tables)
    combined = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    n = len(combined)
    owner = np.repeat(np.arange(len(tables)), [len(t) for t in tables])
    is_current = np.repeat(np.array(current, dtype=bool), [len(t) for t in tables])

    def allow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (owner[a] != owner[b]) & is_current[b]

    opts = config.dedup
    columns = {c: combined[c] for c in combined.columns}
    roles = decide_roles(columns, config.declared_types, opts.text.columns, opts.text.min_chars, opts.text.min_words)
    counters = set(roles.counters) | file_counters(tables, combined, owner, config)  # a counter rises within each file
    kept = np.ones(n, dtype=bool)
    results: list[Matches | None] = []
    # exact: the same content key
    if opts.exact and n:
        # a masked row compares by its curated MASKED_KEY (its within-file key, keyed digest included), as the
        # within-file step compares it by the digest; a row without one (written before it existed) equals no other row
        keyed = combined.assign(**{MASKED_DIGEST: combined[MASKED_KEY]}) if MASKED_KEY in combined.columns else combined
        codes = pd.factorize(pd.Series(exact_keys(keyed)))[0].astype(np.int64)
        a, b, _ = block_pairs(codes, EXACT_BLOCK_CAP, big="leaders", later=is_current)
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
        found = near_text(sig8, bands, valid, vetoes, opts.text, text, allow, kept, later=is_current)
        kept &= found.partner < 0
        results.append(found)
    else:
        results.append(None)
    if opts.linkage.fields and n:
        fields = set(opts.linkage.fields)
        vetoes = Vetoes.build(columns, [c for c in vetoing if c not in fields], set(roles.numeric), opts.linkage.numeric_tolerance)
        ids = sorted(c for c in config.identifiers & set(opts.may_differ) if c in columns and c not in fields)
        found = link(columns, n, opts.linkage, vetoes, allow, kept, later=is_current,
                     identifiers=Vetoes.build(columns, ids, set(roles.numeric)))
        results.append(found)
    else:
        results.append(None)
    return combined, results


def file_counters(tables: list[pd.DataFrame], combined: pd.DataFrame, owner: np.ndarray, config: SourceConfig) -> set[str]:
    """Columns that are a row counter in at least one of ``tables`` (``combined``: their concatenation,
    ``owner``: each combined row's table), as ``decide_roles`` run on each table alone finds them
    (headwater.clean.dedup.columns.is_counter: integers only, rising or uniquely numbered).

    Only the tables whose every value of the column can be an integer (no missing value; an integer
    or float dtype, or digit strings matched once over the combined column) are tested one by one;
    a text column of 2,000 files costs one regex pass, not 2,000 calls.
    """
    opts = config.dedup
    declared = config.declared_types
    fixed = list(opts.text.columns) if opts.text.columns is not None else [c for c, t in declared.items() if t == "text"] if declared else None
    starts = np.concatenate([[0], np.cumsum([len(t) for t in tables])]).astype(np.int64)
    found: set[str] = set()
    for c in combined.columns:
        if not is_value_column(c) or (fixed is not None and c in fixed):
            continue
        column = combined[c]
        if pd.api.types.is_string_dtype(column.dtype) or column.dtype == object:
            text = column.astype("string")
            maybe = text.str.fullmatch(r"-?\d{1,18}").fillna(False).to_numpy(dtype=bool)
        elif pd.api.types.is_integer_dtype(column.dtype) or pd.api.types.is_float_dtype(column.dtype):
            maybe = column.notna().to_numpy(dtype=bool)
        else:
            continue
        everywhere = np.ones(len(tables), dtype=bool)
        if len(combined):
            lengths = np.diff(starts)
            hits = np.bincount(owner, weights=maybe.astype(np.int64), minlength=len(tables))
            everywhere = (hits == lengths) & (lengths > 0)
        for k in np.nonzero(everywhere)[0].tolist():
            t = tables[k]
            if c not in t.columns:
                continue
            series = t[c].reset_index(drop=True)
            if fixed is None and reads_as_prose(series, opts.text.min_chars, opts.text.min_words):
                continue
            if is_counter(c, series):
                found.add(c)
                break
    return found


def comparable(tables: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """``tables`` with every column whose dtype differs between two of them (``1`` as int64 in one,
    ``x`` as text in another) turned into text (pandas ``string``, missing stays missing) in all of them.

    The text of a typed value is Arrow's cast to string (``1`` -> ``"1"``, ``2.5`` -> ``"2.5"``), the
    text the exact-key job hashes anyway (headwater.clean.dedup.minhash.as_string); a value whose
    written text differs from that (``1.50``) simply matches no value of the other table: comparing
    on text never merges more than comparing typed values would. Tables whose columns agree are
    returned as they are. Only what the jobs compare changes: the rows written back come from the
    tables as curated (``_decisions``).
    """
    dtypes: dict[str, set[str]] = {}
    for t in tables:
        for c in t.columns:
            dtypes.setdefault(c, set()).add(str(t[c].dtype))
    mixed = [c for c, kinds in dtypes.items() if len(kinds) > 1]
    if not mixed:
        return tables
    out = []
    for t in tables:
        changed = {c: pd.Series(as_string(t[c]).to_pandas(), index=t.index, dtype="string") for c in mixed if c in t.columns}
        out.append(t.assign(**changed) if changed else t)  # a new frame for the changed columns only, no deep copy
    return out


def cleaned_files(settings: Settings, date: str, statuses: tuple[str, ...] = (OK,),
                  manifests: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Names of the date's landing records whose clean stage finished with a status in ``statuses``,
    sorted. The default (ok) is what the link step compares; ok and empty is what chunk and embed
    take (embed records a finished file in the ledger, an empty one too). ``manifests``: the date's
    (``date_manifests``), read here when not given."""
    if manifests is None:
        manifests = date_manifests(layout(settings, date))
    return sorted(name for name, m in manifests.items() if m.get("status") in statuses and "clean" in m.get("stages", {}))


def history_reach(sources: Any) -> int:
    """Days a date's link result reaches forward: the longest ``dedup.history_days`` of a source with scope ``history``."""
    configs = [*sources.configs, sources.fallback]
    return max((c.dedup.history_days for c in configs if c.dedup.scope == "history"), default=0)


def files_to_index(files: list[dict[str, Any]], settings: Settings, run_id: str,
                   may_write: Callable[[str, str], bool] | None = None) -> list[dict[str, Any]]:
    """Link the dates of ``files`` (discovery's {date, file}) and the later dates they reach; return
    the cleaned files ({date, file, source}; status ok or empty) that chunk and embed must (re)index:
    those this run cleaned, and those whose curated rows a link step of this call rewrote (their manifest's
    ``run_id`` is this run's either way).

    **Run order does not matter.** A date's duplicates depend on the earlier dates within
    ``dedup.history_days`` (earlier dates win). So after linking the run's dates, every later date
    that holds cleaned files and lies within reach of a date that changed in this call is linked
    again, oldest first (a no-op when nothing it depends on changed). Running date 2 then date 1
    ends in the same outputs as date 1 then date 2. Link steps must not run concurrently (the DAG's
    ``link`` task allows one instance at a time): they read and rewrite each other's dates.

    ``may_write(date, name)`` (see ``link_date``) is asked before a file whose outcome changed is rewritten.
    """
    sources = load_sources(settings.config_dir)
    run_dates = sorted({f["date"] for f in files})
    if not run_dates:
        return []
    reach = history_reach(sources)
    known = {day for day, _ in layout(settings).table_keys("curated")}
    horizon: str | None = None
    out = []
    for date in sorted(known | set(run_dates)):
        if date < run_dates[0] or (date not in run_dates and (horizon is None or date > horizon)):
            continue
        link_date(date, settings, sources, run_id=run_id, may_write=may_write)
        manifests = date_manifests(layout(settings, date))
        # cleaned by this run, or rewritten by a link step of this run (``_write`` stamps the run id)
        mine = [name for name in cleaned_files(settings, date, (OK, EMPTY), manifests) if manifests[name].get("run_id") == run_id]
        if mine:
            later = (_date.fromisoformat(date) + timedelta(days=reach)).isoformat()
            horizon = max(horizon or later, later)
        out += [{"date": date, "file": name, "source": f"{date}/{name}"} for name in mine]
    return out


def report_dates(files: list[dict[str, Any]], linked: list[dict[str, Any]], skipped: list[dict[str, str]],
                 settings: Settings) -> dict[str, tuple[list[str], list[dict[str, str]]]]:
    """What the run report covers, per date: (record names, skipped files as {"date", "file", "reason"}).

    The run's dates (``files``: discovery's {date, file}; ``skipped``: discovery's skipped files)
    with their records, plus every other date whose files the link step of this run rewrote
    (``linked``: files_to_index's answer): with every record that has a manifest on that date and
    the skipped files its last report listed, so its report is rewritten whole and the asset event
    names the files whose curated rows changed.
    """
    out: dict[str, tuple[list[str], list[dict[str, str]]]] = {}
    for f in files:
        out.setdefault(f["date"], ([], []))[0].append(f["file"])
    for s in skipped:
        out.setdefault(s["date"], ([], []))[1].append(s)
    for date in sorted({f["date"] for f in linked} - set(out)):
        lay = layout(settings, date)
        names = sorted(date_manifests(lay))  # READERS at a time, not one GET after another
        last = (read_json(lay.report()) or {}).get("skipped") or []
        out[date] = (names, [{"date": date, "file": s["file"], "reason": s["reason"]} for s in last])
    return out


def link_date(date: str, settings: Settings, sources: Any = None, run_id: str = "",
              may_write: Callable[[str, str], bool] | None = None) -> dict[str, int]:
    """Find the duplicates across the cleaned files of ``date`` (and earlier dates); move them from
    each file's curated table to its duplicates; returns {file name: its cross-file duplicates}
    for every cleaned file of the date (``cleaned_files``: quarantined, empty and failed files take
    no part). A file whose outcome changed is rewritten (curated, duplicates, manifest) and its
    manifest's ``run_id`` set to ``run_id`` (when given): this run changed its curated rows; a file this
    run did not process gets the action ``relinked`` (headwater.manifest.RELINKED).

    ``sources`` (headwater.config.source.Sources) defaults to the YAML files of ``settings.config_dir``.
    ``may_write(date, name)``, when given, is asked (only) before a changed file is rewritten: False
    leaves its outputs as they are (another run holds its claim, headwater.claims, and its own link
    step writes the same outcome); the returned count is the one computed either way.
    """
    lay = layout(settings, date)
    sources = sources or load_sources(settings.config_dir)
    manifests = date_manifests(lay)
    groups: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for name in cleaned_files(settings, date, manifests=manifests):
        manifest = _cleaned(lay, name, manifests[name])
        if manifest is not None:
            groups.setdefault(group_key(manifest), []).append((name, manifest))
    reach = max((c.dedup.history_days for c in {id(c): c for c in (sources.for_file(FileRef(date, m[0][0]).table_name)
                                                                  for m in groups.values())}.values()
                 if c.dedup.scope == "history"), default=0)
    history = _History(settings, date, reach) if reach else None
    moved: dict[str, int] = {}
    for group, members in sorted(groups.items()):
        try:
            moved.update(_link_group(lay, sources, date, group, members, run_id, may_write, history))
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:STAGE_ERROR_CHARS]
            for name, _ in members:
                _note_error(lay, FileRef(date, name), error)
            raise
    return moved


def _note_error(lay: Layout, ref: FileRef, error: str) -> None:
    """Record the link step's error in the file's manifest (``stage_errors["link"]``), so the run report names it."""
    path = lay.manifest(ref.key)
    manifest = read_json(path)
    if manifest is not None and manifest.get("source") == ref.source:
        manifest.setdefault("stage_errors", {})[LINK] = error
        write_json(path, manifest)


def _link_group(lay: Layout, sources: Any, date: str, group: tuple[str, str],
                members: list[tuple[str, dict[str, Any]]], run_id: str,
                may_write: Callable[[str, str], bool] | None = None, history: _History | None = None) -> dict[str, int]:
    """``link_date`` for one group of cleaned files (``group_key``): {file name: its cross-file duplicates}.

    ``history``: the earlier dates' curated tables (``_History``; None: no source of the date has scope
    ``history``). A member that needs no work (the group compares nothing, and no earlier link run
    moved a row of it) is not read at all. A link error an earlier attempt left in a member's
    manifest is removed once its group links.
    """
    config = sources.for_file(FileRef(date, members[0][0]).table_name)  # the source the clean stage used
    opts = config.dedup
    earlier = history.tables(group, opts.history_days) if history is not None and opts.scope == "history" else []
    compares = opts.scope != "file" and len(members) + len(earlier) > 1
    moved: dict[str, int] = {}
    stale: set[str] = set()
    for name, manifest in members:
        errors = manifest.get("stage_errors") or {}
        if errors.pop(LINK, None) is not None:
            stale.add(name)
            if not errors:
                manifest.pop("stage_errors", None)
    # without a comparison, only a file an earlier link run changed (under another scope) is rewritten
    work = members if compares else [(n, m) for n, m in members if (m.get("cross_file") or {}).get("lines")]
    own = dict(zip([n for n, _ in work], _each(lambda item: _own_rows(lay, FileRef(date, item[0]).key, item[1]), work)))
    decided: dict[str, pd.DataFrame] = {name: pd.DataFrame() for name, _ in work}
    if compares:
        tables = earlier + [own[name][0] for name, _ in members]
        current = [False] * len(earlier) + [True] * len(members)
        combined, results = cross_file_matches(tables, current, config)
        decided = _decisions(combined, results, [name for name, _ in members], len(earlier), tables)
    roots = _cluster_roots([own[name][1] for name, _ in work] + list(decided.values()))
    for name, manifest in members:
        if name not in own:
            moved[name] = 0
        else:
            allowed = (lambda name=name: may_write(date, name)) if may_write else (lambda: True)
            moved[name] = _write(lay, FileRef(date, name, run_id), manifest, own[name], decided[name], roots, allowed)
        if name in stale:
            write_json(lay.manifest(FileRef(date, name).key), manifest)
    return moved


def _cluster_roots(frames: list[pd.DataFrame]) -> dict[str, str]:
    """Per duplicate row id of ``frames`` (within-file and cross-file duplicates of one group, in
    that order): the kept row its chain ends at. An exact copy shares its partner's id, so its
    link is no step in a chain and is left out."""
    links: dict[str, str] = {}
    for frame in frames:
        if len(frame):
            links.update((r, p) for r, p in zip(frame[ROW_ID].astype(str), frame[DUPLICATE_OF].astype(str)) if r != p)
    return cluster_roots(links)


def _decisions(combined: pd.DataFrame, results: list[Matches | None], names: list[str], skip: int,
               tables: list[pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Per current file: its rows that are cross-file duplicates (file order), with the bookkeeping columns.

    ``tables``: the tables ``combined`` was made of (history first, then the current files), as curated:
    a duplicate is taken from its own table, with its own column types, never from the compared text.
    A row is a duplicate of one job at most (each job only sees the rows the ones before it kept).
    """
    sizes = [len(t) for t in tables]
    row_ids = combined[ROW_ID].astype(str).to_numpy(dtype=object)
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    rows, jobs, partners, similarity, weight, evidence, agreed = [], [], [], [], [], [], []
    for job, found in zip(("exact", "near_text", "linkage"), results):
        if found is None or not len(found.duplicates):
            continue
        dup = found.duplicates
        rows.append(dup)
        jobs.append(np.full(len(dup), CROSS + job, dtype=object))
        partners.append(row_ids[found.partner[dup]])
        similarity.append(found.similarity[dup])
        weight.append(found.weight[dup])
        evidence += [found.evidence[r] for r in dup.tolist()]
        agreed += [found.agreed[r] for r in dup.tolist()]
    out: dict[str, pd.DataFrame] = {name: pd.DataFrame() for name in names}
    if not rows:
        return out
    every = np.concatenate(rows)
    order = np.argsort(every, kind="stable")
    every = every[order]
    columns = {
        DUPLICATE_OF: np.concatenate(partners)[order], CLUSTER_ID: np.concatenate(partners)[order],
        SIMILARITY: np.concatenate(similarity)[order], DEDUP_JOB: np.concatenate(jobs)[order],
        MATCH_WEIGHT: np.concatenate(weight)[order], EVIDENCE: np.asarray(evidence, dtype=object)[order],
        AGREED: np.asarray(agreed, dtype=object)[order],
    }
    for k, name in enumerate(names):
        lo, hi = np.searchsorted(every, [starts[skip + k], starts[skip + k + 1]])
        if hi > lo:
            picked = tables[skip + k].iloc[every[lo:hi] - starts[skip + k]].reset_index(drop=True)
            for c in DEDUP_COLUMNS:
                picked[c] = columns[c][lo:hi]
            out[name] = picked
    return out


def _write(lay: Layout, ref: FileRef, manifest: dict[str, Any], own: tuple[pd.DataFrame, pd.DataFrame], cross: pd.DataFrame,
           roots: dict[str, str], allowed: Callable[[], bool] = lambda: True) -> int:
    """Rewrite the file's curated/duplicates/manifest when its duplicates changed (which rows, partners,
    jobs or clusters) and ``allowed()``; returns its cross-file duplicates. ``roots``: a duplicate's row id -> the kept row its chain ends at."""
    curated, within = own
    lines = set(cross[LINE].astype(int).tolist()) if len(cross) else set()
    before = manifest.get("cross_file", {}).get("lines", [])
    if not lines and not before and not len(within) and "cross_file" not in manifest:
        return 0  # no duplicate of any kind, before or now: nothing to compare, nothing to write
    new_curated = curated[~curated[LINE].astype(int).isin(lines)].reset_index(drop=True)
    if len(cross):
        cross = cross[[*[c for c in curated.columns if c in cross.columns], *DEDUP_COLUMNS]]
    dups = pd.concat([d for d in (within, cross) if len(d)], ignore_index=True) if (len(within) or len(cross)) else pd.DataFrame()
    if len(dups):
        dups[CLUSTER_ID] = [roots.get(c, c) for c in dups[CLUSTER_ID].astype(str)]  # a cluster whose kept row moved since
    digest = _digest(dups)
    # never linked: the outcome to compare with is the clean stage's (its within-file duplicates as written)
    reference = manifest["cross_file"].get("decisions") if "cross_file" in manifest else _digest(within)
    if (sorted(lines) == before and reference == digest) or not allowed():
        return len(lines)
    started = time.monotonic()
    with atomic_path(lay.curated(ref.key)) as tmp:
        new_curated.to_parquet(tmp, index=False)
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
        cross_file={"lines": sorted(lines), "jobs": {str(k): int(v) for k, v in jobs.items()}, "decisions": digest,
                    "seconds": round(time.monotonic() - started, 3)},
    )
    if ref.run_id:
        if manifest.get("run_id") != ref.run_id:  # not processed by this run, only its cross-file duplicates rewritten
            manifest.update(action=RELINKED, reason=RELINKED_REASON)
        manifest["run_id"] = ref.run_id
    write_json(lay.manifest(ref.key), manifest)
    return len(lines)


def _digest(dups: pd.DataFrame) -> str:
    """What decides a rewrite: each duplicate's line, partner, job and cluster, as one sha256."""
    h = hashlib.sha256()
    if len(dups):
        for row in zip(dups[LINE].astype(int), dups[DUPLICATE_OF].astype(str), dups[DEDUP_JOB].astype(str), dups[CLUSTER_ID].astype(str)):
            h.update(repr(row).encode())
    return h.hexdigest()
