"""Rate limiters: the exponential ladder, the token bucket on the clock, max-of."""

from __future__ import annotations

import pytest

from aim_engine.queue import (
    ItemExponentialRateLimiter,
    MaxOfRateLimiter,
    TokenBucketRateLimiter,
    default_controller_rate_limiter,
)
from aim_engine.testing import FakeClock


def test_exponential_ladder_5ms_doubling_capped_at_1000s() -> None:
    rl = ItemExponentialRateLimiter[str]()
    delays = [rl.when("a") for _ in range(25)]
    assert delays[:4] == pytest.approx([0.005, 0.01, 0.02, 0.04])
    assert delays[17] == pytest.approx(655.36)
    assert delays[18:] == [1000.0] * 7
    assert rl.num_requeues("a") == 25
    assert rl.when("b") == pytest.approx(0.005)  # per item


def test_exponential_forget_resets_and_huge_counts_do_not_overflow() -> None:
    rl = ItemExponentialRateLimiter[str](0.005, 1000.0)
    for _ in range(2000):
        rl.when("a")
    assert rl.when("a") == 1000.0
    rl.forget("a")
    assert rl.num_requeues("a") == 0
    assert rl.when("a") == pytest.approx(0.005)


def test_exponential_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError):
        ItemExponentialRateLimiter[str](0, 1)
    with pytest.raises(ValueError):
        ItemExponentialRateLimiter[str](2, 1)


def test_token_bucket_burst_then_rate() -> None:
    clock = FakeClock()
    rl = TokenBucketRateLimiter[str](10.0, 100, clock=clock)
    assert [rl.when("x") for _ in range(100)] == [0.0] * 100
    assert rl.when("x") == pytest.approx(0.1)
    assert rl.when("x") == pytest.approx(0.2)
    clock.advance(0.2)  # the debt of two tokens is paid
    assert rl.when("x") == pytest.approx(0.1)
    clock.advance(1000)  # refills to the burst, not beyond
    assert [rl.when("x") for _ in range(100)] == [0.0] * 100
    assert rl.when("x") == pytest.approx(0.1)
    assert rl.num_requeues("x") == 0
    rl.forget("x")


def test_max_of_takes_the_worst_case_and_forgets_everywhere() -> None:
    clock = FakeClock()
    slow = ItemExponentialRateLimiter[str](1.0, 100.0)
    fast = ItemExponentialRateLimiter[str](0.001, 100.0)
    rl = MaxOfRateLimiter(fast, slow)
    assert rl.when("a") == 1.0
    assert rl.when("a") == 2.0
    assert rl.num_requeues("a") == 2
    rl.forget("a")
    assert slow.num_requeues("a") == fast.num_requeues("a") == 0
    with pytest.raises(ValueError):
        MaxOfRateLimiter[str]()
    del clock


def test_default_controller_limiter_is_exponential_and_bucket() -> None:
    clock = FakeClock()
    rl = default_controller_rate_limiter(clock)
    # 100 distinct items fail at once: each gets its own 5 ms, the bucket absorbs the burst ...
    assert {rl.when(i) for i in range(100)} == {0.005}
    # ... then the bucket dominates: the 101st item waits 0.1 s although its own backoff is 5 ms.
    assert rl.when(100) == pytest.approx(0.1)
    assert rl.num_requeues(100) == 1
