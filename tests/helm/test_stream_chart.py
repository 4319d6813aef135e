"""helm/headwater `stream.*`: the stream consumer's Deployment, PodDisruptionBudget and NetworkPolicy.

Rendered offline (helm-python-sdk), each object validated against Kubernetes 1.33 (strict), asserted with
jmespath; the probe commands are run against the real ``headwater stream-alive``.
"""

from __future__ import annotations

import helm_python as helm
import jmespath
import pytest
from rendering import by_kind, one, render, validate

from headwater import cli
from headwater.stream import health

ON = {"stream": {"enabled": True, "name": "tickets"}}
HEARTBEAT = "/tmp/headwater-stream/heartbeat"


def _stream_objects(objects: list[dict]) -> list[dict]:
    return [o for o in objects if o["metadata"]["name"].endswith("-stream")]


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _consumer(objects: list[dict]) -> dict:
    return one(objects, "Deployment", "-stream")["spec"]["template"]["spec"]["containers"][0]


def test_off_by_default():
    objects = render()["objects"]
    assert _stream_objects(objects) == []
    assert "Stream consumer" not in render()["NOTES"]


def test_on_renders_a_deployment_pdb_and_network_policy_that_validate():
    objects = render(ON)["objects"]
    assert sorted(o["kind"] for o in _stream_objects(objects)) == ["Deployment", "NetworkPolicy", "PodDisruptionBudget"]
    for obj in objects:
        validate(obj)


def test_each_pod_is_one_consumer_named_after_it():
    objects = render(_merge(ON, {"stream": {"replicas": 3}}))["objects"]
    deployment = one(objects, "Deployment", "-stream")
    assert deployment["spec"]["replicas"] == 3
    container = _consumer(objects)
    assert container["command"] == ["headwater"]
    assert container["args"] == ["stream", "tickets", "--consumer", "$(POD_NAME)", "--heartbeat", HEARTBEAT]
    # $(POD_NAME) expands only from a variable defined in `env` (Kubernetes dependent environment variables)
    assert jmespath.search("env[?name=='POD_NAME'].valueFrom.fieldRef.fieldPath", container) == ["metadata.name"]
    assert jmespath.search("spec.template.spec.terminationGracePeriodSeconds", deployment) == 60


def test_the_redis_url_comes_only_from_the_existing_secret():
    objects = render(_merge(ON, {"stream": {"redis": {"existingSecret": "streams-redis", "key": "REDIS_URL"}}}))["objects"]
    container = _consumer(objects)
    assert jmespath.search("env[?name=='HEADWATER_STREAM_REDIS_URL'].valueFrom.secretKeyRef", container) == [{"name": "streams-redis", "key": "REDIS_URL"}]
    assert [e["name"] for e in container["env"] if "value" in e] == ["HOME"]
    assert [o["metadata"]["name"] for o in by_kind(objects, "Secret")] == ["hw-headwater-pii-digest"]  # the generated digest key only
    assert "HEADWATER_STREAM_REDIS_URL" not in one(objects, "ConfigMap", "-settings")["data"]
    for bad in ({"url": "redis://:pw@redis:6379/0"}, {"existingSecret": ""}):
        with pytest.raises(helm.HelmValuesError):
            render(_merge(ON, {"stream": {"redis": bad}}))


def test_the_consumer_is_restricted_sized_and_writes_only_to_emptydirs():
    spec = one(render(_merge(ON, {"sources": {"configs": {"tickets.yaml": "name: tickets\n"}}}))["objects"], "Deployment", "-stream")["spec"]["template"]["spec"]
    assert jmespath.search("securityContext.[runAsNonRoot, seccompProfile.type]", spec) == [True, "RuntimeDefault"]
    assert spec["automountServiceAccountToken"] is False
    container = spec["containers"][0]
    assert container["securityContext"] == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}
    assert container["resources"] == {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}}
    assert jmespath.search("volumeMounts[].[mountPath, readOnly]", container) == [["/tmp", None], ["/opt/airflow/headwater", None], ["/opt/headwater/config/sources", True]]
    assert jmespath.search("volumes[].[name, emptyDir.sizeLimit, configMap.name]", spec) == [["tmp", "2Gi", None], ["headwater-home", "2Gi", None], ["sources", None, "hw-headwater-sources"]]
    assert container["image"] == "registry.example.com/headwater/airflow:0.3.0"  # the CPU image, not the GPU worker's
    assert "nodeSelector" not in spec and "tolerations" not in spec


