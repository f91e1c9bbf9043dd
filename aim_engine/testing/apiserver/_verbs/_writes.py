"""Create and update semantics shared by POST, PUT, PATCH and server-side apply.

:func:`create_object` and :func:`commit_update` are where an incoming object becomes stored
state: system metadata (uid, creationTimestamp, resourceVersion, generation), the status
subresource split, CRD schema defaulting/pruning/validation, metadata validation, optimistic
concurrency, the no-new-finalizers-while-deleting rule, managedFields bookkeeping and the removal of
an object whose last finalizer is gone. A write that changes nothing returns the stored object
without a new resourceVersion and without a watch event, as kube-apiserver does.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aim_engine.objects import RawObject
from aim_engine.testing.apiserver._patches import _managed_fields as managed_fields
from aim_engine.testing.apiserver._schema._builtin_checks import (
    builtin_decode_error,
    validate_builtin,
)
from aim_engine.testing.apiserver._schema._builtin_decode import decode_builtin, kind_error
from aim_engine.testing.apiserver._schema._compiled import (
    CompiledSchema,
    FieldError,
    invalid_status,
)
from aim_engine.testing.apiserver._schema._metadata import (
    metadata_shape_error,
    validate_metadata,
    validate_metadata_update,
)
from aim_engine.testing.apiserver._schema._size_limits import data_size_errors
from aim_engine.testing.apiserver._status import (
    StatusError,
    already_exists,
    bad_request,
    conflict,
    forbidden,
    namespace_not_found,
    not_found,
    reasonless_status,
)
from aim_engine.testing.apiserver._storage._resource_table import ServedResource
from aim_engine.testing.apiserver._storage._state import ClusterState
from aim_engine.testing.apiserver._verbs import _crd as crd

__all__ = [
    "Target",
    "check_namespace",
    "commit_update",
    "create_object",
    "require_resource_version",
    "served_copy",
]

_GENERATION_BUILTINS = frozenset({"deployments", "jobs", "customresourcedefinitions"})
_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"
_CRDS = ("apiextensions.k8s.io", "customresourcedefinitions")
_RV_ON_CREATE = "resourceVersion should not be set on objects to be created"
_SYSTEM_FIELDS = (
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
)


@dataclass(frozen=True, slots=True)
class Target:
    """What a request addresses: resource, version, namespace, name and subresource."""

    resource: ServedResource
    version: str
    namespace: str = ""
    name: str = ""
    subresource: str = ""
    field_validation: str = ""
    warnings: list[str] = field(default_factory=list, compare=False)
    """``Warning`` header texts the write produced (unknown fields)."""

    @property
    def api_version(self) -> str:
        """The requested ``apiVersion``."""
        return self.resource.api_version(self.version)


def served_copy(res: ServedResource, obj: Mapping[str, Any], version: str) -> RawObject:
    """A copy of a stored object as served in ``version`` (None conversion: apiVersion only)."""
    out = copy.deepcopy(dict(obj))
    out["apiVersion"] = res.api_version(version)
    out["kind"] = res.kind
    return out


def _invalid(t: Target, name: str, errors: list[FieldError]) -> StatusError:
    return StatusError(422, invalid_status(t.resource.kind, t.resource.group, name, errors))


def _has_generation(res: ServedResource) -> bool:
    return not res.builtin or res.plural in _GENERATION_BUILTINS


def _spec_part(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def _comparable(obj: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(obj))
    md = out.get("metadata") or {}
    md.pop("resourceVersion", None)
    for entry in md.get("managedFields") or ():
        if isinstance(entry, dict):
            entry.pop("time", None)
    return out


def check_namespace(state: ClusterState, t: Target, name: str, *, creating: bool) -> None:
    """A namespaced write needs an existing namespace; creates need one that is not terminating.

    Raises:
        StatusError: 404 when the namespace does not exist, 403 when it is terminating.
    """
    if not t.resource.namespaced:
        return
    ns = state.store.get(("", "namespaces", "", t.namespace))
    if ns is None:
        raise namespace_not_found(t.namespace)
    if creating and ns["metadata"].get("deletionTimestamp"):
        raise forbidden(
            t.resource.group,
            t.resource.plural,
            name,
            f"unable to create new content in namespace {t.namespace} because it is "
            "being terminated",
        )


def _removed_paths(before: Any, after: Any, prefix: str) -> list[str]:
    """Paths present in ``before`` but pruned from ``after`` (for strict field validation)."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[str] = []
        for key, value in before.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in after:
                out.append(path)
            else:
                out.extend(_removed_paths(value, after[key], path))
        return out
    if isinstance(before, list) and isinstance(after, list):
        return [
            p
            for i, (b, a) in enumerate(zip(before, after, strict=False))
            for p in _removed_paths(b, a, f"{prefix}[{i}]")
        ]
    return []


