"""Where Headwater's shared state lives: one SQLAlchemy engine per database, SQLite or PostgreSQL.

The ledger and the embedding cache keep their tables in a database chosen by
``HEADWATER_STATE_URL`` (``Settings.state_url``):

* unset (the default): each store is its own SQLite file under the data root, at the path
  ``headwater.layout.Layout`` gives it (``ledger.sqlite``, ``embedding_cache.sqlite``), in WAL mode
  with a 60 s busy timeout, which serves parallel task processes on one machine. WAL needs shared
  memory between the processes, so it does not work over a network filesystem
  (https://www.sqlite.org/wal.html, "Disadvantages"): state shared by workers on several nodes
  needs a server database;
* a SQLAlchemy URL (https://docs.sqlalchemy.org/en/21/core/engines.html#database-urls): every
  store's tables in that database, e.g. ``postgresql+psycopg://user@host:5432/headwater``
  (driver: psycopg 3, https://docs.sqlalchemy.org/en/21/dialects/postgresql.html#module-sqlalchemy.dialects.postgresql.psycopg).
  Without a password in the URL, libpq reads ``PGPASSWORD`` or ``~/.pgpass``.

A store declares its tables on its own ``MetaData``, calls ``create_tables`` once, and writes
with SQLAlchemy Core statements that run unchanged on both dialects; ``upsert`` is the one
statement whose construct differs (``INSERT ... ON CONFLICT DO UPDATE``, a single atomic
statement on both, https://docs.sqlalchemy.org/en/21/dialects/postgresql.html#insert-on-conflict-upsert
and https://docs.sqlalchemy.org/en/21/dialects/sqlite.html#insert-on-conflict-upsert).
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar, Self

from sqlalchemy import Engine, MetaData, Table, create_engine, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from headwater.config.settings import Settings
from headwater.layout import Layout

# The INSERT construct with ON CONFLICT support, per dialect name.
_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
SQLITE_BUSY_TIMEOUT_S = 60  # how long a SQLite writer waits for another process's write lock

_ENGINES: dict[str, Engine] = {}


def _forget_engines_after_fork() -> None:
    """A forked child must not use (nor close) its parent's pooled connections: start afresh.

    SQLAlchemy's recipe for os.fork() and multiprocessing:
    https://docs.sqlalchemy.org/en/21/core/pooling.html#using-connection-pools-with-multiprocessing-or-os-fork
    """
    for engine in _ENGINES.values():
        engine.dispose(close=False)
    _ENGINES.clear()


os.register_at_fork(after_in_child=_forget_engines_after_fork)


def location(settings: Settings, default: Path) -> Path | str:
    """Where a store's tables live: ``settings.state_url`` when set, else the SQLite file ``default`` (a ``Layout`` path)."""
    return settings.state_url or Path(default)


def url_of(where: Path | str) -> URL:
    """The SQLAlchemy URL of ``where``: a ``Path`` is a SQLite file, a ``str`` a URL. Raises ValueError for a dialect Headwater does not support."""
    url = URL.create("sqlite", database=str(Path(where).resolve())) if isinstance(where, Path) else make_url(where)
    if url.get_backend_name() not in _INSERTS:
        raise ValueError(
            f"HEADWATER_STATE_URL={url.render_as_string(hide_password=True)!r}: unsupported database "
            f"{url.get_backend_name()!r} — use postgresql+psycopg://user@host:port/database, or leave it unset for SQLite files"
        )
    return url


def engine(where: Path | str) -> Engine:
    """The process's engine for ``where`` (see ``url_of``), created on first use and shared afterwards.

    SQLite: the file's folder is created; every connection sets ``journal_mode=WAL`` and waits up to
    ``SQLITE_BUSY_TIMEOUT_S`` for a lock (https://www.sqlite.org/wal.html). PostgreSQL: pooled
    connections, checked before use (``pool_pre_ping``). Connecting happens on first use, so a
    wrong URL raises there (``sqlalchemy.exc.OperationalError``). Raises ValueError as ``url_of``.
    """
    url = url_of(where)
    key = url.render_as_string(hide_password=False)
    if key in _ENGINES:
        return _ENGINES[key]
    if url.get_backend_name() == "sqlite":
        if url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        made = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        event.listen(made, "connect", _sqlite_wal)
    else:
        made = create_engine(url, pool_pre_ping=True)
    _ENGINES[key] = made
    return made


