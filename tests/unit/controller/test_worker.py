"""The worker loop: outcome handling, timing, backoff, timeouts, concurrency, log context."""

from __future__ import annotations

import asyncio
import itertools
import logging

import pytest

from aim_engine.controller import Request, Result
from aim_engine.errors import (
    ConflictError,
    DependencyNotReadyError,
    InvalidSpecError,
    RetryableError,
    ServerError,
    TooManyRequestsError,
)
from aim_engine.testing import FakeClock
from tests.unit.controller.conftest import MakeHarness

KEY = Request("ns", "a")


async def test_success_reconciles_once_and_counts_success(make_harness: MakeHarness) -> None:
    h = make_harness()
    h.controller.enqueue(KEY)
    await h.clock.tick(3600)
    assert [r for _, r in h.reconciler.calls] == [KEY]
    assert h.result("success") == 1
    assert h.result("error") == 0
    assert h.sample("controller_runtime_reconcile_time_seconds_count") == 1


async def test_requeue_after_reconciles_again_after_exactly_that_delay(
    make_harness: MakeHarness,
) -> None:
    async def again(_: Request) -> Result:
        return Result(requeue_after=30.0)

    h = make_harness(again)
    h.controller.enqueue(KEY)
    await h.clock.tick(29.9)
    assert len(h.reconciler.calls) == 1
    await h.clock.tick(0.2)
    assert h.reconciler.times() == [1000.0, 1030.0]
    assert h.result("requeue_after") == 2


async def test_retryable_error_backs_off_exponentially(make_harness: MakeHarness) -> None:
    async def fail(_: Request) -> Result:
        raise RetryableError("not yet")

    h = make_harness(fail)
    h.controller.enqueue(KEY)
    await h.clock.tick(0.3)
    times = h.reconciler.times()
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(times)]
    assert gaps[:5] == [0.005, 0.01, 0.02, 0.04, 0.08]
    assert h.result("error") == len(times)
    assert h.sample("controller_runtime_reconcile_errors_total") == len(times)
    assert h.sample("aim_engine_reconcile_errors_by_category_total", category="retryable") == len(
        times
    )


async def test_success_after_errors_resets_backoff(make_harness: MakeHarness) -> None:
    outcomes = [RetryableError("x"), RetryableError("x"), None, RetryableError("x")]

    async def script(_: Request) -> Result:
        exc = outcomes.pop(0) if outcomes else None
        if exc is not None:
            raise exc
        return Result()

    h = make_harness(script)
    h.controller.enqueue(KEY)
    await h.clock.tick(1)
    h.controller.enqueue(KEY)
    await h.clock.tick(1)
    times = h.reconciler.times()
    assert round(times[1] - times[0], 6) == 0.005
    assert round(times[2] - times[1], 6) == 0.01
    # After the success the limiter forgot the key: the next failure waits the base delay again.
    assert round(times[4] - times[3], 6) == 0.005


async def test_retryable_error_with_requeue_after_uses_that_delay(
    make_harness: MakeHarness,
) -> None:
    async def wait(_: Request) -> Result:
        raise DependencyNotReadyError("TemplateNotReady", requeue_after=15.0)

    h = make_harness(wait)
    h.controller.enqueue(KEY)
    await h.clock.tick(31)
    assert h.reconciler.times() == [1000.0, 1015.0, 1030.0]
    # Waiting on a dependency is not an error for dashboards.
    assert h.result("error") == 0
    assert h.result("requeue_after") == 3


async def test_terminal_error_is_counted_and_never_retried(make_harness: MakeHarness) -> None:
    async def bad(_: Request) -> Result:
        raise InvalidSpecError("spec.model is empty")

    h = make_harness(bad)
    h.controller.enqueue(KEY)
    await h.clock.tick(5000)
    assert len(h.reconciler.calls) == 1
    assert h.sample("controller_runtime_terminal_reconcile_errors_total") == 1
    assert h.sample("controller_runtime_reconcile_errors_total") == 1
    assert h.result("error") == 1
    assert h.controller.queue.num_requeues(KEY) == 0


async def test_conflict_requeues_quickly_without_counting_an_error(
    make_harness: MakeHarness,
) -> None:
    calls = 0

    async def conflict_once(_: Request) -> Result:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConflictError(409, "Conflict", "the object has been modified")
        return Result()

    h = make_harness(conflict_once)
    h.controller.enqueue(KEY)
    await h.clock.tick(0.005)
    assert h.reconciler.times() == [1000.0, 1000.005]
    assert h.result("requeue") == 1
    assert h.result("error") == 0
    assert h.sample("aim_engine_reconcile_errors_by_category_total", category="conflict") == 1


async def test_throttled_error_honours_retry_after(make_harness: MakeHarness) -> None:
    calls = 0

    async def throttled(_: Request) -> Result:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise TooManyRequestsError(429, "TooManyRequests", "slow down", retry_after=7.0)
        return Result()

    h = make_harness(throttled)
    h.controller.enqueue(KEY)
    await h.clock.tick(10)
    assert h.reconciler.times() == [1000.0, 1007.0]


async def test_unexpected_exception_is_logged_retried_and_does_not_kill_the_worker(
    make_harness: MakeHarness, context_logs: pytest.LogCaptureFixture
) -> None:
    async def boom(request: Request) -> Result:
        if request.name == "a":
            raise ZeroDivisionError("oops")
        return Result()

    h = make_harness(boom)
    h.controller.enqueue(KEY)
    await h.clock.tick(0)
    h.controller.enqueue(Request("ns", "b"))
    await h.clock.tick(0.004)
    assert Request("ns", "b") in [r for _, r in h.reconciler.calls]
    assert h.sample("aim_engine_reconcile_errors_by_category_total", category="unknown") == 1
    assert h.sample("controller_runtime_reconcile_panics_total") == 0
    await h.clock.tick(0.001)
    assert [r for _, r in h.reconciler.calls].count(KEY) == 2
    failed = [r for r in context_logs.records if r.exc_info and r.levelno == logging.ERROR]
    assert failed
    assert failed[0].__dict__["log_context"]["name"] == "a"
    assert failed[0].__dict__["namespace"] == "ns"
    assert failed[0].__dict__["category"] == "unknown"
    assert [r.__dict__["attempt"] for r in failed if r.__dict__["log_context"]["name"] == "a"] == [
        1,
        2,
    ]


