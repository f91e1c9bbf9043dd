"""The templates a model plans (discovered + custom), hardware merge, and status decoration."""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.api.v1alpha1.hardware import AIMGpuRequirements, AIMHardwareRequirements
from aim_engine.api.v1alpha1.image_metadata import ImageMetadata
from aim_engine.api.v1alpha1.model import AIMClusterModel, AIMCustomTemplate, AIMModel
from aim_engine.api.v1alpha1.template import AIMClusterServiceTemplate, AIMServiceTemplate
from controllers.model.health import recommended_deployments
from controllers.model.templates import (
    cpu_resources,
    custom_template,
    custom_template_type,
    discovered_template,
    merge_gpu,
    merge_hardware,
    plan_templates,
    status_decoration,
)
from controllers.object_names import custom_template_name, discovered_template_name

IMAGE = "amdenterpriseai/aim-qwen-qwen3-32b:0.8.5"
SOURCES = [{"modelId": "Qwen/Qwen3-32B", "sourceUri": "hf://Qwen/Qwen3-32B"}]
LATENCY = {
    "gpuModel": "MI300X",
    "gpuCount": 1,
    "metric": "latency",
    "precision": "fp8",
    "profileId": "p1",
}
THROUGHPUT = {"gpuModel": "MI300X", "gpuCount": 2, "metric": "throughput", "precision": "fp16"}
METADATA = ImageMetadata.model_validate(
    {"model": {"canonicalName": "Qwen/Qwen3-32B", "recommendedDeployments": [LATENCY, THROUGHPUT]}}
)


def _model(**spec: Any) -> AIMModel:
    body = {"metadata": {"name": "qwen", "namespace": "ml"}, "spec": {"image": IMAGE, **spec}}
    return AIMModel.model_validate(body)


def _cluster_model(**spec: Any) -> AIMClusterModel:
    body = {"metadata": {"name": "qwen"}, "spec": {"image": IMAGE, **spec}}
    return AIMClusterModel.model_validate(body)


def test_discovered_template_body() -> None:
    model = _model(imagePullSecrets=[{"name": "hub"}], serviceAccountName="sa")
    body = discovered_template(model, recommended_deployments(METADATA)[0])
    assert body == {
        "apiVersion": "aim.eai.amd.com/v1alpha1",
        "kind": "AIMServiceTemplate",
        "metadata": {
            "name": "amdenterpriseai-aim-qwen-qwen3-32b-0-8-5-1x-mi300x-lat-fp8-44f1",
            "namespace": "ml",
            "labels": {"aim.eai.amd.com/model": "qwen", "aim.eai.amd.com/origin": "auto-generated"},
        },
        "spec": {
            "modelName": "qwen",
            "imagePullSecrets": [{"name": "hub"}],
            "serviceAccountName": "sa",
            "metric": "latency",
            "precision": "fp8",
            "profileId": "p1",
            "hardware": {"gpu": {"requests": 1, "model": "MI300X"}},
        },
    }
    AIMServiceTemplate.model_validate(body)


@pytest.mark.parametrize(
    ("deployment", "hardware"),
    [
        ({"gpuModel": "MI300X", "gpuCount": 4}, {"gpu": {"requests": 4, "model": "MI300X"}}),
        ({"gpuModel": "MI300X"}, None),
        ({"gpuCount": 4}, None),
        ({"gpuModel": "MI300X", "gpuCount": 0}, None),
        ({}, None),
    ],
)
def test_discovered_template_hardware_needs_model_and_count(
    deployment: dict[str, Any], hardware: dict[str, Any] | None
) -> None:
    metadata = ImageMetadata.model_validate({"model": {"recommendedDeployments": [deployment]}})
    body = discovered_template(_model(), recommended_deployments(metadata)[0])
    assert body["spec"].get("hardware") == hardware
    assert body["spec"] == {"modelName": "qwen", **({"hardware": hardware} if hardware else {})}


def test_cluster_model_plans_cluster_templates_without_namespace() -> None:
    bodies = plan_templates(_cluster_model(), METADATA)
    assert [b["kind"] for b in bodies] == ["AIMClusterServiceTemplate"] * 2
    assert all("namespace" not in b["metadata"] for b in bodies)
    for body in bodies:
        AIMClusterServiceTemplate.model_validate(body)


def test_image_model_plans_discovered_plus_custom_templates() -> None:
    entries = [
        {"name": "cpu", "hardware": {"cpu": {"requests": "8"}}},
        {"profile": {"metric": "latency"}},
    ]
    model = _model(customTemplates=entries)
    names = [b["metadata"]["name"] for b in plan_templates(model, METADATA)]
    assert names == [
        discovered_template_name(
            "qwen", IMAGE, gpu_model="MI300X", gpu_count=1, metric="latency", precision="fp8"
        ),
        discovered_template_name(
            "qwen", IMAGE, gpu_model="MI300X", gpu_count=2, metric="throughput", precision="fp16"
        ),
        custom_template_name("qwen", 0, AIMCustomTemplate.model_validate(entries[0])),
        custom_template_name("qwen", 1, AIMCustomTemplate.model_validate(entries[1])),
    ]


