"""Compare two `bench/run.py --phase headwater --out DIR` runs' outputs: curated, duplicates, quarantine rows and
manifest, byte for byte (the manifest as JSON, timing fields aside) and as tables (row ids). Run both with the same
`HEADWATER_PII_DIGEST_KEY` (else each run draws its own key and masked rows' ids differ).

    python bench/compare_outputs.py OUT_BEFORE OUT_AFTER   # exit 1 on any difference
"""
import hashlib, json, sys
from pathlib import Path
import pandas as pd

a, b = Path(sys.argv[1]) / "work" / "hw", Path(sys.argv[2]) / "work" / "hw"
VOLATILE = {"started", "finished", "seconds", "clean_seconds", "ingest_seconds", "updated", "at", "duration_s", "run_at"}
def files(root):
    return {p.relative_to(root): p for p in root.rglob("*") if p.is_file() and "staging" not in p.parts
            and p.suffix in (".parquet", ".jsonl", ".json") }
fa, fb = files(a), files(b)
assert fa.keys() == fb.keys(), (sorted(map(str, fa.keys() ^ fb.keys())))
bad = 0
for rel in sorted(fa):
    x, y = fa[rel].read_bytes(), fb[rel].read_bytes()
    if rel.suffix == ".json":
        jx, jy = json.loads(x), json.loads(y)
        def strip(d):
            if isinstance(d, dict):
                return {k: strip(v) for k, v in d.items() if k not in VOLATILE and not k.endswith("_seconds") and not k.endswith("_at")}
            if isinstance(d, list):
                return [strip(v) for v in d]
            return d
        same = strip(jx) == strip(jy)
        diff = sorted(k for k in set(jx) | set(jy) if jx.get(k) != jy.get(k)) if isinstance(jx, dict) else "?"
        print(f"{'same' if same else 'DIFF'} json {rel} (differing keys, timing ones ignored: {diff})")
        bad += not same
        continue
    same = x == y
    print(f"{'same' if same else 'DIFF'} bytes {rel} {hashlib.sha256(x).hexdigest()[:16]} {len(x)}")
    if rel.suffix == ".parquet":
        dx, dy = pd.read_parquet(fa[rel]), pd.read_parquet(fb[rel])
        eq = dx.equals(dy) and list(dx.dtypes) == list(dy.dtypes)
        print(f"   frame equal: {eq}, rows {len(dx)}, row ids equal: {dx['_row_id'].equals(dy['_row_id']) if '_row_id' in dx else '-'}")
        bad += not (same and eq)
    else:
        bad += not same
print("ALL EQUAL" if not bad else f"{bad} DIFFERENCES")
sys.exit(1 if bad else 0)
