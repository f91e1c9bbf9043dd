"""Server-side apply by two managers on a custom resource with a status subresource.

A controller applies ``spec`` on the main resource, another manager applies ``status`` on
``/status``: no conflict, and managedFields record what the real server records.
"""

from __future__ import annotations

from typing import Any

import pytest_asyncio
from kubernetes_asyncio import client

from tests.fakeapi.server_scenarios import GROUP, ensure_crd, raw

APPLY = "application/apply-patch+yaml"
PLURAL = "sprockets"

_CONDITIONS = {
    "type": "array",
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["type"],
    "items": {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string"}, "status": {"type": "string"}},
    },
}
_SLOTS = {  # a map list no built-in kind has: only the CRD schema says how to track it
    "type": "array",
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["slot"],
    "items": {
        "type": "object",
        "required": ["slot"],
        "properties": {"slot": {"type": "string"}, "state": {"type": "string"}},
    },
}
_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "properties": {
                "size": {"type": "integer"},
                "mode": {"type": "string", "default": "auto"},
            },
        },
        "status": {
            "type": "object",
            "properties": {
                "phase": {"type": "string"},
                "conditions": _CONDITIONS,
                "slots": _SLOTS,
            },
        },
    },
}


def _crd() -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{PLURAL}.{GROUP}"},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {"plural": PLURAL, "singular": "sprocket", "kind": "Sprocket"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {"openAPIV3Schema": _SCHEMA},
                }
            ],
        },
    }


@pytest_asyncio.fixture
async def sprockets(api_client: client.ApiClient) -> str:
    await ensure_crd(api_client, _crd())
    return GROUP


def _sprocket(name: str, namespace: str, **parts: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/v1",
        "kind": "Sprocket",
        "metadata": {"name": name, "namespace": namespace},
        **parts,
    }


def _entries(obj: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {
        (e["manager"], e["operation"], e.get("subresource", "")): e["fieldsV1"]
        for e in obj["metadata"]["managedFields"]
    }


async def _apply(
    api: client.ApiClient, path: str, body: dict[str, Any], manager: str
) -> tuple[int, Any]:
    return await raw(
        api, "PATCH", path, body, content_type=APPLY, query=[("fieldManager", manager)]
    )


async def test_spec_and_status_appliers_do_not_conflict(
    api_client: client.ApiClient, namespace: str, sprockets: str
) -> None:
    path = f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}/s1"
    # The controller's configuration also carries status: the main resource ignores it.
    config = _sprocket("s1", namespace, spec={"size": 1}, status={"phase": "Mine"})
    status, created = await _apply(api_client, path, config, "controller")
    assert status == 201, created
    assert "status" not in created
    status_config = _sprocket(
        "s1", namespace, status={"phase": "Ready", "conditions": [{"type": "Ready"}]}
    )
    status, after = await _apply(api_client, path + "/status", status_config, "reporter")
    assert status == 200, after  # no conflict, no force
    assert after["status"] == {"phase": "Ready", "conditions": [{"type": "Ready"}]}
    status, again = await _apply(api_client, path, config, "controller")
    assert status == 200, again  # re-applying spec (and the ignored status) does not conflict
    assert again["status"]["phase"] == "Ready"
    assert again["metadata"]["resourceVersion"] == after["metadata"]["resourceVersion"]

    entries = _entries(again)
    assert set(entries) == {("controller", "Apply", ""), ("reporter", "Apply", "status")}
    assert entries[("controller", "Apply", "")] == {"f:spec": {"f:size": {}}}
    assert entries[("reporter", "Apply", "status")] == {
        "f:status": {
            "f:conditions": {'k:{"type":"Ready"}': {".": {}, "f:type": {}}},
            "f:phase": {},
        }
    }


async def test_updates_track_map_lists_by_their_keys(
    api_client: client.ApiClient, namespace: str, sprockets: str
) -> None:
    co: Any = client.CustomObjectsApi(api_client)
    await co.create_namespaced_custom_object(
        GROUP, "v1", namespace, PLURAL, _sprocket("s2", namespace, spec={"size": 1})
    )
    patched = await co.patch_namespaced_custom_object_status(
        GROUP, "v1", namespace, PLURAL, "s2",
        {"status": {"slots": [{"slot": "a", "state": "on"}]}},
        field_manager="updater",
        _content_type="application/merge-patch+json",
    )  # fmt: skip
    entries = _entries(patched)
    assert set(entries) == {("updater", "Update", "status"), ("OpenAPI-Generator", "Update", "")}
    assert entries[("updater", "Update", "status")] == {
        "f:status": {
            ".": {},
            "f:slots": {
                ".": {},
                'k:{"slot":"a"}': {".": {}, "f:slot": {}, "f:state": {}},
            },
        }
    }
