"""Rate limiters: how long a failed item waits before its next attempt.

The shapes and numbers are client-go's (``util/workqueue/default_rate_limiters.go``):

* :class:`ItemExponentialRateLimiter`: per item, ``base * 2**failures`` capped at ``max_delay``
  (5 ms doubling to 1000 s by default: 5 ms, 10 ms, 20 ms, ... 655 s, then 1000 s from the 19th
  failure on). :meth:`~RateLimiter.forget` resets the item.
* :class:`TokenBucketRateLimiter`: one bucket for all items (10 per second, burst 100), read on
  the injected clock, so a storm of failures cannot turn into a storm of retries.
* :class:`MaxOfRateLimiter`: the longest delay any child asks for.

:func:`default_controller_rate_limiter` is client-go's ``DefaultControllerRateLimiter``:
``max(exponential(5 ms, 1000 s), bucket(10 qps, 100))``. controller-runtime 0.23 switched its
default, together with the priority queue, to the per-item exponential limiter alone. We keep the
bucket: with thousands of objects failing at once (an API server outage, a webhook down) it caps
the whole controller's retry rate at 10 per second after the first 100, which protects the API
server; a single failing object still backs off from 5 ms exactly as without it.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol, TypeVar

from aim_engine.clock import Clock

__all__ = [
    "ItemExponentialRateLimiter",
    "MaxOfRateLimiter",
    "RateLimiter",
    "TokenBucketRateLimiter",
    "default_controller_rate_limiter",
]

T = TypeVar("T", bound=Hashable)
T_contra = TypeVar("T_contra", bound=Hashable, contravariant=True)

_MAX_EXPONENT = 62


class RateLimiter(Protocol[T_contra]):
    """Decides the delay before an item is retried."""

    def when(self, item: T_contra) -> float:
        """Record a failure of ``item`` and return the seconds to wait before retrying it."""
        ...

    def forget(self, item: T_contra) -> None:
        """Stop tracking ``item`` (it succeeded): its next failure starts from scratch."""
        ...

    def num_requeues(self, item: T_contra) -> int:
        """How many failures of ``item`` are being tracked."""
        ...


class ItemExponentialRateLimiter(RateLimiter[T]):
    """Per-item exponential backoff: ``base * 2**failures``, capped at ``max_delay``.

    Args:
        base: Delay after the first failure, in seconds (default 5 ms).
        max_delay: Upper bound of any delay, in seconds (default 1000 s).
    """

    def __init__(self, base: float = 0.005, max_delay: float = 1000.0) -> None:
        if base <= 0 or max_delay < base:
            raise ValueError("need 0 < base <= max_delay")
        self._base = base
        self._max = max_delay
        self._failures: dict[T, int] = {}

    def when(self, item: T) -> float:
        """Return ``base * 2**n`` for the item's ``n``-th failure (from 0), then count it."""
        n = self._failures.get(item, 0)
        self._failures[item] = n + 1
        if n > _MAX_EXPONENT:
            return self._max
        return min(self._base * float(1 << n), self._max)

    def forget(self, item: T) -> None:
        """Reset the item's failure count."""
        self._failures.pop(item, None)

    def num_requeues(self, item: T) -> int:
        """Failures recorded for the item since it was last forgotten."""
        return self._failures.get(item, 0)


class TokenBucketRateLimiter(RateLimiter[T]):
    """A global token bucket (Go ``rate.Limiter`` reservations) on an injected clock.

    The bucket starts full. Each :meth:`when` takes one token, going into debt if none is left;
    the returned delay is how long until that debt is paid at ``qps`` tokens per second.

    Args:
        qps: Refill rate in tokens per second (default 10).
        burst: Bucket size (default 100).
        clock: Time source.
    """

    def __init__(self, qps: float = 10.0, burst: int = 100, *, clock: Clock) -> None:
        if qps <= 0 or burst < 1:
            raise ValueError("need qps > 0 and burst >= 1")
        self._qps = qps
        self._burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._last: float | None = None

    def when(self, item: T) -> float:
        """Take a token and return the wait until it is actually available."""
        now = self._clock.monotonic()
        if self._last is not None:
            self._tokens = min(self._burst, self._tokens + (now - self._last) * self._qps)
        self._last = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self._qps

    def forget(self, item: T) -> None:
        """Nothing to forget: the bucket is shared by all items."""

    def num_requeues(self, item: T) -> int:
        """Always 0: the bucket does not track items."""
        return 0


class MaxOfRateLimiter(RateLimiter[T]):
    """The worst case of several limiters; every child sees every call."""

    def __init__(self, *limiters: RateLimiter[T]) -> None:
        if not limiters:
            raise ValueError("MaxOfRateLimiter needs at least one limiter")
        self._limiters = limiters

    def when(self, item: T) -> float:
        """The longest delay any child returns (each child records the failure)."""
        return max([limiter.when(item) for limiter in self._limiters])

    def forget(self, item: T) -> None:
        """Forget the item in every child."""
        for limiter in self._limiters:
            limiter.forget(item)

    def num_requeues(self, item: T) -> int:
        """The largest count any child tracks."""
        return max(limiter.num_requeues(item) for limiter in self._limiters)


def default_controller_rate_limiter(clock: Clock) -> MaxOfRateLimiter[Hashable]:
    """client-go's default: ``max(per-item exponential 5 ms..1000 s, bucket 10 qps burst 100)``."""
    return MaxOfRateLimiter(
        ItemExponentialRateLimiter[Hashable](0.005, 1000.0),
        TokenBucketRateLimiter[Hashable](10.0, 100, clock=clock),
    )
