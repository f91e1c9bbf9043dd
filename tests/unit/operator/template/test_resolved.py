"""Template status from discovery or inline sources: sources, profile, hardware, affinity."""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.api.v1alpha1.hardware import (
    AIMCpuRequirements,
    AIMGpuRequirements,
    AIMHardwareRequirements,
    AIMProfileType,
)
from aim_engine.api.v1alpha1.image_metadata import AIMProfileMetadata
from aim_engine.api.v1alpha1.template import AIMServiceTemplateSpec
from controllers.gpu import gpu_inventory
from controllers.template.discovery_output import DiscoveryResult
from controllers.template.resolved import (
    hardware_summary,
    inline_profile,
    model_sources_from_discovery,
    profile_from_discovery,
    resolve_template,
    resolved_hardware,
)

GI = 1024**3

RESULT = DiscoveryResult.model_validate(
    {
        "filename": "p.yaml",
        "profile": {
            "metadata": {
                "engine": "vllm",
                "gpu": "MI300X",
                "precision": "fp8",
                "gpu_count": 2,
                "metric": "latency",
                "type": "preview",
            },
            "engine_args": {"tp": 2},
            "env_vars": {"A": "1"},
        },
        "models": [
            {"name": "amd/Qwen3-32B-FP8", "source": "hf://amd/Qwen3-32B-FP8", "size_gb": 32},
            {"name": "org/tiny", "source": "s3://b/tiny", "size_gb": 0.5},
            {"name": "org/unknown", "source": "hf://org/unknown"},
            {"name": "org/zero", "source": "hf://org/zero", "size_gb": 0},
            {"name": "org/odd", "source": "hf://org/odd", "size_gb": 61.04},
        ],
    }
)


def spec(**wire: Any) -> AIMServiceTemplateSpec:
    return AIMServiceTemplateSpec.model_validate({"modelName": "m", **wire})


def test_model_sources_from_discovery() -> None:
    wire = [s.to_wire() for s in model_sources_from_discovery(RESULT)]
    assert wire == [
        {"modelId": "amd/Qwen3-32B-FP8", "sourceUri": "hf://amd/Qwen3-32B-FP8", "size": "32Gi"},
        {"modelId": "org/tiny", "sourceUri": "s3://b/tiny", "size": "512Mi"},
        {"modelId": "org/unknown", "sourceUri": "hf://org/unknown"},
        {"modelId": "org/zero", "sourceUri": "hf://org/zero"},
        {"modelId": "org/odd", "sourceUri": "hf://org/odd", "size": str(int(61.04 * GI))},
    ]


@pytest.mark.parametrize(
    ("spec_type", "expected_type"),
    [(None, "preview"), (AIMProfileType.OPTIMIZED, "optimized")],
)
def test_profile_from_discovery(spec_type: AIMProfileType | None, expected_type: str) -> None:
    profile = profile_from_discovery(RESULT, spec_type)
    assert profile.to_wire() == {
        "engine_args": {"tp": 2},
        "env_vars": {"A": "1"},
        "metadata": {
            "engine": "vllm",
            "gpu": "MI300X",
            "gpuCount": 2,
            "metric": "latency",
            "precision": "fp8",
            "type": expected_type,
        },
    }


def test_inline_profile() -> None:
    profile = inline_profile(
        spec(
            metric="throughput",
            precision="bf16",
            type="optimized",
            hardware={"gpu": {"requests": 4, "model": "MI325X"}},
        )
    )
    assert profile.to_wire() == {
        "metadata": {
            "gpu": "MI325X",
            "gpuCount": 4,
            "metric": "throughput",
            "precision": "bf16",
            "type": "optimized",
        }
    }


def test_inline_profile_of_a_cpu_template() -> None:
    assert inline_profile(spec(hardware={"cpu": {"requests": "4"}})).to_wire() == {"metadata": {}}


CPU = AIMCpuRequirements(requests="4")


