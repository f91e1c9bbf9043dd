"""pytest fixtures that run a Manager against the test's API server on a virtual clock.

With these a controller is tested end to end (real informers, queue, workers, client and HTTP on
loopback) in milliseconds: the manager runs on a :class:`~aim_engine.testing.FakeClock` with
autojump, so queue delays, backoff and requeues take no real time.

* ``fake_clock``: a fresh :class:`~aim_engine.testing.FakeClock`.
* ``aim_client``: an :class:`aim_engine.client.Client` for the ``kube`` fixture's kubeconfig, with
  a private Prometheus registry (``aim_client_registry``).
* ``manager_factory``: a :class:`ManagerFactory`; ``manager_factory()`` builds a
  :class:`~aim_engine.manager.Manager` (metrics and probe servers off, a short grace period, on
  ``fake_clock``, or on the system clock against a real API server), ``async with
  manager_factory.running(manager)`` runs it in a task, waits for the caches to sync and stops it
  cleanly on exit, and ``await manager_factory.eventually(check)`` polls a condition.

The fixture functions have private names and register under public ones (``@fixture(name=...)``),
so importing them into a plugin or a ``conftest.py`` never clashes with a test's parameters::

    from aim_engine.testing.fixtures import *  # noqa: F403 (registers the fixtures)

See ``docs/concepts/testing-kit.md``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio
from prometheus_client import CollectorRegistry

from aim_engine.client import Client
from aim_engine.clock import Clock, SystemClock
from aim_engine.leader import LeaderElectionConfig
from aim_engine.manager import Manager
from aim_engine.testing.clock import FakeClock

if TYPE_CHECKING:
    from aim_engine.testing.pytest_plugin import TestCluster

__all__ = [
    "ManagerFactory",
    "ManagerStartError",
    "aim_client_fixture",
    "aim_client_registry_fixture",
    "eventually",
    "fake_clock_fixture",
    "manager_factory_fixture",
]


class ManagerStartError(AssertionError):
    """The manager stopped (or failed) before its caches synced."""


async def eventually(
    clock: Clock | None,
    check: Callable[[], Any],
    *,
    timeout: float = 30.0,
    interval: float = 0.05,
    message: str = "condition not met in time",
) -> Any:
    """Poll ``check`` until it returns something truthy, and return that.

    Args:
        clock: the clock to wait on: a :class:`FakeClock` (virtual seconds; run it with
            autojump) or any other :class:`~aim_engine.clock.Clock`. ``None`` waits on the
            event loop's real clock, for tests that drive real processes.
        check: a function returning a value, or an awaitable of one; exceptions propagate.
        timeout: seconds (on ``clock``) before giving up.
        interval: seconds between polls.
        message: the assertion message on timeout.

    Returns:
        The first truthy value ``check`` produced.

    Raises:
        AssertionError: ``timeout`` passed first.
    """
    loop = asyncio.get_running_loop()

    def now() -> float:
        return clock.monotonic() if clock is not None else loop.time()

    deadline = now() + timeout
    while True:
        outcome = check()
        if asyncio.iscoroutine(outcome) or isinstance(outcome, asyncio.Future):
            outcome = await outcome
        if outcome:
            return outcome
        if now() >= deadline:
            raise AssertionError(message)
        await (clock.sleep(interval) if clock is not None else asyncio.sleep(interval))


class ManagerFactory:
    """Builds managers wired to the test's client and clock, and runs them for a test.

    Args:
        client: the API client every manager shares.
        clock: the clock every manager runs on: a :class:`FakeClock` (autojumped while a
            manager runs) or, against an API server in another process, a real clock.
    """

    def __init__(self, client: Client, clock: Clock) -> None:
        self.client = client
        self.clock = clock
        self._tasks: list[asyncio.Task[None]] = []

    def __call__(
        self,
        *,
        registry: CollectorRegistry | None = None,
        leader_election: LeaderElectionConfig | None = None,
        graceful_shutdown_timeout: float | None = 5.0,
        cache_sync_timeout: float = 30.0,
        metrics_bind_address: str | None = "0",
        health_probe_bind_address: str | None = None,
        **options: Any,
    ) -> Manager:
        """A new manager on the factory's client and clock (HTTP servers off by default).

        Args:
            registry: its Prometheus registry (a fresh one by default).
            leader_election: Lease settings (none by default: controllers start at once).
            graceful_shutdown_timeout: virtual seconds reconciles get to finish on stop.
            cache_sync_timeout: virtual seconds to wait for the caches.
            metrics_bind_address: ``"0"`` (the default) disables ``/metrics``.
            health_probe_bind_address: ``None`` (the default) disables the probes.
            **options: any other :class:`~aim_engine.manager.Manager` keyword.
        """
        return Manager(
            self.client,
            clock=self.clock,
            registry=registry if registry is not None else CollectorRegistry(),
            leader_election=leader_election,
            graceful_shutdown_timeout=graceful_shutdown_timeout,
            cache_sync_timeout=cache_sync_timeout,
            metrics_bind_address=metrics_bind_address,
            health_probe_bind_address=health_probe_bind_address,
            **options,
        )

    @contextlib.asynccontextmanager
    async def running(
        self, manager: Manager, *, autojump: bool = True, wait_synced: bool = True
    ) -> AsyncIterator[Manager]:
        """Run ``manager`` for the ``async with`` block, then stop it and wait for it to end.

        Register controllers before entering. On exit the manager is stopped gracefully and
        awaited, so none of its tasks outlive the block; an error :meth:`Manager.run` raised
        (a failing runnable, a lost Lease) is re-raised there.

        Args:
            manager: a manager that has not run yet.
            autojump: with a :class:`FakeClock`, run its autojump for the block (virtual time
                flies whenever the loop is idle); ``False`` leaves time to the test.
            wait_synced: return from ``__aenter__`` only once the caches synced.

        Raises:
            ManagerStartError: the manager ended before its caches synced.
        """
        clock = self.clock
        jump = (
            clock.autojump()
            if autojump and isinstance(clock, FakeClock)
            else contextlib.nullcontext(clock)
        )
        async with jump:
            task = asyncio.create_task(manager.run(), name="aim-engine-test-manager")
            self._tasks.append(task)
            try:
                if wait_synced:
                    await self._wait_synced(manager, task)
                yield manager
            finally:
                manager.stop()
                try:
                    await task
                finally:
                    self._tasks.remove(task)

    async def _wait_synced(self, manager: Manager, task: asyncio.Task[None]) -> None:
        # The manager's own "cache-sync" readiness check turns true in the same step that
        # starts the controllers.
        while not all(r.ok for r in await manager.readyz.run(only="cache-sync")):
            if task.done():
                task.result()  # re-raise its error, if any
                raise ManagerStartError("the manager stopped before its caches synced")
            await self.clock.sleep(0.01)

    async def eventually(
        self, check: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.05
    ) -> Any:
        """:func:`eventually` on the factory's clock."""
        return await eventually(self.clock, check, timeout=timeout, interval=interval)

    async def aclose(self) -> None:
        """Cancel managers a test left running (``running`` normally stops them)."""
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()


