"""Headwater's state database: chosen by URL, SQLite files by default, one upsert statement on both dialects."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, select, text

from headwater import state
from headwater.config.settings import Settings
from headwater.embed.cache import EmbeddingCache
from headwater.layout import Layout
from headwater.ledger import Fingerprint, Ledger


def test_a_path_is_a_sqlite_file_and_a_string_a_url(tmp_path: Path) -> None:
    assert state.url_of(tmp_path / "x" / ".." / "s.sqlite").render_as_string() == f"sqlite:///{tmp_path}/s.sqlite"
    url = state.url_of("postgresql+psycopg://hw:secret@db:5432/headwater")
    assert (url.get_backend_name(), url.get_driver_name(), url.host, url.database) == ("postgresql", "psycopg", "db", "headwater")


def test_an_unsupported_database_is_refused_without_showing_the_password() -> None:
    with pytest.raises(ValueError) as raised:
        state.url_of("mysql://hw:secret@db/headwater")
    assert str(raised.value) == (
        "HEADWATER_STATE_URL='mysql://hw:***@db/headwater': unsupported database 'mysql' — use "
        "postgresql+psycopg://user@host:port/database, or leave it unset for SQLite files"
    )


def test_unset_url_keeps_each_store_in_its_own_file_under_the_data_root(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    layout = Layout(settings.data_dir)
    assert state.location(settings, layout.ledger) == tmp_path / "data" / "ledger.sqlite"
    Ledger.for_settings(settings).record("2026-11-20/a.csv", Fingerprint("s", "c", "v"), "ok")
    assert layout.ledger.exists() and not layout.embedding_cache.exists()
    assert state.location(Settings(home=tmp_path, state_url="postgresql+psycopg://h/db"), layout.ledger) == "postgresql+psycopg://h/db"


def test_a_state_url_puts_the_ledger_and_the_cache_in_that_database(tmp_path: Path, postgres_database: str) -> None:
    settings = Settings(home=tmp_path, state_url=postgres_database)
    Ledger.for_settings(settings).record("2026-11-20/a.csv", Fingerprint("s", "c", "v"), "ok")
    with state.engine(postgres_database).connect() as db:
        tables = db.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).scalars().all()
        assert db.execute(text("SELECT source, outcome FROM files")).all() == [("2026-11-20/a.csv", "ok")]
    assert tables == ["files"]  # the cache's table appears when the cache is first opened
    EmbeddingCache(postgres_database)
    with state.engine(postgres_database).connect() as db:
        assert db.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).scalars().all() == ["files", "vectors"]
    assert not (tmp_path / "data" / "ledger.sqlite").exists()


def test_sqlite_state_is_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    engine = state.engine(tmp_path / "deep" / "s.sqlite")  # the folder is created
    with engine.connect() as db:
        assert db.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert db.execute(text("PRAGMA busy_timeout")).scalar_one() == state.SQLITE_BUSY_TIMEOUT_S * 1000
    assert state.engine(tmp_path / "deep" / "s.sqlite") is engine  # one engine per database and process


def test_opening_a_new_store_while_another_process_writes_it_waits_instead_of_failing(tmp_path: Path) -> None:
    """SQLite answers PRAGMA journal_mode=WAL with "database is locked" at once, busy timeout or not, while
    another connection holds a write lock: processes opening a new store together failed that way."""
    import sqlite3
    import threading

    path = tmp_path / "s.sqlite"
    locked, release = threading.Event(), threading.Event()

    def writer() -> None:  # another process's write transaction on the new (not yet WAL) file, for 0.5 s
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("CREATE TABLE t (i INTEGER)")
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t VALUES (1)")
        locked.set()
        release.wait(5)
        db.execute("COMMIT")
        db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert locked.wait(5)
    threading.Timer(0.5, release.set).start()
    with state.engine(path).connect() as db:  # the old connect hook raised OperationalError here
        assert db.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert db.execute(text("SELECT i FROM t")).scalars().all() == [1]  # it waited for the commit
    thread.join()


def test_upsert_inserts_then_replaces_every_other_column(state_where: Path | str) -> None:
    metadata = MetaData()
    table = Table("t", metadata, Column("k", Text, primary_key=True), Column("n", Integer), Column("s", Text))
    engine = state.engine(state_where)
    state.create_tables(engine, metadata)
    state.create_tables(engine, metadata)  # existing tables are kept
    with engine.begin() as db:
        db.execute(state.upsert(engine, table, ["k"]), [{"k": "a", "n": 1, "s": "x"}, {"k": "b", "n": 2, "s": "y"}])
    with engine.begin() as db:
        db.execute(state.upsert(engine, table, ["k"]), [{"k": "a", "n": 3, "s": "z"}])
    with engine.connect() as db:
        assert db.execute(select(table).order_by(table.c.k)).all() == [("a", 3, "z"), ("b", 2, "y")]


def _engines_in_child(result) -> None:  # noqa: ANN001 - the sending end of a multiprocessing pipe
    result.send(len(state._ENGINES))  # a pipe, not a Queue: no feeder thread started in the forked child


def test_a_forked_process_opens_its_own_connections(tmp_path: Path) -> None:
    state.engine(tmp_path / "s.sqlite")
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_engines_in_child, args=(send,))
    child.start()
    child.join(60)
    assert child.exitcode == 0 and receive.poll(5) and receive.recv() == 0 and len(state._ENGINES) >= 1
