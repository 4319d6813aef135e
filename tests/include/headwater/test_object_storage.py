"""The data root on object storage (moto's S3 server) with the state in PostgreSQL: the same outputs as on local disk.

Real servers, no mocks: ``moto_server`` (S3) and ``postgres_database`` from tests/conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from headwater.chunk.stage import chunk as chunk_file
from headwater.clean.stage import clean as clean_file
from headwater.config.base import ConfigError
from headwater.config.settings import Settings
from headwater.decide import decide
from headwater.embed.stage import embed as embed_file
from headwater.embed.store import VectorStore
from headwater.ingest.stage import ingest as ingest_file
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import read_json, read_jsonl

SAMPLE = Path(__file__).resolve().parents[3] / "sample_data" / "landing" / "2026-11-20"
DATE = "2026-11-20"
NAMES = sorted(p.name for p in SAMPLE.iterdir())


def run_file(name: str, settings: Settings) -> dict:
    """Check, then ingest -> clean -> chunk -> embed one sample file, as the DAG's per-file tasks do."""
    ref = FileRef(DATE, name)
    data = (SAMPLE / name).read_bytes()
    decision = decide(data, ref, settings)
    if not decision["process"]:
        return {"skipped": decision["reason"]}
    info = ingest_file(data, ref, settings, expected_sha256=decision["sha256"])
    if info["status"] in ("quarantined", "empty"):
        return info
    clean_file(ref, settings)
    chunk_file(ref, settings)
    return embed_file(ref, settings)


def snapshot(settings: Settings) -> dict:
    """Everything the stage path wrote: file bytes by relative path (manifests and progress without their
    timings), and the vector store's rows (id -> source file, text, vector)."""
    lay = Layout(settings.data_dir)
    files = {}
    for path in lay.root.rglob("*"):
        relative = str(path)[len(str(lay.root)) + 1 :]
        if relative.startswith("vectors/") or ".sqlite" in relative or not path.is_file():
            continue
        if relative.startswith("manifests/"):
            manifest = read_json(path)
            for stage in manifest["stages"].values():
                stage.pop("seconds")
            files[relative] = manifest
        elif relative.startswith("progress/"):  # the embed progress: its rate and times are the clock's
            files[relative] = {k: read_json(path)[k] for k in ("done", "total")}
        else:
            files[relative] = path.read_bytes()
    table = VectorStore.for_settings(settings)._table()
    rows = table.to_arrow().sort_by("id").to_pylist()
    return {"files": files, "vectors": {r["id"]: (r["source_file"], r["text"], list(r["vector"])) for r in rows}}


def test_the_stage_path_on_s3_with_postgres_state_writes_what_it_writes_locally(
    bucket: str, postgres_database: str, tmp_path: Path
) -> None:
    # one digest key for both roots (HEADWATER_PII_DIGEST_KEY): else each root makes its own, and a masked row's id differs
    local = Settings(home=tmp_path / "local", landing_uri=SAMPLE.parent.as_uri(), pii_digest_key="test-key")
    remote = Settings(home=tmp_path / "remote", landing_uri=SAMPLE.parent.as_uri(), data_dir=f"s3://{bucket}/headwater", state_url=postgres_database,
                      pii_digest_key="test-key")
    assert Layout(remote.data_dir).remote and str(Layout(remote.data_dir).vectors) == f"s3://{bucket}/headwater/vectors"

    results = {name: (run_file(name, local), run_file(name, remote)) for name in NAMES}
    for name, (on_disk, on_s3) in results.items():
        assert on_s3 == on_disk, name
    assert results["SUPPORT_TICKETS.csv"][1]["vectors"] == 5
    assert results["orders_export.csv"][1]["status"] == "quarantined"

    expected, got = snapshot(local), snapshot(remote)
    assert sorted(got["files"]) == sorted(expected["files"])
    assert "curated/date=2026-11-20/SUPPORT_TICKETS.csv.parquet" in got["files"]
    assert got["files"] == expected["files"]
    assert len(got["vectors"]) == len(expected["vectors"]) > 20
    assert got["vectors"] == expected["vectors"]
    # nothing on local disk under the remote home but the (local) embedding exports folder, if any
    assert not (tmp_path / "remote" / "data").exists()

    # the fine-tune export reads the same tables and assembles the same examples
    from headwater.finetune.export import export_examples

    exported = {name: export_examples(s.data_dir) for name, s in (("local", local), ("remote", remote))}
    assert str(exported["remote"].path).startswith(f"s3://{bucket}/headwater/finetune/examples/")
    assert (exported["remote"].sha256, exported["remote"].count) == (exported["local"].sha256, exported["local"].count)
    assert exported["remote"].path.read_bytes() == exported["local"].path.read_bytes()
    got = snapshot(remote)

    # a re-run is a no-op: the ledger (in PostgreSQL) skips every file it finished
    again = {name: run_file(name, remote) for name in NAMES}
    assert all("skipped" in result for result in again.values()), again
    assert snapshot(remote) == got


