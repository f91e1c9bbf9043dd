"""Wire JSON → model → wire JSON is lossless for every sample and for full statuses."""

from __future__ import annotations

import pathlib
from typing import Any

import pydantic
import pytest
import yaml

from aim_engine.api.v1alpha1 import (
    ALL_KINDS,
    AIMGpuRequirements,
    AIMHardwareRequirements,
    AIMModelSpec,
    AimObject,
    AIMService,
    AIMServiceSpec,
    AIMStatus,
)
from aim_engine.api.v1alpha1.service import AIMServiceModel

ROOT = pathlib.Path(__file__).resolve().parents[3]
SAMPLES = sorted((ROOT / "manifests" / "samples").glob("aim_*.yaml"))
KINDS: dict[str, type[AimObject]] = {kind.kind_name(): kind for kind in ALL_KINDS}
T = "2026-03-01T12:00:00Z"
CONDITION = {
    "type": "Ready",
    "status": "False",
    "reason": "Progressing",
    "message": "Waiting for components to become ready",
    "lastTransitionTime": T,
    "observedGeneration": 3,
}
META = {
    "name": "x",
    "namespace": "ns",
    "uid": "0b6c0a52-1111-2222-3333-444455556666",
    "resourceVersion": "42",
    "generation": 3,
    "creationTimestamp": T,
    "finalizers": ["aim.eai.amd.com/template-cache-cleanup"],
    "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "o", "uid": "u"}],
    "managedFields": [{"manager": "aim-service-controller", "operation": "Apply"}],
}
STATUSES: dict[str, dict[str, Any]] = {
    "AIMService": {
        "status": "Starting",
        "conditions": [CONDITION],
        "resolvedModel": {"name": "m", "scope": "Cluster", "uid": "u1"},
        "resolvedTemplate": {"name": "t", "namespace": "ns", "scope": "Namespace", "uid": "u2"},
        "cache": {"templateCacheRef": {"name": "c", "namespace": "ns", "uid": "u3"}},
        "runtime": {"currentReplicas": 1, "desiredReplicas": 2, "minReplicas": 1, "replicas": 2},
        "routing": {},
    },
    "AIMModel": {
        "status": "Ready",
        "conditions": [CONDITION],
        "sourceType": "Image",
        "imageMetadata": {
            "model": {
                "canonicalName": "Qwen/Qwen3-32B",
                "recommendedDeployments": [{"gpuModel": "MI300X", "gpuCount": 1}],
            },
            "originalLabels": {"com.amd.aim.model.canonicalName": "Qwen/Qwen3-32B"},
        },
    },
    "AIMServiceTemplate": {
        "status": "NotAvailable",
        "resolvedModel": {"name": "m", "namespace": "ns"},
        "resolvedHardware": {"gpu": {"requests": 2, "model": "MI300X"}},
        "resolvedNodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": "amd.com/gpu.device-id", "operator": "In", "values": ["74a1"]}
                        ]
                    }
                ]
            }
        },
        "hardwareSummary": "2 x MI300X",
        "modelSources": [{"modelId": "Qwen/Qwen3-32B", "sourceUri": "hf://Qwen/Qwen3-32B"}],
        "profile": {
            "engine_args": {"tensor-parallel-size": 2, "enforce-eager": True},
            "env_vars": {"VLLM_USE_V1": "1"},
            "metadata": {"engine": "vllm", "gpu": "MI300X", "gpuCount": 2, "type": "optimized"},
        },
        "discoveryJob": {"name": "discover-x-12345678", "namespace": "ns"},
        "discovery": {"attempts": 2, "lastAttemptTime": T, "specHash": "abcd"},
    },
    "AIMTemplateCache": {
        "status": "Progressing",
        "artifacts": {"hf---qwen": {"uid": "u", "name": "hf---qwen", "model": "Qwen/Qwen3-32B"}},
    },
    "AIMArtifact": {
        "status": "Progressing",
        "progress": {"totalBytes": 100, "downloadedBytes": 42, "percentage": 42},
        "download": {"protocol": "XET", "attempt": 1, "totalAttempts": 2},
        "displaySize": "62 GiB",
        "mode": "Shared",
        "discoveredSizeBytes": 66571993088,
        "allocatedSize": "69Gi",
        "headroomPercent": 10,
    },
    "AIMClusterModelSource": {
        "status": "Ready",
        "lastSyncTime": T,
        "discoveredModels": 3,
        "availableModels": 5,
        "modelsLimitReached": True,
    },
    "AIMRuntimeConfig": {"observedGeneration": 1, "conditions": [CONDITION]},
}


