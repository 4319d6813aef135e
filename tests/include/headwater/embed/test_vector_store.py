"""The vector store fed batch by batch: one merge_insert, the same contents as one big batch, all or nothing."""

import os
import uuid
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import headwater.embed.store as store_module
from headwater.config.settings import Settings
from headwater.embed.store import VectorStore, rows_digest, storage_options

SOURCE = "d/a.csv"


def chunks(n: int, start: int = 0, line_shift: int = 0) -> pa.Table:
    ids = [f"c{i:03d}" for i in range(start, start + n)]
    return pa.table(
        {
            "id": ids, "source_file": [SOURCE] * n, "row_id": ids, "line": [i + 2 + line_shift for i in range(start, start + n)],
            "column": ["body"] * n, "chunk_index": [0] * n, "char_start": [0] * n, "char_end": [5] * n,
            "text": [f"text {i}" for i in range(start, start + n)], "strategy": ["raw"] * n,
        }
    )  # fmt: skip


def vectors(n: int, start: int = 0) -> np.ndarray:
    return np.stack([np.eye(8, dtype=np.float32)[i % 8] * (1 + i) for i in range(start, start + n)])


def batched(table: pa.Table, vecs: np.ndarray, size: int):
    for lo in range(0, table.num_rows, size):
        yield table.slice(lo, size), vecs[lo : lo + size]


def contents(store: VectorStore) -> list[dict]:
    rows = store._table().to_arrow().to_pylist()
    return sorted(rows, key=lambda r: r["id"])


def test_many_small_batches_store_what_one_batch_stores(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(store_module, "WRITE_BATCH_ROWS", 4)  # batches handed to Lance are cut to this size too
    one, many = VectorStore(tmp_path / "one", dim=8), VectorStore(tmp_path / "many", dim=8)
    other = [(chunks(1, 900).set_column(1, "source_file", pa.array(["d/b.csv"])), vectors(1, 900))]
    for store in (one, many):
        store.replace_source_batches("d/b.csv", other, "m")  # another file in the store is never touched
    assert one.replace_source_batches(SOURCE, [(chunks(23), vectors(23))], "m") == 23
    assert many.replace_source_batches(SOURCE, batched(chunks(23), vectors(23), 3), "m") == 23
    assert contents(many) == contents(one) and len(contents(one)) == 24
    # a corrected file: 5 chunks gone, 4 new, lines shifted by one: the same from any batching
    assert one.replace_source_batches(SOURCE, [(chunks(22, 5, 1), vectors(22, 5))], "m") == 22
    assert many.replace_source_batches(SOURCE, batched(chunks(22, 5, 1), vectors(22, 5), 5), "m") == 22
    assert contents(many) == contents(one)
    assert sorted(r["id"] for r in contents(one) if r["source_file"] == SOURCE) == [f"c{i:03d}" for i in range(5, 27)]
    assert {r["line"] - int(r["id"][1:]) for r in contents(one) if r["source_file"] == SOURCE} == {3}  # updated in place


def test_a_failure_while_streaming_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "v", dim=8)
    store.replace_source_batches(SOURCE, batched(chunks(10), vectors(10), 4), "m")
    before = contents(store)

    def failing():
        yield chunks(3, 50), vectors(3, 50)
        raise RuntimeError("the model crashed on batch 2")

    with pytest.raises(RuntimeError, match="the model crashed on batch 2"):
        store.replace_source_batches(SOURCE, failing(), "m")
    assert contents(store) == before  # nothing inserted, nothing deleted: one commit or none
    with pytest.raises(RuntimeError, match="the model crashed on batch 2"):
        store.replace_source_batches("d/new.csv", failing(), "m")  # a new file: appended, and not even in part
    assert contents(store) == before
    with pytest.raises(ValueError, match="3 chunks but 2 vectors"):
        store.replace_source_batches(SOURCE, [(chunks(1), vectors(1)), (chunks(3, 1), vectors(2, 1))], "m")
    assert contents(store) == before


def test_an_unchanged_rerun_keeps_every_row_and_a_new_model_rewrites_them(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "v", dim=8)
    store.replace_source_batches(SOURCE, batched(chunks(6), vectors(6), 4), "m1")
    first = contents(store)
    assert store.replace_source_batches(SOURCE, batched(chunks(6), vectors(6), 2), "m1") == 6
    assert contents(store) == first
    store.replace_source_batches(SOURCE, batched(chunks(6), vectors(6) * 2, 2), "m2")
    assert {r["model"] for r in contents(store)} == {"m2"}
    assert np.allclose([r["vector"] for r in contents(store)], vectors(6) * 2)