def test_the_quarantined_rows_of_ingest_and_clean_are_one_object(bucket: str, postgres_database: str, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, landing_uri=SAMPLE.parent.as_uri(), data_dir=f"s3://{bucket}/root", state_url=postgres_database)
    run_file("SUPPORT_TICKETS.csv", settings)
    rows = read_jsonl(Layout(settings.data_dir, DATE).quarantine_rows("SUPPORT_TICKETS.csv"))
    assert [(r["stage"], r["line"]) for r in rows] == [("ingest", 4), ("ingest", 8)]
    clean_file(FileRef(DATE, "SUPPORT_TICKETS.csv"), settings)  # a retry of clean: ingest's rows kept, none doubled
    assert read_jsonl(Layout(settings.data_dir, DATE).quarantine_rows("SUPPORT_TICKETS.csv")) == rows


def test_an_object_storage_data_root_needs_a_state_database() -> None:
    with pytest.raises(ConfigError) as err:
        Settings.from_env({"HEADWATER_DATA_DIR": "s3://bucket/prefix"})
    message = str(err.value)
    assert "HEADWATER_DATA_DIR='s3://bucket/prefix'" in message and "set HEADWATER_STATE_URL" in message
    settings = Settings.from_env({"HEADWATER_DATA_DIR": "s3://bucket/prefix/", "HEADWATER_STATE_URL": "postgresql+psycopg://u@h/db"})
    assert settings.data_dir == "s3://bucket/prefix"
    assert settings.embedding_export_dir == settings.home / "embedding_exports"  # model exports stay local
    with pytest.raises(ConfigError, match="no other object store"):
        Settings.from_env({"HEADWATER_DATA_DIR": "gs://bucket/prefix", "HEADWATER_STATE_URL": "postgresql+psycopg://u@h/db"})
    assert Settings.from_env({"HEADWATER_DATA_DIR": "file:///srv/headwater"}).data_dir == Path("/srv/headwater")


def test_a_reader_polling_the_key_sees_no_object_the_old_one_or_the_new_one_never_half(bucket: str) -> None:
    """A 64 MiB Parquet file (above s3fs's 50 MiB part size, so a multipart upload) published twice while
    another thread reads the key over and over: every read is a complete, valid file, the old or the new one."""
    import io
    import threading

    import boto3
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq
    from botocore.exceptions import ClientError

    from headwater.storage import write_parquet

    target = Layout(f"s3://{bucket}/root", DATE).curated("big.csv")
    rng = np.random.default_rng(7)
    versions = [pd.DataFrame({"v": [v] * 64, "blob": [rng.bytes(1 << 20) for _ in range(64)]}) for v in (1, 2)]
    client, seen, stop = boto3.client("s3"), [], threading.Event()

    def poll() -> None:
        while not stop.is_set():
            try:
                body = client.get_object(Bucket=bucket, Key=f"root/curated/date={DATE}/big.csv.parquet")["Body"].read()
            except ClientError as exc:
                seen.append(exc.response["Error"]["Code"])
                continue
            table = pq.read_table(io.BytesIO(body))  # raises on a partial file
            seen.append(f"v{table.column('v')[0].as_py()} x{table.num_rows}")

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        for df in versions:
            write_parquet(target, df)
    finally:
        stop.set()
        reader.join()
    order = {"NoSuchKey": 0, "v1 x64": 1, "v2 x64": 2}
    assert set(seen) <= set(order), set(seen)  # every read found no object or a whole version
    assert [order[s] for s in seen] == sorted(order[s] for s in seen)  # never back to an older state
    assert seen[-1] == "v2 x64" or pq.read_table(target.open("rb")).column("v")[0].as_py() == 2
    assert len(seen) >= 3


