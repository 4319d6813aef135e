"""helm/airflow-values.yaml against the official Airflow chart's own values.schema.json (vendored, draft-07).

The vendored copy (helm/vendor/airflow-chart-dev-0c201d7/, see its SOURCE.md) is a 1.20.0-dev snapshot, older
than our pin 1.21.0. It is validated as the chart validates (jsonschema draft-07, ``$ref`` into its own
definitions): strict where the schema is (``additionalProperties: false`` objects, types, enums, patterns).
Where the schema is open (an object with ``properties`` but no ``additionalProperties``), Helm would accept and
the chart silently ignore a key it does not know; ``undeclared`` lists those keys so the test pins them exactly.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import jsonschema
import pytest
import yaml
from rendering import PROJECT

VENDORED = PROJECT / "helm" / "vendor" / "airflow-chart-dev-0c201d7"
SCHEMA_PATH = VENDORED / "values.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text())
VALUES = yaml.safe_load((PROJECT / "helm" / "airflow-values.yaml").read_text())
OWN_SCHEMA = json.loads((PROJECT / "helm" / "airflow-values.schema.json").read_text())
# Keys our values set for the pinned chart (1.21.0) that this older snapshot does not declare: there KEDA and HPA
# of the Celery workers are `workers.keda` / `workers.hpa`; `workers.celery` is an open object, so they pass
# validation but that chart version would not read them.
NEWER_CHART_KEYS = ["workers.celery.keda", "workers.celery.hpa"]


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with its local ``$ref`` (``#/definitions/<name>``) merged in, the referencing node's keys first."""
    while "$ref" in node:
        target = SCHEMA["definitions"][node["$ref"].removeprefix("#/definitions/")]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def undeclared(value: Any, node: dict[str, Any], path: tuple[str, ...] = ()) -> list[str]:
    """Dotted paths of keys in ``value`` that an open object schema of ``node`` does not name."""
    node = _resolve(node)
    found: list[str] = []
    if isinstance(value, dict):
        props, extra = node.get("properties", {}), node.get("additionalProperties")
        for key, item in value.items():
            if key in props:
                found += undeclared(item, props[key], (*path, key))
            elif isinstance(extra, dict):
                found += undeclared(item, extra, (*path, key))
            elif extra is None and props:
                found.append(".".join((*path, key)))
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for i, item in enumerate(value):
            found += undeclared(item, node["items"], (*path, str(i)))
    return found


def test_the_vendored_file_is_the_recorded_bytes_and_a_draft7_schema():
    source = (VENDORED / "SOURCE.md").read_text()
    assert hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest() in source
    assert "0c201d757388029150d85e76890862de7737527e" in source and "Apache License" in source
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema"
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA_PATH.read_text() == json.dumps(SCHEMA, indent=4) + "\n"  # the upstream formatting, untouched


def test_values_validate_against_the_official_schema():
    jsonschema.Draft7Validator(SCHEMA).validate(VALUES)


def test_the_only_keys_the_official_schema_does_not_know_are_the_newer_chart_keys():
    assert undeclared(VALUES, SCHEMA) == NEWER_CHART_KEYS


def test_undeclared_finds_a_misspelled_key_in_an_open_object():
    values = copy.deepcopy(VALUES)
    values["securityContexts"]["container"] = values["securityContexts"].pop("containers")  # the chart's key is plural
    assert "securityContexts.container" in undeclared(values, SCHEMA)


def _with(path: str, value: Any) -> dict:
    values = copy.deepcopy(VALUES)
    node = values
    *parents, last = path.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return values


SEEDED = {
    "executor as a list": ("executor", ["CeleryExecutor"]),
    "executor not ending in Executor": ("executor", "Celery"),
    "unknown key in a closed object": ("data.metadataSecret", "airflow-metadata"),
    "metadata secret name not a string": ("data.metadataSecretName", 5),
    "config value not a scalar": ("config.core.load_examples", {"x": 1}),
    "pull policy outside the enum": ("images.airflow.pullPolicy", "Sometimes"),
    "secret item without secretName": ("secret", [{"envName": "X"}]),
    "statsd mappings not a list": ("statsd.overrideMappings", {"match": "x"}),
    "worker resources with an unknown field": ("workers.resources", {"requests": {"cpu": "1"}, "limit": {}}),
    "triggerer enabled not a boolean": ("triggerer.enabled", "yes"),
    "pod security context with a bad type": ("securityContexts.pod.runAsUser", "50000"),
}


@pytest.mark.parametrize("name", SEEDED)
def test_a_seeded_bad_value_fails_the_official_schema(name):
    path, value = SEEDED[name]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate(_with(path, value))


@pytest.mark.parametrize("name", ["executor not ending in Executor", "metadata secret name not a string", "triggerer enabled not a boolean"])
def test_the_same_seeded_bad_value_fails_our_own_schema(name):
    path, value = SEEDED[name]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(OWN_SCHEMA).validate(_with(path, value))


def test_our_own_schema_names_only_keys_the_official_schema_declares_or_the_newer_chart_adds():
    """Every key path our own (closed) schema allows exists in the official schema, or is one of NEWER_CHART_KEYS:
    our schema cannot invent a key the chart would ignore."""

    def paths(node: dict, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
        out = []
        for key, sub in (node.get("properties") or {}).items():
            out.append((*prefix, key))
            out += paths(sub, (*prefix, key))
        return out

    def known(path: tuple[str, ...]) -> bool:
        node = SCHEMA
        for key in path:
            node = _resolve(node)
            props = node.get("properties") or {}
            if key in props:
                node = props[key]
            elif isinstance(node.get("additionalProperties"), dict):
                node = node["additionalProperties"]
            else:
                return False
        return True

    unknown = [".".join(p) for p in paths(OWN_SCHEMA) if not known(p)]
    assert [u for u in unknown if not any(u == k or u.startswith(k + ".") for k in NEWER_CHART_KEYS)] == []
