"""helm/airflow-values.yaml: the official Airflow chart's values, and how they fit Headwater's chart.

The keys this file sets are checked against helm/airflow-values.schema.json, Headwater's closed schema of
exactly those keys as the chart names them (worker settings under ``workers.celery``); the official
chart's own values.schema.json (vendored, a 1.20.0-dev snapshot) is checked in
test_airflow_values_official_schema.py.
"""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml
from rendering import PROJECT, one, render

VALUES_PATH = PROJECT / "helm" / "airflow-values.yaml"
VALUES = yaml.safe_load(VALUES_PATH.read_text())
SCHEMA = json.loads((PROJECT / "helm" / "airflow-values.schema.json").read_text())
CHART_VERSION = re.search(r"^# chart-version: (\S+)$", VALUES_PATH.read_text(), re.M).group(1)


def test_the_chart_version_is_pinned_everywhere_it_is_installed():
    assert re.fullmatch(r"\d+\.\d+\.\d+", CHART_VERSION)
    installs = re.findall(r"[^\n]*apache-airflow/airflow\b[^\n]*", VALUES_PATH.read_text() + (PROJECT / "README.md").read_text())
    assert installs and all(f"--version {CHART_VERSION}" in line for line in installs if "install" in line or "upgrade" in line)


def test_values_validate_against_the_schema():
    jsonschema.Draft7Validator(SCHEMA).validate(VALUES)


@pytest.mark.parametrize("bad", [
    {"workers": {"keda": {"enabled": True}}},  # the pre-1.20 key
    {"workers": {"celery": {"keda": {"enabled": "yes"}}}},
    {"executor": "SequentialExecutor"},
    {"postgresql": {"enabled": True, "auth": {"password": "x"}}},
])
def test_the_schema_refuses_old_keys_wrong_types_and_unknown_keys(bad):
    merged = json.loads(json.dumps(VALUES))
    for key, value in bad.items():
        merged[key] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate(merged)


def test_celery_with_keda_scaling_and_no_hpa():
    assert VALUES["executor"] == "CeleryExecutor"
    celery = VALUES["workers"]["celery"]
    assert celery["keda"]["enabled"] is True and celery["hpa"]["enabled"] is False
    assert celery["keda"]["minReplicaCount"] == 0 and celery["persistence"]["enabled"] is False


def test_external_postgres_remote_logging_and_statsd():
    assert VALUES["postgresql"]["enabled"] is False and VALUES["data"]["metadataSecretName"]
    logging = VALUES["config"]["logging"]
    assert logging["remote_logging"] == "True" and logging["remote_base_log_folder"].startswith("s3://")
    assert VALUES["config"]["metrics"]["statsd_on"] == "True" and VALUES["statsd"]["enabled"] is True


def test_the_statsd_exporter_gets_headwaters_mappings_verbatim():
    mapping = yaml.safe_load((PROJECT / "helm" / "headwater" / "files" / "statsd-mapping.yaml").read_text())
    assert VALUES["statsd"]["overrideMappings"] == mapping["mappings"]
    assert "extraMappings" not in VALUES["statsd"]  # the chart's defaults would win over them


def test_images_are_registry_qualified_and_pinned():
    image = VALUES["images"]["airflow"]
    for repository, tag in ((image["repository"], image["tag"]), (VALUES["defaultAirflowRepository"], VALUES["defaultAirflowTag"])):
        assert re.match(r"^[^/]+\.[^/]+/", repository) and tag not in ("", "latest")
    assert VALUES["airflowVersion"] == "3.3.2"


def test_no_secret_values_only_references():
    text = VALUES_PATH.read_text()
    assert not re.search(r"(?i)password\s*:|://[^@\s/]+:[^@\s]+@|AKIA[0-9A-Z]{16}", text)
    assert all(set(item) == {"envName", "secretName", "secretKey"} for item in VALUES["secret"])


def test_airflow_pods_load_what_headwaters_chart_and_secrets_provide():
    """The official chart's pods read the ConfigMap Headwater's chart creates (release "headwater"), and both
    charts name the same Secrets."""
    objects = render(release="headwater")["objects"]
    settings = one(objects, "ConfigMap", "-settings")["metadata"]["name"]
    env_from = yaml.safe_load(VALUES["extraEnvFrom"])
    assert env_from[0] == {"configMapRef": {"name": settings}}
    headwater = yaml.safe_load((PROJECT / "helm" / "headwater" / "values.yaml").read_text())
    # the GPU worker loads whole the Secrets the official chart's pods read (envFrom, or key by key in `secret`),
    # except the digest key, which both read key by key from the Secret Headwater's chart generates
    digest = [s for s in VALUES["secret"] if s["envName"] == "HEADWATER_PII_DIGEST_KEY"]
    official_secrets = [e["secretRef"]["name"] for e in env_from[1:]] + sorted({s["secretName"] for s in VALUES["secret"] if s not in digest})
    assert official_secrets == headwater["secrets"]["envFrom"]
    generated = one(objects, "Secret", "-pii-digest")
    assert digest == [{"envName": "HEADWATER_PII_DIGEST_KEY", "secretName": generated["metadata"]["name"], "secretKey": headwater["piiDigestKey"]["key"]}]
    gpu_worker = one(objects, "Deployment", "-gpu-worker")["spec"]["template"]["spec"]["containers"][0]
    assert [e["valueFrom"]["secretKeyRef"] for e in gpu_worker["env"] if e["name"] == "HEADWATER_PII_DIGEST_KEY"] == [
        {"name": "headwater-pii-digest", "key": "key"}
    ]
    assert headwater["airflow"]["configMap"] == "airflow-config"  # the official chart's <release>-config
    secret_env = headwater["airflow"]["secretEnv"]
    assert secret_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]["secretName"] == VALUES["data"]["metadataSecretName"] == headwater["gpuWorker"]["keda"]["metadataSecret"]["name"]
    assert secret_env["AIRFLOW__CELERY__BROKER_URL"]["secretName"] == VALUES["data"]["brokerUrlSecretName"]
    assert secret_env["AIRFLOW__CELERY__RESULT_BACKEND"]["secretName"] == VALUES["data"]["resultBackendSecretName"]
    assert secret_env["AIRFLOW__CORE__FERNET_KEY"]["secretName"] == VALUES["fernetKeySecretName"]
    assert secret_env["AIRFLOW__API_AUTH__JWT_SECRET"]["secretName"] == VALUES["jwtSecretName"]
