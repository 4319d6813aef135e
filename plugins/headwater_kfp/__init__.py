"""Kubeflow Pipelines for Airflow without kfp: operator, trigger, hook, REST client, extra link.

Import from the submodules (``headwater_kfp.operator`` ...). The Airflow plugin that registers
the extra link is ``headwater_kfp_plugin.py``; the other modules are hidden from the plugin
loader by ``.airflowignore`` (it would import ``operator.py`` as a top-level ``operator`` module).
"""
