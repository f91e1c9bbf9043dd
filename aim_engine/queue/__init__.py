"""The work queue between event handlers and reconcile workers, and its rate limiters.

A :class:`WorkQueue` holds reconcile keys. It de-duplicates them, never hands one key to two
workers, re-runs a key exactly once if it was added while being processed, supports delayed adds
(one entry per key) and priorities (initial-list and resync events at :data:`LOW_PRIORITY`), and
rate-limits retries through a :class:`RateLimiter`. All timing goes through an injected
:class:`~aim_engine.clock.Clock`. See ``docs/concepts/queue.md``.
"""

from __future__ import annotations

from aim_engine.queue._queue import LOW_PRIORITY as LOW_PRIORITY
from aim_engine.queue._queue import QueueShutDown as QueueShutDown
from aim_engine.queue._queue import QueueStatistics as QueueStatistics
from aim_engine.queue._queue import WorkQueue as WorkQueue
from aim_engine.queue._ratelimit import ItemExponentialRateLimiter as ItemExponentialRateLimiter
from aim_engine.queue._ratelimit import MaxOfRateLimiter as MaxOfRateLimiter
from aim_engine.queue._ratelimit import RateLimiter as RateLimiter
from aim_engine.queue._ratelimit import TokenBucketRateLimiter as TokenBucketRateLimiter
from aim_engine.queue._ratelimit import (
    default_controller_rate_limiter as default_controller_rate_limiter,
)

__all__ = [
    "LOW_PRIORITY",
    "ItemExponentialRateLimiter",
    "MaxOfRateLimiter",
    "QueueShutDown",
    "QueueStatistics",
    "RateLimiter",
    "TokenBucketRateLimiter",
    "WorkQueue",
    "default_controller_rate_limiter",
]
