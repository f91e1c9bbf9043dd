"""apply_desired and write_status_if_changed against an API server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from prometheus_client import CollectorRegistry

from aim_engine.apply import apply_desired, write_status_if_changed
from aim_engine.client import Client
from aim_engine.kinds import CONFIG_MAP
from aim_engine.ownership import set_controller_reference
from aim_engine.testing.pytest_plugin import TestCluster
from tests.fakeapi.test_client_crud import GROUP, ensure_widget_kind


@pytest_asyncio.fixture
async def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest_asyncio.fixture
async def client(kube: TestCluster, registry: CollectorRegistry) -> AsyncIterator[Client]:
    async with await Client.from_kubeconfig(kube.kubeconfig_path, registry=registry) as c:
        yield c


def patches(client: Client, registry: CollectorRegistry) -> float:
    host = client.host.split("://", 1)[1]
    return sum(
        registry.get_sample_value(
            "rest_client_requests_total", {"code": code, "method": "PATCH", "host": host}
        )
        or 0.0
        for code in ("200", "201")
    )


async def test_apply_desired_in_order_with_owner(client: Client, namespace: str) -> None:
    owner = await client.create(
        CONFIG_MAP,
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "owner", "namespace": namespace},
        },
    )
    desired: list[dict[str, Any]] = []
    for name in ("c", "a", "b"):
        obj = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace},
            "data": {"n": name},
        }
        set_controller_reference(owner, obj)
        desired.append(obj)
    applied = await apply_desired(client, desired, field_manager="aim-engine/test")
    assert [o["metadata"]["name"] for o in applied] == ["a", "b", "c"]
    got = await client.get(CONFIG_MAP, "b", namespace)
    assert got["data"] == {"n": "b"}
    assert got["metadata"]["ownerReferences"][0]["uid"] == owner["metadata"]["uid"]


async def test_write_status_only_when_changed(
    client: Client, registry: CollectorRegistry, namespace: str
) -> None:
    widget = await ensure_widget_kind(client)
    obj = await client.apply(
        {
            "apiVersion": f"{GROUP}/v1",
            "kind": "Widget",
            "metadata": {"name": "s", "namespace": namespace},
            "spec": {"size": 1},
        },
        field_manager="tester",
    )
    before = patches(client, registry)
    updated = await write_status_if_changed(
        client, widget, obj, {"phase": "Ready", "replicas": 1}, field_manager="aim-engine/test"
    )
    assert updated is not None
    assert updated["status"] == {"phase": "Ready", "replicas": 1}
    assert updated["spec"] == {"size": 1}
    assert patches(client, registry) == before + 1
    same = await write_status_if_changed(
        client, widget, updated, {"replicas": 1, "phase": "Ready"}, field_manager="aim-engine/test"
    )
    assert same is None
    assert patches(client, registry) == before + 1  # no request at all
    shrunk = await write_status_if_changed(
        client, widget, updated, {"phase": "Done"}, field_manager="aim-engine/test"
    )
    assert shrunk is not None
    assert shrunk["status"] == {"phase": "Done"}  # fields we stopped applying are gone
