"""Claims: which DAG run may write a landing file's outputs now, with a lease.

Two runs can cover one landing date at once (a scheduled run and a backfill whose
``date_from``/``date_to`` name it, or two backfills). Before a file's tasks write anything, the
run claims ``(date, file)``; a run that finds a live claim of another run does not write that
file and says why ("claimed by run X until T"). The claim is one row of the ``claims`` table in
Headwater's state database (``headwater.state``: the ledger's SQLite file by default, PostgreSQL by
``HEADWATER_STATE_URL``), written by one SQLAlchemy code path on both:

* **claim / renew** is a single ``INSERT ... ON CONFLICT (date, file) DO UPDATE ... WHERE`` the row
  is this run's or its lease has expired, ``RETURNING`` the row when it was written. Of any
  number of concurrent claimers of a free or expired file exactly one gets a row back: PostgreSQL
  locks the conflicting row and evaluates the ``WHERE`` on its latest version
  (https://www.postgresql.org/docs/current/sql-insert.html#SQL-ON-CONFLICT), SQLite serializes
  writers on the database lock (https://www.sqlite.org/lang_upsert.html, https://www.sqlite.org/lang_returning.html).
  No read decides a write, so there is no read-then-write race.
* **re-entry**: the owner is the DAG run id; a retry of one of its tasks, another task of the same
  file (its map index differs between the ``process_file`` and ``index_file`` groups), or the run
  cleared and run again ("Clear" keeps the run id) claim it again and push the lease on.
* **expiry**: a lease lasts ``Settings.claim_lease_seconds`` from the last claim or renewal; a run
  whose worker died (SIGKILL, a lost node) stops renewing, and once the lease has passed any other
  run can take the file over. ``renewing`` renews in a background thread while a task works, so a
  long task keeps its claim; the lease only has to outlast the gap between two tasks of a file.
* **release** deletes the row, only when it is still the releasing run's.

Times are UTC epoch seconds from the claimer's clock: the workers' clocks must agree to well
within the lease (NTP does).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Column, Float, MetaData, Table, Text, and_, case, delete, or_, select, tuple_, update

from headwater.config.settings import Settings
from headwater.layout import Layout
from headwater.state import create_tables, engine, insert, location

_METADATA = MetaData()
CLAIMS = Table(
    "claims", _METADATA,
    Column("date", Text, primary_key=True), Column("file", Text, primary_key=True),
    Column("run_id", Text, nullable=False), Column("task", Text, nullable=False),
    Column("phase", Text, nullable=False), Column("claimed_at", Float, nullable=False), Column("expires_at", Float, nullable=False),
)  # fmt: skip

# A claim's phase: its file's outputs are being written up to its cleaned table (WRITING), or its
# clean result is final and only chunk and embed are left (CLEANED). Another run's link step waits
# for WRITING claims of its dates (``Claims.wait_cleaned``): it reads every cleaned file of a date.
WRITING, CLEANED = "writing", "cleaned"


class ClaimLost(RuntimeError):
    """A run's task found its file claimed by another run: its own lease had expired and the other took it over."""


@dataclass(frozen=True)
class Claim:
    """One claim: ``(date, file)`` held by DAG run ``run_id`` (its task ``task``, e.g. a map index) until ``expires_at`` (UTC epoch s)."""

    date: str
    file: str
    run_id: str
    task: str
    phase: str
    claimed_at: float
    expires_at: float

    @property
    def until(self) -> str:
        """The lease's end as ISO 8601 UTC to the second."""
        return datetime.fromtimestamp(self.expires_at, timezone.utc).isoformat(timespec="seconds")

    @property
    def reason(self) -> str:
        """Why another run does not write this file: ``claimed by run <run id> (<task>) until <ISO time>``."""
        return f"claimed by run {self.run_id} ({self.task}) until {self.until}"


@dataclass(frozen=True)
class Outcome:
    """The answer to a claim: ``won`` True with this run's claim as ``claim``, or False with the holder's."""

    won: bool
    claim: Claim


