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
  read another order) or on the reading date (a proof came while or since it ran);
* a file whose own values prove its order keeps its data whatever the run order, but its DAY ORDER CHANGED verdict
  is against the latest earlier proof: what it was compared with is recorded (``day_order_compared``), the earlier
  date names the later files whose verdict changed, their own report says so, and their ``check`` reprocesses them
  (breaker7 #10);
* these warnings depend on other dates, so they are kept apart (the manifest's ``day_order_warnings``) and computed
  again by a run that skips the file and by the run report (``current_warnings``, breaker7 #11b); files of one date
  proving both orders are warned, and the next date says why nothing was carried (breaker7 #15).

The tables ``day_orders``, ``day_order_reads`` and ``day_order_compared`` live in Headwater's state database (headwater.state): the ledger's SQLite file by default,
PostgreSQL when ``HEADWATER_STATE_URL`` names one.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Boolean, Column, Integer, MetaData, Table, Text, and_, delete, select

from headwater.config.settings import Settings
from headwater.config.source import load_sources
from headwater.state import Store

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
# per (source, column, landing date, landing file) for each column the file's own values proved: the order the latest
# earlier date proved when the file ran (None: none had, or its files showed both), the one its DAY ORDER CHANGED
# warning (``value_formats.dayfirst_differs_from``) was decided against; what a date proved later is compared with
# (``changed_later``, bf9)
DAY_ORDER_COMPARED = Table(
    "day_order_compared", _METADATA,
    Column("source", Text, primary_key=True), Column("column_name", Text, primary_key=True),
    Column("date", Text, primary_key=True), Column("file", Text, primary_key=True),
    Column("own", Boolean, nullable=False), Column("earlier", Boolean, nullable=True), Column("recorded_at", Text),
)
SHOWN_STALE = 10  # later files named in a warning


def effective(order: bool | None) -> bool:
    """The order a column was read in: None (the month-first default) reads as month first (False)."""
    return bool(order)


def source_key(config: Any, table_name: str) -> str:
    """Whose day orders a file shares: its source config's ``name`` when a source YAML claims it (``files`` globs: every
    file of the source, whatever its dated name), else ``table:<table name>`` (a file no source claims shares them only
    with files of the same table name on other dates)."""
    return str(config.name) if getattr(config, "files", None) else f"table:{table_name}"


class DayOrders(Store):
    """Per (source, column, landing date, landing file): the day order the column's own values proved, with the first
    value that proved it. ``where``: a SQLite file (``Path``) or a database URL (``str``), see headwater.state.engine;
    ``for_settings``: the settings' state database (headwater.state.Store)."""

    METADATA = _METADATA

    def record(self, source: str, date: str, file: str, proofs: dict[str, dict[str, Any]],
               reads: dict[str, bool | None] | None = None, compared: dict[str, bool | None] | None = None) -> None:
        """Replace what ``file`` of ``date`` proved (``proofs``: ``{column: {"dayfirst": bool, "line": int, "value": str}}``,
        possibly empty), the orders its unproven columns were read in (``reads``: ``{column: the carried order, or None
        for the month-first default}``) and, per proved column, the order earlier dates gave it when it ran
        (``compared``: ``{column: the latest earlier proof's order, or None}``; a proved column not in it: None) in one
        transaction: a rerun that proves the same writes the same rows, one that proves less leaves none behind."""
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
        compared_rows = [
            {"source": source, "column_name": col, "date": date, "file": file, "own": bool(p["dayfirst"]),
             "earlier": (compared or {}).get(col), "recorded_at": now}
            for col, p in sorted(proofs.items())
        ]
        with self.engine.begin() as db:
            for table, written in ((DAY_ORDERS, rows), (DAY_ORDER_READS, read_rows), (DAY_ORDER_COMPARED, compared_rows)):
                t = table.c
                db.execute(delete(table).where(and_(t.source == source, t.date == date, t.file == file)))
                if written:
                    db.execute(table.insert(), written)

    def history(self, source: str) -> DayOrderHistory:
        """Every row of ``source`` in the three tables, read once (three SELECTs): ``DayOrderHistory`` answers the questions
        below in memory. A report computing the day-order warnings of many files of one source reads them once
        (``current_warnings``' ``histories``), not several queries per file and per later date."""
        d, r, c = DAY_ORDERS.c, DAY_ORDER_READS.c, DAY_ORDER_COMPARED.c
        with self.engine.connect() as db:
            proofs = db.execute(select(d.column_name, d.date, d.file, d.line, d.value, d.dayfirst).where(d.source == source)).all()
            reads = db.execute(select(r.column_name, r.date, r.file, r.dayfirst).where(r.source == source)).all()
            compared = db.execute(select(c.column_name, c.date, c.file, c.own, c.earlier).where(c.source == source)).all()
        return DayOrderHistory(proofs, reads, compared)

    def stale_later(self, source: str, date: str, columns: list[str]) -> list[dict[str, Any]]:
        """``DayOrderHistory.stale_later`` of ``source`` as the database holds it now."""
        return self.history(source).stale_later(date, columns) if columns else []

    def earlier(self, source: str, date: str) -> dict[str, dict[str, Any]]:
        """``DayOrderHistory.earlier`` of ``source`` as the database holds it now."""
        return self.history(source).earlier(date)

    def both_orders(self, source: str, date: str) -> dict[str, dict[str, Any]]:
        """``DayOrderHistory.both_orders`` of ``source`` as the database holds it now."""
        return self.history(source).both_orders(date)

    def on_date(self, source: str, date: str, column: str) -> list[dict[str, Any]]:
        """``DayOrderHistory.on_date`` of ``source`` as the database holds it now."""
        return self.history(source).on_date(date, column)

    def compared(self, source: str, date: str, file: str) -> dict[str, bool | None]:
        """``DayOrderHistory.compared`` of ``source`` as the database holds it now."""
        return self.history(source).compared(date, file)

    def changed_later(self, source: str, date: str, columns: list[str]) -> list[dict[str, Any]]:
        """``DayOrderHistory.changed_later`` of ``source`` as the database holds it now."""
        return self.history(source).changed_later(date, columns) if columns else []


class DayOrderHistory:
    """One source's rows of ``day_orders``, ``day_order_reads`` and ``day_order_compared`` (``DayOrders.history``), and
    the questions the day-order warnings ask of them, answered in memory. ``proofs``: ``(column, date, file, line,
    value, dayfirst)``; ``reads``: ``(column, date, file, dayfirst or None)``; ``compared``: ``(column, date, file, own,
    earlier or None)``, as the tables hold them (any order)."""

    def __init__(self, proofs: Any, reads: Any, compared: Any) -> None:
        # by column, newest date first, then file: the order ``_latest`` walks
        self.proofs = sorted((tuple(p) for p in proofs), key=lambda p: (p[0], _desc(p[1]), p[2]))
        self.reads = sorted(tuple(r) for r in reads)
        self.compared_rows = sorted(tuple(c) for c in compared)
        self._cache: dict[str, tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]] = {}

    def stale_later(self, date: str, columns: list[str]) -> list[dict[str, Any]]:
        """The files of landing dates after ``date`` that read one of ``columns`` (no value of theirs showed its day order)
        in another order than the earlier dates give them now (``earlier``; the month-first default and a carried month
        first are one order): a later date run before this one (out of order, in parallel). Each ``{"date", "file",
        "column", "read": the order used (None: the default), "now"}``, by date, file and column. Running those dates
        again reads them as in date order."""
        wanted = set(columns)
        out = []
        for col, day, file, read in sorted(self.reads, key=lambda r: (r[1], r[2], r[0])):
            if day <= date or col not in wanted:
                continue
            now = self.earlier(day).get(col)
            order = None if now is None else now["dayfirst"]
            if effective(order) != effective(read):  # the default and a carried month first read alike (breaker7 #11a)
                out.append({"date": day, "file": file, "column": col, "read": None if read is None else bool(read), "now": order})
        return out

    def earlier(self, date: str) -> dict[str, dict[str, Any]]:
        """For each column proved on a landing date before ``date`` (``YYYY-MM-DD``): the proof of the latest such date,
        ``{"date", "file", "line", "value", "dayfirst"}`` (of its files, the first by name). A column whose latest proving
        date proved both orders (two files disagree) is left out: nothing is carried for it (``both_orders`` says which)."""
        return self._latest(date)[0]

    def both_orders(self, date: str) -> dict[str, dict[str, Any]]:
        """The columns ``earlier`` leaves out: those whose latest proving date before ``date`` proved both orders,
        ``{column: {"date", "files": [{"file", "line", "value", "dayfirst"}, ...]}}`` (files by name)."""
        return self._latest(date)[1]

    def on_date(self, date: str, column: str) -> list[dict[str, Any]]:
        """The proofs of ``column`` the files recorded on ``date`` itself: ``[{"file", "line", "value", "dayfirst"}]`` by
        file name."""
        return [{"file": f, "line": line, "value": v, "dayfirst": bool(d)}
                for col, day, f, line, v, d in sorted(self.proofs, key=lambda p: p[2]) if col == column and day == date]

    def _latest(self, date: str) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        if date in self._cache:
            return self._cache[date]
        latest: dict[str, str] = {}
        files: dict[str, list[dict[str, Any]]] = {}
        for col, day, file, line, value, dayfirst in self.proofs:
            if day < date and latest.setdefault(col, day) == day:
                files.setdefault(col, []).append({"file": file, "line": line, "value": value, "dayfirst": bool(dayfirst)})
        out: dict[str, dict[str, Any]] = {}
        both: dict[str, dict[str, Any]] = {}
        for col, proofs in files.items():
            if len({p["dayfirst"] for p in proofs}) > 1:
                both[col] = {"date": latest[col], "files": proofs}
            else:
                out[col] = {"date": latest[col]} | proofs[0]
                out[col] = {k: out[col][k] for k in ("date", "file", "line", "value", "dayfirst")}
        self._cache[date] = (out, both)
        return out, both

    def compared(self, date: str, file: str) -> dict[str, bool | None]:
        """Per column ``file`` of ``date`` proved: the earlier order its DAY ORDER CHANGED verdict was decided against
        when it ran (None: no earlier date had proved the column), as ``DayOrders.record`` stored it."""
        return {col: (None if earlier is None else bool(earlier))
                for col, day, f, _own, earlier in self.compared_rows if day == date and f == file}

    def changed_later(self, date: str, columns: list[str]) -> list[dict[str, Any]]:
        """The files of landing dates after ``date`` whose own values proved one of ``columns`` and whose DAY ORDER CHANGED
        verdict (their proof against the latest earlier date's) differs now from when they ran: a later date run before
        this one, whose alarm was decided without this date's proof (breaker7 #10). Each ``{"date", "file", "column",
        "own": their proof {"line", "value", "dayfirst"}, "then": the earlier order they were compared with (None: none),
        "now": the one earlier dates give now (None: none)}``, by date, file and column."""
        wanted = set(columns)
        proof_of = {(col, day, f): (line, value) for col, day, f, line, value, _d in self.proofs}
        out = []
        for col, day, file, own, then in sorted(self.compared_rows, key=lambda c: (c[1], c[2], c[0])):
            if day <= date or col not in wanted or (col, day, file) not in proof_of:
                continue
            line, value = proof_of[(col, day, file)]
            proof = self.earlier(day).get(col)
            now = None if proof is None else bool(proof["dayfirst"])
            then = None if then is None else bool(then)
            if (then is not None and then != bool(own)) != (now is not None and now != bool(own)):
                out.append({"date": day, "file": file, "column": col, "own": {"line": line, "value": value, "dayfirst": bool(own)},
                            "then": then, "now": now})
        return out


def _desc(day: str) -> tuple[int, ...]:
    """A sort key that orders ``YYYY-MM-DD`` texts newest first."""
    return tuple(-ord(ch) for ch in day)


def _said(order: bool | None) -> str:
    return "month first by default" if order is None else ("day first" if order else "month first")


def _files(proofs: list[dict[str, Any]]) -> str:
    return ", ".join(f"{p['file']} {_said(p['dayfirst'])} (line {p['line']}: {p['value']})" for p in proofs)


def order_warnings(store: DayOrders | DayOrderHistory, source: str, date: str, proven: dict[str, dict[str, Any]],
                   reads: dict[str, bool | None], file: str | None = None) -> list[str]:
    """Clean warnings for dates run out of order or in parallel, and for one date whose files disagree, after
    ``store.record`` of this file (``file`` of ``date``):

    * per column this file proved (``proven``), the later dates' files that read it in another order (``stale_later``;
      a read in the same order is not named), and those whose own values prove it and whose DAY ORDER CHANGED verdict
      changed with this date's proof (``changed_later``: the alarm they did not raise, or one that no longer holds);
    * per column this file proved, when its own DAY ORDER CHANGED verdict differs now from the one it ran with
      (``compared``: an earlier date run since proved the other order, or the same one): due, or no longer holding;
    * per column this file proved, the other files of the same date that proved the other order (``on_date``): the
      source's files disagree, so later dates carry neither;
    * per column this file read without a proof (``reads``: the order used, None for the default), when the earlier
      dates give another order now than when the file was read (an earlier date recorded its proof meanwhile), and
      when nothing was carried because the latest earlier date's files showed both orders (``both_orders``).

    Each stale one ends by saying which date to run again. Both sides record before they compare, so of two dates run
    at once at least one of them warns. ``[]`` when every date agrees. The warnings are computed from the state
    database, so a run that skips the file computes them again (``current_warnings``). ``store``: the state database,
    read once here (``DayOrders.history``), or ``source``'s history already read (``DayOrderHistory``).
    """
    history = store.history(source) if isinstance(store, DayOrders) else store
    lines = []
    stale = history.stale_later(date, sorted(proven))
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
    changed = history.changed_later(date, sorted(proven))
    for col in sorted({s["column"] for s in changed}):
        proof = proven[col]
        for alarm in (True, False):
            mine = [s for s in changed if s["column"] == col and (s["now"] is not None and s["now"] != s["own"]["dayfirst"]) == alarm]
            if not mine:
                continue
            shown = ", ".join(f"{s['date']} {s['file']} (line {s['own']['line']}: {s['own']['value']})" for s in mine[:SHOWN_STALE])
            more = f" and {len(mine) - SHOWN_STALE} more" if len(mine) > SHOWN_STALE else ""
            if alarm:
                lines.append(
                    f"{col}: DAY ORDER CHANGED after this date: this file shows {_said(proof['dayfirst'])} (line "
                    f"{proof['line']}: {proof['value']}), while later dates of this source that ran before it show "
                    f"{_said(not proof['dayfirst'])} by their own values: {shown}{more} — did the source change its export? "
                    "Their values are read as they say; run those dates again (their check reprocesses the files) to have "
                    "it warned in their reports"
                )
            else:
                lines.append(
                    f"{col}: this file shows {_said(proof['dayfirst'])} (line {proof['line']}: {proof['value']}), as later "
                    f"dates of this source that ran before it do by their own values: {shown}{more}, whose DAY ORDER "
                    "CHANGED warning no longer holds — run those dates again (their check reprocesses the files) to drop it"
                )
    for col, proof in sorted(proven.items()):
        others = [p for p in history.on_date(date, col) if p["file"] != file and p["dayfirst"] != bool(proof["dayfirst"])]
        if others and file is not None:
            mine = [{"file": file} | proof]
            lines.append(
                f"{col}: this source's files of {date} show both day orders ({_files(sorted(mine + others, key=lambda p: p['file']))}): "
                f"each is read as its own values say, so one written date like 03/04/2025 is two dates across them, and "
                f"later dates carry neither order (the month-first default) — set schema.columns.{col}.dayfirst if one of "
                "them is wrong"
            )
    if proven and file is not None:
        then_by_col = history.compared(date, file)
        now = history.earlier(date)
        for col, proof in sorted(proven.items()):
            if col not in then_by_col:
                continue
            then, was = then_by_col[col], now.get(col)
            order = None if was is None else bool(was["dayfirst"])
            own = bool(proof["dayfirst"])
            alarm_then, alarm_now = then is not None and then != own, order is not None and order != own
            if alarm_now and not alarm_then:
                lines.append(
                    f"{col}: DAY ORDER CHANGED since this file ran: its values show {_said(own)} (line {proof['line']}: "
                    f"{proof['value']}) where this source's {col} showed {_said(order)} on {was['date']} ({was['file']} line "
                    f"{was['line']}: {was['value']}), a date run after it — did the source change its export? Its values are "
                    "read as they say; run this date again (its check reprocesses the file) to record it"
                )
            elif alarm_then and not alarm_now:
                where = f" ({was['date']}, {was['file']} line {was['line']}: {was['value']})" if was else ""
                lines.append(
                    f"{col}: the DAY ORDER CHANGED warning of this file no longer holds: earlier dates now give "
                    f"{_said(order) if order is not None else 'no order'} for {col}{where}, recorded since this file ran — "
                    "run this date again (its check reprocesses the file) to drop it"
                )
    if reads:
        now = history.earlier(date)
        both = history.both_orders(date)
        for col, read in sorted(reads.items()):
            proof = now.get(col)
            order = None if proof is None else bool(proof["dayfirst"])
            if effective(order) != effective(read):
                where = f" ({proof['date']}, {proof['file']} line {proof['line']}: {proof['value']})" if proof else ""
                lines.append(
                    f"{col}: read {_said(read)} while no value of the file showed the day order, but earlier dates now give "
                    f"{_said(order)}{where}, recorded while or since this file ran — run this date again to read it as in date order"
                )
            elif read is None and col in both:
                shown = ", ".join(f"{p['file']} {_said(p['dayfirst'])}" for p in both[col]["files"])
                lines.append(
                    f"{col}: this source's files of {both[col]['date']} showed both orders ({shown}): the month-first "
                    f"default applied — set schema.columns.{col}.dayfirst if that is wrong"
                )
    return lines


def current_warnings(settings: Settings, table_name: str, date: str, file: str, manifest: dict[str, Any],
                     sources: Any = None, histories: dict[str, DayOrderHistory] | None = None) -> list[str]:
    """``order_warnings`` of a file as the state database gives them now, from its manifest (``value_formats``'s
    ``dayfirst_proven`` and ``dayfirst_from``): what a run that skips the file writes in place of its
    ``day_order_warnings`` (headwater.decide.mark_unchanged), so a warning that no longer holds does not stay (breaker7
    #11b). ``sources``: headwater.config.source.Sources (default: ``settings.config_dir``'s). ``histories``: a dict the
    caller keeps across the files it asks about (a report: every file of a date), ``{source: DayOrderHistory}``, filled
    here: each source's rows are read from the state database once, not several queries per file (bf11). ``[]`` for a
    file without date columns read by a day order."""
    formats = manifest.get("value_formats") or {}
    proven = formats.get("dayfirst_proven") or {}
    reads = {c: (None if p is None else bool(p["dayfirst"])) for c, p in (formats.get("dayfirst_from") or {}).items()}
    if not proven and not reads:
        return []
    config = (sources or load_sources(settings.config_dir)).for_file(table_name)
    source = source_key(config, table_name)
    histories = {} if histories is None else histories
    if source not in histories:
        histories[source] = DayOrders.for_settings(settings).history(source)
    return order_warnings(histories[source], source, date, proven, reads, file)


def refreshed(manifest: dict[str, Any], now: list[str]) -> dict[str, Any]:
    """``manifest`` with its day-order warnings (``day_order_warnings``, also in ``clean_warnings``) replaced by ``now``;
    ``clean_warnings`` keeps its other lines in their order, the new day-order lines after them."""
    old = set(stored_warnings(manifest))
    kept = [w for w in manifest.get("clean_warnings") or [] if w not in old]
    return manifest | {"clean_warnings": kept + list(now), "day_order_warnings": list(now)}


# what the day-order warnings of a manifest written before ``day_order_warnings`` existed say (order_warnings' texts then)
_OLD_MARKS = ("later dates of this source that ran before it read", "recorded while this file ran — run this date again")


def stored_warnings(manifest: dict[str, Any]) -> list[str]:
    """The day-order warnings a manifest holds in ``clean_warnings``: its ``day_order_warnings``, or, in a manifest written
    before that field, the lines ``order_warnings`` wrote then (recognized by their text)."""
    if "day_order_warnings" in manifest:
        return list(manifest["day_order_warnings"] or [])
    return [w for w in manifest.get("clean_warnings") or [] if any(m in w for m in _OLD_MARKS)]
