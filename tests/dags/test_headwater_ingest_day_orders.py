"""A real Airflow run (dag.test) over several dates whose day orders depend on each other (breaker8 #9): the dates ran
one by one in reverse first, then one manual run over 11-25..11-28 (``date_from``/``date_to``) whose `check` of 11-25
skipped its file, and computed its day-order lines, before 11-26 and 11-27 were cleaned again. The run's `report` task
computes them again once every date ran (headwater.report.refresh_day_orders_claimed): 11-25's manifest no longer says
"run those dates again" for the dates the same run reprocessed."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

CONFIG = """files: ["patients*.csv"]
schema:
  name: patient
  columns:
    patient_id: {type: string, identifier: true}
    dob: {type: date}
types:
  dayfirst: auto
"""
FILES = {  # breaker8's in/landing_bf
    "2026-11-25": "patient_id,dob\nP1,25/12/1958\nP2,03/04/1990\n",
    "2026-11-26": "patient_id,dob\nP2,03/04/1990\nP3,05/06/1970\n",
    "2026-11-27": "patient_id,dob\nP4,12/31/1980\nP5,01/02/2000\n",
    "2026-11-28": "patient_id,dob\nP5,01/02/2000\nP6,07/08/1965\n",
}


def _manifest(day: str) -> dict:
    from headwater.config.settings import Settings
    from headwater.layout import Layout
    from headwater.manifest import FileRef
    from headwater.storage import read_json

    return read_json(Layout(Settings.from_env().data_dir, day).manifest(FileRef(day, "patients.csv").key))


def test_a_run_over_several_dates_ends_with_day_order_lines_that_hold(ingest_dag, landing_zone, tmp_path: Path, monkeypatch) -> None:
    landing_zone({day: {"patients.csv": text} for day, text in FILES.items()})
    config = tmp_path / "config"
    config.mkdir()
    (config / "patients.yaml").write_text(CONFIG)
    monkeypatch.setenv("HEADWATER_CONFIG_DIR", str(config))
    for day in sorted(FILES, reverse=True):
        assert ingest_dag.test(logical_date=datetime.fromisoformat(day).replace(tzinfo=timezone.utc)).state == "success"
    assert len(_manifest("2026-11-25")["day_order_warnings"]) == 2  # 11-26 read month first, 11-27's alarm is due
    run = ingest_dag.test(logical_date=datetime(2026, 11, 29, tzinfo=timezone.utc),
                          run_conf={"date_from": "2026-11-25", "date_to": "2026-11-28"})
    assert run.state == "success"
    first = _manifest("2026-11-25")
    assert first["action"] == "unchanged"  # skipped, its lines computed while 11-26 and 11-27 still held their old reads
    assert first["day_order_warnings"] == [] and first["clean_warnings"] == []  # before: both "run those dates again"
    assert _manifest("2026-11-26")["value_formats"]["dayfirst_decided_by"] == "carried"
    assert _manifest("2026-11-27")["clean_warnings"][0].startswith("dob: DAY ORDER CHANGED: this file's values show month first")
