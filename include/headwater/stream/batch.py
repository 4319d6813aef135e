"""A micro-batch of valid messages through the same cleaning, chunking and embedding code as CSV rows.

The records of a batch become one staging table (``headwater.clean.frame.build_frame``: one
text value per column, like a CSV file's fields) and run through the source's cleaning steps
(``stream_steps``, the source's ``headwater.clean.pipeline.build_steps`` with JSON's missing values:
``null`` or an absent key, never a string; ``run_steps``: text normalization, types, exact and near-duplicate text within the batch, validation), then the chunker
(``headwater.chunk.table.chunk_source``), the embedding cache (``headwater.embed.cache.embed_cached``)
and the vector store (``headwater.embed.store.VectorStore.upsert``).

Ids are the CSV path's: a row id hashes the schema version, the source (``stream:<name>``) and
the normalized values (``assign_row_ids``), never the entry id, so an identical message
published twice is one record, and the chunk ids follow from it. The ``line`` of a stream row
is its entry id as one number (``entry_line``).

Types: a stream has no file whose values decide a column's type, so without a canonical
``schema:`` in the source config one is derived from the JSON Schema (``cleaning_config``) and
every batch types its values alike. The dedup steps that decide on a whole file decide on the
batch (``run_steps`` on one table); duplicates of records of earlier batches (within the stream's
``dedup_window_seconds``) are found by row id (the source's ``seen``: the same values) and by
near-duplicate text (``cross_batch_near``: the CSV path's MinHash LSH signatures and bands, the
same Jaccard threshold and vetoes, against the source's ``recent`` index). Imputation that learns from a whole column (mean, median, mode, KNN, MissForest) is
refused for a stream: no whole column ever exists. A record whose ``required`` (JSON Schema) or
``id_field`` value is missing after cleaning is a dead letter, never processed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from headwater.chunk.table import FrameSource, chunk_source
from headwater.chunk.windows import chunk_arrow_table, chunk_table_frame, load_tokenizer
from headwater.clean.dedup.columns import Vetoes, decide_roles
from headwater.clean.dedup.fuzzy import NearDuplicateText
from headwater.clean.dedup.matching import near_text, text_signatures
from headwater.clean.frame import build_frame
from headwater.clean.pipeline import CleanResult, build_steps, run_steps
from headwater.clean.stage import digest_key
from headwater.clean.steps.base import DEDUP_COLUMNS, DEDUP_JOB, DUPLICATE_OF, LINE, REASON, ROW_ID, StepOutput, data_columns, is_value_column, keep_original
from headwater.clean.steps.impute import Impute
from headwater.clean.steps.null_spellings import NullSpellings
from headwater.config.base import ConfigError
from headwater.config.schema import SchemaSpec
from headwater.config.settings import Settings
from headwater.config.source import SourceConfig
from headwater.embed.cache import embed_cached, encoder_for
from headwater.embed.model import embedder_id, resolve_model_dir
from headwater.embed.store import VectorStore
from headwater.layout import Layout
from headwater.stream.source import Message, Outcome, StreamSource
from headwater.stream.validate import Parsed

# JSON Schema type -> canonical column type (headwater.config.schema.ColumnType)
JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean"}
BLANK_STRING_REASON = "normalized: blank string"  # <col>__reason of a JSON string of only whitespace, made missing
NUMBER_TEXT_REASON = "number_text"  # <col>__reason of a JSON number whose stored number shows another text (1.10: 1.1)
KEEP_VERSIONS = dt.timedelta(minutes=10)  # compaction keeps the table versions of the last 10 minutes: a search opened on one finishes long before
LINE_SEQ = 1_000_000  # entry "<ms>-<seq>" -> line ms * LINE_SEQ + seq (int64 up to year 2262 at seq < 10**6)
LINE_PARTITION = 10**12  # Kafka "<topic>:<partition>:<offset>" -> line partition * LINE_PARTITION + offset (offsets < 10**12)


def source_of(stream: str) -> str:
    """The ``source_file`` of a stream's rows, chunks and vectors."""
    return f"stream:{stream}"


def entry_line(entry_id: str) -> int:
    """Redis entry id ``<ms>-<seq>`` -> ``ms * LINE_SEQ + seq`` (ordered as the entries are); Kafka message id
    ``<topic>:<partition>:<offset>`` -> ``partition * LINE_PARTITION + offset`` (ordered within a partition)."""
    if ":" in entry_id:
        _, partition, offset = entry_id.rsplit(":", 2)
        return int(partition) * LINE_PARTITION + int(offset)
    ms, _, seq = entry_id.partition("-")
    return int(ms) * LINE_SEQ + int(seq or 0)


