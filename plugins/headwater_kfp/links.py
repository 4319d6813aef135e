"""The "Kubeflow run" button on the operator's task instances."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow.sdk import BaseOperatorLink
from airflow.sdk.execution_time.xcom import XCom

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator
    from airflow.sdk.types import TaskInstanceKey

RUN_URL_KEY = "kfp_run_url"  # pushed by the operator as soon as the run exists


class KubeflowRunLink(BaseOperatorLink):
    """``<host>/#/runs/details/<run_id>``; empty for local (kfp.local) runs, which have no UI."""

    name = "Kubeflow run"

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        return XCom.get_value(ti_key=ti_key, key=RUN_URL_KEY) or ""