@pytest_asyncio.fixture(name="fake_clock")
async def fake_clock_fixture() -> AsyncIterator[FakeClock]:
    """A fresh virtual clock at ``monotonic() == 0`` (its autojump is stopped afterwards)."""
    clock = FakeClock()
    try:
        yield clock
    finally:
        await clock.stop_autojump()


@pytest.fixture(name="aim_client_registry")
def aim_client_registry_fixture() -> CollectorRegistry:
    """The private Prometheus registry of ``aim_client`` (REST client metrics land here)."""
    return CollectorRegistry()


@pytest_asyncio.fixture(name="aim_client")
async def aim_client_fixture(
    kube: TestCluster, aim_client_registry: CollectorRegistry
) -> AsyncIterator[Client]:
    """An :class:`aim_engine.client.Client` for the test's API server (closed afterwards)."""
    async with await Client.from_kubeconfig(
        kube.kubeconfig_path, registry=aim_client_registry
    ) as client:
        yield client


@pytest_asyncio.fixture(name="manager_factory")
async def manager_factory_fixture(
    kube: TestCluster, aim_client: Client, fake_clock: FakeClock
) -> AsyncIterator[ManagerFactory]:
    """A :class:`ManagerFactory` on ``aim_client``.

    Its clock is ``fake_clock`` on the in-process fake API server, and the system clock on a
    real one: autojump moves virtual time whenever the event loop is idle, and a loop waiting for
    another process's answer is idle, so virtual timeouts would expire before the server replies.
    """
    clock: Clock = fake_clock if kube.is_fake else SystemClock()
    factory = ManagerFactory(aim_client, clock)
    try:
        yield factory
    finally:
        await factory.aclose()
