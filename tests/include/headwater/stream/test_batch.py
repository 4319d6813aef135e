"""Micro-batches and the vector store: its fragments compacted every ``compact_every`` writing batches."""

from __future__ import annotations

from typing import Any

from headwater.config.settings import Settings
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
