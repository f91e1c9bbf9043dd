"""What a template resolves to: the status fields written after discovery or from inline sources.

After a successful discovery (or at once, for a template with inline ``modelSources``) the
template controller writes ``modelSources``, ``profile``, ``resolvedHardware``,
``hardwareSummary`` and ``resolvedNodeAffinity`` (spec §5.2.5). These functions compute them;
:func:`resolve_template` does all of it in one call.

Choices (see ``docs/operator/naming-and-gpus.md``):

* A template's ``spec.type`` overrides the discovered profile type when it is set; the original
  uses it only for inline sources although the docs say it applies [CODE≠DOC].
* A discovered size of 0 (or none) leaves ``size`` unset so the artifact measures it, instead of
  a zero-byte PVC.
* ``resolvedHardware`` drops ``minVram`` once a GPU model is resolved: the CRD forbids both
  together, so the original's status write would be rejected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aim_engine.api.v1alpha1.hardware import (
    AIMGpuRequirements,
    AIMHardwareRequirements,
    AIMProfileType,
)
from aim_engine.api.v1alpha1.image_metadata import AIMProfile, AIMProfileMetadata
from aim_engine.api.v1alpha1.sources import AIMModelSource
from aim_engine.api.v1alpha1.template import AIMServiceTemplateSpecCommon
from controllers.gpu import ClusterGpu, gpu_node_affinity
from controllers.quantity import format_binary_si
from controllers.template.discovery_output import DiscoveryResult

__all__ = [
    "TemplateResolution",
    "hardware_summary",
    "inline_profile",
    "model_sources_from_discovery",
    "profile_from_discovery",
    "resolve_template",
    "resolved_hardware",
]

_GIB = 1024**3


def model_sources_from_discovery(result: DiscoveryResult) -> list[AIMModelSource]:
    """``status.modelSources``: ``name`` → modelId, ``source`` → sourceUri, size in bytes."""
    sources = []
    for model in result.models:
        size = int(model.size_gb * _GIB) if model.size_gb else 0
        fields: dict[str, Any] = {"model_id": model.name, "source_uri": model.source}
        if size > 0:
            fields["size"] = format_binary_si(size)
        sources.append(AIMModelSource(**fields))
    return sources


def profile_from_discovery(
    result: DiscoveryResult, spec_type: AIMProfileType | None = None
) -> AIMProfile:
    """``status.profile`` from a discovery result (``spec_type``, when set, wins for ``type``)."""
    meta = result.profile.metadata
    return AIMProfile(
        engine_args=dict(result.profile.engine_args),
        env_vars=dict(result.profile.env_vars),
        metadata=AIMProfileMetadata(
            engine=meta.engine,
            gpu=meta.gpu,
            gpu_count=meta.gpu_count,
            metric=meta.metric,
            precision=meta.precision,
            type=str(spec_type) if spec_type else meta.type,
        ),
    )


def inline_profile(spec: AIMServiceTemplateSpecCommon) -> AIMProfile:
    """``status.profile`` synthesized from the spec of a template with inline sources."""
    gpu = spec.hardware.gpu if spec.hardware is not None else None
    fields: dict[str, Any] = {
        "gpu": gpu.model if gpu else None,
        "gpu_count": gpu.requests if gpu else None,
        "metric": str(spec.metric) if spec.metric else None,
        "precision": str(spec.precision) if spec.precision else None,
        "type": str(spec.type) if spec.type else None,
    }
    # only what the spec sets, so the status carries no nulls
    metadata = AIMProfileMetadata(**{k: v for k, v in fields.items() if v is not None})
    return AIMProfile(metadata=metadata)


def resolved_hardware(
    spec_hardware: AIMHardwareRequirements | None, discovered: AIMProfileMetadata | None
) -> AIMHardwareRequirements | None:
    """``status.resolvedHardware``: what services will actually request.

    GPU count and model come from the discovered profile (even when 0/empty), else from the
    spec; ``resourceName`` and ``minVram`` always from the spec. A GPU block is written when
    there is a count, a model or a resource name; the CPU block is the spec's; ``None`` when
    neither exists (the CRD requires one of them).
    """
    spec_gpu = spec_hardware.gpu if spec_hardware is not None else None
    if discovered is not None:
        count, model = discovered.gpu_count or 0, discovered.gpu or ""
    else:
        count = (spec_gpu.requests or 0) if spec_gpu else 0
        model = (spec_gpu.model or "") if spec_gpu else ""
    resource = spec_gpu.resource_name if spec_gpu else ""
    gpu = None
    if count > 0 or model or resource:
        fields: dict[str, Any] = {"requests": count}
        if model:
            fields["model"] = model
        elif spec_gpu is not None and spec_gpu.min_vram is not None:
            fields["min_vram"] = spec_gpu.min_vram
        if resource:
            fields["resource_name"] = resource
        gpu = AIMGpuRequirements(**fields)
    cpu = spec_hardware.cpu if spec_hardware is not None else None
    if gpu is None and cpu is None:
        return None
    # Set only the blocks that exist: a real API server rejects ``null`` for an object field.
    if cpu is None:
        return AIMHardwareRequirements(gpu=gpu)
    if gpu is None:
        return AIMHardwareRequirements(cpu=cpu)
    return AIMHardwareRequirements(gpu=gpu, cpu=cpu)


def hardware_summary(hardware: AIMHardwareRequirements | None) -> str:
    """``status.hardwareSummary``: ``2 x MI300X``, ``MI300X`` (0 GPUs), ``2 x GPU``, ``CPU``."""
    gpu = hardware.gpu if hardware is not None else None
    if gpu is None:
        return "CPU"
    count = gpu.requests or 0
    if gpu.model:
        return f"{count} x {gpu.model}" if count > 0 else gpu.model
    return f"{count} x GPU"


@dataclass(frozen=True, slots=True)
class TemplateResolution:
    """The status fields a resolved template gets.

    Attributes:
        model_sources: ``status.modelSources``.
        profile: ``status.profile``.
        resolved_hardware: ``status.resolvedHardware``.
        hardware_summary: ``status.hardwareSummary``.
        resolved_node_affinity: ``status.resolvedNodeAffinity`` (``None``: none).
    """

    model_sources: list[AIMModelSource]
    profile: AIMProfile
    resolved_hardware: AIMHardwareRequirements | None
    hardware_summary: str
    resolved_node_affinity: dict[str, Any] | None


def resolve_template(
    spec: AIMServiceTemplateSpecCommon,
    discovery: DiscoveryResult | None,
    inventory: Mapping[str, ClusterGpu],
) -> TemplateResolution:
    """Everything :class:`TemplateResolution` holds, from discovery or from inline sources.

    Args:
        spec: the template's spec.
        discovery: the parsed discovery result; ``None`` for a template with inline sources.
        inventory: the cluster's GPUs (:func:`controllers.gpu.gpu_inventory`), used for a
            ``minVram`` affinity; may be empty for templates that need no GPU.

    Raises:
        InvalidSpecError: ``minVram`` is not a quantity.
    """
    if discovery is not None:
        sources = model_sources_from_discovery(discovery)
        profile = profile_from_discovery(discovery, spec.type)
        hardware = resolved_hardware(spec.hardware, profile.metadata)
    else:
        sources = list(spec.model_sources or ())
        profile = inline_profile(spec)
        hardware = resolved_hardware(spec.hardware, None)
    gpu = hardware.gpu if hardware is not None else None
    affinity = None
    if gpu is not None and ((gpu.requests or 0) > 0 or gpu.model):
        affinity = gpu_node_affinity(gpu.model, gpu.min_vram, inventory)
    return TemplateResolution(
        model_sources=sources,
        profile=profile,
        resolved_hardware=hardware,
        hardware_summary=hardware_summary(hardware),
        resolved_node_affinity=affinity,
    )
