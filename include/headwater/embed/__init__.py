"""The embed stage: the model (model.py), the embedding cache (cache.py), the vector store (store.py)."""
