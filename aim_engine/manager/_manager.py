"""The Manager: one client, one cache, one registry, and everything that runs on them.

A :class:`Manager` owns the shared pieces (the client handed in, the
:class:`~aim_engine.cache.Cache`, the Prometheus registry, the clock) and runs the runnables in
controller-runtime's order:

1. the metrics server (``/metrics``) and the probe server (``/healthz``, ``/readyz``);
2. the cache, waiting until every informer has synced (failing after ``cache_sync_timeout``);
3. runnables that do not need leadership (they also run on standby replicas), and leader
   election, which keeps standby replicas' caches warm;
4. once leading, the controllers and leader-only runnables.

:meth:`Manager.stop` (or SIGTERM/SIGINT with ``run(install_signal_handlers=True)``) stops in
reverse: controllers stop taking keys and finish the reconciles they are running, other runnables
are cancelled, everything still running when ``graceful_shutdown_timeout`` expires is cancelled,
the Lease is released, then the cache and the servers stop. If the Lease is lost, leader-only
work is cancelled at once (before the Lease could expire for a rival), the rest stops without a
grace period, and :meth:`Manager.run` raises :class:`~aim_engine.leader.LeaseLostError`: exit
non-zero and let Kubernetes restart the pod. A runnable that raises stops the manager the same
graceful way, and :meth:`Manager.run` re-raises its error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass

from prometheus_client import CollectorRegistry

from aim_engine.cache import DEFAULT_STALE_AFTER, Cache
from aim_engine.client import Client
from aim_engine.clock import Clock, SystemClock, wait_event
from aim_engine.controller import Controller, ControllerMetrics, new_controller_metrics
from aim_engine.errors import AimEngineError, ConfigurationError
from aim_engine.leader import LeaderElectionConfig, LeaderElector, LeaseLostError
from aim_engine.manager._health import HealthCheck, HealthChecks, ping
from aim_engine.manager._http import HttpServer, metrics_app, parse_bind_address, probes_app
from aim_engine.manager._signals import signal_handlers

__all__ = ["CacheSyncTimeoutError", "Manager", "Runnable"]

logger = logging.getLogger(__name__)

Runnable = Callable[[], Awaitable[None]]
"""A coroutine function that runs until cancelled (cancellation is its stop signal)."""


class CacheSyncTimeoutError(AimEngineError):
    """The caches did not sync within ``cache_sync_timeout``."""


@dataclass(frozen=True, slots=True)
class _Runnable:
    name: str
    fn: Runnable
    needs_leader: bool


class Manager:
    """Runs controllers and runnables over a shared client, cache and metrics registry.

    Args:
        client: the API client (create it with the same ``registry`` to get REST metrics).
        clock: time source for everything the manager starts (default: the system clock).
        registry: the Prometheus registry (a fresh one by default; never the global one).
        metrics_bind_address: ``host:port`` of ``/metrics``; ``"0"`` disables (default ``:8080``).
        health_probe_bind_address: ``host:port`` of ``/healthz`` and ``/readyz``; ``None`` or
            ``"0"`` disables (the default).
        leader_election: Lease settings; ``None`` runs every controller without election.
        graceful_shutdown_timeout: seconds running work may take to finish on stop (default 30);
            ``None`` waits forever, ``0`` cancels at once.
        cache_sync_timeout: seconds to wait for the caches to sync (default 120).
        namespace: restrict the cache to one namespace (default: all).
        resync_period: cache resync period in seconds (default 10 h).
        cache_stale_after: seconds an informer may go without a successful list, watch event
            or bookmark before ``/readyz`` fails (default 300; ``None`` never). Applies to the
            cache the manager creates; a cache handed in keeps its own setting.
        cache: use this cache instead of creating one (it must use the same clock).
    """

    def __init__(
        self,
        client: Client,
        *,
        clock: Clock | None = None,
        registry: CollectorRegistry | None = None,
        metrics_bind_address: str | None = ":8080",
        health_probe_bind_address: str | None = None,
        leader_election: LeaderElectionConfig | None = None,
        graceful_shutdown_timeout: float | None = 30.0,
        cache_sync_timeout: float = 120.0,
        namespace: str | None = None,
        resync_period: float = 36000.0,
        cache_stale_after: float | None = DEFAULT_STALE_AFTER,
        cache: Cache | None = None,
    ) -> None:
        self._client = client
        self._clock: Clock = clock or SystemClock()
        self._registry = registry if registry is not None else CollectorRegistry()
        self._cache = cache or Cache(
            client,
            clock=self._clock,
            registry=self._registry,
            namespace=namespace,
            resync_period=resync_period,
            stale_after=cache_stale_after,
        )
        self._controller_metrics = new_controller_metrics(self._registry)
        self._elector = (
            LeaderElector(client, leader_election, clock=self._clock, registry=self._registry)
            if leader_election is not None
            else None
        )
        self._metrics_address = parse_bind_address(metrics_bind_address)
        self._probe_address = parse_bind_address(health_probe_bind_address)
        self._grace = graceful_shutdown_timeout
        self._sync_timeout = cache_sync_timeout
        self._controllers: dict[str, Controller] = {}
        self._runnables: list[_Runnable] = []
        self.healthz = HealthChecks("healthz")
        """Liveness checks (``ping`` is registered)."""
        self.readyz = HealthChecks("readyz")
        """Readiness checks (``cache-sync`` and ``cache-fresh`` are registered)."""
        self.healthz.add("ping", ping)
        self.readyz.add("cache-sync", lambda: self._synced)
        self.readyz.add("cache-fresh", self._cache_fresh)
        self._servers: list[HttpServer] = []
        self._stop = asyncio.Event()
        self._synced = False
        self._started = False
        self._error: BaseException | None = None
        self._leader_task: asyncio.Task[None] | None = None
        self._leading = False
        self._grace_deadline: float | None = None
        self._run_task: asyncio.Task[None] | None = None

    # -- what the manager shares -----------------------------------------------------------

    @property
    def client(self) -> Client:
        """The API client."""
        return self._client

    @property
    def cache(self) -> Cache:
        """The shared cache (reads: ``get``/``list``; informers for watches)."""
        return self._cache

    @property
    def clock(self) -> Clock:
        """The clock everything started by this manager uses."""
        return self._clock

    @property
    def registry(self) -> CollectorRegistry:
        """The Prometheus registry served at ``/metrics``."""
        return self._registry

    @property
    def controller_metrics(self) -> ControllerMetrics:
        """The ``controller_runtime_*`` metric families on :attr:`registry`."""
        return self._controller_metrics

    @property
    def elector(self) -> LeaderElector | None:
        """The leader elector, when leader election is configured."""
        return self._elector

    @property
    def controllers(self) -> Collection[Controller]:
        """The registered controllers."""
        return tuple(self._controllers.values())

    def server_port(self, name: str) -> int | None:
        """The bound port of the ``metrics`` or ``probes`` server while running, else ``None``."""
        return next((s.port for s in self._servers if s.name == name and s.serving), None)

    # -- registration ----------------------------------------------------------------------

    def add_controller(self, controller: Controller) -> None:
        """Run ``controller`` with the manager (the builder calls this).

        Raises:
            ConfigurationError: the name is taken or the manager already runs.
        """
        self._check_not_started()
        if controller.name in self._controllers:
            raise ConfigurationError(f"duplicate controller name {controller.name!r}")
        self._controllers[controller.name] = controller

    def add_runnable(self, fn: Runnable, *, needs_leader: bool, name: str | None = None) -> None:
        """Run ``fn()`` with the manager until it stops (cancellation is its stop signal).

        Args:
            fn: coroutine function; if it raises, the manager stops and re-raises.
            needs_leader: run only while leading (after the caches synced either way).
            name: for logs (default: the function's name).

        Raises:
            ConfigurationError: the manager already runs.
        """
        self._check_not_started()
        label = name or str(getattr(fn, "__name__", "runnable"))
        self._runnables.append(_Runnable(label, fn, needs_leader))

    def add_healthz_check(self, name: str, check: HealthCheck) -> None:
        """Add a liveness check served at ``/healthz``."""
        self.healthz.add(name, check)

    def add_readyz_check(self, name: str, check: HealthCheck) -> None:
        """Add a readiness check served at ``/readyz``."""
        self.readyz.add(name, check)

    def _cache_fresh(self) -> bool:
        """Readiness: no informer has gone ``stale_after`` without hearing from the server."""
        stale = self._cache.stale_informers()
        if stale:
            logger.info(
                "readiness: stale informers",
                extra={"kinds": sorted({i.kind.kind for i in stale}), "count": len(stale)},
            )
        return not stale

    def _check_not_started(self) -> None:
        if self._started:
            raise ConfigurationError("the manager is already running")

    # -- running ---------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask :meth:`run` to stop gracefully (safe to call any time, more than once)."""
        if not self._stop.is_set():
            logger.info("stopping manager")
            if self._grace is not None:
                self._grace_deadline = self._clock.monotonic() + self._grace
            self._stop.set()

    def _force(self) -> None:
        logger.warning("stopping manager immediately")
        self._grace_deadline = self._clock.monotonic()
        self._stop.set()
        if self._run_task is not None:
            self._run_task.cancel()

    async def run(self, *, install_signal_handlers: bool = False) -> None:
        """Start everything, run until stopped, stop everything (see the module docstring).

        Args:
            install_signal_handlers: stop on SIGTERM/SIGINT (a second signal cancels at once).

        Raises:
            LeaseLostError: leadership was lost (exit non-zero).
            CacheSyncTimeoutError: the caches did not sync in time.
            BindError: the metrics or probe server cannot listen on its address.
            ConfigurationError: the manager already ran.
            Exception: whatever a runnable raised.
        """
        self._check_not_started()
        self._started = True
        self._run_task = asyncio.current_task()
        if install_signal_handlers:
            with signal_handlers(self.stop, self._force):
                await self._run()
        else:
            await self._run()
        if self._error is not None:
            raise self._error

    async def _run(self) -> None:
        try:
            if self._metrics_address is not None:
                self._servers.append(
                    HttpServer("metrics", metrics_app(self._registry), *self._metrics_address)
                )
            if self._probe_address is not None:
                self._servers.append(
                    HttpServer(
                        "probes", probes_app(self.healthz, self.readyz), *self._probe_address
                    )
                )
            for server in self._servers:
                await server.start()
            async with asyncio.TaskGroup() as tg:
                await self._run_groups(tg)
        finally:
            for server in reversed(self._servers):
                await server.stop()
            self._servers.clear()
            logger.info("manager stopped")

    async def _run_groups(self, tg: asyncio.TaskGroup) -> None:
        cache_task = tg.create_task(self._guard("cache", self._cache.run()), name="cache")
        synced = await self._until_stopped(tg, self._cache.wait_for_sync(self._sync_timeout))
        if synced is False:
            timeout = self._sync_timeout
            self._fail("cache", CacheSyncTimeoutError(f"caches did not sync within {timeout}s"))
        elif synced:
            self._synced = True
            logger.info("caches synced")
        standby = [c for c in self._controllers.values() if not c.need_leader_election]
        plain: list[asyncio.Task[None]] = []
        runs: list[asyncio.Task[None]] = []
        if not self._stop.is_set():
            runs = [tg.create_task(self._guard(c.name, c.run()), name=c.name) for c in standby]
            plain = [
                tg.create_task(self._guard(r.name, r.fn()), name=r.name)
                for r in self._runnables
                if not r.needs_leader
            ]
            work = self._elector.run(self._lead) if self._elector is not None else self._lead()
            self._leader_task = tg.create_task(self._guard("leader", work), name="leader")
        await self._stop.wait()
        # Stop in reverse: the leader group (it drains itself), then the rest, then the cache.
        leader_task = self._leader_task
        if leader_task is not None:
            if not self._leading:
                leader_task.cancel()  # still campaigning: nothing to drain
            elif not await self._wait(leader_task):
                logger.warning("leader-only work did not stop within the grace period")
                leader_task.cancel()
        await self._drain(standby, runs, plain)
        cache_task.cancel()

    async def _drain(
        self,
        controllers: list[Controller],
        runs: list[asyncio.Task[None]],
        plain: list[asyncio.Task[None]],
    ) -> None:
        """Stop controllers gracefully, cancel plain runnables, cancel laggards at the deadline."""
        for c in controllers:
            c.shutdown()
        for task in plain:
            task.cancel()
        for task in runs:
            if not await self._wait(task):
                logger.warning(
                    "controller did not stop within the grace period",
                    extra={"controller": task.get_name()},
                )
                task.cancel()

    async def _lead(self) -> None:
        """The leader-only group: controllers and leader-only runnables, drained on stop."""
        self._leading = True
        logger.info("starting leader-only work", extra={"controllers": len(self._controllers)})
        controllers = [c for c in self._controllers.values() if c.need_leader_election]
        async with asyncio.TaskGroup() as tg:
            runs = [tg.create_task(self._guard(c.name, c.run()), name=c.name) for c in controllers]
            plain = [
                tg.create_task(self._guard(r.name, r.fn()), name=r.name)
                for r in self._runnables
                if r.needs_leader
            ]
            await self._stop.wait()
            await self._drain(controllers, runs, plain)

    async def _until_stopped(self, tg: asyncio.TaskGroup, aw: Awaitable[bool]) -> bool | None:
        """Await ``aw`` unless a stop comes first (then ``None``)."""

        async def call() -> bool:
            return await aw

        task = tg.create_task(call())
        stopper = tg.create_task(self._stop.wait())
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if not task.done():
            task.cancel()
            return None
        return task.result()

    async def _wait(self, task: asyncio.Task[None]) -> bool:
        """Wait for ``task`` until the grace deadline; whether it ended."""
        if task.done():
            return True
        if self._grace_deadline is None:
            timeout = None
        else:
            timeout = max(0.0, self._grace_deadline - self._clock.monotonic())
        finished = asyncio.Event()
        task.add_done_callback(lambda _: finished.set())
        return await wait_event(self._clock, finished, timeout)

    async def _guard(self, name: str, aw: Awaitable[None]) -> None:
        """Run one runnable; an error stops the manager instead of tearing the group down."""
        try:
            await aw
        except LeaseLostError as exc:
            self._grace_deadline = self._clock.monotonic()
            self._fail(name, exc)
        except Exception as exc:
            logger.error("runnable failed", extra={"runnable": name}, exc_info=exc)
            self._fail(name, exc)

    def _fail(self, name: str, exc: BaseException) -> None:
        if self._error is None:
            self._error = exc
        logger.info("manager stopping after a failure", extra={"runnable": name, "error": str(exc)})
        if not self._stop.is_set():
            if self._grace is not None and self._grace_deadline is None:
                self._grace_deadline = self._clock.monotonic() + self._grace
            self._stop.set()
