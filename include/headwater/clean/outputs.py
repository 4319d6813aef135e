"""What one clean writes for one file: curated and duplicates Parquet, and its rejected rows in quarantine.

The Parquet files are written batch by batch and committed atomically at the end (or not at all).
Rejected rows are appended to the file's quarantine JSONL, after the rows ingest wrote there: at
commit the file is cut back to ingest's length (recorded in the manifest), so a retried or re-run
clean replaces its own rows and never duplicates them, and ingest's rows are never read back.
The curated summary (counts, dtypes, coercion failures, inexact numbers, imputed cells) is tallied as the batches
go by, so the committed file is not read back either.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from headwater.clean.dedup.pairs import cluster_roots
from headwater.clean.failures import COUNTED, NEAREST_FLOAT64
from headwater.clean.steps.base import CLUSTER_ID, DUPLICATE_OF, IMPUTED_SUFFIX, RAW_SUFFIX, REASON_SUFFIX, ROW_ID
from headwater.layout import Layout
from headwater.manifest import FileRef
from headwater.storage import ParquetParts, as_path, atomic_path, is_remote

# a ``<col>__reason`` that says the value failed its column's type (headwater.clean.failures.COUNTED): counted in
# ``coercion_failures``; a text another step kept (an NA spelling, normalization) is counted by that step
FAILED_TYPE = r"(?:^|; )(?:" + "|".join(COUNTED) + r")(?:;|$)"


def ingest_quarantine(manifest: dict[str, Any], path: Path) -> tuple[int, int]:
    """(rows, bytes) that ingest wrote to the file's quarantine JSONL at ``path``.

    Read from the manifest (``ingest_quarantined``, ``ingest_quarantine_bytes``, written by
    headwater.ingest.stage). A manifest from before those fields existed gets them by one pass over
    the file: its ingest rows come first, each a line with ``"stage": "ingest"``.
    """
    if "ingest_quarantine_bytes" in manifest:
        return int(manifest["ingest_quarantined"]), int(manifest["ingest_quarantine_bytes"])
    rows = size = 0
    path = as_path(path)
    if path.exists():
        with path.open("rb") as fh:
            for line in fh:
                if not line.strip() or json.loads(line).get("stage") != "ingest":
                    break
                rows, size = rows + 1, size + len(line)
    return rows, size


class QuarantineAppend:
    """Append rejected rows to a quarantine JSONL after its first ``keep`` bytes (the rows ingest wrote).

    Rows go to a temporary sibling file while the batches run; ``commit`` cuts the quarantine file
    back to ``keep`` bytes (dropping what an earlier attempt appended) and appends them, so a retry
    never duplicates rows and ingest's rows are never read back. ``abort`` leaves the file as it was.
    Raises RuntimeError (on opening, and again at ``commit``) when the file is shorter than ``keep``:
    it changed after ingest wrote it, and only a new ingest run makes it whole again.

    On object storage (``is_remote``), which cannot append, the rows wait in a local temporary file
    and ``commit`` publishes, in one PUT (``storage.atomic_path``), the file's first ``keep`` bytes
    followed by them.
    """

    def __init__(self, path: Path, keep: int, source: str) -> None:
        self.path, self.keep, self.source, self.rows = as_path(path), keep, source, 0
        self._check(self.path.stat().st_size if self.path.exists() else 0)
        if is_remote(self.path):
            import tempfile

            self._tmp = Path(tempfile.mkdtemp(prefix="headwater-quarantine-")) / self.path.name
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for stale in self.path.parent.glob(f".{self.path.name}.clean-*"):  # left by a killed attempt
                stale.unlink(missing_ok=True)
            self._tmp = self.path.with_name(f".{self.path.name}.clean-{uuid.uuid4().hex[:8]}")
        self._fh = open(self._tmp, "wb")  # noqa: SIM115 - held open while the batches run; closed by commit/abort

    def add(self, rows: Iterable[dict[str, Any]]) -> None:
        """Append each row as one JSON line (UTF-8, non-ASCII kept as is)."""
        lines = [json.dumps(row, ensure_ascii=False, default=str) + "\n" for row in rows]
        if lines:
            self._fh.write("".join(lines).encode("utf-8"))
            self.rows += len(lines)

    def commit(self) -> None:
        self._fh.close()
        if is_remote(self.path):
            self._commit_remote()
            return
        try:
            with open(self.path, "ab+") as out:  # "a": every write lands at the end, after the cut
                self._check(out.seek(0, os.SEEK_END))
                out.truncate(self.keep)
                with open(self._tmp, "rb") as rows:
                    shutil.copyfileobj(rows, out)
                out.flush()
                os.fsync(out.fileno())
        finally:
            self._tmp.unlink(missing_ok=True)

    def _commit_remote(self) -> None:
        try:
            with atomic_path(self.path) as local, open(local, "wb") as out:
                if self.keep:
                    with self.path.open("rb") as current:
                        head = current.read(self.keep)
                    self._check(len(head))
                    out.write(head)
                with open(self._tmp, "rb") as rows:
                    shutil.copyfileobj(rows, out)
        finally:
            shutil.rmtree(self._tmp.parent, ignore_errors=True)

    def abort(self) -> None:
        self._fh.close()
        if is_remote(self.path):
            shutil.rmtree(self._tmp.parent, ignore_errors=True)
        else:
            self._tmp.unlink(missing_ok=True)

    def _check(self, size: int) -> None:
        if size < self.keep:
            raise RuntimeError(
                f"{self.path}: {size} bytes, but ingest wrote {self.keep} bytes of quarantined rows there — "
                f"the file changed after ingest; re-run the ingest stage for {self.source}"
            )


class CleanOutputs:
    """The curated and duplicates Parquet of one file and its quarantine rows (the runner's ``Outputs``).

    ``ingest_rows``: (rows, bytes) ingest wrote to the quarantine file (``ingest_quarantine``).
    Nothing is visible under the final names before ``commit``; ``abort`` leaves the files of the
    last successful run as they were.
    """

    def __init__(self, layout: Layout, ref: FileRef, ingest_rows: tuple[int, int]) -> None:
        self.ref = ref
        self.duplicates_path = layout.duplicates(ref.key)
        self.ingest_quarantined = ingest_rows[0]
        self.quarantine = QuarantineAppend(layout.quarantine_rows(ref.key), ingest_rows[1], ref.source)
        self.curated = ParquetParts(layout.curated(ref.key))
        self.duplicates = ParquetParts(self.duplicates_path)
        self._failures: Counter[str] = Counter()  # <col>__raw -> values kept raw, their cell empty (failed the type)
        self._inexact: Counter[str] = Counter()  # <col>__raw -> values kept raw next to the nearest float64
        self._imputed: Counter[str] = Counter()  # <col>__imputed -> cells imputed
        self._links: dict[str, str] = {}  # duplicate row id -> the row it duplicates, when the ids differ (for _cluster_id at commit)
        self._partners: set[str] = set()  # every row id a duplicate points at

    def add_curated(self, df: pd.DataFrame) -> None:
        self.curated.add(df)
        for col in df.columns:
            if col.endswith(RAW_SUFFIX):
                raw = df[col].notna().to_numpy(dtype=bool, copy=True)
                typed = df[col[: -len(RAW_SUFFIX)]].notna().to_numpy(dtype=bool)
                reason = df.get(col[: -len(RAW_SUFFIX)] + REASON_SUFFIX)
                rounded = np.zeros(len(raw), dtype=bool)
                if reason is not None:  # a text kept by normalization or an NA spelling is counted by its step, unless typing kept it too
                    at = np.flatnonzero(raw & reason.notna().to_numpy(dtype=bool))  # only kept texts with a reason are looked at
                    if len(at):
                        text = _arrow_text(reason.iloc[at])
                        rounded[at] = typed[at] & _found(pc.match_substring(text, NEAREST_FLOAT64))
                        raw[at] = _found(pc.match_substring_regex(text, FAILED_TYPE))
                self._failures[col] += int((raw & ~typed).sum())
                self._inexact[col] += int(rounded.sum())
            elif col.endswith(IMPUTED_SUFFIX):
                self._imputed[col] += int(df[col].sum())

    def add_duplicates(self, df: pd.DataFrame) -> None:
        self.duplicates.add(df)
        if len(df):
            for row, partner in zip(df[ROW_ID].astype(str), df[DUPLICATE_OF].astype(str)):
                self._partners.add(partner)
                if row != partner:  # an exact copy shares its partner's id: no step in a chain
                    self._links[row] = partner

    def add_rejected(self, rows: Iterable[tuple[int, str, dict[str, Any] | None]]) -> None:
        """Rows a step quarantined: (line, reason, values as read {original header: text})."""
        ref = self.ref
        self.quarantine.add(
            {"source": ref.source, "line": line, "stage": "clean", "reason": f"{ref.name} {reason}", "raw": raw}
            for line, reason, raw in rows
        )

    def commit(self) -> None:
        self.curated.commit()
        if self.duplicates.parts:
            self.duplicates.commit(transform=self._clusters())
        else:
            self.duplicates.abort()
            self.duplicates_path.unlink(missing_ok=True)  # an earlier run's duplicates are not this run's
        self.quarantine.commit()

    def _clusters(self) -> Callable[[Any], Any] | None:
        """When a later job found a row other duplicates point at to be a duplicate itself (exact
        copies of a row that record linkage then merged): a rewrite of each ``_cluster_id`` to the
        row its chain ends at, the kept representative. None when every partner was kept."""
        if not self._partners & self._links.keys():
            return None
        roots = cluster_roots(self._links)

        def rewrite(table: Any) -> Any:
            import pyarrow as pa

            at = table.schema.get_field_index(CLUSTER_ID)
            fixed = [roots.get(str(c), c) for c in table[CLUSTER_ID].to_pylist()]
            return table.set_column(at, table.schema.field(at), pa.array(fixed, table.schema.field(at).type))

        return rewrite

    def abort(self) -> None:
        self.curated.abort()
        self.duplicates.abort()
        self.quarantine.abort()

    @property
    def quarantined(self) -> int:
        """Rows of the file in quarantine: ingest's and the ones this clean appended."""
        return self.ingest_quarantined + self.quarantine.rows

    def summary(self) -> dict[str, Any]:
        """After ``commit``: curated rows, dtypes, values kept in ``<col>__raw`` and imputed cells per column.

        ``coercion_failures``: per column with a ``__raw`` column, the values that failed its type (cell
        empty), only columns that have some (a column whose ``__raw`` holds only texts of values read, ``(415)``, has
        none: breaker7 #12); ``inexact_numbers``: per column, the numbers float64 cannot hold (nearest double in the
        cell, the text in ``__raw``, reason ``nearest_float64``), only columns that have some.
        """
        schema = self.curated.schema
        names = schema.names
        raw = {c[: -len(RAW_SUFFIX)]: c for c in names if c.endswith(RAW_SUFFIX)}
        flags = {c[: -len(IMPUTED_SUFFIX)]: c for c in names if c.endswith(IMPUTED_SUFFIX)}
        return {
            "curated": self.curated.rows,
            "dtypes": dtypes(schema),
            "coercion_failures": {k: self._failures[c] for k, c in raw.items() if self._failures[c]},
            "inexact_numbers": {k: self._inexact[c] for k, c in raw.items() if self._inexact[c]},
            "imputed": {k: self._imputed[c] for k, c in flags.items()},
        }


def _arrow_text(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """``values`` as pandas' ``astype("string")`` holds them: an Arrow string array (no copy for a ``string`` column)."""
    return pa.array(values.astype("string"), from_pandas=True)


def _found(matches: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An Arrow boolean result as a NumPy bool array, a missing value False (pandas' ``.fillna(False)``)."""
    return pc.fill_null(matches, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)


def dtypes(schema: Any) -> dict[str, str]:
    """{column: dtype} of a Parquet file's Arrow schema: the pandas dtype when its metadata has it, else the Arrow type."""
    found = {f.name: str(f.type) for f in schema}
    for col in (schema.pandas_metadata or {}).get("columns", []):
        if col.get("name") in found:
            found[col["name"]] = col.get("numpy_type") if col.get("pandas_type") != "unicode" else "string"
    return found
