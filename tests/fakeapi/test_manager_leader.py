"""Managers with leader election against an API server: hand-over and lease loss.

On the fake server the managers run on a FakeClock with autojump (lease timings are virtual, HTTP
is real loopback I/O); on a real server they run on the system clock with short lease timings
(see :mod:`tests.fakeapi.clocks`). Every timing check is relative to the chosen lease timings.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from aim_engine.client import Client
from aim_engine.clock import Clock
from aim_engine.controller import Request, Result, builder
from aim_engine.kinds import CONFIG_MAP, LEASE
from aim_engine.leader import LeaseLostError
from aim_engine.manager import Manager
from aim_engine.testing.pytest_plugin import TestCluster
from tests.fakeapi.clocks import ScenarioClock, scenario_clock


@pytest_asyncio.fixture
async def client(kube: TestCluster) -> AsyncIterator[Client]:
    async with await Client.from_kubeconfig(kube.kubeconfig_path) as c:
        yield c


class Recording:
    def __init__(self, clock: Clock, duration: float = 0.0) -> None:
        self.clock = clock
        self.duration = duration
        self.started: list[tuple[float, Request]] = []
        self.cancelled_at: list[float] = []

    async def reconcile(self, request: Request) -> Result:
        self.started.append((self.clock.monotonic(), request))
        try:
            await self.clock.sleep(self.duration)
        except asyncio.CancelledError:
            self.cancelled_at.append(self.clock.monotonic())
            raise
        return Result()


def manager_for(
    client: Client, scenario: ScenarioClock, namespace: str, identity: str, reconciler: Recording
) -> Manager:
    manager = Manager(
        client,
        clock=scenario.clock,
        metrics_bind_address="0",
        leader_election=scenario.lease("mgr-test", namespace, identity),
    )
    builder(manager).for_(CONFIG_MAP, namespace=namespace).complete(reconciler)
    return manager


async def test_standby_manager_takes_over_after_a_clean_stop(
    client: Client, namespace: str, kube: TestCluster
) -> None:
    scenario = scenario_clock(kube)
    clock = scenario.clock
    await client.create(
        CONFIG_MAP, {"metadata": {"name": "cm", "namespace": namespace}, "data": {}}
    )
    first_rec, second_rec = Recording(clock), Recording(clock)
    first = manager_for(client, scenario, namespace, "first", first_rec)
    second = manager_for(client, scenario, namespace, "second", second_rec)
    async with scenario.running():
        first_run = asyncio.create_task(first.run())
        while not first_rec.started:
            await clock.sleep(0.1)
        second_run = asyncio.create_task(second.run())
        # Longer than a lease: the standby would have taken over were the leader not renewing.
        await clock.sleep(scenario.pick(fake=60, real=scenario.lease_duration + 1))
        assert second_rec.started == []  # caches warm, but no reconciles on the standby
        stopped_at = clock.monotonic()
        first.stop()
        await first_run
        while not second_rec.started:
            await clock.sleep(0.1)
        # Released on a clean stop: no need to wait out the lease.
        assert second_rec.started[0][0] - stopped_at < scenario.lease_duration
        lease = await client.get(LEASE, "mgr-test", namespace)
        assert lease["spec"]["holderIdentity"] == "second"
        second.stop()
        await second_run


@pytest.mark.fake_only
async def test_lease_loss_cancels_reconciles_and_fails_run(
    client: Client, namespace: str, kube: TestCluster
) -> None:
    assert kube.fake is not None
    scenario = scenario_clock(kube)
    clock = scenario.clock
    await client.create(
        CONFIG_MAP, {"metadata": {"name": "cm", "namespace": namespace}, "data": {}}
    )
    rec = Recording(clock, duration=1000.0)
    manager = manager_for(client, scenario, namespace, "only", rec)
    async with scenario.running():
        run = asyncio.create_task(manager.run())
        while not rec.started:
            await clock.sleep(0.1)
        kube.fake.faults.fail_next("update", status=500, count=10_000, plural="leases")
        kube.fake.faults.fail_next("get", status=500, count=10_000, plural="leases")
        failing_from = clock.monotonic()
        with pytest.raises(LeaseLostError):
            await run
    assert len(rec.cancelled_at) == 1
    # Leader work stopped before the lease (a lease_duration after its last renewal) could expire.
    assert rec.cancelled_at[0] - failing_from < scenario.lease_duration