class Claims:
    """The ``claims`` table of one state database.

    ``where``: a SQLite file (``Path``) or a database URL (``str``), see ``headwater.state.engine``;
    ``for_settings`` picks the ledger's. ``lease_s``: seconds a claim or renewal holds (> 0).
    ``clock``: UTC epoch seconds (``time.time``; tests pass their own).
    """

    def __init__(self, where: Path | str, lease_s: float, clock: Callable[[], float] = time.time) -> None:
        if lease_s <= 0:
            raise ValueError(f"claim lease {lease_s} s: it must be positive")
        self.engine = engine(where)
        self.lease_s = float(lease_s)
        self.clock = clock
        create_tables(self.engine, _METADATA)

    @classmethod
    def for_settings(cls, settings: Settings) -> Claims:
        """The claims next to the ledger (same database), with ``settings.claim_lease_seconds`` as lease."""
        assert settings.data_dir is not None
        return cls(location(settings, Layout(settings.data_dir).ledger), settings.claim_lease_seconds)

    def claim(self, date: str, file: str, run_id: str, task: str = "", phase: str | None = None) -> Outcome:
        """Claim (or renew) ``(date, file)`` for ``run_id``; ``task`` names who asked (shown to the others).

        Wins when the file is free, its claim expired, or it is already ``run_id``'s (re-entry:
        the lease is pushed to now + lease, ``claimed_at`` kept). Otherwise nothing is written and
        the live holder's claim is returned. ``phase`` (WRITING or CLEANED) is set when won; None
        keeps the phase of the run's own claim (a new or taken-over claim starts WRITING).
        """
        while True:
            now = self.clock()
            new = insert(self.engine, CLAIMS).values(
                date=date, file=file, run_id=run_id, task=task, phase=phase or WRITING, claimed_at=now, expires_at=now + self.lease_s
            )
            same_run = CLAIMS.c.run_id == new.excluded.run_id
            statement = new.on_conflict_do_update(
                index_elements=[CLAIMS.c.date, CLAIMS.c.file],
                set_={
                    "run_id": new.excluded.run_id, "task": new.excluded.task, "expires_at": new.excluded.expires_at,
                    "phase": new.excluded.phase if phase else case((same_run, CLAIMS.c.phase), else_=new.excluded.phase),
                    "claimed_at": case((same_run, CLAIMS.c.claimed_at), else_=new.excluded.claimed_at),
                },
                where=or_(same_run, CLAIMS.c.expires_at <= now),
            ).returning(*CLAIMS.c)
            with self.engine.begin() as db:
                row = db.execute(statement).first()
                if row is None:
                    row = db.execute(select(*CLAIMS.c).where(CLAIMS.c.date == date, CLAIMS.c.file == file)).first()
            if row is not None:  # None: the holder released it in between; ask again
                return Outcome(row.run_id == run_id, Claim(*row))

    def renew(self, date: str, file: str, run_id: str, task: str = "", phase: str | None = None) -> Claim:
        """``claim`` by a task of the run that holds the file (its phase kept unless ``phase`` is given).

        Raises ClaimLost (naming the holder) when another run holds it now: this run's lease
        expired and the other took the file over.
        """
        outcome = self.claim(date, file, run_id, task, phase)
        if not outcome.won:
            raise ClaimLost(f"{date}/{file}: {outcome.claim.reason} — this run's lease had expired and that run took the file over, so {run_id} does not write it")
        return outcome.claim

    def holder(self, date: str, file: str) -> Claim | None:
        """The claim row of ``(date, file)`` (live or expired), or None."""
        with self.engine.connect() as db:
            row = db.execute(select(*CLAIMS.c).where(CLAIMS.c.date == date, CLAIMS.c.file == file)).first()
        return None if row is None else Claim(*row)

    def release(self, date: str, file: str, run_id: str) -> bool:
        """Delete ``(date, file)``'s claim when it is ``run_id``'s; True when one was deleted."""
        with self.engine.begin() as db:
            deleted = db.execute(delete(CLAIMS).where(CLAIMS.c.date == date, CLAIMS.c.file == file, CLAIMS.c.run_id == run_id))
        return deleted.rowcount > 0

    def release_run(self, run_id: str) -> int:
        """Delete every claim of ``run_id`` (its run ended); the number deleted."""
        with self.engine.begin() as db:
            return db.execute(delete(CLAIMS).where(CLAIMS.c.run_id == run_id)).rowcount

    def others_writing(self, dates: Iterable[str], run_id: str) -> list[Claim]:
        """Live WRITING claims of other runs on ``dates``: files whose clean result is not final yet."""
        now = self.clock()
        query = select(*CLAIMS.c).where(
            CLAIMS.c.date.in_(sorted(set(dates))), CLAIMS.c.run_id != run_id, CLAIMS.c.phase == WRITING, CLAIMS.c.expires_at > now
        )
        with self.engine.connect() as db:
            return [Claim(*row) for row in db.execute(query.order_by(CLAIMS.c.date, CLAIMS.c.file)).all()]

    def wait_cleaned(self, dates: Iterable[str], run_id: str, poll_s: float = 2.0, sleep: Callable[[float], None] = time.sleep) -> list[Claim]:
        """Wait until no other run's live claim on ``dates`` is WRITING (each ends as CLEANED, released or
        expired: at most one lease after its run's last renewal); returns the claims waited for."""
        waited: dict[tuple[str, str], Claim] = {}
        while pending := self.others_writing(dates, run_id):
            waited.update({(c.date, c.file): c for c in pending})
            sleep(poll_s)
        return list(waited.values())

    def extend(self, files: Iterable[tuple[str, str]], run_id: str) -> int:
        """Push the lease of ``run_id``'s claims on ``files`` ((date, file) pairs) to now + lease, in one
        statement; claims it no longer holds are left alone. The number renewed."""
        pairs = sorted(set(files))
        if not pairs:
            return 0
        statement = (
            update(CLAIMS)
            .where(and_(tuple_(CLAIMS.c.date, CLAIMS.c.file).in_(pairs), CLAIMS.c.run_id == run_id))
            .values(expires_at=self.clock() + self.lease_s)
        )
        with self.engine.begin() as db:
            return db.execute(statement).rowcount

    @contextmanager
    def renewing(self, files: Iterable[tuple[str, str]], run_id: str) -> Iterator[None]:
        """Renew ``run_id``'s claims on ``files`` every third of the lease while the block runs (a daemon
        thread: a killed process stops renewing, and its claims expire one lease later)."""
        pairs = list(files)
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(self.lease_s / 3):
                self.extend(pairs, run_id)

        thread = threading.Thread(target=beat, name="headwater-claims", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