def cleaning_config(config: SourceConfig) -> SourceConfig:
    """The source config the steps run with: its own ``schema:``, else one from the stream's JSON Schema.

    Derived columns: text_fields -> text, id_field -> an identifier string, JSON types string,
    integer, number and boolean (alone or with "null") -> the same type, anything else (several
    types, objects, arrays, no type) -> string. Raises ConfigError when the source config has no ``stream`` section or asks for
    a step that must see a whole column first.
    """
    options = config.stream
    if options is None:
        raise ConfigError(f"source {config.name!r}: no stream section")
    if config.schema is None:
        columns: dict[str, Any] = {}
        for name in options.fields:
            spec = options.schema["properties"][name]
            kind = spec.get("type") if isinstance(spec, dict) else None
            if isinstance(kind, list):  # ["number", "null"]: a nullable number
                kinds = [k for k in kind if k != "null"]
                kind = kinds[0] if len(kinds) == 1 else None
            if name in options.text_fields:
                columns[name] = {"type": "text"}
            elif name == options.id_field:
                columns[name] = {"type": "string", "identifier": True}
            else:
                columns[name] = {"type": JSON_TYPES.get(kind, "string") if isinstance(kind, str) else "string"}
        config = config.model_copy(update={"schema": SchemaSpec.from_mapping({"name": config.name, "columns": columns})})
    impute = [s for s in build_steps(config) if isinstance(s, Impute)]
    if any(getattr(s, "needs_fit", False) or getattr(s, "needs_whole_table", False) for s in impute):
        raise ConfigError(f"source {config.name!r}: impute strategies that learn from a whole column cannot run on a stream — use constant fills")
    return config


class BlankStrings:
    """Stream step: a JSON string of nothing but whitespace (``"   "``) becomes missing, its text kept in
    ``<col>__raw`` with the reason ``BLANK_STRING_REASON``.

    It stands in for the CSV path's NullSpellings (``stream_steps``): in JSON a missing value is
    ``null`` or an absent key (RFC 8259), so a string such as ``"None"``, ``"NA"`` or ``"null"`` is
    data and stays as written; only a blank string holds no text, and its spaces are kept.
    """

    name = "blank_strings"

    def apply(self, df: pd.DataFrame) -> StepOutput:
        out = df.copy()
        for col in [c for c in df.columns if is_value_column(c)]:
            s = out[col].astype("string")
            blank = s.str.fullmatch(r"\s+").fillna(False).to_numpy(dtype=bool)
            if blank.any():
                keep_original(out, col, blank, s, BLANK_STRING_REASON)
                out[col] = s.mask(blank)
        return StepOutput(out)


class NumberTexts:
    """Stream step: a JSON number whose text the stored number does not show keeps that text in ``<col>__raw``,
    reason ``NUMBER_TEXT_REASON`` (README "Streams": numbers keep their JSON text, ``1.10`` stays ``1.10``).

    In a column declared (or derived from the JSON Schema as) ``number``, a value written with a fraction or an
    exponent whose float64's shortest repr (Python's ``repr``, what the record's JSON shows) is another text:
    ``1.10`` (1.1), ``2.50``, ``1e2`` (100.0), ``1E-3``; a JSON integer (``5``, stored 5.0) is that number as
    written. In an ``integer`` column, a text that is not the integer's own (``-0``). The number is read by
    CoerceTypes as always; a value it cannot read keeps its text there anyway.
    """

    name = "number_texts"

    def __init__(self, declared: dict[str, str]) -> None:
        self.columns = {c: kind for c, kind in declared.items() if kind in ("number", "integer")}

    def apply(self, df: pd.DataFrame) -> StepOutput:
        out = df.copy()
        for col, kind in self.columns.items():
            if col not in out.columns:
                continue
            s = out[col].astype("string")
            changed = np.fromiter((v is not None and _number_text_changes(v, kind) for v in s.tolist()), dtype=bool, count=len(s))
            if changed.any():
                keep_original(out, col, changed, s, NUMBER_TEXT_REASON)
        return StepOutput(out)


def _number_text_changes(text: Any, kind: str) -> bool:
    """Whether the stored number of ``text`` (a JSON number's text) in a ``kind`` column shows another text."""
    if not isinstance(text, str):
        return False
    try:
        if re.fullmatch(r"-?[0-9]+", text):
            return kind == "integer" and str(int(text)) != text
        return kind == "number" and repr(float(text)) != text
    except (ValueError, OverflowError):
        return False


