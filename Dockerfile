# Airflow image with the Headwater DAGs, plugins and library baked in (the Airflow environment, not the
# training one: kfp_components/Dockerfile builds the training image). Two variants from this file:
#
#   CPU (scheduler, API server, triggerer, CPU Celery workers; the default):
#     docker build -t registry.example.com/headwater/airflow:0.3.0 .
#   GPU (the Celery worker of the `gpu` queue: embedding on CUDA):
#     docker build --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu130 \
#       -t registry.example.com/headwater/airflow-gpu:0.3.0 .
#
# Build after `make compile-pipeline` (the compiled pipeline YAML, naming the training image, is copied in).
# Not built on the dev machine (no Docker engine there); tests/helm/test_images.py checks this file.

ARG AIRFLOW_VERSION=3.3.2
# In production pin the digest too: FROM apache/airflow:3.3.2-python3.11@sha256:<digest>
FROM apache/airflow:${AIRFLOW_VERSION}-python3.11

ARG AIRFLOW_VERSION=3.3.2
# Where torch comes from: the CPU wheels by default (no CUDA libraries in the orchestrator image);
# a CUDA index for the GPU variant (GPU nodes need a driver that supports that CUDA).
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG TORCH_VERSION=2.13.0

# The base image's user (uid 50000, group 0); nothing here runs as root. No compilers are installed:
# every requirement has a wheel, and pip's build isolation keeps setuptools out of the image.
USER airflow

# torch first, from its index: requirements.txt pins torch==2.13.0, which the installed
# 2.13.0+cpu (or +cu130) wheel satisfies, so pip never swaps in the PyPI build.
RUN pip install --no-cache-dir --index-url "${TORCH_INDEX_URL}" "torch==${TORCH_VERSION}"

COPY --chown=airflow:0 requirements.txt /opt/headwater/requirements.txt
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /opt/headwater/requirements.txt

# The library itself, as a regular (not editable) install.
COPY --chown=airflow:0 pyproject.toml README.md /opt/headwater/
COPY --chown=airflow:0 include /opt/headwater/include
RUN pip install --no-cache-dir --no-deps /opt/headwater && rm -rf /opt/headwater/include /opt/headwater/build

# The compiled fine-tuning pipeline the KubeflowPipelineOperator submits (kfp itself is not installed here).
COPY --chown=airflow:0 kfp_components/headwater_finetune_pipeline.yaml /opt/headwater/kfp_components/
COPY --chown=airflow:0 config/sources /opt/headwater/config/sources
COPY --chown=airflow:0 dags /opt/airflow/dags
COPY --chown=airflow:0 plugins /opt/airflow/plugins

# Arrow's C++ default pool: jemalloc gives freed batch memory back to the system (clean-stage peak RSS on
# 250k rows: 512 MB, against 656 MB with mimalloc; headwater.clean.runner._returning_pool)
ENV ARROW_DEFAULT_MEMORY_POOL=jemalloc \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    HEADWATER_PROJECT_DIR=/opt/headwater \
    HEADWATER_HOME=/opt/airflow/headwater \
    HEADWATER_CONFIG_DIR=/opt/headwater/config/sources \
    HEADWATER_KFP_PIPELINE=/opt/headwater/kfp_components/headwater_finetune_pipeline.yaml