def test_the_store_tells_whether_it_holds_exactly_a_files_rows(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "v", dim=8)
    assert store.holds(SOURCE, (0, 0)) and not store.holds(SOURCE, rows_digest([chunks(3)], "m"))  # no table yet
    store.replace_source_batches(SOURCE, batched(chunks(6), vectors(6), 4), "m")
    digest = rows_digest([chunks(6).slice(4), chunks(6).slice(0, 4)], "m")  # in any order, in any batches
    assert store.holds(SOURCE, digest)
    assert not store.holds(SOURCE, rows_digest([chunks(6)], "another model"))
    assert not store.holds(SOURCE, rows_digest([chunks(6, line_shift=1)], "m"))  # a line moved
    assert not store.holds(SOURCE, rows_digest([chunks(5)], "m")) and not store.holds(SOURCE, rows_digest([chunks(5), chunks(1)], "m"))
    assert not store.holds("d/other.csv", digest) and store.holds("d/other.csv", (0, 0))


WRITERS = 4


def file_rows(source: str, version: int, n: int) -> pa.Table:
    """Version ``version`` of a file's chunks: ids shared with the previous version (updated), new ones, and dropped ones."""
    table = chunks(n, start=version * 3, line_shift=version)
    ids = pa.array([f"{source}#{i}" for i in table.column("row_id").to_pylist()])
    return table.set_column(0, "id", ids).set_column(1, "source_file", pa.array([source] * n))


def test_one_write_of_several_files_is_one_version_and_replaces_each_file_exactly(tmp_path: Path) -> None:
    """An embed task's batch of files: one commit, one new table version, whether appended or merged."""
    store = VectorStore(tmp_path / "v", dim=8)
    store.replace_source_batches("d/b.csv", [(file_rows("d/b.csv", 0, 3), vectors(3))], "m")  # another file: never touched
    versions = len(store._table().list_versions())
    new = [("d/f1.csv", 0, 5), ("d/f2.csv", 0, 4), ("d/f3.csv", 0, 6)]

    def rows(spec):  # noqa: ANN001, ANN202
        return [(file_rows(source, version, n), vectors(n, version * 3)) for source, version, n in spec]

    written = store.replace_sources_batches(["d/f1.csv", "d/f2.csv", "d/f3.csv"], rows(new), "m")
    assert written == {"d/f1.csv": 5, "d/f2.csv": 4, "d/f3.csv": 6}
    assert len(store._table().list_versions()) == versions + 1  # one append for three files
    assert [store.count(f"d/f{i}.csv") for i in (1, 2, 3)] == [5, 4, 6] and store.count() == 18
    # the next day: f1 changed (ids shared, dropped and new), f2 unchanged, f3 lost every chunk
    written = store.replace_sources_batches(["d/f1.csv", "d/f2.csv", "d/f3.csv"], rows([("d/f1.csv", 1, 7), ("d/f2.csv", 0, 4)]), "m")
    assert written == {"d/f1.csv": 7, "d/f2.csv": 4, "d/f3.csv": 0}
    assert len(store._table().list_versions()) == versions + 2  # one merge for three files
    stored = {r["id"] for r in contents(store)}
    assert stored == {r for s, v, n in [("d/b.csv", 0, 3), ("d/f1.csv", 1, 7), ("d/f2.csv", 0, 4)] for r in file_rows(s, v, n).column("id").to_pylist()}
    assert len(contents(store)) == len(stored) == 14  # no id twice


def test_a_write_of_several_files_refuses_a_row_of_another_file_and_writes_nothing(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "v", dim=8)
    store.replace_source_batches("d/b.csv", [(file_rows("d/b.csv", 0, 3), vectors(3))], "m")
    before = contents(store)
    stray = [(file_rows("d/f1.csv", 0, 2), vectors(2)), (file_rows("d/b.csv", 1, 2), vectors(2))]
    with pytest.raises(ValueError, match=r"chunk rows of \['d/b.csv'\] in a write of d/f1.csv … d/f2.csv \(2 files\)"):
        store.replace_sources_batches(["d/f1.csv", "d/f2.csv"], stray, "m")
    assert contents(store) == before


