"""The Headwater Grafana dashboard, as code (grafana-foundation-sdk builders, Grafana 10.1 schema).

``python monitoring/grafana_dashboard.py --write`` regenerates ``helm/headwater/files/grafana-dashboard.json``,
which the headwater chart ships as a ConfigMap for the Grafana dashboard sidecar;
``tests/monitoring/test_grafana_dashboard.py`` fails when the committed file differs from ``build()``'s
output, and runs every panel's queries against a real Prometheus that scraped a real run.
Metric names and labels: ``include/headwater/metrics.py`` and README "Monitoring".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grafana_foundation_sdk.builders import bargauge, common, dashboard, prometheus, stat, table, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DataSourceRef, VariableRefresh
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

OUTPUT = Path(__file__).resolve().parents[1] / "helm" / "headwater" / "files" / "grafana-dashboard.json"
UID = "headwater"
DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
SOURCE = 'source=~"$source"'  # every per-source query follows the dashboard's source picker


def _query(expr: str, legend: str = "", instant: bool = False, table_format: bool = False, ref: str = "A") -> prometheus.Dataquery:
    query = prometheus.Dataquery().expr(expr).ref_id(ref).datasource(DATASOURCE)
    if legend:
        query = query.legend_format(legend)
    if instant:
        query = query.instant()
    if table_format:
        query = query.format(PromQueryFormat.TABLE)
    return query


def _timeseries(title: str, description: str, unit: str, *queries: prometheus.Dataquery) -> timeseries.Panel:
    panel = timeseries.Panel().title(title).description(description).datasource(DATASOURCE).unit(unit).height(8).span(12)
    for query in queries:
        panel = panel.with_target(query)
    return panel


def _table(title: str, description: str, expr: str) -> table.Panel:
    return (
        table.Panel().title(title).description(description).datasource(DATASOURCE).height(9).span(12)
        .with_target(_query(expr, instant=True, table_format=True))
    )  # fmt: skip


def _stat(title: str, description: str, unit: str, expr: str, legend: str) -> stat.Panel:
    return (
        stat.Panel().title(title).description(description).datasource(DATASOURCE).unit(unit).height(6).span(12)
        .reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]))
        .with_target(_query(expr, legend, instant=True))
    )  # fmt: skip


def build() -> dashboard.Dashboard:
    """The dashboard: a Prometheus data source picker, a source picker, and rows for ingest
    (rows in/out per source and date, quarantine reasons and share), freshness, performance
    (stage durations, embedding throughput and cache) and fine-tuning (eval perplexity, GPU queue)."""
    board = (
        dashboard.Dashboard("Headwater")
        .uid(UID)
        .description("Daily CSV ingest, curation, embedding and fine-tuning (metrics pushed by Headwater's batch tasks)")
        .tags(["headwater"])
        .time("now-7d", "now")
        .timezone("utc")
        .refresh("5m")
        .with_variable(dashboard.DatasourceVariable("datasource").label("Prometheus").type("prometheus"))
        .with_variable(
            dashboard.QueryVariable("source").label("Source").datasource(DATASOURCE)
            .query("label_values(headwater_rows, source)").refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
            .multi(True).include_all(True).all_value(".*")
        )
    )
    items = [
        dashboard.Row("Ingest: rows in and out"),
        _table(
            "Rows per date and source, by outcome",
            "Every physical record of the date's landing files: curated, duplicate, quarantined, or a structural line (header, preamble, blank).",
            f"sum by (date, source, outcome) (headwater_rows{{{SOURCE}}})",
        ),
        _table(
            "Landing files per date and source, by outcome",
            "ok, empty, quarantined (the whole file), failed, missing (ingest never finished), skipped (not a table).",
            f"sum by (date, source, status) (headwater_files{{{SOURCE}}})",
        ),
        (
            bargauge.Panel().title("Quarantined rows by reason (all dates shown)")
            .description("Reason classes: headwater.metrics.quarantine_class; the full reasons are in each date's quarantine files and run report.")
            .datasource(DATASOURCE).height(8).span(12)
            .reduce_options(common.ReduceDataOptions().calcs(["lastNotNull"]))
            .with_target(_query(f"sum by (reason) (headwater_quarantined_rows{{{SOURCE}}})", "{{reason}}", instant=True))
        ),
        _timeseries(
            "Quarantine share of the newest date", "Quarantined / data records read, per source, pushed hourly by headwater_monitor.", "percentunit",
            _query(f"headwater_quarantine_ratio{{{SOURCE}}}", "{{source}}"),
        ),
        dashboard.Row("Freshness"),
        _stat(
            "Since the newest good file", "Per source; the HeadwaterSourceStale alert fires above 26 h.", "s",
            f"time() - max by (source) (headwater_last_success_timestamp_seconds{{{SOURCE}}})", "{{source}}",
        ),
        _stat(
            "Files in today's landing folder", "Counted hourly by headwater_monitor; HeadwaterNoLandingFilesToday fires on 0 after 06:00 UTC.", "none",
            "max(headwater_landing_files_today)", "files",
        ),
        dashboard.Row("Performance"),
        _timeseries(
            "Stage duration per file (p90)", "90th percentile of one file's seconds in each stage, over the dates on the Pushgateway.", "s",
            _query(f"histogram_quantile(0.9, sum by (stage, le) (headwater_stage_duration_seconds_bucket{{{SOURCE}}}))", "{{stage}}"),
        ),
        _timeseries(
            "Embedding", "Texts sent to the model against texts found in the embedding cache (a forced re-run hits the cache), and texts/s of the embed stage.", "short",
            _query(f"sum(headwater_embedding_texts{{{SOURCE}}})", "texts embedded"),
            _query(f"sum(headwater_embedding_cache_hits{{{SOURCE}}})", "cache hits", ref="B"),
            _query(f"avg(headwater_embedding_texts_per_second{{{SOURCE}}})", "texts/s", ref="C"),
        ),
        dashboard.Row("Fine-tuning"),
        _timeseries(
            "Eval perplexity of the latest fine-tune", "Base against adapted model per precision; HeadwaterFinetuneWorseThanBase fires when adapted is higher.", "none",
            _query("headwater_finetune_eval_perplexity", "{{model}} {{precision}}"),
        ),
        _timeseries(
            "Fine-tune runs waiting for or holding a GPU", "What the GPU-capacity scaler reads; HeadwaterGpuBacklog fires on runs pending for 30 min.", "none",
            _query("sum by (state) (headwater_finetune_runs)", "{{state}}"),
        ),
    ]
    for n, item in enumerate(items, 1):  # Grafana wants a unique id per panel, rows included
        board = board.with_row(item.id(n)) if isinstance(item, dashboard.Row) else board.with_panel(item.id(n))
    return board


def render() -> str:
    """The dashboard JSON as committed (sorted keys, two-space indent, final newline)."""
    return JSONEncoder(sort_keys=True, indent=2).encode(build().build()) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {OUTPUT.relative_to(OUTPUT.parents[3])} (default: print it)")
    args = parser.parse_args(argv)
    if args.write:
        OUTPUT.write_text(render(), encoding="utf-8")
        print(f"wrote {OUTPUT}")
    else:
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
