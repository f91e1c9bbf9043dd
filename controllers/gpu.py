"""AMD GPUs in the cluster, from node labels (spec §8.3), and template node affinity (§8.4).

Pure functions over plain Node dicts (as the cache returns them). The AMD GPU labeller puts
``amd.com/gpu.device-id`` (PCI id), ``amd.com/gpu.family`` and ``amd.com/gpu.vram`` on GPU nodes,
also under a ``beta.`` prefix; :func:`node_gpu_model` turns them into a model name like ``MI300X``
through :data:`GPU_MODELS`, and :func:`gpu_inventory` gathers the models of all nodes.

Choices (see ``docs/operator/naming-and-gpus.md``):

* Only labels decide whether a node has a GPU model, as in the original: a cordoned, NotReady or
  zero-capacity node still counts. Allocatable ``amd.com/gpu`` is summed per model for
  information only.
* VRAM labels: the original reads ``192G``/``1T`` and treats bare numbers as bytes, so the MiB
  numbers some docs show (``196608``) fail every ``minVram`` check. We also accept ``Gi``/``Mi``/
  ``GB``-style suffixes, and read a bare number below 1 GiB as MiB (no real GPU has less than 1 GiB
  of memory, so such a number cannot be meant as bytes).
* Affinity values are sorted (the original emits them in Go map order, which churns status).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aim_engine.api.v1alpha1.conditions import Reasons
from aim_engine.api.v1alpha1.defaults import FieldDefaults
from aim_engine.api.v1alpha1.hardware import AIMGpuRequirements, AIMHardwareRequirements
from aim_engine.api.v1alpha1.labels import Labels
from aim_engine.errors import InvalidSpecError
from controllers.quantity import quantity_bytes

__all__ = [
    "GPU_MODELS",
    "ClusterGpu",
    "GpuCheck",
    "GpuModelInfo",
    "check_gpu_availability",
    "device_id_model",
    "gpu_inventory",
    "gpu_node_affinity",
    "node_gpu_model",
    "normalize_gpu_model",
    "parse_vram",
    "requires_gpu",
]

_GI = 1024**3
_TI = 1024**4


@dataclass(frozen=True, slots=True)
class GpuModelInfo:
    """A known AMD GPU model.

    Attributes:
        device_ids: PCI device ids (lower-case hex, no ``0x``).
        vram_bytes: memory per GPU, used when nodes carry no VRAM label.
    """

    device_ids: tuple[str, ...]
    vram_bytes: int


GPU_MODELS: Mapping[str, GpuModelInfo] = {
    "MI100": GpuModelInfo(("738c", "738e"), 32 * _GI),
    "MI210": GpuModelInfo(("740f", "7410"), 64 * _GI),
    "MI250X": GpuModelInfo(("7408", "740c"), 128 * _GI),
    "MI300A": GpuModelInfo(("74a0",), 128 * _GI),
    "MI300X": GpuModelInfo(("74a1", "74a9", "74b5", "74bd"), 192 * _GI),
    "MI308X": GpuModelInfo(("74a2", "74a8", "74b6"), 128 * _GI),
    "MI325X": GpuModelInfo(("74a5", "74b9"), 256 * _GI),
    "MI350X": GpuModelInfo(("75a0", "75b0"), 288 * _GI),
    "MI355X": GpuModelInfo(("75a3", "75b3"), 288 * _GI),
    "V710": GpuModelInfo(("7460", "7461"), 32 * _GI),
    "W7900": GpuModelInfo(("7448", "744a"), 48 * _GI),
    "W7800": GpuModelInfo(("7449", "745e"), 32 * _GI),
    "W6900X": GpuModelInfo(("73a2",), 32 * _GI),
    "W6800": GpuModelInfo(("73a3",), 32 * _GI),
    "W6800X": GpuModelInfo(("73ab",), 32 * _GI),
    "V620": GpuModelInfo(("73a1", "73ae"), 32 * _GI),
    "RX9070": GpuModelInfo(("7550",), 16 * _GI),
    "RX7900": GpuModelInfo(("744c",), 24 * _GI),
    "RX6900": GpuModelInfo(("73af",), 16 * _GI),
    "RX6800": GpuModelInfo(("73bf",), 16 * _GI),
}
"""The device-id table of the original (model → PCI ids and static VRAM)."""

_BY_DEVICE_ID = {dev: model for model, info in GPU_MODELS.items() for dev in info.device_ids}
_MODEL_TOKEN = re.compile(
    r"^(MI|ME|RX|RTX|GTX|A|H|L|T|V|K|P|QUADRO|TESLA|GRID)?[A-Z]*[0-9]+[A-Z0-9]*$"
)
_SKIPPED_TOKENS = frozenset({"AMD", "INSTINCT"})
_VRAM = re.compile(r"^(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[KMGT]?)(?P<i>I?)B?$")
_VRAM_UNITS = {"": 0, "K": 1, "M": 2, "G": 3, "T": 4}
_PREFIXES = ("", "beta.")


def normalize_gpu_model(model: str) -> str:
    """A GPU model as the tables name it: ``"AMD Instinct MI300X"`` → ``"MI300X"``.

    Upper-cased, ``_`` → ``-``, split on ``-``, space, ``/`` and ``:``; ``AMD``/``INSTINCT``
    tokens are skipped; the first token that looks like a model number wins (else the first
    token), with a leading ``INSTINCT`` stripped (``INSTINCTMI300X`` → ``MI300X``).
    """
    tokens = [t for t in re.split(r"[- /:]", model.strip().upper().replace("_", "-")) if t]
    tokens = [t for t in tokens if t not in _SKIPPED_TOKENS]
    if not tokens:
        return ""
    chosen = next((t for t in tokens if _MODEL_TOKEN.match(t)), tokens[0])
    if chosen.startswith("INSTINCT") and len(chosen) > len("INSTINCT"):
        chosen = chosen[len("INSTINCT") :]
    return chosen


def device_id_model(device_id: str) -> str:
    """The model of a PCI device id (``74a1``, ``0x74A1``); unknown ids give ``AMD-<ID>``."""
    dev = device_id.strip().lower().removeprefix("0x")
    return _BY_DEVICE_ID.get(dev, f"AMD-{dev.upper()}")


def parse_vram(label: str) -> int:
    """Bytes of a VRAM label: ``192G`` = 192 GiB, ``1T`` = 1 TiB; 0 when unreadable.

    Lenient beyond the original: ``Gi``/``GB``/``M``… suffixes are binary units, and a bare
    number below 1 GiB is read as MiB (the ``196608`` form of some docs).
    """
    match = _VRAM.match(label.strip().upper())
    if match is None:
        return 0
    number = float(match["n"])
    unit = match["unit"]
    if not unit and number < _GI:
        unit = "M"
    return int(number * 1024 ** _VRAM_UNITS[unit])


def _labelled_suffix(labels: Mapping[str, str], key: str) -> str | None:
    """Suffix ``X`` of the first (sorted) ``<key>.X`` label whose value is set and not ``0``."""
    for prefix in _PREFIXES:
        stem = f"{prefix}{key}."
        for name in sorted(labels):
            value = labels[name].strip()
            if name.startswith(stem) and len(name) > len(stem) and value not in ("", "0"):
                return name[len(stem) :]
    return None


def _label(labels: Mapping[str, str], key: str) -> str:
    """Value of ``key`` or its ``beta.`` twin (stripped; empty when neither is set)."""
    for prefix in _PREFIXES:
        value = labels.get(f"{prefix}{key}", "").strip()
        if value:
            return value
    return ""


def node_gpu_model(labels: Mapping[str, str]) -> str | None:
    """The GPU model of a node from its labels, ``None`` for a node without GPU labels.

    In order: the device-id label value, the suffix of a ``…device-id.<id>`` label key, the
    normalised family label value, the suffix of a ``…family.<family>`` label key.
    """
    device = _label(labels, Labels.GPU_DEVICE_ID)
    if device:
        return device_id_model(device)
    device_key = _labelled_suffix(labels, Labels.GPU_DEVICE_ID)
    if device_key:
        return device_id_model(device_key)
    family = _label(labels, Labels.GPU_FAMILY) or _labelled_suffix(labels, Labels.GPU_FAMILY)
    if not family:
        return None
    return normalize_gpu_model(family) or None


@dataclass(frozen=True, slots=True)
class ClusterGpu:
    """One GPU model present in the cluster.

    Attributes:
        model: model name (``MI300X``, or ``AMD-<ID>`` for unknown device ids).
        resource_name: extended resource of the GPUs (``amd.com/gpu``).
        vram_bytes: memory per GPU (0 when unknown).
        vram_source: ``label`` (node label), ``static`` (:data:`GPU_MODELS`) or ``unknown``.
        nodes: how many nodes carry the model.
        allocatable: sum of allocatable GPUs over those nodes (informational only).
    """

    model: str
    resource_name: str
    vram_bytes: int
    vram_source: Literal["label", "static", "unknown"]
    nodes: int = 1
    allocatable: int = 0


def _allocatable(node: Mapping[str, Any]) -> int:
    value = (node.get("status") or {}).get("allocatable", {}).get(FieldDefaults.GPU_RESOURCE_NAME)
    if value is None:
        return 0
    try:
        return quantity_bytes(value)
    except InvalidSpecError:
        return 0


def gpu_inventory(nodes: Iterable[Mapping[str, Any]]) -> dict[str, ClusterGpu]:
    """The GPU models of the cluster, keyed (and sorted) by model.

    VRAM comes from the first node of a model (its label, else the static table).
    """
    found: dict[str, ClusterGpu] = {}
    for node in nodes:
        labels = (node.get("metadata") or {}).get("labels") or {}
        model = node_gpu_model(labels)
        if model is None:
            continue
        known = found.get(model)
        if known is not None:
            found[model] = ClusterGpu(
                model=model,
                resource_name=known.resource_name,
                vram_bytes=known.vram_bytes,
                vram_source=known.vram_source,
                nodes=known.nodes + 1,
                allocatable=known.allocatable + _allocatable(node),
            )
            continue
        vram = parse_vram(_label(labels, Labels.GPU_VRAM))
        source: Literal["label", "static", "unknown"] = "label"
        if not vram:
            static = GPU_MODELS.get(model)
            vram, source = (static.vram_bytes, "static") if static else (0, "unknown")
        found[model] = ClusterGpu(
            model=model,
            resource_name=FieldDefaults.GPU_RESOURCE_NAME,
            vram_bytes=vram,
            vram_source=source,
            allocatable=_allocatable(node),
        )
    return dict(sorted(found.items()))


def gpu_node_affinity(
    gpu_model: str | None,
    min_vram: int | str | None,
    inventory: Mapping[str, ClusterGpu],
) -> dict[str, Any] | None:
    """``status.resolvedNodeAffinity`` of a GPU-requiring template, or ``None``.

    A model selects all its device ids from :data:`GPU_MODELS`; a minimum VRAM selects the
    device ids of every model present in the cluster with at least that much memory. The ids
    are sorted; no ids means no affinity.

    Args:
        gpu_model: ``hardware.gpu.model``.
        min_vram: ``hardware.gpu.minVram`` (a quantity).
        inventory: :func:`gpu_inventory` of the cluster.

    Raises:
        InvalidSpecError: ``min_vram`` is not a quantity.
    """
    ids: set[str] = set()
    if gpu_model and gpu_model.strip():
        info = GPU_MODELS.get(normalize_gpu_model(gpu_model))
        ids.update(info.device_ids if info else ())
    elif min_vram is not None:
        need = quantity_bytes(min_vram)
        for gpu in inventory.values():
            info = GPU_MODELS.get(gpu.model)
            if info is not None and gpu.vram_bytes >= need:
                ids.update(info.device_ids)
    if not ids:
        return None
    expression = {"key": Labels.GPU_DEVICE_ID, "operator": "In", "values": sorted(ids)}
    return {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [expression]}]
        }
    }


def requires_gpu(hardware: AIMHardwareRequirements | None) -> bool:
    """Whether a template needs GPUs: ``gpu.requests > 0`` or a non-blank ``gpu.model``."""
    gpu = hardware.gpu if hardware is not None else None
    if gpu is None:
        return False
    return (gpu.requests or 0) > 0 or bool(gpu.model and gpu.model.strip())


@dataclass(frozen=True, slots=True)
class GpuCheck:
    """Outcome of the ``GPUReady`` check of a template.

    Attributes:
        available: the cluster has what the template needs (else the template is NotAvailable).
        reason: ``GPUAvailable``, ``GPUNotAvailable`` or ``VRAMNotAvailable``.
        message: human-readable detail.
    """

    available: bool
    reason: str
    message: str


def _gib(amount: int) -> str:
    return f"{amount / _GI:g}Gi"


def check_gpu_availability(
    gpu: AIMGpuRequirements, inventory: Mapping[str, ClusterGpu]
) -> GpuCheck:
    """Whether the GPUs a template asks for exist in the cluster (spec §5.2.3 ``GPUReady``).

    A minimum VRAM needs a known GPU with at least that much memory; a model needs that
    (normalised) model; otherwise any GPU will do.

    Raises:
        InvalidSpecError: ``minVram`` is not a quantity.
    """
    model = normalize_gpu_model(gpu.model or "")
    if not model and gpu.min_vram is not None:
        need = quantity_bytes(gpu.min_vram)
        best = max(inventory.values(), key=lambda g: g.vram_bytes, default=None)
        if best is None or best.vram_bytes < need:
            highest = (
                f"{best.model} ({_gib(best.vram_bytes)})" if best and best.vram_bytes else "none"
            )
            return GpuCheck(
                False,
                Reasons.VRAM_NOT_AVAILABLE,
                f"Required minimum VRAM ({_gib(need)}) exceeds available GPUs. "
                f"Highest available: {highest}",
            )
    if not model:
        if inventory:
            return GpuCheck(True, Reasons.GPU_AVAILABLE, "GPUs available in cluster")
        return GpuCheck(False, Reasons.GPU_NOT_AVAILABLE, "No GPUs available in cluster")
    if model in inventory:
        return GpuCheck(True, Reasons.GPU_AVAILABLE, f"GPU model '{model}' available in cluster")
    available = ", ".join(inventory) or "none"
    return GpuCheck(
        False,
        Reasons.GPU_NOT_AVAILABLE,
        f"Required GPU model '{gpu.model}' not available in cluster. Available: {available}",
    )
