"""The reflector's error backoff: client-go's numbers, driven by an injected clock.

Delays start at 0.8 s and double up to 30 s. Each delay is stretched by a random factor in
``[1, 1 + jitter)`` (client-go's jitter 1.0, so a 30 s step waits 30 to 60 s), which spreads
many informers reconnecting after an API server outage. When the previous backoff ended more
than ``reset_after`` seconds ago (2 min: the connection has been healthy that long) the ladder
starts again at the bottom.
"""

from __future__ import annotations

import random

from aim_engine.clock import Clock

__all__ = ["Backoff"]


class Backoff:
    """Exponential backoff with jitter and reset after a healthy period.

    Args:
        clock: the time source (both for sleeping and for the reset rule).
        initial: the first base delay in seconds.
        maximum: the cap on the base delay.
        factor: growth per step.
        jitter: extra random stretch; a delay is ``base * (1 + jitter * U[0, 1))``.
        reset_after: seconds without backoff after which the ladder restarts.
        rng: random source (seeded in tests).
    """

    def __init__(
        self,
        clock: Clock,
        *,
        initial: float = 0.8,
        maximum: float = 30.0,
        factor: float = 2.0,
        jitter: float = 1.0,
        reset_after: float = 120.0,
        rng: random.Random | None = None,
    ) -> None:
        self._clock = clock
        self._initial = initial
        self._maximum = maximum
        self._factor = factor
        self._jitter = jitter
        self._reset_after = reset_after
        self._rng = rng or random.Random()
        self._base = initial
        self._last_end: float | None = None

    def next_delay(self) -> float:
        """Return the next delay and move one step up the ladder (or reset it first)."""
        now = self._clock.monotonic()
        if self._last_end is not None and now - self._last_end >= self._reset_after:
            self._base = self._initial
        base = self._base
        self._base = min(self._base * self._factor, self._maximum)
        delay = base * (1.0 + self._jitter * self._rng.random())
        self._last_end = now + delay
        return delay

    def reset(self) -> None:
        """Start again at the bottom of the ladder."""
        self._base = self._initial
        self._last_end = None

    async def wait(self) -> float:
        """Sleep for :meth:`next_delay` seconds of clock time and return how long that was."""
        delay = self.next_delay()
        await self._clock.sleep(delay)
        return delay