def _sqlite_wal(dbapi_connection, _record) -> None:  # noqa: ANN001 - DBAPI connection, pool record
    """Put the database in WAL mode, waiting (up to the busy timeout) while another process writes.

    ``PRAGMA journal_mode=WAL`` on a database another connection holds a write lock on fails at
    once with "database is locked": SQLite does not call the busy handler for it (checked here:
    0.0 s with a 5 s timeout). Processes opening a new store together hit exactly that, so the
    change is retried with a short random sleep, and skipped when the file is already in WAL mode
    (the mode is kept in the file: only its first opener changes it). Raises sqlite3.OperationalError
    when it still fails after ``SQLITE_BUSY_TIMEOUT_S``.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            if str(dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                dbapi_connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01 + random.random() * 0.04)


class Store:
    """A set of tables in the state database, made on first use: subclasses name them in ``METADATA``.

    ``where``: a SQLite file (``Path``) or a database URL (``str``), see ``engine``; ``for_settings``
    picks the settings' state database (the ledger's SQLite file unless ``state_url`` is set).
    """

    METADATA: ClassVar[MetaData]

    def __init__(self, where: Path | str) -> None:
        self.engine = engine(where)
        create_tables(self.engine, self.METADATA)

    @classmethod
    def for_settings(cls, settings: Settings) -> Self:
        """The store in the settings' state database; ``settings.data_dir`` must be set (AssertionError otherwise)."""
        assert settings.data_dir is not None
        return cls(location(settings, Layout(settings.data_dir).ledger))


def create_tables(bind: Engine, metadata: MetaData) -> None:
    """Create the tables of ``metadata`` that do not exist yet; existing ones are left as they are.

    Several processes may start at once: on PostgreSQL two concurrent ``CREATE TABLE`` of one name
    can fail with a unique violation in the catalog even when checked first, so a failure is
    ignored when the tables exist afterwards (another process made them) and re-raised otherwise.
    """
    try:
        metadata.create_all(bind)
    except DBAPIError:
        if not set(metadata.tables) <= set(inspect(bind).get_table_names()):
            raise


def insert(bind: Engine, table: Table):  # noqa: ANN201 - the dialect's Insert construct
    """``INSERT INTO table`` as the dialect's construct, which has ``on_conflict_do_update``/``on_conflict_do_nothing``
    (same signature on SQLite and PostgreSQL); raises KeyError for another dialect (``url_of`` refuses those first)."""
    return _INSERTS[bind.dialect.name](table)


def upsert(bind: Engine, table: Table, keys: Sequence[str]):  # noqa: ANN201 - the dialect's Insert construct
    """``INSERT INTO table ... ON CONFLICT (keys) DO UPDATE SET`` every other column to the inserted value.

    Execute it with a list of row dicts (``connection.execute(statement, rows)``); no two rows of
    one call may share ``keys`` (PostgreSQL refuses to update a row twice in one statement). One
    statement per row batch, atomic on both dialects: concurrent writers of one key never lose a
    row, and the last one to commit wins.
    """
    statement = insert(bind, table)
    return statement.on_conflict_do_update(
        index_elements=list(keys), set_={c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
    )


@contextmanager
def advisory_lock(where: str, name: str) -> Iterator[None]:
    """Hold PostgreSQL's session-level advisory lock ``pg_advisory_lock(hashtext(name))`` for the block.

    ``where``: a PostgreSQL URL (``url_of``). Every process (on any machine) that asks for the same
    ``name`` on the same database waits until the holder leaves its block; the lock belongs to one
    pooled connection, kept checked out for the block, so a process that dies releases it with its
    connection. ``hashtext`` maps the name to 32 bits: two names that collide only wait for each
    other. Source: https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS
    Raises ValueError when ``where`` is not PostgreSQL (SQLite has no advisory locks).
    """
    bind = engine(where)
    if bind.dialect.name != "postgresql":
        raise ValueError(f"{url_of(where).render_as_string(hide_password=True)}: advisory locks need PostgreSQL")
    with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("SELECT pg_advisory_lock(hashtext(:name))"), {"name": name})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(hashtext(:name))"), {"name": name})
