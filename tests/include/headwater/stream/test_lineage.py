"""OpenLineage events of a stream consumer: none by default; with a file transport, START, one RUNNING per batch
and COMPLETE, naming the stream as input and the output, dead-letter streams and vector table with row counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from headwater.config.settings import Settings
from headwater.stream.consumer import serve
from headwater.stream.lineage import lineage_client, redis_namespace

SCHEMA = {"type": "object", "required": ["id", "text"], "properties": {"id": {"type": "string"}, "text": {"type": "string"}}}


@pytest.fixture
def no_openlineage(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("OPENLINEAGE"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no openlineage.yml in the working directory
    monkeypatch.setenv("HOME", str(tmp_path))  # nor in ~/.openlineage


def test_no_transport_configured_means_no_lineage(no_openlineage: None, monkeypatch: pytest.MonkeyPatch) -> None:
    assert lineage_client() is None
    monkeypatch.setenv("OPENLINEAGE__TRANSPORT__TYPE", "console")
    assert lineage_client() is not None
    monkeypatch.setenv("OPENLINEAGE_DISABLED", "true")
    assert lineage_client() is None


def test_the_redis_namespace_carries_no_credentials() -> None:
    assert redis_namespace("redis://:s3cret@cache.internal:6380/2") == "redis://cache.internal:6380/2"
    assert redis_namespace("redis://user:pw@cache") == "redis://cache:6379/0"


def test_a_kafka_stream_is_named_by_its_first_bootstrap_server() -> None:
    assert redis_namespace("kafka://broker-1.internal:9093") == "kafka://broker-1.internal:9093"  # no /0 database
    assert redis_namespace("kafka://broker-1") == "kafka://broker-1:9092"


def test_a_consumer_run_emits_start_running_complete_with_row_counts(
    no_openlineage: None, redis_server: str, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis

    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "notes.yaml").write_text(yaml.safe_dump({"stream": {"name": "notes", "schema": SCHEMA, "text_fields": ["text"]}}))
    events = tmp_path / "lineage.jsonl"
    for name, value in {
        "HEADWATER_HOME": str(settings.home), "HEADWATER_CONFIG_DIR": str(tmp_path / "sources"), "HEADWATER_STREAM_REDIS_URL": redis_server,
        "OPENLINEAGE__TRANSPORT__TYPE": "file", "OPENLINEAGE__TRANSPORT__LOG_FILE_PATH": str(events), "OPENLINEAGE__TRANSPORT__APPEND": "true",
    }.items():
        monkeypatch.setenv(name, value)
    client = redis.Redis.from_url(redis_server, decode_responses=True)
    for payload in ['{"id": "n1", "text": "Meeting moved to Friday"}', '{"id": "n1", "text": "Meeting moved to Friday"}', "{oops"]:
        client.xadd("notes", {"data": payload})

    serve(Settings.from_env(), "notes", "c1", idle_exit_s=0.5)

    emitted = [json.loads(line) for line in events.read_text().splitlines()]
    assert [e["eventType"] for e in emitted] == ["START", "RUNNING", "COMPLETE"]
    assert len({e["run"]["runId"] for e in emitted}) == 1
    assert {(e["job"]["namespace"], e["job"]["name"], e["job"]["facets"]["jobType"]["processingType"]) for e in emitted} == {
        ("headwater", "stream.notes", "STREAMING")
    }
    namespace = redis_server  # redis://127.0.0.1:<port>/0: no credentials to strip
    vectors = f"{Settings.from_env().data_dir}/vectors/{Settings.from_env().vector_table}"

    def counts(event: dict) -> tuple:
        (source,) = event["inputs"]
        return (
            (source["namespace"], source["name"], source["inputFacets"]["inputStatistics"]["rowCount"]),
            [(o["namespace"], o["name"], o["outputFacets"]["outputStatistics"]["rowCount"]) for o in event["outputs"]],
        )

    batch = ((namespace, "notes", 3), [(namespace, "notes:out", 1), (namespace, "notes:dead", 1), ("file", vectors, 1)])
    assert counts(emitted[1]) == batch and counts(emitted[2]) == batch
    assert counts(emitted[0]) == ((namespace, "notes", 0), [(namespace, "notes:out", 0), (namespace, "notes:dead", 0), ("file", vectors, 0)])
