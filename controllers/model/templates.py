"""The templates a model owns (spec §5.3.3) and its status decoration (§5.3.5), as apply bodies.

An image model gets one template per recommended deployment of its image **plus** one per
``customTemplates`` entry; a custom model (inline ``modelSources``) gets only custom templates,
one auto-generated template when it lists none. Templates are owned by the model (the pipeline
adds the ownerReference) and re-applied every reconcile; nothing is planned while the model does
not (yet) expect templates.

Choices where the original behaves oddly, or the spec leaves room:

* Custom templates of an **AIMClusterModel** get the model's ``env`` merged with the entry's, as
  for AIMModel; the original dropped env for cluster models [QUIRK §5.3.3].
* Hardware merge (``custom.hardware`` under the entry's): an entry's GPU ``requests`` overrides
  when set, including an explicit ``0`` (the original: only non-zero); an entry's ``model``
  replaces a default ``minVram`` and an entry's ``minVram`` a default ``model`` (the two are
  mutually exclusive); ``resourceName`` overrides only when the entry sets it.
* ``type``: the entry's when it sets one, else ``custom.type``, else ``unoptimized``.
* The ``aim.eai.amd.com/model`` and ``…/template.alias`` label values are made valid label
  values (unchanged for names up to 63 characters); an alias with no usable character is left
  out instead of failing the whole plan.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aim_engine.api.v1alpha1.base import API_VERSION
from aim_engine.api.v1alpha1.hardware import (
    AIMCpuRequirements,
    AIMGpuRequirements,
    AIMHardwareRequirements,
    AIMProfileType,
)
from aim_engine.api.v1alpha1.image_metadata import ImageMetadata, RecommendedDeployment
from aim_engine.api.v1alpha1.labels import Labels, LabelValues
from aim_engine.api.v1alpha1.model import (
    AIMClusterModel,
    AIMCustomTemplate,
    AIMModel,
    AIMModelSourceType,
    AIMModelSpec,
)
from aim_engine.api.v1alpha1.template import AIMClusterServiceTemplate, AIMServiceTemplate
from aim_engine.errors import InvalidSpecError
from controllers.env import merge_env
from controllers.model.health import expects_templates, is_custom_model, recommended_deployments
from controllers.naming import sanitize_label_value
from controllers.object_names import custom_template_name, discovered_template_name

__all__ = [
    "cpu_resources",
    "custom_template",
    "custom_template_type",
    "discovered_template",
    "merge_gpu",
    "merge_hardware",
    "plan_templates",
    "status_decoration",
]

AnyModel = AIMModel | AIMClusterModel


def merge_gpu(
    base: AIMGpuRequirements | None, override: AIMGpuRequirements | None
) -> AIMGpuRequirements | None:
    """An entry's GPU block over the model's default (see the module docstring)."""
    if base is None or override is None:
        return override if base is None else base
    fields: dict[str, Any] = {}
    requests = override.requests if override.requests is not None else base.requests
    if requests is not None:
        fields["requests"] = requests
    if override.model:
        fields["model"] = override.model
    elif override.min_vram is not None:
        fields["min_vram"] = override.min_vram
    elif base.model:
        fields["model"] = base.model
    elif base.min_vram is not None:
        fields["min_vram"] = base.min_vram
    if "resource_name" in override.model_fields_set and override.resource_name:
        fields["resource_name"] = override.resource_name
    elif "resource_name" in base.model_fields_set:
        fields["resource_name"] = base.resource_name
    return AIMGpuRequirements(**fields)


def _merge_cpu(
    base: AIMCpuRequirements | None, override: AIMCpuRequirements | None
) -> AIMCpuRequirements | None:
    if base is None or override is None:
        return override if base is None else base
    limits = override.limits if override.limits is not None else base.limits
    if limits is None:
        return AIMCpuRequirements(requests=override.requests)
    return AIMCpuRequirements(requests=override.requests, limits=limits)


def merge_hardware(
    base: AIMHardwareRequirements | None, override: AIMHardwareRequirements | None
) -> AIMHardwareRequirements | None:
    """``custom.hardware`` merged under an entry's ``hardware`` (GPU and CPU blocks apart)."""
    if base is None or override is None:
        return override if base is None else base
    gpu, cpu = merge_gpu(base.gpu, override.gpu), _merge_cpu(base.cpu, override.cpu)
    if gpu is None:
        return AIMHardwareRequirements(cpu=cpu)
    if cpu is None:
        return AIMHardwareRequirements(gpu=gpu)
    return AIMHardwareRequirements(gpu=gpu, cpu=cpu)


def cpu_resources(hardware: AIMHardwareRequirements | None) -> dict[str, Any] | None:
    """Container resources from a CPU block: ``requests.cpu`` and, when set, ``limits.cpu``."""
    if hardware is None or hardware.cpu is None:
        return None
    resources: dict[str, Any] = {"requests": {"cpu": hardware.cpu.requests}}
    if hardware.cpu.limits is not None:
        resources["limits"] = {"cpu": hardware.cpu.limits}
    return resources


