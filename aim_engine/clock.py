"""Time, injected.

Every timer in aim-engine (queue delays, rate limiters, reflector backoff, resync, leader election,
requeue_after) goes through a :class:`Clock` handed in by whoever builds the object. Production code
uses :class:`SystemClock` (the event loop's monotonic clock plus UTC wall time for timestamps that
are written into objects); tests use :class:`aim_engine.testing.FakeClock`, which moves only when
told to, so a test of a 1000-second backoff takes microseconds and never sleeps for real.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "SystemClock", "wait_event"]


@runtime_checkable
class Clock(Protocol):
    """The time source of the framework."""

    def monotonic(self) -> float:
        """Seconds on a monotonic scale; only differences are meaningful."""
        ...

    def now(self) -> dt.datetime:
        """Timezone-aware UTC wall time, for timestamps written into objects."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Suspend the calling task for ``seconds`` of this clock's time."""
        ...


class SystemClock:
    """The real clock: the running loop's ``time()`` and ``datetime.now(UTC)``."""

    def monotonic(self) -> float:
        """Return the running event loop's time (falls back to ``time.monotonic``)."""
        try:
            return asyncio.get_running_loop().time()
        except RuntimeError:
            import time

            return time.monotonic()

    def now(self) -> dt.datetime:
        """Return the current UTC time."""
        return dt.datetime.now(dt.UTC)

    async def sleep(self, seconds: float) -> None:
        """Sleep on the event loop."""
        await asyncio.sleep(max(0.0, seconds))


async def wait_event(clock: Clock, event: asyncio.Event, timeout: float | None) -> bool:
    """Wait until ``event`` is set or ``timeout`` seconds of ``clock`` time pass.

    Returns:
        ``True`` if the event was set, ``False`` on timeout.
    """
    if event.is_set():
        return True
    if timeout is None:
        await event.wait()
        return True
    if timeout <= 0:
        return event.is_set()
    waiter = asyncio.ensure_future(event.wait())
    sleeper = asyncio.ensure_future(clock.sleep(timeout))
    try:
        await asyncio.wait({waiter, sleeper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in (waiter, sleeper):
            if not t.done():
                t.cancel()
        await asyncio.gather(waiter, sleeper, return_exceptions=True)
    return event.is_set()