def test_the_store_tells_which_of_several_files_it_holds_exactly_in_one_scan(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "v", dim=8)
    one, two = file_rows("d/f1.csv", 0, 5), file_rows("d/f2.csv", 0, 3)
    assert store.held({"d/f1.csv": rows_digest([one], "m"), "d/none.csv": (0, 0)}) == {"d/none.csv"}  # no table yet
    store.replace_sources_batches(["d/f1.csv", "d/f2.csv"], [(one, vectors(5)), (two, vectors(3))], "m")
    digests = {"d/f1.csv": rows_digest([one], "m"), "d/f2.csv": rows_digest([two.slice(1), two.slice(0, 1)], "m"), "d/none.csv": (0, 0)}
    assert store.held(digests) == {"d/f1.csv", "d/f2.csv", "d/none.csv"}
    changed = {**digests, "d/f1.csv": rows_digest([file_rows("d/f1.csv", 1, 5)], "m"), "d/none.csv": rows_digest([one], "m")}
    assert store.held(changed) == {"d/f2.csv"}
    assert store.held({}) == set()


def _store_writer(path: Path, writer: int, barrier) -> None:  # noqa: ANN001 - a multiprocessing barrier
    store = VectorStore(path, dim=8)
    source = f"d/f{writer}.csv"
    for version in range(3):
        barrier.wait()  # all processes write at once: a new file (append; the first creates the table), then changed ones (merge)
        n = 10 + writer + version
        store.replace_source_batches(source, batched(file_rows(source, version, n), vectors(n, version * 3), 4), "m")


def test_processes_embedding_different_files_at_once_lose_no_row(tmp_path: Path, at_once) -> None:  # noqa: ANN001
    """4 processes (spawned: LanceDB's runtime threads do not survive a fork) write their own file three times, together.

    Each file ends with exactly the rows of its last version, ids unique. Without the store's write
    lock, processes that find no table at once both create it and one fails; merge_inserts that
    commit together conflict and are retried by Lance (see the README, "Where state lives").
    """
    at_once(_store_writer, [(tmp_path / "v", writer) for writer in range(WRITERS)], start="forkserver", preload=("headwater.embed.store", "lancedb"))
    store = VectorStore(tmp_path / "v", dim=8)
    rows = contents(store)
    assert len({r["id"] for r in rows}) == len(rows) == sum(12 + w for w in range(WRITERS))
    for writer in range(WRITERS):
        source, n = f"d/f{writer}.csv", 12 + writer
        expected = file_rows(source, 2, n).to_pylist()
        stored = [{k: r[k] for k in expected[0]} for r in rows if r["source_file"] == source]
        assert stored == sorted(expected, key=lambda r: r["id"])
        assert [r["vector"] for r in rows if r["source_file"] == source] == [v.tolist() for v in vectors(n, 6)]


def _same_file_writer(path: Path, writer: int, barrier) -> None:  # noqa: ANN001 - a multiprocessing barrier
    store = VectorStore(path, dim=8)
    for version in range(2):
        barrier.wait()  # a retried task and its zombie, or two runs of one date: the same file written twice at once
        store.replace_source_batches("d/same.csv", [(file_rows("d/same.csv", version, 12), vectors(12, version * 3))], "m")


def test_processes_writing_the_same_file_at_once_store_it_once(tmp_path: Path, at_once) -> None:  # noqa: ANN001
    """Without the store's lock both would find none of the file's rows and both append them: every id twice.

    Lance itself does not catch that: concurrent inserts of one new key both commit
    (https://github.com/lancedb/lancedb/issues/2463).
    """
    VectorStore(tmp_path / "v", dim=8)._table(create=True)
    at_once(_same_file_writer, [(tmp_path / "v", writer) for writer in range(WRITERS)], start="forkserver", preload=("headwater.embed.store", "lancedb"))
    rows = contents(VectorStore(tmp_path / "v", dim=8))
    assert [r["id"] for r in rows] == sorted(r["id"] for r in file_rows("d/same.csv", 1, 12).to_pylist())


# ------------------------------------------------------------------ on object storage (moto), guarded by PostgreSQL

S3_PRELOAD = ("headwater.embed.store", "lancedb", "headwater.state")


