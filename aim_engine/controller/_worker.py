"""The worker loop, and the one place where an exception becomes a behaviour.

Each worker repeats: take a key from the queue, bind the log context (``controller``, ``kind``,
``namespace``, ``name``, ``reconcile_id``, ``attempt``), await the reconciler (under the optional
per-reconcile timeout, measured on the injected clock), then settle the outcome with the queue and
the metrics, and mark the key done. The queue guarantees that no two workers ever hold the same key.

:func:`classify` maps an exception to an :class:`ErrorCategory`; :data:`POLICIES` maps a category
to what happens next. Nothing else in the framework makes that decision:

* ``RetryableError`` → retryable; ``DependencyNotReadyError`` → dependency_not_ready: requeue after
  ``requeue_after`` when given, else with per-item backoff.
* ``TerminalError`` → terminal: counted, the key is forgotten, no requeue.
* ``ConflictError`` (409) → conflict; ``GoneError`` (410) → gone: requeue with backoff.
* ``TooManyRequestsError`` (429) → throttled: requeue after ``retry_after`` when given.
* ``UnauthorizedError``/``ForbiddenError`` → auth; ``ServerError`` (5xx) → server; any other
  ``ApiError`` → api; ``TransportError`` → transport; a reconcile timeout → timeout: backoff.
* anything else → unknown: logged with its traceback, requeued with backoff.

Every failure counts in ``aim_engine_reconcile_errors_by_category_total``. All of them count as
``result="error"`` and in ``controller_runtime_reconcile_errors_total`` except conflict, gone and
dependency_not_ready, which count as ``requeue`` (or ``requeue_after`` with an explicit delay).
Conflicts and expired lists are the normal cost of optimistic concurrency and a stale cache, so
they are requeued quietly (not counted as errors); they still go through the per-item rate
limiter, whose first step (5 ms) is immediate in practice but which backs off if a conflict keeps
coming back. ``asyncio.CancelledError`` is never caught: cancelling a worker ends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from aim_engine.clock import Clock
from aim_engine.controller._metrics import BoundControllerMetrics
from aim_engine.controller._types import Reconciler, Request, Result
from aim_engine.errors import (
    AimEngineError,
    ApiError,
    ConflictError,
    DependencyNotReadyError,
    ForbiddenError,
    GoneError,
    RetryableError,
    ServerError,
    TerminalError,
    TooManyRequestsError,
    TransportError,
    UnauthorizedError,
)
from aim_engine.log import bind

__all__ = [
    "POLICIES",
    "ErrorCategory",
    "Policy",
    "ReconcileTimeoutError",
    "RequestQueue",
    "Worker",
    "classify",
]

logger = logging.getLogger(__name__)


class ErrorCategory(enum.Enum):
    """Why a reconcile failed, as far as the framework is concerned."""

    RETRYABLE = "retryable"
    DEPENDENCY_NOT_READY = "dependency_not_ready"
    TERMINAL = "terminal"
    CONFLICT = "conflict"
    GONE = "gone"
    THROTTLED = "throttled"
    AUTH = "auth"
    SERVER = "server"
    API = "api"
    TRANSPORT = "transport"
    TIMEOUT = "timeout"
    UNKNOWN = "unknown"


class ReconcileTimeoutError(AimEngineError):
    """The reconcile ran longer than the controller's ``reconcile_timeout`` and was cancelled."""


def classify(exc: BaseException) -> ErrorCategory:
    """The category of an exception raised by a reconcile (the single classifier).

    Args:
        exc: what the reconcile raised.

    Returns:
        Its :class:`ErrorCategory`; :attr:`ErrorCategory.UNKNOWN` for anything not in the
        aim-engine error tree.
    """
    match exc:
        case DependencyNotReadyError():
            return ErrorCategory.DEPENDENCY_NOT_READY
        case RetryableError():
            return ErrorCategory.RETRYABLE
        case TerminalError():
            return ErrorCategory.TERMINAL
        case ConflictError():
            return ErrorCategory.CONFLICT
        case GoneError():
            return ErrorCategory.GONE
        case TooManyRequestsError():
            return ErrorCategory.THROTTLED
        case UnauthorizedError() | ForbiddenError():
            return ErrorCategory.AUTH
        case ServerError():
            return ErrorCategory.SERVER
        case ApiError():
            return ErrorCategory.API
        case TransportError():
            return ErrorCategory.TRANSPORT
        case ReconcileTimeoutError():
            return ErrorCategory.TIMEOUT
        case _:
            return ErrorCategory.UNKNOWN


@dataclass(frozen=True, slots=True)
class Policy:
    """What the worker does for one category.

    Attributes:
        requeue: ``False`` forgets the key and leaves it until the next change.
        is_error: counted as ``result="error"`` and in ``reconcile_errors_total``; otherwise the
            retry counts as ``requeue`` (or ``requeue_after`` with an explicit delay).
        log_level: the level of the "reconcile failed" record.
    """

    requeue: bool = True
    is_error: bool = True
    log_level: int = logging.ERROR


