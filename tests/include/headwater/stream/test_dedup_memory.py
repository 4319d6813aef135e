"""The dedup memory across micro-batches on a real Redis: exact and near-duplicates of earlier batches
(by row id; MinHash LSH as in the CSV path), redelivery, and the window that bounds it."""

from __future__ import annotations

import time
from typing import Any

from headwater.config.settings import Settings
from headwater.embed.store import VectorStore
from headwater.layout import Layout
from headwater.stream.source import Counts

FIRE = "The printer on the third floor is on fire and the whole office smells of burnt toner since this morning"
FIRE_EDITED = "The printer on the third floor is on fire and the whole office smells of burnt toner since this mornin"  # one letter less


def _commit(c, count: int = 100) -> tuple[list, Counts]:  # noqa: ANN001 - a Consumer
    outcomes = c.process(c.source.read(count, 10))
    return outcomes, c.source.commit(outcomes)


def _rows(settings: Settings) -> int:
    return VectorStore(Layout(settings.data_dir).vectors, settings.vector_table).count()


def test_an_exact_duplicate_of_an_earlier_batch_names_the_first_record(client: Any, publish, consumer, settings: Settings) -> None:
    c = consumer()
    publish({"ticket_id": "T-1", "body": FIRE})
    (first,), _ = _commit(c)
    publish({"ticket_id": "T-1", "body": FIRE + "  "})  # the same after text normalization
    (again,), counted = _commit(c)
    assert first.kind == "processed" and len(first.row_id) == 32
    assert (again.kind, again.row_id, again.duplicate_of) == ("duplicate", first.row_id, first.row_id)
    assert counted == Counts(received=1, duplicate=1)
    assert client.get(f"headwater:stream:tickets:seen:{first.row_id}") == first.message.id
    assert _rows(settings) == 1 and client.xlen("tickets:out") == 1


def test_a_near_duplicate_of_an_earlier_batch_is_a_duplicate_of_it(client: Any, publish, consumer, settings: Settings, tickets) -> None:
    c = consumer(config=tickets(id_field=None))  # with ticket_id as the id_field, T-1 edited is a new version (test_consumer)
    publish({"ticket_id": "T-1", "body": FIRE, "priority": 1})
    (first,), _ = _commit(c)
    publish({"ticket_id": "T-1", "body": FIRE_EDITED, "priority": 1})
    publish({"ticket_id": "T-2", "body": "Password reset, please"})
    (near, other), counted = _commit(c)
    assert (near.kind, near.duplicate_of) == ("duplicate", first.row_id)
    assert near.row_id != first.row_id and len(near.row_id) == 32
    assert other.kind == "processed"
    assert counted == Counts(received=2, processed=1, duplicate=1)
    assert _rows(settings) == 2 and client.xlen("tickets:out") == 2
    assert len(first.bands) == 16 and all(client.sismember(f"headwater:stream:tickets:lsh:{b}", first.row_id) for b in first.bands)


def test_a_near_duplicate_whose_other_columns_differ_is_kept_unless_they_may_differ(client: Any, publish, consumer, tickets) -> None:
    c = consumer()
    publish({"ticket_id": "T-1", "body": FIRE, "priority": 1})
    (first,), _ = _commit(c)
    publish({"ticket_id": "T-2", "body": FIRE_EDITED, "priority": 1})  # another ticket id: a veto, as in the CSV path
    (other,), _ = _commit(c)
    assert other.kind == "processed"
    config = tickets()
    relaxed = consumer("c2", config.model_copy(update={"dedup": config.dedup.model_copy(update={"may_differ": ["ticket_id"]})}))
    publish({"ticket_id": "T-3", "body": FIRE, "priority": 1})
    (third,), _ = _commit(relaxed)
    assert (third.kind, third.duplicate_of) == ("duplicate", first.row_id)  # the same text as T-1: similarity 1.0 beats T-2's


def test_a_redelivered_message_changes_nothing(client: Any, publish, consumer, settings: Settings, tickets) -> None:
    publish({"ticket_id": "T-1", "body": FIRE})
    dead = consumer("dead")
    messages = dead.source.read(100, 10)
    dead.process(messages)  # stored, never committed: the consumer died
    heir = consumer("heir", tickets(claim_idle_ms=1))
    outcomes = heir.process(heir.source.claim(100, 1))
    assert heir.source.commit(outcomes) == Counts(received=1, processed=1)
    memory = sorted(client.keys("headwater:stream:tickets:*"))
    late = dead.process(messages)  # the same message id again: its own record, not a duplicate of it
    assert [(o.kind, o.row_id) for o in late] == [("processed", outcomes[0].row_id)]
    assert dead.source.commit(late) == Counts()
    assert sorted(client.keys("headwater:stream:tickets:*")) == memory
    assert heir.source.counts() == Counts(received=1, processed=1) and _rows(settings) == 1 and client.xlen("tickets:out") == 1


def test_the_memory_forgets_after_the_window(client: Any, publish, consumer, tickets) -> None:
    c = consumer(config=tickets(dedup_window_seconds=1, id_field=None))  # no id_field: T-1 edited is a near copy, not a version
    publish({"ticket_id": "T-1", "body": FIRE})
    (first,), _ = _commit(c)
    assert client.ttl(f"headwater:stream:tickets:seen:{first.row_id}") == 1
    assert client.ttl(f"headwater:stream:tickets:near:{first.row_id}") == 1
    assert client.ttl(f"headwater:stream:tickets:lsh:{first.bands[0]}") == 1
    time.sleep(2.1)
    assert client.keys("headwater:stream:tickets:[snl]*:*") == []
    publish({"ticket_id": "T-1", "body": FIRE})
    publish({"ticket_id": "T-1", "body": FIRE_EDITED})
    (again, near), counted = _commit(c)
    assert (again.kind, again.row_id) == ("processed", first.row_id)  # forgotten: processed again (same ids, the store unchanged)
    assert (near.kind, near.duplicate_of) == ("duplicate", first.row_id)  # within its batch, by the cleaning steps
    assert counted == Counts(received=2, processed=1, duplicate=1)


def test_an_exact_duplicate_holding_a_masked_email_of_an_earlier_batch_is_a_duplicate(client: Any, publish, consumer, settings: Settings) -> None:
    """A masked e-mail is compared by the data root's keyed digest (headwater.clean.stage.digest_key), as in the
    CSV path: without the key a masked record equals no other, and a re-published message was stored twice."""
    c = consumer()
    body = FIRE + ". Write to ann.lee@example.com"
    publish({"ticket_id": "T-1", "body": body})
    (first,), _ = _commit(c)
    publish({"ticket_id": "T-1", "body": body})
    publish({"ticket_id": "T-1", "body": FIRE + ". Write to bob.ray@example.com"})  # another address: another record
    (again, other), counted = _commit(c)
    assert first.kind == "processed"
    assert (again.kind, again.duplicate_of) == ("duplicate", first.row_id)
    assert other.kind == "processed" and other.row_id != first.row_id
    assert counted == Counts(received=2, processed=1, duplicate=1)
    assert _rows(settings) == 2
