"""Search a user can steer: filters, the full-text index, rank fusion, and stores written before them."""

from pathlib import Path

import lancedb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from headwater.embed.search import SearchFilter, reciprocal_rank_fusion, search
from headwater.embed.store import Hit, VectorStore


def test_the_filter_is_one_sql_expression() -> None:
    assert SearchFilter().where() is None
    where = SearchFilter(("pets", "o'brien"), ("pets.csv", "a.zip/b.csv"), "2026-11-20", "2026-11-21", ("breed",)).where()
    assert where == (
        "(source_name IN ('pets', 'o''brien')) AND "
        "(concat(left(source_file, 11), 'pets.csv') = source_file OR concat(left(source_file, 11), 'a.zip/b.csv') = source_file) AND "
        "(left(source_file, 10) >= '2026-11-20') AND (left(source_file, 10) <= '2026-11-21') AND "
        "(array_has_any(columns, ['breed']))"
    )


def _hit(id: str, source_file: str = "2026-11-20/pets.csv", columns=("breed",), source_name="pets") -> Hit:
    return Hit(0.0, source_file, 2, "_row", "t", id, source_name=source_name, columns=list(columns))


def test_the_filter_accepts_the_same_hits_in_python() -> None:
    f = SearchFilter(("pets",), ("pets.csv",), "2026-11-20", "2026-11-20", ("breed",))
    assert f.accepts(_hit("a"))
    assert not f.accepts(_hit("a", "2026-11-21/pets.csv"))
    assert not f.accepts(_hit("a", "2026-11-20/x.zip/pets.csv"))  # a zip member named pets.csv is another file
    assert not f.accepts(_hit("a", columns=("species",)))
    assert not f.accepts(_hit("a", source_name="default"))


def test_reciprocal_rank_fusion_adds_one_over_60_plus_rank() -> None:
    a, b, c, d = (_hit(i) for i in "abcd")
    fused = reciprocal_rank_fusion([[a, b, c], [c, d, a]], k=3)
    assert [(h.id, round(h.score, 6)) for h in fused] == [
        ("a", round(1 / 61 + 1 / 63, 6)), ("c", round(1 / 63 + 1 / 61, 6)), ("b", round(1 / 62, 6)),
    ]  # a and c tie: a's fields, then the id, decide; d (1/62) ties b and loses on the id


ROWS = [  # (file, text, columns, source name, vector direction)
    ("2026-11-20/pets.csv", "Pet name: Max\nSpecies: dog\nBreed: Beagle", ["pet_name", "species", "breed"], "pets", 0),
    ("2026-11-20/pets.csv", "Pet name: Whiskers\nSpecies: cat\nBreed: Siamese", ["pet_name", "species", "breed"], "pets", 1),
    ("2026-11-21/pets.csv", "Pet name: Bella\nSpecies: dog\nBreed: Golden Retriever", ["pet_name", "species", "breed"], "pets", 2),
    ("2026-11-20/inspections.csv", "Business name: Hot Dog Stand\nScore: 88", ["business_name", "score"], "default", 3),
]


def _store(tmp_path: Path) -> VectorStore:
    store = VectorStore(tmp_path / "v", dim=4)
    for file in dict.fromkeys(r[0] for r in ROWS):
        rows = [(i, r) for i, r in enumerate(ROWS) if r[0] == file]
        chunks = pd.DataFrame({
            "id": [f"id{i}" for i, _ in rows], "source_file": file, "row_id": [f"r{i}" for i, _ in rows], "line": [i + 2 for i, _ in rows],
            "column": "_row", "chunk_index": 0, "char_start": 0, "char_end": [len(r[1]) for _, r in rows], "text": [r[1] for _, r in rows],
            "strategy": "row", "columns": [r[2] for _, r in rows], "source_name": [r[3] for _, r in rows],
        })  # fmt: skip
        store.replace_source(file, chunks, np.eye(4, dtype=np.float32)[[r[4] for _, r in rows]], "m")
    return store


def test_vector_search_filters_before_taking_k(tmp_path: Path) -> None:
    store = _store(tmp_path)
    query = np.array([0.9, 0.1, 0.3, 0.5], dtype=np.float32)
    assert [h.id for h in search(store, "", query, k=2)] == ["id0", "id3"]
    assert [h.id for h in search(store, "", query, k=2, where=SearchFilter(sources=("pets",)))] == ["id0", "id2"]
    assert [h.id for h in search(store, "", query, k=2, where=SearchFilter(date_from="2026-11-21"))] == ["id2"]
    assert [h.id for h in search(store, "", query, k=5, where=SearchFilter(files=("inspections.csv",)))] == ["id3"]
    assert [h.id for h in search(store, "", query, k=5, where=SearchFilter(columns=("score", "nothing")))] == ["id3"]
    hit = search(store, "", query, k=1)[0]
    assert (hit.source_file, hit.line, hit.row_id, hit.strategy, hit.date, hit.source_name, hit.columns, round(hit.score, 4)) == (
        "2026-11-20/pets.csv", 2, "r0", "row", "2026-11-20", "pets", ["pet_name", "species", "breed"], round(0.9 / np.linalg.norm(query), 4),
    )


