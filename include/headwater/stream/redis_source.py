"""Redis Streams as a ``StreamSource``: a consumer group, acknowledged only with the batch's effects.

* ``read``: ``XREADGROUP GROUP <group> <consumer> COUNT n BLOCK ms STREAMS <stream> >``.
* ``pending``: the same with id ``0``: what this consumer read before it restarted and never acknowledged.
* ``claim``: ``XAUTOCLAIM <stream> <group> <consumer> <min-idle> 0-0 COUNT n``: entries another
  consumer has held unacknowledged that long (it died) become this consumer's.
* ``commit``: one Lua script (``COMMIT``), atomic on the server: per message ``XACK``; only a
  message it acknowledged (1: still pending in the group, whichever consumer held it) is counted and has its effects: a
  dead letter ``XADD``ed, or a processed record's row id claimed in the stream's dedup memory
  (``SET <seen>:<row id> <entry id> NX EX <window>``; taken already: a duplicate) and then its
  payload cached (``SET .. EX ttl``), published (``XADD <output> MAXLEN ~ <output_max_len>``) and
  entered in the near-duplicate index (below). Then, with ``trim_input``, the input stream is
  trimmed (``XTRIM <s> MINID <id>``) before the oldest entry any group of the stream still needs:
  per group (``XINFO GROUPS``) its oldest pending entry (``XPENDING``), else the entry after its
  last delivered one. So a crash before the commit leaves every message pending with no effect in
  Redis, a message two consumers processed is counted once, and no unacknowledged entry is trimmed.
  ``XACKDEL`` (acknowledge and delete in one command) exists from Redis 8.2 only; this is 7.0.
* ``recent``: the near-duplicate index, MinHash LSH across batches (the same signatures and bands
  as the CSV path, headwater.clean.dedup.matching.text_signatures): per LSH band key a set of the
  row ids of records that had it (``<lsh>:<band>:<key>``, at most ``BUCKET_CAP`` ids) and per
  record its JSON (``<near>:<row id>``), all expiring ``dedup_window_seconds`` after the last write.

Keys (``<s>`` is the stream's name): ``<s>`` the input stream; ``headwater:stream:<s>:counts``
(hash: received, processed, duplicate, dead_lettered); ``headwater:stream:<s>:seen:<row id>`` (the
entry id that first produced the record), ``headwater:stream:<s>:near:<row id>`` and
``headwater:stream:<s>:lsh:<band>:<key>`` (the dedup memory, each expiring after the window:
memory is about the records of one window); ``headwater:record:<s>:<id>`` (the lookup cache); the
dead-letter stream (never trimmed: every reject keeps its reason) and the output stream of the
config. Commands: https://redis.io/docs/latest/commands/xreadgroup/, /xautoclaim/, /xack/,
/xtrim/, /xinfo-groups/, /xpending/, /xadd/, /set/, /eval/ (redis-py 8.1).
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any

from headwater.config.stream import StreamOptions
from headwater.stream.source import Counts, Message, Outcome

RECORD_PREFIX = "headwater:record:"

BUCKET_CAP = 100  # row ids kept per LSH bucket (as TEXT_BUCKET_CAP of the CSV path: a boilerplate text's bucket stops growing)

# Lua shared by the Redis and the Kafka commit scripts (prepended to each): what a processed record
# leaves in the dedup memory and the lookup cache, and how a commit adds to the counts hash.
# ``remember``: ``SET <seen><row id> <entry id> NX EX <window>``; when that took the row id (false:
# an earlier message has it, a duplicate), the record's JSON is cached (``SET <prefix><key> .. EX
# ttl``), kept for near-duplicate checks (``SET <near><row id> .. EX window``) and its row id added
# to each LSH band's bucket (at most ``cap`` ids; the bucket expires ``window`` after the last write).
MEMORY = """
local function remember(seen, near, lsh, prefix, window, ttl, cap, id, row_id, key, body, bands)
  if not redis.call('SET', seen .. row_id, id, 'NX', 'EX', window) then
    return false
  end
  redis.call('SET', prefix .. key, body, 'EX', ttl)
  redis.call('SET', near .. row_id, body, 'EX', window)
  for band in string.gmatch(bands, '%S+') do
    local bucket = lsh .. band
    if redis.call('SCARD', bucket) < cap then
      redis.call('SADD', bucket, row_id)
    end
    redis.call('EXPIRE', bucket, window)
  end
  return true
end
local function add_counts(hash, received, processed, duplicate, dead)
  redis.call('HINCRBY', hash, 'received', received)
  redis.call('HINCRBY', hash, 'processed', processed)
  redis.call('HINCRBY', hash, 'duplicate', duplicate)
  redis.call('HINCRBY', hash, 'dead_lettered', dead)
end
"""

COMMIT = MEMORY + """
local group, ttl, prefix = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local seen, near, lsh, window = ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
local maxlen, trim, cap = ARGV[8], ARGV[9] == '1', tonumber(ARGV[10])
local received, processed, duplicate, dead = 0, 0, 0, 0
for i = 11, #ARGV, 7 do
  local id, kind, row_id, key, body, extra, bands = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4], ARGV[i+5], ARGV[i+6]
  if redis.call('XACK', KEYS[1], group, id) == 1 then
    received = received + 1
    if kind == 'dead_lettered' then
      redis.call('XADD', KEYS[3], '*', 'entry_id', id, 'reason', body, 'fields', extra)
      dead = dead + 1
    elseif kind == 'duplicate' then
      duplicate = duplicate + 1
    elseif remember(seen, near, lsh, prefix, window, ttl, cap, id, row_id, key, body, bands) then
      redis.call('XADD', KEYS[4], 'MAXLEN', '~', maxlen, '*', 'entry_id', id, 'id', key, 'record', body)
      processed = processed + 1
    else
      duplicate = duplicate + 1
    end
  end
