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

    def table_keys(self, area: str) -> list[tuple[str, str]]:
        """``(date, file key)`` of every table of ``area``, in ``tables`` order (a directory listing, nothing read)."""
        return [(path.parent.name.removeprefix("date="), path.name.removesuffix(".parquet")) for path in self.tables(area)]

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
    def model_latest(self) -> Path:
        """The registry's last record (what new-example counts compare against)."""
        return self.models / "latest.json"

    def model_records(self) -> list[Path]:
        """Every model version's record, in no particular order."""
        return list(self.models.glob("*/record.json"))

    def model_record(self, model_version: str) -> Path:
        return self.models / model_version / "record.json"

    def model_example_ids(self, model_version: str) -> Path:
        """The ids of the examples a model version was trained on, one per line."""
        return self.models / model_version / "example_ids.txt"

    @property
    def finetune_examples(self) -> Path:
        return self.root / "finetune" / "examples"

    def finetune_export(self, sha256: str) -> Path:
        """The assembled export the pipeline reads, named by its content hash."""
        return self.finetune_examples / f"examples-{sha256[:12]}.jsonl"

    def finetune_export_parts(self, sha256: str) -> Path:
        """Which part (per landing file) an assembled export was built from (JSON, beside no data)."""
        return self.root / "finetune" / "exports" / f"{sha256[:12]}.parts.json"

    def finetune_parts(self, options_key: str) -> Path:
        """The per-landing-file export parts of one set of export options."""
        return self.root / "finetune" / "parts" / file_key(options_key)

    def finetune_parts_index(self, options_key: str) -> Path:
        """The parts' index: each landing file's fingerprint and part, and the asset events already applied."""
        return self.finetune_parts(options_key) / "index.json"

    def finetune_part(self, options_key: str, date: str, key: str, sha256: str) -> Path:
        """One landing file's export lines, content-addressed (``<key>-<sha12>.jsonl``)."""
        return self.finetune_parts(options_key) / f"date={date}" / f"{key}-{sha256[:12]}.jsonl"

    def finetune_run(self, run_key: str) -> Path:
        """A local fine-tune run's outputs (adapter, eval report, summary.json)."""
        return self.root / "finetune" / "runs" / file_key(run_key)
