"""Headwater: heterogeneous daily CSV drops -> curated records, chunks, vectors.

The library has no Airflow imports: every stage is a plain function or a small
class, so it can be tested and run without a scheduler. DAG files in ``dags/``
only wire these stages together.
"""

__version__ = "0.3.0"  # bumped with row documents (issue 11): every file is reprocessed once, so record tables gain them

# Bumped whenever the meaning of ids or curated columns changes; it is hashed
# into every row, chunk and vector id so old and new outputs never collide.
SCHEMA_VERSION = "1"
