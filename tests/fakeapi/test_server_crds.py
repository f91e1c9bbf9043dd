"""CustomResourceDefinitions: serving, schema defaulting/pruning/validation, status, versions."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes_asyncio import client, watch

from tests.fakeapi.server_scenarios import (
    CLUSTER_PLURAL,
    GROUP,
    PLURAL,
    ensure_crd,
    gadget_crd,
    raw,
    status_of,
    widget,
    widgets,
)

__all__ = ["widgets"]


async def test_crd_is_established_and_discoverable(
    api_client: client.ApiClient, widgets: str
) -> None:
    crd = await client.ApiextensionsV1Api(api_client).read_custom_resource_definition(
        f"{PLURAL}.{GROUP}"
    )
    conds = {c.type: c.status for c in crd.status.conditions}
    assert conds["Established"] == "True"
    assert conds["NamesAccepted"] == "True"
    assert crd.status.accepted_names.kind == "Widget"
    assert crd.status.stored_versions == ["v1"]
    status, body = await raw(api_client, "GET", f"/apis/{GROUP}/v1")
    assert status == 200
    entry = next(r for r in body["resources"] if r["name"] == PLURAL)
    assert entry["kind"] == "Widget"
    assert entry["namespaced"] is True
    assert entry["shortNames"] == ["wd"]
    assert entry["categories"] == ["aimtest"]
    assert entry["singularName"] == "widget"
    assert any(r["name"] == f"{PLURAL}/status" for r in body["resources"])
    status, group = await raw(api_client, "GET", f"/apis/{GROUP}")
    assert status == 200
    assert group["preferredVersion"]["version"] == "v1"


async def test_defaults_pruning_and_generation(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    co: Any = client.CustomObjectsApi(api_client)
    body = widget("w1", namespace, color="red")
    body["spec"]["unknown"] = "dropped"
    obj = await co.create_namespaced_custom_object(GROUP, "v1", namespace, PLURAL, body)
    assert obj["spec"] == {"color": "red", "size": 1}
    assert obj["metadata"]["generation"] == 1
    labelled = await co.patch_namespaced_custom_object(
        GROUP,
        "v1",
        namespace,
        PLURAL,
        "w1",
        {"metadata": {"labels": {"a": "b"}}},
        _content_type="application/merge-patch+json",
    )
    assert labelled["metadata"]["generation"] == 1
    resized = await co.patch_namespaced_custom_object(
        GROUP,
        "v1",
        namespace,
        PLURAL,
        "w1",
        {"spec": {"size": 4}},
        _content_type="application/merge-patch+json",
    )
    assert resized["metadata"]["generation"] == 2
    assert int(resized["metadata"]["resourceVersion"]) > int(
        labelled["metadata"]["resourceVersion"]
    )


async def test_schema_violations_are_422(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    co: Any = client.CustomObjectsApi(api_client)
    with pytest.raises(client.ApiException) as err:
        await co.create_namespaced_custom_object(
            GROUP, "v1", namespace, PLURAL, widget("bad", namespace, size=-1, color="green")
        )
    assert err.value.status == 422
    body = status_of(err.value)
    assert body["reason"] == "Invalid"
    assert body["details"]["kind"] == "Widget"
    assert body["details"]["group"] == GROUP
    fields = sorted(c["field"] for c in body["details"]["causes"])
    assert fields == ["spec.color", "spec.size"]
    assert body["message"].startswith('Widget.example.com "bad" is invalid: ')


async def test_status_subresource_split(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    co: Any = client.CustomObjectsApi(api_client)
    body = widget("s1", namespace, size=2)
    body["status"] = {"phase": "ignored-on-create"}
    created = await co.create_namespaced_custom_object(GROUP, "v1", namespace, PLURAL, body)
    assert "status" not in created
    st = await co.patch_namespaced_custom_object_status(
        GROUP,
        "v1",
        namespace,
        PLURAL,
        "s1",
        {"status": {"phase": "Ready"}, "spec": {"size": 9}},
        _content_type="application/merge-patch+json",
    )
    assert st["status"] == {"phase": "Ready"}
    assert st["spec"]["size"] == 2
    assert st["metadata"]["generation"] == 1
    main = await co.patch_namespaced_custom_object(
        GROUP,
        "v1",
        namespace,
        PLURAL,
        "s1",
        {"status": {"phase": "Hacked"}, "spec": {"size": 3}},
        _content_type="application/merge-patch+json",
    )
    assert main["status"] == {"phase": "Ready"}
    assert main["spec"]["size"] == 3
    cur = await co.get_namespaced_custom_object_status(GROUP, "v1", namespace, PLURAL, "s1")
    cur["status"]["phase"] = "Done"
    replaced = await co.replace_namespaced_custom_object_status(
        GROUP, "v1", namespace, PLURAL, "s1", cur
    )
    assert replaced["status"]["phase"] == "Done"
    with pytest.raises(client.ApiException) as err:
        await co.replace_namespaced_custom_object_status(GROUP, "v1", namespace, PLURAL, "s1", cur)
    assert err.value.status == 409


async def test_other_version_is_served_by_apiversion_rewrite(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    co: Any = client.CustomObjectsApi(api_client)
    await co.create_namespaced_custom_object(
        GROUP, "v1", namespace, PLURAL, widget("mv", namespace, size=5)
    )
    old = await co.get_namespaced_custom_object(GROUP, "v1beta1", namespace, PLURAL, "mv")
    assert old["apiVersion"] == f"{GROUP}/v1beta1"
    assert old["spec"]["size"] == 5
    listed = await co.list_namespaced_custom_object(GROUP, "v1beta1", namespace, PLURAL)
    assert {i["apiVersion"] for i in listed["items"]} == {f"{GROUP}/v1beta1"}


async def test_strategic_merge_patch_is_415_for_custom_resources(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    co: Any = client.CustomObjectsApi(api_client)
    await co.create_namespaced_custom_object(
        GROUP, "v1", namespace, PLURAL, widget("sm", namespace)
    )
    status, body = await raw(
        api_client,
        "PATCH",
        f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}/sm",
        {"spec": {"size": 2}},
        content_type="application/strategic-merge-patch+json",
    )
    assert status == 415
    assert body["reason"] == "UnsupportedMediaType"


async def test_custom_object_needs_kind(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    status, body = await raw(
        api_client,
        "POST",
        f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}",
        {"metadata": {"name": "nokind"}},
    )
    assert status == 400
    assert body["reason"] == "BadRequest"


async def test_cluster_scoped_crd(api_client: client.ApiClient) -> None:
    await ensure_crd(api_client, gadget_crd())
    co: Any = client.CustomObjectsApi(api_client)
    name = "g-cluster-scoped"
    try:
        obj = await co.create_cluster_custom_object(
            GROUP,
            "v1",
            CLUSTER_PLURAL,
            {
                "apiVersion": f"{GROUP}/v1",
                "kind": "Gadget",
                "metadata": {"name": name},
                "x": {"y": 1},
            },
        )
        assert "namespace" not in obj["metadata"]
        assert obj["x"] == {"y": 1}
        got = await co.get_cluster_custom_object(GROUP, "v1", CLUSTER_PLURAL, name)
        assert got["metadata"]["uid"] == obj["metadata"]["uid"]
    finally:
        await co.delete_cluster_custom_object(GROUP, "v1", CLUSTER_PLURAL, name)


def _doomed_crd() -> dict[str, Any]:
    crd = gadget_crd()
    crd["metadata"]["name"] = f"dooms.{GROUP}"
    crd["spec"]["scope"] = "Namespaced"
    crd["spec"]["names"] = {"plural": "dooms", "singular": "doom", "kind": "Doom"}
    return crd


async def test_deleting_a_crd_terminates_it_then_deletes_its_objects(
    api_client: client.ApiClient, namespace: str
) -> None:
    crd = _doomed_crd()
    await ensure_crd(api_client, crd)
    path = f"/apis/{GROUP}/v1/namespaces/{namespace}/dooms"
    doom = {"apiVersion": f"{GROUP}/v1", "kind": "Doom", "metadata": {"name": "d1"}}
    status, _ = await raw(api_client, "POST", path, doom)
    assert status == 201
    name = crd["metadata"]["name"]
    status, deleted = await raw(
        api_client, "DELETE", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}"
    )
    assert status == 200
    assert deleted["kind"] == "CustomResourceDefinition"  # the object, not a Status
    assert deleted["metadata"]["finalizers"] == ["customresourcecleanup.apiextensions.k8s.io"]
    assert deleted["metadata"]["deletionTimestamp"]
    terminating = next(c for c in deleted["status"]["conditions"] if c["type"] == "Terminating")
    assert (terminating["status"], terminating["reason"]) == ("True", "InstanceDeletionPending")
    async with watch.Watch() as w:
        stream = w.stream(
            client.ApiextensionsV1Api(api_client).list_custom_resource_definition,
            field_selector=f"metadata.name={name}",
            resource_version=deleted["metadata"]["resourceVersion"],
            timeout_seconds=30,
        )
        async for event in stream:
            if event["type"] == "DELETED":
                break
        else:
            raise AssertionError("the CRD was not deleted within 30 s")
    status, _ = await raw(api_client, "GET", path)
    assert status == 404


async def test_strict_field_validation_rejects_unknown_fields(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    body = widget("strict", namespace, size=1)
    body["spec"]["bogus"] = True
    status, out = await raw(
        api_client,
        "POST",
        f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}",
        body,
        query=[("fieldValidation", "Strict")],
    )
    assert status == 400
    assert out["reason"] == "BadRequest"
    assert out["message"] == (
        'Widget in version "v1" cannot be handled as a Widget: strict decoding error: '
        'unknown field "spec.bogus"'
    )
    status, out = await raw(
        api_client,
        "POST",
        f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}",
        body,
        query=[("fieldValidation", "Ignore")],
    )
    assert status == 201
    assert out["spec"] == {"size": 1}
