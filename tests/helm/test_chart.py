"""helm/headwater: rendered with defaults and with every `.enabled` toggle, every object validated, jmespath assertions.

No helm binary and no cluster: helm-python-sdk renders and lints, kubernetes-validate checks built-in
kinds against Kubernetes 1.33 (strict), the vendored CRDs check KEDA and prometheus-operator objects.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import helm_python as helm
import jmespath
import jsonschema
import kubernetes_validate
import pytest
import yaml
from rendering import CHART, CRDS, KUBE_VERSION, by_kind, one, render, validate

DEFAULT_KINDS = sorted(
    [
        "ConfigMap",  # settings
        "Deployment", "ScaledObject", "TriggerAuthentication", "PodDisruptionBudget", "NetworkPolicy",  # GPU worker
        "PriorityClass", "Deployment", "ScaledObject", "NetworkPolicy",  # GPU capacity
        "ServiceAccount", "Role", "RoleBinding",
        "Secret",  # the generated masked-value digest key (piiDigestKey)
    ]
)


def kinds(objects: list[dict]) -> list[str]:
    return sorted(o["kind"] for o in objects)


def validate_all(objects: list[dict]) -> None:
    for obj in objects:
        validate(obj)


def pod_specs(objects: list[dict]) -> list[dict]:
    return jmespath.search("[?kind=='Deployment'].spec.template.spec", objects)


# ------------------------------------------------------------------ defaults


def test_defaults_render_the_expected_objects_and_each_validates():
    objects = render()["objects"]
    assert kinds(objects) == DEFAULT_KINDS
    validate_all(objects)


def test_lint_is_clean_at_the_pinned_kubernetes_version():
    report = helm.lint(CHART, strict=True, kube_version=f"v{KUBE_VERSION}")
    assert report["errors"] == []
    # The only finding Helm has is the missing icon (informational, severity 1).
    assert [m for m in report["messages"] if m["severity"] > 1] == []


def test_validation_is_strict_for_builtin_kinds_and_custom_resources():
    objects = render()["objects"]
    deployment = json.loads(json.dumps(one(objects, "Deployment", "-gpu-worker")))
    deployment["spec"]["template"]["spec"]["containers"][0]["resourcez"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(deployment)
    scaled = json.loads(json.dumps(one(objects, "ScaledObject", "-gpu-worker")))
    scaled["spec"]["minReplicas"] = 0  # KEDA's field is minReplicaCount
    with pytest.raises(jsonschema.ValidationError):
        validate(scaled)


def test_vendored_crds_are_the_upstream_bytes():
    """The sha256 sums listed in crds/SOURCES.md (from the upstream commits named there)."""
    listed = dict(re.findall(r"^(\S+\.yaml) ([0-9a-f]{64})$", (CRDS / "SHA256SUMS").read_text(), re.M))
    actual = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in CRDS.glob("*.yaml")}
    assert actual == listed and len(actual) == 5


# ------------------------------------------------------------------ every toggle


def _without(objects: list[dict], kind: str, suffix: str) -> bool:
    return by_kind(objects, kind, suffix) == []


TOGGLES = {
    "gpu worker off": ({"gpuWorker": {"enabled": False}}, lambda o: all(_without(o, k, "-gpu-worker") for k in ("Deployment", "ScaledObject", "PodDisruptionBudget", "NetworkPolicy")) and _without(o, "TriggerAuthentication", "")),
    "gpu worker keda off": ({"gpuWorker": {"keda": {"enabled": False}, "replicas": 1}}, lambda o: _without(o, "ScaledObject", "-gpu-worker") and _without(o, "TriggerAuthentication", "") and one(o, "Deployment", "-gpu-worker")["spec"]["replicas"] == 1),
    "gpu worker pdb off": ({"gpuWorker": {"pdb": {"enabled": False}}}, lambda o: _without(o, "PodDisruptionBudget", "")),
    "gpu capacity off": ({"gpuCapacity": {"enabled": False}}, lambda o: all(_without(o, k, "-gpu-capacity") for k in ("Deployment", "ScaledObject", "NetworkPolicy")) and _without(o, "PriorityClass", "")),
    "priority class not created": ({"gpuCapacity": {"priorityClass": {"create": False}}}, lambda o: _without(o, "PriorityClass", "") and one(o, "Deployment", "-gpu-capacity")["spec"]["template"]["spec"]["priorityClassName"] == "hw-headwater-gpu-placeholder"),
    "sources": ({"sources": {"configs": {"customers.yaml": "source: customers\n"}}}, lambda o: one(o, "ConfigMap", "-sources")["data"] == {"customers.yaml": "source: customers\n"} and one(o, "ConfigMap", "-settings")["data"]["HEADWATER_CONFIG_DIR"] == "/opt/headwater/config/sources"),
    "sources off": ({"sources": {"enabled": False, "configs": {"customers.yaml": "source: customers\n"}}}, lambda o: _without(o, "ConfigMap", "-sources") and "HEADWATER_CONFIG_DIR" not in one(o, "ConfigMap", "-settings")["data"]),
    "service monitor": ({"monitoring": {"serviceMonitor": {"enabled": True}}}, lambda o: jmespath.search("spec.endpoints[0].honorLabels", one(o, "ServiceMonitor")) is True),
    "pod monitor": ({"monitoring": {"podMonitor": {"enabled": True}}}, lambda o: one(o, "PodMonitor")["spec"]["podMetricsEndpoints"][0]["port"] == "statsd-scrape"),
    "network policy off": ({"networkPolicy": {"enabled": False}}, lambda o: _without(o, "NetworkPolicy", "")),
    "rbac off": ({"rbac": {"create": False}}, lambda o: _without(o, "Role", "") and _without(o, "RoleBinding", "")),
    "existing service account": ({"serviceAccount": {"create": False, "name": "headwater-irsa"}}, lambda o: _without(o, "ServiceAccount", "") and set(jmespath.search("[].serviceAccountName", pod_specs(o))) == {"headwater-irsa"}),
}


@pytest.mark.parametrize("name", TOGGLES)
def test_each_toggle_renders_valid_objects_with_its_effect(name):
    values, effect = TOGGLES[name]
    objects = render(values)["objects"]
    validate_all(objects)
    assert effect(objects)


def test_everything_on_validates():
    values = {"sources": {"configs": {"a.yaml": "source: a\n"}}, "monitoring": {k: {"enabled": True} for k in ("serviceMonitor", "podMonitor", "prometheusRule", "grafanaDashboard")}}
    objects = render(values)["objects"]
    validate_all(objects)
    assert {"ServiceMonitor", "PodMonitor"} <= set(kinds(objects))


# ------------------------------------------------------------------ files/ from the monitoring issue, absent, empty or present


@pytest.fixture
def chart_copy(tmp_path: Path) -> Path:
    """A copy of the chart without files/prometheus-rules.yaml and files/grafana-dashboard.json (whatever the repo holds)."""
    copy = tmp_path / "headwater"
    shutil.copytree(CHART, copy)
    for name in ("prometheus-rules.yaml", "grafana-dashboard.json"):
        (copy / "files" / name).unlink(missing_ok=True)
    return copy


MONITORING_ON = {"monitoring": {"prometheusRule": {"enabled": True, "labels": {"release": "kps"}}, "grafanaDashboard": {"enabled": True}}}


@pytest.mark.parametrize("content", [None, "", "groups: []\n"])
def test_rules_and_dashboard_absent_or_empty_render_nothing(chart_copy, content):
    if content is not None:
        (chart_copy / "files").mkdir(exist_ok=True)
        (chart_copy / "files" / "prometheus-rules.yaml").write_text(content)
        (chart_copy / "files" / "grafana-dashboard.json").write_text("")
    objects = render(MONITORING_ON, chart_dir=chart_copy)["objects"]
    assert _without(objects, "PrometheusRule", "") and _without(objects, "ConfigMap", "-grafana-dashboard")
    validate_all(objects)


def test_rules_and_dashboard_present_render_their_content(chart_copy):
    rules = {"groups": [{"name": "headwater", "rules": [{"alert": "HeadwaterTaskFailed", "expr": "increase(headwater_task_failures_total[1h]) > 0", "for": "5m", "labels": {"severity": "warning"}, "annotations": {"summary": "a task failed"}}]}]}
    dashboard = '{"title": "Headwater", "panels": []}'
    (chart_copy / "files").mkdir(exist_ok=True)
    (chart_copy / "files" / "prometheus-rules.yaml").write_text(yaml.safe_dump(rules))
    (chart_copy / "files" / "grafana-dashboard.json").write_text(dashboard + "\n")
    objects = render(MONITORING_ON, chart_dir=chart_copy)["objects"]
    validate_all(objects)
    rule = one(objects, "PrometheusRule")
    assert rule["spec"] == rules and rule["metadata"]["labels"]["release"] == "kps"
    cm = one(objects, "ConfigMap", "-grafana-dashboard")
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1" and json.loads(cm["data"]["headwater.json"]) == json.loads(dashboard)
    # disabled: the files are there but nothing renders
    objects = render(chart_dir=chart_copy)["objects"]
    assert _without(objects, "PrometheusRule", "") and _without(objects, "ConfigMap", "-grafana-dashboard")


# ------------------------------------------------------------------ security contexts and resources


@pytest.mark.parametrize("values", [{}, MONITORING_ON | {"sources": {"configs": {"a.yaml": "x: 1\n"}}}], ids=["defaults", "more on"])
def test_every_pod_and_container_is_restricted_and_sized(values):
    specs = pod_specs(render(values)["objects"])
    assert len(specs) == 2
    assert jmespath.search("[].securityContext.runAsNonRoot", specs) == [True, True]
    assert jmespath.search("[].securityContext.seccompProfile.type", specs) == ["RuntimeDefault"] * 2
    assert jmespath.search("[].automountServiceAccountToken", specs) == [False, False]
    containers = jmespath.search("[].[containers, initContainers][][][]", specs)
    assert len(containers) == 2
    assert jmespath.search("[].securityContext.allowPrivilegeEscalation", containers) == [False, False]
    assert jmespath.search("[].securityContext.capabilities.drop", containers) == [["ALL"], ["ALL"]]
    assert jmespath.search("[].securityContext.readOnlyRootFilesystem", containers) == [True, True]
    assert [c["securityContext"].get("privileged", False) for c in containers] == [False, False]
    for container in containers:
        assert set(container["resources"]) == {"requests", "limits"}
        assert {"cpu", "memory"} <= set(container["resources"]["requests"]) and {"cpu", "memory"} <= set(container["resources"]["limits"])


def test_the_worker_writes_only_to_its_emptydirs():
    spec = one(render()["objects"], "Deployment", "-gpu-worker")["spec"]["template"]["spec"]
    assert jmespath.search("containers[0].volumeMounts[].[mountPath, readOnly]", spec) == [
        ["/tmp", None], ["/opt/airflow/logs", None], ["/opt/airflow/headwater", None], ["/opt/airflow/airflow.cfg", True]]
    assert jmespath.search("volumes[].emptyDir.sizeLimit", spec) == ["4Gi", "1Gi", "4Gi"]
    assert jmespath.search("volumes[?name=='airflow-config'].configMap.name", spec) == ["airflow-config"]


def test_schema_refuses_a_root_or_escalating_security_context():
    for values in ({"podSecurityContext": {"runAsNonRoot": False}}, {"containerSecurityContext": {"allowPrivilegeEscalation": True, "capabilities": {"drop": ["ALL"]}}}):
        with pytest.raises(helm.HelmValuesError):
            render(values)


# ------------------------------------------------------------------ GPU placement


def test_gpu_pods_request_and_limit_gpus_and_tolerate_the_gpu_taint():
    objects = render({"gpuWorker": {"gpus": 2}, "gpuCapacity": {"gpusPerRun": 4}})["objects"]
    worker = one(objects, "Deployment", "-gpu-worker")["spec"]["template"]["spec"]
    capacity = one(objects, "Deployment", "-gpu-capacity")["spec"]["template"]["spec"]
    assert jmespath.search('containers[0].resources.[requests."nvidia.com/gpu", limits."nvidia.com/gpu"]', worker) == [2, 2]
    assert jmespath.search('containers[0].resources.[requests."nvidia.com/gpu", limits."nvidia.com/gpu"]', capacity) == [4, 4]
    toleration = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
    assert worker["tolerations"] == [toleration] and capacity["tolerations"] == [toleration]
    assert worker["nodeSelector"] == capacity["nodeSelector"] == {"nvidia.com/gpu.present": "true"}


def test_with_the_gpu_worker_the_embed_tasks_go_to_its_queue_and_run_on_cuda():
    objects = render({"gpuWorker": {"queue": "gpu-a100"}})["objects"]
    settings = one(objects, "ConfigMap", "-settings")["data"]
    assert settings["HEADWATER_EMBED_QUEUE"] == "gpu-a100"  # every pod parses the DAG with it: embed tasks queue there
    worker = one(objects, "Deployment", "-gpu-worker")["spec"]["template"]["spec"]
    assert jmespath.search("containers[0].env[?name=='HEADWATER_EMBEDDING_DEVICE'].value", worker) == ["auto"]
    assert "--queues gpu-a100 " in worker["containers"][0]["args"][2]
    off = one(render({"gpuWorker": {"enabled": False}})["objects"], "ConfigMap", "-settings")["data"]
    assert "HEADWATER_EMBED_QUEUE" not in off  # no GPU worker: embeds stay on the default queue
    mine = one(render({"settings": {"HEADWATER_EMBED_QUEUE": "default"}})["objects"], "ConfigMap", "-settings")["data"]
    assert mine["HEADWATER_EMBED_QUEUE"] == "default"  # a value set by the operator wins


def test_worker_placement_extras_merge_over_the_gpu_pool():
    objects = render({"gpuWorker": {"nodeSelector": {"pool": "a100"}, "tolerations": [{"key": "spot", "operator": "Exists", "effect": "NoSchedule"}]}})["objects"]
    worker = one(objects, "Deployment", "-gpu-worker")["spec"]["template"]["spec"]
    assert worker["nodeSelector"] == {"nvidia.com/gpu.present": "true", "pool": "a100"}
    assert jmespath.search("tolerations[].key", worker) == ["nvidia.com/gpu", "spot"]


def test_placeholders_are_preemptible_but_not_expendable_to_the_autoscaler():
    objects = render()["objects"]
    priority = one(objects, "PriorityClass")
    assert (priority["value"], priority["preemptionPolicy"], priority["globalDefault"]) == (-1, "Never", False)
    assert one(objects, "Deployment", "-gpu-capacity")["spec"]["template"]["spec"]["priorityClassName"] == priority["metadata"]["name"]
    for value in (0, -11):
        with pytest.raises(helm.HelmValuesError):
            render({"gpuCapacity": {"priorityClass": {"value": value}}})


# ------------------------------------------------------------------ KEDA triggers


def test_gpu_worker_trigger_counts_its_queue_in_the_metadata_db():
    objects = render({"gpuWorker": {"concurrency": 3}})["objects"]
    scaled = one(objects, "ScaledObject", "-gpu-worker")
    assert scaled["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "hw-headwater-gpu-worker"}
    assert jmespath.search("spec.[minReplicaCount, maxReplicaCount]", scaled) == [0, 4]
    trigger = scaled["spec"]["triggers"][0]
    assert trigger["type"] == "postgresql"
    assert trigger["metadata"] == {
        "query": "SELECT ceil(COUNT(*)::decimal / 3) FROM task_instance WHERE (state='running' OR state='queued') AND queue = 'gpu'",
        "targetQueryValue": "1",
    }
    auth = one(objects, "TriggerAuthentication")
    assert trigger["authenticationRef"] == {"name": auth["metadata"]["name"]}
    assert auth["spec"]["secretTargetRef"] == [{"parameter": "connection", "name": "airflow-metadata", "key": "connection"}]
    worker = one(objects, "Deployment", "-gpu-worker")["spec"]["template"]["spec"]["containers"][0]
    assert worker["args"] == ["bash", "-c", "exec airflow celery worker --queues gpu --concurrency 3"]


def test_gpu_capacity_trigger_queries_the_finetune_gauge():
    scaled = one(render()["objects"], "ScaledObject", "-gpu-capacity")
    assert scaled["spec"]["scaleTargetRef"]["name"] == "hw-headwater-gpu-capacity"
    assert jmespath.search("spec.[minReplicaCount, maxReplicaCount]", scaled) == [0, 2]
    assert scaled["spec"]["triggers"] == [{"type": "prometheus", "metadata": {
        "serverAddress": "http://prometheus-operated.monitoring.svc:9090",
        "query": 'sum(headwater_finetune_runs{state=~"pending|running"}) or vector(0)',
        "threshold": "1",
        "ignoreNullValues": "true",
    }}]


def test_keda_owned_deployments_start_at_zero_and_upgrades_leave_the_count_alone():
    install = render()["objects"]
    assert jmespath.search("[?kind=='Deployment'].spec.replicas", install) == [0, 0]
    upgrade = render(is_install=False)["objects"]
    assert jmespath.search("[?kind=='Deployment'].spec.replicas", upgrade) == []


# ------------------------------------------------------------------ no secrets


SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|FERNET|CONN|STATE_URL|ACCESS_KEY|BROKER|BACKEND|DIGEST", re.I)


@pytest.mark.parametrize("values", [{}, {"sources": {"configs": {"a.yaml": "x: 1\n"}}} | MONITORING_ON])
def test_no_secret_objects_and_secret_env_only_by_reference(values):
    objects = render(values)["objects"]
    # the one Secret is the generated digest key, whose value never comes from values (tests/helm/test_pii_digest_chart.py)
    assert [o["metadata"]["name"] for o in by_kind(objects, "Secret")] == ["hw-headwater-pii-digest"]
    env = jmespath.search("[?kind=='Deployment'].spec.template.spec.containers[].env[]", objects)
    literal = [e["name"] for e in env if "value" in e and SECRET_NAME.search(e["name"])]
    assert literal == []
    by_ref = {e["name"] for e in env if "valueFrom" in e}
    assert by_ref == {"AIRFLOW__CELERY__BROKER_URL", "AIRFLOW__CELERY__RESULT_BACKEND", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET",
                      "HEADWATER_PII_DIGEST_KEY"}
    settings = one(objects, "ConfigMap", "-settings")["data"]
    assert [k for k in settings if SECRET_NAME.search(k)] == []
    env_from = jmespath.search("[?kind=='Deployment'].spec.template.spec.containers[].envFrom[].secretRef.name", objects)
    assert env_from == ["headwater-state", "headwater-s3", "headwater-connections"]


def test_schema_refuses_the_state_url_in_the_settings_configmap():
    with pytest.raises(helm.HelmValuesError):
        render({"settings": {"HEADWATER_STATE_URL": "postgresql+psycopg://u:p@db/headwater"}})


# ------------------------------------------------------------------ values.yaml and values.schema.json


def test_schema_refuses_latest_unqualified_images_and_unknown_keys():
    for values in ({"image": {"tag": "latest"}}, {"image": {"repository": "headwater/airflow"}}, {"gpuWorkr": {}}, {"gpuWorker": {"gpus": 0}}):
        with pytest.raises(helm.HelmValuesError):
            render(values)


def test_every_value_is_commented_and_typed():
    """Each key of an option object (a schema object with additionalProperties false) has a comment line above
    it in values.yaml and a type in values.schema.json; keys inside free-form maps and Kubernetes objects are data."""
    lines = (CHART / "values.yaml").read_text().splitlines()
    schema = json.loads((CHART / "values.schema.json").read_text())
    uncommented, untyped, checked = [], [], 0
    stack: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        match = re.match(r"^( *)([A-Za-z][A-Za-z0-9_.]*):", line)
        if not match:
            continue
        indent, key = len(match.group(1)), match.group(2)
        stack = [(d, k) for d, k in stack if d < indent] + [(indent, key)]
        path = [k for _, k in stack]
        parent = _schema_at(schema, path[:-1])
        if parent.get("additionalProperties") is not False:
            continue
        checked += 1
        node = _schema_at(schema, path)
        if not ({"type", "const", "enum"} & set(node)):
            untyped.append(".".join(path))
        if not lines[i - 1].lstrip().startswith("#"):
            uncommented.append(".".join(path))
    assert (uncommented, untyped) == ([], []) and checked > 60


def _schema_at(schema: dict, path: list[str]) -> dict:
    node = schema
    for part in path:
        props = node.get("properties") or {}
        node = props[part] if part in props else node.get("additionalProperties")
        if not isinstance(node, dict):
            return {}
    return node


def test_notes_say_what_was_installed_and_what_next():
    notes = render({"gpuCapacity": {"enabled": False}})["NOTES"]
    assert "GPU Celery worker hw-headwater-gpu-worker serving queue \"gpu\", scaled 0..4 by KEDA" in notes
    assert "placeholders" not in notes
    assert "kubectl -n headwater get secret airflow-metadata   # AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" in notes
    assert "kubectl get crd scaledobjects.keda.sh" in notes
