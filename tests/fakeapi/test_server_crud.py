"""CRUD on built-in kinds: metadata, resourceVersion, conflicts, errors, lists and selectors."""

from __future__ import annotations

import re
from typing import Any

import pytest
from kubernetes_asyncio import client

from tests.fakeapi.server_scenarios import raw, status_of


async def test_create_sets_system_metadata(api_client: client.ApiClient, namespace: str) -> None:
    core: Any = client.CoreV1Api(api_client)
    cm = await core.create_namespaced_config_map(
        namespace, {"metadata": {"name": "a", "labels": {"app": "x"}}, "data": {"k": "v"}}
    )
    md = cm.metadata
    assert md.uid
    assert md.namespace == namespace
    assert md.name == "a"
    assert int(md.resource_version) > 0
    status, body = await raw(api_client, "GET", f"/api/v1/namespaces/{namespace}/configmaps/a")
    assert status == 200
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["metadata"]["creationTimestamp"])
    assert body["apiVersion"] == "v1"
    assert body["kind"] == "ConfigMap"
    assert body["data"] == {"k": "v"}


async def test_create_returns_201_and_duplicate_is_already_exists(
    api_client: client.ApiClient, namespace: str
) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    status, _ = await raw(api_client, "POST", path, {"metadata": {"name": "dup"}})
    assert status == 201
    status, body = await raw(api_client, "POST", path, {"metadata": {"name": "dup"}})
    assert status == 409
    assert body == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'configmaps "dup" already exists',
        "reason": "AlreadyExists",
        "details": {"name": "dup", "kind": "configmaps"},
        "code": 409,
    }


async def test_not_found_body(api_client: client.ApiClient, namespace: str) -> None:
    with pytest.raises(client.ApiException) as err:
        await client.CoordinationV1Api(api_client).read_namespaced_lease("nope", namespace)
    assert err.value.status == 404
    body = status_of(err.value)
    assert body["message"] == 'leases.coordination.k8s.io "nope" not found'
    assert body["reason"] == "NotFound"
    assert body["details"] == {"name": "nope", "group": "coordination.k8s.io", "kind": "leases"}


async def test_namespace_must_exist(api_client: client.ApiClient) -> None:
    core: Any = client.CoreV1Api(api_client)
    with pytest.raises(client.ApiException) as err:
        await core.create_namespaced_config_map("does-not-exist-ns", {"metadata": {"name": "a"}})
    assert err.value.status == 404
    assert status_of(err.value)["message"] == 'namespaces "does-not-exist-ns" not found'


async def test_invalid_name_is_422_naming_the_field(
    api_client: client.ApiClient, namespace: str
) -> None:
    status, body = await raw(
        api_client,
        "POST",
        f"/api/v1/namespaces/{namespace}/configmaps",
        {"metadata": {"name": "Bad_Name"}},
    )
    assert status == 422
    assert body["reason"] == "Invalid"
    assert body["details"]["kind"] == "ConfigMap"
    assert body["details"]["causes"][0]["field"] == "metadata.name"
    assert body["message"].startswith(
        'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"'
    )


async def test_bad_label_value_is_422(api_client: client.ApiClient, namespace: str) -> None:
    status, body = await raw(
        api_client,
        "POST",
        f"/api/v1/namespaces/{namespace}/configmaps",
        {"metadata": {"name": "l", "labels": {"app": "not ok"}}},
    )
    assert status == 422
    assert body["details"]["causes"][0]["field"] == "metadata.labels"


