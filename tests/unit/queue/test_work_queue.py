"""WorkQueue semantics: dedupe, one worker per key, re-add during processing, delays, priorities."""

from __future__ import annotations

import asyncio
import random

import pytest

from aim_engine.queue import (
    LOW_PRIORITY,
    ItemExponentialRateLimiter,
    QueueShutDown,
    WorkQueue,
)
from aim_engine.testing import FakeClock


def make(clock: FakeClock | None = None) -> WorkQueue[str]:
    return WorkQueue[str](clock=clock or FakeClock())


def drain_nowait(q: WorkQueue[str]) -> list[str]:
    out = []
    while len(q):
        item = q.get_nowait()
        out.append(item)
        q.done(item)
    return out


async def test_dedupes_queued_keys_and_keeps_fifo_order() -> None:
    q = make()
    for key in ["a", "b", "a", "c", "b"]:
        q.add(key)
    assert len(q) == 3
    assert drain_nowait(q) == ["a", "b", "c"]
    with pytest.raises(asyncio.QueueEmpty):
        q.get_nowait()


async def test_readd_during_processing_runs_exactly_once_more_after_done() -> None:
    q = make()
    q.add("a")
    item = await q.get()
    for _ in range(5):
        q.add("a")
    # Held by a worker: nobody else may get it.
    assert len(q) == 0
    with pytest.raises(asyncio.QueueEmpty):
        q.get_nowait()
    q.done(item)
    assert len(q) == 1
    assert await q.get() == "a"
    q.done("a")
    assert len(q) == 0


async def test_never_two_workers_on_one_key_under_concurrency() -> None:
    clock = FakeClock()
    q = WorkQueue[int](clock=clock)
    rng = random.Random(7)
    active: set[int] = set()
    overlaps = 0
    rounds: dict[int, int] = {}

    async def worker() -> None:
        nonlocal overlaps
        while True:
            try:
                key = await q.get()
            except QueueShutDown:
                return
            if key in active:
                overlaps += 1
            active.add(key)
            rounds[key] = rounds.get(key, 0) + 1
            for _ in range(rng.randrange(3)):
                await asyncio.sleep(0)
            active.discard(key)
            q.done(key)

    async def producer() -> None:
        for _ in range(5000):
            q.add(rng.randrange(20))
            if rng.random() < 0.5:
                await asyncio.sleep(0)
        await q.shutdown_with_drain()

    async with asyncio.TaskGroup() as tg:
        for _ in range(16):
            tg.create_task(worker())
        tg.create_task(producer())
    assert overlaps == 0
    assert set(rounds) == set(range(20))
    assert q.statistics().processing == 0


async def test_higher_priority_first_fifo_within_priority() -> None:
    q = make()
    q.add("low1", priority=LOW_PRIORITY)
    q.add("n1")
    q.add("low2", priority=LOW_PRIORITY)
    q.add("hi", priority=10)
    q.add("n2")
    assert drain_nowait(q) == ["hi", "n1", "n2", "low1", "low2"]


async def test_readd_with_higher_priority_moves_to_end_of_new_level() -> None:
    q = make()
    q.add("a", priority=LOW_PRIORITY)
    q.add("b")
    q.add("c", priority=LOW_PRIORITY)
    q.add("a")  # raised from LOW to 0: behind b
    q.add("c", priority=LOW_PRIORITY)  # same priority: no change
    q.add("b", priority=LOW_PRIORITY)  # lower priority never demotes
    assert len(q) == 3
    assert drain_nowait(q) == ["b", "a", "c"]
    # The stale entry of "a" in the low deque must not produce a second round later.
    q.add("a", priority=LOW_PRIORITY)
    q.add("z", priority=LOW_PRIORITY)
    assert drain_nowait(q) == ["a", "z"]
    assert len(q) == 0


async def test_priority_raised_while_processing_applies_to_the_next_round() -> None:
    q = make()
    q.add("a")
    q.add("b")
    first = await q.get()
    assert first == "a"
    q.add("a", priority=LOW_PRIORITY)
    q.add("a", priority=5)
    q.done("a")
    assert drain_nowait(q) == ["a", "b"]


async def test_get_blocks_until_add() -> None:
    q = make()
    getter = asyncio.create_task(q.get())
    await asyncio.sleep(0)
    assert not getter.done()
    q.add("x")
    assert await getter == "x"


async def test_cancelled_getter_does_not_swallow_an_item() -> None:
    q = make()
    g1 = asyncio.create_task(q.get())
    g2 = asyncio.create_task(q.get())
    await asyncio.sleep(0)
    q.add("x")  # wakes g1 ...
    g1.cancel()  # ... which is cancelled before it runs: g2 must get the item
    assert await g2 == "x"
    with pytest.raises(asyncio.CancelledError):
        await g1


async def test_add_after_fires_on_the_clock() -> None:
    clock = FakeClock()
    q = make(clock)
    q.add_after("a", 5)
    await clock.tick(4.9)
    assert len(q) == 0
    await clock.tick(0.1)
    assert len(q) == 1
    assert await q.get() == "a"
    q.shutdown()


