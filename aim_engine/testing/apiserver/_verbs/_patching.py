"""PATCH: the four patch types and server-side apply, chosen by ``Content-Type``.

``application/merge-patch+json`` (RFC 7386), ``application/json-patch+json`` (RFC 6902),
``application/strategic-merge-patch+json`` (built-in kinds only; 415 for custom resources, as the
real server answers) and ``application/apply-patch+yaml`` (server-side apply: ``fieldManager``
required, ``force`` takes ownership, an apply to a missing object creates it with 201). The patch
arithmetic and the field ownership live in the ``patches``/``managed_fields`` modules; this module
wires them to storage through :mod:`~aim_engine.testing.apiserver._verbs._writes`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml

from aim_engine.objects import RawObject
from aim_engine.testing.apiserver._patches import _managed_fields as managed_fields
from aim_engine.testing.apiserver._patches._json_patches import (
    PatchError,
    json_patch,
    merge_patch,
    strategic_merge_patch,
)
from aim_engine.testing.apiserver._schema._compiled import FieldError, invalid_status
from aim_engine.testing.apiserver._status import (
    StatusError,
    bad_request,
    generic_unsupported_media_type,
    not_found,
    unsupported_media_type,
)
from aim_engine.testing.apiserver._storage._state import ClusterState
from aim_engine.testing.apiserver._verbs._writes import (
    Target,
    commit_update,
    create_object,
    served_copy,
)

__all__ = ["APPLY", "JSON_PATCH", "MERGE_PATCH", "STRATEGIC", "patch_object"]

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
APPLY = "application/apply-patch+yaml"
_APPLY_CBOR = "application/apply-patch+cbor"
_ROUTE_TYPES = frozenset({JSON_PATCH, MERGE_PATCH, STRATEGIC, APPLY, _APPLY_CBOR})


def _accepted(t: Target) -> list[str]:
    types = [JSON_PATCH, MERGE_PATCH]
    if t.resource.builtin:
        types.append(STRATEGIC)
    types.append(APPLY)
    return types


def _decode_json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError as exc:
        raise bad_request(f"error decoding patch: {exc}") from exc


def _patch_error(exc: PatchError) -> StatusError:
    return StatusError(exc.status, exc.status_body())


def _apply_body(t: Target, raw: bytes) -> RawObject:
    try:
        config = yaml.safe_load(raw.decode() or "null")
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise bad_request(f"error decoding YAML: {exc}") from exc
    if not isinstance(config, dict):
        raise bad_request("the apply configuration must be an object")
    if config.get("apiVersion") != t.api_version or config.get("kind") != t.resource.kind:
        group, _, version = str(config.get("apiVersion", "")).rpartition("/")
        raise bad_request(f"invalid object type: {group}/{version}, Kind={config.get('kind', '')}")
    name = (config.get("metadata") or {}).get("name")
    if name != t.name:
        raise bad_request(
            f"the name of the object ({name}) does not match the name on the URL ({t.name})"
        )
    return config


def _apply(
    state: ClusterState, t: Target, raw: bytes, query: Mapping[str, str], dry_run: bool
) -> tuple[int, RawObject]:
    manager = query.get("fieldManager", "")
    if not manager:
        raise StatusError(
            422,
            invalid_status(
                "PatchOptions",
                "meta.k8s.io",
                "",
                [
                    FieldError(
                        "fieldManager",
                        "FieldValueRequired",
                        "Required value: is required for apply patch",
                    )
                ],
            ),
        )
    force = query.get("force", "").lower() in ("true", "1", "t")
    config = _apply_body(t, raw)
    live = state.store.get(state.key(t.resource, t.namespace, t.name))
    version = t.resource.versions.get(t.version)
    schema = version.schema if version else None
    if live is None and t.subresource:
        raise not_found(t.resource.group, t.resource.plural, t.name)
    try:
        new = managed_fields.apply(
            served_copy(t.resource, live, t.version) if live is not None else None,
            config,
            manager=manager,
            force=force,
            subresource=t.subresource,
            api_version=t.api_version,
            now=state.now(),
            schema=schema,
            # The main endpoint of a kind with a status subresource never applies (or owns) status.
            reset_fields=("status",)
            if not t.subresource and t.resource.has_status(t.version)
            else None,
        )
    except managed_fields.ApplyConflict as exc:
        raise StatusError(409, exc.status_body()) from exc
    if live is None:
        return 201, create_object(
            state, t, new, manager=manager, dry_run=dry_run, record_fields=False
        )
    return 200, commit_update(
        state, t, live, new, manager=manager, dry_run=dry_run, record_fields=False
    )


def patch_object(
    state: ClusterState,
    t: Target,
    content_type: str,
    raw: bytes,
    query: Mapping[str, str],
    *,
    manager: str,
    dry_run: bool,
) -> tuple[int, RawObject]:
    """Apply a PATCH request to the object ``t`` addresses.

    Returns:
        ``(http_status, object)``: 201 when server-side apply created the object, else 200.

    Raises:
        StatusError: 400/404/409/415/422 like kube-apiserver.
    """
    media = content_type.split(";")[0].strip().lower()
    if media in (APPLY, _APPLY_CBOR):
        return _apply(state, t, raw, query, dry_run)
    if media not in _ROUTE_TYPES:  # the router itself refuses it, before the patch handler
        raise generic_unsupported_media_type()
    if media not in _accepted(t):
        raise unsupported_media_type(media, _accepted(t))
    live = state.store.get(state.key(t.resource, t.namespace, t.name))
    if live is None:
        raise not_found(t.resource.group, t.resource.plural, t.name)
    current = served_copy(t.resource, live, t.version)
    body = _decode_json(raw)
    try:
        if media == JSON_PATCH:
            if not isinstance(body, list):
                raise bad_request(
                    "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
                )
            patched = json_patch(current, body)
        elif media == MERGE_PATCH:
            if not isinstance(body, dict):
                raise bad_request(
                    "json: cannot unmarshal array into Go value of type map[string]interface {}"
                )
            patched = merge_patch(current, body)
        else:
            if not isinstance(body, dict):
                raise bad_request(
                    "json: cannot unmarshal array into Go value of type map[string]interface {}"
                )
            patched = strategic_merge_patch(current, body, t.resource.kind)
    except PatchError as exc:
        raise _patch_error(exc) from exc
    return 200, commit_update(state, t, live, patched, manager=manager, dry_run=dry_run)
