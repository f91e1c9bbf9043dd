"""Delayed keys: one entry per key, a deadline heap, and a single clock-driven waiter task.

:class:`DelayedKeys` holds the keys of a work queue that must wait before they become ready. Each
key has one entry (``add`` keeps the earliest deadline and the highest priority); superseded and
cancelled entries stay in the heap and are skipped when they surface (lazy deletion, compacted
when they pile up). One waiter task sleeps on the injected clock until the earliest deadline,
hands every due key to the ``on_due`` callback in deadline order, and ends as soon as nothing
waits, so an idle queue has no task and a busy one never polls. A new earlier deadline wakes the
waiter through a future instead of starting a second task.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from aim_engine.clock import Clock

__all__ = ["DelayedKeys"]

T = TypeVar("T", bound=Hashable)


@dataclass(slots=True)
class _Entry:
    deadline: float
    seq: int
    priority: int


class DelayedKeys(Generic[T]):
    """The waiting room of a work queue.

    Args:
        clock: Time source for deadlines and the waiter's sleep.
        on_due: Called with ``(key, priority)`` when a key's deadline passes.
    """

    def __init__(self, clock: Clock, on_due: Callable[[T, int], None]) -> None:
        self._clock = clock
        self._on_due = on_due
        self._entries: dict[T, _Entry] = {}
        self.keys: Mapping[T, object] = self._entries
        """The waiting keys (a live read-only view; cheap to test for emptiness)."""
        self._heap: list[tuple[float, int, T]] = []
        self._seq = 0
        self._waiter: asyncio.Task[None] | None = None
        self._kick: asyncio.Future[None] | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def add(self, item: T, delay: float, priority: int) -> None:
        """Let ``item`` wait ``delay`` seconds; an existing entry keeps the earlier deadline."""
        deadline = self._clock.monotonic() + delay
        entry = self._entries.get(item)
        if entry is not None:
            if priority > entry.priority:
                entry.priority = priority
            if entry.deadline <= deadline:
                return
            entry.deadline = deadline
        else:
            entry = self._entries[item] = _Entry(deadline, 0, priority)
        self._seq += 1
        entry.seq = self._seq
        earliest = self._heap[0][0] if self._heap else None
        heapq.heappush(self._heap, (deadline, self._seq, item))
        if len(self._heap) > 64 and len(self._heap) > 4 * len(self._entries):
            self._heap = [(e.deadline, e.seq, key) for key, e in self._entries.items()]
            heapq.heapify(self._heap)
        if self._waiter is None or earliest is None or deadline < earliest:
            self.kick()

    def cancel(self, item: T) -> int | None:
        """Drop ``item``'s entry; returns its priority, or ``None`` if it was not waiting."""
        entry = self._entries.pop(item, None)
        return None if entry is None else entry.priority

    def clear(self) -> None:
        """Drop every entry and stop the waiter."""
        if self._waiter is not None:
            self._waiter.cancel()
            self._waiter = None
        self._entries.clear()
        self._heap.clear()

    def kick(self) -> None:
        """Start the waiter, or wake it to re-read the earliest deadline.

        Without a running event loop (an add from synchronous code) nothing happens; call again
        from the loop (the queue does so from ``get``).
        """
        if self._waiter is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return
            self._waiter = loop.create_task(self._run(), name="WorkQueue.waiter")
        elif self._kick is not None and not self._kick.done():
            self._kick.set_result(None)

    @property
    def waiter_running(self) -> bool:
        """Whether the waiter task exists."""
        return self._waiter is not None

    def _release_due(self) -> None:
        now = self._clock.monotonic()
        heap = self._heap
        entries = self._entries
        while heap:
            deadline, seq, item = heap[0]
            entry = entries.get(item)
            if entry is not None and entry.seq == seq:
                if deadline > now:
                    return
                del entries[item]
                heapq.heappop(heap)
                self._on_due(item, entry.priority)
            else:
                heapq.heappop(heap)  # superseded or cancelled entry

    async def _run(self) -> None:
        """Sleep until the earliest deadline, release due keys, repeat while any wait."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                self._release_due()
                if not self._heap:
                    return
                kick = self._kick = loop.create_future()
                delay = self._heap[0][0] - self._clock.monotonic()
                sleeper = loop.create_task(self._clock.sleep(delay))
                try:
                    await asyncio.wait((kick, sleeper), return_when=asyncio.FIRST_COMPLETED)
                finally:
                    sleeper.cancel()
                    self._kick = None
        finally:
            if self._waiter is asyncio.current_task():
                self._waiter = None
