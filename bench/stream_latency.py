"""Stream latency: produce N events/s of short texts into a Redis Stream, measure produce -> searchable.

Setup: a ``redis-server`` on a free loopback port (scripts/servers.py, the Debian package), a fresh
data root, and the real consumer process (``headwater stream bench``, all-MiniLM-L6-v2 on CPU,
``--backend``; ``--consumers`` processes of one group) started and warmed (model loaded) before any timing.

For each rate (``--rates``, events/s, in order) the producer ``XADD``s events for ``--seconds``
seconds, paced on a schedule (event i at start + i/rate). Each event is a short ticket text
(8 to 16 words drawn at random, so the embedding cache never answers for the model). A reader
thread follows the output stream, to which the consumer publishes a record only after its chunk
is committed to the vector store (headwater.stream.redis_source): the arrival there is the moment
the event is searchable. Latency = arrival - produce time (one clock, one machine); throughput =
events made searchable per second between the first and the last arrival. A rate "keeps up"
when every event arrived within ``--drain`` seconds after the last was produced and no backlog
built up (the median latency of the last fifth of the events is at most 1.5 x that of the first
fifth + 0.5 s); the run stops after the first rate that does not (``--keep-going``: runs every rate). At the end the vector store must hold one row
per event (a lost or doubled event fails the bench).

The machine is shared, so wall latency depends on what else runs: the load average (``os.getloadavg``)
and the CPU count are printed, and per rate the consumers' CPU time per event (user + system, from
``/proc/<pid>/stat``, idle polling included). ``--threads`` sets the encoder's threads (default: the
CPUs; one thread costs ~10 % less CPU per text, two give lower latency while a core is free; the
vectors are the same).
Target on this machine: p95 <= 2 s at 100 events/s.

Run: ``PYTHONPATH=include .venv/bin/python bench/stream_latency.py [--rates 25 50 100 200 400 --seconds 20 --backend onnx-int8 --threads 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import servers  # noqa: E402  - the test suite's real-server helpers: redis-server on a free port

WORDS = (
    "printer laptop screen vpn password email invoice badge keyboard mouse monitor wifi router license account "
    "shipment refund order login crash slow broken missing blocked error update install reset replace urgent "
    "office floor building meeting calendar phone headset camera driver battery charger cable desk chair"
).split()
SCHEMA = {"type": "object", "required": ["id", "text"], "properties": {"id": {"type": "string"}, "text": {"type": "string"}}}


def _text(rng: random.Random, i: int) -> str:
    return f"ticket {i}: " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16)))


class Arrivals(threading.Thread):
    """Follows the output stream; ``seen``: event id -> arrival time (time.time())."""

    def __init__(self, client, stream: str) -> None:  # noqa: ANN001 - redis.Redis
        super().__init__(daemon=True)
        self.client, self.stream, self.seen, self.stop = client, stream, {}, threading.Event()

    def run(self) -> None:
        last = "0-0"
        while not self.stop.is_set():
            for _, entries in self.client.xread({self.stream: last}, count=1000, block=100) or []:
                now = time.time()
                for entry_id, fields in entries:
                    last = entry_id
                    self.seen[fields["id"]] = now


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes ``pids`` so far (``/proc/<pid>/stat`` fields 14 and 15, in clock ticks; proc(5))."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()  # after "(comm)": field 3 is fields[0]
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def run_rate(client, arrivals: Arrivals, rate: int, seconds: float, drain: float, rng: random.Random, first: int, pids: list[int]) -> dict:  # noqa: ANN001
    n = int(rate * seconds)
    cpu_before = cpu_seconds(pids)
    sent: dict[str, float] = {}
    start = time.time()
    for i in range(n):
        due = start + i / rate
        delay = due - time.time()
        if delay > 0:
            time.sleep(delay)
        event_id = f"e{first + i}"
        sent[event_id] = time.time()
        client.xadd("bench", {"data": json.dumps({"id": event_id, "text": _text(rng, first + i)})})
    produced = time.time() - start
    deadline = time.time() + drain
    while time.time() < deadline and not all(e in arrivals.seen for e in sent):
        time.sleep(0.05)
    cpu = cpu_seconds(pids) - cpu_before  # the consumers' CPU for this rate's events (idle polling included)
    got = [arrivals.seen[e] - t for e, t in sent.items() if e in arrivals.seen]
    lat = np.array(got) if got else np.array([np.inf])
    times = sorted(arrivals.seen[e] for e in sent if e in arrivals.seen)
    throughput = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0
    fifth = max(len(got) // 5, 1)
    growing = float(np.median(lat[-fifth:])) > 1.5 * float(np.median(lat[:fifth])) + 0.5  # a backlog building up
    return {
        "rate": rate, "events": n, "arrived": len(got), "produce_rate": n / produced,
        "p50": float(np.percentile(lat, 50)), "p95": float(np.percentile(lat, 95)), "p99": float(np.percentile(lat, 99)),
        "max": float(lat.max()), "throughput": throughput, "keeps_up": len(got) == n and not growing, "cpu_ms": 1000 * cpu / max(len(got), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=int, nargs="+", default=[25, 50, 100, 200, 400], help="events per second, in order")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long each rate produces")
    parser.add_argument("--drain", type=float, default=60.0, help="how long to wait for the last events of a rate")
    parser.add_argument("--batch", type=int, default=500, help="stream.batch_messages of the consumer")
    parser.add_argument("--keep-going", action="store_true", help="run every rate, also after one that falls behind")
    parser.add_argument("--consumers", type=int, default=1, help="consumer processes in the group (each loads the model; the group shares the messages)")
    parser.add_argument(
        "--threads", type=int, default=None,
        help="HEADWATER_EMBED_THREADS of the consumer (encoder threads; default: the CPUs; the vectors are the same for any count)",
    )
    parser.add_argument("--compact-every", type=int, default=100, help="stream.compact_every of the consumer")
    parser.add_argument("--backend", default="onnx-int8", choices=["torch", "onnx", "onnx-int8"], help="HEADWATER_EMBEDDING_BACKEND of the consumer")
    args = parser.parse_args()
    import redis

    server = servers.start_redis()
    work = Path(tempfile.mkdtemp(prefix="headwater-stream-bench-"))
    (work / "sources").mkdir()
    stream = {"name": "bench", "schema": SCHEMA, "text_fields": ["text"], "id_field": "id", "batch_messages": args.batch, "block_ms": 20, "compact_every": args.compact_every}
    (work / "sources" / "bench.yaml").write_text(yaml.safe_dump({"stream": stream}))
    env = {
        **os.environ, "PYTHONPATH": str(ROOT / "include"), "HF_HUB_OFFLINE": "1", "HEADWATER_HOME": str(work / "home"),
        "HEADWATER_CONFIG_DIR": str(work / "sources"), "HEADWATER_STREAM_REDIS_URL": server.url, "HEADWATER_EMBEDDING_BACKEND": args.backend,
        **({} if args.threads is None else {"HEADWATER_EMBED_THREADS": str(args.threads)}),
    }
    client = redis.Redis.from_url(server.url, decode_responses=True)
    log = open(work / "consumer.log", "w")
    consumers = [
        subprocess.Popen([sys.executable, "-m", "headwater.cli", "stream", "bench", "--consumer", f"bench-{k}"], env=env, stdout=log, stderr=subprocess.STDOUT)
        for k in range(args.consumers)
    ]
    arrivals = Arrivals(client, "bench:out")
    arrivals.start()
    rows: list[dict] = []
    try:
        t0 = time.time()
        client.xadd("bench", {"data": json.dumps({"id": "warm-up", "text": "warm up the model"})})
        while "warm-up" not in arrivals.seen or len(client.xinfo_consumers("bench", "headwater")) < args.consumers:
            for consumer in consumers:
                if consumer.poll() is not None:
                    raise SystemExit(f"a consumer exited ({consumer.returncode}); see {work / 'consumer.log'}")
            time.sleep(0.1)
        print(
            f"{args.consumers} consumer(s) ready ({args.backend}, {args.threads or 'default'} encoder thread(s), model loaded) in {time.time() - t0:.1f} s; batch {args.batch}; "
            f"cpus {os.cpu_count()}, load {os.getloadavg()}", flush=True,
        )
        rng, first = random.Random(7), 0
        for rate in args.rates:
            row = run_rate(client, arrivals, rate, args.seconds, args.drain, rng, first, [c.pid for c in consumers])
            row["load"] = os.getloadavg()[0]
            first += row["events"]
            rows.append(row)
            print(
                f"  {rate:>4}/s: p50 {row['p50']:.2f} s  p95 {row['p95']:.2f} s  p99 {row['p99']:.2f} s  "
                f"throughput {row['throughput']:.1f}/s  CPU {row['cpu_ms']:.2f} ms/event  arrived {row['arrived']}/{row['events']}  load {row['load']:.2f}",
                flush=True,
            )
            if not row["keeps_up"] and not args.keep_going:
                break
        time.sleep(0.5)
        counts = {k: int(v) for k, v in client.hgetall("headwater:stream:bench:counts").items()}
    finally:
        arrivals.stop.set()
        arrivals.join(5)
        for consumer in consumers:
            consumer.terminate()
        for consumer in consumers:
            consumer.wait(60)
        server.stop()
    sys.path.insert(0, str(ROOT / "include"))
    from headwater.config.settings import Settings
    from headwater.embed.store import VectorStore
    from headwater.layout import Layout

    settings = Settings(home=work / "home", embedding_backend=args.backend)
    stored = VectorStore(Layout(settings.data_dir).vectors, settings.vector_table).count()
    expected = 1 + sum(r["events"] for r in rows)
    print(f"\ncounts {counts}; vector store rows {stored} (expected {expected}); load after {os.getloadavg()}\n")
    print("| events/s | events | p50 (s) | p95 (s) | p99 (s) | max (s) | throughput (events/s) | consumer CPU (ms/event) | keeps up | load (1 min) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for r in rows:
        print(
            f"| {r['rate']} | {r['events']} | {r['p50']:.2f} | {r['p95']:.2f} | {r['p99']:.2f} | {r['max']:.2f} | "
            f"{r['throughput']:.1f} | {r['cpu_ms']:.2f} | {'yes' if r['keeps_up'] else 'no'} | {r['load']:.2f} |"
        )
    if stored != expected or counts.get("received") != expected or counts.get("processed") != expected:
        print(f"FAILED: {expected} events produced, {stored} stored, counts {counts}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
