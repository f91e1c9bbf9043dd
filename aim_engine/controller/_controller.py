"""A controller: one work queue and N workers reconciling the keys its watches enqueue.

A :class:`Controller` is a runnable: :meth:`Controller.run` starts ``max_concurrent_reconciles``
worker loops in a task group and returns once they have all ended. :meth:`Controller.shutdown`
is the graceful stop: the queue stops accepting keys, idle workers leave at once, and busy workers
leave after finishing the reconcile they are running. Whoever runs the controller (the Manager)
cancels :meth:`Controller.run` if that takes longer than its grace period.

Controllers are built with :func:`aim_engine.controller.builder`, which wires the watches (see
:mod:`aim_engine.controller._handler`) into the queue before the cache starts.
"""

from __future__ import annotations

import asyncio

from aim_engine.clock import Clock
from aim_engine.controller._metrics import BoundControllerMetrics
from aim_engine.controller._types import Reconciler, Request
from aim_engine.controller._worker import Worker
from aim_engine.queue import QueueShutDown, WorkQueue

__all__ = ["Controller"]


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
        self._worker = Worker(
            controller=name,
            kind=kind,
            reconciler=reconciler,
            queue=queue,
            clock=clock,
            metrics=metrics,
            reconcile_timeout=reconcile_timeout,
        )

    def enqueue(self, request: Request, *, priority: int = 0) -> None:
        """Add a key to the queue (what the watches do for every event that passes)."""
        self.queue.add(request, priority=priority)

    async def run(self) -> None:
        """Run the workers until :meth:`shutdown` (or cancellation) ends them."""
        async with asyncio.TaskGroup() as tg:
            for i in range(self.max_concurrent_reconciles):
                tg.create_task(self._worker.run(QueueShutDown), name=f"{self.name}-worker-{i}")

    def shutdown(self) -> None:
        """Stop taking keys; running reconciles finish, then :meth:`run` returns."""
        self._worker.stop()
        self.queue.shutdown()
