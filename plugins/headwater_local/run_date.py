"""Run one DAG for one logical date in this process, the way ``headwater run`` / ``headwater finetune`` do.

``python -m headwater_local.run_date DAG_ID YYYY-MM-DD [--conf JSON] [--wait]`` is ``airflow dags test`` with
these differences, so that a local run looks like any other run in the Airflow UI and two of them never
undo each other:

* **The run is the one the scheduler would create for that logical date.** ``dag.test()`` creates a
  manual run whose data interval is inferred from the logical date as a trigger time (for ``@daily``
  and 2026-11-20: 2026-11-19 → 2026-11-20), so a scheduler that later catches up finds "its" run for
  2026-11-20 already there, takes that run's interval as the last one, computes 2026-11-20 again, and
  loops on "run already exists" forever (``DagModel.calculate_dagrun_date_fields`` →
  ``timetable.next_dagrun_info``). For a DAG on a time-based schedule this module creates the run as
  ``SchedulerJobRunner`` does: ``run_type=scheduled``, the timetable's data interval for that logical
  date (2026-11-20 → 2026-11-21), ``run_after`` its end and the scheduled run id, so the scheduler
  continues after it. Other DAGs (asset-scheduled, manual) and dates off the schedule keep
  ``dag.test()``'s manual run.
* **Its claims are its own.** The run's conf gets ``headwater_local_run``, a fresh token
  (``headwater.decide.run_owner``): the scheduler's run of the same date, or a second ``headwater
  run`` of it at the same time, shares the run id but not the claim owner, so of two runs of one
  date only one writes each file (headwater.claims); the other skips it and reports why.
* **One local run per date and Airflow home.** Airflow keeps one DagRun per DAG and logical date,
  and ``dag.test()`` deletes the date's run before creating its own: a second ``headwater run`` of a
  date started while the first runs deleted the first's run record, which then failed with its
  files claimed until their lease ended. The run holds the date's lock
  (``headwater.localenv.holding_run``) from before the run is created until it ended; a second one
  exits with status ``RUN_BUSY`` (75) and says who runs the date since when (``--wait``: it queues
  behind the first instead). The scheduler's live run of the date is refused the same way, never
  replaced. Runs of other dates are not affected. Whatever the end, the claims the run still holds
  are released, and a run record left ``running`` by a killed local run is replaced with its claims
  released.
* **Every task's output goes to its task log file**, the file the api-server shows
  (``FileTaskHandler`` under ``[logging] base_log_folder``), as JSON lines; it is also still written
  to this process's stdout.

``dag.test()`` (airflow.sdk.definitions.dag, Airflow 3.3) creates its run with the module-level helper
``airflow.models.dagrun.get_or_create_dagrun`` and runs each task with ``_run_task``; both are
replaced for the duration of the call (``unittest.mock.patch``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock


def scheduled_run_info(timetable, logical_date: datetime):  # noqa: ANN001, ANN201 - core Timetable, DagRunInfo | None
    """The ``DagRunInfo`` the scheduler creates for ``logical_date`` (data interval, run_after), or None.

    None when the timetable does not schedule by time (assets, ``None``) or when ``logical_date`` is
    not one of its logical dates (e.g. 10:00 for ``@daily``). Computed as the scheduler's first run
    with catch-up from that date: ``next_dagrun_info(last_automated_data_interval=None,
    restriction=TimeRestriction(earliest=logical_date, latest=logical_date, catchup=True))``.
    """
    from airflow.timetables.base import TimeRestriction

    if not getattr(timetable, "periodic", False):
        return None
    try:
        info = timetable.next_dagrun_info(
            last_automated_data_interval=None,
            restriction=TimeRestriction(earliest=logical_date, latest=logical_date, catchup=True),
        )
    except NotImplementedError:
        return None
    if info is None or info.logical_date != logical_date:
        return None
    return info


LIVE_STATES = ("queued", "running")  # a DagRun in one of these is still being worked on


def _refuse_live_run(dag_id: str, logical_date: datetime) -> None:
    """Raise ``headwater.localenv.RunBusy`` when ``dag_id``'s run of ``logical_date`` is live and no local run started it.

    Called with the date's local run lock held (``headwater.localenv.holding_run``) and before
    ``dag.test()``, which clears the date's task instances first: a ``queued``/``running`` run without
    a local-run token in its conf is the scheduler's (or the REST API's) and must not be touched.
    One with the token belongs to a local process that ended without finishing it (the lock is ours
    now); ``_replace_existing`` replaces it.
    """
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from headwater.decide import LOCAL_RUN
    from headwater.localenv import RunBusy

    with create_session() as session:
        live = session.scalar(select(DagRun).where(
            DagRun.dag_id == dag_id, DagRun.logical_date == logical_date, DagRun.state.in_(LIVE_STATES)
        ))
        if live is not None and LOCAL_RUN not in (live.conf or {}):
            raise RunBusy(
                f"{dag_id} {logical_date.date().isoformat()} has a {live.state} run {live.run_id} in this Airflow "
                f"database that no `headwater run` started (the scheduler's, or one triggered through the API); nothing "
                f"was started: let it finish, or mark it failed in the Airflow UI, then run the date again"
            )


def _replace_existing(dag, logical_date: datetime | None, session) -> None:  # noqa: ANN001 - SerializedDAG, Session
    """Delete ``dag``'s run of ``logical_date`` before a new one is created, as ``dag.test()`` does, releasing its claims.

    Called with this date's local run lock held and after ``_refuse_live_run``: the run found is
    finished, or a local run whose process ended without finishing it (killed); its claims are
    released now rather than one lease later (``headwater.decide.release_run``).
    """
    from airflow.models.dagrun import DagRun
    from sqlalchemy import select

    from headwater.config.settings import Settings
    from headwater.decide import release_run, run_owner

    if logical_date is None:
        return
    existing = session.scalar(select(DagRun).where(DagRun.dag_id == dag.dag_id, DagRun.logical_date == logical_date))
    if existing is None:
        return
    release_run(Settings.from_env(), run_owner(existing.run_id, existing.conf))
    session.delete(existing)
    session.commit()


def _get_or_create_scheduled_dagrun(original, created: list):  # noqa: ANN001, ANN202 - wraps airflow.models.dagrun.get_or_create_dagrun
    """``get_or_create_dagrun`` that creates the scheduler's run for a scheduled logical date (``_replace_existing``
    first); each run it creates is appended to ``created``."""

    def create(*, dag, run_id, logical_date, data_interval, run_after, conf, triggered_by, triggering_user_name, start_date, session):  # noqa: ANN001, ANN202
        from airflow.utils.state import DagRunState
        from airflow.utils.types import DagRunType

        _replace_existing(dag, logical_date, session)
        info = scheduled_run_info(dag.timetable, logical_date) if logical_date is not None else None
        if info is None:
            run = original(
                dag=dag, run_id=run_id, logical_date=logical_date, data_interval=data_interval, run_after=run_after,
                conf=conf, triggered_by=triggered_by, triggering_user_name=triggering_user_name,
                start_date=start_date, session=session,
            )
        else:
            run = dag.create_dagrun(
                run_id=dag.timetable.generate_run_id(
                    run_type=DagRunType.SCHEDULED, run_after=info.run_after, data_interval=info.data_interval
                ),
                logical_date=logical_date,
                data_interval=info.data_interval,
                run_after=info.run_after,
                conf=conf,
                run_type=DagRunType.SCHEDULED,
                state=DagRunState.RUNNING,
                triggered_by=triggered_by,
                triggering_user_name=triggering_user_name,
                start_date=datetime.now(timezone.utc),
                session=session,
            )
        created.append((run.run_id, dict(run.conf or {})))
        return run

    return create


def log_event(line: str, when: datetime | None = None) -> str:
    """One task-log line as the JSON the api-server's log reader parses (``StructuredLogMessage``)."""
    return json.dumps({"timestamp": (when or datetime.now(timezone.utc)).isoformat(), "level": "info", "event": line})


