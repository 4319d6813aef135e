"""The day order each column of a source proved on each landing date, so that a later date's file that does not show it
reads its ambiguous dates (``03/04/1990``) as the source's earlier files proved (breaker6 #15).

With ``types.dayfirst: auto`` a file's numeric dates are read in the order its own values show (``25/12/1958``: day
first; headwater.clean.steps.coerce_types). A file none of whose values shows it used to fall back on month first, so
one written value of one column of one source could become two different dates a day apart. The clean stage now
records, per (source, column, landing date, landing file), the first value of the column that showed one order only
(``DayOrders.record``), and a file of a later date whose own values decide nothing for a column reads that column in
the order of the latest earlier date that proved it (``DayOrders.earlier``), still keeping each such value's text in
``<col>__raw`` and naming the proof in a warning and in ``value_formats.dayfirst_from``.

Rules (the README's "Backfilling a date range" section):

* only an earlier landing date counts: other files of the same date never do, so files of one date give the same
  answers in any task order; of the earlier dates, the latest with a proof of the column wins (the source's current
  export); when that date's files proved both orders, nothing is carried;
* a declared order (``types.dayfirst: true/false``, ``schema.columns.<c>.dayfirst``) always wins; a file's own values
  always win too (an order its values show that differs from an earlier date's is warned about);
* a date run before the earlier date that proves its order reads month first; the ``check`` task of a later run of
  that date reprocesses the file once the carried order would differ (headwater.decide), so a rerun after the earlier
  date gives the in-order answer, and an unchanged rerun stays a no-op.

The table ``day_orders`` lives in Headwater's state database (headwater.state): the ledger's SQLite file by default,
PostgreSQL when ``HEADWATER_STATE_URL`` names one.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Column, Integer, MetaData, Table, Text, and_, delete, select

from headwater.config.settings import Settings
from headwater.layout import Layout
from headwater.state import create_tables, engine, location

_METADATA = MetaData()
DAY_ORDERS = Table(
    "day_orders", _METADATA,
    Column("source", Text, primary_key=True), Column("column_name", Text, primary_key=True),
    Column("date", Text, primary_key=True), Column("file", Text, primary_key=True),
    Column("dayfirst", Boolean, nullable=False), Column("line", Integer), Column("value", Text), Column("recorded_at", Text),
)


def source_key(config: Any, table_name: str) -> str:
    """Whose day orders a file shares: its source config's ``name`` when a source YAML claims it (``files`` globs: every
    file of the source, whatever its dated name), else ``table:<table name>`` (a file no source claims shares them only
    with files of the same table name on other dates)."""
    return str(config.name) if getattr(config, "files", None) else f"table:{table_name}"


class DayOrders:
    """Per (source, column, landing date, landing file): the day order the column's own values proved, with the first
    value that proved it. ``where``: a SQLite file (``Path``) or a database URL (``str``), see headwater.state.engine."""

    def __init__(self, where: Path | str) -> None:
        self.engine = engine(where)
        create_tables(self.engine, _METADATA)

    @classmethod
    def for_settings(cls, settings: Settings) -> DayOrders:
        """The store in the settings' state database (the ledger's SQLite file unless ``state_url`` is set)."""
        assert settings.data_dir is not None
        return cls(location(settings, Layout(settings.data_dir).ledger))

    def record(self, source: str, date: str, file: str, proofs: dict[str, dict[str, Any]]) -> None:
        """Replace what ``file`` of ``date`` proved (``proofs``: ``{column: {"dayfirst": bool, "line": int, "value": str}}``,
        possibly empty) in one transaction: a rerun that proves the same writes the same rows, one that proves less
        leaves none behind."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        rows = [
            {"source": source, "column_name": col, "date": date, "file": file, "dayfirst": bool(p["dayfirst"]),
             "line": int(p["line"]), "value": str(p["value"]), "recorded_at": now}
            for col, p in sorted(proofs.items())
        ]
        t = DAY_ORDERS.c
        with self.engine.begin() as db:
            db.execute(delete(DAY_ORDERS).where(and_(t.source == source, t.date == date, t.file == file)))
            if rows:
                db.execute(DAY_ORDERS.insert(), rows)

    def earlier(self, source: str, date: str) -> dict[str, dict[str, Any]]:
        """For each column of ``source`` proved on a landing date before ``date`` (``YYYY-MM-DD``): the proof of the latest
        such date, ``{"date", "file", "line", "value", "dayfirst"}`` (of its files, the first by name). A column whose
        latest proving date proved both orders (two files disagree) is left out: nothing is carried for it."""
        t = DAY_ORDERS.c
        query = select(t.column_name, t.date, t.file, t.line, t.value, t.dayfirst).where(t.source == source, t.date < date)
        with self.engine.connect() as db:
            rows = db.execute(query.order_by(t.column_name, t.date.desc(), t.file)).all()
        out: dict[str, dict[str, Any]] = {}
        conflicting: set[str] = set()
        for col, day, file, line, value, dayfirst in rows:
            seen = out.get(col)
            if seen is None and col not in conflicting:
                out[col] = {"date": day, "file": file, "line": line, "value": value, "dayfirst": bool(dayfirst)}
            elif seen is not None and seen["date"] == day and seen["dayfirst"] != bool(dayfirst):
                conflicting.add(col)
                del out[col]
        return out
