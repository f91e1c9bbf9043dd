"""Watches: replay from a resourceVersion, initial events, selectors, bookmarks, timeouts, 410."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kubernetes_asyncio import client, config, watch

from aim_engine.testing.apiserver import FakeApiServer
from aim_engine.testing.pytest_plugin import TestCluster
from tests.fakeapi.server_scenarios import collect_events, drain_watch


def _summary(events: list[Any]) -> list[tuple[str, str]]:
    return [(e["type"], e["raw_object"]["metadata"].get("name", "")) for e in events]


async def test_watch_replays_changes_after_resource_version(
    api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    start = (await core.list_namespaced_config_map(namespace)).metadata.resource_version
    cm = await core.create_namespaced_config_map(
        namespace, {"metadata": {"name": "w"}, "data": {"a": "1"}}
    )
    cm.data = {"a": "2"}
    await core.replace_namespaced_config_map("w", namespace, cm)
    await core.delete_namespaced_config_map("w", namespace)
    async with watch.Watch() as w:
        stream = w.stream(
            core.list_namespaced_config_map, namespace, resource_version=start, timeout_seconds=5
        )
        events = await collect_events(stream, 3)
    assert _summary(events) == [("ADDED", "w"), ("MODIFIED", "w"), ("DELETED", "w")]
    assert events[1]["raw_object"]["data"] == {"a": "2"}
    rvs = [int(e["raw_object"]["metadata"]["resourceVersion"]) for e in events]
    assert rvs == sorted(rvs)
    assert rvs[0] > int(start)


async def test_watch_without_resource_version_starts_with_current_objects(
    api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    for name in ("i1", "i2"):
        await core.create_namespaced_config_map(
            namespace, {"metadata": {"name": name, "labels": {"w": "1"}}}
        )
    async with watch.Watch() as w:
        stream = w.stream(
            core.list_namespaced_config_map, namespace, label_selector="w=1", timeout_seconds=5
        )
        events = await collect_events(stream, 2)
    assert sorted(_summary(events)) == [("ADDED", "i1"), ("ADDED", "i2")]


async def test_selector_transitions_become_added_and_deleted(
    api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    start = (await core.list_namespaced_config_map(namespace)).metadata.resource_version
    await core.create_namespaced_config_map(
        namespace, {"metadata": {"name": "t", "labels": {"sel": "no"}}}
    )
    await core.patch_namespaced_config_map("t", namespace, {"metadata": {"labels": {"sel": "yes"}}})
    await core.patch_namespaced_config_map("t", namespace, {"data": {"x": "1"}})
    await core.patch_namespaced_config_map("t", namespace, {"metadata": {"labels": {"sel": "no"}}})
    async with watch.Watch() as w:
        stream = w.stream(
            core.list_namespaced_config_map,
            namespace,
            label_selector="sel=yes",
            resource_version=start,
            timeout_seconds=5,
        )
        events = await collect_events(stream, 3)
    assert _summary(events) == [("ADDED", "t"), ("MODIFIED", "t"), ("DELETED", "t")]


async def test_watch_all_namespaces(api_client: client.ApiClient, namespace: str) -> None:
    core: Any = client.CoreV1Api(api_client)
    start = (await core.list_config_map_for_all_namespaces()).metadata.resource_version
    await core.create_namespaced_config_map(namespace, {"metadata": {"name": "everywhere"}})
    async with watch.Watch() as w:
        stream = w.stream(
            core.list_config_map_for_all_namespaces,
            resource_version=start,
            field_selector=f"metadata.namespace={namespace}",
            timeout_seconds=5,
        )
        events = await collect_events(stream, 1)
    assert _summary(events) == [("ADDED", "everywhere")]
    assert events[0]["raw_object"]["metadata"]["namespace"] == namespace


async def test_timeout_seconds_ends_the_stream(
    api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    rv = (await core.list_namespaced_config_map(namespace)).metadata.resource_version
    async with watch.Watch() as w:
        events = [
            e
            async for e in w.stream(
                core.list_namespaced_config_map, namespace, resource_version=rv, timeout_seconds=1
            )
        ]
    assert [e for e in events if e["type"] != "BOOKMARK"] == []


async def _fake_client(server: FakeApiServer, path: Path) -> client.ApiClient:
    server.write_kubeconfig(path)
    cfg = client.Configuration()
    await config.load_kube_config(config_file=str(path), client_configuration=cfg)
    return client.ApiClient(cfg)


@pytest.mark.fake_only
async def test_bookmarks_carry_the_resource_version(tmp_path: Path) -> None:
    async with (
        FakeApiServer(bookmark_interval=0.01) as server,
        await _fake_client(server, tmp_path / "kc") as api,
    ):
        core: Any = client.CoreV1Api(api)
        await core.create_namespaced_config_map("default", {"metadata": {"name": "b"}})
        async with watch.Watch() as w:
            stream = w.stream(
                core.list_namespaced_config_map,
                "default",
                allow_watch_bookmarks=True,
                timeout_seconds=5,
            )
            events = await collect_events(stream, 2)
            assert events[0]["type"] == "ADDED"
            assert events[1]["type"] == "BOOKMARK"
            bookmark = events[1]["raw_object"]
            assert set(bookmark) == {"kind", "apiVersion", "metadata"}
            assert bookmark["metadata"] == {"resourceVersion": str(server.resource_version)}
            assert w.resource_version == str(server.resource_version)


@pytest.mark.fake_only
async def test_too_old_resource_version_is_410_in_stream(
    kube: TestCluster, api_client: client.ApiClient
) -> None:
    assert kube.fake is not None
    core: Any = client.CoreV1Api(api_client)
    old = (await core.list_namespaced_config_map("default")).metadata.resource_version
    await core.create_namespaced_config_map("default", {"metadata": {"name": "c1"}})
    kube.fake.compact()
    status_line_and_events = await _raw_watch(
        api_client, f"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={old}"
    )
    status, lines = status_line_and_events
    assert status == 200
    assert lines[0]["type"] == "ERROR"
    err = lines[0]["object"]
    assert err["code"] == 410
    assert err["reason"] == "Expired"
    assert err["kind"] == "Status"
    assert err["message"].startswith(f"too old resource version: {old} (")
    with pytest.raises(client.ApiException) as exc:
        await drain_watch(
            core.list_namespaced_config_map, "default", resource_version=old, timeout_seconds=5
        )
    assert exc.value.status == 410


@pytest.mark.fake_only
async def test_bounded_history_expires_old_versions(tmp_path: Path) -> None:
    async with (
        FakeApiServer(history=3) as server,
        await _fake_client(server, tmp_path / "kc") as api,
    ):
        core: Any = client.CoreV1Api(api)
        old = str(server.resource_version)
        for i in range(5):
            await core.create_namespaced_config_map("default", {"metadata": {"name": f"h{i}"}})
        _, lines = await _raw_watch(
            api, f"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={old}"
        )
        assert lines[0]["object"]["code"] == 410
        recent = str(server.resource_version - 1)
        _, lines = await _raw_watch(
            api,
            f"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={recent}&timeoutSeconds=1",
        )
        assert [(e["type"], e["object"]["metadata"]["name"]) for e in lines] == [("ADDED", "h4")]


async def test_send_initial_events_ends_with_annotated_bookmark(
    api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    await core.create_namespaced_config_map(namespace, {"metadata": {"name": "ie"}})
    status, lines = await _raw_watch(
        api_client,
        f"/api/v1/namespaces/{namespace}/configmaps?watch=true&sendInitialEvents=true"
        "&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1",
    )
    assert status == 200
    assert [e["type"] for e in lines[:2]] == ["ADDED", "BOOKMARK"]
    assert lines[1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}


async def _raw_watch(
    api: client.ApiClient, path_and_query: str
) -> tuple[int, list[dict[str, Any]]]:
    import json

    path, _, query = path_and_query.partition("?")
    params = [tuple(p.split("=", 1)) for p in query.split("&") if p]
    if not any(k == "timeoutSeconds" for k, _ in params):
        params.append(("timeoutSeconds", "2"))
    resp = await api.call_api(
        path,
        "GET",
        query_params=params,
        auth_settings=["BearerToken"],
        _preload_content=False,
        _return_http_data_only=True,
    )
    try:
        text = await resp.text()
        return resp.status, [json.loads(line) for line in text.splitlines() if line.strip()]
    finally:
        resp.release()


async def test_noop_write_sends_no_event(api_client: client.ApiClient, namespace: str) -> None:
    core: Any = client.CoreV1Api(api_client)
    cm = await core.create_namespaced_config_map(
        namespace, {"metadata": {"name": "quiet"}, "data": {"a": "1"}}
    )
    rv = cm.metadata.resource_version
    await core.replace_namespaced_config_map("quiet", namespace, cm)
    await core.patch_namespaced_config_map("quiet", namespace, {"data": {"a": "1"}})
    await core.patch_namespaced_config_map("quiet", namespace, {"data": {"a": "2"}})
    async with watch.Watch() as w:
        stream = w.stream(
            core.list_namespaced_config_map, namespace, resource_version=rv, timeout_seconds=5
        )
        events = await collect_events(stream, 1)
    assert _summary(events) == [("MODIFIED", "quiet")]
    assert events[0]["raw_object"]["data"] == {"a": "2"}


async def test_leaving_the_selector_sends_the_previous_state_under_the_new_version(
    api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    start = (await core.list_namespaced_config_map(namespace)).metadata.resource_version
    await core.create_namespaced_config_map(
        namespace, {"metadata": {"name": "s", "labels": {"sel": "yes"}}, "data": {"a": "1"}}
    )
    left = await core.patch_namespaced_config_map(
        "s", namespace, {"metadata": {"labels": {"sel": "no"}}, "data": {"a": "2"}}
    )
    back = await core.patch_namespaced_config_map(
        "s", namespace, {"metadata": {"labels": {"sel": "yes"}}, "data": {"a": "3"}}
    )
    async with watch.Watch() as w:
        stream = w.stream(
            core.list_namespaced_config_map,
            namespace,
            label_selector="sel=yes",
            resource_version=start,
            timeout_seconds=5,
        )
        events = await collect_events(stream, 3)
    assert _summary(events) == [("ADDED", "s"), ("DELETED", "s"), ("ADDED", "s")]
    deleted = events[1]["raw_object"]
    assert deleted["metadata"]["labels"] == {"sel": "yes"}  # the last state that matched
    assert deleted["data"] == {"a": "1"}
    assert deleted["metadata"]["resourceVersion"] == left.metadata.resource_version
    entered = events[2]["raw_object"]
    assert entered["data"] == {"a": "3"}  # the new state
    assert entered["metadata"]["resourceVersion"] == back.metadata.resource_version


async def test_removing_the_last_finalizer_deletes_with_the_stored_state(
    api_client: client.ApiClient, namespace: str
) -> None:
    core: Any = client.CoreV1Api(api_client)
    await core.create_namespaced_config_map(
        namespace, {"metadata": {"name": "f", "finalizers": ["example.com/hold"]}}
    )
    await core.delete_namespaced_config_map("f", namespace)
    held = await core.read_namespaced_config_map("f", namespace)
    await core.patch_namespaced_config_map("f", namespace, {"metadata": {"finalizers": None}})
    async with watch.Watch() as w:
        stream = w.stream(
            core.list_namespaced_config_map,
            namespace,
            resource_version=held.metadata.resource_version,
            timeout_seconds=5,
        )
        events = await collect_events(stream, 1)
    assert _summary(events) == [("DELETED", "f")]
    gone = events[0]["raw_object"]["metadata"]
    assert gone["finalizers"] == ["example.com/hold"]
    assert gone["deletionTimestamp"] == held.metadata.deletion_timestamp.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert int(gone["resourceVersion"]) > int(held.metadata.resource_version)
