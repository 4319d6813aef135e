"""Registers the "Data quality" app with the api-server, and its tabs on the run and task instance pages.

The tabs are external views (Airflow 3.1+ ``external_views``): the UI shows ``href`` in an iframe,
with ``{DAG_ID}``, ``{RUN_ID}``, ``{TASK_ID}`` and ``{MAP_INDEX}`` filled in; ``href`` is relative
(no leading slash) so it works behind a proxy's path prefix.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from headwater_quality.app import app

PREFIX = "headwater"  # the app's mount point: /headwater/quality/...


class HeadwaterQualityPlugin(AirflowPlugin):
    name = "headwater_quality"
    fastapi_apps = [{"app": app, "url_prefix": f"/{PREFIX}", "name": "Headwater data quality"}]
    external_views = [
        {"name": "Data quality", "href": f"{PREFIX}/quality/", "destination": "nav", "url_route": "headwater-quality",
         "category": "browse"},
        {"name": "Data quality", "href": f"{PREFIX}/quality/run/{{DAG_ID}}/{{RUN_ID}}", "destination": "dag_run",
         "url_route": "headwater-quality-run"},
        {"name": "Data quality", "href": f"{PREFIX}/quality/ti/{{DAG_ID}}/{{RUN_ID}}/{{TASK_ID}}/{{MAP_INDEX}}",
         "destination": "task_instance", "url_route": "headwater-quality-ti"},
    ]
