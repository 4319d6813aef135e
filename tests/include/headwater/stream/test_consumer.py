"""Consumers of a real Redis stream: every message counted once, duplicates by content, dead letters with reasons,
the lookup cache with its TTL, the output stream, redelivery after a crash changing nothing."""

from __future__ import annotations

import json
from typing import Any

from headwater.config.schema import SchemaSpec
from headwater.stream.redis_source import record_key
from headwater.stream.source import Counts


def _drain(consumer) -> Counts:  # noqa: ANN001
    total = Counts()
    while (counted := consumer.step()).received:
        total.add(counted)
    return total


def test_a_mixed_batch_adds_up_exactly(client: Any, publish, consumer, mixed, vectors) -> None:
    for payload in mixed:  # 2 tickets, 2 copies, 3 invalid (conftest.MIXED)
        publish(payload)
    publish("x", field="text")  # no data field
    c = consumer()
    got = _drain(c)
    assert got == Counts(received=8, processed=2, duplicate=2, dead_lettered=4)
    assert c.source.counts() == got and got.balanced
    assert client.xlen("tickets:dead") == 4 and client.xlen("tickets:out") == 2
    assert client.xpending("tickets", "headwater")["pending"] == 0
    assert vectors().count() == 2

    publish({"ticket_id": "T-1", "body": "The printer is on fire", "priority": 2})  # a later batch: a duplicate by row id
    publish({"ticket_id": "T-5", "body": "Monitor flickers"})
    assert _drain(c) == Counts(received=2, processed=1, duplicate=1, dead_lettered=0)
    assert c.source.counts() == Counts(received=10, processed=3, duplicate=3, dead_lettered=4)
    assert vectors().count() == 3


def test_dead_letters_carry_reason_and_original_fields(client: Any, publish, consumer) -> None:
    first = publish('{"ticket_id": "T-1", "body": ""}')
    second = publish("oops", field="payload")
    consumer().step()
    dead = [fields for _, fields in client.xrange("tickets:dead")]
    assert dead == [
        {"entry_id": first, "reason": "schema: body: '' should be non-empty", "fields": json.dumps({"data": '{"ticket_id": "T-1", "body": ""}'})},
        {"entry_id": second, "reason": "missing field: the entry has no 'data' field (fields: payload) — put the JSON text there", "fields": '{"payload": "oops"}'},
    ]


def test_a_row_the_cleaning_steps_quarantine_is_a_dead_letter(client: Any, publish, consumer, tickets) -> None:
    columns = {"ticket_id": {"type": "string", "identifier": True, "pattern": r"^T-\d+$"}, "body": "text", "priority": "integer"}
    config = tickets().model_copy(update={"schema": SchemaSpec.from_mapping({"name": "tickets", "columns": columns})})
    bad = publish({"ticket_id": "X-1", "body": "Keyboard missing keys"})
    publish({"ticket_id": "T-9", "body": "Keyboard missing keys"})
    assert _drain(consumer(config=config)) == Counts(received=2, processed=1, duplicate=0, dead_lettered=1)
    (_, dead), = client.xrange("tickets:dead")
    assert dead["reason"] == f"cleaning: entry {bad}: fails schema tickets — ticket_id='X-1' breaks pattern ^T-\\d+$ — row quarantined"


def test_processed_records_are_cached_with_ttl_and_published(client: Any, publish, consumer, tickets) -> None:
    entry = publish({"ticket_id": "T-7", "body": "  Laptop   won't boot ", "priority": 3})
    consumer(config=tickets(ttl_seconds=120)).step()
    cached = json.loads(client.get(record_key("tickets", "T-7")))
    assert cached == {
        "row_id": cached["row_id"], "entry_id": entry, "ticket_id": "T-7", "body": "Laptop won't boot",
        "body__raw": "  Laptop   won't boot ", "body__reason": "normalized: trim, whitespace", "priority": 3,
    }
    assert 0 < client.ttl(record_key("tickets", "T-7")) <= 120
    (_, out), = client.xrange("tickets:out")
    assert out == {"entry_id": entry, "id": "T-7", "record": client.get(record_key("tickets", "T-7"))}


def test_without_id_field_records_are_keyed_by_row_id(client: Any, publish, consumer, tickets) -> None:
    publish({"ticket_id": "T-8", "body": "Mouse"})
    consumer(config=tickets(id_field=None)).step()
    (_, out), = client.xrange("tickets:out")
    row_id = json.loads(out["record"])["row_id"]
    assert out["id"] == row_id and len(row_id) == 32 and client.exists(record_key("tickets", row_id))


def test_a_batch_processed_but_not_committed_is_redone_by_another_consumer_without_change(
    client: Any, publish, consumer, vectors, tickets, seven
) -> None:
    for payload in seven:  # 5 tickets, a copy, bad JSON (conftest.SEVEN)
        publish(payload)
    dead = consumer("dead")
    messages = dead.source.read(100, 10)
    dead.process(messages)  # the vector store is written; the crash comes before the commit
    ids_before = sorted(vectors().ids())
    assert len(ids_before) == 5 and dead.source.counts() == Counts()
    heir = consumer("heir", tickets(claim_idle_ms=1))
    assert _drain(heir) == Counts(received=7, processed=5, duplicate=1, dead_lettered=1)
    assert sorted(vectors().ids()) == ids_before
    assert client.xlen("tickets:out") == 5 and client.xlen("tickets:dead") == 1
    assert dead.source.commit(dead.process(messages)) == Counts()  # the dead consumer's late commit counts nothing


