"""Cleaning pipeline: a list of small steps, each owning one job.

A step returns the rows it keeps and the rows it rejects *with a reason*; rejected
rows go to quarantine (or to the duplicates record), never to /dev/null, so that
``rows_read == curated + duplicates + quarantined`` holds for every file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from headwater.dedup import CLUSTER_ID, DedupOptions, DedupState, content_keys
from headwater.text import TextOptions, normalize_array

if TYPE_CHECKING:
    from headwater.schema import ColumnMapping
    from headwater.sources import SourceConfig

# Bookkeeping columns carried next to the data; they start with "_" so data columns never clash.
LINE = "_line"
ROW_ID = "_row_id"
SOURCE = "_source"
REASON = "_reason"
DUPLICATE_OF = "_duplicate_of"
SIMILARITY = "_similarity"


def data_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if not c.startswith("_")]


@dataclass
class StepOutput:
    kept: pd.DataFrame
    quarantined: pd.DataFrame = field(default_factory=pd.DataFrame)  # rows + REASON
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)  # rows + DUPLICATE_OF, SIMILARITY


class Step(Protocol):
    name: str

    def apply(self, df: pd.DataFrame) -> StepOutput: ...


class NormalizeText:
    """Repair encoding damage, strip HTML, mask e-mails/phones in prose, tidy whitespace in every text value.

    Column at a time (headwater.text.normalize_array): Arrow regex kernels, and ftfy / the HTML
    parser only for the values that can change under them.
    """

    name = "normalize_text"

    def __init__(self, options: TextOptions | None = None) -> None:
        self.options = options if isinstance(options, TextOptions) else TextOptions()

    def apply(self, df: pd.DataFrame) -> StepOutput:
        import pyarrow as pa

        out = df.copy()
        wanted = self.options.columns
        for col in data_columns(out):
            if (wanted is not None and col not in wanted) or not _is_text(out[col]):
                continue
            arr = normalize_array(pa.Array.from_pandas(out[col]), self.options)
            out[col] = pd.Series(pd.arrays.ArrowStringArray(arr.cast(pa.large_string())), index=out.index).astype("string")
        return StepOutput(out)


def _is_text(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series.dtype) or series.dtype == object


class DropEmptyRows:
    """A row with every data value missing carries nothing: quarantine it so it is still counted."""

    name = "drop_empty_rows"

    def apply(self, df: pd.DataFrame) -> StepOutput:
        cols = data_columns(df)
        empty = df[cols].isna().all(axis=1) if cols else pd.Series(True, index=df.index)
        rejected = df[empty].copy()
        rejected[REASON] = rejected[LINE].map(lambda n: f"line {n}: every value is empty — row quarantined")
        return StepOutput(df[~empty], quarantined=rejected)


class ExactDuplicates:
    """Keep the first occurrence of each identical normalized row; record the others as duplicates.

    The key is a 64-bit hash of the row's normalized content (not its source), so a row is also
    matched against earlier batches and, when the clean stage attached the dedup index, against
    the rows earlier files kept (headwater.dedup).
    """

    name = "exact_duplicates"

    def __init__(self, options: DedupOptions | None = None) -> None:
        self.options = options if isinstance(options, DedupOptions) else DedupOptions()
        self.state: DedupState | None = None

    def apply(self, df: pd.DataFrame) -> StepOutput:
        if not self.options.exact or df.empty:
            return StepOutput(df)
        if self.state is None:
            self.state = DedupState(self.options)
        df = df.reset_index(drop=True)
        keys = content_keys(df, data_columns(df))
        row_ids = df[ROW_ID].astype(str).to_numpy()
        first_pos = pd.Series(np.arange(len(df))).groupby(keys, sort=False).transform("first").to_numpy()
        earlier = self.state.find_exact(keys)
        dup = (first_pos != np.arange(len(df))) | (earlier >= 0)
        partner = row_ids[first_pos].tolist()
        cluster = list(partner)
        for i in np.nonzero(earlier >= 0)[0].tolist():  # an earlier batch or file kept this content
            partner[i], cluster[i] = self.state.exact_ref(int(earlier[i]))
        kept = ~dup
        self.state.add_exact(keys[kept], row_ids[kept].tolist(), row_ids[kept].tolist())
        self.state.last_keys = (row_ids[kept], keys[kept])  # the near-duplicate step reuses them
        dups = df[dup].copy()
        dups[DUPLICATE_OF] = [partner[i] for i in np.nonzero(dup)[0]]
        dups[CLUSTER_ID] = [cluster[i] for i in np.nonzero(dup)[0]]
        dups[SIMILARITY] = 1.0
        return StepOutput(df[kept], duplicates=dups)


def build_steps(config: SourceConfig | None = None) -> list[Step]:
    """The cleaning pipeline for one source (``config``: headwater.sources; None = defaults, no config)."""
    from headwater.dedup import NearDuplicates
    from headwater.impute import Impute
    from headwater.sources import SourceConfig
    from headwater.types import CoerceTypes, NullSpellings
    from headwater.validate import ValidateSchema

    config = config or SourceConfig()
    return [
        NormalizeText(config.text),  # so that values differing only in markup/whitespace compare equal
        NullSpellings(config.types.na_values),  # so missing values are missing, whatever the exporter wrote
        CoerceTypes(config.declared_types, config.types, config.identifiers),  # real numbers/booleans/dates; failures kept in <col>__raw or quarantined
        DropEmptyRows(),  # blank records are counted but not curated
        ExactDuplicates(config.dedup),  # same normalized content twice is one record
        NearDuplicates(config.dedup, config.identifiers),  # a typo or a new id does not make a new record (MinHash LSH + rapidfuzz)
        Impute(config.impute, config.declared_types, config.identifiers),  # fill gaps per column strategy, flagged in <col>__imputed
        ValidateSchema(config.schema),  # a row breaking a rule of the canonical schema is quarantined with the rule
    ]


def default_steps() -> list[Step]:
    """The pipeline with no source config: standardized columns, inferred types, no imputation or validation."""
    return build_steps(None)


@dataclass
class CleanResult:
    curated: pd.DataFrame
    duplicates: pd.DataFrame
    quarantined: pd.DataFrame
    steps: dict[str, dict[str, int]]


def build_frame(
    header: list[str], records: list[list[str]], lines: list[int], source: str, config: SourceConfig | None = None
) -> tuple[pd.DataFrame, ColumnMapping]:
    """Staging records -> a DataFrame with canonical (or standardized) column names and bookkeeping columns."""
    width = len(header)
    values = pd.DataFrame(records, columns=[f"c{i}" for i in range(width)], dtype="string") if records else pd.DataFrame(
        {f"c{i}": pd.Series(dtype="string") for i in range(width)}
    )
    return frame_from_staging(values, lines, header, source, config)


def frame_from_staging(
    values: pd.DataFrame, lines: list[int] | pd.Series, header: list[str], source: str, config: SourceConfig | None = None
) -> tuple[pd.DataFrame, ColumnMapping]:
    """Name the staging columns (positional, one per header field) after the source's canonical schema.

    Canonical columns missing from the file are added empty, so every file of a source
    has the same columns; unmapped columns keep their standardized names and follow.
    """
    from headwater.schema import map_columns

    mapping = map_columns(header, config.schema if config else None, config.mapping if config else None)
    df = values.astype("string").set_axis([m.output for m in mapping.matches], axis=1)
    for name in mapping.missing:
        df[name] = pd.Series(pd.NA, index=df.index, dtype="string")
    df = df[mapping.order].reset_index(drop=True)
    df.insert(0, LINE, pd.Series(list(lines), dtype="int64"))
    df.insert(0, SOURCE, source)
    return df, mapping


def assign_row_ids(df: pd.DataFrame) -> pd.DataFrame:
    """Row id = hash(schema version, source, normalized content): identical rows share an id.

    Same ids as ``stable_id(source, *values)`` row by row, with the payloads joined by Arrow
    (text columns as they are, other columns through Python ``str`` as stable_id does).
    """
    import hashlib

    import pyarrow as pa
    import pyarrow.compute as pc

    from headwater import SCHEMA_VERSION
    from headwater.ids import _SEP as SEPARATOR

    out = df.copy()
    if not len(out):
        out[ROW_ID] = pd.Series(dtype="string")
        return out
    parts = [pa.array([SCHEMA_VERSION] * len(out), pa.large_string())]
    # Columns derived by later steps (<col>__raw, <col>__imputed) exist only in the batches that
    # needed them; a row's id must not depend on its batch, so they join the payload separately.
    derived = [c for c in data_columns(out) if c.endswith(("__raw", "__imputed"))]
    for col in [SOURCE, *(c for c in data_columns(out) if c not in derived)]:
        series = out[col]
        if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
            arr = pa.Array.from_pandas(series).cast(pa.large_string())
        else:
            arr = pa.array(["" if pd.isna(v) else str(v) for v in series], pa.large_string())
        parts.append(pc.fill_null(arr, ""))
    payloads = pc.binary_join_element_wise(*parts, pa.scalar(SEPARATOR, pa.large_string()))
    if derived:
        # only the values actually present, named: "lifetime_value__raw=unknown"
        extra = [
            SEPARATOR.join(f"{c}={v}" for c, v in zip(derived, vals) if not pd.isna(v))
            for vals in out[derived].itertuples(index=False, name=None)
        ]
        payloads = pa.array(
            [p if not e else p + SEPARATOR + e for p, e in zip(payloads.to_pylist(), extra)], pa.large_string()
        )
    blake2b = hashlib.blake2b
    out[ROW_ID] = [blake2b(p.encode("utf-8"), digest_size=16).hexdigest() for p in payloads.to_pylist()]
    return out


def run_steps(df: pd.DataFrame, steps: list[Step]) -> CleanResult:
    quarantined, duplicates, stats = [], [], {}
    for step in steps:
        before = len(df)
        if step.name == "exact_duplicates":
            df = assign_row_ids(df)  # ids depend on normalized content, so assign right before dedup
        out = step.apply(df)
        df = out.kept
        if len(out.quarantined):
            quarantined.append(out.quarantined)
        if len(out.duplicates):
            duplicates.append(out.duplicates)
        stats[step.name] = {"in": before, "kept": len(df), "quarantined": len(out.quarantined), "duplicates": len(out.duplicates)}
    if ROW_ID not in df.columns:
        df = assign_row_ids(df)
    df = df[[ROW_ID, SOURCE, LINE, *data_columns(df)]]
    return CleanResult(
        curated=df.reset_index(drop=True),
        duplicates=pd.concat(duplicates, ignore_index=True) if duplicates else pd.DataFrame(),
        quarantined=pd.concat(quarantined, ignore_index=True) if quarantined else pd.DataFrame(),
        steps=stats,
    )
