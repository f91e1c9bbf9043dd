"""Manager lifecycle with a fake cache, an in-memory Lease API and a FakeClock (no sockets)."""

from __future__ import annotations

import asyncio

import pytest

from aim_engine.controller import Request
from aim_engine.errors import ConfigurationError
from aim_engine.leader import LeaseLostError
from aim_engine.manager import CacheSyncTimeoutError, Runnable
from aim_engine.testing import FakeClock
from tests.unit.manager.conftest import (
    FakeCache,
    InMemoryLeases,
    MakeManager,
    SlowReconciler,
    add_controller,
    start,
)

KEY = Request("ns", "a")


class Recorder:
    def __init__(self) -> None:
        self.events: list[str] = []

    def runnable(self, name: str) -> Runnable:
        async def run() -> None:
            self.events.append(f"{name} started")
            try:
                await asyncio.Event().wait()
            finally:
                self.events.append(f"{name} stopped")

        run.__name__ = name
        return run


async def test_runnables_start_only_after_the_caches_synced(
    make_manager: MakeManager, fake_cache: FakeCache, clock: FakeClock
) -> None:
    manager = make_manager()
    rec = Recorder()
    manager.add_runnable(rec.runnable("standby"), needs_leader=False)
    manager.add_runnable(rec.runnable("leader"), needs_leader=True)
    task = await start(manager)
    await clock.tick(10)
    assert fake_cache.running
    assert rec.events == []
    fake_cache.synced.set()
    await clock.tick(0)
    assert sorted(rec.events) == ["leader started", "standby started"]
    manager.stop()
    await clock.tick(0)
    assert task.done()
    assert task.exception() is None
    assert sorted(rec.events)[1::2] == ["leader stopped", "standby stopped"]
    assert not fake_cache.running


async def test_cache_sync_timeout_fails_run_without_starting_anything(
    make_manager: MakeManager, clock: FakeClock
) -> None:
    manager = make_manager(cache_sync_timeout=120.0)
    rec = Recorder()
    manager.add_runnable(rec.runnable("r"), needs_leader=False)
    task = await start(manager)
    await clock.tick(119)
    assert not task.done()
    await clock.tick(2)
    assert isinstance(task.exception(), CacheSyncTimeoutError)
    assert rec.events == []


async def test_graceful_stop_lets_a_running_reconcile_finish(
    make_manager: MakeManager, fake_cache: FakeCache, clock: FakeClock
) -> None:
    fake_cache.synced.set()
    manager = make_manager(graceful_shutdown_timeout=30.0)
    slow = SlowReconciler(clock, duration=20.0)
    controller = add_controller(manager, slow)
    task = await start(manager)
    await clock.tick(0)
    controller.enqueue(KEY)
    controller.enqueue(Request("ns", "queued"))
    await clock.tick(5)
    manager.stop()
    await clock.tick(10)
    assert not task.done()
    await clock.tick(6)
    assert task.done()
    assert task.exception() is None
    assert slow.finished == [KEY]
    assert slow.cancelled == []
    assert Request("ns", "queued") not in slow.started


async def test_work_still_running_after_the_grace_period_is_cancelled(
    make_manager: MakeManager, fake_cache: FakeCache, clock: FakeClock
) -> None:
    fake_cache.synced.set()
    manager = make_manager(graceful_shutdown_timeout=5.0)
    slow = SlowReconciler(clock, duration=100.0)
    controller = add_controller(manager, slow)
    task = await start(manager)
    await clock.tick(0)
    controller.enqueue(KEY)
    await clock.tick(1)
    manager.stop()
    await clock.tick(4.9)
    assert not task.done()
    await clock.tick(0.2)
    assert task.done()
    assert task.exception() is None
    assert slow.cancelled == [KEY]


async def test_a_failing_runnable_stops_the_manager_and_is_reraised(
    make_manager: MakeManager, fake_cache: FakeCache, clock: FakeClock
) -> None:
    fake_cache.synced.set()
    manager = make_manager()
    rec = Recorder()

    async def broken() -> None:
        await clock.sleep(3)
        raise RuntimeError("broken runnable")

    manager.add_runnable(broken, needs_leader=False)
    manager.add_runnable(rec.runnable("other"), needs_leader=True)
    task = await start(manager)
    await clock.tick(5)
    assert task.done()
    with pytest.raises(RuntimeError, match="broken runnable"):
        task.result()
    assert rec.events == ["other started", "other stopped"]


