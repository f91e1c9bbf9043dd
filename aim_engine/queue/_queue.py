"""The work queue: de-duplicating, one worker per key, delays, priorities, rate limits.

Semantics are client-go's work queue with controller-runtime's priority-queue refinements:

* **Dirty / processing.** ``_dirty`` maps every key that needs a round to its priority;
  ``_processing`` holds keys handed to a worker and not yet :meth:`~WorkQueue.done`. A key in both
  is *deferred*: it is queued again by ``done``. So a key is never held by two workers, and any
  number of adds while it is processed cause exactly one more round.
* **Priorities.** One FIFO deque per priority; :meth:`~WorkQueue.get` serves the highest. Adding a
  queued key with a higher priority moves it to the end of the higher level; the entry left in
  the old deque is counted in ``_stale`` and skipped when popped (no O(n) removal).
* **Delays.** :class:`~aim_engine.queue._delays.DelayedKeys` keeps one entry per key (earliest
  deadline and highest priority win) and one clock-driven waiter task that exists only while
  something waits and is cancelled by :meth:`~WorkQueue.shutdown`; it is a plain task owned by
  the queue (a queue has no enclosing scope to host a task group). An immediate add cancels a
  pending delay.
* **Waking getters.** Blocked :meth:`~WorkQueue.get` calls park on plain futures in a deque; an
  add wakes one. No Condition, no lock: everything runs on the event loop.

The hot path (immediate add → get → done) touches a few dicts and one deque and allocates
nothing when metrics are off; with metrics on it adds two float timestamps and two histogram
bucket increments (see :mod:`aim_engine.queue._metrics`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, deque
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from prometheus_client import CollectorRegistry

from aim_engine.clock import Clock
from aim_engine.errors import AimEngineError
from aim_engine.queue._delays import DelayedKeys
from aim_engine.queue._metrics import QueueCounters, QueueSample, collector_for
from aim_engine.queue._ratelimit import RateLimiter, default_controller_rate_limiter

__all__ = ["LOW_PRIORITY", "QueueShutDown", "QueueStatistics", "WorkQueue"]

T = TypeVar("T", bound=Hashable)

LOW_PRIORITY = -100
"""Priority of initial-list and resync events (controller-runtime ``handler.LowPriority``)."""

_log = logging.getLogger(__name__)


class QueueShutDown(AimEngineError):  # noqa: N818 - mirrors asyncio.QueueShutDown
    """Raised by :meth:`WorkQueue.get` once the queue is shut down and has nothing left."""


@dataclass(frozen=True, slots=True)
class QueueStatistics:
    """A snapshot of a queue's state (trio-style ``statistics()``)."""

    ready: int
    """Keys waiting for a worker."""
    processing: int
    """Keys held by workers."""
    waiting: int
    """Keys with a pending delay."""
    getters: int
    """Blocked :meth:`WorkQueue.get` calls."""
    shutting_down: bool


