"""Every path Headwater writes, in one place: no other module builds a path under the data root.

Per logical date (``Layout(root, date)``): staging, curated, duplicates, quarantine, manifests,
chunks and the run report, each partitioned as ``<area>/date=<YYYY-MM-DD>/<file key>.<ext>``.
Shared by every date (``Layout(root)``): the ledger, the embedding cache, the dedup index, the
vector store, alerts, the model registry and fine-tune exports and runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


def file_key(name: str) -> str:
    """A filesystem-safe key for a landing file name (``Customers Export.csv`` -> ``Customers_Export.csv``)."""
    key = re.sub(r"[^A-Za-z0-9._-]+", "_", name.strip()).strip("._")
    return key or "unnamed"


@dataclass(frozen=True)
class Layout:
    """Paths under the data root; the per-date ones need ``date`` (``YYYY-MM-DD``)."""

    root: Path
    date: str = ""

    def on(self, date: str) -> Layout:
        """The same root for another logical date."""
        return Layout(self.root, date)

    # -------------------------------------------------------------- per date

    def _part(self, area: str) -> Path:
        if not self.date:
            raise ValueError(f"Layout({self.root}): {area} paths need a logical date")
        return self.root / area / f"date={self.date}"

    def staging(self, key: str) -> Path:
        return self._part("staging") / f"{key}.parquet"

    def curated(self, key: str) -> Path:
        return self._part("curated") / f"{key}.parquet"

    def manifest(self, key: str) -> Path:
        return self._part("manifests") / f"{key}.json"

    def duplicates(self, key: str) -> Path:
        return self._part("duplicates") / f"{key}.parquet"

    def quarantine_rows(self, key: str) -> Path:
        return self._part("quarantine") / f"{key}.rows.jsonl"

    def quarantine_file(self, key: str) -> Path:
        return self._part("quarantine") / f"{key}.file.json"

    def quarantine_raw(self, key: str) -> Path:
        return self._part("quarantine") / f"{key}.raw"

    def chunks(self, key: str) -> Path:
        return self._part("chunks") / f"{key}.parquet"

    def report(self) -> Path:
        return self._part("reports") / "run_report.json"

    def manifests_dir(self) -> Path:
        return self._part("manifests")

    @property
    def curated_dir(self) -> Path:
        return self._part("curated")

    @property
    def quarantine_dir(self) -> Path:
        return self._part("quarantine")

    def outputs(self, key: str) -> list[Path]:
        """Everything one landing file produces for this date (a re-run replaces all of it)."""
        return [
            self.staging(key), self.curated(key), self.duplicates(key), self.chunks(key),
            self.quarantine_rows(key), self.quarantine_file(key), self.quarantine_raw(key),
        ]

    # -------------------------------------------------------------- every date

    def tables(self, area: str) -> list[Path]:
        """Every date's Parquet tables of ``area`` (``curated``, ``chunks``...), oldest date first."""
        return sorted((self.root / area).glob("date=*/*.parquet"))

    @property
    def vectors(self) -> Path:
        return self.root / "vectors"

    @property
    def ledger(self) -> Path:
        return self.root / "ledger.sqlite"

    @property
    def embedding_cache(self) -> Path:
        return self.root / "embedding_cache.sqlite"

    @property
    def dedup_index(self) -> Path:
        return self.root / "dedup_index"

    def dedup_shard(self, source: str) -> Path:
        """The dedup index shard of one landing file (``<date>/<name>``)."""
        date, _, name = source.partition("/")
        return self.dedup_index / f"date={date}" / f"{file_key(name)}.parquet"

    @property
    def alerts(self) -> Path:
        return self.root / "alerts" / "alerts.jsonl"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def finetune_examples(self) -> Path:
        return self.root / "finetune" / "examples"

    def finetune_run(self, run_key: str) -> Path:
        """A local fine-tune run's outputs (adapter, eval report, summary.json)."""
        return self.root / "finetune" / "runs" / file_key(run_key)
