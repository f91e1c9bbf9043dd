"""A controller: one work queue, N worker loops, and the handler that settles each reconcile.

A :class:`Controller` is a runnable: :meth:`Controller.run` starts ``max_concurrent_reconciles``
worker loops in a task group and returns once they have all ended. Each loop repeats: take a key
from the queue, bind the log context (``controller``, ``kind``, ``namespace``, ``name``,
``reconcile_id``, ``attempt``), await the reconciler (under the optional per-reconcile timeout,
measured on the injected clock), settle the outcome with the queue and the metrics, and mark the
key done. The queue guarantees that no two loops ever hold the same key. What a failure leads to
is decided by :func:`aim_engine.controller.classify` and :data:`aim_engine.controller.POLICIES`
alone; ``asyncio.CancelledError`` is never caught: cancelling a loop ends it.

:meth:`Controller.shutdown` is the graceful stop: the queue stops accepting keys, idle loops leave
at once, and busy loops leave after finishing the reconcile they are running. Whoever runs the
controller (the Manager) cancels :meth:`Controller.run` if that takes longer than its grace period.

The loop and its handler live on one type, as in controller-runtime's internal ``Controller``
(``processNextWorkItem``/``reconcileHandler``). Controllers are built with
:func:`aim_engine.controller.builder`, which wires the watches (see
:mod:`aim_engine.controller._handler`) into the queue before the cache starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

from aim_engine.clock import Clock
from aim_engine.controller._classify import (
    POLICIES,
    ErrorCategory,
    ReconcileTimeoutError,
    classify,
    explicit_delay,
)
from aim_engine.controller._metrics import BoundControllerMetrics
from aim_engine.controller._types import Reconciler, Request, Result
from aim_engine.log import bind
from aim_engine.queue import QueueShutDown, WorkQueue

__all__ = ["Controller"]

logger = logging.getLogger(__name__)


class Controller:
    """Runs a reconciler over the keys of one work queue.

    Args:
        name: unique controller name (metric label, log field, queue name).
        kind: the primary kind's name (``kind`` log field).
        reconciler: the user's reconciler.
        queue: the controller's work queue (the controller owns it and shuts it down).
        clock: times reconciles and timeouts.
        metrics: the controller's zero-filled metric series.
        max_concurrent_reconciles: number of worker loops (default 1).
        reconcile_timeout: seconds before a reconcile is cancelled (``None``: no limit).
        need_leader_election: run only on the leader (default) or on every replica.

    Raises:
        ValueError: ``max_concurrent_reconciles`` below 1, or a non-positive timeout.
    """

    def __init__(
        self,
        *,
        name: str,
        kind: str,
        reconciler: Reconciler,
        queue: WorkQueue[Request],
        clock: Clock,
        metrics: BoundControllerMetrics,
        max_concurrent_reconciles: int = 1,
        reconcile_timeout: float | None = None,
        need_leader_election: bool = True,
    ) -> None:
        if max_concurrent_reconciles < 1:
            raise ValueError("max_concurrent_reconciles must be at least 1")
        if reconcile_timeout is not None and reconcile_timeout <= 0:
            raise ValueError("reconcile_timeout must be positive")
        self.name = name
        self.kind = kind
        self.queue = queue
        self.max_concurrent_reconciles = max_concurrent_reconciles
        self.need_leader_election = need_leader_election
        self._reconciler = reconciler
        self._clock = clock
        self._metrics = metrics
        self._timeout = reconcile_timeout
        self._stopping = False

    def enqueue(self, request: Request, *, priority: int = 0) -> None:
        """Add a key to the queue (what the watches do for every event that passes)."""
        self.queue.add(request, priority=priority)

    async def run(self) -> None:
        """Run the worker loops until :meth:`shutdown` (or cancellation) ends them."""
        async with asyncio.TaskGroup() as tg:
            for i in range(self.max_concurrent_reconciles):
                tg.create_task(self._worker_loop(), name=f"{self.name}-worker-{i}")

    def shutdown(self) -> None:
        """Stop taking keys; running reconciles finish, then :meth:`run` returns."""
        self._stopping = True
        self.queue.shutdown()

    # -- the loop and its handler ------------------------------------------------------------

    def _stopped(self) -> bool:
        # A method, not an attribute test, so type narrowing does not assume it stays False
        # across the await below.
        return self._stopping

    async def _worker_loop(self) -> None:
        while not self._stopped():
            try:
                request = await self.queue.get()
            except QueueShutDown:
                return
            if self._stopped():
                # Woken by the shutdown with keys still queued: leave them (level-based, so the
                # next start reconciles everything anyway).
                self.queue.done(request)
                return
            try:
                await self._reconcile_handler(request)
            finally:
                self.queue.done(request)

    async def _reconcile_handler(self, request: Request) -> None:
        """Reconcile one key and settle the outcome with the queue and metrics (never raises)."""
        fields = {
            "controller": self.name,
            "kind": self.kind,
            "namespace": request.namespace,
            "name": request.name,
            "reconcile_id": str(uuid.uuid4()),
            "attempt": self.queue.num_requeues(request) + 1,
        }
        with bind(**fields):
            self._metrics.active_workers.inc()
            start = self._clock.monotonic()
            try:
                if self._timeout is None:  # the common case: no context manager per reconcile
                    result = await self._reconciler.reconcile(request)
                else:
                    async with _deadline(self._clock, self._timeout):
                        result = await self._reconciler.reconcile(request)
            except Exception as exc:  # noqa: BLE001 - the one place that handles them all
                self._settle_error(request, exc)
            else:
                self._settle_success(request, result)
            finally:
                self._metrics.reconcile_time.observe(self._clock.monotonic() - start)
                self._metrics.active_workers.dec()

    def _settle_success(self, request: Request, result: Result) -> None:
        self.queue.forget(request)
        if result.requeue_after is None:
            self._metrics.results["success"].inc()
            logger.debug("reconcile succeeded")
            return
        self._metrics.results["requeue_after"].inc()
        self.queue.add_after(request, result.requeue_after)
        logger.debug("reconcile requeued", extra={"requeue_after": result.requeue_after})

    def _settle_error(self, request: Request, exc: Exception) -> None:
        category = classify(exc)
        policy = POLICIES[category]
        m = self._metrics
        m.by_category[category.value].inc()
        delay = explicit_delay(exc)
        if policy.is_error:
            m.results["error"].inc()
            m.errors.inc()
        else:
            m.results["requeue" if delay is None else "requeue_after"].inc()
        if category is ErrorCategory.TERMINAL:
            m.terminal_errors.inc()
        elif category is ErrorCategory.TIMEOUT:
            m.timeouts.inc()
        extra = {"category": category.value, "error": str(exc), "error_type": type(exc).__name__}
        if not policy.requeue:
            self.queue.forget(request)
        elif delay is not None:
            self.queue.add_after(request, delay)
        else:
            self.queue.add_rate_limited(request)
        if category is ErrorCategory.UNKNOWN:
            logger.error("reconcile raised an unexpected exception", extra=extra, exc_info=exc)
        else:
            logger.log(policy.log_level, "reconcile failed", extra=extra)


@contextlib.asynccontextmanager
async def _deadline(clock: Clock, seconds: float) -> AsyncIterator[None]:
    """Cancel the body after ``seconds`` of ``clock`` time (raises ReconcileTimeoutError)."""
    loop = asyncio.get_running_loop()
    scope = asyncio.timeout(None)

    async def fire() -> None:
        await clock.sleep(seconds)
        scope.reschedule(loop.time())

    try:
        async with scope:
            # Owned: cancelled in the finally below, whatever happens to the body.
            watchdog = loop.create_task(fire(), name="reconcile-deadline")
            try:
                yield
            finally:
                watchdog.cancel()
    except TimeoutError as exc:
        if scope.expired():
            raise ReconcileTimeoutError(f"reconcile exceeded {seconds}s") from exc
        raise
