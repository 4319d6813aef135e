"""The Airflow Connection that says where Kubeflow Pipelines is, or that it runs locally.

Connection ``kfp_default`` (type ``http``):

* host: the KFP API base URL, e.g. ``https://kubeflow.example.com/pipeline`` (``local`` or no
  connection at all: run the pipeline with kfp.local in ``.venv-kfp``);
* password: a bearer token (or extra ``token``);
* extra (all optional): ``experiment_id``, ``verify_ssl`` (true/false or a CA bundle path),
  ``ui_host``, ``service_account``, ``pipeline_root``, ``examples_uri_prefix`` (an
  ``ObjectStoragePath`` URI such as ``s3://aws_default@bucket/headwater/finetune`` the export
  is copied to, so the cluster can read it), ``request_timeout_s``.
"""

from __future__ import annotations

from airflow.sdk import BaseHook
from airflow.sdk.exceptions import AirflowNotFoundException

from headwater_kfp.client import KfpConfig, KfpRestClient


class KubeflowPipelinesHook(BaseHook):
    conn_name_attr = "kfp_conn_id"
    default_conn_name = "kfp_default"
    conn_type = "http"
    hook_name = "Kubeflow Pipelines"

    def __init__(self, kfp_conn_id: str = default_conn_name) -> None:
        super().__init__()
        self.kfp_conn_id = kfp_conn_id

    @staticmethod
    def _config(conn) -> KfpConfig | None:  # noqa: ANN001 - airflow.sdk.Connection
        return KfpConfig.from_connection(
            host=conn.host, conn_type=conn.conn_type, schema=conn.schema, port=conn.port, password=conn.password, extra=conn.extra_dejson
        )

    def get_config(self) -> KfpConfig | None:
        """The REST settings, or None for the embedded kfp.local mode (no connection, or host ``local``)."""
        try:
            conn = self.get_connection(self.kfp_conn_id)
        except AirflowNotFoundException:
            self.log.info("no connection %r: running the pipeline locally with kfp.local", self.kfp_conn_id)
            return None
        return self._config(conn)

    async def aget_config(self) -> KfpConfig | None:
        try:
            conn = await self.aget_connection(self.kfp_conn_id)
        except AirflowNotFoundException:
            return None
        return self._config(conn)

    def get_conn(self) -> KfpRestClient:
        config = self.get_config()
        if config is None:
            raise ValueError(f"connection {self.kfp_conn_id!r} is missing or local: there is no KFP API to talk to")
        return KfpRestClient(config)
