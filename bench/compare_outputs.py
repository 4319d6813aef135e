"""Compare two ``bench/run.py --phase headwater --out DIR`` runs' outputs: curated and duplicates Parquet, quarantined
rows, manifest (the paths that differ are listed). Row ids (random per run) are compared as the lines they name, the
keyed digest of masked values (a per-run key) and the stages' seconds are left out. Prints ``ALL EQUAL`` or the differences.

    python bench/compare_outputs.py RUN_A RUN_B
"""
import json, sys
from pathlib import Path
import pyarrow.parquet as pq

a, b = Path(sys.argv[1]) / "work/hw/data", Path(sys.argv[2]) / "work/hw/data"
name = str(next((a / "curated").glob("date=*/*.parquet")).relative_to(a / "curated")).removesuffix(".parquet")
ok = True
import pyarrow as pa, pyarrow.compute as pc

def tables(root):
    """curated and duplicates, with the per-run row ids (random per run) written as the lines they name, the keyed
    digest of masked values (a per-run key) dropped: what a run decides, comparable across runs."""
    t = {k: pq.read_table(root / k / (name + ".parquet")) for k in ("curated", "duplicates")}
    ids = pa.concat_arrays([t[k]["_row_id"].combine_chunks() for k in t])
    lines = pa.concat_arrays([t[k]["_line"].combine_chunks() for k in t])
    def as_line(col):
        return pc.take(lines, pc.index_in(col, value_set=ids))
    out = {}
    for k, tab in t.items():
        for c in ("_row_id", "_duplicate_of", "_cluster_id"):
            if c in tab.column_names:
                tab = tab.set_column(tab.column_names.index(c), c, as_line(tab[c].combine_chunks()))
        out[k] = tab.drop_columns([c for c in ("_masked_key",) if c in tab.column_names])
    return out, dict(zip(ids.to_pylist(), lines.to_pylist()))

(TA, IDA), (TB, IDB) = tables(a), tables(b)
for kind in ("curated", "duplicates"):
    ta, tb = TA[kind], TB[kind]
    same = ta.schema == tb.schema and ta.equals(tb)
    print(kind, ta.num_rows, tb.num_rows, "equal" if same else "DIFFERENT")
    if not same:
        ok = False
        for c in ta.column_names:
            if c not in tb.column_names or not ta[c].equals(tb[c]):
                print("  column differs:", c)
qa, qb = (a / "quarantine" / (name + ".rows.jsonl")).read_bytes(), (b / "quarantine" / (name + ".rows.jsonl")).read_bytes()
print("quarantine", len(qa), len(qb), "equal" if qa == qb else "DIFFERENT"); ok &= qa == qb
ma, mb = json.loads((a / "manifests" / (name + ".json")).read_text()), json.loads((b / "manifests" / (name + ".json")).read_text())

def diff(x, y, path=""):
    if type(x) != type(y):
        yield path
    elif isinstance(x, dict):
        for k in sorted(set(x) | set(y)):
            yield from diff(x.get(k), y.get(k), f"{path}.{k}")
    elif isinstance(x, list):
        if len(x) != len(y):
            yield path
        else:
            for i, (p, q) in enumerate(zip(x, y)):
                yield from diff(p, q, f"{path}[{i}]")
    elif x != y:
        yield path

for m, ids in ((ma, IDA), (mb, IDB)):
    m["duplicate_of"] = {k: ids.get(v, v) for k, v in m.get("duplicate_of", {}).items()}
    for st in m.get("stages", {}).values():
        st.pop("seconds", None)
paths = list(diff(ma, mb))
print("manifest differing paths:", paths)
print("ALL EQUAL" if ok and not paths else "see above")