class _SharedKey(FileRef):
    """A landing file whose output key is forced to one every racer shares (a real collision needs a 32-bit hash clash)."""

    @property
    def key(self) -> str:
        return "shared.csv"


def test_of_eight_files_racing_for_one_key_on_s3_exactly_one_claims_it(bucket: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from headwater.manifest import KeyCollision, claim_key

    settings = Settings(data_dir=f"s3://{bucket}/root", state_url="postgresql+psycopg://u@h/unused")
    refs = [_SharedKey(DATE, f"file{i}.csv") for i in range(8)]

    def claim(ref: FileRef) -> str:
        try:
            claim_key(settings, ref)
        except KeyCollision:
            return "lost"
        return "won"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(claim, refs))
    assert sorted(outcomes) == ["lost"] * 7 + ["won"]
    winner = refs[outcomes.index("won")]
    assert Layout(settings.data_dir, DATE).key_claim("shared.csv").read_text(encoding="utf-8") == winner.source + "\n"
    claim_key(settings, winner)  # the owner claims again (a retry): no collision


def test_alerts_on_object_storage_are_one_object_each(bucket: str) -> None:
    from collections import Counter

    from headwater.alerts import failure_counts, record_failure

    root = f"s3://{bucket}/root"
    for error in ("a", "b"):
        record_failure(root, pushgateway_url="", dag_id="headwater_ingest", task_id="embed", error=error)
    record_failure(root, pushgateway_url="", dag_id="headwater_ingest", task_id="clean", error="c")
    assert failure_counts(root) == Counter({("headwater_ingest", "embed"): 2, ("headwater_ingest", "clean"): 1})
    assert len(Layout(root).alert_events()) == 3


def test_the_local_fine_tune_runner_writes_its_run_to_local_disk_under_an_s3_root() -> None:
    import tempfile

    from headwater.finetune.local_runner import run_dir

    assert run_dir("s3://bucket/root", "manual__2026-11-20") == Path(tempfile.gettempdir()) / "headwater" / "finetune" / "runs" / "manual__2026-11-20"


def test_the_cli_lists_a_landing_zone_named_with_an_airflow_connection_id(bucket: str) -> None:
    """breaker5 #25: ``s3://conn_id@bucket/prefix`` (the README's form) crashed the CLI's listing (fsspec: invalid bucket name)."""
    import boto3

    from headwater.discovery import list_local, without_conn_id

    s3 = boto3.client("s3")
    for key in ("land/2026-11-24/orders.csv", "land/2026-11-24/a b.csv", "land/2026-11-25/other.csv"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"id,name\n1,Ann\n")
    assert list_local(f"s3://aws_default@{bucket}/land", "2026-11-24").files == ["a b.csv", "orders.csv"]
    assert list_local(f"s3://{bucket}/land", "2026-11-24").files == ["a b.csv", "orders.csv"]
    assert without_conn_id("s3://my_conn@my-bucket/a/b") == "s3://my-bucket/a/b"
    assert without_conn_id("s3://user:secret@host/x") == "s3://user:secret@host/x"  # credentials in a URL stay
    assert without_conn_id("file:///tmp/a@b/c") == "file:///tmp/a@b/c"
    assert without_conn_id("/tmp/a@b") == "/tmp/a@b"
