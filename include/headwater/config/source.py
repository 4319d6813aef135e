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
    chunking: {...}  # headwater.config.chunking.ChunkingOptions; {columns: {body: heading}}
    rows: {...}      # headwater.config.rows.RowDocumentOptions; {mode: on, template: "..."}
    stream: {...}    # headwater.config.stream.StreamOptions: the source is an event stream (no files)

Every section is optional and so is every file: a landing file no source matches
(or a run with no config folder at all) gets the defaults — standardized columns,
inferred types, no imputation. ``default.yaml`` (no ``files`` key) overrides those
defaults. Config is read when a task runs; any invalid key fails fast with the
YAML path and the key, e.g. ``config/sources/crm.yaml: types.on_error: 'drop' is
not one of keep_raw, quarantine``.

``SourceConfig`` (a pydantic model, headwater.config.base.ConfigModel) declares the file once:
the loader parses YAML and calls ``SourceConfig.from_mapping``; the README's source reference
and ``config/source.schema.json`` are generated from it (headwater.config.reference).
"""

from __future__ import annotations

import difflib
import fnmatch
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BeforeValidator, Field, PrivateAttr, model_validator

from headwater.config.base import ConfigError, ConfigModel
from headwater.config.chunking import ChunkingOptions
from headwater.config.dedup import DedupOptions
from headwater.config.impute import ImputeEntry, refuse_reason
from headwater.config.read import ReadOptions
from headwater.config.rows import TEMPLATE_VARIABLES, RowDocumentOptions, template_names
from headwater.config.schema import ColumnSpec, MappingOptions, SchemaSpec
from headwater.config.stream import StreamOptions
from headwater.config.text import TextOptions
from headwater.config.types import TypeOptions
from headwater.names import looks_like_identifier

DEFAULT_NAME = "default"

__all__ = ["ConfigError", "SourceConfig", "Sources", "load_source", "load_sources"]


def _globs(value: Any) -> Any:
    """``files: "a*.csv"`` is ``files: ["a*.csv"]``; the list may not be empty nor hold an empty glob."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(f, str) and f for f in value):
        raise ValueError(f"expected a non-empty list of globs, got {value!r}")
    return value


