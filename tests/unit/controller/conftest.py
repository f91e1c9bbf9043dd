"""Fixtures for controller unit tests: a controller on a real WorkQueue and a FakeClock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from prometheus_client import CollectorRegistry

from aim_engine.controller import Controller, Request, Result, new_controller_metrics
from aim_engine.log import ContextFilter
from aim_engine.queue import ItemExponentialRateLimiter, WorkQueue
from aim_engine.testing import FakeClock

ReconcileFn = Callable[[Request], Awaitable[Result]]


@dataclass
class Recorder:
    """A reconciler that records calls (with clock time) and delegates to a behaviour."""

    clock: FakeClock
    behaviour: ReconcileFn | None = None
    calls: list[tuple[float, Request]] = field(default_factory=list)

    async def reconcile(self, request: Request) -> Result:
        self.calls.append((self.clock.monotonic(), request))
        if self.behaviour is None:
            return Result()
        return await self.behaviour(request)

    def times(self) -> list[float]:
        return [t for t, _ in self.calls]


@dataclass
class Harness:
    clock: FakeClock
    registry: CollectorRegistry
    reconciler: Recorder
    controller: Controller

    def sample(self, name: str, **labels: str) -> float | None:
        labels.setdefault("controller", self.controller.name)
        return self.registry.get_sample_value(name, labels)

    def result(self, result: str) -> float | None:
        return self.sample("controller_runtime_reconcile_total", result=result)


MakeHarness = Callable[..., Harness]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1000.0)


@pytest.fixture
async def make_harness(clock: FakeClock) -> AsyncIterator[MakeHarness]:
    """Build and run controllers; they are shut down and awaited at teardown."""
    tasks: list[tuple[Controller, asyncio.Task[None]]] = []

    def make(
        behaviour: ReconcileFn | None = None,
        *,
        max_concurrent_reconciles: int = 1,
        reconcile_timeout: float | None = None,
        name: str = "test",
    ) -> Harness:
        registry = CollectorRegistry()
        queue: WorkQueue[Request] = WorkQueue(
            clock=clock,
            rate_limiter=ItemExponentialRateLimiter(0.005, 1000.0),
            name=name,
            registry=registry,
        )
        recorder = Recorder(clock, behaviour)
        controller = Controller(
            name=name,
            kind="ConfigMap",
            reconciler=recorder,
            queue=queue,
            clock=clock,
            metrics=new_controller_metrics(registry).bind(name, max_concurrent_reconciles),
            max_concurrent_reconciles=max_concurrent_reconciles,
            reconcile_timeout=reconcile_timeout,
        )
        tasks.append((controller, asyncio.get_running_loop().create_task(controller.run())))
        return Harness(clock, registry, recorder, controller)

    yield make
    for controller, task in tasks:
        controller.shutdown()
        await clock.tick(0)
        if not task.done():
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.fixture
def context_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog with the ContextFilter installed on its handler, capturing DEBUG and up."""
    caplog.handler.addFilter(ContextFilter())
    caplog.set_level(logging.DEBUG, logger="aim_engine")
    return caplog
