"""What a stream source is: messages in, outcomes committed together with the acknowledgement.

The consumer (headwater.stream.consumer) only talks to a ``StreamSource``. Redis Streams
implement it (headwater.stream.redis_source), and Kafka topics (headwater.stream.kafka_source):

* ``read``: ``XREADGROUP`` / ``Consumer.consume`` of confluent-kafka with ``enable.auto.commit=false``
  (``Message.id`` is then ``<topic>:<partition>:<offset>``).
* ``pending``/``claim``: Redis's pending entries list and ``XAUTOCLAIM``; nothing for Kafka, which
  reassigns a dead consumer's partitions to the group's other members, resuming from the last
  committed offset.
* ``seen``/``recent``/``counts``: the dedup memory and the counts live in Redis for both
  (headwater.stream.redis_source.RedisMemory).
* ``commit``: one Lua script for Redis; for Kafka a Lua script (once per message id) then one
  transaction producing the dead letters and outputs with the offsets (``send_offsets_to_transaction``).

Whatever the source, ``commit`` is the single point where a batch's messages stop being
redelivered, and it must count each message at most once (``Counts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

Kind = Literal["processed", "duplicate", "dead_lettered"]
KINDS: tuple[Kind, ...] = ("processed", "duplicate", "dead_lettered")


@dataclass(frozen=True)
class Message:
    """One stream entry: its id in the stream and its fields (names and values as text)."""

    id: str  # Redis entry id "<ms>-<seq>", Kafka "<topic>:<partition>:<offset>"
    fields: dict[str, str]


@dataclass
class Outcome:
    """What became of one message; ``commit`` acts on it.

    ``processed``: ``record`` (the cleaned record, JSON-ready) is cached and published, keyed by ``key``;
    ``duplicate``: ``row_id`` matched an earlier record (``duplicate_of``: its row id), the same
    values or near-duplicate text;
    ``dead_lettered``: ``reason`` and the message's fields go to the dead-letter stream.
    A processed outcome whose ``row_id`` an earlier message already committed counts as a duplicate
    (the source decides, atomically with the acknowledgement).
    """

    message: Message
    kind: Kind
    row_id: str = ""
    key: str = ""  # the lookup id: the id_field's value, else row_id
    record: dict[str, object] = field(default_factory=dict)
    reason: str = ""
    duplicate_of: str = ""
    bands: list[str] = field(default_factory=list)  # a processed record's MinHash LSH band keys "<band>:<key>" (near-duplicate index)


@dataclass
class Counts:
    """Messages acknowledged so far, by outcome: received = processed + duplicate + dead_lettered."""

    received: int = 0
    processed: int = 0
    duplicate: int = 0
    dead_lettered: int = 0

    def add(self, other: Counts) -> None:
        for name in ("received", *KINDS):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def balanced(self) -> bool:
        return self.received == self.processed + self.duplicate + self.dead_lettered


class StreamSource(Protocol):
    """A durable, at-least-once source of messages shared by a group of consumers."""

    def read(self, count: int, block_ms: int) -> list[Message]:
        """Up to ``count`` messages never delivered to this group, waiting at most ``block_ms`` for the first."""
        ...

    def pending(self, count: int) -> list[Message]:
        """Messages delivered to this consumer and not yet committed (what it read before it restarted)."""
        ...

    def claim(self, count: int, min_idle_ms: int) -> list[Message]:
        """Up to ``count`` messages another consumer read and did not commit for ``min_idle_ms`` (it died)."""
        ...

    def seen(self, row_ids: list[str]) -> dict[str, str]:
        """Of ``row_ids``, those an earlier committed message produced: row id -> that message's id."""
        ...

    def recent(self, band_keys: list[str]) -> dict[str, dict[str, object]]:
        """Records committed within the dedup window that share a MinHash LSH band key (``<band>:<key>``)
        with ``band_keys``: row id -> the record (its ``Outcome.record``)."""
        ...

    def commit(self, outcomes: list[Outcome]) -> Counts:
        """Acknowledge the outcomes' messages and apply their effects, in one step; messages this
        consumer no longer owns (another claimed them) are skipped. Returns what was counted."""
        ...

    def counts(self) -> Counts:
        """Every message committed so far by any consumer of the group."""
        ...
