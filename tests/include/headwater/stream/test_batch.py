"""Micro-batches and the vector store: its fragments compacted every ``compact_every`` writing batches."""

from __future__ import annotations

from typing import Any

from headwater.config.settings import Settings
from headwater.config.source import SourceConfig
from headwater.embed.store import VectorStore
from headwater.layout import Layout


def test_the_vector_table_is_compacted_every_compact_every_writing_batches(client: Any, publish, consumer, settings: Settings, tickets) -> None:
    c = consumer(config=tickets(compact_every=2))
    store = VectorStore(Layout(settings.data_dir).vectors, settings.vector_table)
    fragments = []
    for i in range(3):
        publish({"ticket_id": f"T-{i}", "body": f"Ticket number {i}"})
        c.step()
        fragments.append(store._table().stats()["fragment_stats"]["num_fragments"])
    assert fragments == [1, 1, 2] and c.processor.writes == 3  # the second batch folded two fragments into one
    assert [i.columns for i in store._table().list_indices()] == [["id"]] and store.count() == 3


def test_row_ids_do_not_depend_on_the_order_of_the_schemas_properties(client: Any, publish, consumer, tickets) -> None:
    """A JSON object's members have no order (RFC 8259 §4), so a schema listing the same properties in
    another order (a YAML dump that sorts keys, an edit) must give the same row ids: else every record
    of a redelivery or of the dedup window after the edit is new."""
    for payload in ({"ticket_id": "T-1", "body": "Printer on fire", "priority": 2}, {"ticket_id": "T-2", "body": "VPN drops", "priority": None}):
        publish(payload)
    declared = tickets(group="a")
    schema = declared.stream.schema
    reordered = {**schema, "properties": dict(reversed(list(schema["properties"].items())))}
    assert list(reordered["properties"]) != list(schema["properties"])
    as_declared = consumer("a", declared)
    reversed_ = consumer("b", SourceConfig.from_mapping({"name": "tickets", "stream": {
        "name": "tickets", "schema": reordered, "text_fields": ["body"], "id_field": "ticket_id", "group": "b"}}))
    first = as_declared.process(as_declared.source.read(10, 100))
    second = reversed_.process(reversed_.source.read(10, 100))
    assert [o.kind for o in first] == [o.kind for o in second] == ["processed", "processed"]
    assert [o.row_id for o in first] == [o.row_id for o in second] and all(o.row_id for o in first)
    assert [o.record for o in first] == [o.record for o in second]
