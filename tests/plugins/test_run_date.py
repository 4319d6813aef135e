"""plugins/headwater_local/run_date.py: the scheduler's run for a logical date, task output into task logs, one local run per date."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from headwater_local.run_date import captured_output, log_event, scheduled_run_info


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_a_daily_logical_date_gets_the_interval_the_scheduler_gives_it() -> None:
    from airflow.timetables.interval import CronDataIntervalTimetable

    info = scheduled_run_info(CronDataIntervalTimetable("@daily", timezone="UTC"), _utc(2026, 11, 20))
    assert (info.data_interval.start, info.data_interval.end, info.run_after) == (_utc(2026, 11, 20), _utc(2026, 11, 21), _utc(2026, 11, 21))
    # dag.test()'s manual run for the same date: the interval that ends there, which the scheduler then repeats
    manual = CronDataIntervalTimetable("@daily", timezone="UTC").infer_manual_data_interval(run_after=_utc(2026, 11, 20))
    assert (manual.start, manual.end) == (_utc(2026, 11, 19), _utc(2026, 11, 20))


def test_dates_off_the_schedule_and_asset_schedules_keep_the_manual_run() -> None:
    from airflow.timetables.interval import CronDataIntervalTimetable
    from airflow.timetables.simple import AssetTriggeredTimetable, NullTimetable

    assert scheduled_run_info(CronDataIntervalTimetable("@daily", timezone="UTC"), _utc(2026, 11, 20, 10)) is None
    assert scheduled_run_info(NullTimetable(), _utc(2026, 11, 20)) is None
    assert AssetTriggeredTimetable.periodic is False


def test_captured_output_writes_json_lines_and_still_passes_output_through(tmp_path: Path, capfd) -> None:
    log = tmp_path / "dag_id=d" / "attempt=1.log"
    with captured_output(log):
        os.write(1, b"Headwater run 2026-11-20\n")  # print() under pytest goes to its own capture, not fd 1
        os.write(2, b"from a C library\n")
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["event"] for e in events] == ["Headwater run 2026-11-20", "from a C library"]
    assert all(e["level"] == "info" and e["timestamp"].endswith("+00:00") for e in events)
    assert "Headwater run 2026-11-20" in capfd.readouterr().out
    with captured_output(log):  # a new try of the same number replaces the file
        os.write(1, b"again\n")
    assert [json.loads(line)["event"] for line in log.read_text().splitlines()] == ["again"]


def test_log_event_is_the_structured_line_the_log_reader_parses() -> None:
    from airflow.utils.log.file_task_handler import StructuredLogMessage

    message = StructuredLogMessage.model_validate_json(log_event("total  43", _utc(2026, 11, 20)))
    assert (message.event, message.timestamp) == ("total  43", _utc(2026, 11, 20))


def test_each_invocation_gets_its_own_claim_token_in_the_run_conf(monkeypatch) -> None:
    """Two `headwater run` of one date share the scheduler's run id; the conf token (headwater.decide.run_owner) tells them apart."""
    import airflow.utils.cli

    import headwater_local.run_date as run_date_module
    from headwater.decide import LOCAL_RUN
    from headwater_local.run_date import run_date

    confs = []

    class _Dag:
        def test(self, logical_date, run_conf):  # noqa: ANN001, ANN202 - dag.test's keywords
            confs.append((logical_date, run_conf))
            return "run"

    monkeypatch.setattr(airflow.utils.cli, "get_bagged_dag", lambda bundle, dag_id: _Dag())
    monkeypatch.setattr(run_date_module, "_refuse_live_run", lambda dag_id, logical_date: None)  # no metadata DB here
    assert run_date("headwater_ingest", "2026-11-20", {"force": True}) == "run"
    run_date("headwater_ingest", "2026-11-20", None)
    (day, first), (_, second) = confs
    assert day == datetime(2026, 11, 20, tzinfo=timezone.utc)
    assert first["force"] is True and set(first) == {"force", LOCAL_RUN} and set(second) == {LOCAL_RUN}
    assert len(first[LOCAL_RUN]) == 32 and first[LOCAL_RUN] != second[LOCAL_RUN]


class _Timetable:
    periodic = False  # run_date falls back to dag.test()'s own get_or_create_dagrun