def test_a_restarted_consumer_of_the_same_name_finishes_its_own_pending_first(client: Any, publish, consumer) -> None:
    publish({"ticket_id": "T-1", "body": "One"})
    first = consumer("worker-1")
    first.source.read(100, 10)  # read, then the process died
    publish({"ticket_id": "T-2", "body": "Two"})
    again = consumer("worker-1")
    assert again.step() == Counts(received=1, processed=1)  # its pending message, alone
    assert again.step() == Counts(received=1, processed=1)  # then the new one
    assert client.xpending("tickets", "headwater")["pending"] == 0


def test_a_message_that_breaks_processing_is_dead_lettered_and_the_stream_goes_on(client: Any, publish, consumer, monkeypatch) -> None:
    c = consumer()
    real = c.processor.run
    body = c.processor.config.stream.fields.index("body")

    def run(parsed, seen):  # noqa: ANN001, ANN202 - a bug triggered by one message's content
        if any(p.values[body] == "boom" for p in parsed):
            raise RuntimeError("tokenizer crashed")
        return real(parsed, seen)

    monkeypatch.setattr(c.processor, "run", run)
    publish({"ticket_id": "T-1", "body": "fine"})
    publish({"ticket_id": "T-2", "body": "boom"})
    publish({"ticket_id": "T-3", "body": "also fine"})
    assert _drain(c) == Counts(received=3, processed=2, duplicate=0, dead_lettered=1)
    (_, dead), = client.xrange("tickets:dead")
    assert dead["reason"] == "processing failed: RuntimeError: tokenizer crashed"


def test_when_every_message_fails_the_error_is_raised_and_they_stay_pending(client: Any, publish, consumer, monkeypatch) -> None:
    import pytest

    c = consumer()
    monkeypatch.setattr(c.processor, "run", lambda parsed, seen: (_ for _ in ()).throw(OSError("disk full")))
    publish({"ticket_id": "T-1", "body": "a"})
    publish({"ticket_id": "T-2", "body": "b"})
    with pytest.raises(OSError, match="disk full"):
        c.step()
    assert client.xpending("tickets", "headwater")["pending"] == 2 and c.source.counts() == Counts()


def test_a_repeated_name_at_any_depth_is_dead_lettered_and_the_counts_add_up(client: Any, publish, consumer, vectors) -> None:
    top = publish('{"ticket_id": "T-1", "body": "first body", "body": "second body wins"}')  # breaker3 #5
    nested = publish('{"ticket_id": "T-2", "body": "x", "priority": {"a": 1, "a": 2, "b": [1, 2]}}')
    publish('{"ticket_id": "T-3", "body": "Printer jammed"}')
    publish('{"ticket_id": "T-3", "body": "Printer jammed"}')
    c = consumer()
    got = _drain(c)
    assert got == Counts(received=4, processed=1, duplicate=1, dead_lettered=2)
    assert c.source.counts() == got and got.balanced
    tail = "an object holds this name twice, and only one value could be kept — send each name once"
    assert [(fields["entry_id"], fields["reason"]) for _, fields in client.xrange("tickets:dead")] == [
        (top, f'bad JSON: duplicate key "body": {tail}'), (nested, f'bad JSON: duplicate key "a": {tail}')]
    assert client.xlen("tickets:out") == 1 and vectors().count() == 1


def test_json_strings_that_spell_na_are_data_and_a_blank_required_field_is_a_dead_letter(client: Any, publish, consumer) -> None:
    """breaker3 #15: in JSON a missing value is null or an absent key, so "None", "NA", "null", "NULL", "N/A" are text;
    a blank string is made missing with its spaces kept in __raw, and a required field or the id field left
    without a value is a dead letter."""
    entries = {body: publish({"ticket_id": f"NA-{i}", "body": body}) for i, body in enumerate(["None", "NA", "null", "NULL", "N/A", "-"])}
    blank = publish({"ticket_id": "NA-9", "body": "   "})
    na_id = publish({"ticket_id": "NA", "body": "Printer jams on tray 2"})
    none_id = publish({"ticket_id": "None", "body": "Scanner offline"})
    blank_id = publish({"ticket_id": " \t ", "body": "Router reboots"})
    c = consumer()
    got = _drain(c)
    assert got == Counts(received=10, processed=8, duplicate=0, dead_lettered=2) and got.balanced
    kept = {"ticket_id__raw": None, "ticket_id__reason": None}  # the batch's columns: another record's blank id kept its spaces
    kept_body = {"body__raw": None, "body__reason": None}
    for i, body in enumerate(["None", "NA", "null", "NULL", "N/A", "-"]):
        cached = json.loads(client.get(record_key("tickets", f"NA-{i}")))
        assert cached == {"row_id": cached["row_id"], "entry_id": entries[body], "ticket_id": f"NA-{i}", **kept, "body": body, **kept_body,
                          "priority": None}
    cached = json.loads(client.get(record_key("tickets", "NA")))
    assert cached == {"row_id": cached["row_id"], "entry_id": na_id, "ticket_id": "NA", **kept, "body": "Printer jams on tray 2", **kept_body,
                      "priority": None}
    cached = json.loads(client.get(record_key("tickets", "None")))
    assert cached == {"row_id": cached["row_id"], "entry_id": none_id, "ticket_id": "None", **kept, "body": "Scanner offline", **kept_body,
                      "priority": None}
    dead = {fields["entry_id"]: fields["reason"] for _, fields in client.xrange("tickets:dead")}
    assert dead == {
        blank: f"cleaning: entry {blank}: no value left in required field body (written '   ') — send the text itself",
        blank_id: f"cleaning: entry {blank_id}: no value left in required field ticket_id (written ' \\t ') — send the text itself",
    }
    assert client.xlen("tickets:out") == 8 and not client.exists(record_key("tickets", "NA-9"))


