"""Registers the "Kubeflow run" extra link with Airflow (the only module the plugin loader reads here)."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from headwater_kfp.links import KubeflowRunLink


class HeadwaterKfpPlugin(AirflowPlugin):
    name = "headwater_kfp"
    operator_extra_links = [KubeflowRunLink()]
