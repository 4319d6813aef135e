"""Retrieval quality: recall@5 and MRR of vector-only and hybrid search, on generated tables and texts.

One landing date is generated (seeded): three record tables with no free text (restaurant
inspections, pet licences, small-business loans) and one table of support tickets whose body is
free text. All four go through the real stages (ingest, clean, chunk, embed with
all-MiniLM-L6-v2), so the record tables become row documents and the tickets chunks. Each query
names two facts of one row, of four kinds:

* rows, two fields paraphrased: "sushi restaurant in Park Slope" (cuisine Japanese, neighbourhood Park Slope);
* rows, a name and a paraphrased field: "Lucky Kitchen, the curry place" (business name, cuisine Indian);
* text, two facts paraphrased: "zip fastener snapped on my rain shell" (rain jacket, the zipper broke);
* text, an order number and a paraphrased fact: "rucksack from order 48213".

The relevant rows are every curated row sharing those two values (the clean stage sets near-duplicate
tickets aside: those are not searchable, so they are not relevant either); a hit counts for the row it
came from (a ticket may have several chunks).

* recall@5: the share of a query's relevant rows among the rows of its top 5 hits, averaged;
* MRR: 1 / the rank of the first hit from a relevant row (0 when none is in the top 10), averaged.

Both searches run through ``headwater.embed.search.search``: vector-only (cosine) and hybrid
(vectors and BM25 fused by Reciprocal Rank Fusion).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from headwater.chunk.stage import chunk
from headwater.clean.stage import clean
from headwater.config.settings import Settings
from headwater.embed.model import embed_texts, load_model
from headwater.embed.search import search
from headwater.embed.stage import embed
from headwater.embed.store import VectorStore
from headwater.ingest.stage import ingest
from headwater.layout import Layout
from headwater.manifest import FileRef

DATE = "2026-11-20"
K = 5
MRR_DEPTH = 10
NEIGHBOURHOODS = ["Park Slope", "Astoria", "Bushwick", "Chelsea", "Flushing", "Harlem", "Tribeca", "Greenpoint"]
CITIES = ["Portland", "Seattle", "Austin", "Denver", "Boston", "Phoenix", "Atlanta", "Chicago"]
# value as stored -> how a user asks for it
CUISINES = {"Japanese": "sushi", "Mexican": "tacos", "Italian": "pasta and pizza", "Indian": "curry", "Chinese": "dim sum",
            "French": "bistro cooking", "Greek": "gyros and souvlaki", "Thai": "pad thai"}
BREEDS = {"Beagle": "beagle pup", "Siamese": "siamese kitty", "Golden Retriever": "golden retriever puppy", "Labrador": "lab pup",
          "Persian": "long-haired persian kitty", "Holland Lop": "lop-eared bunny", "Dachshund": "sausage dog", "Maine Coon": "big fluffy maine coon kitty"}
SPECIES = {"Beagle": "dog", "Siamese": "cat", "Golden Retriever": "dog", "Labrador": "dog", "Persian": "cat", "Holland Lop": "rabbit",
           "Dachshund": "dog", "Maine Coon": "cat"}
INDUSTRIES = {"Bakery": "bread shop", "Trucking": "freight haulage firm", "Software": "app developer", "Dental clinic": "dentist",
              "Garden centre": "plant nursery", "Brewery": "craft beer maker", "Hair salon": "hairdresser", "Auto repair": "car mechanic"}
PRODUCTS = {"rain jacket": "rain shell", "hiking boots": "trail footwear", "tent": "shelter", "headlamp": "head torch",
            "sleeping bag": "sleep sack", "backpack": "rucksack"}
PROBLEMS = {"the zipper broke": "zip fastener snapped", "it leaks in heavy rain": "water gets through in a downpour",
            "the sole came unglued": "outsole glue failed", "the battery drains overnight": "power runs out while switched off",
            "a seam ripped open": "stitching tore apart", "it arrived in the wrong size": "got the incorrect size shipped"}
NAMES = ["Golden", "Lucky", "Blue", "Happy", "Little", "Royal", "Green", "Silver", "Red", "Sunny"]
PLACES = ["Wok", "Table", "Kitchen", "House", "Garden", "Corner", "Spoon", "Bistro", "Grill", "Cafe"]
PETS = ["Max", "Bella", "Luna", "Charlie", "Coco", "Rocky", "Milo", "Daisy", "Oscar", "Ruby", "Leo", "Nala"]
COLOURS = ["black", "white", "brown", "cream", "grey", "tan"]


@dataclass(frozen=True)
class Query:
    text: str
    kind: str  # "rows" or "texts"
    relevant: frozenset[tuple[str, int]]  # (file name, line) of every relevant row


def _csv(header: list[str], rows: list[list[object]]) -> str:
    def cell(v: object) -> str:
        s = str(v)
        return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s

    return "\n".join(",".join(cell(v) for v in row) for row in [header, *rows]) + "\n"


def generate(rows: int, queries: int, seed: int) -> tuple[dict[str, str], list[Query]]:
    """(file name -> CSV text, queries with their relevant rows): the same for the same arguments."""
    rng = random.Random(seed)
    files: dict[str, str] = {}
    out: list[Query] = []

    def table(name: str, header: list[str], make, asks) -> None:  # noqa: ANN001 - local helpers
        data = [make(i) for i in range(rows)]
        files[name] = _csv(header, data)
        for kind, fields, ask in asks:  # (query kind, the two fields a query names, the query)
            keys = [fields(r) for r in data]
            for i in rng.sample(range(rows), queries):
                relevant = frozenset((name, j + 2) for j, key in enumerate(keys) if key == keys[i])
                out.append(Query(ask(data[i]), kind, relevant))

    table(
        "restaurant_inspections.csv",
        ["inspection_id", "business_name", "cuisine", "neighbourhood", "inspection_date", "score", "passed"],
        lambda i: [f"I-{1000 + i}", f"{rng.choice(NAMES)} {rng.choice(PLACES)}", rng.choice(list(CUISINES)), rng.choice(NEIGHBOURHOODS),
                   f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", rng.randint(50, 100), rng.choice(["true", "false"])],
        [("rows", lambda r: (r[2], r[3]), lambda r: f"{CUISINES[r[2]]} restaurant in {r[3]}"),
         ("names", lambda r: (r[1], r[2]), lambda r: f"{r[1]}, the {CUISINES[r[2]]} place")],
    )
    table(
        "pet_licences.csv",
        ["licence_id", "pet_name", "species", "breed", "colour", "owner_neighbourhood", "issued"],
        lambda i: (lambda breed: [f"L-{i}", rng.choice(PETS), SPECIES[breed], breed, rng.choice(COLOURS), rng.choice(NEIGHBOURHOODS),
                                  f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"])(rng.choice(list(BREEDS))),
        [("rows", lambda r: (r[3], r[5]), lambda r: f"{BREEDS[r[3]]} living in {r[5]}"),
         ("names", lambda r: (r[1], r[3]), lambda r: f"{r[1]} the {BREEDS[r[3]]}")],
    )
    table(
        "small_business_loans.csv",
        ["loan_id", "borrower", "industry", "city", "amount_usd", "interest_rate_pct", "term_months", "approved"],
        lambda i: (lambda industry: [f"B-{i}", f"{rng.choice(NAMES)} {industry}", industry, rng.choice(CITIES), rng.randint(10, 500) * 1000,
                                     rng.choice([5.5, 6.0, 6.75, 7.25, 8.0]), rng.choice([36, 48, 60, 84]), rng.choice(["yes", "no"])])(
            rng.choice(list(INDUSTRIES))),
        [("rows", lambda r: (r[2], r[3]), lambda r: f"loan for a {INDUSTRIES[r[2]]} in {r[3]}"),
         ("names", lambda r: (r[1], r[3]), lambda r: f"money lent to {r[1]} in {r[3]}")],
    )
    tickets = []
    for i in range(rows):
        product, problem, order = rng.choice(list(PRODUCTS)), rng.choice(list(PROBLEMS)), rng.randint(10000, 99999)
        body = (f"I bought the {product} in {rng.choice(['spring', 'summer', 'autumn', 'winter'])} and after "
                f"{rng.randint(2, 9)} weeks {problem}. Order {order}; please advise on a repair or a refund.")
        tickets.append([f"T-{i}", body, (product, problem), order])
    files["support_tickets.csv"] = _csv(["ticket_id", "body"], [t[:2] for t in tickets])
    for i in rng.sample(range(rows), queries):
        product, problem = tickets[i][2]
        relevant = frozenset(("support_tickets.csv", j + 2) for j, t in enumerate(tickets) if t[2] == tickets[i][2])
        out.append(Query(f"{PROBLEMS[problem]} on my {PRODUCTS[product]}", "texts", relevant))
    for i in rng.sample(range(rows), queries):
        product = tickets[i][2][0]
        relevant = frozenset(("support_tickets.csv", j + 2) for j, t in enumerate(tickets) if (t[3], t[2][0]) == (tickets[i][3], product))
        out.append(Query(f"{PRODUCTS[product]} from order {tickets[i][3]}", "text names", relevant))
    return files, out


def recall_at(found: list[tuple[str, int]], relevant: frozenset[tuple[str, int]], k: int = K) -> float:
    """Share of ``relevant`` rows among the rows of the first ``k`` hits (``found``: the hits' rows, best first)."""
    return len(set(found[:k]) & relevant) / len(relevant)


def reciprocal_rank(found: list[tuple[str, int]], relevant: frozenset[tuple[str, int]], depth: int = MRR_DEPTH) -> float:
    """1 / rank of the first hit from a relevant row within ``depth`` hits, else 0."""
    return next((1.0 / rank for rank, row in enumerate(found[:depth], 1) if row in relevant), 0.0)


def build(home: Path, files: dict[str, str]) -> Settings:
    """Run every generated file through ingest, clean, chunk and embed in ``home``."""
    landing = home / "landing" / DATE
    landing.mkdir(parents=True)
    settings = Settings(home=home, landing_uri=landing.parent.as_uri(), config_dir=home / "no-config")
    for name, text in files.items():
        (landing / name).write_text(text, encoding="utf-8")
        ref = FileRef(DATE, name, run_id="bench")
        ingest((landing / name).read_bytes(), ref, settings)
        clean(ref, settings)
        chunk(ref, settings)
        embed(ref, settings)
    return settings


def curated_rows(settings: Settings, files: dict[str, str]) -> set[tuple[str, int]]:
    """(file name, line) of every curated row of ``files``."""
    import pandas as pd

    lay = Layout(settings.data_dir, DATE)
    return {(name, int(line)) for name in files for line in pd.read_parquet(lay.curated(FileRef(DATE, name).key), columns=["_line"])["_line"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=150, help="rows per table (default 150)")
    parser.add_argument("--queries", type=int, default=40, help="queries per table (default 40)")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    files, queries = generate(args.rows, args.queries, args.seed)
    home = Path(tempfile.mkdtemp(prefix="headwater-bench-retrieval-"))
    started = time.perf_counter()
    settings = build(home, files)
    store = VectorStore(Layout(settings.data_dir).vectors, settings.vector_table)
    kept = curated_rows(settings, files)
    queries = [Query(q.text, q.kind, q.relevant & kept) for q in queries if q.relevant & kept]
    model = load_model(settings.embedding_model)
    vectors = embed_texts(model, [q.text for q in queries])
    print(f"retrieval quality: {len(files)} tables x {args.rows} rows, {store.count()} documents and chunks, "
          f"{len(queries)} paraphrased queries ({time.perf_counter() - started:.0f} s to ingest and embed)")
    scores: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for query, vector in zip(queries, vectors):
        for mode, hybrid in (("vector", False), ("hybrid", True)):
            hits = search(store, query.text, vector, k=MRR_DEPTH, hybrid=hybrid)
            found = list(dict.fromkeys((h.source_file.split("/", 1)[1], h.line) for h in hits))  # a row once, at its best hit
            for kind in (query.kind, "all"):
                scores.setdefault((kind, mode), []).append((recall_at(found, query.relevant), reciprocal_rank(found, query.relevant)))
    print(f"{'queries':<32} {'n':>4} {'recall@5 vector':>16} {'recall@5 hybrid':>16} {'MRR vector':>11} {'MRR hybrid':>11}")
    kinds = (("rows", "rows: two fields paraphrased"), ("names", "rows: a name + a field"), ("texts", "text: two facts paraphrased"),
             ("text names", "text: an order number + a fact"), ("all", "all"))
    for kind, label in kinds:
        v, h = scores[(kind, "vector")], scores[(kind, "hybrid")]
        mean = lambda xs, i: sum(x[i] for x in xs) / len(xs)  # noqa: E731
        print(f"{label:<32} {len(v):>4} {mean(v, 0):>16.3f} {mean(h, 0):>16.3f} {mean(v, 1):>11.3f} {mean(h, 1):>11.3f}")


if __name__ == "__main__":
    main()