def stream_steps(config: SourceConfig, digest_key: bytes | None = None) -> list[Any]:
    """The source's cleaning steps (``build_steps``) for JSON values: NullSpellings (CSV missing-value
    spellings) replaced by ``BlankStrings`` and ``NumberTexts`` before the other steps.

    ``digest_key``: the data root's key of masked values' digests (``headwater.clean.stage.digest_key``), so a
    record holding a masked e-mail or phone gets the same row id in every batch, as in the CSV path; None: a
    masked record equals no other record.
    """
    steps = [s for s in build_steps(config, digest_key=digest_key) if not isinstance(s, NullSpellings)]
    return [BlankStrings(), NumberTexts(config.declared_types), *steps]


def versions_kept(result: CleanResult, id_field: str | None) -> CleanResult:
    """``result`` with the batch's near-text duplicates of a record of the same ``id_field`` value put back among the
    curated rows (in entry order, their dedup columns dropped): a later event of one id whose values differ after
    cleaning is a new version of the record (an update that adds text), never a duplicate. Copies equal after
    cleaning (whitespace, markup) stay duplicates."""
    dups = result.duplicates
    if id_field is None or not len(dups) or id_field not in dups or not len(result.curated):
        return result
    values = [c for c in result.curated.columns if is_value_column(c) and c in dups]
    at = values.index(id_field)
    leaders = {rid: (row[at], row) for rid, row in zip(result.curated[ROW_ID], result.curated[values].itertuples(index=False))}
    same = []
    for job, of, row in zip(dups[DEDUP_JOB], dups[DUPLICATE_OF], dups[values].itertuples(index=False)):
        leader = leaders.get(of)
        own = row[at]
        same.append(job == "near_text" and leader is not None and not pd.isna(own) and leader[0] == own and _content(row) != _content(leader[1]))
    if not any(same):
        return result
    back = np.asarray(same, dtype=bool)
    updates = dups[back].drop(columns=[c for c in DEDUP_COLUMNS if c in dups])
    curated = pd.concat([result.curated, updates], ignore_index=True).sort_values(LINE, kind="stable").reset_index(drop=True)
    return CleanResult(curated, dups[~back].reset_index(drop=True), result.quarantined, result.steps, result.structural)


def _content(values: Any) -> tuple[object, ...]:
    """Curated values as comparable JSON values (missing: None)."""
    return tuple(_json_value(v) for v in values)


def missing_required(config: SourceConfig, record: dict[str, object]) -> list[str]:
    """The fields of ``record`` (a curated record as JSON values) that the stream's JSON Schema lists
    as ``required``, or that are its ``id_field``, and that hold no value after cleaning (None or '')."""
    options = config.stream
    assert options is not None
    names = list(dict.fromkeys([*(options.schema.get("required") or []), *([options.id_field] if options.id_field else [])]))
    return [n for n in names if n in record and record[n] in (None, "")]


def _json_value(value: Any) -> Any:
    """A curated value as JSON: None for missing, numbers and booleans as such, dates as ISO text."""
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


