"""Where each stage writes, partitioned by logical date. One place, so no stage guesses a path."""

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
    """Paths under the data root for one logical date (``YYYY-MM-DD``)."""

    root: Path
    date: str

    def _part(self, area: str) -> Path:
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
    def vectors(self) -> Path:
        return self.root / "vectors"

    @property
    def curated_dir(self) -> Path:
        return self._part("curated")
