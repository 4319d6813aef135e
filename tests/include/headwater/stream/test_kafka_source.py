"""Consumers of a real Kafka topic (Tansu, the ``kafka_broker`` fixture) with the dedup memory in a real Redis:
the same contract as the Redis source: every message counted once, dead letters with reasons in a topic,
redelivery changing nothing, a malformed message never stopping the stream, SIGKILL mid-batch losing nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from headwater.config.settings import Settings
from headwater.config.source import SourceConfig
from headwater.stream.batch import Processor, cleaning_config, entry_line
from headwater.stream.consumer import Consumer, serve
from headwater.stream.kafka_source import KafkaStreamSource
from headwater.stream.redis_source import record_key
from headwater.stream.source import Counts

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture
def kafka_tickets(tickets) -> Callable[..., SourceConfig]:  # noqa: ANN001
    """``kafka_tickets(**stream options)``: the tickets source config (conftest) with ``broker: kafka``."""
    return lambda **stream: tickets(broker="kafka", **stream)


@pytest.fixture
def produce(kafka_broker: str) -> Callable[..., None]:
    """``produce(obj_or_text_or_bytes_or_None, topic="tickets")``: one message, flushed."""
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": kafka_broker})  # one partition, so message ids are tickets:0:<offset>
    admin.create_topics([NewTopic("tickets", 1, 1)])["tickets"].result(30)  # (a producer's auto-creation makes several)
    producer = Producer({"bootstrap.servers": kafka_broker})

    def send(payload: Any, topic: str = "tickets") -> None:
        value = payload if payload is None or isinstance(payload, bytes) else (payload if isinstance(payload, str) else json.dumps(payload)).encode()
        producer.produce(topic, value=value)
        assert producer.flush(30) == 0

    return send


@pytest.fixture
def kafka_consumer(kafka_broker: str, client: Any, settings: Settings, kafka_tickets) -> Callable[..., Consumer]:
    """``kafka_consumer(name, **stream options)``: a consumer of the tickets topic (group ``headwater``) writing under ``settings``."""
    made: list[KafkaStreamSource] = []

    def make(name: str = "c1", **stream: Any) -> Consumer:
        config = kafka_tickets(**stream)
        source = KafkaStreamSource(kafka_broker, client, config.stream, name)
        made.append(source)
        return Consumer(source, Processor(cleaning_config(config), settings))

    yield make
    for source in made:
        source.close()


def read_topic(bootstrap: str, topic: str, expect: int, wait_s: float = 20.0) -> list[tuple[str | None, dict[str, Any], dict[str, str]]]:
    """The committed messages of ``topic`` (read_committed, from the start): (key, JSON value, headers); reads
    until ``expect`` arrived and then 1 s more (so that one too many shows), or ``wait_s``."""
    from confluent_kafka import Consumer as KafkaConsumer
    from confluent_kafka import TopicPartition

    reader = KafkaConsumer({"bootstrap.servers": bootstrap, "group.id": "test-reader", "enable.auto.commit": False, "isolation.level": "read_committed"})
    reader.assign([TopicPartition(topic, 0, 0)])
    got: list[Any] = []
    deadline, settle = time.monotonic() + wait_s, None
    while time.monotonic() < deadline and (settle is None or time.monotonic() < settle):
        for m in reader.consume(100, 0.2):
            if m.error() is None:
                got.append((None if m.key() is None else m.key().decode(), json.loads(m.value()), {k: v.decode() for k, v in m.headers() or []}))
        if len(got) >= expect and settle is None:
            settle = time.monotonic() + 1.0
    reader.close()
    return got


def drain(consumer: Consumer, received: int, wait_s: float = 60.0) -> Counts:
    """Steps until ``received`` messages were committed (the group join takes seconds), or ``wait_s``."""
    total = Counts()
    deadline = time.monotonic() + wait_s
    while total.received < received and time.monotonic() < deadline:
        total.add(consumer.step())
    return total


def test_kafka_message_ids_become_lines_ordered_within_a_partition() -> None:
    assert entry_line("tickets:0:41") == 41
    assert entry_line("tickets:3:7") == 3 * 10**12 + 7
    assert entry_line("my:topic:2:5") == 2 * 10**12 + 5  # the topic is all before the last two colons
    assert entry_line("1700000000000-3") == 1700000000000 * 10**6 + 3  # a Redis entry id as before


def test_kafka_topics_default_to_dot_names(kafka_tickets) -> None:
    options = kafka_tickets().stream
    assert (options.dead_letters, options.outputs) == ("tickets.dead", "tickets.out")
    assert (kafka_tickets(dead_letter_stream="rejects").stream.dead_letters) == "rejects"


def test_a_mixed_batch_adds_up_exactly(kafka_broker: str, client: Any, produce, kafka_consumer, mixed, vectors) -> None:
    for payload in mixed:  # 2 tickets, 2 copies, 3 invalid (conftest.MIXED)
        produce(payload)
    c = kafka_consumer()
    got = drain(c, 7)
    assert got == Counts(received=7, processed=2, duplicate=2, dead_lettered=3)
    assert c.source.counts() == got and got.balanced
    assert vectors().count() == 2
    out = read_topic(kafka_broker, "tickets.out", 2)
    assert [(key, value["ticket_id"], value["entry_id"], headers) for key, value, headers in out] == [
        ("T-1", "T-1", "tickets:0:0", {"entry_id": "tickets:0:0"}), ("T-2", "T-2", "tickets:0:1", {"entry_id": "tickets:0:1"}),
    ]
    assert json.loads(client.get(record_key("tickets", "T-2"))) == out[1][1]  # the lookup cache holds the published record
    assert 0 < client.ttl(record_key("tickets", "T-2")) <= 86400
    dead = read_topic(kafka_broker, "tickets.dead", 3)
    assert [(key, value["entry_id"], value["reason"].split(":")[0], value["fields"]) for key, value, _ in dead] == [
        ("tickets:0:4", "tickets:0:4", "bad JSON", {"data": "{bad"}),
        ("tickets:0:5", "tickets:0:5", "schema", {"data": '{"ticket_id": "T-3"}'}),
        ("tickets:0:6", "tickets:0:6", "undeclared field", {"data": '{"ticket_id": "T-4", "body": "VPN drops every hour", "owner": "ann"}'}),
    ]

    produce({"ticket_id": "T-1", "body": "The printer is on fire", "priority": 2})  # a later batch: a duplicate by row id
    produce({"ticket_id": "T-5", "body": "Monitor flickers"})
    assert drain(c, 2) == Counts(received=2, processed=1, duplicate=1, dead_lettered=0)
    assert c.source.counts() == Counts(received=9, processed=3, duplicate=3, dead_lettered=3)
    assert vectors().count() == 3


def test_a_malformed_message_never_stops_the_stream(kafka_broker: str, produce, kafka_consumer, vectors) -> None:
    produce(b"\xff\xfe not utf-8")  # undecodable bytes: kept as \\xNN escapes, then bad JSON
    produce(None)  # a tombstone: no value at all
    produce("[1, 2]")  # not an object
    produce('{"ticket_id": "T-1", "body": NaN}')  # NaN is not JSON
    produce({"ticket_id": "T-1", "body": "Still flowing"})
    c = kafka_consumer()
    assert drain(c, 5) == Counts(received=5, processed=1, duplicate=0, dead_lettered=4)
    dead = read_topic(kafka_broker, "tickets.dead", 4)
    assert [value["fields"] for _, value, _ in dead] == [{"data": "\\xff\\xfe not utf-8"}, {}, {"data": "[1, 2]"}, {"data": '{"ticket_id": "T-1", "body": NaN}'}]
    assert [value["reason"].split(":")[0] for _, value, _ in dead] == ["bad JSON", "missing field", "not a JSON object", "bad JSON"]
    assert vectors().count() == 1


def test_a_batch_processed_but_not_committed_is_redone_without_change(
    kafka_broker: str, client: Any, produce, kafka_consumer, vectors, seven
) -> None:
    for payload in seven:  # 5 tickets, a copy, bad JSON (conftest.SEVEN)
        produce(payload)
    dead = kafka_consumer("dead")
    messages: list[Any] = []
    deadline = time.monotonic() + 60
    while len(messages) < 7 and time.monotonic() < deadline:
        messages += dead.source.read(100, 500)
    dead.process(messages)  # the vector store is written; the crash comes before the commit
    ids_before = sorted(vectors().ids())
    assert len(ids_before) == 5 and dead.source.counts() == Counts()
    dead.source.close()  # the process is gone: its partition goes to the group's next member
    heir = kafka_consumer("heir")
    assert drain(heir, 7) == Counts(received=7, processed=5, duplicate=1, dead_lettered=1)
    assert sorted(vectors().ids()) == ids_before
    assert len(read_topic(kafka_broker, "tickets.out", 5)) == 5 and len(read_topic(kafka_broker, "tickets.dead", 1)) == 1


def test_committed_in_redis_but_not_in_kafka_is_redelivered_and_counted_once(
    kafka_broker: str, client: Any, produce, kafka_consumer, vectors
) -> None:
    from confluent_kafka import KafkaError, KafkaException

    produce({"ticket_id": "T-1", "body": "The printer is on fire"})
    produce({"ticket_id": "T-1", "body": "The printer is on fire"})
    produce("{bad")
    first = kafka_consumer("first")

    class Failing:  # the producer loses the broker when the transaction begins (a cimpl.Producer cannot be patched)
        def __init__(self, real: Any) -> None:
            self.real = real

        def begin_transaction(self) -> None:
            raise KafkaException(KafkaError(KafkaError._TRANSPORT, "broker went away"))

        def __getattr__(self, name: str) -> Any:
            return getattr(self.real, name)

    first.source.producer = Failing(first.source.producer)
    with pytest.raises(KafkaException, match="broker went away"):
        drain(first, 3)
    assert first.source.counts() == Counts(received=3, processed=1, duplicate=1, dead_lettered=1)  # step 1 ran
    first.source.close()
    again = kafka_consumer("again")
    assert drain(again, 3, wait_s=20) == Counts()  # redelivered: nothing counted twice
    assert again.source.counts() == Counts(received=3, processed=1, duplicate=1, dead_lettered=1)
    assert [v["ticket_id"] for _, v, _ in read_topic(kafka_broker, "tickets.out", 1)] == ["T-1"]  # step 2 done now, once
    assert [v["entry_id"] for _, v, _ in read_topic(kafka_broker, "tickets.dead", 1)] == ["tickets:0:2"]
    assert vectors().count() == 1


CHILD = """
import sys, time
from pathlib import Path
from headwater.config.settings import Settings
from headwater.stream import kafka_source
from headwater.stream.consumer import serve

