"""Bounded Redis storage on a real server: the input stream trimmed after acknowledgement (never an
unacknowledged entry, of any group), the output stream capped (MAXLEN ~)."""

from __future__ import annotations

from typing import Any

from headwater.stream.source import Counts


def _drain(c) -> Counts:  # noqa: ANN001 - a Consumer
    total = Counts()
    while (counted := c.step()).received:
        total.add(counted)
    return total


def test_acknowledged_entries_are_trimmed_from_the_input_stream(client: Any, publish, consumer) -> None:
    for i in range(3):
        publish({"ticket_id": f"T-{i}", "body": f"Ticket {i}"})
    assert _drain(consumer()) == Counts(received=3, processed=3)
    assert client.xlen("tickets") == 0 and client.xlen("tickets:out") == 3


def test_an_entry_another_consumer_holds_unacknowledged_is_kept_and_everything_after_it(client: Any, publish, consumer, tickets) -> None:
    ids = [publish({"ticket_id": f"T-{i}", "body": f"Ticket {i}"}) for i in range(4)]
    consumer("dead").source.read(1, 10)  # holds T-0, then dies
    assert _drain(consumer("c1")) == Counts(received=3, processed=3)
    assert [e for e, _ in client.xrange("tickets")] == ids  # MINID = the held entry: nothing before it to trim
    heir = consumer("heir", tickets(claim_idle_ms=1))
    assert _drain(heir) == Counts(received=1, processed=1)
    assert client.xlen("tickets") == 0


def test_a_group_that_has_not_read_yet_keeps_the_whole_stream(client: Any, publish, consumer, tickets) -> None:
    consumer("other", tickets(group="audit"))  # creates its group at 0: it has read nothing
    ids = [publish({"ticket_id": f"T-{i}", "body": f"Ticket {i}"}) for i in range(2)]
    _drain(consumer())
    assert [e for e, _ in client.xrange("tickets")] == ids
    assert _drain(consumer("other", tickets(group="audit"))) == Counts(received=2, processed=0, duplicate=2)  # the records are remembered
    assert client.xlen("tickets") == 0


def test_without_trim_input_the_stream_keeps_its_entries(client: Any, publish, consumer, tickets) -> None:
    for i in range(3):
        publish({"ticket_id": f"T-{i}", "body": f"Ticket {i}"})
    _drain(consumer(config=tickets(trim_input=False)))
    assert client.xlen("tickets") == 3


def test_the_output_stream_is_capped_near_output_max_len(client: Any, publish, consumer, tickets) -> None:
    client.config_set("stream-node-max-entries", 2)  # MAXLEN ~ trims whole nodes: 2 entries a node here
    for i in range(10):
        publish({"ticket_id": f"T-{i}", "body": f"Ticket {i}"})
    assert _drain(consumer(config=tickets(output_max_len=3))) == Counts(received=10, processed=10)
    assert [f["id"] for _, f in client.xrange("tickets:out")] == ["T-6", "T-7", "T-8", "T-9"]
