"""Per-source configuration: one YAML file per source, matched to landing files by glob.

A source YAML (``config/sources/<source>.yaml``) says which files belong to the
source and how to read, map, type, impute, normalize, dedup and chunk them::

    files: ["Customers Export*.csv", "customers_*.csv"]
    schema:                      # the canonical schema every file of the source lands on
      columns:
        customer_id: {type: string, identifier: true, aliases: [cust_no], nullable: false}
        lifetime_value: {type: number, min: 0, aliases: [ltv]}
        notes: text              # shorthand for {type: text}
    mapping: {fuzzy_threshold: 85}
    types: {on_error: keep_raw, dayfirst: auto}
    impute: {lifetime_value: {strategy: median}}
    read: {max_field_chars: 1048576}
    text: {...}      # headwater.config.text.TextOptions
    dedup: {...}     # headwater.config.dedup.DedupOptions
    chunking: {...}  # headwater.config.chunking.ChunkingOptions

Every section is optional and so is every file: a landing file no source matches
(or a run with no config folder at all) gets the defaults — standardized columns,
inferred types, no imputation. ``default.yaml`` (no ``files`` key) overrides those
defaults. Config is read when a task runs; any invalid key fails fast with the
YAML path and the key, e.g. ``config/sources/crm.yaml: types.on_error: 'drop' is
not one of keep_raw, quarantine``.
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from headwater.config.base import ConfigError
from headwater.config.chunking import ChunkingOptions
from headwater.config.dedup import DedupOptions
from headwater.config.impute import ImputeSpec, refuse_reason
from headwater.config.read import ReadOptions
from headwater.config.schema import ColumnSpec, MappingOptions, SchemaSpec
from headwater.config.text import TextOptions
from headwater.config.types import TypeOptions
from headwater.names import looks_like_identifier

DEFAULT_NAME = "default"
# The sections built straight from their options class: ``Options(**mapping)``, whose validation
# raises ValueError("key: message"); the loader prefixes file and section.
SECTIONS: dict[str, type] = {
    "read": ReadOptions,
    "mapping": MappingOptions,
    "types": TypeOptions,
    "text": TextOptions,
    "dedup": DedupOptions,
    "chunking": ChunkingOptions,
}
TOP_KEYS = ("name", "description", "files", "read", "schema", "mapping", "types", "impute", "text", "dedup", "chunking")

__all__ = ["ConfigError", "SourceConfig", "Sources", "load_source", "load_sources"]


@dataclass
class SourceConfig:
    """Everything Headwater needs to know about one source; the defaults work with no config at all."""

    name: str = field(default=DEFAULT_NAME, metadata={"help": "Source name (default: the YAML file's stem)."})
    files: list[str] = field(default_factory=list, metadata={"help": "Globs of landing file names (case-insensitive) that belong to this source."})
    description: str = field(default="", metadata={"help": "What the source is (documentation only)."})
    path: Path | None = field(default=None, metadata={"help": "The YAML file this config came from (None: built-in defaults)."})
    read: ReadOptions = field(default_factory=ReadOptions, metadata={"help": "How files are read (headwater.config.read.ReadOptions)."})
    schema: SchemaSpec | None = field(default=None, metadata={"help": "Canonical schema; None: columns keep their standardized names."})
    mapping: MappingOptions = field(default_factory=MappingOptions, metadata={"help": "Column matching (headwater.config.schema.MappingOptions)."})
    types: TypeOptions = field(default_factory=TypeOptions, metadata={"help": "Type coercion (headwater.config.types.TypeOptions)."})
    impute: dict[str, ImputeSpec] = field(default_factory=dict, metadata={"help": "column -> imputation strategy (headwater.config.impute.ImputeSpec)."})
    text: TextOptions = field(default_factory=TextOptions, metadata={"help": "Text normalization (headwater.config.text.TextOptions)."})
    dedup: DedupOptions = field(default_factory=DedupOptions, metadata={"help": "Deduplication (headwater.config.dedup.DedupOptions)."})
    chunking: ChunkingOptions = field(default_factory=ChunkingOptions, metadata={"help": "Chunking per text column (headwater.config.chunking.ChunkingOptions)."})

    def matches(self, file_name: str) -> bool:
        name = file_name.lower()
        return any(fnmatch.fnmatchcase(name, pattern.lower()) for pattern in self.files)

    @property
    def declared_types(self) -> dict[str, str]:
        return self.schema.types if self.schema else {}

    @property
    def identifiers(self) -> set[str]:
        return {c.name for c in self.schema.columns if c.identifier} if self.schema else set()

    def describe(self) -> dict[str, Any]:
        """What the manifest records about the config a file was processed with."""
        return {"name": self.name, "path": str(self.path) if self.path else None, "schema": self.schema.name if self.schema else None}


# ------------------------------------------------------------------ building from YAML


def _fail(path: Path | str, key: str, message: str) -> ConfigError:
    return ConfigError(f"{path}: {key}: {message}" if key else f"{path}: {message}")


def _check_keys(path: Path | str, where: str, mapping: Any, allowed: tuple[str, ...] | list[str]) -> dict[str, Any]:
    if mapping is None:
        return {}
    if not isinstance(mapping, dict):
        raise _fail(path, where, f"expected a mapping, got {type(mapping).__name__} {mapping!r}")
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), list(allowed), n=1)
            hint = f" (did you mean {close[0]}?)" if close else f" (expected one of {', '.join(allowed)})"
            raise _fail(path, f"{where}.{key}" if where else str(key), f"unknown key{hint}")
    return dict(mapping)


def build_options(cls: type, mapping: Any, path: Path | str, where: str) -> Any:
    """``cls(**mapping)`` for a config dataclass, with unknown keys and validation errors naming path and key."""
    names = [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else []
    values = _check_keys(path, where, mapping, names) if names else dict(mapping or {})
    try:
        return cls(**values)
    except (ValueError, TypeError) as exc:
        # The options classes start their messages with the key: "on_error: 'x' is not one of ..."
        raise ConfigError(f"{path}: {where}.{exc}") from None


def _build_schema(raw: Any, path: Path, source: str) -> SchemaSpec | None:
    if raw is None:
        return None
    raw = _check_keys(path, "schema", raw, ("name", "columns"))
    columns_raw = raw.get("columns")
    if not isinstance(columns_raw, dict) or not columns_raw:
        raise _fail(path, "schema.columns", "expected a mapping of column name -> spec (at least one column)")
    columns = []
    allowed = tuple(f.name for f in dataclasses.fields(ColumnSpec) if f.name != "name")
    for name, spec in columns_raw.items():
        where = f"schema.columns.{name}"
        if spec is None:
            spec = {}
        elif isinstance(spec, str):
            spec = {"type": spec}
        spec = _check_keys(path, where, spec, allowed)
        try:
            columns.append(ColumnSpec(name=str(name), **spec))
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{path}: schema.columns.{exc}") from None
    try:
        return SchemaSpec(name=str(raw.get("name") or source), columns=columns)
    except ValueError as exc:
        raise ConfigError(f"{path}: schema.{exc}") from None


def _build_impute(raw: Any, path: Path, schema: SchemaSpec | None) -> dict[str, ImputeSpec]:
    raw = _check_keys(path, "impute", raw, list(raw) if isinstance(raw, dict) else [])
    specs: dict[str, ImputeSpec] = {}
    for col, spec in raw.items():
        where = f"impute.{col}"
        if isinstance(spec, str):
            spec = {"strategy": spec}
        specs[col] = build_options(ImputeSpec, spec, path, where)
        if schema is not None:
            column = schema.column(col)
            if column is None:
                raise _fail(path, where, f"not a column of schema {schema.name} ({', '.join(schema.names)})")
            reason = refuse_reason(col, column.type, column.identifier, specs[col])
        else:
            reason = refuse_reason(col, None, looks_like_identifier(col), specs[col])
        if reason:
            raise _fail(path, where, reason)
    return specs


def load_source(path: Path) -> SourceConfig:
    """Read and validate one source YAML; raise ConfigError naming the file and key on any problem."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _fail(path, "", f"not valid YAML: {exc}") from None
    raw = _check_keys(path, "", raw, TOP_KEYS)
    name = str(raw.get("name") or path.stem)
    files = raw.get("files")
    if isinstance(files, str):
        files = [files]
    if files is None and path.stem != DEFAULT_NAME:
        raise _fail(path, "files", "missing: list the landing file globs of this source, e.g. ['customers_*.csv']")
    if files is not None and (not isinstance(files, list) or not files or not all(isinstance(f, str) and f for f in files)):
        raise _fail(path, "files", f"expected a non-empty list of globs, got {files!r}")
    schema = _build_schema(raw.get("schema"), path, name)
    return SourceConfig(
        name=name,
        files=files or [],
        description=str(raw.get("description") or ""),
        path=path,
        schema=schema,
        impute=_build_impute(raw.get("impute") or {}, path, schema),
        **{section: build_options(cls, raw.get(section), path, section) for section, cls in SECTIONS.items()},
    )


@dataclass
class Sources:
    """All source configs of a config folder, and the fallback for files none of them matches."""

    configs: list[SourceConfig] = field(default_factory=list)
    fallback: SourceConfig = field(default_factory=SourceConfig)

    def for_file(self, file_name: str) -> SourceConfig:
        hits = [c for c in self.configs if c.matches(file_name)]
        if len(hits) > 1:
            listed = ", ".join(f"{c.name} ({c.path})" for c in hits)
            raise ConfigError(f"{file_name} matches several sources: {listed} — make their files globs disjoint")
        return hits[0] if hits else self.fallback


def load_sources(directory: Path | str) -> Sources:
    """Load every ``*.yaml``/``*.yml`` of ``directory`` (``Settings.config_dir``); a missing folder means no config."""
    folder = Path(directory)
    if not folder.is_dir():
        return Sources()
    configs, fallback, seen = [], SourceConfig(), {}
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        config = load_source(path)
        if path.stem == DEFAULT_NAME and not config.files:
            fallback = config
            continue
        if config.name in seen:
            raise ConfigError(f"{path}: name: source {config.name!r} is also defined in {seen[config.name]}")
        seen[config.name] = path
        configs.append(config)
    return Sources(configs, fallback)