POLICIES: dict[ErrorCategory, Policy] = {cat: Policy() for cat in ErrorCategory} | {
    ErrorCategory.TERMINAL: Policy(requeue=False),
    ErrorCategory.DEPENDENCY_NOT_READY: Policy(is_error=False, log_level=logging.INFO),
    ErrorCategory.CONFLICT: Policy(is_error=False, log_level=logging.INFO),
    ErrorCategory.GONE: Policy(is_error=False, log_level=logging.INFO),
}
"""The behaviour of every :class:`ErrorCategory` (see the module docstring)."""


def _explicit_delay(exc: BaseException) -> float | None:
    if isinstance(exc, RetryableError):
        return exc.requeue_after
    if isinstance(exc, TooManyRequestsError):
        return exc.retry_after
    return None


class RequestQueue(Protocol):
    """The part of :class:`aim_engine.queue.WorkQueue` a worker uses."""

    def add(self, item: Request, *, priority: int = 0) -> None:
        """Enqueue now."""

    def add_after(self, item: Request, delay: float, *, priority: int = 0) -> None:
        """Enqueue after ``delay`` seconds."""

    def add_rate_limited(self, item: Request, *, priority: int = 0) -> None:
        """Enqueue after the rate limiter's delay for this item."""

    def forget(self, item: Request) -> None:
        """Reset the item's failure count."""

    def num_requeues(self, item: Request) -> int:
        """Failures recorded for the item."""
        ...

    async def get(self) -> Request:
        """Wait for the next item; raises the queue's shutdown error when shut down."""
        ...

    def done(self, item: Request) -> None:
        """Mark an item from :meth:`get` as processed."""


@contextlib.asynccontextmanager
async def _deadline(clock: Clock, seconds: float | None) -> AsyncIterator[None]:
    """Cancel the body after ``seconds`` of ``clock`` time (raises ReconcileTimeoutError)."""
    if seconds is None:
        yield
        return
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


class Worker:
    """Runs reconciles for one controller; :meth:`run` is one worker loop (start N of them).

    Args:
        controller: the controller name (log field and metric label).
        kind: the primary kind's name, for the ``kind`` log field.
        reconciler: the user's reconciler.
        queue: the controller's work queue.
        clock: times reconciles and the timeout.
        metrics: the controller's zero-filled series.
        reconcile_timeout: seconds before a reconcile is cancelled, or ``None``.
    """

    def __init__(
        self,
        *,
        controller: str,
        kind: str,
        reconciler: Reconciler,
        queue: RequestQueue,
        clock: Clock,
        metrics: BoundControllerMetrics,
        reconcile_timeout: float | None = None,
    ) -> None:
        self._controller = controller
        self._kind = kind
        self._reconciler = reconciler
        self._queue = queue
        self._clock = clock
        self._metrics = metrics
        self._timeout = reconcile_timeout
        self._stopping = False

    def stop(self) -> None:
        """Let every worker loop end after its current item (the queue still has to shut down)."""
        self._stopping = True

    def stopping(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stopping

    async def run(self, shutdown_error: type[BaseException]) -> None:
        """Process items until stopped or the queue raises ``shutdown_error`` from ``get``."""
        while not self.stopping():
            try:
                request = await self._queue.get()
            except shutdown_error:
                return
            if self.stopping():
                # Woken by the shutdown with keys still queued: leave them (level-based, so the
                # next start reconciles everything anyway).
                self._queue.done(request)
                return
            try:
                await self.process(request)
            finally:
                self._queue.done(request)

    async def process(self, request: Request) -> None:
        """Reconcile one key and settle the outcome with the queue and metrics (never raises)."""
        fields = {
            "controller": self._controller,
            "kind": self._kind,
            "namespace": request.namespace,
            "name": request.name,
            "reconcile_id": str(uuid.uuid4()),
            "attempt": self._queue.num_requeues(request) + 1,
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
        self._queue.forget(request)
        if result.requeue_after is None:
            self._metrics.results["success"].inc()
            logger.debug("reconcile succeeded")
            return
        self._metrics.results["requeue_after"].inc()
        self._queue.add_after(request, result.requeue_after)
        logger.debug("reconcile requeued", extra={"requeue_after": result.requeue_after})

    def _settle_error(self, request: Request, exc: Exception) -> None:
        category = classify(exc)
        policy = POLICIES[category]
        m = self._metrics
        m.by_category[category.value].inc()
        delay = _explicit_delay(exc)
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
            self._queue.forget(request)
        elif delay is not None:
            self._queue.add_after(request, delay)
        else:
            self._queue.add_rate_limited(request)
        if category is ErrorCategory.UNKNOWN:
            logger.error("reconcile raised an unexpected exception", extra=extra, exc_info=exc)
        else:
            logger.log(policy.log_level, "reconcile failed", extra=extra)
