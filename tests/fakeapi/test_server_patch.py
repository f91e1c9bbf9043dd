"""PATCH: merge, JSON patch, strategic merge, server-side apply, dryRun."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from kubernetes_asyncio import client

from aim_engine.testing.pytest_plugin import TestCluster
from tests.fakeapi.server_scenarios import GROUP, PLURAL, raw, widget, widgets

__all__ = ["widgets"]

APPLY = "application/apply-patch+yaml"


async def test_merge_patch_removes_with_null_and_checks_resource_version(
    api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    cm = await core.create_namespaced_config_map(
        namespace, {"metadata": {"name": "m"}, "data": {"a": "1", "b": "2"}}
    )
    path = f"/api/v1/namespaces/{namespace}/configmaps/m"
    status, body = await raw(
        api_client,
        "PATCH",
        path,
        {"data": {"b": None, "c": "3"}},
        content_type="application/merge-patch+json",
    )
    assert status == 200
    assert body["data"] == {"a": "1", "c": "3"}
    status, body = await raw(
        api_client,
        "PATCH",
        path,
        {"metadata": {"resourceVersion": cm.metadata.resource_version}, "data": {"d": "4"}},
        content_type="application/merge-patch+json",
    )
    assert status == 409
    assert body["reason"] == "Conflict"


async def test_json_patch_and_failed_test_op(api_client: client.ApiClient, namespace: str) -> None:
    core: Any = client.CoreV1Api(api_client)
    await core.create_namespaced_config_map(
        namespace, {"metadata": {"name": "j"}, "data": {"a": "1"}}
    )
    patched = await core.patch_namespaced_config_map(
        "j",
        namespace,
        [
            {"op": "test", "path": "/data/a", "value": "1"},
            {"op": "replace", "path": "/data/a", "value": "10"},
        ],
    )
    assert patched.data == {"a": "10"}
    with pytest.raises(client.ApiException) as err:
        await core.patch_namespaced_config_map(
            "j", namespace, [{"op": "test", "path": "/data/a", "value": "1"}]
        )
    assert err.value.status == 422
    status, _ = await raw(
        api_client,
        "PATCH",
        f"/api/v1/namespaces/{namespace}/configmaps/j",
        {"data": {}},
        content_type="application/json-patch+json",
    )
    assert status == 400


async def test_strategic_merge_patch_on_builtin(
    api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    await core.create_namespaced_config_map(
        namespace, {"metadata": {"name": "s", "labels": {"a": "1"}}, "data": {"k": "v"}}
    )
    patched = await core.patch_namespaced_config_map(
        "s",
        namespace,
        {"metadata": {"labels": {"b": "2"}}, "data": {"k2": "v2"}},
        _content_type="application/strategic-merge-patch+json",
    )
    assert patched.metadata.labels == {"a": "1", "b": "2"}
    assert patched.data == {"k": "v", "k2": "v2"}


async def test_apply_creates_with_201_then_updates(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    path = f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}/ap"
    q = [("fieldManager", "op-a")]
    status, body = await raw(
        api_client, "PATCH", path, widget("ap", namespace, size=2), content_type=APPLY, query=q
    )
    assert status == 201
    assert body["spec"]["size"] == 2
    managers = [(e["manager"], e["operation"]) for e in body["metadata"]["managedFields"]]
    assert managers == [("op-a", "Apply")]
    status, body = await raw(
        api_client, "PATCH", path, widget("ap", namespace, size=3), content_type=APPLY, query=q
    )
    assert status == 200
    assert body["spec"]["size"] == 3
    assert body["metadata"]["generation"] == 2


async def test_apply_conflict_and_force(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    path = f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}/c"
    await raw(
        api_client,
        "PATCH",
        path,
        widget("c", namespace, size=2),
        content_type=APPLY,
        query=[("fieldManager", "one")],
    )
    status, body = await raw(
        api_client,
        "PATCH",
        path,
        widget("c", namespace, size=5),
        content_type=APPLY,
        query=[("fieldManager", "two")],
    )
    assert status == 409
    assert body["reason"] == "Conflict"
    assert "one" in body["message"]
    assert ".spec.size" in body["message"]
    status, body = await raw(
        api_client,
        "PATCH",
        path,
        widget("c", namespace, size=5),
        content_type=APPLY,
        query=[("fieldManager", "two"), ("force", "true")],
    )
    assert status == 200
    assert body["spec"]["size"] == 5


async def test_apply_removes_fields_the_manager_stops_applying(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    path = f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}/r"
    q = [("fieldManager", "op")]
    await raw(
        api_client,
        "PATCH",
        path,
        widget("r", namespace, size=2, color="red"),
        content_type=APPLY,
        query=q,
    )
    status, body = await raw(
        api_client, "PATCH", path, widget("r", namespace, size=2), content_type=APPLY, query=q
    )
    assert status == 200
    assert "color" not in body["spec"]


async def test_apply_requires_field_manager(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    status, body = await raw(
        api_client,
        "PATCH",
        f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}/nf",
        widget("nf", namespace),
        content_type=APPLY,
    )
    assert status == 422
    assert body["reason"] == "Invalid"
    assert "fieldManager" in body["message"]


async def test_apply_status_subresource(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    co: Any = client.CustomObjectsApi(api_client)
    await co.create_namespaced_custom_object(
        GROUP, "v1", namespace, PLURAL, widget("as", namespace)
    )
    body = {
        "apiVersion": f"{GROUP}/v1",
        "kind": "Widget",
        "metadata": {"name": "as", "namespace": namespace},
        "status": {"phase": "Ready"},
    }
    status, out = await raw(
        api_client,
        "PATCH",
        f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}/as/status",
        body,
        content_type=APPLY,
        query=[("fieldManager", "st"), ("force", "true")],
    )
    assert status == 200
    assert out["status"] == {"phase": "Ready"}
    assert out["metadata"]["generation"] == 1
    entry = next(e for e in out["metadata"]["managedFields"] if e["manager"] == "st")
    assert entry["subresource"] == "status"


@pytest.mark.fake_only
async def test_apply_with_a_yaml_body(kube: TestCluster, namespace: str) -> None:
    assert kube.fake is not None
    url = f"{kube.fake.url}/api/v1/namespaces/{namespace}/configmaps/y?fieldManager=yaml-op"
    headers = {"Content-Type": APPLY, "Authorization": f"Bearer {kube.fake.token}"}
    body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  k: v\n"
    async with (
        aiohttp.ClientSession() as session,
        session.patch(url, data=body, headers=headers) as resp,
    ):
        assert resp.status == 201
        assert (await resp.json())["data"] == {"k": "v"}


async def test_dry_run_does_not_persist(api_client: client.ApiClient, namespace: str) -> None:
    core: Any = client.CoreV1Api(api_client)
    await core.create_namespaced_config_map(namespace, {"metadata": {"name": "dry"}}, dry_run="All")
    with pytest.raises(client.ApiException) as err:
        await core.read_namespaced_config_map("dry", namespace)
    assert err.value.status == 404
    await core.create_namespaced_config_map(
        namespace, {"metadata": {"name": "dry"}, "data": {"a": "1"}}
    )
    await core.patch_namespaced_config_map("dry", namespace, {"data": {"a": "2"}}, dry_run="All")
    assert (await core.read_namespaced_config_map("dry", namespace)).data == {"a": "1"}


async def test_update_records_managed_fields(api_client: client.ApiClient, namespace: str) -> None:
    core: Any = client.CoreV1Api(api_client)
    cm = await core.create_namespaced_config_map(
        namespace, {"metadata": {"name": "mf"}, "data": {"a": "1"}}, field_manager="creator"
    )
    entries = [(e.manager, e.operation) for e in cm.metadata.managed_fields]
    assert entries == [("creator", "Update")]
    _, body = await raw(api_client, "GET", f"/api/v1/namespaces/{namespace}/configmaps/mf")
    assert json.dumps(body["metadata"]["managedFields"][0]["fieldsV1"]).count("f:a") == 1
