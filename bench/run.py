"""``make bench``: the clean stage against a naive pandas baseline, our MinHash LSH against datasketch,
and the chunk and embed stages' peak memory on growing files.

    python bench/run.py [--rows 1000000] [--batch 100000] [--sample 200000] [--stream-rows 250000 1000000] [--part all|clean|stream]

Every phase runs in its own subprocess (this script with ``--phase``), so one phase's memory
never shows in another's peak RSS; a phase prints one JSON line with its timings and its own
peak RSS (``VmHWM``, bench/memory.py: ``ru_maxrss`` would carry the driver's peak into every phase).

Phases:
* naive     pandas read_csv + drop_duplicates + fillna + to_parquet (the baseline).
* headwater the clean stage over the file in batches: the streaming CSV reader, column mapping to
            the bench source schema, then every step of ``build_steps`` (normalize text, NA spellings,
            types, empty rows, exact and near duplicates, imputation, validation), curated /
            duplicates Parquet and quarantine JSONL. RSS is sampled as the
            rows go by.
* ingest    the ingest stage alone over the open file (streaming reader -> staging Parquet): its
            peak RSS should stay about flat as the file grows.
* lsh       the near-duplicate step alone, datasketch ``MinHash`` + ``MinHashLSH`` or ours, on the
            same record texts and the same settings (num_perm, bands x rows, byte shingles, threshold),
            scored against the planted near duplicates.
* chunk     the chunk stage on a curated table of the first N rows (bench/stream.py), at each of
            ``--stream-rows``: its peak RSS should not grow with N.
* embed     the embed stage on that chunk table with a small random-weight model built locally
            (bench/stream.py): a new file (cold cache), an unchanged re-run, a corrected file.
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
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402
from memory import peak_mb, rss_mb  # noqa: E402

NUM_PERM, BANDS, SHINGLE, THRESHOLD, SEED = 128, 16, 5, 0.8, 1


# ------------------------------------------------------------------ phases (each in a subprocess)


def phase_naive(csv_path: Path, work: Path) -> dict:
    import pandas as pd

    t0 = time.perf_counter()
    df = pd.read_csv(csv_path)
    df = df.drop_duplicates()
    df = df.fillna("")
    df.to_parquet(work / "naive.parquet", index=False)
    return {"seconds": time.perf_counter() - t0, "rows_out": len(df), "peak_mb": peak_mb()}


def phase_ingest(csv_path: Path, work: Path, batch_size: int) -> dict:
    import shutil

    from headwater.config.settings import Settings
    from headwater.ingest.stage import ingest
    from headwater.manifest import FileRef

    shutil.rmtree(work / "ingest", ignore_errors=True)
    settings = Settings(home=work / "ingest", landing_uri=(work / "ingest").as_uri(), batch_rows=batch_size)
    t0 = time.perf_counter()
    with open(csv_path, "rb") as source:  # read block by block, never loaded whole
        info = ingest(source, FileRef("2026-11-20", csv_path.name), settings)
    return {"seconds": time.perf_counter() - t0, "peak_mb": peak_mb(), "rows_read": info["rows_read"]}


def phase_headwater(csv_path: Path, work: Path, batch_size: int, rows: int) -> dict:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from headwater.clean.frame import frame_from_staging
    from headwater.clean.pipeline import attach_index, build_steps, run_steps, save_index
    from headwater.clean.steps.base import LINE, REASON
    from headwater.config.settings import Settings
    from headwater.config.source import load_sources
    from headwater.ingest.csv_file import CsvFile
    from headwater.layout import Layout

    import shutil

    shutil.rmtree(work / "data", ignore_errors=True)  # no index from earlier bench runs: one file, compared with itself
    t0 = time.perf_counter()
    source = f"2026-11-20/{csv_path.name}"
    config = load_sources(Settings().config_dir).for_file(csv_path.name)
    csv_file = open(csv_path, "rb")  # noqa: SIM115 - read block by block while the batches run; closed below
    reader = CsvFile(csv_file, csv_path.name, config.read)
    steps = build_steps(config)
    state = attach_index(steps, Layout(work / "data"), source)
    out = {"curated": work / "curated", "duplicates": work / "duplicates"}
    for folder in out.values():
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.parquet"):
            old.unlink()
    counts = {"rows_read": 0, "curated": 0, "duplicates": 0, "quarantined": 0}
    step_seconds: dict[str, float] = {}
    samples, next_mark = [], 0
    checkpoints = (rows // 4, rows // 2, rows)  # RSS is sampled when the rows read pass these
    with open(work / "quarantine.jsonl", "w", encoding="utf-8") as quarantine:
        for part, batch in enumerate(reader.batches(batch_size)):
            counts["rows_read"] += len(batch.records) + len(batch.issues)
            for issue in batch.issues:
                quarantine.write(json.dumps({"line": issue.line, "stage": "ingest", "reason": issue.reason}) + "\n")
            values = pd.DataFrame(batch.records, columns=[f"c{i}" for i in range(len(reader.header))], dtype="string")
            frame, _ = frame_from_staging(values, batch.lines, reader.header, source, config)
            result = _timed_steps(frame, steps, step_seconds, run_steps)
            pq.write_table(pa.Table.from_pandas(result.curated, preserve_index=False), out["curated"] / f"part-{part:04d}.parquet")
            if len(result.duplicates):
                pq.write_table(pa.Table.from_pandas(result.duplicates, preserve_index=False), out["duplicates"] / f"part-{part:04d}.parquet")
            for line, reason in zip(result.quarantined.get(LINE, []), result.quarantined.get(REASON, [])):
                quarantine.write(json.dumps({"line": int(line), "stage": "clean", "reason": str(reason)}) + "\n")
            counts["curated"] += len(result.curated)
            counts["duplicates"] += len(result.duplicates)
            counts["quarantined"] += len(batch.issues) + len(result.quarantined)
            while next_mark < len(checkpoints) and counts["rows_read"] >= checkpoints[next_mark]:
                samples.append({"rows": checkpoints[next_mark], "rss_mb": rss_mb(), "peak_mb": peak_mb(), "seconds": time.perf_counter() - t0})
                next_mark += 1
    csv_file.close()
    save_index(state, Layout(work / "data"), source)
    seconds = time.perf_counter() - t0
    steps_run = [s.name for s in steps]
    return {
        "seconds": seconds, "peak_mb": peak_mb(), "samples": samples, "counts": counts, "steps": steps_run,
        "step_seconds": step_seconds, "accounted": counts["rows_read"] == counts["curated"] + counts["duplicates"] + counts["quarantined"],
    }


def _timed_steps(frame, steps, step_seconds, run_steps):  # type: ignore[no-untyped-def]
    """run_steps with each step's time added up (the steps are wrapped, not changed)."""
    class Timed:
        def __init__(self, step):  # type: ignore[no-untyped-def]
            self.step, self.name = step, step.name

        def apply(self, df):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            out = self.step.apply(df)
            step_seconds[self.name] = step_seconds.get(self.name, 0.0) + time.perf_counter() - t
            return out

    t, before = time.perf_counter(), sum(step_seconds.values())
    result = run_steps(frame, [Timed(s) for s in steps])
    inside = sum(step_seconds.values()) - before
    key = "run_steps bookkeeping (row ids)"
    step_seconds[key] = step_seconds.get(key, 0.0) + (time.perf_counter() - t) - inside
    return result


