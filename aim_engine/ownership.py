"""Owner references: who owns an object, and who controls it.

An ``ownerReference`` ties a dependent to its owner for garbage collection; the one with
``controller: true`` also says which controller manages it (at most one per object), which is how
a controller maps events on its children back to the parent it reconciles. The validation rules
are controller-runtime's (``SetControllerReference``/``SetOwnerReference``):

* the owner must have a ``name`` and ``uid`` (it was read from the server);
* a cluster-scoped object cannot have a namespaced owner, and a namespaced owner must be in the
  object's own namespace (the garbage collector would treat the reference as dangling);
* an object already controlled by *another* owner is refused with :class:`AlreadyOwnedError`;
  setting the same reference again is a no-op.

References to the same owner are matched by API group, kind and name (not version), so an owner
that moved to a new API version is still the same owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aim_engine.errors import AlreadyOwnedError, OwnerReferenceError
from aim_engine.objects import RawObject, meta, name_of, namespace_of, uid_of

__all__ = [
    "controller_of",
    "is_owned_by",
    "owner_reference",
    "set_controller_reference",
    "set_owner_reference",
]


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def _same_owner(ref: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    return (
        _group(str(ref.get("apiVersion", ""))) == _group(str(other.get("apiVersion", "")))
        and ref.get("kind") == other.get("kind")
        and ref.get("name") == other.get("name")
    )


def owner_reference(
    owner: Mapping[str, Any], *, controller: bool = False, block_owner_deletion: bool = False
) -> dict[str, Any]:
    """The ``ownerReference`` pointing at ``owner``.

    Raises:
        OwnerReferenceError: ``owner`` lacks ``apiVersion``, ``kind``, ``name`` or ``uid``.
    """
    ref: dict[str, Any] = {
        "apiVersion": str(owner.get("apiVersion") or ""),
        "kind": str(owner.get("kind") or ""),
        "name": name_of(owner),
        "uid": uid_of(owner),
    }
    missing = [k for k, v in ref.items() if not v]
    if missing:
        raise OwnerReferenceError(f"owner is missing {', '.join(missing)}")
    if controller:
        ref["controller"] = True
    if block_owner_deletion:
        ref["blockOwnerDeletion"] = True
    return ref


def _validate_scope(owner: Mapping[str, Any], obj: Mapping[str, Any]) -> None:
    owner_ns = namespace_of(owner)
    if not owner_ns:
        return
    obj_ns = namespace_of(obj)
    if not obj_ns:
        raise OwnerReferenceError(
            f"cluster-scoped resource must not have a namespace-scoped owner, "
            f"owner's namespace {owner_ns}"
        )
    if obj_ns != owner_ns:
        raise OwnerReferenceError(
            f"cross-namespace owner references are disallowed, owner's namespace {owner_ns}, "
            f"obj's namespace {obj_ns}"
        )


def _upsert(obj: RawObject, ref: dict[str, Any]) -> None:
    refs: list[dict[str, Any]] = obj.setdefault("metadata", {}).setdefault("ownerReferences", [])
    for i, existing in enumerate(refs):
        if _same_owner(existing, ref):
            refs[i] = ref
            return
    refs.append(ref)


def set_controller_reference(
    owner: RawObject, obj: RawObject, *, block_owner_deletion: bool = True
) -> None:
    """Make ``owner`` the controller of ``obj`` (edits ``obj`` in place).

    Raises:
        OwnerReferenceError: the owner is incomplete or in another namespace/scope.
        AlreadyOwnedError: ``obj`` already has a controller reference to someone else.
    """
    ref = owner_reference(owner, controller=True, block_owner_deletion=block_owner_deletion)
    _validate_scope(owner, obj)
    current = controller_of(obj)
    if current is not None and not _same_owner(current, ref):
        raise AlreadyOwnedError(
            f"object {namespace_of(obj)}/{name_of(obj)} is already owned by another "
            f"{current.get('kind')} controller {current.get('name')}"
        )
    _upsert(obj, ref)


def set_owner_reference(owner: RawObject, obj: RawObject) -> None:
    """Add (or refresh) a non-controller owner reference to ``owner`` on ``obj`` in place.

    An existing reference to the same owner is replaced, keeping its ``controller`` and
    ``blockOwnerDeletion`` flags.

    Raises:
        OwnerReferenceError: the owner is incomplete or in another namespace/scope.
    """
    ref = owner_reference(owner)
    _validate_scope(owner, obj)
    for existing in meta(obj).get("ownerReferences") or ():
        if _same_owner(existing, ref):
            for flag in ("controller", "blockOwnerDeletion"):
                if flag in existing:
                    ref[flag] = existing[flag]
    _upsert(obj, ref)


def controller_of(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ``ownerReference`` with ``controller: true``, or ``None``."""
    for ref in meta(obj).get("ownerReferences") or ():
        if isinstance(ref, Mapping) and ref.get("controller") is True:
            return ref
    return None


def is_owned_by(obj: Mapping[str, Any], owner: Mapping[str, Any]) -> bool:
    """Whether ``obj`` has any owner reference to ``owner`` (matched by uid)."""
    uid = uid_of(owner)
    return bool(uid) and any(
        isinstance(ref, Mapping) and ref.get("uid") == uid
        for ref in meta(obj).get("ownerReferences") or ()
    )
