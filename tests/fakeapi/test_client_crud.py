"""The Client against an API server: CRUD, error mapping, patches, apply, delete, metrics.

Written against the ``kube`` fixture so the same tests run on the fake and on a real
kube-apiserver; tests that inject faults are ``fake_only``.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from prometheus_client import CollectorRegistry

from aim_engine.client import Client, PatchType
from aim_engine.errors import (
    AlreadyExistsError,
    ConfigurationError,
    ConflictError,
    InvalidError,
    NotFoundError,
    ServerError,
    TooManyRequestsError,
    UnsupportedMediaTypeError,
)
from aim_engine.kinds import CONFIG_MAP, CRD, NAMESPACE, ResourceKind
from aim_engine.testing.pytest_plugin import TestCluster

GROUP = "clienttest.aim-engine.dev"


@pytest_asyncio.fixture
async def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest_asyncio.fixture
async def client(kube: TestCluster, registry: CollectorRegistry) -> AsyncIterator[Client]:
    async with await Client.from_kubeconfig(kube.kubeconfig_path, registry=registry) as c:
        yield c


def cm(name: str, ns: str, **data: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": "t"}},
        "data": dict(data),
    }


async def test_create_get_replace_delete(client: Client, namespace: str) -> None:
    created = await client.create(CONFIG_MAP, cm("a", namespace, k="1"))
    assert created["metadata"]["uid"]
    got = await client.get(CONFIG_MAP, "a", namespace)
    assert got["data"] == {"k": "1"}
    got["data"]["k"] = "2"
    replaced = await client.replace(CONFIG_MAP, got)
    assert replaced["data"] == {"k": "2"}
    assert int(replaced["metadata"]["resourceVersion"]) > int(got["metadata"]["resourceVersion"])
    await client.delete(CONFIG_MAP, "a", namespace)
    with pytest.raises(NotFoundError):
        await client.get(CONFIG_MAP, "a", namespace)


async def test_error_mapping(client: Client, namespace: str) -> None:
    with pytest.raises(NotFoundError):
        await client.get(CONFIG_MAP, "missing", namespace)
    with pytest.raises(NotFoundError):
        await client.delete(CONFIG_MAP, "missing", namespace)
    first = await client.create(CONFIG_MAP, cm("dup", namespace))
    with pytest.raises(AlreadyExistsError):
        await client.create(CONFIG_MAP, cm("dup", namespace))
    await client.replace(CONFIG_MAP, {**first, "data": {"x": "1"}})
    with pytest.raises(ConflictError) as stale:
        await client.replace(CONFIG_MAP, {**first, "data": {"x": "2"}})
    assert not isinstance(stale.value, AlreadyExistsError)
    with pytest.raises(InvalidError) as invalid:
        await client.create(CONFIG_MAP, cm("Not_Valid", namespace))
    assert invalid.value.status == 422
    assert any("name" in c.field for c in invalid.value.causes)


async def test_list_pagination_and_selectors(client: Client, namespace: str) -> None:
    for i in range(5):
        obj = cm(f"p{i}", namespace)
        obj["metadata"]["labels"] = {"idx": str(i), "parity": "even" if i % 2 == 0 else "odd"}
        await client.create(CONFIG_MAP, obj)
    page = await client.list(CONFIG_MAP, namespace, limit=2)
    assert len(page["items"]) == 2
    assert page["metadata"]["continue"]
    items, rv = await client.list_all(CONFIG_MAP, namespace, page_size=2)
    names = sorted(i["metadata"]["name"] for i in items if i["metadata"]["name"].startswith("p"))
    assert names == ["p0", "p1", "p2", "p3", "p4"]
    assert rv == page["metadata"]["resourceVersion"] or int(rv) > 0
    even = await client.list(CONFIG_MAP, namespace, label_selector="parity=even")
    assert sorted(i["metadata"]["name"] for i in even["items"]) == ["p0", "p2", "p4"]
    notin = await client.list(CONFIG_MAP, namespace, label_selector="idx notin (0,1,2)")
    assert sorted(i["metadata"]["name"] for i in notin["items"]) == ["p3", "p4"]
    by_name = await client.list(CONFIG_MAP, namespace, field_selector="metadata.name=p1")
    assert [i["metadata"]["name"] for i in by_name["items"]] == ["p1"]


async def test_patches(client: Client, namespace: str) -> None:
    await client.create(CONFIG_MAP, cm("m", namespace, a="1", b="2"))
    merged = await client.patch(CONFIG_MAP, "m", {"data": {"b": None, "c": "3"}}, namespace)
    assert merged["data"] == {"a": "1", "c": "3"}
    rv = merged["metadata"]["resourceVersion"]
    ops = [
        {"op": "test", "path": "/metadata/resourceVersion", "value": rv},
        {"op": "replace", "path": "/data/a", "value": "10"},
    ]
    patched = await client.patch(CONFIG_MAP, "m", ops, namespace, patch_type=PatchType.JSON)
    assert patched["data"]["a"] == "10"
    with pytest.raises((InvalidError, ConflictError)):  # the `test` op no longer holds
        await client.patch(CONFIG_MAP, "m", ops, namespace, patch_type=PatchType.JSON)
    strategic = await client.patch(
        CONFIG_MAP, "m", {"data": {"d": "4"}}, namespace, patch_type=PatchType.STRATEGIC
    )
    assert strategic["data"]["d"] == "4"
    with pytest.raises(ConfigurationError):
        await client.patch(CONFIG_MAP, "m", {"data": {}}, namespace, patch_type=PatchType.JSON)


async def test_server_side_apply_creates_then_updates(client: Client, namespace: str) -> None:
    body = cm("ssa", namespace, owned="1")
    created = await client.apply(body, field_manager="tester")
    assert created["metadata"]["name"] == "ssa"  # 201 on create still returns the object
    assert created["data"] == {"owned": "1"}
    managers = [m["manager"] for m in created["metadata"].get("managedFields", [])]
    assert "tester" in managers
    updated = await client.apply(cm("ssa", namespace, owned="2"), field_manager="tester")
    assert updated["data"] == {"owned": "2"}
    await client.patch(
        CONFIG_MAP, "ssa", {"data": {"owned": "other"}}, namespace, field_manager="someone-else"
    )
    with pytest.raises(ConflictError):
        await client.apply(cm("ssa", namespace, owned="3"), field_manager="tester", force=False)
    forced = await client.apply(cm("ssa", namespace, owned="3"), field_manager="tester")
    assert forced["data"]["owned"] == "3"


async def test_dry_run_writes_nothing(client: Client, namespace: str) -> None:
    out = await client.create(CONFIG_MAP, cm("dry", namespace), dry_run=True)
    assert out["metadata"]["name"] == "dry"
    with pytest.raises(NotFoundError):
        await client.get(CONFIG_MAP, "dry", namespace)


async def test_delete_preconditions_and_propagation(
    client: Client, kube: TestCluster, namespace: str
) -> None:
    obj = await client.create(CONFIG_MAP, cm("d", namespace))
    with pytest.raises(ConflictError):
        await client.delete(CONFIG_MAP, "d", namespace, preconditions={"uid": "not-the-uid"})
    out = await client.delete(
        CONFIG_MAP,
        "d",
        namespace,
        propagation_policy="Foreground",
        preconditions={"uid": obj["metadata"]["uid"]},
    )
    assert out is not None
    # foreground: the object stays (deletionTimestamp + foregroundDeletion finalizer) until the
    # garbage collector has removed its dependents; a bare kube-apiserver has no GC running
    assert out["metadata"]["deletionTimestamp"]
    assert "foregroundDeletion" in out["metadata"]["finalizers"]
    if kube.is_fake:
        assert await gone(client, "d", namespace)


async def gone(client: Client, name: str, namespace: str) -> bool:
    for _ in range(50):  # foreground deletion of an object without dependents is quick
        try:
            await client.get(CONFIG_MAP, name, namespace)
        except NotFoundError:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_cluster_scoped_kinds(client: Client) -> None:
    name = f"ns-{uuid.uuid4().hex[:8]}"
    await client.create(
        NAMESPACE, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    )
    got = await client.get(NAMESPACE, name)
    assert got["metadata"]["name"] == name
    await client.delete(NAMESPACE, name)


def widget_crd(plural: str = "widgets") -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{GROUP}"},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {
                "plural": plural,
                "singular": plural[:-1],
                "kind": "Widget",
                "listKind": "WidgetList",
            },
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "properties": {"size": {"type": "integer"}},
                                },
                                "status": {
                                    "type": "object",
                                    "x-kubernetes-preserve-unknown-fields": True,
                                },
                            },
                        }
                    },
                }
            ],
        },
    }


async def ensure_widget_kind(client: Client) -> ResourceKind:
    with contextlib.suppress(ConflictError):
        await client.apply(widget_crd(), field_manager="tester", kind=CRD)
    for _ in range(100):  # a real server needs a moment to serve a new CRD
        try:
            return await client.resolve_kind(f"{GROUP}/v1", "Widget")
        except NotFoundError:
            await asyncio.sleep(0.05)
    raise AssertionError("Widget kind never served")


async def test_discovery_and_status_subresource(client: Client, namespace: str) -> None:
    widget = await ensure_widget_kind(client)
    assert widget.plural == "widgets"
    assert widget.namespaced
    assert widget.has_status
    assert client.kinds.get(f"{GROUP}/v1", "Widget") == widget
    obj = {
        "apiVersion": f"{GROUP}/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "namespace": namespace},
        "spec": {"size": 1},
    }
    created = await client.apply(obj, field_manager="tester")
    assert created["metadata"]["generation"] == 1
    # the main resource ignores status; the status subresource ignores spec
    with_status = {**created, "status": {"phase": "Ignored"}}
    after_main = await client.replace(widget, with_status)
    assert "status" not in after_main or after_main["status"].get("phase") != "Ignored"
    status_obj = {**after_main, "status": {"phase": "Ready"}, "spec": {"size": 99}}
    after_status = await client.replace(widget, status_obj, subresource="status")
    assert after_status["status"]["phase"] == "Ready"
    assert after_status["spec"]["size"] == 1
    assert after_status["metadata"]["generation"] == 1
    merged = await client.patch(
        widget, "w", {"status": {"phase": "Done"}}, namespace, subresource="status"
    )
    assert merged["status"]["phase"] == "Done"
    status = await client.get(widget, "w", namespace, subresource="status")
    assert status["status"]["phase"] == "Done"
    with pytest.raises(UnsupportedMediaTypeError):
        await client.patch(
            widget, "w", {"spec": {"size": 2}}, namespace, patch_type=PatchType.STRATEGIC
        )
    with pytest.raises(NotFoundError):
        await client.resolve_kind(f"{GROUP}/v1", "Gizmo")


async def test_requests_are_counted_on_private_registry(
    client: Client, registry: CollectorRegistry, namespace: str
) -> None:
    await client.create(CONFIG_MAP, cm("metric", namespace))
    with pytest.raises(NotFoundError):
        await client.get(CONFIG_MAP, "nope", namespace)
    host = client.host.split("://", 1)[1]
    assert (
        registry.get_sample_value(
            "rest_client_requests_total", {"code": "201", "method": "POST", "host": host}
        )
        == 1.0
    )
    assert (
        registry.get_sample_value(
            "rest_client_requests_total", {"code": "404", "method": "GET", "host": host}
        )
        == 1.0
    )


@pytest.mark.fake_only
async def test_injected_faults_are_typed(client: Client, kube: TestCluster, namespace: str) -> None:
    assert kube.fake is not None
    kube.fake.faults.fail_next("get", status=429, plural="configmaps", retry_after=7)
    with pytest.raises(TooManyRequestsError) as throttled:
        await client.get(CONFIG_MAP, "x", namespace)
    assert throttled.value.retry_after == 7.0
    kube.fake.faults.fail_next("get", status=503, plural="configmaps")
    with pytest.raises(ServerError):
        await client.get(CONFIG_MAP, "x", namespace)
