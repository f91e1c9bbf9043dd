"""What retriggers a template reconcile (spec §6), through cache indexes (never a full scan).

Indexes on both template kinds (registered by :func:`register_template_indexes`, idempotent so
other controllers may ask for them too): :data:`MODEL_NAME_INDEX` (``spec.modelName``),
:data:`RUNTIME_CONFIG_INDEX` (``spec.runtimeConfigName``, empty ⇒ ``default``) and
:data:`GPU_INDEX` (``"true"`` for templates that need a GPU).

Mappings: a runtime config ⇒ the templates naming it (or, for ``default``, naming none); a
model ⇒ the templates naming it; a Node whose AMD labels or resources changed ⇒ every
GPU-requiring template; a discovery pod ⇒ its Job's owning template. Predicates: Nodes pass on
create, delete, or a change of a label prefixed ``amd.com/``/``beta.amd.com/`` or of an
``amd.com/`` capacity/allocatable resource; discovery pods pass on create only with an issue
(image pull error, ``CrashLoopBackOff``, ``CreateContainer(Config)Error``), on update when
the issue flag, the phase or the number of container statuses changes, and on delete.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aim_engine import JOB, CacheNotSyncedError, Informer, RawObject, Reader, ResourceKind, meta
from aim_engine.api.v1alpha1.hardware import AIMHardwareRequirements
from aim_engine.controller import EventType, ObjectEvent, Request
from aim_engine.errors import AimEngineError, ConfigurationError
from controllers.gpu import requires_gpu
from controllers.runtimeconfig import runtime_config_name

__all__ = [
    "GPU_INDEX",
    "MODEL_NAME_INDEX",
    "RUNTIME_CONFIG_INDEX",
    "by_index",
    "discovery_pod_changed",
    "gpu_node_changed",
    "pod_owner_template",
    "register_template_indexes",
    "template_gpu_values",
    "template_model_values",
    "template_runtime_config_values",
]

MODEL_NAME_INDEX = "spec.modelName"
RUNTIME_CONFIG_INDEX = "spec.runtimeConfigName"
GPU_INDEX = "requiresGPU"

_AMD_PREFIXES = ("amd.com/", "beta.amd.com/")
_POD_ISSUES = frozenset(
    {
        "ImagePullBackOff",
        "ErrImagePull",
        "CrashLoopBackOff",
        "CreateContainerConfigError",
        "CreateContainerError",
    }
)


def _spec(obj: RawObject) -> Mapping[str, Any]:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def template_model_values(obj: RawObject) -> list[str]:
    """Index values of :data:`MODEL_NAME_INDEX`."""
    name = _spec(obj).get("modelName")
    return [name] if isinstance(name, str) and name else []


def template_runtime_config_values(obj: RawObject) -> list[str]:
    """Index values of :data:`RUNTIME_CONFIG_INDEX` (empty ⇒ ``default``)."""
    name = _spec(obj).get("runtimeConfigName")
    return [runtime_config_name(name if isinstance(name, str) else None)]


def template_gpu_values(obj: RawObject) -> list[str]:
    """Index values of :data:`GPU_INDEX`: ``["true"]`` for a GPU-requiring template."""
    try:
        hardware = AIMHardwareRequirements.model_validate(_spec(obj).get("hardware") or {})
    except ValueError:
        return []
    return ["true"] if requires_gpu(hardware) else []


def register_template_indexes(informer: Informer) -> None:
    """Add the three template indexes to an informer (already present ones are kept)."""
    for name, func in (
        (MODEL_NAME_INDEX, template_model_values),
        (RUNTIME_CONFIG_INDEX, template_runtime_config_values),
        (GPU_INDEX, template_gpu_values),
    ):
        # Another controller may have registered the same index: keep it.
        with contextlib.suppress(ConfigurationError):
            informer.add_indexer(name, func)


def by_index(
    reader: Reader, kind: ResourceKind, index: str, value: str, namespace: str | None = None
) -> list[Request]:
    """Requests for the objects of ``kind`` whose ``index`` holds ``value``.

    Before the kind's informer has synced there is nothing to map: its own initial list
    enqueues every object anyway.
    """
    try:
        objects = reader.list(kind, namespace, index=(index, value))
    except CacheNotSyncedError:
        return []
    return [Request(meta(o).get("namespace") or "", meta(o)["name"]) for o in objects]


def _amd_labels(obj: RawObject | None) -> dict[str, str]:
    labels = (meta(obj).get("labels") or {}) if obj is not None else {}
    return {k: v for k, v in labels.items() if k.startswith(_AMD_PREFIXES)}


def _amd_resources(obj: RawObject | None) -> dict[str, Any]:
    status = (obj or {}).get("status") or {}
    out: dict[str, Any] = {}
    for field in ("capacity", "allocatable"):
        for key, value in (status.get(field) or {}).items():
            if key.startswith("amd.com/"):
                out[f"{field}/{key}"] = value
    return out


def gpu_node_changed(event: ObjectEvent) -> bool:
    """Node predicate: create, delete, or a change of AMD labels or AMD resources."""
    if event.type is not EventType.UPDATE:
        return True
    return _amd_labels(event.old) != _amd_labels(event.obj) or _amd_resources(
        event.old
    ) != _amd_resources(event.obj)


def _statuses(pod: RawObject | None) -> list[Mapping[str, Any]]:
    status = (pod or {}).get("status") or {}
    return list(status.get("containerStatuses") or ()) + list(
        status.get("initContainerStatuses") or ()
    )


def _has_issue(pod: RawObject | None) -> bool:
    for status in _statuses(pod):
        reason = ((status.get("state") or {}).get("waiting") or {}).get("reason")
        if reason in _POD_ISSUES:
            return True
    return False


def _phase(pod: RawObject | None) -> object:
    return ((pod or {}).get("status") or {}).get("phase")


def discovery_pod_changed(event: ObjectEvent) -> bool:
    """Pod predicate (module docstring)."""
    if event.type is EventType.DELETE:
        return True
    if event.type is EventType.ADD:
        return _has_issue(event.obj)
    old, new = event.old, event.obj
    return (
        _has_issue(old) != _has_issue(new)
        or _phase(old) != _phase(new)
        or len(_statuses(old)) != len(_statuses(new))
    )


def pod_owner_template(
    reader: Reader, template_kind: str, namespace: str | None = None
) -> Callable[[RawObject], Iterable[Request]]:
    """Map a discovery pod to the template owning its Job (``namespace``: only pods there)."""

    def map_pod(pod: RawObject) -> list[Request]:
        pod_ns = meta(pod).get("namespace") or ""
        if namespace is not None and pod_ns != namespace:
            return []
        owners = meta(pod).get("ownerReferences") or ()
        job_name = next((o.get("name") for o in owners if o.get("kind") == "Job"), None)
        if not job_name:
            return []
        try:
            job = reader.get(JOB, job_name, pod_ns)
        except AimEngineError:
            return []
        request_ns = "" if namespace is not None else pod_ns
        return [
            Request(request_ns, owner["name"])
            for owner in meta(job).get("ownerReferences") or ()
            if owner.get("kind") == template_kind and owner.get("controller")
        ]

    return map_pod
