"""A virtual clock for tests: time moves only when the test (or autojump) says so.

:class:`FakeClock` implements :class:`aim_engine.clock.Clock`. Every timer in the framework goes
through an injected clock, so a test hands a ``FakeClock`` to the queue, the rate limiters, the
reflector or the leader elector and then drives time explicitly:

* :meth:`FakeClock.advance` (sync) moves time in one atomic jump and wakes every sleeper whose
  deadline has passed, in deadline order. Tasks run only when the test next yields.
* :meth:`FakeClock.tick` (async) walks time forward deadline by deadline, letting the woken tasks
  run at each step (so a loop that sleeps 2 s and works fires every 2 virtual seconds), then lets
  the event loop settle.
* :meth:`FakeClock.autojump` starts a background task that jumps time to the next sleeper's
  deadline whenever the event loop has had nothing else to run for ``threshold`` consecutive
  cycles, like trio's ``MockClock(autojump_threshold=0)`` or the ``looptime`` plugin. Code under
  test then runs as if time flew, while real I/O on loopback (an in-process aiohttp server) still
  completes, because a loop cycle with ready callbacks never counts as idle.

Idleness is judged from the asyncio event loop's ready queue (the private ``loop._ready`` deque
of CPython's ``BaseEventLoop``), and autojump also holds still while the loop's default thread
pool has work queued or running (``asyncio.to_thread``, e.g. a client reading a kubeconfig or a
token), read from ``ThreadPoolExecutor`` internals. Work in other executors or foreign threads is
invisible to it. On loops without ``_ready`` (uvloop) the idle count grows every cycle, so
autojump degrades to "jump after ``threshold`` cycles".

Wall time (:meth:`FakeClock.now`) is ``wall_start`` plus the virtual time elapsed, so timestamps
written into objects (Lease ``renewTime``, condition ``lastTransitionTime``) move with the clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import heapq
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

__all__ = ["DEFAULT_WALL_START", "FakeClock"]

DEFAULT_WALL_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
"""Wall time at virtual time ``start`` unless told otherwise: fixed, so tests are reproducible."""

_SETTLE_IDLE_CYCLES = 3
_SETTLE_MAX_CYCLES = 100_000
_NO_READY_QUEUE_CYCLES = 100


@dataclass(order=True, slots=True)
class _Sleeper:
    deadline: float
    seq: int
    future: asyncio.Future[None] = field(compare=False)


def _ready_len(loop: asyncio.AbstractEventLoop) -> int | None:
    """Length of the loop's ready queue, or ``None`` when the loop does not expose one."""
    ready = getattr(loop, "_ready", None)
    return len(ready) if ready is not None else None