def record_texts(csv_path: Path, rows: int) -> tuple[list[int], list[str]]:
    """Lines and record texts (lower-cased fields but the id, joined) with exact repeats removed."""
    import pandas as pd

    df = pd.read_csv(csv_path, nrows=rows, dtype=str, keep_default_na=False)
    text = df[df.columns[1]].str.lower()
    for c in df.columns[2:]:
        text = text + "\x1f" + df[c].str.lower()
    lines = pd.Series(range(2, 2 + len(df)))
    first = ~text.duplicated()
    return lines[first].tolist(), text[first].tolist()


def phase_lsh(csv_path: Path, truth_path: Path, rows: int, which: str) -> dict:
    lines, texts = record_texts(csv_path, rows)
    t0 = time.perf_counter()
    flagged = _datasketch(texts) if which == "datasketch" else _headwater(texts)
    seconds = time.perf_counter() - t0
    flagged_lines = {lines[i] for i in flagged}
    return {"seconds": seconds, "peak_mb": peak_mb(), "docs": len(texts), **score(flagged_lines, truth_path, rows)}


def _datasketch(texts: list[str]) -> list[int]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, NUM_PERM // BANDS))
    kept: dict[int, MinHash] = {}
    flagged = []
    for i, text in enumerate(texts):
        data = text.encode("utf-8")
        if not data:
            continue
        shingles = [data[j : j + SHINGLE] for j in range(max(len(data) - SHINGLE + 1, 1))]
        m = MinHash(num_perm=NUM_PERM, seed=SEED)
        m.update_batch(shingles)
        if any(m.jaccard(kept[c]) >= THRESHOLD for c in lsh.query(m)):
            flagged.append(i)
            continue
        lsh.insert(i, m)
        kept[i] = m
    return flagged


