"""Leader hand-over between two electors through a real API server path (Client + fake server).

On the fake server the electors run on a FakeClock with autojump (lease timings are virtual, HTTP
is real loopback I/O); on a real server they run on the system clock with short lease timings
(see :mod:`tests.fakeapi.clocks`). Expiry is judged on the electors' own clock, and every timing
check is relative to the chosen lease timings.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest_asyncio

from aim_engine.client import Client
from aim_engine.kinds import LEASE
from aim_engine.leader import LeaderElector
from aim_engine.testing.pytest_plugin import TestCluster
from tests.fakeapi.clocks import ScenarioClock, scenario_clock


@pytest_asyncio.fixture
async def client(kube: TestCluster) -> AsyncIterator[Client]:
    async with await Client.from_kubeconfig(kube.kubeconfig_path) as c:
        yield c


def elector(
    client: Client,
    scenario: ScenarioClock,
    namespace: str,
    identity: str,
    *,
    release_on_cancel: bool = True,
) -> LeaderElector:
    config = scenario.lease("handover", namespace, identity, release_on_cancel=release_on_cancel)
    return LeaderElector(client, config, clock=scenario.clock)


async def test_release_hands_over_at_once_and_a_crash_only_after_expiry(
    client: Client, namespace: str, kube: TestCluster
) -> None:
    scenario = scenario_clock(kube)
    clock = scenario.clock
    a = elector(client, scenario, namespace, "a")
    b = elector(client, scenario, namespace, "b", release_on_cancel=False)
    c = elector(client, scenario, namespace, "c")
    b_started = asyncio.Event()
    c_started_at: list[float] = []

    async def a_work() -> None:
        # Lead for a while, then stop cleanly (which releases the lease).
        await clock.sleep(scenario.pick(fake=20, real=1))

    async def b_work() -> None:
        b_started.set()
        await asyncio.Event().wait()

    async def c_work() -> None:
        c_started_at.append(clock.monotonic())
        await asyncio.Event().wait()

    async with scenario.running():
        a_task = asyncio.create_task(a.run(a_work))
        await a.wait_leader()
        b_task = asyncio.create_task(b.run(b_work))
        await a_task
        released_at = clock.monotonic()
        await b_started.wait()
        # Released: b did not wait out the lease, only for its next retry.
        assert clock.monotonic() - released_at < scenario.lease_duration
        lease = await client.get(LEASE, "handover", namespace)
        assert lease["spec"]["holderIdentity"] == "b"
        assert lease["spec"]["leaseTransitions"] == 1

        c_task = asyncio.create_task(c.run(c_work))
        await clock.sleep(scenario.pick(fake=5, real=1))  # c sees b holding the lease
        # b "crashes": its work and renewals stop, and it does not release (release_on_cancel off).
        b_task.cancel()
        await asyncio.gather(b_task, return_exceptions=True)
        last_renew = clock.monotonic()
        while not c_started_at:
            await clock.sleep(scenario.pick(fake=1, real=0.1))
        # b renewed last at most a retry period (plus, on a real server, a request's latency)
        # before the crash, and c waits a full lease after seeing that renewal.
        earliest = scenario.lease_duration - scenario.retry_period - scenario.tolerance
        assert c_started_at[0] - last_renew >= earliest
        lease = await client.get(LEASE, "handover", namespace)
        assert lease["spec"]["holderIdentity"] == "c"
        assert lease["spec"]["leaseTransitions"] == 2
        c_task.cancel()
        await asyncio.gather(c_task, return_exceptions=True)