async def test_missing_name_and_generate_name(api_client: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    status, body = await raw(api_client, "POST", path, {"metadata": {}})
    assert status == 422
    assert body["details"]["causes"][0] == {
        "reason": "FieldValueRequired",
        "message": "Required value: name or generateName is required",
        "field": "metadata.name",
    }
    status, body = await raw(api_client, "POST", path, {"metadata": {"generateName": "gen-"}})
    assert status == 201
    assert re.fullmatch(r"gen-[a-z0-9]{5}", body["metadata"]["name"])


async def test_stale_resource_version_conflicts(
    api_client: client.ApiClient, namespace: str
) -> None:
    coord: Any = client.CoordinationV1Api(api_client)
    lease = await coord.create_namespaced_lease(
        namespace, {"metadata": {"name": "l1"}, "spec": {"holderIdentity": "a"}}
    )
    fresh = await coord.read_namespaced_lease("l1", namespace)
    fresh.spec.holder_identity = "b"
    await coord.replace_namespaced_lease("l1", namespace, fresh)
    lease.spec.holder_identity = "c"
    with pytest.raises(client.ApiException) as err:
        await coord.replace_namespaced_lease("l1", namespace, lease)
    assert err.value.status == 409
    body = status_of(err.value)
    assert body["reason"] == "Conflict"
    assert body["message"] == (
        'Operation cannot be fulfilled on leases.coordination.k8s.io "l1": the object has been '
        "modified; please apply your changes to the latest version and try again"
    )


async def test_noop_update_keeps_resource_version(
    api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    cm = await core.create_namespaced_config_map(
        namespace, {"metadata": {"name": "n"}, "data": {"a": "1"}}
    )
    same = await core.replace_namespaced_config_map("n", namespace, cm)
    assert same.metadata.resource_version == cm.metadata.resource_version
    cm.data = {"a": "2"}
    changed = await core.replace_namespaced_config_map("n", namespace, cm)
    assert int(changed.metadata.resource_version) > int(cm.metadata.resource_version)


async def test_resource_versions_increase_across_kinds(
    api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    a = await core.create_namespaced_config_map(namespace, {"metadata": {"name": "a"}})
    s = await core.create_namespaced_secret(namespace, {"metadata": {"name": "s"}})
    b = await core.create_namespaced_config_map(namespace, {"metadata": {"name": "b"}})
    rvs = [int(o.metadata.resource_version) for o in (a, s, b)]
    assert rvs == sorted(rvs)
    assert len(set(rvs)) == 3
    assert s.type == "Opaque"


async def test_label_selectors(api_client: client.ApiClient, namespace: str) -> None:
    core: Any = client.CoreV1Api(api_client)
    for name, labels in [
        ("a", {"app": "x", "tier": "web"}),
        ("b", {"app": "y", "tier": "db"}),
        ("c", {"app": "x"}),
    ]:
        await core.create_namespaced_config_map(
            namespace, {"metadata": {"name": name, "labels": labels}}
        )

    async def names(selector: str) -> list[str]:
        result = await core.list_namespaced_config_map(namespace, label_selector=selector)
        return sorted(
            i.metadata.name for i in result.items if i.metadata.name != "kube-root-ca.crt"
        )

    assert await names("app=x") == ["a", "c"]
    assert await names("app==y") == ["b"]
    assert await names("app!=x") == ["b"]
    assert await names("tier in (web,db)") == ["a", "b"]
    assert await names("tier notin (web)") == ["b", "c"]
    assert await names("tier") == ["a", "b"]
    assert await names("!tier") == ["c"]
    assert await names("app=x,tier") == ["a"]
    with pytest.raises(client.ApiException) as err:
        await names("app in x")
    assert err.value.status == 400


async def test_field_selectors(api_client: client.ApiClient, namespace: str) -> None:
    core: Any = client.CoreV1Api(api_client)
    for name in ("f1", "f2"):
        await core.create_namespaced_config_map(namespace, {"metadata": {"name": name}})
    got = await core.list_namespaced_config_map(namespace, field_selector="metadata.name=f2")
    assert [i.metadata.name for i in got.items] == ["f2"]
    everywhere = await core.list_config_map_for_all_namespaces(
        field_selector=f"metadata.namespace={namespace},metadata.name!=f2"
    )
    assert "f1" in [i.metadata.name for i in everywhere.items]
    assert "f2" not in [i.metadata.name for i in everywhere.items]
    with pytest.raises(client.ApiException) as err:
        await core.list_namespaced_config_map(namespace, field_selector="data.x=1")
    assert err.value.status == 400


async def test_pagination(api_client: client.ApiClient, namespace: str) -> None:
    core: Any = client.CoreV1Api(api_client)
    for i in range(5):
        await core.create_namespaced_config_map(
            namespace, {"metadata": {"name": f"p{i}", "labels": {"p": "1"}}}
        )
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = await core.list_namespaced_config_map(
            namespace, label_selector="p=1", limit=2, _continue=token
        )
        pages += 1
        seen += [i.metadata.name for i in page.items]
        token = page.metadata._continue
        if not token:
            break
        assert page.metadata.remaining_item_count is None  # only set for unfiltered lists
    assert pages == 3
    assert seen == [f"p{i}" for i in range(5)]


async def test_list_metadata_and_all_namespaces(
    api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    await core.create_namespaced_config_map(namespace, {"metadata": {"name": "one"}})
    status, body = await raw(api_client, "GET", f"/api/v1/namespaces/{namespace}/configmaps")
    assert status == 200
    assert body["kind"] == "ConfigMapList"
    assert body["apiVersion"] == "v1"
    assert int(body["metadata"]["resourceVersion"]) >= 1
    all_ns = await core.list_config_map_for_all_namespaces()
    assert any(i.metadata.name == "one" and i.metadata.namespace == namespace for i in all_ns.items)


async def test_unknown_resource_is_404(api_client: client.ApiClient) -> None:
    status, body = await raw(api_client, "GET", "/apis/nope.example.com/v1/things")
    assert status == 404
    assert body == "404 page not found\n"
    status, body = await raw(api_client, "GET", "/api/v1/things")
    assert status == 404
    assert body["reason"] == "NotFound"
    assert body["message"] == "the server could not find the requested resource"


async def test_continue_and_exact_lists_are_snapshots(
    api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    for i in range(4):
        await core.create_namespaced_config_map(
            namespace, {"metadata": {"name": f"s{i}"}, "data": {"v": "old"}}
        )
    first = await core.list_namespaced_config_map(namespace, limit=2)
    assert [i.metadata.name for i in first.items][:2] == ["s0", "s1"]
    snapshot_rv = first.metadata.resource_version
    await core.patch_namespaced_config_map("s2", namespace, {"data": {"v": "new"}})
    await core.delete_namespaced_config_map("s3", namespace)
    await core.create_namespaced_config_map(namespace, {"metadata": {"name": "s4"}})
    rest = await core.list_namespaced_config_map(
        namespace, limit=10, _continue=first.metadata._continue
    )
    assert rest.metadata.resource_version == snapshot_rv
    names = [i.metadata.name for i in rest.items if i.metadata.name.startswith("s")]
    assert names == ["s2", "s3"]
    assert rest.items[0].data == {"v": "old"}
    exact = await core.list_namespaced_config_map(
        namespace, resource_version=snapshot_rv, resource_version_match="Exact"
    )
    assert exact.metadata.resource_version == snapshot_rv
    assert [i.metadata.name for i in exact.items if i.metadata.name.startswith("s")] == [
        "s0",
        "s1",
        "s2",
        "s3",
    ]
    now = await core.list_namespaced_config_map(namespace)
    assert [i.metadata.name for i in now.items if i.metadata.name.startswith("s")] == [
        "s0",
        "s1",
        "s2",
        "s4",
    ]


async def test_wrongly_typed_metadata_is_400(api_client: client.ApiClient, namespace: str) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    for metadata in (
        {"name": 5},
        {"name": "a", "labels": {"x": 1}},
        {"name": "b", "finalizers": "x"},
    ):
        status, body = await raw(api_client, "POST", path, {"metadata": metadata})
        assert status == 400
        assert body["reason"] == "BadRequest"
        assert "json: cannot unmarshal" in body["message"]
