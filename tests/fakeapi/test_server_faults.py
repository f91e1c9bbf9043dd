"""Fault injection, restart, request log, bearer tokens, the standalone entry point (fake only)."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from kubernetes_asyncio import client, config, watch

from aim_engine.errors import ConfigurationError
from aim_engine.testing.apiserver import FakeApiServer, StatusError
from aim_engine.testing.pytest_plugin import TestCluster
from tests.fakeapi.server_scenarios import (
    collect_events,
    drain_watch,
    raw,
    status_of,
    widget,
    widget_crd,
)

pytestmark = pytest.mark.fake_only


def _fake(kube: TestCluster) -> FakeApiServer:
    assert kube.fake is not None
    return kube.fake


async def test_fail_next_with_real_status_bodies(
    kube: TestCluster, api_client: client.ApiClient
) -> None:
    fake = _fake(kube)
    core: Any = client.CoreV1Api(api_client)
    fake.faults.fail_next("create", status=500, plural="configmaps")
    with pytest.raises(client.ApiException) as err:
        await core.create_namespaced_config_map("default", {"metadata": {"name": "f"}})
    assert err.value.status == 500
    assert status_of(err.value)["reason"] == "InternalError"
    await core.create_namespaced_config_map("default", {"metadata": {"name": "f"}})
    fake.faults.fail_next("get", status=429, retry_after=7)
    with pytest.raises(client.ApiException) as err:
        await core.read_namespaced_config_map("f", "default")
    assert err.value.status == 429
    assert err.value.headers is not None
    assert err.value.headers["Retry-After"] == "7"
    assert status_of(err.value)["details"]["retryAfterSeconds"] == 7
    fake.faults.fail_next("patch", status=409, kind="ConfigMap", count=2)
    for _ in range(2):
        with pytest.raises(client.ApiException) as err:
            await core.patch_namespaced_config_map("f", "default", {"data": {"a": "1"}})
        assert status_of(err.value)["reason"] == "Conflict"
    await core.patch_namespaced_config_map("f", "default", {"data": {"a": "1"}})
    fake.faults.fail_next("list", status=503)
    status, body = await raw(api_client, "GET", "/api/v1/namespaces/default/configmaps")
    assert (status, body["reason"]) == (503, "ServiceUnavailable")


async def test_request_log(kube: TestCluster, api_client: client.ApiClient) -> None:
    fake = _fake(kube)
    core: Any = client.CoreV1Api(api_client)
    await core.create_namespaced_config_map("default", {"metadata": {"name": "logged"}})
    await core.read_namespaced_config_map("logged", "default")
    creates = fake.faults.requests_for("create", "configmaps")
    assert [(r.namespace, r.status) for r in creates] == [("default", 201)]
    gets = fake.faults.requests_for("get", "configmaps")
    assert gets[-1].name == "logged"


async def test_latency_uses_the_loop_clock(kube: TestCluster, api_client: client.ApiClient) -> None:
    fake = _fake(kube)
    fake.faults.add_latency(0.05, verb="get")
    loop = asyncio.get_running_loop()
    started = loop.time()
    await client.CoreV1Api(api_client).read_namespace("default")
    assert loop.time() - started >= 0.05


async def test_cut_watches_and_expire_next(kube: TestCluster, api_client: client.ApiClient) -> None:
    fake = _fake(kube)
    core: Any = client.CoreV1Api(api_client)
    rv = (await core.list_namespaced_config_map("default")).metadata.resource_version

    async def watch_until_end() -> list[str]:
        async with watch.Watch() as w:
            return [
                e["type"]
                async for e in w.stream(
                    core.list_namespaced_config_map,
                    "default",
                    resource_version=rv,
                    timeout_seconds=60,
                )
            ]

    task = asyncio.ensure_future(watch_until_end())
    await asyncio.wait_for(fake.wait_for_watches(1), 5)
    assert fake.faults.cut_watches() == 1
    assert await asyncio.wait_for(task, 5) == []
    fake.faults.expire_next_watches()
    with pytest.raises(client.ApiException) as err:
        await drain_watch(
            core.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=5
        )
    assert err.value.status == 410


async def test_restart_keeps_state_and_drops_watches(
    kube: TestCluster, api_client: client.ApiClient
) -> None:
    fake = _fake(kube)
    core: Any = client.CoreV1Api(api_client)
    await core.create_namespaced_config_map("default", {"metadata": {"name": "survivor"}})
    url = fake.url
    rv = (await core.list_namespaced_config_map("default")).metadata.resource_version

    async def watch_once() -> None:
        async with watch.Watch() as w:
            async for _ in w.stream(
                core.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=60
            ):
                pass

    task = asyncio.ensure_future(watch_once())
    await asyncio.wait_for(fake.wait_for_watches(1), 5)
    await fake.restart()
    with pytest.raises(Exception):  # noqa: B017 - the transport error type is aiohttp's
        await asyncio.wait_for(task, 5)
    assert fake.url == url
    assert (
        await core.read_namespaced_config_map("survivor", "default")
    ).metadata.name == "survivor"


async def test_restart_without_state_is_an_empty_cluster_in_the_old_ones_past(
    kube: TestCluster, api_client: client.ApiClient, namespace: str
) -> None:
    fake = _fake(kube)
    core: Any = client.CoreV1Api(api_client)
    for i in range(5):
        await core.create_namespaced_config_map(namespace, {"metadata": {"name": f"old{i}"}})
    fake.create(widget_crd())
    old_rv = (await core.list_namespaced_config_map(namespace)).metadata.resource_version
    url = fake.url
    await fake.restart(keep_state=False)
    assert fake.url == url
    assert fake.list("v1", "ConfigMap") == []
    assert sorted(n.metadata.name for n in (await core.list_namespace()).items) == [
        "default",
        "kube-node-lease",
        "kube-public",
        "kube-system",
    ]
    assert fake.resource_version < int(old_rv)
    with pytest.raises(ConfigurationError, match="no resource serves Widget"):
        fake.create(widget("w", namespace))  # the CRD is gone with everything else
    with pytest.raises(client.ApiException) as err:
        await core.list_namespaced_config_map(
            namespace, resource_version=old_rv, resource_version_match="NotOlderThan"
        )
    assert err.value.status == 504
    body = status_of(err.value)
    assert body["details"]["causes"][0]["reason"] == "ResourceVersionTooLarge"
    assert body["message"] == (
        f"Timeout: Too large resource version: {old_rv}, current: {fake.resource_version}"
    )


async def test_a_watch_from_the_future_is_silent_until_the_server_catches_up(
    tmp_path: Path,
) -> None:
    async with FakeApiServer(bookmark_interval=0.05) as server:
        server.write_kubeconfig(tmp_path / "kc")
        cfg = client.Configuration()
        await config.load_kube_config(config_file=str(tmp_path / "kc"), client_configuration=cfg)
        async with client.ApiClient(cfg) as api:
            core: Any = client.CoreV1Api(api)
            future = server.resource_version + 3
            events = await drain_watch(
                core.list_namespaced_config_map,
                "default",
                resource_version=str(future),
                allow_watch_bookmarks=True,
                timeout_seconds=1,
            )
            assert events == []  # no bookmarks below the watch's version
            for i in range(5):
                server.create(
                    {
                        "apiVersion": "v1",
                        "kind": "ConfigMap",
                        "metadata": {"name": f"c{i}", "namespace": "default"},
                    }
                )
            events = await drain_watch(
                core.list_namespaced_config_map,
                "default",
                resource_version=str(future),
                timeout_seconds=1,
            )
            assert [e["raw_object"]["metadata"]["name"] for e in events] == ["c3", "c4"]


async def test_direct_accessors(kube: TestCluster, api_client: client.ApiClient) -> None:
    fake = _fake(kube)
    fake.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "seeded", "namespace": "default"},
            "data": {"a": "1"},
        }
    )
    got = await client.CoreV1Api(api_client).read_namespaced_config_map("seeded", "default")
    assert got.data == {"a": "1"}
    seen = fake.get("v1", "ConfigMap", "seeded", "default")
    assert seen is not None
    assert seen["metadata"]["uid"] == got.metadata.uid
    seen["data"] = {"a": "2"}
    fake.update(seen)
    assert [
        o["data"]
        for o in fake.list("v1", "ConfigMap", "default")
        if o["metadata"]["name"] == "seeded"
    ] == [{"a": "2"}]
    with pytest.raises(StatusError) as err:
        fake.create(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "seeded", "namespace": "default"},
            }
        )
    assert err.value.code == 409
    assert fake.delete("v1", "ConfigMap", "seeded", "default")
    assert fake.get("v1", "ConfigMap", "seeded", "default") is None


async def test_token_map_answers_401(tmp_path: Path) -> None:
    async with FakeApiServer(tokens={"good": "alice"}, token="bad") as server:
        server.write_kubeconfig(tmp_path / "kc")
        cfg = client.Configuration()
        await config.load_kube_config(config_file=str(tmp_path / "kc"), client_configuration=cfg)
        async with client.ApiClient(cfg) as api:
            with pytest.raises(client.ApiException) as err:
                await client.CoreV1Api(api).list_namespace()
            assert err.value.status == 401
            assert status_of(err.value)["reason"] == "Unauthorized"
        server.token = "good"
        server.write_kubeconfig(tmp_path / "kc")
        cfg = client.Configuration()
        await config.load_kube_config(config_file=str(tmp_path / "kc"), client_configuration=cfg)
        async with client.ApiClient(cfg) as api:
            assert (await client.CoreV1Api(api).list_namespace()).items


async def test_garbage_collects_dependents_of_missing_owners(
    kube: TestCluster, api_client: client.ApiClient
) -> None:
    core: Any = client.CoreV1Api(api_client)
    ref = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "name": "ghost",
        "uid": "6f1d1b6e-0000-4000-8000-000000000000",
    }
    await core.create_namespaced_config_map(
        "default", {"metadata": {"name": "orphan", "ownerReferences": [ref]}}
    )
    await _fake(kube).settle()
    assert _fake(kube).get("v1", "ConfigMap", "orphan", "default") is None


async def test_standalone_entry_point(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kc"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aim_engine.testing.apiserver",
        "--port",
        "0",
        "--kubeconfig",
        str(kubeconfig),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode().strip()
        assert line.startswith("http://127.0.0.1:")
        cfg = client.Configuration()
        await config.load_kube_config(config_file=str(kubeconfig), client_configuration=cfg)
        assert cfg.host == line
        async with client.ApiClient(cfg) as api:
            names = [n.metadata.name for n in (await client.CoreV1Api(api).list_namespace()).items]
        assert {"default", "kube-system", "kube-public"} <= set(names)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0


async def test_collect_events_helper_times_out_cleanly(api_client: client.ApiClient) -> None:
    core: Any = client.CoreV1Api(api_client)
    rv = (await core.list_namespaced_config_map("default")).metadata.resource_version
    async with watch.Watch() as w:
        with pytest.raises(asyncio.TimeoutError):
            await collect_events(
                w.stream(
                    core.list_namespaced_config_map,
                    "default",
                    resource_version=rv,
                    timeout_seconds=30,
                ),
                1,
                timeout=0.1,
            )


async def test_gc_delay_runs_on_the_loop_clock(tmp_path: Path) -> None:
    async with FakeApiServer(gc_delay=0.05) as server:
        owner = server.create(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "o", "namespace": "default"},
            }
        )
        ref = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "name": "o",
            "uid": owner["metadata"]["uid"],
        }
        server.create(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "c", "namespace": "default", "ownerReferences": [ref]},
            }
        )
        await server.settle()
        assert server.delete("v1", "ConfigMap", "o", "default")
        assert server.get("v1", "ConfigMap", "c", "default") is not None
        await server.settle()
        assert server.get("v1", "ConfigMap", "c", "default") is None