end
add_counts(KEYS[2], received, processed, duplicate, dead)
if trim and received > 0 then
  local function parse(entry)
    local ms, seq = string.match(entry, '^(%d+)-(%d+)$')
    return ms, tonumber(seq)
  end
  local function older(a, b)
    local am, as = parse(a)
    local bm, bs = parse(b)
    if #am ~= #bm then return #am < #bm end
    if am ~= bm then return am < bm end
    return as < bs
  end
  local minid = nil
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
    local info = {}
    for j = 1, #g, 2 do info[g[j]] = g[j + 1] end
    local keep
    if tonumber(info['pending']) > 0 then
      keep = redis.call('XPENDING', KEYS[1], info['name'])[2]
    else
      local ms, seq = parse(info['last-delivered-id'])
      keep = ms .. '-' .. string.format('%d', seq + 1)
    end
    if minid == nil or older(keep, minid) then minid = keep end
  end
  if minid ~= nil then redis.call('XTRIM', KEYS[1], 'MINID', minid) end
end
return {received, processed, duplicate, dead}
"""


def default_consumer() -> str:
    """``<host>-<pid>``: a restarted process is a new consumer; what the old one held is claimed after ``claim_idle_ms``."""
    return f"{socket.gethostname()}-{os.getpid()}"


def record_key(stream: str, record_id: str) -> str:
    """The lookup-cache key of a processed record: ``headwater:record:<stream>:<id>``."""
    return f"{RECORD_PREFIX}{stream}:{record_id}"


class RedisMemory:
    """What every source of a stream keeps in Redis, whatever carries its messages: the committed
    counts, the dedup memory (``seen``, ``recent``) and the key names of both (module docstring).

    ``client``: a ``redis.Redis`` with ``decode_responses=True``, or a URL to make one from.
    """

    def __init__(self, client: Any, options: StreamOptions) -> None:
        import redis

        self.redis = redis.Redis.from_url(client, decode_responses=True) if isinstance(client, str) else client
        self.options = options
        self.stream = options.name
        self.counts_key = f"headwater:stream:{self.stream}:counts"
        self.seen_prefix = f"headwater:stream:{self.stream}:seen:"
        self.near_prefix = f"headwater:stream:{self.stream}:near:"
        self.lsh_prefix = f"headwater:stream:{self.stream}:lsh:"

    def seen(self, row_ids: list[str]) -> dict[str, str]:
        if not row_ids:
            return {}
        return {r: e for r, e in zip(row_ids, self.redis.mget([self.seen_prefix + r for r in row_ids])) if e is not None}

    def recent(self, band_keys: list[str]) -> dict[str, dict[str, object]]:
        """Records of the window sharing any of ``band_keys`` (``<band>:<key>``): row id -> the record
        as published (``row_id``, ``entry_id`` and the data columns). Two round trips (SUNION, MGET)."""
        if not band_keys:
            return {}
        row_ids = sorted(self.redis.sunion([self.lsh_prefix + b for b in band_keys]))
        if not row_ids:
            return {}
        bodies = self.redis.mget([self.near_prefix + r for r in row_ids])
        return {r: json.loads(b) for r, b in zip(row_ids, bodies) if b is not None}  # expired since: forgotten

    def counts(self) -> Counts:
        raw = self.redis.hgetall(self.counts_key)
        return Counts(**{k: int(raw.get(k, 0)) for k in ("received", "processed", "duplicate", "dead_lettered")})


class RedisStreamSource(RedisMemory):
    """One consumer of ``options.name`` in group ``options.group`` (created, with the stream, if missing).

    ``client``: a ``redis.Redis`` with ``decode_responses=True``, or a URL to make one from.
    """

    def __init__(self, client: Any, options: StreamOptions, consumer: str | None = None) -> None:
        import redis

        super().__init__(client, options)
        self.consumer = consumer or default_consumer()
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

    def commit(self, outcomes: list[Outcome]) -> Counts:
        """Run ``COMMIT`` for ``outcomes`` (module docstring); returns what this call counted (a message
        another consumer committed first counts nowhere here)."""
        if not outcomes:
            return Counts()
        o_ = self.options
        args: list[Any] = [
            o_.group, o_.ttl_seconds, f"{RECORD_PREFIX}{self.stream}:", self.seen_prefix, self.near_prefix, self.lsh_prefix,
            o_.dedup_window_seconds, o_.output_max_len, "1" if o_.trim_input else "0", BUCKET_CAP,
        ]
        for o in outcomes:
            if o.kind == "dead_lettered":
                args += [o.message.id, o.kind, "", "", o.reason, json.dumps(o.message.fields, ensure_ascii=False), ""]
            else:
                args += [o.message.id, o.kind, o.row_id, o.key, json.dumps(o.record, ensure_ascii=False, default=str), "", " ".join(o.bands)]
        keys = [self.stream, self.counts_key, o_.dead_letters, o_.outputs]
        received, processed, duplicate, dead = self._commit(keys=keys, args=args)
        return Counts(received, processed, duplicate, dead)
