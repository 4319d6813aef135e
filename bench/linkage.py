"""``make bench`` (record linkage): Headwater's duplicate jobs against splink, recordlinkage and datasketch, side by side.

    python bench/linkage.py [--rows 100000] [--out .headwater/bench/linkage]

* **Person records with known duplicate pairs**, split over three files with different header
  conventions (snake_case, camelCase, Title Case) that a source config maps to one schema:
  our generator, and the Febrl1, Febrl2 and Febrl4 sets recordlinkage ships. Precision, recall and
  F1 of duplicate pairs for Headwater (ingest, clean, the date's link step; a 3-line config),
  splink (settings after its Febrl deduplication example), recordlinkage's classic recipe
  (blocking, per-field comparisons, sum of agreements > 3, as in its Febrl examples) and
  datasketch MinHashLSH over the record text.
* **False merges** on a table of distinct-but-similar card purchases (each differs from another in
  one category or its transaction id): Headwater with no config and with linkage configured, and
  each peer matching on the purchase fields.
* **Time per 100k rows and peak memory** (VmHWM of a fresh process) of each tool on generated persons.
  Headwater's time is its whole path (ingest and clean of three CSV files, then the link step);
  the peers' is linkage of a DataFrame already in memory.

Peers: splink 5 with its DuckDB backend (the field's reference Fellegi-Sunter implementation),
recordlinkage's classic recipe and datasketch MinHashLSH. recordlinkage (which pins pandas<3),
jellyfish, splink, duckdb and sqlglot are installed without dependencies into ``<out>/peers``
(pip --target), never into the project's environment. Each phase runs in its own
process (this script with ``--phase``) and prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORDLINKAGE_TIMING_ROWS = 25_000  # recordlinkage's classic recipe on 100,000 generated persons needed more than 16 GB (killed)
PEERS = ("recordlinkage==0.16", "jellyfish==1.3.0", "splink==5.0.0", "duckdb==2.0.1", "sqlglot==30.30.0")
FIELDS = ["given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state", "date_of_birth", "soc_sec_id"]
CONVENTIONS = [  # header of each file: snake_case, camelCase, Title Case
    {f: f for f in FIELDS},
    {f: f.split("_")[0] + "".join(w.title() for w in f.split("_")[1:]) for f in FIELDS},
    {f: " ".join(w.title() for w in f.split("_")) for f in FIELDS},
]
SOURCE = """\
files: ["persons_*.csv"]
schema:
  name: person
  columns:
{columns}
types: {{infer: false}}
dedup:
  linkage:
    fields: [{fields}]
"""
CARDS = """\
files: ["cards_*.csv"]
dedup:
  linkage: {fields: [merchant, amount, purchase_date]}
"""


def vmhwm_mb() -> float:
    """Peak resident memory of this process (VmHWM), MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ------------------------------------------------------------------ data


def febrl(name: str, peers: Path):
    """(records, entity per record) of a Febrl set shipped with recordlinkage."""
    sys.path.insert(0, str(peers))
    import pandas as pd
    from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl4

    if name == "febrl4":
        a, b = load_febrl4()
        df = pd.concat([a, b])
    else:
        df = {"febrl1": load_febrl1, "febrl2": load_febrl2}[name]()
    df = df.sort_index()
    entity = df.index.str.extract(r"rec-(\d+)", expand=False).tolist()
    return df.reset_index(drop=True)[FIELDS].fillna(""), entity