@pytest.mark.parametrize(
    ("spec", "metadata", "count"),
    [
        ({}, None, 0),
        ({"discovery": {"createServiceTemplates": False}}, METADATA, 0),
        ({}, ImageMetadata(), 0),
        ({}, METADATA, 2),
        ({"modelSources": SOURCES, "custom": {"hardware": {"gpu": {"requests": 1}}}}, METADATA, 1),
        ({"discovery": {"extractMetadata": False}, "customTemplates": [{"name": "x"}]}, None, 1),
    ],
)
def test_plan_counts(spec: dict[str, Any], metadata: ImageMetadata | None, count: int) -> None:
    assert len(plan_templates(_model(**spec), metadata)) == count


def test_custom_model_auto_generates_one_template() -> None:
    model = _model(
        modelSources=SOURCES,
        custom={"hardware": {"gpu": {"requests": 2, "model": "MI300X"}}},
        env=[{"name": "A", "value": "1"}],
        imagePullSecrets=[{"name": "hub"}],
    )
    (body,) = plan_templates(model, METADATA)
    gpu = AIMGpuRequirements(requests=2, model="MI300X")
    assert body["metadata"] == {
        "name": custom_template_name("qwen", 0, AIMCustomTemplate(), gpu),
        "namespace": "ml",
        "labels": {"aim.eai.amd.com/model": "qwen", "aim.eai.amd.com/origin": "auto-generated"},
    }
    assert body["spec"] == {
        "modelName": "qwen",
        "imagePullSecrets": [{"name": "hub"}],
        "modelSources": SOURCES,
        "type": "unoptimized",
        "hardware": {"gpu": {"requests": 2, "model": "MI300X"}},
        "env": [{"name": "A", "value": "1"}],
    }
    AIMServiceTemplate.model_validate(body)


def test_custom_template_body() -> None:
    entry = {
        "name": "Fast Path",
        "type": "optimized",
        "env": [{"name": "B", "value": "entry"}, {"name": "C", "value": "3"}],
        "hardware": {"gpu": {"model": "MI325X"}, "cpu": {"requests": "4", "limits": "8"}},
        "profile": {"metric": "throughput", "precision": "bf16"},
    }
    model = _model(
        modelSources=SOURCES,
        custom={"hardware": {"gpu": {"requests": 2, "model": "MI300X"}}, "type": "preview"},
        customTemplates=[entry],
        env=[{"name": "A", "value": "1"}, {"name": "B", "value": "model"}],
        serviceAccountName="sa",
    )
    (body,) = plan_templates(model, None)
    assert body["metadata"]["labels"] == {
        "aim.eai.amd.com/model": "qwen",
        "aim.eai.amd.com/origin": "auto-generated",
        "aim.eai.amd.com/template.alias": "fast_path",
    }
    assert body["spec"] == {
        "modelName": "qwen",
        "serviceAccountName": "sa",
        "modelSources": SOURCES,
        "type": "optimized",
        "hardware": {
            "gpu": {"requests": 2, "model": "MI325X"},
            "cpu": {"requests": "4", "limits": "8"},
        },
        "resources": {"requests": {"cpu": "4"}, "limits": {"cpu": "8"}},
        "metric": "throughput",
        "precision": "bf16",
        "env": [
            {"name": "A", "value": "1"},
            {"name": "B", "value": "entry"},
            {"name": "C", "value": "3"},
        ],
    }
    AIMServiceTemplate.model_validate(body)


def test_cluster_custom_templates_keep_the_model_env() -> None:
    model = _cluster_model(customTemplates=[{"name": "x"}], env=[{"name": "A", "value": "1"}])
    body = custom_template(model, 0, AIMCustomTemplate(name="x"))
    assert body["kind"] == "AIMClusterServiceTemplate"
    assert body["spec"]["env"] == [{"name": "A", "value": "1"}]


def test_alias_without_usable_characters_is_left_out() -> None:
    body = custom_template(_model(), 0, AIMCustomTemplate(name="!!!"))
    assert "aim.eai.amd.com/template.alias" not in body["metadata"]["labels"]


