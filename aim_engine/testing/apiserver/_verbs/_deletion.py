"""Deletion: finalizers, propagation policies, preconditions, namespaces, CRDs.

DELETE removes an object at once unless it has finalizers; then it only gets a
``deletionTimestamp`` (HTTP 202) and stays until the last finalizer is removed by an update.
``propagationPolicy=Foreground`` adds the ``foregroundDeletion`` finalizer, which the garbage
collector (:mod:`~aim_engine.testing.apiserver._builtin_controllers._loop`) removes once the
dependents are gone; ``Orphan`` strips the owner's references from its dependents first;
``Background`` (the default) leaves the dependents to the collector. Deleting a namespace only
marks it ``Terminating``; the namespace controller empties and then removes it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from aim_engine.objects import RawObject
from aim_engine.testing.apiserver._schema._compiled import FieldError, invalid_status
from aim_engine.testing.apiserver._status import (
    StatusError,
    bad_request,
    precondition_failed,
    status_body,
)
from aim_engine.testing.apiserver._storage._resource_table import ServedResource
from aim_engine.testing.apiserver._storage._state import ClusterState
from aim_engine.testing.apiserver._storage._store import ObjKey
from aim_engine.testing.apiserver._verbs import _crd as crd
from aim_engine.testing.apiserver._verbs._writes import Target, get_stored, served_copy

__all__ = ["FOREGROUND", "delete_object", "delete_stored", "dependents_of", "parse_delete_options"]

FOREGROUND = "foregroundDeletion"
_POLICIES = ("Background", "Foreground", "Orphan")


def parse_delete_options(body: Any, query: Mapping[str, str]) -> dict[str, Any]:
    """Merge ``DeleteOptions`` from the body and the query string.

    Raises:
        StatusError: 400 for an unknown propagation policy.
    """
    if body is not None and not isinstance(body, Mapping):
        raise bad_request("json: cannot unmarshal into Go value of type v1.DeleteOptions")
    opts: dict[str, Any] = dict(body) if isinstance(body, Mapping) else {}
    if not isinstance(opts.get("preconditions") or {}, Mapping):
        raise bad_request(
            "json: cannot unmarshal into Go struct field DeleteOptions.preconditions of type "
            "v1.Preconditions"
        )
    if "propagationPolicy" in query:
        opts["propagationPolicy"] = query["propagationPolicy"]
    if "dryRun" in query:
        opts["dryRun"] = [query["dryRun"]]
    if opts.get("orphanDependents") is True and "propagationPolicy" not in opts:
        opts["propagationPolicy"] = "Orphan"
    policy = opts.get("propagationPolicy")
    if policy is not None and policy not in _POLICIES:
        raise StatusError(
            422,
            invalid_status(
                "DeleteOptions",
                "meta.k8s.io",
                "",
                [
                    FieldError(
                        "propagationPolicy",
                        "FieldValueNotSupported",
                        f'Unsupported value: "{policy}": supported values: "Foreground", '
                        '"Background", "Orphan", "nil"',
                    )
                ],
            ),
        )
    return opts


def dependents_of(state: ClusterState, uid: str) -> list[tuple[ObjKey, RawObject]]:
    """Objects that name ``uid`` in their ownerReferences."""
    return [
        (key, obj)
        for key, obj in state.store.all_items()
        if any(r.get("uid") == uid for r in obj["metadata"].get("ownerReferences") or ())
    ]


def _orphan(state: ClusterState, uid: str) -> None:
    for key, obj in dependents_of(state, uid):
        new = copy.deepcopy(obj)
        refs = [r for r in new["metadata"]["ownerReferences"] if r.get("uid") != uid]
        if refs:
            new["metadata"]["ownerReferences"] = refs
        else:
            del new["metadata"]["ownerReferences"]
        state.store.put(key, new, obj)


def _success(res: ServedResource, obj: Mapping[str, Any]) -> dict[str, Any]:
    md = obj["metadata"]
    details: dict[str, Any] = {"name": md["name"]}
    if res.group:
        details["group"] = res.group
    details.update({"kind": res.plural, "uid": md.get("uid", "")})
    body = status_body(200, "", "", details)
    body.update(status="Success")
    for k in ("message", "reason", "code"):  # the real success Status carries no code
        body.pop(k)
    return body


def delete_stored(
    state: ClusterState,
    res: ServedResource,
    key: ObjKey,
    obj: RawObject,
    policy: str,
    *,
    dry_run: bool = False,
) -> tuple[bool, RawObject]:
    """Delete one stored object under a propagation policy.

    Returns:
        ``(removed, state)``: whether it is gone now, and its last state.
    """
    md = obj["metadata"]
    if res.key == ("", "namespaces"):
        if md.get("deletionTimestamp"):
            return False, obj
        new = copy.deepcopy(obj)
        new["metadata"]["deletionTimestamp"] = state.now()
        new["metadata"]["deletionGracePeriodSeconds"] = 0
        new["status"] = {"phase": "Terminating"}
        if dry_run:
            return False, new
        stored = state.store.put(key, new, obj)
        state.wake_controllers()
        return False, stored
    finalizers = list(md.get("finalizers") or ())
    if policy == "Foreground" and FOREGROUND not in finalizers:
        finalizers.append(FOREGROUND)
    if finalizers:
        if md.get("deletionTimestamp") and finalizers == list(md.get("finalizers") or ()):
            return False, obj
        new = copy.deepcopy(obj)
        new["metadata"]["finalizers"] = finalizers
        new["metadata"].setdefault("deletionTimestamp", state.now())
        new["metadata"].setdefault("deletionGracePeriodSeconds", 0)
        if dry_run:
            return False, new
        stored = state.store.put(key, new, obj)
        state.wake_controllers()
        return False, stored
    if dry_run:
        return True, obj
    if policy == "Orphan":
        _orphan(state, md.get("uid", ""))
    gone = state.store.remove(key)
    if gone is not None:
        crd.after_remove(state, gone)
    state.wake_controllers()
    return True, gone or obj


def delete_object(
    state: ClusterState, t: Target, options: Mapping[str, Any]
) -> tuple[int, RawObject]:
    """Handle DELETE of one object.

    Returns:
        ``(http_status, body)``: 200 with the object (or a success ``Status`` for built-ins) when
        it is gone, 202 with the object while finalizers keep it.

    Raises:
        StatusError: 404, or 409 for failed preconditions or a namespace already terminating.
    """
    res = t.resource
    obj = get_stored(state, t)
    md = obj["metadata"]
    pre = options.get("preconditions") or {}
    qualified = f"{res.kind}.{res.group}" if res.group else res.kind
    if pre.get("uid") and pre["uid"] != md.get("uid"):
        raise precondition_failed(
            res.group,
            res.kind,
            t.name,
            f"the UID in the precondition ({pre['uid']}) does not match the UID in record "
            f"({md.get('uid')}). The object might have been deleted and then recreated",
            qualified=qualified,
        )
    if pre.get("resourceVersion") and pre["resourceVersion"] != md.get("resourceVersion"):
        raise precondition_failed(
            res.group,
            res.kind,
            t.name,
            f"the ResourceVersion in the precondition ({pre['resourceVersion']}) does not match "
            f"the ResourceVersion in record ({md.get('resourceVersion')}). The object might have "
            "been modified",
            qualified=qualified,
        )
    if res.key == ("", "namespaces") and md.get("deletionTimestamp"):
        body = precondition_failed(res.group, res.plural, t.name, "").body
        body["message"] = (
            f'Operation cannot be fulfilled on namespaces "{t.name}": The system is ensuring all '
            "content is removed from this namespace.  Upon completion, this namespace will "
            "automatically be purged by the system."
        )
        raise StatusError(409, body)
    dry_run = "All" in (options.get("dryRun") or ())
    policy = str(options.get("propagationPolicy") or "Background")
    key = state.key(res, t.namespace, t.name)
    if crd.is_crd(obj):
        # A terminating CRD: its cleanup (_builtin_controllers) deletes its objects, then the CRD.
        if md.get("deletionTimestamp"):
            return 200, served_copy(res, obj, t.version)
        terminating = crd.mark_terminating(obj, state.now())
        if not dry_run:
            terminating = state.store.put(key, terminating, obj)
            state.wake_controllers()
        return 200, served_copy(res, terminating, t.version)
    removed, last = delete_stored(state, res, key, obj, policy, dry_run=dry_run)
    if not removed:
        # kube-apiserver answers 202 only when the client explicitly asked for cascading deletion
        # with the deprecated orphanDependents=false; otherwise 200, also while finalizers hold.
        code = 202 if options.get("orphanDependents") is False else 200
        return code, served_copy(res, last, t.version)
    return 200, _success(res, last)
