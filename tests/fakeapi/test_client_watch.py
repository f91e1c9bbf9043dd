"""Client.watch against an API server: events, bookmarks, 410, server close, early close."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from prometheus_client import CollectorRegistry

from aim_engine.client import Client, WatchEvent
from aim_engine.errors import GoneError, TransportError
from aim_engine.kinds import CONFIG_MAP
from aim_engine.testing.apiserver import FakeApiServer
from aim_engine.testing.pytest_plugin import TestCluster


@pytest_asyncio.fixture
async def client(kube: TestCluster) -> AsyncIterator[Client]:
    async with await Client.from_kubeconfig(kube.kubeconfig_path) as c:
        yield c


def cm(name: str, ns: str, **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns, "labels": dict(labels)},
    }


async def collect(stream: AsyncIterator[WatchEvent], count: int) -> list[WatchEvent]:
    out: list[WatchEvent] = []
    async for ev in stream:
        if ev.type != "BOOKMARK":
            out.append(ev)
        if len(out) == count:
            break
    return out


async def test_watch_from_list_resource_version(client: Client, namespace: str) -> None:
    await client.create(CONFIG_MAP, cm("before", namespace))
    _, rv = await client.list_all(CONFIG_MAP, namespace)
    stream = client.watch(CONFIG_MAP, namespace, resource_version=rv, timeout_seconds=30)
    async with stream:
        await client.create(CONFIG_MAP, cm("a", namespace, sel="yes"))
        await client.patch(CONFIG_MAP, "a", {"data": {"k": "v"}}, namespace)
        await client.delete(CONFIG_MAP, "a", namespace)
        events = await asyncio.wait_for(collect(stream, 3), 10)
    assert [(e.type, e.object["metadata"]["name"]) for e in events] == [
        ("ADDED", "a"),
        ("MODIFIED", "a"),
        ("DELETED", "a"),
    ]


async def test_watch_label_selector(client: Client, namespace: str) -> None:
    _, rv = await client.list_all(CONFIG_MAP, namespace)
    stream = client.watch(
        CONFIG_MAP, namespace, resource_version=rv, label_selector="sel=yes", timeout_seconds=30
    )
    async with stream:
        await client.create(CONFIG_MAP, cm("no", namespace, sel="no"))
        await client.create(CONFIG_MAP, cm("yes", namespace, sel="yes"))
        events = await asyncio.wait_for(collect(stream, 1), 10)
    assert events[0].object["metadata"]["name"] == "yes"


async def test_server_timeout_ends_iteration(client: Client, namespace: str) -> None:
    _, rv = await client.list_all(CONFIG_MAP, namespace)
    stream = client.watch(CONFIG_MAP, namespace, resource_version=rv, timeout_seconds=1)
    seen = await asyncio.wait_for(collect(stream, 100), 15)
    assert seen == []


@pytest.mark.fake_only
async def test_expired_resource_version_raises_gone(
    client: Client, kube: TestCluster, namespace: str
) -> None:
    assert kube.fake is not None
    _, rv = await client.list_all(CONFIG_MAP, namespace)
    await client.create(CONFIG_MAP, cm("x", namespace))
    kube.fake.faults.compact()
    with pytest.raises(GoneError):
        async for _ in client.watch(CONFIG_MAP, namespace, resource_version=rv, timeout_seconds=5):
            pass


@pytest.mark.fake_only
async def test_cut_connection_raises_transport_error(
    client: Client, kube: TestCluster, namespace: str
) -> None:
    assert kube.fake is not None
    _, rv = await client.list_all(CONFIG_MAP, namespace)
    stream = client.watch(CONFIG_MAP, namespace, resource_version=rv, timeout_seconds=30)
    await client.create(CONFIG_MAP, cm("first", namespace))
    first = await asyncio.wait_for(anext(stream), 10)
    assert first.type == "ADDED"
    kube.fake.faults.cut_watches(abort=True)
    with pytest.raises(TransportError):
        await asyncio.wait_for(collect(stream, 100), 10)


async def test_bookmarks_and_early_close(tmp_path: Path) -> None:
    async with FakeApiServer(bookmark_interval=0.05) as server:
        path = server.write_kubeconfig(tmp_path / "kubeconfig")
        async with await Client.from_kubeconfig(path) as client:
            _, rv = await client.list_all(CONFIG_MAP, "default")
            stream = client.watch(CONFIG_MAP, "default", resource_version=rv)
            ev = await asyncio.wait_for(anext(stream), 10)
            assert ev.type == "BOOKMARK"
            assert int(ev.object["metadata"]["resourceVersion"]) >= int(rv)
            await stream.aclose()
            with pytest.raises(StopAsyncIteration):
                await anext(stream)
            for _ in range(100):
                if not server.hub.streams:
                    break
                await asyncio.sleep(0.01)
            assert not server.hub.streams  # the server saw the connection go away


async def test_dropping_stream_after_break_closes_connection(tmp_path: Path) -> None:
    async with FakeApiServer(bookmark_interval=0.05) as server:
        path = server.write_kubeconfig(tmp_path / "kubeconfig")
        async with await Client.from_kubeconfig(path) as client:
            _, rv = await client.list_all(CONFIG_MAP, "default")
            async for ev in client.watch(CONFIG_MAP, "default", resource_version=rv):
                assert ev.type == "BOOKMARK"
                break  # the stream object is dropped here without aclose()
            for _ in range(100):
                if not server.hub.streams:
                    break
                await asyncio.sleep(0.01)
            assert not server.hub.streams


async def test_unreachable_server_is_transport_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    registry = CollectorRegistry()
    async with FakeApiServer() as server:
        path = server.write_kubeconfig(tmp_path / "kubeconfig")
        client = await Client.from_kubeconfig(path, registry=registry)
        with caplog.at_level(logging.DEBUG, logger="aim_engine.client"):
            await client.list(CONFIG_MAP, "default")
        record = next(r for r in caplog.records if r.getMessage() == "api request")
        assert record.__dict__["verb"] == "GET"
        assert record.__dict__["resource"] == "configmaps"
        assert record.__dict__["status"] == 200
        assert record.__dict__["duration_ms"] >= 0
    async with client:
        with pytest.raises(TransportError):
            await client.list(CONFIG_MAP, "default")
        with pytest.raises(TransportError):
            await anext(client.watch(CONFIG_MAP, "default"))
    host = client.host.split("://", 1)[1]
    errors = registry.get_sample_value(
        "rest_client_requests_total", {"code": "<error>", "method": "GET", "host": host}
    )
    assert errors == 2.0


async def test_read_timeout_is_transport_error(client: Client, namespace: str) -> None:
    _, rv = await client.list_all(CONFIG_MAP, namespace)
    stream = client.watch(
        CONFIG_MAP, namespace, resource_version=rv, allow_bookmarks=False, read_timeout=0.2
    )
    with pytest.raises(TransportError):
        await asyncio.wait_for(anext(stream), 10)