def custom_template_type(spec: AIMModelSpec, entry: AIMCustomTemplate) -> AIMProfileType:
    """The entry's ``type`` when it sets one, else ``custom.type``, else ``unoptimized``."""
    if "type" in entry.model_fields_set:
        return entry.type
    if spec.custom is not None and spec.custom.type is not None:
        return spec.custom.type
    return AIMProfileType.UNOPTIMIZED


def _template_kind(model: AnyModel) -> str:
    if isinstance(model, AIMClusterModel):
        return AIMClusterServiceTemplate.kind_name()
    return AIMServiceTemplate.kind_name()


def _metadata(model: AnyModel, name: str, labels: dict[str, str]) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if isinstance(model, AIMModel) and model.metadata.namespace:
        meta["namespace"] = model.metadata.namespace
    meta["labels"] = labels
    return meta


def _base_labels(model_name: str) -> dict[str, str]:
    return {
        Labels.MODEL: sanitize_label_value(model_name),
        Labels.ORIGIN: LabelValues.ORIGIN_AUTO_GENERATED,
    }


def _common_spec(model: AnyModel) -> dict[str, Any]:
    spec: dict[str, Any] = {"modelName": model.metadata.name or ""}
    if model.spec.image_pull_secrets:
        spec["imagePullSecrets"] = [s.to_wire() for s in model.spec.image_pull_secrets]
    if model.spec.service_account_name:
        spec["serviceAccountName"] = model.spec.service_account_name
    return spec


def discovered_template(model: AnyModel, deployment: RecommendedDeployment) -> dict[str, Any]:
    """The template generated for one recommended deployment of the model's image."""
    model_name = model.metadata.name or ""
    gpu_model, gpu_count = deployment.gpu_model or "", deployment.gpu_count or 0
    name = discovered_template_name(
        model_name,
        model.spec.image,
        gpu_model=gpu_model,
        gpu_count=gpu_count,
        metric=deployment.metric or "",
        precision=deployment.precision or "",
    )
    spec = _common_spec(model)
    for key, value in (
        ("metric", deployment.metric),
        ("precision", deployment.precision),
        ("profileId", deployment.profile_id),
    ):
        if value:
            spec[key] = value
    if gpu_model and gpu_count > 0:
        spec["hardware"] = {"gpu": {"requests": gpu_count, "model": gpu_model}}
    return {
        "apiVersion": API_VERSION,
        "kind": _template_kind(model),
        "metadata": _metadata(model, name, _base_labels(model_name)),
        "spec": spec,
    }


def custom_template(model: AnyModel, index: int, entry: AIMCustomTemplate) -> dict[str, Any]:
    """The template for ``customTemplates[index]`` (or the auto-generated one, index 0)."""
    model_name = model.metadata.name or ""
    defaults = model.spec.custom
    hardware = merge_hardware(defaults.hardware if defaults else None, entry.hardware)
    name = custom_template_name(model_name, index, entry, hardware.gpu if hardware else None)
    labels = _base_labels(model_name)
    if entry.name:
        with contextlib.suppress(InvalidSpecError):
            labels[Labels.TEMPLATE_ALIAS] = sanitize_label_value(entry.name)
    spec = _common_spec(model)
    if model.spec.model_sources:
        spec["modelSources"] = [s.to_wire() for s in model.spec.model_sources]
    spec["type"] = str(custom_template_type(model.spec, entry))
    if hardware is not None:
        spec["hardware"] = hardware.to_wire()
    resources = cpu_resources(hardware)
    if resources is not None:
        spec["resources"] = resources
    if entry.profile is not None and entry.profile.metric is not None:
        spec["metric"] = str(entry.profile.metric)
    if entry.profile is not None and entry.profile.precision is not None:
        spec["precision"] = str(entry.profile.precision)
    env = merge_env(model.spec.env, entry.env)
    if env:
        spec["env"] = [e.to_wire() for e in env]
    return {
        "apiVersion": API_VERSION,
        "kind": _template_kind(model),
        "metadata": _metadata(model, name, labels),
        "spec": spec,
    }


def plan_templates(model: AnyModel, metadata: ImageMetadata | None) -> list[dict[str, Any]]:
    """Every template the model owns this reconcile (empty while none are expected).

    Args:
        model: the AIMModel or AIMClusterModel.
        metadata: the metadata in force (:func:`controllers.model.health.effective_metadata`).
    """
    if not expects_templates(model.spec, metadata):
        return []
    entries = list(model.spec.custom_templates or ())
    if is_custom_model(model.spec):
        return [
            custom_template(model, i, e) for i, e in enumerate(entries or [AIMCustomTemplate()])
        ]
    discovered = [discovered_template(model, d) for d in recommended_deployments(metadata)]
    return discovered + [custom_template(model, i, e) for i, e in enumerate(entries)]


def status_decoration(spec: AIMModelSpec, fetched: ImageMetadata | None) -> dict[str, Any]:
    """Status fields the model controller adds: ``sourceType``, and ``imageMetadata`` when
    metadata was fetched this reconcile or is given in ``spec`` (else status keeps its own)."""
    source = AIMModelSourceType.CUSTOM if is_custom_model(spec) else AIMModelSourceType.IMAGE
    fields: dict[str, Any] = {"sourceType": str(source)}
    metadata = fetched if fetched is not None else spec.image_metadata
    if metadata is not None:
        fields["imageMetadata"] = metadata.to_wire()
    return fields