async def test_server_error_is_an_error_with_backoff(make_harness: MakeHarness) -> None:
    async def down(_: Request) -> Result:
        raise ServerError(503, "ServiceUnavailable", "etcd")

    h = make_harness(down)
    h.controller.enqueue(KEY)
    await h.clock.tick(0.006)
    assert len(h.reconciler.calls) == 2
    assert h.sample("aim_engine_reconcile_errors_by_category_total", category="server") == 2


async def test_reconcile_timeout_cancels_and_retries(make_harness: MakeHarness) -> None:
    cancelled = 0

    async def slow(_: Request) -> Result:
        nonlocal cancelled
        try:
            await h.clock.sleep(100)
        except asyncio.CancelledError:
            cancelled += 1
            raise
        return Result()

    h = make_harness(slow, reconcile_timeout=10.0)
    h.controller.enqueue(KEY)
    await h.clock.tick(10.001)
    assert cancelled == 1
    assert h.sample("controller_runtime_reconcile_timeouts_total") == 1
    assert h.sample("aim_engine_reconcile_errors_by_category_total", category="timeout") == 1
    assert len(h.reconciler.calls) == 1
    await h.clock.tick(0.005)
    assert len(h.reconciler.calls) == 2


async def test_fast_reconcile_under_a_timeout_is_not_cut(make_harness: MakeHarness) -> None:
    async def quick(_: Request) -> Result:
        await h.clock.sleep(5)
        return Result()

    h = make_harness(quick, reconcile_timeout=10.0)
    h.controller.enqueue(KEY)
    await h.clock.tick(60)
    assert h.result("success") == 1
    assert h.sample("controller_runtime_reconcile_timeouts_total") == 0


async def test_never_two_workers_on_one_key_and_one_rerun_after_readd(
    make_harness: MakeHarness, clock: FakeClock
) -> None:
    running: set[Request] = set()
    overlap = []
    peak = 0

    async def slow(request: Request) -> Result:
        nonlocal peak
        if request in running:
            overlap.append(request)
        running.add(request)
        peak = max(peak, len(running))
        await clock.sleep(1)
        running.discard(request)
        return Result()

    h = make_harness(slow, max_concurrent_reconciles=4)
    keys = [Request("ns", f"k{i}") for i in range(3)]
    for k in keys:
        h.controller.enqueue(k)
    await clock.tick(0.5)
    assert h.sample("controller_runtime_active_workers") == 3
    for _ in range(5):
        for k in keys:
            h.controller.enqueue(k)
    await clock.tick(10)
    assert overlap == []
    assert peak == 3
    for k in keys:
        assert [r for _, r in h.reconciler.calls].count(k) == 2
    assert h.sample("controller_runtime_active_workers") == 0
    assert h.sample("controller_runtime_max_concurrent_reconciles") == 4


async def test_shutdown_lets_the_running_reconcile_finish_and_skips_queued_keys(
    make_harness: MakeHarness, clock: FakeClock
) -> None:
    finished = []

    async def slow(request: Request) -> Result:
        await clock.sleep(5)
        finished.append(request)
        return Result()

    h = make_harness(slow)
    run = next(t for t in asyncio.all_tasks() if "Controller.run" in repr(t.get_coro()))
    h.controller.enqueue(KEY)
    h.controller.enqueue(Request("ns", "queued"))
    await clock.tick(1)
    h.controller.shutdown()
    await clock.tick(1)
    assert not run.done()
    await clock.tick(4)
    assert finished == [KEY]
    assert run.done()
    assert run.exception() is None


async def test_cancelling_the_controller_cancels_the_reconcile(
    make_harness: MakeHarness, clock: FakeClock
) -> None:
    seen = []

    async def slow(_: Request) -> Result:
        try:
            await clock.sleep(100)
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise
        return Result()

    h = make_harness(slow)
    run = next(t for t in asyncio.all_tasks() if "Controller.run" in repr(t.get_coro()))
    h.controller.enqueue(KEY)
    await clock.tick(1)
    run.cancel()
    await clock.tick(0)
    assert run.cancelled()
    assert seen == ["cancelled"]
    assert h.sample("controller_runtime_active_workers") == 0


async def test_every_log_record_of_a_reconcile_carries_the_key_and_reconcile_id(
    make_harness: MakeHarness, context_logs: pytest.LogCaptureFixture
) -> None:
    user_log = logging.getLogger("aim_engine.test.user")

    async def logs(_: Request) -> Result:
        user_log.info("doing work")
        return Result()

    h = make_harness(logs)
    h.controller.enqueue(KEY)
    h.controller.enqueue(Request("ns", "b"))
    await h.clock.tick(0)
    mine = [r for r in context_logs.records if r.getMessage() == "doing work"]
    assert len(mine) == 2
    for record in mine:
        assert record.__dict__["controller"] == "test"
        assert record.__dict__["kind"] == "ConfigMap"
        assert record.__dict__["namespace"] == "ns"
    assert [r.__dict__["log_context"]["name"] for r in mine] == ["a", "b"]
    ids = {r.__dict__["reconcile_id"] for r in mine}
    assert len(ids) == 2