@dataclass
class Processor:
    """Runs micro-batches of one stream; loads the tokenizer once, the embedding model on first use."""

    config: SourceConfig  # as ``cleaning_config`` returns it
    settings: Settings
    stored: int = 0  # chunk rows written to the vector store so far
    writes: int = 0  # micro-batches that wrote vectors (every ``stream.compact_every`` of them, the table is compacted)
    _tokenizer: Any = field(default=None, repr=False)
    _store_: VectorStore | None = field(default=None, repr=False)
    _key: bytes | None = field(default=None, repr=False)

    def _digest_key(self) -> bytes:
        """The data root's key of masked values' digests (``headwater.clean.stage.digest_key``), read once."""
        if self._key is None:
            assert self.settings.data_dir is not None
            self._key = digest_key(self.settings, Layout(self.settings.data_dir))
        return self._key

    @property
    def stream(self) -> str:
        assert self.config.stream is not None
        return self.config.stream.name

    def run(self, parsed: list[Parsed], memory: StreamSource) -> list[Outcome]:
        """Clean, chunk, embed and store ``parsed``; one outcome per message, in order.

        ``memory``: the source, whose ``seen`` (row id -> id of the earlier committed message that
        produced it) and ``recent`` (the near-duplicate index) remember earlier batches; rows found
        there are duplicates and are not written again. Raises what the steps, the model or the
        store raise; nothing is committed then.
        """
        if not parsed:
            return []
        options = self.config.stream
        assert options is not None
        frame, _ = build_frame(
            options.fields, [p.values for p in parsed], [entry_line(p.message.id) for p in parsed], source_of(self.stream), self.config
        )
        result = versions_kept(run_steps(frame, stream_steps(self.config, self._digest_key())), options.id_field)
        by_line = {entry_line(p.message.id): p.message for p in parsed}
        outcomes: dict[str, Outcome] = {}
        for line, reason in zip(result.quarantined.get(LINE, []), result.quarantined.get(REASON, [])):
            message = by_line[int(line)]
            reason = str(reason).replace(f"line {int(line)}", f"entry {message.id}", 1)  # a stream entry has no line
            outcomes[message.id] = Outcome(message, "dead_lettered", reason=f"cleaning: {reason}")
        for line, text in zip(result.structural.get(LINE, []), result.structural.get(REASON, [])):
            # a report's page footer or end marker sent as an entry: no record, and a stream has no structural lines
            message = by_line[int(line)]
            outcomes[message.id] = Outcome(message, "dead_lettered", reason=f"cleaning: entry {message.id}: {text!r} is a "
                                           "structural line of a report (a page footer or end marker), not a record")
        for line, row_id, of in zip(result.duplicates.get(LINE, []), result.duplicates.get(ROW_ID, []), result.duplicates.get(DUPLICATE_OF, [])):
            message = by_line[int(line)]
            outcomes[message.id] = Outcome(message, "duplicate", row_id=str(row_id), duplicate_of=str(of))
        curated = result.curated
        earlier = memory.seen(list(curated[ROW_ID])) if len(curated) else {}
        fresh: list[int] = []
        records: list[tuple[Message, dict[str, object], str]] = []
        columns = data_columns(curated)
        values = [curated[c].tolist() for c in columns]  # one conversion per column, not one lookup per cell
        for i, (line, row_id) in enumerate(zip(curated[LINE], curated[ROW_ID])):
            message = by_line[int(line)]
            first = earlier.get(row_id)
            if first is not None and first != message.id:
                outcomes[message.id] = Outcome(message, "duplicate", row_id=row_id, duplicate_of=row_id)
                continue
            record = {c: _json_value(v[i]) for c, v in zip(columns, values)}
            empty = missing_required(self.config, record)
            if empty:
                written = ", ".join(f"{n} (written {record.get(n + '__raw')!r})" if record.get(n + "__raw") is not None else n for n in empty)
                outcomes[message.id] = Outcome(
                    message, "dead_lettered", reason=f"cleaning: entry {message.id}: no value left in required field {written} — send the text itself"
                )
                continue
            key = str(record.get(options.id_field)) if options.id_field and record.get(options.id_field) is not None else row_id
            records.append((message, {"row_id": row_id, "entry_id": message.id, **record}, key))
            fresh.append(i)
        near, bands = cross_batch_near(self.config, [r for _, r, _ in records], memory.recent)
        kept = []
        for j, ((message, record, key), i) in enumerate(zip(records, fresh)):
            if j in near:
                outcomes[message.id] = Outcome(message, "duplicate", row_id=str(record["row_id"]), duplicate_of=near[j])
            else:
                outcomes[message.id] = Outcome(message, "processed", row_id=str(record["row_id"]), key=key, record=record, bands=bands[j])
                kept.append(i)
        self._store(curated.iloc[kept].reset_index(drop=True))
        return [outcomes[p.message.id] for p in parsed]

    def warm(self) -> None:
        """Load the tokenizer and the embedding model now, before any message is read: a first batch
        that waited for them could stay pending past ``claim_idle_ms`` and be claimed by another consumer."""
        if self._tokenizer is None:
            self._tokenizer = load_tokenizer(resolve_model_dir(self.settings.embedding_model))
        encoder_for(self.settings)

    def _store(self, curated: pd.DataFrame) -> None:
        """Chunk the text columns of ``curated`` and upsert their vectors."""
        if not len(curated):
            return
        options = self.config.stream
        assert options is not None
        if self._tokenizer is None:
            self._tokenizer = load_tokenizer(resolve_model_dir(self.settings.embedding_model))
        rows: list[dict[str, object]] = []
        declared = [c for c, t in self.config.declared_types.items() if t == "text"]
        chunking = self.config.chunking.model_copy(update={"detect": False})  # a batch's values must not decide what is text
        chunk_source(
            FrameSource(curated), rows.extend, self._tokenizer, chunking, self.settings.chunk_tokens, self.settings.chunk_overlap,
            lambda texts: embed_cached(self.settings, texts)[0], declared, self.config.name,
        )
        if not rows:
            return
        table: pa.Table = chunk_arrow_table(chunk_table_frame(rows))
        vectors, _ = embed_cached(self.settings, table.column("text").to_pylist())
        name = embedder_id(self.settings.embedding_model, self.settings.embedding_backend)
        if self._store_ is None:
            assert self.settings.data_dir is not None
            self._store_ = VectorStore(Layout(self.settings.data_dir).vectors, self.settings.vector_table or "chunks")
        self.stored += self._store_.upsert(table, vectors, name)
        self.writes += 1
        if self.writes % options.compact_every == 0:
            self._store_.compact(KEEP_VERSIONS)


