"""Text normalization speed: ``normalize_array`` on 1M short values, 100k HTML values, 100k CJK reviews,
and ``TextStats`` (free-text detection) on 1M values.

Values are unique (an id in each), so the per-column cache of repeated values never helps.
Run: ``PYTHONPATH=include .venv/bin/python bench/text.py``. Prints seconds per case, best of two.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import pandas as pd
import pyarrow as pa

from headwater.clean.text import TextStats, normalize_array

WORDS = "trail shoe glue sole grip wet rock outsole lace size fit return order box late card refund".split()
CITIES = ["Quito", "Accra", "Zürich", "São Paulo", "Kraków", "Nairobi", "Lima", "Oslo"]


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def short(rng: random.Random, i: int) -> str:
    """Mostly names and phrases with nothing to fix; one in ten with a '<' in prose, one in ten with '&'."""
    kind = i % 10
    if kind < 4:
        return f"{rng.choice(CITIES)} {i}"
    if kind < 8:
        return f"{_words(rng, 4)} {i}"
    return f"x < {i} and y > 3" if kind == 8 else f"AT&T order {i}"


def html(rng: random.Random, i: int) -> str:
    """Every value HTML: paragraphs, line breaks, bold, links with query strings, lists."""
    kind = i % 4
    if kind == 0:
        return f"<p>{_words(rng, 8)} {i}.</p><p>{_words(rng, 6)} &amp; {_words(rng, 3)}</p>"
    if kind == 1:
        return f"{_words(rng, 7)} {i}!<br /><br />{_words(rng, 9)}. <b>{_words(rng, 2)}</b>"
    if kind == 2:
        return f'<div class="d"><a href="https://ex.com/p?i={i}&amp;q=1">{_words(rng, 3)}</a> {_words(rng, 10)}</div>'
    return f"<ul><li>{_words(rng, 4)} {i}</li><li>{_words(rng, 5)}</li></ul>"


def cjk(rng: random.Random, i: int) -> str:
    return f"這款鞋子的鞋底在三週後開始脫落了，客服也不回覆。訂單{i}"


def best_of_two(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(2):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rng = random.Random(7)
    for name, make, n in [("short", short, 1_000_000), ("html", html, 100_000), ("cjk", cjk, 100_000)]:
        arr = pa.array([make(rng, i) for i in range(n)], pa.string())
        seconds = best_of_two(lambda: normalize_array(arr))
        print(f"normalize_array {name}: {n} values {seconds:.2f} s ({seconds / n * 1e6:.1f} us/value)", flush=True)
    series = pd.Series([_words(rng, rng.randint(1, 12)) for _ in range(1_000_000)], dtype="str")
    seconds = best_of_two(lambda: TextStats().add(series))
    print(f"TextStats.add: 1000000 values {seconds:.2f} s", flush=True)


if __name__ == "__main__":
    main()
