"""Duplicate detection: MinHash (minhash.py), state across batches (state.py), the persistent index (index.py),
and the two steps: exact (exact.py) and near (near.py)."""