# ``schema`` is a YAML key, and a (deprecated) BaseModel classmethod the field shadows on purpose.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message='Field name "schema" in "SourceConfig" shadows', category=UserWarning)

    class SourceConfig(ConfigModel):
        """Everything Headwater needs to know about one source; the defaults work with no config at all.

        ``path`` is the YAML file the config came from (None: built-in defaults); it is not a YAML key.
        A key given as null (``read:`` with nothing under it) takes its default.
        """

        name: str = Field(default=DEFAULT_NAME, description="Source name, recorded in the manifest of every file it claims.",
                          json_schema_extra={"shown_default": "the YAML file's stem"})
        description: str = Field(default="", description="What the source is (documentation only).")
        files: Annotated[list[str], BeforeValidator(_globs, json_schema_input_type=str | list[str])] = Field(
            default_factory=list,
            description=(
                "Globs of table names (case-insensitive) of this source: a file's name without its compression suffix "
                "(a.csv.gz: a.csv), a zip member's file name."
            ),
            json_schema_extra={"shown_default": "required, except in default.yaml"},
        )
        read: ReadOptions = Field(default_factory=ReadOptions, description="How files are read.")
        schema: SchemaSpec | None = Field(default=None, description="Canonical schema; without one, columns keep their standardized names.")
        mapping: MappingOptions = Field(default_factory=MappingOptions, description="How file columns are matched to the schema.")
        types: TypeOptions = Field(default_factory=TypeOptions, description="How values are read as numbers, booleans and dates.")
        impute: dict[str, ImputeEntry] = Field(default_factory=dict, description="Column -> how its missing values are filled (strategy name or mapping).")
        text: TextOptions = Field(default_factory=TextOptions, description="How free-text values are normalized.")
        dedup: DedupOptions = Field(default_factory=DedupOptions, description="How duplicates are found.")
        chunking: ChunkingOptions = Field(default_factory=ChunkingOptions, description="How text columns are chunked, per column.")
        rows: RowDocumentOptions = Field(default_factory=RowDocumentOptions, description="Which rows become text documents, and how they read.")
        stream: StreamOptions | None = Field(default=None, description="The event stream this source's records arrive on (headwater stream; such a source needs no files); None: landing files.")

        _path: Path | None = PrivateAttr(default=None)

        @model_validator(mode="before")
        @classmethod
        def _null_is_default(cls, data: Any) -> Any:
            return {k: v for k, v in data.items() if v is not None} if isinstance(data, dict) else data

        @model_validator(mode="after")
        def _imputable(self) -> SourceConfig:
            """The schema is named after the source unless it says otherwise; impute only columns that may be imputed."""
            if self.schema is not None and not self.schema.name:
                self.schema.name = self.name
            for col, spec in self.impute.items():
                if self.schema is not None:
                    column = self.schema.column(col)
                    if column is None:
                        raise ValueError(f"impute.{col}: not a column of schema {self.schema.name} ({', '.join(self.schema.names)})")
                    reason = refuse_reason(col, column.type, column.identifier, spec)
                else:
                    reason = refuse_reason(col, None, looks_like_identifier(col), spec)
                if reason:
                    raise ValueError(f"impute.{col}: {reason}")
            self._row_columns_exist()
            return self

        def _row_columns_exist(self) -> None:
            """With a schema, every column the rows section names (and every name its template reads) is a column."""
            if self.schema is None:
                return
            names = set(self.schema.names)
            rows = self.rows
            named = {"columns": rows.columns or [], "exclude": rows.exclude, "labels": list(rows.labels)}
            for key, columns in named.items():
                unknown = [c for c in columns if c not in names]
                if unknown:
                    raise ValueError(f"rows.{key}: {', '.join(unknown)}: not a column of schema {self.schema.name} ({', '.join(self.schema.names)})")
            if rows.template is not None:
                unknown = sorted(template_names(rows.template) - names - set(TEMPLATE_VARIABLES))
                if unknown:
                    raise ValueError(
                        f"rows.template: {', '.join(unknown)} is neither a column of schema {self.schema.name} "
                        f"({', '.join(self.schema.names)}) nor one of {', '.join(TEMPLATE_VARIABLES)}"
                    )

        @property
        def path(self) -> Path | None:
            return self._path

        def matches(self, file_name: str) -> bool:
            name = file_name.lower()
            return any(fnmatch.fnmatchcase(name, pattern.lower()) for pattern in self.files)

        @property
        def declared_types(self) -> dict[str, str]:
            return self.schema.types if self.schema else {}

        @property
        def identifiers(self) -> set[str]:
            return {c.name for c in self.schema.columns if c.identifier} if self.schema else set()

        @property
        def columns(self) -> dict[str, ColumnSpec]:
            """Canonical column name -> its spec ({} without a schema)."""
            return {c.name: c for c in self.schema.columns} if self.schema else {}

        @property
        def column_formats(self) -> dict[str, dict[str, Any]]:
            """Columns whose decimal mark, day order or time zone overrides the file's: {name: {"decimal": ",", "dayfirst": True,
            "timezone": "UTC"}}."""
            found = {c.name: {k: getattr(c, k) for k in ("decimal", "dayfirst", "timezone") if getattr(c, k) is not None} for c in self.columns.values()}
            return {name: formats for name, formats in found.items() if formats}

        def describe(self) -> dict[str, Any]:
            """What the manifest records about the config a file was processed with."""
            return {"name": self.name, "path": str(self.path) if self.path else None, "schema": self.schema.name if self.schema else None}


# ------------------------------------------------------------------ building from YAML