@pytest.mark.parametrize(
    ("custom", "entry", "expected"),
    [
        (None, {}, "unoptimized"),
        ({"type": "preview"}, {}, "preview"),
        ({"type": "preview"}, {"type": "optimized"}, "optimized"),
        ({"type": "preview"}, {"type": "unoptimized"}, "unoptimized"),
        ({}, {}, "unoptimized"),
    ],
)
def test_custom_template_type(
    custom: dict[str, Any] | None, entry: dict[str, Any], expected: str
) -> None:
    model = _model(**({"custom": custom} if custom is not None else {}))
    assert custom_template_type(model.spec, AIMCustomTemplate.model_validate(entry)) == expected


def _gpu(**fields: Any) -> AIMGpuRequirements:
    return AIMGpuRequirements.model_validate(fields)


@pytest.mark.parametrize(
    ("base", "override", "expected"),
    [
        (None, None, None),
        ({"requests": 1}, None, {"requests": 1}),
        (None, {"requests": 1}, {"requests": 1}),
        ({"requests": 1, "model": "MI300X"}, {"requests": 4}, {"requests": 4, "model": "MI300X"}),
        ({"requests": 1}, {"requests": 0}, {"requests": 0}),
        ({"requests": 2}, {"model": "MI325X"}, {"requests": 2, "model": "MI325X"}),
        ({"model": "MI300X"}, {"minVram": "192Gi"}, {"minVram": "192Gi"}),
        ({"minVram": "64Gi"}, {"model": "MI300X"}, {"model": "MI300X"}),
        ({"minVram": "64Gi"}, {"requests": 8}, {"requests": 8, "minVram": "64Gi"}),
        (
            {"resourceName": "amd.com/xgpu"},
            {"requests": 1},
            {"requests": 1, "resourceName": "amd.com/xgpu"},
        ),
        (
            {"resourceName": "amd.com/xgpu"},
            {"resourceName": "amd.com/gpu"},
            {"resourceName": "amd.com/gpu"},
        ),
    ],
)
def test_merge_gpu(
    base: dict[str, Any] | None, override: dict[str, Any] | None, expected: dict[str, Any] | None
) -> None:
    merged = merge_gpu(
        _gpu(**base) if base is not None else None,
        _gpu(**override) if override is not None else None,
    )
    assert (merged.to_wire() if merged is not None else None) == expected


@pytest.mark.parametrize(
    ("base", "override", "expected"),
    [
        (None, None, None),
        ({"cpu": {"requests": "4"}}, None, {"cpu": {"requests": "4"}}),
        (
            {"cpu": {"requests": "4", "limits": "8"}},
            {"cpu": {"requests": "2"}},
            {"cpu": {"requests": "2", "limits": "8"}},
        ),
        (
            {"cpu": {"requests": "4"}},
            {"cpu": {"requests": "2", "limits": "3"}},
            {"cpu": {"requests": "2", "limits": "3"}},
        ),
        (
            {"gpu": {"requests": 1}},
            {"cpu": {"requests": "2"}},
            {"gpu": {"requests": 1}, "cpu": {"requests": "2"}},
        ),
        (
            {"gpu": {"requests": 1}},
            {"gpu": {"model": "MI300X"}},
            {"gpu": {"requests": 1, "model": "MI300X"}},
        ),
    ],
)
def test_merge_hardware(
    base: dict[str, Any] | None, override: dict[str, Any] | None, expected: dict[str, Any] | None
) -> None:
    def hw(value: dict[str, Any] | None) -> AIMHardwareRequirements | None:
        return AIMHardwareRequirements.model_validate(value) if value is not None else None

    merged = merge_hardware(hw(base), hw(override))
    assert (merged.to_wire() if merged is not None else None) == expected


@pytest.mark.parametrize(
    ("hardware", "resources"),
    [
        (None, None),
        ({"gpu": {"requests": 1}}, None),
        ({"cpu": {"requests": "4"}}, {"requests": {"cpu": "4"}}),
        ({"cpu": {"requests": 4, "limits": "6"}}, {"requests": {"cpu": 4}, "limits": {"cpu": "6"}}),
    ],
)
def test_cpu_resources(hardware: dict[str, Any] | None, resources: dict[str, Any] | None) -> None:
    hw = AIMHardwareRequirements.model_validate(hardware) if hardware is not None else None
    assert cpu_resources(hw) == resources


@pytest.mark.parametrize(
    ("spec", "fetched", "expected"),
    [
        ({}, None, {"sourceType": "Image"}),
        ({}, METADATA, {"sourceType": "Image", "imageMetadata": METADATA.to_wire()}),
        (
            {"modelSources": SOURCES, "imageMetadata": {"model": {"canonicalName": "a/b"}}},
            None,
            {"sourceType": "Custom", "imageMetadata": {"model": {"canonicalName": "a/b"}}},
        ),
    ],
)
def test_status_decoration(
    spec: dict[str, Any], fetched: ImageMetadata | None, expected: dict[str, Any]
) -> None:
    assert status_decoration(_model(**spec).spec, fetched) == expected
