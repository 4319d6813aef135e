from __future__ import annotations

import pytest
import yaml

from kfp_components import TRAIN_IMAGE
from kfp_components.pipeline import COMPILED_YAML, GPU_PLACEMENT, compile_pipeline

GPU_EXECUTORS = ("exec-qlora-finetune", "exec-quantized-eval")
ALL_EXECUTORS = ("exec-build-or-load-base-model", "exec-prepare-dataset", *GPU_EXECUTORS)


def test_checked_in_yaml_is_not_stale(tmp_path):
    fresh = compile_pipeline(tmp_path / "pipeline.yaml").read_text(encoding="utf-8")
    assert fresh == COMPILED_YAML.read_text(encoding="utf-8"), (
        f"{COMPILED_YAML.name} is stale: run `.venv-kfp/bin/python -m kfp_components.pipeline` and commit it"
    )


def _compiled() -> tuple[dict, dict]:
    pipeline_spec, platform_spec = yaml.safe_load_all(COMPILED_YAML.read_text(encoding="utf-8"))
    return pipeline_spec, platform_spec["platforms"]["kubernetes"]["deploymentSpec"]["executors"]


def test_every_step_uses_the_pinned_image_without_runtime_installs():
    pipeline_spec, _ = _compiled()
    executors = pipeline_spec["deploymentSpec"]["executors"]
    assert set(executors) == {"exec-importer", *ALL_EXECUTORS}
    assert executors["exec-importer"]["importer"]["artifactUri"] == {"runtimeParameter": "uri"}
    for name in ALL_EXECUTORS:
        container = executors[name]["container"]
        assert container["image"] == TRAIN_IMAGE, name
        assert "pip install" not in " ".join(container["command"]), name


def test_gpu_steps_request_a_gpu_and_are_placed_on_gpu_nodes():
    pipeline_spec, k8s = _compiled()
    executors = pipeline_spec["deploymentSpec"]["executors"]
    for name in GPU_EXECUTORS:
        accelerator = executors[name]["container"]["resources"]["accelerator"]
        assert (accelerator["resourceType"], accelerator["resourceCount"]) == ("nvidia.com/gpu", "1")
        assert k8s[name]["tolerations"] == [{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}]
        assert k8s[name]["nodeSelector"] == {"labels": {"nvidia.com/gpu.present": "true"}}
        assert k8s[name]["emptyDirMounts"] == [
            {"medium": "Memory", "mountPath": "/dev/shm", "sizeLimit": GPU_PLACEMENT.shm_size, "volumeName": "dshm"}
        ]
    tasks = pipeline_spec["root"]["dag"]["tasks"]
    for name in ("qlora-finetune", "quantized-eval"):
        assert tasks[name]["retryPolicy"] == {"backoffDuration": "120s", "backoffFactor": 2.0, "backoffMaxDuration": "86400s", "maxRetryCount": 3}
    assert [name for name, task in tasks.items() if "retryPolicy" in task] == ["qlora-finetune", "quantized-eval"]
    for name in ("exec-build-or-load-base-model", "exec-prepare-dataset"):
        assert "resources" not in executors[name]["container"]
        assert set(k8s[name]) == {"pvcMount"}


def test_placement_comes_from_the_values_file(tmp_path):
    from kfp_components.pipeline import PLACEMENT_FILE, GpuPlacement

    assert GpuPlacement.load(PLACEMENT_FILE) == GPU_PLACEMENT
    text = PLACEMENT_FILE.read_text(encoding="utf-8").replace("gpusPerTask: 1", "gpusPerTask: 2").replace("retries: 3", "retries: 5")
    (tmp_path / "a100.yaml").write_text(text, encoding="utf-8")
    other = GpuPlacement.load(tmp_path / "a100.yaml")
    assert (other.gpus_per_task, other.retries, other.node_selector) == (2, 5, {"nvidia.com/gpu.present": "true"})
    (tmp_path / "typo.yaml").write_text(text.replace("retries:", "retrys:"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"typo.yaml: keys must be .*missing \['retries'\], unknown \['retrys'\]"):
        GpuPlacement.load(tmp_path / "typo.yaml")


def test_the_image_is_registry_qualified():
    from kfp_components import DEFAULT_TRAIN_IMAGE

    assert TRAIN_IMAGE == DEFAULT_TRAIN_IMAGE and TRAIN_IMAGE.split("/")[0] == "registry.example.com"


def test_every_step_mounts_the_model_cache_pvc_from_a_parameter():
    pipeline_spec, k8s = _compiled()
    assert pipeline_spec["root"]["inputDefinitions"]["parameters"]["model_cache_pvc"]["defaultValue"] == (
        "headwater-model-cache")
    for name in ALL_EXECUTORS:
        (mount,) = k8s[name]["pvcMount"]
        assert mount["mountPath"] == "/models"
        assert mount["pvcNameParameter"] == {"componentInputParameter": "model_cache_pvc"}


def test_pipeline_parameters():
    pipeline_spec, _ = _compiled()
    params = pipeline_spec["root"]["inputDefinitions"]["parameters"]
    assert "defaultValue" not in params["examples_uri"]
    defaults = {name: spec.get("defaultValue") for name, spec in params.items() if name != "examples_uri"}
    assert defaults == {
        "base_model_path": "", "model_cache_pvc": "headwater-model-cache",
        "eval_fraction": 0.1, "min_completion_tokens": 4, "max_total_tokens": 256,
        "lora_r": 16, "lora_alpha": 32, "lora_dropout": 0.05,
        "lora_target_modules": "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
        "epochs": 1.0, "max_steps": -1, "learning_rate": 0.0002,
        "per_device_batch_size": 4, "gradient_accumulation_steps": 4,
        "optimizer": "paged_adamw_8bit", "compute_dtype": "bfloat16",
        "eval_precisions": "full,int8,nf4", "eval_full_precision_dtype": "bfloat16",
        "eval_max_examples": 256, "seed": 42,
    }
