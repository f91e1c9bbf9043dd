"""The one place where an exception raised by a reconcile becomes a behaviour.

:func:`classify` maps an exception to an :class:`ErrorCategory`; :data:`POLICIES` maps a category
to what happens next. Nothing else in the framework makes that decision (the controller's
reconcile handler, :class:`aim_engine.controller.Controller`, applies it):

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
coming back.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

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

__all__ = [
    "POLICIES",
    "ErrorCategory",
    "Policy",
    "ReconcileTimeoutError",
    "classify",
    "explicit_delay",
]


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
    """What the controller does for one category.

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


def explicit_delay(exc: BaseException) -> float | None:
    """The delay the exception asks for (``requeue_after`` or ``Retry-After``), or ``None``."""
    if isinstance(exc, RetryableError):
        return exc.requeue_after
    if isinstance(exc, TooManyRequestsError):
        return exc.retry_after
    return None