@pytest.mark.parametrize(
    ("case", "hardware", "discovered", "expected"),
    [
        ("no hardware, no discovery", None, None, None),
        ("cpu only", AIMHardwareRequirements(cpu=CPU), None, AIMHardwareRequirements(cpu=CPU)),
        (
            "spec gpu without discovery",
            AIMHardwareRequirements(gpu=AIMGpuRequirements(requests=2, model="MI300X")),
            None,
            AIMHardwareRequirements(gpu=AIMGpuRequirements(requests=2, model="MI300X")),
        ),
        (
            "discovery wins for count and model",
            AIMHardwareRequirements(
                gpu=AIMGpuRequirements(requests=1, resource_name="amd.com/gpu-x")
            ),
            AIMProfileMetadata(gpu="MI325X", gpu_count=8),
            AIMHardwareRequirements(
                gpu=AIMGpuRequirements(requests=8, model="MI325X", resource_name="amd.com/gpu-x")
            ),
        ),
        (
            "discovered zero and empty win too",
            AIMHardwareRequirements(gpu=AIMGpuRequirements(requests=2, model="MI300X")),
            AIMProfileMetadata(gpu="", gpu_count=0),
            AIMHardwareRequirements(gpu=AIMGpuRequirements(requests=0)),
        ),
        (
            "discovered gpu without spec gpu",
            AIMHardwareRequirements(cpu=CPU),
            AIMProfileMetadata(gpu="MI300X", gpu_count=1),
            AIMHardwareRequirements(gpu=AIMGpuRequirements(requests=1, model="MI300X"), cpu=CPU),
        ),
        (
            "cpu template, discovery reports no gpu",
            AIMHardwareRequirements(cpu=CPU),
            AIMProfileMetadata(gpu="", gpu_count=0),
            AIMHardwareRequirements(cpu=CPU),
        ),
        (
            "minVram kept without a model",
            AIMHardwareRequirements(gpu=AIMGpuRequirements(requests=1, min_vram="128Gi")),
            AIMProfileMetadata(gpu="", gpu_count=1),
            AIMHardwareRequirements(gpu=AIMGpuRequirements(requests=1, min_vram="128Gi")),
        ),
        (
            "minVram dropped once a model is resolved (CEL: exclusive)",
            AIMHardwareRequirements(gpu=AIMGpuRequirements(requests=1, min_vram="128Gi")),
            AIMProfileMetadata(gpu="MI300X", gpu_count=1),
            AIMHardwareRequirements(gpu=AIMGpuRequirements(requests=1, model="MI300X")),
        ),
    ],
)
def test_resolved_hardware(
    case: str,
    hardware: AIMHardwareRequirements | None,
    discovered: AIMProfileMetadata | None,
    expected: AIMHardwareRequirements | None,
) -> None:
    assert resolved_hardware(hardware, discovered) == expected


@pytest.mark.parametrize(
    ("hardware", "summary"),
    [
        (None, "CPU"),
        (AIMHardwareRequirements(cpu=CPU), "CPU"),
        (AIMHardwareRequirements(gpu=AIMGpuRequirements(requests=2, model="MI300X")), "2 x MI300X"),
        (AIMHardwareRequirements(gpu=AIMGpuRequirements(requests=0, model="MI300X")), "MI300X"),
        (AIMHardwareRequirements(gpu=AIMGpuRequirements(requests=4)), "4 x GPU"),
    ],
)
def test_hardware_summary(hardware: AIMHardwareRequirements | None, summary: str) -> None:
    assert hardware_summary(hardware) == summary


INVENTORY = gpu_inventory([{"metadata": {"labels": {"amd.com/gpu.device-id": "74a5"}}}])


def test_resolve_template_from_discovery() -> None:
    resolution = resolve_template(spec(hardware={"gpu": {"requests": 1}}), RESULT, INVENTORY)
    assert resolution.hardware_summary == "2 x MI300X"
    assert [s.model_id for s in resolution.model_sources][:2] == ["amd/Qwen3-32B-FP8", "org/tiny"]
    assert resolution.profile.metadata is not None
    assert resolution.profile.metadata.type == "preview"
    assert resolution.resolved_node_affinity == {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {
                    "matchExpressions": [
                        {
                            "key": "amd.com/gpu.device-id",
                            "operator": "In",
                            "values": ["74a1", "74a9", "74b5", "74bd"],
                        }
                    ]
                }
            ]
        }
    }


def test_resolve_template_with_inline_sources_and_min_vram() -> None:
    tpl = spec(
        hardware={"gpu": {"requests": 1, "minVram": "200Gi"}},
        modelSources=[{"modelId": "org/m", "sourceUri": "hf://org/m", "size": "10Gi"}],
        type="optimized",
    )
    resolution = resolve_template(tpl, None, INVENTORY)
    assert [s.to_wire() for s in resolution.model_sources] == [
        {"modelId": "org/m", "sourceUri": "hf://org/m", "size": "10Gi"}
    ]
    assert resolution.hardware_summary == "1 x GPU"
    assert resolution.profile.metadata == AIMProfileMetadata(gpu_count=1, type="optimized")
    affinity = resolution.resolved_node_affinity
    assert affinity is not None
    term = affinity["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]
    assert term["matchExpressions"][0]["values"] == ["74a5", "74b9"]  # MI325X has 256Gi


def test_resolve_cpu_template_has_no_affinity() -> None:
    resolution = resolve_template(spec(hardware={"cpu": {"requests": "2"}}), None, {})
    assert resolution.resolved_node_affinity is None
    assert resolution.hardware_summary == "CPU"
    assert resolution.resolved_hardware == AIMHardwareRequirements(
        cpu=AIMCpuRequirements(requests="2")
    )


def test_resolve_zero_gpu_template_without_model_has_no_affinity() -> None:
    resolution = resolve_template(spec(hardware={"gpu": {"requests": 0}}), None, INVENTORY)
    assert resolution.resolved_node_affinity is None
