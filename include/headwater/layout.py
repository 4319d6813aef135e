"""Every path Headwater writes, in one place: no other module builds a path under the data root.

Per logical date (``Layout(root, date)``): staging, curated, duplicates, quarantine, manifests,
chunks, key claims and the run report, each partitioned as ``<area>/date=<YYYY-MM-DD>/<file key>.<ext>``.
Shared by every date (``Layout(root)``): the ledger, the embedding cache, the
vector store, alerts, the model registry and fine-tune exports and runs.

The root is a local folder (``pathlib.Path``) or an object-storage URI (``s3://bucket/prefix``,
``Settings.data_dir``); for a URI every path is a ``upath.UPath`` (universal_pathlib, the library
Airflow's ``ObjectStoragePath`` is built on: https://github.com/fsspec/universal_pathlib), with
the same names as on local disk. Endpoint and credentials come from the standard AWS variables
(``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ...), which s3fs reads through botocore.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# A landing name made of these characters (starting with a letter or digit, at most 200 of them) is its own key.
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")
# The extension a hashed key keeps, so it still reads as what it is: a table suffix, then a compression one.
_KEY_EXTENSION = re.compile(r"(?:\.(?:csv|tsv|txt))?(?:\.(?:gz|bz2|zst|xz|zip))?$", re.IGNORECASE)
KEY_SEPARATOR = "~"  # between a readable stem and the name's hash: never in a safe name, so never in a kept one
KEY_HASH_CHARS = 8
KEY_STEM_CHARS = 80


def file_key(name: str) -> str:
    """The output key of a landing record name: distinct names get distinct keys, whatever else landed.

    ``name`` is a landing file name, or ``<archive>/<member path>`` for a member of a zip archive.
    A name that is already filesystem-safe (letters, digits, ``.``, ``_``, ``-``; starting with a
    letter or digit, not ending with ``.``, at most 200 characters) is its own key:
    ``customers_eu.csv`` -> ``customers_eu.csv``. Any other name becomes a readable ASCII stem (accents
    folded, every other run of unsafe characters one ``_``, at most 80 characters, ``file`` when
    nothing is left), ``~``, the first 8 hex digits of the sha256 of the exact name (UTF-8, no Unicode
    normalization, case kept), then the name's table/compression extension:
    ``q3 sales.csv`` -> ``q3_sales~<8 hex>.csv``, ``売上.csv`` -> ``file~<8 hex>.csv``,
    ``orders.zip/part-1.csv`` -> ``orders.zip_part-1~<8 hex>.csv``.

    The key depends on the name alone (not on which other files exist or came first), so reruns and
    backfills find the same paths. Two names share a key only if they are both unsafe, fold to the
    same stem and their hashes agree in 32 bits; a kept name never contains ``~``, so it never equals
    a hashed key. The ingest stage still claims each key for its landing file (``Layout.key_claim``)
    and every stage checks the manifest's owner, so a collision fails the run instead of mixing files.
    """
    if _SAFE_NAME.fullmatch(name) and not name.endswith("."):
        return name
    extension = _KEY_EXTENSION.search(name).group(0)  # type: ignore[union-attr]  # the pattern always matches
    stem = name[: len(name) - len(extension)]
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    readable = _UNSAFE_RUN.sub("_", folded).strip("._-")[:KEY_STEM_CHARS].rstrip("._-") or "file"
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:KEY_HASH_CHARS]
    return f"{readable}{KEY_SEPARATOR}{digest}{extension}"


def path_safe(text: str) -> str:
    """``text`` as one filesystem-safe path component (unsafe runs -> ``_``): for names Headwater makes
    itself (fine-tune run keys, export option keys), never for landing files (see ``file_key``)."""
    return _UNSAFE_RUN.sub("_", text.strip()).strip("._") or "unnamed"


_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def is_uri(value: Any) -> bool:
    """True for an object-storage URI (``s3://bucket/prefix``); a ``file://`` URI or a plain path is local."""
    return isinstance(value, str) and bool(_URI.match(value)) and not value.startswith("file://")


def data_root(value: Any) -> Any:
    """The data root as a path object: a ``upath.UPath`` for an object-storage URI (``is_uri``) or a
    UPath already, else a ``pathlib.Path`` (a ``file://`` URI becomes its local path)."""
    if is_uri(value):
        from upath import UPath

        # No listings cache: another worker may add a file after this process listed its folder, and
        # s3fs answers exists()/info() from the cached listing (checked here: False for a file another
        # client wrote after the listing; https://filesystem-spec.readthedocs.io/en/latest/features.html#listings-caching,
        # https://github.com/fsspec/s3fs/issues/424).
        return UPath(value.rstrip("/"), use_listings_cache=False)
    if getattr(value, "protocol", "") not in ("", "file", "local"):
        return value
    if isinstance(value, str) and value.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return Path(unquote(urlparse(value).path))
    return Path(value)


@dataclass(frozen=True)
class Layout:
    """Paths under the data root; the per-date ones need ``date`` (``YYYY-MM-DD``).

    ``root``: a local folder, or an object-storage URI / ``UPath`` (``data_root``); the paths are
    then ``UPath``s, which ``headwater.storage`` reads and writes.
    """

    root: Any
    date: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", data_root(self.root))

    @property
    def remote(self) -> bool:
        """True when the root is on object storage (its paths are UPaths, not local files)."""
        return not isinstance(self.root, Path)

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

    def key_claim(self, key: str) -> Path:
        """Which landing file owns ``key`` on this date: created once, never overwritten (see manifest.claim_key)."""
        return self._part("keys") / key

    def report(self) -> Path:
        return self._part("reports") / "run_report.json"

    def report_dates(self) -> list[str]:
        """Every date that has a run report (``YYYY-MM-DD``), oldest first (a directory listing)."""
        return sorted(p.parent.name.removeprefix("date=") for p in (self.root / "reports").glob("date=*/run_report.json"))

    def embed_progress(self, key: str) -> Path:
        """The embed stage's latest progress for one file (``headwater.embed.progress``), read by ``headwater run``'s bar."""
        return self._part("progress") / f"{key}.embed.json"

    def embed_progress_dir(self) -> Path:
        return self._part("progress")

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
        return sorted((self.root / area).glob("date=*/*.parquet"), key=str)

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
    def pii_digest_key(self) -> Path:
        """The data root's secret key (32 random bytes) of the digests that tell masked values apart (headwater.clean.stage)."""
        return self.root / "pii_digest.key"

    @property
    def embedding_cache(self) -> Path:
        return self.root / "embedding_cache.sqlite"

    @property
    def embedding_exports(self) -> Path:
        """Local exports of the embedding model (the onnx-int8 backend's), one folder per model and backend."""
        return self.root / "embedding_exports"

    @property
    def alerts(self) -> Path:
        return self.root / "alerts" / "alerts.jsonl"

    def alert_event(self, event_id: str) -> Path:
        """One alert event on object storage, which cannot append to ``alerts`` (JSON lines, one line)."""
        return self.root / "alerts" / "events" / f"{event_id}.jsonl"

    def alert_events(self) -> list[Path]:
        """Every ``alert_event``, in no particular order."""
        return list((self.root / "alerts" / "events").glob("*.jsonl"))

    @property
    def alert_counts(self) -> Path:
        """Failures per (dag_id, task_id) and the time of the last one (JSON, kept with ``alerts``)."""
        return self.root / "alerts" / "counts.json"

    @property
    def finetune_active_runs(self) -> Path:
        """The fine-tune runs pending or running now (JSON run id -> state; headwater.metrics.set_finetune_state)."""
        return self.root / "finetune" / "active_runs.json"

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
        return self.root / "finetune" / "parts" / path_safe(options_key)

    def finetune_parts_index(self, options_key: str) -> Path:
        """The parts' index: each landing file's fingerprint and part, and the asset events already applied."""
        return self.finetune_parts(options_key) / "index.json"

    def finetune_part(self, options_key: str, date: str, key: str, sha256: str) -> Path:
        """One landing file's export lines, content-addressed (``<key>-<sha12>.jsonl``)."""
        return self.finetune_parts(options_key) / f"date={date}" / f"{key}-{sha256[:12]}.jsonl"

    def finetune_run(self, run_key: str) -> Path:
        """A local fine-tune run's outputs (adapter, eval report, summary.json)."""
        return self.root / "finetune" / "runs" / path_safe(run_key)
