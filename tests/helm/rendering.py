"""Render helm/headwater offline (helm-python-sdk: Helm v4's Go SDK through ctypes, no binary) and validate objects.

``render(values)`` -> the chart's objects as dicts (NOTES.txt under key "NOTES");
``validate(obj)`` checks one object: built-in kinds with kubernetes-validate against the pinned
Kubernetes version (strict schemas: unknown fields fail), custom resources against the CRD
openAPIV3Schema vendored in tests/helm/crds/ (made strict the same way: an object schema that
lists properties and does not preserve unknown fields rejects other keys, as the API server's
pruning would silently drop them).
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

PROJECT = Path(__file__).resolve().parents[2]
CHART = PROJECT / "helm" / "headwater"
CRDS = Path(__file__).resolve().parent / "crds"
# The Kubernetes minor the chart is validated against (kubernetes-validate 1.37.0 ships schemas up to 1.37).
KUBE_VERSION = "1.33.0"
RELEASE, NAMESPACE = "hw", "headwater"


def render(values: dict[str, Any] | None = None, *, is_install: bool = True, chart_dir: Path = CHART, release: str = RELEASE) -> dict[str, Any]:
    """``{"objects": [dict, ...], "NOTES": str}`` for the chart at ``chart_dir`` rendered with ``values`` over its defaults.

    The merged values are first checked against the chart's values.schema.json (helm_python.HelmValuesError).
    """
    import helm_python as helm

    chart = helm.Chart.load(chart_dir)
    chart.validate_schema(chart.merge_values(values or {}))
    manifests = chart.render(values or {}, name=release, namespace=NAMESPACE, is_install=is_install, is_upgrade=not is_install)
    objects: list[dict[str, Any]] = []
    notes = ""
    for path, text in sorted(manifests.items()):
        if path.endswith("NOTES.txt"):
            notes = text
            continue
        objects.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return {"objects": objects, "NOTES": notes}


def _strict(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if "properties" in out and "additionalProperties" not in out and not out.get("x-kubernetes-preserve-unknown-fields"):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


@cache
def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> strict openAPIV3Schema, from every CRD in tests/helm/crds/."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(CRDS.glob("*.yaml")):
        for crd in yaml.safe_load_all(path.read_text()):
            if not crd:
                continue
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                found[(f"{group}/{version['name']}", kind)] = _strict(copy.deepcopy(version["schema"]["openAPIV3Schema"]))
    return found


def validate(obj: dict[str, Any]) -> None:
    """Raise (kubernetes_validate.ValidationError or jsonschema.ValidationError) when ``obj`` is not valid."""
    key = (obj["apiVersion"], obj["kind"])
    if key in crd_schemas():
        jsonschema.Draft7Validator(crd_schemas()[key]).validate(obj)
    else:
        kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)


def by_kind(objects: list[dict[str, Any]], kind: str, name_suffix: str = "") -> list[dict[str, Any]]:
    """The objects of ``kind`` whose name ends with ``name_suffix``."""
    return [o for o in objects if o["kind"] == kind and o["metadata"]["name"].endswith(name_suffix)]


def one(objects: list[dict[str, Any]], kind: str, name_suffix: str = "") -> dict[str, Any]:
    """The single object of ``kind`` named ``...name_suffix``; AssertionError otherwise."""
    found = by_kind(objects, kind, name_suffix)
    assert len(found) == 1, f"{len(found)} {kind} objects ending in {name_suffix!r}: {[o['metadata']['name'] for o in found]}"
    return found[0]
