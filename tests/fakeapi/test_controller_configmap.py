"""A controller on ConfigMaps, end to end through a Manager, the client and the API server.

On the fake server the manager runs on a FakeClock with autojump (queue delays are virtual, HTTP
is real loopback I/O); on a real server it runs on the system clock with short waits (see
:mod:`tests.fakeapi.clocks`). The reconciler copies every ConfigMap labelled ``copy=yes`` into
``<name>-copy`` (owned by the source, server-side applied); the controller also ``owns``
ConfigMaps, so touching a copy reconciles its source.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from prometheus_client import CollectorRegistry

from aim_engine.client import Client
from aim_engine.controller import Request, Result, builder, label_selector
from aim_engine.errors import NotFoundError
from aim_engine.kinds import CONFIG_MAP
from aim_engine.manager import Manager
from aim_engine.objects import meta
from aim_engine.testing.fixtures import eventually
from aim_engine.testing.pytest_plugin import TestCluster
from tests.fakeapi.clocks import scenario_clock


@pytest_asyncio.fixture
async def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest_asyncio.fixture
async def client(kube: TestCluster, registry: CollectorRegistry) -> AsyncIterator[Client]:
    async with await Client.from_kubeconfig(kube.kubeconfig_path, registry=registry) as c:
        yield c


def source(name: str, ns: str, **data: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns, "labels": {"copy": "yes"}},
        "data": data,
    }


class CopyReconciler:
    """Keeps ``<name>-copy`` equal to the source's data."""

    def __init__(self, manager: Manager) -> None:
        self.manager = manager
        self.reconciled: list[Request] = []

    async def reconcile(self, request: Request) -> Result:
        self.reconciled.append(request)
        try:
            src = self.manager.cache.get(CONFIG_MAP, request.name, request.namespace)
        except NotFoundError:
            return Result()
        owner = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "name": request.name,
            "uid": meta(src)["uid"],
            "controller": True,
        }
        copy = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": f"{request.name}-copy",
                "namespace": request.namespace,
                "ownerReferences": [owner],
            },
            "data": dict(src.get("data") or {}),
        }
        await self.manager.client.apply(copy, field_manager="copier", kind=CONFIG_MAP)
        return Result()


async def copy_data(client: Client, name: str, ns: str) -> dict[str, str] | None:
    try:
        obj = await client.get(CONFIG_MAP, f"{name}-copy", ns)
    except NotFoundError:
        return None
    return dict(obj.get("data") or {})


async def test_configmap_controller_end_to_end(
    client: Client, namespace: str, registry: CollectorRegistry, kube: TestCluster
) -> None:
    scenario = scenario_clock(kube)
    clock = scenario.clock
    manager = Manager(client, clock=clock, registry=registry, metrics_bind_address="0")
    reconciler = CopyReconciler(manager)
    (
        builder(manager)
        .named("copier")
        .for_(CONFIG_MAP, namespace=namespace, predicates=[label_selector({"copy": "yes"})])
        .owns(CONFIG_MAP, namespace=namespace)
        .complete(reconciler)
    )
    await client.create(CONFIG_MAP, source("existing", namespace, a="1"))
    async with scenario.running():
        run = asyncio.create_task(manager.run())
        # Objects that existed before the start arrive through the initial list.
        await eventually(clock, lambda: copy_data(client, "existing", namespace), timeout=60)
        assert await copy_data(client, "existing", namespace) == {"a": "1"}

        await client.create(CONFIG_MAP, source("fresh", namespace, b="2"))
        await eventually(clock, lambda: copy_data(client, "fresh", namespace), timeout=60)

        await client.patch(CONFIG_MAP, "fresh", {"data": {"b": "3"}}, namespace)

        async def updated() -> bool:
            return await copy_data(client, "fresh", namespace) == {"b": "3"}

        await eventually(clock, updated, timeout=60)

        # Deleting an owned copy reconciles its owner, which re-creates it.
        await client.delete(CONFIG_MAP, "fresh-copy", namespace)
        await clock.sleep(scenario.pick(fake=0.5, real=0.1))
        await eventually(clock, updated, timeout=60)

        # A ConfigMap without the label is never reconciled as a primary.
        await client.create(
            CONFIG_MAP,
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "plain", "namespace": namespace},
            },
        )
        # Long enough for the watch event to reach the controller had it been queued.
        await clock.sleep(scenario.pick(fake=5, real=1))
        assert Request(namespace, "plain") not in reconciler.reconciled
        manager.stop()
        await run
    value = registry.get_sample_value
    assert (
        value("controller_runtime_reconcile_total", {"controller": "copier", "result": "success"})
        or 0
    ) >= 3
    assert (
        value("controller_runtime_reconcile_total", {"controller": "copier", "result": "error"})
        == 0
    )


async def test_graceful_shutdown_lets_a_running_reconcile_finish(
    client: Client, namespace: str, kube: TestCluster
) -> None:
    scenario = scenario_clock(kube)
    clock = scenario.clock
    duration = scenario.pick(fake=10, real=1)
    manager = Manager(
        client,
        clock=clock,
        metrics_bind_address="0",
        graceful_shutdown_timeout=scenario.pick(fake=30, real=5),
    )
    started = asyncio.Event()

    class Slow:
        async def reconcile(self, request: Request) -> Result:
            started.set()
            await clock.sleep(duration)
            # A write after the stop was requested: the client and the server are still up.
            await client.patch(
                CONFIG_MAP, request.name, {"metadata": {"annotations": {"done": "yes"}}}, namespace
            )
            return Result()

    builder(manager).for_(CONFIG_MAP, namespace=namespace).complete(Slow())
    await client.create(CONFIG_MAP, source("slow", namespace))
    async with scenario.running():
        run = asyncio.create_task(manager.run())
        await started.wait()
        stop_at = clock.monotonic()
        manager.stop()
        await run
        # The stop waited for the rest of the reconcile's sleep (taken just after it began).
        assert clock.monotonic() - stop_at >= duration - scenario.tolerance
    obj = await client.get(CONFIG_MAP, "slow", namespace)
    assert meta(obj)["annotations"] == {"done": "yes"}
