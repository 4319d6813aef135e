"""The stream consumer: claim what dead consumers left, read new messages, process them, commit.

At-least-once with idempotent effects, so a crash anywhere loses and duplicates nothing:

1. messages are validated one by one (headwater.stream.validate); an invalid one becomes a dead
   letter with its reason, never an error;
2. the valid ones run as one micro-batch (headwater.stream.batch): the vector store is written
   (an upsert by deterministic id: writing a batch again changes nothing);
3. only then does the source commit: acknowledgement, counts, dead letters, the lookup cache and
   the output stream, in one step (headwater.stream.redis_source).

A crash before 3 leaves the batch pending: the restarted consumer reads its own pending messages
first (``pending``), and another consumer claims them once they have been idle
``claim_idle_ms`` (``claim``). When a batch raises, its messages are retried one at a time: a
message that fails alone while others pass is dead-lettered with the error; when every one
fails, the error is the infrastructure's (model, store, disk) and is raised, the messages stay
pending.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from headwater.config.settings import Settings
from headwater.config.stream import StreamOptions
from headwater.stream import health
from headwater.stream.batch import Processor
from headwater.stream.kafka_source import KafkaStreamSource
from headwater.stream.lineage import StreamLineage
from headwater.stream.redis_source import RedisStreamSource
from headwater.stream.source import Counts, Message, Outcome, StreamSource
from headwater.stream.validate import Parsed, Rejected, check

log = logging.getLogger("headwater.stream")


@dataclass
class Consumer:
    """One consumer process of one stream; ``counts``: what this process committed."""

    source: StreamSource
    processor: Processor
    counts: Counts = field(default_factory=Counts)
    lineage: StreamLineage | None = None  # OpenLineage events, one per committed batch (None: off)
    heartbeat: Callable[[], None] | None = None  # called after every micro-batch, empty ones too (headwater.stream.health)
    _recovered: bool = False

    def step(self) -> Counts:
        """One micro-batch: this consumer's own pending messages (first call only), else claimed ones, else new ones.

        Returns what the batch's commit counted (all zeros when there was nothing to do).
        """
        options = self.processor.config.stream
        assert options is not None
        messages: list[Message] = []
        if not self._recovered:
            messages = self.source.pending(options.batch_messages)
            self._recovered = not messages  # read the own backlog until it is empty
        if not messages:
            messages = self.source.claim(options.batch_messages, options.claim_idle_ms)
        if not messages:
            messages = self.source.read(options.batch_messages, options.block_ms)
        stored = self.processor.stored
        counted = self.source.commit(self.process(messages))
        self.counts.add(counted)
        if counted.received and self.lineage is not None:
            self.lineage.batch(counted, self.processor.stored - stored)
        if counted.received:
            log.info(
                "%s: %d received, %d processed, %d duplicate, %d dead-lettered",
                options.name, counted.received, counted.processed, counted.duplicate, counted.dead_lettered,
            )
        return counted

    def process(self, messages: list[Message]) -> list[Outcome]:
        """Outcomes of ``messages``, in order; writes the vector store, commits nothing."""
        options = self.processor.config.stream
        assert options is not None
        checked = [check(m, options) for m in messages]
        parsed = [c for c in checked if isinstance(c, Parsed)]
        done: dict[str, Outcome] = {c.message.id: Outcome(c.message, "dead_lettered", reason=c.reason) for c in checked if isinstance(c, Rejected)}
        try:
            done.update((o.message.id, o) for o in self.processor.run(parsed, self.source))
        except Exception:
            if len(parsed) <= 1:
                raise
            log.exception("%s: a batch of %d messages failed; retrying them one at a time", options.name, len(parsed))
            done.update((o.message.id, o) for o in self._one_by_one(parsed))
        return [done[m.id] for m in messages]

    def _one_by_one(self, parsed: list[Parsed]) -> list[Outcome]:
        outcomes, failures = [], []
        for p in parsed:
            try:
                outcomes += self.processor.run([p], self.source)
            except Exception as exc:
                failures.append((p, exc))
        if failures and not outcomes:
            raise failures[0][1]
        return outcomes + [Outcome(p.message, "dead_lettered", reason=f"processing failed: {type(e).__name__}: {e}") for p, e in failures]

    def run(self, stop: Callable[[], bool], idle_exit_s: float | None = None) -> Counts:
        """Run micro-batches until ``stop()`` is true (checked between batches), or nothing arrived for ``idle_exit_s`` seconds."""
        idle_since = time.monotonic()
        while not stop():
            received = self.step().received
            if self.heartbeat is not None:
                self.heartbeat()
            if received:
                idle_since = time.monotonic()
            elif idle_exit_s is not None and time.monotonic() - idle_since >= idle_exit_s:
                break
        return self.counts


def open_source(settings: Settings, options: StreamOptions, consumer: str | None = None) -> tuple[RedisStreamSource | KafkaStreamSource, str]:
    """The source of ``options`` (its ``broker``) as consumer ``consumer``, and the URL its messages come from
    (``redis://...`` or ``kafka://<first bootstrap server>``)."""
    if options.broker == "kafka":
        url = f"kafka://{settings.stream_kafka_bootstrap.split(',')[0].strip()}"
        return KafkaStreamSource(settings.stream_kafka_bootstrap, settings.stream_redis_url, options, consumer), url
    return RedisStreamSource(settings.stream_redis_url, options, consumer), settings.stream_redis_url


def serve(
    settings: Settings, stream: str, consumer: str | None = None, idle_exit_s: float | None = None, heartbeat: Path | None = None
) -> Counts:
    """Consume ``stream`` (a ``stream.name`` of the source configs in ``settings.config_dir``) from the Redis of
    ``settings.stream_redis_url`` (``broker: kafka``: the Kafka of ``settings.stream_kafka_bootstrap``; the
    dedup memory, counts and lookup cache stay in that Redis) until SIGTERM or SIGINT (the batch in hand is finished and committed
    first) or ``idle_exit_s`` seconds without a message. Returns this process's counts.

    ``consumer``: the consumer's name in the group (default ``<host>-<pid>``; a fixed name, e.g. a
    StatefulSet pod's, resumes its own pending messages at once on restart). ``heartbeat``: a file whose
    modification time is set after every micro-batch (headwater.stream.health; Kubernetes probes read
    it with ``headwater stream-alive``). OpenLineage events
    (headwater.stream.lineage) go out when OpenLineage is configured. Raises ConfigError
    when no source config has that stream, redis.ConnectionError when Redis is unreachable,
    confluent_kafka.KafkaException when Kafka is.
    """
    import signal

    from headwater.config.source import load_sources
    from headwater.layout import Layout
    from headwater.stream.batch import cleaning_config
    from headwater.stream.lineage import lineage_client

    config = cleaning_config(load_sources(settings.config_dir).for_stream(stream))
    assert config.stream is not None
    stopping: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        stopping.append(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        processor = Processor(config, settings)
        processor.warm()  # before joining a Kafka group: a member that takes long to start holds partitions idle
        source, url = open_source(settings, config.stream, consumer)
        log.info("%s: consumer %s of group %s on %s", stream, source.consumer, config.stream.group, url)
        client = lineage_client()
        lineage = None
        if client is not None:
            assert settings.data_dir is not None
            table = f"{Layout(settings.data_dir).vectors}/{settings.vector_table or 'chunks'}"
            lineage = StreamLineage(client, config.stream, url, table)
            lineage.start()
        try:
            beat = None if heartbeat is None else partial(health.beat, heartbeat)
            return Consumer(source, processor, lineage=lineage, heartbeat=beat).run(lambda: bool(stopping), idle_exit_s)
        finally:
            if lineage is not None:
                lineage.complete()
            if isinstance(source, KafkaStreamSource):
                source.close()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