def _headwater(texts: list[str]) -> list[int]:
    """The near-duplicate text job on the whole table (as the clean step decides on whole columns):
    signatures, LSH candidates, Jaccard estimate >= THRESHOLD, the leader rule; nothing vetoes."""
    import numpy as np
    import pandas as pd

    from headwater.clean.dedup.columns import Vetoes
    from headwater.clean.dedup.matching import near_text, text_signatures
    from headwater.config.dedup import TextDedupOptions

    options = TextDedupOptions(num_perm=NUM_PERM, bands=BANDS, shingle_size=SHINGLE, threshold=THRESHOLD, seed=SEED)
    frame = {"text": pd.Series(texts, dtype="string")}
    sig8, bands, valid = text_signatures(frame, ["text"], options)
    found = near_text(sig8, bands, valid, Vetoes.build(frame, [], set()), options, ["text"])
    return np.nonzero(found.partner >= 0)[0].tolist()


def score(flagged_lines: set[int], truth_path: Path, rows: int) -> dict:
    """Precision (flagged rows that are planted copies) and recall (planted near copies flagged)."""
    import pandas as pd

    truth = pd.read_parquet(truth_path)
    truth = truth[truth["line"] < rows + 2]
    near = set(truth.loc[truth["kind"] == "near", "line"])
    planted = set(truth["line"])
    tp = len(flagged_lines & planted)
    return {
        "flagged": len(flagged_lines),
        "planted_near": len(near),
        "precision": tp / len(flagged_lines) if flagged_lines else 1.0,
        "recall": len(flagged_lines & near) / len(near) if near else 1.0,
    }


def pipeline_scores(work: Path, truth_path: Path, rows: int) -> dict:
    """How the clean stage's duplicates record matches the planted copies (exact and near)."""
    import pandas as pd

    dups = pd.concat([pd.read_parquet(p, columns=["_line", "_similarity"]) for p in sorted((work / "duplicates").glob("*.parquet"))])
    truth = pd.read_parquet(truth_path)
    truth = truth[truth["line"] < rows + 2]
    near = set(truth.loc[truth["kind"] == "near", "line"])
    exact = set(truth.loc[truth["kind"] == "exact", "line"])
    flagged_near = set(dups.loc[dups["_similarity"] < 1.0, "_line"])
    all_flagged = set(dups["_line"])
    return {
        "exact_recall": len(all_flagged & exact) / len(exact),
        "near_recall": len(all_flagged & near) / len(near),
        "precision": len(all_flagged & (near | exact)) / len(all_flagged),
        "near_step_flagged": len(flagged_near),
    }


# ------------------------------------------------------------------ driver


