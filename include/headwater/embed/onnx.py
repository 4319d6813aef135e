"""The ``onnx`` and ``onnx-int8`` embedding backends: an ONNX export of the packaged model, made locally, run by onnxruntime.

Why not sentence-transformers' own ``backend="onnx"``: it loads and exports through
optimum-onnx, whose only release (0.1.0) requires ``transformers<4.58`` while this environment
pins transformers 5.23 (requirements.txt). So the export is done here with the same two steps:

1. ``torch.onnx.export`` (TorchScript exporter, ``dynamo=False``: the dynamo exporter needs
   onnxscript) of the whole SentenceTransformer module chain (transformer, pooling, normalize),
   with dynamic batch and sequence axes: float32, the model's own outputs (the ``onnx`` backend);
2. for ``onnx-int8``, ``onnxruntime.quantization.quantize_dynamic`` of that graph: int8 weights of every MatMul,
   per channel, activations quantized at run time (no calibration data). Per-channel weights
   keep the cosine to the float model at >= 0.98 on short texts, where per-tensor weights or
   quantized embedding tables (``Gather``) fell to 0.88 here. Source: onnxruntime docs,
   https://onnxruntime.ai/docs/performance/model-optimizations/quantization.html

The export is made once per model version into ``<export dir>/<model>-<backend>/<fingerprint>/``
under a file lock, built in a temporary folder and renamed into place, so concurrent embed
tasks wait for one export instead of racing, and a crashed export leaves nothing half-written.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL_FILE = "model.int8.onnx"
FLOAT_FILE = "model.onnx"
OPSET = 17
QUANTIZATION = {"weight_type": "QInt8", "per_channel": True, "op_types_to_quantize": ["MatMul"]}


def model_fingerprint(model_dir: Path) -> str:
    """First 12 hex digits of a sha256 over ``config.json`` and every file's name and size under ``model_dir``.

    A new release of the model package gets a new export; the weights are not read.
    """
    h = hashlib.sha256((model_dir / "config.json").read_bytes())
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        h.update(f"{path.relative_to(model_dir).as_posix()}\0{path.stat().st_size}\n".encode())
    h.update(json.dumps([OPSET, QUANTIZATION]).encode())
    return h.hexdigest()[:12]


def ensure_export(model: SentenceTransformer, model_dir: Path, folder: Path, quantize: bool = True) -> Path:
    """The ONNX file of ``model`` (loaded from ``model_dir``) under ``folder``, exported on the first call.

    Returns ``<folder>/<fingerprint>/model.int8.onnx`` (``quantize``) or ``.../model.onnx`` (float32). Holds ``<folder>/.export.lock``
    (``fcntl.flock``) while checking and exporting, so one process exports and the others
    then find the file. Raises ImportError when onnxruntime or onnx is not installed.
    """
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = folder / model_fingerprint(model_dir) / (MODEL_FILE if quantize else FLOAT_FILE)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".export.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            return target
        names = list(model.tokenizer.model_input_names)
        sample = model.tokenizer(["an export sample", "a second, longer export sample text"], padding=True, return_tensors="pt")
        work = Path(tempfile.mkdtemp(prefix=".export-", dir=folder))
        try:
            # The tracer warns about Python conditions it freezes (padding, mask checks): they hold for every input shape.
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.onnx.export(
                    _features_module(model, names).eval(),
                    tuple(sample[n] for n in names),
                    str(work / FLOAT_FILE),
                    dynamo=False,
                    input_names=names,
                    output_names=["sentence_embedding"],
                    dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "sentence_embedding": {0: "batch"}},
                    opset_version=OPSET,
                )
            if quantize:
                quantize_dynamic(
                    work / FLOAT_FILE,
                    work / MODEL_FILE,
                    weight_type=QuantType.QInt8,
                    per_channel=QUANTIZATION["per_channel"],
                    op_types_to_quantize=QUANTIZATION["op_types_to_quantize"],
                )
                (work / FLOAT_FILE).unlink()
            details = {"model": str(model_dir), "opset": OPSET, "quantization": QUANTIZATION if quantize else None}
            (work / "export.json").write_text(json.dumps(details, indent=2))
            work.rename(target.parent)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target


def _features_module(model: SentenceTransformer, names: list[str]):  # noqa: ANN202 - a torch.nn.Module
    import torch

    class Features(torch.nn.Module):
        """Positional tensors in, the SentenceTransformer's ``sentence_embedding`` out (what the export traces)."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors):  # noqa: ANN002, ANN202
            return self.model(dict(zip(names, tensors)))["sentence_embedding"]

    return Features()


class OnnxEncoder:
    """An exported model in an onnxruntime CPU session; the SentenceTransformer's own tokenizer and max length."""

    def __init__(self, model: SentenceTransformer, path: Path, threads: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle pool threads sleep instead of spinning: on a shared, loaded machine spinning burned
        # about 70% more CPU for the same texts (2 threads: 1.13 vs 0.66 CPU-s for 200 short texts,
        # load 20 on 2 cores). Key from onnxruntime_session_options_config_keys.h (kOrtSessionOptionsConfigAllowIntraOpSpinning).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = model.tokenizer
        self.max_length = int(model.max_seq_length)
        self.names = [i.name for i in self.session.get_inputs()]
        self.dim = int(self.session.get_outputs()[0].shape[-1])
        self.path = path

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """(len(texts), dim) float32, L2-normalized; texts go in as given, ``batch_size`` at a time."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            batch = [t.strip() for t in texts[start : start + batch_size]]
            tokens = self.tokenizer(batch, padding=True, truncation=True, max_length=self.max_length, return_tensors="np")
            (vectors,) = self.session.run(None, {n: tokens[n].astype(np.int64) for n in self.names})
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            out[start : start + len(batch)] = vectors / np.maximum(norms, 1e-12)
        return out