class SourceYamlLoader(yaml.SafeLoader):
    """PyYAML's ``SafeLoader`` made strict for config files (breaker4 #18, #19):

    * a mapping key written twice is an error (``duplicate key 'weight' (first at line 6)``): PyYAML keeps
      the last silently, which drops the first rule (a merge conflict resolved by keeping both hunks);
    * booleans are YAML 1.2's core schema (``true``/``false`` in three cases, YAML 1.2.2 §10.3.2), not
      YAML 1.1's ``yes``/``no``/``on``/``off``/``y``/``n``: ``allowed: [GB, NO, SE]`` lists three country
      codes (the "Norway problem"), never ``False``. A boolean option written ``yes`` still reads as
      true: pydantic accepts ``yes``/``no``/``on``/``off`` for a ``bool`` field.

    Raises yaml.constructor.ConstructorError (a ``yaml.YAMLError``) on a duplicate key.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: the base constructor reports it
                break
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"duplicate key {key!r} (first at line {first.start_mark.line + 1})", key_node.start_mark)
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


SourceYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
SourceYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def load_source(path: Path) -> SourceConfig:
    """Read and validate one source YAML; raise ConfigError ``<path>: <dotted.key>: <problem>`` on any problem."""
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SourceYamlLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if raw is None:
        raw = {}
    if isinstance(raw, dict) and raw.get("name") is None:
        raw = {**raw, "name": path.stem}
    try:
        config = SourceConfig.from_mapping(raw)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if not config.files and config.stream is None and path.stem != DEFAULT_NAME:
        raise ConfigError(f"{path}: files: missing: list the landing file globs of this source, e.g. ['customers_*.csv']")
    config._path = path
    return config


# A source glob's wildcards (fnmatch: *, ?, [seq]), removed to compare its literal part with a file name (Sources.closest_glob).
_GLOB_WILDCARDS = re.compile(r"\[[^\]]*\]|[*?]")
_TABLE_EXTENSION = re.compile(r"(?:\.(?:csv|tsv|txt))?(?:\.(?:gz|bz2|zst|xz))?$")
CLOSE_GLOB_RATIO = 0.6  # difflib.get_close_matches' default cutoff (https://docs.python.org/3/library/difflib.html)


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

    @property
    def file_sources(self) -> list[SourceConfig]:
        """The sources that claim landing files (a ``files`` glob; a stream-only source claims none)."""
        return [c for c in self.configs if c.files]

    def closest_glob(self, table_name: str) -> tuple[SourceConfig, str] | None:
        """(source, glob) whose glob reads most like ``table_name``, or None when none is close.

        A glob's literal part (its wildcards ``*``, ``?`` and ``[...]`` removed; of a glob with a folder,
        its last part) is compared with the table name, both lower-cased and without their table extension
        and compression suffix (``.csv``, ``.csv.gz``: a shared ``.csv`` would make ``customers`` read like
        ``orders``), by ``difflib.SequenceMatcher.ratio``; close means a ratio of at least CLOSE_GLOB_RATIO
        (0.6, ``difflib.get_close_matches``' default cutoff): ``oders*.csv`` ~ ``orders.csv`` 0.91,
        ``customers*.csv`` ~ ``orders.csv`` 0.53 is not close. The first of equal ratios (sources in file order) wins.
        """
        name = _TABLE_EXTENSION.sub("", table_name.lower())
        best: tuple[float, SourceConfig, str] | None = None
        for config in self.file_sources:
            for glob in config.files:
                literal = _TABLE_EXTENSION.sub("", _GLOB_WILDCARDS.sub("", glob.rsplit("/", 1)[-1].lower()))
                ratio = difflib.SequenceMatcher(None, name, literal).ratio()
                if ratio >= CLOSE_GLOB_RATIO and (best is None or ratio > best[0]):
                    best = (ratio, config, glob)
        return None if best is None else (best[1], best[2])

    def unclaimed_warning(self, table_name: str, record_name: str | None = None) -> str | None:
        """The warning of a landing file no source claims while a source's glob is close to its name (breaker9 #5:
        ``oders*.csv`` left ``orders.csv`` to the defaults, silently), else None. See ``unclaimed``."""
        line, close = self.unclaimed(table_name, record_name)
        return line if close else None

    def unclaimed(self, table_name: str, record_name: str | None = None) -> tuple[str | None, bool]:
        """(what to say of a landing file no source claims while the config folder has file sources, whether a glob is close);
        (None, False) when a source claims it or there is none.

        ``table_name``: what the globs are matched against (``FileRef.table_name``); ``record_name``: the landing
        name (``orders.csv.gz``), to tell a glob that holds the compression suffix. The file is read with
        the defaults (``default.yaml`` or none), so no declared schema, identifier, unit, dedup or chunking
        applies: the line says so, names the closest glob (``closest_glob``) and why it does not match
        when that is the cause (a folder in the glob, a compression suffix), or lists the globs when none is
        close. A close glob is most likely a typo (a warning); with none close the file is most likely
        meant for the defaults, which the README documents as normal (a note, not a warning).
        """
        sources = self.file_sources
        if not sources or any(c.matches(table_name) for c in sources):
            return None, False
        head = (
            f"no source claims this file: its table name {table_name} matches no files glob of the "
            f"{len(sources)} source(s) of the config folder, so it is read with the defaults ({DEFAULT_NAME}.yaml or none): "
            "no source's schema, identifiers, units, dedup or chunking apply"
        )
        close = self.closest_glob(table_name)
        if close is None:
            listed = "; ".join(f"{c.name}: {', '.join(c.files)}" for c in sources[:5]) + ("; ..." if len(sources) > 5 else "")
            return f"{head}; no glob is close to its name ({listed}) — add a source for it if it needs one", False
        config, glob = close
        why = ""
        if "/" in glob:
            why = ": a glob is matched against the file's name alone, so one with a folder never matches — drop the folder"
        elif record_name and fnmatch.fnmatchcase(record_name.rsplit("/", 1)[-1].lower(), glob.lower()):
            why = (f": a glob is matched against the name without its compression suffix ({table_name}), so one "
                   "with the suffix never matches — drop the suffix")
        where = f" ({config.path.name})" if config.path else ""
        return f"{head}; the closest glob is {glob!r} of source {config.name}{where}{why or ' — correct it if the file belongs to that source'}", True

    def for_stream(self, name: str) -> SourceConfig:
        """The source whose ``stream.name`` is ``name``; raise ConfigError listing the streams configured when none is."""
        for config in self.configs:
            if config.stream is not None and config.stream.name == name:
                return config
        known = ", ".join(c.stream.name for c in self.configs if c.stream is not None) or "none"
        raise ConfigError(f"no source config has stream.name {name!r} (configured streams: {known}) — add a stream: section to a source YAML")


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
