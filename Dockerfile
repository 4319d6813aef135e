# Airflow image with the Headwater DAGs and library (the Airflow environment, not the training one:
# kfp_components/Dockerfile builds the GPU training image).
ARG AIRFLOW_VERSION=3.3.2
FROM apache/airflow:${AIRFLOW_VERSION}-python3.11

# Point this at a CPU-only torch wheel index to keep the image small; by default pip takes
# torch from PyPI (which brings CUDA libraries).
ARG TORCH_EXTRA_INDEX_URL=""

USER airflow
COPY --chown=airflow:0 requirements.txt /opt/headwater/requirements.txt
RUN pip install --no-cache-dir ${TORCH_EXTRA_INDEX_URL:+--extra-index-url ${TORCH_EXTRA_INDEX_URL}} \
        "apache-airflow==${AIRFLOW_VERSION}" -r /opt/headwater/requirements.txt

COPY --chown=airflow:0 pyproject.toml README.md /opt/headwater/
COPY --chown=airflow:0 include /opt/headwater/include
# The compiled fine-tuning pipeline the KubeflowPipelineOperator submits (kfp itself is not installed here).
COPY --chown=airflow:0 kfp_components/headwater_finetune_pipeline.yaml /opt/headwater/kfp_components/
RUN pip install --no-cache-dir --no-deps -e /opt/headwater

COPY --chown=airflow:0 dags /opt/airflow/dags
COPY --chown=airflow:0 plugins /opt/airflow/plugins

ENV HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    HEADWATER_HOME=/opt/airflow/headwater \
    HEADWATER_KFP_PIPELINE=/opt/headwater/kfp_components/headwater_finetune_pipeline.yaml