@pytest.fixture
def s3_env(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The AWS variables of the moto server (set here, and handed to each writer process), with a fresh bucket."""
    import boto3

    env = {"AWS_ENDPOINT_URL": moto_server, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    env["BUCKET"] = f"hw-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=env["BUCKET"])
    return env


def _s3_store_writer(uri: str, lock_url: str, env: dict[str, str], writer: int, barrier) -> None:  # noqa: ANN001 - a multiprocessing barrier
    os.environ.update(env)  # the fork server started before this test set them
    store = VectorStore(uri, dim=8, lock_url=lock_url)
    source = f"d/f{writer}.csv"
    for version in range(3):
        barrier.wait()  # every process writes at once: a new file (the first creates the table), then changed versions (merge)
        n = 10 + writer + version
        store.replace_source_batches(source, batched(file_rows(source, version, n), vectors(n, version * 3), 4), "m")


def test_processes_on_several_machines_writing_different_files_lose_no_row(s3_env, postgres_database: str, at_once) -> None:  # noqa: ANN001
    """4 writer processes, each its own "machine" (no shared lock file: the advisory lock in PostgreSQL is the only guard),
    write their own file three times, together, to a store on s3://. Each file ends with exactly its last version."""
    uri = f"s3://{s3_env['BUCKET']}/data/vectors"
    at_once(_s3_store_writer, [(uri, postgres_database, s3_env, w) for w in range(WRITERS)], start="forkserver", preload=S3_PRELOAD, timeout_s=240)
    rows = contents(VectorStore(uri, dim=8))
    assert len({r["id"] for r in rows}) == len(rows) == sum(12 + w for w in range(WRITERS))
    for writer in range(WRITERS):
        source, n = f"d/f{writer}.csv", 12 + writer
        expected = file_rows(source, 2, n).to_pylist()
        assert [{k: r[k] for k in expected[0]} for r in rows if r["source_file"] == source] == sorted(expected, key=lambda r: r["id"])
        assert [r["vector"] for r in rows if r["source_file"] == source] == [v.tolist() for v in vectors(n, 6)]


def _s3_same_file_writer(uri: str, lock_url: str, env: dict[str, str], writer: int, barrier) -> None:  # noqa: ANN001
    os.environ.update(env)
    store = VectorStore(uri, dim=8, lock_url=lock_url)
    barrier.wait()  # a retried task on one worker and its zombie on another: a new file written twice at once
    store.replace_source_batches("d/same.csv", [(file_rows("d/same.csv", 1, 12), vectors(12, 3))], "m")


def test_processes_on_several_machines_writing_the_same_file_store_it_once(s3_env, postgres_database: str, at_once) -> None:  # noqa: ANN001
    """Without the advisory lock, writers that find none of the file's rows all append them: every id several times
    (concurrent inserts of one new key all commit: https://github.com/lancedb/lancedb/issues/2463)."""
    uri = f"s3://{s3_env['BUCKET']}/data/vectors"
    VectorStore(uri, dim=8)._table(create=True)
    at_once(_s3_same_file_writer, [(uri, postgres_database, s3_env, w) for w in range(WRITERS)], start="forkserver", preload=S3_PRELOAD, timeout_s=240)
    rows = contents(VectorStore(uri, dim=8))
    assert [r["id"] for r in rows] == sorted(r["id"] for r in file_rows("d/same.csv", 1, 12).to_pylist())


def test_an_http_endpoint_needs_allow_http_and_https_does_not() -> None:
    assert storage_options({"AWS_ENDPOINT_URL": "http://127.0.0.1:9000"}) == {"allow_http": "true"}
    assert storage_options({"AWS_ENDPOINT_URL": "http://a", "AWS_ENDPOINT_URL_S3": "https://s3.example"}) == {}
    assert storage_options({}) == {}


def test_the_lock_is_the_advisory_lock_with_postgres_state_and_fcntl_otherwise(postgres_database: str, tmp_path) -> None:  # noqa: ANN001
    assert VectorStore.for_settings(Settings(home=tmp_path)).lock_url == ""
    assert VectorStore.for_settings(Settings(home=tmp_path, state_url=postgres_database)).lock_url == postgres_database


def test_upsert_adds_rows_keeps_the_others_and_writing_them_again_changes_nothing(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "v", dim=8)
    assert store.upsert(chunks(3), vectors(3), "m") == 3
    assert store.upsert(chunks(2, 3), vectors(2, 3), "m") == 2  # a later micro-batch: rows 0-2 stay
    before = contents(store)
    assert [r["id"] for r in before] == ["c000", "c001", "c002", "c003", "c004"]
    assert store.upsert(chunks(2, 1), vectors(2, 1), "m") == 2  # a redelivered batch
    assert contents(store) == before
    store.upsert(chunks(1, 4, line_shift=7), vectors(1, 4), "m")  # the same id at another line: rewritten in place
    assert [(r["id"], r["line"]) for r in contents(store)][-1] == ("c004", 13) and len(contents(store)) == 5
    assert store.upsert(chunks(0), np.zeros((0, 8), np.float32), "m") == 0


def test_compaction_folds_the_days_commits_and_keeps_every_row(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "v", dim=8)
    assert store.compact() == dict.fromkeys(("rows", "versions_before", "versions_after", "fragments_before", "fragments_after"), 0)
    for f in range(6):  # six embedded files: six commits, six small fragments
        store.replace_source_batches(f"2026-11-25/f{f}.csv", [(file_rows(f"2026-11-25/f{f}.csv", 0, 4), vectors(4))], "m")
    before = contents(store)
    kept = store.compact()  # versions newer than an hour stay for readers that opened them
    assert (kept["rows"], kept["fragments_before"], kept["fragments_after"]) == (24, 6, 1)
    assert kept["versions_before"] >= 7 and kept["versions_after"] > kept["versions_before"]  # nothing pruned yet
    assert contents(store) == before
    with pytest.warns(UserWarning, match="removes every version except the latest"):
        pruned = store.compact(keep=timedelta(0))
    assert (pruned["rows"], pruned["versions_after"], pruned["fragments_after"]) == (24, 1, 1)
    assert contents(store) == before
    assert store.search(vectors(1)[0], k=1)[0].id == "2026-11-25/f0.csv#c000"


@pytest.mark.filterwarnings("ignore:optimize\\(cleanup_older_than=0\\):UserWarning")
def test_compact_folds_many_upserts_into_one_fragment_and_indexes_the_ids(tmp_path: Path) -> None:
    import datetime as dt

    store = VectorStore(tmp_path / "v", dim=8)
    for start in range(0, 12, 3):
        store.upsert(chunks(3, start), vectors(3, start), "m")
    before = contents(store)
    assert store._table().stats()["fragment_stats"]["num_fragments"] == 4
    store.compact(dt.timedelta(0))
    table = store._table()
    assert table.stats()["fragment_stats"]["num_fragments"] == 1 and len(table.list_versions()) == 1
    assert [(i.columns, i.index_type) for i in table.list_indices()] == [(["id"], "BTree")]
    assert contents(store) == before
    store.upsert(chunks(2, 11), vectors(2, 11), "m")  # writing goes on: c011 matched, c012 added
    assert [r["id"] for r in contents(store)][-2:] == ["c011", "c012"] and store.count() == 13
    store.compact(dt.timedelta(0))  # a second time: the index exists already
    assert store.count() == 13 and [i.columns for i in store._table().list_indices()] == [["id"]]


def test_compact_of_a_store_without_table_does_nothing(tmp_path: Path) -> None:
    import datetime as dt

    VectorStore(tmp_path / "v", dim=8).compact(dt.timedelta(0))
    assert not (tmp_path / "v").exists() or not any((tmp_path / "v").glob("*.lance"))


def test_upsert_checks_for_another_embedder_once_until_another_writer_commits(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """The scan for another embedder's vectors costs a stream batch more as the table grows: a store skips it while
    the table is at the version its own last upsert of the same model and file left, and checks again after any other commit."""
    store = VectorStore(tmp_path / "v", dim=8)
    scans: list[list[str]] = []
    check = VectorStore._refuse_another_embedder
    monkeypatch.setattr(VectorStore, "_refuse_another_embedder", lambda self, table, files, model: (scans.append(files), check(self, table, files, model)))
    for start in range(0, 9, 3):
        store.upsert(chunks(3, start), vectors(3, start), "m")
    assert scans == [[SOURCE]]  # the first batch only
    other = VectorStore(tmp_path / "v", dim=8)  # another process writes another file of another embedder
    with pytest.raises(ValueError, match="holds vectors of 'm', not 'other-model'"):
        other.upsert(file_rows("d/other.csv", 0, 2), vectors(2), "other-model")
    other.replace_source("d/other.csv", file_rows("d/other.csv", 0, 2).to_pandas(), vectors(2), "m")  # a commit by another writer
    store.upsert(chunks(1, 9), vectors(1, 9), "m")
    assert len(scans) == 4  # the other store's two checks, then this store's again: the version moved
    store.upsert(chunks(1, 10), vectors(1, 10), "m")
    assert len(scans) == 4
    store.upsert(file_rows("d/third.csv", 0, 1), vectors(1), "m")  # another file: checked
    assert len(scans) == 5
