"""The testing kit's manager fixtures: ``eventually`` and ``ManagerFactory`` (no API server).

A manager with no controllers starts no informers and no Lease, so these run without sockets:
the client points at a closed port and is never called.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from aim_engine.client import Client
from aim_engine.testing import FakeClock
from aim_engine.testing.fixtures import ManagerFactory, eventually


@pytest_asyncio.fixture
async def factory() -> AsyncIterator[ManagerFactory]:
    clock = FakeClock()
    async with Client.from_host("http://127.0.0.1:9") as client:
        made = ManagerFactory(client, clock)
        yield made
        await made.aclose()


async def test_eventually_returns_the_first_truthy_value_on_virtual_time() -> None:
    clock = FakeClock()
    calls: list[float] = []

    def check() -> str | None:
        calls.append(clock.monotonic())
        return "done" if clock.monotonic() >= 2 else None

    async with clock.autojump():
        assert await eventually(clock, check, interval=0.5) == "done"
    assert calls == [0.0, 0.5, 1.0, 1.5, 2.0]


async def test_eventually_awaits_async_checks_and_times_out() -> None:
    clock = FakeClock()

    async def never() -> bool:
        return False

    async with clock.autojump():
        with pytest.raises(AssertionError, match="not yet"):
            await eventually(clock, never, timeout=3, message="not yet")
    assert clock.monotonic() == pytest.approx(3.0, abs=0.06)


async def test_factory_builds_managers_without_http_servers(factory: ManagerFactory) -> None:
    manager = factory()
    assert manager.clock is factory.clock
    assert manager.client is factory.client
    async with factory.running(manager):
        assert manager.server_port("metrics") is None
        assert manager.server_port("probes") is None
        assert [(r.name, r.ok) for r in await manager.readyz.run()] == [
            ("cache-sync", True),
            ("cache-fresh", True),
        ]


async def test_running_stops_the_manager_and_leaves_no_task(factory: ManagerFactory) -> None:
    manager = factory()
    stopped = asyncio.Event()

    async def worker() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()

    manager.add_runnable(worker, needs_leader=True)
    before = asyncio.all_tasks()
    async with factory.running(manager):
        assert len(asyncio.all_tasks() - before) > 0
    assert stopped.is_set()
    assert asyncio.all_tasks() - before == set()


async def test_running_reraises_what_the_manager_raised(factory: ManagerFactory) -> None:
    manager = factory()

    async def broken() -> None:
        await factory.clock.sleep(1)
        raise RuntimeError("boom")

    manager.add_runnable(broken, needs_leader=False)
    with pytest.raises(RuntimeError, match="boom"):
        async with factory.running(manager):
            await factory.clock.sleep(60)
