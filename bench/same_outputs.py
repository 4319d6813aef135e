"""Assert that two ``bench/run.py --phase headwater`` runs wrote the same outputs (a speed change's before/after).

    python bench/same_outputs.py RUN_A RUN_B      (the two --out folders)

Compared under ``<out>/work/hw/data``: every curated and duplicates Parquet file (``pyarrow.Table.equals``, schema
included), every quarantine and keys file byte for byte, and every manifest as JSON less its run-dependent fields
(``VOLATILE``: ``run_id``, the stages' ``seconds``). Run both with the same ``HEADWATER_PII_DIGEST_KEY``: without it
each run makes its own random key, and the masked rows' ``_row_id``/``_masked_key`` differ by design. Prints one line
per file and ``ALL EQUAL``; an AssertionError names the first file that differs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow.parquet as pq

VOLATILE = {"run_id", "seconds", "started_at", "finished_at", "created_at"}


def _scrub(value, roots: tuple[str, ...]):  # type: ignore[no-untyped-def]
    if isinstance(value, dict):
        return {k: _scrub(v, roots) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_scrub(v, roots) for v in value]
    if isinstance(value, str):
        for root in roots:
            value = value.replace(root, "RUN")
    return value


def main(run_a: Path, run_b: Path) -> int:
    a, b = run_a / "work/hw/data", run_b / "work/hw/data"
    roots = (str(run_a), str(run_b))
    n = 0
    for sub in ("curated", "duplicates", "quarantine", "manifests", "keys"):
        files = sorted(p.relative_to(a) for p in (a / sub).rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(b) for p in (b / sub).rglob("*") if p.is_file()), sub
        for rel in files:
            if rel.suffix == ".parquet":
                ta, tb = pq.read_table(a / rel), pq.read_table(b / rel)
                assert ta.schema.equals(tb.schema, check_metadata=False) and ta.equals(tb), rel
                print("equal", rel, ta.num_rows, "rows", ta.num_columns, "columns")
            elif rel.suffix == ".json":
                assert _scrub(json.loads((a / rel).read_text()), roots) == _scrub(json.loads((b / rel).read_text()), roots), rel
                print("equal", rel, "(manifest less", ", ".join(sorted(VOLATILE)) + ")")
            else:
                assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
                print("equal bytes", rel)
            n += 1
    print("ALL EQUAL", n, "files")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