@contextlib.contextmanager
def captured_output(path: Path) -> Iterator[None]:
    """Copy everything written to file descriptors 1 and 2 meanwhile into ``path`` (JSON lines; a new try of the same number replaces the file),
    and still through to the original stdout. ``dag.test()`` runs one task at a time, so while a task
    runs its output is that task's (print, logging and structlog all end on those descriptors)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 1)
    os.dup2(write_end, 2)
    os.close(write_end)

    tee = os.fdopen(os.dup(saved_out), "wb")  # here, not in the thread: saved_out is closed below
    log = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by the pump

    def pump() -> None:
        with os.fdopen(read_end, "rb") as source, log, tee:
            for raw in source:
                tee.write(raw)
                tee.flush()
                log.write(log_event(raw.decode("utf-8", errors="replace").rstrip("\r\n")) + "\n")
                log.flush()

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_out, 1)  # closes the pipe's last write ends: the pump reads to the end
        os.dup2(saved_err, 2)
        os.close(saved_out)
        os.close(saved_err)
        thread.join(timeout=10)


def task_log_path(ti) -> Path:  # noqa: ANN001 - airflow.models.TaskInstance
    """The file the api-server reads this try's log from: ``[logging] base_log_folder`` / the log template."""
    from airflow.configuration import conf
    from airflow.utils.log.file_task_handler import FileTaskHandler

    folder = conf.get("logging", "base_log_folder")
    return Path(folder) / FileTaskHandler(base_log_folder=folder)._render_filename(ti, ti.try_number)