def _schema_of(t: Target) -> CompiledSchema | None:
    """The compiled schema of the addressed version (``None`` for built-ins)."""
    version = t.resource.versions.get(t.version)
    return version.schema if version else None


def _check_schema(t: Target, obj: RawObject, old: RawObject | None) -> None:
    schema = _schema_of(t)
    name = str(obj["metadata"].get("name", ""))
    errors: list[FieldError] = []
    if schema is not None:
        before = copy.deepcopy(obj) if t.field_validation != "Ignore" else None
        schema.prune(obj)
        unknown = _removed_paths(before, obj, "") if before is not None else []
        if unknown and t.field_validation != "Strict":  # Warn (the default): pruned, warned
            t.warnings.extend(f'unknown field "{p}"' for p in unknown)
        elif unknown:
            kind = t.resource.kind
            raise bad_request(
                f'{kind} in version "{t.version}" cannot be handled as a {kind}: strict decoding '
                "error: " + ", ".join(f'unknown field "{p}"' for p in unknown)
            )
        schema.apply_defaults(obj)
        schema.prune(obj)
        errors.extend(schema.validate(obj, old))
    if t.resource.key == ("apiextensions.k8s.io", "customresourcedefinitions"):
        errors.extend(crd.validate_crd(obj))
    errors.extend(validate_builtin(t.resource.key, obj))
    errors.extend(data_size_errors(t.resource.key, obj))
    errors.extend(
        validate_metadata(obj["metadata"], label_style_name=t.resource.plural == "namespaces")
    )
    if errors:
        raise _invalid(t, name, errors)


def _builtin_defaults(res: ServedResource, obj: RawObject) -> None:
    if res.key == ("", "namespaces"):
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"][
            "name"
        ]
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        obj["status"] = {"phase": "Active"}
    elif res.key == ("", "secrets"):
        obj.setdefault("type", "Opaque")


def _go_type(value: Any) -> str:
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "bool"
    return "number" if isinstance(value, int | float) else "null"


def _check_body(state: ClusterState, t: Target, body: Any) -> RawObject:
    if not isinstance(body, dict):
        raise bad_request(
            f"the object provided is unrecognized (must be of type {t.resource.kind}): couldn't "
            "get version/kind; json parse error: json: cannot unmarshal "
            f"{_go_type(body)} into Go value of type struct"
        )
    obj: RawObject = copy.deepcopy(body)
    res = t.resource
    mismatch = res.builtin and kind_error(
        state.builtin_schemas, res.group, t.version, res.kind, obj
    )
    if mismatch:
        raise bad_request(mismatch)
    if obj.get("apiVersion") not in (None, t.api_version) or obj.get("kind") not in (
        None,
        t.resource.kind,
    ):
        raise bad_request(
            f"the API version in the data ({obj.get('apiVersion')}) does not match the expected "
            f"API version ({t.api_version})"
        )
    if not t.resource.builtin and not obj.get("apiVersion"):
        raise bad_request(
            f"the API version in the data () does not match the expected API version "
            f"({t.api_version})"
        )
    if not t.resource.builtin and not obj.get("kind"):
        raise bad_request("Object 'Kind' is missing in request body")
    if res.builtin:  # decoded into the Go type: wrong types, unknown fields
        decode_error, warnings = decode_builtin(
            state.builtin_schemas, t.api_version, res.kind, obj, t.field_validation
        )
        if decode_error is not None:
            raise bad_request(decode_error)
        t.warnings.extend(warnings)
    md = obj.get("metadata")
    if md is None:
        md = obj["metadata"] = {}
    if not isinstance(md, dict):
        raise bad_request(
            "json: cannot unmarshal into Go struct field ObjectMeta.metadata of type v1.ObjectMeta"
        )
    shape = metadata_shape_error(md) or builtin_decode_error(t.resource.key, t.resource.kind, obj)
    if shape is not None:
        raise bad_request(shape)
    if t.resource.namespaced:
        if md.get("namespace") and t.namespace and md["namespace"] != t.namespace:
            raise bad_request(
                "the namespace of the provided object does not match the namespace sent on the "
                "request"
            )
        md["namespace"] = t.namespace
    else:
        md.pop("namespace", None)
    obj["apiVersion"], obj["kind"] = (
        t.resource.api_version(t.resource.storage_version),
        t.resource.kind,
    )
    return obj


