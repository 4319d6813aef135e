"""The cluster tests start a whole Airflow cluster (minutes): they run only when selected with ``-m cluster``.

``make test-cluster`` selects them (``.ci/run`` runs it after ``make test``, see README "The cluster test"); a plain ``pytest tests`` or ``make test``
deselects them here, so the everyday suite stays fast.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "cluster" in (config.getoption("markexpr") or ""):
        return
    deselected = [item for item in items if item.get_closest_marker("cluster")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("cluster")]