def _executor_busy(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether the loop's default thread pool has queued or running work (``to_thread``).

    Reads ``ThreadPoolExecutor`` internals (``_work_queue``, ``_threads``, ``_idle_semaphore``);
    answers ``False`` when they are missing.
    """
    executor = getattr(loop, "_default_executor", None)
    if executor is None:
        return False
    queue = getattr(executor, "_work_queue", None)
    if queue is not None and queue.qsize() > 0:
        return True
    threads = getattr(executor, "_threads", None)
    idle = getattr(getattr(executor, "_idle_semaphore", None), "_value", None)
    return threads is not None and isinstance(idle, int) and len(threads) > idle


class FakeClock:
    """A :class:`~aim_engine.clock.Clock` whose time moves only on request.

    Args:
        start: Initial value of :meth:`monotonic`.
        wall_start: Wall time (aware, UTC) at ``start``; default :data:`DEFAULT_WALL_START`.
        autojump: Start autojump on the first :meth:`sleep` (stop it with :meth:`stop_autojump`).
        autojump_threshold: Idle loop cycles before autojump moves time.
    """

    def __init__(
        self,
        start: float = 0.0,
        *,
        wall_start: dt.datetime | None = None,
        autojump: bool = False,
        autojump_threshold: int = 50,
    ) -> None:
        if wall_start is not None and wall_start.tzinfo is None:
            raise ValueError("wall_start must be timezone-aware")
        self._start = start
        self._now = start
        self._wall_start = (wall_start or DEFAULT_WALL_START).astimezone(dt.UTC)
        self._heap: list[_Sleeper] = []
        self._seq = 0
        self._autojump_on_sleep = autojump
        self._threshold = autojump_threshold
        self._jumper: asyncio.Task[None] | None = None
        self._new_sleeper = asyncio.Event()

    # -- Clock protocol ----------------------------------------------------------------------

    def monotonic(self) -> float:
        """Current virtual time in seconds."""
        return self._now

    def now(self) -> dt.datetime:
        """Wall time: ``wall_start`` plus the virtual time elapsed since ``start``."""
        return self._wall_start + dt.timedelta(seconds=self._now - self._start)

    async def sleep(self, seconds: float) -> None:
        """Return once virtual time reaches ``monotonic() + seconds``.

        A non-positive duration yields to the event loop once, like ``asyncio.sleep(0)``.
        """
        if self._autojump_on_sleep and self._jumper is None:
            self.start_autojump()
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._seq += 1
        heapq.heappush(self._heap, _Sleeper(self._now + seconds, self._seq, future))
        self._new_sleeper.set()
        await future

    # -- driving time ------------------------------------------------------------------------

    @property
    def sleepers(self) -> int:
        """Number of tasks currently sleeping on this clock."""
        return sum(1 for s in self._heap if not s.future.done())

    def next_deadline(self) -> float | None:
        """The earliest deadline of a pending sleeper, or ``None`` if nobody sleeps."""
        self._drop_finished()
        return self._heap[0].deadline if self._heap else None

    def advance(self, seconds: float) -> None:
        """Jump time forward by ``seconds`` and wake every sleeper whose deadline has passed.

        Sleepers are woken in deadline order (ties in the order they went to sleep); they run when
        the caller next yields to the event loop.

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError("time cannot go backwards")
        self._now += seconds
        self._wake_due()

    async def tick(self, seconds: float = 0.0) -> None:
        """Advance time by ``seconds`` step by step, letting woken tasks run at each deadline.

        Each sleeper wakes with :meth:`monotonic` equal to its own deadline, and anything it
        schedules on the way (a new sleep that falls inside the window) is honoured too. Returns
        once the event loop has settled at the target time.

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError("time cannot go backwards")
        target = self._now + seconds
        await self.settle()
        while (deadline := self.next_deadline()) is not None and deadline <= target:
            self._now = max(self._now, deadline)
            self._wake_due()
            await self.settle()
        self._now = target
        await self.settle()

    async def settle(self) -> None:
        """Yield to the event loop until no other callback is ready for a few cycles."""
        loop = asyncio.get_running_loop()
        idle = 0
        for _ in range(_SETTLE_MAX_CYCLES):
            await asyncio.sleep(0)
            n = _ready_len(loop)
            if n is None:
                idle += 1
                if idle >= _NO_READY_QUEUE_CYCLES:
                    return
            elif n == 0:
                idle += 1
                if idle >= _SETTLE_IDLE_CYCLES:
                    return
            else:
                idle = 0

    # -- autojump ----------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def autojump(self, threshold: int | None = None) -> AsyncIterator[FakeClock]:
        """Run autojump for the duration of the ``async with`` block.

        Args:
            threshold: Idle loop cycles before a jump (default: the constructor's value).
        """
        if threshold is not None:
            self._threshold = threshold
        self.start_autojump()
        try:
            yield self
        finally:
            await self.stop_autojump()

    def start_autojump(self) -> None:
        """Start the autojump task on the running loop (no-op if it already runs)."""
        if self._jumper is not None and not self._jumper.done():
            return
        self._new_sleeper = asyncio.Event()
        self._jumper = asyncio.get_running_loop().create_task(
            self._autojump_loop(), name="FakeClock.autojump"
        )

    async def stop_autojump(self) -> None:
        """Stop the autojump task and wait for it to end."""
        jumper, self._jumper = self._jumper, None
        self._autojump_on_sleep = False
        if jumper is None:
            return
        jumper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await jumper

    async def _autojump_loop(self) -> None:
        loop = asyncio.get_running_loop()
        idle = 0
        while True:
            if self.next_deadline() is None:
                # Nobody sleeps on us: block until someone does, so the loop can wait on I/O
                # instead of spinning.
                self._new_sleeper.clear()
                await self._new_sleeper.wait()
                idle = 0
                continue
            await asyncio.sleep(0)
            n = _ready_len(loop)
            idle = idle + 1 if not n else 0
            if idle >= self._threshold and not _executor_busy(loop):
                deadline = self.next_deadline()
                if deadline is not None:
                    self._now = max(self._now, deadline)
                    self._wake_due()
                idle = 0

    # -- internals ---------------------------------------------------------------------------

    def _drop_finished(self) -> None:
        heap = self._heap
        while heap and heap[0].future.done():
            heapq.heappop(heap)

    def _wake_due(self) -> None:
        heap = self._heap
        while heap and heap[0].deadline <= self._now:
            sleeper = heapq.heappop(heap)
            if not sleeper.future.done():
                sleeper.future.set_result(None)
