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

# Every component runs in this image (built from kfp_components/Dockerfile).
# Bump it together with the Dockerfile and requirements.txt, then recompile.
TRAIN_IMAGE = "headwater-train:0.1.0"
