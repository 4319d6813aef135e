"""A tickets stream on the real Redis of the ``redis_server`` fixture, and consumers of it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from headwater.config.settings import Settings
from headwater.config.source import SourceConfig
from headwater.stream.batch import Processor, cleaning_config
from headwater.stream.consumer import Consumer
from headwater.stream.redis_source import RedisStreamSource

TICKETS = {
    "type": "object",
    "required": ["ticket_id", "body"],
    "properties": {
        "ticket_id": {"type": "string"},
        "body": {"type": "string", "minLength": 1},
        "priority": {"type": ["integer", "null"]},
    },
}


def tickets_config(**stream: Any) -> SourceConfig:
    """The tickets source (no canonical schema: derived from the JSON Schema)."""
    return SourceConfig.from_mapping(
        {"name": "tickets", "stream": {"name": "tickets", "schema": TICKETS, "text_fields": ["body"], "id_field": "ticket_id", **stream}}
    )


@pytest.fixture
def tickets() -> Callable[..., SourceConfig]:
    """``tickets(**stream options)``: the tickets source config (``tickets_config``)."""
    return tickets_config


@pytest.fixture
def client(redis_server: str) -> Iterator[Any]:
    import redis

    r = redis.Redis.from_url(redis_server, decode_responses=True)
    yield r
    r.close()


@pytest.fixture
def publish(client: Any) -> Callable[..., str]:
    """``publish(obj_or_text, stream="tickets", field="data")`` -> the entry id."""

    def add(payload: Any, stream: str = "tickets", field: str = "data") -> str:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        return client.xadd(stream, {field: text})

    return add


@pytest.fixture
def consumer(client: Any, settings: Settings) -> Callable[..., Consumer]:
    """``consumer(name="c1", config=None)``: a consumer of the tickets stream writing under ``settings``."""

    def make(name: str = "c1", config: SourceConfig | None = None) -> Consumer:
        config = config or tickets_config()
        return Consumer(RedisStreamSource(client, config.stream, name), Processor(cleaning_config(config), settings))

    return make
