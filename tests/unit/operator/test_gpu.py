"""GPU detection from node labels (§8.3), availability (§5.2.3 GPUReady), affinity (§8.4)."""

from __future__ import annotations

from typing import Any

import pytest

from aim_engine.api.v1alpha1.hardware import (
    AIMCpuRequirements,
    AIMGpuRequirements,
    AIMHardwareRequirements,
)
from aim_engine.errors import InvalidSpecError
from controllers.gpu import (
    GPU_MODELS,
    ClusterGpu,
    check_gpu_availability,
    device_id_model,
    gpu_inventory,
    gpu_node_affinity,
    node_gpu_model,
    normalize_gpu_model,
    parse_vram,
    requires_gpu,
)

GI = 1024**3


def node(labels: dict[str, str], allocatable: str | None = None) -> dict[str, Any]:
    status = {"allocatable": {"amd.com/gpu": allocatable}} if allocatable is not None else {}
    return {"metadata": {"name": "n", "labels": labels}, "status": status}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("MI300X", "MI300X"),
        ("mi300x", "MI300X"),
        ("AMD Instinct MI325X", "MI325X"),
        ("Instinct-MI325X", "MI325X"),
        ("INSTINCTMI300X", "MI300X"),
        ("amd_mi250x", "MI250X"),
        ("AMD/RX7900:XT", "RX7900"),
        ("  W7900  ", "W7900"),
        ("instinct", ""),
        ("", ""),
        ("Radeon", "RADEON"),  # no model-like token: the first one
    ],
)
def test_normalize_gpu_model(raw: str, expected: str) -> None:
    assert normalize_gpu_model(raw) == expected


@pytest.mark.parametrize(
    ("device", "model"),
    [
        ("74a1", "MI300X"),
        ("0x74A1", "MI300X"),
        ("74b9", "MI325X"),
        ("75b3", "MI355X"),
        ("abcd", "AMD-ABCD"),
    ],
)
def test_device_id_model(device: str, model: str) -> None:
    assert device_id_model(device) == model


def test_every_table_model_normalises_to_itself() -> None:
    for model in GPU_MODELS:
        assert normalize_gpu_model(model) == model


@pytest.mark.parametrize(
    ("labels", "model"),
    [
        ({"amd.com/gpu.device-id": "74a1"}, "MI300X"),
        ({"beta.amd.com/gpu.device-id": "74a5"}, "MI325X"),
        ({"amd.com/gpu.device-id": "74a1", "beta.amd.com/gpu.device-id": "74a5"}, "MI300X"),
        ({"amd.com/gpu.device-id.740f": "8"}, "MI210"),
        ({"amd.com/gpu.device-id.740f": "0", "amd.com/gpu.device-id.74a1": "2"}, "MI300X"),
        ({"beta.amd.com/gpu.device-id.7408": "1"}, "MI250X"),
        ({"amd.com/gpu.family": "Instinct-MI300X"}, "MI300X"),
        ({"amd.com/gpu.family.MI200": "true"}, "MI200"),
        ({"amd.com/gpu.device-id": "1234"}, "AMD-1234"),
        ({"kubernetes.io/os": "linux"}, None),
        ({"amd.com/gpu.device-id.74a1": "0"}, None),
        ({"amd.com/gpu.device-id": "  "}, None),
    ],
)
def test_node_gpu_model(labels: dict[str, str], model: str | None) -> None:
    assert node_gpu_model(labels) == model


@pytest.mark.parametrize(
    ("label", "amount"),
    [
        ("192G", 192 * GI),
        ("1T", 1024 * GI),
        ("192Gi", 192 * GI),
        ("192GB", 192 * GI),
        ("196608", 192 * GI),  # MiB as in the admin docs (lenient choice)
        (str(192 * GI), 192 * GI),  # bytes
        ("", 0),
        ("lots", 0),
        ("192 G", 192 * GI),
    ],
)
def test_parse_vram(label: str, amount: int) -> None:
    assert parse_vram(label) == amount


def test_gpu_inventory_collects_models_first_node_vram_and_allocatable() -> None:
    nodes = [
        node({"amd.com/gpu.device-id": "74a1"}, allocatable="8"),
        node({"amd.com/gpu.device-id": "74a9", "amd.com/gpu.vram": "100G"}, allocatable="4"),
        node({"amd.com/gpu.device-id": "74a5", "amd.com/gpu.vram": "255G"}),
        node({"amd.com/gpu.device-id": "9999"}, allocatable="0"),
        node({"kubernetes.io/os": "linux"}, allocatable="8"),
        {"metadata": {"name": "bare"}},
    ]
    inventory = gpu_inventory(nodes)
    assert list(inventory) == ["AMD-9999", "MI300X", "MI325X"]
    assert inventory["MI300X"] == ClusterGpu("MI300X", "amd.com/gpu", 192 * GI, "static", 2, 12)
    assert inventory["MI325X"] == ClusterGpu("MI325X", "amd.com/gpu", 255 * GI, "label", 1, 0)
    assert inventory["AMD-9999"].vram_source == "unknown"
    assert inventory["AMD-9999"].vram_bytes == 0


