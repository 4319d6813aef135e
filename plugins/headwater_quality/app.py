"""The "Data quality" FastAPI app the api-server mounts under ``/headwater`` (wiring: data from headwater.quality).

Plugin FastAPI apps are not behind Airflow's authentication by default (Airflow 3.1+ plugin docs),
so every route depends on ``requires_access_dag("GET", DagAccessEntity.RUN, "headwater_ingest")``
from ``airflow.api_fastapi.core_api.security``: the caller's JWT (``Authorization: Bearer`` or the
UI's ``_token`` cookie, which the iframe sends) must belong to a user who may read the ingest DAG's
runs; an anonymous request is refused with 401, a user without that permission with 403.

Routes (under the mount prefix):

* ``quality/`` → the newest date with a run report;
* ``quality/date/{date}``: the date's file table and the 30-date plot; ``quality/api/date/{date}``: the same as JSON;
* ``quality/date/{date}/file/{key}``: one file's mapping, coercion failures and quarantined rows;
* ``quality/run/{dag_id}/{run_id}`` and ``quality/ti/{dag_id}/{run_id}/{task_id}/{map_index}``: the
  targets of the DAG-run and task-instance tabs; they resolve the run's logical date (and a mapped
  task's file, from its rendered map index) and redirect;
* ``quality/plotly.min.js``: plotly.js from the installed ``plotly`` package.
"""

from __future__ import annotations

import functools
from datetime import date as date_cls

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
from airflow.api_fastapi.core_api.security import requires_access_dag

INGEST_DAG = "headwater_ingest"

app = FastAPI(
    title="Headwater data quality",
    dependencies=[Depends(requires_access_dag("GET", DagAccessEntity.RUN, param_dag_id=INGEST_DAG))],
)


def _settings():  # noqa: ANN202 - headwater Settings
    from headwater.config.settings import Settings

    return Settings.from_env()


def _date(value: str) -> str:
    try:
        return date_cls.fromisoformat(value).isoformat()
    except ValueError:
        raise HTTPException(status_code=404, detail=f"{value!r} is not a date like 2026-11-20") from None


def _link(request: Request):  # noqa: ANN202 - (route name, **params) -> path
    return lambda name, **params: str(request.url_for(name, **params).path)


@functools.cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


@app.get("/quality/plotly.min.js", name="quality_plotly")
def plotly_js() -> Response:
    return Response(_plotly_js(), media_type="application/javascript", headers={"Cache-Control": "max-age=86400"})


@app.get("/quality/", name="quality_index")
def index(request: Request) -> Response:
    from headwater.quality import dates

    known = dates(_settings())
    if not known:
        return HTMLResponse("<p>No run report yet: run a date first (<code>make run</code>).</p>")
    return RedirectResponse(request.url_for("quality_day", date=known[0]).path, status_code=307)


@app.get("/quality/api/date/{date}", name="quality_day_json")
def day_json(date: str) -> dict:
    from headwater.quality import day

    return day(_settings(), _date(date))


@app.get("/quality/date/{date}", name="quality_day", response_class=HTMLResponse)
def day_view(request: Request, date: str) -> str:
    from headwater.quality import dates, day, history
    from headwater_quality.pages import day_page

    settings = _settings()
    date = _date(date)
    return day_page(day(settings, date), dates(settings), history(settings, date), _link(request),
                    str(request.url_for("quality_plotly").path))


@app.get("/quality/date/{date}/file/{key}", name="quality_file", response_class=HTMLResponse)
def file_view(request: Request, date: str, key: str) -> str:
    from headwater.quality import file_detail
    from headwater_quality.pages import file_page

    detail = file_detail(_settings(), _date(date), key)
    if detail is None:
        raise HTTPException(status_code=404, detail=f"no manifest for {key} on {date}")
    return file_page(detail, _link(request))


def _run_date(dag_id: str, run_id: str) -> str:
    """The landing date a DAG run worked on: its ``date_from`` param, else its logical date, else when it ran."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        run = session.scalar(select(DagRun).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id))
        if run is None:
            raise HTTPException(status_code=404, detail=f"no run {run_id} of {dag_id}")
        when = (run.conf or {}).get("date_from") or (run.logical_date or run.run_after).date().isoformat()
    return _date(str(when))


@app.get("/quality/run/{dag_id}/{run_id}", name="quality_run")
def run_view(request: Request, dag_id: str, run_id: str) -> Response:
    return RedirectResponse(request.url_for("quality_day", date=_run_date(dag_id, run_id)).path, status_code=307)


@app.get("/quality/ti/{dag_id}/{run_id}/{task_id}/{map_index}", name="quality_ti")
def task_instance_view(request: Request, dag_id: str, run_id: str, task_id: str, map_index: int) -> Response:
    """A mapped per-file task (its rendered map index is the landing file's name) opens that file's page."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from headwater.layout import file_key

    date = _run_date(dag_id, run_id)
    name = None
    if map_index >= 0:
        with create_session() as session:
            name = session.scalar(
                select(TaskInstance.rendered_map_index).where(
                    TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id,
                    TaskInstance.task_id == task_id, TaskInstance.map_index == map_index,
                )
            )
    if name and not name.isdigit():
        return RedirectResponse(request.url_for("quality_file", date=date, key=file_key(name)).path, status_code=307)
    return RedirectResponse(request.url_for("quality_day", date=date).path, status_code=307)
