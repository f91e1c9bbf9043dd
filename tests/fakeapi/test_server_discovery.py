"""Discovery, OpenAPI, health and Table output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kubernetes_asyncio import client
from kubernetes_asyncio.dynamic import DynamicClient

from tests.fakeapi.server_scenarios import GROUP, PLURAL, raw, widget, widgets

__all__ = ["widgets"]

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


async def test_version_is_a_full_version_info(api_client: client.ApiClient) -> None:
    info = await client.VersionApi(api_client).get_code()
    for field in (
        "major",
        "minor",
        "git_version",
        "git_commit",
        "git_tree_state",
        "build_date",
        "go_version",
        "compiler",
        "platform",
    ):
        assert getattr(info, field), field


async def test_core_and_group_discovery(api_client: client.ApiClient) -> None:
    status, api = await raw(api_client, "GET", "/api")
    assert status == 200
    assert api["versions"] == ["v1"]
    status, v1 = await raw(api_client, "GET", "/api/v1")
    by_name = {r["name"]: r for r in v1["resources"]}
    assert by_name["configmaps"]["shortNames"] == ["cm"]
    assert set(by_name["configmaps"]["verbs"]) >= {
        "create",
        "get",
        "list",
        "watch",
        "patch",
        "delete",
    }
    assert by_name["namespaces"]["namespaced"] is False
    assert by_name["pods/status"]["verbs"] == ["get", "patch", "update"]
    status, apis = await raw(api_client, "GET", "/apis")
    groups = {g["name"]: g for g in apis["groups"]}
    assert (
        groups["coordination.k8s.io"]["preferredVersion"]["groupVersion"]
        == "coordination.k8s.io/v1"
    )
    assert "apps" in groups
    assert "apiextensions.k8s.io" in groups
    status, _ = await raw(api_client, "GET", "/apis/no.such.group")
    assert status == 404


async def test_health_endpoints(api_client: client.ApiClient) -> None:
    for path in ("/healthz", "/readyz", "/livez"):
        resp = await api_client.call_api(
            path,
            "GET",
            auth_settings=["BearerToken"],
            _preload_content=False,
            _return_http_data_only=True,
        )
        try:
            assert resp.status == 200
            assert (await resp.text()) == "ok"
        finally:
            resp.release()


async def test_openapi_v3_lists_custom_groups(api_client: client.ApiClient, widgets: str) -> None:
    status, root = await raw(api_client, "GET", "/openapi/v3")
    assert status == 200
    entry = root["paths"][f"apis/{GROUP}/v1"]
    url = entry["serverRelativeURL"]
    assert url.startswith(f"/openapi/v3/apis/{GROUP}/v1")
    status, doc = await raw(api_client, "GET", f"/openapi/v3/apis/{GROUP}/v1")
    assert status == 200
    gvks = [s.get("x-kubernetes-group-version-kind") for s in doc["components"]["schemas"].values()]
    assert [{"group": GROUP, "version": "v1", "kind": "Widget"}] in gvks
    status, v2 = await raw(api_client, "GET", "/openapi/v2")
    assert status == 200
    assert v2["swagger"] == "2.0"


async def test_table_output_uses_printer_columns(
    api_client: client.ApiClient, namespace: str, widgets: str
) -> None:
    co: Any = client.CustomObjectsApi(api_client)
    await co.create_namespaced_custom_object(
        GROUP, "v1", namespace, PLURAL, widget("tb", namespace, size=7)
    )
    await co.patch_namespaced_custom_object_status(
        GROUP,
        "v1",
        namespace,
        PLURAL,
        "tb",
        {"status": {"conditions": [{"type": "Ready", "status": "True"}]}},
        _content_type="application/merge-patch+json",
    )
    status, table = await raw(
        api_client, "GET", f"/apis/{GROUP}/v1/namespaces/{namespace}/{PLURAL}", accept=TABLE
    )
    assert status == 200
    assert table["kind"] == "Table"
    assert table["apiVersion"] == "meta.k8s.io/v1"
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Size", "Ready", "Age"]
    row = table["rows"][0]
    assert row["cells"][:3] == ["tb", 7, "True"]
    assert row["object"]["kind"] == "PartialObjectMetadata"
    assert row["object"]["metadata"]["name"] == "tb"


async def test_table_default_columns(api_client: client.ApiClient, namespace: str) -> None:
    core: Any = client.CoreV1Api(api_client)
    await core.create_namespaced_service_account(namespace, {"metadata": {"name": "sa1"}})
    status, table = await raw(
        api_client, "GET", f"/api/v1/namespaces/{namespace}/serviceaccounts/sa1", accept=TABLE
    )
    assert status == 200
    names = [c["name"] for c in table["columnDefinitions"]]
    assert names[0] == "Name"
    assert names[-1] == "Age"
    assert table["rows"][0]["cells"][0] == "sa1"


async def test_dynamic_client_discovers_custom_kinds(
    api_client: client.ApiClient, namespace: str, widgets: str, tmp_path: Path
) -> None:
    async with DynamicClient(api_client, cache_file=str(tmp_path / "discovery.json")) as dyn:
        res = await dyn.resources.get(api_version=f"{GROUP}/v1", kind="Widget")
        await res.create(body=widget("dyn", namespace, size=3), namespace=namespace)
        got = await res.get(name="dyn", namespace=namespace)
        assert got.spec.size == 3
        cms = await dyn.resources.get(api_version="v1", kind="ConfigMap")
        assert cms.namespaced is True