def cross_batch_near(
    config: SourceConfig, records: list[dict[str, object]], recent: Callable[[list[str]], dict[str, dict[str, object]]],
) -> tuple[dict[int, str], list[list[str]]]:
    """Near-duplicates of earlier batches' records among ``records`` (this batch's new records, as published).

    The CSV path's near-duplicate job (headwater.clean.dedup.fuzzy.NearDuplicateText, the source's
    ``dedup.text`` and ``dedup.may_differ``): MinHash signatures and LSH band keys of the free-text
    columns (``text_signatures``); ``recent(band keys)`` returns the window's records sharing a
    band; a pair (earlier record, new record) whose Jaccard estimate reaches the threshold and
    whose other columns agree (``Vetoes``) makes the new record a duplicate (``near_text``, the
    leader rule). Returns (index in ``records`` -> row id of the earlier record it duplicates,
    band keys ``"<band>:<key>"`` of every record: empty for a record without text or when the job
    is off). A record never matches itself (a redelivered message), nor an earlier record of its own
    ``id_field`` value: a later event of one id with other content is a new version (an update), not a copy.
    """
    finder = NearDuplicateText(config.dedup, config.declared_types)
    nothing: tuple[dict[int, str], list[list[str]]] = ({}, [[] for _ in records])
    if not records or not finder.enabled:
        return nothing
    t = finder.options.text
    columns = [c for c in records[0] if c not in ("row_id", "entry_id")]
    batch = pd.DataFrame([[r.get(c) for c in columns] for r in records], columns=columns)
    roles = decide_roles({c: batch[c] for c in columns}, finder.declared, None if t.columns is None else list(t.columns), t.min_chars, t.min_words)
    text = list(roles.text)
    if not text:
        return nothing
    _, band_keys, valid = text_signatures({c: batch[c] for c in text}, text, t)
    keys = [[f"{k}:{int(b)}" for k, b in enumerate(row)] if ok else [] for row, ok in zip(band_keys.tolist(), valid.tolist())]
    own = {str(r["row_id"]) for r in records}
    found = recent(sorted({k for ks in keys for k in ks}))
    old = sorted((r for rid, r in found.items() if rid not in own), key=lambda r: entry_line(str(r["entry_id"])))
    if not old:
        return {}, keys
    m = len(old)
    frame = pd.DataFrame([[r.get(c) for c in columns] for r in old + records], columns=columns)
    cols = {c: frame[c] for c in columns}
    roles = decide_roles(cols, finder.declared, text, t.min_chars, t.min_words)
    vetoes = Vetoes.build(cols, roles.vetoing(set(finder.options.may_differ)), set(roles.numeric), finder.options.linkage.numeric_tolerance)
    sig8, bands, has_text = text_signatures(cols, text, t)
    later = np.arange(len(frame)) >= m
    id_field = config.stream.id_field if config.stream is not None else None
    both = old + records
    own_id = [None if not id_field or r.get(id_field) is None else str(r.get(id_field)) for r in both]
    content = [tuple(r.get(c) for c in columns if is_value_column(c)) for r in both]

    def allow(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # an earlier record of the same id and other values is an older version
        version = np.array([own_id[x] is not None and own_id[x] == own_id[y] and content[x] != content[y] for x, y in zip(a.tolist(), b.tolist())],
                           dtype=bool)
        return (a < m) & (b >= m) & ~version

    matches = near_text(sig8, bands, has_text, vetoes, t, text, allow=allow, later=later)
    return {int(row) - m: str(old[int(matches.partner[row])]["row_id"]) for row in matches.duplicates.tolist()}, keys


def record_json(record: dict[str, object]) -> str:
    """A processed record as the JSON text the lookup cache and the output stream hold."""
    return json.dumps(record, ensure_ascii=False, sort_keys=False, default=str)
