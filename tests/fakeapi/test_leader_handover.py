"""Leader hand-over between two electors through a real API server path (Client + fake server).

The electors run on a FakeClock with autojump: lease timings are virtual, HTTP is real loopback
I/O. Expiry is judged on the electors' own clock, so the same test is valid on a real server.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest_asyncio

from aim_engine.client import Client
from aim_engine.kinds import LEASE
from aim_engine.leader import LeaderElectionConfig, LeaderElector
from aim_engine.testing import FakeClock
from aim_engine.testing.pytest_plugin import TestCluster


@pytest_asyncio.fixture
async def client(kube: TestCluster) -> AsyncIterator[Client]:
    async with await Client.from_kubeconfig(kube.kubeconfig_path) as c:
        yield c


def elector(
    client: Client, clock: FakeClock, namespace: str, identity: str, **kw: bool
) -> LeaderElector:
    config = LeaderElectionConfig(name="handover", namespace=namespace, identity=identity, **kw)
    return LeaderElector(client, config, clock=clock)


async def test_release_hands_over_at_once_and_a_crash_only_after_expiry(
    client: Client, namespace: str
) -> None:
    clock = FakeClock()
    a = elector(client, clock, namespace, "a")
    b = elector(client, clock, namespace, "b", release_on_cancel=False)
    c = elector(client, clock, namespace, "c")
    b_started = asyncio.Event()
    c_started_at: list[float] = []

    async def a_work() -> None:
        await clock.sleep(20)  # lead for a while, then stop cleanly (releases the lease)

    async def b_work() -> None:
        b_started.set()
        await asyncio.Event().wait()

    async def c_work() -> None:
        c_started_at.append(clock.monotonic())
        await asyncio.Event().wait()

    async with clock.autojump():
        a_task = asyncio.create_task(a.run(a_work))
        await a.wait_leader()
        b_task = asyncio.create_task(b.run(b_work))
        await a_task
        released_at = clock.monotonic()
        await b_started.wait()
        # Released: b did not wait for the 15 s lease, only for its next retry.
        assert clock.monotonic() - released_at < 15
        lease = await client.get(LEASE, "handover", namespace)
        assert lease["spec"]["holderIdentity"] == "b"
        assert lease["spec"]["leaseTransitions"] == 1

        c_task = asyncio.create_task(c.run(c_work))
        await clock.sleep(5)
        # b "crashes": its work and renewals stop, and it does not release (release_on_cancel off).
        b_task.cancel()
        await asyncio.gather(b_task, return_exceptions=True)
        last_renew = clock.monotonic()
        while not c_started_at:
            await clock.sleep(1)
        assert c_started_at[0] - last_renew >= 15 - 2  # c saw b's last renewal at most 2 s earlier
        lease = await client.get(LEASE, "handover", namespace)
        assert lease["spec"]["holderIdentity"] == "c"
        assert lease["spec"]["leaseTransitions"] == 2
        c_task.cancel()
        await asyncio.gather(c_task, return_exceptions=True)
