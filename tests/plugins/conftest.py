"""Airflow puts the plugins folder on sys.path when it is imported; the plugin tests need that first."""

from __future__ import annotations

import airflow.settings  # noqa: F401  (adds $AIRFLOW__CORE__PLUGINS_FOLDER to sys.path)
