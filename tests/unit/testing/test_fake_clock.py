"""FakeClock: virtual time, wake-up order, tick, autojump (also with real loopback I/O)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from aiohttp import ClientSession, web

from aim_engine.clock import Clock
from aim_engine.testing import FakeClock


def test_is_a_clock_and_wall_time_moves_with_monotonic() -> None:
    start = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
    clock = FakeClock(100.0, wall_start=start)
    assert isinstance(clock, Clock)
    assert clock.monotonic() == 100.0
    assert clock.now() == start
    clock.advance(2.5)
    assert clock.monotonic() == 102.5
    assert clock.now() == start + dt.timedelta(seconds=2.5)
    assert clock.now().tzinfo is not None


def test_rejects_naive_wall_start_and_negative_advance() -> None:
    with pytest.raises(ValueError):
        FakeClock(wall_start=dt.datetime(2025, 1, 1))
    with pytest.raises(ValueError):
        FakeClock().advance(-1)


async def test_sleep_returns_only_when_deadline_reached() -> None:
    clock = FakeClock()
    task = asyncio.create_task(clock.sleep(5))
    await clock.settle()
    assert clock.sleepers == 1
    assert clock.next_deadline() == 5
    clock.advance(4.999)
    await clock.settle()
    assert not task.done()
    clock.advance(0.001)
    await clock.settle()
    assert task.done()
    assert clock.sleepers == 0
    assert clock.next_deadline() is None


async def test_advance_wakes_in_deadline_order() -> None:
    clock = FakeClock()
    order: list[int] = []

    async def sleeper(n: int) -> None:
        await clock.sleep(n)
        order.append(n)

    tasks = [asyncio.create_task(sleeper(n)) for n in (3, 1, 2, 10)]
    await clock.settle()
    clock.advance(5)
    await clock.settle()
    assert order == [1, 2, 3]
    assert clock.sleepers == 1
    tasks[-1].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert clock.sleepers == 0


async def test_tick_steps_through_deadlines_so_periodic_loops_fire_each_period() -> None:
    clock = FakeClock()
    seen: list[float] = []

    async def every_two_seconds() -> None:
        while True:
            await clock.sleep(2)
            seen.append(clock.monotonic())

    task = asyncio.create_task(every_two_seconds())
    await clock.tick(7)
    assert seen == [2, 4, 6]
    assert clock.monotonic() == 7
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_zero_sleep_yields() -> None:
    clock = FakeClock()
    await clock.sleep(0)
    assert clock.monotonic() == 0


async def test_autojump_runs_long_sleeps_instantly() -> None:
    clock = FakeClock()
    async with clock.autojump():
        await clock.sleep(1000)
        await asyncio.wait_for(asyncio.shield(clock.sleep(3600)), timeout=5)
    assert clock.monotonic() == 4600


async def test_autojump_flag_starts_on_first_sleep() -> None:
    clock = FakeClock(autojump=True)
    await clock.sleep(30)
    assert clock.monotonic() == 30
    await clock.stop_autojump()


async def test_autojump_does_not_jump_while_loopback_io_is_in_flight() -> None:
    clock = FakeClock()

    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="pong")

    app = web.Application()
    app.router.add_get("/ping", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    timer = asyncio.create_task(clock.sleep(10))
    try:
        async with clock.autojump(), ClientSession() as session:
            for _ in range(20):
                async with session.get(f"http://127.0.0.1:{port}/ping") as resp:
                    assert await resp.text() == "pong"
            # Many requests completed; a lone 10 s timer never had a reason to fire early.
            assert clock.monotonic() == 0
            assert not timer.done()
            await timer
            assert clock.monotonic() == 10
    finally:
        await runner.cleanup()


async def test_autojump_holds_still_while_a_worker_thread_runs() -> None:
    clock = FakeClock()
    timer = asyncio.create_task(clock.sleep(10))

    def cpu_work() -> int:
        return sum(range(3_000_000))  # tens of ms in a thread: many idle loop cycles

    async with clock.autojump(threshold=5):
        assert await asyncio.to_thread(cpu_work) > 0
        assert clock.monotonic() == 0
        assert not timer.done()
        await timer
    assert clock.monotonic() == 10
