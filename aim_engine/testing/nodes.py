"""Worker Nodes as the AIM end-to-end cluster has them: MI300X and MI350X GPU nodes.

The e2e environment of the AIM operator (spec §13.1) has two workers, labelled
``amd.com/gpu.device-id=74a1`` + ``amd.com/gpu.vram=192G`` (MI300X) and
``amd.com/gpu.device-id=75a0`` + ``amd.com/gpu.vram=288G`` (MI350X), with allocatable
``amd.com/gpu``. :func:`gpu_node` builds such a Node (labels, capacity, allocatable, a ``Ready``
condition); the ``gpu_nodes`` fixture creates them on the test's API server, fake or real.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aim_engine.objects import RawObject

__all__ = ["MI300X", "MI350X", "GpuNodeModel", "gpu_node", "gpu_node_status"]


@dataclass(frozen=True, slots=True)
class GpuNodeModel:
    """The labels that make a node a GPU worker of one model.

    Attributes:
        model: the model name the operator derives (``MI300X``).
        device_id: the PCI device id (``amd.com/gpu.device-id``).
        vram: the ``amd.com/gpu.vram`` label value.
    """

    model: str
    device_id: str
    vram: str


MI300X = GpuNodeModel("MI300X", "74a1", "192G")
"""The MI300X worker of the e2e cluster."""
MI350X = GpuNodeModel("MI350X", "75a0", "288G")
"""The MI350X worker of the e2e cluster."""

GPU_RESOURCE = "amd.com/gpu"


def gpu_node(name: str, model: GpuNodeModel) -> RawObject:
    """A Node labelled as a ``model`` worker (status in :func:`gpu_node_status`)."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "amd.com/gpu.device-id": model.device_id,
                "amd.com/gpu.vram": model.vram,
            },
        },
        "spec": {},
    }


def gpu_node_status(now: str, *, gpus: int = 8) -> dict[str, Any]:
    """``status`` of a ready worker with ``gpus`` allocatable ``amd.com/gpu``."""
    resources = {
        "cpu": "128",
        "memory": "2113645Mi",
        "pods": "110",
        "ephemeral-storage": "1Ti",
        GPU_RESOURCE: str(gpus),
    }
    return {
        "capacity": dict(resources),
        "allocatable": dict(resources),
        "conditions": [
            {
                "type": "Ready",
                "status": "True",
                "reason": "KubeletReady",
                "message": "kubelet is posting ready status",
                "lastHeartbeatTime": now,
                "lastTransitionTime": now,
            }
        ],
        "nodeInfo": {
            "architecture": "amd64",
            "operatingSystem": "linux",
            "kubeletVersion": "v1.34.0",
            "containerRuntimeVersion": "containerd://2.0.0",
            "kernelVersion": "6.8.0",
            "osImage": "Ubuntu 24.04 LTS",
            "kubeProxyVersion": "",
            "machineID": "",
            "systemUUID": "",
            "bootID": "",
        },
    }
