"""Fine-tuning without Airflow: examples from the tables (examples.py), per-file parts (parts.py), the
incremental export (export.py), registry and decision (registry.py), local runner, eval table."""
