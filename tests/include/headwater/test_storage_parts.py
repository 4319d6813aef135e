"""headwater.storage.ParquetParts: one writer while the batches share a schema, the same file as writing parts then merging them.

The reference below is the writer as it was before (each batch ``DataFrame.to_parquet`` as a part,
then every part read back and written into the target under the unified schema), kept verbatim:
each case writes the same batches both ways and compares the files' rows, columns, types, schema
metadata (pandas dtypes), row groups and what pandas reads back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from headwater.storage import ParquetParts, _merged_order, _pandas_metadata


def reference_write(target: Path, batches: list[pd.DataFrame], transform: Any = None) -> pa.Schema:
    """The former ParquetParts: one part per batch, then the parts streamed into ``target``; returns its schema."""
    folder = target.with_name(target.name + ".ref-parts")
    folder.mkdir()
    parts: list[Path] = []
    for df in batches:
        if len(df) == 0 and parts:
            continue
        part = folder / f"part-{len(parts):05d}.parquet"
        df.to_parquet(part, index=False)
        parts.append(part)
    if len(parts) == 1 and transform is None:
        schema = pq.read_schema(parts[0])
        parts[0].rename(target)
        return schema
    schemas = [pq.read_schema(p) for p in parts]
    same = all(s.equals(schemas[0], check_metadata=False) for s in schemas)
    schema = schemas[0]
    if not same:
        unified = pa.unify_schemas([s.remove_metadata() for s in schemas], promote_options="permissive")
        schema = pa.schema([unified.field(n) for n in _merged_order([s.names for s in schemas])], _pandas_metadata(schemas))
    with pq.ParquetWriter(target, schema) as writer:
        for part in parts:
            table = pq.read_table(part)
            if not same:
                for name in schema.names:
                    if name not in table.column_names:
                        table = table.append_column(name, pa.nulls(len(table), schema.field(name).type))
                table = table.select(schema.names).cast(schema)
            if transform is not None:
                table = transform(table)
            writer.write_table(table.replace_schema_metadata(schema.metadata))
    return schema


def write_both(tmp_path: Path, batches: list[pd.DataFrame], transform: Any = None) -> tuple[Path, Path, ParquetParts]:
    old = tmp_path / "old.parquet"
    old_schema = reference_write(old, batches, transform)
    new = tmp_path / "new.parquet"
    parts = ParquetParts(new)
    for df in batches:
        parts.add(df)
    parts.commit(transform=transform)
    assert parts.schema.equals(old_schema, check_metadata=True)
    assert parts.rows == sum(len(df) for df in batches)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.parquet", "old.parquet", "old.parquet.ref-parts"]  # no parts left
    return old, new, parts


def assert_same_file(old: Path, new: Path) -> None:
    old_file, new_file = pq.ParquetFile(old), pq.ParquetFile(new)
    assert new_file.schema_arrow.equals(old_file.schema_arrow, check_metadata=True)
    assert new_file.schema_arrow.metadata == old_file.schema_arrow.metadata  # pandas' dtypes, column order
    assert [new_file.metadata.row_group(i).num_rows for i in range(new_file.num_row_groups)] == [
        old_file.metadata.row_group(i).num_rows for i in range(old_file.num_row_groups)
    ]
    assert pq.read_table(new).equals(pq.read_table(old), check_metadata=True)
    pd.testing.assert_frame_equal(pd.read_parquet(new), pd.read_parquet(old), check_exact=True)
    assert old_file.metadata.row_group(0).column(0).compression == new_file.metadata.row_group(0).column(0).compression


def typed(n: int, start: int = 0) -> pd.DataFrame:
    """A batch with the dtypes a curated table holds: strings both ways, nullable and numpy numbers, booleans, dates."""
    ids = range(start, start + n)
    return pd.DataFrame({
        "_row_id": [f"r{i:04d}" for i in ids],
        "_line": pd.array([i + 2 for i in ids], dtype="int64"),
        "name": pd.array([None if i % 3 == 0 else f"name {i}" for i in ids], dtype="string"),
        "plain": [f"p{i}" for i in ids],  # pandas 3's default str dtype
        "count": pd.array([None if i % 4 == 0 else i for i in ids], dtype="Int64"),
        "value": pd.array([None if i % 5 == 0 else i / 8 for i in ids], dtype="Float64"),
        "ratio": [i / 3 for i in ids],
        "flag": pd.array([None if i % 2 else i % 4 == 0 for i in ids], dtype="boolean"),
        "seen": pd.to_datetime([f"2025-01-{1 + i % 28:02d}" for i in ids]),
        "at": pd.to_datetime([f"2025-01-01 00:{i % 60:02d}" for i in ids]).tz_localize("UTC"),
        "day": [dt.date(2025, 1, 1 + i % 28) for i in ids],
    })


def with_raw(df: pd.DataFrame, col: str) -> pd.DataFrame:
    """``df`` with ``<col>__raw`` after ``col``, holding a text for its first row."""
    out = df.copy()
    raw = pd.array([None] * len(df), dtype="string")
    raw[0] = "n/k"
    out.insert(out.columns.get_loc(col) + 1, f"{col}__raw", raw)
    return out


CASES = {
    "one batch": lambda: [typed(5)],
    "batches sharing a schema": lambda: [typed(7), typed(7, 7), typed(3, 14)],
    "a __raw column in the second batch only": lambda: [typed(4), with_raw(typed(4, 4), "count"), typed(4, 8)],
    "a __raw column in the first batch only": lambda: [with_raw(typed(4), "value"), typed(4, 4), typed(4, 8)],
    "two batches share a schema, then a __raw column": lambda: [typed(4), typed(4, 4), with_raw(typed(4, 8), "name")],
    "a column empty in one batch (null type)": lambda: [
        typed(3).assign(note=["a", "b", "c"]), typed(3, 3).assign(note=[None, None, None]), typed(3, 6).assign(note=["d", None, "f"])],
    "an empty first batch, then rows": lambda: [typed(4).iloc[:0], typed(4), typed(4, 4)],
    "an empty batch in the middle": lambda: [typed(4), typed(4).iloc[:0], typed(4, 4)],
    "only an empty batch": lambda: [typed(4).iloc[:0]],
    "the same Arrow types, other pandas dtypes": lambda: [
        pd.DataFrame({"a": pd.array(["x", "y"], dtype="string")}), pd.DataFrame({"a": pd.array(["z", None], dtype="string[pyarrow]")})],
    "categorical columns": lambda: [
        pd.DataFrame({"c": pd.Categorical(["a", "b"])}), pd.DataFrame({"c": pd.Categorical(["c", "a"])})],
    "frame attrs": lambda: [typed(2).pipe(lambda d: d.attrs.update(source="x.csv") or d), typed(2, 2)],
}


@pytest.mark.parametrize("case", list(CASES))
def test_parts_write_the_file_the_former_writer_wrote(tmp_path: Path, case: str) -> None:
    old, new, _ = write_both(tmp_path, CASES[case]())
    assert_same_file(old, new)


@pytest.mark.parametrize("case", ["batches sharing a schema", "a __raw column in the second batch only", "one batch"])
def test_a_transform_rewrites_every_batch_as_before(tmp_path: Path, case: str) -> None:
    def upper(table: pa.Table) -> pa.Table:
        at = table.schema.get_field_index("plain")
        return table.set_column(at, table.schema.field(at), pa.array([v.upper() for v in table["plain"].to_pylist()], table.schema.field(at).type))

    old, new, _ = write_both(tmp_path, CASES[case](), upper)
    assert_same_file(old, new)
    assert pd.read_parquet(new)["plain"].tolist()[:3] == ["P0", "P1", "P2"]


def test_batches_sharing_a_schema_are_encoded_once_into_one_file(tmp_path: Path) -> None:
    parts = ParquetParts(tmp_path / "out.parquet")
    for k in range(3):
        parts.add(typed(5, 5 * k))
    assert len(parts.parts) == 1  # one file (still open in the writer: no footer yet)
    parts.add(with_raw(typed(5, 15), "value"))
    assert len(parts.parts) == 2  # a batch with another schema starts a part of its own
    assert pq.ParquetFile(parts.parts[0]).num_row_groups == 3  # and closed the first file: one row group per batch
    parts.commit()
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert out["_line"].tolist() == list(range(2, 22))
    assert out["value__raw"].tolist()[15] == "n/k" and out["value__raw"].isna().sum() == 19


def test_an_aborted_writer_leaves_no_file(tmp_path: Path) -> None:
    parts = ParquetParts(tmp_path / "out.parquet")
    parts.add(typed(3))
    parts.add(typed(3, 3))
    parts.abort()
    assert list(tmp_path.iterdir()) == []


def test_the_curated_file_of_a_clean_is_unchanged(tmp_path: Path) -> None:
    """A clean through CleanOutputs with batches whose columns differ: the former writer's file from the same batches."""
    batches = [typed(6), with_raw(typed(6, 6), "count"), typed(6, 12), with_raw(with_raw(typed(2, 18), "value"), "seen")]
    old, new, parts = write_both(tmp_path, batches)
    assert_same_file(old, new)
    assert list(pd.read_parquet(new).columns)[:7] == ["_row_id", "_line", "name", "plain", "count", "count__raw", "value"]