def test_gpu_inventory_counts_nodes_with_zero_allocatable() -> None:
    inventory = gpu_inventory([node({"amd.com/gpu.device-id": "74a1"}, allocatable="0")])
    assert "MI300X" in inventory


@pytest.mark.parametrize(
    ("hardware", "expected"),
    [
        (None, False),
        (AIMHardwareRequirements(cpu=AIMCpuRequirements(requests="4")), False),
        (AIMHardwareRequirements(gpu=AIMGpuRequirements(requests=1)), True),
        (AIMHardwareRequirements(gpu=AIMGpuRequirements(requests=0)), False),
        (AIMHardwareRequirements(gpu=AIMGpuRequirements(requests=0, model="MI300X")), True),
        (AIMHardwareRequirements(gpu=AIMGpuRequirements(model="  ")), False),
    ],
)
def test_requires_gpu(hardware: AIMHardwareRequirements | None, expected: bool) -> None:
    assert requires_gpu(hardware) is expected


INVENTORY = gpu_inventory(
    [node({"amd.com/gpu.device-id": "74a1"}), node({"amd.com/gpu.device-id": "740f"})]
)


@pytest.mark.parametrize(
    ("gpu", "inventory", "available", "reason", "message"),
    [
        (
            AIMGpuRequirements(requests=1),
            INVENTORY,
            True,
            "GPUAvailable",
            "GPUs available in cluster",
        ),
        (
            AIMGpuRequirements(requests=1),
            {},
            False,
            "GPUNotAvailable",
            "No GPUs available in cluster",
        ),
        (
            AIMGpuRequirements(model="mi300x"),
            INVENTORY,
            True,
            "GPUAvailable",
            "GPU model 'MI300X' available in cluster",
        ),
        (
            AIMGpuRequirements(model="MI325X"),
            INVENTORY,
            False,
            "GPUNotAvailable",
            "Required GPU model 'MI325X' not available in cluster. Available: MI210, MI300X",
        ),
        (
            AIMGpuRequirements(model="MI325X"),
            {},
            False,
            "GPUNotAvailable",
            "Required GPU model 'MI325X' not available in cluster. Available: none",
        ),
        (
            AIMGpuRequirements(requests=1, min_vram="128Gi"),
            INVENTORY,
            True,
            "GPUAvailable",
            "GPUs available in cluster",
        ),
        (
            AIMGpuRequirements(requests=1, min_vram="200Gi"),
            INVENTORY,
            False,
            "VRAMNotAvailable",
            "Required minimum VRAM (200Gi) exceeds available GPUs."
            " Highest available: MI300X (192Gi)",
        ),
        (
            AIMGpuRequirements(requests=1, min_vram="1Gi"),
            {},
            False,
            "VRAMNotAvailable",
            "Required minimum VRAM (1Gi) exceeds available GPUs. Highest available: none",
        ),
    ],
)
def test_check_gpu_availability(
    gpu: AIMGpuRequirements,
    inventory: dict[str, ClusterGpu],
    available: bool,
    reason: str,
    message: str,
) -> None:
    check = check_gpu_availability(gpu, inventory)
    assert (check.available, check.reason, check.message) == (available, reason, message)


def _affinity_values(affinity: dict[str, Any] | None) -> list[str] | None:
    if affinity is None:
        return None
    term = affinity["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]
    expression = term["matchExpressions"][0]
    assert expression["key"] == "amd.com/gpu.device-id"
    assert expression["operator"] == "In"
    values: list[str] = expression["values"]
    return values


@pytest.mark.parametrize(
    ("model", "min_vram", "values"),
    [
        ("MI300X", None, ["74a1", "74a9", "74b5", "74bd"]),
        ("AMD Instinct MI325X", None, ["74a5", "74b9"]),  # table ids even if not in the cluster
        ("NOPE", None, None),
        (None, "100Gi", ["74a1", "74a9", "74b5", "74bd"]),
        (None, "64Gi", ["740f", "7410", "74a1", "74a9", "74b5", "74bd"]),  # sorted
        (None, "300Gi", None),
        (None, None, None),
        ("", None, None),
    ],
)
def test_gpu_node_affinity(
    model: str | None, min_vram: str | None, values: list[str] | None
) -> None:
    assert _affinity_values(gpu_node_affinity(model, min_vram, INVENTORY)) == values


def test_gpu_node_affinity_rejects_a_bad_min_vram() -> None:
    with pytest.raises(InvalidSpecError):
        gpu_node_affinity(None, "lots", INVENTORY)
