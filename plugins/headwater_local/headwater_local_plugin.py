"""Registers the listener that labels skipped per-file tasks with their file names (the only module the plugin loader needs here)."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from headwater_local import map_index_labels


class HeadwaterLocalPlugin(AirflowPlugin):
    name = "headwater_local"
    listeners = [map_index_labels]
