"""Finalizers: run cleanup exactly when an object is being deleted, and only once it is done.

A finalizer is a name in ``metadata.finalizers``; while any is present the API server keeps a
deleted object (with ``deletionTimestamp`` set) so its controllers can clean up. The flow of
:func:`run_finalizer` follows kube-rs' ``finalizer()``:

=======================  ==================  ===============================================
object                   our finalizer       what happens
=======================  ==================  ===============================================
not being deleted        absent or present   ensure it is present, then run ``apply``
being deleted            present             run ``cleanup``, then remove the finalizer
being deleted            absent              nothing (someone else's finalizer holds it)
=======================  ==================  ===============================================

Both branches are idempotent: a reconcile that dies halfway just runs again. ``cleanup`` must
tolerate ``apply`` never having run (the object may be deleted before we ever saw it).

Edits use a JSON patch guarded by a ``test`` operation (on the current finalizer list, or on
``resourceVersion`` when there is none), so a concurrent writer's finalizer is never dropped and
ours is never added twice (the server does not deduplicate). When the guard fails the object is
read again and the edit retried a few times before the conflict is raised.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from aim_engine.client import Client, PatchType
from aim_engine.errors import ConflictError, InvalidError, NotFoundError
from aim_engine.kinds import ResourceKind
from aim_engine.objects import RawObject, meta, name_of, namespace_of, resource_version_of

__all__ = [
    "add_finalizer",
    "has_finalizer",
    "is_deleting",
    "remove_finalizer",
    "run_finalizer",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

_ATTEMPTS = 5


def has_finalizer(obj: Mapping[str, Any], name: str) -> bool:
    """Whether ``metadata.finalizers`` contains ``name``."""
    return name in (meta(obj).get("finalizers") or ())


def is_deleting(obj: Mapping[str, Any]) -> bool:
    """Whether the object has a ``deletionTimestamp`` (deletion was requested)."""
    return bool(meta(obj).get("deletionTimestamp"))


def _add_ops(obj: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    current = list(meta(obj).get("finalizers") or ())
    if current:
        return [
            {"op": "test", "path": "/metadata/finalizers", "value": current},
            {"op": "add", "path": "/metadata/finalizers/-", "value": name},
        ]
    rv = resource_version_of(obj)
    guard = [{"op": "test", "path": "/metadata/resourceVersion", "value": rv}] if rv else []
    return [*guard, {"op": "add", "path": "/metadata/finalizers", "value": [name]}]


def _remove_ops(obj: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    current = list(meta(obj).get("finalizers") or ())
    index = current.index(name)
    return [
        {"op": "test", "path": f"/metadata/finalizers/{index}", "value": name},
        {"op": "remove", "path": f"/metadata/finalizers/{index}"},
    ]


async def _edit(
    client: Client,
    kind: ResourceKind,
    obj: RawObject,
    name: str,
    *,
    adding: bool,
    field_manager: str | None,
) -> RawObject | None:
    current: RawObject | None = obj
    for attempt in range(_ATTEMPTS):
        assert current is not None
        if has_finalizer(current, name) == adding:
            return current
        ops = _add_ops(current, name) if adding else _remove_ops(current, name)
        try:
            return await client.patch(
                kind,
                name_of(current),
                ops,
                namespace_of(current) or None,
                patch_type=PatchType.JSON,
                field_manager=field_manager,
            )
        except (ConflictError, InvalidError) as exc:
            # A failed `test` (422 Invalid, or 409 on some servers): someone else wrote in
            # between. Read again and retry on the fresh state.
            if attempt == _ATTEMPTS - 1:
                raise
            logger.debug(
                "finalizer patch guard failed; retrying",
                extra={"finalizer": name, "attempt": attempt, "status": exc.status},
            )
            current = await client.get(kind, name_of(obj), namespace_of(obj) or None)
    raise AssertionError("unreachable")  # pragma: no cover


async def add_finalizer(
    client: Client,
    kind: ResourceKind,
    obj: RawObject,
    name: str,
    *,
    field_manager: str | None = None,
) -> RawObject:
    """Ensure ``name`` is in ``obj``'s finalizers; no request when it already is.

    Returns:
        The object as the server now has it (``obj`` itself when nothing was sent).

    Raises:
        NotFoundError: the object is gone.
        ConflictError, InvalidError: concurrent writers kept winning the race.
    """
    result = await _edit(client, kind, obj, name, adding=True, field_manager=field_manager)
    assert result is not None
    return result


async def remove_finalizer(
    client: Client,
    kind: ResourceKind,
    obj: RawObject,
    name: str,
    *,
    field_manager: str | None = None,
) -> RawObject | None:
    """Ensure ``name`` is not in ``obj``'s finalizers; no request when it is not.

    Returns:
        The object as the server now has it, or ``None`` when it is already gone (removing the
        last finalizer of a deleted object lets the server delete it).

    Raises:
        ConflictError, InvalidError: concurrent writers kept winning the race.
    """
    try:
        return await _edit(client, kind, obj, name, adding=False, field_manager=field_manager)
    except NotFoundError:
        return None


async def run_finalizer(
    client: Client,
    kind: ResourceKind,
    obj: RawObject,
    name: str,
    *,
    apply: Callable[[], Awaitable[T]],
    cleanup: Callable[[], Awaitable[None]],
    field_manager: str | None = None,
) -> T | None:
    """Run ``apply`` or ``cleanup`` for ``obj`` depending on its deletion state (see module doc).

    Returns:
        What ``apply`` returned, or ``None`` when the object is being deleted.

    Raises:
        Exception: whatever ``apply`` or ``cleanup`` raise (the finalizer stays; the reconcile
            is retried), and the client errors of the finalizer edits.
    """
    if not is_deleting(obj):
        if not has_finalizer(obj, name):
            await add_finalizer(client, kind, obj, name, field_manager=field_manager)
        return await apply()
    if has_finalizer(obj, name):
        await cleanup()
        await remove_finalizer(client, kind, obj, name, field_manager=field_manager)
    return None
