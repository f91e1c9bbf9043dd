"""CustomResourceDefinitions: serving a CRD's kind the moment it is written.

kube-apiserver's apiextensions controllers accept the names, mark the CRD ``Established`` and start
serving its versions; here that happens synchronously in the same request: :func:`after_write`
(re)registers the resource and writes the CRD status (``acceptedNames``, ``storedVersions`` and the
``NamesAccepted``/``Established`` conditions) as a second, internal status update.
:func:`after_remove` stops serving the kind and deletes its objects.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from aim_engine.objects import RawObject
from aim_engine.testing.apiserver._schema._compiled import FieldError
from aim_engine.testing.apiserver._storage._resource_table import resource_from_crd
from aim_engine.testing.apiserver._storage._state import ClusterState

__all__ = [
    "CLEANUP_FINALIZER",
    "after_remove",
    "after_write",
    "is_crd",
    "mark_terminating",
    "served_names",
    "validate_crd",
]

CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"

_CRD_GROUP = "apiextensions.k8s.io"


def is_crd(obj: Mapping[str, Any]) -> bool:
    """Whether a stored object is a CustomResourceDefinition."""
    return obj.get("kind") == "CustomResourceDefinition" and str(
        obj.get("apiVersion", "")
    ).startswith(_CRD_GROUP + "/")


def validate_crd(obj: Mapping[str, Any]) -> list[FieldError]:
    """The CRD rules an operator's manifests can trip over."""
    errors: list[FieldError] = []
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [FieldError("spec", "FieldValueRequired", "Required value")]
    names = spec.get("names")
    if not isinstance(names, dict):
        return [FieldError("spec.names", "FieldValueRequired", "Required value")]
    for field in ("versions",):
        if not isinstance(spec.get(field) or [], list) or not all(
            isinstance(v, dict) and isinstance(v.get("name"), str) for v in spec.get(field) or []
        ):
            return [
                FieldError(f"spec.{field}", "FieldValueInvalid", "Invalid value: must be a list")
            ]
    name = (obj.get("metadata") or {}).get("name", "")
    expected = f"{names.get('plural', '')}.{spec.get('group', '')}"
    if name != expected:
        errors.append(
            FieldError(
                "metadata.name",
                "FieldValueInvalid",
                f'Invalid value: {json.dumps(name)}: must be spec.names.plural+"."+spec.group',
            )
        )
    if not names.get("kind"):
        errors.append(FieldError("spec.names.kind", "FieldValueRequired", "Required value"))
    if spec.get("scope") not in ("Namespaced", "Cluster"):
        errors.append(
            FieldError(
                "spec.scope",
                "FieldValueNotSupported",
                f"Unsupported value: {json.dumps(spec.get('scope'))}: supported "
                'values: "Cluster", "Namespaced"',
            )
        )
    versions = spec.get("versions") or []
    if not versions:
        errors.append(
            FieldError(
                "spec.versions",
                "FieldValueRequired",
                "Required value: must have exactly one version marked as storage version",
            )
        )
    elif sum(1 for v in versions if v.get("storage")) != 1:
        errors.append(
            FieldError(
                "spec.versions",
                "FieldValueInvalid",
                f"Invalid value: {json.dumps(versions)[:200]}: must have exactly one "
                "version marked as storage version",
            )
        )
    return errors


def _conditions(now: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "NamesAccepted",
            "status": "True",
            "lastTransitionTime": now,
            "reason": "NoConflicts",
            "message": "no conflicts found",
        },
        {
            "type": "Established",
            "status": "True",
            "lastTransitionTime": now,
            "reason": "InitialNamesAccepted",
            "message": "the initial names have been accepted",
        },
    ]


def after_write(state: ClusterState, obj: RawObject) -> None:
    """Serve the kind of a CRD that was just created or updated and record its status."""
    if not is_crd(obj) or obj["metadata"].get("deletionTimestamp"):
        return
    resource = resource_from_crd(obj)
    state.resources.add(resource)
    spec = obj.get("spec") or {}
    names = dict(spec.get("names") or {})
    names.setdefault("singular", str(names.get("kind", "")).lower())
    names.setdefault("listKind", f"{names.get('kind', '')}List")
    old_status = obj.get("status") or {}
    stored_versions = list(old_status.get("storedVersions") or [])
    if resource.storage_version not in stored_versions:
        stored_versions.append(resource.storage_version)
    prior = {c.get("type"): c for c in old_status.get("conditions") or ()}
    conditions = [prior.get(c["type"], c) for c in _conditions(state.now())]
    status = {"conditions": conditions, "acceptedNames": names, "storedVersions": stored_versions}
    if old_status == status:
        return
    new = copy.deepcopy(obj)
    new["status"] = status
    key = ("apiextensions.k8s.io", "customresourcedefinitions", "", obj["metadata"]["name"])
    state.store.put(key, new, obj)


def served_names(obj: Mapping[str, Any]) -> tuple[str, str]:
    """``(group, plural)`` of the kind a CRD serves."""
    spec = obj.get("spec") or {}
    return str(spec.get("group", "")), str((spec.get("names") or {}).get("plural", ""))


def mark_terminating(obj: RawObject, now: str) -> RawObject:
    """The CRD after a DELETE: cleanup finalizer, ``deletionTimestamp``, ``Terminating``.

    Like kube-apiserver, the CRD stays (and its kind is still served) until the cleanup
    (:mod:`~aim_engine.testing.apiserver._builtin_controllers._loop`) has deleted every object
    of the kind.
    """
    new = copy.deepcopy(obj)
    md = new["metadata"]
    finalizers = list(md.get("finalizers") or ())
    if CLEANUP_FINALIZER not in finalizers:
        finalizers.append(CLEANUP_FINALIZER)
    md["finalizers"] = finalizers
    md.setdefault("deletionTimestamp", now)
    status = new.setdefault("status", {})
    conditions = [c for c in status.get("conditions") or () if c.get("type") != "Terminating"]
    conditions.append(
        {
            "type": "Terminating",
            "status": "True",
            "lastTransitionTime": now,
            "reason": "InstanceDeletionPending",
            "message": "CustomResourceDefinition marked for deletion; CustomResource deletion "
            "will begin soon",
        }
    )
    status["conditions"] = conditions
    return new


def after_remove(state: ClusterState, obj: RawObject) -> None:
    """Stop serving the kind of a CRD that was removed, deleting its objects."""
    if not is_crd(obj):
        return
    group, plural = served_names(obj)
    state.resources.remove(group, plural)
    state.store.drop_resource(group, plural)