def require_resource_version(t: Target, body: Any) -> None:
    """Refuse an unconditional PUT where kube-apiserver does (custom resources and CRDs).

    Raises:
        StatusError: 422 ``metadata.resourceVersion: ... must be specified for an update``.
    """
    conditional = not t.resource.builtin or t.resource.key == _CRDS
    md = body.get("metadata") if isinstance(body, dict) else None
    if not conditional or (isinstance(md, dict) and md.get("resourceVersion")):
        return
    error = FieldError(
        "metadata.resourceVersion",
        "FieldValueInvalid",
        "Invalid value: 0: must be specified for an update",
    )
    # Like the real server, the resource (plural) stands where other errors name the kind.
    body_status = invalid_status(t.resource.plural, t.resource.group, t.name, [error])
    raise StatusError(422, body_status)


def create_object(
    state: ClusterState,
    t: Target,
    body: Any,
    *,
    manager: str,
    dry_run: bool,
    record_fields: bool = True,
) -> RawObject:
    """Create an object (POST, or a patch/apply that creates).

    Raises:
        StatusError: 400/403/404/409/422 like kube-apiserver.
    """
    obj = _check_body(state, t, body)
    md = obj["metadata"]
    if not md.get("name") and md.get("generateName"):
        md["name"] = str(md["generateName"]) + "".join(random.choices(_NAME_CHARS, k=5))
    name = str(md.get("name") or "")
    if name and t.name and name != t.name:
        raise bad_request(
            f"the name of the object ({name}) does not match the name on the URL ({t.name})"
        )
    check_namespace(state, t, name, creating=True)
    if record_fields and md.get("resourceVersion"):
        raise StatusError(500, reasonless_status(500, _RV_ON_CREATE))
    for f in (*_SYSTEM_FIELDS, "resourceVersion", "managedFields" if record_fields else ""):
        md.pop(f, None)
    if t.resource.has_status(t.version) and t.resource.plural != "pods":
        obj.pop("status", None)
    _builtin_defaults(t.resource, obj)
    _check_schema(t, obj, None)
    key = state.key(t.resource, t.namespace, name)
    if state.store.get(key) is not None:
        raise already_exists(t.resource.group, t.resource.plural, name)
    md["uid"] = state.new_uid()
    md["creationTimestamp"] = state.now()
    if _has_generation(t.resource):
        md["generation"] = 1
    if record_fields:
        managed_fields.record_update(
            None,
            obj,
            manager=manager,
            subresource="",
            api_version=t.api_version,
            now=state.now(),
            schema=_schema_of(t),
        )
    if dry_run:
        return served_copy(t.resource, obj, t.version)
    stored = state.store.put(key, obj, None)
    crd.after_write(state, stored)
    state.wake_controllers()
    return served_copy(t.resource, stored, t.version)


