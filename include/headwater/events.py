"""The ``headwater-curated`` asset event: what ingest's report puts in its ``extra``, and how it is read back.

The ``report`` task of ``headwater_ingest`` sets ``outlet_events[CURATED].extra = curated_extra(...)``,
so the Asset view shows each date's totals and which landing files changed; ``headwater_finetune``
reads the events since its last export and re-exports the files ``changed_sources`` names.

The extra (JSON)::

    {"files_changed": 7,
     "dates": {"2026-11-20": {"files_processed": 7, "files_unchanged": 0, "rows_read": 43, "curated": 30,
                              "duplicates": 9, "quarantined": 4, "chunks": 27, "vectors": 27,
                              "failed": [], "changed": ["2026-11-20/Customers Export.csv", ...]}}}

Counts are the date's totals over all its files (as in the run report); ``files_processed`` and
``files_unchanged`` are this run's; ``changed`` lists the files (``<date>/<file name>``) this DAG
run processed, in any attempt: a file's manifest records the run key (``run_key``) of the attempt
that processed it, and a cleared run keeps its run id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

COUNTS = ("rows_read", "curated", "duplicates", "quarantined", "chunks", "vectors")


def run_key(run_id: str, clear_number: int | None = 0, token: str | None = None) -> str:
    """This attempt of a DAG run, ``<run_id>#<clear number>`` (clearing a run keeps its run_id), then
    ``@<token>`` for a ``headwater run`` (its conf's ``headwater.decide.LOCAL_RUN``).

    Each ``headwater run`` of a date replaces the date's run under the scheduler's run id, so by run id
    and clear number alone every local run of a date was ``scheduled__<date>#0`` and the manifests an
    earlier one wrote passed for this one's work in the run report (``this_run``). The token, one per
    invocation, tells them apart; ``dag_run_of`` still gives the DAG run id.
    """
    return f"{run_id}#{clear_number or 0}" + (f"@{token}" if token else "")


def dag_run_of(key: str | None) -> str | None:
    """The DAG run id of a run key (``scheduled__2026-11-20T00:00:00+00:00#1``, or ``...#0@<token>`` -> ``scheduled__...+00:00``)."""
    if not key:
        return None
    return key.rpartition("#")[0] if "#" in key else key


def run_of(key: str | None) -> str | None:
    """The run of a run key, whichever attempt: the DAG run id, with ``@<token>`` for a ``headwater run``
    (``...#1`` -> ``...``; ``...#0@4f2a`` -> ``...@4f2a``): two local runs of a date are two runs."""
    if not key:
        return None
    token = key.rpartition("#")[2].partition("@")[2] if "#" in key else ""
    return f"{dag_run_of(key)}@{token}" if token else dag_run_of(key)


def date_summary(report: Mapping[str, Any], run_id: str) -> dict[str, Any]:
    """One date's entry of the extra, from its run report (headwater.report.report) and the run (``run_of``: the DAG
    run id, with a ``headwater run``'s token)."""
    changed = sorted(f["source"] for f in report["files"] if run_of(f.get("run_id")) == run_id)
    return {
        "files_processed": report["this_run"]["files_processed"],
        "files_unchanged": report["this_run"]["files_unchanged"],
        **{k: report["totals"][k] for k in COUNTS},
        "failed": list(report["failed"]),
        "changed": changed,
    }


def curated_extra(reports: Iterable[Mapping[str, Any]], run_id: str) -> dict[str, Any] | None:
    """The asset event's extra for a run's reports (one per date), or None when no landing file changed.

    None means: emit no event. An event says "the curated data changed"; a day with no landing
    file, a re-run that found every file unchanged, or a dry run changed nothing.
    """
    dates = {r["date"]: date_summary(r, run_id) for r in reports}
    changed = sum(len(d["changed"]) for d in dates.values())
    if not changed:
        return None
    return {"files_changed": changed, "dates": dates}


def changed_sources(extras: Iterable[Mapping[str, Any] | None]) -> set[str] | None:
    """The landing files (``<date>/<file name>``) these events' extras name as changed.

    None when an event does not say (an extra without ``dates``, e.g. an event created by hand in
    the UI or the REST API): the caller must then check every file.
    """
    found: set[str] = set()
    for extra in extras:
        dates = (extra or {}).get("dates")
        if not isinstance(dates, Mapping):
            return None
        for summary in dates.values():
            found.update(summary.get("changed") or ())
    return found
