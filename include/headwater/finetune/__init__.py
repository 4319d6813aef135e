"""Fine-tuning without Airflow: export (export.py), registry and decision (registry.py), local runner, eval table."""