def _new_finalizers(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    before = set(old.get("finalizers") or ())
    return [f for f in new.get("finalizers") or () if f not in before]


def commit_update(
    state: ClusterState,
    t: Target,
    old: RawObject,
    candidate: Any,
    *,
    manager: str,
    dry_run: bool,
    record_fields: bool = True,
) -> RawObject:
    """Turn a full candidate object into the next stored state of ``old`` (PUT and patches).

    ``candidate`` is what the client wants the object to be (for patches: the patched object).
    A ``metadata.resourceVersion`` in it must match the stored one.

    Raises:
        StatusError: 400 (name/namespace mismatch), 409 (stale resourceVersion), 422 (invalid).
    """
    new = _check_body(state, t, candidate)
    md, omd = new["metadata"], old["metadata"]
    if md.get("name") and md["name"] != omd["name"]:
        raise bad_request(
            f"the name of the object ({md['name']}) does not match the name on the URL "
            f"({omd['name']})"
        )
    md["name"] = omd["name"]
    if md.get("resourceVersion") and md["resourceVersion"] != omd.get("resourceVersion"):
        raise conflict(t.resource.group, t.resource.plural, omd["name"])
    immutable = validate_metadata_update(md, omd)
    if immutable:
        raise _invalid(t, omd["name"], immutable)
    if t.subresource == "status":
        status = new.get("status")
        managed = md.get("managedFields")
        new = copy.deepcopy(old)
        new["apiVersion"] = t.resource.api_version(t.resource.storage_version)
        if status is None:
            new.pop("status", None)
        else:
            new["status"] = status
        md = new["metadata"]
        if managed is not None and not record_fields:
            md["managedFields"] = managed
    else:
        for f in _SYSTEM_FIELDS:
            if f in omd:
                md[f] = copy.deepcopy(omd[f])
            else:
                md.pop(f, None)
        if t.resource.has_status(t.version):
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
            else:
                new.pop("status", None)
        if t.resource.key == ("", "namespaces"):
            new["status"] = copy.deepcopy(old.get("status", {}))
            new["spec"] = copy.deepcopy(old.get("spec", {}))  # changed only through /finalize
            md.setdefault("labels", {})["kubernetes.io/metadata.name"] = omd["name"]
    if record_fields and "managedFields" not in md and "managedFields" in omd:
        md["managedFields"] = copy.deepcopy(omd["managedFields"])
    if omd.get("deletionTimestamp"):
        added = _new_finalizers(omd, md)
        if added:
            quoted = ", ".join(f'"{f}"' for f in added)
            raise _invalid(
                t,
                omd["name"],
                [
                    FieldError(
                        "metadata.finalizers",
                        "FieldValueForbidden",
                        "Forbidden: no new finalizers can be added if the object is being "
                        f"deleted, found new finalizers []string{{{quoted}}}",
                    )
                ],
            )
    _check_schema(t, new, served_copy(t.resource, old, t.version))
    if _has_generation(t.resource) and t.subresource != "status":
        gen = int(omd.get("generation") or 1)
        md["generation"] = gen + 1 if _spec_part(new) != _spec_part(old) else gen
    md["resourceVersion"] = omd.get("resourceVersion")
    if record_fields:
        managed_fields.record_update(
            old,
            new,
            manager=manager,
            subresource=t.subresource,
            api_version=t.api_version,
            now=state.now(),
            schema=_schema_of(t),
        )
    if _comparable(new) == _comparable(old):
        return served_copy(t.resource, old, t.version)
    if dry_run:
        return served_copy(t.resource, new, t.version)
    key = state.key(t.resource, omd.get("namespace", ""), omd["name"])
    if md.get("deletionTimestamp") and not md.get("finalizers"):
        gone = state.store.remove(key, final=new)
        if gone is not None:
            crd.after_remove(state, gone)
        state.wake_controllers()
        return served_copy(t.resource, gone or new, t.version)
    stored = state.store.put(key, new, old)
    crd.after_write(state, stored)
    state.wake_controllers()
    return served_copy(t.resource, stored, t.version)


def get_stored(state: ClusterState, t: Target) -> RawObject:
    """The stored object a request addresses.

    Raises:
        StatusError: 404.
    """
    obj = state.store.get(state.key(t.resource, t.namespace, t.name))
    if obj is None:
        raise not_found(t.resource.group, t.resource.plural, t.name)
    return obj
