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
  date gives the in-order answer, and an unchanged rerun stays a no-op. Which dates to run again is said: each file's
  unproven reads are recorded too (``day_order_reads``), and ``order_warnings`` warns on the proving date (later dates
  read otherwise) or on the reading date (a proof came while it ran).

The tables ``day_orders`` and ``day_order_reads`` live in Headwater's state database (headwater.state): the ledger's SQLite file by default,
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
# per (source, column, landing date, landing file): the order a column no value of the file showed was read in, the carried
# one (True/False) or None for the month-first default; what a date proved later is compared with (``stale_later``)
DAY_ORDER_READS = Table(
    "day_order_reads", _METADATA,
    Column("source", Text, primary_key=True), Column("column_name", Text, primary_key=True),
    Column("date", Text, primary_key=True), Column("file", Text, primary_key=True),
    Column("dayfirst", Boolean, nullable=True), Column("recorded_at", Text),
)
SHOWN_STALE = 10  # later files named in a warning


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

    def record(self, source: str, date: str, file: str, proofs: dict[str, dict[str, Any]],
               reads: dict[str, bool | None] | None = None) -> None:
        """Replace what ``file`` of ``date`` proved (``proofs``: ``{column: {"dayfirst": bool, "line": int, "value": str}}``,
        possibly empty) and the orders its unproven columns were read in (``reads``: ``{column: the carried order, or None
        for the month-first default}``) in one transaction: a rerun that proves the same writes the same rows, one that
        proves less leaves none behind."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        rows = [
            {"source": source, "column_name": col, "date": date, "file": file, "dayfirst": bool(p["dayfirst"]),
             "line": int(p["line"]), "value": str(p["value"]), "recorded_at": now}
            for col, p in sorted(proofs.items())
        ]
        read_rows = [
            {"source": source, "column_name": col, "date": date, "file": file, "dayfirst": order, "recorded_at": now}
            for col, order in sorted((reads or {}).items())
        ]
        with self.engine.begin() as db:
            for table, written in ((DAY_ORDERS, rows), (DAY_ORDER_READS, read_rows)):
                t = table.c
                db.execute(delete(table).where(and_(t.source == source, t.date == date, t.file == file)))
                if written:
                    db.execute(table.insert(), written)

    def stale_later(self, source: str, date: str, columns: list[str]) -> list[dict[str, Any]]:
        """The files of landing dates after ``date`` that read one of ``columns`` (no value of theirs showed its day order)
        in another order than the earlier dates give them now (``earlier``): a later date run before this one (out of
        order, in parallel). Each ``{"date", "file", "column", "read": the order used (None: the default), "now"}``, by
        date, file and column; call after ``record``. Running those dates again reads them as in date order."""
        if not columns:
            return []
        t = DAY_ORDER_READS.c
        query = select(t.date, t.file, t.column_name, t.dayfirst).where(t.source == source, t.date > date, t.column_name.in_(columns))
        with self.engine.connect() as db:
            rows = db.execute(query.order_by(t.date, t.file, t.column_name)).all()
        now_by_date: dict[str, dict[str, dict[str, Any]]] = {}
        out = []
        for day, file, col, read in rows:
            now = now_by_date.setdefault(day, self.earlier(source, day)).get(col)
            order = None if now is None else now["dayfirst"]
            if order != (None if read is None else bool(read)):
                out.append({"date": day, "file": file, "column": col, "read": None if read is None else bool(read), "now": order})
        return out

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


def _said(order: bool | None) -> str:
    return "month first by default" if order is None else ("day first" if order else "month first")


def order_warnings(store: DayOrders, source: str, date: str, proven: dict[str, dict[str, Any]],
                   reads: dict[str, bool | None]) -> list[str]:
    """Clean warnings for dates run out of order or in parallel, after ``store.record`` of this file (of ``date``):

    * per column this file proved (``proven``), the later dates' files that read it in another order (``stale_later``);
    * per column this file read without a proof (``reads``: the order used, None for the default), when the earlier
      dates give another order now than when the file was read (an earlier date recorded its proof meanwhile).

    Each ends by saying which date to run again. Both sides record before they compare, so of two dates run at once at
    least one of them warns. ``[]`` when every date agrees.
    """
    lines = []
    stale = store.stale_later(source, date, sorted(proven))
    for col in sorted({s["column"] for s in stale}):
        mine = [s for s in stale if s["column"] == col]
        shown = ", ".join(f"{s['date']} {s['file']} ({_said(s['read'])})" for s in mine[:SHOWN_STALE])
        more = f" and {len(mine) - SHOWN_STALE} more" if len(mine) > SHOWN_STALE else ""
        proof = proven[col]
        lines.append(
            f"{col}: this file shows {_said(proof['dayfirst'])} (line {proof['line']}: {proof['value']}), while later dates "
            f"of this source that ran before it read {col} otherwise: {shown}{more} — run those dates again (their check "
            "reprocesses the files) to read them as in date order"
        )
    if reads:
        now = store.earlier(source, date)
        for col, read in sorted(reads.items()):
            proof = now.get(col)
            order = None if proof is None else bool(proof["dayfirst"])
            if order != read:
                where = f" ({proof['date']}, {proof['file']} line {proof['line']}: {proof['value']})" if proof else ""
                lines.append(
                    f"{col}: read {_said(read)} while no value of the file showed the day order, but earlier dates now give "
                    f"{_said(order)}{where}, recorded while this file ran — run this date again to read it as in date order"
                )
    return lines
