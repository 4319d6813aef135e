"""HTML of the "Data quality" pages, from headwater.quality's dicts; the plot is drawn with plotly.

Pages are self-contained HTML (shown in an iframe of the Airflow UI); plotly.js is served by the
plugin's own app (``plotly.offline.get_plotlyjs()``, the bundle of the pinned ``plotly`` package), so
nothing is fetched from a CDN. Every value from a file is escaped (``html.escape``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape
from typing import Any

STYLE = """
body { font-family: system-ui, sans-serif; margin: 16px; color: #1a202c; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #cbd5e0; padding: 4px 8px; text-align: left; vertical-align: top; font-size: 14px; }
th { background: #edf2f7; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.status-ok { color: #276749; } .status-quarantined, .status-failed, .status-missing { color: #c53030; font-weight: 600; }
.banner { padding: 8px 12px; background: #fefcbf; border: 1px solid #d69e2e; margin: 8px 0; }
ul.reasons { margin: 0; padding-left: 16px; } nav a { margin-right: 12px; }
code { font-size: 13px; }
"""

COLUMNS = (("rows_read", "read"), ("curated", "curated"), ("duplicates", "duplicates"), ("quarantined", "quarantined"))


def _page(title: str, body: str, plotly_js: str | None = None) -> str:
    script = f'<script src="{escape(plotly_js)}"></script>' if plotly_js else ""
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{STYLE}</style>{script}</head><body>{body}</body></html>"
    )


def day_page(table: dict[str, Any], dates: list[str], history: list[dict[str, Any]], link: Callable[..., str], plotly_js: str) -> str:
    """The date's file table (``headwater.quality.day``), links to other dates, and the 30-date plot.

    ``link(name, **params)`` builds the URL of another route of the app (``Request.url_for``).
    """
    date = table["date"]
    nav = " ".join(
        f'<a href="{escape(link("quality_day", date=d))}">{escape(d)}</a>' if d != date else f"<b>{escape(d)}</b>"
        for d in dates[:14]
    )
    parts = [f"<h2>Data quality — {escape(date)}</h2>", f"<nav>Dates: {nav or '-'}</nav>"]
    if not table["report"]:
        parts.append(f'<p class="banner">No run report for {escape(date)}: the date has not been run.</p>')
    elif table["no_landing_files"]:
        parts.append(f'<p class="banner" id="no-files">No landing files for {escape(date)}: nothing was ingested.</p>')
    if table["files"]:
        head = "".join(f"<th>{escape(label)}</th>" for _, label in COLUMNS)
        rows = []
        for f in table["files"]:
            reasons = "".join(f"<li>{escape(r)}</li>" for r in f["reasons"])
            cells = "".join(f'<td class="n" data-col="{k}">{f[k]}</td>' for k, _ in COLUMNS)
            rows.append(
                f'<tr data-file="{escape(f["file"])}" data-source="{escape(f["source"])}"><td><a href="{escape(link("quality_file", date=date, key=f["key"]))}">'
                f'{escape(f["file"])}</a></td><td>{escape(f["source"])}</td>'
                f'<td class="status-{escape(f["status"])}">{escape(f["status"])}</td>{cells}'
                f'<td><ul class="reasons">{reasons}</ul></td></tr>'
            )
        totals = "".join(f'<td class="n" data-col="{k}">{table["totals"][k]}</td>' for k, _ in COLUMNS)
        parts.append(
            f'<table id="files"><thead><tr><th>file</th><th>source</th><th>status</th>{head}<th>reasons</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody><tfoot><tr id="totals"><th colspan="3">total</th>{totals}<td></td></tr></tfoot></table>'
        )
    for s in table.get("skipped") or []:
        parts.append(f"<p>skipped: {escape(s['file'])} — {escape(s['reason'])}</p>")
    parts.append(f"<h3>Rows per source, {len({h['date'] for h in history})} of the last 30 dates</h3>")
    parts.append(history_plot(history))
    return _page(f"Data quality {date}", "".join(parts), plotly_js)


def history_plot(history: list[dict[str, Any]]) -> str:
    """A plotly figure (HTML ``div``, plotly.js loaded by the page): curated and quarantined rows per source and date."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for source in sorted({h["source"] for h in history}):
        points = [h for h in history if h["source"] == source]
        for outcome, dash in (("curated", "solid"), ("quarantined", "dot")):
            fig.add_trace(go.Scatter(
                x=[p["date"] for p in points], y=[p[outcome] for p in points], mode="lines+markers",
                name=f"{source} {outcome}", line={"dash": dash},
            ))
    fig.update_layout(height=380, margin={"l": 40, "r": 10, "t": 10, "b": 40}, xaxis_title="landing date", yaxis_title="rows",
                      xaxis={"type": "category"})
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id="history-plot")


def _examples(examples: list[dict[str, Any]]) -> str:
    return ", ".join("line {}: {!r}".format(e["line"], e["raw"]) for e in examples)


def _table(table_id: str, headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset(), empty: str = "") -> str:  # type: ignore[assignment]
    """An HTML table of already-escaped cells (``numeric``: right-aligned column indexes); ``empty`` as a paragraph when no rows."""
    if not rows:
        return f"<p>{empty}</p>" if empty else ""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td class='n'>{c}</td>" if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row)) + "</tr>" for row in rows
    )
    return f'<table id="{table_id}"><tr>{head}</tr>{body}</table>'


def file_page(detail: dict[str, Any], link: Callable[..., str]) -> str:
    """One file's page (``headwater.quality.file_detail``): mapping, coercion failures, quarantined rows."""
    d = detail
    counts = ", ".join(f"{label} {d[k]}" for k, label in COLUMNS)
    parts = [
        f'<p><a href="{escape(link("quality_day", date=d["date"]))}">← {escape(d["date"])}</a></p>',
        f"<h2>{escape(d['file'])}</h2>",
        f"<p>source <b>{escape(d['source'])}</b>, status <b class='status-{escape(str(d['status']))}'>{escape(str(d['status']))}</b>: {counts}</p>",
    ]
    if d.get("error"):
        parts.append(f'<p class="banner">{escape(d["error"])}</p>')
    parts.append("<h3>Column mapping</h3>")
    parts.append(_table(
        "mapping", ["original", "standardized", "canonical", "method", "score"],
        [[f"<code>{escape(repr(c['original']))}</code>", escape(str(c["standardized"])), escape(str(c["canonical"] or "-")),
          escape(str(c["method"] or "-")), "" if c["score"] is None else str(c["score"])] for c in d["columns"]],
        numeric={4}, empty="No columns were mapped (the file was not read as a table).",
    ))
    parts.append("<h3>Coercion failures</h3>")
    parts.append(_table(
        "coercion", ["column", "type", "values kept raw", "examples (<code>&lt;col&gt;__raw</code>)"],
        [[escape(c["column"]), escape(str(c["type"])), str(c["failures"]), escape(_examples(c["examples"]))] for c in d["coercion"]],
        numeric={2}, empty="None: every value has its column's type.",
    ))
    parts.append(f"<h3>Quarantined rows ({d['quarantined_total']}; first {len(d['quarantined_rows'])} shown)</h3>")
    parts.append(_table(
        "quarantined", ["line", "reason", "raw"],
        [[escape(str(r["line"])), escape(str(r["reason"])), f"<code>{escape(json.dumps(r['raw'], ensure_ascii=False))}</code>"]
         for r in d["quarantined_rows"]],
        numeric={0},
    ))
    if d.get("file_quarantine"):
        parts.append(f"<p>The whole file was quarantined: <code>{escape(json.dumps(d['file_quarantine'], ensure_ascii=False))}</code></p>")
    return _page(f"{d['file']} {d['date']}", "".join(parts))
