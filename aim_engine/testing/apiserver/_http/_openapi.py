"""OpenAPI documents, enough for ``kubectl apply`` (client-side and ``--server-side``).

kubectl reads ``/openapi/v3`` to find each group/version document, then looks in it for the
schema of the kind (by ``x-kubernetes-group-version-kind``) and for the ``fieldValidation``
parameter on the PATCH operation (if present, it leaves validation to the server). The documents
here carry one schema per served kind (a CRD's ``openAPIV3Schema``, or an open object schema for
built-ins) and one path per resource with the usual query parameters. ``/openapi/v2`` has the same
definitions in Swagger 2.0 form.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from aim_engine.testing.apiserver._storage._resource_table import ResourceTable, ServedResource

__all__ = ["definition_name", "v2_document", "v3_document", "v3_root"]

_QUERY_PARAMS = ("dryRun", "fieldManager", "fieldValidation", "force", "pretty")
_OBJECT_META: dict[str, Any] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def definition_name(res: ServedResource, version: str) -> str:
    """The OpenAPI definition name of a kind.

    ``io.k8s.api.core.v1.ConfigMap`` for built-ins, ``com.example.v1.Widget`` for custom kinds.
    """
    if res.builtin:
        group = res.group.split(".")[0] if res.group else "core"
        prefix = (
            "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions"
            if group == "apiextensions"
            else f"io.k8s.api.{group}"
        )
        return f"{prefix}.{version}.{res.kind}"
    return ".".join([*reversed(res.group.split(".")), version, res.kind])


def _schema(res: ServedResource, version: str) -> dict[str, Any]:
    served = res.versions.get(version)
    raw: Mapping[str, Any] | None = served.openapi_schema if served else None
    if raw:
        schema: dict[str, Any] = json.loads(json.dumps(raw))
        props = schema.setdefault("properties", {})
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        props["metadata"] = dict(_OBJECT_META)
        schema.setdefault("type", "object")
    else:
        schema = {
            "type": "object",
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "metadata": dict(_OBJECT_META),
            },
            "x-kubernetes-preserve-unknown-fields": True,
        }
    schema["x-kubernetes-group-version-kind"] = [
        {"group": res.group, "version": version, "kind": res.kind}
    ]
    return schema


def _params() -> list[dict[str, Any]]:
    return [
        {"name": p, "in": "query", "schema": {"type": "string"}, "uniqueItems": True}
        for p in _QUERY_PARAMS
    ]


def _paths(res: ServedResource, version: str, ref: str) -> dict[str, Any]:
    base = f"/apis/{res.group}/{version}" if res.group else f"/api/{version}"
    coll = (
        f"{base}/namespaces/{{namespace}}/{res.plural}"
        if res.namespaced
        else f"{base}/{res.plural}"
    )
    body = {"content": {"application/json": {"schema": {"$ref": ref}}}}
    ok = {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": ref}}}}}
    gvk = {"group": res.group, "version": version, "kind": res.kind}
    op = {"parameters": _params(), "responses": ok, "x-kubernetes-group-version-kind": gvk}
    patch_body = {
        "content": {
            ct: {"schema": {"type": "object"}}
            for ct in (
                "application/apply-patch+yaml",
                "application/json-patch+json",
                "application/merge-patch+json",
                "application/strategic-merge-patch+json",
            )
        }
    }
    paths = {
        coll: {
            "get": dict(op, **{"x-kubernetes-action": "list"}),
            "post": dict(op, requestBody=body, **{"x-kubernetes-action": "post"}),
        },
        f"{coll}/{{name}}": {
            "get": dict(op, **{"x-kubernetes-action": "get"}),
            "put": dict(op, requestBody=body, **{"x-kubernetes-action": "put"}),
            "patch": dict(op, requestBody=patch_body, **{"x-kubernetes-action": "patch"}),
            "delete": dict(op, **{"x-kubernetes-action": "delete"}),
        },
    }
    if res.has_status(version):
        paths[f"{coll}/{{name}}/status"] = {
            "get": dict(op, **{"x-kubernetes-action": "get"}),
            "put": dict(op, requestBody=body, **{"x-kubernetes-action": "put"}),
            "patch": dict(op, requestBody=patch_body, **{"x-kubernetes-action": "patch"}),
        }
    return paths


def v3_document(table: ResourceTable, group: str, version: str) -> dict[str, Any] | None:
    """``/openapi/v3/apis/<group>/<version>`` (or ``api/v1``), ``None`` if not served."""
    resources = table.in_group_version(group, version)
    if not resources:
        return None
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for res in resources:
        name = definition_name(res, version)
        schemas[name] = _schema(res, version)
        paths.update(_paths(res, version, f"#/components/schemas/{name}"))
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.34.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def v3_root(table: ResourceTable) -> dict[str, Any]:
    """``/openapi/v3``: where each group/version document lives (with a content hash)."""
    paths: dict[str, Any] = {}
    for group, versions in sorted(table.groups().items()):
        for version in versions:
            doc = v3_document(table, group, version)
            digest = (
                hashlib.sha512(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32].upper()
            )
            path = _gv_path(group, version)
            paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": paths}


def v2_document(table: ResourceTable) -> dict[str, Any]:
    """``/openapi/v2`` with every served kind's definition."""
    definitions: dict[str, Any] = {}
    for res in table:
        for version in res.served_versions():
            definitions[definition_name(res, version)] = _schema(res, version)
    return {
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": "v1.34.0"},
        "paths": {},
        "definitions": definitions,
    }
