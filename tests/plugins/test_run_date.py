"""plugins/headwater_local/run_date.py: the scheduler's run for a logical date, and task output into task logs."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

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

    from headwater.decide import LOCAL_RUN
    from headwater_local.run_date import run_date

    confs = []

    class _Dag:
        def test(self, logical_date, run_conf):  # noqa: ANN001, ANN202 - dag.test's keywords
            confs.append((logical_date, run_conf))
            return "run"

    monkeypatch.setattr(airflow.utils.cli, "get_bagged_dag", lambda bundle, dag_id: _Dag())
    assert run_date("headwater_ingest", "2026-11-20", {"force": True}) == "run"
    run_date("headwater_ingest", "2026-11-20", None)
    (day, first), (_, second) = confs
    assert day == datetime(2026, 11, 20, tzinfo=timezone.utc)
    assert first["force"] is True and set(first) == {"force", LOCAL_RUN} and set(second) == {LOCAL_RUN}
    assert len(first[LOCAL_RUN]) == 32 and first[LOCAL_RUN] != second[LOCAL_RUN]
