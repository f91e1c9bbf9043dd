"""Deletion: finalizers, preconditions, propagation policies, namespaces, garbage collection."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes_asyncio import client

from aim_engine.testing.pytest_plugin import TestCluster
from tests.fakeapi.server_scenarios import GROUP, PLURAL, raw, status_of, widget, widgets

__all__ = ["widgets"]


async def _gone(kube: TestCluster, read: Any, *args: Any) -> bool:
    """Whether a read answers 404 once the fake's controllers are idle."""
    if kube.fake is not None:
        await kube.fake.settle()
    try:
        await read(*args)
    except client.ApiException as exc:
        if exc.status == 404:
            return True
        raise
    return False


async def test_delete_returns_200_and_object_is_gone(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    co: Any = client.CustomObjectsApi(api_client)
    await co.create_namespaced_custom_object(GROUP, "v1", namespace, PLURAL, widget("d", namespace))
    status, body = await raw(
        api_client, "DELETE", f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}/d"
    )
    assert status == 200
    assert body["kind"] == "Status"
    assert body["status"] == "Success"
    assert body["details"]["name"] == "d"
    assert body["details"]["group"] == GROUP
    assert body["details"]["kind"] == PLURAL
    status, _ = await raw(
        api_client, "DELETE", f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}/d"
    )
    assert status == 404