def _load(path: pathlib.Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_every_kind_has_a_sample() -> None:
    kinds = {_load(path)["kind"] for path in SAMPLES}
    assert kinds == set(KINDS)
    services = [p for p in SAMPLES if _load(p)["kind"] == "AIMService"]
    assert len(services) >= 6


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_round_trips(path: pathlib.Path) -> None:
    wire = _load(path)
    model = KINDS[wire["kind"]].model_validate(wire)
    assert model.to_wire() == wire
    assert KINDS[wire["kind"]].model_validate_json(model.model_dump_json(by_alias=True)) == model


@pytest.mark.parametrize("kind", sorted(STATUSES))
def test_full_status_and_metadata_round_trip(kind: str) -> None:
    sample = next(_load(p) for p in SAMPLES if _load(p)["kind"] == kind)
    wire = {**sample, "metadata": META, "status": STATUSES[kind]}
    assert KINDS[kind].model_validate(wire).to_wire() == wire


def test_python_names_are_snake_case_and_wire_names_camel_case() -> None:
    spec = AIMServiceSpec(model=AIMServiceModel(name="m"), min_replicas=1)
    assert spec.min_replicas == 1
    assert spec.to_wire() == {"model": {"name": "m"}, "minReplicas": 1}
    parsed = AIMServiceSpec.model_validate({"model": {"name": "m"}, "minReplicas": 2})
    assert parsed.min_replicas == 2


def test_defaults_are_the_originals() -> None:
    svc = AIMService.model_validate({"spec": {"model": {"name": "m"}}})
    assert svc.spec.replicas == 1
    assert svc.api_version == "aim.eai.amd.com/v1alpha1"
    assert AIMGpuRequirements().resource_name == "amd.com/gpu"
    assert svc.to_wire() == {
        "apiVersion": "aim.eai.amd.com/v1alpha1",
        "kind": "AIMService",
        "spec": {"model": {"name": "m"}},
    }


def test_models_are_frozen_and_ignore_unknown_fields() -> None:
    spec = AIMServiceSpec.model_validate({"model": {"name": "m"}, "futureField": 1})
    assert "futureField" not in spec.to_wire()
    with pytest.raises(pydantic.ValidationError):
        spec.replicas = 3  # type: ignore[misc]


def test_service_status_rejects_values_outside_its_enum() -> None:
    with pytest.raises(pydantic.ValidationError, match="status must be one of"):
        AIMService.model_validate({"spec": {"model": {"name": "m"}}, "status": {"status": "Ready"}})
    ok = AIMService.model_validate(
        {"spec": {"model": {"name": "m"}}, "status": {"status": "Running"}}
    )
    assert ok.status is not None
    assert ok.status.status is AIMStatus.RUNNING


def test_pattern_constraints_mirror_the_crd() -> None:
    with pytest.raises(pydantic.ValidationError):
        AIMServiceSpec.model_validate(
            {"model": {"custom": {"baseImage": "b", "modelSources": [{"modelId": "x"}]}}}
        )


@pytest.mark.parametrize(
    ("model", "wire", "message"),
    [
        (AIMServiceModel, {}, "exactly one of name, image, or custom"),
        (AIMServiceModel, {"name": "a", "image": "b"}, "exactly one of name, image, or custom"),
        (AIMGpuRequirements, {"model": "MI300X", "minVram": "64Gi"}, "mutually exclusive"),
        (AIMHardwareRequirements, {}, "at least one of gpu or cpu"),
        (AIMGpuRequirements, {"minVram": "lots"}, "pattern"),
        (
            AIMModelSpec,
            {"image": "i", "modelSources": [{"modelId": "a/b"}], "customTemplates": [{}]},
            "hardware must be specified",
        ),
    ],
)
def test_python_validation_mirrors_the_cel_rules(
    model: type[pydantic.BaseModel], wire: dict[str, Any], message: str
) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        model.model_validate(wire)


def test_cel_mirrors_accept_the_valid_variants() -> None:
    assert AIMGpuRequirements.model_validate({"model": "", "minVram": "64Gi"}).min_vram == "64Gi"
    spec = AIMModelSpec.model_validate(
        {
            "image": "i",
            "modelSources": [{"modelId": "a/b"}],
            "customTemplates": [{"hardware": {"cpu": {"requests": 2}}}],
        }
    )
    assert spec.custom_templates is not None


def test_resource_kind_for_the_registry() -> None:
    kind = AIMService.resource_kind()
    assert kind.api_version == "aim.eai.amd.com/v1alpha1"
    assert (
        kind.object_path("x", "ns") == "/apis/aim.eai.amd.com/v1alpha1/namespaces/ns/aimservices/x"
    )
    assert kind.has_status
    assert (
        not next(k for k in ALL_KINDS if k.kind_name() == "AIMClusterModel")
        .resource_kind()
        .namespaced
    )
