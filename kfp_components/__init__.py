"""Headwater's Kubeflow half: QLoRA fine-tuning and quantized evaluation.

Layout:
- ``lib/``: the work itself, plain typed functions (unit-tested, no kfp imports).
- one module per ``@dsl.component`` (thin wrappers that import ``lib`` inside
  their body, because kfp ships only the function source to the pod).
- ``pipeline.py``: the pipeline; ``python -m kfp_components.pipeline`` compiles
  it to ``headwater_finetune_pipeline.yaml``.
- ``run_local.py``: runs the whole pipeline on this machine with ``kfp.local``.

Importing this package is cheap: nothing heavy (torch, kfp) is imported here.
"""

import os

# Every component runs in this image (built from kfp_components/Dockerfile), registry-qualified so a
# cluster never resolves it on Docker Hub. Set at build time: build and push the image under the name
# in HEADWATER_TRAIN_IMAGE, then `make compile-pipeline` with the same variable writes it into the YAML.
# Bump the default together with the Dockerfile and requirements.txt, then recompile.
DEFAULT_TRAIN_IMAGE = "registry.example.com/headwater/train:0.2.0"
TRAIN_IMAGE = os.environ.get("HEADWATER_TRAIN_IMAGE") or DEFAULT_TRAIN_IMAGE