async def test_builtin_delete_answers_a_success_status(
    api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    cm = await core.create_namespaced_config_map(namespace, {"metadata": {"name": "bd"}})
    status, body = await raw(api_client, "DELETE", f"/api/v1/namespaces/{namespace}/configmaps/bd")
    assert status == 200
    assert body["kind"] == "Status"
    assert body["status"] == "Success"
    assert body["details"] == {"name": "bd", "kind": "configmaps", "uid": cm.metadata.uid}


async def test_finalizers_hold_the_object(
    kube: TestCluster, api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    co: Any = client.CustomObjectsApi(api_client)
    body = widget("f", namespace)
    body["metadata"]["finalizers"] = ["example.com/cleanup"]
    await co.create_namespaced_custom_object(GROUP, "v1", namespace, PLURAL, body)
    status, deleting = await raw(
        api_client, "DELETE", f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}/f"
    )
    assert status == 200
    assert deleting["metadata"]["deletionTimestamp"]
    cur = await co.get_namespaced_custom_object(GROUP, "v1", namespace, PLURAL, "f")
    assert cur["metadata"]["finalizers"] == ["example.com/cleanup"]
    with pytest.raises(client.ApiException) as err:
        await co.patch_namespaced_custom_object(
            GROUP,
            "v1",
            namespace,
            PLURAL,
            "f",
            {"metadata": {"finalizers": ["example.com/cleanup", "example.com/more"]}},
            _content_type="application/merge-patch+json",
        )
    assert err.value.status == 422
    assert (
        "no new finalizers can be added if the object is being deleted"
        in status_of(err.value)["message"]
    )
    await co.patch_namespaced_custom_object(
        GROUP,
        "v1",
        namespace,
        PLURAL,
        "f",
        {"metadata": {"finalizers": None}},
        _content_type="application/merge-patch+json",
    )
    assert await _gone(kube, co.get_namespaced_custom_object, GROUP, "v1", namespace, PLURAL, "f")


async def test_delete_preconditions(api_client: client.ApiClient, namespace: str) -> None:
    core: Any = client.CoreV1Api(api_client)
    cm = await core.create_namespaced_config_map(namespace, {"metadata": {"name": "pre"}})
    with pytest.raises(client.ApiException) as err:
        await core.delete_namespaced_config_map(
            "pre",
            namespace,
            body={"preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}},
        )
    assert err.value.status == 409
    assert status_of(err.value)["message"].startswith(
        'Operation cannot be fulfilled on ConfigMap "pre": the UID in the precondition '
        "(00000000-0000-0000-0000-000000000000) does not match the UID in record"
    )
    with pytest.raises(client.ApiException) as err:
        await core.delete_namespaced_config_map(
            "pre", namespace, body={"preconditions": {"resourceVersion": "1"}}
        )
    assert err.value.status == 409
    await core.delete_namespaced_config_map(
        "pre",
        namespace,
        body={
            "preconditions": {
                "uid": cm.metadata.uid,
                "resourceVersion": cm.metadata.resource_version,
            }
        },
    )


def _owner_ref(owner: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "name": owner.metadata.name,
        "uid": owner.metadata.uid,
    }


@pytest.mark.fake_only
async def test_background_gc_deletes_dependents(
    kube: TestCluster, api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    owner = await core.create_namespaced_config_map(namespace, {"metadata": {"name": "owner"}})
    await core.create_namespaced_config_map(
        namespace, {"metadata": {"name": "child", "ownerReferences": [_owner_ref(owner)]}}
    )
    await core.delete_namespaced_config_map("owner", namespace)
    assert await _gone(kube, core.read_namespaced_config_map, "child", namespace)


@pytest.mark.fake_only
async def test_orphan_keeps_dependents_without_the_reference(
    kube: TestCluster, api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    owner = await core.create_namespaced_config_map(namespace, {"metadata": {"name": "o"}})
    await core.create_namespaced_config_map(
        namespace, {"metadata": {"name": "kept", "ownerReferences": [_owner_ref(owner)]}}
    )
    await core.delete_namespaced_config_map("o", namespace, propagation_policy="Orphan")
    assert await _gone(kube, core.read_namespaced_config_map, "o", namespace)
    kept = await core.read_namespaced_config_map("kept", namespace)
    assert not kept.metadata.owner_references


@pytest.mark.fake_only
async def test_foreground_deletes_dependents_first(
    kube: TestCluster, api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    owner = await core.create_namespaced_config_map(namespace, {"metadata": {"name": "fg"}})
    ref = dict(_owner_ref(owner), blockOwnerDeletion=True)
    await core.create_namespaced_config_map(
        namespace,
        {
            "metadata": {
                "name": "fg-child",
                "ownerReferences": [ref],
                "finalizers": ["example.com/hold"],
            }
        },
    )
    status, body = await raw(
        api_client,
        "DELETE",
        f"/api/v1/namespaces/{namespace}/configmaps/fg",
        {"propagationPolicy": "Foreground"},
    )
    assert status == 200
    assert "foregroundDeletion" in body["metadata"]["finalizers"]
    assert kube.fake is not None
    await kube.fake.settle()
    child = await core.read_namespaced_config_map("fg-child", namespace)
    assert child.metadata.deletion_timestamp
    still = await core.read_namespaced_config_map("fg", namespace)
    assert still.metadata.deletion_timestamp
    await core.patch_namespaced_config_map(
        "fg-child", namespace, {"metadata": {"finalizers": None}}
    )
    assert await _gone(kube, core.read_namespaced_config_map, "fg", namespace)


async def test_delete_collection(api_client: client.ApiClient, namespace: str) -> None:
    core: Any = client.CoreV1Api(api_client)
    for name, labels in [("x1", {"g": "a"}), ("x2", {"g": "a"}), ("x3", {"g": "b"})]:
        await core.create_namespaced_config_map(
            namespace, {"metadata": {"name": name, "labels": labels}}
        )
    await core.delete_collection_namespaced_config_map(namespace, label_selector="g=a")
    left = await core.list_namespaced_config_map(namespace, label_selector="g")
    assert [i.metadata.name for i in left.items] == ["x3"]


@pytest.mark.fake_only
async def test_namespace_deletion_terminates_and_empties(
    kube: TestCluster, api_client: client.ApiClient
) -> None:
    core: Any = client.CoreV1Api(api_client)
    ns = await core.create_namespace({"metadata": {"name": "doomed-ns-test"}})
    assert ns.status.phase == "Active"
    assert ns.metadata.labels["kubernetes.io/metadata.name"] == "doomed-ns-test"
    await core.create_namespaced_config_map("doomed-ns-test", {"metadata": {"name": "inside"}})
    status, deleted = await raw(api_client, "DELETE", "/api/v1/namespaces/doomed-ns-test")
    assert status == 200
    assert deleted["status"]["phase"] == "Terminating"
    assert deleted["metadata"]["deletionTimestamp"]
    assert await _gone(kube, core.read_namespaced_config_map, "inside", "doomed-ns-test")
    assert await _gone(kube, core.read_namespace, "doomed-ns-test")


@pytest.mark.fake_only
async def test_create_in_terminating_namespace_is_forbidden(
    kube: TestCluster, api_client: client.ApiClient
) -> None:
    core: Any = client.CoreV1Api(api_client)
    await core.create_namespace({"metadata": {"name": "term-ns-test"}})
    held = {"metadata": {"name": "held", "finalizers": ["example.com/hold"]}}
    await core.create_namespaced_config_map("term-ns-test", held)
    await core.delete_namespace("term-ns-test")
    with pytest.raises(client.ApiException) as err:
        await core.create_namespaced_config_map("term-ns-test", {"metadata": {"name": "late"}})
    assert err.value.status == 403
    assert "because it is being terminated" in status_of(err.value)["message"]
    await core.patch_namespaced_config_map(
        "held", "term-ns-test", {"metadata": {"finalizers": None}}
    )
    assert await _gone(kube, core.read_namespace, "term-ns-test")
