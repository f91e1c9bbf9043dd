"""The reflector's backoff: 0.8 s doubling to 30 s, jitter bounds, reset after 2 healthy minutes."""

from __future__ import annotations

import asyncio
import random

import pytest

from aim_engine.cache import Backoff
from aim_engine.testing import FakeClock

LADDER = [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30.0, 30.0, 30.0]


def test_ladder_without_jitter() -> None:
    backoff = Backoff(FakeClock(), jitter=0.0)
    assert [round(backoff.next_delay(), 6) for _ in LADDER] == LADDER


@pytest.mark.parametrize("seed", range(5))
def test_jitter_stays_within_one_to_two_times_the_base(seed: int) -> None:
    backoff = Backoff(FakeClock(), rng=random.Random(seed))
    delays = [backoff.next_delay() for _ in LADDER]
    for base, delay in zip(LADDER, delays, strict=True):
        assert base <= delay < 2 * base
    assert len(set(delays)) == len(delays)  # actually random


def test_resets_after_two_healthy_minutes() -> None:
    clock = FakeClock()
    backoff = Backoff(clock, jitter=0.0)
    for _ in range(4):
        clock.advance(backoff.next_delay())
    clock.advance(119.0)  # healthy, but not long enough
    assert backoff.next_delay() == pytest.approx(12.8)
    clock.advance(12.8 + 120.0)
    assert backoff.next_delay() == pytest.approx(0.8)
    assert backoff.next_delay() == pytest.approx(1.6)
    backoff.reset()
    assert backoff.next_delay() == pytest.approx(0.8)


async def test_wait_sleeps_on_the_clock() -> None:
    clock = FakeClock()
    backoff = Backoff(clock, jitter=0.0)
    task = asyncio.ensure_future(backoff.wait())
    await clock.settle()
    assert clock.next_deadline() == pytest.approx(0.8)
    await clock.tick(0.8)
    assert task.done()
    assert task.result() == pytest.approx(0.8)
