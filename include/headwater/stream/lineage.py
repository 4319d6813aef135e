"""OpenLineage events of a stream consumer: off unless an OpenLineage transport is configured.

One consumer process is one OpenLineage run of the job ``headwater`` / ``stream.<name>``
(job type ``STREAMING``): ``START`` when it starts, one ``RUNNING`` event per committed batch
and ``COMPLETE`` when it stops, each naming the input stream and the outputs with the batch's
(or, for ``COMPLETE``, the process's) row counts as statistics facets:

* input ``redis://<host>:<port>/<db>`` / ``<stream>``: ``inputStatistics.rowCount`` = messages received;
* output the same namespace / ``<output stream>``: processed records; ``<dead-letter stream>``:
  dead letters; ``file`` / ``<vector store folder>/<table>``: chunk rows written.

Configuration is OpenLineage's own (the client reads ``OPENLINEAGE_CONFIG``, ``openlineage.yml``,
``OPENLINEAGE__TRANSPORT__*`` or ``OPENLINEAGE_URL``; ``OPENLINEAGE_DISABLED=true`` turns it
off), the same variables the Airflow provider reads. Without any, no client is made and nothing
is emitted (the client alone would fall back to printing every event). Sources:
https://openlineage.io/docs/client/python (configuration, transports),
https://openlineage.io/docs/spec/facets/dataset-facets/input-statistics and output-statistics,
https://openlineage.io/docs/spec/facets/job-facets/job-type.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from headwater.config.stream import StreamOptions
from headwater.stream.source import Counts

NAMESPACE = "headwater"
PRODUCER = "urn:headwater:stream"  # the producer URI of the events (OpenLineage: any URI naming the code that emits)
log = logging.getLogger("headwater.stream")


def lineage_client() -> Any | None:
    """The OpenLineage client when a transport is configured (see module docstring), else None."""
    if os.environ.get("OPENLINEAGE_DISABLED", "").strip().lower() == "true":
        return None
    from openlineage.client import OpenLineageClient
    from openlineage.client.transport.noop import NoopConfig, NoopTransport

    probe = OpenLineageClient(transport=NoopTransport(NoopConfig()))  # reads the configuration, emits nothing
    configured = bool(probe.config.transport and probe.config.transport.get("type")) or bool(os.environ.get("OPENLINEAGE_URL"))
    return OpenLineageClient() if configured else None


def redis_namespace(url: str) -> str:
    """``redis://:secret@host:6379/0`` -> ``redis://host:6379/0`` (no credentials in lineage); a Kafka stream's
    ``kafka://host:port`` (its first bootstrap server) stays as it is (OpenLineage's naming: ``kafka://{host}:{port}``)."""
    parts = urlsplit(url)
    if parts.scheme == "kafka":
        return f"kafka://{parts.hostname}:{parts.port or 9092}"
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path or '/0'}"


@dataclass
class StreamLineage:
    """Emits the run's events through ``client`` (an ``OpenLineageClient``)."""

    client: Any
    options: StreamOptions
    redis_url: str
    vectors: str  # the vector table: <store folder>/<table>
    run_id: str = ""
    totals: Counts = field(default_factory=Counts)
    chunk_rows: int = 0

    def _emit(self, state: str, counts: Counts, chunk_rows: int) -> None:
        from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
        from openlineage.client.facet_v2 import input_statistics_input_dataset, job_type_job, output_statistics_output_dataset
        from openlineage.client.uuid import generate_new_uuid

        if not self.run_id:
            self.run_id = str(generate_new_uuid())
        redis = redis_namespace(self.redis_url)

        def out(namespace: str, name: str, rows: int) -> OutputDataset:
            stats = output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(rowCount=rows)
            return OutputDataset(namespace, name, outputFacets={"outputStatistics": stats})

        job_type = job_type_job.JobTypeJobFacet(processingType="STREAMING", integration="HEADWATER", jobType="JOB")
        stats = input_statistics_input_dataset.InputStatisticsInputDatasetFacet(rowCount=counts.received)
        event = RunEvent(
            eventType=getattr(RunState, state),
            eventTime=dt.datetime.now(dt.timezone.utc).isoformat(),
            run=Run(runId=self.run_id),
            job=Job(NAMESPACE, f"stream.{self.options.name}", facets={"jobType": job_type}),
            inputs=[InputDataset(redis, self.options.name, inputFacets={"inputStatistics": stats})],
            outputs=[
                out(redis, self.options.outputs, counts.processed),
                out(redis, self.options.dead_letters, counts.dead_lettered),
                out("file", self.vectors, chunk_rows),
            ],
            producer=PRODUCER,
        )
        try:
            self.client.emit(event)
        except Exception:  # lineage never stops the stream
            log.exception("%s: OpenLineage %s event not emitted", self.options.name, state)

    def start(self) -> None:
        self._emit("START", Counts(), 0)

    def batch(self, counts: Counts, chunk_rows: int) -> None:
        """A committed batch: its counts and the chunk rows it wrote."""
        self.totals.add(counts)
        self.chunk_rows += chunk_rows
        self._emit("RUNNING", counts, chunk_rows)

    def complete(self) -> None:
        self._emit("COMPLETE", self.totals, self.chunk_rows)
