"""helm/headwater `piiDigestKey`: one masked-value digest key (HEADWATER_PII_DIGEST_KEY) for every pod that cleans.

The generated Secret keeps its value across upgrades through Helm's ``lookup``: rendered here cluster-aware
(helm-python-sdk ``Config.render``) against a minimal Kubernetes API on loopback that serves the discovery
document and one Secret, the calls ``lookup "v1" "Secret"`` makes (recorded, and asserted).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import helm_python as helm
import jmespath
import pytest
import yaml
from rendering import CHART, NAMESPACE, RELEASE, by_kind, one, render, validate

SECRET = f"{RELEASE}-headwater-pii-digest"
STREAM = {"stream": {"enabled": True, "name": "tickets"}}


def _digest_env(objects: list[dict]) -> dict[str, list[dict]]:
    """Deployment name -> the secretKeyRefs of its containers' HEADWATER_PII_DIGEST_KEY (empty: not set)."""
    return {
        d["metadata"]["name"]: jmespath.search("spec.template.spec.containers[].env[?name=='HEADWATER_PII_DIGEST_KEY'][].valueFrom.secretKeyRef", d)
        for d in by_kind(objects, "Deployment")
    }


def test_by_default_the_chart_generates_one_key_and_every_cleaning_pod_reads_it():
    objects = render(STREAM)["objects"]
    secret = one(objects, "Secret", "-pii-digest")
    validate(secret)
    value = base64.b64decode(secret["data"]["key"])
    assert len(value) == 64 and value.isalnum()  # BLAKE2b's longest key, used as it is (headwater.clean.stage.digest_key)
    assert secret["metadata"]["name"] == SECRET and secret["type"] == "Opaque"
    assert secret["metadata"]["annotations"] == {"helm.sh/resource-policy": "keep"}  # uninstall leaves it: a reinstall keeps the ids
    ref = [{"name": SECRET, "key": "key"}]
    assert _digest_env(objects) == {f"{RELEASE}-headwater-gpu-worker": ref, f"{RELEASE}-headwater-stream": ref, f"{RELEASE}-headwater-gpu-capacity": []}
    assert f"Secret {SECRET} (key key): the generated masked-value digest key" in render()["NOTES"]


def test_an_existing_secret_is_read_by_reference_and_nothing_is_generated():
    values = {"piiDigestKey": {"existingSecret": "team-digest", "key": "HEADWATER_PII_DIGEST_KEY"}} | STREAM
    objects = render(values)["objects"]
    for obj in objects:
        validate(obj)
    assert by_kind(objects, "Secret") == []
    ref = [{"name": "team-digest", "key": "HEADWATER_PII_DIGEST_KEY"}]
    assert _digest_env(objects) == {f"{RELEASE}-headwater-gpu-worker": ref, f"{RELEASE}-headwater-stream": ref, f"{RELEASE}-headwater-gpu-capacity": []}
    notes = render(values)["NOTES"]
    assert "kubectl -n headwater get secret team-digest   # HEADWATER_PII_DIGEST_KEY" in notes
    assert "generated masked-value digest key" not in notes


@pytest.mark.parametrize("bad", [{"key": ""}, {"key": "a/b"}, {"existingSecret": 3}, {"value": "inline-secret"}])
def test_schema_refuses_an_empty_or_invalid_key_name_and_an_inline_value(bad):
    with pytest.raises(helm.HelmValuesError):
        render({"piiDigestKey": bad})


class _Api(BaseHTTPRequestHandler):
    """The Kubernetes API calls of ``lookup "v1" "Secret" <ns> <name>``: discovery of v1, then GET of the Secret."""

    secrets: dict[str, dict] = {}
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.split("?")[0]
        self.seen.append(path)
        prefix = f"/api/v1/namespaces/{NAMESPACE}/secrets/"
        if path == "/api/v1":
            body: dict = {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
                {"name": "secrets", "singularName": "secret", "namespaced": True, "kind": "Secret", "verbs": ["get"]}]}
        elif path.startswith(prefix) and path[len(prefix):] in self.secrets:
            body = self.secrets[path[len(prefix):]]
        else:
            self._send(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404})
            return
        self._send(200, body)

    def _send(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def api() -> Iterator[tuple[str, type[_Api]]]:
    handler = type("Api", (_Api,), {"secrets": {}, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", handler
    finally:
        server.shutdown()
        thread.join()


def _upgrade_render(url: str) -> dict:
    """The generated Secret as ``helm upgrade`` renders it against the cluster at ``url``."""
    with helm.Config(kube_apiserver=url, kube_token="test", namespace=NAMESPACE) as config:
        manifests = config.render(helm.Chart.load(CHART), {}, name=RELEASE, namespace=NAMESPACE, is_install=False, is_upgrade=True)
    docs = [d for path, text in manifests.items() if not path.endswith("NOTES.txt") for d in yaml.safe_load_all(text) if d]
    return one(docs, "Secret", "-pii-digest")


def test_an_upgrade_keeps_the_key_the_cluster_holds(api):
    url, handler = api
    stored = base64.b64encode(b"k" * 64).decode()
    handler.secrets[SECRET] = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": SECRET, "namespace": NAMESPACE},
                               "type": "Opaque", "data": {"key": stored}}
    assert _upgrade_render(url)["data"] == {"key": stored}
    assert f"/api/v1/namespaces/{NAMESPACE}/secrets/{SECRET}" in handler.seen


def test_a_first_install_or_a_secret_without_the_key_gets_a_fresh_key(api):
    url, handler = api
    first = _upgrade_render(url)["data"]["key"]
    assert len(base64.b64decode(first)) == 64
    handler.secrets[SECRET] = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": SECRET, "namespace": NAMESPACE},
                               "type": "Opaque", "data": {"other": base64.b64encode(b"x").decode()}}
    second = _upgrade_render(url)["data"]
    assert list(second) == ["key"] and len(base64.b64decode(second["key"])) == 64 and second["key"] != first