def _logged_run_task(original):  # noqa: ANN001, ANN202 - wraps airflow.sdk.definitions.dag._run_task
    def run(*, ti, task, run_triggerer=False):  # noqa: ANN001, ANN202
        with captured_output(task_log_path(ti)):
            return original(ti=ti, task=task, run_triggerer=run_triggerer)

    return run


def run_date(dag_id: str, date: str, conf: dict | None = None, wait: bool = False):  # noqa: ANN201 - the finished DagRun
    """Run ``dag_id`` for logical date ``date`` (YYYY-MM-DD, midnight UTC) and return its finished DagRun.

    Holds the date's local run lock meanwhile (``headwater.localenv.holding_run``): raises
    ``headwater.localenv.RunBusy`` when another local process runs the date on this Airflow home
    (``wait``: queue behind it instead) or the scheduler's run of the date is live. Whatever the end
    (success, failure, an exception, Ctrl-C), every claim the run still holds is released
    (``headwater.decide.release_run``), so a failed run never leaves its files claimed for a lease.
    """
    import airflow.models.dagrun as dagrun_module
    import airflow.sdk.definitions.dag as sdk_dag
    from airflow.configuration import AIRFLOW_HOME
    from airflow.providers_manager import ProvidersManager
    from airflow.utils.cli import get_bagged_dag

    from headwater.config.settings import Settings
    from headwater.decide import LOCAL_RUN, release_run, run_owner
    from headwater.localenv import holding_run

    ProvidersManager().initialize_providers_configuration()  # as the airflow CLI's commands do
    dag = get_bagged_dag(None, dag_id)
    conf = {**(conf or {}), LOCAL_RUN: uuid.uuid4().hex}  # this invocation's own claim owner (headwater.decide.run_owner)
    logical_date = datetime.fromisoformat(date).replace(tzinfo=timezone.utc)
    created: list[tuple[str, dict]] = []
    with holding_run(AIRFLOW_HOME, dag_id, date, wait=wait):
        _refuse_live_run(dag_id, logical_date)
        try:
            with (
                mock.patch.object(dagrun_module, "get_or_create_dagrun", _get_or_create_scheduled_dagrun(dagrun_module.get_or_create_dagrun, created)),
                mock.patch.object(sdk_dag, "_run_task", _logged_run_task(sdk_dag._run_task)),
            ):
                return dag.test(logical_date=logical_date, run_conf=conf)
        finally:
            for run_id, run_conf in created:
                released = release_run(Settings.from_env(), run_owner(run_id, run_conf))
                if released:
                    print(f"released {released} claim(s) run {run_id} still held", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m headwater_local.run_date", description=__doc__.splitlines()[0])
    parser.add_argument("dag_id")
    parser.add_argument("date", help="logical date, YYYY-MM-DD")
    parser.add_argument("--conf", default="{}", help="the run's conf, JSON")
    parser.add_argument("--wait", action="store_true", help="when another local process runs the date, wait for it instead of refusing")
    args = parser.parse_args(argv)
    from headwater.localenv import RUN_BUSY, RunBusy

    try:
        run = run_date(args.dag_id, args.date, json.loads(args.conf), wait=args.wait)
    except RunBusy as exc:
        print(exc, file=sys.stderr, flush=True)
        return RUN_BUSY
    print(f"{run.dag_id} {run.run_id}: {run.state}")
    return 0 if run.state == "success" else 1


if __name__ == "__main__":
    raise SystemExit(main())