def _failing_run(monkeypatch, tmp_path: Path, failure: BaseException):  # noqa: ANN202 - (Claims, list of owners)
    """A fake ``dag.test()`` that creates its run through the patched helper, claims two files as that run's
    owner, then raises ``failure``; ``get_or_create_dagrun`` itself and the metadata DB checks are stubbed."""
    from types import SimpleNamespace

    import airflow.models.dagrun as dagrun_module
    import airflow.utils.cli

    import headwater_local.run_date as run_date_module
    from headwater.claims import Claims
    from headwater.config.settings import Settings
    from headwater.decide import run_owner

    monkeypatch.setenv("HEADWATER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    monkeypatch.setattr(run_date_module, "_refuse_live_run", lambda dag_id, logical_date: None)
    monkeypatch.setattr(run_date_module, "_replace_existing", lambda dag, logical_date, session: None)
    monkeypatch.setattr(dagrun_module, "get_or_create_dagrun", lambda **kw: SimpleNamespace(run_id="manual__2026-11-20", conf=kw["conf"]))
    claims = Claims.for_settings(Settings.from_env())
    owners = []

    class _Dag:
        def test(self, logical_date, run_conf):  # noqa: ANN001, ANN202 - dag.test's keywords
            run = dagrun_module.get_or_create_dagrun(
                dag=SimpleNamespace(timetable=_Timetable()), run_id="manual__2026-11-20", logical_date=logical_date,
                data_interval=None, run_after=logical_date, conf=run_conf, triggered_by=None, triggering_user_name=None,
                start_date=logical_date, session=None,
            )
            owners.append(run_owner(run.run_id, run.conf))
            for name in ("a.csv", "b.csv"):
                assert claims.claim("2026-11-20", name, owners[-1], "process_file.check[0]").won
            claims.claim("2026-11-20", "c.csv", "scheduled__other", "process_file.check[0]")  # another run's: kept
            raise failure

    monkeypatch.setattr(airflow.utils.cli, "get_bagged_dag", lambda bundle, dag_id: _Dag())
    return claims, owners


def test_a_run_that_fails_releases_every_claim_it_still_holds(monkeypatch, tmp_path: Path) -> None:
    """Before, a failed or interrupted local run left its files claimed until the lease ended (600 s by default)."""
    from headwater_local.run_date import run_date

    claims, owners = _failing_run(monkeypatch, tmp_path, RuntimeError("a task blew up"))
    with pytest.raises(RuntimeError, match="a task blew up"):
        run_date("headwater_ingest", "2026-11-20")
    assert len(owners) == 1 and owners[0].startswith("manual__2026-11-20+")
    assert (claims.holder("2026-11-20", "a.csv"), claims.holder("2026-11-20", "b.csv")) == (None, None)
    assert claims.holder("2026-11-20", "c.csv").run_id == "scheduled__other"


def test_a_run_stopped_with_ctrl_c_releases_its_claims_too(monkeypatch, tmp_path: Path) -> None:
    from headwater_local.run_date import run_date

    claims, owners = _failing_run(monkeypatch, tmp_path, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        run_date("headwater_ingest", "2026-11-20")
    assert [claims.holder("2026-11-20", n) for n in ("a.csv", "b.csv")] == [None, None]
    assert claims.holder("2026-11-20", "c.csv").run_id == "scheduled__other"


@pytest.mark.parametrize(("state", "conf", "refused"), [
    ("running", {}, True),  # the scheduler's (or the REST API's) live run of the date: never replaced
    ("queued", {"force": True}, True),
    ("running", {"headwater_local_run": "0" * 32}, False),  # a killed local run's record (the lock is ours): replaced
    ("success", {}, False),  # a finished run: replaced, as `airflow dags test` does
    (None, None, False),  # no run of the date
])
def test_a_live_run_of_the_date_no_local_run_started_is_refused(monkeypatch, state, conf, refused: bool) -> None:
    import contextlib
    from types import SimpleNamespace

    import airflow.utils.session

    from headwater.localenv import RunBusy
    from headwater_local.run_date import LIVE_STATES, _refuse_live_run

    run = None if state is None else SimpleNamespace(state=state, conf=conf, run_id="scheduled__2026-11-21T00:00:00+00:00")

    @contextlib.contextmanager
    def session():  # noqa: ANN202 - the query filters on LIVE_STATES: a finished run is not found
        yield SimpleNamespace(scalar=lambda query: run if run is not None and run.state in LIVE_STATES else None)

    monkeypatch.setattr(airflow.utils.session, "create_session", session)
    if not refused:
        _refuse_live_run("headwater_ingest", _utc(2026, 11, 20))
        return
    with pytest.raises(RunBusy) as busy:
        _refuse_live_run("headwater_ingest", _utc(2026, 11, 20))
    assert str(busy.value) == (
        f"headwater_ingest 2026-11-20 has a {state} run scheduled__2026-11-21T00:00:00+00:00 in this Airflow database that "
        "no `headwater run` started (the scheduler's, or one triggered through the API); nothing was started: let it "
        "finish, or mark it failed in the Airflow UI, then run the date again"
    )