def run_phase(args: list[str], name: str = "") -> dict:
    """Run ``bench/run.py <args>`` (a ``--phase``) in a fresh process and return the JSON line it prints last."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"bench phase {args[1]} failed (exit {proc.returncode})")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    label = (name or args[1]) + (f" {int(args[args.index('--rows') + 1]):,} rows" if "--rows" in args else "")
    print(f"  {label}: {result['seconds']:.1f} s, peak RSS {result['peak_mb']:,.0f} MB", flush=True)
    return result


def stream_phases(files, args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def] - BenchFiles
    """The chunk and embed stages at each of ``--stream-rows`` (at most ``--rows``), each run in its own process."""
    import stream

    sizes = sorted({min(n, args.rows) for n in args.stream_rows})
    common = ["--csv", str(files.csv), "--out", str(args.out), "--batch", str(args.batch)]
    print(f"phases: chunk, embed (new file, unchanged re-run, corrected file) at {', '.join(f'{n:,}' for n in sizes)} rows (each in its own process) ...", flush=True)
    results: dict[str, list[dict]] = {"chunk": [], "embed": [], "embed-again": [], "embed-changed": []}
    for n in sizes:
        stream.prepare(args.out / "work", files.csv, n, args.out)
        stream.reset_store(args.out / "work", n)
        for phase in results:
            if phase == "embed-changed":
                stream.correct_chunks(args.out / "work", n)
            results[phase].append(run_phase(["--phase", "embed" if phase.startswith("embed") else phase, "--rows", str(n), *common], phase))
    print(f"\n== chunk and embed stages by batch (batch_rows={args.batch:,}; peak RSS of each phase's own process) ==")
    print("input: the first N rows of the bench CSV as a curated table; chunking: raw windows on all-MiniLM-L6-v2's tokenizer")
    print(f"embedding model: {stream.TINY_MODEL}, a 2-layer BERT with random weights built locally (real SentenceTransformer "
          "code path, 384-d vectors); not all-MiniLM-L6-v2, which would take hours here")
    print(f"{'':26}" + "".join(f"{f'{n:,} rows':>26}" for n in sizes) + f"{'ratio':>8}")
    labels = {"chunk": "chunk", "embed": "embed (new file)", "embed-again": "embed again (unchanged)", "embed-changed": "embed (10% chunks gone)"}
    for phase, label in labels.items():
        r = results[phase]
        cells = "".join(format(f"{x['peak_mb']:,.0f} MB, {x['seconds']:,.0f} s", ">26") for x in r)
        print(f"{label:26}{cells}{r[-1]['peak_mb'] / r[0]['peak_mb']:7.2f}x")
    last = {k: v[-1] for k, v in results.items()}
    print(f"at {sizes[-1]:,} rows: {last['chunk']['chunks']:,} chunks; {last['embed']['embedded']:,} texts sent to the model, "
          f"then {last['embed-again']['embedded']:,} on the re-run; {last['embed-changed']['vectors']:,} vectors left after the correction")
    print("new file: cold cache, the store appends; unchanged: the store already holds these rows, nothing is written; "
          "10% gone: one merge_insert, whose join grows with the rows the table holds (headwater.embed.store)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch", type=int, default=100_000, help="rows per clean-stage batch")
    parser.add_argument("--sample", type=int, default=200_000, help="rows for the datasketch comparison")
    parser.add_argument("--out", type=Path, default=ROOT / ".headwater" / "bench")
    parser.add_argument("--stream-rows", type=int, nargs="+", default=[250_000, 1_000_000], help="file sizes for chunk and embed")
    parser.add_argument("--part", choices=["all", "clean", "stream"], default="all", help="clean: up to the LSH; stream: chunk and embed")
    parser.add_argument(
        "--phase", choices=["naive", "headwater", "ingest", "lsh-datasketch", "lsh-headwater", "chunk", "embed"]
    )
    parser.add_argument("--csv", type=Path)
    parser.add_argument("--truth", type=Path)
    args = parser.parse_args()

    if args.phase:
        work = args.out / "work"
        work.mkdir(parents=True, exist_ok=True)
        if args.phase in ("chunk", "embed"):
            import stream

            if args.phase == "chunk":
                result = stream.phase_chunk(work, args.rows, args.batch)
            else:
                result = stream.phase_embed(work, args.rows, args.batch, args.out)
        elif args.phase == "naive":
            result = phase_naive(args.csv, work)
        elif args.phase == "headwater":
            os.environ.setdefault("HEADWATER_CONFIG_DIR", str(ROOT / "bench" / "config" / "sources"))
            result = phase_headwater(args.csv, work, args.batch, args.rows)
        elif args.phase == "ingest":
            os.environ.setdefault("HEADWATER_CONFIG_DIR", str(ROOT / "bench" / "config" / "sources"))
            result = phase_ingest(args.csv, work, args.batch)
        else:
            result = phase_lsh(args.csv, args.truth, args.rows, args.phase.removeprefix("lsh-"))
        print(json.dumps(result))
        return

    started = time.perf_counter()
    t = time.perf_counter()
    files = generate(args.rows, args.seed, args.out)
    gen_seconds = time.perf_counter() - t
    common = ["--csv", str(files.csv), "--truth", str(files.truth), "--out", str(args.out)]
    print(f"Headwater bench: {args.rows:,} rows, {files.csv.stat().st_size / 1e6:.0f} MB ({files.csv.name}; "
          f"{'generated in %.0f s' % gen_seconds if gen_seconds > 1 else 'cached'}), {os.cpu_count()} CPUs", flush=True)
    if args.part == "stream":
        stream_phases(files, args)
        print(f"\nbench finished in {time.perf_counter() - started:.0f} s")
        return

    print("phases: naive pandas, headwater clean stage, datasketch LSH, headwater LSH (each in its own process) ...", flush=True)
    naive = run_phase(["--phase", "naive", *common])
    hw = run_phase(["--phase", "headwater", "--batch", str(args.batch), "--rows", str(args.rows), *common])
    ing = run_phase(["--phase", "ingest", "--batch", str(args.batch), *common])
    sample = min(args.sample, args.rows)
    ds = run_phase(["--phase", "lsh-datasketch", "--rows", str(sample), *common])
    ours_sample = run_phase(["--phase", "lsh-headwater", "--rows", str(sample), *common])
    ours_full = run_phase(["--phase", "lsh-headwater", "--rows", str(args.rows), *common])
    quality = pipeline_scores(args.out / "work", files.truth, args.rows)

    rows = args.rows
    print("\n== clean stage vs naive pandas baseline ==")
    print(f"{'':34} {'seconds':>8} {'rows/s':>10} {'peak RSS MB':>12}")
    print(f"{'naive pandas (read/dedup/fillna/parquet)':34.34} {naive['seconds']:8.1f} {rows / naive['seconds']:10,.0f} {naive['peak_mb']:12,.0f}")
    print(f"{'headwater ingest + clean (batched)':34} {hw['seconds']:8.1f} {rows / hw['seconds']:10,.0f} {hw['peak_mb']:12,.0f}")
    print(f"time ratio headwater / naive: {hw['seconds'] / naive['seconds']:.2f}x (target <= 1.0x)")
    print("RSS as rows go by: " + ", ".join(f"{s['rows']:,} rows: {s['rss_mb']:,.0f} MB (peak {s['peak_mb']:,.0f})" for s in hw["samples"]))
    c = hw["counts"]
    print(f"rows read {c['rows_read']:,} = curated {c['curated']:,} + duplicates {c['duplicates']:,} + quarantined {c['quarantined']:,}: "
          f"{'accounted' if hw['accounted'] else 'NOT ACCOUNTED'}; naive kept {naive['rows_out']:,}")
    print(f"ingest stage alone (streaming reader -> staging Parquet): {ing['seconds']:.1f} s, {rows / ing['seconds']:,.0f} rows/s, "
          f"peak RSS {ing['peak_mb']:,.0f} MB for {files.csv.stat().st_size / 1e6:,.0f} MB of CSV")
    print("steps: " + " -> ".join(hw["steps"]))
    print("seconds per step: " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(hw["step_seconds"].items(), key=lambda kv: -kv[1])))
    print(f"duplicates record vs planted copies: exact recall {quality['exact_recall']:.3f}, near recall {quality['near_recall']:.3f}, "
          f"precision {quality['precision']:.3f}")

    print(f"\n== near-duplicate step: datasketch vs headwater (num_perm={NUM_PERM}, {BANDS} bands x {NUM_PERM // BANDS} rows, "
          f"{SHINGLE}-byte shingles, threshold {THRESHOLD}) ==")
    print(f"{'':34} {'docs':>9} {'seconds':>8} {'docs/s':>10} {'peak MB':>8} {'precision':>9} {'recall':>7}")
    for label, r in (("datasketch MinHash+MinHashLSH", ds), ("headwater (same rows)", ours_sample), ("headwater (all rows)", ours_full)):
        print(f"{label:34} {r['docs']:9,} {r['seconds']:8.1f} {r['docs'] / r['seconds']:10,.0f} {r['peak_mb']:8,.0f} {r['precision']:9.3f} {r['recall']:7.3f}")
    print(f"speedup headwater vs datasketch on {ds['docs']:,} docs: {ds['seconds'] / ours_sample['seconds']:.1f}x (target >= 5x); "
          f"recall {ours_sample['recall']:.3f} vs {ds['recall']:.3f} (target: equal or better)")
    if args.part == "all":
        stream_phases(files, args)
    print(f"\nbench finished in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