async def test_delayed_add_earliest_wins() -> None:
    clock = FakeClock()
    q = make(clock)
    q.add_after("a", 10)
    q.add_after("a", 3)
    q.add_after("a", 7)
    await clock.tick(3)
    assert drain_nowait(q) == ["a"]
    await clock.tick(20)
    assert len(q) == 0  # the 7 s and 10 s entries were superseded
    assert q.statistics().waiting == 0
    q.shutdown()


async def test_immediate_add_cancels_pending_delay() -> None:
    clock = FakeClock()
    q = make(clock)
    q.add_after("a", 5)
    q.add("a")
    assert drain_nowait(q) == ["a"]
    await clock.tick(10)
    assert len(q) == 0
    q.shutdown()


async def test_delayed_add_of_a_queued_key_keeps_it_queued_once() -> None:
    clock = FakeClock()
    q = make(clock)
    q.add("a")
    q.add_after("a", 5)
    await clock.tick(10)
    assert drain_nowait(q) == ["a"]


async def test_delayed_items_become_ready_in_deadline_order_with_their_priority() -> None:
    clock = FakeClock()
    q = make(clock)
    q.add_after("late", 2)
    q.add_after("early", 1)
    q.add_after("low", 0.5, priority=LOW_PRIORITY)
    await clock.tick(3)
    assert drain_nowait(q) == ["early", "late", "low"]
    q.shutdown()


async def test_blocked_getter_receives_delayed_item() -> None:
    clock = FakeClock()
    q = make(clock)
    q.add_after("a", 30)
    getter = asyncio.create_task(q.get())
    await clock.tick(29)
    assert not getter.done()
    await clock.tick(1)
    assert getter.done()
    assert getter.result() == "a"
    q.shutdown()


async def test_no_waiter_when_nothing_waits() -> None:
    clock = FakeClock()
    q = make(clock)
    q.add_after("a", 1)
    await clock.tick(1)
    assert clock.sleepers == 0  # the waiter sleeps only while something waits
    q.add_after("b", 1)
    q.add("b")
    await clock.tick(0)
    await clock.tick(5)
    assert clock.sleepers == 0
    q.shutdown()


async def test_add_rate_limited_uses_the_limiter_and_forget_resets() -> None:
    clock = FakeClock()
    q = WorkQueue[str](clock=clock, rate_limiter=ItemExponentialRateLimiter(1.0, 100.0))
    q.add_rate_limited("a")  # 1 s
    await clock.tick(1)
    assert drain_nowait(q) == ["a"]
    q.add_rate_limited("a")  # 2 s
    await clock.tick(1.5)
    assert len(q) == 0
    await clock.tick(0.5)
    assert drain_nowait(q) == ["a"]
    assert q.num_requeues("a") == 2
    q.forget("a")
    assert q.num_requeues("a") == 0
    q.shutdown()


async def test_shutdown_rejects_adds_and_drains_ready_items() -> None:
    q = make()
    q.add("a")
    q.shutdown()
    q.add("b")
    assert q.is_shutting_down()
    assert await q.get() == "a"
    q.done("a")
    with pytest.raises(QueueShutDown):
        await q.get()


async def test_shutdown_wakes_blocked_getters() -> None:
    q = make()
    getters = [asyncio.create_task(q.get()) for _ in range(3)]
    await asyncio.sleep(0)
    q.shutdown()
    results = await asyncio.gather(*getters, return_exceptions=True)
    assert all(isinstance(r, QueueShutDown) for r in results)


async def test_shutdown_with_drain_waits_for_in_flight_items() -> None:
    clock = FakeClock()
    q = make(clock)
    q.add("a")
    item = await q.get()
    drain = asyncio.create_task(q.shutdown_with_drain())
    await clock.tick(60)
    assert not drain.done()
    q.done(item)
    await clock.tick()
    assert drain.done()
    await drain


async def test_shutdown_drops_pending_delays() -> None:
    clock = FakeClock()
    q = make(clock)
    q.add_after("a", 1)
    await clock.tick()
    assert clock.sleepers == 1
    q.shutdown()
    await clock.tick(5)
    assert len(q) == 0
    assert clock.sleepers == 0


async def test_delay_added_without_running_loop_starts_on_get() -> None:
    clock = FakeClock()
    q = make(clock)

    def sync_add() -> None:
        q.add_after("a", 2)

    await asyncio.get_running_loop().run_in_executor(None, sync_add)
    getter = asyncio.create_task(q.get())
    await clock.tick(2)
    assert getter.done()
    assert getter.result() == "a"
    q.shutdown()


async def test_get_with_priority_reports_the_queued_priority() -> None:
    q = make()
    q.add("low", priority=LOW_PRIORITY)
    q.add("hi", priority=3)
    assert await q.get_with_priority() == ("hi", 3)
    assert await q.get_with_priority() == ("low", LOW_PRIORITY)


async def test_many_superseded_delays_fire_once_at_the_earliest_deadline() -> None:
    clock = FakeClock()
    q = make(clock)
    for i in range(200):  # each add moves the deadline earlier: the heap is compacted on the way
        q.add_after("a", 1000.0 - i)
        q.add_after(f"k{i % 3}", 500.0)
    await clock.tick(801.0)
    assert drain_nowait(q) == ["k0", "k1", "k2", "a"]
    await clock.tick(1000.0)
    assert len(q) == 0
    assert clock.sleepers == 0
