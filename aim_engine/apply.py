"""Writing what a reconcile decided: desired objects by server-side apply, status only if changed.

:func:`apply_desired` applies a controller's desired objects as its field manager, with
``force=True`` (the controller is the sole owner of the fields it sends), in a deterministic
``(apiVersion, kind, namespace, name)`` order so that two reconciles of the same state issue the
same requests in the same order (Go aim-engine's pipeline does the same).

:func:`write_status_if_changed` writes a new status through server-side apply on the ``status``
subresource, and sends nothing at all when the status is unchanged: a level-based reconcile runs
often, and a status write per run would wake every watcher of the object for nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aim_engine.client import Client
from aim_engine.conditions import status_changed
from aim_engine.kinds import ResourceKind
from aim_engine.objects import RawObject, name_of, namespace_of

__all__ = ["apply_desired", "apply_order", "write_status_if_changed"]


def apply_order(obj: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """The sort key of a desired object: ``(apiVersion, kind, namespace, name)``."""
    return (
        str(obj.get("apiVersion", "")),
        str(obj.get("kind", "")),
        namespace_of(obj),
        name_of(obj),
    )


async def apply_desired(
    client: Client,
    objects: Sequence[RawObject],
    *,
    field_manager: str,
    force: bool = True,
) -> list[RawObject]:
    """Server-side apply each object, in :func:`apply_order`, one after the other.

    Returns:
        The applied objects as the server returned them, in apply order.

    Raises:
        ApiError: the first failing apply (later objects are not attempted).
    """
    return [
        await client.apply(obj, field_manager=field_manager, force=force)
        for obj in sorted(objects, key=apply_order)
    ]


async def write_status_if_changed(
    client: Client,
    kind: ResourceKind,
    obj: RawObject,
    new_status: Mapping[str, Any],
    *,
    field_manager: str,
) -> RawObject | None:
    """Apply ``new_status`` to ``obj``'s status subresource unless it equals the current one.

    Fields this manager applied before and no longer sends are removed by the server (apply
    semantics); fields other managers own are left alone.

    Returns:
        The updated object, or ``None`` when no request was needed.

    Raises:
        ApiError: the write failed (``NotFoundError`` if the object is gone).
    """
    if not status_changed(obj.get("status"), new_status):
        return None
    metadata: dict[str, Any] = {"name": name_of(obj)}
    if kind.namespaced:
        metadata["namespace"] = namespace_of(obj)
    body = {
        "apiVersion": kind.api_version,
        "kind": kind.kind,
        "metadata": metadata,
        "status": dict(new_status),
    }
    return await client.apply(
        body, field_manager=field_manager, force=True, subresource="status", kind=kind
    )