class WorkQueue(Generic[T]):
    """A work queue for reconcile keys; all timing through ``clock``.

    Args:
        clock: Time source for delays, rate limits and metrics.
        rate_limiter: Used by :meth:`add_rate_limited`; default
            :func:`~aim_engine.queue.default_controller_rate_limiter`.
        name: Queue name (the ``name`` metric label); unnamed queues emit no metrics.
        controller: The ``controller`` metric label (default: ``name``).
        registry: Where to export ``workqueue_*`` metrics; ``None`` for none.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        rate_limiter: RateLimiter[T] | None = None,
        name: str | None = None,
        controller: str | None = None,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self._clock = clock
        self._limiter: RateLimiter[T] = rate_limiter or default_controller_rate_limiter(clock)
        self._name = name or ""
        self._controller = controller or self._name
        self._dirty: dict[T, int] = {}
        self._processing: dict[T, float] = {}
        self._deques: dict[int, deque[T]] = {}
        self._priorities: list[int] = []  # descending
        self._ready = 0
        self._stale: dict[tuple[T, int], int] = {}
        self._getters: deque[asyncio.Future[None]] = deque()
        self._waiting = DelayedKeys[T](clock, self._enqueue)
        self._waiting_keys = self._waiting.keys
        self._drained: asyncio.Future[None] | None = None
        self._shutting_down = False
        self._popped_priority = 0
        self._counters: QueueCounters | None = None
        self._queued_at: dict[T, float] = {}
        if registry is not None and name:
            self._counters = QueueCounters()
            collector_for(registry).attach(self)

    # -- adding ----------------------------------------------------------------------------------

    def add(self, item: T, *, priority: int = 0) -> None:
        """Mark ``item`` as needing a round now.

        Ignored after shutdown. A key already queued keeps its place (its priority is raised if
        ``priority`` is higher); a key being processed gets exactly one more round after
        :meth:`done`; a pending delay for the key is cancelled.
        """
        if self._shutting_down:
            return
        if self._waiting_keys:
            delayed = self._waiting.cancel(item)
            if delayed is not None and delayed > priority:
                priority = delayed
        self._enqueue(item, priority)

    def add_after(self, item: T, delay: float, *, priority: int = 0) -> None:
        """Add ``item`` once ``delay`` seconds of clock time have passed.

        One entry per key: a second delayed add keeps the earlier deadline and the higher
        priority; a key that is already queued (or deferred behind processing) only has its
        priority raised. ``delay <= 0`` is :meth:`add`.
        """
        if self._shutting_down:
            return
        if self._counters is not None:
            # client-go counts every AddAfter as a retry, a zero delay included.
            self._counters.retries += 1
        if delay <= 0:
            self.add(item, priority=priority)
            return
        current = self._dirty.get(item)
        if current is not None:
            if priority > current:
                self._enqueue(item, priority)
            return
        self._waiting.add(item, delay, priority)

    def add_rate_limited(self, item: T, *, priority: int = 0) -> None:
        """Add ``item`` after the delay the rate limiter assigns to its next failure."""
        self.add_after(item, self._limiter.when(item), priority=priority)

    def forget(self, item: T) -> None:
        """Clear the rate limiter's failure history of ``item`` (it does not remove the item)."""
        self._limiter.forget(item)

    def num_requeues(self, item: T) -> int:
        """Failures of ``item`` the rate limiter is tracking."""
        return self._limiter.num_requeues(item)

    # -- consuming -------------------------------------------------------------------------------

    async def get(self) -> T:
        """Take the next key: highest priority first, FIFO within a priority.

        The key counts as processing until :meth:`done`; no other caller gets it meanwhile.

        Raises:
            QueueShutDown: the queue is shut down and no key is ready.
        """
        while True:
            if self._ready:
                return self._pop()
            if self._shutting_down:
                raise QueueShutDown
            if self._waiting_keys and not self._waiting.waiter_running:
                self._waiting.kick()
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._getters.append(fut)
            try:
                await fut
            except asyncio.CancelledError:
                if fut.done() and not fut.cancelled():
                    self._wake_one()  # pass our wake-up on, or an item could sit unclaimed
                else:
                    with contextlib.suppress(ValueError):
                        self._getters.remove(fut)
                raise

    async def get_with_priority(self) -> tuple[T, int]:
        """:meth:`get`, also returning the priority the key was queued with.

        A worker that requeues the key (``add_after``, ``add_rate_limited``) can pass the
        priority on, as controller-runtime's ``GetWithPriority`` allows.

        Raises:
            QueueShutDown: the queue is shut down and no key is ready.
        """
        item = await self.get()
        return item, self._popped_priority  # set by _pop; no suspension point in between

    def get_nowait(self) -> T:
        """Take the next key without blocking.

        Raises:
            asyncio.QueueEmpty: no key is ready.
            QueueShutDown: the queue is shut down and no key is ready.
        """
        if self._ready:
            return self._pop()
        if self._shutting_down:
            raise QueueShutDown
        raise asyncio.QueueEmpty

    def done(self, item: T) -> None:
        """Finish processing ``item``; if it was added meanwhile, queue it again."""
        started = self._processing.pop(item, None)
        if started is None:
            return
        counters = self._counters
        if counters is not None:
            counters.work_duration.observe(self._clock.monotonic() - started)
        priority = self._dirty.get(item)
        if priority is not None:
            self._push(item, priority)
        elif self._drained is not None and not self._processing and not self._drained.done():
            self._drained.set_result(None)

    # -- shutdown --------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop accepting adds and drop pending delays; ready keys are still handed out."""
        self._shutting_down = True
        self._waiting.clear()
        while self._getters:
            fut = self._getters.popleft()
            if not fut.done():
                fut.set_result(None)

    async def shutdown_with_drain(self) -> None:
        """:meth:`shutdown`, then wait until every key handed out has been :meth:`done`."""
        self.shutdown()
        if not self._processing:
            return
        if self._drained is None or self._drained.done():
            self._drained = asyncio.get_running_loop().create_future()
        await asyncio.shield(self._drained)

    def is_shutting_down(self) -> bool:
        """Whether :meth:`shutdown` was called."""
        return self._shutting_down

    def __len__(self) -> int:
        """Keys ready for a worker (informational: do not gate logic on it)."""
        return self._ready

    def statistics(self) -> QueueStatistics:
        """A snapshot of the queue's state."""
        return QueueStatistics(
            ready=self._ready,
            processing=len(self._processing),
            waiting=len(self._waiting),
            getters=sum(1 for f in self._getters if not f.done()),
            shutting_down=self._shutting_down,
        )

    # -- internals -------------------------------------------------------------------------------

    def _enqueue(self, item: T, priority: int) -> None:
        current = self._dirty.get(item)
        if current is not None:
            if priority > current:
                self._dirty[item] = priority
                if item not in self._processing:
                    stale = (item, current)
                    self._stale[stale] = self._stale.get(stale, 0) + 1
                    self._ready -= 1
                    self._push(item, priority, requeue=True)
            return
        self._dirty[item] = priority
        if self._counters is not None:
            self._counters.adds += 1
        if item not in self._processing:
            self._push(item, priority)

    def _push(self, item: T, priority: int, *, requeue: bool = False) -> None:
        dq = self._deques.get(priority)
        if dq is None:
            dq = self._deques[priority] = deque()
            self._priorities.append(priority)
            self._priorities.sort(reverse=True)
        dq.append(item)
        self._ready += 1
        counters = self._counters
        if counters is not None:
            if not requeue:
                self._queued_at[item] = self._clock.monotonic()
            counters.see_priority(priority)
        if self._getters:
            self._wake_one()

    def _pop(self) -> T:
        deques = self._deques
        for priority in self._priorities:
            dq = deques[priority]
            while dq:
                item = dq.popleft()
                if self._stale:
                    key = (item, priority)
                    n = self._stale.get(key)
                    if n is not None:
                        if n == 1:
                            del self._stale[key]
                        else:
                            self._stale[key] = n - 1
                        continue
                self._ready -= 1
                self._popped_priority = priority
                del self._dirty[item]
                counters = self._counters
                if counters is None:
                    self._processing[item] = 0.0
                else:
                    now = self._clock.monotonic()
                    self._processing[item] = now
                    counters.queue_duration.observe(now - self._queued_at.pop(item, now))
                return item
        raise AssertionError("ready count out of sync with the deques")  # pragma: no cover

    def _wake_one(self) -> None:
        getters = self._getters
        while getters:
            fut = getters.popleft()
            if not fut.done():
                fut.set_result(None)
                return

    def _metrics_sample(self) -> QueueSample | None:
        counters = self._counters
        if counters is None:
            return None
        processing = self._processing
        depth = Counter(p for item, p in list(self._dirty.items()) if item not in processing)
        return QueueSample(
            name=self._name,
            controller=self._controller,
            counters=counters,
            depth_by_priority=dict(depth),
            processing_started=list(processing.values()),
            now=self._clock.monotonic(),
        )
