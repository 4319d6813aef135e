"""Where the base model lives: built into the artifact, or referenced in place.

A real base model (GBs) is not copied into every pipeline's artifact store: the
``base_model`` artifact then holds only a pointer file naming the directory (on
the model-cache PVC, mounted at the same path in every step) or hub id.
Every consumer calls ``resolve_model_dir(artifact.path)`` and gets a path that
``from_pretrained`` accepts either way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kfp_components.lib.config import TinyModelSettings
from kfp_components.lib.sft_data import format_example, read_chunk_records
from kfp_components.lib.tiny_model import build_tiny_causal_lm

POINTER_FILE = "headwater_base_model.json"


def write_model_pointer(artifact_dir: str | Path, model_path: str) -> None:
    artifact_dir = Path(artifact_dir)
    artifact_dir.mkdir(parents=True, exist_ok=True)
    (artifact_dir / POINTER_FILE).write_text(json.dumps({"model_path": model_path}) + "\n", encoding="utf-8")


def resolve_model_dir(artifact_dir: str | Path) -> str:
    """The directory (or hub id) to pass to ``from_pretrained``."""
    pointer = Path(artifact_dir) / POINTER_FILE
    if pointer.exists():
        return json.loads(pointer.read_text(encoding="utf-8"))["model_path"]
    return str(artifact_dir)


def check_model_path(model_path: str) -> None:
    """Fail early, naming the path, when a local model directory is unusable."""
    path = Path(model_path)
    looks_local = model_path.startswith(("/", ".", "~")) or path.exists()
    if not looks_local:
        return  # a hub id such as "org/name": from_pretrained resolves it (needs network or a warm HF cache)
    if not (path / "config.json").is_file():
        raise FileNotFoundError(
            f"base_model_path={model_path!r}: no config.json there; point it at a directory written by "
            "save_pretrained (on the model-cache PVC), or leave it empty to build the tiny local model"
        )


def materialize_base_model(
    examples_path: str | Path, base_model_path: str, artifact_dir: str | Path, tiny: TinyModelSettings
) -> dict[str, Any]:
    """Reference ``base_model_path`` if given, else build the tiny model from the examples."""
    if base_model_path:
        check_model_path(base_model_path)
        write_model_pointer(artifact_dir, base_model_path)
        return {"kind": "external", "model_path": base_model_path}
    records = read_chunk_records(examples_path)
    # Train the tokenizer on the formatted examples so the template tokens stay compact.
    texts = ["".join(format_example(r)) for r in records]
    return build_tiny_causal_lm(texts, tiny, artifact_dir)