async def test_non_leaders_run_standby_work_but_no_controllers(
    make_manager: MakeManager, fake_cache: FakeCache, leases: InMemoryLeases, clock: FakeClock
) -> None:
    fake_cache.synced.set()
    leader = make_manager(leader=True, identity="first")
    first = await start(leader)
    await clock.tick(0.1)
    assert leases.holder() == "first"

    second = make_manager(leader=True, identity="second")
    rec = Recorder()
    second.add_runnable(rec.runnable("standby"), needs_leader=False)
    second.add_runnable(rec.runnable("leader-only"), needs_leader=True)
    slow = SlowReconciler(clock, 1.0)
    controller = add_controller(second, slow)
    task = await start(second)
    controller.enqueue(KEY)
    await clock.tick(30)
    assert rec.events == ["standby started"]
    assert slow.started == []
    # The leader stops cleanly and releases the Lease: the second takes over promptly.
    leader.stop()
    await clock.tick(5)
    assert first.done()
    assert first.exception() is None
    assert leases.holder() == "second"
    assert rec.events == ["standby started", "leader-only started"]
    assert slow.finished == [KEY]
    second.stop()
    await clock.tick(1)
    assert task.done()
    assert task.exception() is None
    assert leases.holder() == ""


async def test_losing_the_lease_cancels_leader_work_at_once_and_raises(
    make_manager: MakeManager, fake_cache: FakeCache, leases: InMemoryLeases, clock: FakeClock
) -> None:
    fake_cache.synced.set()
    manager = make_manager(leader=True, graceful_shutdown_timeout=30.0)
    slow = SlowReconciler(clock, duration=1000.0)
    controller = add_controller(manager, slow)
    task = await start(manager)
    await clock.tick(0.1)
    controller.enqueue(KEY)
    await clock.tick(1)
    assert slow.started == [KEY]
    leases.fail = True
    await clock.tick(14)  # renew deadline 10 s (+ one retry period) < lease duration 15 s
    assert task.done()
    assert isinstance(task.exception(), LeaseLostError)
    assert slow.cancelled == [KEY]
    # The last successful write was the acquisition at t=0: a rival may take over at t=15.
    # Leader work must be gone before then (renew deadline 10 s after the first failed renew).
    assert 1.1 < slow.cancelled_at[0] < 15.0


async def test_duplicate_controller_names_and_late_registration_are_rejected(
    make_manager: MakeManager, fake_cache: FakeCache, clock: FakeClock
) -> None:
    manager = make_manager()
    add_controller(manager, SlowReconciler(clock, 1.0), name="x")
    with pytest.raises(ConfigurationError, match="duplicate"):
        add_controller(manager, SlowReconciler(clock, 1.0), name="x")
    fake_cache.synced.set()
    task = await start(manager)
    await clock.tick(0)
    with pytest.raises(ConfigurationError, match="already running"):
        manager.add_runnable(Recorder().runnable("late"), needs_leader=False)
    manager.stop()
    await clock.tick(0)
    assert task.done()
    with pytest.raises(ConfigurationError):
        await manager.run()


async def test_readiness_includes_cache_sync_and_cache_freshness(
    make_manager: MakeManager, fake_cache: FakeCache, clock: FakeClock
) -> None:
    manager = make_manager()
    assert [r.ok for r in await manager.readyz.run()] == [False, True]
    task = await start(manager)
    fake_cache.synced.set()
    await clock.tick(0)
    ready = [("cache-sync", True), ("cache-fresh", True)]
    assert [(r.name, r.ok) for r in await manager.readyz.run()] == ready
    fake_cache.stale.append(object())  # an informer that has heard nothing for too long
    stale = [("cache-sync", True), ("cache-fresh", False)]
    assert [(r.name, r.ok) for r in await manager.readyz.run()] == stale
    assert manager.readyz.render(await manager.readyz.run(), verbose=False)[0] == 500
    fake_cache.stale.clear()
    assert [(r.name, r.ok) for r in await manager.readyz.run()] == ready
    manager.stop()
    await clock.tick(0)
    assert task.done()
