"""Redis Streams as a ``StreamSource``: a consumer group, acknowledged only with the batch's effects.

* ``read``: ``XREADGROUP GROUP <group> <consumer> COUNT n BLOCK ms STREAMS <stream> >``.
* ``pending``: the same with id ``0``: what this consumer read before it restarted and never acknowledged.
* ``claim``: ``XAUTOCLAIM <stream> <group> <consumer> <min-idle> 0-0 COUNT n``: entries another
  consumer has held unacknowledged that long (it died) become this consumer's.
* ``commit``: one Lua script (``COMMIT``), atomic on the server: per message ``XACK``; only a
  message it acknowledged (1: still pending in the group, whichever consumer held it) is counted and has its effects: a
  dead letter ``XADD``ed, or a processed record's row id claimed in the stream's seen hash
  (``HSETNX``; taken already: a duplicate) and then its payload cached (``SET .. EX ttl``) and
  published (``XADD`` to the output stream). So a crash before the commit leaves every message
  pending with no effect in Redis, and a message two consumers processed is counted once.

Keys (``<s>`` is the stream's name): ``<s>`` the input stream; ``headwater:stream:<s>:counts``
(hash: received, processed, duplicate, dead_lettered); ``headwater:stream:<s>:seen`` (hash: row
id -> the entry id that first produced it, never expires: the stream's dedup memory, about 80
bytes a record); ``headwater:record:<s>:<id>`` (the lookup cache); the dead-letter and output
streams of the config. Entries of the input and output streams are never trimmed here
(``XTRIM <s> MINID <id>`` once consumers are past it). Commands:
https://redis.io/docs/latest/commands/xreadgroup/, /xautoclaim/, /xack/, /eval/ (redis-py 8.1).
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any

from headwater.config.stream import StreamOptions
from headwater.stream.source import Counts, Message, Outcome

RECORD_PREFIX = "headwater:record:"

COMMIT = """
local group, ttl, prefix = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local received, processed, duplicate, dead = 0, 0, 0, 0
for i = 4, #ARGV, 6 do
  local id, kind, row_id, key, body, extra = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4], ARGV[i+5]
  if redis.call('XACK', KEYS[1], group, id) == 1 then
    received = received + 1
    if kind == 'dead_lettered' then
      redis.call('XADD', KEYS[4], '*', 'entry_id', id, 'reason', body, 'fields', extra)
      dead = dead + 1
    elseif kind == 'duplicate' then
      duplicate = duplicate + 1
    elseif redis.call('HSETNX', KEYS[3], row_id, id) == 1 then
      redis.call('SET', prefix .. key, body, 'EX', ttl)
      redis.call('XADD', KEYS[5], '*', 'entry_id', id, 'id', key, 'record', body)
      processed = processed + 1
    else
      duplicate = duplicate + 1
    end
  end
end
redis.call('HINCRBY', KEYS[2], 'received', received)
redis.call('HINCRBY', KEYS[2], 'processed', processed)
redis.call('HINCRBY', KEYS[2], 'duplicate', duplicate)
redis.call('HINCRBY', KEYS[2], 'dead_lettered', dead)
return {received, processed, duplicate, dead}
"""


def default_consumer() -> str:
    """``<host>-<pid>``: a restarted process is a new consumer; what the old one held is claimed after ``claim_idle_ms``."""
    return f"{socket.gethostname()}-{os.getpid()}"


def record_key(stream: str, record_id: str) -> str:
    """The lookup-cache key of a processed record: ``headwater:record:<stream>:<id>``."""
    return f"{RECORD_PREFIX}{stream}:{record_id}"


class RedisStreamSource:
    """One consumer of ``options.name`` in group ``options.group`` (created, with the stream, if missing).

    ``client``: a ``redis.Redis`` with ``decode_responses=True``, or a URL to make one from.
    """

    def __init__(self, client: Any, options: StreamOptions, consumer: str | None = None) -> None:
        import redis

        self.redis = redis.Redis.from_url(client, decode_responses=True) if isinstance(client, str) else client
        self.options = options
        self.consumer = consumer or default_consumer()
        self.stream = options.name
        self.counts_key = f"headwater:stream:{self.stream}:counts"
        self.seen_key = f"headwater:stream:{self.stream}:seen"
        try:
            self.redis.xgroup_create(self.stream, options.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._commit = self.redis.register_script(COMMIT)

    @staticmethod
    def _messages(entries: list[Any]) -> list[Message]:
        # an entry deleted (trimmed) while pending comes back as (id, None): there is nothing left to process
        return [Message(entry_id, dict(fields)) for entry_id, fields in entries if fields is not None]

    def read(self, count: int, block_ms: int) -> list[Message]:
        reply = self.redis.xreadgroup(self.options.group, self.consumer, {self.stream: ">"}, count=count, block=block_ms)
        return self._messages(reply[0][1]) if reply else []

    def pending(self, count: int) -> list[Message]:
        reply = self.redis.xreadgroup(self.options.group, self.consumer, {self.stream: "0"}, count=count)
        return self._messages(reply[0][1]) if reply else []

    def claim(self, count: int, min_idle_ms: int) -> list[Message]:
        reply = self.redis.xautoclaim(self.stream, self.options.group, self.consumer, min_idle_ms, start_id="0-0", count=count)
        return self._messages(reply[1])

    def seen(self, row_ids: list[str]) -> dict[str, str]:
        if not row_ids:
            return {}
        return {r: e for r, e in zip(row_ids, self.redis.hmget(self.seen_key, row_ids)) if e is not None}

    def commit(self, outcomes: list[Outcome]) -> Counts:
        """Run ``COMMIT`` for ``outcomes`` (module docstring); returns what this call counted (a message
        another consumer committed first counts nowhere here)."""
        if not outcomes:
            return Counts()
        args: list[Any] = [self.options.group, self.options.ttl_seconds, f"{RECORD_PREFIX}{self.stream}:"]
        for o in outcomes:
            if o.kind == "dead_lettered":
                args += [o.message.id, o.kind, "", "", o.reason, json.dumps(o.message.fields, ensure_ascii=False)]
            else:
                args += [o.message.id, o.kind, o.row_id, o.key, json.dumps(o.record, ensure_ascii=False, default=str), ""]
        keys = [self.stream, self.counts_key, self.seen_key, self.options.dead_letters, self.options.outputs]
        received, processed, duplicate, dead = self._commit(keys=keys, args=args)
        return Counts(received, processed, duplicate, dead)

    def counts(self) -> Counts:
        raw = self.redis.hgetall(self.counts_key)
        return Counts(**{k: int(raw.get(k, 0)) for k in ("received", "processed", "duplicate", "dead_lettered")})
