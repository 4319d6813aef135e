"""The clean stage: map columns (mapping.py), build the frame (frame.py), run the pipeline of steps (pipeline.py).

steps/ holds one module per cleaning step (base.py at the bottom); dedup/ holds duplicate
detection (MinHash, state, the persistent index, the exact and near steps); runner.py takes a
file's batches through the pipeline (batching, two-pass fits, raw values of rejected rows);
outputs.py writes what it produces; stage.py is the per-file entry point the DAG calls.
"""
