"""Staging rows -> the frame the steps work on: canonical column names, bookkeeping columns, row ids."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from headwater import SCHEMA_VERSION

from headwater.clean.mapping import ColumnMapping, map_columns
from headwater.clean.steps.base import DERIVED_SUFFIXES, LINE, ROW_ID, SOURCE, data_columns
from headwater.ids import SEPARATOR

if TYPE_CHECKING:
    from headwater.config.source import SourceConfig


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
    out = df.copy()
    if not len(out):
        out[ROW_ID] = pd.Series(dtype="string")
        return out
    parts = [pa.array([SCHEMA_VERSION] * len(out), pa.large_string())]
    # Columns derived by later steps (<col>__raw, <col>__imputed) exist only in the batches that
    # needed them; a row's id must not depend on its batch, so they join the payload separately.
    derived = [c for c in data_columns(out) if c.endswith(DERIVED_SUFFIXES)]
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
