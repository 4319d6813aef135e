"""The exact queries the KEDA triggers run, against the real servers they query.

* The GPU worker's ``postgresql`` trigger (read from the rendered ScaledObject) and the official chart's
  worker query as helm/airflow-values.yaml configures it, against PostgreSQL holding a real Airflow
  metadata schema (``airflow db migrate``) with seeded task instances.
* The GPU-capacity ``prometheus`` trigger (read from the rendered ScaledObject) against Prometheus
  scraping a Pushgateway that holds ``headwater_finetune_runs``.

Replica counts are computed as KEDA does for a Deployment target (source: KEDA docs "Scaling
Deployments", and the HPA algorithm in the Kubernetes docs): the trigger is active when the value
exceeds the activation threshold (default 0), otherwise the target scales to minReplicaCount; when
active the HPA wants ceil(value / target) replicas (AverageValue metric), bounded by
[max(minReplicaCount, 1), maxReplicaCount]. The HPA's 10 % tolerance only matters when replicas
already run; these counts are from zero.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
import servers
import yaml
from rendering import PROJECT, one, render

# ------------------------------------------------------------------ KEDA's arithmetic


def keda_replicas(value: float, target: float, min_replicas: int, max_replicas: int, activation: float = 0.0) -> int:
    """Replicas KEDA + the HPA settle on from zero for a metric ``value`` (see the module docstring)."""
    if value <= activation:
        return min_replicas
    return max(max(min_replicas, 1), min(max_replicas, math.ceil(value / target)))


def test_keda_arithmetic():
    assert [keda_replicas(v, 1, 0, 4) for v in (0, 0.5, 1, 2, 3.2, 9)] == [0, 1, 1, 2, 4, 4]
    assert keda_replicas(0, 1, 2, 4) == 2 and keda_replicas(5, 2, 0, 10) == 3


# ------------------------------------------------------------------ PostgreSQL with Airflow's schema


@pytest.fixture(scope="module")
def airflow_db(postgres_server: str):
    """A database migrated by ``airflow db migrate`` (Airflow 3.3.2, psycopg 3 driver); yields a psycopg connection string."""
    admin = postgres_server.replace("postgresql+psycopg://", "postgresql://")
    name = f"airflow_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    url = postgres_server.rsplit("/", 1)[0] + f"/{name}"
    # Airflow 3 also opens an async engine; psycopg 3 serves both (asyncpg is not installed).
    env = {**os.environ, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": url, "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": url}
    done = subprocess.run([str(Path(sys.executable).with_name("airflow")), "db", "migrate"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    try:
        yield admin.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f"DROP DATABASE {name} WITH (FORCE)")


def seed(conninfo: str, rows: list[tuple[str, str | None, int]]) -> None:
    """Replace every task instance with ``count`` rows per (state, queue, count).

    The rows are real task_instance rows (every NOT NULL column filled); foreign keys to dag_run are
    not enforced while seeding (session_replication_role = replica), the queries read task_instance only.
    """
    with psycopg.connect(conninfo, autocommit=True) as db:
        db.execute("TRUNCATE task_instance CASCADE")
        db.execute("SET session_replication_role = replica")
        n = 0
        for state, queue, count in rows:
            for _ in range(count):
                n += 1
                db.execute(
                    "INSERT INTO task_instance (id, task_id, dag_id, run_id, map_index, try_number, max_tries, pool, pool_slots, span_status, state, queue)"
                    " VALUES (%s, %s, 'headwater_ingest', 'manual__2026-11-20', -1, 1, 2, 'default_pool', 1, 'not_started', %s, %s)",
                    (uuid.uuid4(), f"t{n}", state, queue),
                )


def run_sql(conninfo: str, sql: str) -> float:
    with psycopg.connect(conninfo) as db:
        value = db.execute(sql).fetchone()[0]
    return float(value or 0)


OTHER_STATES = [("success", "gpu", 3), ("failed", "gpu", 2), ("scheduled", "gpu", 4), ("deferred", "gpu", 1), ("up_for_retry", "gpu", 2),
                ("success", "default", 9), ("up_for_reschedule", "default", 1), (None, "default", 2)]

# (seed rows, expected metric value, expected replicas) for the GPU worker: concurrency 2, 0..4.
GPU_CASES = {
    "empty metadata db": ([], 0, 0),
    "only finished or waiting gpu work, busy default queue": (OTHER_STATES + [("queued", "default", 7), ("running", "default", 5)], 0, 0),
    "one queued gpu task": ([("queued", "gpu", 1)], 1, 1),
    "two queued one running": (OTHER_STATES + [("queued", "gpu", 2), ("running", "gpu", 1), ("running", "default", 5)], 2, 2),
    "four running gpu tasks fill two workers": ([("running", "gpu", 4)], 2, 2),
    "twenty queued: capped at maxReplicaCount": ([("queued", "gpu", 20)], 10, 4),
}


def test_gpu_worker_trigger_sql_gives_keda_the_expected_replicas(airflow_db):
    scaled = one(render()["objects"], "ScaledObject", "-gpu-worker")
    trigger = scaled["spec"]["triggers"][0]
    assert trigger["type"] == "postgresql"
    sql, target = trigger["metadata"]["query"], float(trigger["metadata"]["targetQueryValue"])
    got = {}
    for name, (rows, _, _) in GPU_CASES.items():
        seed(airflow_db, rows)
        value = run_sql(airflow_db, sql)
        got[name] = (value, keda_replicas(value, target, scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"]))
    assert got == {name: (value, replicas) for name, (_, value, replicas) in GPU_CASES.items()}


def _official_keda() -> dict:
    """workers.celery.keda and config.celery from helm/airflow-values.yaml."""
    values = yaml.safe_load((PROJECT / "helm" / "airflow-values.yaml").read_text())
    return {"keda": values["workers"]["celery"]["keda"], "concurrency": values["config"]["celery"]["worker_concurrency"]}


# (seed rows, expected metric value, expected replicas) for the CPU workers: concurrency 8, 0..10.
CPU_CASES = {
    "empty metadata db": ([], 0, 0),
    "only gpu work": ([("queued", "gpu", 6), ("running", "gpu", 2)], 0, 0),
    "five running default, gpu and finished work ignored": (OTHER_STATES + [("running", "default", 5), ("queued", "gpu", 9)], 1, 1),
    "seventeen queued on two queues": ([("queued", "default", 15), ("queued", "embed", 2)], 3, 3),
    "a task with no queue still counts": ([("queued", None, 1)], 1, 1),
    "a hundred queued: capped at maxReplicaCount": ([("queued", "default", 100)], 13, 10),
}


def test_official_chart_worker_query_as_configured_gives_the_expected_replicas(airflow_db):
    official = _official_keda()
    sql = official["keda"]["query"]
    # The query divides by the workers' concurrency, as the chart's default query does.
    assert f"/ {official['concurrency']})" in sql
    got = {}
    for name, (rows, _, _) in CPU_CASES.items():
        seed(airflow_db, rows)
        value = run_sql(airflow_db, sql)
        # The chart's worker ScaledObject sets targetQueryValue "1".
        got[name] = (value, keda_replicas(value, 1, official["keda"]["minReplicaCount"], official["keda"]["maxReplicaCount"]))
    assert got == {name: (value, replicas) for name, (_, value, replicas) in CPU_CASES.items()}


# ------------------------------------------------------------------ Prometheus scraping a Pushgateway


@pytest.fixture(scope="module")
def prometheus_with_pushgateway():
    """(pushgateway URL, prometheus URL): Prometheus scrapes the Pushgateway every second, honor_labels as a ServiceMonitor with honorLabels."""
    pushgateway = servers.start_pushgateway()
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "scrape_configs": [{"job_name": "pushgateway", "honor_labels": True, "static_configs": [{"targets": [f"127.0.0.1:{pushgateway.port}"]}]}],
    }
    try:
        prometheus = servers.start_prometheus(yaml.safe_dump(config))
        try:
            yield pushgateway.url, prometheus.url
        finally:
            prometheus.stop()
    finally:
        pushgateway.stop()


def promql(prometheus: str, query: str) -> list[dict]:
    url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": query})
    with urllib.request.urlopen(url, timeout=5) as response:
        body = json.load(response)
    assert body["status"] == "success", body
    return body["data"]["result"]


def push_runs(pushgateway: str, prometheus: str, states: dict[str, float]) -> None:
    """Replace the pushed ``headwater_finetune_runs`` group with ``states``; return once Prometheus has scraped exactly that."""
    from prometheus_client import CollectorRegistry, Gauge, delete_from_gateway, push_to_gateway

    if states:
        registry = CollectorRegistry()
        gauge = Gauge("headwater_finetune_runs", "Fine-tune runs by state.", ["state"], registry=registry)
        for state, value in states.items():
            gauge.labels(state=state).set(value)
        push_to_gateway(pushgateway.removeprefix("http://"), job="headwater_finetune", registry=registry)
    else:
        delete_from_gateway(pushgateway.removeprefix("http://"), job="headwater_finetune")
    expected = {state: float(value) for state, value in states.items()}
    servers.wait_until(
        lambda: {r["metric"]["state"]: float(r["value"][1]) for r in promql(prometheus, "headwater_finetune_runs")} == expected,
        timeout_s=30, what=f"Prometheus scraping {expected}",
    )


# (pushed gauge values by state, expected query value, expected placeholders) for the default 0..2.
PROM_CASES = {
    "nothing pushed yet": ({}, 0, 0),
    "no fine-tune pending or running": ({"pending": 0, "running": 0}, 0, 0),
    "one pending": ({"pending": 1, "running": 0}, 1, 1),
    "one pending one running, other states ignored": ({"pending": 1, "running": 1, "succeeded": 5, "failed": 2}, 2, 2),
    "four at once: capped at maxReplicaCount": ({"pending": 3, "running": 1}, 4, 2),
    "all done again": ({"pending": 0, "running": 0, "succeeded": 9}, 0, 0),
}


def test_gpu_capacity_promql_gives_keda_the_expected_placeholders(prometheus_with_pushgateway):
    pushgateway, prometheus = prometheus_with_pushgateway
    scaled = one(render()["objects"], "ScaledObject", "-gpu-capacity")
    trigger = scaled["spec"]["triggers"][0]
    assert trigger["type"] == "prometheus"
    query, threshold = trigger["metadata"]["query"], float(trigger["metadata"]["threshold"])
    got = {}
    for name, (states, _, _) in PROM_CASES.items():
        push_runs(pushgateway, prometheus, states)
        result = promql(prometheus, query)
        assert len(result) == 1, result  # KEDA's prometheus scaler wants one element (else it errors)
        value = float(result[0]["value"][1])
        got[name] = (value, keda_replicas(value, threshold, scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"]))
    assert got == {name: (value, replicas) for name, (_, value, replicas) in PROM_CASES.items()}


def test_without_the_vector_fallback_an_idle_cluster_returns_no_sample(prometheus_with_pushgateway):
    """Why the query ends in `or vector(0)`: the bare sum over no series is empty, which KEDA reports as an error
    unless ignoreNullValues is on; with the fallback it is a plain 0."""
    pushgateway, prometheus = prometheus_with_pushgateway
    push_runs(pushgateway, prometheus, {})
    assert promql(prometheus, 'sum(headwater_finetune_runs{state=~"pending|running"})') == []
    assert [float(r["value"][1]) for r in promql(prometheus, 'sum(headwater_finetune_runs{state=~"pending|running"}) or vector(0)')] == [0.0]
