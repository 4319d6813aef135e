"""The headwater-curated asset event's extra: built from run reports, read back as changed files."""

from __future__ import annotations

from headwater.events import changed_sources, curated_extra, dag_run_of, run_key, run_of

RUN = "scheduled__2026-11-21T00:00:00+00:00"


def report(date: str, files: list[tuple[str, str | None]], processed: int, unchanged: int, failed=()) -> dict:
    """A run report (headwater.report.report) with the keys the extra uses."""
    return {
        "date": date,
        "files": [{"source": f"{date}/{name}", "run_id": key} for name, key in files],
        "totals": {"rows_read": 43, "curated": 30, "duplicates": 9, "quarantined": 4, "chunks": 27, "vectors": 27},
        "this_run": {"files_processed": processed, "files_unchanged": unchanged, "rows_recomputed": 0, "embedding_calls": 0},
        "failed": list(failed),
    }


def test_run_keys() -> None:
    assert run_key(RUN, 2) == f"{RUN}#2" and run_key(RUN, None) == f"{RUN}#0"
    assert dag_run_of(f"{RUN}#2") == RUN and dag_run_of(RUN) == RUN and dag_run_of("") is None and dag_run_of(None) is None


def test_extra_lists_the_files_this_dag_run_changed_in_any_attempt() -> None:
    reports = [
        report("2026-11-20", [("a.csv", "scheduled__2026-11-20T00:00:00+00:00#0")], processed=0, unchanged=1),
        # b.csv was processed by the first attempt, c.csv after the run was cleared: both changed in this run
        report("2026-11-21", [("b.csv", f"{RUN}#0"), ("c.csv", f"{RUN}#1"), ("d.csv", None)], processed=1, unchanged=0),
    ]
    totals = {"rows_read": 43, "curated": 30, "duplicates": 9, "quarantined": 4, "chunks": 27, "vectors": 27}
    assert curated_extra(reports, RUN) == {
        "files_changed": 2,
        "dates": {
            "2026-11-20": {"files_processed": 0, "files_unchanged": 1, **totals, "failed": [], "changed": []},
            "2026-11-21": {"files_processed": 1, "files_unchanged": 0, **totals, "failed": [],
                           "changed": ["2026-11-21/b.csv", "2026-11-21/c.csv"]},
        },
    }


def test_no_changed_file_means_no_event() -> None:
    assert curated_extra([report("2026-11-21", [], processed=0, unchanged=0)], RUN) is None  # no landing file
    assert curated_extra([report("2026-11-21", [("a.csv", "manual__x#0")], processed=0, unchanged=1)], RUN) is None
    assert curated_extra([], RUN) is None


def test_changed_sources_reads_the_extras_back() -> None:
    extra = curated_extra([report("2026-11-21", [("b.csv", f"{RUN}#0")], processed=1, unchanged=0)], RUN)
    other = {"files_changed": 1, "dates": {"2026-11-22": {"changed": ["2026-11-22/e.csv"]}, "2026-11-23": {}}}
    assert changed_sources([extra, other]) == {"2026-11-21/b.csv", "2026-11-22/e.csv"}
    assert changed_sources([]) == set()
    assert changed_sources([extra, {"hi": "bye"}]) is None  # an event created by hand: check every file
    assert changed_sources([None]) is None


def test_each_local_run_of_a_date_has_its_own_run_key() -> None:
    """breaker3 #7: every `headwater run` of a date reuses the scheduler's run id, so the key carries its token."""
    assert run_key(RUN, 0, "4f2a") == f"{RUN}#0@4f2a" and run_key(RUN, 0, "4f2a") != run_key(RUN, 0, "9c1b")
    assert run_key(RUN, 1, None) == f"{RUN}#1" and dag_run_of(f"{RUN}#0@4f2a") == RUN


def test_files_an_earlier_headwater_run_of_the_date_wrote_are_not_this_runs_changes() -> None:
    first, second = f"{RUN}#0@4f2a", f"{RUN}#0@9c1b"
    assert run_of(first) == f"{RUN}@4f2a" and run_of(f"{RUN}#2") == RUN and run_of(None) is None
    reports = [report("2026-11-21", [("a.csv", first), ("b.csv", second)], processed=1, unchanged=0)]
    assert curated_extra(reports, run_of(second))["dates"]["2026-11-21"]["changed"] == ["2026-11-21/b.csv"]
