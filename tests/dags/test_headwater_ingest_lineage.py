"""OpenLineage events of a real headwater_ingest run (the Airflow OpenLineage provider, file transport).

The provider reads its transport once, when its plugin loads (``conf.is_disabled`` is cached),
so the run happens in its own process with its own Airflow home and Headwater home: the other
DAG tests of the session run without lineage.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from test_headwater_ingest_e2e import EXPECTED

RUN = """
import os
from datetime import datetime, timezone
from pathlib import Path
from airflow.dag_processing.dagbag import BundleDagBag
folder = Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
dag = BundleDagBag(dag_folder=str(folder), bundle_path=folder).dags["headwater_ingest"]
print("state", dag.test(logical_date=datetime(2026, 11, 20, tzinfo=timezone.utc)).state)
"""


def test_the_report_task_names_landing_files_in_and_curated_chunks_vectors_out_with_row_counts(tmp_path: Path) -> None:
    events_file = tmp_path / "events.jsonl"
    home = tmp_path / "home"
    env = {
        **os.environ,
        "HEADWATER_HOME": str(home),
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path / 'airflow' / 'airflow.db'}",
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps({"type": "file", "log_file_path": str(events_file), "append": True}),
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "headwater-test",
    }
    (tmp_path / "airflow").mkdir()
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, env=env, timeout=300)
    done = subprocess.run([sys.executable, "-c", RUN], capture_output=True, text=True, env=env, timeout=900)
    assert "state success" in done.stdout, done.stdout[-3000:] + done.stderr[-5000:]

    events = [json.loads(line) for line in events_file.read_text().splitlines() if line.strip()]
    report = [e for e in events if e["job"]["name"] == "headwater_ingest.report" and e["eventType"] == "COMPLETE"]
    assert len(report) == 1, done.stdout[-3000:] + done.stderr[-5000:]
    (event,) = report
    landing = Path(os.environ["HEADWATER_LANDING_URI"].removeprefix("file://")) / "2026-11-20"
    data = home / "data"
    assert {(d["namespace"], d["name"]): d["inputFacets"]["inputStatistics"]["rowCount"] for d in event["inputs"]} == {
        ("file", str(landing / name)): counts[1] for name, counts in EXPECTED.items()
    }
    from headwater.layout import Layout, file_key

    lay = Layout(data, "2026-11-20")
    expected = {}
    for name, (status, _, curated, _, _, chunks, _) in EXPECTED.items():
        if status == "ok":
            expected[("file", str(lay.curated(file_key(name))))] = curated
            expected[("file", str(lay.chunks(file_key(name))))] = chunks
    expected[("file", str(lay.vectors / "chunks"))] = sum(c[-1] for c in EXPECTED.values())
    got = {(d["namespace"], d["name"]): d["outputFacets"]["outputStatistics"]["rowCount"] for d in event["outputs"]}
    assert got == expected
    assert sum(got[k] for k in got if k[1].endswith(".parquet") and "/curated/" in k[1]) == 31  # the run report's curated total