def test_probes_read_the_heartbeat_the_consumer_writes():
    container = _consumer(render(_merge(ON, {"stream": {"probes": {"readyMaxAgeSeconds": 45, "liveMaxAgeSeconds": 240, "periodSeconds": 20, "startupSeconds": 610}}}))["objects"])
    probes = {name: container[name] for name in ("startupProbe", "readinessProbe", "livenessProbe")}
    assert {n: p["exec"]["command"] for n, p in probes.items()} == {
        "startupProbe": ["headwater", "stream-alive", HEARTBEAT, "--max-age", "45"],
        "readinessProbe": ["headwater", "stream-alive", HEARTBEAT, "--max-age", "45"],
        "livenessProbe": ["headwater", "stream-alive", HEARTBEAT, "--max-age", "240"],
    }
    assert {n: p["periodSeconds"] for n, p in probes.items()} == {"startupProbe": 20, "readinessProbe": 20, "livenessProbe": 20}
    assert probes["startupProbe"]["failureThreshold"] == 31  # ceil(610 / 20): the model load's budget
    assert container["args"][container["args"].index("--heartbeat") + 1] == HEARTBEAT
    assert HEARTBEAT.startswith("/tmp/")  # on the writable emptyDir


def test_the_rendered_probe_command_is_the_real_cli(tmp_path, capsys):
    command = _consumer(render(ON)["objects"])["livenessProbe"]["exec"]["command"]
    argv = [str(tmp_path / "hb") if a == HEARTBEAT else a for a in command[1:]]
    assert cli.main(argv) == 1  # no heartbeat yet
    health.beat(tmp_path / "hb")
    assert cli.main(argv) == 0
    health.beat(tmp_path / "hb", now=(tmp_path / "hb").stat().st_mtime - 301)
    assert cli.main(argv) == 1
    assert "last heartbeat 30" in capsys.readouterr().err