def test_full_text_search_builds_its_index_once_and_sees_rows_written_after_it(tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert [h.id for h in store.text_search("dog", 5)] == ["id3", "id0", "id2"]  # BM25: the shortest document first
    table = lancedb.connect(str(tmp_path / "v")).open_table("chunks")
    assert [(i.columns, i.index_type) for i in table.list_indices()] == [(["text"], "FTS")]
    assert [h.id for h in store.text_search("siamese cats", 5)] == ["id1"]  # stemmed: cats -> cat
    assert [h.id for h in store.text_search("dog", 5, SearchFilter(sources=("pets",), date_to="2026-11-20").where())] == ["id0"]
    more = pd.DataFrame({"id": ["id9"], "source_file": "2026-11-22/pets.csv", "row_id": "r9", "line": 2, "column": "_row", "chunk_index": 0,
                         "char_start": 0, "char_end": 9, "text": "Breed: Siamese", "strategy": "row", "columns": [["breed"]], "source_name": "pets"})
    store.replace_source("2026-11-22/pets.csv", more, np.eye(4, dtype=np.float32)[:1], "m")
    assert sorted(h.id for h in store.text_search("siamese", 5)) == ["id1", "id9"]  # not indexed yet, searched all the same
    assert store.text_search("   ", 5) == []


def test_hybrid_search_puts_the_row_both_rankings_agree_on_first(tmp_path: Path) -> None:
    store = _store(tmp_path)
    query = np.array([0.0, 0.0, 0.7, 0.71], dtype=np.float32)  # the vectors favour the hot dog stand, barely
    assert [h.id for h in search(store, "golden retriever", query, k=2)] == ["id3", "id2"]
    hybrid = search(store, "golden retriever", query, k=2, hybrid=True)
    assert [h.id for h in hybrid] == ["id2", "id3"]  # words: only Bella is a golden retriever
    assert round(hybrid[0].score, 6) == round(1 / 62 + 1 / 61, 6)
    assert [h.id for h in search(store, "golden retriever", query, k=2, hybrid=True, where=SearchFilter(sources=("default",)))] == ["id3"]


def test_a_store_written_before_source_names_and_columns_gets_them_on_its_next_write(tmp_path: Path) -> None:
    old = pa.schema([
        pa.field("id", pa.string()), pa.field("source_file", pa.string()), pa.field("row_id", pa.string()), pa.field("line", pa.int64()),
        pa.field("column", pa.string()), pa.field("chunk_index", pa.int64()), pa.field("char_start", pa.int64()),
        pa.field("char_end", pa.int64()), pa.field("text", pa.string()), pa.field("strategy", pa.string()), pa.field("model", pa.string()),
        pa.field("vector", pa.list_(pa.float32(), 4)),
    ])  # fmt: skip
    db = lancedb.connect(str(tmp_path / "v"))
    row = {"id": "old", "source_file": "2026-11-19/a.csv", "row_id": "r", "line": 2, "column": "body", "chunk_index": 0, "char_start": 0,
           "char_end": 4, "text": "shoe", "strategy": "raw", "model": "m", "vector": [1.0, 0.0, 0.0, 0.0]}
    db.create_table("chunks", schema=old).add([row])
    store = VectorStore(tmp_path / "v", dim=4)
    assert [h.columns for h in store.search(np.eye(4, dtype=np.float32)[0], 1)] == [["body"]]  # read before the migration
    chunks = pd.DataFrame({"id": ["new"], "source_file": "2026-11-20/b.csv", "row_id": "r", "line": 2, "column": "body", "chunk_index": 0,
                           "char_start": 0, "char_end": 4, "text": "boot"})  # a chunk table from before too
    store.replace_source("2026-11-20/b.csv", chunks, np.eye(4, dtype=np.float32)[1:2], "m")
    table = db.open_table("chunks").to_pandas().set_index("id")
    assert pd.isna(table.loc["old", "source_name"]) and table.loc["old", "columns"] is None
    assert table.loc["new", "columns"].tolist() == ["body"] and pd.isna(table.loc["new", "source_name"])
    assert [h.id for h in search(store, "", np.eye(4, dtype=np.float32)[1], 5, SearchFilter(columns=("body",)))] == ["new"]  # old rows: no columns yet


@pytest.mark.parametrize("hybrid", [False, True])
def test_an_empty_store_finds_nothing(tmp_path: Path, hybrid: bool) -> None:
    assert search(VectorStore(tmp_path / "none", dim=4), "dog", np.ones(4, dtype=np.float32), 3, hybrid=hybrid) == []


def test_the_text_index_takes_in_unindexed_rows_once_they_outnumber_the_indexed_ones(tmp_path: Path) -> None:
    store = _store(tmp_path)  # 4 rows
    store.text_search("dog", 1)  # builds the index over them

    def stats() -> tuple[int, int]:
        (index,) = lancedb.connect(str(tmp_path / "v")).open_table("chunks").list_indices()
        return index.num_indexed_rows, index.num_unindexed_rows

    texts = ["Breed: Poodle", "Breed: Corgi", "Breed: Pug", "Breed: Boxer", "Breed: Husky"]
    more = pd.DataFrame({"id": [f"n{i}" for i in range(5)], "source_file": "2026-11-22/pets.csv", "row_id": "r", "line": range(2, 7),
                         "column": "_row", "chunk_index": 0, "char_start": 0, "char_end": 9, "text": texts, "strategy": "row",
                         "columns": [["breed"]] * 5, "source_name": "pets"})
    store.replace_source("2026-11-22/pets.csv", more.iloc[:4], np.eye(4, dtype=np.float32), "m")
    assert [h.id for h in store.text_search("corgi", 5)] == ["n1"] and stats() == (4, 4)  # as many as indexed: searched as they are
    store.replace_source("2026-11-22/pets.csv", more, np.eye(4, dtype=np.float32)[[0, 1, 2, 3, 0]], "m")
    assert [h.id for h in store.text_search("husky", 5)] == ["n4"] and stats() == (9, 0)  # 5 > 4: folded into the index