def generated(n: int, seed: int = 7):
    """n person records, about 20 % of them corrupted copies (typos, swapped letters, missing values,
    a moved day) of another record: (records, entity per record)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    given = [a + b for a in ("an", "ma", "jo", "el", "li", "sa", "ro", "ka", "de", "mi", "al", "be", "ch", "da", "fi")
             for b in ("na", "rk", "hn", "la", "am", "ra", "se", "te", "vid", "chael", "ex", "n", "ris", "niel", "ona")]
    surname = [a + b for a in ("smi", "jon", "wil", "bro", "tay", "dav", "eva", "tho", "joh", "whi", "mar", "rob", "cla", "wal", "har", "kin", "gre", "mor")
               for b in ("th", "es", "son", "wn", "lor", "ies", "ans", "mas", "nson", "te", "tin", "erts", "rke", "ker", "ris", "g", "en", "gan")]
    streets = [f"{w} {t}" for w in ("oak", "pine", "river", "hill", "king", "queen", "park", "lake", "mill", "bridge", "station", "church")
               for t in ("street", "road", "avenue", "crescent", "place")]
    suburbs = [f"{a}{b}" for a in ("north", "south", "east", "west", "new", "old", "glen", "mount") for b in ("field", "wood", "vale", "ton", "bury", "ridge")]
    states = ["nsw", "vic", "qld", "wa", "sa", "tas", "act", "nt"]
    originals = int(n / 1.25)
    base = pd.DataFrame({
        "given_name": rng.choice(given, originals), "surname": rng.choice(surname, originals),
        "street_number": rng.integers(1, 300, originals).astype(str), "address_1": rng.choice(streets, originals),
        "address_2": np.where(rng.random(originals) < 0.6, "", rng.choice(["unit 2", "flat 5", "rear", "level 3"], originals)),
        "suburb": rng.choice(suburbs, originals), "postcode": rng.integers(2000, 7999, originals).astype(str),
        "state": rng.choice(states, originals),
        "date_of_birth": [f"{y}{m:02d}{d:02d}" for y, m, d in zip(rng.integers(1930, 2005, originals), rng.integers(1, 13, originals), rng.integers(1, 29, originals))],
        "soc_sec_id": rng.integers(1_000_000, 9_999_999, originals).astype(str),
    })
    src = rng.integers(0, originals, n - originals)
    dups = base.iloc[src].reset_index(drop=True).copy()
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    for i in range(len(dups)):
        for col in rng.choice(FIELDS, rng.integers(1, 4), replace=False):
            v = dups.at[i, col]
            kind = rng.integers(0, 4)
            if not v:
                continue
            p = int(rng.integers(0, len(v)))
            if kind == 0:
                v = v[:p] + str(rng.choice(letters if not v.isdigit() else np.array(list("0123456789")))) + v[p + 1:]
            elif kind == 1 and len(v) > 2:
                p = min(p, len(v) - 2)
                v = v[:p] + v[p + 1] + v[p] + v[p + 2:]
            elif kind == 2:
                v = ""
            else:
                v = v[:p] + v[p + 1:]
            dups.at[i, col] = v
    df = pd.concat([base, dups], ignore_index=True)
    entity = [str(i) for i in range(originals)] + [str(s) for s in src]
    order = rng.permutation(len(df))
    return df.iloc[order].reset_index(drop=True), [entity[i] for i in order]


def true_pairs(entity: list[str]) -> set[tuple[int, int]]:
    groups: dict[str, list[int]] = {}
    for i, e in enumerate(entity):
        groups.setdefault(e, []).append(i)
    return {(a, b) for g in groups.values() for k, a in enumerate(g) for b in g[k + 1:]}


def score(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> dict:
    tp = len(found & truth)
    p = tp / len(found) if found else 1.0
    r = tp / len(truth) if truth else 1.0
    return {"pairs": len(found), "true_pairs": len(truth), "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def cluster_pairs(partner: dict[int, int]) -> set[tuple[int, int]]:
    """Every pair inside each cluster (a kept record and the records pointing at it)."""
    groups: dict[int, list[int]] = {}
    for row, kept in partner.items():
        groups.setdefault(kept, [kept]).append(row)
    return {(min(a, b), max(a, b)) for g in groups.values() for k, a in enumerate(g) for b in g[k + 1:]}


# ------------------------------------------------------------------ tools (each phase in its own process)


def run_headwater(df, work: Path, files: int = 3) -> set[tuple[int, int]]:
    """Write the records as ``files`` CSVs in different header conventions, run ingest, clean and the
    link step with the person source config, and read back the duplicate pairs (by record number)."""
    import shutil

    from headwater.clean.link import link_date
    from headwater.clean.stage import clean as clean_file
    from headwater.config.settings import Settings
    from headwater.ingest.stage import ingest as ingest_file
    from headwater.layout import Layout
    from headwater.manifest import FileRef
    import pandas as pd

    shutil.rmtree(work, ignore_errors=True)
    config = work / "config"
    config.mkdir(parents=True)
    columns = "\n".join(f"    {f}: {{aliases: [{CONVENTIONS[1][f]}, '{CONVENTIONS[2][f]}']}}" for f in FIELDS)
    (config / "persons.yaml").write_text(SOURCE.format(columns=columns, fields=", ".join(FIELDS)), encoding="utf-8")
    settings = Settings(home=work / "home", landing_uri=(work / "home").as_uri(), config_dir=config, batch_rows=50_000)
    date, names, where = "2026-11-20", [], {}
    for k in range(files):
        part = df.iloc[k::files]
        name = f"persons_{k}.csv"
        names.append(name)
        body = part.rename(columns=CONVENTIONS[k % len(CONVENTIONS)]).to_csv(index=False).encode()
        ingest_file(body, FileRef(date, name), settings)
        clean_file(FileRef(date, name), settings)
        for line, record in enumerate(part.index.tolist(), start=2):
            where[(f"{date}/{name}", line)] = record
    link_date(date, settings)
    lay = Layout(settings.data_dir, date)
    kept: dict[str, int] = {}  # curated row id -> record (unique: identical rows of a file are exact duplicates)
    dups: list[tuple[int, str]] = []  # (record, _cluster_id: the kept row its duplicate chain ends at)
    for name in names:
        cur = pd.read_parquet(lay.curated(name), columns=["_row_id", "_source", "_line"])
        kept.update({r: where[(s, int(n))] for r, s, n in zip(cur["_row_id"], cur["_source"], cur["_line"])})
        if lay.duplicates(name).exists():
            d = pd.read_parquet(lay.duplicates(name), columns=["_source", "_line", "_cluster_id"])
            dups += [(where[(s, int(n))], c) for s, n, c in zip(d["_source"], d["_line"], d["_cluster_id"])]
    partner = {record: kept[cluster] for record, cluster in dups}
    return cluster_pairs(partner)


def run_recordlinkage(df, peers: Path) -> set[tuple[int, int]]:
    """recordlinkage's classic recipe (its Febrl examples): block on given name, surname, birth date
    and postcode; compare names by Jaro-Winkler >= 0.85, address by Levenshtein >= 0.85, the rest
    exactly; a pair with more than 3 agreements is a match."""
    sys.path.insert(0, str(peers))
    import recordlinkage as rl

    idx = rl.Index()
    for col in ("given_name", "surname", "date_of_birth", "postcode"):
        idx.block(col)
    pairs = idx.index(df)
    c = rl.Compare()
    c.string("given_name", "given_name", method="jarowinkler", threshold=0.85)
    c.string("surname", "surname", method="jarowinkler", threshold=0.85)
    c.exact("date_of_birth", "date_of_birth")
    c.exact("suburb", "suburb")
    c.exact("state", "state")
    c.string("address_1", "address_1", threshold=0.85)
    features = c.compute(pairs, df)
    matches = features[features.sum(axis=1) > 3].index
    return {(min(a, b), max(a, b)) for a, b in zip(matches.get_level_values(0), matches.get_level_values(1))}


def run_splink(df, peers: Path) -> set[tuple[int, int]]:
    """splink 5 with its DuckDB backend, set up as its Febrl deduplication example: name comparisons
    (Jaro-Winkler levels), Damerau-Levenshtein levels on birth date, social security id and
    postcode, exact street number and state, term-frequency adjusted suburb; blocking on each of
    given name, surname, birth date, social security id and postcode; lambda from deterministic
    rules (recall 0.7), u from 1e6 random pairs, m by EM on two blocking rules; pairs with match
    probability >= 0.95 (Headwater's default threshold)."""
    sys.path.insert(0, str(peers))
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    data = df.reset_index(drop=True).replace("", None)
    data.insert(0, "unique_id", range(len(data)))
    db_api = DuckDBAPI()
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given_name"), cl.NameComparison("surname"),
            cl.DamerauLevenshteinAtThresholds("date_of_birth", [1, 2]), cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]), cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.ExactMatch("street_number"), cl.ExactMatch("state"), cl.ExactMatch("suburb").configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=[block_on(c) for c in ("given_name", "surname", "date_of_birth", "soc_sec_id", "postcode")],
        retain_intermediate_calculation_columns=False, retain_matching_columns=False,
    )
    linker = Linker(db_api.register(data), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match([block_on("soc_sec_id"), block_on("given_name", "surname")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    pairs = linker.inference.predict(threshold_match_probability=0.95).as_pandas_dataframe()
    return {(min(int(a), int(b)), max(int(a), int(b))) for a, b in zip(pairs["unique_id_l"], pairs["unique_id_r"])}


def run_datasketch(df, threshold: float = 0.5, num_perm: int = 128) -> set[tuple[int, int]]:
    """datasketch MinHashLSH over each record's fields joined (3-byte shingles): pairs at or above ``threshold``."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    found = set()
    for i, row in enumerate(df.astype(str).itertuples(index=False)):
        data = " ".join(row).lower().encode()
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch([data[j : j + 3] for j in range(max(len(data) - 2, 1))])
        for other in lsh.query(m):
            found.add((other, i))
        lsh.insert(i, m)
    return found


def card_table(n: int = 2000, seed: int = 3):
    """Distinct card purchases in pairs that differ in one category (status, card type) or only in the transaction id."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    merchants = [f"merchant {i}" for i in range(40)]
    base = pd.DataFrame({
        "transaction_id": [f"TX-{100000 + i}" for i in range(n)],
        "merchant": rng.choice(merchants, n), "amount": rng.choice(["4.50", "12.00", "9.99", "25.00"], n),
        "purchase_date": rng.choice([f"2026-11-{d:02d}" for d in range(1, 8)], n),
        "card_type": rng.choice(["debit", "credit"], n), "status": rng.choice(["approved", "declined"], n),
    })
    twin = base.copy()
    twin["transaction_id"] = [f"TX-{900000 + i}" for i in range(n)]
    flip = rng.integers(0, 3, n)  # 0: status differs, 1: card type differs, 2: only the id differs
    twin.loc[flip == 0, "status"] = twin.loc[flip == 0, "status"].map({"approved": "declined", "declined": "approved"})
    twin.loc[flip == 1, "card_type"] = twin.loc[flip == 1, "card_type"].map({"debit": "credit", "credit": "debit"})
    return pd.concat([base, twin], ignore_index=True)


def run_cards(work: Path, configured: bool) -> int:
    """False merges of Headwater on the card table (every merge is false): no config, or linkage on merchant, amount, date."""
    import shutil

    from headwater.clean.stage import clean as clean_file
    from headwater.config.settings import Settings
    from headwater.ingest.stage import ingest as ingest_file
    from headwater.manifest import FileRef

    shutil.rmtree(work, ignore_errors=True)
    config = work / "config"
    config.mkdir(parents=True)
    if configured:
        (config / "cards.yaml").write_text(CARDS, encoding="utf-8")
    settings = Settings(home=work / "home", landing_uri=(work / "home").as_uri(), config_dir=config)
    ref = FileRef("2026-11-20", "cards_1.csv")
    ingest_file(card_table().to_csv(index=False).encode(), ref, settings)
    return int(clean_file(ref, settings)["duplicates"])


def phase(args: argparse.Namespace) -> dict:
    import pandas as pd

    peers = args.out / "peers"
    t0 = time.perf_counter()
    if args.phase == "cards":
        if args.tool == "headwater":
            return {"false_merges": run_cards(args.out / "cards-none", False), "false_merges_linkage": run_cards(args.out / "cards-linkage", True),
                    "seconds": time.perf_counter() - t0, "peak_mb": vmhwm_mb()}
        df = card_table()
        if args.tool == "splink":
            found = run_splink_cards(df, peers)
        elif args.tool == "recordlinkage":
            found = run_recordlinkage_cards(df, peers)
        else:
            found = run_datasketch(df.drop(columns=["transaction_id"]), 0.8)
        return {"false_merges": len(found), "seconds": time.perf_counter() - t0, "peak_mb": vmhwm_mb()}
    if args.dataset.startswith("febrl"):
        df, entity = febrl(args.dataset, peers)
    else:
        df, entity = generated(args.rows)
    t0 = time.perf_counter()
    if args.tool == "headwater":
        found = run_headwater(df, args.out / f"hw-{args.dataset}")
    elif args.tool == "recordlinkage":
        found = run_recordlinkage(df, peers)
    elif args.tool == "splink":
        found = run_splink(df, peers)
    else:
        found = run_datasketch(df)
    seconds = time.perf_counter() - t0
    del pd
    return {"rows": len(df), "seconds": seconds, "peak_mb": vmhwm_mb(), **score(found, true_pairs(entity))}


def run_splink_cards(df, peers: Path) -> set[tuple[int, int]]:
    """splink on the card table: exact comparisons on merchant, amount, date, card type and status
    (the transaction id left out, as a user matching purchases would), blocking on merchant, u from
    random pairs, m by EM blocked on merchant and date; pairs with match probability >= 0.95."""
    sys.path.insert(0, str(peers))
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    data = df.drop(columns=["transaction_id"]).reset_index(drop=True)
    data.insert(0, "unique_id", range(len(data)))
    settings = SettingsCreator(
        link_type="dedupe_only", comparisons=[cl.ExactMatch(c) for c in ("merchant", "amount", "purchase_date", "card_type", "status")],
        blocking_rules_to_generate_predictions=[block_on("merchant")],
    )
    linker = Linker(DuckDBAPI().register(data), settings, log_level=None)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("merchant", "purchase_date"))
    pairs = linker.inference.predict(threshold_match_probability=0.95).as_pandas_dataframe()
    return set(zip(pairs["unique_id_l"].astype(int), pairs["unique_id_r"].astype(int)))


def run_recordlinkage_cards(df, peers: Path) -> set[tuple[int, int]]:
    """recordlinkage's recipe on the card table: block on merchant, a match when amount, date and card type agree."""
    sys.path.insert(0, str(peers))
    import recordlinkage as rl

    pairs = rl.Index().block("merchant").index(df)
    c = rl.Compare()
    for col in ("amount", "purchase_date", "card_type", "status"):
        c.exact(col, col)
    features = c.compute(pairs, df)
    matches = features[features.sum(axis=1) >= 3].index
    return set(zip(matches.get_level_values(0), matches.get_level_values(1)))


# ------------------------------------------------------------------ driver


def run_phase(*args: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(ROOT / "include")}
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    if proc.returncode:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"bench phase {' '.join(args)} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="generated persons for the timing rows")
    parser.add_argument("--quality-rows", type=int, default=5_000, help="generated persons for the quality rows")
    parser.add_argument("--out", type=Path, default=ROOT / ".headwater" / "bench" / "linkage")
    parser.add_argument("--phase", choices=["quality", "cards"])
    parser.add_argument("--tool", choices=["headwater", "splink", "recordlinkage", "datasketch"])
    parser.add_argument("--dataset", default="generated")
    parser.add_argument("--skip-timing", action="store_true")
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args)))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    peers = args.out / "peers"
    if not all((peers / name).exists() for name in ("recordlinkage", "jellyfish", "splink", "duckdb", "sqlglot")):
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(peers), *PEERS], check=True)
    tools = ("headwater", "splink", "recordlinkage", "datasketch")
    out = str(args.out)
    print(f"record linkage bench ({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}): F1 of duplicate pairs, person records split over 3 files (3 header conventions)")
    print(f"{'dataset':<22} {'tool':<14} {'rows':>7} {'pairs':>7} {'truth':>7} {'precision':>9} {'recall':>7} {'F1':>6} {'s':>7} {'peak MB':>8}")
    f1: dict[tuple[str, str], float] = {}
    for dataset, rows in (("generated", args.quality_rows), ("febrl1", 0), ("febrl2", 0), ("febrl4", 0)):
        for tool in tools:
            r = run_phase("--phase", "quality", "--tool", tool, "--dataset", dataset, "--rows", str(rows), "--out", out)
            f1[dataset, tool] = r["f1"]
            print(f"{dataset:<22} {tool:<14} {r['rows']:>7,} {r['pairs']:>7,} {r['true_pairs']:>7,} {r['precision']:>9.3f} {r['recall']:>7.3f} "
                  f"{r['f1']:>6.3f} {r['seconds']:>7.1f} {r['peak_mb']:>8,.0f}", flush=True)
    for dataset in dict.fromkeys(d for d, _ in f1):
        ours, issue_peers = f1[dataset, "headwater"], max(f1[dataset, "recordlinkage"], f1[dataset, "datasketch"])
        verdict = "met" if ours >= 0.95 and ours > issue_peers else "NOT met"
        print(f"target on {dataset}: F1 >= 0.95 and above recordlinkage and datasketch: {verdict} ({ours:.3f} vs {issue_peers:.3f}); "
              f"splink {f1[dataset, 'splink']:.3f}")
    print("\nfalse merges on 4,000 distinct-but-similar card purchases (target 0)")
    for tool in tools:
        r = run_phase("--phase", "cards", "--tool", tool, "--out", out)
        extra = f" (no config); {r['false_merges_linkage']} with linkage on merchant, amount, date" if tool == "headwater" else ""
        if tool == "headwater":
            extra += " — target " + ("met" if r["false_merges"] == r["false_merges_linkage"] == 0 else "NOT met")
        print(f"  {tool:<14} {r['false_merges']:>6,}{extra}", flush=True)
    if not args.skip_timing:
        print(f"\ntime and peak memory (VmHWM, fresh process) on {args.rows:,} generated persons; seconds per 100k rows")
        for tool in tools:
            rows = min(args.rows, RECORDLINKAGE_TIMING_ROWS) if tool == "recordlinkage" else args.rows
            r = run_phase("--phase", "quality", "--tool", tool, "--dataset", "generated", "--rows", str(rows), "--out", out)
            note = f"  ({r['rows']:,} rows: its name blocks grow with the square of the rows; 100,000 passed 16 GB here)" if rows < args.rows else ""
            print(f"  {tool:<14} {r['seconds'] * 100_000 / r['rows']:8.1f} s/100k  peak {r['peak_mb']:7,.0f} MB  F1 {r['f1']:.3f}{note}", flush=True)
        print("load average at the end (1, 5, 15 min; the machine is shared): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
