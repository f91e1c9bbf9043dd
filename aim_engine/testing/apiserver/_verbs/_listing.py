"""LIST: selectors, pagination with opaque continue tokens, resourceVersion semantics.

A list answers the current state with ``metadata.resourceVersion`` = the newest resourceVersion of
the cluster. ``limit`` cuts it into pages; ``continue`` is an opaque token holding the list's
resourceVersion and the last key served, and it expires (410) once the watch history no longer
reaches back to that resourceVersion, mirroring etcd compaction. Continued pages and
``resourceVersionMatch=Exact`` lists are consistent snapshots: the current objects rolled back
through the event history to the token's (or the requested) resourceVersion, like etcd's MVCC
reads; ``NotOlderThan`` and no match answer the current state.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from aim_engine.objects import RawObject
from aim_engine.testing.apiserver._schema._compiled import FieldError, invalid_status
from aim_engine.testing.apiserver._status import (
    StatusError,
    bad_request,
    gone_continue,
    parse_error,
    status_body,
)
from aim_engine.testing.apiserver._storage._selectors import Selector
from aim_engine.testing.apiserver._storage._state import ClusterState
from aim_engine.testing.apiserver._verbs._writes import Target, served_copy

__all__ = ["list_objects"]


def _encode(rv: int, start: tuple[str, str]) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": list(start)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str) -> tuple[int, tuple[str, str]]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return int(data["rv"]), (str(data["start"][0]), str(data["start"][1]))
    except (ValueError, KeyError, TypeError, IndexError, binascii.Error) as exc:
        raise bad_request(f"continue key is not valid: {exc}") from exc


def _sort_key(obj: Mapping[str, Any]) -> tuple[str, str]:
    md = obj["metadata"]
    return (str(md.get("namespace", "")), str(md["name"]))


def _check_rv(state: ClusterState, query: Mapping[str, str]) -> int | None:
    """Validate the resourceVersion parameters; returns the version of an ``Exact`` list."""
    rv, match = query.get("resourceVersion", ""), query.get("resourceVersionMatch", "")
    if match and match not in ("Exact", "NotOlderThan"):
        raise bad_request(
            f'resourceVersionMatch: Unsupported value: "{match}": supported values: "Exact", '
            '"NotOlderThan"'
        )
    if match and not rv:
        raise StatusError(
            422,
            invalid_status(
                "ListOptions",
                "meta.k8s.io",
                "",
                [
                    FieldError(
                        "resourceVersionMatch",
                        "FieldValueForbidden",
                        "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is "
                        "provided",
                    )
                ],
            ),
        )
    if not rv or rv == "0":
        return None
    try:
        wanted = int(rv)
    except ValueError as exc:
        raise bad_request(
            f'invalid resource version: resourceVersion: Invalid value: "{rv}": '
            + parse_error(rv, unsigned=True)
        ) from exc
    if wanted > state.store.rv:
        raise StatusError(
            504,
            status_body(
                504,
                "Timeout",
                f"Timeout: Too large resource version: {wanted}, current: {state.store.rv}",
                {
                    "causes": [
                        {
                            "reason": "ResourceVersionTooLarge",
                            "message": "Too large resource version",
                        }
                    ],
                    "retryAfterSeconds": 1,
                },
            ),
        )
    if match != "Exact":
        return None
    if state.store.is_expired(wanted):
        raise StatusError(
            410,
            status_body(
                410,
                "Expired",
                f"too old resource version: {wanted} ({state.store.compacted_rv + 1})",
            ),
        )
    return wanted


def _snapshot(
    state: ClusterState, group: str, plural: str, namespace: str | None, rv: int
) -> list[RawObject]:
    """The objects of one resource as they were at ``rv``, rolled back through the history."""
    current = {
        key: obj
        for key, obj in state.store.all_items()
        if key[:2] == (group, plural) and (namespace is None or key[2] == namespace)
    }
    for ev in reversed(state.store.events_after(rv) or []):
        if (ev.group, ev.plural) != (group, plural) or (
            namespace is not None and ev.namespace != namespace
        ):
            continue
        key = (ev.group, ev.plural, ev.namespace, ev.obj["metadata"]["name"])
        if ev.type == "ADDED" or ev.old is None:
            current.pop(key, None)
        else:
            current[key] = ev.old
    return sorted(current.values(), key=_sort_key)


def list_objects(
    state: ClusterState,
    t: Target,
    namespace: str | None,
    selector: Selector,
    query: Mapping[str, str],
) -> tuple[dict[str, Any], list[RawObject]]:
    """List objects of ``t.resource`` in one namespace (or all).

    Returns:
        ``(list_metadata, items)`` with items in served form.

    Raises:
        StatusError: 400 on bad parameters, 410 for an expired continue token, 504 for a future
        resourceVersion.
    """
    exact = _check_rv(state, query)
    list_rv = state.store.rv if exact is None else exact
    token = query.get("continue", "")
    start: tuple[str, str] | None = None
    if token:
        list_rv, start = _decode(token)
        if state.store.is_expired(list_rv):
            raise gone_continue()
    objects = _snapshot(state, t.resource.group, t.resource.plural, namespace, list_rv)
    items = [o for o in objects if selector.matches(o) and (start is None or _sort_key(o) > start)]
    meta: dict[str, Any] = {"resourceVersion": str(list_rv)}
    try:
        limit = int(query.get("limit", "0") or 0)
    except ValueError as exc:
        raise bad_request(parse_error(query.get("limit", ""))) from exc
    if limit > 0 and len(items) > limit:
        page = items[:limit]
        meta["continue"] = _encode(list_rv, _sort_key(page[-1]))
        if not selector.labels.requirements and not selector.fields.terms:
            meta["remainingItemCount"] = len(items) - limit
        items = page
    return meta, [served_copy(t.resource, o, t.version) for o in items]
