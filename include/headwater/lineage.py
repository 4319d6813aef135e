"""OpenLineage datasets of one ``headwater_ingest`` run: landing files in; curated tables, chunk files and the vector table out.

The ``report`` task of ``headwater_ingest`` is a TaskFlow task, for which the Airflow OpenLineage
provider has no extractor: it reports inputs and outputs only through an operator method
``get_openlineage_facets_on_complete(task_instance)`` (the provider's ``DefaultExtractor`` calls it
after the task succeeded and reads ``inputs``, ``outputs``, ``run_facets`` and ``job_facets`` from
what it returns), through hook lineage or through inlets/outlets, and only the first carries dataset
facets such as row counts. The DAG file sets that method to a thin call of ``ingest_lineage``.
Sources: https://airflow.apache.org/docs/apache-airflow-providers-openlineage/stable/guides/developer.html
("Implementing OpenLineage in Operators"), the provider's ``extractors/base.py`` (DefaultExtractor).

For every landing file the run processed (the asset event's ``changed`` list, headwater.events),
read from each date's run report (headwater.report):

* input: the landing file, ``inputStatistics.rowCount`` = data records read;
* outputs: its curated Parquet (``outputStatistics.rowCount`` = curated rows) and its chunk file
  (chunks), for a file that was not quarantined whole; and once the vector table
  (``<data>/vectors/<table>``) with the vectors the run's files hold.

Dataset names follow the OpenLineage naming spec (https://openlineage.io/docs/spec/naming): a local
path is namespace ``file``, name the absolute path; an object-storage URI is namespace
``<scheme>://<bucket>``, name the key. The statistics facets:
https://openlineage.io/docs/spec/facets/dataset-facets/input-statistics and output-statistics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from headwater.config.settings import Settings
from headwater.discovery import partition
from headwater.layout import Layout
from headwater.manifest import OK, FileRef
from headwater.storage import read_json


@dataclass
class IngestLineage:
    """What the provider reads from ``get_openlineage_facets_on_complete``: the shape of its ``OperatorLineage``."""

    inputs: list[Any] = field(default_factory=list)  # openlineage.client.event_v2.InputDataset
    outputs: list[Any] = field(default_factory=list)  # openlineage.client.event_v2.OutputDataset
    run_facets: dict[str, Any] = field(default_factory=dict)
    job_facets: dict[str, Any] = field(default_factory=dict)


def dataset_name(location: str) -> tuple[str, str]:
    """(namespace, name) of a file or folder: ``/data/x`` or ``file:///data/x`` -> ("file", "/data/x");
    ``s3://bucket/a/b`` -> ("s3://bucket", "a/b")."""
    parts = urlsplit(location)
    if parts.scheme in ("", "file"):
        return "file", unquote(parts.path) if parts.scheme else location
    return f"{parts.scheme}://{parts.netloc}", parts.path.lstrip("/")


def ingest_lineage(extra: Mapping[str, Any] | None, settings: Settings) -> IngestLineage | None:
    """The run's datasets from ``extra`` (the report task's return value: the ``headwater-curated``
    event's extra, headwater.events.curated_extra) and the dates' run reports. None when the run
    changed nothing (no extra). Files are in run-report order (date, then file name)."""
    from openlineage.client.event_v2 import InputDataset, OutputDataset
    from openlineage.client.facet_v2 import input_statistics_input_dataset, output_statistics_output_dataset

    if not extra or not extra.get("dates"):
        return None

    def out(location: str, rows: int) -> OutputDataset:
        stats = output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(rowCount=rows)
        return OutputDataset(*dataset_name(location), outputFacets={"outputStatistics": stats})

    assert settings.data_dir is not None and settings.landing_uri is not None
    lineage, vectors = IngestLineage(), 0
    namespace, landing = dataset_name(settings.landing_uri)
    landing = landing.rstrip("/")
    for date in sorted(extra["dates"]):
        changed = set(extra["dates"][date].get("changed") or ())
        lay = Layout(settings.data_dir, date)
        for f in (read_json(lay.report()) or {}).get("files", []):
            if f["source"] not in changed:
                continue
            ref = FileRef(date, f["file"])
            stats = input_statistics_input_dataset.InputStatisticsInputDatasetFacet(rowCount=int(f.get("rows_read") or 0))
            # a zip member's name is the archive's path, then the member's (orders.zip/data/a.csv)
            lineage.inputs.append(InputDataset(namespace, f"{landing}/{partition(date)}/{ref.name}", inputFacets={"inputStatistics": stats}))
            if f.get("status") == OK:
                lineage.outputs.append(out(str(lay.curated(ref.key)), int(f.get("curated") or 0)))
                lineage.outputs.append(out(str(lay.chunks(ref.key)), int(f.get("chunks") or 0)))
                vectors += int(f.get("vectors") or 0)
    lineage.outputs.append(out(f"{Layout(settings.data_dir).vectors}/{settings.vector_table or 'chunks'}", vectors))
    return lineage
