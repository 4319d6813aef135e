from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Migrate the session's SQLite metadata DB once (about 5 s)."""
    home = Path(os.environ["AIRFLOW_HOME"])
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, env=os.environ.copy())
    return home / "airflow.db"


@pytest.fixture(scope="session")
def load_dag(airflow_db):
    """A function ``load_dag(dag_id)`` parsing the DAGs folder as the dags bundle does and returning one DAG
    (each call a fresh DagBag, so a module's fixture gets DAG objects no other module touched)."""

    def load(dag_id: str):  # noqa: ANN202 - an airflow.sdk DAG
        from airflow.dag_processing.dagbag import BundleDagBag  # adds the folder to sys.path, as the dags bundle does

        folder = Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
        return BundleDagBag(dag_folder=str(folder), bundle_path=folder).dags[dag_id]

    return load


@pytest.fixture
def landing_zone(tmp_path: Path, monkeypatch):
    """A function ``landing_zone({date: {name: text or bytes}})`` writing the files under
    ``tmp_path/landing/<date>/`` and pointing ``HEADWATER_LANDING_URI`` there and ``HEADWATER_HOME`` at
    ``tmp_path/home`` (a zone and a Headwater home per test); returns the landing folder."""

    def make(days: dict[str, dict[str, str | bytes]]) -> Path:
        landing = tmp_path / "landing"
        for day, files in days.items():
            (landing / day).mkdir(parents=True, exist_ok=True)
            for name, data in files.items():
                path = landing / day / name
                path.write_bytes(data) if isinstance(data, bytes) else path.write_text(data)
        monkeypatch.setenv("HEADWATER_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("HEADWATER_LANDING_URI", landing.as_uri())
        return landing

    return make


@pytest.fixture(scope="module")
def ingest_dag(load_dag):
    """``headwater_ingest``, parsed once per test module."""
    return load_dag("headwater_ingest")


@pytest.fixture
def curated_events(airflow_db):
    """A function listing the ``headwater-curated`` asset events in the metadata DB, oldest first,
    as ``(id, source_dag_id, source_run_id, extra)``."""

    def read() -> list[tuple]:
        from airflow.models.asset import AssetEvent, AssetModel
        from airflow.utils.session import create_session
        from sqlalchemy import select

        query = (
            select(AssetEvent.id, AssetEvent.source_dag_id, AssetEvent.source_run_id, AssetEvent.extra)
            .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .where(AssetModel.name == "headwater-curated")
            .order_by(AssetEvent.id)
        )
        with create_session() as session:
            return [tuple(row) for row in session.execute(query).all()]

    return read