def test_a_blank_optional_string_is_missing_with_its_spaces_kept(client: Any, publish, consumer, tickets) -> None:
    schema = {"type": "object", "required": ["ticket_id", "body"],
              "properties": {"ticket_id": {"type": "string"}, "body": {"type": "string", "minLength": 1}, "owner": {"type": "string"}}}
    entry = publish({"ticket_id": "T-1", "body": "Disk full", "owner": "  "})
    other = publish({"ticket_id": "T-2", "body": "Disk full again", "owner": "null"})
    assert _drain(consumer(config=tickets(schema=schema))) == Counts(received=2, processed=2, duplicate=0, dead_lettered=0)
    cached = json.loads(client.get(record_key("tickets", "T-1")))
    assert cached == {"row_id": cached["row_id"], "entry_id": entry, "ticket_id": "T-1", "body": "Disk full",
                      "owner": None, "owner__raw": "  ", "owner__reason": "normalized: blank string"}
    cached = json.loads(client.get(record_key("tickets", "T-2")))
    assert cached == {"row_id": cached["row_id"], "entry_id": other, "ticket_id": "T-2", "body": "Disk full again", "owner": "null",
                      "owner__raw": None, "owner__reason": None}


BODY = ("Customer reports the pump at the Leeds site leaks oil from the main seal after the last maintenance visit. Technician "
        "visited on Monday, replaced the gasket and tested the unit for two hours without issues. Customer asked for a written report "
        "and a follow-up call next week to confirm the fix holds.")  # breaker3 in8/events5.txt
UPDATE = BODY + " UPDATE: the leak is back and oil reached the river, escalate to environmental team."
YORK = BODY.replace("Leeds", "York") + " Closed."


def _cached(client: Any, key: str) -> dict[str, Any]:
    return json.loads(client.get(record_key("tickets", key)))


def test_a_later_event_of_the_same_id_with_more_text_is_a_new_version_across_batches(client: Any, publish, consumer, vectors) -> None:
    """breaker3 #22: an update that appends text to a ticket replaces the cached record and is published and embedded;
    the same event again is still a duplicate."""
    c = consumer()
    publish({"ticket_id": "U-1", "body": BODY})
    assert _drain(c) == Counts(received=1, processed=1, duplicate=0, dead_lettered=0)
    update = publish({"ticket_id": "U-1", "body": UPDATE})
    publish({"ticket_id": "U-2", "body": YORK})
    assert _drain(c) == Counts(received=2, processed=2, duplicate=0, dead_lettered=0)
    cached = _cached(client, "U-1")
    assert (cached["entry_id"], cached["body"]) == (update, UPDATE)
    assert [json.loads(f["record"])["body"] for _, f in client.xrange("tickets:out")][:2] == [BODY, UPDATE]
    assert vectors().count() == 3  # both versions of U-1 stay searchable, each under its row id
    publish({"ticket_id": "U-1", "body": UPDATE})  # a redelivered update: the same values, a duplicate
    assert _drain(c) == Counts(received=1, processed=0, duplicate=1, dead_lettered=0)
    assert c.source.counts() == Counts(received=4, processed=3, duplicate=1, dead_lettered=0)
    assert _cached(client, "U-1")["entry_id"] == update and client.xlen("tickets:out") == 3


def test_a_later_event_of_the_same_id_with_more_text_is_a_new_version_within_a_batch(client: Any, publish, consumer, vectors) -> None:
    first = publish({"ticket_id": "U-1", "body": BODY})
    update = publish({"ticket_id": "U-1", "body": UPDATE})
    publish({"ticket_id": "U-2", "body": YORK})
    c = consumer()
    assert _drain(c) == Counts(received=3, processed=3, duplicate=0, dead_lettered=0)
    cached = _cached(client, "U-1")
    assert (cached["entry_id"], cached["body"]) == (update, UPDATE)
    out = [(f["entry_id"], json.loads(f["record"])["body"]) for _, f in client.xrange("tickets:out")]
    assert out[:2] == [(first, BODY), (update, UPDATE)]
    assert vectors().count() == 3
