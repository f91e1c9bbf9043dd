"""Finalizer helpers against an API server: add/remove idempotence, races, the run flow."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from aim_engine.client import Client
from aim_engine.errors import NotFoundError
from aim_engine.finalizers import add_finalizer, has_finalizer, remove_finalizer, run_finalizer
from aim_engine.kinds import CONFIG_MAP
from aim_engine.testing.pytest_plugin import TestCluster

FIN = "aim-engine.test/cleanup"


@pytest_asyncio.fixture
async def client(kube: TestCluster) -> AsyncIterator[Client]:
    async with await Client.from_kubeconfig(kube.kubeconfig_path) as c:
        yield c


def cm(name: str, ns: str, finalizers: list[str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": ns}
    if finalizers:
        meta["finalizers"] = finalizers
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}


async def test_add_and_remove_are_idempotent(client: Client, namespace: str) -> None:
    obj = await client.create(CONFIG_MAP, cm("f", namespace))
    added = await add_finalizer(client, CONFIG_MAP, obj, FIN, field_manager="t")
    assert added["metadata"]["finalizers"] == [FIN]
    again = await add_finalizer(client, CONFIG_MAP, added, FIN)
    assert again is added  # nothing sent
    removed = await remove_finalizer(client, CONFIG_MAP, added, FIN)
    assert removed is not None
    assert not has_finalizer(removed, FIN)
    await client.delete(CONFIG_MAP, "f", namespace)


async def test_stale_copy_does_not_clobber_other_finalizers(client: Client, namespace: str) -> None:
    stale = await client.create(CONFIG_MAP, cm("race", namespace, ["other/keep"]))
    # someone else adds a finalizer after we read the object
    await client.patch(
        CONFIG_MAP, "race", {"metadata": {"finalizers": ["other/keep", "third/x"]}}, namespace
    )
    added = await add_finalizer(client, CONFIG_MAP, stale, FIN)
    assert added["metadata"]["finalizers"] == ["other/keep", "third/x", FIN]
    # removing ours from a stale copy where it sits at another index keeps the rest
    await client.patch(
        CONFIG_MAP, "race", {"metadata": {"finalizers": ["third/x", FIN]}}, namespace
    )
    removed = await remove_finalizer(client, CONFIG_MAP, added, FIN)
    assert removed is not None
    assert removed["metadata"]["finalizers"] == ["third/x"]
    await client.patch(CONFIG_MAP, "race", {"metadata": {"finalizers": None}}, namespace)


async def test_run_finalizer_flow(client: Client, namespace: str) -> None:
    calls: list[str] = []

    async def apply() -> str:
        calls.append("apply")
        return "applied"

    async def cleanup() -> None:
        calls.append("cleanup")

    obj = await client.create(CONFIG_MAP, cm("flow", namespace))
    result = await run_finalizer(client, CONFIG_MAP, obj, FIN, apply=apply, cleanup=cleanup)
    assert result == "applied"
    current = await client.get(CONFIG_MAP, "flow", namespace)
    assert has_finalizer(current, FIN)

    await client.delete(CONFIG_MAP, "flow", namespace)
    deleting = await client.get(CONFIG_MAP, "flow", namespace)  # held by our finalizer
    assert deleting["metadata"]["deletionTimestamp"]
    result = await run_finalizer(client, CONFIG_MAP, deleting, FIN, apply=apply, cleanup=cleanup)
    assert result is None
    assert calls == ["apply", "cleanup"]
    with pytest.raises(NotFoundError):
        await client.get(CONFIG_MAP, "flow", namespace)
    # a late duplicate event for the deleted object is harmless
    assert (
        await run_finalizer(client, CONFIG_MAP, deleting, FIN, apply=apply, cleanup=cleanup) is None
    )
    assert calls == ["apply", "cleanup", "cleanup"]


async def test_deleting_without_our_finalizer_does_nothing(client: Client, namespace: str) -> None:
    await client.create(CONFIG_MAP, cm("other", namespace, ["other/keep"]))
    await client.delete(CONFIG_MAP, "other", namespace)
    deleting = await client.get(CONFIG_MAP, "other", namespace)
    called = False

    async def never() -> None:
        nonlocal called
        called = True

    await run_finalizer(client, CONFIG_MAP, deleting, FIN, apply=never, cleanup=never)
    assert not called
    assert (await client.get(CONFIG_MAP, "other", namespace))["metadata"]["finalizers"] == [
        "other/keep"
    ]
    await client.patch(CONFIG_MAP, "other", {"metadata": {"finalizers": None}}, namespace)