marker = Path(sys.argv[1])
real_commit = kafka_source.KafkaStreamSource.commit
def commit(self, outcomes):
    if any(o.kind == "processed" for o in outcomes):
        marker.write_text("before_commit")
        time.sleep(600)
    return real_commit(self, outcomes)
kafka_source.KafkaStreamSource.commit = commit
serve(Settings.from_env(), "tickets", "worker-1")
"""


@pytest.mark.parametrize("restart", ["same name", pytest.param("other name", marks=pytest.mark.slow)])
def test_sigkill_mid_batch_loses_and_duplicates_nothing(
    restart: str, kafka_broker: str, client: Any, produce, sixty, vectors, stream_env, kill_at_marker
) -> None:
    env = stream_env(kafka=kafka_broker, broker="kafka")
    sixty(produce)
    _, kill = kill_at_marker(CHILD, env)
    assert 0 < vectors().count() <= 20  # the first batch's records are in the vector store, not committed
    kill()
    assert client.hgetall("headwater:stream:tickets:counts") == {}

    stream_env.apply(env)
    # the dead member leaves the group after the session timeout (6 s); the join takes seconds more: idle 15 s to be sure
    got = serve(Settings.from_env(), "tickets", "worker-1" if restart == "same name" else "worker-2", idle_exit_s=15.0)
    assert got == Counts(received=60, processed=50, duplicate=5, dead_lettered=5)
    ids = vectors().ids()
    assert len(ids) == len(set(ids)) == 50
    assert len(read_topic(kafka_broker, "tickets.out", 50)) == 50 and len(read_topic(kafka_broker, "tickets.dead", 5)) == 5
    assert {k: int(v) for k, v in client.hgetall("headwater:stream:tickets:counts").items()} == {
        "received": 60, "processed": 50, "duplicate": 5, "dead_lettered": 5
    }


def _partitions(consumer: Consumer) -> list[int]:
    return sorted(tp.partition for tp in consumer.source.kafka.assignment())


def test_a_rebalance_across_partitions_loses_and_duplicates_nothing(
    kafka_broker: str, client: Any, kafka_consumer, sixty, vectors, stream_env, kill_at_marker, settings: Settings
) -> None:
    """Three partitions, two members: "a" (in this process) drains the first 30 messages alone; a consumer
    process joins (the group rebalances: "a" keeps part of the partitions), the last 30 messages arrive,
    the process stores its first batch and is SIGKILLed before committing it; after the session timeout
    "a" gets every partition back and finishes. Exactly 60 = 50 + 5 + 5, each ticket stored once."""
    import lancedb
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": kafka_broker})  # kept: the creation's future needs the live client
    admin.create_topics([NewTopic("tickets", 3, 1)])["tickets"].result(30)
    payloads: list[Any] = []
    sixty(payloads.append)
    producer = Producer({"bootstrap.servers": kafka_broker})

    def send(start: int, stop: int) -> None:  # message i goes to partition i % 3
        for i in range(start, stop):
            payload = payloads[i]
            producer.produce("tickets", value=(payload if isinstance(payload, str) else json.dumps(payload)).encode(), partition=i % 3)
        assert producer.flush(30) == 0

    send(0, 30)
    a = kafka_consumer("a", batch_messages=10)
    total = drain(a, 30)
    assert total.received == 30 and _partitions(a) == [0, 1, 2]

    shared: list[list[int]] = []

    def a_steps_through_the_join() -> None:  # "a" must keep polling to take part in the rebalance
        total.add(a.step())
        if not shared and 0 < len(_partitions(a)) < 3:
            shared.append(_partitions(a))
            send(30, 60)

    env = stream_env(kafka=kafka_broker, broker="kafka", batch_messages=10)
    _, kill = kill_at_marker(CHILD, env, tick=a_steps_through_the_join)
    assert shared and len(shared[0]) in (1, 2)  # the joiner took the other partition(s)
    uncommitted = vectors().count() - int(client.hget("headwater:stream:tickets:counts", "processed"))
    assert uncommitted > 0  # the joiner's first batch is in the vector store, not committed
    kill()
    total.add(drain(a, 60 - total.received, wait_s=90))  # the dead member's partitions come back after the session timeout
    assert _partitions(a) == [0, 1, 2]
    assert total == Counts(received=60, processed=50, duplicate=5, dead_lettered=5) and total.balanced
    assert {k: int(v) for k, v in client.hgetall("headwater:stream:tickets:counts").items()} == {
        "received": 60, "processed": 50, "duplicate": 5, "dead_lettered": 5
    }

    cached = {f"T-{i}": json.loads(client.get(record_key("tickets", f"T-{i}")))["row_id"] for i in range(50)}
    assert len(set(cached.values())) == 50
    table = lancedb.connect(vectors().uri).open_table(settings.vector_table or "chunks").to_arrow()
    ids, row_ids = table.column("id").to_pylist(), table.column("row_id").to_pylist()
    assert len(ids) == len(set(ids)) == 50 and sorted(row_ids) == sorted(cached.values())  # each ticket's record once, no other
    out = read_topic(kafka_broker, "tickets.out", 50)
    assert sorted(value["ticket_id"] for _, value, _ in out) == sorted(cached)
    assert {value["ticket_id"]: value["row_id"] for _, value, _ in out} == cached
    dead = read_topic(kafka_broker, "tickets.dead", 5)
    assert sorted(value["fields"]["data"] for _, value, _ in dead) == sorted(p if isinstance(p, str) else json.dumps(p) for p in payloads if p == "{not json" or "body" not in p)
