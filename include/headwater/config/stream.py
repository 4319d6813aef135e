"""A source read from an event stream (YAML section ``stream:`` of a source config).

A source with a ``stream`` section is fed by messages of a Redis Stream (or, with
``broker: kafka``, a Kafka topic) instead of landing files (headwater.stream): each message carries one JSON object, checked against ``schema``
(a JSON Schema, Draft 2020-12 unless it says ``$schema``), then cleaned, chunked and embedded
by the same code as a CSV row. The JSON Schema is checked when the config loads
(``jsonschema``'s ``check_schema``); it must declare the message's fields under ``properties``:
they are the record's columns, in that order.

    stream:
      name: tickets                 # the Redis Stream key
      schema:
        type: object
        required: [ticket_id, body]
        properties:
          ticket_id: {type: string}
          body: {type: string}
          priority: {type: integer}
      text_fields: [body]
      id_field: ticket_id
      ttl_seconds: 86400
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from headwater.config.base import ConfigModel

SECTION = "stream"  # the key of these options in a source's YAML


# ``schema`` is a YAML key, and a (deprecated) BaseModel classmethod the field shadows on purpose (as in SourceConfig).
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message='Field name "schema" in "StreamOptions" shadows', category=UserWarning)

    class StreamOptions(ConfigModel):
        """One event stream: where its messages come from, how they are checked, where results and rejects go."""

        name: str = Field(min_length=1, description="The Redis Stream key (Kafka: the topic) the messages are read from.")
        broker: Literal["redis", "kafka"] = Field(
            default="redis",
            description="What carries the messages: a Redis Stream, or a Kafka topic (confluent-kafka; dedup memory, counts and lookup cache stay in Redis).",
        )
        schema: dict[str, Any] = Field(
            description="JSON Schema every message's JSON object must satisfy; its properties are the record's columns, sorted by name.",
        )
        payload_field: str = Field(default="data", min_length=1, description="The stream entry field holding the message's JSON text.")
        text_fields: list[str] = Field(default_factory=list, description="Properties that are free text: chunked and embedded.")
        id_field: str | None = Field(
            default=None, description="Property whose value names a record in the lookup cache; unset: the record's content id."
        )
        ttl_seconds: int = Field(default=86400, ge=1, description="How long a processed record stays in the Redis lookup cache.")
        group: str = Field(default="headwater", min_length=1, description="Consumer group name: consumers of one group share the stream's messages.")
        dead_letter_stream: str | None = Field(
            default=None, description="Stream (Kafka: topic) that receives invalid messages with their reason.",
            json_schema_extra={"shown_default": "<name>:dead (Kafka: <name>.dead)"},
        )
        output_stream: str | None = Field(
            default=None, description="Stream (Kafka: topic) that receives every processed record.",
            json_schema_extra={"shown_default": "<name>:out (Kafka: <name>.out)"},
        )
        batch_messages: int = Field(default=100, ge=1, le=10000, description="Most messages one micro-batch takes.")
        block_ms: int = Field(default=200, ge=1, description="How long a read waits for new messages, in milliseconds.")
        claim_idle_ms: int = Field(
            default=30000, ge=1, description="A message pending this long (its consumer died) is claimed by another consumer (XAUTOCLAIM)."
        )
        dedup_window_seconds: int = Field(
            default=86400, ge=1,
            description="How long a processed record is remembered for exact and near-duplicate detection across batches (seen ids, MinHash LSH index).",
        )
        trim_input: bool = Field(
            default=True, description="Delete acknowledged entries from the input stream after each commit (XTRIM MINID before the oldest unacknowledged one)."
        )
        compact_every: int = Field(
            default=100, ge=1, description="After this many micro-batches that wrote vectors, the vector table's fragments and old versions are compacted (LanceDB optimize)."
        )
        output_max_len: int = Field(default=100000, ge=1, description="The output stream is capped near this many entries (XADD MAXLEN ~).")

        @field_validator("schema")
        @classmethod
        def _json_schema(cls, value: dict[str, Any]) -> dict[str, Any]:
            """A valid JSON Schema (its own metaschema) for an object with ``properties``."""
            import jsonschema

            try:
                jsonschema.validators.validator_for(value).check_schema(value)
            except jsonschema.SchemaError as exc:
                raise ValueError(f"not a valid JSON Schema: {exc.message}") from None
            if not isinstance(value.get("properties"), dict) or not value["properties"]:
                raise ValueError("must declare the message's fields under 'properties'")
            return value

        @model_validator(mode="after")
        def _fields_declared(self) -> StreamOptions:
            declared = list(self.schema["properties"])
            unknown = [f for f in [*self.text_fields, *([self.id_field] if self.id_field else [])] if f not in declared]
            if unknown:
                raise ValueError(f"text_fields and id_field may name only properties of the schema ({', '.join(declared)}), not {', '.join(unknown)}")
            return self

        @property
        def fields(self) -> list[str]:
            """The record's columns: the schema's property names, sorted.

            Sorted, not as declared: a JSON object's members have no order (RFC 8259 §4), so two schemas
            that list the same properties in another order give the same columns and the same row ids.
            """
            return sorted(self.schema["properties"])

        @property
        def dead_letters(self) -> str:
            """The dead-letter stream: ``<name>:dead`` by default (Kafka: ``<name>.dead``, a topic name has no ``:``)."""
            return self.dead_letter_stream or f"{self.name}{self._separator}dead"

        @property
        def outputs(self) -> str:
            """The output stream: ``<name>:out`` by default (Kafka: ``<name>.out``)."""
            return self.output_stream or f"{self.name}{self._separator}out"

        @property
        def _separator(self) -> str:
            return "." if self.broker == "kafka" else ":"
