"""The two Dockerfiles (parsed with dockerfile-parse: no Docker engine here) and the image names they produce.

Checks: a pinned base (a version tag, never `latest`), a non-root final USER, no secrets in ENV/ARG or
copied files, no compilers or test packages at run time, a .dockerignore per build, CPU torch by
default in the Airflow image, and a registry-qualified training image compiled into the pipeline
with the same GPU placement the Helm chart's placeholders use.
"""

from __future__ import annotations

import re

import pytest
import yaml
from dockerfile_parse import DockerfileParser
from rendering import CHART, PROJECT

DOCKERFILES = {
    "airflow": (PROJECT / "Dockerfile", PROJECT / ".dockerignore"),
    "training": (PROJECT / "kfp_components" / "Dockerfile", PROJECT / "kfp_components" / "Dockerfile.dockerignore"),
}
SECRETISH = re.compile(r"PASSWORD|SECRET|TOKEN(?!IZER)|ACCESS_KEY|PRIVATE|CREDENTIAL|API_KEY", re.I)


def parsed(name: str) -> DockerfileParser:
    return DockerfileParser(str(DOCKERFILES[name][0]))


def instructions(name: str, kind: str) -> list[str]:
    return [i["value"] for i in parsed(name).structure if i["instruction"] == kind]


@pytest.mark.parametrize("name", DOCKERFILES)
def test_base_image_is_a_pinned_version(name):
    parser = parsed(name)
    (base,) = parser.parent_images
    image, _, tag = base.partition("@")[0].rpartition(":")
    assert image and re.match(r"^\d+\.\d+\.\d+", tag), base
    assert "latest" not in parser.content.lower()


@pytest.mark.parametrize("name", DOCKERFILES)
def test_runs_as_a_non_root_user(name):
    users = instructions(name, "USER")
    assert users, "no USER: the image would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")


@pytest.mark.parametrize("name", DOCKERFILES)
def test_no_secrets_in_env_args_or_copied_files(name):
    parser = parsed(name)
    assert [k for k in {**parser.envs, **parser.args} if SECRETISH.search(k)] == []
    copied = " ".join(instructions(name, "COPY") + instructions(name, "ADD"))
    assert not re.search(r"\.env\b|\.pem\b|id_rsa|credentials|\.netrc|kubeconfig", copied)
    assert instructions(name, "ADD") == []  # COPY only: no remote URLs or auto-extracted archives


@pytest.mark.parametrize("name", DOCKERFILES)
def test_a_dockerignore_keeps_out_environments_and_git(name):
    ignore = DOCKERFILES[name][1]
    assert ignore.exists(), f"{ignore.name} missing"
    lines = {line.strip() for line in ignore.read_text().splitlines() if line.strip() and not line.startswith("#")}
    assert lines & {"*", ".git"} and (lines & {"*", ".venv"})


@pytest.mark.parametrize("name", DOCKERFILES)
def test_no_compilers_or_test_packages_at_run_time(name):
    runs = " ".join(instructions(name, "RUN"))
    assert not re.search(r"\b(build-essential|gcc|g\+\+|clang|make|cmake)\b", runs)
    for requirements in re.findall(r"-r\s+(\S+)", runs):
        path = PROJECT / requirements.replace("/opt/headwater/", "")
        text = path.read_text()
        assert not re.search(r"^(pytest|ruff|mypy|moto|selenium)\b", text, re.M), path


def test_training_requirements_have_no_pytest_but_the_test_environment_does():
    assert "pytest" not in (PROJECT / "kfp_components" / "requirements.txt").read_text()
    assert "pytest" in (PROJECT / "kfp_components" / "requirements-dev.txt").read_text()
    assert "kfp_components/requirements-dev.txt" in (PROJECT / "Makefile").read_text()


def test_airflow_image_takes_cpu_torch_by_default_and_installs_the_library_for_real():
    parser = parsed("airflow")
    assert parser.args["TORCH_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"
    runs = instructions("airflow", "RUN")
    assert any('--index-url "${TORCH_INDEX_URL}"' in r for r in runs)
    assert not any(re.search(r"pip install[^&]*\s-e\s", r) for r in runs)
    assert parser.envs["HEADWATER_KFP_PIPELINE"] == "/opt/headwater/kfp_components/headwater_finetune_pipeline.yaml"


def _compiled_pipeline() -> tuple[dict, dict]:
    spec, platform = yaml.safe_load_all((PROJECT / "kfp_components" / "headwater_finetune_pipeline.yaml").read_text())
    return spec, platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]


def test_the_compiled_pipeline_names_the_registry_qualified_training_image():
    default = re.search(r'^DEFAULT_TRAIN_IMAGE = "([^"]+)"$', (PROJECT / "kfp_components" / "__init__.py").read_text(), re.M).group(1)
    spec, _ = _compiled_pipeline()
    images = {e["container"]["image"] for e in spec["deploymentSpec"]["executors"].values() if "container" in e}
    assert images == {default}
    assert re.match(r"^[^/]+\.[^/]+/[^:]+:\d", default)


def test_training_pods_and_gpu_placeholders_target_the_same_gpu_pool():
    spec, k8s = _compiled_pipeline()
    gpu = yaml.safe_load((CHART / "values.yaml").read_text())["gpu"]
    for executor in ("exec-qlora-finetune", "exec-quantized-eval"):
        assert spec["deploymentSpec"]["executors"][executor]["container"]["resources"]["accelerator"]["resourceType"] == gpu["resource"]
        assert k8s[executor]["nodeSelector"] == {"labels": gpu["nodeSelector"]}
        assert k8s[executor]["tolerations"] == gpu["tolerations"]