def test_network_policy_admits_nothing_and_sends_to_redis_dns_and_extra_egress():
    peers = [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "redis"}}}]
    objects = render(_merge(ON, {"stream": {"redis": {"port": 6380, "peers": peers}}}))["objects"]
    policy = one(objects, "NetworkPolicy", "-stream")
    validate(policy)
    assert policy["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "stream"
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"] and "ingress" not in policy["spec"]
    assert policy["spec"]["egress"] == [
        {"to": peers, "ports": [{"port": 6380, "protocol": "TCP"}]},
        {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]},
        {"ports": [{"port": 443, "protocol": "TCP"}]},
    ]
    # no peers: Redis anywhere on its port; no extra egress: only Redis and DNS
    policy = one(render(_merge(ON, {"stream": {"extraEgress": []}}))["objects"], "NetworkPolicy", "-stream")
    assert policy["spec"]["egress"] == [{"ports": [{"port": 6379, "protocol": "TCP"}]}, {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]
    assert by_kind(render(_merge(ON, {"networkPolicy": {"enabled": False}}))["objects"], "NetworkPolicy", "-stream") == []


def test_pdb_keeps_consumers_running_and_can_be_turned_off():
    pdb = one(render(_merge(ON, {"stream": {"pdb": {"maxUnavailable": 2}}}))["objects"], "PodDisruptionBudget", "-stream")
    assert pdb["spec"] == {"maxUnavailable": 2, "selector": {"matchLabels": {"app.kubernetes.io/name": "headwater", "app.kubernetes.io/instance": "hw", "app.kubernetes.io/component": "stream"}}}
    assert by_kind(render(_merge(ON, {"stream": {"pdb": {"enabled": False}}}))["objects"], "PodDisruptionBudget", "-stream") == []


@pytest.mark.parametrize("bad", [
    {"stream": {"enabled": True}},  # no stream name
    {"stream": {"enabled": True, "name": "tickets", "replicas": -1}},
    {"stream": {"enabled": True, "name": "tickets", "image": {"tag": "latest"}}},
    {"stream": {"enabled": True, "name": "tickets", "image": {"repository": "headwater/airflow"}}},
    {"stream": {"enabled": True, "name": "tickets", "probes": {"liveMaxAgeSeconds": 0}}},
    {"stream": {"enabled": True, "name": "tickets", "resources": {"limits": {"memory": None}}}},  # null removes a default key
    {"stream": {"enabld": True}},
])
def test_schema_refuses_bad_stream_values(bad):
    with pytest.raises(helm.HelmValuesError):
        render(bad)


def test_notes_name_the_consumer_and_its_secret():
    notes = render(ON)["NOTES"]
    assert "Stream consumer hw-headwater-stream: 2 members of the consumer group of stream \"tickets\"" in notes
    assert "kubectl -n headwater create secret generic headwater-stream-redis --from-literal=url=redis://..." in notes
    assert "headwater stream tickets --counts" in notes


KAFKA = _merge(ON, {"stream": {"broker": "kafka", "kafka": {"bootstrap": "kafka-0.kafka:9092,kafka-1.kafka:9092,kafka-ext.example.com:9094"}}})
DNS = {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}


def test_kafka_broker_sets_the_bootstrap_servers_beside_the_redis_url():
    objects = render(KAFKA)["objects"]
    for obj in objects:
        validate(obj)
    container = _consumer(objects)
    assert [e["name"] for e in container["env"]] == [
        "HOME", "POD_NAME", "HEADWATER_STREAM_REDIS_URL", "HEADWATER_PII_DIGEST_KEY", "HEADWATER_STREAM_KAFKA_BOOTSTRAP"
    ]
    assert jmespath.search("env[?name=='HEADWATER_STREAM_KAFKA_BOOTSTRAP'].value", container) == [
        "kafka-0.kafka:9092,kafka-1.kafka:9092,kafka-ext.example.com:9094"
    ]
    assert jmespath.search("env[?name=='HEADWATER_STREAM_REDIS_URL'].valueFrom.secretKeyRef", container) == [{"name": "headwater-stream-redis", "key": "url"}]
    assert "Kafka topic on kafka-0.kafka:9092,kafka-1.kafka:9092,kafka-ext.example.com:9094" in render(KAFKA)["NOTES"]
    # the default broker (redis) sets no Kafka variable, even with bootstrap servers in the values
    redis_default = _consumer(render(_merge(KAFKA, {"stream": {"broker": "redis"}}))["objects"])
    assert "HEADWATER_STREAM_KAFKA_BOOTSTRAP" not in [e["name"] for e in redis_default["env"]]


def test_kafka_network_policy_egress_opens_the_bootstrap_ports_to_the_broker_peers():
    policy = one(render(KAFKA)["objects"], "NetworkPolicy", "-stream")
    validate(policy)
    assert policy["spec"]["egress"] == [
        {"ports": [{"port": 6379, "protocol": "TCP"}]},
        {"ports": [{"port": 9092, "protocol": "TCP"}, {"port": 9094, "protocol": "TCP"}]},  # each bootstrap port once
        DNS,
        {"ports": [{"port": 443, "protocol": "TCP"}]},
    ]
    peers = [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kafka"}}}]
    values = _merge(KAFKA, {"stream": {"kafka": {"bootstrap": "broker:29092", "peers": peers}, "extraEgress": []}})
    policy = one(render(values)["objects"], "NetworkPolicy", "-stream")
    validate(policy)
    assert policy["spec"]["egress"] == [{"ports": [{"port": 6379, "protocol": "TCP"}]}, {"to": peers, "ports": [{"port": 29092, "protocol": "TCP"}]}, DNS]


@pytest.mark.parametrize("bad", [
    {"stream": {"broker": "kafka"}},  # no bootstrap servers
    {"stream": {"broker": "kafka", "kafka": {"bootstrap": ""}}},
    {"stream": {"broker": "kafka", "kafka": {"bootstrap": "kafka:9092, kafka-1:9092"}}},  # a space
    {"stream": {"broker": "kafka", "kafka": {"bootstrap": "kafka"}}},  # no port
    {"stream": {"broker": "pulsar"}},
    {"stream": {"kafka": {"bootstrap": "kafka:9092", "url": "x"}}},
])
def test_schema_refuses_bad_kafka_values(bad):
    with pytest.raises(helm.HelmValuesError):
        render(_merge(ON, bad))


def test_the_broker_must_match_the_shipped_source_config():
    config = "stream:\n  name: tickets\n  broker: kafka\n  schema: {type: object}\n  text_fields: [body]\n"
    with pytest.raises(Exception, match="stream.broker is redis but sources.configs tickets.yaml has stream tickets on broker kafka"):
        render(_merge(ON, {"sources": {"configs": {"tickets.yaml": config}}}))
    assert _consumer(render(_merge(KAFKA, {"sources": {"configs": {"tickets.yaml": config}}}))["objects"])["env"][-1]["name"] == "HEADWATER_STREAM_KAFKA_BOOTSTRAP"
    redis_config = config.replace("  broker: kafka\n", "")
    with pytest.raises(Exception, match="stream.broker is kafka but sources.configs tickets.yaml has stream tickets on broker redis"):
        render(_merge(KAFKA, {"sources": {"configs": {"tickets.yaml": redis_config, "other.yaml": "name: other\n"}}}))
